/* The wall clock with a test offset. See include/casereel/clock.h. */
#include "casereel/clock.h"

#include <stdatomic.h>
#include <time.h>

/* One offset for the whole process, read and written atomically: a moved
 * clock is seen by every thread at once, and never half-updated. */
static _Atomic int64_t offset_ms;

static int64_t real_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cr_now_ms(void)
{
	return real_ms() + atomic_load(&offset_ms);
}

int64_t cr_now(void)
{
	int64_t ms = cr_now_ms();
	/* floor, as time() does, also for (test) times before 1970 */
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

void cr_clock_set(int64_t epoch_ms)
{
	atomic_store(&offset_ms, epoch_ms - real_ms());
}

void cr_clock_advance(int64_t ms)
{
	atomic_fetch_add(&offset_ms, ms);
}

void cr_clock_reset(void)
{
	atomic_store(&offset_ms, 0);
}

int64_t cr_clock_offset_ms(void)
{
	return atomic_load(&offset_ms);
}
