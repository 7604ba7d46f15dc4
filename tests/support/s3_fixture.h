/* s3_fixture.h - a real S3-protocol server for tests: s3rver (npm, in
 * node_modules/) on a free loopback port over a temporary folder, with one
 * bucket made at its start. Started once per test process, on the first
 * call; it dies with the process (PR_SET_PDEATHSIG, and an atexit stop).
 * s3rver accepts the access key S3RVER (secret S3RVER): it checks that the
 * key exists and that presigned URLs have not expired, but it does not
 * recompute V4 signatures (tests/test_sigv4.c checks those on AWS's vectors). */
#ifndef SR_TEST_S3_FIXTURE_H
#define SR_TEST_S3_FIXTURE_H

#include <stddef.h>

/* Starts the server when it is not running and fills uri with an s3:// URI
 * for a fresh prefix of the bucket ("s3://BUCKET/PREFIX?endpoint=http://
 * 127.0.0.1:PORT&region=us-east-1"); sets AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY to what s3rver accepts. Returns 0; a server that
 * cannot start FAILS the calling test (cmocka) with its output. */
int sr_s3_fixture_start(char *uri, size_t n);
/* After a start: the server's endpoint ("http://127.0.0.1:PORT"), its port
 * and the bucket's name. */
const char *sr_s3_fixture_endpoint(void);
int sr_s3_fixture_port(void);
const char *sr_s3_fixture_bucket(void);
/* Stops the server and removes its folder (also done at exit). */
void sr_s3_fixture_stop(void);

#endif
