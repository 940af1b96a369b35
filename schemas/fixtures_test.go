package schemas

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/sr"
	"github.com/twmb/franz-go/pkg/sr/srfake"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// newRegistry starts an in-memory registry and a client for it.
func newRegistry(t testing.TB) (*srfake.Registry, *sr.Client) {
	t.Helper()
	reg := srfake.New()
	t.Cleanup(reg.Close)
	cl, err := sr.NewClient(sr.URLs(reg.URL()))
	if err != nil {
		t.Fatal(err)
	}
	return reg, cl
}

func mustRegister(t testing.TB, cl *sr.Client) *Serde {
	t.Helper()
	s, err := Register(context.Background(), cl)
	if err != nil {
		t.Fatalf("Register: %v", err)
	}
	return s
}

// at is a UTC time with millisecond precision: what timestamp-millis keeps.
func at(sec int64, ms int64) time.Time { return time.Unix(sec, ms*int64(time.Millisecond)).UTC() }

func fullMeta() command.Meta {
	return command.Meta{
		StripeEventID:    "evt_1OAbCdEfGhIjKlMn",
		StripeEventType:  "charge.succeeded",
		StripeObjectIDs:  []string{"ch_3OAbCd", "pi_3OAbCd", "cus_PqRsTu"},
		Livemode:         true,
		StripeAccount:    "acct_1Connect",
		StripeAPIVersion: "2023-10-16",
		OccurredAt:       at(1700000000, 0),
		Flags: []command.Flag{
			{Code: "payment_method_unmapped", Field: "payment_method", Detail: `"klarna" has no payment method code; used default "STR"`},
			{Code: "truncated", Field: "address.line1", Detail: "cut to 36 characters"},
		},
	}
}

func int64p(v int64) *int64 { return &v }

