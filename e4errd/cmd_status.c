/*
 * cmd_status.c --- `e4errd status`: what the running daemon is doing now.
 *
 * Reads the status file the daemon rewrites in its runtime directory
 * (lib/status.h: kernel ABI, each filesystem's mode, counters, lost
 * reports and last error, the kernel log, the queue) and adds the store's
 * size.  Never talks to the daemon and never blocks it.  Exit status 0
 * when the daemon runs, 3 when it does not (as LSB status commands do),
 * 1 on other failures.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <et/com_err.h>
#include <jansson.h>

#include "cmd.h"
#include "conf.h"
#include "e4err_err.h"
#include "format.h"
#include "nls.h"

/* Messages use %lld for json_int_t so translators see whole directives. */
_Static_assert(sizeof(json_int_t) == sizeof(long long), "json_int_t is long long");
#include "status.h"
#include "store.h"

#define EXIT_NOT_RUNNING	3

struct status_args {
	bool json;
	const char *state_dir, *spool_dir, *run_dir;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s status [--json] [--state-dir DIR] [--spool-dir DIR]"
		     " [--run-dir DIR]\n\n"), program_name);
	fputs(_("Show what the running daemon is doing: the kernel event ABI in use,\n"
		"each watched filesystem with its mode (events, or counters only, and\n"
		"why), its error counter, lost reports and last error, the kernel log,\n"
		"the inspection queue, and the size of the findings store.\n\n"
		"  -j, --json            one JSON document\n"
		"  -d, --state-dir DIR   where the database is (default: the configuration's)\n"
		"      --spool-dir DIR   where the spool is (default: the configuration's)\n"
		"  -r, --run-dir DIR     where the daemon writes status.json (default: the\n"
		"                        spool directory)\n"
		"  -h, --help            show this help and exit\n"
		"  -V, --version         show the version and exit\n\n"
		"Exit status: 0 when the daemon runs, 3 when it does not, 1 on failure.\n"),
	      f);
}

static int parse_args(int argc, char **argv, struct status_args *a, bool *go)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "spool-dir", required_argument, NULL, 'S' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	*go = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jd:r:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = true; break;
		case 'd': a->state_dir = optarg; break;
		case 'S': a->spool_dir = optarg; break;
		case 'r': a->run_dir = optarg; break;
		case 'h': usage(stdout); return E4ERR_EXIT_OK;
		case 'V': print_version(stdout); return E4ERR_EXIT_OK;
		default: return cli_usage_error("status", _("unknown option"));
		}
	}
	if (optind < argc)
		return cli_usage_error("status", _("unexpected argument '%s'"),
				       argv[optind]);
	*go = true;
	return 0;
}

/* ---- gathering -------------------------------------------------------------- */

struct gathered {
	char status_path[PATH_MAX];
	json_t *daemon;		/* the status file, or NULL */
	errcode_t status_err;
	bool running;
	json_t *store;
};

/* Directories not given come from the configuration, then the defaults. */
static void directories(struct status_args *a, struct e4err_store_options *opt,
			struct e4err_config *cfg, bool *have_cfg)
{
	struct e4err_config_errors errs = { 0 };

	e4err_store_options_init(opt);
	opt->whoami = program_name;
	*have_cfg = false;
	if (!a->state_dir || !a->spool_dir || !a->run_dir) {
		/* A failed load frees what it made: start from the defaults. */
		*have_cfg = true;
		if (e4err_config_load(NULL, cfg, &errs)) {
			e4err_config_report(program_name, &errs);
			e4err_config_errors_free(&errs);
			*have_cfg = !e4err_config_init(cfg);
		}
	}
	if (*have_cfg) {
		opt->state_dir = cfg->daemon.state_dir;
		opt->spool_dir = cfg->daemon.spool_dir;
	}
	if (a->state_dir)
		opt->state_dir = a->state_dir;
	if (a->spool_dir)
		opt->spool_dir = a->spool_dir;
}

static void read_status(struct gathered *g, const char *run_dir)
{
	json_t *pid;

	snprintf(g->status_path, sizeof(g->status_path), "%s/%s", run_dir,
		 E4ERR_STATUS_NAME);
	g->status_err = e4err_status_read(g->status_path, &g->daemon);
	if (g->status_err)
		return;
	/*
	 * The daemon rewrites the file only when something changes (idle, it
	 * never wakes), so its age says nothing; its process does.
	 */
	pid = json_object_get(g->daemon, "pid");
	g->running = json_is_integer(pid) && json_integer_value(pid) > 0 &&
		json_integer_value(pid) <= INT32_MAX &&
		(kill((pid_t)json_integer_value(pid), 0) == 0 || errno == EPERM);
}

