package m3

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// OrderResult is what CreateSalesOrder did.
type OrderResult struct {
	OrderNumber   string // final ORNO
	InvoiceNumber string // CINO, when the order type invoices at Confirm
	CUOR          string // the order's reference
	Created       bool   // this call confirmed the order (false: it was there)
}

// CreateSalesOrder creates and confirms the sales order for a Stripe charge
// or invoice: OIS100MI AddBatchHead → AddBatchLine per line → Confirm,
// resuming an order interrupted before Confirm (see the package
// documentation). The customer must exist: a missing one is a
// *DependencyError.
func (a *Adapter) CreateSalesOrder(ctx context.Context, cmd command.CreateSalesOrder) (OrderResult, error) {
	objID := cmd.StripeObjectID
	if objID == "" {
		objID = strings.TrimPrefix(cmd.CommandID, "order:")
	}
	id := cmd.CommandID
	if id == "" {
		id = "order:" + objID
	}
	if objID == "" {
		return OrderResult{}, invalidf("%s: no Stripe object id", id)
	}
	if len(cmd.Lines) == 0 {
		return OrderResult{}, invalidf("%s: an order needs at least one line", id)
	}
	cucd := strings.ToUpper(cmd.Currency)
	for i, l := range cmd.Lines {
		if !strings.EqualFold(l.UnitPrice.Currency, cucd) {
			return OrderResult{}, invalidf("%s: line %d is in %s, the order in %s", id, i+1, l.UnitPrice.Currency, cucd)
		}
		if l.Quantity <= 0 || l.Item == "" {
			return OrderResult{}, invalidf("%s: line %d needs an item and a positive quantity", id, i+1)
		}
	}
	ordt, err := m3Date(cmd.OrderDate)
	if err != nil {
		return OrderResult{}, fmt.Errorf("%s: %w", id, err)
	}
	cuor := OrderReference(objID)
	yref := fits(objID, 30)

	// Done already?
	if res, ok, err := a.findOrder(ctx, id, cuor, objID); err != nil || ok {
		return res, err
	}

	cuno, err := a.resolveCustomer(ctx, id, cmd.CustomerRef)
	if err != nil {
		return OrderResult{}, err
	}

	// An interrupted batch order to finish?
	heads, err := a.read(ctx, "OIS100MI", "LstBatchHead", map[string]string{"CUOR": cuor}, "ORNO")
	if err != nil {
		return OrderResult{}, fmt.Errorf("m3: %s: look up batch order %s: %w", id, cuor, err)
	}
	var temp string
	have := 0
	if len(heads) > 0 {
		temp = lowest(heads, "ORNO")
		lines, err := a.read(ctx, "OIS100MI", "LstBatchLine", map[string]string{"ORNO": temp}, "ITNO", "ORQT")
		if err != nil {
			return OrderResult{}, fmt.Errorf("m3: %s: lines of batch order %s: %w", id, temp, err)
		}
		if len(lines) > len(cmd.Lines) {
			return OrderResult{}, fmt.Errorf("m3: %s: batch order %s has %d lines, the command %d", id, temp, len(lines), len(cmd.Lines))
		}
		for i, l := range lines {
			want := cmd.Lines[i]
			if l["ITNO"] != want.Item || l["ORQT"] != strconv.FormatInt(want.Quantity, 10) {
				return OrderResult{}, fmt.Errorf("m3: %s: batch order %s line %d is %s × %s, the command's %s × %d",
					id, temp, i+1, l["ORQT"], l["ITNO"], want.Item, want.Quantity)
			}
		}
		have = len(lines)
	} else {
		rec, err := a.one(ctx, "OIS100MI", "AddBatchHead", map[string]string{
			"CUNO": cuno, "CUOR": cuor, "YREF": yref, "CUCD": cucd, "ORDT": ordt,
			"ORTP": cmd.OrderType, "TEPY": cmd.PaymentTerms, "PYCD": cmd.PaymentMethod,
		})
		if err != nil {
			return OrderResult{}, fmt.Errorf("m3: %s: add batch order: %w", id, err)
		}
		temp = rec["ORNO"]
	}
	for i := have; i < len(cmd.Lines); i++ {
		l := cmd.Lines[i]
		if _, err := a.exec(ctx, "OIS100MI", "AddBatchLine", map[string]string{
			"ORNO": temp, "ITNO": l.Item, "ORQT": strconv.FormatInt(l.Quantity, 10), "SAPR": command.Decimal(l.UnitPrice),
		}); err != nil {
			return OrderResult{}, fmt.Errorf("m3: %s: add line %d to batch order %s: %w", id, i+1, temp, err)
		}
	}
	confirmed, err := a.one(ctx, "OIS100MI", "Confirm", map[string]string{"ORNO": temp})
	if err != nil {
		var nok *infor.NOKError
		if errors.As(err, &nok) { // confirmed by an attempt whose answer was lost?
			if res, ok, ferr := a.findOrder(ctx, id, cuor, objID); ferr == nil && ok {
				return res, nil
			}
		}
		return OrderResult{}, fmt.Errorf("m3: %s: confirm batch order %s: %w", id, temp, err)
	}
	// Confirm answers the order's final number: no need to look the order
	// up again by CUOR (this call made it, from the command's own YREF).
	res := OrderResult{OrderNumber: confirmed["ORNO"], CUOR: cuor, Created: true}
	if res.OrderNumber == "" { // a tenant whose Confirm answers no ORNO
		found, ok, err := a.findOrder(ctx, id, cuor, objID)
		if err != nil {
			return OrderResult{}, err
		}
		if !ok {
			return OrderResult{}, fmt.Errorf("m3: %s: order %s confirmed but not found by CUOR %s", id, temp, cuor)
		}
		found.Created = true
		return found, nil
	}
	if res.InvoiceNumber, err = a.orderInvoice(ctx, id, res.OrderNumber); err != nil {
		return OrderResult{}, err
	}
	a.hints.put(cuor, res.InvoiceNumber)
	return res, nil
}

