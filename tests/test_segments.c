/* libs: sr_render sr_text sr_audio sr_frame sr_common */
/* Segmented rendering end to end: seams (a segmented render and a one-stream
 * render of the same timeline), content keys, the segment cache (reuse,
 * eviction, a killed render), HLS while rendering (each media segment with
 * its audio, a cancel mid-way), and the engine's parts
 * called apart (plan, one segment, assemble). */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>
#include <libavutil/log.h>

#include "render/engine.h"
#include "render/segcache.h"
#include "render/segkey.h"
#include "render/timeline.h"
#include "support/fixtures.h"

static char *g_dir;

static int setup(void **state)
{
    (void)state;
    g_dir = sr_test_tmpdir();
    if (!g_dir) return -1;
    if (sr_test_write_image(sr_test_path(g_dir, "blue.jpg"), 400, 300, 40, 70, 200, 255) ||
        sr_test_write_wav(sr_test_path(g_dir, "voice.wav"), 48000, 1, 1.0, 440, 0.5) ||
        sr_test_write_wav(sr_test_path(g_dir, "music.wav"), 44100, 2, 4.0, 220, 0.2))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sr_test_rmdir(g_dir);
    free(g_dir);
    return 0;
}

/* 320x180 at 12 fps, 3 s, segments of 0.5 s (6 frames): red with a moving
 * subtitle, a fade (1.0-1.25 s) into a zooming blue still, a cut to green at
 * 2 s; narration over music. */
static const char *timeline_json =
    "{\"version\":1,"
    "\"output\":{\"name\":\"t\",\"width\":320,\"height\":180,\"fps\":12,\"duration\":3.0,\"videoCodec\":\"%s\","
    "  \"crf\":20,\"preset\":\"ultrafast\",\"audioBitrate\":96000,\"segmentSeconds\":0.5},"
    "\"sceneMarkers\":["
    "  {\"sceneIndex\":0,\"startTime\":0,\"duration\":1.25,\"transition\":\"none\",\"transitionDuration\":0},"
    "  {\"sceneIndex\":1,\"startTime\":1.0,\"duration\":1.0,\"transition\":\"fade\",\"transitionDuration\":0.25},"
    "  {\"sceneIndex\":2,\"startTime\":2.0,\"duration\":1.0,\"transition\":\"none\",\"transitionDuration\":0}],"
    "\"elements\":["
    "  {\"id\":\"bg0\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#c83c28\","
    "   \"sceneIndex\":0,\"startTime\":0,\"duration\":1.25},"
    "  {\"id\":\"bg1\",\"elementType\":\"backgroundElement\",\"type\":\"image\",\"url\":\"blue.jpg\","
    "   \"sceneIndex\":1,\"startTime\":1.0,\"duration\":1.0,"
    "   \"motion\":{\"startZoom\":1.0,\"endZoom\":1.2,\"startX\":0.4,\"startY\":0.5,\"endX\":0.6,\"endY\":0.5}},"
    "  {\"id\":\"bg2\",\"elementType\":\"backgroundElement\",\"type\":\"color\",\"color\":\"#28b43c\","
    "   \"sceneIndex\":2,\"startTime\":2.0,\"duration\":1.0},"
    "  {\"id\":\"vo\",\"elementType\":\"audioElement\",\"type\":\"voiceOver\",\"url\":\"voice.wav\","
    "   \"sceneIndex\":0,\"startTime\":0.5,\"duration\":1.0,\"volume\":1},"
    "  {\"id\":\"music\",\"elementType\":\"audioElement\",\"type\":\"music\",\"url\":\"music.wav\","
    "   \"sceneIndex\":-1,\"startTime\":0,\"duration\":3.0,\"volume\":1,\"fadeOut\":0}],"
    "\"subtitles\":["
    "  {\"id\":\"sub-0-0\",\"sceneIndex\":0,\"startTime\":0.2,\"endTime\":0.9,\"text\":\"HELLO WORLD\","
    "   \"maxLines\":2,\"style\":{\"fontFamily\":\"DejaVu Sans\",\"fontSize\":40,\"color\":\"#ffffff\"}}],"
    "\"transcript\":\"Hello world.\"}";

static json_t *load(const char *codec)
{
    char buf[8192];
    snprintf(buf, sizeof buf, timeline_json, codec);
    json_error_t je;
    json_t *rp = json_loads(buf, 0, &je);
    if (!rp) fail_msg("timeline JSON: %s (line %d col %d)", je.text, je.line, je.column);
    return rp;
}

