/*
 * cmd_replay.c --- `e4errd replay`: decode a capture file written by
 * `e4errd watch --capture`, each record with the ABI it was tagged with.
 *
 * A broken file is reported where it breaks: the events of every whole
 * record before it are printed first, then an error naming the file and
 * the offset of the bad record.  As with decode, descriptors named in the
 * events belonged to the recording process and are never closed here.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <et/com_err.h>

#include "capture.h"
#include "cmd.h"
#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "nls.h"

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s replay [--json] FILE\n\n"), program_name);
	fputs(_("Decode every record of a capture file written by 'watch --capture',\n"
		"each with the kernel ABI it was recorded with.  FILE may be \"-\"\n"
		"for standard input.\n\n"
		"  -j, --json     one JSON object per event per line, with the\n"
		"                 record's number, time and group added\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  show the version and exit\n"), f);
}


/*
 * The record time in UTC, "2026-11-25 12:33:00.123456789 UTC" for people or
 * RFC 3339 "2026-11-25T12:33:00.123456789Z" for programs; false when the
 * value is past what the C library can show.
 */
static bool format_time(char *buf, size_t size, uint64_t ns, bool rfc3339)
{
	time_t secs = (time_t)(ns / 1000000000U);
	struct tm tm;
	char date[32];

	if ((uint64_t)secs != ns / 1000000000U || !gmtime_r(&secs, &tm) ||
	    !strftime(date, sizeof(date), rfc3339 ? "%Y-%m-%dT%H:%M:%S" :
		      "%Y-%m-%d %H:%M:%S", &tm))
		return false;
	snprintf(buf, size, rfc3339 ? "%s.%09" PRIu64 "Z" : "%s.%09" PRIu64 " UTC",
		 date, ns % 1000000000U);
	return true;
}

/* One event as JSON, with the record it came from. */
static int print_json(const struct e4err_event *ev, unsigned long nrec,
		      const struct e4err_capture_record *rec)
{
	json_t *obj = e4err_event_to_json(ev);
	int err = ENOMEM;
	char when[64];

	/* time_ns is exact; "time" also survives parsers that use doubles. */
	if (obj && !json_object_set_new(obj, "record", json_integer(nrec)) &&
	    !json_object_set_new(obj, "time_ns", e4err_json_u64(rec->time_ns)) &&
	    !json_object_set_new(obj, "time",
				 format_time(when, sizeof(when), rec->time_ns, true) ?
				 json_string(when) : json_null()) &&
	    !json_object_set_new(obj, "group", json_integer(rec->group)))
		err = e4err_json_print(stdout, obj);
	json_decref(obj);
	return err;
}

/* Decode one record and print its events; 0 or an errno from writing. */
static int replay_record(const struct e4err_capture_record *rec,
			 unsigned long nrec, bool json)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	char when[64];
	int err = 0;

	if (!json) {
		if (!format_time(when, sizeof(when), rec->time_ns, false))
			snprintf(when, sizeof(when), _("%" PRIu64 " ns after the epoch"),
				 rec->time_ns);
		printf(_("record %lu at %s, group %" PRIu32 ", %s, %" PRIu32 " bytes\n"),
		       nrec, when, rec->group, e4err_abi_name(rec->abi), rec->len);
	}
	e4err_decoder_init(&d, rec->abi, rec->data, rec->len);
	while (!err && e4err_decode_next(&d, &ev) == 1)
		err = json ? print_json(&ev, nrec, rec) :
			e4err_event_print_text(stdout, &ev);
	return err;
}

/* Replay every record of an open capture; com_err says what went wrong. */
static int replay(FILE *f, const char *shown, bool json)
{
	struct e4err_capture_reader *r;
	struct e4err_capture_record rec;
	unsigned long nrec = 0;
	errcode_t err;
	int eof = 0, werr = 0;

	err = e4err_capture_open(f, &r);
	if (err) {
		com_err(program_name, err, _("while reading the header of %s"),
			shown);
		return E4ERR_EXIT_FAILURE;
	}
	while (!werr && !(err = e4err_capture_read(r, &rec, &eof)) && !eof)
		werr = replay_record(&rec, ++nrec, json);
	if (!werr && fflush(stdout))
		werr = errno ? errno : EIO;
	if (werr)
		com_err(program_name, werr, _("while writing to standard output"));
	else if (err)
		com_err(program_name, err, _("while reading %s at offset %" PRIu64),
			shown, e4err_capture_record_offset(r));
	e4err_capture_close(r);
	return werr || err ? E4ERR_EXIT_FAILURE : E4ERR_EXIT_OK;
}

int cmd_replay(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *name, *shown;
	bool json = false;
	FILE *f;
	int c, status;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jhV", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return E4ERR_EXIT_OK;
		case 'V':
			print_version(stdout);
			return E4ERR_EXIT_OK;
		default:
			if (optopt)
				return cli_usage_error("replay", _("unknown option '-%c'"),
						   optopt);
			return cli_usage_error("replay", _("unknown option '%s'"),
					   argv[optind - 1]);
		}
	}
	if (argc == optind)
		return cli_usage_error("replay", _("no FILE given"));
	if (argc - optind > 1)
		return cli_usage_error("replay", _("more than one FILE given ('%s')"),
				   argv[optind + 1]);

	name = argv[optind];
	shown = strcmp(name, "-") ? name : _("standard input");
	f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	if (!f) {
		com_err(program_name, errno, _("while opening %s"), shown);
		return E4ERR_EXIT_FAILURE;
	}
	status = replay(f, shown, json);
	if (f != stdin)
		fclose(f);
	return status;
}
