// Package chartcheck checks the stripe-infor Helm chart without a cluster:
// it renders the chart with the helm binary, splits the output into
// documents and decodes each one strictly into its Kubernetes API type
// (k8s.io/api, the Prometheus Operator's monitoring/v1, and minimal KEDA
// types defined here), so a misspelt field, a wrong type or a duplicated key
// fails the same way the API server would refuse it. The tests then assert
// the properties the deployment depends on: non-root, read-only containers,
// probes, secrets as files, a transactional id per pod, selectors that match,
// network policies that let the traffic in, and alerts that name real
// metrics.
//
// It is its own Go module so the Kubernetes API modules stay out of the
// application's go.mod. `make helm-test` runs it with HELM pointing at the
// helm binary it installed.
package chartcheck
