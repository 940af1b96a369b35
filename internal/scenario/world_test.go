package scenario

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// everything is a world with every action of the builder.
func everything(seed int64) *World {
	b := New(seed)
	us, eu, jp := b.Customer(true, "usd"), b.Customer(true, "eur"), b.Customer(true, "jpy")
	kw, is := b.Customer(true, "kwd"), b.Customer(true, "isk")
	c1 := b.Charge(us, 10000, "usd")
	b.Charge(eu, 5000, "eur", SettledIn("usd", "1.1"))
	c3 := b.Charge(jp, 5000, "jpy", SettledIn("usd", "0.0067"))
	c4 := b.Charge(kw, 123450, "kwd")
	c5 := b.Charge(is, 500000, "isk")
	c6 := b.Charge(us, 7500, "usd")
	b.FailedCharge(us, 999, "usd")
	b.Refund(c1, 2500)
	b.Refund(c1, 0)
	b.Refund(c3, 1000)
	b.Refund(c5, 100000)
	b.Dispute(c6, false)
	b.Dispute(c4, true)
	b.Subscription(us, 9000, "usd", 3)
	b.FailedInvoice(eu, 2900, "eur", 3)
	b.StripeFee(true, "usd", 500, "Billing usage fee")
	tc := b.Customer(false, "gbp")
	b.Refund(b.Charge(tc, 4200, "gbp"), 200)
	b.Advance(5 * 24 * time.Hour)
	for _, cur := range []string{"usd", "kwd", "isk"} {
		if b.Payout(true, cur) == nil {
			panic("no payout in " + cur)
		}
	}
	b.FailPayout(b.World().Payouts[0])
	b.Payout(false, "gbp")
	b.Charge(us, 2000, "usd") // after the payouts: still at Stripe
	return b.World()
}

func TestSameSeedSameWorld(t *testing.T) {
	a, b, c := everything(11), everything(11), everything(12)
	if len(a.Events) != len(b.Events) || len(a.Ledger) != len(b.Ledger) {
		t.Fatalf("two builds of seed 11 differ in size")
	}
	for i := range a.Events {
		if !bytes.Equal(a.Events[i].Body, b.Events[i].Body) {
			t.Fatalf("event %d differs between two builds of one seed", i)
		}
	}
	if a.Events[0].ID == c.Events[0].ID || a.Charges[0].ID == c.Charges[0].ID {
		t.Fatal("seeds 11 and 12 gave the same ids")
	}
	d1, d2 := Day(5, 40, true), Day(5, 40, true)
	if len(d1.Events) != len(d2.Events) || !bytes.Equal(d1.Events[len(d1.Events)-1].Body, d2.Events[len(d2.Events)-1].Body) {
		t.Fatal("Day is not deterministic")
	}
	seen := map[string]bool{}
	for _, e := range d1.Events {
		if seen[e.ID] {
			t.Fatalf("event id %s twice", e.ID)
		}
		seen[e.ID] = true
	}
}

// outputs transforms every event with the built-in mapping and indexes the
// commands by id (a command id made twice, by two events, must be equal
// in what it books).
type outputs struct {
	cmds  map[string][]command.Command
	notes map[string]schemas.CustomerNotification
}

func transformAll(t *testing.T, w *World) outputs {
	t.Helper()
	tr := transform.New(mapping.Default())
	out := outputs{cmds: map[string][]command.Command{}, notes: map[string]schemas.CustomerNotification{}}
	for _, e := range w.Events {
		res, err := tr.Transform(e.Body, time.Unix(e.Created, 0))
		if err != nil {
			t.Fatalf("%s %s does not transform: %v", e.Type, e.ID, err)
		}
		if res.EventID != e.ID || res.EventType != e.Type || res.Livemode != e.Livemode {
			t.Fatalf("event %s/%s read as %s/%s", e.ID, e.Type, res.EventID, res.EventType)
		}
		for _, o := range res.Outputs {
			switch v := o.Value.(type) {
			case command.Command:
				if v.Metadata().Livemode != e.Livemode {
					t.Fatalf("%s: livemode %v on an event of livemode %v", v.ID(), v.Metadata().Livemode, e.Livemode)
				}
				out.cmds[v.ID()] = append(out.cmds[v.ID()], v)
			case schemas.CustomerNotification:
				out.notes[v.NotificationID] = v
			}
		}
	}
	return out
}

