/*
 * inspect_group.c --- group descriptors, bitmaps and the metadata layout,
 * one group (or one flex group) at a time.
 *
 * Descriptor blocks are read here, by us, before libext2fs is asked
 * anything that needs them: its on-demand accessor returns NULL on a read
 * error and its callers dereference that.  Bitmaps are verified on the
 * bytes just read against the descriptor just read; a group flagged
 * *_UNINIT has no bitmap checksum on disk and is not verified.  Nothing
 * here reads more than the groups it is asked about, so the cost does not
 * grow with the filesystem.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect_priv.h"
#include "nls.h"

static void parse_gd(const struct ins_ctx *c, const unsigned char *p,
		     struct ins_gd *gd)
{
	struct ext4_group_desc d;
	unsigned int dsz = EXT2_DESC_SIZE(c->fs->super);
	bool wide = ext2fs_has_feature_64bit(c->fs->super) &&
		    dsz >= EXT2_MIN_DESC_SIZE_64BIT;

	memset(&d, 0, sizeof(d));
	memcpy(&d, p, dsz < sizeof(d) ? dsz : sizeof(d));
	gd->block_bitmap = d.bg_block_bitmap;
	gd->inode_bitmap = d.bg_inode_bitmap;
	gd->inode_table = d.bg_inode_table;
	gd->free_blocks = d.bg_free_blocks_count;
	gd->free_inodes = d.bg_free_inodes_count;
	gd->itable_unused = d.bg_itable_unused;
	gd->flags = d.bg_flags;
	if (wide) {
		gd->block_bitmap |= (uint64_t)d.bg_block_bitmap_hi << 32;
		gd->inode_bitmap |= (uint64_t)d.bg_inode_bitmap_hi << 32;
		gd->inode_table |= (uint64_t)d.bg_inode_table_hi << 32;
		gd->free_blocks |= (uint32_t)d.bg_free_blocks_count_hi << 16;
		gd->free_inodes |= (uint32_t)d.bg_free_inodes_count_hi << 16;
		gd->itable_unused |= (uint32_t)d.bg_itable_unused_hi << 16;
	}
}

errcode_t ins_read_gd(struct ins_ctx *c, uint32_t group, struct ins_gd *gd)
{
	ext2_filsys fs = c->fs;
	unsigned int dpb = EXT2_DESC_PER_BLOCK(fs->super);
	unsigned int dsz = EXT2_DESC_SIZE(fs->super);
	uint64_t blk;
	errcode_t err;

	memset(gd, 0, sizeof(*gd));
	gd->group = group;
	if (group >= fs->group_desc_count)
		return EXT2_ET_INVALID_ARGUMENT;
	blk = ext2fs_descriptor_block_loc2(fs, fs->super->s_first_data_block,
					   group / dpb);
	if (!c->gdblk_valid || c->gdblk_nr != blk) {
		c->gdblk_valid = false;
		err = ins_read_block(c, blk, c->gdblk);
		if (err)
			return err;
		c->gdblk_valid = true;
		c->gdblk_nr = blk;
	}
	parse_gd(c, c->gdblk + (group % dpb) * dsz, gd);
	/* Our read of that block succeeded, so the library's own read will. */
	gd->csum_ok = ext2fs_group_desc_csum_verify(fs, group);
	return 0;
}

static bool gd_bb_ok(const struct ins_ctx *c, const struct ins_gd *gd)
{
	return ins_block_in_fs(c, gd->block_bitmap);
}

static bool gd_ib_ok(const struct ins_ctx *c, const struct ins_gd *gd)
{
	return ins_block_in_fs(c, gd->inode_bitmap);
}

static bool gd_it_ok(const struct ins_ctx *c, const struct ins_gd *gd)
{
	return ins_block_in_fs(c, gd->inode_table) &&
	       gd->inode_table + c->fs->inode_blocks_per_group <= c->blocks_count;
}

errcode_t ins_check_gd(struct ins_ctx *c, uint32_t group,
		       enum e4err_scope scope, struct ins_gd *gd)
{
	char obj[48];
	errcode_t err;

