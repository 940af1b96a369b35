package m3

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stripe-infor/stripe-infor/infor"
	"github.com/stripe-infor/stripe-infor/infor/emulator"
	"github.com/stripe-infor/stripe-infor/internal/command"
)

func TestReferencesFitM3Fields(t *testing.T) {
	safe := regexp.MustCompile(`^[A-Z2-7]+$`)
	id := "ch_3PqRsTuVwXyZaBcDeFgHiJkL" // 27 characters, too long for CUOR
	for _, tc := range []struct {
		name, ref string
		n         int
		kind      byte
	}{
		{"CUNO", CustomerNumber("cus_PqRsTuVwXyZaBc"), 10, 'S'},
		{"CUOR", OrderReference(id), 20, 'O'},
		{"payment REFE", PaymentReference(id), 30, 'P'},
		{"journal REFE", JournalReference("journal:" + id + ":charge"), 30, 'J'},
		{"payout REFE", PayoutReference("po_1PqRsTuVwXyZaBcDeFgHiJkL"), 30, 'Y'},
	} {
		if len(tc.ref) != tc.n || tc.ref[0] != tc.kind || !safe.MatchString(tc.ref) {
			t.Errorf("%s reference %q: want %d characters of A-Z2-7 starting with %c", tc.name, tc.ref, tc.n, tc.kind)
		}
	}
	if OrderReference(id) != OrderReference(id) || OrderReference(id) == OrderReference(id+"x") {
		t.Fatal("references must be deterministic and distinct")
	}
	c := customerCandidates("cus_X")
	if len(c) != 5 {
		t.Fatalf("customer candidates %v", c)
	}
	seen := map[string]bool{}
	for _, v := range c {
		if len(v) != 10 || seen[v] {
			t.Fatalf("customer candidates %v", c)
		}
		seen[v] = true
	}
	// Thousands of distinct orders, no collision (95 bits).
	refs := map[string]string{}
	for i := range 20000 {
		k := "ch_" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strconv.Itoa(i)
		r := OrderReference(k)
		if prev, ok := refs[r]; ok {
			t.Fatalf("collision %s and %s", prev, k)
		}
		refs[r] = k
	}
}

func customersWith(st emulator.State, yref string) []*emulator.Customer {
	var out []*emulator.Customer
	for _, c := range st.Customers {
		if c.YREF == yref {
			out = append(out, c)
		}
	}
	return out
}

