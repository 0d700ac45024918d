/*
 * enrich.c --- correlating events, kernel log lines and superblocks of
 * each filesystem (enrich.h).
 *
 * Per filesystem: a short list of recent unclaimed log lines, a short list
 * of events waiting for their lines and superblock, the lost-report
 * accounting and the mode.  Finished records queue up for the caller.
 * Everything is bounded: when a list is full its oldest entry finishes
 * early, so a flood costs detail, never memory.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "enrich.h"

/* Superblock reads, in ms after the event (ext4 writes it from a worker). */
static const uint64_t sb_delay_ms[E4ERR_ENRICH_SB_TRIES] = { 100, 400, 1500, 4000 };
/* The superblock's last error belongs to this event when this recent. */
#define SB_RECENT_S	5

struct line_slot {
	struct e4err_klog l;
	uint64_t recv_ms;
};

struct pending {
	struct e4err_enriched r;
	uint64_t settle_ms;
	uint64_t sb_due_ms;
	unsigned int sb_tries;
	bool sb_done;
	bool has_counter_before;
	uint32_t counter_before;
	uint64_t recv_real_s;
	bool primary_kmsg;	/* obj[0] has its log line */
	bool has_caller;	/* and the kernel named its caller */
	uint32_t caller;
};

struct efs {
	void *cookie;
	char *kname, *device;
	bool read_only;
	bool gone;		/* left the mount table: never read again */
	struct e4err_fsmode mode;
	struct e4err_lost lost;
	bool has_counter;
	uint32_t counter;

	struct line_slot *lines;
	size_t nlines;
	struct pending **pend;
	size_t npend;
	uint64_t quiet_ms[E4ERR_LOST_PENDING_MAX];	/* group-locked lines */
	size_t nquiet;

	uint64_t events, nlines_total, lines_alone, quiet_total;
	bool has_last;
	struct e4err_enriched_object last;
	uint64_t last_ms;
	bool news_mode;
	uint64_t news_lost;
};

struct e4err_enrich {
	bool abi;
	bool proven;		/* an event came: the kernel sends them */
	bool rescan;
	struct efs **fs;
	size_t nfs;
	struct e4err_enriched **out;
	size_t nout, out_head;
	struct e4err_enrich_stats stats;
};

/* ---- set-up ---------------------------------------------------------------- */

errcode_t e4err_enrich_new(bool abi_available, struct e4err_enrich **enp)
{
	struct e4err_enrich *en = calloc(1, sizeof(*en));

	*enp = en;
	if (!en)
		return ENOMEM;
	en->abi = abi_available;
	en->out = calloc(E4ERR_ENRICH_OUT_MAX, sizeof(*en->out));
	if (!en->out) {
		free(en);
		*enp = NULL;
		return ENOMEM;
	}
	return 0;
}

static void efs_free(struct efs *f)
{
	size_t i;

	for (i = 0; i < f->npend; i++)
		free(f->pend[i]);
	free(f->pend);
	free(f->lines);
	free(f->kname);
	free(f->device);
	free(f);
}

void e4err_enrich_free(struct e4err_enrich *en)
{
	size_t i;

	if (!en)
		return;
	for (i = 0; i < en->nfs; i++)
		efs_free(en->fs[i]);
	free(en->fs);
	for (i = 0; i < en->nout; i++)
		free(en->out[(en->out_head + i) % E4ERR_ENRICH_OUT_MAX]);
	free(en->out);
	free(en);
}

static struct efs *find_fs(const struct e4err_enrich *en, const void *cookie)
{
	size_t i;

	for (i = 0; i < en->nfs; i++)
		if (en->fs[i]->cookie == cookie)
			return en->fs[i];
	return NULL;
}

/* A device name is reused (loop0 again): the mounted one has it first. */
static struct efs *find_kname(const struct e4err_enrich *en, const char *k)
{
	struct efs *gone = NULL;
	size_t i;

	for (i = 0; i < en->nfs; i++) {
		if (!en->fs[i]->kname || strcmp(en->fs[i]->kname, k))
			continue;
		if (!en->fs[i]->gone)
			return en->fs[i];
		gone = en->fs[i];
	}
	return gone;
}

