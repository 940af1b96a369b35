{{/*
The secret files one stage gets: (dict "root" $ "stage" "sink") renders
{files: [{env, secret, key, path}]}. Each becomes one item of the pod's
projected "secrets" volume and one X_FILE variable naming it, so a secret is
never an environment variable (visible in `kubectl describe`, inherited by
child processes) and a rotated Secret reaches the running pod: the kubelet
updates projected files in place (no subPath), and the stages re-read the
files they watch (the webhook secret every second).

Each stage gets only what it uses: the producer never sees the Infor or
Stripe API keys, the processors no application secret at all.
*/}}
{{- define "stripe-infor.secretFiles" -}}
{{- $v := .root.Values -}}
{{- $stage := .stage -}}
{{- $def := include "stripe-infor.defaultSecret" .root -}}
{{- $files := list -}}
{{- /* Kafka: every stage. */ -}}
{{- if $v.kafka.sasl.mechanism -}}
{{- if $v.kafka.sasl.usernameSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_SASL_USERNAME_FILE" "secret" $v.kafka.sasl.usernameSecret.name "key" $v.kafka.sasl.usernameSecret.key "path" "kafka/sasl-username") -}}
{{- end -}}
{{- $pw := required "kafka.sasl.passwordSecret.name is required when kafka.sasl.mechanism is set" $v.kafka.sasl.passwordSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_SASL_PASSWORD_FILE" "secret" $pw "key" $v.kafka.sasl.passwordSecret.key "path" "kafka/sasl-password") -}}
{{- end -}}
{{- if $v.kafka.tls.caSecret.name -}}
{{- $files = append $files (dict "env" "KAFKA_TLS_CA_FILE" "secret" $v.kafka.tls.caSecret.name "key" $v.kafka.tls.caSecret.key "path" "kafka/ca.crt") -}}
{{- end -}}
{{- with $v.kafka.tls.clientCertSecret -}}
{{- if .name -}}
{{- $files = append $files (dict "env" "KAFKA_TLS_CERT_FILE" "secret" .name "key" .certKey "path" "kafka/tls.crt") -}}
{{- $files = append $files (dict "env" "KAFKA_TLS_KEY_FILE" "secret" .name "key" .keyKey "path" "kafka/tls.key") -}}
{{- end -}}
{{- end -}}
{{- /* The schema registry's basic auth: the stages that read Avro. */ -}}
{{- if and $v.schemaRegistry.auth.secretName (ne $stage "producer") -}}
{{- $files = append $files (dict "env" "SCHEMA_REGISTRY_USERNAME_FILE" "secret" $v.schemaRegistry.auth.secretName "key" $v.schemaRegistry.auth.usernameKey "path" "registry/username") -}}
{{- $files = append $files (dict "env" "SCHEMA_REGISTRY_PASSWORD_FILE" "secret" $v.schemaRegistry.auth.secretName "key" $v.schemaRegistry.auth.passwordKey "path" "registry/password") -}}
{{- end -}}
{{- /* The producer: the webhook signing secret. */ -}}
{{- if eq $stage "producer" -}}
{{- $files = append $files (dict "env" "STRIPE_WEBHOOK_SECRET_FILE" "secret" (default $def $v.stripe.webhookSecret.name) "key" $v.stripe.webhookSecret.key "path" "stripe/webhook-secret") -}}
{{- end -}}
{{- /* The sink: Redis, Infor, the Stripe API and the alert webhook. */ -}}
{{- if eq $stage "sink" -}}
{{- $files = append $files (dict "env" "REDIS_URL_FILE" "secret" (default $def $v.redis.urlSecret.name) "key" $v.redis.urlSecret.key "path" "redis/url") -}}
{{- if $v.redis.tls.caSecret.name -}}
{{- $files = append $files (dict "env" "REDIS_TLS_CA_FILE" "secret" $v.redis.tls.caSecret.name "key" $v.redis.tls.caSecret.key "path" "redis/ca.crt") -}}
{{- end -}}
{{- $files = append $files (dict "env" "INFOR_IONAPI_FILE" "secret" (default $def $v.infor.ionapi.name) "key" $v.infor.ionapi.key "path" "infor/live.ionapi") -}}
{{- if $v.infor.sandboxIonapi.key -}}
{{- $files = append $files (dict "env" "INFOR_SANDBOX_IONAPI_FILE" "secret" (default $def $v.infor.sandboxIonapi.name) "key" $v.infor.sandboxIonapi.key "path" "infor/sandbox.ionapi") -}}
{{- end -}}
{{- $files = append $files (dict "env" "STRIPE_API_KEY_FILE" "secret" (default $def $v.stripe.apiKey.name) "key" $v.stripe.apiKey.key "path" "stripe/api-key") -}}
{{- if $v.stripe.testApiKey.key -}}
{{- $files = append $files (dict "env" "STRIPE_TEST_API_KEY_FILE" "secret" (default $def $v.stripe.testApiKey.name) "key" $v.stripe.testApiKey.key "path" "stripe/test-api-key") -}}
{{- end -}}
{{- if $v.alerts.webhookUrl.key -}}
{{- $files = append $files (dict "env" "ALERT_WEBHOOK_URL_FILE" "secret" (default $def $v.alerts.webhookUrl.name) "key" $v.alerts.webhookUrl.key "path" "alerts/webhook-url") -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "files" $files) -}}
{{- end -}}

{{/*
Settings that cannot work together fail the render with a message naming the
values, instead of a pod that crash-loops later.
*/}}
{{- define "stripe-infor.validate" -}}
{{- $v := .Values -}}
{{- if and $v.kafka.tls.clientCertSecret.name (not $v.kafka.tls.enabled) -}}
{{- fail "kafka.tls.clientCertSecret is set but kafka.tls.enabled is false: mutual TLS needs TLS" -}}
{{- end -}}
{{- if and $v.kafka.tls.caSecret.name (not $v.kafka.tls.enabled) -}}
{{- fail "kafka.tls.caSecret is set but kafka.tls.enabled is false" -}}
{{- end -}}
{{- if and $v.kafka.sasl.mechanism (not (or $v.kafka.sasl.username $v.kafka.sasl.usernameSecret.name)) -}}
{{- fail "kafka.sasl.mechanism is set: give kafka.sasl.username or kafka.sasl.usernameSecret.name" -}}
{{- end -}}
{{- if and $v.mapping.content $v.mapping.existingConfigMap -}}
{{- fail "set mapping.content or mapping.existingConfigMap, not both" -}}
{{- end -}}
{{- if not (or $v.producer.enabled $v.processor.enabled $v.sink.enabled) -}}
{{- fail "producer, processor and sink are all disabled: nothing to deploy" -}}
{{- end -}}
{{- end -}}
