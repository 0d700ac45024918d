/*
 * test_decode_mainline.c --- the mainline FAN_FS_ERROR decoder against
 * real captures (tests/fixtures/mainline-*.bin, see mainline-captures.txt),
 * against the encoder checked byte for byte on those captures, and against
 * truncated, mangled and random bytes.
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

/* Offsets in the one-event stream of kenc_ml_event (no pidfd). */
#define FID_OFF		24
#define HANDLE_OFF	(FID_OFF + 12)
#define ERROR_OFF	(FID_OFF + 28)

static size_t load_fixture(const char *name, unsigned char *buf, size_t max)
{
	const char *srcdir = getenv("TEST_SRCDIR");
	char path[4096];
	long n;

	snprintf(path, sizeof(path), "%s/fixtures/%s",
		 srcdir ? srcdir : "../tests", name);
	n = read_file_bytes(path, buf, max);
	if (n < 0)
		fail_msg("cannot read fixture %s", path);
	return (size_t)n;
}

static bool little_endian(void)
{
	uint16_t one = 1;
	unsigned char b;

	memcpy(&b, &one, 1);
	return b == 1;
}

/* Decode exactly len bytes from a heap copy of that size (ASan-visible). */
static size_t decode_exact(const void *bytes, size_t len,
			   struct e4err_event *evs, size_t max)
{
	void *copy = malloc(len ? len : 1);
	size_t n;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	n = decode_all(E4ERR_ABI_MAINLINE, copy, len, evs, max);
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

static void assert_inode_event(const struct e4err_event *ev, uint32_t f0,
			       uint32_t f1, int32_t pid, int32_t error,
			       uint32_t count)
{
	assert_false(ev->skipped);
	assert_int_equal(ev->abi, E4ERR_ABI_MAINLINE);
	assert_int_equal(ev->mask, E4ERR_FAN_FS_ERROR);
	assert_int_equal(ev->pid, pid);
	assert_int_equal(ev->fd, -1);
	assert_true(ev->has_fsid);
	assert_int_equal(ev->fsid[0], f0);
	assert_int_equal(ev->fsid[1], f1);
	assert_true(ev->has_error);
	assert_int_equal(ev->error, error);
	assert_true(ev->has_error_count);
	assert_int_equal(ev->error_count, count);
	assert_false(ev->has_block);
	assert_false(ev->has_function);
	assert_false(ev->has_line);
	assert_false(ev->has_desc);
	assert_false(ev->overflow);
	assert_false(ev->inode_is_placeholder);
}

/* ls on a directory whose block fails its checksum. */
static void test_fixture_dir(void **state)
{
	unsigned char buf[512];
	struct e4err_event ev[2];
	char name[32];
	size_t len;

	(void)state;
	if (!little_endian())
		skip();
	len = load_fixture("mainline-dir.bin", buf, sizeof(buf));
	assert_int_equal(len, 64);
	assert_int_equal(decode_exact(buf, len, ev, 2), 1);
	assert_inode_event(&ev[0], 0x20f339ebU, 0x255cccaaU, 11178, 74, 1);
	assert_int_equal(ev[0].event_len, 64);
	assert_true(ev[0].has_inode);
	assert_int_equal(ev[0].inode, 12);
	assert_true(ev[0].has_generation);
	assert_int_equal(ev[0].generation, 0x5eed1234U);
	assert_false(ev[0].has_pidfd);
	assert_int_equal(ev[0].nwarnings, 0);
	assert_string_equal(e4err_error_name(ev[0].error, name, sizeof(name)),
			    "EFSBADCRC");
}

/* trigger_fs_error: no inode, EFSCORRUPTED. */
static void test_fixture_trigger(void **state)
{
	unsigned char buf[512];
	struct e4err_event ev[2];
	char name[32];
	size_t len;

	(void)state;
	if (!little_endian())
		skip();
	len = load_fixture("mainline-trigger.bin", buf, sizeof(buf));
	assert_int_equal(len, 56);
	assert_int_equal(decode_exact(buf, len, ev, 2), 1);
	assert_inode_event(&ev[0], 0x3661a614U, 0xc6815b77U, 11005, 117, 1);
	assert_false(ev[0].has_inode);
	assert_false(ev[0].has_generation);
	assert_int_equal(ev[0].nwarnings, 0);
	assert_string_equal(e4err_error_name(ev[0].error, name, sizeof(name)),
			    "EFSCORRUPTED");
}

/* Two events in one read, with FAN_REPORT_PIDFD records between. */
static void test_fixture_pidfd_two(void **state)
{
	unsigned char buf[512];
	struct e4err_event ev[3];
	size_t len;

	(void)state;
	if (!little_endian())
		skip();
	len = load_fixture("mainline-pidfd-two.bin", buf, sizeof(buf));
	assert_int_equal(len, 136);
	assert_int_equal(decode_exact(buf, len, ev, 3), 2);
	assert_inode_event(&ev[0], 0x68ee6f02U, 0xd7e95a9eU, 11103, 74, 1);
	assert_int_equal(ev[0].offset, 0);
	assert_int_equal(ev[0].inode, 12);
	assert_int_equal(ev[0].generation, 0x5eed1234U);
	assert_true(ev[0].has_pidfd);
	assert_int_equal(ev[0].pidfd, -1);
	assert_int_equal(ev[0].nwarnings, 0);
	assert_inode_event(&ev[1], 0x68ee6f02U, 0xd7e95a9eU, 11079, 117, 1);
	assert_int_equal(ev[1].offset, 72);
	assert_false(ev[1].has_inode);
	assert_true(ev[1].has_pidfd);
	assert_int_equal(ev[1].pidfd, 4);
	assert_int_equal(ev[1].nwarnings, 0);
}

/* Two errors folded into one event: error_count 2. */
static void test_fixture_merged(void **state)
{
	unsigned char buf[512];
	struct e4err_event ev[2];
	size_t len;

	(void)state;
	if (!little_endian())
		skip();
	len = load_fixture("mainline-merged.bin", buf, sizeof(buf));
	assert_int_equal(decode_exact(buf, len, ev, 2), 1);
	assert_inode_event(&ev[0], 0xc2d824a1U, 0x858a79eaU, 11443, 74, 2);
	assert_int_equal(ev[0].inode, 12);
	assert_int_equal(ev[0].generation, 0x5eed1234U);
}

/* The encoder reproduces each capture byte for byte. */
static void test_encoder_matches_captures(void **state)
{
	unsigned char cap[512], store[1024];
	struct kenc_buf b;
	size_t len;

	(void)state;
	if (!little_endian())
		skip();
	len = load_fixture("mainline-dir.bin", cap, sizeof(cap));
	kenc_init(&b, store, sizeof(store));
	assert_int_equal(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 11178,
		.fsid = { 0x20f339eb, 0x255cccaa }, .has_inode = true,
		.ino = 12, .gen = 0x5eed1234, .error = 74, .error_count = 1,
	}), 64);
	assert_int_equal(b.len, len);
	assert_memory_equal(store, cap, len);

	len = load_fixture("mainline-trigger.bin", cap, sizeof(cap));
	kenc_init(&b, store, sizeof(store));
	assert_int_equal(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 11005,
		.fsid = { 0x3661a614, 0xc6815b77 }, .error = 117,
		.error_count = 1,
	}), 56);
	assert_int_equal(b.len, len);
	assert_memory_equal(store, cap, len);

	len = load_fixture("mainline-pidfd-two.bin", cap, sizeof(cap));
	kenc_init(&b, store, sizeof(store));
	assert_int_equal(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 11103,
		.fsid = { 0x68ee6f02, 0xd7e95a9e }, .has_inode = true,
		.ino = 12, .gen = 0x5eed1234, .error = 74, .error_count = 1,
		.pidfd_mode = true, .pidfd = -1,
	}), 72);
	assert_int_equal(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 11079,
		.fsid = { 0x68ee6f02, 0xd7e95a9e }, .error = 117,
		.error_count = 1, .pidfd_mode = true, .pidfd = 4,
	}), 64);
	assert_int_equal(b.len, len);
	assert_memory_equal(store, cap, len);
}

