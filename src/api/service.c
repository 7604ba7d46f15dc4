/* service.c - `storyreel serve`, `storyreel worker` and `storyreel keys`.
 *
 * serve: one process holds the HTTP API (api.h) and a webhook thread, and
 * supervises N render worker processes: each is this same binary exec'd as
 * `storyreel serve --worker-process ...` (so a crash in a decoder takes down
 * one worker, never the API), dies with its parent (PR_SET_PDEATHSIG), and is
 * restarted when it exits. Workers and server share only the store.
 *
 * worker: a render node of a fleet (several API and render nodes on one
 * --store and one --storage): the same supervised processes without the
 * HTTP API and without the webhook outbox (API nodes work it).
 *
 * Options come from a table (each marked with the commands that take it);
 * each also has a STORYREEL_* environment variable (the option wins). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libavutil/log.h>

#include "api/api.h"
#include "api/library_routes.h"
#include "api/service.h"
#include "common/util.h"

#define MAX_WORKERS 64
#define DB_FILE "storyreel.db"
#define SECRET_FILE "server.secret"
#define HTTP_BUSY_MS 1500 /* an HTTP thread waits at most this for a locked database, then answers 503 */

/* ---------------------------------------------------------------- options */

typedef struct opts {
    sr_svc_cfg cfg;
    char listen[300];
    int worker_process;
    char name[128], account[SR_ID_LEN];
    int json;
    int max_body_kb, max_upload_mb;
    int data_given;
} opts;

