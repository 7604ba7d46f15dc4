/* main.c - the storyreel command line: a table of commands.
 *   storyreel render FILE.json -o OUT.mp4   storyboard or renderParams -> files
 *   storyreel preview FILE.json             print the renderParams
 *   storyreel voices                        list installed voices
 *   storyreel serve ... / keys ...          the service (src/api) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "api/service.h"
#include "common/err.h"
#include "common/util.h"
#include "compiler/compiler.h"
#include "render/engine.h"
#include "tts/tts.h"

static int fail(const sr_err *e)
{
    char line[800];
    fprintf(stderr, "%s\n", sr_err_line(e, line, sizeof line));
    return 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage:\n"
               "  storyreel render FILE.json -o OUT.mp4 [--cache DIR] [--threads N] [--quiet]\n"
               "  storyreel preview FILE.json [--cache DIR]\n"
               "  storyreel voices\n"
               "  storyreel serve [--data DIR] [--listen HOST:PORT] [--workers N] ...\n"
               "  storyreel keys create|list|revoke ...\n");
}

typedef struct cli_opts {
    const char *file, *out, *cache;
    int threads, quiet;
} cli_opts;

static int parse_opts(int argc, char **argv, cli_opts *o, sr_err *err)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more) o->out = argv[++i];
        else if (!strcmp(a, "--cache") && more) o->cache = argv[++i];
        else if (!strcmp(a, "--threads") && more) o->threads = atoi(argv[++i]);
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (a[0] == '-' && a[1]) return sr_err_set(err, SR_EINVALID_FIELD, a, "unknown option %s", a);
        else if (!o->file) o->file = a;
        else return sr_err_set(err, SR_EINVALID_FIELD, a, "unexpected argument %s", a);
    }
    if (!o->file) return sr_err_set(err, SR_EINVALID_FIELD, "FILE", "no input file given");
    return 0;
}

/* Loads FILE and, when it is a storyboard, compiles it. *rp is the timeline;
 * *base is the file's folder (malloc'd). */
static int load_timeline(const cli_opts *o, json_t **rp, char **base, sr_err *err)
{
    json_t *doc = NULL;
    int rc = sr_load_json_file(o->file, &doc, err);
    if (rc) return rc;
    *base = sr_dirname_dup(o->file);
    if (!*base) {
        json_decref(doc);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    if (sr_is_render_params(doc)) {
        *rp = doc;
        return 0;
    }
    sr_compile_opts co = {.base_dir = *base, .cache_dir = o->cache};
    rc = sr_compile(doc, &co, rp, err);
    json_decref(doc);
    return rc;
}

static void progress_cb(void *ud, const sr_progress *p)
{
    (void)ud;
    fprintf(stderr, "\rrender %5.1f%% | %lld/%lld frames | %5.1f fps | ETA %4.0fs ", p->percent,
            (long long)p->frame, (long long)p->total_frames, p->fps, p->eta_s);
    fflush(stderr);
}

static volatile int g_cancel; /* set by SIGINT/SIGTERM: the render stops cleanly */
static void on_signal(int sig)
{
    (void)sig;
    g_cancel = 1;
}

static int cmd_render(int argc, char **argv)
{
    sr_err err = {0};
    cli_opts o;
    if (parse_opts(argc, argv, &o, &err)) return fail(&err);
    if (!o.out) {
        sr_err_set(&err, SR_EINVALID_FIELD, "-o", "no output given: storyreel render FILE.json -o OUT.mp4");
        return fail(&err);
    }
    json_t *rp = NULL;
    char *base = NULL;
    int rc = load_timeline(&o, &rp, &base, &err);
    if (!rc) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        sr_render_opts ro = {.out_path = o.out,
                             .base_dir = base,
                             .progress = o.quiet ? NULL : progress_cb,
                             .cancel = &g_cancel,
                             .threads = o.threads};
        double t0 = sr_now();
        rc = sr_render(rp, &ro, &err);
        if (!o.quiet) fprintf(stderr, "\n");
        if (!rc && !o.quiet) fprintf(stderr, "wrote %s in %.1f s\n", o.out, sr_now() - t0);
    }
    json_decref(rp);
    free(base);
    return rc ? fail(&err) : 0;
}

static int cmd_preview(int argc, char **argv)
{
    sr_err err = {0};
    cli_opts o;
    if (parse_opts(argc, argv, &o, &err)) return fail(&err);
    json_t *rp = NULL;
    char *base = NULL;
    int rc = load_timeline(&o, &rp, &base, &err);
    if (!rc) {
        char *s = json_dumps(rp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) {
            fputs(s, stdout);
            fputc('\n', stdout);
            free(s);
        }
    }
    json_decref(rp);
    free(base);
    return rc ? fail(&err) : 0;
}

static int cmd_voices(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    sr_err err = {0};
    const sr_tts_backend *b = sr_tts_get(NULL);
    sr_tts_voice *v = NULL;
    int n = b ? b->list(&v, &err) : sr_err_set(&err, SR_ETTS, NULL, "no speech engine");
    if (n < 0) return fail(&err);
    for (int i = 0; i < n; i++) printf("%-24s %-10s %-8s %s\n", v[i].id, v[i].language, v[i].gender, v[i].name);
    free(v);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"render", cmd_render}, {"preview", cmd_preview}, {"voices", cmd_voices},
    {"serve", sr_service_serve_main}, {"keys", sr_service_keys_main},
};

int main(int argc, char **argv)
{
    /* libav* speak only through our error lines, unless asked (STORYREEL_DEBUG=1). */
    const char *dbg = getenv("STORYREEL_DEBUG");
    av_log_set_level(dbg && *dbg == '1' ? AV_LOG_INFO : AV_LOG_QUIET);
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "storyreel: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
