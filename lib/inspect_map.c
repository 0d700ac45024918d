/*
 * inspect_map.c --- walking an inode's extent tree or indirect block map.
 *
 * The walk is ours rather than libext2fs's iterator so that each problem
 * is pinned to the node it is in (header, order, index range, checksum,
 * physical range, overlap with group metadata) and so that the walk stops
 * at documented caps.  Checksums are libext2fs's.  Every entry is bounds
 * checked against the buffer it was read into before it is used.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect_priv.h"
#include "nls.h"

#include <ext2fs/ext3_extents.h>

#define EXT4_MAX_EXTENT_DEPTH	5

static void obj_of(char *obj, size_t n, const struct ins_walk *w, uint64_t blk)
{
	if (blk)
		snprintf(obj, n, "block %llu", (unsigned long long)blk);
	else
		snprintf(obj, n, "inode %llu", (unsigned long long)w->ino);
}

/* The reported block met as a tree node or map block of the reported inode. */
static void note_owner(struct ins_ctx *c, const struct ins_walk *w,
		       uint64_t blk, const char *role)
{
	if (!w->report || !c->req->has_block || blk != c->req->block ||
	    w->ino != c->req->inode || c->owner.belongs)
		return;
	c->owner.belongs = true;
	c->owner.role = role;
}

static bool take_tree_block(struct ins_ctx *c, struct ins_walk *w)
{
	if (c->tree_blocks >= E4ERR_INSPECT_MAX_TREE_BLOCKS) {
		if (w->report)
			ins_truncated(c, "tree blocks");
		w->stopped = true;
		return false;
	}
	c->tree_blocks++;
	w->tree_blocks++;
	return true;
}

/* Data blocks [pblk, pblk + len) at logical lblk: range, metadata, callback. */
static void data_run(struct ins_ctx *c, struct ins_walk *w, uint64_t node,
		     uint64_t lblk, uint64_t pblk, uint64_t len)
{
	enum e4err_block_kind what;
	uint64_t hit;
	char obj[48];

	if (!ins_block_in_fs(c, pblk) || pblk + len > c->blocks_count) {
		if (w->report) {
			obj_of(obj, sizeof(obj), w, node);
			ins_add(c, E4ERR_F_BLOCK_OUT_OF_RANGE, w->scope,
				EXT2_ET_BAD_BLOCK_NUM, obj,
				_("inode %llu: logical blocks %llu-%llu map to %llu-%llu, outside the filesystem"),
				(unsigned long long)w->ino, (unsigned long long)lblk,
				(unsigned long long)(lblk + len - 1),
				(unsigned long long)pblk,
				(unsigned long long)(pblk + len - 1));
		}
		return;
	}
	if (w->report && ins_hits_metadata(c, pblk, len, &what, &hit)) {
		obj_of(obj, sizeof(obj), w, node);
		ins_add(c, E4ERR_F_BLOCK_IS_METADATA, w->scope, 0, obj,
			_("inode %llu: logical blocks %llu-%llu map to %llu-%llu, over the %s at block %llu"),
			(unsigned long long)w->ino, (unsigned long long)lblk,
			(unsigned long long)(lblk + len - 1),
			(unsigned long long)pblk,
			(unsigned long long)(pblk + len - 1),
			e4err_block_kind_name(what), (unsigned long long)hit);
	}
	if (w->report && c->req->has_block && w->ino == c->req->inode &&
	    !c->owner.belongs && c->req->block >= pblk &&
	    c->req->block < pblk + len) {
		c->owner.belongs = true;
		c->owner.role = "data";
		c->owner.has_logical = true;
		c->owner.logical = lblk + (c->req->block - pblk);
	}
	if (w->run)
		w->run(c, w, lblk, pblk, len);
}

static bool count_extent(struct ins_ctx *c, struct ins_walk *w)
{
	if (w->extents >= E4ERR_INSPECT_MAX_EXTENTS) {
		if (w->report)
			ins_truncated(c, "extents");
		w->stopped = true;
		return false;
	}
	w->extents++;
	return true;
}

