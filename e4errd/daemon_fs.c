/*
 * daemon_fs.c --- the filesystems the daemon watches, as it knows them.
 *
 * follow.c says when a filesystem is marked, changes or leaves the mount
 * table; this file keeps a struct daemon_fs for each, named like events
 * name it (group, fsid), with what the store, the inspector and the
 * counters need, and tells enrich (which knows it by that pointer).  A
 * filesystem that left the mount table is kept a while: after a lazy
 * unmount its mark lives on, and late events still name it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/sysmacros.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "nls.h"

#define DESC_MAX	(4 * PATH_MAX + 1)

static void fs_say(void *arg, int prio, const char *msg)
{
	(void) arg;
	dlog(prio, "%s", msg);
}

struct daemon_fs *daemon_fs_find(struct daemon *d, uint32_t group,
				 const uint32_t fsid[2])
{
	size_t i;

	for (i = 0; i < d->nfs; i++)
		if (d->fs[i]->group == group &&
		    !memcmp(d->fs[i]->fsid, fsid, sizeof(d->fs[i]->fsid)))
			return d->fs[i];
	return NULL;
}

static struct daemon_fs *find_live_dev(struct daemon *d, dev_t dev)
{
	size_t i;

	for (i = 0; i < d->nfs; i++)
		if (!d->fs[i]->gone && d->fs[i]->dev == dev)
			return d->fs[i];
	return NULL;
}

void daemon_fs_store_view(const struct daemon_fs *fs, struct e4err_store_fs *out)
{
	memset(out, 0, sizeof(*out));
	out->uuid = fs->uuid;
	out->device = fs->device;
	out->mountpoint = fs->mountpoint;
	out->kname = fs->kname;
	out->has_fsid = true;
	out->fsid[0] = fs->fsid[0];
	out->fsid[1] = fs->fsid[1];
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "4e0e2b8a-6b34-..." into 16 bytes; false when it is not a UUID. */
static bool parse_uuid(const char *s, uint8_t out[16])
{
	size_t n = 0;
	int hi, lo;

	for (; *s && n < 16; s++) {
		if (*s == '-')
			continue;
		hi = hexval(s[0]);
		lo = s[1] ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0)
			return false;
		out[n++] = (uint8_t) (hi << 4 | lo);
		s++;
	}
	return n == 16 && !*s;
}

static void release_fs(struct daemon *d, struct daemon_fs *fs)
{
	if (d->en) {
		/* What enrich holds of it is stored while fs is still valid. */
		daemon_enrich_drain(d);
		e4err_enrich_remove_fs(d->en, fs, mono_ms());
		daemon_enrich_drain(d);
	}
	daemon_inspect_forget_fs(d, fs);
	if (fs->errors_fd >= 0)
		close(fs->errors_fd);
	free(fs->uuid);
	free(fs->device);
	free(fs->mountpoint);
	free(fs->kname);
	free(fs->flood);
	free(fs->queue);
}

static void drop_fs(struct daemon *d, size_t i)
{
	release_fs(d, d->fs[i]);
	free(d->fs[i]);
	memmove(&d->fs[i], &d->fs[i + 1], (d->nfs - i - 1) * sizeof(*d->fs));
	d->nfs--;
}

void daemon_fs_free_all(struct daemon *d)
{
	while (d->nfs)
		drop_fs(d, d->nfs - 1);
	free(d->fs);
	d->fs = NULL;
}

/* Forget the oldest gone filesystems with no work beyond DAEMON_GONE_MAX. */
static void trim_gone(struct daemon *d)
{
	size_t i, ngone = 0, oldest;

	for (i = 0; i < d->nfs; i++)
		ngone += d->fs[i]->gone;
	while (ngone > DAEMON_GONE_MAX) {
		oldest = d->nfs;
		for (i = 0; i < d->nfs; i++)
			if (d->fs[i]->gone && !d->fs[i]->running &&
			    (oldest == d->nfs ||
			     d->fs[i]->gone_ms < d->fs[oldest]->gone_ms))
				oldest = i;
		if (oldest == d->nfs)
			return;
		drop_fs(d, oldest);
		ngone--;
	}
}

static errcode_t set_strings(struct daemon_fs *dfs, const struct e4err_fs *fs)
{
	int r = 0;

	if (fs->has_uuid)
		dfs->uuid = strdup(fs->uuid);
	else
		r = asprintf(&dfs->uuid, "dev:%s", fs->devpath ? fs->devpath :
			     fs->source);
	dfs->device = strdup(fs->devpath ? fs->devpath : fs->source);
	dfs->mountpoint = strdup(fs->mountpoint);
	dfs->kname = fs->has_kname ? strdup(fs->kname) : NULL;
	if (r < 0 || !dfs->uuid || !dfs->device || !dfs->mountpoint ||
	    (fs->has_kname && !dfs->kname))
		return ENOMEM;
	dfs->has_uuid_bytes = fs->has_uuid &&
		parse_uuid(fs->uuid, dfs->uuid_bytes);
	return 0;
}

