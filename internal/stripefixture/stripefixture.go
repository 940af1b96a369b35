// Package stripefixture produces realistic Stripe webhook event bodies for
// tests, the load generator and the CLI that sends test events.
//
// The bodies follow what Stripe sends for API version 2023-10-16: the event
// envelope (id, object, account when set, api_version, created, data.object,
// data.previous_attributes on update-style events, livemode,
// pending_webhooks, request, type) around objects modelled field by field on
// Stripe's documented 2023-10-16 objects (cross-checked with stripe-mock's
// fixtures and stripe-go v76). Keys are written as Stripe writes them: "id"
// and "object" first, then alphabetical; bodies are pretty-printed with two
// spaces, as Stripe delivers webhooks.
//
// Everything is deterministic: the same Options and type always give the same
// bytes. Seq drives every id, so objects of one Seq are related across event
// types (the charge of charge.succeeded is the one refunded in refund.created
// and disputed in charge.dispute.created), while event ids and request ids
// also depend on the event type.
package stripefixture

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultAPIVersion is the API version events are rendered for by default.
const DefaultAPIVersion = "2023-10-16"

// Options parameterise an event.
type Options struct {
	Seq        int64     // varies every id deterministically (evt_, ch_, cus_, pi_, pm_, txn_, re_, po_, in_, dp_ …)
	Livemode   bool      // livemode of the event and its objects
	Account    string    // Connect account id; "" = none (the "account" field is omitted)
	APIVersion string    // "" = "2023-10-16"; any other value is written as given
	Currency   string    // "" = "usd"; written lower-case as Stripe does
	Amount     int64     // minor units; 0 = 2000 + Seq%5000
	CustomerID string    // "" = derived from Seq; for guest charges use Guest
	Guest      bool      // charge without customer ("customer": null); ignored by customer.* and invoice.*
	Created    time.Time // zero = 2026-11-25T12:00:00Z + Seq seconds
}

// baseTime is the default event time for Seq 0.
var baseTime = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// builder renders the data.object (and previous_attributes, or nil) of an
// event type. api reports whether the event was caused by an API request
// (request.id and idempotency_key set) rather than by Stripe itself.
type builder struct {
	build func(g *gen) (object obj, prev obj)
	api   bool
}

var builders = map[string]builder{
	"balance.available":             {buildBalanceAvailable, false},
	"charge.captured":               {buildChargeCaptured, true},
	"charge.dispute.closed":         {buildDisputeClosed, false},
	"charge.dispute.created":        {buildDisputeCreated, false},
	"charge.failed":                 {buildChargeFailed, true},
	"charge.refunded":               {buildChargeRefunded, true},
	"charge.succeeded":              {buildChargeSucceeded, true},
	"customer.created":              {buildCustomerCreated, true},
	"customer.updated":              {buildCustomerUpdated, true},
	"invoice.paid":                  {buildInvoicePaid, false},
	"invoice.payment_failed":        {buildInvoicePaymentFailed, false},
	"invoice.payment_succeeded":     {buildInvoicePaid, false},
	"payment_intent.payment_failed": {buildPaymentIntentFailed, true},
	"payment_intent.succeeded":      {buildPaymentIntentSucceeded, true},
	"payout.failed":                 {buildPayoutFailed, false},
	"payout.paid":                   {buildPayoutPaid, false},
	"refund.created":                {buildRefundCreated, true},
}

