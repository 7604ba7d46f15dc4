/* store_pg.c - the PostgreSQL backend of the store (store.h): many API and
 * render nodes on one database.
 *
 * The same tables and behaviour as store_sqlite.c, in PostgreSQL's types.
 * Each thread takes a connection (libpq) holding its prepared statements;
 * when a thread ends its connection goes back to an idle list for the next
 * thread, so threads that come and go (a keeper per job) do not open one
 * each. A connection the server dropped (a restart) is reset on its next
 * use. Leases of jobs, tasks and outbox entries pick their rows with
 * SELECT ... FOR UPDATE SKIP LOCKED, so nodes never wait on each other's
 * picks. Triggers NOTIFY "storyreel_work" when a job or task appears, a job
 * is given back or ends (its dependents may be due); wait_work LISTENs on a
 * connection of its own.
 *
 * The schema is versioned in the table storyreel_schema; migrations run under
 * an advisory lock, so nodes starting together migrate once. Errors name the
 * database (name, host, port), never the URI: it may hold a password. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "store/backend.h"

/* ---------------------------------------------------------------- schema */

#define ID "TEXT COLLATE \"C\"" /* ids compare and page bytewise, as in SQLite */
#define MS "BIGINT NOT NULL"
static const char *const migrations[] = {
    /* 0 -> 1: what SQLite's schema holds at its version 5 */
    "CREATE TABLE accounts(id " ID " PRIMARY KEY, name TEXT NOT NULL, webhook_secret TEXT NOT NULL,"
    "  created_ms " MS ");"
    "CREATE TABLE api_keys(id " ID " PRIMARY KEY, account_id " ID " NOT NULL REFERENCES accounts(id),"
    "  name TEXT NOT NULL, prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,"
    "  created_ms " MS ", revoked_ms " MS " DEFAULT 0);"
    "CREATE TABLE projects(id " ID " PRIMARY KEY, account_id " ID " NOT NULL, name TEXT NOT NULL,"
    "  data TEXT NOT NULL, created_ms " MS ", updated_ms " MS ");"
    "CREATE INDEX projects_account ON projects(account_id, created_ms, id);"
    "CREATE TABLE jobs(id " ID " PRIMARY KEY, account_id " ID " NOT NULL, kind TEXT NOT NULL,"
    "  state INTEGER NOT NULL, created_ms " MS ", updated_ms " MS ", started_ms " MS " DEFAULT 0,"
    "  finished_ms " MS " DEFAULT 0, run_after_ms " MS " DEFAULT 0, lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_expires_ms " MS " DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 3, progress INTEGER NOT NULL DEFAULT 0,"
    "  progress_msg TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '',"
    "  error_msg TEXT NOT NULL DEFAULT '', input TEXT NOT NULL, result TEXT, webhook TEXT, webhook_input TEXT,"
    "  depends_on " ID " NOT NULL DEFAULT '');"
    "CREATE INDEX jobs_account ON jobs(account_id, created_ms, id);"
    "CREATE INDEX jobs_due ON jobs(state, run_after_ms);"
    "CREATE INDEX jobs_lease ON jobs(state, lease_expires_ms);"
    "CREATE INDEX jobs_running ON jobs(account_id, state, lease_expires_ms);"
    "CREATE TABLE uploads(id " ID " PRIMARY KEY, account_id " ID " NOT NULL, key TEXT NOT NULL UNIQUE,"
    "  content_type TEXT NOT NULL, max_size " MS ", size " MS " DEFAULT 0, created_ms " MS ","
    "  expires_ms " MS ", done_ms " MS " DEFAULT 0);"
    "CREATE TABLE outbox(id " ID " PRIMARY KEY, account_id " ID " NOT NULL, job_id " ID " NOT NULL,"
    "  url TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_ms " MS ", next_ms " MS ","
    "  state INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX outbox_due ON outbox(state, next_ms);"
    "CREATE TABLE resources(id " ID " PRIMARY KEY, account_id " ID " NOT NULL, kind TEXT NOT NULL,"
    "  name TEXT NOT NULL, data TEXT NOT NULL, created_ms " MS ", updated_ms " MS ");"
    "CREATE INDEX resources_name ON resources(account_id, kind, lower(name), created_ms);"
    "CREATE TABLE lease_turns(account_id " ID " PRIMARY KEY, last_ms " MS ");"
    "CREATE TABLE settings(name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE nodes(name TEXT PRIMARY KEY, kind TEXT NOT NULL, beat_ms " MS ", info TEXT);"
    "CREATE TABLE tasks(id " ID " PRIMARY KEY, job_id " ID " NOT NULL, account_id " ID " NOT NULL,"
    "  idx INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    "  max_attempts INTEGER NOT NULL DEFAULT 3, created_ms " MS ", updated_ms " MS ","
    "  lease_owner TEXT NOT NULL DEFAULT '', lease_expires_ms " MS " DEFAULT 0,"
    "  node TEXT NOT NULL DEFAULT '', error_code TEXT NOT NULL DEFAULT '', error_msg TEXT NOT NULL DEFAULT '',"
    "  input TEXT NOT NULL, result TEXT, UNIQUE(job_id, idx));"
    "CREATE INDEX tasks_due ON tasks(state, created_ms);"
    /* wake-ups: work appeared (a job or tasks), came back (released) or a job ended (its dependents) */
    "CREATE FUNCTION storyreel_wake() RETURNS trigger LANGUAGE plpgsql AS"
    "  $$BEGIN PERFORM pg_notify('storyreel_work', TG_TABLE_NAME); RETURN NULL; END$$;"
    "CREATE TRIGGER jobs_wake_new AFTER INSERT ON jobs FOR EACH ROW EXECUTE FUNCTION storyreel_wake();"
    "CREATE TRIGGER jobs_wake_state AFTER UPDATE OF state ON jobs FOR EACH ROW"
    "  WHEN (NEW.state <> OLD.state AND NEW.state <> 1) EXECUTE FUNCTION storyreel_wake();"
    "CREATE TRIGGER tasks_wake AFTER INSERT ON tasks FOR EACH STATEMENT EXECUTE FUNCTION storyreel_wake();",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))
#define MIGRATE_LOCK "7310173562541733" /* pg_advisory_xact_lock key: storyreel's migrations */
#define CHANNEL "storyreel_work"

/* ------------------------------------------------------------ statements */

#define RES_COLS "id,account_id,name,created_ms,updated_ms"
/* A pending job is due at $1 once its run_after time has come and the job it depends on (if any) ended. */
#define JOB_DUE                                                                                     \
    "(jobs.state=0 AND jobs.run_after_ms<=$1 AND (jobs.depends_on='' OR EXISTS(SELECT 1 FROM jobs d"     \
    " WHERE d.id=jobs.depends_on AND d.state IN (2,3))))"
#define PAGE_WHERE "($3::text='' OR created_ms<$2 OR (created_ms=$2 AND id<$3))"
#define TASK_HELD                                                                                   \
    "id=$1 AND lease_owner=$2 AND state=1 AND EXISTS(SELECT 1 FROM jobs j WHERE j.id=tasks.job_id"      \
    " AND j.state=1)"

