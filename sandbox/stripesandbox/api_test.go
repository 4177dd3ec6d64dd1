package stripesandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v76"
)

func TestCustomerCreateUpdateList(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	cus, err := sc.Customers.New(&stripe.CustomerParams{
		Email: stripe.String("ada@example.com"), Name: stripe.String("Ada"),
		Address:  &stripe.AddressParams{Line1: stripe.String("1 Main St"), City: stripe.String("Austin"), Country: stripe.String("US")},
		Metadata: map[string]string{"erp_id": "C100", "drop": "me"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cus.ID, "cus_") || cus.Object != "customer" || cus.Livemode {
		t.Fatalf("bad customer %+v", cus)
	}
	if cus.Address.City != "Austin" || cus.Metadata["erp_id"] != "C100" {
		t.Fatalf("fields not stored: %+v", cus)
	}
	upd, err := sc.Customers.Update(cus.ID, &stripe.CustomerParams{
		Metadata: map[string]string{"drop": "", "tier": "gold"}, Phone: stripe.String("+15125550100")})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := upd.Metadata["drop"]; ok || upd.Metadata["tier"] != "gold" || upd.Metadata["erp_id"] != "C100" {
		t.Fatalf("metadata update semantics wrong: %v", upd.Metadata)
	}
	if upd.Phone != "+15125550100" || upd.Address.Line1 != "1 Main St" {
		t.Fatalf("update lost fields: %+v", upd)
	}
	got, err := sc.Customers.Get(cus.ID, nil)
	if err != nil || got.Metadata["tier"] != "gold" {
		t.Fatalf("get: %v %+v", err, got)
	}
	if _, err := sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("bob@example.com")}); err != nil {
		t.Fatal(err)
	}
	it := sc.Customers.List(&stripe.CustomerListParams{Email: stripe.String("ada@example.com")})
	n := 0
	for it.Next() {
		n++
		if it.Customer().ID != cus.ID {
			t.Fatalf("email filter returned %s", it.Customer().ID)
		}
	}
	if it.Err() != nil || n != 1 {
		t.Fatalf("list by email: n=%d err=%v", n, it.Err())
	}
	// customer.updated carries previous_attributes.
	evs := sc.Events.List(&stripe.EventListParams{Type: stripe.String("customer.updated")})
	if !evs.Next() {
		t.Fatalf("no customer.updated event: %v", evs.Err())
	}
	ev := evs.Event()
	if ev.Data.PreviousAttributes["phone"] != nil || ev.Data.Object["phone"] != "+15125550100" {
		t.Fatalf("event data wrong: %+v", ev.Data)
	}
	if md, _ := ev.Data.PreviousAttributes["metadata"].(map[string]any); md["drop"] != "me" {
		t.Fatalf("previous metadata wrong: %+v", ev.Data.PreviousAttributes)
	}
}

