/* Demo clips through the real pipeline. See include/casereel/seed_media.h.
 * Three steps: make the sources (in parallel), create the videos and their
 * jobs like an upload does (one transaction) and wake the workers, then,
 * as each clip is transcoded, publish it back-dated over the last days and
 * add the agents' watches, likes and comments. */
#include "casereel/seed_media.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "casereel/catalog.h"
#include "demo_clips.h"
#include "demo_progress.h"
#include "casereel/clock.h"
#include "casereel/jobs.h"
#include "casereel/log.h"
#include "casereel/media.h"
#include "casereel/points.h"
#include "casereel/social.h"
#include "casereel/store.h"
#include "casereel/transcode.h"
#include "casereel/user.h"
#include "casereel/videos.h"
#include "casereel/workers.h"
#include "casereel/watch.h"

#define CLIP_SECONDS_DEFAULT 8.0
#define CLIP_SECONDS_MIN     2.0
#define CLIP_AGE_MIN_HOURS   0.1 /* watches must fit between publishing and now */
#define AGENTS_MAX           64
#define REVIEW_MINUTES       40 /* between "uploaded" and "published" */

struct clip {
	json_t *json; /* the seed entry (borrowed from the document) */
	const char *title;
	int64_t owner_id;
	char byline[160];
	double seconds, age_hours;
	char upload_id[33];
	int64_t source_bytes;
	int64_t video_id; /* 0 until created */
	double duration;  /* as transcoded */
	bool settled;     /* published, or failed: nothing more to do */
	bool published;
	cr_err err;
};

struct run {
	const struct cr_config *cfg;
	const atomic_int *stop; /* non-zero: the server is stopping */
	struct clip *clips;
	int n;
	int queued;      /* clips whose video and job exist */
	int settled;     /* ... of them published or given up */
	int ready;       /* ... of them transcoded */
	atomic_int next; /* next clip a source-making thread takes */
	atomic_int made; /* sources made so far */
};

static enum cr_role role_of(const char *role)
{
	return !strcmp(role, "admin")     ? CR_ROLE_ADMIN
	       : !strcmp(role, "trainer") ? CR_ROLE_TRAINER
					  : CR_ROLE_AGENT;
}

/* The user called `username`; CR_ENOTFOUND when there is none. `team` (may
 * be NULL) receives the team's name or "". */
static cr_err find_user(const char *username, struct cr_user *u, char *name, size_t name_len,
			char *team, size_t team_len)
{
	sqlite3_stmt *st =
		store_stmt("SELECT u.id, u.role, COALESCE(u.team_id, 0), u.display_name,"
			   " COALESCE(t.name, '') FROM users u"
			   " LEFT JOIN teams t ON t.id = u.team_id WHERE u.username = ?1");
	if (!st)
		return CR_EDB;
	sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		u->id = sqlite3_column_int64(st, 0);
		u->role = role_of((const char *)sqlite3_column_text(st, 1));
		u->team_id = sqlite3_column_int64(st, 2);
		snprintf(u->username, sizeof u->username, "%s", username);
		if (name)
			snprintf(name, name_len, "%s", (const char *)sqlite3_column_text(st, 3));
		if (team)
			snprintf(team, team_len, "%s", (const char *)sqlite3_column_text(st, 4));
	}
	store_done(st);
	return rc == SQLITE_ROW    ? CR_OK
	       : rc == SQLITE_DONE ? CR_ENOTFOUND
				   : store_error(rc, "seed user");
}

static double number_or(json_t *v, double dflt)
{
	return json_is_number(v) ? json_number_value(v) : dflt;
}

/* Checks seed entry `i` and fills what later steps need. */
static cr_err resolve_clip(json_t *j, int i, struct clip *c)
{
	const char *creator = json_string_value(json_object_get(j, "creator"));
	json_t *tags = json_object_get(j, "tags");
	char name[128] = "", team[128] = "";
	struct cr_problem why = {0};
	struct cr_user u;
	c->json = j;
	c->title = json_string_value(json_object_get(j, "title"));
	bool shaped = json_is_object(j) && c->title && *c->title &&
		      strlen(c->title) <= VIDEO_TITLE_MAX && creator &&
		      (!tags || json_is_array(tags));
	cr_err e = shaped ? CR_OK : CR_EINVAL;
	if (!e)
		e = find_user(creator, &u, name, sizeof name, team, sizeof team);
	if (!e)
		e = videos_check_tags(tags, &why);
	if (e) {
		log_error("seed clip %d: needs a title (<= %d bytes), a known creator and known "
			  "tags %s",
			  i + 1, VIDEO_TITLE_MAX, why.detail);
		return e == CR_ENOTFOUND ? CR_EINVAL : e;
	}
	c->owner_id = u.id;
	snprintf(c->byline, sizeof c->byline, team[0] ? "by %s · %s" : "by %s", name, team);
	c->seconds = fmin(fmax(number_or(json_object_get(j, "seconds"), CLIP_SECONDS_DEFAULT),
			       CLIP_SECONDS_MIN),
			  DEMO_CLIP_SECONDS_MAX);
	c->age_hours = fmax(number_or(json_object_get(j, "age_hours"), 1), CLIP_AGE_MIN_HOURS);
	return CR_OK;
}

