/*
 * test_kmsg.c --- /dev/kmsg records and ext4's error lines: every format
 * ext4 and fserror print, lines printed in pieces, the ratelimit's
 * "callbacks suppressed", forged user-facility lines, hostile comm and
 * path bytes, and the reader over a file of records.
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

#include "e4err_err.h"
#include "kmsg.h"

static struct e4err_klog L;

static enum e4err_klog_kind parse(const char *text)
{
	return e4err_klog_parse(text, strlen(text), &L);
}

/* ---- records ---- */

static void test_record_header(void **state)
{
	static const char rec[] = "2,2691,2650457942,-;EXT4-fs error x\n"
		" SUBSYSTEM=block\n DEVICE=b7:1\n";
	struct e4err_kmsg_record r;

	(void)state;
	assert_int_equal(e4err_kmsg_record_parse(rec, sizeof(rec) - 1, &r), 0);
	assert_int_equal(r.facility, 0);
	assert_int_equal(r.level, 2);
	assert_int_equal(r.seq, 2691);
	assert_int_equal(r.ts_usec, 2650457942ULL);
	assert_false(r.cont);
	assert_false(r.has_caller);
	assert_int_equal(r.text_len, strlen("EXT4-fs error x"));
	assert_memory_equal(r.text, "EXT4-fs error x", r.text_len);
}

static void test_record_fields(void **state)
{
	static const char user[] = "11,5,7,-;hello";
	static const char caller[] = "4,9,10,c,caller=T4242,future=1;piece";
	static const char cpu[] = "4,9,10,-,caller=C3;x";
	struct e4err_kmsg_record r;

	(void)state;
	assert_int_equal(e4err_kmsg_record_parse(user, strlen(user), &r), 0);
	assert_int_equal(r.facility, 1);
	assert_int_equal(r.level, 3);
	assert_int_equal(r.text_len, 5);
	assert_int_equal(e4err_kmsg_record_parse(caller, strlen(caller), &r), 0);
	assert_true(r.cont);
	assert_true(r.has_caller);
	assert_int_equal(r.caller, 4242);
	assert_memory_equal(r.text, "piece", 5);
	assert_int_equal(e4err_kmsg_record_parse(cpu, strlen(cpu), &r), 0);
	assert_int_equal(r.caller, 0x80000003u);
}

static void test_record_malformed(void **state)
{
	static const char *bad[] = {
		"", "no semicolon", "2,3;x", "a,1,2,-;x", "2,1,2;x", "2,1,2,;x",
		"99999999999,1,2,-;x", "2,99999999999999999999999,2,-;x",
		"2,-1,2,-;x",
	};
	struct e4err_kmsg_record r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(e4err_kmsg_record_parse(bad[i], strlen(bad[i]),
							 &r), E4ERR_KMSG_RECORD);
}

/* ---- ext4's lines, as this machine's kernel printed them ---- */

static void test_error_inode(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error (device loop1): "
			       "htree_dirblock_to_tree:1051: inode #12: comm ls: "
			       "Directory block failed checksum"), E4ERR_KLOG_ERROR);
	assert_string_equal(L.device, "loop1");
	assert_string_equal(L.function, "htree_dirblock_to_tree");
	assert_int_equal(L.line, 1051);
	assert_true(L.has_inode);
	assert_int_equal(L.inode, 12);
	assert_false(L.has_block);
	assert_true(L.has_comm);
	assert_string_equal(L.comm, "ls");
	assert_false(L.has_path);
	assert_string_equal(L.msg, "Directory block failed checksum");
	assert_false(L.has_group);
}

static void test_error_no_inode(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error (device loop1): "
			       "trigger_test_error:129: comm bash: hello-enrich"),
			 E4ERR_KLOG_ERROR);
	assert_false(L.has_inode);
	assert_string_equal(L.function, "trigger_test_error");
	assert_int_equal(L.line, 129);
	assert_string_equal(L.comm, "bash");
	assert_string_equal(L.msg, "hello-enrich");
	assert_int_equal(L.msg_len, 12);
}

