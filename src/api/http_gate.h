/* http_gate.h - the front door of the HTTP API. A thread owns the listening
 * socket and holds each new connection until its request head is complete:
 * it reads the head without consuming it (MSG_PEEK), checks it with
 * sr_http_head_parse, and then either hands the connection to libmicrohttpd
 * (MHD_add_connection) or answers the API's JSON error shape itself and
 * closes. So a malformed head never reaches libmicrohttpd's HTML error pages,
 * and a head that stalls is dropped after a short timeout (408) instead of
 * the connection timeout. Pending connections are bounded in number, overall
 * and per client address; they hold no memory beyond their socket. */
#ifndef SR_HTTP_GATE_H
#define SR_HTTP_GATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define SR_HTTP_MAX_FIELDS 100 /* header fields, and query parameters, of a request (libmicrohttpd
                                * keeps a record of each in its per-connection pool) */

/* A request head (request line and header fields, through the blank line). */
typedef struct sr_http_head {
    int status;              /* a refusal: its HTTP status (400, 411, 431, 501, 505) */
    const char *code, *msg;  /* a refusal: error code and sentence (static) */
    size_t head_len;         /* bytes through the blank line */
    const char *method, *target; /* into the buffer parsed (not NUL-terminated) */
    size_t method_len, target_len;
    int64_t content_length;  /* -1: none */
} sr_http_head;

/* Checks the head at buf[0..len): 0 with *h filled when complete and well
 * formed; 1 when it is not complete yet (nothing wrong so far and len <
 * max_head); -1 with h->status, code and msg when it must be refused (a
 * malformed request line or header field, an unsupported version, any
 * transfer coding (411: a body needs Content-Length), conflicting lengths,
 * more than SR_HTTP_MAX_FIELDS fields or query parameters, or a head of
 * max_head bytes or more).
 * Pure: no allocation, linear in len. */
int sr_http_head_parse(const char *buf, size_t len, size_t max_head, sr_http_head *h);

typedef struct sr_gate sr_gate;

typedef struct sr_gate_cfg {
    int head_timeout_ms; /* a head must be complete this soon after connecting */
    int max_pending;     /* connections waiting for their head, overall */
    int max_per_ip;      /* ... and per client address */
    size_t max_head;     /* bytes of a head */
} sr_gate_cfg;

struct MHD_Daemon;
/* Starts the gate thread on listen_fd (a listening socket, owned by the gate
 * from now on) feeding daemon d (started with MHD_USE_NO_LISTEN_SOCKET and
 * MHD_USE_ITC). */
int sr_gate_start(int listen_fd, struct MHD_Daemon *d, const sr_gate_cfg *cfg, sr_gate **out, sr_err *err);
/* Stops the thread and closes the listening socket and pending connections.
 * Call before MHD_stop_daemon. Accepts NULL. */
void sr_gate_stop(sr_gate *g);
/* Writes a complete JSON error answer (Connection: close) for status into
 * out; returns its length (0 when it does not fit). */
size_t sr_gate_answer(int status, const char *code, const char *msg, char *out, size_t n);

#endif
