package transform

import "strings"

// handler maps one event (c.obj is its data.object) to outputs.
type handler func(c *ectx)

// handlers are the event types that can make commands (docs/events.md has
// the table of what each makes and why).
var handlers = map[string]handler{
	"charge.succeeded":          chargeSucceeded,
	"charge.captured":           chargeSucceeded,
	"charge.failed":             chargeFailed,
	"charge.expired":            chargeExpired,
	"charge.refunded":           chargeRefunded,
	"charge.refund.updated":     refundEvent,
	"invoice.finalized":         invoiceFinalized,
	"invoice.paid":              invoicePaid,
	"invoice.payment_succeeded": invoicePaid,
	"invoice.payment_failed":    invoicePaymentFailed,
	"customer.created":          customerUpserted,
	"customer.updated":          customerUpserted,
	"payout.paid":               payoutEvent,
	"payout.failed":             payoutEvent,
}

// prefixHandlers cover families whose every member is handled alike.
var prefixHandlers = []struct {
	prefix string
	h      handler
}{
	// Every dispute event books the balance transactions it lists.
	{"charge.dispute.", disputeEvent},
	// refund.created, refund.updated, refund.failed: a refund books once it
	// has succeeded.
	{"refund.", refundEvent},
}

// quiet are known types that make no commands by design: their money is
// booked from another event (payment intents: the charge; subscriptions:
// the invoice), or nothing in Infor changes. They are not "unknown", so
// unknown_events: dlq never dead-letters them.
var quiet = map[string]bool{
	"balance.available":                        true,
	"charge.pending":                           true,
	"charge.updated":                           true,
	"customer.deleted":                         true,
	"customer.discount.created":                true,
	"customer.discount.deleted":                true,
	"customer.discount.updated":                true,
	"customer.source.created":                  true,
	"customer.source.deleted":                  true,
	"customer.source.expiring":                 true,
	"customer.source.updated":                  true,
	"customer.tax_id.created":                  true,
	"customer.tax_id.deleted":                  true,
	"customer.tax_id.updated":                  true,
	"invoice.created":                          true,
	"invoice.deleted":                          true,
	"invoice.finalization_failed":              true,
	"invoice.marked_uncollectible":             true,
	"invoice.overdue":                          true,
	"invoice.payment_action_required":          true,
	"invoice.sent":                             true,
	"invoice.upcoming":                         true,
	"invoice.updated":                          true,
	"invoice.voided":                           true,
	"invoice.will_be_due":                      true,
	"invoiceitem.created":                      true,
	"invoiceitem.deleted":                      true,
	"invoiceitem.updated":                      true,
	"payment_method.attached":                  true,
	"payment_method.automatically_updated":     true,
	"payment_method.detached":                  true,
	"payment_method.updated":                   true,
	"payout.canceled":                          true,
	"payout.created":                           true,
	"payout.reconciliation_completed":          true,
	"payout.updated":                           true,
	"price.created":                            true,
	"price.deleted":                            true,
	"price.updated":                            true,
	"product.created":                          true,
	"product.deleted":                          true,
	"product.updated":                          true,
	"plan.created":                             true,
	"plan.deleted":                             true,
	"plan.updated":                             true,
	"setup_intent.canceled":                    true,
	"setup_intent.created":                     true,
	"setup_intent.requires_action":             true,
	"setup_intent.setup_failed":                true,
	"setup_intent.succeeded":                   true,
	"checkout.session.async_payment_failed":    true,
	"checkout.session.async_payment_succeeded": true,
	"checkout.session.completed":               true,
	"checkout.session.expired":                 true,
	"mandate.updated":                          true,
	"radar.early_fraud_warning.created":        true,
	"radar.early_fraud_warning.updated":        true,
	"review.closed":                            true,
	"review.opened":                            true,
}

// quietPrefixes are families that never make commands.
var quietPrefixes = []string{"customer.subscription.", "payment_intent.", "subscription_schedule."}

// classify returns the handler of an event type (nil for a type that
// makes no commands) and whether the type is known at all.
func classify(typ string) (handler, bool) {
	if h := handlers[typ]; h != nil {
		return h, true
	}
	for _, p := range prefixHandlers {
		if strings.HasPrefix(typ, p.prefix) {
			return p.h, true
		}
	}
	if quiet[typ] {
		return nil, true
	}
	for _, p := range quietPrefixes {
		if strings.HasPrefix(typ, p) {
			return nil, true
		}
	}
	return nil, false
}
