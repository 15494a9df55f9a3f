#include "notifiers/route.h"

#include <algorithm>

#include "agent/core/matcher_parser.h"

namespace tocsin {

Result<std::unique_ptr<Route>> Route::Build(const RouteConfig& root) {
  if (root.receiver.empty()) return InvalidArgument("root route must specify a receiver");
  if (!root.matchers.empty()) return InvalidArgument("root route must not have any matchers");
  if (!root.mute_time_intervals.empty()) {
    return InvalidArgument("root route must not have any mute time intervals");
  }
  if (!root.active_time_intervals.empty()) {
    return InvalidArgument("root route must not have any active time intervals");
  }
  return BuildNode(root, nullptr);
}

std::unique_ptr<Route> Route::BuildNode(const RouteConfig& c, const Route* parent) {
  std::unique_ptr<Route> r(new Route());
  if (parent != nullptr) r->opts_ = parent->opts_;
  if (!c.receiver.empty()) r->opts_.receiver = c.receiver;
  if (c.group_by.has_value()) {
    r->opts_.group_by.clear();
    r->opts_.group_by_all = false;
    for (const std::string& name : *c.group_by) {
      if (name == "...") {
        r->opts_.group_by_all = true;
      } else {
        r->opts_.group_by.push_back(name);
      }
    }
    if (r->opts_.group_by_all) r->opts_.group_by.clear();
    std::sort(r->opts_.group_by.begin(), r->opts_.group_by.end());
    r->opts_.group_by.erase(std::unique(r->opts_.group_by.begin(), r->opts_.group_by.end()),
                            r->opts_.group_by.end());
  }
  if (c.group_wait) r->opts_.group_wait = *c.group_wait;
  if (c.group_interval) r->opts_.group_interval = *c.group_interval;
  if (c.repeat_interval) r->opts_.repeat_interval = *c.repeat_interval;
  r->opts_.mute_time_intervals = c.mute_time_intervals;
  r->opts_.active_time_intervals = c.active_time_intervals;
  r->matchers_ = c.matchers;
  r->continue_ = c.continue_matching;
  r->key_ =
      (parent != nullptr ? parent->key_ + "/" : std::string()) + MatchersKeyString(c.matchers);
  for (const RouteConfig& child : c.routes) r->routes_.push_back(BuildNode(child, r.get()));
  return r;
}

std::vector<const Route*> Route::Match(const Labels& labels) const {
  if (!MatchesAll(matchers_, labels)) return {};
  std::vector<const Route*> all;
  for (const auto& child : routes_) {
    std::vector<const Route*> matches = child->Match(labels);
    bool matched = !matches.empty();
    all.insert(all.end(), matches.begin(), matches.end());
    if (matched && !child->continue_) break;
  }
  if (all.empty()) all.push_back(this);
  return all;
}

Labels Route::GroupLabels(const Labels& alert_labels) const {
  if (opts_.group_by_all) return alert_labels;
  std::vector<Label> out;
  for (const std::string& name : opts_.group_by) {
    std::string_view v = alert_labels.Get(name);
    if (!v.empty()) out.push_back({name, std::string(v)});
  }
  return Labels::FromSorted(std::move(out));
}

}  // namespace tocsin
