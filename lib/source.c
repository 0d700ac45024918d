/*
 * source.c --- fanotify groups and marks for filesystem error events.
 *
 * The two kernel ABIs collide (DESIGN.md): the RFC's FAN_PREALLOC_QUEUE
 * (0x80) is mainline's FAN_REPORT_PIDFD, and its FAN_ERROR (0x00100000) is
 * mainline's FAN_PRE_ACCESS.  Every group here is created with
 * FAN_CLASS_NOTIF, so no mark placed on it can ever be a blocking
 * permission watch, whichever kernel runs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#include "source.h"
#include "e4err_err.h"
#include "nls.h"

#ifndef FAN_REPORT_FID
#define FAN_REPORT_FID		0x00000200
#endif
#ifndef FAN_MARK_FILESYSTEM
#define FAN_MARK_FILESYSTEM	0x00000100
#endif
#define RFC_FAN_PREALLOC_QUEUE	0x00000080

#define RFC_INIT_FLAGS	(FAN_CLASS_NOTIF | RFC_FAN_PREALLOC_QUEUE)
#define MAINLINE_INIT_FLAGS	(FAN_CLASS_NOTIF | FAN_REPORT_FID)
#define MARK_FLAGS	(FAN_MARK_ADD | FAN_MARK_FILESYSTEM)
#define BUF_SIZE	(E4ERR_SOURCE_READ_COUNT + E4ERR_SOURCE_SLACK)
/*
 * A group stops taking new marks once it holds this many gone ones, so it
 * is closed (dropping them) when its last live filesystem goes: the memory
 * a long run of mounts and unmounts costs stays bounded.
 */
#define MAX_GONE	64

struct group {
	uint32_t id;
	int fd;
	bool closing;
	struct e4err_source_mark *marks;
	size_t nmarks;
};

struct e4err_source {
	enum e4err_abi abi;
	struct group *groups;
	size_t ngroups;
	unsigned char *buf;	/* BUF_SIZE bytes, mlock'd and pre-faulted */
	bool locked;
};

/* ---- probe --------------------------------------------------------------- */

static const char *kernel_release(struct utsname *u)
{
	return uname(u) ? "?" : u->release;
}

/*
 * True on the RFC kernel.  Mainline refuses 0x80 before 5.15 and then the
 * mark of 0x00100000 on a notification-class group (EINVAL), so only a
 * kernel that knows FAN_ERROR gets this far.
 */
static bool probe_rfc(const char *path)
{
	int fd, r;

	/* Notification class: 0x00100000 can never be a pre-access watch. */
	fd = fanotify_init(RFC_INIT_FLAGS | FAN_CLOEXEC, O_RDONLY);
	if (fd < 0)
		return false;
	r = fanotify_mark(fd, MARK_FLAGS, E4ERR_RFC_FAN_ERROR, AT_FDCWD, path);
	close(fd);
	return r == 0;
}

/*
 * 0 when FAN_FS_ERROR is there.  The kernel checks the mask before it looks
 * at the path, so any error but EINVAL from the mark (a probe path without
 * fsid or file handles) still means the event is known.
 */
static errcode_t probe_mainline(const char *path, const char *rel,
				char *why, size_t whylen)
{
	int fd, r, err;

	fd = fanotify_init(MAINLINE_INIT_FLAGS | FAN_CLOEXEC, O_RDONLY);
	if (fd < 0) {
		err = errno;
		if (err == ENOSYS)
			snprintf(why, whylen, _("Linux %s has no fanotify"), rel);
		else if (err == EINVAL)
			snprintf(why, whylen, _("Linux %s lacks FAN_REPORT_FID "
				 "(Linux 5.1) and the RFC FAN_ERROR event"), rel);
		else if (err == EPERM)
			snprintf(why, whylen, _("fanotify_init needs "
				 "CAP_SYS_ADMIN on Linux %s"), rel);
		else
			snprintf(why, whylen, _("fanotify_init: %s"),
				 strerror(err));
		return err == EINVAL || err == ENOSYS ? E4ERR_NO_ERROR_ABI :
			(errcode_t) err;
	}
	r = fanotify_mark(fd, MARK_FLAGS, FAN_FS_ERROR, AT_FDCWD, path);
	err = r ? errno : 0;
	close(fd);
	if (err == EINVAL) {
		snprintf(why, whylen, _("Linux %s lacks FAN_FS_ERROR "
			 "(Linux 5.16) and the RFC FAN_ERROR event"), rel);
		return E4ERR_NO_ERROR_ABI;
	}
	if (err == EPERM) {
		snprintf(why, whylen, _("marking a whole filesystem (%s) "
			 "needs CAP_SYS_ADMIN"), path);
		return (errcode_t) err;
	}
	snprintf(why, whylen, _("Linux %s: mainline FAN_FS_ERROR events"), rel);
	return 0;
}