/* Records are decoded by type, whatever their order. */
static void test_record_order(void **state)
{
	unsigned char s1[256], s2[256];
	struct kenc_ml_event e = {
		.mask = KENC_FAN_FS_ERROR, .pid = 5, .fsid = { 1, 2 },
		.has_inode = true, .ino = 99, .gen = 7, .error = 117,
		.error_count = 3, .pidfd_mode = true, .pidfd = 9,
	};
	struct kenc_buf b1, b2;
	struct e4err_event a, z;

	(void)state;
	kenc_init(&b1, s1, sizeof(s1));
	kenc_init(&b2, s2, sizeof(s2));
	assert_true(kenc_ml_event(&b1, &e) > 0);
	e.error_first = true;
	assert_true(kenc_ml_event(&b2, &e) > 0);
	assert_memory_not_equal(s1, s2, b1.len);
	assert_int_equal(decode_exact(s1, b1.len, &a, 1), 1);
	assert_int_equal(decode_exact(s2, b2.len, &z, 1), 1);
	assert_memory_equal(&a, &z, sizeof(a));
	assert_int_equal(a.inode, 99);
	assert_int_equal(a.generation, 7);
	assert_int_equal(a.error_count, 3);
	assert_int_equal(a.pidfd, 9);
}

/* Overflow between events; negative errors from __ext4_std_error. */
static void test_overflow_and_negative(void **state)
{
	unsigned char s[512];
	struct kenc_buf b;
	struct e4err_event ev[4];
	char name[32];

	(void)state;
	kenc_init(&b, s, sizeof(s));
	assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .error = -5, .error_count = 1,
	}) > 0);
	assert_int_equal(kenc_ml_overflow(&b), 24);
	assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .error = 108, .error_count = 1,
	}) > 0);
	assert_int_equal(decode_exact(s, b.len, ev, 4), 3);
	assert_int_equal(ev[0].error, -5);
	assert_true(has_warning(&ev[0], E4ERR_W_NEGATIVE_ERROR, -5));
	assert_string_equal(e4err_error_name(ev[0].error, name, sizeof(name)),
			    "EIO");
	assert_true(ev[1].overflow);
	assert_false(ev[1].skipped);
	assert_false(ev[1].has_error);
	assert_int_equal(ev[1].nwarnings, 0);
	assert_int_equal(ev[2].error, 108);
	assert_false(ev[2].has_inode);
	assert_int_equal(ev[2].nwarnings, 0);
	assert_string_equal(e4err_error_name(ev[2].error, name, sizeof(name)),
			    "ESHUTDOWN");
	assert_string_equal(e4err_error_name(0, name, sizeof(name)),
			    "EFSCORRUPTED");
}

