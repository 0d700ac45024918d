/*
 * store.c --- opening the findings store, and where its writes go.
 *
 * Owns the database files: the main one under the state directory and
 * the spool under /run, their creation (directory 0700, file 0600), the
 * move-aside of a corrupt file, the durable settings, and the switch to
 * the spool when the state directory stops being writable.
 *
 * Durability: journal_mode=WAL with synchronous=FULL.  In WAL mode FULL
 * fsyncs the WAL at every commit, so a commit that returned survives
 * kill -9 and power loss (NORMAL would only survive kill -9); WAL also
 * lets readers (report) run beside the writer without blocking it.
 * Callers group bursts in one transaction so a burst costs one fsync.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "e4err_err.h"
#include "nls.h"
#include "store_int.h"

#define WRITER_BUSY_MS	5000
#define READER_BUSY_MS	2000
/* The WAL is truncated back to this after a checkpoint. */
#define WAL_SIZE_LIMIT	(8 * 1024 * 1024)
#define CACHE_KIB	8192

uint64_t store_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void store_notice(struct e4err_store *st, errcode_t code, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (st->opt.notice)
		st->opt.notice(st->opt.notice_arg, code, text);
	else
		com_err(st->whoami, code, "%s", text);
}

/* What a SQLite result means to our callers, as an errcode_t. */
errcode_t store_sqlite_error(struct e4err_store *st, sqlite3 *db, int rc)
{
	int sys = db ? sqlite3_system_errno(db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return E4ERR_STORE_CORRUPT;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_IOERR:
		return sys ? sys : EIO;
	case SQLITE_CANTOPEN:
		return sys ? sys : EACCES;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return EACCES;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_INTERRUPT:
		return EINTR;
	}
	store_notice(st, E4ERR_STORE_SQL, _("%s (SQLite code %d)"),
		     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), rc);
	return E4ERR_STORE_SQL;
}

errcode_t store_exec(struct e4err_store *st, sqlite3 *db, const char *sql)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : store_sqlite_error(st, db, rc);
}

/*
 * Errors that say "the directory cannot take writes now" (read-only or
 * failing filesystem, no space, no permission, locked by another writer)
 * rather than "this database is bad": the write goes to the spool.
 */
static bool storage_error(errcode_t err)
{
	switch (err) {
	case EROFS: case EACCES: case EPERM: case ENOSPC: case EDQUOT:
	case EIO: case EBUSY: case EUCLEAN: case EBADMSG: case ENODEV:
	case ENXIO: case ESTALE: case ENOTCONN: case ESHUTDOWN:
		return true;
	}
	return false;
}

bool store_file_exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * The database file exists, is a regular file and is 0600 before SQLite
 * opens it (SQLite gives its -wal and -shm files the same mode).  A new
 * file's directory entry is made durable at once.
 */
static errcode_t prepare_file(const char *dir, const char *path)
{
	struct stat sb;
	bool created = true;
	int fd;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return errno;
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == EEXIST) {
		created = false;
		fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		return errno == ELOOP ? E4ERR_STORE_FOREIGN : errno;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return E4ERR_STORE_FOREIGN;
	}
	if ((sb.st_mode & 077) && sb.st_uid == geteuid())
		fchmod(fd, 0600);
	close(fd);
	if (created)
		fsync_dir(dir);
	return 0;
}

void store_db_close(struct store_db *d)
{
	if (!d)
		return;
	store_db_finalize(d);
	sqlite3_close_v2(d->db);
	free(d->path);
	free(d);
}

static errcode_t pragma_text(struct e4err_store *st, sqlite3 *db,
			     const char *sql, const char *want)
{
	sqlite3_stmt *s = NULL;
	errcode_t err = 0;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *got = (const char *)sqlite3_column_text(s, 0);

		if (!got || strcmp(got, want))
			err = want[0] == 'w' ? EROFS : E4ERR_STORE_CORRUPT;
	} else {
		err = store_sqlite_error(st, db, rc);
	}
	sqlite3_finalize(s);
	return err;
}

