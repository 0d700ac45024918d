/*
 * decode.c --- the decode stage: the bytes one read(2) of a fanotify
 * descriptor returned, in; struct e4err_event, out.  Both kernel ABIs.
 *
 * RFC FAN_ERROR (../shared/seed/fan-error-rfc-thread.txt, patches 01 and
 * 05-13).  copy_event_to_user() writes the 24-byte metadata, then
 * copy_error_event_to_user() writes the generic error record (20 bytes),
 * the optional location record (8 + strlen(function) + 1, not aligned) and
 * the fsdata record (4 + struct ext4_error_inode_report = 276).  But
 * fanotify_event_len() leaves the metadata out of an error event's
 * event_len, and fanotify_read() advances by event_len: the last record
 * runs exactly 24 bytes past event_len, where the next event's metadata
 * overwrites it (or, for the last event, past what read() returned).  So the
 * records are read from +24 and clipped at event_len; the description loses
 * its last 24 bytes.  Only an overrun other than 24 is worth a warning.
 * The pad byte of the location and fsdata headers and the description
 * after its NUL are uninitialised kernel stack: they are never copied.
 *
 * Mainline FAN_FS_ERROR (Linux 5.16+, checked against captures in
 * tests/fixtures/): event_len includes the metadata; a FID record
 * (fsid + struct file_handle, FILEID_INO32_GEN for ext4 or FILEID_INVALID
 * with no inode), an optional PIDFD record and an error record
 * (error, error_count), decoded by type whatever their order.
 *
 * No length in the buffer is trusted and nothing outside [buf, buf + len)
 * is read.  Records are unaligned: every field goes through memcpy.  All
 * fields are in host byte order, as the kernel wrote them.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "nls.h"

#define META_LEN		24	/* struct fanotify_event_metadata */
#define METADATA_VERSION	3	/* FANOTIFY_METADATA_VERSION, both ABIs */
#define HDR_LEN			4	/* struct fanotify_event_info_header */
#define FAN_NOFD		(-1)

/* RFC record types, as patch 11 renumbered them. */
#define RFC_REC_LOCATION	4
#define RFC_REC_ERROR		5
#define RFC_REC_FSDATA		6
#define RFC_ERROR_LEN		20	/* hdr, int version, int error, fsid */
#define RFC_ERROR_VERSION	1	/* FANOTIFY_EVENT_INFO_ERROR_VERS_1 */
#define RFC_LOCATION_FIXED	8	/* hdr, int line; function follows */
#define RFC_FSDATA_FIXED	20	/* hdr, u64 inode, u64 block */
#define RFC_OVERRUN		META_LEN
#define RFC_ROOT_INO		2	/* EXT4_ROOT_INO */

/* Mainline record types (linux/fanotify.h). */
#define ML_REC_FID		1
#define ML_REC_PIDFD		4
#define ML_REC_ERROR		5
#define ML_FID_FIXED		20	/* hdr, fsid, handle_bytes, handle_type */
#define ML_PIDFD_LEN		8
#define ML_ERROR_LEN		12
#define FILEID_INO32_GEN	1
#define FILEID_INVALID		0xff

/*
 * gcc 12 at -O2 expands a memcpy or memset whose size it can bound into
 * `rep movs` / `rep stos`, whose start-up cost was three quarters of an RFC
 * decode (bench_decode: 81 ns against 20 ns per event).  Hiding the size
 * from the optimiser makes it call the C library's, as clang does anyway.
 */
#define HIDE_SIZE(n)	__asm__("" : "+r"(n))

/* One info record as found in the event. */
struct record {
	const unsigned char *p;	/* its header */
	unsigned int type;
	size_t len;		/* as its header declares */
	size_t have;		/* bytes of it inside the event, <= len */
};

static inline uint16_t get_u16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline int32_t get_s32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Add a warning once; the ninth distinct one only sets warnings_dropped. */
static void warn(struct e4err_event *ev, enum e4err_warning_code code,
		 int64_t arg)
{
	unsigned int i;

	for (i = 0; i < ev->nwarnings; i++)
		if (ev->warnings[i].code == code && ev->warnings[i].arg == arg)
			return;
	if (ev->nwarnings == E4ERR_MAX_WARNINGS) {
		ev->warnings_dropped = true;
		return;
	}
	ev->warnings[ev->nwarnings].code = code;
	ev->warnings[ev->nwarnings].arg = arg;
	ev->nwarnings++;
}

