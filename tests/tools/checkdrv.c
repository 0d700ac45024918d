/*
 * checkdrv.c --- drive lib/checks (policy, runner, hooks, store) the way
 * the daemon's loop will, from shell tests.
 *
 *   checkdrv --state-dir DIR --e4errd PATH [--config FILE] [--hook-dir DIR]
 *            [--live-poll MS] [--grace MS] [--check-deadline MS] [--systemd]
 *            [--sysfs DIR]
 *
 * (--check-deadline goes below the configuration's one-minute floor, for
 * tests of a check stopped at its deadline; --sysfs points the device
 * facts at a made-up /sys, e.g. one where a loop device is an LVM volume.)
 *
 * A poll() loop over stdin, /proc/self/mountinfo (POLLPRI: filesystems
 * seen and gone, as the daemon follows them) and the descriptors the
 * checks module hands out.  Commands, one per line on stdin:
 *
 *   report WHERE [error=N] [inode=N] [count=N] [verdict=V] [ioerr]
 *                        a kernel report for the filesystem mounted at
 *                        WHERE (or with store key WHERE); V is
 *                        confirmed, not_confirmed, stale or inconclusive;
 *                        in WHERE, \xNN stands for a byte (\x20: space)
 *   replay FILE WHERE    every event of a capture file, as reports
 *   flood WHERE N        N reports in a row
 *   resume               e4err_checks_resume()
 *   wait-mount WHERE S   run until the filesystem mounted at WHERE is
 *                        seen (at most S seconds): "seen WHERE" or
 *                        "unseen WHERE"
 *   wait-idle SECONDS    run until nothing runs or is due: "idle" or
 *                        "timeout"
 *   run MS               run the loop for MS milliseconds
 *   echo TEXT            print TEXT (to know the commands before it ran)
 *   quit                 stop (read-only checks are stopped)
 *
 * Everything the module logs is printed as "log: ...", each command's end
 * as "done CMD"; the output is flushed line by line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

#include "capture.h"
#include "checks.h"
#include "conf.h"
#include "decode.h"
#include "e4err_err.h"
#include "fsmap.h"
#include "store.h"

#define MAX_FDS	64

static const char *prog = "checkdrv";

struct drv {
	struct e4err_config cfg;
	struct e4err_store *store;
	struct e4err_checks *ck;
	struct e4err_fsmap *map;
	int mi_fd;
	char line[4096];
	size_t len;
	bool quit;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_log(void *arg, int prio, const char *msg)
{
	(void)arg;
	printf("log: <%d> %s\n", prio, msg);
	fflush(stdout);
}

/* The store key the daemon uses: the UUID, else "dev:<device>". */
static void key_of(const struct e4err_fs *fs, char *key, size_t len)
{
	if (fs->has_uuid)
		snprintf(key, len, "%s", fs->uuid);
	else
		snprintf(key, len, "dev:%s", fs->devpath ? fs->devpath : fs->source);
}

/*
 * What the daemon knows of a superblock when it first sees a filesystem
 * (here read directly: a test tool may block).
 */
static bool read_sb(const struct e4err_fs *fs, struct e4err_checks_sb *sb)
{
	ext2_filsys e2;

	memset(sb, 0, sizeof(*sb));
	if (!fs->devpath || ext2fs_open2(fs->devpath, NULL,
					 EXT2_FLAG_SUPER_ONLY | EXT2_FLAG_64BITS,
					 0, 0, unix_io_manager, &e2))
		return false;
	sb->has_last_check = true;
	sb->last_check = e2->super->s_lastcheck;
	sb->error_flag = (e2->super->s_state & EXT2_ERROR_FS) != 0;
	ext2fs_close_free(&e2);
	return true;
}

