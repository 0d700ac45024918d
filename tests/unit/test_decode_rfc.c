/*
 * test_decode_rfc.c --- the RFC FAN_ERROR decoder against the golden
 * vector (written by hand from the kernel code of the seed thread), against
 * streams from the encoder in tests/common/kenc.c, and against truncated,
 * mangled and random bytes.
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
#include "decode_util.h"
#include "kenc.h"

#define GOLDEN_EVENT_LEN	316
#define GOLDEN_WRITTEN		340
#define FSID0			0x11223344U
#define FSID1			0x55667788U

/*
 * An ext4_lookup() error (EXT4_ERROR_INODE on directory inode 12: error 0,
 * block 0), as the RFC kernel writes it; little endian.  event_len 316
 * leaves the metadata out; 340 bytes are written; 0xA5 marks bytes the
 * kernel never initialised (header pads, desc after its NUL).
 */
static const unsigned char golden[GOLDEN_WRITTEN] = {
	/* +0 metadata: event_len 316, vers 3, reserved 0, metadata_len 24 */
	0x3c, 0x01, 0x00, 0x00, 0x03, 0x00, 0x18, 0x00,
	/* mask FAN_ERROR */
	0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00,
	/* fd FAN_NOFD, pid 1234 */
	0xff, 0xff, 0xff, 0xff, 0xd2, 0x04, 0x00, 0x00,
	/* +24 error record: type 5, pad 0, len 20, version 1, error 0, fsid */
	0x05, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11,
	0x88, 0x77, 0x66, 0x55,
	/* +44 location record: type 4, pad ?, len 8 + 12, line 1712 */
	0x04, 0xa5, 0x14, 0x00, 0xb0, 0x06, 0x00, 0x00,
	'e', 'x', 't', '4', '_', 'l', 'o', 'o', 'k', 'u', 'p', 0x00,
	/* +64 fsdata record: type 6, pad ?, len 4 + 272 */
	0x06, 0xa5, 0x14, 0x01,
	/* +68 report.inode 12, +76 report.block -1 (block 0) */
	0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	/* +84 report.desc, 29 bytes + NUL, then 226 uninitialised */
	'd', 'e', 'l', 'e', 't', 'e', 'd', ' ', 'i', 'n', 'o', 'd', 'e', ' ',
	'r', 'e', 'f', 'e', 'r', 'e', 'n', 'c', 'e', 'd', ':', ' ', '1', '3',
	'\n', 0x00,
	[114 ... GOLDEN_WRITTEN - 1] = 0xa5,
};

static const char golden_desc[] = "deleted inode referenced: 13\n";

