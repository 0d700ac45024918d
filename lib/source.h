/*
 * source.h --- the live source: fanotify groups and marks for filesystem
 * error events.
 *
 * Owns the kernel ABI probe, the fanotify groups, their marks and the read
 * buffer.  One group is shared by all filesystems; a filesystem whose fsid
 * is already watched by a group (an ext4 clone: same UUID, same fsid) goes
 * into a group of its own, so an event's (group, fsid) always names exactly
 * one filesystem.  Reads hand back the raw bytes for capture and decode;
 * this module never parses an event.
 */
#ifndef E4ERR_SOURCE_H
#define E4ERR_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <et/com_err.h>

#include "event.h"
#include "fsmap.h"

/*
 * Read sizes.  The RFC kernel copies each event under kmap_atomic: a page
 * that is not resident fails the read with EFAULT after consuming the
 * event, so the buffer is mlock'd and pre-faulted; it can also write 24
 * bytes past count, so count leaves slack at the end.  Mainline is read the
 * same way.
 */
#define E4ERR_SOURCE_READ_COUNT	(64 * 1024 + 4096)
#define E4ERR_SOURCE_SLACK	4096

/* What one group watches: a live mark, or one whose filesystem went away. */
struct e4err_source_mark {
	dev_t dev;
	uint32_t fsid[2];	/* statfs() f_fsid when the mark was placed */
	char *mountpoint;
	char *device;
	/*
	 * The filesystem left the mount table.  A lazy unmount keeps the
	 * superblock and so the mark alive: its fsid stays reserved in this
	 * group, and a late event is still attributed to it.
	 */
	bool gone;
};

/* The bytes of one read(2), valid until the next read. */
struct e4err_source_data {
	enum e4err_abi abi;
	uint32_t group;
	uint64_t time_ns;	/* CLOCK_REALTIME when read(2) returned */
	const unsigned char *buf;
	size_t len;		/* 0: nothing to read (EAGAIN) */
};

struct e4err_source;

/*
 * Which error ABI the kernel offers, probed through path (a mount point of
 * a filesystem to be watched; any path when there is none yet).  The RFC
 * probe uses a notification-class group only, where its FAN_ERROR bit
 * cannot become a blocking pre-access watch, and is closed at once.
 * E4ERR_NO_ERROR_ABI when neither is there; why always says what was found
 * (kernel release, what it lacks).
 */
errcode_t e4err_source_probe(const char *path, enum e4err_abi *abi,
			     char *why, size_t whylen);

/* Set up a source for the given ABI (no group until the first mark). */
errcode_t e4err_source_open(enum e4err_abi abi, struct e4err_source **src);
void e4err_source_close(struct e4err_source *src);
enum e4err_abi e4err_source_abi(const struct e4err_source *src);

/*
 * Mark fs for error events, reaching it through its mount point (checked to
 * be on fs->dev) and recording statfs() f_fsid.  *group says which group
 * took it.  ENOENT/ENODEV: the filesystem went away meanwhile;
 * E4ERR_DEVICE_CHANGED: its mount point no longer leads to it.
 */
errcode_t e4err_source_add(struct e4err_source *src, const struct e4err_fs *fs,
			   uint32_t *group);

/* True when a live mark for dev exists. */
bool e4err_source_watches(const struct e4err_source *src, dev_t dev);

/* The filesystem is mounted elsewhere now: rename its marks. */
errcode_t e4err_source_rename(struct e4err_source *src, dev_t dev,
			      const char *mountpoint);

/*
 * The filesystem left the mount table: its marks become gone.  A group left
 * with no live mark is flagged closing: read it dry, then
 * e4err_source_reap() closes it (and so drops any mark a lazy unmount kept).
 */
void e4err_source_forget(struct e4err_source *src, dev_t dev);
void e4err_source_reap(struct e4err_source *src);

/* The groups, for poll(): count, then fd and id of group i. */
size_t e4err_source_ngroups(const struct e4err_source *src);
int e4err_source_group_fd(const struct e4err_source *src, size_t i,
			  uint32_t *id, bool *closing);
/* Number of live marks. */
size_t e4err_source_nmarks(const struct e4err_source *src);

/*
 * One read(2) of group id (retrying EINTR).  out->len is 0 when there was
 * nothing to read.  out->buf is valid until the next read.
 */
errcode_t e4err_source_read(struct e4err_source *src, uint32_t group,
			    struct e4err_source_data *out);

/*
 * The mark an event read from group belongs to: the one with the event's
 * fsid, or for an event without fsid (an overflow) the group's only mark.
 * NULL when that cannot be decided.
 */
const struct e4err_source_mark *
e4err_source_attribute(const struct e4err_source *src, uint32_t group,
		       bool has_fsid, const uint32_t fsid[2]);

#endif /* E4ERR_SOURCE_H */
