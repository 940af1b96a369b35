// Package command holds the ERP-neutral commands that processors put on the
// infor.*.commands topics and sinks carry out against an ERP (DESIGN.md,
// "Commands"). They are plain data: no ERP field names, no ERP lengths.
//
// Every command has a CommandID built from the business identity of what it
// changes ("payment:ch_…", not the Stripe event id), because Stripe may send
// two distinct events for one change; an adapter uses it (or the Stripe id
// it names) as the external reference it looks up before creating anything,
// which is what makes applying a command twice harmless.
//
// Money is never a float: amounts are integer minor units with their ISO
// 4217 currency, and become decimal strings for an ERP through Decimal.
package command

// Money is an amount in Stripe's API units, as Stripe sends it: cents for
// USD, yen for JPY, fils for KWD, and hundredths for ISK and UGX (Stripe's
// special cases; see APIExponent). Minor may be negative where a command
// says so (journal credits, refunds in balance transactions).
type Money struct {
	// Minor is the amount in minor units.
	Minor int64 `json:"minor"`
	// Currency is the ISO 4217 code, upper case ("USD"). Stripe sends it in
	// lower case; processors upper-case it.
	Currency string `json:"currency"`
}

// Address is a normalized postal address.
type Address struct {
	Line1 string `json:"line1,omitempty"`
	Line2 string `json:"line2,omitempty"`
	// Line3 and Line4 take what does not fit lines 1 and 2 (M3 has four
	// address lines of 36 characters), or a region name too long for the
	// state field.
	Line3      string `json:"line3,omitempty"`
	Line4      string `json:"line4,omitempty"`
	City       string `json:"city,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	// State is the state, county or province code as Stripe has it.
	State string `json:"state,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code, upper case ("US").
	Country string `json:"country,omitempty"`
}

// UpsertCustomer creates the ERP customer for a Stripe customer or brings
// it up to date. Topic infor.customer.commands.
type UpsertCustomer struct {
	// CommandID is "customer:<cus_id>".
	// Meta traces the command to its Stripe event and objects.
	Meta      Meta   `json:"meta"`
	CommandID string `json:"command_id"`
	// StripeCustomerID is the Stripe customer id (cus_…).
	StripeCustomerID string `json:"stripe_customer_id"`
	// ERPCustomerID is the ERP's customer number when it is already known
	// (Stripe metadata.erp_customer_id); empty otherwise.
	ERPCustomerID string `json:"erp_customer_id,omitempty"`
	Name          string `json:"name,omitempty"`
	Email         string `json:"email,omitempty"`
	Phone         string `json:"phone,omitempty"`
	// Address is the customer's billing address.
	Address Address `json:"address"`
	// Version is the created time (unix seconds) of the Stripe event the
	// command came from; an adapter does not let an older version overwrite
	// a newer one.
	Version int64 `json:"version"`
}

// CustomerRef names a customer by its Stripe id, its ERP id, or both. The
// ERP id wins when both are given. Both empty means the adapter's default
// (walk-in) customer.
type CustomerRef struct {
	StripeCustomerID string `json:"stripe_customer_id,omitempty"`
	ERPCustomerID    string `json:"erp_customer_id,omitempty"`
}

// OrderLine is one line of a sales order.
type OrderLine struct {
	// Item is the ERP item number (mapping rules turn Stripe prices or
	// products into items).
	Item     string `json:"item"`
	Quantity int64  `json:"quantity"`
	// UnitPrice is the price of one unit, in the order's currency.
	UnitPrice Money `json:"unit_price"`
	// Description is free text for the line (optional).
	Description string `json:"description,omitempty"`
}

// CreateSalesOrder creates (and confirms) the sales order for a Stripe
// charge or invoice. Topic infor.salesorder.commands.
type CreateSalesOrder struct {
	// CommandID is "order:<ch_ or in_ id>".
	// Meta traces the command to its Stripe event and objects.
	Meta      Meta   `json:"meta"`
	CommandID string `json:"command_id"`
	// StripeObjectID is the charge (ch_…) or invoice (in_…) id the order is
	// for; payments and refunds find the order by it.
	StripeObjectID string      `json:"stripe_object_id"`
	CustomerRef    CustomerRef `json:"customer_ref"`
	Lines          []OrderLine `json:"lines"`
	// Currency is the ISO 4217 code of the order; every line's unit price
	// is in it.
	Currency string `json:"currency"`
	// OrderType, PaymentTerms and PaymentMethod are ERP codes from the
	// mapping rules; empty means the customer's defaults.
	OrderType     string `json:"order_type,omitempty"`
	PaymentTerms  string `json:"payment_terms,omitempty"`
	PaymentMethod string `json:"payment_method,omitempty"`
	// OrderDate is the order date, YYYY-MM-DD (optional: today).
	OrderDate string `json:"order_date,omitempty"`
}

// OrderRef names a sales order by the Stripe object it was created from
// (CreateSalesOrder.StripeObjectID) and/or by its ERP order number.
type OrderRef struct {
	StripeObjectID string `json:"stripe_object_id,omitempty"`
	ERPOrderNumber string `json:"erp_order_number,omitempty"`
}

// ChangeOrderStatus records a change in the life of an order that Stripe
// knows about (payment failed, dunning, canceled, …). Topic
// infor.salesorder.commands.
type ChangeOrderStatus struct {
	// CommandID is "order-status:<id>:<status>".
	// Meta traces the command to its Stripe event and objects.
	Meta      Meta     `json:"meta"`
	CommandID string   `json:"command_id"`
	OrderRef  OrderRef `json:"order_ref"`
	// Status is the ERP-neutral status, e.g. "payment_failed", "dunning",
	// "canceled".
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
}

