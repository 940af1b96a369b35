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

// CustomerResult is what UpsertCustomer did.
type CustomerResult struct {
	// CustomerNumber is the CUNO, to be written back to Stripe as
	// metadata.erp_customer_id.
	CustomerNumber string
	Created        bool // the customer was added
	Changed        bool // an existing customer's data was updated
	// AddressChanged is set when the billing address (ADRT 01, ADID
	// STRIPE) was added or changed.
	AddressChanged bool
}

// existingCols are the fields UpsertCustomer reads of a customer found in
// M3: the Stripe id (collisions), the stored version and the name.
var existingCols = []string{"YREF", "YRE2", "CUNM"}

// The billing address is kept as the customer's invoice address: address
// type 01 with the fixed id STRIPE, so the adapter finds its own address
// among any others the customer has.
const (
	billingADRT = "01"
	billingADID = "STRIPE"
)

// UpsertCustomer creates the M3 customer for a Stripe customer (CRS610MI
// Add) or updates it (ChgBasicData). The customer number is the command's
// ERPCustomerID when given, else a generated one (see the package
// documentation). The Stripe id is kept in YREF and the command's version in
// YRE2 ("V<unix>"): a command older than or as old as the stored version
// changes nothing, so replays and out-of-order events are harmless. M3's Chg
// transactions leave blank fields unchanged, so a field Stripe cleared stays
// in M3.
//
// Once the customer exists, its billing address is upserted as the invoice
// address (ADRT 01, ADID STRIPE): LstAddress, then AddAddress when it is
// absent, ChgAddress when a field differs, nothing when it is equal (a
// customer this call created has no address to list: AddAddress at once,
// see addNewCustomersAddress). A
// command older than the stored version leaves the address alone too; one
// as old as the stored version (a replay) still completes the address, so a
// command interrupted between the customer and its address is finished by
// its retry. A command without any address field writes no address.
func (a *Adapter) UpsertCustomer(ctx context.Context, cmd command.UpsertCustomer) (CustomerResult, error) {
	id := cmd.CommandID
	if id == "" {
		id = "customer:" + cmd.StripeCustomerID
	}
	if cmd.StripeCustomerID == "" && cmd.ERPCustomerID == "" {
		return CustomerResult{}, invalidf("%s: no Stripe or ERP customer id", id)
	}
	if len(cmd.StripeCustomerID) > 30 {
		return CustomerResult{}, invalidf("%s: Stripe customer id %q is longer than YREF (30)", id, cmd.StripeCustomerID)
	}
	data := customerFields(cmd)
	addr := billingAddress(cmd)

	var cuno string
	var existing map[string]string
	if cmd.ERPCustomerID != "" {
		cuno = cmd.ERPCustomerID
		rec, err := a.readOne(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": cuno}, existingCols...)
		if err != nil {
			if a.isNotFound(err, "CUNO") {
				return CustomerResult{}, invalidf("%s: ERP customer %s (metadata.erp_customer_id) does not exist in M3", id, cuno)
			}
			return CustomerResult{}, fmt.Errorf("m3: %s: look up customer %s: %w", id, cuno, err)
		}
		existing = rec
	} else {
		found := false
		for _, cand := range customerCandidates(cmd.StripeCustomerID) {
			rec, err := a.readOne(ctx, "CRS610MI", "GetBasicData", map[string]string{"CUNO": cand}, existingCols...)
			if err != nil {
				if a.isNotFound(err, "CUNO") {
					cuno, found = cand, true
					break
				}
				return CustomerResult{}, fmt.Errorf("m3: %s: look up customer %s: %w", id, cand, err)
			}
			if rec["YREF"] == cmd.StripeCustomerID {
				cuno, existing, found = cand, rec, true
				break
			}
			// A collision: another Stripe customer holds this number.
		}
		if !found {
			return CustomerResult{}, fmt.Errorf("m3: %s: every generated customer number for %s is taken by another customer; set metadata.erp_customer_id", id, cmd.StripeCustomerID)
		}
	}

	if existing == nil {
		fields := data
		fields["CUNO"] = cuno
		fields["CUTM"] = a.cfg.CustomerTemplate
		fields["YREF"] = cmd.StripeCustomerID
		fields["YRE2"] = version(cmd.Version)
		if fields["CUNM"] == "" {
			fields["CUNM"] = cut(firstNonEmpty(cmd.Email, cmd.StripeCustomerID), 36)
		}
		if addr != nil && addr["CUNM"] == "" {
			addr["CUNM"] = fields["CUNM"]
		}
		if _, err := a.exec(ctx, "CRS610MI", "Add", fields); err != nil {
			return CustomerResult{}, fmt.Errorf("m3: %s: add customer %s: %w", id, cuno, err)
		}
		res := CustomerResult{CustomerNumber: cuno, Created: true}
		return a.addNewCustomersAddress(ctx, id, cuno, addr, res)
	}

	if addr != nil && addr["CUNM"] == "" {
		addr["CUNM"] = existing["CUNM"]
	}
	if stored, ok := parseVersion(existing["YRE2"]); ok && stored >= cmd.Version {
		res := CustomerResult{CustomerNumber: cuno}
		if stored > cmd.Version {
			return res, nil // newer data is in M3: change nothing
		}
		// The same version: the customer was written, its address maybe not.
		return a.upsertAddress(ctx, id, cuno, addr, res)
	}
	fields := data
	fields["CUNO"] = cuno
	fields["YRE2"] = version(cmd.Version)
	if existing["YREF"] == "" && cmd.StripeCustomerID != "" {
		fields["YREF"] = cmd.StripeCustomerID
	}
	if _, err := a.exec(ctx, "CRS610MI", "ChgBasicData", fields); err != nil {
		return CustomerResult{}, fmt.Errorf("m3: %s: change customer %s: %w", id, cuno, err)
	}
	return a.upsertAddress(ctx, id, cuno, addr, CustomerResult{CustomerNumber: cuno, Changed: true})
}

// upsertAddress makes customer cuno's billing address (ADRT 01, ADID
// STRIPE) hold addr: added when absent, changed when a non-blank field
// differs, left alone when equal or when addr is nil. Blank fields are not
// compared, as ChgAddress leaves them unchanged.
func (a *Adapter) upsertAddress(ctx context.Context, id, cuno string, addr map[string]string, res CustomerResult) (CustomerResult, error) {
	if addr == nil {
		return res, nil
	}
	recs, err := a.exec(ctx, "CRS610MI", "LstAddress", map[string]string{"CUNO": cuno, "ADRT": billingADRT})
	if err != nil {
		return CustomerResult{}, fmt.Errorf("m3: %s: list addresses of customer %s: %w", id, cuno, err)
	}
	var stored map[string]string
	for _, r := range recs {
		if strings.TrimSpace(r["ADRT"]) == billingADRT && strings.TrimSpace(r["ADID"]) == billingADID {
			stored = r
			break
		}
	}
	fields := map[string]string{"CUNO": cuno, "ADRT": billingADRT, "ADID": billingADID}
	for k, v := range addr {
		fields[k] = v
	}
	if stored == nil {
		if _, err := a.exec(ctx, "CRS610MI", "AddAddress", fields); err != nil {
			return CustomerResult{}, fmt.Errorf("m3: %s: add billing address of customer %s: %w", id, cuno, err)
		}
		res.AddressChanged = true
		return res, nil
	}
	same := true
	for k, v := range addr {
		if v != "" && strings.TrimRight(stored[k], " ") != v {
			same = false
			break
		}
	}
	if same {
		return res, nil
	}
	if _, err := a.exec(ctx, "CRS610MI", "ChgAddress", fields); err != nil {
		return CustomerResult{}, fmt.Errorf("m3: %s: change billing address of customer %s: %w", id, cuno, err)
	}
	res.AddressChanged = true
	return res, nil
}

// addNewCustomersAddress adds the billing address of a customer this call
// has just created, without listing its addresses first: a customer that
// did not exist a moment ago has none (customers are never deleted, so no
// address can be left from an earlier one). Should M3 still say the
// address exists (NOK on a key field), the general upsert takes over and
// compares it, so the shortcut can cost a call but never skip a change.
// A retry after a crash between Add and here finds the customer and takes
// the general path (UpsertCustomer).
func (a *Adapter) addNewCustomersAddress(ctx context.Context, id, cuno string, addr map[string]string, res CustomerResult) (CustomerResult, error) {
	if addr == nil {
		return res, nil
	}
	fields := map[string]string{"CUNO": cuno, "ADRT": billingADRT, "ADID": billingADID}
	for k, v := range addr {
		fields[k] = v
	}
	_, err := a.exec(ctx, "CRS610MI", "AddAddress", fields)
	var nok *infor.NOKError
	switch {
	case err == nil:
		res.AddressChanged = true
		return res, nil
	case errors.As(err, &nok) && (nok.Field == "" || nok.Field == "ADID" || nok.Field == "ADRT" || nok.Field == "CUNO"):
		return a.upsertAddress(ctx, id, cuno, addr, res)
	}
	return CustomerResult{}, fmt.Errorf("m3: %s: add billing address of customer %s: %w", id, cuno, err)
}

// billingAddress maps the command's billing address to CRS610MI address
// fields (cut or left out as in customerFields), or nil when the command has
// no address. CUNM is the customer name, filled in by the caller when the
// command has none.
func billingAddress(cmd command.UpsertCustomer) map[string]string {
	ad := cmd.Address
	if strings.TrimSpace(ad.Line1+ad.Line2+ad.Line3+ad.Line4+ad.City+ad.PostalCode+ad.Country+ad.State) == "" {
		return nil
	}
	f := customerFields(cmd)
	delete(f, "MAIL")
	return f
}

// customerFields maps the command's data to CRS610 basic-data fields, cut
// or left out to fit M3's lengths: names and address lines are cut, an
// e-mail address or phone number that does not fit is left out rather than
// falsified, a state code longer than ECAR (3) goes to the first empty of
// address lines 3 and 4 (the mapping normally moved it there already).
func customerFields(cmd command.UpsertCustomer) map[string]string {
	f := map[string]string{
		"CUNM": cut(cmd.Name, 36),
		"MAIL": fits(cmd.Email, 60),
		"PHNO": fits(compactPhone(cmd.Phone), 16),
		"CUA1": cut(cmd.Address.Line1, 36),
		"CUA2": cut(cmd.Address.Line2, 36),
		"CUA3": cut(cmd.Address.Line3, 36),
		"CUA4": cut(cmd.Address.Line4, 36),
		"TOWN": cut(cmd.Address.City, 20),
		"PONO": fits(cmd.Address.PostalCode, 10),
		"CSCD": fits(strings.ToUpper(cmd.Address.Country), 3),
	}
	if st := strings.TrimSpace(cmd.Address.State); len([]rune(st)) <= 3 {
		f["ECAR"] = strings.ToUpper(st)
	} else if f["CUA3"] == "" {
		f["CUA3"] = cut(st, 36)
	} else if f["CUA4"] == "" {
		f["CUA4"] = cut(st, 36)
	}
	return f
}

func compactPhone(p string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '.':
			return -1
		}
		return r
	}, p)
}

func version(v int64) string { return "V" + strconv.FormatInt(v, 10) }

func parseVersion(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(s, "V"), 10, 64)
	return n, err == nil && strings.HasPrefix(s, "V")
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