static size_t one_event(unsigned char *s, size_t size)
{
	struct kenc_buf b;

	kenc_init(&b, s, size);
	assert_int_equal(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 77, .fsid = { 10, 20 },
		.has_inode = true, .ino = 4242, .gen = 1, .error = 74,
		.error_count = 1,
	}), 64);
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

/* Odd handles and malformed records: warnings, never a wrong inode. */
static void test_record_anomalies(void **state)
{
	unsigned char s[512];
	struct e4err_event ev[3];
	size_t len;

	(void)state;
	/* FILEID_INO32_GEN_PARENT: not what fanotify encodes */
	len = one_event(s, sizeof(s));
	put32(s + HANDLE_OFF + 4, 2);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_HANDLE, 2));
	assert_false(ev[0].has_inode);
	assert_true(ev[0].has_fsid);
	assert_true(ev[0].has_error);

	/* FILEID_INVALID that claims handle bytes */
	len = one_event(s, sizeof(s));
	put32(s + HANDLE_OFF + 4, 0xff);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_HANDLE, 0xff));
	assert_false(ev[0].has_inode);

	/* handle_bytes beyond the record */
	len = one_event(s, sizeof(s));
	put32(s + HANDLE_OFF, 0x10000);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_HANDLE, 1));
	assert_false(ev[0].has_inode);

	/* unknown record type (FAN_EVENT_INFO_TYPE_RANGE) */
	len = one_event(s, sizeof(s));
	s[FID_OFF] = 6;
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_UNKNOWN, 6));
	assert_false(ev[0].has_inode);
	assert_true(ev[0].has_error);

	/* zero length */
	len = one_event(s, sizeof(s));
	put16(s + FID_OFF + 2, 0);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_ZERO_LEN, 0));
	assert_true(has_warning(&ev[0], E4ERR_W_NO_ERROR_RECORD, 0));

	/* error record shorter than 12 */
	len = one_event(s, sizeof(s));
	put16(s + ERROR_OFF + 2, 8);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_SHORT, 5));
	assert_false(ev[0].has_error);

	/* error record running past event_len */
	len = one_event(s, sizeof(s));
	put16(s + ERROR_OFF + 2, 16);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_TRUNCATED, 5));
	assert_true(ev[0].has_error);	/* its 12 bytes are all there */

	/* a second FID */
	len = one_event(s, sizeof(s));
	s[ERROR_OFF] = 1;
	put16(s + ERROR_OFF + 2, 12);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_RECORD_DUPLICATE, 1));
	assert_int_equal(ev[0].inode, 4242);

	/* another event type in the stream */
	len = one_event(s, sizeof(s));
	put32(s + 8, 0x2);	/* FAN_MODIFY */
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_MASK, 2));
	assert_false(has_warning(&ev[0], E4ERR_W_NO_ERROR_RECORD, 0));

	/* metadata version and event_len */
	len = one_event(s, sizeof(s));
	s[4] = 4;
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(ev[0].skipped);
	assert_true(has_warning(&ev[0], E4ERR_W_VERSION, 4));
	len = one_event(s, sizeof(s));
	put32(s, 23);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(ev[0].skipped);
	assert_true(has_warning(&ev[0], E4ERR_W_EVENT_LEN, 23));

	/* metadata_len 32: records looked for after it */
	len = one_event(s, sizeof(s));
	put16(s + 6, 32);
	assert_int_equal(decode_exact(s, len, ev, 3), 1);
	assert_true(has_warning(&ev[0], E4ERR_W_METADATA_LEN, 32));
	assert_false(ev[0].has_inode);
}

