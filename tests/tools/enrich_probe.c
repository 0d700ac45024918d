/*
 * enrich_probe.c --- the enrich stage on the live kernel, without the
 * daemon: fanotify (lib/source.h) + /dev/kmsg (lib/kmsg.h) + counters and
 * superblocks, correlated by lib/enrich.h; prints JSON lines.
 *
 *   enrich_probe [options] MOUNTPOINT...
 *     -c, --count N        stop after N enriched records (default: timeout)
 *     -t, --timeout SEC    stop after SEC seconds (default 20)
 *     -l, --linger MS      after the count, keep going MS (losses settle)
 *     -p, --pause-ms MS    do not read anything for MS after "ready"
 *         --no-events      place no marks (a kernel without FAN_FS_ERROR)
 *         --ignore-events  mark, but never read the marks' events (a
 *                          kernel that accepts the mark and never sends)
 *         --no-kmsg        do not read the kernel log
 *         --history        read the kernel log from its oldest record
 *         --status FILE    write the status file (lib/status.h) as it goes
 *         --state-dir DIR  first sight against the store in DIR; events,
 *         --spool-dir DIR  enrichments and, at exit, marks recorded there
 *         --no-final-mark  do not record the marks at exit
 *
 * Output, one JSON object per line: {"ready":...} once armed, then
 * {"record":...} per enriched error (key "mountpoint" added), {"news":...}
 * when a mode changes or reports are lost, {"first_sight":...} per
 * filesystem with --state-dir, {"gone":...} when a filesystem leaves the
 * mount table, and at the end {"summary":...} per filesystem and
 * {"kmsg":...}.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <et/com_err.h>
#include <jansson.h>

#include "decode.h"
#include "e4err_err.h"
#include "enrich.h"
#include "format.h"
#include "fsmap.h"
#include "kmsg.h"
#include "source.h"
#include "status.h"
#include "store.h"

#define MAX_FS	16

struct pfs {
	const struct e4err_fs *fs;
	bool marked;
	bool gone;
	uint32_t group;
	int cnt_fd;
};

struct probe {
	struct pfs fs[MAX_FS];
	size_t nfs;
	struct e4err_enrich *en;
	struct e4err_kmsg *km;
	struct e4err_source *src;
	struct e4err_store *store;
	enum e4err_abi abi;
	const char *status_path;
	bool ignore_events;
	bool no_final_mark;
	int mountinfo_fd;
	struct e4err_fsmap *map;
	uint64_t records, events;
	uint64_t started_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void print(json_t *j)
{
	if (j) {
		e4err_json_print(stdout, j);
		fflush(stdout);
		json_decref(j);
	}
}

static struct pfs *by_dev(struct probe *p, dev_t dev)
{
	size_t i;

	for (i = 0; i < p->nfs; i++)
		if (p->fs[i].fs->dev == dev)
			return &p->fs[i];
	return NULL;
}

static struct e4err_store_fs store_view(const struct pfs *f)
{
	struct e4err_store_fs s = {
		.uuid = f->fs->has_uuid ? f->fs->uuid : f->fs->devpath,
		.device = f->fs->devpath, .mountpoint = f->fs->mountpoint,
		.kname = f->fs->has_kname ? f->fs->kname : NULL,
	};
	return s;
}

/* ---- first sight against the store ---------------------------------------- */

struct sum {
	const char *uuid;
	uint64_t n;
};

static int sum_events(void *arg, const struct e4err_store_event_row *ev)
{
	struct sum *s = arg;

	if (!strcmp(ev->fs_uuid, s->uuid) && !(ev->mask & E4ERR_FAN_Q_OVERFLOW))
		s->n += ev->has_error_count && ev->error_count ?
			ev->error_count : 1;
	return 0;
}

