package glmap

import (
	"strings"
	"testing"
)

func TestParseOverridesAndReportsBadEntries(t *testing.T) {
	a, err := Parse("bank=1011-00, category.charge=1016-00,fee.charge=6155-00")
	if err != nil {
		t.Fatal(err)
	}
	if a.Bank != "1011-00" || a.Categories["charge"] != "1016-00" || a.FeeAccountFor("charge") != "6155-00" || a.FeeAccountFor("refund") != "6150-00" {
		t.Fatalf("%+v", a)
	}
	if _, err := Parse("bnak=1"); err == nil || !strings.Contains(err.Error(), `unknown key "bnak"`) {
		t.Fatalf("typo not reported: %v", err)
	}
	if _, err := Parse("bank"); err == nil || !strings.Contains(err.Error(), "want key=account") {
		t.Fatalf("missing account not reported: %v", err)
	}
}

func TestUnmappedCategoryGoesToSuspense(t *testing.T) {
	a := Defaults()
	if acct, ok := a.AccountFor("climate_order_purchase"); ok || acct != a.Suspense {
		t.Fatalf("got %s %v", acct, ok)
	}
}

func TestValidateNamesUnknownAccounts(t *testing.T) {
	a, _ := Parse("fees=9999-99")
	known := map[string]bool{}
	for _, kv := range Defaults().All() {
		known[kv[1]] = true
	}
	err := a.Validate(known)
	if err == nil || !strings.Contains(err.Error(), `fees: account "9999-99" does not exist`) {
		t.Fatalf("got %v", err)
	}
	if err := Defaults().Validate(known); err != nil {
		t.Fatal(err)
	}
}
