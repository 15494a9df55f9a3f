#include "rules/manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "rules/manager_runner.h"
#include "rules/retention_check.h"

namespace tocsin::rules {
Manager::Manager(ManagerDeps deps) : deps_(std::move(deps)), shared_(std::make_shared<Shared>()) {
  shared_->deps = deps_;
  if (!deps_.state_dir.empty()) shared_->state_dir = AlertStateDir(deps_.state_dir + "/rules");
}

Manager::~Manager() { Stop(); }

Result<std::function<void()>> Manager::Prepare(const ManagerSettings& settings) {
  auto files = ExpandRuleFileGlobs(settings.rule_files);
  if (!files.ok()) return files.status();
  auto loaded = std::make_shared<std::vector<RuleFile>>();
  std::string errors;
  for (const auto& f : *files) {
    RuleFileLoad l = LoadRuleFile(f);
    for (const auto& e : l.errors) errors += (errors.empty() ? "" : "\n") + e;
    if (l.ok()) loaded->push_back(std::move(l.file));
  }
  if (!errors.empty()) return InvalidArgument("rule files: " + errors);
  return std::function<void()>([this, loaded, settings] { Install(std::move(*loaded), settings); });
}

Status Manager::Update(const ManagerSettings& settings) {
  auto swap = Prepare(settings);
  if (!swap.ok()) return swap.status();
  (*swap)();
  return Status::Ok();
}

void Manager::Install(std::vector<RuleFile> loaded, const ManagerSettings& settings) {
  std::lock_guard update_lock(update_mu_);
  if (!state_loaded_) {
    state_loaded_ = true;
    auto r = shared_->state_dir.LoadAll(deps_.clock->NowMs());
    for (const auto& e : r.errors) spdlog::error("alert state set aside: {}", e);
    shared_->state_load_errors += r.errors.size();
    std::lock_guard lock(shared_->saved_mu);
    shared_->saved = std::move(r.groups);
  }

  std::vector<std::unique_ptr<Runner>> fresh;
  for (auto& file : loaded) {
    for (const auto& f : RulesReadingPastRetention(file, settings.retention)) {
      spdlog::warn("{}", FormatRetentionFinding(f, settings.retention));
    }
    for (auto& g : file.groups) {
      fresh.push_back(std::make_unique<Runner>(shared_, std::move(g), file.source, settings));
    }
  }
  std::vector<std::unique_ptr<Runner>> old;
  {
    std::unique_lock lock(runners_mu_);
    old.swap(runners_);
    wake_cache_.clear();
  }
  for (auto& r : old) r->Stop();
  std::set<std::string> kept_sources;
  std::set<std::pair<std::string, std::string>> kept_groups;
  for (auto& n : fresh) {
    for (auto& o : old) {
      if (o->file() == n->file() && o->name() == n->name()) n->CopyStateFrom(*o);
    }
    for (auto& s : n->Sources()) kept_sources.insert(s);
    kept_groups.insert({n->file(), n->name()});
  }
  const TimestampMs now = deps_.clock->NowMs();
  for (auto& o : old) {
    for (auto& s : o->Sources()) {
      if (!kept_sources.count(s)) deps_.store->MarkSourceStale(s, now);
    }
    if (!kept_groups.count({o->file(), o->name()})) {
      shared_->state_dir.Remove(o->file(), o->name());
    }
  }
  old.clear();
  if (started_) {
    for (auto& n : fresh) n->Start(settings.event_driven);
  }
  {
    std::unique_lock lock(runners_mu_);
    runners_ = std::move(fresh);
    wake_cache_.clear();
  }
}

void Manager::Start() {
  std::lock_guard update_lock(update_mu_);
  if (started_) return;
  started_ = true;
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->Start(r->event_driven());
}

void Manager::Stop() {
  std::lock_guard update_lock(update_mu_);
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->Stop();
  started_ = false;
}

void Manager::OnCommit(std::string_view source, const CommitNames& metric_names) {
  std::shared_lock lock(runners_mu_);
  std::vector<Runner*> wake;
  {
    std::lock_guard wake_lock(wake_mu_);
    WakeEntry& e = wake_cache_[std::string(source)];
    if (e.names != metric_names || metric_names == nullptr) {
      e.names = metric_names;
      e.runners.clear();
      for (auto& r : runners_) {
        if (!r->event_driven() || r->OwnsSource(source)) continue;
        if (metric_names == nullptr || r->wake_filter().MatchesAny(*metric_names)) {
          e.runners.push_back(r.get());
        }
      }
    }
    wake = e.runners;
  }
  for (Runner* r : wake) r->Trigger();
}

RulesSnapshot Manager::Snapshot() const {
  RulesSnapshot s;
  {
    std::shared_lock lock(runners_mu_);
    for (const auto& r : runners_) s.groups.push_back(r->Snapshot());
  }
  s.notifications = shared_->notifications.load();
  s.state_load_errors = shared_->state_load_errors.load();
  s.state_write_errors = shared_->state_write_errors.load();
  s.state_writes = shared_->state_writes.load();
  return s;
}

void Manager::EvalAllAt(TimestampMs ts) {
  std::shared_lock lock(runners_mu_);
  for (auto& r : runners_) r->EvalAt(ts, false);
}

}  // namespace tocsin::rules
