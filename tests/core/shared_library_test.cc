#include "agent/core/shared_library.h"

#include <gtest/gtest.h>

#include <cstring>

namespace tocsin {
namespace {

TEST(SharedLibraryTest, BindsSymbolsOfALoadedLibrary) {
  auto libc = SharedLibrary::Open("libc.so.6");
  ASSERT_TRUE(libc.ok()) << libc.status().message();
  decltype(&std::strlen) fn = nullptr;
  ASSERT_TRUE(libc->Bind("strlen", fn).ok());
  EXPECT_EQ(fn("tocsin"), 6u);
}

TEST(SharedLibraryTest, MissingLibraryOrSymbolNamesIt) {
  auto missing = SharedLibrary::Open("libtocsin-does-not-exist.so.1");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("libtocsin-does-not-exist.so.1"), std::string::npos)
      << missing.status().message();

  auto libc = SharedLibrary::Open("libc.so.6");
  ASSERT_TRUE(libc.ok());
  int (*fn)() = nullptr;
  Status st = libc->Bind("tocsin_no_such_symbol", fn);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "libc.so.6: symbol tocsin_no_such_symbol not found");
  EXPECT_EQ(fn, nullptr);
}

}  // namespace
}  // namespace tocsin
