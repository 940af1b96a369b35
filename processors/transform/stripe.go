package transform

// The typed view of a Stripe event: only the fields the transform uses, for
// every API version. The json tags are what encoding/json would decode
// (the tests decode every test payload with both and compare); the decoder
// that runs is stripedecode.go.
//
// Older and newer shapes share one struct: fields that were renamed over the
// years are all here (a charge's source vs payment_method_details, an
// invoice line's plan vs price), and the transform takes whichever is set.

// event is the envelope.
type event struct {
	ID         string    `json:"id"`
	Object     string    `json:"object"`
	Type       string    `json:"type"`
	APIVersion string    `json:"api_version"`
	Account    string    `json:"account"`
	Created    num       `json:"created"`
	Livemode   bool      `json:"livemode"`
	Data       eventData `json:"data"`
}

type eventData struct {
	Object *object `json:"object"`
}

// object is any Stripe object the transform reads (charge, refund, dispute,
// balance transaction, customer, invoice, payout, payment intent,
// subscription, …): one struct for all, because the event type, which says
// what data.object is, comes after data in Stripe's key order and one pass
// must decode it before knowing. Fields an object does not have stay zero.
type object struct {
	// Off is the offset of the object in the event text (for paths of
	// fields it lacks).
	Off int32 `json:"-"`

	ID          string `json:"id"`
	Object      string `json:"object"`
	Created     num    `json:"created"`
	Type        string `json:"type"`
	Status      string `json:"status"`
	Description string `json:"description"`
	Reason      string `json:"reason"`
	Currency    string `json:"currency"`

	Amount          num `json:"amount"`
	AmountCaptured  num `json:"amount_captured"`
	AmountRefunded  num `json:"amount_refunded"`
	AmountDue       num `json:"amount_due"`
	AmountPaid      num `json:"amount_paid"`
	AmountRemaining num `json:"amount_remaining"`
	Fee             num `json:"fee"`
	Tax             num `json:"tax"`

	Captured       *bool  `json:"captured"`
	PaidOutOfBand  bool   `json:"paid_out_of_band"`
	FailureCode    string `json:"failure_code"`
	FailureMessage string `json:"failure_message"`
	ReceiptEmail   string `json:"receipt_email"`

	// A customer's own fields.
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Phone   string  `json:"phone"`
	Address address `json:"address"`
	// A charge's billing details.
	BillingDetails billingDetails `json:"billing_details"`
	// An invoice's copy of its customer.
	CustomerName    string  `json:"customer_name"`
	CustomerEmail   string  `json:"customer_email"`
	CustomerPhone   string  `json:"customer_phone"`
	CustomerAddress address `json:"customer_address"`

	Metadata map[string]string `json:"metadata"`

	// Expandable references: an id, or the expanded object.
	Customer           ref `json:"customer"`
	Charge             ref `json:"charge"`
	Invoice            ref `json:"invoice"`
	PaymentIntent      ref `json:"payment_intent"`
	Subscription       ref `json:"subscription"`
	BalanceTransaction ref `json:"balance_transaction"`
	LatestCharge       ref `json:"latest_charge"`

	// How a charge was paid: payment_method_details since 2019, the
	// source (a card, bank account or source object) before.
	PaymentMethodDetails pmDetails `json:"payment_method_details"`
	Source               source    `json:"source"`

	// A charge's refunds: a list object before API 2022-11-15 (and when
	// expanded), an array before 2014.
	Refunds refundList `json:"refunds"`
	// A dispute's balance transactions (withdrawal, reinstatement).
	BalanceTransactions []ref `json:"balance_transactions"`
	// An invoice's lines and dunning state.
	Lines              lineList          `json:"lines"`
	AttemptCount       num               `json:"attempt_count"`
	NextPaymentAttempt num               `json:"next_payment_attempt"`
	StatusTransitions  statusTransitions `json:"status_transitions"`
	// A payout's arrival date.
	ArrivalDate num `json:"arrival_date"`
}

// ref is an expandable field: Stripe sends the id, or the object when the
// request expanded it.
type ref struct {
	ID  string
	Obj *object
}

type address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postal_code"`
	State      string `json:"state"`
	Country    string `json:"country"`
}

type billingDetails struct {
	Name    string  `json:"name"`
	Email   string  `json:"email"`
	Phone   string  `json:"phone"`
	Address address `json:"address"`
}

type pmDetails struct {
	Type        string `json:"type"`
	Card        card   `json:"card"`
	CardPresent card   `json:"card_present"`
}

type card struct {
	Brand string `json:"brand"`
}

// source is a charge's source before payment_method_details (a card, a bank
// account or a Source object); on other objects "source" is an id string.
type source struct {
	ID     string
	Object string // "card", "bank_account", "source"
	Type   string // a Source object's type
	Brand  string // a card's brand, as old API versions wrote it ("Visa")
}

// refundList is a charge's refunds; Listed reports that the payload had a
// list (or array) at all, as opposed to none.
type refundList struct {
	Data    []object
	HasMore bool
	Listed  bool
}

type lineList struct {
	Data    []line `json:"data"`
	HasMore bool   `json:"has_more"`
}

// line is an invoice line item.
type line struct {
	Off int32 `json:"-"`

	ID          string `json:"id"`
	Type        string `json:"type"`
	Description string `json:"description"`
	Currency    string `json:"currency"`
	Amount      num    `json:"amount"`
	Quantity    num    `json:"quantity"`
	Period      period `json:"period"`
	// Price since API 2020-08-27; Plan before (both are present for a
	// while; Price wins).
	Price           *price            `json:"price"`
	Plan            *price            `json:"plan"`
	Metadata        map[string]string `json:"metadata"`
	DiscountAmounts []discountAmount  `json:"discount_amounts"`
}

// price is a price or, for old API versions, a plan.
type price struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	Nickname  string `json:"nickname"`
	LookupKey string `json:"lookup_key"`
	// Interval is a plan's; a price has it in Recurring.
	Interval  string            `json:"interval"`
	Recurring recurring         `json:"recurring"`
	Product   product           `json:"product"`
	Metadata  map[string]string `json:"metadata"`
}

type recurring struct {
	Interval string `json:"interval"`
}

// product is an expandable product: the id, or the object with its
// metadata (where an item number may be kept).
type product struct {
	ID       string
	Name     string
	Metadata map[string]string
}

type period struct {
	Start num `json:"start"`
	End   num `json:"end"`
}

type discountAmount struct {
	Amount num `json:"amount"`
}

type statusTransitions struct {
	PaidAt      num `json:"paid_at"`
	FinalizedAt num `json:"finalized_at"`
}
