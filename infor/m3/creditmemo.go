package m3

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/internal/command"
)

// CreditMemoResult is what CreateCreditMemo did.
type CreditMemoResult struct {
	CreditNoteNumber string // CINO of the credit note
	InvoiceNumber    string // CINO of the invoice credited
	Created          bool
}

// RefundReference is the YREF of the credit note of a Stripe refund.
func RefundReference(stripeRefundID string) string {
	return Reference('R', "refund:"+stripeRefundID, 30)
}

// CreateCreditMemo credits the order's invoice for a refund (ARS200MI
// AddCrdtNote, YREF = RefundReference), after looking the reference up
// (LstInvoices by YREF). When no order exists for OrderRef.StripeObjectID,
// the object is taken to be a charge and the invoice its payment was
// allocated to is credited (a refund of an invoice's charge names the
// charge; the order and the payment belong to the invoice): see
// invoiceOfPayment. Neither order nor payment in M3 yet, or an invoice not
// there yet, is a *DependencyError; the amount must be in the invoice's
// currency. Stripe pays the refund back at once, out of the Stripe balance,
// so the credit note is settled in the same command (settleCreditNote;
// when this call made the credit note, without looking for a settlement
// first: none can exist before its credit note).
func (a *Adapter) CreateCreditMemo(ctx context.Context, cmd command.CreateCreditMemo) (CreditMemoResult, error) {
	re := cmd.StripeRefundID
	if re == "" {
		re = strings.TrimPrefix(cmd.CommandID, "refund:")
	}
	id := cmd.CommandID
	if id == "" {
		id = "refund:" + re
	}
	if re == "" {
		return CreditMemoResult{}, invalidf("%s: no refund id", id)
	}
	if cmd.Amount.Minor <= 0 {
		return CreditMemoResult{}, invalidf("%s: amount %s must be positive", id, cmd.Amount)
	}
	if _, err := m3Date(cmd.RefundDate); err != nil { // before anything is written
		return CreditMemoResult{}, fmt.Errorf("%s: refund date: %w", id, err)
	}
	yref := RefundReference(re)
	found, err := a.read(ctx, "ARS200MI", "LstInvoices", map[string]string{"YREF": yref, "DIVI": a.cfg.Division}, "CINO", "CRIN", "IVAM", "CUCD")
	if err != nil {
		return CreditMemoResult{}, fmt.Errorf("m3: %s: look up credit note %s: %w", id, yref, err)
	}
	if len(found) > 0 {
		cn := lowest(found, "CINO")
		for _, f := range found {
			if f["CINO"] == cn {
				res := CreditMemoResult{CreditNoteNumber: cn, InvoiceNumber: f["CRIN"]}
				return res, a.settleCreditNote(ctx, id, re, cmd.RefundDate, f, false)
			}
		}
	}
	_, cino, _, cucd, err := a.findInvoice(ctx, id, cmd.OrderRef)
	var de *DependencyError
	if errors.As(err, &de) && de.Missing == "order" && cmd.OrderRef.ERPOrderNumber == "" && cmd.OrderRef.StripeObjectID != "" {
		// No order for the object: the refund of an invoice's charge names
		// the charge, while the order and the payment are the invoice's.
		// The charge's payment knows which invoice it paid.
		cino, cucd, err = a.invoiceOfPayment(ctx, id, cmd.OrderRef.StripeObjectID, de.Ref)
	}
	if err != nil {
		return CreditMemoResult{}, err
	}
	if !strings.EqualFold(cmd.Amount.Currency, cucd) {
		return CreditMemoResult{}, invalidf("%s: refund in %s, invoice %s in %s", id, cmd.Amount.Currency, cino, cucd)
	}
	rec, err := a.one(ctx, "ARS200MI", "AddCrdtNote", map[string]string{
		"CINO": cino, "IVAM": command.Decimal(cmd.Amount), "YREF": yref, "DIVI": a.cfg.Division,
		"TX40": cut(strings.TrimSpace(re+" "+cmd.Reason), 40),
	})
	if err != nil {
		return CreditMemoResult{}, fmt.Errorf("m3: %s: credit invoice %s: %w", id, cino, err)
	}
	res := CreditMemoResult{CreditNoteNumber: rec["CINO"], InvoiceNumber: cino, Created: true}
	cn := map[string]string{"CINO": rec["CINO"], "IVAM": rec["IVAM"], "CUCD": cucd}
	return res, a.settleCreditNote(ctx, id, re, cmd.RefundDate, cn, true)
}
