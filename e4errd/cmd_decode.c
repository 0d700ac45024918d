/*
 * cmd_decode.c --- `e4errd decode`: decode the bytes one read(2) of a
 * fanotify descriptor returned, saved in a file.
 *
 * The ABI is given, never guessed: the two kernels' streams are not
 * distinguishable from their bytes.  Oddities in the bytes are warnings on
 * the events, not failures; only an unreadable file fails.  Descriptors
 * named in the events (fd, pidfd) belonged to the process that read them
 * and mean nothing here: they are shown, never closed.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>

#include "cmd.h"
#include "decode.h"
#include "e4err_err.h"
#include "format.h"
#include "nls.h"

/* No read(2) of a fanotify descriptor comes near this. */
#define DECODE_MAX_INPUT	(16U << 20)

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s decode --abi=rfc|mainline [--json] FILE\n\n"),
		program_name);
	fputs(_("Decode the bytes one read(2) of a fanotify descriptor returned.\n"
		"FILE (\"-\" for standard input) holds exactly those bytes.\n\n"
		"  -a, --abi=rfc|mainline  the kernel ABI that wrote them; never guessed\n"
		"  -j, --json              one JSON object per event per line\n"
		"  -h, --help              show this help and exit\n"
		"  -V, --version           show the version and exit\n"), f);
}


/*
 * Read all of f into *bufp, refusing more than DECODE_MAX_INPUT bytes.
 * Returns 0 or an errno value (EFBIG when too large).
 */
static errcode_t read_all(FILE *f, unsigned char **bufp, size_t *lenp)
{
	size_t size = 65536, len = 0, n;
	unsigned char *buf = NULL, *nb;

	for (;;) {
		nb = realloc(buf, size);
		if (!nb) {
			free(buf);
			return ENOMEM;
		}
		buf = nb;
		errno = 0;
		n = fread(buf + len, 1, size - len, f);
		len += n;
		if (len > DECODE_MAX_INPUT) {
			free(buf);
			return EFBIG;
		}
		if (len < size) {
			if (ferror(f)) {
				free(buf);
				return errno ? errno : EIO;
			}
			break;
		}
		/* Room for one byte past the limit, to notice a file that is. */
		size = size * 2 > DECODE_MAX_INPUT ? DECODE_MAX_INPUT + 1 : size * 2;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Read FILE ("-" is standard input) whole; com_err names it on failure. */
static int load_file(const char *name, unsigned char **buf, size_t *len)
{
	const char *shown = strcmp(name, "-") ? name : _("standard input");
	FILE *f = strcmp(name, "-") ? fopen(name, "rb") : stdin;
	errcode_t err;

	if (!f) {
		com_err(program_name, errno, _("while opening %s"), shown);
		return -1;
	}
	err = read_all(f, buf, len);
	if (f != stdin)
		fclose(f);
	if (err == EFBIG)
		com_err(program_name, err,
			_("while reading %s: no read(2) of a fanotify descriptor is larger than %u MiB"),
			shown, DECODE_MAX_INPUT >> 20);
	else if (err)
		com_err(program_name, err, _("while reading %s"), shown);
	return err ? -1 : 0;
}

/* Decode and print every event; 0 or an errno from writing the output. */
static int decode_and_print(enum e4err_abi abi, const unsigned char *buf,
			    size_t len, bool json)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	int err = 0;

	e4err_decoder_init(&d, abi, buf, len);
	while (!err && e4err_decode_next(&d, &ev) == 1)
		err = json ? e4err_event_print_json(stdout, &ev) :
			e4err_event_print_text(stdout, &ev);
	if (!err && fflush(stdout))
		err = errno ? errno : EIO;
	return err;
}

int cmd_decode(int argc, char **argv)
{
	static const struct option options[] = {
		{ "abi", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	enum e4err_abi abi = E4ERR_ABI_NONE;
	unsigned char *buf = NULL;
	bool json = false;
	size_t len = 0;
	int c, err;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":a:jhV", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (e4err_abi_parse(optarg, &abi))
				return cli_usage_error("decode", _("unknown ABI '%s': use rfc or mainline"),
						   optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return E4ERR_EXIT_OK;
		case 'V':
			print_version(stdout);
			return E4ERR_EXIT_OK;
		case ':':
			return cli_usage_error("decode", _("option '%s' needs an argument"),
					   argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("decode", _("unknown option '-%c'"),
						   optopt);
			return cli_usage_error("decode", _("unknown option '%s'"),
					   argv[optind - 1]);
		}
	}
	if (abi == E4ERR_ABI_NONE)
		return cli_usage_error("decode", _("--abi=rfc or --abi=mainline is required: the kernel ABI is never guessed"));
	if (argc == optind)
		return cli_usage_error("decode", _("no FILE given"));
	if (argc - optind > 1)
		return cli_usage_error("decode", _("more than one FILE given ('%s')"),
				   argv[optind + 1]);

	if (load_file(argv[optind], &buf, &len))
		return E4ERR_EXIT_FAILURE;
	err = decode_and_print(abi, buf, len, json);
	free(buf);
	if (err) {
		com_err(program_name, err, _("while writing to standard output"));
		return E4ERR_EXIT_FAILURE;
	}
	return E4ERR_EXIT_OK;
}
