/*
 * cli.c --- small things every subcommand's option parsing shares.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <et/com_err.h>

#include "cmd.h"
#include "nls.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	com_err_va(program_name, 0, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("Try '%s %s --help'.\n"), program_name, cmd);
	return E4ERR_EXIT_USAGE;
}
