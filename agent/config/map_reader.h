// MapReader: binds one YAML map to a config struct, declaratively, and reports every problem.
//
// A section is one small function of field bindings:
//
//   void BindWeb(MapReader& r, WebConfig& web) {
//     r.String("listen_address", &web.listen_address, MustBeListenAddress);
//   }
//
// Each binder looks its key up and marks it consumed; a present value is parsed into the field
// (or an error is recorded at the value's position); an absent key leaves the field's default.
// ReportUnknownKeys() then reports every key nobody asked for (Section and List call it for
// the maps they open). Errors go to the shared LoadContext, so one load reports all of them.
//
// A MapReader borrows the YamlNode and the LoadContext; both must outlive it. Not synchronised.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "agent/config/config.h"
#include "agent/config/error_list.h"
#include "agent/config/yaml.h"
#include "agent/core/status.h"

namespace tocsin {

// What every binder of one load shares.
struct LoadContext {
  ErrorList errors;
  std::string base_dir;  // relative paths resolve against it; empty = leave them relative
};

// A check on a parsed value; a non-ok Status's message is reported at the value.
template <typename T>
using ValueCheck = std::function<Status(const T&)>;

// Checks used by several sections.
Status MustBePositive(const std::chrono::milliseconds& d);
Status MustBeAtLeastOne(const size_t& n);
Status MustBeListenAddress(const std::string& address);  // host:port, see host_port.h
Status MustBeLabelName(const std::string& name);
Status MustBeHttpUrl(const std::string& url);    // http:// or https://
Status MustBeTarget(const std::string& target);  // host:port with both parts

class MapReader {
 public:
  // A null node reads as an empty map (`system:` is the same as `system: {}`); any other
  // non-map is reported ("expected a map, got a list") and then reads as empty.
  MapReader(const YamlNode& node, std::string path, LoadContext& context);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  // Scalar fields. Each returns true when the key was present and its value stored.
  bool Duration(std::string_view key, std::chrono::milliseconds* out,
                const ValueCheck<std::chrono::milliseconds>& check = {});
  bool String(std::string_view key, std::string* out, const ValueCheck<std::string>& check = {});
  bool Bool(std::string_view key, bool* out);
  bool UInt(std::string_view key, size_t* out, const ValueCheck<size_t>& check = {});
  // A non-empty path; a relative one is resolved against LoadContext::base_dir.
  bool Path(std::string_view key, std::string* out);
  // A regular expression in RE2/Go syntax that must compile; stored as written.
  bool RegexPattern(std::string_view key, std::string* out);
  // Reads the file named by the value (see secret_file.h); the secret never enters a message.
  bool SecretFile(std::string_view key, Secret* out);

  // Collections of scalars. A null value is an empty collection.
  bool StringList(std::string_view key, std::vector<std::string>* out,
                  const ValueCheck<std::string>& item_check = {});
  // Non-empty paths, relative ones resolved as Path does; items starting with `keep_prefix`
  // (when not empty) are names rather than paths and are kept as written.
  bool PathList(std::string_view key, std::vector<std::string>* out,
                std::string_view keep_prefix = {});
  bool StringMap(std::string_view key, std::map<std::string, std::string>* out,
                 const ValueCheck<std::string>& key_check = {});

  // A nested map. Returns true when the key is present (even if its value had errors), so a
  // section's presence can switch a feature on.
  bool Section(std::string_view key, const std::function<void(MapReader&)>& bind);

  // A list of maps, each bound like a section; errors name the item ("scrape_configs[2].x").
  template <typename T>
  bool List(std::string_view key, std::vector<T>* out,
            const std::function<void(MapReader&, T&)>& bind) {
    return ForEachItem(key, [&](MapReader& item) {
      T value{};
      bind(item, value);
      out->push_back(std::move(value));
    });
  }

  // The raw value for `key` (marked consumed), or nullptr; for shapes the binders lack.
  const YamlNode* Take(std::string_view key);
  // Reports `message` at the value of `key` (at this map when absent), under path.key; for
  // checks that span several fields.
  void ErrorAtKey(std::string_view key, std::string_view message);
  // Reports `message` at `at` under this map's path joined with `key` (empty = this map).
  void ErrorAt(const YamlNode& at, std::string_view key, std::string_view message);

  // Reports each key no binder consumed, and each key that is not a string.
  void ReportUnknownKeys();

  const std::string& path() const { return path_; }
  LoadContext& context() { return context_; }

 private:
  bool ForEachItem(std::string_view key, const std::function<void(MapReader&)>& bind);
  // The value for `key` if it is a scalar; otherwise records why not and returns nullptr.
  const YamlNode* TakeScalar(std::string_view key, std::string_view expected);
  bool ScalarList(std::string_view key, std::vector<std::string>* out,
                  const std::function<bool(const YamlNode&, const std::string& path,
                                           std::string& value)>& convert);
  std::string ResolvePath(const std::string& path) const;

  const YamlNode& node_;
  std::string path_;
  LoadContext& context_;
  std::vector<bool> consumed_;  // parallel to node_.entries()
  bool reported_ = false;
};

}  // namespace tocsin