/* The settings every writer connection needs (see the file comment). */
static errcode_t writer_settings(struct e4err_store *st, sqlite3 *db)
{
	char sql[80];
	errcode_t err;

	err = pragma_text(st, db, "PRAGMA journal_mode = WAL", "wal");
	if (!err)
		err = store_exec(st, db, "PRAGMA synchronous = FULL");
	snprintf(sql, sizeof(sql), "PRAGMA journal_size_limit = %d", WAL_SIZE_LIMIT);
	if (!err)
		err = store_exec(st, db, sql);
	/* Enough pages cached that retention's deletes find theirs in memory. */
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", CACHE_KIB);
	if (!err)
		err = store_exec(st, db, sql);
	return err;
}

/*
 * Open the main database (or the spool) for writing, creating and
 * migrating it.  E4ERR_STORE_CORRUPT / _NEWER / _FOREIGN as found; errno
 * values for a directory that cannot be written.
 */
errcode_t store_db_open_rw(struct e4err_store *st, bool spool,
			   struct store_db **out)
{
	const char *dir = spool ? st->spool_dir : st->state_dir;
	const char *path = spool ? st->spool_path : st->db_path;
	struct store_db *d;
	errcode_t err;
	int version, rc;

	err = prepare_file(dir, path);
	if (err)
		return err;
	d = calloc(1, sizeof(*d));
	if (!d || !(d->path = strdup(path))) {
		free(d);
		return ENOMEM;
	}
	d->is_spool = spool;
	rc = sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOFOLLOW, NULL);
	err = rc == SQLITE_OK ? 0 : store_sqlite_error(st, d->db, rc);
	if (!err) {
		sqlite3_busy_timeout(d->db, st->opt.busy_timeout_ms ?
				     (int)st->opt.busy_timeout_ms : WRITER_BUSY_MS);
		sqlite3_extended_result_codes(d->db, 1);
		err = store_schema_version(st, d->db, "main", &version);
	}
	if (!err)
		err = writer_settings(st, d->db);
	if (!err)
		err = store_schema_migrate(st, d->db);
	if (!err && st->opt.quick_check)
		err = pragma_text(st, d->db, "PRAGMA quick_check", "ok");
	if (err) {
		store_db_close(d);
		return err;
	}
	*out = d;
	return 0;
}

/* Rename a corrupt database (and its WAL) out of the way, keeping it. */
static errcode_t move_aside(struct e4err_store *st, const char *path)
{
	char stamp[32], *to = NULL, from_wal[4096], to_wal[4096 + 8];
	struct tm tm;
	time_t now = time(NULL);
	int i;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (i = 0; i < 100; i++) {
		free(to);
		if ((i ? asprintf(&to, "%s.corrupt-%s-%d", path, stamp, i) :
		     asprintf(&to, "%s.corrupt-%s", path, stamp)) < 0)
			return ENOMEM;
		if (!store_file_exists(to))
			break;
	}
	if (rename(path, to) < 0) {
		errcode_t err = errno;

		free(to);
		return err;
	}
	snprintf(from_wal, sizeof(from_wal), "%s-wal", path);
	snprintf(to_wal, sizeof(to_wal), "%s-wal", to);
	rename(from_wal, to_wal);
	snprintf(from_wal, sizeof(from_wal), "%s-shm", path);
	unlink(from_wal);
	free(st->moved_aside);
	st->moved_aside = to;
	return 0;
}

/* Move the corrupt file of cur (or of the one at path) aside, start afresh. */
static errcode_t replace_corrupt(struct e4err_store *st, bool spool,
				 struct store_db **out)
{
	const char *path = spool ? st->spool_path : st->db_path;
	errcode_t err;

	err = move_aside(st, path);
	if (err) {
		store_notice(st, err, _("while moving the corrupt database %s aside"),
			     path);
		return E4ERR_STORE_CORRUPT;
	}
	store_notice(st, E4ERR_STORE_CORRUPT,
		     _("in %s: moved aside to %s, starting a fresh database"),
		     path, st->moved_aside);
	return store_db_open_rw(st, spool, out);
}

