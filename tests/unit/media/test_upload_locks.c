/* Unit tests for src/media/upload_locks.c: one writer per upload; a writer
 * whose client is still there keeps the lock; one whose client hung up is
 * settled by the next request, at once or as soon as its own code pauses
 * (bytes still on their way to it first), and only for as long as the
 * caller waits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "casereel/upload_locks.h"

static const char id[] = "0123456789abcdef0123456789abcdef";

/* A fake writer: its client is one end of a socket pair. */
struct writer {
	int sock[2]; /* [0]: the server's side, [1]: the client's */
	int busy;    /* try_pause refuses this many more times (-1: always) */
	int pauses, settles;
};

static bool writer_try_pause(void *arg)
{
	struct writer *w = arg;
	if (w->busy) {
		if (w->busy > 0)
			w->busy--;
		return false;
	}
	w->pauses++;
	return true;
}

static void writer_settle(void *arg)
{
	struct writer *w = arg;
	w->settles++;
	uploads_unlock(id);
}

static void writer_open(struct writer *w)
{
	*w = (struct writer){0};
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, w->sock), 0);
}

static bool writer_lock(struct writer *w)
{
	struct upload_holder h = {w->sock[0], writer_try_pause, writer_settle, w};
	return uploads_lock_as(id, &h, 0);
}

static void writer_close(struct writer *w)
{
	close(w->sock[0]);
	if (w->sock[1] >= 0)
		close(w->sock[1]);
}

static long elapsed_ms(const struct timespec *since)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void one_writer_at_a_time(void **state)
{
	(void)state;
	assert_true(uploads_lock(id));
	assert_false(uploads_lock(id));
	assert_true(uploads_lock("another"));
	uploads_unlock(id);
	uploads_unlock(id); /* twice is fine */
	assert_true(uploads_lock(id));
	uploads_unlock(id);
	uploads_unlock("another");
}

static void a_writer_whose_client_is_there_keeps_the_lock(void **state)
{
	(void)state;
	struct writer w;
	writer_open(&w);
	assert_true(writer_lock(&w));
	assert_false(uploads_settle(id, 50));
	assert_false(uploads_lock_as(id, NULL, 50));
	assert_int_equal(w.settles, 0);
	uploads_unlock(id);
	writer_close(&w);
}

static void a_writer_whose_client_hung_up_is_settled_at_once(void **state)
{
	(void)state;
	struct writer w;
	writer_open(&w);
	assert_true(writer_lock(&w));
	assert_int_equal(write(w.sock[1], "unread", 6), 6); /* bytes before the FIN */
	close(w.sock[1]);
	w.sock[1] = -1;
	assert_true(uploads_settle(id, 0));
	assert_int_equal(w.pauses, 1);
	assert_int_equal(w.settles, 1);
	assert_true(uploads_lock(id)); /* free now */
	uploads_unlock(id);
	writer_close(&w);
}

/* The writer's own thread: reads what its client sent, then notices the
 * end and lets go by itself. */
static void *drain_then_let_go(void *arg)
{
	struct writer *w = arg;
	struct timespec pause = {0, 50 * 1000000L};
	nanosleep(&pause, NULL);
	char buf[64];
	while (read(w->sock[0], buf, sizeof buf) > 0)
		;
	uploads_unlock(id);
	return NULL;
}

static void bytes_still_coming_to_the_writer_are_waited_for(void **state)
{
	(void)state;
	struct writer w;
	writer_open(&w);
	assert_true(writer_lock(&w));
	assert_int_equal(write(w.sock[1], "last bytes", 10), 10);
	close(w.sock[1]);
	w.sock[1] = -1;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, drain_then_let_go, &w), 0);
	assert_true(uploads_settle(id, 2000));
	assert_int_equal(w.settles, 0); /* it let go by itself, with every byte */
	assert_true(uploads_lock(id));
	uploads_unlock(id);
	pthread_join(t, NULL);
	writer_close(&w);
}

static void a_busy_writer_is_settled_when_it_pauses(void **state)
{
	(void)state;
	struct writer w;
	writer_open(&w);
	assert_true(writer_lock(&w));
	shutdown(w.sock[1], SHUT_WR);
	w.busy = 3;
	struct writer next;
	writer_open(&next);
	struct upload_holder h = {next.sock[0], writer_try_pause, writer_settle, &next};
	assert_true(uploads_lock_as(id, &h, 2000));
	assert_int_equal(w.settles, 1);
	assert_int_equal(w.busy, 0);
	uploads_unlock(id);
	writer_close(&w);
	writer_close(&next);
}

static void a_writer_that_never_pauses_is_waited_for_only_so_long(void **state)
{
	(void)state;
	struct writer w;
	writer_open(&w);
	assert_true(writer_lock(&w));
	close(w.sock[1]);
	w.sock[1] = -1;
	w.busy = -1;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_false(uploads_lock_as(id, NULL, 100));
	long took = elapsed_ms(&t0);
	assert_true(took >= 90 && took < 1000);
	assert_int_equal(w.settles, 0);
	uploads_unlock(id);
	writer_close(&w);
}

static void a_writer_without_a_client_is_never_gone(void **state)
{
	(void)state;
	struct writer w = {.sock = {-1, -1}};
	struct upload_holder h = {-1, writer_try_pause, writer_settle, &w};
	assert_true(uploads_lock_as(id, &h, 0));
	assert_false(uploads_settle(id, 10));
	assert_false(uploads_lock(id));
	assert_int_equal(w.settles, 0);
	uploads_unlock(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_writer_at_a_time),
		cmocka_unit_test(a_writer_whose_client_is_there_keeps_the_lock),
		cmocka_unit_test(a_writer_whose_client_hung_up_is_settled_at_once),
		cmocka_unit_test(bytes_still_coming_to_the_writer_are_waited_for),
		cmocka_unit_test(a_busy_writer_is_settled_when_it_pauses),
		cmocka_unit_test(a_writer_that_never_pauses_is_waited_for_only_so_long),
		cmocka_unit_test(a_writer_without_a_client_is_never_gone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
