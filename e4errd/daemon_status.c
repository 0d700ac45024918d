/*
 * daemon_status.c --- the status file `e4errd status` reads.
 *
 * lib/status.h writes it atomically in the runtime (spool) directory: the
 * kernel ABI in use, each filesystem with its mode, counters, lost reports
 * and last error, the kernel log, the inspection queue.  Rewritten when
 * something changed, at most every DAEMON_STATUS_MIN_MS: idle, the daemon
 * does not wake for it.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/utsname.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "decode.h"
#include "nls.h"
#include "status.h"

static void names(void *arg, const void *cookie, struct e4err_status_names *out)
{
	const struct daemon_fs *fs = cookie;

	(void) arg;
	out->mountpoint = fs->mountpoint;
	out->uuid = fs->has_uuid_bytes ? fs->uuid : NULL;
}

static void queue(const struct daemon *d, struct e4err_status_input *in)
{
	size_t i;

	for (i = 0; i < d->nfs; i++)
		in->queue_waiting += d->fs[i]->nqueue;
	for (i = 0; i < DAEMON_MAX_INSPECTIONS; i++)
		in->queue_running += d->run[i].active;
}

static const char *kmsg_error(const struct daemon *d)
{
	if (d->km)
		return NULL;
	if (d->kmsg_err == EPERM || d->kmsg_err == EACCES)
		return _("missing capability CAP_SYSLOG");
	return d->kmsg_err ? error_message(d->kmsg_err) : NULL;
}

/* "Linux 6.18.0: FAN_FS_ERROR" */
static void abi_detail(enum e4err_abi abi, char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	snprintf(buf, len, "Linux %s: %s", u.release,
		 abi == E4ERR_ABI_RFC ? "FAN_ERROR" : "FAN_FS_ERROR");
}

/* When a rewrite is due; 0 when nothing changed. */
uint64_t daemon_status_due(const struct daemon *d)
{
	if (!d->status_path || !d->status_dirty)
		return 0;
	return d->status_last_ms + DAEMON_STATUS_MIN_MS;
}

void daemon_status_write(struct daemon *d, bool force)
{
	struct e4err_status_input in = { .abi = E4ERR_ABI_NONE };
	uint64_t now = mono_ms();
	char detail[128];
	errcode_t retval;

	if (!d->status_path || !d->en || (!force && (!d->status_dirty ||
	    now < d->status_last_ms + DAEMON_STATUS_MIN_MS)))
		return;
	d->status_dirty = false;
	d->status_last_ms = now;
	if (d->follow.src) {
		in.abi = e4err_source_abi(d->follow.src);
		abi_detail(in.abi, detail, sizeof(detail));
		in.abi_detail = detail;
	}
	in.en = d->en;
	in.kmsg = d->km;
	in.kmsg_error = kmsg_error(d);
	in.started_ms = d->started_ms;
	in.names = names;
	in.events_recorded = d->events;
	in.state_dir = d->state_dir;
	queue(d, &in);
	retval = e4err_status_write(d->status_path, &in);
	if (retval && retval != d->status_err)
		dlog(LOG_WARNING, _("cannot write the status file %s: %s"),
		     d->status_path, error_message(retval));
	d->status_err = retval;
}
