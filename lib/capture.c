/*
 * capture.c --- the capture file: raw fanotify reads, tagged with their ABI,
 * time and watch group, written by `e4errd watch --capture` and read back by
 * `e4errd replay` and the fuzzer.
 *
 * The format (docs/capture-format.md) is little-endian throughout:
 *   file header:  "E4ERRCAP", u32 version, u32 header length (16)
 *   each record:  u32 magic "E4RC", u8 abi, u8 reserved[3], u64 time_ns,
 *                 u32 group, u32 len, then len bytes exactly as read(2)
 *                 returned them.
 * The reader trusts nothing in the file: every length is checked before it
 * is used, no allocation exceeds E4ERR_CAPTURE_MAX_RECORD, and a short file
 * is an error code, never a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "e4err_err.h"

#define FILE_HEADER_LEN		16
/* A later minor revision may lengthen the header; not beyond this. */
#define FILE_HEADER_MAX		4096
#define RECORD_HEADER_LEN	24
#define RECORD_MAGIC		0x43523445U	/* "E4RC" read as little-endian */

struct e4err_capture_reader {
	FILE *f;			/* NULL for a memory reader */
	const unsigned char *mem;
	size_t mem_len;
	uint64_t off;			/* bytes consumed so far */
	uint64_t record_off;		/* where the last record began */
	unsigned char *buf;		/* file reader: the current record */
	size_t buf_size;
	errcode_t failed;		/* sticky: the stream is lost after it */
};

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get_le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	return get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

/* An errno for a failed stdio call, never 0. */
static errcode_t stdio_error(void)
{
	return errno ? errno : EIO;
}

errcode_t e4err_capture_write_header(FILE *f)
{
	unsigned char h[FILE_HEADER_LEN];

	memcpy(h, E4ERR_CAPTURE_MAGIC, 8);
	put_le32(h + 8, E4ERR_CAPTURE_FILE_VERSION);
	put_le32(h + 12, FILE_HEADER_LEN);
	errno = 0;
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h) || fflush(f))
		return stdio_error();
	return 0;
}

errcode_t e4err_capture_write(FILE *f, enum e4err_abi abi, uint64_t time_ns,
			      uint32_t group, const void *data, uint32_t len)
{
	unsigned char h[RECORD_HEADER_LEN] = { 0 };

	if (abi != E4ERR_ABI_RFC && abi != E4ERR_ABI_MAINLINE)
		return E4ERR_BAD_ABI;
	if (len > E4ERR_CAPTURE_MAX_RECORD)
		return E4ERR_CAPTURE_TOO_BIG;
	put_le32(h, RECORD_MAGIC);
	h[4] = abi;
	put_le64(h + 8, time_ns);
	put_le32(h + 16, group);
	put_le32(h + 20, len);
	errno = 0;
	if (fwrite(h, 1, sizeof(h), f) != sizeof(h) ||
	    (len && fwrite(data, 1, len, f) != len) || fflush(f))
		return stdio_error();
	return 0;
}

/*
 * Point *p at the next n bytes (n <= E4ERR_CAPTURE_MAX_RECORD), copied into
 * the reader's buffer for a file.  *got says how many there were when fewer.
 */
static errcode_t take(struct e4err_capture_reader *r, size_t n,
		      const unsigned char **p, size_t *got)
{
	unsigned char *nb;

	if (!r->f) {
		*got = r->mem_len - r->off < n ? r->mem_len - r->off : n;
		*p = r->mem ? r->mem + r->off : NULL;
		r->off += *got;
		return 0;
	}
	if (n > r->buf_size) {
		nb = realloc(r->buf, n);
		if (!nb)
			return ENOMEM;
		r->buf = nb;
		r->buf_size = n;
	}
	errno = 0;
	*got = fread(r->buf, 1, n, r->f);
	if (*got < n && ferror(r->f))
		return stdio_error();
	*p = r->buf;
	r->off += *got;
	return 0;
}

