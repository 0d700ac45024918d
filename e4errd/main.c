/*
 * main.c --- e4errd command dispatch.
 *
 * e4errd reacts to ext4 error reports: it decodes the kernel's fanotify
 * events, inspects the damage read-only, records it, and queues checks.
 * Each subcommand lives in its own file; this one only picks it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>
#include <ext2fs/ext2fs.h>

#include "cmd.h"
#include "e4err_err.h"
#include "nls.h"

const char *program_name = "e4errd";

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "watch", cmd_watch, N_("print filesystem error events as they happen") },
	{ "decode", cmd_decode, N_("decode the bytes of one read(2) of a fanotify descriptor") },
	{ "replay", cmd_replay, N_("decode a capture file written by watch --capture") },
	{ "inspect", cmd_inspect, N_("look at an inode or block on a device, read-only") },
	{ "report", cmd_report, N_("show the recorded errors, verdicts and checks") },
	{ "daemon", cmd_daemon, N_("record, inspect and keep every error report (the service)") },
	{ "check", cmd_check, N_("run e2fsck on an unmounted filesystem behind e4errd's gates") },
	{ "record-scrub", cmd_record_scrub, N_("record an e2scrub@ unit's run (its systemd drop-in)") },
	{ "status", cmd_status, N_("show what the running daemon is doing now") },
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	const struct command *c;

	fprintf(f, _("Usage: %s COMMAND [OPTIONS] [ARGS]\n\n"), program_name);
	fprintf(f, _("React to ext4 filesystem error reports.\n\nCommands:\n"));
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, _(c->summary));
	fprintf(f, _("\n'%s COMMAND --help' describes a command's options.\n"),
		program_name);
}

void print_version(FILE *f)
{
	const char *lib_ver = NULL;

	ext2fs_get_library_version(&lib_ver, NULL);
	fprintf(f, _("%s %s (libext2fs %s)\n"), program_name, PACKAGE_VERSION,
		lib_ver ? lib_ver : "?");
}

static void init_nls(void)
{
#ifdef ENABLE_NLS
	setlocale(LC_MESSAGES, "");
	setlocale(LC_CTYPE, "");
	bindtextdomain(PACKAGE_TARNAME, LOCALEDIR);
	textdomain(PACKAGE_TARNAME);
	set_com_err_gettext(gettext);
#endif
	add_error_table(&et_e4er_error_table);
	add_error_table(&et_ext2_error_table);
}

int main(int argc, char **argv)
{
	const struct command *c;

	init_nls();
	if (argc < 2) {
		usage(stderr);
		return E4ERR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return E4ERR_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		print_version(stdout);
		return E4ERR_EXIT_OK;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	com_err(program_name, 0, _("unknown command '%s'"), argv[1]);
	usage(stderr);
	return E4ERR_EXIT_USAGE;
}