/* eh_max within what fits, entries within eh_max, the expected depth. */
static bool header_ok(struct ins_ctx *c, struct ins_walk *w,
		      const struct ext3_extent_header *eh, unsigned int size,
		      int depth, uint64_t blk)
{
	unsigned int cap = (size - sizeof(*eh)) / sizeof(struct ext3_extent);
	const char *why = NULL;
	char obj[48];

	if (eh->eh_magic != EXT3_EXT_MAGIC)
		why = _("bad magic");
	else if (eh->eh_max > cap || eh->eh_max + 2u < cap || !eh->eh_max)
		why = _("impossible maximum of entries");
	else if (eh->eh_entries > eh->eh_max)
		why = _("more entries than the maximum");
	else if (depth < 0 && eh->eh_depth > EXT4_MAX_EXTENT_DEPTH)
		why = _("tree too deep");
	else if (depth >= 0 && eh->eh_depth != depth)
		why = _("depth differs from its parent's");
	if (!why)
		return true;
	if (w->report) {
		obj_of(obj, sizeof(obj), w, blk);
		ins_add(c, E4ERR_F_EXTENT_STRUCTURE, w->scope,
			EXT2_ET_EXTENT_HEADER_BAD, obj,
			_("inode %llu: extent %s header: %s (magic %#x, entries %u, max %u, depth %u)"),
			(unsigned long long)w->ino, blk ? _("block") : _("root"),
			why, eh->eh_magic, eh->eh_entries, eh->eh_max,
			eh->eh_depth);
	}
	return false;
}

static void walk_node(struct ins_ctx *c, struct ins_walk *w,
		      const unsigned char *node, unsigned int size,
		      uint64_t blk, uint64_t lmin, uint64_t lmax);

static void structure(struct ins_ctx *c, struct ins_walk *w, uint64_t blk,
		      errcode_t ec, const char *why, uint64_t lblk)
{
	char obj[48];

	if (!w->report)
		return;
	obj_of(obj, sizeof(obj), w, blk);
	ins_add(c, E4ERR_F_EXTENT_STRUCTURE, w->scope, ec, obj,
		_("inode %llu: extent %s at logical block %llu: %s"),
		(unsigned long long)w->ino,
		blk ? _("node") : _("root"), (unsigned long long)lblk, why);
}

static void walk_child(struct ins_ctx *c, struct ins_walk *w, uint64_t parent,
		       uint64_t child, unsigned int depth, uint64_t lmin,
		       uint64_t lmax)
{
	const struct ext3_extent_header *eh;
	enum e4err_block_kind what;
	unsigned char *buf;
	uint64_t hit;
	errcode_t err;
	char obj[48];

	if (!ins_block_in_fs(c, child)) {
		structure(c, w, parent, EXT2_ET_EXTENT_INDEX_BAD,
			  _("index points outside the filesystem"), lmin);
		return;
	}
	if (w->report && ins_hits_metadata(c, child, 1, &what, &hit)) {
		obj_of(obj, sizeof(obj), w, parent);
		ins_add(c, E4ERR_F_BLOCK_IS_METADATA, w->scope, 0, obj,
			_("inode %llu: extent node at block %llu lies on the %s"),
			(unsigned long long)w->ino, (unsigned long long)child,
			e4err_block_kind_name(what));
	}
	note_owner(c, w, child, "extent_node");
	if (!take_tree_block(c, w))
		return;
	buf = malloc(c->bs);
	if (!buf)
		return;
	err = ins_read_block(c, child, buf);
	if (err) {
		if (w->report) {
			snprintf(obj, sizeof(obj), "block %llu",
				 (unsigned long long)child);
			ins_add(c, E4ERR_F_READ_ERROR, w->scope, err, obj,
				_("inode %llu: cannot read extent block %llu: %s"),
				(unsigned long long)w->ino,
				(unsigned long long)child, error_message(err));
		}
		c->out->incomplete = true;
		free(buf);
		return;
	}
	eh = (const struct ext3_extent_header *)buf;
	if (header_ok(c, w, eh, c->bs, (int)depth, child)) {
		/* The tail follows eh_max entries; header_ok bounded eh_max. */
		if (w->report && !ext2fs_extent_block_csum_verify(c->fs, w->ino,
				(struct ext3_extent_header *)buf)) {
			snprintf(obj, sizeof(obj), "block %llu",
				 (unsigned long long)child);
			ins_add(c, E4ERR_F_EXTENT_CHECKSUM, w->scope,
				EXT2_ET_EXTENT_CSUM_INVALID, obj,
				_("inode %llu: extent block %llu fails its checksum"),
				(unsigned long long)w->ino,
				(unsigned long long)child);
		}
		walk_node(c, w, buf, c->bs, child, lmin, lmax);
	}
	free(buf);
}

