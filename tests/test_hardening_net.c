/* libs: sr_service sr_common */
/* test_hardening_net.c - the network guard (issue: hardening, item 8): the
 * address classifier over every entry of the IANA special-purpose registries
 * (with the embedded IPv4 of mapped, NAT64 and 6to4 addresses), and against
 * a real server: webhooks and media URLs to loopback servers this test runs
 * are refused unless allowed, and a redirect from an allowed address to a
 * private one is refused.
 *
 * "Allowed" for a loopback server is made with --allow-private-address
 * 127.0.0.1:PORT, which lets exactly that address and port through (the
 * option exists for internal media servers); every other private address
 * stays refused, so the redirect to a second loopback port is the honest
 * case of "a public target redirects to a private one". */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/util.h"
#include "jobs/jobs.h"
#include "support/fixtures.h"
#include "support/hook_server.h"
#include "support/http_client.h"

static int classify(const char *ip, const char **range)
{
    struct sockaddr_storage ss = {0};
    if (strchr(ip, ':')) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
    } else {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
    }
    return sr_net_is_global((struct sockaddr *)&ss, range);
}

/* Every registry entry (first, inside and last addresses), the neighbours
 * just outside, and embedded IPv4 addresses both ways. */
static void test_private_guard_is_a_fixed_list(void **state)
{
    (void)state;
    static const struct {
        const char *ip;
        int global;
        const char *range; /* a part of the range's name (when not global) */
    } cases[] = {
        {"0.0.0.0", 0, "0.0.0.0/8"},           {"0.255.255.255", 0, "0.0.0.0/8"},
        {"10.0.0.1", 0, "10.0.0.0/8"},         {"10.255.255.255", 0, "10.0.0.0/8"},
        {"100.64.0.0", 0, "100.64.0.0/10"},    {"100.127.255.255", 0, "100.64.0.0/10"},
        {"100.63.255.255", 1, NULL},           {"100.128.0.0", 1, NULL},
        {"127.0.0.1", 0, "127.0.0.0/8"},       {"127.255.255.254", 0, "127.0.0.0/8"},
        {"169.254.169.254", 0, "169.254.0.0/16"}, {"172.16.0.1", 0, "172.16.0.0/12"},
        {"172.31.255.255", 0, "172.16.0.0/12"}, {"172.15.255.255", 1, NULL},
        {"172.32.0.0", 1, NULL},               {"192.0.0.1", 0, "192.0.0.0/24"},
        {"192.0.0.255", 0, "192.0.0.0/24"},    {"192.0.1.1", 1, NULL},
        {"192.0.2.1", 0, "192.0.2.0/24"},      {"192.0.2.255", 0, "192.0.2.0/24"},
        {"192.88.99.1", 0, "192.88.99.0/24"},  {"192.168.0.1", 0, "192.168.0.0/16"},
        {"192.168.255.255", 0, "192.168.0.0/16"}, {"192.31.196.1", 1, NULL}, /* AS112: global */
        {"198.18.0.1", 0, "198.18.0.0/15"},    {"198.19.255.255", 0, "198.18.0.0/15"},
        {"198.17.255.255", 1, NULL},           {"198.20.0.0", 1, NULL},
        {"198.51.100.7", 0, "198.51.100.0/24"}, {"203.0.113.9", 0, "203.0.113.0/24"},
        {"224.0.0.1", 0, "multicast"},         {"239.255.255.255", 0, "multicast"},
        {"240.0.0.1", 0, "240.0.0.0/4"},       {"255.255.255.254", 0, "240.0.0.0/4"},
        {"255.255.255.255", 0, "240.0.0.0/4"}, {"8.8.8.8", 1, NULL},
        {"1.1.1.1", 1, NULL},                  {"93.184.216.34", 1, NULL},
        {"::", 0, "::/128"},                   {"::1", 0, "::1/128"},
        {"::ffff:127.0.0.1", 0, "127.0.0.0/8"}, {"::ffff:10.1.2.3", 0, "10.0.0.0/8"},
        {"::ffff:8.8.8.8", 1, NULL},           {"::8.8.8.8", 0, "IPv4-compatible"},
        {"64:ff9b::7f00:1", 0, "127.0.0.0/8"}, {"64:ff9b::c0a8:101", 0, "192.168.0.0/16"},
        {"64:ff9b::808:808", 1, NULL},         {"64:ff9b:1::808:808", 0, "64:ff9b:1::/48"},
        {"100::1", 0, "100::/64"},             {"100::ffff:ffff:ffff:ffff", 0, "100::/64"},
        {"100:0:0:1::5", 0, "100:0:0:1::/64"}, {"2001::1", 0, "2001::/23"},
        {"2001:0:4136:e378:8000:63bf:3fff:fdd2", 0, "2001::/23"}, /* Teredo */
        {"2001:2::1", 0, "2001::/23"},         {"2001:1ff:ffff::1", 0, "2001::/23"},
        {"2001:200::1", 1, NULL},              {"2001:4860:4860::8888", 1, NULL},
        {"2001:db8::1", 0, "2001:db8::/32"},   {"2001:db8:ffff:ffff::1", 0, "2001:db8::/32"},
        {"2002:7f00:1::1", 0, "127.0.0.0/8"},  {"2002:c000:0201::1", 0, "192.0.2.0/24"},
        {"2002:808:808::1", 1, NULL},          {"2620:4f:8000::1", 1, NULL}, /* AS112-v6: global */
        {"3fff::1", 0, "3fff::/20"},           {"3fff:fff::1", 0, "3fff::/20"},
        {"3fff:1000::1", 1, NULL},             {"5f00::1", 0, "5f00::/16"},
        {"fc00::1", 0, "fc00::/7"},            {"fdff:ffff::1", 0, "fc00::/7"},
        {"fe80::1", 0, "fe80::/10"},           {"febf::1", 0, "fe80::/10"},
        {"fec0::1", 0, "fec0::/10"},           {"feff::1", 0, "fec0::/10"},
        {"ff02::1", 0, "ff00::/8"},            {"ff0e::1", 0, "ff00::/8"},
        {"4000::1", 0, "2000::/3"},            {"1::1", 0, "2000::/3"},
        {"2606:4700:4700::1111", 1, NULL},     {"2a00:1450:4001::1", 1, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *range = NULL;
        int g = classify(cases[i].ip, &range);
        if (g != cases[i].global || (cases[i].range && (!range || !strstr(range, cases[i].range))))
            fail_msg("%s: global %d (%s), expected %d (%s)", cases[i].ip, g, range ? range : "", cases[i].global,
                     cases[i].range ? cases[i].range : "");
    }
    /* an exact exception lets one address and port through, nothing else */
    sr_net_guard g;
    sr_net_guard_init(&g, 0, "127.0.0.1:8081,[::1]:9000");
    struct sockaddr_in s4 = {.sin_family = AF_INET, .sin_port = htons(8081)};
    inet_pton(AF_INET, "127.0.0.1", &s4.sin_addr);
    assert_int_equal(sr_net_guard_check(&g, (struct sockaddr *)&s4), 0);
    s4.sin_port = htons(8082);
    assert_int_equal(sr_net_guard_check(&g, (struct sockaddr *)&s4), -1);
    assert_int_equal(g.refused, 1);
    assert_string_equal(g.refused_addr, "127.0.0.1:8082");
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_port = htons(9000)};
    inet_pton(AF_INET6, "::1", &s6.sin6_addr);
    assert_int_equal(sr_net_guard_check(&g, (struct sockaddr *)&s6), 0);
    sr_net_guard_init(&g, 1, NULL); /* --allow-private-*: anything */
    assert_int_equal(sr_net_guard_check(&g, (struct sockaddr *)&s4), 0);
}

