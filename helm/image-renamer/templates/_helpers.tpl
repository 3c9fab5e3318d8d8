{{/* Release-scoped name: <release>-image-renamer unless the release already says it. */}}
{{- define "renamer.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one component's objects: fullname-component. Call with (list $ "api"). */}}
{{- define "renamer.name" -}}
{{- $root := index . 0 -}}
{{- printf "%s-%s" (include "renamer.fullname" $root) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "renamer.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ $root.Chart.Name }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "renamer.labels" -}}
{{- $root := index . 0 -}}
{{ include "renamer.selectorLabels" . }}
app.kubernetes.io/part-of: image-renamer
app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ $root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" $root.Chart.Name $root.Chart.Version }}
{{- end -}}

{{/* Image of a build target: (list $ "api"). */}}
{{- define "renamer.image" -}}
{{- $root := index . 0 -}}
{{- $tag := $root.Values.image.tag | default $root.Chart.AppVersion -}}
{{- printf "%s/%s-%s:%s" $root.Values.image.registry $root.Values.image.namePrefix (index . 1) $tag -}}
{{- end -}}

{{- define "renamer.appOrigin" -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tlsSecretName))) .Values.ingress.host -}}
{{- end -}}

{{- define "renamer.apiOrigin" -}}
{{- printf "%s://%s" (ternary "https" "http" (not (empty .Values.ingress.tlsSecretName))) .Values.ingress.apiHost -}}
{{- end -}}

{{/* Environment of every Python container: settings, derived addresses, the secret.
     Call with (list $ (dict "NAME" "value" ...)) for container-specific variables, and
     (list $ (dict ...) true) for containers that need the database owner's URL (migrations,
     workers), which then also get databaseOwnerSecret when one is named. */}}
{{- define "renamer.pythonEnv" -}}
{{- $extra := index . 1 -}}
{{- $owner := and (gt (len .) 2) (index . 2) -}}
{{- with index . 0 -}}
env:
  {{- range $name, $value := .Values.config }}
  - name: {{ $name }}
    value: {{ $value | toString | quote }}
  {{- end }}
  {{- if and .Values.clamav.enabled (not (hasKey .Values.config "RENAMER_CLAMD_HOST")) }}
  - name: RENAMER_CLAMD_HOST
    value: {{ include "renamer.name" (list . "clamav") }}
  {{- end }}
  {{- if and .Values.ingress.enabled (not (hasKey .Values.config "RENAMER_CORS_ORIGINS")) }}
  - name: RENAMER_CORS_ORIGINS
    value: {{ list (include "renamer.appOrigin" .) | toJson | quote }}
  {{- end }}
  - name: RENAMER_WORKER_METRICS_PORT
    value: {{ .Values.workerMetricsPort | quote }}
  {{- range $name, $value := $extra }}
  - name: {{ $name }}
    value: {{ $value | toString | quote }}
  {{- end }}
  {{- with .Values.extraEnv }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
envFrom:
  - secretRef:
      name: {{ required "existingSecret: name the Secret with RENAMER_SECRET_KEY, RENAMER_DATABASE_URL, ..." .Values.existingSecret }}
  {{- if and $owner .Values.databaseOwnerSecret }}
  - secretRef:
      name: {{ .Values.databaseOwnerSecret }}
  {{- end }}
{{- end -}}
{{- end -}}

{{- define "renamer.podSecurityContext" -}}
{{- $root := index . 0 -}}
{{- $user := index . 1 -}}
securityContext:
  {{- toYaml $root.Values.podSecurityContext | nindent 2 }}
  runAsUser: {{ $user }}
  runAsGroup: {{ $user }}
  fsGroup: {{ $user }}
{{- end -}}

{{- define "renamer.containerSecurityContext" -}}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
{{- end -}}

{{/* Writable paths of the Python images on a read-only root filesystem. */}}
{{- define "renamer.pythonVolumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: {{ .Values.tmpSizeLimit }}
  - name: data
    emptyDir:
      sizeLimit: {{ .Values.dataSizeLimit }}
{{- end -}}

{{- define "renamer.pythonVolumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  - name: data
    mountPath: /var/lib/renamer
{{- end -}}

{{- define "renamer.podCommon" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A PodDisruptionBudget: (list $ "api" .Values.api.pdb). */}}
{{- define "renamer.pdb" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $pdb := index . 2 -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "renamer.name" (list $root $component) }}
  labels:
    {{- include "renamer.labels" (list $root $component) | nindent 4 }}
spec:
  maxUnavailable: {{ $pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "renamer.selectorLabels" (list $root $component) | nindent 6 }}
{{- end -}}

{{/* An autoscaling/v2 HPA on CPU: (list $ "api" .Values.api.autoscaling). */}}
{{- define "renamer.hpa" -}}
{{- $root := index . 0 -}}
{{- $component := index . 1 -}}
{{- $hpa := index . 2 -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "renamer.name" (list $root $component) }}
  labels:
    {{- include "renamer.labels" (list $root $component) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "renamer.name" (list $root $component) }}
  minReplicas: {{ $hpa.minReplicas }}
  maxReplicas: {{ $hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $hpa.targetCPUUtilizationPercentage }}
{{- end -}}
