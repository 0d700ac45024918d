/*
 * test_capture.c --- the capture file: what the writer puts down the
 * reader gets back, and a damaged file gives an error code, never a crash
 * or an allocation the file asked for.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "e4err_err.h"

#define HDR	16	/* file header */
#define RHDR	24	/* record header */

static const unsigned char data1[] = "first read";
static const unsigned char data3[] = { 0x00, 0xff, 0x1b, 0x0a };

/* A capture of three records (the second empty) in memory. */
static unsigned char *make_capture(size_t *len)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(e4err_capture_write_header(f), 0);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_RFC, 1764073980123456789ULL,
					     0, data1, sizeof(data1)), 0);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_MAINLINE, 2, 7, NULL, 0), 0);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_MAINLINE, UINT64_MAX,
					     UINT32_MAX, data3, sizeof(data3)), 0);
	fclose(f);
	*len = size;
	return (unsigned char *)buf;
}

/* Offsets where each record of make_capture() ends. */
static size_t record_end(int i)
{
	size_t ends[3] = {
		HDR + RHDR + sizeof(data1),
		HDR + RHDR + sizeof(data1) + RHDR,
		HDR + RHDR + sizeof(data1) + RHDR + RHDR + sizeof(data3),
	};
	return ends[i];
}

static void check_records(struct e4err_capture_reader *r)
{
	struct e4err_capture_record rec;
	int eof = 1;

	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_false(eof);
	assert_int_equal(rec.abi, E4ERR_ABI_RFC);
	assert_true(rec.time_ns == 1764073980123456789ULL);
	assert_int_equal(rec.group, 0);
	assert_int_equal(rec.len, sizeof(data1));
	assert_memory_equal(rec.data, data1, sizeof(data1));
	assert_int_equal(e4err_capture_record_offset(r), HDR);

	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_false(eof);
	assert_int_equal(rec.abi, E4ERR_ABI_MAINLINE);
	assert_int_equal(rec.time_ns, 2);
	assert_int_equal(rec.group, 7);
	assert_int_equal(rec.len, 0);

	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_false(eof);
	assert_true(rec.time_ns == UINT64_MAX);
	assert_int_equal(rec.group, UINT32_MAX);
	assert_int_equal(rec.len, sizeof(data3));
	assert_memory_equal(rec.data, data3, sizeof(data3));
	assert_int_equal(e4err_capture_record_offset(r), record_end(1));

	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_true(eof);
	/* The end stays the end. */
	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_true(eof);
}

static void test_round_trip_mem(void **state)
{
	struct e4err_capture_reader *r;
	unsigned char *buf;
	size_t len;

	(void)state;
	buf = make_capture(&len);
	assert_int_equal(len, record_end(2));
	/* The layout docs/capture-format.md promises. */
	assert_memory_equal(buf, "E4ERRCAP\1\0\0\0\20\0\0\0", HDR);
	assert_memory_equal(buf + HDR, "E4RC\1\0\0\0", 8);
	assert_int_equal(buf[HDR + 20], sizeof(data1));
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), 0);
	check_records(r);
	e4err_capture_close(r);
	free(buf);
}

static void test_round_trip_file(void **state)
{
	struct e4err_capture_reader *r;
	unsigned char *buf;
	size_t len;
	FILE *f;

	(void)state;
	buf = make_capture(&len);
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	rewind(f);
	assert_int_equal(e4err_capture_open(f, &r), 0);
	check_records(r);
	e4err_capture_close(r);
	fclose(f);
	free(buf);
}

/* Read a whole capture; the error that ends it and how many records came. */
static errcode_t read_all(struct e4err_capture_reader *r, int *nrec)
{
	struct e4err_capture_record rec;
	errcode_t err;
	int eof;

	*nrec = 0;
	while (!(err = e4err_capture_read(r, &rec, &eof)) && !eof)
		(*nrec)++;
	return err;
}

