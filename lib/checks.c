/*
 * checks.c --- targeted checks: filesystems, facts, reports, and the
 * policy's decisions carried out.
 *
 * Every decision goes through policy.c; this file only gathers the facts
 * it needs (cheap, non-blocking looks at sysfs and the mount table) and
 * does what it says: store the job and its reason, start the check when it
 * is due and a slot is free, run the hooks.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "checks_int.h"
#include "devfacts.h"
#include "e4err_err.h"
#include "nls.h"

void ck_log(const struct e4err_checks *ck, int prio, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!ck->opt.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ck->opt.log(ck->opt.log_arg, prio, msg);
}

uint64_t ck_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t ck_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- life ---- */

static void apply_config(struct e4err_checks *ck, const struct e4err_config *cfg)
{
	e4err_policy_config_from(&ck->pc, cfg);
	ck->max_concurrent = cfg->checks.max_concurrent ?
			     cfg->checks.max_concurrent : 1;
	ck->check_deadline_ms = cfg->checks.check_deadline_ms;
	ck->check_output_max = (size_t)cfg->checks.check_output_max;
}

static errcode_t make_hooks(struct e4err_checks *ck,
			    const struct e4err_config *cfg)
{
	struct e4err_hooks_options ho;

	memset(&ho, 0, sizeof(ho));
	ho.dir = cfg->hooks.hook_dir;
	ho.deadline_ms = cfg->hooks.hook_deadline_ms;
	ho.output_max = (size_t)cfg->hooks.hook_output_max;
	ho.mail_to = cfg->hooks.mail_to;
	ho.max_running = E4ERR_CHECKS_MAX_HOOKS;
	ho.kill_grace_ms = ck->opt.kill_grace_ms;
	ho.systemd = ck->opt.systemd;
	ho.log = ck_hook_log;
	ho.done = ck_hook_done;
	ho.arg = ck;
	return e4err_hooks_new(&ho, &ck->hooks);
}

static errcode_t make_runner(struct e4err_checks *ck)
{
	struct e4err_runner_options ro;

	memset(&ro, 0, sizeof(ro));
	/* Scrubs watched under systemd count too: ck_running() decides. */
	ro.max_running = 64;
	ro.kill_grace_ms = ck->opt.kill_grace_ms;
	ro.systemd = ck->opt.systemd;
	ro.unit_prefix = "e4errd-check";
	ro.done = ck_run_done;
	ro.overdue = ck_run_overdue;
	ro.drop = ck_run_drop;
	ro.arg = ck;
	return e4err_runner_new(&ro, &ck->runner);
}

errcode_t e4err_checks_new(const struct e4err_checks_options *opt,
			   struct e4err_checks **out)
{
	struct e4err_checks *ck;
	errcode_t retval;

	*out = NULL;
	if (!opt->cfg || !opt->store || !opt->e4errd_path ||
	    opt->e4errd_path[0] != '/')
		return EINVAL;
	ck = calloc(1, sizeof(*ck));
	if (!ck)
		return ENOMEM;
	ck->opt = *opt;
	ck->store = opt->store;
	ck->e4errd_path = strdup(opt->e4errd_path);
	ck->sysfs = opt->sysfs ? strdup(opt->sysfs) : NULL;
	if (!ck->e4errd_path || (opt->sysfs && !ck->sysfs)) {
		e4err_checks_free(ck);
		return ENOMEM;
	}
	ck->opt.cfg = NULL;
	if (!ck->opt.live_poll_ms)
		ck->opt.live_poll_ms = E4ERR_CHECKS_LIVE_POLL_MS;
	if (!ck->opt.scrub_poll_ms)
		ck->opt.scrub_poll_ms = E4ERR_CHECKS_SCRUB_POLL_MS;
	apply_config(ck, opt->cfg);
	retval = make_runner(ck);
	if (!retval)
		retval = make_hooks(ck, opt->cfg);
	if (retval) {
		e4err_checks_free(ck);
		return retval;
	}
	*out = ck;
	return 0;
}

