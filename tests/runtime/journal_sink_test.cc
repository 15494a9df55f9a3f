#include "agent/runtime/journal_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <spdlog/spdlog.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/config/test_dir.h"
#include "tests/runtime/datagram_socket.h"

namespace tocsin {
namespace {

using testing_support::DatagramSocket;
using testing_support::StderrCapture;
using testing_support::TempDir;

// ---- The fields of an entry (no socket involved) ----

std::vector<std::string> Fields(spdlog::level::level_enum level, std::string_view text,
                                spdlog::source_loc where = {}) {
  spdlog::details::log_msg msg(where, "test", level, text);
  return JournalFields(msg, text, "tocsin-test");
}

TEST(JournalFieldsTest, MessagePriorityAndIdentifier) {
  EXPECT_THAT(Fields(spdlog::level::info, "collector cpu took 12 ms"),
              ::testing::ElementsAre("MESSAGE=collector cpu took 12 ms", "PRIORITY=6",
                                     "SYSLOG_IDENTIFIER=tocsin-test"));
}

TEST(JournalFieldsTest, MapsLevelsToSyslogPriorities) {
  const std::vector<std::pair<spdlog::level::level_enum, std::string>> cases = {
      {spdlog::level::trace, "7"},
      {spdlog::level::debug, "7"},
      {spdlog::level::info, "6"},
      {spdlog::level::warn, "4"},
      {spdlog::level::err, "3"},
      {spdlog::level::critical, "2"},
      // "off" is never logged through a logger; mapped like spdlog's systemd sink did.
      {spdlog::level::off, "6"},
  };
  for (const auto& [level, priority] : cases) {
    EXPECT_EQ(Fields(level, "x")[1], "PRIORITY=" + priority) << static_cast<int>(level);
  }
}

TEST(JournalFieldsTest, SourceLocation) {
  EXPECT_THAT(Fields(spdlog::level::warn, "slow", {"agent/x/collector.cc", 123, "Collect"}),
              ::testing::ElementsAre("MESSAGE=slow", "PRIORITY=4", "SYSLOG_IDENTIFIER=tocsin-test",
                                     "CODE_FILE=agent/x/collector.cc", "CODE_LINE=123",
                                     "CODE_FUNC=Collect"));
  EXPECT_THAT(Fields(spdlog::level::warn, "slow", {"a.cc", 7, nullptr}),
              ::testing::ElementsAre("MESSAGE=slow", "PRIORITY=4", "SYSLOG_IDENTIFIER=tocsin-test",
                                     "CODE_FILE=a.cc", "CODE_LINE=7"));
}

TEST(JournalFieldsTest, StripsTrailingWhitespaceAndKeepsInnerNewlines) {
  EXPECT_EQ(Fields(spdlog::level::info, "padded \n\n")[0], "MESSAGE=padded");
  // libsystemd sends a value with newlines in the native protocol's binary form.
  EXPECT_EQ(Fields(spdlog::level::err, "reload failed:\n  a.yml:3:1: bad\n")[0],
            "MESSAGE=reload failed:\n  a.yml:3:1: bad");
}

// ---- Through libsystemd to a journal socket the test owns ----
//
// sd_journal_sendv always writes to /run/systemd/journal/socket. A child process gets a private
// mount namespace with a fresh tmpfs on /run, binds its own "journald" socket there, logs, and
// sends back what arrived; the host's /run is never touched. Skipped where namespaces are not
// permitted (not root, or a container without CAP_SYS_ADMIN).

// An independent reading of https://systemd.io/JOURNAL_NATIVE_PROTOCOL/: NAME=value\n, or
// NAME\n <le64 size> value \n. nullopt on anything malformed or a repeated field.
std::optional<std::map<std::string, std::string>> ParseEntry(std::string_view data) {
  std::map<std::string, std::string> fields;
  while (!data.empty()) {
    size_t stop = data.find_first_of("=\n");
    if (stop == std::string_view::npos || stop == 0) return std::nullopt;
    std::string name(data.substr(0, stop));
    std::string value;
    if (data[stop] == '=') {
      size_t end = data.find('\n', stop);
      if (end == std::string_view::npos) return std::nullopt;
      value = data.substr(stop + 1, end - stop - 1);
      data.remove_prefix(end + 1);
    } else {
      data.remove_prefix(stop + 1);
      if (data.size() < 8) return std::nullopt;
      uint64_t size = 0;
      for (int i = 7; i >= 0; --i) size = (size << 8) | static_cast<unsigned char>(data[i]);
      data.remove_prefix(8);
      if (data.size() < size + 1 || data[size] != '\n') return std::nullopt;
      value = data.substr(0, size);
      data.remove_prefix(size + 1);
    }
    if (!fields.emplace(std::move(name), std::move(value)).second) return std::nullopt;
  }
  return fields;
}

// What a child saw: the raw entries its journal socket received (a memfd's contents in place of
// an empty datagram carrying one), and what it wrote to stderr.
struct ChildReport {
  bool skipped = false;
  std::string why;
  std::vector<std::string> entries;
  std::vector<bool> via_fd;
  std::string stderr_text;
};

void WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

std::string Frame(char tag, const std::string& body) {
  std::string out(1, tag);
  uint64_t size = body.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  return out + body;
}

std::string ReadFd(int fd) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return "";
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = pread(fd, contents.data() + done, contents.size() - done, done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return contents;
}

// Runs `log` (given a logger on a JournalSink) in a child with a private /run; with
// `with_journal`, a journal socket is bound there and `expect` entries are collected.
ChildReport RunWithPrivateJournal(bool with_journal, int expect,
                                  const std::function<void(spdlog::logger&)>& log) {
  int pipe_fds[2];
  EXPECT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fds[0]);
    int out = pipe_fds[1];
    if (unshare(CLONE_NEWNS) != 0 ||
        mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        mount("tocsin-test", "/run", "tmpfs", 0, "mode=0755") != 0) {
      WriteAll(out, Frame('S', std::strerror(errno)));
      _exit(0);
    }
    mkdir("/run/systemd", 0755);
    mkdir("/run/systemd/journal", 0755);
    std::optional<DatagramSocket> journal;
    if (with_journal) journal.emplace(JournalSink::kSocket, /*abstract=*/false);
    TempDir dir;
    std::string captured;
    {
      auto logger =
          std::make_shared<spdlog::logger>("test", std::make_shared<JournalSink>("tocsin-test"));
      logger->set_pattern("%v");
      logger->set_level(spdlog::level::trace);
      StderrCapture capture((dir.path() / "stderr.txt").string());
      log(*logger);
      captured = capture.Finish();
    }
    for (int i = 0; journal && i < expect; ++i) {
      auto datagram = journal->Receive();
      if (!datagram) break;
      if (datagram->fds.size() == 1 && datagram->data.empty()) {
        int fd = datagram->fds[0];
        int seals = fcntl(fd, F_GET_SEALS);
        bool sealed = (seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)) ==
                      (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        WriteAll(out, Frame(sealed ? 'F' : 'U', ReadFd(fd)));
      } else {
        WriteAll(out, Frame('E', datagram->data));
      }
    }
    WriteAll(out, Frame('O', captured));
    _exit(0);
  }
  close(pipe_fds[1]);
  std::string data;
  char buf[65536];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ChildReport report;
  std::string_view rest = data;
  while (rest.size() >= 9) {
    char tag = rest[0];
    uint64_t size = 0;
    for (int i = 8; i >= 1; --i) size = (size << 8) | static_cast<unsigned char>(rest[i]);
    rest.remove_prefix(9);
    std::string body(rest.substr(0, size));
    rest.remove_prefix(std::min<size_t>(size, rest.size()));
    if (tag == 'S') {
      report.skipped = true;
      report.why = body;
    } else if (tag == 'O') {
      report.stderr_text = body;
    } else {
      EXPECT_NE(tag, 'U') << "memfd without seals";
      report.entries.push_back(body);
      report.via_fd.push_back(tag != 'E');
    }
  }
  return report;
}

