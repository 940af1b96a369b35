package chartcheck

import (
	"reflect"
	"slices"
	"strconv"
	"testing"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Every PDB, Service and NetworkPolicy selects the pods of exactly its own
// stage, and every stage has one of each.
func TestSelectorsMatchTheirStage(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			covered := map[string]map[string]bool{"PodDisruptionBudget": {}, "Service": {}, "NetworkPolicy": {}}
			check := func(kind, name string, sel labels.Selector, component string) {
				got := r.selecting(t, sel)
				if len(got) != 1 || got[0] != component {
					t.Errorf("%s %s selects %v, want [%s]", kind, name, got, component)
					return
				}
				covered[kind][component] = true
			}
			for _, b := range r.pdbs {
				check("PodDisruptionBudget", b.Name, selector(t, b.Spec.Selector), b.Labels["app.kubernetes.io/component"])
				if b.Spec.MaxUnavailable == nil && b.Spec.MinAvailable == nil {
					t.Errorf("PDB %s limits nothing", b.Name)
				}
			}
			for _, s := range r.services {
				check("Service", s.Name, labels.SelectorFromSet(s.Spec.Selector), s.Labels["app.kubernetes.io/component"])
				c := container(t, r.deployment(t, s.Labels["app.kubernetes.io/component"]))
				for _, sp := range s.Spec.Ports {
					if !containerHasPort(c, sp.TargetPort.String(), sp.TargetPort.IntValue()) {
						t.Errorf("Service %s targets port %s the pods do not expose", s.Name, sp.TargetPort.String())
					}
				}
			}
			for _, np := range r.policies {
				check("NetworkPolicy", np.Name, selector(t, &np.Spec.PodSelector), np.Labels["app.kubernetes.io/component"])
			}
			for kind, got := range covered {
				for _, stage := range stages {
					if !got[stage] {
						t.Errorf("no %s for %s", kind, stage)
					}
				}
			}
		})
	}
}

func containerHasPort(c corev1.Container, name string, number int) bool {
	for _, p := range c.Ports {
		if p.Name == name || int(p.ContainerPort) == number {
			return true
		}
	}
	return false
}

// The NetworkPolicies let in what each stage serves: webhooks and scrapes
// on the producer's port, scrapes on the others'. With egress restricted,
// each stage can still reach what it needs.
func TestNetworkPoliciesAllowTheStagePorts(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			for _, np := range r.policies {
				stage := np.Labels["app.kubernetes.io/component"]
				c := container(t, r.deployment(t, stage))
				if !ingressAllows(np, c, stagePorts[stage]) {
					t.Errorf("%s: ingress does not allow port %d", np.Name, stagePorts[stage])
				}
				if p.name == "all-features" {
					// Restricted sources: the producer's port serves webhooks and
					// /metrics, so both the ingress controller and Prometheus get in.
					want := map[string][]string{"producer": {"ingress-nginx", "monitoring"}, "processor": {"monitoring"}, "sink": {"monitoring"}}[stage]
					if got := ingressNamespaces(np); !reflect.DeepEqual(got, want) {
						t.Errorf("%s: ingress from namespaces %v, want %v", np.Name, got, want)
					}
				}
				egressOn := slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress)
				if p.name == "defaults" && egressOn {
					t.Errorf("%s: egress restricted by default", np.Name)
				}
				if !egressOn {
					continue
				}
				need := map[string][]int32{
					"producer":  {53, 9093},
					"processor": {53, 9093, 8081},
					"sink":      {53, 9093, 8081, 6379, 443},
				}[stage]
				for _, port := range need {
					if !egressAllows(np, port) {
						t.Errorf("%s: egress to port %d not allowed", np.Name, port)
					}
				}
				if stage == "producer" && egressAllows(np, 443) {
					t.Errorf("%s: the producer may reach HTTPS, which it never needs", np.Name)
				}
			}
		})
	}
}

func ingressAllows(np *networkingv1.NetworkPolicy, c corev1.Container, port int32) bool {
	for _, rule := range np.Spec.Ingress {
		if len(rule.Ports) == 0 {
			return true
		}
		for _, p := range rule.Ports {
			if p.Port == nil || p.Port.IntValue() == int(port) || containerHasPort(c, p.Port.String(), -1) {
				return true
			}
		}
	}
	return false
}