errcode_t e4err_checks_set_config(struct e4err_checks *ck,
				  const struct e4err_config *cfg)
{
	struct e4err_hooks *old = ck->hooks;
	errcode_t retval;

	apply_config(ck, cfg);
	if (!e4err_hooks_idle(old))
		return 0;	/* hooks running keep the old settings */
	ck->hooks = NULL;
	retval = make_hooks(ck, cfg);
	if (retval) {
		ck->hooks = old;
		return retval;
	}
	e4err_hooks_free(old);
	ck_kick(ck);
	return 0;
}

static void fs_free(struct ck_fs *fs)
{
	free(fs->key);
	free(fs->device);
	free(fs->mountpoint);
	free(fs->kname);
	free(fs->backing_file);
	free(fs->run_what);
	free(fs);
}

void e4err_checks_free(struct e4err_checks *ck)
{
	size_t i;

	if (!ck)
		return;
	ck->stopping = true;
	/* Read-only children are stopped, their jobs queued again, in the
	 * drop callback; repairs are left running. */
	e4err_runner_free(ck->runner);
	e4err_hooks_free(ck->hooks);
	for (i = 0; i < ck->nfs; i++)
		fs_free(ck->fs[i]);
	free(ck->fs);
	free(ck->e4errd_path);
	free(ck->sysfs);
	free(ck);
}

/* ---- filesystems ---- */

struct ck_fs *ck_fs_find(const struct e4err_checks *ck, const char *key)
{
	size_t i;

	for (i = 0; i < ck->nfs; i++)
		if (!strcmp(ck->fs[i]->key, key))
			return ck->fs[i];
	return NULL;
}

struct ck_fs *ck_fs_get(struct e4err_checks *ck, const char *key)
{
	struct ck_fs *fs = ck_fs_find(ck, key), **nf;

	if (fs)
		return fs;
	nf = realloc(ck->fs, (ck->nfs + 1) * sizeof(*nf));
	if (!nf)
		return NULL;
	ck->fs = nf;
	fs = calloc(1, sizeof(*fs));
	if (!fs || !(fs->key = strdup(key))) {
		free(fs);
		return NULL;
	}
	fs->key_is_uuid = strncmp(key, "dev:", 4) != 0;
	ck->fs[ck->nfs++] = fs;
	return fs;
}

/* Replace *dst with a copy of src (NULL allowed); false on ENOMEM. */
static bool set_str(char **dst, const char *src)
{
	char *c = src ? strdup(src) : NULL;

	if (src && !c)
		return false;
	free(*dst);
	*dst = c;
	return true;
}

static errcode_t take_fs(struct e4err_checks *ck, struct ck_fs *cf,
			 const struct e4err_fs *fs)
{
	bool lvm = false;

	if (!set_str(&cf->device, fs->devpath ? fs->devpath : fs->source) ||
	    !set_str(&cf->mountpoint, fs->mountpoint) ||
	    !set_str(&cf->kname, fs->has_kname ? fs->kname : NULL))
		return ENOMEM;
	/* A loop device is detached at unmount: keep the file, not it. */
	if (fs->backing_file && !set_str(&cf->backing_file, fs->backing_file))
		return ENOMEM;
	if (e4err_dev_is_lvm(ck->sysfs, fs->major, fs->minor, &lvm) == 0)
		cf->on_lvm = lvm;
	cf->has_dev = true;
	cf->dev = fs->dev;
	return 0;
}

/*
 * A check ran while e4errd did not watch (fsck at boot): the store's
 * unfinished jobs older than it are closed -- also before resume() took
 * them up -- and the pending one in memory with them.
 */
