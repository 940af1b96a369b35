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

// ChangeOrderStatus sets the order's stop code (OIS100MI ChgOrderStatus,
// OBLC from Config.StatusCodes, the reason in TX40). Setting what is there
// already changes nothing, so the command is idempotent; between different
// statuses the last one applied wins (the processors order them by event
// time). An order not in M3 yet is a *DependencyError.
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
	orno, err := a.findOrderNumber(ctx, id, cmd.OrderRef)
	if err != nil {
		return StatusResult{}, err
	}
	head, err := a.one(ctx, "OIS100MI", "GetHead", map[string]string{"ORNO": orno})
	if err != nil {
		return StatusResult{}, fmt.Errorf("m3: %s: read order %s: %w", id, orno, err)
	}
	reason := cut(firstNonEmpty(cmd.Reason, cmd.Status), 40)
	cur := head["OBLC"]
	if cur == "" {
		cur = "0"
	}
	if cur == oblc && head["OBTX"] == reason {
		return StatusResult{OrderNumber: orno, StopCode: oblc}, nil
	}
	if _, err := a.exec(ctx, "OIS100MI", "ChgOrderStatus", map[string]string{"ORNO": orno, "OBLC": oblc, "TX40": reason}); err != nil {
		return StatusResult{}, fmt.Errorf("m3: %s: change status of order %s: %w", id, orno, err)
	}
	return StatusResult{OrderNumber: orno, StopCode: oblc, Changed: true}, nil
}

// findOrderNumber finds a confirmed order by its reference; a missing one
// is a *DependencyError.
func (a *Adapter) findOrderNumber(ctx context.Context, id string, ref command.OrderRef) (string, error) {
	switch {
	case ref.ERPOrderNumber != "":
		if _, err := a.one(ctx, "OIS100MI", "GetHead", map[string]string{"ORNO": ref.ERPOrderNumber}); err != nil {
			if a.isNotFound(err, "ORNO") {
				return "", &DependencyError{Command: id, Missing: "order", Ref: "ORNO " + ref.ERPOrderNumber}
			}
			return "", fmt.Errorf("m3: %s: look up order %s: %w", id, ref.ERPOrderNumber, err)
		}
		return ref.ERPOrderNumber, nil
	case ref.StripeObjectID != "":
		cuor := OrderReference(ref.StripeObjectID)
		heads, err := a.exec(ctx, "OIS100MI", "LstHead", map[string]string{"CUOR": cuor})
		if err != nil {
			return "", fmt.Errorf("m3: %s: look up order %s: %w", id, cuor, err)
		}
		if len(heads) == 0 {
			return "", &DependencyError{Command: id, Missing: "order", Ref: "CUOR " + cuor + " for " + ref.StripeObjectID}
		}
		return lowest(heads, "ORNO"), nil
	}
	return "", invalidf("%s: no order reference", id)
}
