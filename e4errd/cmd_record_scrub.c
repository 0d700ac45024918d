/*
 * cmd_record_scrub.c --- `e4errd record-scrub`: record an e2scrub@ unit's
 * run in the findings store.
 *
 * Called by the e2scrub@.service drop-in e4errd ships: at the unit's
 * start (ExecStartPre=) and end (ExecStopPost=), for every scrub --
 * e4errd's own and those of e2scrub_all's timer or an administrator.
 * Under systemd e2scrub folds every failure into exit status 1, so the
 * outcome is judged from the origin's superblock, as DESIGN.md says: a
 * last-check time at or after the unit's start means clean (e2scrub
 * stamps it with tune2fs -C 0 -T), the error flag newly set means
 * corruption (tune2fs -E force_fsck), anything else is inconclusive and
 * e4errd retries with backoff.  A run that began before a pending job was
 * created does not close it: that job is put back to "queued".
 *
 * The start records, in the job's detail, what the end needs: the unit,
 * its invocation id, the time, the superblock's error flag and last
 * check, and whether the job was e4errd's (then the daemon closes it).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

#include "cmd.h"
#include "conf.h"
#include "e4err_err.h"
#include "fsmap.h"
#include "nls.h"
#include "sdunit.h"
#include "store.h"

#define NS	1000000000ULL

struct scrub_args {
	const char *unit, *phase, *result, *exit_code, *exit_status;
	const char *invocation, *state_dir, *config;
};

/* The filesystem behind the unit's mount point, as the daemon names it. */
struct scrub_fs {
	char *mountpoint;
	char *key, *device, *kname;
	bool has_sb;
	uint64_t last_check;
	bool error_flag;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s record-scrub --unit UNIT --phase start|stop\n"
		     "       [--result RESULT] [--exit-code CODE] [--exit-status N]\n"
		     "       [--invocation ID] [--state-dir DIR] [--config FILE]\n\n"),
		program_name);
	fputs(_("Record an e2scrub@ unit's run in e4errd's store; called by the\n"
		"unit's e4errd drop-in (ExecStartPre=, ExecStopPost=).  At the end\n"
		"the outcome is judged from the filesystem's superblock.\n\n"
		"  -u, --unit UNIT         e2scrub@-<escaped mount point>.service (%n)\n"
		"  -p, --phase PHASE       start or stop\n"
		"  -r, --result RESULT     $SERVICE_RESULT (stop)\n"
		"  -c, --exit-code CODE    $EXIT_CODE (stop)\n"
		"  -s, --exit-status N     $EXIT_STATUS (stop)\n"
		"  -i, --invocation ID     default: $INVOCATION_ID\n"
		"  -d, --state-dir DIR     where the database is\n"
		"  -C, --config FILE       configuration file\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"), f);
}

static int check_args(struct scrub_args *a);

