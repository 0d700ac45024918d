/*
 * conf.c --- reading e4errd.conf into struct e4err_config.
 *
 * libinih does the INI syntax; this file feeds it the text one line at a
 * time through its own reader, so that every message can name its line,
 * a line is never split or silently cut (inih's buffer holds 199 bytes), and
 * NUL bytes are caught.  inih reports only the first line it could not
 * read, so the reader also notes what each line looks like (blank, section,
 * pair, continuation) and which lines reached the handler: a line that
 * should have and did not is reported, and so all bad lines are, not just
 * the first.  The model of inih kept here is small: comments, sections, and
 * "an indented line after a pair continues its value" (inih's multi-line
 * values, which only mountpoints accepts).
 *
 * Every key is one row of keys[]: section, name, type, field and range.
 * Values are checked in full; anything not understood is an error, never
 * ignored.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "e4err_err.h"
#include "nls.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* The longest line inih can hand over whole (its buffer less the NUL). */
#define LINE_BYTES	(INI_MAX_LINE - 1)
#define MAX_MOUNTPOINTS	1024

#define SEC	1000ULL
#define MIN	(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY	(24 * HOUR)

enum key_type {
	KEY_PATH,		/* char *: absolute path */
	KEY_PATH_OR_EMPTY,	/* char *: absolute path, or "" for off */
	KEY_MOUNTPOINTS,	/* daemon.mountpoints: list of absolute paths */
	KEY_DURATION,		/* uint64_t milliseconds */
	KEY_SIZE,		/* uint64_t bytes */
	KEY_COUNT,		/* uint32_t */
	KEY_BOOL,		/* bool */
	KEY_CHOICE,		/* an enum, by name */
	KEY_MAIL,		/* char *: "" or comma-separated addresses */
};

struct choice {
	const char *name;
	int value;
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;		/* of the field in struct e4err_config */
	uint64_t min, max;	/* durations in ms, sizes in bytes */
	const struct choice *choices;
};

/* Enum fields are read and written as int. */
_Static_assert(sizeof(enum e4err_log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum e4err_fsck_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum e4err_tristate) == sizeof(int), "enum size");

static const struct choice log_levels[] = {
	{ "error", E4ERR_LOG_ERROR },
	{ "warning", E4ERR_LOG_WARNING },
	{ "notice", E4ERR_LOG_NOTICE },
	{ "info", E4ERR_LOG_INFO },
	{ "debug", E4ERR_LOG_DEBUG },
	{ NULL, 0 }
};

static const struct choice fsck_modes[] = {
	{ "readonly", E4ERR_FSCK_READONLY },
	{ "preen", E4ERR_FSCK_PREEN },
	{ "repair", E4ERR_FSCK_REPAIR },
	{ NULL, 0 }
};

static const struct choice tristates[] = {
	{ "auto", E4ERR_AUTO },
	{ "yes", E4ERR_YES },
	{ "no", E4ERR_NO },
	{ NULL, 0 }
};

#define F(member)	offsetof(struct e4err_config, member)

/* Every key e4errd.conf may hold; e4errd.conf.5.in documents each row. */
static const struct key keys[] = {
	{ "daemon", "state_dir", KEY_PATH, F(daemon.state_dir), 0, 0, NULL },
	{ "daemon", "spool_dir", KEY_PATH, F(daemon.spool_dir), 0, 0, NULL },
	{ "daemon", "metrics_file", KEY_PATH_OR_EMPTY, F(daemon.metrics_file),
	  0, 0, NULL },
	{ "daemon", "mountpoints", KEY_MOUNTPOINTS, F(daemon.mountpoints),
	  0, 0, NULL },
	{ "daemon", "flood_window", KEY_DURATION, F(daemon.flood_window_ms),
	  0, HOUR, NULL },
	{ "daemon", "inspect_deadline", KEY_DURATION,
	  F(daemon.inspect_deadline_ms), 100, 10 * MIN, NULL },
	{ "daemon", "log_level", KEY_CHOICE, F(daemon.log_level), 0, 0,
	  log_levels },
	{ "store", "max_events_per_fs", KEY_COUNT, F(store.max_events_per_fs),
	  100, 1000000000, NULL },
	{ "store", "max_age", KEY_DURATION, F(store.max_age_ms),
	  0, 36500 * DAY, NULL },
	{ "checks", "min_interval", KEY_DURATION, F(checks.min_interval_ms),
	  0, 30 * DAY, NULL },
	{ "checks", "offline_fsck_mode", KEY_CHOICE,
	  F(checks.offline_fsck_mode), 0, 0, fsck_modes },
	{ "checks", "max_concurrent", KEY_COUNT, F(checks.max_concurrent),
	  1, 64, NULL },
	{ "checks", "check_deadline", KEY_DURATION, F(checks.check_deadline_ms),
	  MIN, 30 * DAY, NULL },
	{ "checks", "use_e2scrub", KEY_CHOICE, F(checks.use_e2scrub), 0, 0,
	  tristates },
	{ "checks", "escalate_after", KEY_COUNT, F(checks.escalate_after),
	  0, 1000, NULL },
	{ "checks", "check_output_max", KEY_SIZE, F(checks.check_output_max),
	  0, 16 << 20, NULL },
	{ "checks", "retry_delay", KEY_DURATION, F(checks.retry_delay_ms),
	  SEC, DAY, NULL },
	{ "checks", "alert_after_failures", KEY_COUNT,
	  F(checks.alert_after_failures), 0, 1000, NULL },
	{ "hooks", "hook_dir", KEY_PATH, F(hooks.hook_dir), 0, 0, NULL },
	{ "hooks", "hook_deadline", KEY_DURATION, F(hooks.hook_deadline_ms),
	  SEC, DAY, NULL },
	{ "hooks", "hook_output_max", KEY_SIZE, F(hooks.hook_output_max),
	  0, 16 << 20, NULL },
	{ "hooks", "mail_to", KEY_MAIL, F(hooks.mail_to), 0, 0, NULL },
	{ "kmsg", "read_history", KEY_BOOL, F(kmsg.read_history), 0, 0, NULL },
};