#define STATEMENTS(X)                                                                                        \
    X(PING, "SELECT 1")                                                                                      \
    X(VERSION, "SELECT version FROM storyreel_schema")                                                       \
    X(ACC_INS, "INSERT INTO accounts(id,name,webhook_secret,created_ms) VALUES($1,$2,$3,$4)")               \
    X(ACC_SECRET, "SELECT webhook_secret FROM accounts WHERE id=$1")                                        \
    X(KEY_INS, "INSERT INTO api_keys(id,account_id,name,prefix,key_hash,created_ms) VALUES($1,$2,$3,$4,$5,$6)") \
    X(KEY_FIND, "SELECT " SR_KEY_COLS ",a.webhook_secret FROM api_keys k JOIN accounts a ON a.id=k.account_id" \
                " WHERE k.key_hash=$1 AND k.revoked_ms=0")                                                   \
    X(KEY_GET, "SELECT " SR_KEY_COLS ",a.webhook_secret FROM api_keys k JOIN accounts a ON a.id=k.account_id"  \
               " WHERE k.id=$1 AND k.revoked_ms=0")                                                          \
    X(KEY_LIST, "SELECT " SR_KEY_COLS ",'' FROM api_keys k ORDER BY k.created_ms, k.id")                       \
    X(KEY_REVOKE, "UPDATE api_keys SET revoked_ms=$1 WHERE (id=$2 OR prefix=$2) AND revoked_ms=0")          \
    X(PRJ_INS, "INSERT INTO projects(id,account_id,name,data,created_ms,updated_ms) VALUES($1,$2,$3,$4,$5,$6)") \
    X(PRJ_GET, "SELECT " RES_COLS ",data FROM projects WHERE account_id=$1 AND id=$2")                       \
    X(PRJ_LIST, "SELECT " RES_COLS ",NULL FROM projects WHERE account_id=$1 AND " PAGE_WHERE                 \
                " ORDER BY created_ms DESC, id DESC LIMIT $4")                                               \
    X(PRJ_UPD, "UPDATE projects SET name=coalesce($1,name),data=coalesce($2,data),updated_ms=$3"           \
               " WHERE account_id=$4 AND id=$5")                                                             \
    X(PRJ_DEL, "DELETE FROM projects WHERE account_id=$1 AND id=$2")                                         \
    X(JOB_INS, "INSERT INTO jobs(id,account_id,kind,state,created_ms,updated_ms,run_after_ms,max_attempts," \
               "input,webhook,webhook_input,depends_on) VALUES($1,$2,$3,0,$4,$5,$6,$7,$8,$9,$10,$11)")      \
    X(JOB_GET, "SELECT " SR_JOB_COLS ",NULL,depends_on FROM jobs WHERE id=$1 AND ($2::text IS NULL OR account_id=$2)") \
    X(JOB_GET_IN, "SELECT " SR_JOB_COLS ",input,depends_on FROM jobs WHERE id=$1"                               \
                  " AND ($2::text IS NULL OR account_id=$2)")                                                \
    X(JOB_LIST, "SELECT id,account_id,kind,state,created_ms,updated_ms,started_ms,finished_ms,run_after_ms," \
                "lease_owner,lease_expires_ms,attempts,max_attempts,progress,progress_msg,error_code,"      \
                "error_msg,NULL,webhook,NULL,NULL,depends_on FROM jobs WHERE account_id=$1 AND " PAGE_WHERE  \
                " ORDER BY created_ms DESC, id DESC LIMIT $4")                                               \
    X(JOB_CANCEL, "UPDATE jobs SET state=3,error_code='CANCELLED',error_msg=$1,finished_ms=$2,updated_ms=$2," \
                  "lease_owner='' WHERE id=$3 AND account_id=$4 AND state IN (0,1)")                         \
    X(JOB_SET_RESULT, "UPDATE jobs SET result=$1,updated_ms=$2 WHERE id=$3 AND account_id=$4 AND state=2")   \
    X(JOB_EXISTS, "SELECT state FROM jobs WHERE id=$1 AND account_id=$2")                                    \
    X(JOB_COUNTS, "SELECT state,count(*) FROM jobs GROUP BY state")                                          \
    X(JOB_TIMES, "SELECT coalesce(sum(finished_ms-started_ms) FILTER (WHERE state=2),0),"                    \
                 "count(*) FILTER (WHERE state=2),coalesce(sum(started_ms-created_ms),0),count(*)"           \
                 " FROM jobs WHERE started_ms>0")                                                            \
    /* fairness (store.h): accounts under the cap by fewest running, then oldest turn; then oldest job */    \
    X(LEASE_PICK, "WITH r AS (SELECT account_id,count(*) AS running FROM jobs WHERE state=1"                 \
                  " AND lease_expires_ms>=$1 GROUP BY account_id)"                                           \
                  " SELECT jobs.id,jobs.state,jobs.attempts,jobs.max_attempts,jobs.error_code,jobs.error_msg," \
                  "jobs.account_id FROM jobs LEFT JOIN r ON r.account_id=jobs.account_id"                     \
                  " LEFT JOIN lease_turns t ON t.account_id=jobs.account_id"                                  \
                  " WHERE (" JOB_DUE " OR (jobs.state=1 AND jobs.lease_expires_ms<$1))"                       \
                  " AND ($2::int<=0 OR coalesce(r.running,0)<$2::int)"                                        \
                  " ORDER BY coalesce(r.running,0), coalesce(t.last_ms,0), jobs.account_id, jobs.created_ms"  \
                  " LIMIT 1 FOR UPDATE OF jobs SKIP LOCKED")                                                  \
    X(LEASE_TURN, "INSERT INTO lease_turns(account_id,last_ms) VALUES($1,$2)"                                \
                  " ON CONFLICT(account_id) DO UPDATE SET last_ms=excluded.last_ms")                         \
    X(LEASE_TAKE, "UPDATE jobs SET state=1,lease_owner=$1,lease_expires_ms=$2,attempts=attempts+1,"          \
                  "started_ms=CASE WHEN started_ms=0 THEN $3 ELSE started_ms END,updated_ms=$3,progress=0,"  \
                  "progress_msg='' WHERE id=$4")                                                             \
    X(LEASE_RENEW, "UPDATE jobs SET lease_expires_ms=$1 WHERE id=$2 AND lease_owner=$3 AND state=1")        \
    X(LEASE_REL, "UPDATE jobs SET state=0,lease_owner='',lease_expires_ms=0,run_after_ms=$1,error_code=$2," \
                 "error_msg=$3,updated_ms=$4 WHERE id=$5 AND lease_owner=$6 AND state=1")                  \
    X(JOB_PROG, "UPDATE jobs SET progress=$1,progress_msg=$2,updated_ms=$3 WHERE id=$4 AND lease_owner=$5"  \
                " AND state=1")                                                                              \
    X(JOB_PART, "UPDATE jobs SET result=$1,updated_ms=$2 WHERE id=$3 AND lease_owner=$4 AND state=1")       \
    X(JOB_FIN, "UPDATE jobs SET state=$1,result=$2,error_code=$3,error_msg=$4,"                             \
               "progress=CASE WHEN $1=2 THEN 100 ELSE progress END,finished_ms=$5,updated_ms=$5,"           \
               "lease_owner='' WHERE id=$6 AND lease_owner=$7 AND state=1")                                  \
    X(JOB_FAIL, "UPDATE jobs SET state=3,error_code=$1,error_msg=$2,finished_ms=$3,updated_ms=$3,"          \
                "lease_owner='' WHERE id=$4")                                                                 \
    X(OB_ENQ, "INSERT INTO outbox(id,account_id,job_id,url,created_ms,next_ms) SELECT $1::text,account_id,"  \
              "id,webhook,$2::bigint,$2::bigint FROM jobs WHERE id=$3 AND webhook IS NOT NULL AND webhook<>''") \
    /* at most 4 due entries per URL, the first $2 of them another claimer does not hold; the outer WHERE */ \
    /* is checked again on rows another claimer changed meanwhile */                                         \
    X(OB_DUE, "SELECT id,account_id,job_id,url,attempts,created_ms,next_ms FROM outbox WHERE id IN"          \
              " (SELECT id FROM (SELECT id,next_ms,row_number() OVER (PARTITION BY url ORDER BY next_ms) AS rn"  \
              " FROM outbox WHERE state=0 AND next_ms<=$1) w WHERE rn<=4)"                                  \
              " AND state=0 AND next_ms<=$1 ORDER BY next_ms LIMIT $2 FOR UPDATE SKIP LOCKED")              \
    X(OB_HIDE, "UPDATE outbox SET next_ms=$1 WHERE id=$2")                                                   \
    X(OB_DONE, "UPDATE outbox SET state=1 WHERE id=$1")                                                      \
    X(OB_RETRY, "UPDATE outbox SET attempts=attempts+1,next_ms=$1 WHERE id=$2")                              \
    X(OB_DROP, "UPDATE outbox SET state=2 WHERE id=$1")                                                      \
    X(UP_INS, "INSERT INTO uploads(" SR_UP_COLS ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9)")                        \
    X(UP_GET, "SELECT " SR_UP_COLS " FROM uploads WHERE id=$1")                                                 \
    X(UP_KEY, "SELECT " SR_UP_COLS " FROM uploads WHERE key=$1 AND ($2::text IS NULL OR account_id=$2)")        \
    X(UP_DONE, "UPDATE uploads SET size=$1,done_ms=$2 WHERE id=$3 AND done_ms=0")                           \
    X(RES_INS, "INSERT INTO resources(id,account_id,kind,name,data,created_ms,updated_ms)"                   \
               " VALUES($1,$2,$3,$4,$5,$6,$6)")                                                              \
    X(RES_GET, "SELECT " RES_COLS ",data FROM resources WHERE kind=$1 AND account_id=$2 AND id=$3")          \
    X(RES_FIND, "SELECT " RES_COLS ",data FROM resources WHERE kind=$1 AND account_id=$2"                    \
                " AND lower(name)=lower($3::text) ORDER BY created_ms DESC LIMIT 1")                        \
    X(RES_LIST, "SELECT " RES_COLS ",NULL FROM resources WHERE kind=$1 AND account_id=$2"                    \
                " ORDER BY created_ms, id LIMIT $3")                                                         \
    X(RES_UPD, "UPDATE resources SET name=$4,data=$5,updated_ms=$6 WHERE kind=$1 AND account_id=$2 AND id=$3") \
    X(RES_DEL, "DELETE FROM resources WHERE kind=$1 AND account_id=$2 AND id=$3")                           \
    X(SET_INIT, "INSERT INTO settings(name,value) VALUES($1,$2) ON CONFLICT(name) DO NOTHING")              \
    X(SET_GET, "SELECT value FROM settings WHERE name=$1")                                                   \
    X(NODE_BEAT, "INSERT INTO nodes(name,kind,beat_ms,info) VALUES($1,$2,$3,$4) ON CONFLICT(name)"           \
                 " DO UPDATE SET kind=excluded.kind,beat_ms=excluded.beat_ms,info=excluded.info")            \
    X(NODES_ALIVE, "SELECT count(*) FROM nodes WHERE kind=$1 AND beat_ms>=$2")                               \
    X(JOB_ACCOUNT, "SELECT account_id FROM jobs WHERE id=$1")                                                \
    X(TASK_INS, "INSERT INTO tasks(id,job_id,account_id,idx,max_attempts,created_ms,updated_ms,input)"       \
                " VALUES($1,$2,$3,$4,$5,$6,$6,$7) ON CONFLICT(job_id,idx) DO NOTHING")                       \
    X(TASK_PICK, "SELECT t.id,t.attempts,t.max_attempts FROM tasks t JOIN jobs j ON j.id=t.job_id"           \
                 " WHERE j.state=1 AND (t.state=0 OR (t.state=1 AND t.lease_expires_ms<$1))"                 \
                 " ORDER BY t.created_ms, t.job_id, t.idx LIMIT 1 FOR UPDATE OF t SKIP LOCKED")              \
    X(TASK_TAKE, "UPDATE tasks SET state=1,lease_owner=$1,lease_expires_ms=$2,attempts=attempts+1,"          \
                 "updated_ms=$3 WHERE id=$4")                                                                \
    X(TASK_CRASH, "UPDATE tasks SET state=3,lease_owner='',error_code='WORKER_CRASHED',"                     \
                  "error_msg='the render node died or timed out on every try',updated_ms=$1 WHERE id=$2")    \
    X(TASK_GET_IN, "SELECT " SR_TASK_COLS ",t.input FROM tasks t WHERE t.id=$1")                                \
    X(TASK_RENEW, "UPDATE tasks SET lease_expires_ms=$3 WHERE " TASK_HELD)                                   \
    X(TASK_FIN, "UPDATE tasks SET state=$3,node=$4,result=$5,error_code=$6,error_msg=$7,lease_owner='',"     \
                "updated_ms=$8 WHERE " TASK_HELD)                                                            \
    X(TASK_LIST, "SELECT " SR_TASK_COLS ",NULL FROM tasks t WHERE t.job_id=$1 ORDER BY t.idx")                  \
    X(TASK_DEL, "DELETE FROM tasks WHERE job_id=$1")

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
    struct sr_store *s;
    PGconn *pg;
    PGconn *listen;                   /* wait_work's LISTEN connection, opened on first use */
    int fail;                         /* the code of the last failed statement */
    int busy_ms;                      /* the timeouts this connection was last given */
    unsigned char prepared[ST__COUNT];
    struct conn *next, *next_idle;
} conn;

