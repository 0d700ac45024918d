/*
 * format.c --- decoded events for people (text) and programs (JSON).
 *
 * Owns the two output forms of struct e4err_event and the escaping of the
 * untrusted strings the kernel hands us.  Text output keeps printable
 * ASCII and harmless UTF-8 and shows everything else as an escape, so a
 * description cannot move the cursor, clear the screen, reorder a line
 * with bidi controls or start a line of its own.  JSON output is valid for
 * any bytes: invalid UTF-8 becomes U+FFFD and the raw bytes are kept in
 * hex next to the string so nothing is lost.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "format.h"
#include "nls.h"

/*
 * Length of the valid, shortest-form UTF-8 sequence at s (at most n bytes),
 * or 0 when s does not start one.  Surrogates and values past U+10FFFF are
 * invalid, as jansson (and RFC 3629) has it.
 */
static size_t utf8_seq(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* past U+10FFFF */
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return len;
}

/*
 * Code points a terminal acts on rather than shows: C0 and C1 controls,
 * DEL, the line and paragraph separators, and the bidi controls that can
 * make text display in an order other than the one it has.
 */
static bool unsafe_code_point(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return true;
	if (c == 0x061c || c == 0x200e || c == 0x200f)
		return true;
	if (c >= 0x2028 && c <= 0x202e)
		return true;
	return c >= 0x2066 && c <= 0x2069;
}

/*
 * Output of e4err_escape_text: a unit (a character or an escape) is
 * written whole or not at all, and once one does not fit nothing more is,
 * so a cut string is a clean prefix.  pos counts every byte regardless.
 */
struct escape_out {
	char *buf;
	size_t size;
	size_t used;
	size_t pos;
	bool full;
};

static void put(struct escape_out *o, const void *s, size_t len)
{
	if (!o->full && o->used + len < o->size) {
		memcpy(o->buf + o->used, s, len);
		o->used += len;
	} else {
		o->full = true;
	}
	o->pos += len;
}

/* Every byte of s[0..len) as \xNN. */
static void put_hex(struct escape_out *o, const unsigned char *s, size_t len)
{
	char esc[5];
	size_t k;

	for (k = 0; k < len; k++) {
		snprintf(esc, sizeof(esc), "\\x%02x", s[k]);
		put(o, esc, 4);
	}
}

size_t e4err_escape_text(char *out, size_t outsz, const char *s, size_t n)
{
	struct escape_out o = { out, outsz, 0, 0, false };
	const unsigned char *u = (const unsigned char *)s;
	size_t len, i;
	uint32_t cp;

	for (i = 0; i < n; i += len) {
		len = utf8_seq(u + i, n - i, &cp);
		if (!len) {
			len = 1;	/* invalid: this byte alone */
			put_hex(&o, u + i, len);
		} else if (cp == '\\') {
			put(&o, "\\\\", 2);
		} else if (cp == '\n') {
			put(&o, "\\n", 2);
		} else if (cp == '\t') {
			put(&o, "\\t", 2);
		} else if (unsafe_code_point(cp)) {
			put_hex(&o, u + i, len);
		} else {
			put(&o, s + i, len);
		}
	}
	if (outsz)
		out[o.used] = '\0';
	return o.pos;
}

json_t *e4err_json_bytes(const char *s, size_t n, bool *lossy)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, len, pos = 0;
	uint32_t cp;
	bool ignored;
	json_t *j;
	char *buf;

	if (!lossy)
		lossy = &ignored;
	*lossy = false;
	/* Each byte becomes at most the three bytes of U+FFFD. */
	if (n > (SIZE_MAX - 1) / 3)
		return NULL;
	buf = malloc(3 * n + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n; i += len) {
		len = utf8_seq(u + i, n - i, &cp);
		if (len) {
			memcpy(buf + pos, s + i, len);
			pos += len;
		} else {
			memcpy(buf + pos, replacement, 3);
			pos += 3;
			len = 1;
			*lossy = true;
		}
	}
	j = json_stringn(buf, pos);
	free(buf);
	return j;
}

/* Lowercase hex of n bytes, as a JSON string. */
static json_t *json_hex(const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	json_t *j;
	char *buf;
	size_t i;

	buf = malloc(2 * n + 1);
	if (!buf)
		return NULL;
	for (i = 0; i < n; i++) {
		buf[2 * i] = digits[u[i] >> 4];
		buf[2 * i + 1] = digits[u[i] & 0xf];
	}
	j = json_stringn(buf, 2 * n);
	free(buf);
	return j;
}

json_t *e4err_json_u64(uint64_t v)
{
	char buf[24];

	/* Never a real ext4 inode or block: a string beats a wrong number. */
	if (v <= INT64_MAX)
		return json_integer((json_int_t)v);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return json_string(buf);
}

