/*
 * follow.c --- the live source and the mount table, followed from a poll()
 * loop (follow.h).  Shared by `e4errd watch` and `e4errd daemon`.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include <et/com_err.h>

#include "cmd.h"
#include "decode.h"
#include "e4err_err.h"
#include "follow.h"
#include "format.h"
#include "nls.h"

#define MOUNTINFO_PATH	"/proc/self/mountinfo"
/* Room for one escaped mount point or device path in a message. */
#define ESC_MAX		(4 * PATH_MAX + 1)

/*
 * When to look at the mount table again after an error event, in ms.  The
 * kernel sends the event before it aborts the journal, writes the
 * superblock and sets emergency_ro, and none of that raises POLLPRI: look
 * at once, then a little later, then once more for a slow device.
 */
static const unsigned int recheck_ms[] = { 100, 1000, 10000 };
#define NRECHECK	(sizeof(recheck_ms) / sizeof(recheck_ms[0]))

/* s escaped for a message line (mount points may hold newlines). */
static const char *esc(char *buf, const char *s)
{
	e4err_escape_text(buf, ESC_MAX, s ? s : "", s ? strlen(s) : 0);
	return buf;
}

static void say(struct follow *f, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(struct follow *f, int prio, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	f->ops->say(f->arg, prio, msg);
	free(msg);
}

/* ---- which filesystems ---------------------------------------------------- */

/*
 * At start, the filesystems the paths given lie on; later, one mounted
 * again where such a filesystem was (a device number is reused by other
 * filesystems, a loop device especially, so it does not count then).
 */
static bool wanted(const struct follow *f, const struct e4err_fs *fs,
		   bool at_start)
{
	size_t i, j;

	if (!f->nwant)
		return true;
	for (i = 0; i < f->nwant; i++) {
		if (at_start && f->want_devs[i] == fs->dev)
			return true;
		for (j = 0; !at_start && j < fs->nmounts; j++)
			if (!strcmp(f->want_paths[i], fs->mounts[j].mountpoint))
				return true;
	}
	return false;
}

/* The filesystem path lies on, or an error saying why it cannot be watched. */
static errcode_t find_wanted(const struct follow *f, const char *path,
			     const struct e4err_fs **fs)
{
	struct stat st;

	*fs = NULL;
	if (stat(path, &st))
		return errno;
	/* Not in the table: another type, or 0xEF53 served by the ext2 driver. */
	*fs = e4err_fsmap_find_dev(f->map, st.st_dev);
	return *fs ? 0 : E4ERR_NOT_EXT4;
}

static errcode_t add_wanted(struct follow *f, char **paths, int n)
{
	const struct e4err_fs *fs;
	errcode_t retval;
	int i;

	f->want_paths = calloc((size_t) n, sizeof(*f->want_paths));
	f->want_devs = calloc((size_t) n, sizeof(*f->want_devs));
	if (!f->want_paths || !f->want_devs)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		retval = find_wanted(f, paths[i], &fs);
		if (retval) {
			com_err(program_name, retval, _("while looking at %s"),
				paths[i]);
			return retval;
		}
		f->want_paths[f->nwant] = strdup(fs->mountpoint);
		if (!f->want_paths[f->nwant])
			return ENOMEM;
		f->want_devs[f->nwant++] = fs->dev;
	}
	return 0;
}

/* ---- marks ---------------------------------------------------------------- */

static void say_watching(struct follow *f, const struct e4err_fs *fs,
			 uint32_t group, const char *how)
{
	char a[ESC_MAX], b[ESC_MAX], c[ESC_MAX];

	say(f, LOG_INFO, _("%swatching %s (%s, UUID %s%s%s, group %u)"), how,
	    esc(a, fs->mountpoint), esc(b, fs->devpath),
	    fs->has_uuid ? fs->uuid : _("unknown"),
	    fs->backing_file ? _(", backed by ") : "",
	    fs->backing_file ? esc(c, fs->backing_file) : "", group);
}

/* Mark fs; a filesystem that went away meanwhile is only mentioned. */
static errcode_t start_watching(struct follow *f, const struct e4err_fs *fs,
				const char *how)
{
	char a[ESC_MAX];
	uint32_t group;
	errcode_t retval;

	retval = e4err_source_add(f->src, fs, &group);
	if (!retval) {
		say_watching(f, fs, group, how);
		if (f->ops->added)
			f->ops->added(f->arg, fs, group);
		return 0;
	}
	if (retval == ENOENT || retval == ENODEV ||
	    retval == E4ERR_DEVICE_CHANGED) {
		say(f, LOG_INFO, _("%s went away before it could be watched"),
		    esc(a, fs->mountpoint));
		return 0;
	}
	com_err(program_name, retval, _("while marking %s for error events"),
		fs->mountpoint);
	return retval;
}

/* ---- reading -------------------------------------------------------------- */

