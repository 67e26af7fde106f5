/* Requests in flight and the draining state. See include/casereel/drain.h. */
#include "casereel/drain.h"

#include <stdatomic.h>
#include <unistd.h>

#include "timers.h"

static atomic_int in_flight;
static atomic_int long_in_flight; /* of them, long streamed answers (exports) */
static atomic_bool draining;
static atomic_bool cut;

void drain_request_begin(void)
{
	atomic_fetch_add(&in_flight, 1);
}

void drain_request_end(void)
{
	atomic_fetch_sub(&in_flight, 1);
}

void drain_long_begin(void)
{
	atomic_fetch_add(&long_in_flight, 1);
}

void drain_long_end(void)
{
	atomic_fetch_sub(&long_in_flight, 1);
}

int drain_in_flight(void)
{
	return atomic_load(&in_flight);
}

void drain_start(void)
{
	atomic_store(&draining, true);
}

bool drain_active(void)
{
	return atomic_load(&draining);
}

void drain_cut(void)
{
	atomic_store(&cut, true);
}

bool drain_was_cut(void)
{
	return atomic_load(&cut);
}

int drain_wait(int timeout_ms, int long_grace_ms)
{
	uint64_t now = timers_mono_us();
	uint64_t deadline = now + (uint64_t)(timeout_ms > 0 ? timeout_ms : 0) * 1000u;
	uint64_t long_deadline = now + (uint64_t)(long_grace_ms > 0 ? long_grace_ms : 0) * 1000u;
	while (atomic_load(&in_flight) > 0 && !atomic_load(&cut) &&
	       (now = timers_mono_us()) < deadline &&
	       (now < long_deadline || atomic_load(&in_flight) > atomic_load(&long_in_flight)))
		usleep(10 * 1000);
	return atomic_load(&in_flight);
}
