package transform

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stripe-infor/stripe-infor/internal/command"
	"github.com/stripe-infor/stripe-infor/internal/kafka"
	"github.com/stripe-infor/stripe-infor/internal/stripefixture"
	"github.com/stripe-infor/stripe-infor/processors/mapping"
	"github.com/stripe-infor/stripe-infor/schemas"
)

// FuzzTransform holds Transform to its contract on any input: it never
// panics, a failure is always a *Error of class decode or validation, it
// calls a record invalid JSON exactly when encoding/json does, and every
// result ends with the enriched event and has only balanced journals.
func FuzzTransform(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range append(files, "testdata/not_json.txt") {
		f.Add(readTestdata(f, filepath.Base(name)))
	}
	for _, typ := range []string{"charge.refunded", "charge.dispute.closed", "invoice.paid", "balance.available"} {
		f.Add(stripefixture.MustEvent(typ, stripefixture.Options{Seq: 1}))
	}
	f.Add([]byte(`{"id":"evt_1","type":"charge.succeeded","data":{"object":{"id":"ch_1","amount":"12","currency":"usd"}}}`))
	f.Add([]byte(`{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1","currency":"usd","lines":{"data":[{"amount":5,"quantity":0,"period":{"start":0,"end":99999999}}]}}}}`))
	trs := []*Transformer{New(mapping.Default()), New(loadMapping(f, "mapping_strict.yaml"))}
	at := time.Unix(1795608000, 0)

	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, tr := range trs {
			res, err := tr.Transform(raw, at)
			valid := json.Valid(raw)
			if err != nil {
				var te *Error
				if !errors.As(err, &te) {
					t.Fatalf("error %T %v is not a *transform.Error", err, err)
				}
				if te.Class != ClassDecode && te.Class != ClassValidation || te.Code == "" || te.Message == "" {
					t.Fatalf("incomplete error %+v", te)
				}
				if (te.Code == "invalid_json") == valid {
					t.Fatalf("error %+v, encoding/json valid=%v", te, valid)
				}
				continue
			}
			if !valid {
				t.Fatalf("invalid JSON transformed (outcome %s)", res.Outcome)
			}
			if len(res.Outputs) == 0 {
				t.Fatal("no enriched event")
			}
			if _, ok := res.Outputs[len(res.Outputs)-1].Value.(schemas.EnrichedEvent); !ok {
				t.Fatal("last output is not the enriched event")
			}
			for _, o := range res.Outputs {
				if j, ok := o.Value.(command.PostJournal); ok {
					assertBalanced(t, j)
					if o.Topic != kafka.JournalCommands {
						t.Fatalf("journal on %s", o.Topic)
					}
				}
				if c, ok := o.Value.(command.Command); ok && (c.ID() == "" || o.Key == "") {
					t.Fatalf("command %T without id or key", c)
				}
			}
		}
	})
}
