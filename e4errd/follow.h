/*
 * follow.h --- what `e4errd watch` and `e4errd daemon` share: the live
 * source and the mount table, followed from a poll() loop.
 *
 * Owns the fanotify source, the filesystems table, /proc/self/mountinfo
 * (POLLPRI on every mount and unmount) and the schedule of extra looks at
 * it after an error event (errors=remount-ro turns a filesystem
 * emergency_ro with no POLLPRI).  With no paths given it watches every
 * filesystem served by the ext4 driver and follows mounts and unmounts;
 * with paths, only the filesystems they lie on (and their later mounts at
 * the same places).  What to do with the bytes read and with filesystems
 * coming and going is up to the caller, through struct follow_ops.
 */
#ifndef E4ERR_FOLLOW_H
#define E4ERR_FOLLOW_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <et/com_err.h>

#include "fsmap.h"
#include "source.h"

struct follow_ops {
	/* A message for the log (prio as syslog's); msg is escaped already. */
	void (*say)(void *arg, int prio, const char *msg);
	/* The bytes of one read of a group; non-zero stops the loop. */
	errcode_t (*data)(void *arg, const struct e4err_source_data *data);
	/* Optional: fs is watched now (at start too), by group. */
	void (*added)(void *arg, const struct e4err_fs *fs, uint32_t group);
	/* Optional: a watched fs left the mount table. */
	void (*gone)(void *arg, const struct e4err_fs *fs);
	/* Optional: a watched fs changed (read-only state, mount point). */
	void (*changed)(void *arg, const struct e4err_fs *old,
			const struct e4err_fs *fs);
	/* Optional: a step of the after-error schedule is due. */
	void (*recheck)(void *arg);
};

struct follow {
	const struct follow_ops *ops;
	void *arg;

	/* Filesystems asked for; none means every one, followed. */
	char **want_paths;
	dev_t *want_devs;
	size_t nwant;

	struct e4err_fsmap *map;
	struct e4err_source *src;
	int mountinfo_fd;
	int timer_fd;		/* armed only while re-reads are pending */
	bool refresh;		/* re-read mountinfo before sleeping again */
	bool error_seen;	/* an error event: start the re-read schedule */
	size_t recheck;		/* next step of the schedule */
	errcode_t failed;	/* stop the loop: something went wrong */
};

/* Poll slots follow_fill() uses before the groups: mountinfo, timer. */
#define FOLLOW_FIXED_FDS	2
/* fanotify allows 128 groups per user. */
#define FOLLOW_MAX_GROUPS	128

/*
 * Read the mount table and resolve paths (npaths may be 0) to the
 * filesystems to watch; nothing is marked yet.  Errors are reported with
 * com_err.
 */
errcode_t follow_setup(struct follow *f, const struct follow_ops *ops,
		       void *arg, char **paths, int npaths);
/* Probe the kernel ABI, open the source and mark the filesystems. */
errcode_t follow_start(struct follow *f);
void follow_cleanup(struct follow *f);

/*
 * Fill pfd with mountinfo, the timer and one slot per group (its id in
 * ids[], same index); returns the number of slots used (at most max).
 */
size_t follow_fill(struct follow *f, struct pollfd *pfd, uint32_t *ids,
		   size_t max);
/* Handle what poll() said about the n slots follow_fill() returned. */
void follow_dispatch(struct follow *f, const struct pollfd *pfd,
		     const uint32_t *ids, size_t n);
/* An error event arrived: look at the mount table now and a bit later. */
void follow_error_seen(struct follow *f);
/* Look at the mount table again before sleeping (a remount, say). */
void follow_refresh_soon(struct follow *f);

/* The filesystem st_dev dev of the current table, or NULL. */
const struct e4err_fs *follow_find(const struct follow *f, dev_t dev);

#endif /* E4ERR_FOLLOW_H */
