package m3

import (
	"context"
	"fmt"
	"strings"
)

// paymentLinePrefix starts the text (TX40) of a payment's bank statement
// line, followed by the invoice number the line's detail pays.
//
// Why the invoice number is in a text field: M3 keeps the allocation in the
// line's details, but the MI transactions the adapter can rely on list a
// statement's lines (LstStatmtLine: REFE, TX40, NODT, DTAM) and not their
// details. A refund that names only its charge (2023-10-16 refunds do not
// name the invoice) must find the invoice the charge's payment went to, so
// the payment writes it where a lookup can read it back. The line's REFE
// keeps the charge id, as before.
const paymentLinePrefix = "inv "

// paymentLineText is the TX40 of a payment's statement line: "inv <CINO>",
// then the balance transaction (or else the charge) id when it fits 40
// characters whole, else "Stripe payment". An id is never cut: a cut id
// would look like a different one.
func paymentLineText(cino, txn, charge string) string {
	base := paymentLinePrefix + cino
	for _, s := range []string{txn, charge, "Stripe payment"} {
		if s != "" && len(base)+1+len(s) <= 40 {
			return base + " " + s
		}
	}
	return cut(base, 40)
}

// invoiceInLineText reads the invoice number back from a payment line's
// TX40; "" when the text does not start with paymentLinePrefix (a line
// written before the adapter recorded it).
func invoiceInLineText(tx40 string) string {
	rest, ok := strings.CutPrefix(strings.TrimSpace(tx40), paymentLinePrefix)
	if !ok {
		return ""
	}
	cino, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	return cino
}

// invoiceOfPayment finds the invoice the payment of charge was allocated
// to: the bank statement on Config.PaymentBank with REFE
// PaymentReference(charge) that ApplyPayment wrote, its line's invoice
// number (paymentLineText), checked with ARS200MI GetInvoice. It is how a
// refund of an invoice's charge, which names the charge and not the
// invoice, finds the invoice whose order the payment was booked against.
// No statement, or one without its line yet, is a *DependencyError (the
// payment may still come); missing is what the caller looked for first, for
// the error's text.
func (a *Adapter) invoiceOfPayment(ctx context.Context, id, charge, missing string) (cino, cucd string, err error) {
	refe := PaymentReference(charge)
	stnb, lines, err := a.findStatement(ctx, id, a.cfg.PaymentBank, refe)
	if err != nil {
		return "", "", err
	}
	if stnb == "" {
		return "", "", &DependencyError{Command: id, Missing: "order or payment",
			Ref: missing + "; no payment of " + charge + " (bank statement REFE " + refe + " on " + a.cfg.PaymentBank + ")"}
	}
	if len(lines) == 0 {
		return "", "", &DependencyError{Command: id, Missing: "payment",
			Ref: "bank statement " + stnb + " of " + charge + " has no line yet"}
	}
	line := lines[0] // a payment's statement has one line (ApplyPayment)
	cino = invoiceInLineText(line["TX40"])
	if cino == "" {
		return "", "", invalidf("%s: the payment of %s (bank statement %s line %s, %q) does not name its invoice; credit the invoice by hand",
			id, charge, stnb, line["LINO"], line["TX40"])
	}
	inv, err := a.readOne(ctx, "ARS200MI", "GetInvoice", map[string]string{"CINO": cino, "DIVI": a.cfg.Division}, "CINO", "CRIN", "CUCD")
	if err != nil {
		if a.isNotFound(err, "CINO") {
			return "", "", fmt.Errorf("m3: %s: invoice %s named by the payment of %s (bank statement %s) does not exist: %w", id, cino, charge, stnb, err)
		}
		return "", "", fmt.Errorf("m3: %s: read invoice %s of the payment of %s: %w", id, cino, charge, err)
	}
	if inv["CRIN"] != "" {
		return "", "", fmt.Errorf("m3: %s: %s named by the payment of %s is a credit note of %s, not an invoice", id, cino, charge, inv["CRIN"])
	}
	return cino, inv["CUCD"], nil
}
