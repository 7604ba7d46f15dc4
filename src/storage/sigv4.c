/* sigv4.c - see sigv4.h. */
#include "storage/sigv4.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

void sr_sigv4_hex(const uint8_t *d, size_t n, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * n] = 0;
}

void sr_sigv4_sha256_hex(const void *data, size_t len, char hex[65])
{
    uint8_t md[SHA256_DIGEST_LENGTH];
    SHA256(data, len, md);
    sr_sigv4_hex(md, sizeof md, hex);
}

static void hmac(const uint8_t *key, size_t klen, const char *msg, size_t mlen, uint8_t out[32])
{
    unsigned int n = 32;
    HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg, mlen, out, &n);
}

void sr_sigv4_uri_encode(sr_buf *b, const char *s, size_t n, int keep_slash)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
            sr_buf_append(b, (const char *)&c, 1);
        } else {
            char esc[4];
            snprintf(esc, sizeof esc, "%%%02X", c);
            sr_buf_append(b, esc, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

char *sr_sigv4_uri_decode(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
            d[m++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            d[m++] = s[i];
        }
    }
    d[m] = 0;
    return d;
}

/* s[0..n) percent-decoded then encoded, appended to b. */
static void reencode(sr_buf *b, const char *s, size_t n)
{
    char *d = sr_sigv4_uri_decode(s, n);
    if (!d) {
        b->failed = 1;
        return;
    }
    sr_sigv4_uri_encode(b, d, strlen(d), 0);
    free(d);
}

typedef struct pair {
    char *name, *value;
} pair;

static int pair_cmp(const void *a, const void *b)
{
    const pair *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->value, y->value);
}

int sr_sigv4_canonical_query(const char *query, sr_buf *out)
{
    size_t cap = 1;
    for (const char *p = query; *p; p++) cap += *p == '&';
    pair *pairs = calloc(cap, sizeof *pairs);
    if (!pairs) return -1;
    size_t n = 0;
    int rc = 0;
    for (const char *p = query; *p && rc == 0;) {
        size_t len = strcspn(p, "&");
        if (len) {
            const char *eq = memchr(p, '=', len);
            size_t nl = eq ? (size_t)(eq - p) : len;
            sr_buf name, value;
            sr_buf_init(&name, 0);
            sr_buf_init(&value, 0);
            reencode(&name, p, nl);
            sr_buf_append(&name, "", 0);
            if (eq) reencode(&value, eq + 1, len - nl - 1);
            sr_buf_append(&value, "", 0);
            pairs[n].name = name.p;
            pairs[n].value = value.p;
            if (name.failed || value.failed || !name.p || !value.p) rc = -1;
            n++;
        }
        p += len;
        if (*p == '&') p++;
    }
    if (rc == 0) {
        qsort(pairs, n, sizeof *pairs, pair_cmp);
        for (size_t i = 0; i < n; i++) sr_buf_printf(out, "%s%s=%s", i ? "&" : "", pairs[i].name, pairs[i].value);
        if (out->failed) rc = -1;
    }
    for (size_t i = 0; i < n; i++) {
        free(pairs[i].name);
        free(pairs[i].value);
    }
    free(pairs);
    return rc;
}

typedef struct header {
    char name[128];
    const char *value; /* into the caller's string */
    size_t value_len;
    size_t order;
} header;

static int header_cmp(const void *a, const void *b)
{
    const header *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* value trimmed, inner runs of blanks made one space */
static void append_trimmed(sr_buf *b, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '\t')) v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t')) n--;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            while (i + 1 < n && (v[i + 1] == ' ' || v[i + 1] == '\t')) i++;
            sr_buf_append(b, " ", 1);
        } else {
            sr_buf_append(b, v + i, 1);
        }
    }
}

int sr_sigv4_canonical_request(const sr_sigv4_request *r, sr_buf *out, sr_buf *signed_headers)
{
    header *h = calloc(r->n_headers ? r->n_headers : 1, sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < r->n_headers; i++) {
        const char *colon = strchr(r->headers[i], ':');
        size_t nl = colon ? (size_t)(colon - r->headers[i]) : 0;
        while (nl && r->headers[i][nl - 1] == ' ') nl--;
        if (!colon || nl == 0 || nl >= sizeof h[i].name) {
            free(h);
            return -1;
        }
        for (size_t k = 0; k < nl; k++) h[i].name[k] = (char)tolower((unsigned char)r->headers[i][k]);
        h[i].value = colon + 1;
        h[i].value_len = strlen(colon + 1);
        h[i].order = i;
    }
    qsort(h, r->n_headers, sizeof *h, header_cmp);

    sr_buf_printf(out, "%s\n%s\n", r->method, r->path);
    if (sr_sigv4_canonical_query(r->query ? r->query : "", out) != 0) {
        free(h);
        return -1;
    }
    sr_buf_append(out, "\n", 1);
    sr_buf names;
    sr_buf_init(&names, 0);
    for (size_t i = 0; i < r->n_headers; i++) {
        int same = i > 0 && strcmp(h[i].name, h[i - 1].name) == 0;
        if (same) {
            sr_buf_append(out, ",", 1);
        } else {
            if (i > 0) sr_buf_append(out, "\n", 1);
            sr_buf_printf(out, "%s:", h[i].name);
            sr_buf_printf(&names, "%s%s", names.len ? ";" : "", h[i].name);
        }
        append_trimmed(out, h[i].value, h[i].value_len);
    }
    sr_buf_append(&names, "", 0);
    sr_buf_printf(out, "%s\n%s\n%s", r->n_headers ? "\n" : "", names.p ? names.p : "", r->payload_hash);
    int rc = out->failed || names.failed ? -1 : 0;
    if (signed_headers) sr_buf_append(signed_headers, names.p ? names.p : "", names.len);
    if (signed_headers && signed_headers->failed) rc = -1;
    sr_buf_free(&names);
    free(h);
    return rc;
}

