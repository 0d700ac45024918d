/*
 * runner.c --- child processes for checks and hooks, driven by poll().
 *
 * A child is forked, put in a session of its own (so a deadline reaches
 * everything it started), given /dev/null as stdin and one pipe for
 * stdout and stderr, every other descriptor closed, every signal back to
 * its default (the daemon blocks some for its signalfd and ignores
 * SIGPIPE; both survive exec otherwise), and exec'd with a fixed PATH and
 * only the environment the caller names.  An exec failure comes back
 * through a close-on-exec pipe, so start() reports it at once.  The
 * parent then only reacts to poll(): output is read as it comes (and
 * dropped once the bound is reached, so a chatty child never blocks on a
 * full pipe), the pidfd says when to reap.  A child that exits while a
 * grandchild still holds the pipe is reaped anyway; its output is what
 * had arrived.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "devfacts.h"
#include "e4err_err.h"
#include "runner.h"
#include "sdunit.h"

/* Under systemd, systemd itself stops a read-only unit at its deadline
 * (RuntimeMaxSec=); the runner's own deadline for systemd-run comes later. */
#define SDRUN_SLACK_MS	5000
/* The tail kept is at most this much of the bound. */
#define TAIL_MAX	8192

struct child {
	uint64_t id;
	void *cookie;
	pid_t pid;
	int pidfd;		/* -1: polled with waitpid() */
	int out_fd;		/* -1 once at EOF */
	bool repair;
	bool systemd;
	char *unit;
	uint64_t start_ms;
	uint64_t deadline_ms;	/* absolute, 0: none */
	uint64_t term_ms;	/* when SIGTERM was sent */
	bool stopped, killed, overdue;

	char *head;
	size_t head_cap, head_len;
	char *tail;		/* ring */
	size_t tail_cap, tail_len, tail_pos;
	uint64_t total;
};

struct e4err_runner {
	struct e4err_runner_options opt;
	char *unit_prefix;
	struct child **kids;
	size_t nkids, cap;
	uint64_t next_id;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

errcode_t e4err_runner_new(const struct e4err_runner_options *opt,
			   struct e4err_runner **out)
{
	struct e4err_runner *r;

	*out = NULL;
	if (!opt->done)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->opt = *opt;
	if (!r->opt.max_running)
		r->opt.max_running = 1;
	if (!r->opt.kill_grace_ms)
		r->opt.kill_grace_ms = E4ERR_RUNNER_KILL_GRACE_MS;
	r->unit_prefix = strdup(opt->unit_prefix ? opt->unit_prefix : "e4errd-run");
	if (!r->unit_prefix) {
		free(r);
		return ENOMEM;
	}
	r->opt.unit_prefix = r->unit_prefix;
	r->next_id = 1;
	*out = r;
	return 0;
}

size_t e4err_runner_running(const struct e4err_runner *r)
{
	return r->nkids;
}

bool e4err_runner_full(const struct e4err_runner *r)
{
	return r->nkids >= r->opt.max_running;
}

static void child_free(struct child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	free(c->head);
	free(c->tail);
	free(c->unit);
	free(c);
}

/* ---- in the child ---- */

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int s;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	for (long fd = lowfd, max = sysconf(_SC_OPEN_MAX); fd < max && fd < 65536; fd++)
		close((int)fd);
}