static bool little_endian(void)
{
	uint16_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* The event the golden bytes stand for, through the encoder. */
static int encode_golden(struct kenc_buf *b)
{
	struct kenc_ext4_error e = {
		.pid = 1234, .error = 0, .fsid = { FSID0, FSID1 },
		.function = "ext4_lookup", .line = 1712,
		.ino = 12, .block = 0, .msg = "deleted inode referenced: 13",
	};

	return kenc_rfc_ext4(b, &e);
}

/*
 * Decode exactly len bytes from a heap copy of that size, so that any read
 * past what read() returned is caught by ASan in the sanitizer build.
 */
static size_t decode_exact(const void *bytes, size_t len,
			   struct e4err_event *evs, size_t max)
{
	void *copy = malloc(len ? len : 1);
	size_t n;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	n = decode_all(E4ERR_ABI_RFC, copy, len, evs, max);
	free(copy);
	assert_int_not_equal(n, SIZE_MAX);
	for (size_t i = 0; i < n && i < max; i++) {
		const char *why = event_violation(&evs[i], len);

		if (why)
			fail_msg("event %zu: %s", i, why);
	}
	return n;
}

static bool has_warning(const struct e4err_event *ev,
			enum e4err_warning_code code, int64_t arg)
{
	for (unsigned int i = 0; i < ev->nwarnings; i++)
		if (ev->warnings[i].code == code && ev->warnings[i].arg == arg)
			return true;
	return false;
}

static void assert_golden_event(const struct e4err_event *ev, size_t offset)
{
	char buf[32];

	assert_false(ev->skipped);
	assert_int_equal(ev->abi, E4ERR_ABI_RFC);
	assert_int_equal(ev->offset, offset);
	assert_int_equal(ev->event_len, GOLDEN_EVENT_LEN);
	assert_int_equal(ev->mask, E4ERR_RFC_FAN_ERROR);
	assert_int_equal(ev->pid, 1234);
	assert_int_equal(ev->fd, -1);
	assert_false(ev->overflow);
	assert_true(ev->has_error);
	assert_int_equal(ev->error, 0);
	assert_string_equal(e4err_error_name(ev->error, buf, sizeof(buf)),
			    "EFSCORRUPTED");
	assert_false(ev->has_error_count);
	assert_true(ev->has_fsid);
	assert_int_equal(ev->fsid[0], FSID0);
	assert_int_equal(ev->fsid[1], FSID1);
	assert_true(ev->has_inode);
	assert_int_equal(ev->inode, 12);
	assert_false(ev->inode_is_placeholder);
	assert_false(ev->has_generation);
	assert_false(ev->has_block);
	assert_true(ev->has_function);
	assert_string_equal(ev->function, "ext4_lookup");
	assert_true(ev->has_line);
	assert_int_equal(ev->line, 1712);
	assert_true(ev->has_desc);
	assert_int_equal(ev->desc_len, strlen(golden_desc));
	assert_string_equal(ev->desc, golden_desc);
	assert_false(ev->has_pidfd);
	assert_int_equal(ev->nwarnings, 0);
	assert_false(ev->warnings_dropped);
}

/* The encoder writes the golden bytes, 24 past event_len, nothing more. */
static void test_golden_encoder(void **state)
{
	unsigned char store[GOLDEN_WRITTEN + 64];
	struct kenc_buf b;

	(void)state;
	if (!little_endian())
		skip();
	kenc_init(&b, store, GOLDEN_EVENT_LEN + KENC_SLACK + 40);
	assert_int_equal(encode_golden(&b), GOLDEN_EVENT_LEN);
	assert_int_equal(b.len, GOLDEN_EVENT_LEN);
	assert_memory_equal(store, golden, GOLDEN_WRITTEN);
	assert_int_equal(store[GOLDEN_WRITTEN], 0x5A);
}

/* What read() returned for the golden event: its first 316 bytes. */
static void test_golden_decode(void **state)
{
	struct e4err_event ev[2];

	(void)state;
	if (!little_endian())
		skip();
	assert_int_equal(decode_exact(golden, GOLDEN_EVENT_LEN, ev, 2), 1);
	assert_golden_event(&ev[0], 0);
}

/* Two in one read: the second metadata overwrites the first's tail. */
static void test_golden_twice(void **state)
{
	unsigned char buf[2 * GOLDEN_EVENT_LEN + KENC_SLACK];
	struct e4err_event ev[3];

	(void)state;
	if (!little_endian())
		skip();
	memcpy(buf, golden, GOLDEN_WRITTEN);
	memcpy(buf + GOLDEN_EVENT_LEN, golden, GOLDEN_WRITTEN);
	assert_int_equal(decode_exact(buf, 2 * GOLDEN_EVENT_LEN, ev, 3), 2);
	assert_golden_event(&ev[0], 0);
	assert_golden_event(&ev[1], GOLDEN_EVENT_LEN);
}

/* A description long enough to reach the clipped-off 24 bytes. */
static void test_desc_clipped(void **state)
{
	static const struct {
		size_t msg_len;		/* desc is msg + "\n" */
		size_t want_len;
		bool unterminated;
	} cases[] = {
		{ 230, 231, false },	/* NUL at desc[231], inside */
		{ 231, 232, true },	/* NUL at desc[232], clipped off */
		{ 254, 232, true },	/* desc fills the report */
		{ 400, 232, true },	/* snprintf cut it at 255 */
	};
	unsigned char store[1024];
	char msg[512];
	struct kenc_buf b;
	struct e4err_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kenc_ext4_error e = {
			.pid = 1, .fsid = { 1, 2 }, .function = "ext4_find_entry",
			.line = 1, .ino = 77, .block = 99, .msg = msg,
		};

		for (size_t j = 0; j < cases[i].msg_len; j++)
			msg[j] = (char)('a' + j % 26);
		msg[cases[i].msg_len] = '\0';
		kenc_init(&b, store, sizeof(store));
		assert_int_equal(kenc_rfc_ext4(&b, &e), 20 + 8 + 16 + 276);
		assert_int_equal(decode_exact(store, b.len, &ev, 1), 1);
		assert_true(ev.has_desc);
		assert_int_equal(ev.desc_len, cases[i].want_len);
		assert_memory_equal(ev.desc, msg, cases[i].want_len <= cases[i].msg_len ?
				    cases[i].want_len : cases[i].msg_len);
		assert_int_equal(has_warning(&ev, E4ERR_W_DESC_UNTERMINATED, 0),
				 cases[i].unterminated);
		assert_int_equal(ev.nwarnings, cases[i].unterminated ? 1 : 0);
		assert_true(ev.has_block);
		assert_int_equal(ev.block, 99);
	}
}

