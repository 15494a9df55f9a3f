// A test-only driver shared by the datastore collectors' harnesses (postgres, redis, scylla):
// loads a real tocsin config, builds one collector instance through a factory, runs it for N
// cycles and prints each cycle's exposition (RecordingAppender's sorted text) to stdout, then
// "# stats cycles=N wall_seconds=W cpu_seconds=C" (CPU of this process, from getrusage). Each
// cycle's header says "ok", "error" or "late" (ended after its deadline, which the scheduler
// treats as a failure).
//
//   <driver> --config FILE --instance NAME [--cycles N] [--interval-ms MS] [--timeout-ms MS]
//            [--print all|last|none]
//
// Logs go to stderr. Header-only; single-threaded.
#pragma once

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

#include "agent/config/loader.h"
#include "collectors/collector.h"
#include "tests/fakes/recording_appender.h"

namespace tocsin::testing {

// Builds the instance called `instance` from `config`, or an error.
using CollectorFactory =
    std::function<Result<ScheduledCollector>(const Config& config, const std::string& instance)>;

inline double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

inline int RunCollectDriver(int argc, char** argv, const CollectorFactory& factory) {
  std::string config_path, instance, print = "all";
  int cycles = 1;
  long interval_ms = 0, timeout_ms = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--config") {
      config_path = v;
    } else if (k == "--instance") {
      instance = v;
    } else if (k == "--cycles") {
      cycles = std::stoi(v);
    } else if (k == "--interval-ms") {
      interval_ms = std::stol(v);
    } else if (k == "--timeout-ms") {
      timeout_ms = std::stol(v);
    } else if (k == "--print") {
      print = v;
    } else {
      std::cerr << "unknown flag " << k << "\n";
      return 2;
    }
  }
  spdlog::set_default_logger(spdlog::stderr_logger_st("driver"));
  Result<Config> config = LoadConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return 1;
  }
  Result<ScheduledCollector> sc = factory(*config, instance);
  if (!sc.ok()) {
    std::cerr << sc.status().message() << "\n";
    return 1;
  }
  auto timeout = timeout_ms > 0 ? std::chrono::milliseconds(timeout_ms) : sc->timeout;
  double cpu0 = CpuSeconds();
  auto wall0 = std::chrono::steady_clock::now();
  int failed = 0;
  for (int c = 0; c < cycles; ++c) {
    auto start = std::chrono::steady_clock::now();
    RecordingAppender out;
    CollectContext ctx;
    ctx.now_ms = 0;
    ctx.deadline = start + timeout;
    Status st = sc->collector->Collect(ctx, out);
    // As the scheduler does: a cycle that ends after its deadline is an error ("late").
    bool late = std::chrono::steady_clock::now() > ctx.deadline;
    if (st.ok() && late) st = DeadlineExceeded("cycle ended after its deadline");
    if (!st.ok()) {
      ++failed;
      std::cerr << "cycle " << c << " failed: " << st.message() << "\n";
    }
    if (print == "all" || (print == "last" && c == cycles - 1)) {
      std::cout << "# cycle " << c
                << (st.ok() ? " ok"
                    : late  ? " late"
                            : " error")
                << "\n"
                << out.Render();
      std::cout.flush();
    }
    if (interval_ms > 0 && c + 1 < cycles) {
      std::this_thread::sleep_until(start + std::chrono::milliseconds(interval_ms));
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  std::printf("# stats cycles=%d failed=%d wall_seconds=%.6f cpu_seconds=%.6f\n", cycles, failed,
              wall, CpuSeconds() - cpu0);
  return failed == 0 ? 0 : 1;
}

}  // namespace tocsin::testing
