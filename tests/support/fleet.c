/* fleet.c - see fleet.h. */
#include "fleet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fixtures.h"

int sr_test_fleet_init(sr_test_fleet *f, const char *store_uri, const char *storage_uri)
{
    memset(f, 0, sizeof *f);
    char *d = sr_test_tmpdir();
    if (!d) return -1;
    snprintf(f->dir, sizeof f->dir, "%s", d);
    free(d);
    char store[1000], storage[1000];
    snprintf(store, sizeof store, "%s", store_uri ? store_uri : "");
    snprintf(storage, sizeof storage, "%s", storage_uri ? storage_uri : "");
    if (!store_uri) snprintf(store, sizeof store, "sqlite:%s/store.db", f->dir);
    if (!storage_uri) snprintf(storage, sizeof storage, "file:%s/storage", f->dir);
    snprintf(f->shared, sizeof f->shared, "--store '%s' --storage '%s'", store, storage);
    char args[2400];
    snprintf(args, sizeof args, "%s", f->shared); /* keys: the store alone */
    *strstr(args, " --storage") = 0;
    json_t *k = sr_test_keys_create(args, "fleet", NULL);
    if (!k) return -1;
    snprintf(f->key, sizeof f->key, "%s", json_string_value(json_object_get(k, "key")));
    snprintf(f->account, sizeof f->account, "%s", json_string_value(json_object_get(k, "account")));
    json_decref(k);
    return 0;
}

int sr_test_fleet_render(sr_test_fleet *f, const char *name, int processes, const char *extra)
{
    if (f->n_render >= SR_TEST_FLEET_MAX) return -1;
    int i = f->n_render;
    char args[3200], log[600];
    snprintf(args, sizeof args, "worker %s --data '%s/render-%d' --processes %d --name %s %s", f->shared, f->dir, i,
             processes, name, extra ? extra : "");
    snprintf(log, sizeof log, "%s/render-%d.log", f->dir, i);
    if ((f->render[i] = sr_test_spawn(args, log)) <= 0) return -1;
    snprintf(f->render_name[i], sizeof f->render_name[i], "%s", name);
    return f->n_render++;
}

int sr_test_fleet_api(sr_test_fleet *f, const char *extra)
{
    if (f->n_api >= SR_TEST_FLEET_MAX) return -1;
    sr_test_server *s = &f->api[f->n_api];
    char args[3200];
    char dir[sizeof f->dir + 16];
    snprintf(dir, sizeof dir, "%s/api-%d", f->dir, f->n_api % 10);
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    if (sr_test_sh("mkdir -p '%s'", s->dir)) return -1;
    snprintf(args, sizeof args, "--workers 0 %s %s", f->shared, extra ? extra : "");
    return sr_test_server_start(s, args) ? -1 : f->n_api++;
}

int sr_test_fleet_wait_workers(const sr_test_fleet *f, int i, int n, double timeout_s)
{
    char url[200];
    snprintf(url, sizeof url, "%s/healthz", f->api[i].url);
    for (double waited = 0; waited <= timeout_s; waited += 0.2) {
        sr_http_resp r;
        int st = sr_http("GET", url, NULL, NULL, NULL, 0, &r);
        json_t *w = json_object_get(r.json, "workers");
        int got = w ? (int)json_integer_value(w) : -1;
        sr_http_resp_free(&r);
        if (got == n) return st;
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return -1;
}

int sr_test_fleet_stop(sr_test_fleet *f)
{
    for (int i = 0; i < f->n_api; i++) sr_test_server_stop(&f->api[i], 1);
    for (int i = 0; i < f->n_render; i++) sr_test_kill(f->render[i], 1);
    /* a sanitizer's report in a node's log (an ASan build) fails the test, shown */
    int bad = f->dir[0] && sr_test_sh("! grep -s -E 'ERROR: AddressSanitizer|runtime error:' '%s'/*.log "
                                      "'%s'/api-*/server.log >&2", f->dir, f->dir) != 0;
    if (f->dir[0]) sr_test_rmdir(f->dir);
    memset(f, 0, sizeof *f);
    return bad ? -1 : 0;
}
