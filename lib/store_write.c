/*
 * store_write.c --- recording events, inspections and jobs.
 *
 * Every write is kept, with private copies of its data, until its
 * transaction commits: if the state directory fails in the middle (the
 * filesystem it sits on goes read-only, fills up, returns I/O errors) or
 * the database turns out corrupt, store.c moves to the spool or a fresh
 * database and redoes the whole transaction there, so a commit that
 * returns 0 always means "recorded".  Each record is named (origin, seq)
 * from this handle, the same wherever it lands.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode.h"
#include "e4err_err.h"
#include "store_int.h"

static const char *const stmt_sql[STMT_MAX] = {
	[STMT_FS_UPSERT] =
		"INSERT INTO filesystems (uuid, device, mountpoint, kname, fsid,"
		" first_seen_ns, last_seen_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)"
		" ON CONFLICT (uuid) DO UPDATE SET"
		" device = coalesce(excluded.device, device),"
		" mountpoint = coalesce(excluded.mountpoint, mountpoint),"
		" kname = coalesce(excluded.kname, kname),"
		" fsid = coalesce(excluded.fsid, fsid),"
		" first_seen_ns = min(first_seen_ns, excluded.first_seen_ns),"
		" last_seen_ns = max(last_seen_ns, excluded.last_seen_ns)"
		" RETURNING id",
	[STMT_ORIGIN] =
		"INSERT OR IGNORE INTO origins (origin, boot_id, pid, started_ns,"
		" software) VALUES (?1, ?2, ?3, ?4, ?5)",
	[STMT_EVENT] =
		"INSERT INTO events (origin, seq, fs_id, abi, time_ns, mask, pid,"
		" error, error_count, inode, inode_placeholder, generation, block,"
		" function, line, desc, raw, warnings) VALUES (?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
	[STMT_INSPECTION] =
		"INSERT INTO inspections (origin, seq, fs_id, event_origin, event_seq,"
		" inode, time_ns, verdict, reason, truncated)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[STMT_FINDING] =
		"INSERT INTO findings (inspection_id, idx, code, object, message,"
		" errcode, related) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_JOB] =
		"INSERT INTO jobs (origin, seq, fs_id, inode, kind, reason, created_ns)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[STMT_JOB_UPDATE] =
		"INSERT INTO job_updates (origin, seq, job_origin, job_seq, time_ns,"
		" state, exit_status, result, detail, resolves, final)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

void store_db_finalize(struct store_db *d)
{
	int i;

	for (i = 0; i < STMT_MAX; i++) {
		sqlite3_finalize(d->stmt[i]);
		d->stmt[i] = NULL;
	}
}

/* The statement, prepared on first use and reset for new bindings. */
static errcode_t stmt_get(struct e4err_store *st, enum store_stmt which,
			  sqlite3_stmt **s)
{
	struct store_db *d = st->cur;
	int rc;

	if (!d->stmt[which]) {
		rc = sqlite3_prepare_v3(d->db, stmt_sql[which], -1,
					SQLITE_PREPARE_PERSISTENT, &d->stmt[which],
					NULL);
		if (rc != SQLITE_OK)
			return store_sqlite_error(st, d->db, rc);
	}
	*s = d->stmt[which];
	sqlite3_reset(*s);
	sqlite3_clear_bindings(*s);
	return 0;
}

/* Step a bound insert to its end. */
static errcode_t stmt_done(struct e4err_store *st, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	errcode_t err = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		err = store_sqlite_error(st, st->cur->db, rc);
	sqlite3_reset(s);
	return err;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
}

static void bind_blob(sqlite3_stmt *s, int i, const void *p, size_t n)
{
	if (p)
		sqlite3_bind_blob64(s, i, n ? p : "", n, SQLITE_STATIC);
}

static void bind_u64(sqlite3_stmt *s, int i, bool has, uint64_t v)
{
	if (has)
		sqlite3_bind_int64(s, i, (sqlite3_int64)v);
}