/*
 * Whether the record holds its first need bytes.  A record that declares
 * fewer is malformed (short); one cut by the end of the event is truncated.
 */
static bool record_holds(struct e4err_event *ev, const struct record *r,
			 size_t need)
{
	if (r->len < need) {
		warn(ev, E4ERR_W_RECORD_SHORT, r->type);
		return false;
	}
	if (r->have < need) {
		warn(ev, E4ERR_W_RECORD_TRUNCATED, r->type);
		return false;
	}
	return true;
}

/* A second record of a type the event carries once is ignored. */
static bool first_of_type(struct e4err_event *ev, const struct record *r,
			  unsigned int *seen)
{
	unsigned int bit = 1U << r->type;	/* callers pass types < 16 */

	if (*seen & bit) {
		warn(ev, E4ERR_W_RECORD_DUPLICATE, r->type);
		return false;
	}
	*seen |= bit;
	return true;
}

/*
 * Copy a kernel string of at most n bytes up to its NUL, never a byte
 * after it: in the RFC those are uninitialised kernel memory.  Keeps at
 * most max bytes; returns the string's whole length (n when it has no NUL).
 */
static size_t copy_cstring(char *dst, size_t max, const unsigned char *src,
			   size_t n, bool *terminated)
{
	const unsigned char *nul = memchr(src, '\0', n);
	size_t len = nul ? (size_t)(nul - src) : n;
	size_t kept = len < max ? len : max;

	*terminated = nul != NULL;
	HIDE_SIZE(kept);
	memcpy(dst, src, kept);
	dst[kept] = '\0';
	return len;
}

/* RFC generic error record: patch 09, copy_error_info_to_user(). */
static void rfc_error(struct e4err_event *ev, const struct record *r)
{
	int32_t version;

	if (!record_holds(ev, r, RFC_ERROR_LEN))
		return;
	version = get_s32(r->p + 4);
	if (version != RFC_ERROR_VERSION) {
		warn(ev, E4ERR_W_VERSION, version);
		return;
	}
	ev->has_error = true;
	ev->error = get_s32(r->p + 8);
	ev->has_fsid = true;
	ev->fsid[0] = get_u32(r->p + 12);
	ev->fsid[1] = get_u32(r->p + 16);
}

/* RFC location record: patch 10, copy_location_info_to_user(). */
static void rfc_location(struct e4err_event *ev, const struct record *r)
{
	size_t n, len;
	bool terminated;

	if (!record_holds(ev, r, RFC_LOCATION_FIXED))
		return;
	ev->has_line = true;
	ev->line = get_s32(r->p + 4);
	n = r->have - RFC_LOCATION_FIXED;
	if (n == 0)
		return;
	len = copy_cstring(ev->function, E4ERR_FUNCTION_MAX,
			   r->p + RFC_LOCATION_FIXED, n, &terminated);
	ev->has_function = true;
	if (!terminated)
		warn(ev, E4ERR_W_FUNCTION_UNTERMINATED, 0);
	if (len > E4ERR_FUNCTION_MAX)
		warn(ev, E4ERR_W_FUNCTION_TRUNCATED, E4ERR_FUNCTION_MAX);
}

/*
 * RFC fsdata record: patch 11, copy_error_fsdata_info_to_user(), carrying
 * patch 13's struct ext4_error_inode_report.  ext4_fsnotify_error() stores
 * (u64)-1 for "no inode" and for block 0.
 */
static void rfc_fsdata(struct e4err_event *ev, const struct record *r)
{
	uint64_t inode, block;
	size_t n, max = E4ERR_RFC_REPORT_LEN + HDR_LEN;
	bool terminated;

	if (!record_holds(ev, r, RFC_FSDATA_FIXED))
		return;
	inode = get_u64(r->p + 4);
	block = get_u64(r->p + 12);
	if (inode != UINT64_MAX) {
		ev->has_inode = true;
		ev->inode = inode;
	}
	if (block != UINT64_MAX) {
		ev->has_block = true;
		ev->block = block;
	}
	n = (r->have < max ? r->have : max) - RFC_FSDATA_FIXED;
	if (n == 0)
		return;
	/* n <= E4ERR_RFC_DESC_LEN, so the whole string is kept */
	ev->desc_len = copy_cstring(ev->desc, E4ERR_RFC_DESC_LEN,
				    r->p + RFC_FSDATA_FIXED, n, &terminated);
	ev->has_desc = true;
	if (!terminated)
		warn(ev, E4ERR_W_DESC_UNTERMINATED, 0);
}

