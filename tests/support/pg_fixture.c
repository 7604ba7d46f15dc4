/* pg_fixture.c - a throwaway PostgreSQL server for tests (pg_fixture.h). */
#include "pg_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "fixtures.h"

#define USER "storyreel" /* the cluster's superuser (trust authentication on loopback) */

static struct {
    pthread_mutex_t mu;
    int tried, ok, port, seq;
    char dir[512], bin[512], data[600], log[600];
    uid_t uid;
    gid_t gid;
    pid_t pid;       /* the postmaster, our child */
    pid_t owner_pid; /* the process that started it (a forked child must not stop it) */
    char error[4096];
} pg = {.mu = PTHREAD_MUTEX_INITIALIZER, .uid = (uid_t)-1};

const char *sr_pg_fixture_error(void) { return pg.error; }

/* Sets the error: a sentence, then the tail of the server's log when there is one. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(pg.error, sizeof pg.error, fmt, ap);
    va_end(ap);
    FILE *f = pg.log[0] ? fopen(pg.log, "r") : NULL;
    if (f && n > 0 && (size_t)n < sizeof pg.error - 64) {
        char tail[2048];
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, size > (long)sizeof tail - 1 ? size - (long)sizeof tail + 1 : 0, SEEK_SET);
        size_t got = fread(tail, 1, sizeof tail - 1, f);
        tail[got] = 0;
        snprintf(pg.error + n, sizeof pg.error - (size_t)n, "\n--- PostgreSQL's log:\n%s", tail);
    }
    if (f) fclose(f);
    return -1;
}

/* The folder holding initdb and postgres: PATH first, then the newest /usr/lib/postgresql/<v>/bin. */
static int find_bin(void)
{
    const char *path = getenv("PATH");
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path ? path : "");
    for (char *save = NULL, *d = strtok_r(buf, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/initdb", d);
        snprintf(b, sizeof b, "%s/postgres", d);
        if (!access(a, X_OK) && !access(b, X_OK)) {
            snprintf(pg.bin, sizeof pg.bin, "%s", d);
            return 0;
        }
    }
    glob_t g;
    int best = -1;
    if (glob("/usr/lib/postgresql/*/bin/postgres", 0, NULL, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; i++) {
            int v = atoi(g.gl_pathv[i] + strlen("/usr/lib/postgresql/"));
            if (v > best) {
                best = v;
                snprintf(pg.bin, sizeof pg.bin, "%.*s", (int)(strlen(g.gl_pathv[i]) - strlen("/postgres")),
                         g.gl_pathv[i]);
            }
        }
        globfree(&g);
    }
    return best >= 0 ? 0 : fail("no PostgreSQL server found (initdb and postgres in PATH or "
                                "/usr/lib/postgresql/*/bin; Debian: apt-get install postgresql)");
}

/* Starts bin/prog with argv as the cluster's user, output appended to the log; its pid or -1. argv[0]
 * becomes the full path: PostgreSQL's programs find each other from it (PATH may not hold them). With
 * die_with_us, the child gets SIGQUIT (PostgreSQL's immediate shutdown) when the test process dies. */
static pid_t spawn(const char *prog, char *argv[], int die_with_us)
{
    char exe[700];
    snprintf(exe, sizeof exe, "%s/%s", pg.bin, prog);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0) return pid;
    int fd = open(pg.log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) dup2(fd, 1), dup2(fd, 2), close(fd);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0), close(null);
    for (int i = 3; i < 1024; i++) close(i); /* the test's own sockets and pipes stay the test's */
    if (pg.uid != (uid_t)-1 && (setgroups(0, NULL) || setgid(pg.gid) || setuid(pg.uid))) _exit(126);
    if (chdir(pg.dir)) _exit(126); /* the test's folder may be closed to the cluster's user */
    if (die_with_us) { /* after setuid: changing credentials clears the death signal */
        prctl(PR_SET_PDEATHSIG, SIGQUIT);
        if (getppid() != parent) _exit(1);
    }
    argv[0] = exe;
    execv(exe, argv);
    _exit(127);
}

static int run_wait(const char *prog, char *argv[])
{
    pid_t pid = spawn(prog, argv, 0);
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof a) && !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

static void uri_of(char *out, size_t n, const char *db)
{
    snprintf(out, n, "postgresql://" USER "@127.0.0.1:%d/%s", pg.port, db);
}

