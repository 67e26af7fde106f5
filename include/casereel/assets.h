/* Where the server's read-only files are (the demo seed, the web client),
 * so that it starts from any working directory. */
#ifndef CASEREEL_ASSETS_H
#define CASEREEL_ASSETS_H

#include "casereel/config.h"

/* Resolves cfg->seed_path and cfg->web_dir when they are relative and not
 * found from the working directory: tries next to the executable
 * (<dir of the executable>/../<path> and ../../<path>: a checkout's bin/
 * and bin/asan/) and under its install prefix (<dir>/../share/casereel/,
 * where a checkout's build/X is installed as X: build/web, the built web
 * client, is share/casereel/web). A path found nowhere is left as it is,
 * for the caller to report. */
void assets_locate(struct cr_config *cfg);

#endif