// Types returns the supported event types, sorted.
func Types() []string {
	out := make([]string, 0, len(builders))
	for t := range builders {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// MustEvent is Event that panics on an unsupported type.
func MustEvent(eventType string, o Options) []byte {
	b, err := Event(eventType, o)
	if err != nil {
		panic(err)
	}
	return b
}

// Event returns the webhook body Stripe would POST for eventType.
func Event(eventType string, o Options) ([]byte, error) {
	b, ok := builders[eventType]
	if !ok {
		return nil, fmt.Errorf("stripefixture: unsupported event type %q (supported: %s)",
			eventType, strings.Join(Types(), ", "))
	}
	g := newGen(eventType, o)
	object, prev := b.build(g)

	data := obj{"object": object}
	if prev != nil {
		data["previous_attributes"] = prev
	}
	request := obj{"id": nil, "idempotency_key": nil}
	if b.api {
		request = obj{"id": g.ids.short("req", eventType), "idempotency_key": g.ev.uuid4()}
	}
	apiVersion := o.APIVersion
	if apiVersion == "" {
		apiVersion = DefaultAPIVersion
	}
	env := obj{
		"id":               g.ids.long("evt", eventType, g.chainEvent(eventType)),
		"object":           "event",
		"api_version":      apiVersion,
		"created":          g.t,
		"data":             data,
		"livemode":         o.Livemode,
		"pending_webhooks": 1,
		"request":          request,
		"type":             eventType,
	}
	if o.Account != "" {
		env["account"] = o.Account
	}

	return appendJSON(make([]byte, 0, 8192), env, 0), nil
}

// gen holds everything derived from Options for one event.
type gen struct {
	o Options

	t        int64  // event time (unix)
	account  string // account the objects live on (Connect account or platform)
	currency string
	amount   int64
	country  string // country of the customer, card and billing address
	customer any    // customer id, or nil for guests
	ids      ids
	ent      *rng // per-Seq entity randomness (same for every event type)
	ev       *rng // per-event randomness (request ids, keys)
	person   person
	card     card
}

func newGen(eventType string, o Options) *gen {
	g := &gen{o: o}
	created := o.Created
	if created.IsZero() {
		created = baseTime.Add(time.Duration(o.Seq) * time.Second)
	}
	g.t = created.Unix()
	g.account = platformAccount
	if o.Account != "" {
		g.account = o.Account
	}
	mode := "test"
	if o.Livemode {
		mode = "live"
	}
	g.ids = ids{
		seq:      uint64(o.Seq),
		unix:     g.t,
		acctPart: accountPart(g.account),
		salt:     g.account + "/" + mode,
	}
	g.currency = strings.ToLower(o.Currency)
	if g.currency == "" {
		g.currency = "usd"
	}
	g.amount = o.Amount
	if g.amount == 0 {
		m := o.Seq % 5000
		if m < 0 {
			m = -m
		}
		g.amount = 2000 + m
	}
	seq := strconv.FormatInt(o.Seq, 10)
	g.ent = newRNG("entity", seq, g.account, mode)
	g.ev = newRNG("event", seq, g.account, mode, eventType)
	g.country = currencyCountry[g.currency]
	if g.country == "" {
		g.country = "US"
	}
	g.person = pickPerson(g.ent, g.country)
	g.card = pickCard(g.ent, g.account, g.country, created)
	switch {
	case o.CustomerID != "":
		g.customer = o.CustomerID
	case o.Guest:
		g.customer = nil
	default:
		g.customer = g.customerID()
	}
	return g
}

// customerID is the customer of this Seq, even for guest charges (customer.*
// and invoice.* events always have a customer).
func (g *gen) customerID() string {
	if g.o.CustomerID != "" {
		return g.o.CustomerID
	}
	return g.ids.short("cus", "")
}

// chainEvent reports whether an event is about an object created through a
// PaymentIntent, whose ids (and event ids) Stripe starts with "3".
func (g *gen) chainEvent(eventType string) bool {
	return strings.HasPrefix(eventType, "charge.") && !strings.HasPrefix(eventType, "charge.dispute.") ||
		strings.HasPrefix(eventType, "payment_intent.") || strings.HasPrefix(eventType, "refund.")
}

// Related ids of this Seq.
func (g *gen) chargeID() string  { return g.ids.long("ch", "", true) }
func (g *gen) piID() string      { return g.ids.long("pi", "", true) }
func (g *gen) pmID() string      { return g.ids.long("pm", "", false) }
func (g *gen) refundID() string  { return g.ids.long("re", "", true) }
func (g *gen) disputeID() string { return g.ids.long("dp", "", false) }
func (g *gen) invoiceID() string { return g.ids.long("in", "", false) }
func (g *gen) payoutID() string  { return g.ids.long("po", "", false) }
func (g *gen) txnID(of string) string {
	return g.ids.long("txn", of, of == "ch" || of == "re")
}

// accountIDs are stable for an account, whatever the Seq.
func (g *gen) accountID(prefix, kind string) string {
	x := g.ids
	x.seq = 0
	x.unix = 1700000000
	return x.long(prefix, kind, false)
}

var currencyCountry = map[string]string{
	"usd": "US", "eur": "DE", "gbp": "GB", "cad": "CA", "aud": "AU", "jpy": "JP",
	"chf": "CH", "sek": "SE", "nok": "NO", "dkk": "DK", "nzd": "NZ", "sgd": "SG",
	"mxn": "MX", "brl": "BR", "inr": "IN", "pln": "PL", "hkd": "HK",
}

// zeroDecimal lists Stripe's zero-decimal currencies.
var zeroDecimal = map[string]bool{
	"bif": true, "clp": true, "djf": true, "gnf": true, "jpy": true, "kmf": true,
	"krw": true, "mga": true, "pyg": true, "rwf": true, "ugx": true, "vnd": true,
	"vuv": true, "xaf": true, "xof": true, "xpf": true,
}

// money formats an amount the way Stripe's line item descriptions do.
func money(amount int64, currency string) string {
	sym := map[string]string{"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}[currency]
	var num string
	if zeroDecimal[currency] {
		num = strconv.FormatInt(amount, 10)
	} else {
		neg := ""
		if amount < 0 {
			neg, amount = "-", -amount
		}
		num = fmt.Sprintf("%s%d.%02d", neg, amount/100, amount%100)
	}
	if sym == "" {
		return num + " " + strings.ToUpper(currency)
	}
	return sym + num
}