struct count {
	uint64_t events, filesystems;
};

static int count_fs(void *arg, const struct e4err_store_fs_summary *fs)
{
	struct count *c = arg;

	c->events += fs->events;
	c->filesystems++;
	return 0;
}

static json_int_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (json_int_t)st.st_size;
}

static void read_store(struct gathered *g, const struct e4err_store_options *opt)
{
	char wal[PATH_MAX + 8];
	struct e4err_store_info info;
	struct e4err_store *st = NULL;
	struct count c = { 0, 0 };
	errcode_t err;

	err = e4err_store_open_reader(opt, &st);
	if (!err)
		err = e4err_store_query_filesystems(st, NULL, count_fs, &c);
	if (err) {
		char db[PATH_MAX + 32];

		snprintf(db, sizeof(db), "%s/%s", opt->state_dir ? opt->state_dir :
			 E4ERR_STORE_DEFAULT_DIR, E4ERR_STORE_DB_NAME);
		g->store = json_pack("{s:s,s:s}", "db_path", db, "error",
				     error_message(err));
		e4err_store_close(st);
		return;
	}
	e4err_store_get_info(st, &info);
	snprintf(wal, sizeof(wal), "%s-wal", info.db_path);
	g->store = json_pack("{s:s,s:I,s:I,s:b,s:I,s:I,s:i,s:n}",
			     "db_path", info.db_path,
			     "size_bytes", file_size(info.db_path),
			     "wal_bytes", file_size(wal),
			     "spool_present", info.spool_present,
			     "events", (json_int_t)c.events,
			     "filesystems", (json_int_t)c.filesystems,
			     "schema_version", info.schema_version, "error");
	e4err_store_close(st);
}

/* ---- text ------------------------------------------------------------------- */

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "-";
}

