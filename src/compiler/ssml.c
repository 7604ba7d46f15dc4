/* ssml.c - a bounded parser for the SSML subset of ssml.h and its synthesis
 * as a sequence of plain-text clips (one per styled segment) joined with
 * the breaks as silence. The same path serves every engine, so word timings
 * stay exact: each segment's words come from the engine and are shifted by
 * the segment's place in the clip and in the displayed text. */
#include "compiler/ssml.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

#define SSML_MAX_DEPTH 32
#define SSML_MAX_SEGS 4096
#define SSML_MAX_BREAK 10.0  /* seconds per <break> */
#define SSML_MAX_SILENCE 120.0 /* seconds of breaks per story */
#define SSML_MAX_ATTRS 8

enum { SAY_NONE, SAY_CHARS };

typedef struct seg {
    int off, len;  /* display span in text */
    char *spoken;  /* what the engine reads */
    int rate;      /* percent of the voice's speed */
    double vol;    /* added to the amplification */
    double brk;    /* silence after (s) */
} seg;

struct sr_ssml {
    char *text;
    size_t tlen, tcap;
    seg *s;
    int n, cap;
    double lead; /* silence before the first segment */
    double silence;
};

typedef struct style {
    char tag[16];
    int rate;
    double vol;
    int say;
} style;

typedef struct pctx {
    sr_ssml *d;
    const char *field;
    sr_err *err;
    style st[SSML_MAX_DEPTH + 1];
    int depth;
    size_t run; /* start of the pending text in d->text */
} pctx;

static int bad(pctx *p, const char *what, size_t at)
{
    return sr_err_set(p->err, SR_EINVALID_FIELD, p->field, "%s: malformed SSML at byte %zu: %s", p->field, at, what);
}

static int put(pctx *p, const char *s, size_t n)
{
    sr_ssml *d = p->d;
    if (d->tlen + n + 1 > d->tcap) {
        size_t nc = d->tcap ? d->tcap * 2 : 256;
        while (nc < d->tlen + n + 1) nc *= 2;
        char *q = realloc(d->text, nc);
        if (!q) return sr_err_set(p->err, SR_ENOMEM, p->field, "out of memory");
        d->text = q;
        d->tcap = nc;
    }
    memcpy(d->text + d->tlen, s, n);
    d->tlen += n;
    d->text[d->tlen] = 0;
    return 0;
}

/* Appends text, whitespace collapsed to single spaces. */
static int put_text(pctx *p, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
        if (sp) {
            if (p->d->tlen == 0 || p->d->text[p->d->tlen - 1] == ' ') continue;
            if (put(p, " ", 1)) return SR_ENOMEM;
        } else if (put(p, s + i, 1))
            return SR_ENOMEM;
    }
    return 0;
}

/* Closes the pending text run into a segment with the current style. */
static int flush(pctx *p)
{
    sr_ssml *d = p->d;
    size_t a = p->run, b = d->tlen;
    while (a < b && d->text[a] == ' ') a++;
    while (b > a && d->text[b - 1] == ' ') b--;
    p->run = d->tlen;
    if (a == b) return 0;
    if (d->n == SSML_MAX_SEGS) return sr_err_set(p->err, SR_ELIMIT, p->field, "%s: too many SSML segments", p->field);
    if (d->n == d->cap) {
        int nc = d->cap ? d->cap * 2 : 16;
        seg *q = realloc(d->s, (size_t)nc * sizeof *q);
        if (!q) return sr_err_set(p->err, SR_ENOMEM, p->field, "out of memory");
        d->s = q;
        d->cap = nc;
    }
    const style *st = &p->st[p->depth];
    seg *g = &d->s[d->n];
    memset(g, 0, sizeof *g);
    g->off = (int)a;
    g->len = (int)(b - a);
    g->rate = st->rate;
    g->vol = st->vol;
    if (st->say == SAY_CHARS) { /* "ABC" -> "A B C" */
        g->spoken = malloc(2 * (b - a) + 1);
        if (!g->spoken) return sr_err_set(p->err, SR_ENOMEM, p->field, "out of memory");
        size_t k = 0;
        for (size_t i = a; i < b;) {
            uint32_t cp;
            int l = sr_utf8_next(d->text + i, &cp);
            if (l < 1) l = 1;
            if (d->text[i] != ' ') {
                if (k) g->spoken[k++] = ' ';
                memcpy(g->spoken + k, d->text + i, (size_t)l);
                k += (size_t)l;
            }
            i += (size_t)l;
        }
        g->spoken[k] = 0;
    } else if (!(g->spoken = strndup(d->text + a, b - a)))
        return sr_err_set(p->err, SR_ENOMEM, p->field, "out of memory");
    d->n++;
    return 0;
}

