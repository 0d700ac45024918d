/*
 * test_fsmap.c --- /proc/self/mountinfo parsing, grouping into filesystems
 * and the diff of two tables, all from strings (no system calls but a
 * memfd for the reader).
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "fsmap.h"

static struct e4err_mountinfo *parse(const char *text)
{
	struct e4err_mountinfo *mi = NULL;

	assert_int_equal(e4err_mountinfo_parse(text, strlen(text), &mi), 0);
	assert_non_null(mi);
	return mi;
}

static struct e4err_fsmap *group(const char *text)
{
	struct e4err_mountinfo *mi = parse(text);
	struct e4err_fsmap *map = NULL;

	assert_int_equal(e4err_fsmap_from_mountinfo(mi, &map), 0);
	e4err_mountinfo_free(mi);
	return map;
}

static void test_plain_line(void **state)
{
	struct e4err_mountinfo *mi = parse(
		"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard\n");
	const struct e4err_mount *m = &mi->mounts[0];

	(void) state;
	assert_int_equal(mi->nmounts, 1);
	assert_int_equal(mi->nbad, 0);
	assert_int_equal(m->mount_id, 27);
	assert_int_equal(m->parent_id, 1);
	assert_int_equal(m->major, 254);
	assert_int_equal(m->minor, 0);
	assert_string_equal(m->root, "/");
	assert_string_equal(m->mountpoint, "/");
	assert_string_equal(m->mount_opts, "rw,relatime");
	assert_string_equal(m->optional, "");
	assert_string_equal(m->fstype, "ext4");
	assert_string_equal(m->source, "/dev/vda");
	assert_string_equal(m->super_opts, "rw,discard");
	e4err_mountinfo_free(mi);
}

static void test_escapes(void **state)
{
	struct e4err_mountinfo *mi = parse(
		"40 27 7:0 /a\\040b /mnt/sp\\040ace\\011tab\\012nl\\134bs rw "
		"- ext4 /dev/loop\\0400 rw\n"
		/* Not escapes: too short, not octal, \000, above \377. */
		"41 27 7:1 / /m\\04\\08x\\000\\400 rw - ext4 /dev/loop1 rw");
	(void) state;
	assert_int_equal(mi->nmounts, 2);
	assert_string_equal(mi->mounts[0].root, "/a b");
	assert_string_equal(mi->mounts[0].mountpoint,
			    "/mnt/sp ace\ttab\nnl\\bs");
	assert_string_equal(mi->mounts[0].source, "/dev/loop 0");
	assert_string_equal(mi->mounts[1].mountpoint, "/m\\04\\08x\\000\\400");
	e4err_mountinfo_free(mi);
}

static void test_optional_fields(void **state)
{
	struct e4err_mountinfo *mi = parse(
		"1 0 8:1 / /a rw shared:1 - ext4 /dev/sda1 rw\n"
		"2 0 8:2 / /b rw,noatime shared:5 master:1 propagate_from:2 "
		"unbindable - ext3 /dev/sda2 rw,data=ordered\n"
		"3 0 8:3 / /c rw - ext2 /dev/sda3 rw\n");

	(void) state;
	assert_int_equal(mi->nmounts, 3);
	assert_int_equal(mi->nbad, 0);
	assert_string_equal(mi->mounts[0].optional, "shared:1");
	assert_string_equal(mi->mounts[1].optional,
			    "shared:5 master:1 propagate_from:2 unbindable");
	assert_string_equal(mi->mounts[1].fstype, "ext3");
	assert_string_equal(mi->mounts[1].super_opts, "rw,data=ordered");
	assert_string_equal(mi->mounts[2].optional, "");
	assert_string_equal(mi->mounts[2].fstype, "ext2");
	e4err_mountinfo_free(mi);
}