/* A filesystem without location: error + fsdata only. */
static void test_missing_location(void **state)
{
	unsigned char store[1024];
	struct kenc_ext4_report rep;
	struct kenc_rfc_event e = {
		.mask = KENC_RFC_FAN_ERROR, .pid = 9, .error = 117,
		.fsid = { 5, 6 }, .function = NULL,
		.fs_data = &rep, .fs_data_size = sizeof(rep),
	};
	struct kenc_buf b;
	struct e4err_event ev;

	(void)state;
	kenc_ext4_report(&rep, 40, 4000, NULL, "bad extent");
	kenc_init(&b, store, sizeof(store));
	assert_int_equal(kenc_rfc_event(&b, &e), 20 + 276);
	assert_int_equal(decode_exact(store, b.len, &ev, 1), 1);
	assert_false(ev.has_function);
	assert_false(ev.has_line);
	assert_int_equal(ev.error, 117);
	assert_int_equal(ev.inode, 40);
	assert_int_equal(ev.block, 4000);
	assert_string_equal(ev.desc, "bad extent\n");
	assert_int_equal(ev.nwarnings, 0);
}

/* Many events of every shape in one read, each decoded as encoded. */
static void test_many_events(void **state)
{
	static const char *const funcs[] = {
		"ext4_lookup", "__ext4_find_entry", "ext4_iget", "f",
		"ext4_validate_block_bitmap", NULL,
	};
	unsigned char store[64 * 1024];
	struct kenc_ext4_report rep[40];
	struct kenc_rfc_event in[40];
	struct e4err_event ev[41];
	struct kenc_buf b;
	size_t offsets[40], n, i;

	(void)state;
	kenc_init(&b, store, sizeof(store));
	for (i = 0; i < 40; i++) {
		char msg[64];

		snprintf(msg, sizeof(msg), "message number %zu", i);
		kenc_ext4_report(&rep[i], i % 7 ? 100 + i : 0, i % 3 ? i : 0,
				 NULL, msg);
		in[i] = (struct kenc_rfc_event){
			.mask = KENC_RFC_FAN_ERROR, .pid = (int32_t)(1000 + i),
			.error = (int32_t)(i % 4 == 0 ? 0 : 100 + i),
			.fsid = { (uint32_t)i, ~(uint32_t)i },
			.function = funcs[i % 6], .line = (int32_t)(10 * i),
			.fs_data = &rep[i], .fs_data_size = sizeof(rep[i]),
		};
		offsets[i] = b.len;
		assert_true(kenc_rfc_event(&b, &in[i]) > 0);
	}
	n = decode_exact(store, b.len, ev, 41);
	assert_int_equal(n, 40);
	for (i = 0; i < n; i++) {
		assert_int_equal(ev[i].offset, offsets[i]);
		assert_int_equal(ev[i].pid, in[i].pid);
		assert_int_equal(ev[i].error, in[i].error);
		assert_int_equal(ev[i].fsid[0], i);
		assert_int_equal(ev[i].fsid[1], ~(uint32_t)i);
		assert_int_equal(ev[i].has_function, in[i].function != NULL);
		if (in[i].function) {
			assert_string_equal(ev[i].function, in[i].function);
			assert_int_equal(ev[i].line, in[i].line);
		}
		assert_int_equal(ev[i].has_inode, i % 7 != 0);
		if (i % 7)
			assert_int_equal(ev[i].inode, 100 + i);
		assert_int_equal(ev[i].has_block, i % 3 != 0);
		if (i % 3)
			assert_int_equal(ev[i].block, i);
		assert_string_equal(ev[i].desc, rep[i].desc);
		assert_int_equal(ev[i].nwarnings, 0);
	}
}

