/*
 * kmsg_read.c --- records into whole lines, and reading /dev/kmsg (kmsg.h).
 *
 * mballoc's group-locked errors are printed in pieces ("group G, ", then
 * KERN_CONT "inode I: ", "block B:", the message).  The kernel joins the
 * pieces into one record unless another CPU printed in between: then each
 * later piece is a record of its own flagged 'c', perhaps after records
 * of other callers.  The assembler keeps a few such unfinished lines and
 * appends the 'c' records to them (by caller id when the kernel gives
 * one, else to the newest), passing a line on once its message arrives,
 * or unfinished when a second has passed on the kernel's clock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "e4err_err.h"
#include "kmsg.h"

/* ---- the assembler -------------------------------------------------------- */

void e4err_kmsg_asm_init(struct e4err_kmsg_asm *a)
{
	memset(a, 0, sizeof(*a));
}

static bool is_error_kind(enum e4err_klog_kind k)
{
	return k == E4ERR_KLOG_ERROR || k == E4ERR_KLOG_STD_ERROR ||
		k == E4ERR_KLOG_GROUP_ERROR;
}

static void emit(struct e4err_kmsg_asm *a, const struct e4err_kmsg_record *hdr,
		 struct e4err_klog *l, e4err_klog_cb cb, void *arg)
{
	l->seq = hdr->seq;
	l->ts_usec = hdr->ts_usec;
	l->has_caller = hdr->has_caller;
	l->caller = hdr->caller;
	l->level = hdr->level;
	/* ext4's "callbacks suppressed" comes just before its next line. */
	if (e4err_klog_ext4_suppressor(l)) {
		a->pending_suppressed = l->suppressed > UINT32_MAX -
			a->pending_suppressed ? UINT32_MAX :
			a->pending_suppressed + l->suppressed;
	} else if (is_error_kind(l->kind)) {
		l->suppressed_before = a->pending_suppressed;
		a->pending_suppressed = 0;
	}
	if (l->partial)
		a->stats.partial++;
	a->stats.lines++;
	cb(arg, l);
}

static void slot_emit(struct e4err_kmsg_asm *a, struct e4err_kmsg_asm_slot *s,
		      e4err_klog_cb cb, void *arg)
{
	struct e4err_klog l;

	s->used = false;
	if (e4err_klog_parse(s->text, s->len, &l) != E4ERR_KLOG_NONE)
		emit(a, &s->hdr, &l, cb, arg);
}

static struct e4err_kmsg_asm_slot *oldest_slot(struct e4err_kmsg_asm *a)
{
	struct e4err_kmsg_asm_slot *o = NULL;
	size_t i;

	for (i = 0; i < E4ERR_KMSG_ASM_SLOTS; i++)
		if (a->slot[i].used && (!o || a->slot[i].hdr.seq < o->hdr.seq))
			o = &a->slot[i];
	return o;
}

/* Lines whose pieces would have come by now go out unfinished. */
static void age_out(struct e4err_kmsg_asm *a, uint64_t ts_usec,
		    e4err_klog_cb cb, void *arg)
{
	size_t i;

	for (i = 0; i < E4ERR_KMSG_ASM_SLOTS; i++)
		if (a->slot[i].used &&
		    a->slot[i].hdr.ts_usec + E4ERR_KMSG_ASM_WAIT_US < ts_usec)
			slot_emit(a, &a->slot[i], cb, arg);
}

static struct e4err_kmsg_asm_slot *
piece_target(struct e4err_kmsg_asm *a, const struct e4err_kmsg_record *r)
{
	struct e4err_kmsg_asm_slot *t = NULL;
	size_t i;

	for (i = 0; i < E4ERR_KMSG_ASM_SLOTS; i++) {
		struct e4err_kmsg_asm_slot *s = &a->slot[i];

		if (!s->used)
			continue;
		if (r->has_caller && s->hdr.has_caller) {
			if (s->hdr.caller == r->caller)
				return s;
			continue;
		}
		if (!t || s->hdr.seq > t->hdr.seq)
			t = s;
	}
	return t;
}

