package m3

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// payoutJournalID and payoutReversalJournalID are the command ids (and so
// the GL batch references) of a payout's journal and of its reversal.
func payoutJournalID(po string) string         { return "journal:" + po + ":payout" }
func payoutReversalJournalID(po string) string { return "journal:" + po + ":payout-failed" }

// payoutJournal is the GL side of a paid payout: what M3 cannot post by
// itself because only Stripe knows it. Per balance transaction:
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
//     fees −Net / clearing +Net;
//
// then bank Dr / clearing Cr the payout amount. A command without
// accounts (written before schema v2) gets no journal: the statement only. The lines sum to zero per
// currency by construction; zero lines are left out and lines on the same
// account and currency are summed, so the batch stays short.
func payoutJournal(po string, cmd command.ReconcilePayout, date string) (command.PostJournal, error) {
	acc := cmd.Accounts
	if acc == (command.PayoutAccounts{}) {
		return command.PostJournal{}, nil // a command from before schema v2: the statement only
	}
	if acc.Bank == "" || acc.Clearing == "" || acc.Fees == "" || acc.FX == "" {
		return command.PostJournal{}, invalidf("%s: the payout's GL accounts are incomplete (bank %q, clearing %q, fees %q, fx %q)",
			cmd.CommandID, acc.Bank, acc.Clearing, acc.Fees, acc.FX)
	}
	s := strings.ToUpper(cmd.Amount.Currency)
	var j ledger
	text := "Stripe payout " + po
	for _, bt := range cmd.Transactions {
		switch {
		case bt.Type == "charge" || bt.Type == "payment" || bt.Type == "refund" || bt.Type == "payment_refund":
			j.add(acc.Fees, s, bt.Fee.Minor)
			j.add(acc.Clearing, s, -bt.Fee.Minor)
			if bt.ExchangeRate == "" {
				continue
			}
			src := bt.SourceAmount
			if src.Currency == "" || src.Minor == 0 {
				return command.PostJournal{}, invalidf("%s: balance transaction %s was converted (exchange rate %s) but its source's own amount is unknown",
					cmd.CommandID, bt.ID, bt.ExchangeRate)
			}
			p := strings.ToUpper(src.Currency)
			booked := src.Minor
			if bt.Amount.Minor < 0 { // a refund: booked as a credit to clearing
				booked = -booked
			}
			j.add(acc.Clearing, p, -booked)
			j.add(acc.FX, p, booked)
			j.add(acc.Clearing, s, bt.Amount.Minor)
			j.add(acc.FX, s, -bt.Amount.Minor)
		case isDisputeSource(bt.Source) || bt.Type == "payout_failure":
		default:
			j.add(acc.Fees, s, -bt.Net.Minor)
			j.add(acc.Clearing, s, bt.Net.Minor)
		}
	}
	j.add(acc.Bank, s, cmd.Amount.Minor)
	j.add(acc.Clearing, s, -cmd.Amount.Minor)
	return command.PostJournal{
		Meta: cmd.Meta, CommandID: payoutJournalID(po), AccountingDate: date, Text: text,
		Lines: j.lines(text), SourceIDs: []string{po},
	}, nil
}

// payoutReversalJournal undoes the bank side of a payout that failed after
// it was booked paid: the money is back in the Stripe balance (clearing Dr
// / bank Cr). Its transactions' fees and conversions stand: Stripe settled
// them.
func payoutReversalJournal(po string, cmd command.ReconcilePayout, amount command.Money, date string) (command.PostJournal, error) {
	acc := cmd.Accounts
	if acc == (command.PayoutAccounts{}) {
		return command.PostJournal{}, nil
	}
	if acc.Bank == "" || acc.Clearing == "" {
		return command.PostJournal{}, invalidf("%s: the command names no GL accounts for the payout's reversal (bank, clearing)", cmd.CommandID)
	}
	text := "Stripe payout " + po + " failed"
	var j ledger
	j.add(acc.Clearing, amount.Currency, amount.Minor)
	j.add(acc.Bank, amount.Currency, -amount.Minor)
	return command.PostJournal{
		Meta: cmd.Meta, CommandID: payoutReversalJournalID(po), AccountingDate: date, Text: text,
		Lines: j.lines(text), SourceIDs: []string{po},
	}, nil
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
	batches, err := a.exec(ctx, "GLS840MI", "LstBatch", map[string]string{"REFE": JournalReference(id)})
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
