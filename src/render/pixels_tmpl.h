/* pixels_tmpl.h - the vector versions of pixels.h's loops, written once over
 * the V_* macros that pixels.c defines for one vector width (SSE2: 16 bytes,
 * AVX2: 32 bytes) before including this file. Each loop does whole vectors
 * and leaves the rest (fewer than VB pixels) to the scalar version, so every
 * result is the scalar formula's, bit for bit.
 *
 * Lanes: 16-bit arithmetic throughout; every intermediate fits in 16 bits
 * (see the ranges in pixels.h), and a product that does not (text chroma)
 * goes through 32-bit lanes. */

/* div255 of 16-bit lanes, x <= 65535 - 383: (x + 128 + ((x + 128) >> 8)) >> 8 */
V_TARGET static inline V V_FN(div255)(V x)
{
    x = V_ADD16(x, V_SET16(128));
    return V_SRLI16(V_ADD16(x, V_SRLI16(x, 8)), 8);
}

/* (x * (255 - a) + c * a + 127) / 255 for 16-bit lanes (exact: x < 65536) */
V_TARGET static inline V V_FN(mix8)(V d, V c, V a)
{
    V x = V_ADD16(V_ADD16(V_MULLO16(d, V_SUB16(V_SET16(255), a)), V_MULLO16(c, a)), V_SET16(127));
    return V_SRLI16(V_MULHI16U(x, V_SET16((short)0x8081)), 7);
}

V_TARGET static void V_FN(vblend)(uint8_t *d, const uint16_t *t, const uint16_t *b, uint16_t w0, uint16_t w1,
                                  int n)
{
    const V k0 = V_SET16((short)w0), k1 = V_SET16((short)w1), r = V_SET16(128);
    int i = 0;
    for (; i + VB <= n; i += VB) {
        V lo = V_ADD16(V_MULHI16U(V_LOAD(t + i), k0), V_MULHI16U(V_LOAD(b + i), k1));
        V hi = V_ADD16(V_MULHI16U(V_LOAD(t + i + VB / 2), k0), V_MULHI16U(V_LOAD(b + i + VB / 2), k1));
        lo = V_SRLI16(V_ADD16(lo, r), 8);
        hi = V_SRLI16(V_ADD16(hi, r), 8);
        V_STORE(d + i, V_PACK_ORDERED(lo, hi));
    }
    if (i < n) vblend_c(d + i, t + i, b + i, w0, w1, n - i);
}

V_TARGET static void V_FN(round8)(uint8_t *d, const uint16_t *t, int n)
{
    const V r = V_SET16(128);
    int i = 0;
    for (; i + VB <= n; i += VB) {
        V lo = V_SRLI16(V_ADD16(V_LOAD(t + i), r), 8), hi = V_SRLI16(V_ADD16(V_LOAD(t + i + VB / 2), r), 8);
        V_STORE(d + i, V_PACK_ORDERED(lo, hi));
    }
    if (i < n) round8_c(d + i, t + i, n - i);
}

/* The byte loops: VB pixels a step, widened to two vectors of 16-bit lanes
 * (unpack and pack keep the pixel order in every lane). */
#define V_BYTE_LOOP(tail, ...)                                                                     \
    int i = 0;                                                                                     \
    for (; i + VB <= n; i += VB) {                                                                 \
        V out[2];                                                                                  \
        for (int h = 0; h < 2; h++) {                                                              \
            __VA_ARGS__                                                                            \
        }                                                                                          \
        V_STORE(o + i, V_PACKUS16(out[0], out[1]));                                                \
    }                                                                                              \
    if (i < n) tail

/* byte k of vector p widened: h 0 takes the low half of each lane, 1 the high */
#define V_WIDEN(p) (h ? V_UNPHI8(V_LOAD(p), V_ZERO()) : V_UNPLO8(V_LOAD(p), V_ZERO()))

V_TARGET static void V_FN(mix)(uint8_t *o, const uint8_t *x, const uint8_t *y, int w, int n)
{
    const V k0 = V_SET16((short)(256 - w)), k1 = V_SET16((short)w);
    V_BYTE_LOOP(mix_c(o + i, x + i, y + i, w, n - i);,
                out[h] = V_SRLI16(V_ADD16(V_ADD16(V_MULLO16(V_WIDEN(x + i), k0), V_MULLO16(V_WIDEN(y + i), k1)),
                                          V_SET16(128)),
                                  8);)
}

