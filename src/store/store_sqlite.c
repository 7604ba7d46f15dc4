/* store_sqlite.c - the SQLite backend of the store (store.h).
 *
 * One database file in WAL mode (readers never wait on the writer) with a
 * busy timeout, so the HTTP threads, the job thread and every worker process
 * can share it. Each thread gets its own connection (pthread key) holding
 * prepared statements from the SQL table below, so a hot read (GET a job) is
 * a reset + bind + step on an already compiled statement. Writes that touch
 * several rows run in BEGIN IMMEDIATE transactions.
 *
 * The schema is versioned with PRAGMA user_version: migrations[i] brings a
 * database from version i to i + 1. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "store/backend.h"

/* ---------------------------------------------------------------- schema */

static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE accounts(id TEXT PRIMARY KEY, name TEXT NOT NULL, webhook_secret TEXT NOT NULL,"
    "  created_ms INTEGER NOT NULL);"
    "CREATE TABLE api_keys(id TEXT PRIMARY KEY, account_id TEXT NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL, prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,"
    "  created_ms INTEGER NOT NULL, revoked_ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE projects(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, name TEXT NOT NULL,"
    "  data TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE INDEX projects_account ON projects(account_id, created_ms, id);"
    "CREATE TABLE jobs(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL,"
    "  state INTEGER NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    "  started_ms INTEGER NOT NULL DEFAULT 0, finished_ms INTEGER NOT NULL DEFAULT 0,"
    "  run_after_ms INTEGER NOT NULL DEFAULT 0, lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_expires_ms INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 3, progress INTEGER NOT NULL DEFAULT 0,"
    "  progress_msg TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '',"
    "  error_msg TEXT NOT NULL DEFAULT '', input TEXT NOT NULL, result TEXT, webhook TEXT,"
    "  webhook_input TEXT);"
    "CREATE INDEX jobs_account ON jobs(account_id, created_ms, id);"
    "CREATE INDEX jobs_due ON jobs(state, run_after_ms);"
    "CREATE INDEX jobs_lease ON jobs(state, lease_expires_ms);"
    "CREATE TABLE uploads(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, key TEXT NOT NULL UNIQUE,"
    "  content_type TEXT NOT NULL, max_size INTEGER NOT NULL, size INTEGER NOT NULL DEFAULT 0,"
    "  created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL, done_ms INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE outbox(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, job_id TEXT NOT NULL,"
    "  url TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,"
    "  next_ms INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_due ON outbox(state, next_ms);",
    /* 1 -> 2: templates, brand kits and subtitle styles (named resources) */
    "CREATE TABLE resources(id TEXT PRIMARY KEY, account_id TEXT NOT NULL, kind TEXT NOT NULL,"
    "  name TEXT NOT NULL, data TEXT NOT NULL, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL);"
    "CREATE INDEX resources_name ON resources(account_id, kind, name COLLATE NOCASE, created_ms);",
    /* 2 -> 3: a job may wait for another (a render of a preview still running) */
    "ALTER TABLE jobs ADD COLUMN depends_on TEXT NOT NULL DEFAULT '';",
    /* 3 -> 4: fair leasing (each account's last lease; running jobs per account) */
    "CREATE TABLE lease_turns(account_id TEXT PRIMARY KEY, last_ms INTEGER NOT NULL);"
    "CREATE INDEX jobs_running ON jobs(account_id, state, lease_expires_ms);",
    /* 4 -> 5: the fleet: store-wide settings, node heartbeats, the tasks (segments) of jobs */
    "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE nodes(name TEXT PRIMARY KEY, kind TEXT NOT NULL, beat_ms INTEGER NOT NULL, info TEXT);"
    "CREATE TABLE tasks(id TEXT PRIMARY KEY, job_id TEXT NOT NULL, account_id TEXT NOT NULL,"
    "  idx INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 3, created_ms INTEGER NOT NULL, updated_ms INTEGER NOT NULL,"
    "  lease_owner TEXT NOT NULL DEFAULT '', lease_expires_ms INTEGER NOT NULL DEFAULT 0,"
    "  node TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '', error_msg TEXT NOT NULL DEFAULT '',"
    "  input TEXT NOT NULL, result TEXT, UNIQUE(job_id, idx));"
    "CREATE INDEX tasks_due ON tasks(state, created_ms);",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* ------------------------------------------------------------ statements */

/* A pending job is due at ?1 once its run_after time has come and the job it
 * depends on (if any) has ended, completed or failed. */
#define JOB_DUE                                                                                     \
    "(state=0 AND run_after_ms<=?1 AND (depends_on='' OR EXISTS(SELECT 1 FROM jobs d"                \
    " WHERE d.id=jobs.depends_on AND d.state IN (2,3))))"
/* The task ?1 is still held by ?2 and its job still runs. */
#define TASK_HELD                                                                                   \
    "id=?1 AND lease_owner=?2 AND state=1 AND EXISTS(SELECT 1 FROM jobs j WHERE j.id=tasks.job_id"      \
    " AND j.state=1)"
#define PAGE_WHERE "(?3='' OR created_ms<?2 OR (created_ms=?2 AND id<?3))"

#define STATEMENTS(X)                                                                                        \
    X(BEGIN, "BEGIN IMMEDIATE")                                                                              \
    X(COMMIT, "COMMIT")                                                                                      \
    X(ROLLBACK, "ROLLBACK")                                                                                  \
    X(PING, "SELECT count(*) FROM accounts")                                                                 \
    X(QUICK_CHECK, "PRAGMA quick_check(1)")                                                                  \
    X(ACC_INS, "INSERT INTO accounts(id,name,webhook_secret,created_ms) VALUES(?,?,?,?)")                  \
    X(ACC_SECRET, "SELECT webhook_secret FROM accounts WHERE id=?")                                         \
    X(KEY_INS, "INSERT INTO api_keys(id,account_id,name,prefix,key_hash,created_ms) VALUES(?,?,?,?,?,?)")  \
    X(KEY_FIND, "SELECT " SR_KEY_COLS ",a.webhook_secret FROM api_keys k JOIN accounts a ON a.id=k.account_id" \
                " WHERE k.key_hash=? AND k.revoked_ms=0")                                                    \
    X(KEY_GET, "SELECT " SR_KEY_COLS ",a.webhook_secret FROM api_keys k JOIN accounts a ON a.id=k.account_id"  \
               " WHERE k.id=? AND k.revoked_ms=0")                                                           \
    X(KEY_LIST, "SELECT " SR_KEY_COLS ",'' FROM api_keys k ORDER BY k.created_ms, k.id")                       \
    X(KEY_REVOKE, "UPDATE api_keys SET revoked_ms=?1 WHERE (id=?2 OR prefix=?2) AND revoked_ms=0")          \
    X(PRJ_INS, "INSERT INTO projects(id,account_id,name,data,created_ms,updated_ms) VALUES(?,?,?,?,?,?)")  \
    X(PRJ_GET, "SELECT id,account_id,name,created_ms,updated_ms,data FROM projects WHERE account_id=? AND id=?") \
    X(PRJ_LIST, "SELECT id,account_id,name,created_ms,updated_ms,NULL FROM projects WHERE account_id=?1"   \
                " AND " PAGE_WHERE " ORDER BY created_ms DESC, id DESC LIMIT ?4")                           \
    X(PRJ_UPD, "UPDATE projects SET name=coalesce(?1,name),data=coalesce(?2,data),updated_ms=?3"           \
               " WHERE account_id=?4 AND id=?5")                                                             \
    X(PRJ_DEL, "DELETE FROM projects WHERE account_id=? AND id=?")                                          \
    X(JOB_INS, "INSERT INTO jobs(id,account_id,kind,state,created_ms,updated_ms,run_after_ms,max_attempts," \
               "input,webhook,webhook_input,depends_on) VALUES(?,?,?,0,?,?,?,?,?,?,?,?)")                   \
    X(JOB_GET, "SELECT " SR_JOB_COLS ",NULL,depends_on FROM jobs WHERE id=?1"                                \
               " AND (?2 IS NULL OR account_id=?2)")                                                         \
    X(JOB_GET_IN, "SELECT " SR_JOB_COLS ",input,depends_on FROM jobs WHERE id=?1"                            \
                  " AND (?2 IS NULL OR account_id=?2)")                                                      \
    X(JOB_LIST, "SELECT id,account_id,kind,state,created_ms,updated_ms,started_ms,finished_ms,run_after_ms," \
                "lease_owner,lease_expires_ms,attempts,max_attempts,progress,progress_msg,error_code,"      \
                "error_msg,NULL,webhook,NULL,NULL,depends_on FROM jobs WHERE account_id=?1 AND " PAGE_WHERE            \
                " ORDER BY created_ms DESC, id DESC LIMIT ?4")                                               \
    X(JOB_CANCEL, "UPDATE jobs SET state=3,error_code='CANCELLED',error_msg=?1,finished_ms=?2,updated_ms=?2," \
                  "lease_owner='' WHERE id=?3 AND account_id=?4 AND state IN (0,1)")                         \
    X(JOB_SET_RESULT, "UPDATE jobs SET result=?1,updated_ms=?2 WHERE id=?3 AND account_id=?4 AND state=2")   \
    X(JOB_EXISTS, "SELECT state FROM jobs WHERE id=? AND account_id=?")                                      \
    X(JOB_COUNTS, "SELECT state,count(*) FROM jobs GROUP BY state")                                          \
    X(JOB_RENDER_T, "SELECT coalesce(sum(finished_ms-started_ms),0),count(*) FROM jobs"                     \
                    " WHERE state=2 AND started_ms>0")                                                       \
    X(JOB_WAIT_T, "SELECT coalesce(sum(started_ms-created_ms),0),count(*) FROM jobs WHERE started_ms>0")    \
    X(LEASE_ACC, "WITH d AS (SELECT DISTINCT account_id FROM jobs WHERE " JOB_DUE                          \
                 " OR (state=1 AND lease_expires_ms<?1)), r AS (SELECT d.account_id AS account_id,"         \
                 " (SELECT count(*) FROM jobs x WHERE x.account_id=d.account_id AND x.state=1"              \
                 " AND x.lease_expires_ms>=?1) AS running, coalesce(t.last_ms,0) AS last FROM d"            \
                 " LEFT JOIN lease_turns t ON t.account_id=d.account_id)"                                    \
                 " SELECT account_id FROM r WHERE ?2<=0 OR running<?2 ORDER BY running, last, account_id"   \
                 " LIMIT 1")                                                                                 \
    X(LEASE_PICK, "SELECT id,state,attempts,max_attempts,error_code,error_msg FROM jobs WHERE account_id=?2" \
                  " AND (" JOB_DUE " OR (state=1 AND lease_expires_ms<?1))"                                \
                  " ORDER BY created_ms LIMIT 1")                                                            \
    X(LEASE_TURN, "INSERT INTO lease_turns(account_id,last_ms) VALUES(?1,?2)"                                \
                  " ON CONFLICT(account_id) DO UPDATE SET last_ms=excluded.last_ms")                         \
    X(LEASE_TAKE, "UPDATE jobs SET state=1,lease_owner=?1,lease_expires_ms=?2,attempts=attempts+1,"          \
                  "started_ms=CASE WHEN started_ms=0 THEN ?3 ELSE started_ms END,updated_ms=?3,progress=0,"  \
                  "progress_msg='' WHERE id=?4")                                                             \
    X(LEASE_RENEW, "UPDATE jobs SET lease_expires_ms=? WHERE id=? AND lease_owner=? AND state=1")           \
    X(LEASE_REL, "UPDATE jobs SET state=0,lease_owner='',lease_expires_ms=0,run_after_ms=?1,error_code=?2," \
                 "error_msg=?3,updated_ms=?4 WHERE id=?5 AND lease_owner=?6 AND state=1")                  \
    X(JOB_PROG, "UPDATE jobs SET progress=?,progress_msg=?,updated_ms=? WHERE id=? AND lease_owner=?"      \
                " AND state=1")                                                                              \
    X(JOB_PART, "UPDATE jobs SET result=?,updated_ms=? WHERE id=? AND lease_owner=? AND state=1")          \
    X(JOB_FIN, "UPDATE jobs SET state=?1,result=?2,error_code=?3,error_msg=?4,"                             \
               "progress=CASE WHEN ?1=2 THEN 100 ELSE progress END,finished_ms=?5,updated_ms=?5,"           \
               "lease_owner='' WHERE id=?6 AND lease_owner=?7 AND state=1")                                  \
    X(JOB_FAIL, "UPDATE jobs SET state=3,error_code=?1,error_msg=?2,finished_ms=?3,updated_ms=?3,"          \
                "lease_owner='' WHERE id=?4")                                                                 \
    X(OB_ENQ, "INSERT INTO outbox(id,account_id,job_id,url,created_ms,next_ms) SELECT ?1,account_id,id,"    \
              "webhook,?2,?2 FROM jobs WHERE id=?3 AND webhook IS NOT NULL AND webhook<>''")                 \
    X(OB_DUE, "SELECT id,account_id,job_id,url,attempts,created_ms,next_ms FROM (SELECT *,row_number()"     \
              " OVER (PARTITION BY url ORDER BY next_ms) AS rn FROM outbox WHERE state=0 AND next_ms<=?1)"   \
              " WHERE rn<=4 ORDER BY next_ms LIMIT ?2")                                                     \
    X(OB_HIDE, "UPDATE outbox SET next_ms=? WHERE id=?")                                                     \
    X(OB_DONE, "UPDATE outbox SET state=1 WHERE id=?")                                                       \
    X(OB_RETRY, "UPDATE outbox SET attempts=attempts+1,next_ms=? WHERE id=?")                                \
    X(OB_DROP, "UPDATE outbox SET state=2 WHERE id=?")                                                       \
    X(UP_INS, "INSERT INTO uploads(" SR_UP_COLS ") VALUES(?,?,?,?,?,?,?,?,?)")                                 \
    X(UP_GET, "SELECT " SR_UP_COLS " FROM uploads WHERE id=?")                                                  \
    X(UP_KEY, "SELECT " SR_UP_COLS " FROM uploads WHERE key=?1 AND (?2 IS NULL OR account_id=?2)")             \
    X(UP_DONE, "UPDATE uploads SET size=?,done_ms=? WHERE id=? AND done_ms=0")                             \
    X(RES_INS, "INSERT INTO resources(id,account_id,kind,name,data,created_ms,updated_ms)"                   \
               " VALUES(?1,?2,?3,?4,?5,?6,?6)")                                                              \
    X(RES_GET, "SELECT id,account_id,name,created_ms,updated_ms,data FROM resources"                         \
               " WHERE kind=?1 AND account_id=?2 AND id=?3")                                                 \
    X(RES_FIND, "SELECT id,account_id,name,created_ms,updated_ms,data FROM resources WHERE kind=?1"          \
                " AND account_id=?2 AND name=?3 COLLATE NOCASE ORDER BY created_ms DESC LIMIT 1")            \
    X(RES_LIST, "SELECT id,account_id,name,created_ms,updated_ms,NULL FROM resources WHERE kind=?1"          \
                " AND account_id=?2 ORDER BY created_ms, id LIMIT ?3")                                   \
    X(RES_UPD, "UPDATE resources SET name=?4,data=?5,updated_ms=?6 WHERE kind=?1 AND account_id=?2 AND id=?3") \
    X(RES_DEL, "DELETE FROM resources WHERE kind=?1 AND account_id=?2 AND id=?3")                           \
    X(SET_INIT, "INSERT INTO settings(name,value) VALUES(?1,?2) ON CONFLICT(name) DO NOTHING")              \
    X(SET_GET, "SELECT value FROM settings WHERE name=?1")                                                   \
    X(NODE_BEAT, "INSERT INTO nodes(name,kind,beat_ms,info) VALUES(?1,?2,?3,?4) ON CONFLICT(name)"           \
                 " DO UPDATE SET kind=excluded.kind,beat_ms=excluded.beat_ms,info=excluded.info")            \
    X(NODES_ALIVE, "SELECT count(*) FROM nodes WHERE kind=?1 AND beat_ms>=?2")                               \
    X(JOB_ACCOUNT, "SELECT account_id FROM jobs WHERE id=?1")                                                \
    X(TASK_INS, "INSERT INTO tasks(id,job_id,account_id,idx,max_attempts,created_ms,updated_ms,input)"       \
                " VALUES(?1,?2,?3,?4,?5,?6,?6,?7) ON CONFLICT(job_id,idx) DO NOTHING")                       \
    X(TASK_PICK, "SELECT t.id,t.state,t.attempts,t.max_attempts FROM tasks t JOIN jobs j ON j.id=t.job_id"   \
                 " WHERE j.state=1 AND (t.state=0 OR (t.state=1 AND t.lease_expires_ms<?1))"                 \
                 " ORDER BY t.created_ms, t.job_id, t.idx LIMIT 1")                                          \
    X(TASK_TAKE, "UPDATE tasks SET state=1,lease_owner=?1,lease_expires_ms=?2,attempts=attempts+1,"          \
                 "updated_ms=?3 WHERE id=?4")                                                                \
    X(TASK_CRASH, "UPDATE tasks SET state=3,lease_owner='',error_code='WORKER_CRASHED',"                     \
                  "error_msg='the render node died or timed out on every try',updated_ms=?1 WHERE id=?2")    \
    X(TASK_GET_IN, "SELECT " SR_TASK_COLS ",t.input FROM tasks t WHERE t.id=?1")                                \
    X(TASK_RENEW, "UPDATE tasks SET lease_expires_ms=?3 WHERE " TASK_HELD)                                   \
    X(TASK_FIN, "UPDATE tasks SET state=?3,node=?4,result=?5,error_code=?6,error_msg=?7,lease_owner='',"     \
                "updated_ms=?8 WHERE " TASK_HELD)                                                            \
    X(TASK_LIST, "SELECT " SR_TASK_COLS ",NULL FROM tasks t WHERE t.job_id=?1 ORDER BY t.idx")                  \
    X(TASK_DEL, "DELETE FROM tasks WHERE job_id=?1")

enum {
#define X_ENUM(e, sql) ST_##e,
    STATEMENTS(X_ENUM)
#undef X_ENUM
        ST__COUNT
};
static const char *const sql_text[] = {
#define X_SQL(e, sql) sql,
    STATEMENTS(X_SQL)
#undef X_SQL
};

/* -------------------------------------------------------- connections */

typedef struct conn {
    sqlite3 *db;
    int fail;            /* the code of the last failed prepare */
    sqlite3_stmt *st[ST__COUNT];
    struct conn *next;
} conn;

struct sr_store {
    char *path;
    int busy_ms;         /* busy timeout of connections opened from now on */
    pthread_key_t key;   /* this thread's conn */
    pthread_mutex_t mu;  /* guards conns */
    conn *conns;         /* every conn opened, closed by close */
};

static int db_fail(sqlite3 *db, sr_err *err, const char *what)
{
    int ec = db ? sqlite3_errcode(db) : SQLITE_ERROR;
    if (ec == SQLITE_BUSY || ec == SQLITE_LOCKED) /* transient: the caller may answer 503 */
        return sr_err_set(err, SR_EBUSY, "database", "%s: the database is locked", what);
    return sr_err_set(err, SR_EDB, "database", "%s: %s", what, db ? sqlite3_errmsg(db) : "cannot open");
}

static conn *get_conn(sr_store *s, sr_err *err)
{
    conn *c = pthread_getspecific(s->key);
    if (c) return c;
    c = calloc(1, sizeof *c);
    if (!c) {
        sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(s->path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             NULL);
    if (rc != SQLITE_OK) {
        db_fail(c->db, err, "opening the database");
        sqlite3_close(c->db);
        free(c);
        return NULL;
    }
    sqlite3_busy_timeout(c->db, s->busy_ms > 0 ? s->busy_ms : 10000);
    sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;", NULL, NULL, NULL);
    pthread_mutex_lock(&s->mu);
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->mu);
    pthread_setspecific(s->key, c);
    return c;
}

/* The prepared statement i of c, reset and ready to bind; NULL on error. */
static sqlite3_stmt *stmt(conn *c, int i, sr_err *err)
{
    if (!c->st[i] &&
        sqlite3_prepare_v3(c->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i], NULL) != SQLITE_OK) {
        c->fail = db_fail(c->db, err, "preparing a statement");
        return NULL;
    }
    sqlite3_reset(c->st[i]);
    sqlite3_clear_bindings(c->st[i]);
    return c->st[i];
}

