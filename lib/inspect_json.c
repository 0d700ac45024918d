/*
 * inspect_json.c --- an inspection as the documented JSON object.
 *
 * Strings from the disk (the superblock's error function names, the
 * volume name) are untrusted bytes: they go through e4err_json_bytes so
 * the JSON is valid whatever they hold.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "format.h"
#include "inspect_json.h"

struct feature {
	int word;	/* 0 compat, 1 incompat, 2 ro_compat */
	uint32_t mask;
	const char *name;
};

static const struct feature features[] = {
	{ 0, 0x0001, "dir_prealloc" },
	{ 0, 0x0002, "imagic_inodes" },
	{ 0, 0x0004, "has_journal" },
	{ 0, 0x0008, "ext_attr" },
	{ 0, 0x0010, "resize_inode" },
	{ 0, 0x0020, "dir_index" },
	{ 0, 0x0040, "lazy_bg" },
	{ 0, 0x0100, "snapshot_bitmap" },
	{ 0, 0x0200, "sparse_super2" },
	{ 0, 0x0400, "fast_commit" },
	{ 0, 0x0800, "stable_inodes" },
	{ 0, 0x1000, "orphan_file" },
	{ 1, 0x0001, "compression" },
	{ 1, 0x0002, "filetype" },
	{ 1, 0x0004, "needs_recovery" },
	{ 1, 0x0008, "journal_dev" },
	{ 1, 0x0010, "meta_bg" },
	{ 1, 0x0040, "extent" },
	{ 1, 0x0080, "64bit" },
	{ 1, 0x0100, "mmp" },
	{ 1, 0x0200, "flex_bg" },
	{ 1, 0x0400, "ea_inode" },
	{ 1, 0x1000, "dirdata" },
	{ 1, 0x2000, "metadata_csum_seed" },
	{ 1, 0x4000, "large_dir" },
	{ 1, 0x8000, "inline_data" },
	{ 1, 0x10000, "encrypt" },
	{ 1, 0x20000, "casefold" },
	{ 2, 0x0001, "sparse_super" },
	{ 2, 0x0002, "large_file" },
	{ 2, 0x0008, "huge_file" },
	{ 2, 0x0010, "uninit_bg" },
	{ 2, 0x0020, "dir_nlink" },
	{ 2, 0x0040, "extra_isize" },
	{ 2, 0x0080, "has_snapshot" },
	{ 2, 0x0100, "quota" },
	{ 2, 0x0200, "bigalloc" },
	{ 2, 0x0400, "metadata_csum" },
	{ 2, 0x0800, "replica" },
	{ 2, 0x1000, "read-only" },
	{ 2, 0x2000, "project" },
	{ 2, 0x4000, "shared_blocks" },
	{ 2, 0x8000, "verity" },
	{ 2, 0x10000, "orphan_present" },
};

json_t *e4err_features_to_json(uint32_t compat, uint32_t incompat,
			       uint32_t ro_compat)
{
	uint32_t words[3] = { compat, incompat, ro_compat }, left[3];
	static const char prefix[3] = { 'C', 'I', 'R' };
	json_t *a = json_array();
	char name[32];
	size_t i;
	int w, bit;

	if (!a)
		return NULL;
	memcpy(left, words, sizeof(left));
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		if (!(words[features[i].word] & features[i].mask))
			continue;
		json_array_append_new(a, json_string(features[i].name));
		left[features[i].word] &= ~features[i].mask;
	}
	/* Bits we have no name for, as dumpe2fs shows them. */
	for (w = 0; w < 3; w++)
		for (bit = 0; bit < 32; bit++)
			if (left[w] & (1u << bit)) {
				snprintf(name, sizeof(name), "FEATURE_%c%d",
					 prefix[w], bit);
				json_array_append_new(a, json_string(name));
			}
	return a;
}

void e4err_uuid_unparse(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

static json_t *opt_u64(bool has, uint64_t v)
{
	return has ? e4err_json_u64(v) : json_null();
}

static json_t *raw_string(const char *s)
{
	bool lossy;

	return e4err_json_bytes(s, strlen(s), &lossy);
}

static json_t *sb_error_json(const struct e4err_sb_error *e)
{
	const char *name = e4err_sb_errcode_name(e->errcode);

	if (!e->present)
		return json_null();
	return json_pack("{s:o, s:o, s:I, s:o, s:o, s:o}",
			 "time", e4err_json_u64(e->time),
			 "function", raw_string(e->function),
			 "line", (json_int_t)e->line,
			 "inode", opt_u64(e->has_inode, e->inode),
			 "block", opt_u64(e->has_block, e->block),
			 "error", name ? json_string(name) :
				 json_integer(e->errcode));
}

static const char *errors_behaviour(uint16_t e)
{
	switch (e) {
	case 1:
		return "continue";
	case 2:
		return "remount-ro";
	case 3:
		return "panic";
	}
	return "unknown";
}

static json_t *sb_json(const struct e4err_sb_summary *s)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "volume_name", raw_string(s->volume_name));
	json_object_set_new(o, "valid", json_boolean(s->state & 1));
	json_object_set_new(o, "error_flag", json_boolean(s->state & 2));
	json_object_set_new(o, "errors", json_string(errors_behaviour(s->errors)));
	json_object_set_new(o, "error_count", json_integer(s->error_count));
	json_object_set_new(o, "first_error", sb_error_json(&s->first_error));
	json_object_set_new(o, "last_error", sb_error_json(&s->last_error));
	json_object_set_new(o, "last_check", e4err_json_u64(s->last_check));
	json_object_set_new(o, "mount_time", e4err_json_u64(s->mount_time));
	json_object_set_new(o, "write_time", e4err_json_u64(s->write_time));
	json_object_set_new(o, "mount_count", json_integer(s->mount_count));
	json_object_set_new(o, "max_mount_count", json_integer(s->max_mount_count));
	json_object_set_new(o, "features", e4err_features_to_json(
		s->feature_compat, s->feature_incompat, s->feature_ro_compat));
	json_object_set_new(o, "block_size", json_integer(s->block_size));
	json_object_set_new(o, "cluster_size", json_integer(s->cluster_size));
	json_object_set_new(o, "inode_size", json_integer(s->inode_size));
	json_object_set_new(o, "blocks_count", e4err_json_u64(s->blocks_count));
	json_object_set_new(o, "inodes_count", json_integer(s->inodes_count));
	json_object_set_new(o, "group_count", json_integer(s->group_count));
	json_object_set_new(o, "groups_per_flex", json_integer(s->groups_per_flex));
	json_object_set_new(o, "checksum_ok", json_boolean(s->checksum_ok));
	return o;
}

