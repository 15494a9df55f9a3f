#include "notifiers/template/notification_templates.h"

#include "agent/core/utf8.h"
#include "rules/template/parser.h"
#include "rules/template/render.h"

namespace tocsin {

namespace tmpl = rules::tmpl;

namespace {

tmpl::ParseOptions AlertmanagerParseOptions() {
  tmpl::ParseOptions options;
  options.dialect = tmpl::FuncDialect::kAlertmanager;
  return options;
}

}  // namespace

std::shared_ptr<const NotificationTemplates> NotificationTemplates::Default() {
  static const std::shared_ptr<const NotificationTemplates> kDefault = [] {
    auto t = std::shared_ptr<NotificationTemplates>(new NotificationTemplates());
    Status st = t->AddFile(DefaultNotificationTemplates(), "default.tmpl");
    if (!st.ok()) std::abort();  // the built-in set is tested; it cannot fail at run time
    return t;
  }();
  return kDefault;
}

Result<std::shared_ptr<const NotificationTemplates>> NotificationTemplates::Load(
    const std::vector<TemplateFileConfig>& files) {
  if (files.empty()) return Default();
  auto t = std::shared_ptr<NotificationTemplates>(new NotificationTemplates());
  t->defines_ = Default()->defines_;  // parsed once; the trees are immutable and shared
  for (const TemplateFileConfig& f : files) {
    std::string_view base = f.path;
    if (size_t slash = base.rfind('/'); slash != std::string_view::npos) {
      base.remove_prefix(slash + 1);
    }
    TOCSIN_RETURN_IF_ERROR(t->AddFile(f.text, base));
  }
  return std::shared_ptr<const NotificationTemplates>(std::move(t));
}

Status NotificationTemplates::AddFile(std::string_view text, std::string_view name) {
  auto tree = tmpl::Parse(text, name, AlertmanagerParseOptions());
  if (!tree.ok()) return tree.status();
  for (auto& [define, body] : tree->defines) {
    defines_[define] = std::shared_ptr<const tmpl::ListNode>(std::move(body));
  }
  return Status::Ok();
}

Result<std::string> NotificationTemplates::Expand(std::string_view text,
                                                  const tmpl::Value& data) const {
  return ExpandAs(text, data, false);
}

Result<std::string> NotificationTemplates::ExpandHtml(std::string_view text,
                                                      const tmpl::Value& data) const {
  return ExpandAs(text, data, true);
}

Result<std::string> NotificationTemplates::ExpandAs(std::string_view text, const tmpl::Value& data,
                                                    bool html) const {
  if (!html && text.find("{{") == std::string_view::npos) {
    // No action: the text as is, made valid UTF-8 as an executed template's output is.
    std::string out(text);
    SanitizeUtf8InPlace(out);
    return out;
  }
  auto tree = tmpl::Parse(text, "", AlertmanagerParseOptions());
  if (!tree.ok()) return tree.status();
  tmpl::ExecInput in;
  in.data = data;
  in.ctx.dialect = tmpl::FuncDialect::kAlertmanager;
  in.shared_defines = &defines_;
  in.escape_html = html;
  return tmpl::Execute(*tree, in);
}

Status CheckNotificationTemplateFiles(const std::vector<TemplateFileConfig>& files) {
  auto loaded = NotificationTemplates::Load(files);
  return loaded.ok() ? Status::Ok() : loaded.status();
}

Status CheckNotificationTemplate(std::string_view text) {
  if (text.find("{{") == std::string_view::npos) return Status::Ok();
  auto tree = tmpl::Parse(text, "", AlertmanagerParseOptions());
  return tree.ok() ? Status::Ok() : tree.status();
}

}  // namespace tocsin
