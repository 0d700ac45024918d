/*
 * test_enrich.c --- the lost_reports formula, the mode of a filesystem,
 * first sight of superblock errors, and the correlation of events with
 * kernel log lines, all driven with a fake clock (no device is read: the
 * filesystems here have no device).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "enrich.h"
#include "lost.h"

#define G	E4ERR_LOST_GRACE_MS

/* ---- lost_reports ---- */

static void test_lost_explained(void **state)
{
	struct e4err_lost l;

	(void)state;
	e4err_lost_first_sight(&l, 7);
	assert_int_equal(l.pre_watch, 7);
	/* Event first, counter a moment later. */
	e4err_lost_event(&l, 1, 1000);
	e4err_lost_counter(&l, 8, 1050);
	/* Counter first (a backlogged queue), event later. */
	e4err_lost_counter(&l, 10, 2000);
	e4err_lost_event(&l, 2, 2500);
	assert_int_equal(e4err_lost_settle(&l, 2000 + G + 1, NULL), 0);
	assert_int_equal(e4err_lost_reports(&l), 0);
	assert_int_equal(l.counted, 3);
	assert_int_equal(l.reported, 3);
	assert_int_equal(l.uncounted, 0);
}

static void test_lost_rise_without_event(void **state)
{
	struct e4err_lost l;
	uint64_t next;

	(void)state;
	e4err_lost_first_sight(&l, 0);
	e4err_lost_event(&l, 1, 100);
	e4err_lost_counter(&l, 3, 200);	/* one explained, two not */
	assert_int_equal(e4err_lost_settle(&l, 300, &next), 0);
	assert_int_equal(next, 200 + G);
	/* Still within the grace: a late event would explain it. */
	assert_int_equal(e4err_lost_settle(&l, 200 + G - 1, NULL), 0);
	assert_int_equal(e4err_lost_settle(&l, 200 + G, &next), 2);
	assert_int_equal(next, 0);
	assert_int_equal(e4err_lost_reports(&l), 2);
	/* The kernel's own "lost filesystem error report" lines add. */
	e4err_lost_kernel_line(&l);
	assert_int_equal(e4err_lost_reports(&l), 3);
}

static void test_lost_merged(void **state)
{
	struct e4err_lost l;

	(void)state;
	e4err_lost_first_sight(&l, 0);
	e4err_lost_event(&l, 3, 0);	/* one event folding three errors */
	e4err_lost_counter(&l, 3, 10);
	e4err_lost_event(&l, 1, 20);	/* error_count 1, counter +3 */
	e4err_lost_counter(&l, 6, 30);
	assert_int_equal(e4err_lost_settle(&l, 30 + G, NULL), 2);
	/* error_count 0 (absent) counts as one error. */
	e4err_lost_event(&l, 0, 40000);
	e4err_lost_counter(&l, 7, 40001);
	assert_int_equal(e4err_lost_settle(&l, 40001 + G, NULL), 0);
	assert_int_equal(e4err_lost_reports(&l), 2);
}

/* Read-only mount: events arrive, the counter never moves. */
static void test_lost_read_only(void **state)
{
	struct e4err_lost l;

	(void)state;
	e4err_lost_first_sight(&l, 4);
	e4err_lost_event(&l, 1, 0);
	e4err_lost_event(&l, 1, 10);
	assert_int_equal(e4err_lost_settle(&l, 10 + G, NULL), 0);
	assert_int_equal(l.uncounted, 2);
	assert_int_equal(e4err_lost_reports(&l), 0);
	/* Later, an error with no event: the stale arrivals do not hide it. */
	e4err_lost_counter(&l, 5, 50000);
	assert_int_equal(e4err_lost_settle(&l, 50000 + G, NULL), 1);
	assert_int_equal(e4err_lost_reports(&l), 1);
}

static void test_lost_reset(void **state)
{
	struct e4err_lost l;

	(void)state;
	e4err_lost_first_sight(&l, 9);
	e4err_lost_counter(&l, 0, 100);	/* e2fsck cleared it */
	assert_int_equal(l.resets, 1);
	assert_int_equal(e4err_lost_settle(&l, 100 + G, NULL), 0);
	e4err_lost_event(&l, 1, 200);
	e4err_lost_counter(&l, 2, 300);
	assert_int_equal(e4err_lost_settle(&l, 300 + G, NULL), 1);
	assert_int_equal(l.counted, 2);
	/* Never seen before: the first reading is the baseline, not a loss. */
	memset(&l, 0, sizeof(l));
	e4err_lost_counter(&l, 40, 0);
	assert_true(l.known);
	assert_int_equal(l.pre_watch, 40);
	assert_int_equal(e4err_lost_settle(&l, G, NULL), 0);
}

