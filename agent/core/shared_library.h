// SharedLibrary: a C library opened at run time (dlopen) rather than linked, so that the agent
// maps libcurl, libpq and hiredis — and the TLS, Kerberos and LDAP libraries they pull in —
// only once a configuration uses them. The default agent then stays small in memory.
//
// Open() fails with a message naming the library (e.g. the Debian package is not installed);
// Bind() fails naming the missing symbol. Opened libraries are never closed: their code may be
// referenced until exit. Immutable after Open; safe to share between threads.
#pragma once

#include <string>

#include "agent/core/status.h"

namespace tocsin {

class SharedLibrary {
 public:
  static Result<SharedLibrary> Open(const std::string& soname);

  template <typename Fn>
  Status Bind(const char* symbol, Fn*& out) const {
    void* p = Lookup(symbol);
    if (p == nullptr) {
      return Unavailable(soname_ + ": symbol " + symbol + " not found");
    }
    out = reinterpret_cast<Fn*>(p);
    return Status::Ok();
  }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* Lookup(const char* symbol) const;

  void* handle_;
  std::string soname_;
};

// The function table `Api` of a run-time bound library, loaded on the first call and shared by
// every later one (one load per call site: each passes its own lambda type). `bind(lib, api)`
// binds each member of the table, and may initialise the library; every call returns the same
// table or the same error. The table is immutable; safe to use from any thread.
template <typename Api, typename BindFn>
Result<const Api*> LoadApiOnce(const std::string& soname, BindFn bind) {
  static const Result<Api> api = [&]() -> Result<Api> {
    auto lib = SharedLibrary::Open(soname);
    if (!lib.ok()) return lib.status();
    Api table;
    TOCSIN_RETURN_IF_ERROR(bind(*lib, table));
    return table;
  }();
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace tocsin
