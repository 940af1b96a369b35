package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/config"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/observability"
	"github.com/stripe-infor/stripe-infor/ops/kscan"
	"github.com/stripe-infor/stripe-infor/ops/replay"
	"github.com/stripe-infor/stripe-infor/ops/timespec"
)

const replayHelp = `usage: stripe-infor replay --topic TOPIC FROM [TO] (--to-topic TOPIC | --reset-group GROUP) [flags]

Makes a stage process records again, in one of two ways:

  --to-topic T     copy the records of the range to topic T (usually TOPIC
                   itself, so the stage reading it sees them again): key,
                   value and headers unchanged, plus replayed-from =
                   "<topic>/<partition>@<offset>" of the original.
  --reset-group G  commit FROM as consumer group G's offsets, so G reads
                   from there when it starts again. G must have no live
                   members (stop its consumers first); TO does not apply.

FROM is one of --from-offset N, --from-time T, --from-group G (that group's
committed offsets) or --from-earliest; TO is --to-offset N or --to-time T
(exclusive), default the end of each partition when the replay starts.
Offsets apply to every partition chosen (all, or --partition N). Times are
RFC 3339 (2026-11-25T09:30:00Z), a date, or a duration before now (6h).

Replaying is safe: every stage downstream is idempotent (command ids come
from the business identity, and the Infor sink applies each command id
once, checking Infor itself before it creates anything). A replay costs
work, never a duplicate in Infor. --dry-run shows the ranges, the record
count and the offset moves, and writes nothing.

flags:
`

// runReplay is `stripe-infor replay`.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, replayHelp); fs.PrintDefaults() }
	var k opsKafka
	if err := k.bind(fs); err != nil {
		return err
	}
	topic := fs.String("topic", "", "the topic to replay (required)")
	partition := fs.Int("partition", -1, "replay only this partition (default: all)")
	fromOffset := fs.Int64("from-offset", 0, "start at this offset")
	fromTime := fs.String("from-time", "", "start at the first record at or after this time")
	fromGroup := fs.String("from-group", "", "start at this consumer group's committed offsets")
	fromEarliest := fs.Bool("from-earliest", false, "start at the oldest record kept")
	toOffset := fs.Int64("to-offset", 0, "stop before this offset")
	toTime := fs.String("to-time", "", "stop before the first record at or after this time")
	toTopic := fs.String("to-topic", "", "copy the records to this topic")
	resetGroup := fs.String("reset-group", "", "move this (stopped) consumer group's offsets to FROM instead")
	dryRun := fs.Bool("dry-run", false, "show what would happen; write nothing")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	set := setFlags(fs)
	now := time.Now()
	usage := func(format string, a ...any) error { return usagef(stderr, "replay", format, a...) }

	if *topic == "" {
		return usage("--topic is required")
	}
	var from kscan.Bound
	switch n := countSet(set, "from-offset", "from-time", "from-group", "from-earliest"); {
	case n != 1:
		return usage("give exactly one of --from-offset, --from-time, --from-group, --from-earliest")
	case set["from-offset"]:
		from = kscan.AtOffset(*fromOffset)
	case set["from-time"]:
		t, err := timespec.Parse(*fromTime, now)
		if err != nil {
			return usage("--from-time: %v", err)
		}
		from = kscan.AtTime(t)
	case set["from-group"]:
		from = kscan.AtGroup(*fromGroup)
	case !*fromEarliest:
		return usage("--from-earliest=false is not a start")
	default:
		from = kscan.Earliest()
	}
	to := kscan.Latest()
	switch n := countSet(set, "to-offset", "to-time"); {
	case n > 1:
		return usage("give at most one of --to-offset, --to-time")
	case set["to-offset"]:
		to = kscan.AtOffset(*toOffset)
	case set["to-time"]:
		t, err := timespec.Parse(*toTime, now)
		if err != nil {
			return usage("--to-time: %v", err)
		}
		to = kscan.AtTime(t)
	}
	if (*toTopic == "") == (*resetGroup == "") {
		return usage("give exactly one of --to-topic and --reset-group")
	}
	if *resetGroup != "" && !to.IsLatest() {
		return usage("--to-offset and --to-time do not apply to --reset-group: a group reads on to the end")
	}
	src := replay.Source{Topic: *topic, From: from, To: to}
	if *partition >= 0 {
		src.Partitions = []int32{int32(*partition)}
	}
	kc, err := k.config(stderr)
	if err != nil {
		return err
	}
	o := replay.Options{Kafka: kc, DryRun: *dryRun, Progress: stderr}

	if *resetGroup != "" {
		rep, err := replay.ResetGroup(ctx, o, src, *resetGroup)
		if err != nil {
			return err
		}
		printReset(stdout, rep)
		return nil
	}
	rep, err := replay.ToTopic(ctx, o, src, *toTopic)
	if err == nil || len(rep.Ranges) > 0 {
		printReplay(stdout, *topic, from, to, rep)
	}
	return err
}

