/*
 * checks_run.c --- starting checks and taking in their outcomes.
 *
 * e2fsck runs as `e4errd check` (its gates: loop device of our own, UUID,
 * O_EXCL), e2scrub directly when systemd is not PID 1, else through
 * `systemctl start --no-block e2scrub@-<escaped>.service`, the unit
 * e2scrub_all uses.  systemctl says nothing of the scrub's outcome: the
 * e2scrub@ drop-in records it in the store (e4errd record-scrub, judged
 * from the superblock), and this file reads it back on a timer.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "checks_int.h"
#include "e4err_err.h"
#include "nls.h"
#include "sdunit.h"

enum run_kind {
	RUN_CHECK,		/* e4errd check (e2fsck) */
	RUN_SCRUB,		/* e2scrub, directly */
	RUN_SYSTEMCTL,		/* systemctl start --no-block e2scrub@... */
};

struct run_ctx {
	char *key;
	enum run_kind kind;
};

/* ---- starting ---- */

static const char *mode_word(enum e4err_fsck_mode m)
{
	switch (m) {
	case E4ERR_FSCK_PREEN:
		return "preen";
	case E4ERR_FSCK_REPAIR:
		return "repair";
	case E4ERR_FSCK_READONLY:
		break;
	}
	return "readonly";
}

