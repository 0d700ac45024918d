/*
 * sdunit.h --- systemd unit names and systemd-run command lines.
 *
 * Owned by sdunit.c: the path escaping of `systemd-escape --path` (so
 * e4errd starts the very unit e2scrub_all starts, e2scrub@-<escaped>, and
 * one volume is never scrubbed twice at once), its inverse for reading a
 * mount point back from a unit name, and the argument vector that runs a
 * command as a transient service with `systemd-run`, so checks and hooks
 * never inherit the daemon's sandbox.  No I/O: strings in, strings out.
 */
#ifndef E4ERR_SDUNIT_H
#define E4ERR_SDUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <et/com_err.h>

/* systemd refuses longer unit names (UNIT_NAME_MAX less the NUL). */
#define E4ERR_UNIT_NAME_MAX	255

/*
 * What `systemd-escape --path PATH` prints, malloc'd into *out: the path
 * simplified (repeated and trailing slashes dropped), "/" as "-", else the
 * leading slash dropped, slashes become "-", a leading "." and every byte
 * outside [A-Za-z0-9:_.] become \xNN.  EINVAL for a relative path or one
 * with a ".." component (systemd-escape refuses those too).
 */
errcode_t e4err_systemd_escape_path(const char *path, char **out);

/*
 * The unit e2scrub_all starts for a mount point: "e2scrub@-.service" for
 * "/", else "e2scrub@-" + escape_path + ".service".  E2BIG when the name
 * would be longer than systemd allows.
 */
errcode_t e4err_e2scrub_unit_name(const char *mountpoint, char **unit);

/*
 * The reverse, as systemd's %I does it: the instance of an
 * e2scrub@INSTANCE.service name unescaped ("-" is "/", \xNN a byte).
 * EINVAL when unit is not such a name or does not give an absolute path.
 */
errcode_t e4err_e2scrub_unit_mountpoint(const char *unit, char **mountpoint);

/* A unit name part from any bytes (a hook's file name, say): escaped. */
errcode_t e4err_systemd_escape(const char *s, char **out);

/* How to run a command as its own transient service. */
struct e4err_sdrun {
	const char *unit;		/* unit name, ".service" added if missing */
	const char *description;	/* or NULL */
	uint64_t runtime_max_ms;	/* RuntimeMaxSec=; 0: none (repairs) */
	uint64_t stop_timeout_ms;	/* TimeoutStopSec=; 0: systemd's default */
	bool no_sigkill;		/* SendSIGKILL=no: repairs */
	const char *const *env;		/* "NAME=value" each, or NULL */
	const char *const *argv;	/* the command; argv[0] absolute */
};

/*
 * The argument vector of `systemd-run --wait --pipe --collect ...
 * -- COMMAND`, malloc'd (free with e4err_argv_free).  "$" in the command
 * is doubled: systemd would expand $NAME in ExecStart=.  Environment
 * values must be valid UTF-8 without control characters (D-Bus and
 * systemd refuse others): EINVAL otherwise; pass them escaped.
 */
errcode_t e4err_sdrun_argv(const struct e4err_sdrun *run, char ***argv);
void e4err_argv_free(char **argv);

/*
 * From what `systemd-run --wait` printed (its output holds the service's
 * too, it is the last such lines that count) and its own exit status:
 * how the service's main process ended.  False when systemd-run said
 * nothing about it (it failed before or while starting the unit).
 * *timed_out: systemd stopped it at RuntimeMaxSec= ("result: timeout").
 */
bool e4err_sdrun_outcome(const char *out, size_t len, bool *exited,
			 int *status, bool *signaled, int *sig,
			 bool *timed_out);

#endif /* E4ERR_SDUNIT_H */
