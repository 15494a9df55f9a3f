// The `/api/v2/silences` and `/api/v2/silence/{id}` handlers in Alertmanager's JSON shape, as
// plain functions independent of the HTTP server: the lead's HTTP layer passes method, path,
// raw query string and body, and writes back status + JSON body.
//
//   GET    /api/v2/silences[?filter=<matcher>...]  -> 200 [gettableSilence...]
//   POST   /api/v2/silences  {postableSilence}      -> 200 {"silenceID": "..."} | 400 "msg" | 404
//   GET    /api/v2/silence/{id}                     -> 200 gettableSilence | 404
//   DELETE /api/v2/silence/{id}                     -> 200 | 404 | 400
//
// Thread-safe as far as Silences is (it is). Stateless otherwise.
#pragma once

#include <string>
#include <string_view>

#include "notifiers/silences.h"

namespace tocsin {

struct ApiResponse {
  int status = 200;
  std::string body;  // JSON
  std::string content_type = "application/json";
};

// True when `path` belongs to this API (so the server can route a prefix here).
bool IsSilencesApiPath(std::string_view path);

ApiResponse HandleSilencesApi(Silences& silences, std::string_view method, std::string_view path,
                              std::string_view query, std::string_view body);

// Helpers shared with the `tocsin silence` CLI.
std::string SilenceToApiJson(const Silence& s, TimestampMs now);
// Parses Alertmanager's postableSilence JSON.
Result<Silence> SilenceFromApiJson(std::string_view body);
std::string UrlDecode(std::string_view s);

}  // namespace tocsin
