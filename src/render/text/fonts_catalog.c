/* fonts_catalog.c - Pictory's font catalog (fonts.h).
 *
 * Sources: a Debian font package where Debian has the family, else the
 * family's OFL package from the npm registry (@fontsource/NAME), whose
 * .woff files FreeType reads; "npm:PACKAGE:WEIGHT" installs that weight of
 * the family (a row Pictory names with its weight, "Poppins Extrabold");
 * "alias:FAMILY" names the free stand-in of a proprietary family. scripts/install-fonts parses the rows below
 * (one row a line, exactly this shape), so keep them one to a line. */
#include <fontconfig/fontconfig.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "render/text/fonts.h"

static const sr_font_family k_catalog[] = {
    /* sans */
    {"Montserrat", SR_FONT_SANS, "npm:@fontsource/montserrat"},
    {"Poppins", SR_FONT_SANS, "npm:@fontsource/poppins"},
    {"Roboto", SR_FONT_SANS, "deb:fonts-roboto-unhinted"},
    {"Roboto Condensed", SR_FONT_SANS, "deb:fonts-roboto-unhinted"},
    {"Lato", SR_FONT_SANS, "deb:fonts-lato"},
    {"Open Sans", SR_FONT_SANS, "deb:fonts-open-sans"},
    {"Inter", SR_FONT_SANS, "npm:@fontsource/inter"},
    {"DM Sans", SR_FONT_SANS, "npm:@fontsource/dm-sans"},
    {"Space Grotesk", SR_FONT_SANS, "npm:@fontsource/space-grotesk"},
    {"Oswald", SR_FONT_SANS, "npm:@fontsource/oswald"},
    {"Raleway", SR_FONT_SANS, "npm:@fontsource/raleway"},
    {"Nunito", SR_FONT_SANS, "npm:@fontsource/nunito"},
    {"Nunito Sans", SR_FONT_SANS, "npm:@fontsource/nunito-sans"},
    {"Work Sans", SR_FONT_SANS, "npm:@fontsource/work-sans"},
    {"Rubik", SR_FONT_SANS, "npm:@fontsource/rubik"},
    {"Manrope", SR_FONT_SANS, "npm:@fontsource/manrope"},
    {"Mulish", SR_FONT_SANS, "npm:@fontsource/mulish"},
    {"Source Sans 3", SR_FONT_SANS, "npm:@fontsource/source-sans-3"},
    {"PT Sans", SR_FONT_SANS, "npm:@fontsource/pt-sans"},
    {"Ubuntu", SR_FONT_SANS, "npm:@fontsource/ubuntu"},
    {"Archivo", SR_FONT_SANS, "npm:@fontsource/archivo"},
    {"Barlow", SR_FONT_SANS, "npm:@fontsource/barlow"},
    {"Barlow Condensed", SR_FONT_SANS, "npm:@fontsource/barlow-condensed"},
    {"Cabin", SR_FONT_SANS, "deb:fonts-cabin"},
    {"Karla", SR_FONT_SANS, "deb:fonts-karla"},
    {"Quicksand", SR_FONT_SANS, "deb:fonts-quicksand"},
    {"Josefin Sans", SR_FONT_SANS, "npm:@fontsource/josefin-sans"},
    {"Kanit", SR_FONT_SANS, "npm:@fontsource/kanit"},
    {"Fira Sans", SR_FONT_SANS, "npm:@fontsource/fira-sans"},
    {"IBM Plex Sans", SR_FONT_SANS, "npm:@fontsource/ibm-plex-sans"},
    {"Hind", SR_FONT_SANS, "npm:@fontsource/hind"},
    {"Heebo", SR_FONT_SANS, "npm:@fontsource/heebo"},
    {"Outfit", SR_FONT_SANS, "npm:@fontsource/outfit"},
    {"Plus Jakarta Sans", SR_FONT_SANS, "npm:@fontsource/plus-jakarta-sans"},
    {"Lexend", SR_FONT_SANS, "npm:@fontsource/lexend"},
    {"Urbanist", SR_FONT_SANS, "npm:@fontsource/urbanist"},
    {"Figtree", SR_FONT_SANS, "npm:@fontsource/figtree"},
    {"League Spartan", SR_FONT_SANS, "deb:fonts-league-spartan"},
    {"Cantarell", SR_FONT_SANS, "deb:fonts-cantarell"},
    {"Exo 2", SR_FONT_SANS, "npm:@fontsource/exo-2"},
    {"Titillium Web", SR_FONT_SANS, "npm:@fontsource/titillium-web"},
    {"Varela Round", SR_FONT_SANS, "npm:@fontsource/varela-round"},
    {"Mukta", SR_FONT_SANS, "npm:@fontsource/mukta"},
    {"Assistant", SR_FONT_SANS, "npm:@fontsource/assistant"},
    {"Maven Pro", SR_FONT_SANS, "npm:@fontsource/maven-pro"},
    {"Dosis", SR_FONT_SANS, "deb:fonts-dosis"},
    {"Noto Sans", SR_FONT_SANS, "deb:fonts-noto-core"},
    {"Noto Sans JP", SR_FONT_SANS, "npm:@fontsource/noto-sans-jp"},
    {"Noto Sans KR", SR_FONT_SANS, "npm:@fontsource/noto-sans-kr"},
    {"Noto Sans SC", SR_FONT_SANS, "npm:@fontsource/noto-sans-sc"},
    {"Noto Sans Devanagari", SR_FONT_SANS, "deb:fonts-noto-core"},
    {"Noto Sans Tamil", SR_FONT_SANS, "deb:fonts-noto-core"},
    {"Noto Sans Bengali", SR_FONT_SANS, "deb:fonts-noto-core"},
    {"Noto Sans Arabic", SR_FONT_SANS, "deb:fonts-noto-core"},
    {"DejaVu Sans", SR_FONT_SANS, "deb:fonts-dejavu-core"},
    /* sans: the rest of Pictory's published list */
    {"Archivo Narrow", SR_FONT_SANS, "npm:@fontsource/archivo-narrow"},
    {"Chakra Petch", SR_FONT_SANS, "npm:@fontsource/chakra-petch"},
    {"Gruppo", SR_FONT_SANS, "npm:@fontsource/gruppo"},
    {"Julius Sans One", SR_FONT_SANS, "npm:@fontsource/julius-sans-one"},
    {"Sora", SR_FONT_SANS, "npm:@fontsource/sora"},
    {"Unbounded", SR_FONT_SANS, "npm:@fontsource/unbounded"},
    {"Liberation Sans", SR_FONT_SANS, "deb:fonts-liberation2"},
    {"Carlito", SR_FONT_SANS, "deb:fonts-crosextra-carlito"},
    /* weights Pictory names as families: the weight's files of the family */
    {"Poppins Extrabold", SR_FONT_SANS, "npm:@fontsource/poppins:800"},
    {"Lato Extrabold", SR_FONT_SANS, "deb:fonts-lato"},
    {"Barlow Black", SR_FONT_SANS, "npm:@fontsource/barlow:900"},
    {"Raleway Black", SR_FONT_SANS, "npm:@fontsource/raleway:900"},
    {"Raleway Thin", SR_FONT_SANS, "npm:@fontsource/raleway:100"},
    {"Titillium Web Black", SR_FONT_SANS, "npm:@fontsource/titillium-web:900"},
    {"Montserrat Extrabold", SR_FONT_SANS, "npm:@fontsource/montserrat:800"},
    /* proprietary families: a free stand-in of the same build (with the "not installed" warning) */
    {"Arial", SR_FONT_SANS, "alias:Liberation Sans"},
    {"Helvetica", SR_FONT_SANS, "alias:Liberation Sans"},
    {"Helvetica Neue", SR_FONT_SANS, "alias:Liberation Sans"},
    {"Calibri", SR_FONT_SANS, "alias:Carlito"},
    {"Proxima Nova", SR_FONT_SANS, "alias:Montserrat"},
    {"Notosans", SR_FONT_SANS, "alias:Noto Sans"},
    {"Opensans", SR_FONT_SANS, "alias:Open Sans"},
    {"Source Sans Pro", SR_FONT_SANS, "alias:Source Sans 3"},
    /* serif */
    {"Playfair Display", SR_FONT_SERIF, "npm:@fontsource/playfair-display"},
    {"Merriweather", SR_FONT_SERIF, "npm:@fontsource/merriweather"},
    {"Lora", SR_FONT_SERIF, "npm:@fontsource/lora"},
    {"PT Serif", SR_FONT_SERIF, "npm:@fontsource/pt-serif"},
    {"Roboto Slab", SR_FONT_SERIF, "deb:fonts-roboto-slab"},
    {"EB Garamond", SR_FONT_SERIF, "npm:@fontsource/eb-garamond"},
    {"Libre Baskerville", SR_FONT_SERIF, "npm:@fontsource/libre-baskerville"},
    {"Crimson Text", SR_FONT_SERIF, "npm:@fontsource/crimson-text"},
    {"Cormorant Garamond", SR_FONT_SERIF, "npm:@fontsource/cormorant-garamond"},
    {"Bitter", SR_FONT_SERIF, "npm:@fontsource/bitter"},
    {"Zilla Slab", SR_FONT_SERIF, "npm:@fontsource/zilla-slab"},
    {"DM Serif Display", SR_FONT_SERIF, "npm:@fontsource/dm-serif-display"},
    {"Source Serif 4", SR_FONT_SERIF, "npm:@fontsource/source-serif-4"},
    {"Arvo", SR_FONT_SERIF, "npm:@fontsource/arvo"},
    {"Domine", SR_FONT_SERIF, "npm:@fontsource/domine"},
    {"Noto Serif", SR_FONT_SERIF, "deb:fonts-noto-core"},
    {"DejaVu Serif", SR_FONT_SERIF, "deb:fonts-dejavu-core"},
    {"Rokkitt", SR_FONT_SERIF, "npm:@fontsource/rokkitt"},
    {"Patua One", SR_FONT_SERIF, "npm:@fontsource/patua-one"},
    {"Noto Serif JP", SR_FONT_SERIF, "npm:@fontsource/noto-serif-jp"},
    {"Noto Serif Devanagari", SR_FONT_SERIF, "deb:fonts-noto-core"},
    /* display */
    {"Bebas Neue", SR_FONT_DISPLAY, "npm:@fontsource/bebas-neue"},
    {"Anton", SR_FONT_DISPLAY, "npm:@fontsource/anton"},
    {"Abril Fatface", SR_FONT_DISPLAY, "npm:@fontsource/abril-fatface"},
    {"Lobster", SR_FONT_DISPLAY, "deb:fonts-lobster"},
    {"Righteous", SR_FONT_DISPLAY, "npm:@fontsource/righteous"},
    {"Alfa Slab One", SR_FONT_DISPLAY, "npm:@fontsource/alfa-slab-one"},
    {"Archivo Black", SR_FONT_DISPLAY, "npm:@fontsource/archivo-black"},
    {"Bangers", SR_FONT_DISPLAY, "npm:@fontsource/bangers"},
    {"Fredoka", SR_FONT_DISPLAY, "npm:@fontsource/fredoka"},
    {"Comfortaa", SR_FONT_DISPLAY, "deb:fonts-comfortaa"},
    {"Averia Libre", SR_FONT_DISPLAY, "npm:@fontsource/averia-libre"},
    {"Caprasimo", SR_FONT_DISPLAY, "npm:@fontsource/caprasimo"},
    {"Capriola", SR_FONT_DISPLAY, "npm:@fontsource/capriola"},
    {"Carter One", SR_FONT_DISPLAY, "npm:@fontsource/carter-one"},
    {"Chewy", SR_FONT_DISPLAY, "npm:@fontsource/chewy"},
    {"Dangrek", SR_FONT_DISPLAY, "npm:@fontsource/dangrek"},
    {"Delius Unicase", SR_FONT_DISPLAY, "npm:@fontsource/delius-unicase"},
    {"Grandstander", SR_FONT_DISPLAY, "npm:@fontsource/grandstander"},
    {"Rowdies", SR_FONT_DISPLAY, "npm:@fontsource/rowdies"},
    {"Russo One", SR_FONT_DISPLAY, "npm:@fontsource/russo-one"},
    /* handwriting */
    {"Pacifico", SR_FONT_HAND, "npm:@fontsource/pacifico"},
    {"Permanent Marker", SR_FONT_HAND, "npm:@fontsource/permanent-marker"},
    {"Dancing Script", SR_FONT_HAND, "npm:@fontsource/dancing-script"},
    {"Caveat", SR_FONT_HAND, "npm:@fontsource/caveat"},
    {"Shadows Into Light", SR_FONT_HAND, "npm:@fontsource/shadows-into-light"},
    {"Satisfy", SR_FONT_HAND, "npm:@fontsource/satisfy"},
    {"Great Vibes", SR_FONT_HAND, "npm:@fontsource/great-vibes"},
    {"Amatic SC", SR_FONT_HAND, "npm:@fontsource/amatic-sc"},
    {"Indie Flower", SR_FONT_HAND, "npm:@fontsource/indie-flower"},
    {"Moon Dance", SR_FONT_HAND, "npm:@fontsource/moon-dance"},
    {"Special Elite", SR_FONT_HAND, "npm:@fontsource/special-elite"},
    /* mono */
    {"Roboto Mono", SR_FONT_MONO, "npm:@fontsource/roboto-mono"},
    {"Fira Code", SR_FONT_MONO, "deb:fonts-firacode"},
    {"JetBrains Mono", SR_FONT_MONO, "deb:fonts-jetbrains-mono"},
    {"Source Code Pro", SR_FONT_MONO, "npm:@fontsource/source-code-pro"},
    {"Space Mono", SR_FONT_MONO, "npm:@fontsource/space-mono"},
    {"IBM Plex Mono", SR_FONT_MONO, "npm:@fontsource/ibm-plex-mono"},
    {"Inconsolata", SR_FONT_MONO, "npm:@fontsource/inconsolata"},
    {"Courier Prime", SR_FONT_MONO, "npm:@fontsource/courier-prime"},
    {"DejaVu Sans Mono", SR_FONT_MONO, "deb:fonts-dejavu-core"},
};