struct sr_store {
    char *uri;           /* never shown: it may hold a password */
    char name[200];      /* "database D on H:P", for messages */
    int opened;          /* open succeeded: failing to connect now is transient (SR_EBUSY) */
    int busy_ms;         /* lock and statement timeouts */
    pthread_key_t key;   /* this thread's conn */
    pthread_mutex_t mu;  /* guards conns and idle */
    conn *conns;         /* every conn, closed by close */
    conn *idle;          /* conns of threads that ended, for the next thread */
};

static void quiet(void *arg, const char *msg) { (void)arg, (void)msg; } /* NOTICEs are not ours to print */

/* The first line of a libpq message. */
static const char *line1(const char *m, char *buf, size_t n)
{
    snprintf(buf, n, "%s", m && *m ? m : "unknown error");
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

/* SQLSTATEs that mean "try again shortly": lock or statement timeout, serialization, deadlock, the server
 * shutting down or starting, too many connections, a lost connection (class 08). */
static int transient(const char *state)
{
    static const char *const codes[] = {"55P03", "57014", "40001", "40P01", "57P01", "57P02", "57P03", "53300"};
    if (!state) return 0;
    if (!strncmp(state, "08", 2)) return 1;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(state, codes[i])) return 1;
    return 0;
}

static int pg_fail(conn *c, PGresult *r, sr_err *err, const char *what)
{
    char buf[300];
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    line1(msg ? msg : PQerrorMessage(c->pg), buf, sizeof buf);
    if (PQstatus(c->pg) != CONNECTION_OK)
        c->fail = sr_err_set(err, SR_EBUSY, "database", "%s: the connection to the %s was lost (%s)", what,
                             c->s->name, buf);
    else if (transient(state))
        c->fail = sr_err_set(err, SR_EBUSY, "database", "%s: the %s is busy (%s)", what, c->s->name, buf);
    else c->fail = sr_err_set(err, SR_EDB, "database", "%s: %s (%s)", what, buf, c->s->name);
    return c->fail;
}

/* A new connection to s's database, quiet, or NULL with err filled (SR_EDB while opening, SR_EBUSY after:
 * the database went away for a while). */
static PGconn *connect_db(sr_store *s, sr_err *err)
{
    /* defaults first: what the URI says overrides them */
    const char *const keys[] = {"application_name", "connect_timeout", "dbname", NULL};
    const char *const vals[] = {"storyreel", "10", s->uri, NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    char buf[300];
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        sr_err_set(err, s->opened ? SR_EBUSY : SR_EDB, "database", "cannot connect to the %s: %s", s->name,
                   line1(pg ? PQerrorMessage(pg) : "out of memory", buf, sizeof buf));
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet, NULL);
    return pg;
}

/* Gives c the store's timeouts (again after a reset). */
static int apply_timeouts(conn *c, sr_err *err)
{
    int ms = c->s->busy_ms > 0 ? c->s->busy_ms : 10000;
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET lock_timeout=%d; SET statement_timeout=%d; SET idle_in_transaction_session_timeout=60000", ms,
             ms + 5000);
    PGresult *r = PQexec(c->pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_fail(c, r, err, "setting timeouts");
    PQclear(r);
    if (!rc) c->busy_ms = c->s->busy_ms;
    return rc;
}

/* A connection the server dropped while it sat idle (a restart tells its clients, then closes) is seen
 * here, without a round trip, and reset before use. */
static int healthy(conn *c, sr_err *err)
{
    struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};
    for (int i = 0; i < 4 && p.fd >= 0 && poll(&p, 1, 0) > 0; i++) { /* the goodbye, then the end of the stream */
        if (!PQconsumeInput(c->pg)) break;
        for (PGnotify *n; (n = PQnotifies(c->pg));) PQfreemem(n);
    }
    PGTransactionStatusType ts = PQtransactionStatus(c->pg);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) PQclear(PQexec(c->pg, "ROLLBACK")); /* never left open */
    if (PQstatus(c->pg) != CONNECTION_OK || ts == PQTRANS_UNKNOWN) {
        PQreset(c->pg);
        memset(c->prepared, 0, sizeof c->prepared);
        c->busy_ms = -1;
        if (PQstatus(c->pg) != CONNECTION_OK) {
            char buf[300];
            return c->fail = sr_err_set(err, SR_EBUSY, "database", "cannot reach the %s: %s", c->s->name,
                                        line1(PQerrorMessage(c->pg), buf, sizeof buf));
        }
        PQsetNoticeProcessor(c->pg, quiet, NULL);
    }
    return c->busy_ms == c->s->busy_ms ? 0 : apply_timeouts(c, err);
}

/* A thread ended: its connection waits for the next thread. */
static void conn_idle(void *p)
{
    conn *c = p;
    pthread_mutex_lock(&c->s->mu);
    c->next_idle = c->s->idle;
    c->s->idle = c;
    pthread_mutex_unlock(&c->s->mu);
}

/* This thread's connection, healthy, or NULL with *rc (and err) set. */
static conn *get_conn(sr_store *s, int *rc, sr_err *err)
{
    conn *c = pthread_getspecific(s->key);
    if (!c) {
        pthread_mutex_lock(&s->mu);
        if ((c = s->idle)) s->idle = c->next_idle;
        pthread_mutex_unlock(&s->mu);
    }
    if (!c) {
        PGconn *pg = connect_db(s, err);
        if (!pg) {
            *rc = s->opened ? SR_EBUSY : SR_EDB;
            return NULL;
        }
        if (!(c = calloc(1, sizeof *c))) {
            PQfinish(pg);
            *rc = sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
            return NULL;
        }
        c->s = s, c->pg = pg, c->busy_ms = -1;
        pthread_mutex_lock(&s->mu);
        c->next = s->conns;
        s->conns = c;
        pthread_mutex_unlock(&s->mu);
    }
    pthread_setspecific(s->key, c);
    return (*rc = healthy(c, err)) ? NULL : c;
}

