/*
 * test_inspect.c --- the pure parts of the inspect stage: finding codes,
 * the table from a kernel report to the findings that explain it, the
 * verdict, and the child wrapper's failure paths.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "inspect.h"

#define BIT(c)	(1u << (c))

static void add(struct e4err_inspection *r, enum e4err_finding_code id,
		enum e4err_scope scope, const char *object)
{
	struct e4err_finding *f = &r->findings[r->nfindings++];

	memset(f, 0, sizeof(*f));
	f->id = id;
	f->scope = scope;
	snprintf(f->code, sizeof(f->code), "%s", e4err_finding_code_name(id));
	snprintf(f->object, sizeof(f->object), "%s", object);
}

/* The codes the issue asks for all exist, by these names, and are damage. */
static void test_code_names(void **state)
{
	static const char *const required[] = {
		"inode_checksum", "inode_not_in_use", "inode_generation_mismatch",
		"extent_checksum", "extent_structure", "block_map_corrupt",
		"dir_block_checksum", "dir_entry_corrupt", "xattr_block_corrupt",
		"block_bitmap_checksum", "inode_bitmap_checksum",
		"group_desc_checksum", "block_out_of_range", "block_not_allocated",
		"block_is_metadata", "fs_error_state",
	};
	size_t i;
	int c, d, found;

	(void)state;
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		found = 0;
		for (c = 1; c < E4ERR_F_MAX; c++)
			if (!strcmp(e4err_finding_code_name(c), required[i]))
				found++;
		assert_int_equal(found, 1);
	}
	for (c = 1; c < E4ERR_F_MAX; c++) {
		assert_string_not_equal(e4err_finding_code_name(c), "unknown");
		assert_true(strlen(e4err_finding_code_name(c)) < 32);
		assert_true(strlen(e4err_finding_code_desc(c)) > 10);
		for (d = c + 1; d < E4ERR_F_MAX; d++)
			assert_string_not_equal(e4err_finding_code_name(c),
						e4err_finding_code_name(d));
	}
	assert_false(e4err_finding_is_damage(E4ERR_F_FS_ERROR_STATE));
	assert_false(e4err_finding_is_damage(E4ERR_F_INODE_GENERATION_MISMATCH));
	assert_true(e4err_finding_is_damage(E4ERR_F_INODE_CHECKSUM));
	assert_false(e4err_finding_is_damage(E4ERR_F_MAX));
	assert_string_equal(e4err_finding_code_name(E4ERR_F_MAX), "unknown");
	assert_true(E4ERR_F_MAX <= 32);	/* the table's masks are 32 bits */
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(e4err_verdict_name(E4ERR_VERDICT_CONFIRMED), "confirmed");
	assert_string_equal(e4err_verdict_name(E4ERR_VERDICT_NOT_CONFIRMED), "not_confirmed");
	assert_string_equal(e4err_verdict_name(E4ERR_VERDICT_STALE), "stale");
	assert_string_equal(e4err_verdict_name(E4ERR_VERDICT_INCONCLUSIVE), "inconclusive");
	/* EXT4_ERR_* of fs/ext4/super.c: 1 is "unknown", 4 EFSBADCRC, 5 EFSCORRUPTED. */
	assert_string_equal(e4err_sb_errcode_name(4), "EFSBADCRC");
	assert_string_equal(e4err_sb_errcode_name(5), "EFSCORRUPTED");
	assert_string_equal(e4err_sb_errcode_name(2), "EIO");
	assert_null(e4err_sb_errcode_name(0));
	assert_null(e4err_sb_errcode_name(200));
	assert_string_equal(e4err_block_kind_name(E4ERR_BK_INODE_TABLE), "inode_table");
	assert_string_equal(e4err_block_kind_name(99), "unknown");
	assert_null(e4err_errcode_name(12345));
}

