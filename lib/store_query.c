/*
 * store_query.c --- reading the store: what `e4errd report` is built on.
 *
 * A reader sees the main database and, when there is one, the spool, as
 * one: temporary views (v_fs, v_events, ...) put both side by side, the
 * spool's rows that the main database already holds (a merge that was
 * interrupted) left out, filesystems named by uuid rather than row id.
 * The queries below only read those views.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "e4err_err.h"
#include "store_int.h"

struct view_def {
	const char *name;
	const char *select;	/* '@' stands for the schema: main or sp */
	const char *dedup;	/* for the spool when the main db is there */
};

static const struct view_def views[] = {
	{ "v_fs",
	  "SELECT uuid, device, mountpoint, kname, fsid, first_seen_ns,"
	  " last_seen_ns, pruned_events, pruned_errors, pruned_first_ns,"
	  " pruned_last_ns FROM @.filesystems", NULL },
	{ "v_events",
	  "SELECT f.uuid AS fs_uuid, e.origin, e.seq, e.abi, e.time_ns, e.mask,"
	  " e.pid, e.error, e.error_count, e.inode, e.inode_placeholder,"
	  " e.generation, e.block, e.function, e.line, e.desc, e.raw, e.warnings"
	  " FROM @.events e JOIN @.filesystems f ON f.id = e.fs_id",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.events m"
	  " WHERE m.origin = e.origin AND m.seq = e.seq)" },
	{ "v_inspections",
	  "SELECT f.uuid AS fs_uuid, i.origin, i.seq, i.event_origin, i.event_seq,"
	  " i.inode, i.time_ns, i.verdict, i.reason, i.truncated"
	  " FROM @.inspections i JOIN @.filesystems f ON f.id = i.fs_id",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.inspections m"
	  " WHERE m.origin = i.origin AND m.seq = i.seq)" },
	{ "v_findings",
	  "SELECT i.origin AS ins_origin, i.seq AS ins_seq, x.idx, x.code,"
	  " x.object, x.message, x.errcode, x.related FROM @.findings x"
	  " JOIN @.inspections i ON i.id = x.inspection_id",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.inspections m"
	  " WHERE m.origin = i.origin AND m.seq = i.seq)" },
	{ "v_jobs",
	  "SELECT f.uuid AS fs_uuid, j.origin, j.seq, j.inode, j.kind, j.reason,"
	  " j.created_ns FROM @.jobs j JOIN @.filesystems f ON f.id = j.fs_id",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.jobs m"
	  " WHERE m.origin = j.origin AND m.seq = j.seq)" },
	{ "v_job_updates",
	  "SELECT u.origin, u.seq, u.job_origin, u.job_seq, u.time_ns, u.state,"
	  " u.exit_status, u.result, u.detail, u.resolves, u.final"
	  " FROM @.job_updates u",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.job_updates m"
	  " WHERE m.origin = u.origin AND m.seq = u.seq)" },
	/* store_enrich.c reads these two. */
	{ "v_enrichments",
	  "SELECT f.uuid AS fs_uuid, x.origin, x.seq, x.idx, x.event_origin,"
	  " x.event_seq, x.time_ns, x.inode, x.block, x.function, x.line, x.grp,"
	  " x.comm, x.path, x.message, x.kmsg_seq, x.sources"
	  " FROM @.enrichments x JOIN @.filesystems f ON f.id = x.fs_id",
	  " WHERE NOT EXISTS (SELECT 1 FROM main.enrichments m"
	  " WHERE m.origin = x.origin AND m.seq = x.seq AND m.idx = x.idx)" },
	{ "v_error_marks",
	  "SELECT f.uuid AS fs_uuid, m.error_count, m.first_time, m.last_time,"
	  " m.updated_ns, m.lost_reports FROM @.error_marks m JOIN @.filesystems f"
	  " ON f.id = m.fs_id", NULL },
};

/* Append src to f with every '@' replaced by schema. */
static void put_schema(FILE *f, const char *src, const char *schema)
{
	for (; *src; src++) {
		if (*src == '@')
			fputs(schema, f);
		else
			fputc(*src, f);
	}
}