/* The commands an option belongs to. */
enum { C_SERVE = 1, C_WORKER = 2, C_KEYS = 4, C_NODES = C_SERVE | C_WORKER, C_ALL = 7 };
enum { O_STR, O_INT, O_FLAG, O_ROOT };
static const struct opt_def {
    const char *name, *env;
    int type, cmds;
    size_t off, size;
    const char *help;
} opt_defs[] = {
#define S(f) offsetof(opts, f), sizeof(((opts *)0)->f)
    {"--data", "STORYREEL_DATA", O_STR, C_ALL, S(cfg.data),
     "data folder (default ./storyreel-data; with --store and --storage: caches, $XDG_CACHE_HOME/storyreel)"},
    {"--store", "STORYREEL_STORE", O_STR, C_ALL, S(cfg.store_uri),
     "sqlite:PATH | postgresql://...: the store nodes share (default DATA/storyreel.db, one machine)"},
    {"--storage", "STORYREEL_STORAGE", O_STR, C_ALL, S(cfg.storage_uri),
     "file:DIR | s3://BUCKET/PREFIX?endpoint=URL&region=R: where files live (default file:DATA)"},
    {"--listen", "STORYREEL_LISTEN", O_STR, C_SERVE, S(listen), "HOST:PORT (default 127.0.0.1:8080)"},
    {"--workers", "STORYREEL_WORKERS", O_INT, C_SERVE, S(cfg.workers),
     "render worker processes (default cores/2; 0 with --store: an API node only)"},
    {"--processes", "STORYREEL_PROCESSES", O_INT, C_WORKER, S(cfg.workers), "render processes (default cores/2)"},
    {"--name", "STORYREEL_NODE_NAME", O_STR, C_WORKER, S(cfg.node), "this node's name (default hostname:pid)"},
    {"--http-threads", "STORYREEL_HTTP_THREADS", O_INT, C_SERVE, S(cfg.http_threads), "HTTP threads (default cores)"},
    {"--media-root", "STORYREEL_MEDIA_ROOT", O_ROOT, C_NODES, 0, 0, "a folder local media paths may come from"},
    {"--library", "STORYREEL_LIBRARY", O_STR, C_NODES, S(cfg.library),
     "media library folder (searchFilter, /v1/media/search)"},
    {"--music-library", "STORYREEL_MUSIC_LIBRARY", O_STR, C_NODES, S(cfg.music_library),
     "music library folder (autoMusic)"},
    {"--public-url", "STORYREEL_PUBLIC_URL", O_STR, C_NODES, S(cfg.public_url), "base of the URLs handed out"},
    {"--allow-private-media", "STORYREEL_ALLOW_PRIVATE_MEDIA", O_FLAG, C_NODES, S(cfg.allow_private_media),
     "fetch media from private/loopback addresses"},
    {"--allow-private-webhooks", "STORYREEL_ALLOW_PRIVATE_WEBHOOKS", O_FLAG, C_SERVE, S(cfg.allow_private_webhooks),
     "deliver webhooks to private/loopback addresses"},
    {"--allow-private-address", "STORYREEL_ALLOW_PRIVATE_ADDRESS", O_STR, C_NODES, S(cfg.allow_private_addrs),
     "IP:PORT[,...]: exact private addresses media and webhooks may reach anyway"},
    {"--max-running-per-account", "STORYREEL_MAX_RUNNING_PER_ACCOUNT", O_INT, C_NODES,
     S(cfg.max_running_per_account), "jobs of one account rendering at once (default workers - 1, at least 1; "
                                     "with --store no cap)"},
    {"--min-free-disk-mb", "STORYREEL_MIN_FREE_DISK_MB", O_INT, C_SERVE, S(cfg.min_free_disk_mb),
     "/healthz is degraded below this free space in the data folder (default 512)"},
    {"--rate-limit", "STORYREEL_RATE_LIMIT", O_INT, C_SERVE, S(cfg.rate_limit),
     "requests/s per key, 0 = off (default 200)"},
    {"--max-body-kb", "STORYREEL_MAX_BODY_KB", O_INT, C_SERVE, S(max_body_kb), "JSON body limit (default 1024)"},
    {"--max-upload-mb", "STORYREEL_MAX_UPLOAD_MB", O_INT, C_NODES, S(max_upload_mb),
     "upload and fetched media limit (default 200)"},
    {"--lease-ms", "STORYREEL_LEASE_MS", O_INT, C_NODES, S(cfg.lease_ms), "a worker's job lease (default 5000)"},
    {"--max-image-side", "STORYREEL_MAX_IMAGE_SIDE", O_INT, C_NODES, S(cfg.max_image_side),
     "px a side of a picture a job decodes (default and most 16384)"},
    {"--max-image-mpx", "STORYREEL_MAX_IMAGE_MPX", O_INT, C_NODES, S(cfg.max_image_mpx),
     "megapixels of one picture (default 50, at most 67)"},
    {"--max-job-mpx", "STORYREEL_MAX_JOB_MPX", O_INT, C_NODES, S(cfg.max_job_mpx),
     "megapixels of all the pictures a job decodes (default 1000)"},
    {"--url-expiry-s", "STORYREEL_URL_EXPIRY_S", O_INT, C_SERVE, S(cfg.url_expiry_s),
     "S3 storage: job URLs are presigned for this long (default and most 604800, 7 days)"},
    {"--proxy-files", "STORYREEL_PROXY_FILES", O_FLAG, C_SERVE, S(cfg.proxy_files),
     "S3 storage: job URLs point at /files/** here, which streams the objects"},
    {"--metrics-key", "STORYREEL_METRICS_KEY", O_STR, C_SERVE, S(cfg.metrics_key), "/metrics needs Bearer KEY"},
    {"--metrics-listen", "STORYREEL_METRICS_LISTEN", O_STR, C_SERVE, S(cfg.metrics_listen),
     "serve /metrics on HOST:PORT only"},
    {"--worker-process", NULL, O_FLAG, C_NODES, S(worker_process), NULL},
    {"--node", NULL, O_STR, C_NODES, S(cfg.node), NULL}, /* the supervisor's resolved name, to its processes */
    {"--name", NULL, O_STR, C_KEYS, S(name), "keys create: the key's name"},
    {"--account", NULL, O_STR, C_KEYS, S(account), "keys create: add the key to this account"},
    {"--json", NULL, O_FLAG, C_KEYS, S(json), "keys: print JSON"},
#undef S
};
#define N_OPTS (sizeof opt_defs / sizeof opt_defs[0])

