/*
 * inspect_judge.c --- finding codes, the table from a kernel report to the
 * findings that explain it, and the verdict.
 *
 * Pure functions: no I/O.  "Matches the report" means a finding on one of
 * the reported objects (the inode and what it owns, the block, their
 * groups) whose code is in the set the table gives for the reporting
 * function and error.  A directory-block checksum report is confirmed by
 * dir_block_checksum on that inode, not by a bad bitmap elsewhere.
 */
#include "config.h"

#include <string.h>
#include <stdio.h>

#include <ext2fs/ext2fs.h>

#include "inspect.h"
#include "nls.h"

#define BIT(c)	(1u << (c))

struct code_info {
	const char *name;
	bool damage;
	const char *desc;
};

static const struct code_info codes[E4ERR_F_MAX] = {
	[E4ERR_F_NONE] = { "none", false, "" },
	[E4ERR_F_FS_ERROR_STATE] = { "fs_error_state", false,
		N_("the superblock records errors (kernel error flag or error count); not damage by itself") },
	[E4ERR_F_SUPERBLOCK_CHECKSUM] = { "superblock_checksum", true,
		N_("the primary superblock fails its checksum") },
	[E4ERR_F_GROUP_DESC_CHECKSUM] = { "group_desc_checksum", true,
		N_("a group descriptor fails its checksum") },
	[E4ERR_F_GROUP_DESC_CORRUPT] = { "group_desc_corrupt", true,
		N_("a group descriptor places a bitmap or inode table outside the filesystem") },
	[E4ERR_F_GROUP_COUNTS_WRONG] = { "group_counts_wrong", true,
		N_("a group's free block or inode count disagrees with its bitmap") },
	[E4ERR_F_BLOCK_BITMAP_CHECKSUM] = { "block_bitmap_checksum", true,
		N_("a group's block bitmap fails its checksum") },
	[E4ERR_F_INODE_BITMAP_CHECKSUM] = { "inode_bitmap_checksum", true,
		N_("a group's inode bitmap fails its checksum") },
	[E4ERR_F_INODE_CHECKSUM] = { "inode_checksum", true,
		N_("the inode fails its checksum") },
	[E4ERR_F_INODE_CORRUPT] = { "inode_corrupt", true,
		N_("the inode holds impossible values (mode, size, flags, extra size)") },
	[E4ERR_F_INODE_NOT_IN_USE] = { "inode_not_in_use", true,
		N_("the inode looks live but its group's bitmap marks it free") },
	[E4ERR_F_INODE_GENERATION_MISMATCH] = { "inode_generation_mismatch", false,
		N_("the inode's generation differs from the report's: it was reused") },
	[E4ERR_F_EXTENT_CHECKSUM] = { "extent_checksum", true,
		N_("an extent tree block fails its checksum") },
	[E4ERR_F_EXTENT_STRUCTURE] = { "extent_structure", true,
		N_("an extent tree node is malformed (header, depth, order, index)") },
	[E4ERR_F_BLOCK_MAP_CORRUPT] = { "block_map_corrupt", true,
		N_("the indirect block map is malformed") },
	[E4ERR_F_DIR_BLOCK_CHECKSUM] = { "dir_block_checksum", true,
		N_("a directory block fails its checksum or lacks its checksum tail") },
	[E4ERR_F_DIR_ENTRY_CORRUPT] = { "dir_entry_corrupt", true,
		N_("a directory entry is malformed, or a directory has a hole") },
	[E4ERR_F_HTREE_CORRUPT] = { "htree_corrupt", true,
		N_("a directory's hash tree root or node is malformed") },
	[E4ERR_F_XATTR_BLOCK_CORRUPT] = { "xattr_block_corrupt", true,
		N_("the extended-attribute block is malformed or fails its checksum") },
	[E4ERR_F_XATTR_IBODY_CORRUPT] = { "xattr_ibody_corrupt", true,
		N_("the extended attributes inside the inode are malformed") },
	[E4ERR_F_EA_INODE_CORRUPT] = { "ea_inode_corrupt", true,
		N_("an inode holding an attribute value (ea_inode) is missing or malformed") },
	[E4ERR_F_INLINE_DATA_CORRUPT] = { "inline_data_corrupt", true,
		N_("the inline data of the inode is inconsistent") },
	[E4ERR_F_BLOCK_OUT_OF_RANGE] = { "block_out_of_range", true,
		N_("a block number lies outside the filesystem") },
	[E4ERR_F_BLOCK_NOT_ALLOCATED] = { "block_not_allocated", true,
		N_("a block in use (by the inode, or as metadata) is free in its group's bitmap") },
	[E4ERR_F_BLOCK_IS_METADATA] = { "block_is_metadata", true,
		N_("file data or a tree block lies on group metadata or the journal") },
	[E4ERR_F_READ_ERROR] = { "read_error", true,
		N_("a block could not be read, twice") },
};