static int parse_args(int argc, char **argv, struct scrub_args *a)
{
	static const struct option options[] = {
		{ "unit", required_argument, NULL, 'u' },
		{ "phase", required_argument, NULL, 'p' },
		{ "result", required_argument, NULL, 'r' },
		{ "exit-code", required_argument, NULL, 'c' },
		{ "exit-status", required_argument, NULL, 's' },
		{ "invocation", required_argument, NULL, 'i' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, ":u:p:r:c:s:i:d:C:hV", options,
				NULL)) != -1) {
		switch (c) {
		case 'u': a->unit = optarg; break;
		case 'p': a->phase = optarg; break;
		case 'r': a->result = optarg; break;
		case 'c': a->exit_code = optarg; break;
		case 's': a->exit_status = optarg; break;
		case 'i': a->invocation = optarg; break;
		case 'd': a->state_dir = optarg; break;
		case 'C': a->config = optarg; break;
		case 'h':
			usage(stdout);
			return E4ERR_EXIT_OK;
		case 'V':
			print_version(stdout);
			return E4ERR_EXIT_OK;
		case ':':
			return cli_usage_error("record-scrub", _("option '%s' needs an argument"),
					       argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("record-scrub", _("unknown option '-%c'"),
						       optopt);
			return cli_usage_error("record-scrub", _("unknown option '%s'"),
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("record-scrub", _("unexpected argument '%s'"),
				       argv[optind]);
	return check_args(a);
}

/* What the options must say, and systemd's empty values as absent. */
static int check_args(struct scrub_args *a)
{
	if (!a->unit)
		return cli_usage_error("record-scrub", _("--unit is required"));
	if (!a->phase || (strcmp(a->phase, "start") && strcmp(a->phase, "stop")))
		return cli_usage_error("record-scrub", _("--phase start or --phase stop is required"));
	/* systemd passes ${EXIT_STATUS} and friends empty when unset. */
	if (a->result && !a->result[0])
		a->result = NULL;
	if (a->exit_code && !a->exit_code[0])
		a->exit_code = NULL;
	if (a->exit_status && !a->exit_status[0])
		a->exit_status = NULL;
	if (!a->invocation)
		a->invocation = getenv("INVOCATION_ID");
	if (!a->invocation || !a->invocation[0])
		a->invocation = "none";
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* ---- the filesystem ---- */

static void read_sb(struct scrub_fs *s)
{
	ext2_filsys fs;

	if (ext2fs_open2(s->device, NULL, EXT2_FLAG_SUPER_ONLY | EXT2_FLAG_64BITS,
			 0, 0, unix_io_manager, &fs))
		return;
	s->has_sb = true;
	s->last_check = fs->super->s_lastcheck;
	s->error_flag = (fs->super->s_state & EXT2_ERROR_FS) != 0;
	ext2fs_close_free(&fs);
}

static errcode_t find_fs(const char *unit, struct scrub_fs *s)
{
	struct e4err_fsmap *map = NULL;
	const struct e4err_fs *fs;
	errcode_t retval;
	struct stat st;

	retval = e4err_e2scrub_unit_mountpoint(unit, &s->mountpoint);
	if (retval)
		return retval;
	if (stat(s->mountpoint, &st) < 0)
		return errno;
	retval = e4err_fsmap_load(-1, NULL, &map);
	if (retval)
		return retval;
	fs = e4err_fsmap_find_dev(map, st.st_dev);
	if (!fs) {
		e4err_fsmap_free(map);
		return E4ERR_NOT_EXT4;
	}
	s->device = strdup(fs->devpath ? fs->devpath : fs->source);
	s->kname = fs->has_kname ? strdup(fs->kname) : NULL;
	if (fs->has_uuid)
		s->key = strdup(fs->uuid);
	else if (asprintf(&s->key, "dev:%s", s->device ? s->device : "") < 0)
		s->key = NULL;
	e4err_fsmap_free(map);
	if (!s->device || !s->key)
		return ENOMEM;
	read_sb(s);
	return 0;
}

static void fs_view(const struct scrub_fs *s, struct e4err_store_fs *v)
{
	memset(v, 0, sizeof(*v));
	v->uuid = s->key;
	v->device = s->device;
	v->mountpoint = s->mountpoint;
	v->kname = s->kname;
}

/* ---- the store ---- */

static errcode_t open_store(const struct scrub_args *a, struct e4err_store **st)
{
	struct e4err_config_errors errs;
	struct e4err_store_options opt;
	struct e4err_config cfg;
	errcode_t retval;

	memset(&cfg, 0, sizeof(cfg));
	retval = e4err_config_load(a->config, &cfg, &errs);
	if (retval) {
		e4err_config_report(program_name, &errs);
		e4err_config_errors_free(&errs);
		return retval;
	}
	e4err_config_errors_free(&errs);
	e4err_store_options_init(&opt);
	opt.state_dir = a->state_dir ? a->state_dir : cfg.daemon.state_dir;
	opt.spool_dir = cfg.daemon.spool_dir;
	opt.whoami = program_name;
	retval = e4err_store_open(&opt, st);
	e4err_config_free(&cfg);
	return retval;
}

/* An unfinished e2scrub job of the filesystem, newest first. */
struct pending {
	const char *invocation;		/* stop: the one this unit started */
	bool found;
	struct e4err_store_ref ref;
	uint64_t created_ns;
	char *state, *detail;
	bool others;			/* more unfinished ones */
	struct e4err_store_ref other;
	uint64_t other_created_ns;
};

/* "key=value" out of a detail written at the start; 0 when absent. */
static uint64_t token(const char *detail, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = detail; p && (p = strstr(p, key)); p += n)
		if ((p == detail || p[-1] == ' ') && p[n] == '=')
			return strtoull(p + n + 1, NULL, 10);
	return 0;
}

static bool has_invocation(const char *detail, const char *inv)
{
	char want[160];

	snprintf(want, sizeof(want), "invocation=%s", inv);
	return detail && strstr(detail, want) != NULL;
}

static int find_pending(void *arg, const struct e4err_store_job_info *j)
{
	struct pending *p = arg;
	bool mine;

	if (j->final || !j->kind || strcmp(j->kind, "e2scrub"))
		return 0;
	mine = p->invocation ? has_invocation(j->detail, p->invocation) : true;
	if (mine && !p->found) {
		p->found = true;
		p->ref = j->ref;
		p->created_ns = j->created_ns;
		p->state = j->state ? strdup(j->state) : NULL;
		p->detail = j->detail ? strdup(j->detail) : NULL;
	} else if (!mine && !p->others) {
		p->others = true;
		p->other = j->ref;
		p->other_created_ns = j->created_ns;
	}
	return 0;
}

static errcode_t update(struct e4err_store *st, const struct e4err_store_ref *ref,
			const char *state, const char *result, bool has_status,
			int status, const char *detail, bool resolves, bool final)
{
	struct e4err_store_job_update u;

	memset(&u, 0, sizeof(u));
	u.time_ns = now_ns();
	u.state = state;
	u.result = result;
	u.has_exit_status = has_status;
	u.exit_status = status;
	u.detail = detail;
	u.resolves = resolves;
	u.final = final;
	return e4err_store_update_job(st, ref, &u);
}

/* ---- the two phases ---- */

static errcode_t phase_start(struct e4err_store *st, const struct scrub_args *a,
			     const struct scrub_fs *s)
{
	struct pending p = { NULL, false, { 0, 0 }, 0, NULL, NULL, false, { 0, 0 }, 0 };
	struct e4err_store_job_update u;
	struct e4err_store_fs view;
	struct e4err_store_ref ref;
	char detail[512];
	errcode_t retval;

	retval = e4err_store_query_jobs(st, s->key, NULL, find_pending, &p);
	snprintf(detail, sizeof(detail), "unit=%s invocation=%s started_ns=%" PRIu64
		 " error_flag=%d lastcheck=%" PRIu64 " daemon=%d", a->unit,
		 a->invocation, now_ns(), s->has_sb ? s->error_flag : 0,
		 s->last_check, p.found);
	if (!retval && p.found) {
		/* e4errd's job (or one left by an earlier run): this scrub,
		 * started after it was created, answers it. */
		retval = update(st, &p.ref, "running", NULL, false, 0, detail,
				false, false);
	} else if (!retval) {
		fs_view(s, &view);
		memset(&u, 0, sizeof(u));
		u.time_ns = now_ns();
		u.state = "running";
		u.detail = detail;
		retval = e4err_store_add_job(st, &view, "e2scrub",
					     "e2scrub@ unit started outside e4errd "
					     "(e2scrub_all, a timer, or by hand)",
					     false, 0, &u, &ref);
	}
	free(p.state);
	free(p.detail);
	return retval;
}

/* The judgement of DESIGN.md, from the superblock now and at the start. */
static const char *judge(const struct scrub_args *a, const struct scrub_fs *s,
			 const char *start_detail, char *why, size_t len)
{
	uint64_t started = start_detail ? token(start_detail, "started_ns") : 0;
	bool flag_before = start_detail && token(start_detail, "error_flag");

	if (!s->has_sb) {
		snprintf(why, len, "the superblock of %s could not be read",
			 s->device);
		return "inconclusive";
	}
	if (!started) {
		/* No start record: only the exit status speaks. */
		snprintf(why, len, "no start record; unit result %s, exit status %s",
			 a->result ? a->result : "?",
			 a->exit_status ? a->exit_status : "?");
		return a->result && !strcmp(a->result, "success") ? "clean" :
		       "inconclusive";
	}
	if (s->last_check >= started / NS) {
		snprintf(why, len, "e2scrub marked the filesystem checked "
			 "(last check %" PRIu64 ")", s->last_check);
		return "clean";
	}
	if (s->error_flag && !flag_before) {
		snprintf(why, len, "e2scrub found corruption: the error flag is "
			 "newly set, a boot-time fsck is due");
		return "corrupt";
	}
	snprintf(why, len, "neither the last-check time nor the error flag "
		 "changed (unit result %s, exit status %s)",
		 a->result ? a->result : "?", a->exit_status ? a->exit_status : "?");
	return "inconclusive";
}

static errcode_t phase_stop(struct e4err_store *st, const struct scrub_args *a,
			    const struct scrub_fs *s)
{
	struct pending p = { a->invocation, false, { 0, 0 }, 0, NULL, NULL, false, { 0, 0 }, 0 };
	struct e4err_store_job_update u;
	struct e4err_store_fs view;
	struct e4err_store_ref ref;
	const char *result;
	char why[256], detail[600];
	bool daemon, answer;
	int status = a->exit_status ? atoi(a->exit_status) : 0;
	errcode_t retval;

	retval = e4err_store_query_jobs(st, s->key, NULL, find_pending, &p);
	if (retval)
		goto out;
	result = judge(a, s, p.found ? p.detail : NULL, why, sizeof(why));
	answer = strcmp(result, "inconclusive") != 0;
	snprintf(detail, sizeof(detail), "%s; unit %s ended: result %s, exit code "
		 "%s, exit status %s", why, a->unit, a->result ? a->result : "?",
		 a->exit_code ? a->exit_code : "?",
		 a->exit_status ? a->exit_status : "?");
	daemon = p.found && token(p.detail, "daemon");
	if (p.found) {
		/* e4errd's own job is closed by the daemon, with its policy. */
		retval = update(st, &p.ref, answer ? "done" : "failed", result,
				a->exit_status != NULL, status, detail,
				!strcmp(result, "clean"), !daemon);
	} else {
		fs_view(s, &view);
		memset(&u, 0, sizeof(u));
		u.time_ns = now_ns();
		u.state = answer ? "done" : "failed";
		u.result = result;
		u.has_exit_status = a->exit_status != NULL;
		u.exit_status = status;
		u.detail = detail;
		u.final = true;
		retval = e4err_store_add_job(st, &view, "e2scrub",
					     "e2scrub@ unit ended (no start recorded)",
					     false, 0, &u, &ref);
	}
	/* A job asked for while this run went on is not answered by it. */
	if (!retval && p.found && p.others &&
	    p.other_created_ns > token(p.detail, "started_ns"))
		retval = update(st, &p.other, "queued", NULL, false, 0,
				"an e2scrub run that began before this check was "
				"asked for has ended; another run is needed",
				false, false);
out:
	free(p.state);
	free(p.detail);
	return retval;
}

static void scrub_fs_free(struct scrub_fs *s)
{
	free(s->mountpoint);
	free(s->key);
	free(s->device);
	free(s->kname);
}

int cmd_record_scrub(int argc, char **argv)
{
	struct scrub_args a;
	struct scrub_fs s;
	struct e4err_store *st = NULL;
	errcode_t retval;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	retval = find_fs(a.unit, &s);
	if (retval) {
		com_err(program_name, retval, _("while finding the filesystem of "
			"unit %s"), a.unit);
		scrub_fs_free(&s);
		return E4ERR_EXIT_FAILURE;
	}
	retval = open_store(&a, &st);
	if (!retval)
		retval = strcmp(a.phase, "start") ? phase_stop(st, &a, &s) :
			 phase_start(st, &a, &s);
	if (retval)
		com_err(program_name, retval, _("while recording the e2scrub run "
			"of %s"), s.mountpoint);
	e4err_store_close(st);
	scrub_fs_free(&s);
	return retval ? E4ERR_EXIT_FAILURE : E4ERR_EXIT_OK;
}
