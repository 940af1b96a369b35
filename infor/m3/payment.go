package m3

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// PaymentResult is what ApplyPayment did.
type PaymentResult struct {
	StatementNumber string // STNB of the payment's bank statement
	OrderNumber     string
	InvoiceNumber   string
	Applied         bool // this call allocated the payment (false: it was already)
}

// ApplyPayment books a Stripe payment on the Stripe balance's bank account
// (Config.PaymentBank) as a bank statement (ABS100MI AddStatmtHead, REFE =
// PaymentReference) with one line, whose detail allocates the amount to the
// order's invoice, lowering its open amount (paid at zero). The line's text
// starts with the invoice number ("inv <CINO> …", see paymentLineText), so
// that a refund which names only the charge finds the invoice the payment
// went to (CreateCreditMemo). An order or invoice not in M3 yet is a
// *DependencyError. The amount must be in the invoice's currency.
func (a *Adapter) ApplyPayment(ctx context.Context, cmd command.ApplyPayment) (PaymentResult, error) {
	id := cmd.CommandID
	if id == "" {
		id = "payment:" + cmd.StripeChargeID
	}
	if cmd.StripeChargeID == "" {
		return PaymentResult{}, invalidf("%s: no Stripe charge id", id)
	}
	if cmd.Amount.Minor <= 0 {
		return PaymentResult{}, invalidf("%s: amount %s must be positive", id, cmd.Amount)
	}
	cucd := strings.ToUpper(cmd.Amount.Currency)
	stdt, err := m3Date(cmd.PaymentDate)
	if err != nil {
		return PaymentResult{}, fmt.Errorf("%s: %w", id, err)
	}
	if stdt == "" {
		stdt = a.today()
	}

	orno, cino, cuno, invCur, err := a.findInvoice(ctx, id, cmd.OrderRef)
	if err != nil {
		return PaymentResult{}, err
	}
	if invCur != cucd {
		return PaymentResult{}, invalidf("%s: payment in %s, invoice %s in %s", id, cucd, cino, invCur)
	}
	res := PaymentResult{OrderNumber: orno, InvoiceNumber: cino}
	refe := PaymentReference(cmd.StripeChargeID)
	acam := command.Decimal(command.Money{Minor: cmd.Amount.Minor, Currency: cucd})

	stnb, lines, err := a.findStatement(ctx, id, a.cfg.PaymentBank, refe)
	if err != nil {
		return PaymentResult{}, err
	}
	if stnb == "" {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtHead", map[string]string{
			"BKID": a.cfg.PaymentBank, "STDT": stdt, "CUCD": cucd, "REFE": refe, "TX40": cut(cmd.StripeChargeID, 40),
		})
		if err != nil {
			return PaymentResult{}, fmt.Errorf("m3: %s: add bank statement: %w", id, err)
		}
		stnb = rec["STNB"]
	}
	res.StatementNumber = stnb
	lino := ""
	if len(lines) > 0 {
		lino = lines[0]["LINO"]
		switch nodt := lines[0]["NODT"]; nodt {
		case "0":
		case "":
			// Fail closed: without the detail count we cannot tell whether
			// the money was allocated.
			return PaymentResult{}, fmt.Errorf("m3: %s: bank statement %s line %s: no detail count NODT", id, stnb, lino)
		default:
			return res, nil // allocated already
		}
	} else {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtLine", map[string]string{
			"STNB": stnb, "ACAM": acam, "VLDT": stdt, "REFE": fits(cmd.StripeChargeID, 30),
			"TX40": paymentLineText(cino, cmd.BalanceTransactionID, cmd.StripeChargeID),
		})
		if err != nil {
			return PaymentResult{}, fmt.Errorf("m3: %s: add line to bank statement %s: %w", id, stnb, err)
		}
		lino = rec["LINO"]
	}
	if _, err := a.exec(ctx, "ABS100MI", "AddStatmtDetail", map[string]string{
		"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": acam, "CUNO": cuno, "TX40": cut(cmd.StripeChargeID, 40),
	}); err != nil {
		return PaymentResult{}, fmt.Errorf("m3: %s: allocate %s %s to invoice %s: %w", id, acam, cucd, cino, err)
	}
	res.Applied = true
	return res, nil
}

