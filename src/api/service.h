/* service.h - the storyreel service's entry points for the command line:
 * `storyreel serve` (HTTP API + job queue + render workers) and
 * `storyreel keys` (API key management), `storyreel worker` (a render node). argv excludes the command word. */
#ifndef SR_SERVICE_H
#define SR_SERVICE_H

int sr_service_serve_main(int argc, char **argv);
int sr_service_keys_main(int argc, char **argv);
/* `storyreel worker`: a render node (no HTTP) of a fleet sharing --store and --storage. */
int sr_service_worker_main(int argc, char **argv);

#endif
