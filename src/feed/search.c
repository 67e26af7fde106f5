/* Full-text search over clips with SQLite FTS5. See
 * include/casereel/search.h. */
#include "casereel/search.h"

#include <stdlib.h>
#include <string.h>

#include "casereel/captions_parse.h"
#include "casereel/store.h"
#include "casereel/text.h"
#include "casereel/videos.h"

#define CUE_ROWS 4096 /* cue rowids per clip: 2 languages × CAPTIONS_CUES_MAX fit */
#define TEXT_MAX (4 * CAPTIONS_BYTES_MAX)

/* The code point at *s (valid UTF-8), advancing *s. */
static uint32_t next_cp(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	size_t n = utf8_char_len(*s);
	uint32_t cp = n == 1 ? p[0] : p[0] & (0x7f >> n);
	for (size_t k = 1; k < n; k++)
		cp = cp << 6 | (p[k] & 0x3f);
	*s += n ? n : 1;
	return cp;
}

/* Han, kana and Hangul: written without spaces between words. */
static bool cjk(uint32_t cp)
{
	return (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
	       (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xac00 && cp <= 0xd7af) ||
	       (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x2ffff);
}

/* Appends n bytes when they fit (keeping room for the NUL). */
static void put(char *out, size_t size, size_t *k, const char *s, size_t n)
{
	if (*k + n < size) {
		memcpy(out + *k, s, n);
		*k += n;
	}
}

void search_cjk_bigrams(const char *text, char *out, size_t size)
{
	size_t k = 0;
	bool in_run = false; /* the character before was CJK */
	for (const char *s = text; *s;) {
		const char *at = s;
		if (!cjk(next_cp(&s))) {
			put(out, size, &k, at, (size_t)(s - at));
			in_run = false;
			continue;
		}
		const char *after = s;
		bool next_cjk = *after && cjk(next_cp(&after));
		if (!in_run)
			put(out, size, &k, " ", 1);
		if (next_cjk) /* this character and the next */
			put(out, size, &k, at, (size_t)(after - at));
		else if (!in_run) /* a lone character is its own token */
			put(out, size, &k, at, (size_t)(s - at));
		if (next_cjk || !in_run)
			put(out, size, &k, " ", 1);
		in_run = true;
	}
	out[k] = '\0';
}

/* The live text of a clip to index, each field as one string. */
struct doc {
	char *title, *tags, *description, *captions;
};

static void doc_free(struct doc *d)
{
	free(d->title);
	free(d->tags);
	free(d->description);
	free(d->captions);
}

static char *column_dup(sqlite3_stmt *st, int col)
{
	const char *t = (const char *)sqlite3_column_text(st, col);
	return strdup(t ? t : "");
}

/* Title, description and tags (names, labels) of clip `id`. */
static cr_err load_text(int64_t id, struct doc *d)
{
	sqlite3_stmt *st = store_stmt(
		"SELECT v.title, v.description, (SELECT group_concat(t.name || ' ' || t.label ||"
		" ' ' || coalesce(t.label_zh, ''), ' ') FROM video_tags vt JOIN tags t ON"
		" t.id = vt.tag_id WHERE vt.video_id = v.id) FROM videos v WHERE v.id = ?1");
	if (st)
		sqlite3_bind_int64(st, 1, id);
	cr_err e = store_step_one(st, "clip text");
	if (!e) {
		d->title = column_dup(st, 0);
		d->description = column_dup(st, 1);
		d->tags = column_dup(st, 2);
	}
	store_done(st);
	return e || (d->title && d->description && d->tags) ? e : CR_ENOMEM;
}

/* Writes one row of a pair of tables (trigram: as is; words: bigrams). */
static cr_err write_row(const char *tri_sql, const char *words_sql, int64_t rowid,
			const char *const *cols, int ncols, int64_t extra)
{
	size_t size = 16; /* a bigram per CJK character: at most 3 times the bytes */
	for (int c = 0; c < ncols; c++)
		size += 3 * strlen(cols[c]);
	char *conv = malloc(size);
	cr_err e = conv ? CR_OK : CR_ENOMEM;
	for (int pass = 0; !e && pass < 2; pass++) {
		sqlite3_stmt *st = store_stmt(pass ? words_sql : tri_sql);
		if (!st) {
			e = CR_EDB;
			break;
		}
		sqlite3_bind_int64(st, 1, rowid);
		for (int c = 0; c < ncols; c++) {
			if (pass)
				search_cjk_bigrams(cols[c], conv, size);
			sqlite3_bind_text(st, 2 + c, pass ? conv : cols[c], -1, SQLITE_TRANSIENT);
		}
		if (extra >= 0)
			sqlite3_bind_int64(st, 2 + ncols, extra);
		e = store_run(st, "index clip");
	}
	free(conv);
	return e;
}

static cr_err delete_rows(int64_t id)
{
	static const char *const sql[] = {
		"DELETE FROM search_tri WHERE rowid = ?1",
		"DELETE FROM search_words WHERE rowid = ?1",
		"DELETE FROM search_cue_tri WHERE rowid BETWEEN ?1 * 4096 AND ?1 * 4096 + 4095",
		"DELETE FROM search_cue_words WHERE rowid BETWEEN ?1 * 4096 AND ?1 * 4096 + 4095",
	};
	cr_err e = CR_OK;
	for (size_t i = 0; !e && i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st = store_stmt(sql[i]);
		if (st)
			sqlite3_bind_int64(st, 1, id);
		e = store_run(st, "unindex clip");
	}
	return e;
}

/* Indexes the cues of clip `id` (all languages) and gathers their plain
 * text, one cue a line, into d->captions. */
static cr_err index_cues(int64_t id, struct doc *d)
{
	sqlite3_stmt *st = store_stmt("SELECT vtt FROM video_captions WHERE video_id = ?1"
				      " ORDER BY lang");
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, id);
	size_t size = TEXT_MAX, k = 0;
	char *all = malloc(size), line[CAPTION_TEXT_MAX + 1];
	cr_err e = all ? CR_OK : CR_ENOMEM;
	int64_t row = 0;
	struct captions c[2] = {0};
	int nlang = 0;
	while (!e && nlang < 2 && sqlite3_step(st) == SQLITE_ROW)
		e = captions_parse((const char *)sqlite3_column_text(st, 0),
				   (size_t)sqlite3_column_bytes(st, 0), 0, &c[nlang++], NULL);
	store_done(st);
	for (int l = 0; !e && l < nlang; l++)
		for (size_t i = 0; !e && i < c[l].n && row < CUE_ROWS; i++, row++) {
			captions_plain_text(c[l].cues[i].text, line, sizeof line);
			const char *col[] = {line};
			e = write_row("INSERT INTO search_cue_tri(rowid, text, start_ms)"
				      " VALUES (?1, ?2, ?3)",
				      "INSERT INTO search_cue_words(rowid, text, start_ms)"
				      " VALUES (?1, ?2, ?3)",
				      id * CUE_ROWS + row, col, 1, c[l].cues[i].start_ms);
			put(all, size, &k, line, strlen(line));
			put(all, size, &k, "\n", 1);
		}
	for (int l = 0; l < nlang; l++)
		captions_free(&c[l]);
	if (all)
		all[k] = '\0';
	d->captions = all;
	return e;
}

