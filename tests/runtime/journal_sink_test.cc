#include "agent/runtime/journal_sink.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/details/log_msg.h>
#include <spdlog/logger.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
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

class JournalSinkTest : public ::testing::Test {
 protected:
  JournalSinkTest()
      : socket_path_((dir_.path() / "journal.sock").string()),
        journal_(socket_path_, /*abstract=*/false),
        sink_(std::make_shared<JournalSink>("tocsin-test", socket_path_)),
        logger_(std::make_shared<spdlog::logger>("test", sink_)) {
    // As SetupLogging configures it.
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::trace);
    logger_->set_error_handler([this](const std::string& error) { errors_.push_back(error); });
  }
  ~JournalSinkTest() override { EXPECT_THAT(errors_, ::testing::IsEmpty()); }

  std::map<std::string, std::string> ReceiveEntry() {
    auto datagram = journal_.Receive();
    EXPECT_TRUE(datagram.has_value()) << "no datagram within the bound";
    if (!datagram) return {};
    EXPECT_THAT(datagram->fds, ::testing::IsEmpty());
    auto entry = ParseEntry(datagram->data);
    EXPECT_TRUE(entry.has_value()) << datagram->data;
    return entry.value_or(std::map<std::string, std::string>{});
  }

  TempDir dir_;
  std::string socket_path_;
  DatagramSocket journal_;
  std::shared_ptr<JournalSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
  std::vector<std::string> errors_;
};

TEST_F(JournalSinkTest, SendsMessagePriorityAndIdentifier) {
  logger_->info("collector {} took {} ms", "cpu", 12);
  auto entry = ReceiveEntry();
  EXPECT_EQ(entry["MESSAGE"], "collector cpu took 12 ms");
  EXPECT_EQ(entry["PRIORITY"], "6");
  EXPECT_EQ(entry["SYSLOG_IDENTIFIER"], "tocsin-test");
  EXPECT_EQ(entry.count("CODE_FILE"), 0u);
  EXPECT_EQ(entry.count("CODE_LINE"), 0u);
  EXPECT_EQ(entry.count("CODE_FUNC"), 0u);
  EXPECT_EQ(entry.size(), 3u);
}

TEST_F(JournalSinkTest, MapsLevelsToSyslogPriorities) {
  const std::vector<std::pair<spdlog::level::level_enum, std::string>> cases = {
      {spdlog::level::trace, "7"}, {spdlog::level::debug, "7"}, {spdlog::level::info, "6"},
      {spdlog::level::warn, "4"},  {spdlog::level::err, "3"},   {spdlog::level::critical, "2"},
  };
  for (const auto& [level, priority] : cases) {
    logger_->log(level, "at {}", spdlog::level::to_string_view(level));
    auto entry = ReceiveEntry();
    EXPECT_EQ(entry["PRIORITY"], priority) << entry["MESSAGE"];
    EXPECT_EQ(entry["MESSAGE"], "at " + std::string(spdlog::level::to_string_view(level).data(),
                                                    spdlog::level::to_string_view(level).size()));
  }
  // "off" is never logged through a logger; the sink maps it like spdlog's systemd sink did.
  spdlog::details::log_msg msg("test", spdlog::level::off, "off level");
  sink_->log(msg);
  EXPECT_EQ(ReceiveEntry()["PRIORITY"], "6");
}

TEST_F(JournalSinkTest, SendsSourceLocation) {
  logger_->log(spdlog::source_loc{"agent/x/collector.cc", 123, "Collect"}, spdlog::level::warn,
               "slow");
  auto entry = ReceiveEntry();
  EXPECT_EQ(entry["MESSAGE"], "slow");
  EXPECT_EQ(entry["PRIORITY"], "4");
  EXPECT_EQ(entry["CODE_FILE"], "agent/x/collector.cc");
  EXPECT_EQ(entry["CODE_LINE"], "123");
  EXPECT_EQ(entry["CODE_FUNC"], "Collect");

  int line = __LINE__ + 1;
  SPDLOG_LOGGER_CALL(logger_, spdlog::level::err, "via the macro: {}", 7);
  entry = ReceiveEntry();
  EXPECT_EQ(entry["MESSAGE"], "via the macro: 7");
  EXPECT_EQ(entry["CODE_FILE"], __FILE__);
  EXPECT_EQ(entry["CODE_LINE"], std::to_string(line));
  EXPECT_EQ(entry["CODE_FUNC"], "TestBody");
}