static errcode_t boot_fsck(struct e4err_checks *ck, struct ck_fs *cf,
			   const struct e4err_checks_sb *sb)
{
	struct e4err_store_fs sfs;
	errcode_t retval;
	size_t closed = 0;

	ck_store_fs(cf, &sfs);
	retval = e4err_checks_close_after_fsck(ck->store, &sfs, sb->last_check,
					       sb->error_flag, ck_real_ns(),
					       &closed);
	if (retval || !closed)
		return retval;
	ck_log(ck, LOG_NOTICE, _("%s: checked before it was mounted (last "
	       "check advanced, error flag clear): %zu pending check(s) closed"),
	       cf->mountpoint, closed);
	if (cf->has_job && cf->pol.queued_ns / 1000000000ULL <= sb->last_check) {
		e4err_policy_checked_outside(&cf->pol, E4ERR_RESULT_CLEAN,
					     ck_real_ns());
		cf->has_job = false;
	}
	return 0;
}

errcode_t e4err_checks_fs_seen(struct e4err_checks *ck, const char *key,
			       const struct e4err_fs *fs,
			       const struct e4err_checks_sb *sb)
{
	struct ck_fs *cf = ck_fs_get(ck, key);
	errcode_t retval;

	if (!cf)
		return ENOMEM;
	if (!cf->in_mountinfo)
		e4err_policy_new_instance(&cf->pol);
	retval = take_fs(ck, cf, fs);
	if (retval)
		return retval;
	cf->seen = true;
	cf->in_mountinfo = true;
	cf->told_no_target = false;
	if (sb && sb->has_last_check && !cf->running)
		retval = boot_fsck(ck, cf, sb);
	ck_kick(ck);
	return retval;
}

/* The filesystem in the new table that is cf, or NULL. */
static const struct e4err_fs *in_map(const struct e4err_fsmap *map,
				     const struct ck_fs *cf)
{
	const struct e4err_fs *fs;

	if (!cf->has_dev)
		return NULL;
	fs = e4err_fsmap_find_dev(map, cf->dev);
	if (!fs)
		return NULL;
	/* The same device may hold another filesystem now. */
	if (cf->key_is_uuid && (!fs->has_uuid || strcasecmp(fs->uuid, cf->key)))
		return NULL;
	return fs;
}

void e4err_checks_mounts_changed(struct e4err_checks *ck,
				 const struct e4err_fsmap *map)
{
	const struct e4err_fs *fs;
	size_t i;

	for (i = 0; i < ck->nfs; i++) {
		struct ck_fs *cf = ck->fs[i];

		fs = in_map(map, cf);
		if (fs && !cf->in_mountinfo)
			e4err_policy_new_instance(&cf->pol);
		cf->in_mountinfo = fs != NULL;
		if (fs && fs->mountpoint)
			set_str(&cf->mountpoint, fs->mountpoint);
		cf->live_poll_ms = 0;
	}
	ck_kick(ck);
}

/* Still alive after leaving the mount table (umount -l, files open)? */
static bool still_live(const struct e4err_checks *ck, const struct ck_fs *fs)
{
	bool held = false;

	if (fs->in_mountinfo)
		return true;
	if (fs->kname)
		return e4err_fs_sysfs_alive(ck->sysfs, fs->kname);
	/* No kernel name: ask the device, unless it was a loop device
	 * (detached at unmount, maybe reused by now). */
	if (!fs->backing_file && fs->device &&
	    e4err_dev_held(fs->device, &held) == 0)
		return held;
	return false;
}

void ck_facts(struct e4err_checks *ck, const struct ck_fs *fs,
	      struct e4err_policy_facts *f)
{
	char *p;

	memset(f, 0, sizeof(*f));
	f->in_mountinfo = fs->in_mountinfo;
	f->live = still_live(ck, fs);
	f->on_lvm = fs->on_lvm;
	f->systemd = ck->opt.systemd;
	f->loop_file = fs->backing_file != NULL;
	if (!ck->looked_e2scrub) {
		p = e4err_find_program("e2scrub");
		ck->have_e2scrub = p != NULL;
		ck->looked_e2scrub = true;
		free(p);
	}
	f->have_e2scrub = ck->have_e2scrub;
}

size_t ck_running(const struct e4err_checks *ck)
{
	size_t i, n = 0;

	for (i = 0; i < ck->nfs; i++)
		if (ck->fs[i]->running)
			n++;
	return n;
}

/* ---- decisions carried out ---- */

