/*
 * report_int.h --- what report.c and report_metrics.c share, private to
 * the report module: what enrichment added to each inode
 * and each filesystem's lost reports (report_enrich.c).
 */
#ifndef E4ERR_REPORT_INT_H
#define E4ERR_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <et/com_err.h>
#include <jansson.h>

#include "store.h"

/* The newest enrichment row of one inode (or of errors naming none). */
struct report_enr {
	bool has_inode;
	uint64_t inode;
	bool has_event;		/* false: known from the kernel log only */
	uint64_t time_ns;
	bool has_block;
	uint64_t block;
	bool has_line;
	uint32_t line;
	/* Raw kernel bytes with their lengths; NULL: absent. */
	char *function, *comm, *message;
	size_t function_len, comm_len, message_len;
	json_t *sources;	/* {"inode": ["event","kmsg"], ...} or NULL */
	bool shown;		/* the inode list had it */
};

/* Every inode's, sorted by (has_inode, inode). */
struct report_enrs {
	struct report_enr *v;
	size_t n, cap;
};

/* The enrichments of filesystem uuid matching flt (since, inode). */
errcode_t report_enrs_load(struct e4err_store *st, const char *uuid,
			   const struct e4err_store_filter *flt,
			   struct report_enrs *out);
struct report_enr *report_enrs_find(const struct report_enrs *e,
				    bool has_inode, uint64_t inode);
void report_enrs_free(struct report_enrs *e);

/*
 * The errors filesystem uuid counted that reached e4errd as no event, in
 * total since e4errd first watched it (its error mark).
 */
errcode_t report_lost_reports(struct e4err_store *st, const char *uuid,
			      uint64_t *n);

/*
 * The kernel's words about an inode: what enrichment recorded, else the
 * newest event's (an RFC event carries them; a mainline one does not).
 */
struct report_words {
	bool has_inode, has_block, has_line;
	uint64_t block;
	int64_t line;
	const char *function, *comm, *message;	/* raw bytes, or NULL */
	size_t function_len, comm_len, message_len;
	const json_t *sources;	/* enrichment's; NULL: all the event's */
};

void report_words_of(const struct e4err_store_inode_summary *in,
		     const struct report_enr *e, struct report_words *w);
/* Keys block, line, function, comm, message (+ _hex) and sources. */
int report_words_json(json_t *o, const struct report_words *w);
/* "    kernel: ..." and "    sources: ..." lines, every string escaped. */
void report_words_text(FILE *f, const struct report_words *w);

/* report.c: n raw bytes escaped for a terminal; a kernel string as JSON. */
void report_put_esc(FILE *f, const char *s, size_t n);
int report_set_kernel(json_t *o, const char *key, const char *s, size_t n);

#endif /* E4ERR_REPORT_INT_H */
