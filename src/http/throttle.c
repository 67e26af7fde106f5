/* Fixed-window attempt counters in a bounded hash table, and the login
 * backoff they feed. See throttle.h. */
#include "casereel/throttle.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 8

struct entry {
	uint64_t key; /* keyed hash of the name; 0 = empty */
	int64_t window_start;
	int count;
};

struct throttle {
	pthread_mutex_t lock;
	unsigned slots;
	unsigned char hash_key[crypto_shorthash_KEYBYTES];
	struct entry entries[];
};

struct throttle *throttle_new(unsigned slots)
{
	struct throttle *t = calloc(1, sizeof *t + slots * sizeof(struct entry));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	t->slots = slots;
	/* a secret key so clients cannot aim collisions at someone's entry */
	crypto_shorthash_keygen(t->hash_key);
	return t;
}

void throttle_free(struct throttle **t)
{
	if (!*t)
		return;
	pthread_mutex_destroy(&(*t)->lock);
	free(*t);
	*t = NULL;
}

static uint64_t key_of(const struct throttle *t, const char *name)
{
	uint64_t h;
	crypto_shorthash((unsigned char *)&h, (const unsigned char *)name, strlen(name),
			 t->hash_key);
	return h ? h : 1;
}

/* The entry for `key`, or NULL. Caller holds the lock. */
static struct entry *find(struct throttle *t, uint64_t key)
{
	for (unsigned p = 0; p < PROBES; p++) {
		struct entry *e = &t->entries[(key + p) % t->slots];
		if (e->key == key)
			return e;
	}
	return NULL;
}

/* A slot for `key`: its own, an empty one, or the stalest of the probes. */
static struct entry *claim(struct throttle *t, uint64_t key)
{
	struct entry *own = find(t, key);
	if (own)
		return own;
	struct entry *victim = NULL;
	for (unsigned p = 0; p < PROBES; p++) {
		struct entry *e = &t->entries[(key + p) % t->slots];
		if (e->key == key || e->key == 0)
			return e;
		if (!victim || e->window_start < victim->window_start)
			victim = e;
	}
	victim->key = 0;
	return victim;
}

int throttle_take(struct throttle *t, const char *name, int64_t now, int window)
{
	uint64_t key = key_of(t, name);
	pthread_mutex_lock(&t->lock);
	struct entry *e = claim(t, key);
	if (e->key != key || now - e->window_start >= window) {
		e->key = key;
		e->window_start = now;
		e->count = 0;
	}
	int count = ++e->count;
	pthread_mutex_unlock(&t->lock);
	return count;
}

void throttle_give_back(struct throttle *t, const char *name, int64_t now, int window)
{
	uint64_t key = key_of(t, name);
	pthread_mutex_lock(&t->lock);
	struct entry *e = find(t, key);
	if (e && now - e->window_start < window && e->count > 0)
		e->count--;
	pthread_mutex_unlock(&t->lock);
}

int throttle_backoff_ms(int count, int free_attempts, int cap_ms)
{
	if (count <= free_attempts)
		return 0;
	int over = count - free_attempts - 1; /* 0 for the first attempt past the limit */
	if (over >= 20)
		return cap_ms;
	long ms = 1000L << over;
	return ms < cap_ms ? (int)ms : cap_ms;
}

void throttle_clear(struct throttle *t, const char *name)
{
	uint64_t key = key_of(t, name);
	pthread_mutex_lock(&t->lock);
	struct entry *e = find(t, key);
	if (e)
		memset(e, 0, sizeof *e);
	pthread_mutex_unlock(&t->lock);
}
