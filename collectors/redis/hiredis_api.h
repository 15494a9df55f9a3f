// HiredisApi: the hiredis functions the redis collector calls, bound at run time from
// libhiredis.so.0.14 (core/shared_library.h) so that the library is only mapped when a redis
// collector is configured.
//
// Hiredis() loads once per process; every call returns the same table or the same error (naming
// the library or symbol). The table is immutable; safe to use from any thread.
#pragma once

#include <hiredis/hiredis.h>

#include "agent/core/status.h"

namespace tocsin::redis {

// Debian 12's libhiredis0.14 (the ABI the headers of libhiredis-dev describe).
inline constexpr const char* kHiredisSoname = "libhiredis.so.0.14";

// clang-format off
#define TOCSIN_HIREDIS_FUNCTIONS(X) \
  X(freeReplyObject) \
  X(redisCommandArgv) \
  X(redisConnectUnixWithTimeout) \
  X(redisConnectWithTimeout) \
  X(redisFree) \
  X(redisSetTimeout)
// clang-format on

struct HiredisApi {
#define TOCSIN_HIREDIS_MEMBER(name) decltype(&::name) name = nullptr;
  TOCSIN_HIREDIS_FUNCTIONS(TOCSIN_HIREDIS_MEMBER)
#undef TOCSIN_HIREDIS_MEMBER
};

Result<const HiredisApi*> Hiredis();

}  // namespace tocsin::redis
