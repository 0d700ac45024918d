/*
 * inspect.c --- one inspection: open the device read-only, check the
 * superblock, hand the inode, group and block to their checks, re-check
 * any damage once, and judge.
 *
 * Facts this rests on (../shared/DESIGN.md, seen with libext2fs 1.47): a
 * handle kept from an earlier look holds stale descriptors, superblock and
 * inode cache, so every pass opens a new one with "cache=off" and
 * EXT2_FLAG_SUPER_ONLY (only the superblock is read; descriptors are read
 * on demand, fresh) and frees it at the end.  The device is opened by us
 * first so its st_rdev can be checked, and libext2fs reopens that very
 * file through /proc/self/fd.  Never read-write, never exclusive.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "e4err_err.h"
#include "inspect_priv.h"
#include "nls.h"

void ins_add(struct ins_ctx *c, enum e4err_finding_code id,
	     enum e4err_scope scope, errcode_t ec, const char *object,
	     const char *fmt, ...)
{
	struct e4err_inspection *out = c->out;
	struct e4err_finding *f;
	va_list ap;
	uint32_t i;

	for (i = 0; i < out->nfindings; i++)
		if (out->findings[i].id == id &&
		    !strcmp(out->findings[i].object, object))
			return;
	if (out->nfindings >= E4ERR_INSPECT_MAX_FINDINGS) {
		out->findings_dropped = true;
		ins_truncated(c, "findings");
		return;
	}
	f = &out->findings[out->nfindings++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->scope = scope;
	f->errcode = ec;
	snprintf(f->code, sizeof(f->code), "%s", e4err_finding_code_name(id));
	snprintf(f->object, sizeof(f->object), "%s", object);
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
}

void ins_truncated(struct ins_ctx *c, const char *what)
{
	size_t len = strlen(c->out->truncated_what);

	c->out->truncated = true;
	if (strstr(c->out->truncated_what, what))
		return;
	snprintf(c->out->truncated_what + len,
		 sizeof(c->out->truncated_what) - len, "%s%s",
		 len ? "," : "", what);
}

bool ins_block_in_fs(const struct ins_ctx *c, uint64_t blk)
{
	return blk >= c->first_data_block && blk < c->blocks_count;
}

errcode_t ins_read_block(struct ins_ctx *c, uint64_t blk, void *buf)
{
	errcode_t err;

	if (blk >= c->blocks_count)
		return EXT2_ET_BAD_BLOCK_NUM;
	err = io_channel_read_blk64(c->fs->io, blk, 1, buf);
	if (err)	/* a live update or a passing fault: once more */
		err = io_channel_read_blk64(c->fs->io, blk, 1, buf);
	return err;
}