/*
 * read() cut at every byte offset of a four-event stream: whole events
 * decode as from the full buffer, the cut one is one skipped event.
 */
static void test_truncate_every_offset(void **state)
{
	unsigned char s[1024];
	struct kenc_buf b;
	struct e4err_event ref[5], ev[6];
	size_t total, cut, n, whole;

	(void)state;
	kenc_init(&b, s, sizeof(s));
	assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 1, .has_inode = true,
		.ino = 12, .gen = 3, .error = 74, .error_count = 2,
	}) > 0);
	assert_true(kenc_ml_overflow(&b) > 0);
	assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 2, .error = -30,
		.error_count = 1, .pidfd_mode = true, .pidfd = -2,
	}) > 0);
	assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
		.mask = KENC_FAN_FS_ERROR, .pid = 3, .has_inode = true,
		.ino = 0xffffffffU, .gen = 0xffffffffU, .error = 117,
		.error_count = 1,
	}) > 0);
	total = b.len;
	assert_int_equal(decode_exact(s, total, ref, 5), 4);
	for (cut = 0; cut <= total; cut++) {
		n = decode_exact(s, cut, ev, 6);
		for (whole = 0; whole < 4 &&
		     ref[whole].offset + ref[whole].event_len <= cut; whole++)
			;
		for (size_t i = 0; i < whole; i++)
			assert_memory_equal(&ev[i], &ref[i], sizeof(ev[i]));
		if (cut == (whole ? ref[whole - 1].offset +
				    ref[whole - 1].event_len : 0)) {
			assert_int_equal(n, whole);
			continue;
		}
		assert_int_equal(n, whole + 1);
		assert_true(ev[whole].skipped);
	}
	assert_int_equal(ref[3].inode, 0xffffffffU);	/* a u32 is never absent */
}

