/*
 * test_counters.c --- lib/counters.c: the superblock's error fields and
 * the sysfs counter file (the arithmetic is lost.h's: test_enrich.c).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>

#include "counters.h"
#include "e4err_err.h"

/* ---- the superblock ------------------------------------------------------- */

static void make_super(struct ext2_super_block *sb)
{
	memset(sb, 0, sizeof(*sb));
	sb->s_magic = ext2fs_cpu_to_le16(EXT2_SUPER_MAGIC);
	sb->s_state = ext2fs_cpu_to_le16(EXT2_ERROR_FS | EXT2_VALID_FS);
	sb->s_error_count = ext2fs_cpu_to_le32(17);
	sb->s_first_error_time = ext2fs_cpu_to_le32(1700000000);
	sb->s_first_error_time_hi = 1;
	sb->s_first_error_ino = ext2fs_cpu_to_le32(12);
	sb->s_first_error_block = ext2fs_cpu_to_le64(0);
	/* 32 bytes, no NUL: the kernel fills the field to the brim. */
	memcpy(sb->s_first_error_func, "ext4_a_function_name_of_32_bytes", 32);
	sb->s_first_error_line = ext2fs_cpu_to_le32(1317);
	sb->s_first_error_errcode = 6;
	sb->s_last_error_time = ext2fs_cpu_to_le32(1700000100);
	sb->s_last_error_ino = 0;
	sb->s_last_error_block = ext2fs_cpu_to_le64(4385);
	strcpy((char *) sb->s_last_error_func, "ext4_mb_generate_buddy");
	sb->s_last_error_line = ext2fs_cpu_to_le32(42);
	memset(sb->s_uuid, 0xab, sizeof(sb->s_uuid));
}

static void test_parse_super(void **state)
{
	struct ext2_super_block sb;
	struct e4err_sb_errors e;

	(void) state;
	make_super(&sb);
	assert_int_equal(e4err_sb_errors_parse(&sb, sizeof(sb), &e), 0);
	assert_int_equal(e.error_count, 17);
	assert_int_equal(e.state & EXT2_ERROR_FS, EXT2_ERROR_FS);
	assert_true(e.first.present);
	assert_true(e.first.time == 1700000000ULL + (1ULL << 32));
	assert_string_equal(e.first.function, "ext4_a_function_name_of_32_bytes");
	assert_true(e.first.has_inode);
	assert_int_equal(e.first.inode, 12);
	assert_false(e.first.has_block);
	assert_int_equal(e.first.line, 1317);
	assert_int_equal(e.first.errcode, 6);
	assert_true(e.last.present);
	assert_false(e.last.has_inode);
	assert_true(e.last.has_block);
	assert_int_equal(e.last.block, 4385);
	assert_string_equal(e.last.function, "ext4_mb_generate_buddy");
	assert_int_equal(e.uuid[15], 0xab);
}

static void test_parse_clean_super(void **state)
{
	struct ext2_super_block sb;
	struct e4err_sb_errors e;

	(void) state;
	memset(&sb, 0, sizeof(sb));
	sb.s_magic = ext2fs_cpu_to_le16(EXT2_SUPER_MAGIC);
	assert_int_equal(e4err_sb_errors_parse(&sb, sizeof(sb), &e), 0);
	assert_int_equal(e.error_count, 0);
	assert_false(e.first.present);
	assert_false(e.last.present);
	assert_string_equal(e.last.function, "");
}

static void test_parse_bad(void **state)
{
	struct ext2_super_block sb;
	struct e4err_sb_errors e;

	(void) state;
	make_super(&sb);
	assert_int_equal(e4err_sb_errors_parse(&sb, sizeof(sb) - 1, &e),
			 E4ERR_NOT_EXT4);
	sb.s_magic = 0;
	assert_int_equal(e4err_sb_errors_parse(&sb, sizeof(sb), &e),
			 E4ERR_NOT_EXT4);
	assert_int_equal(e.error_count, 0);
}

static char *temp_file(const void *buf, size_t len, off_t at)
{
	char *path = strdup("/tmp/test_counters.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, at), (ssize_t) len);
	close(fd);
	return path;
}

static void test_read_super_file(void **state)
{
	struct ext2_super_block sb;
	struct e4err_sb_errors e;
	char *path;

	(void) state;
	make_super(&sb);
	path = temp_file(&sb, sizeof(sb), E4ERR_SB_OFFSET);
	assert_int_equal(e4err_sb_errors_read(path, &e), 0);
	assert_int_equal(e.error_count, 17);
	unlink(path);
	free(path);
	/* A file too short to hold a superblock. */
	path = temp_file("x", 1, 0);
	assert_int_equal(e4err_sb_errors_read(path, &e), E4ERR_NOT_EXT4);
	unlink(path);
	free(path);
	assert_int_not_equal(e4err_sb_errors_read("/nonexistent/dev", &e), 0);
}

/* ---- the sysfs file ------------------------------------------------------- */

static void test_count_file(void **state)
{
	uint32_t v = 0;
	char *path;
	int fd;

	(void) state;
	path = temp_file("23\n", 3, 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(e4err_errors_count_read(fd, &v), 0);
	assert_int_equal(v, 23);
	/* Read again from offset 0, as after POLLPRI. */
	assert_int_equal(e4err_errors_count_read(fd, &v), 0);
	assert_int_equal(v, 23);
	close(fd);
	unlink(path);
	free(path);

	path = temp_file("12x\n", 4, 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(e4err_errors_count_read(fd, &v), EINVAL);
	close(fd);
	unlink(path);
	free(path);

	path = temp_file("99999999999\n", 12, 0);
	fd = open(path, O_RDONLY);
	assert_int_equal(e4err_errors_count_read(fd, &v), EINVAL);
	close(fd);
	unlink(path);
	free(path);
}

static void test_count_open_names(void **state)
{
	int fd;

	(void) state;
	assert_int_equal(e4err_errors_count_open("../../etc", &fd), ENOENT);
	assert_int_equal(fd, -1);
	assert_int_equal(e4err_errors_count_open("..", &fd), ENOENT);
	assert_int_equal(e4err_errors_count_open("", &fd), ENOENT);
	assert_int_not_equal(e4err_errors_count_open("no-such-device", &fd), 0);
	assert_int_equal(fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_super),
		cmocka_unit_test(test_parse_clean_super),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_read_super_file),
		cmocka_unit_test(test_count_file),
		cmocka_unit_test(test_count_open_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
