package stripefake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// BalanceTransaction is one entry of the fake's ledger, in Stripe's terms;
// JSON tags are snake_case (used by the admin endpoint).
type BalanceTransaction struct {
	ID   string `json:"id"`   // txn_…
	Type string `json:"type"` // charge, refund, adjustment, stripe_fee, payout, payout_failure, …
	// Source is the ch_/re_/du_/po_ id of the object behind the entry; ""
	// is JSON null (a stripe_fee has none).
	Source string `json:"source"`
	// SourceObject is served in place of the id when the request expands
	// data.source (list) or source (retrieve); nil: the id only. Its "id",
	// when it has one, must be Source.
	SourceObject map[string]any `json:"source_object,omitempty"`
	// Amount, Fee and Net are minor units of Currency (the settlement
	// currency), signed as Stripe signs them. Net = Amount - Fee.
	Amount   int64  `json:"amount"`
	Fee      int64  `json:"fee"`
	Net      int64  `json:"net"`
	Currency string `json:"currency"` // lower case, as Stripe
	// ExchangeRate is the exact decimal text of Stripe's exchange_rate; ""
	// is JSON null. It is emitted as a JSON number token exactly as given,
	// never through a float64.
	ExchangeRate string `json:"exchange_rate,omitempty"`
	Created      int64  `json:"created"`
	AvailableOn  int64  `json:"available_on"`
	// Payout is the payout that paid the entry out ("" not paid out); the
	// payout's own entry (type payout) carries it too, as Stripe lists it
	// among the payout's transactions.
	Payout   string `json:"payout,omitempty"`
	Livemode bool   `json:"livemode"`
	// Account is the connected account the entry belongs to (seen with
	// Stripe-Account: Account); "" is the platform.
	Account string `json:"account,omitempty"`
	// ReportingCategory is Stripe's reporting_category; "" derives it from
	// Type (defaultReportingCategory).
	ReportingCategory string      `json:"reporting_category,omitempty"`
	Description       string      `json:"description,omitempty"` // "" is JSON null
	FeeDetails        []FeeDetail `json:"fee_details,omitempty"`
}

// FeeDetail is one line of a balance transaction's fee_details; when an
// entry has them they sum to its Fee.
type FeeDetail struct {
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	Description string `json:"description"`
	Type        string `json:"type"` // stripe_fee, application_fee, tax, …
}

// entry is a ledger entry as stored: the transaction without its source
// object, which is kept as JSON so that a caller changing its map after
// Add changes nothing here, and seq, the order of Add.
type entry struct {
	bt        BalanceTransaction
	sourceRaw json.RawMessage // nil: no source object
	seq       uint64
}

// newer orders the ledger as Stripe lists it: created descending, then the
// entry added later first.
func (e *entry) newer(o *entry) bool {
	if e.bt.Created != o.bt.Created {
		return e.bt.Created > o.bt.Created
	}
	return e.seq > o.seq
}