const char *e4err_finding_code_name(enum e4err_finding_code code)
{
	if ((unsigned int)code >= E4ERR_F_MAX || !codes[code].name)
		return "unknown";
	return codes[code].name;
}

bool e4err_finding_is_damage(enum e4err_finding_code code)
{
	return (unsigned int)code < E4ERR_F_MAX && codes[code].damage;
}

const char *e4err_finding_code_desc(enum e4err_finding_code code)
{
	if ((unsigned int)code >= E4ERR_F_MAX || !codes[code].desc)
		return "";
	return _(codes[code].desc);
}

const char *e4err_verdict_name(enum e4err_verdict v)
{
	switch (v) {
	case E4ERR_VERDICT_CONFIRMED:
		return "confirmed";
	case E4ERR_VERDICT_NOT_CONFIRMED:
		return "not_confirmed";
	case E4ERR_VERDICT_STALE:
		return "stale";
	case E4ERR_VERDICT_INCONCLUSIVE:
		break;
	}
	return "inconclusive";
}

const char *e4err_block_kind_name(enum e4err_block_kind k)
{
	static const char *const names[] = {
		[E4ERR_BK_UNKNOWN] = "unknown",
		[E4ERR_BK_OUTSIDE] = "outside",
		[E4ERR_BK_SUPERBLOCK] = "superblock",
		[E4ERR_BK_SUPERBLOCK_BACKUP] = "superblock_backup",
		[E4ERR_BK_GROUP_DESC] = "group_descriptors",
		[E4ERR_BK_RESERVED_GDT] = "reserved_gdt",
		[E4ERR_BK_BLOCK_BITMAP] = "block_bitmap",
		[E4ERR_BK_INODE_BITMAP] = "inode_bitmap",
		[E4ERR_BK_INODE_TABLE] = "inode_table",
		[E4ERR_BK_JOURNAL] = "journal",
		[E4ERR_BK_DATA] = "data",
	};

	if ((unsigned int)k >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[k];
}

const char *e4err_sb_errcode_name(uint8_t code)
{
	/* EXT4_ERR_* of fs/ext4/super.c, as stored in s_*_error_errcode. */
	static const char *const names[] = {
		NULL, "UNKNOWN", "EIO", "ENOMEM", "EFSBADCRC", "EFSCORRUPTED",
		"ENOSPC", "ENOKEY", "EROFS", "EFBIG", "EEXIST", "ERANGE",
		"EOVERFLOW", "EBUSY", "ENOTDIR", "ENOTEMPTY", "ESHUTDOWN",
		"EFAULT",
	};

	if (code >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[code];
}

const char *e4err_errcode_name(errcode_t code)
{
#define NAME(c) { c, #c }
	static const struct {
		errcode_t code;
		const char *name;
	} names[] = {
		NAME(EXT2_ET_SB_CSUM_INVALID),
		NAME(EXT2_ET_BLOCK_BITMAP_CSUM_INVALID),
		NAME(EXT2_ET_INODE_BITMAP_CSUM_INVALID),
		NAME(EXT2_ET_INODE_CSUM_INVALID),
		NAME(EXT2_ET_INODE_CORRUPTED),
		NAME(EXT2_ET_EXTENT_CSUM_INVALID),
		NAME(EXT2_ET_EXTENT_HEADER_BAD),
		NAME(EXT2_ET_EXTENT_INDEX_BAD),
		NAME(EXT2_ET_EXTENT_LEAF_BAD),
		NAME(EXT2_ET_DIR_CSUM_INVALID),
		NAME(EXT2_ET_DIR_CORRUPTED),
		NAME(EXT2_ET_DIR_NO_SPACE_FOR_CSUM),
		NAME(EXT2_ET_EXT_ATTR_CSUM_INVALID),
		NAME(EXT2_ET_BAD_EA_HEADER),
		NAME(EXT2_ET_BAD_EA_BLOCK_NUM),
		NAME(EXT2_ET_EA_BAD_NAME_LEN),
		NAME(EXT2_ET_EA_BAD_VALUE_SIZE),
		NAME(EXT2_ET_EA_BAD_VALUE_OFFSET),
		NAME(EXT2_ET_EA_INODE_CORRUPTED),
		NAME(EXT2_ET_NO_INLINE_DATA),
		NAME(EXT2_ET_INLINE_DATA_NO_SPACE),
		NAME(EXT2_ET_BAD_BLOCK_NUM),
		NAME(EXT2_ET_GDESC_BAD_BLOCK_MAP),
		NAME(EXT2_ET_GDESC_BAD_INODE_MAP),
		NAME(EXT2_ET_GDESC_BAD_INODE_TABLE),
		NAME(EXT2_ET_SHORT_READ),
		NAME(EXT2_ET_BAD_MAGIC),
		NAME(EXT2_ET_CORRUPT_SUPERBLOCK),
		NAME(EXT2_ET_BAD_INODE_NUM),
	};
#undef NAME
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return NULL;
}

/* Sets of codes, named after the part of ext4 that reports them. */
#define M_CSUM	(BIT(E4ERR_F_SUPERBLOCK_CHECKSUM) | BIT(E4ERR_F_GROUP_DESC_CHECKSUM) | \
		 BIT(E4ERR_F_BLOCK_BITMAP_CHECKSUM) | BIT(E4ERR_F_INODE_BITMAP_CHECKSUM) | \
		 BIT(E4ERR_F_INODE_CHECKSUM) | BIT(E4ERR_F_EXTENT_CHECKSUM) | \
		 BIT(E4ERR_F_DIR_BLOCK_CHECKSUM) | BIT(E4ERR_F_XATTR_BLOCK_CORRUPT))
#define M_RANGE	(BIT(E4ERR_F_BLOCK_OUT_OF_RANGE) | BIT(E4ERR_F_BLOCK_IS_METADATA))
#define M_IO	BIT(E4ERR_F_READ_ERROR)
#define M_DIR	(BIT(E4ERR_F_DIR_BLOCK_CHECKSUM) | BIT(E4ERR_F_DIR_ENTRY_CORRUPT) | \
		 BIT(E4ERR_F_HTREE_CORRUPT) | BIT(E4ERR_F_INLINE_DATA_CORRUPT) | M_IO)