/* Decodes the entity at s (after '&'); writes UTF-8 to out, returns its
 * source length or 0 when it is not one we accept. */
static int entity(const char *s, char out[8], int *olen)
{
    static const struct {
        const char *name;
        char ch;
    } ents[] = {{"amp;", '&'}, {"lt;", '<'}, {"gt;", '>'}, {"quot;", '"'}, {"apos;", '\''}};
    for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++)
        if (strncmp(s, ents[i].name, strlen(ents[i].name)) == 0) {
            out[0] = ents[i].ch;
            *olen = 1;
            return (int)strlen(ents[i].name);
        }
    if (s[0] != '#') return 0;
    char *end;
    unsigned long v = (s[1] == 'x' || s[1] == 'X') ? strtoul(s + 2, &end, 16) : strtoul(s + 1, &end, 10);
    if (*end != ';' || end == s + 1 || v == 0 || v > 0x10FFFF) return 0;
    if (v < 0x80) { out[0] = (char)v; *olen = 1; }
    else if (v < 0x800) { out[0] = (char)(0xC0 | (v >> 6)); out[1] = (char)(0x80 | (v & 63)); *olen = 2; }
    else if (v < 0x10000) {
        out[0] = (char)(0xE0 | (v >> 12)); out[1] = (char)(0x80 | ((v >> 6) & 63));
        out[2] = (char)(0x80 | (v & 63)); *olen = 3;
    } else {
        out[0] = (char)(0xF0 | (v >> 18)); out[1] = (char)(0x80 | ((v >> 12) & 63));
        out[2] = (char)(0x80 | ((v >> 6) & 63)); out[3] = (char)(0x80 | (v & 63)); *olen = 4;
    }
    return (int)(end - s) + 1;
}

typedef struct attr {
    char name[24];
    char val[64];
} attr;

static const char *attr_get(const attr *a, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(a[i].name, name) == 0) return a[i].val;
    return NULL;
}

/* A word of a table, or a number with an optional unit; returns 0 on success. */
static int word_value(const char *v, const char *const *words, const double *vals, double *out)
{
    for (int i = 0; words[i]; i++)
        if (strcasecmp(v, words[i]) == 0) {
            *out = vals[i];
            return 0;
        }
    return -1;
}

/* Seconds of "500ms" / "1.5s"; -1 when malformed. */
static double parse_time(const char *v)
{
    char *end;
    double x = strtod(v, &end);
    if (end == v || !(x >= 0)) return -1;
    if (strcasecmp(end, "ms") == 0) return x / 1000;
    if (strcasecmp(end, "s") == 0) return x;
    return -1;
}

static int do_break(pctx *p, const attr *a, int na, size_t at)
{
    static const char *const words[] = {"none", "x-weak", "weak", "medium", "strong", "x-strong", NULL};
    static const double vals[] = {0, 0.1, 0.25, 0.4, 0.75, 1.2};
    double t = 0.4;
    const char *v;
    if ((v = attr_get(a, na, "time"))) {
        if ((t = parse_time(v)) < 0) return bad(p, "break time must be like 500ms or 1.5s", at);
    } else if ((v = attr_get(a, na, "strength")) && word_value(v, words, vals, &t))
        return bad(p, "unknown break strength", at);
    if (t > SSML_MAX_BREAK) return bad(p, "a break is longer than 10 s", at);
    int rc = flush(p);
    if (rc) return rc;
    sr_ssml *d = p->d;
    d->silence += t;
    if (d->silence > SSML_MAX_SILENCE) return bad(p, "the breaks add up to more than 120 s", at);
    if (d->n) d->s[d->n - 1].brk += t;
    else d->lead += t;
    return 0;
}