/* Step 1: the source file an agent would have uploaded. */
static void make_source(const struct cr_config *cfg, struct clip *c, int index)
{
	char path[PATH_MAX];
	struct cr_problem why = {0};
	bool cjk = demo_clip_needs_cjk(c->title) || demo_clip_needs_cjk(c->byline);
	const char *font = demo_clip_font(cjk), *title = c->title, *byline = c->byline;
	if (!font) { /* no CJK font installed: draw the ASCII stand-ins instead */
		font = demo_clip_font(false);
		const char *slate = json_string_value(json_object_get(c->json, "slate"));
		title = demo_clip_needs_cjk(title) ? (slate ? slate : "") : title;
		byline = demo_clip_needs_cjk(byline) ? NULL : byline;
	}
	media_random_id(c->upload_id);
	struct demo_clip_spec spec = {.path = path,
				      .title = title,
				      .byline = byline,
				      .fontfile = font,
				      .pattern = (unsigned)index,
				      .seconds = c->seconds,
				      .tone_hz = 262 + 41 * (index % 16)};
	struct stat sb;
	c->err = media_upload_path(cfg, c->upload_id, path, sizeof path);
	if (!c->err)
		c->err = demo_clip_make(&spec, &why);
	if (!c->err && stat(path, &sb) != 0)
		c->err = cr_refuse(&why, CR_EIO, NULL, NULL, "cannot stat the source: %s",
				   strerror(errno));
	if (c->err)
		log_error("demo clip %d (%s): %s", index + 1, c->title, why.detail);
	else
		c->source_bytes = (int64_t)sb.st_size;
}

static void *sources_thread(void *arg)
{
	struct run *r = arg;
	for (int i; !atomic_load(r->stop) && (i = atomic_fetch_add(&r->next, 1)) < r->n;) {
		if (r->clips[i].video_id) /* an earlier start made it */
			continue;
		make_source(r->cfg, &r->clips[i], i);
		if (!r->clips[i].err)
			log_info("demo clip source %d/%d made", atomic_fetch_add(&r->made, 1) + 1,
				 r->n - r->queued);
	}
	return NULL;
}

/* Step 2: the video rows and their queued jobs, as an upload creates them,
 * recorded with the plan (demo_progress.h) in the same transaction. */
static cr_err create_videos(struct run *r)
{
	cr_err e = store_begin();
	if (!e)
		e = demo_progress_plan(r->n);
	for (int i = 0; !e && i < r->n; i++) {
		struct clip *c = &r->clips[i];
		char rel[64];
		struct cr_problem why = {0};
		if (c->err || c->video_id)
			continue;
		struct video_new v = {
			.owner_id = c->owner_id,
			.title = c->title,
			.description = json_string_value(json_object_get(c->json, "description")),
			.filename = "demo.mp4",
			.tags = json_object_get(c->json, "tags"),
			.source_rel = rel,
			.source_bytes = c->source_bytes,
		};
		e = media_upload_rel(c->upload_id, rel, sizeof rel);
		if (!e)
			e = videos_create(&v, &c->video_id, &why);
		if (!e)
			e = jobs_enqueue(c->video_id);
		if (!e)
			e = demo_progress_add_clip(i, c->video_id);
		if (e)
			log_error("demo clip %d: %s %s", i + 1, cr_strerror(e), why.detail);
		else
			r->queued++;
	}
	return store_end(e);
}

/* Runs `fn` on up to SEED_MEDIA_THREADS threads (the calling one if none
 * can be started) and waits for all of them. */
static void run_parallel(struct run *r, int jobs, void *(*fn)(void *))
{
	pthread_t t[SEED_MEDIA_THREADS];
	int started = 0;
	for (; started < SEED_MEDIA_THREADS && started < jobs; started++)
		if (pthread_create(&t[started], NULL, fn, r) != 0)
			break;
	if (started == 0)
		fn(r);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
}

/* Step 3a: approved by `reviewer` (as the review API does it, rewards
 * included), then dated as if that happened age_hours ago. */