func printReplay(w io.Writer, topic string, from, to kscan.Bound, rep replay.TopicReport) {
	note := ""
	if rep.DryRun {
		note = " (dry run: nothing written)"
	}
	fmt.Fprintf(w, "replay %s → %s, from %s to %s%s\n", topic, rep.Target, from, to, note)
	empty := 0
	for _, r := range rep.Ranges {
		if r.Len() == 0 {
			empty++
			continue
		}
		fmt.Fprintf(w, "  partition %d: offsets [%d, %d)\n", r.Partition, r.Start, r.End)
	}
	if empty > 0 {
		fmt.Fprintf(w, "  %d partition(s) have nothing in the range\n", empty)
	}
	for _, r := range rep.Short {
		fmt.Fprintf(w, "  partition %d stopped at %d before %d: nothing readable there (aborted transactions or records removed meanwhile)\n", r.Partition, r.Start, r.End)
	}
	offsets := kscan.Total(rep.Ranges)
	if rep.DryRun {
		fmt.Fprintf(w, "records: %d would be copied (%d offsets; the others are transaction markers or aborted)\n", rep.Records, offsets)
		return
	}
	fmt.Fprintf(w, "records: %d read (%d offsets), %d written to %s\n", rep.Records, offsets, rep.Produced, rep.Target)
}

func printReset(w io.Writer, rep replay.ResetReport) {
	note := ""
	if rep.DryRun {
		note = " (dry run: nothing committed)"
	}
	fmt.Fprintf(w, "group %s on %s%s\n", rep.Group, rep.Topic, note)
	for _, m := range rep.Moves {
		old := "(none)"
		if m.Old >= 0 {
			old = strconv.FormatInt(m.Old, 10)
		}
		fmt.Fprintf(w, "  partition %d: %s → %d\n", m.Partition, old, m.New)
	}
}

// opsKafka is the Kafka setting every SRE tool takes.
type opsKafka struct{ brokers string }

func (k *opsKafka) bind(fs *flag.FlagSet) error {
	def, err := config.String("KAFKA_BROKERS", "")
	if err != nil {
		return err
	}
	fs.StringVar(&k.brokers, "kafka-brokers", def, "Kafka bootstrap servers, comma-separated (KAFKA_BROKERS)")
	return nil
}

// config returns the Kafka settings, with franz-go's warnings logged to
// stderr, and SASL and TLS from KAFKA_SASL_* and KAFKA_TLS_* as the stages
// read them.
func (k *opsKafka) config(stderr io.Writer) (kafka.Config, error) {
	brokers := config.List(k.brokers)
	if len(brokers) == 0 {
		return kafka.Config{}, &config.MissingError{Name: "KAFKA_BROKERS"}
	}
	log, err := observability.NewLogger(stderr, "warn")
	if err != nil {
		return kafka.Config{}, err
	}
	sec, err := kafka.SecurityFromEnv(log)
	if err != nil {
		return kafka.Config{}, err
	}
	return kafka.Config{Brokers: brokers, ClientID: "stripe-infor-ops", Logger: log, Security: sec}, nil
}

// usagef explains a wrong combination of flags and makes the exit code 2.
func usagef(stderr io.Writer, cmd, format string, a ...any) error {
	fmt.Fprintf(stderr, "stripe-infor %s: %s (see stripe-infor %s -h)\n", cmd, fmt.Sprintf(format, a...), cmd)
	return errUsage
}

// setFlags returns the flags given on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

func countSet(set map[string]bool, names ...string) int {
	n := 0
	for _, name := range names {
		if set[name] {
			n++
		}
	}
	return n
}

// listFlag is a flag that may be repeated or hold a comma-separated list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	*l = append(*l, config.List(v)...)
	return nil
}

// parseInterspersed parses flags that may come after positional arguments
// ("dlq show ID --json"), and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
