/* console_routes.c - looks up the files embedded by scripts/embed-assets.py. */
#include "api/console_routes.h"

#include <string.h>

const sr_asset *sr_asset_find(const char *name)
{
    for (const sr_asset *a = sr_assets; a->name; a++)
        if (!strcmp(a->name, name)) return a;
    return NULL;
}
