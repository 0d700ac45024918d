/*
 * sdunit.c --- systemd unit names and systemd-run command lines.
 *
 * The escaping follows systemd's unit_name_path_escape() and
 * unit_name_unescape() (src/basic/unit-name.c) as documented in
 * systemd.unit(5) and systemd-escape(1); tests compare it with the real
 * systemd-escape.  The systemd-run options are those of systemd 252
 * (Debian 12): --wait, --pipe, --collect, --service-type=exec, and
 * per-property -p; its closing lines ("Main processes terminated with:
 * code=..., status=N/NAME") say how the command ended.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sdunit.h"

#define VALID_CHARS \
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:_."

/* Path components, simplified; false for a "..", which systemd refuses. */
static bool simplify(const char *path, char *out)
{
	const char *p = path, *end;
	size_t o = 0, n;

	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return false;
		if (!(n == 1 && p[0] == '.')) {
			out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p = end;
	}
	out[o] = '\0';
	return true;
}

static char *escape_char(char *t, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	*t++ = '\\';
	*t++ = 'x';
	*t++ = hex[c >> 4];
	*t++ = hex[c & 15];
	return t;
}

/* Escape f into t (room for 4 bytes per byte): "/" as "-" when path. */
static void do_escape(const char *f, char *t, bool path)
{
	if (*f == '.') {
		t = escape_char(t, (unsigned char)*f);
		f++;
	}
	for (; *f; f++) {
		if (path && *f == '/')
			*t++ = '-';
		else if (!strchr(VALID_CHARS, *f))
			t = escape_char(t, (unsigned char)*f);
		else
			*t++ = *f;
	}
	*t = '\0';
}

errcode_t e4err_systemd_escape_path(const char *path, char **out)
{
	char *simple, *res;

	*out = NULL;
	if (!path || path[0] != '/')
		return EINVAL;
	simple = malloc(strlen(path) + 2);
	if (!simple)
		return ENOMEM;
	if (!simplify(path, simple)) {
		free(simple);
		return EINVAL;
	}
	res = malloc(4 * strlen(simple) + 2);
	if (!res) {
		free(simple);
		return ENOMEM;
	}
	if (!simple[0])
		strcpy(res, "-");
	else
		do_escape(simple + 1, res, true);
	free(simple);
	*out = res;
	return 0;
}

errcode_t e4err_systemd_escape(const char *s, char **out)
{
	*out = malloc(4 * strlen(s) + 1);
	if (!*out)
		return ENOMEM;
	do_escape(s, *out, false);
	return 0;
}

errcode_t e4err_e2scrub_unit_name(const char *mountpoint, char **unit)
{
	char *esc = NULL;
	errcode_t retval;
	int r;

	*unit = NULL;
	retval = e4err_systemd_escape_path(mountpoint, &esc);
	if (retval)
		return retval;
	/* e2scrub_all: "-" + escaped path, but "/" alone is just "-". */
	if (!strcmp(esc, "-"))
		r = asprintf(unit, "e2scrub@-.service");
	else
		r = asprintf(unit, "e2scrub@-%s.service", esc);
	free(esc);
	if (r < 0) {
		*unit = NULL;
		return ENOMEM;
	}
	if (strlen(*unit) > E4ERR_UNIT_NAME_MAX) {
		free(*unit);
		*unit = NULL;
		return E2BIG;
	}
	return 0;
}

static int unhex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

errcode_t e4err_e2scrub_unit_mountpoint(const char *unit, char **mountpoint)
{
	static const char prefix[] = "e2scrub@", suffix[] = ".service";
	size_t len, plen = sizeof(prefix) - 1, slen = sizeof(suffix) - 1, i;
	char *out, *o;
	int hi, lo;

	*mountpoint = NULL;
	len = unit ? strlen(unit) : 0;
	if (len <= plen + slen || strncmp(unit, prefix, plen) ||
	    strcmp(unit + len - slen, suffix))
		return EINVAL;
	out = o = malloc(len + 1);
	if (!out)
		return ENOMEM;
	for (i = plen; i < len - slen; i++) {
		if (unit[i] == '-') {
			*o++ = '/';
		} else if (unit[i] == '\\' && unit[i + 1] == 'x' &&
			   (hi = unhex(unit[i + 2])) >= 0 &&
			   (lo = unhex(unit[i + 3])) >= 0 && i + 3 < len - slen) {
			*o++ = (char)(hi << 4 | lo);
			i += 3;
		} else {
			*o++ = unit[i];
		}
	}
	*o = '\0';
	if (out[0] != '/' || strlen(out) != (size_t)(o - out)) {
		free(out);
		return EINVAL;
	}
	*mountpoint = out;
	return 0;
}

/* ---- systemd-run ---- */

