/*
 * checks_store.c --- jobs in the store, alerts, hooks, and taking up
 * unfinished jobs after a start.
 *
 * A check is one job: created with the policy's reason in its first state
 * (queued or deferred), then one update per change (running, a retry, the
 * outcome with exit status, result and output).  Alerts are recorded as
 * jobs of kind "alert" and hook runs as jobs of kind "hook", both final at
 * once, so `e4errd report` shows them next to the checks.  A store error
 * is logged and never stops a check: the check matters more than its
 * record.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "checks_int.h"
#include "e4err_err.h"
#include "nls.h"

void ck_store_fs(const struct ck_fs *fs, struct e4err_store_fs *out)
{
	memset(out, 0, sizeof(*out));
	out->uuid = fs->key;
	out->device = fs->device;
	out->mountpoint = fs->mountpoint;
	out->kname = fs->kname;
}

static void store_failed(const struct e4err_checks *ck, const struct ck_fs *fs,
			 errcode_t retval)
{
	ck_log(ck, LOG_ERR, _("%s: could not record a check in the store: %s"),
	       fs->key, error_message(retval));
}

bool ck_job_add(struct e4err_checks *ck, struct ck_fs *fs, const char *kind,
		const char *reason, bool has_inode, uint64_t inode,
		const char *state)
{
	struct e4err_store_job_update u;
	struct e4err_store_fs sfs;
	errcode_t retval;

	memset(&u, 0, sizeof(u));
	u.time_ns = ck_real_ns();
	u.state = state;
	ck_store_fs(fs, &sfs);
	retval = e4err_store_add_job(ck->store, &sfs, kind, reason, has_inode,
				     inode, &u, &fs->job);
	if (retval) {
		store_failed(ck, fs, retval);
		/* Without a record the check still runs. */
		memset(&fs->job, 0, sizeof(fs->job));
	}
	fs->has_job = true;
	return true;
}

void ck_job_update(struct e4err_checks *ck, struct ck_fs *fs,
		   const struct e4err_store_job_update *u)
{
	struct e4err_store_job_update c = *u;
	errcode_t retval;

	if (!fs->has_job || (!fs->job.origin && !fs->job.seq))
		return;
	if (!c.time_ns)
		c.time_ns = ck_real_ns();
	retval = e4err_store_update_job(ck->store, &fs->job, &c);
	if (retval)
		store_failed(ck, fs, retval);
}

void ck_job_state(struct e4err_checks *ck, struct ck_fs *fs,
		  const char *state, const char *detail)
{
	struct e4err_store_job_update u;

	memset(&u, 0, sizeof(u));
	u.state = state;
	u.detail = detail;
	ck_job_update(ck, fs, &u);
}

/* ---- hooks ---- */

static void hook_event(const struct ck_fs *fs, enum e4err_hook_class cls,
		       struct e4err_hook_event *ev, char *id, size_t idlen)
{
	memset(ev, 0, sizeof(*ev));
	ev->cls = cls;
	ev->time_ns = ck_real_ns();
	ev->uuid = fs->key;
	ev->device = fs->device;
	ev->mountpoint = fs->mountpoint;
	ev->kname = fs->kname;
	ev->backing_file = fs->backing_file;
	if (fs->has_job) {
		snprintf(id, idlen, "%" PRIu64 ":%" PRIu64, fs->job.origin,
			 fs->job.seq);
		ev->job_id = id;
		ev->job_kind = e4err_check_kind_name(fs->pol.tool, fs->pol.mode);
	}
}

void ck_hook_job(struct e4err_checks *ck, struct ck_fs *fs,
		 enum e4err_hook_class cls, const char *state,
		 const char *outcome, const char *reason, bool has_status,
		 int status, const char *output, size_t output_len)
{
	struct e4err_hook_event ev;
	char id[48];

	hook_event(fs, cls, &ev, id, sizeof(id));
	ev.job_state = state;
	ev.job_outcome = outcome;
	ev.job_reason = reason;
	ev.has_exit_status = has_status;
	ev.exit_status = status;
	ev.job_output = output;
	ev.job_output_len = output_len;
	e4err_hooks_emit(ck->hooks, &ev, NULL);
}