errcode_t e4err_enrich_add_fs(struct e4err_enrich *en, void *fs,
			      const char *kname, const char *device,
			      bool marked, bool has_counter, uint32_t counter,
			      uint64_t now_ms)
{
	struct efs *f, **v;

	if (find_fs(en, fs))
		e4err_enrich_remove_fs(en, fs, now_ms);
	f = calloc(1, sizeof(*f));
	v = realloc(en->fs, (en->nfs + 1) * sizeof(*v));
	if (v)
		en->fs = v;
	if (!f || !v)
		goto nomem;
	f->cookie = fs;
	f->kname = kname ? strdup(kname) : NULL;
	f->device = device ? strdup(device) : NULL;
	if ((kname && !f->kname) || (device && !f->device))
		goto nomem;
	e4err_fsmode_init(&f->mode, marked, en->abi, now_ms);
	f->has_counter = has_counter;
	f->counter = counter;
	if (has_counter)
		e4err_lost_first_sight(&f->lost, counter);
	f->news_mode = f->mode.mode != E4ERR_MODE_EVENTS;
	en->fs[en->nfs++] = f;
	return 0;
nomem:
	if (f)
		efs_free(f);
	return ENOMEM;
}

void e4err_enrich_set_read_only(struct e4err_enrich *en, void *fs, bool ro)
{
	struct efs *f = find_fs(en, fs);

	if (f)
		f->read_only = ro;
}

/* ---- output ---------------------------------------------------------------- */

static void push_out(struct e4err_enrich *en, struct e4err_enriched *r)
{
	if (en->nout == E4ERR_ENRICH_OUT_MAX) {
		/* Nobody pops: the oldest goes, memory stays bounded. */
		free(en->out[en->out_head]);
		en->out_head = (en->out_head + 1) % E4ERR_ENRICH_OUT_MAX;
		en->nout--;
	}
	en->out[(en->out_head + en->nout) % E4ERR_ENRICH_OUT_MAX] = r;
	en->nout++;
}

bool e4err_enrich_pop(struct e4err_enrich *en, struct e4err_enriched *out)
{
	struct e4err_enriched *r;

	if (!en->nout)
		return false;
	r = en->out[en->out_head];
	en->out_head = (en->out_head + 1) % E4ERR_ENRICH_OUT_MAX;
	en->nout--;
	*out = *r;
	free(r);
	return true;
}

static void note_last(struct efs *f, const struct e4err_enriched *r,
		      uint64_t now_ms)
{
	if (!r->nobjects)
		return;
	f->has_last = true;
	f->last = r->obj[0];
	f->last_ms = now_ms;
}

/* ---- objects from each source ----------------------------------------------- */

static void copy_bytes(char *dst, size_t *dlen, const char *src, size_t n)
{
	memcpy(dst, src, n);
	dst[n] = '\0';
	*dlen = n;
}

/* Fill o from a log line; fields already there gain the source. */
static void object_from_line(struct e4err_enriched_object *o,
			     const struct e4err_klog *l)
{
#define TAKE(has, field, val, src) do {					\
		if (!o->has) {						\
			o->has = true;				\
			o->field = (val);				\
			o->src = E4ERR_SRC_KMSG;			\
		} else if (o->field == (val)) {				\
			o->src |= E4ERR_SRC_KMSG;			\
		}							\
	} while (0)
	if (l->has_inode)
		TAKE(has_inode, inode, l->inode, inode_src);
	if (l->has_block)
		TAKE(has_block, block, l->block, block_src);
	if (l->has_line)
		TAKE(has_line, line, l->line, line_src);
#undef TAKE
	if (l->has_function && !o->has_function) {
		o->has_function = true;
		snprintf(o->function, sizeof(o->function), "%s", l->function);
		o->function_src = E4ERR_SRC_KMSG;
	} else if (l->has_function && !strcmp(o->function, l->function)) {
		o->function_src |= E4ERR_SRC_KMSG;
	}
	o->has_group = l->has_group;
	o->group = l->group;
	if ((o->has_comm = l->has_comm))
		copy_bytes(o->comm, &o->comm_len, l->comm, l->comm_len);
	if ((o->has_path = l->has_path))
		copy_bytes(o->path, &o->path_len, l->path, l->path_len);
	if (l->has_msg) {
		o->has_message = true;
		copy_bytes(o->message, &o->message_len, l->msg, l->msg_len);
	}
	o->has_kmsg = true;
	o->kmsg_seq = l->seq;
	o->kmsg_ts_usec = l->ts_usec;
	o->kmsg_kind = l->kind;
	o->sources |= E4ERR_SRC_KMSG;
}