static void render_ok(const json_t *rp, sr_render_opts *o)
{
    sr_err err = {0};
    if (!o->base_dir) o->base_dir = g_dir;
    int rc = sr_render(rp, o, &err);
    if (rc) fail_msg("render: %s (%s)", err.msg, err.field);
}

/* ffprobe's view of a file (malloc'd). */
static char *probe(const char *args, const char *path)
{
    int st = 0;
    char *s = sr_test_sh_out(&st, "ffprobe -v error %s '%s'", args, path);
    if (!s || st != 0) fail_msg("ffprobe %s %s: %s", args, path, s ? s : "");
    return s;
}

static char *audio_md5(const char *path)
{
    int st = 0;
    char *s = sr_test_sh_out(&st, "ffmpeg -v error -i '%s' -map 0:a -c copy -f md5 -", path);
    if (!s || st != 0) fail_msg("audio of %s: %s", path, s ? s : "");
    return s;
}

/* The numbers in s (ffprobe's csv, side data lines skipped), at most max. */
static int numbers(const char *s, double *out, int max)
{
    int n = 0;
    while (*s && n < max) {
        char *end;
        double v = strtod(s, &end);
        if (end == s) s++;
        else {
            out[n++] = v;
            s = end;
        }
    }
    return n;
}

/* Mean absolute difference of the Y planes. */
static double ydiff(const sr_frame *a, const sr_frame *b)
{
    double d = 0;
    for (int y = 0; y < a->h; y++)
        for (int x = 0; x < a->w; x++)
            d += abs(a->data[0][y * a->linesize[0] + x] - b->data[0][y * b->linesize[0] + x]);
    return d / ((double)a->w * a->h);
}

static void seams(const char *codec)
{
    json_t *rp = load(codec);
    char one[512], seg[512];
    snprintf(one, sizeof one, "%s", sr_test_path(g_dir, "one.mp4"));
    snprintf(seg, sizeof seg, "%s", sr_test_path(g_dir, "seg.mp4"));
    sr_render_stats st1 = {0}, st2 = {0};
    sr_render_opts o1 = {.out_path = one, .no_segments = 1, .stats = &st1};
    sr_render_opts o2 = {.out_path = seg, .jobs = 2, .stats = &st2};
    render_ok(rp, &o1);
    render_ok(rp, &o2);
    assert_int_equal(st1.segments_total, 1);
    assert_true(st2.segments_total >= 6); /* 0.5 s segments, cut at 1.0, 1.25 and 2.0 */
    assert_int_equal(st2.segments_encoded, st2.segments_total);
    /* the same frames at the same times: round(3.0 x 12) = 36, 0..35 */
    const char *fa = "-select_streams v -show_entries frame=pts -of csv=p=0";
    char *p1 = probe(fa, one), *p2 = probe(fa, seg);
    double t1[64], t2[64];
    int n1 = numbers(p1, t1, 64), n2 = numbers(p2, t2, 64);
    assert_int_equal(n1, 36);
    assert_int_equal(n2, 36);
    for (int i = 1; i < 36; i++) {
        assert_true(t1[i] == t2[i]);
        assert_true(t2[i] - t2[i - 1] == t2[1] - t2[0]); /* one frame apart */
    }
    free(p1);
    free(p2);
    /* one valid stream: every segment but the first starts with a keyframe that
     * the decoder takes from the stream before it with no error */
    int status = 0;
    char *dec = sr_test_sh_out(&status, "ffmpeg -v error -xerror -i '%s' -f null - 2>&1", seg);
    assert_int_equal(status, 0);
    assert_true(dec && !*dec);
    free(dec);
    /* the frames on both sides of every boundary match */
    sr_segment *plan = NULL;
    sr_err err = {0};
    int n = sr_render_plan(rp, g_dir, &plan, &err);
    assert_int_equal(n, st2.segments_total);
    for (int k = 1; k < n; k++) {
        for (int64_t f = plan[k].start - 1; f <= plan[k].start; f++) {
            double t = (f + 0.5) / 12.0;
            sr_frame *a = sr_test_decode_frame(one, t), *b = sr_test_decode_frame(seg, t);
            assert_non_null(a);
            assert_non_null(b);
            double d = ydiff(a, b);
            if (d > 2.5) fail_msg("frame %lld differs by %.2f", (long long)f, d);
            sr_frame_free(a);
            sr_frame_free(b);
        }
    }
    free(plan);
    /* the audio, mixed once either way, is the same bytes */
    char *m1 = audio_md5(one), *m2 = audio_md5(seg);
    assert_string_equal(m1, m2);
    free(m1);
    free(m2);
    assert_true(fabs(st2.av_end_diff_ms) < 1000.0 / 12);
    json_decref(rp);
}

