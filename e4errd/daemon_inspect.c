/*
 * daemon_inspect.c --- inspections: one queue per filesystem, children
 * with a deadline, their results recorded.
 *
 * Fairness: a filesystem runs one inspection at a time and at most
 * DAEMON_MAX_INSPECTIONS run at once; free slots go round robin over the
 * filesystems with work waiting, so a damaged filesystem with a long queue
 * cannot hold back another's first report.  A child that misses its
 * deadline is killed and its verdict is inconclusive; if it is stuck in
 * uninterruptible I/O it lives on until the device answers, and while it
 * does that filesystem starts no more children (its queue waits, bounded),
 * so a dead device cannot pile up stuck processes.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/wait.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "nls.h"

#define DESC_MAX	(4 * PATH_MAX + 1)

/* ---- recording results ---------------------------------------------------- */

/*
 * Every report reaches the store's verdicts here: the results of
 * inspections, and the reports with no object to inspect (lost reports,
 * errors the superblock counted while nothing watched).  Each must lead to
 * a check as the policy decides; this is where the policy will be asked.
 * For now it records.
 */
errcode_t daemon_report_to_policy(struct daemon *d, struct daemon_fs *fs,
				  const struct e4err_store_inspection *in)
{
	struct e4err_store_fs sfs;
	errcode_t retval;

	daemon_fs_store_view(fs, &sfs);
	retval = e4err_store_add_inspection(d->store, &sfs, in, NULL);
	if (retval)
		com_err(program_name, retval, _("while recording an inspection "
			"of %s: it is NOT recorded"), fs->mountpoint);
	d->metrics_dirty = d->status_dirty = true;
	daemon_spool_check(d);
	return retval;
}

static void say_result(const struct daemon_fs *fs,
		       const struct daemon_request *req,
		       const struct e4err_inspection *out, uint64_t ms)
{
	char a[DESC_MAX], what[48], codes[256], reason[512];
	size_t used = 0;
	uint32_t i;

	if (req->has_inode)
		snprintf(what, sizeof(what), _("inode %llu"),
			 (unsigned long long) req->inode);
	else
		snprintf(what, sizeof(what), _("block %llu"),
			 (unsigned long long) req->block);
	codes[0] = '\0';
	for (i = 0; i < out->nfindings && used < sizeof(codes); i++)
		used += (size_t) snprintf(codes + used, sizeof(codes) - used,
					  "%s%s", i ? ", " : " (",
					  out->findings[i].code);
	if (used && used < sizeof(codes))
		snprintf(codes + used, sizeof(codes) - used, ")");
	dlog(out->verdict == E4ERR_VERDICT_CONFIRMED ? LOG_WARNING : LOG_INFO,
	     _("inspected %s %s: %s%s%s%s in %llu ms"),
	     desc(a, sizeof(a), fs->mountpoint), what,
	     e4err_verdict_name(out->verdict), codes,
	     out->reason[0] ? ": " : "",
	     out->reason[0] ? desc(reason, sizeof(reason), out->reason) : "",
	     (unsigned long long) ms);
}

static void record_result(struct daemon *d, struct daemon_fs *fs,
			  const struct daemon_request *req,
			  const struct e4err_inspection *out)
{
	struct e4err_store_finding f[E4ERR_INSPECT_MAX_FINDINGS];
	struct e4err_store_inspection in;
	uint32_t i;

	memset(&in, 0, sizeof(in));
	in.has_event = req->has_event;
	in.event = req->event;
	in.has_inode = req->has_inode;
	in.inode = req->inode;
	in.time_ns = real_ns();
	in.verdict = e4err_verdict_name(out->verdict);
	in.reason = out->reason[0] ? out->reason : NULL;
	in.truncated = out->truncated;
	for (i = 0; i < out->nfindings && i < E4ERR_INSPECT_MAX_FINDINGS; i++) {
		f[i].code = out->findings[i].code;
		f[i].object = out->findings[i].object[0] ?
			out->findings[i].object : NULL;
		f[i].message = out->findings[i].message;
		f[i].errcode_name = e4err_errcode_name(out->findings[i].errcode);
		f[i].related = out->findings[i].related;
	}
	in.nfindings = i;
	in.findings = f;
	daemon_report_to_policy(d, fs, &in);
}