static void add_piece(struct e4err_kmsg_asm *a, const struct e4err_kmsg_record *r,
		      e4err_klog_cb cb, void *arg)
{
	struct e4err_kmsg_asm_slot *s = piece_target(a, r);
	struct e4err_klog l;

	if (!s)
		return;		/* somebody else's continuation */
	if (r->text_len > sizeof(s->text) - s->len) {
		a->stats.dropped_pieces++;
		slot_emit(a, s, cb, arg);
		return;
	}
	memcpy(s->text + s->len, r->text, r->text_len);
	s->len += r->text_len;
	if (e4err_klog_parse(s->text, s->len, &l) == E4ERR_KLOG_GROUP_ERROR &&
	    !l.partial) {
		s->used = false;
		emit(a, &s->hdr, &l, cb, arg);
	}
}

static void keep_unfinished(struct e4err_kmsg_asm *a,
			    const struct e4err_kmsg_record *r,
			    e4err_klog_cb cb, void *arg)
{
	struct e4err_kmsg_asm_slot *s = NULL;
	size_t i;

	for (i = 0; i < E4ERR_KMSG_ASM_SLOTS && !s; i++)
		if (!a->slot[i].used)
			s = &a->slot[i];
	if (!s) {
		s = oldest_slot(a);
		slot_emit(a, s, cb, arg);
	}
	s->used = true;
	s->hdr = *r;
	s->hdr.text = NULL;
	s->len = r->text_len;	/* fits: an unfinished line is short */
	memcpy(s->text, r->text, s->len);
}

static bool looks_ours(const struct e4err_kmsg_record *r)
{
	return memmem(r->text, r->text_len, "EXT4-fs", 7) ||
		memmem(r->text, r->text_len, "error report", 12) ||
		memmem(r->text, r->text_len, "callbacks suppressed", 20);
}

static void track_seq(struct e4err_kmsg_asm *a, uint64_t seq)
{
	if (a->have_seq && seq > a->next_seq)
		a->stats.records_lost += seq - a->next_seq;
	if (!a->have_seq || seq >= a->next_seq)
		a->next_seq = seq + 1;
	a->have_seq = true;
}

void e4err_kmsg_asm_feed(struct e4err_kmsg_asm *a, const char *buf,
			 size_t len, e4err_klog_cb cb, void *arg)
{
	struct e4err_kmsg_record r;
	struct e4err_klog l;

	if (e4err_kmsg_record_parse(buf, len, &r)) {
		a->stats.malformed++;
		return;
	}
	a->stats.records++;
	track_seq(a, r.seq);
	if (r.facility != 0) {
		/* Written to /dev/kmsg by a process: never trusted. */
		if (looks_ours(&r))
			a->stats.foreign++;
		return;
	}
	age_out(a, r.ts_usec, cb, arg);
	if (r.cont) {
		add_piece(a, &r, cb, arg);
		return;
	}
	if (e4err_klog_parse(r.text, r.text_len, &l) == E4ERR_KLOG_NONE)
		return;
	if (l.kind == E4ERR_KLOG_GROUP_ERROR && l.partial &&
	    r.text_len <= sizeof(a->slot[0].text))
		keep_unfinished(a, &r, cb, arg);
	else
		emit(a, &r, &l, cb, arg);
}

void e4err_kmsg_asm_flush(struct e4err_kmsg_asm *a, e4err_klog_cb cb,
			  void *arg)
{
	struct e4err_kmsg_asm_slot *s;

	while ((s = oldest_slot(a)) != NULL)
		slot_emit(a, s, cb, arg);
}

bool e4err_kmsg_asm_waiting(const struct e4err_kmsg_asm *a)
{
	size_t i;

	for (i = 0; i < E4ERR_KMSG_ASM_SLOTS; i++)
		if (a->slot[i].used)
			return true;
	return false;
}

/* ---- the reader ----------------------------------------------------------- */

struct e4err_kmsg {
	int fd;
	bool is_file;		/* a regular file of records, one per line */
	struct e4err_kmsg_asm asm_;
	uint64_t wait_since_ms;	/* a line began waiting for pieces */
	size_t carry;		/* is_file: bytes of an unfinished line */
	char buf[E4ERR_KMSG_RECORD_MAX + 1];
};

static uint64_t mono_ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

errcode_t e4err_kmsg_open(const char *path, bool history,
			  struct e4err_kmsg **kmp)
{
	struct e4err_kmsg *km;
	struct stat st;

