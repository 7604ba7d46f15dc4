/* fonts.h - Pictory's font catalog and the font folder: which families a
 * storyboard may name, where each comes from (scripts/install-fonts), and
 * what stands in for one that is not installed.
 *
 * The catalog is a table in fonts_catalog.c, one row a line; the install
 * script reads the same rows, so the two cannot drift apart. */
#ifndef SR_FONTS_H
#define SR_FONTS_H

#include <stddef.h>

enum sr_font_category { SR_FONT_SANS, SR_FONT_SERIF, SR_FONT_MONO, SR_FONT_DISPLAY, SR_FONT_HAND };

typedef struct sr_font_family {
    const char *name;   /* the family name as Pictory and the font spell it */
    int category;       /* enum sr_font_category: picks the fallback */
    const char *source; /* "deb:PACKAGE" (Debian) or "npm:@fontsource/NAME" (OFL) */
} sr_font_family;

/* The catalog (n rows). */
const sr_font_family *sr_font_catalog(size_t *n);
/* The catalog row of family (case-insensitive), or NULL. */
const sr_font_family *sr_font_find(const char *family);

/* The project's font folder: $STORYREEL_FONTS_DIR, else the fonts/ folder of
 * the source tree this binary was built from (may not exist). */
const char *sr_fonts_dir(void);

/* Whether family is installed (fontconfig's system fonts plus the font
 * folder). When it is, copies it to out and returns 0; when it is not,
 * copies the stand-in (an "alias:" row's family when installed, else DejaVu
 * Sans / Serif / Sans Mono by the catalog's category; DejaVu Sans for a name
 * not in the catalog) and returns 1.
 * Thread-safe; the first call scans the fonts once. */
int sr_font_resolve(const char *family, char *out, size_t outsz);

/* "Poppins Extrabold" -> base "Poppins" and *weight 800: when family ends in
 * a weight word (thin 100 .. black 900, "Extra Bold" too) copies the rest
 * into base (n bytes) and returns 1; else 0 and *weight 0. */
int sr_font_split_weight(const char *family, char *base, size_t n, int *weight);

/* sr_font_resolve for a family that may be named with a weight: installed
 * as named (the weight's own face: @fontsource names a weight's files
 * "Poppins ExtraBold"; or a family of its own, "Archivo Black") it is kept
 * with *weight 0; else a name that splits (sr_font_split_weight) resolves
 * its base family with *weight set. */
int sr_font_resolve_weight(const char *family, char *out, size_t outsz, int *weight);

#endif