static json_t *inode_json(const struct e4err_inode_summary *s)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "ino", e4err_json_u64(s->ino));
	json_object_set_new(o, "group", json_integer(s->group));
	json_object_set_new(o, "in_use", s->in_use_known ?
			    json_boolean(s->in_use) : json_null());
	json_object_set_new(o, "checksum_ok", s->checksum_checked ?
			    json_boolean(s->checksum_ok) : json_null());
	json_object_set_new(o, "generation", json_integer(s->generation));
	json_object_set_new(o, "type", json_string(s->type));
	json_object_set_new(o, "mode", json_integer(s->mode));
	json_object_set_new(o, "links", json_integer(s->links));
	json_object_set_new(o, "size", e4err_json_u64(s->size));
	json_object_set_new(o, "dtime", json_integer(s->dtime));
	json_object_set_new(o, "flags", json_integer(s->flags));
	json_object_set_new(o, "xattr_block", opt_u64(s->xattr_block != 0,
						      s->xattr_block));
	json_object_set_new(o, "map", json_string(s->map));
	json_object_set_new(o, "extent_depth", json_integer(s->extent_depth));
	json_object_set_new(o, "extents", json_integer(s->extents));
	json_object_set_new(o, "tree_blocks", json_integer(s->tree_blocks));
	json_object_set_new(o, "dir_blocks_checked",
			    json_integer(s->dir_blocks_checked));
	json_object_set_new(o, "htree", json_boolean(s->htree));
	return o;
}

static json_t *block_json(const struct e4err_block_summary *b)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "block", e4err_json_u64(b->block));
	json_object_set_new(o, "in_range", json_boolean(b->in_range));
	json_object_set_new(o, "group", b->in_range ?
			    json_integer(b->group) : json_null());
	json_object_set_new(o, "kind", json_string(e4err_block_kind_name(b->kind)));
	json_object_set_new(o, "kind_certain", json_boolean(b->kind_certain));
	json_object_set_new(o, "owner_group", opt_u64(b->has_owner_group,
						      b->owner_group));
	json_object_set_new(o, "allocated", b->allocated_known ?
			    json_boolean(b->allocated) : json_null());
	json_object_set_new(o, "bitmap_uninit", json_boolean(b->bitmap_uninit));
	json_object_set_new(o, "belongs_to_inode", b->owner_checked ?
			    json_boolean(b->belongs) : json_null());
	json_object_set_new(o, "role", b->belongs ?
			    json_string(b->role) : json_null());
	json_object_set_new(o, "logical", opt_u64(b->has_logical, b->logical));
	json_object_set_new(o, "as_logical_maps_to",
			    opt_u64(b->maps_logical, b->logical_pblk));
	return o;
}

static json_t *findings_json(const struct e4err_inspection *insp)
{
	json_t *a = json_array(), *f;
	const char *name;
	uint32_t i;

	if (!a)
		return NULL;
	for (i = 0; i < insp->nfindings; i++) {
		const struct e4err_finding *x = &insp->findings[i];

		name = x->errcode ? e4err_errcode_name(x->errcode) : NULL;
		f = json_pack("{s:s, s:s, s:o, s:o, s:b, s:b}",
			      "code", x->code, "object", x->object,
			      "message", raw_string(x->message),
			      "errcode", name ? json_string(name) : json_null(),
			      "related", x->related,
			      "damage", e4err_finding_is_damage(x->id));
		if (f)
			json_array_append_new(a, f);
	}
	return a;
}

json_t *e4err_inspection_to_json(const struct e4err_inspection *insp,
				 const char *mountpoint)
{
	char uuid[37];
	json_t *o = json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "device", raw_string(insp->device));
	if (insp->has_sb)
		e4err_uuid_unparse(insp->sb.uuid, uuid);
	json_object_set_new(o, "uuid", insp->has_sb ? json_string(uuid) :
			    json_null());
	json_object_set_new(o, "mountpoint", mountpoint ?
			    raw_string(mountpoint) : json_null());
	json_object_set_new(o, "superblock", insp->has_sb ? sb_json(&insp->sb) :
			    json_null());
	json_object_set_new(o, "inode", insp->has_inode ?
			    inode_json(&insp->inode) : json_null());
	json_object_set_new(o, "block", insp->has_block ?
			    block_json(&insp->block) : json_null());
	json_object_set_new(o, "findings", findings_json(insp));
	json_object_set_new(o, "verdict",
			    json_string(e4err_verdict_name(insp->verdict)));
	json_object_set_new(o, "reason", insp->reason[0] ?
			    raw_string(insp->reason) : json_null());
	json_object_set_new(o, "truncated", json_boolean(insp->truncated));
	return o;
}
