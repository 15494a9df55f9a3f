// /api/v2/silences handlers in Alertmanager's shape, and persistence of silences in state_dir.
#include "notifiers/silences_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "agent/core/alert.h"
#include "tests/notifiers/test_util.h"

namespace tocsin {
namespace {

using nlohmann::json;
constexpr TimestampMs kNow = 1714564800000;  // 2024-05-01T12:00:00Z

std::string Body(const std::string& starts, const std::string& ends, json matchers = json()) {
  if (matchers.is_null()) {
    matchers = json::array({{{"name", "alertname"}, {"value", "Disk.*"}, {"isRegex", true}}});
  }
  return json{{"matchers", matchers},
              {"startsAt", starts},
              {"endsAt", ends},
              {"createdBy", "ops"},
              {"comment", "maintenance"}}
      .dump();
}

TEST(NotifiersSilencesApi, CreateListGetExpireAndPersist) {
  FakeClock clock(kNow);
  std::string path = testing::TempDir("silences") + "/silences.json";
  Silences s(clock, path);
  ApiResponse created = HandleSilencesApi(s, "POST", "/api/v2/silences", "",
                                          Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z"));
  ASSERT_EQ(created.status, 200) << created.body;
  std::string id = json::parse(created.body)["silenceID"];
  EXPECT_EQ(id.size(), 36u);
  EXPECT_TRUE(s.Mutes(Labels{{"alertname", "DiskFull"}}));
  EXPECT_FALSE(s.Mutes(Labels{{"alertname", "CPU"}}));

  ApiResponse list = HandleSilencesApi(s, "GET", "/api/v2/silences", "", "");
  ASSERT_EQ(list.status, 200);
  json arr = json::parse(list.body);
  ASSERT_EQ(arr.size(), 1u);
  EXPECT_EQ(arr[0]["id"], id);
  EXPECT_EQ(arr[0]["status"]["state"], "active");
  EXPECT_EQ(arr[0]["startsAt"], "2024-05-01T12:00:00.000Z");
  EXPECT_EQ(arr[0]["endsAt"], "2024-05-01T14:00:00.000Z");
  EXPECT_EQ(
      arr[0]["matchers"][0],
      json({{"name", "alertname"}, {"value", "Disk.*"}, {"isRegex", true}, {"isEqual", true}}));
  EXPECT_EQ(arr[0]["createdBy"], "ops");
  EXPECT_TRUE(arr[0].contains("updatedAt"));

  // filter= matchers select by the silence's matchers.
  EXPECT_EQ(json::parse(HandleSilencesApi(s, "GET", "/api/v2/silences",
                                          "filter=alertname%3D%22Disk.%2A%22", "")
                            .body)
                .size(),
            1u);
  EXPECT_EQ(
      json::parse(
          HandleSilencesApi(s, "GET", "/api/v2/silences", "filter=alertname%3D%22CPU%22", "").body)
          .size(),
      0u);

  EXPECT_EQ(HandleSilencesApi(s, "GET", "/api/v2/silence/" + id, "", "").status, 200);
  EXPECT_EQ(HandleSilencesApi(s, "GET", "/api/v2/silence/nope", "", "").status, 404);

  // A second store on the same file sees it (restart).
  Silences reloaded(clock, path);
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_TRUE(reloaded.Mutes(Labels{{"alertname", "DiskFull"}}));

  clock.Set(kNow + 60'000);
  EXPECT_EQ(HandleSilencesApi(s, "DELETE", "/api/v2/silence/" + id, "", "").status, 200);
  EXPECT_FALSE(s.Mutes(Labels{{"alertname", "DiskFull"}}));
  EXPECT_EQ(
      json::parse(
          HandleSilencesApi(s, "GET", "/api/v2/silence/" + id, "", "").body)["status"]["state"],
      "expired");
  EXPECT_EQ(HandleSilencesApi(s, "DELETE", "/api/v2/silence/nope", "", "").status, 404);
  Silences after_expire(clock, path);
  ASSERT_TRUE(after_expire.Load().ok());
  EXPECT_FALSE(after_expire.Mutes(Labels{{"alertname", "DiskFull"}}));
}

TEST(NotifiersSilencesApi, UpdateAndValidation) {
  FakeClock clock(kNow);
  Silences s(clock, "");
  std::string id =
      json::parse(HandleSilencesApi(s, "POST", "/api/v2/silences", "",
                                    Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z"))
                      .body)["silenceID"];
  // Extending an active silence with the same matchers keeps its id.
  json upd = json::parse(Body("2024-05-01T12:00:00Z", "2024-05-01T18:00:00Z"));
  upd["id"] = id;
  ApiResponse r = HandleSilencesApi(s, "POST", "/api/v2/silences", "", upd.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["silenceID"], id);
  // Changing its matchers expires it and creates a new one.
  upd["matchers"] = json::array({{{"name", "job"}, {"value", "db"}, {"isRegex", false}}});
  r = HandleSilencesApi(s, "POST", "/api/v2/silences", "", upd.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(json::parse(r.body)["silenceID"], id);
  EXPECT_EQ(s.Get(id)->StateAt(kNow), Silence::State::kExpired);

  struct Case {
    std::string body;
    std::string error;
  };
  std::vector<Case> bad = {
      {"not json", "JSON"},
      {Body("2024-05-01T12:00:00Z", "2024-05-01T11:00:00Z"), "end time"},
      {Body("2024-04-01T12:00:00Z", "2024-04-01T13:00:00Z"), "past"},
      {Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z", json::array()), "matcher"},
      {Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z",
            json::array({{{"name", "a"}, {"value", ".*"}, {"isRegex", true}}})),
       "empty string"},
      {Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z",
            json::array({{{"name", "a"}, {"value", "("}, {"isRegex", true}}})),
       "regex"},
      {Body("yesterday", "2024-05-01T14:00:00Z"), "date-time"},
  };
  for (const Case& c : bad) {
    ApiResponse e = HandleSilencesApi(s, "POST", "/api/v2/silences", "", c.body);
    EXPECT_EQ(e.status, 400) << c.body;
    EXPECT_NE(e.body.find(c.error), std::string::npos) << e.body;
  }
  json unknown = json::parse(Body("2024-05-01T12:00:00Z", "2024-05-01T14:00:00Z"));
  unknown["id"] = "00000000-0000-4000-8000-000000000000";
  EXPECT_EQ(HandleSilencesApi(s, "POST", "/api/v2/silences", "", unknown.dump()).status, 404);
  EXPECT_EQ(HandleSilencesApi(s, "PUT", "/api/v2/silences", "", "").status, 405);
  EXPECT_TRUE(IsSilencesApiPath("/api/v2/silence/abc"));
  EXPECT_FALSE(IsSilencesApiPath("/api/v2/alerts"));
}

}  // namespace
}  // namespace tocsin