static void rfc_record(struct e4err_event *ev, const struct record *r,
		       unsigned int *seen)
{
	switch (r->type) {
	case RFC_REC_ERROR:
		if (first_of_type(ev, r, seen))
			rfc_error(ev, r);
		break;
	case RFC_REC_LOCATION:
		if (first_of_type(ev, r, seen))
			rfc_location(ev, r);
		break;
	case RFC_REC_FSDATA:
		if (first_of_type(ev, r, seen))
			rfc_fsdata(ev, r);
		break;
	default:
		warn(ev, E4ERR_W_RECORD_UNKNOWN, r->type);
		break;
	}
}

/*
 * Mainline FID record (copy_fid_info_to_user): fsid, then a struct
 * file_handle.  ext4 encodes FILEID_INO32_GEN (u32 inode, u32 generation);
 * an error with no inode gets FILEID_INVALID and no handle bytes.
 */
static void ml_fid(struct e4err_event *ev, const struct record *r)
{
	uint32_t bytes;
	int32_t type;

	if (!record_holds(ev, r, ML_FID_FIXED))
		return;
	ev->has_fsid = true;
	ev->fsid[0] = get_u32(r->p + 4);
	ev->fsid[1] = get_u32(r->p + 8);
	bytes = get_u32(r->p + 12);
	type = get_s32(r->p + 16);
	if (type == FILEID_INVALID && bytes == 0)
		return;
	if (type != FILEID_INO32_GEN || bytes != 8 ||
	    r->have < ML_FID_FIXED + 8) {
		warn(ev, E4ERR_W_HANDLE, type);
		return;
	}
	ev->has_inode = true;
	ev->inode = get_u32(r->p + ML_FID_FIXED);
	ev->has_generation = true;
	ev->generation = get_u32(r->p + ML_FID_FIXED + 4);
}

/* Mainline error record (copy_error_info_to_user). */
static void ml_error(struct e4err_event *ev, const struct record *r)
{
	if (!record_holds(ev, r, ML_ERROR_LEN))
		return;
	ev->has_error = true;
	ev->error = get_s32(r->p + 4);
	ev->has_error_count = true;
	ev->error_count = get_u32(r->p + 8);
}

/* Mainline pidfd record (copy_pidfd_info_to_user), FAN_REPORT_PIDFD. */
static void ml_pidfd(struct e4err_event *ev, const struct record *r)
{
	if (!record_holds(ev, r, ML_PIDFD_LEN))
		return;
	ev->has_pidfd = true;
	ev->pidfd = get_s32(r->p + 4);
}

static void ml_record(struct e4err_event *ev, const struct record *r,
		      unsigned int *seen)
{
	switch (r->type) {
	case ML_REC_FID:
		if (first_of_type(ev, r, seen))
			ml_fid(ev, r);
		break;
	case ML_REC_PIDFD:
		if (first_of_type(ev, r, seen))
			ml_pidfd(ev, r);
		break;
	case ML_REC_ERROR:
		if (first_of_type(ev, r, seen))
			ml_error(ev, r);
		break;
	default:
		warn(ev, E4ERR_W_RECORD_UNKNOWN, r->type);
		break;
	}
}

/*
 * A record running past the end of the event: in the RFC the last one
 * always does, by exactly the 24 metadata bytes event_len leaves out; any
 * other amount means the records do not add up.  Mainline records fit.
 */
static void record_overrun(struct e4err_event *ev, enum e4err_abi abi,
			   const struct record *r, size_t overrun)
{
	if (abi != E4ERR_ABI_RFC)
		warn(ev, E4ERR_W_RECORD_TRUNCATED, r->type);
	else if (overrun != RFC_OVERRUN)
		warn(ev, E4ERR_W_OVERRUN, (int64_t)overrun);
}

/*
 * Walk the avail bytes of records at p.  Every step advances by at least
 * a header, or stops, so a hostile length cannot make it loop.
 */
