/*
 * report.c --- the findings store as text for people and JSON for programs.
 *
 * Per filesystem, newest error first: where it is, first and last error,
 * how many events and what error_count they add up to (and what retention
 * removed), the reports the kernel counted and sent no event for, then
 * each inode with its newest verdict, findings and the kernel's words
 * (completed by enrichment from the kernel log and the superblock:
 * report_enrich.c), then the jobs (checks, hooks) and their outcomes.
 * Every string that came from the kernel, the disk or the mount table is
 * escaped in text (e4err_escape_text) and made valid JSON
 * (e4err_json_bytes): a description cannot drive the terminal or break
 * the document.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "nls.h"
#include "report.h"
#include "report_int.h"

#define NS_PER_S	1000000000ULL

/* ---- Text ---- */

/* n raw bytes, escaped for a terminal. */
void report_put_esc(FILE *f, const char *s, size_t n)
{
	char small[1024], *buf = small;
	size_t need;

	need = e4err_escape_text(small, sizeof(small), s, n);
	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (!buf) {
			fprintf(f, "%s...", small);
			return;
		}
		e4err_escape_text(buf, need + 1, s, n);
	}
	fputs(buf, f);
	if (buf != small)
		free(buf);
}

static void put_str(FILE *f, const char *s)
{
	report_put_esc(f, s ? s : "?", s ? strlen(s) : 1);
}

static const char *local_time(char *buf, size_t len, uint64_t ns)
{
	time_t t = (time_t)(ns / NS_PER_S);
	struct tm tm;

	if (!localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, len, "@%llu", (unsigned long long)(ns / NS_PER_S));
	return buf;
}

struct text_ctx {
	FILE *f;
	struct e4err_store *st;
	const struct e4err_store_filter *flt;
	errcode_t err;
	unsigned int nfs;
	struct report_enrs enrs;	/* the filesystem's being shown */
};

static int text_finding(void *arg, const struct e4err_store_finding *fd)
{
	FILE *f = arg;

	fputs("      - ", f);
	put_str(f, fd->code);
	if (fd->object) {
		fputs(", ", f);
		put_str(f, fd->object);
	}
	fputs(": ", f);
	put_str(f, fd->message ? fd->message : "");
	if (fd->errcode_name) {
		fputs(" (", f);
		put_str(f, fd->errcode_name);
		fputc(')', f);
	}
	if (!fd->related)
		fputs(_(" [found on the way, not what was reported]"), f);
	fputc('\n', f);
	return 0;
}

static void text_inode_head(FILE *f, const struct e4err_store_inode_summary *in,
			    const struct report_enr *e)
{
	char when[64], name[32];

	if (in->has_inode)
		fprintf(f, _("  inode %llu"), (unsigned long long)in->inode);
	else
		fputs(_("  no inode (filesystem-wide)"), f);
	if (!in->events && e)
		fputs(e->has_event ? _(" (reported within another object's "
				       "event)") :
		      _(" (known from the kernel log only)"), f);
	if (in->has_generation)
		fprintf(f, _(", generation %u"), in->generation);
	fprintf(f, P_(": %llu event", ": %llu events", in->events),
		(unsigned long long)in->events);
	if (in->events) {
		fprintf(f, _(" (error count %llu), last %s"),
			(unsigned long long)in->errors,
			local_time(when, sizeof(when), in->last_ns));
	}
	if (in->has_error)
		fprintf(f, ", %s (%d)", e4err_error_name(in->error, name, sizeof(name)),
			in->error);
	fputc('\n', f);
}

