/*
 * fsmap.h --- which filesystems served by the ext4 driver are mounted, and
 * where.
 *
 * Owns the filesystems table: /proc/self/mountinfo parsed (from a buffer,
 * so tests can feed it strings), its entries grouped into filesystems by
 * st_dev (bind mounts and a filesystem mounted twice are one filesystem),
 * and each filesystem resolved once: statfs() f_type and f_fsid, the
 * kernel's device name (as in /sys/fs/ext4/<name>), the device path and
 * UUID via libblkid, and a loop device's backing file.  A diff of two
 * tables says which filesystems appeared, went away or changed state.
 */
#ifndef E4ERR_FSMAP_H
#define E4ERR_FSMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <et/com_err.h>

#define E4ERR_EXT4_SUPER_MAGIC	0xEF53

/* One line of /proc/self/mountinfo; strings are unescaped (\040 → ' '). */
struct e4err_mount {
	uint32_t mount_id;
	uint32_t parent_id;
	uint32_t major;
	uint32_t minor;
	const char *root;	/* the directory of the filesystem mounted here */
	const char *mountpoint;
	const char *mount_opts;	/* per-mount options: rw/ro, relatime, ... */
	const char *optional;	/* optional fields (shared:N master:N ...), may be "" */
	const char *fstype;
	const char *source;
	const char *super_opts;	/* per-superblock options */
};

struct e4err_mountinfo {
	struct e4err_mount *mounts;
	size_t nmounts;
	size_t nbad;		/* lines that did not parse and were skipped */
	char *strings;		/* one arena the strings above point into */
};

/*
 * Parse len bytes of mountinfo text.  A malformed line is skipped and
 * counted in nbad, never fatal; the last line needs no newline.
 */
errcode_t e4err_mountinfo_parse(const char *buf, size_t len,
				struct e4err_mountinfo **mi);
void e4err_mountinfo_free(struct e4err_mountinfo *mi);

/* The whole of an open mountinfo file, from its start; *buf is malloc'd. */
errcode_t e4err_mountinfo_read_fd(int fd, char **buf, size_t *len);

/* True when a comma-separated option list holds opt exactly. */
bool e4err_opt_present(const char *opts, const char *opt);

/* One mount of a filesystem. */
struct e4err_fs_mount {
	uint32_t mount_id;
	char *mountpoint;
	char *root;
	bool read_only;		/* this mount is ro */
};

/* One filesystem served by the ext4 driver. */
struct e4err_fs {
	dev_t dev;		/* st_dev of every file on it */
	uint32_t major;
	uint32_t minor;
	char *fstype;		/* ext2, ext3 or ext4, as mounted */
	char *source;		/* the mount source from mountinfo */
	char *super_opts;
	bool read_only;		/* super options say ro */
	bool emergency_ro;	/* errors=remount-ro fired (Linux 6.12+) */

	struct e4err_fs_mount *mounts;
	size_t nmounts;
	/*
	 * The mount point to name the filesystem by and to reach it through:
	 * one of mounts[] (of the whole filesystem where possible), checked to
	 * lie on dev when resolved.  Points into mounts[].
	 */
	const char *mountpoint;

	/* Filled in by e4err_fsmap_resolve(). */
	bool has_fsid;
	uint32_t fsid[2];	/* statfs() f_fsid, as fanotify reports it */
	bool has_kname;
	char kname[64];		/* kernel's name: loop0, sda1, dm-0 */
	char *devpath;		/* /dev/loop0; the mount source if unresolved */
	bool has_uuid;
	char uuid[40];
	char *backing_file;	/* loop devices only, else NULL */
};

struct e4err_fsmap {
	struct e4err_fs *fs;
	size_t nfs;
};

/*
 * Group the mounts whose type may be served by the ext4 driver (ext2, ext3,
 * ext4, ext4dev) into filesystems by major:minor.  Pure: no system calls.
 */
errcode_t e4err_fsmap_from_mountinfo(const struct e4err_mountinfo *mi,
				     struct e4err_fsmap **map);

/*
 * Look at each filesystem on the running system: keep those whose statfs()
 * f_type is 0xEF53, reachable through a mount point on their own st_dev and
 * (where /sys/fs/ext4 exists) served by the ext4 driver; fill in fsid,
 * kernel name, device path, UUID and backing file.  Others are dropped.
 * What prev (may be NULL) knows of the same filesystem is copied, not
 * probed again: only a newly seen device is ever read.
 */
errcode_t e4err_fsmap_resolve(struct e4err_fsmap *map,
			      const struct e4err_fsmap *prev);

/* Read /proc/self/mountinfo (or fd when >= 0), group and resolve. */
errcode_t e4err_fsmap_load(int fd, const struct e4err_fsmap *prev,
			   struct e4err_fsmap **map);

void e4err_fsmap_free(struct e4err_fsmap *map);

/* The filesystem with this st_dev, or NULL. */
const struct e4err_fs *e4err_fsmap_find_dev(const struct e4err_fsmap *map,
					    dev_t dev);

enum e4err_fs_change_kind {
	E4ERR_FS_ADDED,		/* new: not in the old table */
	E4ERR_FS_GONE,		/* in the old table only */
	E4ERR_FS_CHANGED,	/* both: read-only state, mount point or mounts changed */
};

struct e4err_fs_change {
	enum e4err_fs_change_kind kind;
	const struct e4err_fs *old;	/* NULL for ADDED */
	const struct e4err_fs *new;	/* NULL for GONE */
};

/*
 * What changed from old to new.  A filesystem is the same one when its
 * st_dev is and at least one of its mounts survived (by mount id): a device
 * unmounted and mounted again between two looks is a new superblock, so it
 * is reported gone and added.  *changes is malloc'd (NULL when n is 0) and
 * points into both tables.
 */
errcode_t e4err_fsmap_diff(const struct e4err_fsmap *old,
			   const struct e4err_fsmap *new,
			   struct e4err_fs_change **changes, size_t *n);

#endif /* E4ERR_FSMAP_H */