static void test_seams_h264(void **state)
{
    (void)state;
    seams("h264");
}

static void test_seams_h265(void **state)
{
    (void)state;
    seams("h265");
}

/* ------------------------------------------------------------------ keys */

typedef struct keyset {
    sr_segment *seg;
    int n;
    char (*key)[SR_SEGKEY_LEN + 1];
} keyset;

static keyset keys_of(sr_segkeys *k, const json_t *rp)
{
    keyset ks = {0};
    sr_err err = {0};
    sr_timeline *tl = NULL;
    assert_int_equal(sr_timeline_parse(rp, g_dir, &tl, &err), 0);
    ks.n = sr_render_plan(rp, g_dir, &ks.seg, &err);
    assert_true(ks.n > 0);
    ks.key = calloc((size_t)ks.n, sizeof *ks.key);
    for (int i = 0; i < ks.n; i++) {
        sr_seg sg = {ks.seg[i].start, ks.seg[i].frames};
        assert_int_equal(sr_segkey(k, rp, tl, g_dir, &sg, 2, ks.key[i], &err), 0);
    }
    sr_timeline_free(tl);
    return ks;
}

static void keyset_free(keyset *ks)
{
    free(ks->seg);
    free(ks->key);
}

static void set_num(json_t *o, const char *k, double v)
{
    json_object_set_new(o, k, json_real(v));
}

static void test_keys(void **state)
{
    (void)state;
    sr_segkeys *k = NULL;
    sr_err err = {0};
    assert_int_equal(sr_segkeys_create(&k, NULL, &err), 0);
    json_t *rp = load("h264");
    keyset a = keys_of(k, rp);
    for (int i = 0; i < a.n; i++) /* distinct content (every segment differs here), distinct keys */
        for (int j = i + 1; j < a.n; j++) assert_string_not_equal(a.key[i], a.key[j]);

    /* one element changed (scene 2's colour): exactly its segments (>= 2 s) change */
    json_t *b = json_deep_copy(rp);
    json_object_set_new(json_array_get(json_object_get(b, "elements"), 2), "color", json_string("#2030f0"));
    keyset kb = keys_of(k, b);
    assert_int_equal(kb.n, a.n);
    for (int i = 0; i < a.n; i++) {
        int shows = a.seg[i].start + a.seg[i].frames > 24;
        if (shows) assert_string_not_equal(a.key[i], kb.key[i]);
        else assert_string_equal(a.key[i], kb.key[i]);
    }

    /* scene 0 made 0.5 s longer (everything after it moved by 6 frames): the
     * moved scenes keep their keys */
    json_t *c = json_deep_copy(rp);
    json_t *mk = json_object_get(c, "sceneMarkers"), *els = json_object_get(c, "elements");
    set_num(json_array_get(mk, 0), "duration", 1.75);
    set_num(json_array_get(els, 0), "duration", 1.75);
    for (int s = 1; s < 3; s++) {
        json_t *m = json_array_get(mk, (size_t)s), *e = json_array_get(els, (size_t)s);
        set_num(m, "startTime", sr_test_num(m, "startTime") + 0.5);
        set_num(e, "startTime", sr_test_num(e, "startTime") + 0.5);
    }
    set_num(json_object_get(c, "output"), "duration", 3.5);
    keyset kc = keys_of(k, c);
    assert_int_equal(kc.n, a.n + 1);
    int same = 0;
    for (int i = 0; i < a.n; i++) {
        if (a.seg[i].start < 15) continue; /* after the fade (which shows scene 0, changed) */
        int j = 0;
        while (j < kc.n && kc.seg[j].start != a.seg[i].start + 6) j++;
        assert_true(j < kc.n);
        assert_int_equal(kc.seg[j].frames, a.seg[i].frames);
        assert_string_equal(kc.key[j], a.key[i]);
        same++;
    }
    assert_true(same >= 4);

    /* the image's bytes changed under the same name: the segments showing it change */
    struct stat sb;
    stat(sr_test_path(g_dir, "blue.jpg"), &sb);
    assert_int_equal(sr_test_write_image(sr_test_path(g_dir, "blue.jpg"), 400, 300, 40, 70, 90, 255), 0);
    struct timespec ts[2] = {sb.st_atim, {sb.st_mtim.tv_sec + 1, sb.st_mtim.tv_nsec}};
    utimensat(AT_FDCWD, sr_test_path(g_dir, "blue.jpg"), ts, 0);
    keyset kd = keys_of(k, rp);
    for (int i = 0; i < a.n; i++) {
        int shows = a.seg[i].start < 24 && a.seg[i].start + a.seg[i].frames > 12;
        if (shows) assert_string_not_equal(a.key[i], kd.key[i]);
        else assert_string_equal(a.key[i], kd.key[i]);
    }
    assert_int_equal(sr_test_write_image(sr_test_path(g_dir, "blue.jpg"), 400, 300, 40, 70, 200, 255), 0);
    keyset_free(&a);
    keyset_free(&kb);
    keyset_free(&kc);
    keyset_free(&kd);
    json_decref(rp);
    json_decref(b);
    json_decref(c);
    sr_segkeys_destroy(k);
}