/* A capture cut at every byte offset: records before the cut, then a clean error. */
static void test_truncation_everywhere(void **state)
{
	struct e4err_capture_reader *r;
	unsigned char *buf, *cut;
	errcode_t err, want_open, want;
	size_t len, n;
	int nrec, want_nrec, i;
	FILE *f;

	(void)state;
	buf = make_capture(&len);
	for (n = 0; n < len; n++) {
		want_open = n < 8 ? E4ERR_CAPTURE_FORMAT :
			n < HDR ? E4ERR_CAPTURE_TRUNCATED : 0;
		want = E4ERR_CAPTURE_TRUNCATED;
		want_nrec = 0;
		for (i = 0; i < 3; i++)
			if (n >= record_end(i))
				want_nrec = i + 1;
		if (n == HDR || n == record_end(0) || n == record_end(1))
			want = 0;	/* cut between records: a clean end */

		/* From memory: an exact-size copy so ASan sees any overread. */
		cut = malloc(n ? n : 1);
		memcpy(cut, buf, n);
		err = e4err_capture_open_mem(cut, n, &r);
		assert_int_equal(err, want_open);
		if (!err) {
			assert_int_equal(read_all(r, &nrec), want);
			assert_int_equal(nrec, want_nrec);
			e4err_capture_close(r);
		} else {
			assert_null(r);
		}
		free(cut);

		/* From a file: the same answers. */
		f = tmpfile();
		assert_int_equal(fwrite(buf, 1, n, f), n);
		rewind(f);
		err = e4err_capture_open(f, &r);
		assert_int_equal(err, want_open);
		if (!err) {
			assert_int_equal(read_all(r, &nrec), want);
			assert_int_equal(nrec, want_nrec);
			e4err_capture_close(r);
		}
		fclose(f);
	}
	free(buf);
}

static void test_bad_header(void **state)
{
	struct e4err_capture_reader *r;
	unsigned char *buf;
	size_t len;

	(void)state;
	buf = make_capture(&len);
	buf[0] = 'X';
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), E4ERR_CAPTURE_FORMAT);
	buf[0] = 'E';
	buf[8] = 2;	/* version 2 */
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), E4ERR_CAPTURE_VERSION);
	buf[8] = 0;
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), E4ERR_CAPTURE_VERSION);
	buf[8] = 1;
	buf[12] = 8;	/* header shorter than its own fields */
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), E4ERR_CAPTURE_FORMAT);
	buf[12] = 0;
	buf[15] = 0x80;	/* a 2 GiB header */
	assert_int_equal(e4err_capture_open_mem(buf, len, &r), E4ERR_CAPTURE_FORMAT);
	assert_null(r);
	free(buf);

	assert_int_equal(e4err_capture_open_mem(NULL, 0, &r), E4ERR_CAPTURE_FORMAT);
	assert_int_equal(e4err_capture_open_mem("not a capture file at all", 25, &r),
			 E4ERR_CAPTURE_FORMAT);
}

/* A longer version-1 header (a later minor addition) is skipped whole. */
static void test_longer_header(void **state)
{
	struct e4err_capture_reader *r;
	struct e4err_capture_record rec;
	unsigned char *buf, *big;
	size_t len;
	int eof;

	(void)state;
	buf = make_capture(&len);
	big = calloc(1, len + 8);
	memcpy(big, buf, HDR);
	big[12] = HDR + 8;
	memcpy(big + HDR + 8, buf + HDR, len - HDR);
	assert_int_equal(e4err_capture_open_mem(big, len + 8, &r), 0);
	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_int_equal(rec.len, sizeof(data1));
	assert_memory_equal(rec.data, data1, sizeof(data1));
	assert_int_equal(e4err_capture_record_offset(r), HDR + 8);
	e4err_capture_close(r);
	/* ... but a header longer than the file is a truncation. */
	assert_int_equal(e4err_capture_open_mem(big, HDR + 4, &r),
			 E4ERR_CAPTURE_TRUNCATED);
	free(big);
	free(buf);
}

