/*
 * decode_util.h --- shared by the decoder's unit tests, fuzzers and bench:
 * decode a whole buffer, check what any decoded event must satisfy, and a
 * small deterministic PRNG.  No cmocka here (the fuzzers link it too).
 */
#ifndef DECODE_UTIL_H
#define DECODE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "decode.h"

/*
 * Decode every event of buf; the first max are stored in evs (which may be
 * NULL when max is 0).  Returns how many events the decoder produced, or
 * SIZE_MAX if it produced more than len + 1, which no terminating decoder
 * can (every event but the last consumes at least one byte).
 */
size_t decode_all(enum e4err_abi abi, const void *buf, size_t len,
		  struct e4err_event *evs, size_t max);

/*
 * What must hold for any event decoded from len bytes, whatever they were:
 * NULL when all is well, else a sentence naming the broken property.
 */
const char *event_violation(const struct e4err_event *ev, size_t len);

/* Fold every field of ev into a value, so nothing can be optimised away. */
uint64_t event_touch(const struct e4err_event *ev);

/* xorshift64*: deterministic, seeded by the caller (never 0). */
uint64_t test_rand(uint64_t *state);

/* Read a whole file of at most max bytes into buf; -1 on error. */
long read_file_bytes(const char *path, void *buf, size_t max);

#endif /* DECODE_UTIL_H */
