package chartcheck

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

const (
	release   = "rel"
	namespace = "payments"
	// fullname is what the chart names a release "rel": <release>-<chart>.
	fullname = "rel-stripe-infor"
)

// stages are the chart's three Deployments, by component label.
var stages = []string{"producer", "processor", "sink"}

// stagePorts are the ports each stage listens on by default (PRODUCER_ADDR,
// PROCESSOR_ADDR, SINK_ADDR in cmd/stripe-infor).
var stagePorts = map[string]int32{"producer": 8080, "processor": 8082, "sink": 8083}

func chartDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "stripe-infor"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func helm(t *testing.T) string {
	t.Helper()
	h, err := HelmBinary()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// profile is one set of values the chart is rendered with.
type profile struct {
	name string
	args []string
}

func profiles(t *testing.T) []profile {
	return []profile{
		{"defaults", nil},
		{"all-features", []string{"-f", filepath.Join(chartDir(t), "ci", "all-features-values.yaml")}},
	}
}

// rendered is a decoded render, indexed for the assertions.
type rendered struct {
	all          []Manifest
	deployments  map[string]*appsv1.Deployment // by component
	services     []*corev1.Service
	pdbs         []*policyv1.PodDisruptionBudget
	policies     []*networkingv1.NetworkPolicy
	hpas         []*autoscalingv2.HorizontalPodAutoscaler
	ingresses    []*networkingv1.Ingress
	configMaps   map[string]*corev1.ConfigMap
	scaled       []*ScaledObject
	triggerAuths map[string]*TriggerAuthentication
	monitors     []*monitoringv1.ServiceMonitor
	rules        []*monitoringv1.PrometheusRule
}

// render renders the chart with extra helm arguments and decodes it
// strictly; any decoding error fails the test.
func render(t *testing.T, extra ...string) *rendered {
	t.Helper()
	return renderDir(t, chartDir(t), extra...)
}

func renderDir(t *testing.T, dir string, extra ...string) *rendered {
	t.Helper()
	out, err := Render(helm(t), dir, release, namespace, extra...)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Decode(out)
	if err != nil {
		t.Fatalf("strict decoding failed:\n%v", err)
	}
	return index(t, ms)
}

func index(t *testing.T, ms []Manifest) *rendered {
	t.Helper()
	r := &rendered{all: ms, deployments: map[string]*appsv1.Deployment{},
		configMaps: map[string]*corev1.ConfigMap{}, triggerAuths: map[string]*TriggerAuthentication{}}
	for _, m := range ms {
		switch o := m.Object.(type) {
		case *appsv1.Deployment:
			c := o.Labels["app.kubernetes.io/component"]
			if r.deployments[c] != nil {
				t.Fatalf("two Deployments for component %q", c)
			}
			r.deployments[c] = o
		case *corev1.Service:
			r.services = append(r.services, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *networkingv1.NetworkPolicy:
			r.policies = append(r.policies, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			r.hpas = append(r.hpas, o)
		case *networkingv1.Ingress:
			r.ingresses = append(r.ingresses, o)
		case *corev1.ConfigMap:
			r.configMaps[o.Name] = o
		case *ScaledObject:
			r.scaled = append(r.scaled, o)
		case *TriggerAuthentication:
			r.triggerAuths[o.Name] = o
		case *monitoringv1.ServiceMonitor:
			r.monitors = append(r.monitors, o)
		case *monitoringv1.PrometheusRule:
			r.rules = append(r.rules, o)
		}
	}
	return r
}

// kinds counts the rendered documents by kind.
func (r *rendered) kinds() map[string]int {
	n := map[string]int{}
	for _, m := range r.all {
		n[m.Kind]++
	}
	return n
}

func (r *rendered) deployment(t *testing.T, stage string) *appsv1.Deployment {
	t.Helper()
	d := r.deployments[stage]
	if d == nil {
		t.Fatalf("no Deployment for stage %s", stage)
	}
	return d
}

// selecting returns the components of the Deployments whose pod template
// the selector matches.
func (r *rendered) selecting(t *testing.T, sel labels.Selector) []string {
	t.Helper()
	var out []string
	for c, d := range r.deployments {
		if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func selector(t *testing.T, ls *metav1.LabelSelector) labels.Selector {
	t.Helper()
	if ls == nil {
		t.Fatal("nil label selector")
	}
	sel, err := metav1.LabelSelectorAsSelector(ls)
	if err != nil {
		t.Fatal(err)
	}
	if sel.Empty() {
		t.Fatal("empty label selector: it would select every pod in the namespace")
	}
	return sel
}

func container(t *testing.T, d *appsv1.Deployment) corev1.Container {
	t.Helper()
	cs := d.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%s: %d containers, want 1", d.Name, len(cs))
	}
	return cs[0]
}

func envVar(c corev1.Container, name string) (corev1.EnvVar, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e, true
		}
	}
	return corev1.EnvVar{}, false
}

func envValue(t *testing.T, c corev1.Container, name string) string {
	t.Helper()
	e, ok := envVar(c, name)
	if !ok {
		t.Fatalf("container %s has no %s", c.Name, name)
	}
	return e.Value
}

// fileEnvs returns the container's *_FILE variables.
func fileEnvs(c corev1.Container) map[string]string {
	out := map[string]string{}
	for _, e := range c.Env {
		if strings.HasSuffix(e.Name, "_FILE") {
			out[e.Name] = e.Value
		}
	}
	return out
}
