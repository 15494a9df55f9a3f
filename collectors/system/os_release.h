// The "os" part: node_os_info{build_id,id,id_like,image_id,image_version,name,pretty_name,
// variant,variant_id,version,version_codename,version_id} and node_os_version{id,id_like,name}
// from <rootfs>/etc/os-release, else <rootfs>/usr/lib/os-release, as node_exporter 1.5's os
// collector. Values are unquoted and unescaped as hashicorp/go-envparse (which node_exporter
// uses) does; node_os_version is the leading "major[.minor]" of VERSION_ID, exported when > 0.
//
// ParseOsRelease is a pure function; ReadOsRelease is thread-compatible (uses the caller's
// ProcFile).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/proc_file.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

// KEY=value lines into `env`; InvalidArgument naming the line on any syntax error.
Status ParseEnvFile(std::string_view text, std::map<std::string, std::string>& env);

Status ParseOsRelease(std::string_view text, SampleSink& sink);

// NotFound when neither file exists (node_exporter: "no data", success 0).
Status ReadOsRelease(const std::string& rootfs, ProcFile& file, SampleSink& sink);

}  // namespace tocsin::system
