/*
 * daemon_counters.c --- errors the kernel counted but no event reported.
 *
 * Some ext4 errors send no fanotify event (mballoc's group-locked errors
 * such as "block bitmap and bg descriptor inconsistent"; errors during
 * mount or journal replay, before any mark exists; events lost to a full
 * queue) but all raise s_error_count, which /sys/fs/ext4/<dev>/errors_count
 * shows and signals with POLLPRI.  Events explain part of each rise (their
 * error_count); the rest is recorded as a finding `unreported_errors` on
 * the filesystem (no inode), so `e4errd report` shows it.
 *
 * The count already accounted for is kept in the store, in that finding's
 * object ("errors_count N") of the newest no-inode inspection, with its
 * time.  After a restart the counter is compared with it, minus what the
 * events recorded since then explain: errors seen before are not recorded
 * twice, and errors raised while the daemon was not running are recorded
 * once.  The store holds no other no-inode inspections from the daemon
 * (an event naming no inode and no block is not inspected).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "nls.h"

#define DESC_MAX	(4 * PATH_MAX + 1)
#define FINDING_CODE	"unreported_errors"
#define OBJECT_FMT	"errors_count %" SCNu32

/* ---- reading -------------------------------------------------------------- */

static errcode_t read_count(struct daemon_fs *fs, uint32_t *now)
{
	struct e4err_sb_errors sb;
	errcode_t retval;

	if (fs->errors_fd >= 0)
		return e4err_errors_count_read(fs->errors_fd, now);
	retval = e4err_sb_errors_read(fs->device, &sb);
	if (!retval)
		*now = sb.error_count;
	return retval;
}

/* "ext4_mb_generate_buddy:1317, inode 12, block 4385, 2026-11-25 13:01:02" */
static void describe_errrec(char *out, size_t len,
			    const struct e4err_sb_errrec *r)
{
	char fn[sizeof(r->function) * 4], when[32], ino[32] = "", blk[40] = "";
	time_t t = (time_t) r->time;
	struct tm tm;

	if (!r->present) {
		snprintf(out, len, _("none recorded"));
		return;
	}
	if (!gmtime_r(&t, &tm) ||
	    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm))
		snprintf(when, sizeof(when), "@%" PRIu64, r->time);
	if (r->has_inode)
		snprintf(ino, sizeof(ino), _(", inode %" PRIu32), r->inode);
	if (r->has_block)
		snprintf(blk, sizeof(blk), _(", block %" PRIu64), r->block);
	snprintf(out, len, "%s:%" PRIu32 "%s%s, %s",
		 desc(fn, sizeof(fn), r->function), r->line, ino, blk, when);
}

/* ---- recording ------------------------------------------------------------ */

static void record(struct daemon *d, struct daemon_fs *fs, uint32_t n,
		   uint32_t now, bool first_sight)
{
	char object[48], message[640], first[200], last[200], reason[160];
	char a[DESC_MAX];
	struct e4err_store_finding f;
	struct e4err_store_inspection in;
	struct e4err_sb_errors sb;

	if (e4err_sb_errors_read(fs->device, &sb))
		memset(&sb, 0, sizeof(sb));
	describe_errrec(first, sizeof(first), &sb.first);
	describe_errrec(last, sizeof(last), &sb.last);
	snprintf(object, sizeof(object), OBJECT_FMT, now);
	if (first_sight)
		snprintf(message, sizeof(message), _("the superblock counts %"
			 PRIu32 " error(s) that no recorded event explains "
			 "(raised while e4errd was not watching, during mount, "
			 "or sending no event); errors_count is %" PRIu32
			 "; first error: %s; last error: %s"), n, now, first, last);
	else
		snprintf(message, sizeof(message), _("errors_count rose to %"
			 PRIu32 " with %" PRIu32 " error(s) that sent no event "
			 "(such as mballoc's group-locked errors, or events "
			 "lost); last error: %s"), now, n, last);
	snprintf(reason, sizeof(reason), _("not inspected: the kernel counted "
		 "%" PRIu32 " error(s) without an event naming the object"), n);
	f = (struct e4err_store_finding) {
		.code = FINDING_CODE, .object = object, .message = message,
		.related = true,
	};
	memset(&in, 0, sizeof(in));
	in.time_ns = real_ns();
	in.verdict = e4err_verdict_name(E4ERR_VERDICT_INCONCLUSIVE);
	in.reason = reason;
	in.nfindings = 1;
	in.findings = &f;
	dlog(LOG_WARNING, _("%s: %" PRIu32 " error(s) counted by the kernel "
	     "with no event explaining them (errors_count %" PRIu32 "; last "
	     "error: %s)"), desc(a, sizeof(a), fs->mountpoint), n, now, last);
	daemon_store_inspection(d, fs, &in);
}

/* ---- what the store remembers --------------------------------------------- */

struct restore {
	const char *uuid;
	bool has_insp;
	struct e4err_store_ref ref;
	uint64_t insp_ns;
	bool has_base;
	uint32_t base;
	uint64_t explained;
};