static void first_sight(struct probe *p, struct pfs *f)
{
	struct e4err_store_fs sfs = store_view(f);
	struct e4err_store_error_mark mark = { 0 };
	struct e4err_store_filter flt = { .has_since = true, .fs = sfs.uuid };
	struct e4err_first_sight fs;
	struct e4err_sb_errors sb;
	struct sum s = { .uuid = sfs.uuid };
	errcode_t err;

	err = e4err_sb_errors_read(f->fs->devpath, &sb);
	if (!err)
		err = e4err_store_get_error_mark(p->store, sfs.uuid, &mark);
	if (!err && mark.known) {
		flt.since_ns = mark.updated_ns;
		err = e4err_store_query_events(p->store, &flt, sum_events, &s);
	}
	if (err) {
		com_err("enrich_probe", err, "first sight of %s", f->fs->mountpoint);
		return;
	}
	e4err_first_sight(&mark, &sb, s.n, real_ns(), &fs);
	print(json_pack("{s:{s:s,s:b,s:b,s:b,s:i,s:i,s:I}}", "first_sight",
			"mountpoint", f->fs->mountpoint, "reset", fs.reset,
			"first_new", fs.first_new, "last_new", fs.last_new,
			"unrecorded", (int)fs.unrecorded,
			"error_count", (int)sb.error_count, "explained",
			(json_int_t)s.n));
	err = e4err_store_set_error_mark(p->store, &sfs, &fs.mark);
	if (err)
		com_err("enrich_probe", err, "recording the mark of %s",
			f->fs->mountpoint);
}

/* ---- the sources ------------------------------------------------------------ */

static void on_line(void *arg, const struct e4err_klog *l)
{
	struct probe *p = arg;

	e4err_enrich_line(p->en, l, now_ms());
}

static void drain_kmsg(struct probe *p)
{
	errcode_t err;

	if (!p->km)
		return;
	err = e4err_kmsg_read(p->km, 0, on_line, p, NULL);
	if (err)
		com_err("enrich_probe", err, "reading /dev/kmsg");
}

/* As the daemon does: record the event, then enrich it under its name. */
static void record_event(struct probe *p, struct pfs *f,
			 const struct e4err_event *ev)
{
	struct e4err_store_ref ref;
	struct e4err_store_fs sfs;
	errcode_t err;

	if (!p->store || !f || ev->overflow || ev->skipped) {
		e4err_enrich_event(p->en, f, ev, NULL, now_ms());
		return;
	}
	sfs = store_view(f);
	err = e4err_store_add_event(p->store, &sfs, ev, real_ns(), NULL, 0, &ref);
	if (err)
		com_err("enrich_probe", err, "recording an event");
	p->events += !err;
	e4err_enrich_event(p->en, f, ev, err ? NULL : &ref, now_ms());
}

/* At exit: everything the superblock counts now is accounted for. */
static void final_marks(struct probe *p)
{
	struct e4err_first_sight fs;
	struct e4err_store_error_mark none = { 0 };
	struct e4err_store_fs sfs;
	struct e4err_sb_errors sb;
	size_t i;

	for (i = 0; p->store && !p->no_final_mark && i < p->nfs; i++) {
		if (p->fs[i].gone || e4err_sb_errors_read(p->fs[i].fs->devpath, &sb))
			continue;
		e4err_first_sight(&none, &sb, 0, real_ns(), &fs);
		sfs = store_view(&p->fs[i]);
		e4err_store_set_error_mark(p->store, &sfs, &fs.mark);
	}
}

static void read_group(struct probe *p, uint32_t group)
{
	const struct e4err_source_mark *m;
	struct e4err_source_data data;
	struct e4err_decoder dec;
	struct e4err_event ev;
	struct pfs *f;

	/* Lines printed before the event was read are in first. */
	drain_kmsg(p);
	if (e4err_source_read(p->src, group, &data) || !data.len)
		return;
	e4err_decoder_init(&dec, data.abi, data.buf, data.len);
	while (e4err_decode_next(&dec, &ev) == 1) {
		if (ev.fd >= 0)
			close(ev.fd);
		if (ev.has_pidfd && ev.pidfd >= 0)
			close(ev.pidfd);
		if (ev.overflow)
			print(json_pack("{s:b}", "overflow", 1));
		m = e4err_source_attribute(p->src, group, ev.has_fsid, ev.fsid);
		f = m ? by_dev(p, m->dev) : NULL;
		record_event(p, f, &ev);
	}
}

static void read_counter(struct probe *p, struct pfs *f)
{
	uint32_t v;

	if (!e4err_errors_count_read(f->cnt_fd, &v))
		e4err_enrich_counter(p->en, f, v, now_ms());
}