#define N_KEYS	ARRAY_SIZE(keys)

static const char *const sections[] = {
	"daemon", "store", "checks", "hooks", "kmsg"
};

/* Units, largest first (the order format_amount() prefers). */
struct unit {
	const char *name;
	uint64_t factor;
};

static const struct unit duration_units[] = {
	{ "d", DAY }, { "h", HOUR }, { "m", MIN }, { "s", SEC }, { "ms", 1 },
	{ NULL, 0 }
};

static const struct unit size_units[] = {
	{ "G", 1ULL << 30 }, { "g", 1ULL << 30 }, { "M", 1ULL << 20 },
	{ "m", 1ULL << 20 }, { "k", 1ULL << 10 }, { "K", 1ULL << 10 },
	{ NULL, 0 }
};

/* What the reader saw on the line it last handed to inih. */
enum line_kind {
	LINE_QUIET,		/* blank, comment, or already reported */
	LINE_SECTION,		/* a [section] line inih accepts */
	LINE_PAIR,		/* must reach the handler as key = value */
	LINE_CONTINUATION,	/* must reach the handler as more value */
};

struct parse {
	const char *name;		/* the file, for messages */
	struct e4err_config *cfg;
	struct e4err_config_errors *errs;
	bool oom;

	/* The reader's view of the text. */
	const char *buf;
	size_t len;
	size_t pos;
	uint32_t line;			/* the line inih works on */
	enum line_kind kind;
	bool after_pair;		/* inih's prev_name is set */
	uint32_t handled;		/* last line the handler saw */

	uint32_t set_on[N_KEYS];	/* line that set each key, 0 = unset */
	const struct key *continued;	/* key an indented line extends */
};

/* ---- messages ---- */

/* Copy s[0..len) into out as printable text, cut with "..." if long. */
static const char *quote(char *out, size_t size, const char *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len && o + 8 < size; i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"')
			out[o++] = c;
		else
			o += snprintf(out + o, size - o, "\\x%02x", c);
	}
	if (i < len)
		o += snprintf(out + o, size - o, "...");
	out[o] = '\0';
	return out;
}

static bool verror(struct e4err_config_errors *errs, errcode_t code,
		   const char *file, uint32_t line, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));

static bool verror(struct e4err_config_errors *errs, errcode_t code,
		   const char *file, uint32_t line, const char *fmt, va_list ap)
{
	struct e4err_config_error *e;
	char *body = NULL, *msg = NULL;

	if (errs->count >= E4ERR_CONFIG_MAX_ERRORS) {
		errs->omitted++;
		return true;
	}
	if (!errs->list) {
		errs->list = calloc(E4ERR_CONFIG_MAX_ERRORS, sizeof(*errs->list));
		if (!errs->list)
			return false;
	}
	if (vasprintf(&body, fmt, ap) < 0)
		return false;
	if (line == 0) {
		msg = body;
	} else {
		if (asprintf(&msg, _("at %s:%u: %s"), file, line, body) < 0)
			msg = NULL;
		free(body);
		if (!msg)
			return false;
	}
	e = &errs->list[errs->count++];
	e->code = code;
	e->line = line;
	e->message = msg;
	return true;
}

static void file_error(struct e4err_config_errors *errs, errcode_t code,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void file_error(struct e4err_config_errors *errs, errcode_t code,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verror(errs, code, NULL, 0, fmt, ap);
	va_end(ap);
}

static void line_error(struct parse *p, uint32_t line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line_error(struct parse *p, uint32_t line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (!verror(p->errs, E4ERR_CONFIG, p->name, line, fmt, ap))
		p->oom = true;
	va_end(ap);
}

/* "[checks] min_interval = "1x": <why>", on the current line. */
static void value_error(struct parse *p, const struct key *k,
			const char *value, const char *why, ...)
	__attribute__((format(printf, 4, 5)));

static void value_error(struct parse *p, const struct key *k,
			const char *value, const char *why, ...)
{
	char q[128], *reason = NULL;
	va_list ap;

	va_start(ap, why);
	if (vasprintf(&reason, why, ap) < 0)
		reason = NULL;
	va_end(ap);
	if (!reason) {
		p->oom = true;
		return;
	}
	line_error(p, p->line, "[%s] %s = \"%s\": %s", k->section, k->name,
		   quote(q, sizeof(q), value, strlen(value)), reason);
	free(reason);
}

/* ---- looking things up ---- */

static bool known_section(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sections); i++)
		if (strlen(sections[i]) == len && !memcmp(sections[i], name, len))
			return true;
	return false;
}

