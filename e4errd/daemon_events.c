/*
 * daemon_events.c --- one read of a fanotify group: decode every event,
 * attribute it to its filesystem, record the lot in one transaction, and
 * only then say "recorded", hand the events to enrich (which completes
 * them from the kernel log and the superblock) and ask for inspections.
 *
 * Flood control: a filesystem object (inode, or block when no inode is
 * named) reported again within flood_window of the last inspection asked
 * for it is counted -- every event is still recorded -- but not inspected
 * again.  One `cat` of a bad directory sends dozens of events; they cost
 * one inspection.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "decode.h"
#include "nls.h"

#define DESC_MAX	(4 * PATH_MAX + 1)
/* An event is a few hundred bytes at most; more is cut when stored. */
#define RAW_MAX		4096
/* Objects listed per "recorded" line before "...". */
#define LIST_MAX	4

/* One decoded event of the read and where it went. */
struct item {
	struct e4err_event ev;
	struct daemon_fs *fs;		/* NULL: no filesystem known */
	struct e4err_store_ref ref;
	bool recorded;
};

struct batch {
	struct item *items;
	size_t n, cap;
	uint32_t group;
	uint64_t time_ns;
};

/* ---- decode and attribute ------------------------------------------------- */

static void close_event_fds(const struct e4err_event *ev)
{
	if (ev->fd >= 0)
		close(ev->fd);
	if (ev->has_pidfd && ev->pidfd >= 0)
		close(ev->pidfd);
}

static errcode_t decode_all(struct daemon *d, struct batch *b,
			    const struct e4err_source_data *data)
{
	const struct e4err_source_mark *m;
	struct e4err_decoder dec;
	struct item *it;

	e4err_decoder_init(&dec, data->abi, data->buf, data->len);
	for (;;) {
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 16;

			it = realloc(b->items, cap * sizeof(*it));
			if (!it)
				return ENOMEM;
			b->items = it;
			b->cap = cap;
		}
		it = &b->items[b->n];
		memset(it, 0, sizeof(*it));
		if (e4err_decode_next(&dec, &it->ev) != 1)
			break;
		close_event_fds(&it->ev);
		m = e4err_source_attribute(d->follow.src, data->group,
					   it->ev.has_fsid, it->ev.fsid);
		if (m)
			it->fs = daemon_fs_find(d, data->group, m->fsid);
		b->n++;
	}
	return 0;
}

/* ---- record --------------------------------------------------------------- */

static const struct e4err_store_fs unknown_fs = {
	.uuid = "unknown",
};

static errcode_t record_all(struct daemon *d, struct batch *b,
			    const struct e4err_source_data *data)
{
	unsigned char raw[RAW_MAX];
	struct e4err_store_fs sfs;
	errcode_t retval;
	size_t i, rawlen;

	retval = e4err_store_begin(d->store);
	for (i = 0; !retval && i < b->n; i++) {
		struct item *it = &b->items[i];

		if (it->fs)
			daemon_fs_store_view(it->fs, &sfs);
		rawlen = e4err_event_raw_copy(data->buf, data->len, &it->ev,
					      raw, sizeof(raw));
		retval = e4err_store_add_event(d->store, it->fs ? &sfs :
					       &unknown_fs, &it->ev,
					       data->time_ns, raw, rawlen,
					       &it->ref);
	}
	if (!retval)
		retval = e4err_store_commit(d->store);
	else
		e4err_store_rollback(d->store);
	for (i = 0; !retval && i < b->n; i++)
		b->items[i].recorded = true;
	return retval;
}

/* ---- say what was recorded ------------------------------------------------ */

static void describe_item(char *out, size_t len, const struct item *it)
{
	char name[32];
	const char *ename = it->ev.has_error ?
		e4err_error_name(it->ev.error, name, sizeof(name)) : "-";

	if (it->ev.overflow)
		snprintf(out, len, _("queue overflow: events lost"));
	else if (it->ev.skipped)
		snprintf(out, len, _("undecodable event"));
	else if (it->ev.has_inode && !it->ev.inode_is_placeholder)
		snprintf(out, len, _("inode %llu %s"),
			 (unsigned long long) it->ev.inode, ename);
	else if (it->ev.has_block)
		snprintf(out, len, _("block %llu %s"),
			 (unsigned long long) it->ev.block, ename);
	else
		snprintf(out, len, _("no inode %s"), ename);
}

