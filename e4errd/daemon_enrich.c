/*
 * daemon_enrich.c --- the enrich stage in the daemon's loop.
 *
 * A mainline event says "inode N, error E, count C" and no more.  Enrich
 * (lib/enrich.h, docs/ENRICH.md) completes it from ext4's kernel log lines
 * -- read here from /dev/kmsg, before every read of events so the lines
 * printed before an event are in -- and from the superblock, finds the
 * errors that sent no event, and decides each filesystem's mode.  This
 * file feeds it and takes what comes out: enriched records are stored
 * (the objects a merged event folded and the errors known from the log
 * alone are inspected too), news of modes and lost reports is logged and
 * recorded.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "format.h"
#include "nls.h"
#include "status.h"

#define DESC_MAX	(4 * PATH_MAX + 1)
/* Enriched records stored per transaction. */
#define BATCH_MAX	64

/* ---- the kernel log ------------------------------------------------------- */

static bool map_has_kname(const struct e4err_fsmap *map, const char *kname)
{
	size_t i;

	for (i = 0; map && i < map->nfs; i++)
		if (map->fs[i].has_kname && !strcmp(map->fs[i].kname, kname))
			return true;
	return false;
}

/*
 * A line names its device by the kernel's name, which a loop device
 * reuses: once the filesystem watched there is gone (enrich still takes
 * its late lines: a lazy unmount keeps it alive) and another one is
 * mounted on that device, the line is the other's.  The mount may be
 * newer than the loop's view of the table: then the table is read now
 * (only for lines naming a gone filesystem's device, which are rare).
 */
static bool kname_taken(const struct daemon *d, const char *kname)
{
	struct e4err_fsmap *now = NULL;
	bool gone = false, taken;
	size_t i;

	for (i = 0; i < d->nfs; i++) {
		if (!d->fs[i]->kname || strcmp(d->fs[i]->kname, kname))
			continue;
		if (!d->fs[i]->gone)
			return false;
		gone = true;
	}
	if (!gone || map_has_kname(d->follow.map, kname))
		return gone;
	/* As follow.c does: only a device new to its table is probed. */
	taken = !e4err_fsmap_load(-1, d->follow.map, &now) &&
		map_has_kname(now, kname);
	e4err_fsmap_free(now);
	return taken;
}

static void on_line(void *arg, const struct e4err_klog *l)
{
	struct daemon *d = arg;
	const struct e4err_enrich_stats *s = e4err_enrich_get_stats(d->en);
	uint64_t unknown = s->lines_unknown_fs;

	if (l->has_device && kname_taken(d, l->device))
		return;
	e4err_enrich_line(d->en, l, mono_ms());
	/* A line of a filesystem not watched changes nothing worth a rewrite. */
	if (l->has_device && s->lines_unknown_fs == unknown)
		d->status_dirty = true;
}

static void open_kmsg(struct daemon *d)
{
	bool history = d->cfg.kmsg.read_history;

	d->kmsg_err = e4err_kmsg_open(NULL, history, &d->km);
	if (!d->kmsg_err) {
		dlog(LOG_INFO, history ? _("reading the kernel log from its "
		     "oldest record") : _("reading the kernel log"));
		return;
	}
	d->km = NULL;
	if (d->kmsg_err == EPERM || d->kmsg_err == EACCES)
		dlog(LOG_WARNING, _("cannot read the kernel log /dev/kmsg: "
		     "missing capability CAP_SYSLOG (kernel.dmesg_restrict is "
		     "1): mainline events will have no function, line or "
		     "message"));
	else
		com_err(program_name, d->kmsg_err, _("while opening the kernel "
			"log /dev/kmsg: mainline events will have no function, "
			"line or message"));
}

/* Pass what the kernel logged to enrich (at most one bounded read). */
void daemon_kmsg_drain(struct daemon *d)
{
	errcode_t retval;

	if (!d->km)
		return;
	retval = e4err_kmsg_read(d->km, 0, on_line, d, NULL);
	if (!retval)
		return;
	com_err(program_name, retval, _("while reading the kernel log: it is "
		"not read any more"));
	e4err_kmsg_close(d->km);
	d->km = NULL;
	d->kmsg_err = retval;
	d->status_dirty = true;
}

/* ---- enriched records ----------------------------------------------------- */

