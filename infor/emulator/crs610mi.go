package emulator

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// CRS610MI is M3's customer API.
//
//	Add           in: CUNO (blank: next number of series CUNO), CUNM!, CUTM, address and contact
//	              fields, CUCD, TEPY, PYCD, ORTP, LNCD, CUTP, STAT, YREF, YRE2, VRNO   out: CUNO
//	ChgBasicData  in: CUNO!, any basic field but CUTM; blank fields are left unchanged
//	GetBasicData  in: CUNO!   out: every basic field
//	LstByNumber   in: CUNO (start, inclusive)   out: customers from CUNO on, by number
//	AddAddress    in: CUNO!, ADRT!, ADID!, CUNM, CUA1-CUA4, TOWN, PONO, CSCD, ECAR, PHNO
//	ChgAddress    in: CUNO!, ADRT!, ADID!, CUNM, CUA1-CUA4, TOWN, PONO, CSCD, ECAR, PHNO;
//	              blank fields are left unchanged
//	LstAddress    in: CUNO!, ADRT   out: CUNO, ADRT, ADID, CUNM, CUA1-CUA4, TOWN, PONO, CSCD,
//	              ECAR, PHNO, by ADRT and ADID
//
// Add starts from the customer template (CUTM, or the seed's default
// template) and lays the given fields over it, as M3 copies a template
// customer; currency, payment terms and method and order type must exist.
//
// Addresses (M3's OCUSAD) are keyed by customer, address type ADRT (01 is
// the invoice address) and address id ADID: AddAddress refuses a key that
// exists, ChgAddress one that does not. The emulator's choice where M3
// differs: LstAddress takes ADRT as a filter (only that type; blank: every
// type) rather than as the start of a key range, and takes no ADID; an
// address is not checked against the country or state tables.
func crs610mi() program {
	basic := []string{"CUNM", "CUA1", "CUA2", "CUA3", "CUA4", "TOWN", "PONO", "CSCD", "ECAR",
		"PHNO", "PHN2", "TFNO", "MAIL", "CUCD", "TEPY", "PYCD", "ORTP", "LNCD", "CUTP", "STAT",
		"YREF", "YRE2", "VRNO"}
	addIn := append([]string{"CUNO", "CUNM!", "CUTM"}, basic[1:]...)
	chgIn := append([]string{"CUNO!"}, basic...)
	return program{
		"Add":          {inputs: inputs(addIn...), mutates: true, run: customerAdd},
		"ChgBasicData": {inputs: inputs(chgIn...), mutates: true, run: customerChange},
		"GetBasicData": {inputs: inputs("CUNO!"), run: customerGet},
		"LstByNumber":  {inputs: inputs("CUNO"), list: true, run: customerList},
		"AddAddress":   {inputs: inputs(addressIn...), mutates: true, run: customerAddAddress},
		"ChgAddress":   {inputs: inputs(addressIn...), mutates: true, run: customerChangeAddress},
		"LstAddress":   {inputs: inputs("CUNO!", "ADRT"), list: true, run: customerListAddresses},
	}
}

// addressIn are AddAddress's and ChgAddress's input fields; addressFields
// the data fields of an address, in the order LstAddress returns them after
// CUNO, ADRT and ADID.
var (
	addressFields = []string{"CUNM", "CUA1", "CUA2", "CUA3", "CUA4", "TOWN", "PONO", "CSCD", "ECAR", "PHNO"}
	addressIn     = append([]string{"CUNO!", "ADRT!", "ADID!"}, addressFields...)
)

func customerAdd(x *exec) ([]record, *nok) {
	tmpl, ok := x.md.template(x.get("CUTM"))
	if !ok && x.get("CUTM") != "" {
		return nil, notFound("CUTM", x.get("CUTM"), keysOf(x.md.seed.CustomerTemplates, func(t CustomerTemplate) string { return t.CUTM }))
	}
	c := &Customer{CUTM: tmpl.CUTM}
	for k, v := range tmpl.Fields {
		*c.field(k) = v
	}
	for k, v := range x.in {
		if v != "" && k != "CUTM" {
			*c.field(k) = v
		}
	}
	if c.CUNO != "" {
		if x.st.customers[c.CUNO] != nil {
			return nil, exists("CUNO", c.CUNO)
		}
	}
	if err := x.md.checkCustomerRefs(c); err != nil {
		return nil, err
	}
	if c.CUNO == "" {
		cuno, err := x.st.next("CUNO", func(n string) bool { return x.st.customers[n] != nil })
		if err != nil {
			return nil, err
		}
		c.CUNO = cuno
	}
	if c.STAT == "" {
		c.STAT = "20" // M3's "definite" status
	}
	x.st.addCustomer(c)
	return []record{{"CUNO": c.CUNO}}, nil
}

