/*
 * mkseeds.c --- write the seed corpora of the decoder fuzzers from the
 * kernel encoder in tests/common/kenc.c:
 *
 *   mkseeds CORPUS_DIR [FIXTURES_DIR]
 *
 * fills CORPUS_DIR/fuzz_decode_rfc/ and CORPUS_DIR/fuzz_decode_mainline/
 * (created if missing) with small read() buffers: typical events, several
 * per read, every record kind, and one of each malformation the decoder
 * warns about.  With FIXTURES_DIR, the real captures mainline-*.bin found
 * there are copied into the mainline corpus too.  The corpora in the
 * source tree were made with
 *
 *   tests/tools/mkseeds $srcdir/tests/fuzz/corpus $srcdir/tests/fixtures
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode_util.h"
#include "kenc.h"

#define STORE_SIZE	8192

static const char *prog = "mkseeds";
static int failures;

static void save(const char *dir, const char *name, const void *buf,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
			strerror(errno));
		failures++;
	}
}

static void put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

/* One ext4 event with the given shape; returns what read() returned. */
static size_t rfc_one(unsigned char *s, const char *function, uint64_t ino,
		      uint64_t block, int32_t error, const char *msg)
{
	struct kenc_buf b;
	struct kenc_ext4_error e = {
		.pid = 4321, .error = error, .fsid = { 0xc8e55b6e, 0xa120bd02 },
		.function = function, .line = 1712, .ino = ino, .block = block,
		.msg = msg,
	};

	kenc_init(&b, s, STORE_SIZE);
	kenc_rfc_ext4(&b, &e);
	return b.len;
}

/* Several events of varied shapes in one read. */
static size_t rfc_many(unsigned char *s, int n)
{
	static const char *const funcs[] = {
		"ext4_lookup", "__ext4_find_entry", NULL, "ext4_iget",
		"ext4_mb_generate_buddy",
	};
	struct kenc_buf b;
	char msg[64];

	kenc_init(&b, s, STORE_SIZE);
	for (int i = 0; i < n; i++) {
		struct kenc_ext4_error e = {
			.pid = 100 + i, .error = i % 3 ? 0 : 117,
			.fsid = { 1, 2 }, .function = funcs[i % 5],
			.line = 10 * i, .ino = i % 4 ? 11 + i : 2,
			.block = i % 2 ? 500 + i : 0, .msg = msg,
		};

		snprintf(msg, sizeof(msg), "error number %d", i);
		kenc_rfc_ext4(&b, &e);
	}
	return b.len;
}

static void rfc_typical(const char *dir, unsigned char *s)
{
	char msg[400];
	size_t len;

	save(dir, "golden", s, rfc_one(s, "ext4_lookup", 12, 0, 0,
				       "deleted inode referenced: 13"));
	save(dir, "two", s, rfc_many(s, 2));
	save(dir, "five", s, rfc_many(s, 5));
	save(dir, "twenty", s, rfc_many(s, 20));
	save(dir, "root-placeholder", s, rfc_one(s, "ext4_put_super", 2, 0,
						 0, "Couldn't clean up"));
	save(dir, "no-inode", s, rfc_one(s, "ext4_journal_check_start", 0,
					 0, -30, "Detected aborted journal"));
	save(dir, "block", s, rfc_one(s, "ext4_ext_check", 17, 9001, 117,
				      "bad header/extent"));
	save(dir, "negative", s, rfc_one(s, "ext4_reserve_inode_write", 13,
					 0, -5, "IO failure"));
	memset(msg, 'd', 300);
	msg[300] = '\0';
	save(dir, "long-desc", s, rfc_one(s, "ext4_lookup", 12, 0, 0, msg));
	memset(msg, 'f', 200);
	msg[200] = '\0';
	save(dir, "long-function", s, rfc_one(s, msg, 12, 0, 0, "m"));
	save(dir, "empty-function", s, rfc_one(s, "", 12, 0, 0, "m"));
	len = rfc_many(s, 2);
	save(dir, "cut-inside-second", s, len - 100);
	save(dir, "cut-trailing", s, 316 + 10);
}

