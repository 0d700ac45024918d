/*
 * test_format.c --- the text and JSON forms of an event, and the escaping
 * of kernel strings that keeps them from driving a terminal or forging a
 * line of output.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "decode.h"
#include "format.h"

/* Escape n bytes into a fresh string (test helper; big enough always). */
static char *esc(const char *s, size_t n)
{
	size_t need = e4err_escape_text(NULL, 0, s, n);
	char *out = malloc(need + 1);

	assert_non_null(out);
	assert_int_equal(e4err_escape_text(out, need + 1, s, n), need);
	assert_int_equal(strlen(out), need);
	return out;
}

static void assert_escapes_to(const char *s, size_t n, const char *want)
{
	char *got = esc(s, n);

	assert_string_equal(got, want);
	free(got);
}
#define ESCAPES_TO(lit, want) assert_escapes_to(lit, sizeof(lit) - 1, want)

/* Every single byte: printable ASCII kept, \ \n \t named, the rest \xNN. */
static void test_escape_every_byte(void **state)
{
	char in, want[8];
	int b;

	(void)state;
	for (b = 0; b < 256; b++) {
		in = (char)b;
		if (b == '\\')
			strcpy(want, "\\\\");
		else if (b == '\n')
			strcpy(want, "\\n");
		else if (b == '\t')
			strcpy(want, "\\t");
		else if (b >= 0x20 && b < 0x7f)
			snprintf(want, sizeof(want), "%c", b);
		else
			snprintf(want, sizeof(want), "\\x%02x", b);
		assert_escapes_to(&in, 1, want);
	}
}

static void test_escape_hostile(void **state)
{
	(void)state;
	ESCAPES_TO("\x1b[2J", "\\x1b[2J");
	ESCAPES_TO("ok\nFAKE: inode 99", "ok\\nFAKE: inode 99");
	ESCAPES_TO("a\rb", "a\\x0db");
	ESCAPES_TO("\x7f", "\\x7f");
	ESCAPES_TO("\x1b]0;title\x07", "\\x1b]0;title\\x07");
	ESCAPES_TO("nul\0after", "nul\\x00after");
	/* C1 controls as UTF-8: CSI, NEL, and the ends of the range. */
	ESCAPES_TO("\xc2\x9b" "2J", "\\xc2\\x9b2J");
	ESCAPES_TO("\xc2\x85", "\\xc2\\x85");
	ESCAPES_TO("\xc2\x80\xc2\x9f", "\\xc2\\x80\\xc2\\x9f");
	ESCAPES_TO("\xc2\xa0", "\xc2\xa0");	/* U+00A0 is not a control */
	/* Bidi overrides and isolates, line and paragraph separators. */
	ESCAPES_TO("\xe2\x80\xaegnp.exe", "\\xe2\\x80\\xaegnp.exe");
	ESCAPES_TO("\xe2\x80\xaa", "\\xe2\\x80\\xaa");
	ESCAPES_TO("\xe2\x81\xa6x\xe2\x81\xa9", "\\xe2\\x81\\xa6x\\xe2\\x81\\xa9");
	ESCAPES_TO("\xe2\x80\xa8", "\\xe2\\x80\\xa8");
	ESCAPES_TO("\xe2\x80\x8f", "\\xe2\\x80\\x8f");
	ESCAPES_TO("\xe2\x80\xaf", "\xe2\x80\xaf");	/* U+202F, a space */
}