/* The stand-in of each category: always installed (fonts-dejavu-core). */
static const char *const k_fallback[] = {
    [SR_FONT_SANS] = "DejaVu Sans",  [SR_FONT_SERIF] = "DejaVu Serif",
    [SR_FONT_MONO] = "DejaVu Sans Mono", [SR_FONT_DISPLAY] = "DejaVu Sans",
    [SR_FONT_HAND] = "DejaVu Serif",
};

const sr_font_family *sr_font_catalog(size_t *n)
{
    *n = sizeof k_catalog / sizeof k_catalog[0];
    return k_catalog;
}

const sr_font_family *sr_font_find(const char *family)
{
    for (size_t i = 0; family && i < sizeof k_catalog / sizeof k_catalog[0]; i++)
        if (!strcasecmp(k_catalog[i].name, family)) return &k_catalog[i];
    return NULL;
}

const char *sr_fonts_dir(void)
{
    const char *e = getenv("STORYREEL_FONTS_DIR");
    if (e && *e) return e;
#ifdef SR_FONTS_DIR
    return SR_FONTS_DIR;
#else
    return NULL;
#endif
}

/* One fontconfig configuration (system fonts + the font folder) for all
 * lookups, built on first use. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static FcConfig *g_fc;
static char g_dir[4096];

static int installed(const char *family)
{
    const char *dir = sr_fonts_dir();
    if (!dir) dir = "";
    if (g_fc && strcmp(g_dir, dir) != 0) { /* the folder changed (tests) */
        FcConfigDestroy(g_fc);
        g_fc = NULL;
    }
    if (!g_fc) {
        g_fc = FcInitLoadConfigAndFonts();
        if (!g_fc) return 0;
        if (*dir) FcConfigAppFontAddDir(g_fc, (const FcChar8 *)dir);
        snprintf(g_dir, sizeof g_dir, "%s", dir);
    }
    /* installed: some font's family (any of its names) is the one asked for */
    FcPattern *pat = FcPatternCreate();
    FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, (char *)0);
    int found = 0;
    if (pat && os) {
        FcPatternAddString(pat, FC_FAMILY, (const FcChar8 *)family);
        FcFontSet *fs = FcFontList(g_fc, pat, os);
        found = fs && fs->nfont > 0;
        if (fs) FcFontSetDestroy(fs);
    }
    if (os) FcObjectSetDestroy(os);
    if (pat) FcPatternDestroy(pat);
    return found;
}

