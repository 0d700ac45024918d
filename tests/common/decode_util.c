/*
 * decode_util.c --- helpers for testing the decode stage (see the header).
 */
#include <stdio.h>
#include <string.h>

#include "decode_util.h"

size_t decode_all(enum e4err_abi abi, const void *buf, size_t len,
		  struct e4err_event *evs, size_t max)
{
	struct e4err_decoder d;
	struct e4err_event ev;
	size_t n = 0;

	e4err_decoder_init(&d, abi, buf, len);
	while (e4err_decode_next(&d, &ev)) {
		if (n < max)
			evs[n] = ev;
		if (++n > len + 1)
			return SIZE_MAX;
	}
	return n;
}

/* A string field: NUL-terminated inside its array, no byte after the NUL. */
static int bad_string(const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);
	size_t i;

	if (!nul)
		return 1;
	for (i = (size_t)(nul - s); i < size; i++)
		if (s[i])
			return 1;
	return 0;
}

const char *event_violation(const struct e4err_event *ev, size_t len)
{
	if (ev->offset >= len)
		return "event starts outside the buffer";
	if (ev->nwarnings > E4ERR_MAX_WARNINGS)
		return "more warnings than the array holds";
	if (ev->warnings_dropped && ev->nwarnings != E4ERR_MAX_WARNINGS)
		return "warnings dropped before the array was full";
	if (!ev->skipped && ev->offset + ev->event_len > len)
		return "decoded event runs past the buffer";
	if (ev->skipped && ev->nwarnings == 0)
		return "skipped event carries no warning";
	if (ev->skipped && (ev->has_error || ev->has_inode || ev->has_desc ||
			    ev->has_function || ev->has_pidfd || ev->fd != -1))
		return "skipped event has fields";
	if (bad_string(ev->function, sizeof(ev->function)))
		return "function not a clean NUL-terminated string";
	if (bad_string(ev->desc, sizeof(ev->desc)))
		return "desc not a clean NUL-terminated string";
	if (ev->desc_len > E4ERR_RFC_DESC_LEN || ev->desc[ev->desc_len] ||
	    memchr(ev->desc, '\0', ev->desc_len))
		return "desc_len does not match desc";
	if (!ev->has_desc && ev->desc_len)
		return "desc_len without desc";
	if (!ev->has_function && ev->function[0])
		return "function without has_function";
	if (ev->inode_is_placeholder && (!ev->has_inode || ev->inode != 2))
		return "placeholder flag on an inode other than 2";
	if (ev->abi == E4ERR_ABI_MAINLINE && ev->has_inode &&
	    ev->inode > UINT32_MAX)
		return "mainline inode wider than its 32-bit handle";
	if (ev->abi == E4ERR_ABI_RFC &&
	    ((ev->has_inode && ev->inode == UINT64_MAX) ||
	     (ev->has_block && ev->block == UINT64_MAX)))
		return "(u64)-1 kept as a value";
	return NULL;
}

uint64_t event_touch(const struct e4err_event *ev)
{
	uint64_t h = 0;
	char buf[256];
	unsigned int i;

	h += ev->abi + ev->offset + ev->event_len + ev->mask +
	     (uint32_t)ev->pid + (uint32_t)ev->fd + ev->overflow + ev->skipped;
	h += ev->has_error + (uint32_t)ev->error + ev->has_error_count +
	     ev->error_count + ev->has_fsid + ev->fsid[0] + ev->fsid[1];
	h += ev->has_inode + ev->inode + ev->inode_is_placeholder +
	     ev->has_generation + ev->generation + ev->has_block + ev->block;
	h += ev->has_function + strlen(ev->function) + ev->has_line +
	     (uint32_t)ev->line + ev->has_desc + ev->desc_len;
	for (i = 0; i < ev->desc_len; i++)
		h = h * 31 + (unsigned char)ev->desc[i];
	h += ev->has_pidfd + (uint32_t)ev->pidfd + ev->warnings_dropped;
	h += strlen(e4err_error_name(ev->error, buf, sizeof(buf)));
	for (i = 0; i < ev->nwarnings && i < E4ERR_MAX_WARNINGS; i++)
		h += strlen(e4err_warning_text(&ev->warnings[i], buf,
					       sizeof(buf)));
	return h;
}

uint64_t test_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

long read_file_bytes(const char *path, void *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, max, f);
	if (ferror(f) || (n == max && fgetc(f) != EOF)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return (long)n;
}
