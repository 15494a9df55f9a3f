// The default notification templates. The Alertmanager part produces, byte for byte, what
// Alertmanager 0.25's template/default.tmpl produces (0.26's for msteams.default.*), checked
// side by side against the real Alertmanager in tests/notifiers/am_rendering_parity_test.cc;
// the tocsin.* part gives tocsin's inline `alerting:` dialect its richer Slack message.
#include "notifiers/template/notification_templates.h"

namespace tocsin {

std::string_view DefaultNotificationTemplates() {
  return R"tmpl(
{{- define "__alertmanager" }}Alertmanager{{ end }}
{{- define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{- /* [FIRING:2] <group label values> (<values of the other common labels>) */ -}}
{{- define "__subject" -}}
  [{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
  {{- " " }}{{ .GroupLabels.SortedPairs.Values | join " " }}{{ " " }}
  {{- if gt (len .CommonLabels) (len .GroupLabels) -}}
    ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }})
  {{- end -}}
{{- end }}
{{- define "__description" }}{{ end }}

{{- define "__text_alert_list" }}{{ range . }}Labels:
{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Annotations:
{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Source: {{ .GeneratorURL }}
{{ end }}{{ end }}

{{- define "__text_alert_list_markdown" }}{{ range . }}
Labels:
{{ range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}
{{ end }}
Annotations:
{{ range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}
{{ end }}
Source: {{ .GeneratorURL }}
{{ end }}
{{ end }}

{{- define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{- define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{- define "slack.default.callbackid" }}{{ end }}
{{- define "slack.default.pretext" }}{{ end }}
{{- define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "slack.default.iconemoji" }}{{ end }}
{{- define "slack.default.iconurl" }}{{ end }}
{{- define "slack.default.text" }}{{ end }}
{{- define "slack.default.footer" }}{{ end }}

{{- define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{- define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{- define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{- define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{- define "__firing_and_resolved" -}}
{{ if gt (len .Alerts.Firing) 0 -}}
Alerts Firing:
{{ template "__text_alert_list" .Alerts.Firing }}
{{- end }}
{{ if gt (len .Alerts.Resolved) 0 -}}
Alerts Resolved:
{{ template "__text_alert_list" .Alerts.Resolved }}
{{- end }}
{{- end }}
{{- define "opsgenie.default.message" }}{{ template "__subject" . }}{{ end }}
{{- define "opsgenie.default.description" }}{{ .CommonAnnotations.SortedPairs.Values | join " " }}
{{ template "__firing_and_resolved" . }}{{ end }}
{{- define "opsgenie.default.source" }}{{ template "__alertmanagerURL" . }}{{ end }}

{{- /* Alertmanager 0.26's Microsoft Teams defaults. */ -}}
{{- define "msteams.default.title" }}{{ template "__subject" . }}{{ end }}
{{- define "msteams.default.text" }}
{{ if gt (len .Alerts.Firing) 0 }}
# Alerts Firing:
{{ template "__text_alert_list_markdown" .Alerts.Firing }}
{{ end }}
{{ if gt (len .Alerts.Resolved) 0 }}
# Alerts Resolved:
{{ template "__text_alert_list_markdown" .Alerts.Resolved }}
{{ end }}
{{ end }}

{{- /* tocsin's inline dialect: a link to tocsin's own alert list, and one line per alert
       (escaped for Slack's mrkdwn, so a label value cannot mention @channel). */ -}}
{{- define "tocsin.slack.titlelink" }}{{ with .ExternalURL }}{{ . }}/alerts{{ end }}{{ end }}
{{- define "tocsin.slack.fallback" -}}
  {{ template "slack.default.title" . }}{{ with .ExternalURL }} | {{ . }}/alerts{{ end }}
{{- end }}
{{- define "tocsin.slack.escape" -}}
  {{ . | reReplaceAll "&" "&amp;" | reReplaceAll "<" "&lt;" | reReplaceAll ">" "&gt;" }}
{{- end }}
{{- define "tocsin.slack.text" -}}
{{ range $i, $a := .Alerts }}{{ if $i }}
{{ end }}{{ if eq .Status "resolved" }}[resolved] {{ end }}*{{ template "tocsin.slack.escape" .Labels.alertname }}*
  {{- with or .Annotations.summary .Annotations.description .Annotations.message }} - {{ template "tocsin.slack.escape" . }}{{ end }}
  {{- with .Labels.Remove (stringSlice "alertname") }}
    {{ range $j, $l := .SortedPairs }}{{ if $j }}, {{ end }}{{ template "tocsin.slack.escape" .Name }}={{ template "tocsin.slack.escape" .Value }}{{ end }}
  {{- end }}
{{- end }}
{{- end }}
)tmpl";
}

}  // namespace tocsin