static void object_from_event(struct e4err_enriched_object *o,
			      const struct e4err_event *ev)
{
	memset(o, 0, sizeof(*o));
	if (ev->has_inode && !ev->inode_is_placeholder) {
		o->has_inode = true;
		o->inode = ev->inode;
		o->inode_src = E4ERR_SRC_EVENT;
	}
	if (ev->has_block) {
		o->has_block = true;
		o->block = ev->block;
		o->block_src = E4ERR_SRC_EVENT;
	}
	if (ev->has_function) {
		o->has_function = true;
		snprintf(o->function, sizeof(o->function), "%s", ev->function);
		o->function_src = E4ERR_SRC_EVENT;
	}
	if (ev->has_line && ev->line >= 0) {
		o->has_line = true;
		o->line = (uint32_t)ev->line;
		o->line_src = E4ERR_SRC_EVENT;
	}
	if (ev->has_desc) {
		size_t n = ev->desc_len;

		/* The RFC description ends with the kernel's newline. */
		if (n && ev->desc[n - 1] == '\n')
			n--;
		if (n > E4ERR_KLOG_MSG_MAX)
			n = E4ERR_KLOG_MSG_MAX;
		o->has_message = true;
		copy_bytes(o->message, &o->message_len, ev->desc, n);
	}
	o->sources = E4ERR_SRC_EVENT;
}

static bool same_errrec_object(const struct e4err_enriched_object *o,
			       const struct e4err_sb_errrec *e)
{
	if (o->has_inode != e->has_inode ||
	    (o->has_inode && o->inode != e->inode))
		return false;
	/* Same inode: also the same place, when both name one. */
	return !o->has_function || !o->has_line ||
		(o->line == e->line &&
		 !strncmp(o->function, e->function, sizeof(e->function) - 1));
}

static void object_from_sb(struct e4err_enriched_object *o,
			   const struct e4err_sb_errrec *e)
{
	if (e->has_inode && !o->has_inode) {
		o->has_inode = true;
		o->inode = e->inode;
		o->inode_src = E4ERR_SRC_SUPERBLOCK;
	} else if (e->has_inode) {
		o->inode_src |= E4ERR_SRC_SUPERBLOCK;
	}
	if (e->has_block && !o->has_block) {
		o->has_block = true;
		o->block = e->block;
		o->block_src = E4ERR_SRC_SUPERBLOCK;
	} else if (e->has_block && o->block == e->block) {
		o->block_src |= E4ERR_SRC_SUPERBLOCK;
	}
	if (e->function[0] && !o->has_function) {
		o->has_function = true;
		snprintf(o->function, sizeof(o->function), "%s", e->function);
		o->function_src = E4ERR_SRC_SUPERBLOCK;
	} else if (e->function[0] && !strcmp(o->function, e->function)) {
		o->function_src |= E4ERR_SRC_SUPERBLOCK;
	}
	if (e->line && !o->has_line) {
		o->has_line = true;
		o->line = e->line;
		o->line_src = E4ERR_SRC_SUPERBLOCK;
	} else if (e->line && o->line == e->line) {
		o->line_src |= E4ERR_SRC_SUPERBLOCK;
	}
	if (e->errcode) {
		o->has_errcode = true;
		o->errcode = e->errcode;
	}
	o->sources |= E4ERR_SRC_SUPERBLOCK;
}

/* ---- matching lines to events ---------------------------------------------- */

static bool is_error_line(const struct e4err_klog *l)
{
	return l->kind == E4ERR_KLOG_ERROR || l->kind == E4ERR_KLOG_STD_ERROR ||
		l->kind == E4ERR_KLOG_GROUP_ERROR;
}

/* The line reports the object the event names (or, like it, none). */
static bool primary_match(const struct pending *p, const struct e4err_klog *l)
{
	const struct e4err_event *ev = &p->r.ev;

	if (ev->has_inode && !ev->inode_is_placeholder)
		return l->has_inode && l->inode == ev->inode;
	/* Group-locked errors send no event: not this one's line. */
	return !l->has_inode && l->kind != E4ERR_KLOG_GROUP_ERROR;
}

