package scenario

import (
	"sort"
	"strings"
)

// Figures are one currency's books, in minor units of that currency
// (Stripe's API convention). Each figure is what a finance reader checks
// Stripe's side against Infor's by.
type Figures struct {
	// Charged is what customers paid: succeeded charges (Stripe), the
	// payments allocated to invoices on the Stripe bank account (Infor).
	Charged int64
	// Refunded is what was given back: refunds (Stripe), credit notes
	// (Infor).
	Refunded int64
	// Disputed is what disputes took, net of disputes won: -Σ amount of
	// the disputes' balance transactions (Stripe), the disputes account
	// (Infor).
	Disputed int64
	// Fees are Stripe's fees booked: on paid-out charges and refunds, every
	// dispute fee, other fees paid out (Stripe, as the accounting model
	// books them), the fees account (Infor).
	Fees int64
	// PaidOut is what reached the bank: paid payouts less those that
	// failed after they were paid (Stripe), the bank account (Infor).
	PaidOut int64
	// Clearing is what Stripe still holds for the merchant: the Stripe
	// clearing account.
	Clearing int64
	// Receivable is what customers still owe: open invoices.
	Receivable int64
	// FX is the realized exchange-rate account, per currency.
	FX int64
}

// figureNames are the figures in the order people read them, with their
// labels.
var figureNames = []struct {
	label string
	get   func(*Figures) int64
}{
	{"Charged", func(f *Figures) int64 { return f.Charged }},
	{"Refunded", func(f *Figures) int64 { return f.Refunded }},
	{"Disputed", func(f *Figures) int64 { return f.Disputed }},
	{"Fees", func(f *Figures) int64 { return f.Fees }},
	{"Paid out", func(f *Figures) int64 { return f.PaidOut }},
	{"Still in clearing", func(f *Figures) int64 { return f.Clearing }},
	{"Open invoices", func(f *Figures) int64 { return f.Receivable }},
	{"FX position", func(f *Figures) int64 { return f.FX }},
}

// Books are the figures of every currency of one mode (Infor keeps live
// and test mode in different tenants). Currencies are upper-case ISO
// codes.
type Books struct {
	Livemode   bool
	Currencies map[string]*Figures
}

// NewBooks returns empty books.
func NewBooks(livemode bool) Books {
	return Books{Livemode: livemode, Currencies: map[string]*Figures{}}
}

// In returns the figures of currency, creating them.
func (b Books) In(currency string) *Figures {
	c := strings.ToUpper(currency)
	f := b.Currencies[c]
	if f == nil {
		f = &Figures{}
		b.Currencies[c] = f
	}
	return f
}

// Get returns the figures of currency (zero when there are none).
func (b Books) Get(currency string) Figures {
	if f := b.Currencies[strings.ToUpper(currency)]; f != nil {
		return *f
	}
	return Figures{}
}

// currencies returns the codes of both books, sorted.
func currencies(a, b Books) []string {
	seen := map[string]bool{}
	for c := range a.Currencies {
		seen[c] = true
	}
	for c := range b.Currencies {
		seen[c] = true
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Mismatch is one figure on which Stripe and Infor disagree.
type Mismatch struct {
	Currency string
	Figure   string
	Stripe   int64
	Infor    int64
}

func (m Mismatch) String() string {
	return m.Currency + " " + m.Figure + ": Stripe " + FormatAmount(m.Stripe, m.Currency) + ", Infor " + FormatAmount(m.Infor, m.Currency) +
		" (difference " + FormatAmount(m.Infor-m.Stripe, m.Currency) + ")"
}

// Compare lists every figure, per currency, where infor differs from
// stripe (a currency missing on one side counts as zeros).
func Compare(stripe, infor Books) []Mismatch {
	var out []Mismatch
	for _, c := range currencies(stripe, infor) {
		s, i := stripe.Get(c), infor.Get(c)
		for _, f := range figureNames {
			if a, b := f.get(&s), f.get(&i); a != b {
				out = append(out, Mismatch{Currency: c, Figure: f.label, Stripe: a, Infor: b})
			}
		}
	}
	return out
}
