/*
 * cmd_report.c --- `e4errd report`: what the findings store holds, for
 * people (text), programs (--json) and monitoring (--metrics FILE).
 *
 * Opens the store read-only beside a running daemon (never blocking it),
 * also when the state directory cannot be written, and includes records
 * still waiting in the spool.  The state and spool directories come from
 * the options, else from the configuration file, else the defaults.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <et/com_err.h>

#include "cmd.h"
#include "conf.h"
#include "e4err_err.h"
#include "nls.h"
#include "report.h"
#include "store.h"

struct report_args {
	bool json;
	const char *metrics;
	const char *state_dir, *spool_dir;
	struct e4err_store_filter flt;
	char fs_real[PATH_MAX];
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s report [--json] [--since TIME] [--fs UUID|DEVICE|MOUNTPOINT]\n"
		     "       [--inode N] [--state-dir DIR] [--spool-dir DIR] [--metrics FILE]\n\n"),
		program_name);
	fputs(_("Show the filesystem errors e4errd recorded: per filesystem, newest first,\n"
		"each inode with its verdict and findings, and the checks with their outcomes.\n\n"
		"  -j, --json            one JSON document\n"
		"  -s, --since TIME      only what happened since TIME: ISO-8601 (2026-11-25,\n"
		"                        2026-11-25T12:00:00Z), @SECONDS, or -30m, -1h, -7d\n"
		"  -f, --fs NAME         one filesystem, by UUID, device or mount point\n"
		"  -i, --inode N         one inode\n"
		"  -d, --state-dir DIR   where the database is (default: the configuration's)\n"
		"      --spool-dir DIR   where the spool is (default: the configuration's)\n"
		"  -m, --metrics FILE    write node_exporter textfile metrics (totals, no\n"
		"                        filters) to FILE atomically; no text report then\n"
		"  -h, --help            show this help and exit\n"
		"  -V, --version         show the version and exit\n"), f);
}


static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --fs: also match the name with symlinks and trailing slashes resolved. */
static void set_fs(struct report_args *a, const char *name)
{
	a->flt.fs = name;
	if (realpath(name, a->fs_real) && strcmp(a->fs_real, name))
		a->flt.fs_alt = a->fs_real;
}

static int parse_inode(struct report_args *a, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return cli_usage_error("report", _("invalid inode number '%s'"), s);
	a->flt.has_inode = true;
	a->flt.inode = v;
	return 0;
}

/* Parse the options; *go is set when the report is to be made. */
static int parse_args(int argc, char **argv, struct report_args *a, bool *go)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "since", required_argument, NULL, 's' },
		{ "fs", required_argument, NULL, 'f' },
		{ "inode", required_argument, NULL, 'i' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "spool-dir", required_argument, NULL, 'S' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c, r;

	*go = false;
	optind = 1;
	while ((c = getopt_long(argc, argv, "js:f:i:d:m:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'j': a->json = true; break;
		case 'f': set_fs(a, optarg); break;
		case 'd': a->state_dir = optarg; break;
		case 'S': a->spool_dir = optarg; break;
		case 'm': a->metrics = optarg; break;
		case 's':
			if (e4err_parse_time(optarg, now_ns(), &a->flt.since_ns))
				return cli_usage_error("report", _("invalid time '%s': use ISO-8601,"
						     " @SECONDS or -1h style"), optarg);
			a->flt.has_since = true;
			break;
		case 'i':
			r = parse_inode(a, optarg);
			if (r)
				return r;
			break;
		case 'h': usage(stdout); return E4ERR_EXIT_OK;
		case 'V': print_version(stdout); return E4ERR_EXIT_OK;
		default: return cli_usage_error("report", _("unknown option"));
		}
	}
	if (optind < argc)
		return cli_usage_error("report", _("unexpected argument '%s'"), argv[optind]);
	*go = true;
	return 0;
}

/*
 * Directories not given as options come from the configuration file; a
 * missing file means the defaults, a broken one is reported and the
 * defaults are used (a report should still be possible).
 */
static int open_store(struct report_args *a, struct e4err_store **st)
{
	struct e4err_store_options opt;
	struct e4err_config cfg;
	struct e4err_config_errors errs = { 0 };
	bool have_cfg = false;
	errcode_t err;

	e4err_store_options_init(&opt);
	opt.whoami = program_name;
	if ((!a->state_dir || !a->spool_dir) && !e4err_config_init(&cfg)) {
		have_cfg = true;
		if (e4err_config_load(NULL, &cfg, &errs)) {
			e4err_config_report(program_name, &errs);
			e4err_config_errors_free(&errs);
			e4err_config_init(&cfg);
		}
		opt.state_dir = cfg.daemon.state_dir;
		opt.spool_dir = cfg.daemon.spool_dir;
	}
	if (a->state_dir)
		opt.state_dir = a->state_dir;
	if (a->spool_dir)
		opt.spool_dir = a->spool_dir;
	err = e4err_store_open_reader(&opt, st);
	if (err)
		com_err(program_name, err, _("while opening the findings database %s/%s"),
			opt.state_dir ? opt.state_dir : E4ERR_STORE_DEFAULT_DIR,
			E4ERR_STORE_DB_NAME);
	if (have_cfg)
		e4err_config_free(&cfg);
	return err ? E4ERR_EXIT_FAILURE : 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	struct e4err_store *st;
	errcode_t err = 0;
	bool go;
	int r;

	memset(&a, 0, sizeof(a));
	r = parse_args(argc, argv, &a, &go);
	if (!go)
		return r;
	r = open_store(&a, &st);
	if (r)
		return r;
	if (a.metrics) {
		err = e4err_report_metrics(st, a.metrics);
		if (err)
			com_err(program_name, err, _("while writing metrics to %s"),
				a.metrics);
	}
	if (!err && a.json)
		err = e4err_report_print_json(stdout, st, &a.flt);
	else if (!err && !a.metrics)
		err = e4err_report_text(stdout, st, &a.flt);
	if (err && !a.metrics)
		com_err(program_name, err, _("while reading the findings database"));
	e4err_store_close(st);
	return err ? E4ERR_EXIT_FAILURE : E4ERR_EXIT_OK;
}
