// Alertmanager's `templates:` (config.go's Templates, template.FromGlobs): file globs whose
// matches are read and parsed at load, so a broken template fails the load (or the reload,
// keeping the running config) instead of the first page.
#include <glob.h>

#include <algorithm>

#include "agent/config/am_schema.h"
#include "agent/core/file_util.h"
#include "notifiers/template/template_check.h"

namespace tocsin {

void BindAmTemplates(MapReader& r, std::vector<TemplateFileConfig>& out) {
  std::vector<std::string> patterns;
  if (!r.PathList("templates", &patterns)) return;
  for (const std::string& pattern : patterns) {
    glob_t matches{};
    // As Go's filepath.Glob: unreadable directories are no matches, not errors.
    int rc = ::glob(pattern.c_str(), 0, nullptr, &matches);
    if (rc == GLOB_NOSPACE) {
      r.ErrorAtKey("templates", "cannot expand \"" + pattern + "\"");
      ::globfree(&matches);
      continue;
    }
    std::vector<std::string> paths;
    if (rc == 0) paths.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    ::globfree(&matches);
    std::sort(paths.begin(), paths.end());  // Go's filepath.Glob order
    for (const std::string& path : paths) {
      Result<std::string> text = ReadWholeFile(path);
      if (!text.ok()) {
        r.ErrorAtKey("templates", "cannot read " + path + ": " + text.status().message());
        continue;
      }
      out.push_back({path, std::move(text).value()});
    }
  }
  // Parsed together, as Alertmanager does, so the error is the one it would report.
  Status parsed = CheckNotificationTemplateFiles(out);
  if (!parsed.ok()) r.ErrorAtKey("templates", parsed.message());
}

}  // namespace tocsin