static int text_inode(void *arg, const struct e4err_store_inode_summary *in)
{
	struct text_ctx *c = arg;
	struct report_enr *e = report_enrs_find(&c->enrs, in->has_inode,
						in->inode);
	struct report_words w;
	FILE *f = c->f;

	if (e)
		e->shown = true;
	text_inode_head(f, in, e);
	if (!in->has_inspection) {
		fputs(_("    not inspected\n"), f);
	} else {
		fputs(_("    verdict: "), f);
		put_str(f, in->verdict);
		if (in->reason) {
			fputs(" (", f);
			put_str(f, in->reason);
			fputc(')', f);
		}
		if (in->truncated)
			fputs(_(" [inspection stopped at its work limit]"), f);
		fputc('\n', f);
		c->err = e4err_store_query_findings(c->st, &in->inspection,
						    text_finding, f);
	}
	report_words_of(in, e, &w);
	report_words_text(f, &w);
	return c->err ? 1 : 0;
}

/* An inode no event named and nothing inspected: the log names it. */
static int text_enr_only(struct text_ctx *c)
{
	struct e4err_store_inode_summary in;
	size_t i;

	for (i = 0; i < c->enrs.n && !c->err; i++) {
		if (c->enrs.v[i].shown)
			continue;
		memset(&in, 0, sizeof(in));
		in.has_inode = c->enrs.v[i].has_inode;
		in.inode = c->enrs.v[i].inode;
		text_inode(c, &in);
	}
	return c->err ? 1 : 0;
}

static int text_job(void *arg, const struct e4err_store_job_info *j)
{
	struct text_ctx *c = arg;
	FILE *f = c->f;
	char t1[64], t2[64];

	fputs(_("  job "), f);
	put_str(f, j->kind);
	fputs(": ", f);
	put_str(f, j->state);
	if (j->has_exit_status)
		fprintf(f, _(", exit status %d"), j->exit_status);
	if (j->result) {
		fputs(", ", f);
		put_str(f, j->result);
	}
	fprintf(f, _(" (created %s, last change %s)\n"),
		local_time(t1, sizeof(t1), j->created_ns),
		local_time(t2, sizeof(t2), j->updated_ns));
	if (j->reason) {
		fputs(_("    why: "), f);
		put_str(f, j->reason);
		fputc('\n', f);
	}
	if (j->detail) {
		fputs(_("    detail: "), f);
		put_str(f, j->detail);
		fputc('\n', f);
	}
	return 0;
}

static void text_fs_where(FILE *f, const struct e4err_store_fs_summary *fs)
{
	fputs(_("  device "), f);
	put_str(f, fs->device);
	if (fs->kname) {
		fputs(" (", f);
		put_str(f, fs->kname);
		fputc(')', f);
	}
	if (fs->mountpoint) {
		fputs(_(", mounted on "), f);
		put_str(f, fs->mountpoint);
	}
	fputc('\n', f);
}

static void text_fs_counts(FILE *f, const struct e4err_store_fs_summary *fs,
			   bool whole, uint64_t lost)
{
	char a[64], b[64];

	if (fs->has_first_error)
		fprintf(f, _("  first error %s, last error %s\n"),
			local_time(a, sizeof(a), fs->first_error_ns),
			local_time(b, sizeof(b), fs->last_error_ns));
	fprintf(f, P_("  %llu event", "  %llu events", fs->events),
		(unsigned long long)fs->events);
	fprintf(f, _(", error count %llu\n"), (unsigned long long)fs->errors);
	if (whole && fs->pruned_events)
		fprintf(f, _("  and %llu older events removed by retention"
			     " (error count %llu)\n"),
			(unsigned long long)fs->pruned_events,
			(unsigned long long)fs->pruned_errors);
	if (lost)
		fprintf(f, _("  lost reports: %llu (errors the kernel counted "
			     "that reached e4errd as no event, in total)\n"),
			(unsigned long long)lost);
}