static char *join(const char *const *argv)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; argv[i]; i++)
		len += strlen(argv[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	s[0] = '\0';
	for (i = 0; argv[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

static void fill_spec(struct e4err_checks *ck, struct ck_fs *fs,
		      struct e4err_run_spec *spec, const char **argv,
		      enum run_kind *kind, char **unit)
{
	static const char *const env[] = { "LC_ALL=C", NULL };
	const struct e4err_policy_fs *p = &fs->pol;
	int n = 0;

	memset(spec, 0, sizeof(spec[0]));
	spec->env = env;
	spec->output_max = ck->check_output_max;
	spec->deadline_ms = ck->check_deadline_ms;
	spec->description = "e4errd check";
	if (p->tool == E4ERR_TOOL_E2SCRUB && p->via_systemd &&
	    !e4err_e2scrub_unit_name(fs->mountpoint, unit)) {
		*kind = RUN_SYSTEMCTL;
		argv[n++] = "systemctl";
		argv[n++] = "start";
		argv[n++] = "--no-block";
		argv[n++] = *unit;
		spec->direct = true;
		spec->deadline_ms = 60000;
	} else if (p->tool == E4ERR_TOOL_E2SCRUB) {
		*kind = RUN_SCRUB;
		argv[n++] = "e2scrub";
		argv[n++] = fs->mountpoint;
		spec->repair = true;
	} else {
		*kind = RUN_CHECK;
		argv[n++] = ck->e4errd_path;
		argv[n++] = "check";
		argv[n++] = "--mode";
		argv[n++] = mode_word(p->mode);
		if (fs->key_is_uuid) {
			argv[n++] = "--uuid";
			argv[n++] = fs->key;
		}
		/* After "--": the job's detail ends with the target, found
		 * again there after a restart (checks_store.c). */
		argv[n++] = "--";
		argv[n++] = fs->backing_file ? fs->backing_file : fs->device;
		spec->repair = p->mode != E4ERR_FSCK_READONLY;
	}
	argv[n] = NULL;
	spec->argv = argv;
}

bool ck_start(struct e4err_checks *ck, struct ck_fs *fs)
{
	struct e4err_run_spec spec;
	struct run_ctx *ctx;
	const char *argv[10];
	errcode_t retval;
	char *unit = NULL;

	if (fs->pol.tool == E4ERR_TOOL_E2SCRUB && !fs->mountpoint)
		return false;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx || !(ctx->key = strdup(fs->key))) {
		free(ctx);
		return false;
	}
	fill_spec(ck, fs, &spec, argv, &ctx->kind, &unit);
	spec.cookie = ctx;
	retval = e4err_runner_start(ck->runner, &spec, &fs->run_id);
	free(fs->run_what);
	fs->run_what = join(argv);
	free(unit);
	if (retval) {
		free(ctx->key);
		free(ctx);
		ck_log(ck, LOG_ERR, _("%s: could not start %s: %s"), fs->key,
		       fs->run_what ? fs->run_what : "?", error_message(retval));
		fs->running = true;	/* so the outcome is recorded once */
		ck_finished(ck, fs, E4ERR_RESULT_FAILED, error_message(retval),
			    false, 0, NULL, 0);
		return false;
	}
	fs->running = true;
	e4err_policy_started(&fs->pol, ck_real_ns());
	ck_job_state(ck, fs, "running", fs->run_what);
	ck_log(ck, LOG_NOTICE, _("%s: started %s"), fs->mountpoint ?
	       fs->mountpoint : fs->key, fs->run_what ? fs->run_what : "?");
	ck_hook_job(ck, fs, E4ERR_HOOK_JOB_STARTED, "running", NULL,
		    fs->run_what, false, 0, NULL, 0);
	return true;
}

/* ---- outcomes ---- */

static bool is_answer(enum e4err_check_result r)
{
	return r == E4ERR_RESULT_CLEAN || r == E4ERR_RESULT_REPAIRED ||
	       r == E4ERR_RESULT_CORRUPT;
}

/* "what; reason" and the output; NUL bytes from the child become '?'. */
static char *compose(const char *what, const char *reason, const char *output,
		     size_t len)
{
	size_t head, i;
	char *s, *t;

	if (asprintf(&s, "%s; %s%s", what ? what : "", reason,
		     len ? "\n" : "") < 0)
		return NULL;
	head = strlen(s);
	if (!len)
		return s;
	t = realloc(s, head + len + 1);
	if (!t) {
		free(s);
		return NULL;
	}
	s = t;
	for (i = 0; i < len; i++)
		s[head + i] = output[i] ? output[i] : '?';
	s[head + len] = '\0';
	return s;
}

void ck_finished(struct e4err_checks *ck, struct ck_fs *fs,
		 enum e4err_check_result res, const char *what,
		 bool has_status, int status, const char *output,
		 size_t output_len)
{
	struct e4err_store_job_update u;
	struct e4err_policy_decision d;
	struct e4err_policy_facts f;
	char *detail;

	fs->running = false;
	fs->scrub_watch = false;
	ck_facts(ck, fs, &f);
	e4err_policy_finished(&ck->pc, &fs->pol, &f, res, ck_real_ns(), &d);
	detail = compose(what, d.reason, output, output_len);
	memset(&u, 0, sizeof(u));
	u.has_exit_status = has_status;
	u.exit_status = status;
	u.result = e4err_check_result_name(res);
	u.detail = detail ? detail : d.reason;
	if (d.action == E4ERR_ACT_UPDATE) {
		u.state = e4err_job_phase_state(d.phase);
	} else {
		u.state = is_answer(res) ? "done" : "failed";
		u.resolves = d.resolves;
		u.final = true;
	}
	ck_job_update(ck, fs, &u);
	ck_log(ck, is_answer(res) ? LOG_NOTICE : LOG_WARNING,
	       _("%s: check %s: %s (%s)"), fs->mountpoint ? fs->mountpoint :
	       fs->key, u.state, e4err_check_result_name(res), what ? what : "");
	ck_hook_job(ck, fs, E4ERR_HOOK_JOB_FINISHED, u.state, u.result,
		    d.reason, has_status, status, output, output_len);
	if (u.final) {
		fs->has_job = false;
		fs->told_finding = false;
	}
	free(detail);
	if (d.alert != E4ERR_ALERT_NONE)
		ck_alert(ck, fs, d.alert, d.alert_reason);
	if (d.action == E4ERR_ACT_NEW_JOB) {
		d.alert = E4ERR_ALERT_NONE;
		ck_act(ck, fs, &d, false, 0);
	}
	ck_kick(ck);
}

/* systemctl start returned: the scrub runs (or not) under systemd. */
static void systemctl_done(struct e4err_checks *ck, struct ck_fs *fs,
			   const struct e4err_run_result *r)
{
	uint64_t now = ck_mono_ms();

	if (!r->started || !r->exited || r->exit_status) {
		ck_finished(ck, fs, E4ERR_RESULT_FAILED,
			    _("systemctl could not start the e2scrub@ unit"),
			    r->exited, r->exit_status, r->output, r->output_len);
		return;
	}
	fs->scrub_watch = true;
	fs->scrub_started_ns = ck_real_ns();
	fs->scrub_poll_ms = now + ck->opt.scrub_poll_ms;
	fs->scrub_give_up_ms = now + ck->check_deadline_ms;
	ck_job_state(ck, fs, "running", _("e2scrub@ unit started through "
		     "systemd; its outcome is recorded by the unit's e4errd "
		     "drop-in (e4errd record-scrub)"));
}

void ck_run_done(void *arg, const struct e4err_run_result *r)
{
	struct e4err_checks *ck = arg;
	struct run_ctx *ctx = r->cookie;
	struct ck_fs *fs = ck_fs_find(ck, ctx->key);
	enum e4err_check_result res;
	const char *what;

	if (!fs) {
		/* cannot happen: filesystems are never forgotten */
	} else if (ctx->kind == RUN_SYSTEMCTL) {
		systemctl_done(ck, fs, r);
	} else {
		res = e4err_run_check_result(r, ctx->kind == RUN_SCRUB ?
					     E4ERR_TOOL_E2SCRUB :
					     E4ERR_TOOL_E2FSCK, &what);
		if (!r->started)
			what = error_message(r->start_error);
		ck_finished(ck, fs, res, what, r->exited, r->exit_status,
			    r->output, r->output_len);
	}
	free(ctx->key);
	free(ctx);
}

/*
 * e4errd stops: a read-only check is stopped and runs again after the
 * restart; a repair goes on alone, its job left "running" (the next start
 * marks it interrupted: its outcome will not be known).
 */
void ck_run_drop(void *arg, void *cookie, bool repair)
{
	struct e4err_checks *ck = arg;
	struct run_ctx *ctx = cookie;
	struct ck_fs *fs = ck_fs_find(ck, ctx->key);

	if (fs && ctx->kind != RUN_SYSTEMCTL) {
		fs->running = false;
		if (repair)
			ck_log(ck, LOG_WARNING, _("%s: e4errd stops while a repair "
			       "runs: it goes on, its outcome will not be known"),
			       fs->mountpoint ? fs->mountpoint : fs->key);
		else
			ck_job_state(ck, fs, "queued", _("e4errd stopped while "
				     "this read-only check ran: it runs again "
				     "after the restart"));
	}
	free(ctx->key);
	free(ctx);
}

void ck_run_overdue(void *arg, uint64_t id, void *cookie, uint64_t elapsed_ms)
{
	struct e4err_checks *ck = arg;
	struct run_ctx *ctx = cookie;
	struct ck_fs *fs = ck_fs_find(ck, ctx->key);
	char msg[256];

	if (!fs)
		return;
	snprintf(msg, sizeof(msg), _("running for %" PRIu64 " minutes, past its "
		 "deadline of %" PRIu64 " minutes; a repair is never killed: "
		 "it is waited for"), elapsed_ms / 60000,
		 ck->check_deadline_ms / 60000);
	ck_job_state(ck, fs, "overdue", msg);
	ck_alert(ck, fs, E4ERR_ALERT_REPAIR_OVERDUE, msg);
	(void)id;
}

/* ---- e2scrub@ under systemd ---- */

struct scrub_look {
	struct e4err_store_ref ref;
	bool found;
	char *state, *result, *detail;
	bool has_status;
	int32_t status;
};

static int look_job(void *arg, const struct e4err_store_job_info *j)
{
	struct scrub_look *l = arg;

	if (j->ref.origin != l->ref.origin || j->ref.seq != l->ref.seq)
		return 0;
	l->found = true;
	l->state = j->state ? strdup(j->state) : NULL;
	l->result = j->result ? strdup(j->result) : NULL;
	l->detail = j->detail ? strdup(j->detail) : NULL;
	l->has_status = j->has_exit_status;
	l->status = j->exit_status;
	return 1;
}

static enum e4err_check_result result_of(const char *name)
{
	static const enum e4err_check_result all[] = {
		E4ERR_RESULT_CLEAN, E4ERR_RESULT_REPAIRED, E4ERR_RESULT_CORRUPT,
		E4ERR_RESULT_BUSY, E4ERR_RESULT_RETRY, E4ERR_RESULT_REFUSED,
		E4ERR_RESULT_INCONCLUSIVE, E4ERR_RESULT_STOPPED,
	};
	size_t i;

	for (i = 0; name && i < sizeof(all) / sizeof(all[0]); i++)
		if (!strcmp(name, e4err_check_result_name(all[i])))
			return all[i];
	return E4ERR_RESULT_FAILED;
}

/* The drop-in recorded the unit's end: take its judgement. */
static void scrub_outcome(struct e4err_checks *ck, struct ck_fs *fs,
			  const struct scrub_look *l)
{
	if (!strcmp(l->state, "queued")) {
		/* The run that ended began before this job: scrub again. */
		fs->running = false;
		fs->scrub_watch = false;
		e4err_policy_restore(&fs->pol, E4ERR_TOOL_E2SCRUB,
				     E4ERR_FSCK_READONLY, E4ERR_PHASE_QUEUED,
				     fs->pol.queued_ns);
		fs->pol.via_systemd = true;
		ck_kick(ck);
		return;
	}
	ck_finished(ck, fs, result_of(l->result), l->detail, l->has_status,
		    l->status, NULL, 0);
}

void ck_scrub_poll(struct e4err_checks *ck, struct ck_fs *fs, uint64_t now_ms)
{
	struct scrub_look l;
	errcode_t retval;

	memset(&l, 0, sizeof(l));
	l.ref = fs->job;
	fs->scrub_poll_ms = now_ms + ck->opt.scrub_poll_ms;
	retval = e4err_store_query_jobs(ck->store, fs->key, NULL, look_job, &l);
	if (retval && retval != 1)
		ck_log(ck, LOG_WARNING, _("%s: could not read the e2scrub "
		       "outcome: %s"), fs->key, error_message(retval));
	else if (l.found && l.state && strcmp(l.state, "running") &&
		 strcmp(l.state, "overdue"))
		scrub_outcome(ck, fs, &l);
	else if (now_ms >= fs->scrub_give_up_ms)
		ck_finished(ck, fs, E4ERR_RESULT_INCONCLUSIVE,
			    _("no outcome recorded for the e2scrub@ unit before "
			      "the check deadline (is e4errd's e2scrub@ drop-in "
			      "installed?)"), false, 0, NULL, 0);
	free(l.state);
	free(l.result);
	free(l.detail);
}