/* Uninitialised bytes never reach the event: poison or zero, same event. */
static void test_poison_never_kept(void **state)
{
	unsigned char a[2048], z[2048];
	struct kenc_buf b;
	struct e4err_event ea[8], ez[8];
	size_t n, i, len;
	uint64_t rng = 0x1234567;

	(void)state;
	kenc_init(&b, a, sizeof(a));
	for (i = 0; i < 5; i++) {
		char msg[300];
		size_t ml = test_rand(&rng) % 290;
		struct kenc_ext4_error e = {
			.pid = 3, .fsid = { 7, 8 }, .function = "ext4_iget",
			.line = 5, .ino = 13, .block = 0, .msg = msg,
		};

		memset(msg, 'x', ml);
		msg[ml] = '\0';
		assert_true(kenc_rfc_ext4(&b, &e) > 0);
	}
	len = b.len;
	/* the same stream with every poisoned byte zeroed */
	memcpy(z, a, sizeof(z));
	for (i = 0; i < len + KENC_SLACK; i++)
		if (z[i] == KENC_POISON)
			z[i] = 0;
	n = decode_exact(a, len, ea, 8);
	assert_int_equal(n, 5);
	assert_int_equal(decode_exact(z, len, ez, 8), 5);
	for (i = 0; i < n; i++) {
		assert_memory_equal(&ea[i], &ez[i], sizeof(ea[i]));
		assert_null(memchr(ea[i].desc, KENC_POISON, sizeof(ea[i].desc)));
		assert_null(memchr(ea[i].function, KENC_POISON,
				   sizeof(ea[i].function)));
	}
}

/* __ext4_error names the root inode with no block. */
static void test_root_placeholder(void **state)
{
	static const struct {
		uint64_t ino, block;
		bool placeholder;
	} cases[] = {
		{ 2, 0, true }, { 2, 1234, false }, { 12, 0, false },
		{ 0, 0, false },
	};
	unsigned char store[1024];
	struct kenc_buf b;
	struct e4err_event ev;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kenc_ext4_error e = {
			.function = "ext4_put_super", .line = 1,
			.ino = cases[i].ino, .block = cases[i].block,
			.msg = "Couldn't clean up the journal",
		};

		kenc_init(&b, store, sizeof(store));
		assert_true(kenc_rfc_ext4(&b, &e) > 0);
		assert_int_equal(decode_exact(store, b.len, &ev, 1), 1);
		assert_int_equal(ev.has_inode, cases[i].ino != 0);
		if (cases[i].ino)
			assert_int_equal(ev.inode, cases[i].ino);
		assert_int_equal(ev.has_block, cases[i].block != 0);
		assert_int_equal(ev.inode_is_placeholder, cases[i].placeholder);
		assert_int_equal(has_warning(&ev, E4ERR_W_ROOT_PLACEHOLDER, 0),
				 cases[i].placeholder);
	}
}

