/*
 * hooks.c --- choosing, vetting and running hook programs.
 *
 * A hook is looked up afresh for every event (a directory read; events
 * that run hooks are rare, and an administrator's change applies at
 * once).  Each run is queued with its own environment and started when
 * the runner has a free slot; the queue is bounded.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "hooks.h"
#include "nls.h"
#include "sdunit.h"

static const char *const class_names[E4ERR_HOOK_CLASS_MAX] = {
	[E4ERR_HOOK_FINDING_CONFIRMED] = "finding-confirmed",
	[E4ERR_HOOK_JOB_QUEUED] = "job-queued",
	[E4ERR_HOOK_JOB_STARTED] = "job-started",
	[E4ERR_HOOK_JOB_FINISHED] = "job-finished",
	[E4ERR_HOOK_ALERT] = "alert",
};

const char *e4err_hook_class_name(enum e4err_hook_class c)
{
	return (unsigned)c < E4ERR_HOOK_CLASS_MAX ? class_names[c] : "unknown";
}

bool e4err_hook_class_parse(const char *s, enum e4err_hook_class *c)
{
	unsigned i;

	for (i = 0; i < E4ERR_HOOK_CLASS_MAX; i++) {
		if (!strcmp(s, class_names[i])) {
			*c = (enum e4err_hook_class)i;
			return true;
		}
	}
	return false;
}

/* ---- the environment ---- */

struct env {
	char **v;
	size_t n, cap;
	bool oom;
};

static void env_add(struct env *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void env_add(struct env *e, const char *fmt, ...)
{
	char **nv, *s;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s) {
		e->oom = true;
		return;
	}
	if (e->n + 2 > e->cap) {
		e->cap = e->cap ? 2 * e->cap : 48;
		nv = realloc(e->v, e->cap * sizeof(*nv));
		if (!nv) {
			free(s);
			e->oom = true;
			return;
		}
		e->v = nv;
	}
	e->v[e->n++] = s;
	e->v[e->n] = NULL;
}

/* NAME=<escaped bytes> */
static void env_text(struct env *e, const char *name, const char *s, size_t n)
{
	size_t need;
	char *buf;

	if (!s)
		return;
	need = e4err_escape_text(NULL, 0, s, n) + 1;
	buf = malloc(need);
	if (!buf) {
		e->oom = true;
		return;
	}
	e4err_escape_text(buf, need, s, n);
	env_add(e, "%s=%s", name, buf);
	free(buf);
}

/* NAME=<escaped> and NAME_HEX=<the bytes in hex>. */
static void env_both(struct env *e, const char *name, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *buf;
	size_t i;

	if (!s)
		return;
	env_text(e, name, s, n);
	buf = malloc(2 * n + 1);
	if (!buf) {
		e->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		buf[2 * i] = hex[(unsigned char)s[i] >> 4];
		buf[2 * i + 1] = hex[(unsigned char)s[i] & 15];
	}
	buf[2 * n] = '\0';
	env_add(e, "%s_HEX=%s", name, buf);
	free(buf);
}

static void env_str(struct env *e, const char *name, const char *s)
{
	if (s)
		env_text(e, name, s, strlen(s));
}

static void env_where(struct env *e, const struct e4err_hook_event *ev)
{
	env_str(e, "E4ERRD_UUID", ev->uuid);
	if (ev->device)
		env_both(e, "E4ERRD_DEVICE", ev->device, strlen(ev->device));
	if (ev->mountpoint)
		env_both(e, "E4ERRD_MOUNTPOINT", ev->mountpoint,
			 strlen(ev->mountpoint));
	env_str(e, "E4ERRD_KNAME", ev->kname);
	if (ev->backing_file)
		env_both(e, "E4ERRD_BACKING_FILE", ev->backing_file,
			 strlen(ev->backing_file));
}

static void env_report(struct env *e, const struct e4err_hook_event *ev)
{
	char name[64];

	if (ev->has_inode)
		env_add(e, "E4ERRD_INODE=%" PRIu64, ev->inode);
	if (ev->has_block)
		env_add(e, "E4ERRD_BLOCK=%" PRIu64, ev->block);
	if (ev->has_error) {
		env_add(e, "E4ERRD_ERROR=%" PRId32, ev->error);
		env_str(e, "E4ERRD_ERROR_NAME",
			e4err_error_name(ev->error, name, sizeof(name)));
	}
	if (ev->error_count)
		env_add(e, "E4ERRD_ERROR_COUNT=%" PRIu32, ev->error_count);
	env_str(e, "E4ERRD_VERDICT", ev->verdict);
	env_both(e, "E4ERRD_FUNCTION", ev->function, ev->function_len);
	env_both(e, "E4ERRD_DESC", ev->desc, ev->desc_len);
	env_both(e, "E4ERRD_COMM", ev->comm, ev->comm_len);
	env_both(e, "E4ERRD_PATH", ev->path, ev->path_len);
}

static void env_job(struct env *e, const struct e4err_hook_event *ev)
{
	size_t n = ev->job_output_len;

	env_str(e, "E4ERRD_JOB_ID", ev->job_id);
	env_str(e, "E4ERRD_JOB_KIND", ev->job_kind);
	env_str(e, "E4ERRD_JOB_STATE", ev->job_state);
	env_str(e, "E4ERRD_JOB_OUTCOME", ev->job_outcome);
	env_str(e, "E4ERRD_JOB_REASON", ev->job_reason);
	if (ev->has_exit_status)
		env_add(e, "E4ERRD_EXIT_STATUS=%" PRId32, ev->exit_status);
	if (ev->job_output) {
		/* The end says most (e2fsck's summary comes last). */
		if (n > E4ERR_HOOKS_OUTPUT_ENV_MAX)
			env_text(e, "E4ERRD_JOB_OUTPUT", ev->job_output + n -
				 E4ERR_HOOKS_OUTPUT_ENV_MAX,
				 E4ERR_HOOKS_OUTPUT_ENV_MAX);
		else
			env_text(e, "E4ERRD_JOB_OUTPUT", ev->job_output, n);
	}
	env_str(e, "E4ERRD_ALERT", ev->alert);
	env_str(e, "E4ERRD_ALERT_REASON", ev->alert_reason);
}