static int text_fs(void *arg, const struct e4err_store_fs_summary *fs)
{
	struct text_ctx *c = arg;
	FILE *f = c->f;
	uint64_t lost;

	if (c->nfs++)
		fputc('\n', f);
	fputs(_("Filesystem "), f);
	put_str(f, fs->uuid);
	fputc('\n', f);
	text_fs_where(f, fs);
	c->err = report_lost_reports(c->st, fs->uuid, &lost);
	if (!c->err)
		c->err = report_enrs_load(c->st, fs->uuid, c->flt, &c->enrs);
	if (c->err)
		return 1;
	text_fs_counts(f, fs, !c->flt || !c->flt->has_since, lost);
	c->err = e4err_store_query_inodes(c->st, fs->uuid, c->flt, text_inode, c);
	if (!c->err)
		text_enr_only(c);
	report_enrs_free(&c->enrs);
	if (!c->err)
		c->err = e4err_store_query_jobs(c->st, fs->uuid, c->flt, text_job, c);
	return c->err ? 1 : 0;
}

errcode_t e4err_report_text(FILE *f, struct e4err_store *st,
			    const struct e4err_store_filter *flt)
{
	struct text_ctx c = { f, st, flt, 0, 0, { NULL, 0, 0 } };
	struct e4err_store_info info;
	errcode_t err;

	err = e4err_store_query_filesystems(st, flt, text_fs, &c);
	if (c.err)
		return c.err;
	if (err)
		return err;
	if (!c.nfs)
		fputs(_("No filesystem errors recorded.\n"), f);
	e4err_store_get_info(st, &info);
	if (info.spool_present) {
		fputs(_("\nIncludes records spooled in "), f);
		put_str(f, info.spool_path);
		fputs(_(" while the state directory was not writable.\n"), f);
	}
	if (fflush(f) || ferror(f))
		return errno ? errno : EIO;
	return 0;
}

/* ---- JSON ---- */

static json_t *jbytes(const char *s, size_t n)
{
	return s ? e4err_json_bytes(s, n, NULL) : json_null();
}

static json_t *jstr(const char *s)
{
	return jbytes(s, s ? strlen(s) : 0);
}

/*
 * key: the kernel's bytes as a string; when they are not valid UTF-8 the
 * exact bytes also go to key_hex, so nothing the kernel said is lost.
 */
int report_set_kernel(json_t *o, const char *key, const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char hex_key[32], *hex;
	bool lossy = false;
	json_t *j = s ? e4err_json_bytes(s, n, &lossy) : json_null();
	size_t i;
	int r;

	if (!j || json_object_set_new(o, key, j))
		return -1;
	if (!lossy)
		return 0;
	hex = malloc(2 * n + 1);
	if (!hex)
		return -1;
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[(unsigned char)s[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)s[i] & 0xf];
	}
	hex[2 * n] = 0;
	snprintf(hex_key, sizeof(hex_key), "%s_hex", key);
	r = json_object_set_new(o, hex_key, json_string(hex));
	free(hex);
	return r;
}

static json_t *jopt_u64(bool has, uint64_t v)
{
	return has ? e4err_json_u64(v) : json_null();
}

