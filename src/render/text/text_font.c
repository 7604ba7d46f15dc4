/* text_font.c - font metrics for sizing: libass sizes a font so that its
 * ascender + descender (the OS/2 Windows metrics when present) span the ASS
 * font size, while storyreel sizes text by its em. The ratio between the two
 * is read from the font file that fontconfig picks for the family, with the
 * same metric choice libass makes, and cached per family. */
#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_TRUETYPE_TABLES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/text/text_int.h"

#define TX_FONT_CACHE 32
#define TX_MAX_FONT_FILES 16

struct tx_fonts {
    FcConfig *fc; /* our own configuration (the process default is left alone) */
    char *dir;    /* the font folder, or NULL */
    FT_Library ft;
    int n;
    struct {
        char family[TX_MAX_FAMILY + 1];
        double ratio;
    } cache[TX_FONT_CACHE];
    int nfiles;
    struct {
        char *path;
        char family[TX_MAX_FAMILY + 1];
    } files[TX_MAX_FONT_FILES];
};

tx_fonts *tx_fonts_create(const char *fonts_dir)
{
    tx_fonts *fo = calloc(1, sizeof *fo);
    if (!fo) return NULL;
    fo->fc = FcInitLoadConfigAndFonts();
    if (fo->fc && fonts_dir) FcConfigAppFontAddDir(fo->fc, (const FcChar8 *)fonts_dir);
    if (fonts_dir && !(fo->dir = strdup(fonts_dir))) {
        tx_fonts_destroy(fo);
        return NULL;
    }
    if (FT_Init_FreeType(&fo->ft)) fo->ft = NULL;
    return fo;
}

void tx_fonts_destroy(tx_fonts *fo)
{
    if (!fo) return;
    for (int i = 0; i < fo->nfiles; i++)
        free(fo->files[i].path);
    free(fo->dir);
    if (fo->ft) FT_Done_FreeType(fo->ft);
    if (fo->fc) FcConfigDestroy(fo->fc);
    free(fo);
}

/* (ascender + descender) / units-per-em as libass's set_font_metrics computes it. */
static double face_ratio(FT_Face face)
{
    double upem = face->units_per_EM;
    if (upem <= 0) return 1.0;
    double asc = face->ascender, desc = -face->descender;
    TT_OS2 *os2 = FT_Get_Sfnt_Table(face, FT_SFNT_OS2);
    if (os2 && (short)os2->usWinAscent + (short)os2->usWinDescent != 0) {
        asc = (short)os2->usWinAscent;
        desc = (short)os2->usWinDescent;
    } else if (asc + desc == 0 && os2 && os2->sTypoAscender - os2->sTypoDescender != 0) {
        asc = os2->sTypoAscender;
        desc = -os2->sTypoDescender;
    }
    double r = (asc + desc) / upem;
    return r > 0.5 && r < 3.0 ? r : 1.0;
}

static double lookup_ratio(tx_fonts *fo, const char *family)
{
    double ratio = 1.0;
    FcPattern *pat = NULL, *match = NULL;
    FT_Face face = NULL;
    if (!fo->fc || !fo->ft) goto done;
    pat = FcPatternCreate();
    if (!pat) goto done;
    FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
    FcConfigSubstitute(fo->fc, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult res;
    match = FcFontMatch(fo->fc, pat, &res);
    if (!match) goto done;
    FcChar8 *file = NULL;
    int index = 0;
    if (FcPatternGetString(match, FC_FILE, 0, &file) != FcResultMatch) goto done;
    if (FcPatternGetInteger(match, FC_INDEX, 0, &index) != FcResultMatch) index = 0;
    if (FT_New_Face(fo->ft, (const char *)file, index, &face)) {
        face = NULL;
        goto done;
    }
    ratio = face_ratio(face);
done:
    if (face) FT_Done_Face(face);
    if (match) FcPatternDestroy(match);
    if (pat) FcPatternDestroy(pat);
    return ratio;
}

double tx_fonts_ratio(tx_fonts *fo, const char *family)
{
    if (!fo || !family) return 1.0;
    for (int i = 0; i < fo->n; i++)
        if (strcmp(fo->cache[i].family, family) == 0) return fo->cache[i].ratio;
    double r = lookup_ratio(fo, family);
    int slot = fo->n < TX_FONT_CACHE ? fo->n++ : TX_FONT_CACHE - 1;
    snprintf(fo->cache[slot].family, sizeof fo->cache[slot].family, "%s", family);
    fo->cache[slot].ratio = r;
    return r;
}

const char *tx_fonts_file_family(tx_fonts *fo, const char *path)
{
    for (int i = 0; fo && path && i < fo->nfiles; i++)
        if (strcmp(fo->files[i].path, path) == 0) return fo->files[i].family;
    return NULL;
}

const char *tx_fonts_add_file(tx_fonts *fo, const char *path)
{
    if (!fo || !path || !fo->ft) return NULL;
    const char *known = tx_fonts_file_family(fo, path);
    if (known || fo->nfiles >= TX_MAX_FONT_FILES) return known;
    FT_Face face;
    if (FT_New_Face(fo->ft, path, 0, &face)) return NULL;
    const char *fam = face->family_name;
    char name[TX_MAX_FAMILY + 1];
    snprintf(name, sizeof name, "%s", fam ? fam : "");
    FT_Done_Face(face);
    for (char *c = name; *c; c++) /* the name goes into \fn: no override syntax */
        if (*c == '\\' || *c == '{' || *c == '}' || (unsigned char)*c < 0x20) *c = ' ';
    if (!*name) return NULL;
    char *p = strdup(path);
    if (!p) return NULL;
    if (fo->fc) FcConfigAppFontAddFile(fo->fc, (const FcChar8 *)path);
    fo->files[fo->nfiles].path = p;
    snprintf(fo->files[fo->nfiles].family, sizeof fo->files[fo->nfiles].family, "%s", name);
    /* a family cached before this file was known may have been a substitute */
    for (int i = 0; i < fo->n; i++)
        if (strcmp(fo->cache[i].family, name) == 0) fo->cache[i].family[0] = 0;
    return fo->files[fo->nfiles++].family;
}

int tx_fonts_folder_files(tx_fonts *fo, const char *family, tx_font_file_fn fn, void *arg)
{
    if (!fo || !fo->fc || !fo->dir || !family) return 0;
    size_t dl = strlen(fo->dir);
    FcPattern *pat = FcPatternCreate();
    FcObjectSet *os = FcObjectSetBuild(FC_FILE, (char *)0);
    int n = 0;
    if (pat && os) {
        FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
        FcFontSet *fs = FcFontList(fo->fc, pat, os);
        for (int i = 0; fs && i < fs->nfont && n < TX_MAX_FOLDER_FILES; i++) {
            FcChar8 *file = NULL;
            if (FcPatternGetString(fs->fonts[i], FC_FILE, 0, &file) != FcResultMatch) continue;
            if (strncmp((const char *)file, fo->dir, dl) != 0) continue; /* a system font */
            fn(arg, (const char *)file);
            n++;
        }
        if (fs) FcFontSetDestroy(fs);
    }
    if (os) FcObjectSetDestroy(os);
    if (pat) FcPatternDestroy(pat);
    return n;
}
