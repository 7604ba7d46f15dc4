/* console_routes.h - files the server serves from memory: the browser
 * console (console/: GET /console, /console/...), hls.js (from npm) and the
 * OpenAPI document (docs/openapi.yaml as GET /openapi.json). The arrays are
 * generated at build time by scripts/embed-assets.py. */
#ifndef SR_CONSOLE_ROUTES_H
#define SR_CONSOLE_ROUTES_H

#include <stddef.h>

typedef struct sr_asset {
    const char *name, *content_type;
    const unsigned char *data;
    size_t size;
} sr_asset;

/* Every embedded file, ended by a row whose name is NULL. */
extern const sr_asset sr_assets[];

/* The asset called name ("index.html", "console.js", "openapi.json", ...) or NULL. */
const sr_asset *sr_asset_find(const char *name);

#endif