/* ----------------------------------------------------------- statements */

#define MAX_ARGS 12
typedef struct args {
    const char *v[MAX_ARGS];
    char num[MAX_ARGS][24];
    int n;
} args;
static void at(args *a, const char *v) { a->v[a->n++] = v; } /* NULL: SQL NULL */
static void ai(args *a, int64_t v)
{
    snprintf(a->num[a->n], sizeof a->num[0], "%lld", (long long)v);
    a->v[a->n] = a->num[a->n];
    a->n++;
}

/* Runs statement i (prepared on first use) with a: its result, or NULL with err filled. */
static PGresult *exec(conn *c, int i, const args *a, sr_err *err)
{
    char name[16];
    snprintf(name, sizeof name, "sr%d", i);
    if (!c->prepared[i]) {
        PGresult *p = PQprepare(c->pg, name, sql_text[i], 0, NULL);
        int ok = PQresultStatus(p) == PGRES_COMMAND_OK;
        if (!ok) pg_fail(c, p, err, "preparing a statement");
        PQclear(p);
        if (!ok) return NULL;
        c->prepared[i] = 1;
    }
    PGresult *r = PQexecPrepared(c->pg, name, a ? a->n : 0, a ? a->v : NULL, NULL, NULL, 0);
    ExecStatusType t = PQresultStatus(r);
    if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) return r;
    pg_fail(c, r, err, PQresultStatus(r) == PGRES_FATAL_ERROR ? "running a statement" : "talking to the database");
    PQclear(r);
    return NULL;
}

/* Runs a statement that returns no rows: the rows it touched (>= 0), or an error. */
static int run(conn *c, int i, const args *a, sr_err *err)
{
    PGresult *r = exec(c, i, a, err);
    if (!r) return c->fail;
    int n = atoi(PQcmdTuples(r));
    PQclear(r);
    return n;
}

/* Runs a query expected to give one row: its result (the caller clears it), or NULL with *rc set:
 * SR_ENOT_FOUND naming field (message what) when it gave none, or the error. */
static PGresult *one(conn *c, int i, const args *a, const char *field, const char *what, int *rc, sr_err *err)
{
    PGresult *r = exec(c, i, a, err);
    *rc = 0;
    if (!r) {
        *rc = c->fail;
        return NULL;
    }
    if (PQntuples(r) > 0) return r;
    PQclear(r);
    *rc = sr_err_set(err, SR_ENOT_FOUND, field, "%s", what);
    return NULL;
}

