/*
 * latprobe.c --- live latency of the daemon, from the system call that
 * trips an ext4 error to the event (and the inspection's finding) being
 * durably recorded, next to a minimal fanotify reader's own latency for
 * the same errors and the machine's fdatasync time.
 *
 *   latprobe [options] MOUNTPOINT -- DAEMON COMMAND...
 *     -t, --trigger FILE    /sys/fs/ext4/<dev>/trigger_fs_error: one trip
 *                           per write (an error naming no inode)
 *     -n, --trips N         trips through FILE (default 200)
 *     -s, --stat-list FILE  lines "INODE PATH": one trip per stat(PATH),
 *                           which must fail (a bad inode), naming INODE
 *     -d, --state-dir DIR   the daemon's state directory: the finding of
 *                           each stat trip is waited for in its store
 *     -u, --uuid UUID       the filesystem's key in the store
 *     -f, --fsync-dir DIR   where to time fdatasync (default: state dir)
 *     -w, --warmup N        first N trips of each kind not counted (3)
 *     -g, --gap-ms MS       pause between trips (default 20)
 *
 * The daemon command is started with its stdout and stderr on a pipe read
 * here; it must run in the foreground and log "recorded" lines.
 *
 * What is measured, all on CLOCK_MONOTONIC in this one process:
 *   t0   just before the write(2) or stat(2) that trips the error;
 *   raw  when read(2) returns the event on this process's own fanotify
 *        group (FAN_REPORT_FID, FAN_MARK_FILESYSTEM, FAN_FS_ERROR), read by
 *        a thread blocked in read(2);
 *   rec  when the daemon's "recorded" line for it has arrived on the pipe.
 *        The daemon writes that line only after e4err_store_commit()
 *        returned (WAL, synchronous=FULL: after fdatasync), so rec is an
 *        upper bound of "durably recorded", by a pipe write and a wakeup;
 *   fnd  when a reader of the store first sees the inspection of the
 *        inode.  SQLite makes a WAL commit visible to readers only after
 *        the WAL was synced, so this too is an upper bound, by the poll
 *        interval (POLL_US) and one query.  Polling starts when the
 *        daemon's "inspected" line (logged before the store write) came.
 *
 * Prints rows "name | figure | reference | ratio | target" for
 * tests/bench/run-bench.  Exit status 1 when an error was not seen by the
 * daemon or the reader within TIMEOUT_MS, or the daemon did not start.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "store.h"

#define MAX_TRIPS	100000
#define TIMEOUT_MS	5000
#define POLL_US		100
#define TARGET_MS	2.0
#define LINE_MAX_LEN	8192
#define FSYNC_RUNS	200

#ifndef FAN_EVENT_INFO_TYPE_ERROR
#define FAN_EVENT_INFO_TYPE_ERROR	5
#endif

/* ---- clocks and statistics ------------------------------------------------ */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile (nearest rank) of v[0..n-1]; sorts v. */
static double quantile(double *v, size_t n, double q)
{
	size_t k;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	k = (size_t)(q * (double)n + 0.999999);
	return v[k ? k - 1 : 0];
}

/* ---- the raw reader ------------------------------------------------------- */

struct raw_event {
	double t;
	bool has_inode;
	uint32_t inode;
	uint32_t error_count;
};

static struct {
	int fd;
	_Atomic pid_t tid;
	struct raw_event *ev;
	_Atomic size_t n;	/* events read so far */
	size_t cap;
} raw;

static void raw_parse(const unsigned char *p, size_t len, struct raw_event *e)
{
	struct fanotify_event_info_header h;
	struct file_handle fh;
	size_t off = sizeof(struct fanotify_event_metadata);

	while (off + sizeof(h) <= len) {
		memcpy(&h, p + off, sizeof(h));
		if (h.len < sizeof(h) || off + h.len > len)
			break;
		if (h.info_type == FAN_EVENT_INFO_TYPE_FID &&
		    h.len >= sizeof(h) + 8 + sizeof(fh) + 4) {
			memcpy(&fh, p + off + sizeof(h) + 8, sizeof(fh));
			if (fh.handle_bytes >= 4) {
				memcpy(&e->inode, p + off + sizeof(h) + 8 +
				       sizeof(fh), 4);
				e->has_inode = true;
			}
		} else if (h.info_type == FAN_EVENT_INFO_TYPE_ERROR &&
			   h.len >= sizeof(h) + 8) {
			memcpy(&e->error_count, p + off + sizeof(h) + 4, 4);
		}
		off += h.len;
	}
}

