/*
 * inspect_xattr.c --- extended attributes of the reported inode: the ones
 * inside the inode, the attribute block, and the inodes holding large
 * values (ea_inode).
 *
 * The checks follow the kernel's (fs/ext4/xattr.c check_xattrs): the name
 * table ends inside its area, no value overlaps the names or runs past
 * the end, a value in an inode needs the ea_inode feature and a valid
 * inode number; the block has its magic, one block, and its checksum.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "inspect_priv.h"
#include "nls.h"

#include <ext2fs/ext2_ext_attr.h>

#define EXT4_XATTR_INDEX_SYSTEM	7
#define EXT4_XATTR_SIZE_MAX	(1u << 24)
#define EXT4_ROOT_INO		2

struct ea_ref {
	uint32_t ino;
	uint32_t size;
};

/* What one entry table holds, as far as we need it. */
struct ea_scan {
	const char *why;	/* NULL when the table is sound */
	unsigned int nrefs;
	struct ea_ref refs[E4ERR_INSPECT_MAX_XATTR_INODES];
	bool more_refs;
};

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Entries from first up to end; value offsets count from values.  Every
 * read is checked against end first.
 */
static void scan_entries(const struct ins_ctx *c, const unsigned char *values,
			 const unsigned char *first, const unsigned char *end,
			 struct ea_scan *s)
{
	const struct ext2_ext_attr_entry *e;
	const unsigned char *p = first, *names_end;
	size_t elen;

	memset(s, 0, sizeof(*s));
	while (p + sizeof(uint32_t) <= end && get32(p)) {
		if (p + sizeof(*e) > end) {
			s->why = _("entry table runs past its end");
			return;
		}
		e = (const struct ext2_ext_attr_entry *)p;
		elen = EXT2_EXT_ATTR_LEN(e->e_name_len);
		if (p + elen >= end) {
			s->why = _("entry name runs past its end");
			return;
		}
		p += elen;
	}
	if (p + sizeof(uint32_t) > end) {
		s->why = _("entry table has no end marker");
		return;
	}
	names_end = p + sizeof(uint32_t);
	for (p = first; p < names_end - sizeof(uint32_t);
	     p += EXT2_EXT_ATTR_LEN(e->e_name_len)) {
		e = (const struct ext2_ext_attr_entry *)p;
		if (e->e_value_inum) {
			if (!ext2fs_has_feature_ea_inode(c->fs->super)) {
				s->why = _("value in an inode without the ea_inode feature");
				return;
			}
			if (e->e_value_inum == EXT4_ROOT_INO ||
			    e->e_value_inum > c->fs->super->s_inodes_count) {
				s->why = _("value in an invalid inode number");
				return;
			}
			if (s->nrefs < E4ERR_INSPECT_MAX_XATTR_INODES) {
				s->refs[s->nrefs].ino = e->e_value_inum;
				s->refs[s->nrefs++].size = e->e_value_size;
			} else {
				s->more_refs = true;
			}
			continue;
		}
		if (e->e_value_size > EXT4_XATTR_SIZE_MAX) {
			s->why = _("value size too large");
			return;
		}
		if (!e->e_value_size)
			continue;
		if (e->e_value_offs > end - values ||
		    values + e->e_value_offs < names_end ||
		    EXT2_EXT_ATTR_SIZE(e->e_value_size) >
		    (size_t)(end - (values + e->e_value_offs))) {
			s->why = _("value overlaps the names or runs past the end");
			return;
		}
	}
}

/* The in-inode attribute area: [first, end) after the magic, or NULL. */
static const unsigned char *ibody(const struct ext2_inode_large *in,
				  unsigned int isize, const unsigned char **end)
{
	const unsigned char *raw = (const unsigned char *)in;
	unsigned int off;

	if (isize <= EXT2_GOOD_OLD_INODE_SIZE)
		return NULL;
	off = EXT2_GOOD_OLD_INODE_SIZE + in->i_extra_isize;
	if ((in->i_extra_isize & 3) || off + 2 * sizeof(uint32_t) > isize)
		return NULL;
	if (get32(raw + off) != EXT2_EXT_ATTR_MAGIC)
		return NULL;
	*end = raw + isize;
	return raw + off + sizeof(uint32_t);
}

bool ins_inline_value(const struct ext2_inode_large *in, unsigned int isize,
		      unsigned int *offset, unsigned int *len)
{
	const unsigned char *first, *end, *p;
	const struct ext2_ext_attr_entry *e;

	*offset = *len = 0;
	first = ibody(in, isize, &end);
	if (!first)
		return false;
	for (p = first; p + sizeof(*e) < end && get32(p);
	     p += EXT2_EXT_ATTR_LEN(e->e_name_len)) {
		e = (const struct ext2_ext_attr_entry *)p;
		if (p + EXT2_EXT_ATTR_LEN(e->e_name_len) >= end)
			return false;
		if (e->e_name_index != EXT4_XATTR_INDEX_SYSTEM ||
		    e->e_name_len != 4 || memcmp(p + sizeof(*e), "data", 4))
			continue;
		if (e->e_value_inum || e->e_value_offs > end - first ||
		    e->e_value_size > (size_t)(end - (first + e->e_value_offs)))
			return false;
		*offset = (unsigned int)(first + e->e_value_offs -
					 (const unsigned char *)in);
		*len = e->e_value_size;
		return true;
	}
	return false;
}