/* Open for writing; a corrupt file is moved aside once and replaced. */
errcode_t store_open_recovering(struct e4err_store *st, bool spool,
			       struct store_db **out)
{
	errcode_t err;

	err = store_db_open_rw(st, spool, out);
	if (err != E4ERR_STORE_CORRUPT)
		return err;
	return replace_corrupt(st, spool, out);
}

/*
 * Give st a database to write to: the main one, or the spool when the
 * state directory cannot take writes.  Other errors (a newer or foreign
 * database) are returned: the caller must not write anywhere then.
 */
static errcode_t open_target(struct e4err_store *st)
{
	errcode_t err;

	err = store_open_recovering(st, false, &st->cur);
	if (!err || !storage_error(err)) {
		st->spooling = false;
		return err;
	}
	store_notice(st, err, _("while opening %s: spooling findings to %s"),
		     st->db_path, st->spool_path);
	err = store_open_recovering(st, true, &st->cur);
	if (!err)
		st->spooling = true;
	return err;
}

static errcode_t ensure_target(struct e4err_store *st)
{
	if (st->cur)
		return 0;
	st->db_gen++;
	return open_target(st);
}

/*
 * The writer's own reader was made for the files as they were: after a
 * move to or from the spool it is made again on the next query.
 */
static void forget_reader(struct e4err_store *st)
{
	e4err_store_close(st->query);
	st->query = NULL;
}

/* BEGIN and redo every write of the open transaction on st->cur. */
static errcode_t replay(struct e4err_store *st)
{
	errcode_t err;
	size_t i;

	err = store_exec(st, st->cur->db, "BEGIN IMMEDIATE");
	for (i = 0; !err && i < st->nops; i++)
		err = store_apply_op(st, &st->ops[i]);
	return err;
}

/*
 * A write or commit of the open transaction failed with err.  If the
 * database is corrupt, move it aside and start a fresh one; if the state
 * directory cannot take writes, go to the spool.  Either way the
 * transaction is redone there and left open: 0 means the caller may go
 * on (and commit).  Anything else: the transaction is lost.
 */
errcode_t store_write_failed(struct e4err_store *st, errcode_t err)
{
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		bool spool = st->cur ? st->cur->is_spool : st->spooling;

		if (err != E4ERR_STORE_CORRUPT && (!storage_error(err) || spool))
			return err;
		if (st->cur)
			sqlite3_exec(st->cur->db, "ROLLBACK", NULL, NULL, NULL);
		store_db_close(st->cur);
		st->cur = NULL;
		st->db_gen++;
		forget_reader(st);
		if (err == E4ERR_STORE_CORRUPT) {
			err = replace_corrupt(st, spool, &st->cur);
		} else {
			store_notice(st, err, _("while writing %s: spooling findings to %s"
						" until it is writable again"),
				     st->db_path, st->spool_path);
			err = store_open_recovering(st, true, &st->cur);
			st->spooling = true;
		}
		if (!err)
			err = replay(st);
		if (!err)
			return 0;
	}
	return err;
}

errcode_t e4err_store_begin(struct e4err_store *st)
{
	errcode_t err;

	if (st->reader || st->in_txn)
		return EINVAL;
	err = ensure_target(st);
	if (err)
		return err;
	st->txn_count++;
	st->in_txn = true;
	err = store_exec(st, st->cur->db, "BEGIN IMMEDIATE");
	if (err)
		err = store_write_failed(st, err);
	if (err)
		e4err_store_rollback(st);
	return err;
}

void e4err_store_rollback(struct e4err_store *st)
{
	if (!st->in_txn)
		return;
	if (st->cur && !sqlite3_get_autocommit(st->cur->db))
		sqlite3_exec(st->cur->db, "ROLLBACK", NULL, NULL, NULL);
	store_ops_clear(st);
	st->in_txn = false;
	st->implicit_txn = false;
	st->db_gen++;	/* rows made in the transaction are gone */
}