	snprintf(obj, sizeof(obj), "group %u", group);
	err = ins_read_gd(c, group, gd);
	if (err) {
		ins_add(c, E4ERR_F_READ_ERROR, scope, err, obj,
			_("cannot read the descriptor of group %u: %s"), group,
			error_message(err));
		c->out->incomplete = true;
		return err;
	}
	if (!gd->csum_ok)
		ins_add(c, E4ERR_F_GROUP_DESC_CHECKSUM, scope, 0, obj,
			_("the descriptor of group %u fails its checksum"), group);
	if (!gd_bb_ok(c, gd))
		ins_add(c, E4ERR_F_GROUP_DESC_CORRUPT, scope,
			EXT2_ET_GDESC_BAD_BLOCK_MAP, obj,
			_("group %u: block bitmap at %llu, outside the filesystem"),
			group, (unsigned long long)gd->block_bitmap);
	if (!gd_ib_ok(c, gd))
		ins_add(c, E4ERR_F_GROUP_DESC_CORRUPT, scope,
			EXT2_ET_GDESC_BAD_INODE_MAP, obj,
			_("group %u: inode bitmap at %llu, outside the filesystem"),
			group, (unsigned long long)gd->inode_bitmap);
	if (!gd_it_ok(c, gd))
		ins_add(c, E4ERR_F_GROUP_DESC_CORRUPT, scope,
			EXT2_ET_GDESC_BAD_INODE_TABLE, obj,
			_("group %u: inode table at %llu, outside the filesystem"),
			group, (unsigned long long)gd->inode_table);
	return 0;
}

static uint32_t count_zero_bits(const unsigned char *map, uint32_t nbits)
{
	uint32_t i, zeros = 0;

	for (i = 0; i < nbits; i++)
		if (!(map[i >> 3] & (1u << (i & 7))))
			zeros++;
	return zeros;
}

static uint32_t group_clusters(const struct ins_ctx *c, uint32_t group)
{
	uint64_t blocks = (uint64_t)ext2fs_group_blocks_count(c->fs, group);

	return (uint32_t)((blocks + EXT2FS_CLUSTER_RATIO(c->fs) - 1) >>
			  c->fs->cluster_ratio_bits);
}

errcode_t ins_block_bitmap(struct ins_ctx *c, const struct ins_gd *gd,
			   enum e4err_scope scope, void *buf, bool *trusted)
{
	uint32_t nbytes = EXT2_CLUSTERS_PER_GROUP(c->fs->super) / 8;
	uint32_t zeros;
	char obj[48];
	errcode_t err;

	*trusted = false;
	snprintf(obj, sizeof(obj), "group %u", gd->group);
	if (!gd_bb_ok(c, gd))
		return EXT2_ET_GDESC_BAD_BLOCK_MAP;
	err = ins_read_block(c, gd->block_bitmap, buf);
	if (err) {
		ins_add(c, E4ERR_F_READ_ERROR, scope, err, obj,
			_("cannot read the block bitmap of group %u (block %llu): %s"),
			gd->group, (unsigned long long)gd->block_bitmap,
			error_message(err));
		c->out->incomplete = true;
		return err;
	}
	if (nbytes > c->bs)
		nbytes = c->bs;
	if (!ext2fs_block_bitmap_csum_verify(c->fs, gd->group, buf, nbytes)) {
		ins_add(c, E4ERR_F_BLOCK_BITMAP_CHECKSUM, scope,
			EXT2_ET_BLOCK_BITMAP_CSUM_INVALID, obj,
			_("the block bitmap of group %u (block %llu) fails its checksum"),
			gd->group, (unsigned long long)gd->block_bitmap);
		return 0;
	}
	*trusted = true;
	zeros = count_zero_bits(buf, group_clusters(c, gd->group));
	if (zeros != gd->free_blocks)
		ins_add(c, E4ERR_F_GROUP_COUNTS_WRONG, scope, 0, obj,
			_("group %u: %u free clusters in the bitmap, %u in the descriptor"),
			gd->group, zeros, gd->free_blocks);
	return 0;
}

errcode_t ins_inode_bitmap(struct ins_ctx *c, const struct ins_gd *gd,
			   enum e4err_scope scope, void *buf, bool *trusted)
{
	uint32_t ipg = c->fs->super->s_inodes_per_group;
	uint32_t nbytes = ipg / 8, zeros;
	char obj[48];
	errcode_t err;

