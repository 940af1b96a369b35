package emulator

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// M3 validates every input field against its definition before the program
// logic runs: a value too long for the field is refused, not cut, and a
// mandatory field left blank is refused with the field named. The emulator
// does the same from this one dictionary, so a field has the same length in
// every transaction, as in M3 where lengths come from the field's data
// dictionary entry.

type fieldKind int

const (
	kindText    fieldKind = iota
	kindDecimal           // strict decimal: optional sign, digits, optional '.' digits
	kindDate              // YYYYMMDD, a real calendar date
	kindNumber            // digits only
)

type fieldDef struct {
	length int
	kind   fieldKind
	desc   string // how M3's messages name the field
}

var dictionary = map[string]fieldDef{
	// Customers (CRS610).
	"CUNO": {10, kindText, "Customer number"},
	"CUNM": {36, kindText, "Customer name"},
	"CUTM": {10, kindText, "Customer template"},
	"CUA1": {36, kindText, "Address line 1"},
	"CUA2": {36, kindText, "Address line 2"},
	"CUA3": {36, kindText, "Address line 3"},
	"CUA4": {36, kindText, "Address line 4"},
	"TOWN": {20, kindText, "City"},
	"PONO": {10, kindText, "Postal code"},
	"CSCD": {3, kindText, "Country"},
	"ECAR": {3, kindText, "State"},
	"PHNO": {16, kindText, "Telephone number 1"},
	"PHN2": {16, kindText, "Telephone number 2"},
	"TFNO": {16, kindText, "Facsimile number"},
	"MAIL": {60, kindText, "E-mail address"},
	"CUCD": {3, kindText, "Currency"},
	"TEPY": {3, kindText, "Payment terms"},
	"PYCD": {3, kindText, "Payment method"},
	"ORTP": {3, kindText, "Customer order type"},
	"LNCD": {2, kindText, "Language"},
	"CUTP": {1, kindNumber, "Customer type"},
	"STAT": {2, kindText, "Status"},
	"YREF": {30, kindText, "Your reference"},
	"YRE2": {30, kindText, "Your reference 2"},
	"VRNO": {16, kindText, "VAT registration number"},
	"ADRT": {2, kindNumber, "Address type"},
	"ADID": {6, kindText, "Address number"},
	// Items (MMS200).
	"ITNO": {15, kindText, "Item number"},
	// Customer orders (OIS100).
	"ORNO": {10, kindText, "Customer order number"},
	"CUOR": {20, kindText, "Customer's order number"},
	"ORDT": {8, kindDate, "Order date"},
	"RLDT": {8, kindDate, "Requested delivery date"},
	"WHLO": {3, kindText, "Warehouse"},
	"FACI": {3, kindText, "Facility"},
	"PONR": {5, kindNumber, "Order line number"},
	"ORQT": {16, kindDecimal, "Ordered quantity"},
	"SAPR": {18, kindDecimal, "Sales price"},
	"OBLC": {1, kindText, "Order stop code"},
	// Invoices (ARS200).
	"CINO": {10, kindText, "Invoice number"},
	"DIVI": {3, kindText, "Division"},
	"IVAM": {17, kindDecimal, "Invoice amount"},
	// Bank statements (ABS100).
	"BKID": {10, kindText, "Bank account identity"},
	"STNB": {10, kindText, "Statement number"},
	"STDT": {8, kindDate, "Statement date"},
	"VLDT": {8, kindDate, "Value date"},
	"LINO": {7, kindNumber, "Line number"},
	"REFE": {30, kindText, "Reference"},
	// Journals (GLS840).
	"BCHN": {10, kindText, "Batch number"},
	"ACDT": {8, kindDate, "Accounting date"},
	"AIT1": {8, kindText, "Account"},
	"AIT2": {8, kindText, "Accounting dimension 2"},
	"AIT3": {8, kindText, "Accounting dimension 3"},
	"AIT4": {8, kindText, "Accounting dimension 4"},
	"AIT5": {8, kindText, "Accounting dimension 5"},
	"AIT6": {8, kindText, "Accounting dimension 6"},
	"AIT7": {8, kindText, "Accounting dimension 7"},
	"ACAM": {20, kindDecimal, "Amount"},
	"VTXT": {60, kindText, "Voucher text"},
	"TX40": {40, kindText, "Description"},
}

func fieldLength(name string) int { return dictionary[name].length }

// describe is the field's name as a person reads it in a message.
func describe(name string) string {
	if d, ok := dictionary[name]; ok {
		return d.desc
	}
	return "Field " + name
}

// input is one input field of a transaction; mandatory ones must be
// non-blank.
type input struct {
	name      string
	mandatory bool
}

// inputs declares a transaction's input fields; a trailing "!" marks a
// mandatory field ("CUNO!"). It panics on a name missing from the
// dictionary, which only a programming error can cause, at package init.
func inputs(names ...string) []input {
	out := make([]input, len(names))
	for i, n := range names {
		name, mand := strings.CutSuffix(n, "!")
		if _, ok := dictionary[name]; !ok {
			panic("emulator: field " + name + " is not in the dictionary")
		}
		out[i] = input{name, mand}
	}
	return out
}

// validateInput checks a transaction's input record the way M3 does before
// its program logic: every field must be an input field of the transaction,
// mandatory fields must be given, values must fit the field's length and
// form. Trailing blanks are not significant in M3's fixed-width fields, so
// they are dropped first. It returns the cleaned record.
func validateInput(prog, trans string, spec []input, in record) (record, *nok) {
	clean := make(record, len(in))
	names := make([]string, 0, len(in))
	for k := range in {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.ContainsFunc(spec, func(f input) bool { return f.name == k }) {
			valid := make([]string, len(spec))
			for i, f := range spec {
				valid[i] = f.name
			}
			return nil, &nok{Code: codeFor(k, codeUnknownField), Field: k,
				Message: fmt.Sprintf("Field %s is not an input field of %s/%s; its fields are %s", k, prog, trans, strings.Join(valid, ", "))}
		}
		clean[k] = strings.TrimRight(in[k], " ")
	}
	for _, f := range spec {
		v := clean[f.name]
		if v == "" {
			if f.mandatory {
				return nil, mandatory(f.name)
			}
			continue
		}
		def := dictionary[f.name]
		if n := utf8.RuneCountInString(v); n > def.length {
			return nil, &nok{Code: codeFor(f.name, codeTooLong), Field: f.name,
				Message: fmt.Sprintf("%s (%s) %q is %d characters long; at most %d are allowed", def.desc, f.name, v, n, def.length)}
		}
		switch def.kind {
		case kindDecimal:
			if _, ok := parseDecimal(v); !ok {
				return nil, invalid(f.name, fmt.Sprintf("%s (%s) %q is not a valid number; use digits, an optional sign and '.' as decimal point", def.desc, f.name, v))
			}
		case kindDate:
			if _, err := time.Parse("20060102", v); err != nil || len(v) != 8 {
				return nil, invalid(f.name, fmt.Sprintf("%s (%s) %q is not a valid date; use YYYYMMDD", def.desc, f.name, v))
			}
		case kindNumber:
			if !allDigits(v) {
				return nil, invalid(f.name, fmt.Sprintf("%s (%s) %q must contain digits only", def.desc, f.name, v))
			}
		}
	}
	return clean, nil
}