/* The line may be one of the errors the kernel folded into the event. */
static bool merge_match(const struct pending *p, const struct e4err_klog *l)
{
	const struct e4err_enriched_object *o = &p->r.obj[0];
	size_t want = p->r.errors < E4ERR_ENRICH_OBJECTS_MAX ?
		(size_t)p->r.errors : E4ERR_ENRICH_OBJECTS_MAX;

	if (!p->primary_kmsg || p->r.nobjects >= want || !o->has_comm ||
	    !l->has_comm || l->seq <= o->kmsg_seq)
		return false;
	/* Folding is per process: the caller ids must agree where given. */
	if (l->has_caller && p->has_caller && l->caller != p->caller)
		return false;
	return l->comm_len == o->comm_len &&
		!memcmp(l->comm, o->comm, o->comm_len);
}

/* Offer a line to a waiting event; true when the event took it. */
static bool offer(struct e4err_enrich *en, struct pending *p,
		  const struct e4err_klog *l)
{
	if (!p->primary_kmsg && primary_match(p, l)) {
		object_from_line(&p->r.obj[0], l);
		p->primary_kmsg = true;
		p->has_caller = l->has_caller;
		p->caller = l->caller;
		p->r.suppressed += l->suppressed_before;
		en->stats.matched++;
		return true;
	}
	if (merge_match(p, l)) {
		struct e4err_enriched_object *o = &p->r.obj[p->r.nobjects++];

		memset(o, 0, sizeof(*o));
		object_from_line(o, l);
		p->r.suppressed += l->suppressed_before;
		en->stats.recovered++;
		return true;
	}
	return false;
}

static void drop_line(struct efs *f, size_t i)
{
	memmove(&f->lines[i], &f->lines[i + 1],
		(f->nlines - i - 1) * sizeof(*f->lines));
	f->nlines--;
}

/* A line no event claimed: an error known from the log alone. */
static void line_alone(struct e4err_enrich *en, struct efs *f, size_t i)
{
	struct e4err_enriched *r = calloc(1, sizeof(*r));

	if (r) {
		r->fs = f->cookie;
		r->received_ms = f->lines[i].recv_ms;
		r->errors = 1;
		r->nobjects = 1;
		object_from_line(&r->obj[0], &f->lines[i].l);
		r->suppressed = f->lines[i].l.suppressed_before;
		note_last(f, r, f->lines[i].recv_ms);
		push_out(en, r);
	}
	f->lines_alone++;
	en->stats.lines_alone++;
	drop_line(f, i);
}

/* Let the event take the lines it matches from the recent ones. */
static void claim_lines(struct e4err_enrich *en, struct efs *f,
			struct pending *p, uint64_t now_ms)
{
	size_t i = 0;

	while (i < f->nlines) {
		if (f->lines[i].recv_ms + E4ERR_ENRICH_WINDOW_MS >= now_ms &&
		    offer(en, p, &f->lines[i].l))
			drop_line(f, i);
		else
			i++;
	}
}

/* ---- events ---------------------------------------------------------------- */

static uint64_t real_s(void)
{
	return (uint64_t)time(NULL);
}

static void finish(struct e4err_enrich *en, struct efs *f, size_t i,
		   uint64_t now_ms)
{
	struct pending *p = f->pend[i];
	struct e4err_enriched *r = malloc(sizeof(*r));

	if (r) {
		*r = p->r;
		r->unrecovered = r->errors > r->nobjects ?
			r->errors - r->nobjects : 0;
		note_last(f, r, now_ms);
		push_out(en, r);
	}
	free(p);
	memmove(&f->pend[i], &f->pend[i + 1], (f->npend - i - 1) * sizeof(*f->pend));
	f->npend--;
}

static struct pending *new_pending(struct e4err_enrich *en, struct efs *f,
				   uint64_t now_ms)
{
	struct pending **v, *p;

	if (f->npend == E4ERR_ENRICH_EVENTS_MAX)
		finish(en, f, 0, now_ms);
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	v = realloc(f->pend, (f->npend + 1) * sizeof(*v));
	if (!v) {
		free(p);
		return NULL;
	}
	f->pend = v;
	f->pend[f->npend++] = p;
	return p;
}

