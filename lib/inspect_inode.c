/*
 * inspect_inode.c --- the reported inode: its bit in the inode bitmap, its
 * checksum, generation and fields, then what it owns (extent tree or block
 * map, directory blocks, extended attributes, inline data).
 *
 * The inode is read raw (READ_INODE_NOCSUM) into a buffer of the full
 * on-disk inode size, and the checksum is verified on that buffer: a
 * buffer of 128 bytes gives false failures on 256-byte inodes.  A free
 * inode that looks deleted, or one whose generation differs from the
 * report's, makes the report stale: the file it was about is gone.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inspect_priv.h"
#include "nls.h"

static const char *type_name(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "regular";
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "chardev";
	case S_IFBLK:
		return "blockdev";
	case S_IFIFO:
		return "fifo";
	case S_IFSOCK:
		return "socket";
	case 0:
		return "none";
	}
	return "invalid";
}

static void obj_inode(char *obj, size_t n, uint64_t ino)
{
	snprintf(obj, n, "inode %llu", (unsigned long long)ino);
}

/* In use according to the group's bitmap; the UNINIT rules first. */
static void check_in_use(struct ins_ctx *c, const struct ins_gd *gd,
			 uint32_t index)
{
	struct e4err_inode_summary *s = &c->out->inode;
	uint32_t ipg = c->fs->super->s_inodes_per_group;
	bool csum = ext2fs_has_group_desc_csum(c->fs), trusted;
	unsigned char *buf;

	if (csum && (gd->flags & EXT2_BG_INODE_UNINIT)) {
		s->in_use_known = true;
		s->in_use = false;
		return;
	}
	if (csum && gd->itable_unused <= ipg && index >= ipg - gd->itable_unused) {
		s->in_use_known = true;
		s->in_use = false;
		return;
	}
	buf = malloc(c->bs);
	if (!buf)
		return;
	if (!ins_inode_bitmap(c, gd, E4ERR_SCOPE_GROUP, buf, &trusted) && trusted &&
	    index < c->bs * 8) {
		s->in_use_known = true;
		s->in_use = (buf[index >> 3] >> (index & 7)) & 1;
	}
	free(buf);
}

static void summarize(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	struct e4err_inode_summary *s = &c->out->inode;

	s->generation = in->i_generation;
	s->mode = in->i_mode;
	s->links = in->i_links_count;
	s->size = EXT2_I_SIZE(in);
	s->dtime = in->i_dtime;
	s->flags = in->i_flags;
	s->xattr_block = in->i_file_acl |
		((uint64_t)in->osd2.linux2.l_i_file_acl_high << 32);
	snprintf(s->type, sizeof(s->type), "%s", type_name(in->i_mode));
	s->htree = S_ISDIR(in->i_mode) && (in->i_flags & EXT2_INDEX_FL);
}

/* Values the kernel's iget refuses, and flags the features forbid. */
static void check_fields(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	struct ext2_super_block *sb = c->fs->super;
	const char *why = NULL;
	char obj[48];

	if (c->inode_size > EXT2_GOOD_OLD_INODE_SIZE &&
	    (EXT2_GOOD_OLD_INODE_SIZE + (unsigned int)in->i_extra_isize > c->inode_size ||
	     (in->i_extra_isize & 3)))
		why = _("impossible extra inode size");
	else if (in->i_mode && !strcmp(type_name(in->i_mode), "invalid"))
		why = _("invalid file type in i_mode");
	else if ((int64_t)EXT2_I_SIZE(in) < 0)
		why = _("negative size");
	else if ((in->i_flags & EXT4_EXTENTS_FL) &&
		 (in->i_flags & EXT4_INLINE_DATA_FL))
		why = _("both extents and inline data flags");
	else if ((in->i_flags & EXT4_EXTENTS_FL) && !ext2fs_has_feature_extents(sb))
		why = _("extents flag on a filesystem without extents");
	else if ((in->i_flags & EXT4_INLINE_DATA_FL) &&
		 !ext2fs_has_feature_inline_data(sb))
		why = _("inline data flag on a filesystem without inline data");
	if (!why)
		return;
	obj_inode(obj, sizeof(obj), c->req->inode);
	ins_add(c, E4ERR_F_INODE_CORRUPT, E4ERR_SCOPE_INODE,
		EXT2_ET_INODE_CORRUPTED, obj, _("inode %llu: %s"),
		(unsigned long long)c->req->inode, why);
}

