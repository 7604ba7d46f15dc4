/* pg_fixture.h - a throwaway PostgreSQL server for tests.
 *
 * The first call starts one cluster for the test process: a temporary
 * folder, initdb and postgres found in PATH or /usr/lib/postgresql/<v>/bin,
 * run as `nobody` when the tests run as root (PostgreSQL refuses root),
 * listening on a free loopback port and a socket in that folder, fsync off.
 * The server is a child of the test process that dies with it
 * (PR_SET_PDEATHSIG: make the first call from the main thread, since the
 * signal follows the thread that started it); at exit it is stopped and its
 * folder removed. Every call then makes a fresh database (CREATE DATABASE)
 * for one test. Thread-safe. */
#ifndef SR_TEST_PG_FIXTURE_H
#define SR_TEST_PG_FIXTURE_H

#include <stddef.h>

/* A fresh database's postgresql:// URI in uri: 0, or -1 when the server
 * cannot start or answer (sr_pg_fixture_error says why, with its log). */
int sr_pg_fixture_db(char *uri, size_t n);
/* Why the last call failed: a sentence and the tail of the server's log. */
const char *sr_pg_fixture_error(void);
/* Runs SQL text (statements without rows) on the database of uri: 0, or -1 (sr_pg_fixture_error). */
int sr_pg_fixture_sql(const char *uri, const char *sql);
/* The first column of the first row of a query, as a number; -1 when it fails. */
long sr_pg_fixture_query_int(const char *uri, const char *sql);
/* Stops the server (a fast shutdown: clients are disconnected) and starts it again on the same port. */
int sr_pg_fixture_restart(void);

#endif