static cr_err publish(const struct clip *c, int64_t reviewer, int64_t now)
{
	int64_t published = now - (int64_t)(c->age_hours * 3600);
	cr_err e = videos_review(c->video_id, reviewer, true, NULL, 0, NULL);
	if (e)
		return e;
	sqlite3_stmt *st = store_stmt("UPDATE videos SET published_at = ?2, updated_at = ?2,"
				      " created_at = ?3 WHERE id = ?1");
	if (st) {
		sqlite3_bind_int64(st, 1, c->video_id);
		sqlite3_bind_int64(st, 2, published);
		sqlite3_bind_int64(st, 3, published - REVIEW_MINUTES * 60);
	}
	e = store_run(st, "date demo clip");
	if (!e)
		catalog_invalidate(); /* the feed must see the new dates */
	return e;
}

/* One agent's viewing: a start, then playback to the end or part of it, at
 * real playback speed so the watch rules accept it. */
static cr_err watch_once(const struct clip *c, int64_t user_id, bool complete, double share,
			 int64_t start_ms)
{
	struct cr_problem why = {0};
	json_t *state = NULL;
	double pos = complete ? c->duration : c->duration * share;
	cr_err e = watch_apply(c->video_id, user_id, WATCH_START, 0, start_ms, &state, &why);
	json_decref(state);
	state = NULL;
	if (!e)
		e = watch_apply(c->video_id, user_id, complete ? WATCH_END : WATCH_PROGRESS, pos,
				start_ms + (int64_t)(pos * 1000) + 250, &state, &why);
	int64_t earned = 0; /* the learning credit, as the view API pays it (else a restart
			     * would pay it late: points_pay_missing_credits) */
	if (!e && json_is_true(json_object_get(state, "newly_completed")))
		e = points_reward_completion(c->video_id, user_id, &earned);
	json_decref(state);
	if (e)
		log_warn("demo watch on video %lld: %s %s", (long long)c->video_id, cr_strerror(e),
			 why.detail);
	return e;
}

static cr_err set_created(const char *sql, int64_t a, int64_t b, int64_t when)
{
	sqlite3_stmt *st = store_stmt(sql);
	if (st) {
		sqlite3_bind_int64(st, 1, a);
		sqlite3_bind_int64(st, 2, b);
		sqlite3_bind_int64(st, 3, when);
	}
	return store_run(st, "date demo activity");
}

static cr_err add_comments(const struct clip *c, int64_t published, int64_t now)
{
	json_t *list = json_object_get(c->json, "comments");
	size_t i, n = json_array_size(list);
	json_t *entry;
	cr_err e = CR_OK;
	json_array_foreach(list, i, entry)
	{
		const char *by = json_string_value(json_object_get(entry, "by"));
		const char *text = json_string_value(json_object_get(entry, "text"));
		struct cr_user u;
		json_t *out = NULL;
		if (!by || !text || find_user(by, &u, NULL, 0, NULL, 0) != CR_OK) {
			log_warn(
				"demo clip \"%s\": comment %zu needs a known \"by\" and a \"text\"",
				c->title, i + 1);
			continue;
		}
		e = social_add_comment(c->video_id, &u, text, &out);
		if (!e)
			e = set_created("UPDATE comments SET created_at = ?3 WHERE id = ?1 AND ?2 "
					"= video_id",
					json_integer_value(json_object_get(out, "id")), c->video_id,
					published + (now - published) * (int64_t)(i + 1) /
							    (int64_t)(n + 1));
		json_decref(out);
		if (e)
			return e;
	}
	return e;
}

/* Step 3b: watches, likes and comments from the agents (never the creator),
 * spread between publishing and now. "views" agents watch, the first
 * "completion" share of them to the end; the first "likes" of them like it. */