static errcode_t write_origin(struct e4err_store *st)
{
	char boot_id[64] = "";
	sqlite3_stmt *s;
	errcode_t err;
	ssize_t n;
	int fd;

	if (st->origin_gen == st->db_gen)
		return 0;
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, boot_id, sizeof(boot_id) - 1);
		boot_id[n > 0 ? n : 0] = 0;
		boot_id[strcspn(boot_id, "\n")] = 0;
		close(fd);
	}
	err = stmt_get(st, STMT_ORIGIN, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
	bind_text(s, 2, boot_id[0] ? boot_id : NULL);
	sqlite3_bind_int64(s, 3, getpid());
	sqlite3_bind_int64(s, 4, (sqlite3_int64)store_now_ns());
	bind_text(s, 5, PACKAGE_VERSION);
	err = stmt_done(st, s);
	if (!err)
		st->origin_gen = st->db_gen;
	return err;
}

/*
 * The row id of filesystem idx in the current database, written (or its
 * last_seen moved) once per transaction.
 */
static errcode_t fs_row(struct e4err_store *st, size_t idx, uint64_t time_ns,
			int64_t *id)
{
	struct store_fs *f = &st->fs[idx];
	sqlite3_stmt *s;
	errcode_t err;
	int rc;

	if (f->row_gen == st->db_gen && f->row_txn == st->txn_count) {
		*id = f->row_id;
		return 0;
	}
	err = stmt_get(st, STMT_FS_UPSERT, &s);
	if (err)
		return err;
	bind_text(s, 1, f->fs.uuid);
	bind_text(s, 2, f->fs.device);
	bind_text(s, 3, f->fs.mountpoint);
	bind_text(s, 4, f->fs.kname);
	bind_u64(s, 5, f->fs.has_fsid,
		 (uint64_t)f->fs.fsid[0] << 32 | f->fs.fsid[1]);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)time_ns);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(s);
		return store_sqlite_error(st, st->cur->db, rc);
	}
	f->row_id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	f->row_gen = st->db_gen;
	f->row_txn = st->txn_count;
	*id = f->row_id;
	return 0;
}

static errcode_t apply_event(struct e4err_store *st, const struct store_op *op,
			     int64_t fs_id)
{
	const struct e4err_event *ev = op->event.ev;
	sqlite3_stmt *s;
	errcode_t err;

	err = stmt_get(st, STMT_EVENT, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)op->seq);
	sqlite3_bind_int64(s, 3, fs_id);
	sqlite3_bind_int(s, 4, ev->abi);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)op->time_ns);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)ev->mask);
	sqlite3_bind_int(s, 7, ev->pid);
	bind_u64(s, 8, ev->has_error, (uint64_t)(int64_t)ev->error);
	bind_u64(s, 9, ev->has_error_count, ev->error_count);
	bind_u64(s, 10, ev->has_inode, ev->inode);
	sqlite3_bind_int(s, 11, ev->inode_is_placeholder);
	bind_u64(s, 12, ev->has_generation, ev->generation);
	bind_u64(s, 13, ev->has_block, ev->block);
	if (ev->has_function)
		bind_blob(s, 14, ev->function, strnlen(ev->function,
							sizeof(ev->function)));
	bind_u64(s, 15, ev->has_line, (uint64_t)(int64_t)ev->line);
	if (ev->has_desc)
		bind_blob(s, 16, ev->desc, ev->desc_len < sizeof(ev->desc) ?
			  ev->desc_len : sizeof(ev->desc) - 1);
	bind_blob(s, 17, op->event.raw, op->event.raw_len);
	bind_text(s, 18, op->event.warnings);
	return stmt_done(st, s);
}

