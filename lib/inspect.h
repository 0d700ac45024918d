/*
 * inspect.h --- the inspect stage: a read-only look at the reported inode
 * and block on the device, and a verdict on the report.
 *
 * Owns the inspection of one report: a new libext2fs handle opened
 * read-only on the device (superblock only, descriptors read on demand,
 * never cached across inspections), the checks of the superblock, the
 * reported inode (bitmap bit, checksum, generation, extent tree or block
 * map, directory blocks and htree root, extended attributes, inline data),
 * the reported block (what it is, whether it is in use, whether it belongs
 * to the inode) and the groups they touch.  Every check is bounded, so an
 * inspection costs the same on 16 GiB and on 16 TiB.
 *
 * The work is done in a child process with a deadline (inspect_child.c):
 * a device stuck in uninterruptible I/O ends the inspection inconclusive,
 * never the caller.  Everything in struct e4err_inspection is plain data
 * without pointers, so it crosses the pipe from the child as it is.
 */
#ifndef E4ERR_INSPECT_H
#define E4ERR_INSPECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <et/com_err.h>

enum e4err_verdict {
	E4ERR_VERDICT_INCONCLUSIVE = 0,	/* could not look; reason says why */
	E4ERR_VERDICT_NOT_CONFIRMED,	/* what the report points at checks out */
	E4ERR_VERDICT_CONFIRMED,	/* on-disk damage that explains the report */
	E4ERR_VERDICT_STALE,		/* the inode was freed or reused since */
};

/* Stable finding codes; e4err_finding_code_name() gives the string. */
enum e4err_finding_code {
	E4ERR_F_NONE = 0,
	E4ERR_F_FS_ERROR_STATE,		/* superblock records errors (not damage) */
	E4ERR_F_SUPERBLOCK_CHECKSUM,
	E4ERR_F_GROUP_DESC_CHECKSUM,
	E4ERR_F_GROUP_DESC_CORRUPT,	/* descriptor points outside the fs */
	E4ERR_F_GROUP_COUNTS_WRONG,	/* free counts disagree with the bitmap */
	E4ERR_F_BLOCK_BITMAP_CHECKSUM,
	E4ERR_F_INODE_BITMAP_CHECKSUM,
	E4ERR_F_INODE_CHECKSUM,
	E4ERR_F_INODE_CORRUPT,		/* impossible mode, size, flags, extra_isize */
	E4ERR_F_INODE_NOT_IN_USE,	/* live-looking inode free in its bitmap */
	E4ERR_F_INODE_GENERATION_MISMATCH,	/* inode reused (not damage) */
	E4ERR_F_EXTENT_CHECKSUM,
	E4ERR_F_EXTENT_STRUCTURE,
	E4ERR_F_BLOCK_MAP_CORRUPT,	/* indirect block map */
	E4ERR_F_DIR_BLOCK_CHECKSUM,
	E4ERR_F_DIR_ENTRY_CORRUPT,
	E4ERR_F_HTREE_CORRUPT,
	E4ERR_F_XATTR_BLOCK_CORRUPT,
	E4ERR_F_XATTR_IBODY_CORRUPT,
	E4ERR_F_EA_INODE_CORRUPT,
	E4ERR_F_INLINE_DATA_CORRUPT,
	E4ERR_F_BLOCK_OUT_OF_RANGE,
	E4ERR_F_BLOCK_NOT_ALLOCATED,
	E4ERR_F_BLOCK_IS_METADATA,
	E4ERR_F_READ_ERROR,
	E4ERR_F_MAX
};

/* What a finding is about, for deciding whether it explains the report. */
enum e4err_scope {
	E4ERR_SCOPE_OTHER = 0,	/* met on the way (another group, the journal) */
	E4ERR_SCOPE_FS,		/* the superblock */
	E4ERR_SCOPE_GROUP,	/* a group holding a reported object */
	E4ERR_SCOPE_INODE,	/* the reported inode or something it owns */
	E4ERR_SCOPE_BLOCK,	/* the reported block */
};

struct e4err_finding {
	enum e4err_finding_code id;
	enum e4err_scope scope;
	char code[32];		/* e4err_finding_code_name(id) */
	char object[48];	/* "inode 12", "block 4385", "group 3" */
	char message[256];
	errcode_t errcode;	/* libext2fs error that applies, or 0 */
	bool related;		/* explains the report (else found on the way) */
};

/* One of the superblock's two error records (s_first_error_*, s_last_error_*). */
struct e4err_sb_error {
	bool present;
	uint64_t time;
	char function[33];	/* raw bytes up to the first NUL, at most 32 */
	uint32_t line;
	bool has_inode;
	uint32_t inode;
	bool has_block;
	uint64_t block;
	uint8_t errcode;	/* EXT4_ERR_* as stored on disk */
};

