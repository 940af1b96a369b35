package emulator

// State is the emulator's business data: what GET /_emulator/state returns
// and what state.json holds. Field names are M3's where M3 has one; values
// are strings as on the MI API, amounts are decimal strings with the
// currency's decimals. Lists are in creation order.
type State struct {
	Customers      []*Customer      `json:"customers"`
	Orders         []*Order         `json:"orders"`
	Invoices       []*Invoice       `json:"invoices"`
	BankStatements []*BankStatement `json:"bank_statements"`
	GLBatches      []*GLBatch       `json:"gl_batches"`
	// NumberSeries is the next number of each series (CUNO, TEMP, ORNO, …).
	NumberSeries map[string]int64 `json:"number_series"`
	// GLBalances is computed on read, never stored: the balance of every
	// account over posted batches, per currency (account → CUCD → amount,
	// debit positive). It is what the accounting invariants are checked on.
	GLBalances map[string]map[string]string `json:"gl_balances,omitempty"`
}

// Customer is a CRS610 customer with its addresses (CRS610MI AddAddress,
// ChgAddress), shown in the state as "addresses".
type Customer struct {
	CUNO string `json:"CUNO"`
	CUNM string `json:"CUNM"`
	CUTM string `json:"CUTM,omitempty"`
	CUA1 string `json:"CUA1,omitempty"`
	CUA2 string `json:"CUA2,omitempty"`
	CUA3 string `json:"CUA3,omitempty"`
	CUA4 string `json:"CUA4,omitempty"`
	TOWN string `json:"TOWN,omitempty"`
	PONO string `json:"PONO,omitempty"`
	CSCD string `json:"CSCD,omitempty"`
	ECAR string `json:"ECAR,omitempty"`
	PHNO string `json:"PHNO,omitempty"`
	PHN2 string `json:"PHN2,omitempty"`
	TFNO string `json:"TFNO,omitempty"`
	MAIL string `json:"MAIL,omitempty"`
	CUCD string `json:"CUCD,omitempty"`
	TEPY string `json:"TEPY,omitempty"`
	PYCD string `json:"PYCD,omitempty"`
	ORTP string `json:"ORTP,omitempty"`
	LNCD string `json:"LNCD,omitempty"`
	CUTP string `json:"CUTP,omitempty"`
	STAT string `json:"STAT,omitempty"`
	YREF string `json:"YREF,omitempty"`
	YRE2 string `json:"YRE2,omitempty"`
	VRNO string `json:"VRNO,omitempty"`

	Addresses []*Address `json:"addresses,omitempty"`
}

// customerFields are the basic-data fields, in the order GetBasicData and
// LstByNumber return them.
var customerFields = []string{
	"CUNO", "CUNM", "CUTM", "CUA1", "CUA2", "CUA3", "CUA4", "TOWN", "PONO", "CSCD", "ECAR",
	"PHNO", "PHN2", "TFNO", "MAIL", "CUCD", "TEPY", "PYCD", "ORTP", "LNCD", "CUTP", "STAT",
	"YREF", "YRE2", "VRNO",
}

// field maps an M3 field name to the customer's value, so Add, ChgBasicData
// and GetBasicData share one list of fields instead of three switch blocks
// drifting apart. nil means the customer has no such field.
func (c *Customer) field(name string) *string {
	switch name {
	case "CUNO":
		return &c.CUNO
	case "CUNM":
		return &c.CUNM
	case "CUTM":
		return &c.CUTM
	case "CUA1":
		return &c.CUA1
	case "CUA2":
		return &c.CUA2
	case "CUA3":
		return &c.CUA3
	case "CUA4":
		return &c.CUA4
	case "TOWN":
		return &c.TOWN
	case "PONO":
		return &c.PONO
	case "CSCD":
		return &c.CSCD
	case "ECAR":
		return &c.ECAR
	case "PHNO":
		return &c.PHNO
	case "PHN2":
		return &c.PHN2
	case "TFNO":
		return &c.TFNO
	case "MAIL":
		return &c.MAIL
	case "CUCD":
		return &c.CUCD
	case "TEPY":
		return &c.TEPY
	case "PYCD":
		return &c.PYCD
	case "ORTP":
		return &c.ORTP
	case "LNCD":
		return &c.LNCD
	case "CUTP":
		return &c.CUTP
	case "STAT":
		return &c.STAT
	case "YREF":
		return &c.YREF
	case "YRE2":
		return &c.YRE2
	case "VRNO":
		return &c.VRNO
	}
	return nil
}

