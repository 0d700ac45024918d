/*
 * test_decode_raw.c --- e4err_event_raw_copy(): the bytes of an event as
 * the store keeps them.  The RFC kernel's uninitialised bytes (the encoder
 * in tests/common/kenc.c fills them with KENC_POISON) never survive;
 * every other byte does; mainline events are copied unchanged; no length
 * in the buffer is trusted.
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

#define STORE_SIZE	4096

/* Every byte kept, or zeroed where the kernel left stack garbage. */
static void check_rfc_copy(const unsigned char *orig,
			   const struct e4err_event *ev,
			   const unsigned char *copy, size_t n)
{
	size_t i, poisoned = 0;

	assert_int_equal(n, ev->event_len);
	for (i = 0; i < n; i++) {
		if (orig[ev->offset + i] == KENC_POISON) {
			assert_int_equal(copy[i], 0);
			poisoned++;
		} else {
			assert_int_equal(copy[i], orig[ev->offset + i]);
		}
	}
	/* The test means something only if there was garbage to remove. */
	assert_true(poisoned > 0);
	assert_null(memchr(copy, KENC_POISON, n));
}

static void test_rfc_two_events(void **state)
{
	unsigned char store[STORE_SIZE], copy[STORE_SIZE];
	struct e4err_event evs[2];
	struct kenc_buf b;
	struct kenc_ext4_error e1 = {
		.pid = 1234, .error = 0, .fsid = { 0x11223344, 0x55667788 },
		.function = "ext4_lookup", .line = 1712,
		.ino = 12, .block = 0, .msg = "deleted inode referenced: 13",
	};
	struct kenc_ext4_error e2 = {
		.pid = 99, .error = 74, .fsid = { 0x11223344, 0x55667788 },
		.function = "ext4_readdir", .line = 200,
		.ino = 77, .block = 4385, .msg = "bad entry",
	};
	size_t n, i;

	(void) state;
	kenc_init(&b, store, sizeof(store));
	assert_true(kenc_rfc_ext4(&b, &e1) > 0);
	assert_true(kenc_rfc_ext4(&b, &e2) > 0);
	assert_int_equal(decode_all(E4ERR_ABI_RFC, store, b.len, evs, 2), 2);
	for (i = 0; i < 2; i++) {
		n = e4err_event_raw_copy(store, b.len, &evs[i], copy,
					 sizeof(copy));
		check_rfc_copy(store, &evs[i], copy, n);
	}
}

static void test_mainline_unchanged(void **state)
{
	unsigned char store[STORE_SIZE], copy[STORE_SIZE];
	struct e4err_event evs[3];
	struct kenc_buf b;
	struct kenc_ml_event m = {
		.mask = KENC_FAN_FS_ERROR, .pid = 7, .fsid = { 1, 2 },
		.has_inode = true, .ino = 12, .gen = 0x5eed, .error = 74,
		.error_count = 3,
	};
	size_t n, i;

	(void) state;
	kenc_init(&b, store, sizeof(store));
	assert_true(kenc_ml_event(&b, &m) > 0);
	m.has_inode = false;
	assert_true(kenc_ml_event(&b, &m) > 0);
	assert_true(kenc_ml_overflow(&b) > 0);
	assert_int_equal(decode_all(E4ERR_ABI_MAINLINE, store, b.len, evs, 3), 3);
	for (i = 0; i < 3; i++) {
		n = e4err_event_raw_copy(store, b.len, &evs[i], copy,
					 sizeof(copy));
		assert_int_equal(n, evs[i].event_len);
		assert_memory_equal(copy, store + evs[i].offset, n);
	}
}

static void test_bounds(void **state)
{
	unsigned char store[STORE_SIZE], copy[64];
	struct e4err_event ev;
	struct kenc_buf b;
	struct kenc_ext4_error e = {
		.pid = 1, .fsid = { 1, 2 }, .function = "ext4_lookup",
		.line = 1, .ino = 12, .msg = "x",
	};

	(void) state;
	kenc_init(&b, store, sizeof(store));
	assert_true(kenc_rfc_ext4(&b, &e) > 0);
	assert_int_equal(decode_all(E4ERR_ABI_RFC, store, b.len, &ev, 1), 1);
	/* Cut at the caller's size, and still clean. */
	assert_int_equal(e4err_event_raw_copy(store, b.len, &ev, copy,
					      sizeof(copy)), sizeof(copy));
	assert_null(memchr(copy, KENC_POISON, sizeof(copy)));
	/* An event that does not lie inside the buffer is not copied. */
	ev.offset = b.len;
	assert_int_equal(e4err_event_raw_copy(store, b.len, &ev, copy,
					      sizeof(copy)), 0);
	ev.offset = 0;
	ev.event_len = b.len + 1;
	assert_int_equal(e4err_event_raw_copy(store, b.len, &ev, copy,
					      sizeof(copy)), 0);
	ev.event_len = 8;
	assert_int_equal(e4err_event_raw_copy(store, b.len, &ev, copy,
					      sizeof(copy)), 0);
	assert_int_equal(e4err_event_raw_copy(NULL, 0, &ev, copy,
					      sizeof(copy)), 0);
}

/* Random bytes decoded as either ABI: whatever is copied stays in bounds. */
static void test_random(void **state)
{
	static struct e4err_event evs[64];
	unsigned char buf[512], copy[512];
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	size_t round, i, n, m;
	enum e4err_abi abi;

	(void) state;
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = (unsigned char) test_rand(&seed);
		/* Plausible metadata now and then, so records get walked. */
		buf[0] = (unsigned char) (24 + test_rand(&seed) % 200);
		buf[1] = buf[2] = buf[3] = 0;
		buf[4] = 3;
		buf[6] = 24;
		buf[7] = 0;
		abi = round & 1 ? E4ERR_ABI_RFC : E4ERR_ABI_MAINLINE;
		m = decode_all(abi, buf, sizeof(buf), evs, 64);
		for (i = 0; i < m && i < 64; i++) {
			n = e4err_event_raw_copy(buf, sizeof(buf), &evs[i],
						 copy, sizeof(copy));
			assert_true(n <= evs[i].event_len);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc_two_events),
		cmocka_unit_test(test_mainline_unchanged),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
