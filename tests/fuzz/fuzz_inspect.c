/*
 * fuzz_inspect.c --- libFuzzer target: the inspector (e4err_inspect(), in
 * this process, not the child wrapper) on fuzzed filesystem images.
 *
 * The input is a whole image (the seeds in corpus/fuzz_inspect/ are small
 * ext2/3/4 filesystems of several feature profiles, made by
 * mkseeds-inspect.sh).  It is written to a memfd (zero-padded to whole
 * KiB, at least 64 KiB), inspected through /proc/self/fd/N, and the result
 * turned into JSON as `e4errd inspect --json` does.  The first 16 bytes of
 * the image, which ext2/3/4 never use, say what to ask for (the seeds name
 * an interesting file there):
 *
 *   bytes 0-3   inode (little endian), 0: none
 *   bytes 4-11  block, 0: none
 *   bytes 12-15 generation; byte 15's top bit: ask with a generation
 *
 * Every input is inspected four ways: that request (when it names
 * anything), the root directory (2), the first ordinary inode (12) with
 * the request's block, and a block alone (the request's, else 40) with a
 * group (byte 12).
 *
 * Beyond "no crash, hang, leak or out-of-bounds read" in our code: the
 * verdict is one of the four, every string of the result is terminated
 * inside its array, the finding count is within bounds, and an
 * inconclusive verdict says why.  libext2fs is not hardened against
 * hostile metadata: a crash inside libext2fs itself (the stack says so)
 * is reported upstream, not worked around here.
 *
 * The inspector looks again after E4ERR_INSPECT_RECHECK_DELAY_MS at
 * damage it found, to let a live update land; nothing is live here, so
 * that one pause is skipped (nanosleep below) -- any other sleep is real.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <jansson.h>

#include "inspect.h"
#include "inspect_json.h"

#define MAX_IMAGE	(4 * 1024 * 1024)
/*
 * The device is at least this big, in whole KiB: a shortened input reads
 * as zeros past its end, as a device would, so the fuzzer's many erasures
 * do not all end in a short read of the superblock.
 */
#define MIN_IMAGE	(64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int nanosleep(const struct timespec *req, struct timespec *rem);

/* The inspector's re-check pause returns at once; other sleeps are real. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req && req->tv_sec == 0 &&
	    req->tv_nsec == E4ERR_INSPECT_RECHECK_DELAY_MS * 1000000L)
		return 0;
	return (int)syscall(SYS_nanosleep, req, rem);
}

static int image_fd = -1;
static char image_path[64];

static void terminated(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

static void check(const struct e4err_inspection *out)
{
	uint32_t i;

	if (out->verdict != E4ERR_VERDICT_INCONCLUSIVE &&
	    out->verdict != E4ERR_VERDICT_NOT_CONFIRMED &&
	    out->verdict != E4ERR_VERDICT_CONFIRMED &&
	    out->verdict != E4ERR_VERDICT_STALE)
		abort();
	terminated(out->reason, sizeof(out->reason));
	terminated(out->device, sizeof(out->device));
	terminated(out->truncated_what, sizeof(out->truncated_what));
	terminated(out->sb.volume_name, sizeof(out->sb.volume_name));
	terminated(out->sb.first_error.function,
		   sizeof(out->sb.first_error.function));
	terminated(out->sb.last_error.function,
		   sizeof(out->sb.last_error.function));
	terminated(out->inode.type, sizeof(out->inode.type));
	terminated(out->inode.map, sizeof(out->inode.map));
	terminated(out->block.role, sizeof(out->block.role));
	if (out->verdict == E4ERR_VERDICT_INCONCLUSIVE && !out->reason[0])
		abort();
	if (out->nfindings > E4ERR_INSPECT_MAX_FINDINGS)
		abort();
	for (i = 0; i < out->nfindings; i++) {
		const struct e4err_finding *f = &out->findings[i];

		if (f->id <= E4ERR_F_NONE || f->id >= E4ERR_F_MAX)
			abort();
		terminated(f->code, sizeof(f->code));
		terminated(f->object, sizeof(f->object));
		terminated(f->message, sizeof(f->message));
		if (strcmp(f->code, e4err_finding_code_name(f->id)))
			abort();
	}
}

static void inspect(const struct e4err_inspect_request *req)
{
	struct e4err_inspection *out = malloc(sizeof(*out));
	json_t *j;
	char *text;

	if (!out)
		abort();
	if (e4err_inspect(req, out))
		abort();
	check(out);
	j = e4err_inspection_to_json(out, NULL);
	if (!j)
		abort();
	text = json_dumps(j, JSON_COMPACT);
	if (!text)
		abort();
	free(text);
	json_decref(j);
	free(out);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		(uint32_t)p[3] << 24;
}

static bool write_image(const uint8_t *data, size_t size)
{
	size_t done = 0;
	ssize_t n;

	if (image_fd < 0) {
		image_fd = memfd_create("fuzz_inspect", MFD_CLOEXEC);
		if (image_fd < 0)
			abort();
		snprintf(image_path, sizeof(image_path), "/proc/self/fd/%d",
			 image_fd);
	}
	/* Truncate first: nothing of the previous image may remain. */
	if (ftruncate(image_fd, 0) ||
	    ftruncate(image_fd, size < MIN_IMAGE ? MIN_IMAGE :
		      (off_t)((size + 1023) & ~(size_t)1023)))
		return false;
	while (done < size) {
		n = pwrite(image_fd, data + done, size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct e4err_inspect_request req, base;
	uint32_t ino = 0, gen = 0;
	uint64_t blk = 0;

	if (size > MAX_IMAGE || !write_image(data, size))
		return 0;
	if (size >= 16) {
		ino = le32(data);
		blk = le32(data + 4) | (uint64_t)le32(data + 8) << 32;
		gen = le32(data + 12);
	}
	memset(&base, 0, sizeof(base));
	base.device = image_path;

	req = base;
	req.has_inode = ino != 0;
	req.inode = ino;
	req.has_generation = ino && (gen & 0x80000000u);
	req.generation = gen & 0x7fffffffu;
	req.has_block = blk != 0;
	req.block = blk;
	req.has_error = true;
	req.error = 74;
	if (req.has_inode || req.has_block)
		inspect(&req);

	req = base;
	req.has_inode = true;
	req.inode = 2;
	req.function = "ext4_lookup";
	inspect(&req);

	req = base;
	req.has_inode = true;
	req.inode = 12;
	req.has_block = blk != 0;
	req.block = blk;
	req.function = "htree_dirblock_to_tree";
	req.has_error = true;
	req.error = 117;
	inspect(&req);

	req = base;
	req.has_block = true;
	req.block = blk ? blk : 40;
	req.has_group = true;
	req.group = gen & 0xff;
	inspect(&req);
	return 0;
}
