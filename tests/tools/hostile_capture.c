/*
 * hostile_capture.c --- a capture file of RFC ext4 error events whose
 * kernel strings are hostile, for the failure drill of
 * tests/live/t_drill_hostile.sh:
 *
 *   hostile_capture OUT N [RAW]
 *
 * writes N events (in 64 KiB records, as reads) whose descriptions and
 * function names cycle through terminal escapes, carriage returns, a fake
 * kernel log line after a newline, format directives, JSON and shell
 * metacharacters, invalid UTF-8, bidirectional overrides, bytes after an
 * early NUL, and the longest description the kernel sends.  Each event's
 * inode is its index + 12, so a reader can count them.  The bytes are
 * made by the kernel encoder of tests/common/kenc.c.  With RAW, the
 * bytes of the first record (one read) are also written there, as
 * `e4errd decode` takes them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>

#include "capture.h"
#include "e4err_err.h"
#include "kenc.h"

#define READ_COUNT	(64 * 1024)

static const char *const descs[] = {
	"\x1b[2J\x1b[31mRED ALERT\x1b[0m terminal cleared",
	"line one\r\roverwritten by a carriage return",
	"bad block\nEXT4-fs error (device sda1): fake_line:1: forged",
	"%s%s%s%n%n%x%x%p format directives",
	"\"},{\"verdict\":\"not_confirmed\"} json break \\ \" '",
	"$(rm -rf /) `reboot` ; | & > shell metacharacters",
	"\xff\xfe\xc0\xaf\xed\xa0\x80 invalid UTF-8",
	"\xe2\x80\xae reversed by a bidi override \xe2\x80\xac",
	"\x01\x02\x03\x7f\x08\x08\x08 control bytes and backspaces",
	"tab\tseparated\tfields\tand\va\fvertical tab",
};

static const char *const funcs[] = {
	"ext4_lookup", "\x1b]0;title\x07", "f%n%s", "a\nb", "\xff\xfe",
};

/* The kernel's longest description: 255 bytes of escapes and text. */
static void long_desc(char *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		buf[i] = "\x1b[7m%n\"\\\xff"[i % 10];
	buf[len - 1] = '\0';
}

static int write_raw(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int err = 0;

	if (!f)
		return errno;
	if (fwrite(buf, 1, len, f) != len)
		err = EIO;
	if (fclose(f) && !err)
		err = errno;
	return err;
}

static int write_all(FILE *out, unsigned long n, const char *raw)
{
	static unsigned char store[READ_COUNT + KENC_SLACK];
	char longest[KENC_EXT4_DESC_LEN];
	struct kenc_buf b;
	unsigned long i = 0;
	errcode_t err;

	long_desc(longest, sizeof(longest));
	while (i < n) {
		kenc_init(&b, store, sizeof(store));
		for (; i < n; i++) {
			size_t k = i % (sizeof(descs) / sizeof(descs[0]) + 1);
			struct kenc_ext4_error e = {
				.pid = (int32_t)(1000 + i), .error = i % 3 ? 0 : 74,
				.fsid = { 0x1234, 0x5678 },
				.function = funcs[i % (sizeof(funcs) / sizeof(funcs[0]))],
				.line = (int32_t)i, .ino = 12 + (uint64_t)i,
				.block = i % 2 ? 1000 + (uint64_t)i : 0,
				.msg = k < sizeof(descs) / sizeof(descs[0]) ?
					descs[k] : longest,
			};

			if (kenc_rfc_ext4(&b, &e) < 0)
				break;
		}
		if (!b.len)
			return EINVAL;
		if (raw && (err = write_raw(raw, store, b.len)))
			return (int)err;
		raw = NULL;
		err = e4err_capture_write(out, E4ERR_ABI_RFC, 1700000000000000000ULL
					  + i, 0, store, (uint32_t)b.len);
		if (err)
			return (int)err;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n;
	errcode_t err;
	FILE *out;

	add_error_table(&et_e4er_error_table);
	if (argc < 3 || argc > 4 || !(n = strtoul(argv[2], NULL, 10))) {
		fprintf(stderr, "Usage: hostile_capture OUT N [RAW]\n");
		return 2;
	}
	out = fopen(argv[1], "wb");
	if (!out) {
		com_err("hostile_capture", errno, "while creating %s", argv[1]);
		return 1;
	}
	err = e4err_capture_write_header(out);
	if (!err)
		err = write_all(out, n, argc > 3 ? argv[3] : NULL);
	if (fclose(out) && !err)
		err = errno;
	if (err) {
		com_err("hostile_capture", err, "while writing %s", argv[1]);
		return 1;
	}
	return 0;
}
