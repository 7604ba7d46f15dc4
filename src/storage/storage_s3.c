/* storage_s3.c - the s3:// backend: an S3-compatible object store over
 * libcurl, every request signed with AWS Signature V4 (sigv4.c; one signer
 * for headers and presigned URLs, checked against AWS's vectors).
 *
 *   s3://BUCKET/PREFIX?endpoint=URL&region=R&part_mb=N
 *
 * With an endpoint, objects are addressed path-style (URL/BUCKET/PREFIX/KEY);
 * without, virtual-hosted at https://BUCKET.s3.REGION.amazonaws.com. A file
 * up to the part size (16 MiB, part_mb= or STORYREEL_S3_PART_MB, at least 5)
 * is one PUT, a larger one a multipart upload (aborted when a step fails).
 * Each request is retried on connection errors, timeouts, 5xx and 429, three
 * more times after 100 ms, 400 ms and 1.6 s; other 4xx are final. Each call
 * makes its own curl handle, so a handle may be shared by threads. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "storage/sigv4.h"
#include "storage/storage_impl.h"

#define XML_MAX (1 << 20) /* the most of an answer body kept in memory */
#define TRIES 4           /* the first and three retries */
#define MAX_PARTS 10000
#define MIB (1024 * 1024)
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct s3_store {
    char *bucket;
    char *prefix;    /* "" or "a/b/" (ends in '/') */
    char *origin;    /* "http://127.0.0.1:9000" */
    char *host;      /* the Host header: "127.0.0.1:9000" */
    char *base_path; /* "" (virtual-hosted) or "/BUCKET" after the endpoint's own path */
    char *region;
    char *access_key, *secret_key, *session_token;
    int64_t part_size;
} s3_store;

/* one request and what came back */
typedef struct s3_req {
    const char *method;
    const char *key;   /* the object, or NULL for the bucket itself */
    const char *query; /* encoded, "" for none */
    const char *content_type;
    int in_fd; /* PUT body: in_len bytes of in_fd from in_off (in_fd < 0: body/body_len) */
    int64_t in_off, in_len;
    const char *body;
    size_t body_len;
    int out_fd; /* a 2xx answer's body goes here when >= 0, else into resp */
    /* results */
    long status;
    sr_buf resp;
    char etag[256];
    int64_t length;
    /* transfer state */
    int64_t sent;
    int write_failed;
} s3_req;

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void amz_now(char out[17])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

/* path of key (or of the bucket when key is NULL), encoded */
static void object_path(const s3_store *s, const char *key, sr_buf *b)
{
    sr_buf_append(b, s->base_path, strlen(s->base_path));
    sr_buf_append(b, "/", 1);
    if (!key) return;
    sr_sigv4_uri_encode(b, s->prefix, strlen(s->prefix), 1);
    sr_sigv4_uri_encode(b, key, strlen(key), 1);
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    s3_req *r = ud;
    size_t want = size * n;
    if ((int64_t)want > r->in_len - r->sent) want = (size_t)(r->in_len - r->sent);
    if (want == 0) return 0;
    ssize_t got = pread(r->in_fd, buf, want, (off_t)(r->in_off + r->sent));
    if (got <= 0) return CURL_READFUNC_ABORT;
    r->sent += got;
    return (size_t)got;
}

typedef struct xfer {
    s3_req *r;
    CURL *c;
} xfer;

static size_t on_write(char *data, size_t size, size_t n, void *ud)
{
    xfer *x = ud;
    size_t len = size * n;
    long status = 0;
    curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &status);
    if (x->r->out_fd >= 0 && status >= 200 && status < 300) {
        for (const char *p = data; len;) {
            ssize_t w = write(x->r->out_fd, p, len);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                x->r->write_failed = errno ? errno : EIO;
                return 0;
            }
            p += w;
            len -= (size_t)w;
        }
        return size * n;
    }
    sr_buf_append(&x->r->resp, data, len);
    return x->r->resp.failed ? 0 : size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    s3_req *r = ud;
    size_t len = size * n;
    if (len > 5 && strncasecmp(data, "etag:", 5) == 0) {
        const char *v = data + 5;
        size_t vl = len - 5;
        while (vl && (*v == ' ' || *v == '\t')) v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' ')) vl--;
        if (vl < sizeof r->etag) {
            memcpy(r->etag, v, vl);
            r->etag[vl] = 0;
        }
    }
    return len;
}