static void __attribute__((noreturn))
child_exec(const char *path, char *const *argv, char *const *envp,
	   int out_w, int err_w)
{
	int e, nul, o, w;

	reset_signals();
	setsid();
	o = fcntl(out_w, F_DUPFD, 10);
	w = fcntl(err_w, F_DUPFD_CLOEXEC, 10);
	nul = open("/dev/null", O_RDONLY);
	if (o < 0 || w < 0 || nul < 0 || dup2(nul, 0) < 0 || dup2(o, 1) < 0 ||
	    dup2(o, 2) < 0 || dup3(w, 3, O_CLOEXEC) < 0) {
		e = errno;
		if (write(err_w, &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close_from(4);
	umask(022);
	if (chdir("/") < 0) {
		/* Harmless: the child runs wherever it is. */
	}
	execve(path, argv, envp);
	e = errno;
	if (write(3, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* ---- starting ---- */

struct cmd {
	char *path;		/* what is exec'd */
	char **argv;		/* owned when built for systemd-run */
	char **env;		/* PATH= and the caller's */
	char *unit;
};

static void cmd_free(struct cmd *c)
{
	free(c->path);
	e4err_argv_free(c->argv);
	free(c->env);		/* its strings belong to the spec, except [0] */
	free(c->unit);
}

static errcode_t build_env(const struct e4err_run_spec *spec, struct cmd *c)
{
	const char *const *p;
	size_t n = 0, i = 0;

	for (p = spec->env; p && *p; p++)
		n++;
	c->env = calloc(n + 2, sizeof(*c->env));
	if (!c->env)
		return ENOMEM;
	c->env[i++] = (char *)"PATH=" E4ERR_FIXED_PATH;
	for (p = spec->env; p && *p; p++)
		c->env[i++] = (char *)*p;
	return 0;
}

static errcode_t copy_argv(const char *argv0, const char *const *argv,
			   char ***out)
{
	size_t n = 0, i;
	char **v;

	while (argv[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		v[i] = strdup(i ? argv[i] : argv0);
		if (!v[i]) {
			e4err_argv_free(v);
			return ENOMEM;
		}
	}
	*out = v;
	return 0;
}

/* The command systemd-run gets: the program found, the environment. */
static errcode_t build_sdrun(struct e4err_runner *r,
			     const struct e4err_run_spec *spec, struct cmd *c,
			     const char *prog, uint64_t id)
{
	struct e4err_sdrun run;
	char **cargv = NULL;
	errcode_t retval;

	if (spec->unit)
		c->unit = strdup(spec->unit);
	else if (asprintf(&c->unit, "%s-%d-%" PRIu64, r->unit_prefix,
			  (int)getpid(), id) < 0)
		c->unit = NULL;
	if (!c->unit)
		return ENOMEM;
	retval = copy_argv(prog, spec->argv, &cargv);
	if (retval)
		return retval;
	memset(&run, 0, sizeof(run));
	run.unit = c->unit;
	run.description = spec->description;
	run.argv = (const char *const *)cargv;
	run.env = (const char *const *)c->env;
	run.no_sigkill = spec->repair;
	run.stop_timeout_ms = r->opt.kill_grace_ms;
	run.runtime_max_ms = spec->repair ? 0 : spec->deadline_ms;
	retval = e4err_sdrun_argv(&run, &c->argv);
	e4err_argv_free(cargv);
	if (retval)
		return retval;
	c->path = e4err_find_program("systemd-run");
	return c->path ? 0 : ENOENT;
}

static errcode_t build_cmd(struct e4err_runner *r,
			   const struct e4err_run_spec *spec, struct cmd *c,
			   uint64_t id)
{
	errcode_t retval;
	char *prog;

	memset(c, 0, sizeof(*c));
	if (!spec->argv || !spec->argv[0])
		return EINVAL;
	prog = e4err_find_program(spec->argv[0]);
	if (!prog)
		return ENOENT;
	retval = build_env(spec, c);
	if (!retval && r->opt.systemd && !spec->direct)
		retval = build_sdrun(r, spec, c, prog, id);
	else if (!retval)
		retval = copy_argv(prog, spec->argv, &c->argv);
	if (!retval && !(r->opt.systemd && !spec->direct)) {
		c->path = prog;
		prog = NULL;
	}
	free(prog);
	return retval;
}

/* Fork and exec; *err gets the exec failure, 0 when it ran. */
static errcode_t spawn(const struct cmd *c, pid_t *pid, int *out_fd)
{
	int out[2], ep[2], e = 0;
	ssize_t n;

	if (pipe2(out, O_CLOEXEC) < 0)
		return errno;
	if (pipe2(ep, O_CLOEXEC) < 0) {
		e = errno;
		close(out[0]);
		close(out[1]);
		return e;
	}
	*pid = fork();
	if (*pid == 0)
		child_exec(c->path, c->argv, c->env, out[1], ep[1]);
	if (*pid < 0)
		e = errno;
	close(out[1]);
	close(ep[1]);
	if (*pid > 0) {
		do
			n = read(ep[0], &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		if (n != sizeof(e))
			e = 0;
		if (e)
			waitpid(*pid, NULL, 0);
	}
	close(ep[0]);
	if (e) {
		close(out[0]);
		return e;
	}
	fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
	*out_fd = out[0];
	return 0;
}

static errcode_t add_child(struct e4err_runner *r, struct child *c)
{
	struct child **nk;

	if (r->nkids == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		nk = realloc(r->kids, r->cap * sizeof(*nk));
		if (!nk)
			return ENOMEM;
		r->kids = nk;
	}
	r->kids[r->nkids++] = c;
	return 0;
}

static errcode_t init_buffers(struct child *c, size_t max)
{
	c->tail_cap = max / 4 < TAIL_MAX ? max / 4 : TAIL_MAX;
	c->head_cap = max - c->tail_cap;
	c->head = malloc(c->head_cap + 1);
	c->tail = malloc(c->tail_cap + 1);
	return c->head && c->tail ? 0 : ENOMEM;
}

static void set_deadline(struct e4err_runner *r, struct child *c,
			 const struct e4err_run_spec *spec)
{
	uint64_t d = spec->deadline_ms;

	if (!d)
		return;
	if (c->systemd && !c->repair)
		d += 2 * r->opt.kill_grace_ms + SDRUN_SLACK_MS;
	c->deadline_ms = c->start_ms + d;
}

errcode_t e4err_runner_start(struct e4err_runner *r,
			     const struct e4err_run_spec *spec, uint64_t *id)
{
	struct child *c;
	errcode_t retval;
	struct cmd cmd;

	if (e4err_runner_full(r))
		return E4ERR_RUNNER_FULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->pidfd = c->out_fd = -1;
	c->id = r->next_id++;
	retval = build_cmd(r, spec, &cmd, c->id);
	if (!retval)
		retval = init_buffers(c, spec->output_max);
	if (!retval)
		retval = spawn(&cmd, &c->pid, &c->out_fd);
	if (retval) {
		cmd_free(&cmd);
		child_free(c);
		return retval;
	}
	c->cookie = spec->cookie;
	c->repair = spec->repair;
	c->systemd = r->opt.systemd && !spec->direct;
	c->unit = cmd.unit;
	cmd.unit = NULL;
	cmd_free(&cmd);
	c->pidfd = open_pidfd(c->pid);
	c->start_ms = now_ms();
	set_deadline(r, c, spec);
	retval = add_child(r, c);
	if (retval) {
		/* Cannot track it: stop it rather than lose it. */
		if (!c->repair)
			kill(-c->pid, SIGKILL);
		waitpid(c->pid, NULL, c->repair ? WNOHANG : 0);
		child_free(c);
		return retval;
	}
	if (id)
		*id = c->id;
	return 0;
}

/* ---- output ---- */

static void keep(struct child *c, const char *buf, size_t n)
{
	size_t take, i;

	c->total += n;
	take = c->head_cap - c->head_len;
	if (take > n)
		take = n;
	memcpy(c->head + c->head_len, buf, take);
	c->head_len += take;
	buf += take;
	n -= take;
	if (!c->tail_cap)
		return;
	for (i = n > c->tail_cap ? n - c->tail_cap : 0; i < n; i++) {
		c->tail[(c->tail_pos + c->tail_len) % c->tail_cap] = buf[i];
		if (c->tail_len < c->tail_cap)
			c->tail_len++;
		else
			c->tail_pos = (c->tail_pos + 1) % c->tail_cap;
	}
}

/* Read what the pipe holds now; at EOF close it. */
static void drain(struct child *c)
{
	char buf[16384];
	ssize_t n;

	while (c->out_fd >= 0) {
		n = read(c->out_fd, buf, sizeof(buf));
		if (n > 0) {
			keep(c, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(c->out_fd);
			c->out_fd = -1;
		}
		return;
	}
}

/* Head, a marker if something was dropped, then the tail in order. */
static char *assemble(const struct child *c, size_t *len)
{
	uint64_t dropped = c->total - c->head_len - c->tail_len;
	char *out, marker[96];
	size_t m = 0, o, i;

	if (dropped)
		m = (size_t)snprintf(marker, sizeof(marker),
				     "\n[... %" PRIu64 " bytes of output not kept ...]\n",
				     dropped);
	out = malloc(c->head_len + m + c->tail_len + 1);
	if (!out)
		return NULL;
	memcpy(out, c->head, c->head_len);
	o = c->head_len;
	memcpy(out + o, marker, m);
	o += m;
	for (i = 0; i < c->tail_len; i++)
		out[o++] = c->tail[(c->tail_pos + i) % c->tail_cap];
	out[o] = '\0';
	*len = o;
	return out;
}

/* ---- ending ---- */

/*
 * systemd-run's own status says little (1 for any failure): its closing
 * lines say how the unit's process ended.  Without them, systemd-run
 * failed to run the unit at all.
 */
static void unit_outcome(struct e4err_run_result *res)
{
	bool exited, signaled, timed_out;
	int status, sig;

	if (!res->exited || !e4err_sdrun_outcome(res->output, res->output_len,
						 &exited, &status, &signaled,
						 &sig, &timed_out)) {
		if (res->stopped)
			return;
		res->started = false;
		res->start_error = E4ERR_SYSTEMD_RUN;
		return;
	}
	res->exited = exited;
	res->exit_status = status;
	res->signaled = signaled;
	res->signal = sig;
	if (timed_out)
		res->stopped = true;
}

static void finish(struct e4err_runner *r, struct child *c, int wstatus)
{
	struct e4err_run_result res;
	char *out;

	drain(c);
	memset(&res, 0, sizeof(res));
	res.id = c->id;
	res.cookie = c->cookie;
	res.started = true;
	res.stopped = c->stopped;
	res.overdue = c->overdue;
	res.elapsed_ms = now_ms() - c->start_ms;
	res.unit = c->unit;
	res.exited = WIFEXITED(wstatus);
	res.exit_status = res.exited ? WEXITSTATUS(wstatus) : 0;
	res.signaled = WIFSIGNALED(wstatus);
	res.signal = res.signaled ? WTERMSIG(wstatus) : 0;
	out = assemble(c, &res.output_len);
	res.output = out ? out : "";
	if (!out)
		res.output_len = 0;
	if (c->systemd)
		unit_outcome(&res);
	res.output_total = c->total;
	res.output_truncated = c->total > c->head_len + c->tail_len;
	r->opt.done(r->opt.arg, &res);
	free(out);
}

static void remove_at(struct e4err_runner *r, size_t i)
{
	r->kids[i] = r->kids[--r->nkids];
}

/* Reap child i if it ended: removed, its callback run; true if so. */
static bool try_reap(struct e4err_runner *r, size_t i)
{
	struct child *c = r->kids[i];
	int wstatus;
	pid_t p;

	do
		p = waitpid(c->pid, &wstatus, WNOHANG);
	while (p < 0 && errno == EINTR);
	if (p == 0)
		return false;
	if (p < 0)
		wstatus = 0x7f00;	/* lost (someone else reaped it): status 127 */
	remove_at(r, i);
	finish(r, c, wstatus);
	child_free(c);
	return true;
}

static void signal_group(struct child *c, int sig)
{
	if (kill(-c->pid, sig) < 0)
		kill(c->pid, sig);
}

static void deadlines(struct e4err_runner *r, uint64_t now)
{
	struct child *c;
	size_t i;

	for (i = 0; i < r->nkids; i++) {
		c = r->kids[i];
		if (!c->deadline_ms || now < c->deadline_ms)
			continue;
		if (c->repair) {
			if (!c->overdue && r->opt.overdue)
				r->opt.overdue(r->opt.arg, c->id, c->cookie,
					       now - c->start_ms);
			c->overdue = true;
		} else if (!c->stopped) {
			c->stopped = true;
			c->term_ms = now;
			signal_group(c, SIGTERM);
		} else if (!c->killed && now >= c->term_ms + r->opt.kill_grace_ms) {
			c->killed = true;
			signal_group(c, SIGKILL);
		}
	}
}

size_t e4err_runner_pollfds(const struct e4err_runner *r, struct pollfd *fds,
			    size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < r->nkids; i++) {
		const struct child *c = r->kids[i];

		if (c->pidfd >= 0) {
			if (n < max)
				fds[n] = (struct pollfd){ c->pidfd, POLLIN, 0 };
			n++;
		}
		if (c->out_fd >= 0) {
			if (n < max)
				fds[n] = (struct pollfd){ c->out_fd, POLLIN, 0 };
			n++;
		}
	}
	return n;
}

static void handle_fd(struct e4err_runner *r, const struct pollfd *p)
{
	size_t i;

	for (i = 0; i < r->nkids; i++) {
		struct child *c = r->kids[i];

		if (p->fd == c->out_fd) {
			drain(c);
			return;
		}
		if (p->fd == c->pidfd) {
			try_reap(r, i);
			return;
		}
	}
}

void e4err_runner_process(struct e4err_runner *r, const struct pollfd *fds,
			  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fds[i].fd >= 0 && fds[i].revents)
			handle_fd(r, &fds[i]);
	/* Without a pidfd, look at each such child every time. */
	for (i = 0; i < r->nkids; ) {
		if (r->kids[i]->pidfd < 0 && try_reap(r, i))
			continue;
		i++;
	}
	deadlines(r, now_ms());
}

int e4err_runner_timeout_ms(const struct e4err_runner *r)
{
	uint64_t now = now_ms(), next = UINT64_MAX, t;
	size_t i;

	for (i = 0; i < r->nkids; i++) {
		const struct child *c = r->kids[i];

		if (c->pidfd < 0)
			next = now + E4ERR_RUNNER_POLL_MS < next ?
			       now + E4ERR_RUNNER_POLL_MS : next;
		if (!c->deadline_ms || (c->repair && c->overdue) || c->killed)
			continue;
		t = c->stopped ? c->term_ms + r->opt.kill_grace_ms : c->deadline_ms;
		if (t < next)
			next = t;
	}
	if (next == UINT64_MAX)
		return -1;
	if (next <= now)
		return 0;
	return next - now > 3600000 ? 3600000 : (int)(next - now);
}

errcode_t e4err_runner_stop(struct e4err_runner *r, uint64_t id)
{
	size_t i;

	for (i = 0; i < r->nkids; i++) {
		struct child *c = r->kids[i];

		if (c->id != id)
			continue;
		if (!c->repair && !c->stopped) {
			c->stopped = true;
			c->term_ms = now_ms();
			c->deadline_ms = c->term_ms;
			signal_group(c, SIGTERM);
		}
		return 0;
	}
	return ESRCH;
}

/* Wait up to ms for pid to end; true when reaped. */
static bool reap_within(pid_t pid, uint64_t ms)
{
	uint64_t end = now_ms() + ms;
	struct timespec pause = { 0, 20 * 1000000 };

	do {
		if (waitpid(pid, NULL, WNOHANG) != 0)
			return true;
		nanosleep(&pause, NULL);
	} while (now_ms() < end);
	return false;
}

void e4err_runner_free(struct e4err_runner *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nkids; i++) {
		struct child *c = r->kids[i];

		if (!c->repair) {
			signal_group(c, SIGTERM);
			if (!reap_within(c->pid, r->opt.kill_grace_ms)) {
				signal_group(c, SIGKILL);
				reap_within(c->pid, 1000);
			}
		}
		if (r->opt.drop)
			r->opt.drop(r->opt.arg, c->cookie, c->repair);
		child_free(c);
	}
	free(r->kids);
	free(r->unit_prefix);
	free(r);
}
