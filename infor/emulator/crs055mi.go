package emulator

import (
	"slices"
	"strconv"
	"strings"
)

// CRS055MI is M3's currency API. DCCD, the number of decimals, is what a
// client needs to turn Stripe's minor units into M3's decimal strings.
//
//	Get  in: CUCD!   out: CUCD, TX40, DCCD
//	Lst  out: every currency, by code
func crs055mi() program {
	return program{
		"Get": {inputs: inputs("CUCD!"), run: func(x *exec) ([]record, *nok) {
			c, err := x.md.checkCurrency("CUCD", x.get("CUCD"))
			if err != nil {
				return nil, err
			}
			return []record{currencyRecord(c)}, nil
		}},
		"Lst": {list: true, run: func(x *exec) ([]record, *nok) {
			cs := slices.Clone(x.md.seed.Currencies)
			slices.SortFunc(cs, func(a, b Currency) int { return strings.Compare(a.CUCD, b.CUCD) })
			out := make([]record, 0, len(cs))
			for _, c := range cs {
				out = append(out, currencyRecord(c))
			}
			return out, nil
		}},
	}
}

func currencyRecord(c Currency) record {
	return record{"CUCD": c.CUCD, "TX40": c.TX40, "DCCD": strconv.Itoa(c.DCCD)}
}
