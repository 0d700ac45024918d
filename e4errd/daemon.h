/*
 * daemon.h --- `e4errd daemon`: its top-level state, and how the files
 * that make it up share it.
 *
 *   cmd_daemon.c       options, configuration, start-up, detaching, stop
 *   daemon_loop.c      the poll() loop: signals, the kernel log, follow.c,
 *                      counters, inspection children, timers only while
 *                      work waits
 *   daemon_fs.c        the filesystems watched, as the daemon knows them
 *   daemon_events.c    one read: decode, attribute, store, flood control
 *   daemon_enrich.c    the enrich stage: kernel log, enriched records,
 *                      modes and lost reports
 *   daemon_marks.c     errors_count and the superblock: first sight, the
 *                      error marks, reports with no object to inspect
 *   daemon_inspect.c   inspections: queues, children, deadlines, results
 *   daemon_status.c    the status file for `e4errd status`
 *   daemon_log.c       syslog, com_err, sd_notify, capabilities, metrics
 *
 * Data flows one way: follow.c hands over raw reads, daemon_events.c
 * records them and hands them to enrich (lib/enrich.h), which matches them
 * with kernel log lines and superblocks; the enriched records are stored
 * and their objects inspected; daemon_inspect.c records what inspections
 * found.  Nothing here blocks on a device: superblock and sysfs reads are
 * served from memory, everything else runs in a child with a deadline.
 */
#ifndef E4ERR_DAEMON_H
#define E4ERR_DAEMON_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <et/com_err.h>

#include "conf.h"
#include "counters.h"
#include "enrich.h"
#include "event.h"
#include "follow.h"
#include "inspect.h"
#include "kmsg.h"
#include "store.h"

/* Inspection children at once, over all filesystems. */
#define DAEMON_MAX_INSPECTIONS	4
/* Inspections waiting per filesystem; beyond, new ones are not made. */
#define DAEMON_QUEUE_MAX	64
/* Objects remembered per filesystem for flood control. */
#define DAEMON_FLOOD_MAX	4096
/* Filesystems gone from the mount table still remembered (late events). */
#define DAEMON_GONE_MAX		64
/* Metrics are rewritten at most this often. */
#define DAEMON_METRICS_MIN_MS	5000
/* While spooling, how often to try to go back to the state directory. */
#define DAEMON_SPOOL_RETRY_MS	5000
/* The status file is rewritten at most this often. */
#define DAEMON_STATUS_MIN_MS	1000

struct daemon_options {
	bool foreground;
	const char *config_path;	/* NULL: E4ERR_CONFIG_FILE, may be missing */
	const char *state_dir;		/* overrides the configuration */
	char **paths;			/* overrides daemon.mountpoints */
	int npaths;
};

/* What an inspection is about, from the event that asked for it. */
struct daemon_request {
	bool has_inode;
	uint64_t inode;
	bool has_generation;
	uint32_t generation;
	bool has_block;
	uint64_t block;
	bool has_error;
	int32_t error;
	bool has_function;
	char function[E4ERR_FUNCTION_MAX + 1];
	bool has_event;
	struct e4err_store_ref event;
};

/* One object of a filesystem recently reported (flood control). */
struct daemon_flood {
	bool has_inode;
	uint64_t inode;
	bool has_block;
	uint64_t block;
	bool has_generation;
	uint32_t generation;
	uint64_t asked_ms;	/* when an inspection was last asked for */
	uint64_t events;	/* events counted on it since */
};

/* A filesystem being watched, or gone but still named by late events. */
struct daemon_fs {
	uint32_t group;		/* (group, fsid) name it, as events do */
	uint32_t fsid[2];
	dev_t dev;
	uint32_t major, minor;
	bool gone;
	uint64_t gone_ms;

	char *uuid;		/* the store's key: UUID, or "dev:<device>" */
	char *device;
	char *mountpoint;
	char *kname;		/* may be NULL */
	bool has_uuid_bytes;
	uint8_t uuid_bytes[16];

	int errors_fd;		/* /sys/fs/ext4/<kname>/errors_count, or -1 */
	bool has_mark;		/* its stored error mark was read */
	struct e4err_store_error_mark mark;	/* as last written */
	uint64_t lost_total;	/* lost reports recorded in total (the mark) */

	struct daemon_flood *flood;
	size_t nflood;
	struct daemon_request *queue;	/* FIFO of waiting inspections */
	size_t nqueue;
	uint64_t dropped;	/* requests refused while the queue was full */
	enum e4err_fs_mode mode_said;	/* as last logged */
	bool running;		/* one inspection at a time per filesystem */
	size_t stuck;		/* abandoned children not yet reaped */
	uint64_t events;	/* recorded since start */
};

/* An inspection child at work. */
struct daemon_run {
	bool active;
	struct daemon_fs *fs;
	struct daemon_request req;
	struct e4err_inspect_child child;
	uint64_t deadline_ms;
	uint64_t started_ms;
};