void e4err_enrich_event(struct e4err_enrich *en, void *fs,
			const struct e4err_event *ev,
			const struct e4err_store_ref *ref, uint64_t now_ms)
{
	struct efs *f = find_fs(en, fs);
	struct pending *p;
	uint64_t n;

	if (ev->overflow) {
		en->stats.overflows++;
		en->rescan = true;
		return;
	}
	if (ev->skipped || !f)
		return;
	en->stats.events++;
	en->proven = true;
	f->events++;
	if (e4err_fsmode_event(&f->mode, now_ms))
		f->news_mode = true;
	n = ev->has_error_count && ev->error_count ? ev->error_count : 1;
	e4err_lost_event(&f->lost, n, now_ms);
	p = new_pending(en, f, now_ms);
	if (!p)
		return;
	p->r.fs = fs;
	p->r.has_event = true;
	p->r.ev = *ev;
	p->r.has_ref = ref != NULL;
	if (ref)
		p->r.ref = *ref;
	p->r.received_ms = now_ms;
	p->r.errors = n;
	p->r.nobjects = 1;
	object_from_event(&p->r.obj[0], ev);
	p->settle_ms = now_ms + (f->gone ? 0 : E4ERR_ENRICH_SETTLE_MS);
	p->sb_due_ms = now_ms + sb_delay_ms[0];
	p->sb_done = !f->device || f->read_only || f->gone;
	p->r.fs_gone = f->gone;
	p->has_counter_before = f->has_counter;
	p->counter_before = f->counter;
	p->recv_real_s = real_s();
	claim_lines(en, f, p, now_ms);
}

/* ---- lines ----------------------------------------------------------------- */

static void note_quiet(struct efs *f, uint64_t now_ms)
{
	if (f->nquiet == E4ERR_LOST_PENDING_MAX)
		memmove(f->quiet_ms, f->quiet_ms + 1,
			--f->nquiet * sizeof(f->quiet_ms[0]));
	f->quiet_ms[f->nquiet++] = now_ms;
	f->quiet_total++;
}

void e4err_enrich_line(struct e4err_enrich *en, const struct e4err_klog *l,
		       uint64_t now_ms)
{
	struct line_slot *v;
	struct efs *f;
	size_t i;

	en->stats.lines++;
	if (!l->has_device)
		return;		/* "callbacks suppressed": carried by the next line */
	f = find_kname(en, l->device);
	if (!f) {
		en->stats.lines_unknown_fs++;
		return;
	}
	if (l->kind == E4ERR_KLOG_LOST) {
		e4err_lost_kernel_line(&f->lost);
		f->news_lost++;
		return;
	}
	if (!is_error_line(l))
		return;
	f->nlines_total++;
	/* mballoc's group-locked errors never send an event. */
	if (l->kind == E4ERR_KLOG_GROUP_ERROR)
		note_quiet(f, now_ms);
	for (i = 0; i < f->npend; i++)
		if (f->pend[i]->settle_ms >= now_ms && offer(en, f->pend[i], l))
			return;
	if (f->nlines == E4ERR_ENRICH_LINES_MAX)
		line_alone(en, f, 0);
	v = realloc(f->lines, (f->nlines + 1) * sizeof(*v));
	if (!v)
		return;
	f->lines = v;
	f->lines[f->nlines].l = *l;
	f->lines[f->nlines++].recv_ms = now_ms;
}

/* ---- counters and superblocks ---------------------------------------------- */

void e4err_enrich_counter(struct e4err_enrich *en, void *fs, uint32_t value,
			  uint64_t now_ms)
{
	struct efs *f = find_fs(en, fs);

	if (!f)
		return;
	if (!f->has_counter || !f->lost.known)
		e4err_lost_first_sight(&f->lost, value);
	else
		e4err_lost_counter(&f->lost, value, now_ms);
	f->has_counter = true;
	f->counter = value;
}

static errcode_t read_counter(const struct efs *f, uint32_t *value)
{
	struct e4err_sb_errors sb;
	errcode_t err = ENOENT;
	int fd = -1;

	if (f->kname && !e4err_errors_count_open(f->kname, &fd)) {
		err = e4err_errors_count_read(fd, value);
		close(fd);
		if (!err)
			return 0;
	}
	if (!f->device)
		return err;
	err = e4err_sb_errors_read(f->device, &sb);
	if (!err)
		*value = sb.error_count;
	return err;
}

void e4err_enrich_rescan(struct e4err_enrich *en, uint64_t now_ms)
{
	uint32_t v;
	size_t i;

	en->rescan = false;
	for (i = 0; i < en->nfs; i++)
		if (!en->fs[i]->gone && !read_counter(en->fs[i], &v))
			e4err_enrich_counter(en, en->fs[i]->cookie, v, now_ms);
}

