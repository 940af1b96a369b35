package alert

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// timeLayout is RFC 3339 UTC with milliseconds, as in the DLQ headers.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// maxTextMessage caps Infor's message inside "text" (the full message is in
// alert.message): a chat line should stay a line.
const maxTextMessage = 500

// post is one webhook call: an alert, and the alerts of its key the rate
// limit held back since the key's previous post.
type post struct {
	a Alert
	// more alerts of the key were held back since the key's last post at
	// since.
	more  int
	since time.Time
	// summary: a is the latest held-back alert, posted when the interval
	// ended, not a new one.
	summary bool
}

// payload is the JSON body. "text" is what Slack (and Mattermost, Teams'
// incoming webhooks, …) shows; "alert" is for machines.
type payload struct {
	Text            string    `json:"text"`
	Alert           alertJSON `json:"alert"`
	Suppressed      int       `json:"suppressed,omitempty"`
	SuppressedSince string    `json:"suppressed_since,omitempty"`
	Summary         bool      `json:"summary,omitempty"`
}

// alertJSON is Alert in snake_case.
type alertJSON struct {
	Stage       string   `json:"stage"`
	Topic       string   `json:"topic"`
	Class       string   `json:"class"`
	Code        string   `json:"code"`
	Field       string   `json:"field"`
	Message     string   `json:"message"`
	CommandID   string   `json:"command_id"`
	CommandType string   `json:"command_type"`
	EventID     string   `json:"event_id"`
	StripeIDs   []string `json:"stripe_ids"`
	Livemode    bool     `json:"livemode"`
	Partition   int32    `json:"partition"`
	Offset      int64    `json:"offset"`
	At          string   `json:"at"`
}

// body is the JSON of p.
func (p post) body() ([]byte, error) {
	a := p.a
	ids := a.StripeIDs
	if ids == nil {
		ids = []string{}
	}
	pl := payload{
		Text: p.text(),
		Alert: alertJSON{
			Stage: a.Stage, Topic: a.Topic, Class: a.Class, Code: a.Code, Field: a.Field, Message: a.Message,
			CommandID: a.CommandID, CommandType: a.CommandType, EventID: a.EventID, StripeIDs: ids,
			Livemode: a.Livemode, Partition: a.Partition, Offset: a.Offset, At: a.At.UTC().Format(timeLayout),
		},
		Summary: p.summary,
	}
	if p.more > 0 {
		pl.Suppressed = p.more
		pl.SuppressedSince = p.since.UTC().Format(timeLayout)
	}
	b, err := json.Marshal(pl)
	if err != nil {
		return nil, fmt.Errorf("alert: encoding the payload: %w", err)
	}
	return b, nil
}

// text is the one readable line:
//
//	[sink] infor.salesorder.commands validation: Item SKU-1 does not exist (code WITNO, field ITNO) — command order:ch_1 CreateSalesOrder, event evt_1, stripe ch_1 cus_1, livemode=true
//
// then " — …and N more since T" when alerts were held back, or, for a
// summary at the end of an interval, "…and N more since T; latest: " before
// the alert's part. Slack's control characters (&, <, >) are escaped, as its
// API asks, so a message holding "<" cannot turn into a link or a mention;
// line breaks become spaces.
func (p post) text() string {
	a := p.a
	var b strings.Builder
	fmt.Fprintf(&b, "[%s] %s %s: ", a.Stage, a.Topic, a.Class)
	more := ""
	if p.more > 0 {
		more = "…and " + strconv.Itoa(p.more) + " more since " + p.since.UTC().Format(timeLayout)
	}
	if p.summary && more != "" {
		b.WriteString(more + "; latest: ")
	}
	b.WriteString(oneLine(a.Message))
	var cf []string
	if a.Code != "" {
		cf = append(cf, "code "+a.Code)
	}
	if a.Field != "" {
		cf = append(cf, "field "+a.Field)
	}
	if len(cf) > 0 {
		b.WriteString(" (" + strings.Join(cf, ", ") + ")")
	}
	var ids []string
	if a.CommandID != "" {
		ids = append(ids, strings.TrimSpace("command "+a.CommandID+" "+a.CommandType))
	}
	if a.EventID != "" {
		ids = append(ids, "event "+a.EventID)
	}
	if len(a.StripeIDs) > 0 {
		ids = append(ids, "stripe "+strings.Join(a.StripeIDs, " "))
	}
	ids = append(ids, "livemode="+strconv.FormatBool(a.Livemode))
	b.WriteString(" — " + strings.Join(ids, ", "))
	if !p.summary && more != "" {
		b.WriteString(" — " + more)
	}
	return slackEscape(b.String())
}

// oneLine flattens line breaks and cuts s to maxTextMessage bytes on a
// rune boundary.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(strings.NewReplacer("\r", " ", "\n", " ").Replace(s)), " ")
	if len(s) <= maxTextMessage {
		return s
	}
	i := maxTextMessage
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

var slackEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func slackEscape(s string) string { return slackEscaper.Replace(s) }
