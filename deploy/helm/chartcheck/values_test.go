package chartcheck

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A changed mapping rolls the processors (and only them): they read it at
// start, and the checksum on their pod template is what changes.
func TestMappingChangeRollsOnlyTheProcessors(t *testing.T) {
	allFeatures := profiles(t)[1].args
	a := render(t, append(allFeatures, "--set-string", "mapping.content=version: 1\ntest_mode: drop\n")...)
	b := render(t, append(allFeatures, "--set-string", "mapping.content=version: 1\ntest_mode: sandbox\n")...)

	sumA := a.deployment(t, "processor").Spec.Template.Annotations["checksum/mapping"]
	sumB := b.deployment(t, "processor").Spec.Template.Annotations["checksum/mapping"]
	if sumA == "" || sumA == sumB {
		t.Fatalf("checksum/mapping %q vs %q: a mapping change would not roll the processors", sumA, sumB)
	}
	for _, stage := range []string{"producer", "sink"} {
		if !reflect.DeepEqual(a.deployment(t, stage).Spec.Template, b.deployment(t, stage).Spec.Template) {
			t.Errorf("%s pod template changed with the mapping: it would restart for nothing", stage)
		}
	}

	// MAPPING_FILE is the ConfigMap's mapping.yaml, mounted as a directory.
	d := a.deployment(t, "processor")
	c := container(t, d)
	file := envValue(t, c, "MAPPING_FILE")
	cm := a.configMaps[fullname+"-mapping"]
	if cm == nil || !strings.Contains(cm.Data["mapping.yaml"], "test_mode: drop") {
		t.Fatalf("mapping ConfigMap = %+v", cm)
	}
	var ok bool
	for _, m := range c.VolumeMounts {
		rel, found := strings.CutPrefix(file, m.MountPath+"/")
		if !found || m.SubPath != "" {
			continue
		}
		for _, v := range d.Spec.Template.Spec.Volumes {
			if v.Name != m.Name || v.ConfigMap == nil || v.ConfigMap.Name != cm.Name {
				continue
			}
			for _, it := range v.ConfigMap.Items {
				ok = ok || it.Path == rel && it.Key == "mapping.yaml"
			}
		}
	}
	if !ok {
		t.Errorf("MAPPING_FILE=%s is not the ConfigMap's mapping.yaml", file)
	}
	// Without a mapping the processors use the built-in one: no variable.
	if _, set := envVar(container(t, render(t).deployment(t, "processor")), "MAPPING_FILE"); set {
		t.Error("MAPPING_FILE set without a mapping")
	}
}

