/*
 * runner.h --- running checks and hooks as child processes, from a poll
 * loop, without ever blocking it.
 *
 * Owned by runner.c: children started from an argument vector (never a
 * shell) with a fixed PATH, a clean environment, stdin from /dev/null,
 * stdout and stderr captured into one bounded buffer (the start and the
 * end are kept, the middle counted), in a session of their own; a limit
 * on how many run at once; reaped through pidfds the caller polls along
 * with its other descriptors.  Past its deadline a child is stopped
 * (SIGTERM to its process group, SIGKILL after a grace period) -- unless
 * it is a repair (e2fsck -p/-y, e2scrub), which is never killed: it is
 * reported overdue and waited for.  Under systemd each child runs as its
 * own transient service through systemd-run (sdunit.h), so it does not
 * inherit the daemon's sandbox.
 *
 * runner_outcome.c reads exit statuses per tool: e2fsck's bits, e2scrub's
 * 0/6/8/16 (1 when systemd runs it), and `e4errd check`'s own statuses.
 */
#ifndef E4ERR_RUNNER_H
#define E4ERR_RUNNER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#include "policy.h"

/* Grace between SIGTERM and SIGKILL unless configured. */
#define E4ERR_RUNNER_KILL_GRACE_MS	10000
/* Without pidfds, children are polled for at this pace. */
#define E4ERR_RUNNER_POLL_MS		200

struct e4err_runner;

struct e4err_run_result {
	uint64_t id;
	void *cookie;
	bool started;		/* false: it never ran (start_error says why) */
	errcode_t start_error;
	bool exited;
	int exit_status;
	bool signaled;
	int signal;
	bool stopped;		/* stopped by us at its deadline */
	bool overdue;		/* a repair that ran past its deadline */
	uint64_t elapsed_ms;
	/* Output, NUL-terminated; if more came than kept, a marker line in
	 * the middle says how much was left out. */
	const char *output;
	size_t output_len;
	uint64_t output_total;	/* bytes the child wrote */
	bool output_truncated;
	const char *unit;	/* the transient unit under systemd, or NULL */
};

/* A child ended: the result and its strings are valid during the call. */
typedef void (*e4err_run_done_fn)(void *arg, const struct e4err_run_result *r);
/* A repair ran past its deadline (once per child). */
typedef void (*e4err_run_overdue_fn)(void *arg, uint64_t id, void *cookie,
				     uint64_t elapsed_ms);

/* A child abandoned by e4err_runner_free(): its cookie, to free. */
typedef void (*e4err_run_drop_fn)(void *arg, void *cookie, bool repair);

struct e4err_runner_options {
	uint32_t max_running;		/* at most this many at once; 0 = 1 */
	uint64_t kill_grace_ms;		/* 0: E4ERR_RUNNER_KILL_GRACE_MS */
	bool systemd;			/* wrap every child with systemd-run */
	const char *unit_prefix;	/* transient unit names: <prefix>-<n> */
	e4err_run_done_fn done;
	e4err_run_overdue_fn overdue;	/* may be NULL */
	e4err_run_drop_fn drop;		/* may be NULL */
	void *arg;
};

struct e4err_run_spec {
	const char *const *argv;	/* argv[0] absolute, or found in the fixed PATH */
	const char *const *env;		/* extra "NAME=value", or NULL */
	uint64_t deadline_ms;		/* 0: none */
	size_t output_max;		/* bytes of output kept */
	bool repair;			/* never killed; overdue instead */
	bool direct;			/* never wrapped in a unit (systemctl) */
	const char *unit;		/* under systemd: its unit name, or NULL */
	const char *description;	/* under systemd, or NULL */
	void *cookie;
};

errcode_t e4err_runner_new(const struct e4err_runner_options *opt,
			   struct e4err_runner **r);

/*
 * Stop what runs and free: children that are not repairs get SIGTERM
 * (SIGKILL after the grace) and are reaped, without their done callback;
 * repairs are left running, detached (their outcome is lost: the caller
 * records them as interrupted on its next start).  The drop callback gets
 * each one's cookie.
 */
void e4err_runner_free(struct e4err_runner *r);

/* How many children run, and whether another may start. */
size_t e4err_runner_running(const struct e4err_runner *r);
bool e4err_runner_full(const struct e4err_runner *r);

/*
 * Start a child.  E4ERR_RUNNER_FULL at the limit; ENOENT when argv[0] is
 * not found; an errno when exec failed (it is reported here, not later).
 * *id (may be NULL) names it for e4err_runner_stop().
 */
errcode_t e4err_runner_start(struct e4err_runner *r,
			     const struct e4err_run_spec *spec, uint64_t *id);

/*
 * The descriptors to poll (pidfds and output pipes): fills at most max
 * entries of fds, returns how many there are.  Poll them, then hand the
 * same entries to e4err_runner_process().
 */
size_t e4err_runner_pollfds(const struct e4err_runner *r, struct pollfd *fds,
			    size_t max);

/*
 * Handle what poll() said: read output, reap children that ended (done
 * callbacks), enforce deadlines.  Entries that are not the runner's are
 * ignored, so the caller may pass its whole array.  Never blocks.
 */
void e4err_runner_process(struct e4err_runner *r, const struct pollfd *fds,
			  size_t n);

/* Milliseconds until the runner needs process() again anyway; -1: never. */
int e4err_runner_timeout_ms(const struct e4err_runner *r);

/* Stop one child as at its deadline (a repair is not signalled). */
errcode_t e4err_runner_stop(struct e4err_runner *r, uint64_t id);

/* ---- per-tool interpretation (runner_outcome.c) ---- */

/* `e4errd check`'s own exit statuses; e2fsck never sets bit 64. */
#define E4ERR_CHECK_EXIT_BUSY		64	/* device or image in use */
#define E4ERR_CHECK_EXIT_MISMATCH	65	/* not the filesystem expected */
#define E4ERR_CHECK_EXIT_SETUP		66	/* loop device could not be set up */
#define E4ERR_CHECK_EXIT_EXEC		67	/* e2fsck could not be started */

/* What an e2fsck exit status means (its bits: 1 2 4 8 16 32 128). */
enum e4err_check_result e4err_e2fsck_result(int status, const char **what);
/* e4errd check: its own statuses, else e2fsck's. */
enum e4err_check_result e4err_check_exit_result(int status, const char **what);
/*
 * e2scrub run directly: 0 clean, 6 corrupt (boot-time fsck scheduled),
 * 8 operational, 16 refused (not LVM), 1 cannot run here (no lvm2, not
 * root).  service_mode: under systemd every failure is 1 and says nothing.
 */
enum e4err_check_result e4err_e2scrub_result(int status, bool service_mode,
					     const char **what);
/* A whole run result for a tool, including signals and deadlines. */
enum e4err_check_result e4err_run_check_result(const struct e4err_run_result *r,
					       enum e4err_check_tool tool,
					       const char **what);

#endif /* E4ERR_RUNNER_H */
