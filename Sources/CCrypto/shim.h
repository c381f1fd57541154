// OpenSSL's libcrypto, for hardware-accelerated SHA-256 of recordings (Debian libssl-dev).
#include <openssl/evp.h>
