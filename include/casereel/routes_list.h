/* `casereel routes`: the route table as the server registers it, one route
 * a line, so tests can hold it against docs/openapi.yaml. */
#ifndef CASEREEL_ROUTES_LIST_H
#define CASEREEL_ROUTES_LIST_H

#include <stdio.h>

/* Registers every route as `serve` would without test hooks (nothing is
 * opened or started) and prints "METHOD PATTERN ROLE BODY" for each to
 * `out`, ROLE being none, agent, trainer or admin and BODY none, json, csv
 * or stream. Returns the process exit status: 0, or 1 when registration
 * failed. */
int routes_list_print(FILE *out);

#endif