/* ISO-8601 UTC, to the second; the _ns keys carry the rest. */
static json_t *jtime(bool has, uint64_t ns)
{
	time_t t = (time_t)(ns / NS_PER_S);
	char buf[40];
	struct tm tm;

	if (!has || !gmtime_r(&t, &tm) ||
	    !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return json_null();
	return json_string(buf);
}

/*
 * Set each key of a NULL-terminated (key, value) list on o; a NULL value
 * (allocation failed) fails the whole.  Values are always consumed.
 */
static int set_all(json_t *o, ...)
{
	const char *key;
	json_t *v;
	va_list ap;
	int bad = !o;

	va_start(ap, o);
	while ((key = va_arg(ap, const char *))) {
		v = va_arg(ap, json_t *);
		if (!v || !o || json_object_set_new(o, key, v))
			bad = 1;
	}
	va_end(ap);
	return bad ? -1 : 0;
}

struct json_ctx {
	struct e4err_store *st;
	const struct e4err_store_filter *flt;
	json_t *list;	/* the array being filled */
	errcode_t err;
	struct report_enrs *enrs;	/* inodes: the filesystem's enrichments */
};

static int json_finding(void *arg, const struct e4err_store_finding *fd)
{
	struct json_ctx *c = arg;
	json_t *o = json_object();

	if (set_all(o, "code", jstr(fd->code), "message", jstr(fd->message),
		    "object", jstr(fd->object), "errcode", jstr(fd->errcode_name),
		    "related", json_boolean(fd->related), NULL) ||
	    json_array_append_new(c->list, o)) {
		c->err = ENOMEM;
		return 1;
	}
	return 0;
}

static json_t *json_error_name(const struct e4err_store_inode_summary *in)
{
	char name[32];

	if (!in->has_error)
		return json_null();
	return json_string(e4err_error_name(in->error, name, sizeof(name)));
}

static int json_inode_fields(json_t *o, const struct e4err_store_inode_summary *in,
			     const struct report_enr *e)
{
	struct report_words w;

	report_words_of(in, e, &w);
	return set_all(o,
		"inode", jopt_u64(in->has_inode, in->inode),
		"generation", jopt_u64(in->has_generation, in->generation),
		"events", e4err_json_u64(in->events),
		"error_name", json_error_name(in),
		"verdict", jstr(in->has_inspection ? in->verdict : NULL),
		"error", in->has_error ? json_integer(in->error) : json_null(),
		"error_count", e4err_json_u64(in->errors),
		"first_seen", jtime(in->events != 0, in->first_ns),
		"last_seen", jtime(in->events != 0, in->last_ns),
		"verdict_reason", jstr(in->has_inspection ? in->reason : NULL),
		"truncated", json_boolean(in->has_inspection && in->truncated),
		"inspected", jtime(in->has_inspection, in->inspected_ns), NULL) ||
		report_words_json(o, &w) ||
		report_set_kernel(o, "desc", in->desc, in->desc_len);
}

static int json_inode(void *arg, const struct e4err_store_inode_summary *in)
{
	struct json_ctx *c = arg;
	struct json_ctx fc = { c->st, c->flt, json_array(), 0, NULL };
	struct report_enr *e = report_enrs_find(c->enrs, in->has_inode,
						in->inode);
	json_t *o = json_object();

	if (e)
		e->shown = true;
	if (!fc.list || json_inode_fields(o, in, e)) {
		json_decref(fc.list);
		json_decref(o);
		c->err = ENOMEM;
		return 1;
	}
	if (in->has_inspection)
		fc.err = e4err_store_query_findings(c->st, &in->inspection,
						    json_finding, &fc);
	if (fc.err || set_all(o, "findings", fc.list, NULL) ||
	    json_array_append_new(c->list, o)) {
		c->err = fc.err ? fc.err : ENOMEM;
		return 1;
	}
	return 0;
}

static int json_job(void *arg, const struct e4err_store_job_info *j)
{
	struct json_ctx *c = arg;
	json_t *o = json_object();

	if (set_all(o, "kind", jstr(j->kind), "state", jstr(j->state),
		    "exit_status", j->has_exit_status ?
		    json_integer(j->exit_status) : json_null(),
		    "result", jstr(j->result), "reason", jstr(j->reason),
		    "detail", jstr(j->detail),
		    "inode", jopt_u64(j->has_inode, j->inode),
		    "created", jtime(true, j->created_ns),
		    "started", jtime(j->has_started, j->started_ns),
		    "updated", jtime(true, j->updated_ns), NULL) ||
	    json_array_append_new(c->list, o)) {
		c->err = ENOMEM;
		return 1;
	}
	return 0;
}

static json_t *json_fsid(const struct e4err_store_fs_summary *fs)
{
	char buf[24];

	if (!fs->has_fsid)
		return json_null();
	snprintf(buf, sizeof(buf), "%08x:%08x", fs->fsid[0], fs->fsid[1]);
	return json_string(buf);
}

static int json_fs_fields(json_t *o, const struct e4err_store_fs_summary *fs)
{
	return set_all(o,
		"uuid", jstr(fs->uuid), "device", jstr(fs->device),
		"mountpoint", jstr(fs->mountpoint), "events", e4err_json_u64(fs->events),
		"first_seen", jtime(fs->has_first_error, fs->first_error_ns),
		"last_seen", jtime(fs->has_first_error, fs->last_error_ns),
		"kernel_device", jstr(fs->kname), "fsid", json_fsid(fs),
		"error_count", e4err_json_u64(fs->errors),
		"events_pruned", e4err_json_u64(fs->pruned_events),
		"errors_pruned", e4err_json_u64(fs->pruned_errors),
		"first_seen_ns", jopt_u64(fs->has_first_error, fs->first_error_ns),
		"last_seen_ns", jopt_u64(fs->has_first_error, fs->last_error_ns),
		"watched_since", jtime(true, fs->first_seen_ns),
		"watched_last", jtime(true, fs->last_seen_ns), NULL);
}

/* Inodes no event named and nothing inspected, that the kernel log names. */
static void json_enr_only(struct json_ctx *ic)
{
	struct e4err_store_inode_summary in;
	size_t i;

	for (i = 0; i < ic->enrs->n && !ic->err; i++) {
		if (ic->enrs->v[i].shown)
			continue;
		memset(&in, 0, sizeof(in));
		in.has_inode = ic->enrs->v[i].has_inode;
		in.inode = ic->enrs->v[i].inode;
		json_inode(ic, &in);
	}
}

static errcode_t json_fs_inodes(struct json_ctx *c,
				const struct e4err_store_fs_summary *fs,
				struct json_ctx *ic)
{
	struct report_enrs enrs;
	errcode_t err;

	err = report_enrs_load(c->st, fs->uuid, c->flt, &enrs);
	if (err)
		return err;
	ic->enrs = &enrs;
	err = e4err_store_query_inodes(c->st, fs->uuid, c->flt, json_inode, ic);
	if (!err && !ic->err)
		json_enr_only(ic);
	if (!err)
		err = ic->err;
	report_enrs_free(&enrs);
	ic->enrs = NULL;
	return err;
}

static int json_fs(void *arg, const struct e4err_store_fs_summary *fs)
{
	struct json_ctx *c = arg;
	struct json_ctx ic = { c->st, c->flt, json_array(), 0, NULL };
	struct json_ctx jc = { c->st, c->flt, json_array(), 0, NULL };
	json_t *o = json_object();
	uint64_t lost = 0;

	if (!ic.list || !jc.list || json_fs_fields(o, fs))
		c->err = ENOMEM;
	if (!c->err)
		c->err = report_lost_reports(c->st, fs->uuid, &lost);
	if (!c->err)
		c->err = json_fs_inodes(c, fs, &ic);
	if (!c->err)
		c->err = e4err_store_query_jobs(c->st, fs->uuid, c->flt, json_job, &jc);
	if (!c->err)
		c->err = jc.err;
	if (!c->err && (set_all(o, "lost_reports", e4err_json_u64(lost),
				"inodes", json_incref(ic.list),
				"jobs", json_incref(jc.list), NULL) ||
			json_array_append(c->list, o)))
		c->err = ENOMEM;
	json_decref(ic.list);
	json_decref(jc.list);
	json_decref(o);
	return c->err ? 1 : 0;
}

json_t *e4err_report_json(struct e4err_store *st,
			  const struct e4err_store_filter *flt, errcode_t *err)
{
	struct json_ctx c = { st, flt, json_array(), 0, NULL };
	struct e4err_store_info info;
	json_t *doc = json_object();
	errcode_t e;

	e = c.list ? e4err_store_query_filesystems(st, flt, json_fs, &c) : ENOMEM;
	if (c.err)
		e = c.err;
	e4err_store_get_info(st, &info);
	if (!e && set_all(doc, "filesystems", json_incref(c.list),
			  "spool", jstr(info.spool_present ? info.spool_path : NULL),
			  "schema_version", json_integer(info.schema_version), NULL))
		e = ENOMEM;
	json_decref(c.list);
	if (e) {
		json_decref(doc);
		*err = e;
		return NULL;
	}
	*err = 0;
	return doc;
}

errcode_t e4err_report_print_json(FILE *f, struct e4err_store *st,
				  const struct e4err_store_filter *flt)
{
	errcode_t err;
	json_t *doc = e4err_report_json(st, flt, &err);

	if (!doc)
		return err;
	errno = 0;
	/* ASCII only: a terminal shown the document sees no raw controls. */
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENSURE_ASCII |
		       JSON_PRESERVE_ORDER) || putc('\n', f) == EOF ||
	    fflush(f) || ferror(f))
		err = errno ? errno : EIO;
	json_decref(doc);
	return err;
}

