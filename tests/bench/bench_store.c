/*
 * bench_store.c --- how many events per second the findings store records
 * durably (WAL, synchronous=FULL), one commit per event and in batches,
 * next to what the disk allows: fdatasync calls per second on a file in
 * the same directory (the floor under any unbatched durable write).
 *
 * Events go to three filesystems and 10,000 inodes with the default
 * retention (10,000 events per filesystem), so the figures include the
 * pruning a long-running daemon does.  The batched rate is also given per
 * CPU-second of this process: on a shared machine the wall-clock rate says
 * as much about the neighbours as about the store.
 *
 * Prints rows for tests/bench/run-bench.  BENCH_SECONDS (default 0.4) is
 * the time spent on each measurement; BENCH_DIR (default /var/tmp) where
 * the scratch database lives, since /tmp may be tmpfs elsewhere.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

#define BATCH		1000
#define TARGET		200000.0	/* ingest target of the proof issue */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds(void)
{
	const char *s = getenv("BENCH_SECONDS");
	double v = s ? atof(s) : 0.4;

	return v > 0 ? v : 0.4;
}

static const struct e4err_store_fs fs[3] = {
	{ .uuid = "0b2f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b", .device = "/dev/loop0",
	  .mountpoint = "/mnt/a", .kname = "loop0" },
	{ .uuid = "1c3f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b", .device = "/dev/loop1",
	  .mountpoint = "/mnt/b", .kname = "loop1" },
	{ .uuid = "2d4f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b", .device = "/dev/loop2",
	  .mountpoint = "/mnt/c", .kname = "loop2" },
};

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void make_event(struct e4err_event *ev, uint64_t i)
{
	memset(ev, 0, sizeof(*ev));
	ev->abi = E4ERR_ABI_MAINLINE;
	ev->mask = 0x8000;
	ev->pid = 1;
	ev->has_error = ev->has_error_count = ev->has_inode = true;
	ev->error = 74;
	ev->error_count = 1;
	ev->inode = 12 + i % 10000;
	ev->has_generation = true;
	ev->generation = 1;
}

/*
 * Events per second, committing every `batch` events; *per_cpu (may be
 * NULL): events per CPU-second.
 */
static double rate(struct e4err_store *st, int batch, double secs,
		   double *per_cpu)
{
	static const unsigned char raw[48];
	struct e4err_event ev;
	double t0 = now(), c0 = cpu_seconds(), t;
	uint64_t n = 0;
	int i;

	do {
		if (batch > 1 && e4err_store_begin(st))
			return -1;
		for (i = 0; i < batch; i++, n++) {
			make_event(&ev, n);
			if (e4err_store_add_event(st, &fs[n % 3], &ev, 0,
						  raw, sizeof(raw), NULL))
				return -1;
		}
		if (batch > 1 && e4err_store_commit(st))
			return -1;
		t = now() - t0;
	} while (t < secs);
	if (per_cpu)
		*per_cpu = (double)n / (cpu_seconds() - c0);
	return (double)n / t;
}

static double fdatasync_rate(const char *dir, double secs)
{
	char path[4200], byte = 'x';
	double t0 = now(), t;
	uint64_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/fdatasync", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	do {
		if (pwrite(fd, &byte, 1, (off_t)(n % 4096)) != 1 || fdatasync(fd))
			break;
		n++;
		t = now() - t0;
	} while (t < secs);
	close(fd);
	unlink(path);
	return (double)n / (now() - t0);
}

int main(void)
{
	const char *base = getenv("BENCH_DIR") ? getenv("BENCH_DIR") : "/var/tmp";
	struct e4err_store_options opt;
	struct e4err_store *st;
	char dir[4096], cmd[4200];
	double secs = seconds(), one, many, sync, cpu = 0;

	snprintf(dir, sizeof(dir), "%s/e4errd-bench.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	e4err_store_options_init(&opt);
	opt.state_dir = dir;
	opt.spool_dir = dir;
	if (e4err_store_open(&opt, &st)) {
		fprintf(stderr, "cannot open a store in %s\n", dir);
		return 1;
	}
	sync = fdatasync_rate(dir, secs);
	one = rate(st, 1, secs, NULL);
	many = rate(st, BATCH, secs, &cpu);
	e4err_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	if (one <= 0 || many <= 0 || sync <= 0)
		return 1;
	printf("store insert, one commit per event (ev/s) | %.0f | %.0f fdatasync/s"
	       " | %.2f | -\n", one, sync, one / sync);
	printf("store insert, %d events per commit (ev/s) | %.0f | %.0f unbatched"
	       " | %.1f | -\n", BATCH, many, one, many / one);
	printf("store insert, %d events per commit (ev per CPU-s) | %.0f | %.0f"
	       " wall-clock ev/s | %.2f | >= %.0f: %s\n", BATCH, cpu, many,
	       cpu / many, TARGET, cpu >= TARGET ? "met" : "NOT met");
	printf("both with journal_mode=WAL, synchronous=FULL, in %s\n", base);
	return 0;
}
