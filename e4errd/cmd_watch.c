/*
 * cmd_watch.c --- `e4errd watch`: print filesystem error events as the
 * kernel sends them.
 *
 * A foreground loop over poll(): a signalfd (SIGINT, SIGTERM), the
 * mountinfo file (POLLPRI on every mount and unmount), a timerfd armed only
 * while the mount table is to be re-read after an error event, and the
 * fanotify groups of the source.  Each read is captured first (--capture),
 * then decoded and printed with the mount point it belongs to.
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
#include <sys/timerfd.h>
#include <sys/stat.h>

#include <et/com_err.h>
#include <jansson.h>

#include "cmd.h"
#include "capture.h"
#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "fsmap.h"
#include "nls.h"
#include "source.h"

#define MOUNTINFO_PATH	"/proc/self/mountinfo"
/* Room for one escaped mount point or device path in a message. */
#define ESC_MAX		(4 * PATH_MAX + 1)

/*
 * When to look at the mount table again after an error event, in ms.  The
 * kernel sends the event before it aborts the journal, writes the
 * superblock and sets emergency_ro, and none of that raises POLLPRI: look
 * at once, then a little later, then once more for a slow device.
 */
static const unsigned int recheck_ms[] = { 100, 1000, 10000 };
#define NRECHECK	(sizeof(recheck_ms) / sizeof(recheck_ms[0]))

struct watch {
	bool json;
	const char *capture_path;
	FILE *capture;

	/* Filesystems asked for; none means every one, followed. */
	char **want_paths;
	dev_t *want_devs;
	size_t nwant;

