#include "collectors/system/uname.h"

#include <sys/utsname.h>

#include <cerrno>
#include <cstring>

namespace tocsin::system {
namespace {

// utsname fields are NUL-terminated within their arrays; stop at the array end regardless.
template <size_t N>
std::string FromField(const char (&field)[N]) {
  return std::string(field, ::strnlen(field, N));
}

}  // namespace

Result<UnameInfo> RealUname() {
  struct utsname u {};
  if (::uname(&u) != 0) return Internal(std::string("uname: ") + std::strerror(errno));
  UnameInfo info;
  info.sysname = FromField(u.sysname);
  info.release = FromField(u.release);
  info.version = FromField(u.version);
  info.machine = FromField(u.machine);
  info.nodename = FromField(u.nodename);
  info.domainname = FromField(u.domainname);
  return info;
}

Status WriteUname(const UnameInfo& info, SampleSink& sink) {
  sink.Family("node_uname_info", MetricType::kGauge,
              "Labeled system information as provided by the uname system call.");
  sink.Add("node_uname_info",
           {{"sysname", info.sysname},
            {"release", info.release},
            {"version", info.version},
            {"machine", info.machine},
            {"nodename", info.nodename},
            {"domainname", info.domainname}},
           1);
  return Status::Ok();
}

}  // namespace tocsin::system