static errcode_t make_view(struct e4err_store *st, const struct view_def *v,
			   bool have_main)
{
	char *sql = NULL;
	size_t len = 0;
	errcode_t err;
	FILE *f;

	f = open_memstream(&sql, &len);
	if (!f)
		return ENOMEM;
	fprintf(f, "CREATE TEMP VIEW %s AS ", v->name);
	if (have_main)
		put_schema(f, v->select, "main");
	if (have_main && st->spool_present)
		fputs(" UNION ALL ", f);
	if (st->spool_present) {
		put_schema(f, v->select, "sp");
		if (have_main && v->dedup)
			fputs(v->dedup, f);
	}
	if (fclose(f) || !sql) {
		free(sql);
		return ENOMEM;
	}
	err = store_exec(st, st->rdb, sql);
	free(sql);
	return err;
}

errcode_t store_reader_views(struct e4err_store *st, bool have_main)
{
	errcode_t err = 0;
	size_t i;

	for (i = 0; !err && i < sizeof(views) / sizeof(views[0]); i++)
		err = make_view(st, &views[i], have_main);
	return err;
}

/* The connection to read from: a writer reads through its own reader. */
static errcode_t reader_db(struct e4err_store *st, sqlite3 **db)
{
	errcode_t err;

	if (!st->reader && !st->query) {
		err = e4err_store_open_reader(&st->opt, &st->query);
		if (err)
			return err;
	}
	*db = st->reader ? st->rdb : st->query->rdb;
	return 0;
}

static errcode_t prepare(struct e4err_store *st, const char *sql,
			 sqlite3_stmt **s)
{
	sqlite3 *db;
	errcode_t err;
	int rc;

	err = reader_db(st, &db);
	if (err)
		return err;
	rc = sqlite3_prepare_v2(db, sql, -1, s, NULL);
	return rc == SQLITE_OK ? 0 : store_sqlite_error(st, db, rc);
}

static void bind_opt_u64(sqlite3_stmt *s, int i, bool has, uint64_t v)
{
	if (has)
		sqlite3_bind_int64(s, i, (sqlite3_int64)v);
	else
		sqlite3_bind_null(s, i);
}

static void bind_opt_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static bool col_has(sqlite3_stmt *s, int i)
{
	return sqlite3_column_type(s, i) != SQLITE_NULL;
}

static uint64_t col_u64(sqlite3_stmt *s, int i)
{
	return (uint64_t)sqlite3_column_int64(s, i);
}

