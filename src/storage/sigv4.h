/* sigv4.h - AWS Signature Version 4, in the steps AWS documents so that each
 * can be checked against AWS's published vectors (tests/test_sigv4.c):
 * canonical request -> string to sign -> signing key -> signature. Used for
 * every S3 request (the Authorization header) and for presigned GET URLs
 * (the same steps over query parameters). Pure functions: no clock, no I/O;
 * the caller passes the time as "YYYYMMDDTHHMMSSZ". */
#ifndef SR_SIGV4_H
#define SR_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

typedef struct sr_sigv4_creds {
    const char *access_key;
    const char *secret_key;
    const char *session_token; /* NULL or "" when none */
} sr_sigv4_creds;

typedef struct sr_sigv4_request {
    const char *method;         /* "GET" */
    const char *path;           /* already URI-encoded, starts with '/' */
    const char *query;          /* "b=2&a=1" (names and values percent-encoded or plain), or "" */
    const char *const *headers; /* "Name:value" or "Name: value", any order and case */
    size_t n_headers;
    const char *payload_hash; /* hex SHA-256 of the body, or "UNSIGNED-PAYLOAD" */
} sr_sigv4_request;

/* d[0..n) as lower-case hex in hex (2n + 1 bytes). */
void sr_sigv4_hex(const uint8_t *d, size_t n, char *hex);
/* The hex SHA-256 of data (65 bytes with the NUL). */
void sr_sigv4_sha256_hex(const void *data, size_t len, char hex[65]);
/* Appends s[0..n) URI-encoded the AWS way (RFC 3986 unreserved kept, the rest
 * %XX upper case); '/' kept when keep_slash (paths), encoded otherwise. */
void sr_sigv4_uri_encode(sr_buf *b, const char *s, size_t n, int keep_slash);
/* s[0..n) percent-decoded ("%2F" -> "/"; a '%' not followed by two hex
 * digits is kept), malloc'd and NUL-terminated; NULL when out of memory. */
char *sr_sigv4_uri_decode(const char *s, size_t n);
/* The canonical query of a raw query: each name and value decoded then
 * encoded, pairs sorted by name then value (bytes), a bare name as "name=". */
int sr_sigv4_canonical_query(const char *query, sr_buf *out);
/* The canonical request of r, and its signed-headers list ("host;x-amz-date")
 * in signed (may be NULL). Headers: names lower-cased, values trimmed with
 * runs of spaces made one, sorted by name, repeated names joined with ','.
 * 0, or -1 when out of memory or a header has no ':'. */
int sr_sigv4_canonical_request(const sr_sigv4_request *r, sr_buf *out, sr_buf *signed_headers);
/* "20150830/us-east-1/service/aws4_request" from amz_date's day. */
void sr_sigv4_scope(const char *amz_date, const char *region, const char *service, char *out, size_t n);
/* "AWS4-HMAC-SHA256\nDATE\nSCOPE\nhex(sha256(canonical_request))". */
int sr_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request, sr_buf *out);
/* HMAC chain "AWS4"+secret -> day -> region -> service -> "aws4_request". */
void sr_sigv4_signing_key(const char *secret, const char *amz_date, const char *region, const char *service,
                          uint8_t key[32]);
/* hex(HMAC(key, string_to_sign)). */
void sr_sigv4_signature(const uint8_t key[32], const char *string_to_sign, char hex[65]);

/* The whole chain for a request: appends the Authorization header's value
 * ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...").
 * r's headers must already hold host and x-amz-date (and whatever else is
 * to be signed). 0 or -1 (out of memory, a bad header). */
int sr_sigv4_authorization(const sr_sigv4_request *r, const sr_sigv4_creds *c, const char *amz_date,
                           const char *region, const char *service, sr_buf *out);
/* A presigned request's query: appends "X-Amz-Algorithm=...&...&X-Amz-Signature=HEX"
 * for method on host + path (encoded), valid expires_s seconds from amz_date,
 * signing only the host header and an unsigned payload (X-Amz-Security-Token
 * included when c has a session token). 0 or -1. */
int sr_sigv4_presign_query(const sr_sigv4_creds *c, const char *method, const char *host, const char *path,
                           const char *amz_date, int expires_s, const char *region, const char *service,
                           sr_buf *out);

#endif
