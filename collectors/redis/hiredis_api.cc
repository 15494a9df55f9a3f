#include "collectors/redis/hiredis_api.h"

#include "agent/core/shared_library.h"

namespace tocsin::redis {

Result<const HiredisApi*> Hiredis() {
  static const Result<HiredisApi> api = []() -> Result<HiredisApi> {
    auto lib = SharedLibrary::Open(kHiredisSoname);
    if (!lib.ok()) return lib.status();
    HiredisApi a;
#define TOCSIN_HIREDIS_BIND(name) TOCSIN_RETURN_IF_ERROR(lib->Bind(#name, a.name));
    TOCSIN_HIREDIS_FUNCTIONS(TOCSIN_HIREDIS_BIND)
#undef TOCSIN_HIREDIS_BIND
    return a;
  }();
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace tocsin::redis