static void test_lost_bounded(void **state)
{
	struct e4err_lost l;
	uint64_t i;

	(void)state;
	e4err_lost_first_sight(&l, 0);
	for (i = 0; i < 10 * E4ERR_LOST_PENDING_MAX; i++)
		e4err_lost_event(&l, 1, i);
	assert_int_equal(l.narrived, E4ERR_LOST_PENDING_MAX);
	e4err_lost_counter(&l, 10 * E4ERR_LOST_PENDING_MAX, i);
	assert_int_equal(l.narrived, 0);
	assert_int_equal(l.nrises, 0);
	e4err_lost_counter(&l, UINT32_MAX, i);
	assert_int_equal(e4err_lost_settle(&l, i + G, NULL),
			 UINT32_MAX - 10 * E4ERR_LOST_PENDING_MAX);
}

/* ---- mode ---- */

static void test_mode(void **state)
{
	struct e4err_fsmode m;

	(void)state;
	e4err_fsmode_init(&m, true, false, 0);
	assert_int_equal(m.mode, E4ERR_MODE_COUNTERS);
	assert_int_equal(m.reason, E4ERR_MODE_R_NO_ABI);
	e4err_fsmode_init(&m, false, true, 0);
	assert_int_equal(m.reason, E4ERR_MODE_R_NO_MARK);
	e4err_fsmode_init(&m, true, true, 0);
	assert_int_equal(m.mode, E4ERR_MODE_EVENTS);
	assert_int_equal(m.reason, E4ERR_MODE_R_EXPECTED);
	/* mballoc's group-locked errors explain silence. */
	assert_false(e4err_fsmode_lost(&m, 2, 2, false, 10));
	/* Another filesystem proved the kernel sends: a loss, not silence. */
	assert_false(e4err_fsmode_lost(&m, 2, 0, true, 10));
	assert_true(e4err_fsmode_lost(&m, 3, 1, false, 20));
	assert_int_equal(m.mode, E4ERR_MODE_COUNTERS);
	assert_int_equal(m.reason, E4ERR_MODE_R_SILENT);
	assert_int_equal(m.silent, 2);
	assert_string_equal(e4err_fs_mode_name(m.mode), "counters");
	assert_string_equal(e4err_mode_reason_name(m.reason), "silent");
	assert_true(e4err_fsmode_event(&m, 30));
	assert_int_equal(m.reason, E4ERR_MODE_R_SEEN);
	assert_false(e4err_fsmode_event(&m, 40));
	/* Once an event came, later losses are losses. */
	assert_false(e4err_fsmode_lost(&m, 5, 0, false, 50));
	assert_int_equal(m.mode, E4ERR_MODE_EVENTS);
}

/* ---- first sight ---- */

static void sb_with(struct e4err_sb_errors *sb, uint32_t count, uint64_t first,
		    uint64_t last)
{
	memset(sb, 0, sizeof(*sb));
	sb->error_count = count;
	sb->first.present = first != 0;
	sb->first.time = first;
	strcpy(sb->first.function, "ext4_lookup");
	sb->first.line = 1;
	sb->last.present = last != 0;
	sb->last.time = last;
	strcpy(sb->last.function, "htree_dirblock_to_tree");
	sb->last.line = 2;
}