static void test_error_block_path(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error (device sda1): "
			       "__ext4_find_entry:1658: inode #2: block 1234: "
			       "comm cat: bad entry in directory: rec_len is "
			       "smaller than minimal - offset=0, inode=0"),
			 E4ERR_KLOG_ERROR);
	assert_int_equal(L.inode, 2);
	assert_true(L.has_block);
	assert_int_equal(L.block, 1234);
	assert_string_equal(L.comm, "cat");
	assert_string_equal(L.msg, "bad entry in directory: rec_len is "
			    "smaller than minimal - offset=0, inode=0");
	assert_int_equal(parse("EXT4-fs error (device dm-0): ext4_readdir:262: "
			       "inode #5: block 9: comm find: path /srv/x y: "
			       "directory fails checksum"), E4ERR_KLOG_ERROR);
	assert_string_equal(L.device, "dm-0");
	assert_true(L.has_path);
	assert_string_equal(L.path, "/srv/x y");
	assert_string_equal(L.msg, "directory fails checksum");
	/* A file's error without a block. */
	assert_int_equal(parse("EXT4-fs error (device nvme0n1p2): "
			       "ext4_file_write_iter:5: inode #77: comm dd: "
			       "path /a: oops"), E4ERR_KLOG_ERROR);
	assert_false(L.has_block);
	assert_string_equal(L.path, "/a");
}

static void test_std_error(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error (device loop0) in "
			       "ext4_reserve_inode_write:5792: Journal has aborted"),
			 E4ERR_KLOG_STD_ERROR);
	assert_string_equal(L.device, "loop0");
	assert_string_equal(L.function, "ext4_reserve_inode_write");
	assert_int_equal(L.line, 5792);
	assert_false(L.has_comm);
	assert_string_equal(L.msg, "Journal has aborted");
}

static void test_group_error(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error (device loop2): "
			       "ext4_mb_generate_buddy:1217: group 0, block bitmap "
			       "and bg descriptor inconsistent: 100 vs 99 free "
			       "clusters"), E4ERR_KLOG_GROUP_ERROR);
	assert_true(L.has_group);
	assert_int_equal(L.group, 0);
	assert_false(L.has_inode);
	assert_false(L.has_block);
	assert_false(L.partial);
	assert_string_equal(L.msg, "block bitmap and bg descriptor inconsistent: "
			    "100 vs 99 free clusters");
	assert_int_equal(parse("EXT4-fs error (device loop2): "
			       "ext4_mb_complex_scan_group:2420: group 3, "
			       "inode 12: block 4385:bad things"),
			 E4ERR_KLOG_GROUP_ERROR);
	assert_int_equal(L.group, 3);
	assert_int_equal(L.inode, 12);
	assert_int_equal(L.block, 4385);
	assert_string_equal(L.msg, "bad things");
	assert_int_equal(parse("EXT4-fs error (device loop2): "
			       "ext4_mb_generate_buddy:1217: group 7, "),
			 E4ERR_KLOG_GROUP_ERROR);
	assert_true(L.partial);
	assert_false(L.has_msg);
}

static void test_suppressed_and_lost(void **state)
{
	(void)state;
	assert_int_equal(parse("EXT4-fs error: 17 callbacks suppressed"),
			 E4ERR_KLOG_SUPPRESSED);
	assert_int_equal(L.suppressed, 17);
	assert_true(e4err_klog_ext4_suppressor(&L));
	assert_int_equal(parse("fserror_report: 3 callbacks suppressed"),
			 E4ERR_KLOG_SUPPRESSED);
	assert_false(e4err_klog_ext4_suppressor(&L));
	assert_int_equal(parse("loop0: lost filesystem error report for type 5 "
			       "error -117"), E4ERR_KLOG_LOST);
	assert_string_equal(L.device, "loop0");
	assert_true(L.has_error);
	assert_int_equal(L.error, -117);
	assert_int_equal(parse("sdb1: lost filesystem error report error=5"),
			 E4ERR_KLOG_LOST);
	assert_int_equal(L.error, 5);
	assert_int_equal(parse("sdb1: lost filesystem error report"),
			 E4ERR_KLOG_LOST);
	assert_false(L.has_error);
	assert_int_equal(parse("vda: lost file I/O error report for ino 42 type "
			       "1 pos 0x0 len 0x1000 error -5"), E4ERR_KLOG_LOST);
	assert_true(L.has_inode);
	assert_int_equal(L.inode, 42);
	assert_int_equal(L.error, -5);
}

