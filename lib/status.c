/*
 * status.c --- writing and reading the daemon's status file (status.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "status.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A CLOCK_MONOTONIC ms of the past as CLOCK_REALTIME seconds. */
static json_t *when(uint64_t ms, uint64_t now_ms, time_t now_s)
{
	uint64_t ago = now_ms > ms ? (now_ms - ms) / 1000 : 0;

	return json_integer((json_int_t)now_s - (json_int_t)ago);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *fs_json(const struct e4err_status_input *in,
		       const struct e4err_enrich_fs_info *fi, uint64_t now_ms,
		       time_t now_s)
{
	struct e4err_status_names nm = { NULL, NULL };
	json_t *j, *last = json_null();

	if (in->names)
		in->names(in->names_arg, fi->fs, &nm);
	if (fi->has_last) {
		last = e4err_enriched_object_to_json(&fi->last);
		if (last)
			json_object_set_new(last, "time",
					    when(fi->last_ms, now_ms, now_s));
	}
	j = json_pack("{s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:I,"
		      "s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
		      "mountpoint", str_or_null(nm.mountpoint),
		      "uuid", str_or_null(nm.uuid),
		      "device", str_or_null(fi->device),
		      "kname", str_or_null(fi->kname),
		      "gone", json_boolean(fi->gone),
		      "mode", e4err_fs_mode_name(fi->mode.mode),
		      "mode_reason", e4err_mode_reason_name(fi->mode.reason),
		      "mode_since", when(fi->mode.since_ms, now_ms, now_s),
		      "errors_count", fi->has_counter ?
		      json_integer(fi->counter) : json_null(),
		      "pre_watch", (json_int_t)fi->lost.pre_watch,
		      "reported", (json_int_t)fi->lost.reported,
		      "counted", (json_int_t)fi->lost.counted,
		      "lost_reports", (json_int_t)e4err_lost_reports(&fi->lost),
		      "lost_lines", (json_int_t)fi->lost.lost_lines,
		      "uncounted", (json_int_t)fi->lost.uncounted,
		      "resets", (json_int_t)fi->lost.resets,
		      "events", (json_int_t)fi->events,
		      "log_lines", (json_int_t)fi->lines,
		      "log_only", (json_int_t)fi->lines_alone,
		      "last_error", last ? last : json_null());
	return j;
}

static json_t *kmsg_json(const struct e4err_status_input *in)
{
	const struct e4err_kmsg_stats *s;

	if (!in->kmsg)
		return json_pack("{s:b,s:o}", "reading", 0, "error",
				 str_or_null(in->kmsg_error));
	s = e4err_kmsg_get_stats(in->kmsg);
	return json_pack("{s:b,s:n,s:I,s:I,s:I,s:I,s:I,s:I}", "reading", 1,
			 "error", "records", (json_int_t)s->records,
			 "lines", (json_int_t)s->lines,
			 "foreign", (json_int_t)s->foreign,
			 "overruns", (json_int_t)s->overruns,
			 "records_lost", (json_int_t)s->records_lost,
			 "partial", (json_int_t)s->partial);
}

json_t *e4err_status_json(const struct e4err_status_input *in)
{
	struct e4err_enrich_fs_info fi;
	uint64_t now_ms = mono_ms();
	time_t now_s = time(NULL);
	const char *abi = e4err_abi_name(in->abi);
	json_t *fss = json_array(), *j;
	size_t i;

	for (i = 0; fss && in->en && e4err_enrich_fs_info(in->en, i, &fi); i++)
		json_array_append_new(fss, fs_json(in, &fi, now_ms, now_s));
	j = json_pack("{s:i,s:I,s:o,s:I,s:s,s:o,s:o,s:{s:I,s:I},s:I,s:o,s:o}",
		      "version", E4ERR_STATUS_VERSION,
		      "pid", (json_int_t)getpid(),
		      "started", when(in->started_ms, now_ms, now_s),
		      "updated", (json_int_t)now_s,
		      "abi", abi ? abi : "none",
		      "abi_detail", str_or_null(in->abi_detail),
		      "kmsg", kmsg_json(in),
		      "queue", "waiting", (json_int_t)in->queue_waiting,
		      "running", (json_int_t)in->queue_running,
		      "events_recorded", (json_int_t)in->events_recorded,
		      "state_dir", str_or_null(in->state_dir),
		      "filesystems", fss ? fss : json_array());
	return j;
}

errcode_t e4err_status_write(const char *path,
			     const struct e4err_status_input *in)
{
	char tmp[PATH_MAX];
	json_t *j = e4err_status_json(in);
	errcode_t err = 0;
	int fd;

	if (!j)
		return ENOMEM;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		json_decref(j);
		return ENAMETOOLONG;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
		  0644);
	if (fd < 0)
		err = errno;
	else if (json_dumpfd(j, fd, JSON_COMPACT | JSON_ENSURE_ASCII) ||
		 write(fd, "\n", 1) != 1)
		err = errno ? errno : EIO;
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	/* No fsync: the file lives in /run and says what is true now. */
	if (!err && rename(tmp, path))
		err = errno;
	if (err && fd >= 0)
		unlink(tmp);
	json_decref(j);
	return err;
}

errcode_t e4err_status_read(const char *path, json_t **out)
{
	json_error_t jerr;
	json_t *j, *v;

	*out = NULL;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return access(path, F_OK) ? errno : E4ERR_STATUS_FORMAT;
	v = json_object_get(j, "version");
	if (!json_is_object(j) || !json_is_integer(v) ||
	    json_integer_value(v) != E4ERR_STATUS_VERSION ||
	    !json_is_array(json_object_get(j, "filesystems"))) {
		json_decref(j);
		return E4ERR_STATUS_FORMAT;
	}
	*out = j;
	return 0;
}
