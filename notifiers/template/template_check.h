// The config loader's checks of notification templates, as Alertmanager makes them at load:
// a templated field must parse (with Alertmanager's functions), and the `templates:` files
// must parse together on top of the default set. A leaf of the config stage: core only.
//
// Pure functions; thread-safe.
#pragma once

#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

struct TemplateFileConfig;

Status CheckNotificationTemplate(std::string_view text);
// Errors name the file and line in Go's words ("template: slack.tmpl:3: unexpected {{end}}").
Status CheckNotificationTemplateFiles(const std::vector<TemplateFileConfig>& files);

}  // namespace tocsin