static const char *col_text(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

/* A BLOB column as bytes and length (NULL when absent). */
static const char *col_blob(sqlite3_stmt *s, int i, size_t *len)
{
	const char *p;

	if (!col_has(s, i)) {
		*len = 0;
		return NULL;
	}
	p = sqlite3_column_blob(s, i);
	*len = (size_t)sqlite3_column_bytes(s, i);
	return p ? p : "";
}

/*
 * Step s to its end, calling row() for each row; row's non-zero return
 * stops and is returned.  s is finalized.
 */
static errcode_t each_row(struct e4err_store *st, sqlite3_stmt *s,
			  int (*row)(void *ctx, sqlite3_stmt *s), void *ctx)
{
	errcode_t err = 0;
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		err = row(ctx, s);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = store_sqlite_error(st, sqlite3_db_handle(s), rc);
	sqlite3_finalize(s);
	return err;
}

/* ?1 since, ?2 fs, ?3 fs_alt, ?4 inode */
static void bind_filter(sqlite3_stmt *s, const struct e4err_store_filter *f)
{
	static const struct e4err_store_filter none;

	if (!f)
		f = &none;
	sqlite3_bind_int64(s, 1, f->has_since ? (sqlite3_int64)f->since_ns : 0);
	bind_opt_text(s, 2, f->fs);
	bind_opt_text(s, 3, f->fs_alt);
	bind_opt_u64(s, 4, f->has_inode, f->inode);
}

#define FS_MATCH(col) \
	"(?2 IS NULL OR " col " IN (SELECT uuid FROM v_fs WHERE" \
	" lower(uuid) = lower(?2) OR device IN (?2, ?3) OR" \
	" mountpoint IN (?2, ?3) OR kname = ?2))"

static const char fs_sql[] =
	"WITH fsa AS (SELECT uuid, min(first_seen_ns) AS first_seen_ns,"
	"  max(last_seen_ns) AS last_seen_ns, sum(pruned_events) AS pe,"
	"  sum(pruned_errors) AS perr, min(pruned_first_ns) AS pf,"
	"  max(pruned_last_ns) AS pl FROM v_fs WHERE " FS_MATCH("uuid")
	"  GROUP BY uuid),"
	" ev AS (SELECT fs_uuid, count(*) AS n, sum(coalesce(error_count, 1))"
	"  AS errs, min(time_ns) AS f, max(time_ns) AS l FROM v_events"
	"  WHERE time_ns >= ?1 AND (?4 IS NULL OR inode = ?4) GROUP BY fs_uuid),"
	" ins AS (SELECT fs_uuid, count(*) AS n FROM v_inspections"
	"  WHERE time_ns >= ?1 AND (?4 IS NULL OR inode = ?4) GROUP BY fs_uuid),"
	" jb AS (SELECT j.fs_uuid, count(*) AS n FROM v_jobs j"
	"  WHERE j.created_ns >= ?1 OR EXISTS (SELECT 1 FROM v_job_updates u"
	"  WHERE u.job_origin = j.origin AND u.job_seq = j.seq AND u.time_ns >= ?1)"
	"  GROUP BY j.fs_uuid)"
	" SELECT s.uuid,"
	" (SELECT device FROM v_fs r WHERE r.uuid = s.uuid"
	"  ORDER BY r.last_seen_ns DESC LIMIT 1),"
	" (SELECT mountpoint FROM v_fs r WHERE r.uuid = s.uuid"
	"  ORDER BY r.last_seen_ns DESC LIMIT 1),"
	" (SELECT kname FROM v_fs r WHERE r.uuid = s.uuid"
	"  ORDER BY r.last_seen_ns DESC LIMIT 1),"
	" (SELECT fsid FROM v_fs r WHERE r.uuid = s.uuid"
	"  ORDER BY r.last_seen_ns DESC LIMIT 1),"
	" s.first_seen_ns, s.last_seen_ns, coalesce(ev.n, 0),"
	" coalesce(ev.errs, 0), s.pe, s.perr, ev.f, ev.l, s.pf, s.pl"
	" FROM fsa s LEFT JOIN ev ON ev.fs_uuid = s.uuid"
	" LEFT JOIN ins ON ins.fs_uuid = s.uuid LEFT JOIN jb ON jb.fs_uuid = s.uuid"
	" WHERE coalesce(ev.n, 0) > 0 OR coalesce(ins.n, 0) > 0 OR (?4 IS NULL AND"
	"  (coalesce(jb.n, 0) > 0 OR (?1 = 0 AND s.pe > 0)))"
	" ORDER BY max(coalesce(ev.l, 0), iif(?1 = 0, coalesce(s.pl, 0), 0)) DESC,"
	" s.uuid";

struct fs_ctx {
	bool whole;	/* no time filter: pruned events count for first/last */
	int (*cb)(void *arg, const struct e4err_store_fs_summary *fs);
	void *arg;
};

static void first_last(struct e4err_store_fs_summary *fs, sqlite3_stmt *s,
		       bool whole)
{
	int i;

	for (i = 11; i <= (whole ? 13 : 11); i += 2) {
		if (!col_has(s, i))
			continue;
		if (!fs->has_first_error || col_u64(s, i) < fs->first_error_ns)
			fs->first_error_ns = col_u64(s, i);
		if (!fs->has_first_error || col_u64(s, i + 1) > fs->last_error_ns)
			fs->last_error_ns = col_u64(s, i + 1);
		fs->has_first_error = true;
	}
}

static int fs_row(void *ctx, sqlite3_stmt *s)
{
	struct fs_ctx *c = ctx;
	struct e4err_store_fs_summary fs;

	memset(&fs, 0, sizeof(fs));
	fs.uuid = col_text(s, 0);
	fs.device = col_text(s, 1);
	fs.mountpoint = col_text(s, 2);
	fs.kname = col_text(s, 3);
	if (col_has(s, 4)) {
		fs.has_fsid = true;
		fs.fsid[0] = (uint32_t)(col_u64(s, 4) >> 32);
		fs.fsid[1] = (uint32_t)col_u64(s, 4);
	}
	fs.first_seen_ns = col_u64(s, 5);
	fs.last_seen_ns = col_u64(s, 6);
	fs.events = col_u64(s, 7);
	fs.errors = col_u64(s, 8);
	fs.pruned_events = col_u64(s, 9);
	fs.pruned_errors = col_u64(s, 10);
	first_last(&fs, s, c->whole);
	return c->cb(c->arg, &fs);
}

errcode_t e4err_store_query_filesystems(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_fs_summary *fs), void *arg)
{
	struct fs_ctx c = { !f || !f->has_since, cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, fs_sql, &s);
	if (err)
		return err;
	bind_filter(s, f);
	return each_row(st, s, fs_row, &c);
}

