package m3

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// PayoutResult is what ReconcilePayout did.
type PayoutResult struct {
	StatementNumber string // STNB (for a failed payout: of the reversal)
	Lines           int    // statement lines (balance transactions with a non-zero net)
	Created         bool   // this call added a statement or lines (false: it was complete)
	// Failed is set when the payout failed: for a failed command the
	// statement is the reversal (REFE PayoutReversalReference); for a paid
	// command it means the reversal was there first and nothing was booked.
	Failed bool
	// ReversedStatement is the STNB of the paid statement a reversal undoes,
	// "" when nothing had been booked for the payout.
	ReversedStatement string
}

// ReconcilePayout records a payout as a bank statement on the payout bank
// account (Config.PayoutBank, REFE = PayoutReference): one line per balance
// transaction with a non-zero net, ACAM its net, REFE its txn_ id, TX40 its
// type and source. The nets must sum to the payout amount, in its currency.
// This statement is what the bank reconciliation matches; the GL side is
// two journals posted after it: the settlement of its transactions
// (Stripe's fees, conversions: settlementJournal) and the transfer (bank Dr
// / Stripe clearing Cr: transferJournal).
//
// Status "paid" (or empty) books as above; "failed" or "canceled" reverses
// what was booked (see reversePayout) and ignores Transactions. A paid
// command that finds the payout's reversal already there books nothing
// (Failed is set): the payout failed, whatever order the two commands came
// in. Any other status is an invalid command: a payout is booked once it
// is final.
func (a *Adapter) ReconcilePayout(ctx context.Context, cmd command.ReconcilePayout) (PayoutResult, error) {
	po := cmd.StripePayoutID
	if po == "" {
		po = strings.TrimSuffix(strings.TrimPrefix(cmd.CommandID, "payout:"), ":failed")
	}
	id := cmd.CommandID
	if id == "" {
		id = "payout:" + po
	}
	if po == "" {
		return PayoutResult{}, invalidf("%s: no payout id", id)
	}
	switch strings.ToLower(cmd.Status) {
	case "", "paid":
	case "failed", "canceled":
		return a.reversePayout(ctx, id, po, cmd)
	default:
		return PayoutResult{}, invalidf("%s: payout status %q: only paid, failed and canceled payouts are booked", id, cmd.Status)
	}
	if rev, err := a.statementHead(ctx, id, a.cfg.PayoutBank, PayoutReversalReference(po)); err != nil || rev != nil {
		if err != nil {
			return PayoutResult{}, err
		}
		return PayoutResult{StatementNumber: rev["STNB"], Failed: true}, nil
	}
	cucd := strings.ToUpper(cmd.Amount.Currency)
	var lines []command.BalanceTransaction
	var sum int64
	for _, bt := range cmd.Transactions {
		if !strings.EqualFold(bt.Net.Currency, cucd) {
			return PayoutResult{}, invalidf("%s: balance transaction %s is in %s, the payout in %s", id, bt.ID, bt.Net.Currency, cucd)
		}
		sum += bt.Net.Minor
		if bt.Net.Minor != 0 {
			lines = append(lines, bt)
		}
	}
	if sum != cmd.Amount.Minor {
		return PayoutResult{}, invalidf("%s: balance transactions net %s, the payout is %s",
			id, command.Money{Minor: sum, Currency: cucd}, command.Money{Minor: cmd.Amount.Minor, Currency: cucd})
	}
	if len(lines) == 0 {
		return PayoutResult{}, invalidf("%s: payout has no balance transactions with a non-zero net", id)
	}
	acc, withJournals, err := payoutAccounts(cmd)
	if err != nil {
		return PayoutResult{}, err
	}
	var settlement command.PostJournal
	if withJournals {
		if settlement, err = settlementJournal(po, cmd, acc, cmd.ArrivalDate); err != nil {
			return PayoutResult{}, err
		}
	}
	stdt, err := m3Date(cmd.ArrivalDate)
	if err != nil {
		return PayoutResult{}, fmt.Errorf("%s: %w", id, err)
	}
	if stdt == "" {
		stdt = a.today()
	}
	refe := PayoutReference(po)

	stnb, have, err := a.findStatement(ctx, id, a.cfg.PayoutBank, refe)
	if err != nil {
		return PayoutResult{}, err
	}
	if len(have) > len(lines) {
		return PayoutResult{}, fmt.Errorf("m3: %s: bank statement %s has %d lines, the payout %d", id, stnb, len(have), len(lines))
	}
	for i, l := range have {
		if want := lines[i]; l["REFE"] != btRef(want.ID) {
			return PayoutResult{}, fmt.Errorf("m3: %s: bank statement %s line %s is %q, the payout's %q", id, stnb, l["LINO"], l["REFE"], btRef(want.ID))
		}
	}
	if stnb == "" {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtHead", map[string]string{
			"BKID": a.cfg.PayoutBank, "STDT": stdt, "CUCD": cucd, "REFE": refe, "TX40": cut("Stripe payout "+po, 40),
		})
		if err != nil {
			return PayoutResult{}, fmt.Errorf("m3: %s: add bank statement: %w", id, err)
		}
		stnb = rec["STNB"]
	}
	res := PayoutResult{StatementNumber: stnb, Lines: len(lines)}
	for i := len(have); i < len(lines); i++ {
		bt := lines[i]
		if _, err := a.exec(ctx, "ABS100MI", "AddStatmtLine", map[string]string{
			"STNB": stnb, "ACAM": command.Decimal(command.Money{Minor: bt.Net.Minor, Currency: cucd}), "VLDT": stdt,
			"REFE": btRef(bt.ID), "TX40": cut(strings.TrimSpace(bt.Type+" "+bt.Source), 40),
		}); err != nil {
			return PayoutResult{}, fmt.Errorf("m3: %s: add line %d (%s) to bank statement %s: %w", id, i+1, bt.ID, stnb, err)
		}
		res.Created = true
	}
	// The journals come after the statement: a failed command that finds
	// the transfer posted reverses it, and one that does not find it leaves
	// nothing to reverse (a paid command applied after the failure books
	// nothing, see above).
	if withJournals {
		if err := a.postPayoutJournal(ctx, id, settlement); err != nil {
			return PayoutResult{}, err
		}
		if err := a.postPayoutJournal(ctx, id, transferJournal(po, cmd, acc, cmd.ArrivalDate)); err != nil {
			return PayoutResult{}, err
		}
	}
	// The failed command may have run while this one was writing (one from
	// a retry topic and one from the main topic can run at once): it wrote
	// its reversal after this command looked for it, and may have read a
	// statement not complete yet or found no transfer to reverse. Each side
	// writes, then looks for the other's writing, so at least one of them
	// sees both; here, finish the reversal (idempotent: lines are resumed,
	// the reversal journal is posted once).
	rev, err := a.statementHead(ctx, id, a.cfg.PayoutBank, PayoutReversalReference(po))
	if err != nil {
		return PayoutResult{}, err
	}
	if rev != nil {
		failed := cmd
		failed.Status = "failed"
		failed.Transactions = nil // the settlement is posted above
		if _, err := a.reversePayout(ctx, id, po, failed); err != nil {
			return PayoutResult{}, fmt.Errorf("%s: finishing the reversal of a payout that failed meanwhile: %w", id, err)
		}
		res.Failed = true
	}
	return res, nil
}

// btRef is the REFE of a balance transaction's statement line: its id when
// it fits (txn_ ids do), else a reference derived from it.
func btRef(txn string) string {
	if v := fits(txn, lenREFE); v != "" {
		return v
	}
	return Reference('T', "txn:"+txn, lenREFE)
}