static void test_first_sight(void **state)
{
	struct e4err_store_error_mark none = { 0 }, m;
	struct e4err_sb_errors sb;
	struct e4err_first_sight fs;

	(void)state;
	/* Never recorded: everything the superblock has is new. */
	sb_with(&sb, 3, 1000, 1200);
	e4err_first_sight(&none, &sb, 0, 5, &fs);
	assert_int_equal(fs.unrecorded, 3);
	assert_true(fs.first_new);
	assert_true(fs.last_new);
	assert_int_equal(fs.mark.error_count, 3);
	assert_int_equal(fs.mark.updated_ns, 5);
	/* A restart with nothing new: nothing is recorded again. */
	m = fs.mark;
	e4err_first_sight(&m, &sb, 0, 6, &fs);
	assert_int_equal(fs.unrecorded, 0);
	assert_false(fs.first_new);
	assert_false(fs.last_new);
	/* Two more errors while stopped, one of them recorded by an event. */
	sb_with(&sb, 5, 1000, 1300);
	e4err_first_sight(&m, &sb, 1, 7, &fs);
	assert_int_equal(fs.unrecorded, 1);
	assert_false(fs.first_new);
	assert_true(fs.last_new);
	/* All explained by recorded events: nothing new. */
	e4err_first_sight(&m, &sb, 2, 7, &fs);
	assert_int_equal(fs.unrecorded, 0);
	assert_false(fs.last_new);
	/* e2fsck reset it, then one error: a new first error. */
	sb_with(&sb, 1, 2000, 2000);
	sb.last = sb.first;
	e4err_first_sight(&m, &sb, 0, 8, &fs);
	assert_true(fs.reset);
	assert_int_equal(fs.unrecorded, 1);
	assert_true(fs.first_new);
	assert_false(fs.last_new);	/* the same error as the first */
	/* A clean filesystem. */
	sb_with(&sb, 0, 0, 0);
	e4err_first_sight(&none, &sb, 0, 9, &fs);
	assert_int_equal(fs.unrecorded, 0);
	assert_false(fs.first_new);
	assert_false(fs.last_new);
}

/* ---- correlation ---- */

static struct e4err_klog line(const char *text, uint64_t seq)
{
	struct e4err_klog l;

	assert_int_not_equal(e4err_klog_parse(text, strlen(text), &l),
			     E4ERR_KLOG_NONE);
	l.seq = seq;
	l.ts_usec = seq * 1000;
	return l;
}

static struct e4err_event event(uint64_t inode, uint32_t count)
{
	struct e4err_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.abi = E4ERR_ABI_MAINLINE;
	ev.mask = E4ERR_FAN_FS_ERROR;
	ev.has_error = true;
	ev.error = 74;
	ev.has_error_count = true;
	ev.error_count = count;
	ev.has_inode = inode != 0;
	ev.inode = inode;
	ev.fd = -1;
	return ev;
}

static int FS;

static struct e4err_enrich *engine(void)
{
	struct e4err_enrich *en;

	assert_int_equal(e4err_enrich_new(true, &en), 0);
	assert_int_equal(e4err_enrich_add_fs(en, &FS, "loop9", NULL, true, true,
					     0, 0), 0);
	return en;
}

static void test_line_first(void **state)
{
	struct e4err_enrich *en = engine();
	struct e4err_enriched r;
	struct e4err_event ev = event(12, 1);
	struct e4err_klog l;

	(void)state;
	l = line("EXT4-fs error (device loop8): f:1: inode #12: comm ls: other fs", 1);
	e4err_enrich_line(en, &l, 100);
	l = line("EXT4-fs error (device loop9): htree_dirblock_to_tree:1051: "
		 "inode #12: comm ls: Directory block failed checksum", 2);
	e4err_enrich_line(en, &l, 100);
	e4err_enrich_event(en, &FS, &ev, NULL, 110);
	assert_false(e4err_enrich_pop(en, &r));
	assert_int_equal(e4err_enrich_tick(en, 110), 110 + E4ERR_ENRICH_SETTLE_MS);
	e4err_enrich_tick(en, 110 + E4ERR_ENRICH_SETTLE_MS);
	assert_true(e4err_enrich_pop(en, &r));
	assert_true(r.has_event);
	assert_int_equal(r.nobjects, 1);
	assert_int_equal(r.obj[0].inode, 12);
	assert_int_equal(r.obj[0].inode_src, E4ERR_SRC_EVENT | E4ERR_SRC_KMSG);
	assert_string_equal(r.obj[0].function, "htree_dirblock_to_tree");
	assert_int_equal(r.obj[0].function_src, E4ERR_SRC_KMSG);
	assert_int_equal(r.obj[0].line, 1051);
	assert_string_equal(r.obj[0].comm, "ls");
	assert_int_equal(r.obj[0].kmsg_seq, 2);
	assert_int_equal(r.unrecovered, 0);
	assert_false(e4err_enrich_pop(en, &r));
	assert_int_equal(e4err_enrich_get_stats(en)->lines_unknown_fs, 1);
	e4err_enrich_free(en);
}

