#include "collectors/redis/hiredis_api.h"

#include "agent/core/shared_library.h"

namespace tocsin::redis {

Result<const HiredisApi*> Hiredis() {
  return LoadApiOnce<HiredisApi>(kHiredisSoname,
                                 [](const SharedLibrary& lib, HiredisApi& a) -> Status {
#define TOCSIN_HIREDIS_BIND(name) TOCSIN_RETURN_IF_ERROR(lib.Bind(#name, a.name));
                                   TOCSIN_HIREDIS_FUNCTIONS(TOCSIN_HIREDIS_BIND)
#undef TOCSIN_HIREDIS_BIND
                                   return Status::Ok();
                                 });
}

}  // namespace tocsin::redis