/* Runs SQL text without rows (one statement or several); what names it in errors. */
static int script(conn *c, const char *sql, const char *what, sr_err *err)
{
    PGresult *r = PQexec(c->pg, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_fail(c, r, err, what);
    PQclear(r);
    return rc;
}
static int tx(conn *c, const char *sql, sr_err *err) { return script(c, sql, sql, err); }
#define BEGIN(c, err) tx(c, "BEGIN", err)
/* Commits when rc is 0 (or one of keep, an answer rather than a failure), else rolls back; returns rc. */
static int end_tx(conn *c, int rc, int keep, sr_err *err)
{
    if (rc && rc != keep) {
        tx(c, "ROLLBACK", NULL);
        return rc;
    }
    int crc = tx(c, "COMMIT", err);
    return crc ? crc : rc;
}

/* A reader of one row, column after column. */
typedef struct rd {
    PGresult *r;
    int row, col;
} rd;
static void rt(rd *d, char *dst, size_t n) { snprintf(dst, n, "%s", PQgetvalue(d->r, d->row, d->col++)); }
static int64_t ri(rd *d) { return strtoll(PQgetvalue(d->r, d->row, d->col++), NULL, 10); }
static char *rdup(rd *d)
{
    int col = d->col++;
    return PQgetisnull(d->r, d->row, col) ? NULL : strdup(PQgetvalue(d->r, d->row, col));
}

/* The rows of r (cleared here) as an array of records made by fill: *out malloc'd; the count. */
static int collect(PGresult *r, size_t size, void (*fill)(rd *, void *), void **out, sr_err *err)
{
    int n = PQntuples(r);
    *out = NULL;
    if (n > 0 && !(*out = calloc((size_t)n, size))) {
        PQclear(r);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    for (int i = 0; i < n; i++) fill(&(rd){r, i, 0}, (char *)*out + (size_t)i * size);
    PQclear(r);
    return n;
}
/* collect of statement i's rows; the count or an error. */
static int rows(conn *c, int i, const args *a, size_t size, void (*fill)(rd *, void *), void **out, sr_err *err)
{
    *out = NULL;
    PGresult *r = exec(c, i, a, err);
    return r ? collect(r, size, fill, out, err) : c->fail;
}

/* Prologue of every operation: this thread's connection, or return. */
#define CONN(s, err)                                                                                         \
    int conn_rc;                                                                                             \
    conn *c = get_conn(s, &conn_rc, err);                                                                    \
    if (!c) return conn_rc
/* A write that must touch a row: 0, or SR_ENOT_FOUND naming field with msg. */
static int touched(int n, const char *field, const char *msg, sr_err *err)
{
    if (n < 0) return n;
    return n ? 0 : sr_err_set(err, SR_ENOT_FOUND, field, "%s", msg);
}
#define LEASE_LOST "the lease on the job was lost"

/* ------------------------------------------------------------- open/close */

static void pg_close(sr_store *s)
{
    if (!s) return;
    pthread_key_delete(s->key); /* no thread's end hands its conn back from here on */
    for (conn *c = s->conns, *n; c; c = n) {
        n = c->next;
        PQfinish(c->pg);
        PQfinish(c->listen);
        free(c);
    }
    pthread_mutex_destroy(&s->mu);
    free(s->uri);
    free(s);
}

/* "database D on H:P" from the URI (not its user or password), or -1 when it is not one. */
static int name_of(const char *uri, char *out, size_t n)
{
    PQconninfoOption *o = PQconninfoParse(uri, NULL);
    if (!o) return -1;
    const char *db = "", *host = "", *port = "";
    for (PQconninfoOption *p = o; p->keyword; p++) {
        const char *v = p->val ? p->val : "";
        if (!strcmp(p->keyword, "dbname")) db = v;
        else if (!strcmp(p->keyword, "host")) host = v;
        else if (!strcmp(p->keyword, "port")) port = v;
    }
    snprintf(out, n, "PostgreSQL database %s on %s%s%s", *db ? db : "(default)", *host ? host : "localhost",
             *port ? ":" : "", port);
    PQconninfoFree(o);
    return 0;
}

/* Brings the database to the newest schema, once however many nodes start together; refuses one that
 * holds other tables or a newer schema. */
static int migrate(conn *c, sr_err *err)
{
    int rc = BEGIN(c, err);
    if (rc) return rc;
    PGresult *r = PQexec(c->pg, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) rc = pg_fail(c, r, err, "locking for migration");
    PQclear(r);
    int version = 0, core = 0, tables = 0, has_version = 0;
    if (!rc) {
        r = PQexec(c->pg, "SELECT table_name FROM information_schema.tables WHERE table_schema=current_schema()");
        if (PQresultStatus(r) != PGRES_TUPLES_OK) rc = pg_fail(c, r, err, "reading the schema");
        for (int i = 0; !rc && i < PQntuples(r); i++, tables++) {
            const char *t = PQgetvalue(r, i, 0);
            has_version |= !strcmp(t, "storyreel_schema");
            core += sr_store_is_core(t);
        }
        PQclear(r);
    }
    if (!rc && has_version) {
        PGresult *v = one(c, ST_VERSION, NULL, "database", "the schema version is missing", &rc, err);
        if (v) version = atoi(PQgetvalue(v, 0, 0));
        PQclear(v);
    }
    if (rc) goto done;
    if ((!has_version && tables) || (has_version && core != SR_STORE_N_CORE)) {
        rc = sr_err_set(err, SR_EDB, "database",
                        "it does not hold storyreel's schema (version %d, %d of its %d tables, %d tables in all)",
                        version, core, SR_STORE_N_CORE, tables);
        goto done;
    }
    if (version > N_MIGRATIONS) {
        rc = sr_err_set(err, SR_EDB, "database", "the database is version %d, newer than this storyreel (%d)",
                        version, N_MIGRATIONS);
        goto done;
    }
    if (!has_version && (rc = script(c, "CREATE TABLE storyreel_schema(version INTEGER NOT NULL);"
                                        "INSERT INTO storyreel_schema VALUES(0)", "creating the schema", err)))
        goto done;
    for (int v = version; v < N_MIGRATIONS && !rc; v++) {
        char set[64];
        snprintf(set, sizeof set, "UPDATE storyreel_schema SET version=%d", v + 1);
        if (!(rc = script(c, migrations[v], "migrating the schema", err))) rc = script(c, set, "migrating", err);
    }
done:
    return end_tx(c, rc, 0, err);
}

static int pg_open(const char *location, sr_store **out, sr_err *err)
{
    *out = NULL;
    char name[200];
    if (name_of(location, name, sizeof name))
        return sr_err_set(err, SR_EINVALID_FIELD, "store", "the store is not a valid PostgreSQL connection URI");
    sr_store *s = calloc(1, sizeof *s);
    if (!s || !(s->uri = strdup(location))) {
        free(s);
        return sr_err_set(err, SR_ENOMEM, NULL, "out of memory");
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->busy_ms = 10000;
    pthread_mutex_init(&s->mu, NULL);
    if (pthread_key_create(&s->key, conn_idle)) {
        pthread_mutex_destroy(&s->mu);
        free(s->uri);
        free(s);
        return sr_err_set(err, SR_EINTERNAL, NULL, "no thread key");
    }
    sr_err me = {0};
    int rc;
    conn *c = get_conn(s, &rc, &me);
    if (c) rc = migrate(c, &me);
    if (rc) {
        sr_err_set(err, rc, "database", "refusing to open the %s: %s", s->name, me.msg);
        pg_close(s);
        return rc;
    }
    s->opened = 1;
    *out = s;
    return 0;
}

static int pg_ping(sr_store *s, sr_err *err)
{
    CONN(s, err);
    int rc;
    PQclear(one(c, ST_PING, NULL, "database", "no answer", &rc, err));
    return rc;
}

static int pg_integrity(sr_store *s, sr_err *err)
{
    CONN(s, err);
    int rc;
    PGresult *r = one(c, ST_VERSION, NULL, "database", "the schema version is missing", &rc, err);
    int v = r ? atoi(PQgetvalue(r, 0, 0)) : 0;
    PQclear(r);
    if (rc) return rc == SR_ENOT_FOUND ? sr_err_set(err, SR_EDB, "database", "integrity check failed") : rc;
    return v == N_MIGRATIONS ? 0
                             : sr_err_set(err, SR_EDB, "database", "integrity check failed: schema version %d, not %d",
                                          v, N_MIGRATIONS);
}

static void pg_set_busy_ms(sr_store *s, int ms) { s->busy_ms = ms; }

/* ---------------------------------------------------------- accounts, keys */

static int pg_account_create(sr_store *s, const char *id, const char *name, const char *secret, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, id), at(&a, name), at(&a, secret), ai(&a, sr_now_ms());
    int n = run(c, ST_ACC_INS, &a, err);
    return n < 0 ? n : 0;
}

static int pg_account_secret(sr_store *s, const char *account, char secret[80], sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, account);
    int rc;
    PGresult *r = one(c, ST_ACC_SECRET, &a, "account", "no such account", &rc, err);
    if (r) snprintf(secret, 80, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static int pg_key_create(sr_store *s, const sr_key *k, const char *hash, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, k->id), at(&a, k->account_id), at(&a, k->name), at(&a, k->prefix), at(&a, hash), ai(&a, sr_now_ms());
    int n = run(c, ST_KEY_INS, &a, err);
    return n < 0 ? n : 0;
}

static void fill_key(rd *d, void *p)
{
    sr_key *k = p;
    rt(d, k->id, sizeof k->id), rt(d, k->account_id, sizeof k->account_id), rt(d, k->name, sizeof k->name);
    rt(d, k->prefix, sizeof k->prefix);
    k->created_ms = ri(d), k->revoked_ms = ri(d);
    rt(d, k->webhook_secret, sizeof k->webhook_secret);
}

/* The one record statement i (bound to a) finds, by fill; SR_ENOT_FOUND naming field otherwise. */
static int one_rec(conn *c, int i, const args *a, void (*fill)(rd *, void *), void *out, size_t size,
                   const char *field, const char *what, sr_err *err)
{
    int rc;
    PGresult *r = one(c, i, a, field, what, &rc, err);
    if (!r) return rc;
    memset(out, 0, size);
    fill(&(rd){r, 0, 0}, out);
    PQclear(r);
    return 0;
}

static int one_key(sr_store *s, int which, const char *v, sr_key *out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, v);
    return one_rec(c, which, &a, fill_key, out, sizeof *out, "key", "no such key", err);
}
static int pg_key_find(sr_store *s, const char *hash, sr_key *out, sr_err *err)
{
    return one_key(s, ST_KEY_FIND, hash, out, err);
}
static int pg_key_get(sr_store *s, const char *id, sr_key *out, sr_err *err)
{
    return one_key(s, ST_KEY_GET, id, out, err);
}

static int pg_key_list(sr_store *s, sr_key **out, sr_err *err)
{
    CONN(s, err);
    return rows(c, ST_KEY_LIST, NULL, sizeof(sr_key), fill_key, (void **)out, err);
}

static int pg_key_revoke(sr_store *s, const char *idp, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    ai(&a, sr_now_ms()), at(&a, idp);
    int n = run(c, ST_KEY_REVOKE, &a, err);
    if (n == 0) return sr_err_set(err, SR_ENOT_FOUND, "key", "no live key has the id or prefix %s", idp);
    return n < 0 ? n : 0;
}

/* --------------------------------------------------------------- projects */

static void fill_project(rd *d, void *p)
{
    sr_project *r = p;
    rt(d, r->id, sizeof r->id), rt(d, r->account_id, sizeof r->account_id), rt(d, r->name, sizeof r->name);
    r->created_ms = ri(d), r->updated_ms = ri(d);
    r->data = rdup(d);
}

static int insert_project(conn *c, const sr_project *p, sr_err *err)
{
    int64_t now = sr_now_ms();
    args a = {0};
    at(&a, p->id), at(&a, p->account_id), at(&a, p->name), at(&a, p->data ? p->data : "{}");
    ai(&a, p->created_ms ? p->created_ms : now), ai(&a, now);
    int n = run(c, ST_PRJ_INS, &a, err);
    return n < 0 ? n : 0;
}

static int pg_project_create(sr_store *s, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    return insert_project(c, p, err);
}

static int pg_project_get(sr_store *s, const char *account, const char *id, sr_project *out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, account), at(&a, id);
    return one_rec(c, ST_PRJ_GET, &a, fill_project, out, sizeof *out, "projectId", "no such project", err);
}

/* The arguments of a page (store.h: newest first, after (after_ms, after_id)). */
static void page_args(args *a, const char *account, int64_t after_ms, const char *after_id, int limit)
{
    at(a, account), ai(a, after_ms), at(a, after_id ? after_id : ""), ai(a, limit > 0 ? limit : 0);
}

static int pg_project_list(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                           sr_project **out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    page_args(&a, account, after_ms, after_id, limit);
    return rows(c, ST_PRJ_LIST, &a, sizeof(sr_project), fill_project, (void **)out, err);
}

static int pg_project_update(sr_store *s, const char *account, const char *id, const char *name,
                             const char *data, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, name), at(&a, data), ai(&a, sr_now_ms()), at(&a, account), at(&a, id);
    return touched(run(c, ST_PRJ_UPD, &a, err), "projectId", "no such project", err);
}

static int pg_project_delete(sr_store *s, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, account), at(&a, id);
    return touched(run(c, ST_PRJ_DEL, &a, err), "projectId", "no such project", err);
}

/* ------------------------------------------------------------------- jobs */

static void fill_job(rd *d, void *p)
{
    sr_job *j = p;
    rt(d, j->id, sizeof j->id), rt(d, j->account_id, sizeof j->account_id), rt(d, j->kind, sizeof j->kind);
    j->state = (int)ri(d);
    j->created_ms = ri(d), j->updated_ms = ri(d), j->started_ms = ri(d), j->finished_ms = ri(d);
    j->run_after_ms = ri(d);
    rt(d, j->lease_owner, sizeof j->lease_owner);
    j->lease_expires_ms = ri(d);
    j->attempts = (int)ri(d), j->max_attempts = (int)ri(d), j->progress = (int)ri(d);
    rt(d, j->progress_msg, sizeof j->progress_msg), rt(d, j->error_code, sizeof j->error_code);
    rt(d, j->error_msg, sizeof j->error_msg);
    j->result = rdup(d), j->webhook = rdup(d), j->webhook_input = rdup(d), j->input = rdup(d);
    rt(d, j->depends_on, sizeof j->depends_on);
}

