/*
 * store_prune.c --- retention: the database cannot grow without bound.
 *
 * Per filesystem at most max_events_per_fs events are kept.  When there
 * are more, resolved events go first, oldest first, and only then the
 * oldest unresolved ones.  An event is resolved when the newest
 * inspection of its inode says not_confirmed or stale, or when a job
 * outcome that resolves the filesystem's errors came after it.  Resolved
 * events older than max_age_s go too; unresolved ones are only ever
 * removed by the count limit.  What is removed is counted per
 * filesystem (events, error_count sum, first and last time), so totals
 * stay right.  Inspections whose event is gone and that are not the
 * newest of their inode go with it; ended jobs past max_jobs_per_fs or
 * max_age_s go with their updates.  Retention runs on the main database
 * only, never on the spool.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "e4err_err.h"
#include "store_int.h"

static const char prune_setup[] =
	"CREATE TEMP TABLE IF NOT EXISTS prune_fs (fs_id INTEGER PRIMARY KEY,"
	" resolved_ns INTEGER, n INTEGER);"
	"CREATE TEMP TABLE IF NOT EXISTS prune_resolved (fs_id INTEGER,"
	" inode INTEGER, PRIMARY KEY (fs_id, inode)) WITHOUT ROWID;"
	"CREATE TEMP TABLE IF NOT EXISTS prune_live (fs_id INTEGER,"
	" inode INTEGER, PRIMARY KEY (fs_id, inode)) WITHOUT ROWID;"
	"CREATE TEMP TABLE IF NOT EXISTS prune_events (id INTEGER PRIMARY KEY);"
	"CREATE TEMP TABLE IF NOT EXISTS prune_insp (id INTEGER PRIMARY KEY);"
	"CREATE TEMP TABLE IF NOT EXISTS prune_jobs (origin INTEGER, seq INTEGER,"
	" PRIMARY KEY (origin, seq));"
	"DELETE FROM prune_fs; DELETE FROM prune_resolved; DELETE FROM prune_live;"
	"DELETE FROM prune_events; DELETE FROM prune_insp; DELETE FROM prune_jobs;"
	/* Inodes whose newest inspection found nothing (inode NULL as -1). */
	"INSERT INTO prune_resolved (fs_id, inode) SELECT fs_id, ino FROM"
	" (SELECT i.fs_id, coalesce(i.inode, -1) AS ino, i.verdict,"
	"  row_number() OVER (PARTITION BY i.fs_id, i.inode"
	"  ORDER BY i.time_ns DESC, i.id DESC) AS rn FROM inspections i)"
	" WHERE rn = 1 AND verdict IN ('not_confirmed', 'stale');";

/* ?1 max events per filesystem: counting costs a scan, so only with one. */
static const char prune_fs[] =
	"INSERT INTO prune_fs SELECT f.id,"
	" (SELECT max(u.time_ns) FROM jobs j JOIN job_updates u"
	"  ON u.job_origin = j.origin AND u.job_seq = j.seq"
	"  WHERE j.fs_id = f.id AND u.resolves),"
	" CASE WHEN ?1 > 0 THEN (SELECT count(*) FROM events e"
	"  WHERE e.fs_id = f.id) ELSE 0 END FROM filesystems f";

/* 1 when event e (of filesystem p) is resolved; see the file comment. */
#define RESOLVED \
	"((p.resolved_ns IS NOT NULL AND e.time_ns <= p.resolved_ns) OR" \
	" EXISTS (SELECT 1 FROM prune_resolved r WHERE r.fs_id = e.fs_id" \
	"  AND r.inode = coalesce(e.inode, -1)))"

/* ?1 max events per filesystem: the filesystems over it, by how much. */
static const char over_limit[] =
	"SELECT p.fs_id, p.n - ?1, p.resolved_ns IS NOT NULL OR EXISTS"
	" (SELECT 1 FROM prune_resolved r WHERE r.fs_id = p.fs_id)"
	" FROM prune_fs p WHERE p.n > ?1";

/* ?1 filesystem, ?2 how many: resolved events first, oldest first ... */
static const char pick_resolved[] =
	"INSERT OR IGNORE INTO prune_events (id) SELECT e.id FROM events e"
	" JOIN prune_fs p ON p.fs_id = e.fs_id WHERE e.fs_id = ?1 AND " RESOLVED
	" ORDER BY e.time_ns, e.id LIMIT ?2";