static const struct key *find_key(const char *section, const char *name)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if ((!section || !strcmp(keys[i].section, section)) &&
		    !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static void *field(struct e4err_config *cfg, const struct key *k)
{
	return (char *)cfg + k->offset;
}

static const void *cfield(const struct e4err_config *cfg, const struct key *k)
{
	return (const char *)cfg + k->offset;
}

/* The names of a section's keys, comma-separated, for a message. */
static void section_keys(char *out, size_t size, const char *section)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < N_KEYS && o < size; i++)
		if (!strcmp(keys[i].section, section))
			o += snprintf(out + o, size - o, "%s%s", o ? ", " : "",
				      keys[i].name);
}

static void choice_names(char *out, size_t size, const struct choice *c)
{
	size_t o = 0;

	out[0] = '\0';
	for (; c->name && o < size; c++)
		o += snprintf(out + o, size - o, "%s%s", o ? ", " : "", c->name);
}

/* ---- numbers ---- */

enum number { NUM_OK, NUM_NONE, NUM_OVERFLOW };

/* Decimal digits at s; *end is left at the first byte after them. */
static enum number read_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t n = 0;
	bool overflow = false;
	const char *d;

	for (d = s; *d >= '0' && *d <= '9'; d++)
		if (__builtin_mul_overflow(n, 10, &n) ||
		    __builtin_add_overflow(n, (uint64_t)(*d - '0'), &n))
			overflow = true;
	*end = d;
	*v = n;
	if (d == s)
		return NUM_NONE;
	return overflow ? NUM_OVERFLOW : NUM_OK;
}

/* A number, then nothing (times bare_factor) or one of units. */
static enum number read_amount(const char *s, const struct unit *units,
			       uint64_t bare_factor, uint64_t *v)
{
	uint64_t n, factor = bare_factor;
	const struct unit *u;
	const char *end;
	enum number r;

	r = read_digits(s, &n, &end);
	if (r == NUM_NONE)
		return r;
	if (*end) {
		for (u = units; u->name; u++)
			if (!strcmp(u->name, end))
				break;
		if (!u->name)
			return NUM_NONE;
		factor = u->factor;
	}
	if (r == NUM_OVERFLOW || __builtin_mul_overflow(n, factor, v))
		return NUM_OVERFLOW;
	return NUM_OK;
}

/* The largest unit that says v exactly: 90000 ms is "90s". */
static void format_amount(char *out, size_t size, uint64_t v,
			  const struct unit *units, const char *zero)
{
	const struct unit *u;

	if (v == 0) {
		snprintf(out, size, "%s", zero);
		return;
	}
	for (u = units; u->name; u++)
		if (v % u->factor == 0)
			break;
	snprintf(out, size, "%" PRIu64 "%s", v / u->factor, u->name);
}

static void format_duration(char *out, size_t size, uint64_t ms)
{
	format_amount(out, size, ms, duration_units, "0s");
}

static void format_size(char *out, size_t size, uint64_t bytes)
{
	/* Skip the lower-case spellings: print G, M, k. */
	static const struct unit shown[] = {
		{ "G", 1ULL << 30 }, { "M", 1ULL << 20 }, { "k", 1ULL << 10 },
		{ "", 1 }, { NULL, 0 }
	};

	format_amount(out, size, bytes, shown, "0");
}

/* ---- values ---- */

static void set_duration(struct parse *p, const struct key *k, const char *v)
{
	char lo[32], hi[32];
	uint64_t ms;

	format_duration(lo, sizeof(lo), k->min);
	format_duration(hi, sizeof(hi), k->max);
	switch (read_amount(v, duration_units, SEC, &ms)) {
	case NUM_NONE:
		value_error(p, k, v, _("expected a duration: a whole number "
			    "with unit ms, s, m, h or d (e.g. 30s, 1h)"));
		return;
	case NUM_OVERFLOW:
		value_error(p, k, v, _("too large; at most %s"), hi);
		return;
	case NUM_OK:
		break;
	}
	if (ms < k->min || ms > k->max) {
		value_error(p, k, v, _("out of range: must be between %s and %s"),
			    lo, hi);
		return;
	}
	*(uint64_t *)field(p->cfg, k) = ms;
}

static void set_size(struct parse *p, const struct key *k, const char *v)
{
	char lo[32], hi[32];
	uint64_t bytes;

	format_size(lo, sizeof(lo), k->min);
	format_size(hi, sizeof(hi), k->max);
	switch (read_amount(v, size_units, 1, &bytes)) {
	case NUM_NONE:
		value_error(p, k, v, _("expected a size: a whole number of "
			    "bytes, or with suffix k, M or G (e.g. 64k)"));
		return;
	case NUM_OVERFLOW:
		value_error(p, k, v, _("too large; at most %s"), hi);
		return;
	case NUM_OK:
		break;
	}
	if (bytes < k->min || bytes > k->max) {
		value_error(p, k, v, _("out of range: must be between %s and %s"),
			    lo, hi);
		return;
	}
	*(uint64_t *)field(p->cfg, k) = bytes;
}

static void set_count(struct parse *p, const struct key *k, const char *v)
{
	const char *end;
	enum number r;
	uint64_t n;

	r = read_digits(v, &n, &end);
	if (r == NUM_NONE || *end) {
		value_error(p, k, v, _("expected a whole number between %" PRIu64
			    " and %" PRIu64), k->min, k->max);
		return;
	}
	if (r == NUM_OVERFLOW || n < k->min || n > k->max) {
		value_error(p, k, v, _("out of range: must be between %" PRIu64
			    " and %" PRIu64), k->min, k->max);
		return;
	}
	*(uint32_t *)field(p->cfg, k) = (uint32_t)n;
}

