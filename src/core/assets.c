/* Finding the demo seed and the web client. See include/casereel/assets.h. */
#include "casereel/assets.h"

#include <libgen.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Replaces `path` (of `size` bytes) by the first of the candidates that
 * exists, when `path` is relative and missing here. */
static void locate(char *path, size_t size, const char *exe_dir)
{
	/* a checkout's bin/ and bin/<variant>/ (bin/asan), an install's bin/ */
	static const struct {
		const char *dir;
		bool installed;
	} under[] = {{"..", false}, {"../..", false}, {"../share/casereel", true}};
	if (path[0] == '/' || access(path, R_OK) == 0 || !exe_dir)
		return;
	/* what a checkout builds into build/X, `make install` puts in share/casereel/X */
	const char *installed = strncmp(path, "build/", 6) ? path : path + 6;
	char candidate[PATH_MAX];
	for (size_t i = 0; i < sizeof under / sizeof under[0]; i++) {
		int n = snprintf(candidate, sizeof candidate, "%s/%s/%s", exe_dir, under[i].dir,
				 under[i].installed ? installed : path);
		if (n > 0 && (size_t)n < size && (size_t)n < sizeof candidate &&
		    access(candidate, R_OK) == 0) {
			memcpy(path, candidate, (size_t)n + 1);
			return;
		}
	}
}

void assets_locate(struct cr_config *cfg)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	const char *dir = NULL;
	if (n > 0) {
		exe[n] = '\0';
		dir = dirname(exe);
	}
	locate(cfg->seed_path, sizeof cfg->seed_path, dir);
	locate(cfg->web_dir, sizeof cfg->web_dir, dir);
}