/* One read of a group, handed to the caller.  Returns bytes read. */
static size_t read_group(struct follow *f, uint32_t group)
{
	struct e4err_source_data data;
	errcode_t retval;

	retval = e4err_source_read(f->src, group, &data);
	if (retval) {
		com_err(program_name, retval,
			_("while reading events of group %u"), group);
		f->failed = retval;
		return 0;
	}
	if (!data.len)
		return 0;
	retval = f->ops->data(f->arg, &data);
	if (retval)
		f->failed = retval;
	return data.len;
}

/* Groups left with no live mark: read what is queued, then close them. */
static void drain_closing(struct follow *f)
{
	size_t i;
	uint32_t id;
	bool closing;

	for (i = 0; i < e4err_source_ngroups(f->src) && !f->failed; i++) {
		e4err_source_group_fd(f->src, i, &id, &closing);
		if (closing)
			while (read_group(f, id) && !f->failed)
				;
	}
	e4err_source_reap(f->src);
}

/* ---- following mounts ----------------------------------------------------- */

static void say_state(struct follow *f, const struct e4err_fs *old,
		      const struct e4err_fs *fs)
{
	char a[ESC_MAX];

	if (fs->emergency_ro && !old->emergency_ro)
		say(f, LOG_WARNING,
		    _("%s is read-only now (emergency_ro after an error)"),
		    esc(a, fs->mountpoint));
	else if (fs->read_only != old->read_only)
		say(f, LOG_NOTICE, fs->read_only ? _("%s is read-only now") :
		    _("%s is read-write now"), esc(a, fs->mountpoint));
}

static errcode_t apply_change(struct follow *f, const struct e4err_fs_change *c)
{
	char a[ESC_MAX], b[ESC_MAX];

	switch (c->kind) {
	case E4ERR_FS_GONE:
		if (!e4err_source_watches(f->src, c->old->dev))
			return 0;
		e4err_source_forget(f->src, c->old->dev);
		say(f, LOG_INFO, _("%s was unmounted: no longer watched"),
		    esc(a, c->old->mountpoint));
		if (f->ops->gone)
			f->ops->gone(f->arg, c->old);
		return 0;
	case E4ERR_FS_CHANGED:
		if (e4err_source_watches(f->src, c->new->dev)) {
			say_state(f, c->old, c->new);
			if (strcmp(c->old->mountpoint, c->new->mountpoint))
				say(f, LOG_INFO,
				    _("%s is now named by its mount at %s"),
				    esc(a, c->old->mountpoint),
				    esc(b, c->new->mountpoint));
			if (f->ops->changed)
				f->ops->changed(f->arg, c->old, c->new);
			return e4err_source_rename(f->src, c->new->dev,
						   c->new->mountpoint);
		}
		/* Not watched yet: it went away while we tried before. */
		__attribute__((fallthrough));
	case E4ERR_FS_ADDED:
		if (!wanted(f, c->new, false) ||
		    e4err_source_watches(f->src, c->new->dev))
			return 0;
		return start_watching(f, c->new, _("new filesystem: "));
	}
	return 0;
}

static void refresh(struct follow *f)
{
	struct e4err_fsmap *map = NULL;
	struct e4err_fs_change *changes = NULL;
	errcode_t retval;
	size_t i, n = 0;

	f->refresh = false;
	retval = e4err_fsmap_load(f->mountinfo_fd, f->map, &map);
	if (!retval)
		retval = e4err_fsmap_diff(f->map, map, &changes, &n);
	if (retval) {
		com_err(program_name, retval, _("while reading %s"),
			MOUNTINFO_PATH);
		e4err_fsmap_free(map);
		f->failed = retval;
		return;
	}
	for (i = 0; i < n && !retval; i++)
		retval = apply_change(f, &changes[i]);
	free(changes);
	e4err_fsmap_free(f->map);
	f->map = map;
	if (retval)
		f->failed = retval;
	else
		drain_closing(f);
}

/* ---- re-reading the mount table after errors ------------------------------ */

/* Arm the timer for step f->recheck of the schedule; disarm past its end. */
static void arm_recheck(struct follow *f)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	unsigned int ms;

	if (f->recheck < NRECHECK) {
		ms = recheck_ms[f->recheck] -
			(f->recheck ? recheck_ms[f->recheck - 1] : 0);
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (long) (ms % 1000) * 1000000L;
	}
	if (timerfd_settime(f->timer_fd, 0, &its, NULL))
		com_err(program_name, errno, _("while arming a timer"));
}