/* Generation and the bitmap bit: has the file gone since the report? */
static bool check_identity(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	const struct e4err_inode_summary *s = &c->out->inode;
	const struct e4err_inspect_request *req = c->req;
	bool looks_live = in->i_mode && in->i_links_count && !in->i_dtime;
	char obj[48];

	obj_inode(obj, sizeof(obj), req->inode);
	if (req->has_generation && in->i_generation != req->generation) {
		ins_add(c, E4ERR_F_INODE_GENERATION_MISMATCH, E4ERR_SCOPE_INODE, 0,
			obj, _("inode %llu has generation %u, the report %u"),
			(unsigned long long)req->inode, in->i_generation,
			req->generation);
		c->out->stale = true;
		snprintf(c->out->reason, sizeof(c->out->reason),
			 _("inode %llu was reused since the report (generation %u, reported %u)"),
			 (unsigned long long)req->inode, in->i_generation,
			 req->generation);
	}
	if (!s->in_use_known || s->in_use)
		return true;
	if (looks_live) {
		ins_add(c, E4ERR_F_INODE_NOT_IN_USE, E4ERR_SCOPE_INODE, 0, obj,
			_("inode %llu has %u link(s) and no deletion time, but its bitmap marks it free"),
			(unsigned long long)req->inode, in->i_links_count);
		return true;
	}
	c->out->stale = true;
	if (!req->has_generation || in->i_generation == req->generation)
		snprintf(c->out->reason, sizeof(c->out->reason),
			 _("inode %llu is free: it was deleted since the report"),
			 (unsigned long long)req->inode);
	return false;
}

/* As the kernel decides it: no blocks besides an attribute block. */
static bool is_fast_symlink(const struct ins_ctx *c,
			    const struct ext2_inode_large *in)
{
	uint64_t ea = (in->i_file_acl || in->osd2.linux2.l_i_file_acl_high) ?
		EXT2_CLUSTER_SIZE(c->fs->super) >> 9 : 0;

	if (!S_ISLNK(in->i_mode) || (in->i_flags & EXT4_INLINE_DATA_FL))
		return false;
	if (in->i_flags & EXT4_EA_INODE_FL)
		return EXT2_I_SIZE(in) && EXT2_I_SIZE(in) < sizeof(in->i_block);
	return ext2fs_inode_i_blocks(c->fs, (struct ext2_inode *)in) == ea;
}

static void check_fast_symlink(struct ins_ctx *c,
			       const struct ext2_inode_large *in)
{
	uint64_t size = EXT2_I_SIZE(in);
	char obj[48];

	if (in->i_flags & EXT4_ENCRYPT_FL)
		return;	/* ciphertext: no NUL to count to */
	if (size && size < sizeof(in->i_block) &&
	    strnlen((const char *)in->i_block, sizeof(in->i_block)) == size)
		return;
	obj_inode(obj, sizeof(obj), c->req->inode);
	ins_add(c, E4ERR_F_INODE_CORRUPT, E4ERR_SCOPE_INODE,
		EXT2_ET_INODE_CORRUPTED, obj,
		_("inode %llu: fast symlink of size %llu does not match its text"),
		(unsigned long long)c->req->inode, (unsigned long long)size);
}

static void check_inline(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	unsigned int off, len;
	char obj[48];

	obj_inode(obj, sizeof(obj), c->req->inode);
	if (!ins_inline_value(in, c->inode_size, &off, &len)) {
		ins_add(c, E4ERR_F_INLINE_DATA_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_NO_INLINE_DATA, obj,
			_("inode %llu has the inline data flag but no system.data attribute"),
			(unsigned long long)c->req->inode);
		return;
	}
	if (EXT2_I_SIZE(in) > sizeof(in->i_block) + len)
		ins_add(c, E4ERR_F_INLINE_DATA_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_INLINE_DATA_NO_SPACE, obj,
			_("inode %llu: size %llu is more than its inline data holds (%u)"),
			(unsigned long long)c->req->inode,
			(unsigned long long)EXT2_I_SIZE(in),
			(unsigned int)sizeof(in->i_block) + len);
}