/* A filesystem left the mount table: what waits for it finishes now. */
static void check_mounts(struct probe *p)
{
	struct e4err_fsmap *map = NULL;
	size_t i;

	if (e4err_fsmap_load(-1, NULL, &map))
		return;
	for (i = 0; i < p->nfs; i++) {
		struct pfs *f = &p->fs[i];

		if (f->gone || e4err_fsmap_find_dev(map, f->fs->dev))
			continue;
		f->gone = true;
		print(json_pack("{s:{s:s}}", "gone", "mountpoint",
				f->fs->mountpoint));
		e4err_enrich_fs_gone(p->en, f, now_ms());
		if (f->cnt_fd >= 0)
			close(f->cnt_fd);
		f->cnt_fd = -1;
	}
	e4err_fsmap_free(map);
}

/* ---- output ---------------------------------------------------------------- */

static void pop_all(struct probe *p)
{
	struct e4err_enriched r;
	struct e4err_enrich_fs_info info;
	uint64_t lost;
	json_t *j;

	while (e4err_enrich_pop(p->en, &r)) {
		const struct pfs *f = r.fs;

		j = e4err_enriched_to_json(&r);
		if (j && f)
			json_object_set_new(j, "mountpoint",
					    json_string(f->fs->mountpoint));
		print(json_pack("{s:o}", "record", j));
		if (p->store && f) {
			struct e4err_store_fs sfs = store_view(f);
			errcode_t err = e4err_enrich_store(p->store, &sfs, &r,
							   real_ns());

			if (err)
				com_err("enrich_probe", err, "recording");
		}
		p->records++;
	}
	while (e4err_enrich_news(p->en, &info, &lost)) {
		const struct pfs *f = info.fs;

		print(json_pack("{s:{s:s,s:s,s:s,s:I,s:I}}", "news", "mountpoint",
				f->fs->mountpoint, "mode",
				e4err_fs_mode_name(info.mode.mode), "reason",
				e4err_mode_reason_name(info.mode.reason),
				"new_lost", (json_int_t)lost, "lost_reports",
				(json_int_t)e4err_lost_reports(&info.lost)));
	}
}

static void names(void *arg, const void *fs, struct e4err_status_names *out)
{
	const struct pfs *f = fs;

	(void)arg;
	out->mountpoint = f->fs->mountpoint;
	out->uuid = f->fs->has_uuid ? f->fs->uuid : NULL;
}

static void write_status(struct probe *p)
{
	struct e4err_status_input in = {
		.abi = p->abi, .en = p->en, .kmsg = p->km,
		.started_ms = p->started_ms, .names = names,
		.events_recorded = p->events,
	};
	errcode_t err;

	if (!p->status_path)
		return;
	err = e4err_status_write(p->status_path, &in);
	if (err)
		com_err("enrich_probe", err, "writing %s", p->status_path);
}

static void summary(struct probe *p)
{
	const struct e4err_kmsg_stats *ks;
	struct e4err_enrich_fs_info info;
	size_t i;

	for (i = 0; e4err_enrich_fs_info(p->en, i, &info); i++) {
		const struct pfs *f = info.fs;

		print(json_pack("{s:{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
				"s:I,s:I}}", "summary", "mountpoint",
				f->fs->mountpoint, "mode",
				e4err_fs_mode_name(info.mode.mode), "reason",
				e4err_mode_reason_name(info.mode.reason),
				"counter", (json_int_t)info.counter,
				"pre_watch", (json_int_t)info.lost.pre_watch,
				"reported", (json_int_t)info.lost.reported,
				"counted", (json_int_t)info.lost.counted,
				"uncounted", (json_int_t)info.lost.uncounted,
				"lost_reports", (json_int_t)e4err_lost_reports(&info.lost),
				"lost_lines", (json_int_t)info.lost.lost_lines,
				"events", (json_int_t)info.events,
				"lines", (json_int_t)info.lines,
				"lines_alone", (json_int_t)info.lines_alone));
	}
	if (!p->km)
		return;
	ks = e4err_kmsg_get_stats(p->km);
	print(json_pack("{s:{s:I,s:I,s:I,s:I,s:I,s:I}}", "kmsg",
			"records", (json_int_t)ks->records,
			"lines", (json_int_t)ks->lines,
			"foreign", (json_int_t)ks->foreign,
			"overruns", (json_int_t)ks->overruns,
			"records_lost", (json_int_t)ks->records_lost,
			"partial", (json_int_t)ks->partial));
}

