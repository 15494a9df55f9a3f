// FunctionRef<R(Args...)>: a non-owning reference to a callable, for callbacks that run only
// during the call that receives them (visitors). Two pointers, no allocation; cheaper than
// std::function on hot paths.
//
// Lifetime: it borrows the callable, which must outlive every call through the reference (a
// lambda passed directly as an argument lives until the full expression ends, which is enough).
// Thread-safety: as the referenced callable.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace tocsin {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>)
      FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): used like a function parameter
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace tocsin