static int is_installed(const char *family)
{
    pthread_mutex_lock(&g_lock);
    int ok = installed(family);
    pthread_mutex_unlock(&g_lock);
    return ok;
}

int sr_font_resolve(const char *family, char *out, size_t outsz)
{
    if (!family || !*family) family = "DejaVu Sans";
    if (is_installed(family)) {
        snprintf(out, outsz, "%s", family);
        return 0;
    }
    const sr_font_family *row = sr_font_find(family);
    const char *alias = row && !strncmp(row->source, "alias:", 6) ? row->source + 6 : NULL;
    snprintf(out, outsz, "%s", alias && is_installed(alias) ? alias : k_fallback[row ? row->category : SR_FONT_SANS]);
    return 1;
}

/* Weight words as fonts name them (CSS weights); spaces and hyphens inside are ignored. */
static const struct {
    const char *word;
    int weight;
} k_weights[] = {
    {"thin", 100},     {"hairline", 100}, {"extralight", 200}, {"ultralight", 200}, {"light", 300},
    {"regular", 400},  {"normal", 400},   {"book", 400},       {"medium", 500},     {"semibold", 600},
    {"demibold", 600}, {"bold", 700},     {"extrabold", 800},  {"ultrabold", 800},  {"heavy", 800},
    {"black", 900},
};

