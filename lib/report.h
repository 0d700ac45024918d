/*
 * report.h --- the findings store for people, programs and monitoring.
 *
 * Reads the store (never writes it) and renders what happened per
 * filesystem, newest first: as text with every kernel or on-disk string
 * escaped, as one JSON document (valid for any stored bytes), or as
 * node_exporter textfile metrics written atomically.  report.c owns text
 * and JSON, report_metrics.c the metrics.
 */
#ifndef E4ERR_REPORT_H
#define E4ERR_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <et/com_err.h>
#include <jansson.h>

#include "store.h"

/* Readable text: filesystems, their inodes with verdicts and findings, jobs. */
errcode_t e4err_report_text(FILE *f, struct e4err_store *st,
			    const struct e4err_store_filter *flt);

/*
 * The JSON document {"filesystems": [...]} (keys in docs/STORE.md and
 * e4errd(8)); NULL with *err set on failure.
 */
json_t *e4err_report_json(struct e4err_store *st,
			  const struct e4err_store_filter *flt, errcode_t *err);
/* The same, printed (indented, ASCII only). */
errcode_t e4err_report_print_json(FILE *f, struct e4err_store *st,
				  const struct e4err_store_filter *flt);

/* The metrics in the Prometheus text exposition format, to f. */
errcode_t e4err_report_metrics_write(FILE *f, struct e4err_store *st);
/*
 * Write the metrics to path atomically: a temporary file in the same
 * directory, fsync'd, then renamed over path (node_exporter never reads a
 * half-written file).  Filters do not apply: metrics are totals.
 */
errcode_t e4err_report_metrics(struct e4err_store *st, const char *path);

/*
 * A time for --since: ISO-8601 ("2026-11-25", "2026-11-25T12:00",
 * "2026-11-25 12:00:30Z", "...+02:00"; local time without a zone),
 * "@SECONDS" since the epoch, or relative to now_ns: "-90s", "-30m",
 * "-1h", "-7d", "-2w".  E4ERR_BAD_TIME when it is none of these.
 */
errcode_t e4err_parse_time(const char *s, uint64_t now_ns, uint64_t *ns);

#endif /* E4ERR_REPORT_H */
