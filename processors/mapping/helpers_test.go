package mapping

import (
	"strings"
	"testing"
)

// baseYAML is the smallest valid mapping without gl_rules; tests add what
// they are about.
const baseYAML = `version: 1
payment_methods:
  default: STR
  codes: { card: CRD }
items:
  default: ITEM
`

// defaultGL is a complete default rule.
const defaultGL = `  - name: default
    default: true
    accounts: { clearing: "1930", receivable: "1510", revenue: "3010", deferred_revenue: "2970", refunds: "3090", disputes: "6390", fees: "6570", bank: "1940", fx_gain_loss: "7960" }
`

// doc assembles a mapping: baseYAML, then extra; when extra has no
// gl_rules, a gl_rules list holding only defaultGL is added.
func doc(extra string) string {
	s := baseYAML + extra
	if !strings.Contains(extra, "gl_rules:") {
		s += "gl_rules:\n" + defaultGL
	}
	return s
}

// markedLine returns the 1-based line of the first line holding "#<" (the
// test files mark the offending line with it).
func markedLine(t *testing.T, s string) int {
	t.Helper()
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "#<") {
			return i + 1
		}
	}
	t.Fatalf("no #< marker in:\n%s", s)
	return 0
}

func mustParse(t testing.TB, s string) *Config {
	t.Helper()
	c, err := Parse([]byte(s), "t.yaml")
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, s)
	}
	return c
}