/* The objects of fs's events as "inode 12 EFSBADCRC x37, no inode ..." */
static void list_objects(const struct batch *b, const struct daemon_fs *fs,
			 char *line, size_t len)
{
	char list[LIST_MAX][96], what[96];
	unsigned long long cnt[LIST_MAX] = { 0 };
	size_t i, j, nlist = 0, used = 0;
	bool more = false;

	for (i = 0; i < b->n; i++) {
		if (b->items[i].fs != fs)
			continue;
		describe_item(what, sizeof(what), &b->items[i]);
		for (j = 0; j < nlist && strcmp(list[j], what); j++)
			;
		if (j < nlist) {
			cnt[j]++;
		} else if (nlist < LIST_MAX) {
			snprintf(list[nlist], sizeof(list[0]), "%s", what);
			cnt[nlist++] = 1;
		} else {
			more = true;
		}
	}
	line[0] = '\0';
	for (j = 0; j < nlist && used < len; j++)
		used += (size_t) snprintf(line + used, len - used, "%s%s x%llu",
					  j ? ", " : "", list[j], cnt[j]);
	if (more && used < len)
		snprintf(line + used, len - used, ", ...");
}

/*
 * One line per filesystem per read: how many events, the objects named
 * (a flood of one inode is one entry with its count), and the store
 * references, so "recorded" can be checked against the database: the
 * events of one read are written in one transaction and their sequence
 * numbers follow each other (interleaved with other filesystems' events
 * of the same read, if any).
 */
static void say_recorded_fs(const struct batch *b, const struct daemon_fs *fs)
{
	char line[LIST_MAX * 110 + 32], a[DESC_MAX], c[DESC_MAX];
	struct e4err_store_ref first = { 0, 0 }, last = { 0, 0 };
	size_t i, n = 0;

	for (i = 0; i < b->n; i++) {
		if (b->items[i].fs != fs)
			continue;
		if (!n++)
			first = b->items[i].ref;
		last = b->items[i].ref;
	}
	list_objects(b, fs, line, sizeof(line));
	dlog(LOG_NOTICE, P_("recorded %zu event on %s (%s): %s [origin %llu seq %llu-%llu]",
			    "recorded %zu events on %s (%s): %s [origin %llu seq %llu-%llu]", n),
	     n, fs ? desc(a, sizeof(a), fs->mountpoint) : _("(unknown filesystem)"),
	     fs ? desc(c, sizeof(c), fs->device) : "-", line,
	     (unsigned long long) first.origin, (unsigned long long) first.seq,
	     (unsigned long long) last.seq);
}

static void say_recorded(const struct batch *b)
{
	size_t i, j;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < i && b->items[j].fs != b->items[i].fs; j++)
			;
		if (j == i)
			say_recorded_fs(b, b->items[i].fs);
	}
}

/* ---- flood control and inspections ---------------------------------------- */

static bool same_object(const struct daemon_flood *f,
			const struct daemon_request *r)
{
	if (f->has_inode != r->has_inode || f->has_block != r->has_block)
		return false;
	if (f->has_inode)
		return f->inode == r->inode;
	return f->block == r->block;
}

static struct daemon_flood *flood_slot(struct daemon_fs *fs,
				       const struct daemon_request *r)
{
	struct daemon_flood *f;
	size_t i, oldest = 0;

	for (i = 0; i < fs->nflood; i++) {
		if (same_object(&fs->flood[i], r))
			return &fs->flood[i];
		if (fs->flood[i].asked_ms < fs->flood[oldest].asked_ms)
			oldest = i;
	}
	if (fs->nflood == DAEMON_FLOOD_MAX)
		return &fs->flood[oldest];
	f = realloc(fs->flood, (fs->nflood + 1) * sizeof(*f));
	if (!f)
		return fs->nflood ? &fs->flood[oldest] : NULL;
	fs->flood = f;
	memset(&f[fs->nflood], 0, sizeof(*f));
	return &f[fs->nflood++];
}