static void *raw_thread(void *arg)
{
	static unsigned char buf[64 * 1024] __attribute__((aligned(8)));
	struct fanotify_event_metadata m;
	ssize_t len;
	size_t off;
	double t;

	(void)arg;
	atomic_store(&raw.tid, gettid());
	for (;;) {
		len = read(raw.fd, buf, sizeof(buf));
		t = now_ms();
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			return NULL;
		for (off = 0; off + sizeof(m) <= (size_t)len; off += m.event_len) {
			size_t i = atomic_load(&raw.n);

			memcpy(&m, buf + off, sizeof(m));
			if (m.event_len < sizeof(m) || off + m.event_len > (size_t)len)
				break;
			if (i == raw.cap)
				continue;
			memset(&raw.ev[i], 0, sizeof(raw.ev[i]));
			raw.ev[i].t = t;
			raw_parse(buf + off, m.event_len, &raw.ev[i]);
			atomic_store(&raw.n, i + 1);
		}
	}
}

static int raw_start(const char *mnt)
{
	pthread_t th;

	raw.cap = MAX_TRIPS;
	raw.ev = calloc(raw.cap, sizeof(*raw.ev));
	raw.fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, O_RDONLY);
	if (!raw.ev || raw.fd < 0) {
		perror("latprobe: fanotify_init");
		return -1;
	}
	if (fanotify_mark(raw.fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
			  FAN_FS_ERROR, AT_FDCWD, mnt)) {
		perror("latprobe: fanotify_mark");
		return -1;
	}
	if (pthread_create(&th, NULL, raw_thread, NULL)) {
		fprintf(stderr, "latprobe: cannot start the reader thread\n");
		return -1;
	}
	pthread_detach(th);
	return 0;
}

/* The reader's event number i, waited for until deadline; NULL: none. */
static const struct raw_event *raw_wait(size_t i, double deadline)
{
	struct timespec pause = { 0, 20000 };

	while (atomic_load(&raw.n) <= i) {
		if (now_ms() > deadline)
			return NULL;
		nanosleep(&pause, NULL);
	}
	return &raw.ev[i];
}

/* ---- the daemon and its log ----------------------------------------------- */

static struct {
	pid_t pid;
	int fd;
	char buf[LINE_MAX_LEN];
	size_t len;
	FILE *copy;		/* every line, for the record (may be NULL) */
} dmn = { .pid = -1, .fd = -1 };

static int daemon_start(char **argv)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		return -1;
	dmn.pid = fork();
	if (dmn.pid < 0)
		return -1;
	if (!dmn.pid) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execvp(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	close(p[1]);
	dmn.fd = p[0];
	return 0;
}

/*
 * The next whole line of the daemon's output (without "\n") into out,
 * with *t the time it was complete; false at the deadline or EOF.
 */
static bool daemon_line(char *out, size_t outlen, double *t, double deadline)
{
	struct pollfd pfd = { .fd = dmn.fd, .events = POLLIN };
	char *nl;
	ssize_t n;
	double left;

	for (;;) {
		nl = memchr(dmn.buf, '\n', dmn.len);
		if (nl || dmn.len == sizeof(dmn.buf) - 1) {
			size_t l = nl ? (size_t)(nl - dmn.buf) : dmn.len;

			snprintf(out, outlen, "%.*s", (int)l, dmn.buf);
			if (dmn.copy)
				fprintf(dmn.copy, "%s\n", out);
			dmn.len -= nl ? l + 1 : l;
			memmove(dmn.buf, dmn.buf + (nl ? l + 1 : l), dmn.len);
			return true;
		}
		left = deadline - now_ms();
		if (left <= 0 || poll(&pfd, 1, (int)left + 1) <= 0)
			return false;
		n = read(dmn.fd, dmn.buf + dmn.len, sizeof(dmn.buf) - 1 - dmn.len);
		*t = now_ms();
		if (n <= 0)
			return false;
		dmn.len += (size_t)n;
	}
}