static int pg_job_create(sr_store *s, const sr_job *j, sr_err *err)
{
    CONN(s, err);
    int64_t now = sr_now_ms();
    args a = {0};
    at(&a, j->id), at(&a, j->account_id), at(&a, j->kind), ai(&a, j->created_ms ? j->created_ms : now), ai(&a, now);
    ai(&a, j->run_after_ms), ai(&a, j->max_attempts > 0 ? j->max_attempts : 3), at(&a, j->input ? j->input : "{}");
    at(&a, j->webhook), at(&a, j->webhook_input), at(&a, j->depends_on);
    int n = run(c, ST_JOB_INS, &a, err);
    return n < 0 ? n : 0;
}

static int get_job(conn *c, const char *account, const char *id, int with_input, sr_job *out, sr_err *err)
{
    args a = {0};
    at(&a, id), at(&a, account);
    return one_rec(c, with_input ? ST_JOB_GET_IN : ST_JOB_GET, &a, fill_job, out, sizeof *out, "jobId",
                   "no such job", err);
}

static int pg_job_get(sr_store *s, const char *account, const char *id, int with_input, sr_job *out, sr_err *err)
{
    CONN(s, err);
    return get_job(c, account, id, with_input, out, err);
}

static int pg_job_list(sr_store *s, const char *account, int64_t after_ms, const char *after_id, int limit,
                       sr_job **out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    page_args(&a, account, after_ms, after_id, limit);
    return rows(c, ST_JOB_LIST, &a, sizeof(sr_job), fill_job, (void **)out, err);
}

/* Queues job id's webhook (when it has one). Inside the caller's transaction. */
static int enqueue_webhook(conn *c, const char *job_id, sr_err *err)
{
    char id[SR_ID_LEN];
    sr_uuid(id);
    args a = {0};
    at(&a, id), ai(&a, sr_now_ms()), at(&a, job_id);
    int n = run(c, ST_OB_ENQ, &a, err);
    return n < 0 ? n : 0;
}

static int pg_job_cancel(sr_store *s, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    int rc = BEGIN(c, err);
    if (rc) return rc;
    args a = {0};
    at(&a, "the render was cancelled"), ai(&a, sr_now_ms()), at(&a, id), at(&a, account);
    int n = run(c, ST_JOB_CANCEL, &a, err);
    if (n > 0) rc = enqueue_webhook(c, id, err);
    else if (n < 0) rc = n;
    else {
        args b = {0};
        at(&b, id), at(&b, account);
        PGresult *r = one(c, ST_JOB_EXISTS, &b, "jobId", "no such job", &rc, err);
        if (r) rc = sr_err_set(err, SR_ELIMIT, "jobId", "the job has already ended");
        PQclear(r);
    }
    return end_tx(c, rc, rc == SR_ELIMIT || rc == SR_ENOT_FOUND ? rc : 0, err);
}

static int pg_job_update_result(sr_store *s, const char *account, const char *id, const char *result,
                                sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, result), ai(&a, sr_now_ms()), at(&a, id), at(&a, account);
    return touched(run(c, ST_JOB_SET_RESULT, &a, err), "jobId", "no such completed job", err);
}

static int pg_job_stats(sr_store *s, sr_job_stats *out, sr_err *err)
{
    CONN(s, err);
    memset(out, 0, sizeof *out);
    PGresult *r = exec(c, ST_JOB_COUNTS, NULL, err);
    if (!r) return c->fail;
    for (int i = 0; i < PQntuples(r); i++) {
        int state = atoi(PQgetvalue(r, i, 0));
        if (state >= 0 && state < SR_JOB__COUNT) out->by_state[state] = strtoll(PQgetvalue(r, i, 1), NULL, 10);
    }
    PQclear(r);
    int rc;
    if (!(r = one(c, ST_JOB_TIMES, NULL, "database", "no answer", &rc, err))) return rc;
    out->render_s_sum = strtod(PQgetvalue(r, 0, 0), NULL) / 1000.0;
    out->render_n = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    out->wait_s_sum = strtod(PQgetvalue(r, 0, 2), NULL) / 1000.0;
    out->wait_n = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    PQclear(r);
    return 0;
}

/* ----------------------------------------------------------------- leases */

/* One try of lease_acquire_fair inside a transaction: 1 leased (out filled), 0 none due, 2 one failed for
 * good (look again), or an error. */
static int lease_take(conn *c, const char *owner, int64_t ttl_ms, int max_running, sr_job *out, sr_err *err)
{
    int64_t now = sr_now_ms();
    args a = {0};
    ai(&a, now), ai(&a, max_running);
    PGresult *r = exec(c, ST_LEASE_PICK, &a, err);
    if (!r) return c->fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    char id[SR_ID_LEN], code[48], msg[512], acc[SR_ID_LEN];
    rd d = {r, 0, 0};
    rt(&d, id, sizeof id);
    int state = (int)ri(&d), attempts = (int)ri(&d), max_attempts = (int)ri(&d);
    rt(&d, code, sizeof code), rt(&d, msg, sizeof msg), rt(&d, acc, sizeof acc);
    PQclear(r);
    int n;
    if (attempts >= max_attempts) { /* no tries left: it fails now */
        int crashed = state == SR_JOB_RUNNING || !code[0];
        args f = {0};
        at(&f, crashed ? "WORKER_CRASHED" : code);
        at(&f, crashed ? "the render worker died or timed out on every try" : msg), ai(&f, now), at(&f, id);
        if ((n = run(c, ST_JOB_FAIL, &f, err)) < 0) return n;
        return (n = enqueue_webhook(c, id, err)) ? n : 2;
    }
    args t = {0};
    at(&t, owner), ai(&t, now + ttl_ms), ai(&t, now), at(&t, id);
    if ((n = run(c, ST_LEASE_TAKE, &t, err)) < 0) return n;
    args u = {0};
    at(&u, acc), ai(&u, now);
    if ((n = run(c, ST_LEASE_TURN, &u, err)) < 0) return n;
    return (n = get_job(c, NULL, id, 1, out, err)) ? n : 1;
}

static int pg_lease_acquire_fair(sr_store *s, const char *owner, int64_t ttl_ms, int max_running, sr_job *out,
                                 sr_err *err)
{
    CONN(s, err);
    for (;;) {
        int rc = BEGIN(c, err);
        if (rc) return rc;
        int got = lease_take(c, owner, ttl_ms, max_running, out, err);
        if ((rc = end_tx(c, got < 0 ? got : 0, 0, err))) {
            if (got == 1) sr_job_clear(out);
            return rc;
        }
        if (got != 2) return got;
    }
}

static int pg_lease_acquire(sr_store *s, const char *owner, int64_t ttl_ms, sr_job *out, sr_err *err)
{
    return pg_lease_acquire_fair(s, owner, ttl_ms, 0, out, err);
}

static int pg_lease_renew(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    ai(&a, sr_now_ms() + ttl_ms), at(&a, id), at(&a, owner);
    return touched(run(c, ST_LEASE_RENEW, &a, err), "jobId", LEASE_LOST, err);
}

static int pg_lease_release(sr_store *s, const char *id, const char *owner, int64_t delay_ms, const char *code,
                            const char *msg, sr_err *err)
{
    CONN(s, err);
    int64_t now = sr_now_ms();
    args a = {0};
    ai(&a, now + delay_ms), at(&a, code ? code : ""), at(&a, msg ? msg : ""), ai(&a, now), at(&a, id), at(&a, owner);
    return touched(run(c, ST_LEASE_REL, &a, err), "jobId", LEASE_LOST, err);
}

static int pg_job_progress(sr_store *s, const char *id, const char *owner, int progress, const char *msg,
                           sr_err *err)
{
    CONN(s, err);
    args a = {0};
    ai(&a, progress), at(&a, msg ? msg : ""), ai(&a, sr_now_ms()), at(&a, id), at(&a, owner);
    return touched(run(c, ST_JOB_PROG, &a, err), "jobId", LEASE_LOST, err);
}

static int pg_job_partial_result(sr_store *s, const char *id, const char *owner, const char *result, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, result), ai(&a, sr_now_ms()), at(&a, id), at(&a, owner);
    return touched(run(c, ST_JOB_PART, &a, err), "jobId", LEASE_LOST, err);
}

static int pg_job_finish(sr_store *s, const char *id, const char *owner, int state, const char *result,
                         const char *code, const char *msg, const sr_project *save, sr_err *err)
{
    CONN(s, err);
    int rc = BEGIN(c, err);
    if (rc) return rc;
    args a = {0};
    ai(&a, state), at(&a, result), at(&a, code ? code : ""), at(&a, msg ? msg : ""), ai(&a, sr_now_ms());
    at(&a, id), at(&a, owner);
    rc = touched(run(c, ST_JOB_FIN, &a, err), "jobId", LEASE_LOST, err);
    if (!rc && save) rc = insert_project(c, save, err);
    if (!rc) rc = enqueue_webhook(c, id, err);
    return end_tx(c, rc, 0, err);
}