/* Indexes clip `id`; `fresh`: it has no rows in the index yet (nothing
 * to delete first). */
static cr_err index_clip(int64_t video_id, bool fresh)
{
	struct doc d = {0};
	cr_err e = fresh ? CR_OK : delete_rows(video_id);
	if (!e)
		e = load_text(video_id, &d);
	if (!e)
		e = index_cues(video_id, &d);
	if (!e) {
		const char *cols[] = {d.title, d.tags, d.description, d.captions};
		e = write_row("INSERT INTO search_tri(rowid, title, tags, description, captions)"
			      " VALUES (?1, ?2, ?3, ?4, ?5)",
			      "INSERT INTO search_words(rowid, title, tags, description, captions)"
			      " VALUES (?1, ?2, ?3, ?4, ?5)",
			      video_id, cols, 4, -1);
	}
	doc_free(&d);
	return e;
}

cr_err search_index_video(int64_t video_id)
{
	return index_clip(video_id, false);
}

cr_err search_index_missing(size_t max, int *indexed)
{
	/* a clip's rows are written in one transaction: one missing from
	 * search_words has none anywhere */
	sqlite3_stmt *st = store_stmt("SELECT id FROM videos WHERE id NOT IN"
				      " (SELECT rowid FROM search_words) ORDER BY id LIMIT ?1");
	size_t n = 0, cap = 0;
	int64_t *ids = NULL;
	int rc = SQLITE_DONE;
	*indexed = 0;
	if (!st)
		return CR_EDB;
	sqlite3_bind_int64(st, 1, max ? (sqlite3_int64)max : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			int64_t *grown = realloc(ids, (cap = cap ? 2 * cap : 64) * sizeof *ids);
			if (!grown)
				break;
			ids = grown;
		}
		ids[n++] = sqlite3_column_int64(st, 0);
	}
	store_done(st);
	cr_err e = rc == SQLITE_DONE  ? CR_OK
		   : rc == SQLITE_ROW ? CR_ENOMEM
				      : store_error(rc, "clips to index");
	if (!e && n)
		e = store_begin();
	for (size_t i = 0; !e && n && i < n; i++)
		e = index_clip(ids[i], true);
	if (n)
		e = store_end(e);
	free(ids);
	if (!e)
		*indexed = (int)n;
	return e;
}