static void new_job(struct e4err_checks *ck, struct ck_fs *fs,
		    const struct e4err_policy_decision *d, bool has_inode,
		    uint64_t inode)
{
	const char *state = e4err_job_phase_state(d->phase);

	if (!ck_job_add(ck, fs, e4err_check_kind_name(d->tool, d->mode),
			d->reason, has_inode, inode, state))
		return;
	ck_log(ck, LOG_NOTICE, _("%s: check %s: %s"), fs->mountpoint ?
	       fs->mountpoint : fs->key, state, d->reason);
	ck_hook_job(ck, fs, E4ERR_HOOK_JOB_QUEUED, state, NULL, d->reason,
		    false, 0, NULL, 0);
}

static void close_job(struct e4err_checks *ck, struct ck_fs *fs,
		      const char *result, const char *detail)
{
	struct e4err_store_job_update u;

	memset(&u, 0, sizeof(u));
	u.state = "cancelled";
	u.result = result;
	u.detail = detail;
	u.final = true;
	ck_job_update(ck, fs, &u);
	fs->has_job = false;
}

void ck_act(struct e4err_checks *ck, struct ck_fs *fs,
	    const struct e4err_policy_decision *d, bool has_inode,
	    uint64_t inode)
{
	if (d->alert != E4ERR_ALERT_NONE)
		ck_alert(ck, fs, d->alert, d->alert_reason);
	switch (d->action) {
	case E4ERR_ACT_NEW_JOB:
		new_job(ck, fs, d, has_inode, inode);
		break;
	case E4ERR_ACT_UPDATE:
		ck_job_state(ck, fs, e4err_job_phase_state(d->phase), d->reason);
		break;
	case E4ERR_ACT_REPLACE:
		close_job(ck, fs, "superseded", d->reason);
		new_job(ck, fs, d, false, 0);
		break;
	case E4ERR_ACT_CANCEL:
		close_job(ck, fs, "io-error", d->reason);
		break;
	case E4ERR_ACT_START:
	case E4ERR_ACT_ATTACH:
	case E4ERR_ACT_NONE:
		break;
	}
}

/*
 * After a restart a filesystem not mounted since is checked only where
 * its device can still be trusted: an image file, or a device that is
 * not a loop device (those are detached and reused) and a UUID that
 * `e4errd check` verifies.
 */
static bool target_known(const struct ck_fs *fs)
{
	return fs->seen || fs->backing_file ||
	       (fs->key_is_uuid && fs->device &&
		strncmp(fs->device, "/dev/loop", 9) != 0);
}

/* Look at one filesystem's pending job: phase changes, and maybe start. */
static void kick_fs(struct e4err_checks *ck, struct ck_fs *fs, uint64_t now_ns)
{
	struct e4err_policy_decision d;
	struct e4err_policy_facts f;
	int rounds;

	/* A change of phase (deferred -> queued) may make it due at once. */
	for (rounds = 0; rounds < 3; rounds++) {
		if (fs->running || !fs->has_job)
			return;
		ck_facts(ck, fs, &f);
		e4err_policy_next(&ck->pc, &fs->pol, &f, now_ns, &d, NULL);
		if (d.action == E4ERR_ACT_START)
			break;
		ck_act(ck, fs, &d, false, 0);
		if (d.action == E4ERR_ACT_NONE)
			return;
	}
	if (d.action != E4ERR_ACT_START)
		return;
	if (!target_known(fs)) {
		if (!fs->told_no_target)
			ck_job_state(ck, fs, "deferred", _("waits until the "
				     "filesystem is seen again: its device is not "
				     "known since e4errd started"));
		fs->told_no_target = true;
		return;
	}
	if (ck_running(ck) < ck->max_concurrent)
		ck_start(ck, fs);
}

void ck_kick(struct e4err_checks *ck)
{
	uint64_t now_ns = ck_real_ns();
	size_t i;

	if (ck->stopping)
		return;
	/* Urgent ones first, when slots are scarce. */
	for (i = 0; i < ck->nfs; i++)
		if (ck->fs[i]->pol.urgency == E4ERR_URGENCY_HIGH)
			kick_fs(ck, ck->fs[i], now_ns);
	for (i = 0; i < ck->nfs; i++)
		if (ck->fs[i]->pol.urgency != E4ERR_URGENCY_HIGH)
			kick_fs(ck, ck->fs[i], now_ns);
}

