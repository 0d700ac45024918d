/*
 * kenc.c --- test-only encoder of fanotify read() buffers, both ABIs.
 *
 * Each step names what it mirrors.  "seed:N" is line N of
 * ../shared/seed/fan-error-rfc-thread.txt (the RFC series, applied to
 * v5.12); "6.18" is fs/notify/fanotify/fanotify_user.c of Linux 6.18.
 * Fields go out in host byte order, as copy_to_user() of a kernel struct
 * does.
 */
#include <stdio.h>
#include <string.h>

#include "kenc.h"

#define HDR_LEN			4	/* struct fanotify_event_info_header */
#define METADATA_VERSION	3	/* FANOTIFY_METADATA_VERSION */
#define RFC_TYPE_LOCATION	4	/* seed:1860-1864, as patch 11 renumbered them */
#define RFC_TYPE_ERROR		5
#define RFC_TYPE_FSDATA		6
#define RFC_ERROR_INFO_LEN	20	/* sizeof(struct fanotify_event_info_error) */
#define RFC_LOCATION_INFO_LEN	8	/* sizeof(struct fanotify_event_info_location) */
#define RFC_FSDATA_INFO_LEN	4	/* sizeof(struct fanotify_event_info_fsdata) */
#define RFC_ERROR_VERS_1	1	/* FANOTIFY_EVENT_INFO_ERROR_VERS_1 */
#define ML_TYPE_FID		1
#define ML_TYPE_PIDFD		4
#define ML_TYPE_ERROR		5
#define ML_FID_INFO_HDR_LEN	20	/* FANOTIFY_FID_INFO_HDR_LEN: info_fid + file_handle */
#define ML_PIDFD_INFO_LEN	8
#define ML_ERROR_INFO_LEN	12
#define ML_EVENT_ALIGN		4	/* FANOTIFY_EVENT_ALIGN */
#define FILEID_INO32_GEN	1
#define FILEID_INVALID		0xff

static unsigned char *put(unsigned char *p, const void *v, size_t n)
{
	memcpy(p, v, n);
	return p + n;
}

static unsigned char *put_u8(unsigned char *p, uint8_t v)
{
	return put(p, &v, 1);
}

static unsigned char *put_u16(unsigned char *p, uint16_t v)
{
	return put(p, &v, 2);
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
	return put(p, &v, 4);
}

static unsigned char *put_u64(unsigned char *p, uint64_t v)
{
	return put(p, &v, 8);
}

/* struct fanotify_event_info_header; pad is what the kernel left there. */
static unsigned char *put_hdr(unsigned char *p, uint8_t type, uint8_t pad,
			      uint16_t len)
{
	p = put_u8(p, type);
	p = put_u8(p, pad);
	return put_u16(p, len);
}

/*
 * struct fanotify_event_metadata, filled as copy_event_to_user() does
 * (seed:260-270 and v5.12 around it; 6.18 is the same).
 */
static unsigned char *put_metadata(unsigned char *p, uint32_t event_len,
				   uint64_t mask, int32_t fd, int32_t pid)
{
	p = put_u32(p, event_len);		/* metadata.event_len */
	p = put_u8(p, METADATA_VERSION);	/* metadata.vers */
	p = put_u8(p, 0);			/* metadata.reserved = 0 */
	p = put_u16(p, KENC_META_LEN);		/* metadata.metadata_len */
	p = put_u64(p, mask);			/* event->mask & OUTGOING */
	p = put_u32(p, (uint32_t)fd);		/* metadata.fd */
	return put_u32(p, (uint32_t)pid);	/* metadata.pid = pid_vnr() */
}

void kenc_init(struct kenc_buf *b, void *storage, size_t size)
{
	memset(storage, 0x5A, size);
	b->buf = storage;
	b->count = size > KENC_SLACK ? size - KENC_SLACK : 0;
	b->len = 0;
}