/* ---- set-up ---------------------------------------------------------------- */

static errcode_t add_fs(struct probe *p, const struct e4err_fsmap *map,
			const char *path, bool no_events)
{
	struct pfs *f = &p->fs[p->nfs];
	uint32_t v = 0;
	struct stat st;
	errcode_t err;
	bool has = false;

	if (p->nfs == MAX_FS || stat(path, &st))
		return p->nfs == MAX_FS ? E2BIG : errno;
	f->fs = e4err_fsmap_find_dev(map, st.st_dev);
	if (!f->fs)
		return E4ERR_NOT_EXT4;
	f->cnt_fd = -1;
	if (f->fs->has_kname &&
	    !e4err_errors_count_open(f->fs->kname, &f->cnt_fd))
		has = !e4err_errors_count_read(f->cnt_fd, &v);
	if (p->src && !no_events) {
		err = e4err_source_add(p->src, f->fs, &f->group);
		f->marked = !err;
		if (err)
			com_err("enrich_probe", err, "marking %s", path);
	}
	p->nfs++;
	return e4err_enrich_add_fs(p->en, f, f->fs->has_kname ? f->fs->kname :
				   NULL, f->fs->devpath, f->marked, has, v,
				   now_ms());
}

static errcode_t setup(struct probe *p, char **paths, int n, bool no_events,
		       bool no_kmsg, bool history)
{
	struct e4err_fsmap *map = NULL;
	char why[256];
	errcode_t err;
	int i;

	err = e4err_fsmap_load(-1, NULL, &map);
	if (err)
		return err;
	p->map = map;
	p->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (!no_events && !e4err_source_probe(paths[0], &p->abi, why, sizeof(why)))
		err = e4err_source_open(p->abi, &p->src);
	if (!err)
		err = e4err_enrich_new(p->src != NULL, &p->en);
	for (i = 0; !err && i < n; i++)
		err = add_fs(p, map, paths[i], no_events);
	/* The table stays: the filesystems point into it until exit. */
	if (!err && !no_kmsg)
		err = e4err_kmsg_open(NULL, history, &p->km);
	return err;
}

static size_t fill(struct probe *p, struct pollfd *pfd, uint32_t *ids,
		   struct pfs **cnt)
{
	size_t n = 0, i;

	if (p->km) {
		pfd[n] = (struct pollfd) { e4err_kmsg_fd(p->km), POLLIN, 0 };
		ids[n] = UINT32_MAX, cnt[n++] = NULL;
	}
	if (p->mountinfo_fd >= 0) {
		pfd[n] = (struct pollfd) { p->mountinfo_fd, POLLPRI, 0 };
		ids[n] = UINT32_MAX - 1, cnt[n++] = NULL;
	}
	for (i = 0; p->src && !p->ignore_events &&
	     i < e4err_source_ngroups(p->src); i++) {
		pfd[n] = (struct pollfd) { 0, POLLIN, 0 };
		pfd[n].fd = e4err_source_group_fd(p->src, i, &ids[n], NULL);
		cnt[n++] = NULL;
	}
	for (i = 0; i < p->nfs; i++)
		if (p->fs[i].cnt_fd >= 0) {
			pfd[n] = (struct pollfd) { p->fs[i].cnt_fd, POLLPRI, 0 };
			ids[n] = UINT32_MAX, cnt[n++] = &p->fs[i];
		}
	return n;
}

static void dispatch(struct probe *p, struct pollfd *pfd, uint32_t *ids,
		     struct pfs **cnt, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (cnt[i])
			read_counter(p, cnt[i]);
		else if (ids[i] == UINT32_MAX)
			drain_kmsg(p);
		else if (ids[i] == UINT32_MAX - 1)
			check_mounts(p);
		else
			read_group(p, ids[i]);
	}
	if (e4err_enrich_rescan_wanted(p->en)) {
		print(json_pack("{s:b}", "rescan", 1));
		e4err_enrich_rescan(p->en, now_ms());
	}
}

static int timeout_of(struct probe *p, uint64_t next, uint64_t end)
{
	uint64_t due = end, now = now_ms(), k;

	if (next && next < due)
		due = next;
	k = p->km ? e4err_kmsg_deadline(p->km) : 0;
	if (k && k < due)
		due = k;
	return due <= now ? 0 : (int)(due - now);
}

