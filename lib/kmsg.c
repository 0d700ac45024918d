/*
 * kmsg.c --- /dev/kmsg records and ext4's error lines in them (kmsg.h).
 *
 * The line formats are ext4's (fs/ext4/super.c: __ext4_error,
 * __ext4_error_inode, __ext4_error_file, __ext4_std_error,
 * __ext4_grp_locked_error), the ratelimit's "callbacks suppressed" line
 * (lib/ratelimit.c) and fserror's "lost ... error report" line (Linux 7.0+).
 * Everything here works on bounded buffers with explicit lengths: a record
 * is never assumed to be NUL-terminated.
 */
#include "config.h"

#include <string.h>

#include "e4err_err.h"
#include "kmsg.h"

/* ---- a cursor over bounded text ------------------------------------------- */

struct cur {
	const char *p, *end;
};

static bool lit(struct cur *c, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n))
		return false;
	c->p += n;
	return true;
}

/* Decimal digits into *v; false when none or it overflows max. */
static bool num(struct cur *c, uint64_t max, uint64_t *v)
{
	const char *p = c->p;
	uint64_t x = 0;

	if (p == c->end || *p < '0' || *p > '9')
		return false;
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		if (x > (max - (uint64_t)(*p - '0')) / 10)
			return false;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*v = x;
	c->p = p;
	return true;
}

/* An optionally negative decimal that fits int32_t. */
static bool snum(struct cur *c, int32_t *v)
{
	bool neg = lit(c, "-");
	uint64_t x;

	if (!num(c, neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &x))
		return false;
	*v = neg ? (int32_t)(-(int64_t)x) : (int32_t)x;
	return true;
}

/* The first occurrence of s at or after c->p, or NULL. */
static const char *find(const struct cur *c, const char *s)
{
	return memmem(c->p, (size_t)(c->end - c->p), s, strlen(s));
}

/* ---- records -------------------------------------------------------------- */

errcode_t e4err_kmsg_record_parse(const char *buf, size_t len,
				  struct e4err_kmsg_record *rec)
{
	struct cur c = { buf, buf + len };
	const char *semi, *nl;
	uint64_t pri, v;

	memset(rec, 0, sizeof(*rec));
	semi = memchr(buf, ';', len);
	if (!semi)
		return E4ERR_KMSG_RECORD;
	c.end = semi;
	if (!num(&c, UINT32_MAX, &pri) || !lit(&c, ",") ||
	    !num(&c, UINT64_MAX, &rec->seq) || !lit(&c, ",") ||
	    !num(&c, UINT64_MAX, &rec->ts_usec) || !lit(&c, ",") ||
	    c.p == c.end)
		return E4ERR_KMSG_RECORD;
	rec->facility = (uint32_t)(pri >> 3);
	rec->level = (uint32_t)(pri & 7);
	rec->cont = *c.p == 'c';
	/* Further fields: ",caller=T123" and whatever a later kernel adds. */
	while ((c.p = memchr(c.p, ',', (size_t)(c.end - c.p))) != NULL) {
		c.p++;
		if (lit(&c, "caller=") && c.p < c.end &&
		    (*c.p == 'T' || *c.p == 'C')) {
			bool cpu = *c.p++ == 'C';

			if (num(&c, 0x7fffffff, &v)) {
				rec->has_caller = true;
				rec->caller = (uint32_t)v | (cpu ? 0x80000000u : 0);
			}
		}
	}
	rec->text = semi + 1;
	nl = memchr(rec->text, '\n', len - (size_t)(rec->text - buf));
	rec->text_len = nl ? (size_t)(nl - rec->text) :
		len - (size_t)(rec->text - buf);
	return 0;
}

/* ---- ext4's lines --------------------------------------------------------- */

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * The kernel writes bytes below ' ', from 127 up, and '\' as \xNN: undo
 * that into at most max bytes of dst (NUL-terminated).  Returns true when
 * everything fit.
 */