static void walk_blocks(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	struct e4err_inode_summary *s = &c->out->inode;
	struct ins_walk w;

	memset(&w, 0, sizeof(w));
	w.ino = c->req->inode;
	w.inode = in;
	w.report = true;
	w.scope = E4ERR_SCOPE_INODE;
	c->owner.checked = c->req->has_block;
	if (in->i_flags & EXT4_EXTENTS_FL) {
		snprintf(s->map, sizeof(s->map), "extents");
		ins_walk_extents(c, &w);
	} else {
		snprintf(s->map, sizeof(s->map), "indirect");
		ins_walk_indirect(c, &w);
	}
	s->extent_depth = w.depth;
	s->extents = w.extents;
	s->tree_blocks = w.tree_blocks;
}

/* What the inode owns, by its kind. */
static void check_contents(struct ins_ctx *c, const struct ext2_inode_large *in)
{
	struct e4err_inode_summary *s = &c->out->inode;
	uint16_t fmt = in->i_mode & S_IFMT;

	snprintf(s->map, sizeof(s->map), "none");
	if (in->i_flags & EXT4_INLINE_DATA_FL) {
		snprintf(s->map, sizeof(s->map), "inline");
		check_inline(c, in);
	} else if (is_fast_symlink(c, in)) {
		check_fast_symlink(c, in);
	} else if (fmt == S_IFREG || fmt == S_IFDIR || fmt == S_IFLNK) {
		walk_blocks(c, in);
	}
	ins_check_xattrs(c, c->req->inode, in, c->inode_size);
	if (fmt == S_IFDIR)
		ins_check_dir(c, c->req->inode, in);
}

static bool read_inode(struct ins_ctx *c, struct ext2_inode_large *in)
{
	errcode_t err;
	char obj[48];

	err = ext2fs_read_inode2(c->fs, (ext2_ino_t)c->req->inode,
				 (struct ext2_inode *)in, c->inode_size,
				 READ_INODE_NOCSUM);
	if (err) {
		/* Once more, from the disk, not from the inode cache. */
		ext2fs_flush_icache(c->fs);
		err = ext2fs_read_inode2(c->fs, (ext2_ino_t)c->req->inode,
					 (struct ext2_inode *)in, c->inode_size,
					 READ_INODE_NOCSUM);
	}
	if (!err)
		return true;
	obj_inode(obj, sizeof(obj), c->req->inode);
	ins_add(c, E4ERR_F_READ_ERROR, E4ERR_SCOPE_INODE, err, obj,
		_("cannot read inode %llu: %s"),
		(unsigned long long)c->req->inode, error_message(err));
	c->out->incomplete = true;
	return false;
}

void ins_inspect_inode(struct ins_ctx *c)
{
	struct ext2_inode_large *in = (struct ext2_inode_large *)c->inode_raw;
	struct e4err_inode_summary *s = &c->out->inode;
	uint64_t ino = c->req->inode;
	uint32_t ipg = c->fs->super->s_inodes_per_group;
	struct ins_gd gd;
	char obj[48];

	c->out->has_inode = true;
	s->ino = ino;
	if (ino < 1 || ino > c->fs->super->s_inodes_count) {
		c->out->incomplete = true;
		snprintf(c->out->reason, sizeof(c->out->reason),
			 _("inode %llu does not exist (the filesystem has %u inodes)"),
			 (unsigned long long)ino, c->fs->super->s_inodes_count);
		return;
	}
	s->group = (uint32_t)((ino - 1) / ipg);
	if (ins_check_gd(c, s->group, E4ERR_SCOPE_GROUP, &gd))
		return;
	check_in_use(c, &gd, (uint32_t)((ino - 1) % ipg));
	if (!ins_block_in_fs(c, gd.inode_table) ||
	    gd.inode_table + c->fs->inode_blocks_per_group > c->blocks_count) {
		c->out->incomplete = true;
		return;
	}
	if (!read_inode(c, in))
		return;
	if (ext2fs_has_feature_metadata_csum(c->fs->super)) {
		s->checksum_checked = true;
		s->checksum_ok = ext2fs_inode_csum_verify(c->fs, (ext2_ino_t)ino, in);
		if (!s->checksum_ok) {
			obj_inode(obj, sizeof(obj), ino);
			ins_add(c, E4ERR_F_INODE_CHECKSUM, E4ERR_SCOPE_INODE,
				EXT2_ET_INODE_CSUM_INVALID, obj,
				_("inode %llu fails its checksum"),
				(unsigned long long)ino);
		}
	}
	summarize(c, in);
	c->inode_ok = true;
	if (!check_identity(c, in))
		return;	/* deleted: what it held is not the reported file's */
	check_fields(c, in);
	check_contents(c, in);
}