/* Raw error values and their names; negatives warned about. */
static void test_error_values(void **state)
{
	static const struct {
		int32_t error;
		const char *name;
	} cases[] = {
		{ 0, "EFSCORRUPTED" }, { 117, "EFSCORRUPTED" },
		{ -117, "EFSCORRUPTED" }, { 74, "EFSBADCRC" },
		{ -74, "EFSBADCRC" }, { 5, "EIO" }, { -5, "EIO" },
		{ 108, "ESHUTDOWN" }, { -30, "EROFS" }, { 9999, "E9999" },
		{ INT32_MIN, "E2147483648" }, { INT32_MAX, "E2147483647" },
	};
	unsigned char store[1024];
	struct kenc_buf b;
	struct e4err_event ev;
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kenc_ext4_error e = {
			.error = cases[i].error, .function = "x", .ino = 11,
			.msg = "m",
		};

		kenc_init(&b, store, sizeof(store));
		assert_true(kenc_rfc_ext4(&b, &e) > 0);
		assert_int_equal(decode_exact(store, b.len, &ev, 1), 1);
		assert_int_equal(ev.error, cases[i].error);
		assert_string_equal(e4err_error_name(ev.error, buf, sizeof(buf)),
				    cases[i].name);
		assert_int_equal(has_warning(&ev, E4ERR_W_NEGATIVE_ERROR,
					     cases[i].error),
				 cases[i].error < 0);
		assert_int_equal(ev.nwarnings, cases[i].error < 0 ? 1 : 0);
	}
}

/* Three events; the reference decode of the whole buffer. */
static size_t three_events(unsigned char *store, size_t size)
{
	struct kenc_buf b;
	struct kenc_ext4_error e = {
		.pid = 42, .error = 0, .fsid = { 3, 4 },
		.function = "ext4_xattr_block_get", .line = 563,
		.ino = 2, .block = 0, .msg = "corrupted xattr block 1234",
	};

	kenc_init(&b, store, size);
	assert_true(kenc_rfc_ext4(&b, &e) > 0);
	e.ino = 5000;
	e.block = 77;
	e.function = NULL;
	assert_true(kenc_rfc_ext4(&b, &e) > 0);
	e.function = "ext4_lookup";
	e.error = -5;
	assert_true(kenc_rfc_ext4(&b, &e) > 0);
	return b.len;
}

/*
 * read() cut short at every byte offset: the events wholly inside decode
 * exactly as from the whole buffer; the cut one is one skipped event.
 */
static void test_truncate_every_offset(void **state)
{
	unsigned char store[2048];
	struct e4err_event ref[4], ev[5];
	size_t total, cut, n, i, whole;

	(void)state;
	total = three_events(store, sizeof(store));
	assert_int_equal(decode_exact(store, total, ref, 4), 3);
	for (cut = 0; cut <= total; cut++) {
		n = decode_exact(store, cut, ev, 5);
		for (whole = 0; whole < 3 &&
		     ref[whole].offset + ref[whole].event_len <= cut; whole++)
			;
		for (i = 0; i < whole; i++)
			assert_memory_equal(&ev[i], &ref[i], sizeof(ev[i]));
		if (cut == (whole ? ref[whole - 1].offset +
				    ref[whole - 1].event_len : 0)) {
			assert_int_equal(n, whole);
			continue;
		}
		assert_int_equal(n, whole + 1);
		assert_true(ev[whole].skipped);
		assert_int_equal(ev[whole].nwarnings, 1);
		assert_true(ev[whole].warnings[0].code == E4ERR_W_EVENT_LEN ||
			    ev[whole].warnings[0].code == E4ERR_W_TRAILING);
	}
}

/*
 * Every event_len from 0 to past the bytes written, with read() returning
 * just that: the records are clipped at every offset; never a crash, and
 * the fields kept are those whose bytes are present.
 */