/* The FTS5 queries for `q`: every term a phrase, all of them required.
 * `words` gets the bigram form; `tri` is "" when a term is shorter than
 * a trigram. */
struct query {
	char words[1024], tri[1024];
};

static void add_phrase(char *out, size_t size, const char *term)
{
	size_t k = strlen(out);
	put(out, size, &k, k ? " \"" : "\"", k ? 2 : 1);
	for (const char *s = term; *s; s++)
		put(out, size, &k, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
	put(out, size, &k, "\"", 1);
	out[k] = '\0';
}

static cr_err build_query(const char *q, struct query *out, struct cr_problem *why)
{
	char copy[4 * SEARCH_QUERY_MAX + 1], conv[4 * 2 * SEARCH_QUERY_MAX + 1];
	int terms = 0;
	bool tri = true;
	out->words[0] = out->tri[0] = '\0';
	if (!q || !utf8_valid(q) || utf8_length(q) > SEARCH_QUERY_MAX)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "q",
				 "q must be 1 to %d characters of UTF-8", SEARCH_QUERY_MAX);
	snprintf(copy, sizeof copy, "%s", q);
	for (char *save = NULL, *t = strtok_r(copy, " \t\r\n", &save); t;
	     t = strtok_r(NULL, " \t\r\n", &save)) {
		if (++terms > SEARCH_TERMS_MAX)
			return cr_refuse(why, CR_EINVAL, "invalid-field", "q",
					 "q may have at most %d words", SEARCH_TERMS_MAX);
		search_cjk_bigrams(t, conv, sizeof conv);
		add_phrase(out->words, sizeof out->words, conv);
		tri &= utf8_length(t) >= 3;
		add_phrase(out->tri, sizeof out->tri, t);
	}
	if (!terms)
		return cr_refuse(why, CR_EINVAL, "invalid-field", "q",
				 "q must be 1 to %d characters of UTF-8", SEARCH_QUERY_MAX);
	if (!tri)
		out->tri[0] = '\0';
	return CR_OK;
}

/* The start of the first cue of clip `id` matching the query, or -1; only
 * when the clip's title, tags and description do not match it. */
