/*
 * fuzz_kmsg.c --- libFuzzer target: arbitrary bytes as /dev/kmsg records.
 *
 * The input is cut into records at NUL bytes (read(2) of /dev/kmsg returns
 * one record each) and fed to the assembler; the whole input is also
 * parsed as one record and as one line of text.  The kernel's bytes are
 * trusted only so far: comm, path and message are anybody's.  Beyond "no
 * crash, hang or out-of-bounds read": every line passed on is of a known
 * kind, every string is NUL-terminated within its bound and as long as
 * its length says (or holds NULs the length covers), and the assembler
 * never passes on more lines than it was fed records.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint64_t sink;

static void check_str(const char *s, size_t len, size_t max)
{
	if (len > max || s[len] != '\0' || strlen(s) > len)
		abort();
}

static void check_line(const struct e4err_klog *l)
{
	if (l->kind < E4ERR_KLOG_ERROR || l->kind > E4ERR_KLOG_LOST)
		abort();
	if (strlen(l->device) > E4ERR_KLOG_DEVICE_MAX ||
	    strlen(l->function) > E4ERR_FUNCTION_MAX ||
	    strlen(l->suppressor) > E4ERR_FUNCTION_MAX)
		abort();
	check_str(l->comm, l->comm_len, E4ERR_KLOG_COMM_MAX);
	check_str(l->path, l->path_len, E4ERR_KLOG_PATH_MAX);
	check_str(l->msg, l->msg_len, E4ERR_KLOG_MSG_MAX);
	if ((l->kind == E4ERR_KLOG_ERROR || l->kind == E4ERR_KLOG_STD_ERROR ||
	     l->kind == E4ERR_KLOG_GROUP_ERROR) &&
	    (!l->has_device || !l->has_function || !l->has_line))
		abort();
	if (l->kind == E4ERR_KLOG_GROUP_ERROR && !l->has_group)
		abort();
	if (l->partial && l->kind != E4ERR_KLOG_GROUP_ERROR)
		abort();
	sink += l->inode + l->block + l->line + l->group + l->seq +
		l->suppressed + l->suppressed_before;
}

static void on_line(void *arg, const struct e4err_klog *l)
{
	(*(size_t *)arg)++;
	check_line(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nul;
	struct e4err_kmsg_asm *a = malloc(sizeof(*a));
	struct e4err_kmsg_record rec;
	struct e4err_klog l;
	size_t records = 0, lines = 0;

	if (!a)
		return 0;
	if (e4err_klog_parse(p, size, &l) != E4ERR_KLOG_NONE)
		check_line(&l);
	if (!e4err_kmsg_record_parse(p, size, &rec) &&
	    (rec.text < p || rec.text + rec.text_len > end))
		abort();
	e4err_kmsg_asm_init(a);
	while (p < end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		if (!nul)
			nul = end;
		e4err_kmsg_asm_feed(a, p, (size_t)(nul - p), on_line, &lines);
		records++;
		p = nul + 1;
	}
	e4err_kmsg_asm_flush(a, on_line, &lines);
	if (lines > records || lines != a->stats.lines ||
	    e4err_kmsg_asm_waiting(a))
		abort();
	free(a);
	return 0;
}