static void test_event_len_every_value(void **state)
{
	unsigned char store[1024], copy[1024];
	struct kenc_buf b;
	struct e4err_event ev[2];
	uint32_t len;

	(void)state;
	kenc_init(&b, store, sizeof(store));
	assert_int_equal(encode_golden(&b), GOLDEN_EVENT_LEN);
	for (len = 0; len <= GOLDEN_WRITTEN; len++) {
		memcpy(copy, store, sizeof(copy));
		memcpy(copy, &len, 4);
		assert_int_equal(decode_exact(copy, len, ev, 2), len ? 1 : 0);
		if (len == 0)
			continue;
		if (len < 24) {
			assert_true(ev[0].skipped);
			continue;
		}
		assert_false(ev[0].skipped);
		assert_int_equal(ev[0].has_error, len >= 44);
		assert_int_equal(ev[0].has_line, len >= 52);
		assert_int_equal(ev[0].has_function, len >= 53);
		assert_int_equal(ev[0].has_inode, len >= 84);
		assert_int_equal(ev[0].has_desc, len >= 85);
		if (len >= 64)
			assert_string_equal(ev[0].function, "ext4_lookup");
		if (len == GOLDEN_EVENT_LEN)
			assert_int_equal(ev[0].nwarnings, 0);
		else
			assert_true(ev[0].nwarnings > 0);
		if (len == GOLDEN_WRITTEN) {
			/* records end at event_len: not the RFC kernel */
			assert_true(has_warning(&ev[0], E4ERR_W_OVERRUN, 0));
			assert_string_equal(ev[0].desc, golden_desc);
		}
	}
}

/* Build one golden event into buf via the encoder; returns its length. */
static size_t one_event(unsigned char *store, size_t size)
{
	struct kenc_buf b;

	kenc_init(&b, store, size);
	assert_int_equal(encode_golden(&b), GOLDEN_EVENT_LEN);
	return b.len;
}

