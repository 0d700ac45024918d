/*
 * status.h --- the daemon's live state, published for `e4errd status`.
 *
 * Owns the status file: a small JSON object the daemon rewrites
 * atomically (write to a temporary file in the same directory, then
 * rename) in its runtime directory, /run/e4errd/status.json by default.
 * It says which kernel ABI is in use, each watched filesystem with its
 * mode (events or counters, and why), its counters, lost reports and last
 * error, whether the kernel log is read, and the inspection queue.
 * Readers never block the daemon and never see a half-written file.
 * Kernel strings in it (function, comm, message) are raw bytes made
 * valid JSON (invalid UTF-8 becomes U+FFFD): escape them for a terminal.
 */
#ifndef E4ERR_STATUS_H
#define E4ERR_STATUS_H

#include <stdbool.h>
#include <stdint.h>
#include <et/com_err.h>
#include <jansson.h>

#include "enrich.h"
#include "event.h"
#include "kmsg.h"

#define E4ERR_STATUS_NAME	"status.json"
#define E4ERR_STATUS_VERSION	1

/* How the caller names one of its filesystems (the enrich cookie). */
struct e4err_status_names {
	const char *mountpoint;
	const char *uuid;
};

struct e4err_status_input {
	enum e4err_abi abi;
	const char *abi_detail;		/* e.g. "Linux 6.18: FAN_FS_ERROR", or NULL */
	const struct e4err_enrich *en;	/* the filesystems; NULL: none */
	const struct e4err_kmsg *kmsg;	/* NULL: the kernel log is not read */
	const char *kmsg_error;		/* why not, or NULL */
	uint64_t started_ms;		/* CLOCK_MONOTONIC at start */
	/* Names of a filesystem cookie; NULL: names unknown. */
	void (*names)(void *arg, const void *fs, struct e4err_status_names *out);
	void *names_arg;
	/* The inspection queue and what was recorded. */
	uint64_t queue_waiting, queue_running;
	uint64_t events_recorded;
	const char *state_dir;		/* where the store is, or NULL */
};

/* The status as JSON (CLOCK_REALTIME seconds for every time). */
json_t *e4err_status_json(const struct e4err_status_input *in);

/*
 * Write it to path atomically (mode 0644; the directory must exist).
 * Returns 0 or an errno value.
 */
errcode_t e4err_status_write(const char *path,
			     const struct e4err_status_input *in);

/*
 * Read a status file: E4ERR_STATUS_FORMAT when it is not one of ours,
 * ENOENT when there is none.  *out is the parsed object.
 */
errcode_t e4err_status_read(const char *path, json_t **out);

#endif /* E4ERR_STATUS_H */