/* The inspection could not look at all: say why, once. */
static void fatal(struct e4err_inspection *out, errcode_t err,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fatal(struct e4err_inspection *out, errcode_t err,
		  const char *fmt, ...)
{
	va_list ap;

	out->verdict = E4ERR_VERDICT_INCONCLUSIVE;
	out->errcode = err ? err : EXT2_ET_SHORT_READ;
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
}

static void sb_error(struct e4err_sb_error *e, uint32_t time, uint8_t time_hi,
		     const uint8_t *func, uint32_t line, uint32_t ino,
		     uint64_t block, uint8_t code)
{
	size_t n;

	e->present = time != 0 || time_hi != 0;
	if (!e->present)
		return;
	e->time = ((uint64_t)time_hi << 32) | time;
	/* s_*_error_func has no NUL when the name fills all 32 bytes. */
	for (n = 0; n < 32 && func[n]; n++)
		e->function[n] = (char)func[n];
	e->function[n] = 0;
	e->line = line;
	e->has_inode = ino != 0;
	e->inode = ino;
	e->has_block = block != 0;
	e->block = block;
	e->errcode = code;
}

static void sb_summary(struct ins_ctx *c)
{
	struct ext2_super_block *sb = c->fs->super;
	struct e4err_sb_summary *s = &c->out->sb;

	c->out->has_sb = true;
	memcpy(s->uuid, sb->s_uuid, sizeof(s->uuid));
	memcpy(s->volume_name, sb->s_volume_name, sizeof(sb->s_volume_name));
	s->volume_name[sizeof(sb->s_volume_name)] = 0;
	s->state = sb->s_state;
	s->errors = sb->s_errors;
	s->error_count = sb->s_error_count;
	sb_error(&s->first_error, sb->s_first_error_time,
		 sb->s_first_error_time_hi, sb->s_first_error_func,
		 sb->s_first_error_line, sb->s_first_error_ino,
		 sb->s_first_error_block, sb->s_first_error_errcode);
	sb_error(&s->last_error, sb->s_last_error_time,
		 sb->s_last_error_time_hi, sb->s_last_error_func,
		 sb->s_last_error_line, sb->s_last_error_ino,
		 sb->s_last_error_block, sb->s_last_error_errcode);
	s->last_check = ((uint64_t)sb->s_lastcheck_hi << 32) | sb->s_lastcheck;
	s->mount_time = ((uint64_t)sb->s_mtime_hi << 32) | sb->s_mtime;
	s->write_time = ((uint64_t)sb->s_wtime_hi << 32) | sb->s_wtime;
	s->mount_count = sb->s_mnt_count;
	s->max_mount_count = (int16_t)sb->s_max_mnt_count;
	s->feature_compat = sb->s_feature_compat;
	s->feature_incompat = sb->s_feature_incompat;
	s->feature_ro_compat = sb->s_feature_ro_compat;
	s->blocks_count = ext2fs_blocks_count(sb);
	s->inodes_count = sb->s_inodes_count;
	s->block_size = c->fs->blocksize;
	s->cluster_size = c->fs->blocksize << c->fs->cluster_ratio_bits;
	s->inode_size = EXT2_INODE_SIZE(sb);
	s->group_count = c->fs->group_desc_count;
	s->blocks_per_group = sb->s_blocks_per_group;
	s->inodes_per_group = sb->s_inodes_per_group;
	s->groups_per_flex = c->groups_per_flex;
	s->checksum_ok = ext2fs_superblock_csum_verify(c->fs, sb);
}

static void check_super(struct ins_ctx *c)
{
	const struct e4err_sb_summary *s = &c->out->sb;

	if (!s->checksum_ok)
		ins_add(c, E4ERR_F_SUPERBLOCK_CHECKSUM, E4ERR_SCOPE_FS,
			EXT2_ET_SB_CSUM_INVALID, "superblock", "%s",
			_("the primary superblock fails its checksum"));
	if ((s->state & EXT2_ERROR_FS) || s->error_count)
		ins_add(c, E4ERR_F_FS_ERROR_STATE, E4ERR_SCOPE_FS, 0, "superblock",
			_("the kernel recorded %u error(s); error flag %s"),
			s->error_count,
			(s->state & EXT2_ERROR_FS) ? _("set") : _("clear"));
}

/* Open our own descriptor, check it is the expected device, then libext2fs. */
static int open_device(const struct e4err_inspect_request *req,
		       struct e4err_inspection *out)
{
	struct stat st;
	int fd;

	fd = open(req->device, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fatal(out, errno, _("cannot open %s: %s"), req->device,
		      strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !(S_ISBLK(st.st_mode) || S_ISREG(st.st_mode))) {
		fatal(out, E4ERR_NOT_EXT4,
		      _("%s is neither a block device nor an image file"),
		      req->device);
		close(fd);
		return -1;
	}
	if (req->has_rdev && (!S_ISBLK(st.st_mode) || st.st_rdev != req->rdev)) {
		fatal(out, E4ERR_DEVICE_CHANGED,
		      _("%s is no longer the device the filesystem was on"),
		      req->device);
		close(fd);
		return -1;
	}
	return fd;
}

static errcode_t open_fs(const struct e4err_inspect_request *req,
			 struct e4err_inspection *out, ext2_filsys *fs)
{
	char path[64];
	errcode_t err;
	int fd, flags;

	fd = open_device(req, out);
	if (fd < 0)
		return out->errcode;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* Checksums are verified by us, so a bad one is a finding, not a failed open. */
	flags = EXT2_FLAG_SUPER_ONLY | EXT2_FLAG_64BITS |
		EXT2_FLAG_IGNORE_CSUM_ERRORS;
	err = ext2fs_open2(path, "cache=off", flags, 0, 0, unix_io_manager, fs);
	close(fd);
	if (err == EXT2_ET_BAD_MAGIC) {
		fatal(out, err, _("no ext2/ext3/ext4 filesystem on %s"),
		      req->device);
		return err;
	}
	if (err) {
		fatal(out, err, _("cannot read the superblock of %s: %s"),
		      req->device, error_message(err));
		return err;
	}
	if (ext2fs_has_feature_journal_dev((*fs)->super)) {
		fatal(out, E4ERR_NOT_EXT4,
		      _("%s is an external journal, not a filesystem"),
		      req->device);
		ext2fs_free(*fs);
		return E4ERR_NOT_EXT4;
	}
	if (req->has_uuid &&
	    memcmp((*fs)->super->s_uuid, req->uuid, sizeof(req->uuid))) {
		fatal(out, E4ERR_UUID_MISMATCH,
		      _("%s now holds another filesystem (UUID differs)"),
		      req->device);
		ext2fs_free(*fs);
		return E4ERR_UUID_MISMATCH;
	}
	return 0;
}

static void ctx_init(struct ins_ctx *c, const struct e4err_inspect_request *req,
		     struct e4err_inspection *out, ext2_filsys fs)
{
	memset(c, 0, sizeof(*c));
	c->req = req;
	c->out = out;
	c->fs = fs;
	c->bs = fs->blocksize;
	c->first_data_block = fs->super->s_first_data_block;
	c->blocks_count = ext2fs_blocks_count(fs->super);
	c->groups_per_flex = 1;
	if (ext2fs_has_feature_flex_bg(fs->super) &&
	    fs->super->s_log_groups_per_flex < 31)
		c->groups_per_flex = 1u << fs->super->s_log_groups_per_flex;
	c->inode_size = EXT2_INODE_SIZE(fs->super);
}

/* One look at the device, from open to close. */
static void run_pass(const struct e4err_inspect_request *req,
		     struct e4err_inspection *out)
{
	struct ins_ctx c;
	ext2_filsys fs = NULL;

	memset(out, 0, sizeof(*out));
	snprintf(out->device, sizeof(out->device), "%s", req->device);
	if (open_fs(req, out, &fs))
		return;
	ctx_init(&c, req, out, fs);
	c.gdblk = malloc(c.bs);
	c.inode_raw = calloc(1, c.bs);
	if (!c.gdblk || !c.inode_raw) {
		fatal(out, ENOMEM, "%s", strerror(ENOMEM));
		goto done;
	}
	sb_summary(&c);
	check_super(&c);
	if (req->has_inode)
		ins_inspect_inode(&c);
	if (req->has_group)
		ins_check_group(&c, req->group, E4ERR_SCOPE_GROUP);
	if (req->has_block)
		ins_inspect_block(&c);
	out->verdict = E4ERR_VERDICT_NOT_CONFIRMED;
done:
	free(c.gdblk);
	free(c.inode_raw);
	ext2fs_free(fs);
}

static bool needs_recheck(const struct e4err_inspection *p)
{
	uint32_t i;

	if (p->incomplete || p->stale)
		return true;
	for (i = 0; i < p->nfindings; i++)
		if (e4err_finding_is_damage(p->findings[i].id))
			return true;
	return false;
}

static bool has_finding(const struct e4err_inspection *p,
			const struct e4err_finding *f)
{
	uint32_t i;

	for (i = 0; i < p->nfindings; i++)
		if (p->findings[i].id == f->id &&
		    !strcmp(p->findings[i].object, f->object))
			return true;
	return false;
}

/*
 * Keep in *second only the damage the first pass saw too: a live update
 * racing a read is seen once, damage twice.  The passes are
 * E4ERR_INSPECT_RECHECK_DELAY_MS apart, so the two looks do not fall into
 * one window of a slow update (a truncate frees blocks in the bitmap before
 * the inode stops pointing at them).
 */
static void keep_repeated(const struct e4err_inspection *first,
			  struct e4err_inspection *second)
{
	uint32_t i, n = 0;

	for (i = 0; i < second->nfindings; i++) {
		const struct e4err_finding *f = &second->findings[i];

		if (e4err_finding_is_damage(f->id) && !has_finding(first, f)) {
			second->dropped_races++;
			continue;
		}
		second->findings[n++] = *f;
	}
	for (i = 0; i < first->nfindings; i++)
		if (e4err_finding_is_damage(first->findings[i].id) &&
		    !has_finding(second, &first->findings[i]))
			second->dropped_races++;
	second->nfindings = n;
}

errcode_t e4err_inspect(const struct e4err_inspect_request *req,
			struct e4err_inspection *out)
{
	struct e4err_inspection *first;

	if (!req || !req->device || !out)
		return EINVAL;
	first = malloc(sizeof(*first));
	if (!first)
		return ENOMEM;
	run_pass(req, first);
	if (first->verdict == E4ERR_VERDICT_INCONCLUSIVE || !needs_recheck(first)) {
		*out = *first;
		out->passes = 1;
	} else {
		/* Let a live update in flight (a truncate, a block being rewritten) land. */
		nanosleep(&(struct timespec){ 0, E4ERR_INSPECT_RECHECK_DELAY_MS * 1000000L },
			  NULL);
		run_pass(req, out);
		out->passes = 2;
		if (out->verdict != E4ERR_VERDICT_INCONCLUSIVE)
			keep_repeated(first, out);
	}
	free(first);
	e4err_inspect_judge(req, out);
	return 0;
}
