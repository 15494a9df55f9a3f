#include "agent/http/tls_listener.h"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <vector>

namespace tocsin {
namespace {

// The OpenSSL functions this adapter calls, linked normally (libcurl maps libssl anyway, and a
// missing library must be an install-time error). They go through one table so that the code
// below names exactly what it uses; macros of OpenSSL's headers that call functions are spelled
// out on SSL_ctrl / SSL_CTX_ctrl below.
// clang-format off
#define TOCSIN_OPENSSL_FUNCTIONS(X) \
  X(TLS_server_method) \
  X(SSL_CTX_new) \
  X(SSL_CTX_free) \
  X(SSL_CTX_ctrl) \
  X(SSL_CTX_set_options) \
  X(SSL_CTX_set_num_tickets) \
  X(SSL_CTX_set_session_id_context) \
  X(SSL_CTX_use_certificate_chain_file) \
  X(SSL_CTX_use_certificate) \
  X(SSL_CTX_use_PrivateKey_file) \
  X(SSL_CTX_use_PrivateKey) \
  X(SSL_CTX_check_private_key) \
  X(SSL_CTX_load_verify_locations) \
  X(SSL_load_client_CA_file) \
  X(SSL_CTX_set_client_CA_list) \
  X(SSL_CTX_get_cert_store) \
  X(SSL_CTX_add_client_CA) \
  X(SSL_CTX_set_cipher_list) \
  X(SSL_CTX_set_verify) \
  X(SSL_CTX_set_ex_data) \
  X(SSL_CTX_get_ex_data) \
  X(SSL_CTX_set_client_hello_cb) \
  X(SSL_set_SSL_CTX) \
  X(SSL_get_SSL_CTX) \
  X(SSL_set_verify) \
  X(SSL_ctrl) \
  X(SSL_set_options) \
  X(SSL_clear_options) \
  X(SSL_set_cipher_list) \
  X(SSL_get_ex_data_X509_STORE_CTX_idx) \
  X(ERR_get_error) \
  X(ERR_error_string_n) \
  X(ERR_clear_error) \
  X(BIO_new_mem_buf) \
  X(BIO_free) \
  X(PEM_read_bio_X509) \
  X(PEM_read_bio_PrivateKey) \
  X(X509_free) \
  X(EVP_PKEY_free) \
  X(X509_STORE_add_cert) \
  X(X509_get_ext_d2i) \
  X(OPENSSL_sk_num) \
  X(OPENSSL_sk_value) \
  X(GENERAL_NAMES_free) \
  X(ASN1_STRING_get0_data) \
  X(ASN1_STRING_length) \
  X(X509_STORE_CTX_get_ex_data) \
  X(X509_STORE_CTX_get_error_depth) \
  X(X509_STORE_CTX_get_current_cert) \
  X(X509_STORE_CTX_set_error) \
  X(CRYPTO_get_ex_new_index) \
  X(SHA256)
// clang-format on

struct OpenSslApi {
#define TOCSIN_OPENSSL_MEMBER(name) decltype(&::name) name = nullptr;
  TOCSIN_OPENSSL_FUNCTIONS(TOCSIN_OPENSSL_MEMBER)
#undef TOCSIN_OPENSSL_MEMBER
};

Result<const OpenSslApi*> LoadOpenSsl() {
  static const OpenSslApi api = [] {
    OpenSslApi a;
#define TOCSIN_OPENSSL_BIND(name) a.name = &::name;
    TOCSIN_OPENSSL_FUNCTIONS(TOCSIN_OPENSSL_BIND)
#undef TOCSIN_OPENSSL_BIND
    return a;
  }();
  return &api;
}

// The table (LoadOpenSsl cannot fail now that OpenSSL is linked; callers still check).
const OpenSslApi& Ssl() { return *LoadOpenSsl().value(); }

}  // namespace

// The embedded civetweb_ssl_shim.cc object (CMake embeds it).
extern "C" const unsigned char tocsin_civetweb_ssl_shim[];
extern "C" const unsigned long tocsin_civetweb_ssl_shim_size;
extern "C" const unsigned char tocsin_civetweb_crypto_shim[];
extern "C" const unsigned long tocsin_civetweb_crypto_shim_size;

namespace {

// Loads an embedded shared object from a memory file; its SONAME then answers dlopen of that
// name.
Status LoadEmbeddedObject(const char* soname, const unsigned char* data, size_t size) {
  int fd = memfd_create(soname, MFD_CLOEXEC);
  if (fd < 0) return Internal(std::string("memfd_create failed for the civetweb shim ") + soname);
  size_t written = 0;
  while (written < size) {
    ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) {
      ::close(fd);
      return Internal(std::string("cannot write the civetweb shim ") + soname);
    }
    written += static_cast<size_t>(n);
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  void* shim = dlopen(path.c_str(), RTLD_NOW);
  if (shim == nullptr) {
    ::close(fd);
    return Internal(std::string("civetweb shim ") + soname + ": " + dlerror());
  }
  // The descriptor stays open: a closed one's number (and so the path, the name the loader
  // knows this object by) would be reused by the next shim, and dlopen would return this one.
  return Status::Ok();
}

// Makes civetweb's dlopen("libssl.so") and dlopen("libcrypto.so") find objects that have every
// symbol it binds, on a node without libssl-dev's unversioned names: with OpenSSL 3 those are
// the embedded shims, loaded once from memory files.
Status PrepareCivetwebTls() {
  static const Status status = []() -> Status {
    void* ssl3 = dlopen("libssl.so.3", RTLD_NOW | RTLD_NOLOAD);
    const bool complete = ssl3 != nullptr && dlsym(ssl3, "SSL_get_peer_certificate") != nullptr;
    if (complete) return Status::Ok();
    TOCSIN_RETURN_IF_ERROR(LoadEmbeddedObject("libcrypto.so", tocsin_civetweb_crypto_shim,
                                              tocsin_civetweb_crypto_shim_size));
    return LoadEmbeddedObject("libssl.so", tocsin_civetweb_ssl_shim, tocsin_civetweb_ssl_shim_size);
  }();
  return status;
}

}  // namespace

// What a handshake needs beyond what SSL_set_SSL_CTX carries over (the certificate, key and
// verification store): copied onto each connection at ClientHello.
struct HandshakeSettings {
  int verify_mode = SSL_VERIFY_NONE;
  bool verify_chain = false;  // false: any client certificate is accepted (Request/RequireAny)
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  std::string cipher_list;
  std::string groups;
  bool prefer_server = true;
  std::vector<std::string> allowed_sans;
};

class TlsContext {
 public:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  ~TlsContext() { Ssl().SSL_CTX_free(ctx_); }
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;
  SSL_CTX* ctx() const { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

namespace {

// The HandshakeSettings hang off their SSL_CTX (freed with it), so a connection that still
// references an old context after a reload still finds its settings.
int SettingsIndex() {
  static const int index =
      Ssl().CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, 0, nullptr, nullptr, nullptr,
                                    [](void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
                                      delete static_cast<HandshakeSettings*>(ptr);
                                    });
  return index;
}

const HandshakeSettings* SettingsOf(const SSL* ssl) {
  return static_cast<const HandshakeSettings*>(
      Ssl().SSL_CTX_get_ex_data(Ssl().SSL_get_SSL_CTX(ssl), SettingsIndex()));
}

// OpenSSL's queued errors as one line (and the queue cleared).
std::string OpenSslErrors() {
  std::string out;
  while (unsigned long e = Ssl().ERR_get_error()) {
    char buf[256];
    Ssl().ERR_error_string_n(e, buf, sizeof buf);
    out += (out.empty() ? "" : "; ") + std::string(buf);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Status Fail(const std::string& at, const std::string& what) {
  std::string errors = OpenSslErrors();
  if (errors.find("values mismatch") != std::string::npos) {
    return InvalidArgument(at + ": the private key does not match the certificate: " + errors);
  }
  return InvalidArgument(at + ": " + what + ": " + errors);
}

Status Readable(const std::string& at, const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument(at + ": cannot read " + path);
  return Status::Ok();
}

// The leaf's SANs as Go prints them (DNS names, e-mail addresses, IPs, URIs).
std::vector<std::string> SubjectAltNames(X509* cert) {
  std::vector<std::string> out;
  auto* names = static_cast<GENERAL_NAMES*>(
      Ssl().X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return out;
  for (int i = 0; i < Ssl().OPENSSL_sk_num(reinterpret_cast<OPENSSL_STACK*>(names)); ++i) {
    const auto* n = static_cast<const GENERAL_NAME*>(
        Ssl().OPENSSL_sk_value(reinterpret_cast<OPENSSL_STACK*>(names), i));
    if (n->type == GEN_DNS || n->type == GEN_EMAIL || n->type == GEN_URI) {
      const ASN1_IA5STRING* s = n->d.ia5;
      out.emplace_back(reinterpret_cast<const char*>(Ssl().ASN1_STRING_get0_data(s)),
                       static_cast<size_t>(Ssl().ASN1_STRING_length(s)));
    } else if (n->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = n->d.iPAddress;
      char buf[INET6_ADDRSTRLEN] = {};
      int len = Ssl().ASN1_STRING_length(ip);
      if ((len == 4 || len == 16) && inet_ntop(len == 4 ? AF_INET : AF_INET6,
                                               Ssl().ASN1_STRING_get0_data(ip), buf, sizeof buf)) {
        out.emplace_back(buf);
      }
    }
  }
  Ssl().GENERAL_NAMES_free(names);
  return out;
}

int VerifyClient(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(
      Ssl().X509_STORE_CTX_get_ex_data(store, Ssl().SSL_get_ex_data_X509_STORE_CTX_idx()));
  const HandshakeSettings* s = ssl ? SettingsOf(ssl) : nullptr;
  if (s == nullptr) return 0;
  if (!s->verify_chain) return 1;  // RequestClientCert / RequireAnyClientCert: not verified
  if (!preverify_ok) return 0;
  if (Ssl().X509_STORE_CTX_get_error_depth(store) != 0 || s->allowed_sans.empty()) return 1;
  for (const std::string& san : SubjectAltNames(Ssl().X509_STORE_CTX_get_current_cert(store))) {
    if (std::find(s->allowed_sans.begin(), s->allowed_sans.end(), san) != s->allowed_sans.end()) {
      return 1;
    }
  }
  Ssl().X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
  return 0;
}

// Without resumption every connection is verified against the configuration of the moment.
void NoResumption(SSL_CTX* ctx) {
  Ssl().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_SESS_CACHE_MODE, SSL_SESS_CACHE_OFF, nullptr);
  Ssl().SSL_CTX_set_options(ctx,
                            SSL_OP_NO_TICKET | SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  Ssl().SSL_CTX_set_num_tickets(ctx, 0);
  static const unsigned char kSid[] = "tocsin";
  Ssl().SSL_CTX_set_session_id_context(ctx, kSid, sizeof kSid - 1);
}

Status LoadCertificate(SSL_CTX* ctx, const TlsServerConfig& c) {
  if (!c.cert_file.empty()) {
    TOCSIN_RETURN_IF_ERROR(Readable(c.cert_at, c.cert_file));
    if (Ssl().SSL_CTX_use_certificate_chain_file(ctx, c.cert_file.c_str()) != 1) {
      return Fail(c.cert_at, "cannot load certificate " + c.cert_file);
    }
  } else {
    BIO* bio = Ssl().BIO_new_mem_buf(c.cert.data(), static_cast<int>(c.cert.size()));
    X509* leaf = Ssl().PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    bool ok = leaf != nullptr && Ssl().SSL_CTX_use_certificate(ctx, leaf) == 1;
    Ssl().X509_free(leaf);
    while (ok) {
      X509* extra = Ssl().PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      if (extra == nullptr) break;
      ok = Ssl().SSL_CTX_ctrl(ctx, SSL_CTRL_CHAIN_CERT, 0, extra) == 1;
    }
    Ssl().ERR_clear_error();  // the end of the PEM stream reads as an error
    Ssl().BIO_free(bio);
    if (!ok) return Fail(c.cert_at, "cannot load the inline certificate");
  }
  if (!c.key_file.empty()) {
    TOCSIN_RETURN_IF_ERROR(Readable(c.key_at, c.key_file));
    if (Ssl().SSL_CTX_use_PrivateKey_file(ctx, c.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
      return Fail(c.key_at, "cannot load private key " + c.key_file);
    }
  } else {
    BIO* bio = Ssl().BIO_new_mem_buf(c.key.data(), static_cast<int>(c.key.size()));
    EVP_PKEY* key = Ssl().PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    bool ok = key != nullptr && Ssl().SSL_CTX_use_PrivateKey(ctx, key) == 1;
    Ssl().EVP_PKEY_free(key);
    Ssl().BIO_free(bio);
    if (!ok) return Fail(c.key_at, "cannot load the inline private key");
  }
  if (Ssl().SSL_CTX_check_private_key(ctx) != 1) {
    return Fail(c.key_at, "the private key does not match the certificate");
  }
  return Status::Ok();
}

Status LoadClientCas(SSL_CTX* ctx, const TlsServerConfig& c) {
  if (!c.client_ca_file.empty()) {
    TOCSIN_RETURN_IF_ERROR(Readable(c.client_ca_at, c.client_ca_file));
    if (Ssl().SSL_CTX_load_verify_locations(ctx, c.client_ca_file.c_str(), nullptr) != 1) {
      return Fail(c.client_ca_at, "cannot load client CAs from " + c.client_ca_file);
    }
    if (STACK_OF(X509_NAME)* names = Ssl().SSL_load_client_CA_file(c.client_ca_file.c_str())) {
      Ssl().SSL_CTX_set_client_CA_list(ctx, names);
    }
    Ssl().ERR_clear_error();
    return Status::Ok();
  }
  if (c.client_ca.empty()) return Status::Ok();
  BIO* bio = Ssl().BIO_new_mem_buf(c.client_ca.data(), static_cast<int>(c.client_ca.size()));
  int added = 0;
  while (X509* ca = Ssl().PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    Ssl().X509_STORE_add_cert(Ssl().SSL_CTX_get_cert_store(ctx), ca);
    Ssl().SSL_CTX_add_client_CA(ctx, ca);
    Ssl().X509_free(ca);
    ++added;
  }
  Ssl().ERR_clear_error();
  Ssl().BIO_free(bio);
  if (added == 0) return InvalidArgument(c.client_ca_at + ": no certificate in client_ca");
  return Status::Ok();
}

}  // namespace

Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const TlsServerConfig& c) {
  Ssl().ERR_clear_error();
  SSL_CTX* raw = Ssl().SSL_CTX_new(Ssl().TLS_server_method());
  if (raw == nullptr) return Internal("SSL_CTX_new: " + OpenSslErrors());
  auto context = std::make_shared<const TlsContext>(raw);
  auto settings = std::make_unique<HandshakeSettings>();
  NoResumption(raw);
  TOCSIN_RETURN_IF_ERROR(LoadCertificate(raw, c));
  TOCSIN_RETURN_IF_ERROR(LoadClientCas(raw, c));
  settings->min_version = c.min_version;
  settings->max_version = c.max_version;
  settings->prefer_server = c.prefer_server_cipher_suites;
  settings->allowed_sans = c.client_allowed_sans;
  // Checked here, on the context, so a bad list fails the load rather than every handshake.
  if (!c.cipher_list.empty()) {
    if (Ssl().SSL_CTX_set_cipher_list(raw, c.cipher_list.c_str()) != 1) {
      return Fail(c.section_at, "OpenSSL accepts none of the cipher_suites");
    }
    settings->cipher_list = c.cipher_list;
  }
  if (!c.groups.empty()) {
    if (Ssl().SSL_CTX_ctrl(raw, SSL_CTRL_SET_GROUPS_LIST, 0, const_cast<char*>(c.groups.c_str())) !=
        1) {
      return Fail(c.section_at, "OpenSSL rejects the curve_preferences");
    }
    settings->groups = c.groups;
  }
  switch (c.client_auth) {
    case ClientAuthType::kNoClientCert:
      settings->verify_mode = SSL_VERIFY_NONE;
      break;
    case ClientAuthType::kRequestClientCert:
      settings->verify_mode = SSL_VERIFY_PEER;
      break;
    case ClientAuthType::kRequireAnyClientCert:
      settings->verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      break;
    case ClientAuthType::kVerifyClientCertIfGiven:
      settings->verify_mode = SSL_VERIFY_PEER;
      settings->verify_chain = true;
      break;
    case ClientAuthType::kRequireAndVerifyClientCert:
      settings->verify_mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
      settings->verify_chain = true;
      break;
  }
  Ssl().SSL_CTX_set_verify(raw, settings->verify_mode, VerifyClient);
  Ssl().SSL_CTX_set_ex_data(raw, SettingsIndex(), settings.release());
  return context;
}

TlsListener::TlsListener() = default;

TlsListener::~TlsListener() {
  if (base_ != nullptr) Ssl().SSL_CTX_free(static_cast<SSL_CTX*>(base_));
}

Status TlsListener::Init(std::shared_ptr<const TlsContext> initial) {
  TOCSIN_RETURN_IF_ERROR(PrepareCivetwebTls());
  SSL_CTX* base = Ssl().SSL_CTX_new(Ssl().TLS_server_method());
  if (base == nullptr) return Internal("SSL_CTX_new: " + OpenSslErrors());
  NoResumption(base);
  Ssl().SSL_CTX_set_client_hello_cb(
      base, [](SSL* ssl, int* alert, void* self) { return OnClientHello(ssl, alert, self); }, this);
  base_ = base;
  Install(std::move(initial));
  return Status::Ok();
}

void TlsListener::Install(std::shared_ptr<const TlsContext> next) {
  std::lock_guard lock(mu_);
  current_ = std::move(next);
}

std::shared_ptr<const TlsContext> TlsListener::Current() const {
  std::lock_guard lock(mu_);
  return current_;
}

int TlsListener::OnClientHello(void* ssl_ptr, int* alert, void* self) {
  auto* ssl = static_cast<SSL*>(ssl_ptr);
  std::shared_ptr<const TlsContext> ctx = static_cast<TlsListener*>(self)->Current();
  // SSL_set_SSL_CTX takes a reference: the context outlives a reload during this handshake.
  if (ctx == nullptr || Ssl().SSL_set_SSL_CTX(ssl, ctx->ctx()) == nullptr) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  const HandshakeSettings* s = SettingsOf(ssl);
  Ssl().SSL_set_verify(ssl, s->verify_mode, VerifyClient);
  bool ok = Ssl().SSL_ctrl(ssl, SSL_CTRL_SET_MIN_PROTO_VERSION, s->min_version, nullptr) == 1 &&
            Ssl().SSL_ctrl(ssl, SSL_CTRL_SET_MAX_PROTO_VERSION, s->max_version, nullptr) == 1;
  if (s->prefer_server) {
    Ssl().SSL_set_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    Ssl().SSL_clear_options(ssl, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  if (!s->cipher_list.empty())
    ok = ok && Ssl().SSL_set_cipher_list(ssl, s->cipher_list.c_str()) == 1;
  if (!s->groups.empty())
    ok = ok && Ssl().SSL_ctrl(ssl, SSL_CTRL_SET_GROUPS_LIST, 0,
                              const_cast<char*>(s->groups.c_str())) == 1;
  if (!ok) {
    *alert = SSL_AD_INTERNAL_ERROR;
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

}  // namespace tocsin

namespace tocsin {

std::string Sha256(std::string_view data) {
  if (!LoadOpenSsl().ok()) return {};
  unsigned char digest[SHA256_DIGEST_LENGTH];
  Ssl().SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

}  // namespace tocsin
