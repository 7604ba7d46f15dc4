/* fuzz_http.c - HTTP request handling without a socket: the gate's request
 * head parser (src/api/http_gate.c: request line, header fields, lengths)
 * and, for a head it accepts, the route table's matcher (src/api/http.c) on
 * its method and path, then the JSON answer the gate writes for a refusal.
 * The input is raw bytes as a client would send them (head, maybe body). */
#include "fuzz_common.h"

#include <stdio.h>

#include "api/api.h"
#include "api/http_gate.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);
int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT) return 0;
    sr_http_head h;
    int rc = sr_http_head_parse((const char *)data, size, 16 << 10, &h);
    if (rc < 0) {
        char out[640];
        if (!h.status || !h.code || !h.msg || !sr_gate_answer(h.status, h.code, h.msg, out, sizeof out)) abort();
        return 0;
    }
    if (rc > 0) return 0;
    if (h.head_len > size || !h.method_len || !h.target_len || h.method_len > 32) abort();
    char method[40], path[1024];
    const char *q = memchr(h.target, '?', h.target_len);
    size_t pl = q ? (size_t)(q - h.target) : h.target_len;
    if (pl >= sizeof path) return 0;
    snprintf(method, sizeof method, "%.*s", (int)h.method_len, h.method);
    memcpy(path, h.target, pl);
    path[pl] = 0;
    (void)sr_api_route_lookup(method, path);
    return 0;
}