/* ---------------------------------------------------------------- uploads */

static void fill_upload(rd *d, void *p)
{
    sr_upload *u = p;
    rt(d, u->id, sizeof u->id), rt(d, u->account_id, sizeof u->account_id), rt(d, u->key, sizeof u->key);
    rt(d, u->content_type, sizeof u->content_type);
    u->max_size = ri(d), u->size = ri(d), u->created_ms = ri(d), u->expires_ms = ri(d), u->done_ms = ri(d);
}

static int pg_upload_create(sr_store *s, const sr_upload *u, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, u->id), at(&a, u->account_id), at(&a, u->key), at(&a, u->content_type), ai(&a, u->max_size), ai(&a, 0);
    ai(&a, sr_now_ms()), ai(&a, u->expires_ms), ai(&a, 0);
    int n = run(c, ST_UP_INS, &a, err);
    return n < 0 ? n : 0;
}

static int pg_upload_get(sr_store *s, const char *id, sr_upload *out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, id);
    return one_rec(c, ST_UP_GET, &a, fill_upload, out, sizeof *out, "upload", "no such upload", err);
}

static int pg_upload_find_key(sr_store *s, const char *account, const char *key, sr_upload *out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, key), at(&a, account);
    return one_rec(c, ST_UP_KEY, &a, fill_upload, out, sizeof *out, "upload", "no such upload", err);
}

static int pg_upload_done(sr_store *s, const char *id, int64_t size, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    ai(&a, size), ai(&a, sr_now_ms()), at(&a, id);
    return touched(run(c, ST_UP_DONE, &a, err), "upload", "the upload is unknown or already done", err);
}

/* ----------------------------------------------------------------- outbox */

static void fill_outbox(rd *d, void *p)
{
    sr_outbox *o = p;
    rt(d, o->id, sizeof o->id), rt(d, o->account_id, sizeof o->account_id), rt(d, o->job_id, sizeof o->job_id);
    rt(d, o->url, sizeof o->url);
    o->attempts = (int)ri(d), o->created_ms = ri(d), o->next_ms = ri(d);
}

static int pg_outbox_claim(sr_store *s, int64_t lease_ms, int max, sr_outbox **out, sr_err *err)
{
    CONN(s, err);
    *out = NULL;
    int rc = BEGIN(c, err);
    if (rc) return rc;
    int64_t now = sr_now_ms();
    args a = {0};
    ai(&a, now), ai(&a, max > 0 ? max : 0);
    int n = rows(c, ST_OB_DUE, &a, sizeof(sr_outbox), fill_outbox, (void **)out, err);
    if (n < 0) rc = n;
    for (int i = 0; i < n && !rc; i++) {
        args h = {0};
        ai(&h, now + lease_ms), at(&h, (*out)[i].id);
        int k = run(c, ST_OB_HIDE, &h, err);
        if (k < 0) rc = k;
    }
    if ((rc = end_tx(c, rc, 0, err))) {
        free(*out);
        *out = NULL;
        return rc;
    }
    return n;
}

/* Sets an outbox entry: which is OB_HIDE/OB_RETRY (v: next_ms) or OB_DONE/OB_DROP. */
static int outbox_set(sr_store *s, int which, const char *id, int64_t v, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    if (which == ST_OB_RETRY || which == ST_OB_HIDE) ai(&a, v);
    at(&a, id);
    int n = run(c, which, &a, err);
    return n < 0 ? n : 0;
}
static int pg_outbox_done(sr_store *s, const char *id, sr_err *err) { return outbox_set(s, ST_OB_DONE, id, 0, err); }
static int pg_outbox_retry(sr_store *s, const char *id, int64_t next_ms, sr_err *err)
{
    return outbox_set(s, ST_OB_RETRY, id, next_ms, err);
}
static int pg_outbox_drop(sr_store *s, const char *id, sr_err *err) { return outbox_set(s, ST_OB_DROP, id, 0, err); }
static int pg_outbox_defer(sr_store *s, const char *id, int64_t next_ms, sr_err *err)
{
    return outbox_set(s, ST_OB_HIDE, id, next_ms, err);
}

/* ------------------------------------------- named resources (templates, brands, styles) */

static int pg_resource_create(sr_store *s, const char *kind, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, p->id), at(&a, p->account_id), at(&a, kind), at(&a, p->name), at(&a, p->data ? p->data : "{}");
    ai(&a, sr_now_ms());
    int n = run(c, ST_RES_INS, &a, err);
    return n < 0 ? n : 0;
}

/* One resource by statement which ($1 kind, $2 account, $3 v). */
static int one_resource(sr_store *s, int which, const char *kind, const char *account, const char *v,
                        sr_project *out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, kind), at(&a, account), at(&a, v);
    char what[64];
    snprintf(what, sizeof what, "no such %s", kind);
    return one_rec(c, which, &a, fill_project, out, sizeof *out, kind, what, err);
}

static int pg_resource_get(sr_store *s, const char *kind, const char *account, const char *id, sr_project *out,
                           sr_err *err)
{
    return one_resource(s, ST_RES_GET, kind, account, id, out, err);
}

static int pg_resource_find(sr_store *s, const char *kind, const char *account, const char *name, sr_project *out,
                            sr_err *err)
{
    return one_resource(s, ST_RES_FIND, kind, account, name, out, err);
}

static int pg_resource_list(sr_store *s, const char *kind, const char *account, int limit, sr_project **out,
                            sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, kind), at(&a, account), ai(&a, limit > 0 ? limit : 0);
    return rows(c, ST_RES_LIST, &a, sizeof(sr_project), fill_project, (void **)out, err);
}

static int pg_resource_update(sr_store *s, const char *kind, const sr_project *p, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, kind), at(&a, p->account_id), at(&a, p->id), at(&a, p->name), at(&a, p->data ? p->data : "{}");
    ai(&a, sr_now_ms());
    char what[64];
    snprintf(what, sizeof what, "no such %s", kind);
    return touched(run(c, ST_RES_UPD, &a, err), kind, what, err);
}

static int pg_resource_delete(sr_store *s, const char *kind, const char *account, const char *id, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, kind), at(&a, account), at(&a, id);
    char what[64];
    snprintf(what, sizeof what, "no such %s", kind);
    return touched(run(c, ST_RES_DEL, &a, err), kind, what, err);
}

/* ------------------------------------------------- the fleet: settings, nodes, tasks */

static int pg_setting_init(sr_store *s, const char *name, const char *init, char *out, size_t out_size,
                           sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, name), at(&a, init);
    int rc = init ? run(c, ST_SET_INIT, &a, err) : 0;
    if (rc < 0) return rc;
    a.n = 1;
    PGresult *r = one(c, ST_SET_GET, &a, name, "no such setting", &rc, err);
    if (!r) return rc;
    const char *v = PQgetvalue(r, 0, 0);
    if (strlen(v) >= out_size) rc = sr_err_set(err, SR_ELIMIT, name, "the setting does not fit");
    else memcpy(out, v, strlen(v) + 1);
    PQclear(r);
    return rc;
}

static int pg_node_beat(sr_store *s, const char *name, const char *kind, const char *info, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, name), at(&a, kind), ai(&a, sr_now_ms()), at(&a, info);
    int n = run(c, ST_NODE_BEAT, &a, err);
    return n < 0 ? n : 0;
}