/* ---- --since ---- */

static errcode_t parse_relative(const char *s, uint64_t now_ns, uint64_t *ns)
{
	static const struct { char unit; uint64_t secs; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 },
		{ 'w', 7 * 86400 },
	};
	unsigned long long n;
	char *end;
	size_t i;

	errno = 0;
	n = strtoull(s + 1, &end, 10);
	if (errno || end == s + 1 || !end[0] || end[1])
		return E4ERR_BAD_TIME;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].unit != end[0])
			continue;
		if (n > now_ns / NS_PER_S / units[i].secs)
			return E4ERR_BAD_TIME;	/* before the epoch */
		*ns = now_ns - n * units[i].secs * NS_PER_S;
		return 0;
	}
	return E4ERR_BAD_TIME;
}

/* "Z", "+HH:MM", "+HHMM", "-HH" after the time; *off in seconds east. */
static bool parse_zone(const char *p, bool *has, long *off)
{
	unsigned int h = 0, m = 0;
	int n = 0;

	*has = *p != 0;
	*off = 0;
	if (!*p || !strcmp(p, "Z"))
		return true;
	if ((*p != '+' && *p != '-') ||
	    (sscanf(p + 1, "%2u:%2u%n", &h, &m, &n) != 2 &&
	     sscanf(p + 1, "%2u%2u%n", &h, &m, &n) != 2 &&
	     sscanf(p + 1, "%2u%n", &h, &n) != 1) ||
	    p[1 + n] || h > 23 || m > 59)
		return false;
	*off = (long)(h * 3600 + m * 60) * (*p == '-' ? -1 : 1);
	return true;
}