/* SHA-256 of in_len bytes of fd from off, as hex */
static int hash_region(int fd, int64_t off, int64_t len, char hex[65])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(ctx);
        return -1;
    }
    char buf[1 << 16];
    int rc = 0;
    while (len > 0) {
        ssize_t got = pread(fd, buf, len < (int64_t)sizeof buf ? (size_t)len : sizeof buf, (off_t)off);
        if (got <= 0) {
            rc = -1;
            break;
        }
        EVP_DigestUpdate(ctx, buf, (size_t)got);
        off += got;
        len -= got;
    }
    unsigned char md[32];
    unsigned int mdn = 0;
    if (rc == 0 && EVP_DigestFinal_ex(ctx, md, &mdn)) sr_sigv4_hex(md, 32, hex);
    else rc = -1;
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* One attempt: signs and sends r, fills status/resp/etag/length. The curl code. */
static CURLcode attempt(const s3_store *s, s3_req *r, const char *path, const char *payload_hash)
{
    char date[17];
    amz_now(date);
    enum { NH = 5 };
    char sign_h[NH][300];
    const char *signed_list[NH + 1];
    size_t nh = 0;
#define ADD_HEADER(...) (snprintf(sign_h[nh], sizeof sign_h[nh], __VA_ARGS__), signed_list[nh] = sign_h[nh], nh++)
    ADD_HEADER("host:%s", s->host);
    ADD_HEADER("x-amz-content-sha256:%s", payload_hash);
    ADD_HEADER("x-amz-date:%s", date);
    int typed = r->content_type && *r->content_type; /* checked by sr_storage_put: one short line */
    if (typed) ADD_HEADER("content-type:%s", r->content_type);
#undef ADD_HEADER
    char tok[2200]; /* a session token is signed with the rest */
    if (s->session_token) {
        snprintf(tok, sizeof tok, "x-amz-security-token:%s", s->session_token);
        signed_list[nh++] = tok;
    }
    sr_sigv4_request sreq = {r->method, path, r->query, signed_list, nh, payload_hash};
    const sr_sigv4_creds creds = {s->access_key, s->secret_key, NULL};
    sr_buf auth;
    sr_buf_init(&auth, 4096);
    sr_buf_append(&auth, "Authorization: ", 15);
    if (sr_sigv4_authorization(&sreq, &creds, date, s->region, "s3", &auth) != 0) {
        sr_buf_free(&auth);
        return CURLE_OUT_OF_MEMORY;
    }
    struct curl_slist *hl = NULL;
    for (size_t i = 0; i < nh; i++) hl = curl_slist_append(hl, signed_list[i]);
    hl = curl_slist_append(hl, auth.p);
    hl = curl_slist_append(hl, "Expect:"); /* no 100-continue round trip */
    if (!typed) hl = curl_slist_append(hl, "Content-Type:"); /* not curl's form type for a POST */
    OPENSSL_cleanse(auth.p, auth.len);
    sr_buf_free(&auth);

    sr_buf url;
    sr_buf_init(&url, 8192);
    sr_buf_printf(&url, "%s%s%s%s", s->origin, path, *r->query ? "?" : "", r->query);
    CURL *c = curl_easy_init();
    if (!c || url.failed) {
        curl_slist_free_all(hl);
        sr_buf_free(&url);
        if (c) curl_easy_cleanup(c);
        return CURLE_OUT_OF_MEMORY;
    }
    xfer x = {r, c};
    curl_easy_setopt(c, CURLOPT_URL, url.p);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L); /* the path as signed */
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* under 1 KiB/s for 30 s: a stalled transfer */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 30L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (strcmp(r->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(r->method, "PUT") == 0) {
        curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, r);
        curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->in_len);
    } else if (strcmp(r->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body ? r->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    } else if (strcmp(r->method, "GET") != 0) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    }
    CURLcode cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_off_t cl = -1;
    curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    r->length = cl;
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    sr_buf_free(&url);
    return cc;
}

