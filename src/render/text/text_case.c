/* text_case.c - letter case by the language's rules, through ICU: full
 * mappings (German ß -> SS), locale-sensitive ones (Turkish and Azeri
 * dotted/dotless i, Lithuanian dots, Greek accents dropped in capitals,
 * final sigma), every script ICU knows. */
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "render/text/text_int.h"

#define TX_CASE_MAX_UNITS (TX_MAX_TEXT_BYTES * 3) /* UTF-16 units of a mapped piece */

int tx_is_letter(uint32_t cp)
{
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    return u_isalnum((UChar32)cp) || u_hasBinaryProperty((UChar32)cp, UCHAR_DIACRITIC) ||
           cp == 0x2019 /* ’ inside a word */;
}

char *tx_case_map(const char *s, size_t n, int mode, const char *lang, size_t *out_len)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t ulen = 0;
    if (n > TX_MAX_TEXT_BYTES) return NULL;
    UChar *src = malloc((n + 1) * sizeof *src), *dst = NULL;
    char *out = NULL;
    if (!src) return NULL;
    u_strFromUTF8WithSub(src, (int32_t)n + 1, &ulen, s, (int32_t)n, 0xFFFD, NULL, &e);
    if (U_FAILURE(e)) goto done;
    int32_t cap = ulen * 3 + 8, dlen = 0; /* a code point maps to at most 3 */
    if (cap > TX_CASE_MAX_UNITS || !(dst = malloc((size_t)cap * sizeof *dst))) goto done;
    const char *loc = lang ? lang : "";
    if (mode == TX_CASE_UPPER) dlen = u_strToUpper(dst, cap, src, ulen, loc, &e);
    else if (mode == TX_CASE_LOWER) dlen = u_strToLower(dst, cap, src, ulen, loc, &e);
    else dlen = u_strToTitle(dst, cap, src, ulen, NULL, loc, &e);
    if (U_FAILURE(e) || dlen > cap) goto done;
    int32_t blen = 0;
    u_strToUTF8(NULL, 0, &blen, dst, dlen, &e);
    if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e)) goto done;
    e = U_ZERO_ERROR;
    if (!(out = malloc((size_t)blen + 1))) goto done;
    u_strToUTF8(out, blen + 1, &blen, dst, dlen, &e);
    if (U_FAILURE(e)) {
        free(out);
        out = NULL;
        goto done;
    }
    *out_len = (size_t)blen;
done:
    free(src);
    free(dst);
    return out;
}
