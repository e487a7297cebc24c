{{/* ------------------------------------------------------------------ names and labels */}}

{{- define "mbn.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mbn.fullname" -}}
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

{{- define "mbn.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. Call with (dict "root" $ "component" "web"). */}}
{{- define "mbn.labels" -}}
helm.sh/chart: {{ include "mbn.chart" .root }}
{{ include "mbn.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Values.image.tag | default .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: mbn
{{- end }}

{{/* Selector labels. Call with (dict "root" $ "component" "web"). */}}
{{- define "mbn.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mbn.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{- define "mbn.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{- define "mbn.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mbn.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mbn.pgbouncerName" -}}
{{- printf "%s-pgbouncer" (include "mbn.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Name of the hook copies (ConfigMap, Secret, ServiceAccount) used by the migrate Job, which runs
     before the release's own objects exist on first install. */}}
{{- define "mbn.migrateName" -}}
{{- printf "%s-migrate" (include "mbn.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* ------------------------------------------------------------------ configuration */}}

{{/* Non-secret environment (ConfigMap data), shared by the release ConfigMap and its hook copy. */}}
{{- define "mbn.configData" -}}
MBN_ENV: {{ .Values.config.env | quote }}
MBN_BASE_DOMAIN: {{ required "config.baseDomain is required" .Values.config.baseDomain | quote }}
MBN_PUBLIC_HOSTS: {{ join "," .Values.config.publicHosts | quote }}
MBN_LOG_FORMAT: {{ .Values.config.logFormat | quote }}
TENANT_MULTIPROCESSING_MAX_PROCESSES: {{ .Values.config.tenantMultiprocessingMaxProcesses | toString | quote }}
MBN_EDT_PARTNER_NAME: {{ required "config.edtPartnerName is required" .Values.config.edtPartnerName | quote }}
PYTHONUNBUFFERED: "1"
PYTHONDONTWRITEBYTECODE: "1"
XDG_CACHE_HOME: "/tmp/.cache"
{{- range $key, $value := .Values.config.extraEnv }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* DJANGO_SECRET_KEY: from values, else kept from the live Secret, else generated once per render
     (memoised in .Values so the release Secret and the hook copy agree). */}}
{{- define "mbn.djangoSecretKey" -}}
{{- if .Values.secrets.djangoSecretKey }}
{{- .Values.secrets.djangoSecretKey }}
{{- else }}
{{- $live := lookup "v1" "Secret" .Release.Namespace (include "mbn.fullname" .) }}
{{- if and $live $live.data (hasKey $live.data "DJANGO_SECRET_KEY") }}
{{- index $live.data "DJANGO_SECRET_KEY" | b64dec }}
{{- else }}
{{- if not (hasKey .Values.secrets "generatedDjangoSecretKey") }}
{{- $_ := set .Values.secrets "generatedDjangoSecretKey" (randAlphaNum 64) }}
{{- end }}
{{- .Values.secrets.generatedDjangoSecretKey }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret data (stringData), shared by the release Secret and its hook copy. */}}
{{- define "mbn.secretData" -}}
{{- $mode := include "mbn.databaseMode" . }}
DJANGO_SECRET_KEY: {{ include "mbn.djangoSecretKey" . | quote }}
{{- if eq $mode "url" }}
DATABASE_URL: {{ .Values.database.url | quote }}
{{- end }}
{{- if and (eq $mode "parts") .Values.database.password }}
DATABASE_PASSWORD: {{ .Values.database.password | quote }}
{{- end }}
{{- if not .Values.redis.urlSecret.name }}
REDIS_URL: {{ required "redis.url (or redis.urlSecret.name) is required" .Values.redis.url | quote }}
{{- end }}
{{- with .Values.secrets.sentryDsn }}
SENTRY_DSN: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.metricsToken }}
MBN_METRICS_TOKEN: {{ . | quote }}
{{- end }}
{{- with .Values.secrets.edtPrivateKey }}
MBN_EDT_PRIVATE_KEY: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Name of the Secret the pods read. Call with (dict "root" $ "hook" bool). */}}
{{- define "mbn.secretName" -}}
{{- if .root.Values.secrets.existingSecret }}
{{- .root.Values.secrets.existingSecret }}
{{- else if .hook }}
{{- include "mbn.migrateName" .root }}
{{- else }}
{{- include "mbn.fullname" .root }}
{{- end }}
{{- end }}

{{/* Where DATABASE_URL comes from: urlSecret | url | parts | existing (see values.yaml). */}}
{{- define "mbn.databaseMode" -}}
{{- $db := .Values.database }}
{{- if $db.urlSecret.name }}
{{- print "urlSecret" }}
{{- else if $db.url }}
{{- if .Values.secrets.existingSecret }}
{{- fail "database.url is written to the chart Secret, which secrets.existingSecret disables: put DATABASE_URL in the existing Secret and leave database.url empty" }}
{{- end }}
{{- print "url" }}
{{- else if and $db.host $db.user $db.name }}
{{- print "parts" }}
{{- else if .Values.secrets.existingSecret }}
{{- print "existing" }}
{{- else }}
{{- fail "no database configured: set database.urlSecret.name, database.url, database.host/user/name with a password, or secrets.existingSecret holding DATABASE_URL" }}
{{- end }}
{{- end }}

{{/* secretKeyRef of the database password in "parts" mode. Call with (dict "root" $ "hook" bool). */}}
{{- define "mbn.databasePasswordRef" -}}
{{- $db := .root.Values.database }}
{{- if $db.password }}
{{- if .root.Values.secrets.existingSecret }}
{{- fail "database.password is written to the chart Secret, which secrets.existingSecret disables: put DATABASE_PASSWORD in the existing Secret and leave database.password empty" }}
{{- end }}
name: {{ include "mbn.secretName" . }}
key: DATABASE_PASSWORD
{{- else if $db.passwordSecret.name }}
name: {{ $db.passwordSecret.name }}
key: {{ $db.passwordSecret.key }}
{{- else if .root.Values.secrets.existingSecret }}
name: {{ .root.Values.secrets.existingSecret }}
key: DATABASE_PASSWORD
{{- else }}
{{- fail "database.host is set but no password: set database.passwordSecret.name or database.password" }}
{{- end }}
{{- end }}

{{/* Environment entries overriding envFrom for the database and Redis.
     Call with (dict "root" $ "hook" bool). The hook (migrate Job) always connects to PostgreSQL
     directly: on first install the PgBouncer Deployment does not exist yet. */}}
{{- define "mbn.connectionEnv" -}}
{{- $root := .root }}
{{- $db := $root.Values.database }}
{{- $mode := include "mbn.databaseMode" $root }}
{{- if $root.Values.pgbouncer.enabled }}
{{- if ne $mode "parts" }}
{{- fail "pgbouncer.enabled needs database.host/user/name (not database.url, database.urlSecret or a URL in secrets.existingSecret): the chart points the pods at the pooler and the migrate Job at PostgreSQL" }}
{{- end }}
{{- end }}
{{- if eq $mode "urlSecret" }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ $db.urlSecret.name }}
      key: {{ $db.urlSecret.key }}
{{- else if eq $mode "parts" }}
{{- $host := $db.host }}
{{- $port := $db.port }}
{{- if and $root.Values.pgbouncer.enabled (not .hook) }}
{{- $host = include "mbn.pgbouncerName" $root }}
{{- $port = $root.Values.pgbouncer.port }}
{{- end }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      {{- include "mbn.databasePasswordRef" . | trim | nindent 6 }}
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s:%v/%s%s" $db.user $host $port $db.name (ternary (printf "?%s" $db.options) "" (ne $db.options "")) | quote }}
{{- end }}
{{- with $root.Values.redis.urlSecret.name }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $root.Values.redis.urlSecret.key }}
{{- end }}
{{- end }}

{{/* ------------------------------------------------------------------ pod building blocks */}}

{{/* Annotations that roll the pods when configuration changes. */}}
{{- define "mbn.checksumAnnotations" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}

{{/* Pod-level fields shared by every application pod. */}}
{{- define "mbn.podSpecCommon" -}}
automountServiceAccountToken: {{ .Values.serviceAccount.automountServiceAccountToken }}
{{- /* Service links would inject MBN_*_PORT… variables that the strict settings parser does not expect. */}}
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
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
{{- end }}

{{/* Container fields shared by every application container. Call with (dict "root" $ "hook" bool). */}}
{{- define "mbn.containerCommon" -}}
image: {{ include "mbn.image" .root }}
imagePullPolicy: {{ .root.Values.image.pullPolicy }}
securityContext:
  {{- toYaml .root.Values.securityContext | nindent 2 }}
envFrom:
  - configMapRef:
      name: {{ ternary (include "mbn.migrateName" .root) (include "mbn.fullname" .root) (.hook | default false) }}
  - secretRef:
      name: {{ include "mbn.secretName" . }}
{{- $env := include "mbn.connectionEnv" . | trim }}
{{- if $env }}
env:
  {{- $env | nindent 2 }}
{{- end }}
volumeMounts:
  - name: tmp
    mountPath: /tmp
{{- end }}

{{- define "mbn.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 1Gi
{{- end }}

{{/* Settings of one worker queue: worker.defaults overlaid with the queue's own keys (explicit
     false/0 values win; "autoscaling" and "pdb" are merged key by key, other maps replaced).
     Call with (dict "defaults" .Values.worker.defaults "queue" $settings); returns YAML. */}}
{{- define "mbn.workerConfig" -}}
{{- $queue := .queue | default dict }}
{{- $out := dict "enabled" true }}
{{- range $key, $value := .defaults }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- range $key, $value := $queue }}
{{- if and (has $key (list "autoscaling" "pdb")) (kindIs "map" $value) }}
{{- $merged := deepCopy (index $out $key | default dict) }}
{{- range $k, $v := $value }}
{{- $_ := set $merged $k $v }}
{{- end }}
{{- $_ := set $out $key $merged }}
{{- else }}
{{- $_ := set $out $key $value }}
{{- end }}
{{- end }}
{{- toYaml $out }}
{{- end }}

{{/* pgbouncer.ini: session pooling, server connections recycled (catalog caches grow per schema). */}}
{{- define "mbn.pgbouncerIni" -}}
{{- $pgb := .Values.pgbouncer }}
{{- $db := .Values.database }}
[databases]
{{ $db.name }} = host={{ $db.host }} port={{ $db.port }} dbname={{ $db.name }}

[pgbouncer]
listen_addr = 0.0.0.0
listen_port = {{ $pgb.port }}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = /etc/pgbouncer/auth/userlist.txt
pool_mode = {{ $pgb.poolMode }}
max_client_conn = {{ $pgb.maxClientConn }}
default_pool_size = {{ $pgb.defaultPoolSize }}
server_lifetime = {{ $pgb.serverLifetime }}
server_idle_timeout = {{ $pgb.serverIdleTimeout }}
server_reset_query = DISCARD ALL
server_tls_sslmode = {{ $pgb.serverTlsSslmode }}
ignore_startup_parameters = extra_float_digits
log_connections = 0
log_disconnections = 0
{{- end }}
