#include "agent/http/api_response.h"

#include "agent/core/json.h"

namespace tocsin {
namespace {

int ErrorStatus(std::string_view type) {
  if (type == "bad_data") return 400;
  if (type == "execution") return 422;
  if (type == "canceled") return 499;
  if (type == "timeout" || type == "unavailable") return 503;
  if (type == "not_found") return 404;
  if (type == "not_acceptable") return 406;
  return 500;
}

}  // namespace

ServerResponse ApiSuccess(std::string_view data_json, const std::vector<std::string>& warnings) {
  std::string body = R"({"status":"success","data":)";
  body += data_json;
  if (!warnings.empty()) {
    body += R"(,"warnings":)";
    AppendStringArrayJson(body, warnings);
  }
  body += '}';
  return {200, "application/json", std::move(body), {}};
}

ServerResponse ApiError(std::string_view error_type, std::string_view message) {
  std::string body = R"({"status":"error","errorType":)";
  AppendJsonString(body, error_type);
  body += R"(,"error":)";
  AppendJsonString(body, message);
  body += '}';
  return {ErrorStatus(error_type), "application/json", std::move(body), {}};
}

ServerResponse ApiNoContent() { return {204, "application/json", "", {}}; }

void AppendLabelsJson(std::string& out, const Labels& labels) {
  out += '{';
  bool first = true;
  for (const Label& l : labels) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, l.name);
    out += ':';
    AppendJsonString(out, l.value);
  }
  out += '}';
}

void AppendStringArrayJson(std::string& out, const std::vector<std::string>& values) {
  out += '[';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, values[i]);
  }
  out += ']';
}

}  // namespace tocsin