/* ... then the oldest of the rest (in index order: no sort). */
static const char pick_oldest[] =
	"INSERT OR IGNORE INTO prune_events (id) SELECT e.id FROM events e"
	" WHERE e.fs_id = ?1 AND e.id NOT IN (SELECT id FROM prune_events)"
	" ORDER BY e.time_ns, e.id LIMIT ?2";

/* ?1 cut-off time */
static const char pick_by_age[] =
	"INSERT OR IGNORE INTO prune_events (id) SELECT e.id FROM events e"
	" JOIN prune_fs p ON p.fs_id = e.fs_id WHERE e.time_ns < ?1 AND " RESOLVED;

static const char count_pruned[] =
	"UPDATE filesystems SET pruned_events = pruned_events + v.n,"
	" pruned_errors = pruned_errors + v.errs,"
	" pruned_first_ns = min(coalesce(pruned_first_ns, v.f), v.f),"
	" pruned_last_ns = max(coalesce(pruned_last_ns, v.l), v.l)"
	" FROM (SELECT e.fs_id, count(*) AS n, sum(coalesce(e.error_count, 1)) AS errs,"
	"  min(e.time_ns) AS f, max(e.time_ns) AS l FROM events e"
	"  JOIN prune_events x ON x.id = e.id GROUP BY e.fs_id) AS v"
	" WHERE filesystems.id = v.fs_id;";

static const char delete_events[] =
	"DELETE FROM events WHERE id IN (SELECT id FROM prune_events)";

/* The enrichment of an event goes with it (store_enrich.c). */
static const char delete_enrichments[] =
	"DELETE FROM enrichments WHERE event_origin IS NOT NULL AND NOT EXISTS"
	" (SELECT 1 FROM events e WHERE e.origin = enrichments.event_origin"
	"  AND e.seq = enrichments.event_seq)";

/* ?1 cut-off time (0: none), ?2 max jobs per filesystem */
static const char pick_rest[] =
	"INSERT INTO prune_live (fs_id, inode) SELECT DISTINCT fs_id,"
	" coalesce(inode, -1) FROM events"
	" WHERE EXISTS (SELECT 1 FROM inspections WHERE time_ns < ?1);"
	"INSERT INTO prune_insp (id) SELECT i.id FROM inspections i"
	" WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.origin = i.event_origin"
	"  AND e.seq = i.event_seq)"
	" AND (EXISTS (SELECT 1 FROM inspections n WHERE n.fs_id = i.fs_id"
	"   AND n.inode IS i.inode AND (n.time_ns > i.time_ns"
	"   OR (n.time_ns = i.time_ns AND n.id > i.id)))"
	"  OR (i.time_ns < ?1 AND NOT EXISTS (SELECT 1 FROM prune_live l"
	"   WHERE l.fs_id = i.fs_id AND l.inode = coalesce(i.inode, -1))));"
	"DELETE FROM findings WHERE inspection_id IN (SELECT id FROM prune_insp);"
	"DELETE FROM inspections WHERE id IN (SELECT id FROM prune_insp);"
	"INSERT INTO prune_jobs (origin, seq) SELECT origin, seq FROM"
	" (SELECT j.origin, j.seq, j.created_ns, row_number() OVER"
	"  (PARTITION BY j.fs_id ORDER BY j.created_ns DESC, j.id DESC) AS rn,"
	"  (SELECT u.final FROM job_updates u WHERE u.job_origin = j.origin"
	"   AND u.job_seq = j.seq ORDER BY u.time_ns DESC, u.id DESC LIMIT 1) AS fin"
	"  FROM jobs j) WHERE fin AND (rn > ?2 OR created_ns < ?1);"
	"DELETE FROM job_updates WHERE id IN (SELECT u.id FROM job_updates u"
	" JOIN prune_jobs p ON p.origin = u.job_origin AND p.seq = u.job_seq);"
	"DELETE FROM jobs WHERE id IN (SELECT j.id FROM jobs j"
	" JOIN prune_jobs p ON p.origin = j.origin AND p.seq = j.seq);";

/* Run every statement of sql with ?1 and ?2 bound (where used). */
static errcode_t run_bound(struct e4err_store *st, const char *sql,
			   int64_t p1, int64_t p2)
{
	sqlite3 *db = st->cur->db;
	const char *tail = sql;
	sqlite3_stmt *s;
	errcode_t err = 0;
	int rc;

	while (!err && tail && *tail) {
		rc = sqlite3_prepare_v2(db, tail, -1, &s, &tail);
		if (rc != SQLITE_OK)
			return store_sqlite_error(st, db, rc);
		if (!s)
			break;
		if (sqlite3_bind_parameter_count(s) >= 1)
			sqlite3_bind_int64(s, 1, p1);
		if (sqlite3_bind_parameter_count(s) >= 2)
			sqlite3_bind_int64(s, 2, p2);
		rc = sqlite3_step(s);
		if (rc != SQLITE_DONE)
			err = store_sqlite_error(st, db, rc);
		sqlite3_finalize(s);
	}
	return err;
}