void e4err_argv_free(char **argv)
{
	char **a;

	if (!argv)
		return;
	for (a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* Valid UTF-8 with no control character (what systemd accepts). */
static bool env_value_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int need, i;
	uint32_t cp;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0)
			need = 1, cp = *p & 0x1f;
		else if ((*p & 0xf0) == 0xe0)
			need = 2, cp = *p & 0x0f;
		else if ((*p & 0xf8) == 0xf0)
			need = 3, cp = *p & 0x07;
		else
			return false;
		for (i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		    (need == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return false;
		p += need + 1;
	}
	return true;
}

/* "$" doubled, so systemd passes it through literally. */
static char *dollars(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;

	if (!out)
		return NULL;
	for (; *s; s++) {
		*o++ = *s;
		if (*s == '$')
			*o++ = '$';
	}
	*o = '\0';
	return out;
}

struct vec {
	char **v;
	size_t n, cap;
	bool oom;
};

static void push(struct vec *v, char *s)
{
	char **nv;

	if (!s) {
		v->oom = true;
		return;
	}
	if (v->n + 2 > v->cap) {
		v->cap = v->cap ? 2 * v->cap : 32;
		nv = realloc(v->v, v->cap * sizeof(*nv));
		if (!nv) {
			free(s);
			v->oom = true;
			return;
		}
		v->v = nv;
	}
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

static void pushf(struct vec *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pushf(struct vec *v, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	push(v, s);
}

/* Whole seconds, rounded up: systemd takes "Ns" happily. */
static uint64_t secs(uint64_t ms)
{
	return (ms + 999) / 1000;
}

static void options(struct vec *v, const struct e4err_sdrun *run)
{
	size_t len = strlen(run->unit);
	bool suffixed = len > 8 && !strcmp(run->unit + len - 8, ".service");

	push(v, strdup("/usr/bin/systemd-run"));
	push(v, strdup("--wait"));
	push(v, strdup("--pipe"));
	push(v, strdup("--collect"));
	push(v, strdup("--no-ask-password"));
	push(v, strdup("--service-type=exec"));
	pushf(v, "--unit=%s%s", run->unit, suffixed ? "" : ".service");
	if (run->description)
		pushf(v, "--description=%s", run->description);
	if (run->runtime_max_ms)
		pushf(v, "--property=RuntimeMaxSec=%" PRIu64 "s",
		      secs(run->runtime_max_ms));
	if (run->stop_timeout_ms)
		pushf(v, "--property=TimeoutStopSec=%" PRIu64 "s",
		      secs(run->stop_timeout_ms));
	if (run->no_sigkill)
		push(v, strdup("--property=SendSIGKILL=no"));
}

errcode_t e4err_sdrun_argv(const struct e4err_sdrun *run, char ***argv)
{
	struct vec v = { NULL, 0, 0, false };
	const char *const *p;

	*argv = NULL;
	if (!run->unit || !run->argv || !run->argv[0] || run->argv[0][0] != '/')
		return EINVAL;
	for (p = run->env; p && *p; p++)
		if (!strchr(*p, '=') || !env_value_ok(strchr(*p, '=') + 1))
			return EINVAL;
	if (run->description && !env_value_ok(run->description))
		return EINVAL;
	options(&v, run);
	for (p = run->env; p && *p; p++)
		pushf(&v, "--setenv=%s", *p);
	push(&v, strdup("--"));
	for (p = run->argv; *p; p++)
		push(&v, dollars(*p));
	if (v.oom) {
		e4err_argv_free(v.v);
		return ENOMEM;
	}
	*argv = v.v;
	return 0;
}

/* The last line in out starting with key, or NULL. */
static const char *last_line(const char *out, size_t len, const char *key)
{
	size_t klen = strlen(key), i;
	const char *found = NULL;

	for (i = 0; i + klen <= len; i++) {
		if ((i == 0 || out[i - 1] == '\n') && !memcmp(out + i, key, klen))
			found = out + i + klen;
	}
	return found;
}

bool e4err_sdrun_outcome(const char *out, size_t len, bool *exited,
			 int *status, bool *signaled, int *sig,
			 bool *timed_out)
{
	const char *p = last_line(out, len,
				  "Main processes terminated with: code=");
	const char *res = last_line(out, len, "Finished with result: ");
	long n;
	char *end;

	*exited = *signaled = false;
	*status = *sig = 0;
	*timed_out = res && !strncmp(res, "timeout", 7) &&
		     (res[7] == '\n' || res[7] == '\0');
	if (!p)
		return false;
	if (!strncmp(p, "exited, status=", 15)) {
		n = strtol(p + 15, &end, 10);
		if (end == p + 15 || n < 0 || n > 255)
			return false;
		*exited = true;
		*status = (int)n;
		return true;
	}
	if (!strncmp(p, "killed, status=", 15) ||
	    !strncmp(p, "dumped, status=", 15)) {
		n = strtol(p + 15, &end, 10);
		if (end == p + 15 || n <= 0 || n > 64)
			return false;
		*signaled = true;
		*sig = (int)n;
		return true;
	}
	return false;
}
