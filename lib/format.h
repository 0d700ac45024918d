/*
 * format.h --- decoded events for people and for programs.
 *
 * Kernel strings (function, description, later comm and path) are untrusted
 * bytes: the text form escapes every control character and invalid UTF-8
 * so no kernel string can forge a line of output or drive a terminal; the
 * JSON form is valid JSON for any bytes.
 */
#ifndef E4ERR_FORMAT_H
#define E4ERR_FORMAT_H

#include <stdio.h>
#include <jansson.h>

#include "event.h"

/*
 * Escape n bytes of s for a terminal into out (always NUL-terminated).
 * Printable ASCII and valid UTF-8 that is not a control character are kept;
 * everything else becomes \n, \t, \\ or \xNN.  Returns the length the full
 * escaped string needs (like snprintf), so the caller can detect truncation.
 */
size_t e4err_escape_text(char *out, size_t outsz, const char *s, size_t n);

/*
 * A JSON string for n raw bytes: valid UTF-8 is kept, each invalid byte
 * becomes U+FFFD.  Sets *lossy (lossy may be NULL) when anything was
 * replaced.  NULL on ENOMEM.
 */
json_t *e4err_json_bytes(const char *s, size_t n, bool *lossy);

/*
 * A JSON integer for an unsigned 64-bit value; past INT64_MAX (which
 * jansson cannot hold) a decimal string, so the value is never wrong.
 */
json_t *e4err_json_u64(uint64_t v);

/* The event as a JSON object with the documented keys (null when absent). */
json_t *e4err_event_to_json(const struct e4err_event *ev);

/* One JSON object on one line; returns 0 or an errno value. */
int e4err_event_print_json(FILE *f, const struct e4err_event *ev);

/*
 * Any JSON value on one line as e4err_event_print_json writes it (compact,
 * ASCII only), for callers that add keys of their own; 0 or an errno value.
 */
int e4err_json_print(FILE *f, const json_t *obj);

/* A readable block of lines, every kernel string escaped. */
int e4err_event_print_text(FILE *f, const struct e4err_event *ev);

#endif /* E4ERR_FORMAT_H */
