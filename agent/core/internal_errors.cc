#include "agent/core/internal_errors.h"

#include <spdlog/spdlog.h>

namespace tocsin {

InternalErrors& InternalErrors::Process() {
  static InternalErrors* instance = new InternalErrors();  // never destroyed: threads may outlive
  return *instance;
}

void InternalErrors::Record(std::string_view component, std::string_view what) {
  spdlog::error("internal error in {} (carrying on): {}", component, what);
  std::lock_guard lock(mu_);
  auto it = counts_.find(component);
  if (it == counts_.end()) it = counts_.emplace(std::string(component), 0).first;
  ++it->second;
}

std::map<std::string, uint64_t> InternalErrors::Snapshot() const {
  std::lock_guard lock(mu_);
  return {counts_.begin(), counts_.end()};
}

std::string CurrentExceptionMessage() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace tocsin