static int64_t cue_start(int64_t id, const struct query *qs)
{
	static const char *const text_sql[] = {
		"SELECT 1 FROM search_words WHERE search_words MATCH"
		" '{title tags description} : (' || ?1 || ')' AND rowid = ?2",
		"SELECT 1 FROM search_tri WHERE search_tri MATCH"
		" '{title tags description} : (' || ?1 || ')' AND rowid = ?2"};
	static const char *const cue_sql[] = {
		"SELECT min(start_ms) FROM search_cue_words WHERE search_cue_words MATCH ?1"
		" AND rowid BETWEEN ?2 * 4096 AND ?2 * 4096 + 4095",
		"SELECT min(start_ms) FROM search_cue_tri WHERE search_cue_tri MATCH ?1"
		" AND rowid BETWEEN ?2 * 4096 AND ?2 * 4096 + 4095"};
	const char *q[] = {qs->words, qs->tri};
	int64_t best = -1;
	for (int i = 0; i < 2 && q[i][0]; i++) {
		sqlite3_stmt *st = store_stmt(text_sql[i]);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, q[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		bool in_text = sqlite3_step(st) == SQLITE_ROW;
		store_done(st);
		if (in_text)
			return -1;
	}
	for (int i = 0; i < 2 && q[i][0]; i++) {
		sqlite3_stmt *st = store_stmt(cue_sql[i]);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, q[i], -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, id);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
			int64_t at = sqlite3_column_int64(st, 0);
			best = best < 0 || at < best ? at : best;
		}
		store_done(st);
	}
	return best;
}

#define HITS_SELECT                                                                                \
	"SELECT h.id, min(h.r) AS r FROM hits h JOIN videos v ON v.id = h.id"                      \
	" WHERE v.status = " VIDEO_SQL_PUBLISHED " GROUP BY h.id ORDER BY r, h.id DESC"            \
	" LIMIT ?3 OFFSET ?4"
#define WORDS_HITS                                                                                 \
	"SELECT rowid AS id, bm25(search_words, 10.0, 5.0, 2.0, 1.0) AS r FROM search_words"       \
	" WHERE search_words MATCH ?1"

cr_err search_query(const char *q, long offset, size_t max, struct search_hit *hits, size_t *n,
		    bool *more, struct cr_problem *why)
{
	struct query qs;
	*n = 0;
	*more = false;
	cr_err e = build_query(q, &qs, why);
	if (e)
		return e;
	/* MATERIALIZED: a CTE flattened into the join leaves bm25() without its
	 * FTS5 query ("unable to use function bm25 in the requested context") */
	sqlite3_stmt *st = store_stmt(
		qs.tri[0] ? "WITH hits(id, r) AS MATERIALIZED (" WORDS_HITS
			    " UNION ALL SELECT rowid,"
			    " bm25(search_tri, 10.0, 5.0, 2.0, 1.0) FROM search_tri"
			    " WHERE search_tri MATCH ?2) " HITS_SELECT
			  : "WITH hits(id, r) AS MATERIALIZED (" WORDS_HITS ") " HITS_SELECT);
	if (!st)
		return CR_EDB;
	bool began = store_read_begin(); /* one snapshot for the hits and their cues */
	sqlite3_bind_text(st, 1, qs.words, -1, SQLITE_STATIC);
	if (qs.tri[0])
		sqlite3_bind_text(st, 2, qs.tri, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)max + 1);
	sqlite3_bind_int64(st, 4, offset);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == max) {
			*more = true;
			break;
		}
		hits[(*n)++].video_id = sqlite3_column_int64(st, 0);
	}
	store_done(st);
	e = rc == SQLITE_DONE || rc == SQLITE_ROW ? CR_OK : store_error(rc, "search");
	for (size_t i = 0; !e && i < *n; i++)
		hits[i].cue_start_ms = cue_start(hits[i].video_id, &qs);
	store_read_end(began);
	return e;
}