static int set_opt(opts *o, const struct opt_def *d, const char *v, sr_err *err)
{
    char *field = (char *)o + d->off;
    if (field == o->cfg.data) o->data_given = 1;
    switch (d->type) {
    case O_STR:
        if (strlen(v) >= d->size) return sr_err_set(err, SR_ELIMIT, d->name, "%s is too long", d->name);
        snprintf(field, d->size, "%s", v);
        return 0;
    case O_INT: {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 0 || n > 1000000000)
            return sr_err_set(err, SR_EINVALID_FIELD, d->name, "%s needs a whole number, not %s", d->name, v);
        *(int *)field = (int)n;
        return 0;
    }
    case O_FLAG: *(int *)field = !(!strcmp(v, "0") || !strcmp(v, "false")); return 0;
    default: {
        sr_svc_cfg *c = &o->cfg;
        if (c->n_media_roots >= SR_MAX_MEDIA_ROOTS)
            return sr_err_set(err, SR_ELIMIT, d->name, "at most %d media roots", SR_MAX_MEDIA_ROOTS);
        if (!realpath(v, c->media_roots[c->n_media_roots]))
            return sr_err_set(err, SR_EINVALID_FIELD, d->name, "media root %s does not exist", v);
        c->n_media_roots++;
        return 0;
    }
    }
}

/* -h/--help anywhere among argv. */
static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
    return 0;
}

static const struct {
    int cmd;
    const char *usage;
} usages[] = {
    {C_SERVE, "usage: storyreel serve [OPTION]...\n"
              "The HTTP API (docs/api.md) with its render workers; with --store, one API node of a fleet\n"
              "(--workers 0: no render workers here). Options (also VAR=value in the environment; an\n"
              "option given on the command line wins):\n"},
    {C_WORKER, "usage: storyreel worker --store URI --storage URI [--processes N] [--name NAME] [OPTION]...\n"
               "A render node of a fleet: no HTTP listener; its processes take jobs and segment tasks from\n"
               "the shared store and keep their files in the shared storage. Options (also VAR=value in\n"
               "the environment; an option given on the command line wins):\n"},
    {C_KEYS, "usage: storyreel keys create --name NAME [--account ID] [--data DIR] [--store URI] [--json]\n"
             "       storyreel keys list [--data DIR] [--store URI] [--json]\n"
             "       storyreel keys revoke ID|PREFIX [--data DIR] [--store URI]\n"
             "API keys of the service: create (prints the key once), list, revoke.\n"},
};

/* The usage of a command and the options of the table that it takes. */
static void print_help(FILE *f, int cmd)
{
    for (size_t i = 0; i < sizeof usages / sizeof usages[0]; i++)
        if (usages[i].cmd == cmd) fputs(usages[i].usage, f);
    fprintf(f, "options:\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        const struct opt_def *d = &opt_defs[i];
        if (!d->help || !(d->cmds & cmd) || (cmd == C_KEYS && !strcmp(d->name, "--storage"))) continue;
        char env[64] = "";
        if (d->env) snprintf(env, sizeof env, " [%s]", d->env);
        fprintf(f, "  %-26s %s%s\n", d->name, d->help, env);
    }
    fprintf(f, "  %-26s %s\n", "-h, --help", "show this help");
}

/* The table's entry for argv[i] (NAME or NAME=VALUE) in command cmd, or NULL. */
static const struct opt_def *find_opt(const char *arg, int cmd)
{
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    for (size_t k = 0; k < N_OPTS; k++)
        if ((opt_defs[k].cmds & cmd) && strlen(opt_defs[k].name) == nlen && !strncmp(arg, opt_defs[k].name, nlen))
            return &opt_defs[k];
    return NULL;
}

/* The data folder of a node whose store and storage are elsewhere: a cache. */
static void default_cache_dir(sr_svc_cfg *c)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && xdg[0] == '/' && strlen(xdg) < sizeof c->data - 200)
        snprintf(c->data, sizeof c->data, "%s/storyreel", xdg);
    else snprintf(c->data, sizeof c->data, "/tmp/storyreel-%d", (int)getuid());
}