static size_t count_events(const struct e4err_store *st)
{
	size_t i, n = 0;

	for (i = 0; i < st->nops; i++)
		n += st->ops[i].kind == OP_EVENT;
	return n;
}

/* Every few thousand events, or at open, retention runs by itself. */
#define AUTO_PRUNE_EVENTS	4096

errcode_t e4err_store_commit(struct e4err_store *st)
{
	errcode_t err;
	int attempt;

	if (!st->in_txn)
		return EINVAL;
	for (attempt = 0; attempt < 3; attempt++) {
		err = store_exec(st, st->cur->db, "COMMIT");
		if (!err)
			break;
		err = store_write_failed(st, err);
		if (err)
			break;
	}
	if (err) {
		e4err_store_rollback(st);
		return err;
	}
	if (!st->cur->is_spool)
		st->since_prune += count_events(st);
	store_ops_clear(st);
	st->in_txn = false;
	st->implicit_txn = false;
	if (st->since_prune >= AUTO_PRUNE_EVENTS &&
	    (err = e4err_store_prune(st, store_now_ns(), NULL)))
		store_notice(st, err, _("while removing old events from %s"),
			     st->db_path);
	return 0;
}

size_t e4err_store_pending(const struct e4err_store *st)
{
	return st->nops;
}

void e4err_store_options_init(struct e4err_store_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->quick_check = true;
	opt->retention.max_events_per_fs = 10000;
	opt->retention.max_age_s = 365 * 24 * 3600;
	opt->retention.max_jobs_per_fs = 1000;
}

static uint64_t new_origin(void)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = store_now_ns() ^ ((uint64_t)getpid() << 32);
	v &= INT64_MAX;		/* SQLite integers are signed */
	return v ? v : 1;
}

static errcode_t store_alloc(const struct e4err_store_options *opt,
			     struct e4err_store **out)
{
	struct e4err_store *st = calloc(1, sizeof(*st));

	if (!st)
		return ENOMEM;
	if (opt)
		st->opt = *opt;
	else
		e4err_store_options_init(&st->opt);
	st->state_dir = strdup(st->opt.state_dir ? st->opt.state_dir :
			       E4ERR_STORE_DEFAULT_DIR);
	st->spool_dir = strdup(st->opt.spool_dir ? st->opt.spool_dir :
			       E4ERR_STORE_DEFAULT_SPOOL_DIR);
	st->whoami = strdup(st->opt.whoami ? st->opt.whoami : "e4errd");
	if (!st->state_dir || !st->spool_dir || !st->whoami ||
	    asprintf(&st->db_path, "%s/%s", st->state_dir, E4ERR_STORE_DB_NAME) < 0 ||
	    asprintf(&st->spool_path, "%s/%s", st->spool_dir,
		     E4ERR_STORE_SPOOL_NAME) < 0) {
		e4err_store_close(st);
		return ENOMEM;
	}
	st->opt.state_dir = st->state_dir;
	st->opt.spool_dir = st->spool_dir;
	st->opt.whoami = st->whoami;
	st->origin = new_origin();
	st->next_seq = 1;
	st->schema_version = STORE_SCHEMA_VERSION;
	*out = st;
	return 0;
}

errcode_t e4err_store_open(const struct e4err_store_options *opt,
			   struct e4err_store **out)
{
	struct e4err_store *st;
	errcode_t err;

	err = store_alloc(opt, &st);
	if (err)
		return err;
	err = open_target(st);
	if (err) {
		e4err_store_close(st);
		return err;
	}
	/* A spool left by an earlier run goes home first, then retention. */
	if (!st->spooling && store_file_exists(st->spool_path)) {
		err = e4err_store_try_merge_spool(st, NULL);
		if (err)
			store_notice(st, err, _("while merging the spool %s into %s"),
				     st->spool_path, st->db_path);
	}
	if (!st->spooling)
		e4err_store_prune(st, store_now_ns(), NULL);
	*out = st;
	return 0;
}

