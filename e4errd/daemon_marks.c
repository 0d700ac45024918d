/*
 * daemon_marks.c --- the filesystems' own error counters, and what the
 * store remembers of them.
 *
 * Some ext4 errors send no fanotify event (mballoc's group-locked errors;
 * errors during mount or journal replay, before any mark exists; events
 * lost to a full queue) but all raise s_error_count, which
 * /sys/fs/ext4/<dev>/errors_count shows and signals with POLLPRI.  The
 * counter goes to enrich, where lib/lost.h sets it against the events;
 * what it finds lost comes back as news (daemon_enrich.c) and is recorded
 * here as a finding `lost_reports` on the filesystem (no inode).
 *
 * First sight.  The store keeps an error mark per filesystem: the
 * superblock's error count and first and last error times last accounted
 * for.  When a filesystem is first seen, what the superblock counts beyond
 * the mark, less what the events recorded since then explain, happened
 * while nothing watched (or during mount): recorded once, as a finding
 * `unrecorded_errors`.  The mark moves whenever the counter has been
 * accounted for -- at first sight, after lost reports are recorded, at an
 * unmount and at a stop -- so a restart finds nothing twice.  It also
 * keeps the filesystem's lost reports in total, for the report (the
 * findings cannot: retention keeps only the newest no-event inspection).
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
#define NS_PER_S	1000000000ULL

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

/* "ext4_mb_generate_buddy:1317, inode 12, block 4385, 2026-11-25 13:01:02Z" */
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

/* A finding on the filesystem as a whole: there is no object to inspect. */
static errcode_t record_fs_finding(struct daemon *d, struct daemon_fs *fs,
				   const char *code, const char *message,
				   const char *reason)
{
	struct e4err_store_finding f = {
		.code = code, .object = NULL, .message = message,
		.related = true,
	};
	struct e4err_store_inspection in;

	memset(&in, 0, sizeof(in));
	in.time_ns = real_ns();
	in.verdict = e4err_verdict_name(E4ERR_VERDICT_INCONCLUSIVE);
	in.reason = reason;
	in.nfindings = 1;
	in.findings = &f;
	return daemon_report_to_policy(d, fs, &in);
}

/* Without the stored mark, a new one could lose its lost_reports total. */
static void set_mark(struct daemon *d, struct daemon_fs *fs,
		     const struct e4err_store_error_mark *m)
{
	struct e4err_store_error_mark mark = *m;
	struct e4err_store_fs sfs;
	errcode_t retval;

	if (!fs->has_mark)
		return;
	mark.lost_reports = fs->lost_total;
	daemon_fs_store_view(fs, &sfs);
	retval = e4err_store_set_error_mark(d->store, &sfs, &mark);
	if (retval)
		com_err(program_name, retval, _("while recording the error "
			"count of %s"), fs->mountpoint);
	else
		fs->mark = mark;
	daemon_spool_check(d);
}

/*
 * Everything the superblock counts now is accounted for: recorded, or
 * explained by events already recorded.  Without a superblock to read (an
 * unmounted filesystem), only the lost reports' total changes: the same
 * time keeps the same events explaining the rest.
 */
void daemon_mark_move(struct daemon *d, struct daemon_fs *fs)
{
	struct e4err_store_error_mark none = { 0 };
	struct e4err_first_sight now;
	struct e4err_sb_errors sb;

	if (!fs->gone && !e4err_sb_errors_read(fs->device, &sb)) {
		e4err_first_sight(&none, &sb, 0, real_ns(), &now);
		set_mark(d, fs, &now.mark);
	} else if (fs->mark.known && fs->mark.lost_reports != fs->lost_total) {
		set_mark(d, fs, &fs->mark);
	}
}

void daemon_record_lost(struct daemon *d, struct daemon_fs *fs, uint64_t n,
			const struct e4err_enrich_fs_info *info)
{
	char message[640], last[200], a[DESC_MAX];
	struct e4err_sb_errors sb;

	if (fs->gone || e4err_sb_errors_read(fs->device, &sb))
		memset(&sb, 0, sizeof(sb));
	describe_errrec(last, sizeof(last), &sb.last);
	fs->lost_total += n;
	snprintf(message, sizeof(message), _("%" PRIu64 " error(s) counted by "
		 "the kernel reached e4errd as no event (such as mballoc's "
		 "group-locked errors, or events dropped by a full queue); "
		 "errors_count is %" PRIu32 "; lost reports in total: %" PRIu64
		 "; last error: %s"), n, info->counter, fs->lost_total, last);
	/* Said once recorded, as events are. */
	if (!record_fs_finding(d, fs, "lost_reports", message,
			       _("not inspected: no event named the objects "
				 "of the lost reports")))
		daemon_mark_move(d, fs);
	dlog(LOG_WARNING, _("%s: %" PRIu64 " error(s) counted by the kernel "
	     "with no event reporting them: lost reports (errors_count %"
	     PRIu32 "; last error: %s)"), desc(a, sizeof(a), fs->mountpoint),
	     n, info->counter, last);
}

/* ---- first sight ---------------------------------------------------------- */

struct sum {
	const char *uuid;
	uint64_t n;
};