#define M_EXTENT (BIT(E4ERR_F_EXTENT_CHECKSUM) | BIT(E4ERR_F_EXTENT_STRUCTURE) | \
		  M_RANGE | M_IO)
#define M_IND	(BIT(E4ERR_F_BLOCK_MAP_CORRUPT) | M_RANGE | M_IO)
#define M_MAP	(M_EXTENT | M_IND)
#define M_XATTR	(BIT(E4ERR_F_XATTR_BLOCK_CORRUPT) | BIT(E4ERR_F_XATTR_IBODY_CORRUPT) | \
		 BIT(E4ERR_F_EA_INODE_CORRUPT) | M_RANGE | M_IO)
#define M_INLINE (BIT(E4ERR_F_INLINE_DATA_CORRUPT) | BIT(E4ERR_F_XATTR_IBODY_CORRUPT) | \
		  BIT(E4ERR_F_DIR_ENTRY_CORRUPT))
#define M_IGET	(BIT(E4ERR_F_INODE_CHECKSUM) | BIT(E4ERR_F_INODE_CORRUPT) | \
		 BIT(E4ERR_F_INODE_NOT_IN_USE) | BIT(E4ERR_F_INLINE_DATA_CORRUPT) | \
		 BIT(E4ERR_F_EXTENT_STRUCTURE) | BIT(E4ERR_F_XATTR_IBODY_CORRUPT) | \
		 M_RANGE | M_IO)
