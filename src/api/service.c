/* Placeholder until the service lands (issue 3): the commands exist and say so. */
#include <stdio.h>

#include "api/service.h"

int sr_service_serve_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "INTERNAL_ERROR: the service is not built yet\n");
    return 1;
}

int sr_service_keys_main(int argc, char **argv)
{
    return sr_service_serve_main(argc, argv);
}