#define SKIP_IF_NO_NAMESPACE(report)                                                    \
  if ((report).skipped) {                                                               \
    GTEST_SKIP() << "no private mount namespace for a fake journald: " << (report).why; \
  }

TEST(JournalSinkTest, EntriesReachJournaldThroughLibsystemd) {
  const int line = __LINE__ + 3;  // the SPDLOG_LOGGER_CALL below
  ChildReport report = RunWithPrivateJournal(true, 3, [&](spdlog::logger& logger) {
    logger.info("collector {} took {} ms", "cpu", 12);
    SPDLOG_LOGGER_CALL((&logger), spdlog::level::err, "reload failed:\n  rules.yml:3:1: bad\n");
    logger.warn("padded \n\n");
  });
  SKIP_IF_NO_NAMESPACE(report);
  ASSERT_EQ(report.entries.size(), 3u) << report.stderr_text;
  EXPECT_EQ(report.stderr_text, "");

  auto first = ParseEntry(report.entries[0]);
  ASSERT_TRUE(first.has_value()) << report.entries[0];
  EXPECT_EQ((*first)["MESSAGE"], "collector cpu took 12 ms");
  EXPECT_EQ((*first)["PRIORITY"], "6");
  EXPECT_EQ((*first)["SYSLOG_IDENTIFIER"], "tocsin-test");
  EXPECT_EQ(first->count("CODE_FILE"), 0u);
  EXPECT_EQ(first->size(), 3u);

  // A multi-line value travels in the binary form; the call site comes with it.
  std::string message = "reload failed:\n  rules.yml:3:1: bad";
  std::string binary = "MESSAGE\n";
  for (int i = 0; i < 8; ++i) binary.push_back(static_cast<char>((message.size() >> (8 * i))));
  binary += message + "\n";
  EXPECT_EQ(report.entries[1].substr(0, binary.size()), binary);
  auto second = ParseEntry(report.entries[1]);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ((*second)["MESSAGE"], message);
  EXPECT_EQ((*second)["PRIORITY"], "3");
  EXPECT_EQ((*second)["CODE_FILE"], __FILE__);
  EXPECT_EQ((*second)["CODE_LINE"], std::to_string(line));
  EXPECT_EQ((*second)["CODE_FUNC"], "operator()");

  auto third = ParseEntry(report.entries[2]);
  ASSERT_TRUE(third.has_value());
  EXPECT_EQ((*third)["MESSAGE"], "padded");
  EXPECT_EQ((*third)["PRIORITY"], "4");
}