void ck_alert(struct e4err_checks *ck, struct ck_fs *fs,
	      enum e4err_alert_kind kind, const char *reason)
{
	const char *name = e4err_alert_kind_name(kind);
	struct e4err_store_job_update u;
	struct e4err_store_ref ref;
	struct e4err_store_fs sfs;
	struct e4err_hook_event ev;
	errcode_t retval;
	char id[48];

	ck_log(ck, LOG_WARNING, _("%s: alert %s: %s"), fs->mountpoint ?
	       fs->mountpoint : fs->key, name, reason);
	memset(&u, 0, sizeof(u));
	u.time_ns = ck_real_ns();
	u.state = "raised";
	u.result = name;
	u.final = true;
	ck_store_fs(fs, &sfs);
	retval = e4err_store_add_job(ck->store, &sfs, "alert", reason, false, 0,
				     &u, &ref);
	if (retval)
		store_failed(ck, fs, retval);
	hook_event(fs, E4ERR_HOOK_ALERT, &ev, id, sizeof(id));
	ev.alert = name;
	ev.alert_reason = reason;
	e4err_hooks_emit(ck->hooks, &ev, NULL);
}

void ck_hook_log(void *arg, int prio, const char *msg)
{
	ck_log(arg, prio, "%s", msg);
}

void ck_hook_done(void *arg, const char *name, enum e4err_hook_class cls,
		  const char *uuid, const struct e4err_run_result *r)
{
	struct e4err_checks *ck = arg;
	struct ck_fs *fs = uuid ? ck_fs_find(ck, uuid) : NULL;
	struct e4err_store_job_update u;
	struct e4err_store_ref ref;
	struct e4err_store_fs sfs;
	char reason[300];
	errcode_t retval;

	if (!fs || ck->stopping)
		return;
	snprintf(reason, sizeof(reason), "hook %s for %s", name,
		 e4err_hook_class_name(cls));
	memset(&u, 0, sizeof(u));
	u.time_ns = ck_real_ns();
	u.state = r->started && r->exited && !r->exit_status ? "done" : "failed";
	u.result = !r->started ? "not-started" : r->stopped ? "stopped" :
		   r->exited ? (r->exit_status ? "error" : "ok") : "killed";
	u.has_exit_status = r->exited;
	u.exit_status = r->exit_status;
	u.detail = r->output_len ? r->output : NULL;
	u.final = true;
	ck_store_fs(fs, &sfs);
	retval = e4err_store_add_job(ck->store, &sfs, "hook", reason, false, 0,
				     &u, &ref);
	if (retval)
		store_failed(ck, fs, retval);
}

/* ---- closing jobs after an fsck outside e4errd ---- */

struct open_jobs {
	struct e4err_store_ref *refs;
	size_t n;
	uint64_t before_ns;
	bool oom;
};

static int collect_open(void *arg, const struct e4err_store_job_info *j)
{
	struct open_jobs *o = arg;
	struct e4err_store_ref *nr;
	enum e4err_check_tool t;
	enum e4err_fsck_mode m;

	if (j->final || !e4err_check_kind_parse(j->kind, &t, &m) ||
	    j->created_ns > o->before_ns)
		return 0;
	nr = realloc(o->refs, (o->n + 1) * sizeof(*nr));
	if (!nr) {
		o->oom = true;
		return 1;
	}
	o->refs = nr;
	o->refs[o->n++] = j->ref;
	return 0;
}

errcode_t e4err_checks_close_after_fsck(struct e4err_store *st,
					const struct e4err_store_fs *fs,
					uint64_t last_check_s, bool error_flag,
					uint64_t now_ns, size_t *closed)
{
	struct open_jobs o = { NULL, 0, last_check_s * 1000000000ULL, false };
	struct e4err_store_job_update u;
	errcode_t retval;
	char detail[160];
	size_t i;

	if (closed)
		*closed = 0;
	if (error_flag || !last_check_s)
		return 0;
	retval = e4err_store_query_jobs(st, fs->uuid, NULL, collect_open, &o);
	if (!retval && o.oom)
		retval = ENOMEM;
	snprintf(detail, sizeof(detail), "e2fsck ran outside e4errd (at boot?): "
		 "the last check is at %" PRIu64 " (seconds since 1970) and the "
		 "error flag is clear", last_check_s);
	memset(&u, 0, sizeof(u));
	u.time_ns = now_ns;
	u.state = "done";
	u.result = "checked-outside";
	u.detail = detail;
	u.resolves = true;
	u.final = true;
	for (i = 0; !retval && i < o.n; i++) {
		retval = e4err_store_update_job(st, &o.refs[i], &u);
		if (!retval && closed)
			(*closed)++;
	}
	free(o.refs);
	return retval;
}

