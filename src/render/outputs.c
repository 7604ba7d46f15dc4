/* outputs.c - the text files beside a video: OUT.srt and OUT.vtt from the
 * timeline's subtitles[] (hidden cues included: they keep the timing), and
 * OUT.txt from its transcript. Each is written atomically. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "render/engine.h"
#include "render/timeline.h"

#define SR_SUBFILE_MAX (64u << 20)

/* HH:MM:SS<sep>mmm */
static void put_time(sr_buf *b, double t, char sep)
{
    long long ms = llround(t * 1000);
    if (ms < 0) ms = 0;
    sr_buf_printf(b, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, sep,
                  ms % 1000);
}

/* The cue's text: "text", else its words joined by spaces. */
static void cue_text(const json_t *c, sr_buf *t)
{
    const char *s = json_string_value(json_object_get(c, "text"));
    if (s) {
        sr_buf_append(t, s, strlen(s));
        return;
    }
    const json_t *w = json_object_get(c, "words");
    for (size_t i = 0; i < json_array_size(w); i++) {
        const char *ws = json_string_value(json_object_get(json_array_get(w, i), "text"));
        if (!ws) continue;
        if (t->len) sr_buf_append(t, " ", 1);
        sr_buf_append(t, ws, strlen(ws));
    }
}

/* Appends text with blank lines removed (a blank line ends a cue in both
 * formats); VTT also escapes & < > and the arrow. */
static void put_text(sr_buf *b, const char *s, int vtt)
{
    int at_line_start = 1;
    for (; *s; s++) {
        if (*s == '\r') continue;
        if (*s == '\n') {
            if (!at_line_start) sr_buf_append(b, "\n", 1);
            at_line_start = 1;
            continue;
        }
        at_line_start = 0;
        if (vtt && *s == '&') sr_buf_append(b, "&amp;", 5);
        else if (vtt && *s == '<') sr_buf_append(b, "&lt;", 4);
        else if (vtt && *s == '>') sr_buf_append(b, "&gt;", 4);
        else if (!vtt && !strncmp(s, "-->", 3)) {
            sr_buf_append(b, "->", 2);
            s += 2;
        } else sr_buf_append(b, s, 1);
    }
    if (!at_line_start) sr_buf_append(b, "\n", 1);
}

static int write_buf(const char *base, const char *ext, sr_buf *b, sr_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s%s", base, ext);
    if (b->failed) return sr_err_set(err, SR_ELIMIT, path, "The file %s would be too large.", path);
    return sr_write_file_atomic(path, b->p ? b->p : "", b->len, err);
}

double sr_subtitles_max_cps(const json_t *rp)
{
    const json_t *subs = json_object_get(rp, "subtitles");
    double worst = 0;
    sr_buf t;
    sr_buf_init(&t, 1u << 20);
    for (size_t i = 0; i < json_array_size(subs) && i < SR_TL_MAX_SUBTITLES; i++) {
        const json_t *c = json_array_get(subs, i);
        double d = json_number_value(json_object_get(c, "endTime")) - json_number_value(json_object_get(c, "startTime"));
        t.len = 0;
        cue_text(c, &t);
        if (!t.len || t.failed || !(d > 0)) continue;
        int chars = 0;
        for (size_t k = 0; k < t.len;) {
            uint32_t cp;
            int n = sr_utf8_next(t.p + k, &cp);
            k += n > 0 ? (size_t)n : 1;
            chars += cp != '\n' && cp != '\r';
        }
        if (chars / d > worst) worst = chars / d;
    }
    sr_buf_free(&t);
    return worst;
}

int sr_write_subtitle_files(const json_t *rp, const char *base, sr_err *err)
{
    int rc = 0;
    sr_buf srt, vtt, txt, t;
    sr_buf_init(&srt, SR_SUBFILE_MAX);
    sr_buf_init(&vtt, SR_SUBFILE_MAX);
    sr_buf_init(&txt, SR_SUBFILE_MAX);
    sr_buf_init(&t, 1u << 20);
    sr_buf_append(&vtt, "WEBVTT\n\n", 8);
    const json_t *subs = json_object_get(rp, "subtitles");
    if (json_array_size(subs) > SR_TL_MAX_SUBTITLES) {
        rc = sr_err_set(err, SR_ELIMIT, "subtitles", "A timeline has at most %d subtitle cues.", SR_TL_MAX_SUBTITLES);
        goto done;
    }
    int n = 0;
    for (size_t i = 0; i < json_array_size(subs); i++) {
        const json_t *c = json_array_get(subs, i);
        const json_t *s = json_object_get(c, "startTime"), *e = json_object_get(c, "endTime");
        if (!json_is_number(s) || !json_is_number(e)) {
            char f[64];
            snprintf(f, sizeof f, "subtitles[%zu]", i);
            rc = sr_err_set(err, SR_EINVALID_FIELD, f, "%s needs a startTime and an endTime.", f);
            goto done;
        }
        t.len = 0;
        if (t.p) t.p[0] = 0;
        cue_text(c, &t);
        if (!t.len) continue;
        double t0 = json_number_value(s), t1 = json_number_value(e);
        sr_buf_printf(&srt, "%d\n", ++n);
        put_time(&srt, t0, ',');
        sr_buf_append(&srt, " --> ", 5);
        put_time(&srt, t1, ',');
        sr_buf_append(&srt, "\n", 1);
        put_text(&srt, t.p, 0);
        sr_buf_append(&srt, "\n", 1);
        put_time(&vtt, t0, '.');
        sr_buf_append(&vtt, " --> ", 5);
        put_time(&vtt, t1, '.');
        sr_buf_append(&vtt, "\n", 1);
        put_text(&vtt, t.p, 1);
        sr_buf_append(&vtt, "\n", 1);
    }
    const char *tr = json_string_value(json_object_get(rp, "transcript"));
    if (tr && *tr) {
        sr_buf_append(&txt, tr, strlen(tr));
        if (tr[strlen(tr) - 1] != '\n') sr_buf_append(&txt, "\n", 1);
    }
    if ((rc = write_buf(base, ".srt", &srt, err)) || (rc = write_buf(base, ".vtt", &vtt, err)) ||
        (rc = write_buf(base, ".txt", &txt, err)))
        goto done;
done:
    sr_buf_free(&srt);
    sr_buf_free(&vtt);
    sr_buf_free(&txt);
    sr_buf_free(&t);
    return rc;
}