	struct e4err_fsmap *map;
	struct e4err_source *src;
	int mountinfo_fd;
	int signal_fd;
	int timer_fd;		/* armed only while re-reads are pending */
	bool refresh;		/* re-read mountinfo before sleeping again */
	bool error_seen;	/* an error event: start the re-read schedule */
	size_t recheck;		/* next step of recheck_ms[] */
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

/* "e4errd: " and a translated message on stderr. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- which filesystems ---------------------------------------------------- */

/*
 * At start, the filesystems the paths given lie on; later, one mounted
 * again where such a filesystem was (a device number is reused by other
 * filesystems, a loop device especially, so it does not count then).
 */
static bool wanted(const struct watch *w, const struct e4err_fs *fs,
		   bool at_start)
{
	size_t i, j;

	if (!w->nwant)
		return true;
	for (i = 0; i < w->nwant; i++) {
		if (at_start && w->want_devs[i] == fs->dev)
			return true;
		for (j = 0; !at_start && j < fs->nmounts; j++)
			if (!strcmp(w->want_paths[i], fs->mounts[j].mountpoint))
				return true;
	}
	return false;
}

/* The filesystem path lies on, or an error saying why it cannot be watched. */
static errcode_t find_wanted(const struct watch *w, const char *path,
			     const struct e4err_fs **fs)
{
	struct stat st;

	*fs = NULL;
	if (stat(path, &st))
		return errno;
	/* Not in the table: another type, or 0xEF53 served by the ext2 driver. */
	*fs = e4err_fsmap_find_dev(w->map, st.st_dev);
	return *fs ? 0 : E4ERR_NOT_EXT4;
}

static errcode_t add_wanted(struct watch *w, char **paths, int n)
{
	const struct e4err_fs *fs;
	errcode_t retval;
	int i;

	w->want_paths = calloc((size_t) n, sizeof(*w->want_paths));
	w->want_devs = calloc((size_t) n, sizeof(*w->want_devs));
	if (!w->want_paths || !w->want_devs)
		return ENOMEM;
	for (i = 0; i < n; i++) {
		retval = find_wanted(w, paths[i], &fs);
		if (retval) {
			com_err(program_name, retval, _("while looking at %s"),
				paths[i]);
			return retval;
		}
		w->want_paths[w->nwant] = strdup(fs->mountpoint);
		if (!w->want_paths[w->nwant])
			return ENOMEM;
		w->want_devs[w->nwant++] = fs->dev;
	}
	return 0;
}

/* ---- marks ---------------------------------------------------------------- */

static void say_watching(const struct e4err_fs *fs, uint32_t group,
			 const char *how)
{
	char a[ESC_MAX], b[ESC_MAX], c[ESC_MAX];

	say(_("%swatching %s (%s, UUID %s%s%s, group %u)"), how,
	    esc(a, fs->mountpoint), esc(b, fs->devpath),
	    fs->has_uuid ? fs->uuid : _("unknown"),
	    fs->backing_file ? _(", backed by ") : "",
	    fs->backing_file ? esc(c, fs->backing_file) : "", group);
}

/* Mark fs; a filesystem that went away meanwhile is only mentioned. */
static errcode_t start_watching(struct watch *w, const struct e4err_fs *fs,
				const char *how)
{
	char a[ESC_MAX];
	uint32_t group;
	errcode_t retval;

	retval = e4err_source_add(w->src, fs, &group);
	if (!retval) {
		say_watching(fs, group, how);
		return 0;
	}
	if (retval == ENOENT || retval == ENODEV ||
	    retval == E4ERR_DEVICE_CHANGED) {
		say(_("%s went away before it could be watched"),
		    esc(a, fs->mountpoint));
		return 0;
	}
	com_err(program_name, retval, _("while marking %s for error events"),
		fs->mountpoint);
	return retval;
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
		w->refresh = w->error_seen = true;
	mark = e4err_source_attribute(w->src, group, ev->has_fsid, ev->fsid);
	return w->json ? print_json(ev, mark) : print_text(ev, mark);
}

/* One read of a group: capture, decode, print.  Returns bytes read. */
static size_t read_group(struct watch *w, uint32_t group)
{
	struct e4err_source_data data;
	struct e4err_decoder d;
	struct e4err_event ev;
	errcode_t retval;
	int r = 0;

	retval = e4err_source_read(w->src, group, &data);
	if (retval) {
		com_err(program_name, retval,
			_("while reading events of group %u"), group);
		w->failed = retval;
		return 0;
	}
	if (!data.len)
		return 0;
	if (w->capture) {
		retval = e4err_capture_write(w->capture, data.abi, data.time_ns,
					     group, data.buf, (uint32_t) data.len);
		if (retval) {
			com_err(program_name, retval, _("while writing to %s"),
				w->capture_path);
			w->failed = retval;
		}
	}
	e4err_decoder_init(&d, data.abi, data.buf, data.len);
	while (e4err_decode_next(&d, &ev) == 1) {
		if (!r)
			r = print_event(w, group, &ev);
		close_event_fds(&ev);
	}
	if (!r && fflush(stdout))
		r = errno;
	if (r) {
		com_err(program_name, r, _("while writing events"));
		w->failed = r;
	}
	return data.len;
}

/* ---- following mounts ----------------------------------------------------- */

/* Groups left with no live mark: read what is queued, then close them. */
static void drain_closing(struct watch *w)
{
	size_t i;
	uint32_t id;
	bool closing;

	for (i = 0; i < e4err_source_ngroups(w->src) && !w->failed; i++) {
		e4err_source_group_fd(w->src, i, &id, &closing);
		if (closing)
			while (read_group(w, id) && !w->failed)
				;
	}
	e4err_source_reap(w->src);
}

static void say_state(const struct e4err_fs *old, const struct e4err_fs *fs)
{
	char a[ESC_MAX];

	if (fs->emergency_ro && !old->emergency_ro)
		say(_("%s is read-only now (emergency_ro after an error)"),
		    esc(a, fs->mountpoint));
	else if (fs->read_only != old->read_only)
		say(fs->read_only ? _("%s is read-only now") :
		    _("%s is read-write now"), esc(a, fs->mountpoint));
}

static errcode_t apply_change(struct watch *w, const struct e4err_fs_change *c)
{
	char a[ESC_MAX], b[ESC_MAX];

	switch (c->kind) {
	case E4ERR_FS_GONE:
		if (!e4err_source_watches(w->src, c->old->dev))
			return 0;
		e4err_source_forget(w->src, c->old->dev);
		say(_("%s was unmounted: no longer watched"),
		    esc(a, c->old->mountpoint));
		return 0;
	case E4ERR_FS_CHANGED:
		say_state(c->old, c->new);
		if (e4err_source_watches(w->src, c->new->dev)) {
			if (strcmp(c->old->mountpoint, c->new->mountpoint))
				say(_("%s is now named by its mount at %s"),
				    esc(a, c->old->mountpoint),
				    esc(b, c->new->mountpoint));
			return e4err_source_rename(w->src, c->new->dev,
						   c->new->mountpoint);
		}
		/* Not watched yet: it went away while we tried before. */
		__attribute__((fallthrough));
	case E4ERR_FS_ADDED:
		if (!wanted(w, c->new, false) ||
		    e4err_source_watches(w->src, c->new->dev))
			return 0;
		return start_watching(w, c->new, _("new filesystem: "));
	}
	return 0;
}

static void refresh(struct watch *w)
{
	struct e4err_fsmap *map;
	struct e4err_fs_change *changes;
	errcode_t retval;
	size_t i, n;

	w->refresh = false;
	retval = e4err_fsmap_load(w->mountinfo_fd, w->map, &map);
	if (!retval)
		retval = e4err_fsmap_diff(w->map, map, &changes, &n);
	if (retval) {
		com_err(program_name, retval, _("while reading %s"),
			MOUNTINFO_PATH);
		e4err_fsmap_free(map);
		w->failed = retval;
		return;
	}
	for (i = 0; i < n && !retval; i++)
		retval = apply_change(w, &changes[i]);
	free(changes);
	e4err_fsmap_free(w->map);
	w->map = map;
	if (retval)
		w->failed = retval;
	else
		drain_closing(w);
}

/* ---- re-reading the mount table after errors ------------------------------ */

/* Arm the timer for step w->recheck of the schedule; disarm past its end. */
static void arm_recheck(struct watch *w)
{
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	unsigned int ms;

	if (w->recheck < NRECHECK) {
		ms = recheck_ms[w->recheck] -
			(w->recheck ? recheck_ms[w->recheck - 1] : 0);
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (long) (ms % 1000) * 1000000L;
	}
	if (timerfd_settime(w->timer_fd, 0, &its, NULL))
		com_err(program_name, errno, _("while arming a timer"));
}

/* The timer fired: look again, and wait for the next step. */
static void recheck_due(struct watch *w)
{
	uint64_t expirations;

	if (read(w->timer_fd, &expirations, sizeof(expirations)) < 0)
		return;
	w->refresh = true;
	w->recheck++;
	arm_recheck(w);
}

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
	if (w->signal_fd < 0)
		return errno;
	w->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	return w->timer_fd < 0 ? errno : 0;
}