bool e4err_enrich_rescan_wanted(const struct e4err_enrich *en)
{
	return en->rescan;
}

/*
 * A superblock error record (its last, or its first when the error is
 * the filesystem's first in a while) recent enough to be this event's:
 * it corroborates or fills in the object it names, or, for a merged event,
 * is one of the errors folded into it.
 */
static void apply_errrec(struct pending *p, const struct e4err_sb_errrec *e)
{
	size_t i, want;

	if (!e->present || e->time + SB_RECENT_S < p->recv_real_s)
		return;
	for (i = 0; i < p->r.nobjects; i++)
		if (same_errrec_object(&p->r.obj[i], e)) {
			object_from_sb(&p->r.obj[i], e);
			return;
		}
	want = p->r.errors < E4ERR_ENRICH_OBJECTS_MAX ?
		(size_t)p->r.errors : E4ERR_ENRICH_OBJECTS_MAX;
	if (p->r.nobjects < want) {
		struct e4err_enriched_object *o = &p->r.obj[p->r.nobjects++];

		memset(o, 0, sizeof(*o));
		object_from_sb(o, e);
	}
}

static void apply_sb(struct pending *p)
{
	apply_errrec(p, &p->r.sb.last);
	/* The first error is only ever this one's when the count says so. */
	if (p->has_counter_before && p->counter_before == 0)
		apply_errrec(p, &p->r.sb.first);
}

static bool sb_counted(const struct pending *p)
{
	const struct e4err_sb_errrec *e = &p->r.sb.last;

	if (p->has_counter_before &&
	    p->r.sb.error_count >= (uint64_t)p->counter_before + p->r.errors)
		return true;
	return e->present && e->time + 1 >= p->recv_real_s &&
		same_errrec_object(&p->r.obj[0], e);
}

static void sb_try(struct e4err_enrich *en, struct efs *f, struct pending *p,
		   uint64_t now_ms)
{
	struct e4err_sb_errors sb;
	errcode_t err;

	en->stats.sb_reads++;
	err = e4err_sb_errors_read(f->device, &sb);
	p->sb_tries++;
	if (err) {
		en->stats.sb_failed++;
		p->sb_done = true;	/* gone or unreadable: no use retrying */
		return;
	}
	p->r.has_sb = true;
	p->r.sb = sb;
	/* The superblock's count is the counter too (sysfs shows the same). */
	e4err_enrich_counter(en, f->cookie, sb.error_count, now_ms);
	p->r.sb_counted = sb_counted(p);
	if (p->r.sb_counted || p->sb_tries == E4ERR_ENRICH_SB_TRIES) {
		apply_sb(p);
		p->sb_done = true;
	} else {
		p->sb_due_ms = p->r.received_ms + sb_delay_ms[p->sb_tries];
	}
}

/* ---- the timer ------------------------------------------------------------- */

static void earliest(uint64_t *next, uint64_t t)
{
	if (!*next || t < *next)
		*next = t;
}

static void tick_events(struct e4err_enrich *en, struct efs *f, uint64_t now_ms,
			uint64_t *next)
{
	size_t i = 0;

	while (i < f->npend) {
		struct pending *p = f->pend[i];

		if (!p->sb_done && p->sb_due_ms <= now_ms)
			sb_try(en, f, p, now_ms);
		if (p->sb_done && p->settle_ms <= now_ms) {
			finish(en, f, i, now_ms);
			continue;
		}
		if (!p->sb_done)
			earliest(next, p->sb_due_ms);
		if (p->settle_ms > now_ms)
			earliest(next, p->settle_ms);
		i++;
	}
}

static void tick_lines(struct e4err_enrich *en, struct efs *f, uint64_t now_ms,
		       uint64_t *next)
{
	while (f->nlines && f->lines[0].recv_ms + E4ERR_ENRICH_WINDOW_MS <= now_ms)
		line_alone(en, f, 0);
	if (f->nlines)
		earliest(next, f->lines[0].recv_ms + E4ERR_ENRICH_WINDOW_MS);
}

/* Group-locked lines seen within the grace explain that many losses. */
static uint64_t take_quiet(struct efs *f, uint64_t n, uint64_t now_ms)
{
	uint64_t q = 0;
	size_t i = 0;

	while (i < f->nquiet && f->quiet_ms[i] + 2 * E4ERR_LOST_GRACE_MS < now_ms)
		i++;
	memmove(f->quiet_ms, f->quiet_ms + i, (f->nquiet - i) * sizeof(uint64_t));
	f->nquiet -= i;
	q = n < f->nquiet ? n : f->nquiet;
	memmove(f->quiet_ms, f->quiet_ms + q, (f->nquiet - q) * sizeof(uint64_t));
	f->nquiet -= (size_t)q;
	return q;
}