static void bt(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, i);
}
static void bi(sqlite3_stmt *st, int i, int64_t v) { sqlite3_bind_int64(st, i, v); }

static void ct(sqlite3_stmt *st, int i, char *dst, size_t n)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    snprintf(dst, n, "%s", v ? (const char *)v : "");
}
static char *cdup(sqlite3_stmt *st, int i)
{
    const unsigned char *v = sqlite3_column_text(st, i);
    return v ? strdup((const char *)v) : NULL;
}

/* Runs a statement that returns no rows; *changes gets the rows touched. */
static int run(conn *c, sqlite3_stmt *st, int *changes, sr_err *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(c->db, err, "writing");
    if (changes) *changes = sqlite3_changes(c->db);
    return 0;
}

static int tx(conn *c, int which, sr_err *err)
{
    sqlite3_stmt *st = stmt(c, which, err);
    return st ? run(c, st, NULL, err) : SR_EDB;
}

/* Prologue of every operation: this thread's connection, or return. */
#define CONN(s, err)                                                                                         \
    conn *c = get_conn(s, err);                                                                              \
    if (!c) return SR_EDB
#define STMT(name, i)                                                                                        \
    sqlite3_stmt *name = stmt(c, i, err);                                                                    \
    if (!name) return c->fail

/* -------------------------------------------------------------- helpers */