errcode_t e4err_source_probe(const char *path, enum e4err_abi *abi,
			     char *why, size_t whylen)
{
	struct utsname u;
	const char *rel = kernel_release(&u);
	errcode_t retval;

	*abi = E4ERR_ABI_NONE;
	if (probe_rfc(path)) {
		snprintf(why, whylen, _("Linux %s: RFC FAN_ERROR events"), rel);
		*abi = E4ERR_ABI_RFC;
		return 0;
	}
	retval = probe_mainline(path, rel, why, whylen);
	if (!retval)
		*abi = E4ERR_ABI_MAINLINE;
	return retval;
}

/* ---- groups and marks ------------------------------------------------------ */

errcode_t e4err_source_open(enum e4err_abi abi, struct e4err_source **out)
{
	struct e4err_source *src;

	*out = NULL;
	if (abi != E4ERR_ABI_RFC && abi != E4ERR_ABI_MAINLINE)
		return E4ERR_BAD_ABI;
	src = calloc(1, sizeof(*src));
	if (!src)
		return ENOMEM;
	src->abi = abi;
	src->buf = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (src->buf == MAP_FAILED) {
		free(src);
		return ENOMEM;
	}
	src->locked = mlock(src->buf, BUF_SIZE) == 0;
	if (!src->locked && abi == E4ERR_ABI_RFC) {
		/* An RFC read into a page that is not resident loses the event. */
		int err = errno;

		munmap(src->buf, BUF_SIZE);
		free(src);
		return (errcode_t) err;
	}
	memset(src->buf, 0, BUF_SIZE);	/* fault every page in now */
	*out = src;
	return 0;
}

enum e4err_abi e4err_source_abi(const struct e4err_source *src)
{
	return src->abi;
}

static void group_free(struct group *g)
{
	size_t i;

	if (g->fd >= 0)
		close(g->fd);
	for (i = 0; i < g->nmarks; i++) {
		free(g->marks[i].mountpoint);
		free(g->marks[i].device);
	}
	free(g->marks);
}

void e4err_source_close(struct e4err_source *src)
{
	size_t i;

	if (!src)
		return;
	for (i = 0; i < src->ngroups; i++)
		group_free(&src->groups[i]);
	free(src->groups);
	if (src->locked)
		munlock(src->buf, BUF_SIZE);
	munmap(src->buf, BUF_SIZE);
	free(src);
}

static size_t group_ngone(const struct group *g)
{
	size_t i, n = 0;

	for (i = 0; i < g->nmarks; i++)
		n += g->marks[i].gone;
	return n;
}

static bool group_has_fsid(const struct group *g, const uint32_t fsid[2])
{
	size_t i;

	for (i = 0; i < g->nmarks; i++)
		if (!memcmp(g->marks[i].fsid, fsid, sizeof(g->marks[i].fsid)))
			return true;
	return false;
}

static struct group *find_group(struct e4err_source *src, uint32_t id)
{
	size_t i;

	for (i = 0; i < src->ngroups; i++)
		if (src->groups[i].id == id)
			return &src->groups[i];
	return NULL;
}

/* The lowest id no group uses, so a lone group is always group 0. */
static uint32_t free_group_id(struct e4err_source *src)
{
	uint32_t id = 0;

	while (find_group(src, id))
		id++;
	return id;
}

