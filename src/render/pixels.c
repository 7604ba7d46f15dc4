/* pixels.c - the compositor's per-pixel loops (pixels.h): the scalar
 * reference, then the SSE2 and AVX2 versions (pixels_tmpl.h instantiated for
 * each vector width, plus the horizontal filters, which differ), then the
 * run-time choice. */
#include "render/pixels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SR_PX_X86 1
#include <immintrin.h>
#else
#define SR_PX_X86 0
#endif

/* ------------------------------------------------------------------ scalar */

static inline int div255(int x)
{
    x += 128;
    return (x + (x >> 8)) >> 8;
}

static inline uint8_t mix8(int d, int c, int a)
{
    return (uint8_t)((d * (255 - a) + c * a + 127) / 255);
}

static inline int load_pair(const uint8_t *p, int *b)
{
    *b = p[1];
    return p[0];
}

static void hfilter_span(uint16_t *restrict h, const uint8_t *restrict r, const sr_px_cols *c, int i, int n)
{
    const int32_t *restrict xi = c->xi;
    const uint16_t *restrict wx = c->wx;
    for (; i < n; i++) {
        int b, a = load_pair(r + xi[i], &b);
        h[i] = (uint16_t)(a * 256 + (b - a) * wx[i]);
    }
}

static void hfilter_c(uint16_t *h, const uint8_t *r, const sr_px_cols *c)
{
    hfilter_span(h, r, c, 0, c->n);
}

static void vblend_c(uint8_t *restrict d, const uint16_t *restrict t, const uint16_t *restrict b, uint16_t w0,
                     uint16_t w1, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned v = (((uint32_t)t[i] * w0) >> 16) + (((uint32_t)b[i] * w1) >> 16);
        d[i] = (uint8_t)((v + 128) >> 8);
    }
}

static void round8_c(uint8_t *restrict d, const uint16_t *restrict t, int n)
{
    for (int i = 0; i < n; i++) d[i] = (uint8_t)((t[i] + 128) >> 8);
}

static void mix_c(uint8_t *restrict o, const uint8_t *restrict x, const uint8_t *restrict y, int w, int n)
{
    for (int i = 0; i < n; i++) o[i] = (uint8_t)((x[i] * (256 - w) + y[i] * w + 128) >> 8);
}

static void mask_mix_c(uint8_t *restrict o, const uint8_t *restrict x, const uint8_t *restrict y,
                       const uint8_t *restrict a, int n)
{
    for (int i = 0; i < n; i++) o[i] = (uint8_t)div255(x[i] * (255 - a[i]) + y[i] * a[i]);
}

static void over_c(uint8_t *restrict d, const uint8_t *restrict p, const uint8_t *restrict a, int n)
{
    for (int i = 0; i < n; i++) {
        int v = div255(d[i] * (255 - a[i])) + p[i];
        d[i] = (uint8_t)(v > 255 ? 255 : v);
    }
}

static void tint_c(uint8_t *restrict d, int keep, int add, int n)
{
    for (int i = 0; i < n; i++) d[i] = (uint8_t)div255(d[i] * keep + add);
}

static void mask_luma_c(uint8_t *restrict d, const uint8_t *restrict m, int c, int alpha, int n)
{
    for (int i = 0; i < n; i++) {
        if (!m[i]) continue; /* a = 0 leaves d as it is */
        d[i] = mix8(d[i], c, div255(m[i] * alpha));
    }
}

static void mask_chroma_c(uint8_t *restrict du, uint8_t *restrict dv, const uint8_t *restrict r0,
                          const uint8_t *restrict r1, int cu, int cv, int alpha, int n)
{
    for (int i = 0; i < n; i++) {
        int s = r0[2 * i] + r0[2 * i + 1] + r1[2 * i] + r1[2 * i + 1];
        if (!s) continue;
        int a = (s * alpha * 257 + 131584) >> 18;
        du[i] = mix8(du[i], cu, a);
        dv[i] = mix8(dv[i], cv, a);
    }
}

static const sr_px_ops ops_c = {
    "scalar", hfilter_c, vblend_c, round8_c, mix_c, mask_mix_c, over_c, tint_c, mask_luma_c, mask_chroma_c,
};

void sr_px_plan(sr_px_cols *c, int sw)
{
    int nb = (c->n + 7) / 8;
    for (int b = 0; b < nb; b++) {
        int i0 = 8 * b, lo = c->xi[i0], hi = lo;
        for (int i = i0; i < i0 + 8 && i < c->n; i++) {
            if (c->xi[i] < lo) lo = c->xi[i];
            if (c->xi[i] > hi) hi = c->xi[i];
        }
        /* a full block whose pairs lie in 16 bytes inside the row */
        int ok = i0 + 8 <= c->n && lo >= 0 && hi + 1 - lo <= 15 && lo + 16 <= sw;
        c->blk_off[b] = ok ? lo : -1;
        for (int k = 0; k < 8; k++) {
            c->blk_shuf[16 * b + 2 * k] = ok ? (uint8_t)(c->xi[i0 + k] - lo) : 0;
            c->blk_shuf[16 * b + 2 * k + 1] = 0x80;
        }
    }
    c->blk_off[nb] = -1;
}

