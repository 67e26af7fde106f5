/* The process's one wall clock: every time-of-day read in the server goes
 * through it, so tests can set or move it (durations may stay monotonic). */
#ifndef CASEREEL_CLOCK_H
#define CASEREEL_CLOCK_H

#include <stdint.h>

/* Seconds since the Unix epoch: the real time plus the test offset (0 in
 * production). Safe from any thread. */
int64_t cr_now(void);

/* The same clock in milliseconds since the Unix epoch. */
int64_t cr_now_ms(void);

/* Tests only: from now on the clock reads `epoch_ms` and runs on at the real
 * rate from there (the offset over the real clock is replaced, atomically, so
 * every thread sees the new time at once). */
void cr_clock_set(int64_t epoch_ms);

/* Tests only: moves the clock by `ms` (negative moves it back). */
void cr_clock_advance(int64_t ms);

/* Tests only: back to the real time (offset 0). */
void cr_clock_reset(void);

/* The current offset over the real clock, in milliseconds. */
int64_t cr_clock_offset_ms(void);

#endif