static void test_event_first_and_alone(void **state)
{
	struct e4err_enrich *en = engine();
	struct e4err_enriched r;
	struct e4err_event ev = event(0, 1);
	struct e4err_klog l;

	(void)state;
	e4err_enrich_event(en, &FS, &ev, NULL, 1000);
	/* A group-locked line is not the no-inode event's line. */
	l = line("EXT4-fs error (device loop9): ext4_mb_generate_buddy:1217: "
		 "group 0, block bitmap and bg descriptor inconsistent", 5);
	e4err_enrich_line(en, &l, 1100);
	l = line("EXT4-fs error (device loop9): trigger_test_error:129: "
		 "comm bash: hello", 6);
	e4err_enrich_line(en, &l, 1200);
	e4err_enrich_tick(en, 1000 + E4ERR_ENRICH_SETTLE_MS);
	assert_true(e4err_enrich_pop(en, &r));
	assert_false(r.obj[0].has_inode);
	assert_string_equal(r.obj[0].function, "trigger_test_error");
	assert_string_equal(r.obj[0].message, "hello");
	assert_false(e4err_enrich_pop(en, &r));
	/* The group line stays alone until the window passes. */
	e4err_enrich_tick(en, 1100 + E4ERR_ENRICH_WINDOW_MS);
	assert_true(e4err_enrich_pop(en, &r));
	assert_false(r.has_event);
	assert_true(r.obj[0].has_group);
	assert_int_equal(r.obj[0].sources, E4ERR_SRC_KMSG);
	e4err_enrich_free(en);
}

static void test_merged(void **state)
{
	struct e4err_enrich *en = engine();
	struct e4err_enriched r;
	struct e4err_event ev = event(12, 3);
	struct e4err_klog l;

	(void)state;
	l = line("EXT4-fs error (device loop9): htree_dirblock_to_tree:1051: "
		 "inode #12: comm ls: Directory block failed checksum", 10);
	e4err_enrich_line(en, &l, 0);
	l = line("EXT4-fs error (device loop9): htree_dirblock_to_tree:1051: "
		 "inode #13: comm cat: other process", 11);
	e4err_enrich_line(en, &l, 0);
	l = line("EXT4-fs error (device loop9): htree_dirblock_to_tree:1051: "
		 "inode #14: comm ls: Directory block failed checksum", 12);
	e4err_enrich_line(en, &l, 0);
	e4err_enrich_event(en, &FS, &ev, NULL, 10);
	e4err_enrich_flush(en, 20);
	assert_true(e4err_enrich_pop(en, &r));
	assert_int_equal(r.errors, 3);
	assert_int_equal(r.nobjects, 2);
	assert_int_equal(r.obj[0].inode, 12);
	assert_int_equal(r.obj[1].inode, 14);
	assert_int_equal(r.obj[1].inode_src, E4ERR_SRC_KMSG);
	assert_int_equal(r.unrecovered, 1);
	/* The other process's line was not taken: it comes out alone. */
	assert_true(e4err_enrich_pop(en, &r));
	assert_false(r.has_event);
	assert_int_equal(r.obj[0].inode, 13);
	e4err_enrich_free(en);
}

static void test_gone_and_lost(void **state)
{
	struct e4err_enrich *en = engine();
	struct e4err_enrich_fs_info info;
	struct e4err_enriched r;
	struct e4err_event ev = event(12, 1);
	struct e4err_klog l;
	uint64_t n;

	(void)state;
	/* No event ever came, the counter rose: counters mode. */
	e4err_enrich_counter(en, &FS, 2, 100);
	e4err_enrich_tick(en, 100 + G);
	assert_true(e4err_enrich_news(en, &info, &n));
	assert_int_equal(n, 2);
	assert_int_equal(info.mode.mode, E4ERR_MODE_COUNTERS);
	assert_int_equal(e4err_lost_reports(&info.lost), 2);
	assert_false(e4err_enrich_news(en, &info, &n));
	l = line("loop9: lost filesystem error report for type 5 error -117", 1);
	e4err_enrich_line(en, &l, 200);
	assert_true(e4err_enrich_fs_info(en, 0, &info));
	assert_int_equal(e4err_lost_reports(&info.lost), 3);
	/* An event: events mode again; the filesystem goes before it settles. */
	e4err_enrich_event(en, &FS, &ev, NULL, 300);
	assert_true(e4err_enrich_news(en, &info, &n));
	assert_int_equal(info.mode.mode, E4ERR_MODE_EVENTS);
	e4err_enrich_remove_fs(en, &FS, 310);
	assert_true(e4err_enrich_pop(en, &r));
	assert_true(r.fs_gone);
	assert_int_equal(e4err_enrich_nfs(en), 0);
	/* An overflow asks for a rescan. */
	ev.overflow = true;
	e4err_enrich_event(en, NULL, &ev, NULL, 400);
	assert_true(e4err_enrich_rescan_wanted(en));
	e4err_enrich_rescan(en, 400);
	assert_false(e4err_enrich_rescan_wanted(en));
	e4err_enrich_free(en);
}

