package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// InforState is the part of Infor M3's state the books are read from, in
// the JSON of the emulator's GET /_emulator/state (M3's field names,
// amounts as decimal strings in the currency's decimals). Reading the JSON
// rather than the emulator's Go types keeps this usable against a running
// `stripe-infor dev` (make demo).
type InforState struct {
	Customers      []InforCustomer              `json:"customers"`
	Orders         []InforOrder                 `json:"orders"`
	Invoices       []InforInvoice               `json:"invoices"`
	BankStatements []InforStatement             `json:"bank_statements"`
	GLBatches      []InforBatch                 `json:"gl_batches"`
	GLBalances     map[string]map[string]string `json:"gl_balances"`
}

// InforCustomer is a CRS610 customer.
type InforCustomer struct {
	CUNO, CUNM, CUCD, TOWN, CSCD, MAIL, YREF, YRE2 string
}

// InforOrder is a customer order head with its lines.
type InforOrder struct {
	ORNO, STAT, CUNO, ORTP, CUOR, CUCD, YREF, NTAM, CINO, OBLC, OBTX string
	Lines                                                            []InforOrderLine `json:"lines"`
}

// InforOrderLine is an order line.
type InforOrderLine struct{ PONR, ITNO, ORQT, SAPR, LNAM string }

// InforInvoice is an invoice, or a credit note (CRIN set, amounts negative).
type InforInvoice struct {
	CINO, CUNO, ORNO, CUOR, CUCD, IVAM, OPAM, STAT, CRIN, YREF, TX40 string
}

// InforStatement is a bank statement with its lines.
type InforStatement struct {
	STNB, BKID, CUCD, REFE, TX40 string
	Lines                        []InforStatementLine `json:"lines"`
}

// InforStatementLine is a bank transaction; Details allocate it to invoices.
type InforStatementLine struct {
	LINO, ACAM, REFE, TX40 string
	Details                []InforStatementDetail `json:"details"`
}

// InforStatementDetail allocates ACAM to invoice CINO.
type InforStatementDetail struct{ CINO, CUNO, ACAM, TX40 string }

// InforBatch is a GL journal batch.
type InforBatch struct {
	BCHN, ACDT, TX40, REFE, STAT string
	Lines                        []InforGLLine `json:"lines"`
}

// InforGLLine is a journal line (ACAM debit positive).
type InforGLLine struct{ LINO, AIT1, ACAM, CUCD, TX40 string }

// ReadState decodes the JSON of GET /_emulator/state.
func ReadState(r io.Reader) (*InforState, error) {
	var st InforState
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return nil, fmt.Errorf("scenario: read Infor state: %w", err)
	}
	return &st, nil
}

// StateOf converts any value that marshals to the state's JSON (the
// emulator's State, in tests that hold the emulator itself) to an
// InforState.
func StateOf(v any) (*InforState, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("scenario: Infor state: %w", err)
	}
	return ReadState(bytes.NewReader(b))
}

// Accounts are the GL accounts and bank accounts of the roles the books
// read; DefaultAccounts are the dev tenant's (the built-in mapping and the
// emulator's seed).
type Accounts struct {
	Clearing, Receivable, Disputes, Fees, Bank, FX string
	// Deferred is deferred revenue (not a figure of the books; the
	// end-to-end suite checks the recognition schedule on it).
	Deferred string
	// PaymentBank is the BKID payments are allocated on (the Stripe
	// balance).
	PaymentBank string
}

// DefaultAccounts are the dev tenant's accounts.
var DefaultAccounts = Accounts{
	Clearing: "1580", Receivable: "1510", Disputes: "6580", Fees: "6570", Bank: "1930", FX: "7960",
	Deferred: "2450", PaymentBank: "STRIPE",
}

// InforBooks reads the books out of a tenant's state: the GL balances of
// the accounts' roles, the payments allocated on the payment bank account
// (Charged) and the credit notes (Refunded). An amount that is not an
// exact decimal of its currency is an error: the books cannot be trusted
// then.
func InforBooks(st *InforState, livemode bool, acc Accounts) (Books, error) {
	books := NewBooks(livemode)
	roles := []struct {
		account string
		add     func(*Figures, int64)
	}{
		{acc.Clearing, func(f *Figures, v int64) { f.Clearing += v }},
		{acc.Receivable, func(f *Figures, v int64) { f.Receivable += v }},
		{acc.Disputes, func(f *Figures, v int64) { f.Disputed += v }},
		{acc.Fees, func(f *Figures, v int64) { f.Fees += v }},
		{acc.Bank, func(f *Figures, v int64) { f.PaidOut += v }},
		{acc.FX, func(f *Figures, v int64) { f.FX += v }},
	}
	balances := st.GLBalances
	if balances == nil {
		var err error
		if balances, err = balancesOf(st.GLBatches); err != nil {
			return books, err
		}
	}
	for _, r := range roles {
		for cur, s := range balances[r.account] {
			v, err := ParseAmount(s, cur)
			if err != nil {
				return books, fmt.Errorf("GL account %s %s: %w", r.account, cur, err)
			}
			r.add(books.In(cur), v)
		}
	}
	for _, bs := range st.BankStatements {
		if bs.BKID != acc.PaymentBank {
			continue
		}
		for _, l := range bs.Lines {
			for _, d := range l.Details {
				v, err := ParseAmount(d.ACAM, bs.CUCD)
				if err != nil {
					return books, fmt.Errorf("statement %s line %s: %w", bs.STNB, l.LINO, err)
				}
				if v > 0 {
					books.In(bs.CUCD).Charged += v
				}
			}
		}
	}
	for _, inv := range st.Invoices {
		if inv.CRIN == "" {
			continue
		}
		v, err := ParseAmount(inv.IVAM, inv.CUCD)
		if err != nil {
			return books, fmt.Errorf("credit note %s: %w", inv.CINO, err)
		}
		books.In(inv.CUCD).Refunded -= v
	}
	return books, nil
}

// balancesOf sums posted batches per account and currency, for a state
// without gl_balances; amounts come back as decimal strings like the
// emulator's.
func balancesOf(batches []InforBatch) (map[string]map[string]string, error) {
	sums := map[string]map[string]int64{}
	for _, b := range batches {
		if b.STAT != "posted" {
			continue
		}
		for _, l := range b.Lines {
			v, err := ParseAmount(l.ACAM, l.CUCD)
			if err != nil {
				return nil, fmt.Errorf("GL batch %s line %s: %w", b.BCHN, l.LINO, err)
			}
			if sums[l.AIT1] == nil {
				sums[l.AIT1] = map[string]int64{}
			}
			sums[l.AIT1][l.CUCD] += v
		}
	}
	out := map[string]map[string]string{}
	for acc, m := range sums {
		out[acc] = map[string]string{}
		for cur, v := range m {
			out[acc][cur] = decimalOf(v, cur)
		}
	}
	return out, nil
}
