/* store_pg.c - the PostgreSQL backend of the store (store.h). Not yet
 * built: open refuses, naming the backend. */
#include "store/store.h"

static int pg_open(const char *location, sr_store **out, sr_err *err)
{
    *out = NULL;
    return sr_err_set(err, SR_EDB, "store", "the PostgreSQL store is not available in this build");
}

static void pg_close(sr_store *s) { (void)s; }

static const sr_store_ops pg_ops = {.name = "postgresql", .open = pg_open, .close = pg_close};

const sr_store_ops *sr_store_pg(void) { return &pg_ops; }