/* Check the file header; skip what a longer header of version 1 adds. */
static errcode_t read_header(struct e4err_capture_reader *r)
{
	const unsigned char *p;
	uint32_t version, hlen;
	errcode_t err;
	size_t got;

	err = take(r, FILE_HEADER_LEN, &p, &got);
	if (err)
		return err;
	if (got < 8 || memcmp(p, E4ERR_CAPTURE_MAGIC, 8))
		return E4ERR_CAPTURE_FORMAT;
	if (got < FILE_HEADER_LEN)
		return E4ERR_CAPTURE_TRUNCATED;
	version = get_le32(p + 8);
	hlen = get_le32(p + 12);
	if (version != E4ERR_CAPTURE_FILE_VERSION)
		return E4ERR_CAPTURE_VERSION;
	if (hlen < FILE_HEADER_LEN || hlen > FILE_HEADER_MAX)
		return E4ERR_CAPTURE_FORMAT;
	if (hlen == FILE_HEADER_LEN)
		return 0;
	err = take(r, hlen - FILE_HEADER_LEN, &p, &got);
	if (!err && got < hlen - FILE_HEADER_LEN)
		err = E4ERR_CAPTURE_TRUNCATED;
	return err;
}

static errcode_t reader_new(FILE *f, const void *buf, size_t len,
			    struct e4err_capture_reader **rp)
{
	struct e4err_capture_reader *r;
	errcode_t err;

	*rp = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->f = f;
	r->mem = buf;
	r->mem_len = buf ? len : 0;
	err = read_header(r);
	if (err) {
		e4err_capture_close(r);
		return err;
	}
	*rp = r;
	return 0;
}

errcode_t e4err_capture_open(FILE *f, struct e4err_capture_reader **r)
{
	return reader_new(f, NULL, 0, r);
}

errcode_t e4err_capture_open_mem(const void *buf, size_t len,
				 struct e4err_capture_reader **r)
{
	return reader_new(NULL, buf, len, r);
}

/* Decode and check a record header into *rec (data not yet read). */
static errcode_t parse_record_header(const unsigned char *p,
				     struct e4err_capture_record *rec)
{
	if (get_le32(p) != RECORD_MAGIC)
		return E4ERR_CAPTURE_BAD_RECORD;
	if (p[4] != E4ERR_ABI_RFC && p[4] != E4ERR_ABI_MAINLINE)
		return E4ERR_BAD_ABI;
	rec->abi = p[4];
	rec->time_ns = get_le64(p + 8);
	rec->group = get_le32(p + 16);
	rec->len = get_le32(p + 20);
	if (rec->len > E4ERR_CAPTURE_MAX_RECORD)
		return E4ERR_CAPTURE_TOO_BIG;
	return 0;
}

errcode_t e4err_capture_read(struct e4err_capture_reader *r,
			     struct e4err_capture_record *rec, int *eof)
{
	const unsigned char *p;
	errcode_t err;
	size_t got;

	*eof = 0;
	memset(rec, 0, sizeof(*rec));
	if (r->failed)
		return r->failed;
	r->record_off = r->off;
	err = take(r, RECORD_HEADER_LEN, &p, &got);
	if (!err && got == 0) {
		*eof = 1;
		return 0;
	}
	if (!err && got < RECORD_HEADER_LEN)
		err = E4ERR_CAPTURE_TRUNCATED;
	if (!err)
		err = parse_record_header(p, rec);
	if (!err)
		err = take(r, rec->len, &rec->data, &got);
	if (!err && got < rec->len)
		err = E4ERR_CAPTURE_TRUNCATED;
	/* Past a bad record nothing lines up any more: stop there for good. */
	r->failed = err;
	return err;
}

uint64_t e4err_capture_record_offset(const struct e4err_capture_reader *r)
{
	return r->record_off;
}

void e4err_capture_close(struct e4err_capture_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}