/* ---- resuming ---- */

struct old_job {
	struct e4err_store_ref ref;
	char *key, *kind, *state, *result, *detail;
	bool has_status;
	int32_t status;
	uint64_t created_ns;
};

struct old_jobs {
	struct old_job *v;
	size_t n;
	bool oom;
};

static int collect_unfinished(void *arg, const struct e4err_store_job_info *j)
{
	struct old_jobs *o = arg;
	struct old_job *nv, *x;
	enum e4err_check_tool t;
	enum e4err_fsck_mode m;

	if (j->final || !j->fs_uuid || !e4err_check_kind_parse(j->kind, &t, &m))
		return 0;
	nv = realloc(o->v, (o->n + 1) * sizeof(*nv));
	if (!nv) {
		o->oom = true;
		return 1;
	}
	o->v = nv;
	x = &o->v[o->n++];
	memset(x, 0, sizeof(*x));
	x->ref = j->ref;
	x->key = strdup(j->fs_uuid);
	x->kind = strdup(j->kind);
	x->state = strdup(j->state ? j->state : "queued");
	x->result = j->result ? strdup(j->result) : NULL;
	x->detail = j->detail ? strdup(j->detail) : NULL;
	x->has_status = j->has_exit_status;
	x->status = j->exit_status;
	x->created_ns = j->created_ns;
	if (!x->key || !x->kind || !x->state)
		o->oom = true;
	return 0;
}

struct known_fs {
	struct e4err_checks *ck;
	bool oom;
};

/* What the store knows of filesystems not mounted since the start. */
static int take_fs_row(void *arg, const struct e4err_store_fs_summary *s)
{
	struct known_fs *k = arg;
	struct ck_fs *fs = ck_fs_find(k->ck, s->uuid);

	if (!fs || fs->seen)
		return 0;
	free(fs->device);
	free(fs->mountpoint);
	free(fs->kname);
	fs->device = s->device ? strdup(s->device) : NULL;
	fs->mountpoint = s->mountpoint ? strdup(s->mountpoint) : NULL;
	fs->kname = s->kname ? strdup(s->kname) : NULL;
	return 0;
}

static void close_old(struct e4err_checks *ck, const struct old_job *j,
		      const char *state, const char *result, const char *why)
{
	struct e4err_store_job_update u;
	errcode_t retval;

	memset(&u, 0, sizeof(u));
	u.time_ns = ck_real_ns();
	u.state = state;
	u.result = result;
	u.detail = why;
	u.final = true;
	retval = e4err_store_update_job(ck->store, &j->ref, &u);
	if (retval)
		ck_log(ck, LOG_ERR, _("%s: could not record a check in the "
		       "store: %s"), j->key, error_message(retval));
}

/*
 * The image file a check ran on, from its "running" detail (the command,
 * "... check --mode M [--uuid U] -- TARGET"): a loop-mounted filesystem
 * not mounted since the restart is known by nothing else.  Devices are
 * not taken (a loop device is long gone; a real one comes from the store).
 */
static void target_from_detail(struct ck_fs *fs, const char *detail)
{
	const char *p = detail ? strstr(detail, " check --mode ") : NULL;

	if (fs->seen || fs->backing_file || !p || !(p = strstr(p, " -- ")))
		return;
	p += 4;
	if (p[0] == '/' && strncmp(p, "/dev/", 5) && !strchr(p, '\n'))
		fs->backing_file = strdup(p);
}

