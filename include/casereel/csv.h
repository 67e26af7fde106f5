/* An RFC 4180 CSV reader over a buffer it modifies in place: quoted fields,
 * doubled quotes, CRLF or LF line ends. Fields point into the buffer. */
#ifndef CASEREEL_CSV_H
#define CASEREEL_CSV_H

#include <stddef.h>

struct csv {
	char *p, *end;      /* unread part of the buffer */
	size_t line;        /* 1-based line where the next record starts */
	size_t record_line; /* ... and where the record csv_next read starts */
};

/* Starts reading `buf` of `len` bytes; buf[len] must be a writable NUL.
 * A leading UTF-8 BOM is skipped. */
void csv_init(struct csv *c, char *buf, size_t len);

/* Reads on over the next part of the input, `buf` of `len` bytes, keeping
 * the line count: for input read in pieces, each piece a run of whole
 * records (see csv_records_end). buf[len] must be writable. */
void csv_continue(struct csv *c, char *buf, size_t len);

/* Where the last whole record in buf[0..len) ends, buf starting at a
 * record: the offset just past its line end, 0 when no record ends there.
 * A line end inside quotes does not end a record. */
size_t csv_records_end(const char *buf, size_t len);

/* Reads the next record into fields[0..*n). Returns 1 for a record, 0 at
 * the end of input, -1 on a malformed record (an unclosed quote, text after
 * a closing quote, more than max_fields fields) with `err` saying what.
 * Blank lines are skipped. */
int csv_next(struct csv *c, char **fields, size_t max_fields, size_t *n, char *err, size_t err_len);

#endif