var (
	idPattern       = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	currencyPattern = regexp.MustCompile(`^[a-z]{3}$`)
	// decimalPattern is a JSON number token (exponent bounded): what
	// exchange_rate is emitted as, so anything else would break the JSON.
	decimalPattern = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]{1,3})?$`)
)

// validate checks one transaction on its own; Add checks the ids across
// the ledger.
func (bt *BalanceTransaction) validate() error {
	switch {
	case bt.ID == "":
		return errors.New("id is required")
	case !idPattern.MatchString(bt.ID):
		return fmt.Errorf("id %q: only letters, digits and _ (a Stripe id such as txn_…)", bt.ID)
	case bt.Type == "":
		return errors.New("type is required (charge, refund, adjustment, stripe_fee, payout, …)")
	case bt.Currency == "":
		return errors.New("currency is required")
	case !currencyPattern.MatchString(bt.Currency):
		return fmt.Errorf("currency %q: three lower-case letters, as Stripe writes it", bt.Currency)
	case bt.Net != bt.Amount-bt.Fee:
		return fmt.Errorf("net %d is not amount %d - fee %d = %d", bt.Net, bt.Amount, bt.Fee, bt.Amount-bt.Fee)
	case bt.ExchangeRate != "" && !decimalPattern.MatchString(bt.ExchangeRate):
		return fmt.Errorf("exchange_rate %q is not a decimal number", bt.ExchangeRate)
	case bt.Source != "" && !idPattern.MatchString(bt.Source):
		return fmt.Errorf("source %q: only letters, digits and _", bt.Source)
	case bt.Account != "" && !strings.HasPrefix(bt.Account, "acct_"):
		return fmt.Errorf("account %q is not a connected account id (acct_…)", bt.Account)
	}
	if bt.SourceObject != nil {
		if bt.Source == "" {
			return errors.New("source_object without a source id")
		}
		if id, ok := bt.SourceObject["id"]; ok && id != bt.Source {
			return fmt.Errorf("source_object.id %v is not source %q", id, bt.Source)
		}
	}
	if len(bt.FeeDetails) > 0 {
		var sum int64
		for i, fd := range bt.FeeDetails {
			if fd.Currency != bt.Currency {
				return fmt.Errorf("fee_details[%d].currency %q is not the transaction's %q", i, fd.Currency, bt.Currency)
			}
			if fd.Type == "" {
				return fmt.Errorf("fee_details[%d].type is required", i)
			}
			sum += fd.Amount
		}
		if sum != bt.Fee {
			return fmt.Errorf("fee_details sum to %d, not fee %d", sum, bt.Fee)
		}
	}
	return nil
}

// toEntry validates bt and copies what the caller could still change.
func toEntry(bt BalanceTransaction) (entry, error) {
	if err := bt.validate(); err != nil {
		return entry{}, err
	}
	e := entry{bt: bt}
	e.bt.FeeDetails = append([]FeeDetail(nil), bt.FeeDetails...)
	if bt.SourceObject != nil {
		raw, err := json.Marshal(bt.SourceObject)
		if err != nil {
			return entry{}, fmt.Errorf("source_object: %w", err)
		}
		e.sourceRaw = raw
		e.bt.SourceObject = nil
	}
	return e, nil
}

// export is the entry as a BalanceTransaction again, with its own copy of
// the source object (numbers as json.Number, so none turns into a float).
func (e *entry) export() BalanceTransaction {
	bt := e.bt
	bt.FeeDetails = append([]FeeDetail(nil), e.bt.FeeDetails...)
	if e.sourceRaw != nil {
		d := json.NewDecoder(bytes.NewReader(e.sourceRaw))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err == nil {
			bt.SourceObject = m
		}
	}
	return bt
}

// Add validates bts and adds them to the ledger: all of them, or none when
// one is invalid (an id already in the ledger or twice in bts, net ≠
// amount − fee, no currency, …). The error names the transaction.
func (s *Server) Add(bts ...BalanceTransaction) error {
	entries := make([]entry, 0, len(bts))
	seen := make(map[string]bool, len(bts))
	for i, bt := range bts {
		e, err := toEntry(bt)
		if err != nil {
			return fmt.Errorf("stripefake: balance transaction %d (%s): %w", i, bt.ID, err)
		}
		if seen[bt.ID] {
			return fmt.Errorf("stripefake: balance transaction %d: id %s given twice", i, bt.ID)
		}
		seen[bt.ID] = true
		entries = append(entries, e)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range entries {
		if _, dup := s.byID[entries[i].bt.ID]; dup {
			return fmt.Errorf("stripefake: balance transaction %s is already in the ledger", entries[i].bt.ID)
		}
	}
	for i := range entries {
		s.seq++
		e := &entries[i]
		e.seq = s.seq
		s.byID[e.bt.ID] = e
		// Insert in place: a ledger is loaded a few entries at a time.
		at := sort.Search(len(s.ordered), func(j int) bool { return e.newer(s.ordered[j]) })
		s.ordered = slices.Insert(s.ordered, at, e)
	}
	return nil
}

// Reset empties the ledger and the request log.
func (s *Server) Reset() {
	s.reset()
	s.reqMu.Lock()
	s.reqs = nil
	s.reqMu.Unlock()
}

// reset empties the ledger and says how many entries it held.
func (s *Server) reset() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.ordered)
	s.ordered = nil
	s.byID = map[string]*entry{}
	return n
}

// all returns the ledger in the order it was added.
func (s *Server) all() []BalanceTransaction {
	s.mu.RLock()
	defer s.mu.RUnlock()
	es := append([]*entry(nil), s.ordered...)
	sort.Slice(es, func(i, j int) bool { return es[i].seq < es[j].seq })
	out := make([]BalanceTransaction, len(es))
	for i, e := range es {
		out[i] = e.export()
	}
	return out
}

// defaultReportingCategory is Stripe's reporting_category of the common
// types (docs.stripe.com/reports/reporting-categories), for an entry loaded
// without one: Stripe always sends one. An adjustment is usually a dispute
// in this pipeline's ledgers but not always, so it gets Stripe's catch-all
// unless the ledger says otherwise.
func defaultReportingCategory(typ string) string {
	switch typ {
	case "charge", "payment":
		return "charge"
	case "refund", "payment_refund":
		return "refund"
	case "payment_failure_refund", "refund_failure":
		return "refund_failure"
	case "stripe_fee", "tax_fee":
		return "fee"
	case "application_fee":
		return "platform_earning"
	case "application_fee_refund":
		return "platform_earning_refund"
	case "payout":
		return "payout"
	case "payout_cancel", "payout_failure":
		return "payout_reversal"
	case "transfer":
		return "transfer"
	case "transfer_refund":
		return "transfer_reversal"
	case "topup":
		return "topup"
	case "topup_reversal":
		return "topup_reversal"
	}
	return "other_adjustment"
}