// ingressNamespaces lists the namespaces the ingress rules admit by name.
func ingressNamespaces(np *networkingv1.NetworkPolicy) []string {
	var out []string
	for _, rule := range np.Spec.Ingress {
		for _, peer := range rule.From {
			if peer.NamespaceSelector != nil {
				out = append(out, peer.NamespaceSelector.MatchLabels["kubernetes.io/metadata.name"])
			}
		}
	}
	slices.Sort(out)
	return out
}

func egressAllows(np *networkingv1.NetworkPolicy, port int32) bool {
	for _, rule := range np.Spec.Egress {
		for _, p := range rule.Ports {
			if p.Port != nil && p.Port.IntValue() == int(port) {
				return true
			}
		}
	}
	return false
}

// Autoscalers own the replica count of what they scale; the chart then
// leaves spec.replicas out, so an upgrade does not reset it.
func TestAutoscalersTargetTheirDeployment(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			scaled := map[string]bool{}
			for _, h := range r.hpas {
				ref := h.Spec.ScaleTargetRef
				if ref.Kind != "Deployment" || ref.Name != r.deployment(t, "producer").Name {
					t.Errorf("HPA %s targets %s %s, want the producer", h.Name, ref.Kind, ref.Name)
				}
				if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
					t.Errorf("HPA %s lets the webhook drop to one pod", h.Name)
				}
				scaled["producer"] = true
			}
			for _, so := range r.scaled {
				stage := so.Labels["app.kubernetes.io/component"]
				if so.Spec.ScaleTargetRef == nil || so.Spec.ScaleTargetRef.Name != r.deployment(t, stage).Name {
					t.Errorf("ScaledObject %s does not target the %s Deployment", so.Name, stage)
				}
				scaled[stage] = true
			}
			for _, stage := range stages {
				d := r.deployment(t, stage)
				if scaled[stage] != (d.Spec.Replicas == nil) {
					t.Errorf("%s: autoscaled=%v but spec.replicas=%v", stage, scaled[stage], d.Spec.Replicas)
				}
			}
			if !scaled["producer"] {
				t.Error("the producer has no HPA")
			}
		})
	}
}

// KEDA reads the lag of the group the pods really use, on the topics they
// consume, with the credentials the pods mount.
func TestKEDAScalesOnTheStagesOwnLag(t *testing.T) {
	r := render(t, profiles(t)[1].args...)
	wantTopics := map[string][]string{
		"processor": {"stripe.events.raw"},
		"sink":      {"infor.customer.commands", "infor.salesorder.commands", "infor.payment.commands", "infor.journal.commands", "infor.bank.commands"},
	}
	groupEnv := map[string]string{"processor": "PROCESSOR_GROUP", "sink": "SINK_GROUP"}
	if len(r.scaled) != 2 {
		t.Fatalf("%d ScaledObjects, want 2", len(r.scaled))
	}
	for _, so := range r.scaled {
		stage := so.Labels["app.kubernetes.io/component"]
		d := r.deployment(t, stage)
		c := container(t, d)
		group := envValue(t, c, groupEnv[stage])
		brokers := envValue(t, c, "KAFKA_BROKERS")
		files := secretFiles(t, d)
		var topics []string
		for _, tr := range so.Spec.Triggers {
			if tr.Type != "kafka" {
				t.Errorf("%s: trigger type %q", so.Name, tr.Type)
			}
			md := tr.Metadata
			topics = append(topics, md["topic"])
			if md["consumerGroup"] != group || md["bootstrapServers"] != brokers {
				t.Errorf("%s: trigger reads group %q on %q, pods use %q on %q", so.Name, md["consumerGroup"], md["bootstrapServers"], group, brokers)
			}
			if _, err := strconv.Atoi(md["lagThreshold"]); err != nil {
				t.Errorf("%s: lagThreshold %q", so.Name, md["lagThreshold"])
			}
			if md["sasl"] != "scram_sha512" || md["tls"] != "enable" {
				t.Errorf("%s: sasl=%q tls=%q, want scram_sha512 and enable (the pods use SCRAM-SHA-512 over TLS)", so.Name, md["sasl"], md["tls"])
			}
			if tr.AuthenticationRef == nil {
				t.Errorf("%s: no authenticationRef", so.Name)
				continue
			}
			ta := r.triggerAuths[tr.AuthenticationRef.Name]
			if ta == nil {
				t.Errorf("%s: TriggerAuthentication %q not rendered", so.Name, tr.AuthenticationRef.Name)
				continue
			}
			checkTriggerAuth(t, ta, c, files)
		}
		if !reflect.DeepEqual(topics, wantTopics[stage]) {
			t.Errorf("%s: topics %v, want %v", so.Name, topics, wantTopics[stage])
		}
	}
}

