// A tiny shared object loaded (from memory) before civetweb starts TLS: Debian's civetweb 1.15
// is built for OpenSSL 1.1 and looks up SSL_get_peer_certificate, which OpenSSL 3 only has as
// a macro for SSL_get1_peer_certificate. This object's SONAME is "libssl.so" — the name
// civetweb dlopens — and it depends on libssl.so.3, so civetweb's dlopen finds it already
// loaded and every symbol it looks up resolves (the one below, the rest in libssl/libcrypto).
struct ssl_st;
struct x509_st;

extern "C" x509_st* SSL_get1_peer_certificate(const ssl_st* ssl);

extern "C" __attribute__((visibility("default"))) x509_st* SSL_get_peer_certificate(
    const ssl_st* ssl) {
  return SSL_get1_peer_certificate(ssl);
}