/* Damage in the second record: first record read, then the error, for good. */
static void check_bad_second(unsigned char *buf, size_t len, errcode_t want)
{
	struct e4err_capture_reader *r;
	struct e4err_capture_record rec;
	int eof;

	assert_int_equal(e4err_capture_open_mem(buf, len, &r), 0);
	assert_int_equal(e4err_capture_read(r, &rec, &eof), 0);
	assert_int_equal(e4err_capture_read(r, &rec, &eof), want);
	assert_int_equal(e4err_capture_record_offset(r), record_end(0));
	assert_int_equal(e4err_capture_read(r, &rec, &eof), want);
	assert_false(eof);
	e4err_capture_close(r);
}

static void test_bad_records(void **state)
{
	unsigned char *buf;
	size_t len, at;

	(void)state;
	buf = make_capture(&len);
	at = record_end(0);

	buf[at] ^= 0x40;	/* record magic */
	check_bad_second(buf, len, E4ERR_CAPTURE_BAD_RECORD);
	buf[at] ^= 0x40;

	buf[at + 4] = 0;	/* ABI none */
	check_bad_second(buf, len, E4ERR_BAD_ABI);
	buf[at + 4] = 3;	/* an ABI that does not exist */
	check_bad_second(buf, len, E4ERR_BAD_ABI);
	buf[at + 4] = E4ERR_ABI_MAINLINE;

	/* A huge length is refused before anything is read or allocated. */
	memset(buf + at + 20, 0xff, 4);
	check_bad_second(buf, len, E4ERR_CAPTURE_TOO_BIG);
	buf[at + 20] = 0x01;
	buf[at + 21] = 0x00;
	buf[at + 22] = 0x10;
	buf[at + 23] = 0x00;	/* E4ERR_CAPTURE_MAX_RECORD + 1 */
	check_bad_second(buf, len, E4ERR_CAPTURE_TOO_BIG);
	buf[at + 20] = 0x00;	/* exactly the maximum: allowed, but cut short */
	check_bad_second(buf, len, E4ERR_CAPTURE_TRUNCATED);
	free(buf);
}

/* The same huge length through a FILE: an error, not a 4 GiB read. */
static void test_huge_length_file(void **state)
{
	struct e4err_capture_reader *r;
	struct e4err_capture_record rec;
	unsigned char rhdr[RHDR] = { 'E', '4', 'R', 'C', 1 };
	FILE *f;
	int eof;

	(void)state;
	memset(rhdr + 20, 0xff, 4);
	f = tmpfile();
	assert_int_equal(e4err_capture_write_header(f), 0);
	assert_int_equal(fwrite(rhdr, 1, sizeof(rhdr), f), sizeof(rhdr));
	rewind(f);
	assert_int_equal(e4err_capture_open(f, &r), 0);
	assert_int_equal(e4err_capture_read(r, &rec, &eof), E4ERR_CAPTURE_TOO_BIG);
	assert_int_equal(e4err_capture_record_offset(r), HDR);
	e4err_capture_close(r);
	fclose(f);
}

static void test_writer_refuses(void **state)
{
	static unsigned char big[E4ERR_CAPTURE_MAX_RECORD + 1];
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &size);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_NONE, 0, 0, "x", 1),
			 E4ERR_BAD_ABI);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_RFC, 0, 0, big,
					     sizeof(big)), E4ERR_CAPTURE_TOO_BIG);
	assert_int_equal(e4err_capture_write(f, E4ERR_ABI_RFC, 0, 0, big,
					     sizeof(big) - 1), 0);
	fclose(f);
	assert_int_equal(size, RHDR + E4ERR_CAPTURE_MAX_RECORD);
	free(buf);

	/* A full disk is reported, not ignored. */
	f = fopen("/dev/full", "w");
	if (f) {
		assert_int_equal(e4err_capture_write_header(f), ENOSPC);
		fclose(f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_mem),
		cmocka_unit_test(test_round_trip_file),
		cmocka_unit_test(test_truncation_everywhere),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_longer_header),
		cmocka_unit_test(test_bad_records),
		cmocka_unit_test(test_huge_length_file),
		cmocka_unit_test(test_writer_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