static int newest_noinode(void *arg, const struct e4err_store_inode_summary *in)
{
	struct restore *r = arg;

	if (!in->has_inode && in->has_inspection) {
		r->has_insp = true;
		r->ref = in->inspection;
		r->insp_ns = in->inspected_ns;
	}
	return 0;
}

static int base_finding(void *arg, const struct e4err_store_finding *f)
{
	struct restore *r = arg;

	if (!r->has_base && f->code && !strcmp(f->code, FINDING_CODE) &&
	    f->object && sscanf(f->object, OBJECT_FMT, &r->base) == 1)
		r->has_base = true;
	return 0;
}

static int sum_events(void *arg, const struct e4err_store_event_row *ev)
{
	struct restore *r = arg;

	if (strcmp(ev->fs_uuid, r->uuid) || (ev->mask & E4ERR_FAN_Q_OVERFLOW))
		return 0;
	r->explained += ev->has_error_count && ev->error_count ?
		ev->error_count : 1;
	return 0;
}

/* The count accounted for at *base_ns (0 and 0 when none is stored). */
static void stored_base(struct e4err_store *rd, struct daemon_fs *fs,
			struct restore *r)
{
	errcode_t retval;

	retval = e4err_store_query_inodes(rd, fs->uuid, NULL,
					  newest_noinode, r);
	if (!retval && r->has_insp)
		retval = e4err_store_query_findings(rd, &r->ref,
						    base_finding, r);
	if (retval)
		com_err(program_name, retval, _("while reading what the store "
			"knows of %s"), fs->mountpoint);
}

static uint64_t explained_since(struct e4err_store *rd, struct daemon_fs *fs,
				struct restore *r, uint64_t since_ns)
{
	struct e4err_store_filter flt = {
		.has_since = true, .since_ns = since_ns, .fs = fs->uuid,
	};
	errcode_t retval;

	r->explained = 0;
	retval = e4err_store_query_events(rd, &flt, sum_events, r);
	if (retval)
		com_err(program_name, retval, _("while reading the events of %s"),
			fs->mountpoint);
	return r->explained;
}

/* ---- the daemon's entry points -------------------------------------------- */

void daemon_counters_first_sight(struct daemon *d, struct daemon_fs *fs)
{
	struct restore r = { .uuid = fs->uuid };
	struct e4err_store *rd = NULL;
	struct e4err_sb_errors sb;
	uint64_t since_ns = 0, explained;
	uint32_t now, lost;
	errcode_t retval;

	if (fs->kname && (retval = e4err_errors_count_open(fs->kname,
							    &fs->errors_fd)) &&
	    retval != ENOENT)
		com_err(program_name, retval, _("while opening the error counter "
			"of %s"), fs->kname);
	retval = read_count(fs, &now);
	if (retval) {
		com_err(program_name, retval, _("while reading the error counter "
			"of %s"), fs->device);
		return;
	}
	retval = daemon_reader(d, &rd);
	if (retval)
		com_err(program_name, retval, _("while reading what the store "
			"knows of %s"), fs->mountpoint);
	else
		stored_base(rd, fs, &r);
	if (!r.has_base || now < r.base)
		r.base = 0, r.insp_ns = 0;	/* never counted, or reset since */
	since_ns = r.has_base ? r.insp_ns : 0;
	/* A reset (e2fsck) clears the error records too: count from the first. */
	if (!e4err_sb_errors_read(fs->device, &sb) && sb.first.present &&
	    sb.first.time * 1000000000ULL > since_ns)
		since_ns = sb.first.time * 1000000000ULL;
	explained = rd && now > r.base ? explained_since(rd, fs, &r, since_ns) : 0;
	e4err_store_close(rd);
	lost = e4err_counter_unexplained(r.base, explained, now);
	e4err_counter_init(&fs->counter, now);
	dlog(LOG_DEBUG, "%s: errors_count %" PRIu32 ", accounted for %" PRIu32
	     ", explained by events since then %" PRIu64, fs->device, now,
	     r.base, explained);
	if (lost)
		record(d, fs, lost, now, true);
}

void daemon_counters_check(struct daemon *d, struct daemon_fs *fs)
{
	char a[DESC_MAX];
	uint32_t now, lost;
	bool reset;

	if (fs->gone || !fs->counter.known || read_count(fs, &now))
		return;
	lost = e4err_counter_update(&fs->counter, now, &reset);
	if (reset)
		dlog(LOG_NOTICE, _("the error counter of %s went down to %"
		     PRIu32 ": it was reset (by e2fsck?)"),
		     desc(a, sizeof(a), fs->mountpoint), now);
	if (lost)
		record(d, fs, lost, now, false);
}

void daemon_counters_explain(struct daemon_fs *fs, const struct e4err_event *ev)
{
	if (ev->skipped || ev->overflow)
		return;
	e4err_counter_explain(&fs->counter, ev->has_error_count &&
			      ev->error_count ? ev->error_count : 1);
}