static bool unescape(const char *s, size_t n, char *dst, size_t max,
		     size_t *outlen)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '\\' && n - i >= 4 && s[i + 1] == 'x' &&
		    (hi = hexval(s[i + 2])) >= 0 &&
		    (lo = hexval(s[i + 3])) >= 0) {
			ch = (char)(hi << 4 | lo);
			i += 3;
		}
		if (o == max) {
			dst[o] = '\0';
			*outlen = o;
			return false;
		}
		dst[o++] = ch;
	}
	dst[o] = '\0';
	*outlen = o;
	return true;
}

static bool device_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || strchr("_.!:+-", ch);
}

/* Copy [s, s+n) as a device name; false when it cannot be one. */
static bool take_device(const char *s, size_t n, struct e4err_klog *out)
{
	size_t i;

	if (!n || n > E4ERR_KLOG_DEVICE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!s[i] || !device_char(s[i]))
			return false;
	memcpy(out->device, s, n);
	out->device[n] = '\0';
	out->has_device = true;
	return true;
}

static bool ident_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		(ch >= '0' && ch <= '9') || ch == '_' || ch == '.';
}

/* "func:line" (a C function name and a decimal). */
static bool func_line(struct cur *c, struct e4err_klog *out)
{
	const char *s = c->p;
	uint64_t line;
	size_t n;

	while (c->p < c->end && ident_char(*c->p))
		c->p++;
	n = (size_t)(c->p - s);
	if (!n || n > E4ERR_FUNCTION_MAX || !lit(c, ":") ||
	    !num(c, UINT32_MAX, &line))
		return false;
	memcpy(out->function, s, n);
	out->function[n] = '\0';
	out->has_function = true;
	out->line = (uint32_t)line;
	out->has_line = true;
	return true;
}

static void take_msg(const struct cur *c, struct e4err_klog *out)
{
	out->msg_cut = !unescape(c->p, (size_t)(c->end - c->p), out->msg,
				 E4ERR_KLOG_MSG_MAX, &out->msg_len);
	out->has_msg = out->msg_len > 0;
}

/*
 * A field "NAME VALUE: " whose value ends at the first ": " (comm and path
 * are chosen by users and may hold ": " themselves: then the split is
 * wrong, and nothing but the reported text depends on it).
 */
static bool take_field(struct cur *c, const char *name, char *dst, size_t max,
		       size_t *len, bool *cut)
{
	const char *sep;

	if (!lit(c, name))
		return false;
	sep = find(c, ": ");
	if (!sep)
		sep = c->end;
	*cut = !unescape(c->p, (size_t)(sep - c->p), dst, max, len);
	c->p = sep < c->end ? sep + 2 : sep;
	return true;
}

/* After "group G, ": "[inode I: ][block B:]message". */
static void group_body(struct cur *c, struct e4err_klog *out)
{
	struct cur save = *c;

	if (lit(c, "inode ") && num(c, UINT64_MAX, &out->inode) &&
	    lit(c, ": "))
		out->has_inode = true;
	else
		*c = save, out->inode = 0;
	save = *c;
	if (lit(c, "block ") && num(c, UINT64_MAX, &out->block) && lit(c, ":"))
		out->has_block = true;
	else
		*c = save, out->block = 0;
	take_msg(c, out);
	out->partial = !out->has_msg;
}

/* After "F:L: ": "[inode #I: ][block B: ]comm C: [path P: ]message". */
static void error_body(struct cur *c, struct e4err_klog *out)
{
	struct cur save = *c;
	uint64_t g;

	if (lit(c, "group ") && num(c, UINT32_MAX, &g) && lit(c, ", ")) {
		out->kind = E4ERR_KLOG_GROUP_ERROR;
		out->group = (uint32_t)g;
		out->has_group = true;
		group_body(c, out);
		return;
	}
	*c = save;
	if (lit(c, "inode #") && num(c, UINT64_MAX, &out->inode) &&
	    lit(c, ": "))
		out->has_inode = true;
	else
		*c = save, out->inode = 0;
	save = *c;
	if (lit(c, "block ") && num(c, UINT64_MAX, &out->block) &&
	    lit(c, ": "))
		out->has_block = true;
	else
		*c = save, out->block = 0;
	out->has_comm = take_field(c, "comm ", out->comm, E4ERR_KLOG_COMM_MAX,
				   &out->comm_len, &out->comm_cut);
	if (out->has_comm)
		out->has_path = take_field(c, "path ", out->path,
					   E4ERR_KLOG_PATH_MAX, &out->path_len,
					   &out->path_cut);
	take_msg(c, out);
}