/* A job that was running when e4errd stopped. */
static void resume_running(struct e4err_checks *ck, struct ck_fs *fs,
			   const struct old_job *j, enum e4err_check_tool t,
			   enum e4err_fsck_mode m)
{
	if (t == E4ERR_TOOL_E2SCRUB && ck->opt.systemd) {
		/* The unit runs on its own; its drop-in records the end. */
		fs->running = true;
		fs->scrub_watch = true;
		fs->scrub_poll_ms = ck_mono_ms();
		fs->scrub_give_up_ms = ck_mono_ms() + ck->check_deadline_ms;
		e4err_policy_restore(&fs->pol, t, m, E4ERR_PHASE_RUNNING,
				     j->created_ns);
		fs->pol.via_systemd = true;
		return;
	}
	if (e4err_check_is_repair(t, m)) {
		close_old(ck, j, "interrupted", "interrupted",
			  _("e4errd stopped while this repair ran; its outcome "
			    "is unknown and it is not run again automatically: "
			    "look at the filesystem and run e2fsck by hand"));
		fs->has_job = false;
		ck_alert(ck, fs, E4ERR_ALERT_REPAIR_INTERRUPTED,
			 _("a repair was running when e4errd stopped; its "
			   "outcome is unknown"));
		return;
	}
	target_from_detail(fs, j->detail);
	ck_job_state(ck, fs, "queued", _("e4errd stopped while this read-only "
		     "check ran: queued again"));
	ck_log(ck, LOG_NOTICE, _("%s: e4errd stopped while a read-only check "
	       "ran: queued again"), fs->mountpoint ? fs->mountpoint : fs->key);
	e4err_policy_restore(&fs->pol, t, m, E4ERR_PHASE_QUEUED, j->created_ns);
}

static void resume_one(struct e4err_checks *ck, const struct old_job *j)
{
	struct ck_fs *fs = ck_fs_get(ck, j->key);
	enum e4err_check_tool t;
	enum e4err_fsck_mode m;

	if (!fs || !e4err_check_kind_parse(j->kind, &t, &m))
		return;
	if (fs->has_job) {
		close_old(ck, j, "cancelled", "superseded",
			  _("a newer check of this filesystem was pending"));
		return;
	}
	fs->has_job = true;
	fs->job = j->ref;
	if (!strcmp(j->state, "running") || !strcmp(j->state, "overdue")) {
		resume_running(ck, fs, j, t, m);
	} else if (!strcmp(j->state, "deferred")) {
		e4err_policy_restore(&fs->pol, t, m, E4ERR_PHASE_DEFERRED,
				     j->created_ns);
	} else if (!strcmp(j->state, "done") || !strcmp(j->state, "failed")) {
		/* An outcome recorded by record-scrub, not yet taken. */
		e4err_policy_restore(&fs->pol, t, m, E4ERR_PHASE_RUNNING,
				     j->created_ns);
		fs->running = true;
		fs->scrub_watch = true;
		fs->scrub_poll_ms = ck_mono_ms();
		fs->scrub_give_up_ms = ck_mono_ms();
	} else {
		e4err_policy_restore(&fs->pol, t, m, E4ERR_PHASE_QUEUED,
				     j->created_ns);
	}
}

static void old_jobs_free(struct old_jobs *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->v[i].key);
		free(o->v[i].kind);
		free(o->v[i].state);
		free(o->v[i].result);
		free(o->v[i].detail);
	}
	free(o->v);
}

errcode_t e4err_checks_resume(struct e4err_checks *ck)
{
	struct old_jobs o = { NULL, 0, false };
	struct known_fs k = { ck, false };
	errcode_t retval;
	size_t i;

	retval = e4err_store_query_jobs(ck->store, NULL, NULL,
					collect_unfinished, &o);
	if (!retval && o.oom)
		retval = ENOMEM;
	/* Newest first: the newest unfinished job of a filesystem wins. */
	for (i = 0; !retval && i < o.n; i++)
		if (!ck_fs_find(ck, o.v[i].key) && !ck_fs_get(ck, o.v[i].key))
			retval = ENOMEM;
	if (!retval)
		retval = e4err_store_query_filesystems(ck->store, NULL,
						       take_fs_row, &k);
	for (i = 0; !retval && i < o.n; i++)
		resume_one(ck, &o.v[i]);
	old_jobs_free(&o);
	if (!retval)
		ck_kick(ck);
	return retval;
}