/* ?1 uuid, ?2 since, ?3 inode */
#define NEWEST(cols, view) \
	"SELECT * FROM (SELECT " cols ", row_number() OVER (PARTITION BY inode" \
	" ORDER BY time_ns DESC, origin DESC, seq DESC) AS rn FROM " view \
	" WHERE fs_uuid = ?1 AND (?3 IS NULL OR inode = ?3)) WHERE rn = 1"

static const char inodes_sql[] =
	"WITH ev AS (SELECT inode, count(*) AS n, sum(coalesce(error_count, 1))"
	"  AS errs, min(time_ns) AS f, max(time_ns) AS l FROM v_events"
	"  WHERE fs_uuid = ?1 AND time_ns >= ?2 AND (?3 IS NULL OR inode = ?3)"
	"  GROUP BY inode),"
	" ins AS (SELECT DISTINCT inode FROM v_inspections WHERE fs_uuid = ?1"
	"  AND time_ns >= ?2 AND (?3 IS NULL OR inode = ?3)),"
	" k AS (SELECT inode FROM ev UNION SELECT inode FROM ins),"
	" le AS (" NEWEST("inode, generation, error, block, function, line, desc",
			  "v_events") "),"
	" li AS (" NEWEST("inode, origin, seq, time_ns, verdict, reason, truncated",
			  "v_inspections") ")"
	" SELECT k.inode, coalesce(ev.n, 0), coalesce(ev.errs, 0), ev.f, ev.l,"
	" le.generation, le.error, le.block, le.function, le.line, le.desc,"
	" li.origin, li.seq, li.time_ns, li.verdict, li.reason, li.truncated"
	" FROM k LEFT JOIN ev ON ev.inode IS k.inode"
	" LEFT JOIN le ON le.inode IS k.inode LEFT JOIN li ON li.inode IS k.inode"
	" ORDER BY coalesce(ev.l, li.time_ns) DESC, k.inode";

struct inode_ctx {
	int (*cb)(void *arg, const struct e4err_store_inode_summary *in);
	void *arg;
};

static void inode_event(struct e4err_store_inode_summary *in, sqlite3_stmt *s)
{
	in->has_generation = col_has(s, 5);
	in->generation = (uint32_t)col_u64(s, 5);
	in->has_error = col_has(s, 6);
	in->error = (int32_t)sqlite3_column_int64(s, 6);
	in->has_block = col_has(s, 7);
	in->block = col_u64(s, 7);
	in->function = col_blob(s, 8, &in->function_len);
	in->has_line = col_has(s, 9);
	in->line = (int32_t)sqlite3_column_int64(s, 9);
	in->desc = col_blob(s, 10, &in->desc_len);
}

static int inode_row(void *ctx, sqlite3_stmt *s)
{
	struct inode_ctx *c = ctx;
	struct e4err_store_inode_summary in;

	memset(&in, 0, sizeof(in));
	in.has_inode = col_has(s, 0);
	in.inode = col_u64(s, 0);
	in.events = col_u64(s, 1);
	in.errors = col_u64(s, 2);
	in.first_ns = col_u64(s, 3);
	in.last_ns = col_u64(s, 4);
	inode_event(&in, s);
	in.has_inspection = col_has(s, 14);
	if (in.has_inspection) {
		in.inspection.origin = col_u64(s, 11);
		in.inspection.seq = col_u64(s, 12);
		in.inspected_ns = col_u64(s, 13);
		in.verdict = col_text(s, 14);
		in.reason = col_text(s, 15);
		in.truncated = sqlite3_column_int(s, 16) != 0;
	}
	return c->cb(c->arg, &in);
}

