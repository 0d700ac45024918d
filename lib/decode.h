/*
 * decode.h --- bytes one read(2) of a fanotify descriptor returned, in;
 * struct e4err_event, out.
 *
 * A pure module: no I/O, no allocation, no globals.  The ABI is decided by
 * the caller before a byte is parsed (captures are tagged with it, a live
 * source probes for it).  No length in the buffer is trusted.
 */
#ifndef E4ERR_DECODE_H
#define E4ERR_DECODE_H

#include "event.h"

struct e4err_decoder {
	enum e4err_abi abi;
	const unsigned char *buf;
	size_t len;
	size_t off;
	bool done;
};

/* Start decoding len bytes of buf, written by a kernel of the given ABI. */
void e4err_decoder_init(struct e4err_decoder *d, enum e4err_abi abi,
			const void *buf, size_t len);

/*
 * Decode the next event into *ev.  Returns 1 when *ev was filled (it may
 * be marked skipped, with a warning saying why), 0 at the end of the buffer.
 * Always terminates: every call either advances or ends the buffer.
 */
int e4err_decode_next(struct e4err_decoder *d, struct e4err_event *ev);

/*
 * What an error value means: 0 is EFSCORRUPTED (as ext4 treats it),
 * EUCLEAN is EFSCORRUPTED, EBADMSG is EFSBADCRC, a negative value is named
 * by its absolute value.  Never NULL: unknown values give "E<number>"
 * written into buf (at least 16 bytes).
 */
const char *e4err_error_name(int32_t error, char *buf, size_t buflen);

/* A readable, translated sentence for a warning, written into buf. */
const char *e4err_warning_text(const struct e4err_warning *w, char *buf,
			       size_t buflen);

/* "rfc" / "mainline"; and back (returns 0, or -1 for an unknown name). */
const char *e4err_abi_name(enum e4err_abi abi);
int e4err_abi_parse(const char *name, enum e4err_abi *abi);

/*
 * The bytes of one decoded event (ev, from e4err_decode_next() on buf of
 * len bytes) safe to store or export (decode_raw.c): ev->event_len bytes
 * from ev->offset, with every byte the kernel left uninitialised zeroed --
 * in RFC events the pad byte of the location and fsdata record headers
 * and the function and description bytes after their NUL.  Mainline
 * events are fully initialised and copied as they are.  Copies at most
 * outsz bytes into out and returns how many it copied (0 for an event
 * whose bytes are not all inside buf).
 */
size_t e4err_event_raw_copy(const void *buf, size_t len,
			    const struct e4err_event *ev, void *out,
			    size_t outsz);

#endif /* E4ERR_DECODE_H */
