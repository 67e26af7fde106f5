/* casereel(1): the manual page, written in roff from the same settings
 * table that --help prints, so the two never disagree. */
#ifndef CASEREEL_MANPAGE_H
#define CASEREEL_MANPAGE_H

/* Writes the manual page to `out` (a FILE *; `casereel man`, which the
 * build runs to make build/casereel.1). Returns 0, or 1 when writing
 * failed. */
int manpage_write(void *out);

#endif