static errcode_t apply_findings(struct e4err_store *st,
				const struct e4err_store_inspection *in,
				int64_t insp_id)
{
	sqlite3_stmt *s;
	errcode_t err = 0;
	size_t i;

	for (i = 0; !err && i < in->nfindings; i++) {
		const struct e4err_store_finding *fd = &in->findings[i];

		err = stmt_get(st, STMT_FINDING, &s);
		if (err)
			break;
		sqlite3_bind_int64(s, 1, insp_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, fd->code);
		bind_text(s, 4, fd->object);
		bind_text(s, 5, fd->message);
		bind_text(s, 6, fd->errcode_name);
		sqlite3_bind_int(s, 7, fd->related);
		err = stmt_done(st, s);
	}
	return err;
}

static errcode_t apply_inspection(struct e4err_store *st,
				  const struct store_op *op, int64_t fs_id)
{
	const struct e4err_store_inspection *in = &op->insp.in;
	sqlite3_stmt *s;
	errcode_t err;

	err = stmt_get(st, STMT_INSPECTION, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)op->seq);
	sqlite3_bind_int64(s, 3, fs_id);
	bind_u64(s, 4, in->has_event, in->event.origin);
	bind_u64(s, 5, in->has_event, in->event.seq);
	bind_u64(s, 6, in->has_inode, in->inode);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)op->time_ns);
	bind_text(s, 8, in->verdict);
	bind_text(s, 9, in->reason);
	sqlite3_bind_int(s, 10, in->truncated);
	err = stmt_done(st, s);
	if (!err)
		err = apply_findings(st, in, sqlite3_last_insert_rowid(st->cur->db));
	return err;
}

static errcode_t apply_update(struct e4err_store *st, uint64_t seq,
			      const struct e4err_store_ref *job,
			      const struct e4err_store_job_update *u)
{
	sqlite3_stmt *s;
	errcode_t err;

	err = stmt_get(st, STMT_JOB_UPDATE, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)job->origin);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)job->seq);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)u->time_ns);
	bind_text(s, 6, u->state);
	bind_u64(s, 7, u->has_exit_status, (uint64_t)(int64_t)u->exit_status);
	bind_text(s, 8, u->result);
	bind_text(s, 9, u->detail);
	sqlite3_bind_int(s, 10, u->resolves);
	sqlite3_bind_int(s, 11, u->final);
	return stmt_done(st, s);
}

static errcode_t apply_job(struct e4err_store *st, const struct store_op *op,
			   int64_t fs_id)
{
	struct e4err_store_ref ref = { st->origin, op->seq };
	sqlite3_stmt *s;
	errcode_t err;

	err = stmt_get(st, STMT_JOB, &s);
	if (err)
		return err;
	sqlite3_bind_int64(s, 1, (sqlite3_int64)st->origin);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)op->seq);
	sqlite3_bind_int64(s, 3, fs_id);
	bind_u64(s, 4, op->job.has_inode, op->job.inode);
	bind_text(s, 5, op->job.kind);
	bind_text(s, 6, op->job.reason);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)op->time_ns);
	err = stmt_done(st, s);
	if (!err)
		err = apply_update(st, op->seq + 1, &ref, &op->job.first);
	return err;
}

/* Write one op into st->cur, inside the open transaction. */
errcode_t store_apply_op(struct e4err_store *st, const struct store_op *op)
{
	int64_t fs_id = 0;
	errcode_t err;

	err = write_origin(st);
	if (!err && op->kind != OP_JOB_UPDATE)
		err = fs_row(st, op->fs, op->time_ns, &fs_id);
	if (err)
		return err;
	switch (op->kind) {
	case OP_NOTE_FS:
		return 0;
	case OP_EVENT:
		return apply_event(st, op, fs_id);
	case OP_INSPECTION:
		return apply_inspection(st, op, fs_id);
	case OP_JOB:
		return apply_job(st, op, fs_id);
	case OP_JOB_UPDATE:
		return apply_update(st, op->seq, &op->upd.job, &op->upd.u);
	case OP_ENRICH:
	case OP_MARK:
		return store_apply_ext(st, op, fs_id);
	}
	return EINVAL;
}

