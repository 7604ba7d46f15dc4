/* http_client.h - a tiny blocking HTTP/1.1 client over plain sockets for the
 * service's tests (one request per connection), and helpers that run the
 * real storyreel server (SR_BINARY) on a free loopback port. */
#ifndef SR_TEST_HTTP_CLIENT_H
#define SR_TEST_HTTP_CLIENT_H

#include <sys/types.h>

#include <jansson.h>

typedef struct sr_http_resp {
    int status;       /* 0 when no answer came */
    char *headers;    /* raw header block, malloc'd */
    char *body;       /* malloc'd, NUL-terminated */
    size_t body_len;
    json_t *json;     /* the body parsed, or NULL */
} sr_http_resp;

/* Sends method url (http://HOST:PORT/path) with an Authorization header when
 * auth is non-NULL, extra header lines ("Name: value\r\n"...) when non-NULL,
 * and body (len bytes; len < 0: strlen). Returns the status (0 on failure). */
int sr_http(const char *method, const char *url, const char *auth, const char *extra, const char *body, long len,
            sr_http_resp *out);
void sr_http_resp_free(sr_http_resp *r);
/* The value of header name in r (case-insensitive) into buf; NULL if absent. */
const char *sr_http_header(const sr_http_resp *r, const char *name, char *buf, size_t n);

typedef struct sr_test_server {
    pid_t pid;
    int port;
    char dir[512];   /* temporary folder (data under dir/data) */
    char url[128];   /* http://127.0.0.1:PORT */
    char args[1024]; /* extra serve arguments */
} sr_test_server;

/* A loopback TCP port that was free a moment ago. */
int sr_test_free_port(void);
/* Starts `storyreel serve` on dir (made when dir is "") with extra args and
 * waits until /healthz answers 200 (at most 20 s). 0 or -1. */
int sr_test_server_start(sr_test_server *s, const char *args);
/* Starts it like sr_test_server_start without waiting for /healthz. */
int sr_test_server_spawn(sr_test_server *s, const char *args);
/* SIGTERM (hard = 0) or SIGKILL of the server's whole process group (hard = 1), then waits. */
void sr_test_server_stop(sr_test_server *s, int hard);
/* Creates a key with `storyreel keys create --json`; returns the parsed
 * object ({key, id, account, webhookSecret}) or NULL. */
json_t *sr_test_key_create(const sr_test_server *s, const char *name, const char *account);
/* The same on the store named by store_args ("--store URI", "--data DIR"). */
json_t *sr_test_keys_create(const char *store_args, const char *name, const char *account);
/* GET url (no key) and its body into the file path: 0 when it answered 200, else -1. */
int sr_test_http_save(const char *url, const char *path);
/* Runs `storyreel ARGS` (SR_BINARY; ARGS as a shell would split them) in its
 * own process group, stderr appended to log: its pid, or -1. */
pid_t sr_test_spawn(const char *args, const char *log);
/* SIGTERM to pid (hard = 0) or SIGKILL to its whole group (hard = 1), then waits. */
void sr_test_kill(pid_t pid, int hard);
/* Polls GET /v1/jobs/{id} until completed or failed (or timeout_s); returns its JSON (caller decrefs). */
json_t *sr_test_wait_job(const sr_test_server *s, const char *key, const char *job_id, double timeout_s);
/* POSTs/PUTs a JSON body to a /pictoryapis path and returns data.jobId (malloc'd) or NULL. */
char *sr_test_submit(const sr_test_server *s, const char *key, const char *method, const char *path,
                     const char *body);

/* The usual API test fixture: a server on a fresh temporary folder with a
 * media root DIR/media (passed as --media-root), started with extra args,
 * and keys of two accounts (alice: key_a, bob: key_b). NULL on failure. */
typedef struct sr_test_world {
    sr_test_server srv;
    char key_a[128], key_b[128], account_a[64];
} sr_test_world;
sr_test_world *sr_test_world_start(const char *args);
/* Stops the server and removes the folder; accepts NULL. */
void sr_test_world_stop(sr_test_world *w);
/* METHOD path with key and a JSON body (or NULL): path is under /pictoryapis
 * unless it starts with '!' (then it is taken from the server's root). */
int sr_test_api(const sr_test_world *w, const char *method, const char *path, const char *key, const char *body,
                sr_http_resp *r);
/* The same on server s. */
int sr_test_api_at(const sr_test_server *s, const char *method, const char *path, const char *key, const char *body,
                   sr_http_resp *r);

#endif
