// Command stripe-infor is the one binary of the Stripe → Infor pipeline. Each
// stage runs as its own subcommand in production; `dev` runs them all, with
// an embedded broker, schema registry and Redis, on one machine.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// pending names the subcommands DESIGN.md reserves that later issues build.
var pending = map[string]string{}

func commands() []command {
	return []command{
		{"dev", "run the whole pipeline on this machine with embedded defaults", runDev},
		{"producer", "run the webhook producer stage (production)", runProducer},
		{"processor", "run the processor stage: raw Stripe events to Avro Infor commands (production)", runProcessor},
		{"sink", "run the Infor sink: apply the Infor commands in Infor, exactly once in effect (production)", runSink},
		{"infor-emulator", "run the Infor ION API + M3 emulator on its own", runEmulator},
		{"send", "sign a Stripe test event like Stripe does and POST it to a webhook endpoint", runSend},
		{"mapping", "check a mapping file, or preview what it makes of a Stripe event (mapping -h)", runMapping},
		{"replay", "re-process a topic range: copy it to a topic, or move a stopped group's offsets (replay -h)", runReplay},
		{"dlq", "list, show and redrive dead letters (dlq -h)", runDLQ},
		{"backfill", "fetch missed events from Stripe's Events API into stripe.events.raw (backfill -h)", runBackfill},
		{"demo", "with dev running: send a realistic day of Stripe events and reconcile Infor's books with Stripe's (demo -h)", runDemo},
		{"version", "print the version", func(_ context.Context, _ []string, out, _ io.Writer) error {
			_, err := fmt.Fprintln(out, "stripe-infor", version)
			return err
		}},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: stripe-infor <command> [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-15s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'stripe-infor <command> -h' for a command's flags. Settings come from the")
	fmt.Fprintln(w, "environment (each X also as X_FILE); flags override them. See README.md.")
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	// The first SIGINT/SIGTERM starts a graceful shutdown; a second one
	// forces the exit for an operator who does not want to wait.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // restore default handling: the next signal kills the process
	}()

	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		default:
			fmt.Fprintf(stderr, "stripe-infor %s: %v\n", c.name, err)
			return 1
		}
	}
	if what, ok := pending[args[0]]; ok {
		fmt.Fprintf(stderr, "stripe-infor %s: not built yet; it arrives with %s\n", args[0], what)
		return 2
	}
	fmt.Fprintf(stderr, "stripe-infor: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// errUsage marks an error already explained to the user by the flag package.
var errUsage = errors.New("usage")

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}