static errcode_t new_group(struct e4err_source *src, struct group **out)
{
	unsigned int flags = src->abi == E4ERR_ABI_RFC ? RFC_INIT_FLAGS :
		MAINLINE_INIT_FLAGS;
	struct group *n;
	int fd;

	fd = fanotify_init(flags | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY);
	if (fd < 0)
		return errno;
	n = realloc(src->groups, (src->ngroups + 1) * sizeof(*n));
	if (!n) {
		close(fd);
		return ENOMEM;
	}
	src->groups = n;
	*out = &n[src->ngroups];
	**out = (struct group) { .id = free_group_id(src), .fd = fd };
	src->ngroups++;
	return 0;
}

/* A group this fsid can join without two marks sharing it there. */
static struct group *group_for_fsid(struct e4err_source *src,
				    const uint32_t fsid[2])
{
	struct group *best = NULL;
	size_t i;

	for (i = 0; i < src->ngroups; i++) {
		struct group *g = &src->groups[i];

		if (g->closing || group_has_fsid(g, fsid) ||
		    group_ngone(g) >= MAX_GONE)
			continue;
		if (!best || g->id < best->id)
			best = g;
	}
	return best;
}

static void drop_group(struct e4err_source *src, struct group *g)
{
	size_t i = (size_t) (g - src->groups);

	group_free(g);
	memmove(&src->groups[i], &src->groups[i + 1],
		(src->ngroups - i - 1) * sizeof(*g));
	src->ngroups--;
}

static errcode_t push_mark(struct group *g, const struct e4err_fs *fs,
			   const uint32_t fsid[2])
{
	struct e4err_source_mark *n, *m;

	n = realloc(g->marks, (g->nmarks + 1) * sizeof(*n));
	if (!n)
		return ENOMEM;
	g->marks = n;
	m = &n[g->nmarks];
	memset(m, 0, sizeof(*m));
	m->dev = fs->dev;
	memcpy(m->fsid, fsid, sizeof(m->fsid));
	m->mountpoint = strdup(fs->mountpoint);
	m->device = strdup(fs->devpath ? fs->devpath : fs->source);
	if (!m->mountpoint || !m->device) {
		free(m->mountpoint);
		free(m->device);
		return ENOMEM;
	}
	g->nmarks++;
	return 0;
}

/* Open the mount point and check it still leads to fs; read its fsid. */
static errcode_t open_fs_root(const struct e4err_fs *fs, int *fdp,
			      uint32_t fsid[2])
{
	struct statfs sfs;
	struct stat st;
	int fd, err;

	if (!fs->mountpoint)
		return ENOENT;
	fd = open(fs->mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) || fstatfs(fd, &sfs)) {
		err = errno;
		close(fd);
		return err;
	}
	if (st.st_dev != fs->dev) {
		close(fd);
		return E4ERR_DEVICE_CHANGED;
	}
	if (sfs.f_type != E4ERR_EXT4_SUPER_MAGIC) {
		close(fd);
		return E4ERR_NOT_EXT4;
	}
	memcpy(fsid, &sfs.f_fsid, 2 * sizeof(uint32_t));
	*fdp = fd;
	return 0;
}

errcode_t e4err_source_add(struct e4err_source *src, const struct e4err_fs *fs,
			   uint32_t *group_id)
{
	uint64_t mask = src->abi == E4ERR_ABI_RFC ? E4ERR_RFC_FAN_ERROR :
		FAN_FS_ERROR;
	uint32_t fsid[2];
	struct group *g;
	bool fresh = false, marked = false;
	errcode_t retval;
	int fd;

	retval = open_fs_root(fs, &fd, fsid);
	if (retval)
		return retval;
	g = group_for_fsid(src, fsid);
	if (!g) {
		retval = new_group(src, &g);
		fresh = !retval;
	}
	if (!retval) {
		if (fanotify_mark(g->fd, MARK_FLAGS, mask, fd, NULL))
			retval = errno;
		else
			marked = true;
	}
	if (!retval)
		retval = push_mark(g, fs, fsid);
	/* A mark placed but not recorded would be unattributable: undo it. */
	if (retval && fresh)
		drop_group(src, g);
	else if (retval && marked)
		fanotify_mark(g->fd, FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM,
			      mask, fd, NULL);
	close(fd);
	if (retval)
		return retval;
	*group_id = g->id;
	return 0;
}

