/*
 * lost.c --- accounting for errors no event reported, and the mode each
 * filesystem is watched in (lost.h).  Pure: no I/O, the caller brings the
 * counter values and the clock.
 */
#include "config.h"

#include <string.h>

#include "lost.h"

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

/* Append to a FIFO; when full, the newest entry absorbs it (later time). */
static void push(struct e4err_lost_wait *q, size_t *nq, uint64_t n,
		 uint64_t now_ms)
{
	if (!n)
		return;
	if (*nq == E4ERR_LOST_PENDING_MAX) {
		q[*nq - 1].n = add_sat(q[*nq - 1].n, n);
		q[*nq - 1].at_ms = now_ms;
		return;
	}
	q[*nq].at_ms = now_ms;
	q[(*nq)++].n = n;
}

/* Take up to n from the FIFO, oldest first; returns what was left of n. */
static uint64_t take(struct e4err_lost_wait *q, size_t *nq, uint64_t n)
{
	size_t used = 0;

	while (n && used < *nq) {
		uint64_t t = q[used].n < n ? q[used].n : n;

		q[used].n -= t;
		n -= t;
		if (!q[used].n)
			used++;
	}
	memmove(q, q + used, (*nq - used) * sizeof(*q));
	*nq -= used;
	return n;
}

void e4err_lost_first_sight(struct e4err_lost *l, uint32_t counter)
{
	memset(l, 0, sizeof(*l));
	l->known = true;
	l->pre_watch = counter;
	l->value = counter;
}

void e4err_lost_event(struct e4err_lost *l, uint64_t n, uint64_t now_ms)
{
	if (!n)
		n = 1;
	l->reported = add_sat(l->reported, n);
	n = take(l->rises, &l->nrises, n);
	push(l->arrived, &l->narrived, n, now_ms);
}

void e4err_lost_counter(struct e4err_lost *l, uint32_t value, uint64_t now_ms)
{
	uint64_t delta;

	if (!l->known) {
		e4err_lost_first_sight(l, value);
		return;
	}
	if (value < l->value) {
		/* Reset by e2fsck: a new baseline, nothing lost by the fall. */
		l->resets++;
		l->value = value;
		return;
	}
	delta = value - l->value;
	l->value = value;
	l->counted = add_sat(l->counted, delta);
	delta = take(l->arrived, &l->narrived, delta);
	push(l->rises, &l->nrises, delta, now_ms);
}

void e4err_lost_kernel_line(struct e4err_lost *l)
{
	l->lost_lines = add_sat(l->lost_lines, 1);
}

/* Drop the entries older than the grace; returns their sum. */
static uint64_t expire(struct e4err_lost_wait *q, size_t *nq, uint64_t now_ms,
		       uint64_t *next_ms)
{
	uint64_t sum = 0;
	size_t i = 0;

	while (i < *nq && q[i].at_ms + E4ERR_LOST_GRACE_MS <= now_ms)
		sum = add_sat(sum, q[i++].n);
	memmove(q, q + i, (*nq - i) * sizeof(*q));
	*nq -= i;
	if (*nq && (!*next_ms || q[0].at_ms + E4ERR_LOST_GRACE_MS < *next_ms))
		*next_ms = q[0].at_ms + E4ERR_LOST_GRACE_MS;
	return sum;
}

uint64_t e4err_lost_settle(struct e4err_lost *l, uint64_t now_ms,
			   uint64_t *next_ms)
{
	uint64_t next = 0, lost;

	l->uncounted = add_sat(l->uncounted,
			       expire(l->arrived, &l->narrived, now_ms, &next));
	lost = expire(l->rises, &l->nrises, now_ms, &next);
	l->lost_rises = add_sat(l->lost_rises, lost);
	if (next_ms)
		*next_ms = next;
	return lost;
}

uint64_t e4err_lost_reports(const struct e4err_lost *l)
{
	return add_sat(l->lost_rises, l->lost_lines);
}

/* ---- mode ------------------------------------------------------------------ */

void e4err_fsmode_init(struct e4err_fsmode *m, bool marked, bool abi,
		       uint64_t now_ms)
{
	memset(m, 0, sizeof(*m));
	m->since_ms = now_ms;
	if (!abi) {
		m->mode = E4ERR_MODE_COUNTERS;
		m->reason = E4ERR_MODE_R_NO_ABI;
	} else if (!marked) {
		m->mode = E4ERR_MODE_COUNTERS;
		m->reason = E4ERR_MODE_R_NO_MARK;
	} else {
		m->mode = E4ERR_MODE_EVENTS;
		m->reason = E4ERR_MODE_R_EXPECTED;
	}
}

bool e4err_fsmode_event(struct e4err_fsmode *m, uint64_t now_ms)
{
	bool changed = m->mode != E4ERR_MODE_EVENTS;

	if (changed || m->reason != E4ERR_MODE_R_SEEN)
		m->since_ms = now_ms;
	m->mode = E4ERR_MODE_EVENTS;
	m->reason = E4ERR_MODE_R_SEEN;
	m->silent = 0;
	return changed;
}

bool e4err_fsmode_lost(struct e4err_fsmode *m, uint64_t n, uint64_t quiet,
		       bool proven, uint64_t now_ms)
{
	/*
	 * Only a filesystem still waiting for its first event can be
	 * silent: once one came, later losses are losses (a full queue).
	 */
	if (m->mode != E4ERR_MODE_EVENTS || m->reason != E4ERR_MODE_R_EXPECTED ||
	    proven || n <= quiet)
		return false;
	m->silent = add_sat(m->silent, n - quiet);
	m->mode = E4ERR_MODE_COUNTERS;
	m->reason = E4ERR_MODE_R_SILENT;
	m->since_ms = now_ms;
	return true;
}

const char *e4err_fs_mode_name(enum e4err_fs_mode mode)
{
	return mode == E4ERR_MODE_COUNTERS ? "counters" : "events";
}

const char *e4err_mode_reason_name(enum e4err_mode_reason r)
{
	switch (r) {
	case E4ERR_MODE_R_EXPECTED:
		return "expected";
	case E4ERR_MODE_R_SEEN:
		return "seen";
	case E4ERR_MODE_R_NO_ABI:
		return "no_abi";
	case E4ERR_MODE_R_NO_MARK:
		return "no_mark";
	case E4ERR_MODE_R_SILENT:
		return "silent";
	}
	return "unknown";
}
