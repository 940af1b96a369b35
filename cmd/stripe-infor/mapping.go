package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	icommand "github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/processors/transform"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// mappingUsage is the help of `stripe-infor mapping`. The built-in mapping
// is named by the -default flag (or an empty FILE argument) rather than by
// a reserved file name, so that no real file can be mistaken for it.
const mappingUsage = `usage:
  stripe-infor mapping check FILE...
      load and validate mapping files; prints "FILE: ok (…)" with what each
      holds, or every problem with its line; exit status 1 if any file has one.
      -default checks the built-in mapping.
  stripe-infor mapping preview FILE EVENT.json
  stripe-infor mapping preview -default EVENT.json
      show, as JSON, what the processors make of one Stripe event (a webhook
      body) under the mapping FILE (-default or "" for the built-in one): the
      outcome, each output's topic, key, type and value, and the flags.
      Exit status 1, with the error, for an event that would be
      dead-lettered. EVENT.json may be - for standard input.
`

// runMapping is `stripe-infor mapping check|preview`: what a finance person
// runs before handing a mapping file to the processors.
func runMapping(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, mappingUsage)
		return errUsage
	}
	switch args[0] {
	case "check":
		return runMappingCheck(args[1:], stdout, stderr)
	case "preview":
		return runMappingPreview(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stderr, mappingUsage)
		return flag.ErrHelp
	}
	fmt.Fprintf(stderr, "stripe-infor mapping: unknown subcommand %q\n\n%s", args[0], mappingUsage)
	return errUsage
}

func mappingFlags(name string, stderr io.Writer) (*flag.FlagSet, *bool) {
	fs := flag.NewFlagSet("mapping "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, mappingUsage) }
	def := fs.Bool("default", false, "use the built-in mapping")
	return fs, def
}

func runMappingCheck(args []string, stdout, stderr io.Writer) error {
	fs, def := mappingFlags("check", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if *def {
		files = append([]string{""}, files...)
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, mappingUsage)
		return errUsage
	}
	bad := 0
	for _, file := range files {
		cfg, name, err := loadMappingFile(file)
		if err != nil {
			bad++
			printMappingErrors(stdout, name, err)
			continue
		}
		fmt.Fprintf(stdout, "%s: ok (%s)\n", name, describeMapping(cfg.Summary()))
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d mapping file(s) have problems", bad, len(files))
	}
	return nil
}

// loadMappingFile loads a mapping file, or the built-in one for "".
func loadMappingFile(file string) (*mapping.Config, string, error) {
	if file == "" {
		cfg, err := mapping.Parse(mapping.DefaultYAML, "built-in default mapping")
		return cfg, "built-in default mapping", err
	}
	cfg, err := mapping.Load(file)
	return cfg, file, err
}

// printMappingErrors lists every problem of a file, one a line; the
// mapping's own errors already name the file and line.
func printMappingErrors(w io.Writer, file string, err error) {
	list := mapping.Errors(err)
	if len(list) == 0 {
		fmt.Fprintf(w, "%s: %v\n", file, err)
		return
	}
	for _, e := range list {
		fmt.Fprintln(w, e.Error())
	}
}

func describeMapping(s mapping.Summary) string {
	deferral := "deferral off"
	if s.Deferral.Enabled {
		deferral = fmt.Sprintf("deferral from %d days", s.Deferral.MinPeriodDays)
	}
	return fmt.Sprintf("%d GL rules, %d order rules, %d charge item rules, %d payment method codes, %d item mappings; test_mode %s, unknown_events %s, %s",
		s.GLRules, s.OrderRules, s.ChargeItemRules, s.PaymentMethodCodes, s.ItemMappings, s.TestMode, s.UnknownEvents, deferral)
}