void sr_sigv4_scope(const char *amz_date, const char *region, const char *service, char *out, size_t n)
{
    snprintf(out, n, "%.8s/%s/%s/aws4_request", amz_date, region, service);
}

int sr_sigv4_string_to_sign(const char *amz_date, const char *scope, const char *canonical_request, sr_buf *out)
{
    char hash[65];
    sr_sigv4_sha256_hex(canonical_request, strlen(canonical_request), hash);
    sr_buf_printf(out, ALGORITHM "\n%s\n%s\n%s", amz_date, scope, hash);
    return out->failed ? -1 : 0;
}

void sr_sigv4_signing_key(const char *secret, const char *amz_date, const char *region, const char *service,
                          uint8_t key[32])
{
    char k0[256];
    int n = snprintf(k0, sizeof k0, "AWS4%s", secret);
    if (n < 0 || (size_t)n >= sizeof k0) n = (int)sizeof k0 - 1; /* secrets are 40 bytes; a longer one is cut */
    uint8_t a[32], b[32];
    hmac((const uint8_t *)k0, (size_t)n, amz_date, 8, a);
    hmac(a, 32, region, strlen(region), b);
    hmac(b, 32, service, strlen(service), a);
    hmac(a, 32, "aws4_request", 12, key);
    OPENSSL_cleanse(k0, sizeof k0);
    OPENSSL_cleanse(a, sizeof a);
    OPENSSL_cleanse(b, sizeof b);
}

void sr_sigv4_signature(const uint8_t key[32], const char *string_to_sign, char hex[65])
{
    uint8_t mac[32];
    hmac(key, 32, string_to_sign, strlen(string_to_sign), mac);
    sr_sigv4_hex(mac, 32, hex);
}

/* canonical request -> string to sign -> signature, for r */
static int sign(const sr_sigv4_request *r, const sr_sigv4_creds *c, const char *amz_date, const char *scope,
                const char *region, const char *service, sr_buf *signed_headers, char sig[65])
{
    sr_buf creq, sts;
    sr_buf_init(&creq, 0);
    sr_buf_init(&sts, 0);
    int rc = sr_sigv4_canonical_request(r, &creq, signed_headers);
    if (rc == 0) rc = sr_sigv4_string_to_sign(amz_date, scope, creq.p, &sts);
    if (rc == 0) {
        uint8_t key[32];
        sr_sigv4_signing_key(c->secret_key, amz_date, region, service, key);
        sr_sigv4_signature(key, sts.p, sig);
        OPENSSL_cleanse(key, sizeof key);
    }
    sr_buf_free(&creq);
    sr_buf_free(&sts);
    return rc;
}

int sr_sigv4_authorization(const sr_sigv4_request *r, const sr_sigv4_creds *c, const char *amz_date,
                           const char *region, const char *service, sr_buf *out)
{
    char scope[256], sig[65];
    sr_sigv4_scope(amz_date, region, service, scope, sizeof scope);
    sr_buf names;
    sr_buf_init(&names, 0);
    int rc = sign(r, c, amz_date, scope, region, service, &names, sig);
    if (rc == 0)
        sr_buf_printf(out, ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s", c->access_key, scope,
                      names.p, sig);
    sr_buf_free(&names);
    return rc == 0 && !out->failed ? 0 : -1;
}

int sr_sigv4_presign_query(const sr_sigv4_creds *c, const char *method, const char *host, const char *path,
                           const char *amz_date, int expires_s, const char *region, const char *service,
                           sr_buf *out)
{
    char scope[256], cred[512], hosth[300];
    sr_sigv4_scope(amz_date, region, service, scope, sizeof scope);
    snprintf(cred, sizeof cred, "%s/%s", c->access_key, scope);
    snprintf(hosth, sizeof hosth, "host:%s", host);
    /* the parameters in canonical (sorted) order, so the query is its own canonical form */
    sr_buf q;
    sr_buf_init(&q, 0);
    sr_buf_printf(&q, "X-Amz-Algorithm=" ALGORITHM "&X-Amz-Credential=");
    sr_sigv4_uri_encode(&q, cred, strlen(cred), 0);
    sr_buf_printf(&q, "&X-Amz-Date=%s&X-Amz-Expires=%d", amz_date, expires_s);
    if (c->session_token && *c->session_token) {
        sr_buf_printf(&q, "&X-Amz-Security-Token=");
        sr_sigv4_uri_encode(&q, c->session_token, strlen(c->session_token), 0);
    }
    sr_buf_printf(&q, "&X-Amz-SignedHeaders=host");
    int rc = q.failed ? -1 : 0;
    char sig[65];
    const char *headers[] = {hosth};
    sr_sigv4_request r = {method, path, q.p, headers, 1, "UNSIGNED-PAYLOAD"};
    if (rc == 0) rc = sign(&r, c, amz_date, scope, region, service, NULL, sig);
    if (rc == 0) sr_buf_printf(out, "%s&X-Amz-Signature=%s", q.p, sig);
    sr_buf_free(&q);
    return rc == 0 && !out->failed ? 0 : -1;
}