static int parse_opts(int argc, char **argv, int cmd, opts *o, char **positional, int max_pos, sr_err *err)
{
    memset(o, 0, sizeof *o);
    o->cfg.rate_limit = 200;
    o->cfg.lease_ms = 5000;
    o->cfg.max_attempts = 3;
    o->cfg.min_free_disk_mb = 512;
    o->cfg.url_expiry_s = 7 * 24 * 3600;
    o->max_body_kb = 1024;
    o->max_upload_mb = 200;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->cfg.workers = cores > 1 ? (int)(cores / 2) : 1;
    o->cfg.http_threads = cores > 1 ? (int)cores : 2;
    snprintf(o->cfg.data, sizeof o->cfg.data, "storyreel-data");
    snprintf(o->listen, sizeof o->listen, "127.0.0.1:8080");
    for (size_t i = 0; i < N_OPTS; i++) {
        const char *v = opt_defs[i].env && (opt_defs[i].cmds & cmd) ? getenv(opt_defs[i].env) : NULL;
        if (v && *v) {
            if (opt_defs[i].type == O_ROOT) { /* a colon-separated list */
                char buf[4096];
                snprintf(buf, sizeof buf, "%s", v);
                char *save = NULL;
                for (char *t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save))
                    if (set_opt(o, &opt_defs[i], t, err)) return err->code;
            } else if (set_opt(o, &opt_defs[i], v, err)) {
                return err->code;
            }
        }
    }
    int env_roots = o->cfg.n_media_roots, npos = 0;
    for (int i = 0; i < argc; i++) {
        const struct opt_def *d = find_opt(argv[i], cmd);
        char *eq = strchr(argv[i], '=');
        if (!d) {
            if (argv[i][0] == '-')
                return sr_err_set(err, SR_EINVALID_FIELD, argv[i], "unknown option %s (see --help)", argv[i]);
            if (npos >= max_pos) return sr_err_set(err, SR_EINVALID_FIELD, argv[i], "unexpected %s", argv[i]);
            positional[npos++] = argv[i];
            continue;
        }
        if (d->type == O_ROOT && env_roots) o->cfg.n_media_roots = env_roots = 0; /* options replace env */
        const char *v = eq ? eq + 1 : d->type == O_FLAG ? "1" : i + 1 < argc ? argv[++i] : NULL;
        if (!v) return sr_err_set(err, SR_EINVALID_FIELD, d->name, "%s needs a value", d->name);
        if (set_opt(o, d, v, err)) return err->code;
    }
    sr_svc_cfg *c = &o->cfg;
    c->fleet = c->store_uri[0] != 0;
    if (!o->data_given && c->fleet && c->storage_uri[0]) default_cache_dir(c);
    if (cmd == C_WORKER && !c->fleet)
        return sr_err_set(err, SR_EINVALID_FIELD, "--store", "storyreel worker needs --store (see --help)");
    char *colon = strrchr(o->listen, ':');
    if (!colon || !colon[1] || atoi(colon + 1) < 0 || atoi(colon + 1) > 65535)
        return sr_err_set(err, SR_EINVALID_FIELD, "--listen", "--listen needs HOST:PORT, not %s", o->listen);
    snprintf(c->listen_host, sizeof c->listen_host, "%.*s", (int)(colon - o->listen), o->listen);
    c->listen_port = atoi(colon + 1);
    if (!c->public_url[0])
        snprintf(c->public_url, sizeof c->public_url, "http://%s:%d", c->listen_host, c->listen_port);
    size_t pl = strlen(c->public_url);
    while (pl && c->public_url[pl - 1] == '/') c->public_url[--pl] = 0;
    const char *wopt = cmd == C_WORKER ? "--processes" : "--workers";
    int api_only = cmd == C_SERVE && c->fleet; /* serve --workers 0: an API node of a fleet */
    if (c->workers > MAX_WORKERS || (c->workers < 1 && !api_only))
        return sr_err_set(err, SR_EINVALID_FIELD, wopt, "%s must be %d..%d%s", wopt, api_only ? 0 : 1, MAX_WORKERS,
                          cmd == C_SERVE && !c->workers ? " (0 needs --store: an API node of a fleet)" : "");
    if (c->url_expiry_s < 1 || c->url_expiry_s > 7 * 24 * 3600)
        return sr_err_set(err, SR_EINVALID_FIELD, "--url-expiry-s", "--url-expiry-s must be 1..604800");
    if (!c->node[0]) {
        char host[64] = "";
        gethostname(host, sizeof host - 1);
        snprintf(c->node, sizeof c->node, "%.40s:%d", host, (int)getpid());
    }
    if (c->lease_ms < 200) c->lease_ms = 200;
    /* in a fleet the local worker count says nothing of the cluster's: no cap unless asked */
    if (!c->fleet && !c->max_running_per_account) c->max_running_per_account = c->workers > 1 ? c->workers - 1 : 1;
    c->max_body = (int64_t)(o->max_body_kb ? o->max_body_kb : 1) * 1024;
    c->max_upload = (int64_t)(o->max_upload_mb ? o->max_upload_mb : 1) * 1024 * 1024;
    c->max_fetch = c->max_upload;
    return sr_api_library_configure(c, err);
}

