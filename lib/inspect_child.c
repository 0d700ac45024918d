/*
 * inspect_child.c --- running an inspection in a child process with a
 * deadline.
 *
 * Reading a sick device can block in uninterruptible I/O for as long as
 * the device likes; only a process can be abandoned in that state.  The
 * child inspects and writes the plain-data result struct into a pipe; the
 * parent reads it without blocking.  A child that dies by a signal (a
 * libext2fs accessor dereferencing NULL after a read error, say) or that
 * misses its deadline gives an inconclusive verdict, never a hang.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "e4err_err.h"
#include "inspect.h"
#include "nls.h"

static int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	return -1;
#endif
}

static void write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void __attribute__((noreturn))
child_main(const struct e4err_inspect_request *req, int fd)
{
	struct e4err_inspection *r = calloc(1, sizeof(*r));

	signal(SIGPIPE, SIG_DFL);
	if (r && !e4err_inspect(req, r))
		write_all(fd, r, sizeof(*r));
	_exit(0);
}

errcode_t e4err_inspect_start(const struct e4err_inspect_request *req,
			      struct e4err_inspect_child *child)
{
	int p[2];

	memset(child, 0, sizeof(*child));
	child->pidfd = child->fd = -1;
	child->pid = -1;
	child->buf = malloc(sizeof(struct e4err_inspection));
	if (!child->buf)
		return ENOMEM;
	if (pipe2(p, O_CLOEXEC) < 0) {
		free(child->buf);
		child->buf = NULL;
		return errno;
	}
	child->pid = fork();
	if (child->pid < 0) {
		int err = errno;

		close(p[0]);
		close(p[1]);
		free(child->buf);
		child->buf = NULL;
		return err;
	}
	if (child->pid == 0) {
		close(p[0]);
		child_main(req, p[1]);
	}
	close(p[1]);
	child->fd = p[0];
	fcntl(child->fd, F_SETFL, fcntl(child->fd, F_GETFL) | O_NONBLOCK);
	child->pidfd = open_pidfd(child->pid);
	return 0;
}

static void inconclusive(struct e4err_inspection *out, errcode_t err,
			 const char *reason)
{
	memset(out, 0, sizeof(*out));
	out->verdict = E4ERR_VERDICT_INCONCLUSIVE;
	out->errcode = err;
	snprintf(out->reason, sizeof(out->reason), "%s", reason);
}

/* The result came from our own child, but a garbled one must not mislead. */
static bool sane(struct e4err_inspection *r)
{
	uint32_t i;

	if ((unsigned int)r->verdict > E4ERR_VERDICT_STALE ||
	    r->nfindings > E4ERR_INSPECT_MAX_FINDINGS)
		return false;
	r->reason[sizeof(r->reason) - 1] = 0;
	r->device[sizeof(r->device) - 1] = 0;
	r->truncated_what[sizeof(r->truncated_what) - 1] = 0;
	for (i = 0; i < r->nfindings; i++) {
		r->findings[i].code[sizeof(r->findings[i].code) - 1] = 0;
		r->findings[i].object[sizeof(r->findings[i].object) - 1] = 0;
		r->findings[i].message[sizeof(r->findings[i].message) - 1] = 0;
	}
	return true;
}

/* Reap a child that has closed its end: it is exiting, give it a moment. */
static bool reap(struct e4err_inspect_child *child, int *status)
{
	int i;

	for (i = 0; i < 200; i++) {
		pid_t r = waitpid(child->pid, status, WNOHANG);

		if (r == child->pid || (r < 0 && errno != EINTR)) {
			child->reaped = true;
			return r == child->pid;
		}
		usleep(1000);
	}
	return false;
}

static void finish(struct e4err_inspect_child *child,
		   struct e4err_inspection *out)
{
	char why[160];
	int status = 0;
	bool got_status;

	close(child->fd);
	child->fd = -1;
	got_status = reap(child, &status);
	if (child->got == sizeof(*out)) {
		memcpy(out, child->buf, sizeof(*out));
		if (!sane(out))
			inconclusive(out, E4ERR_INSPECT_FAILED,
				     _("the inspector returned a garbled result"));
	} else if (got_status && WIFSIGNALED(status)) {
		snprintf(why, sizeof(why),
			 _("the inspector was killed by signal %d (%s)"),
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
		inconclusive(out, E4ERR_INSPECT_FAILED, why);
	} else {
		inconclusive(out, E4ERR_INSPECT_FAILED,
			     _("the inspector ended without a result"));
	}
	free(child->buf);
	child->buf = NULL;
}

errcode_t e4err_inspect_collect(struct e4err_inspect_child *child,
				struct e4err_inspection *out, bool *done)
{
	size_t want = sizeof(struct e4err_inspection);
	ssize_t n;

	*done = false;
	if (child->fd < 0 || !child->buf)
		return EINVAL;
	for (;;) {
		if (child->got < want) {
			n = read(child->fd, child->buf + child->got, want - child->got);
		} else {
			unsigned char extra;

			n = read(child->fd, &extra, 1);
			if (n > 0)
				continue;	/* more than a result: ignore it */
		}
		if (n > 0) {
			child->got += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		break;	/* EOF or error: the child is done */
	}
	finish(child, out);
	*done = true;
	return 0;
}

void e4err_inspect_abandon(struct e4err_inspect_child *child,
			   struct e4err_inspection *out, const char *reason)
{
	int status;

	if (child->pid > 0) {
		kill(child->pid, SIGKILL);
		/* A child in D state dies when its I/O ends: reap it later. */
		child->reaped = waitpid(child->pid, &status, WNOHANG) == child->pid;
	}
	if (child->fd >= 0)
		close(child->fd);
	child->fd = -1;
	free(child->buf);
	child->buf = NULL;
	inconclusive(out, E4ERR_DEADLINE, reason);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

errcode_t e4err_inspect_run(const struct e4err_inspect_request *req,
			    unsigned int deadline_ms,
			    struct e4err_inspection *out)
{
	struct e4err_inspect_child child;
	long long end = now_ms() + deadline_ms, left;
	struct pollfd pfd;
	char why[160];
	errcode_t err;
	bool done = false;

	err = e4err_inspect_start(req, &child);
	if (err)
		return err;
	while (!done) {
		left = end - now_ms();
		if (left <= 0) {
			snprintf(why, sizeof(why),
				 _("deadline of %u ms passed: the device did not answer in time"),
				 deadline_ms);
			e4err_inspect_abandon(&child, out, why);
			break;
		}
		pfd.fd = child.fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			e4err_inspect_abandon(&child, out, strerror(errno));
			break;
		}
		err = e4err_inspect_collect(&child, out, &done);
		if (err)
			break;
	}
	if (child.pidfd >= 0)
		close(child.pidfd);
	if (out->verdict == E4ERR_VERDICT_INCONCLUSIVE && !out->device[0])
		snprintf(out->device, sizeof(out->device), "%s", req->device);
	return err;
}
