/*
 * counters.h --- the filesystems' own error counters (part of enrich).
 *
 * Owns reading the counters ext4 keeps; lost.h does the arithmetic that
 * tells which of the errors they count no event explained.  Some ext4
 * errors send no fanotify event at all (mballoc's group-locked ones,
 * errors during mount or journal replay, events lost to a full queue) but
 * every one of them
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

#endif /* E4ERR_COUNTERS_H */
