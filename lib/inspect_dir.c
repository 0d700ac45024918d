/*
 * inspect_dir.c --- the blocks of a directory: entry structure, checksum,
 * holes, the htree root and index nodes, and inline directories.
 *
 * Entry rules are the kernel's (__ext4_check_dir_entry): rec_len at least
 * 12 and a multiple of 4, room for the name, no overrun of the block, an
 * inode number that exists; the first block starts with "." and "..".
 * Checksums are libext2fs's (leaf tail or htree tail).  A big directory is
 * examined up to E4ERR_INSPECT_MAX_DIR_BLOCKS blocks, the reported one
 * first.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect_priv.h"
#include "nls.h"

#define DX_BLOCK_MASK	0x0fffffffu
#define EXT2_HASH_MAX	6		/* siphash, the newest */
#define MAX_DX_NODES	64

struct dir_ctx {
	uint64_t ino;
	const struct ext2_inode_large *inode;
	uint64_t nblocks;
	bool htree;
	bool hash_in_dirent;		/* encrypted and casefolded */
	unsigned int csum_size;		/* dx tail size with metadata_csum */
	unsigned int nnodes;
	uint64_t nodes[MAX_DX_NODES];	/* logical blocks that are dx nodes */
};

static uint16_t get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* rec_len as stored; 64 KiB blocks encode their one big entry specially. */
static unsigned int rec_len_of(const struct ins_ctx *c, const unsigned char *p)
{
	unsigned int len = get16(p + 4);

	if (c->bs < 65536)
		return len;
	if (len == 65535 || len == 0)
		return c->bs;
	return (len & 65532) | ((len & 3) << 16);
}

static const char *dirent_problem(const struct ins_ctx *c, const unsigned char *buf,
				  unsigned int len, unsigned int off,
				  bool extended, unsigned int *rec_len)
{
	const unsigned char *p = buf + off;
	unsigned int name_len, min;

	if (off + 8 > len)
		return _("entry header runs past the end");
	*rec_len = rec_len_of(c, p);
	name_len = p[6];
	min = ext2fs_dir_rec_len((uint8_t)name_len, extended && get32(p));
	if (*rec_len < EXT2_DIR_REC_LEN(1))
		return _("rec_len is smaller than minimal");
	if (*rec_len % 4)
		return _("rec_len % 4 != 0");
	if (*rec_len < min)
		return _("rec_len is too small for name_len");
	if (off + *rec_len > len)
		return _("directory entry overrun");
	if (get32(p) > c->fs->super->s_inodes_count)
		return _("inode out of bounds");
	return NULL;
}

static const char *dot_problem(const unsigned char *p, unsigned int n,
			       uint64_t ino)
{
	if (n == 0 && (p[6] != 1 || p[8] != '.' || get32(p) != ino))
		return _("first entry is not '.'");
	if (n == 1 && (p[6] != 2 || p[8] != '.' || p[9] != '.'))
		return _("second entry is not '..'");
	return NULL;
}

bool ins_check_dirents(struct ins_ctx *c, uint64_t ino, const unsigned char *buf,
		       unsigned int len, bool first_block, const char *object)
{
	const struct ext2_inode_large *in =
		(const struct ext2_inode_large *)c->inode_raw;
	bool extended = c->inode_ok && ino == c->req->inode &&
		(in->i_flags & EXT4_ENCRYPT_FL) && (in->i_flags & EXT4_CASEFOLD_FL);
	unsigned int off = 0, n = 0, rec_len = 0;
	const char *why = NULL;

	while (off < len) {
		why = dirent_problem(c, buf, len, off, extended, &rec_len);
		if (!why && first_block && n < 2)
			why = dot_problem(buf + off, n, ino);
		if (why)
			break;
		off += rec_len;
		n++;
	}
	if (!why)
		return true;
	ins_add(c, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE,
		EXT2_ET_DIR_CORRUPTED, object,
		_("directory inode %llu: entry at offset %u: %s"),
		(unsigned long long)ino, off, why);
	return false;
}

static void htree_problem(struct ins_ctx *c, const struct dir_ctx *d,
			  uint64_t lblk, const char *object, const char *why)
{
	ins_add(c, E4ERR_F_HTREE_CORRUPT, E4ERR_SCOPE_INODE,
		EXT2_ET_DIR_CORRUPTED, object,
		_("directory inode %llu: htree %s at logical block %llu: %s"),
		(unsigned long long)d->ino, lblk ? _("node") : _("root"),
		(unsigned long long)lblk, why);
}