static void nap_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Starts the postmaster and waits (30 s at most) until it answers. */
static int start_server(void)
{
    char port[16], sock[600];
    snprintf(port, sizeof port, "%d", pg.port);
    snprintf(sock, sizeof sock, "unix_socket_directories=%s", pg.dir);
    char *argv[] = {"postgres", "-D", pg.data, "-p", port, "-c", "listen_addresses=127.0.0.1", "-c", sock,
                    "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                    "-c", "shared_buffers=16MB", "-c", "max_connections=120", "-c", "log_min_messages=warning",
                    NULL};
    if ((pg.pid = spawn("postgres", argv, 1)) < 0) return fail("cannot start postgres: %s", strerror(errno));
    char uri[200];
    uri_of(uri, sizeof uri, "postgres");
    for (int i = 0; i < 300; i++) {
        if (PQping(uri) == PQPING_OK) return 0;
        int st;
        if (waitpid(pg.pid, &st, WNOHANG) == pg.pid) {
            pg.pid = 0;
            return fail("postgres exited at start (status %d)", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
        nap_ms(100);
    }
    return fail("postgres did not answer on port %d within 30 s", pg.port);
}

static void stop_server(int sig)
{
    if (pg.pid <= 0) return;
    kill(pg.pid, sig);
    for (int i = 0; i < 300 && waitpid(pg.pid, NULL, WNOHANG) != pg.pid; i++) nap_ms(20);
    if (kill(pg.pid, 0) == 0) kill(pg.pid, SIGKILL), waitpid(pg.pid, NULL, 0);
    pg.pid = 0;
}

static void at_exit(void)
{
    if (getpid() != pg.owner_pid) return; /* a forked test child leaves the server alone */
    stop_server(SIGQUIT);
    sr_test_rmdir(pg.dir);
}

static int start_cluster(void)
{
    if (find_bin()) return -1;
    char *tmp = sr_test_tmpdir();
    if (!tmp) return fail("no temporary folder: %s", strerror(errno));
    snprintf(pg.dir, sizeof pg.dir, "%s", tmp);
    free(tmp);
    snprintf(pg.data, sizeof pg.data, "%s/data", pg.dir);
    snprintf(pg.log, sizeof pg.log, "%s/server.log", pg.dir);
    pg.owner_pid = getpid();
    atexit(at_exit);
    if (geteuid() == 0) { /* PostgreSQL refuses to run as root: the cluster belongs to nobody */
        struct passwd *pw = getpwnam("nobody");
        if (!pw) return fail("running as root, and there is no user 'nobody' to run PostgreSQL as");
        pg.uid = pw->pw_uid, pg.gid = pw->pw_gid;
        if (chown(pg.dir, pg.uid, pg.gid) || chmod(pg.dir, 0700))
            return fail("cannot give %s to nobody: %s", pg.dir, strerror(errno));
    }
    char *init[] = {"initdb", "-D", pg.data, "-U", USER, "--auth=trust", "--no-sync", "--no-instructions",
                    "-E", "UTF8", "--locale=C", NULL};
    int st = run_wait("initdb", init);
    if (st) return fail("initdb failed (status %d)", st);
    if ((pg.port = free_port()) < 0) return fail("no free loopback port");
    return start_server();
}

int sr_pg_fixture_sql(const char *uri, const char *sql)
{
    PGconn *c = PQconnectdb(uri);
    int rc = 0;
    if (PQstatus(c) != CONNECTION_OK) rc = fail("cannot connect: %s", PQerrorMessage(c));
    else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) rc = fail("%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return rc;
}

long sr_pg_fixture_query_int(const char *uri, const char *sql)
{
    PGconn *c = PQconnectdb(uri);
    long v = -1;
    if (PQstatus(c) != CONNECTION_OK) fail("cannot connect: %s", PQerrorMessage(c));
    else {
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) v = atol(PQgetvalue(r, 0, 0));
        else fail("%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
    }
    PQfinish(c);
    return v;
}

int sr_pg_fixture_db(char *uri, size_t n)
{
    pthread_mutex_lock(&pg.mu);
    if (!pg.tried) pg.tried = 1, pg.ok = start_cluster() == 0;
    int rc = pg.ok ? 0 : -1;
    char db[64], admin[200], sql[128];
    snprintf(db, sizeof db, "sr_%d_%d", (int)getpid(), ++pg.seq);
    pthread_mutex_unlock(&pg.mu);
    if (rc) return rc;
    uri_of(admin, sizeof admin, "postgres");
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    if (sr_pg_fixture_sql(admin, sql)) return -1;
    uri_of(uri, n, db);
    return 0;
}

int sr_pg_fixture_restart(void)
{
    pthread_mutex_lock(&pg.mu);
    int rc = -1;
    if (pg.ok) {
        stop_server(SIGINT); /* fast shutdown: sessions are ended, like a real restart */
        rc = start_server();
        pg.ok = rc == 0;
    }
    pthread_mutex_unlock(&pg.mu);
    return rc;
}
