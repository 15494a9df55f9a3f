// The "uname" part: node_uname_info{sysname,release,version,machine,nodename,domainname} from
// uname(2), as node_exporter 1.5's uname collector.
//
// The syscall sits behind UnameFn so that tests inject fixed values. WriteUname is a pure
// function; RealUname is thread-safe.
#pragma once

#include <functional>
#include <string>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

struct UnameInfo {
  std::string sysname;
  std::string release;
  std::string version;
  std::string machine;
  std::string nodename;
  std::string domainname;
};

using UnameFn = std::function<Result<UnameInfo>()>;

// uname(2); Internal with errno text on failure.
Result<UnameInfo> RealUname();

// One node_uname_info sample with value 1.
Status WriteUname(const UnameInfo& info, SampleSink& sink);

}  // namespace tocsin::system