/* A directory checksum report is explained by a directory checksum only. */
static void test_table_dir_checksum(void **state)
{
	uint32_t m = e4err_explaining_codes("ext4_lookup", true, 74);

	(void)state;
	assert_true(m & BIT(E4ERR_F_DIR_BLOCK_CHECKSUM));
	assert_false(m & BIT(E4ERR_F_DIR_ENTRY_CORRUPT));
	assert_false(m & BIT(E4ERR_F_INODE_BITMAP_CHECKSUM));
	assert_false(m & BIT(E4ERR_F_EXTENT_CHECKSUM));
	m = e4err_explaining_codes("ext4_lookup", true, 117);
	assert_true(m & BIT(E4ERR_F_DIR_ENTRY_CORRUPT));
	assert_true(m & BIT(E4ERR_F_DIR_BLOCK_CHECKSUM));
	assert_true(m & BIT(E4ERR_F_HTREE_CORRUPT));
	assert_false(m & BIT(E4ERR_F_XATTR_BLOCK_CORRUPT));
	/* ext4 reports most corruption with error 0: as EFSCORRUPTED. */
	assert_int_equal(e4err_explaining_codes("ext4_lookup", true, 0), m);
}

static void test_table_functions(void **state)
{
	uint32_t m;

	(void)state;
	m = e4err_explaining_codes("__ext4_iget", true, 74);
	assert_int_equal(m, BIT(E4ERR_F_INODE_CHECKSUM));
	m = e4err_explaining_codes("ext4_ext_check_inode", false, 0);
	assert_true(m & BIT(E4ERR_F_EXTENT_STRUCTURE));
	assert_true(m & BIT(E4ERR_F_BLOCK_OUT_OF_RANGE));
	assert_false(m & BIT(E4ERR_F_DIR_ENTRY_CORRUPT));
	m = e4err_explaining_codes("ext4_validate_block_bitmap", true, 74);
	assert_true(m & BIT(E4ERR_F_BLOCK_BITMAP_CHECKSUM));
	assert_false(m & BIT(E4ERR_F_INODE_BITMAP_CHECKSUM));
	m = e4err_explaining_codes("ext4_mb_generate_buddy", true, 117);
	assert_true(m & BIT(E4ERR_F_GROUP_COUNTS_WRONG));
	/* Unlisted names fall back on the part of ext4 they belong to. */
	m = e4err_explaining_codes("ext4_xattr_something_new", true, 117);
	assert_true(m & BIT(E4ERR_F_XATTR_BLOCK_CORRUPT));
	assert_false(m & BIT(E4ERR_F_DIR_ENTRY_CORRUPT));
	/* A name from a kernel that reports an errno no finding explains. */
	m = e4err_explaining_codes("ext4_lookup", true, 12);
	assert_int_equal(m, 0);
}

static void test_table_errors(void **state)
{
	uint32_t all = e4err_explaining_codes(NULL, false, 0);

	(void)state;
	assert_true(all & BIT(E4ERR_F_INODE_CHECKSUM));
	assert_true(all & BIT(E4ERR_F_BLOCK_NOT_ALLOCATED));
	/* Negative std_error values are read by their absolute value. */
	assert_int_equal(e4err_explaining_codes(NULL, true, -5), BIT(E4ERR_F_READ_ERROR));
	assert_int_equal(e4err_explaining_codes("no_such_fn", true, 5),
			 BIT(E4ERR_F_READ_ERROR));
	assert_int_equal(e4err_explaining_codes(NULL, true, 108), 0);
	assert_int_equal(e4err_explaining_codes(NULL, true, -30), 0);
	assert_true(e4err_explaining_codes(NULL, true, 74) & BIT(E4ERR_F_SUPERBLOCK_CHECKSUM));
	assert_false(e4err_explaining_codes(NULL, true, 74) & BIT(E4ERR_F_DIR_ENTRY_CORRUPT));
	assert_int_equal(e4err_explaining_codes("", false, 0), all);
}

static void test_judge_related(void **state)
{
	struct e4err_inspect_request req = { .device = "x", .has_inode = true,
		.inode = 12, .function = "ext4_lookup", .has_error = true, .error = 74 };
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	r->verdict = E4ERR_VERDICT_NOT_CONFIRMED;
	add(r, E4ERR_F_BLOCK_BITMAP_CHECKSUM, E4ERR_SCOPE_OTHER, "group 7");
	add(r, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE, "block 9");
	add(r, E4ERR_F_DIR_BLOCK_CHECKSUM, E4ERR_SCOPE_INODE, "block 9");
	add(r, E4ERR_F_FS_ERROR_STATE, E4ERR_SCOPE_FS, "superblock");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_CONFIRMED);
	assert_false(r->findings[0].related);
	assert_false(r->findings[1].related);
	assert_true(r->findings[2].related);
	assert_false(r->findings[3].related);

	/* Only damage elsewhere: the report is not confirmed by it. */
	r->nfindings = 0;
	add(r, E4ERR_F_BLOCK_BITMAP_CHECKSUM, E4ERR_SCOPE_OTHER, "group 7");
	add(r, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE, "block 9");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_NOT_CONFIRMED);

	/* The same damage, the report's error unknown: it explains it now. */
	req.has_error = false;
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_CONFIRMED);
	assert_true(r->findings[1].related);
	free(r);
}