/* The timer fired: look again, and wait for the next step. */
static void recheck_due(struct follow *f)
{
	uint64_t expirations;

	if (read(f->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	f->refresh = true;
	f->recheck++;
	arm_recheck(f);
	if (f->ops->recheck)
		f->ops->recheck(f->arg);
}

void follow_error_seen(struct follow *f)
{
	f->refresh = f->error_seen = true;
}

void follow_refresh_soon(struct follow *f)
{
	f->refresh = true;
}

/* ---- set-up --------------------------------------------------------------- */

/* Probe through a filesystem we are about to watch, "/" if none yet. */
static const char *probe_path(const struct follow *f)
{
	size_t i;

	for (i = 0; i < f->map->nfs; i++)
		if (wanted(f, &f->map->fs[i], true))
			return f->map->fs[i].mountpoint;
	return "/";
}

errcode_t follow_start(struct follow *f)
{
	enum e4err_abi abi;
	char why[256];
	errcode_t retval;
	size_t i, n;

	retval = e4err_source_probe(probe_path(f), &abi, why, sizeof(why));
	if (retval) {
		com_err(program_name, retval, _("while probing for error "
			"events: %s"), why);
		return retval;
	}
	say(f, LOG_INFO, _("using %s"), why);
	retval = e4err_source_open(abi, &f->src);
	if (retval) {
		com_err(program_name, retval, _("while setting up the %s "
			"event source"), e4err_abi_name(abi));
		return retval;
	}
	for (i = 0; i < f->map->nfs && !retval; i++)
		if (wanted(f, &f->map->fs[i], true))
			retval = start_watching(f, &f->map->fs[i], "");
	if (retval)
		return retval;
	n = e4err_source_nmarks(f->src);
	if (!f->nwant)
		say(f, LOG_INFO,
		    P_("ready: %zu filesystem watched, following mounts",
		       "ready: %zu filesystems watched, following mounts", n), n);
	else
		say(f, LOG_INFO, P_("ready: %zu filesystem watched",
				    "ready: %zu filesystems watched", n), n);
	return 0;
}

errcode_t follow_setup(struct follow *f, const struct follow_ops *ops,
		       void *arg, char **paths, int npaths)
{
	errcode_t retval;

	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->arg = arg;
	f->timer_fd = -1;
	f->mountinfo_fd = open(MOUNTINFO_PATH, O_RDONLY | O_CLOEXEC);
	if (f->mountinfo_fd < 0) {
		retval = errno;
		com_err(program_name, retval, _("while opening %s"),
			MOUNTINFO_PATH);
		return retval;
	}
	retval = e4err_fsmap_load(f->mountinfo_fd, NULL, &f->map);
	if (retval) {
		com_err(program_name, retval, _("while reading %s"),
			MOUNTINFO_PATH);
		return retval;
	}
	if (npaths && (retval = add_wanted(f, paths, npaths)))
		return retval;
	f->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (f->timer_fd < 0) {
		retval = errno;
		com_err(program_name, retval, _("while creating a timer"));
	}
	return retval;
}

void follow_cleanup(struct follow *f)
{
	size_t i;

	e4err_source_close(f->src);
	f->src = NULL;
	e4err_fsmap_free(f->map);
	f->map = NULL;
	for (i = 0; i < f->nwant; i++)
		free(f->want_paths[i]);
	free(f->want_paths);
	free(f->want_devs);
	f->want_paths = NULL;
	f->want_devs = NULL;
	f->nwant = 0;
	if (f->mountinfo_fd >= 0)
		close(f->mountinfo_fd);
	if (f->timer_fd >= 0)
		close(f->timer_fd);
	f->mountinfo_fd = f->timer_fd = -1;
}

/* ---- the loop's part ------------------------------------------------------ */

size_t follow_fill(struct follow *f, struct pollfd *pfd, uint32_t *ids,
		   size_t max)
{
	size_t i, n = FOLLOW_FIXED_FDS;

	if (max < FOLLOW_FIXED_FDS)
		return 0;
	pfd[0] = (struct pollfd) { .fd = f->mountinfo_fd, .events = POLLPRI };
	pfd[1] = (struct pollfd) { .fd = f->timer_fd, .events = POLLIN };
	ids[0] = ids[1] = 0;
	for (i = 0; f->src && i < e4err_source_ngroups(f->src) && n < max;
	     i++, n++) {
		pfd[n].fd = e4err_source_group_fd(f->src, i, &ids[n], NULL);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
	}
	return n;
}

void follow_dispatch(struct follow *f, const struct pollfd *pfd,
		     const uint32_t *ids, size_t n)
{
	size_t i;

	/* Events first: they may belong to a filesystem about to go. */
	for (i = FOLLOW_FIXED_FDS; i < n && !f->failed; i++)
		if (pfd[i].revents)
			read_group(f, ids[i]);
	if (n > 0 && pfd[0].revents)
		f->refresh = true;
	if (n > 1 && pfd[1].revents)
		recheck_due(f);
	/* Draining a closing group may ask for another look. */
	while (f->refresh && !f->failed)
		refresh(f);
	if (f->error_seen) {
		f->error_seen = false;
		f->recheck = 0;
		arm_recheck(f);
	}
}

const struct e4err_fs *follow_find(const struct follow *f, dev_t dev)
{
	return f->map ? e4err_fsmap_find_dev(f->map, dev) : NULL;
}
