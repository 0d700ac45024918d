/*
 * kenc.h --- a test-only encoder: byte streams written exactly as the
 * kernels write them into a fanotify read() buffer.
 *
 * The RFC encoder follows the patched kernel of
 * ../shared/seed/fan-error-rfc-thread.txt statement by statement, including
 * its flaws: event_len that leaves the metadata out, the last record running
 * 24 bytes past event_len (overwritten by the next event's metadata, or past
 * what read() returned), and uninitialised bytes, filled with KENC_POISON so
 * tests can check they never reach a decoded event.  The mainline encoder
 * follows fs/notify/fanotify/fanotify_user.c of Linux 6.18 (checked against
 * the captures in tests/fixtures/).  Used by unit tests, fuzz seeds and the
 * bench.
 */
#ifndef KENC_H
#define KENC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KENC_POISON		0xA5	/* stands for uninitialised kernel stack */
#define KENC_SLACK		24	/* the RFC kernel writes this far past count */
#define KENC_META_LEN		24
#define KENC_EXT4_DESC_LEN	256	/* EXT4_FSN_DESC_LEN */

#define KENC_RFC_FAN_ERROR	0x00100000ULL
#define KENC_FAN_FS_ERROR	0x00008000ULL
#define KENC_FAN_Q_OVERFLOW	0x00004000ULL
#define KENC_FAN_NOFD		(-1)

/* A read() buffer being filled, one event at a time. */
struct kenc_buf {
	unsigned char *buf;	/* count + KENC_SLACK bytes of storage */
	size_t count;		/* the count argument of read() */
	size_t len;		/* what read() has returned so far */
};

/*
 * Use size bytes of storage for a read(fd, storage, size - KENC_SLACK).
 * The storage is filled with 0x5A first, so bytes no kernel wrote are
 * recognisable too.
 */
void kenc_init(struct kenc_buf *b, void *storage, size_t size);

/* Patch 13's struct ext4_error_inode_report, as ext4 lays it out. */
struct kenc_ext4_report {
	uint64_t inode;
	uint64_t block;
	char desc[KENC_EXT4_DESC_LEN];
};

/*
 * ext4_fsnotify_error() (patch 13): fill the on-stack report.  ino 0 stands
 * for the NULL inode of __ext4_std_error (sent as -1); block 0 is sent as
 * -1; desc is snprintf("%s%pV\n", prefix ?: "", msg), cut at 255 bytes;
 * the bytes after its NUL keep KENC_POISON.
 */
void kenc_ext4_report(struct kenc_ext4_report *r, uint64_t ino,
		      uint64_t block, const char *prefix, const char *msg);

/* What the RFC kernel holds for one error event (struct fanotify_error_event). */
struct kenc_rfc_event {
	uint64_t mask;		/* KENC_RFC_FAN_ERROR */
	int32_t pid;
	int32_t error;
	uint32_t fsid[2];
	const char *function;	/* NULL: no location record */
	int32_t line;
	const void *fs_data;	/* fs_data_size 0: no fsdata record */
	size_t fs_data_size;
};

/*
 * Append one RFC error event as copy_event_to_user() writes it.  Returns
 * the event_len read() advanced by, or -1 when get_one_event() would refuse
 * it (event_len > what is left of count).
 */
int kenc_rfc_event(struct kenc_buf *b, const struct kenc_rfc_event *e);

/* An ext4 error as the RFC's ext4 reports it. */
struct kenc_ext4_error {
	int32_t pid;
	int32_t error;		/* ext4_error() passes 0 */
	uint32_t fsid[2];
	const char *function;	/* __func__ of the caller */
	int32_t line;
	uint64_t ino;		/* __ext4_error: root inode 2; 0: NULL inode */
	uint64_t block;		/* 0: none */
	const char *msg;	/* the formatted message, without "\n" */
};

/* ext4_fsnotify_error() + fsnotify_error_event() + copy_event_to_user(). */
int kenc_rfc_ext4(struct kenc_buf *b, const struct kenc_ext4_error *e);

/* What the mainline kernel holds for one FAN_FS_ERROR event. */
struct kenc_ml_event {
	uint64_t mask;		/* KENC_FAN_FS_ERROR */
	int32_t pid;
	uint32_t fsid[2];
	bool has_inode;		/* false: FILEID_INVALID, no handle bytes */
	uint32_t ino;
	uint32_t gen;
	int32_t error;
	uint32_t error_count;
	bool pidfd_mode;	/* group made with FAN_REPORT_PIDFD */
	int32_t pidfd;
	bool error_first;	/* not what 6.18 does: for order tests only */
};

/* Append one mainline event as copy_event_to_user() writes it; as above. */
int kenc_ml_event(struct kenc_buf *b, const struct kenc_ml_event *e);

/* Append the mainline FAN_Q_OVERFLOW event (metadata only). */
int kenc_ml_overflow(struct kenc_buf *b);

/* Offsets of the records of the RFC ext4 event just encoded, for tests. */
#define KENC_RFC_ERROR_OFF	24
#define KENC_RFC_LOCATION_OFF	44

#endif /* KENC_H */
