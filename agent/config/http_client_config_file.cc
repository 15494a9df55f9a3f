#include "agent/config/http_client_config_file.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/config/map_reader.h"
#include "agent/config/yaml.h"

namespace tocsin {
namespace {

// `inline_key` or `file_key` (a secret file), not both.
void SecretOrFile(MapReader& r, std::string_view inline_key, std::string_view file_key,
                  std::string* out) {
  const bool inline_set = r.String(inline_key, out);
  Secret secret;
  if (r.SecretFile(file_key, &secret)) {
    if (inline_set) {
      r.ErrorAtKey(file_key, "at most one of " + std::string(inline_key) + " and " +
                                 std::string(file_key) + " must be configured");
    }
    *out = secret.value;
  }
}

Result<HttpClientFileConfig> Load(std::string_view text, std::string_view source,
                                  std::string base_dir) {
  Result<YamlNode> document = ParseYaml(text, source);
  if (!document.ok()) return document.status();
  LoadContext context{ErrorList(std::string(source)), std::move(base_dir)};
  HttpClientFileConfig c;
  MapReader root(*document, "", context);
  const bool basic = root.Section("basic_auth", [&](MapReader& s) {
    SecretOrFile(s, "username", "username_file", &c.username);
    SecretOrFile(s, "password", "password_file", &c.password);
  });
  const bool authorization = root.Section("authorization", [&](MapReader& s) {
    s.String("type", &c.authorization_type);
    SecretOrFile(s, "credentials", "credentials_file", &c.authorization_credentials);
    if (c.authorization_type == "Basic" || c.authorization_type == "basic") {
      s.ErrorAtKey("type", "authorization type cannot be set to \"basic\", use \"basic_auth\"");
    }
  });
  std::string bearer;
  SecretOrFile(root, "bearer_token", "bearer_token_file", &bearer);
  if (!bearer.empty()) {
    if (authorization) {
      root.ErrorAtKey("bearer_token", "at most one of bearer_token & authorization must be set");
    }
    c.authorization_credentials = bearer;
  }
  if (c.authorization_type.empty()) c.authorization_type = "Bearer";
  if (basic && (authorization || !bearer.empty())) {
    root.ErrorAtKey("basic_auth", "at most one of basic_auth, bearer_token & authorization");
  }
  root.Section("tls_config", [&](MapReader& s) {
    s.Path("ca_file", &c.ca_file);
    s.Path("cert_file", &c.cert_file);
    s.Path("key_file", &c.key_file);
    s.String("server_name", &c.server_name);
    s.Bool("insecure_skip_verify", &c.insecure_skip_verify);
    if (c.cert_file.empty() != c.key_file.empty()) {
      s.ErrorAtKey(c.cert_file.empty() ? "key_file" : "cert_file",
                   "client cert_file and key_file must be configured together");
    }
  });
  bool ignored = false;
  root.Bool("follow_redirects", &ignored);
  root.Bool("enable_http2", &ignored);
  root.ReportUnknownKeys();
  if (!context.errors.empty()) return context.errors.ToStatus();
  return c;
}

}  // namespace

Result<HttpClientFileConfig> LoadHttpClientConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) {
    return InvalidArgument(path + ": cannot read http config file");
  }
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  return Load(text.str(), path, ec ? std::string() : dir.string());
}

Result<HttpClientFileConfig> LoadHttpClientConfigString(std::string_view text,
                                                        std::string_view source_name) {
  return Load(text, source_name,
              std::filesystem::path(std::string(source_name)).parent_path().string());
}

}  // namespace tocsin