/* What a failed attempt means: retry (1) or not (0). */
static int retryable(CURLcode cc, long status)
{
    switch (cc) {
    case CURLE_OK: return status >= 500 || status == 429;
    case CURLE_WRITE_ERROR:          /* our own limit or the local disk */
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_READ_ERROR:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_OUT_OF_MEMORY: return 0;
    default: return 1; /* connection refused or reset, timeouts, nothing answered */
    }
}

/* The text of <tag> in an XML answer (bounded, control characters dropped); "" when absent. */
static void xml_text(const sr_buf *b, const char *tag, char *out, size_t n)
{
    out[0] = 0;
    if (!b->p) return;
    char open[64], close[64];
    snprintf(open, sizeof open, "<%s>", tag);
    snprintf(close, sizeof close, "</%s>", tag);
    const char *a = strstr(b->p, open);
    const char *z = a ? strstr(a, close) : NULL;
    if (!z) return;
    a += strlen(open);
    size_t k = 0;
    for (; a < z && k + 1 < n; a++)
        if ((unsigned char)*a >= 0x20) out[k++] = *a;
    out[k] = 0;
}

/* Sends r with its retries. 0 for a 2xx answer; otherwise SR_ENOT_FOUND (a
 * missing key) or SR_EIO naming the key, the bucket and the HTTP status and
 * S3 error code: never the credentials. */
static int s3_do(const s3_store *s, s3_req *r, sr_err *err)
{
    sr_buf path;
    sr_buf_init(&path, 8192);
    object_path(s, r->key, &path);
    if (path.failed) return sr_err_set(err, SR_ENOMEM, r->key, "out of memory");
    char payload[65];
    if (r->in_fd >= 0) {
        if (hash_region(r->in_fd, r->in_off, r->in_len, payload) != 0) {
            sr_buf_free(&path);
            return sr_err_set(err, SR_EIO, r->key, "cannot read the file to store as '%s'", r->key);
        }
    } else {
        sr_sigv4_sha256_hex(r->body ? r->body : "", r->body_len, payload);
    }
    CURLcode cc = CURLE_OK;
    static const int backoff_ms[TRIES - 1] = {100, 400, 1600};
    int tries = 0;
    for (;;) {
        sr_buf_free(&r->resp);
        sr_buf_init(&r->resp, XML_MAX);
        r->status = 0;
        r->etag[0] = 0;
        r->sent = 0;
        r->write_failed = 0;
        if (r->out_fd >= 0 && (ftruncate(r->out_fd, 0) != 0 || lseek(r->out_fd, 0, SEEK_SET) < 0)) {
            r->write_failed = errno;
            break;
        }
        cc = attempt(s, r, path.p, payload);
        tries++;
        if (!retryable(cc, r->status) || tries == TRIES) break;
        int ms = backoff_ms[tries - 1];
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
    }
    sr_buf_free(&path);
    const char *what = r->key ? r->key : "";
    if (r->write_failed)
        return sr_err_set(err, SR_EIO, what, "cannot write '%s' locally: %s", what, strerror(r->write_failed));
    if (cc == CURLE_WRITE_ERROR)
        return sr_err_set(err, SR_EIO, what, "s3: %s '%s' in bucket '%s': the answer is larger than %d bytes",
                          r->method, what, s->bucket, XML_MAX);
    if (cc != CURLE_OK)
        return sr_err_set(err, SR_EIO, what, "s3: %s '%s' in bucket '%s' failed after %d tries: %s", r->method, what,
                          s->bucket, tries, curl_easy_strerror(cc));
    if (r->status >= 200 && r->status < 300) return 0;
    char code[64], msg[200];
    xml_text(&r->resp, "Code", code, sizeof code);
    xml_text(&r->resp, "Message", msg, sizeof msg);
    /* a 404 is a missing key, unless the bucket itself is missing (a HEAD has no body to tell) */
    if (r->status == 404 && r->key && strcmp(code, "NoSuchBucket") != 0)
        return sr_err_set(err, SR_ENOT_FOUND, what, "no stored object '%s' in bucket '%s'", what, s->bucket);
    return sr_err_set(err, SR_EIO, what, "s3: %s '%s' in bucket '%s' refused: HTTP %ld%s%s%s%s%s", r->method, what,
                      s->bucket, r->status, *code ? " " : "", code, *msg ? " (" : "", msg, *msg ? ")" : "");
}