/* Re-read the mount table: new filesystems seen, the rest told. */
static void mounts(struct drv *d)
{
	struct e4err_fsmap *map = NULL;
	struct e4err_store_fs sfs;
	struct e4err_checks_sb sb;
	bool first;
	char key[128];
	size_t i;

	if (e4err_fsmap_load(-1, d->map, &map)) {
		fprintf(stderr, "%s: cannot read the mount table\n", prog);
		return;
	}
	for (i = 0; i < map->nfs; i++) {
		const struct e4err_fs *fs = &map->fs[i];

		key_of(fs, key, sizeof(key));
		memset(&sfs, 0, sizeof(sfs));
		sfs.uuid = key;
		sfs.device = fs->devpath;
		sfs.mountpoint = fs->mountpoint;
		e4err_store_note_fs(d->store, &sfs, 0);
		first = !d->map || !e4err_fsmap_find_dev(d->map, fs->dev);
		e4err_checks_fs_seen(d->ck, key, fs,
				     first && read_sb(fs, &sb) ? &sb : NULL);
	}
	e4err_checks_mounts_changed(d->ck, map);
	e4err_fsmap_free(d->map);
	d->map = map;
}

/* \xNN escapes in place (a mount point with blanks on a command line). */
static void unescape(char *s)
{
	char *o = s;
	unsigned int v;

	while (*s) {
		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* The key of the filesystem mounted at where, or where itself. */
static const char *find_key(struct drv *d, char *where, char *key,
			    size_t len)
{
	struct stat st;
	const struct e4err_fs *fs;

	unescape(where);
	if (where[0] == '/' && stat(where, &st) == 0 &&
	    (fs = e4err_fsmap_find_dev(d->map, st.st_dev))) {
		key_of(fs, key, len);
		return key;
	}
	return where;
}

static bool parse_verdict(const char *s, enum e4err_verdict *v)
{
	static const struct { const char *n; enum e4err_verdict v; } t[] = {
		{ "confirmed", E4ERR_VERDICT_CONFIRMED },
		{ "not_confirmed", E4ERR_VERDICT_NOT_CONFIRMED },
		{ "stale", E4ERR_VERDICT_STALE },
		{ "inconclusive", E4ERR_VERDICT_INCONCLUSIVE },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].n)) {
			*v = t[i].v;
			return true;
		}
	return false;
}

static void cmd_report(struct drv *d, char *args)
{
	struct e4err_checks_report r;
	char *where = strtok(args, " "), *tok, key[128];
	errcode_t retval;

	memset(&r, 0, sizeof(r));
	while ((tok = strtok(NULL, " "))) {
		if (!strncmp(tok, "error=", 6)) {
			r.has_error = true;
			r.error = atoi(tok + 6);
		} else if (!strncmp(tok, "inode=", 6)) {
			r.has_inode = true;
			r.inode = strtoull(tok + 6, NULL, 10);
		} else if (!strncmp(tok, "count=", 6)) {
			r.error_count = (uint32_t)atoi(tok + 6);
		} else if (!strncmp(tok, "verdict=", 8)) {
			r.has_verdict = parse_verdict(tok + 8, &r.verdict);
		} else if (!strcmp(tok, "ioerr")) {
			r.inspect_io_error = true;
		}
	}
	if (!where)
		return;
	retval = e4err_checks_report(d->ck, find_key(d, where, key, sizeof(key)),
				     &r);
	if (retval)
		printf("error: report: %s\n", error_message(retval));
}

static void cmd_flood(struct drv *d, char *args)
{
	char *where = strtok(args, " "), *n = strtok(NULL, " "), buf[512];
	long i, count = n ? atol(n) : 0;

	for (i = 0; where && i < count; i++) {
		snprintf(buf, sizeof(buf), "%s error=117 inode=%ld verdict=%s",
			 where, 12 + i % 7, i % 3 ? "not_confirmed" : "confirmed");
		cmd_report(d, buf);
	}
}