/* ------------------------------------------------------------- open/close */

static void sq_close(sr_store *s)
{
    if (!s) return;
    for (conn *c = s->conns, *n; c; c = n) {
        n = c->next;
        for (int i = 0; i < ST__COUNT; i++) sqlite3_finalize(c->st[i]);
        sqlite3_close(c->db);
        free(c);
    }
    pthread_key_delete(s->key);
    pthread_mutex_destroy(&s->mu);
    free(s->path);
    free(s);
}

static int migrate(conn *c, sr_err *err)
{
    int rc = 0;
    if (sqlite3_exec(c->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c->db, err, "enabling WAL");
    if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c->db, err, "locking for migration");
    sqlite3_stmt *st = NULL;
    int version = 0;
    if (sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int tables = 0, others = 0;
    if (sqlite3_prepare_v2(c->db, "SELECT name FROM sqlite_master WHERE type='table'", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *t = (const char *)sqlite3_column_text(st, 0);
            int core = sr_store_is_core(t);
            tables += core, others += !core;
        }
    }
    if (sqlite3_finalize(st) != SQLITE_OK) {
        rc = db_fail(c->db, err, "reading the schema");
        goto done;
    }
    if ((version == 0 && (tables || others)) || (version > 0 && tables != SR_STORE_N_CORE)) {
        rc = sr_err_set(err, SR_EDB, "database",
                        "it does not hold storyreel's schema (version %d, %d of its %d tables)", version, tables,
                        SR_STORE_N_CORE);
        goto done;
    }
    if (version > N_MIGRATIONS) {
        rc = sr_err_set(err, SR_EDB, "database", "the database is version %d, newer than this storyreel (%d)",
                        version, N_MIGRATIONS);
        goto done;
    }
    for (int v = version; v < N_MIGRATIONS; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version=%d", v + 1);
        if (sqlite3_exec(c->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(c->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_fail(c->db, err, "migrating the schema");
            goto done;
        }
    }
done:
    sqlite3_exec(c->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
    return rc;
}

static int sq_open(const char *location, sr_store **out, sr_err *err)
{
    int rc = 0;
    *out = NULL;
    sr_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(location))) {
        free(s);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    struct stat sb;
    if (stat(location, &sb) == 0 && (!S_ISREG(sb.st_mode) || sb.st_size == 0)) { /* never silently replaced */
        free(s->path);
        free(s);
        return sr_err_set(err, SR_EDB, "database",
                          "refusing to open %s: it is %s, not a storyreel database (restore it from a backup, or "
                          "remove it to start with an empty one)",
                          location, S_ISREG(sb.st_mode) ? "empty (0 bytes)" : "not a regular file");
    }
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_key_create(&s->key, NULL)) {
        pthread_mutex_destroy(&s->mu);
        free(s->path);
        free(s);
        return sr_err_set(err, SR_EINTERNAL, NULL, "no thread key");
    }
    conn *c = get_conn(s, err);
    if (!c) {
        rc = SR_EDB;
        goto fail;
    }
    sr_err me = {0};
    if ((rc = migrate(c, &me))) {
        sr_err_set(err, rc, "database", "refusing to open %s: %s", location, me.msg);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    sq_close(s);
    return rc;
}

static int sq_ping(sr_store *s, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_PING);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(c->db, err, "reading");
}

/* ---------------------------------------------------------- accounts, keys */

static int sq_account_create(sr_store *s, const char *id, const char *name, const char *secret, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_ACC_INS);
    bt(st, 1, id), bt(st, 2, name), bt(st, 3, secret), bi(st, 4, sr_now_ms());
    return run(c, st, NULL, err);
}

static int sq_account_secret(sr_store *s, const char *account, char secret[80], sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_ACC_SECRET);
    bt(st, 1, account);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) ct(st, 0, secret, 80);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "account", "no such account")
                             : db_fail(c->db, err, "reading");
}

