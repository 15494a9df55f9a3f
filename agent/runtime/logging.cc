#include "agent/runtime/logging.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "agent/runtime/journal_sink.h"

namespace tocsin {
namespace {

bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  struct stat st {};
  if (fstat(fileno(stderr), &st) != 0) return false;
  std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == stream;
}

}  // namespace

Status SetupLogging(LogTarget target, std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return InvalidArgument("unknown log level \"" + std::string(level) + "\"");
  }
  bool journal = target == LogTarget::kJournal || (target == LogTarget::kAuto && StderrIsJournal());
  std::shared_ptr<spdlog::logger> logger;
  if (journal) {
    // The journal sink sends MESSAGE, PRIORITY, SYSLOG_IDENTIFIER and CODE_* as separate fields,
    // so the pattern is the bare message.
    auto sink = std::make_shared<JournalSink>("tocsin");
    logger = std::make_shared<spdlog::logger>("tocsin", sink);
    logger->set_pattern("%v");
  } else {
    logger = std::make_shared<spdlog::logger>("tocsin",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %l %v");
  }
  logger->set_level(parsed);
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return Status::Ok();
}

}  // namespace tocsin