static void test_not_ours(void **state)
{
	static const char *lines[] = {
		"EXT4-fs (loop1): mounted filesystem r/w",
		("EXT4-fs warning (device loop1): ext4_dirblock_csum_verify:375: "
		 "inode #12: comm ls: No space for directory leaf checksum."),
		"EXT4-fs error (device loop1: f:1: comm x: y",
		"EXT4-fs error (device ): f:1: comm x: y",
		"EXT4-fs error (device a b): f:1: comm x: y",
		"EXT4-fs error (device loop0123456789012345678901234567890): f:1: x",
		"EXT4-fs error (device loop1): :1: comm x: y",
		"EXT4-fs error (device loop1): f:x: comm x: y",
		"EXT4-fs error (device loop1): f:99999999999: comm x: y",
		"EXT4-fs error (device loop1) in f:1 no colon",
		"x: 5 callbacks suppressed and more",
		": 5 callbacks suppressed",
		"EXT4-fs error: callbacks suppressed",
		"a b: lost filesystem error report",
		"loop0: lost something else",
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (parse(lines[i]) != E4ERR_KLOG_NONE)
			fail_msg("parsed as ours: %s", lines[i]);
		assert_false(L.has_device);
	}
}

/* comm, path and message are anybody's bytes: raw, bounded, never trusted. */
static void test_hostile_strings(void **state)
{
	char big[4096], *p;
	size_t i;

	(void)state;
	assert_int_equal(parse("EXT4-fs error (device loop1): f:1: inode #5: "
			       "comm a\\x0ab\\x5cx\\x1b[2J: m\\x00n\\xff"),
			 E4ERR_KLOG_ERROR);
	assert_int_equal(L.comm_len, 9);
	assert_memory_equal(L.comm, "a\nb\\x\x1b[2J", 9);
	assert_int_equal(L.msg_len, 4);
	assert_memory_equal(L.msg, "m\0n\xff", 4);
	/* A bad escape is kept as it is. */
	assert_int_equal(parse("EXT4-fs error (device loop1): f:1: comm \\xZZ\\x4: z"),
			 E4ERR_KLOG_ERROR);
	assert_string_equal(L.comm, "\\xZZ\\x4");
	/* Huge comm, path and message: cut at their bounds. */
	p = big + sprintf(big, "EXT4-fs error (device loop1): f:1: inode #5: comm ");
	for (i = 0; i < 300; i++)
		p += sprintf(p, "\\x41");
	p += sprintf(p, ": path ");
	for (i = 0; i < 700; i++)
		*p++ = 'p';
	p += sprintf(p, ": ");
	for (i = 0; i < 900; i++)
		*p++ = 'm';
	*p = '\0';
	assert_int_equal(parse(big), E4ERR_KLOG_ERROR);
	assert_int_equal(L.comm_len, E4ERR_KLOG_COMM_MAX);
	assert_true(L.comm_cut);
	assert_int_equal(L.comm[0], 'A');
	assert_int_equal(L.path_len, E4ERR_KLOG_PATH_MAX);
	assert_true(L.path_cut);
	assert_int_equal(L.msg_len, E4ERR_KLOG_MSG_MAX);
	assert_true(L.msg_cut);
	assert_int_equal(L.msg[E4ERR_KLOG_MSG_MAX], '\0');
	/* A comm holding ": " splits early; the fields stay in bounds. */
	assert_int_equal(parse("EXT4-fs error (device loop1): f:1: comm x: path "
			       "/etc: real message"), E4ERR_KLOG_ERROR);
	assert_string_equal(L.comm, "x");
	assert_string_equal(L.path, "/etc");
	/* Overflowing numbers are not numbers. */
	assert_int_equal(parse("EXT4-fs error (device loop1): f:1: inode "
			       "#99999999999999999999999: comm x: y"),
			 E4ERR_KLOG_ERROR);
	assert_false(L.has_inode);
}

/* ---- the assembler ---- */

struct got {
	size_t n;
	struct e4err_klog l[8];
};

static void collect(void *arg, const struct e4err_klog *l)
{
	struct got *g = arg;

	if (g->n < 8)
		g->l[g->n] = *l;
	g->n++;
}

static void feed(struct e4err_kmsg_asm *a, struct got *g, const char *rec)
{
	e4err_kmsg_asm_feed(a, rec, strlen(rec), collect, g);
}

