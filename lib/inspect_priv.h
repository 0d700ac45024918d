/*
 * inspect_priv.h --- what the inspect_*.c files share inside the stage.
 *
 * One struct ins_ctx lives for one pass over the device: the libext2fs
 * handle opened for it, scratch buffers, the counters behind the caps, and
 * small caches that never outlive the pass (the next pass, and the next
 * inspection, read everything afresh).
 */
#ifndef E4ERR_INSPECT_PRIV_H
#define E4ERR_INSPECT_PRIV_H

#include <ext2fs/ext2fs.h>

#include "inspect.h"

/* A group descriptor as read from disk in this pass. */
struct ins_gd {
	uint32_t group;
	uint64_t block_bitmap;
	uint64_t inode_bitmap;
	uint64_t inode_table;
	uint32_t free_blocks;
	uint32_t free_inodes;
	uint32_t itable_unused;
	uint16_t flags;
	bool csum_ok;
};

/* The bitmap and inode-table locations of the groups of one flex group. */
struct ins_flex {
	bool valid;
	uint32_t first;		/* first group of the flex group */
	uint32_t count;		/* groups looked at */
	bool partial;		/* the flex group has more than that */
	uint64_t bb[E4ERR_INSPECT_MAX_FLEX_GROUPS];
	uint64_t ib[E4ERR_INSPECT_MAX_FLEX_GROUPS];
	uint64_t it[E4ERR_INSPECT_MAX_FLEX_GROUPS];
};

#define INS_FLEX_CACHE		4
#define INS_JOURNAL_EXTENTS	64

/* Where the reported block is found while walking the reported inode. */
struct ins_owner {
	bool checked;
	bool belongs;
	const char *role;
	bool has_logical;
	uint64_t logical;
};

/* Journal extents, gathered once per pass when a block is classified. */
struct ins_journal {
	bool loaded;
	bool partial;
	uint32_t n;
	uint64_t start[INS_JOURNAL_EXTENTS];
	uint64_t len[INS_JOURNAL_EXTENTS];
};

struct ins_ctx {
	const struct e4err_inspect_request *req;
	struct e4err_inspection *out;
	ext2_filsys fs;
	unsigned int bs;		/* block size */
	uint64_t first_data_block;
	uint64_t blocks_count;
	uint32_t groups_per_flex;
	/* Caps. */
	uint32_t tree_blocks;
	uint32_t meta_checks;
	uint32_t dir_blocks;
	uint32_t xattr_inodes;
	/* Caches for this pass. */
	uint64_t gdblk_nr;
	bool gdblk_valid;
	unsigned char *gdblk;
	struct ins_flex flex[INS_FLEX_CACHE];
	unsigned int flex_next;
	struct ins_journal journal;
	struct ins_owner owner;
	/* The reported inode's raw bytes (full on-disk size). */
	unsigned char *inode_raw;
	unsigned int inode_size;
	bool inode_ok;			/* inode_raw holds the reported inode */
};

/* Record a finding (deduplicated on code and object); printf-style message. */
void ins_add(struct ins_ctx *c, enum e4err_finding_code id,
	     enum e4err_scope scope, errcode_t ec, const char *object,
	     const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void ins_truncated(struct ins_ctx *c, const char *what);
/* Read one block; a failure is retried once. */
errcode_t ins_read_block(struct ins_ctx *c, uint64_t blk, void *buf);
bool ins_block_in_fs(const struct ins_ctx *c, uint64_t blk);

/* inspect_group.c */
errcode_t ins_read_gd(struct ins_ctx *c, uint32_t group, struct ins_gd *gd);
/* Read and verify a group's descriptor; findings under scope. */
errcode_t ins_check_gd(struct ins_ctx *c, uint32_t group,
		       enum e4err_scope scope, struct ins_gd *gd);
/* Read a bitmap into buf and verify it; *trusted when its bits can be believed. */
errcode_t ins_block_bitmap(struct ins_ctx *c, const struct ins_gd *gd,
			   enum e4err_scope scope, void *buf, bool *trusted);
errcode_t ins_inode_bitmap(struct ins_ctx *c, const struct ins_gd *gd,
			   enum e4err_scope scope, void *buf, bool *trusted);
/* Descriptor and both bitmaps of a group named by the report. */
void ins_check_group(struct ins_ctx *c, uint32_t group, enum e4err_scope scope);
/* What blk is in the layout: superblock, descriptors, bitmaps, ... */
void ins_classify(struct ins_ctx *c, uint64_t blk, struct e4err_block_summary *b);
/*
 * Does [blk, blk + len) overlap group metadata or the journal?  Sets *what
 * and *hit; false when it does not, or when the cap on these checks is
 * reached (then truncated is set).
 */
bool ins_hits_metadata(struct ins_ctx *c, uint64_t blk, uint64_t len,
		       enum e4err_block_kind *what, uint64_t *hit);

/* inspect_map.c: the extent tree or block map of an inode. */
struct ins_walk {
	uint64_t ino;
	const struct ext2_inode_large *inode;
	bool report;		/* findings on (else quiet, e.g. the journal) */
	enum e4err_scope scope;
	void (*run)(struct ins_ctx *c, struct ins_walk *w, uint64_t lblk,
		    uint64_t pblk, uint64_t len);
	void *arg;
	uint32_t depth;
	uint32_t extents;
	uint32_t tree_blocks;
	bool stopped;		/* the callback asked to stop */
};
void ins_walk_extents(struct ins_ctx *c, struct ins_walk *w);
void ins_walk_indirect(struct ins_ctx *c, struct ins_walk *w);
void ins_load_journal(struct ins_ctx *c);

/* inspect_inode.c */
void ins_inspect_inode(struct ins_ctx *c);
/* inspect_xattr.c */
void ins_check_xattrs(struct ins_ctx *c, uint64_t ino,
		      const struct ext2_inode_large *inode, unsigned int isize);
/* The value of system.data inside the inode; *len 0 when missing. */
bool ins_inline_value(const struct ext2_inode_large *inode, unsigned int isize,
		      unsigned int *offset, unsigned int *len);
/* inspect_dir.c */
void ins_check_dir(struct ins_ctx *c, uint64_t ino,
		   const struct ext2_inode_large *inode);
/* Entries of one directory buffer; findings on object. */
bool ins_check_dirents(struct ins_ctx *c, uint64_t ino, const unsigned char *buf,
		       unsigned int len, bool first_block, const char *object);
/* inspect_block.c */
void ins_inspect_block(struct ins_ctx *c);

#endif /* E4ERR_INSPECT_PRIV_H */