/*
 * The spool's records go home when the state directory is writable
 * again.  Not in a transaction: the merge has its own.
 */
errcode_t e4err_store_try_merge_spool(struct e4err_store *st, uint64_t *merged)
{
	struct store_db *m = NULL;
	uint64_t n = 0;
	errcode_t err;

	if (merged)
		*merged = 0;
	if (st->reader || st->in_txn)
		return EINVAL;
	if (!st->spooling) {
		err = ensure_target(st);
		if (err || !store_file_exists(st->spool_path))
			return err;
		return store_merge_into(st, st->cur, merged);
	}
	err = store_open_recovering(st, false, &m);
	if (!err)
		err = store_merge_into(st, m, &n);
	if (err) {
		store_db_close(m);
		return storage_error(err) ? E4ERR_STORE_SPOOLING : err;
	}
	store_db_close(st->cur);
	st->cur = m;
	st->spooling = false;
	st->db_gen++;
	forget_reader(st);
	store_notice(st, 0, _("%s is writable again: %llu spooled events merged"),
		     st->db_path, (unsigned long long)n);
	if (merged)
		*merged = n;
	return 0;
}

void e4err_store_close(struct e4err_store *st)
{
	size_t i;

	if (!st)
		return;
	e4err_store_rollback(st);
	/* Readers first: the last connection to close checkpoints the WAL. */
	e4err_store_close(st->query);
	if (st->rdb)
		sqlite3_close_v2(st->rdb);
	store_db_close(st->cur);
	for (i = 0; i < st->nfs; i++) {
		free((char *)st->fs[i].fs.uuid);
		free((char *)st->fs[i].fs.device);
		free((char *)st->fs[i].fs.mountpoint);
		free((char *)st->fs[i].fs.kname);
	}
	free(st->fs);
	free(st->ops);
	free(st->state_dir);
	free(st->spool_dir);
	free(st->whoami);
	free(st->db_path);
	free(st->spool_path);
	free(st->moved_aside);
	free(st);
}

void e4err_store_get_info(const struct e4err_store *st,
			  struct e4err_store_info *info)
{
	memset(info, 0, sizeof(*info));
	info->db_path = st->db_path;
	info->spool_path = st->spool_path;
	info->spooling = st->spooling;
	info->spool_present = st->reader ? st->spool_present :
		store_file_exists(st->spool_path);
	info->schema_version = st->schema_version;
	info->moved_aside = st->moved_aside;
}

/* ---- Readers ---- */

/* A file: URI for path (SQLite reads '?' and '#' and '%' specially). */
static char *file_uri(const char *path, const char *params)
{
	size_t n = strlen(path), i, o = 0;
	char *uri = malloc(n * 3 + strlen(params) + 16);

	if (!uri)
		return NULL;
	o += sprintf(uri, "file:");
	for (i = 0; i < n; i++) {
		unsigned char c = path[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("/-._~", c))
			uri[o++] = c;
		else
			o += sprintf(uri + o, "%%%02X", c);
	}
	sprintf(uri + o, "?%s", params);
	return uri;
}

/* Open path read-only through a URI with params; NULL: an empty memory db. */
static errcode_t open_uri(struct e4err_store *st, const char *path,
			  const char *params, sqlite3 **db)
{
	char *uri = path ? file_uri(path, params) : NULL;
	errcode_t err;
	int rc;

	if (path && !uri)
		return ENOMEM;
	if (path)
		rc = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY |
				     SQLITE_OPEN_URI, NULL);
	else
		rc = sqlite3_open_v2(":memory:", db, SQLITE_OPEN_READWRITE |
				     SQLITE_OPEN_URI, NULL);
	free(uri);
	err = rc == SQLITE_OK ? 0 : store_sqlite_error(st, *db, rc);
	if (!err) {
		sqlite3_busy_timeout(*db, st->opt.busy_timeout_ms ?
				     (int)st->opt.busy_timeout_ms : READER_BUSY_MS);
		sqlite3_extended_result_codes(*db, 1);
		err = store_exec(st, *db, "PRAGMA temp_store = MEMORY");
	}
	return err;
}

