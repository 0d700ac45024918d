/*
 * counters.h --- the filesystems' own error counters (part of enrich).
 *
 * Owns reading the counters ext4 keeps and the arithmetic that tells which
 * of the errors they count no event explained.  Some ext4 errors send no
 * fanotify event at all (mballoc's group-locked ones, errors during mount
 * or journal replay, events lost to a full queue) but every one of them
 * raises s_error_count, shown and made pollable as
 * /sys/fs/ext4/<dev>/errors_count.  The superblock also keeps the first
 * and the most recent error (function, line, inode, block, time).
 *
 * Reading the superblock is one buffered pread of 1 KiB at offset 1024:
 * the kernel holds that block in the device's page cache while the
 * filesystem is mounted, so it is served from memory, not the device.
 */
#ifndef E4ERR_COUNTERS_H
#define E4ERR_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#define E4ERR_SB_OFFSET		1024
#define E4ERR_SB_SIZE		1024

/* One of the superblock's error records, s_first_error_* or s_last_error_*. */
struct e4err_sb_errrec {
	bool present;		/* its time is set */
	uint64_t time;		/* seconds since the epoch */
	char function[33];	/* raw bytes up to a NUL, at most 32 */
	uint32_t line;
	bool has_inode;
	uint32_t inode;
	bool has_block;
	uint64_t block;
	uint8_t errcode;	/* EXT4_ERR_*, 0 when unknown */
};

/* What the superblock says about errors. */
struct e4err_sb_errors {
	uint8_t uuid[16];
	uint16_t state;		/* s_state: bit 2 (EXT2_ERROR_FS) after errors */
	uint32_t error_count;	/* s_error_count */
	struct e4err_sb_errrec first, last;
};

/*
 * Parse the len bytes of a superblock (from its start).  E4ERR_NOT_EXT4
 * when the magic is wrong or len is too short.  Pure.
 */
errcode_t e4err_sb_errors_parse(const void *buf, size_t len,
				struct e4err_sb_errors *out);

/* Read and parse the superblock of a device or image, read-only. */
errcode_t e4err_sb_errors_read(const char *device, struct e4err_sb_errors *out);

/*
 * Open /sys/fs/ext4/<kname>/errors_count for polling (POLLPRI|POLLERR when
 * it changes) and reading.  ENOENT when the kernel has no such file.
 */
errcode_t e4err_errors_count_open(const char *kname, int *fd);
/* Read the counter from offset 0 (which also re-arms POLLPRI). */
errcode_t e4err_errors_count_read(int fd, uint32_t *count);

/*
 * The arithmetic.  Events say how many errors they report (error_count);
 * the counter rises a little later, when ext4 writes the superblock.  So
 * errors reported by events wait in `unseen` until the counter shows them,
 * and a rise of the counter beyond them is what no event reported.
 */
struct e4err_counter {
	bool known;
	uint32_t value;		/* the counter as last read, all accounted for */
	uint64_t unseen;	/* errors events reported that it does not show yet */
};

/* Start from a counter value already accounted for. */
void e4err_counter_init(struct e4err_counter *c, uint32_t value);
/* Events reported n errors. */
void e4err_counter_explain(struct e4err_counter *c, uint64_t n);
/*
 * The counter reads now: returns how many errors of the rise no event
 * explained.  A counter that went down was reset (e2fsck clears it):
 * *reset is set, nothing is unexplained and counting starts again from now.
 */
uint32_t e4err_counter_update(struct e4err_counter *c, uint32_t now,
			      bool *reset);

/*
 * After a restart: the counter was base when last accounted for, events
 * recorded since then reported explained errors, and it reads now.  The
 * errors nobody recorded (the daemon was not running, or they sent no
 * event); never negative.  now < base means it was reset meanwhile: the
 * caller counts again from 0 with the events since the reset.
 */
uint32_t e4err_counter_unexplained(uint32_t base, uint64_t explained,
				   uint32_t now);

#endif /* E4ERR_COUNTERS_H */