static const char *jget(json_t *j, const char *a, const char *b)
{
    return json_string_value(json_object_get(json_object_get(j, a), b));
}

/* A one-scene storyboard whose background is url, with webhook hook (or none). */
static char *story(const char *url, const char *hook)
{
    char *s = malloc(2048);
    char hk[400] = "";
    if (hook) snprintf(hk, sizeof hk, "\"webhook\":\"%s\",", hook);
    if (url)
        snprintf(s, 2048,
                 "{\"videoName\":\"g\",\"videoWidth\":160,\"videoHeight\":90,%s\"scenes\":[{\"background\":"
                 "{\"visualUrl\":\"%s\",\"type\":\"image\"},\"minimumDuration\":1}]}",
                 hk, url);
    else
        snprintf(s, 2048,
                 "{\"videoName\":\"g\",\"videoWidth\":160,\"videoHeight\":90,%s\"scenes\":[{\"background\":"
                 "{\"color\":\"#336699\"},\"minimumDuration\":1}]}",
                 hk);
    return s;
}

static json_t *render(sr_test_world *w, const char *body)
{
    char *id = sr_test_submit(&w->srv, w->key_a, "POST", "/v2/video/storyboard/render", body);
    assert_non_null(id);
    json_t *j = sr_test_wait_job(&w->srv, w->key_a, id, 60);
    free(id);
    assert_non_null(j);
    return j;
}

