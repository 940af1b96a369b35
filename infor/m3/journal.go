package m3

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// JournalResult is what PostJournal did.
type JournalResult struct {
	BatchNumber string // BCHN
	Posted      bool   // this call posted the batch (false: it was posted already)
}

// PostJournal posts a balanced journal as a GLS840MI batch: AddBatchHead
// (REFE = JournalReference(CommandID)) → AddBatchLine per line → CtrlBatch →
// UpdBatch, resuming a batch found by its reference from its number of lines
// and status. A journal that does not balance in every currency is refused
// before anything is sent.
func (a *Adapter) PostJournal(ctx context.Context, cmd command.PostJournal) (JournalResult, error) {
	id := cmd.CommandID
	if id == "" {
		return JournalResult{}, invalidf("journal without a command id")
	}
	if err := checkBalanced(cmd.Lines); err != nil {
		return JournalResult{}, fmt.Errorf("%s: %w", id, err)
	}
	acdt, err := m3Date(cmd.AccountingDate)
	if err != nil {
		return JournalResult{}, fmt.Errorf("%s: %w", id, err)
	}
	refe := JournalReference(id)

	batches, err := a.read(ctx, "GLS840MI", "LstBatch", map[string]string{"REFE": refe}, "BCHN", "STAT", "NOLN")
	if err != nil {
		return JournalResult{}, fmt.Errorf("m3: %s: look up GL batch %s: %w", id, refe, err)
	}
	var bchn, stat string
	have := 0
	if len(batches) > 0 {
		bchn = lowest(batches, "BCHN")
		for _, b := range batches {
			if b["BCHN"] == bchn {
				stat = b["STAT"]
				// Fail closed: a count we cannot read would make us add every
				// line again.
				n, err := strconv.Atoi(b["NOLN"])
				if err != nil || n < 0 {
					return JournalResult{}, fmt.Errorf("m3: %s: GL batch %s: unreadable line count NOLN %q", id, bchn, b["NOLN"])
				}
				have = n
			}
		}
		if stat == "posted" {
			return JournalResult{BatchNumber: bchn}, nil
		}
		if have > len(cmd.Lines) {
			return JournalResult{}, fmt.Errorf("m3: %s: GL batch %s has %d lines, the journal %d", id, bchn, have, len(cmd.Lines))
		}
	} else {
		rec, err := a.one(ctx, "GLS840MI", "AddBatchHead", map[string]string{
			"ACDT": acdt, "DIVI": a.cfg.Division, "REFE": refe, "TX40": cut(firstNonEmpty(cmd.Text, id), 40),
		})
		if err != nil {
			return JournalResult{}, fmt.Errorf("m3: %s: add GL batch: %w", id, err)
		}
		bchn = rec["BCHN"]
	}
	for i := have; i < len(cmd.Lines); i++ {
		l := cmd.Lines[i]
		m := command.Money{Minor: l.Amount.Minor, Currency: strings.ToUpper(l.Amount.Currency)}
		if _, err := a.exec(ctx, "GLS840MI", "AddBatchLine", map[string]string{
			"BCHN": bchn, "AIT1": l.Account, "ACAM": command.Decimal(m), "CUCD": m.Currency,
			"VTXT": cut(firstNonEmpty(l.Text, cmd.Text), 60), "TX40": cut(id, 40),
		}); err != nil {
			return JournalResult{}, fmt.Errorf("m3: %s: add line %d to GL batch %s: %w", id, i+1, bchn, err)
		}
	}
	if _, err := a.exec(ctx, "GLS840MI", "CtrlBatch", map[string]string{"BCHN": bchn}); err != nil {
		return JournalResult{}, fmt.Errorf("m3: %s: check GL batch %s: %w", id, bchn, err)
	}
	if _, err := a.exec(ctx, "GLS840MI", "UpdBatch", map[string]string{"BCHN": bchn}); err != nil {
		return JournalResult{}, fmt.Errorf("m3: %s: post GL batch %s: %w", id, bchn, err)
	}
	return JournalResult{BatchNumber: bchn, Posted: true}, nil
}

// checkBalanced refuses a journal without lines, with a line without an
// account, or whose lines do not sum to zero in every currency.
func checkBalanced(lines []command.JournalLine) error {
	if len(lines) == 0 {
		return invalidf("journal has no lines")
	}
	sums := map[string]int64{}
	for i, l := range lines {
		if l.Account == "" || l.Amount.Currency == "" {
			return invalidf("journal line %d needs an account and a currency", i+1)
		}
		sums[strings.ToUpper(l.Amount.Currency)] += l.Amount.Minor
	}
	var off []string
	for cur, s := range sums {
		if s != 0 {
			off = append(off, command.Money{Minor: s, Currency: cur}.String())
		}
	}
	if len(off) > 0 {
		sort.Strings(off)
		return invalidf("journal does not balance: lines sum to %s", strings.Join(off, ", "))
	}
	return nil
}