#define M_ILOC	(BIT(E4ERR_F_GROUP_DESC_CHECKSUM) | BIT(E4ERR_F_GROUP_DESC_CORRUPT) | M_IO)
#define M_BBITMAP (BIT(E4ERR_F_BLOCK_BITMAP_CHECKSUM) | BIT(E4ERR_F_GROUP_DESC_CHECKSUM) | \
		   BIT(E4ERR_F_GROUP_DESC_CORRUPT) | M_IO)
#define M_IBITMAP (BIT(E4ERR_F_INODE_BITMAP_CHECKSUM) | BIT(E4ERR_F_GROUP_DESC_CHECKSUM) | \
		   BIT(E4ERR_F_GROUP_DESC_CORRUPT) | M_IO)
#define M_MBALLOC (M_BBITMAP | BIT(E4ERR_F_GROUP_COUNTS_WRONG) | \
		   BIT(E4ERR_F_BLOCK_NOT_ALLOCATED) | M_RANGE)
#define M_FREE	(M_MBALLOC | M_MAP)
#define M_IALLOC (M_IBITMAP | BIT(E4ERR_F_GROUP_COUNTS_WRONG) | \
		  BIT(E4ERR_F_INODE_NOT_IN_USE) | BIT(E4ERR_F_INODE_CORRUPT))
#define M_DESC	(BIT(E4ERR_F_GROUP_DESC_CHECKSUM) | BIT(E4ERR_F_GROUP_DESC_CORRUPT))
#define M_ORPHAN (BIT(E4ERR_F_INODE_NOT_IN_USE) | BIT(E4ERR_F_INODE_CORRUPT) | \
		  BIT(E4ERR_F_INODE_CHECKSUM) | M_IO)
#define M_DAMAGE 0xffffffffu	/* filtered by e4err_finding_is_damage() */

/*
 * Kernel functions (the name in "EXT4-fs error ... <function>:<line>:")
 * and what explains an error they report.  Names from fs/ext4 of Linux
 * 5.10 to 6.18; a name not listed falls back to the patterns below, then
 * to the error alone.  The manual prints this table.
 */