static void set_bool(struct parse *p, const struct key *k, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*(bool *)field(p->cfg, k) = !strcasecmp(v, yes[i]);
			return;
		}
	}
	value_error(p, k, v, _("expected yes or no (or true/false, on/off, 1/0)"));
}

static void set_choice(struct parse *p, const struct key *k, const char *v)
{
	const struct choice *c;
	char names[128];

	for (c = k->choices; c->name; c++) {
		if (!strcasecmp(v, c->name)) {
			memcpy(field(p->cfg, k), &c->value, sizeof(int));
			return;
		}
	}
	choice_names(names, sizeof(names), k->choices);
	value_error(p, k, v, _("expected one of: %s"), names);
}

/* Control characters are never meant, whatever the key. */
static bool has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

static bool check_path(struct parse *p, const struct key *k, const char *v,
		       bool empty_ok)
{
	if (!*v) {
		if (!empty_ok)
			value_error(p, k, v, _("must not be empty; expected "
				    "an absolute path"));
		return empty_ok;
	}
	if (v[0] != '/') {
		value_error(p, k, v, _("expected an absolute path (starting "
			    "with /)"));
		return false;
	}
	if (has_control(v, strlen(v))) {
		value_error(p, k, v, _("a path here cannot hold control "
			    "characters"));
		return false;
	}
	return true;
}

static void set_string(struct parse *p, const struct key *k, const char *v)
{
	char **dst = field(p->cfg, k);
	char *copy = strdup(v);

	if (!copy) {
		p->oom = true;
		return;
	}
	free(*dst);
	*dst = copy;
}

/* A mail address passed to sendmail as an argument: keep it plain. */
static bool plain_address(const char *s, size_t len)
{
	size_t i, at = 0;

	if (len == 0 || s[0] == '-' || s[0] == '@' || s[len - 1] == '@')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '@') {
			if (++at > 1)
				return false;
		} else if (!isascii(c) || !(isalnum(c) || strchr("._%+-=", c))) {
			return false;
		}
	}
	return true;
}

static void set_mail(struct parse *p, const struct key *k, const char *v)
{
	char q[128], *out, *o;
	const char *s = v, *end;
	size_t len;

	out = o = malloc(strlen(v) + 1);
	if (!out) {
		p->oom = true;
		return;
	}
	*o = '\0';
	while (*v) {
		end = strchr(s, ',');
		len = end ? (size_t)(end - s) : strlen(s);
		for (; len && (*s == ' ' || *s == '\t'); len--)
			s++;
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (!plain_address(s, len)) {
			value_error(p, k, v, _("\"%s\" is not a plain mail "
				    "address: expected user or user@host "
				    "(letters, digits and ._%%+-= only), "
				    "several separated by commas"),
				    quote(q, sizeof(q), s, len));
			free(out);
			return;
		}
		o += sprintf(o, "%s%.*s", o == out ? "" : ",", (int)len, s);
		if (!end)
			break;
		s = end + 1;
	}
	free(*(char **)field(p->cfg, k));
	*(char **)field(p->cfg, k) = out;
}

/* Decode one blank-separated item; \ooo is a byte (\040 a space). */
static char *decode_item(const char *tok, size_t len, bool *bad_escape)
{
	char *out = malloc(len + 1), *o = out;
	size_t i;

	*bad_escape = false;
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned int b;

		if (tok[i] != '\\') {
			*o++ = tok[i];
			continue;
		}
		if (len - i < 4 || tok[i + 1] < '0' || tok[i + 1] > '3' ||
		    tok[i + 2] < '0' || tok[i + 2] > '7' ||
		    tok[i + 3] < '0' || tok[i + 3] > '7') {
			*bad_escape = true;
			break;
		}
		b = (tok[i + 1] - '0') * 64 + (tok[i + 2] - '0') * 8 +
		    (tok[i + 3] - '0');
		if (b == 0) {
			*bad_escape = true;
			break;
		}
		*o++ = (char)b;
		i += 3;
	}
	*o = '\0';
	return out;
}

static bool add_mountpoint(struct parse *p, const struct key *k,
			   const char *v, const char *tok, size_t len)
{
	struct e4err_config *cfg = p->cfg;
	char q[128], **list;
	bool bad_escape;
	char *path;
	uint32_t i;

	quote(q, sizeof(q), tok, len);
	path = decode_item(tok, len, &bad_escape);
	if (!path) {
		p->oom = true;
		return false;
	}
	if (bad_escape || path[0] != '/') {
		value_error(p, k, v, bad_escape ?
			    _("bad escape in \"%s\": a backslash must be "
			      "followed by three octal digits, 001 to 377 "
			      "(\\040 is a space, \\134 a backslash)") :
			    _("mount point \"%s\" is not an absolute path"), q);
		goto fail;
	}
	for (i = 0; i < cfg->daemon.n_mountpoints; i++) {
		if (!strcmp(cfg->daemon.mountpoints[i], path)) {
			value_error(p, k, v, _("mount point \"%s\" is listed "
				    "twice"), q);
			goto fail;
		}
	}
	if (cfg->daemon.n_mountpoints >= MAX_MOUNTPOINTS) {
		value_error(p, k, v, _("more than %u mount points"),
			    MAX_MOUNTPOINTS);
		goto fail;
	}
	list = realloc(cfg->daemon.mountpoints,
		       (cfg->daemon.n_mountpoints + 1) * sizeof(*list));
	if (!list) {
		p->oom = true;
		goto fail;
	}
	list[cfg->daemon.n_mountpoints++] = path;
	cfg->daemon.mountpoints = list;
	return true;
fail:
	free(path);
	return false;
}