TEST(JournalSinkTest, OversizedEntryArrivesWhole) {
  // Beyond what one datagram carries unless libsystemd could raise its send buffer: it then
  // sends a sealed memfd instead. Either way journald gets the whole entry.
  std::string big(16 << 20, 'x');
  big[1000] = '\n';
  ChildReport report = RunWithPrivateJournal(true, 2, [&](spdlog::logger& logger) {
    logger.warn("{}", big);
    logger.info("small again");
  });
  SKIP_IF_NO_NAMESPACE(report);
  ASSERT_EQ(report.entries.size(), 2u) << report.stderr_text;
  auto entry = ParseEntry(report.entries[0]);
  ASSERT_TRUE(entry.has_value());
  EXPECT_TRUE((*entry)["MESSAGE"] == big) << (*entry)["MESSAGE"].size();
  EXPECT_EQ((*entry)["PRIORITY"], "4");
  EXPECT_EQ((*entry)["SYSLOG_IDENTIFIER"], "tocsin-test");
  EXPECT_FALSE(report.via_fd[1]);
  EXPECT_EQ((*ParseEntry(report.entries[1]))["MESSAGE"], "small again");
}

TEST(JournalSinkTest, MissingJournalFallsBackToStderrWithoutThrowing) {
  ChildReport report = RunWithPrivateJournal(false, 0, [](spdlog::logger& logger) {
    logger.error("first line lost?");
    logger.warn("second\nline");
    // The sink itself, without the logger's exception guard around it.
    spdlog::details::log_msg msg("fallback", spdlog::level::err, "direct");
    logger.sinks()[0]->log(msg);
  });
  SKIP_IF_NO_NAMESPACE(report);
  const std::string& written = report.stderr_text;
  EXPECT_THAT(written, ::testing::HasSubstr("first line lost?\n"));
  EXPECT_THAT(written, ::testing::HasSubstr("second\nline\n"));
  EXPECT_THAT(written, ::testing::HasSubstr("direct\n"));
  // Why, said once rather than per line.
  std::string note =
      "cannot log to journald at /run/systemd/journal/socket: No such file or directory";
  EXPECT_THAT(written, ::testing::HasSubstr(note));
  EXPECT_EQ(written.find(note), written.rfind(note)) << written;
}

}  // namespace
}  // namespace tocsin
