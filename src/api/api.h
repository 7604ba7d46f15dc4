/* api.h - the HTTP API of `storyreel serve` (libmicrohttpd with its own
 * thread pool). Requests only read and write the store; renders happen in
 * worker processes, so no request ever waits on one. */
#ifndef SR_API_H
#define SR_API_H

#include "common/err.h"
#include "jobs/jobs.h"
#include "store/store.h"

typedef struct sr_api sr_api;

/* Starts serving cfg->listen_host:listen_port. server_secret signs upload
 * URLs and access tokens. *workers_alive is read by /healthz (it is updated
 * by the supervisor). The pointers must outlive the server. */
int sr_api_create(const sr_svc_cfg *cfg, const sr_store_ops *ops, sr_store *st, const char *server_secret,
                  const volatile int *workers_alive, sr_api **out, sr_err *err);
/* Route i of the route table (method, pattern as matched after the optional
 * /pictoryapis prefix; "*" one segment, "**" the rest): 1, or 0 past the end.
 * The OpenAPI document (docs/openapi.yaml) is checked against it. */
int sr_api_route(size_t i, const char **method, const char **pattern);
/* Stops the server (waits for requests in flight) and frees it. Accepts NULL. */
void sr_api_destroy(sr_api *a);
/* The route table's answer for method + url (NUL-terminated; the query is
 * not part of it): a route index >= 0, -2 when only the method differs, -1
 * when no route matches. Pure (fuzz/fuzz_http.c). */
int sr_api_route_lookup(const char *method, const char *url);

#endif
