/*
 * kmsg.h --- the kernel log as a source of detail (part of enrich).
 *
 * Owns reading /dev/kmsg and parsing ext4's error lines out of it.  A
 * mainline FAN_FS_ERROR event says "inode N, error E, count C" and no more;
 * the line ext4 prints for the same error carries the function, line,
 * block, group, the process name (comm), sometimes a path, and the message.
 *
 * Three layers, each usable alone:
 *   e4err_kmsg_record_parse()  one /dev/kmsg record: header and text (pure)
 *   e4err_klog_parse()         one record's text: an ext4 line or not (pure)
 *   struct e4err_kmsg_asm      records in, whole lines out: puts back
 *                              together the group-locked lines mballoc
 *                              prints in pieces (pure, bounded memory)
 *   e4err_kmsg_open()...       the reader: nonblocking, overruns survived
 *
 * Trust: only records of the kernel facility (0) are parsed; a root
 * process can write a look-alike line to /dev/kmsg but the kernel gives it
 * the user facility (1) or whatever non-zero facility it asked for.
 * comm, path and message are chosen by whoever runs the failing process:
 * they are kept as raw bytes (the record's \xNN escapes undone), bounded,
 * and must be escaped on output.
 */
#ifndef E4ERR_KMSG_H
#define E4ERR_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

#include "event.h"

/* A record is at most this long (the kernel's CONSOLE_EXT_LOG_MAX). */
#define E4ERR_KMSG_RECORD_MAX	8192

/* Bounds of what a parsed line keeps; longer values are cut and flagged. */
#define E4ERR_KLOG_DEVICE_MAX	32	/* the kernel's s_id is 32 bytes */
#define E4ERR_KLOG_COMM_MAX	64	/* TASK_COMM_LEN is 16; room to spare */
#define E4ERR_KLOG_PATH_MAX	512
#define E4ERR_KLOG_MSG_MAX	512

/* The header of one /dev/kmsg record and where its text is. */
struct e4err_kmsg_record {
	uint32_t facility;	/* 0: the kernel itself */
	uint32_t level;		/* 0 (emerg) .. 7 (debug) */
	uint64_t seq;
	uint64_t ts_usec;	/* the kernel's clock (local_clock), since boot */
	bool cont;		/* flag 'c': continues an earlier record */
	bool has_caller;	/* ",caller=T123" (CONFIG_PRINTK_CALLER) */
	uint32_t caller;	/* thread id, or CPU id with bit 31 set */
	const char *text;	/* the message, still \xNN-escaped; in buf */
	size_t text_len;	/* up to the first newline */
};

/*
 * Parse one record as read(2) returned it: "pri,seq,ts,flags[,...];text\n"
 * followed by optional " KEY=value\n" lines (ignored).  Unknown header
 * fields are skipped, as the kernel's documentation asks.  Returns 0 or
 * E4ERR_KMSG_RECORD.  Pure.
 */
errcode_t e4err_kmsg_record_parse(const char *buf, size_t len,
				  struct e4err_kmsg_record *rec);

enum e4err_klog_kind {
	E4ERR_KLOG_NONE = 0,	/* not a line of ours */
	/* "EXT4-fs error (device D): F:L: [inode #I: ][block B: ]comm C: [path P: ]M" */
	E4ERR_KLOG_ERROR,
	/* "EXT4-fs error (device D) in F:L: M" (__ext4_std_error) */
	E4ERR_KLOG_STD_ERROR,
	/* "EXT4-fs error (device D): F:L: group G, [inode I: ][block B:]M" */
	E4ERR_KLOG_GROUP_ERROR,
	/* "NAME: N callbacks suppressed" (NAME "EXT4-fs error": ext4's limit) */
	E4ERR_KLOG_SUPPRESSED,
	/* "D: lost filesystem error report ..." (Linux 7.0+ fserror) */
	E4ERR_KLOG_LOST,
};

/* One kernel log line of ours, parsed.  Strings are NUL-terminated too. */
struct e4err_klog {
	enum e4err_klog_kind kind;
	/* Filled in by the reader / assembler from the record header. */
	uint64_t seq;
	uint64_t ts_usec;
	bool has_caller;
	uint32_t caller;
	uint32_t level;

	bool has_device;
	char device[E4ERR_KLOG_DEVICE_MAX + 1];
	bool has_function;
	char function[E4ERR_FUNCTION_MAX + 1];
	bool has_line;
	uint32_t line;
	bool has_inode;
	uint64_t inode;
	bool has_block;
	uint64_t block;
	bool has_group;
	uint32_t group;
	bool has_error;		/* LOST lines: the error number they name */
	int32_t error;

	/* Raw bytes (escapes undone); *_cut: longer than kept. */
	bool has_comm;
	size_t comm_len;
	char comm[E4ERR_KLOG_COMM_MAX + 1];
	bool has_path;
	size_t path_len;
	char path[E4ERR_KLOG_PATH_MAX + 1];
	bool has_msg;
	size_t msg_len;
	char msg[E4ERR_KLOG_MSG_MAX + 1];
	bool comm_cut, path_cut, msg_cut;

