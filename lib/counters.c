/*
 * counters.c --- reading ext4's error counters and the superblock's error
 * fields (counters.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "counters.h"
#include "e4err_err.h"

_Static_assert(sizeof(struct ext2_super_block) == E4ERR_SB_SIZE,
	       "superblock size");

static void copy_func(char *dst, const __u8 *src, size_t n)
{
	const __u8 *nul = memchr(src, '\0', n);
	size_t len = nul ? (size_t)(nul - src) : n;

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void first_error(const struct ext2_super_block *sb,
			struct e4err_sb_errrec *r)
{
	r->time = ext2fs_le32_to_cpu(sb->s_first_error_time) |
		  ((uint64_t)sb->s_first_error_time_hi << 32);
	r->present = r->time != 0;
	copy_func(r->function, sb->s_first_error_func,
		  sizeof(sb->s_first_error_func));
	r->line = ext2fs_le32_to_cpu(sb->s_first_error_line);
	r->inode = ext2fs_le32_to_cpu(sb->s_first_error_ino);
	r->has_inode = r->inode != 0;
	r->block = ext2fs_le64_to_cpu(sb->s_first_error_block);
	r->has_block = r->block != 0;
	r->errcode = sb->s_first_error_errcode;
}

static void last_error(const struct ext2_super_block *sb,
		       struct e4err_sb_errrec *r)
{
	r->time = ext2fs_le32_to_cpu(sb->s_last_error_time) |
		  ((uint64_t)sb->s_last_error_time_hi << 32);
	r->present = r->time != 0;
	copy_func(r->function, sb->s_last_error_func,
		  sizeof(sb->s_last_error_func));
	r->line = ext2fs_le32_to_cpu(sb->s_last_error_line);
	r->inode = ext2fs_le32_to_cpu(sb->s_last_error_ino);
	r->has_inode = r->inode != 0;
	r->block = ext2fs_le64_to_cpu(sb->s_last_error_block);
	r->has_block = r->block != 0;
	r->errcode = sb->s_last_error_errcode;
}

errcode_t e4err_sb_errors_parse(const void *buf, size_t len,
				struct e4err_sb_errors *out)
{
	struct ext2_super_block sb;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(sb))
		return E4ERR_NOT_EXT4;
	memcpy(&sb, buf, sizeof(sb));
	if (ext2fs_le16_to_cpu(sb.s_magic) != EXT2_SUPER_MAGIC)
		return E4ERR_NOT_EXT4;
	memcpy(out->uuid, sb.s_uuid, sizeof(out->uuid));
	out->state = ext2fs_le16_to_cpu(sb.s_state);
	out->error_count = ext2fs_le32_to_cpu(sb.s_error_count);
	first_error(&sb, &out->first);
	last_error(&sb, &out->last);
	return 0;
}

errcode_t e4err_sb_errors_read(const char *device, struct e4err_sb_errors *out)
{
	unsigned char buf[E4ERR_SB_SIZE];
	errcode_t retval;
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	fd = open(device, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	do
		n = pread(fd, buf, sizeof(buf), E4ERR_SB_OFFSET);
	while (n < 0 && errno == EINTR);
	retval = n < 0 ? errno : 0;
	close(fd);
	if (retval)
		return retval;
	return e4err_sb_errors_parse(buf, (size_t)n, out);
}

errcode_t e4err_errors_count_open(const char *kname, int *fd)
{
	char path[PATH_MAX];

	*fd = -1;
	/* A kernel name never holds '/'; refuse one that would climb out. */
	if (!kname[0] || strchr(kname, '/') || !strcmp(kname, "..") ||
	    !strcmp(kname, "."))
		return ENOENT;
	snprintf(path, sizeof(path), "/sys/fs/ext4/%s/errors_count", kname);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	return *fd < 0 ? errno : 0;
}

errcode_t e4err_errors_count_read(int fd, uint32_t *count)
{
	char buf[32], *end;
	unsigned long v;
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno;
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || errno || v > UINT32_MAX)
		return EINVAL;
	*count = (uint32_t)v;
	return 0;
}