/* Probe through a filesystem we are about to watch, "/" if none yet. */
static const char *probe_path(const struct watch *w)
{
	size_t i;

	for (i = 0; i < w->map->nfs; i++)
		if (wanted(w, &w->map->fs[i], true))
			return w->map->fs[i].mountpoint;
	return "/";
}

static errcode_t start(struct watch *w)
{
	enum e4err_abi abi;
	char why[256];
	errcode_t retval;
	size_t i, n;

	retval = e4err_source_probe(probe_path(w), &abi, why, sizeof(why));
	if (retval) {
		com_err(program_name, retval, _("while probing for error "
			"events: %s"), why);
		return retval;
	}
	say(_("using %s"), why);
	retval = e4err_source_open(abi, &w->src);
	if (retval) {
		com_err(program_name, retval, _("while setting up the %s "
			"event source"), e4err_abi_name(abi));
		return retval;
	}
	for (i = 0; i < w->map->nfs && !retval; i++)
		if (wanted(w, &w->map->fs[i], true))
			retval = start_watching(w, &w->map->fs[i], "");
	if (retval)
		return retval;
	n = e4err_source_nmarks(w->src);
	if (!w->nwant)
		say(P_("ready: %zu filesystem watched, following mounts",
		       "ready: %zu filesystems watched, following mounts", n), n);
	else
		say(P_("ready: %zu filesystem watched",
		       "ready: %zu filesystems watched", n), n);
	return 0;
}

