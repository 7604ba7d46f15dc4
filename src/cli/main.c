/* main.c - the storyreel command line: a table of commands.
 *   storyreel render FILE.json -o OUT.mp4   storyboard or renderParams -> files
 *   storyreel preview FILE.json             print the renderParams
 *   storyreel voices                        list installed voices
 *   storyreel serve ... / worker ... / keys ...   the service (src/api) */
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
#include "compiler/resolve_local.h"
#include "compiler/speech.h"
#include "render/engine.h"
#include "tts/tts.h"

static int fail(const sr_err *e)
{
    char line[800];
    fprintf(stderr, "%s\n", sr_err_line(e, line, sizeof line));
    return 1;
}

/* `storyreel CMD --help`: the command's usage and options. */
static const struct {
    const char *cmd, *text;
} helps[] = {
    {"render", "usage: storyreel render FILE.json -o OUT.mp4 [OPTION]...\n"
               "Renders a storyboard (compiled first) or a renderParams timeline into OUT.mp4 (or .webm/.gif/\n"
               ".mp3 by the timeline's output format) with OUT.srt, OUT.vtt, OUT.txt, OUT.jpg and OUT.mp3.\n"
               "options:\n"
               "  -o, --output OUT         the video to write (required)\n"
               "  --cache DIR              the cache folder (speech; segments in DIR/segments);\n"
               "                           default $STORYREEL_CACHE, else ~/.cache/storyreel\n"
               "  --jobs N                 segments rendered at once (default: half the cores)\n"
               "  --no-cache               render every segment (none reused or stored)\n"
               "  --cache-max-mb MB        bound of the segment cache (default 2048, LRU evicted)\n"
               "  --hls DIR                also write DIR/index.m3u8 (HLS, fMP4) as segments finish\n"
               "  --stats                  print the render's statistics (JSON) on standard error\n"
               "  --no-segments            render as one stream (no segments, cache or HLS)\n"
               "  --threads N              encoder threads of each segment (default: automatic)\n"
               "  --library DIR            media library to pick visuals from\n"
               "  --music-library DIR      music library to pick background music from\n"
               "  --brand KIT.json         a brand kit (logo, colours, fonts, intro/outro)\n"
               "  --var NAME=VALUE         fill a template's {{NAME}} (repeatable)\n"
               "  -q, --quiet              no progress on standard error\n"
               "  -h, --help               show this help\n"
               "STORYREEL_PROFILE=1 prints the CPU time of each stage (compose, text, audio, encode).\n"},
    {"preview", "usage: storyreel preview FILE.json [OPTION]...\n"
                "Compiles a storyboard and prints its timeline (renderParams JSON) without encoding.\n"
                "options:\n"
                "  --cache DIR              speech cache\n"
                "  --library DIR            media library to pick visuals from\n"
                "  --music-library DIR      music library to pick background music from\n"
                "  --brand KIT.json         a brand kit\n"
                "  --var NAME=VALUE         fill a template's {{NAME}} (repeatable)\n"
                "  -h, --help               show this help\n"},
    {"voices", "usage: storyreel voices\n"
               "Lists the installed voices: engine, speaker id, language, gender, name.\n"
               "options:\n"
               "  -h, --help               show this help\n"},
};

/* 1 when argv asks for help and cmd's help was printed (serve and keys print their own). */
static int help_asked(const char *cmd, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-h") && strcmp(argv[i], "--help")) continue;
        for (size_t k = 0; k < sizeof helps / sizeof helps[0]; k++) {
            if (strcmp(helps[k].cmd, cmd)) continue;
            fputs(helps[k].text, stdout);
            return 1;
        }
    }
    return 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage:\n"
               "  storyreel render FILE.json -o OUT.mp4 [--cache DIR] [--threads N] [--quiet]\n"
               "       [--library DIR] [--music-library DIR] [--brand KIT.json] [--var NAME=VALUE]...\n"
               "       [--jobs N] [--no-cache] [--cache-max-mb MB] [--hls DIR] [--stats] [--no-segments]\n"
               "  storyreel preview FILE.json [--cache DIR] [--library DIR] [--music-library DIR]\n"
               "  storyreel voices\n"
               "  storyreel serve [--data DIR] [--listen HOST:PORT] [--workers N] [--store URI] [--storage URI] ...\n"
               "  storyreel worker --store URI --storage URI [--processes N] [--name NAME] ...\n"
               "  storyreel keys create|list|revoke ...\n"
               "storyreel COMMAND --help shows a command's options.\n");
}

typedef struct cli_opts {
    const char *file, *out, *cache;
    const char *library, *music_library; /* --library, --music-library (src/library) */
    const char *brand;                   /* --brand KIT.json (src/compiler/brand.c) */
    json_t *vars;                        /* --var NAME=VALUE: FILE is a template (owned) */
    int threads, quiet;
    /* render: segments (engine.h) */
    const char *hls; /* --hls DIR */
    int jobs, no_cache, stats, no_segments;
    long long cache_max_mb;
} cli_opts;

/* Adds "NAME=VALUE" to o->vars: VALUE as JSON when it parses as a number,
 * true/false/null or JSON text, else as a string. */
static int add_var(cli_opts *o, const char *nv, sr_err *err)
{
    const char *eq = strchr(nv, '=');
    if (!eq || eq == nv || eq - nv > 64) return sr_err_set(err, SR_EINVALID_FIELD, "--var", "--var takes NAME=VALUE");
    if (!o->vars && !(o->vars = json_object())) return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    char name[65];
    snprintf(name, sizeof name, "%.*s", (int)(eq - nv), nv);
    json_t *v = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
    json_object_set_new(o->vars, name, v ? v : json_string(eq + 1));
    return 0;
}

