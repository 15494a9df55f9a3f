#include "collectors/textfile/textfile_collector.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "agent/core/rate_limiter.h"
#include "agent/core/utf8.h"
#include "collectors/scrape/parsed_body.h"

namespace tocsin {
namespace {

RateLimiter& LogLimiter() {
  static RateLimiter limiter(std::chrono::minutes(1));
  return limiter;
}

void LogProblem(const std::string& key, const std::string& message) {
  uint64_t suppressed = 0;
  if (LogLimiter().Allow(key, suppressed)) spdlog::warn("textfile: {}", message);
}

class TextfileCollector final : public Collector {
 public:
  explicit TextfileCollector(TextfileCollectorConfig config) : config_(std::move(config)) {}
  std::string_view name() const override { return "textfile"; }

  Status Collect(const CollectContext&, Appender& out) override {
    namespace fs = std::filesystem;
    bool error = false;
    std::vector<fs::path> files;
    std::error_code ec;
    for (fs::directory_iterator it(config_.directory, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().extension() != ".prom") continue;
      std::error_code type_ec;
      if (!it->is_regular_file(type_ec)) continue;
      files.push_back(it->path());
    }
    if (ec) {
      LogProblem(config_.directory,
                 "cannot read directory " + config_.directory + ": " + ec.message());
      error = true;
    }
    std::sort(files.begin(), files.end());

    struct Family {
      Metadata metadata;
      bool typed = false;
      std::vector<std::string> files;  // that set a HELP
      std::set<std::string> helps;
    };
    std::map<std::string, Family> families;
    std::set<Labels> seen;
    std::vector<std::pair<std::string, double>> mtimes;
    for (const fs::path& path : files) {
      std::string file = path.string();
      std::string text;
      struct stat st {};
      if (!ReadFile(file, text) || ::stat(file.c_str(), &st) != 0) {
        LogProblem(file, "cannot read " + file);
        error = true;
        continue;
      }
      // node_exporter keeps a textfile whose strings have bad bytes; so do we, as U+FFFD.
      SanitizeUtf8InPlace(text);
      ParseBody(text, TextFormat::kPrometheus, nullptr, body_);
      std::string problem;
      if (body_.errors > 0) {
        problem = body_.first_error;
      } else if (body_.has_timestamps) {
        problem = "textfile contains unsupported client-side timestamps";
      } else {
        for (const auto& [name, md] : body_.metadata) {
          auto it = families.find(name);
          if (it != families.end() && it->second.typed && md.type != MetricType::kUnknown &&
              md.type != it->second.metadata.type) {
            problem = "metric family " + name + " has type " +
                      std::string(MetricTypeName(md.type)) + " here but " +
                      std::string(MetricTypeName(it->second.metadata.type)) + " in an earlier file";
            break;
          }
        }
      }
      if (!problem.empty()) {
        LogProblem(file, "skipping " + file + ": " + problem);
        error = true;
        continue;
      }
      for (const auto& [name, md] : body_.metadata) {
        Family& f = families[name];
        if (md.type != MetricType::kUnknown && !f.typed) {
          f.metadata.type = md.type;
          f.typed = true;
        }
        if (!md.help.empty()) {
          f.helps.insert(md.help);
          f.files.push_back(path.filename().string());
          if (f.metadata.help.empty()) f.metadata.help = md.help;
        }
        if (!md.unit.empty()) f.metadata.unit = md.unit;
      }
      for (const ParsedSample& s : body_.samples) {
        if (!seen.insert(s.labels).second) {
          LogProblem(file + s.labels.ToString(),
                     file + ": series " + s.labels.ToMetricString() + " was read before");
          error = true;
          continue;
        }
        TOCSIN_RETURN_IF_ERROR(out.Add(s.labels, s.value));
      }
      mtimes.emplace_back(file, double(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9);
    }
    for (auto& [name, f] : families) {
      if (f.helps.size() > 1) {
        std::string list;
        for (const std::string& file : f.files) list += (list.empty() ? "" : ", ") + file;
        f.metadata.help = "Metric read from " + list;
      }
      out.SetMetadata(name, f.metadata);
    }
    for (const auto& [file, mtime] : mtimes) {
      TOCSIN_RETURN_IF_ERROR(out.Add(
          Labels{{std::string(kMetricNameLabel), "node_textfile_mtime_seconds"}, {"file", file}},
          mtime));
    }
    TOCSIN_RETURN_IF_ERROR(out.Add(
        Labels{{std::string(kMetricNameLabel), "node_textfile_scrape_error"}}, error ? 1 : 0));
    out.SetMetadata("node_textfile_mtime_seconds",
                    {MetricType::kGauge, "Unixtime mtime of textfiles successfully read.", ""});
    out.SetMetadata(
        "node_textfile_scrape_error",
        {MetricType::kGauge, "1 if there was an error opening or reading a file, 0 otherwise", ""});
    return Status::Ok();
  }

 private:
  static bool ReadFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return !in.bad();
  }

  TextfileCollectorConfig config_;
  ParsedBody body_;
};

}  // namespace

Result<std::unique_ptr<Collector>> MakeTextfileCollector(const TextfileCollectorConfig& config) {
  if (config.directory.empty()) return InvalidArgument("directory is required");
  return std::unique_ptr<Collector>(new TextfileCollector(config));
}

}  // namespace tocsin