static void test_json(void **state)
{
	struct e4err_enrich *en = engine();
	struct e4err_enriched r;
	struct e4err_event ev = event(12, 1);
	struct e4err_klog l;
	json_t *j;
	char *s;

	(void)state;
	l = line("EXT4-fs error (device loop9): f:7: inode #12: block 99: "
		 "comm a\\xffb: m", 1);
	e4err_enrich_line(en, &l, 0);
	e4err_enrich_event(en, &FS, &ev, NULL, 0);
	e4err_enrich_flush(en, 0);
	assert_true(e4err_enrich_pop(en, &r));
	j = e4err_enriched_to_json(&r);
	assert_non_null(j);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	assert_non_null(strstr(s, "\"block\":99"));
	assert_non_null(strstr(s, "\"function\":\"f\""));
	assert_non_null(strstr(s, "\"comm\":\"a\\uFFFDb\""));
	assert_non_null(strstr(s, "\"inode\":[\"event\",\"kmsg\"]"));
	assert_non_null(strstr(s, "\"block\":[\"kmsg\"]"));
	free(s);
	json_decref(j);
	assert_string_equal(e4err_src_names(E4ERR_SRC_KMSG | E4ERR_SRC_SUPERBLOCK),
			    "kmsg,superblock");
	e4err_enrich_free(en);
}

/* A lazy unmount: late events and lines still meet, the device is not read. */
static void test_fs_gone(void **state)
{
	struct e4err_enrich *en;
	struct e4err_enriched r;
	struct e4err_event ev = event(12, 1);
	struct e4err_klog l;

	(void)state;
	assert_int_equal(e4err_enrich_new(true, &en), 0);
	/* A device that does not exist: a read would fail, none must happen. */
	assert_int_equal(e4err_enrich_add_fs(en, &FS, "loop9", "/nonexistent/dev",
					     true, true, 0, 0), 0);
	l = line("EXT4-fs error (device loop9): f:1: inode #12: comm ls: late", 1);
	e4err_enrich_line(en, &l, 100);
	e4err_enrich_fs_gone(en, &FS, 110);
	e4err_enrich_event(en, &FS, &ev, NULL, 120);
	e4err_enrich_tick(en, 120);
	assert_true(e4err_enrich_pop(en, &r));
	assert_true(r.fs_gone);
	assert_false(r.has_sb);
	assert_string_equal(r.obj[0].message, "late");
	assert_int_equal(e4err_enrich_get_stats(en)->sb_reads, 0);
	e4err_enrich_free(en);
}

/* ---- the store: enrichments and marks ---- */

struct rows {
	size_t n;
	uint64_t inode[4];
	bool has_event[4];
	char comm[4][16];
	char sources[4][128];
};

static int collect_rows(void *arg, const struct e4err_store_enrichment_row *r)
{
	struct rows *x = arg;

	if (x->n < 4) {
		x->inode[x->n] = r->e.inode;
		x->has_event[x->n] = r->has_event;
		snprintf(x->comm[x->n], sizeof(x->comm[0]), "%.*s",
			 (int)r->e.comm_len, r->e.comm ? r->e.comm : "");
		snprintf(x->sources[x->n], sizeof(x->sources[0]), "%s",
			 r->e.sources);
	}
	x->n++;
	return 0;
}

