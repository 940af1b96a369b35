package chartcheck

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
)

// The strictness the chart test relies on, shown on small documents.
func TestDecodeStrictRefusesWhatTheAPIServerWould(t *testing.T) {
	const good = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
spec:
  template:
    spec:
      containers:
        - name: c
          securityContext:
            readOnlyRootFilesystem: true
`
	var d appsv1.Deployment
	if err := DecodeStrict([]byte(good), &d); err != nil {
		t.Fatalf("a valid Deployment was refused: %v", err)
	}
	if sc := d.Spec.Template.Spec.Containers[0].SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Fatalf("readOnlyRootFilesystem not decoded: %+v", sc)
	}

	for name, tc := range map[string]struct{ doc, want string }{
		"misspelt field":  {strings.Replace(good, "readOnlyRootFilesystem", "readOnlyRootFilesytem", 1), `unknown field "spec.template.spec.containers[0].securityContext.readOnlyRootFilesytem"`},
		"wrong case":      {strings.Replace(good, "readOnlyRootFilesystem", "readonlyRootFilesystem", 1), "readonlyRootFilesystem"},
		"wrong type":      {strings.Replace(good, "true", `"yes"`, 1), "cannot unmarshal string"},
		"duplicated key":  {strings.Replace(good, "  name: x\n", "  name: x\n  name: y\n", 1), "name"},
		"field misplaced": {strings.Replace(good, "      containers:", "      replicas: 2\n      containers:", 1), "replicas"},
	} {
		t.Run(name, func(t *testing.T) {
			var d appsv1.Deployment
			err := DecodeStrict([]byte(tc.doc), &d)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestDecodeRefusesUnknownKindsAndNamesTheTemplate(t *testing.T) {
	out := []byte(`---
# Source: stripe-infor/templates/a.yaml
apiVersion: v1
kind: Service
metadata:
  name: ok
spec:
  ports:
    - port: 80
---
# Source: stripe-infor/templates/b.yaml
apiVersion: v1
kind: Pod
metadata:
  name: stray
---
# Source: stripe-infor/templates/c.yaml
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: so
spec:
  scaleTargetRef:
    name: d
  triggers:
    - type: kafka
      metadata:
        lagThreshold: 50
`)
	ms, err := Decode(out)
	if err == nil {
		t.Fatal("no error for a Pod and a non-string KEDA metadata value")
	}
	for _, want := range []string{"templates/b.yaml: unexpected kind v1 \"Pod\"", "templates/c.yaml: ScaledObject so"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if len(ms) != 1 || ms[0].Kind != "Service" || ms[0].Source != "stripe-infor/templates/a.yaml" {
		t.Fatalf("decoded = %+v, want only the Service", ms)
	}
}

func TestSplitDropsCommentOnlyDocuments(t *testing.T) {
	docs := Split([]byte("---\n# Source: x\n---\napiVersion: v1\nkind: Service\n---   \n\n"))
	if len(docs) != 1 || !strings.Contains(docs[0], "kind: Service") {
		t.Fatalf("Split = %q", docs)
	}
}

func TestMetricsInFileResolvesConstantsAndLiterals(t *testing.T) {
	src := `package x
const ns, sub = "stripe_infor", "sink"
var a = prometheus.CounterOpts{
	Namespace: ns, Subsystem: sub, Name: "commands_total",
}
var b = prometheus.GaugeOpts{Namespace: "stripe_infor", Subsystem: "webhook", Name: "in_flight_requests"}
var c = prometheus.CounterOpts{Namespace: "stripe_infor", Name: "alerts_total"}
var d = prometheus.CounterOpts{Namespace: "other", Name: "ignored_total"}
`
	got := metricsInFile(src)
	want := []string{"stripe_infor_sink_commands_total", "stripe_infor_webhook_in_flight_requests", "stripe_infor_alerts_total"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("metricsInFile = %v, want %v", got, want)
	}
	defined := map[string]bool{"stripe_infor_sink_apply_seconds": true}
	if !Known(defined, "stripe_infor_sink_apply_seconds_bucket") || Known(defined, "stripe_infor_sink_apply_second_bucket") {
		t.Fatal("Known does not handle histogram series")
	}
}
