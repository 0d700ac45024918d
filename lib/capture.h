/*
 * capture.h --- recording raw fanotify reads and playing them back.
 *
 * `e4errd watch --capture FILE` appends every read(2) it makes, tagged with
 * the kernel ABI, the time and the watch group it came from; `e4errd replay`
 * feeds the records back through the same decoder.  The file format is
 * documented in docs/capture-format.md.  Readers trust no length in it.
 */
#ifndef E4ERR_CAPTURE_H
#define E4ERR_CAPTURE_H

#include <stdint.h>
#include <stdio.h>
#include <et/com_err.h>

#include "event.h"

#define E4ERR_CAPTURE_MAGIC	"E4ERRCAP"
#define E4ERR_CAPTURE_FILE_VERSION	1
/* A record larger than this is refused: no read(2) we make is bigger. */
#define E4ERR_CAPTURE_MAX_RECORD	(1U << 20)

struct e4err_capture_record {
	enum e4err_abi abi;
	uint64_t time_ns;	/* CLOCK_REALTIME when read(2) returned */
	uint32_t group;		/* which watch group (0 when only one) */
	uint32_t len;
	const unsigned char *data;	/* valid until the next read call */
};

/* Write the file header to f (a new, empty file). */
errcode_t e4err_capture_write_header(FILE *f);
/*
 * Append one record and flush it, so a crash loses at most that record.
 * E4ERR_BAD_ABI / E4ERR_CAPTURE_TOO_BIG for what no reader would accept.
 */
errcode_t e4err_capture_write(FILE *f, enum e4err_abi abi, uint64_t time_ns,
			      uint32_t group, const void *data, uint32_t len);

struct e4err_capture_reader;
/* Check the header; E4ERR_CAPTURE_FORMAT / _VERSION when it is not ours. */
errcode_t e4err_capture_open(FILE *f, struct e4err_capture_reader **r);
/*
 * 0 and *rec filled; *eof set (and 0 returned) at a clean end.  Errors:
 * E4ERR_CAPTURE_TRUNCATED (file ends mid-record), E4ERR_CAPTURE_BAD_RECORD
 * (bad record magic), E4ERR_BAD_ABI (unknown ABI tag), E4ERR_CAPTURE_TOO_BIG
 * (length over E4ERR_CAPTURE_MAX_RECORD), or an errno.  After an error the
 * reader keeps returning it: nothing past a bad record can be trusted.
 */
errcode_t e4err_capture_read(struct e4err_capture_reader *r,
			     struct e4err_capture_record *rec, int *eof);
/* File offset at which the last record read (or the bad one) begins. */
uint64_t e4err_capture_record_offset(const struct e4err_capture_reader *r);
void e4err_capture_close(struct e4err_capture_reader *r);

/* The same reader over a memory buffer (the fuzzer and tests use it). */
errcode_t e4err_capture_open_mem(const void *buf, size_t len,
				 struct e4err_capture_reader **r);

#endif /* E4ERR_CAPTURE_H */