static void walk_leaf(struct ins_ctx *c, struct ins_walk *w,
		      const struct ext3_extent_header *eh, uint64_t blk,
		      uint64_t lmin, uint64_t lmax)
{
	const struct ext3_extent *ex = (const struct ext3_extent *)(eh + 1);
	uint64_t next = lmin, lblk, pblk, len;
	unsigned int i;

	for (i = 0; i < eh->eh_entries && !w->stopped; i++, ex++) {
		if (!count_extent(c, w))
			return;
		lblk = ex->ee_block;
		len = ex->ee_len > EXT_INIT_MAX_LEN ?
			ex->ee_len - EXT_INIT_MAX_LEN : ex->ee_len;
		pblk = ((uint64_t)ex->ee_start_hi << 32) | ex->ee_start;
		if (!len) {
			structure(c, w, blk, EXT2_ET_EXTENT_LEAF_BAD,
				  _("extent of length 0"), lblk);
			continue;
		}
		if (lblk < next || lblk + len > lmax) {
			structure(c, w, blk, EXT2_ET_EXTENT_LEAF_BAD,
				  _("extent out of order or outside its index range"),
				  lblk);
			continue;
		}
		next = lblk + len;
		data_run(c, w, blk, lblk, pblk, len);
	}
}

static void walk_index(struct ins_ctx *c, struct ins_walk *w,
		       const struct ext3_extent_header *eh, uint64_t blk,
		       uint64_t lmin, uint64_t lmax)
{
	const struct ext3_extent_idx *ix = (const struct ext3_extent_idx *)(eh + 1);
	uint64_t child, start, end;
	unsigned int i;

	for (i = 0; i < eh->eh_entries && !w->stopped; i++) {
		start = ix[i].ei_block;
		end = i + 1 < eh->eh_entries ? ix[i + 1].ei_block : lmax;
		if (start < lmin || end <= start || end > lmax) {
			structure(c, w, blk, EXT2_ET_EXTENT_INDEX_BAD,
				  _("index entries out of order"), start);
			return;
		}
		child = ((uint64_t)ix[i].ei_leaf_hi << 32) | ix[i].ei_leaf;
		walk_child(c, w, blk, child, eh->eh_depth - 1u, start, end);
	}
}

static void walk_node(struct ins_ctx *c, struct ins_walk *w,
		      const unsigned char *node, unsigned int size,
		      uint64_t blk, uint64_t lmin, uint64_t lmax)
{
	const struct ext3_extent_header *eh =
		(const struct ext3_extent_header *)node;

	(void)size;
	if (eh->eh_depth == 0)
		walk_leaf(c, w, eh, blk, lmin, lmax);
	else
		walk_index(c, w, eh, blk, lmin, lmax);
}

void ins_walk_extents(struct ins_ctx *c, struct ins_walk *w)
{
	const unsigned char *root = (const unsigned char *)w->inode->i_block;
	const struct ext3_extent_header *eh =
		(const struct ext3_extent_header *)root;

	if (!header_ok(c, w, eh, sizeof(w->inode->i_block), -1, 0))
		return;
	w->depth = eh->eh_depth;
	walk_node(c, w, root, sizeof(w->inode->i_block), 0, 0,
		  EXT_MAX_EXTENT_LBLK + 1);
}

/* Runs of consecutive data blocks, so callbacks see extents, not blocks. */
struct ind_run {
	uint64_t lblk, pblk, len;
	uint64_t node;
};

static void flush_run(struct ins_ctx *c, struct ins_walk *w, struct ind_run *r)
{
	if (r->len && count_extent(c, w))
		data_run(c, w, r->node, r->lblk, r->pblk, r->len);
	r->len = 0;
}

static void add_block(struct ins_ctx *c, struct ins_walk *w, struct ind_run *r,
		      uint64_t node, uint64_t lblk, uint64_t pblk)
{
	if (r->len && r->lblk + r->len == lblk && r->pblk + r->len == pblk &&
	    r->node == node) {
		r->len++;
		return;
	}
	flush_run(c, w, r);
	r->lblk = lblk;
	r->pblk = pblk;
	r->len = 1;
	r->node = node;
}

static void ind_problem(struct ins_ctx *c, struct ins_walk *w, uint64_t node,
			uint64_t blk, const char *why)
{
	char obj[48];

	if (!w->report)
		return;
	obj_of(obj, sizeof(obj), w, node);
	ins_add(c, E4ERR_F_BLOCK_MAP_CORRUPT, w->scope, EXT2_ET_BAD_BLOCK_NUM,
		obj, _("inode %llu: indirect block %llu %s"),
		(unsigned long long)w->ino, (unsigned long long)blk, why);
}

