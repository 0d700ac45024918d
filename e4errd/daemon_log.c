/*
 * daemon_log.c --- how the daemon speaks: syslog (journald picks it up),
 * stderr as well in the foreground or until it has detached, com_err
 * routed there, readiness and status for systemd, the capabilities check,
 * and the metrics file.
 *
 * A process has one log: its settings are the only static state here.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "format.h"
#include "nls.h"
#include "report.h"

static struct {
	bool to_stderr;
	int level;
} logcfg = { true, LOG_INFO };

static void vlog(int prio, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void vlog(int prio, const char *fmt, va_list ap)
{
	va_list ap2;

	if (prio > logcfg.level)
		return;
	va_copy(ap2, ap);
	vsyslog(prio, fmt, ap);
	if (logcfg.to_stderr) {
		fprintf(stderr, "%s: ", program_name);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
	}
	va_end(ap2);
}

void dlog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(prio, fmt, ap);
	va_end(ap);
}

/* com_err's output, as one log line at error priority. */
static void com_err_to_log(const char *whoami, errcode_t code,
			   const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static void com_err_to_log(const char *whoami, errcode_t code,
			   const char *fmt, va_list ap)
{
	char msg[2048];
	int n = 0;

	(void) whoami;
	if (code)
		n = snprintf(msg, sizeof(msg), "%s ", error_message(code));
	if (n < 0 || (size_t) n >= sizeof(msg))
		n = 0;
	vsnprintf(msg + n, sizeof(msg) - (size_t) n, fmt, ap);
	dlog(LOG_ERR, "%s", msg);
}

void dlog_open(void)
{
	openlog(program_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	logcfg.to_stderr = true;
	set_com_err_hook(com_err_to_log);
}

/* Detached: stderr goes to /dev/null from now on. */
void dlog_detached(void)
{
	logcfg.to_stderr = false;
}

void dlog_set_level(int level)
{
	logcfg.level = level;
}

/* The store's notices (spooling, database moved aside) go to the log. */
void dlog_store_notice(void *arg, errcode_t code, const char *text)
{
	(void) arg;
	if (code)
		dlog(LOG_WARNING, "%s: %s", error_message(code), text);
	else
		dlog(LOG_NOTICE, "%s", text);
}

/* s escaped for a log line: kernel and path strings are untrusted. */
const char *desc(char *buf, size_t len, const char *s)
{
	if (!s)
		s = "?";
	e4err_escape_text(buf, len, s, strlen(s));
	return buf;
}

void dnotify(const char *fmt, ...)
{
#ifdef HAVE_LIBSYSTEMD
	char msg[512];
	va_list ap;

	if (!getenv("NOTIFY_SOCKET"))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sd_notify(0, msg);
#else
	(void) fmt;
#endif
}

uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t) ts.tv_sec * 1000000000ULL + (uint64_t) ts.tv_nsec;
}

/* ---- capabilities --------------------------------------------------------- */

static bool caps_read(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0
	};

	memset(data, 0, 2 * sizeof(*data));
	return syscall(SYS_capget, &hdr, data) == 0;
}

static bool cap_has(const struct __user_cap_data_struct data[2], int cap)
{
	return data[cap / 32].effective & (1U << (cap % 32));
}

static bool dmesg_restricted(void)
{
	FILE *f = fopen("/proc/sys/kernel/dmesg_restrict", "re");
	int v = 0;

	if (!f)
		return false;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v != 0;
}

/*
 * CAP_SYS_ADMIN is required (fanotify filesystem marks).  Reading block
 * devices needs CAP_DAC_READ_SEARCH or CAP_DAC_OVERRIDE, or devices the
 * daemon's user may read: daemon_can_read_devices() says which, and
 * daemon_fs.c checks each device.  CAP_SYSLOG is only warned about.
 */
errcode_t daemon_check_caps(void)
{
	struct __user_cap_data_struct data[2];

	if (!caps_read(data)) {
		com_err(program_name, errno, _("while reading this process's "
			"capabilities"));
		return errno;
	}
	if (!cap_has(data, CAP_SYS_ADMIN)) {
		com_err(program_name, 0, _("missing capability CAP_SYS_ADMIN: "
			"it is needed to place fanotify filesystem marks "
			"(see the daemon section of e4errd(8))"));
		return EPERM;
	}
	if (!cap_has(data, CAP_SYSLOG) && dmesg_restricted())
		dlog(LOG_WARNING, _("missing capability CAP_SYSLOG while "
		     "kernel.dmesg_restrict=1: the kernel log cannot be read "
		     "to complete events"));
	return 0;
}

bool daemon_can_read_devices(void)
{
	struct __user_cap_data_struct data[2];

	return caps_read(data) && (cap_has(data, CAP_DAC_READ_SEARCH) ||
				   cap_has(data, CAP_DAC_OVERRIDE));
}

/* ---- reading the store ---------------------------------------------------- */

/*
 * A reader of the daemon's store for one query, closed right after.  The
 * writer handle is never used to read: its reader would keep the database
 * open on a state directory that went read-only, and an administrator
 * could not unmount it to repair it; nor would it see a spool started
 * after it was opened.
 */
errcode_t daemon_reader(struct daemon *d, struct e4err_store **rd)
{
	struct e4err_store_options so;

	e4err_store_options_init(&so);
	so.state_dir = d->state_dir;
	so.spool_dir = d->spool_dir;
	so.whoami = program_name;
	so.notice = dlog_store_notice;
	return e4err_store_open_reader(&so, rd);
}

/* ---- metrics -------------------------------------------------------------- */

/*
 * Rewrite the metrics file when something changed, at most every
 * DAEMON_METRICS_MIN_MS (the loop wakes for it only while it is due).
 */
void daemon_metrics(struct daemon *d, bool force)
{
	const char *path = d->cfg.daemon.metrics_file;
	uint64_t now = mono_ms();
	struct e4err_store *rd;
	errcode_t retval;

	if (!path || !path[0] || !d->store || (!d->metrics_dirty && !force))
		return;
	if (!force && d->metrics_last_ms &&
	    now - d->metrics_last_ms < DAEMON_METRICS_MIN_MS)
		return;
	d->metrics_dirty = false;
	d->metrics_last_ms = now;
	retval = daemon_reader(d, &rd);
	if (!retval) {
		retval = e4err_report_metrics(rd, path);
		e4err_store_close(rd);
	}
	if (retval)
		com_err(program_name, retval, _("while writing metrics to %s"),
			path);
}