static void test_store(void **state)
{
	char dir[] = "/tmp/test_enrich.XXXXXX", cmd[64];
	struct e4err_store_fs sfs = { .uuid = "0b1c-test", .kname = "loop9" };
	struct e4err_store_options so;
	struct e4err_store_error_mark m = { 0 }, got;
	struct e4err_store *st;
	struct e4err_store_ref ref;
	struct e4err_enrich *en = engine();
	struct e4err_event ev = event(12, 2);
	struct e4err_enriched r;
	struct e4err_klog l;
	struct rows rows = { 0 };
	struct e4err_store_filter flt = { .fs = "0b1c-test" };

	(void)state;
	assert_non_null(mkdtemp(dir));
	e4err_store_options_init(&so);
	so.state_dir = dir;
	so.spool_dir = dir;
	assert_int_equal(e4err_store_open(&so, &st), 0);
	assert_int_equal(e4err_store_get_error_mark(st, sfs.uuid, &got), 0);
	assert_false(got.known);
	m.known = true;
	m.error_count = 5;
	m.first_time = 100;
	m.last_time = 200;
	m.updated_ns = 1000;
	m.lost_reports = 7;
	assert_int_equal(e4err_store_set_error_mark(st, &sfs, &m), 0);
	m.error_count = 4;	/* older: does not replace the newer mark */
	m.updated_ns = 900;
	m.lost_reports = 3;
	assert_int_equal(e4err_store_set_error_mark(st, &sfs, &m), 0);
	assert_int_equal(e4err_store_get_error_mark(st, sfs.uuid, &got), 0);
	assert_true(got.known);
	assert_int_equal(got.error_count, 5);
	assert_int_equal(got.last_time, 200);
	assert_int_equal(got.lost_reports, 7);
	/* An enriched merged event: two objects, tied to the event. */
	assert_int_equal(e4err_store_add_event(st, &sfs, &ev, 1, NULL, 0, &ref), 0);
	l = line("EXT4-fs error (device loop9): f:1: inode #12: comm ls: a", 1);
	e4err_enrich_line(en, &l, 0);
	l = line("EXT4-fs error (device loop9): f:1: inode #13: comm ls: b", 2);
	e4err_enrich_line(en, &l, 0);
	e4err_enrich_event(en, &FS, &ev, &ref, 0);
	e4err_enrich_flush(en, 0);
	assert_true(e4err_enrich_pop(en, &r));
	assert_int_equal(r.nobjects, 2);
	assert_int_equal(e4err_enrich_store(st, &sfs, &r, 2), 0);
	assert_int_equal(e4err_store_query_enrichments(st, &flt, collect_rows,
						       &rows), 0);
	assert_int_equal(rows.n, 2);
	assert_int_equal(rows.inode[0], 12);
	assert_int_equal(rows.inode[1], 13);
	assert_true(rows.has_event[1]);
	assert_string_equal(rows.comm[1], "ls");
	assert_string_equal(rows.sources[1], "{\"inode\":[\"kmsg\"],"
			    "\"function\":[\"kmsg\"],\"line\":[\"kmsg\"],"
			    "\"comm\":[\"kmsg\"],\"message\":[\"kmsg\"]}");
	assert_string_equal(rows.sources[0], "{\"inode\":[\"event\",\"kmsg\"],"
			    "\"function\":[\"kmsg\"],\"line\":[\"kmsg\"],"
			    "\"comm\":[\"kmsg\"],\"message\":[\"kmsg\"]}");
	flt.has_inode = true;
	flt.inode = 13;
	rows.n = 0;
	assert_int_equal(e4err_store_query_enrichments(st, &flt, collect_rows,
						       &rows), 0);
	assert_int_equal(rows.n, 1);
	e4err_store_close(st);
	e4err_enrich_free(en);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lost_explained),
		cmocka_unit_test(test_lost_rise_without_event),
		cmocka_unit_test(test_lost_merged),
		cmocka_unit_test(test_lost_read_only),
		cmocka_unit_test(test_lost_reset),
		cmocka_unit_test(test_lost_bounded),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_first_sight),
		cmocka_unit_test(test_line_first),
		cmocka_unit_test(test_event_first_and_alone),
		cmocka_unit_test(test_merged),
		cmocka_unit_test(test_gone_and_lost),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_fs_gone),
		cmocka_unit_test(test_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
