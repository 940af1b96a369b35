{{/*
Environment of one stage: (dict "root" $ "stage" "sink"). Only non-secret
settings are values here; secrets arrive as X_FILE paths (see _secrets.tpl).
An empty chart value leaves the variable out, so the binary's own default
applies and the chart never restates it.
*/}}
{{- define "stripe-infor.env" -}}
{{- $v := .root.Values -}}
{{- $stage := .stage -}}
{{- $cfg := index $v $stage -}}
- name: LOG_LEVEL
  value: {{ $v.logLevel | quote }}
- name: KAFKA_BROKERS
  value: {{ required "kafka.brokers is required" $v.kafka.brokers | quote }}
{{- with $v.kafka.sasl.mechanism }}
- name: KAFKA_SASL_MECHANISM
  value: {{ . | quote }}
{{- if not $v.kafka.sasl.usernameSecret.name }}
{{- /* A plain variable (not a file) so KEDA's TriggerAuthentication can read it from the container. */}}
- name: KAFKA_SASL_USERNAME
  value: {{ $v.kafka.sasl.username | quote }}
{{- end }}
{{- end }}
- name: KAFKA_TLS_ENABLED
  {{- /* A CA or client certificate Secret means TLS, as the binary itself assumes. */}}
  value: {{ ternary "true" "false" (or $v.kafka.tls.enabled (ne $v.kafka.tls.caSecret.name "") (ne $v.kafka.tls.clientCertSecret.name "")) | quote }}
{{- with $v.kafka.tls.serverName }}
- name: KAFKA_TLS_SERVER_NAME
  value: {{ . | quote }}
{{- end }}
{{- if eq $stage "producer" }}
- name: PRODUCER_ADDR
  value: ":{{ include "stripe-infor.stagePort" $stage }}"
{{- with $cfg.tolerance }}
- name: STRIPE_WEBHOOK_TOLERANCE
  value: {{ . | quote }}
{{- end }}
{{- with $cfg.maxBodyBytes }}
- name: WEBHOOK_MAX_BODY_BYTES
  value: {{ . | toString | quote }}
{{- end }}
{{- with $cfg.produceTimeout }}
- name: WEBHOOK_PRODUCE_TIMEOUT
  value: {{ . | quote }}
{{- end }}
{{- with $cfg.drainDelay }}
- name: WEBHOOK_DRAIN_DELAY
  value: {{ . | quote }}
{{- end }}
{{- with $v.kafka.topicPartitions }}
- name: KAFKA_TOPIC_PARTITIONS
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- if eq $stage "processor" }}
- name: PROCESSOR_ADDR
  value: ":{{ include "stripe-infor.stagePort" $stage }}"
- name: SCHEMA_REGISTRY_URL
  value: {{ required "schemaRegistry.url is required" $v.schemaRegistry.url | quote }}
- name: PROCESSOR_GROUP
  value: {{ $cfg.group | quote }}
{{- /* Unique per running pod, as Kafka transactions need: the pod's own name. */}}
- name: PROCESSOR_TRANSACTIONAL_ID
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- with $cfg.maxRecordsPerTxn }}
- name: PROCESSOR_MAX_RECORDS_PER_TXN
  value: {{ . | toString | quote }}
{{- end }}
{{- with $cfg.sessionTimeout }}
- name: PROCESSOR_SESSION_TIMEOUT
  value: {{ . | quote }}
{{- end }}
{{- if or $v.mapping.content $v.mapping.existingConfigMap }}
- name: MAPPING_FILE
  value: /etc/stripe-infor/mapping/mapping.yaml
{{- end }}
{{- end }}
{{- if eq $stage "sink" }}
- name: SINK_ADDR
  value: ":{{ include "stripe-infor.stagePort" $stage }}"
- name: SCHEMA_REGISTRY_URL
  value: {{ required "schemaRegistry.url is required" $v.schemaRegistry.url | quote }}
- name: SINK_GROUP
  value: {{ $cfg.group | quote }}
{{- with $cfg.concurrency }}
- name: SINK_CONCURRENCY
  value: {{ . | toString | quote }}
{{- end }}
{{- with $cfg.retryTiers }}
- name: SINK_RETRY_TIERS
  value: {{ . | quote }}
{{- end }}
{{- with $cfg.dependencyDeadline }}
- name: SINK_DEPENDENCY_DEADLINE
  value: {{ . | quote }}
{{- end }}
{{- with $v.stripe.apiBase }}
- name: STRIPE_API_BASE
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- $dir := include "stripe-infor.secretsDir" .root }}
{{- range (include "stripe-infor.secretFiles" . | fromYaml).files }}
- name: {{ .env }}
  value: {{ printf "%s/%s" $dir .path | quote }}
{{- end }}
{{- with $cfg.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}