static void req_init(s3_req *r, const char *method, const char *key, const char *query)
{
    memset(r, 0, sizeof *r);
    r->method = method;
    r->key = key;
    r->query = query;
    r->in_fd = -1;
    r->out_fd = -1;
    sr_buf_init(&r->resp, XML_MAX);
}

/* ---- multipart upload ---- */

static void abort_upload(const s3_store *s, const char *key, const char *qid)
{
    s3_req r;
    req_init(&r, "DELETE", key, qid);
    s3_do(s, &r, NULL);
    sr_buf_free(&r.resp);
}

static int put_multipart(const s3_store *s, const char *key, int fd, int64_t size, const char *ct, sr_err *err)
{
    int64_t part = s->part_size;
    if ((size + part - 1) / part > MAX_PARTS) part = ((size + MAX_PARTS - 1) / MAX_PARTS + MIB - 1) / MIB * MIB;
    int nparts = (int)((size + part - 1) / part);
    s3_req r;
    req_init(&r, "POST", key, "uploads=");
    r.content_type = ct;
    int rc = s3_do(s, &r, err);
    char id[1024];
    xml_text(&r.resp, "UploadId", id, sizeof id);
    sr_buf_free(&r.resp);
    if (rc < 0) return rc;
    if (!*id) return sr_err_set(err, SR_EIO, key, "s3: the store gave no UploadId for '%s'", key);
    sr_buf qid, done;
    sr_buf_init(&qid, 0);
    sr_buf_init(&done, XML_MAX);
    sr_buf_append(&qid, "uploadId=", 9);
    sr_sigv4_uri_encode(&qid, id, strlen(id), 0);
    sr_buf_printf(&done, "<CompleteMultipartUpload>");
    for (int i = 0; i < nparts && rc == 0; i++) {
        char q[1200];
        snprintf(q, sizeof q, "partNumber=%d&%s", i + 1, qid.p);
        req_init(&r, "PUT", key, q);
        r.in_fd = fd;
        r.in_off = (int64_t)i * part;
        r.in_len = size - r.in_off < part ? size - r.in_off : part;
        rc = s3_do(s, &r, err);
        if (rc == 0 && !r.etag[0])
            rc = sr_err_set(err, SR_EIO, key, "s3: part %d of '%s' came back with no ETag", i + 1, key);
        /* the ETag goes back as given; its quotes escaped for the XML */
        sr_buf_printf(&done, "<Part><PartNumber>%d</PartNumber><ETag>", i + 1);
        for (const char *p = r.etag; *p; p++) {
            if (*p == '"') sr_buf_printf(&done, "&quot;");
            else if (*p == '&') sr_buf_printf(&done, "&amp;");
            else if (*p == '<') sr_buf_printf(&done, "&lt;");
            else sr_buf_append(&done, p, 1);
        }
        sr_buf_printf(&done, "</ETag></Part>");
        sr_buf_free(&r.resp);
    }
    sr_buf_printf(&done, "</CompleteMultipartUpload>");
    if (rc == 0 && done.failed) rc = sr_err_set(err, SR_ENOMEM, key, "out of memory");
    if (rc == 0) {
        req_init(&r, "POST", key, qid.p);
        r.content_type = "application/xml";
        r.body = done.p;
        r.body_len = done.len;
        rc = s3_do(s, &r, err);
        /* S3 may answer 200 and still report an error in the body */
        char code[64];
        xml_text(&r.resp, "Code", code, sizeof code);
        if (rc == 0 && r.resp.p && strstr(r.resp.p, "<Error>"))
            rc = sr_err_set(err, SR_EIO, key, "s3: completing the upload of '%s' in bucket '%s' failed: %s", key,
                            s->bucket, *code ? code : "an error");
        sr_buf_free(&r.resp);
    }
    if (rc < 0) abort_upload(s, key, qid.p);
    sr_buf_free(&qid);
    sr_buf_free(&done);
    return rc;
}

