// Email address lists as Go's net/mail.ParseAddressList reads them for Alertmanager's `to` and
// `from`: comma-separated mailboxes, each `addr@example.org`, `Name <addr@example.org>` or
// `"Last, First" <addr@example.org>`, with (comments) ignored. Returns the bare addr-specs for
// the SMTP envelope. Errors name what is wrong ("mail: missing @ in addr-spec"). Pure;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "agent/core/status.h"

namespace tocsin {

Result<std::vector<std::string>> ParseAddressList(std::string_view list);

}  // namespace tocsin
