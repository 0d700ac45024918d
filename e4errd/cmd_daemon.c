/*
 * cmd_daemon.c --- `e4errd daemon`: record every ext4 error report, inspect
 * it read-only, keep the result.
 *
 * This file starts and stops the daemon: options, the configuration file
 * (and its reload on SIGHUP), the capability check, detaching from the
 * terminal, opening the store and the source, readiness, a clean stop on
 * SIGTERM.  The work is in daemon_*.c (daemon.h has the map).
 *
 * Without --foreground it detaches the classic way (fork, setsid, fork,
 * chdir /, standard streams to /dev/null) and the command returns only
 * once the daemon watches its filesystems, with status 0, or 1 when it
 * failed to start (the reasons on stderr and in syslog).  Under systemd,
 * run it with --foreground and Type=notify: it sends READY=1 when ready.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>

#include <et/com_err.h>

#include "cmd.h"
#include "daemon.h"
#include "nls.h"

static const struct option long_options[] = {
	{ "foreground", no_argument, NULL, 'f' },
	{ "config", required_argument, NULL, 'c' },
	{ "state-dir", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s daemon [--foreground] [--config FILE] "
		     "[--state-dir DIR] [MOUNTPOINT...]\n\n"), program_name);
	fputs(_("Record every ext4 error the kernel reports, inspect it "
		"read-only and keep\nthe findings for 'e4errd report'.  Without "
		"MOUNTPOINT (here or in the\nconfiguration), watch every "
		"filesystem served by the ext4 driver and\nfollow mounts and "
		"unmounts.  SIGHUP reloads the configuration, SIGTERM\nstops.\n\n"),
	      f);
	fputs(_("  -f, --foreground     stay in the foreground, log to stderr "
		"too\n"
		"  -c, --config FILE    configuration file (default "
		E4ERR_CONFIG_FILE ")\n"
		"  -s, --state-dir DIR  where the findings database lives\n"
		"  -h, --help           show this help and exit\n"
		"  -V, --version        show the version and exit\n"), f);
}

static void parse_options(struct daemon_options *o, int argc, char **argv)
{
	char opt[3] = "-?";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fc:s:hV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'c':
			o->config_path = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(E4ERR_EXIT_OK);
		case 'V':
			print_version(stdout);
			exit(E4ERR_EXIT_OK);
		case ':':
			exit(cli_usage_error("daemon", _("option '%s' needs an "
					     "argument"), argv[optind - 1]));
		default:
			opt[1] = (char) optopt;
			exit(cli_usage_error("daemon", _("unknown option '%s'"),
					     optopt ? opt : argv[optind - 1]));
		}
	}
	o->paths = argv + optind;
	o->npaths = argc - optind;
}

/* ---- configuration -------------------------------------------------------- */

static const char *config_name(const struct daemon *d)
{
	return d->opt.config_path ? d->opt.config_path : E4ERR_CONFIG_FILE;
}

/* Load the file into *cfg, with --state-dir applied; problems logged. */
static errcode_t load_config(const struct daemon *d, struct e4err_config *cfg)
{
	struct e4err_config_errors errs = { 0 };
	errcode_t retval;
	char *dir;

	retval = e4err_config_load(d->opt.config_path, cfg, &errs);
	if (retval) {
		e4err_config_report(program_name, &errs);
		e4err_config_errors_free(&errs);
		return retval;
	}
	if (d->opt.state_dir) {
		dir = strdup(d->opt.state_dir);
		if (!dir) {
			e4err_config_free(cfg);
			return ENOMEM;
		}
		free(cfg->daemon.state_dir);
		cfg->daemon.state_dir = dir;
	}
	return 0;
}