static void check_ea_inode(struct ins_ctx *c, uint64_t owner,
			   const struct ea_ref *r)
{
	struct ext2_inode_large *in;
	const char *why = NULL;
	struct ins_gd gd;
	char obj[48];

	if (c->xattr_inodes >= E4ERR_INSPECT_MAX_XATTR_INODES) {
		ins_truncated(c, "ea inodes");
		return;
	}
	c->xattr_inodes++;
	in = calloc(1, c->inode_size);
	if (!in)
		return;
	snprintf(obj, sizeof(obj), "inode %u", r->ino);
	if (ins_read_gd(c, (r->ino - 1) / c->fs->super->s_inodes_per_group, &gd) ||
	    ext2fs_read_inode2(c->fs, r->ino, (struct ext2_inode *)in,
			       c->inode_size, READ_INODE_NOCSUM)) {
		c->out->incomplete = true;
		free(in);
		return;
	}
	if (!(in->i_flags & EXT4_EA_INODE_FL))
		why = _("lacks the EA_INODE flag");
	else if (!in->i_links_count)
		why = _("has no links");
	else if (EXT2_I_SIZE(in) != r->size)
		why = _("has a size other than the value's");
	else if (!ext2fs_inode_csum_verify(c->fs, r->ino, in))
		why = _("fails its checksum");
	if (why)
		ins_add(c, E4ERR_F_EA_INODE_CORRUPT, E4ERR_SCOPE_INODE,
			EXT2_ET_EA_INODE_CORRUPTED, obj,
			_("inode %u, holding an attribute value of inode %llu, %s"),
			r->ino, (unsigned long long)owner, why);
	free(in);
}

static void check_refs(struct ins_ctx *c, uint64_t owner, const struct ea_scan *s)
{
	unsigned int i;

	for (i = 0; i < s->nrefs; i++)
		check_ea_inode(c, owner, &s->refs[i]);
	if (s->more_refs)
		ins_truncated(c, "ea inodes");
}

static void check_block(struct ins_ctx *c, uint64_t ino, uint64_t blk)
{
	struct ext2_ext_attr_header *h;
	enum e4err_block_kind what;
	unsigned char *buf;
	struct ea_scan s;
	const char *why = NULL;
	errcode_t ec = EXT2_ET_BAD_EA_HEADER, err;
	uint64_t hit;
	char obj[48];

	snprintf(obj, sizeof(obj), "block %llu", (unsigned long long)blk);
	if (!ins_block_in_fs(c, blk)) {
		ins_add(c, E4ERR_F_BLOCK_OUT_OF_RANGE, E4ERR_SCOPE_INODE,
			EXT2_ET_BAD_EA_BLOCK_NUM, obj,
			_("inode %llu: attribute block %llu lies outside the filesystem"),
			(unsigned long long)ino, (unsigned long long)blk);
		return;
	}
	if (ins_hits_metadata(c, blk, 1, &what, &hit)) {
		ins_add(c, E4ERR_F_BLOCK_IS_METADATA, E4ERR_SCOPE_INODE, 0, obj,
			_("inode %llu: attribute block %llu lies on the %s"),
			(unsigned long long)ino, (unsigned long long)blk,
			e4err_block_kind_name(what));
		return;
	}
	if (c->req->has_block && c->req->block == blk && !c->owner.belongs) {
		c->owner.belongs = true;
		c->owner.role = "xattr";
	}
	buf = malloc(c->bs);
	if (!buf)
		return;
	err = ins_read_block(c, blk, buf);
	if (err) {
		ins_add(c, E4ERR_F_READ_ERROR, E4ERR_SCOPE_INODE, err, obj,
			_("inode %llu: cannot read attribute block %llu: %s"),
			(unsigned long long)ino, (unsigned long long)blk,
			error_message(err));
		c->out->incomplete = true;
		free(buf);
		return;
	}
	h = (struct ext2_ext_attr_header *)buf;
	if (h->h_magic != EXT2_EXT_ATTR_MAGIC || h->h_blocks != 1) {
		why = _("bad magic or block count");
	} else if (!ext2fs_ext_attr_block_csum_verify(c->fs, (ext2_ino_t)ino,
						      blk, h)) {
		why = _("fails its checksum");
		ec = EXT2_ET_EXT_ATTR_CSUM_INVALID;
	} else {
		scan_entries(c, buf, buf + sizeof(*h), buf + c->bs, &s);
		why = s.why;
		if (!why)
			check_refs(c, ino, &s);
	}
	if (why)
		ins_add(c, E4ERR_F_XATTR_BLOCK_CORRUPT, E4ERR_SCOPE_INODE, ec, obj,
			_("inode %llu: attribute block %llu %s"),
			(unsigned long long)ino, (unsigned long long)blk, why);
	free(buf);
}

void ins_check_xattrs(struct ins_ctx *c, uint64_t ino,
		      const struct ext2_inode_large *inode, unsigned int isize)
{
	const unsigned char *first, *end;
	uint64_t blk;
	struct ea_scan s;
	char obj[48];

	first = ibody(inode, isize, &end);
	if (first) {
		scan_entries(c, first, first, end, &s);
		if (s.why) {
			snprintf(obj, sizeof(obj), "inode %llu",
				 (unsigned long long)ino);
			ins_add(c, E4ERR_F_XATTR_IBODY_CORRUPT, E4ERR_SCOPE_INODE,
				EXT2_ET_BAD_EA_HEADER, obj,
				_("inode %llu: in-inode attributes: %s"),
				(unsigned long long)ino, s.why);
		} else {
			check_refs(c, ino, &s);
		}
	}
	blk = inode->i_file_acl |
		((uint64_t)inode->osd2.linux2.l_i_file_acl_high << 32);
	if (blk)
		check_block(c, ino, blk);
}