/* ------------------------------------------------------------------ vector */

#if SR_PX_X86
static inline int ld16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return v;
}

/* SSE2 has no byte shuffle: the pairs are inserted one 16-bit word at a time */
__attribute__((target("sse2"))) static void hfilter_sse2(uint16_t *h, const uint8_t *r, const sr_px_cols *c)
{
    const __m128i lo8 = _mm_set1_epi16(0xFF);
    int n = c->n, i = 0;
    for (; i + 8 <= n; i += 8) {
        const int32_t *x = c->xi + i;
        __m128i v = _mm_cvtsi32_si128(ld16(r + x[0]));
        v = _mm_insert_epi16(v, ld16(r + x[1]), 1);
        v = _mm_insert_epi16(v, ld16(r + x[2]), 2);
        v = _mm_insert_epi16(v, ld16(r + x[3]), 3);
        v = _mm_insert_epi16(v, ld16(r + x[4]), 4);
        v = _mm_insert_epi16(v, ld16(r + x[5]), 5);
        v = _mm_insert_epi16(v, ld16(r + x[6]), 6);
        v = _mm_insert_epi16(v, ld16(r + x[7]), 7);
        __m128i a = _mm_and_si128(v, lo8), b = _mm_srli_epi16(v, 8);
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(c->wx + i));
        _mm_storeu_si128((__m128i *)(void *)(h + i),
                         _mm_add_epi16(_mm_slli_epi16(a, 8), _mm_mullo_epi16(_mm_sub_epi16(b, a), w)));
    }
    if (i < n) hfilter_span(h, r, c, i, n);
}

/* AVX2: two blocks of 8 outputs a step, each block's pairs gathered from its
 * 16-byte window by one byte shuffle (the plan's), the right samples by the
 * same shuffle moved one byte on */
__attribute__((target("avx2"))) static void hfilter_avx2(uint16_t *h, const uint8_t *r, const sr_px_cols *c)
{
    const __m256i one = _mm256_set1_epi8(1);
    int n = c->n, i = 0;
    for (; i + 16 <= n; i += 16) {
        int b = i >> 3;
        int32_t o0 = c->blk_off[b], o1 = c->blk_off[b + 1];
        if ((o0 | o1) < 0) {
            hfilter_span(h, r, c, i, i + 16);
            continue;
        }
        __m256i src = _mm256_inserti128_si256(
            _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(r + o0))),
            _mm_loadu_si128((const __m128i *)(const void *)(r + o1)), 1);
        __m256i sh = _mm256_loadu_si256((const __m256i *)(const void *)(c->blk_shuf + 16 * b));
        __m256i a = _mm256_shuffle_epi8(src, sh), bb = _mm256_shuffle_epi8(src, _mm256_add_epi8(sh, one));
        __m256i w = _mm256_loadu_si256((const __m256i *)(const void *)(c->wx + i));
        _mm256_storeu_si256((__m256i *)(void *)(h + i),
                            _mm256_add_epi16(_mm256_slli_epi16(a, 8), _mm256_mullo_epi16(_mm256_sub_epi16(bb, a), w)));
    }
    if (i < n) hfilter_span(h, r, c, i, n);
}

/* SSE2 */
#define V __m128i
#define VB 16
#define V_FN(x) x##_sse2
#define V_NAME "sse2"
#define V_TARGET __attribute__((target("sse2")))
#define V_LOAD(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define V_STORE(p, v) _mm_storeu_si128((__m128i *)(void *)(p), v)
#define V_ZERO() _mm_setzero_si128()
#define V_SET16(x) _mm_set1_epi16(x)
#define V_SET32(x) _mm_set1_epi32(x)
#define V_ADD16 _mm_add_epi16
#define V_SUB16 _mm_sub_epi16
#define V_MULLO16 _mm_mullo_epi16
#define V_MULHI16U _mm_mulhi_epu16
#define V_SRLI16 _mm_srli_epi16
#define V_AND _mm_and_si128
#define V_UNPLO8 _mm_unpacklo_epi8
#define V_UNPHI8 _mm_unpackhi_epi8
#define V_UNPLO16 _mm_unpacklo_epi16
#define V_UNPHI16 _mm_unpackhi_epi16
#define V_PACKUS16 _mm_packus_epi16
#define V_PACK_ORDERED _mm_packus_epi16
#define V_MADD16 _mm_madd_epi16
#define V_ADD32 _mm_add_epi32
#define V_SLLI32 _mm_slli_epi32
#define V_SRLI32 _mm_srli_epi32
#define V_PACKS32 _mm_packs_epi32
#define V_LOAD_HALF(p) _mm_unpacklo_epi8(_mm_loadl_epi64((const __m128i *)(const void *)(p)), _mm_setzero_si128())
#define V_STORE_HALF(p, v) _mm_storel_epi64((__m128i *)(void *)(p), _mm_packus_epi16(v, v))
#include "render/pixels_tmpl.h"
#undef V
#undef VB
#undef V_FN
#undef V_NAME
#undef V_TARGET
#undef V_LOAD
#undef V_STORE
#undef V_ZERO
#undef V_SET16
#undef V_SET32
#undef V_ADD16
#undef V_SUB16
#undef V_MULLO16
#undef V_MULHI16U
#undef V_SRLI16
#undef V_AND
#undef V_UNPLO8
#undef V_UNPHI8
#undef V_UNPLO16
#undef V_UNPHI16
#undef V_PACKUS16
#undef V_PACK_ORDERED
#undef V_MADD16
#undef V_ADD32
#undef V_SLLI32
#undef V_SRLI32
#undef V_PACKS32
#undef V_LOAD_HALF
#undef V_STORE_HALF

