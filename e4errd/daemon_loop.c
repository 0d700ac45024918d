/*
 * daemon_loop.c --- the daemon's one poll() loop.
 *
 * It sleeps until something happens: a signal (signalfd), a kernel log
 * record, a mount or unmount, an error event, an error counter changing
 * (sysfs_notify gives POLLPRI|POLLERR), an inspection child writing its
 * result or ending, a stuck child finally exiting (pidfd).  Timeouts exist
 * only while work waits: an inspection's deadline, the after-error looks
 * at the mount table and counters, enrich's settle times and superblock
 * reads, a log line waiting for its pieces, a metrics or status rewrite, a
 * retry of the state directory while spooling.  Idle, it never wakes.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "e4err_err.h"
#include "nls.h"

/* What a poll slot is for. */
enum slot_kind {
	SLOT_SIGNAL, SLOT_KMSG, SLOT_FOLLOW, SLOT_COUNTER, SLOT_CHILD,
	SLOT_ZOMBIE
};

struct slots {
	struct pollfd *pfd;
	enum slot_kind *kind;
	void **ptr;
	uint32_t *ids;		/* follow.c's group ids, for its slots */
	size_t n, cap, follow_first, nfollow;
};

static bool slots_grow(struct slots *s, size_t need)
{
	size_t cap = s->cap ? s->cap : 64;
	struct pollfd *pfd;
	enum slot_kind *kind;
	void **ptr;
	uint32_t *ids;

	if (need <= s->cap)
		return true;
	while (cap < need)
		cap *= 2;
	pfd = realloc(s->pfd, cap * sizeof(*pfd));
	if (pfd)
		s->pfd = pfd;
	kind = realloc(s->kind, cap * sizeof(*kind));
	if (kind)
		s->kind = kind;
	ptr = realloc(s->ptr, cap * sizeof(*ptr));
	if (ptr)
		s->ptr = ptr;
	ids = realloc(s->ids, cap * sizeof(*ids));
	if (ids)
		s->ids = ids;
	if (!pfd || !kind || !ptr || !ids)
		return false;
	s->cap = cap;
	return true;
}

static void slot_add(struct slots *s, int fd, short events,
		     enum slot_kind kind, void *ptr)
{
	s->pfd[s->n] = (struct pollfd) { .fd = fd, .events = events };
	s->kind[s->n] = kind;
	s->ptr[s->n++] = ptr;
}

static bool fill(struct daemon *d, struct slots *s)
{
	size_t i, need;

	need = 2 + FOLLOW_FIXED_FDS + FOLLOW_MAX_GROUPS + d->nfs +
		DAEMON_MAX_INSPECTIONS + d->nzombies;
	if (!slots_grow(s, need))
		return false;
	s->n = 0;
	slot_add(s, d->signal_fd, POLLIN, SLOT_SIGNAL, NULL);
	/* Always a slot (fd -1 when unread): follow's start where it says. */
	slot_add(s, d->km ? e4err_kmsg_fd(d->km) : -1, POLLIN, SLOT_KMSG, NULL);
	s->follow_first = s->n;
	s->nfollow = follow_fill(&d->follow, s->pfd + s->n, s->ids + s->n,
				 FOLLOW_FIXED_FDS + FOLLOW_MAX_GROUPS);
	for (i = 0; i < s->nfollow; i++)
		s->kind[s->n + i] = SLOT_FOLLOW;
	s->n += s->nfollow;
	for (i = 0; i < d->nfs; i++)
		if (d->fs[i]->errors_fd >= 0)
			slot_add(s, d->fs[i]->errors_fd, POLLPRI, SLOT_COUNTER,
				 d->fs[i]);
	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		if (d->run[i].active && d->run[i].child.fd >= 0)
			slot_add(s, d->run[i].child.fd, POLLIN, SLOT_CHILD,
				 &d->run[i]);
	for (i = 0; i < d->nzombies; i++)
		if (d->zombies[i].pidfd >= 0)
			slot_add(s, d->zombies[i].pidfd, POLLIN, SLOT_ZOMBIE,
				 (void *) (uintptr_t) d->zombies[i].pid);
	return true;
}

/* ---- timeouts ------------------------------------------------------------- */

static void earliest(uint64_t *due, uint64_t t)
{
	if (!*due || t < *due)
		*due = t;
}

/* Milliseconds until the first pending piece of work, -1 when none waits. */
static int timeout_ms(struct daemon *d)
{
	uint64_t due = 0, now = mono_ms();
	size_t i;

	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		if (d->run[i].active)
			earliest(&due, d->run[i].deadline_ms);
	if (d->metrics_dirty && d->cfg.daemon.metrics_file[0])
		earliest(&due, d->metrics_last_ms + DAEMON_METRICS_MIN_MS);
	if (d->spooling)
		earliest(&due, d->spool_retry_ms);
	for (i = 0; i < d->nzombies; i++)
		if (d->zombies[i].pidfd < 0)
			earliest(&due, now + 1000);
	if (daemon_enrich_due(d))
		earliest(&due, daemon_enrich_due(d));
	if (!due)
		return -1;
	if (due <= now)
		return 0;
	return due - now > INT_MAX ? INT_MAX : (int) (due - now);
}

