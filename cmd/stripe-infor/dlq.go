package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/dlq"
	"github.com/stripe-infor/stripe-infor/ops/dlqtool"
	"github.com/stripe-infor/stripe-infor/ops/timespec"
)

const dlqHelp = `usage: stripe-infor dlq list    [filters] [--redriven] [--json]
       stripe-infor dlq show    ID [--schema-registry-url URL]
       stripe-infor dlq redrive (--id ID ... | filters | --all) [--max-redrives 3] [--force] [--dry-run]

Dead letters of every stage: stripe.events.raw.dlq (the processors',
JSON values) and infor.<entity>.commands.dlq (the sink's, Avro values).
An entry's ID is <topic>/<partition>@<offset>, as list prints it.

  list     entries with their error headers (class, stage, code, message,
           origin, attempts, redrive count). --redriven also reads the
           original topics to mark the entries already redriven (costly on
           a busy topic: everything since the oldest entry listed).
  show     one entry: every header, the key, and the value decoded (Avro
           through the schema registry, JSON indented).
  redrive  put entries back on their original.topic, key, value and headers
           unchanged plus redrive.count (+1) and redriven-from (the entry's
           ID). Entries already redriven are skipped; entries whose
           redrive.count reached --max-redrives are refused (exit 1) unless
           --force. The DLQ entries stay: Kafka is append-only.

filters (they add up): --class, --text (in error.message, any case),
--since/--until (last.failed.at; RFC 3339, a date, or a duration before
now such as 6h), --stripe-id (in the key, a header or the value), --id
(repeatable), --topic (a DLQ topic or its source topic; repeatable;
default every DLQ topic).

`

// dlqFlags are the flags shared by the dlq subcommands.
type dlqFlags struct {
	k        opsKafka
	topics   listFlag
	ids      listFlag
	class    string
	text     string
	since    string
	until    string
	stripeID string
}

func (d *dlqFlags) bind(fs *flag.FlagSet) error {
	if err := d.k.bind(fs); err != nil {
		return err
	}
	fs.Var(&d.topics, "topic", "a DLQ topic, or the topic whose DLQ to read (repeatable; default: every DLQ topic)")
	fs.Var(&d.ids, "id", "an entry id <topic>/<partition>@<offset> (repeatable)")
	fs.StringVar(&d.class, "class", "", "error.class: validation, decode, dependency or transient-exhausted")
	fs.StringVar(&d.text, "text", "", "text to find in error.message (any case)")
	fs.StringVar(&d.since, "since", "", "failed at or after this time")
	fs.StringVar(&d.until, "until", "", "failed before this time")
	fs.StringVar(&d.stripeID, "stripe-id", "", "a Stripe id (evt_, ch_, cus_, po_, …) in the key, a header or the value")
	return nil
}

func (d *dlqFlags) filter(now time.Time) (dlqtool.Filter, error) {
	f := dlqtool.Filter{Class: d.class, Text: d.text, StripeID: d.stripeID, IDs: d.ids}
	switch d.class {
	case "", dlq.ClassValidation, dlq.ClassDecode, dlq.ClassDependency, dlq.ClassTransientExhausted:
	default:
		return f, fmt.Errorf("--class %q is not one of validation, decode, dependency, transient-exhausted", d.class)
	}
	var err error
	if d.since != "" {
		if f.Since, err = timespec.Parse(d.since, now); err != nil {
			return f, fmt.Errorf("--since: %w", err)
		}
	}
	if d.until != "" {
		if f.Until, err = timespec.Parse(d.until, now); err != nil {
			return f, fmt.Errorf("--until: %w", err)
		}
	}
	return f, nil
}

// topicList is the DLQ topics to read: the ones named (a source topic
// stands for its DLQ), else all of them.
func (d *dlqFlags) topicList() []string {
	if len(d.topics) == 0 {
		return dlqtool.Topics()
	}
	out := make([]string, 0, len(d.topics))
	for _, t := range d.topics {
		if !strings.HasSuffix(t, ".dlq") {
			t += ".dlq"
		}
		out = append(out, t)
	}
	return out
}

// runDLQ is `stripe-infor dlq`.
func runDLQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, dlqHelp)
		if len(args) == 0 {
			return errUsage
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "list":
		return runDLQList(ctx, args[1:], stdout, stderr)
	case "show":
		return runDLQShow(ctx, args[1:], stdout, stderr)
	case "redrive":
		return runDLQRedrive(ctx, args[1:], stdout, stderr)
	}
	return usagef(stderr, "dlq", "unknown subcommand %q: list, show or redrive", args[0])
}

func newDLQFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("dlq "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, dlqHelp+"flags of dlq "+name+":\n"); fs.PrintDefaults() }
	return fs
}

func runDLQList(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newDLQFlagSet("list", stderr)
	var d dlqFlags
	if err := d.bind(fs); err != nil {
		return err
	}
	redriven := fs.Bool("redriven", false, "mark entries already redriven (reads the original topics)")
	asJSON := fs.Bool("json", false, "one JSON object per entry, every field")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f, err := d.filter(time.Now())
	if err != nil {
		return usagef(stderr, "dlq list", "%v", err)
	}
	kc, err := d.k.config(stderr)
	if err != nil {
		return err
	}
	es, err := dlqtool.List(ctx, dlqtool.Options{Kafka: kc, Progress: stderr, CheckRedriven: *redriven}, d.topicList(), f)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, e := range es {
			if err := enc.Encode(entryJSON(e, *redriven)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	head := "ID\tFAILED AT\tCLASS\tSTAGE\tCODE\tATTEMPTS\tREDRIVES\tORIGIN\tKEY\tMESSAGE"
	if *redriven {
		head += "\tREDRIVEN"
	}
	fmt.Fprintln(tw, head)
	for _, e := range es {
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s", e.ID(), e.FailedAt().Format(time.RFC3339), dash(e.Failure.Class),
			dash(e.Failure.Stage), dash(e.Failure.Code), e.Failure.Attempts, e.RedriveCount, origin(e), dash(string(e.Record.Key)), oneLine(e.Failure.Message, 80))
		if *redriven {
			r := "no"
			if len(e.RedrivenTo) > 0 {
				r = "yes → " + strings.Join(e.RedrivenTo, ",")
			}
			line += "\t" + r
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d entries\n", len(es))
	return nil
}

func runDLQShow(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newDLQFlagSet("show", stderr)
	var k opsKafka
	if err := k.bind(fs); err != nil {
		return err
	}
	defURL, err := config.String("SCHEMA_REGISTRY_URL", "")
	if err != nil {
		return err
	}
	regURL := fs.String("schema-registry-url", defURL, "schema registry, to decode Avro values (SCHEMA_REGISTRY_URL)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef(stderr, "dlq show", "give one entry id, <topic>/<partition>@<offset>")
	}
	kc, err := k.config(stderr)
	if err != nil {
		return err
	}
	var dec dlqtool.AvroDecoder
	if *regURL != "" {
		rd, err := dlqtool.NewRegistryDecoder(*regURL)
		if err != nil {
			return err
		}
		dec = rd
	}
	e, d, derr := dlqtool.Show(ctx, dlqtool.Options{Kafka: kc}, pos[0], dec)
	if e == nil {
		return derr
	}
	r := e.Record
	fmt.Fprintf(stdout, "id:         %s\ntimestamp:  %s\nkey:        %s\n", e.ID(), e.Timestamp.Format(time.RFC3339Nano), r.Key)
	if e.HeaderErr != nil {
		fmt.Fprintf(stdout, "warning:    %v\n", e.HeaderErr)
	}
	fmt.Fprintln(stdout, "headers:")
	for _, h := range r.Headers {
		fmt.Fprintf(stdout, "  %s: %s\n", h.Key, h.Value)
	}
	switch {
	case d.Format == "avro":
		fmt.Fprintf(stdout, "value (Avro, schema id %d, %d bytes):\n", d.SchemaID, len(r.Value))
	case d.Format == "binary" && len(r.Value) >= 5 && r.Value[0] == 0 && dec == nil:
		fmt.Fprintf(stdout, "value (%d bytes; looks like Avro: set SCHEMA_REGISTRY_URL to decode it):\n", len(r.Value))
	default:
		fmt.Fprintf(stdout, "value (%s, %d bytes):\n", d.Format, len(r.Value))
	}
	fmt.Fprintf(stdout, "%s\n", strings.TrimRight(string(d.Body), "\n"))
	return derr
}

func runDLQRedrive(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newDLQFlagSet("redrive", stderr)
	var d dlqFlags
	if err := d.bind(fs); err != nil {
		return err
	}
	all := fs.Bool("all", false, "redrive every entry of the topics (no other filter needed)")
	maxRedrives := fs.Int("max-redrives", dlqtool.DefaultMaxRedrives, "refuse entries redriven this many times already")
	force := fs.Bool("force", false, "redrive refused and already-redriven entries too")
	dryRun := fs.Bool("dry-run", false, "show what would be redriven; write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f, err := d.filter(time.Now())
	if err != nil {
		return usagef(stderr, "dlq redrive", "%v", err)
	}
	if !*all && f.Class == "" && f.Text == "" && f.StripeID == "" && len(f.IDs) == 0 && f.Since.IsZero() && f.Until.IsZero() {
		return usagef(stderr, "dlq redrive", "select entries (--id, --class, --text, --since, --until, --stripe-id), or say --all")
	}
	if *maxRedrives <= 0 {
		return usagef(stderr, "dlq redrive", "--max-redrives must be positive")
	}
	kc, err := d.k.config(stderr)
	if err != nil {
		return err
	}
	o := dlqtool.Options{Kafka: kc, Progress: stderr}
	es, err := dlqtool.List(ctx, o, d.topicList(), f)
	if err != nil {
		return err
	}
	if missing := missingIDs(f.IDs, es); len(missing) > 0 {
		return fmt.Errorf("no entry at %s (or it fails the other filters): nothing redriven", strings.Join(missing, ", "))
	}
	rep, err := dlqtool.Redrive(ctx, dlqtool.RedriveOptions{Options: o, MaxRedrives: *maxRedrives, Force: *force, DryRun: *dryRun}, es)
	verb := "redriven"
	if rep.DryRun {
		verb = "would redrive"
	}
	for _, r := range rep.Redriven {
		at := ""
		if r.At != "" {
			at = " at " + r.At
		}
		fmt.Fprintf(stdout, "%s  %s → %s (redrive.count %d)%s\n", verb, r.Entry.ID(), r.Target, r.Count, at)
	}
	for _, e := range rep.Skipped {
		fmt.Fprintf(stdout, "skipped  %s: already redriven to %s\n", e.ID(), strings.Join(e.RedrivenTo, ", "))
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(stdout, "refused  %s: %s\n", r.Entry.ID(), r.Reason)
	}
	note := ""
	if rep.DryRun {
		note = " (dry run: nothing written)"
	}
	fmt.Fprintf(stdout, "%d selected: %d %s, %d skipped, %d refused%s\n", len(es), len(rep.Redriven), verb, len(rep.Skipped), len(rep.Refused), note)
	return err
}

// missingIDs are the ids no entry has.
func missingIDs(ids []string, es []*dlqtool.Entry) []string {
	found := map[string]bool{}
	for _, e := range es {
		found[e.ID()] = true
	}
	var out []string
	for _, id := range ids {
		if !found[id] {
			out = append(out, id)
		}
	}
	return out
}

// entryJSON is list --json's record.
func entryJSON(e *dlqtool.Entry, redriven bool) map[string]any {
	m := map[string]any{
		"id": e.ID(), "topic": e.Topic, "partition": e.Partition, "offset": e.Offset, "timestamp": e.Timestamp,
		"key": string(e.Record.Key), "class": e.Failure.Class, "stage": e.Failure.Stage, "code": e.Failure.Code,
		"field": e.Failure.Field, "message": e.Failure.Message, "attempts": e.Failure.Attempts,
		"first_failed_at": e.Failure.FirstFailedAt, "last_failed_at": e.Failure.LastFailedAt,
		"original":      map[string]any{"topic": e.Origin.Topic, "partition": e.Origin.Partition, "offset": e.Origin.Offset},
		"redrive_count": e.RedriveCount, "stripe_event_id": e.EventID(), "command_id": e.CommandID(),
	}
	if e.HeaderErr != nil {
		m["header_error"] = e.HeaderErr.Error()
	}
	if redriven {
		m["redriven_to"] = append([]string{}, e.RedrivenTo...)
	}
	return m
}

func origin(e *dlqtool.Entry) string {
	if e.Origin.Topic == "" {
		return "-"
	}
	return fmt.Sprintf("%s/%d@%d", e.Origin.Topic, e.Origin.Partition, e.Origin.Offset)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a message on one table row: no tabs or newlines, at most n
// runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return dash(s)
}