static int fail(const sr_err *e)
{
    char line[800];
    fprintf(stderr, "storyreel: %s\n", sr_err_line(e, line, sizeof line));
    return 1;
}

/* Removes the fetch cache of versions before it was split per account
 * (files directly in cache/fetch): no reference may reach them any more. */
static void drop_shared_fetch_cache(const sr_svc_cfg *c)
{
    char dir[PATH_MAX], p[PATH_MAX + 300];
    snprintf(dir, sizeof dir, "%s/cache/fetch", c->data);
    DIR *d = opendir(dir);
    for (struct dirent *e; d && (e = readdir(d));) {
        struct stat sb;
        snprintf(p, sizeof p, "%s/%.255s", dir, e->d_name);
        if (lstat(p, &sb) == 0 && S_ISREG(sb.st_mode)) unlink(p);
    }
    if (d) closedir(d);
}

/* Creates the data folder and its subfolders, private to this user (0700;
 * the process umask is 077, so every file made later is 0600 and every
 * folder 0700); makes cfg->data absolute. Folders and database files left
 * more open by an older storyreel are closed down. */
static int prepare_data(sr_svc_cfg *c, sr_err *err)
{
    static const char *const subdirs[] = {"", "/files", "/cache", "/cache/tts", "/cache/fetch"};
    static const char *const db_files[] = {DB_FILE, DB_FILE "-wal", DB_FILE "-shm", SECRET_FILE};
    char real[PATH_MAX], top[PATH_MAX + 4];
    umask(077);
    snprintf(top, sizeof top, "%s/.", c->data); /* a cache folder's parents ($XDG_CACHE_HOME) may not exist yet */
    if (sr_files_mkdirs(top, err)) return err->code;
    for (size_t i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s%s", i ? real : c->data, subdirs[i]);
        if (mkdir(p, 0700) && errno != EEXIST)
            return sr_err_set(err, SR_EIO, p, "cannot create the data folder %s: %s", p, strerror(errno));
        if (chmod(p, 0700)) /* not ours to change: say so, but serve */
            fprintf(stderr, "storyreel: warning: cannot make %s private (0700): %s\n", p, strerror(errno));
        if (!i) {
            if (!realpath(c->data, real)) return sr_err_set(err, SR_EIO, c->data, "cannot resolve %s", c->data);
            if (strlen(real) >= sizeof c->data - 64) return sr_err_set(err, SR_ELIMIT, "--data", "path too long");
        }
    }
    memcpy(c->data, real, strlen(real) + 1); /* length checked above */
    drop_shared_fetch_cache(c);
    for (size_t i = 0; i < sizeof db_files / sizeof db_files[0]; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", c->data, db_files[i]);
        if (chmod(p, 0600) && errno != ENOENT)
            fprintf(stderr, "storyreel: warning: cannot make %s private (0600): %s\n", p, strerror(errno));
    }
    return 0;
}

/* 1 when the data folder holds what a server leaves behind (its secret, or
 * uploads and outputs under files/): then a missing database is a lost one. */
static int data_in_use(const sr_svc_cfg *c)
{
    char p[PATH_MAX];
    struct stat sb;
    snprintf(p, sizeof p, "%s/" SECRET_FILE, c->data);
    if (stat(p, &sb) == 0) return 1;
    snprintf(p, sizeof p, "%s/files", c->data);
    DIR *d = opendir(p);
    int used = 0;
    for (struct dirent *e; d && !used && (e = readdir(d));) used = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d) closedir(d);
    return used;
}

/* Opens the store: --store's backend, or the database of the data folder.
 * Refuses (never replaces) one that exists without storyreel's schema (store
 * open), and a missing one when the folder holds a previous server's data. */
static int open_store(sr_svc_cfg *c, sr_store **st, sr_err *err)
{
    char db[PATH_MAX];
    struct stat sb;
    if (c->store_uri[0]) {
        const char *loc = NULL;
        if (!(c->store_ops = sr_store_for(c->store_uri, &loc, err))) return err->code ? err->code : SR_EINVALID_FIELD;
        return c->store_ops->open(loc, st, err);
    }
    c->store_ops = sr_store_sqlite();
    snprintf(db, sizeof db, "%s/" DB_FILE, c->data);
    if (stat(db, &sb) && errno == ENOENT && data_in_use(c))
        return sr_err_set(err, SR_EDB, DB_FILE,
                          "refusing to start: %s is missing but %s holds a server's data (" SECRET_FILE
                          ", files/); restore the database from a backup, or use an empty data folder",
                          db, c->data);
    return c->store_ops->open(db, st, err);
}