static cr_err add_activity(const struct clip *c, int index, const struct cr_user *agents,
			   int n_agents, int64_t now)
{
	int64_t published = now - (int64_t)(c->age_hours * 3600);
	int views = (int)number_or(json_object_get(c->json, "views"), 0);
	int likes = (int)number_or(json_object_get(c->json, "likes"), 0);
	double finish = number_or(json_object_get(c->json, "completion"), 0.7);
	const struct cr_user *pick[AGENTS_MAX];
	int n = 0;
	for (int k = 0; k < n_agents; k++) {
		const struct cr_user *a = &agents[(index + k) % n_agents];
		if (a->id != c->owner_id)
			pick[n++] = a;
	}
	views = views < n ? views : n;
	likes = likes < n ? likes : n;
	int completes = (int)lround(finish * views);
	int64_t span_ms = (now - published) * 800; /* the first 80% of the clip's life */
	cr_err e = CR_OK;
	for (int k = 0; !e && k < views; k++)
		e = watch_once(c, pick[k]->id, k < completes, 0.3 + 0.1 * (k % 4),
			       published * 1000 + span_ms * (k + 1) / (views + 1));
	for (int k = 0; !e && k < likes; k++) {
		int64_t count = 0;
		e = social_set_like(c->video_id, pick[k]->id, true, &count);
		if (!e)
			e = set_created("UPDATE likes SET created_at = ?3 WHERE video_id = ?1 AND "
					"user_id = ?2",
					c->video_id, pick[k]->id,
					published + (now - published) * (k + 1) / (likes + 1));
	}
	if (!e && likes > 0) /* the creator's like milestones, as the like API pays them */
		e = points_reward_likes(c->video_id);
	return e ? e : add_comments(c, published, now);
}

static int load_agents(struct cr_user *agents, int max)
{
	sqlite3_stmt *st = store_stmt("SELECT id, COALESCE(team_id, 0), username FROM users"
				      " WHERE role = 'agent' AND active ORDER BY id LIMIT ?1");
	int n = 0;
	if (!st)
		return 0;
	sqlite3_bind_int(st, 1, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct cr_user *u = &agents[n++];
		u->id = sqlite3_column_int64(st, 0);
		u->role = CR_ROLE_AGENT;
		u->team_id = sqlite3_column_int64(st, 1);
		snprintf(u->username, sizeof u->username, "%s",
			 (const char *)sqlite3_column_text(st, 2));
	}
	store_done(st);
	return n;
}

static int64_t first_reviewer(void)
{
	sqlite3_stmt *st = store_stmt("SELECT id FROM users WHERE role IN ('trainer', 'admin')"
				      " ORDER BY role = 'trainer' DESC, id LIMIT 1");
	int64_t id = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	store_done(st);
	return id;
}

/* Where a worker left clip `c`: still processing (false), or settled with
 * *ready (pending review, c->duration set) or not (failed, removed, or
 * approved by someone else first). */
