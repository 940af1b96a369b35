package chartcheck

import (
	"encoding/json"
	"strings"
	"testing"
)

// The alerts the issue asks for exist, and every stripe_infor_* metric the
// rules and the dashboard query is one the code really exports: a renamed
// metric would otherwise leave an alert that can never fire.
func TestAlertsAndDashboardQueryRealMetrics(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	defined, err := DefinedMetrics(root)
	if err != nil {
		t.Fatal(err)
	}
	// The scan itself must find the metrics the stages are known to export,
	// or a change in how they are declared would make this test vacuous.
	for _, m := range []string{"stripe_infor_webhook_requests_total", "stripe_infor_processor_dlq_records_total",
		"stripe_infor_sink_consumer_lag", "stripe_infor_sink_apply_seconds", "stripe_infor_alerts_total"} {
		if !defined[m] {
			t.Fatalf("the source scan did not find %s (found %d metrics); has the declaration style changed?", m, len(defined))
		}
	}

	r := render(t, profiles(t)[1].args...)
	if len(r.rules) != 1 {
		t.Fatalf("%d PrometheusRules", len(r.rules))
	}
	alerts := map[string]string{}
	for _, g := range r.rules[0].Spec.Groups {
		for _, rule := range g.Rules {
			expr := rule.Expr.String()
			if rule.Alert == "" || strings.TrimSpace(expr) == "" {
				t.Errorf("group %s: rule without alert name or expression: %+v", g.Name, rule)
				continue
			}
			if rule.Labels["severity"] == "" || rule.Annotations["summary"] == "" || rule.Annotations["description"] == "" {
				t.Errorf("%s: needs severity, summary and description", rule.Alert)
			}
			if rule.Labels["team"] != "finance-platform" {
				t.Errorf("%s: alertLabels not applied: %v", rule.Alert, rule.Labels)
			}
			checkPromQL(t, rule.Alert, expr, defined)
			alerts[rule.Alert] = expr
		}
	}
	// One alert per concern of the issue, each on the metric that measures it.
	for name, metric := range map[string]string{
		"StripeInforSinkDLQGrowing":           "stripe_infor_sink_dlq_records_total",
		"StripeInforProcessorDLQGrowing":      "stripe_infor_processor_dlq_records_total",
		"StripeInforSinkConsumerLag":          "stripe_infor_sink_consumer_lag",
		"StripeInforProcessorConsumerLag":     "kafka_consumergroup_lag",
		"StripeInforWebhookSignatureFailures": "stripe_infor_webhook_verification_failures_total",
		"StripeInforInforErrorRate":           "stripe_infor_sink_commands_total",
		"StripeInforPodNotReady":              "kube_pod_status_ready",
		"StripeInforStageDown":                "up{",
	} {
		expr, ok := alerts[name]
		if !ok {
			t.Errorf("alert %s missing", name)
			continue
		}
		if !strings.Contains(expr, metric) {
			t.Errorf("%s does not use %s: %s", name, metric, expr)
		}
	}
	// Scoped to this release, so two releases in one Prometheus do not mix.
	if !strings.Contains(alerts["StripeInforSinkDLQGrowing"], `namespace="payments"`) ||
		!strings.Contains(alerts["StripeInforSinkDLQGrowing"], `job=~"rel-stripe-infor-(producer|processor|sink)"`) {
		t.Errorf("rules not scoped to the release: %s", alerts["StripeInforSinkDLQGrowing"])
	}

	dash := r.configMaps[fullname+"-dashboard"]
	if dash == nil {
		t.Fatal("no dashboard ConfigMap")
	}
	if dash.Labels["grafana_dashboard"] != "1" {
		t.Errorf("dashboard labels %v: the Grafana sidecar would not load it", dash.Labels)
	}
	var board struct {
		UID    string `json:"uid"`
		Panels []struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal([]byte(dash.Data["stripe-infor.json"]), &board); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	used := map[string]bool{}
	for _, p := range board.Panels {
		if p.Type == "row" {
			continue
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			checkPromQL(t, "panel "+p.Title, tg.Expr, defined)
			for _, m := range ReferencedMetrics(tg.Expr) {
				used[m] = true
			}
		}
	}
	for _, m := range []string{"stripe_infor_webhook_requests_total", "stripe_infor_processor_events_total", "stripe_infor_sink_commands_total", "stripe_infor_sink_consumer_lag"} {
		if !used[m] {
			t.Errorf("the dashboard does not show %s", m)
		}
	}
}

// checkPromQL checks what can be checked without a PromQL parser: the
// stripe_infor_* metrics exist, and brackets and quotes are balanced.
func checkPromQL(t *testing.T, what, expr string, defined map[string]bool) {
	t.Helper()
	for _, m := range ReferencedMetrics(expr) {
		if !Known(defined, m) {
			t.Errorf("%s: metric %s is not exported by the code", what, m)
		}
	}
	depth := map[rune]int{}
	pairs := map[rune]rune{')': '(', ']': '[', '}': '{'}
	inQuote := false
	for _, ch := range expr {
		switch {
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '(' || ch == '[' || ch == '{':
			depth[ch]++
		case pairs[ch] != 0:
			depth[pairs[ch]]--
			if depth[pairs[ch]] < 0 {
				t.Errorf("%s: unbalanced %q in %s", what, ch, expr)
				return
			}
		}
	}
	for open, n := range depth {
		if n != 0 || inQuote {
			t.Errorf("%s: unbalanced %q or quotes in %s", what, open, expr)
		}
	}
}
