/*
 * conf.h --- the settings of e4errd, read from /etc/e4errd.conf.
 *
 * Owned by conf.c: it reads the INI file with libinih and turns every
 * value into a typed, range-checked field of struct e4err_config.  Nothing
 * outside this module looks at the file's text.  Durations are kept in
 * milliseconds and sizes in bytes; an empty string or list means "off" or
 * "all" where e4errd.conf(5) says so.  Problems are collected, not stopped
 * at: one run reports every bad line.
 */
#ifndef E4ERR_CONF_H
#define E4ERR_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <syslog.h>

#include <et/com_err.h>

/* The file read when no other is named; a missing one means defaults. */
#define E4ERR_CONFIG_FILE	SYSCONFDIR "/e4errd.conf"

/* Larger files are refused rather than read into memory. */
#define E4ERR_CONFIG_MAX_BYTES	(4u << 20)
/* Problems kept in full; beyond this they are only counted. */
#define E4ERR_CONFIG_MAX_ERRORS	50

/* The least important messages e4errd logs; the values are syslog's. */
enum e4err_log_level {
	E4ERR_LOG_ERROR = LOG_ERR,
	E4ERR_LOG_WARNING = LOG_WARNING,
	E4ERR_LOG_NOTICE = LOG_NOTICE,
	E4ERR_LOG_INFO = LOG_INFO,
	E4ERR_LOG_DEBUG = LOG_DEBUG,
};

/* What e2fsck may do to an unmounted filesystem: -n, -p or -y. */
enum e4err_fsck_mode {
	E4ERR_FSCK_READONLY = 0,
	E4ERR_FSCK_PREEN = 1,
	E4ERR_FSCK_REPAIR = 2,
};

/* yes / no / auto (decide from what the machine has). */
enum e4err_tristate {
	E4ERR_AUTO = 0,
	E4ERR_YES = 1,
	E4ERR_NO = 2,
};

struct e4err_config {
	struct {
		char *state_dir;		/* database; never empty */
		char *spool_dir;		/* used while state_dir is not writable */
		char *metrics_file;		/* "" = no metrics */
		char **mountpoints;		/* empty = every ext4-driver filesystem */
		uint32_t n_mountpoints;
		uint64_t flood_window_ms;	/* repeats within it are counted only */
		uint64_t inspect_deadline_ms;
		enum e4err_log_level log_level;
	} daemon;
	struct {
		uint32_t max_events_per_fs;
		uint64_t max_age_ms;		/* 0 = no age limit */
	} store;
	struct {
		uint64_t min_interval_ms;	/* between two checks of one fs */
		enum e4err_fsck_mode offline_fsck_mode;
		uint32_t max_concurrent;
		uint64_t check_deadline_ms;
		enum e4err_tristate use_e2scrub;
		uint32_t escalate_after;	/* 0 = never escalate */
		uint64_t check_output_max;	/* bytes of a check's output kept */
		uint64_t retry_delay_ms;	/* first retry; doubles */
		uint32_t alert_after_failures;	/* 0 = never alert */
	} checks;
	struct {
		char *hook_dir;
		uint64_t hook_deadline_ms;
		uint64_t hook_output_max;	/* bytes */
		char *mail_to;			/* "" = no mail; "a,b@host" */
	} hooks;
	struct {
		bool read_history;		/* also read what the log held at start */
	} kmsg;
};

/* One problem with a configuration file. */
struct e4err_config_error {
	errcode_t code;		/* E4ERR_CONFIG, or an errno for I/O */
	uint32_t line;		/* 0 when it concerns the whole file */
	char *message;		/* names the file, line, key and what is expected */
};

struct e4err_config_errors {
	struct e4err_config_error *list;
	size_t count;
	size_t omitted;		/* further problems, counted but not kept */
};

/*
 * Fill *cfg with the built-in defaults.  Returns 0 or ENOMEM; on failure
 * *cfg holds nothing to free.
 */
errcode_t e4err_config_init(struct e4err_config *cfg);

/*
 * Read a configuration file into *cfg: the defaults, overridden by the file.
 * path NULL means E4ERR_CONFIG_FILE, which may be missing; a file named by
 * the caller must exist.  Returns 0, ENOMEM, or the code of the first
 * problem (E4ERR_CONFIG, or an errno from opening or reading); *errs lists
 * every problem and is freed with e4err_config_errors_free() either way.
 * On failure *cfg holds nothing to free.  The file must be a regular file,
 * owned by root or the caller, and not writable by group or others: it
 * names programs e4errd runs as root.
 */
errcode_t e4err_config_load(const char *path, struct e4err_config *cfg,
			    struct e4err_config_errors *errs);

/*
 * Like e4err_config_load() on bytes in memory (any bytes: NULs and invalid
 * text are reported, never trusted); name is used in messages.
 */
errcode_t e4err_config_parse(const char *name, const char *buf, size_t len,
			     struct e4err_config *cfg,
			     struct e4err_config_errors *errs);

/* Release what *cfg holds and zero it; safe on a zeroed struct. */
void e4err_config_free(struct e4err_config *cfg);

/* Release the problem list and zero it. */
void e4err_config_errors_free(struct e4err_config_errors *errs);

/* Print every problem with com_err(whoami, ...), then how many were left out. */
void e4err_config_report(const char *whoami,
			 const struct e4err_config_errors *errs);

/*
 * Write *cfg as a configuration file that parses back to the same values
 * (for "e4errd config" and debugging).  Returns 0 or errno.
 */
errcode_t e4err_config_print(FILE *f, const struct e4err_config *cfg);

/* True when both hold the same settings (to tell a no-op reload). */
bool e4err_config_equal(const struct e4err_config *a,
			const struct e4err_config *b);

#endif /* E4ERR_CONF_H */
