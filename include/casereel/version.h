/* The release this source tree is, reported by /metrics (casereel_build_info).
 * Bumped when a release is cut. */
#ifndef CASEREEL_VERSION_H
#define CASEREEL_VERSION_H

#define CASEREEL_VERSION "0.1.0"

#endif