func one[T command.Command](t *testing.T, o outputs, id string) T {
	t.Helper()
	cs := o.cmds[id]
	if len(cs) == 0 {
		t.Fatalf("no command %s", id)
	}
	c, ok := cs[0].(T)
	if !ok {
		t.Fatalf("%s is a %T", id, cs[0])
	}
	return c
}

func money(minor int64, cur string) command.Money {
	return command.Money{Minor: minor, Currency: strings.ToUpper(cur)}
}

// The events are in the shapes the processors read: every fact of the
// world makes the commands that book it, with the world's amounts, ids
// and currencies.
func TestEventsMakeTheCommandsThatBookThem(t *testing.T) {
	w := everything(3)
	o := transformAll(t, w)
	for _, ch := range w.Charges {
		if !ch.Succeeded {
			if len(o.cmds["payment:"+ch.ID]) != 0 || len(o.cmds["order:"+ch.ID]) != 0 {
				t.Fatalf("failed charge %s made an order or a payment", ch.ID)
			}
			if _, ok := o.notes["notification:"+ch.ID+":payment_failed"]; !ok {
				t.Fatalf("failed charge %s: no notification", ch.ID)
			}
			continue
		}
		p := one[command.ApplyPayment](t, o, "payment:"+ch.ID)
		want := ch.ID
		if ch.Invoice != "" {
			want = ch.Invoice
		}
		if p.Amount != money(ch.Amount, ch.Currency) || p.OrderRef.StripeObjectID != want || p.BalanceTransactionID != ch.Txn {
			t.Fatalf("payment of %s: %+v", ch.ID, p)
		}
		if ch.Invoice == "" {
			so := one[command.CreateSalesOrder](t, o, "order:"+ch.ID)
			if len(so.Lines) != 1 || so.Lines[0].UnitPrice != money(ch.Amount, ch.Currency) || so.CustomerRef.StripeCustomerID != ch.Customer {
				t.Fatalf("order of %s: %+v", ch.ID, so)
			}
		}
	}
	for _, re := range w.Refunds {
		m := one[command.CreateCreditMemo](t, o, "refund:"+re.ID)
		if m.Amount != money(re.Amount, re.Currency) || m.OrderRef.StripeObjectID != re.Charge {
			t.Fatalf("credit memo of %s: %+v", re.ID, m)
		}
	}
	for _, d := range w.Disputes {
		for _, txn := range d.Txns {
			j := one[command.PostJournal](t, o, "journal:"+txn+":dispute")
			bt := w.Txn(txn)
			var sum, disputes int64
			for _, l := range j.Lines {
				sum += l.Amount.Minor
				if l.Account == "6580" {
					disputes += l.Amount.Minor
				}
			}
			if sum != 0 || disputes != -bt.Amount {
				t.Fatalf("dispute journal of %s: %+v", txn, j.Lines)
			}
		}
	}
	for _, in := range w.Invoices {
		so := one[command.CreateSalesOrder](t, o, "order:"+in.ID)
		if len(so.Lines) != 1 || so.Lines[0].UnitPrice != money(in.Amount, in.Currency) || so.OrderType != "SUB" {
			t.Fatalf("order of invoice %s: %+v", in.ID, so)
		}
		if !in.Paid {
			if s := one[command.ChangeOrderStatus](t, o, "order-status:"+in.ID+":dunning"); s.Status != "dunning" {
				t.Fatalf("dunning of %s: %+v", in.ID, s)
			}
			if _, ok := o.notes["notification:"+in.ID+":invoice_payment_failed"]; !ok {
				t.Fatalf("failed invoice %s: no notification", in.ID)
			}
			continue
		}
		def := one[command.PostJournal](t, o, "journal:"+in.ID+":deferral")
		var recognised int64
		for id, cs := range o.cmds {
			if strings.HasPrefix(id, "journal:"+in.ID+":recognition:") {
				for _, l := range cs[0].(command.PostJournal).Lines {
					if l.Account == "2450" {
						recognised += l.Amount.Minor
					}
				}
			}
		}
		if recognised != in.Amount || def.Lines[1].Amount != money(-in.Amount, in.Currency) {
			t.Fatalf("invoice %s: deferred %+v, recognised %d", in.ID, def.Lines, recognised)
		}
	}
	for _, p := range w.Payouts {
		r := one[command.ReconcilePayout](t, o, "payout:"+p.ID)
		if r.Amount != money(p.Amount, p.Currency) || r.Status != "paid" {
			t.Fatalf("payout %s: %+v", p.ID, r)
		}
		if p.Failed {
			if f := one[command.ReconcilePayout](t, o, "payout:"+p.ID+":failed"); f.Status != "failed" {
				t.Fatalf("failed payout %s: %+v", p.ID, f)
			}
		}
	}
}