static bool clip_settled(struct clip *c, bool *ready)
{
	sqlite3_stmt *st = store_stmt("SELECT status = " VIDEO_SQL_PROCESSING
				      ", status = " VIDEO_SQL_PENDING_REVIEW
				      ", coalesce(duration, 0) FROM videos WHERE id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, c->video_id);
	cr_err e = store_step_one(st, "demo clip state");
	bool settled = e == CR_ENOTFOUND || (!e && !sqlite3_column_int(st, 0));
	*ready = !e && sqlite3_column_int(st, 1);
	if (*ready)
		c->duration = sqlite3_column_double(st, 2);
	store_done(st);
	return settled;
}

/* Publishes, with their activity, the clips the workers have finished
 * since the last call. */
static cr_err publish_settled(struct run *r, const struct cr_user *agents, int n_agents,
			      int64_t reviewer, atomic_int *published)
{
	cr_err first = CR_OK;
	for (int i = 0; i < r->n; i++) {
		struct clip *c = &r->clips[i];
		bool ready = false;
		if (!c->video_id || c->settled || !clip_settled(c, &ready))
			continue;
		c->settled = true;
		r->settled++;
		cr_err e = ready ? publish(c, reviewer, cr_now()) : CR_EIO;
		if (ready)
			log_info("demo clip %d/%d ready (video %lld)", ++r->ready, r->queued,
				 (long long)c->video_id);
		else
			log_error("demo clip %d (video %lld) was not transcoded", i + 1,
				  (long long)c->video_id);
		c->published = ready && !e;
		/* recorded before the activity: a later start never publishes it
		 * again (a stop waits for the activity; only a crash could cut it) */
		if (c->published && !(e = demo_progress_published(i))) {
			atomic_fetch_add(published, 1);
			e = add_activity(c, i, agents, n_agents, cr_now());
		}
		if (e && ready)
			log_error("demo clip %d: cannot publish it or add its activity: %s", i + 1,
				  cr_strerror(e));
		if (!first)
			first = e;
	}
	return first;
}

/* Step 3: the jobs go through the workers like any upload's. This thread
 * lends a hand (claims and runs jobs too, so a server with one worker, or
 * none, still gets its demo soon) and publishes each clip once it is
 * transcoded, so the feed fills while people look. */
static cr_err transcode_and_publish(struct run *r, atomic_int *published)
{
	struct cr_user agents[AGENTS_MAX];
	int n_agents = load_agents(agents, AGENTS_MAX);
	int64_t reviewer = first_reviewer();
	if (!reviewer) {
		log_error("demo clips: the seed has no trainer to approve them");
		return CR_EINVAL;
	}
	cr_err first = CR_OK;
	while (!atomic_load(r->stop) && r->settled < r->queued) {
		struct job job;
		struct tx_result res;
		bool ran = jobs_claim(&job) == CR_OK;
		if (ran)
			workers_run_job(r->cfg, &job, r->stop, &res);
		cr_err e = publish_settled(r, agents, n_agents, reviewer, published);
		if (!first)
			first = e;
		if (!ran) { /* the workers have every job: look again shortly */
			struct timespec nap = {.tv_nsec = 200 * 1000 * 1000};
			nanosleep(&nap, NULL);
		}
	}
	for (int i = 0; !first && i < r->n; i++)
		first = r->clips[i].err;
	return first;
}

/* Takes up what an earlier start recorded: the clips it made wait for
 * their jobs (requeued at start), the ones it published are done. */
static cr_err recall_clips(struct run *r, atomic_int *published)
{
	int64_t *ids = calloc((size_t)r->n, sizeof *ids);
	bool *done = calloc((size_t)r->n, sizeof *done);
	cr_err e = ids && done ? demo_progress_clips(ids, done, r->n) : CR_ENOMEM;
	for (int i = 0; !e && i < r->n; i++) {
		struct clip *c = &r->clips[i];
		if (!ids[i])
			continue;
		c->video_id = ids[i];
		r->queued++;
		if (done[i]) {
			c->settled = c->published = true;
			r->settled++;
			r->ready++;
			atomic_fetch_add(published, 1);
		}
	}
	free(ids);
	free(done);
	return e;
}

/* What an earlier start left: whether to make clips and how many (the plan
 * it recorded wins over `count`); *planned and *published are set for a
 * recorded plan. False when there is nothing to do. */
static bool demo_to_make(int *count, enum demo_stage *stage, atomic_int *planned,
			 atomic_int *published)
{
	int recorded = 0, done = 0;
	if (*count <= 0 || demo_progress_read(stage, &recorded) || *stage == DEMO_FOREIGN)
		return false; /* on a database error, make nothing */
	if (*stage == DEMO_FRESH)
		return true;
	if (recorded != *count)
		log_info("demo: %d clips were planned at its first start; that plan stands",
			 recorded);
	*count = recorded;
	atomic_store(planned, recorded);
	if (*stage == DEMO_DONE && !demo_progress_published_count(&done))
		atomic_store(published, done);
	return *stage == DEMO_RESUME;
}

cr_err seed_media_load(const struct cr_config *cfg, const char *seed_path, int count,
		       const atomic_int *stop, atomic_int *planned, atomic_int *published)
{
	enum demo_stage stage = DEMO_FRESH;
	if (!demo_to_make(&count, &stage, planned, published))
		return CR_OK;
	json_error_t jerr;
	json_t *root = json_load_file(seed_path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		log_error("seed %s: line %d: %s", seed_path, jerr.line, jerr.text);
		return CR_EINVAL;
	}
	json_t *list = json_object_get(root, "clips");
	struct run r = {.cfg = cfg, .stop = stop};
	r.n = (int)json_array_size(list) < count ? (int)json_array_size(list) : count;
	cr_err e = r.n > 0 ? CR_OK : CR_EINVAL;
	if (e)
		log_error("seed %s: no \"clips\" to make", seed_path);
	if (!e && !(r.clips = calloc((size_t)r.n, sizeof *r.clips)))
		e = CR_ENOMEM;
	for (int i = 0; !e && i < r.n; i++)
		e = resolve_clip(json_array_get(list, (size_t)i), i, &r.clips[i]);
	if (!e && stage == DEMO_RESUME) {
		e = recall_clips(&r, published);
		log_info(
			"demo: resuming the demo an earlier start began: %d of %d clips published, "
			"%d waiting for their transcode, %d to make",
			r.settled, r.n, r.queued - r.settled, r.n - r.queued);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!e && r.queued < r.n) {
		log_info("making %d demo clips on %d threads", r.n - r.queued, SEED_MEDIA_THREADS);
		run_parallel(&r, r.n - r.queued, sources_thread);
		e = atomic_load(stop) ? CR_OK : create_videos(&r);
	}
	if (!e && r.queued > r.settled) {
		jobs_wake();
		e = transcode_and_publish(&r, published);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int made = 0;
	for (int i = 0; r.clips && i < r.n; i++)
		made += r.clips[i].published;
	if (r.clips)
		log_info("demo: %d of %d clips published in %.1f s", made, r.n,
			 (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(r.clips);
	json_decref(root);
	return e;
}