/*
 * The fds to poll: signals, mountinfo, the re-read timer, then one per
 * group (its id in ids[]).
 */
#define FIRST_GROUP	3
static size_t fill_pollfds(struct watch *w, struct pollfd *pfd, uint32_t *ids,
			   size_t max)
{
	size_t i, n = FIRST_GROUP;

	pfd[0] = (struct pollfd) { .fd = w->signal_fd, .events = POLLIN };
	pfd[1] = (struct pollfd) { .fd = w->mountinfo_fd, .events = POLLPRI };
	pfd[2] = (struct pollfd) { .fd = w->timer_fd, .events = POLLIN };
	for (i = 0; i < e4err_source_ngroups(w->src) && n < max; i++, n++) {
		pfd[n].fd = e4err_source_group_fd(w->src, i, &ids[n], NULL);
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
	}
	return n;
}

static void loop(struct watch *w)
{
	/* fanotify allows 128 groups per user. */
	struct pollfd pfd[FIRST_GROUP + 128];
	uint32_t ids[FIRST_GROUP + 128];
	size_t i, n;

	while (!w->failed) {
		n = fill_pollfds(w, pfd, ids, sizeof(pfd) / sizeof(pfd[0]));
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			w->failed = errno;
			com_err(program_name, errno, _("while waiting for events"));
			return;
		}
		if (pfd[0].revents)
			return;
		/* Events first: they may belong to a filesystem about to go. */
		for (i = FIRST_GROUP; i < n && !w->failed; i++)
			if (pfd[i].revents)
				read_group(w, ids[i]);
		if (pfd[1].revents)
			w->refresh = true;
		if (pfd[2].revents)
			recheck_due(w);
		/* Draining a closing group may ask for another look. */
		while (w->refresh && !w->failed)
			refresh(w);
		if (w->error_seen) {
			w->error_seen = false;
			w->recheck = 0;
			arm_recheck(w);
		}
	}
}

static void cleanup(struct watch *w)
{
	size_t i;

	if (w->capture && fclose(w->capture))
		com_err(program_name, errno, _("while closing %s"),
			w->capture_path);
	e4err_source_close(w->src);
	e4err_fsmap_free(w->map);
	for (i = 0; i < w->nwant; i++)
		free(w->want_paths[i]);
	free(w->want_paths);
	free(w->want_devs);
	if (w->mountinfo_fd >= 0)
		close(w->mountinfo_fd);
	if (w->signal_fd >= 0)
		close(w->signal_fd);
	if (w->timer_fd >= 0)
		close(w->timer_fd);
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

	w->mountinfo_fd = open(MOUNTINFO_PATH, O_RDONLY | O_CLOEXEC);
	if (w->mountinfo_fd < 0) {
		retval = errno;
		com_err(program_name, retval, _("while opening %s"),
			MOUNTINFO_PATH);
		return retval;
	}
	retval = e4err_fsmap_load(w->mountinfo_fd, NULL, &w->map);
	if (retval) {
		com_err(program_name, retval, _("while reading %s"),
			MOUNTINFO_PATH);
		return retval;
	}
	if (npaths && (retval = add_wanted(w, paths, npaths)))
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
	return start(w);
}

int cmd_watch(int argc, char **argv)
{
	struct watch w = { .mountinfo_fd = -1, .signal_fd = -1, .timer_fd = -1 };
	errcode_t retval;
	int first;

	first = parse_options(&w, argc, argv);
	/* Line-buffered even into a pipe: a reader sees each event at once. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	retval = setup(&w, argv + first, argc - first);
	if (!retval)
		loop(&w);
	cleanup(&w);
	if (retval || w.failed)
		return E4ERR_EXIT_FAILURE;
	say(_("stopped"));
	return E4ERR_EXIT_OK;
}