// findInvoice finds an order by its reference and the invoice it produced;
// either missing is a *DependencyError. An order of a Stripe object whose
// invoice this adapter has seen is read through the invoice alone (see
// invoiceHints).
func (a *Adapter) findInvoice(ctx context.Context, id string, ref command.OrderRef) (orno, cino, cuno, cucd string, err error) {
	var cuor string
	if ref.ERPOrderNumber == "" && ref.StripeObjectID != "" {
		cuor = OrderReference(ref.StripeObjectID)
		if hint := a.hints.get(cuor); hint != "" {
			inv, err := a.readOne(ctx, "ARS200MI", "GetInvoice", map[string]string{"CINO": hint, "DIVI": a.cfg.Division},
				"CINO", "ORNO", "CUOR", "CUNO", "CUCD", "CRIN")
			var nok *infor.NOKError
			switch {
			case err == nil && inv["CINO"] == hint && inv["CUOR"] == cuor && inv["CRIN"] == "" && inv["ORNO"] != "":
				return inv["ORNO"], hint, inv["CUNO"], inv["CUCD"], nil
			case err != nil && !errors.As(err, &nok):
				return "", "", "", "", fmt.Errorf("m3: %s: read invoice %s of order %s: %w", id, hint, cuor, err)
			}
			// Not (or no longer) this order's invoice, or M3 refused to
			// read it: forget the hint and look the order up.
			a.hints.drop(cuor)
		}
	}
	orno, err = a.findOrderNumber(ctx, id, ref)
	if err != nil {
		return "", "", "", "", err
	}
	invs, err := a.read(ctx, "ARS200MI", "LstInvoices", map[string]string{"ORNO": orno, "DIVI": a.cfg.Division}, "CINO", "CRIN", "CUNO", "CUCD")
	if err != nil {
		return "", "", "", "", fmt.Errorf("m3: %s: invoices of order %s: %w", id, orno, err)
	}
	if len(invs) == 0 {
		return "", "", "", "", &DependencyError{Command: id, Missing: "invoice", Ref: "order " + orno}
	}
	var own []map[string]string
	for _, inv := range invs {
		if inv["CRIN"] == "" { // not a credit note
			own = append(own, inv)
		}
	}
	if len(own) == 0 {
		return "", "", "", "", &DependencyError{Command: id, Missing: "invoice", Ref: "order " + orno}
	}
	cino = lowest(own, "CINO")
	for _, inv := range invs {
		if inv["CINO"] == cino {
			cuno, cucd = inv["CUNO"], inv["CUCD"]
		}
	}
	a.hints.put(cuor, cino)
	return orno, cino, cuno, cucd, nil
}

// findStatement looks a bank statement up by bank account and reference and
// returns its number and lines ("" when there is none).
func (a *Adapter) findStatement(ctx context.Context, id, bkid, refe string) (string, []map[string]string, error) {
	sts, err := a.read(ctx, "ABS100MI", "LstStatmt", map[string]string{"BKID": bkid, "REFE": refe}, "STNB")
	if err != nil {
		return "", nil, fmt.Errorf("m3: %s: look up bank statement %s: %w", id, refe, err)
	}
	if len(sts) == 0 {
		return "", nil, nil
	}
	stnb := lowest(sts, "STNB")
	lines, err := a.exec(ctx, "ABS100MI", "LstStatmtLine", map[string]string{"STNB": stnb})
	if err != nil {
		return "", nil, fmt.Errorf("m3: %s: lines of bank statement %s: %w", id, stnb, err)
	}
	return stnb, lines, nil
}