static void add_mountpoints(struct parse *p, const struct key *k,
			    const char *v)
{
	const char *s = v;
	size_t len;

	for (;;) {
		s += strspn(s, " \t");
		if (!*s)
			return;
		len = strcspn(s, " \t");
		if (!add_mountpoint(p, k, v, s, len))
			return;
		s += len;
	}
}

/*
 * inih ends a value at " ;" and keeps "#"; a "#" after a blank is almost
 * always a comment the writer expected to work, so say so.
 */
static bool check_text(struct parse *p, const struct key *k, const char *v)
{
	const char *c;

	for (c = v; *c; c++) {
		if (((unsigned char)*c < 0x20 && *c != '\t') || *c == 0x7f) {
			value_error(p, k, v, _("contains a control character"));
			return false;
		}
		if (*c == '#' && c > v && (c[-1] == ' ' || c[-1] == '\t')) {
			value_error(p, k, v, _("\"#\" starts a comment only at "
				    "the start of a line; after a value use "
				    "\" ;\""));
			return false;
		}
	}
	return true;
}

static void set_value(struct parse *p, const struct key *k, const char *v)
{
	if (!check_text(p, k, v))
		return;
	if (!*v && k->type != KEY_PATH && k->type != KEY_PATH_OR_EMPTY &&
	    k->type != KEY_MOUNTPOINTS && k->type != KEY_MAIL) {
		value_error(p, k, v, _("must not be empty"));
		return;
	}
	switch (k->type) {
	case KEY_PATH:
	case KEY_PATH_OR_EMPTY:
		if (check_path(p, k, v, k->type == KEY_PATH_OR_EMPTY))
			set_string(p, k, v);
		break;
	case KEY_MOUNTPOINTS:
		add_mountpoints(p, k, v);
		break;
	case KEY_DURATION:
		set_duration(p, k, v);
		break;
	case KEY_SIZE:
		set_size(p, k, v);
		break;
	case KEY_COUNT:
		set_count(p, k, v);
		break;
	case KEY_BOOL:
		set_bool(p, k, v);
		break;
	case KEY_CHOICE:
		set_choice(p, k, v);
		break;
	case KEY_MAIL:
		set_mail(p, k, v);
		break;
	}
}

/* ---- what inih calls: the reader and the handler ---- */

static void section_list(char *out, size_t size)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(sections) && o < size; i++)
		o += snprintf(out + o, size - o, "%s[%s]", i ? ", " : "",
			      sections[i]);
}

/* A line starting with "[": as inih reads it, plus what inih lets pass. */
static enum line_kind read_section(struct parse *p, const char *s)
{
	const char *name = s + 1, *e, *rest;
	char q[128], list[128];
	bool was_space = false;

	for (e = name; *e && *e != ']' && !(was_space && *e == ';'); e++)
		was_space = isspace((unsigned char)*e);
	if (*e != ']') {
		line_error(p, p->line,
			   _("section line without a closing \"]\""));
		return LINE_QUIET;
	}
	p->after_pair = false;
	p->continued = NULL;
	quote(q, sizeof(q), name, e - name);
	for (rest = e + 1; isspace((unsigned char)*rest); rest++)
		;
	if (*rest && *rest != ';' && *rest != '#') {
		line_error(p, p->line, _("unexpected text after [%s]"), q);
		return LINE_SECTION;
	}
	if (!known_section(name, e - name)) {
		section_list(list, sizeof(list));
		line_error(p, p->line, _("unknown section [%s]; expected %s"),
			   q, list);
	}
	return LINE_SECTION;
}

/* What inih will make of line: the same tests in the same order. */
static enum line_kind classify(struct parse *p, const char *line)
{
	const char *s = line;

	if (p->line == 1 && !strncmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == ';' || *s == '#')
		return LINE_QUIET;
	if (p->after_pair && s > line)
		return LINE_CONTINUATION;
	if (*s == '[')
		return read_section(p, s);
	return LINE_PAIR;
}

/* Once inih is done with a line: did it reach the handler as it should? */
static void finish_line(struct parse *p)
{
	if ((p->kind == LINE_PAIR || p->kind == LINE_CONTINUATION) &&
	    p->handled != p->line)
		line_error(p, p->line, _("expected a [section] line, a "
			   "key = value line or a comment"));
	p->kind = LINE_QUIET;
}

/*
 * inih's ini_reader: hand over the next line whole, or an empty one in
 * place of a line inih would cut or misread (reported here).
 */
static char *read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	const char *raw, *nl;
	size_t len;

	finish_line(p);
	if (p->pos >= p->len || num < 2)
		return NULL;
	raw = p->buf + p->pos;
	nl = memchr(raw, '\n', p->len - p->pos);
	len = nl ? (size_t)(nl - raw) : p->len - p->pos;
	p->pos += len + (nl != NULL);
	p->line++;
	str[0] = '\0';
	if (memchr(raw, '\0', len)) {
		line_error(p, p->line, _("line holds a NUL byte; is this a "
			   "text file?"));
		return str;
	}
	if (len > LINE_BYTES || len > (size_t)num - 1) {
		line_error(p, p->line, _("line is longer than %d bytes (a long "
			   "mountpoints list can go on indented lines)"),
			   LINE_BYTES);
		return str;
	}
	memcpy(str, raw, len);
	str[len] = '\0';
	p->kind = classify(p, str);
	return str;
}