/* ----------------------------------------------------------------- cache */

/* Files in dir whose name has has in it (".mp4": stored segments KEY.mp4 only). */
static int count_files(const char *dir, const char *has)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && strstr(e->d_name, has) &&
            (strcmp(has, ".mp4") || strlen(e->d_name) == SR_SEGKEY_LEN + 4))
            n++;
    if (d) closedir(d);
    return n;
}

static void test_cache_reuse(void **state)
{
    (void)state;
    char cache[512];
    snprintf(cache, sizeof cache, "%s", sr_test_path(g_dir, "cache-reuse"));
    json_t *rp = load("h264");
    sr_render_stats st = {0};
    sr_render_opts o = {.out_path = sr_test_path(g_dir, "c1.mp4"), .cache_dir = cache, .stats = &st, .jobs = 1};
    render_ok(rp, &o);
    int total = st.segments_total;
    assert_int_equal(st.segments_encoded, total);
    assert_int_equal(st.segments_reused, 0);
    assert_int_equal(count_files(cache, ".mp4"), total);
    /* again: nothing encoded */
    o.out_path = sr_test_path(g_dir, "c2.mp4");
    render_ok(rp, &o);
    assert_int_equal(st.segments_reused, total);
    assert_int_equal(st.segments_encoded, 0);
    /* the same frames as the first render */
    const char *fa = "-select_streams v -show_entries packet=pts,size -of csv=p=0";
    char *p1 = probe(fa, sr_test_path(g_dir, "c1.mp4")), *p2 = probe(fa, sr_test_path(g_dir, "c2.mp4"));
    assert_string_equal(p1, p2);
    free(p1);
    free(p2);
    /* one scene changed: only its segments are encoded */
    json_object_set_new(json_array_get(json_object_get(rp, "elements"), 2), "color", json_string("#f0f020"));
    o.out_path = sr_test_path(g_dir, "c3.mp4");
    render_ok(rp, &o);
    assert_int_equal(st.segments_encoded, 2); /* [24, 30), [30, 36) */
    assert_int_equal(st.segments_reused, total - 2);
    sr_frame *f = sr_test_decode_frame(sr_test_path(g_dir, "c3.mp4"), 2.5);
    double c[3];
    sr_frame_mean_rgb(f, 10, 10, 100, 60, c);
    assert_true(c[0] > 200 && c[1] > 200 && c[2] < 80);
    sr_frame_free(f);
    /* --no-cache encodes everything */
    o.no_cache = 1;
    o.out_path = sr_test_path(g_dir, "c4.mp4");
    render_ok(rp, &o);
    assert_int_equal(st.segments_encoded, total);
    json_decref(rp);
}

