/*
 * store_schema.c --- the store's tables, their versions and migrations.
 *
 * Migrations are a table: version N's SQL turns a version N-1 database
 * into a version N one, and never changes once released (a test keeps a
 * frozen copy of version 1).  They run in one IMMEDIATE transaction, so a
 * crash in the middle leaves the old version intact.  A database from a
 * newer e4errd is refused and left untouched; a SQLite database that is
 * not ours (other application_id) is refused, never moved aside.
 *
 * Cross references use (origin, seq), which stay the same when rows move
 * from the spool to the main database; only fs_id and inspection_id are
 * local row ids, remapped by uuid / (origin, seq) when merging.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "e4err_err.h"
#include "store_int.h"

struct store_migration {
	int version;
	const char *sql;
};

/* Version 1: the first layout. */
static const char schema_v1[] =
	"CREATE TABLE schema_version ("
	" version INTEGER PRIMARY KEY,"
	" applied_ns INTEGER NOT NULL,"
	" software TEXT);"
	/* A writer handle (a daemon run): origin is random, 63 bits. */
	"CREATE TABLE origins ("
	" origin INTEGER PRIMARY KEY,"
	" boot_id TEXT,"
	" pid INTEGER,"
	" started_ns INTEGER NOT NULL,"
	" software TEXT);"
	"CREATE TABLE filesystems ("
	" id INTEGER PRIMARY KEY,"
	" uuid TEXT NOT NULL UNIQUE,"
	" device TEXT,"
	" mountpoint TEXT,"
	" kname TEXT,"
	" fsid INTEGER,"
	" first_seen_ns INTEGER NOT NULL,"
	" last_seen_ns INTEGER NOT NULL);"
	/* Kernel strings (function, desc) are BLOBs: raw, maybe not UTF-8. */
	"CREATE TABLE events ("
	" id INTEGER PRIMARY KEY,"
	" origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" fs_id INTEGER NOT NULL,"
	" abi INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL,"
	" mask INTEGER NOT NULL,"
	" pid INTEGER NOT NULL,"
	" error INTEGER,"
	" error_count INTEGER,"
	" inode INTEGER,"
	" inode_placeholder INTEGER NOT NULL DEFAULT 0,"
	" generation INTEGER,"
	" block INTEGER,"
	" function BLOB,"
	" line INTEGER,"
	" desc BLOB,"
	" raw BLOB,"
	" warnings TEXT,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX events_fs_time ON events (fs_id, time_ns);"
	"CREATE TABLE inspections ("
	" id INTEGER PRIMARY KEY,"
	" origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" fs_id INTEGER NOT NULL,"
	" event_origin INTEGER,"
	" event_seq INTEGER,"
	" inode INTEGER,"
	" time_ns INTEGER NOT NULL,"
	" verdict TEXT NOT NULL,"
	" reason TEXT,"
	" truncated INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX inspections_fs_inode ON inspections (fs_id, inode, time_ns);"
	"CREATE INDEX inspections_event ON inspections (event_origin, event_seq);"
	"CREATE TABLE findings ("
	" inspection_id INTEGER NOT NULL,"
	" idx INTEGER NOT NULL,"
	" code TEXT NOT NULL,"
	" object TEXT,"
	" message TEXT,"
	" errcode TEXT,"
	" related INTEGER NOT NULL,"
	" PRIMARY KEY (inspection_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE jobs ("
	" id INTEGER PRIMARY KEY,"
	" origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" fs_id INTEGER NOT NULL,"
	" inode INTEGER,"
	" kind TEXT NOT NULL,"
	" reason TEXT,"
	" created_ns INTEGER NOT NULL,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX jobs_fs ON jobs (fs_id, created_ns);"
	/* Job states are appended, never updated in place: a spool can hold
	 * an update of a job whose row is in the main database. */
	"CREATE TABLE job_updates ("
	" id INTEGER PRIMARY KEY,"
	" origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" job_origin INTEGER NOT NULL,"
	" job_seq INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL,"
	" state TEXT NOT NULL,"
	" exit_status INTEGER,"
	" result TEXT,"
	" detail TEXT,"
	" resolves INTEGER NOT NULL DEFAULT 0,"
	" final INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX job_updates_job ON job_updates (job_origin, job_seq, time_ns);"
	"PRAGMA application_id = 1697932626;";

/* Version 2: retention keeps what it removed countable. */
static const char schema_v2[] =
	"ALTER TABLE filesystems ADD COLUMN pruned_events INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE filesystems ADD COLUMN pruned_errors INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE filesystems ADD COLUMN pruned_first_ns INTEGER;"
	"ALTER TABLE filesystems ADD COLUMN pruned_last_ns INTEGER;";

/*
 * Version 3: enrichment (docs/ENRICH.md).  Where each field of an error
 * came from, per object, the event's own and the ones recovered for a
 * merged event (event_origin NULL: an error known from the kernel log
 * only); and, per filesystem, the superblock error fields last accounted
 * for, so errors it remembers are recorded once.
 */
