package stripesandbox

import "testing"

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		text string
		of   int64 // of 12345
	}{
		{"8.25", true, "8.25", 1018},     // 1018.4625
		{"8.2500", true, "8.25", 1018},   // stripe-go's %.4f
		{"10", true, "10", 1235},         // 1234.5 rounds half up
		{"0.0001", true, "0.0001", 0},    // 0.0012345
		{"100", true, "100", 12345},      //
		{"7.125", true, "7.125", 880},    // 879.58
		{"1.23456", false, "", 0},        // five places
		{"-5", false, "", 0},             //
		{"1e2", false, "", 0},            //
		{"", false, "", 0},               //
		{"12.50000", true, "12.5", 1543}, // 1543.125
	} {
		p, ok := parsePercent(tc.in)
		if ok != tc.ok {
			t.Errorf("parse %q ok=%v", tc.in, ok)
			continue
		}
		if !ok {
			continue
		}
		if p.String() != tc.text || p.of(12345) != tc.of {
			t.Errorf("%q: %s, of(12345)=%d; want %s, %d", tc.in, p, p.of(12345), tc.text, tc.of)
		}
	}
	if got := percent(100000).of(-1235); got != -124 { // -123.5 rounds away from zero
		t.Errorf("negative rounding: %d", got)
	}
}
