#include "agent/core/shared_library.h"

#include <dlfcn.h>

namespace tocsin {

Result<SharedLibrary> SharedLibrary::Open(const std::string& soname) {
  // RTLD_LOCAL: the library's symbols serve only the bindings made through this object.
  void* handle = dlopen(soname.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Unavailable("cannot load " + soname + ": " + (why != nullptr ? why : "unknown error"));
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::Lookup(const char* symbol) const { return dlsym(handle_, symbol); }

}  // namespace tocsin
