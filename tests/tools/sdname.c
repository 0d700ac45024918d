/*
 * sdname.c --- lib/sdunit's names, for shell tests comparing them with
 * systemd-escape and e2scrub_all.
 *
 *   sdname escape-path PATH      as systemd-escape --path
 *   sdname e2scrub MOUNTPOINT    the e2scrub@ unit of a mount point
 *   sdname mountpoint UNIT       the mount point an e2scrub@ unit names
 *
 * Prints the result and a newline; exit 1 with the error otherwise.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>

#include "sdunit.h"

int main(int argc, char **argv)
{
	errcode_t retval;
	char *out = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: sdname escape-path|e2scrub|mountpoint ARG\n");
		return 2;
	}
	if (!strcmp(argv[1], "escape-path"))
		retval = e4err_systemd_escape_path(argv[2], &out);
	else if (!strcmp(argv[1], "e2scrub"))
		retval = e4err_e2scrub_unit_name(argv[2], &out);
	else if (!strcmp(argv[1], "mountpoint"))
		retval = e4err_e2scrub_unit_mountpoint(argv[2], &out);
	else
		return 2;
	if (retval) {
		com_err("sdname", retval, "on '%s'", argv[2]);
		return 1;
	}
	printf("%s\n", out);
	free(out);
	return 0;
}
