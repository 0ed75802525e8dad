#ifndef CTLS_SHIM_H
#define CTLS_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#endif
