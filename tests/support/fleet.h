/* fleet.h - a fleet of storyreel nodes for the tests: API nodes (`serve
 * --workers 0`) and render nodes (`worker`), real processes on loopback,
 * all on one store and one storage. */
#ifndef SR_TEST_FLEET_H
#define SR_TEST_FLEET_H

#include <sys/types.h>

#include <jansson.h>

#include "http_client.h"

#define SR_TEST_FLEET_MAX 6

typedef struct sr_test_fleet {
    char dir[400];                    /* the fleet's temporary folder (node caches, logs) */
    char shared[2200];                /* "--store URI --storage URI" */
    sr_test_server api[SR_TEST_FLEET_MAX];
    int n_api;
    pid_t render[SR_TEST_FLEET_MAX];  /* 0 once killed */
    char render_name[SR_TEST_FLEET_MAX][32];
    int n_render;
    char key[128], account[64];       /* one account's key (made by `keys create` on the store) */
} sr_test_fleet;

/* A fleet on store_uri and storage_uri (NULL: sqlite and file storage in its
 * folder) with one account's key; no node yet. 0 or -1. */
int sr_test_fleet_init(sr_test_fleet *f, const char *store_uri, const char *storage_uri);
/* Starts render node `name` with processes processes (and extra args): its index, or -1. */
int sr_test_fleet_render(sr_test_fleet *f, const char *name, int processes, const char *extra);
/* Starts an API node (extra args) and waits for its /healthz 200: its index, or -1. */
int sr_test_fleet_api(sr_test_fleet *f, const char *extra);
/* Polls API node i's /healthz until it reports workers == n (at most timeout_s):
 * the last status (200/503), or -1 on timeout. */
int sr_test_fleet_wait_workers(const sr_test_fleet *f, int i, int n, double timeout_s);
/* Stops every node and removes the folder: 0, or -1 when a node's log
 * holds a sanitizer's report (printed). */
int sr_test_fleet_stop(sr_test_fleet *f);

#endif