static int sum_events(void *arg, const struct e4err_store_event_row *ev)
{
	struct sum *s = arg;

	if (strcmp(ev->fs_uuid, s->uuid) || (ev->mask & E4ERR_FAN_Q_OVERFLOW))
		return 0;
	s->n += ev->has_error_count && ev->error_count ? ev->error_count : 1;
	return 0;
}

/*
 * The stored mark and the errors events recorded since it explain.  After
 * a reset (e2fsck) only the events since the new first error count.
 */
static errcode_t stored_mark(struct daemon *d, struct daemon_fs *fs,
			     const struct e4err_sb_errors *sb,
			     struct e4err_store_error_mark *mark,
			     uint64_t *explained)
{
	struct e4err_store_filter flt = { .has_since = true, .fs = fs->uuid };
	struct sum s = { .uuid = fs->uuid, .n = 0 };
	struct e4err_store *rd = NULL;
	errcode_t retval;

	retval = daemon_reader(d, &rd);
	if (!retval)
		retval = e4err_store_get_error_mark(rd, fs->uuid, mark);
	fs->has_mark = !retval;
	fs->lost_total = mark->known ? mark->lost_reports : 0;
	flt.since_ns = mark->known ? mark->updated_ns : 0;
	if (sb->first.present && sb->first.time * NS_PER_S > flt.since_ns)
		flt.since_ns = sb->first.time * NS_PER_S;
	if (!retval && sb->error_count)
		retval = e4err_store_query_events(rd, &flt, sum_events, &s);
	e4err_store_close(rd);
	*explained = s.n;
	return retval;
}

static void record_unrecorded(struct daemon *d, struct daemon_fs *fs,
			      const struct e4err_sb_errors *sb,
			      const struct e4err_first_sight *fsi)
{
	char message[640], first[200], last[200], a[DESC_MAX];

	describe_errrec(first, sizeof(first), &sb->first);
	describe_errrec(last, sizeof(last), &sb->last);
	snprintf(message, sizeof(message), _("the superblock counts %" PRIu32
		 " error(s) that no recorded event explains (raised while "
		 "e4errd was not watching, during mount or journal replay, or "
		 "sending no event); errors_count is %" PRIu32 "; first error: "
		 "%s; last error: %s"), fsi->unrecorded, sb->error_count,
		 first, last);
	if (!record_fs_finding(d, fs, "unrecorded_errors", message,
			       _("not inspected: the superblock names the "
				 "errors' objects only in its first and last "
				 "error")))
		set_mark(d, fs, &fsi->mark);
	dlog(LOG_WARNING, _("%s: %" PRIu32 " error(s) counted by the kernel "
	     "with no event recorded, while e4errd was not watching "
	     "(errors_count %" PRIu32 "; first error: %s; last error: %s)"),
	     desc(a, sizeof(a), fs->mountpoint), fsi->unrecorded,
	     sb->error_count, first, last);
}

/* What the superblock remembers that was never recorded. */
static void check_unrecorded(struct daemon *d, struct daemon_fs *fs)
{
	struct e4err_store_error_mark mark = { 0 };
	struct e4err_first_sight fsi;
	struct e4err_sb_errors sb;
	uint64_t explained = 0;
	errcode_t retval;

	retval = e4err_sb_errors_read(fs->device, &sb);
	if (!retval)
		retval = stored_mark(d, fs, &sb, &mark, &explained);
	if (retval) {
		com_err(program_name, retval, _("while looking for errors "
			"raised on %s while e4errd was not watching"),
			fs->mountpoint);
		return;
	}
	e4err_first_sight(&mark, &sb, explained, real_ns(), &fsi);
	dlog(LOG_DEBUG, "%s: errors_count %" PRIu32 ", accounted for %" PRIu32
	     "%s, explained by events since then %" PRIu64, fs->device,
	     sb.error_count, mark.error_count, fsi.reset ? " (reset)" : "",
	     explained);
	if (fsi.unrecorded || fsi.first_new || fsi.last_new)
		record_unrecorded(d, fs, &sb, &fsi);
	else
		set_mark(d, fs, &fsi.mark);
}

/* ---- the daemon's entry points -------------------------------------------- */

void daemon_counters_first_sight(struct daemon *d, struct daemon_fs *fs,
				 bool read_only)
{
	uint32_t now = 0;
	errcode_t retval;
	bool has;

	if (fs->kname && (retval = e4err_errors_count_open(fs->kname,
							    &fs->errors_fd)) &&
	    retval != ENOENT)
		com_err(program_name, retval, _("while opening the error counter "
			"of %s"), fs->kname);
	retval = read_count(fs, &now);
	has = !retval;
	if (retval)
		com_err(program_name, retval, _("while reading the error counter "
			"of %s"), fs->device);
	retval = e4err_enrich_add_fs(d->en, fs, fs->kname, fs->device, true,
				     has, now, mono_ms());
	if (retval)
		com_err(program_name, retval, _("while following the errors of "
			"%s"), fs->mountpoint);
	e4err_enrich_set_read_only(d->en, fs, read_only);
	if (has)
		check_unrecorded(d, fs);
	d->status_dirty = true;
}

void daemon_counters_check(struct daemon *d, struct daemon_fs *fs)
{
	uint32_t now;

	if (fs->gone || read_count(fs, &now))
		return;
	e4err_enrich_counter(d->en, fs, now, mono_ms());
	d->status_dirty = true;
}
