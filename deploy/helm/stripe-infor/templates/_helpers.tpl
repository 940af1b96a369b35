{{/*
Names and labels. Every resource is named <fullname>-<stage> so the three
stages of one release sort together, and every selector uses the
component label so a Service, PDB or NetworkPolicy of one stage never
matches another's pods.
*/}}

{{- define "stripe-infor.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stripe-infor.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The name of one stage's resources: (dict "root" $ "stage" "producer"). */}}
{{- define "stripe-infor.stageName" -}}
{{- printf "%s-%s" (include "stripe-infor.fullname" .root | trunc 50 | trimSuffix "-") .stage -}}
{{- end -}}

{{- define "stripe-infor.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "stripe-infor.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stripe-infor.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "stripe-infor.labels" -}}
helm.sh/chart: {{ include "stripe-infor.chart" . }}
{{ include "stripe-infor.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: stripe-infor
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one stage: (dict "root" $ "stage" "producer"). */}}
{{- define "stripe-infor.stageSelectorLabels" -}}
{{ include "stripe-infor.selectorLabels" .root }}
app.kubernetes.io/component: {{ .stage }}
{{- end -}}

{{/* Labels of one stage's resources: (dict "root" $ "stage" "producer"). */}}
{{- define "stripe-infor.stageLabels" -}}
{{ include "stripe-infor.labels" .root }}
app.kubernetes.io/component: {{ .stage }}
{{- end -}}

{{- define "stripe-infor.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "stripe-infor.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image reference: a digest pins it and wins over the tag. */}}
{{- define "stripe-infor.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The container port of a stage (each stage's own *_ADDR default). */}}
{{- define "stripe-infor.stagePort" -}}
{{- get (dict "producer" 8080 "processor" 8082 "sink" 8083) . -}}
{{- end -}}

{{/* The Secret an application secret reference falls back to. */}}
{{- define "stripe-infor.defaultSecret" -}}
{{- default (include "stripe-infor.fullname" .) .Values.existingSecret -}}
{{- end -}}

{{/* Where the secret files are mounted in every container. */}}
{{- define "stripe-infor.secretsDir" -}}/etc/stripe-infor/secrets{{- end -}}

{{/* The Kafka SASL mechanism as KEDA's kafka scaler names it. */}}
{{- define "stripe-infor.kedaSasl" -}}
{{- get (dict "PLAIN" "plaintext" "SCRAM-SHA-256" "scram_sha256" "SCRAM-SHA-512" "scram_sha512") . -}}
{{- end -}}
