#ifndef CTLS_SHIM_H
#define CTLS_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/params.h>

// OpenSSL spells these as macros (SSL_ctrl / SSL_CTX_ctrl / SSL_CTX_callback_ctrl calls or
// expressions Swift does not import). Each wrapper is one call with the macro's meaning; any
// logic stays in the Swift TLS module.

static inline int ctls_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int ctls_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline int ctls_SSL_set_min_proto_version(SSL *ssl, int version) {
    return (int)SSL_set_min_proto_version(ssl, version);
}

static inline int ctls_SSL_set_max_proto_version(SSL *ssl, int version) {
    return (int)SSL_set_max_proto_version(ssl, version);
}

static inline void ctls_SSL_CTX_set_tlsext_servername_callback(SSL_CTX *ctx, int (*callback)(SSL *, int *, void *)) {
    SSL_CTX_set_tlsext_servername_callback(ctx, callback);
}

static inline void ctls_SSL_CTX_set_tlsext_servername_arg(SSL_CTX *ctx, void *arg) {
    SSL_CTX_set_tlsext_servername_arg(ctx, arg);
}

static inline int ctls_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline long ctls_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline long ctls_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline int ctls_SSL_CTX_get_extra_chain_certs_count(SSL_CTX *ctx) {
    STACK_OF(X509) *chain = NULL;
    SSL_CTX_get_extra_chain_certs(ctx, &chain);
    return chain == NULL ? 0 : sk_X509_num(chain);
}

static inline long ctls_BIO_set_mem_eof_return(BIO *bio, int value) {
    return BIO_set_mem_eof_return(bio, value);
}

static inline size_t ctls_BIO_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

static inline int ctls_GENERAL_NAMES_count(GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *ctls_GENERAL_NAMES_value(GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

static inline void ctls_GENERAL_NAMES_free(GENERAL_NAMES *names) {
    GENERAL_NAMES_free(names);
}

// The session-ticket MAC (HMAC-SHA256 keyed with `key`), as SSL_CTX_set_tlsext_ticket_key_evp_cb
// expects its EVP_MAC_CTX set up: OSSL_PARAM arrays are C macros Swift cannot build.
static inline int ctls_ticket_mac_init(EVP_MAC_CTX *mac, const unsigned char *key, size_t length) {
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    return EVP_MAC_CTX_set_params(mac, params) == 1 && EVP_MAC_init(mac, key, length, NULL) == 1;
}

static inline int ctls_SSL_CTX_set_app_data(SSL_CTX *ctx, void *arg) {
    return SSL_CTX_set_ex_data(ctx, 0, arg);
}

static inline void *ctls_SSL_CTX_get_app_data(const SSL_CTX *ctx) {
    return SSL_CTX_get_ex_data(ctx, 0);
}

static const uint64_t ctls_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t ctls_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t ctls_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const uint64_t ctls_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
static const uint64_t ctls_SSL_OP_IGNORE_UNEXPECTED_EOF = SSL_OP_IGNORE_UNEXPECTED_EOF;

#endif