static int parse_opts(int argc, char **argv, cli_opts *o, sr_err *err)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && more) o->out = argv[++i];
        else if (!strcmp(a, "--cache") && more) o->cache = argv[++i];
        else if (!strcmp(a, "--library") && more) o->library = argv[++i];
        else if (!strcmp(a, "--music-library") && more) o->music_library = argv[++i];
        else if (!strcmp(a, "--brand") && more) o->brand = argv[++i];
        else if (!strcmp(a, "--var") && more) {
            if (add_var(o, argv[++i], err)) return err->code;
        }
        else if (!strcmp(a, "--threads") && more) o->threads = atoi(argv[++i]);
        else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) o->quiet = 1;
        else if (!strcmp(a, "--jobs") && more) {
            o->jobs = atoi(argv[++i]);
            if (o->jobs < 1 || o->jobs > SR_RENDER_MAX_JOBS)
                return sr_err_set(err, SR_EINVALID_FIELD, a, "--jobs takes 1..%d", SR_RENDER_MAX_JOBS);
        } else if (!strcmp(a, "--cache-max-mb") && more) {
            o->cache_max_mb = atoll(argv[++i]);
            if (o->cache_max_mb < 1 || o->cache_max_mb > (1LL << 30))
                return sr_err_set(err, SR_EINVALID_FIELD, a, "--cache-max-mb takes a size in MB");
        } else if (!strcmp(a, "--hls") && more) o->hls = argv[++i];
        else if (!strcmp(a, "--no-cache")) o->no_cache = 1;
        else if (!strcmp(a, "--stats")) o->stats = 1;
        else if (!strcmp(a, "--no-segments")) o->no_segments = 1;
        else if (a[0] == '-' && a[1]) return sr_err_set(err, SR_EINVALID_FIELD, a, "unknown option %s (see --help)", a);
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
    json_t *kit = NULL;
    char *kit_dir = NULL;
    if (o->brand && !(rc = sr_load_json_file(o->brand, &kit, err)) && !(kit_dir = sr_dirname_dup(o->brand)))
        rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    if (!rc) rc = sr_resolve_local(&doc, o->vars, kit, kit_dir, *base, err); /* --var, --brand, named styles */
    json_decref(kit);
    json_decref(o->vars);
    free(kit_dir);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    sr_compile_opts co = {.base_dir = *base, .cache_dir = o->cache, .library_dir = o->library,
                          .music_library_dir = o->music_library};
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
    char *base = NULL, *cache = sr_speech_cache_dir(o.cache), *segs = NULL;
    double t0 = sr_now();
    int rc = load_timeline(&o, &rp, &base, &err);
    double compile_s = sr_now() - t0;
    if (cache && (segs = malloc(strlen(cache) + 16))) sprintf(segs, "%s/segments", cache);
    if (!rc) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        char written[4200] = "";
        sr_render_profile prof = {0};
        sr_render_opts ro = {.out_path = o.out,
                             .profile = &prof,
                             .base_dir = base,
                             .progress = o.quiet ? NULL : progress_cb,
                             .cancel = &g_cancel,
                             .threads = o.threads,
                             .out_written = written,
                             .out_written_size = sizeof written,
                             .jobs = o.jobs,
                             .cache_dir = segs,
                             .no_cache = o.no_cache,
                             .cache_max_mb = o.cache_max_mb,
                             .no_segments = o.no_segments,
                             .hls_dir = o.hls};
        sr_render_stats st;
        if (o.stats) ro.stats = &st;
        rc = sr_render(rp, &ro, &err);
        if (!o.quiet) fprintf(stderr, "\n");
        if (!rc && !o.quiet) fprintf(stderr, "wrote %s in %.1f s\n", written, sr_now() - t0);
        if (!rc && getenv("STORYREEL_PROFILE")) sr_render_profile_print(&prof, stderr); /* bench/run reads it */
        if (!rc && o.stats) { /* the storyboard's compile counts too */
            st.compile_s += compile_s;
            st.total_s += compile_s;
            json_t *j = sr_render_stats_json(&st);
            char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            if (s) fprintf(stderr, "%s\n", s);
            free(s);
            json_decref(j);
        }
    }
    json_decref(rp);
    free(base);
    free(cache);
    free(segs);
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
    sr_err err = {0};
    if (argc > 0) {
        sr_err_set(&err, SR_EINVALID_FIELD, argv[0], "%s %s (see --help)",
                   argv[0][0] == '-' ? "unknown option" : "unexpected argument", argv[0]);
        return fail(&err);
    }
    sr_tts_voice *v = NULL;
    int n = sr_tts_list_all(&v, &err);
    if (n < 0) return fail(&err);
    for (int i = 0; i < n; i++)
        printf("%-10s %-24s %-10s %-8s %s\n", v[i].engine, v[i].id, v[i].language, v[i].gender, v[i].name);
    free(v);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
} commands[] = {
    {"render", cmd_render}, {"preview", cmd_preview}, {"voices", cmd_voices},
    {"serve", sr_service_serve_main}, {"worker", sr_service_worker_main}, {"keys", sr_service_keys_main},
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
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(argv[1], commands[i].name)) continue;
        if (help_asked(argv[1], argc - 2, argv + 2)) return 0;
        return commands[i].fn(argc - 2, argv + 2);
    }
    fprintf(stderr, "storyreel: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