bool e4err_source_watches(const struct e4err_source *src, dev_t dev)
{
	size_t i, j;

	for (i = 0; i < src->ngroups; i++)
		for (j = 0; j < src->groups[i].nmarks; j++)
			if (src->groups[i].marks[j].dev == dev &&
			    !src->groups[i].marks[j].gone)
				return true;
	return false;
}

errcode_t e4err_source_rename(struct e4err_source *src, dev_t dev,
			      const char *mountpoint)
{
	size_t i, j;
	char *s;

	for (i = 0; i < src->ngroups; i++)
		for (j = 0; j < src->groups[i].nmarks; j++) {
			struct e4err_source_mark *m = &src->groups[i].marks[j];

			if (m->dev != dev || m->gone)
				continue;
			if (!(s = strdup(mountpoint)))
				return ENOMEM;
			free(m->mountpoint);
			m->mountpoint = s;
		}
	return 0;
}

void e4err_source_forget(struct e4err_source *src, dev_t dev)
{
	size_t i, j, live;

	for (i = 0; i < src->ngroups; i++) {
		struct group *g = &src->groups[i];

		for (j = 0, live = 0; j < g->nmarks; j++) {
			if (g->marks[j].dev == dev)
				g->marks[j].gone = true;
			live += !g->marks[j].gone;
		}
		if (!live)
			g->closing = true;
	}
}

void e4err_source_reap(struct e4err_source *src)
{
	size_t i = 0;

	while (i < src->ngroups) {
		if (src->groups[i].closing)
			drop_group(src, &src->groups[i]);
		else
			i++;
	}
}

size_t e4err_source_ngroups(const struct e4err_source *src)
{
	return src->ngroups;
}

int e4err_source_group_fd(const struct e4err_source *src, size_t i,
			  uint32_t *id, bool *closing)
{
	if (i >= src->ngroups)
		return -1;
	if (id)
		*id = src->groups[i].id;
	if (closing)
		*closing = src->groups[i].closing;
	return src->groups[i].fd;
}

size_t e4err_source_nmarks(const struct e4err_source *src)
{
	size_t i, j, n = 0;

	for (i = 0; i < src->ngroups; i++)
		for (j = 0; j < src->groups[i].nmarks; j++)
			n += !src->groups[i].marks[j].gone;
	return n;
}

/* ---- reading ------------------------------------------------------------- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

errcode_t e4err_source_read(struct e4err_source *src, uint32_t group,
			    struct e4err_source_data *out)
{
	struct group *g = find_group(src, group);
	ssize_t n;

	memset(out, 0, sizeof(*out));
	if (!g)
		return EBADF;
	out->abi = src->abi;
	out->group = group;
	out->buf = src->buf;
	/* count stops short of the buffer: the RFC writes up to 24 bytes past it. */
	do {
		n = read(g->fd, src->buf, E4ERR_SOURCE_READ_COUNT);
	} while (n < 0 && errno == EINTR);
	out->time_ns = realtime_ns();
	if (n < 0)
		return errno == EAGAIN ? 0 : (errcode_t) errno;
	out->len = (size_t) n;
	return 0;
}

const struct e4err_source_mark *
e4err_source_attribute(const struct e4err_source *src, uint32_t group,
		       bool has_fsid, const uint32_t fsid[2])
{
	const struct group *g = NULL;
	size_t i;

	for (i = 0; i < src->ngroups; i++)
		if (src->groups[i].id == group)
			g = &src->groups[i];
	if (!g)
		return NULL;
	if (!has_fsid)
		return g->nmarks == 1 ? &g->marks[0] : NULL;
	for (i = 0; i < g->nmarks; i++)
		if (!memcmp(g->marks[i].fsid, fsid, sizeof(g->marks[i].fsid)))
			return &g->marks[i];
	return NULL;
}
