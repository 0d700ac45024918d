/*
 * store_enrich.c --- the store's part of enrich: where each field of an
 * error came from (table enrichments), and what was last accounted for of
 * each filesystem's superblock error fields (table error_marks), both
 * added by schema version 3.
 *
 * Writes go through the same redo list as every other write
 * (store_write.c), so they spool and merge like the rest; rows are named
 * (origin, seq, idx), marks by their filesystem's uuid.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

struct enrich_data {
	bool has_event;
	struct e4err_store_ref event;
	size_t n;
	struct e4err_store_enrichment *objs;	/* strings owned */
};

/* ---- private copies ------------------------------------------------------- */

static bool dup_bytes(const char *s, size_t n, const char **out)
{
	char *c;

	*out = NULL;
	if (!s)
		return true;
	c = malloc(n + 1);
	if (!c)
		return false;
	memcpy(c, s, n);
	c[n] = '\0';
	*out = c;
	return true;
}

static void free_obj(struct e4err_store_enrichment *o)
{
	free((char *)o->function);
	free((char *)o->comm);
	free((char *)o->path);
	free((char *)o->message);
	free((char *)o->sources);
}

void store_ext_free(struct store_op *op)
{
	struct enrich_data *d = op->ext.data;
	size_t i;

	if (d && op->kind == OP_ENRICH) {
		for (i = 0; i < d->n; i++)
			free_obj(&d->objs[i]);
		free(d->objs);
	}
	free(d);
	op->ext.data = NULL;
}

static bool dup_obj(const struct e4err_store_enrichment *o,
		    struct e4err_store_enrichment *c)
{
	*c = *o;
	c->function = c->comm = c->path = c->message = c->sources = NULL;
	return dup_bytes(o->function, o->function_len, &c->function) &&
		dup_bytes(o->comm, o->comm_len, &c->comm) &&
		dup_bytes(o->path, o->path_len, &c->path) &&
		dup_bytes(o->message, o->message_len, &c->message) &&
		dup_bytes(o->sources, o->sources ? strlen(o->sources) : 0,
			  &c->sources);
}

/* ---- writing -------------------------------------------------------------- */

static const char insert_enrichment[] =
	"INSERT INTO enrichments (origin, seq, idx, fs_id, event_origin,"
	" event_seq, time_ns, inode, block, function, line, grp, comm, path,"
	" message, kmsg_seq, sources) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
	" ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)";

static const char upsert_mark[] =
	"INSERT INTO error_marks (fs_id, error_count, first_time, last_time,"
	" updated_ns, lost_reports) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	" ON CONFLICT (fs_id) DO UPDATE"
	" SET error_count = excluded.error_count,"
	" first_time = excluded.first_time, last_time = excluded.last_time,"
	" updated_ns = excluded.updated_ns, lost_reports = excluded.lost_reports"
	" WHERE excluded.updated_ns >= error_marks.updated_ns";

static void bind_opt(sqlite3_stmt *s, int i, bool has, uint64_t v)
{
	if (has)
		sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static void bind_bytes(sqlite3_stmt *s, int i, const char *p, size_t n,
		       bool text)
{
	if (!p)
		return;
	if (text)
		sqlite3_bind_text(s, i, p, -1, SQLITE_STATIC);
	else
		sqlite3_bind_blob64(s, i, n ? p : "", n, SQLITE_STATIC);
}

static errcode_t step_done(struct e4err_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	return rc == SQLITE_DONE ? 0 : store_sqlite_error(st, st->cur->db, rc);
}

static errcode_t apply_enrich(struct e4err_store *st, const struct store_op *op,
			      int64_t fs_id)
{
	const struct enrich_data *d = op->ext.data;
	sqlite3_stmt *s = NULL;
	errcode_t err = 0;
	size_t i;
	int rc;

	rc = sqlite3_prepare_v2(st->cur->db, insert_enrichment, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_error(st, st->cur->db, rc);
	for (i = 0; !err && i < d->n; i++) {
		const struct e4err_store_enrichment *o = &d->objs[i];

		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)op->seq);
		sqlite3_bind_int64(s, 3, o->idx);
		sqlite3_bind_int64(s, 4, fs_id);
		bind_opt(s, 5, d->has_event, d->event.origin);
		bind_opt(s, 6, d->has_event, d->event.seq);
		sqlite3_bind_int64(s, 7, (sqlite3_int64)op->time_ns);
		bind_opt(s, 8, o->has_inode, o->inode);
		bind_opt(s, 9, o->has_block, o->block);
		bind_bytes(s, 10, o->function, o->function_len, false);
		bind_opt(s, 11, o->has_line, o->line);
		bind_opt(s, 12, o->has_group, o->group);
		bind_bytes(s, 13, o->comm, o->comm_len, false);
		bind_bytes(s, 14, o->path, o->path_len, false);
		bind_bytes(s, 15, o->message, o->message_len, false);
		bind_opt(s, 16, o->has_kmsg_seq, o->kmsg_seq);
		bind_bytes(s, 17, o->sources ? o->sources : "{}", 0, true);
		err = step_done(st, s);
	}
	sqlite3_finalize(s);
	return err;
}