// The five Kafka flavours the README documents render into the settings
// each one needs.
func TestKafkaFlavours(t *testing.T) {
	type want struct {
		mechanism, username, tls string
		files                    map[string]secretRef
	}
	cases := map[string]want{
		"strimzi": {"SCRAM-SHA-512", "stripe-infor", "true", map[string]secretRef{
			"KAFKA_SASL_PASSWORD_FILE": {"stripe-infor", "password"},
			"KAFKA_TLS_CA_FILE":        {"prod-cluster-ca-cert", "ca.crt"}}},
		"bitnami": {"SCRAM-SHA-256", "stripe-infor", "false", map[string]secretRef{
			"KAFKA_SASL_PASSWORD_FILE": {"kafka-user-passwords", "client-passwords"}}},
		"redpanda": {"SCRAM-SHA-256", "stripe-infor", "true", map[string]secretRef{
			"KAFKA_SASL_PASSWORD_FILE": {"stripe-infor-redpanda", "password"},
			"KAFKA_TLS_CA_FILE":        {"redpanda-default-cert", "ca.crt"}}},
		// MSK and Confluent Cloud: public CAs, so the system roots (no CA file).
		"msk": {"SCRAM-SHA-512", "", "true", map[string]secretRef{
			"KAFKA_SASL_USERNAME_FILE": {"msk-stripe-infor", "username"},
			"KAFKA_SASL_PASSWORD_FILE": {"msk-stripe-infor", "password"}}},
		"confluent-cloud": {"PLAIN", "", "true", map[string]secretRef{
			"KAFKA_SASL_USERNAME_FILE": {"confluent-cloud-kafka", "api-key"},
			"KAFKA_SASL_PASSWORD_FILE": {"confluent-cloud-kafka", "api-secret"}}},
	}
	for name, w := range cases {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(chartDir(t), "examples", "kafka-"+name+".yaml")
			if _, err := os.Stat(file); err != nil {
				t.Fatal(err)
			}
			r := render(t, "-f", file, "--set", "processor.keda.enabled=true")
			for _, stage := range stages {
				c := container(t, r.deployment(t, stage))
				if got := envValue(t, c, "KAFKA_SASL_MECHANISM"); got != w.mechanism {
					t.Errorf("%s: KAFKA_SASL_MECHANISM=%q, want %q", stage, got, w.mechanism)
				}
				if got := envValue(t, c, "KAFKA_TLS_ENABLED"); got != w.tls {
					t.Errorf("%s: KAFKA_TLS_ENABLED=%q, want %q", stage, got, w.tls)
				}
				u, hasUser := envVar(c, "KAFKA_SASL_USERNAME")
				if (w.username != "") != hasUser || u.Value != w.username {
					t.Errorf("%s: KAFKA_SASL_USERNAME=%+v, want %q", stage, u, w.username)
				}
				kafkaFiles := map[string]secretRef{}
				for env, ref := range secretFiles(t, r.deployment(t, stage)) {
					if strings.HasPrefix(env, "KAFKA_") {
						kafkaFiles[env] = ref
					}
				}
				if !equalRefs(kafkaFiles, w.files) {
					t.Errorf("%s: Kafka files %v, want %v", stage, sorted(kafkaFiles), sorted(w.files))
				}
			}
			// KEDA reaches the same cluster the same way.
			if len(r.scaled) != 1 {
				t.Fatalf("%d ScaledObjects", len(r.scaled))
			}
			md := r.scaled[0].Spec.Triggers[0].Metadata
			if wantSasl := map[string]string{"PLAIN": "plaintext", "SCRAM-SHA-256": "scram_sha256", "SCRAM-SHA-512": "scram_sha512"}[w.mechanism]; md["sasl"] != wantSasl {
				t.Errorf("KEDA sasl=%q, want %q", md["sasl"], wantSasl)
			}
			if (md["tls"] == "enable") != (w.tls == "true") {
				t.Errorf("KEDA tls=%q with KAFKA_TLS_ENABLED=%s", md["tls"], w.tls)
			}
			for _, ta := range r.triggerAuths {
				checkTriggerAuthRefs(t, ta, secretFiles(t, r.deployment(t, "processor")))
			}
		})
	}
}

// checkTriggerAuthRefs holds every Secret the scaler reads to the pods'.
func checkTriggerAuthRefs(t *testing.T, ta *TriggerAuthentication, files map[string]secretRef) {
	t.Helper()
	podFile := map[string]string{"password": "KAFKA_SASL_PASSWORD_FILE", "ca": "KAFKA_TLS_CA_FILE", "cert": "KAFKA_TLS_CERT_FILE", "key": "KAFKA_TLS_KEY_FILE", "username": "KAFKA_SASL_USERNAME_FILE"}
	for _, ref := range ta.Spec.SecretTargetRef {
		if got := (secretRef{ref.Name, ref.Key}); files[podFile[ref.Parameter]] != got {
			t.Errorf("%s: %s from %v, the pods read %v", ta.Name, ref.Parameter, got, files[podFile[ref.Parameter]])
		}
	}
}

// Settings that cannot work fail at `helm install`, with a message naming
// the value, rather than as a crash-looping pod.
func TestImpossibleSettingsFailTheRender(t *testing.T) {
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"sasl without password": {[]string{"--set", "kafka.sasl.mechanism=SCRAM-SHA-512", "--set", "kafka.sasl.username=u"}, "kafka.sasl.passwordSecret.name is required"},
		"sasl without user":     {[]string{"--set", "kafka.sasl.mechanism=PLAIN", "--set", "kafka.sasl.passwordSecret.name=p"}, "kafka.sasl.username"},
		"unknown mechanism":     {[]string{"--set", "kafka.sasl.mechanism=SCRAM-SHA-1"}, "mechanism"},
		"mTLS without TLS":      {[]string{"--set", "kafka.tls.clientCertSecret.name=u"}, "mutual TLS needs TLS"},
		"no brokers":            {[]string{"--set", "kafka.brokers="}, "kafka.brokers"},
		"misspelt value":        {[]string{"--set", "producer.replicas=3"}, "replicas"},
		"mapping twice":         {[]string{"--set", "mapping.content=x", "--set", "mapping.existingConfigMap=y"}, "not both"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Render(helm(t), chartDir(t), release, namespace, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}
