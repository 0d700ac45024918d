/*
 * fuzz_capture.c --- libFuzzer target: the capture reader over arbitrary
 * bytes, then every record through the decoder of its ABI and both output
 * forms, as `e4errd replay` does.  Nothing in a capture file may crash,
 * hang, read out of bounds or allocate without bound.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "capture.h"
#include "decode.h"
#include "format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_record(const struct e4err_capture_record *rec, FILE *sink)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	json_t *obj;
	unsigned int n = 0;

	e4err_decoder_init(&d, rec->abi, rec->data, rec->len);
	while (e4err_decode_next(&d, &ev) == 1) {
		/* Every call advances: more events than bytes means a loop. */
		if (++n > rec->len + 1)
			abort();
		obj = e4err_event_to_json(&ev);
		if (!obj)
			abort();
		json_decref(obj);
		e4err_event_print_text(sink, &ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *sink;
	struct e4err_capture_reader *r;
	struct e4err_capture_record rec;
	int eof = 0;

	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!sink || e4err_capture_open_mem(data, size, &r))
		return 0;
	while (!e4err_capture_read(r, &rec, &eof) && !eof) {
		/* The reader promises these; check them on every record. */
		if (rec.len > E4ERR_CAPTURE_MAX_RECORD ||
		    (rec.abi != E4ERR_ABI_RFC && rec.abi != E4ERR_ABI_MAINLINE) ||
		    (rec.len && rec.data < data) ||
		    (rec.len && rec.data + rec.len > data + size))
			abort();
		decode_record(&rec, sink);
	}
	e4err_capture_close(r);
	return 0;
}
