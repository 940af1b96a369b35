package m3

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// PayoutReversalReference is the REFE of the reversal statement of a failed
// payout: the key is "payout:<po_id>:failed", the failed command's id.
func PayoutReversalReference(stripePayoutID string) string {
	return Reference('F', "payout:"+stripePayoutID+":failed", lenREFE)
}

// reversePayout books a failed (or canceled) payout: the money never stayed
// in the bank, so whatever the paid command booked is undone by a second
// statement on the payout bank account (REFE PayoutReversalReference), one
// line per line of the paid statement with the amount negated and the same
// line reference, dated the day the failure was reported. The lines are
// taken from M3, not from Stripe, so the reversal undoes exactly what was
// booked, even when the paid statement was left incomplete.
//
// When nothing was booked (the payout failed before it was paid, or the
// failure is applied before the paid command: Stripe does not order
// events), the reversal statement is still written, without lines: it marks
// the payout as failed, and a paid command applied after it books nothing
// (ReconcilePayout). The money of a failed payout returns to the Stripe
// balance (a payout_failure balance transaction) and reaches the bank with
// a later payout, whose statement carries it.
//
// Resuming is as for the paid statement: the lines already there must be a
// prefix of the reversal's, the rest are added.
func (a *Adapter) reversePayout(ctx context.Context, id, po string, cmd command.ReconcilePayout) (PayoutResult, error) {
	date, err := reversalDate(cmd, a.today())
	if err != nil {
		return PayoutResult{}, fmt.Errorf("%s: %w", id, err)
	}
	res := PayoutResult{Failed: true}
	cucd := strings.ToUpper(cmd.Amount.Currency)
	type revLine struct{ acam, refe, tx40 string }
	var want []revLine
	paid, err := a.statementHead(ctx, id, a.cfg.PayoutBank, PayoutReference(po))
	if err != nil {
		return PayoutResult{}, err
	}
	if paid != nil {
		res.ReversedStatement = paid["STNB"]
		if paid["CUCD"] != "" {
			cucd = paid["CUCD"]
		}
		lines, err := a.exec(ctx, "ABS100MI", "LstStatmtLine", map[string]string{"STNB": paid["STNB"]})
		if err != nil {
			return PayoutResult{}, fmt.Errorf("m3: %s: lines of bank statement %s: %w", id, paid["STNB"], err)
		}
		sort.SliceStable(lines, func(i, j int) bool { return lineNumber(lines[i]) < lineNumber(lines[j]) })
		for _, l := range lines {
			neg, ok := negateDecimal(l["ACAM"])
			if !ok {
				return PayoutResult{}, fmt.Errorf("m3: %s: bank statement %s line %s: unreadable amount ACAM %q", id, paid["STNB"], l["LINO"], l["ACAM"])
			}
			want = append(want, revLine{acam: neg, refe: l["REFE"], tx40: cut("reversal "+l["TX40"], 40)})
		}
	}
	if cucd == "" {
		return PayoutResult{}, invalidf("%s: no currency for the reversal of payout %s", id, po)
	}
	res.Lines = len(want)

	refe := PayoutReversalReference(po)
	stnb, have, err := a.findStatement(ctx, id, a.cfg.PayoutBank, refe)
	if err != nil {
		return PayoutResult{}, err
	}
	if len(have) > len(want) {
		return PayoutResult{}, fmt.Errorf("m3: %s: reversal statement %s has %d lines, the paid statement %s %d", id, stnb, len(have), res.ReversedStatement, len(want))
	}
	sort.SliceStable(have, func(i, j int) bool { return lineNumber(have[i]) < lineNumber(have[j]) })
	for i, l := range have {
		if l["REFE"] != want[i].refe {
			return PayoutResult{}, fmt.Errorf("m3: %s: reversal statement %s line %s is %q, the paid statement's %q", id, stnb, l["LINO"], l["REFE"], want[i].refe)
		}
	}
	if stnb == "" {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtHead", map[string]string{
			"BKID": a.cfg.PayoutBank, "STDT": date, "CUCD": cucd, "REFE": refe, "TX40": cut("Failed "+po, 40),
		})
		if err != nil {
			return PayoutResult{}, fmt.Errorf("m3: %s: add reversal statement: %w", id, err)
		}
		stnb = rec["STNB"]
		res.Created = true
	}
	res.StatementNumber = stnb
	for i := len(have); i < len(want); i++ {
		l := want[i]
		if _, err := a.exec(ctx, "ABS100MI", "AddStatmtLine", map[string]string{
			"STNB": stnb, "ACAM": l.acam, "VLDT": date, "REFE": l.refe, "TX40": l.tx40,
		}); err != nil {
			return PayoutResult{}, fmt.Errorf("m3: %s: add line %d (%s) to reversal statement %s: %w", id, i+1, l.refe, stnb, err)
		}
		res.Created = true
	}
	// The GL. The transfer to the bank is undone if it was posted. The
	// payout's transactions were settled whether or not the payout reached
	// the bank, so their settlement journal is posted here too when the
	// command has them (the same journal a paid command posts: whichever
	// comes first posts it). The reversal comes first, so a settlement the
	// adapter refuses does not leave the money in the bank.
	acc, withJournals, err := payoutAccounts(cmd)
	if err != nil || !withJournals {
		return res, err
	}
	posted, err := a.journalPosted(ctx, payoutJournalID(po))
	if err != nil {
		return PayoutResult{}, fmt.Errorf("%s: %w", id, err)
	}
	if posted {
		amt := command.Money{Minor: cmd.Amount.Minor, Currency: strings.ToUpper(cmd.Amount.Currency)}
		if amt.Currency == "" {
			amt.Currency = cucd
		}
		if err := a.postPayoutJournal(ctx, id, payoutReversalJournal(po, cmd, acc, amt, date)); err != nil {
			return PayoutResult{}, err
		}
	}
	if len(cmd.Transactions) > 0 {
		sj, err := settlementJournal(po, cmd, acc, date)
		if err != nil {
			return PayoutResult{}, err
		}
		if err := a.postPayoutJournal(ctx, id, sj); err != nil {
			return PayoutResult{}, err
		}
	}
	return res, nil
}

