/*
 * store.h --- the findings store: events, inspections, findings, jobs.
 *
 * Owns the SQLite database under the state directory (docs/STORE.md):
 * its schema and migrations, durability (WAL, synchronous=FULL: once
 * e4err_store_commit() returns 0 the data survives kill -9 and power
 * loss), retention, the spool under /run used while the state directory
 * cannot be written, and the queries `e4errd report` is built on.
 *
 * One writer handle per daemon; any number of reader handles (report)
 * alongside it, never blocking it.  Everything is identified by a
 * reference (origin, seq) that stays the same in the spool and after the
 * spool is merged back, so the caller never sees a database row id.
 * Kernel strings are stored as the raw bytes the kernel sent: escape on
 * output.
 */
#ifndef E4ERR_STORE_H
#define E4ERR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#include "event.h"

/* /var/lib/e4errd when configured with --localstatedir=/var. */
#ifdef LOCALSTATEDIR
#define E4ERR_STORE_DEFAULT_DIR		LOCALSTATEDIR "/lib/e4errd"
#else
#define E4ERR_STORE_DEFAULT_DIR		"/var/lib/e4errd"
#endif
#define E4ERR_STORE_DEFAULT_SPOOL_DIR	"/run/e4errd"
#define E4ERR_STORE_DB_NAME		"e4errd.db"
#define E4ERR_STORE_SPOOL_NAME		"spool.db"

struct e4err_store;

/* What a store object is called everywhere: (origin, seq). */
struct e4err_store_ref {
	uint64_t origin;	/* random id of the writer handle that made it */
	uint64_t seq;		/* its sequence number within that origin */
};

/* Retention: 0 means no limit.  Defaults in e4err_store_options_init(). */
struct e4err_store_retention {
	uint64_t max_events_per_fs;
	uint64_t max_age_s;		/* only resolved events are aged out */
	uint64_t max_jobs_per_fs;
};

struct e4err_store_options {
	const char *state_dir;		/* NULL: E4ERR_STORE_DEFAULT_DIR */
	const char *spool_dir;		/* NULL: E4ERR_STORE_DEFAULT_SPOOL_DIR */
	const char *whoami;		/* com_err's first word; NULL: "e4errd" */
	unsigned int busy_timeout_ms;	/* 0: 5000 for writers, 2000 for readers */
	bool quick_check;		/* writer: PRAGMA quick_check at open */
	struct e4err_store_retention retention;
	/*
	 * Notices the caller should log (database moved aside, spooling
	 * started or ended).  NULL: com_err(whoami, code, "%s", text).
	 */
	void (*notice)(void *arg, errcode_t code, const char *text);
	void *notice_arg;
};

/* A filesystem as the caller knows it; uuid is the key and required. */
struct e4err_store_fs {
	const char *uuid;	/* lower-case UUID; without one, e.g. "dev:/dev/sdb1" */
	const char *device;	/* /dev/loop0, or NULL */
	const char *mountpoint;	/* or NULL */
	const char *kname;	/* kernel's device name (loop0), or NULL */
	bool has_fsid;
	uint32_t fsid[2];
};

/* One finding of an inspection (written by the inspector, stored as is). */
struct e4err_store_finding {
	const char *code;	/* stable code, e.g. "dir_block_checksum" */
	const char *object;	/* "inode 12", "block 4385", "group 3", or NULL */
	const char *message;	/* readable; may carry on-disk bytes */
	const char *errcode_name;	/* libext2fs error name, or NULL */
	bool related;		/* explains the report (false: found on the way) */
};

struct e4err_store_inspection {
	bool has_event;
	struct e4err_store_ref event;	/* the event that asked for it */
	bool has_inode;
	uint64_t inode;
	uint64_t time_ns;
	const char *verdict;	/* confirmed, not_confirmed, stale, inconclusive */
	const char *reason;	/* why (inconclusive), or NULL */
	bool truncated;		/* work cap reached */
	size_t nfindings;
	const struct e4err_store_finding *findings;
};

/* A new state or outcome of a job (a check, a hook run). */
struct e4err_store_job_update {
	uint64_t time_ns;
	const char *state;	/* queued, deferred, running, done, failed, ... */
	bool has_exit_status;
	int32_t exit_status;
	const char *result;	/* clean, corrupt, repaired, refused..., or NULL */
	const char *detail;	/* output excerpt or reason, or NULL */
	/* The outcome clears earlier errors of the filesystem (for retention). */
	bool resolves;
	/* No update will follow: retention may remove the job. */
	bool final;
};

/* Open a writer (the daemon).  E4ERR_STORE_NEWER when the schema is newer. */
void e4err_store_options_init(struct e4err_store_options *opt);
errcode_t e4err_store_open(const struct e4err_store_options *opt,
			   struct e4err_store **st);
/* Open a reader (report): read-only, works on a read-only state dir. */
errcode_t e4err_store_open_reader(const struct e4err_store_options *opt,
				  struct e4err_store **st);
