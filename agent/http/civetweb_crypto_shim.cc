// The second OpenSSL 3 compatibility object for Debian's civetweb (see civetweb_ssl_shim.cc):
// civetweb also dlopens "libcrypto.so", a name only libssl-dev installs (the runtime package
// has libcrypto.so.3). This object's SONAME is "libcrypto.so" and it depends on libcrypto.so.3,
// so civetweb's dlopen finds it already loaded and its lookups resolve in libcrypto.so.3. It
// defines nothing of its own but a marker.
extern "C" __attribute__((visibility("default"))) const char tocsin_civetweb_crypto_shim_marker = 1;