static void test_escape_utf8(void **state)
{
	(void)state;
	ESCAPES_TO("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		   "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	/* Overlong forms of '/' and of NUL. */
	ESCAPES_TO("\xc0\xaf", "\\xc0\\xaf");
	ESCAPES_TO("\xc0\x80", "\\xc0\\x80");
	ESCAPES_TO("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	ESCAPES_TO("\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf");
	/* An overlong ESC must not become a raw ESC either. */
	ESCAPES_TO("\xc0\x9b", "\\xc0\\x9b");
	/* Surrogate, past U+10FFFF, stray continuation, cut sequences. */
	ESCAPES_TO("\xed\xa0\x80", "\\xed\\xa0\\x80");
	ESCAPES_TO("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	ESCAPES_TO("\x80x", "\\x80x");
	ESCAPES_TO("\xe2\x82", "\\xe2\\x82");
	ESCAPES_TO("\xe2\x82z", "\\xe2\\x82z");
	ESCAPES_TO("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
}

/* A cut string is a prefix of whole units, NUL-terminated; size is exact. */
static void test_escape_truncation(void **state)
{
	const char in[] = "ab\x1b" "cd";	/* "ab\x1bcd": 8 characters */
	char out[16];
	size_t sz;

	(void)state;
	for (sz = 0; sz < sizeof(out); sz++) {
		memset(out, '#', sizeof(out));
		assert_int_equal(e4err_escape_text(out, sz, in, 5), 8);
		if (sz == 0) {
			assert_int_equal(out[0], '#');
			continue;
		}
		if (sz <= 2)
			assert_int_equal(strlen(out), sz - 1);
		else if (sz <= 6)
			assert_string_equal(out, "ab");	/* never "ab\x1" */
		else if (sz <= 8)
			assert_int_equal(strlen(out), sz - 1);
		else
			assert_string_equal(out, "ab\\x1bcd");
	}
}

/*
 * Does s hold a byte or character a terminal would act on?  Checked on the
 * escaper's output for random input: controls, DEL, and the UTF-8 forms of
 * C1 controls and bidi/separator characters.
 */
static bool has_unsafe(const char *s)
{
	static const char *const bad[] = {
		"\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaa", "\xe2\x80\xab",
		"\xe2\x80\xac", "\xe2\x80\xad", "\xe2\x80\xae", "\xe2\x81\xa6",
		"\xe2\x81\xa7", "\xe2\x81\xa8", "\xe2\x81\xa9", "\xe2\x80\x8e",
		"\xe2\x80\x8f", "\xd8\x9c",
	};
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	for (i = 0; u[i]; i++)
		if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f))
			return true;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strstr(s, bad[i]))
			return true;
	return false;
}

/* Random bytes, biased toward the interesting ones. */
static void random_bytes(char *buf, size_t n)
{
	static const unsigned char pick[] = {
		0x00, 0x0a, 0x0d, 0x1b, 0x7f, 0x80, 0x9b, 0xc0, 0xc2, 0xe2,
		0x80, 0xae, 0xa6, 0xa9, 0xed, 0xf0, 0xf4, 0xff, 'A', '\\',
	};
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = rand() % 3 ? (char)pick[rand() % sizeof(pick)] :
			(char)(rand() & 0xff);
}

static void test_escape_random(void **state)
{
	char in[64];
	json_t *j;
	char *out;
	int round;
	size_t n;

	(void)state;
	srand(1);
	for (round = 0; round < 20000; round++) {
		n = rand() % sizeof(in);
		random_bytes(in, n);
		out = esc(in, n);
		assert_false(has_unsafe(out));
		/* The output is always valid UTF-8 (jansson checks). */
		j = json_string(out);
		assert_non_null(j);
		json_decref(j);
		free(out);
	}
}

static void test_json_bytes(void **state)
{
	bool lossy = true;
	json_t *j;

	(void)state;
	j = e4err_json_bytes("caf\xc3\xa9\n", 6, &lossy);
	assert_non_null(j);
	assert_false(lossy);
	assert_string_equal(json_string_value(j), "caf\xc3\xa9\n");
	json_decref(j);

	j = e4err_json_bytes("a\xffz\xc0\xaf", 5, &lossy);
	assert_non_null(j);
	assert_true(lossy);
	assert_string_equal(json_string_value(j),
			    "a\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(j);

	j = e4err_json_bytes("", 0, &lossy);
	assert_non_null(j);
	assert_false(lossy);
	assert_string_equal(json_string_value(j), "");
	json_decref(j);

	/* Callers that do not care whether bytes were replaced pass NULL. */
	j = e4err_json_bytes("a\xffz", 3, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(j), "a\xef\xbf\xbdz");
	json_decref(j);
}

/* Random bytes always give a JSON string that dumps and parses back. */
static void test_json_bytes_random(void **state)
{
	json_t *j, *arr, *back;
	json_error_t jerr;
	char in[80], *text;
	int round;
	bool lossy;
	size_t n;

	(void)state;
	srand(2);
	for (round = 0; round < 20000; round++) {
		n = rand() % sizeof(in);
		random_bytes(in, n);
		j = e4err_json_bytes(in, n, &lossy);
		assert_non_null(j);
		arr = json_pack("[O]", j);
		text = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
		assert_non_null(text);
		back = json_loads(text, JSON_ALLOW_NUL, &jerr);
		assert_non_null(back);
		assert_true(json_equal(back, arr));
		if (!lossy) {
			assert_int_equal(json_string_length(j), n);
			assert_memory_equal(json_string_value(j), in, n);
		}
		free(text);
		json_decref(back);
		json_decref(arr);
		json_decref(j);
	}
}

static void golden_rfc(struct e4err_event *ev)
{
	static const char desc[] = "iget: checksum invalid\n";

	memset(ev, 0, sizeof(*ev));
	ev->abi = E4ERR_ABI_RFC;
	ev->mask = E4ERR_RFC_FAN_ERROR;
	ev->pid = 4242;
	ev->fd = -1;
	ev->has_error = true;
	ev->error = 0;
	ev->has_fsid = true;
	ev->fsid[0] = 0x1234abcd;
	ev->fsid[1] = 0x5678ef01;
	ev->has_inode = true;
	ev->inode = 12;
	ev->has_block = true;
	ev->block = 4385;
	ev->has_function = true;
	strcpy(ev->function, "ext4_lookup");
	ev->has_line = true;
	ev->line = 1701;
	ev->has_desc = true;
	ev->desc_len = sizeof(desc) - 1;
	memcpy(ev->desc, desc, sizeof(desc));
}

static void assert_keys(json_t *obj, const char *const *keys, size_t nkeys)
{
	void *it = json_object_iter(obj);
	size_t i;

	for (i = 0; i < nkeys; i++) {
		assert_non_null(it);
		assert_string_equal(json_object_iter_key(it), keys[i]);
		it = json_object_iter_next(obj, it);
	}
	assert_null(it);
}

static const char *const std_keys[] = {
	"abi", "mask", "pid", "error", "error_name", "error_count", "fsid",
	"inode", "generation", "block", "function", "line", "desc", "warnings",
};
#define NSTD (sizeof(std_keys) / sizeof(std_keys[0]))

static void test_json_rfc(void **state)
{
	struct e4err_event ev;
	json_t *obj;

	(void)state;
	golden_rfc(&ev);
	obj = e4err_event_to_json(&ev);
	assert_non_null(obj);
	assert_keys(obj, std_keys, NSTD);
	assert_string_equal(json_string_value(json_object_get(obj, "abi")), "rfc");
	assert_int_equal(json_integer_value(json_object_get(obj, "mask")), 0x100000);
	assert_int_equal(json_integer_value(json_object_get(obj, "pid")), 4242);
	assert_int_equal(json_integer_value(json_object_get(obj, "error")), 0);
	assert_string_equal(json_string_value(json_object_get(obj, "error_name")),
			    "EFSCORRUPTED");
	assert_true(json_is_null(json_object_get(obj, "error_count")));
	assert_string_equal(json_string_value(json_object_get(obj, "fsid")),
			    "1234abcd:5678ef01");
	assert_int_equal(json_integer_value(json_object_get(obj, "inode")), 12);
	assert_true(json_is_null(json_object_get(obj, "generation")));
	assert_int_equal(json_integer_value(json_object_get(obj, "block")), 4385);
	assert_string_equal(json_string_value(json_object_get(obj, "function")),
			    "ext4_lookup");
	assert_int_equal(json_integer_value(json_object_get(obj, "line")), 1701);
	assert_string_equal(json_string_value(json_object_get(obj, "desc")),
			    "iget: checksum invalid\n");
	assert_int_equal(json_array_size(json_object_get(obj, "warnings")), 0);
	json_decref(obj);
}

/* An event with nothing in it: every optional key is there, and null. */
static void test_json_nulls(void **state)
{
	static const char *const nullable[] = {
		"error", "error_name", "error_count", "fsid", "inode",
		"generation", "block", "function", "line", "desc",
	};
	struct e4err_event ev;
	json_t *obj;
	size_t i;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.abi = E4ERR_ABI_MAINLINE;
	ev.mask = E4ERR_FAN_Q_OVERFLOW;
	ev.overflow = true;
	obj = e4err_event_to_json(&ev);
	assert_non_null(obj);
	assert_keys(obj, std_keys, NSTD);
	for (i = 0; i < sizeof(nullable) / sizeof(nullable[0]); i++)
		assert_true(json_is_null(json_object_get(obj, nullable[i])));
	assert_int_equal(json_integer_value(json_object_get(obj, "mask")), 0x4000);
	json_decref(obj);

	/* A skipped event: not even its mask and pid are known. */
	ev.skipped = true;
	obj = e4err_event_to_json(&ev);
	assert_true(json_is_null(json_object_get(obj, "mask")));
	assert_true(json_is_null(json_object_get(obj, "pid")));
	json_decref(obj);
}

static void test_json_mainline(void **state)
{
	struct e4err_event ev;
	json_t *obj;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.abi = E4ERR_ABI_MAINLINE;
	ev.mask = E4ERR_FAN_FS_ERROR;
	ev.pid = 11178;
	ev.has_error = true;
	ev.error = 74;
	ev.has_error_count = true;
	ev.error_count = 2;
	ev.has_fsid = true;
	ev.fsid[0] = 0x20f339eb;
	ev.fsid[1] = 0x255cccaa;
	ev.has_inode = true;
	ev.inode = 12;
	ev.has_generation = true;
	ev.generation = 0x5eed1234;
	obj = e4err_event_to_json(&ev);
	assert_non_null(obj);
	assert_keys(obj, std_keys, NSTD);
	assert_string_equal(json_string_value(json_object_get(obj, "abi")),
			    "mainline");
	assert_string_equal(json_string_value(json_object_get(obj, "error_name")),
			    "EFSBADCRC");
	assert_int_equal(json_integer_value(json_object_get(obj, "error_count")), 2);
	assert_int_equal(json_integer_value(json_object_get(obj, "generation")),
			 0x5eed1234);
	assert_string_equal(json_string_value(json_object_get(obj, "fsid")),
			    "20f339eb:255cccaa");
	assert_true(json_is_null(json_object_get(obj, "desc")));
	json_decref(obj);
}

/* Invalid UTF-8 from the kernel: U+FFFD in the string, raw bytes in hex. */
static void test_json_lossy(void **state)
{
	static const char *const keys[] = {
		"abi", "mask", "pid", "error", "error_name", "error_count",
		"fsid", "inode", "generation", "block", "function", "line",
		"desc", "warnings", "function_hex", "desc_hex",
	};
	struct e4err_event ev;
	json_t *obj, *w;

	(void)state;
	golden_rfc(&ev);
	strcpy(ev.function, "ext4_\xff");
	memcpy(ev.desc, "bad \xc0\xaf\n", 8);
	ev.desc_len = 7;
	obj = e4err_event_to_json(&ev);
	assert_non_null(obj);
	assert_keys(obj, keys, sizeof(keys) / sizeof(keys[0]));
	assert_string_equal(json_string_value(json_object_get(obj, "function")),
			    "ext4_\xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(obj, "function_hex")),
			    "657874345fff");
	assert_string_equal(json_string_value(json_object_get(obj, "desc")),
			    "bad \xef\xbf\xbd\xef\xbf\xbd\n");
	assert_string_equal(json_string_value(json_object_get(obj, "desc_hex")),
			    "62616420c0af0a");
	w = json_object_get(obj, "warnings");
	assert_int_equal(json_array_size(w), 2);
	assert_non_null(strstr(json_string_value(json_array_get(w, 0)),
			       "function_hex"));
	assert_non_null(strstr(json_string_value(json_array_get(w, 1)),
			       "desc_hex"));
	json_decref(obj);
}

/* Warnings from the decoder, translated by it, in order, then "dropped". */
static void test_json_warnings(void **state)
{
	struct e4err_event ev;
	char buf[256];
	json_t *obj, *w;

	(void)state;
	golden_rfc(&ev);
	ev.nwarnings = 2;
	ev.warnings[0].code = E4ERR_W_OVERRUN;
	ev.warnings[0].arg = 12;
	ev.warnings[1].code = E4ERR_W_ROOT_PLACEHOLDER;
	ev.warnings_dropped = true;
	obj = e4err_event_to_json(&ev);
	w = json_object_get(obj, "warnings");
	assert_int_equal(json_array_size(w), 3);
	assert_string_equal(json_string_value(json_array_get(w, 0)),
			    e4err_warning_text(&ev.warnings[0], buf, sizeof(buf)));
	assert_string_equal(json_string_value(json_array_get(w, 1)),
			    e4err_warning_text(&ev.warnings[1], buf, sizeof(buf)));
	assert_non_null(strstr(json_string_value(json_array_get(w, 2)), "dropped"));
	json_decref(obj);
}

static void test_json_u64(void **state)
{
	json_t *j;

	(void)state;
	j = e4err_json_u64(INT64_MAX);
	assert_true(json_is_integer(j));
	assert_int_equal(json_integer_value(j), INT64_MAX);
	json_decref(j);
	j = e4err_json_u64(UINT64_MAX - 1);
	assert_string_equal(json_string_value(j), "18446744073709551614");
	json_decref(j);
}

/* print_json: one line, ASCII only, and it parses back to to_json's object. */
static void test_print_json(void **state)
{
	struct e4err_event ev;
	json_t *want, *got;
	json_error_t jerr;
	char *text = NULL;
	size_t size = 0, i;
	FILE *f;

	(void)state;
	golden_rfc(&ev);
	memcpy(ev.desc, "\x1b[2J\nFAKE \xe2\x80\xae\n", 15);
	ev.desc_len = 14;
	f = open_memstream(&text, &size);
	assert_int_equal(e4err_event_print_json(f, &ev), 0);
	assert_int_equal(e4err_event_print_json(f, &ev), 0);
	fclose(f);
	assert_non_null(strchr(text, '\n'));
	assert_int_equal(strchr(text, '\n') - text + 1, size / 2);
	for (i = 0; i < size; i++)
		assert_true(text[i] == '\n' ||
			    (text[i] >= 0x20 && text[i] < 0x7f));
	text[size / 2 - 1] = '\0';
	got = json_loads(text, 0, &jerr);
	assert_non_null(got);
	want = e4err_event_to_json(&ev);
	assert_true(json_equal(got, want));
	json_decref(got);
	json_decref(want);
	free(text);
}

/* Print ev as text into a fresh string. */
static char *text_of(const struct e4err_event *ev)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	assert_int_equal(e4err_event_print_text(f, ev), 0);
	fclose(f);
	return text;
}

static void test_text_rfc(void **state)
{
	struct e4err_event ev;
	char *text;

	(void)state;
	golden_rfc(&ev);
	text = text_of(&ev);
	assert_string_equal(text,
		"rfc event: error 0 (EFSCORRUPTED) inode 12 block 4385 in ext4_lookup:1701\n"
		"  desc: iget: checksum invalid\n"
		"  fsid: 1234abcd:5678ef01\n"
		"  pid: 4242, mask: 0x00100000\n");
	free(text);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* No kernel string, however hostile, adds a line or a raw control. */
static void test_text_hostile(void **state)
{
	struct e4err_event ev;
	char *text, *line;
	int round;

	(void)state;
	golden_rfc(&ev);
	strcpy(ev.function, "f\nFAKE: x\x1b[31m");
	memcpy(ev.desc, "\x1b[2J\r\nFAKE: inode 99\n\xe2\x80\xae\xc2\x9b", 27);
	ev.desc_len = 26;
	text = text_of(&ev);
	assert_int_equal(count_lines(text), 4);
	assert_null(strstr(text, "\nFAKE"));
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\r'));
	assert_non_null(strstr(text, "  desc: \\x1b[2J\\x0d\\nFAKE: inode 99\\n"
			       "\\xe2\\x80\\xae\\xc2\\x9b\n"));
	free(text);

	srand(3);
	for (round = 0; round < 2000; round++) {
		random_bytes(ev.function, E4ERR_FUNCTION_MAX);
		ev.function[rand() % (E4ERR_FUNCTION_MAX + 1)] = '\0';
		ev.desc_len = rand() % (E4ERR_RFC_DESC_LEN + 1);
		random_bytes(ev.desc, ev.desc_len);
		ev.desc[ev.desc_len] = '\0';
		text = text_of(&ev);
		assert_int_equal(count_lines(text), 4);
		for (line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			assert_false(has_unsafe(line));
		free(text);
	}
}

static void test_text_mainline_overflow(void **state)
{
	struct e4err_event ev;
	char *text;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.abi = E4ERR_ABI_MAINLINE;
	ev.mask = E4ERR_FAN_FS_ERROR;
	ev.pid = 7;
	ev.has_error = true;
	ev.error = 117;
	ev.has_error_count = true;
	ev.error_count = 1;
	ev.has_fsid = true;
	text = text_of(&ev);
	assert_non_null(strstr(text, "mainline event: error 117 (EFSCORRUPTED) count 1\n"));
	free(text);

	memset(&ev, 0, sizeof(ev));
	ev.abi = E4ERR_ABI_MAINLINE;
	ev.mask = E4ERR_FAN_Q_OVERFLOW;
	ev.overflow = true;
	text = text_of(&ev);
	assert_non_null(strstr(text, "overflow"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_every_byte),
		cmocka_unit_test(test_escape_hostile),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_truncation),
		cmocka_unit_test(test_escape_random),
		cmocka_unit_test(test_json_bytes),
		cmocka_unit_test(test_json_bytes_random),
		cmocka_unit_test(test_json_rfc),
		cmocka_unit_test(test_json_nulls),
		cmocka_unit_test(test_json_mainline),
		cmocka_unit_test(test_json_lossy),
		cmocka_unit_test(test_json_warnings),
		cmocka_unit_test(test_json_u64),
		cmocka_unit_test(test_print_json),
		cmocka_unit_test(test_text_rfc),
		cmocka_unit_test(test_text_hostile),
		cmocka_unit_test(test_text_mainline_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