static int sq_key_create(sr_store *s, const sr_key *k, const char *hash, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_KEY_INS);
    bt(st, 1, k->id), bt(st, 2, k->account_id), bt(st, 3, k->name), bt(st, 4, k->prefix), bt(st, 5, hash);
    bi(st, 6, sr_now_ms());
    return run(c, st, NULL, err);
}

static void row_key(sqlite3_stmt *st, sr_key *k)
{
    memset(k, 0, sizeof *k);
    ct(st, 0, k->id, sizeof k->id);
    ct(st, 1, k->account_id, sizeof k->account_id);
    ct(st, 2, k->name, sizeof k->name);
    ct(st, 3, k->prefix, sizeof k->prefix);
    k->created_ms = sqlite3_column_int64(st, 4);
    k->revoked_ms = sqlite3_column_int64(st, 5);
    ct(st, 6, k->webhook_secret, sizeof k->webhook_secret);
}

/* The live key the statement which (bound to v) finds. */
static int one_key(sr_store *s, int which, const char *v, sr_key *out, sr_err *err)
{
    CONN(s, err);
    STMT(st, which);
    bt(st, 1, v);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row_key(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "key", "no such key")
                             : db_fail(c->db, err, "reading");
}

static int sq_key_find(sr_store *s, const char *hash, sr_key *out, sr_err *err)
{
    return one_key(s, ST_KEY_FIND, hash, out, err);
}

static int sq_key_get(sr_store *s, const char *id, sr_key *out, sr_err *err)
{
    return one_key(s, ST_KEY_GET, id, out, err);
}

/* Steps st into a growing array of rows made by fill; returns the count. */
static int collect(conn *c, sqlite3_stmt *st, size_t size, void (*fill)(sqlite3_stmt *, void *), void **out,
                   int cap_max, sr_err *err)
{
    char *arr = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < cap_max) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char *p = realloc(arr, (size_t)cap * size);
            if (!p) {
                free(arr);
                sqlite3_reset(st);
                return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            }
            arr = p;
        }
        fill(st, arr + (size_t)n * size);
        n++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        free(arr);
        return db_fail(c->db, err, "reading");
    }
    *out = arr;
    return n;
}

static void fill_key(sqlite3_stmt *st, void *p) { row_key(st, p); }

static int sq_key_list(sr_store *s, sr_key **out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_KEY_LIST);
    return collect(c, st, sizeof(sr_key), fill_key, (void **)out, 100000, err);
}

static int sq_key_revoke(sr_store *s, const char *idp, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_KEY_REVOKE);
    bi(st, 1, sr_now_ms()), bt(st, 2, idp);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "key", "no live key has the id or prefix %s", idp);
}

/* --------------------------------------------------------------- projects */

static void row_project(sqlite3_stmt *st, sr_project *p)
{
    memset(p, 0, sizeof *p);
    ct(st, 0, p->id, sizeof p->id);
    ct(st, 1, p->account_id, sizeof p->account_id);
    ct(st, 2, p->name, sizeof p->name);
    p->created_ms = sqlite3_column_int64(st, 3);
    p->updated_ms = sqlite3_column_int64(st, 4);
    p->data = cdup(st, 5);
}
static void fill_project(sqlite3_stmt *st, void *p) { row_project(st, p); }

static int insert_project(conn *c, const sr_project *p, sr_err *err)
{
    STMT(st, ST_PRJ_INS);
    int64_t now = sr_now_ms();
    bt(st, 1, p->id), bt(st, 2, p->account_id), bt(st, 3, p->name), bt(st, 4, p->data ? p->data : "{}");
    bi(st, 5, p->created_ms ? p->created_ms : now), bi(st, 6, now);
    return run(c, st, NULL, err);
}

static int sq_project_create(sr_store *s, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    return insert_project(c, p, err);
}

static int sq_project_get(sr_store *s, const char *account, const char *id, sr_project *out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_PRJ_GET);
    bt(st, 1, account), bt(st, 2, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row_project(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "projectId", "no such project")
                             : db_fail(c->db, err, "reading");
}

static int sq_project_list(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                           sr_project **out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_PRJ_LIST);
    bt(st, 1, account), bi(st, 2, after_ms), bt(st, 3, after_id ? after_id : ""), bi(st, 4, limit);
    return collect(c, st, sizeof(sr_project), fill_project, (void **)out, limit, err);
}

static int sq_project_update(sr_store *s, const char *account, const char *id, const char *name,
                             const char *data, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_PRJ_UPD);
    bt(st, 1, name), bt(st, 2, data), bi(st, 3, sr_now_ms()), bt(st, 4, account), bt(st, 5, id);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "projectId", "no such project");
}

static int sq_project_delete(sr_store *s, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_PRJ_DEL);
    bt(st, 1, account), bt(st, 2, id);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "projectId", "no such project");
}

/* ------------------------------------------------------------------- jobs */

