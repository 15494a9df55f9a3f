// TlsListener: the HTTP listener's TLS, OpenSSL behind this one adapter (the only file that
// includes OpenSSL headers).
//
// BuildTlsContext turns a TlsServerConfig into a ready TLS context (certificate and key loaded
// and matched, client CAs, verification mode, versions, ciphers, curves, allowed SANs), or an
// error positioned at the web config key that named the bad file. A TlsListener owns the one
// SSL_CTX civetweb accepts connections with; at each ClientHello it switches the handshake to
// the context installed last, so Install() (a reload) takes effect for the next connection
// while handshakes in flight finish on the one they started with (each holds a reference).
// Session resumption is off, so a reload that changes client verification applies to every
// new connection. Thread-safe: Install() may race handshakes on civetweb's worker threads.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "agent/config/web_security_config.h"
#include "agent/core/status.h"

namespace tocsin {

class TlsContext;  // opaque: one configured OpenSSL context

Result<std::shared_ptr<const TlsContext>> BuildTlsContext(const TlsServerConfig& config);

class TlsListener {
 public:
  TlsListener();
  ~TlsListener();
  TlsListener(const TlsListener&) = delete;
  TlsListener& operator=(const TlsListener&) = delete;

  // Creates the accepting context; call once before handing ssl_ctx() to civetweb.
  Status Init(std::shared_ptr<const TlsContext> initial);
  // New handshakes use `next` from now on.
  void Install(std::shared_ptr<const TlsContext> next);
  // The SSL_CTX* civetweb accepts with (owned here; outlives the server).
  void* ssl_ctx() const { return base_; }

 private:
  static int OnClientHello(void* ssl, int* alert, void* self);
  std::shared_ptr<const TlsContext> Current() const;

  void* base_ = nullptr;
  mutable std::mutex mu_;
  std::shared_ptr<const TlsContext> current_;
};

}  // namespace tocsin

namespace tocsin {

// SHA-256 of `data` (32 bytes): the adapter's other OpenSSL service, for BasicAuth's cache;
// never empty (OpenSSL is linked).
std::string Sha256(std::string_view data);

}  // namespace tocsin
