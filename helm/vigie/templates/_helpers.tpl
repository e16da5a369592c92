{{/* The chart's name, or nameOverride. */}}
{{- define "vigie.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects: fullnameOverride, else the release name when it contains
the chart's name, else "<release>-<chart>". Cut at 63 characters (the longest label value).
*/}}
{{- define "vigie.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "vigie.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "vigie.labels" -}}
helm.sh/chart: {{ include "vigie.chart" . }}
{{ include "vigie.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: vigie
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The labels that select the operator's pods (never change them: selectors are immutable). */}}
{{- define "vigie.selectorLabels" -}}
app.kubernetes.io/name: {{ include "vigie.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "vigie.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "vigie.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "vigie.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Lease the replicas compete for; the operator uses this name. */}}
{{- define "vigie.leaseName" -}}
vigie-leader
{{- end }}

{{/*
The rules vigie needs in every namespace it watches: in a ClusterRole when it watches all of them,
in a Role per namespace otherwise. Each is what the code calls, and nothing more.
*/}}
{{- define "vigie.watchRules" -}}
# The two reconcilers' informers (JOSDK) list and watch the custom resources they reconcile.
- apiGroups: ["vigie.dihya.io"]
  resources: ["healthprobes", "alertroutes"]
  verbs: ["list", "watch"]
# Status is written with a server-side-apply patch of the status subresource only
# (StatusPatcher): never the spec, never metadata, no finalizers.
- apiGroups: ["vigie.dihya.io"]
  resources: ["healthprobes/status", "alertroutes/status"]
  verbs: ["patch"]
# SecretResolver reads the Secrets that probes and routes name, one GET by name in the resource's
# own namespace: never list or watch, so vigie holds no Secret nobody referenced.
- apiGroups: [""]
  resources: ["secrets"]
  {{- with .Values.rbac.secretNames }}
  resourceNames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  verbs: ["get"]
# EventPublisher writes events.k8s.io/v1 Events about probes and routes: it GETs the Event of the
# same resource, type, reason and note, then creates it, or updates its series count.
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["get", "create", "update"]
{{- if .Values.rbac.workloadChecks }}
# kubernetes checks (WorkloadInformers): one informer, list then watch, per kind and namespace
# that a probe reads; checks read the informer's cache, never GET.
- apiGroups: ["apps"]
  resources: ["deployments", "statefulsets", "daemonsets"]
  verbs: ["list", "watch"]
# ... Services with their Endpoints (ready and not ready addresses), PersistentVolumeClaims.
- apiGroups: [""]
  resources: ["services", "endpoints", "persistentvolumeclaims"]
  verbs: ["list", "watch"]
{{- end }}
{{- end }}
