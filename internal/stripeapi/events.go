package stripeapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// MaxEventTypes is the most types one GET /v1/events takes (Stripe's
// limit on types[]).
const MaxEventTypes = 20

// EventsQuery selects events for ListEvents.
type EventsQuery struct {
	// CreatedGTE and CreatedLTE bound the events' created time, both
	// inclusive, in whole seconds (Stripe's resolution); zero is open.
	CreatedGTE, CreatedLTE time.Time
	// Types are event types (types[]); at most MaxEventTypes; empty is all.
	Types []string
	// DeliverySuccess filters on whether every webhook endpoint got the
	// event; false keeps the events still pending or failed at some
	// endpoint. nil does not filter.
	DeliverySuccess *bool
	// Account is a connected account (Stripe-Account); "" the platform.
	Account string
	// Livemode picks the key: live-mode events need the live key.
	Livemode bool
}

// Event is one event of the list.
type Event struct {
	ID      string
	Type    string
	Created time.Time
	// Raw is the event's JSON exactly as it appears in Stripe's answer.
	Raw json.RawMessage
}

type eventList struct {
	Data    []json.RawMessage `json:"data"`
	HasMore bool              `json:"has_more"`
}

// eventsRetryBase is the first wait after a transient failure of a page
// (doubled each time); a variable for tests.
var eventsRetryBase = time.Second

// eventsMaxTries bounds the tries of one page.
const eventsMaxTries = 6

// ListEvents lists the events matching q (GET /v1/events, pages of 100,
// newest first as Stripe returns them) and calls page with each page's
// events, until the last page or until page returns an error, which
// ListEvents returns. Requests go through the client's rate limiter; a
// transient failure (429, 5xx, a network error) is tried again after its
// Retry-After or a doubling wait, up to six tries a page.
//
// Stripe keeps events for 30 days; older ones are simply not listed.
func (c *Client) ListEvents(ctx context.Context, q EventsQuery, page func([]Event) error) error {
	if len(q.Types) > MaxEventTypes {
		return fmt.Errorf("stripeapi: list events: %d types, Stripe takes at most %d", len(q.Types), MaxEventTypes)
	}
	base := url.Values{"limit": {strconv.Itoa(pageSize)}}
	if !q.CreatedGTE.IsZero() {
		base.Set("created[gte]", strconv.FormatInt(q.CreatedGTE.Unix(), 10))
	}
	if !q.CreatedLTE.IsZero() {
		base.Set("created[lte]", strconv.FormatInt(q.CreatedLTE.Unix(), 10))
	}
	for _, t := range q.Types {
		base.Add("types[]", t)
	}
	if q.DeliverySuccess != nil {
		base.Set("delivery_success", strconv.FormatBool(*q.DeliverySuccess))
	}
	after := ""
	for {
		v := url.Values{}
		for k, vs := range base {
			v[k] = vs
		}
		if after != "" {
			v.Set("starting_after", after)
		}
		var list eventList
		if err := c.getRetrying(ctx, "/v1/events", v, q.Account, q.Livemode, &list); err != nil {
			return fmt.Errorf("stripeapi: list events: %w", err)
		}
		events := make([]Event, 0, len(list.Data))
		for i, raw := range list.Data {
			ev, err := readEvent(raw)
			if err != nil {
				return fmt.Errorf("stripeapi: list events: item %d of the page after %q: %w", i, after, err)
			}
			events = append(events, ev)
		}
		if err := page(events); err != nil {
			return err
		}
		if !list.HasMore {
			return nil
		}
		if len(events) == 0 {
			return errors.New("stripeapi: list events: has_more with an empty page")
		}
		after = events[len(events)-1].ID
	}
}

// readEvent reads the fields the caller needs and keeps the bytes.
func readEvent(raw json.RawMessage) (Event, error) {
	var head struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Type    string `json:"type"`
		Created int64  `json:"created"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return Event{}, err
	}
	if head.ID == "" || head.Object != "event" {
		return Event{}, fmt.Errorf("not an event (object %q, id %q)", head.Object, head.ID)
	}
	return Event{ID: head.ID, Type: head.Type, Created: time.Unix(head.Created, 0).UTC(), Raw: bytes.Clone(raw)}, nil
}

// getRetrying is get, tried again on transient errors.
func (c *Client) getRetrying(ctx context.Context, path string, q url.Values, account string, livemode bool, out any) error {
	wait := eventsRetryBase
	for try := 1; ; try++ {
		err := c.get(ctx, path, q, account, livemode, out)
		var se *Error
		if err == nil || !errors.As(err, &se) || !se.Transient() || try == eventsMaxTries || ctx.Err() != nil {
			return err
		}
		d := wait
		if h, ok := se.RetryAfterHint(); ok {
			d = h
		}
		wait = min(2*wait, 30*time.Second)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}