/* Wait for a line holding both a and b (b may be NULL); its time in *t. */
static bool daemon_wait(const char *a, const char *b, double *t,
			double deadline)
{
	char line[LINE_MAX_LEN];

	while (daemon_line(line, sizeof(line), t, deadline))
		if (strstr(line, a) && (!b || strstr(line, b)))
			return true;
	return false;
}

static void daemon_stop(void)
{
	char line[LINE_MAX_LEN];
	double t;

	if (dmn.pid <= 0)
		return;
	kill(dmn.pid, SIGTERM);
	while (daemon_line(line, sizeof(line), &t, now_ms() + TIMEOUT_MS))
		;
	waitpid(dmn.pid, NULL, 0);
	dmn.pid = -1;
}

/* ---- the store ------------------------------------------------------------ */

struct seen {
	bool inspected;
};

static int inode_cb(void *arg, const struct e4err_store_inode_summary *in)
{
	((struct seen *)arg)->inspected |= in->has_inspection;
	return 0;
}

/* Poll the store until inode has an inspection; its time, or -1. */
static double store_wait(struct e4err_store *rd, const char *uuid,
			 uint64_t inode, double deadline)
{
	struct e4err_store_filter f = { .has_inode = true, .inode = inode };
	struct timespec pause = { 0, POLL_US * 1000 };
	struct seen s = { false };
	double t;

	for (;;) {
		t = now_ms();
		if (e4err_store_query_inodes(rd, uuid, &f, inode_cb, &s))
			return -1;
		if (s.inspected)
			return t;
		if (t > deadline)
			return -1;
		nanosleep(&pause, NULL);
	}
}

/* ---- fdatasync ------------------------------------------------------------ */

/*
 * fdatasync after writing 4 KiB, n times, ms into v[]: overwriting a
 * preallocated 1 MiB file (no metadata to commit), or appending (the file
 * grows: ext4 commits its journal too, as for a growing SQLite WAL).
 */
static int fsync_times(const char *dir, bool append, double *v, size_t n)
{
	static char block[4096];
	char path[4096];
	size_t i;
	int fd;

	snprintf(path, sizeof(path), "%s/latprobe-fsync", dir);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (!append && posix_fallocate(fd, 0, 1 << 20)) || fsync(fd)) {
		perror(path);
		return -1;
	}
	for (i = 0; i < n; i++) {
		off_t off = (off_t)((append ? i : i % 256) * sizeof(block));
		double t0 = now_ms();

		memset(block, (int)i, sizeof(block));
		if (pwrite(fd, block, sizeof(block), off) < 0 || fdatasync(fd)) {
			perror(path);
			break;
		}
		v[i] = now_ms() - t0;
	}
	close(fd);
	unlink(path);
	return i == n ? 0 : -1;
}

/* ---- CPU time ------------------------------------------------------------- */

