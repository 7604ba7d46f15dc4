/* hook_server.h - a loopback HTTP server for tests of outgoing requests
 * (webhooks, media fetches): libmicrohttpd, one thread per connection so a
 * slow answer does not hold up others. It counts requests and the most in
 * flight at once, and answers with a delay, a status, a redirect or a body
 * as set (change the settings under mu while it runs). */
#ifndef SR_TEST_HOOK_SERVER_H
#define SR_TEST_HOOK_SERVER_H

#include <pthread.h>
#include <stddef.h>

typedef struct sr_test_hook {
    pthread_mutex_t mu;
    int port;            /* set by start */
    /* settings */
    int delay_ms;        /* sleep before answering */
    int status;          /* 0: 200 (302 when location is set) */
    char location[256];  /* redirect target */
    char *body;          /* answer body (malloc'd, owned; NULL: "ok") */
    size_t body_len;
    /* observations */
    int count;           /* requests answered */
    int in_flight, max_in_flight;
    double last_at;      /* sr_now() of the last answer */
    void *daemon;
} sr_test_hook;

/* Starts h (zeroed, settings filled) on a free loopback port: 0 or -1. */
int sr_test_hook_start(sr_test_hook *h);
/* Stops it and frees the body. */
void sr_test_hook_stop(sr_test_hook *h);
/* Waits until h has answered count requests (at most timeout_s): 0 or -1. */
int sr_test_hook_wait(sr_test_hook *h, int count, double timeout_s);
/* Makes a small green PNG at path and the answer body (before start). 0 or -1. */
int sr_test_hook_serve_png(sr_test_hook *h, const char *path);
/* The number answered so far. */
int sr_test_hook_count(sr_test_hook *h);

#endif
