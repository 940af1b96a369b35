package chartcheck

import (
	"strings"
	"testing"
)

// Less common combinations render and decode strictly too: a stage turned
// off, KEDA on one stage only, egress restricted, an existing ConfigMap for
// the mapping, no ServiceAccount of our own.
func TestEdgeConfigurationsDecodeStrictly(t *testing.T) {
	for _, tc := range []struct {
		args        string
		deployments int
		check       func(t *testing.T, r *rendered)
	}{
		{"--set producer.enabled=false", 2, func(t *testing.T, r *rendered) {
			if len(r.hpas) != 0 || r.deployments["producer"] != nil {
				t.Error("producer resources rendered while disabled")
			}
		}},
		{"--set processor.enabled=false --set sink.keda.enabled=true", 2, func(t *testing.T, r *rendered) {
			if len(r.scaled) != 1 || len(r.triggerAuths) != 0 {
				t.Errorf("%d ScaledObjects, %d TriggerAuthentications; want 1 and none (plaintext Kafka)", len(r.scaled), len(r.triggerAuths))
			}
		}},
		{"--set sink.enabled=false --set networkPolicy.egress.enabled=true", 2, nil},
		{"--set producer.autoscaling.enabled=false --set topologySpread.enabled=false --set serviceAccount.create=false", 3, func(t *testing.T, r *rendered) {
			d := r.deployment(t, "producer")
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 2 || d.Spec.Template.Spec.ServiceAccountName != "default" {
				t.Errorf("replicas %v, serviceAccountName %q", d.Spec.Replicas, d.Spec.Template.Spec.ServiceAccountName)
			}
			if len(d.Spec.Template.Spec.TopologySpreadConstraints) != 0 {
				t.Error("spread constraints rendered while disabled")
			}
		}},
		{"--set mapping.existingConfigMap=finance-mapping --set mapping.existingConfigMapKey=m3.yaml", 3, func(t *testing.T, r *rendered) {
			spec := r.deployment(t, "processor").Spec.Template
			if _, ok := spec.Annotations["checksum/mapping"]; ok {
				t.Error("checksum of a ConfigMap the chart does not see")
			}
			found := false
			for _, v := range spec.Spec.Volumes {
				if v.ConfigMap != nil && v.ConfigMap.Name == "finance-mapping" && len(v.ConfigMap.Items) == 1 && v.ConfigMap.Items[0].Key == "m3.yaml" {
					found = true
				}
			}
			if !found {
				t.Error("existing mapping ConfigMap not mounted")
			}
		}},
	} {
		t.Run(tc.args, func(t *testing.T) {
			r := render(t, strings.Fields(tc.args)...)
			if len(r.deployments) != tc.deployments {
				t.Fatalf("%d Deployments, want %d", len(r.deployments), tc.deployments)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}
