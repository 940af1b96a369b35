package scenario

import (
	"fmt"
	"io"
	"strings"
)

// Summary writes the reconciliation a finance person reads: per currency,
// each figure as Stripe has it and as Infor booked it, every disagreement
// marked, and a last line saying whether the books agree. A figure that
// is zero on both sides is left out. It returns the mismatches it marked.
//
//	USD                       Stripe       Infor M3
//	  Charged              12,345.67      12,345.67
//	  Fees                    358.03         357.73   << MISMATCH: Infor 0.30 less
func Summary(w io.Writer, title string, stripe, infor Books) ([]Mismatch, error) {
	mism := Compare(stripe, infor)
	bad := map[string]Mismatch{}
	for _, m := range mism {
		bad[m.Currency+"/"+m.Figure] = m
	}
	type row struct{ label, s, i, mark string }
	var rows []row
	for _, c := range currencies(stripe, infor) {
		rows = append(rows, row{label: c, s: "Stripe", i: "Infor M3"})
		s, i := stripe.Get(c), infor.Get(c)
		for _, f := range figureNames {
			sv, iv := f.get(&s), f.get(&i)
			if sv == 0 && iv == 0 {
				continue
			}
			r := row{label: "  " + f.label, s: FormatAmount(sv, c), i: FormatAmount(iv, c)}
			if m, ok := bad[c+"/"+f.label]; ok {
				d := m.Infor - m.Stripe
				how := "more"
				if d < 0 {
					d, how = -d, "less"
				}
				r.mark = "<< MISMATCH: Infor " + FormatAmount(d, c) + " " + how
			}
			rows = append(rows, r)
		}
		rows = append(rows, row{})
	}
	lw, aw := 0, 0
	for _, r := range rows {
		lw = max(lw, len(r.label))
		aw = max(aw, len(r.s), len(r.i))
	}
	var b strings.Builder
	mode := "live mode"
	if !stripe.Livemode {
		mode = "test mode"
	}
	fmt.Fprintf(&b, "%s (%s)\n\n", title, mode)
	if len(rows) == 0 {
		b.WriteString("  nothing booked\n\n")
	}
	for _, r := range rows {
		if r.label == "" {
			b.WriteString("\n")
			continue
		}
		line := fmt.Sprintf("%-*s  %*s  %*s", lw, r.label, aw, r.s, aw, r.i)
		if r.mark != "" {
			line += "   " + r.mark
		}
		b.WriteString(line + "\n")
	}
	if len(mism) == 0 {
		b.WriteString("All figures agree: the books balance.\n")
	} else {
		fmt.Fprintf(&b, "%d figure(s) DO NOT AGREE (marked << MISMATCH above).\n", len(mism))
	}
	_, err := io.WriteString(w, b.String())
	return mism, err
}