/* Settings a reload cannot change in a running daemon. */
static void say_restart_needed(const struct e4err_config *old,
			       const struct e4err_config *new)
{
	bool mps = old->daemon.n_mountpoints != new->daemon.n_mountpoints;
	uint32_t i;

	for (i = 0; !mps && i < old->daemon.n_mountpoints; i++)
		mps = strcmp(old->daemon.mountpoints[i],
			     new->daemon.mountpoints[i]) != 0;
	if (strcmp(old->daemon.state_dir, new->daemon.state_dir) ||
	    strcmp(old->daemon.spool_dir, new->daemon.spool_dir))
		dlog(LOG_WARNING, _("state_dir or spool_dir changed: this "
		     "takes effect when e4errd restarts"));
	if (mps)
		dlog(LOG_WARNING, _("mountpoints changed: this takes effect "
		     "when e4errd restarts"));
	if (old->store.max_events_per_fs != new->store.max_events_per_fs ||
	    old->store.max_age_ms != new->store.max_age_ms)
		dlog(LOG_WARNING, _("retention settings changed: they take "
		     "effect when e4errd restarts"));
}

void daemon_reload(struct daemon *d)
{
	struct e4err_config cfg;
	errcode_t retval;

	dnotify("RELOADING=1\nMONOTONIC_USEC=%llu",
		(unsigned long long) mono_ms() * 1000);
	retval = load_config(d, &cfg);
	if (retval) {
		dlog(LOG_ERR, _("reloading %s failed (%s): keeping the "
		     "configuration in use"), config_name(d),
		     error_message(retval));
	} else {
		say_restart_needed(&d->cfg, &cfg);
		e4err_config_free(&d->cfg);
		d->cfg = cfg;
		dlog_set_level(d->cfg.daemon.log_level);
		d->metrics_dirty = true;
		dlog(LOG_INFO, _("configuration reloaded from %s"),
		     config_name(d));
	}
	dnotify("READY=1");
}

/* ---- detaching ------------------------------------------------------------ */

/*
 * The parent waits for one byte from the daemon: 0 when it is ready,
 * anything else (or the pipe closing) when it failed to start.
 */
static void wait_for_daemon(pid_t child, int fd)
{
	unsigned char status = 1;
	ssize_t n;

	do
		n = read(fd, &status, 1);
	while (n < 0 && errno == EINTR);
	waitpid(child, NULL, 0);
	_exit(n == 1 && status == 0 ? E4ERR_EXIT_OK : E4ERR_EXIT_FAILURE);
}

static errcode_t detach(struct daemon *d)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return errno;
	if (pid > 0) {
		close(p[1]);
		wait_for_daemon(pid, p[0]);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(E4ERR_EXIT_FAILURE);
	/* Not a session leader: it can never get a controlling terminal. */
	pid = fork();
	if (pid < 0)
		_exit(E4ERR_EXIT_FAILURE);
	if (pid > 0)
		_exit(E4ERR_EXIT_OK);
	d->ready_fd = p[1];
	umask(077);
	return chdir("/") ? errno : 0;
}

/* Ready: let the waiting parent go, and let go of the terminal. */
static void detached(struct daemon *d)
{
	unsigned char ok = 0;
	int fd;

	if (d->ready_fd < 0)
		return;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	dlog_detached();
	if (write(d->ready_fd, &ok, 1) != 1)
		dlog(LOG_WARNING, _("could not tell the starting command that "
		     "the daemon is ready"));
	close(d->ready_fd);
	d->ready_fd = -1;
}

/* ---- start and stop ------------------------------------------------------- */

