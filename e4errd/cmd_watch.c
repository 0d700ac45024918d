/*
 * cmd_watch.c --- `e4errd watch`: print filesystem error events as the
 * kernel sends them.
 *
 * A foreground loop over poll(): a signalfd (SIGINT, SIGTERM) and what
 * follow.c watches (the mount table, its after-error re-read timer, the
 * fanotify groups of the source).  Each read is captured first
 * (--capture), then decoded and printed with the mount point it belongs
 * to.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <syslog.h>

#include <et/com_err.h>
#include <jansson.h>

#include "cmd.h"
#include "capture.h"
#include "decode.h"
#include "e4err_err.h"
#include "follow.h"
#include "format.h"
#include "fsmap.h"
#include "nls.h"
#include "source.h"

/* Room for one escaped mount point or device path in a message. */
#define ESC_MAX		(4 * PATH_MAX + 1)

struct watch {
	bool json;
	const char *capture_path;
	FILE *capture;

	struct follow follow;	/* source, mount table, re-read timer */
	int signal_fd;
	errcode_t failed;	/* stop the loop: something went wrong */
};

static const struct option long_options[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "capture", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s watch [--json] [--capture FILE] "
		     "[MOUNTPOINT...]\n\n"), program_name);
	fputs(_("Print ext4 error events as the kernel reports them, until "
		"interrupted.\nWithout MOUNTPOINT, watch every filesystem served "
		"by the ext4 driver and\nfollow mounts and unmounts.\n\n"), f);
	fputs(_("  -j, --json          one JSON object per event per line\n"
		"  -c, --capture FILE  also record every raw read in FILE\n"
		"  -h, --help          show this help and exit\n"
		"  -V, --version       show the version and exit\n"), f);
}

/* s escaped for a message line (mount points may hold newlines). */
static const char *esc(char *buf, const char *s)
{
	e4err_escape_text(buf, ESC_MAX, s, strlen(s));
	return buf;
}

/* follow.c's messages: "e4errd: " and the message on stderr. */
static void say(void *arg, int prio, const char *msg)
{
	fprintf(stderr, "%s: %s\n", program_name, msg);
}

/* ---- events --------------------------------------------------------------- */

static json_t *json_str(const char *s)
{
	bool lossy;

	return s ? e4err_json_bytes(s, strlen(s), &lossy) : json_null();
}

static int print_json(const struct e4err_event *ev,
		      const struct e4err_source_mark *mark)
{
	json_t *obj = e4err_event_to_json(ev);
	int r;

	if (!obj)
		return ENOMEM;
	if (json_object_set_new(obj, "mountpoint",
				json_str(mark ? mark->mountpoint : NULL)) ||
	    json_object_set_new(obj, "device",
				json_str(mark ? mark->device : NULL))) {
		json_decref(obj);
		return ENOMEM;
	}
	r = e4err_json_print(stdout, obj);
	json_decref(obj);
	return r;
}

static int print_text(const struct e4err_event *ev,
		      const struct e4err_source_mark *mark)
{
	char a[ESC_MAX], b[ESC_MAX];

	if (mark)
		printf(_("%s (%s%s): "), esc(a, mark->mountpoint),
		       esc(b, mark->device),
		       mark->gone ? _(", unmounted") : "");
	else
		fputs(_("(unknown filesystem): "), stdout);
	return e4err_event_print_text(stdout, ev);
}

/* Close any descriptor an event brought along, printed or not. */
static void close_event_fds(const struct e4err_event *ev)
{
	if (ev->fd >= 0)
		close(ev->fd);
	if (ev->has_pidfd && ev->pidfd >= 0)
		close(ev->pidfd);
}

static int print_event(struct watch *w, uint32_t group,
		       const struct e4err_event *ev)
{
	const struct e4err_source_mark *mark;

	/* errors=remount-ro shows up in mountinfo with no POLLPRI. */
	if (!ev->skipped && !ev->overflow)
		follow_error_seen(&w->follow);
	mark = e4err_source_attribute(w->follow.src, group, ev->has_fsid,
				      ev->fsid);
	return w->json ? print_json(ev, mark) : print_text(ev, mark);
}

