#include "collectors/postgres/libpq_api.h"

#include "agent/core/shared_library.h"

namespace tocsin::postgres {

Result<const LibpqApi*> Libpq() {
  return LoadApiOnce<LibpqApi>("libpq.so.5", [](const SharedLibrary& lib, LibpqApi& a) -> Status {
#define TOCSIN_LIBPQ_BIND(name) TOCSIN_RETURN_IF_ERROR(lib.Bind(#name, a.name));
    TOCSIN_LIBPQ_FUNCTIONS(TOCSIN_LIBPQ_BIND)
#undef TOCSIN_LIBPQ_BIND
    return Status::Ok();
  });
}

}  // namespace tocsin::postgres