static errcode_t parse_iso(const char *s, uint64_t *ns)
{
	struct tm tm;
	const char *p;
	bool has_zone;
	long off;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%d", &tm);
	if (p && (*p == 'T' || *p == ' ')) {
		const char *q = strptime(p + 1, "%H:%M:%S", &tm);

		p = q ? q : strptime(p + 1, "%H:%M", &tm);
		while (p && p[0] == '.' && p[1] >= '0' && p[1] <= '9')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (!p || !parse_zone(p, &has_zone, &off))
		return E4ERR_BAD_TIME;
	tm.tm_isdst = -1;
	t = has_zone ? timegm(&tm) - off : mktime(&tm);
	if (t < 0)
		return E4ERR_BAD_TIME;
	*ns = (uint64_t)t * NS_PER_S;
	return 0;
}

errcode_t e4err_parse_time(const char *s, uint64_t now_ns, uint64_t *ns)
{
	unsigned long long v;
	char *end;

	if (!s || !*s)
		return E4ERR_BAD_TIME;
	if (s[0] == '-')
		return parse_relative(s, now_ns, ns);
	if (s[0] == '@') {
		errno = 0;
		v = strtoull(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v > UINT64_MAX / NS_PER_S)
			return E4ERR_BAD_TIME;
		*ns = v * NS_PER_S;
		return 0;
	}
	return parse_iso(s, ns);
}