static void test_bad_lines(void **state)
{
	static const char text[] =
		"\n"
		"garbage\n"
		"1 0 8:1 / /a rw shared:1 ext4 /dev/sda1 rw\n"	/* no "-" */
		"x 0 8:1 / /a rw - ext4 /dev/sda1 rw\n"		/* bad id */
		"1 0 81 / /a rw - ext4 /dev/sda1 rw\n"		/* no colon */
		"1 0 8:1:2 / /a rw - ext4 /dev/sda1 rw\n"	/* bad minor */
		"1 0 8:99999999999 / /a rw - ext4 /dev/sda1 rw\n"
		"1 0 8:1 / /a rw - ext4 /dev/sda1\n"		/* no super opts */
		"1 0 8:1 / /a rw -\n"
		"1 0 8:1 / /a rw\n"
		"1 0 8:1 / /a rw -x ext4 /dev/sda1 rw\n"	/* "-x" is a tag */
		"5 0 8:5 / /ok rw - ext4 /dev/sda5 rw extra future\n"
		"6 0 8:6 / /last rw - ext4 /dev/sda6 rw";	/* no newline */
	struct e4err_mountinfo *mi = parse(text);

	(void) state;
	assert_int_equal(mi->nmounts, 2);
	assert_int_equal(mi->nbad, 10);
	assert_string_equal(mi->mounts[0].mountpoint, "/ok");
	assert_string_equal(mi->mounts[0].super_opts, "rw");
	assert_string_equal(mi->mounts[1].mountpoint, "/last");
	assert_string_equal(mi->mounts[1].super_opts, "rw");
	e4err_mountinfo_free(mi);
}

/* Every prefix and every single-byte change parses without harm. */
static void test_prefixes_and_noise(void **state)
{
	static const char text[] =
		"1 0 8:1 / /a\\040b rw shared:1 - ext4 /dev/sda1 rw\n"
		"2 1 8:1 /sub /c rw master:2 - ext4 /dev/sda1 rw,emergency_ro\n";
	char buf[sizeof(text)];
	struct e4err_mountinfo *mi;
	struct e4err_fsmap *map;
	size_t len, i;
	int b;

	(void) state;
	for (len = 0; len < sizeof(text); len++) {
		assert_int_equal(e4err_mountinfo_parse(text, len, &mi), 0);
		assert_true(mi->nmounts <= 2);
		assert_int_equal(e4err_fsmap_from_mountinfo(mi, &map), 0);
		assert_true(map->nfs <= 1);
		e4err_fsmap_free(map);
		e4err_mountinfo_free(mi);
	}
	for (i = 0; i < sizeof(text) - 1; i++)
		for (b = 0; b < 256; b += 17) {
			memcpy(buf, text, sizeof(text));
			buf[i] = (char) b;
			assert_int_equal(e4err_mountinfo_parse(buf,
					 sizeof(text) - 1, &mi), 0);
			assert_true(mi->nmounts + mi->nbad <= 3);
			e4err_mountinfo_free(mi);
		}
}

static void test_options(void **state)
{
	(void) state;
	assert_true(e4err_opt_present("rw,emergency_ro", "emergency_ro"));
	assert_true(e4err_opt_present("ro", "ro"));
	assert_true(e4err_opt_present("rw,ro", "ro"));
	assert_false(e4err_opt_present("rw,errors=remount-ro", "ro"));
	assert_false(e4err_opt_present("rw,roo,xro", "ro"));
	assert_false(e4err_opt_present("", "ro"));
	assert_false(e4err_opt_present("rw,emergency_ro_not", "emergency_ro"));
}