static int pg_nodes_alive(sr_store *s, const char *kind, int64_t max_age_ms, sr_err *err)
{
    if (sr_store_check_age(max_age_ms, err)) return SR_EINVALID_FIELD;
    CONN(s, err);
    args a = {0};
    at(&a, kind), ai(&a, sr_now_ms() - max_age_ms);
    int rc;
    PGresult *r = one(c, ST_NODES_ALIVE, &a, "database", "no answer", &rc, err);
    if (!r) return rc;
    int n = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

static int task_insert(conn *c, const sr_task *tasks, int n, sr_err *err)
{
    args a = {0};
    at(&a, tasks[0].job_id);
    int rc;
    PGresult *r = one(c, ST_JOB_ACCOUNT, &a, "jobId", "no such job", &rc, err);
    if (!r) return rc;
    char account[SR_ID_LEN];
    snprintf(account, sizeof account, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    int64_t now = sr_now_ms();
    for (int i = 0; i < n; i++) {
        const sr_task *t = &tasks[i];
        char id[SR_ID_LEN];
        if (t->id[0]) snprintf(id, sizeof id, "%s", t->id);
        else sr_uuid(id);
        args b = {0};
        at(&b, id), at(&b, t->job_id), at(&b, account), ai(&b, t->idx);
        ai(&b, t->max_attempts > 0 ? t->max_attempts : 3), ai(&b, now), at(&b, t->input ? t->input : "{}");
        if ((rc = run(c, ST_TASK_INS, &b, err)) < 0) return rc;
    }
    return 0;
}

static int pg_task_create(sr_store *s, const sr_task *tasks, int n, sr_err *err)
{
    int bad = sr_store_check_tasks(tasks, n, err);
    if (bad || n == 0) return bad;
    CONN(s, err);
    int rc = BEGIN(c, err);
    return rc ? rc : end_tx(c, task_insert(c, tasks, n, err), 0, err);
}

static void fill_task(rd *d, void *p)
{
    sr_task *t = p;
    rt(d, t->id, sizeof t->id), rt(d, t->job_id, sizeof t->job_id), rt(d, t->account_id, sizeof t->account_id);
    t->idx = (int)ri(d), t->state = (int)ri(d), t->attempts = (int)ri(d), t->max_attempts = (int)ri(d);
    t->created_ms = ri(d), t->updated_ms = ri(d), t->lease_expires_ms = ri(d);
    rt(d, t->lease_owner, sizeof t->lease_owner), rt(d, t->node, sizeof t->node);
    rt(d, t->error_code, sizeof t->error_code), rt(d, t->error_msg, sizeof t->error_msg);
    t->result = rdup(d), t->input = rdup(d);
}

/* One try of task_acquire inside a transaction: 1 leased (out filled), 0 none due, 2 one failed for good
 * (look again), or an error. */
static int task_take(conn *c, const char *owner, int64_t ttl_ms, sr_task *out, sr_err *err)
{
    int64_t now = sr_now_ms();
    args a = {0};
    ai(&a, now);
    PGresult *r = exec(c, ST_TASK_PICK, &a, err);
    if (!r) return c->fail;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return 0;
    }
    char id[SR_ID_LEN];
    rd d = {r, 0, 0};
    rt(&d, id, sizeof id);
    int attempts = (int)ri(&d), max_attempts = (int)ri(&d), n;
    PQclear(r);
    args b = {0};
    if (attempts >= max_attempts) { /* its last lease ran out: no tries left */
        ai(&b, now), at(&b, id);
        return (n = run(c, ST_TASK_CRASH, &b, err)) < 0 ? n : 2;
    }
    at(&b, owner), ai(&b, now + ttl_ms), ai(&b, now), at(&b, id);
    if ((n = run(c, ST_TASK_TAKE, &b, err)) < 0) return n;
    args g = {0};
    at(&g, id);
    return (n = one_rec(c, ST_TASK_GET_IN, &g, fill_task, out, sizeof *out, "taskId", "no such task", err)) ? n : 1;
}

static int pg_task_acquire(sr_store *s, const char *owner, int64_t ttl_ms, sr_task *out, sr_err *err)
{
    CONN(s, err);
    for (;;) {
        int rc = BEGIN(c, err);
        if (rc) return rc;
        int got = task_take(c, owner, ttl_ms, out, err);
        if ((rc = end_tx(c, got < 0 ? got : 0, 0, err))) {
            if (got == 1) sr_task_clear(out);
            return rc;
        }
        if (got != 2) return got;
    }
}

#define TASK_LOST "the lease on the task was lost"

static int pg_task_renew(sr_store *s, const char *id, const char *owner, int64_t ttl_ms, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, id), at(&a, owner), ai(&a, sr_now_ms() + ttl_ms);
    return touched(run(c, ST_TASK_RENEW, &a, err), "taskId", TASK_LOST, err);
}

static int pg_task_finish(sr_store *s, const char *id, const char *owner, int state, const char *node,
                          const char *result, const char *code, const char *msg, sr_err *err)
{
    if (sr_store_check_task_end(state, err)) return SR_EINVALID_FIELD;
    CONN(s, err);
    args a = {0};
    at(&a, id), at(&a, owner), ai(&a, state), at(&a, node ? node : ""), at(&a, result);
    at(&a, code ? code : ""), at(&a, msg ? msg : ""), ai(&a, sr_now_ms());
    return touched(run(c, ST_TASK_FIN, &a, err), "taskId", TASK_LOST, err);
}

static int pg_task_list(sr_store *s, const char *job_id, sr_task **out, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, job_id);
    return rows(c, ST_TASK_LIST, &a, sizeof(sr_task), fill_task, (void **)out, err);
}

static int pg_task_delete(sr_store *s, const char *job_id, sr_err *err)
{
    CONN(s, err);
    args a = {0};
    at(&a, job_id);
    int n = run(c, ST_TASK_DEL, &a, err);
    return n < 0 ? n : 0;
}

/* ---------------------------------------------------------------- wake-ups */

static void nap(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) && errno == EINTR) {}
}

/* Drains c's listener: 1 when a notification had come, 0 none, -1 when the listener broke. */
static int drain(conn *c)
{
    int got = 0;
    if (!PQconsumeInput(c->listen)) return -1;
    for (PGnotify *n; (n = PQnotifies(c->listen));) PQfreemem(n), got = 1;
    return got;
}

/* Waits on this thread's LISTEN connection; without one (the database unreachable) it sleeps, capped like
 * SQLite's polling, and the next call tries again. Notifications that came since the last wait wake at
 * once: work may have appeared after the caller last looked. */
#define PG_FALLBACK_MS 1000
static int pg_wait_work(sr_store *s, int timeout_ms)
{
    int64_t deadline = sr_now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int rc;
    conn *c = get_conn(s, &rc, NULL);
    if (c && !c->listen && (c->listen = connect_db(s, NULL))) {
        PGresult *r = PQexec(c->listen, "LISTEN " CHANNEL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) PQfinish(c->listen), c->listen = NULL;
        PQclear(r);
    }
    if (!c || !c->listen) {
        nap(timeout_ms <= 0 ? 0 : timeout_ms < PG_FALLBACK_MS ? timeout_ms : PG_FALLBACK_MS);
        return 0;
    }
    for (;;) {
        int got = drain(c);
        if (got > 0) return 1;
        int64_t left = deadline - sr_now_ms();
        if (got < 0 || PQstatus(c->listen) != CONNECTION_OK) {
            PQfinish(c->listen), c->listen = NULL;
            nap(left <= 0 ? 0 : left < PG_FALLBACK_MS ? (int)left : PG_FALLBACK_MS);
            return 0;
        }
        if (left <= 0) return 0;
        struct pollfd p = {.fd = PQsocket(c->listen), .events = POLLIN};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR) return 0;
    }
}

static const sr_store_ops pg_ops = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .ping = pg_ping,
    .account_create = pg_account_create,
    .key_create = pg_key_create,
    .key_find = pg_key_find,
    .key_get = pg_key_get,
    .key_list = pg_key_list,
    .key_revoke = pg_key_revoke,
    .account_secret = pg_account_secret,
    .project_create = pg_project_create,
    .project_get = pg_project_get,
    .project_list = pg_project_list,
    .project_update = pg_project_update,
    .project_delete = pg_project_delete,
    .job_create = pg_job_create,
    .job_get = pg_job_get,
    .job_list = pg_job_list,
    .job_cancel = pg_job_cancel,
    .job_stats = pg_job_stats,
    .job_update_result = pg_job_update_result,
    .lease_acquire = pg_lease_acquire,
    .lease_renew = pg_lease_renew,
    .lease_release = pg_lease_release,
    .job_progress = pg_job_progress,
    .job_partial_result = pg_job_partial_result,
    .job_finish = pg_job_finish,
    .upload_create = pg_upload_create,
    .upload_get = pg_upload_get,
    .upload_find_key = pg_upload_find_key,
    .upload_done = pg_upload_done,
    .outbox_claim = pg_outbox_claim,
    .outbox_done = pg_outbox_done,
    .outbox_retry = pg_outbox_retry,
    .outbox_drop = pg_outbox_drop,
    .resource_create = pg_resource_create,
    .resource_get = pg_resource_get,
    .resource_find = pg_resource_find,
    .resource_list = pg_resource_list,
    .resource_update = pg_resource_update,
    .resource_delete = pg_resource_delete,
    .lease_acquire_fair = pg_lease_acquire_fair,
    .outbox_defer = pg_outbox_defer,
    .set_busy_ms = pg_set_busy_ms,
    .integrity = pg_integrity,
    .setting_init = pg_setting_init,
    .node_beat = pg_node_beat,
    .nodes_alive = pg_nodes_alive,
    .task_create = pg_task_create,
    .task_acquire = pg_task_acquire,
    .task_renew = pg_task_renew,
    .task_finish = pg_task_finish,
    .task_list = pg_task_list,
    .task_delete = pg_task_delete,
    .wait_work = pg_wait_work,
};

const sr_store_ops *sr_store_pg(void) { return &pg_ops; }
