/*
 * cmd.h --- the subcommands of e4errd, one file each, dispatched by main.c.
 *
 * Every subcommand parses its own options with getopt_long (argv[0] is the
 * subcommand name), prints --help to stdout, and returns an exit status.
 */
#ifndef E4ERR_CMD_H
#define E4ERR_CMD_H

#include <stdio.h>

extern const char *program_name;

int cmd_decode(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_daemon(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_record_scrub(int argc, char **argv);
int cmd_status(int argc, char **argv);

/* "e4errd 0.1.0" and the library versions it was built with. */
void print_version(FILE *f);

/*
 * Report a usage error of subcommand cmd the com_err way, point at its
 * --help, and return E4ERR_EXIT_USAGE for the caller to return.
 */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Exit statuses shared by the simple subcommands (inspect has its own). */
#define E4ERR_EXIT_OK		0
#define E4ERR_EXIT_FAILURE	1
#define E4ERR_EXIT_USAGE	16

#endif /* E4ERR_CMD_H */
