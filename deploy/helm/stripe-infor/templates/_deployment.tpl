{{/*
One stage's Deployment: (dict "root" $ "stage" "producer" "scaled" bool
"annotations" dict "volumes" list "mounts" list). The three stages share it
so their security settings, probes and secret mounts cannot drift apart.
"scaled" leaves spec.replicas out when an HPA or KEDA owns the count, so a
`helm upgrade` does not reset what the autoscaler chose.
*/}}
{{- define "stripe-infor.deployment" -}}
{{- $root := .root -}}
{{- $stage := .stage -}}
{{- $v := $root.Values -}}
{{- $cfg := index $v $stage -}}
{{- $ctx := dict "root" $root "stage" $stage -}}
{{- $files := (include "stripe-infor.secretFiles" $ctx | fromYaml).files -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "stripe-infor.stageName" $ctx }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "stripe-infor.stageLabels" $ctx | nindent 4 }}
  {{- with $cfg.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  {{- if not .scaled }}
  replicas: {{ $cfg.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "stripe-infor.stageSelectorLabels" $ctx | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # A new pod is ready before an old one goes: the webhook keeps
      # answering and consumer groups lose no capacity during a rollout.
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        {{- include "stripe-infor.stageSelectorLabels" $ctx | nindent 8 }}
        {{- with $cfg.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- $annotations := merge (dict) (.annotations | default dict) ($cfg.podAnnotations | default dict) }}
      {{- with $annotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "stripe-infor.serviceAccountName" $root }}
      automountServiceAccountToken: {{ $v.automountServiceAccountToken }}
      # No Service environment variables: the stages find Kafka, Redis and
      # the registry through their settings, and a namespace full of
      # Services would otherwise fill the environment.
      enableServiceLinks: false
      {{- with $v.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $cfg.priorityClassName }}
      priorityClassName: {{ . }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $cfg.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $v.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ $stage }}
          image: {{ include "stripe-infor.image" $root | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          args:
            - {{ $stage }}
            {{- range .args }}
            - {{ . | quote }}
            {{- end }}
            {{- range $cfg.extraArgs }}
            - {{ . | quote }}
            {{- end }}
          ports:
            - name: http
              containerPort: {{ include "stripe-infor.stagePort" $stage }}
              protocol: TCP
          env:
            {{- include "stripe-infor.env" $ctx | nindent 12 }}
          # Started: the process answers at all (a slow first Kafka
          # connection must not kill it).
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 2
            failureThreshold: 30
          # Alive: /healthz answers while the process runs, even while a
          # dependency is down, so an outage of Kafka or Infor does not
          # turn into a restart loop.
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
          # Ready: every dependency check passes (Kafka, the registry, Redis)
          # and the stage is not draining.
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: 5
            timeoutSeconds: 3
            failureThreshold: 2
          resources:
            {{- toYaml $cfg.resources | nindent 12 }}
          securityContext:
            {{- toYaml $v.containerSecurityContext | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $files }}
            # A directory mount, never subPath: the kubelet then updates the
            # files in place when a Secret is rotated.
            - name: secrets
              mountPath: {{ include "stripe-infor.secretsDir" $root }}
              readOnly: true
            {{- end }}
            {{- with .mounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit }}
        {{- if $files }}
        - name: secrets
          projected:
            # Owner-and-group read only; fsGroup makes the group the
            # container's.
            defaultMode: 0440
            sources:
              {{- range $files }}
              - secret:
                  name: {{ .secret }}
                  items:
                    - key: {{ .key }}
                      path: {{ .path }}
              {{- end }}
        {{- end }}
        {{- with .volumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $cfg.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $cfg.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $cfg.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if $cfg.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml $cfg.topologySpreadConstraints | nindent 8 }}
      {{- else if $v.topologySpread.enabled }}
      topologySpreadConstraints:
        {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - topologyKey: {{ . }}
          maxSkew: {{ $v.topologySpread.maxSkew }}
          whenUnsatisfiable: {{ $v.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "stripe-infor.stageSelectorLabels" $ctx | nindent 14 }}
          # Count only the pods of the current ReplicaSet, so a rollout is
          # not skewed by the old pods it is about to remove.
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
      {{- end }}
{{- end -}}
