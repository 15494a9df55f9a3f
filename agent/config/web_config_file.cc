#include "agent/config/web_config_file.h"

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "agent/config/map_reader.h"
#include "agent/config/yaml.h"

namespace tocsin {
namespace {

struct CipherName {
  std::string_view go;
  std::string_view openssl;  // "" = a TLS 1.3 suite
};

// crypto/tls's CipherSuites() (and the TLS_RSA_* ones older Go listed there), with the OpenSSL
// names of the same suites. Go's InsecureCipherSuites (RC4, 3DES, CBC-SHA256) are not accepted.
constexpr std::array kCiphers = {
    CipherName{"TLS_AES_128_GCM_SHA256", ""},
    CipherName{"TLS_AES_256_GCM_SHA384", ""},
    CipherName{"TLS_CHACHA20_POLY1305_SHA256", ""},
    CipherName{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
    CipherName{"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
    CipherName{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
    CipherName{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
    CipherName{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    CipherName{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "ECDHE-ECDSA-CHACHA20-POLY1305"},
    CipherName{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305"},
    CipherName{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"},
    CipherName{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
    CipherName{"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
    CipherName{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
    CipherName{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
    CipherName{"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
    CipherName{"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
    CipherName{"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
    CipherName{"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
};

// exporter-toolkit's curves map, with OpenSSL's group names.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kCurves = {{
    {"CurveP256", "P-256"},
    {"CurveP384", "P-384"},
    {"CurveP521", "P-521"},
    {"X25519", "X25519"},
}};

constexpr std::array<std::pair<std::string_view, int>, 4> kVersions = {{
    {"TLS10", 0x0301},
    {"TLS11", 0x0302},
    {"TLS12", 0x0303},
    {"TLS13", 0x0304},
}};

// exporter-toolkit's extraHTTPHeaders: the only headers that may be set, and their values
// (empty = any value).
struct AllowedHeader {
  std::string_view name;
  std::vector<std::string_view> values;
};
const std::vector<AllowedHeader>& AllowedHeaders() {
  static const std::vector<AllowedHeader> kHeaders = {
      {"Strict-Transport-Security", {}},
      {"X-Content-Type-Options", {"nosniff"}},
      {"X-Frame-Options", {"deny", "sameorigin"}},
      {"X-XSS-Protection", {}},
      {"Content-Security-Policy", {}},
  };
  return kHeaders;
}

// A bcrypt hash as bcrypt.Cost accepts it: $2a$, $2b$ or $2y$, a two-digit cost 4..31 and
// 53 characters of salt and hash.
Status MustBeBcryptHash(const std::string& h) {
  const bool prefix = h.starts_with("$2a$") || h.starts_with("$2b$") || h.starts_with("$2y$");
  if (!prefix || h.size() != 60 || h[6] != '$' || !std::isdigit(static_cast<unsigned char>(h[4])) ||
      !std::isdigit(static_cast<unsigned char>(h[5]))) {
    return InvalidArgument("not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)");
  }
  const int cost = (h[4] - '0') * 10 + (h[5] - '0');
  if (cost < 4 || cost > 31) return InvalidArgument("bcrypt cost must be between 4 and 31");
  return Status::Ok();
}

std::string Position(const std::string& source, const YamlNode* node, const std::string& path) {
  if (node == nullptr) return source + ": " + path;
  return source + ":" + std::to_string(node->mark().line) + ":" +
         std::to_string(node->mark().column) + ": " + path;
}

void BindTlsServer(MapReader& r, TlsServerConfig& tls, const std::string& source) {
  auto at = [&](std::string_view key) {
    return Position(source, nullptr, JoinKeyPath(r.path(), key));
  };
  tls.cert_at = at("cert_file");
  tls.key_at = at("key_file");
  tls.client_ca_at = at("client_ca_file");
  tls.section_at = source + ": " + r.path();
  r.Path("cert_file", &tls.cert_file);
  r.Path("key_file", &tls.key_file);
  r.Path("client_ca_file", &tls.client_ca_file);
  r.String("cert", &tls.cert);
  r.String("key", &tls.key);
  r.String("client_ca", &tls.client_ca);
  std::string client_auth;
  const bool auth_set = r.String("client_auth_type", &client_auth, [](const std::string& s) {
    if (s.empty() || s == "NoClientCert" || s == "RequestClientCert" ||
        s == "RequireAnyClientCert" || s == "RequireClientCert" || s == "VerifyClientCertIfGiven" ||
        s == "RequireAndVerifyClientCert") {
      return Status::Ok();
    }
    return InvalidArgument("invalid client_auth_type \"" + s +
                           "\" (NoClientCert, RequestClientCert, RequireAnyClientCert, "
                           "VerifyClientCertIfGiven or RequireAndVerifyClientCert)");
  });
  if (client_auth == "RequestClientCert") tls.client_auth = ClientAuthType::kRequestClientCert;
  if (client_auth == "RequireAnyClientCert" || client_auth == "RequireClientCert") {
    tls.client_auth = ClientAuthType::kRequireAnyClientCert;
  }
  if (client_auth == "VerifyClientCertIfGiven") {
    tls.client_auth = ClientAuthType::kVerifyClientCertIfGiven;
  }
  if (client_auth == "RequireAndVerifyClientCert") {
    tls.client_auth = ClientAuthType::kRequireAndVerifyClientCert;
  }
  auto version = [&](std::string_view key, int* out) {
    std::string v;
    if (!r.String(key, &v, [](const std::string& s) {
          for (const auto& [name, _] : kVersions) {
            if (s == name) return Status::Ok();
          }
          return InvalidArgument("unknown TLS version: " + s + " (TLS10, TLS11, TLS12 or TLS13)");
        })) {
      return;
    }
    for (const auto& [name, number] : kVersions) {
      if (v == name) *out = number;
    }
  };
  version("min_version", &tls.min_version);
  version("max_version", &tls.max_version);
  if (tls.min_version > tls.max_version) {
    r.ErrorAtKey("min_version", "must not be above max_version");
  }
  std::vector<std::string> ciphers;
  r.StringList("cipher_suites", &ciphers, [](const std::string& s) {
    if (OpenSslCipherName(s) != "?") return Status::Ok();
    return InvalidArgument("unknown cipher: " + s +
                           " (Go crypto/tls names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
  });
  for (const std::string& c : ciphers) {
    std::string name = OpenSslCipherName(c);
    if (name.empty() || name == "?") continue;
    tls.cipher_list += (tls.cipher_list.empty() ? "" : ":") + name;
  }
  if (!ciphers.empty() && tls.cipher_list.empty() && tls.min_version < 0x0304) {
    r.ErrorAtKey("cipher_suites",
                 "lists only TLS 1.3 suites, which are not configurable; name TLS 1.2 suites "
                 "or set min_version: TLS13");
  }
  r.Bool("prefer_server_cipher_suites", &tls.prefer_server_cipher_suites);
  std::vector<std::string> curves;
  r.StringList("curve_preferences", &curves, [](const std::string& s) {
    for (const auto& [go, _] : kCurves) {
      if (s == go) return Status::Ok();
    }
    return InvalidArgument("unknown curve: " + s + " (CurveP256, CurveP384, CurveP521, X25519)");
  });
  for (const std::string& c : curves) {
    for (const auto& [go, openssl] : kCurves) {
      if (c == go) tls.groups += (tls.groups.empty() ? "" : ":") + std::string(openssl);
    }
  }
  r.StringList("client_allowed_sans", &tls.client_allowed_sans);

  tls.enabled = !tls.cert_file.empty() || !tls.cert.empty() || !tls.key_file.empty() ||
                !tls.key.empty() || !tls.client_ca_file.empty() || !tls.client_ca.empty() ||
                auth_set;
  if (!tls.enabled) return;
  if (tls.cert_file.empty() && tls.cert.empty()) {
    r.ErrorAtKey("cert_file", "missing one of cert or cert_file");
  }
  if (tls.key_file.empty() && tls.key.empty()) {
    r.ErrorAtKey("key_file", "missing one of key or key_file");
  }
  if (!tls.cert_file.empty() && !tls.cert.empty()) {
    r.ErrorAtKey("cert", "cert and cert_file are mutually exclusive");
  }
  if (!tls.key_file.empty() && !tls.key.empty()) {
    r.ErrorAtKey("key", "key and key_file are mutually exclusive");
  }
  if (!tls.client_ca_file.empty() && !tls.client_ca.empty()) {
    r.ErrorAtKey("client_ca", "client_ca and client_ca_file are mutually exclusive");
  }
  const bool has_ca = !tls.client_ca_file.empty() || !tls.client_ca.empty();
  const bool verifies = tls.client_auth == ClientAuthType::kVerifyClientCertIfGiven ||
                        tls.client_auth == ClientAuthType::kRequireAndVerifyClientCert;
  if (has_ca && tls.client_auth == ClientAuthType::kNoClientCert) {
    r.ErrorAtKey("client_ca_file", "client CA's have been configured without a Client Auth Policy");
  }
  if (verifies && !has_ca) {
    r.ErrorAtKey("client_auth_type", "verifying client certificates needs client_ca_file");
  }
  if (!tls.client_allowed_sans.empty() && !verifies) {
    r.ErrorAtKey("client_allowed_sans",
                 "needs client_auth_type VerifyClientCertIfGiven or RequireAndVerifyClientCert");
  }
}

void BindHttpServer(MapReader& r, WebSecurityConfig& web) {
  r.Bool("http2", &web.http2);
  const YamlNode* headers = r.Take("headers");
  if (headers == nullptr || headers->IsNull()) return;
  const std::string path = JoinKeyPath(r.path(), "headers");
  if (!headers->IsMap()) {
    r.ErrorAt(*headers, "headers", "expected a map of header names to values");
    return;
  }
  for (const auto& [k, v] : headers->entries()) {
    const std::string name = k.scalar();
    const AllowedHeader* allowed = nullptr;
    for (const AllowedHeader& h : AllowedHeaders()) {
      if (h.name == name) allowed = &h;
    }
    if (allowed == nullptr) {
      r.context().errors.Add(k.mark(), JoinKeyPath(path, name),
                             "HTTP header \"" + name + "\" can not be configured");
      continue;
    }
    if (!v.IsScalar()) {
      r.context().errors.Add(v.mark(), JoinKeyPath(path, name), "expected a string");
      continue;
    }
    bool ok = allowed->values.empty();
    std::string expected;
    for (std::string_view a : allowed->values) {
      ok = ok || v.scalar() == a;
      expected += (expected.empty() ? "\"" : ", \"") + std::string(a) + "\"";
    }
    if (!ok) {
      r.context().errors.Add(v.mark(), JoinKeyPath(path, name),
                             "invalid value for " + name + ". Expected one of: [" + expected +
                                 "], but got: \"" + v.scalar() + "\"");
      continue;
    }
    web.headers.emplace_back(name, v.scalar());
  }
}

Result<WebSecurityConfig> Load(std::string_view text, std::string_view source,
                               std::string base_dir) {
  Result<YamlNode> document = ParseYaml(text, source);
  if (!document.ok()) return document.status();
  LoadContext context{ErrorList(std::string(source)), std::move(base_dir)};
  WebSecurityConfig web;
  web.source_file = std::string(source);
  MapReader root(*document, "", context);
  const std::string src(source);
  root.Section("tls_server_config", [&](MapReader& s) {
    BindTlsServer(s, web.tls, src);
    // The keys' own positions, when present, replace the "file: key" placeholders.
    for (const auto& [k, v] : document->Find("tls_server_config")->entries()) {
      if (!k.IsScalar()) continue;
      std::string p = Position(src, &k, JoinKeyPath("tls_server_config", k.scalar()));
      if (k.scalar() == "cert_file" || k.scalar() == "cert") web.tls.cert_at = p;
      if (k.scalar() == "key_file" || k.scalar() == "key") web.tls.key_at = p;
      if (k.scalar() == "client_ca_file" || k.scalar() == "client_ca") web.tls.client_ca_at = p;
    }
  });
  root.Section("http_server_config", [&](MapReader& s) { BindHttpServer(s, web); });
  root.StringMap("basic_auth_users", &web.basic_auth_users);
  if (const YamlNode* users = document->Find("basic_auth_users"); users && users->IsMap()) {
    for (const auto& [k, v] : users->entries()) {
      if (!k.IsScalar()) continue;
      if (Status st = MustBeBcryptHash(v.IsScalar() ? v.scalar() : std::string()); !st.ok()) {
        context.errors.Add(v.mark(), JoinKeyPath("basic_auth_users", k.scalar()), st.message());
      }
    }
  }
  if (const YamlNode* rl = root.Take("rate_limit"); rl != nullptr) {
    root.ErrorAt(*rl, "rate_limit", "not supported by tocsin");
  }
  root.ReportUnknownKeys();
  if (!context.errors.empty()) return context.errors.ToStatus();
  return web;
}

}  // namespace

std::string OpenSslCipherName(std::string_view go_name) {
  for (const CipherName& c : kCiphers) {
    if (c.go == go_name) return std::string(c.openssl);
  }
  return "?";
}

Result<WebSecurityConfig> LoadWebConfigFile(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgument(path + ": cannot read web config file: Is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return InvalidArgument(path + ": cannot read web config file: No such file or unreadable");
  std::stringstream text;
  text << in.rdbuf();
  std::filesystem::path dir = std::filesystem::absolute(path, ec).parent_path();
  return Load(text.str(), path, ec ? std::string() : dir.string());
}

Result<WebSecurityConfig> LoadWebConfigString(std::string_view text, std::string_view source_name) {
  std::string base_dir = std::filesystem::path(std::string(source_name)).parent_path().string();
  return Load(text, source_name, std::move(base_dir));
}

}  // namespace tocsin
