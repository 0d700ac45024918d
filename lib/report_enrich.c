/*
 * report_enrich.c --- what enrichment added to the store, gathered for
 * the report: per inode, the newest row of the enrichments table (the
 * kernel log's function, line, block, comm and message, and where each
 * field came from), and per filesystem the lost reports in total (kept
 * with the filesystem's error mark).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nls.h"
#include "report_int.h"

/* Order: no inode first, then by inode. */
static int key_cmp(bool ha, uint64_t a, bool hb, uint64_t b)
{
	if (ha != hb)
		return ha ? 1 : -1;
	return a < b ? -1 : a > b;
}

/* Index of the key, or where it would go (*found false). */
static size_t locate(const struct report_enrs *e, bool has_inode,
		     uint64_t inode, bool *found)
{
	size_t lo = 0, hi = e->n, mid;
	int c;

	*found = false;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = key_cmp(e->v[mid].has_inode, e->v[mid].inode, has_inode,
			    inode);
		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct report_enr *report_enrs_find(const struct report_enrs *e,
				    bool has_inode, uint64_t inode)
{
	bool found;
	size_t i = locate(e, has_inode, inode, &found);

	return found ? &e->v[i] : NULL;
}

static void enr_clear(struct report_enr *r)
{
	free(r->function);
	free(r->comm);
	free(r->message);
	json_decref(r->sources);
	memset(r, 0, sizeof(*r));
}

void report_enrs_free(struct report_enrs *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		enr_clear(&e->v[i]);
	free(e->v);
	memset(e, 0, sizeof(*e));
}

static bool dup_bytes(const char *s, size_t n, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (!s)
		return true;
	*out = malloc(n + 1);
	if (!*out)
		return false;
	memcpy(*out, s, n);
	(*out)[n] = '\0';
	*len = n;
	return true;
}

static int fill(struct report_enr *r, const struct e4err_store_enrichment_row *row)
{
	const struct e4err_store_enrichment *e = &row->e;

	r->has_inode = e->has_inode;
	r->inode = e->inode;
	r->has_event = row->has_event;
	r->time_ns = row->time_ns;
	r->has_block = e->has_block;
	r->block = e->block;
	r->has_line = e->has_line;
	r->line = e->line;
	r->sources = e->sources ? json_loads(e->sources, 0, NULL) : NULL;
	if (!dup_bytes(e->function, e->function_len, &r->function,
		       &r->function_len) ||
	    !dup_bytes(e->comm, e->comm_len, &r->comm, &r->comm_len) ||
	    !dup_bytes(e->message, e->message_len, &r->message,
		       &r->message_len))
		return ENOMEM;
	return 0;
}

/* Rows come oldest first: a later row of the same inode replaces it. */
static int take_row(void *arg, const struct e4err_store_enrichment_row *row)
{
	struct report_enrs *e = arg;
	struct report_enr *v;
	bool found;
	size_t i = locate(e, row->e.has_inode, row->e.inode, &found);

	if (found) {
		enr_clear(&e->v[i]);
		return fill(&e->v[i], row);
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 32;

		v = realloc(e->v, cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	memmove(&e->v[i + 1], &e->v[i], (e->n - i) * sizeof(*e->v));
	memset(&e->v[i], 0, sizeof(e->v[i]));
	e->n++;
	return fill(&e->v[i], row);
}

errcode_t report_enrs_load(struct e4err_store *st, const char *uuid,
			   const struct e4err_store_filter *flt,
			   struct report_enrs *out)
{
	struct e4err_store_filter f = { .fs = uuid };
	errcode_t err;

	memset(out, 0, sizeof(*out));
	if (flt) {
		f.has_since = flt->has_since;
		f.since_ns = flt->since_ns;
		f.has_inode = flt->has_inode;
		f.inode = flt->inode;
	}
	err = e4err_store_query_enrichments(st, &f, take_row, out);
	if (err)
		report_enrs_free(out);
	return err;
}

errcode_t report_lost_reports(struct e4err_store *st, const char *uuid,
			      uint64_t *n)
{
	struct e4err_store_error_mark m;
	errcode_t err;

	err = e4err_store_get_error_mark(st, uuid, &m);
	*n = err || !m.known ? 0 : m.lost_reports;
	return err;
}

/* ---- the kernel's words ------------------------------------------------------ */

void report_words_of(const struct e4err_store_inode_summary *in,
		     const struct report_enr *e, struct report_words *w)
{
	memset(w, 0, sizeof(*w));
	w->has_inode = in->has_inode;
	w->function = in->function;
	w->function_len = in->function_len;
	w->has_line = in->has_line;
	w->line = in->line;
	w->has_block = in->has_block;
	w->block = in->block;
	w->message = in->desc;
	w->message_len = in->desc_len;
	if (!e)
		return;
	if (e->function) {
		w->function = e->function;
		w->function_len = e->function_len;
	}
	if (e->has_line) {
		w->has_line = true;
		w->line = e->line;
	}
	if (e->has_block) {
		w->has_block = true;
		w->block = e->block;
	}
	w->comm = e->comm;
	w->comm_len = e->comm_len;
	if (e->message) {
		w->message = e->message;
		w->message_len = e->message_len;
	}
	w->sources = e->sources;
}

/* Without enrichment, every field there is came with the event. */
static json_t *event_sources(const struct report_words *w)
{
	const char *keys[5];
	json_t *s = json_object();
	size_t i, n = 0;

	if (w->has_inode)
		keys[n++] = "inode";
	if (w->has_block)
		keys[n++] = "block";
	if (w->function)
		keys[n++] = "function";
	if (w->has_line)
		keys[n++] = "line";
	if (w->message)
		keys[n++] = "message";
	for (i = 0; s && i < n; i++)
		if (json_object_set_new(s, keys[i], json_pack("[s]", "event"))) {
			json_decref(s);
			return NULL;
		}
	return s;
}

static json_t *opt_u64(bool has, uint64_t v)
{
	return has ? json_integer((json_int_t)v) : json_null();
}

int report_words_json(json_t *o, const struct report_words *w)
{
	json_t *src = w->sources ? json_deep_copy(w->sources) : event_sources(w);

	if (!src || json_object_set_new(o, "block", opt_u64(w->has_block,
							    w->block)) ||
	    json_object_set_new(o, "line", w->has_line ?
				json_integer(w->line) : json_null()))
		return -1;
	return report_set_kernel(o, "function", w->function, w->function_len) ||
		report_set_kernel(o, "comm", w->comm, w->comm_len) ||
		report_set_kernel(o, "message", w->message, w->message_len) ||
		json_object_set_new(o, "sources", src);
}

/* "inode event,kmsg; function kmsg,superblock" */
static void text_sources(FILE *f, const json_t *src)
{
	const char *key;
	json_t *list, *v;
	size_t i, n = 0;

	fputs(_("    sources:"), f);
	json_object_foreach((json_t *)src, key, list) {
		fputs(n++ ? "; " : " ", f);
		report_put_esc(f, key, strlen(key));
		fputc(' ', f);
		json_array_foreach(list, i, v) {
			const char *name = json_is_string(v) ?
				json_string_value(v) : "?";

			if (i)
				fputc(',', f);
			report_put_esc(f, name, strlen(name));
		}
	}
	fputc('\n', f);
}

void report_words_text(FILE *f, const struct report_words *w)
{
	if (!w->function && !w->has_block && !w->comm && !w->message)
		return;
	fputs(_("    kernel:"), f);
	if (w->function) {
		fputc(' ', f);
		report_put_esc(f, w->function, w->function_len);
		if (w->has_line)
			fprintf(f, ":%lld", (long long)w->line);
	}
	if (w->has_block)
		fprintf(f, _(" block %llu"), (unsigned long long)w->block);
	if (w->comm) {
		fputs(_(", comm "), f);
		report_put_esc(f, w->comm, w->comm_len);
	}
	if (w->message) {
		fputs(": ", f);
		report_put_esc(f, w->message, w->message_len);
	}
	fputc('\n', f);
	if (w->sources)
		text_sources(f, w->sources);
}