static void test_asm_forged(void **state)
{
	struct e4err_kmsg_asm a;
	struct got g = { 0 };

	(void)state;
	e4err_kmsg_asm_init(&a);
	/* echo '<3>EXT4-fs error ...' > /dev/kmsg: facility 1 (user). */
	feed(&a, &g, "11,2696,2661636665,-;EXT4-fs error (device loop1): "
	     "forged:1: comm x: fake\n");
	/* Even facility 3 asked for explicitly: not the kernel. */
	feed(&a, &g, "26,2697,2661636666,-;EXT4-fs error (device loop1): "
	     "forged:1: comm x: fake\n");
	assert_int_equal(g.n, 0);
	assert_int_equal(a.stats.foreign, 2);
	feed(&a, &g, "2,2698,2661636667,-;EXT4-fs error (device loop1): "
	     "real:2: comm y: true\n");
	assert_int_equal(g.n, 1);
	assert_string_equal(g.l[0].function, "real");
	assert_int_equal(g.l[0].seq, 2698);
	assert_int_equal(g.l[0].ts_usec, 2661636667ULL);
	assert_int_equal(g.l[0].level, 2);
}

static void test_asm_pieces(void **state)
{
	struct e4err_kmsg_asm a;
	struct got g = { 0 };

	(void)state;
	e4err_kmsg_asm_init(&a);
	feed(&a, &g, "2,10,1000,-;EXT4-fs error (device loop0): "
	     "ext4_mb_generate_buddy:1217: group 4, \n");
	assert_int_equal(g.n, 0);
	assert_true(e4err_kmsg_asm_waiting(&a));
	feed(&a, &g, "6,11,1001,-;loop3: detected capacity change\n");
	feed(&a, &g, "4,12,1002,c;inode 12: \n");
	feed(&a, &g, "4,13,1003,c;block 99:\n");
	assert_int_equal(g.n, 0);
	feed(&a, &g, "4,14,1004,c;block bitmap and bg descriptor inconsistent\n");
	assert_int_equal(g.n, 1);
	assert_false(e4err_kmsg_asm_waiting(&a));
	assert_int_equal(g.l[0].kind, E4ERR_KLOG_GROUP_ERROR);
	assert_int_equal(g.l[0].seq, 10);
	assert_int_equal(g.l[0].group, 4);
	assert_int_equal(g.l[0].inode, 12);
	assert_int_equal(g.l[0].block, 99);
	assert_false(g.l[0].partial);
	assert_string_equal(g.l[0].msg, "block bitmap and bg descriptor inconsistent");
	/* A continuation nobody waits for is someone else's. */
	feed(&a, &g, "4,15,1005,c;stray piece\n");
	assert_int_equal(g.n, 1);
}

static void test_asm_callers(void **state)
{
	struct e4err_kmsg_asm a;
	struct got g = { 0 };

	(void)state;
	e4err_kmsg_asm_init(&a);
	feed(&a, &g, "2,20,1000,-,caller=T100;EXT4-fs error (device loop0): "
	     "f:1: group 1, \n");
	feed(&a, &g, "2,21,1001,-,caller=T200;EXT4-fs error (device loop1): "
	     "f:2: group 2, \n");
	feed(&a, &g, "4,22,1002,c,caller=T100;first\n");
	feed(&a, &g, "4,23,1003,c,caller=T200;second\n");
	assert_int_equal(g.n, 2);
	assert_string_equal(g.l[0].device, "loop0");
	assert_string_equal(g.l[0].msg, "first");
	assert_string_equal(g.l[1].device, "loop1");
	assert_string_equal(g.l[1].msg, "second");
}

