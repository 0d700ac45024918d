/*
 * store_tool.c --- drive the findings store from shell tests.
 *
 *   store_tool populate STATE SPOOL     hostile sample data for report tests
 *   store_tool record STATE SPOOL FIRST COUNT [BATCH]
 *                                       record events with inodes FIRST,
 *                                       FIRST+1, ...; after each commit print
 *                                       "recorded N" for every inode N in it
 *                                       (COUNT 0: until killed)
 *   store_tool dump STATE SPOOL         "inode origin:seq" per event (reader)
 *   store_tool merge STATE SPOOL        open a writer, merge the spool
 *
 * Exit status 0, or 1 with a com_err message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <et/com_err.h>

#include "e4err_err.h"
#include "store.h"

#define NS	1000000000ULL

static const char *prog = "store_tool";

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static void options(struct e4err_store_options *opt, char **argv)
{
	e4err_store_options_init(opt);
	opt->state_dir = argv[2];
	opt->spool_dir = argv[3];
	opt->whoami = prog;
	/* Tests count every event: no retention. */
	opt->retention.max_events_per_fs = 0;
	opt->retention.max_age_s = 0;
}

static void event(struct e4err_event *ev, uint64_t inode, int32_t error,
		  const char *func, const char *desc, size_t desc_len)
{
	memset(ev, 0, sizeof(*ev));
	ev->abi = func ? E4ERR_ABI_RFC : E4ERR_ABI_MAINLINE;
	ev->mask = func ? E4ERR_RFC_FAN_ERROR : E4ERR_FAN_FS_ERROR;
	ev->pid = 1234;
	ev->has_error = true;
	ev->error = error;
	ev->has_error_count = !func;
	ev->error_count = 2;
	ev->has_inode = inode != 0;
	ev->inode = inode;
	ev->has_generation = inode != 0 && !func;
	ev->generation = 3141;
	if (func) {
		ev->has_function = true;
		snprintf(ev->function, sizeof(ev->function), "%s", func);
		ev->has_line = true;
		ev->line = 1787;
		ev->has_block = true;
		ev->block = 4385;
		ev->has_desc = true;
		ev->desc_len = desc_len;
		memcpy(ev->desc, desc, desc_len);
	}
}

/* Escape sequences, newlines, invalid UTF-8, bidi controls, quotes. */
static const char desc_esc[] = "bad entry \x1b[2J\x1b]0;owned\x07\nEXT4-fs: forged line";
static const char desc_bin[] = "inode \xff\xfe\xc3( \xe2\x80\xae" "drowssap \"q\" \\ end\r";
static const char func_esc[] = "ext4_\x1b[31mlookup";

static const struct e4err_store_fs fs1 = {
	.uuid = "11111111-2222-4333-8444-555555555555", .device = "/dev/loop42",
	.mountpoint = "/mnt/evil\nname \"q\" \\", .kname = "loop42",
	.has_fsid = true, .fsid = { 0xdeadbeef, 0x00c0ffee },
};
static const struct e4err_store_fs fs2 = {
	.uuid = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee", .device = "/dev/loop43",
	.mountpoint = "/mnt/old", .kname = "loop43",
};

static errcode_t populate_events(struct e4err_store *st, uint64_t now,
				 struct e4err_store_ref *ref12)
{
	struct e4err_event ev;
	static const unsigned char raw[] = { 0x10, 0, 0, 0, 0x1b, 0xff };
	errcode_t err;

