package m3

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// The command ids (and so the GL batch references) of a payout's
// journals: its settlement (what Stripe's ledger says about the money it
// pays out: fees, conversions), its transfer to the bank, and the
// transfer's reversal when the payout fails.
func payoutSettlementJournalID(po string) string { return "journal:" + po + ":settlement" }
func payoutJournalID(po string) string           { return "journal:" + po + ":payout" }
func payoutReversalJournalID(po string) string   { return "journal:" + po + ":payout-failed" }

// payoutAccounts checks the command's accounts; ok is false for a command
// written before schema v2 (no accounts: the statement only).
func payoutAccounts(cmd command.ReconcilePayout) (acc command.PayoutAccounts, ok bool, err error) {
	acc = cmd.Accounts
	if acc == (command.PayoutAccounts{}) {
		return acc, false, nil
	}
	if acc.Bank == "" || acc.Clearing == "" || acc.Fees == "" || acc.FX == "" {
		return acc, false, invalidf("%s: the payout's GL accounts are incomplete (bank %q, clearing %q, fees %q, fx %q)",
			cmd.CommandID, acc.Bank, acc.Clearing, acc.Fees, acc.FX)
	}
	return acc, true, nil
}

// settlementJournal is the GL side of the balance transactions a payout
// settles: what M3 cannot post by itself because only Stripe knows it. Per
// transaction:
//
//   - a charge or refund: its Stripe fee (fees Dr / clearing Cr); and when
//     it was converted (ExchangeRate set, the source in another currency),
//     the clearing moves from the source currency to the settlement
//     currency through the FX account: clearing(P) −SourceAmount,
//     FX(P) +SourceAmount, clearing(S) +Amount, FX(S) −Amount (refund signs
//     mirrored), so each currency balances and the FX account holds the
//     position of the conversion;
//   - a dispute's transactions and payout_failure: nothing (the dispute's
//     journal booked them; a failed payout's money came back by the
//     reversal journal);
//   - anything else Stripe took or gave (stripe_fee, tax, adjustment, …):
//     fees −Net / clearing +Net.
//
// It depends on the transactions only, so the paid and the failed command
// of one payout make the same journal, and whichever comes first posts it
// (a payout that failed before it was paid settled its transactions all
// the same: their fees are final). Lines on the same account and currency
// are summed and zero lines left out; an empty journal is not posted.
func settlementJournal(po string, cmd command.ReconcilePayout, acc command.PayoutAccounts, date string) (command.PostJournal, error) {
	s := strings.ToUpper(cmd.Amount.Currency)
	var j ledger
	text := "Stripe payout " + po + " fees and conversions"
	for _, bt := range cmd.Transactions {
		cur := strings.ToUpper(firstNonEmpty(bt.Amount.Currency, s))
		switch {
		case bt.Type == "charge" || bt.Type == "payment" || bt.Type == "refund" || bt.Type == "payment_refund":
			j.add(acc.Fees, cur, bt.Fee.Minor)
			j.add(acc.Clearing, cur, -bt.Fee.Minor)
			if bt.ExchangeRate == "" {
				continue
			}
			src := bt.SourceAmount
			if src.Currency == "" || src.Minor == 0 {
				return command.PostJournal{}, invalidf("%s: balance transaction %s was converted (exchange rate %s) but its source's own amount is unknown",
					cmd.CommandID, bt.ID, bt.ExchangeRate)
			}
			booked := src.Minor
			if bt.Amount.Minor < 0 { // a refund: booked as a credit to clearing
				booked = -booked
			}
			j.add(acc.Clearing, src.Currency, -booked)
			j.add(acc.FX, src.Currency, booked)
			j.add(acc.Clearing, cur, bt.Amount.Minor)
			j.add(acc.FX, cur, -bt.Amount.Minor)
		case isDisputeSource(bt.Source) || bt.Type == "payout_failure":
		default:
			j.add(acc.Fees, cur, -bt.Net.Minor)
			j.add(acc.Clearing, cur, bt.Net.Minor)
		}
	}
	return command.PostJournal{
		Meta: cmd.Meta, CommandID: payoutSettlementJournalID(po), AccountingDate: date, Text: text,
		Lines: j.lines(text), SourceIDs: []string{po},
	}, nil
}

