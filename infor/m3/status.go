package m3

import (
	"context"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// DefaultStatusCodes maps ChangeOrderStatus statuses to M3 order stop codes
// (OBLC) when Config.StatusCodes is nil. "0" releases the order.
var DefaultStatusCodes = map[string]string{
	"active":         "0",
	"released":       "0",
	"paid":           "0",
	"payment_failed": "1",
	"dunning":        "2",
	"disputed":       "3",
	"canceled":       "9",
}

// StatusResult is what ChangeOrderStatus did.
type StatusResult struct {
	OrderNumber string
	StopCode    string // OBLC now on the order
	Changed     bool   // false: the order had this status already
}

// lifecycle ranks the statuses Stripe's payment lifecycle moves an order
// through, so that the end state does not depend on the order the events
// arrive in (Stripe does not order them): a payment failure is followed
// by dunning, dunning ends when the invoice is paid, and a canceled order
// stays canceled. A status never replaces one ranked above it. Statuses
// outside the lifecycle (disputed, active, …) are set as they come.
var lifecycle = map[string]int{"payment_failed": 1, "dunning": 2, "paid": 3, "canceled": 4}

// ChangeOrderStatus sets the order's stop code (OIS100MI ChgOrderStatus,
// OBLC from Config.StatusCodes) and writes the status and the reason in
// TX40 ("dunning: card declined"), which is how the next command knows
// where in the lifecycle the order is: a stop code alone cannot tell a
// paid order from one never stopped. Setting what is there already changes
// nothing, so the command is idempotent; a status ranked below the
// order's (see lifecycle) changes nothing either. An order not in M3 yet is
// a *DependencyError.
func (a *Adapter) ChangeOrderStatus(ctx context.Context, cmd command.ChangeOrderStatus) (StatusResult, error) {
	id := cmd.CommandID
	if id == "" {
		id = "order-status:" + firstNonEmpty(cmd.OrderRef.StripeObjectID, cmd.OrderRef.ERPOrderNumber) + ":" + cmd.Status
	}
	codes := a.cfg.StatusCodes
	if codes == nil {
		codes = DefaultStatusCodes
	}
	oblc, ok := codes[strings.ToLower(cmd.Status)]
	if !ok {
		return StatusResult{}, invalidf("%s: status %q has no M3 stop code", id, cmd.Status)
	}
	// The lookup that finds the order (LstHead, or GetHead for an ERP order
	// number) answers its stop code and text as well; only a tenant whose
	// list leaves them out costs a second read.
	orno, head, err := a.findOrderHead(ctx, id, cmd.OrderRef, "OBLC", "OBTX")
	if err != nil {
		return StatusResult{}, err
	}
	_, hasCode := head["OBLC"]
	if _, hasText := head["OBTX"]; !hasCode || !hasText {
		if head, err = a.readOne(ctx, "OIS100MI", "GetHead", map[string]string{"ORNO": orno}, "OBLC", "OBTX"); err != nil {
			return StatusResult{}, fmt.Errorf("m3: %s: read order %s: %w", id, orno, err)
		}
	}
	status := strings.ToLower(cmd.Status)
	reason := statusText(status, cmd.Reason)
	cur := head["OBLC"]
	if cur == "" {
		cur = "0"
	}
	if cur == oblc && head["OBTX"] == reason {
		return StatusResult{OrderNumber: orno, StopCode: oblc}, nil
	}
	if now := lifecycle[statusOf(head["OBTX"])]; now > 0 && lifecycle[status] > 0 && lifecycle[status] <= now {
		return StatusResult{OrderNumber: orno, StopCode: cur}, nil // a later stage is there already
	}
	if _, err := a.exec(ctx, "OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": orno, "OBLC": oblc, "TX40": reason}); err != nil {
		return StatusResult{}, fmt.Errorf("m3: %s: change status of order %s: %w", id, orno, err)
	}
	return StatusResult{OrderNumber: orno, StopCode: oblc, Changed: true}, nil
}

// findOrderNumber finds a confirmed order by its reference; a missing one
// is a *DependencyError.
func (a *Adapter) findOrderNumber(ctx context.Context, id string, ref command.OrderRef) (string, error) {
	orno, _, err := a.findOrderHead(ctx, id, ref)
	return orno, err
}

// findOrderHead finds a confirmed order by its reference and returns its
// number and its head with the fields cols besides ORNO: GetHead's record
// for an ERP order number, LstHead's (by CUOR) for a Stripe object. A
// missing order is a *DependencyError.
func (a *Adapter) findOrderHead(ctx context.Context, id string, ref command.OrderRef, cols ...string) (string, map[string]string, error) {
	cols = append([]string{"ORNO"}, cols...)
	switch {
	case ref.ERPOrderNumber != "":
		head, err := a.readOne(ctx, "OIS100MI", "GetHead", map[string]string{"ORNO": ref.ERPOrderNumber}, cols...)
		if err != nil {
			if a.isNotFound(err, "ORNO") {
				return "", nil, &DependencyError{Command: id, Missing: "order", Ref: "ORNO " + ref.ERPOrderNumber}
			}
			return "", nil, fmt.Errorf("m3: %s: look up order %s: %w", id, ref.ERPOrderNumber, err)
		}
		return ref.ERPOrderNumber, head, nil
	case ref.StripeObjectID != "":
		cuor := OrderReference(ref.StripeObjectID)
		heads, err := a.read(ctx, "OIS100MI", "LstHead", map[string]string{"CUOR": cuor}, cols...)
		if err != nil {
			return "", nil, fmt.Errorf("m3: %s: look up order %s: %w", id, cuor, err)
		}
		if len(heads) == 0 {
			return "", nil, &DependencyError{Command: id, Missing: "order", Ref: "CUOR " + cuor + " for " + ref.StripeObjectID}
		}
		head := lowestRecord(heads, "ORNO")
		return head["ORNO"], head, nil
	}
	return "", nil, invalidf("%s: no order reference", id)
}

// statusText is the TX40 of a status change: the status, then the reason.
func statusText(status, reason string) string {
	if reason == "" || strings.EqualFold(reason, status) {
		return cut(status, 40)
	}
	return cut(status+": "+reason, 40)
}

// statusOf reads the status back from an order's OBTX ("" when it was not
// written by ChangeOrderStatus).
func statusOf(obtx string) string {
	st, _, _ := strings.Cut(obtx, ":")
	st = strings.ToLower(strings.TrimSpace(st))
	if _, ok := lifecycle[st]; ok {
		return st
	}
	return ""
}
