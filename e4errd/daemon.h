/*
 * daemon.h --- `e4errd daemon`: its top-level state, and how the files
 * that make it up share it.
 *
 *   cmd_daemon.c       options, configuration, start-up, detaching, stop
 *   daemon_loop.c      the poll() loop: signals, follow.c, counters,
 *                      inspection children, timers only while work waits
 *   daemon_fs.c        the filesystems watched, as the daemon knows them
 *   daemon_events.c    one read: decode, attribute, store, flood control
 *   daemon_inspect.c   inspections: queues, children, deadlines, results
 *   daemon_counters.c  errors_count and the superblock: errors no event told
 *   daemon_log.c       syslog, com_err, sd_notify, capabilities, metrics
 *
 * Data flows one way: follow.c hands over raw reads, daemon_events.c
 * records them and asks for inspections, daemon_inspect.c records what
 * they found.  Nothing here blocks on a device: superblock and sysfs reads
 * are served from memory, everything else runs in a child with a deadline.
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
#include "event.h"
#include "follow.h"
#include "inspect.h"
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
	struct e4err_counter counter;

	struct daemon_flood *flood;
	size_t nflood;
	struct daemon_request *queue;	/* FIFO of waiting inspections */
	size_t nqueue;
	uint64_t dropped;	/* requests refused while the queue was full */
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

/* daemon_inspect.c */
void daemon_inspect_request(struct daemon *d, struct daemon_fs *fs,
			    const struct daemon_request *req);
void daemon_inspect_kick(struct daemon *d);
void daemon_inspect_collect(struct daemon *d, struct daemon_run *r);
void daemon_inspect_deadlines(struct daemon *d, uint64_t now_ms);
void daemon_inspect_reap(struct daemon *d, struct daemon_zombie *z);
void daemon_inspect_stop(struct daemon *d);
void daemon_inspect_forget_fs(struct daemon *d, struct daemon_fs *fs);
errcode_t daemon_store_inspection(struct daemon *d, struct daemon_fs *fs,
				  const struct e4err_store_inspection *in);

/* daemon_counters.c */
void daemon_counters_first_sight(struct daemon *d, struct daemon_fs *fs);
void daemon_counters_check(struct daemon *d, struct daemon_fs *fs);
void daemon_counters_explain(struct daemon_fs *fs,
			     const struct e4err_event *ev);

/* cmd_daemon.c */
void daemon_reload(struct daemon *d);

/* daemon_loop.c */
void daemon_loop(struct daemon *d);
void daemon_spool_check(struct daemon *d);

#endif /* E4ERR_DAEMON_H */