/* The server secret (signs upload URLs and tokens), made on first start: in
 * a shared store, one for every node (the first to ask makes it). */
static int server_secret(const sr_svc_cfg *c, sr_store *st, char out[80], sr_err *err)
{
    char path[PATH_MAX], *txt = NULL;
    size_t len = 0;
    if (c->store_uri[0]) {
        char init[80];
        sr_random_hex(init, 32);
        return c->store_ops->setting_init(st, "server_secret", init, out, 80, err);
    }
    snprintf(path, sizeof path, "%s/" SECRET_FILE, c->data);
    sr_err ignore = {0};
    if (sr_read_file(path, 200, &txt, &len, &ignore) == 0 && len >= 32) {
        snprintf(out, 80, "%.64s", txt);
        free(txt);
        return 0;
    }
    free(txt);
    sr_random_hex(out, 32);
    mode_t old = umask(077);
    int rc = sr_write_file_atomic(path, out, strlen(out), err);
    umask(old);
    return rc;
}

/* --------------------------------------------------------------- workers */

typedef struct supervisor {
    char exe[PATH_MAX];
    char **argv; /* exe CMD --worker-process <the server's own arguments> --node=NAME */
    char node_arg[80];
    pid_t pids[MAX_WORKERS];
    double restart_at[MAX_WORKERS];
    int n;
    volatile int alive;
} supervisor;

static pid_t spawn_worker(supervisor *sv)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    for (int fd = 3; fd < 1024; fd++) close(fd);
    execv(sv->exe, sv->argv);
    _exit(127);
}

static void supervise(supervisor *sv, int stopping)
{
    int status, alive = 0;
    for (int i = 0; i < sv->n; i++) {
        if (sv->pids[i] > 0 && waitpid(sv->pids[i], &status, WNOHANG) == sv->pids[i]) {
            if (!stopping)
                fprintf(stderr, "storyreel: worker %d exited (%s %d); restarting\n", (int)sv->pids[i],
                        WIFSIGNALED(status) ? "signal" : "status",
                        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
            sv->pids[i] = 0;
            sv->restart_at[i] = sr_now() + 1.0;
        }
        if (!stopping && sv->pids[i] <= 0 && sr_now() >= sv->restart_at[i]) sv->pids[i] = spawn_worker(sv);
        alive += sv->pids[i] > 0;
    }
    sv->alive = alive;
}

static void stop_workers(supervisor *sv)
{
    for (int i = 0; i < sv->n; i++)
        if (sv->pids[i] > 0) kill(sv->pids[i], SIGTERM);
    for (int tries = 0; tries < 40; tries++) {
        supervise(sv, 1);
        if (!sv->alive) return;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < sv->n; i++)
        if (sv->pids[i] > 0) kill(sv->pids[i], SIGKILL), waitpid(sv->pids[i], NULL, 0);
}

/* Blocks SIGINT and SIGTERM (handled by sigtimedwait in this thread only). */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The supervisor of n worker processes: this binary as `storyreel CMD
 * --worker-process <our own arguments> --node=NAME` (the resolved settings
 * and name, whatever the environment says). */
static int supervisor_init(supervisor *sv, const char *cmd, int argc, char **argv, const sr_svc_cfg *c, sr_err *err)
{
    ssize_t n = readlink("/proc/self/exe", sv->exe, sizeof sv->exe - 1);
    if (n <= 0) return sr_err_set(err, SR_EINTERNAL, NULL, "cannot find the storyreel executable");
    sv->exe[n] = 0;
    if (!(sv->argv = calloc((size_t)argc + 5, sizeof *sv->argv)))
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    snprintf(sv->node_arg, sizeof sv->node_arg, "--node=%s", c->node);
    sv->argv[0] = sv->exe;
    sv->argv[1] = (char *)cmd;
    sv->argv[2] = "--worker-process";
    for (int i = 0; i < argc; i++) sv->argv[3 + i] = argv[i];
    sv->argv[3 + argc] = sv->node_arg;
    sv->n = c->workers;
    supervise(sv, 0);
    return 0;
}

static void supervise_until_signal(supervisor *sv, sigset_t *set)
{
    for (;;) {
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM) break;
        supervise(sv, 0);
    }
    fprintf(stderr, "storyreel: stopping\n");
}

