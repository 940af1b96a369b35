package stripefake

import (
	"net/http"
)

// view is what one key sees: the entries of its mode and of the account
// in Stripe-Account ("" the platform's own).
type view struct {
	live    bool
	account string
}

func (v view) sees(bt *BalanceTransaction) bool {
	return bt.Livemode == v.live && bt.Account == v.account
}

// listObject is Stripe's list envelope.
type listObject struct {
	Object  string   `json:"object"`
	Data    []object `json:"data"`
	HasMore bool     `json:"has_more"`
	URL     string   `json:"url"`
}

// serveList answers GET /v1/balance_transactions: the entries the key
// sees that match the filters, newest first, one page. starting_after
// gives the page after the cursor (older entries), ending_before the page
// just before it (newer), both in list order; has_more says whether more
// lie beyond the page in the direction paged. The cursor must be an entry
// the key sees, though not necessarily one that matches the filters, as
// with Stripe.
func (s *Server) serveList(w http.ResponseWriter, r *http.Request, v view) {
	p, bad := parseList(r.URL.Query())
	if bad != nil {
		bad.write(w)
		return
	}
	now := s.now().Unix()
	s.mu.RLock()
	defer s.mu.RUnlock()

	var cursor *entry
	for _, c := range []struct{ param, id string }{{"starting_after", p.startingAfter}, {"ending_before", p.endingBefore}} {
		if c.id == "" {
			continue
		}
		e, ok := s.byID[c.id]
		if !ok || !v.sees(&e.bt) {
			writeError(w, http.StatusBadRequest, resourceMissing(c.param, c.id))
			return
		}
		cursor = e
	}

	var page []*entry
	hasMore := false
	switch {
	case p.endingBefore != "":
		// Newer than the cursor, the closest ones: walk the newest-first
		// list and keep a window of the last limit seen before the cursor.
		var before []*entry
		for _, e := range s.ordered {
			if !e.newer(cursor) {
				break
			}
			if v.sees(&e.bt) && p.matches(&e.bt) {
				before = append(before, e)
			}
		}
		if len(before) > p.limit {
			hasMore = true
			before = before[len(before)-p.limit:]
		}
		page = before
	default:
		for _, e := range s.ordered {
			if cursor != nil && !cursor.newer(e) {
				continue
			}
			if !v.sees(&e.bt) || !p.matches(&e.bt) {
				continue
			}
			if len(page) == p.limit {
				hasMore = true
				break
			}
			page = append(page, e)
		}
	}
	out := listObject{Object: "list", Data: make([]object, len(page)), HasMore: hasMore, URL: "/v1/balance_transactions"}
	for i, e := range page {
		out.Data[i] = e.render(p.expandSource, now)
	}
	writeJSON(w, http.StatusOK, out)
}

// serveRetrieve answers GET /v1/balance_transactions/{id}; an id the key
// does not see (another mode or account) is missing, as with Stripe.
func (s *Server) serveRetrieve(w http.ResponseWriter, r *http.Request, v view, id string) {
	expand, bad := parseRetrieve(r.URL.Query())
	if bad != nil {
		bad.write(w)
		return
	}
	now := s.now().Unix()
	s.mu.RLock()
	e, ok := s.byID[id]
	var o object
	if ok && v.sees(&e.bt) {
		o = e.render(expand, now)
	} else {
		ok = false
	}
	s.mu.RUnlock()
	if !ok {
		writeError(w, http.StatusNotFound, resourceMissing("id", id))
		return
	}
	writeJSON(w, http.StatusOK, o)
}
