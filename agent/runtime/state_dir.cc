#include "agent/runtime/state_dir.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace tocsin {

Result<std::string> ResolveStateDir(const std::string& configured) {
  std::string dir = configured;
  if (dir.empty()) {
    if (const char* sd = std::getenv("STATE_DIRECTORY"); sd != nullptr && *sd != '\0') {
      dir = sd;
      // systemd joins several StateDirectory= entries with ':'; the first is ours.
      if (auto colon = dir.find(':'); colon != std::string::npos) dir.resize(colon);
    } else if (geteuid() == 0) {
      dir = "/var/lib/tocsin";
    } else if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg != nullptr && *xdg != '\0') {
      dir = std::string(xdg) + "/tocsin";
    } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
      dir = std::string(home) + "/.local/state/tocsin";
    } else {
      return InvalidArgument("state_dir: not set and neither $STATE_DIRECTORY nor $HOME is set");
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return InvalidArgument("state_dir: cannot create " + dir + ": " + ec.message());
  if (access(dir.c_str(), W_OK | X_OK) != 0) {
    return InvalidArgument("state_dir: " + dir + " is not writable");
  }
  return dir;
}

}  // namespace tocsin