/* One read of a group (from follow.c): capture, decode, print. */
static errcode_t got_data(void *arg, const struct e4err_source_data *data)
{
	struct watch *w = arg;
	struct e4err_decoder d;
	struct e4err_event ev;
	errcode_t retval;
	int r = 0;

	if (w->capture) {
		retval = e4err_capture_write(w->capture, data->abi,
					     data->time_ns, data->group,
					     data->buf, (uint32_t) data->len);
		if (retval) {
			com_err(program_name, retval, _("while writing to %s"),
				w->capture_path);
			w->failed = retval;
		}
	}
	e4err_decoder_init(&d, data->abi, data->buf, data->len);
	while (e4err_decode_next(&d, &ev) == 1) {
		if (!r)
			r = print_event(w, data->group, &ev);
		close_event_fds(&ev);
	}
	if (!r && fflush(stdout))
		r = errno;
	if (r) {
		com_err(program_name, r, _("while writing events"));
		w->failed = r;
	}
	return w->failed;
}

static const struct follow_ops watch_ops = {
	.say = say,
	.data = got_data,
};

/* ---- set-up and the loop -------------------------------------------------- */

static errcode_t open_capture(struct watch *w)
{
	errcode_t retval;
	int fd;

	/* O_NOFOLLOW: root writing into a shared directory. */
	fd = open(w->capture_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
		  O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	w->capture = fdopen(fd, "wb");
	if (!w->capture) {
		retval = errno;
		close(fd);
		return retval;
	}
	return e4err_capture_write_header(w->capture);
}

static errcode_t open_signals(struct watch *w)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return errno;
	w->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return w->signal_fd < 0 ? errno : 0;
}

/* The fds to poll: signals, then what follow.c watches. */
static void loop(struct watch *w)
{
	struct pollfd pfd[1 + FOLLOW_FIXED_FDS + FOLLOW_MAX_GROUPS];
	uint32_t ids[FOLLOW_FIXED_FDS + FOLLOW_MAX_GROUPS];
	size_t n;

	while (!w->failed && !w->follow.failed) {
		pfd[0] = (struct pollfd) { .fd = w->signal_fd, .events = POLLIN };
		n = follow_fill(&w->follow, pfd + 1, ids,
				sizeof(ids) / sizeof(ids[0]));
		if (poll(pfd, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			w->failed = errno;
			com_err(program_name, errno, _("while waiting for events"));
			return;
		}
		if (pfd[0].revents)
			return;
		follow_dispatch(&w->follow, pfd + 1, ids, n);
	}
}

static void cleanup(struct watch *w)
{
	if (w->capture && fclose(w->capture))
		com_err(program_name, errno, _("while closing %s"),
			w->capture_path);
	follow_cleanup(&w->follow);
	if (w->signal_fd >= 0)
		close(w->signal_fd);
}

/* Options into *w; returns the index of the first mount point. */
static int parse_options(struct watch *w, int argc, char **argv)
{
	char opt[3] = "-?";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jc:hV", long_options,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			w->json = true;
			break;
		case 'c':
			w->capture_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(E4ERR_EXIT_OK);
		case 'V':
			print_version(stdout);
			exit(E4ERR_EXIT_OK);
		case ':':
			exit(cli_usage_error("watch", _("option '%s' needs an argument"),
				    argv[optind - 1]));
		default:
			opt[1] = (char) optopt;
			exit(cli_usage_error("watch", _("unknown option '%s'"),
				    optopt ? opt : argv[optind - 1]));
		}
	}
	return optind;
}

static errcode_t setup(struct watch *w, char **paths, int npaths)
{
	errcode_t retval;

	retval = follow_setup(&w->follow, &watch_ops, w, paths, npaths);
	if (retval)
		return retval;
	if (w->capture_path && (retval = open_capture(w))) {
		com_err(program_name, retval, _("while creating %s"),
			w->capture_path);
		return retval;
	}
	if ((retval = open_signals(w))) {
		com_err(program_name, retval, _("while setting up signals"));
		return retval;
	}
	return follow_start(&w->follow);
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .signal_fd = -1 };
	errcode_t retval;
	int first;

	first = parse_options(&w, argc, argv);
	/* Line-buffered even into a pipe: a reader sees each event at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	retval = setup(&w, argv + first, argc - first);
	if (!retval)
		loop(&w);
	cleanup(&w);
	if (retval || w.failed || w.follow.failed)
		return E4ERR_EXIT_FAILURE;
	say(NULL, LOG_INFO, _("stopped"));
	return E4ERR_EXIT_OK;
}