	*trusted = false;
	snprintf(obj, sizeof(obj), "group %u", gd->group);
	if (!gd_ib_ok(c, gd))
		return EXT2_ET_GDESC_BAD_INODE_MAP;
	err = ins_read_block(c, gd->inode_bitmap, buf);
	if (err) {
		ins_add(c, E4ERR_F_READ_ERROR, scope, err, obj,
			_("cannot read the inode bitmap of group %u (block %llu): %s"),
			gd->group, (unsigned long long)gd->inode_bitmap,
			error_message(err));
		c->out->incomplete = true;
		return err;
	}
	if (nbytes > c->bs)
		nbytes = c->bs;
	if (!ext2fs_inode_bitmap_csum_verify(c->fs, gd->group, buf, nbytes)) {
		ins_add(c, E4ERR_F_INODE_BITMAP_CHECKSUM, scope,
			EXT2_ET_INODE_BITMAP_CSUM_INVALID, obj,
			_("the inode bitmap of group %u (block %llu) fails its checksum"),
			gd->group, (unsigned long long)gd->inode_bitmap);
		return 0;
	}
	*trusted = true;
	zeros = count_zero_bits(buf, ipg < c->bs * 8 ? ipg : c->bs * 8);
	if (zeros != gd->free_inodes)
		ins_add(c, E4ERR_F_GROUP_COUNTS_WRONG, scope, 0, obj,
			_("group %u: %u free inodes in the bitmap, %u in the descriptor"),
			gd->group, zeros, gd->free_inodes);
	return 0;
}

void ins_check_group(struct ins_ctx *c, uint32_t group, enum e4err_scope scope)
{
	bool csum = ext2fs_has_group_desc_csum(c->fs), trusted;
	struct ins_gd gd;
	void *buf;

	if (group >= c->fs->group_desc_count) {
		c->out->incomplete = true;
		snprintf(c->out->reason, sizeof(c->out->reason),
			 _("group %u does not exist (the filesystem has %u)"),
			 group, c->fs->group_desc_count);
		return;
	}
	if (ins_check_gd(c, group, scope, &gd))
		return;
	buf = malloc(c->bs);
	if (!buf)
		return;
	if (!(csum && (gd.flags & EXT2_BG_BLOCK_UNINIT)))
		ins_block_bitmap(c, &gd, scope, buf, &trusted);
	if (!(csum && (gd.flags & EXT2_BG_INODE_UNINIT)))
		ins_inode_bitmap(c, &gd, scope, buf, &trusted);
	free(buf);
}