static void test_judge_stale_and_incomplete(void **state)
{
	struct e4err_inspect_request req = { .device = "x", .has_inode = true,
		.inode = 12 };
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	/* A reused inode's damage is not the reported file's. */
	r->stale = true;
	snprintf(r->reason, sizeof(r->reason), "reused");
	add(r, E4ERR_F_INODE_GENERATION_MISMATCH, E4ERR_SCOPE_INODE, "inode 12");
	add(r, E4ERR_F_INODE_CHECKSUM, E4ERR_SCOPE_INODE, "inode 12");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_STALE);
	assert_string_equal(r->reason, "reused");
	assert_false(r->findings[1].related);
	/* ... but its group's bitmap still holds the reported inode's bit. */
	add(r, E4ERR_F_INODE_BITMAP_CHECKSUM, E4ERR_SCOPE_GROUP, "group 0");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_CONFIRMED);

	memset(r, 0, sizeof(*r));
	r->incomplete = true;
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_INCONCLUSIVE);
	assert_true(strlen(r->reason) > 0);

	/* Could not look at all: judged as it is. */
	memset(r, 0, sizeof(*r));
	r->verdict = E4ERR_VERDICT_INCONCLUSIVE;
	r->errcode = 2;
	snprintf(r->reason, sizeof(r->reason), "gone");
	add(r, E4ERR_F_INODE_CHECKSUM, E4ERR_SCOPE_INODE, "inode 12");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_INCONCLUSIVE);
	assert_string_equal(r->reason, "gone");
	free(r);
}

/* The superblock is the object only when nothing else was asked about. */
static void test_judge_superblock(void **state)
{
	struct e4err_inspect_request req = { .device = "x" };
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	add(r, E4ERR_F_SUPERBLOCK_CHECKSUM, E4ERR_SCOPE_FS, "superblock");
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_CONFIRMED);
	req.has_block = true;
	req.block = 100;
	e4err_inspect_judge(&req, r);
	assert_int_equal(r->verdict, E4ERR_VERDICT_NOT_CONFIRMED);
	free(r);
}

static void test_bad_requests(void **state)
{
	struct e4err_inspect_request req = { 0 };
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_int_not_equal(e4err_inspect(&req, r), 0);
	assert_int_not_equal(e4err_inspect(NULL, r), 0);
	free(r);
}

/* Through the child: a device that is not there is inconclusive, named. */
static void test_child_missing_device(void **state)
{
	struct e4err_inspect_request req = { .device = "/nonexistent/e4errd-test",
		.has_inode = true, .inode = 12 };
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_int_equal(e4err_inspect_run(&req, 5000, r), 0);
	assert_int_equal(r->verdict, E4ERR_VERDICT_INCONCLUSIVE);
	assert_non_null(strstr(r->reason, "/nonexistent/e4errd-test"));
	assert_string_equal(r->device, "/nonexistent/e4errd-test");
	free(r);
}

/* Abandoning a child at once: inconclusive with the reason given. */
static void test_child_abandon(void **state)
{
	struct e4err_inspect_request req = { .device = "/dev/null" };
	struct e4err_inspect_child child;
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	(void)state;
	assert_non_null(r);
	assert_int_equal(e4err_inspect_start(&req, &child), 0);
	assert_true(child.pid > 0);
	e4err_inspect_abandon(&child, r, "told to stop");
	assert_int_equal(r->verdict, E4ERR_VERDICT_INCONCLUSIVE);
	assert_string_equal(r->reason, "told to stop");
	assert_int_equal(child.fd, -1);
	if (child.pidfd >= 0)
		close(child.pidfd);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_names),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_table_dir_checksum),
		cmocka_unit_test(test_table_functions),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_judge_related),
		cmocka_unit_test(test_judge_stale_and_incomplete),
		cmocka_unit_test(test_judge_superblock),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_child_missing_device),
		cmocka_unit_test(test_child_abandon),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
