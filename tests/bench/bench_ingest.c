/*
 * bench_ingest.c --- a flood of 1 million mainline error events over
 * 10,000 inodes on 3 filesystems through what the daemon does with each
 * read(2) of its fanotify group, minus inspection: decode every event,
 * attribute it to its filesystem by fsid, copy its initialised bytes,
 * record the read's events in one durable transaction (WAL,
 * synchronous=FULL, default retention of 10,000 events per filesystem),
 * and hand each to the checks (lib/checks.h), which must queue one check
 * per filesystem and attach every later report to it.
 *
 * Built from lib/ pieces, as e4errd/daemon_events.c strings them together
 * (the daemon cannot be fed a stream without a kernel): NOT covered are
 * the daemon's poll loop and read(2), its flood table (which decides
 * inspections, excluded here anyway) and its "recorded" log line per read.
 *
 * Reads are 64 KiB of encoder-made events (tests/common/kenc.c, as Linux
 * 6.18 writes them), made before each read is timed; the reference is
 * decoding the same reads alone.  Peak RSS is the process's maximum
 * resident set (getrusage), which includes the libraries and SQLite's
 * page cache; the RSS before the flood is given next to it.
 *
 * BENCH_INGEST_EVENTS (default 1000000) sets the flood; BENCH_DIR
 * (default /var/tmp) where the scratch database lives.  Prints rows for
 * tests/bench/run-bench.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "checks.h"
#include "conf.h"
#include "decode.h"
#include "kenc.h"
#include "store.h"

#define NFS		3
#define INODES		10000
#define READ_COUNT	(64 * 1024)
#define RAW_MAX		4096
#define TARGET_RATE	200000.0
#define TARGET_RSS_KB	(32 * 1024)

static unsigned char stream[READ_COUNT + KENC_SLACK];

struct bench_fs {
	struct e4err_store_fs sfs;
	struct e4err_fs fs;
	char key[40], device[32], mountpoint[32], kname[16];
};

static struct bench_fs bfs[NFS];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static long status_kb(const char *field)
{
	char line[256];
	long kb = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':')
			kb = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return kb;
}

static void setup_fs(void)
{
	for (int i = 0; i < NFS; i++) {
		struct bench_fs *b = &bfs[i];

		snprintf(b->key, sizeof(b->key),
			 "%d0b2f6f0-3f5e-4d3c-9a51-1c2d3e4f5a6b", i);
		snprintf(b->device, sizeof(b->device), "/dev/loop%d", 200 + i);
		snprintf(b->mountpoint, sizeof(b->mountpoint), "/mnt/bench%d", i);
		snprintf(b->kname, sizeof(b->kname), "loop%d", 200 + i);
		b->sfs = (struct e4err_store_fs) {
			.uuid = b->key, .device = b->device,
			.mountpoint = b->mountpoint, .kname = b->kname,
			.has_fsid = true, .fsid = { 0x1000u + i, 0x2000u + i },
		};
		b->fs = (struct e4err_fs) {
			.dev = makedev(7, 200 + i), .major = 7, .minor = 200 + i,
			.fstype = "ext4", .source = b->device,
			.mountpoint = b->mountpoint, .has_fsid = true,
			.fsid = { 0x1000u + i, 0x2000u + i }, .has_kname = true,
			.devpath = b->device, .has_uuid = true,
		};
		snprintf(b->fs.kname, sizeof(b->fs.kname), "%s", b->kname);
		snprintf(b->fs.uuid, sizeof(b->fs.uuid), "%s", b->key);
	}
}

/* Events first.. into one read's worth of bytes; how many fit. */
static size_t fill(uint64_t first, uint64_t left, size_t *len)
{
	struct kenc_buf b;
	uint64_t i;

	kenc_init(&b, stream, sizeof(stream));
	for (i = 0; i < left; i++) {
		/* 10,000 objects visited in a scattered order */
		uint64_t k = ((first + i) * 7919) % INODES;
		struct kenc_ml_event e = {
			.mask = KENC_FAN_FS_ERROR, .pid = 1000 + (int32_t)(k % 97),
			.fsid = { 0x1000u + (uint32_t)(k % NFS),
				  0x2000u + (uint32_t)(k % NFS) },
			.has_inode = true, .ino = 12 + (uint32_t)k, .gen = 1,
			.error = k % 2 ? 74 : 117, .error_count = 1,
		};

		if (kenc_ml_event(&b, &e) < 0)
			break;
	}
	*len = b.len;
	return (size_t)i;
}

