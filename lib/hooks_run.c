/*
 * hooks_run.c --- the queue of hook runs in front of their runner.
 *
 * emit() looks the hooks of an event up, builds the event's environment
 * once, and queues one run per hook; runs start in order as the runner
 * frees slots.  A hook past hook_deadline is stopped (hooks are never
 * repairs); its output is kept up to hook_output_max and passed to the
 * done callback.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "e4err_err.h"
#include "hooks.h"
#include "nls.h"
#include "sdunit.h"

struct env_ref {
	char **env;
	char *uuid;		/* the event's, for the done callback */
	size_t refs;
};

struct hook_run {
	char *path;
	enum e4err_hook_class cls;
	struct env_ref *env;
	uint64_t seq;
};

struct e4err_hooks {
	struct e4err_hooks_options opt;
	char *dir, *mail_to;
	struct e4err_runner *runner;
	struct hook_run *queue;		/* FIFO */
	size_t nqueue;
	uint64_t seq;
};

static void env_put(struct env_ref *e)
{
	if (e && --e->refs == 0) {
		e4err_argv_free(e->env);
		free(e->uuid);
		free(e);
	}
}

static void run_free(struct hook_run *run)
{
	free(run->path);
	env_put(run->env);
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void log_msg(struct e4err_hooks *h, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void log_msg(struct e4err_hooks *h, int prio, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!h->opt.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	h->opt.log(h->opt.arg, prio, msg);
}

static void hook_done(void *arg, const struct e4err_run_result *r)
{
	struct e4err_hooks *h = arg;
	struct hook_run *run = r->cookie;

	if (!r->started)
		log_msg(h, LOG_ERR, _("hook %s could not run: %s"), run->path,
			error_message(r->start_error));
	else if (r->stopped)
		log_msg(h, LOG_WARNING, _("hook %s stopped at its deadline"),
			run->path);
	else if (!r->exited || r->exit_status)
		log_msg(h, LOG_WARNING, _("hook %s failed (%s %d)"), run->path,
			r->exited ? _("exit status") : _("signal"),
			r->exited ? r->exit_status : r->signal);
	if (h->opt.done)
		h->opt.done(h->opt.arg, base(run->path), run->cls,
			    run->env->uuid, r);
	run_free(run);
	free(run);
}

static void hook_drop(void *arg, void *cookie, bool repair)
{
	struct hook_run *run = cookie;

	(void)arg;
	(void)repair;
	run_free(run);
	free(run);
}

errcode_t e4err_hooks_new(const struct e4err_hooks_options *opt,
			  struct e4err_hooks **out)
{
	struct e4err_runner_options ro;
	struct e4err_hooks *h;
	errcode_t retval;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return ENOMEM;
	h->opt = *opt;
	h->dir = strdup(opt->dir ? opt->dir : "");
	h->mail_to = strdup(opt->mail_to ? opt->mail_to : "");
	h->queue = calloc(E4ERR_HOOKS_MAX_QUEUED, sizeof(*h->queue));
	if (!h->dir || !h->mail_to || !h->queue) {
		e4err_hooks_free(h);
		return ENOMEM;
	}
	memset(&ro, 0, sizeof(ro));
	ro.max_running = opt->max_running ? opt->max_running : 2;
	ro.kill_grace_ms = opt->kill_grace_ms;
	ro.systemd = opt->systemd;
	ro.unit_prefix = "e4errd-hook";
	ro.done = hook_done;
	ro.drop = hook_drop;
	ro.arg = h;
	retval = e4err_runner_new(&ro, &h->runner);
	if (retval) {
		e4err_hooks_free(h);
		return retval;
	}
	*out = h;
	return 0;
}

void e4err_hooks_free(struct e4err_hooks *h)
{
	size_t i;

	if (!h)
		return;
	e4err_runner_free(h->runner);
	for (i = 0; h->queue && i < h->nqueue; i++)
		run_free(&h->queue[i]);
	free(h->queue);
	free(h->dir);
	free(h->mail_to);
	free(h);
}

/* The unit of a hook under systemd: e4errd-hook-<name>-<n>. */
static char *unit_for(struct e4err_hooks *h, const struct hook_run *run)
{
	char *esc = NULL, *unit = NULL;

	if (!h->opt.systemd || e4err_systemd_escape(base(run->path), &esc))
		return NULL;
	if (asprintf(&unit, "e4errd-hook-%.100s-%llu", esc,
		     (unsigned long long)run->seq) < 0)
		unit = NULL;
	free(esc);
	return unit;
}

static errcode_t start_one(struct e4err_hooks *h, struct hook_run *run)
{
	const char *argv[2] = { run->path, NULL };
	struct e4err_run_spec spec;
	struct hook_run *cookie;
	errcode_t retval;
	char *unit;

	cookie = malloc(sizeof(*cookie));
	if (!cookie)
		return ENOMEM;
	*cookie = *run;
	unit = unit_for(h, run);
	memset(&spec, 0, sizeof(spec));
	spec.argv = argv;
	spec.env = (const char *const *)run->env->env;
	spec.deadline_ms = h->opt.deadline_ms;
	spec.output_max = h->opt.output_max;
	spec.unit = unit;
	spec.description = "e4errd hook";
	spec.cookie = cookie;
	retval = e4err_runner_start(h->runner, &spec, NULL);
	free(unit);
	if (retval) {
		free(cookie);
		return retval;
	}
	return 0;
}

/* Start queued runs while there is room. */
static void kick(struct e4err_hooks *h)
{
	errcode_t retval;

	while (h->nqueue && !e4err_runner_full(h->runner)) {
		struct hook_run run = h->queue[0];

		memmove(h->queue, h->queue + 1, --h->nqueue * sizeof(*h->queue));
		retval = start_one(h, &run);
		if (retval) {
			log_msg(h, LOG_ERR, _("hook %s could not run: %s"),
				run.path, error_message(retval));
			run_free(&run);
		}
	}
}

static errcode_t enqueue(struct e4err_hooks *h, const char *path,
			 enum e4err_hook_class cls, struct env_ref *env)
{
	struct hook_run *run;

	if (h->nqueue == E4ERR_HOOKS_MAX_QUEUED) {
		log_msg(h, LOG_WARNING, _("hook %s not run: %u hook runs are "
			"waiting already"), path, E4ERR_HOOKS_MAX_QUEUED);
		return 0;
	}
	run = &h->queue[h->nqueue];
	run->path = strdup(path);
	if (!run->path)
		return ENOMEM;
	run->cls = cls;
	run->env = env;
	run->seq = ++h->seq;
	env->refs++;
	h->nqueue++;
	return 0;
}

errcode_t e4err_hooks_emit(struct e4err_hooks *h,
			   const struct e4err_hook_event *ev, size_t *n)
{
	struct e4err_hook_list list;
	struct env_ref *env;
	errcode_t retval;
	size_t i;

	if (n)
		*n = 0;
	if (!h->dir[0])
		return 0;
	retval = e4err_hooks_find(h->dir, ev->cls, &list, h->opt.log, h->opt.arg);
	if (retval || !list.n)
		return retval;
	env = calloc(1, sizeof(*env));
	if (env)
		retval = e4err_hooks_env(ev, h->mail_to, &env->env);
	else
		retval = ENOMEM;
	if (!retval)
		env->refs = 1;
	if (!retval && ev->uuid && !(env->uuid = strdup(ev->uuid)))
		retval = ENOMEM;
	for (i = 0; !retval && i < list.n; i++)
		retval = enqueue(h, list.paths[i], ev->cls, env);
	if (env && env->env) {
		env_put(env);
	} else if (env) {
		free(env->uuid);
		free(env);
	}
	if (n && !retval)
		*n = list.n;
	e4err_hook_list_free(&list);
	kick(h);
	return retval;
}

size_t e4err_hooks_pollfds(const struct e4err_hooks *h, struct pollfd *fds,
			   size_t max)
{
	return e4err_runner_pollfds(h->runner, fds, max);
}

void e4err_hooks_process(struct e4err_hooks *h, const struct pollfd *fds,
			 size_t n)
{
	e4err_runner_process(h->runner, fds, n);
	kick(h);
}

int e4err_hooks_timeout_ms(const struct e4err_hooks *h)
{
	if (h->nqueue && !e4err_runner_full(h->runner))
		return 0;
	return e4err_runner_timeout_ms(h->runner);
}

bool e4err_hooks_idle(const struct e4err_hooks *h)
{
	return !h->nqueue && !e4err_runner_running(h->runner);
}
