package emulator

import (
	"strings"
	"testing"
)

// Each NOK M3 would give, with the field it names and words a person can
// act on.
func TestValidationNOKs(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Ada Lovelace")
	temp := te.ok("OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno})[0]["ORNO"]
	bchn := te.ok("GLS840MI", "AddBatchHead", nil)[0]["BCHN"]
	long := func(n int) string { return strings.Repeat("X", n) }

	cases := []struct {
		name, prog, trans string
		fields            map[string]string
		field, code, msg  string
	}{
		{"unknown program", "XXX999MI", "Get", nil, "", "WPR0103", "Program XXX999MI does not exist"},
		{"unknown transaction", "CRS610MI", "Delete", nil, "", "WTR0103", `Transaction "Delete" does not exist in program CRS610MI`},
		{"unknown field", "CRS610MI", "GetBasicData", map[string]string{"CUNO": cuno, "CUNX": "1"}, "CUNX", "WCU0109", "Field CUNX is not an input field of CRS610MI/GetBasicData"},
		{"mandatory", "CRS610MI", "Add", map[string]string{"TOWN": "Paris"}, "CUNM", "WCU0102", "Customer name (CUNM) must be entered"},
		{"CUNO too long", "CRS610MI", "Add", map[string]string{"CUNO": long(11), "CUNM": "x"}, "CUNO", "WCU0105", "at most 10"},
		{"CUNM too long", "CRS610MI", "Add", map[string]string{"CUNM": long(37)}, "CUNM", "WCU0105", "at most 36"},
		{"CUA1 too long", "CRS610MI", "Add", map[string]string{"CUNM": "x", "CUA1": long(37)}, "CUA1", "WCU0105", "at most 36"},
		{"TOWN too long", "CRS610MI", "Add", map[string]string{"CUNM": "x", "TOWN": long(21)}, "TOWN", "WTO0105", "at most 20"},
		{"PHNO too long", "CRS610MI", "Add", map[string]string{"CUNM": "x", "PHNO": long(17)}, "PHNO", "WPH0105", "at most 16"},
		{"MAIL too long", "CRS610MI", "Add", map[string]string{"CUNM": "x", "MAIL": long(61)}, "MAIL", "WMA0105", "at most 60"},
		{"CSCD too long", "CRS610MI", "Add", map[string]string{"CUNM": "x", "CSCD": "USA1"}, "CSCD", "WCS0105", "at most 3"},
		{"CUOR too long (a Stripe id)", "OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "CUOR": "ch_3OqXe2LkdIwHu7ix1pOc0Ywe"}, "CUOR", "WCU0105", `Customer's order number (CUOR) "ch_3OqXe2LkdIwHu7ix1pOc0Ywe" is 27 characters long; at most 20 are allowed`},
		{"ITNO too long", "MMS200MI", "GetItmBasic", map[string]string{"ITNO": long(16)}, "ITNO", "WIT0105", "at most 15"},
		{"TX40 too long", "GLS840MI", "AddBatchHead", map[string]string{"TX40": long(41)}, "TX40", "WTX0105", "at most 40"},
		{"unknown customer", "CRS610MI", "GetBasicData", map[string]string{"CUNO": "XYZ"}, "CUNO", "WCU0103", "Customer number XYZ does not exist"},
		{"unknown customer on order", "OIS100MI", "AddBatchHead", map[string]string{"CUNO": "NOPE"}, "CUNO", "WCU0103", "Customer number NOPE does not exist"},
		{"unknown item", "MMS200MI", "GetItmBasic", map[string]string{"ITNO": "GADGET"}, "ITNO", "WIT0103", "Item number GADGET does not exist"},
		{"unknown item on order line", "OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "GADGET", "ORQT": "1"}, "ITNO", "WIT0103", "Item number GADGET does not exist"},
		{"unknown currency", "CRS055MI", "Get", map[string]string{"CUCD": "XXX"}, "CUCD", "WCU0103", "Currency XXX does not exist"},
		{"unknown currency on customer", "CRS610MI", "Add", map[string]string{"CUNM": "x", "CUCD": "ABC"}, "CUCD", "WCU0103", "Currency ABC does not exist"},
		{"unknown currency on journal", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "1", "CUCD": "ZZZ"}, "CUCD", "WCU0103", "Currency ZZZ does not exist"},
		{"unknown template", "CRS610MI", "Add", map[string]string{"CUNM": "x", "CUTM": "NOPE"}, "CUTM", "WCU0103", "Customer template NOPE does not exist; known: STRIPE, STRIPEEU"},
		{"unknown order type", "OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "ORTP": "ZZ"}, "ORTP", "WOR0103", "Customer order type ZZ does not exist"},
		{"unknown account", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "9999", "ACAM": "1", "CUCD": "USD"}, "AIT1", "WAI0103", "Account 9999 does not exist"},
		{"duplicate customer", "CRS610MI", "Add", map[string]string{"CUNO": cuno, "CUNM": "Again"}, "CUNO", "WCU0104", "Customer number " + cuno + " already exists"},
		{"amount not a number", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "12,50", "CUCD": "USD"}, "ACAM", "WAC0101", "is not a valid number"},
		{"amount with exponent", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "1e3", "CUCD": "USD"}, "ACAM", "WAC0101", "is not a valid number"},
		{"too many decimals for USD", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "10.005", "CUCD": "USD"}, "ACAM", "WAC0101", "more decimals than currency USD allows (2)"},
		{"decimals on JPY", "GLS840MI", "AddBatchLine", map[string]string{"BCHN": bchn, "AIT1": "1930", "ACAM": "100.5", "CUCD": "JPY"}, "ACAM", "WAC0101", "more decimals than currency JPY allows (0)"},
		{"bad date", "OIS100MI", "AddBatchHead", map[string]string{"CUNO": cuno, "ORDT": "20250231"}, "ORDT", "WOR0101", "use YYYYMMDD"},
		{"zero quantity", "OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "WIDGET", "ORQT": "0"}, "ORQT", "WOR0101", "must be greater than zero"},
		{"unknown order", "OIS100MI", "GetHead", map[string]string{"ORNO": "1234"}, "ORNO", "WOR0103", "Customer order number 1234 does not exist"},
		{"unknown invoice", "ARS200MI", "GetInvoice", map[string]string{"CINO": "1"}, "CINO", "WCI0103", "Invoice number 1 does not exist"},
		{"confirm without lines", "OIS100MI", "Confirm", map[string]string{"ORNO": temp}, "ORNO", "WOR0106", "has no lines"},
		{"unknown bank account", "ABS100MI", "AddStatmtHead", map[string]string{"BKID": "NOPE", "STDT": "20250101", "CUCD": "USD"}, "BKID", "WBK0103", "Bank account identity NOPE does not exist"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := te.fail(c.prog, c.trans, c.fields)
			if res.ErrorField != c.field || res.ErrorCode != c.code || !strings.Contains(res.ErrorMessage, c.msg) {
				t.Fatalf("got field %q code %q message %q;\nwant field %q code %q message containing %q",
					res.ErrorField, res.ErrorCode, res.ErrorMessage, c.field, c.code, c.msg)
			}
		})
	}
	// None of the refused transactions left anything behind.
	st := te.state()
	if len(st.Customers) != 1 || len(st.GLBatches) != 1 || len(st.GLBatches[0].Lines) != 0 || len(st.Orders) != 1 {
		t.Fatalf("refused transactions changed state: %+v", st)
	}
}