static void put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* Malformed records and metadata, each a warning and never a crash. */
static void test_record_anomalies(void **state)
{
	unsigned char s[1024];
	struct e4err_event ev[3];
	size_t len;

	(void)state;
	/* unknown type: skipped, the rest decoded */
	len = one_event(s, sizeof(s));
	s[KENC_RFC_LOCATION_OFF] = 9;
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_UNKNOWN, 9));
	assert_false(ev[0].has_function);
	assert_true(ev[0].has_desc);

	/* zero length: the rest of the event is not parsed */
	len = one_event(s, sizeof(s));
	put16(s + KENC_RFC_LOCATION_OFF + 2, 0);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_ZERO_LEN, 0));
	assert_true(ev[0].has_error);
	assert_false(ev[0].has_desc);

	/* a second error record */
	len = one_event(s, sizeof(s));
	memcpy(s + KENC_RFC_LOCATION_OFF, s + KENC_RFC_ERROR_OFF, 20);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_DUPLICATE, 5));

	/* error record of version 2: not interpreted */
	len = one_event(s, sizeof(s));
	put32(s + KENC_RFC_ERROR_OFF + 4, 2);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_VERSION, 2));
	assert_true(has_warning(&ev[0], E4ERR_W_NO_ERROR_RECORD, 0));
	assert_false(ev[0].has_error);
	assert_false(ev[0].has_fsid);

	/* error record shorter than its type */
	len = one_event(s, sizeof(s));
	put16(s + KENC_RFC_ERROR_OFF + 2, 8);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_SHORT, 5));

	/* metadata version 2: skipped, but the next event still decodes */
	len = one_event(s, sizeof(s));
	memmove(s + len, s, GOLDEN_WRITTEN);
	s[4] = 2;
	assert_int_equal(decode_exact(s, 2 * len, ev, 3), 2);
	assert_true(ev[0].skipped);
	assert_true(has_warning(&ev[0], E4ERR_W_VERSION, 2));
	assert_false(ev[1].skipped);
	assert_string_equal(ev[1].function, "ext4_lookup");

	/* metadata_len other than 24 */
	len = one_event(s, sizeof(s));
	put16(s + 6, 16);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_METADATA_LEN, 16));
	assert_string_equal(ev[0].desc, golden_desc);

	/* fsdata declared 4 bytes longer: overrun 28 */
	len = one_event(s, sizeof(s));
	put16(s + 64 + 2, 280);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_OVERRUN, 28));
	assert_string_equal(ev[0].desc, golden_desc);

	/* event_len past the buffer, and impossible event_len */
	len = one_event(s, sizeof(s));
	assert_int_equal(decode_exact(s, len - 1, ev, 3), 1);
	assert_true(ev[0].skipped);
	assert_true(has_warning(&ev[0], E4ERR_W_EVENT_LEN, GOLDEN_EVENT_LEN));
	put32(s, 0xffffffffU);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_EVENT_LEN, 0xffffffffLL));

	/* trailing bytes after the last whole event */
	len = one_event(s, sizeof(s));
	assert_int_equal(decode_exact(s, len + 10, ev, 3), 2);
	assert_false(ev[0].skipped);
	assert_true(ev[1].skipped);
	assert_true(has_warning(&ev[1], E4ERR_W_TRAILING, 10));

	/* an open fd and an extra mask bit */
	len = one_event(s, sizeof(s));
	put32(s + 16, 7);
	s[8] = 0x01;
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_FD, 7));
	assert_true(has_warning(&ev[0], E4ERR_W_MASK, 0x00100001LL));
	assert_int_equal(ev[0].fd, 7);
	assert_true(ev[0].has_desc);

	/* not an error event: metadata only, its records not parsed */
	len = one_event(s, sizeof(s));
	put32(s + 8, 0x4000);	/* FAN_Q_OVERFLOW */
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(ev[0].overflow);
	assert_int_equal(ev[0].nwarnings, 0);
	assert_false(ev[0].has_error);
	put32(s + 8, 0x2);	/* FAN_MODIFY */
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_false(ev[0].overflow);
	assert_true(has_warning(&ev[0], E4ERR_W_MASK, 0x2));
	assert_int_equal(ev[0].nwarnings, 1);
	assert_false(ev[0].has_error);

	/* function without its NUL */
	len = one_event(s, sizeof(s));
	s[63] = 'X';
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_FUNCTION_UNTERMINATED, 0));
	assert_string_equal(ev[0].function, "ext4_lookupX");
}

/* A function name longer than the event keeps. */
static void test_long_function(void **state)
{
	unsigned char store[1024];
	char fn[201];
	struct kenc_buf b;
	struct e4err_event ev;
	struct kenc_ext4_error e = {
		.function = fn, .ino = 20, .msg = "m",
	};

	(void)state;
	memset(fn, 'f', 200);
	fn[200] = '\0';
	kenc_init(&b, store, sizeof(store));
	assert_true(kenc_rfc_ext4(&b, &e) > 0);
	assert_int_equal(decode_exact(store, b.len, &ev, 1), 1);
	assert_int_equal(strlen(ev.function), E4ERR_FUNCTION_MAX);
	assert_true(has_warning(&ev, E4ERR_W_FUNCTION_TRUNCATED,
				E4ERR_FUNCTION_MAX));
	assert_string_equal(ev.desc, "m\n");
}

/* Random bytes, and valid streams with random bytes changed. */
static void test_garbage(void **state)
{
	unsigned char valid[2048], buf[2048];
	struct e4err_event ev[64];
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t vlen, len, n;

	(void)state;
	vlen = three_events(valid, sizeof(valid));
	for (int iter = 0; iter < 20000; iter++) {
		if (iter & 1) {
			len = test_rand(&rng) % 1200;
			for (size_t i = 0; i < len; i++)
				buf[i] = (unsigned char)test_rand(&rng);
		} else {
			len = vlen;
			memcpy(buf, valid, vlen);
			for (int k = test_rand(&rng) % 8; k >= 0; k--)
				buf[test_rand(&rng) % vlen] =
					(unsigned char)test_rand(&rng);
		}
		n = decode_exact(buf, len, ev, 64);
		assert_true(n <= len / 24 + 1);
		for (size_t i = 0; i < n && i < 64; i++)
			(void)event_touch(&ev[i]);
	}
}