/* Webhooks: refused to a private address, delivered to the one allowed. */
static void test_webhook_private_address_not_refused(void **state)
{
    (void)state;
    sr_test_hook ok = {0}, blocked = {0};
    assert_int_equal(sr_test_hook_start(&ok), 0);
    assert_int_equal(sr_test_hook_start(&blocked), 0);
    char args[200], hook_ok[128], hook_blocked[128];
    snprintf(args, sizeof args, "--workers 1 --allow-private-address 127.0.0.1:%d", ok.port);
    sr_test_world *w = sr_test_world_start(args);
    assert_non_null(w);
    snprintf(hook_ok, sizeof hook_ok, "http://127.0.0.1:%d/h", ok.port);
    snprintf(hook_blocked, sizeof hook_blocked, "http://localhost:%d/h", blocked.port); /* a name, resolved */
    char *b1 = story(NULL, hook_blocked), *b2 = story(NULL, hook_ok);
    json_t *j1 = render(w, b1), *j2 = render(w, b2);
    assert_string_equal(jget(j1, "data", "status"), "completed");
    assert_string_equal(jget(j2, "data", "status"), "completed");
    assert_int_equal(sr_test_hook_wait(&ok, 1, 20), 0);
    sr_test_hook_wait(&blocked, 1, 3); /* retries come after 1 s, 2 s */
    assert_int_equal(sr_test_hook_count(&blocked), 0);
    json_decref(j1);
    json_decref(j2);
    free(b1);
    free(b2);
    sr_test_world_stop(w);
    sr_test_hook_stop(&ok);
    sr_test_hook_stop(&blocked);
}

/* Media: special-purpose addresses the old list missed are refused by the
 * guard (not by a failed connection), a redirect from the allowed loopback
 * server to another loopback port is refused, and the allowed one works. */
static void test_media_redirect_to_private_not_refused(void **state)
{
    (void)state;
    sr_test_hook img = {0}, redir = {0};
    const char *dir = sr_test_tmpdir();
    assert_int_equal(sr_test_hook_serve_png(&img, sr_test_path(dir, "c.png")), 0);
    assert_int_equal(sr_test_hook_start(&img), 0);
    assert_int_equal(sr_test_hook_start(&redir), 0);
    snprintf(redir.location, sizeof redir.location, "http://127.0.0.1:%d/c.png", img.port);
    char args[200], url[160];
    snprintf(args, sizeof args, "--workers 1 --allow-private-address 127.0.0.1:%d", redir.port);
    sr_test_world *w = sr_test_world_start(args);
    assert_non_null(w);
    /* redirect: allowed first hop, refused second */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/c.png", redir.port);
    char *b = story(url, NULL);
    json_t *j = render(w, b);
    assert_string_equal(jget(j, "data", "status"), "failed");
    assert_string_equal(jget(j, "data", "error_code"), "MEDIA_FORBIDDEN");
    char want[64];
    snprintf(want, sizeof want, "127.0.0.1:%d", img.port);
    assert_non_null(strstr(jget(j, "data", "error_message"), want));
    assert_int_equal(sr_test_hook_count(&redir), 1);
    assert_int_equal(sr_test_hook_count(&img), 0);
    json_decref(j);
    free(b);
    /* ranges the fixed list missed: refused by the guard, naming the range */
    static const struct {
        const char *url, *range;
    } missed[] = {{"http://198.18.0.1:9/x.png", "198.18.0.0/15"},
                  {"http://192.0.2.10:9/x.png", "192.0.2.0/24"},
                  {"http://[64:ff9b::7f00:1]:9/x.png", "127.0.0.0/8"},
                  {"http://[2002:7f00:1::1]:9/x.png", "127.0.0.0/8"},
                  {"http://[fec0::1]:9/x.png", "fec0::/10"}};
    for (size_t i = 0; i < sizeof missed / sizeof missed[0]; i++) {
        b = story(missed[i].url, NULL);
        j = render(w, b);
        assert_string_equal(jget(j, "data", "error_code"), "MEDIA_FORBIDDEN");
        if (!strstr(jget(j, "data", "error_message"), missed[i].range))
            fail_msg("%s: %s", missed[i].url, jget(j, "data", "error_message"));
        json_decref(j);
        free(b);
    }
    /* the allowed address itself works (no redirect now) */
    pthread_mutex_lock(&redir.mu);
    redir.location[0] = 0;
    redir.body = img.body;
    redir.body_len = img.body_len;
    img.body = NULL;
    pthread_mutex_unlock(&redir.mu);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/d.png", redir.port);
    b = story(url, NULL);
    j = render(w, b);
    assert_string_equal(jget(j, "data", "status"), "completed");
    json_decref(j);
    free(b);
    sr_test_world_stop(w);
    sr_test_hook_stop(&img);
    sr_test_hook_stop(&redir);
    sr_test_rmdir(dir);
    free((void *)dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_guard_is_a_fixed_list),
        cmocka_unit_test(test_webhook_private_address_not_refused),
        cmocka_unit_test(test_media_redirect_to_private_not_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