static void loop(struct probe *p, uint64_t count, uint64_t timeout_ms,
		 uint64_t linger_ms)
{
	struct pollfd pfd[2 + 2 * MAX_FS + 128];
	uint32_t ids[2 + 2 * MAX_FS + 128];
	struct pfs *cnt[2 + 2 * MAX_FS + 128];
	uint64_t end = now_ms() + timeout_ms, next = 0;
	size_t n;

	while (now_ms() < end) {
		n = fill(p, pfd, ids, cnt);
		if (poll(pfd, n, timeout_of(p, next, end)) < 0 && errno != EINTR)
			break;
		dispatch(p, pfd, ids, cnt, n);
		if (p->km && e4err_kmsg_deadline(p->km) &&
		    e4err_kmsg_deadline(p->km) <= now_ms())
			e4err_kmsg_flush(p->km, on_line, p);
		next = e4err_enrich_tick(p->en, now_ms());
		pop_all(p);
		write_status(p);
		if (count && p->records >= count && end > now_ms() + linger_ms)
			end = now_ms() + linger_ms;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "linger", required_argument, NULL, 'l' },
		{ "pause-ms", required_argument, NULL, 'p' },
		{ "no-events", no_argument, NULL, 'E' },
		{ "ignore-events", no_argument, NULL, 'I' },
		{ "no-final-mark", no_argument, NULL, 'M' },
		{ "no-kmsg", no_argument, NULL, 'K' },
		{ "history", no_argument, NULL, 'H' },
		{ "status", required_argument, NULL, 'S' },
		{ "state-dir", required_argument, NULL, 'D' },
		{ "spool-dir", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct probe *p = calloc(1, sizeof(*p));
	struct e4err_store_options so;
	uint64_t count = 0, timeout = 20000, linger = 0, pause = 0;
	bool no_events = false, no_kmsg = false, history = false;
	errcode_t err;
	size_t i;
	int c;

	if (!p)
		return 1;
	add_error_table(&et_e4er_error_table);
	e4err_store_options_init(&so);
	while ((c = getopt_long(argc, argv, "c:t:l:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': count = strtoull(optarg, NULL, 10); break;
		case 't': timeout = strtoull(optarg, NULL, 10) * 1000; break;
		case 'l': linger = strtoull(optarg, NULL, 10); break;
		case 'p': pause = strtoull(optarg, NULL, 10); break;
		case 'E': no_events = true; break;
		case 'I': p->ignore_events = true; break;
		case 'M': p->no_final_mark = true; break;
		case 'K': no_kmsg = true; break;
		case 'H': history = true; break;
		case 'S': p->status_path = optarg; break;
		case 'D': so.state_dir = optarg; break;
		case 'P': so.spool_dir = optarg; break;
		default: return 16;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: enrich_probe [options] MOUNTPOINT...\n");
		return 16;
	}
	p->started_ms = now_ms();
	p->mountinfo_fd = -1;
	err = setup(p, argv + optind, argc - optind, no_events, no_kmsg, history);
	if (!err && so.state_dir)
		err = e4err_store_open(&so, &p->store);
	if (err) {
		com_err("enrich_probe", err, "setting up");
		return 1;
	}
	for (i = 0; p->store && i < p->nfs; i++)
		first_sight(p, &p->fs[i]);
	print(json_pack("{s:b,s:s,s:b}", "ready", 1, "abi",
			p->src ? e4err_abi_name(p->abi) : "none", "kmsg",
			p->km != NULL));
	write_status(p);
	if (pause)
		usleep((useconds_t)pause * 1000);
	loop(p, count, timeout, linger);
	e4err_enrich_flush(p->en, now_ms());
	pop_all(p);
	e4err_enrich_tick(p->en, now_ms());
	pop_all(p);
	summary(p);
	write_status(p);
	final_marks(p);
	e4err_store_close(p->store);
	e4err_kmsg_close(p->km);
	e4err_source_close(p->src);
	e4err_enrich_free(p->en);
	e4err_fsmap_free(p->map);
	if (p->mountinfo_fd >= 0)
		close(p->mountinfo_fd);
	free(p);
	return 0;
}