	event(&ev, 12, 0, func_esc, desc_esc, sizeof(desc_esc) - 1);
	err = e4err_store_add_event(st, &fs1, &ev, now - 3600 * NS, raw,
				    sizeof(raw), ref12);
	event(&ev, 13, 74, NULL, NULL, 0);
	if (!err)
		err = e4err_store_add_event(st, &fs1, &ev, now - 1800 * NS, NULL, 0, NULL);
	event(&ev, 12, 0, "ext4_readdir", desc_bin, sizeof(desc_bin) - 1);
	if (!err)
		err = e4err_store_add_event(st, &fs1, &ev, now - 60 * NS, NULL, 0, NULL);
	event(&ev, 0, -108, NULL, NULL, 0);	/* no inode, negative */
	if (!err)
		err = e4err_store_add_event(st, &fs1, &ev, now - 30 * NS, NULL, 0, NULL);
	event(&ev, 77, 117, NULL, NULL, 0);	/* an older filesystem */
	if (!err)
		err = e4err_store_add_event(st, &fs2, &ev, now - 3 * 86400 * NS,
					    NULL, 0, NULL);
	return err;
}

static errcode_t populate_rest(struct e4err_store *st, uint64_t now,
			       const struct e4err_store_ref *ref12)
{
	struct e4err_store_finding fds[] = {
		{ "dir_block_checksum", "inode 12", "entry \"\x1b[1mevil\x1b[0m\"\n"
		  "fails \xff its checksum", "EXT2_ET_DIR_CSUM_INVALID", true },
		{ "block_bitmap_checksum", "group 3", "bitmap checksum", NULL, false },
	};
	struct e4err_store_inspection in = {
		.has_event = true, .event = *ref12, .has_inode = true, .inode = 12,
		.time_ns = now - 3500 * NS, .verdict = "confirmed",
		.nfindings = 2, .findings = fds,
	};
	struct e4err_store_job_update u = {
		.time_ns = now - 3400 * NS, .state = "queued",
	};
	struct e4err_store_ref job;
	errcode_t err;

	err = e4err_store_add_inspection(st, &fs1, &in, NULL);
	in = (struct e4err_store_inspection){ .has_inode = true, .inode = 77,
		.time_ns = now - 3 * 86400 * NS, .verdict = "not_confirmed" };
	if (!err)
		err = e4err_store_add_inspection(st, &fs2, &in, NULL);
	if (!err)
		err = e4err_store_add_job(st, &fs1, "e2fsck", "deferred until unmounted",
					  false, 0, &u, &job);
	u = (struct e4err_store_job_update){ .time_ns = now - 3000 * NS,
		.state = "done", .has_exit_status = true, .exit_status = 4,
		.result = "corrupt", .detail = "Pass 2: \x1b[7mentry\x1b[0m\n", .final = true };
	if (!err)
		err = e4err_store_update_job(st, &job, &u);
	return err;
}

/* What enrichment adds: hostile kernel-log strings, a log-only inode, a mark. */
static errcode_t populate_enrich(struct e4err_store *st, uint64_t now)
{
	static const char comm[] = "\x1b]0;pwn\x07\xff";
	static const char msg[] = "bad entry\nEXT4-fs error: forged";
	struct e4err_store_enrichment e = {
		.has_inode = true, .inode = 13, .has_block = true, .block = 999,
		.function = "ext4_lookup", .function_len = 11,
		.has_line = true, .line = 1815,
		.comm = comm, .comm_len = sizeof(comm) - 1,
		.message = msg, .message_len = sizeof(msg) - 1,
		.sources = "{\"inode\":[\"event\",\"kmsg\"],\"block\":[\"kmsg\"]}",
	};
	struct e4err_store_error_mark m = {
		.known = true, .error_count = 9, .updated_ns = now,
		.lost_reports = 3,
	};
	errcode_t err;

	err = e4err_store_add_enrichment(st, &fs1, NULL, &e, 1, now - 1700 * NS,
					 NULL);
	e = (struct e4err_store_enrichment){ .has_inode = true, .inode = 99,
		.function = "ext4_mb_generate_buddy", .function_len = 22,
		.comm = "ls", .comm_len = 2, .message = "known from the log",
		.message_len = 18, .sources = "{\"inode\":[\"kmsg\"]}" };
	if (!err)
		err = e4err_store_add_enrichment(st, &fs1, NULL, &e, 1,
						 now - 1600 * NS, NULL);
	if (!err)
		err = e4err_store_set_error_mark(st, &fs1, &m);
	return err;
}

