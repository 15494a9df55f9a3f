#include "collectors/postgres/libpq_api.h"

#include "agent/core/shared_library.h"

namespace tocsin::postgres {

Result<const LibpqApi*> Libpq() {
  static const Result<LibpqApi> api = []() -> Result<LibpqApi> {
    auto lib = SharedLibrary::Open("libpq.so.5");
    if (!lib.ok()) return lib.status();
    LibpqApi a;
#define TOCSIN_LIBPQ_BIND(name) TOCSIN_RETURN_IF_ERROR(lib->Bind(#name, a.name));
    TOCSIN_LIBPQ_FUNCTIONS(TOCSIN_LIBPQ_BIND)
#undef TOCSIN_LIBPQ_BIND
    return a;
  }();
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace tocsin::postgres