/* ---- reports ---- */

static void report_hook(struct e4err_checks *ck, const struct ck_fs *fs,
			const struct e4err_checks_report *r)
{
	struct e4err_hook_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.cls = E4ERR_HOOK_FINDING_CONFIRMED;
	ev.time_ns = ck_real_ns();
	ev.uuid = fs->key;
	ev.device = fs->device;
	ev.mountpoint = fs->mountpoint;
	ev.kname = fs->kname;
	ev.backing_file = fs->backing_file;
	ev.verdict = "confirmed";
	ev.error_count = r->error_count;
	ev.has_inode = r->has_inode;
	ev.inode = r->inode;
	ev.has_block = r->has_block;
	ev.block = r->block;
	ev.has_error = r->has_error;
	ev.error = r->error;
	ev.function = r->function;
	ev.function_len = r->function_len;
	ev.desc = r->desc;
	ev.desc_len = r->desc_len;
	ev.comm = r->comm;
	ev.comm_len = r->comm_len;
	ev.path = r->path;
	ev.path_len = r->path_len;
	e4err_hooks_emit(ck->hooks, &ev, NULL);
}

bool e4err_checks_io_error(const struct e4err_inspection *in)
{
	uint32_t i;

	if (in->errcode == EIO)
		return true;
	for (i = 0; i < in->nfindings && i < E4ERR_INSPECT_MAX_FINDINGS; i++)
		if (in->findings[i].id == E4ERR_F_READ_ERROR &&
		    in->findings[i].errcode == EIO)
			return true;
	return false;
}

/* The report's fields, those left unset taken from its event. */
static void from_event(const struct e4err_checks_report *in,
		       struct e4err_checks_report *r)
{
	const struct e4err_event *ev = in->ev;

	*r = *in;
	if (!ev)
		return;
	if (!r->has_error && ev->has_error) {
		r->has_error = true;
		r->error = ev->error;
	}
	if (!r->error_count && ev->has_error_count)
		r->error_count = ev->error_count;
	if (!r->has_inode && ev->has_inode && !ev->inode_is_placeholder) {
		r->has_inode = true;
		r->inode = ev->inode;
	}
	if (!r->has_block && ev->has_block) {
		r->has_block = true;
		r->block = ev->block;
	}
	if (!r->function && ev->has_function) {
		r->function = ev->function;
		r->function_len = strlen(ev->function);
	}
	if (!r->desc && ev->has_desc) {
		r->desc = ev->desc;
		r->desc_len = ev->desc_len;
	}
}

errcode_t e4err_checks_report(struct e4err_checks *ck, const char *key,
			      const struct e4err_checks_report *in)
{
	struct ck_fs *fs = ck_fs_find(ck, key);
	struct e4err_checks_report rr, *r = &rr;
	struct e4err_policy_decision d;
	struct e4err_policy_report rep;
	struct e4err_policy_facts f;

	if (!fs)
		return ENOENT;
	from_event(in, r);
	memset(&rep, 0, sizeof(rep));
	rep.has_error = r->has_error;
	rep.error = r->error;
	rep.error_count = r->error_count ? r->error_count : 1;
	rep.has_verdict = r->has_verdict;
	rep.verdict = r->verdict;
	rep.inspect_io_error = r->inspect_io_error;
	ck_facts(ck, fs, &f);
	e4err_policy_report(&ck->pc, &fs->pol, &f, &rep, ck_real_ns(), &d);
	/* Hooks hear of confirmed damage once per check, not per report:
	 * a damaged tree walked through confirms hundreds of inodes. */
	if (d.action == E4ERR_ACT_NEW_JOB)
		fs->told_finding = false;
	if (r->has_verdict && r->verdict == E4ERR_VERDICT_CONFIRMED &&
	    !fs->told_finding) {
		report_hook(ck, fs, r);
		fs->told_finding = true;
	}
	ck_act(ck, fs, &d, r->has_inode, r->inode);
	ck_kick(ck);
	return 0;
}