static void test_cache_eviction(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s", sr_test_path(g_dir, "cache-evict"));
    sr_segcache *c = NULL;
    sr_err err = {0};
    assert_int_equal(sr_segcache_open(&c, dir, 64 * 1024, &err), 0);
    static char blob[16 * 1024];
    char key[SR_SEGKEY_LEN + 1], first[SR_SEGKEY_LEN + 1];
    for (int i = 0; i < 12; i++) {
        snprintf(key, sizeof key, "%064d", i);
        if (i == 0) memcpy(first, key, sizeof key);
        char *tmp = sr_segcache_tmp(c, key);
        assert_non_null(tmp);
        FILE *f = fopen(tmp, "wb");
        fwrite(blob, 1, sizeof blob, f);
        fclose(f);
        assert_int_equal(sr_segcache_put(c, key, tmp, &err), 0);
        free(tmp);
        sr_segcache_unpin(c);
        struct timespec ts = {0, 0};
        nanosleep(&(struct timespec){0, 2000000}, &ts);
    }
    assert_true(sr_segcache_evict(c) <= 64 * 1024);
    char p[1024];
    assert_int_equal(sr_segcache_get(c, first, p, sizeof p), 0); /* the oldest went first */
    assert_int_equal(sr_segcache_get(c, key, p, sizeof p), 1);   /* the newest stays */
    sr_segcache_close(c);
}

/* A render killed halfway leaves no partial segment: every KEY.mp4 decodes
 * whole, and its temporary files go when the cache is next opened. */
static void test_cache_killed_render(void **state)
{
    (void)state;
    char cache[512];
    snprintf(cache, sizeof cache, "%s", sr_test_path(g_dir, "cache-kill"));
    json_t *rp = load("h264");
    json_t *out = json_object_get(rp, "output");
    json_object_set_new(out, "width", json_integer(1280));
    json_object_set_new(out, "height", json_integer(720));
    json_object_set_new(out, "preset", json_string("medium"));
    pid_t pid = fork();
    if (pid == 0) {
        sr_render_opts o = {.out_path = sr_test_path(g_dir, "k.mp4"), .base_dir = g_dir, .cache_dir = cache,
                            .jobs = 2};
        sr_err err = {0};
        sr_render(rp, &o, &err);
        _exit(0);
    }
    for (int i = 0; i < 2000 && count_files(cache, ".mp4") < 2; i++) usleep(5000);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    DIR *d = opendir(cache);
    struct dirent *e;
    int whole = 0;
    while (d && (e = readdir(d))) {
        if (strlen(e->d_name) != SR_SEGKEY_LEN + 4) continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", cache, e->d_name);
        int st = 0;
        char *s = sr_test_sh_out(&st, "ffmpeg -v error -xerror -i '%s' -f null - 2>&1", path);
        assert_int_equal(st, 0);
        free(s);
        whole++;
    }
    if (d) closedir(d);
    assert_true(whole >= 1);
    sr_segcache *c = NULL;
    sr_err err = {0};
    assert_int_equal(sr_segcache_open(&c, cache, 1 << 30, &err), 0);
    assert_int_equal(count_files(cache, ".tmp-"), 0);
    sr_segcache_close(c);
    json_decref(rp);
}

/* ------------------------------------------------------------------- HLS */

typedef struct hls_watch {
    const char *dir;
    int seen, ended_early, bad;
    double listed;
} hls_watch;

static double extinf_sum(const char *pl, int *n)
{
    double s = 0;
    *n = 0;
    for (const char *p = strstr(pl, "#EXTINF:"); p; p = strstr(p + 1, "#EXTINF:")) {
        s += atof(p + 8);
        (*n)++;
    }
    return s;
}

