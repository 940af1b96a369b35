// Command schemas-check enforces the Avro schema evolution policy
// (schemas/README.md); `make schemas-check` runs it as part of `make test`.
//
// It checks that every .avsc under schemas/avro is valid (parses with goavro
// and hamba/avro, every named type and field has a doc), that every frozen
// version under schemas/versions is BACKWARD compatible with the one before
// it, that each topic's current schema is BACKWARD compatible with, and
// equal to, its latest frozen version, and (with git) that frozen versions
// were never edited after they were added.
//
// With -freeze (`make schemas-freeze`) it records each changed schema as the
// subject's next version, refusing an incompatible one.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/stripe-infor/stripe-infor/schemas"
	"github.com/stripe-infor/stripe-infor/schemas/schemacheck"
)

func main() {
	dir := flag.String("dir", "schemas/versions", "directory of the frozen versions, <subject>/vN.avsc")
	freeze := flag.Bool("freeze", false, "write the next version of every changed schema (when BACKWARD compatible)")
	flag.Parse()
	os.Exit(run(*dir, *freeze, os.Stdout, os.Stderr))
}

func run(dir string, freeze bool, stdout, stderr io.Writer) int {
	fail := func(problems []error) int {
		for _, p := range problems {
			fmt.Fprintln(stderr, "schemas-check:", p)
		}
		fmt.Fprintf(stderr, "schemas-check: %d problem(s)\n", len(problems))
		return 1
	}
	cat, err := schemas.Embedded()
	if err != nil {
		return fail([]error{err})
	}
	current, err := schemacheck.Current(cat)
	if err != nil {
		return fail([]error{err})
	}
	history, err := schemacheck.Load(dir)
	if err != nil {
		return fail([]error{err})
	}

	var problems []error
	if freeze {
		written, ps := schemacheck.Freeze(dir, current, history)
		for _, p := range written {
			fmt.Fprintln(stdout, "schemas-check: wrote", p)
		}
		if len(written) == 0 && len(ps) == 0 {
			fmt.Fprintln(stdout, "schemas-check: nothing to freeze, every schema is frozen")
		}
		problems = ps
	} else {
		problems = append(schemacheck.CheckHistory(history), schemacheck.CheckCurrent(current, history)...)
	}
	notice, ps := schemacheck.CheckAppendOnly(dir)
	if notice != "" {
		fmt.Fprintln(stdout, "schemas-check:", notice)
	}
	problems = append(problems, ps...)
	if len(problems) > 0 {
		return fail(problems)
	}
	if !freeze {
		fmt.Fprintf(stdout, "schemas-check: %d types valid; %d subjects frozen, each BACKWARD compatible with its history\n",
			len(cat.Names()), len(current))
	}
	return 0
}