/* ms a thread spent on a CPU (its schedstat, in ns): -1 if unknown. */
static double cpu_ms(pid_t pid, pid_t tid)
{
	char path[64];
	unsigned long long ns;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid,
		 (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	ok = fscanf(f, "%llu", &ns) == 1;
	fclose(f);
	return ok ? (double)ns / 1e6 : -1;
}

/* ---- trips ---------------------------------------------------------------- */

struct series {
	double *raw, *rec, *fnd;
	size_t n, nfnd;
	double cpu_daemon, cpu_raw;	/* ms over all trips, -1 unknown */
	size_t trips;
};

struct trip {
	bool has_inode;
	uint32_t inode;
	const char *path;	/* NULL: write to the trigger file */
};

struct probe {
	const char *trigger, *stat_list, *state_dir, *uuid, *fsync_dir, *mnt;
	size_t trips, warmup;
	unsigned gap_ms;
	int trigger_fd;
	struct e4err_store *rd;
	size_t raw_next;	/* the reader's next event number */
	unsigned failures;
};

static void series_init(struct series *s, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->raw = calloc(n + 1, sizeof(double));
	s->rec = calloc(n + 1, sizeof(double));
	s->fnd = calloc(n + 1, sizeof(double));
	if (!s->raw || !s->rec || !s->fnd) {
		fprintf(stderr, "latprobe: out of memory\n");
		exit(1);
	}
}

/* Trip the error; false if the system call did not fail as an error does. */
static bool trip_now(struct probe *p, const struct trip *tr)
{
	struct stat st;

	if (!tr->path)
		return write(p->trigger_fd, "latprobe\n", 9) == 9;
	return stat(tr->path, &st) < 0 && errno == EBADMSG;
}

static void one_trip(struct probe *p, const struct trip *tr, bool counted,
		     struct series *s)
{
	char want[64];
	const struct raw_event *re;
	double t0, rec, seen, fnd = -1;

	if (tr->has_inode)
		snprintf(want, sizeof(want), ": inode %u ", tr->inode);
	else
		snprintf(want, sizeof(want), ": no inode ");
	t0 = now_ms();
	if (!trip_now(p, tr)) {
		fprintf(stderr, "latprobe: the trip did not fail (%s)\n",
			tr->path ? tr->path : p->trigger);
		p->failures++;
		return;
	}
	if (!daemon_wait("recorded 1 event on ", want, &rec, t0 + TIMEOUT_MS)) {
		fprintf(stderr, "latprobe: no \"recorded\" line with \"%s\"\n",
			want);
		p->failures++;
		return;
	}
	re = raw_wait(p->raw_next, t0 + TIMEOUT_MS);
	if (!re || re->has_inode != tr->has_inode ||
	    (tr->has_inode && re->inode != tr->inode) || re->error_count != 1) {
		fprintf(stderr, "latprobe: the raw reader %s\n",
			re ? "saw another event" : "saw nothing");
		p->failures++;
		return;
	}
	if (tr->has_inode && p->rd) {
		snprintf(want, sizeof(want), " inode %u: ", tr->inode);
		if (daemon_wait("inspected ", want, &seen, t0 + TIMEOUT_MS))
			fnd = store_wait(p->rd, p->uuid, tr->inode,
					 t0 + TIMEOUT_MS);
		if (fnd < 0) {
			fprintf(stderr, "latprobe: inode %u: no inspection "
				"recorded\n", tr->inode);
			p->failures++;
		}
	}
	if (counted) {
		s->raw[s->n] = re->t - t0;
		s->rec[s->n++] = rec - t0;
		if (fnd >= 0)
			s->fnd[s->nfnd++] = fnd - t0;
	}
}

static void pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* ---- output --------------------------------------------------------------- */

static void rows_for(const char *what, struct series *s)
{
	double raw50, raw99, rec50, rec99, f50, f99;

	if (!s->n)
		return;
	raw50 = quantile(s->raw, s->n, 0.50);
	raw99 = quantile(s->raw, s->n, 0.99);
	rec50 = quantile(s->rec, s->n, 0.50);
	rec99 = quantile(s->rec, s->n, 0.99);
	printf("live latency, %s -> event recorded, p50 (%zu errors) | %.3f ms"
	       " | raw fanotify reader %.3f ms | %.1f | -\n", what, s->n, rec50,
	       raw50, rec50 / raw50);
	printf("live latency, %s -> event recorded, p99 (%zu errors) | %.3f ms"
	       " | raw fanotify reader %.3f ms | %.1f | < %.1f ms: %s\n", what,
	       s->n, rec99, raw99, rec99 / raw99, TARGET_MS,
	       rec99 < TARGET_MS ? "met" : "MISSED");
	if (s->cpu_daemon >= 0 && s->cpu_raw > 0 && s->trips)
		printf("daemon CPU time per error, %s (main thread, without"
		       " inspection children) | %.3f ms | raw reader %.3f ms |"
		       " %.1f | -\n", what, s->cpu_daemon / (double)s->trips,
		       s->cpu_raw / (double)s->trips, s->cpu_daemon / s->cpu_raw);
	printf("%s: event recorded p90 %.3f max %.3f ms; raw reader p90 %.3f"
	       " max %.3f ms\n", what, quantile(s->rec, s->n, 0.90),
	       s->rec[s->n - 1], quantile(s->raw, s->n, 0.90), s->raw[s->n - 1]);
	if (!s->nfnd)
		return;
	f50 = quantile(s->fnd, s->nfnd, 0.50);
	f99 = quantile(s->fnd, s->nfnd, 0.99);
	printf("live latency, %s -> finding recorded, p50 (%zu errors) | %.3f ms"
	       " | event recorded %.3f ms | %.1f | -\n", what, s->nfnd, f50,
	       rec50, f50 / rec50);
	printf("live latency, %s -> finding recorded, p99 (%zu errors) | %.3f ms"
	       " | event recorded %.3f ms | %.1f | -\n", what, s->nfnd, f99,
	       rec99, f99 / rec99);
}

static void fsync_rows(const char *dir)
{
	double v[FSYNC_RUNS], p50, p99;
	int append;

	for (append = 0; append <= 1; append++) {
		if (fsync_times(dir, append, v, FSYNC_RUNS))
			return;
		p50 = quantile(v, FSYNC_RUNS, 0.50);
		p99 = quantile(v, FSYNC_RUNS, 0.99);
		printf("fdatasync after a 4 KiB %s (state dir's fs), p50 | %.3f ms"
		       " | - | - | -\n", append ? "append" : "overwrite", p50);
		printf("fdatasync after a 4 KiB %s (state dir's fs), p99 | %.3f ms"
		       " | p50 %.3f ms | %.1f | -\n",
		       append ? "append" : "overwrite", p99, p50, p99 / p50);
	}
}

/* ---- main ----------------------------------------------------------------- */

static struct trip *read_stat_list(const char *file, size_t *n)
{
	struct trip *t = NULL;
	char line[4200], *path;
	unsigned long ino;
	FILE *f = fopen(file, "re");

	*n = 0;
	if (!f)
		return NULL;
	while (fgets(line, sizeof(line), f) && *n < MAX_TRIPS) {
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%lu", &ino) != 1 || !(path = strchr(line, ' ')))
			continue;
		t = realloc(t, (*n + 1) * sizeof(*t));
		if (!t)
			break;
		t[*n] = (struct trip) { .has_inode = true, .inode = (uint32_t)ino,
					.path = strdup(path + 1) };
		(*n)++;
	}
	fclose(f);
	return t;
}

/* total trips, the first p->warmup not counted; t[0] each time if same. */
static void run_trips(struct probe *p, const char *what, const struct trip *t,
		      size_t total, bool same)
{
	struct series s;
	size_t i;

	double d0 = -1, r0 = -1, d1, r1;

	series_init(&s, total);
	for (i = 0; i < total && p->failures < 10; i++) {
		if (i == p->warmup) {
			d0 = cpu_ms(dmn.pid, dmn.pid);
			r0 = cpu_ms(getpid(), atomic_load(&raw.tid));
		}
		p->raw_next = atomic_load(&raw.n);
		one_trip(p, &t[same ? 0 : i], i >= p->warmup, &s);
		pause_ms(p->gap_ms);
	}
	d1 = cpu_ms(dmn.pid, dmn.pid);
	r1 = cpu_ms(getpid(), atomic_load(&raw.tid));
	s.trips = i > p->warmup ? i - p->warmup : 0;
	s.cpu_daemon = d0 >= 0 && d1 >= 0 ? d1 - d0 : -1;
	s.cpu_raw = r0 >= 0 && r1 >= 0 ? r1 - r0 : -1;
	rows_for(what, &s);
	free(s.raw);
	free(s.rec);
	free(s.fnd);
}

static const struct option long_options[] = {
	{ "trigger", required_argument, NULL, 't' },
	{ "trips", required_argument, NULL, 'n' },
	{ "stat-list", required_argument, NULL, 's' },
	{ "state-dir", required_argument, NULL, 'd' },
	{ "uuid", required_argument, NULL, 'u' },
	{ "fsync-dir", required_argument, NULL, 'f' },
	{ "warmup", required_argument, NULL, 'w' },
	{ "gap-ms", required_argument, NULL, 'g' },
	{ NULL, 0, NULL, 0 }
};

static int parse(struct probe *p, int argc, char **argv)
{
	int c;

	p->trips = 200;
	p->warmup = 3;
	p->gap_ms = 20;
	p->trigger_fd = -1;
	while ((c = getopt_long(argc, argv, "+t:n:s:d:u:f:w:g:", long_options,
				NULL)) != -1) {
		switch (c) {
		case 't': p->trigger = optarg; break;
		case 'n': p->trips = strtoul(optarg, NULL, 10); break;
		case 's': p->stat_list = optarg; break;
		case 'd': p->state_dir = optarg; break;
		case 'u': p->uuid = optarg; break;
		case 'f': p->fsync_dir = optarg; break;
		case 'w': p->warmup = strtoul(optarg, NULL, 10); break;
		case 'g': p->gap_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	/* MOUNTPOINT -- COMMAND... */
	if (argc - optind < 3 || strcmp(argv[optind + 1], "--") ||
	    (p->state_dir && !p->uuid) || !p->trips)
		return -1;
	p->mnt = argv[optind];
	return optind + 2;
}

static int open_reader(struct probe *p)
{
	struct e4err_store_options so;

	e4err_store_options_init(&so);
	so.state_dir = p->state_dir;
	so.spool_dir = p->state_dir;
	so.whoami = "latprobe";
	return e4err_store_open_reader(&so, &p->rd) ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct probe p = { 0 };
	struct trip *list = NULL, trig = { .has_inode = false };
	size_t nlist = 0;
	double t;
	int first;

	first = parse(&p, argc, argv);
	if (first < 0 || (!p.trigger && !p.stat_list)) {
		fprintf(stderr, "Usage: latprobe [--trigger FILE [--trips N]] "
			"[--stat-list FILE] [--state-dir DIR --uuid UUID] "
			"[--fsync-dir DIR] [--warmup N] [--gap-ms MS] "
			"MOUNTPOINT -- DAEMON COMMAND...\n");
		return 16;
	}
	if (p.fsync_dir || p.state_dir)
		fsync_rows(p.fsync_dir ? p.fsync_dir : p.state_dir);
	if (p.trigger && (p.trigger_fd = open(p.trigger, O_WRONLY | O_CLOEXEC)) < 0) {
		perror(p.trigger);
		return 1;
	}
	if (p.stat_list && !(list = read_stat_list(p.stat_list, &nlist))) {
		fprintf(stderr, "latprobe: nothing to stat in %s\n", p.stat_list);
		return 1;
	}
	if (getenv("LATPROBE_LOG"))
		dmn.copy = fopen(getenv("LATPROBE_LOG"), "we");
	if (raw_start(p.mnt) || daemon_start(argv + first))
		return 1;
	if (!daemon_wait("ready", NULL, &t, now_ms() + 10 * TIMEOUT_MS)) {
		fprintf(stderr, "latprobe: the daemon did not get ready\n");
		daemon_stop();
		return 1;
	}
	if (p.state_dir && open_reader(&p)) {
		fprintf(stderr, "latprobe: cannot read the store in %s\n",
			p.state_dir);
		daemon_stop();
		return 1;
	}
	if (p.trigger)
		run_trips(&p, "trigger_fs_error", &trig, p.trips + p.warmup, true);
	if (list)
		run_trips(&p, "stat of a bad inode", list, nlist, false);
	if (p.rd)
		e4err_store_close(p.rd);
	daemon_stop();
	if (p.failures)
		fprintf(stderr, "latprobe: %u trips failed\n", p.failures);
	return p.failures ? 1 : 0;
}