static void walk_records(struct e4err_event *ev, enum e4err_abi abi,
			 const unsigned char *p, size_t avail)
{
	unsigned int seen = 0;
	size_t pos = 0, left;
	struct record r;

	while (pos < avail) {
		left = avail - pos;
		if (left < HDR_LEN) {
			warn(ev, E4ERR_W_RECORD_TRUNCATED, p[pos]);
			return;
		}
		r.p = p + pos;
		r.type = p[pos];
		r.len = get_u16(p + pos + 2);
		if (r.len == 0) {
			warn(ev, E4ERR_W_RECORD_ZERO_LEN, 0);
			return;
		}
		if (r.len < HDR_LEN) {
			warn(ev, E4ERR_W_RECORD_SHORT, r.type);
			return;
		}
		r.have = r.len < left ? r.len : left;
		if (r.len > left)
			record_overrun(ev, abi, &r, r.len - left);
		else if (r.len == left && abi == E4ERR_ABI_RFC)
			/* ends at event_len: not how the RFC kernel writes */
			warn(ev, E4ERR_W_OVERRUN, 0);
		if (abi == E4ERR_ABI_RFC)
			rfc_record(ev, &r, &seen);
		else
			ml_record(ev, &r, &seen);
		pos += r.have;
	}
}

/* The fixed part of struct fanotify_event_metadata. */
struct metadata {
	uint32_t event_len;
	uint8_t vers;
	uint16_t metadata_len;
	uint64_t mask;
	int32_t fd;
	int32_t pid;
};

static void read_metadata(const unsigned char *p, struct metadata *md)
{
	md->event_len = get_u32(p);
	md->vers = p[4];
	md->metadata_len = get_u16(p + 6);
	md->mask = get_u64(p + 8);
	md->fd = get_s32(p + 16);
	md->pid = get_s32(p + 20);
}

static bool is_error_event(enum e4err_abi abi, uint64_t mask)
{
	if (abi == E4ERR_ABI_RFC)
		return mask & E4ERR_RFC_FAN_ERROR;
	return mask & E4ERR_FAN_FS_ERROR;
}

/* Warn about a mask that is not just this ABI's error or overflow event. */
static void check_mask(struct e4err_event *ev, enum e4err_abi abi,
		       uint64_t mask)
{
	uint64_t error_bit = abi == E4ERR_ABI_RFC ? E4ERR_RFC_FAN_ERROR :
						    E4ERR_FAN_FS_ERROR;

	ev->overflow = (mask & E4ERR_FAN_Q_OVERFLOW) != 0;
	if (mask != error_bit && mask != E4ERR_FAN_Q_OVERFLOW)
		warn(ev, E4ERR_W_MASK, (int64_t)mask);
}

/*
 * The records of one event whose metadata is sane.  For the RFC the kernel
 * wrote them from +24 on, but only event_len bytes of the event are ours;
 * an RFC event other than FAN_ERROR would carry metadata alone.
 */
static void decode_body(struct e4err_event *ev, enum e4err_abi abi,
			const unsigned char *p, const struct metadata *md)
{
	size_t start = META_LEN;

	if (md->metadata_len != META_LEN) {
		warn(ev, E4ERR_W_METADATA_LEN, md->metadata_len);
		if (md->metadata_len > META_LEN &&
		    md->metadata_len <= md->event_len)
			start = md->metadata_len;
	}
	if (abi == E4ERR_ABI_RFC && !is_error_event(abi, md->mask))
		return;
	walk_records(ev, abi, p + start, md->event_len - start);
}

/* What the raw values mean, once all records are in. */
static void interpret(struct e4err_event *ev, enum e4err_abi abi)
{
	if (is_error_event(abi, ev->mask) && !ev->has_error)
		warn(ev, E4ERR_W_NO_ERROR_RECORD, 0);
	if (ev->has_error && ev->error < 0)
		warn(ev, E4ERR_W_NEGATIVE_ERROR, ev->error);
	/*
	 * __ext4_error() passes the root inode when no inode is involved,
	 * and block 0 (sent as -1).  The caller is not in the record, so
	 * inode 2 without a block is taken to be that placeholder; a real
	 * error on the root directory from __ext4_error_inode() with no
	 * block looks the same and is flagged too.
	 */
	if (abi == E4ERR_ABI_RFC && ev->has_inode &&
	    ev->inode == RFC_ROOT_INO && !ev->has_block) {
		ev->inode_is_placeholder = true;
		warn(ev, E4ERR_W_ROOT_PLACEHOLDER, 0);
	}
}