static const struct {
	const char *function;
	uint32_t codes;
} fn_table[] = {
	/* namei.c, dir.c: directories */
	{ "ext4_lookup", M_DIR },
	{ "__ext4_find_entry", M_DIR },
	{ "ext4_find_entry", M_DIR },
	{ "ext4_dx_find_entry", M_DIR },
	{ "dx_probe", M_DIR },
	{ "__ext4_read_dirblock", M_DIR },
	{ "__ext4_check_dir_entry", M_DIR },
	{ "ext4_readdir", M_DIR },
	{ "htree_dirblock_to_tree", M_DIR },
	{ "ext4_htree_fill_tree", M_DIR },
	{ "ext4_empty_dir", M_DIR },
	{ "ext4_add_entry", M_DIR },
	{ "ext4_dx_add_entry", M_DIR },
	{ "ext4_delete_entry", M_DIR },
	{ "ext4_rename", M_DIR },
	{ "do_split", M_DIR },
	{ "make_indexed_dir", M_DIR },
	{ "ext4_get_first_dir_block", M_DIR },
	{ "ext4_dirblock_csum_verify", M_DIR },
	/* inode.c: reading inodes */
	{ "__ext4_iget", M_IGET },
	{ "ext4_iget", M_IGET },
	{ "__ext4_get_inode_loc", M_ILOC },
	{ "ext4_get_inode_loc", M_ILOC },
	{ "ext4_map_blocks", M_MAP },
	{ "ext4_ind_map_blocks", M_IND },
	{ "ext4_get_branch", M_IND },
	{ "ext4_block_to_path", M_IND },
	{ "ext4_free_branches", M_IND },
	{ "ext4_clear_blocks", M_IND },
	/* extents.c */
	{ "ext4_ext_check_inode", M_EXTENT },
	{ "__ext4_ext_check", M_EXTENT },
	{ "__read_extent_tree_block", M_EXTENT },
	{ "ext4_find_extent", M_EXTENT },
	{ "ext4_ext_map_blocks", M_EXTENT },
	{ "ext4_ext_remove_space", M_EXTENT },
	{ "ext4_ext_rm_leaf", M_EXTENT },
	{ "ext4_ext_insert_extent", M_EXTENT },
	{ "ext4_ext_correct_indexes", M_EXTENT },
	{ "ext4_ext_precache", M_EXTENT },
	{ "ext4_ext_search_left", M_EXTENT },
	{ "ext4_ext_search_right", M_EXTENT },
	/* xattr.c */
	{ "ext4_xattr_block_get", M_XATTR },
	{ "ext4_xattr_block_list", M_XATTR },
	{ "ext4_xattr_block_find", M_XATTR },
	{ "ext4_xattr_block_set", M_XATTR },
	{ "__ext4_xattr_check_block", M_XATTR },
	{ "ext4_xattr_ibody_get", M_XATTR },
	{ "__xattr_check_inode", M_XATTR },
	{ "ext4_xattr_inode_iget", M_XATTR },
	{ "ext4_xattr_inode_verify_hashes", M_XATTR },
	{ "ext4_xattr_inode_get", M_XATTR },
	{ "ext4_xattr_get", M_XATTR },
	{ "ext4_xattr_set_entry", M_XATTR },
	{ "ext4_expand_extra_isize_ea", M_XATTR },
	/* inline.c */
	{ "ext4_read_inline_data", M_INLINE },
	{ "ext4_find_inline_data_nolock", M_INLINE },
	{ "ext4_read_inline_dir", M_INLINE },
	{ "ext4_find_inline_entry", M_INLINE },
	{ "ext4_get_inline_size", M_INLINE },
	{ "empty_inline_dir", M_INLINE },
	{ "ext4_try_add_inline_entry", M_INLINE },
	{ "ext4_convert_inline_data_nolock", M_INLINE },
	/* balloc.c, ialloc.c, mballoc.c */
	{ "ext4_read_block_bitmap_nowait", M_BBITMAP },
	{ "ext4_validate_block_bitmap", M_BBITMAP },
	{ "ext4_wait_block_bitmap", M_BBITMAP },
	{ "ext4_read_block_bitmap", M_BBITMAP },
	{ "ext4_read_inode_bitmap", M_IBITMAP },
	{ "ext4_validate_inode_bitmap", M_IBITMAP },
	{ "ext4_mb_generate_buddy", M_MBALLOC },
	{ "mb_free_blocks", M_MBALLOC },
	{ "ext4_mb_complex_scan_group", M_MBALLOC },
	{ "ext4_mb_mark_diskspace_used", M_MBALLOC },
	{ "ext4_mb_mark_context", M_MBALLOC },
	{ "ext4_mb_release_inode_pa", M_MBALLOC },
	{ "ext4_free_blocks", M_FREE },
	{ "ext4_mb_clear_bb", M_FREE },
	{ "ext4_free_inode", M_IALLOC },
	{ "__ext4_new_inode", M_IALLOC },
	{ "find_inode_bit", M_IALLOC },
	{ "recently_deleted", M_IALLOC },
	/* super.c: descriptors; orphan.c */
	{ "ext4_check_descriptors", M_DESC },
	{ "ext4_get_group_desc", M_DESC },
	{ "ext4_orphan_get", M_ORPHAN },
	{ "ext4_process_orphan", M_ORPHAN },
	{ "ext4_orphan_add", M_ORPHAN },
	{ "ext4_orphan_del", M_ORPHAN },
};