/* While the render runs: the playlist is valid, grows, and plays what it lists. */
static void on_hls_progress(void *ud, const sr_progress *p)
{
    hls_watch *w = ud;
    if (p->hls_segments <= w->seen) return;
    w->seen = p->hls_segments;
    char *pl = sr_test_read(sr_test_path(w->dir, "index.m3u8"));
    if (!pl || strncmp(pl, "#EXTM3U", 7) || !strstr(pl, "#EXT-X-PLAYLIST-TYPE:EVENT") ||
        !strstr(pl, "#EXT-X-MAP:URI=\"init.mp4\"")) {
        w->bad++;
        free(pl);
        return;
    }
    if (strstr(pl, "#EXT-X-ENDLIST")) w->ended_early++;
    int n = 0;
    double sum = extinf_sum(pl, &n);
    if (n != p->hls_segments || sum < w->listed) w->bad++;
    w->listed = sum;
    free(pl);
    if (w->seen == 1) { /* the first media segment carries its own audio, while the rest is to come */
        int st = 0;
        char *s = sr_test_sh_out(&st, "cd '%s' && cat init.mp4 seg-00000.m4s > first.mp4 && ffprobe -v error "
                                      "-select_streams a -count_packets -show_entries stream=nb_read_packets "
                                      "-of csv=p=0 first.mp4",
                                 w->dir);
        if (st != 0 || !s || atoi(s) * 1024 / 48000.0 < sum - 1024 / 48000.0) w->bad++;
        free(s);
    }
    if (w->seen == 2) { /* ffprobe plays what is listed (a copy marked ended: the live
                         * playlist would have it wait for more) */
        int st = 0;
        char *s = sr_test_sh_out(&st, "cd '%s' && (cat index.m3u8; echo '#EXT-X-ENDLIST') > snap.m3u8 && "
                                      "ffprobe -v error -count_frames -select_streams v -show_entries "
                                      "stream=nb_read_frames -of csv=p=0 snap.m3u8",
                                 w->dir);
        if (st != 0 || !s || fabs(atoi(s) - sum * 12) > 0.5) w->bad++;
        free(s);
    }
}

static void test_hls(void **state)
{
    (void)state;
    char hls[512], out[512];
    snprintf(hls, sizeof hls, "%s", sr_test_path(g_dir, "hls"));
    snprintf(out, sizeof out, "%s", sr_test_path(g_dir, "h.mp4"));
    json_t *rp = load("h264");
    hls_watch w = {.dir = hls};
    sr_render_stats st = {0};
    sr_render_opts o = {.out_path = out, .hls_dir = hls, .progress = on_hls_progress, .progress_ud = &w,
                        .stats = &st};
    render_ok(rp, &o);
    assert_int_equal(w.bad, 0);
    assert_int_equal(w.ended_early, 0);
    assert_int_equal(w.seen, st.segments_total);
    char *pl = sr_test_read(sr_test_path(hls, "index.m3u8"));
    assert_non_null(pl);
    assert_non_null(strstr(pl, "#EXT-X-ENDLIST"));
    int n = 0;
    double sum = extinf_sum(pl, &n);
    free(pl);
    assert_int_equal(n, st.segments_total);
    assert_true(fabs(sum - sr_test_media_duration(out)) <= 1.0 / 12 + 1e-6);
    /* it plays whole, video and audio */
    char *s = probe("-count_frames -show_entries stream=codec_type,nb_read_frames -of csv=p=0", sr_test_path(hls, "index.m3u8"));
    assert_non_null(strstr(s, "video,36"));
    assert_non_null(strstr(s, "audio,"));
    free(s);
    json_decref(rp);
}

/* Cancelled once the first HLS segment is out (the audio thread then waits
 * for the assembler, two segments ahead): the render stops, nothing hangs. */
static volatile int g_cancel;
static void cancel_at_first_hls(void *ud, const sr_progress *p)
{
    (void)ud;
    if (p->hls_segments >= 1) g_cancel = 1;
}

static void test_hls_cancel(void **state)
{
    (void)state;
    json_t *rp = load("h264");
    sr_err err = {0};
    g_cancel = 0;
    sr_render_opts o = {.out_path = sr_test_path(g_dir, "hc.mp4"), .base_dir = g_dir,
                        .hls_dir = sr_test_path(g_dir, "hls-cancel"), .no_cache = 1,
                        .progress = cancel_at_first_hls, .cancel = (int *)&g_cancel};
    char out[512];
    snprintf(out, sizeof out, "%s", o.out_path);
    o.out_path = out;
    assert_int_equal(sr_render(rp, &o, &err), SR_ECANCELLED);
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* no output left */
    json_decref(rp);
}

/* ------------------------------------------------------- the parts apart */

/* sr_render_segment for each planned segment, then sr_render_assemble: the
 * same video as sr_render (as another machine would render them). */
