/*
 * bench_decode.c --- how fast each decoder turns a 64 KiB read() buffer of
 * encoder-made events into struct e4err_event, next to a plain memcpy of
 * the same bytes (the least any consumer of the buffer pays).
 *
 * Prints rows for tests/bench/run-bench: name | figure | reference | ratio
 * | target.  The target is 5 million events per second per core; the
 * "event reset" row shows what clearing the whole event struct for every
 * event costs against a whole decode.  BENCH_SECONDS (default 0.4) is the
 * time spent on each measurement.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "decode.h"
#include "kenc.h"

#define BUF_SIZE	(64 * 1024 + KENC_SLACK)
#define TARGET		5e6	/* events per second */

static unsigned char stream[BUF_SIZE], copy[BUF_SIZE];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keep the compiler from dropping work whose result nobody reads. */
static void clobber(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* RFC ext4 events of varied shapes until the buffer is full. */
static size_t fill_rfc(size_t *nevents)
{
	static const char *const funcs[] = {
		"ext4_lookup", "__ext4_find_entry", "htree_dirblock_to_tree",
		"ext4_iget",
	};
	struct kenc_buf b;
	char msg[64];
	int i;

	kenc_init(&b, stream, sizeof(stream));
	for (i = 0;; i++) {
		struct kenc_ext4_error e = {
			.pid = 1000 + i, .error = i % 2 ? 0 : 74,
			.fsid = { 0x1234, 0x5678 }, .function = funcs[i % 4],
			.line = 1000 + i, .ino = 12 + (uint64_t)i,
			.block = (uint64_t)(i % 3) * 1000, .msg = msg,
		};

		snprintf(msg, sizeof(msg), "Directory block failed checksum %d",
			 i);
		if (kenc_rfc_ext4(&b, &e) < 0)
			break;
	}
	*nevents = (size_t)i;
	return b.len;
}

/* Mainline events as ext4 sends them on 6.18, until the buffer is full. */
static size_t fill_mainline(size_t *nevents)
{
	struct kenc_buf b;
	int i;

	kenc_init(&b, stream, sizeof(stream));
	for (i = 0;; i++) {
		struct kenc_ml_event e = {
			.mask = KENC_FAN_FS_ERROR, .pid = 1000 + i,
			.fsid = { 0x1234, 0x5678 }, .has_inode = i % 8 != 0,
			.ino = 12 + (uint32_t)i, .gen = (uint32_t)i,
			.error = i % 2 ? 74 : 117, .error_count = 1,
		};

		if (kenc_ml_event(&b, &e) < 0)
			break;
	}
	*nevents = (size_t)i;
	return b.len;
}

/* Seconds per pass of fn over len bytes, measured for `budget` seconds. */
static double per_pass(void (*fn)(enum e4err_abi, size_t), enum e4err_abi abi,
		       size_t len, double budget)
{
	double start = now(), t;
	unsigned long passes = 0;

	do {
		for (int i = 0; i < 16; i++)
			fn(abi, len);
		passes += 16;
		t = now() - start;
	} while (t < budget);
	return t / (double)passes;
}

static void pass_decode(enum e4err_abi abi, size_t len)
{
	struct e4err_decoder d;
	struct e4err_event ev;

	e4err_decoder_init(&d, abi, stream, len);
	while (e4err_decode_next(&d, &ev))
		clobber(&ev);
}

static void pass_memcpy(enum e4err_abi abi, size_t len)
{
	(void)abi;
	memcpy(copy, stream, len);
	clobber(copy);
}

static size_t reset_count;

static void pass_reset(enum e4err_abi abi, size_t len)
{
	struct e4err_event ev;
	size_t size = sizeof(ev);

	(void)abi;
	(void)len;
	/* as decode.c clears it: a call to the C library's memset */
	__asm__("" : "+r"(size));
	for (size_t i = 0; i < reset_count; i++) {
		memset(&ev, 0, size);
		clobber(&ev);
	}
}

/* One row: figure and reference in events per second. */
static void row(const char *name, double figure, double reference,
		const char *refname, bool targeted)
{
	printf("%s | %.1f M events/s | %s %.1f M events/s | %.3f | %s\n",
	       name, figure / 1e6, refname, reference / 1e6,
	       figure / reference,
	       !targeted ? "-" : figure >= TARGET ? ">= 5.0 M events/s: met" :
			   ">= 5.0 M events/s: MISSED");
}

int main(void)
{
	const char *s = getenv("BENCH_SECONDS");
	double budget = s ? atof(s) : 0.4;
	double t_dec, t_cpy, t_reset, rfc_rate = 0;
	size_t n, len;
	char name[96];

	for (int abi = E4ERR_ABI_RFC; abi <= E4ERR_ABI_MAINLINE; abi++) {
		len = abi == E4ERR_ABI_RFC ? fill_rfc(&n) : fill_mainline(&n);
		t_dec = per_pass(pass_decode, abi, len, budget);
		t_cpy = per_pass(pass_memcpy, abi, len, budget);
		snprintf(name, sizeof(name), "decode %s (%zu events, %zu B/read)",
			 e4err_abi_name(abi), n, len);
		row(name, (double)n / t_dec, (double)n / t_cpy, "memcpy",
		    true);
		if (abi == E4ERR_ABI_RFC) {
			rfc_rate = (double)n / t_dec;
			reset_count = n;
			t_reset = per_pass(pass_reset, abi, len, budget);
			snprintf(name, sizeof(name),
				 "event reset (memset %zu B) alone",
				 sizeof(struct e4err_event));
			row(name, (double)n / t_reset, rfc_rate, "decode rfc",
			    false);
		}
	}
	return 0;
}
