package transform

import (
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// disputeEvent handles every charge.dispute.* event: each books the
// balance transactions the dispute lists (the withdrawal when funds are
// taken, the reinstatement when a dispute is won). Stripe repeats them in
// later events of the same dispute, and the command id is the balance
// transaction's, so each is booked once.
//
// With Stripe's signs (amount negative for a withdrawal, fee positive when
// Stripe charges one, negative when it returns one), the journal is
//
//	disputes  −amount   (withdrawal: Dr D; reinstatement: Cr D)
//	fees      +fee      (dispute fee: Dr F; fee returned: Cr F)
//	clearing  amount−fee = Stripe's net (what left or entered the balance)
//
// which sums to zero by construction.
func disputeEvent(c *ectx) {
	dp := c.obj
	if !c.requireID(dp) {
		return
	}
	for i := range dp.BalanceTransactions {
		bt := &dp.BalanceTransactions[i]
		if bt.Obj == nil {
			c.flag(command.Flag{Code: "dispute_txn_not_expanded", Field: c.fieldPath(dp.Off, "balance_transactions["+itoa(int64(i))+"]"),
				Detail: "balance transaction " + bt.ID + " is only an id: nothing to book from it"})
			continue
		}
		c.bookDisputeTxn(dp, bt.Obj)
	}
}

func (c *ectx) bookDisputeTxn(dp, txn *object) {
	if !c.requireID(txn) {
		return
	}
	c.begin()
	cur := c.currency(txn)
	amount := c.money(txn.Amount, cur, txn.Off, "amount", "dispute")
	fee := command.Money{Currency: cur}
	if txn.Fee.St != numAbsent {
		fee = c.money(txn.Fee, cur, txn.Off, "fee", "dispute")
	}
	if c.err != nil || amount.Minor == 0 && fee.Minor == 0 {
		return
	}
	facts := c.facts(dp)
	if ch := dp.Charge.Obj; ch != nil {
		facts.Metadata = mergeMetadata(facts.Metadata, ch.Metadata)
	}
	facts.ObjectType = "dispute"
	facts.Currency = cur
	facts.Description = firstOf(txn.Description, facts.Description)
	acc := c.accounts(facts)

	kind := "withdrawal"
	if amount.Minor > 0 {
		kind = "reinstatement"
	}
	text := "Stripe dispute " + dp.ID + " " + kind
	if dp.Reason != "" {
		text += " (" + dp.Reason + ")"
	}
	var j journal
	j.add(acc.Disputes, command.Money{Minor: -amount.Minor, Currency: cur}, text)
	j.add(acc.Fees, fee, text)
	j.add(acc.Clearing, command.Money{Minor: amount.Minor - fee.Minor, Currency: cur}, text)
	date := ymd(c.unix(txn.Created, c.unix(dp.Created, c.base.OccurredAt.Unix())))
	c.postJournal("journal:"+txn.ID+":dispute", txn.ID, date, text, &j, txn.ID, dp.ID, dp.Charge.ID, dp.PaymentIntent.ID)
}