/* Applies an opening tag's attributes to the new top of the style stack. */
static int open_style(pctx *p, const char *name, const attr *a, int na, size_t at)
{
    style *st = &p->st[p->depth];
    const char *v;
    if (strcmp(name, "prosody") == 0) {
        static const char *const rw[] = {"x-slow", "slow", "medium", "default", "fast", "x-fast", NULL};
        static const double rv[] = {50, 75, 100, 100, 125, 150};
        static const char *const vw[] = {"silent", "x-soft", "soft", "medium", "default", "loud", "x-loud", NULL};
        static const double vv[] = {-1, -0.6, -0.3, 0, 0, 0.3, 0.6};
        double x;
        if ((v = attr_get(a, na, "rate"))) {
            char *end;
            if (word_value(v, rw, rv, &x)) {
                x = strtod(v, &end);
                if (end == v || strcmp(end, "%") != 0) return bad(p, "prosody rate must be a word or N%", at);
                if (v[0] == '+' || v[0] == '-') x += 100;
            }
            if (x < 20 || x > 400) return bad(p, "prosody rate is out of range (20%..400%)", at);
            st->rate = (int)lround(st->rate * x / 100);
        }
        if ((v = attr_get(a, na, "volume"))) {
            char *end;
            if (word_value(v, vw, vv, &x)) {
                x = strtod(v, &end);
                if (end == v || strcasecmp(end, "dB") != 0) return bad(p, "prosody volume must be a word or +NdB", at);
                x /= 6.0; /* amplification 1 = +6 dB */
            }
            st->vol += x;
        }
        if ((v = attr_get(a, na, "pitch")) && !*v) return bad(p, "prosody pitch is empty", at);
    } else if (strcmp(name, "emphasis") == 0) {
        v = attr_get(a, na, "level");
        if (v && strcasecmp(v, "none") == 0) return 0;
        double k = v && strcasecmp(v, "reduced") == 0 ? -1 : v && strcasecmp(v, "strong") == 0 ? 1.5 : 1;
        st->rate = (int)lround(st->rate * (k > 0 ? 1 - 0.1 * k : 1.1));
        st->vol += 0.2 * k;
    } else if (strcmp(name, "say-as") == 0) {
        static const char *const kinds[] = {"characters", "spell-out", "cardinal", "number", "date", "ordinal", "digits", "telephone", "time", NULL};
        v = attr_get(a, na, "interpret-as");
        int k = -1;
        for (int i = 0; v && kinds[i]; i++)
            if (strcasecmp(v, kinds[i]) == 0) k = i;
        if (k < 0) return bad(p, "say-as needs interpret-as (characters, cardinal, date, ...)", at);
        st->say = (k <= 1 || k == 6) ? SAY_CHARS : SAY_NONE;
    }
    return 0;
}