func TestPaymentIntentSucceedsWithChargeAndBalanceTransaction(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sc := sb.Client
	cus, err := sc.Customers.New(&stripe.CustomerParams{Email: stripe.String("pay@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{
		Amount: stripe.Int64(12345), Currency: stripe.String("usd"), Customer: stripe.String(cus.ID),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true),
		PaymentMethodTypes: []*string{stripe.String("card")},
		Description:        stripe.String("Order 42"), Metadata: map[string]string{"order": "42"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.AmountReceived != 12345 || pi.LatestCharge == nil ||
		!strings.HasPrefix(pi.LatestCharge.ID, "ch_") || pi.Customer.ID != cus.ID {
		t.Fatalf("bad intent: %+v", pi)
	}
	params := &stripe.ChargeParams{}
	params.AddExpand("customer")
	params.AddExpand("balance_transaction")
	ch, err := sc.Charges.Get(pi.LatestCharge.ID, params)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Customer == nil || ch.Customer.Email != "pay@example.com" {
		t.Fatalf("customer not expanded: %+v", ch.Customer)
	}
	if ch.Status != stripe.ChargeStatusSucceeded || !ch.Paid || !ch.Captured || ch.AmountCaptured != 12345 ||
		ch.PaymentIntent.ID != pi.ID || ch.Metadata["order"] != "42" {
		t.Fatalf("bad charge: %+v", ch)
	}
	card := ch.PaymentMethodDetails.Card
	if ch.PaymentMethodDetails.Type != "card" || card.Last4 != "4242" || card.Brand != "visa" || card.ExpYear == 0 {
		t.Fatalf("bad card details: %+v", card)
	}
	bt := ch.BalanceTransaction
	// 2.9% of 12345 = 358.005 -> 358, + 30.
	if bt == nil || bt.Fee != 388 || bt.Net != 12345-388 || bt.Amount != 12345 || bt.Type != "charge" ||
		bt.ReportingCategory != "charge" || bt.Status != "pending" || bt.AvailableOn != bt.Created+2*86400 ||
		len(bt.FeeDetails) != 1 || bt.FeeDetails[0].Type != "stripe_fee" || bt.Source.ID != ch.ID {
		t.Fatalf("bad balance transaction: %+v", bt)
	}
	// List filters: by source and by type.
	it := sc.BalanceTransactions.List(&stripe.BalanceTransactionListParams{Source: stripe.String(ch.ID)})
	if !it.Next() || it.BalanceTransaction().ID != bt.ID || it.Next() {
		t.Fatalf("list by source: %v", it.Err())
	}
	// Charges list by payment_intent, with data.customer expanded.
	cl := &stripe.ChargeListParams{PaymentIntent: stripe.String(pi.ID)}
	cl.AddExpand("data.customer")
	cit := sc.Charges.List(cl)
	if !cit.Next() || cit.Charge().Customer.Email != "pay@example.com" {
		t.Fatalf("charge list expand: %v", cit.Err())
	}
	// Charge metadata update emits charge.updated.
	upd, err := sc.Charges.Update(ch.ID, &stripe.ChargeParams{Metadata: map[string]string{"erp_doc": "INV-1"}})
	if err != nil || upd.Metadata["erp_doc"] != "INV-1" || upd.Metadata["order"] != "42" {
		t.Fatalf("charge update: %v %+v", err, upd)
	}
	types := map[string]bool{}
	eit := sc.Events.List(&stripe.EventListParams{ListParams: stripe.ListParams{Limit: stripe.Int64(100)}})
	for eit.Next() {
		types[string(eit.Event().Type)] = true
		if eit.Event().APIVersion != APIVersion {
			t.Fatalf("api_version %q", eit.Event().APIVersion)
		}
	}
	for _, want := range []string{"customer.created", "payment_intent.created", "payment_intent.succeeded", "charge.succeeded", "charge.updated"} {
		if !types[want] {
			t.Errorf("missing event %s (have %v)", want, types)
		}
	}
}

func TestCreateThenConfirm(t *testing.T) {
	sb := startSandbox(t, "", nil)
	pi, err := sb.Client.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(5000), Currency: stripe.String("jpy")})
	if err != nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod {
		t.Fatalf("create: %v %+v", err, pi)
	}
	pi, err = sb.Client.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_mastercard")})
	if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded {
		t.Fatalf("confirm: %v %+v", err, pi)
	}
	p := &stripe.PaymentIntentParams{}
	p.AddExpand("latest_charge.balance_transaction")
	p.AddExpand("payment_method")
	got, err := sb.Client.PaymentIntents.Get(pi.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	// 3.6% of 5000 JPY = 180, no fixed fee.
	if bt := got.LatestCharge.BalanceTransaction; bt == nil || bt.Fee != 180 || bt.Net != 4820 || bt.Currency != "jpy" {
		t.Fatalf("jpy fee: %+v", got.LatestCharge.BalanceTransaction)
	}
	if got.PaymentMethod == nil || got.PaymentMethod.Card.Brand != "mastercard" {
		t.Fatalf("payment_method not expanded: %+v", got.PaymentMethod)
	}
	// Confirming a succeeded intent is an unexpected-state error.
	_, err = sb.Client.PaymentIntents.Confirm(pi.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != 400 || se.Code != "payment_intent_unexpected_state" {
		t.Fatalf("reconfirm: %+v", se)
	}
}

func TestDeclinedCard(t *testing.T) {
	sb := startSandbox(t, "", nil)
	for _, tc := range []struct{ pm, decline string }{
		{"pm_card_chargeDeclined", "generic_decline"},
		{"pm_card_chargeDeclinedInsufficientFunds", "insufficient_funds"},
	} {
		_, err := sb.Client.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(2000), Currency: stripe.String("eur"),
			PaymentMethod: stripe.String(tc.pm), Confirm: stripe.Bool(true)})
		se := stripeErr(t, err)
		if se.HTTPStatusCode != 402 || se.Type != stripe.ErrorTypeCard || se.Code != stripe.ErrorCodeCardDeclined ||
			string(se.DeclineCode) != tc.decline || !strings.HasPrefix(se.ChargeID, "ch_") || se.PaymentIntent == nil || se.RequestID == "" {
			t.Fatalf("%s: bad error %+v", tc.pm, se)
		}
		if _, ok := se.Err.(*stripe.CardError); !ok {
			t.Fatalf("want CardError, got %T", se.Err)
		}
		pi, err := sb.Client.PaymentIntents.Get(se.PaymentIntent.ID, nil)
		if err != nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.LastPaymentError == nil ||
			pi.LastPaymentError.Code != stripe.ErrorCodeCardDeclined || pi.LatestCharge.ID != se.ChargeID {
			t.Fatalf("intent after decline: %v %+v", err, pi)
		}
		ch, err := sb.Client.Charges.Get(se.ChargeID, nil)
		if err != nil || ch.Status != stripe.ChargeStatusFailed || ch.Paid || ch.FailureCode != "card_declined" || ch.BalanceTransaction != nil {
			t.Fatalf("failed charge: %v %+v", err, ch)
		}
		// The intent can be retried with a working card.
		pi, err = sb.Client.PaymentIntents.Confirm(pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_amex")})
		if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded {
			t.Fatalf("retry confirm: %v %+v", err, pi)
		}
	}
	for _, typ := range []string{"charge.failed", "payment_intent.payment_failed"} {
		it := sb.Client.Events.List(&stripe.EventListParams{Type: stripe.String(typ)})
		n := 0
		for it.Next() {
			n++
		}
		if n != 2 {
			t.Errorf("%s events: %d", typ, n)
		}
	}
}

func TestIdempotencyKeyReplay(t *testing.T) {
	sb := startSandbox(t, "", nil)
	newCus := func(email, key string) (*stripe.Customer, error) {
		p := &stripe.CustomerParams{Email: stripe.String(email)}
		p.SetIdempotencyKey(key)
		return sb.Client.Customers.New(p)
	}
	a, err := newCus("i@example.com", "key-1")
	if err != nil {
		t.Fatal(err)
	}
	b, err := newCus("i@example.com", "key-1")
	if err != nil || b.ID != a.ID {
		t.Fatalf("replay gave %v %v, want %s", b, err, a.ID)
	}
	if b.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("missing Idempotent-Replayed header")
	}
	_, err = newCus("other@example.com", "key-1")
	if se := stripeErr(t, err); se.Type != stripe.ErrorTypeIdempotency || se.HTTPStatusCode != 400 {
		t.Fatalf("want idempotency_error, got %+v", se)
	}
	// Only one customer and one customer.created event exist.
	it := sb.Client.Customers.List(&stripe.CustomerListParams{})
	n := 0
	for it.Next() {
		n++
	}
	if n != 1 {
		t.Fatalf("customers: %d", n)
	}
	// Declines are replayed too (the endpoint executed).
	decl := func() error {
		p := &stripe.PaymentIntentParams{Amount: stripe.Int64(1000), Currency: stripe.String("usd"),
			PaymentMethod: stripe.String("pm_card_chargeDeclined"), Confirm: stripe.Bool(true)}
		p.SetIdempotencyKey("key-2")
		_, err := sb.Client.PaymentIntents.New(p)
		return err
	}
	e1, e2 := stripeErr(t, decl()), stripeErr(t, decl())
	if e1.ChargeID != e2.ChargeID || e2.HTTPStatusCode != 402 {
		t.Fatalf("decline replay differs: %s vs %s", e1.ChargeID, e2.ChargeID)
	}
	// Validation errors are not stored: the same key can then succeed.
	bad := &stripe.PaymentIntentParams{Currency: stripe.String("usd")}
	bad.SetIdempotencyKey("key-3")
	if _, err := sb.Client.PaymentIntents.New(bad); stripeErr(t, err).Param != "amount" {
		t.Fatalf("want amount error, got %v", err)
	}
	good := &stripe.PaymentIntentParams{Amount: stripe.Int64(100), Currency: stripe.String("usd")}
	good.SetIdempotencyKey("key-3")
	if _, err := sb.Client.PaymentIntents.New(good); err != nil {
		t.Fatalf("key reuse after validation error: %v", err)
	}
}

func TestListPagination(t *testing.T) {
	sb := startSandbox(t, "", nil)
	var ids []string
	for i := 0; i < 5; i++ {
		c, err := sb.Client.Customers.New(&stripe.CustomerParams{Name: stripe.String(fmt.Sprint("c", i))})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// Newest first, two per page, via stripe-go's auto-pagination.
	lp := &stripe.CustomerListParams{}
	lp.Limit = stripe.Int64(2)
	it := sb.Client.Customers.List(lp)
	var got []string
	pages := map[*stripe.CustomerList]bool{}
	for it.Next() {
		got = append(got, it.Customer().ID)
		pages[it.CustomerList()] = true
	}
	if it.Err() != nil {
		t.Fatal(it.Err())
	}
	want := []string{ids[4], ids[3], ids[2], ids[1], ids[0]}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("order %v want %v", got, want)
	}
	// One explicit page with starting_after.
	p := &stripe.CustomerListParams{}
	p.Limit = stripe.Int64(2)
	p.StartingAfter = stripe.String(ids[3])
	p.Single = true
	page := sb.Client.Customers.List(p)
	var pg []string
	for page.Next() {
		pg = append(pg, page.Customer().ID)
	}
	if strings.Join(pg, ",") != ids[2]+","+ids[1] || !page.CustomerList().HasMore {
		t.Fatalf("starting_after page %v has_more=%v", pg, page.CustomerList().HasMore)
	}
	// ending_before returns the items just newer than the cursor (newest
	// first on the wire; stripe-go's iterator reverses them).
	p2 := &stripe.CustomerListParams{}
	p2.Limit = stripe.Int64(2)
	p2.EndingBefore = stripe.String(ids[1])
	p2.Single = true
	page = sb.Client.Customers.List(p2)
	pg = nil
	for page.Next() {
		pg = append(pg, page.Customer().ID)
	}
	if strings.Join(pg, ",") != ids[2]+","+ids[3] {
		t.Fatalf("ending_before page %v", pg)
	}
	// limit out of range.
	bad := &stripe.CustomerListParams{}
	bad.Limit = stripe.Int64(101)
	bad.Single = true
	bit := sb.Client.Customers.List(bad)
	bit.Next()
	if se := stripeErr(t, bit.Err()); se.Param != "limit" {
		t.Fatalf("limit error %+v", se)
	}
}

func TestRestartKeepsState(t *testing.T) {
	sb := startSandbox(t, "", nil)
	cus, err := sb.Client.Customers.New(&stripe.CustomerParams{Email: stripe.String("keep@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	p := &stripe.CustomerParams{Email: stripe.String("idem@example.com")}
	p.SetIdempotencyKey("restart-key")
	first, err := sb.Client.Customers.New(p)
	if err != nil {
		t.Fatal(err)
	}
	sb.stop()

	sb2 := startSandbox(t, sb.DBPath, nil)
	got, err := sb2.Client.Customers.Get(cus.ID, nil)
	if err != nil || got.Email != "keep@example.com" {
		t.Fatalf("after restart: %v %+v", err, got)
	}
	replay, err := sb2.Client.Customers.New(p)
	if err != nil || replay.ID != first.ID {
		t.Fatalf("idempotency lost on restart: %v", err)
	}
	newer, err := sb2.Client.Customers.New(&stripe.CustomerParams{})
	if err != nil {
		t.Fatal(err)
	}
	lp := &stripe.CustomerListParams{}
	lp.Limit = stripe.Int64(1)
	lp.Single = true
	it := sb2.Client.Customers.List(lp)
	if !it.Next() || it.Customer().ID != newer.ID {
		t.Fatalf("seq not continued after restart")
	}
}

func TestValidationErrors(t *testing.T) {
	// KWD settles in itself here so its three-decimal fee rule is visible
	// (by default KWD converts to USD).
	sb := startSandbox(t, "", func(c *Config) { c.SettlementCurrencies = []string{"usd", "kwd"} })
	sc := sb.Client
	cases := []struct {
		name        string
		params      *stripe.PaymentIntentParams
		param, code string
		status      int
	}{
		{"missing amount", &stripe.PaymentIntentParams{Currency: stripe.String("usd")}, "amount", "parameter_missing", 400},
		{"missing currency", &stripe.PaymentIntentParams{Amount: stripe.Int64(100)}, "currency", "parameter_missing", 400},
		{"negative", &stripe.PaymentIntentParams{Amount: stripe.Int64(-5), Currency: stripe.String("usd")}, "amount", "", 400},
		{"too small", &stripe.PaymentIntentParams{Amount: stripe.Int64(10), Currency: stripe.String("usd")}, "amount", "amount_too_small", 400},
		{"kwd last digit", &stripe.PaymentIntentParams{Amount: stripe.Int64(1005), Currency: stripe.String("kwd")}, "amount", "invalid_amount", 400},
		{"unknown customer", &stripe.PaymentIntentParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), Customer: stripe.String("cus_nope")}, "customer", "resource_missing", 400},
		{"unknown pm", &stripe.PaymentIntentParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), PaymentMethod: stripe.String("pm_nope")}, "payment_method", "resource_missing", 400},
		{"unknown param", &stripe.PaymentIntentParams{Amount: stripe.Int64(100), Currency: stripe.String("usd"), Params: stripe.Params{Extra: &stripe.ExtraValues{Values: map[string][]string{"bogus": {"1"}}}}}, "bogus", "", 400},
	}
	for _, tc := range cases {
		_, err := sc.PaymentIntents.New(tc.params)
		se := stripeErr(t, err)
		if se.HTTPStatusCode != tc.status || se.Param != tc.param || string(se.Code) != tc.code || se.Type != stripe.ErrorTypeInvalidRequest {
			t.Errorf("%s: got %d %s param=%q code=%q: %s", tc.name, se.HTTPStatusCode, se.Type, se.Param, se.Code, se.Msg)
		}
	}
	// KWD with a trailing zero is fine: 2.9% of 12340 + 300 = 657.86 -> 660.
	pi, err := sc.PaymentIntents.New(&stripe.PaymentIntentParams{Amount: stripe.Int64(12340), Currency: stripe.String("kwd"),
		PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	cp := &stripe.ChargeParams{}
	cp.AddExpand("balance_transaction")
	ch, err := sc.Charges.Get(pi.LatestCharge.ID, cp)
	if err != nil || ch.BalanceTransaction.Fee != 660 {
		t.Fatalf("kwd fee: %v %+v", err, ch)
	}

	_, err = sc.Customers.Get("cus_missing", nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != 404 || se.Code != stripe.ErrorCodeResourceMissing {
		t.Fatalf("404: %+v", se)
	}
	// Metadata limits.
	many := map[string]string{}
	for i := 0; i < 51; i++ {
		many[fmt.Sprint("k", i)] = "v"
	}
	for name, md := range map[string]map[string]string{
		"51 keys":    many,
		"long key":   {strings.Repeat("k", 41): "v"},
		"long value": {"k": strings.Repeat("v", 501)},
	} {
		_, err := sc.Customers.New(&stripe.CustomerParams{Metadata: md})
		if se := stripeErr(t, err); se.HTTPStatusCode != 400 || se.Type != stripe.ErrorTypeInvalidRequest {
			t.Errorf("%s: %+v", name, se)
		}
	}
	ok := map[string]string{strings.Repeat("k", 40): strings.Repeat("v", 500)}
	if _, err := sc.Customers.New(&stripe.CustomerParams{Metadata: ok}); err != nil {
		t.Errorf("metadata at the limits rejected: %v", err)
	}
	// Expanding a non-expandable field.
	p := &stripe.CustomerParams{}
	p.AddExpand("email")
	if _, err := sc.Customers.New(p); stripeErr(t, err).Param != "expand" {
		t.Errorf("bad expand accepted")
	}
	// Wrong and missing API keys.
	_, err = newClient(sb.HTTP.URL, "sk_test_wrong_key_123456").Customers.New(&stripe.CustomerParams{})
	if se := stripeErr(t, err); se.HTTPStatusCode != 401 {
		t.Fatalf("bad key: %+v", se)
	}
	resp, err := http.Post(sb.HTTP.URL+"/v1/customers", "application/x-www-form-urlencoded", nil)
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("no key: %v %v", err, resp)
	}
	resp.Body.Close()
}

func TestFaultInjection(t *testing.T) {
	sb := startSandbox(t, "", nil)
	sb.admin(t, "POST", "/_sandbox/faults", map[string]int{"rate_limit": 1, "server_error": 1}, nil)
	_, err := sb.Client.Customers.New(&stripe.CustomerParams{})
	if se := stripeErr(t, err); se.HTTPStatusCode != 429 || se.Code != "rate_limit" {
		t.Fatalf("want 429: %+v", se)
	}
	_, err = sb.Client.Customers.New(&stripe.CustomerParams{})
	if se := stripeErr(t, err); se.HTTPStatusCode != 500 || se.Type != stripe.ErrorTypeAPI {
		t.Fatalf("want 500: %+v", se)
	}
	if _, err := sb.Client.Customers.New(&stripe.CustomerParams{}); err != nil {
		t.Fatalf("faults should be used up: %v", err)
	}
}

func TestStripeFee(t *testing.T) {
	for _, tc := range []struct {
		amount   int64
		currency string
		fee      int64
	}{
		{1000, "usd", 59}, {12345, "usd", 388}, {50, "eur", 31}, {1017, "usd", 59}, {1018, "usd", 60},
		{10000, "jpy", 360}, {1234, "JPY", 44}, {13, "krw", 0}, {14, "krw", 1},
		{10000, "kwd", 590}, {12340, "kwd", 660}, {1000, "bhd", 330},
	} {
		if got := stripeFee(tc.amount, tc.currency); got != tc.fee {
			t.Errorf("fee(%d %s) = %d, want %d", tc.amount, tc.currency, got, tc.fee)
		}
	}
	if currencyExponent("XOF") != 0 || currencyExponent("tnd") != 3 || currencyExponent("usd") != 2 {
		t.Fatal("exponent table")
	}
}