/* What serve and worker share: the options of cmd, the data folder, the
 * store and the storage; a --worker-process runs its loop here. Returns -1
 * when the caller goes on, else the exit status. */
static int node_open(int argc, char **argv, int cmd, opts *o, sr_store **st, sr_err *err)
{
    if (parse_opts(argc, argv, cmd, o, NULL, 0, err) || prepare_data(&o->cfg, err)) return fail(err);
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) return fail(err);
    if (open_store(&o->cfg, st, err) || sr_files_open(&o->cfg, err)) return fail(err);
    if (!o->worker_process) return -1;
    av_log_set_level(AV_LOG_ERROR); /* a worker's stderr is the server's log */
    return sr_worker_loop(&o->cfg, o->cfg.store_ops, *st, NULL);
}

static void node_close(opts *o, supervisor *sv, sr_store *st)
{
    stop_workers(sv);
    free(sv->argv);
    if (o->cfg.store_ops) o->cfg.store_ops->close(st);
    sr_files_close(&o->cfg);
    curl_global_cleanup();
}

/* ------------------------------------------------------------------ serve */

int sr_service_serve_main(int argc, char **argv)
{
    opts o;
    sr_err err = {0};
    sr_store *st = NULL;
    sr_store *st_http = NULL; /* the HTTP threads' handle: a short busy timeout */
    sr_api *api = NULL;
    supervisor sv = {0};
    sr_webhooks *hooks = NULL;
    sigset_t wait_set;
    char secret[80];
    if (wants_help(argc, argv)) {
        print_help(stdout, C_SERVE);
        return 0;
    }
    int rc = node_open(argc, argv, C_SERVE, &o, &st, &err);
    if (rc >= 0) goto done;
    rc = 1;
    if (!o.cfg.fleet) { /* on one machine no worker runs yet; a fleet's other nodes may */
        int swept = sr_data_sweep(o.cfg.data);
        if (swept) fprintf(stderr, "storyreel: removed %d half-written files left by an earlier run\n", swept);
    }
    block_signals(&wait_set);
    const sr_store_ops *ops = o.cfg.store_ops;
    if (server_secret(&o.cfg, st, secret, &err) || supervisor_init(&sv, "serve", argc, argv, &o.cfg, &err) ||
        open_store(&o.cfg, &st_http, &err) || sr_health_start(&o.cfg, ops, st, &o.cfg.health, &err) ||
        sr_webhooks_start(&o.cfg, ops, st, &hooks, &err)) {
        fail(&err);
        goto done;
    }
    if (ops->set_busy_ms) ops->set_busy_ms(st_http, HTTP_BUSY_MS);
    if (sr_api_create(&o.cfg, ops, st_http, secret, &sv.alive, &api, &err)) {
        fail(&err);
        goto done;
    }
    fprintf(stderr, "storyreel: serving on %s (data %s, %d workers%s%s)\n", o.cfg.public_url, o.cfg.data, sv.n,
            o.cfg.fleet ? ", store " : "", o.cfg.fleet ? ops->name : "");
    supervise_until_signal(&sv, &wait_set);
    rc = 0;
done:
    sr_api_destroy(api);
    sr_webhooks_stop(hooks);
    sr_health_stop(o.cfg.health);
    if (o.cfg.store_ops) o.cfg.store_ops->close(st_http);
    node_close(&o, &sv, st);
    return rc;
}

/* ----------------------------------------------------------------- worker */

int sr_service_worker_main(int argc, char **argv)
{
    opts o;
    sr_err err = {0};
    sr_store *st = NULL;
    supervisor sv = {0};
    sigset_t wait_set;
    if (wants_help(argc, argv)) {
        print_help(stdout, C_WORKER);
        return 0;
    }
    int rc = node_open(argc, argv, C_WORKER, &o, &st, &err);
    if (rc >= 0) goto done;
    rc = 1;
    block_signals(&wait_set);
    if (supervisor_init(&sv, "worker", argc, argv, &o.cfg, &err)) {
        fail(&err);
        goto done;
    }
    fprintf(stderr, "storyreel: render node %s (%d processes, store %s, storage %s, data %s)\n", o.cfg.node, sv.n,
            o.cfg.store_ops->name, sr_storage_kind(o.cfg.storage), o.cfg.data);
    supervise_until_signal(&sv, &wait_set);
    rc = 0;
done:
    node_close(&o, &sv, st);
    return rc;
}