/* A slot for (group, fsid): a new one, or one a gone filesystem left. */
static struct daemon_fs *slot_for(struct daemon *d, uint32_t group,
				  const uint32_t fsid[2])
{
	struct daemon_fs *dfs = daemon_fs_find(d, group, fsid), **fsv;

	if (dfs) {
		release_fs(d, dfs);
		memset(dfs, 0, sizeof(*dfs));
		return dfs;
	}
	fsv = realloc(d->fs, (d->nfs + 1) * sizeof(*d->fs));
	if (!fsv)
		return NULL;
	d->fs = fsv;
	dfs = calloc(1, sizeof(*dfs));
	if (dfs)
		d->fs[d->nfs++] = dfs;
	return dfs;
}

static void note_fs(struct daemon *d, struct daemon_fs *dfs)
{
	struct e4err_store_fs sfs;
	errcode_t retval;

	daemon_fs_store_view(dfs, &sfs);
	retval = e4err_store_note_fs(d->store, &sfs, real_ns());
	if (retval)
		com_err(program_name, retval, _("while recording filesystem %s"),
			dfs->uuid);
	daemon_spool_check(d);
}

/*
 * Without CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE the device must be
 * readable as it is: refuse to start, or say what will be missing later.
 */
static void check_device(struct daemon *d, struct daemon_fs *dfs)
{
	char a[DESC_MAX];

	if (faccessat(AT_FDCWD, dfs->device, R_OK, AT_EACCESS) == 0 ||
	    daemon_can_read_devices())
		return;
	if (!d->ready) {
		com_err(program_name, 0, _("cannot read %s: missing "
			"capability CAP_DAC_READ_SEARCH (or CAP_DAC_OVERRIDE), "
			"needed to inspect the filesystems' devices"),
			desc(a, sizeof(a), dfs->device));
		d->failed = EACCES;
	} else {
		dlog(LOG_ERR, _("cannot read %s: its inspections will be "
		     "inconclusive (missing CAP_DAC_READ_SEARCH)"),
		     desc(a, sizeof(a), dfs->device));
	}
}

static void fs_added(void *arg, const struct e4err_fs *fs, uint32_t group)
{
	struct daemon *d = arg;
	struct daemon_fs *dfs;

	dfs = slot_for(d, group, fs->fsid);
	if (!dfs || set_strings(dfs, fs)) {
		com_err(program_name, ENOMEM, _("while adding %s"),
			fs->mountpoint);
		d->failed = ENOMEM;
		return;
	}
	dfs->group = group;
	memcpy(dfs->fsid, fs->fsid, sizeof(dfs->fsid));
	dfs->dev = fs->dev;
	dfs->major = fs->major;
	dfs->minor = fs->minor;
	dfs->errors_fd = -1;
	check_device(d, dfs);
	/* A filesystem mounted again may hold the state directory. */
	d->spool_retry_ms = mono_ms();
	note_fs(d, dfs);
	daemon_counters_first_sight(d, dfs, fs->read_only || fs->emergency_ro);
	trim_gone(d);
}

static void fs_gone(void *arg, const struct e4err_fs *fs)
{
	struct daemon *d = arg;
	struct daemon_fs *dfs = find_live_dev(d, fs->dev);

	if (!dfs)
		return;
	/* Errors raised while it went away still count. */
	daemon_counters_check(d, dfs);
	daemon_mark_move(d, dfs);
	dfs->gone = true;
	dfs->gone_ms = mono_ms();
	e4err_enrich_fs_gone(d->en, dfs, dfs->gone_ms);
	if (dfs->errors_fd >= 0)
		close(dfs->errors_fd);
	dfs->errors_fd = -1;
	d->status_dirty = true;
	trim_gone(d);
}

static void fs_changed(void *arg, const struct e4err_fs *old,
		       const struct e4err_fs *fs)
{
	struct daemon *d = arg;
	struct daemon_fs *dfs = find_live_dev(d, fs->dev);
	char *mp;

	/* ext4 writes no superblock there: enrich must not wait for it. */
	if (dfs)
		e4err_enrich_set_read_only(d->en, dfs,
					   fs->read_only || fs->emergency_ro);
	d->status_dirty = true;
	if (dfs && strcmp(dfs->mountpoint, fs->mountpoint)) {
		mp = strdup(fs->mountpoint);
		if (mp) {
			free(dfs->mountpoint);
			dfs->mountpoint = mp;
			note_fs(d, dfs);
		}
	}
	/* Read-write again: the state directory may be writable again. */
	if (old->read_only && !fs->read_only)
		d->spool_retry_ms = mono_ms();
}

/* A step of the after-error schedule: counters rise a little later. */
static void fs_recheck(void *arg)
{
	struct daemon *d = arg;
	size_t i;

	for (i = 0; i < d->nfs; i++)
		if (!d->fs[i]->gone)
			daemon_counters_check(d, d->fs[i]);
}

const struct follow_ops daemon_follow_ops = {
	.say = fs_say,
	.data = daemon_data,
	.added = fs_added,
	.gone = fs_gone,
	.changed = fs_changed,
	.recheck = fs_recheck,
};