/* What the event asks to look at; false when nothing can be looked at. */
static bool request_of(const struct item *it, struct daemon_request *r)
{
	const struct e4err_event *ev = &it->ev;

	memset(r, 0, sizeof(*r));
	if (ev->skipped || ev->overflow)
		return false;
	r->has_inode = ev->has_inode && !ev->inode_is_placeholder;
	r->inode = ev->inode;
	r->has_generation = r->has_inode && ev->has_generation;
	r->generation = ev->generation;
	r->has_block = ev->has_block;
	r->block = ev->block;
	if (!r->has_inode && !r->has_block)
		return false;
	r->has_error = ev->has_error;
	r->error = ev->error;
	r->has_function = ev->has_function;
	memcpy(r->function, ev->function, sizeof(r->function));
	r->has_event = it->recorded;
	r->event = it->ref;
	return true;
}

/*
 * Ask for an inspection of r's object unless one was asked for within the
 * flood window (then it is only counted).  Also for the objects enrich
 * finds: those of a merged event, and errors known from the log alone.
 */
void daemon_consider(struct daemon *d, struct daemon_fs *fs,
		     const struct daemon_request *r, uint64_t now)
{
	struct daemon_flood *f;
	uint64_t window = d->cfg.daemon.flood_window_ms;

	f = flood_slot(fs, r);
	if (f && f->asked_ms && now - f->asked_ms < window &&
	    (!f->has_generation || !r->has_generation ||
	     f->generation == r->generation) && same_object(f, r)) {
		f->events++;
		return;
	}
	if (f) {
		f->has_inode = r->has_inode;
		f->inode = r->inode;
		f->has_block = r->has_block;
		f->block = r->block;
		f->has_generation = r->has_generation;
		f->generation = r->generation;
		f->asked_ms = now;
		f->events = 1;
	}
	daemon_inspect_request(d, fs, r);
}

/* Enrich completes the event; an overflow asks for every counter now. */
static void enrich(struct daemon *d, const struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		const struct item *it = &b->items[i];

		e4err_enrich_event(d->en, it->fs, &it->ev,
				   it->recorded ? &it->ref : NULL, mono_ms());
	}
	if (e4err_enrich_rescan_wanted(d->en)) {
		dlog(LOG_WARNING, _("the event queue overflowed: reading every "
		     "filesystem's error counter to count the reports lost"));
		e4err_enrich_rescan(d->en, mono_ms());
	}
	d->status_dirty = true;
}

/* ---- one read ------------------------------------------------------------- */

static void after_commit(struct daemon *d, struct batch *b)
{
	struct daemon_request r;
	uint64_t now = mono_ms();
	bool errors = false;
	size_t i;

	say_recorded(b);
	enrich(d, b);
	for (i = 0; i < b->n; i++) {
		struct item *it = &b->items[i];

		if (!it->ev.skipped && !it->ev.overflow)
			errors = true;
		if (!it->fs)
			continue;
		it->fs->events++;
		if (request_of(it, &r))
			daemon_consider(d, it->fs, &r, now);
	}
	d->events += b->n;
	d->metrics_dirty = true;
	/* errors=remount-ro shows in mountinfo with no POLLPRI. */
	if (errors)
		follow_error_seen(&d->follow);
	dnotify("STATUS=%zu filesystems watched, %llu events recorded",
		e4err_source_nmarks(d->follow.src),
		(unsigned long long) d->events);
}

errcode_t daemon_data(void *arg, const struct e4err_source_data *data)
{
	struct daemon *d = arg;
	struct batch b = { .group = data->group, .time_ns = data->time_ns };
	errcode_t retval;

	/* The lines ext4 printed before it sent these events are in first. */
	daemon_kmsg_drain(d);
	retval = decode_all(d, &b, data);
	if (!retval)
		retval = record_all(d, &b, data);
	if (retval) {
		com_err(program_name, retval, P_("while recording %zu event: "
			"it is NOT recorded", "while recording %zu events: they "
			"are NOT recorded", b.n), b.n);
		/* Enrich never hears of them: they count as lost reports. */
	} else {
		after_commit(d, &b);
	}
	daemon_spool_check(d);
	free(b.items);
	/* A store that fails is logged, never a reason to stop listening. */
	return 0;
}
