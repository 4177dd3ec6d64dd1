package monitor

import (
	"testing"
)

func TestParseLimits(t *testing.T) {
	tests := []struct {
		in      string
		want    Limits
		wantErr bool
	}{
		{in: "20/s", want: Limits{RatePerSecond: 20}},
		{in: "20/s,burst=10", want: Limits{RatePerSecond: 20, Burst: 10}},
		{in: " 20 / s , burst = 10 ", want: Limits{RatePerSecond: 20, Burst: 10}},
		{in: "0.5/s", want: Limits{RatePerSecond: 0.5}},
		{in: "1200/m", want: Limits{RatePerSecond: 20}},
		{in: "3600/h,burst=1", want: Limits{RatePerSecond: 1, Burst: 1}},
		{in: "0", want: Limits{}},
		{in: "0/s", want: Limits{}},
		{in: "off", want: Limits{}},
		{in: "Unlimited", want: Limits{}},
		{in: "", wantErr: true},
		{in: "20", wantErr: true},
		{in: "20/d", wantErr: true},
		{in: "-1/s", wantErr: true},
		{in: "x/s", wantErr: true},
		{in: "Inf/s", wantErr: true},
		{in: "NaN/s", wantErr: true},
		{in: "20/s,burst=0", wantErr: true},
		{in: "20/s,burst=1.5", wantErr: true},
		{in: "20/s,max=3", wantErr: true},
		{in: "20/s,burst", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseLimits(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseLimits(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Errorf("ParseLimits(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestLimitsString(t *testing.T) {
	tests := []struct {
		in   Limits
		want string
	}{
		{Limits{RatePerSecond: 20, Burst: 10}, "20/s,burst=10"},
		{Limits{RatePerSecond: 20}, "20/s,burst=20"},
		{Limits{RatePerSecond: 0.5}, "0.5/s,burst=1"},
		{Limits{}, "unlimited"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.in.String(); got != tt.want {
				t.Errorf("String = %q, want %q", got, tt.want)
			}
			back, err := ParseLimits(tt.in.String())
			if err != nil {
				t.Fatal(err)
			}
			if back.Unlimited() != tt.in.Unlimited() || (!back.Unlimited() && (back.RatePerSecond != tt.in.RatePerSecond || back.burst() != tt.in.burst())) {
				t.Errorf("ParseLimits(String()) = %+v, want the same limiter as %+v", back, tt.in)
			}
		})
	}
}

// TestDefaultLimits: the suggested defaults stay under the systems' documented limits.
func TestDefaultLimits(t *testing.T) {
	under := map[string]float64{SystemStripe: 25, SystemERP: 25, SystemPayTrace: 25}
	d := DefaultLimits()
	for system, limit := range under {
		l, ok := d[system]
		if !ok || l.Unlimited() || l.RatePerSecond >= limit || l.burst() > int(limit) {
			t.Errorf("default %s = %v, want a limit under %v/s", system, l, limit)
		}
	}
	d[SystemERP] = Limits{}
	if DefaultLimits()[SystemERP].Unlimited() {
		t.Error("DefaultLimits returns a shared map")
	}
}
