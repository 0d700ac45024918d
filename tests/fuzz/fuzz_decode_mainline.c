/*
 * fuzz_decode_mainline.c --- libFuzzer target: arbitrary bytes through the
 * mainline FAN_FS_ERROR decoder as if one read(2) had returned them.  Every
 * event is checked against what any decoded event must satisfy and every
 * field is read; a violation aborts, so libFuzzer keeps the input.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "decode.h"
#include "decode_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the fields go, so reading them cannot be optimised away. */
static volatile uint64_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	const char *why;
	size_t n = 0;

	e4err_decoder_init(&d, E4ERR_ABI_MAINLINE, data, size);
	while (e4err_decode_next(&d, &ev) == 1) {
		/* Every call advances: more events than bytes means a loop. */
		if (++n > size + 1)
			abort();
		why = event_violation(&ev, size);
		if (why) {
			fprintf(stderr, "event %zu: %s\n", n, why);
			abort();
		}
		sink += event_touch(&ev);
	}
	return 0;
}
