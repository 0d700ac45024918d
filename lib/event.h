/*
 * event.h --- a decoded kernel filesystem-error event.
 *
 * Owned by the decode stage (decode.c): it turns the bytes one read(2) of a
 * fanotify descriptor returned into these structs.  Everything downstream
 * (enrich, inspect, store, report) reads them and never sees kernel
 * sentinels: an absent field has its has_* flag false.
 */
#ifndef E4ERR_EVENT_H
#define E4ERR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which kernel wrote the bytes: decided before a byte is parsed. */
enum e4err_abi {
	E4ERR_ABI_NONE = 0,
	E4ERR_ABI_RFC = 1,	/* FAN_ERROR of the 2021 RFC series */
	E4ERR_ABI_MAINLINE = 2,	/* FAN_FS_ERROR, Linux 5.16+ */
};

/* The mask bits as each kernel defines them. */
#define E4ERR_RFC_FAN_ERROR		0x00100000ULL
#define E4ERR_FAN_FS_ERROR		0x00008000ULL
#define E4ERR_FAN_Q_OVERFLOW		0x00004000ULL

/* The RFC's struct ext4_error_inode_report: u64 inode, u64 block, desc. */
#define E4ERR_RFC_DESC_LEN		256
#define E4ERR_RFC_REPORT_LEN		(8 + 8 + E4ERR_RFC_DESC_LEN)
/* Kernel function names are short; a longer one is cut and warned about. */
#define E4ERR_FUNCTION_MAX		127

/*
 * Anything odd about an event.  The decoder never stops on these: it warns
 * and goes on to the next event, so one bad record cannot hide the rest.
 */
enum e4err_warning_code {
	E4ERR_W_NONE = 0,
	E4ERR_W_OVERRUN,		/* last record ran past event_len (arg: bytes) */
	E4ERR_W_RECORD_TRUNCATED,	/* record does not fit in the event (arg: type) */
	E4ERR_W_RECORD_UNKNOWN,		/* unknown record type, skipped (arg: type) */
	E4ERR_W_RECORD_ZERO_LEN,	/* record of length 0: rest of event skipped */
	E4ERR_W_RECORD_SHORT,		/* record shorter than its type needs (arg: type) */
	E4ERR_W_RECORD_DUPLICATE,	/* second record of one type (arg: type) */
	E4ERR_W_VERSION,		/* unknown metadata or record version (arg) */
	E4ERR_W_METADATA_LEN,		/* metadata_len is not 24 (arg) */
	E4ERR_W_MASK,			/* mask is not the error event of this ABI (arg) */
	E4ERR_W_NO_ERROR_RECORD,	/* event carries no error record */
	E4ERR_W_NEGATIVE_ERROR,		/* error sent negative; named by |error| */
	E4ERR_W_ROOT_PLACEHOLDER,	/* RFC: inode 2 from a superblock-level function */
	E4ERR_W_FUNCTION_TRUNCATED,	/* function name longer than E4ERR_FUNCTION_MAX */
	E4ERR_W_FUNCTION_UNTERMINATED,	/* function name without NUL in its record */
	E4ERR_W_DESC_UNTERMINATED,	/* description without NUL in the bytes present */
	E4ERR_W_HANDLE,			/* file handle of an unexpected type or size (arg: type) */
	E4ERR_W_TRAILING,		/* bytes after the last whole event (arg: bytes) */
	E4ERR_W_EVENT_LEN,		/* event_len impossible; rest of buffer skipped (arg) */
	E4ERR_W_FD,			/* event came with an open fd (arg: fd) */
	E4ERR_W_MAX
};

struct e4err_warning {
	enum e4err_warning_code code;
	int64_t arg;
};

#define E4ERR_MAX_WARNINGS	8

struct e4err_event {
	enum e4err_abi abi;
	/* Where in the read() buffer this event began and how far read() advanced. */
	size_t offset;
	size_t event_len;

	uint64_t mask;
	int32_t pid;
	int32_t fd;		/* FAN_NOFD (-1) normally; the caller closes anything else */
	bool overflow;		/* FAN_Q_OVERFLOW: events were lost */
	/* True when the metadata was unusable and no field below was filled. */
	bool skipped;

	bool has_error;
	int32_t error;		/* raw, as the kernel sent it */
	bool has_error_count;
	uint32_t error_count;	/* mainline only */
	bool has_fsid;
	uint32_t fsid[2];

	bool has_inode;
	uint64_t inode;
	bool inode_is_placeholder;	/* RFC root inode from __ext4_error */
	bool has_generation;
	uint32_t generation;	/* mainline FILEID_INO32_GEN handle */
	bool has_block;
	uint64_t block;

	bool has_function;
	char function[E4ERR_FUNCTION_MAX + 1];	/* NUL-terminated, raw bytes */
	bool has_line;
	int32_t line;
	bool has_desc;
	size_t desc_len;	/* bytes before the NUL; nothing after it is kept */
	char desc[E4ERR_RFC_DESC_LEN + 1];

	bool has_pidfd;		/* mainline FAN_REPORT_PIDFD record */
	int32_t pidfd;		/* the caller closes it when >= 0 */

	unsigned int nwarnings;
	bool warnings_dropped;	/* more than E4ERR_MAX_WARNINGS */
	struct e4err_warning warnings[E4ERR_MAX_WARNINGS];
};

#endif /* E4ERR_EVENT_H */