errcode_t e4err_hooks_env(const struct e4err_hook_event *ev,
			  const char *mail_to, char ***out)
{
	struct env e = { NULL, 0, 0, false };

	*out = NULL;
	env_add(&e, "E4ERRD_VERSION=%s", PACKAGE_VERSION);
	env_add(&e, "E4ERRD_CLASS=%s", e4err_hook_class_name(ev->cls));
	env_add(&e, "E4ERRD_TIME=%" PRIu64, (uint64_t)(ev->time_ns / 1000000000U));
	env_add(&e, "E4ERRD_TIME_NS=%" PRIu64, ev->time_ns);
	env_where(&e, ev);
	env_report(&e, ev);
	env_job(&e, ev);
	if (mail_to && mail_to[0])
		env_str(&e, "E4ERRD_MAIL_TO", mail_to);
	if (e.oom) {
		e4err_argv_free(e.v);
		return ENOMEM;
	}
	*out = e.v;
	return 0;
}

/* ---- finding hooks ---- */

static errcode_t unsafe(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static errcode_t unsafe(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return E4ERR_HOOK_UNSAFE;
}

/* Owned by root, not writable by group or others. */
static errcode_t root_only(const struct stat *st, char *why, size_t len)
{
	if (st->st_uid != 0)
		return unsafe(why, len, _("owned by uid %u, not root"),
			      (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return unsafe(why, len, _("writable by group or others "
			      "(mode %04o)"), (unsigned)(st->st_mode & 07777));
	return 0;
}

errcode_t e4err_hook_check(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return unsafe(why, len, _("cannot be looked at (%s)"),
			      strerror(errno));
	if (!S_ISREG(st.st_mode))
		return unsafe(why, len, _("not a regular file"));
	if (!(st.st_mode & S_IXUSR))
		return unsafe(why, len, _("not executable"));
	return root_only(&st, why, len);
}

/* Backups and package-manager leftovers are never hooks. */
static bool ignored_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || (n && name[n - 1] == '~') ||
	       strstr(name, ".dpkg-") || strstr(name, ".rpmnew") ||
	       strstr(name, ".rpmsave") || strstr(name, ".ucf-");
}

static bool name_matches(const char *name, const char *cls)
{
	size_t n = strlen(cls);

	return !strncmp(name, cls, n) && (name[n] == '\0' || name[n] == '-');
}

static void logf_(e4err_hooks_log_fn log, void *arg, int prio,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void logf_(e4err_hooks_log_fn log, void *arg, int prio,
		  const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log(arg, prio, msg);
}

static int by_name(const void *a, const void *b)
{
	const char *x = strrchr(*(char *const *)a, '/');
	const char *y = strrchr(*(char *const *)b, '/');

	return strcmp(x, y);
}

static errcode_t list_add(struct e4err_hook_list *l, const char *dir,
			  const char *name)
{
	char **np;

	np = realloc(l->paths, (l->n + 1) * sizeof(*np));
	if (!np)
		return ENOMEM;
	l->paths = np;
	if (asprintf(&l->paths[l->n], "%s/%s", dir, name) < 0)
		return ENOMEM;
	l->n++;
	return 0;
}

/* The directory itself must be as safe as its hooks. */
static errcode_t check_dir(const char *dir, e4err_hooks_log_fn log, void *arg)
{
	char why[128];
	struct stat st;

	if (stat(dir, &st) < 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	if (root_only(&st, why, sizeof(why))) {
		logf_(log, arg, LOG_ERR, _("hook directory %s refused: %s; no "
		      "hook runs"), dir, why);
		return E4ERR_HOOK_UNSAFE;
	}
	return 0;
}

errcode_t e4err_hooks_find(const char *dir, enum e4err_hook_class cls,
			   struct e4err_hook_list *list,
			   e4err_hooks_log_fn log, void *arg)
{
	const char *cname = e4err_hook_class_name(cls);
	errcode_t retval;
	struct dirent *de;
	char path[PATH_MAX], why[128];
	DIR *d;

	memset(list, 0, sizeof(*list));
	retval = check_dir(dir, log, arg);
	/* A missing directory means no hooks; an unsafe one was logged. */
	if (retval == ENOENT || retval == E4ERR_HOOK_UNSAFE)
		return 0;
	if (retval)
		return retval;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : errno;
	while ((de = readdir(d)) != NULL && !retval) {
		if (ignored_name(de->d_name) ||
		    (!name_matches(de->d_name, cname) &&
		     !name_matches(de->d_name, "all")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (e4err_hook_check(path, why, sizeof(why))) {
			logf_(log, arg, LOG_WARNING, _("hook %s refused: %s"),
			      path, why);
			continue;
		}
		retval = list_add(list, dir, de->d_name);
	}
	closedir(d);
	if (retval) {
		e4err_hook_list_free(list);
		return retval;
	}
	if (list->n)
		qsort(list->paths, list->n, sizeof(*list->paths), by_name);
	return 0;
}

void e4err_hook_list_free(struct e4err_hook_list *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}