/* Parses the tag at src[i] ('<'); advances *ip past it. */
static int tag(pctx *p, const char *src, size_t *ip)
{
    static const char *const known[] = {"speak", "break", "prosody", "emphasis", "say-as", "p", "s", NULL};
    size_t i = *ip + 1, at = *ip;
    int rc, closing = 0;
    if (strncmp(src + i, "!--", 3) == 0) {
        const char *e = strstr(src + i + 3, "-->");
        if (!e) return bad(p, "unterminated comment", at);
        *ip = (size_t)(e - src) + 3;
        return 0;
    }
    if (strncmp(src + i, "?xml", 4) == 0 && at == 0) {
        const char *e = strstr(src + i, "?>");
        if (!e) return bad(p, "unterminated XML declaration", at);
        *ip = (size_t)(e - src) + 2;
        return 0;
    }
    if (src[i] == '!' || src[i] == '?') return bad(p, "declarations, entities and processing instructions are not allowed", at);
    if (src[i] == '/') closing = 1, i++;
    char name[16];
    size_t nl = 0;
    while (src[i] && (src[i] == '-' || (src[i] >= 'a' && src[i] <= 'z') || (src[i] >= 'A' && src[i] <= 'Z'))) {
        if (nl + 1 >= sizeof name) return bad(p, "unknown element", at);
        name[nl++] = (char)(src[i] >= 'A' && src[i] <= 'Z' ? src[i] - 'A' + 'a' : src[i]);
        i++;
    }
    name[nl] = 0;
    int k = -1;
    for (int j = 0; known[j]; j++)
        if (strcmp(name, known[j]) == 0) k = j;
    if (k < 0) return bad(p, nl ? "unknown element" : "a '<' that starts no element (write &lt;)", at);
    attr a[SSML_MAX_ATTRS];
    int na = 0, selfclose = 0;
    for (;;) {
        while (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') i++;
        if (src[i] == '>') { i++; break; }
        if (src[i] == '/' && src[i + 1] == '>') { selfclose = 1; i += 2; break; }
        if (!src[i] || closing) return bad(p, "unterminated tag", at);
        if (na == SSML_MAX_ATTRS) return bad(p, "too many attributes", at);
        size_t an = 0;
        while (src[i] && src[i] != '=' && src[i] != ' ' && src[i] != '>' && src[i] != '/') {
            if (an + 1 >= sizeof a[na].name) return bad(p, "attribute name too long", at);
            a[na].name[an++] = src[i++];
        }
        a[na].name[an] = 0;
        if (!an || src[i] != '=' || (src[i + 1] != '"' && src[i + 1] != '\'')) return bad(p, "attributes must be name=\"value\"", at);
        char q = src[i + 1];
        i += 2;
        size_t vl = 0;
        while (src[i] && src[i] != q) {
            if (src[i] == '<' || vl + 1 >= sizeof a[na].val) return bad(p, "bad attribute value", at);
            a[na].val[vl++] = src[i++];
        }
        if (!src[i]) return bad(p, "unterminated attribute value", at);
        a[na].val[vl] = 0;
        i++;
        na++;
    }
    *ip = i;
    if (closing) {
        if (p->depth == 0 || strcmp(p->st[p->depth].tag, name) != 0) return bad(p, "mismatched closing tag", at);
        if ((rc = flush(p))) return rc;
        p->depth--;
        if (k == 5 || k == 6) return put_text(p, " ", 1); /* </p>, </s> end a word */
        return 0;
    }
    if (k == 1) { /* break */
        if (!selfclose) return bad(p, "break must be empty (<break .../>)", at);
        return do_break(p, a, na, at);
    }
    if (k == 0 && (p->depth > 0 || p->d->tlen > 0)) return bad(p, "speak must be the outermost element", at);
    if (selfclose) return 0;
    if (p->depth == SSML_MAX_DEPTH) return bad(p, "elements are nested too deeply", at);
    if ((rc = flush(p))) return rc;
    p->depth++;
    p->st[p->depth] = p->st[p->depth - 1];
    snprintf(p->st[p->depth].tag, sizeof p->st[p->depth].tag, "%s", name);
    return open_style(p, name, a, na, at);
}

int sr_ssml_parse(const char *src, const char *field, sr_ssml **out, sr_err *err)
{
    pctx p = {0};
    int rc = 0;
    *out = NULL;
    p.d = calloc(1, sizeof *p.d);
    p.field = field;
    p.err = err;
    if (!p.d) return sr_err_set(err, SR_ENOMEM, field, "out of memory");
    p.st[0].rate = 100;
    if ((rc = put(&p, "", 0))) goto fail;
    for (size_t i = 0; src[i] && rc == 0;) {
        if (src[i] == '<') {
            rc = tag(&p, src, &i);
        } else if (src[i] == '>') {
            rc = bad(&p, "a stray '>' (write &gt;)", i);
        } else if (src[i] == '&') {
            char buf[8];
            int ol = 0, l = entity(src + i + 1, buf, &ol);
            if (!l) rc = bad(&p, "unknown entity (only &amp; &lt; &gt; &quot; &apos; &#N;)", i);
            else {
                rc = put_text(&p, buf, (size_t)ol);
                i += (size_t)l + 1;
            }
        } else {
            size_t j = i;
            while (src[j] && src[j] != '<' && src[j] != '&' && src[j] != '>') j++;
            rc = put_text(&p, src + i, j - i);
            i = j;
        }
    }
    if (rc == 0 && p.depth != 0) rc = bad(&p, "an element is not closed", strlen(src));
    if (rc == 0) rc = flush(&p);
    if (rc) goto fail;
    while (p.d->tlen && p.d->text[p.d->tlen - 1] == ' ') p.d->text[--p.d->tlen] = 0;
    if (p.d->n == 0) {
        rc = bad(&p, "the story speaks no text", 0);
        goto fail;
    }
    *out = p.d;
    return 0;
fail:
    sr_ssml_free(p.d);
    return rc;
}

const char *sr_ssml_text(const sr_ssml *d) { return d->text; }

void sr_ssml_free(sr_ssml *d)
{
    if (!d) return;
    for (int i = 0; i < d->n; i++) free(d->s[i].spoken);
    free(d->s);
    free(d->text);
    free(d);
}

/* Appends n samples of x (NULL: silence) to clip. */
static int append(sr_tts_clip *c, const float *x, int n, sr_err *err)
{
    if (n <= 0) return 0;
    if (c->nsamples > INT32_MAX / 2 - n) return sr_err_set(err, SR_ELIMIT, "story", "the speech is too long");
    float *q = realloc(c->samples, ((size_t)c->nsamples + (size_t)n) * sizeof *q);
    if (!q) return sr_err_set(err, SR_ENOMEM, "story", "out of memory");
    c->samples = q;
    if (x) memcpy(q + c->nsamples, x, (size_t)n * sizeof *q);
    else memset(q + c->nsamples, 0, (size_t)n * sizeof *q);
    c->nsamples += n;
    return 0;
}

int sr_ssml_synth(const sr_ssml *d, const sr_tts_backend *be, const char *voice_id, int speed, double amp,
                  sr_tts_clip *clip, sr_err *err)
{
    int rc = 0, wcap = 0;
    double pending = d->lead;
    memset(clip, 0, sizeof *clip);
    for (int i = 0; i < d->n && rc == 0; i++) {
        const seg *g = &d->s[i];
        sr_tts_clip part = {0};
        int sp = (int)lround(speed * g->rate / 100.0);
        double a = amp + g->vol;
        sp = sp < 50 ? 50 : sp > 200 ? 200 : sp;
        a = a < -1 ? -1 : a > 1 ? 1 : a;
        if ((rc = be->synth(voice_id, sp, a, g->spoken, &part, err))) break;
        if (clip->rate == 0) clip->rate = part.rate;
        if (part.rate != clip->rate) rc = sr_err_set(err, SR_ETTS, "story", "the voice changed its sample rate");
        if (rc == 0) rc = append(clip, NULL, (int)lround(pending * clip->rate), err);
        double t0 = (double)clip->nsamples / clip->rate;
        if (rc == 0) rc = append(clip, part.samples, part.nsamples, err);
        int same = strlen(g->spoken) == (size_t)g->len && memcmp(g->spoken, d->text + g->off, (size_t)g->len) == 0;
        int add = same ? part.nwords : part.nwords > 0;
        if (rc == 0 && clip->nwords + add > wcap) {
            int nc = wcap ? wcap * 2 : 64;
            while (nc < clip->nwords + add) nc *= 2;
            sr_tts_word *q = realloc(clip->words, (size_t)nc * sizeof *q);
            if (!q) rc = sr_err_set(err, SR_ENOMEM, "story", "out of memory");
            else clip->words = q, wcap = nc;
        }
        if (rc == 0 && same) {
            for (int k = 0; k < part.nwords; k++) {
                sr_tts_word w = part.words[k];
                w.text_off += g->off;
                w.start += t0;
                w.end += t0;
                clip->words[clip->nwords++] = w;
            }
        } else if (rc == 0 && add) { /* spelled out: one word spans the segment */
            sr_tts_word w = {g->off, g->len, t0 + part.words[0].start, t0 + part.words[part.nwords - 1].end};
            clip->words[clip->nwords++] = w;
        }
        pending = g->brk;
        sr_tts_clip_free(&part);
    }
    if (rc == 0 && pending > 0) rc = append(clip, NULL, (int)lround(pending * clip->rate), err);
    if (rc) sr_tts_clip_free(clip);
    return rc;
}
