package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
)

// payoutEvent handles payout.paid ("payout:<po>") and payout.failed
// ("payout:<po>:failed": a distinct command, since a failed payout undoes
// what its paid one booked). Transactions stay empty: the processors make
// no outbound calls, and the sink fetches the payout's balance transactions
// from the Stripe API before it applies the command (docs/events.md). The
// command carries the GL accounts of the payout's journal, which the sink
// posts from those transactions (docs/accounting.md).
func payoutEvent(c *ectx) {
	po := c.obj
	if !c.requireID(po) {
		return
	}
	c.begin()
	cur := c.currency(po)
	cmd := command.ReconcilePayout{
		CommandID:      "payout:" + po.ID,
		StripePayoutID: po.ID,
		Amount:         c.money(po.Amount, cur, po.Off, "amount", "payout"),
		Status:         "paid",
		Transactions:   []command.BalanceTransaction{},
	}
	if c.ev.Type == "payout.failed" {
		cmd.CommandID += ":failed"
		cmd.Status = "failed"
	}
	if po.ArrivalDate.St == numAbsent {
		c.fail(ClassValidation, "missing_field", c.fieldPath(po.Off, "arrival_date"), "the payout has no arrival_date")
		return
	}
	cmd.ArrivalDate = ymd(c.unix(po.ArrivalDate, 0))
	acc := c.accounts(c.facts(po))
	cmd.Accounts = command.PayoutAccounts{Bank: acc.Bank, Clearing: acc.Clearing, Fees: acc.Fees, FX: acc.FXGainLoss}
	cmd.Meta = c.meta(po.ID, po.BalanceTransaction.ID)
	c.emit(kafka.BankCommands, po.ID, cmd)
}