static const char schema_v3[] =
	"CREATE TABLE enrichments ("
	" id INTEGER PRIMARY KEY,"
	" origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" idx INTEGER NOT NULL,"
	" fs_id INTEGER NOT NULL,"
	" event_origin INTEGER,"
	" event_seq INTEGER,"
	" time_ns INTEGER NOT NULL,"
	" inode INTEGER,"
	" block INTEGER,"
	" function BLOB,"
	" line INTEGER,"
	" grp INTEGER,"
	" comm BLOB,"
	" path BLOB,"
	" message BLOB,"
	" kmsg_seq INTEGER,"
	" sources TEXT NOT NULL,"
	" UNIQUE (origin, seq, idx));"
	"CREATE INDEX enrichments_event ON enrichments (event_origin, event_seq);"
	"CREATE INDEX enrichments_fs_inode ON enrichments (fs_id, inode, time_ns);"
	"CREATE TABLE error_marks ("
	" fs_id INTEGER PRIMARY KEY,"
	" error_count INTEGER NOT NULL,"
	" first_time INTEGER,"
	" last_time INTEGER,"
	" updated_ns INTEGER NOT NULL);";

/*
 * Version 4: an error mark also keeps the lost reports recorded in total
 * (findings do not: retention removes superseded no-event inspections).
 */
static const char schema_v4[] =
	"ALTER TABLE error_marks ADD COLUMN lost_reports INTEGER NOT NULL"
	" DEFAULT 0;";

static const struct store_migration migrations[] = {
	{ 1, schema_v1 },
	{ 2, schema_v2 },
	{ 3, schema_v3 },
	{ 4, schema_v4 },
};

_Static_assert(STORE_APPLICATION_ID == 1697932626, "application_id in v1 SQL");
_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration per schema version");

static errcode_t query_int(struct e4err_store *st, sqlite3 *db,
			   const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
	if (rc == SQLITE_OK) {
		rc = sqlite3_step(s);
		if (rc == SQLITE_ROW) {
			*out = sqlite3_column_int64(s, 0);
			rc = SQLITE_OK;
		} else if (rc == SQLITE_DONE) {
			*out = 0;
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : store_sqlite_error(st, db, rc);
}

/*
 * The schema version of database `schema` (main, sp) of db: 0 for an
 * empty database.  E4ERR_STORE_FOREIGN for somebody else's database,
 * E4ERR_STORE_CORRUPT for a file SQLite cannot read, E4ERR_STORE_NEWER.
 * Reads only: a newer database is never touched.
 */
errcode_t store_schema_version(struct e4err_store *st, sqlite3 *db,
			       const char *schema, int *version)
{
	char sql[160];
	int64_t app_id, ntables, v;
	errcode_t err;

	snprintf(sql, sizeof(sql), "PRAGMA %s.application_id", schema);
	err = query_int(st, db, sql, &app_id);
	if (err)
		return err;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.sqlite_schema"
		 " WHERE type = 'table' AND name NOT LIKE 'sqlite_%%'", schema);
	err = query_int(st, db, sql, &ntables);
	if (err)
		return err;
	if (app_id == 0 && ntables == 0) {
		*version = 0;
		return 0;
	}
	if (app_id != STORE_APPLICATION_ID)
		return E4ERR_STORE_FOREIGN;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.sqlite_schema"
		 " WHERE type = 'table' AND name = 'schema_version'", schema);
	err = query_int(st, db, sql, &ntables);
	if (err)
		return err;
	if (ntables != 1)
		return E4ERR_STORE_CORRUPT;
	snprintf(sql, sizeof(sql), "SELECT max(version) FROM %s.schema_version",
		 schema);
	err = query_int(st, db, sql, &v);
	if (err)
		return err;
	if (v < 1)
		return E4ERR_STORE_CORRUPT;
	*version = v > STORE_SCHEMA_VERSION ? STORE_SCHEMA_VERSION + 1 : (int)v;
	return v > STORE_SCHEMA_VERSION ? E4ERR_STORE_NEWER : 0;
}

static errcode_t apply_migration(struct e4err_store *st, sqlite3 *db,
				 const struct store_migration *m)
{
	sqlite3_stmt *s = NULL;
	errcode_t err;
	int rc;

	err = store_exec(st, db, m->sql);
	if (err)
		return err;
	rc = sqlite3_prepare_v2(db, "INSERT INTO schema_version"
				" (version, applied_ns, software) VALUES (?, ?, ?)",
				-1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int(s, 1, m->version);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)store_now_ns());
		sqlite3_bind_text(s, 3, PACKAGE_VERSION, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_OK ? 0 : store_sqlite_error(st, db, rc);
}

/*
 * Bring the main database of db to STORE_SCHEMA_VERSION.  The version is
 * read again under the write lock: another writer may have migrated it.
 */
errcode_t store_schema_migrate(struct e4err_store *st, sqlite3 *db)
{
	errcode_t err;
	size_t i;
	int version;

	err = store_exec(st, db, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = store_schema_version(st, db, "main", &version);
	for (i = 0; !err && i < sizeof(migrations) / sizeof(migrations[0]); i++)
		if (migrations[i].version > version)
			err = apply_migration(st, db, &migrations[i]);
	if (!err)
		err = store_exec(st, db, "COMMIT");
	if (err)
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}
