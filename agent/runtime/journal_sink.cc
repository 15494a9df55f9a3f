#include "agent/runtime/journal_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

namespace tocsin {
namespace {

// Indexed by spdlog::level::level_enum: trace, debug, info, warn, err, critical, off.
constexpr std::array<char, 7> kSyslogPriority = {'7', '7', '6', '4', '3', '2', '6'};

// NAME=value\n, or, when the value holds a newline (which would end the field early), the
// binary form NAME\n <64-bit little-endian length> value \n.
void AppendField(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  if (value.find('\n') == std::string_view::npos) {
    out.push_back('=');
    out.append(value);
    out.push_back('\n');
    return;
  }
  out.push_back('\n');
  uint64_t size = value.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  out.append(value);
  out.push_back('\n');
}

std::string_view StripTrailingWhitespace(std::string_view text) {
  size_t end = text.find_last_not_of(" \t\n\r");
  return end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
}

// Best effort: stderr is the last resort, so there is nowhere to report its own failure.
void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

bool IsTooLarge(int error) { return error == EMSGSIZE || error == ENOBUFS || error == EAGAIN; }

}  // namespace

JournalSink::JournalSink(std::string identifier, std::string socket_path)
    : identifier_(std::move(identifier)), socket_path_(std::move(socket_path)) {
  if (auto address = ParseUnixAddress(socket_path_); address.ok()) address_ = *address;
}

JournalSink::~JournalSink() {
  if (fd_ >= 0) close(fd_);
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  try {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    std::string_view line(formatted.data(), formatted.size());
    std::string_view message = StripTrailingWhitespace(line);

    auto level = static_cast<size_t>(msg.level);
    char priority = level < kSyslogPriority.size() ? kSyslogPriority[level] : '6';
    std::string payload;
    payload.reserve(message.size() + identifier_.size() + 128);
    AppendField(payload, "MESSAGE", message);
    AppendField(payload, "PRIORITY", std::string_view(&priority, 1));
    AppendField(payload, "SYSLOG_IDENTIFIER", identifier_);
    if (!msg.source.empty()) {
      AppendField(payload, "CODE_FILE", msg.source.filename ? msg.source.filename : "");
      AppendField(payload, "CODE_LINE", std::to_string(msg.source.line));
      if (msg.source.funcname != nullptr) AppendField(payload, "CODE_FUNC", msg.source.funcname);
    }
    int error = Send(payload);
    if (error == 0) {
      reported_error_ = 0;
      return;
    }
    WriteToStderr(line, error);
  } catch (...) {
    // Formatting or allocation failed; the unformatted text still beats losing the entry, and
    // spdlog would only print an error of its own if we let the exception out.
    WriteAll(STDERR_FILENO, std::string_view(msg.payload.data(), msg.payload.size()));
    WriteAll(STDERR_FILENO, "\n");
  }
}

int JournalSink::Send(std::string_view payload) {
  if (!address_) return EINVAL;
  if (fd_ < 0) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return errno;
  }
  ssize_t sent;
  do {
    sent = sendto(fd_, payload.data(), payload.size(), MSG_NOSIGNAL, address_->sockaddr_ptr(),
                  address_->length);
  } while (sent < 0 && errno == EINTR);
  if (sent >= 0) return 0;
  int error = errno;
  return IsTooLarge(error) ? SendViaMemfd(payload) : error;
}

// journald accepts an empty datagram carrying one fd of a sealed memfd as the whole entry; the
// seals prove to it that the contents cannot change while it reads them.
int JournalSink::SendViaMemfd(std::string_view payload) {
  int memfd = memfd_create("journal-data", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (memfd < 0) return errno;
  int error = 0;
  std::string_view rest = payload;
  while (!rest.empty()) {
    ssize_t n = write(memfd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
      break;
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (error == 0 &&
      fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
    error = errno;
  }
  if (error == 0) {
    union {
      cmsghdr header;
      char buffer[CMSG_SPACE(sizeof(int))];
    } control{};
    msghdr mh{};
    mh.msg_name = const_cast<sockaddr*>(address_->sockaddr_ptr());
    mh.msg_namelen = address_->length;
    mh.msg_control = control.buffer;
    mh.msg_controllen = sizeof(control.buffer);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&mh);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &memfd, sizeof(int));
    ssize_t sent;
    do {
      sent = sendmsg(fd_, &mh, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) error = errno;
  }
  close(memfd);
  return error;
}

void JournalSink::WriteToStderr(std::string_view line, int error) {
  if (error != reported_error_) {
    reported_error_ = error;
    std::string note = identifier_ + ": cannot log to journald at " + socket_path_ + ": " +
                       std::strerror(error) + "; logging to stderr\n";
    WriteAll(STDERR_FILENO, note);
  }
  WriteAll(STDERR_FILENO, line);
  if (line.empty() || line.back() != '\n') WriteAll(STDERR_FILENO, "\n");
}

}  // namespace tocsin
