/*
 * enrich.h --- making a mainline event as rich as an RFC one, and finding
 * the errors no event reported.
 *
 * Owns the correlation of three sources per filesystem: decoded events,
 * ext4's kernel log lines (kmsg.h) and the superblock's error fields and
 * counter (counters.h), plus the accounting of lost reports and the mode
 * of each filesystem (lost.h).  The caller (the daemon's loop, or a test
 * tool) owns the file descriptors and the clock; this module keeps
 * bounded buffers and says when it next needs to be called.
 *
 * Matching (docs/ENRICH.md has the details and why):
 *   - a line belongs to the filesystem whose kernel name (loop0, dm-0,
 *     sda1: what /sys/fs/ext4/ and the log call it) it names;
 *   - an event's own object matches the oldest unmatched error line of its
 *     filesystem naming the same inode (or, for an event naming no inode,
 *     a line naming none), received at most E4ERR_ENRICH_WINDOW_MS before
 *     the event or E4ERR_ENRICH_SETTLE_MS after it;
 *   - an event with error_count N > 1 folded N errors of one process: up
 *     to N - 1 further lines of the same filesystem and the same comm
 *     (pid where the kernel log names it), printed before the event was
 *     read (or during the settle time), are its other objects;
 *   - the superblock, read a moment after the error (bounded retries on
 *     a timer), gives function, line, block of its last error where the
 *     log line is missing (ratelimited) and the error's inode agrees.
 * Every field says where it came from: event, kmsg or superblock.
 * Lines no event claims within the window come out as records of their
 * own (has_event false): errors that sent no event, or whose event was
 * lost.
 */
#ifndef E4ERR_ENRICH_H
#define E4ERR_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>
#include <jansson.h>

#include "counters.h"
#include "event.h"
#include "kmsg.h"
#include "lost.h"
#include "store.h"

/* A line and the event of the same error are received this close. */
#define E4ERR_ENRICH_WINDOW_MS	5000
/* An event waits this long for lines printed after it was read. */
#define E4ERR_ENRICH_SETTLE_MS	500
/* Superblock reads after an event, in ms after it; then it is given up. */
#define E4ERR_ENRICH_SB_TRIES	4
/* Recent lines and waiting events kept per filesystem. */
#define E4ERR_ENRICH_LINES_MAX	64
#define E4ERR_ENRICH_EVENTS_MAX	64
/* Objects kept per record: its own and the ones recovered for a merge. */
#define E4ERR_ENRICH_OBJECTS_MAX	8
/* Finished records waiting for e4err_enrich_pop(). */
#define E4ERR_ENRICH_OUT_MAX	1024

/* Where a field came from; a field's sources are a set. */
#define E4ERR_SRC_EVENT		0x1
#define E4ERR_SRC_KMSG		0x2
#define E4ERR_SRC_SUPERBLOCK	0x4

/* One filesystem object an error was about, with every field's source. */
struct e4err_enriched_object {
	bool has_inode;
	uint64_t inode;
	uint8_t inode_src;
	bool has_block;
	uint64_t block;
	uint8_t block_src;
	bool has_function;
	char function[E4ERR_FUNCTION_MAX + 1];
	uint8_t function_src;
	bool has_line;
	uint32_t line;
	uint8_t line_src;
	bool has_group;
	uint32_t group;		/* mballoc's group-locked errors */
	bool has_errcode;	/* superblock's EXT4_ERR_* of its last error */
	uint8_t errcode;
	/* From the log line: raw bytes, bounded as in kmsg.h. */
	bool has_comm;
	size_t comm_len;
	char comm[E4ERR_KLOG_COMM_MAX + 1];
	bool has_path;
	size_t path_len;
	char path[E4ERR_KLOG_PATH_MAX + 1];
	bool has_message;
	size_t message_len;
	char message[E4ERR_KLOG_MSG_MAX + 1];
	bool has_kmsg;
	uint64_t kmsg_seq;
	uint64_t kmsg_ts_usec;
	enum e4err_klog_kind kmsg_kind;
	uint8_t sources;	/* union of the fields' sources */
};

/* One error report, enriched; or one error known from the log only. */
struct e4err_enriched {
	void *fs;		/* the caller's cookie of the filesystem */
	bool has_event;
	struct e4err_event ev;	/* as decoded (fds already closed by the caller) */
	bool has_ref;
	struct e4err_store_ref ref;	/* the caller's name for the event */
	uint64_t received_ms;
	uint64_t errors;	/* error_count, 1 without one */
	size_t nobjects;
	struct e4err_enriched_object obj[E4ERR_ENRICH_OBJECTS_MAX];
	uint64_t unrecovered;	/* errors - nobjects, when positive */
	uint32_t suppressed;	/* lines ext4's ratelimit dropped around it */
	bool has_sb;
	struct e4err_sb_errors sb;	/* as read after the error */
	bool sb_counted;	/* the superblock had counted the error */
	bool fs_gone;		/* finished early: the filesystem went away */
};

/* What one filesystem looks like to the status and to the log. */
struct e4err_enrich_fs_info {
	void *fs;
	const char *kname;
	const char *device;
	bool gone;
	struct e4err_fsmode mode;
	struct e4err_lost lost;
	bool has_counter;
	uint32_t counter;
	uint64_t events, lines, lines_alone, quiet_lines;
	bool has_last;
	struct e4err_enriched_object last;	/* the newest error's object */
	uint64_t last_ms;
};

struct e4err_enrich_stats {
	uint64_t events, lines, lines_unknown_fs, matched, recovered,
		 lines_alone, sb_reads, sb_failed, overflows;
};