/* ---- Private copies of what the caller handed us ---- */

static bool dup_str(const char *s, const char **out)
{
	*out = NULL;
	if (!s)
		return true;
	*out = strdup(s);
	return *out != NULL;
}

static void free_update(struct e4err_store_job_update *u)
{
	free((char *)u->state);
	free((char *)u->result);
	free((char *)u->detail);
}

static bool dup_update(const struct e4err_store_job_update *u,
		       struct e4err_store_job_update *c)
{
	*c = *u;
	c->state = c->result = c->detail = NULL;
	return dup_str(u->state, &c->state) && dup_str(u->result, &c->result) &&
		dup_str(u->detail, &c->detail);
}

static void free_inspection(struct e4err_store_inspection *in)
{
	struct e4err_store_finding *f = (struct e4err_store_finding *)in->findings;
	size_t i;

	for (i = 0; f && i < in->nfindings; i++) {
		free((char *)f[i].code);
		free((char *)f[i].object);
		free((char *)f[i].message);
		free((char *)f[i].errcode_name);
	}
	free(f);
	free((char *)in->verdict);
	free((char *)in->reason);
}

static bool dup_inspection(const struct e4err_store_inspection *in,
			   struct e4err_store_inspection *c)
{
	struct e4err_store_finding *f = NULL;
	bool ok;
	size_t i;

	*c = *in;
	c->verdict = c->reason = NULL;
	c->findings = NULL;
	c->nfindings = 0;
	if (in->nfindings) {
		f = calloc(in->nfindings, sizeof(*f));
		if (!f)
			return false;
		c->findings = f;
		c->nfindings = in->nfindings;
	}
	ok = dup_str(in->verdict, &c->verdict) && dup_str(in->reason, &c->reason);
	for (i = 0; ok && i < in->nfindings; i++) {
		f[i].related = in->findings[i].related;
		ok = dup_str(in->findings[i].code, &f[i].code) &&
			dup_str(in->findings[i].object, &f[i].object) &&
			dup_str(in->findings[i].message, &f[i].message) &&
			dup_str(in->findings[i].errcode_name, &f[i].errcode_name);
	}
	return ok;
}

static void op_free(struct store_op *op)
{
	switch (op->kind) {
	case OP_NOTE_FS:
		break;
	case OP_EVENT:
		free(op->event.ev);
		free(op->event.raw);
		free(op->event.warnings);
		break;
	case OP_INSPECTION:
		free_inspection(&op->insp.in);
		break;
	case OP_JOB:
		free(op->job.kind);
		free(op->job.reason);
		free_update(&op->job.first);
		break;
	case OP_JOB_UPDATE:
		free_update(&op->upd.u);
		break;
	case OP_ENRICH:
	case OP_MARK:
		store_ext_free(op);
		break;
	}
}

void store_ops_clear(struct e4err_store *st)
{
	size_t i;

	for (i = 0; i < st->nops; i++)
		op_free(&st->ops[i]);
	st->nops = 0;
}

/* ---- The filesystems this handle knows ---- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Replace *dst by a copy of src when they differ. */
static bool refresh_str(const char **dst, const char *src)
{
	const char *c;

	if (same_str(*dst, src))
		return true;
	if (!dup_str(src, &c))
		return false;
	free((char *)*dst);
	*dst = c;
	return true;
}

