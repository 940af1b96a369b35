package chartcheck

import (
	"strconv"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// Every profile renders, decodes strictly and holds the kinds it should.
func TestChartRendersAndDecodesStrictly(t *testing.T) {
	want := map[string]map[string]int{
		"defaults": {"Deployment": 3, "Service": 3, "PodDisruptionBudget": 3, "NetworkPolicy": 3,
			"HorizontalPodAutoscaler": 1, "ServiceAccount": 1},
		"all-features": {"Deployment": 3, "Service": 3, "PodDisruptionBudget": 3, "NetworkPolicy": 3,
			"HorizontalPodAutoscaler": 1, "ServiceAccount": 1, "Ingress": 1, "ScaledObject": 2,
			"TriggerAuthentication": 1, "ServiceMonitor": 1, "PrometheusRule": 1, "ConfigMap": 2},
	}
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			got := render(t, p.args...).kinds()
			w := want[p.name]
			for k, n := range w {
				if got[k] != n {
					t.Errorf("%d %s, want %d", got[k], k, n)
				}
			}
			for k := range got {
				if _, ok := w[k]; !ok {
					t.Errorf("unexpected %s rendered", k)
				}
			}
		})
	}
}

// Every container runs as non-root with a read-only root filesystem, no
// privilege escalation, no capabilities and the runtime's seccomp profile;
// the pod mounts no service account token and gets a writable /tmp.
func TestContainersAreHardened(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			for _, stage := range stages {
				d := r.deployment(t, stage)
				spec := d.Spec.Template.Spec
				if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
					t.Errorf("%s: service account token mounted", stage)
				}
				psc := spec.SecurityContext
				if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot {
					t.Errorf("%s: pod runAsNonRoot not set", stage)
				}
				if psc == nil || psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
					t.Errorf("%s: pod seccompProfile not RuntimeDefault", stage)
				}
				if len(spec.InitContainers) != 0 || len(spec.EphemeralContainers) != 0 {
					t.Errorf("%s: unexpected init or ephemeral containers", stage)
				}
				c := container(t, d)
				checkContainerSecurity(t, stage, c, psc)
				if c.Image == "" || !(strings.Contains(c.Image, ":") || strings.Contains(c.Image, "@sha256:")) {
					t.Errorf("%s: image %q has no tag or digest", stage, c.Image)
				}
				checkResources(t, stage, c)
				checkTmp(t, stage, spec, c)
			}
		})
	}
}

func checkContainerSecurity(t *testing.T, stage string, c corev1.Container, psc *corev1.PodSecurityContext) {
	t.Helper()
	sc := c.SecurityContext
	if sc == nil {
		t.Fatalf("%s: container has no securityContext", stage)
	}
	nonRoot := (sc.RunAsNonRoot != nil && *sc.RunAsNonRoot) || (sc.RunAsNonRoot == nil && psc != nil && psc.RunAsNonRoot != nil && *psc.RunAsNonRoot)
	if !nonRoot {
		t.Errorf("%s: container may run as root", stage)
	}
	uid := sc.RunAsUser
	if uid == nil && psc != nil {
		uid = psc.RunAsUser
	}
	if uid == nil || *uid == 0 {
		t.Errorf("%s: no non-zero runAsUser (runAsNonRoot cannot check a named user)", stage)
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: root filesystem is writable", stage)
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: privilege escalation allowed", stage)
	}
	if sc.Privileged != nil && *sc.Privileged {
		t.Errorf("%s: privileged", stage)
	}
	if sc.Capabilities == nil || len(sc.Capabilities.Add) != 0 || len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
		t.Errorf("%s: capabilities = %+v, want drop [ALL] and no add", stage, sc.Capabilities)
	}
	if sc.SeccompProfile != nil && sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: container seccompProfile %s", stage, sc.SeccompProfile.Type)
	}
}

func checkResources(t *testing.T, stage string, c corev1.Container) {
	t.Helper()
	req := c.Resources.Requests
	if req.Cpu().IsZero() || req.Memory().IsZero() {
		t.Errorf("%s: cpu and memory requests must be set: %v", stage, req)
	}
	if c.Resources.Limits.Memory().IsZero() {
		t.Errorf("%s: no memory limit", stage)
	}
}

func checkTmp(t *testing.T, stage string, spec corev1.PodSpec, c corev1.Container) {
	t.Helper()
	var vol string
	for _, m := range c.VolumeMounts {
		if m.MountPath == "/tmp" {
			vol = m.Name
		}
	}
	for _, v := range spec.Volumes {
		if v.Name == vol && v.EmptyDir != nil {
			return
		}
	}
	t.Errorf("%s: /tmp is not an emptyDir (the root filesystem is read-only)", stage)
}

// Probes: started and alive on /healthz, ready on /readyz, all on the port
// the stage listens on.
func TestProbesUseHealthAndReadiness(t *testing.T) {
	for _, p := range profiles(t) {
		t.Run(p.name, func(t *testing.T) {
			r := render(t, p.args...)
			for _, stage := range stages {
				c := container(t, r.deployment(t, stage))
				ports := map[string]int32{}
				for _, cp := range c.Ports {
					ports[cp.Name] = cp.ContainerPort
				}
				if ports["http"] != stagePorts[stage] {
					t.Errorf("%s: port http = %d, want %d", stage, ports["http"], stagePorts[stage])
				}
				addr := strings.ToUpper(stage) + "_ADDR"
				if got := envValue(t, c, addr); got != ":"+strconv.Itoa(int(stagePorts[stage])) {
					t.Errorf("%s: %s = %q, not the container port", stage, addr, got)
				}
				for name, pr := range map[string]struct {
					probe *corev1.Probe
					path  string
				}{
					"startup":   {c.StartupProbe, "/healthz"},
					"liveness":  {c.LivenessProbe, "/healthz"},
					"readiness": {c.ReadinessProbe, "/readyz"},
				} {
					if pr.probe == nil || pr.probe.HTTPGet == nil {
						t.Errorf("%s: no %s httpGet probe", stage, name)
						continue
					}
					g := pr.probe.HTTPGet
					if g.Path != pr.path {
						t.Errorf("%s: %s probe path %q, want %q", stage, name, g.Path, pr.path)
					}
					if n := g.Port.String(); ports[n] == 0 && g.Port.IntValue() != int(stagePorts[stage]) {
						t.Errorf("%s: %s probe port %s is not the container's", stage, name, n)
					}
				}
			}
		})
	}
}
