#include "agent/runtime/unix_socket.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <string>

namespace tocsin {
namespace {

constexpr size_t kPathOffset = offsetof(sockaddr_un, sun_path);

TEST(ParseUnixAddressTest, PathIncludesTerminatingNul) {
  auto address = ParseUnixAddress("/run/systemd/notify");
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_EQ(address->addr.sun_family, AF_UNIX);
  EXPECT_STREQ(address->addr.sun_path, "/run/systemd/notify");
  EXPECT_EQ(address->length, kPathOffset + std::strlen("/run/systemd/notify") + 1);
}

TEST(ParseUnixAddressTest, AbstractNameStartsWithNulAndHasNoTerminator) {
  auto address = ParseUnixAddress("@tocsin/notify");
  ASSERT_TRUE(address.ok()) << address.status().ToString();
  EXPECT_EQ(address->addr.sun_path[0], '\0');
  EXPECT_EQ(std::string(address->addr.sun_path + 1, std::strlen("tocsin/notify")), "tocsin/notify");
  EXPECT_EQ(address->length, kPathOffset + 1 + std::strlen("tocsin/notify"));
}

TEST(ParseUnixAddressTest, RejectsWhatCannotBeAnAfUnixAddress) {
  constexpr size_t kCapacity = sizeof(sockaddr_un::sun_path);
  for (const std::string& bad :
       {std::string(), std::string("@"), std::string("relative.sock"), std::string("vsock:2:1"),
        "/" + std::string(kCapacity - 1, 'p'), "@" + std::string(kCapacity, 'a')}) {
    auto address = ParseUnixAddress(bad);
    EXPECT_FALSE(address.ok()) << bad;
    if (!address.ok()) {
      EXPECT_EQ(address.status().code(), StatusCode::kInvalidArgument);
    }
  }
  // The longest of each kind still fits.
  EXPECT_TRUE(ParseUnixAddress("/" + std::string(kCapacity - 2, 'p')).ok());
  EXPECT_TRUE(ParseUnixAddress("@" + std::string(kCapacity - 1, 'a')).ok());
}

}  // namespace
}  // namespace tocsin