void kenc_ext4_report(struct kenc_ext4_report *r, uint64_t ino,
		      uint64_t block, const char *prefix, const char *msg)
{
	/* seed:2248: struct ext4_error_inode_report report; on the stack */
	memset(r, KENC_POISON, sizeof(*r));
	/* seed:2251: report.inode = inode ? inode->i_ino : -1L; */
	r->inode = ino ? ino : UINT64_MAX;
	/* seed:2252: report.block = block ? block : -1L; */
	r->block = block ? block : UINT64_MAX;
	/* seed:2254: snprintf(report.desc, EXT4_FSN_DESC_LEN, "%s%pV\n", ...) */
	snprintf(r->desc, KENC_EXT4_DESC_LEN, "%s%s\n", prefix ? prefix : "",
		 msg ? msg : "");
}

/* seed:2045-2064: fanotify_event_len() for an error event. */
static size_t rfc_event_len(const struct kenc_rfc_event *e)
{
	/* seed:2059: event_len = fanotify_error_info_len(fee); -- no metadata */
	size_t event_len = RFC_ERROR_INFO_LEN;

	/* seed:2060-2061, fanotify_location_info_len() seed:1706-1714 */
	if (e->function)
		event_len += RFC_LOCATION_INFO_LEN + strlen(e->function) + 1;
	/*
	 * seed:2062-2063: `if (fee->fs_data)` is always true (an array), and
	 * fanotify_error_fsdata_len() (seed:1814-1820) is 0 without data.
	 */
	if (e->fs_data_size)
		event_len += RFC_FSDATA_INFO_LEN + e->fs_data_size;
	return event_len;
}

/* seed:1588-1609: copy_error_info_to_user(). */
static unsigned char *rfc_put_error(unsigned char *p,
				    const struct kenc_rfc_event *e)
{
	p = put_hdr(p, RFC_TYPE_ERROR, 0, RFC_ERROR_INFO_LEN); /* pad = 0 */
	p = put_u32(p, RFC_ERROR_VERS_1);	/* info.version */
	p = put_u32(p, (uint32_t)e->error);	/* info.error = fee->error */
	p = put_u32(p, e->fsid[0]);		/* info.fsid = fee->fsid */
	return put_u32(p, e->fsid[1]);
}

/* seed:1723-1746: copy_location_info_to_user(); hdr.pad is never set. */
static unsigned char *rfc_put_location(unsigned char *p,
				       const struct kenc_rfc_event *e)
{
	size_t tail = strlen(e->function) + 1;	/* "Includes NULL byte" */

	p = put_hdr(p, RFC_TYPE_LOCATION, KENC_POISON,
		    (uint16_t)(RFC_LOCATION_INFO_LEN + tail));
	p = put_u32(p, (uint32_t)e->line);	/* info.line */
	return put(p, e->function, tail);	/* copy_to_user(.., tail) */
}

/* seed:1829-1846: copy_error_fsdata_info_to_user(); hdr.pad never set. */
static unsigned char *rfc_put_fsdata(unsigned char *p,
				     const struct kenc_rfc_event *e)
{
	p = put_hdr(p, RFC_TYPE_FSDATA, KENC_POISON,
		    (uint16_t)(RFC_FSDATA_INFO_LEN + e->fs_data_size));
	/* fee->fs_data was memcpy'd whole from the report (seed:1958) */
	return put(p, e->fs_data, e->fs_data_size);
}

int kenc_rfc_event(struct kenc_buf *b, const struct kenc_rfc_event *e)
{
	size_t event_len = rfc_event_len(e);
	unsigned char *p;

	/* get_one_event() seed:251: the event must fit in what is left */
	if (event_len > b->count - b->len)
		return -1;
	p = b->buf + b->len;
	/* copy_event_to_user() seed:266: event_len = fanotify_event_len() */
	p = put_metadata(p, (uint32_t)event_len, e->mask, KENC_FAN_NOFD,
			 e->pid);
	/* seed:2113-2114 -> copy_error_event_to_user() seed:2074-2104 */
	p = rfc_put_error(p, e);
	if (e->function)
		p = rfc_put_location(p, e);
	if (e->fs_data_size)
		p = rfc_put_fsdata(p, e);
	/*
	 * seed:2116: return metadata.event_len; fanotify_read() then does
	 * buf += ret: 24 + event_len bytes were written, the next event
	 * starts event_len after this one.
	 */
	(void)p;
	b->len += event_len;
	return (int)event_len;
}