static void test_grouping(void **state)
{
	struct e4err_fsmap *map = group(
		"22 27 0:21 / /proc rw - proc proc rw\n"
		"27 1 254:0 / / rw - ext4 /dev/vda rw\n"
		/* A bind mount of a subdirectory listed before the whole fs. */
		"50 27 7:0 /sub /bind rw - ext4 /dev/loop0 rw,errors=continue\n"
		"51 27 7:0 / /mnt/x rw - ext4 /dev/loop0 rw,errors=continue\n"
		"52 27 7:0 / /mnt/y ro - ext4 /dev/loop0 rw,errors=continue\n"
		"53 27 0:40 / /btr rw - btrfs /dev/sdb rw\n"
		"54 27 7:1 / /old rw - ext2 /dev/loop1 ro,emergency_ro\n"
		"55 27 0:50 / /t rw - tmpfs tmpfs rw\n"
		"56 27 7:2 / /three rw - ext3 /dev/loop2 rw,emergency_ro\n");
	const struct e4err_fs *fs;

	(void) state;
	assert_int_equal(map->nfs, 4);
	fs = e4err_fsmap_find_dev(map, makedev(7, 0));
	assert_non_null(fs);
	assert_int_equal(fs->nmounts, 3);
	assert_string_equal(fs->mountpoint, "/mnt/x");	/* root "/" wins */
	assert_string_equal(fs->mounts[0].root, "/sub");
	assert_false(fs->mounts[1].read_only);
	assert_true(fs->mounts[2].read_only);
	assert_false(fs->read_only);
	assert_false(fs->emergency_ro);
	assert_string_equal(fs->source, "/dev/loop0");
	assert_false(fs->has_fsid);			/* not resolved */

	fs = e4err_fsmap_find_dev(map, makedev(7, 1));
	assert_non_null(fs);
	assert_string_equal(fs->fstype, "ext2");
	assert_true(fs->read_only);
	assert_true(fs->emergency_ro);

	fs = e4err_fsmap_find_dev(map, makedev(7, 2));
	assert_non_null(fs);
	assert_false(fs->read_only);	/* emergency_ro keeps "rw" first */
	assert_true(fs->emergency_ro);

	assert_null(e4err_fsmap_find_dev(map, makedev(0, 40)));
	assert_null(e4err_fsmap_find_dev(map, makedev(0, 50)));
	e4err_fsmap_free(map);
}

/* Only bind mounts of subdirectories: named by the first one. */
static void test_no_whole_mount(void **state)
{
	struct e4err_fsmap *map = group(
		"60 27 7:3 /x /p rw - ext4 /dev/loop3 rw\n"
		"61 27 7:3 /y /q rw - ext4 /dev/loop3 rw\n");

	(void) state;
	assert_int_equal(map->nfs, 1);
	assert_string_equal(map->fs[0].mountpoint, "/p");
	e4err_fsmap_free(map);
}

static const struct e4err_fs_change *find_change(const struct e4err_fs_change *c,
						 size_t n,
						 enum e4err_fs_change_kind k,
						 unsigned int minor)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct e4err_fs *fs = c[i].new ? c[i].new : c[i].old;

		if (c[i].kind == k && fs->minor == minor)
			return &c[i];
	}
	return NULL;
}

