/* Background timers of the HTTP server: held answers (http_hold) and the
 * request-head deadline. Private to src/http/. */
#ifndef CASEREEL_HTTP_TIMERS_H
#define CASEREEL_HTTP_TIMERS_H

#include <stdint.h>

#include "casereel/error.h"

struct hdl_conn;

/* Microseconds on the monotonic clock (durations and deadlines, never
 * dates: those come from cr_now). */
uint64_t timers_mono_us(void);

/* Starts the thread that releases held answers and cuts connections whose
 * request head is late by more than `header_timeout_s`. */
cr_err timers_start(unsigned header_timeout_s);

/* Releases every held answer at once and stops the thread; the server must
 * not hold or watch anything afterwards. */
void timers_stop(void);

/* A new connection on socket `fd`: its first request head is due within
 * the deadline from now. NULL when out of memory (the connection is then
 * not watched). */
struct hdl_conn *timers_watch(int fd);

/* The connection's request head arrived: no deadline until its request
 * ends. */
void timers_head_arrived(struct hdl_conn *c);

/* The connection's request ended: the next head is due within the deadline
 * from now (an idle keep-alive connection is closed then). */
void timers_request_done(struct hdl_conn *c);

/* The connection closed: forgets and frees it. */
void timers_forget(struct hdl_conn **c);

#endif
