package stripefake

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
)

// listParams are GET /v1/balance_transactions' parameters.
type listParams struct {
	limit                          int
	startingAfter, endingBefore    string
	payout, typ, source, currency  string
	createdGT, createdGTE          *int64
	createdLT, createdLTE, created *int64
	expandSource                   bool
}

// expandKey matches Stripe's two spellings of a list parameter: expand[]
// (what curl users write) and expand[0] (what Stripe's libraries send).
var expandKey = regexp.MustCompile(`^expand\[[0-9]*\]$`)

// badParam is a 400 for a parameter; parse functions return it.
type badParam struct{ e stripeError }

func (b *badParam) write(w http.ResponseWriter) { writeError(w, http.StatusBadRequest, b.e) }

func unknownParam(name string) *badParam {
	return &badParam{stripeError{Type: invalidRequest, Code: "parameter_unknown", Param: name,
		Message: "Received unknown parameter: " + name}}
}

func invalidInteger(name, v string) *badParam {
	return &badParam{stripeError{Type: invalidRequest, Code: "parameter_invalid_integer", Param: name,
		Message: "Invalid integer: " + v}}
}

// parseExpand reads expand[] and expand[N]: the one expandable field is
// allowed (data.source on a list, source on a retrieve); anything else is
// refused as Stripe refuses it.
func parseExpand(q url.Values, key, allowed string) (bool, *badParam) {
	expand := false
	for _, v := range q[key] {
		if v != allowed {
			return false, &badParam{stripeError{Type: invalidRequest, Param: key,
				Message: "This property cannot be expanded (" + v + ")."}}
		}
		expand = true
	}
	return expand, nil
}

// sortedKeys gives the first unknown parameter the same name on every
// request.
func sortedKeys(q url.Values) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func parseList(q url.Values) (listParams, *badParam) {
	p := listParams{limit: 10}
	for _, k := range sortedKeys(q) {
		v := q.Get(k)
		var err *badParam
		switch k {
		case "limit":
			n, perr := strconv.Atoi(v)
			if perr != nil {
				return p, invalidInteger(k, v)
			}
			if n < 1 || n > 100 {
				return p, &badParam{stripeError{Type: invalidRequest, Param: k,
					Message: "Invalid limit: must be between 1 and 100"}}
			}
			p.limit = n
		case "starting_after":
			p.startingAfter = v
		case "ending_before":
			p.endingBefore = v
		case "payout":
			p.payout = v
		case "type":
			p.typ = v
		case "source":
			p.source = v
		case "currency":
			p.currency = v
		case "created":
			p.created, err = parseTime(k, v)
		case "created[gt]":
			p.createdGT, err = parseTime(k, v)
		case "created[gte]":
			p.createdGTE, err = parseTime(k, v)
		case "created[lt]":
			p.createdLT, err = parseTime(k, v)
		case "created[lte]":
			p.createdLTE, err = parseTime(k, v)
		default:
			if !expandKey.MatchString(k) {
				return p, unknownParam(k)
			}
			var x bool
			if x, err = parseExpand(q, k, "data.source"); x {
				p.expandSource = true
			}
		}
		if err != nil {
			return p, err
		}
	}
	if p.startingAfter != "" && p.endingBefore != "" {
		return p, &badParam{stripeError{Type: invalidRequest,
			Message: "You may only specify one of these parameters: ending_before, starting_after."}}
	}
	return p, nil
}

// parseRetrieve reads GET /v1/balance_transactions/{id}'s one parameter.
func parseRetrieve(q url.Values) (expand bool, bad *badParam) {
	for _, k := range sortedKeys(q) {
		if !expandKey.MatchString(k) {
			return false, unknownParam(k)
		}
		x, err := parseExpand(q, k, "source")
		if err != nil {
			return false, err
		}
		expand = expand || x
	}
	return expand, nil
}

func parseTime(name, v string) (*int64, *badParam) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, invalidInteger(name, v)
	}
	return &n, nil
}

// matches applies the list's filters to one entry.
func (p *listParams) matches(bt *BalanceTransaction) bool {
	c := bt.Created
	switch {
	case p.payout != "" && bt.Payout != p.payout,
		p.typ != "" && bt.Type != p.typ,
		p.source != "" && bt.Source != p.source,
		p.currency != "" && bt.Currency != p.currency,
		p.created != nil && c != *p.created,
		p.createdGT != nil && c <= *p.createdGT,
		p.createdGTE != nil && c < *p.createdGTE,
		p.createdLT != nil && c >= *p.createdLT,
		p.createdLTE != nil && c > *p.createdLTE:
		return false
	}
	return true
}