static void row_job(sqlite3_stmt *st, sr_job *j)
{
    memset(j, 0, sizeof *j);
    ct(st, 0, j->id, sizeof j->id);
    ct(st, 1, j->account_id, sizeof j->account_id);
    ct(st, 2, j->kind, sizeof j->kind);
    j->state = sqlite3_column_int(st, 3);
    j->created_ms = sqlite3_column_int64(st, 4);
    j->updated_ms = sqlite3_column_int64(st, 5);
    j->started_ms = sqlite3_column_int64(st, 6);
    j->finished_ms = sqlite3_column_int64(st, 7);
    j->run_after_ms = sqlite3_column_int64(st, 8);
    ct(st, 9, j->lease_owner, sizeof j->lease_owner);
    j->lease_expires_ms = sqlite3_column_int64(st, 10);
    j->attempts = sqlite3_column_int(st, 11);
    j->max_attempts = sqlite3_column_int(st, 12);
    j->progress = sqlite3_column_int(st, 13);
    ct(st, 14, j->progress_msg, sizeof j->progress_msg);
    ct(st, 15, j->error_code, sizeof j->error_code);
    ct(st, 16, j->error_msg, sizeof j->error_msg);
    j->result = cdup(st, 17);
    j->webhook = cdup(st, 18);
    j->webhook_input = cdup(st, 19);
    j->input = cdup(st, 20);
    ct(st, 21, j->depends_on, sizeof j->depends_on);
}
static void fill_job(sqlite3_stmt *st, void *p) { row_job(st, p); }

static int sq_job_create(sr_store *s, const sr_job *j, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_JOB_INS);
    int64_t now = sr_now_ms();
    bt(st, 1, j->id), bt(st, 2, j->account_id), bt(st, 3, j->kind), bi(st, 4, j->created_ms ? j->created_ms : now);
    bi(st, 5, now), bi(st, 6, j->run_after_ms), bi(st, 7, j->max_attempts > 0 ? j->max_attempts : 3);
    bt(st, 8, j->input ? j->input : "{}"), bt(st, 9, j->webhook), bt(st, 10, j->webhook_input);
    bt(st, 11, j->depends_on);
    return run(c, st, NULL, err);
}

static int get_job(conn *c, const char *account, const char *id, int with_input, sr_job *out, sr_err *err)
{
    STMT(st, with_input ? ST_JOB_GET_IN : ST_JOB_GET);
    bt(st, 1, id), bt(st, 2, account);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row_job(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "jobId", "no such job")
                             : db_fail(c->db, err, "reading");
}

static int sq_job_get(sr_store *s, const char *account, const char *id, int with_input, sr_job *out, sr_err *err)
{
    CONN(s, err);
    return get_job(c, account, id, with_input, out, err);
}

static int sq_job_list(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                       sr_job **out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_JOB_LIST);
    bt(st, 1, account), bi(st, 2, after_ms), bt(st, 3, after_id ? after_id : ""), bi(st, 4, limit);
    return collect(c, st, sizeof(sr_job), fill_job, (void **)out, limit, err);
}

/* Queues job id's webhook (when it has one). Inside the caller's transaction. */
static int enqueue_webhook(conn *c, const char *job_id, sr_err *err)
{
    STMT(st, ST_OB_ENQ);
    char id[SR_ID_LEN];
    sr_uuid(id);
    bt(st, 1, id), bi(st, 2, sr_now_ms()), bt(st, 3, job_id);
    return run(c, st, NULL, err);
}

static int sq_job_cancel(sr_store *s, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    int rc = tx(c, ST_BEGIN, err), n = 0;
    if (rc) return rc;
    sqlite3_stmt *st = stmt(c, ST_JOB_CANCEL, err);
    if (!st) {
        rc = SR_EDB;
        goto done;
    }
    bt(st, 1, "the render was cancelled"), bi(st, 2, sr_now_ms()), bt(st, 3, id), bt(st, 4, account);
    if ((rc = run(c, st, &n, err))) goto done;
    if (n) {
        rc = enqueue_webhook(c, id, err);
        goto done;
    }
    if (!(st = stmt(c, ST_JOB_EXISTS, err))) {
        rc = SR_EDB;
        goto done;
    }
    bt(st, 1, id), bt(st, 2, account);
    int step = sqlite3_step(st);
    sqlite3_reset(st);
    rc = step == SQLITE_ROW ? sr_err_set(err, SR_ELIMIT, "jobId", "the job has already ended")
                            : sr_err_set(err, SR_ENOT_FOUND, "jobId", "no such job");
done:
    tx(c, rc && rc != SR_ELIMIT && rc != SR_ENOT_FOUND ? ST_ROLLBACK : ST_COMMIT, NULL);
    return rc;
}

static int sq_job_update_result(sr_store *s, const char *account, const char *id, const char *result,
                                sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_JOB_SET_RESULT);
    bt(st, 1, result), bi(st, 2, sr_now_ms()), bt(st, 3, id), bt(st, 4, account);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "jobId", "no such completed job");
}

static int sq_job_stats(sr_store *s, sr_job_stats *out, sr_err *err)
{
    CONN(s, err);
    memset(out, 0, sizeof *out);
    STMT(st, ST_JOB_COUNTS);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int state = sqlite3_column_int(st, 0);
        if (state >= 0 && state < SR_JOB__COUNT) out->by_state[state] = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) return db_fail(c->db, err, "reading");
    static const int which[2] = {ST_JOB_RENDER_T, ST_JOB_WAIT_T};
    for (int i = 0; i < 2; i++) {
        STMT(q, which[i]);
        if (sqlite3_step(q) == SQLITE_ROW) {
            double sum = (double)sqlite3_column_int64(q, 0) / 1000.0;
            int64_t n = sqlite3_column_int64(q, 1);
            if (i == 0) out->render_s_sum = sum, out->render_n = n;
            else out->wait_s_sum = sum, out->wait_n = n;
        }
        sqlite3_reset(q);
    }
    return 0;
}

/* ----------------------------------------------------------------- leases */

/* The account whose turn it is (fairness, store.h) into acc; 1, or 0 when none. */
static int turn_account(conn *c, int64_t now, int max_running, char acc[SR_ID_LEN], sr_err *err)
{
    STMT(st, ST_LEASE_ACC);
    bi(st, 1, now), bi(st, 2, max_running);
    int step = sqlite3_step(st), got = step == SQLITE_ROW;
    if (got) ct(st, 0, acc, SR_ID_LEN);
    sqlite3_reset(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE) return db_fail(c->db, err, "reading");
    return got;
}

