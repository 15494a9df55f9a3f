// Route: Alertmanager's routing tree, built from RouteConfig with inheritance resolved.
//
// Match() is Alertmanager's depth-first, left-to-right search: the first matching child wins
// unless it has `continue: true`; when no child matches, the node itself handles the alert.
// Key() is Alertmanager's route key (parent keys joined by "/", each the sorted matcher set), the
// first half of a group key. Immutable after Build(); safe to share across threads.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "agent/core/labels.h"
#include "agent/core/status.h"
#include "notifiers/config.h"

namespace tocsin {

struct RouteOpts {
  std::string receiver;
  std::vector<std::string> group_by;  // sorted, unique
  bool group_by_all = false;          // group_by: ['...']
  std::chrono::milliseconds group_wait = kDefaultGroupWait;
  std::chrono::milliseconds group_interval = kDefaultGroupInterval;
  std::chrono::milliseconds repeat_interval = kDefaultRepeatInterval;
  // This route's own (never inherited, as in Alertmanager) time interval names.
  std::vector<std::string> mute_time_intervals;
  std::vector<std::string> active_time_intervals;
};

class Route {
 public:
  // Fails when the root has no receiver or has matchers.
  static Result<std::unique_ptr<Route>> Build(const RouteConfig& root);

  // The routes that handle `labels` (at least one for the root, which matches everything).
  std::vector<const Route*> Match(const Labels& labels) const;

  // The labels this route groups by, from an alert's labels.
  Labels GroupLabels(const Labels& alert_labels) const;

  const RouteOpts& opts() const { return opts_; }
  const std::string& key() const { return key_; }
  const std::vector<std::unique_ptr<Route>>& routes() const { return routes_; }

 private:
  Route() = default;
  static std::unique_ptr<Route> BuildNode(const RouteConfig& config, const Route* parent);

  RouteOpts opts_;
  std::vector<LabelMatcher> matchers_;
  bool continue_ = false;
  std::string key_;
  std::vector<std::unique_ptr<Route>> routes_;
};

}  // namespace tocsin