// transferJournal is the payout reaching the bank: bank Dr / clearing Cr
// the payout amount.
func transferJournal(po string, cmd command.ReconcilePayout, acc command.PayoutAccounts, date string) command.PostJournal {
	text := "Stripe payout " + po
	var j ledger
	j.add(acc.Bank, cmd.Amount.Currency, cmd.Amount.Minor)
	j.add(acc.Clearing, cmd.Amount.Currency, -cmd.Amount.Minor)
	return command.PostJournal{
		Meta: cmd.Meta, CommandID: payoutJournalID(po), AccountingDate: date, Text: text,
		Lines: j.lines(text), SourceIDs: []string{po},
	}
}

// payoutReversalJournal undoes the bank side of a payout that failed after
// it was booked paid: the money is back in the Stripe balance (clearing Dr
// / bank Cr). Its transactions' fees and conversions stand: Stripe settled
// them.
func payoutReversalJournal(po string, cmd command.ReconcilePayout, acc command.PayoutAccounts, amount command.Money, date string) command.PostJournal {
	text := "Stripe payout " + po + " failed"
	var j ledger
	j.add(acc.Clearing, amount.Currency, amount.Minor)
	j.add(acc.Bank, amount.Currency, -amount.Minor)
	return command.PostJournal{
		Meta: cmd.Meta, CommandID: payoutReversalJournalID(po), AccountingDate: date, Text: text,
		Lines: j.lines(text), SourceIDs: []string{po},
	}
}

// isDisputeSource: a dispute's balance transactions have the dispute as
// source (du_ since 2019, dp_ before).
func isDisputeSource(id string) bool {
	return strings.HasPrefix(id, "du_") || strings.HasPrefix(id, "dp_")
}

// ledger sums journal amounts per account and currency, keeping the order
// in which each pair first appeared.
type ledger struct {
	keys []ledgerKey
	sums map[ledgerKey]int64
}

type ledgerKey struct{ account, currency string }

func (l *ledger) add(account, currency string, minor int64) {
	k := ledgerKey{account, strings.ToUpper(currency)}
	if l.sums == nil {
		l.sums = map[ledgerKey]int64{}
	}
	if _, ok := l.sums[k]; !ok {
		l.keys = append(l.keys, k)
	}
	l.sums[k] += minor
}

func (l *ledger) lines(text string) []command.JournalLine {
	var out []command.JournalLine
	for _, k := range l.keys {
		if v := l.sums[k]; v != 0 {
			out = append(out, command.JournalLine{Account: k.account, Amount: command.Money{Minor: v, Currency: k.currency}, Text: text})
		}
	}
	return out
}

// postPayoutJournal posts j unless it is empty, wrapping errors with the
// payout command's id.
func (a *Adapter) postPayoutJournal(ctx context.Context, id string, j command.PostJournal) error {
	if len(j.Lines) == 0 {
		return nil
	}
	if _, err := a.PostJournal(ctx, j); err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	return nil
}

// journalPosted reports whether the journal of command id is posted in M3.
func (a *Adapter) journalPosted(ctx context.Context, id string) (bool, error) {
	batches, err := a.read(ctx, "GLS840MI", "LstBatch", map[string]string{"REFE": JournalReference(id)}, "BCHN", "STAT")
	if err != nil {
		return false, fmt.Errorf("m3: look up GL batch of %s: %w", id, err)
	}
	for _, b := range batches {
		if b["STAT"] == "posted" {
			return true, nil
		}
	}
	return false, nil
}