static void test_asm_age_and_flush(void **state)
{
	struct e4err_kmsg_asm a;
	struct got g = { 0 };

	(void)state;
	e4err_kmsg_asm_init(&a);
	feed(&a, &g, "2,30,1000,-;EXT4-fs error (device loop0): f:1: group 1, \n");
	/* Two seconds later on the kernel's clock: no piece will come. */
	feed(&a, &g, "6,31,2001001,-;something else\n");
	assert_int_equal(g.n, 1);
	assert_true(g.l[0].partial);
	assert_int_equal(g.l[0].group, 1);
	assert_int_equal(a.stats.partial, 1);
	feed(&a, &g, "2,32,2001002,-;EXT4-fs error (device loop0): f:1: group 2, \n");
	e4err_kmsg_asm_flush(&a, collect, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.l[1].group, 2);
	assert_false(e4err_kmsg_asm_waiting(&a));
	/* More unfinished lines than slots: the oldest goes out first. */
	feed(&a, &g, "2,40,3000000,-;EXT4-fs error (device loop0): f:1: group 10, \n");
	feed(&a, &g, "2,41,3000000,-;EXT4-fs error (device loop0): f:1: group 11, \n");
	feed(&a, &g, "2,42,3000000,-;EXT4-fs error (device loop0): f:1: group 12, \n");
	feed(&a, &g, "2,43,3000000,-;EXT4-fs error (device loop0): f:1: group 13, \n");
	feed(&a, &g, "2,44,3000000,-;EXT4-fs error (device loop0): f:1: group 14, \n");
	assert_int_equal(g.n, 3);
	assert_int_equal(g.l[2].group, 10);
}

static void test_asm_suppressed_and_seq(void **state)
{
	struct e4err_kmsg_asm a;
	struct got g = { 0 };

	(void)state;
	e4err_kmsg_asm_init(&a);
	feed(&a, &g, "4,100,1000,-;EXT4-fs error: 5 callbacks suppressed\n");
	feed(&a, &g, "2,101,1001,-;EXT4-fs error (device loop0): f:1: comm a: b\n");
	feed(&a, &g, "2,105,1002,-;EXT4-fs error (device loop0): f:1: comm a: c\n");
	assert_int_equal(g.n, 3);
	assert_int_equal(g.l[0].kind, E4ERR_KLOG_SUPPRESSED);
	assert_int_equal(g.l[1].suppressed_before, 5);
	assert_int_equal(g.l[2].suppressed_before, 0);
	assert_int_equal(a.stats.records_lost, 3);
	feed(&a, &g, "garbage without header");
	assert_int_equal(a.stats.malformed, 1);
}

/* ---- the reader, over a file of records ---- */

static void test_reader_file(void **state)
{
	char path[] = "/tmp/test_kmsg.XXXXXX";
	static const char text[] =
		"6,1,10,-;EXT4-fs (loop0): mounted\n"
		" SUBSYSTEM=block\n"
		"2,2,11,-;EXT4-fs error (device loop0): f:3: inode #12: comm ls: x\n"
		" DEVICE=b7:0\n"
		"12,3,12,-;EXT4-fs error (device loop0): forged:1: comm x: y\n"
		"2,4,13,-;EXT4-fs error (device loop0) in g:4: IO failure";
	struct e4err_kmsg *km;
	struct got g = { 0 };
	bool more = true;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	assert_int_equal(e4err_kmsg_open(path, true, &km), 0);
	assert_int_equal(e4err_kmsg_read(km, 0, collect, &g, &more), 0);
	assert_false(more);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.l[0].inode, 12);
	assert_int_equal(g.l[1].kind, E4ERR_KLOG_STD_ERROR);
	assert_string_equal(g.l[1].msg, "IO failure");
	assert_int_equal(e4err_kmsg_get_stats(km)->foreign, 1);
	assert_int_equal(e4err_kmsg_get_stats(km)->records, 4);
	assert_int_equal(e4err_kmsg_deadline(km), 0);
	e4err_kmsg_close(km);
	/* Without history: starts at the end, nothing read. */
	g.n = 0;
	assert_int_equal(e4err_kmsg_open(path, false, &km), 0);
	assert_int_equal(e4err_kmsg_read(km, 0, collect, &g, NULL), 0);
	assert_int_equal(g.n, 0);
	e4err_kmsg_close(km);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_header),
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_record_malformed),
		cmocka_unit_test(test_error_inode),
		cmocka_unit_test(test_error_no_inode),
		cmocka_unit_test(test_error_block_path),
		cmocka_unit_test(test_std_error),
		cmocka_unit_test(test_group_error),
		cmocka_unit_test(test_suppressed_and_lost),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_hostile_strings),
		cmocka_unit_test(test_asm_forged),
		cmocka_unit_test(test_asm_pieces),
		cmocka_unit_test(test_asm_callers),
		cmocka_unit_test(test_asm_age_and_flush),
		cmocka_unit_test(test_asm_suppressed_and_seq),
		cmocka_unit_test(test_reader_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