static void cmd_replay(struct drv *d, char *args)
{
	char *file = strtok(args, " "), *where = strtok(NULL, " "), key[128];
	struct e4err_capture_reader *rd = NULL;
	struct e4err_capture_record rec;
	struct e4err_checks_report r;
	struct e4err_decoder dec;
	struct e4err_event ev;
	unsigned long n = 0;
	int eof = 0;
	FILE *f;

	if (!file || !where || !(f = fopen(file, "rb"))) {
		printf("error: replay: cannot open %s\n", file ? file : "?");
		return;
	}
	if (e4err_capture_open(f, &rd) == 0) {
		while (e4err_capture_read(rd, &rec, &eof) == 0 && !eof) {
			e4err_decoder_init(&dec, rec.abi, rec.data, rec.len);
			while (e4err_decode_next(&dec, &ev) == 1) {
				memset(&r, 0, sizeof(r));
				r.has_error = ev.has_error;
				r.error = ev.error;
				r.error_count = ev.has_error_count ?
						ev.error_count : 1;
				r.has_inode = ev.has_inode &&
					      !ev.inode_is_placeholder;
				r.inode = ev.inode;
				r.has_verdict = true;
				r.verdict = E4ERR_VERDICT_INCONCLUSIVE;
				e4err_checks_report(d->ck, find_key(d, where, key,
						    sizeof(key)), &r);
				n++;
			}
		}
		e4err_capture_close(rd);
	}
	fclose(f);
	printf("replayed %lu events\n", n);
}

/* ---- the loop ---- */

static void command(struct drv *d, char *line);

static void read_input(struct drv *d)
{
	ssize_t n;
	char *nl;

	n = read(0, d->line + d->len, sizeof(d->line) - 1 - d->len);
	if (n <= 0) {
		d->quit = true;
		return;
	}
	d->len += (size_t)n;
	d->line[d->len] = '\0';
	while ((nl = strchr(d->line, '\n'))) {
		*nl = '\0';
		command(d, d->line);
		memmove(d->line, nl + 1, d->len - (size_t)(nl + 1 - d->line) + 1);
		d->len -= (size_t)(nl + 1 - d->line);
	}
}

/* One round of poll(); stdin only when read_stdin. */
static void step(struct drv *d, int max_ms, bool read_stdin)
{
	struct pollfd fds[MAX_FDS];
	size_t n = 0, k;
	int t = e4err_checks_timeout_ms(d->ck);

	if (read_stdin)
		fds[n++] = (struct pollfd){ 0, POLLIN, 0 };
	fds[n++] = (struct pollfd){ d->mi_fd, POLLPRI, 0 };
	k = e4err_checks_pollfds(d->ck, fds + n, MAX_FDS - n);
	n += k < MAX_FDS - n ? k : MAX_FDS - n;
	if (t < 0 || (max_ms >= 0 && t > max_ms))
		t = max_ms;
	if (poll(fds, n, t) < 0 && errno != EINTR)
		return;
	if (read_stdin && fds[0].revents)
		read_input(d);
	if (fds[read_stdin ? 1 : 0].revents & (POLLPRI | POLLERR)) {
		printf("mounts changed\n");
		fflush(stdout);
		mounts(d);
	}
	e4err_checks_process(d->ck, fds, n);
}

static void run_for(struct drv *d, uint64_t ms)
{
	uint64_t end = mono_ms() + ms, now;

	while ((now = mono_ms()) < end)
		step(d, (int)(end - now), false);
}

static void wait_idle(struct drv *d, uint64_t ms)
{
	uint64_t end = mono_ms() + ms, now;

	while ((now = mono_ms()) < end) {
		if (e4err_checks_idle(d->ck)) {
			printf("idle\n");
			return;
		}
		step(d, (int)(end - now) < 200 ? (int)(end - now) : 200, false);
	}
	printf("timeout\n");
}

static void wait_mount(struct drv *d, char *args)
{
	char *where = strtok(args, " "), *secs = strtok(NULL, " "), key[128];
	uint64_t end = mono_ms() + (secs ? (uint64_t)atol(secs) * 1000 : 10000);
	const char *k;

	if (!where)
		return;
	do {
		k = find_key(d, where, key, sizeof(key));
		if (k == key) {
			printf("seen %s\n", where);
			return;
		}
		step(d, 100, false);
	} while (mono_ms() < end);
	printf("unseen %s\n", where);
}

static void command(struct drv *d, char *line)
{
	char *args = strchr(line, ' ');

	if (args)
		*args++ = '\0';
	else
		args = line + strlen(line);
	if (!strcmp(line, "report"))
		cmd_report(d, args);
	else if (!strcmp(line, "flood"))
		cmd_flood(d, args);
	else if (!strcmp(line, "replay"))
		cmd_replay(d, args);
	else if (!strcmp(line, "wait-mount"))
		wait_mount(d, args);
	else if (!strcmp(line, "resume"))
		e4err_checks_resume(d->ck);
	else if (!strcmp(line, "wait-idle"))
		wait_idle(d, (uint64_t)atol(args) * 1000);
	else if (!strcmp(line, "run"))
		run_for(d, (uint64_t)atol(args));
	else if (!strcmp(line, "echo"))
		printf("%s\n", args);
	else if (!strcmp(line, "quit"))
		d->quit = true;
	else if (line[0])
		printf("error: unknown command %s\n", line);
	printf("done %s\n", line);
	fflush(stdout);
}