static errcode_t check_reader_version(struct e4err_store *st, const char *schema)
{
	errcode_t err;
	int version = 0;

	err = store_schema_version(st, st->rdb, schema, &version);
	st->schema_version = version;
	if (!err && version < STORE_SCHEMA_VERSION)
		err = version == 0 ? E4ERR_STORE_FOREIGN : E4ERR_STORE_OLDER;
	return err;
}

/*
 * Read-only.  A WAL database whose -shm file cannot be made or grown (a
 * read-only filesystem, a full one, no write permission) cannot be opened
 * the usual way; then it is read as immutable: the database file alone.
 * That misses only what sits in a non-empty -wal file, and says so.
 */
static errcode_t open_main_ro(struct e4err_store *st)
{
	char wal[4096];
	struct stat sb;
	errcode_t err;

	err = open_uri(st, st->db_path, "mode=ro", &st->rdb);
	if (!err)
		err = check_reader_version(st, "main");
	if (!err || err == E4ERR_STORE_CORRUPT || err == E4ERR_STORE_NEWER ||
	    err == E4ERR_STORE_OLDER || err == E4ERR_STORE_FOREIGN ||
	    err == ENOMEM)
		return err;
	sqlite3_close_v2(st->rdb);
	st->rdb = NULL;
	snprintf(wal, sizeof(wal), "%s-wal", st->db_path);
	if (stat(wal, &sb) == 0 && sb.st_size > 0)
		store_notice(st, err, _("while opening %s the usual way: the newest"
					" records, in %s, cannot be shown until it is"
					" writable again"), st->db_path, wal);
	err = open_uri(st, st->db_path, "immutable=1", &st->rdb);
	if (!err)
		err = check_reader_version(st, "main");
	return err;
}

/* The spool, if there is one, joins the main database in the views. */
static void attach_spool(struct e4err_store *st)
{
	sqlite3_stmt *s = NULL;
	errcode_t err;
	char *uri;
	int rc, version = 0;

	if (!store_file_exists(st->spool_path))
		return;
	uri = file_uri(st->spool_path, "mode=ro");
	if (!uri)
		return;
	rc = sqlite3_prepare_v2(st->rdb, "ATTACH ? AS sp", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, uri, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	free(uri);
	if (rc != SQLITE_DONE) {
		store_notice(st, store_sqlite_error(st, st->rdb, rc),
			     _("while reading the spool %s; it is left out"),
			     st->spool_path);
		return;
	}
	err = store_schema_version(st, st->rdb, "sp", &version);
	if (!err && version == STORE_SCHEMA_VERSION) {
		st->spool_present = true;
		return;
	}
	store_notice(st, err ? err : E4ERR_STORE_OLDER,
		     _("while reading the spool %s; it is left out"),
		     st->spool_path);
	sqlite3_exec(st->rdb, "DETACH sp", NULL, NULL, NULL);
}

errcode_t e4err_store_open_reader(const struct e4err_store_options *opt,
				  struct e4err_store **out)
{
	struct e4err_store *st;
	bool have_main;
	errcode_t err;

	err = store_alloc(opt, &st);
	if (err)
		return err;
	st->reader = true;
	have_main = store_file_exists(st->db_path);
	if (!have_main && !store_file_exists(st->spool_path)) {
		e4err_store_close(st);
		return ENOENT;
	}
	if (have_main)
		err = open_main_ro(st);
	else
		err = open_uri(st, NULL, NULL, &st->rdb);
	if (!err)
		attach_spool(st);
	if (!err)
		err = store_reader_views(st, have_main);
	if (err) {
		e4err_store_close(st);
		return err;
	}
	*out = st;
	return 0;
}
