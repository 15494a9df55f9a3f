// libFuzzer target for Alertmanager's /api/v2/silences API (HandleSilencesApi): the input's
// first line is the GET query string (`filter=<matcher>` values, parsed by ParseMatchers), the
// rest the JSON body of a POST. Each run posts the body to a fresh in-memory Silences, then reads,
// lists, re-posts and expires what was created. Every answer must carry one of the API's status
// codes and a JSON body (or none), a created silence must be readable by its id and expirable
// once, and nothing may crash, leak, throw or trip a sanitizer.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "agent/core/clock.h"
#include "agent/core/labels.h"
#include "agent/core/matcher_parser.h"
#include "notifiers/silences.h"
#include "notifiers/silences_api.h"

namespace {

// 2024-05-01T12:00:00Z: the seed bodies' silences start then.
constexpr tocsin::TimestampMs kNow = 1'714'564'800'000;

void CheckJson(const tocsin::ApiResponse& r) {
  if (!r.body.empty() && !nlohmann::json::accept(r.body)) __builtin_trap();
}

tocsin::ApiResponse Call(tocsin::Silences& silences, std::string_view method, std::string_view path,
                         std::string_view query, std::string_view body) {
  tocsin::ApiResponse r = tocsin::HandleSilencesApi(silences, method, path, query, body);
  CheckJson(r);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 1 << 14) return 0;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view query = in.substr(0, nl);
  std::string_view body = nl == std::string_view::npos ? std::string_view() : in.substr(nl + 1);

  if (auto ms = tocsin::ParseMatchers(tocsin::UrlDecode(query)); ms.ok()) {
    (void)tocsin::MatchersKeyString(*ms);
  }

  tocsin::FakeClock clock(kNow);
  tocsin::Silences silences(clock, "");
  constexpr std::string_view kList = "/api/v2/silences";
  tocsin::ApiResponse post = Call(silences, "POST", kList, "", body);
  if (post.status != 200 && post.status != 400 && post.status != 404) __builtin_trap();

  tocsin::ApiResponse list = Call(silences, "GET", kList, query, "");
  if (list.status != 200 && list.status != 400) __builtin_trap();
  if (post.status != 200) return 0;

  std::string id = nlohmann::json::parse(post.body).at("silenceID").get<std::string>();
  std::string item = "/api/v2/silence/" + id;
  if (Call(silences, "GET", item, "", "").status != 200) __builtin_trap();
  tocsin::Labels labels{{"alertname", "HighLoad"}, {"instance", "db-1:9100"}, {"job", "node"}};
  (void)silences.MutedBy(labels);

  // The same body again, now as an update of the silence just created.
  if (auto s = tocsin::SilenceFromApiJson(body); s.ok()) {
    s->id = id;
    std::string again = tocsin::SilenceToApiJson(*s, kNow);
    bool live = silences.Get(id)->StateAt(kNow) != tocsin::Silence::State::kExpired;
    tocsin::ApiResponse update = Call(silences, "POST", kList, "", again);
    if (update.status != 200) __builtin_trap();
    // Same matchers and the silence not yet expired: updated in place, under the same id.
    if (live && update.body != post.body) __builtin_trap();
    if (!live) return 0;
  }
  clock.Advance(std::chrono::minutes(1));
  std::optional<tocsin::Silence> stored = silences.Get(id);
  if (!stored) __builtin_trap();
  bool expired = stored->StateAt(clock.NowMs()) == tocsin::Silence::State::kExpired;
  if (Call(silences, "DELETE", item, "", "").status != (expired ? 400 : 200)) __builtin_trap();
  if (Call(silences, "DELETE", item, "", "").status != 400) __builtin_trap();
  (void)Call(silences, "GET", kList, query, "");
  return 0;
}