// ApplyPayment applies a Stripe payment to the order's invoice. Topic
// infor.payment.commands.
type ApplyPayment struct {
	// CommandID is "payment:<ch_id>".
	// Meta traces the command to its Stripe event and objects.
	Meta      Meta     `json:"meta"`
	CommandID string   `json:"command_id"`
	OrderRef  OrderRef `json:"order_ref"`
	// Amount is the amount paid, in the invoice's currency.
	Amount        Money  `json:"amount"`
	PaymentMethod string `json:"payment_method,omitempty"`
	// StripeChargeID is the charge (ch_… or py_…) that paid.
	StripeChargeID string `json:"stripe_charge_id"`
	// BalanceTransactionID is the charge's balance transaction (txn_…).
	BalanceTransactionID string `json:"balance_transaction_id,omitempty"`
	// PaymentDate is YYYY-MM-DD (optional: today).
	PaymentDate string `json:"payment_date,omitempty"`
}

// CreateCreditMemo credits (part of) an order's invoice for a refund.
// Topic infor.payment.commands.
type CreateCreditMemo struct {
	// CommandID is "refund:<re_id>".
	// Meta traces the command to its Stripe event and objects.
	Meta           Meta     `json:"meta"`
	CommandID      string   `json:"command_id"`
	StripeRefundID string   `json:"stripe_refund_id"`
	OrderRef       OrderRef `json:"order_ref"`
	Amount         Money    `json:"amount"`
	Reason         string   `json:"reason,omitempty"`
	// RefundDate is YYYY-MM-DD, the day Stripe made the refund: the date
	// its money left the Stripe balance, so the settlement is booked in
	// Stripe's period, not the day the sink applied it. Empty in commands
	// written before schema v2.
	RefundDate string `json:"refund_date,omitempty"`
}

// JournalLine is one line of a journal. Amount is signed: debit positive,
// credit negative.
type JournalLine struct {
	// Account is the ERP GL account (from the mapping rules).
	Account string `json:"account"`
	Amount  Money  `json:"amount"`
	Text    string `json:"text,omitempty"`
}

// PostJournal posts a balanced journal. Topic infor.journal.commands.
type PostJournal struct {
	// CommandID is "journal:<source id>:<purpose>".
	// Meta traces the command to its Stripe event and objects.
	Meta      Meta   `json:"meta"`
	CommandID string `json:"command_id"`
	// AccountingDate is YYYY-MM-DD.
	AccountingDate string `json:"accounting_date"`
	// Lines sum to zero per currency.
	Lines []JournalLine `json:"lines"`
	// Text describes the journal (optional).
	Text string `json:"text,omitempty"`
	// SourceIDs are the Stripe ids the journal comes from.
	SourceIDs []string `json:"source_ids,omitempty"`
}

// BalanceTransaction is one Stripe balance transaction of a payout.
type BalanceTransaction struct {
	// ID is the balance transaction id (txn_…).
	ID string `json:"id"`
	// Type is Stripe's type: charge, refund, adjustment, stripe_fee, …
	Type string `json:"type"`
	// Source is the id of the object behind it (ch_…, re_…, dp_…).
	Source string `json:"source,omitempty"`
	// Amount, Fee and Net are in the settlement currency; Net = Amount - Fee.
	Amount Money `json:"amount"`
	Fee    Money `json:"fee"`
	Net    Money `json:"net"`
	// ExchangeRate is Stripe's exchange_rate as a decimal string, empty when
	// no conversion happened.
	ExchangeRate string `json:"exchange_rate,omitempty"`
	// SourceAmount is the source's own amount as Infor booked it, in the
	// source's currency: a charge's captured amount, a refund's amount
	// (positive). Zero when unknown. A converted transaction (ExchangeRate
	// set) needs it: the payout's journal moves SourceAmount out of the
	// clearing account in the source's currency and Amount into it in the
	// settlement currency.
	SourceAmount Money `json:"source_amount"`
}

// PayoutAccounts are the GL accounts a payout's journal posts to, from the
// mapping rules: the processors know the mapping, the sink does not.
type PayoutAccounts struct {
	Bank     string `json:"bank"`
	Clearing string `json:"clearing"`
	Fees     string `json:"fees"`
	FX       string `json:"fx"`
}

// ReconcilePayout records a Stripe payout as a bank statement with its
// balance transactions. Topic infor.bank.commands.
type ReconcilePayout struct {
	// CommandID is "payout:<po_id>".
	// Meta traces the command to its Stripe event and objects.
	Meta           Meta   `json:"meta"`
	CommandID      string `json:"command_id"`
	StripePayoutID string `json:"stripe_payout_id"`
	// Amount is the payout amount: the sum of the transactions' Net.
	Amount Money `json:"amount"`
	// ArrivalDate is YYYY-MM-DD.
	ArrivalDate string `json:"arrival_date"`
	// Status is Stripe's payout status, "paid" or "failed". A failed payout
	// never reached the bank: the sink books nothing for it, or reverses
	// what an earlier "paid" booked.
	Status string `json:"status"`
	// Transactions are the payout's balance transactions. Processors leave
	// them empty (they make no outbound calls); the sink fetches them from
	// the Stripe API (GET /v1/balance_transactions?payout=…) before it
	// applies the command. A producer that already has them (a backfill)
	// may fill them in, and the sink then uses them as they are.
	Transactions []BalanceTransaction `json:"transactions"`
	// Accounts are where the payout's journal posts (bank Dr / clearing Cr
	// the payout, fees and conversions of its transactions). Empty in
	// commands written before schema v2: such a payout books its bank
	// statement only.
	Accounts PayoutAccounts `json:"accounts"`
}
