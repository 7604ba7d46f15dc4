/* netguard.c - the one network guard of media fetches and webhook delivery.
 *
 * An address is "global" when no entry of the IANA IPv4 and IPv6
 * Special-Purpose Address Registries marks it as not globally reachable
 * (tables below; a few globally reachable anycast entries inside refused
 * blocks, e.g. 192.0.0.9/32 or 2001:1::1/128, are refused with their block:
 * no media server or webhook receiver lives there). IPv6 outside 2000::/3 is
 * never global unicast. Addresses that embed an IPv4 address (IPv4-mapped,
 * NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the embedded address.
 *
 * The check runs in libcurl's CURLOPT_OPENSOCKETFUNCTION, which receives the
 * very address curl is about to connect to: after DNS resolution, for every
 * connection (so on every redirect) and for every address tried, so a
 * rebinding DNS answer cannot slip a private address past it. Proxies from
 * the environment are disabled (the guard would see the proxy, not the
 * target). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jobs/jobs.h"

typedef struct v4_range {
    uint32_t net;
    int len;
    const char *name;
} v4_range;

/* IANA IPv4 Special-Purpose Address Registry: entries not globally reachable
 * (plus multicast and the limited broadcast). */
static const v4_range v4_special[] = {
    {0x00000000, 8, "0.0.0.0/8 (this network)"},
    {0x0a000000, 8, "10.0.0.0/8 (private use)"},
    {0x64400000, 10, "100.64.0.0/10 (shared address space)"},
    {0x7f000000, 8, "127.0.0.0/8 (loopback)"},
    {0xa9fe0000, 16, "169.254.0.0/16 (link local)"},
    {0xac100000, 12, "172.16.0.0/12 (private use)"},
    {0xc0000000, 24, "192.0.0.0/24 (IETF protocol assignments)"},
    {0xc0000200, 24, "192.0.2.0/24 (documentation, TEST-NET-1)"},
    {0xc0586300, 24, "192.88.99.0/24 (deprecated 6to4 relay anycast)"},
    {0xc0a80000, 16, "192.168.0.0/16 (private use)"},
    {0xc6120000, 15, "198.18.0.0/15 (benchmarking)"},
    {0xc6336400, 24, "198.51.100.0/24 (documentation, TEST-NET-2)"},
    {0xcb007100, 24, "203.0.113.0/24 (documentation, TEST-NET-3)"},
    {0xe0000000, 4, "224.0.0.0/4 (multicast)"},
    {0xf0000000, 4, "240.0.0.0/4 (reserved)"},
    {0xffffffff, 32, "255.255.255.255/32 (limited broadcast)"},
};

enum { EMBED_NONE, EMBED_V4_LAST32, EMBED_V4_6TO4 };

typedef struct v6_range {
    uint8_t net[16];
    int len;
    int embed; /* judged by an embedded IPv4 address instead */
    const char *name;
} v6_range;

/* IANA IPv6 Special-Purpose Address Registry (not globally reachable), the
 * deprecated site-local block, and the prefixes embedding IPv4 addresses.
 * More specific entries come first. */
static const v6_range v6_special[] = {
    {{0}, 128, EMBED_NONE, "::/128 (unspecified)"},
    {{[15] = 1}, 128, EMBED_NONE, "::1/128 (loopback)"},
    {{[10] = 0xff, [11] = 0xff}, 96, EMBED_V4_LAST32, "::ffff:0:0/96 (IPv4-mapped)"},
    {{0}, 96, EMBED_NONE, "::/96 (deprecated IPv4-compatible)"},
    {{0x00, 0x64, 0xff, 0x9b}, 96, EMBED_V4_LAST32, "64:ff9b::/96 (NAT64)"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, EMBED_NONE, "64:ff9b:1::/48 (local-use NAT64)"},
    {{0x01, 0x00, [7] = 0x01}, 64, EMBED_NONE, "100:0:0:1::/64 (dummy prefix)"},
    {{0x01, 0x00}, 64, EMBED_NONE, "100::/64 (discard-only)"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, EMBED_NONE, "2001:db8::/32 (documentation)"},
    {{0x20, 0x01}, 23, EMBED_NONE, "2001::/23 (IETF protocol assignments, Teredo, benchmarking, ORCHID)"},
    {{0x20, 0x02}, 16, EMBED_V4_6TO4, "2002::/16 (6to4)"},
    {{0x3f, 0xff}, 20, EMBED_NONE, "3fff::/20 (documentation)"},
    {{0x5f, 0x00}, 16, EMBED_NONE, "5f00::/16 (segment routing SIDs)"},
    {{0xfc}, 7, EMBED_NONE, "fc00::/7 (unique local)"},
    {{0xfe, 0x80}, 10, EMBED_NONE, "fe80::/10 (link-local)"},
    {{0xfe, 0xc0}, 10, EMBED_NONE, "fec0::/10 (deprecated site-local)"},
    {{0xff}, 8, EMBED_NONE, "ff00::/8 (multicast)"},
};