struct over {
	int64_t fs_id, excess;
	bool any_resolved;
};

/* The filesystems with more than max events; *list is malloc'd. */
static errcode_t filesystems_over(struct e4err_store *st, int64_t max,
				  struct over **list, size_t *n)
{
	sqlite3 *db = st->cur->db;
	struct over *l = NULL, *nl;
	sqlite3_stmt *s;
	size_t cnt = 0;
	errcode_t err = 0;
	int rc;

	*list = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(db, over_limit, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_error(st, db, rc);
	sqlite3_bind_int64(s, 1, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		nl = realloc(l, (cnt + 1) * sizeof(*l));
		if (!nl) {
			err = ENOMEM;
			break;
		}
		l = nl;
		l[cnt].fs_id = sqlite3_column_int64(s, 0);
		l[cnt].excess = sqlite3_column_int64(s, 1);
		l[cnt].any_resolved = sqlite3_column_int(s, 2) != 0;
		cnt++;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_sqlite_error(st, db, rc);
	sqlite3_finalize(s);
	if (err) {
		free(l);
		return err;
	}
	*list = l;
	*n = cnt;
	return 0;
}

/* Choose the events over the per-filesystem limit (see the file comment). */
static errcode_t pick_by_count(struct e4err_store *st, int64_t max)
{
	struct over *l;
	size_t n, i;
	int64_t got;
	errcode_t err;

	err = filesystems_over(st, max, &l, &n);
	for (i = 0; !err && i < n; i++) {
		got = 0;
		if (l[i].any_resolved) {
			err = run_bound(st, pick_resolved, l[i].fs_id, l[i].excess);
			got = sqlite3_changes64(st->cur->db);
		}
		if (!err && got < l[i].excess)
			err = run_bound(st, pick_oldest, l[i].fs_id,
					l[i].excess - got);
	}
	free(l);
	return err;
}

static int64_t limit_or_max(uint64_t v)
{
	return v && v < INT64_MAX ? (int64_t)v : INT64_MAX;
}

static errcode_t prune_txn(struct e4err_store *st, uint64_t now_ns,
			   uint64_t *deleted)
{
	const struct e4err_store_retention *r = &st->opt.retention;
	uint64_t age_ns = r->max_age_s > UINT64_MAX / 1000000000ULL ? 0 :
		r->max_age_s * 1000000000ULL;
	int64_t cutoff = age_ns && age_ns < now_ns ? (int64_t)(now_ns - age_ns) : 0;
	errcode_t err;

	err = store_exec(st, st->cur->db, prune_setup);
	if (!err)
		err = run_bound(st, prune_fs, limit_or_max(r->max_events_per_fs) *
				(r->max_events_per_fs != 0), 0);
	if (!err && r->max_events_per_fs)
		err = pick_by_count(st, limit_or_max(r->max_events_per_fs));
	if (!err && cutoff)
		err = run_bound(st, pick_by_age, cutoff, 0);
	if (!err)
		err = store_exec(st, st->cur->db, count_pruned);
	if (!err)
		err = store_exec(st, st->cur->db, delete_events);
	if (!err)
		*deleted = (uint64_t)sqlite3_changes64(st->cur->db);
	if (!err && *deleted)
		err = store_exec(st, st->cur->db, delete_enrichments);
	if (!err)
		err = run_bound(st, pick_rest, cutoff,
				limit_or_max(r->max_jobs_per_fs));
	return err;
}

errcode_t e4err_store_prune(struct e4err_store *st, uint64_t now_ns,
			    uint64_t *pruned)
{
	uint64_t deleted = 0;
	errcode_t err;

	if (pruned)
		*pruned = 0;
	if (st->reader || st->in_txn)
		return EINVAL;
	if (!st->cur || st->cur->is_spool)
		return 0;
	err = store_exec(st, st->cur->db, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = prune_txn(st, now_ns, &deleted);
	if (!err)
		err = store_exec(st, st->cur->db, "COMMIT");
	if (err) {
		if (!sqlite3_get_autocommit(st->cur->db))
			sqlite3_exec(st->cur->db, "ROLLBACK", NULL, NULL, NULL);
		return err;
	}
	st->since_prune = 0;
	if (pruned)
		*pruned = deleted;
	return 0;
}
