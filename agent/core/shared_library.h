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

}  // namespace tocsin
