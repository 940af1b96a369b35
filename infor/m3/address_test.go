package m3

import (
	"testing"

	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

// billingAddresses returns the addresses of the customer with YREF yref.
func billingAddresses(t *testing.T, v *env, yref string) []*emulator.Address {
	t.Helper()
	cs := customersWith(v.state(), yref)
	if len(cs) != 1 {
		t.Fatalf("%d customers for %s", len(cs), yref)
	}
	return cs[0].Addresses
}

func TestUpsertCustomerBillingAddress(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{
		CommandID: "customer:cus_Addr1", StripeCustomerID: "cus_Addr1",
		Name: "Grace Hopper", Email: "grace@example.com", Phone: "+1 (212) 555-0100",
		Address: command.Address{Line1: "1 Navy Yard", Line2: "Building 7", City: "Arlington", PostalCode: "22202", State: "va", Country: "us"},
		Version: 100,
	}
	r1, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Created || !r1.AddressChanged {
		t.Fatalf("first: %+v", r1)
	}
	adds := v.rt.calls("CRS610MI", "AddAddress")
	r2, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Created || r2.Changed || r2.AddressChanged {
		t.Fatalf("second: %+v", r2)
	}
	if v.rt.calls("CRS610MI", "AddAddress") != adds || v.rt.calls("CRS610MI", "ChgAddress") != 0 {
		t.Fatal("the same command twice wrote the address again")
	}
	as := billingAddresses(t, v, "cus_Addr1")
	if len(as) != 1 {
		t.Fatalf("addresses after the same command twice: %+v", as)
	}
	want := emulator.Address{ADRT: "01", ADID: "STRIPE", CUNM: "Grace Hopper", CUA1: "1 Navy Yard", CUA2: "Building 7",
		TOWN: "Arlington", PONO: "22202", CSCD: "US", ECAR: "VA", PHNO: "+12125550100"}
	if *as[0] != want {
		t.Fatalf("address %+v, want %+v", *as[0], want)
	}

	// A newer version with another address changes it in place.
	moved := cmd
	moved.Address = command.Address{Line1: "500 Fifth Ave", Line2: "Suite 12", City: "New York", PostalCode: "10110", State: "NY", Country: "US"}
	moved.Version = 200
	r3, err := v.a.UpsertCustomer(ctx(t), moved)
	if err != nil {
		t.Fatal(err)
	}
	if !r3.Changed || !r3.AddressChanged {
		t.Fatalf("moved: %+v", r3)
	}
	as = billingAddresses(t, v, "cus_Addr1")
	if len(as) != 1 || as[0].CUA1 != "500 Fifth Ave" || as[0].CUA2 != "Suite 12" || as[0].TOWN != "New York" ||
		as[0].PONO != "10110" || as[0].ECAR != "NY" || as[0].ADRT != "01" || as[0].ADID != "STRIPE" {
		t.Fatalf("after a changed address: %+v", as)
	}

	// A newer version with the same address changes the customer only.
	renamed := moved
	renamed.Email, renamed.Version = "hopper@example.com", 250
	chg := v.rt.calls("CRS610MI", "ChgAddress")
	if r, err := v.a.UpsertCustomer(ctx(t), renamed); err != nil || !r.Changed || r.AddressChanged {
		t.Fatalf("same address: %+v %v", r, err)
	}
	if v.rt.calls("CRS610MI", "ChgAddress") != chg {
		t.Fatal("an equal address was changed")
	}

	// An older version (out of order) changes neither the customer nor its address.
	older := cmd
	older.Address.Line1, older.Version = "9 Old Road", 150
	lst := v.rt.calls("CRS610MI", "LstAddress")
	if r, err := v.a.UpsertCustomer(ctx(t), older); err != nil || r.Changed || r.Created || r.AddressChanged {
		t.Fatalf("older: %+v %v", r, err)
	}
	if v.rt.calls("CRS610MI", "LstAddress") != lst {
		t.Fatal("an older version looked at the address")
	}
	as = billingAddresses(t, v, "cus_Addr1")
	if len(as) != 1 || as[0].CUA1 != "500 Fifth Ave" {
		t.Fatalf("after an older version: %+v", as)
	}
}

// A long state goes to address line 3, as in the basic data; a customer
// without a name gets the name M3 has.
func TestUpsertCustomerBillingAddressFields(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{
		StripeCustomerID: "cus_Addr2", Email: "x@example.com",
		Address: command.Address{Line1: "Calle Mayor 1", City: "Madrid", State: "Comunidad de Madrid", Country: "es"},
		Version: 1,
	}
	if _, err := v.a.UpsertCustomer(ctx(t), cmd); err != nil {
		t.Fatal(err)
	}
	as := billingAddresses(t, v, "cus_Addr2")
	if len(as) != 1 || as[0].CUA3 != "Comunidad de Madrid" || as[0].ECAR != "" || as[0].CSCD != "ES" || as[0].CUNM != "x@example.com" {
		t.Fatalf("address %+v", as)
	}
}

// A command without an address writes none.
func TestUpsertCustomerWithoutAddress(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{StripeCustomerID: "cus_NoAddr", Name: "No Address", Version: 1}
	if r, err := v.a.UpsertCustomer(ctx(t), cmd); err != nil || r.AddressChanged {
		t.Fatalf("%+v %v", r, err)
	}
	if as := billingAddresses(t, v, "cus_NoAddr"); len(as) != 0 {
		t.Fatalf("addresses %+v", as)
	}
	if v.rt.calls("CRS610MI", "LstAddress") != 0 || v.rt.calls("CRS610MI", "AddAddress") != 0 {
		t.Fatal("address transactions for a command without an address")
	}
}

// The answer of Add is lost after M3 added the customer: the retry (same
// version) finds the customer and still adds its address, once. The answer
// of AddAddress is lost: the retry finds the address and adds no second one.
func TestUpsertCustomerAddressAfterLostAnswers(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{
		StripeCustomerID: "cus_Lost", Name: "Lost Answers",
		Address: command.Address{Line1: "1 Lost Lane", City: "Nowhere", Country: "US"}, Version: 7,
	}
	v.rt.loseAnswer("CRS610MI", "Add", 1)
	if _, err := v.a.UpsertCustomer(ctx(t), cmd); err == nil {
		t.Fatal("a lost answer was not an error")
	}
	if as := billingAddresses(t, v, "cus_Lost"); len(as) != 0 {
		t.Fatalf("address before the retry: %+v", as)
	}
	v.rt.loseAnswer("CRS610MI", "AddAddress", 1)
	if _, err := v.a.UpsertCustomer(ctx(t), cmd); err == nil {
		t.Fatal("a lost answer was not an error")
	}
	r, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if r.Created || r.Changed || r.AddressChanged {
		t.Fatalf("final retry: %+v", r)
	}
	as := billingAddresses(t, v, "cus_Lost")
	if len(as) != 1 || as[0].CUA1 != "1 Lost Lane" || as[0].CUNM != "Lost Answers" {
		t.Fatalf("addresses after retries: %+v", as)
	}
}

// Four address lines reach CUA1..CUA4; a long state then has no line
// left and is not written over one.
func TestUpsertCustomerFourAddressLines(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{
		StripeCustomerID: "cus_Addr4", Name: "Four Lines AB",
		Address: command.Address{Line1: "Kungsgatan 12", Line2: "c/o Andersson", Line3: "Box 123", Line4: "Plan 4",
			City: "Stockholm", State: "Stockholms län", Country: "se"},
		Version: 1,
	}
	if _, err := v.a.UpsertCustomer(ctx(t), cmd); err != nil {
		t.Fatal(err)
	}
	as := billingAddresses(t, v, "cus_Addr4")
	if len(as) != 1 || as[0].CUA1 != "Kungsgatan 12" || as[0].CUA2 != "c/o Andersson" || as[0].CUA3 != "Box 123" ||
		as[0].CUA4 != "Plan 4" || as[0].ECAR != "" {
		t.Fatalf("address %+v", as)
	}
}