/* count/limit and the block numbers of a dx entry array at off. */
static const char *dx_entries_problem(struct dir_ctx *d, const unsigned char *buf,
				      unsigned int off, unsigned int limit,
				      bool record)
{
	unsigned int count = get16(buf + off + 2), i;
	uint32_t hash, prev = 0;
	uint64_t blk;

	if (get16(buf + off) != limit)
		return _("limit does not match the block size");
	if (!count || count > limit)
		return _("no entries, or more than the limit");
	for (i = 0; i < count; i++) {
		blk = get32(buf + off + i * 8 + 4) & DX_BLOCK_MASK;
		if (blk >= d->nblocks)
			return _("entry points past the end of the directory");
		hash = get32(buf + off + i * 8);
		if (i > 1 && hash < prev)
			return _("hashes out of order");
		prev = hash;
		if (record && d->nnodes < MAX_DX_NODES)
			d->nodes[d->nnodes++] = blk;
	}
	return NULL;
}

static void check_dx_root(struct ins_ctx *c, struct dir_ctx *d,
			  const unsigned char *buf, const char *object)
{
	const struct ext2_dx_root_info *info =
		(const struct ext2_dx_root_info *)(buf + 24);
	unsigned int levels_max = ext2fs_has_feature_largedir(c->fs->super) ? 3 : 2;
	unsigned int limit = (c->bs - 32 - d->csum_size) / 8;
	const char *why = NULL;

	if (get32(buf) != d->ino || buf[6] != 1 || rec_len_of(c, buf) != 12)
		why = _("'.' entry is wrong");
	else if (buf[12 + 6] != 2 || rec_len_of(c, buf + 12) != c->bs - 12)
		why = _("'..' entry is wrong");
	else if (info->reserved_zero || info->info_length != 8)
		why = _("root info is damaged");
	else if (info->hash_version > EXT2_HASH_MAX)
		why = _("unknown hash version");
	else if (info->indirect_levels >= levels_max)
		why = _("too many levels");
	else if (info->unused_flags & 1)
		why = _("unknown flags");
	else
		why = dx_entries_problem(d, buf, 32, limit, info->indirect_levels > 0);
	if (why)
		htree_problem(c, d, 0, object, why);
}

static void check_dx_node(struct ins_ctx *c, struct dir_ctx *d, uint64_t lblk,
			  const unsigned char *buf, const char *object)
{
	unsigned int limit = (c->bs - 8 - d->csum_size) / 8;
	const char *why;

	if (get32(buf) || rec_len_of(c, buf) != c->bs || buf[6])
		why = _("not an index node");
	else
		why = dx_entries_problem(d, buf, 8, limit, false);
	if (why)
		htree_problem(c, d, lblk, object, why);
}

static bool is_dx_node(const struct dir_ctx *d, uint64_t lblk)
{
	unsigned int i;

	for (i = 0; i < d->nnodes; i++)
		if (d->nodes[i] == lblk)
			return true;
	return false;
}

/* Read and check logical block lblk; false when the cap is reached. */
static bool check_block(struct ins_ctx *c, struct dir_ctx *d, uint64_t lblk,
			unsigned char *buf)
{
	blk64_t pblk = 0;
	errcode_t err;
	char obj[48];

	/* Holes and unmapped blocks count too: a huge sparse size must not spin. */
	if (c->dir_blocks >= E4ERR_INSPECT_MAX_DIR_BLOCKS) {
		ins_truncated(c, "directory blocks");
		return false;
	}
	c->dir_blocks++;
	if (ext2fs_bmap2(c->fs, (ext2_ino_t)d->ino, (struct ext2_inode *)d->inode,
			 NULL, 0, lblk, NULL, &pblk))
		return true;	/* the map's own damage is reported by its walk */
	snprintf(obj, sizeof(obj), "inode %llu", (unsigned long long)d->ino);
	if (!pblk) {
		ins_add(c, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_DIR_CORRUPTED, obj,
			_("directory inode %llu has a hole at logical block %llu"),
			(unsigned long long)d->ino, (unsigned long long)lblk);
		return true;
	}
	if (!ins_block_in_fs(c, pblk))
		return true;	/* reported by the walk */
	c->out->inode.dir_blocks_checked++;
	snprintf(obj, sizeof(obj), "block %llu", (unsigned long long)pblk);
	err = ins_read_block(c, pblk, buf);
	if (err) {
		ins_add(c, E4ERR_F_READ_ERROR, E4ERR_SCOPE_INODE, err, obj,
			_("directory inode %llu: cannot read block %llu: %s"),
			(unsigned long long)d->ino, (unsigned long long)pblk,
			error_message(err));
		c->out->incomplete = true;
		return true;
	}
	if (d->htree && lblk == 0)
		check_dx_root(c, d, buf, obj);
	else if (d->htree && is_dx_node(d, lblk))
		check_dx_node(c, d, lblk, buf, obj);
	else
		ins_check_dirents(c, d->ino, buf, c->bs, lblk == 0, obj);
	if (!ext2fs_dir_block_csum_verify(c->fs, (ext2_ino_t)d->ino,
					  (struct ext2_dir_entry *)buf))
		ins_add(c, E4ERR_F_DIR_BLOCK_CHECKSUM, E4ERR_SCOPE_INODE,
			EXT2_ET_DIR_CSUM_INVALID, obj,
			_("directory inode %llu: block %llu (logical %llu) fails its checksum or has no checksum tail"),
			(unsigned long long)d->ino, (unsigned long long)pblk,
			(unsigned long long)lblk);
	return true;
}

