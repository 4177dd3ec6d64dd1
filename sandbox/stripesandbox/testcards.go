package stripesandbox

// testCard describes one of Stripe's test PaymentMethod tokens.
type testCard struct {
	Brand, Last4, Country, Funding string
	// DeclineCode is empty for cards that succeed.
	DeclineCode string
	Code        string // error code when declined
	Message     string // customer-facing decline message
	// Dispute is the reason of the dispute opened right after a successful
	// charge ("" = none).
	Dispute string
	// AttachOK lets a declining card be attached to a customer (only its
	// charges fail); other declining cards are refused at attach, as Stripe
	// checks a card when it is attached.
	AttachOK bool
}

// testCards are the magic payment_method values the sandbox accepts, as in
// Stripe test mode (https://stripe.com/docs/testing). Each use creates a new
// pm_ object, like Stripe does.
var testCards = map[string]testCard{
	"pm_card_visa":          {Brand: "visa", Last4: "4242", Country: "US", Funding: "credit"},
	"pm_card_visa_debit":    {Brand: "visa", Last4: "5556", Country: "US", Funding: "debit"},
	"pm_card_mastercard":    {Brand: "mastercard", Last4: "4444", Country: "US", Funding: "credit"},
	"pm_card_amex":          {Brand: "amex", Last4: "8431", Country: "US", Funding: "credit"},
	"pm_card_discover":      {Brand: "discover", Last4: "1117", Country: "US", Funding: "credit"},
	"pm_card_jcb":           {Brand: "jcb", Last4: "0505", Country: "JP", Funding: "credit"},
	"pm_card_gb":            {Brand: "visa", Last4: "0002", Country: "GB", Funding: "credit"},
	"pm_card_createDispute": {Brand: "visa", Last4: "0259", Country: "US", Funding: "credit", Dispute: "fraudulent"},
	"pm_card_createDisputeProductNotReceived": {Brand: "visa", Last4: "2685", Country: "US", Funding: "credit", Dispute: "product_not_received"},
	"pm_card_chargeDeclined":                  {Brand: "visa", Last4: "0002", Country: "US", Funding: "credit", Code: "card_declined", DeclineCode: "generic_decline", Message: "Your card was declined."},
	"pm_card_chargeDeclinedInsufficientFunds": {Brand: "visa", Last4: "9995", Country: "US", Funding: "credit", Code: "card_declined", DeclineCode: "insufficient_funds", Message: "Your card has insufficient funds."},
	"pm_card_chargeDeclinedFraudulent":        {Brand: "visa", Last4: "0019", Country: "US", Funding: "credit", Code: "card_declined", DeclineCode: "fraudulent", Message: "Your card was declined."},
	"pm_card_chargeDeclinedLostCard":          {Brand: "visa", Last4: "9987", Country: "US", Funding: "credit", Code: "card_declined", DeclineCode: "lost_card", Message: "Your card was declined."},
	"pm_card_chargeDeclinedExpiredCard":       {Brand: "visa", Last4: "0069", Country: "US", Funding: "credit", Code: "expired_card", DeclineCode: "expired_card", Message: "Your card has expired."},
	"pm_card_chargeCustomerFail":              {Brand: "visa", Last4: "0341", Country: "US", Funding: "credit", Code: "card_declined", DeclineCode: "generic_decline", Message: "Your card was declined.", AttachOK: true},
	"pm_card_chargeDeclinedProcessingError":   {Brand: "visa", Last4: "0119", Country: "US", Funding: "credit", Code: "processing_error", DeclineCode: "processing_error", Message: "An error occurred while processing your card. Try again in a little bit."},
}

// sellerMessage is the outcome.seller_message Stripe shows for a decline code.
func sellerMessage(declineCode string) string {
	if declineCode == "" {
		return "Payment complete."
	}
	return "The bank did not return any further details with this decline."
}
