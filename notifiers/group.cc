#include "notifiers/group.h"

#include <algorithm>

namespace tocsin {

Alert MergeAlert(const Alert& existing, const Alert& incoming, TimestampMs now) {
  bool overlaps = !existing.Resolved(now) || incoming.starts_at <= existing.ends_at;
  if (!overlaps) return incoming;
  Alert out = incoming;
  if (existing.starts_at != 0 && existing.starts_at < incoming.starts_at) {
    out.starts_at = existing.starts_at;
  }
  return out;
}

AggregationGroup::AggregationGroup(const Route* route, Labels group_labels, int64_t mono)
    : route_(route),
      group_labels_(std::move(group_labels)),
      key_(route->key() + ":" + group_labels_.ToString()),
      next_flush_(mono + route->opts().group_wait.count()) {}

void AggregationGroup::Insert(const Alert& alert, TimestampMs now, int64_t mono) {
  uint64_t fp = alert.Fingerprint();
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) {
    alerts_.emplace(fp, alert);
  } else {
    it->second = MergeAlert(it->second, alert, now);
  }
  updated_at_[fp] = now;
  if (!has_flushed_ && alert.starts_at + route_->opts().group_wait.count() < now) {
    next_flush_ = std::min(next_flush_, mono);
  }
}

namespace {

// prometheus/common model.LabelSet.Before: fewer labels first, then the first differing value
// in name order, a missing name sorting first.
bool LabelSetBefore(const Labels& a, const Labels& b) {
  if (a.size() != b.size()) return a.size() < b.size();
  std::vector<std::string_view> names;
  for (const Label& l : a) names.push_back(l.name);
  for (const Label& l : b) names.push_back(l.name);
  std::sort(names.begin(), names.end());
  for (std::string_view n : names) {
    if (!a.Has(n)) return true;
    if (!b.Has(n)) return false;
    int c = a.Get(n).compare(b.Get(n));
    if (c != 0) return c < 0;
  }
  return false;
}

// Alertmanager's types.AlertSlice order within a notification: by job, then instance (an
// alert without the label after those with it), then by label set.
bool AlertmanagerOrder(const Alert& x, const Alert& y) {
  for (std::string_view key : {"job", "instance"}) {
    bool xh = x.labels.Has(key), yh = y.labels.Has(key);
    if (!xh && !yh) continue;
    if (!xh) return false;
    if (!yh) return true;
    if (x.labels.Get(key) != y.labels.Get(key)) return x.labels.Get(key) < y.labels.Get(key);
  }
  return LabelSetBefore(x.labels, y.labels);
}

}  // namespace

std::vector<Alert> AggregationGroup::Flush(TimestampMs now, int64_t mono) {
  has_flushed_ = true;
  next_flush_ = mono + route_->opts().group_interval.count();
  std::vector<Alert> out;
  out.reserve(alerts_.size());
  for (const auto& [fp, a] : alerts_) {
    Alert copy = a;
    if (!copy.Resolved(now)) copy.ends_at = 0;
    out.push_back(std::move(copy));
  }
  std::stable_sort(out.begin(), out.end(), AlertmanagerOrder);
  return out;
}

void AggregationGroup::RemoveResolved(const std::vector<Alert>& flushed, TimestampMs now) {
  for (const Alert& a : flushed) {
    if (a.ends_at == 0) continue;
    uint64_t fp = a.Fingerprint();
    auto it = alerts_.find(fp);
    if (it != alerts_.end() && it->second.Resolved(now) && it->second.ends_at == a.ends_at) {
      alerts_.erase(it);
      updated_at_.erase(fp);
    }
  }
}

bool AggregationGroup::NeedsUpdate(const std::string& integration, const std::set<uint64_t>& firing,
                                   const std::set<uint64_t>& resolved, bool send_resolved,
                                   TimestampMs now) const {
  auto it = nflog_.find(integration);
  if (it == nflog_.end()) return !firing.empty();
  const Sent& e = it->second;
  // Alerts firing now that were not firing at the last notification.
  if (!std::includes(e.firing.begin(), e.firing.end(), firing.begin(), firing.end())) {
    return true;
  }
  if (firing.empty()) return !e.firing.empty();
  if (send_resolved &&
      !std::includes(e.resolved.begin(), e.resolved.end(), resolved.begin(), resolved.end())) {
    return true;
  }
  return e.at + route_->opts().repeat_interval.count() < now;
}

void AggregationGroup::RecordSent(const std::string& integration, std::set<uint64_t> firing,
                                  std::set<uint64_t> resolved, TimestampMs now) {
  nflog_[integration] = Sent{std::move(firing), std::move(resolved), now};
}

}  // namespace tocsin