/* "ext4_lookup:1815: inode 12, block 4385, comm ls: <message>", escaped. */
static void describe_object(char *out, size_t len,
			    const struct e4err_enriched_object *o)
{
	char fn[4 * E4ERR_FUNCTION_MAX + 1], comm[4 * E4ERR_KLOG_COMM_MAX + 1];
	char msg[4 * E4ERR_KLOG_MSG_MAX + 1];
	size_t n;

	e4err_escape_text(fn, sizeof(fn), o->function,
			  o->has_function ? strlen(o->function) : 0);
	e4err_escape_text(comm, sizeof(comm), o->comm, o->comm_len);
	e4err_escape_text(msg, sizeof(msg), o->message, o->message_len);
	n = (size_t) snprintf(out, len, "%s:%" PRIu32 ":", o->has_function ?
			      fn : "?", o->has_line ? o->line : 0);
	if (n < len && o->has_group)
		n += (size_t) snprintf(out + n, len - n, _(" group %" PRIu32 ","),
				       o->group);
	if (n < len && o->has_inode)
		n += (size_t) snprintf(out + n, len - n, _(" inode %" PRIu64 ","),
				       o->inode);
	if (n < len && o->has_block)
		n += (size_t) snprintf(out + n, len - n, _(" block %" PRIu64 ","),
				       o->block);
	if (n < len && o->has_comm)
		n += (size_t) snprintf(out + n, len - n, _(" comm %s,"), comm);
	if (n < len)
		snprintf(out + n, len - n, " %s", o->has_message ? msg : "");
}

/* An error that sent no event (or whose event was lost): say so. */
static void say_log_only(const struct daemon_fs *fs,
			 const struct e4err_enriched *r)
{
	char a[DESC_MAX], what[4 * (E4ERR_FUNCTION_MAX + E4ERR_KLOG_COMM_MAX +
				   E4ERR_KLOG_MSG_MAX) + 160];

	describe_object(what, sizeof(what), &r->obj[0]);
	dlog(LOG_WARNING, _("%s: an error known from the kernel log only, no "
	     "event reported it: %s"), desc(a, sizeof(a), fs->mountpoint),
	     what);
}

/* Inspections asked for by one batch, made once it is committed. */
struct todo {
	size_t n;
	struct {
		struct daemon_fs *fs;
		struct daemon_request req;
	} item[BATCH_MAX * E4ERR_ENRICH_OBJECTS_MAX];
};

static bool request_of_object(const struct e4err_enriched *r,
			      const struct e4err_enriched_object *o,
			      struct daemon_request *q)
{
	memset(q, 0, sizeof(*q));
	if (!o->has_inode && !o->has_block)
		return false;
	q->has_inode = o->has_inode;
	q->inode = o->inode;
	q->has_block = o->has_block;
	q->block = o->block;
	q->has_function = o->has_function;
	memcpy(q->function, o->function, sizeof(q->function));
	q->has_event = r->has_ref;
	q->event = r->ref;
	return true;
}

/*
 * The event's own object was inspected when it was recorded; the objects
 * enrich found besides, and an error known from the log alone, are now.
 */
static void take_objects(const struct e4err_enriched *r, struct todo *t)
{
	struct daemon_fs *fs = r->fs;
	size_t i;

	if (fs->gone)
		return;		/* its device may be gone: nothing to look at */
	for (i = r->has_event ? 1 : 0; i < r->nobjects; i++)
		if (request_of_object(r, &r->obj[i], &t->item[t->n].req))
			t->item[t->n++].fs = fs;
}

static errcode_t store_record(struct daemon *d, const struct e4err_enriched *r)
{
	struct e4err_store_fs sfs;

	daemon_fs_store_view(r->fs, &sfs);
	return e4err_enrich_store(d->store, &sfs, r, real_ns());
}

/*
 * Up to BATCH_MAX records (popped into d->rec) in one transaction;
 * returns how many were stored (0 when the transaction failed: the loop
 * stops there).  Without a transaction each record is written on its own.
 * The objects to inspect go to *tp, allocated once something is popped.
 */
static size_t store_batch(struct daemon *d, struct todo **tp)
{
	struct e4err_enriched *r = d->rec;
	errcode_t retval = 0;
	size_t n = 0;
	bool txn;

	if (!e4err_enrich_pop(d->en, r))
		return 0;
	if (!*tp && !(*tp = calloc(1, sizeof(**tp))))
		com_err(program_name, ENOMEM, _("while asking for inspections "
			"of what the kernel log names"));
	txn = !e4err_store_begin(d->store);
	do {
		n++;
		retval = store_record(d, r);
		if (!r->has_event)
			say_log_only(r->fs, r);
		if (*tp)
			take_objects(r, *tp);
		if (retval && !txn) {
			com_err(program_name, retval, _("while recording what "
				"the kernel log and superblock add to an error: "
				"it is NOT recorded"));
			retval = 0;
		}
	} while (!retval && n < BATCH_MAX && e4err_enrich_pop(d->en, r));
	if (txn && !retval)
		retval = e4err_store_commit(d->store);
	else if (txn)
		e4err_store_rollback(d->store);
	if (retval)
		com_err(program_name, retval, P_("while recording what the "
			"kernel log and superblocks add to %zu error: it is NOT "
			"recorded", "while recording what the kernel log and "
			"superblocks add to %zu errors: they are NOT recorded",
			n), n);
	daemon_spool_check(d);
	return retval ? 0 : n;
}