/* Add a translated warning sentence to a JSON array. */
static int add_warning(json_t *warnings, const char *text)
{
	bool lossy;

	return json_array_append_new(warnings,
				     e4err_json_bytes(text, strlen(text), &lossy));
}

/*
 * Set key to the kernel string s; when it is not valid UTF-8, keep its raw
 * bytes in key_hex (added to *extra, output after the documented keys) and
 * say so in the warnings.
 */
static int set_kernel_string(json_t *obj, json_t *extra, json_t *warnings,
			     const char *key, const char *key_hex,
			     const char *s, size_t n)
{
	char msg[256];
	bool lossy;
	json_t *j;

	j = e4err_json_bytes(s, n, &lossy);
	if (!j || json_object_set_new(obj, key, j))
		return -1;
	if (!lossy)
		return 0;
	/* TRANSLATORS: the first %s is a JSON key ("desc"), the second "desc_hex". */
	snprintf(msg, sizeof(msg),
		 _("%s is not valid UTF-8: invalid bytes shown as U+FFFD, raw bytes in %s"),
		 key, key_hex);
	if (add_warning(warnings, msg))
		return -1;
	return json_object_set_new(extra, key_hex, json_hex(s, n));
}

/* The decoder's warnings, translated, as a JSON array. */
static int add_event_warnings(json_t *warnings, const struct e4err_event *ev)
{
	char buf[256];
	unsigned int i;

	for (i = 0; i < ev->nwarnings && i < E4ERR_MAX_WARNINGS; i++)
		if (add_warning(warnings, e4err_warning_text(&ev->warnings[i],
							     buf, sizeof(buf))))
			return -1;
	if (ev->warnings_dropped &&
	    add_warning(warnings, _("more warnings were dropped")))
		return -1;
	return 0;
}

/* The keys from "error" to "block", null when absent. */
static int set_numbers(json_t *obj, const struct e4err_event *ev)
{
	char name[32], fsid[20];
	int r = 0;

	r |= json_object_set_new(obj, "error", ev->has_error ?
				 json_integer(ev->error) : json_null());
	r |= json_object_set_new(obj, "error_name", ev->has_error ?
				 json_string(e4err_error_name(ev->error, name,
							      sizeof(name))) :
				 json_null());
	r |= json_object_set_new(obj, "error_count", ev->has_error_count ?
				 json_integer(ev->error_count) : json_null());
	snprintf(fsid, sizeof(fsid), "%08" PRIx32 ":%08" PRIx32,
		 ev->fsid[0], ev->fsid[1]);
	r |= json_object_set_new(obj, "fsid", ev->has_fsid ?
				 json_string(fsid) : json_null());
	r |= json_object_set_new(obj, "inode", ev->has_inode ?
				 e4err_json_u64(ev->inode) : json_null());
	r |= json_object_set_new(obj, "generation", ev->has_generation ?
				 json_integer(ev->generation) : json_null());
	r |= json_object_set_new(obj, "block", ev->has_block ?
				 e4err_json_u64(ev->block) : json_null());
	return r ? -1 : 0;
}

/* "function", "line", "desc", then the warnings and any *_hex keys. */
static int set_strings(json_t *obj, const struct e4err_event *ev)
{
	json_t *warnings = json_array(), *extra = json_object();
	int r = -1;

	if (!warnings || !extra)
		goto out;
	if (!ev->has_function)
		r = json_object_set_new(obj, "function", json_null());
	else
		r = set_kernel_string(obj, extra, warnings, "function",
				      "function_hex", ev->function,
				      strnlen(ev->function, sizeof(ev->function)));
	r |= json_object_set_new(obj, "line", ev->has_line ?
				 json_integer(ev->line) : json_null());
	if (!ev->has_desc)
		r |= json_object_set_new(obj, "desc", json_null());
	else
		r |= set_kernel_string(obj, extra, warnings, "desc", "desc_hex",
				       ev->desc, ev->desc_len < sizeof(ev->desc) ?
				       ev->desc_len : sizeof(ev->desc));
	r |= add_event_warnings(warnings, ev);
	r |= json_object_set(obj, "warnings", warnings);
	r |= json_object_update(obj, extra);
out:
	json_decref(warnings);
	json_decref(extra);
	return r ? -1 : 0;
}