static void event_reset(struct e4err_event *ev, enum e4err_abi abi,
			size_t offset)
{
	size_t size = sizeof(*ev);

	/* the whole event, so no byte of an earlier one lingers in it */
	HIDE_SIZE(size);
	memset(ev, 0, size);
	ev->abi = abi;
	ev->offset = offset;
	ev->fd = FAN_NOFD;
	ev->pidfd = FAN_NOFD;
}

/* The rest of the buffer cannot be decoded: one skipped event says why. */
static int skip_rest(struct e4err_decoder *d, struct e4err_event *ev,
		     enum e4err_warning_code code, int64_t arg)
{
	ev->skipped = true;
	warn(ev, code, arg);
	d->off = d->len;
	d->done = true;
	return 1;
}

void e4err_decoder_init(struct e4err_decoder *d, enum e4err_abi abi,
			const void *buf, size_t len)
{
	d->abi = abi;
	d->buf = buf;
	d->len = buf ? len : 0;
	d->off = 0;
	/* An ABI not decided is the caller's bug: decode nothing. */
	d->done = abi != E4ERR_ABI_RFC && abi != E4ERR_ABI_MAINLINE;
}

int e4err_decode_next(struct e4err_decoder *d, struct e4err_event *ev)
{
	const unsigned char *p;
	struct metadata md;
	size_t rem;

	if (d->done || d->off >= d->len) {
		d->done = true;
		return 0;
	}
	event_reset(ev, d->abi, d->off);
	p = d->buf + d->off;
	rem = d->len - d->off;
	if (rem < META_LEN)
		return skip_rest(d, ev, E4ERR_W_TRAILING, (int64_t)rem);
	read_metadata(p, &md);
	ev->event_len = md.event_len;
	if (md.event_len < META_LEN || md.event_len > rem)
		return skip_rest(d, ev, E4ERR_W_EVENT_LEN, md.event_len);
	d->off += md.event_len;
	if (md.vers != METADATA_VERSION) {
		ev->skipped = true;
		warn(ev, E4ERR_W_VERSION, md.vers);
		return 1;
	}
	ev->mask = md.mask;
	ev->pid = md.pid;
	ev->fd = md.fd;
	if (md.fd >= 0)
		warn(ev, E4ERR_W_FD, md.fd);
	check_mask(ev, d->abi, md.mask);
	decode_body(ev, d->abi, p, &md);
	interpret(ev, d->abi);
	return 1;
}

#ifndef HAVE_STRERRORNAME_NP
/* The values ext4 reports, for a C library without strerrorname_np(). */
static const char *errno_table_name(int v)
{
	static const struct {
		int value;
		const char *name;
	} table[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EIO, "EIO" },
		{ ENOMEM, "ENOMEM" }, { EFAULT, "EFAULT" },
		{ EEXIST, "EEXIST" }, { EINVAL, "EINVAL" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { EROFS, "EROFS" },
		{ ERANGE, "ERANGE" }, { ENODATA, "ENODATA" },
		{ EOVERFLOW, "EOVERFLOW" }, { ESHUTDOWN, "ESHUTDOWN" },
		{ ESTALE, "ESTALE" }, { EDQUOT, "EDQUOT" },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].value == v)
			return table[i].name;
	return NULL;
}
#endif

const char *e4err_error_name(int32_t error, char *buf, size_t buflen)
{
	int64_t v = error < 0 ? -(int64_t)error : error;
	const char *name = NULL;

	if (v == 0 || v == EUCLEAN)
		return "EFSCORRUPTED";
	if (v == EBADMSG)
		return "EFSBADCRC";
	if (v <= INT_MAX) {
#ifdef HAVE_STRERRORNAME_NP
		name = strerrorname_np((int)v);
#else
		name = errno_table_name((int)v);
#endif
	}
	if (name)
		return name;
	snprintf(buf, buflen, "E%lld", (long long)v);
	return buf;
}

