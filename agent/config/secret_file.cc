#include "agent/config/secret_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace tocsin {
namespace {

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// Reads at most kMaxSecretFileBytes + 1 bytes; `error` gets errno's text on failure.
bool ReadWholeFile(const std::string& path, std::string& out, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = std::strerror(errno);
    return false;
  }
  out.clear();
  char buf[4096];
  while (out.size() <= kMaxSecretFileBytes) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      ::close(fd);
      return false;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

}  // namespace

Result<Secret> ReadSecretFile(std::string_view path, std::string_view relative_to_dir) {
  if (path.empty()) return InvalidArgument("secret file path is empty");
  namespace fs = std::filesystem;
  fs::path given{std::string(path)};
  fs::path chosen = given;
  std::string searched;  // for the error message: where a relative path was looked up
  if (given.is_relative()) {
    const char* creds = std::getenv("CREDENTIALS_DIRECTORY");
    fs::path in_config_dir =
        relative_to_dir.empty() ? given : fs::path(std::string(relative_to_dir)) / given;
    chosen = in_config_dir;
    if (creds != nullptr && *creds != '\0') {
      fs::path in_creds = fs::path(creds) / given;
      std::error_code ec;
      if (fs::exists(in_creds, ec)) {
        chosen = in_creds;
      } else {
        searched = " (also looked for " + Quote(in_creds.string()) + " in $CREDENTIALS_DIRECTORY)";
      }
    }
  }
  std::string content;
  std::string error;
  if (!ReadWholeFile(chosen.string(), content, error)) {
    return InvalidArgument("cannot read secret file " + Quote(chosen.string()) + ": " + error +
                           searched);
  }
  if (content.size() > kMaxSecretFileBytes) {
    return InvalidArgument("secret file " + Quote(chosen.string()) + " is larger than " +
                           std::to_string(kMaxSecretFileBytes) + " bytes");
  }
  if (content.ends_with('\n')) {
    content.pop_back();
    if (content.ends_with('\r')) content.pop_back();
  }
  if (content.empty()) {
    return InvalidArgument("secret file " + Quote(chosen.string()) + " is empty");
  }
  return Secret{std::move(content), chosen.string()};
}

}  // namespace tocsin