json_t *e4err_event_to_json(const struct e4err_event *ev)
{
	const char *abi = e4err_abi_name(ev->abi);
	json_t *obj = json_object();
	int r;

	if (!obj)
		return NULL;
	r = json_object_set_new(obj, "abi", abi ? json_string(abi) : json_null());
	/* A skipped event's metadata could not be read: nothing in it is known. */
	r |= json_object_set_new(obj, "mask", ev->skipped ? json_null() :
				 e4err_json_u64(ev->mask));
	r |= json_object_set_new(obj, "pid", ev->skipped ? json_null() :
				 json_integer(ev->pid));
	if (r || set_numbers(obj, ev) || set_strings(obj, ev)) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int e4err_json_print(FILE *f, const json_t *obj)
{
	/* ASCII only: a terminal or log shown the line sees no raw controls. */
	errno = 0;
	if (json_dumpf(obj, f, JSON_COMPACT | JSON_ENSURE_ASCII |
		       JSON_PRESERVE_ORDER) ||
	    putc('\n', f) == EOF || ferror(f))
		return errno ? errno : EIO;
	return 0;
}

int e4err_event_print_json(FILE *f, const struct e4err_event *ev)
{
	json_t *obj = e4err_event_to_json(ev);
	int r;

	if (!obj)
		return ENOMEM;
	r = e4err_json_print(f, obj);
	json_decref(obj);
	return r;
}

/*
 * Print n raw bytes escaped.  Kernel strings here are at most 256 bytes
 * (E4ERR_RFC_DESC_LEN), and an escape takes at most four characters per
 * byte; anything longer is cut and marked.
 */
static void print_escaped(FILE *f, const char *s, size_t n)
{
	char buf[4 * E4ERR_RFC_DESC_LEN + 1];

	if (e4err_escape_text(buf, sizeof(buf), s, n) >= sizeof(buf))
		fprintf(f, "%s...", buf);
	else
		fputs(buf, f);
}

/* The first line: what happened, where. */
static void print_summary(FILE *f, const struct e4err_event *ev)
{
	char name[32];

	if (ev->has_error)
		fprintf(f, _(" error %" PRId32 " (%s)"), ev->error,
			e4err_error_name(ev->error, name, sizeof(name)));
	else
		fputs(_(" without an error record"), f);
	if (ev->has_error_count)
		fprintf(f, _(" count %" PRIu32), ev->error_count);
	if (ev->has_inode)
		fprintf(f, _(" inode %" PRIu64), ev->inode);
	if (ev->inode_is_placeholder)
		fputs(_(" (placeholder)"), f);
	if (ev->has_generation)
		fprintf(f, _(" generation %" PRIu32), ev->generation);
	if (ev->has_block)
		fprintf(f, _(" block %" PRIu64), ev->block);
	if (ev->has_function) {
		fputs(_(" in "), f);
		print_escaped(f, ev->function,
			      strnlen(ev->function, sizeof(ev->function)));
		if (ev->has_line)
			fprintf(f, ":%" PRId32, ev->line);
	} else if (ev->has_line) {
		fprintf(f, _(" at line %" PRId32), ev->line);
	}
}

/* The indented lines: description, fsid, pid and mask, warnings. */
static void print_details(FILE *f, const struct e4err_event *ev)
{
	char buf[256];
	size_t n;
	unsigned int i;

	if (ev->has_desc) {
		/* The kernel ends every description with a newline: not news. */
		n = ev->desc_len < sizeof(ev->desc) ? ev->desc_len : sizeof(ev->desc);
		if (n && ev->desc[n - 1] == '\n')
			n--;
		fputs(_("  desc: "), f);
		print_escaped(f, ev->desc, n);
		putc('\n', f);
	}
	if (ev->has_fsid)
		fprintf(f, _("  fsid: %08" PRIx32 ":%08" PRIx32 "\n"),
			ev->fsid[0], ev->fsid[1]);
	if (!ev->skipped)
		fprintf(f, _("  pid: %" PRId32 ", mask: 0x%08" PRIx64 "\n"),
			ev->pid, ev->mask);
	for (i = 0; i < ev->nwarnings && i < E4ERR_MAX_WARNINGS; i++) {
		fputs(_("  warning: "), f);
		e4err_warning_text(&ev->warnings[i], buf, sizeof(buf));
		print_escaped(f, buf, strnlen(buf, sizeof(buf)));
		putc('\n', f);
	}
	if (ev->warnings_dropped)
		fprintf(f, _("  warning: more warnings were dropped\n"));
}

int e4err_event_print_text(FILE *f, const struct e4err_event *ev)
{
	const char *abi = e4err_abi_name(ev->abi);

	errno = 0;
	fprintf(f, _("%s event:"), abi ? abi : _("unknown"));
	if (ev->skipped)
		fputs(_(" skipped, its metadata is unusable"), f);
	else if (ev->overflow)
		fputs(_(" queue overflow, events were lost"), f);
	else
		print_summary(f, ev);
	putc('\n', f);
	print_details(f, ev);
	if (ferror(f))
		return errno ? errno : EIO;
	return 0;
}