struct e4err_sb_summary {
	uint8_t uuid[16];
	char volume_name[17];
	uint16_t state;		/* s_state: EXT2_VALID_FS, EXT2_ERROR_FS, ... */
	uint16_t errors;	/* s_errors: 1 continue, 2 remount-ro, 3 panic */
	uint32_t error_count;
	struct e4err_sb_error first_error;
	struct e4err_sb_error last_error;
	uint64_t last_check;
	uint64_t mount_time;
	uint64_t write_time;
	uint16_t mount_count;
	int16_t max_mount_count;
	uint32_t feature_compat;
	uint32_t feature_incompat;
	uint32_t feature_ro_compat;
	uint64_t blocks_count;
	uint32_t inodes_count;
	uint32_t block_size;
	uint32_t cluster_size;
	uint32_t inode_size;
	uint32_t group_count;
	uint32_t blocks_per_group;
	uint32_t inodes_per_group;
	uint32_t groups_per_flex;	/* 1 without flex_bg */
	bool checksum_ok;		/* true too when there is no checksum */
};

struct e4err_inode_summary {
	uint64_t ino;
	uint32_t group;
	bool in_use_known;	/* false when the bitmap could not be trusted */
	bool in_use;
	bool checksum_checked;
	bool checksum_ok;
	uint32_t generation;
	uint16_t mode;
	uint16_t links;
	uint64_t size;
	uint32_t dtime;
	uint32_t flags;
	uint64_t xattr_block;	/* 0: none */
	char type[12];		/* "regular", "directory", ... */
	char map[12];		/* "extents", "indirect", "inline", "none" */
	uint32_t extent_depth;
	uint32_t extents;	/* extents (or mapped runs) examined */
	uint32_t tree_blocks;	/* extent nodes or indirect blocks read */
	uint32_t dir_blocks_checked;
	bool htree;
};

enum e4err_block_kind {
	E4ERR_BK_UNKNOWN = 0,
	E4ERR_BK_OUTSIDE,	/* beyond the end or before the first data block */
	E4ERR_BK_SUPERBLOCK,
	E4ERR_BK_SUPERBLOCK_BACKUP,
	E4ERR_BK_GROUP_DESC,
	E4ERR_BK_RESERVED_GDT,
	E4ERR_BK_BLOCK_BITMAP,
	E4ERR_BK_INODE_BITMAP,
	E4ERR_BK_INODE_TABLE,
	E4ERR_BK_JOURNAL,
	E4ERR_BK_DATA,		/* none of the above in its flex group */
};

struct e4err_block_summary {
	uint64_t block;
	bool in_range;
	uint32_t group;
	enum e4err_block_kind kind;
	bool kind_certain;	/* false: only part of the flex group was looked at */
	bool has_owner_group;	/* bitmap or inode table: of which group */
	uint32_t owner_group;
	bool allocated_known;
	bool allocated;
	bool bitmap_uninit;	/* group flagged BLOCK_UNINIT */
	/* Only with a reported inode: */
	bool owner_checked;
	bool belongs;		/* a physical block of the inode */
	char role[16];		/* "data", "extent_node", "indirect", "xattr", "dir" */
	bool has_logical;
	uint64_t logical;	/* where in the inode it belongs */
	bool maps_logical;	/* the number, as a logical block, is mapped */
	uint64_t logical_pblk;	/* ... to this physical block */
};

#define E4ERR_INSPECT_MAX_FINDINGS	32

struct e4err_inspection {
	enum e4err_verdict verdict;
	char reason[160];	/* why, for inconclusive and stale; else "" */
	errcode_t errcode;	/* behind an inconclusive verdict, or 0 */
	char device[256];	/* what was opened */
	bool has_sb;
	struct e4err_sb_summary sb;
	bool has_inode;
	struct e4err_inode_summary inode;
	bool has_block;
	struct e4err_block_summary block;
	bool stale;		/* inode freed or reused since the report */
	bool incomplete;	/* something needed could not be read */
	bool truncated;		/* a documented cap was reached */
	char truncated_what[64];
	uint32_t passes;	/* 2 when findings were re-checked */
	uint32_t dropped_races;	/* findings gone on the re-check */
	uint32_t nfindings;
	bool findings_dropped;	/* more than E4ERR_INSPECT_MAX_FINDINGS */
	struct e4err_finding findings[E4ERR_INSPECT_MAX_FINDINGS];
};