func TestNonStringBulkValue(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	code, r := te.bulk(`{"program":"CRS055MI","transactions":[{"transaction":"Get","record":{"CUCD":840}}]}`)
	if code != 200 || r.NrOfFailedTransactions != 1 || r.Results[0].ErrorField != "CUCD" || !strings.Contains(r.Results[0].ErrorMessage, "must be a JSON string") {
		t.Fatalf("%d %+v", code, r)
	}
}

// In the GET form every query parameter but the API's own options is an
// input field, whatever its case or length, so a misspelling is a NOK.
func TestUnknownQueryParameterIsNOK(t *testing.T) {
	te := newEnv(t, quiet())
	te.login()
	cuno := te.addCustomer("Ada")
	for _, tc := range []struct{ name, code string }{
		{"cuno", "WCU0109"},  // lower case
		{"CUNMX", "WCU0109"}, // five letters
		{"Cuno", "WCU0109"},  // mixed case
		{"X", "WXX0109"},     // one letter
		{"CUSTNUMBER", "WCU0109"},
	} {
		r := te.fail("CRS610MI", "ChgBasicData", map[string]string{"CUNO": cuno, "CUNM": "Bob", tc.name: "1"})
		if r.ErrorField != tc.name || r.ErrorCode != tc.code || !strings.Contains(r.ErrorMessage, "Field "+tc.name+" is not an input field of CRS610MI/ChgBasicData") {
			t.Errorf("%s: %+v", tc.name, r)
		}
	}
	// Nothing changed, and the control parameters are still options, not fields.
	if c := te.ok("CRS610MI", "GetBasicData", map[string]string{"CUNO": cuno, "returncols": "CUNM", "excludeEmptyValues": "true"})[0]; c["CUNM"] != "Ada" || len(c) != 1 {
		t.Fatalf("after refused changes: %v", c)
	}
	if l := te.ok("CRS610MI", "LstByNumber", map[string]string{"maxrecs": "1"}); len(l) != 1 {
		t.Fatalf("maxrecs: %v", l)
	}
}
