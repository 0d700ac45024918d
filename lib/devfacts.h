/*
 * devfacts.h --- facts about devices and the system that checks are
 * decided from.
 *
 * Owned by devfacts.c: small, non-blocking looks at sysfs and /dev that
 * feed struct e4err_policy_facts: is a block device an LVM logical
 * volume, is a filesystem's superblock still alive after it left the
 * mount table (an `umount -l` with files open), is a device held
 * exclusively, is systemd PID 1, where is a program in the fixed PATH.
 * Also the loop-device side of checking an image file: attaching it to a
 * loop device of our own, and whether another loop device backs the same
 * file and is in use.
 */
#ifndef E4ERR_DEVFACTS_H
#define E4ERR_DEVFACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

/* The PATH every child runs with; never the daemon's own. */
#define E4ERR_FIXED_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * Whether block device major:minor is an LVM logical volume: its
 * device-mapper uuid (/sys/dev/block/M:m/dm/uuid) starts with "LVM-" and
 * is not a snapshot's copy-on-write part.  sysfs NULL means "/sys".  A
 * device without dm/uuid is simply not one (0, *is_lvm false).
 */
errcode_t e4err_dev_is_lvm(const char *sysfs, uint32_t major, uint32_t minor,
			   bool *is_lvm);

/* True when /sys/fs/ext4/<kname> exists: the superblock is still alive. */
bool e4err_fs_sysfs_alive(const char *sysfs, const char *kname);

/*
 * Whether a block device is held exclusively (mounted, or opened O_EXCL):
 * an O_EXCL open fails with EBUSY.  The probe is closed at once.
 * ENOENT and the like are returned as they are.
 */
errcode_t e4err_dev_held(const char *devpath, bool *held);

/* systemd is PID 1 (what sd_booted() tests: /run/systemd/system/). */
bool e4err_systemd_running(void);

/* A program in E4ERR_FIXED_PATH (or name itself when absolute), or NULL. */
char *e4err_find_program(const char *name);

/*
 * Attach an image file to a free loop device of our own: read-only when
 * read_only, detached by the kernel when its last opener closes
 * (LO_FLAGS_AUTOCLEAR).  *fd holds the device open (close it to let it
 * go); devpath receives "/dev/loopN".
 */
errcode_t e4err_loop_attach(const char *file, bool read_only, int *fd,
			    char *devpath, size_t devpath_len);

/*
 * Whether some loop device is backed by the same file (same inode) and is
 * held exclusively, i.e. that image is mounted through it.  which (may be
 * NULL) receives its path.
 */
errcode_t e4err_loop_file_in_use(const char *file, bool *in_use, char *which,
				 size_t which_len);

#endif /* E4ERR_DEVFACTS_H */
