// The default notification templates. The Alertmanager part produces, byte for byte, what
// Alertmanager 0.25's template/default.tmpl produces (0.26's for msteams.default.*; for
// email.default.html the same visible text and links), checked
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

{{- /* Email: Alertmanager's subject; tocsin's own markup for the body, with the same visible
       text in the same order as Alertmanager's email.default.html (run through html/template
       escaping). */ -}}
{{- define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
{{- define "email.default.html" -}}
<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width">
<title>{{ template "__subject" . }}</title>
</head>
<body style="margin: 0; padding: 24px 12px; background-color: #f6f6f6; font-family: Helvetica, Arial, sans-serif; font-size: 14px; line-height: 1.5; color: #222222;">
<div style="max-width: 600px; margin: 0 auto; background-color: #ffffff; border: 1px solid #e9e9e9; border-radius: 3px;">
{{ if gt (len .Alerts.Firing) 0 -}}
<div style="padding: 20px; font-size: 16px; color: #ffffff; background-color: #e6522c; border-radius: 3px 3px 0 0;">
{{- else -}}
<div style="padding: 20px; font-size: 16px; color: #ffffff; background-color: #68b90f; border-radius: 3px 3px 0 0;">
{{- end }}
{{ .Alerts | len }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}
</div>
<div style="padding: 20px;">
<p style="margin: 0 0 20px;"><a href="{{ template "__alertmanagerURL" . }}" style="display: inline-block; padding: 8px 18px; border-radius: 5px; background-color: #348eda; color: #ffffff; font-weight: bold; text-decoration: none;">View in {{ template "__alertmanager" . }}</a></p>
{{ if gt (len .Alerts.Firing) 0 -}}
<p style="margin: 0 0 10px;"><strong>[{{ .Alerts.Firing | len }}] Firing</strong></p>
{{ end -}}
{{ range .Alerts.Firing }}{{ template "__tocsin_email_alert" . }}{{ end -}}
{{ if gt (len .Alerts.Resolved) 0 -}}
{{ if gt (len .Alerts.Firing) 0 }}<hr style="border: 0; border-top: 1px solid #e9e9e9; margin: 20px 0;">
{{ end -}}
<p style="margin: 0 0 10px;"><strong>[{{ .Alerts.Resolved | len }}] Resolved</strong></p>
{{ end -}}
{{ range .Alerts.Resolved }}{{ template "__tocsin_email_alert" . }}{{ end -}}
</div>
<div style="padding: 0 20px 20px; text-align: center; font-size: 12px; color: #999999;"><a href="{{ .ExternalURL }}" style="color: #999999;">Sent by {{ template "__alertmanager" . }}</a></div>
</div>
</body>
</html>
{{ end }}
{{- define "__tocsin_email_alert" -}}
<p style="margin: 0 0 16px; padding: 0 0 0 10px; border-left: 3px solid #e9e9e9;"><strong>Labels</strong><br>
{{ range .Labels.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end -}}
{{ if gt (len .Annotations) 0 }}<strong>Annotations</strong><br>
{{ end -}}
{{ range .Annotations.SortedPairs }}{{ .Name }} = {{ .Value }}<br>
{{ end -}}
<a href="{{ .GeneratorURL }}" style="color: #348eda;">Source</a></p>
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