/* ---- setup ---- */

struct args {
	const char *state_dir, *e4errd, *config, *hook_dir, *sysfs;
	uint64_t live_poll, grace, deadline;
	bool systemd;
};

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "state-dir", required_argument, NULL, 's' },
		{ "e4errd", required_argument, NULL, 'e' },
		{ "config", required_argument, NULL, 'c' },
		{ "hook-dir", required_argument, NULL, 'H' },
		{ "live-poll", required_argument, NULL, 'l' },
		{ "grace", required_argument, NULL, 'g' },
		{ "check-deadline", required_argument, NULL, 'D' },
		{ "sysfs", required_argument, NULL, 'Y' },
		{ "systemd", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's': a->state_dir = optarg; break;
		case 'e': a->e4errd = optarg; break;
		case 'c': a->config = optarg; break;
		case 'H': a->hook_dir = optarg; break;
		case 'l': a->live_poll = strtoull(optarg, NULL, 10); break;
		case 'g': a->grace = strtoull(optarg, NULL, 10); break;
		case 'D': a->deadline = strtoull(optarg, NULL, 10); break;
		case 'Y': a->sysfs = optarg; break;
		case 'S': a->systemd = true; break;
		default: return -1;
		}
	}
	return a->state_dir && a->e4errd ? 0 : -1;
}

static errcode_t setup(struct drv *d, const struct args *a)
{
	struct e4err_config_errors errs;
	struct e4err_checks_options co;
	struct e4err_store_options so;
	errcode_t retval;

	retval = a->config ? e4err_config_load(a->config, &d->cfg, &errs) :
			     e4err_config_init(&d->cfg);
	if (a->config) {
		e4err_config_report(prog, &errs);
		e4err_config_errors_free(&errs);
	}
	if (retval)
		return retval;
	if (a->deadline)
		d->cfg.checks.check_deadline_ms = a->deadline;
	if (a->hook_dir) {
		free(d->cfg.hooks.hook_dir);
		d->cfg.hooks.hook_dir = strdup(a->hook_dir);
	}
	e4err_store_options_init(&so);
	so.state_dir = a->state_dir;
	so.spool_dir = a->state_dir;
	retval = e4err_store_open(&so, &d->store);
	if (retval)
		return retval;
	memset(&co, 0, sizeof(co));
	co.cfg = &d->cfg;
	co.store = d->store;
	co.e4errd_path = a->e4errd;
	co.systemd = a->systemd;
	co.live_poll_ms = a->live_poll;
	co.kill_grace_ms = a->grace;
	co.sysfs = a->sysfs;
	co.log = on_log;
	retval = e4err_checks_new(&co, &d->ck);
	if (retval)
		return retval;
	d->mi_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (d->mi_fd < 0)
		return errno;
	mounts(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct args a;
	struct drv d;
	errcode_t retval;

	memset(&a, 0, sizeof(a));
	memset(&d, 0, sizeof(d));
	add_error_table(&et_e4er_error_table);
	signal(SIGPIPE, SIG_IGN);
	if (parse(argc, argv, &a)) {
		fprintf(stderr, "usage: %s --state-dir DIR --e4errd PATH [--config FILE]"
			" [--hook-dir DIR] [--live-poll MS] [--grace MS] [--systemd]\n",
			prog);
		return 2;
	}
	retval = setup(&d, &a);
	if (retval) {
		com_err(prog, retval, "while setting up");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!d.quit)
		step(&d, -1, true);
	e4err_checks_free(d.ck);
	e4err_store_close(d.store);
	e4err_fsmap_free(d.map);
	e4err_config_free(&d.cfg);
	close(d.mi_fd);
	printf("bye\n");
	return 0;
}