	/* SUPPRESSED: who was limited ("EXT4-fs error") and how many lines. */
	char suppressor[E4ERR_FUNCTION_MAX + 1];
	uint32_t suppressed;
	/* GROUP_ERROR whose pieces did not all arrive (message missing). */
	bool partial;
	/* Lines of ext4's limit dropped just before this one (ERROR kinds). */
	uint32_t suppressed_before;
};

/*
 * Parse the text of one kernel-facility record (escaped, as in the
 * record, without the newline).  Returns out->kind; E4ERR_KLOG_NONE (and
 * *out zeroed) for any other line.  Never reads past len.  Pure.
 */
enum e4err_klog_kind e4err_klog_parse(const char *text, size_t len,
				      struct e4err_klog *out);

/* True when the suppressor is ext4's error limit ("EXT4-fs error"). */
bool e4err_klog_ext4_suppressor(const struct e4err_klog *l);

/* ---- assembling records into lines (pure) -------------------------------- */

/* Group lines waiting for their pieces at once; older ones are flushed. */
#define E4ERR_KMSG_ASM_SLOTS	4
/* A piece arrives within this many kernel microseconds, or never. */
#define E4ERR_KMSG_ASM_WAIT_US	1000000

/* What the reader and the assembler counted. */
struct e4err_kmsg_stats {
	uint64_t records;	/* records read */
	uint64_t lines;		/* lines of ours passed on */
	uint64_t foreign;	/* EXT4-looking lines of a non-kernel facility, ignored */
	uint64_t malformed;	/* records that did not parse */
	uint64_t overruns;	/* EPIPE: the ring overwrote records unread */
	uint64_t records_lost;	/* sequence numbers skipped (overruns) */
	uint64_t partial;	/* group lines passed on without all pieces */
	uint64_t dropped_pieces;	/* pieces for no waiting line, or too long */
};

typedef void (*e4err_klog_cb)(void *arg, const struct e4err_klog *line);

struct e4err_kmsg_asm_slot {
	bool used;
	struct e4err_kmsg_record hdr;	/* of the first piece; text unused */
	size_t len;
	char text[1024];
};

struct e4err_kmsg_asm {
	struct e4err_kmsg_asm_slot slot[E4ERR_KMSG_ASM_SLOTS];
	bool have_seq;
	uint64_t next_seq;		/* to see records skipped */
	uint32_t pending_suppressed;	/* ext4's limit, for the next line */
	struct e4err_kmsg_stats stats;
};

void e4err_kmsg_asm_init(struct e4err_kmsg_asm *a);
/*
 * One record (as read) in: every line it completes goes to cb (0, 1 or a
 * few: a waiting group line that this record shows will get no more
 * pieces is passed on first).  Records of other facilities are counted
 * (foreign, when they look like ext4's) and dropped.
 */
void e4err_kmsg_asm_feed(struct e4err_kmsg_asm *a, const char *buf,
			 size_t len, e4err_klog_cb cb, void *arg);
/* Pass on every waiting group line as it is (partial). */
void e4err_kmsg_asm_flush(struct e4err_kmsg_asm *a, e4err_klog_cb cb,
			  void *arg);
/* True while a group line waits for pieces. */
bool e4err_kmsg_asm_waiting(const struct e4err_kmsg_asm *a);

/* ---- the reader ------------------------------------------------------------ */

struct e4err_kmsg;

/*
 * Open /dev/kmsg (path NULL) or a file of records, nonblocking.  Without
 * history, reading starts at the end: lines the kernel printed before now
 * are not read.  EPERM/EACCES: needs CAP_SYSLOG while
 * kernel.dmesg_restrict is 1.
 */
errcode_t e4err_kmsg_open(const char *path, bool history,
			  struct e4err_kmsg **km);
void e4err_kmsg_close(struct e4err_kmsg *km);
/* For poll(): POLLIN when records wait. */
int e4err_kmsg_fd(const struct e4err_kmsg *km);

/*
 * Read the records waiting, at most max (0: 512) so a flood of other
 * records cannot hold the caller; every ext4 line goes to cb.  *more (may
 * be NULL) is set when records may still wait.  An overrun (EPIPE) is
 * counted and reading goes on with the oldest record still there.
 * Returns 0, or the errno of a read that failed otherwise.
 */
errcode_t e4err_kmsg_read(struct e4err_kmsg *km, size_t max,
			  e4err_klog_cb cb, void *arg, bool *more);

/*
 * When a group line waits for pieces: the CLOCK_MONOTONIC millisecond at
 * which e4err_kmsg_flush() should pass it on; 0 when nothing waits.
 */
uint64_t e4err_kmsg_deadline(const struct e4err_kmsg *km);
void e4err_kmsg_flush(struct e4err_kmsg *km, e4err_klog_cb cb, void *arg);

const struct e4err_kmsg_stats *e4err_kmsg_get_stats(const struct e4err_kmsg *km);

#endif /* E4ERR_KMSG_H */