/* Fallback by part of the name, first match wins. */
static const struct {
	const char *part;
	uint32_t codes;
} fn_patterns[] = {
	{ "xattr", M_XATTR },
	{ "inline", M_INLINE },
	{ "_ext_", M_EXTENT },
	{ "extent", M_EXTENT },
	{ "dir", M_DIR },
	{ "dx_", M_DIR },
	{ "entry", M_DIR },
	{ "block_bitmap", M_BBITMAP },
	{ "inode_bitmap", M_IBITMAP },
	{ "mb_", M_MBALLOC },
	{ "iget", M_IGET },
	{ "inode_loc", M_ILOC },
	{ "ind_", M_IND },
	{ "orphan", M_ORPHAN },
};

static uint32_t function_codes(const char *fn, bool *known)
{
	size_t i;

	*known = true;
	for (i = 0; i < sizeof(fn_table) / sizeof(fn_table[0]); i++)
		if (!strcmp(fn, fn_table[i].function))
			return fn_table[i].codes;
	for (i = 0; i < sizeof(fn_patterns) / sizeof(fn_patterns[0]); i++)
		if (strstr(fn, fn_patterns[i].part))
			return fn_patterns[i].codes;
	*known = false;
	return 0;
}

/* 74 EFSBADCRC, 117 EFSCORRUPTED (ext4's 0 too), 5 EIO; else nothing on disk. */
static uint32_t error_codes(int32_t error)
{
	uint32_t e = error < 0 ? -(uint32_t)error : (uint32_t)error;

	switch (e) {
	case 0:
	case 117:
		return M_DAMAGE;
	case 74:
		return M_CSUM;
	case 5:
		return M_IO;
	default:
		return 0;
	}
}

uint32_t e4err_explaining_codes(const char *function, bool has_error,
				int32_t error)
{
	uint32_t fn_mask = 0, err_mask = M_DAMAGE;
	bool fn_known = false;

	if (function && *function)
		fn_mask = function_codes(function, &fn_known);
	if (has_error)
		err_mask = error_codes(error);
	if (fn_known && has_error && (fn_mask & err_mask))
		return fn_mask & err_mask;
	if (fn_known && !has_error)
		return fn_mask;
	return err_mask;
}

static bool scope_in_report(const struct e4err_inspect_request *req,
			    const struct e4err_inspection *insp,
			    const struct e4err_finding *f)
{
	switch (f->scope) {
	case E4ERR_SCOPE_INODE:
		/* A reused or freed inode is not the file the report was about. */
		return !insp->stale;
	case E4ERR_SCOPE_BLOCK:
	case E4ERR_SCOPE_GROUP:
		return true;
	case E4ERR_SCOPE_FS:
		/* The superblock is what was asked about only when nothing else was. */
		return !req->has_inode && !req->has_block && !req->has_group;
	case E4ERR_SCOPE_OTHER:
		break;
	}
	return false;
}

void e4err_inspect_judge(const struct e4err_inspect_request *req,
			 struct e4err_inspection *insp)
{
	uint32_t mask, i;
	bool any = false;

	if (insp->verdict == E4ERR_VERDICT_INCONCLUSIVE && insp->errcode)
		return;	/* could not look at all: nothing to judge */
	mask = e4err_explaining_codes(req->function, req->has_error, req->error);
	for (i = 0; i < insp->nfindings && i < E4ERR_INSPECT_MAX_FINDINGS; i++) {
		struct e4err_finding *f = &insp->findings[i];

		f->related = e4err_finding_is_damage(f->id) &&
			     (unsigned int)f->id < 32 && (mask & BIT(f->id)) &&
			     scope_in_report(req, insp, f);
		any |= f->related;
	}
	if (any) {
		insp->verdict = E4ERR_VERDICT_CONFIRMED;
		insp->reason[0] = 0;
	} else if (insp->stale) {
		insp->verdict = E4ERR_VERDICT_STALE;
	} else if (insp->incomplete) {
		insp->verdict = E4ERR_VERDICT_INCONCLUSIVE;
		if (!insp->reason[0])
			snprintf(insp->reason, sizeof(insp->reason), "%s",
				 _("part of what the report points at could not be read"));
	} else {
		insp->verdict = E4ERR_VERDICT_NOT_CONFIRMED;
		insp->reason[0] = 0;
	}
}