static struct bench_fs *attribute(const struct e4err_event *ev)
{
	for (int i = 0; i < NFS; i++)
		if (ev->has_fsid && !memcmp(ev->fsid, bfs[i].sfs.fsid,
					    sizeof(ev->fsid)))
			return &bfs[i];
	return NULL;
}

/* One read through the pipeline; events recorded, or -1. */
static long ingest(struct e4err_store *st, struct e4err_checks *ck, size_t len)
{
	static unsigned char raw[RAW_MAX];
	struct e4err_checks_report rep;
	struct e4err_decoder d;
	struct e4err_event ev;
	struct bench_fs *b;
	uint64_t t = real_ns();
	size_t rawlen;
	long n = 0;

	if (e4err_store_begin(st))
		return -1;
	e4err_decoder_init(&d, E4ERR_ABI_MAINLINE, stream, len);
	while (e4err_decode_next(&d, &ev) == 1) {
		b = attribute(&ev);
		if (!b)
			goto fail;
		rawlen = e4err_event_raw_copy(stream, len, &ev, raw, sizeof(raw));
		if (e4err_store_add_event(st, &b->sfs, &ev, t, raw, rawlen, NULL))
			goto fail;
		memset(&rep, 0, sizeof(rep));
		rep.ev = &ev;
		if (e4err_checks_report(ck, b->key, &rep))
			goto fail;
		n++;
	}
	return e4err_store_commit(st) ? -1 : n;
fail:
	e4err_store_rollback(st);
	return -1;
}

static long decode_only(size_t len)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	long n = 0;

	e4err_decoder_init(&d, E4ERR_ABI_MAINLINE, stream, len);
	while (e4err_decode_next(&d, &ev) == 1) {
		__asm__ volatile("" : : "r"(&ev) : "memory");
		n++;
	}
	return n;
}

/* ---- after the flood: what the store holds -------------------------------- */

struct tally {
	uint64_t events, jobs;
	uint64_t jobs_fs[NFS];
};

static int fs_cb(void *arg, const struct e4err_store_fs_summary *fs)
{
	struct tally *t = arg;

	t->events += fs->events + fs->pruned_events;
	return 0;
}

static int job_cb(void *arg, const struct e4err_store_job_info *j)
{
	struct tally *t = arg;

	if (!strcmp(j->kind, "alert"))
		return 0;
	t->jobs++;
	for (int i = 0; i < NFS; i++)
		if (!strcasecmp(j->fs_uuid, bfs[i].key))
			t->jobs_fs[i]++;
	return 0;
}

static void quiet_log(void *arg, int prio, const char *msg)
{
	(void)arg;
	(void)prio;
	(void)msg;
}

/* ---- main ------------------------------------------------------------------ */

struct run {
	uint64_t events;
	double secs, cpu, decode_secs;
	long rss_before_kb, peak_kb;
	struct tally tally;
};

static int flood(struct e4err_store *st, struct e4err_checks *ck, uint64_t total,
		 struct run *r)
{
	uint64_t done = 0;
	double c0 = cpu_seconds(), t;
	size_t len, n;
	long got;

	r->rss_before_kb = status_kb("VmRSS");
	while (done < total) {
		n = fill(done, total - done, &len);
		t = now();
		got = ingest(st, ck, len);
		r->secs += now() - t;
		if (got != (long)n) {
			fprintf(stderr, "ingest failed after %llu events\n",
				(unsigned long long)done);
			return -1;
		}
		t = now();
		if (decode_only(len) != (long)n)
			return -1;
		r->decode_secs += now() - t;
		done += n;
	}
	r->events = done;
	/* The decode reference ran in this process too: take it out. */
	r->cpu = cpu_seconds() - c0 - r->decode_secs;
	return 0;
}

static int open_all(const char *dir, struct e4err_config *cfg,
		    struct e4err_store **st, struct e4err_checks **ck)
{
	struct e4err_checks_options co;
	struct e4err_store_options so;
	char sysfs[4200];