/* ---- the poll loop ---- */

size_t e4err_checks_pollfds(const struct e4err_checks *ck, struct pollfd *fds,
			    size_t max)
{
	size_t n = e4err_runner_pollfds(ck->runner, fds, max);

	return n + e4err_hooks_pollfds(ck->hooks, n < max ? fds + n : fds,
				       n < max ? max - n : 0);
}

/* Lazily unmounted filesystems and systemd scrubs are looked at on time. */
static void timed_looks(struct e4err_checks *ck, uint64_t now)
{
	bool kick = false;
	size_t i;

	for (i = 0; i < ck->nfs; i++) {
		struct ck_fs *fs = ck->fs[i];

		if (fs->scrub_watch && now >= fs->scrub_poll_ms)
			ck_scrub_poll(ck, fs, now);
		if (fs->has_job && !fs->running && !fs->in_mountinfo &&
		    fs->pol.phase == E4ERR_PHASE_DEFERRED &&
		    now >= fs->live_poll_ms) {
			fs->live_poll_ms = now + ck->opt.live_poll_ms;
			kick = true;
		}
		if (fs->has_job && !fs->running &&
		    fs->pol.phase == E4ERR_PHASE_QUEUED)
			kick = true;
	}
	if (kick)
		ck_kick(ck);
}

void e4err_checks_process(struct e4err_checks *ck, const struct pollfd *fds,
			  size_t n)
{
	e4err_runner_process(ck->runner, fds, n);
	e4err_hooks_process(ck->hooks, fds, n);
	timed_looks(ck, ck_mono_ms());
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* When a queued job may start (monotonic), or UINT64_MAX. */
static uint64_t due_ms(const struct e4err_checks *ck, const struct ck_fs *fs,
		       uint64_t now_ms, uint64_t now_ns)
{
	if (!fs->has_job || fs->running || ck_running(ck) >= ck->max_concurrent)
		return UINT64_MAX;
	if (fs->pol.phase != E4ERR_PHASE_QUEUED)
		return UINT64_MAX;
	if (fs->pol.not_before_ns <= now_ns)
		return now_ms;
	return now_ms + (fs->pol.not_before_ns - now_ns + 999999) / 1000000;
}

int e4err_checks_timeout_ms(const struct e4err_checks *ck)
{
	uint64_t now = ck_mono_ms(), now_ns = ck_real_ns(), next = UINT64_MAX;
	int t;
	size_t i;

	for (i = 0; i < ck->nfs; i++) {
		const struct ck_fs *fs = ck->fs[i];

		if (fs->scrub_watch)
			next = min_u64(next, fs->scrub_poll_ms);
		if (fs->has_job && !fs->running && !fs->in_mountinfo &&
		    fs->pol.phase == E4ERR_PHASE_DEFERRED)
			next = min_u64(next, fs->live_poll_ms);
		next = min_u64(next, due_ms(ck, fs, now, now_ns));
	}
	t = e4err_runner_timeout_ms(ck->runner);
	if (t >= 0)
		next = min_u64(next, now + (uint64_t)t);
	t = e4err_hooks_timeout_ms(ck->hooks);
	if (t >= 0)
		next = min_u64(next, now + (uint64_t)t);
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > 3600000 ? 3600000 : (int)(next - now);
}

bool e4err_checks_idle(const struct e4err_checks *ck)
{
	size_t i;

	if (!e4err_hooks_idle(ck->hooks) || e4err_runner_running(ck->runner))
		return false;
	for (i = 0; i < ck->nfs; i++)
		if (ck->fs[i]->running ||
		    (ck->fs[i]->has_job && target_known(ck->fs[i]) &&
		     ck->fs[i]->pol.phase == E4ERR_PHASE_QUEUED &&
		     ck->fs[i]->pol.not_before_ns <= ck_real_ns()))
			return false;
	return true;
}
