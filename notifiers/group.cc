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

AggregationGroup::AggregationGroup(const Route* route, Labels group_labels, TimestampMs now)
    : route_(route),
      group_labels_(std::move(group_labels)),
      key_(route->key() + ":" + group_labels_.ToString()),
      next_flush_(now + route->opts().group_wait.count()) {}

void AggregationGroup::Insert(const Alert& alert, TimestampMs now) {
  uint64_t fp = alert.Fingerprint();
  auto it = alerts_.find(fp);
  if (it == alerts_.end()) {
    alerts_.emplace(fp, alert);
  } else {
    it->second = MergeAlert(it->second, alert, now);
  }
  updated_at_[fp] = now;
  if (!has_flushed_ && alert.starts_at + route_->opts().group_wait.count() < now) {
    next_flush_ = std::min(next_flush_, now);
  }
}

std::vector<Alert> AggregationGroup::Flush(TimestampMs now) {
  has_flushed_ = true;
  next_flush_ = now + route_->opts().group_interval.count();
  std::vector<Alert> out;
  out.reserve(alerts_.size());
  for (const auto& [fp, a] : alerts_) {
    Alert copy = a;
    if (!copy.Resolved(now)) copy.ends_at = 0;
    out.push_back(std::move(copy));
  }
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