// fullValues has one value of every top-level record with every field set
// (non-zero, non-empty), including money in currencies of every exponent.
func fullValues() []any {
	meta := fullMeta()
	next := at(1700086400, 123)
	return []any{
		command.UpsertCustomer{
			Meta: meta, CommandID: "customer:cus_PqRsTu", StripeCustomerID: "cus_PqRsTu",
			ERPCustomerID: "S12345", Name: "Jenny Rosen", Email: "jenny@example.com", Phone: "+1 555 0100",
			Address: command.Address{Line1: "1 Main St", Line2: "Apt 2", Line3: "Building C", Line4: "Attn: Accounts", City: "Springfield", PostalCode: "12345", State: "IL", Country: "US"},
			Version: 1700000000,
		},
		command.CreateSalesOrder{
			Meta: meta, CommandID: "order:ch_3OAbCd", StripeObjectID: "ch_3OAbCd",
			CustomerRef: command.CustomerRef{StripeCustomerID: "cus_PqRsTu", ERPCustomerID: "S12345"},
			Lines: []command.OrderLine{
				{Item: "WIDGET", Quantity: 2, UnitPrice: command.Money{Minor: 1050, Currency: "USD"}, Description: "Widget, blue"},
				{Item: "SHIP", Quantity: 1, UnitPrice: command.Money{Minor: -500, Currency: "USD"}, Description: "Shipping credit"},
			},
			Currency: "USD", OrderType: "WEB", PaymentTerms: "PRE", PaymentMethod: "CRD", OrderDate: "2023-11-14",
		},
		command.ChangeOrderStatus{
			Meta: meta, CommandID: "order-status:ch_3OAbCd:payment_failed",
			OrderRef: command.OrderRef{StripeObjectID: "ch_3OAbCd", ERPOrderNumber: "1000123"},
			Status:   "payment_failed", Reason: "Your card was declined.",
		},
		command.ApplyPayment{
			Meta: meta, CommandID: "payment:ch_3OAbCd",
			OrderRef: command.OrderRef{StripeObjectID: "ch_3OAbCd", ERPOrderNumber: "1000123"},
			Amount:   command.Money{Minor: 1234, Currency: "KWD"}, PaymentMethod: "CRD",
			StripeChargeID: "ch_3OAbCd", BalanceTransactionID: "txn_3OAbCd", PaymentDate: "2023-11-14",
		},
		command.CreateCreditMemo{
			Meta: meta, CommandID: "refund:re_3OAbCd", StripeRefundID: "re_3OAbCd",
			OrderRef: command.OrderRef{StripeObjectID: "ch_3OAbCd", ERPOrderNumber: "1000123"},
			Amount:   command.Money{Minor: 500000, Currency: "ISK"}, Reason: "requested_by_customer", RefundDate: "2023-11-15",
		},
		command.PostJournal{
			Meta: meta, CommandID: "journal:ch_3OAbCd:fee", AccountingDate: "2023-11-14",
			Lines: []command.JournalLine{
				{Account: "6570", Amount: command.Money{Minor: 66, Currency: "JPY"}, Text: "Stripe fee"},
				{Account: "1930", Amount: command.Money{Minor: -66, Currency: "JPY"}, Text: "Stripe clearing"},
			},
			Text: "Stripe fee ch_3OAbCd", SourceIDs: []string{"ch_3OAbCd", "txn_3OAbCd"},
		},
		command.ReconcilePayout{
			Meta: meta, CommandID: "payout:po_1OAbCd", StripePayoutID: "po_1OAbCd",
			Amount: command.Money{Minor: 9671, Currency: "EUR"}, ArrivalDate: "2023-11-16", Status: "paid",
			Transactions: []command.BalanceTransaction{{
				ID: "txn_3OAbCd", Type: "charge", Source: "ch_3OAbCd",
				Amount: command.Money{Minor: 10000, Currency: "EUR"}, Fee: command.Money{Minor: 329, Currency: "EUR"},
				Net: command.Money{Minor: 9671, Currency: "EUR"}, ExchangeRate: "0.91734",
				SourceAmount: command.Money{Minor: 10901, Currency: "USD"},
			}},
			Accounts: command.PayoutAccounts{Bank: "1930", Clearing: "1580", Fees: "6570", FX: "7960"},
		},
		EnrichedEvent{
			EventID: "evt_1OAbCdEfGhIjKlMn", EventType: "charge.refunded", APIVersion: "2023-10-16", Livemode: true,
			Account: "acct_1Connect", Created: at(1700000000, 0), ReceivedAt: at(1700000001, 250),
			ObjectType: "charge", ObjectID: "ch_3OAbCd", CustomerID: "cus_PqRsTu",
			Amount: int64p(2000), AmountRefunded: int64p(-1), Currency: "USD", CurrencyExponent: 2, AmountDecimal: "20.00",
			Status: "succeeded", Description: "Order #42", PaymentMethodType: "card", PaymentMethodCode: "CRD", CardBrand: "visa",
			ChargeID: "ch_3OAbCd", PaymentIntentID: "pi_3OAbCd", InvoiceID: "in_1OAbCd", SubscriptionID: "sub_1OAbCd",
			FailureCode: "card_declined", FailureMessage: "Your card was declined.",
			Metadata: map[string]string{"order_id": "42", "erp_customer_id": "S12345"},
			Outcome:  "mapped", CommandIDs: []string{"refund:re_3OAbCd", "journal:re_3OAbCd:refund"}, GLRule: "refunds",
			Flags: meta.Flags, AmountExponent: int32p(2),
		},
		CustomerNotification{
			NotificationID: "notification:in_1OAbCd:invoice_payment_failed", Kind: "invoice_payment_failed",
			StripeCustomerID: "cus_PqRsTu", ERPCustomerID: "S12345", Email: "jenny@example.com", Name: "Jenny Rosen",
			Amount: command.Money{Minor: 4200, Currency: "GBP"}, Reason: "insufficient_funds", NextAttemptAt: &next,
			Meta: meta,
		},
	}
}

// zeroValues has the zero value of every top-level record.
func zeroValues() []any {
	return []any{
		command.UpsertCustomer{}, command.CreateSalesOrder{}, command.ChangeOrderStatus{},
		command.ApplyPayment{}, command.CreateCreditMemo{}, command.PostJournal{},
		command.ReconcilePayout{}, EnrichedEvent{}, CustomerNotification{},
	}
}

func int32p(v int32) *int32 { return &v }