static void tick_lost(struct e4err_enrich *en, struct efs *f, uint64_t now_ms,
		      uint64_t *next)
{
	uint64_t lost, quiet, when = 0;

	lost = e4err_lost_settle(&f->lost, now_ms, &when);
	if (when)
		earliest(next, when);
	if (!lost)
		return;
	f->news_lost += lost;
	quiet = take_quiet(f, lost, now_ms);
	if (e4err_fsmode_lost(&f->mode, lost, quiet, en->proven, now_ms))
		f->news_mode = true;
}

uint64_t e4err_enrich_tick(struct e4err_enrich *en, uint64_t now_ms)
{
	uint64_t next = 0;
	size_t i;

	for (i = 0; i < en->nfs; i++) {
		tick_events(en, en->fs[i], now_ms, &next);
		tick_lines(en, en->fs[i], now_ms, &next);
		tick_lost(en, en->fs[i], now_ms, &next);
	}
	return next;
}

static void finish_events(struct e4err_enrich *en, struct efs *f,
			  uint64_t now_ms, bool gone)
{
	while (f->npend) {
		f->pend[0]->r.fs_gone |= gone;
		finish(en, f, 0, now_ms);
	}
}

static void finish_all(struct e4err_enrich *en, struct efs *f, uint64_t now_ms,
		       bool gone)
{
	finish_events(en, f, now_ms, gone);
	while (f->nlines)
		line_alone(en, f, 0);
}

void e4err_enrich_fs_gone(struct e4err_enrich *en, void *fs, uint64_t now_ms)
{
	struct efs *f = find_fs(en, fs);

	if (!f || f->gone)
		return;
	f->gone = true;
	/* Its lines stay: a late event (lazy unmount) may still claim them. */
	finish_events(en, f, now_ms, true);
}

void e4err_enrich_flush(struct e4err_enrich *en, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < en->nfs; i++)
		finish_all(en, en->fs[i], now_ms, false);
}

void e4err_enrich_remove_fs(struct e4err_enrich *en, void *fs, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < en->nfs; i++) {
		if (en->fs[i]->cookie != fs)
			continue;
		finish_all(en, en->fs[i], now_ms, true);
		efs_free(en->fs[i]);
		memmove(&en->fs[i], &en->fs[i + 1],
			(en->nfs - i - 1) * sizeof(*en->fs));
		en->nfs--;
		return;
	}
}

/* ---- what the caller reads ------------------------------------------------- */

static void fill_info(const struct efs *f, struct e4err_enrich_fs_info *info)
{
	memset(info, 0, sizeof(*info));
	info->fs = f->cookie;
	info->kname = f->kname;
	info->device = f->device;
	info->gone = f->gone;
	info->mode = f->mode;
	info->lost = f->lost;
	info->has_counter = f->has_counter;
	info->counter = f->counter;
	info->events = f->events;
	info->lines = f->nlines_total;
	info->lines_alone = f->lines_alone;
	info->quiet_lines = f->quiet_total;
	info->has_last = f->has_last;
	info->last = f->last;
	info->last_ms = f->last_ms;
}

bool e4err_enrich_news(struct e4err_enrich *en,
		       struct e4err_enrich_fs_info *info, uint64_t *new_lost)
{
	size_t i;

	for (i = 0; i < en->nfs; i++) {
		struct efs *f = en->fs[i];

		if (!f->news_mode && !f->news_lost)
			continue;
		fill_info(f, info);
		*new_lost = f->news_lost;
		f->news_mode = false;
		f->news_lost = 0;
		return true;
	}
	return false;
}

size_t e4err_enrich_nfs(const struct e4err_enrich *en)
{
	return en->nfs;
}

bool e4err_enrich_fs_info(const struct e4err_enrich *en, size_t i,
			  struct e4err_enrich_fs_info *info)
{
	if (i >= en->nfs)
		return false;
	fill_info(en->fs[i], info);
	return true;
}

const struct e4err_enrich_stats *e4err_enrich_get_stats(const struct e4err_enrich *en)
{
	return &en->stats;
}