/* The key a pair names, or NULL once the reason is reported. */
static const struct key *check_key(struct parse *p, const char *section,
				   const char *name)
{
	const struct key *k, *elsewhere;
	char q[128], list[256];

	if (*section && !known_section(section, strlen(section)))
		return NULL;	/* reported with its [section] line */
	k = *section ? find_key(section, name) : NULL;
	if (k)
		return k;
	quote(q, sizeof(q), name, strlen(name));
	elsewhere = find_key(NULL, name);
	if (!*name) {
		line_error(p, p->line, _("no key name before \"=\""));
	} else if (elsewhere) {
		line_error(p, p->line, *section ?
			   _("%s belongs under [%s], not [%s]") :
			   _("%s is outside any section; it belongs under "
			     "[%s]"), q, elsewhere->section, section);
	} else if (!*section) {
		line_error(p, p->line, _("unknown key \"%s\" outside any "
			   "section"), q);
	} else {
		section_keys(list, sizeof(list), section);
		line_error(p, p->line, _("unknown key \"%s\" in [%s]; expected "
			   "one of: %s"), q, section, list);
	}
	return NULL;
}

/* An indented line after a pair: more of the same value (inih's rule). */
static void continue_value(struct parse *p, const char *value)
{
	const struct key *k = p->continued;
	char v[LINE_BYTES + 1];
	size_t i, len;

	if (!k)
		return;		/* what it continues was reported already */
	if (k->type != KEY_MOUNTPOINTS) {
		line_error(p, p->line, _("indented line continues [%s] %s from "
			   "line %u, but only mountpoints can span lines; "
			   "remove the indentation"), k->section, k->name,
			   p->set_on[k - keys]);
		p->continued = NULL;
		return;
	}
	/* Unlike a pair's value, inih leaves a " ; comment" here. */
	len = strlen(value);
	if (len > LINE_BYTES)
		len = LINE_BYTES;
	for (i = 0; i < len; i++)
		if (value[i] == ';' && i && isspace((unsigned char)value[i - 1]))
			break;
	while (i && isspace((unsigned char)value[i - 1]))
		i--;
	memcpy(v, value, i);
	v[i] = '\0';
	set_value(p, k, v);
}

/* inih's ini_handler; always 1, so inih's own count stays on syntax. */
static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse *p = user;
	const struct key *k;

	p->handled = p->line;
	if (p->kind == LINE_CONTINUATION) {
		continue_value(p, value);
		return 1;
	}
	p->after_pair = *name != '\0';
	p->continued = NULL;
	k = check_key(p, section, name);
	if (!k)
		return 1;
	if (p->set_on[k - keys]) {
		line_error(p, p->line, _("[%s] %s is set twice (first on line "
			   "%u)"), k->section, k->name, p->set_on[k - keys]);
		return 1;
	}
	p->set_on[k - keys] = p->line;
	p->continued = k;
	set_value(p, k, value);
	return 1;
}

/* Checks that need more than one key. */
static void check_whole(struct parse *p)
{
	const struct key *state = find_key("daemon", "state_dir");
	const struct key *spool = find_key("daemon", "spool_dir");
	uint32_t a = p->set_on[state - keys], b = p->set_on[spool - keys];

	if (!strcmp(p->cfg->daemon.state_dir, p->cfg->daemon.spool_dir))
		line_error(p, a > b ? a : b, _("[daemon] spool_dir is the same "
			   "directory as state_dir; it is where events wait "
			   "while state_dir cannot be written"));
}

/* inih found a line bad that this file did not: never let it pass unsaid. */
static void check_reported(struct parse *p, int bad_line)
{
	size_t i;

	if (p->errs->omitted)
		return;
	for (i = 0; i < p->errs->count; i++)
		if (p->errs->list[i].line == (uint32_t)bad_line)
			return;
	line_error(p, bad_line, _("libinih cannot read this line"));
}

/* ---- the public functions ---- */

errcode_t e4err_config_init(struct e4err_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->daemon.state_dir = strdup(LOCALSTATEDIR "/lib/e4errd");
	cfg->daemon.spool_dir = strdup("/run/e4errd");
	cfg->daemon.metrics_file = strdup("");
	cfg->daemon.flood_window_ms = 10 * SEC;
	cfg->daemon.inspect_deadline_ms = 5 * SEC;
	cfg->daemon.log_level = E4ERR_LOG_INFO;
	cfg->store.max_events_per_fs = 100000;
	cfg->store.max_age_ms = 365 * DAY;
	cfg->checks.min_interval_ms = HOUR;
	cfg->checks.offline_fsck_mode = E4ERR_FSCK_READONLY;
	cfg->checks.max_concurrent = 1;
	cfg->checks.check_deadline_ms = 6 * HOUR;
	cfg->checks.use_e2scrub = E4ERR_AUTO;
	cfg->checks.escalate_after = 3;
	cfg->checks.check_output_max = 64 << 10;
	cfg->checks.retry_delay_ms = 10 * MIN;
	cfg->checks.alert_after_failures = 3;
	cfg->hooks.hook_dir = strdup(HOOKDIR);
	cfg->hooks.hook_deadline_ms = 60 * SEC;
	cfg->hooks.hook_output_max = 64 << 10;
	cfg->hooks.mail_to = strdup("root");
	cfg->kmsg.read_history = false;
	if (!cfg->daemon.state_dir || !cfg->daemon.spool_dir ||
	    !cfg->daemon.metrics_file || !cfg->hooks.hook_dir ||
	    !cfg->hooks.mail_to) {
		e4err_config_free(cfg);
		return ENOMEM;
	}
	return 0;
}

