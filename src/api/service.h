/* service.h - the storyreel service's entry points for the command line:
 * `storyreel serve` (HTTP API + job queue + render workers) and
 * `storyreel keys` (API key management). argv excludes the command word. */
#ifndef SR_SERVICE_H
#define SR_SERVICE_H

int sr_service_serve_main(int argc, char **argv);
int sr_service_keys_main(int argc, char **argv);

#endif