errcode_t e4err_store_query_inodes(struct e4err_store *st, const char *uuid,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_inode_summary *in),
	void *arg)
{
	struct inode_ctx c = { cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, inodes_sql, &s);
	if (err)
		return err;
	sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, f && f->has_since ? (sqlite3_int64)f->since_ns : 0);
	bind_opt_u64(s, 3, f && f->has_inode, f ? f->inode : 0);
	return each_row(st, s, inode_row, &c);
}

struct finding_ctx {
	int (*cb)(void *arg, const struct e4err_store_finding *fd);
	void *arg;
};

static int finding_row(void *ctx, sqlite3_stmt *s)
{
	struct finding_ctx *c = ctx;
	struct e4err_store_finding fd;

	fd.code = col_text(s, 0);
	fd.object = col_text(s, 1);
	fd.message = col_text(s, 2);
	fd.errcode_name = col_text(s, 3);
	fd.related = sqlite3_column_int(s, 4) != 0;
	return c->cb(c->arg, &fd);
}

errcode_t e4err_store_query_findings(struct e4err_store *st,
	const struct e4err_store_ref *inspection,
	int (*cb)(void *arg, const struct e4err_store_finding *fd), void *arg)
{
	struct finding_ctx c = { cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, "SELECT code, object, message, errcode, related"
		      " FROM v_findings WHERE ins_origin = ?1 AND ins_seq = ?2"
		      " ORDER BY idx", &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)inspection->origin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)inspection->seq);
	return each_row(st, s, finding_row, &c);
}

#define LATEST_UPDATE \
	"lu AS (SELECT * FROM (SELECT u.*, row_number() OVER (PARTITION BY" \
	" job_origin, job_seq ORDER BY time_ns DESC, origin DESC, seq DESC) AS rn" \
	" FROM v_job_updates u) WHERE rn = 1)"

/* ?1 uuid, ?2 since, ?3 inode */
static const char jobs_sql[] =
	"WITH " LATEST_UPDATE
	" SELECT j.origin, j.seq, j.fs_uuid, j.kind, j.reason, j.inode,"
	" j.created_ns, lu.time_ns, lu.state, lu.exit_status, lu.result,"
	" lu.detail, lu.resolves, lu.final, (SELECT min(r.time_ns)"
	"  FROM v_job_updates r WHERE r.job_origin = j.origin"
	"  AND r.job_seq = j.seq AND r.state = 'running')"
	" FROM v_jobs j LEFT JOIN lu ON lu.job_origin = j.origin"
	"  AND lu.job_seq = j.seq"
	" WHERE (?1 IS NULL OR j.fs_uuid = ?1)"
	" AND (j.created_ns >= ?2 OR lu.time_ns >= ?2)"
	" AND (?3 IS NULL OR j.inode IS NULL OR j.inode = ?3)"
	" ORDER BY coalesce(lu.time_ns, j.created_ns) DESC, j.origin, j.seq";

struct job_ctx {
	int (*cb)(void *arg, const struct e4err_store_job_info *job);
	void *arg;
};

static int job_row(void *ctx, sqlite3_stmt *s)
{
	struct job_ctx *c = ctx;
	struct e4err_store_job_info j;

	memset(&j, 0, sizeof(j));
	j.ref.origin = col_u64(s, 0);
	j.ref.seq = col_u64(s, 1);
	j.fs_uuid = col_text(s, 2);
	j.kind = col_text(s, 3);
	j.reason = col_text(s, 4);
	j.has_inode = col_has(s, 5);
	j.inode = col_u64(s, 5);
	j.created_ns = col_u64(s, 6);
	j.updated_ns = col_has(s, 7) ? col_u64(s, 7) : j.created_ns;
	j.state = col_text(s, 8);
	j.has_exit_status = col_has(s, 9);
	j.exit_status = (int32_t)sqlite3_column_int64(s, 9);
	j.result = col_text(s, 10);
	j.detail = col_text(s, 11);
	j.resolves = sqlite3_column_int(s, 12) != 0;
	j.final = sqlite3_column_int(s, 13) != 0;
	j.has_started = col_has(s, 14);
	j.started_ns = col_u64(s, 14);
	return c->cb(c->arg, &j);
}

errcode_t e4err_store_query_jobs(struct e4err_store *st, const char *uuid,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_job_info *job), void *arg)
{
	struct job_ctx c = { cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, jobs_sql, &s);
	if (err)
		return err;
	bind_opt_text(s, 1, uuid);
	sqlite3_bind_int64(s, 2, f && f->has_since ? (sqlite3_int64)f->since_ns : 0);
	bind_opt_u64(s, 3, f && f->has_inode, f ? f->inode : 0);
	return each_row(st, s, job_row, &c);
}