/* The golden event, then one byte-level change, saved as name. */
static void rfc_mutant(const char *dir, unsigned char *s, const char *name,
		       size_t off, size_t width, uint32_t value, size_t extra)
{
	size_t len = rfc_one(s, "ext4_lookup", 12, 0, 0,
			     "deleted inode referenced: 13");

	if (width == 1)
		s[off] = (unsigned char)value;
	else if (width == 2)
		put16(s + off, (uint16_t)value);
	else
		put32(s + off, value);
	save(dir, name, s, len + extra);
}

static void rfc_malformed(const char *dir, unsigned char *s)
{
	rfc_mutant(dir, s, "unknown-record", 44, 1, 9, 0);
	rfc_mutant(dir, s, "zero-len-record", 46, 2, 0, 0);
	rfc_mutant(dir, s, "duplicate-error", 44, 1, 5, 0);
	rfc_mutant(dir, s, "error-version-2", 28, 4, 2, 0);
	rfc_mutant(dir, s, "short-error", 26, 2, 8, 0);
	rfc_mutant(dir, s, "metadata-vers-2", 4, 1, 2, 0);
	rfc_mutant(dir, s, "metadata-len-16", 6, 2, 16, 0);
	rfc_mutant(dir, s, "overrun-28", 66, 2, 280, 0);
	rfc_mutant(dir, s, "exact-fit", 0, 4, 340, 24);
	rfc_mutant(dir, s, "event-len-huge", 0, 4, 0xffffffffU, 0);
	rfc_mutant(dir, s, "event-len-10", 0, 4, 10, 0);
	rfc_mutant(dir, s, "trailing", 0, 1, 0x3c, 10);
	rfc_mutant(dir, s, "open-fd", 16, 4, 7, 0);
	rfc_mutant(dir, s, "mask-overflow", 8, 4, 0x4000, 0);
	rfc_mutant(dir, s, "mask-extra-bit", 8, 4, 0x00100001, 0);
	rfc_mutant(dir, s, "function-unterminated", 63, 1, 'X', 0);
	rfc_mutant(dir, s, "fsdata-short", 66, 2, 12, 0);
}

static size_t ml_events(unsigned char *s, const struct kenc_ml_event *e,
			int n)
{
	struct kenc_buf b;

	kenc_init(&b, s, STORE_SIZE);
	for (int i = 0; i < n; i++)
		kenc_ml_event(&b, &e[i]);
	return b.len;
}

static const struct kenc_ml_event ml_dir = {
	.mask = KENC_FAN_FS_ERROR, .pid = 11178,
	.fsid = { 0x20f339eb, 0x255cccaa }, .has_inode = true, .ino = 12,
	.gen = 0x5eed1234, .error = 74, .error_count = 1,
};

static void ml_typical(const char *dir, unsigned char *s)
{
	struct kenc_ml_event e[6];
	struct kenc_buf b;

	for (int i = 0; i < 6; i++)
		e[i] = ml_dir;
	save(dir, "inode", s, ml_events(s, e, 1));
	e[1].has_inode = false;
	e[1].error = 117;
	save(dir, "two", s, ml_events(s, e, 2));
	e[0].error = -5;
	e[0].has_inode = false;
	save(dir, "negative", s, ml_events(s, e, 1));
	e[0].error = 108;
	save(dir, "shutdown", s, ml_events(s, e, 1));
	e[0] = ml_dir;
	e[0].error_count = 5;
	save(dir, "merged", s, ml_events(s, e, 1));
	for (int i = 0; i < 6; i++) {
		e[i].pidfd_mode = true;
		e[i].pidfd = i - 2;
		e[i].ino = 100 + i;
		e[i].error_first = i == 3;
	}
	save(dir, "pidfd-six", s, ml_events(s, e, 6));
	e[0].error_first = true;
	save(dir, "error-first", s, ml_events(s, e, 1));
	kenc_init(&b, s, STORE_SIZE);
	kenc_ml_event(&b, &ml_dir);
	kenc_ml_overflow(&b);
	kenc_ml_event(&b, &ml_dir);
	save(dir, "overflow-between", s, b.len);
	save(dir, "cut", s, b.len - 30);
}