static errcode_t open_signals(struct daemon *d)
{
	sigset_t set;

	/* A metrics file on a closed pipe must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return errno;
	d->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return d->signal_fd < 0 ? errno : 0;
}

static errcode_t open_store(struct daemon *d)
{
	struct e4err_store_options so;
	struct e4err_store_info info;
	struct statfs sfs;
	struct stat st;
	errcode_t retval;

	e4err_store_options_init(&so);
	so.state_dir = d->cfg.daemon.state_dir;
	so.spool_dir = d->cfg.daemon.spool_dir;
	so.whoami = program_name;
	so.notice = dlog_store_notice;
	so.retention.max_events_per_fs = d->cfg.store.max_events_per_fs;
	so.retention.max_age_s = d->cfg.store.max_age_ms / 1000;
	retval = e4err_store_open(&so, &d->store);
	if (retval) {
		com_err(program_name, retval, _("while opening the findings "
			"database in %s"), d->cfg.daemon.state_dir);
		return retval;
	}
	d->state_dir = strdup(d->cfg.daemon.state_dir);
	d->spool_dir = strdup(d->cfg.daemon.spool_dir);
	if (!d->state_dir || !d->spool_dir)
		return ENOMEM;
	if (!stat(d->state_dir, &st) && !statfs(d->state_dir, &sfs)) {
		d->has_state_id = true;
		d->state_dev = st.st_dev;
		d->state_ino = st.st_ino;
		memcpy(d->state_fsid, &sfs.f_fsid, sizeof(d->state_fsid));
	}
	e4err_store_get_info(d->store, &info);
	dlog(LOG_INFO, _("recording to %s"), info.spooling ? info.spool_path :
	     info.db_path);
	daemon_spool_check(d);
	return 0;
}

static errcode_t start(struct daemon *d)
{
	char **paths = d->opt.npaths ? d->opt.paths : d->cfg.daemon.mountpoints;
	int npaths = d->opt.npaths ? d->opt.npaths :
		(int) d->cfg.daemon.n_mountpoints;
	errcode_t retval;

	retval = open_signals(d);
	if (retval) {
		com_err(program_name, retval, _("while setting up signals"));
		return retval;
	}
	retval = open_store(d);
	if (!retval)
		retval = daemon_enrich_start(d);
	if (!retval)
		retval = follow_setup(&d->follow, &daemon_follow_ops, d, paths,
				      npaths);
	if (!retval)
		retval = follow_start(&d->follow);
	if (!retval)
		retval = d->failed;
	return retval;
}

static void stop(struct daemon *d)
{
	dnotify("STOPPING=1");
	d->stop = true;		/* nothing new starts */
	daemon_inspect_stop(d);
	daemon_enrich_stop(d);
	daemon_metrics(d, d->metrics_dirty);
	daemon_fs_free_all(d);
	follow_cleanup(&d->follow);
	e4err_store_close(d->store);
	d->store = NULL;
	free(d->state_dir);
	free(d->spool_dir);
	if (d->signal_fd >= 0)
		close(d->signal_fd);
	free(d->zombies);
	e4err_config_free(&d->cfg);
}

static errcode_t prepare(struct daemon *d)
{
	errcode_t retval;

	retval = load_config(d, &d->cfg);
	if (retval)
		return retval;
	dlog_set_level(d->cfg.daemon.log_level);
	retval = daemon_check_caps();
	if (retval)
		return retval;
	if (!d->opt.foreground && (retval = detach(d)))
		com_err(program_name, retval, _("while detaching"));
	return retval;
}

int cmd_daemon(int argc, char **argv)
{
	struct daemon d;
	errcode_t retval;

	memset(&d, 0, sizeof(d));
	d.signal_fd = d.ready_fd = -1;
	d.follow.mountinfo_fd = d.follow.timer_fd = -1;
	parse_options(&d.opt, argc, argv);
	dlog_open();
	retval = prepare(&d);
	if (retval) {
		e4err_config_free(&d.cfg);
		return E4ERR_EXIT_FAILURE;
	}
	retval = start(&d);
	if (!retval) {
		d.ready = true;
		dnotify("READY=1\nSTATUS=%zu filesystems watched",
			e4err_source_nmarks(d.follow.src));
		daemon_metrics(&d, true);
		daemon_status_write(&d, true);
		detached(&d);
		daemon_loop(&d);
	}
	stop(&d);
	if (retval || d.failed) {
		dlog(LOG_ERR, _("stopped after a failure"));
		return E4ERR_EXIT_FAILURE;
	}
	dlog(LOG_INFO, _("stopped"));
	return E4ERR_EXIT_OK;
}
