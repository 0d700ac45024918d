/*
 * mkcapture.c --- write a capture file from raw read(2) dumps, for tests
 * and fuzz seeds: the same writer `e4errd watch --capture` uses.
 *
 *   mkcapture OUT ABI:TIME_NS:GROUP:FILE...
 *
 * OUT is created (or "-" for standard output); each argument after it
 * appends one record holding FILE's bytes, tagged rfc or mainline.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <et/com_err.h>

#include "capture.h"
#include "decode.h"
#include "e4err_err.h"

static const char *prog = "mkcapture";

/* The bytes of path, at most E4ERR_CAPTURE_MAX_RECORD + 1 of them. */
static unsigned char *slurp(const char *path, uint32_t *len)
{
	unsigned char *buf = malloc(E4ERR_CAPTURE_MAX_RECORD + 1);
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!buf || !f) {
		com_err(prog, errno, "while opening %s", path);
		exit(1);
	}
	n = fread(buf, 1, E4ERR_CAPTURE_MAX_RECORD + 1, f);
	if (ferror(f)) {
		com_err(prog, errno, "while reading %s", path);
		exit(1);
	}
	fclose(f);
	*len = n;
	return buf;
}

/* One ABI:TIME_NS:GROUP:FILE argument, appended to out. */
static void add_record(FILE *out, char *spec)
{
	char *abi_s = strtok(spec, ":"), *time_s = strtok(NULL, ":");
	char *group_s = strtok(NULL, ":"), *path = strtok(NULL, "");
	enum e4err_abi abi;
	unsigned char *data;
	errcode_t err;
	uint32_t len;

	if (!path || e4err_abi_parse(abi_s, &abi)) {
		fprintf(stderr, "%s: bad record spec (want ABI:TIME_NS:GROUP:FILE)\n",
			prog);
		exit(2);
	}
	data = slurp(path, &len);
	err = e4err_capture_write(out, abi, strtoull(time_s, NULL, 0),
				  (uint32_t)strtoul(group_s, NULL, 0), data, len);
	free(data);
	if (err) {
		com_err(prog, err, "while writing the record for %s", path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	errcode_t err;
	FILE *out;
	int i;

	add_error_table(&et_e4er_error_table);
	if (argc < 2) {
		fprintf(stderr, "Usage: %s OUT ABI:TIME_NS:GROUP:FILE...\n", prog);
		return 2;
	}
	out = strcmp(argv[1], "-") ? fopen(argv[1], "wb") : stdout;
	if (!out) {
		com_err(prog, errno, "while creating %s", argv[1]);
		return 1;
	}
	err = e4err_capture_write_header(out);
	if (err) {
		com_err(prog, err, "while writing the header of %s", argv[1]);
		return 1;
	}
	for (i = 2; i < argc; i++)
		add_record(out, argv[i]);
	if (fclose(out)) {
		com_err(prog, errno, "while closing %s", argv[1]);
		return 1;
	}
	return 0;
}