TEST_F(JournalSinkTest, MultiLineMessageUsesBinaryField) {
  logger_->error("reload failed:\n  rules.yml:3:1: bad\n  rules.yml:9:5: worse");
  auto datagram = journal_.Receive();
  ASSERT_TRUE(datagram.has_value());
  // The exact wire bytes of the binary form, not only what a lenient parser accepts.
  std::string message = "reload failed:\n  rules.yml:3:1: bad\n  rules.yml:9:5: worse";
  std::string expected = "MESSAGE\n";
  for (int i = 0; i < 8; ++i) expected.push_back(static_cast<char>((message.size() >> (8 * i))));
  expected += message + "\n";
  EXPECT_EQ(datagram->data.substr(0, expected.size()), expected);
  auto entry = ParseEntry(datagram->data);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ((*entry)["MESSAGE"], message);
  EXPECT_EQ((*entry)["PRIORITY"], "3");
}

TEST_F(JournalSinkTest, StripsTrailingWhitespaceLikeSdJournalSend) {
  logger_->info("padded \n\n");
  EXPECT_EQ(ReceiveEntry()["MESSAGE"], "padded");
}

TEST_F(JournalSinkTest, OversizedEntryTravelsAsSealedMemfd) {
  // Far beyond the largest AF_UNIX datagram the kernel accepts from an unprivileged sender.
  std::string big(4 << 20, 'x');
  big[1000] = '\n';
  logger_->warn("{}", big);

  auto datagram = journal_.Receive();
  ASSERT_TRUE(datagram.has_value());
  EXPECT_EQ(datagram->data, "");
  ASSERT_EQ(datagram->fds.size(), 1u);
  int fd = datagram->fds[0];
  int seals = fcntl(fd, F_GET_SEALS);
  EXPECT_EQ(seals, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  struct stat st {};
  ASSERT_EQ(fstat(fd, &st), 0);
  std::string contents(static_cast<size_t>(st.st_size), '\0');
  // The sender's writes left the shared file offset at the end, hence pread.
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = pread(fd, contents.data() + done, contents.size() - done, done);
    ASSERT_GT(n, 0);
    done += static_cast<size_t>(n);
  }
  auto entry = ParseEntry(contents);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ((*entry)["MESSAGE"].size(), big.size());
  EXPECT_TRUE((*entry)["MESSAGE"] == big);
  EXPECT_EQ((*entry)["PRIORITY"], "4");
  EXPECT_EQ((*entry)["SYSLOG_IDENTIFIER"], "tocsin-test");

  // Small entries go back to plain datagrams.
  logger_->info("small again");
  EXPECT_EQ(ReceiveEntry()["MESSAGE"], "small again");
}

TEST_F(JournalSinkTest, MissingJournalFallsBackToStderrWithoutThrowing) {
  std::string missing = (dir_.path() / "no-journal.sock").string();
  auto sink = std::make_shared<JournalSink>("tocsin-test", missing);
  auto logger = std::make_shared<spdlog::logger>("fallback", sink);
  logger->set_pattern("%v");
  logger->set_error_handler([this](const std::string& error) { errors_.push_back(error); });

  StderrCapture capture((dir_.path() / "stderr.txt").string());
  logger->error("first line lost?");
  logger->warn("second\nline");
  // The sink itself, without the logger's exception guard around it.
  spdlog::details::log_msg msg("fallback", spdlog::level::err, "direct");
  EXPECT_NO_THROW(sink->log(msg));
  std::string written = capture.Finish();

  EXPECT_THAT(written, ::testing::HasSubstr("first line lost?\n"));
  EXPECT_THAT(written, ::testing::HasSubstr("second\nline\n"));
  EXPECT_THAT(written, ::testing::HasSubstr("direct\n"));
  // Why, said once rather than per line.
  std::string note = "cannot log to journald at " + missing + ": No such file or directory";
  EXPECT_THAT(written, ::testing::HasSubstr(note));
  EXPECT_EQ(written.find(note), written.rfind(note)) << written;
  EXPECT_TRUE(journal_.Empty());
}

TEST_F(JournalSinkTest, InvalidSocketPathFallsBackToStderr) {
  auto sink = std::make_shared<JournalSink>("tocsin-test", "relative/journal.sock");
  StderrCapture capture((dir_.path() / "stderr.txt").string());
  spdlog::details::log_msg msg("fallback", spdlog::level::info, "still here");
  EXPECT_NO_THROW(sink->log(msg));
  std::string written = capture.Finish();
  EXPECT_THAT(written, ::testing::HasSubstr("still here\n"));
}

}  // namespace
}  // namespace tocsin
