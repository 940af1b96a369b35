package chartcheck

import (
	"path"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// secretRef is where a *_FILE variable's file comes from.
type secretRef struct{ secret, key string }

// secretFiles resolves every *_FILE variable of the stage's container to the
// Secret key projected at that path, failing when the path is not a file of
// a Secret-backed volume mounted without subPath (subPath mounts never see
// a rotated Secret).
func secretFiles(t *testing.T, d *appsv1.Deployment) map[string]secretRef {
	t.Helper()
	c := container(t, d)
	vols := map[string]corev1.Volume{}
	for _, v := range d.Spec.Template.Spec.Volumes {
		vols[v.Name] = v
	}
	out := map[string]secretRef{}
	for env, file := range fileEnvs(c) {
		if env == "MAPPING_FILE" {
			continue // a ConfigMap, checked in TestMappingConfigMap…
		}
		var found bool
		for _, m := range c.VolumeMounts {
			rel, ok := strings.CutPrefix(file, m.MountPath+"/")
			if !ok {
				continue
			}
			if m.SubPath != "" || m.SubPathExpr != "" {
				t.Errorf("%s: %s is mounted with subPath: a rotated Secret would never reach it", d.Name, env)
			}
			if !m.ReadOnly {
				t.Errorf("%s: secret mount %s is writable", d.Name, m.MountPath)
			}
			if ref, ok := projected(vols[m.Name], rel); ok {
				out[env] = ref
				found = true
			}
		}
		if !found {
			t.Errorf("%s: %s=%s is not a file of any mounted Secret", d.Name, env, file)
		}
	}
	return out
}

// projected finds the Secret key a (projected or secret) volume places at
// the relative path rel.
func projected(v corev1.Volume, rel string) (secretRef, bool) {
	var sources []*corev1.SecretProjection
	if v.Projected != nil {
		for _, s := range v.Projected.Sources {
			if s.Secret != nil {
				sources = append(sources, s.Secret)
			}
		}
	}
	if v.Secret != nil {
		sources = append(sources, &corev1.SecretProjection{
			LocalObjectReference: corev1.LocalObjectReference{Name: v.Secret.SecretName}, Items: v.Secret.Items})
	}
	for _, s := range sources {
		for _, it := range s.Items {
			if path.Clean(it.Path) == path.Clean(rel) {
				return secretRef{s.Name, it.Key}, true
			}
		}
	}
	return secretRef{}, false
}

// No secret is ever an environment variable: they are files from Secrets,
// each stage gets only its own, from the Secret and key the values name.
func TestSecretsAreMountedFilesPerStage(t *testing.T) {
	def := secretRef{secret: fullname}
	kafka := map[string]secretRef{
		"KAFKA_SASL_PASSWORD_FILE": {"stripe-infor", "password"},
		"KAFKA_TLS_CA_FILE":        {"prod-cluster-ca-cert", "ca.crt"},
		"KAFKA_TLS_CERT_FILE":      {"stripe-infor-tls", "user.crt"},
		"KAFKA_TLS_KEY_FILE":       {"stripe-infor-tls", "user.key"},
	}
	// The registry's basic auth goes to the stages that read Avro only.
	registry := map[string]secretRef{
		"SCHEMA_REGISTRY_USERNAME_FILE": {"schema-registry-api-key", "username"},
		"SCHEMA_REGISTRY_PASSWORD_FILE": {"schema-registry-api-key", "password"},
	}
	with := func(base map[string]secretRef, more map[string]secretRef) map[string]secretRef {
		out := map[string]secretRef{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range more {
			out[k] = v
		}
		return out
	}
	want := map[string]map[string]map[string]secretRef{
		"defaults": {
			"producer":  {"STRIPE_WEBHOOK_SECRET_FILE": {def.secret, "stripe-webhook-secret"}},
			"processor": {},
			"sink": {
				"REDIS_URL_FILE":      {def.secret, "redis-url"},
				"INFOR_IONAPI_FILE":   {def.secret, "infor.ionapi"},
				"STRIPE_API_KEY_FILE": {def.secret, "stripe-api-key"},
			},
		},
		"all-features": {
			"producer":  with(kafka, map[string]secretRef{"STRIPE_WEBHOOK_SECRET_FILE": {"stripe-infor-app", "stripe-webhook-secret"}}),
			"processor": with(kafka, registry),
			"sink": with(with(kafka, registry), map[string]secretRef{
				"REDIS_URL_FILE":            {"stripe-infor-redis", "url"},
				"REDIS_TLS_CA_FILE":         {"redis-ca", "ca.crt"},
				"INFOR_IONAPI_FILE":         {"stripe-infor-app", "infor.ionapi"},
				"INFOR_SANDBOX_IONAPI_FILE": {"stripe-infor-infor-sandbox", "sandbox.ionapi"},
				"STRIPE_API_KEY_FILE":       {"stripe-infor-app", "stripe-api-key"},
				"STRIPE_TEST_API_KEY_FILE":  {"stripe-infor-app", "stripe-test-api-key"},
				"ALERT_WEBHOOK_URL_FILE":    {"stripe-infor-app", "alert-webhook-url"},
			}),
		},
	}
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			for _, stage := range stages {
				d := r.deployment(t, stage)
				c := container(t, d)
				for _, e := range c.Env {
					if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil {
						t.Errorf("%s: %s comes from a Secret as an environment variable", stage, e.Name)
					}
				}
				if len(c.EnvFrom) != 0 {
					t.Errorf("%s: envFrom would put whole Secrets or ConfigMaps in the environment", stage)
				}
				got := secretFiles(t, d)
				if !equalRefs(got, want[p.name][stage]) {
					t.Errorf("%s secret files:\n got %v\nwant %v", stage, sorted(got), sorted(want[p.name][stage]))
				}
			}
		})
	}
}

func equalRefs(a, b map[string]secretRef) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func sorted(m map[string]secretRef) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v.secret+"/"+v.key)
	}
	sort.Strings(out)
	return out
}

// The secret files are readable by the container's group only: the pod's
// fsGroup owns them, nobody else reads a key.
func TestSecretFilesAreNotWorldReadable(t *testing.T) {
	r := render(t, profiles(t)[1].args...)
	for _, stage := range stages {
		d := r.deployment(t, stage)
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Projected == nil {
				continue
			}
			if v.Projected.DefaultMode == nil || *v.Projected.DefaultMode&0o007 != 0 {
				t.Errorf("%s: volume %s mode %v lets others read the secrets", stage, v.Name, v.Projected.DefaultMode)
			}
			fsGroup := d.Spec.Template.Spec.SecurityContext.FSGroup
			if fsGroup == nil || *fsGroup == 0 {
				t.Errorf("%s: no fsGroup: the non-root user could not read group-readable secrets", stage)
			}
		}
	}
}

// The processors' Kafka transactional id must be unique per running pod:
// it is the pod's name, from the downward API.
func TestProcessorTransactionalIDIsThePodName(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			c := container(t, render(t, p.args...).deployment(t, "processor"))
			e, ok := envVar(c, "PROCESSOR_TRANSACTIONAL_ID")
			if !ok {
				t.Fatal("PROCESSOR_TRANSACTIONAL_ID not set: every pod would use the same default id and fence the others")
			}
			if e.Value != "" || e.ValueFrom == nil || e.ValueFrom.FieldRef == nil || e.ValueFrom.FieldRef.FieldPath != "metadata.name" {
				t.Fatalf("PROCESSOR_TRANSACTIONAL_ID = %+v, want valueFrom.fieldRef metadata.name", e)
			}
		})
	}
}