static errcode_t apply_mark(struct e4err_store *st, const struct store_op *op,
			    int64_t fs_id)
{
	const struct e4err_store_error_mark *m = op->ext.data;
	sqlite3_stmt *s = NULL;
	errcode_t err;
	int rc;

	rc = sqlite3_prepare_v2(st->cur->db, upsert_mark, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_error(st, st->cur->db, rc);
	sqlite3_bind_int64(s, 1, fs_id);
	sqlite3_bind_int64(s, 2, m->error_count);
	bind_opt(s, 3, m->first_time != 0, m->first_time);
	bind_opt(s, 4, m->last_time != 0, m->last_time);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)m->updated_ns);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)m->lost_reports);
	err = step_done(st, s);
	sqlite3_finalize(s);
	return err;
}

errcode_t store_apply_ext(struct e4err_store *st, const struct store_op *op,
			  int64_t fs_id)
{
	return op->kind == OP_ENRICH ? apply_enrich(st, op, fs_id) :
		apply_mark(st, op, fs_id);
}

errcode_t e4err_store_add_enrichment(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_ref *event,
				     const struct e4err_store_enrichment *objs,
				     size_t n, uint64_t time_ns,
				     struct e4err_store_ref *ref)
{
	struct enrich_data *d;
	struct store_op op;
	errcode_t err;
	size_t i;

	if (!n || !objs)
		return EINVAL;
	err = store_start_op(st, OP_ENRICH, fs, time_ns, &op);
	if (err)
		return err;
	op.ext.data = d = calloc(1, sizeof(*d));
	if (d)
		d->objs = calloc(n, sizeof(*d->objs));
	if (!d || !d->objs) {
		store_ext_free(&op);
		return ENOMEM;
	}
	d->has_event = event != NULL;
	if (event)
		d->event = *event;
	for (i = 0; i < n; i++, d->n++)
		if (!dup_obj(&objs[i], &d->objs[i])) {
			d->n++;
			store_ext_free(&op);
			return ENOMEM;
		}
	if (ref) {
		ref->origin = st->origin;
		ref->seq = op.seq;
	}
	return store_run_op(st, &op);
}

errcode_t e4err_store_set_error_mark(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_error_mark *m)
{
	struct store_op op;
	errcode_t err;

	if (!m || !m->known)
		return EINVAL;
	err = store_start_op(st, OP_MARK, fs, m->updated_ns, &op);
	if (err)
		return err;
	op.ext.data = malloc(sizeof(*m));
	if (!op.ext.data)
		return ENOMEM;
	memcpy(op.ext.data, m, sizeof(*m));
	return store_run_op(st, &op);
}

/* ---- reading -------------------------------------------------------------- */

static errcode_t reader(struct e4err_store *st, sqlite3 **db)
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

errcode_t e4err_store_get_error_mark(struct e4err_store *st, const char *uuid,
				     struct e4err_store_error_mark *m)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db;
	errcode_t err;
	int rc;

	memset(m, 0, sizeof(*m));
	err = reader(st, &db);
	if (err)
		return err;
	rc = sqlite3_prepare_v2(db, "SELECT error_count, first_time, last_time,"
				" updated_ns, lost_reports FROM v_error_marks"
				" WHERE fs_uuid = ?1"
				" ORDER BY updated_ns DESC LIMIT 1", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, uuid, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			m->known = true;
			m->error_count = (uint32_t)sqlite3_column_int64(s, 0);
			m->first_time = (uint64_t)sqlite3_column_int64(s, 1);
			m->last_time = (uint64_t)sqlite3_column_int64(s, 2);
			m->updated_ns = (uint64_t)sqlite3_column_int64(s, 3);
			m->lost_reports = (uint64_t)sqlite3_column_int64(s, 4);
		}
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : store_sqlite_error(st, db, rc);
}