static int v4_global(uint32_t a, const char **range)
{
    for (size_t i = 0; i < sizeof v4_special / sizeof v4_special[0]; i++) {
        uint32_t mask = v4_special[i].len ? 0xffffffffu << (32 - v4_special[i].len) : 0;
        if ((a & mask) == v4_special[i].net) {
            if (range) *range = v4_special[i].name;
            return 0;
        }
    }
    return 1;
}

static int v6_prefix(const uint8_t *a, const uint8_t *net, int len)
{
    int full = len / 8, rest = len % 8;
    if (memcmp(a, net, (size_t)full)) return 0;
    if (!rest) return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int v6_global(const uint8_t *a, const char **range)
{
    for (size_t i = 0; i < sizeof v6_special / sizeof v6_special[0]; i++) {
        const v6_range *r = &v6_special[i];
        if (!v6_prefix(a, r->net, r->len)) continue;
        if (r->embed == EMBED_V4_LAST32) return v4_global(be32(a + 12), range);
        if (r->embed == EMBED_V4_6TO4) return v4_global(be32(a + 2), range);
        if (range) *range = r->name;
        return 0;
    }
    if ((a[0] & 0xe0) != 0x20) { /* outside 2000::/3, the global unicast space */
        if (range) *range = "outside 2000::/3 (not global unicast)";
        return 0;
    }
    return 1;
}

int sr_net_is_global(const struct sockaddr *sa, const char **range)
{
    if (range) *range = "not an IP address";
    if (sa->sa_family == AF_INET) return v4_global(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr), range);
    if (sa->sa_family == AF_INET6) return v6_global(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr, range);
    return 0;
}

/* "IP:PORT" ("[v6]:PORT") of sa into out. */
static void addr_text(const struct sockaddr *sa, char *out, size_t n)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof ip);
        snprintf(out, n, "%s:%u", ip, (unsigned)ntohs(s4->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof ip);
        snprintf(out, n, "[%s]:%u", ip, (unsigned)ntohs(s6->sin6_port));
    } else {
        snprintf(out, n, "?");
    }
}

/* 1 when the comma-separated list holds exactly the token t. */
static int in_list(const char *list, const char *t)
{
    size_t tl = strlen(t);
    for (const char *p = list; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == tl && !strncmp(p, t, n)) return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

int sr_net_guard_check(sr_net_guard *g, const struct sockaddr *sa)
{
    const char *range = NULL;
    char text[80];
    if (g->allow_private || sr_net_is_global(sa, &range)) return 0;
    addr_text(sa, text, sizeof text);
    if (g->allow_list && in_list(g->allow_list, text)) return 0;
    g->refused = 1;
    snprintf(g->refused_addr, sizeof g->refused_addr, "%s", text);
    snprintf(g->refused_range, sizeof g->refused_range, "%s", range ? range : "");
    return -1;
}

static curl_socket_t guarded_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)purpose;
    if (sr_net_guard_check(ud, &addr->addr)) return CURL_SOCKET_BAD;
    return socket(addr->family, addr->socktype, addr->protocol);
}

void sr_net_guard_init(sr_net_guard *g, int allow_private, const char *allow_list)
{
    memset(g, 0, sizeof *g);
    g->allow_private = allow_private;
    g->allow_list = allow_list;
}

void sr_net_guard_install(CURL *h, sr_net_guard *g)
{
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, guarded_socket);
    curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, (void *)g);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_PROXY, ""); /* no proxy from the environment */
}
