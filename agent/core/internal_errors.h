// InternalErrors: the exception barrier's ledger. Every thread tocsin starts (and every HTTP
// handler) runs its body through Guarded(); an exception that escapes is logged with its
// component, counted in tocsin_internal_errors_total{component}, and swallowed, so the thread
// carries on with its next iteration instead of terminating the process.
//
// One process-wide instance (Process()); thread-safe; counters only ever grow.
#pragma once

#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace tocsin {

// The components that guard their threads, exported at 0 before their first error.
inline constexpr const char* kInternalErrorComponents[] = {
    "alertmanager", "delivery", "dispatcher", "http", "reload", "rules", "scheduler", "statsd"};

class InternalErrors {
 public:
  static InternalErrors& Process();

  // Logs `what` as an internal error of `component` and counts it.
  void Record(std::string_view component, std::string_view what);
  // Count per component, for the exporter.
  std::map<std::string, uint64_t> Snapshot() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t, std::less<>> counts_;
};

// Describes the exception currently being handled (inside a catch block).
std::string CurrentExceptionMessage();

// Runs `body`; an exception it throws is recorded against `component` and Guarded returns
// false (true when body returned normally).
template <typename F>
bool Guarded(std::string_view component, F&& body) {
  try {
    body();
    return true;
  } catch (...) {
    InternalErrors::Process().Record(component, CurrentExceptionMessage());
    return false;
  }
}

}  // namespace tocsin
