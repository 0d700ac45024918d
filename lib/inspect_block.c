/*
 * inspect_block.c --- the reported block: inside the filesystem or not,
 * its group, what it is in the layout, whether its group's bitmap marks it
 * in use (cluster-aware), and whether it belongs to the reported inode.
 *
 * The block was seen while walking the reported inode (inspect_map.c
 * notes it in c->owner); here it is also tried as a logical block of that
 * inode, since ext4 reports directory blocks by their logical number.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect_priv.h"
#include "nls.h"

static bool is_metadata(enum e4err_block_kind k)
{
	return k != E4ERR_BK_DATA && k != E4ERR_BK_UNKNOWN &&
	       k != E4ERR_BK_OUTSIDE;
}

static void check_allocated(struct ins_ctx *c, struct e4err_block_summary *b)
{
	bool csum = ext2fs_has_group_desc_csum(c->fs), trusted;
	uint64_t bit;
	struct ins_gd gd;
	unsigned char *buf;

	if (ins_check_gd(c, b->group, E4ERR_SCOPE_GROUP, &gd))
		return;
	if (csum && (gd.flags & EXT2_BG_BLOCK_UNINIT)) {
		/* The kernel builds such a bitmap from the group's own metadata. */
		b->bitmap_uninit = true;
		b->allocated_known = true;
		b->allocated = is_metadata(b->kind);
		return;
	}
	buf = malloc(c->bs);
	if (!buf)
		return;
	if (!ins_block_bitmap(c, &gd, E4ERR_SCOPE_GROUP, buf, &trusted) && trusted) {
		bit = EXT2FS_B2C(c->fs, b->block) -
		      EXT2FS_B2C(c->fs, ext2fs_group_first_block2(c->fs, b->group));
		b->allocated_known = bit < (uint64_t)c->bs * 8;
		b->allocated = b->allocated_known && ((buf[bit >> 3] >> (bit & 7)) & 1);
	}
	free(buf);
}

/* The block as a logical block of the reported inode. */
static void check_logical(struct ins_ctx *c, struct e4err_block_summary *b)
{
	const struct ext2_inode_large *in =
		(const struct ext2_inode_large *)c->inode_raw;
	blk64_t pblk = 0;

	if (!c->inode_ok || c->out->stale || b->block > 0xffffffffULL ||
	    (in->i_flags & EXT4_INLINE_DATA_FL) || !in->i_mode)
		return;
	if (!ext2fs_bmap2(c->fs, (ext2_ino_t)c->req->inode,
			  (struct ext2_inode *)in, NULL, 0, b->block, NULL,
			  &pblk) && pblk) {
		b->maps_logical = true;
		b->logical_pblk = pblk;
	}
}

static void copy_owner(struct ins_ctx *c, struct e4err_block_summary *b)
{
	b->owner_checked = c->owner.checked;
	b->belongs = c->owner.belongs;
	if (c->owner.role)
		snprintf(b->role, sizeof(b->role), "%s", c->owner.role);
	b->has_logical = c->owner.has_logical;
	b->logical = c->owner.logical;
}

static void judge_use(struct ins_ctx *c, const struct e4err_block_summary *b)
{
	char obj[48];

	snprintf(obj, sizeof(obj), "block %llu", (unsigned long long)b->block);
	if (b->belongs && is_metadata(b->kind))
		ins_add(c, E4ERR_F_BLOCK_IS_METADATA, E4ERR_SCOPE_BLOCK, 0, obj,
			_("block %llu is used by inode %llu (%s) but is the %s"),
			(unsigned long long)b->block,
			(unsigned long long)c->req->inode, b->role,
			e4err_block_kind_name(b->kind));
	if (!b->allocated_known || b->allocated)
		return;
	if (b->belongs)
		ins_add(c, E4ERR_F_BLOCK_NOT_ALLOCATED, E4ERR_SCOPE_BLOCK, 0, obj,
			_("block %llu is used by inode %llu (%s) but free in the bitmap of group %u"),
			(unsigned long long)b->block,
			(unsigned long long)c->req->inode, b->role, b->group);
	else if (is_metadata(b->kind))
		ins_add(c, E4ERR_F_BLOCK_NOT_ALLOCATED, E4ERR_SCOPE_BLOCK, 0, obj,
			_("block %llu is the %s but free in the bitmap of group %u"),
			(unsigned long long)b->block,
			e4err_block_kind_name(b->kind), b->group);
}

void ins_inspect_block(struct ins_ctx *c)
{
	struct e4err_block_summary *b = &c->out->block;

	c->out->has_block = true;
	ins_classify(c, c->req->block, b);
	copy_owner(c, b);
	if (c->req->has_inode)
		check_logical(c, b);
	if (!b->in_range) {
		/* Nothing on disk to look at, unless it meant a logical block. */
		if (!b->maps_logical) {
			c->out->incomplete = true;
			snprintf(c->out->reason, sizeof(c->out->reason),
				 _("block %llu lies outside the filesystem (blocks %llu to %llu)"),
				 (unsigned long long)b->block,
				 (unsigned long long)c->first_data_block,
				 (unsigned long long)(c->blocks_count - 1));
		}
		return;
	}
	check_allocated(c, b);
	/* A bitmap or inode table: the group it belongs to is touched too. */
	if (b->has_owner_group && b->owner_group != b->group)
		ins_check_group(c, b->owner_group, E4ERR_SCOPE_GROUP);
	else if (b->has_owner_group)
		ins_check_group(c, b->group, E4ERR_SCOPE_GROUP);
	judge_use(c, b);
}