static const char query_enrichments[] =
	"SELECT fs_uuid, origin, seq, idx, event_origin, event_seq, time_ns,"
	" inode, block, function, line, grp, comm, path, message, kmsg_seq,"
	" sources FROM v_enrichments"
	" WHERE (?1 IS NULL OR fs_uuid IN (SELECT uuid FROM v_fs WHERE uuid = ?1"
	"  OR device = ?1 OR mountpoint = ?1 OR uuid = ?2 OR device = ?2"
	"  OR mountpoint = ?2))"
	" AND (?3 IS NULL OR inode = ?3) AND (?4 IS NULL OR time_ns >= ?4)"
	" ORDER BY time_ns, origin, seq, idx";

static void col_bytes(sqlite3_stmt *s, int i, const char **p, size_t *n)
{
	*p = sqlite3_column_type(s, i) == SQLITE_NULL ? NULL :
		(const char *)sqlite3_column_blob(s, i);
	*n = *p ? (size_t)sqlite3_column_bytes(s, i) : 0;
	if (!*p && sqlite3_column_type(s, i) != SQLITE_NULL)
		*p = "";
}

static bool col_u64(sqlite3_stmt *s, int i, uint64_t *v)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return false;
	*v = (uint64_t)sqlite3_column_int64(s, i);
	return true;
}

static void row_of(sqlite3_stmt *s, struct e4err_store_enrichment_row *r)
{
	struct e4err_store_enrichment *e = &r->e;
	uint64_t v = 0;

	memset(r, 0, sizeof(*r));
	r->fs_uuid = (const char *)sqlite3_column_text(s, 0);
	r->ref.origin = (uint64_t)sqlite3_column_int64(s, 1);
	r->ref.seq = (uint64_t)sqlite3_column_int64(s, 2);
	e->idx = (uint32_t)sqlite3_column_int64(s, 3);
	r->has_event = col_u64(s, 4, &r->event.origin) &&
		col_u64(s, 5, &r->event.seq);
	r->time_ns = (uint64_t)sqlite3_column_int64(s, 6);
	e->has_inode = col_u64(s, 7, &e->inode);
	e->has_block = col_u64(s, 8, &e->block);
	col_bytes(s, 9, &e->function, &e->function_len);
	e->has_line = col_u64(s, 10, &v);
	e->line = (uint32_t)v;
	v = 0;
	e->has_group = col_u64(s, 11, &v);
	e->group = (uint32_t)v;
	col_bytes(s, 12, &e->comm, &e->comm_len);
	col_bytes(s, 13, &e->path, &e->path_len);
	col_bytes(s, 14, &e->message, &e->message_len);
	e->has_kmsg_seq = col_u64(s, 15, &e->kmsg_seq);
	e->sources = (const char *)sqlite3_column_text(s, 16);
}

errcode_t e4err_store_query_enrichments(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_enrichment_row *row),
	void *arg)
{
	struct e4err_store_enrichment_row row;
	sqlite3_stmt *s = NULL;
	sqlite3 *db;
	errcode_t err;
	int rc, r = 0;

	err = reader(st, &db);
	if (err)
		return err;
	rc = sqlite3_prepare_v2(db, query_enrichments, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return store_sqlite_error(st, db, rc);
	if (f && f->fs)
		sqlite3_bind_text(s, 1, f->fs, -1, SQLITE_STATIC);
	if (f && f->fs_alt)
		sqlite3_bind_text(s, 2, f->fs_alt, -1, SQLITE_STATIC);
	if (f && f->has_inode)
		sqlite3_bind_int64(s, 3, (sqlite3_int64)f->inode);
	if (f && f->has_since)
		sqlite3_bind_int64(s, 4, (sqlite3_int64)f->since_ns);
	while (!r && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		row_of(s, &row);
		r = cb(arg, &row);
	}
	sqlite3_finalize(s);
	if (r)
		return r;
	return rc == SQLITE_DONE ? 0 : store_sqlite_error(st, db, rc);
}