static void test_diff(void **state)
{
	struct e4err_fsmap *old = group(
		"50 27 7:0 / /a rw - ext4 /dev/loop0 rw\n"
		"51 27 7:1 / /b rw - ext4 /dev/loop1 rw\n"
		"52 27 7:2 / /c rw - ext4 /dev/loop2 rw\n"
		"53 27 7:3 / /d rw - ext4 /dev/loop3 rw\n"
		"54 27 7:4 / /e rw - ext4 /dev/loop4 rw\n"
		"55 27 7:4 / /e2 rw - ext4 /dev/loop4 rw\n"
		"56 27 7:6 / /g rw - ext4 /dev/loop6 rw\n");
	struct e4err_fsmap *new = group(
		/* loop0 untouched; loop1 unmounted */
		"50 27 7:0 / /a rw - ext4 /dev/loop0 rw\n"
		/* loop2 went read-only after an error */
		"52 27 7:2 / /c rw - ext4 /dev/loop2 rw,emergency_ro\n"
		/* loop3 unmounted and mounted again: a new superblock */
		"70 27 7:3 / /d rw - ext4 /dev/loop3 rw\n"
		/* loop4's first mount gone, its bind mount stays */
		"55 27 7:4 / /e2 rw - ext4 /dev/loop4 rw\n"
		/* loop5 is new */
		"71 27 7:5 / /f rw - ext4 /dev/loop5 rw\n"
		/* loop6 gains a second mount, its name unchanged */
		"56 27 7:6 / /g rw - ext4 /dev/loop6 rw\n"
		"72 27 7:6 / /g2 rw - ext4 /dev/loop6 rw\n");
	struct e4err_fs_change *c;
	const struct e4err_fs_change *x;
	size_t n, i;

	(void) state;
	assert_int_equal(e4err_fsmap_diff(old, new, &c, &n), 0);
	assert_int_equal(n, 7);
	x = find_change(c, n, E4ERR_FS_CHANGED, 6);
	assert_non_null(x);
	assert_int_equal(x->new->nmounts, 2);
	assert_string_equal(x->new->mountpoint, "/g");
	assert_null(find_change(c, n, E4ERR_FS_CHANGED, 0));
	assert_non_null(find_change(c, n, E4ERR_FS_GONE, 1));
	x = find_change(c, n, E4ERR_FS_CHANGED, 2);
	assert_non_null(x);
	assert_false(x->old->emergency_ro);
	assert_true(x->new->emergency_ro);
	assert_non_null(find_change(c, n, E4ERR_FS_GONE, 3));
	assert_non_null(find_change(c, n, E4ERR_FS_ADDED, 3));
	x = find_change(c, n, E4ERR_FS_CHANGED, 4);
	assert_non_null(x);
	assert_string_equal(x->old->mountpoint, "/e");
	assert_string_equal(x->new->mountpoint, "/e2");
	assert_non_null(find_change(c, n, E4ERR_FS_ADDED, 5));
	/* Every GONE comes before any ADDED. */
	for (i = 1; i < n; i++)
		assert_false(c[i - 1].kind != E4ERR_FS_GONE &&
			     c[i].kind == E4ERR_FS_GONE);
	free(c);

	/* No change at all; and from or to nothing. */
	assert_int_equal(e4err_fsmap_diff(new, new, &c, &n), 0);
	assert_int_equal(n, 0);
	assert_null(c);
	assert_int_equal(e4err_fsmap_diff(NULL, new, &c, &n), 0);
	assert_int_equal(n, 6);
	for (i = 0; i < n; i++)
		assert_int_equal(c[i].kind, E4ERR_FS_ADDED);
	free(c);
	assert_int_equal(e4err_fsmap_diff(old, NULL, &c, &n), 0);
	assert_int_equal(n, 6);
	free(c);
	e4err_fsmap_free(old);
	e4err_fsmap_free(new);
}

/* The reader takes the whole file from its start, however long. */
static void test_read_fd(void **state)
{
	static const char line[] = "1 0 8:1 / /a rw - ext4 /dev/sda1 rw\n";
	size_t i, n = 2000, len;
	char *buf;
	int fd;

	(void) state;
	fd = memfd_create("mountinfo", 0);
	assert_true(fd >= 0);
	for (i = 0; i < n; i++)
		assert_int_equal(write(fd, line, sizeof(line) - 1),
				 sizeof(line) - 1);
	assert_int_equal(e4err_mountinfo_read_fd(fd, &buf, &len), 0);
	assert_int_equal(len, n * (sizeof(line) - 1));
	assert_memory_equal(buf, line, sizeof(line) - 1);
	free(buf);
	close(fd);
	assert_int_equal(e4err_mountinfo_read_fd(-1, &buf, &len), EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_optional_fields),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_prefixes_and_noise),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_grouping),
		cmocka_unit_test(test_no_whole_mount),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_read_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