// customerChange applies the non-blank fields, M3's rule for Chg
// transactions: blank means "leave as is".
func customerChange(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	changed := *c
	for k, v := range x.in {
		if v != "" && k != "CUNO" {
			*changed.field(k) = v
		}
	}
	if err := x.md.checkCustomerRefs(&changed); err != nil {
		return nil, err
	}
	x.st.touchCustomer(c)
	*c = changed
	return nil, nil
}

func customerGet(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	return []record{customerRecord(c)}, nil
}

func customerList(x *exec) ([]record, *nok) {
	all := x.st.sortedCustomers()
	from := sort.Search(len(all), func(i int) bool { return all[i].CUNO >= x.get("CUNO") })
	out := make([]record, 0, len(all)-from)
	for _, c := range all[from:] {
		out = append(out, customerRecord(c))
	}
	return out, nil
}

func customerAddAddress(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	adrt, adid := x.get("ADRT"), x.get("ADID")
	if slices.ContainsFunc(c.Addresses, func(a *Address) bool { return a.ADRT == adrt && a.ADID == adid }) {
		return nil, &nok{Code: codeFor("ADID", codeExists), Field: "ADID",
			Message: fmt.Sprintf("Address number %s of address type %s already exists for customer %s", adid, adrt, c.CUNO)}
	}
	x.st.touchCustomer(c)
	c.Addresses = append(c.Addresses, &Address{
		ADRT: adrt, ADID: adid, CUNM: x.get("CUNM"),
		CUA1: x.get("CUA1"), CUA2: x.get("CUA2"), CUA3: x.get("CUA3"), CUA4: x.get("CUA4"),
		TOWN: x.get("TOWN"), PONO: x.get("PONO"), CSCD: x.get("CSCD"), ECAR: x.get("ECAR"), PHNO: x.get("PHNO"),
	})
	return nil, nil
}

// customerChangeAddress applies the non-blank fields to an existing
// address, M3's rule for Chg transactions.
func customerChangeAddress(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	adrt, adid := x.get("ADRT"), x.get("ADID")
	i := slices.IndexFunc(c.Addresses, func(a *Address) bool { return a.ADRT == adrt && a.ADID == adid })
	if i < 0 {
		return nil, &nok{Code: codeFor("ADID", codeNotFound), Field: "ADID",
			Message: fmt.Sprintf("Address number %s of address type %s does not exist for customer %s", adid, adrt, c.CUNO)}
	}
	x.st.touchCustomer(c)
	a := c.Addresses[i]
	for _, f := range addressFields {
		if v := x.get(f); v != "" {
			*a.field(f) = v
		}
	}
	return nil, nil
}

func customerListAddresses(x *exec) ([]record, *nok) {
	c, err := findCustomer(x, x.get("CUNO"))
	if err != nil {
		return nil, err
	}
	addrs := slices.Clone(c.Addresses)
	slices.SortStableFunc(addrs, func(a, b *Address) int {
		if a.ADRT != b.ADRT {
			return strings.Compare(a.ADRT, b.ADRT)
		}
		return strings.Compare(a.ADID, b.ADID)
	})
	out := []record{}
	for _, a := range addrs {
		if adrt := x.get("ADRT"); adrt != "" && a.ADRT != adrt {
			continue
		}
		r := record{"CUNO": c.CUNO, "ADRT": a.ADRT, "ADID": a.ADID}
		for _, f := range addressFields {
			r[f] = *a.field(f)
		}
		out = append(out, r)
	}
	return out, nil
}

// findCustomer is the lookup every program shares: a missing customer is
// the NOK "Customer number X does not exist" on CUNO.
func findCustomer(x *exec, cuno string) (*Customer, *nok) {
	c := x.st.customers[cuno]
	if c == nil {
		return nil, notFound("CUNO", cuno, nil)
	}
	return c, nil
}

func customerRecord(c *Customer) record {
	r := make(record, len(customerFields))
	for _, f := range customerFields {
		r[f] = *c.field(f)
	}
	return r
}