static void take_records(struct daemon *d)
{
	struct todo *t = NULL;
	size_t i, n;

	do {
		n = store_batch(d, &t);
		for (i = 0; t && i < t->n; i++)
			daemon_consider(d, t->item[i].fs, &t->item[i].req,
					mono_ms());
		if (t)
			t->n = 0;
		if (n)
			d->metrics_dirty = d->status_dirty = true;
	} while (n == BATCH_MAX);
	free(t);
}

/* ---- news: modes and lost reports ------------------------------------------ */

static void say_mode(struct daemon_fs *fs, const struct e4err_enrich_fs_info *info)
{
	char a[DESC_MAX];

	if (info->mode.mode == fs->mode_said)
		return;
	fs->mode_said = info->mode.mode;
	if (info->mode.mode == E4ERR_MODE_EVENTS)
		dlog(LOG_NOTICE, _("%s: events mode again: %s"),
		     desc(a, sizeof(a), fs->mountpoint),
		     e4err_mode_reason_name(info->mode.reason));
	else
		dlog(LOG_WARNING, _("%s: counters mode (%s): errors are followed "
		     "through its error counter, superblock and the kernel log "
		     "only"), desc(a, sizeof(a), fs->mountpoint),
		     e4err_mode_reason_name(info->mode.reason));
}

static void take_news(struct daemon *d)
{
	struct e4err_enrich_fs_info info;
	uint64_t lost;

	while (e4err_enrich_news(d->en, &info, &lost)) {
		struct daemon_fs *fs = info.fs;

		say_mode(fs, &info);
		if (lost)
			daemon_record_lost(d, fs, lost, &info);
		d->status_dirty = true;
	}
}

/* Store and act on everything enrich has finished. */
void daemon_enrich_drain(struct daemon *d)
{
	if (!d->en || !d->rec)
		return;
	take_records(d);
	take_news(d);
}

/* ---- start, timers, stop ---------------------------------------------------- */

errcode_t daemon_enrich_start(struct daemon *d)
{
	errcode_t retval;

	d->started_ms = mono_ms();
	retval = e4err_enrich_new(true, &d->en);
	if (!retval && !(d->rec = malloc(sizeof(*d->rec))))
		retval = ENOMEM;
	if (retval) {
		com_err(program_name, retval, _("while setting up enrichment"));
		return retval;
	}
	open_kmsg(d);
	if (asprintf(&d->status_path, "%s/%s", d->spool_dir,
		     E4ERR_STATUS_NAME) < 0) {
		d->status_path = NULL;
		return ENOMEM;
	}
	/* The spool directory holds the status file before any spool. */
	if (mkdir(d->spool_dir, 0700) < 0 && errno != EEXIST)
		com_err(program_name, errno, _("while creating %s"), d->spool_dir);
	d->status_dirty = true;
	return 0;
}

static void earliest(uint64_t *due, uint64_t t)
{
	if (t && (!*due || t < *due))
		*due = t;
}

/* When the loop must call daemon_enrich_timers() next; 0: only on input. */
uint64_t daemon_enrich_due(const struct daemon *d)
{
	uint64_t due = 0;

	if (!d->en)
		return 0;
	earliest(&due, d->enrich_next_ms);
	earliest(&due, d->km ? e4err_kmsg_deadline(d->km) : 0);
	earliest(&due, daemon_status_due(d));
	return due;
}

void daemon_enrich_timers(struct daemon *d)
{
	uint64_t now = mono_ms(), k;

	if (!d->en)
		return;
	k = d->km ? e4err_kmsg_deadline(d->km) : 0;
	if (k && k <= now)
		e4err_kmsg_flush(d->km, on_line, d);
	d->enrich_next_ms = e4err_enrich_tick(d->en, now);
	daemon_enrich_drain(d);
	daemon_status_write(d, false);
}

void daemon_enrich_stop(struct daemon *d)
{
	size_t i;

	if (d->en) {
		daemon_kmsg_drain(d);
		if (d->km)
			e4err_kmsg_flush(d->km, on_line, d);
		e4err_enrich_flush(d->en, mono_ms());
		/* A rise no event explained by now never will be: settle it. */
		e4err_enrich_tick(d->en, mono_ms() + E4ERR_LOST_GRACE_MS + 1);
		daemon_enrich_drain(d);
		for (i = 0; i < d->nfs; i++)
			daemon_mark_move(d, d->fs[i]);
	}
	if (d->status_path)
		unlink(d->status_path);
	free(d->status_path);
	d->status_path = NULL;
	e4err_kmsg_close(d->km);
	d->km = NULL;
	e4err_enrich_free(d->en);
	d->en = NULL;
	free(d->rec);
	d->rec = NULL;
}