func TestUpsertCustomerTwiceLeavesOne(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{
		CommandID: "customer:cus_Ada123", StripeCustomerID: "cus_Ada123",
		Name: "Ada Lovelace, Countess of Lovelace and Analytical Engines Ltd", Email: "ada@example.com", Phone: "+44 20 7946 0958",
		Address: command.Address{Line1: "12 St James's Square", City: "London", PostalCode: "SW1Y 4JH", Country: "gb"},
		Version: 1700000000,
	}
	r1, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := v.a.UpsertCustomer(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Created || r2.Created || r2.Changed || r1.CustomerNumber != r2.CustomerNumber || r1.CustomerNumber != CustomerNumber("cus_Ada123") {
		t.Fatalf("first %+v, second %+v", r1, r2)
	}
	cs := customersWith(v.state(), "cus_Ada123")
	if len(cs) != 1 {
		t.Fatalf("%d customers for cus_Ada123", len(cs))
	}
	c := cs[0]
	if c.CUNM != "Ada Lovelace, Countess of Lovelace a" || c.MAIL != "ada@example.com" || c.PHNO != "+442079460958" ||
		c.TOWN != "London" || c.CSCD != "GB" || c.YRE2 != "V1700000000" {
		t.Fatalf("customer %+v", c)
	}

	// A newer version changes it; an older one (out of order) does not.
	newer := cmd
	newer.Name, newer.Version = "Ada King", 1700000100
	if r, err := v.a.UpsertCustomer(ctx(t), newer); err != nil || !r.Changed {
		t.Fatalf("newer: %+v %v", r, err)
	}
	older := cmd
	older.Name, older.Version = "Stale Name", 1700000050
	if r, err := v.a.UpsertCustomer(ctx(t), older); err != nil || r.Changed || r.Created {
		t.Fatalf("older: %+v %v", r, err)
	}
	cs = customersWith(v.state(), "cus_Ada123")
	if len(cs) != 1 || cs[0].CUNM != "Ada King" || cs[0].YRE2 != "V1700000100" {
		t.Fatalf("after newer and older: %+v", cs)
	}

	// An ERP id from metadata is used as is.
	erp := command.UpsertCustomer{CommandID: "customer:cus_Walk", StripeCustomerID: "cus_Walk", ERPCustomerID: "WALKIN", Name: "Walk-in (Stripe)", Version: 5}
	if r, err := v.a.UpsertCustomer(ctx(t), erp); err != nil || r.CustomerNumber != "WALKIN" || !r.Changed {
		t.Fatalf("erp id: %+v %v", r, err)
	}
	erp.ERPCustomerID = "NOPE"
	if _, err := v.a.UpsertCustomer(ctx(t), erp); !errors.Is(err, ErrInvalidCommand) {
		t.Fatalf("unknown erp id: %v", err)
	}
}

func TestUpsertCustomerProbesPastACollision(t *testing.T) {
	v := newEnv(t)
	cands := customerCandidates("cus_Bob")
	// Another customer already holds the first candidate number.
	if _, err := v.c.Execute(ctx(t), "CRS610MI", "Add", map[string]string{"CUNO": cands[0], "CUNM": "Someone else", "YREF": "cus_Other"}); err != nil {
		t.Fatal(err)
	}
	cmd := command.UpsertCustomer{CommandID: "customer:cus_Bob", StripeCustomerID: "cus_Bob", Name: "Bob", Version: 1}
	for range 2 {
		r, err := v.a.UpsertCustomer(ctx(t), cmd)
		if err != nil || r.CustomerNumber != cands[1] {
			t.Fatalf("%+v %v, want %s", r, err, cands[1])
		}
	}
	if cs := customersWith(v.state(), "cus_Bob"); len(cs) != 1 {
		t.Fatalf("%d customers", len(cs))
	}
	// Orders find the customer past the collision too.
	o, err := v.a.CreateSalesOrder(ctx(t), order("ch_bob1", command.CustomerRef{StripeCustomerID: "cus_Bob"}, usd(1000)))
	if err != nil {
		t.Fatal(err)
	}
	for _, ord := range v.state().Orders {
		if ord.ORNO == o.OrderNumber && ord.CUNO != cands[1] {
			t.Fatalf("order for %s", ord.CUNO)
		}
	}
}

func order(obj string, cust command.CustomerRef, price command.Money, more ...command.OrderLine) command.CreateSalesOrder {
	lines := append([]command.OrderLine{{Item: "STRIPE-CHARGE", Quantity: 1, UnitPrice: price}}, more...)
	return command.CreateSalesOrder{CommandID: "order:" + obj, StripeObjectID: obj, CustomerRef: cust,
		Lines: lines, Currency: price.Currency, OrderType: "WEB", PaymentMethod: "CC", OrderDate: "2025-03-01"}
}

// ordersFor counts every order (batch or confirmed) and invoice of a CUOR.
func ordersFor(st emulator.State, cuor string) (orders []*emulator.Order, invoices []*emulator.Invoice) {
	for _, o := range st.Orders {
		if o.CUOR == cuor {
			orders = append(orders, o)
		}
	}
	for _, inv := range st.Invoices {
		if inv.CUOR == cuor {
			invoices = append(invoices, inv)
		}
	}
	return orders, invoices
}

func TestCreateSalesOrderTwiceLeavesOne(t *testing.T) {
	v := newEnv(t)
	if _, err := v.a.UpsertCustomer(ctx(t), command.UpsertCustomer{StripeCustomerID: "cus_C1", Name: "C One", Version: 1}); err != nil {
		t.Fatal(err)
	}
	cmd := order("ch_3PqRsTuVwXyZaBcDeFgHiJkL", command.CustomerRef{StripeCustomerID: "cus_C1"}, usd(4999),
		command.OrderLine{Item: "WIDGET", Quantity: 2, UnitPrice: usd(1250)})
	r1, err := v.a.CreateSalesOrder(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := v.a.CreateSalesOrder(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	if !r1.Created || r2.Created || r1 != (OrderResult{r2.OrderNumber, r2.InvoiceNumber, r2.CUOR, true}) || r1.InvoiceNumber == "" {
		t.Fatalf("first %+v second %+v", r1, r2)
	}
	orders, invs := ordersFor(v.state(), OrderReference(cmd.StripeObjectID))
	if len(orders) != 1 || len(invs) != 1 {
		t.Fatalf("%d orders, %d invoices", len(orders), len(invs))
	}
	o := orders[0]
	if o.NTAM != "74.99" || o.YREF != cmd.StripeObjectID || len(o.Lines) != 2 || o.Lines[0].SAPR != "49.99" || invs[0].IVAM != "74.99" {
		t.Fatalf("order %+v lines %+v invoice %+v", o, o.Lines, invs[0])
	}
}

func TestOrderBeforeCustomerIsADependency(t *testing.T) {
	v := newEnv(t)
	_, err := v.a.CreateSalesOrder(ctx(t), order("ch_early", command.CustomerRef{StripeCustomerID: "cus_Later"}, usd(100)))
	var de *DependencyError
	if !errors.Is(err, ErrDependency) || !errors.As(err, &de) || de.Missing != "customer" {
		t.Fatalf("want a customer dependency error, got %v", err)
	}
	// A guest charge goes to the default customer.
	if _, err := v.a.CreateSalesOrder(ctx(t), order("ch_guest", command.CustomerRef{}, usd(100))); err != nil {
		t.Fatal(err)
	}
}

// The interruption the brief names: AddBatchHead carried out, its answer
// lost (the sink crashed or the connection broke). The retry finds the
// batch order by its CUOR and completes it.
func TestOrderInterruptedAfterAddBatchHeadIsCompleted(t *testing.T) {
	v := newEnv(t)
	cmd := order("ch_interrupted1", command.CustomerRef{}, usd(2000), command.OrderLine{Item: "SHIPPING", Quantity: 1, UnitPrice: usd(500)})
	cuor := OrderReference(cmd.StripeObjectID)

	v.rt.loseAnswer("OIS100MI", "AddBatchHead", 1)
	if _, err := v.a.CreateSalesOrder(ctx(t), cmd); infor.Classify(err) != infor.ClassTransient {
		t.Fatalf("first attempt: want a transient error, got %v", err)
	}
	orders, _ := ordersFor(v.state(), cuor)
	if len(orders) != 1 || orders[0].STAT != "batch" {
		t.Fatalf("after the lost answer: %+v", orders)
	}
	r, err := v.a.CreateSalesOrder(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	orders, invs := ordersFor(v.state(), cuor)
	if len(orders) != 1 || len(invs) != 1 || orders[0].ORNO != r.OrderNumber || orders[0].NTAM != "25.00" || len(orders[0].Lines) != 2 {
		t.Fatalf("after retry: %d orders %+v, %d invoices", len(orders), orders, len(invs))
	}
	if n := v.rt.calls("OIS100MI", "AddBatchHead"); n != 1 {
		t.Fatalf("AddBatchHead called %d times", n)
	}
}

// Interrupted at every later step: after the first line, after the second
// line, after Confirm. Each retry finishes the one order.
func TestOrderInterruptedAtEveryStep(t *testing.T) {
	v := newEnv(t)
	cmd := order("ch_steps", command.CustomerRef{}, usd(1000),
		command.OrderLine{Item: "WIDGET", Quantity: 3, UnitPrice: usd(1250)},
		command.OrderLine{Item: "SHIPPING", Quantity: 1, UnitPrice: usd(499)})
	cuor := OrderReference(cmd.StripeObjectID)
	for _, step := range []string{"AddBatchLine", "AddBatchLine", "Confirm"} {
		v.rt.loseAnswer("OIS100MI", step, 1)
		if _, err := v.a.CreateSalesOrder(ctx(t), cmd); err == nil {
			t.Fatalf("lost %s answer: want an error", step)
		}
	}
	r, err := v.a.CreateSalesOrder(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	orders, invs := ordersFor(v.state(), cuor)
	if len(orders) != 1 || len(invs) != 1 || len(orders[0].Lines) != 3 || orders[0].NTAM != "52.49" || r.OrderNumber != orders[0].ORNO {
		t.Fatalf("%d orders %+v (%+v), %d invoices", len(orders), orders[0], orders[0].Lines, len(invs))
	}
}

// A batch order started by an earlier run (AddBatchHead and one line sent
// directly, then a crash) is found and finished.
func TestOrderStartedByAnEarlierRunIsFinished(t *testing.T) {
	v := newEnv(t)
	cmd := order("in_1Partial", command.CustomerRef{}, usd(2900), command.OrderLine{Item: "SHIPPING", Quantity: 2, UnitPrice: usd(500)})
	cuor := OrderReference(cmd.StripeObjectID)
	head, err := v.c.Execute(ctx(t), "OIS100MI", "AddBatchHead", map[string]string{"CUNO": "WALKIN", "CUOR": cuor, "ORTP": "WEB", "CUCD": "USD"})
	if err != nil {
		t.Fatal(err)
	}
	temp := head.Records[0]["ORNO"]
	if _, err := v.c.Execute(ctx(t), "OIS100MI", "AddBatchLine", map[string]string{"ORNO": temp, "ITNO": "STRIPE-CHARGE", "ORQT": "1", "SAPR": "29.00"}); err != nil {
		t.Fatal(err)
	}
	r, err := v.a.CreateSalesOrder(ctx(t), cmd)
	if err != nil {
		t.Fatal(err)
	}
	orders, invs := ordersFor(v.state(), cuor)
	if len(orders) != 1 || orders[0].TempORNO != temp || len(orders[0].Lines) != 2 || orders[0].NTAM != "39.00" || len(invs) != 1 || invs[0].CINO != r.InvoiceNumber {
		t.Fatalf("%+v %+v", orders, invs)
	}
	// A batch order whose lines are not the command's is not silently reused.
	other := order("in_2Mismatch", command.CustomerRef{}, usd(100))
	h2, _ := v.c.Execute(ctx(t), "OIS100MI", "AddBatchHead", map[string]string{"CUNO": "WALKIN", "CUOR": OrderReference("in_2Mismatch")})
	_, _ = v.c.Execute(ctx(t), "OIS100MI", "AddBatchLine", map[string]string{"ORNO": h2.Records[0]["ORNO"], "ITNO": "WIDGET", "ORQT": "5"})
	if _, err := v.a.CreateSalesOrder(ctx(t), other); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("mismatching batch order: %v", err)
	}
}

// Orders can also be interrupted by the gateway: with every OIS100MI call
// failing (injected 5xx), nothing is half done that a retry cannot finish.
func TestOrderUnderInjectedFaults(t *testing.T) {
	v := newEnv(t)
	cmd := order("ch_faulty", command.CustomerRef{}, usd(1500), command.OrderLine{Item: "SHIPPING", Quantity: 1, UnitPrice: usd(500)})
	v.e.SetFaults(emulator.Faults{ErrorRate: 0.5, Programs: []string{"OIS100MI"}, Seed: 7})
	var err error
	for range 50 {
		if _, err = v.a.CreateSalesOrder(ctx(t), cmd); err == nil {
			break
		}
		if c := infor.Classify(err); c != infor.ClassTransient {
			t.Fatalf("unexpected error class %v: %v", c, err)
		}
	}
	if err != nil {
		t.Fatalf("never completed: %v", err)
	}
	v.e.SetFaults(emulator.Faults{})
	orders, invs := ordersFor(v.state(), OrderReference(cmd.StripeObjectID))
	if len(orders) != 1 || len(invs) != 1 || orders[0].NTAM != "20.00" {
		t.Fatalf("%+v %+v", orders, invs)
	}
}

// "Not found" is recognised by the tenant's message ids and texts: with a
// configuration that does not know the emulator's, a lookup miss is a hard
// error, never a silent create; with its own, the customer is created once.
func TestNotFoundRecognitionIsConfigurable(t *testing.T) {
	v := newEnv(t)
	cmd := command.UpsertCustomer{CommandID: "customer:cus_Cfg1", StripeCustomerID: "cus_Cfg1", Name: "Grace Hopper", Version: 1700000000}
	strict := New(v.c, Config{NotFoundCodes: []string{"XX9999"}, NotFoundTexts: []string{"existiert nicht"}})
	if _, err := strict.UpsertCustomer(ctx(t), cmd); err == nil {
		t.Fatal("a lookup miss the configuration does not recognise was taken for 'not found'")
	}
	if got := len(customersWith(v.state(), "cus_Cfg1")); got != 0 {
		t.Fatalf("%d customers created by an adapter that could not recognise 'not found'", got)
	}
	own := New(v.c, Config{NotFoundCodes: []string{"0103"}})
	if _, err := own.UpsertCustomer(ctx(t), cmd); err != nil {
		t.Fatal(err)
	}
	if got := len(customersWith(v.state(), "cus_Cfg1")); got != 1 {
		t.Fatalf("%d customers, want 1", got)
	}
}