/* Every event_len for one event, read() returning just that. */
static void test_event_len_every_value(void **state)
{
	unsigned char s[512], copy[512];
	struct e4err_event ev[2];
	uint32_t len;

	(void)state;
	one_event(s, sizeof(s));
	for (len = 0; len <= 80; len++) {
		memcpy(copy, s, sizeof(copy));
		memcpy(copy, &len, 4);
		assert_int_equal(decode_exact(copy, len, ev, 2), len ? 1 : 0);
		if (len < 24)
			continue;
		assert_false(ev[0].skipped);
		assert_int_equal(ev[0].has_fsid, len >= 44);
		assert_int_equal(ev[0].has_inode, len >= 52);
		assert_int_equal(ev[0].has_error, len >= 64);
		assert_int_equal(ev[0].nwarnings == 0, len == 64);
	}
}

/* Random bytes and randomly changed valid streams. */
static void test_garbage(void **state)
{
	unsigned char valid[512], buf[1024];
	struct e4err_event ev[64];
	uint64_t rng = 0xdeadbeefcafef00dULL;
	struct kenc_buf b;
	size_t vlen, len, n;

	(void)state;
	kenc_init(&b, valid, sizeof(valid));
	for (int i = 0; i < 4; i++)
		assert_true(kenc_ml_event(&b, &(struct kenc_ml_event){
			.mask = KENC_FAN_FS_ERROR, .pid = i, .has_inode = i & 1,
			.ino = 12, .error = 74, .error_count = 1,
			.pidfd_mode = i > 1, .pidfd = i,
		}) > 0);
	vlen = b.len;
	for (int iter = 0; iter < 20000; iter++) {
		if (iter & 1) {
			len = test_rand(&rng) % sizeof(buf);
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

/* More than eight distinct warnings: eight kept, the rest counted as dropped. */
static void test_warnings_dropped(void **state)
{
	unsigned char s[512];
	struct e4err_event ev;
	unsigned char *p;
	size_t i;

	(void)state;
	memset(s, 0, sizeof(s));
	put32(s, 24 + 10 * 4);
	s[4] = 3;
	put16(s + 6, 24);
	put32(s + 8, 0x8000);
	put32(s + 16, 0xffffffffU);
	for (i = 0, p = s + 24; i < 10; i++, p += 4) {
		p[0] = (unsigned char)(20 + i);	/* ten unknown types */
		put16(p + 2, 4);
	}
	assert_int_equal(decode_exact(s, 24 + 40, &ev, 1), 1);
	assert_int_equal(ev.nwarnings, E4ERR_MAX_WARNINGS);
	assert_true(ev.warnings_dropped);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_dir),
		cmocka_unit_test(test_fixture_trigger),
		cmocka_unit_test(test_fixture_pidfd_two),
		cmocka_unit_test(test_fixture_merged),
		cmocka_unit_test(test_encoder_matches_captures),
		cmocka_unit_test(test_record_order),
		cmocka_unit_test(test_overflow_and_negative),
		cmocka_unit_test(test_record_anomalies),
		cmocka_unit_test(test_truncate_every_offset),
		cmocka_unit_test(test_event_len_every_value),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_warnings_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
