package m3

import (
	"context"
	"fmt"
	"strings"
)

// RefundSettlementReference is the REFE of the statement on the Stripe
// balance's bank account that pays a refund back.
func RefundSettlementReference(stripeRefundID string) string {
	return Reference('B', "refund:"+stripeRefundID, lenREFE)
}

// settleCreditNote books the money of a refund leaving the Stripe balance:
// a statement on Config.PaymentBank (REFE RefundSettlementReference) with
// one line of minus the credit note's amount, allocated to the credit
// note. The credit note's open amount goes to zero (a credit note left open
// would be a negative open amount: money owed to a customer who has it
// back already), and M3's cash voucher moves the refund out of the Stripe
// clearing account (receivable Dr / clearing Cr). cn is the credit note as
// ARS200MI lists it (CINO, IVAM negative, CUCD). Resuming after an
// interruption is as for ApplyPayment: a line whose detail count is not
// zero is done.
//
// created says the caller has just made the credit note, after finding
// none with the refund's reference: then its settlement is not looked up,
// since it is only ever written after its credit note. A retry after a
// crash at any later step finds the credit note, passes created false and
// resumes from what the lookup finds.
func (a *Adapter) settleCreditNote(ctx context.Context, id, re, date string, cn map[string]string, created bool) error {
	stdt, err := m3Date(date)
	if err != nil {
		return fmt.Errorf("%s: refund date: %w", id, err)
	}
	if stdt == "" {
		stdt = a.today()
	}
	cino, ivam, cucd := cn["CINO"], strings.TrimSpace(cn["IVAM"]), strings.ToUpper(cn["CUCD"])
	if !strings.HasPrefix(ivam, "-") || cucd == "" {
		return fmt.Errorf("m3: %s: credit note %s: amount %q / currency %q is not a credit note's", id, cino, ivam, cucd)
	}
	refe := RefundSettlementReference(re)
	var stnb string
	var lines []map[string]string
	if !created {
		var err error
		if stnb, lines, err = a.findStatement(ctx, id, a.cfg.PaymentBank, refe); err != nil {
			return err
		}
	}
	if stnb == "" {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtHead", map[string]string{
			"BKID": a.cfg.PaymentBank, "STDT": stdt, "CUCD": cucd, "REFE": refe, "TX40": cut("Stripe refund "+re, 40),
		})
		if err != nil {
			return fmt.Errorf("m3: %s: add refund statement: %w", id, err)
		}
		stnb = rec["STNB"]
	}
	lino := ""
	if len(lines) > 0 {
		lino = lines[0]["LINO"]
		switch lines[0]["NODT"] {
		case "0":
		case "":
			return fmt.Errorf("m3: %s: bank statement %s line %s: no detail count NODT", id, stnb, lino)
		default:
			return nil // settled already
		}
	} else {
		rec, err := a.one(ctx, "ABS100MI", "AddStatmtLine", map[string]string{
			"STNB": stnb, "ACAM": ivam, "VLDT": stdt, "REFE": fits(re, lenREFE), "TX40": cut("cn "+cino+" "+re, 40),
		})
		if err != nil {
			return fmt.Errorf("m3: %s: add line to refund statement %s: %w", id, stnb, err)
		}
		lino = rec["LINO"]
	}
	if _, err := a.exec(ctx, "ABS100MI", "AddStatmtDetail", map[string]string{
		"STNB": stnb, "LINO": lino, "CINO": cino, "ACAM": ivam, "TX40": cut(re, 40),
	}); err != nil {
		return fmt.Errorf("m3: %s: settle credit note %s with %s %s: %w", id, cino, ivam, cucd, err)
	}
	return nil
}