static int sq_lease_acquire_fair(sr_store *s, const char *owner, int64_t ttl_ms, int max_running, sr_job *out,
                                 sr_err *err)
{
    CONN(s, err);
    for (;;) {
        int rc = tx(c, ST_BEGIN, err), got = 0;
        if (rc) return rc;
        int64_t now = sr_now_ms();
        char id[SR_ID_LEN] = "", code[48] = "", msg[512] = "", acc[SR_ID_LEN] = "";
        int state = 0, attempts = 0, max_attempts = 3;
        sqlite3_stmt *st = NULL;
        int turn = turn_account(c, now, max_running, acc, err);
        if (turn <= 0) {
            rc = turn;
            goto done;
        }
        if (!(st = stmt(c, ST_LEASE_PICK, err))) {
            rc = c->fail;
            goto done;
        }
        bi(st, 1, now), bt(st, 2, acc);
        int step = sqlite3_step(st);
        if (step == SQLITE_ROW) {
            got = 1;
            ct(st, 0, id, sizeof id);
            state = sqlite3_column_int(st, 1);
            attempts = sqlite3_column_int(st, 2);
            max_attempts = sqlite3_column_int(st, 3);
            ct(st, 4, code, sizeof code);
            ct(st, 5, msg, sizeof msg);
        }
        sqlite3_reset(st);
        if (step != SQLITE_ROW && step != SQLITE_DONE) {
            rc = db_fail(c->db, err, "reading");
            goto done;
        }
        if (!got) goto done;
        if (attempts >= max_attempts) { /* no tries left: it fails now */
            if (!(st = stmt(c, ST_JOB_FAIL, err))) {
                rc = SR_EDB;
                goto done;
            }
            int crashed = state == SR_JOB_RUNNING || !code[0];
            bt(st, 1, crashed ? "WORKER_CRASHED" : code);
            bt(st, 2, crashed ? "the render worker died or timed out on every try" : msg);
            bi(st, 3, now), bt(st, 4, id);
            if (!(rc = run(c, st, NULL, err))) rc = enqueue_webhook(c, id, err);
            got = -1;
            goto done;
        }
        if (!(st = stmt(c, ST_LEASE_TAKE, err))) {
            rc = SR_EDB;
            goto done;
        }
        bt(st, 1, owner), bi(st, 2, now + ttl_ms), bi(st, 3, now), bt(st, 4, id);
        if ((rc = run(c, st, NULL, err))) goto done;
        if (!(st = stmt(c, ST_LEASE_TURN, err))) {
            rc = c->fail;
            goto done;
        }
        bt(st, 1, acc), bi(st, 2, now);
        if ((rc = run(c, st, NULL, err))) goto done;
        rc = get_job(c, NULL, id, 1, out, err);
    done:
        tx(c, rc ? ST_ROLLBACK : ST_COMMIT, NULL);
        if (rc) return rc;
        if (got >= 0) return got;
    }
}

static int sq_lease_acquire(sr_store *s, const char *owner, int64_t ttl_ms, sr_job *out, sr_err *err)
{
    return sq_lease_acquire_fair(s, owner, ttl_ms, 0, out, err);
}

static int sq_lease_renew(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_LEASE_RENEW);
    bi(st, 1, sr_now_ms() + ttl_ms), bt(st, 2, id), bt(st, 3, owner);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "jobId", "the lease on the job was lost");
}

static int sq_lease_release(sr_store *s, const char *id, const char *owner, int64_t delay_ms, const char *code,
                            const char *msg, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_LEASE_REL);
    int64_t now = sr_now_ms();
    bi(st, 1, now + delay_ms), bt(st, 2, code ? code : ""), bt(st, 3, msg ? msg : ""), bi(st, 4, now);
    bt(st, 5, id), bt(st, 6, owner);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "jobId", "the lease on the job was lost");
}

static int sq_job_progress(sr_store *s, const char *id, const char *owner, int progress, const char *msg,
                           sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_JOB_PROG);
    bi(st, 1, progress), bt(st, 2, msg ? msg : ""), bi(st, 3, sr_now_ms()), bt(st, 4, id), bt(st, 5, owner);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "jobId", "the lease on the job was lost");
}

static int sq_job_partial_result(sr_store *s, const char *id, const char *owner, const char *result, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_JOB_PART);
    bt(st, 1, result), bi(st, 2, sr_now_ms()), bt(st, 3, id), bt(st, 4, owner);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "jobId", "the lease on the job was lost");
}

static int sq_job_finish(sr_store *s, const char *id, const char *owner, int state, const char *result,
                         const char *code, const char *msg, const sr_project *save, sr_err *err)
{
    CONN(s, err);
    int rc = tx(c, ST_BEGIN, err), n = 0;
    if (rc) return rc;
    sqlite3_stmt *st = stmt(c, ST_JOB_FIN, err);
    if (!st) {
        rc = SR_EDB;
        goto done;
    }
    bi(st, 1, state), bt(st, 2, result), bt(st, 3, code ? code : ""), bt(st, 4, msg ? msg : "");
    bi(st, 5, sr_now_ms()), bt(st, 6, id), bt(st, 7, owner);
    if ((rc = run(c, st, &n, err))) goto done;
    if (!n) {
        rc = sr_err_set(err, SR_ENOT_FOUND, "jobId", "the lease on the job was lost");
        goto done;
    }
    if (save && (rc = insert_project(c, save, err))) goto done;
    rc = enqueue_webhook(c, id, err);
done:
    tx(c, rc ? ST_ROLLBACK : ST_COMMIT, NULL);
    return rc;
}

/* ---------------------------------------------------------------- uploads */

static void row_upload(sqlite3_stmt *st, sr_upload *u)
{
    memset(u, 0, sizeof *u);
    ct(st, 0, u->id, sizeof u->id);
    ct(st, 1, u->account_id, sizeof u->account_id);
    ct(st, 2, u->key, sizeof u->key);
    ct(st, 3, u->content_type, sizeof u->content_type);
    u->max_size = sqlite3_column_int64(st, 4);
    u->size = sqlite3_column_int64(st, 5);
    u->created_ms = sqlite3_column_int64(st, 6);
    u->expires_ms = sqlite3_column_int64(st, 7);
    u->done_ms = sqlite3_column_int64(st, 8);
}

static int sq_upload_create(sr_store *s, const sr_upload *u, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_UP_INS);
    bt(st, 1, u->id), bt(st, 2, u->account_id), bt(st, 3, u->key), bt(st, 4, u->content_type);
    bi(st, 5, u->max_size), bi(st, 6, 0), bi(st, 7, sr_now_ms()), bi(st, 8, u->expires_ms), bi(st, 9, 0);
    return run(c, st, NULL, err);
}

static int one_upload(conn *c, sqlite3_stmt *st, sr_upload *out, sr_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row_upload(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "upload", "no such upload")
                             : db_fail(c->db, err, "reading");
}

static int sq_upload_get(sr_store *s, const char *id, sr_upload *out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_UP_GET);
    bt(st, 1, id);
    return one_upload(c, st, out, err);
}

static int sq_upload_find_key(sr_store *s, const char *account, const char *key, sr_upload *out, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_UP_KEY);
    bt(st, 1, key), bt(st, 2, account);
    return one_upload(c, st, out, err);
}

static int sq_upload_done(sr_store *s, const char *id, int64_t size, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_UP_DONE);
    bi(st, 1, size), bi(st, 2, sr_now_ms()), bt(st, 3, id);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "upload", "the upload is unknown or already done");
}

/* ----------------------------------------------------------------- outbox */

static void fill_outbox(sqlite3_stmt *st, void *p)
{
    sr_outbox *o = p;
    memset(o, 0, sizeof *o);
    ct(st, 0, o->id, sizeof o->id);
    ct(st, 1, o->account_id, sizeof o->account_id);
    ct(st, 2, o->job_id, sizeof o->job_id);
    ct(st, 3, o->url, sizeof o->url);
    o->attempts = sqlite3_column_int(st, 4);
    o->created_ms = sqlite3_column_int64(st, 5);
    o->next_ms = sqlite3_column_int64(st, 6);
}

static int sq_outbox_claim(sr_store *s, int64_t lease_ms, int max, sr_outbox **out, sr_err *err)
{
    CONN(s, err);
    *out = NULL;
    int rc = tx(c, ST_BEGIN, err), n = 0;
    if (rc) return rc;
    int64_t now = sr_now_ms();
    sqlite3_stmt *st = stmt(c, ST_OB_DUE, err);
    if (!st) {
        rc = SR_EDB;
        goto done;
    }
    bi(st, 1, now), bi(st, 2, max);
    if ((n = collect(c, st, sizeof(sr_outbox), fill_outbox, (void **)out, max, err)) < 0) {
        rc = n;
        goto done;
    }
    for (int i = 0; i < n && !rc; i++) {
        if (!(st = stmt(c, ST_OB_HIDE, err))) {
            rc = SR_EDB;
            break;
        }
        bi(st, 1, now + lease_ms), bt(st, 2, (*out)[i].id);
        rc = run(c, st, NULL, err);
    }
done:
    tx(c, rc ? ST_ROLLBACK : ST_COMMIT, NULL);
    if (rc) {
        free(*out);
        *out = NULL;
        return rc;
    }
    return n;
}