/* ---- the backend's operations ---- */

static int s3_put(void *impl, const char *key, const char *path, const char *content_type, sr_err *err)
{
    const s3_store *s = impl;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        int rc = sr_err_set(err, SR_EIO, path, "cannot read %s to store as '%s': %s", path, key, strerror(errno));
        if (fd >= 0) close(fd);
        return rc;
    }
    int rc;
    if (st.st_size > s->part_size) {
        rc = put_multipart(s, key, fd, st.st_size, content_type, err);
    } else {
        s3_req r;
        req_init(&r, "PUT", key, "");
        r.content_type = content_type;
        r.in_fd = fd;
        r.in_len = st.st_size;
        rc = s3_do(s, &r, err);
        sr_buf_free(&r.resp);
    }
    close(fd);
    return rc;
}

static int s3_get(void *impl, const char *key, const char *path, sr_err *err)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return sr_err_set(err, SR_ENOMEM, key, "out of memory");
    int fd = sr_storage_tmp_open(path, tmp, n, key, err);
    if (fd < 0) {
        free(tmp);
        return fd;
    }
    s3_req r;
    req_init(&r, "GET", key, "");
    r.out_fd = fd;
    int rc = s3_do(impl, &r, err);
    sr_buf_free(&r.resp);
    if (rc == 0) rc = sr_storage_tmp_commit(fd, tmp, path, key, err);
    else sr_storage_tmp_abort(fd, tmp);
    free(tmp);
    return rc;
}

static int s3_stat(void *impl, const char *key, int64_t *size, sr_err *err)
{
    s3_req r;
    req_init(&r, "HEAD", key, "");
    int rc = s3_do(impl, &r, err);
    if (rc == 0 && size) *size = r.length;
    sr_buf_free(&r.resp);
    return rc;
}

static int s3_delete(void *impl, const char *key, sr_err *err)
{
    s3_req r;
    req_init(&r, "DELETE", key, "");
    sr_err e = {0};
    int rc = s3_do(impl, &r, &e);
    sr_buf_free(&r.resp);
    if (rc == SR_ENOT_FOUND) return 0; /* already gone */
    if (rc < 0) return sr_err_set(err, rc, e.field, "%s", e.msg);
    return 0;
}

static int s3_presign(void *impl, const char *key, int expires_s, char *out, size_t n, sr_err *err)
{
    const s3_store *s = impl;
    if (expires_s < 1 || expires_s > 604800)
        return sr_err_set(err, SR_EINVALID_FIELD, key, "a presigned URL lasts 1 s to 7 days, not %d s", expires_s);
    char date[17];
    amz_now(date);
    sr_buf path, q;
    sr_buf_init(&path, 8192);
    sr_buf_init(&q, 16384);
    object_path(s, key, &path);
    const sr_sigv4_creds c = {s->access_key, s->secret_key, s->session_token};
    int rc = 0;
    if (path.failed || sr_sigv4_presign_query(&c, "GET", s->host, path.p, date, expires_s, s->region, "s3", &q) != 0)
        rc = sr_err_set(err, SR_ENOMEM, key, "out of memory");
    if (rc == 0 && snprintf(out, n, "%s%s?%s", s->origin, path.p, q.p) >= (int)n)
        rc = sr_err_set(err, SR_ELIMIT, key, "the presigned URL of '%s' is longer than %zu bytes", key, n);
    sr_buf_free(&path);
    sr_buf_free(&q);
    return rc;
}