/* Every warning has a sentence, with its number where it has one. */
static void test_warning_texts(void **state)
{
	char buf[512];
	struct e4err_warning w;

	(void)state;
	for (int c = E4ERR_W_NONE + 1; c < E4ERR_W_MAX; c++) {
		w.code = (enum e4err_warning_code)c;
		w.arg = 4242;
		e4err_warning_text(&w, buf, sizeof(buf));
		assert_true(strlen(buf) > 10);
		assert_null(strstr(buf, "unknown warning"));
		assert_null(strchr(buf, '%'));
	}
	w.code = E4ERR_W_OVERRUN;
	w.arg = 28;
	assert_non_null(strstr(e4err_warning_text(&w, buf, sizeof(buf)), "28"));
	w.code = E4ERR_W_MASK;
	w.arg = 0x4000;
	assert_non_null(strstr(e4err_warning_text(&w, buf, sizeof(buf)),
			       "0x4000"));
	w.code = E4ERR_W_MAX;
	assert_non_null(strstr(e4err_warning_text(&w, buf, sizeof(buf)),
			       "unknown warning"));
	/* a small buffer is cut, never overrun */
	w.code = E4ERR_W_ROOT_PLACEHOLDER;
	memset(buf, 'Z', sizeof(buf));
	e4err_warning_text(&w, buf, 8);
	assert_int_equal(strlen(buf), 7);
	assert_int_equal(buf[8], 'Z');
}

static void test_abi_names(void **state)
{
	enum e4err_abi abi = E4ERR_ABI_NONE;
	struct e4err_decoder d;
	struct e4err_event ev;

	(void)state;
	assert_int_equal(e4err_abi_parse("rfc", &abi), 0);
	assert_int_equal(abi, E4ERR_ABI_RFC);
	assert_string_equal(e4err_abi_name(abi), "rfc");
	assert_int_equal(e4err_abi_parse("mainline", &abi), 0);
	assert_int_equal(abi, E4ERR_ABI_MAINLINE);
	assert_string_equal(e4err_abi_name(abi), "mainline");
	assert_int_equal(e4err_abi_parse("RFC", &abi), -1);
	assert_int_equal(e4err_abi_parse("", &abi), -1);
	/* an undecided ABI decodes nothing */
	e4err_decoder_init(&d, E4ERR_ABI_NONE, golden, GOLDEN_EVENT_LEN);
	assert_int_equal(e4err_decode_next(&d, &ev), 0);
	/* the end stays the end */
	e4err_decoder_init(&d, E4ERR_ABI_RFC, golden, GOLDEN_EVENT_LEN);
	assert_int_equal(e4err_decode_next(&d, &ev), 1);
	assert_int_equal(e4err_decode_next(&d, &ev), 0);
	assert_int_equal(e4err_decode_next(&d, &ev), 0);
	e4err_decoder_init(&d, E4ERR_ABI_RFC, NULL, 100);
	assert_int_equal(e4err_decode_next(&d, &ev), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_encoder),
		cmocka_unit_test(test_golden_decode),
		cmocka_unit_test(test_golden_twice),
		cmocka_unit_test(test_desc_clipped),
		cmocka_unit_test(test_missing_location),
		cmocka_unit_test(test_many_events),
		cmocka_unit_test(test_poison_never_kept),
		cmocka_unit_test(test_root_placeholder),
		cmocka_unit_test(test_error_values),
		cmocka_unit_test(test_truncate_every_offset),
		cmocka_unit_test(test_event_len_every_value),
		cmocka_unit_test(test_record_anomalies),
		cmocka_unit_test(test_long_function),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_warning_texts),
		cmocka_unit_test(test_abi_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
