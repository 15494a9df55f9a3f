// Parser of <procfs>/vmstat into node_vmstat_<field> (untyped), as node_exporter 1.5's vmstat
// collector: only fields matching `fields` (unanchored; default
// "^(oom_kill|pgpg|pswp|pg.*fault).*") are exported, but every line must parse, as there. Pure
// function; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/regex.h"
#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseVmstat(std::string_view text, const Regex& fields, SampleSink& sink);

}  // namespace tocsin::system