	*kmp = NULL;
	km = calloc(1, sizeof(*km));
	if (!km)
		return ENOMEM;
	e4err_kmsg_asm_init(&km->asm_);
	km->fd = open(path ? path : "/dev/kmsg",
		      O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (km->fd < 0) {
		errcode_t err = errno;

		free(km);
		return err;
	}
	km->is_file = !fstat(km->fd, &st) && S_ISREG(st.st_mode);
	/* /dev/kmsg: SEEK_END goes past the last record, SEEK_DATA to the oldest. */
	if (!history && lseek(km->fd, 0, SEEK_END) < 0) {
		errcode_t err = errno;

		e4err_kmsg_close(km);
		return err;
	}
	*kmp = km;
	return 0;
}

void e4err_kmsg_close(struct e4err_kmsg *km)
{
	if (!km)
		return;
	if (km->fd >= 0)
		close(km->fd);
	free(km);
}

int e4err_kmsg_fd(const struct e4err_kmsg *km)
{
	return km->fd;
}

/* A regular file: one record per line; " KEY=value" lines are skipped. */
static void feed_file_lines(struct e4err_kmsg *km, size_t n, bool eof,
			    e4err_klog_cb cb, void *arg)
{
	char *p = km->buf, *end = km->buf + km->carry + n, *nl;

	while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (nl > p && *p != ' ')
			e4err_kmsg_asm_feed(&km->asm_, p, (size_t)(nl - p),
					    cb, arg);
		p = nl + 1;
	}
	if ((eof || (p == km->buf && end - p == E4ERR_KMSG_RECORD_MAX)) &&
	    end > p) {
		if (*p != ' ')
			e4err_kmsg_asm_feed(&km->asm_, p, (size_t)(end - p),
					    cb, arg);
		p = end;
	}
	km->carry = (size_t)(end - p);
	memmove(km->buf, p, km->carry);
}

/* One read(2): 1 when a record (or chunk) was handled, 0 when none waits. */
static int read_one(struct e4err_kmsg *km, e4err_klog_cb cb, void *arg,
		    errcode_t *err)
{
	size_t room = E4ERR_KMSG_RECORD_MAX - (km->is_file ? km->carry : 0);
	ssize_t n;

	n = read(km->fd, km->buf + (km->is_file ? km->carry : 0), room);
	if (n < 0) {
		if (errno == EINTR)
			return 1;
		if (errno == EAGAIN)
			return 0;
		if (errno == EPIPE) {
			/* Overwritten before we read it: go on with the oldest. */
			km->asm_.stats.overruns++;
			return 1;
		}
		*err = errno;
		return 0;
	}
	if (km->is_file) {
		feed_file_lines(km, (size_t)n, n == 0, cb, arg);
		return n > 0;
	}
	if (n == 0)
		return 0;
	e4err_kmsg_asm_feed(&km->asm_, km->buf, (size_t)n, cb, arg);
	return 1;
}

errcode_t e4err_kmsg_read(struct e4err_kmsg *km, size_t max,
			  e4err_klog_cb cb, void *arg, bool *more)
{
	errcode_t err = 0;
	size_t i;
	int r = 1;

	if (!max)
		max = 512;
	for (i = 0; i < max && (r = read_one(km, cb, arg, &err)) == 1; i++)
		;
	if (more)
		*more = r == 1;
	if (!e4err_kmsg_asm_waiting(&km->asm_))
		km->wait_since_ms = 0;
	else if (!km->wait_since_ms)
		km->wait_since_ms = mono_ms_now();
	return err;
}

uint64_t e4err_kmsg_deadline(const struct e4err_kmsg *km)
{
	if (!km->wait_since_ms)
		return 0;
	return km->wait_since_ms + E4ERR_KMSG_ASM_WAIT_US / 1000;
}

void e4err_kmsg_flush(struct e4err_kmsg *km, e4err_klog_cb cb, void *arg)
{
	e4err_kmsg_asm_flush(&km->asm_, cb, arg);
	km->wait_since_ms = 0;
}

const struct e4err_kmsg_stats *e4err_kmsg_get_stats(const struct e4err_kmsg *km)
{
	return &km->asm_.stats;
}
