/*
 * report_metrics.c --- the store's totals for node_exporter's textfile
 * collector, in the Prometheus text exposition format.
 *
 * Per filesystem (labels uuid, device, mountpoint): e4errd_errors_total
 * (sum of error_count, events removed by retention included, so it never
 * goes down), e4errd_events_total, e4errd_lost_reports (errors the
 * filesystem counted that reached e4errd as no event, in total) and the
 * time of the newest error; then inodes by newest verdict and jobs by
 * state.
 * Label values are escaped twice: e4err_escape_text makes control bytes
 * and invalid UTF-8 visible, then \ and " are escaped as the format wants.
 * Metric text is not translated: it is an interface, not a message.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "format.h"
#include "report.h"
#include "report_int.h"

/* A label value: visible, valid UTF-8, with \ and " escaped. */
static void put_label(FILE *f, const char *s)
{
	char small[512], *buf = small, *p;
	size_t need, n = s ? strlen(s) : 0;

	need = e4err_escape_text(small, sizeof(small), s ? s : "", n);
	if (need >= sizeof(small)) {
		buf = malloc(need + 1);
		if (!buf)
			buf = small;	/* cut, but still well formed */
		else
			e4err_escape_text(buf, need + 1, s, n);
	}
	for (p = buf; *p; p++) {
		if (*p == '\\' || *p == '"')
			fputc('\\', f);
		fputc(*p, f);
	}
	if (buf != small)
		free(buf);
}

static void put_fs_labels(FILE *f, const struct e4err_store_fs_summary *fs)
{
	fputs("{uuid=\"", f);
	put_label(f, fs->uuid);
	fputs("\",device=\"", f);
	put_label(f, fs->device);
	fputs("\",mountpoint=\"", f);
	put_label(f, fs->mountpoint);
	fputs("\"}", f);
}

static void header(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One metric family over every filesystem: which is 0..3. */
struct fs_pass {
	FILE *f;
	struct e4err_store *st;
	int which;
};

static int fs_sample(void *arg, const struct e4err_store_fs_summary *fs)
{
	static const char *const names[] = {
		"e4errd_errors_total", "e4errd_events_total",
		"e4errd_lost_reports", "e4errd_last_error_timestamp_seconds",
	};
	struct fs_pass *p = arg;
	uint64_t lost = 0;
	errcode_t err;

	if (p->which == 3 && !fs->has_first_error)
		return 0;
	if (p->which == 2 &&
	    (err = report_lost_reports(p->st, fs->uuid, &lost)))
		return (int)err;
	fputs(names[p->which], p->f);
	put_fs_labels(p->f, fs);
	switch (p->which) {
	case 0:
		fprintf(p->f, " %llu\n",
			(unsigned long long)(fs->errors + fs->pruned_errors));
		break;
	case 1:
		fprintf(p->f, " %llu\n",
			(unsigned long long)(fs->events + fs->pruned_events));
		break;
	case 2:
		fprintf(p->f, " %llu\n", (unsigned long long)lost);
		break;
	default:
		fprintf(p->f, " %llu.%03llu\n",
			(unsigned long long)(fs->last_error_ns / 1000000000ULL),
			(unsigned long long)(fs->last_error_ns / 1000000ULL % 1000));
	}
	return 0;
}

static errcode_t fs_families(FILE *f, struct e4err_store *st)
{
	static const char *const fam[][3] = {
		{ "e4errd_errors_total", "counter", "Filesystem errors the kernel"
		  " reported (sum of error_count), including events removed by"
		  " retention." },
		{ "e4errd_events_total", "counter", "Error events recorded,"
		  " including those removed by retention." },
		{ "e4errd_lost_reports", "gauge", "Errors the filesystem counted"
		  " that reached e4errd as no event (lost reports), in total"
		  " since e4errd first watched it." },
		{ "e4errd_last_error_timestamp_seconds", "gauge", "Time of the"
		  " newest recorded error, in seconds since the epoch." },
	};
	struct fs_pass p = { f, st, 0 };
	errcode_t err = 0;

	for (p.which = 0; !err && p.which < 4; p.which++) {
		header(f, fam[p.which][0], fam[p.which][1], fam[p.which][2]);
		err = e4err_store_query_filesystems(st, NULL, fs_sample, &p);
	}
	return err;
}

struct count_pass {
	FILE *f;
	const char *name, *label;
	bool seen[4];
};

static const char *const verdicts[] = {
	"confirmed", "not_confirmed", "stale", "inconclusive",
};

static int count_sample(void *arg, const char *value, uint64_t n)
{
	struct count_pass *p = arg;
	size_t i;

	for (i = 0; i < 4; i++)
		if (!strcmp(p->name, "e4errd_inspections") && !strcmp(value, verdicts[i]))
			p->seen[i] = true;
	fprintf(p->f, "%s{%s=\"", p->name, p->label);
	put_label(p->f, value);
	fprintf(p->f, "\"} %llu\n", (unsigned long long)n);
	return 0;
}

static errcode_t count_families(FILE *f, struct e4err_store *st)
{
	struct count_pass p = { f, "e4errd_inspections", "verdict", { 0 } };
	errcode_t err;
	size_t i;

	header(f, p.name, "gauge", "Inodes whose newest inspection has this"
	       " verdict.");
	err = e4err_store_count_verdicts(st, count_sample, &p);
	for (i = 0; !err && i < 4; i++)	/* the usual ones, even at 0 */
		if (!p.seen[i])
			fprintf(f, "e4errd_inspections{verdict=\"%s\"} 0\n",
				verdicts[i]);
	if (err)
		return err;
	p.name = "e4errd_jobs";
	p.label = "state";
	header(f, p.name, "gauge", "Checks and hook runs by their current state.");
	return e4err_store_count_job_states(st, count_sample, &p);
}

errcode_t e4err_report_metrics_write(FILE *f, struct e4err_store *st)
{
	errcode_t err;

	errno = 0;
	err = fs_families(f, st);
	if (!err)
		err = count_families(f, st);
	if (!err && (fflush(f) || ferror(f)))
		err = errno ? errno : EIO;
	return err;
}

static void fsync_dir_of(const char *path)
{
	char *copy = strdup(path);
	int fd;

	if (!copy)
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

/* Write, flush and fsync the metrics into the open temporary file. */
static errcode_t write_tmp(int fd, struct e4err_store *st)
{
	FILE *f = fdopen(fd, "w");
	errcode_t err;

	if (!f) {
		err = errno;
		close(fd);
		return err;
	}
	err = e4err_report_metrics_write(f, st);
	if (!err && (fchmod(fd, 0644) || fsync(fd)))
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	return err;
}

errcode_t e4err_report_metrics(struct e4err_store *st, const char *path)
{
	char *dir = strdup(path), *base = strdup(path), *tmp = NULL;
	errcode_t err;
	int fd;

	/* A name not ending in .prom: the collector skips it until renamed. */
	if (!dir || !base || asprintf(&tmp, "%s/.%s.XXXXXX", dirname(dir),
				      basename(base)) < 0)
		tmp = NULL;
	free(dir);
	free(base);
	if (!tmp)
		return ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return err;
	}
	err = write_tmp(fd, st);
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		unlink(tmp);
	else
		fsync_dir_of(path);
	free(tmp);
	return err;
}