static errcode_t first_code(const struct e4err_config_errors *errs)
{
	if (errs->count)
		return errs->list[0].code;
	return errs->omitted ? E4ERR_CONFIG : 0;
}

errcode_t e4err_config_parse(const char *name, const char *buf, size_t len,
			     struct e4err_config *cfg,
			     struct e4err_config_errors *errs)
{
	struct parse p;
	errcode_t retval;
	int rc;

	memset(errs, 0, sizeof(*errs));
	retval = e4err_config_init(cfg);
	if (retval)
		return retval;
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.cfg = cfg;
	p.errs = errs;
	p.buf = buf;
	p.len = len;
	if (len > E4ERR_CONFIG_MAX_BYTES) {
		file_error(errs, E4ERR_CONFIG, _("in %s: larger than %u bytes"),
			   name, E4ERR_CONFIG_MAX_BYTES);
		e4err_config_free(cfg);
		return E4ERR_CONFIG;
	}
	rc = ini_parse_stream(read_line, &p, on_pair, &p);
	finish_line(&p);
	if (rc < 0)
		p.oom = true;
	else if (rc > 0)
		check_reported(&p, rc);
	check_whole(&p);
	retval = p.oom ? ENOMEM : first_code(errs);
	if (retval)
		e4err_config_free(cfg);
	return retval;
}

/* Why e4errd will not read a file it may run programs from. */
static errcode_t check_file(const char *path, const struct stat *st,
			    struct e4err_config_errors *errs)
{
	if (!S_ISREG(st->st_mode)) {
		file_error(errs, E4ERR_CONFIG, _("in %s: not a regular file"),
			   path);
	} else if (st->st_uid != 0 && st->st_uid != geteuid()) {
		file_error(errs, E4ERR_CONFIG, _("in %s: owned by uid %u; it "
			   "must belong to root"), path, (unsigned)st->st_uid);
	} else if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		file_error(errs, E4ERR_CONFIG, _("in %s: writable by group or "
			   "others (mode %04o), yet it names programs e4errd "
			   "runs as root"), path,
			   (unsigned)(st->st_mode & 07777));
	} else if (st->st_size > E4ERR_CONFIG_MAX_BYTES) {
		file_error(errs, E4ERR_CONFIG, _("in %s: larger than %u bytes"),
			   path, E4ERR_CONFIG_MAX_BYTES);
	} else {
		return 0;
	}
	return errs->count ? errs->list[0].code : ENOMEM;
}