static int outbox_set(sr_store *s, int which, const char *id, int64_t v, sr_err *err)
{
    CONN(s, err);
    STMT(st, which);
    if (which == ST_OB_RETRY) bi(st, 1, v), bt(st, 2, id);
    else bt(st, 1, id);
    return run(c, st, NULL, err);
}
static int sq_outbox_done(sr_store *s, const char *id, sr_err *err) { return outbox_set(s, ST_OB_DONE, id, 0, err); }
static int sq_outbox_retry(sr_store *s, const char *id, int64_t next_ms, sr_err *err)
{
    return outbox_set(s, ST_OB_RETRY, id, next_ms, err);
}
static int sq_outbox_drop(sr_store *s, const char *id, sr_err *err) { return outbox_set(s, ST_OB_DROP, id, 0, err); }
static int sq_outbox_defer(sr_store *s, const char *id, int64_t next_ms, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_OB_HIDE);
    bi(st, 1, next_ms), bt(st, 2, id);
    return run(c, st, NULL, err);
}

/* ------------------------------------------------------- faults, timeouts */

static void sq_set_busy_ms(sr_store *s, int ms) { s->busy_ms = ms; }

static int sq_integrity(sr_store *s, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_QUICK_CHECK);
    int step = sqlite3_step(st);
    char first[300] = "";
    if (step == SQLITE_ROW) ct(st, 0, first, sizeof first);
    sqlite3_reset(st);
    if (step != SQLITE_ROW) return db_fail(c->db, err, "checking integrity");
    if (strcmp(first, "ok")) return sr_err_set(err, SR_EDB, "database", "integrity check failed: %s", first);
    return 0;
}

/* ------------------------------------------- named resources (templates, brands, styles) */

static int sq_resource_create(sr_store *s, const char *kind, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_INS);
    bt(st, 1, p->id), bt(st, 2, p->account_id), bt(st, 3, kind), bt(st, 4, p->name);
    bt(st, 5, p->data ? p->data : "{}"), bi(st, 6, sr_now_ms());
    return run(c, st, NULL, err);
}

/* One resource row of st (bound) into out; SR_ENOT_FOUND naming field. */
static int one_resource(conn *c, sqlite3_stmt *st, const char *field, sr_project *out, sr_err *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) row_project(st, out);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW) return 0;
    return rc == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, field, "no such %s", field)
                             : db_fail(c->db, err, "reading");
}

static int sq_resource_get(sr_store *s, const char *kind, const char *account, const char *id, sr_project *out,
                           sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_GET);
    bt(st, 1, kind), bt(st, 2, account), bt(st, 3, id);
    return one_resource(c, st, kind, out, err);
}

static int sq_resource_find(sr_store *s, const char *kind, const char *account, const char *name, sr_project *out,
                            sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_FIND);
    bt(st, 1, kind), bt(st, 2, account), bt(st, 3, name);
    return one_resource(c, st, kind, out, err);
}

static int sq_resource_list(sr_store *s, const char *kind, const char *account, int limit, sr_project **out,
                            sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_LIST);
    bt(st, 1, kind), bt(st, 2, account), bi(st, 3, limit);
    return collect(c, st, sizeof(sr_project), fill_project, (void **)out, limit, err);
}

static int sq_resource_update(sr_store *s, const char *kind, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_UPD);
    bt(st, 1, kind), bt(st, 2, p->account_id), bt(st, 3, p->id), bt(st, 4, p->name);
    bt(st, 5, p->data ? p->data : "{}"), bi(st, 6, sr_now_ms());
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, kind, "no such %s", kind);
}

static int sq_resource_delete(sr_store *s, const char *kind, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_RES_DEL);
    bt(st, 1, kind), bt(st, 2, account), bt(st, 3, id);
    int n = 0, rc = run(c, st, &n, err);
    if (rc) return rc;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, kind, "no such %s", kind);
}

/* ------------------------------------------------- the fleet: settings, nodes, tasks */

static int sq_setting_init(sr_store *s, const char *name, const char *init, char *out, size_t out_size,
                           sr_err *err)
{
    CONN(s, err);
    if (init) {
        STMT(ins, ST_SET_INIT);
        bt(ins, 1, name), bt(ins, 2, init);
        int rc = run(c, ins, NULL, err);
        if (rc) return rc;
    }
    STMT(st, ST_SET_GET);
    bt(st, 1, name);
    int step = sqlite3_step(st), rc = 0;
    if (step == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (!v || strlen(v) >= out_size) rc = sr_err_set(err, SR_ELIMIT, name, "the setting does not fit");
        else memcpy(out, v, strlen(v) + 1);
    }
    sqlite3_reset(st);
    if (step == SQLITE_DONE) return sr_err_set(err, SR_ENOT_FOUND, name, "no such setting");
    return step == SQLITE_ROW ? rc : db_fail(c->db, err, "reading");
}

static int sq_node_beat(sr_store *s, const char *name, const char *kind, const char *info, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_NODE_BEAT);
    bt(st, 1, name), bt(st, 2, kind), bi(st, 3, sr_now_ms()), bt(st, 4, info);
    return run(c, st, NULL, err);
}

static int sq_nodes_alive(sr_store *s, const char *kind, int64_t max_age_ms, sr_err *err)
{
    if (sr_store_check_age(max_age_ms, err)) return SR_EINVALID_FIELD;
    CONN(s, err);
    STMT(st, ST_NODES_ALIVE);
    bt(st, 1, kind), bi(st, 2, sr_now_ms() - max_age_ms);
    int step = sqlite3_step(st), n = step == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_reset(st);
    return step == SQLITE_ROW ? n : db_fail(c->db, err, "reading");
}

static int sq_task_create(sr_store *s, const sr_task *tasks, int n, sr_err *err)
{
    int bad = sr_store_check_tasks(tasks, n, err);
    if (bad || n == 0) return bad;
    CONN(s, err);
    int rc = tx(c, ST_BEGIN, err);
    if (rc) return rc;
    char account[SR_ID_LEN] = "";
    sqlite3_stmt *st = stmt(c, ST_JOB_ACCOUNT, err);
    if (!st) {
        rc = c->fail;
        goto done;
    }
    bt(st, 1, tasks[0].job_id);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) ct(st, 0, account, sizeof account);
    sqlite3_reset(st);
    if (step != SQLITE_ROW) {
        rc = step == SQLITE_DONE ? sr_err_set(err, SR_ENOT_FOUND, "jobId", "no such job")
                                 : db_fail(c->db, err, "reading");
        goto done;
    }
    int64_t now = sr_now_ms();
    for (int i = 0; i < n && !rc; i++) {
        const sr_task *t = &tasks[i];
        char id[SR_ID_LEN];
        if (t->id[0]) snprintf(id, sizeof id, "%s", t->id);
        else sr_uuid(id);
        if (!(st = stmt(c, ST_TASK_INS, err))) {
            rc = c->fail;
            break;
        }
        bt(st, 1, id), bt(st, 2, t->job_id), bt(st, 3, account), bi(st, 4, t->idx);
        bi(st, 5, t->max_attempts > 0 ? t->max_attempts : 3), bi(st, 6, now), bt(st, 7, t->input ? t->input : "{}");
        rc = run(c, st, NULL, err);
    }
done:
    tx(c, rc ? ST_ROLLBACK : ST_COMMIT, NULL);
    return rc;
}

