package chartcheck

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Manifest is one rendered document, decoded into its API type.
type Manifest struct {
	// Source is the template the document came from (helm's "# Source:").
	Source     string
	APIVersion string
	Kind       string
	Name       string
	// Object is a pointer to the typed object, e.g. *appsv1.Deployment.
	Object any
}

// newObject returns an empty object of the API type for apiVersion/kind, or
// nil for a kind the chart is not expected to render: an unexpected kind is
// as much a mistake as an unexpected field.
func newObject(apiVersion, kind string) any {
	switch apiVersion + " " + kind {
	case "v1 ServiceAccount":
		return &corev1.ServiceAccount{}
	case "v1 Service":
		return &corev1.Service{}
	case "v1 ConfigMap":
		return &corev1.ConfigMap{}
	case "apps/v1 Deployment":
		return &appsv1.Deployment{}
	case "policy/v1 PodDisruptionBudget":
		return &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1 NetworkPolicy":
		return &networkingv1.NetworkPolicy{}
	case "networking.k8s.io/v1 Ingress":
		return &networkingv1.Ingress{}
	case "autoscaling/v2 HorizontalPodAutoscaler":
		return &autoscalingv2.HorizontalPodAutoscaler{}
	case "monitoring.coreos.com/v1 ServiceMonitor":
		return &monitoringv1.ServiceMonitor{}
	case "monitoring.coreos.com/v1 PrometheusRule":
		return &monitoringv1.PrometheusRule{}
	case "keda.sh/v1alpha1 ScaledObject":
		return &ScaledObject{}
	case "keda.sh/v1alpha1 TriggerAuthentication":
		return &TriggerAuthentication{}
	}
	return nil
}

var (
	docSeparator = regexp.MustCompile(`(?m)^---[ \t]*$`)
	sourceLine   = regexp.MustCompile(`(?m)^# Source: (.+)$`)
)

// Split cuts `helm template` output into its YAML documents, dropping the
// ones that hold only comments or whitespace.
func Split(out []byte) []string {
	var docs []string
	for _, d := range docSeparator.Split(string(out), -1) {
		if hasContent(d) {
			docs = append(docs, d)
		}
	}
	return docs
}

func hasContent(doc string) bool {
	for _, line := range strings.Split(doc, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			return true
		}
	}
	return false
}

// Decode decodes every document of out strictly into its API type. All
// failures are returned together, each naming its template, so one run
// shows every mistake.
func Decode(out []byte) ([]Manifest, error) {
	var (
		manifests []Manifest
		errs      []error
	)
	for _, doc := range Split(out) {
		m, err := decodeDoc(doc)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		manifests = append(manifests, m)
	}
	return manifests, errors.Join(errs...)
}

func decodeDoc(doc string) (Manifest, error) {
	var m Manifest
	if s := sourceLine.FindStringSubmatch(doc); s != nil {
		m.Source = s[1]
	}
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
		return m, fmt.Errorf("%s: not YAML: %w", m.Source, err)
	}
	m.APIVersion, m.Kind, m.Name = head.APIVersion, head.Kind, head.Metadata.Name
	m.Object = newObject(head.APIVersion, head.Kind)
	if m.Object == nil {
		return m, fmt.Errorf("%s: unexpected kind %s %q", m.Source, head.APIVersion, head.Kind)
	}
	if m.Name == "" {
		return m, fmt.Errorf("%s: %s without metadata.name", m.Source, m.Kind)
	}
	if err := DecodeStrict([]byte(doc), m.Object); err != nil {
		return m, fmt.Errorf("%s: %s %s: %w", m.Source, m.Kind, m.Name, err)
	}
	return m, nil
}

// DecodeStrict decodes one YAML document into obj as the API server's strict
// field validation does: duplicate keys, unknown fields (case-sensitive, so
// "readonlyRootFilesystem" is unknown too) and wrong types are errors.
func DecodeStrict(doc []byte, obj any) error {
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return err
	}
	strictErrs, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return err
	}
	return errors.Join(strictErrs...)
}