/* Sentences for the warnings that carry no number. */
static const char *warning_plain(enum e4err_warning_code code)
{
	switch (code) {
	case E4ERR_W_RECORD_ZERO_LEN:
		return _("a record of length 0: the rest of the event was skipped");
	case E4ERR_W_NO_ERROR_RECORD:
		return _("the event carries no error record");
	case E4ERR_W_ROOT_PLACEHOLDER:
		return _("inode 2 with no block: most likely the root inode "
			 "the kernel names for a filesystem-wide error, not "
			 "the object in error");
	case E4ERR_W_FUNCTION_UNTERMINATED:
		return _("the function name has no terminating NUL in its "
			 "record; kept as far as present");
	case E4ERR_W_DESC_UNTERMINATED:
		return _("the description has no terminating NUL in the bytes "
			 "received; kept as far as present");
	default:
		return NULL;
	}
}

const char *e4err_warning_text(const struct e4err_warning *w, char *buf,
			       size_t buflen)
{
	long long a = w->arg;
	const char *plain = warning_plain(w->code);

	if (plain) {
		snprintf(buf, buflen, "%s", plain);
		return buf;
	}
	switch (w->code) {
	case E4ERR_W_OVERRUN:
		snprintf(buf, buflen, _("the last record ends %lld bytes past "
					"event_len; the RFC kernel always "
					"overruns by exactly 24"), a);
		break;
	case E4ERR_W_RECORD_TRUNCATED:
		snprintf(buf, buflen, _("a record of type %lld does not fit "
					"in the event; only the part present "
					"was used"), a);
		break;
	case E4ERR_W_RECORD_UNKNOWN:
		snprintf(buf, buflen, _("a record of unknown type %lld was "
					"skipped"), a);
		break;
	case E4ERR_W_RECORD_SHORT:
		snprintf(buf, buflen, _("a record of type %lld is shorter "
					"than its type requires and was "
					"ignored"), a);
		break;
	case E4ERR_W_RECORD_DUPLICATE:
		snprintf(buf, buflen, _("a second record of type %lld was "
					"ignored"), a);
		break;
	case E4ERR_W_VERSION:
		snprintf(buf, buflen, _("unknown version %lld; that part was "
					"not decoded"), a);
		break;
	case E4ERR_W_METADATA_LEN:
		snprintf(buf, buflen, _("the metadata length is %lld, not 24"),
			 a);
		break;
	case E4ERR_W_MASK:
		snprintf(buf, buflen, _("event mask 0x%llx is not the "
					"filesystem error event of this "
					"kernel ABI"), (unsigned long long)a);
		break;
	case E4ERR_W_NEGATIVE_ERROR:
		snprintf(buf, buflen, _("the kernel sent a negative error "
					"(%lld); it is named by its absolute "
					"value"), a);
		break;
	case E4ERR_W_FUNCTION_TRUNCATED:
		snprintf(buf, buflen, _("the function name is longer than "
					"%lld bytes and was cut"), a);
		break;
	case E4ERR_W_HANDLE:
		snprintf(buf, buflen, _("a file handle of unexpected type "
					"%lld or size; no inode was taken "
					"from it"), a);
		break;
	case E4ERR_W_TRAILING:
		snprintf(buf, buflen, P_("%lld byte after the last whole event "
					 "was ignored",
					 "%lld bytes after the last whole "
					 "event were ignored",
					 (unsigned long)a), a);
		break;
	case E4ERR_W_EVENT_LEN:
		snprintf(buf, buflen, _("impossible event length %lld; the "
					"rest of the buffer was skipped"), a);
		break;
	case E4ERR_W_FD:
		snprintf(buf, buflen, _("the event came with open file "
					"descriptor %lld"), a);
		break;
	default:
		snprintf(buf, buflen, _("unknown warning %d (%lld)"),
			 (int)w->code, a);
		break;
	}
	return buf;
}

const char *e4err_abi_name(enum e4err_abi abi)
{
	switch (abi) {
	case E4ERR_ABI_RFC:
		return "rfc";
	case E4ERR_ABI_MAINLINE:
		return "mainline";
	default:
		return "none";
	}
}

int e4err_abi_parse(const char *name, enum e4err_abi *abi)
{
	if (!strcmp(name, "rfc"))
		*abi = E4ERR_ABI_RFC;
	else if (!strcmp(name, "mainline"))
		*abi = E4ERR_ABI_MAINLINE;
	else
		return -1;
	return 0;
}