/* Closes; an open transaction is rolled back (nothing of it recorded). */
void e4err_store_close(struct e4err_store *st);

/*
 * Group writes: everything between begin and a successful commit lands
 * together.  Without begin, each write commits on its own (one fsync
 * each).  On any error the whole transaction is discarded.  When the
 * state directory stops being writable (EROFS, ENOSPC, I/O error) the
 * transaction is redone in the spool and commit still succeeds.
 */
errcode_t e4err_store_begin(struct e4err_store *st);
errcode_t e4err_store_commit(struct e4err_store *st);
void e4err_store_rollback(struct e4err_store *st);
/* Writes waiting in the open transaction: commit before it grows large. */
size_t e4err_store_pending(const struct e4err_store *st);

/* Record that a filesystem is watched (updates device, mount point). */
errcode_t e4err_store_note_fs(struct e4err_store *st,
			      const struct e4err_store_fs *fs, uint64_t time_ns);
/*
 * Record one decoded event received at time_ns.  raw/raw_len: the
 * event's bytes with every uninitialised byte already removed (may be
 * NULL/0).  *ref (may be NULL) names it for e4err_store_add_inspection().
 */
errcode_t e4err_store_add_event(struct e4err_store *st,
				const struct e4err_store_fs *fs,
				const struct e4err_event *ev, uint64_t time_ns,
				const void *raw, size_t raw_len,
				struct e4err_store_ref *ref);
errcode_t e4err_store_add_inspection(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_inspection *in,
				     struct e4err_store_ref *ref);
/* A job and its first state; update it later by its reference. */
errcode_t e4err_store_add_job(struct e4err_store *st,
			      const struct e4err_store_fs *fs, const char *kind,
			      const char *reason, bool has_inode, uint64_t inode,
			      const struct e4err_store_job_update *first,
			      struct e4err_store_ref *ref);
errcode_t e4err_store_update_job(struct e4err_store *st,
				 const struct e4err_store_ref *job,
				 const struct e4err_store_job_update *u);

/*
 * Apply the retention limits now (the writer also does this by itself
 * every few thousand events).  *pruned (may be NULL): events removed.
 */
errcode_t e4err_store_prune(struct e4err_store *st, uint64_t now_ns,
			    uint64_t *pruned);

/*
 * While spooling: when the state directory is writable again, move every
 * spooled record into the main database and go back to it.  Idempotent
 * and safe to interrupt (kill -9): each record lands exactly once.  Also
 * merges a spool left by an earlier run.  0 when there was nothing left
 * to merge; E4ERR_STORE_SPOOLING (still spooling) or another error
 * otherwise.  *merged (may be NULL): events moved.  Not inside a
 * transaction.
 */
errcode_t e4err_store_try_merge_spool(struct e4err_store *st,
				      uint64_t *merged);

struct e4err_store_info {
	const char *db_path;
	const char *spool_path;
	bool spooling;		/* writer: new records go to the spool */
	bool spool_present;	/* reader: a spool was found and is included */
	int schema_version;
	const char *moved_aside;	/* corrupt database renamed to this, or NULL */
};
void e4err_store_get_info(const struct e4err_store *st,
			  struct e4err_store_info *info);

/* ---- Queries (readers; a writer sees what it has committed) ---- */

struct e4err_store_filter {
	bool has_since;
	uint64_t since_ns;	/* events, inspections and jobs at or after */
	const char *fs;		/* UUID, device or mount point; NULL: all */
	const char *fs_alt;	/* a second spelling (realpath), or NULL */
	bool has_inode;
	uint64_t inode;
};

struct e4err_store_fs_summary {
	const char *uuid;
	const char *device, *mountpoint, *kname;	/* may be NULL */
	bool has_fsid;
	uint32_t fsid[2];
	uint64_t first_seen_ns, last_seen_ns;	/* when the daemon noted it */
	uint64_t events;	/* kept events matching the filter */
	uint64_t errors;	/* their error_count sum (1 where absent) */
	uint64_t pruned_events, pruned_errors;	/* removed by retention */
	bool has_first_error;
	uint64_t first_error_ns, last_error_ns;
};

struct e4err_store_inode_summary {
	bool has_inode;		/* false: errors naming no inode */
	uint64_t inode;
	bool has_generation;
	uint32_t generation;	/* from the newest event */
	uint64_t events, errors;
	uint64_t first_ns, last_ns;
	/* The newest event's details; strings are raw kernel bytes. */
	bool has_error;
	int32_t error;
	bool has_block;
	uint64_t block;
	const char *function;
	size_t function_len;
	bool has_line;
	int32_t line;
	const char *desc;
	size_t desc_len;
	/* The newest inspection of this inode, if any. */
	bool has_inspection;
	struct e4err_store_ref inspection;
	uint64_t inspected_ns;
	const char *verdict;
	const char *reason;
	bool truncated;
};