static int populate(char **argv)
{
	struct e4err_store_options opt;
	struct e4err_store_ref ref12;
	struct e4err_store *st;
	uint64_t now = now_ns();
	errcode_t err;

	options(&opt, argv);
	err = e4err_store_open(&opt, &st);
	if (!err) {
		err = e4err_store_begin(st);
		if (!err)
			err = populate_events(st, now, &ref12);
		if (!err)
			err = populate_rest(st, now, &ref12);
		if (!err)
			err = populate_enrich(st, now);
		if (!err)
			err = e4err_store_commit(st);
		e4err_store_close(st);
	}
	if (err)
		com_err(prog, err, "while populating %s", argv[2]);
	return err ? 1 : 0;
}

static int record(int argc, char **argv)
{
	static const struct e4err_store_fs fs = {
		.uuid = "0b2f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b", .device = "/dev/null",
	};
	struct e4err_store_options opt;
	struct e4err_store *st = NULL;
	struct e4err_event ev;
	uint64_t first = strtoull(argv[4], NULL, 10);
	uint64_t count = strtoull(argv[5], NULL, 10), i, j;
	uint64_t batch = argc > 6 ? strtoull(argv[6], NULL, 10) : 1;
	errcode_t err;

	options(&opt, argv);
	err = e4err_store_open(&opt, &st);
	for (i = 0; !err && (!count || i < count); i += batch) {
		err = e4err_store_begin(st);
		for (j = 0; !err && j < batch; j++) {
			event(&ev, first + i + j, 74, NULL, NULL, 0);
			err = e4err_store_add_event(st, &fs, &ev, now_ns(), NULL, 0, NULL);
		}
		if (!err)
			err = e4err_store_commit(st);
		for (j = 0; !err && j < batch; j++)
			printf("recorded %llu\n", (unsigned long long)(first + i + j));
		fflush(stdout);
	}
	if (err)
		com_err(prog, err, "while recording in %s", argv[2]);
	e4err_store_close(st);
	return err ? 1 : 0;
}

static int dump_one(void *arg, const struct e4err_store_event_row *ev)
{
	(void)arg;
	printf("%llu %llu:%llu\n", (unsigned long long)ev->inode,
	       (unsigned long long)ev->ref.origin, (unsigned long long)ev->ref.seq);
	return 0;
}

static int dump(char **argv)
{
	struct e4err_store_options opt;
	struct e4err_store *st;
	errcode_t err;

	options(&opt, argv);
	err = e4err_store_open_reader(&opt, &st);
	if (!err) {
		err = e4err_store_query_events(st, NULL, dump_one, NULL);
		e4err_store_close(st);
	}
	if (err)
		com_err(prog, err, "while reading %s", argv[2]);
	return err ? 1 : 0;
}

static int merge(char **argv)
{
	struct e4err_store_options opt;
	struct e4err_store_info info;
	struct e4err_store *st;
	uint64_t n = 0;
	errcode_t err;

	options(&opt, argv);
	err = e4err_store_open(&opt, &st);
	if (!err) {
		err = e4err_store_try_merge_spool(st, &n);
		e4err_store_get_info(st, &info);
		printf("%s, %llu merged now\n", info.spooling ? "spooling" : "main",
		       (unsigned long long)n);
		e4err_store_close(st);
	}
	if (err)
		com_err(prog, err, "while merging into %s", argv[2]);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	add_error_table(&et_e4er_error_table);
	if (argc >= 4 && !strcmp(argv[1], "populate"))
		return populate(argv);
	if (argc >= 6 && !strcmp(argv[1], "record"))
		return record(argc, argv);
	if (argc >= 4 && !strcmp(argv[1], "dump"))
		return dump(argv);
	if (argc >= 4 && !strcmp(argv[1], "merge"))
		return merge(argv);
	fprintf(stderr, "usage: %s populate|record|dump|merge STATE SPOOL ...\n",
		prog);
	return 2;
}