// The ledger is Stripe's: nets are amount - fee, a payout pays out exactly
// what was available when it was created and not paid out before, the
// oldest first, and its amount is their nets' sum.
func TestLedgerIsConsistent(t *testing.T) {
	w := everything(4)
	byPayout := map[string][]string{}
	for _, bt := range w.Ledger {
		if bt.Net != bt.Amount-bt.Fee {
			t.Fatalf("%s: net %d, amount %d, fee %d", bt.ID, bt.Net, bt.Amount, bt.Fee)
		}
		if bt.Payout != "" && bt.Type != "payout" {
			byPayout[bt.Payout] = append(byPayout[bt.Payout], bt.ID)
		}
		if bt.Currency == "isk" && (bt.Amount%100 != 0 || bt.Fee%100 != 0) {
			t.Fatalf("%s: ISK with öre: %+v", bt.ID, bt)
		}
	}
	for _, p := range w.Payouts {
		var sum int64
		for _, id := range p.Txns {
			bt := w.Txn(id)
			if bt.AvailableOn > p.Created || bt.Currency != p.Currency || bt.Livemode != p.Livemode || bt.Payout != p.ID {
				t.Fatalf("payout %s paid out %+v", p.ID, bt)
			}
			sum += bt.Net
		}
		if sum != p.Amount || sum <= 0 || len(byPayout[p.ID]) != len(p.Txns) {
			t.Fatalf("payout %s: amount %d, nets %d, %d txns (ledger says %d)", p.ID, p.Amount, sum, len(p.Txns), len(byPayout[p.ID]))
		}
		own := w.Txn(p.Txn)
		if own.Type != "payout" || own.Net != -p.Amount || own.Payout != p.ID {
			t.Fatalf("payout %s's own transaction %+v", p.ID, own)
		}
		// Nothing of its currency that was available then stayed behind.
		for _, bt := range w.Ledger {
			if bt.Currency == p.Currency && bt.Livemode == p.Livemode && bt.Type != "payout" && bt.AvailableOn <= p.Created && bt.Created <= p.Created && bt.Payout == "" {
				t.Fatalf("payout %s left %s behind", p.ID, bt.ID)
			}
		}
	}
	for _, ch := range w.Charges {
		if !ch.Succeeded {
			continue
		}
		bt := w.Txn(ch.Txn)
		want := ch.Amount
		if ch.ExchangeRate != "" {
			var err error
			if want, err = Convert(ch.Amount, ch.Currency, ch.SettlementCurrency, ch.ExchangeRate); err != nil {
				t.Fatal(err)
			}
			if bt.Currency == ch.Currency || bt.ExchangeRate != ch.ExchangeRate {
				t.Fatalf("converted charge %s: %+v", ch.ID, bt)
			}
		}
		if bt.Amount != want || bt.Fee != Fee(want, bt.Currency) || bt.SourceObject["amount_captured"] != ch.Amount {
			t.Fatalf("charge %s: %+v", ch.ID, bt)
		}
	}
}