/* ------------------------------------------------------------------- keys */

static int keys_create(opts *o, sr_store *st, sr_err *err)
{
    const sr_store_ops *ops = o->cfg.store_ops;
    char secret[80] = "", hex[49], key_txt[64], hash[65];
    sr_key k = {0};
    if (!o->name[0]) return sr_err_set(err, SR_EINVALID_FIELD, "--name", "keys create needs --name NAME");
    if (o->account[0]) {
        if (ops->account_secret(st, o->account, secret, err)) return err->code;
        snprintf(k.account_id, sizeof k.account_id, "%s", o->account);
    } else {
        char sh[65];
        sr_random_hex(sh, 24);
        snprintf(secret, sizeof secret, "whsec_%s", sh);
        sr_uuid(k.account_id);
        if (ops->account_create(st, k.account_id, o->name, secret, err)) return err->code;
    }
    sr_random_hex(hex, 24);
    snprintf(key_txt, sizeof key_txt, "pictai_%s", hex);
    sr_sha256_hex(key_txt, strlen(key_txt), hash);
    sr_uuid(k.id);
    snprintf(k.name, sizeof k.name, "%s", o->name);
    snprintf(k.prefix, sizeof k.prefix, "%.15s", key_txt);
    if (ops->key_create(st, &k, hash, err)) return err->code;
    if (o->json)
        printf("{\"key\":\"%s\",\"id\":\"%s\",\"account\":\"%s\",\"webhookSecret\":\"%s\"}\n", key_txt, k.id,
               k.account_id, secret);
    else
        printf("key: %s\nid: %s\naccount: %s\nwebhook secret: %s\n"
               "(the key is shown once: only its hash is stored)\n",
               key_txt, k.id, k.account_id, secret);
    return 0;
}

static int keys_list(opts *o, sr_store *st, sr_err *err)
{
    sr_key *ks = NULL;
    int n = o->cfg.store_ops->key_list(st, &ks, err);
    if (n < 0) return n;
    if (!o->json) printf("%-36s  %-15s  %-36s  %-7s  %s\n", "ID", "PREFIX", "ACCOUNT", "STATE", "NAME");
    for (int i = 0; i < n; i++) {
        if (o->json)
            printf("{\"id\":\"%s\",\"prefix\":\"%s\",\"account\":\"%s\",\"revoked\":%s}\n", ks[i].id, ks[i].prefix,
                   ks[i].account_id, ks[i].revoked_ms ? "true" : "false");
        else
            printf("%-36s  %-15s  %-36s  %-7s  %s\n", ks[i].id, ks[i].prefix, ks[i].account_id,
                   ks[i].revoked_ms ? "revoked" : "live", ks[i].name);
    }
    free(ks);
    return 0;
}

int sr_service_keys_main(int argc, char **argv)
{
    opts o;
    sr_err err = {0};
    char *pos[2] = {NULL, NULL};
    sr_store *st = NULL;
    if (wants_help(argc, argv)) {
        print_help(stdout, C_KEYS);
        return 0;
    }
    if (parse_opts(argc, argv, C_KEYS, &o, pos, 2, &err)) return fail(&err);
    if (!pos[0] || (strcmp(pos[0], "create") && strcmp(pos[0], "list") && strcmp(pos[0], "revoke"))) {
        print_help(stderr, C_KEYS);
        return 2;
    }
    if ((!o.cfg.store_uri[0] && prepare_data(&o.cfg, &err)) || open_store(&o.cfg, &st, &err)) return fail(&err);
    int rc;
    if (!strcmp(pos[0], "create")) rc = keys_create(&o, st, &err);
    else if (!strcmp(pos[0], "list")) rc = keys_list(&o, st, &err);
    else if (!pos[1]) rc = sr_err_set(&err, SR_EINVALID_FIELD, "ID", "keys revoke needs a key id or prefix");
    else if (!(rc = o.cfg.store_ops->key_revoke(st, pos[1], &err))) printf("revoked %s\n", pos[1]);
    o.cfg.store_ops->close(st);
    return rc ? fail(&err) : 0;
}