struct e4err_enrich;

errcode_t e4err_enrich_new(bool abi_available, struct e4err_enrich **en);
void e4err_enrich_free(struct e4err_enrich *en);

/*
 * A filesystem to follow, named by cookie: kname as the kernel names it
 * (may be NULL: no lines will match), device to read its superblock.
 * marked: an error mark was placed.  counter: errors_count at first sight
 * (has_counter false when unreadable).
 */
errcode_t e4err_enrich_add_fs(struct e4err_enrich *en, void *fs,
			      const char *kname, const char *device,
			      bool marked, bool has_counter, uint32_t counter,
			      uint64_t now_ms);
/* Mounted read-only: ext4 writes no superblock, do not wait for it. */
void e4err_enrich_set_read_only(struct e4err_enrich *en, void *fs, bool ro);
/*
 * The filesystem left the mount table: its waiting events finish now
 * (fs_gone) and nothing reads its device again; late events and lines (a
 * lazy unmount keeps it alive) are still matched, from the log only.
 */
void e4err_enrich_fs_gone(struct e4err_enrich *en, void *fs, uint64_t now_ms);
/* Forget the filesystem: everything waiting for it comes out now. */
void e4err_enrich_remove_fs(struct e4err_enrich *en, void *fs,
			    uint64_t now_ms);

/* One kernel log line (from e4err_kmsg_read's callback). */
void e4err_enrich_line(struct e4err_enrich *en, const struct e4err_klog *l,
		       uint64_t now_ms);
/*
 * One decoded event of filesystem fs (ref may be NULL).  Drain the kernel
 * log first (e4err_kmsg_read) so the lines printed before it are in.
 * A queue overflow (ev->overflow) asks for a rescan of every counter.
 */
void e4err_enrich_event(struct e4err_enrich *en, void *fs,
			const struct e4err_event *ev,
			const struct e4err_store_ref *ref, uint64_t now_ms);
/* The filesystem's error counter reads value (POLLPRI, or a rescan). */
void e4err_enrich_counter(struct e4err_enrich *en, void *fs, uint32_t value,
			  uint64_t now_ms);
/*
 * Read every filesystem's counter now (after FAN_Q_OVERFLOW, or at any
 * time): /sys/fs/ext4/<kname>/errors_count, else the superblock.
 */
void e4err_enrich_rescan(struct e4err_enrich *en, uint64_t now_ms);
/* True when an overflow asked for a rescan not done yet. */
bool e4err_enrich_rescan_wanted(const struct e4err_enrich *en);

/*
 * Do what is due: superblock reads, finishing events and lines, settling
 * the lost-report accounting.  Returns the CLOCK_MONOTONIC ms at which to
 * call again, 0 when nothing waits.  Never blocks on anything but a
 * buffered 1 KiB pread of a superblock the kernel keeps in memory.
 */
uint64_t e4err_enrich_tick(struct e4err_enrich *en, uint64_t now_ms);
/* Finish everything now (stopping): no more superblock reads. */
void e4err_enrich_flush(struct e4err_enrich *en, uint64_t now_ms);

/* The next finished record, oldest first; false when none is ready. */
bool e4err_enrich_pop(struct e4err_enrich *en, struct e4err_enriched *out);

/*
 * What happened to the modes and losses since the last call, for the log:
 * fills *info for one filesystem whose mode changed or that lost reports,
 * and returns true; false when nothing is left to say.
 */
bool e4err_enrich_news(struct e4err_enrich *en,
		       struct e4err_enrich_fs_info *info, uint64_t *new_lost);

/* Every filesystem, for the status file: count, then one by index. */
size_t e4err_enrich_nfs(const struct e4err_enrich *en);
bool e4err_enrich_fs_info(const struct e4err_enrich *en, size_t i,
			  struct e4err_enrich_fs_info *info);
const struct e4err_enrich_stats *e4err_enrich_get_stats(const struct e4err_enrich *en);

/* ---- output ---------------------------------------------------------------- */

/* "event,kmsg" for a set of sources (static strings). */
const char *e4err_src_names(uint8_t src);
/* A JSON object of one object / one record (kernel strings are raw bytes). */
json_t *e4err_enriched_object_to_json(const struct e4err_enriched_object *o);
json_t *e4err_enriched_to_json(const struct e4err_enriched *r);

/*
 * Record an enriched record in the store: one row per object, each with
 * its sources, tied to r->ref when r->has_ref (the recorded event).
 */
errcode_t e4err_enrich_store(struct e4err_store *st,
			     const struct e4err_store_fs *fs,
			     const struct e4err_enriched *r, uint64_t time_ns);

/* ---- first sight ------------------------------------------------------------ */

struct e4err_first_sight {
	bool reset;		/* the counter or first error changed under us */
	bool first_new;		/* s_first_error_* not recorded before */
	bool last_new;		/* s_last_error_* not recorded before */
	uint32_t unrecorded;	/* errors counted that nobody recorded */
	struct e4err_store_error_mark mark;	/* what to record now */
};

/*
 * Compare the superblock (sb) with what was recorded (stored, may be
 * unknown) and the errors events recorded since stored->updated_ns
 * (explained): what the superblock remembers that was never recorded --
 * errors while nothing watched, during mount or journal replay.  Pure.
 */
void e4err_first_sight(const struct e4err_store_error_mark *stored,
		       const struct e4err_sb_errors *sb, uint64_t explained,
		       uint64_t now_ns, struct e4err_first_sight *out);

#endif /* E4ERR_ENRICH_H */