static void check_inline_dir(struct ins_ctx *c, struct dir_ctx *d)
{
	const unsigned char *raw = (const unsigned char *)d->inode;
	const unsigned char *iblock = (const unsigned char *)d->inode->i_block;
	unsigned int off, len;
	char obj[48];

	snprintf(obj, sizeof(obj), "inode %llu", (unsigned long long)d->ino);
	if (get32(iblock) > c->fs->super->s_inodes_count || !get32(iblock)) {
		ins_add(c, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_DIR_CORRUPTED, obj,
			_("inline directory inode %llu: parent inode %u is invalid"),
			(unsigned long long)d->ino, get32(iblock));
		return;
	}
	if (!ins_check_dirents(c, d->ino, iblock + 4,
			       sizeof(d->inode->i_block) - 4, false, obj))
		return;
	if (ins_inline_value(d->inode, c->inode_size, &off, &len) && len)
		ins_check_dirents(c, d->ino, raw + off, len, false, obj);
}

/* Already checked as the block the report names. */
static bool was_reported(const struct ins_ctx *c, uint64_t lblk)
{
	return (c->req->has_block && c->req->block == lblk) ||
	       (c->owner.has_logical && c->owner.logical == lblk);
}

void ins_check_dir(struct ins_ctx *c, uint64_t ino,
		   const struct ext2_inode_large *inode)
{
	struct dir_ctx d;
	unsigned char *buf;
	uint64_t lblk;
	unsigned int i;
	char obj[48];

	memset(&d, 0, sizeof(d));
	d.ino = ino;
	d.inode = inode;
	if (inode->i_flags & EXT4_INLINE_DATA_FL) {
		check_inline_dir(c, &d);
		return;
	}
	d.nblocks = EXT2_I_SIZE(inode) / c->bs;
	d.htree = (inode->i_flags & EXT2_INDEX_FL) &&
		  ext2fs_has_feature_dir_index(c->fs->super);
	d.csum_size = ext2fs_has_feature_metadata_csum(c->fs->super) ?
		sizeof(struct ext2_dx_tail) : 0;
	if (!d.nblocks) {
		snprintf(obj, sizeof(obj), "inode %llu", (unsigned long long)ino);
		ins_add(c, E4ERR_F_DIR_ENTRY_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_DIR_CORRUPTED, obj,
			_("directory inode %llu has no blocks (size %llu)"),
			(unsigned long long)ino,
			(unsigned long long)EXT2_I_SIZE(inode));
		return;
	}
	buf = malloc(c->bs);
	if (!buf)
		return;
	/* The root first (it names the index nodes), then what the report names. */
	if (!check_block(c, &d, 0, buf))
		goto out;
	if (c->req->has_block && c->req->block < d.nblocks && c->req->block &&
	    !check_block(c, &d, c->req->block, buf))
		goto out;
	if (c->owner.has_logical && c->owner.logical < d.nblocks &&
	    c->owner.logical && c->owner.logical != c->req->block &&
	    !check_block(c, &d, c->owner.logical, buf))
		goto out;
	for (i = 0; i < d.nnodes; i++)
		if (d.nodes[i] && !check_block(c, &d, d.nodes[i], buf))
			goto out;
	for (lblk = 1; lblk < d.nblocks; lblk++) {
		if (is_dx_node(&d, lblk) || was_reported(c, lblk))
			continue;
		if (!check_block(c, &d, lblk, buf))
			break;
	}
out:
	free(buf);
}