static void s3_close(void *impl)
{
    s3_store *s = impl;
    if (!s) return;
    if (s->secret_key) OPENSSL_cleanse(s->secret_key, strlen(s->secret_key));
    if (s->session_token) OPENSSL_cleanse(s->session_token, strlen(s->session_token));
    free(s->bucket);
    free(s->prefix);
    free(s->origin);
    free(s->host);
    free(s->base_path);
    free(s->region);
    free(s->access_key);
    free(s->secret_key);
    free(s->session_token);
    free(s);
}

static const sr_storage_ops s3_ops = {
    .kind = "s3",
    .put = s3_put,
    .get = s3_get,
    .stat = s3_stat,
    .del = s3_delete,
    .presign = s3_presign,
    .close = s3_close,
};

/* ---- the uri ---- */

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 1;
    return 0;
}

static int bad(sr_err *err, const char *what)
{
    return sr_err_set(err, SR_EINVALID_FIELD, "storage", "s3 storage: %s", what);
}

/* endpoint "http(s)://HOST[:PORT][/PATH]" -> origin, host, the path before the bucket */
static int parse_endpoint(s3_store *s, const char *ep, sr_err *err)
{
    const char *rest = strncmp(ep, "http://", 7) == 0 ? ep + 7 : strncmp(ep, "https://", 8) == 0 ? ep + 8 : NULL;
    if (!rest || !*rest) return bad(err, "endpoint= must be an http:// or https:// URL");
    size_t hl = strcspn(rest, "/?#");
    if (hl == 0 || memchr(rest, '@', hl) || rest[hl] == '?' || rest[hl] == '#' || has_control(ep))
        return bad(err, "endpoint= must be http(s)://HOST[:PORT][/PATH], without credentials or a query");
    size_t pl = strlen(rest + hl);
    while (pl && rest[hl + pl - 1] == '/') pl--;
    s->origin = strndup(ep, (size_t)(rest - ep) + hl);
    s->host = strndup(rest, hl);
    sr_buf b;
    sr_buf_init(&b, 4096);
    sr_buf_append(&b, rest + hl, pl);
    sr_buf_append(&b, "/", 1);
    sr_sigv4_uri_encode(&b, s->bucket, strlen(s->bucket), 0);
    s->base_path = b.p;
    return s->origin && s->host && !b.failed ? 0 : sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
}

