/* Per-user write budgets as GCRA token buckets: each (user, kind) keeps one
 * number, the time its bucket will be full again, so a bucket that is full
 * by now carries no information and its slot is free for anyone. See
 * include/casereel/rate_limit.h. */
#include "casereel/rate_limit.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* 64 x 1024 slots: every (user, kind) of a large floor at once. Shards keep
 * threads from queueing on one lock. */
#define SHARDS          64
#define SLOTS_PER_SHARD 1024
#define PROBES          8

struct slot {
	int64_t user_id; /* 0: free */
	int kind;
	int64_t full_at_ms; /* the bucket holds `burst` tokens again from then on */
};

struct shard {
	pthread_mutex_t lock;
	struct slot slots[SLOTS_PER_SHARD];
};

struct rate_limits {
	struct shard shards[SHARDS];
};

struct rate_limits *rate_limits_new(void)
{
	struct rate_limits *rl = calloc(1, sizeof *rl);
	for (size_t i = 0; rl && i < SHARDS; i++)
		pthread_mutex_init(&rl->shards[i].lock, NULL);
	return rl;
}

void rate_limits_free(struct rate_limits **rl)
{
	if (!*rl)
		return;
	for (size_t i = 0; i < SHARDS; i++)
		pthread_mutex_destroy(&(*rl)->shards[i].lock);
	free(*rl);
	*rl = NULL;
}

static uint64_t mix(int64_t user_id, int kind)
{
	uint64_t h = (uint64_t)user_id * CR_RATE_KINDS + (uint64_t)kind;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The slot of (user, kind) in `sh`, or the best one to give it: a free or
 * full-again slot, else the one closest to full (its user loses a little
 * history, never more than the table can hold). */
static struct slot *find_slot(struct shard *sh, uint64_t h, int64_t user_id, int kind,
			      int64_t now_ms)
{
	struct slot *idle = NULL, *busy = NULL;
	for (size_t p = 0; p < PROBES; p++) {
		struct slot *s = &sh->slots[(h + p) % SLOTS_PER_SHARD];
		if (s->user_id == user_id && s->kind == kind)
			return s;
		if (s->user_id == 0 || s->full_at_ms <= now_ms) {
			if (!idle)
				idle = s;
		} else if (!busy || s->full_at_ms < busy->full_at_ms) {
			busy = s;
		}
	}
	struct slot *reuse = idle ? idle : busy;
	reuse->user_id = user_id;
	reuse->kind = kind;
	reuse->full_at_ms = now_ms;
	return reuse;
}

int rate_limits_take(struct rate_limits *rl, int64_t user_id, enum cr_rate_kind kind,
		     struct cr_rate rate, int64_t now_ms)
{
	if (rate.burst <= 0 || rate.per_minute <= 0)
		return 0;
	/* one token every `step` ms; a full bucket is burst tokens ahead */
	int64_t step = 60000 / rate.per_minute;
	if (step < 1)
		step = 1;
	int64_t span = step * rate.burst;
	uint64_t h = mix(user_id, (int)kind);
	struct shard *sh = &rl->shards[h % SHARDS];
	int wait = 0;
	pthread_mutex_lock(&sh->lock);
	struct slot *s = find_slot(sh, h / SHARDS, user_id, (int)kind, now_ms);
	int64_t full_at = s->full_at_ms > now_ms ? s->full_at_ms : now_ms;
	if (full_at + step - now_ms > span) {
		/* the next token comes once full_at is within span of now */
		int64_t ms = full_at + step - span - now_ms;
		wait = (int)((ms + 999) / 1000); /* ms > 0: at least 1 s */
	} else {
		s->full_at_ms = full_at + step;
	}
	pthread_mutex_unlock(&sh->lock);
	return wait;
}
