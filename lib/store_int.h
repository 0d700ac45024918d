/*
 * store_int.h --- what the store's files share; not part of the API.
 *
 * store.c opens databases and moves between the main database and the
 * spool; store_schema.c owns the tables and migrations; store_write.c the
 * writes (kept as a redo list so a transaction can move to the spool);
 * store_merge.c the spool merge; store_prune.c retention; store_query.c
 * the reader's views and queries.
 */
#ifndef E4ERR_STORE_INT_H
#define E4ERR_STORE_INT_H

#include <sqlite3.h>

#include "store.h"

/* The schema this code reads and writes (store_schema.c has the list). */
#define STORE_SCHEMA_VERSION	4
/* PRAGMA application_id of our databases: "e4eR". */
#define STORE_APPLICATION_ID	0x65346552

/* Prepared statements of a writer's database, made on first use. */
enum store_stmt {
	STMT_FS_UPSERT,
	STMT_ORIGIN,
	STMT_EVENT,
	STMT_INSPECTION,
	STMT_FINDING,
	STMT_JOB,
	STMT_JOB_UPDATE,
	STMT_MAX
};

struct store_db {
	sqlite3 *db;
	char *path;
	bool is_spool;
	sqlite3_stmt *stmt[STMT_MAX];
};

/* A filesystem this handle has written about; its row id per database. */
struct store_fs {
	struct e4err_store_fs fs;	/* strings owned here */
	uint64_t row_gen;		/* st->db_gen when row_id was learnt */
	uint64_t row_txn;		/* st->txn_count when last upserted */
	int64_t row_id;
	uint64_t seen_ns;		/* newest time to record as last_seen */
};

enum store_op_kind {
	OP_NOTE_FS,
	OP_EVENT,
	OP_INSPECTION,
	OP_JOB,
	OP_JOB_UPDATE,
	OP_ENRICH,		/* store_enrich.c */
	OP_MARK,		/* store_enrich.c */
};

/* One write of the open transaction, with private copies of its data. */
struct store_op {
	enum store_op_kind kind;
	size_t fs;		/* index in st->fs */
	uint64_t seq;
	uint64_t time_ns;
	union {
		struct {
			struct e4err_event *ev;
			void *raw;
			size_t raw_len;
			char *warnings;
		} event;
		struct {
			struct e4err_store_inspection in;	/* strings owned */
		} insp;
		struct {
			char *kind, *reason;
			bool has_inode;
			uint64_t inode;
			struct e4err_store_job_update first;	/* strings owned */
		} job;
		struct {
			struct e4err_store_ref job;
			struct e4err_store_job_update u;	/* strings owned */
		} upd;
		struct {
			void *data;	/* owned; store_enrich.c knows it */
		} ext;
	};
};

struct e4err_store {
	struct e4err_store_options opt;	/* strings below own the paths */
	char *state_dir, *spool_dir, *whoami;
	char *db_path, *spool_path;
	char *moved_aside;
	bool reader;

	/* Writer: where records go now (the main database or the spool). */
	struct store_db *cur;
	bool spooling;
	uint64_t origin;
	uint64_t next_seq;
	uint64_t db_gen;	/* changes whenever cur changes or rolls back */
	uint64_t origin_gen;	/* db_gen in which the origin row was written */
	uint64_t txn_count;
	bool in_txn, implicit_txn;
	struct store_op *ops;
	size_t nops, ops_cap;
	struct store_fs *fs;
	size_t nfs, fs_cap;
	uint64_t since_prune;	/* events committed since the last prune */

	/* Reader (or a writer's own, opened on first query). */
	sqlite3 *rdb;
	bool spool_present;
	struct e4err_store *query;	/* writer: its reader handle */
	int schema_version;
};

/* store.c */
errcode_t store_sqlite_error(struct e4err_store *st, sqlite3 *db, int rc);
void store_notice(struct e4err_store *st, errcode_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
errcode_t store_exec(struct e4err_store *st, sqlite3 *db, const char *sql);
uint64_t store_now_ns(void);
errcode_t store_db_open_rw(struct e4err_store *st, bool spool,
			   struct store_db **out);
void store_db_close(struct store_db *d);
errcode_t store_open_recovering(struct e4err_store *st, bool spool,
			       struct store_db **out);
errcode_t store_write_failed(struct e4err_store *st, errcode_t err);
bool store_file_exists(const char *path);

/* store_schema.c */
errcode_t store_schema_version(struct e4err_store *st, sqlite3 *db,
			       const char *schema, int *version);
errcode_t store_schema_migrate(struct e4err_store *st, sqlite3 *db);

/* store_write.c */
errcode_t store_apply_op(struct e4err_store *st, const struct store_op *op);
void store_ops_clear(struct e4err_store *st);
void store_db_finalize(struct store_db *d);

/* store_write.c, for the other files' ops */
errcode_t store_start_op(struct e4err_store *st, enum store_op_kind kind,
			 const struct e4err_store_fs *fs, uint64_t time_ns,
			 struct store_op *op);
errcode_t store_run_op(struct e4err_store *st, struct store_op *op);

/* store_enrich.c */
errcode_t store_apply_ext(struct e4err_store *st, const struct store_op *op,
			  int64_t fs_id);
void store_ext_free(struct store_op *op);

/* store_merge.c */
errcode_t store_merge_into(struct e4err_store *st, struct store_db *main_db,
			   uint64_t *merged);

/* store_query.c */
errcode_t store_reader_views(struct e4err_store *st, bool have_main);

#endif /* E4ERR_STORE_INT_H */