// Address is a customer address (OCUSAD): ADRT address type, ADID its id.
type Address struct {
	ADRT string `json:"ADRT"`
	ADID string `json:"ADID"`
	CUNM string `json:"CUNM,omitempty"`
	CUA1 string `json:"CUA1,omitempty"`
	CUA2 string `json:"CUA2,omitempty"`
	CUA3 string `json:"CUA3,omitempty"`
	CUA4 string `json:"CUA4,omitempty"`
	TOWN string `json:"TOWN,omitempty"`
	PONO string `json:"PONO,omitempty"`
	CSCD string `json:"CSCD,omitempty"`
	ECAR string `json:"ECAR,omitempty"`
	PHNO string `json:"PHNO,omitempty"`
}

// field maps an address data field (addressFields) to the address's value;
// nil means an address has no such field.
func (a *Address) field(name string) *string {
	switch name {
	case "CUNM":
		return &a.CUNM
	case "CUA1":
		return &a.CUA1
	case "CUA2":
		return &a.CUA2
	case "CUA3":
		return &a.CUA3
	case "CUA4":
		return &a.CUA4
	case "TOWN":
		return &a.TOWN
	case "PONO":
		return &a.PONO
	case "CSCD":
		return &a.CSCD
	case "ECAR":
		return &a.ECAR
	case "PHNO":
		return &a.PHNO
	}
	return nil
}

// Order statuses. An order is a batch order (M3's OIS100MI batch entry)
// from AddBatchHead until Confirm; it is invoiced at Confirm when its order
// type is prepaid.
const (
	orderBatch     = "batch"
	orderConfirmed = "confirmed"
	orderInvoiced  = "invoiced"
)

// Order is a customer order. ORNO is the final number once confirmed and the
// temporary one before; temporary_ORNO keeps the temporary number so a
// client that lost Confirm's answer can be told what became of it. NTAM is
// the order total (sum of line amounts), CINO the invoice if one was made.
type Order struct {
	ORNO     string `json:"ORNO"`
	TempORNO string `json:"temporary_ORNO"`
	STAT     string `json:"STAT"`
	CUNO     string `json:"CUNO"`
	ORTP     string `json:"ORTP"`
	CUOR     string `json:"CUOR,omitempty"`
	CUCD     string `json:"CUCD"`
	ORDT     string `json:"ORDT"`
	RLDT     string `json:"RLDT,omitempty"`
	WHLO     string `json:"WHLO,omitempty"`
	FACI     string `json:"FACI,omitempty"`
	TEPY     string `json:"TEPY,omitempty"`
	PYCD     string `json:"PYCD,omitempty"`
	YREF     string `json:"YREF,omitempty"`
	NTAM     string `json:"NTAM"`
	CINO     string `json:"CINO,omitempty"`
	// OBLC is the order stop code and OBTX its reason, set by
	// ChgOrderStatus ("" or "0": not stopped).
	OBLC  string       `json:"OBLC,omitempty"`
	OBTX  string       `json:"OBTX,omitempty"`
	Lines []*OrderLine `json:"lines"`
}

// OrderLine is an order line: ORQT ordered quantity, SAPR unit price, LNAM
// the line amount ORQT × SAPR rounded to the order currency's decimals.
type OrderLine struct {
	PONR string `json:"PONR"`
	ITNO string `json:"ITNO"`
	ITDS string `json:"ITDS,omitempty"`
	ORQT string `json:"ORQT"`
	SAPR string `json:"SAPR"`
	LNAM string `json:"LNAM"`
	WHLO string `json:"WHLO,omitempty"`
}

// Invoice statuses.
const (
	invoiceOpen = "open"
	invoicePaid = "paid"
)

