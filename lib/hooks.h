/*
 * hooks.h --- hook programs run when something happens, in the manner of
 * ZED's zedlets.
 *
 * Owned by hooks.c: the hook directory (hook_dir in e4errd.conf), which
 * executables an event class selects (files named "<class>" or
 * "<class>-<anything>", and "all"/"all-*" for every class, started in
 * byte order of their names, two at most at once), the safety rules (the
 * directory and each hook, or the file a symlink names, must be owned by
 * root and not writable by group or others; a hook must be a regular
 * executable file -- anything else is refused and the refusal logged),
 * the E4ERRD_* environment that carries the event (documented in
 * e4errd-hooks(8)), and a queue in front of a runner (runner.h) so hooks
 * never run more than a few at once and never block the caller.
 *
 * Kernel strings (function, description, comm, path) and anything a user
 * may influence (mount point, device, image file) are passed escaped with
 * e4err_escape_text(), plus a *_HEX variant with the exact bytes.
 */
#ifndef E4ERR_HOOKS_H
#define E4ERR_HOOKS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#include "runner.h"

enum e4err_hook_class {
	E4ERR_HOOK_FINDING_CONFIRMED = 0,	/* inspection confirmed damage */
	E4ERR_HOOK_JOB_QUEUED,		/* a check was decided (queued, deferred) */
	E4ERR_HOOK_JOB_STARTED,		/* a check started */
	E4ERR_HOOK_JOB_FINISHED,	/* a check ended, whatever the outcome */
	E4ERR_HOOK_ALERT,		/* needs a person: see E4ERRD_ALERT */
	E4ERR_HOOK_CLASS_MAX
};

/* Most hook runs waiting for a free slot; beyond, new ones are dropped. */
#define E4ERR_HOOKS_MAX_QUEUED	256
/* At most this much of a job's output goes into E4ERRD_JOB_OUTPUT. */
#define E4ERR_HOOKS_OUTPUT_ENV_MAX	4096

/* One event, as hooks see it; absent strings are NULL, lengths 0. */
struct e4err_hook_event {
	enum e4err_hook_class cls;
	uint64_t time_ns;
	const char *uuid;
	const char *device;
	const char *mountpoint;
	const char *kname;
	const char *backing_file;
	bool has_inode;
	uint64_t inode;
	bool has_block;
	uint64_t block;
	bool has_error;
	int32_t error;		/* raw, as the kernel sent it */
	uint32_t error_count;
	const char *verdict;
	/* The job (checks). */
	const char *job_id;	/* "origin:seq" in the store */
	const char *job_kind;
	const char *job_state;
	const char *job_outcome;
	const char *job_reason;
	bool has_exit_status;
	int32_t exit_status;
	const char *job_output;
	size_t job_output_len;
	/* Alerts. */
	const char *alert;
	const char *alert_reason;
	/* Kernel strings: raw bytes. */
	const char *function;
	size_t function_len;
	const char *desc;
	size_t desc_len;
	const char *comm;
	size_t comm_len;
	const char *path;
	size_t path_len;
};

const char *e4err_hook_class_name(enum e4err_hook_class c);
bool e4err_hook_class_parse(const char *s, enum e4err_hook_class *c);

/*
 * The E4ERRD_* environment of an event, "NAME=value" strings, malloc'd;
 * free with e4err_argv_free().  mail_to (may be NULL) is passed as
 * E4ERRD_MAIL_TO.
 */
errcode_t e4err_hooks_env(const struct e4err_hook_event *ev,
			  const char *mail_to, char ***env);

/* Why a hook file may not run, in why (0: it may).  E4ERR_HOOK_UNSAFE. */
errcode_t e4err_hook_check(const char *path, char *why, size_t why_len);

/* The hooks of a class, sorted; names refused are logged and left out. */
struct e4err_hook_list {
	char **paths;
	size_t n;
};

typedef void (*e4err_hooks_log_fn)(void *arg, int prio, const char *msg);

errcode_t e4err_hooks_find(const char *dir, enum e4err_hook_class cls,
			   struct e4err_hook_list *list,
			   e4err_hooks_log_fn log, void *log_arg);
void e4err_hook_list_free(struct e4err_hook_list *list);

/* ---- running them ---- */

struct e4err_hooks;

/*
 * A hook ended: name is its file name, uuid the event's (may be NULL),
 * r as from the runner.
 */
typedef void (*e4err_hooks_done_fn)(void *arg, const char *name,
				    enum e4err_hook_class cls,
				    const char *uuid,
				    const struct e4err_run_result *r);

struct e4err_hooks_options {
	const char *dir;
	uint64_t deadline_ms;
	size_t output_max;
	const char *mail_to;		/* may be NULL or "" */
	uint32_t max_running;		/* 0: 2 */
	uint64_t kill_grace_ms;		/* 0: the runner's default */
	bool systemd;			/* each hook its own transient unit */
	e4err_hooks_log_fn log;		/* refusals, failures; may be NULL */
	e4err_hooks_done_fn done;	/* may be NULL */
	void *arg;
};

errcode_t e4err_hooks_new(const struct e4err_hooks_options *opt,
			  struct e4err_hooks **h);
/* Hooks still running are stopped (they are never repairs). */
void e4err_hooks_free(struct e4err_hooks *h);

/* Queue every hook of ev's class; *n (may be NULL): how many. */
errcode_t e4err_hooks_emit(struct e4err_hooks *h,
			   const struct e4err_hook_event *ev, size_t *n);

/* Poll loop plumbing, as the runner's (runner.h). */
size_t e4err_hooks_pollfds(const struct e4err_hooks *h, struct pollfd *fds,
			   size_t max);
void e4err_hooks_process(struct e4err_hooks *h, const struct pollfd *fds,
			 size_t n);
int e4err_hooks_timeout_ms(const struct e4err_hooks *h);
/* Nothing running and nothing queued. */
bool e4err_hooks_idle(const struct e4err_hooks *h);

#endif /* E4ERR_HOOKS_H */