	e4err_store_options_init(&so);
	so.state_dir = dir;
	so.spool_dir = dir;
	if (e4err_config_init(cfg) || e4err_store_open(&so, st))
		return -1;
	/* An empty /sys: the made-up devices are no LVM volumes. */
	snprintf(sysfs, sizeof(sysfs), "%s/sys", dir);
	memset(&co, 0, sizeof(co));
	co.cfg = cfg;
	co.store = *st;
	co.e4errd_path = "/nonexistent/e4errd";
	co.sysfs = sysfs;
	co.log = quiet_log;
	if (e4err_checks_new(&co, ck))
		return -1;
	for (int i = 0; i < NFS; i++)
		if (e4err_store_note_fs(*st, &bfs[i].sfs, real_ns()) ||
		    e4err_checks_fs_seen(*ck, bfs[i].key, &bfs[i].fs, NULL))
			return -1;
	return 0;
}

static void rows(const struct run *r)
{
	double rate = (double)r->events / r->secs;
	double per_cpu = (double)r->events / r->cpu;
	double dec = (double)r->events / r->decode_secs;
	double peak = (double)r->peak_kb / 1024, before = (double)r->rss_before_kb / 1024;
	bool one_each = r->tally.jobs == NFS;

	for (int i = 0; i < NFS; i++)
		one_each = one_each && r->tally.jobs_fs[i] == 1;
	printf("ingest %llu events, %d inodes, %d fs: decode+store+checks (ev/s)"
	       " | %.0f | decode alone %.0f ev/s | %.3f | >= %.0f: %s\n",
	       (unsigned long long)r->events, INODES, NFS, rate, dec, rate / dec,
	       TARGET_RATE, rate >= TARGET_RATE ? "met" : "MISSED");
	printf("ingest, same flood (ev per CPU-s) | %.0f | wall-clock %.0f ev/s"
	       " | %.2f | -\n", per_cpu, rate, per_cpu / rate);
	printf("ingest, peak RSS | %.1f MiB | before the flood %.1f MiB | %.2f |"
	       " < 32 MiB: %s\n", peak, before, peak / before,
	       r->peak_kb < TARGET_RSS_KB ? "met" : "MISSED");
	printf("ingest, checks queued | %llu | %d filesystems | %.2f | one per"
	       " filesystem: %s\n", (unsigned long long)r->tally.jobs, NFS,
	       (double)r->tally.jobs / NFS, one_each ? "met" : "MISSED");
	printf("ingest: %llu events accounted for in the store (kept + pruned by"
	       " retention), one transaction per 64 KiB read; not covered: the"
	       " daemon's poll loop, read(2), flood table, log line per read\n",
	       (unsigned long long)r->tally.events);
}

int main(void)
{
	const char *base = getenv("BENCH_DIR") ? getenv("BENCH_DIR") : "/var/tmp";
	const char *s = getenv("BENCH_INGEST_EVENTS");
	uint64_t total = s ? strtoull(s, NULL, 10) : 1000000;
	struct e4err_checks *ck = NULL;
	struct e4err_store *st = NULL;
	struct e4err_config cfg = { 0 };
	struct run r = { 0 };
	struct rusage ru;
	char dir[4096], cmd[4200];
	int rc = 1;

	snprintf(dir, sizeof(dir), "%s/e4errd-bench-ingest.XXXXXX", base);
	if (!total || !mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	setup_fs();
	if (open_all(dir, &cfg, &st, &ck)) {
		fprintf(stderr, "cannot set up the store and checks in %s\n", dir);
	} else if (!flood(st, ck, total, &r)) {
		getrusage(RUSAGE_SELF, &ru);
		r.peak_kb = ru.ru_maxrss;
		if (!e4err_store_query_filesystems(st, NULL, fs_cb, &r.tally) &&
		    !e4err_store_query_jobs(st, NULL, NULL, job_cb, &r.tally)) {
			rows(&r);
			rc = r.tally.events == r.events ? 0 : 1;
		}
	}
	if (ck)
		e4err_checks_free(ck);
	if (st)
		e4err_store_close(st);
	e4err_config_free(&cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	return rc;
}