static void row_task(sqlite3_stmt *st, sr_task *t)
{
    memset(t, 0, sizeof *t);
    ct(st, 0, t->id, sizeof t->id);
    ct(st, 1, t->job_id, sizeof t->job_id);
    ct(st, 2, t->account_id, sizeof t->account_id);
    t->idx = sqlite3_column_int(st, 3);
    t->state = sqlite3_column_int(st, 4);
    t->attempts = sqlite3_column_int(st, 5);
    t->max_attempts = sqlite3_column_int(st, 6);
    t->created_ms = sqlite3_column_int64(st, 7);
    t->updated_ms = sqlite3_column_int64(st, 8);
    t->lease_expires_ms = sqlite3_column_int64(st, 9);
    ct(st, 10, t->lease_owner, sizeof t->lease_owner);
    ct(st, 11, t->node, sizeof t->node);
    ct(st, 12, t->error_code, sizeof t->error_code);
    ct(st, 13, t->error_msg, sizeof t->error_msg);
    t->result = cdup(st, 14);
    t->input = cdup(st, 15);
}
static void fill_task(sqlite3_stmt *st, void *p) { row_task(st, p); }

/* One step of task_acquire inside a transaction: 1 leased (out filled), 0
 * none due, 2 one failed for good (look again), or an error. */
static int task_take(conn *c, const char *owner, int64_t ttl_ms, sr_task *out, sr_err *err)
{
    int64_t now = sr_now_ms();
    STMT(st, ST_TASK_PICK);
    bi(st, 1, now);
    int step = sqlite3_step(st), attempts = 0, max_attempts = 0;
    char id[SR_ID_LEN] = "";
    if (step == SQLITE_ROW) {
        ct(st, 0, id, sizeof id);
        attempts = sqlite3_column_int(st, 2);
        max_attempts = sqlite3_column_int(st, 3);
    }
    sqlite3_reset(st);
    if (step == SQLITE_DONE) return 0;
    if (step != SQLITE_ROW) return db_fail(c->db, err, "reading");
    int rc;
    if (attempts >= max_attempts) { /* its last lease ran out: no tries left */
        STMT(fail, ST_TASK_CRASH);
        bi(fail, 1, now), bt(fail, 2, id);
        return (rc = run(c, fail, NULL, err)) ? rc : 2;
    }
    STMT(take, ST_TASK_TAKE);
    bt(take, 1, owner), bi(take, 2, now + ttl_ms), bi(take, 3, now), bt(take, 4, id);
    if ((rc = run(c, take, NULL, err))) return rc;
    STMT(get, ST_TASK_GET_IN);
    bt(get, 1, id);
    step = sqlite3_step(get);
    if (step == SQLITE_ROW) row_task(get, out);
    sqlite3_reset(get);
    return step == SQLITE_ROW ? 1 : db_fail(c->db, err, "reading");
}

static int sq_task_acquire(sr_store *s, const char *owner, int64_t ttl_ms, sr_task *out, sr_err *err)
{
    CONN(s, err);
    for (;;) {
        int rc = tx(c, ST_BEGIN, err);
        if (rc) return rc;
        int got = task_take(c, owner, ttl_ms, out, err);
        tx(c, got < 0 ? ST_ROLLBACK : ST_COMMIT, NULL);
        if (got != 2) return got;
    }
}

/* After a write to a task its caller must still hold (TASK_HELD): n rows changed. */
static int task_held(int n, sr_err *err)
{
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, "taskId", "the lease on the task was lost");
}

static int sq_task_renew(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_TASK_RENEW);
    bt(st, 1, id), bt(st, 2, owner), bi(st, 3, sr_now_ms() + ttl_ms);
    int n = 0, rc = run(c, st, &n, err);
    return rc ? rc : task_held(n, err);
}

static int sq_task_finish(sr_store *s, const char *id, const char *owner, int state, const char *node,
                          const char *result, const char *code, const char *msg, sr_err *err)
{
    if (sr_store_check_task_end(state, err)) return SR_EINVALID_FIELD;
    CONN(s, err);
    STMT(st, ST_TASK_FIN);
    bt(st, 1, id), bt(st, 2, owner), bi(st, 3, state), bt(st, 4, node ? node : ""), bt(st, 5, result);
    bt(st, 6, code ? code : ""), bt(st, 7, msg ? msg : ""), bi(st, 8, sr_now_ms());
    int n = 0, rc = run(c, st, &n, err);
    return rc ? rc : task_held(n, err);
}

static int sq_task_list(sr_store *s, const char *job_id, sr_task **out, sr_err *err)
{
    CONN(s, err);
    *out = NULL;
    STMT(st, ST_TASK_LIST);
    bt(st, 1, job_id);
    return collect(c, st, sizeof(sr_task), fill_task, (void **)out, SR_TASKS_MAX, err);
}

static int sq_task_delete(sr_store *s, const char *job_id, sr_err *err)
{
    CONN(s, err);
    STMT(st, ST_TASK_DEL);
    bt(st, 1, job_id);
    return run(c, st, NULL, err);
}

/* SQLite has no notifications: a waiting node sleeps one polling interval at most. */
#define SQ_POLL_MS 1000
static int sq_wait_work(sr_store *s, int timeout_ms)
{
    if (timeout_ms <= 0) return 0;
    if (timeout_ms > SQ_POLL_MS) timeout_ms = SQ_POLL_MS;
    struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {}
    return 0;
}

static const sr_store_ops sqlite_ops = {
    .name = "sqlite",
    .open = sq_open,
    .close = sq_close,
    .ping = sq_ping,
    .account_create = sq_account_create,
    .key_create = sq_key_create,
    .key_find = sq_key_find,
    .key_get = sq_key_get,
    .key_list = sq_key_list,
    .key_revoke = sq_key_revoke,
    .account_secret = sq_account_secret,
    .project_create = sq_project_create,
    .project_get = sq_project_get,
    .project_list = sq_project_list,
    .project_update = sq_project_update,
    .project_delete = sq_project_delete,
    .job_create = sq_job_create,
    .job_get = sq_job_get,
    .job_list = sq_job_list,
    .job_cancel = sq_job_cancel,
    .job_stats = sq_job_stats,
    .job_update_result = sq_job_update_result,
    .lease_acquire = sq_lease_acquire,
    .lease_renew = sq_lease_renew,
    .lease_release = sq_lease_release,
    .job_progress = sq_job_progress,
    .job_partial_result = sq_job_partial_result,
    .job_finish = sq_job_finish,
    .upload_create = sq_upload_create,
    .upload_get = sq_upload_get,
    .upload_find_key = sq_upload_find_key,
    .upload_done = sq_upload_done,
    .outbox_claim = sq_outbox_claim,
    .outbox_done = sq_outbox_done,
    .outbox_retry = sq_outbox_retry,
    .outbox_drop = sq_outbox_drop,
    .resource_create = sq_resource_create,
    .resource_get = sq_resource_get,
    .resource_find = sq_resource_find,
    .resource_list = sq_resource_list,
    .resource_update = sq_resource_update,
    .resource_delete = sq_resource_delete,
    .lease_acquire_fair = sq_lease_acquire_fair,
    .outbox_defer = sq_outbox_defer,
    .set_busy_ms = sq_set_busy_ms,
    .integrity = sq_integrity,
    .setting_init = sq_setting_init,
    .node_beat = sq_node_beat,
    .nodes_alive = sq_nodes_alive,
    .task_create = sq_task_create,
    .task_acquire = sq_task_acquire,
    .task_renew = sq_task_renew,
    .task_finish = sq_task_finish,
    .task_list = sq_task_list,
    .task_delete = sq_task_delete,
    .wait_work = sq_wait_work,
};

const sr_store_ops *sr_store_sqlite(void) { return &sqlite_ops; }
