/*
 * decode_raw.c --- the bytes of one event, fit to be stored and exported.
 *
 * The store keeps each event's raw bytes so a decoder fix can be applied
 * to old events.  The RFC kernel builds its location and fsdata records on
 * the stack without clearing them: the pad byte of their headers and the
 * function and description bytes after the NUL are whatever the kernel
 * stack held (DESIGN.md).  Those bytes are zeroed here, never kept.  A
 * record whose layout cannot be followed has everything from it on zeroed:
 * when in doubt, lose bytes rather than leak them.  Mainline events are
 * written from initialised structures and are copied unchanged.
 */
#include "config.h"

#include <string.h>

#include "decode.h"

#define META_LEN		24
#define HDR_LEN			4
#define RFC_REC_LOCATION	4
#define RFC_REC_FSDATA		6
#define RFC_LOCATION_FIXED	8	/* hdr, int line */
#define RFC_FSDATA_FIXED	20	/* hdr, u64 inode, u64 block */

/* Zero the bytes after the first NUL of a string field of n bytes. */
static void zero_after_nul(unsigned char *p, size_t n)
{
	unsigned char *nul = memchr(p, '\0', n);

	if (nul)
		memset(nul, 0, n - (size_t)(nul - p));
}

/* Clean one RFC record of have bytes at p (have >= HDR_LEN). */
static void clean_rfc_record(unsigned char *p, size_t have)
{
	unsigned int type = p[0];

	if (type == RFC_REC_LOCATION) {
		p[1] = 0;
		if (have > RFC_LOCATION_FIXED)
			zero_after_nul(p + RFC_LOCATION_FIXED,
				       have - RFC_LOCATION_FIXED);
	} else if (type == RFC_REC_FSDATA) {
		p[1] = 0;
		if (have > RFC_FSDATA_FIXED)
			zero_after_nul(p + RFC_FSDATA_FIXED,
				       have - RFC_FSDATA_FIXED);
	}
}

/*
 * Walk the records of an RFC event as the decoder does (the last one is
 * clipped at the end of the event) and clean each.
 */
static void clean_rfc(unsigned char *ev, size_t len)
{
	size_t pos = META_LEN, rlen, have;
	uint16_t v;

	while (pos < len) {
		if (len - pos < HDR_LEN)
			break;
		memcpy(&v, ev + pos + 2, sizeof(v));
		rlen = v;
		if (rlen < HDR_LEN)
			break;
		have = rlen < len - pos ? rlen : len - pos;
		clean_rfc_record(ev + pos, have);
		pos += have;
	}
	if (pos < len)
		memset(ev + pos, 0, len - pos);
}

size_t e4err_event_raw_copy(const void *buf, size_t len,
			    const struct e4err_event *ev, void *out,
			    size_t outsz)
{
	size_t n;

	if (!buf || ev->offset > len || ev->event_len > len - ev->offset ||
	    ev->event_len < META_LEN)
		return 0;
	n = ev->event_len < outsz ? ev->event_len : outsz;
	memcpy(out, (const unsigned char *)buf + ev->offset, n);
	if (ev->abi == E4ERR_ABI_RFC)
		clean_rfc(out, n);
	return n;
}