static void test_segment_then_assemble(void **state)
{
    (void)state;
    json_t *rp = load("h264");
    sr_segment *plan = NULL;
    sr_err err = {0};
    int n = sr_render_plan(rp, g_dir, &plan, &err);
    assert_true(n > 1);
    char **paths = calloc((size_t)n, sizeof *paths);
    sr_render_opts o = {.out_path = sr_test_path(g_dir, "parts.mp4"), .base_dir = g_dir, .jobs = 1};
    for (int k = n - 1; k >= 0; k--) { /* any order */
        char name[32];
        snprintf(name, sizeof name, "part-%d.mp4", k);
        paths[k] = strdup(sr_test_path(g_dir, name));
        int rc = sr_render_segment(rp, &o, k, paths[k], &err);
        if (rc) fail_msg("segment %d: %s", k, err.msg);
    }
    assert_int_not_equal(sr_render_segment(rp, &o, n, paths[0], &err), 0);
    char parts[512];
    snprintf(parts, sizeof parts, "%s", sr_test_path(g_dir, "parts.mp4"));
    int rc = sr_render_assemble(rp, &o, (const char *const *)paths, n, &err);
    if (rc) fail_msg("assemble: %s", err.msg);
    sr_render_opts o2 = {.out_path = sr_test_path(g_dir, "whole.mp4"), .base_dir = g_dir, .jobs = 1};
    render_ok(rp, &o2);
    const char *fa = "-select_streams v -show_entries packet=pts,dts,size -of csv=p=0";
    char *p1 = probe(fa, parts), *p2 = probe(fa, sr_test_path(g_dir, "whole.mp4"));
    assert_string_equal(p1, p2);
    free(p1);
    free(p2);
    struct stat jb;
    assert_int_equal(stat(sr_test_path(g_dir, "parts.jpg"), &jb), 0); /* the thumbnail, composited alone */
    assert_true(jb.st_size > 0);
    for (int k = 0; k < n; k++) free(paths[k]);
    free(paths);
    free(plan);
    json_decref(rp);
}

/* One sr_segrender for every segment, in any order and twice over (the
 * fleet's render node keeps one per timeline): each file as the one
 * sr_render_segment makes alone. */
static void test_segrender_reuse(void **state)
{
    (void)state;
    json_t *rp = load("h264");
    sr_segment *plan = NULL;
    sr_err err = {0};
    int n = sr_render_plan(rp, g_dir, &plan, &err);
    assert_true(n > 2);
    sr_render_opts o = {.base_dir = g_dir, .threads = 1};
    sr_segrender *sg = NULL;
    assert_int_equal(sr_segrender_open(&sg, rp, &o, &err), 0);
    int order[64], m = 0;
    for (int k = n - 1; k >= 0 && m < 60; k--) order[m++] = k; /* backwards: scenes load again */
    order[m++] = n / 2;                                       /* and one again */
    const char *fa = "-select_streams v -show_entries packet=pts,dts,size,flags -of csv=p=0";
    for (int i = 0; i < m; i++) {
        int k = order[i];
        char a[600], b[600];
        snprintf(a, sizeof a, "%s", sr_test_path(g_dir, "reuse-a.mp4"));
        snprintf(b, sizeof b, "%s", sr_test_path(g_dir, "reuse-b.mp4"));
        int rc = sr_segrender_run(sg, k, a, NULL, &err);
        if (rc) fail_msg("segrender %d: %s", k, err.msg);
        if ((rc = sr_render_segment(rp, &o, k, b, &err))) fail_msg("segment %d: %s", k, err.msg);
        char *p1 = probe(fa, a), *p2 = probe(fa, b);
        assert_true(strlen(p1) > 0);
        assert_string_equal(p1, p2);
        free(p1);
        free(p2);
    }
    assert_int_equal(sr_segrender_run(sg, n, sr_test_path(g_dir, "reuse-a.mp4"), NULL, &err), SR_EINVALID_FIELD);
    volatile int cancel = 1;
    assert_int_equal(sr_segrender_run(sg, 0, sr_test_path(g_dir, "reuse-c.mp4"), &cancel, &err), SR_ECANCELLED);
    struct stat sb;
    assert_int_not_equal(stat(sr_test_path(g_dir, "reuse-c.mp4"), &sb), 0); /* nothing left behind */
    sr_segrender_close(sg);
    free(plan);
    json_decref(rp);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seams_h264),
        cmocka_unit_test(test_seams_h265),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_cache_reuse),
        cmocka_unit_test(test_cache_eviction),
        cmocka_unit_test(test_cache_killed_render),
        cmocka_unit_test(test_hls),
        cmocka_unit_test(test_hls_cancel),
        cmocka_unit_test(test_segment_then_assemble),
        cmocka_unit_test(test_segrender_reuse),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