/* Bitmap and inode-table locations of blk's flex group, cached for the pass. */
static const struct ins_flex *flex_get(struct ins_ctx *c, uint32_t group)
{
	uint32_t first = group - group % c->groups_per_flex, n, i;
	struct ins_flex *f;
	struct ins_gd gd;

	for (i = 0; i < INS_FLEX_CACHE; i++)
		if (c->flex[i].valid && c->flex[i].first == first)
			return &c->flex[i];
	f = &c->flex[c->flex_next++ % INS_FLEX_CACHE];
	memset(f, 0, sizeof(*f));
	n = c->fs->group_desc_count - first;
	if (n > c->groups_per_flex)
		n = c->groups_per_flex;
	if (n > E4ERR_INSPECT_MAX_FLEX_GROUPS) {
		n = E4ERR_INSPECT_MAX_FLEX_GROUPS;
		f->partial = true;
	}
	for (i = 0; i < n; i++) {
		if (ins_read_gd(c, first + i, &gd)) {
			f->partial = true;
			continue;
		}
		f->bb[f->count] = gd.block_bitmap;
		f->ib[f->count] = gd.inode_bitmap;
		f->it[f->count] = gd.inode_table;
		f->count++;
	}
	f->first = first;
	f->valid = true;
	return f;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Superblock, descriptors and reserved GDT blocks of one group. */
static bool layout_hit(struct ins_ctx *c, uint32_t group, uint64_t blk,
		       uint64_t len, enum e4err_block_kind *what, uint64_t *hit)
{
	ext2_filsys fs = c->fs;
	blk64_t super_blk, old_desc, new_desc;
	uint64_t ndesc;
	blk_t used;

	ext2fs_super_and_bgd_loc2(fs, group, &super_blk, &old_desc, &new_desc,
				  &used);
	if (ext2fs_bg_has_super(fs, group) && overlaps(blk, len, super_blk, 1)) {
		*what = group ? E4ERR_BK_SUPERBLOCK_BACKUP : E4ERR_BK_SUPERBLOCK;
		*hit = super_blk;
		return true;
	}
	ndesc = fs->desc_blocks;
	if (ext2fs_has_feature_meta_bg(fs->super) &&
	    fs->super->s_first_meta_bg < ndesc)
		ndesc = fs->super->s_first_meta_bg;
	if (old_desc && overlaps(blk, len, old_desc, ndesc)) {
		*what = E4ERR_BK_GROUP_DESC;
		*hit = blk > old_desc ? blk : old_desc;
		return true;
	}
	if (old_desc && !ext2fs_has_feature_meta_bg(fs->super) &&
	    overlaps(blk, len, old_desc + ndesc, fs->super->s_reserved_gdt_blocks)) {
		*what = E4ERR_BK_RESERVED_GDT;
		*hit = blk > old_desc + ndesc ? blk : old_desc + ndesc;
		return true;
	}
	if (new_desc && overlaps(blk, len, new_desc, 1)) {
		*what = E4ERR_BK_GROUP_DESC;
		*hit = new_desc;
		return true;
	}
	return false;
}

/* Bitmaps and inode tables of the groups of one flex group. */
static bool flex_hit(struct ins_ctx *c, uint32_t group, uint64_t blk,
		     uint64_t len, enum e4err_block_kind *what, uint64_t *hit,
		     uint32_t *owner)
{
	const struct ins_flex *f = flex_get(c, group);
	uint32_t i;

	for (i = 0; i < f->count; i++) {
		*owner = f->first + i;
		if (overlaps(blk, len, f->bb[i], 1)) {
			*what = E4ERR_BK_BLOCK_BITMAP;
			*hit = f->bb[i];
			return true;
		}
		if (overlaps(blk, len, f->ib[i], 1)) {
			*what = E4ERR_BK_INODE_BITMAP;
			*hit = f->ib[i];
			return true;
		}
		if (overlaps(blk, len, f->it[i], c->fs->inode_blocks_per_group)) {
			*what = E4ERR_BK_INODE_TABLE;
			*hit = blk > f->it[i] ? blk : f->it[i];
			return true;
		}
	}
	return false;
}

static bool journal_hit(struct ins_ctx *c, uint64_t blk, uint64_t len,
			uint64_t *hit)
{
	uint32_t i;

	ins_load_journal(c);
	for (i = 0; i < c->journal.n; i++)
		if (overlaps(blk, len, c->journal.start[i], c->journal.len[i])) {
			*hit = blk > c->journal.start[i] ? blk : c->journal.start[i];
			return true;
		}
	return false;
}

bool ins_hits_metadata(struct ins_ctx *c, uint64_t blk, uint64_t len,
		       enum e4err_block_kind *what, uint64_t *hit)
{
	uint32_t g, g_first, g_last, owner;

	if (!len || !ins_block_in_fs(c, blk))
		return false;
	if (c->meta_checks >= E4ERR_INSPECT_MAX_META_CHECKS) {
		ins_truncated(c, "metadata checks");
		return false;
	}
	c->meta_checks++;
	if (blk + len > c->blocks_count)
		len = c->blocks_count - blk;
	g_first = ext2fs_group_of_blk2(c->fs, blk);
	g_last = ext2fs_group_of_blk2(c->fs, blk + len - 1);
	if (g_last - g_first > 8) {
		g_last = g_first + 8;
		ins_truncated(c, "metadata checks");
	}
	for (g = g_first; g <= g_last; g++) {
		if (layout_hit(c, g, blk, len, what, hit))
			return true;
		if (flex_hit(c, g, blk, len, what, hit, &owner))
			return true;
	}
	if (journal_hit(c, blk, len, hit)) {
		*what = E4ERR_BK_JOURNAL;
		return true;
	}
	return false;
}

void ins_classify(struct ins_ctx *c, uint64_t blk, struct e4err_block_summary *b)
{
	enum e4err_block_kind what;
	uint64_t hit;
	uint32_t owner;
	const struct ins_flex *f;

	b->block = blk;
	b->kind_certain = true;
	if (!ins_block_in_fs(c, blk)) {
		b->kind = E4ERR_BK_OUTSIDE;
		return;
	}
	b->in_range = true;
	b->group = ext2fs_group_of_blk2(c->fs, blk);
	if (layout_hit(c, b->group, blk, 1, &what, &hit)) {
		b->kind = what;
		return;
	}
	if (flex_hit(c, b->group, blk, 1, &what, &hit, &owner)) {
		b->kind = what;
		b->has_owner_group = true;
		b->owner_group = owner;
		return;
	}
	f = flex_get(c, b->group);
	if (journal_hit(c, blk, 1, &hit)) {
		b->kind = E4ERR_BK_JOURNAL;
		return;
	}
	b->kind = E4ERR_BK_DATA;
	/* Metadata of groups we did not look at could still live here. */
	b->kind_certain = !f->partial && !c->journal.partial;
}