// reversalDate is the day a payout's failure is booked: the failure
// event's day, else the payout's arrival date, else today.
func reversalDate(cmd command.ReconcilePayout, today string) (string, error) {
	if !cmd.Meta.OccurredAt.IsZero() {
		return cmd.Meta.OccurredAt.UTC().Format("20060102"), nil
	}
	d, err := m3Date(cmd.ArrivalDate)
	if err != nil || d != "" {
		return d, err
	}
	return today, nil
}

// statementHead looks a bank statement up by bank account and reference;
// nil when there is none.
func (a *Adapter) statementHead(ctx context.Context, id, bkid, refe string) (map[string]string, error) {
	sts, err := a.read(ctx, "ABS100MI", "LstStatmt", map[string]string{"BKID": bkid, "REFE": refe}, "STNB", "CUCD")
	if err != nil {
		return nil, fmt.Errorf("m3: %s: look up bank statement %s: %w", id, refe, err)
	}
	if len(sts) == 0 {
		return nil, nil
	}
	stnb := lowest(sts, "STNB")
	for _, s := range sts {
		if s["STNB"] == stnb {
			return s, nil
		}
	}
	return nil, nil
}

var decimalRE = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// negateDecimal flips the sign of an M3 decimal string ("48.25" →
// "-48.25", "-2.48" → "2.48") without arithmetic, so nothing is rounded.
func negateDecimal(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !decimalRE.MatchString(s) {
		return "", false
	}
	switch s[0] {
	case '-':
		return s[1:], true
	case '+':
		return "-" + s[1:], true
	}
	return "-" + s, true
}

// lineNumber is a statement line's LINO as a number (0 when unreadable).
func lineNumber(l map[string]string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(l["LINO"]))
	return n
}