static errcode_t read_all(int fd, const char *path, char **bufp,
			  size_t *lenp, struct e4err_config_errors *errs)
{
	size_t len = 0, cap = 4096;
	char *buf = NULL, *bigger;
	ssize_t n;

	for (;;) {
		if (!buf || len == cap) {
			cap = buf ? cap * 2 : cap;
			bigger = realloc(buf, cap);
			if (!bigger) {
				free(buf);
				return ENOMEM;
			}
			buf = bigger;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errcode_t retval = errno;

			file_error(errs, retval, _("while reading configuration "
				   "file %s"), path);
			free(buf);
			return retval;
		}
		if (n == 0)
			break;
		len += n;
		if (len > E4ERR_CONFIG_MAX_BYTES)
			break;	/* grew while read: parse() refuses it */
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

static errcode_t read_file(const char *path, bool named, char **bufp,
			   size_t *lenp, struct e4err_config_errors *errs)
{
	errcode_t retval;
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		retval = errno;
		if (retval != ENOENT || named)
			file_error(errs, retval, _("while opening configuration "
				   "file %s"), path);
		return retval;
	}
	if (fstat(fd, &st) < 0) {
		retval = errno;
		file_error(errs, retval, _("while reading configuration file "
			   "%s"), path);
	} else {
		retval = check_file(path, &st, errs);
		if (!retval)
			retval = read_all(fd, path, bufp, lenp, errs);
	}
	close(fd);
	return retval;
}

errcode_t e4err_config_load(const char *path, struct e4err_config *cfg,
			    struct e4err_config_errors *errs)
{
	bool named = path != NULL;
	errcode_t retval;
	size_t len = 0;
	char *buf = NULL;

	memset(errs, 0, sizeof(*errs));
	memset(cfg, 0, sizeof(*cfg));
	if (!path)
		path = E4ERR_CONFIG_FILE;
	retval = read_file(path, named, &buf, &len, errs);
	if (retval == ENOENT && !named)
		return e4err_config_init(cfg);
	if (retval)
		return retval;
	retval = e4err_config_parse(path, buf, len, cfg, errs);
	free(buf);
	return retval;
}

static bool is_string(const struct key *k)
{
	return k->type == KEY_PATH || k->type == KEY_PATH_OR_EMPTY ||
	       k->type == KEY_MAIL;
}

void e4err_config_free(struct e4err_config *cfg)
{
	uint32_t i;
	size_t n;

	for (n = 0; n < N_KEYS; n++)
		if (is_string(&keys[n]))
			free(*(char **)field(cfg, &keys[n]));
	for (i = 0; i < cfg->daemon.n_mountpoints; i++)
		free(cfg->daemon.mountpoints[i]);
	free(cfg->daemon.mountpoints);
	memset(cfg, 0, sizeof(*cfg));
}

void e4err_config_errors_free(struct e4err_config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		free(errs->list[i].message);
	free(errs->list);
	memset(errs, 0, sizeof(*errs));
}

void e4err_config_report(const char *whoami,
			 const struct e4err_config_errors *errs)
{
	size_t i;

	for (i = 0; i < errs->count; i++)
		com_err(whoami, errs->list[i].code, "%s", errs->list[i].message);
	if (errs->omitted)
		com_err(whoami, E4ERR_CONFIG,
			P_("(and %zu more problem not shown)",
			   "(and %zu more problems not shown)", errs->omitted),
			errs->omitted);
}

/* ---- printing and comparing ---- */

static int get_int(const struct e4err_config *cfg, const struct key *k)
{
	int v;

	memcpy(&v, cfield(cfg, k), sizeof(v));
	return v;
}

static const char *choice_name(const struct choice *c, int value)
{
	for (; c->name; c++)
		if (c->value == value)
			return c->name;
	return "?";
}

/* The text of a scalar value, as the file would hold it. */
static const char *format_value(char *buf, size_t size,
				const struct e4err_config *cfg,
				const struct key *k)
{
	const void *f = cfield(cfg, k);

	switch (k->type) {
	case KEY_DURATION:
		format_duration(buf, size, *(const uint64_t *)f);
		return buf;
	case KEY_SIZE:
		format_size(buf, size, *(const uint64_t *)f);
		return buf;
	case KEY_COUNT:
		snprintf(buf, size, "%" PRIu32, *(const uint32_t *)f);
		return buf;
	case KEY_BOOL:
		return *(const bool *)f ? "yes" : "no";
	case KEY_CHOICE:
		return choice_name(k->choices, get_int(cfg, k));
	case KEY_PATH:
	case KEY_PATH_OR_EMPTY:
	case KEY_MAIL:
		return *(char *const *)f ? *(char *const *)f : "";
	case KEY_MOUNTPOINTS:
		break;
	}
	return "";
}

/* A mount point with every byte the list syntax cannot hold as \ooo. */
static char *escape_item(const char *s)
{
	char *out = malloc(4 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		unsigned char c = *s;

		if (c <= 0x20 || c == 0x7f || c == '\\' || isspace(c))
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = c;
	}
	*o = '\0';
	return out;
}

/* Items packed on lines inih can read, the rest on indented lines. */
static errcode_t print_mountpoints(FILE *f, const struct e4err_config *cfg)
{
	size_t col = strlen("mountpoints ="), len;
	uint32_t i;
	char *e;

	fputs("mountpoints =", f);
	for (i = 0; i < cfg->daemon.n_mountpoints; i++) {
		e = escape_item(cfg->daemon.mountpoints[i]);
		if (!e)
			return ENOMEM;
		len = strlen(e);
		if (col + 1 + len > LINE_BYTES) {
			fprintf(f, "\n\t%s", e);
			col = 1 + len;
		} else {
			fprintf(f, " %s", e);
			col += 1 + len;
		}
		free(e);
	}
	fputc('\n', f);
	return 0;
}

errcode_t e4err_config_print(FILE *f, const struct e4err_config *cfg)
{
	const char *section = NULL, *v;
	char buf[64];
	errcode_t retval;
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		const struct key *k = &keys[i];

		if (!section || strcmp(section, k->section))
			fprintf(f, "%s[%s]\n", section ? "\n" : "", k->section);
		section = k->section;
		if (k->type == KEY_MOUNTPOINTS) {
			retval = print_mountpoints(f, cfg);
			if (retval)
				return retval;
			continue;
		}
		v = format_value(buf, sizeof(buf), cfg, k);
		if (!*v)
			fprintf(f, "%s =\n", k->name);
		else if (strlen(k->name) + 3 + strlen(v) <= LINE_BYTES)
			fprintf(f, "%s = %s\n", k->name, v);
		else
			fprintf(f, "%s=%s\n", k->name, v);
	}
	if (fflush(f) == EOF || ferror(f))
		return errno ? errno : EIO;
	return 0;
}

static bool same_value(const struct e4err_config *a,
		       const struct e4err_config *b, const struct key *k)
{
	const void *fa = cfield(a, k), *fb = cfield(b, k);
	uint32_t i;

	switch (k->type) {
	case KEY_PATH:
	case KEY_PATH_OR_EMPTY:
	case KEY_MAIL:
		return !strcmp(*(char *const *)fa, *(char *const *)fb);
	case KEY_MOUNTPOINTS:
		if (a->daemon.n_mountpoints != b->daemon.n_mountpoints)
			return false;
		for (i = 0; i < a->daemon.n_mountpoints; i++)
			if (strcmp(a->daemon.mountpoints[i],
				   b->daemon.mountpoints[i]))
				return false;
		return true;
	case KEY_DURATION:
	case KEY_SIZE:
		return *(const uint64_t *)fa == *(const uint64_t *)fb;
	case KEY_COUNT:
		return *(const uint32_t *)fa == *(const uint32_t *)fb;
	case KEY_BOOL:
		return *(const bool *)fa == *(const bool *)fb;
	case KEY_CHOICE:
		return get_int(a, k) == get_int(b, k);
	}
	return false;
}

bool e4err_config_equal(const struct e4err_config *a,
			const struct e4err_config *b)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (!same_value(a, b, &keys[i]))
			return false;
	return true;
}