static errcode_t fs_index(struct e4err_store *st,
			  const struct e4err_store_fs *fs, size_t *idx)
{
	struct store_fs *f;
	size_t i;

	if (!fs || !fs->uuid || !fs->uuid[0])
		return EINVAL;
	for (i = 0; i < st->nfs; i++)
		if (!strcmp(st->fs[i].fs.uuid, fs->uuid))
			break;
	if (i == st->nfs) {
		if (st->nfs == st->fs_cap) {
			size_t cap = st->fs_cap ? st->fs_cap * 2 : 8;

			f = realloc(st->fs, cap * sizeof(*f));
			if (!f)
				return ENOMEM;
			st->fs = f;
			st->fs_cap = cap;
		}
		f = &st->fs[i];
		memset(f, 0, sizeof(*f));
		if (!dup_str(fs->uuid, &f->fs.uuid))
			return ENOMEM;
		st->nfs++;
	}
	f = &st->fs[i];
	if (!refresh_str(&f->fs.device, fs->device) ||
	    !refresh_str(&f->fs.mountpoint, fs->mountpoint) ||
	    !refresh_str(&f->fs.kname, fs->kname))
		return ENOMEM;
	if (fs->has_fsid) {
		f->fs.has_fsid = true;
		f->fs.fsid[0] = fs->fsid[0];
		f->fs.fsid[1] = fs->fsid[1];
	}
	*idx = i;
	return 0;
}

/*
 * Run one write: take ownership of op, keep it for a redo, write it, and
 * commit at once when the caller did not open a transaction.
 */
static errcode_t run_op(struct e4err_store *st, struct store_op *op)
{
	bool implicit = !st->in_txn;
	errcode_t err = 0;

	if (implicit)
		err = e4err_store_begin(st);
	if (!err && st->nops == st->ops_cap) {
		size_t cap = st->ops_cap ? st->ops_cap * 2 : 64;
		struct store_op *ops = realloc(st->ops, cap * sizeof(*ops));

		if (!ops)
			err = ENOMEM;
		else {
			st->ops = ops;
			st->ops_cap = cap;
		}
	}
	if (err) {
		op_free(op);
		if (implicit)
			e4err_store_rollback(st);
		return err;
	}
	st->ops[st->nops++] = *op;
	err = store_apply_op(st, op);
	if (err)
		err = store_write_failed(st, err);
	if (err) {
		e4err_store_rollback(st);
		return err;
	}
	return implicit ? e4err_store_commit(st) : 0;
}

static errcode_t start_op(struct e4err_store *st, enum store_op_kind kind,
			  const struct e4err_store_fs *fs, uint64_t time_ns,
			  struct store_op *op)
{
	memset(op, 0, sizeof(*op));
	if (st->reader)
		return EINVAL;
	op->kind = kind;
	op->time_ns = time_ns ? time_ns : store_now_ns();
	op->seq = st->next_seq++;
	return fs ? fs_index(st, fs, &op->fs) : 0;
}

errcode_t e4err_store_note_fs(struct e4err_store *st,
			      const struct e4err_store_fs *fs, uint64_t time_ns)
{
	struct store_op op;
	errcode_t err;

	err = start_op(st, OP_NOTE_FS, fs, time_ns, &op);
	if (!err)
		st->fs[op.fs].row_txn = 0;	/* write last_seen even if known */
	return err ? err : run_op(st, &op);
}

/* The decoder's warnings as one line of text ("; " between them). */
static char *warnings_text(const struct e4err_event *ev)
{
	char buf[256], *out = NULL;
	size_t len = 0, n;
	unsigned int i;
	FILE *f;

	if (!ev->nwarnings)
		return NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	for (i = 0; i < ev->nwarnings && i < E4ERR_MAX_WARNINGS; i++) {
		e4err_warning_text(&ev->warnings[i], buf, sizeof(buf));
		n = strlen(buf);
		fprintf(f, "%s%.*s", i ? "; " : "", (int)n, buf);
	}
	if (ev->warnings_dropped)
		fputs("; ...", f);
	fclose(f);
	return out;
}

errcode_t e4err_store_add_event(struct e4err_store *st,
				const struct e4err_store_fs *fs,
				const struct e4err_event *ev, uint64_t time_ns,
				const void *raw, size_t raw_len,
				struct e4err_store_ref *ref)
{
	struct store_op op;
	errcode_t err;

