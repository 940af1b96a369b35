package command

// Command is implemented by the seven command types, so that code which
// moves commands around (processors, sinks, the DLQ tools) can name and
// trace one without a type switch.
type Command interface {
	// ID returns the command id (the business identity, e.g. "payment:ch_…").
	ID() string
	// Type returns the command's type name, e.g. "ApplyPayment"; it is also
	// the Avro record name and the value of the command-type header.
	Type() string
	// Metadata returns the command's Meta.
	Metadata() Meta
}

// Compile-time checks that every command implements Command.
var (
	_ Command = UpsertCustomer{}
	_ Command = CreateSalesOrder{}
	_ Command = ChangeOrderStatus{}
	_ Command = ApplyPayment{}
	_ Command = CreateCreditMemo{}
	_ Command = PostJournal{}
	_ Command = ReconcilePayout{}
)

func (c UpsertCustomer) ID() string    { return c.CommandID }
func (c CreateSalesOrder) ID() string  { return c.CommandID }
func (c ChangeOrderStatus) ID() string { return c.CommandID }
func (c ApplyPayment) ID() string      { return c.CommandID }
func (c CreateCreditMemo) ID() string  { return c.CommandID }
func (c PostJournal) ID() string       { return c.CommandID }
func (c ReconcilePayout) ID() string   { return c.CommandID }

func (UpsertCustomer) Type() string    { return "UpsertCustomer" }
func (CreateSalesOrder) Type() string  { return "CreateSalesOrder" }
func (ChangeOrderStatus) Type() string { return "ChangeOrderStatus" }
func (ApplyPayment) Type() string      { return "ApplyPayment" }
func (CreateCreditMemo) Type() string  { return "CreateCreditMemo" }
func (PostJournal) Type() string       { return "PostJournal" }
func (ReconcilePayout) Type() string   { return "ReconcilePayout" }

func (c UpsertCustomer) Metadata() Meta    { return c.Meta }
func (c CreateSalesOrder) Metadata() Meta  { return c.Meta }
func (c ChangeOrderStatus) Metadata() Meta { return c.Meta }
func (c ApplyPayment) Metadata() Meta      { return c.Meta }
func (c CreateCreditMemo) Metadata() Meta  { return c.Meta }
func (c PostJournal) Metadata() Meta       { return c.Meta }
func (c ReconcilePayout) Metadata() Meta   { return c.Meta }
