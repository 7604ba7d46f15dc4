/* hook_server.c - see hook_server.h. */
#include "hook_server.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "common/util.h"
#include "fixtures.h"
#include "http_client.h"

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static enum MHD_Result on_req(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *data, size_t *size, void **con_cls)
{
    (void)url, (void)method, (void)version, (void)data;
    sr_test_hook *h = cls;
    if (!*con_cls) { /* first call: headers only */
        *con_cls = h;
        return MHD_YES;
    }
    if (*size) { /* the body is not kept */
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&h->mu);
    int delay = h->delay_ms, status = h->status;
    char location[256];
    snprintf(location, sizeof location, "%s", h->location);
    size_t len = h->body ? h->body_len : 2;
    char *body = malloc(len ? len : 1);
    if (body) memcpy(body, h->body ? h->body : "ok", len);
    if (++h->in_flight > h->max_in_flight) h->max_in_flight = h->in_flight;
    pthread_mutex_unlock(&h->mu);
    if (delay) nap_ms(delay);
    if (!status) status = location[0] ? 302 : 200;
    struct MHD_Response *resp = MHD_create_response_from_buffer(body ? len : 0, body ? body : (void *)"",
                                                                body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (location[0]) MHD_add_response_header(resp, "Location", location);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    pthread_mutex_lock(&h->mu);
    h->in_flight--;
    h->count++;
    h->last_at = sr_now();
    pthread_mutex_unlock(&h->mu);
    return ret;
}

int sr_test_hook_start(sr_test_hook *h)
{
    pthread_mutex_init(&h->mu, NULL);
    for (int tries = 0; tries < 5 && !h->daemon; tries++) {
        h->port = sr_test_free_port();
        h->daemon = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD,
                                     (uint16_t)h->port, NULL, NULL, on_req, h, MHD_OPTION_END);
    }
    return h->daemon ? 0 : -1;
}

void sr_test_hook_stop(sr_test_hook *h)
{
    if (h->daemon) MHD_stop_daemon(h->daemon);
    h->daemon = NULL;
    free(h->body);
    h->body = NULL;
    pthread_mutex_destroy(&h->mu);
}

int sr_test_hook_count(sr_test_hook *h)
{
    pthread_mutex_lock(&h->mu);
    int n = h->count;
    pthread_mutex_unlock(&h->mu);
    return n;
}

int sr_test_hook_wait(sr_test_hook *h, int count, double timeout_s)
{
    for (double t0 = sr_now(); sr_now() - t0 < timeout_s; nap_ms(20))
        if (sr_test_hook_count(h) >= count) return 0;
    return -1;
}

int sr_test_hook_serve_png(sr_test_hook *h, const char *path)
{
    sr_err e = {0};
    free(h->body);
    h->body = NULL;
    if (sr_test_write_image(path, 32, 18, 0, 200, 0, 255)) return -1;
    return sr_read_file(path, 1 << 20, &h->body, &h->body_len, &e) ? -1 : 0;
}