static const char events_sql[] =
	"SELECT origin, seq, fs_uuid, abi, time_ns, mask, pid, error, error_count,"
	" inode, inode_placeholder, generation, block, function, line, desc, raw,"
	" warnings FROM v_events WHERE time_ns >= ?1 AND " FS_MATCH("fs_uuid")
	" AND (?4 IS NULL OR inode = ?4) ORDER BY time_ns, origin, seq";

struct event_ctx {
	int (*cb)(void *arg, const struct e4err_store_event_row *ev);
	void *arg;
};

static int event_row(void *ctx, sqlite3_stmt *s)
{
	struct event_ctx *c = ctx;
	struct e4err_store_event_row e;

	memset(&e, 0, sizeof(e));
	e.ref.origin = col_u64(s, 0);
	e.ref.seq = col_u64(s, 1);
	e.fs_uuid = col_text(s, 2);
	e.abi = (enum e4err_abi)sqlite3_column_int(s, 3);
	e.time_ns = col_u64(s, 4);
	e.mask = col_u64(s, 5);
	e.pid = (int32_t)sqlite3_column_int64(s, 6);
	e.has_error = col_has(s, 7);
	e.error = (int32_t)sqlite3_column_int64(s, 7);
	e.has_error_count = col_has(s, 8);
	e.error_count = (uint32_t)col_u64(s, 8);
	e.has_inode = col_has(s, 9);
	e.inode = col_u64(s, 9);
	e.inode_is_placeholder = sqlite3_column_int(s, 10) != 0;
	e.has_generation = col_has(s, 11);
	e.generation = (uint32_t)col_u64(s, 11);
	e.has_block = col_has(s, 12);
	e.block = col_u64(s, 12);
	e.function = col_blob(s, 13, &e.function_len);
	e.has_line = col_has(s, 14);
	e.line = (int32_t)sqlite3_column_int64(s, 14);
	e.desc = col_blob(s, 15, &e.desc_len);
	e.raw = col_blob(s, 16, &e.raw_len);
	e.warnings = col_text(s, 17);
	return c->cb(c->arg, &e);
}

errcode_t e4err_store_query_events(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_event_row *ev), void *arg)
{
	struct event_ctx c = { cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, events_sql, &s);
	if (err)
		return err;
	bind_filter(s, f);
	return each_row(st, s, event_row, &c);
}

struct count_ctx {
	int (*cb)(void *arg, const char *name, uint64_t n);
	void *arg;
};

static int count_row(void *ctx, sqlite3_stmt *s)
{
	struct count_ctx *c = ctx;

	return c->cb(c->arg, col_text(s, 0), col_u64(s, 1));
}

static errcode_t count_query(struct e4err_store *st, const char *sql,
	int (*cb)(void *arg, const char *name, uint64_t n), void *arg)
{
	struct count_ctx c = { cb, arg };
	sqlite3_stmt *s;
	errcode_t err;

	err = prepare(st, sql, &s);
	return err ? err : each_row(st, s, count_row, &c);
}

errcode_t e4err_store_count_verdicts(struct e4err_store *st,
	int (*cb)(void *arg, const char *verdict, uint64_t n), void *arg)
{
	return count_query(st, "SELECT verdict, count(*) FROM (SELECT verdict,"
			   " row_number() OVER (PARTITION BY fs_uuid, inode"
			   " ORDER BY time_ns DESC, origin DESC, seq DESC) AS rn"
			   " FROM v_inspections) WHERE rn = 1 GROUP BY verdict"
			   " ORDER BY verdict", cb, arg);
}

errcode_t e4err_store_count_job_states(struct e4err_store *st,
	int (*cb)(void *arg, const char *state, uint64_t n), void *arg)
{
	return count_query(st, "WITH " LATEST_UPDATE " SELECT"
			   " coalesce(lu.state, 'unknown'), count(*) FROM v_jobs j"
			   " LEFT JOIN lu ON lu.job_origin = j.origin"
			   " AND lu.job_seq = j.seq GROUP BY 1 ORDER BY 1", cb, arg);
}