	if (!ev || (raw_len && !raw))
		return EINVAL;
	err = start_op(st, OP_EVENT, fs, time_ns, &op);
	if (err)
		return err;
	op.event.ev = malloc(sizeof(*ev));
	op.event.raw = raw_len ? malloc(raw_len) : NULL;
	op.event.raw_len = raw_len;
	op.event.warnings = warnings_text(ev);
	if (!op.event.ev || (raw_len && !op.event.raw) ||
	    (ev->nwarnings && !op.event.warnings)) {
		op_free(&op);
		return ENOMEM;
	}
	memcpy(op.event.ev, ev, sizeof(*ev));
	if (raw_len)
		memcpy(op.event.raw, raw, raw_len);
	if (ref) {
		ref->origin = st->origin;
		ref->seq = op.seq;
	}
	return run_op(st, &op);
}

/* Verdicts, states and kinds are short lower-case words. */
static bool valid_word(const char *s)
{
	size_t i;

	if (!s || !s[0] || strlen(s) > 64)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr("_-.:", s[i])))
			return false;
	return true;
}

errcode_t e4err_store_add_inspection(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_inspection *in,
				     struct e4err_store_ref *ref)
{
	struct store_op op;
	errcode_t err;
	size_t i;

	if (!in || !valid_word(in->verdict) || (in->nfindings && !in->findings))
		return EINVAL;
	for (i = 0; i < in->nfindings; i++)
		if (!valid_word(in->findings[i].code))
			return EINVAL;
	err = start_op(st, OP_INSPECTION, fs, in->time_ns, &op);
	if (err)
		return err;
	if (!dup_inspection(in, &op.insp.in)) {
		op_free(&op);
		return ENOMEM;
	}
	if (ref) {
		ref->origin = st->origin;
		ref->seq = op.seq;
	}
	return run_op(st, &op);
}

errcode_t e4err_store_add_job(struct e4err_store *st,
			      const struct e4err_store_fs *fs, const char *kind,
			      const char *reason, bool has_inode, uint64_t inode,
			      const struct e4err_store_job_update *first,
			      struct e4err_store_ref *ref)
{
	struct store_op op;
	errcode_t err;

	if (!valid_word(kind) || !first || !valid_word(first->state))
		return EINVAL;
	err = start_op(st, OP_JOB, fs, first->time_ns, &op);
	if (err)
		return err;
	st->next_seq++;		/* op.seq + 1 names the first update */
	op.job.has_inode = has_inode;
	op.job.inode = inode;
	if (!dup_str(kind, (const char **)&op.job.kind) ||
	    !dup_str(reason, (const char **)&op.job.reason) ||
	    !dup_update(first, &op.job.first)) {
		op_free(&op);
		return ENOMEM;
	}
	if (!op.job.first.time_ns)
		op.job.first.time_ns = op.time_ns;
	if (ref) {
		ref->origin = st->origin;
		ref->seq = op.seq;
	}
	return run_op(st, &op);
}

errcode_t e4err_store_update_job(struct e4err_store *st,
				 const struct e4err_store_ref *job,
				 const struct e4err_store_job_update *u)
{
	struct store_op op;
	errcode_t err;

	if (!job || !u || !valid_word(u->state))
		return EINVAL;
	err = start_op(st, OP_JOB_UPDATE, NULL, u->time_ns, &op);
	if (err)
		return err;
	op.upd.job = *job;
	if (!dup_update(u, &op.upd.u)) {
		op_free(&op);
		return ENOMEM;
	}
	if (!op.upd.u.time_ns)
		op.upd.u.time_ns = op.time_ns;
	return run_op(st, &op);
}

/* For the other store files: their ops go the same way. */
errcode_t store_start_op(struct e4err_store *st, enum store_op_kind kind,
			 const struct e4err_store_fs *fs, uint64_t time_ns,
			 struct store_op *op)
{
	return start_op(st, kind, fs, time_ns, op);
}

errcode_t store_run_op(struct e4err_store *st, struct store_op *op)
{
	return run_op(st, op);
}