/* AVX2 (unpack, pack and shifts work per 128-bit lane; the pixel order is
 * kept wherever unpack and pack pair up, and restored by a permute where a
 * pack joins two whole vectors) */
#define V __m256i
#define VB 32
#define V_FN(x) x##_avx2
#define V_NAME "avx2"
#define V_TARGET __attribute__((target("avx2")))
#define V_LOAD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_STORE(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
#define V_ZERO() _mm256_setzero_si256()
#define V_SET16(x) _mm256_set1_epi16(x)
#define V_SET32(x) _mm256_set1_epi32(x)
#define V_ADD16 _mm256_add_epi16
#define V_SUB16 _mm256_sub_epi16
#define V_MULLO16 _mm256_mullo_epi16
#define V_MULHI16U _mm256_mulhi_epu16
#define V_SRLI16 _mm256_srli_epi16
#define V_AND _mm256_and_si256
#define V_UNPLO8 _mm256_unpacklo_epi8
#define V_UNPHI8 _mm256_unpackhi_epi8
#define V_UNPLO16 _mm256_unpacklo_epi16
#define V_UNPHI16 _mm256_unpackhi_epi16
#define V_PACKUS16 _mm256_packus_epi16
#define V_PACK_ORDERED(a, b) _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8)
#define V_MADD16 _mm256_madd_epi16
#define V_ADD32 _mm256_add_epi32
#define V_SLLI32 _mm256_slli_epi32
#define V_SRLI32 _mm256_srli_epi32
#define V_PACKS32 _mm256_packs_epi32
#define V_LOAD_HALF(p) _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p)))
#define V_STORE_HALF(p, v)                                                                         \
    _mm_storeu_si128((__m128i *)(void *)(p),                                                       \
                     _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi16(v, v), 0xD8)))
#include "render/pixels_tmpl.h"
#endif

/* ------------------------------------------------------------------ choice */

static const sr_px_ops *g_ops; /* set once, read by every compositor thread */
static _Thread_local sr_px_counters g_counters;
static int g_no_skip = -1; /* -1: not read from the environment yet */

sr_px_level sr_px_best(void)
{
#if SR_PX_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? SR_PX_AVX2 : SR_PX_SSE2;
#else
    return SR_PX_SCALAR;
#endif
}

const sr_px_ops *sr_px_ops_of(sr_px_level l)
{
    if (l > sr_px_best()) return NULL;
#if SR_PX_X86
    if (l == SR_PX_AVX2) return &ops_avx2;
    if (l == SR_PX_SSE2) return &ops_sse2;
#endif
    return l == SR_PX_SCALAR ? &ops_c : NULL;
}

sr_px_level sr_px_select(sr_px_level l)
{
    sr_px_level best = sr_px_best();
    if (l > best) l = best;
    if (l < SR_PX_SCALAR) l = SR_PX_SCALAR;
    __atomic_store_n(&g_ops, sr_px_ops_of(l), __ATOMIC_RELEASE);
    return l;
}

const sr_px_ops *sr_px(void)
{
    const sr_px_ops *o = __atomic_load_n(&g_ops, __ATOMIC_ACQUIRE);
    if (o) return o;
    sr_px_level l = sr_px_best();
    const char *e = getenv("STORYREEL_SIMD");
    if (e && !strcmp(e, "scalar")) l = SR_PX_SCALAR;
    else if (e && !strcmp(e, "sse2") && l > SR_PX_SSE2) l = SR_PX_SSE2;
    sr_px_select(l);
    return __atomic_load_n(&g_ops, __ATOMIC_ACQUIRE);
}

sr_px_counters *sr_px_counters_get(void)
{
    return &g_counters;
}

int sr_px_skip(void)
{
    int v = __atomic_load_n(&g_no_skip, __ATOMIC_RELAXED);
    if (v < 0) {
        const char *e = getenv("STORYREEL_NO_SKIP");
        v = e && *e && strcmp(e, "0") ? 1 : 0;
        __atomic_store_n(&g_no_skip, v, __ATOMIC_RELAXED);
    }
    return !v;
}

void sr_px_set_skip(int on)
{
    __atomic_store_n(&g_no_skip, on ? 0 : 1, __ATOMIC_RELAXED);
}