int sr_font_split_weight(const char *family, char *base, size_t n, int *weight)
{
    *weight = 0;
    size_t len = family ? strlen(family) : 0;
    for (size_t cut = 1; cut < len; cut++) { /* the longest tail that is a weight word */
        if (family[cut] != ' ') continue;
        char w[32];
        size_t k = 0;
        for (const char *p = family + cut + 1; *p && k + 1 < sizeof w; p++)
            if (*p != ' ' && *p != '-') w[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
        w[k] = 0;
        for (size_t i = 0; i < sizeof k_weights / sizeof k_weights[0]; i++)
            if (!strcmp(w, k_weights[i].word) && cut < n) {
                snprintf(base, n, "%.*s", (int)cut, family);
                *weight = k_weights[i].weight;
                return 1;
            }
    }
    return 0;
}

int sr_font_resolve_weight(const char *family, char *out, size_t outsz, int *weight)
{
    char base[256];
    *weight = 0;
    /* installed as named: the weight's own face (@fontsource names a weight's
     * files "Poppins ExtraBold"), or a family of its own ("Archivo Black") */
    if (family && *family && !is_installed(family) && sr_font_split_weight(family, base, sizeof base, weight))
        return sr_font_resolve(base, out, outsz);
    return sr_font_resolve(family, out, outsz);
}