/* What to look at.  Strings are borrowed for the call. */
struct e4err_inspect_request {
	const char *device;	/* block device or image file */
	bool has_rdev;		/* the device must be this one (from fsmap) */
	dev_t rdev;
	bool has_uuid;		/* the filesystem must have this UUID */
	uint8_t uuid[16];
	bool has_inode;
	uint64_t inode;
	bool has_generation;
	uint32_t generation;
	bool has_block;
	uint64_t block;
	bool has_group;		/* a group named by the kernel log */
	uint32_t group;
	const char *function;	/* the kernel function that reported, or NULL */
	bool has_error;
	int32_t error;		/* raw error as reported (sign ignored) */
};

/*
 * Caps that keep an inspection in milliseconds.  Reaching one sets
 * `truncated` and says which in `truncated_what`.
 */
#define E4ERR_INSPECT_MAX_TREE_BLOCKS	256	/* extent nodes or indirect blocks */
#define E4ERR_INSPECT_MAX_EXTENTS	65536	/* extents or mapped runs */
#define E4ERR_INSPECT_MAX_META_CHECKS	512	/* extents checked against metadata */
#define E4ERR_INSPECT_MAX_DIR_BLOCKS	64	/* directory blocks read */
#define E4ERR_INSPECT_MAX_FLEX_GROUPS	64	/* descriptors looked at per flex group */
#define E4ERR_INSPECT_MAX_XATTR_INODES	4	/* EA inodes looked at */
#define E4ERR_INSPECT_DEFAULT_DEADLINE_MS	5000
/* Damage is looked at again on a new handle this long after the first look. */
#define E4ERR_INSPECT_RECHECK_DELAY_MS	50

/*
 * Inspect in this process.  Always fills *out (an inconclusive verdict
 * when the device cannot be read); returns an error only for a request
 * that makes no sense (no device).  Can block as long as the device does:
 * callers that must not block use the child variant below.
 */
errcode_t e4err_inspect(const struct e4err_inspect_request *req,
			struct e4err_inspection *out);

/*
 * Re-judge the findings of *insp against the report in *req: marks each
 * finding related or not and sets the verdict.  Pure; e4err_inspect()
 * calls it, and tests call it on hand-made inspections.
 */
void e4err_inspect_judge(const struct e4err_inspect_request *req,
			 struct e4err_inspection *insp);

/*
 * The documented table: which finding codes explain a report from this
 * kernel function (NULL: unknown) with this error (has_error false:
 * unknown).  A bit per enum e4err_finding_code.
 */
uint32_t e4err_explaining_codes(const char *function, bool has_error,
				int32_t error);

/* "inode_checksum" for E4ERR_F_INODE_CHECKSUM; "unknown" when out of range. */
const char *e4err_finding_code_name(enum e4err_finding_code code);
/* True for codes that are on-disk damage (not fs_error_state, generation). */
bool e4err_finding_is_damage(enum e4err_finding_code code);
/* One line describing a code, for the manual and --help. */
const char *e4err_finding_code_desc(enum e4err_finding_code code);

const char *e4err_verdict_name(enum e4err_verdict v);
const char *e4err_block_kind_name(enum e4err_block_kind k);
/* "EXT2_ET_INODE_CSUM_INVALID" for the libext2fs codes findings use; NULL else. */
const char *e4err_errcode_name(errcode_t code);
/* "EFSCORRUPTED" for the superblock's EXT4_ERR_* byte; NULL when unknown. */
const char *e4err_sb_errcode_name(uint8_t code);

/*
 * Child variant.  start forks a child that inspects and writes the result
 * to a pipe; the caller polls child->fd (readable, then EOF) and calls
 * collect until it returns done, or calls abandon at its deadline.  The
 * caller's event loop never blocks on the device.  A child killed by a
 * signal, or that wrote a short result, gives an inconclusive verdict.
 */
struct e4err_inspect_child {
	pid_t pid;
	int pidfd;		/* -1 when pidfd_open is not available */
	int fd;			/* read end of the result pipe, non-blocking */
	size_t got;
	bool reaped;		/* false after abandon: reap pid later */
	unsigned char *buf;	/* sizeof(struct e4err_inspection) */
};

errcode_t e4err_inspect_start(const struct e4err_inspect_request *req,
			      struct e4err_inspect_child *child);
/* Reads what is there; *done when *out holds the result and the child is gone. */
errcode_t e4err_inspect_collect(struct e4err_inspect_child *child,
				struct e4err_inspection *out, bool *done);
/* Kill the child (SIGKILL; a child in D state is reaped later), verdict inconclusive. */
void e4err_inspect_abandon(struct e4err_inspect_child *child,
			   struct e4err_inspection *out, const char *reason);

/* start, then poll and collect until done or deadline_ms has passed. */
errcode_t e4err_inspect_run(const struct e4err_inspect_request *req,
			    unsigned int deadline_ms,
			    struct e4err_inspection *out);

#endif /* E4ERR_INSPECT_H */