static json_int_t jint(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* A kernel or user string from the status file, escaped for a terminal. */
static const char *esc(char *buf, size_t len, const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	if (!s)
		return "-";
	e4err_escape_text(buf, len, s, strlen(s));
	return buf;
}

static void print_when(FILE *f, json_int_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char b[32];

	if (t > 0 && gmtime_r(&tt, &tm) &&
	    strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%SZ", &tm))
		fputs(b, f);
	else
		fputs("-", f);
}

static const char *reason_text(const char *r)
{
	if (!strcmp(r, "expected"))
		return _("marked for error events; none came yet");
	if (!strcmp(r, "seen"))
		return _("error events arrive from it");
	if (!strcmp(r, "no_abi"))
		return _("the kernel offers no filesystem error events");
	if (!strcmp(r, "no_mark"))
		return _("it could not be marked for error events");
	if (!strcmp(r, "silent"))
		return _("errors were counted but no event came: the kernel does "
			 "not send them");
	return r;
}

static void print_last(FILE *f, const json_t *l)
{
	char fn[4 * 128 + 1], comm[4 * 64 + 1], msg[4 * 512 + 1];
	json_t *v;

	fputs(_("    last error: "), f);
	print_when(f, jint(l, "time"));
	if (json_is_integer(v = json_object_get(l, "inode")))
		fprintf(f, _(", inode %lld"), json_integer_value(v));
	if (json_is_integer(v = json_object_get(l, "block")))
		fprintf(f, _(", block %lld"), json_integer_value(v));
	if (json_is_string(json_object_get(l, "function")))
		fprintf(f, ", %s:%lld",
			esc(fn, sizeof(fn), l, "function"), jint(l, "line"));
	if (json_is_string(json_object_get(l, "comm")))
		fprintf(f, _(", comm %s"), esc(comm, sizeof(comm), l, "comm"));
	if (json_is_string(json_object_get(l, "message")))
		fprintf(f, ": %s", esc(msg, sizeof(msg), l, "message"));
	fputc('\n', f);
}

static void print_fs(FILE *f, const json_t *fs)
{
	char mp[4 * PATH_MAX + 1], dev[4 * PATH_MAX + 1];
	const json_t *last = json_object_get(fs, "last_error");

	fprintf(f, "  %s (%s, %s)\n", esc(mp, sizeof(mp), fs, "mountpoint"),
		esc(dev, sizeof(dev), fs, "device"), jstr(fs, "uuid"));
	fprintf(f, _("    mode: %s (%s)\n"), jstr(fs, "mode"),
		reason_text(jstr(fs, "mode_reason")));
	if (json_is_integer(json_object_get(fs, "errors_count")))
		fprintf(f, _("    errors_count %lld (%lld before e4errd watched)"),
			jint(fs, "errors_count"), jint(fs, "pre_watch"));
	else
		fputs(_("    errors_count unknown"), f);
	fprintf(f, _(", reported by events %lld, lost reports %lld (kernel's own %lld), not counted %lld, resets %lld\n"),
		jint(fs, "reported"), jint(fs, "lost_reports"),
		jint(fs, "lost_lines"), jint(fs, "uncounted"), jint(fs, "resets"));
	if (json_is_object(last))
		print_last(f, last);
}

static void print_daemon(FILE *f, const struct gathered *g)
{
	const json_t *d = g->daemon, *k = json_object_get(d, "kmsg"), *fs;
	const json_t *q = json_object_get(d, "queue");
	size_t i;

	fprintf(f, _("daemon: running (pid %lld, since "),
		jint(d, "pid"));
	print_when(f, jint(d, "started"));
	fprintf(f, _(", status of "));
	print_when(f, jint(d, "updated"));
	fputs(")\n", f);
	if (json_is_string(json_object_get(d, "abi_detail")))
		fprintf(f, _("kernel ABI: %s (%s)\n"), jstr(d, "abi"),
			jstr(d, "abi_detail"));
	else
		fprintf(f, _("kernel ABI: %s\n"), jstr(d, "abi"));
	if (json_is_true(json_object_get(k, "reading")))
		fprintf(f, _("kernel log: read (%lld ext4 lines, %lld forged lines ignored, %lld records lost to overruns)\n"),
			jint(k, "lines"), jint(k, "foreign"), jint(k, "records_lost"));
	else
		fprintf(f, _("kernel log: not read (%s): no function, line or "
			     "message for mainline events\n"), jstr(k, "error"));
	fprintf(f, _("queue: %lld waiting, %lld running; %lld events recorded\n"),
		jint(q, "waiting"), jint(q, "running"), jint(d, "events_recorded"));
	fprintf(f, _("filesystems:\n"));
	json_array_foreach(json_object_get(d, "filesystems"), i, fs)
		print_fs(f, fs);
}

static void print_text(FILE *f, const struct gathered *g)
{
	const json_t *s = g->store;

	if (g->running)
		print_daemon(f, g);
	else if (g->daemon)
		fprintf(f, _("daemon: not running (status file %s is left from pid %lld)\n"), g->status_path,
			jint(g->daemon, "pid"));
	else
		fprintf(f, _("daemon: not running (no status file %s: %s)\n"),
			g->status_path, error_message(g->status_err));
	if (json_is_string(json_object_get(s, "error")))
		fprintf(f, _("store: %s: %s\n"), jstr(s, "db_path"), jstr(s, "error"));
	else
		fprintf(f, _("store: %s, %lld bytes (+ %lld in the WAL), %lld events of %lld filesystems%s\n"),
			jstr(s, "db_path"), jint(s, "size_bytes"),
			jint(s, "wal_bytes") > 0 ? jint(s, "wal_bytes") : 0,
			jint(s, "events"), jint(s, "filesystems"),
			json_is_true(json_object_get(s, "spool_present")) ?
			_(", spool present") : "");
}

int cmd_status(int argc, char **argv)
{
	struct status_args a = { 0 };
	struct e4err_store_options opt;
	struct e4err_config cfg;
	struct gathered g;
	bool go, have_cfg;
	json_t *out;
	int r;

	r = parse_args(argc, argv, &a, &go);
	if (!go)
		return r;
	memset(&g, 0, sizeof(g));
	directories(&a, &opt, &cfg, &have_cfg);
	read_status(&g, a.run_dir ? a.run_dir : opt.spool_dir ? opt.spool_dir :
		    E4ERR_STORE_DEFAULT_SPOOL_DIR);
	read_store(&g, &opt);
	if (a.json) {
		out = json_pack("{s:b,s:s,s:o,s:o}", "running", g.running,
				"status_file", g.status_path,
				"daemon", g.daemon ? json_incref(g.daemon) :
				json_null(), "store", g.store ? json_incref(g.store) :
				json_null());
		if (!out || e4err_json_print(stdout, out))
			r = E4ERR_EXIT_FAILURE;
		json_decref(out);
	} else {
		print_text(stdout, &g);
	}
	json_decref(g.daemon);
	json_decref(g.store);
	if (have_cfg)
		e4err_config_free(&cfg);
	if (r)
		return r;
	return g.running ? E4ERR_EXIT_OK : EXIT_NOT_RUNNING;
}