/* "EXT4-fs error (device D): ..." or "EXT4-fs error (device D) in ...". */
static bool ext4_error(struct cur *c, struct e4err_klog *out)
{
	const char *close;

	if (!lit(c, "EXT4-fs error (device "))
		return false;
	close = memchr(c->p, ')', (size_t)(c->end - c->p));
	if (!close || !take_device(c->p, (size_t)(close - c->p), out))
		return false;
	c->p = close + 1;
	if (lit(c, " in ")) {
		out->kind = E4ERR_KLOG_STD_ERROR;
		if (!func_line(c, out) || !lit(c, ": "))
			return false;
		take_msg(c, out);
		return true;
	}
	if (!lit(c, ": ") || !func_line(c, out) || !lit(c, ":"))
		return false;
	out->kind = E4ERR_KLOG_ERROR;
	lit(c, " ");
	error_body(c, out);
	return true;
}

/* "NAME: N callbacks suppressed" */
static bool suppressed(struct cur *c, struct e4err_klog *out)
{
	static const char tail[] = " callbacks suppressed";
	size_t tl = sizeof(tail) - 1, n;
	const char *sep;
	uint64_t v;

	if ((size_t)(c->end - c->p) < tl ||
	    memcmp(c->end - tl, tail, tl))
		return false;
	sep = find(c, ": ");
	n = sep ? (size_t)(sep - c->p) : 0;
	if (!n || n > E4ERR_FUNCTION_MAX)
		return false;
	memcpy(out->suppressor, c->p, n);
	out->suppressor[n] = '\0';
	if (memchr(out->suppressor, '\\', n))
		return false;
	c->p = sep + 2;
	if (!num(c, UINT32_MAX, &v) || c->p != c->end - tl)
		return false;
	out->suppressed = (uint32_t)v;
	out->kind = E4ERR_KLOG_SUPPRESSED;
	return true;
}

/* "D: lost filesystem error report[ for type T][ error E|error=E]" */
static bool lost(struct cur *c, struct e4err_klog *out)
{
	const char *sep = find(c, ": lost ");
	const char *e;
	struct cur save;

	if (!sep || !take_device(c->p, (size_t)(sep - c->p), out))
		return false;
	c->p = sep + 7;
	if (!lit(c, "filesystem error report")) {
		if (!lit(c, "file I/O error report"))
			return false;
		if (lit(c, " for ino ") && num(c, UINT64_MAX, &out->inode))
			out->has_inode = true;
	}
	out->kind = E4ERR_KLOG_LOST;
	e = find(c, "error");
	if (e) {
		c->p = e + 5;
		save = *c;
		if ((lit(c, "=") || lit(c, " ")) && snum(c, &out->error))
			out->has_error = true;
		else
			*c = save;
	}
	return true;
}

enum e4err_klog_kind e4err_klog_parse(const char *text, size_t len,
				      struct e4err_klog *out)
{
	struct cur c = { text, text + len };

	memset(out, 0, sizeof(*out));
	if (ext4_error(&c, out))
		return out->kind;
	memset(out, 0, sizeof(*out));
	c.p = text;
	if (suppressed(&c, out))
		return out->kind;
	memset(out, 0, sizeof(*out));
	c.p = text;
	if (lost(&c, out))
		return out->kind;
	memset(out, 0, sizeof(*out));
	return E4ERR_KLOG_NONE;
}

bool e4err_klog_ext4_suppressor(const struct e4err_klog *l)
{
	return l->kind == E4ERR_KLOG_SUPPRESSED &&
		!strcmp(l->suppressor, "EXT4-fs error");
}