struct e4err_store_job_info {
	struct e4err_store_ref ref;
	const char *fs_uuid;
	const char *kind, *reason;
	bool has_inode;
	uint64_t inode;
	uint64_t created_ns, updated_ns;
	bool has_started;
	uint64_t started_ns;	/* first update in state "running" */
	const char *state, *result, *detail;	/* of the newest update */
	bool has_exit_status;
	int32_t exit_status;
	bool resolves, final;
};

struct e4err_store_event_row {
	struct e4err_store_ref ref;
	const char *fs_uuid;
	enum e4err_abi abi;
	uint64_t time_ns;
	uint64_t mask;
	int32_t pid;
	bool has_error;
	int32_t error;
	bool has_error_count;
	uint32_t error_count;
	bool has_inode;
	uint64_t inode;
	bool inode_is_placeholder;
	bool has_generation;
	uint32_t generation;
	bool has_block;
	uint64_t block;
	const char *function;
	size_t function_len;
	bool has_line;
	int32_t line;
	const char *desc;
	size_t desc_len;
	const void *raw;
	size_t raw_len;
	const char *warnings;	/* "; "-separated, or NULL */
};

/*
 * Each query calls cb once per row; the row's pointers are valid only
 * during the call.  A non-zero return from cb stops the query and is
 * returned.  Filesystems and inodes come newest error first.
 */
errcode_t e4err_store_query_filesystems(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_fs_summary *fs), void *arg);
errcode_t e4err_store_query_inodes(struct e4err_store *st, const char *uuid,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_inode_summary *in),
	void *arg);
errcode_t e4err_store_query_findings(struct e4err_store *st,
	const struct e4err_store_ref *inspection,
	int (*cb)(void *arg, const struct e4err_store_finding *fd), void *arg);
/* Jobs of one filesystem (uuid) or all (NULL), newest first. */
errcode_t e4err_store_query_jobs(struct e4err_store *st, const char *uuid,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_job_info *job), void *arg);
/* Events, oldest first. */
errcode_t e4err_store_query_events(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_event_row *ev), void *arg);
/* How many (filesystem, inode) have each newest verdict / jobs each state. */
errcode_t e4err_store_count_verdicts(struct e4err_store *st,
	int (*cb)(void *arg, const char *verdict, uint64_t n), void *arg);
errcode_t e4err_store_count_job_states(struct e4err_store *st,
	int (*cb)(void *arg, const char *state, uint64_t n), void *arg);

/* ---- Enrichment (lib/enrich.h, docs/ENRICH.md) ---- */

/*
 * One object of an enriched error: the event's own (idx 0) or one the
 * kernel folded into it, recovered from the log or the superblock.
 * Strings are raw kernel bytes with their lengths (NULL: absent).
 */
struct e4err_store_enrichment {
	uint32_t idx;
	bool has_inode;
	uint64_t inode;
	bool has_block;
	uint64_t block;
	const char *function;
	size_t function_len;
	bool has_line;
	uint32_t line;
	bool has_group;
	uint32_t group;
	const char *comm;
	size_t comm_len;
	const char *path;
	size_t path_len;
	const char *message;
	size_t message_len;
	bool has_kmsg_seq;
	uint64_t kmsg_seq;
	/* {"inode":["event","kmsg"],...}: where each field came from. */
	const char *sources;
};

/*
 * Record the n objects of one error: of the recorded event *event, or
 * (event NULL) of an error known from the kernel log only.
 */
errcode_t e4err_store_add_enrichment(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_ref *event,
				     const struct e4err_store_enrichment *objs,
				     size_t n, uint64_t time_ns,
				     struct e4err_store_ref *ref);

/*
 * What was last accounted for of a filesystem's superblock error fields,
 * so errors the superblock remembers are recorded once, not at every
 * restart.
 */
struct e4err_store_error_mark {
	bool known;
	uint32_t error_count;	/* s_error_count */
	uint64_t first_time;	/* s_first_error_time, 0: none */
	uint64_t last_time;	/* s_last_error_time, 0: none */
	uint64_t updated_ns;	/* when written */
	/*
	 * Errors counted that reached e4errd as no event (lost_reports,
	 * lib/lost.h), in total since e4errd first watched the filesystem.
	 */
	uint64_t lost_reports;
};

errcode_t e4err_store_set_error_mark(struct e4err_store *st,
				     const struct e4err_store_fs *fs,
				     const struct e4err_store_error_mark *m);
/* The mark of filesystem uuid; m->known false when none was recorded. */
errcode_t e4err_store_get_error_mark(struct e4err_store *st, const char *uuid,
				     struct e4err_store_error_mark *m);

struct e4err_store_enrichment_row {
	struct e4err_store_ref ref;
	const char *fs_uuid;
	bool has_event;
	struct e4err_store_ref event;
	uint64_t time_ns;
	struct e4err_store_enrichment e;
};

/* Enrichment rows matching f (fs, inode, since), oldest first. */
errcode_t e4err_store_query_enrichments(struct e4err_store *st,
	const struct e4err_store_filter *f,
	int (*cb)(void *arg, const struct e4err_store_enrichment_row *row),
	void *arg);

#endif /* E4ERR_STORE_H */