static int parse_uri(s3_store *s, const char *spec, sr_err *err)
{
    size_t bl = strcspn(spec, "/?");
    if (bl < 3 || bl > 63) return bad(err, "the bucket name in s3://BUCKET/PREFIX must be 3 to 63 characters");
    for (size_t i = 0; i < bl; i++) {
        char c = spec[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
              c == '_'))
            return bad(err, "the bucket name may hold letters, digits, '.', '-' and '_' only");
    }
    if (!(s->bucket = strndup(spec, bl))) return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    const char *p = spec + bl;
    if (*p == '/') p++;
    size_t pl = strcspn(p, "?");
    char *prefix = sr_sigv4_uri_decode(p, pl);
    if (!prefix) return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    size_t n = strlen(prefix);
    while (n && prefix[n - 1] == '/') prefix[--n] = 0;
    if (n > 512 || (n && sr_storage_check_key(prefix, NULL) != 0)) {
        free(prefix);
        return bad(err, "the prefix in s3://BUCKET/PREFIX must be at most 512 bytes of plain path");
    }
    s->prefix = malloc(n + 2);
    if (!s->prefix) {
        free(prefix);
        return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    }
    snprintf(s->prefix, n + 2, "%s%s", prefix, n ? "/" : "");
    free(prefix);

    char *endpoint = NULL;
    int part_mb = 0, rc = 0;
    for (const char *q = p[pl] == '?' ? p + pl + 1 : ""; *q && rc == 0;) {
        size_t len = strcspn(q, "&");
        const char *eq = memchr(q, '=', len);
        size_t nl = eq ? (size_t)(eq - q) : len;
        char *v = eq ? sr_sigv4_uri_decode(eq + 1, len - nl - 1) : NULL;
        if (eq && !v) rc = sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
        else if (!eq) rc = bad(err, "every option needs a value (endpoint=URL, region=R, part_mb=N)");
        else if (nl == 8 && strncmp(q, "endpoint", 8) == 0) free(endpoint), endpoint = v, v = NULL;
        else if (nl == 6 && strncmp(q, "region", 6) == 0) free(s->region), s->region = v, v = NULL;
        else if (nl == 7 && strncmp(q, "part_mb", 7) == 0) {
            char *end;
            long mb = strtol(v, &end, 10);
            if (*end || mb < 5 || mb > 5120) rc = bad(err, "part_mb= must be a whole number from 5 to 5120");
            part_mb = (int)mb;
        } else {
            rc = sr_err_set(err, SR_EINVALID_FIELD, "storage",
                            "s3 storage: unknown option '%.*s' (use endpoint=, region=, part_mb=)",
                            (int)(nl > 40 ? 40 : nl), q);
        }
        free(v);
        q += len;
        if (*q == '&') q++;
    }
    if (rc == 0 && !part_mb && getenv("STORYREEL_S3_PART_MB")) {
        char *end;
        long mb = strtol(getenv("STORYREEL_S3_PART_MB"), &end, 10);
        if (*end || mb < 5 || mb > 5120) rc = bad(err, "STORYREEL_S3_PART_MB must be a whole number from 5 to 5120");
        part_mb = (int)mb;
    }
    s->part_size = (int64_t)(part_mb ? part_mb : 16) * MIB;
    if (rc == 0 && !s->region) {
        const char *r = getenv("AWS_REGION");
        s->region = strdup(r && *r ? r : "us-east-1");
        if (!s->region) rc = sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    }
    size_t rl = s->region ? strlen(s->region) : 0;
    if (rc == 0 && (rl == 0 || rl > 64 || strspn(s->region, "abcdefghijklmnopqrstuvwxyz0123456789-") != rl))
        rc = bad(err, "region= must be a region name such as us-east-1");
    if (rc == 0 && endpoint) {
        rc = parse_endpoint(s, endpoint, err);
    } else if (rc == 0) {
        /* AWS itself: virtual-hosted */
        char o[256];
        snprintf(o, sizeof o, "https://%s.s3.%s.amazonaws.com", s->bucket, s->region);
        s->origin = strdup(o);
        s->host = strdup(o + 8);
        s->base_path = strdup("");
        if (!s->origin || !s->host || !s->base_path) rc = sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    }
    free(endpoint);
    return rc;
}

int sr_storage_s3_open(const char *spec, const sr_storage_ops **ops, void **impl, sr_err *err)
{
    pthread_once(&curl_once, curl_init);
    s3_store *s = calloc(1, sizeof *s);
    if (!s) return sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    int rc = parse_uri(s, spec, err);
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    const char *tok = getenv("AWS_SESSION_TOKEN");
    if (rc == 0 && (!ak || !*ak || !sk || !*sk))
        rc = bad(err, "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set in the environment");
    if (rc == 0 && (strlen(ak) > 128 || strlen(sk) > 128 || (tok && strlen(tok) > 2048) || has_control(ak) ||
                    has_control(sk) || (tok && has_control(tok))))
        rc = bad(err, "the AWS credentials in the environment are malformed");
    if (rc == 0) {
        s->access_key = strdup(ak);
        s->secret_key = strdup(sk);
        s->session_token = tok && *tok ? strdup(tok) : NULL;
        if (!s->access_key || !s->secret_key || (tok && *tok && !s->session_token))
            rc = sr_err_set(err, SR_ENOMEM, "storage", "out of memory");
    }
    if (rc < 0) {
        s3_close(s);
        return rc;
    }
    *ops = &s3_ops;
    *impl = s;
    return 0;
}