/* A child killed at its deadline but stuck in the kernel: reaped later. */
struct daemon_zombie {
	pid_t pid;
	int pidfd;		/* -1: poll for it on a timer */
	struct daemon_fs *fs;	/* NULL once the filesystem was dropped */
};

struct daemon {
	struct daemon_options opt;
	struct e4err_config cfg;
	struct follow follow;
	struct e4err_store *store;
	char *state_dir, *spool_dir;	/* as opened (a reload cannot move them) */
	bool has_state_id;	/* the state directory as opened, to know it again */
	dev_t state_dev;
	ino_t state_ino;
	uint32_t state_fsid[2];	/* statfs() f_fsid: the same after a remount */
	int signal_fd;
	int ready_fd;		/* detaching: tells the waiting parent, else -1 */

	struct daemon_fs **fs;
	size_t nfs;
	struct daemon_run run[DAEMON_MAX_INSPECTIONS];
	struct daemon_zombie *zombies;
	size_t nzombies;
	size_t next_fs;		/* round robin over filesystems with work */

	bool ready;
	bool stop;
	errcode_t failed;
	uint64_t events;	/* recorded since start */
	bool spooling;
	uint64_t spool_retry_ms;
	bool metrics_dirty;
	uint64_t metrics_last_ms;

	/* The enrich stage (daemon_enrich.c) and the status file. */
	struct e4err_enrich *en;
	struct e4err_enriched *rec;	/* where records are popped to */
	struct e4err_kmsg *km;		/* NULL: the kernel log is not read */
	errcode_t kmsg_err;		/* why not */
	uint64_t enrich_next_ms;	/* e4err_enrich_tick() due; 0: nothing waits */
	uint64_t started_ms;
	char *status_path;
	bool status_dirty;
	uint64_t status_last_ms;
	errcode_t status_err;		/* of the last write, said once */
};

/* daemon_log.c: logging (a process has one log, so its settings are static). */
void dlog_open(void);
void dlog_detached(void);
void dlog_set_level(int level);
void dlog(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dlog_store_notice(void *arg, errcode_t code, const char *text);
void dnotify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *desc(char *buf, size_t len, const char *s);
errcode_t daemon_check_caps(void);
bool daemon_can_read_devices(void);
void daemon_metrics(struct daemon *d, bool force);
errcode_t daemon_reader(struct daemon *d, struct e4err_store **rd);
uint64_t mono_ms(void);
uint64_t real_ns(void);

/* daemon_fs.c */
extern const struct follow_ops daemon_follow_ops;
struct daemon_fs *daemon_fs_find(struct daemon *d, uint32_t group,
				 const uint32_t fsid[2]);
void daemon_fs_store_view(const struct daemon_fs *fs,
			  struct e4err_store_fs *out);
void daemon_fs_free_all(struct daemon *d);

/* daemon_events.c */
errcode_t daemon_data(void *arg, const struct e4err_source_data *data);
void daemon_consider(struct daemon *d, struct daemon_fs *fs,
		     const struct daemon_request *r, uint64_t now_ms);

/* daemon_enrich.c */
errcode_t daemon_enrich_start(struct daemon *d);
void daemon_enrich_stop(struct daemon *d);
void daemon_kmsg_drain(struct daemon *d);
uint64_t daemon_enrich_due(const struct daemon *d);
void daemon_enrich_timers(struct daemon *d);
void daemon_enrich_drain(struct daemon *d);

/* daemon_inspect.c */
void daemon_inspect_request(struct daemon *d, struct daemon_fs *fs,
			    const struct daemon_request *req);
void daemon_inspect_kick(struct daemon *d);
void daemon_inspect_collect(struct daemon *d, struct daemon_run *r);
void daemon_inspect_deadlines(struct daemon *d, uint64_t now_ms);
void daemon_inspect_reap(struct daemon *d, struct daemon_zombie *z);
void daemon_inspect_stop(struct daemon *d);
void daemon_inspect_forget_fs(struct daemon *d, struct daemon_fs *fs);
errcode_t daemon_report_to_policy(struct daemon *d, struct daemon_fs *fs,
				  const struct e4err_store_inspection *in);

/* daemon_marks.c */
void daemon_counters_first_sight(struct daemon *d, struct daemon_fs *fs,
				 bool read_only);
void daemon_counters_check(struct daemon *d, struct daemon_fs *fs);
void daemon_mark_move(struct daemon *d, struct daemon_fs *fs);
void daemon_record_lost(struct daemon *d, struct daemon_fs *fs, uint64_t n,
			const struct e4err_enrich_fs_info *info);

/* daemon_status.c */
void daemon_status_write(struct daemon *d, bool force);
uint64_t daemon_status_due(const struct daemon *d);

/* cmd_daemon.c */
void daemon_reload(struct daemon *d);

/* daemon_loop.c */
void daemon_loop(struct daemon *d);
void daemon_spool_check(struct daemon *d);

#endif /* E4ERR_DAEMON_H */