// previewReport is what preview prints.
type previewReport struct {
	Mapping   string          `json:"mapping"`
	EventID   string          `json:"event_id,omitempty"`
	EventType string          `json:"event_type,omitempty"`
	Livemode  bool            `json:"livemode"`
	Outcome   string          `json:"outcome"`
	Outputs   []previewOutput `json:"outputs,omitempty"`
	Flags     []icommand.Flag `json:"flags"`
	// Error is why the event would be dead-lettered (outcome "dlq"): the
	// DLQ record's error.* headers.
	Error *previewError `json:"error,omitempty"`
}

type previewError struct {
	Class   string `json:"class"`
	Code    string `json:"code"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

type previewOutput struct {
	Topic string `json:"topic"`
	Key   string `json:"key"`
	Type  string `json:"type"`
	Value any    `json:"value"`
}

func runMappingPreview(args []string, stdout, stderr io.Writer) error {
	fs, def := mappingFlags("preview", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var file, eventFile string
	switch rest := fs.Args(); {
	case *def && len(rest) == 1:
		eventFile = rest[0]
	case !*def && len(rest) == 2:
		file, eventFile = rest[0], rest[1]
	default:
		fmt.Fprint(stderr, mappingUsage)
		return errUsage
	}
	cfg, name, err := loadMappingFile(file)
	if err != nil {
		printMappingErrors(stderr, name, err)
		return fmt.Errorf("mapping %s has problems: run 'stripe-infor mapping check %s'", name, file)
	}
	raw, err := readEvent(eventFile)
	if err != nil {
		return err
	}
	report := previewReport{Mapping: name, Flags: []icommand.Flag{}}
	res, err := transform.New(cfg).Transform(raw, time.Time{})
	if err != nil {
		var te *transform.Error
		if !errors.As(err, &te) {
			te = &transform.Error{Class: transform.ClassValidation, Code: "unexpected", Message: err.Error()}
		}
		report.Outcome = "dlq"
		report.Error = &previewError{Class: te.Class, Code: te.Code, Field: te.Field, Message: te.Message}
		if werr := writeJSON(stdout, report); werr != nil {
			return werr
		}
		return fmt.Errorf("%s would be dead-lettered: %w", eventFile, err)
	}
	report.EventID, report.EventType, report.Livemode = res.EventID, res.EventType, res.Livemode
	report.Outcome, report.Flags = res.Outcome, res.Flags
	for _, o := range res.Outputs {
		v, err := withDecimals(o.Value)
		if err != nil {
			return fmt.Errorf("render %T: %w", o.Value, err)
		}
		report.Outputs = append(report.Outputs, previewOutput{Topic: o.Topic, Key: o.Key, Type: typeName(o.Value), Value: v})
	}
	return writeJSON(stdout, report)
}

func readEvent(path string) ([]byte, error) {
	if path == "-" {
		b, err := io.ReadAll(os.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read event from standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	return b, nil
}

func typeName(v any) string {
	switch v := v.(type) {
	case icommand.Command:
		return v.Type()
	case schemas.EnrichedEvent:
		return "EnrichedEvent"
	case schemas.CustomerNotification:
		return "CustomerNotification"
	}
	return fmt.Sprintf("%T", v)
}

// withDecimals renders a value as JSON and adds to every money object
// ({"minor", "currency"}) its exact decimal, the way Infor will show it,
// so a person checking a preview need not count decimals.
func withDecimals(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var tree any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&tree); err != nil {
		return nil, err
	}
	addDecimals(tree)
	return tree, nil
}

func addDecimals(node any) {
	switch n := node.(type) {
	case map[string]any:
		if minor, ok := n["minor"].(json.Number); ok && len(n) == 2 {
			if cur, ok := n["currency"].(string); ok {
				if m, err := minor.Int64(); err == nil {
					n["decimal"] = icommand.Decimal(icommand.Money{Minor: m, Currency: cur})
				}
			}
		}
		for _, v := range n {
			addDecimals(v)
		}
	case []any:
		for _, v := range n {
			addDecimals(v)
		}
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