/* An inspection that never ran: recorded inconclusive, with why. */
static void record_not_run(struct daemon *d, struct daemon_fs *fs,
			   const struct daemon_request *req, errcode_t code,
			   const char *why)
{
	struct e4err_inspection out;

	memset(&out, 0, sizeof(out));
	out.verdict = E4ERR_VERDICT_INCONCLUSIVE;
	out.errcode = code;
	snprintf(out.reason, sizeof(out.reason), "%s", why);
	say_result(fs, req, &out, 0);
	record_result(d, fs, req, &out);
}

/* ---- queues --------------------------------------------------------------- */

/*
 * Queue an inspection.  A full queue (a filesystem reporting many objects
 * faster than they can be inspected, or stuck) drops the request: its
 * event is recorded all the same and shows in the report without a
 * verdict.  Recording each refusal would cost a disk flush per event in
 * the very flood that filled the queue; a warning says how many instead.
 */
void daemon_inspect_request(struct daemon *d, struct daemon_fs *fs,
			    const struct daemon_request *req)
{
	struct daemon_request *q;
	char a[DESC_MAX];

	if (fs->nqueue >= DAEMON_QUEUE_MAX) {
		if (!fs->dropped++)
			dlog(LOG_WARNING, _("%s: %d inspections already wait: "
			     "further reports are recorded but not inspected "
			     "until the queue empties"),
			     desc(a, sizeof(a), fs->mountpoint),
			     DAEMON_QUEUE_MAX);
		return;
	}
	q = realloc(fs->queue, (fs->nqueue + 1) * sizeof(*q));
	if (!q) {
		record_not_run(d, fs, req, ENOMEM, _("not inspected: out of memory"));
		return;
	}
	fs->queue = q;
	q[fs->nqueue++] = *req;
	d->status_dirty = true;
	daemon_inspect_kick(d);
}

/* The queue emptied: say how many reports went uninspected meanwhile. */
static void say_dropped(struct daemon_fs *fs)
{
	char a[DESC_MAX];

	if (!fs->dropped || fs->nqueue)
		return;
	dlog(LOG_WARNING, P_("%s: %llu report was recorded but not inspected "
			     "(the inspection queue was full)",
			     "%s: %llu reports were recorded but not inspected "
			     "(the inspection queue was full)", fs->dropped),
	     desc(a, sizeof(a), fs->mountpoint),
	     (unsigned long long) fs->dropped);
	fs->dropped = 0;
}

static struct daemon_run *free_slot(struct daemon *d)
{
	size_t i;

	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		if (!d->run[i].active)
			return &d->run[i];
	return NULL;
}

static void to_inspect_request(const struct daemon_fs *fs,
			       const struct daemon_request *r,
			       struct e4err_inspect_request *req)
{
	memset(req, 0, sizeof(*req));
	req->device = fs->device;
	req->has_rdev = true;
	req->rdev = fs->dev;
	req->has_uuid = fs->has_uuid_bytes;
	memcpy(req->uuid, fs->uuid_bytes, sizeof(req->uuid));
	req->has_inode = r->has_inode;
	req->inode = r->inode;
	req->has_generation = r->has_generation;
	req->generation = r->generation;
	req->has_block = r->has_block;
	req->block = r->block;
	req->function = r->has_function ? r->function : NULL;
	req->has_error = r->has_error;
	req->error = r->error;
}

static void start(struct daemon *d, struct daemon_run *run,
		  struct daemon_fs *fs)
{
	struct e4err_inspect_request req;
	errcode_t retval;
	char why[160];

	run->req = fs->queue[0];
	memmove(fs->queue, fs->queue + 1, (fs->nqueue - 1) * sizeof(*fs->queue));
	fs->nqueue--;
	to_inspect_request(fs, &run->req, &req);
	retval = e4err_inspect_start(&req, &run->child);
	if (retval) {
		snprintf(why, sizeof(why), _("could not start the inspector: %s"),
			 error_message(retval));
		record_not_run(d, fs, &run->req, retval, why);
		return;
	}
	run->active = true;
	run->fs = fs;
	run->started_ms = mono_ms();
	run->deadline_ms = run->started_ms + d->cfg.daemon.inspect_deadline_ms;
	fs->running = true;
}

