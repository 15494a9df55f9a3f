// Parser of <procfs>/sys/fs/file-nr into node_filefd_allocated and node_filefd_maximum, as
// node_exporter 1.5's filefd collector (tab-separated "allocated unused maximum"; the middle
// value is always 0 since Linux 2.6 and is not exported).
// Pure function; thread-compatible.
#pragma once

#include <string_view>

#include "agent/core/status.h"
#include "collectors/system/sample_sink.h"

namespace tocsin::system {

Status ParseFileNr(std::string_view text, SampleSink& sink);

}  // namespace tocsin::system