int kenc_rfc_ext4(struct kenc_buf *b, const struct kenc_ext4_error *e)
{
	struct kenc_ext4_report report;
	struct kenc_rfc_event ev = {
		.mask = KENC_RFC_FAN_ERROR,
		.pid = e->pid,
		.error = e->error,
		.fsid = { e->fsid[0], e->fsid[1] },
		.function = e->function,
		.line = e->line,
		.fs_data = &report,
		.fs_data_size = sizeof(report),
	};

	/* seed:2244-2258: ext4_fsnotify_error() */
	kenc_ext4_report(&report, e->ino, e->block, NULL, e->msg);
	return kenc_rfc_event(b, &ev);
}

/* 6.18 fanotify_event_len(): metadata + error + FID (+ pidfd). */
static size_t ml_event_len(const struct kenc_ml_event *e)
{
	size_t fh_len = e->has_inode ? 8 : 0;
	size_t fid_len = (ML_FID_INFO_HDR_LEN + fh_len + ML_EVENT_ALIGN - 1) /
			 ML_EVENT_ALIGN * ML_EVENT_ALIGN;

	return KENC_META_LEN + ML_ERROR_INFO_LEN + fid_len +
	       (e->pidfd_mode ? ML_PIDFD_INFO_LEN : 0);
}

/*
 * 6.18 copy_fid_info_to_user(): info and handle are zeroed structs; a
 * handle with no bytes gets FILEID_INVALID; padding is cleared.
 */
static unsigned char *ml_put_fid(unsigned char *p,
				 const struct kenc_ml_event *e)
{
	uint32_t fh_len = e->has_inode ? 8 : 0;
	uint16_t len = (uint16_t)((ML_FID_INFO_HDR_LEN + fh_len + 3) & ~3U);

	p = put_hdr(p, ML_TYPE_FID, 0, len);
	p = put_u32(p, e->fsid[0]);
	p = put_u32(p, e->fsid[1]);
	p = put_u32(p, fh_len);			/* handle.handle_bytes */
	p = put_u32(p, fh_len ? FILEID_INO32_GEN : FILEID_INVALID);
	if (fh_len) {
		/* ext4 encode_fh: generic_encode_ino32_fh(), no parent */
		p = put_u32(p, e->ino);
		p = put_u32(p, e->gen);
	}
	return p;	/* 20 + fh_len is already 4-aligned: no clear_user() */
}

/* 6.18 copy_pidfd_info_to_user(). */
static unsigned char *ml_put_pidfd(unsigned char *p,
				   const struct kenc_ml_event *e)
{
	p = put_hdr(p, ML_TYPE_PIDFD, 0, ML_PIDFD_INFO_LEN);
	return put_u32(p, (uint32_t)e->pidfd);
}

/* 6.18 copy_error_info_to_user(). */
static unsigned char *ml_put_error(unsigned char *p,
				   const struct kenc_ml_event *e)
{
	p = put_hdr(p, ML_TYPE_ERROR, 0, ML_ERROR_INFO_LEN);
	p = put_u32(p, (uint32_t)e->error);
	return put_u32(p, e->error_count);
}

int kenc_ml_event(struct kenc_buf *b, const struct kenc_ml_event *e)
{
	size_t event_len = ml_event_len(e);
	unsigned char *p;

	if (event_len > b->count - b->len)	/* get_one_event() */
		return -1;
	p = b->buf + b->len;
	p = put_metadata(p, (uint32_t)event_len, e->mask, KENC_FAN_NOFD,
			 e->pid);
	/* copy_info_records_to_user(): FID, then pidfd, then error */
	if (e->error_first)
		p = ml_put_error(p, e);
	p = ml_put_fid(p, e);
	if (e->pidfd_mode)
		p = ml_put_pidfd(p, e);
	if (!e->error_first)
		p = ml_put_error(p, e);
	(void)p;
	b->len += event_len;	/* event_len includes the metadata here */
	return (int)event_len;
}

int kenc_ml_overflow(struct kenc_buf *b)
{
	if (KENC_META_LEN > b->count - b->len)
		return -1;
	/* the group's overflow event: no path, no fid, pid 0 */
	put_metadata(b->buf + b->len, KENC_META_LEN, KENC_FAN_Q_OVERFLOW,
		     KENC_FAN_NOFD, 0);
	b->len += KENC_META_LEN;
	return KENC_META_LEN;
}