/* An indirect block at level (1: holds data pointers) covering from lbase. */
static void walk_ind(struct ins_ctx *c, struct ins_walk *w, struct ind_run *r,
		     uint64_t parent, uint64_t blk, unsigned int level,
		     uint64_t lbase)
{
	uint64_t apb = c->bs / 4, span = 1, hit;
	enum e4err_block_kind what;
	uint32_t *ptr;
	unsigned int i, k;
	errcode_t err;
	char obj[48];

	for (k = 1; k < level; k++)
		span *= apb;
	if (!ins_block_in_fs(c, blk)) {
		ind_problem(c, w, parent, blk, _("lies outside the filesystem"));
		return;
	}
	if (w->report && ins_hits_metadata(c, blk, 1, &what, &hit)) {
		ind_problem(c, w, parent, blk, _("lies on group metadata"));
		return;
	}
	note_owner(c, w, blk, "indirect");
	if (!take_tree_block(c, w))
		return;
	ptr = malloc(c->bs);
	if (!ptr)
		return;
	err = ins_read_block(c, blk, ptr);
	if (err) {
		if (w->report) {
			snprintf(obj, sizeof(obj), "block %llu",
				 (unsigned long long)blk);
			ins_add(c, E4ERR_F_READ_ERROR, w->scope, err, obj,
				_("inode %llu: cannot read indirect block %llu: %s"),
				(unsigned long long)w->ino,
				(unsigned long long)blk, error_message(err));
		}
		c->out->incomplete = true;
		free(ptr);
		return;
	}
	for (i = 0; i < apb && !w->stopped; i++) {
		if (!ptr[i])
			continue;
		if (level == 1)
			add_block(c, w, r, blk, lbase + i, ptr[i]);
		else
			walk_ind(c, w, r, blk, ptr[i], level - 1, lbase + i * span);
	}
	free(ptr);
}

void ins_walk_indirect(struct ins_ctx *c, struct ins_walk *w)
{
	uint64_t apb = c->bs / 4, lbase = EXT2_NDIR_BLOCKS, span = 1;
	struct ind_run r = { 0, 0, 0, 0 };
	unsigned int i, level;

	for (i = 0; i < EXT2_NDIR_BLOCKS; i++)
		if (w->inode->i_block[i])
			add_block(c, w, &r, 0, i, w->inode->i_block[i]);
	for (level = 1; level <= 3 && !w->stopped; level++) {
		uint32_t blk = w->inode->i_block[EXT2_NDIR_BLOCKS + level - 1];

		span *= apb;
		if (blk)
			walk_ind(c, w, &r, 0, blk, level, lbase);
		lbase += span;
	}
	flush_run(c, w, &r);
	w->depth = 0;
}

/* The journal's extents, so blocks and extents can be checked against it. */
static void journal_run(struct ins_ctx *c, struct ins_walk *w, uint64_t lblk,
			uint64_t pblk, uint64_t len)
{
	struct ins_journal *j = &c->journal;

	(void)lblk;
	if (j->n && j->start[j->n - 1] + j->len[j->n - 1] == pblk) {
		j->len[j->n - 1] += len;
		return;
	}
	if (j->n >= INS_JOURNAL_EXTENTS) {
		j->partial = true;
		w->stopped = true;
		return;
	}
	j->start[j->n] = pblk;
	j->len[j->n++] = len;
}

void ins_load_journal(struct ins_ctx *c)
{
	struct ext2_super_block *sb = c->fs->super;
	struct ext2_inode_large *inode;
	uint32_t jino = sb->s_journal_inum, group, saved;
	struct ins_walk w;
	struct ins_gd gd;

	if (c->journal.loaded)
		return;
	c->journal.loaded = true;
	/* An external journal has no inode here. */
	if (!ext2fs_has_feature_journal(sb) || !jino || jino > sb->s_inodes_count)
		return;
	group = (jino - 1) / sb->s_inodes_per_group;
	inode = calloc(1, c->inode_size);
	if (!inode || ins_read_gd(c, group, &gd) ||
	    ext2fs_read_inode2(c->fs, jino, (struct ext2_inode *)inode,
			       c->inode_size, READ_INODE_NOCSUM)) {
		c->journal.partial = true;
		free(inode);
		return;
	}
	memset(&w, 0, sizeof(w));
	w.ino = jino;
	w.inode = inode;
	w.report = false;
	w.run = journal_run;
	/* Its own budget of tree blocks, so it never starves the inode's walk. */
	saved = c->tree_blocks;
	c->tree_blocks = 0;
	if (inode->i_flags & EXT4_EXTENTS_FL)
		ins_walk_extents(c, &w);
	else
		ins_walk_indirect(c, &w);
	c->tree_blocks = saved;
	if (w.stopped)
		c->journal.partial = true;
	free(inode);
}