static void ml_mutant(const char *dir, unsigned char *s, const char *name,
		      size_t off, size_t width, uint32_t value, size_t extra)
{
	size_t len = ml_events(s, &ml_dir, 1);

	if (width == 1)
		s[off] = (unsigned char)value;
	else if (width == 2)
		put16(s + off, (uint16_t)value);
	else
		put32(s + off, value);
	save(dir, name, s, len + extra);
}

static void ml_malformed(const char *dir, unsigned char *s)
{
	ml_mutant(dir, s, "handle-parent", 40, 4, 2, 0);
	ml_mutant(dir, s, "handle-invalid-bytes", 40, 4, 0xff, 0);
	ml_mutant(dir, s, "handle-bytes-huge", 36, 4, 0x10000, 0);
	ml_mutant(dir, s, "unknown-record", 24, 1, 6, 0);
	ml_mutant(dir, s, "zero-len-record", 26, 2, 0, 0);
	ml_mutant(dir, s, "short-error", 54, 2, 8, 0);
	ml_mutant(dir, s, "error-overruns", 54, 2, 16, 0);
	ml_mutant(dir, s, "duplicate-fid", 52, 1, 1, 0);
	ml_mutant(dir, s, "metadata-vers-4", 4, 1, 4, 0);
	ml_mutant(dir, s, "event-len-23", 0, 4, 23, 0);
	ml_mutant(dir, s, "metadata-len-32", 6, 2, 32, 0);
	ml_mutant(dir, s, "mask-modify", 8, 4, 2, 0);
	ml_mutant(dir, s, "trailing", 4, 1, 3, 7);
}

/* Copy the real captures FIXTURES_DIR/mainline-*.bin into dir. */
static void copy_fixtures(const char *fixtures, const char *dir)
{
	unsigned char buf[STORE_SIZE];
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(fixtures);
	long n;

	if (!d) {
		fprintf(stderr, "%s: %s: %s\n", prog, fixtures, strerror(errno));
		failures++;
		return;
	}
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, "mainline-", 9) || l < 4 ||
		    strcmp(de->d_name + l - 4, ".bin"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", fixtures, de->d_name);
		n = read_file_bytes(path, buf, sizeof(buf));
		if (n < 0) {
			fprintf(stderr, "%s: cannot read %s\n", prog, path);
			failures++;
			continue;
		}
		save(dir, de->d_name, buf, (size_t)n);
	}
	closedir(d);
}

/* path = corpus/name, created if missing. */
static void make_dir(char *path, size_t size, const char *corpus,
		     const char *name)
{
	snprintf(path, size, "%s/%s", corpus, name);
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create %s: %s\n", prog, path,
			strerror(errno));
		exit(1);
	}
}

int main(int argc, char **argv)
{
	static unsigned char store[STORE_SIZE];
	char rfc[4096], ml[4096];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s CORPUS_DIR [FIXTURES_DIR]\n", prog);
		return 16;
	}
	make_dir(rfc, sizeof(rfc), argv[1], "fuzz_decode_rfc");
	make_dir(ml, sizeof(ml), argv[1], "fuzz_decode_mainline");
	rfc_typical(rfc, store);
	rfc_malformed(rfc, store);
	ml_typical(ml, store);
	ml_malformed(ml, store);
	if (argc == 3)
		copy_fixtures(argv[2], ml);
	return failures ? 1 : 0;
}
