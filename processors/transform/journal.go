package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// journal collects the lines of one PostJournal. Lines on the same account
// and currency with the same text are merged, and zero lines are dropped.
type journal struct {
	lines []command.JournalLine
}

// add books amount (debit positive, credit negative) on account.
func (j *journal) add(account string, m command.Money, text string) {
	if m.Minor == 0 {
		return
	}
	for i := range j.lines {
		l := &j.lines[i]
		if l.Account == account && l.Amount.Currency == m.Currency && l.Text == text {
			l.Amount.Minor += m.Minor
			return
		}
	}
	j.lines = append(j.lines, command.JournalLine{Account: account, Amount: m, Text: text})
}

// unbalanced returns the first currency whose lines do not sum to zero.
func unbalanced(lines []command.JournalLine) (string, bool) {
	var sums []command.Money
next:
	for _, l := range lines {
		for i := range sums {
			if sums[i].Currency == l.Amount.Currency {
				sums[i].Minor += l.Amount.Minor
				continue next
			}
		}
		sums = append(sums, l.Amount)
	}
	for _, s := range sums {
		if s.Minor != 0 {
			return s.Currency, true
		}
	}
	return "", false
}

// postJournal emits a PostJournal keyed by its source id, after checking
// that it balances in every currency (by construction it does; a journal
// that does not would be refused by the ERP, so it is an error here, never
// a command). Merged lines that cancel out are dropped; a journal left
// with no line is not posted.
func (c *ectx) postJournal(id, sourceID, date, text string, j *journal, sourceIDs ...string) {
	lines := j.lines[:0:0]
	for _, l := range j.lines {
		if l.Amount.Minor != 0 {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return
	}
	if cur, bad := unbalanced(lines); bad {
		c.fail(ClassValidation, "unbalanced_journal", "", id+" does not balance in "+cur)
		return
	}
	cmd := command.PostJournal{
		CommandID:      id,
		AccountingDate: date,
		Lines:          lines,
		Text:           text,
		SourceIDs:      objectIDs(sourceIDs),
	}
	cmd.Meta = c.meta(sourceIDs...)
	c.emit(kafka.JournalCommands, sourceID, cmd)
}