void daemon_inspect_kick(struct daemon *d)
{
	struct daemon_run *run;
	struct daemon_fs *fs;
	size_t k, i;

	if (d->stop)
		return;
	for (k = 0; k < d->nfs; k++) {
		i = (d->next_fs + k) % d->nfs;
		fs = d->fs[i];
		if (!fs->nqueue || fs->running || fs->stuck)
			continue;
		run = free_slot(d);
		if (!run)
			return;
		start(d, run, fs);
		d->next_fs = i + 1;
	}
}

/* ---- children ------------------------------------------------------------- */

static void end_run(struct daemon *d, struct daemon_run *run,
		    const struct e4err_inspection *out)
{
	struct daemon_fs *fs = run->fs;

	say_result(fs, &run->req, out, mono_ms() - run->started_ms);
	record_result(d, fs, &run->req, out);
	run->active = false;
	run->fs = NULL;
	fs->running = false;
	say_dropped(fs);
}

/* A stuck child lives on: remember it, and let nothing else start on fs. */
static void keep_zombie(struct daemon *d, struct daemon_run *run)
{
	struct daemon_zombie *z;

	z = realloc(d->zombies, (d->nzombies + 1) * sizeof(*z));
	if (!z) {
		/* Cannot track it: it becomes a zombie until we exit. */
		if (run->child.pidfd >= 0)
			close(run->child.pidfd);
		return;
	}
	d->zombies = z;
	z[d->nzombies++] = (struct daemon_zombie) {
		.pid = run->child.pid, .pidfd = run->child.pidfd, .fs = run->fs,
	};
	run->fs->stuck++;
}

static void abandon(struct daemon *d, struct daemon_run *run, const char *why)
{
	struct e4err_inspection out;

	e4err_inspect_abandon(&run->child, &out, why);
	if (!run->child.reaped)
		keep_zombie(d, run);
	else if (run->child.pidfd >= 0)
		close(run->child.pidfd);
	end_run(d, run, &out);
}

void daemon_inspect_collect(struct daemon *d, struct daemon_run *run)
{
	struct e4err_inspection out;
	errcode_t retval;
	bool done = false;

	retval = e4err_inspect_collect(&run->child, &out, &done);
	if (retval) {
		abandon(d, run, error_message(retval));
	} else if (done) {
		if (run->child.pidfd >= 0)
			close(run->child.pidfd);
		end_run(d, run, &out);
	}
	daemon_inspect_kick(d);
}

void daemon_inspect_deadlines(struct daemon *d, uint64_t now_ms)
{
	char why[160];
	size_t i;

	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++) {
		struct daemon_run *run = &d->run[i];

		if (!run->active || run->deadline_ms > now_ms)
			continue;
		snprintf(why, sizeof(why), _("deadline of %llu ms passed: the "
			 "device did not answer in time"),
			 (unsigned long long) d->cfg.daemon.inspect_deadline_ms);
		abandon(d, run, why);
	}
	daemon_inspect_kick(d);
}

void daemon_inspect_reap(struct daemon *d, struct daemon_zombie *z)
{
	char a[DESC_MAX];
	int status;
	pid_t r;

	r = waitpid(z->pid, &status, WNOHANG);
	if (r == 0 || (r < 0 && errno == EINTR))
		return;
	if (z->fs) {
		z->fs->stuck--;
		dlog(LOG_NOTICE, _("the inspector stuck on %s has ended: "
		     "inspections there resume"),
		     desc(a, sizeof(a), z->fs->mountpoint));
	}
	if (z->pidfd >= 0)
		close(z->pidfd);
	*z = d->zombies[--d->nzombies];
	daemon_inspect_kick(d);
}

/* Stopping: what is running is given up, and says so in the store. */
void daemon_inspect_stop(struct daemon *d)
{
	size_t i;

	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		if (d->run[i].active)
			abandon(d, &d->run[i], _("the daemon stopped before the "
				"inspection finished"));
}

/* fs is about to be freed: nothing may point at it any more. */
void daemon_inspect_forget_fs(struct daemon *d, struct daemon_fs *fs)
{
	size_t i;

	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		if (d->run[i].active && d->run[i].fs == fs)
			abandon(d, &d->run[i], _("the filesystem went away "
				"before the inspection finished"));
	for (i = 0; i < d->nzombies; i++)
		if (d->zombies[i].fs == fs)
			d->zombies[i].fs = NULL;
	fs->stuck = 0;
}