V_TARGET static void V_FN(mask_mix)(uint8_t *o, const uint8_t *x, const uint8_t *y, const uint8_t *a, int n)
{
    V_BYTE_LOOP(mask_mix_c(o + i, x + i, y + i, a + i, n - i);, V al = V_WIDEN(a + i);
                out[h] = V_FN(div255)(V_ADD16(V_MULLO16(V_WIDEN(x + i), V_SUB16(V_SET16(255), al)),
                                              V_MULLO16(V_WIDEN(y + i), al)));)
}

V_TARGET static void V_FN(over)(uint8_t *o, const uint8_t *p, const uint8_t *a, int n)
{
    V_BYTE_LOOP(over_c(o + i, p + i, a + i, n - i);,
                out[h] = V_ADD16(V_FN(div255)(V_MULLO16(V_WIDEN(o + i), V_SUB16(V_SET16(255), V_WIDEN(a + i)))),
                                 V_WIDEN(p + i));)
}

V_TARGET static void V_FN(tint)(uint8_t *o, int keep, int add, int n)
{
    const V k = V_SET16((short)keep), ad = V_SET16((short)add);
    V_BYTE_LOOP(tint_c(o + i, keep, add, n - i);,
                out[h] = V_FN(div255)(V_ADD16(V_MULLO16(V_WIDEN(o + i), k), ad));)
}

V_TARGET static void V_FN(mask_luma)(uint8_t *o, const uint8_t *m, int c, int alpha, int n)
{
    const V al = V_SET16((short)alpha), cc = V_SET16((short)c);
    V_BYTE_LOOP(mask_luma_c(o + i, m + i, c, alpha, n - i);,
                out[h] = V_FN(mix8)(V_WIDEN(o + i), cc, V_FN(div255)(V_MULLO16(V_WIDEN(m + i), al)));)
}

/* VB / 2 chroma pixels a step: pair sums of VB mask bytes of each row */
V_TARGET static void V_FN(mask_chroma)(uint8_t *du, uint8_t *dv, const uint8_t *r0, const uint8_t *r1, int cu,
                                       int cv, int alpha, int n)
{
    const V lo8 = V_SET16(0xFF), al = V_SET32(alpha), cuv = V_SET16((short)cu), cvv = V_SET16((short)cv);
    int i = 0;
    for (; i + VB / 2 <= n; i += VB / 2) {
        V a0 = V_LOAD(r0 + 2 * i), a1 = V_LOAD(r1 + 2 * i);
        V s = V_ADD16(V_ADD16(V_AND(a0, lo8), V_SRLI16(a0, 8)), V_ADD16(V_AND(a1, lo8), V_SRLI16(a1, 8)));
        V p[2] = {V_UNPLO16(s, V_ZERO()), V_UNPHI16(s, V_ZERO())};
        for (int h = 0; h < 2; h++) { /* (s * alpha * 257 + 131584) >> 18 in 32-bit lanes */
            V x = V_MADD16(p[h], al);
            p[h] = V_SRLI32(V_ADD32(V_ADD32(V_SLLI32(x, 8), x), V_SET32(131584)), 18);
        }
        V a = V_PACKS32(p[0], p[1]);
        V_STORE_HALF(du + i, V_FN(mix8)(V_LOAD_HALF(du + i), cuv, a));
        V_STORE_HALF(dv + i, V_FN(mix8)(V_LOAD_HALF(dv + i), cvv, a));
    }
    if (i < n) mask_chroma_c(du + i, dv + i, r0 + 2 * i, r1 + 2 * i, cu, cv, alpha, n - i);
}

static const sr_px_ops V_FN(ops) = {
    V_NAME,        V_FN(hfilter), V_FN(vblend),    V_FN(round8),    V_FN(mix),
    V_FN(mask_mix), V_FN(over),    V_FN(tint),      V_FN(mask_luma), V_FN(mask_chroma),
};

#undef V_BYTE_LOOP
#undef V_WIDEN