// checkTriggerAuth holds the scaler's credentials to the pods': the same
// Secret keys, and a user name variable the container really has.
func checkTriggerAuth(t *testing.T, ta *TriggerAuthentication, c corev1.Container, files map[string]secretRef) {
	t.Helper()
	podFile := map[string]string{"password": "KAFKA_SASL_PASSWORD_FILE", "ca": "KAFKA_TLS_CA_FILE", "cert": "KAFKA_TLS_CERT_FILE", "key": "KAFKA_TLS_KEY_FILE", "username": "KAFKA_SASL_USERNAME_FILE"}
	params := map[string]bool{}
	for _, ref := range ta.Spec.SecretTargetRef {
		params[ref.Parameter] = true
		env, ok := podFile[ref.Parameter]
		if !ok {
			t.Errorf("%s: unexpected parameter %q", ta.Name, ref.Parameter)
			continue
		}
		if got := (secretRef{ref.Name, ref.Key}); files[env] != got {
			t.Errorf("%s: %s from %v, but the pods read %v", ta.Name, ref.Parameter, got, files[env])
		}
	}
	for _, e := range ta.Spec.Env {
		params[e.Parameter] = true
		if v, ok := envVar(c, e.Name); !ok || v.Value == "" {
			t.Errorf("%s: %s from env %s, which the container does not set", ta.Name, e.Parameter, e.Name)
		}
	}
	for _, p := range []string{"username", "password", "ca", "cert", "key"} {
		if !params[p] {
			t.Errorf("%s: no %s", ta.Name, p)
		}
	}
}

// The Ingress routes only the webhook path, to the producer's Service.
func TestIngressExposesOnlyTheWebhook(t *testing.T) {
	r := render(t, profiles(t)[1].args...)
	if len(r.ingresses) != 1 {
		t.Fatalf("%d Ingresses", len(r.ingresses))
	}
	var producerSvc *corev1.Service
	for _, s := range r.services {
		if s.Labels["app.kubernetes.io/component"] == "producer" {
			producerSvc = s
		}
	}
	for _, rule := range r.ingresses[0].Spec.Rules {
		for _, p := range rule.HTTP.Paths {
			if p.Path != "/webhooks/stripe" || p.PathType == nil || *p.PathType != networkingv1.PathTypeExact {
				t.Errorf("path %q (%v) exposed; only /webhooks/stripe, Exact", p.Path, p.PathType)
			}
			b := p.Backend.Service
			if b == nil || b.Name != producerSvc.Name {
				t.Errorf("backend %+v, want Service %s", b, producerSvc.Name)
				continue
			}
			found := false
			for _, sp := range producerSvc.Spec.Ports {
				found = found || sp.Name == b.Port.Name && b.Port.Name != "" || sp.Port == b.Port.Number && b.Port.Number != 0
			}
			if !found {
				t.Errorf("backend port %+v not on the Service", b.Port)
			}
		}
	}
}

// The ServiceMonitor scrapes /metrics of every stage's Service.
func TestServiceMonitorScrapesEveryStage(t *testing.T) {
	r := render(t, profiles(t)[1].args...)
	if len(r.monitors) != 1 {
		t.Fatalf("%d ServiceMonitors", len(r.monitors))
	}
	sm := r.monitors[0]
	sel := selector(t, &sm.Spec.Selector)
	var stagesSeen []string
	for _, s := range r.services {
		if !sel.Matches(labels.Set(s.Labels)) {
			continue
		}
		stagesSeen = append(stagesSeen, s.Labels["app.kubernetes.io/component"])
		for _, ep := range sm.Spec.Endpoints {
			found := false
			for _, sp := range s.Spec.Ports {
				found = found || sp.Name == ep.Port
			}
			if !found {
				t.Errorf("Service %s has no port %q", s.Name, ep.Port)
			}
			if ep.Path != "/metrics" {
				t.Errorf("endpoint path %q", ep.Path)
			}
		}
	}
	slices.Sort(stagesSeen)
	if !reflect.DeepEqual(stagesSeen, []string{"processor", "producer", "sink"}) {
		t.Errorf("ServiceMonitor selects %v", stagesSeen)
	}
	if !slices.Contains(sm.Spec.NamespaceSelector.MatchNames, namespace) {
		t.Errorf("namespaceSelector %v", sm.Spec.NamespaceSelector)
	}
}
