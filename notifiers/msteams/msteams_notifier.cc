#include "notifiers/msteams/msteams_notifier.h"

#include <nlohmann/json.hpp>

#include "agent/core/json.h"
#include "notifiers/outcome.h"
#include "notifiers/template/template_data.h"

namespace tocsin {

using nlohmann::json;

MsTeamsNotifier::MsTeamsNotifier(MsTeamsConfig config, HttpClient& http, const Clock& clock,
                                 std::shared_ptr<const NotificationTemplates> templates)
    : config_(std::move(config)), http_(http), clock_(clock), templates_(std::move(templates)) {}

Result<std::string> MsTeamsNotifier::Render(const Notification& n) const {
  const rules::tmpl::Value data = NotificationTemplateData(n);
  auto title = templates_->Expand(config_.title, data);
  if (!title.ok()) return title.status();
  auto text = templates_->Expand(config_.text, data);
  if (!text.ok()) return text.status();
  // Alertmanager's colours: red while any alert fires, green once all are resolved.
  return EncodeJson(json{{"@context", "http://schema.org/extensions"},
                         {"type", "MessageCard"},
                         {"title", *title},
                         {"text", *text},
                         {"themeColor", n.Firing() ? "8C1A1A" : "2DC72D"}});
}

SendResult MsTeamsNotifier::Send(const Notification& n) {
  Result<std::string> body = Render(n);
  if (!body.ok()) return SendResult::Drop("msteams: " + body.status().message());
  return PostJson(http_, clock_, config_.webhook_url.value, std::move(body).value(),
                  config_.timeout, config_.http_config);
}

}  // namespace tocsin