// Invoice is a customer invoice (an ARS200 entry): IVAM its amount, OPAM
// the amount still open, STAT "open" or "paid" (OPAM zero).
type Invoice struct {
	CINO string `json:"CINO"`
	CUNO string `json:"CUNO"`
	ORNO string `json:"ORNO"`
	CUOR string `json:"CUOR,omitempty"`
	CUCD string `json:"CUCD"`
	IVDT string `json:"IVDT"`
	IVAM string `json:"IVAM"`
	OPAM string `json:"OPAM"`
	STAT string `json:"STAT"`
	// A credit note (AddCrdtNote) has a negative IVAM and OPAM, the invoice
	// it credits in CRIN and the client's reference in YREF.
	CRIN string `json:"CRIN,omitempty"`
	YREF string `json:"YREF,omitempty"`
	TX40 string `json:"TX40,omitempty"`
}

// BankStatement is an ABS100 bank statement on bank account BKID.
type BankStatement struct {
	STNB  string           `json:"STNB"`
	BKID  string           `json:"BKID"`
	STDT  string           `json:"STDT"`
	CUCD  string           `json:"CUCD"`
	REFE  string           `json:"REFE,omitempty"`
	TX40  string           `json:"TX40,omitempty"`
	Lines []*StatementLine `json:"lines"`
}

// StatementLine is one bank transaction of a statement, ACAM signed
// (money in positive).
type StatementLine struct {
	LINO    string             `json:"LINO"`
	ACAM    string             `json:"ACAM"`
	VLDT    string             `json:"VLDT,omitempty"`
	REFE    string             `json:"REFE,omitempty"`
	TX40    string             `json:"TX40,omitempty"`
	Details []*StatementDetail `json:"details"`
}

// StatementDetail allocates ACAM (in the invoice's currency) of a statement
// line to invoice CINO.
type StatementDetail struct {
	CINO string `json:"CINO"`
	CUNO string `json:"CUNO"`
	ACAM string `json:"ACAM"`
	TX40 string `json:"TX40,omitempty"`
}

// GL batch statuses: lines are added to an open batch, CtrlBatch checks it
// (checked), UpdBatch posts it (posted, final).
const (
	batchOpen    = "open"
	batchChecked = "checked"
	batchPosted  = "posted"
)

// GLBatch is a GLS840 journal batch.
type GLBatch struct {
	BCHN  string    `json:"BCHN"`
	DIVI  string    `json:"DIVI,omitempty"`
	ACDT  string    `json:"ACDT"`
	TX40  string    `json:"TX40,omitempty"`
	REFE  string    `json:"REFE,omitempty"` // external reference (emulator's addition, see GLS840MI)
	STAT  string    `json:"STAT"`
	Lines []*GLLine `json:"lines"`
}

// GLLine is a journal line: account AIT1 (AIT2..AIT7 further dimensions),
// ACAM signed amount with debit positive, currency CUCD, text VTXT/TX40.
type GLLine struct {
	LINO string `json:"LINO"`
	AIT1 string `json:"AIT1"`
	AIT2 string `json:"AIT2,omitempty"`
	AIT3 string `json:"AIT3,omitempty"`
	AIT4 string `json:"AIT4,omitempty"`
	AIT5 string `json:"AIT5,omitempty"`
	AIT6 string `json:"AIT6,omitempty"`
	AIT7 string `json:"AIT7,omitempty"`
	ACAM string `json:"ACAM"`
	CUCD string `json:"CUCD"`
	ACDT string `json:"ACDT"`
	VTXT string `json:"VTXT,omitempty"`
	TX40 string `json:"TX40,omitempty"`
}

// normalized returns st with empty lists instead of nil ones, so the JSON
// shows [] and consumers need no null checks.
func (st State) normalized() State {
	if st.Customers == nil {
		st.Customers = []*Customer{}
	}
	if st.Orders == nil {
		st.Orders = []*Order{}
	}
	if st.Invoices == nil {
		st.Invoices = []*Invoice{}
	}
	if st.BankStatements == nil {
		st.BankStatements = []*BankStatement{}
	}
	if st.GLBatches == nil {
		st.GLBatches = []*GLBatch{}
	}
	return st
}