// findOrder looks the confirmed order up by CUOR and its invoice by ORNO.
func (a *Adapter) findOrder(ctx context.Context, id, cuor, objID string) (OrderResult, bool, error) {
	heads, err := a.read(ctx, "OIS100MI", "LstHead", map[string]string{"CUOR": cuor}, "ORNO", "YREF")
	if err != nil {
		return OrderResult{}, false, fmt.Errorf("m3: %s: look up order %s: %w", id, cuor, err)
	}
	if len(heads) == 0 {
		return OrderResult{}, false, nil
	}
	orno := lowest(heads, "ORNO")
	for _, h := range heads {
		if h["ORNO"] == orno && h["YREF"] != "" && objID != "" && h["YREF"] != fits(objID, 30) {
			return OrderResult{}, false, fmt.Errorf("m3: %s: order %s with CUOR %s belongs to %s (reference collision)", id, orno, cuor, h["YREF"])
		}
	}
	res := OrderResult{OrderNumber: orno, CUOR: cuor}
	if res.InvoiceNumber, err = a.orderInvoice(ctx, id, orno); err != nil {
		return OrderResult{}, false, err
	}
	a.hints.put(cuor, res.InvoiceNumber)
	return res, true, nil
}

// orderInvoice is the number of the (first) invoice of order orno, "" when
// it has none.
func (a *Adapter) orderInvoice(ctx context.Context, id, orno string) (string, error) {
	invs, err := a.read(ctx, "ARS200MI", "LstInvoices", map[string]string{"ORNO": orno, "DIVI": a.cfg.Division}, "CINO")
	if err != nil {
		return "", fmt.Errorf("m3: %s: invoices of order %s: %w", id, orno, err)
	}
	return lowest(invs, "CINO"), nil
}

// resolveCustomer finds the CUNO an order is for: the ERP id, else the
// Stripe customer's generated number, else the default customer.
func (a *Adapter) resolveCustomer(ctx context.Context, id string, ref command.CustomerRef) (string, error) {
	if ref.ERPCustomerID == "" && ref.StripeCustomerID == "" {
		if a.cfg.DefaultCustomer == "" {
			return "", invalidf("%s: no customer and no default customer configured", id)
		}
		return a.cfg.DefaultCustomer, nil
	}
	if ref.ERPCustomerID != "" {
		if _, err := a.readOne(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": ref.ERPCustomerID}, "CUNO"); err != nil {
			if a.isNotFound(err, "CUNO") {
				return "", &DependencyError{Command: id, Missing: "customer", Ref: "CUNO " + ref.ERPCustomerID}
			}
			return "", fmt.Errorf("m3: %s: look up customer %s: %w", id, ref.ERPCustomerID, err)
		}
		return ref.ERPCustomerID, nil
	}
	for _, cand := range customerCandidates(ref.StripeCustomerID) {
		rec, err := a.readOne(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": cand}, "YREF")
		if err != nil {
			if a.isNotFound(err, "CUNO") {
				break
			}
			return "", fmt.Errorf("m3: %s: look up customer %s: %w", id, cand, err)
		}
		if rec["YREF"] == ref.StripeCustomerID {
			return cand, nil
		}
	}
	return "", &DependencyError{Command: id, Missing: "customer", Ref: "Stripe customer " + ref.StripeCustomerID}
}

// lowest is the smallest value of field among recs (M3 numbers of one
// series compare as strings of equal width; shorter sorts first).
func lowest(recs []map[string]string, field string) string {
	return lowestRecord(recs, field)[field]
}

// lowestRecord is the record of recs with the smallest value of field (as
// lowest), nil when recs is empty.
func lowestRecord(recs []map[string]string, field string) map[string]string {
	var best map[string]string
	for _, r := range recs {
		v, b := r[field], best[field]
		if b == "" || len(v) < len(b) || (len(v) == len(b) && v < b) {
			best = r
		}
	}
	return best
}