static void timers(struct daemon *d)
{
	uint64_t now = mono_ms();
	size_t i;

	daemon_inspect_deadlines(d, now);
	daemon_metrics(d, false);
	if (d->spooling && d->spool_retry_ms <= now)
		daemon_spool_check(d);
	for (i = d->nzombies; i-- > 0;)
		if (d->zombies[i].pidfd < 0)
			daemon_inspect_reap(d, &d->zombies[i]);
	daemon_enrich_timers(d);
}

/* ---- the state directory -------------------------------------------------- */

/*
 * The state directory is the one opened at start.  While its filesystem
 * is unmounted for repair, the path leads to the directory underneath, or
 * nowhere (and the store would create it there): merging then would
 * scatter the findings.  Mounted again, it is the same directory (inode)
 * on the same filesystem -- the same device, or for a loop device that
 * changed, the same fsid (ext4 derives it from the UUID).
 */
static bool state_dir_back(struct daemon *d)
{
	struct statfs sfs;
	struct stat st;

	if (stat(d->state_dir, &st))
		return false;
	if (!d->has_state_id)
		return true;
	if (st.st_ino != d->state_ino)
		return false;
	return st.st_dev == d->state_dev ||
		(!statfs(d->state_dir, &sfs) &&
		 !memcmp(&sfs.f_fsid, d->state_fsid, sizeof(d->state_fsid)));
}

/*
 * After a write, and on retries while spooling: say when the store moved
 * to the spool, and try to move the spool home once the state directory
 * may be writable again.
 */
void daemon_spool_check(struct daemon *d)
{
	struct e4err_store_info info;
	uint64_t merged = 0;
	errcode_t retval;

	e4err_store_get_info(d->store, &info);
	if (!info.spooling) {
		d->spooling = false;
		return;
	}
	if (!d->spooling) {
		d->spooling = true;
		d->spool_retry_ms = mono_ms() + DAEMON_SPOOL_RETRY_MS;
		return;
	}
	if (d->spool_retry_ms > mono_ms())
		return;
	d->spool_retry_ms = mono_ms() + DAEMON_SPOOL_RETRY_MS;
	if (!state_dir_back(d))
		return;
	retval = e4err_store_try_merge_spool(d->store, &merged);
	if (!retval) {
		d->spooling = false;
		dlog(LOG_NOTICE, _("the state directory %s is writable again: "
		     "%llu spooled events merged back"), info.db_path,
		     (unsigned long long) merged);
		d->metrics_dirty = true;
	} else if (retval != E4ERR_STORE_SPOOLING) {
		com_err(program_name, retval, _("while merging the spool %s"),
			info.spool_path);
	}
}

/* ---- signals -------------------------------------------------------------- */

static void signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			daemon_reload(d);
			break;
		case SIGTERM:
		case SIGINT:
			dlog(LOG_INFO, _("stopping on signal %u"), si.ssi_signo);
			d->stop = true;
			break;
		default:
			break;
		}
	}
}

/* ---- the loop ------------------------------------------------------------- */

static bool still_there(const struct daemon *d, const void *fs)
{
	size_t i;

	for (i = 0; i < d->nfs; i++)
		if (d->fs[i] == fs)
			return true;
	return false;
}

static void dispatch(struct daemon *d, struct slots *s)
{
	size_t i;

	if (s->pfd[0].revents)
		signals(d);
	/* The log before events: the lines printed before an event are in. */
	if (s->pfd[1].revents)
		daemon_kmsg_drain(d);
	/* Events before counters: a rise is explained by what was sent. */
	follow_dispatch(&d->follow, s->pfd + s->follow_first,
			s->ids + s->follow_first, s->nfollow);
	for (i = s->follow_first + s->nfollow; i < s->n; i++) {
		if (!s->pfd[i].revents)
			continue;
		switch (s->kind[i]) {
		case SLOT_COUNTER:
			/* follow_dispatch() may have dropped it meanwhile. */
			if (still_there(d, s->ptr[i]))
				daemon_counters_check(d, s->ptr[i]);
			break;
		case SLOT_CHILD:
			if (((struct daemon_run *) s->ptr[i])->active)
				daemon_inspect_collect(d, s->ptr[i]);
			break;
		case SLOT_ZOMBIE: {
			pid_t pid = (pid_t) (uintptr_t) s->ptr[i];
			size_t z;

			for (z = 0; z < d->nzombies; z++)
				if (d->zombies[z].pid == pid) {
					daemon_inspect_reap(d, &d->zombies[z]);
					break;
				}
			break;
		}
		default:
			break;
		}
	}
}

void daemon_loop(struct daemon *d)
{
	struct slots s = { 0 };

	while (!d->stop && !d->failed && !d->follow.failed) {
		if (!fill(d, &s)) {
			d->failed = ENOMEM;
			com_err(program_name, ENOMEM, _("while waiting for events"));
			break;
		}
		if (poll(s.pfd, s.n, timeout_ms(d)) < 0) {
			if (errno == EINTR)
				continue;
			d->failed = errno;
			com_err(program_name, errno, _("while waiting for events"));
			break;
		}
		dispatch(d, &s);
		timers(d);
	}
	if (!d->failed)
		d->failed = d->follow.failed;
	free(s.pfd);
	free(s.kind);
	free(s.ptr);
	free(s.ids);
}
