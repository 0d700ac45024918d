/*
 * enrich_json.c --- enriched records as JSON, and what the superblock
 * remembers that was never recorded (enrich.h).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enrich.h"
#include "format.h"

const char *e4err_src_names(uint8_t src)
{
	static const char *const names[8] = {
		"", "event", "kmsg", "event,kmsg", "superblock",
		"event,superblock", "kmsg,superblock", "event,kmsg,superblock",
	};

	return names[src & 7];
}

static json_t *src_array(uint8_t src)
{
	json_t *a = json_array();

	if (!a)
		return NULL;
	if (src & E4ERR_SRC_EVENT)
		json_array_append_new(a, json_string("event"));
	if (src & E4ERR_SRC_KMSG)
		json_array_append_new(a, json_string("kmsg"));
	if (src & E4ERR_SRC_SUPERBLOCK)
		json_array_append_new(a, json_string("superblock"));
	return a;
}

static int set_u64(json_t *o, const char *k, bool has, uint64_t v)
{
	return json_object_set_new(o, k, has ? e4err_json_u64(v) : json_null());
}

static int set_bytes(json_t *o, const char *k, bool has, const char *s,
		     size_t n)
{
	bool lossy;

	return json_object_set_new(o, k, has ? e4err_json_bytes(s, n, &lossy) :
				   json_null());
}

static const char *kind_name(enum e4err_klog_kind k)
{
	switch (k) {
	case E4ERR_KLOG_ERROR:
		return "error";
	case E4ERR_KLOG_STD_ERROR:
		return "std_error";
	case E4ERR_KLOG_GROUP_ERROR:
		return "group_error";
	default:
		return NULL;
	}
}

static json_t *sources_json(const struct e4err_enriched_object *o)
{
	json_t *s = json_object();
	int r = 0;

	if (!s)
		return NULL;
	if (o->has_inode)
		r |= json_object_set_new(s, "inode", src_array(o->inode_src));
	if (o->has_block)
		r |= json_object_set_new(s, "block", src_array(o->block_src));
	if (o->has_function)
		r |= json_object_set_new(s, "function", src_array(o->function_src));
	if (o->has_line)
		r |= json_object_set_new(s, "line", src_array(o->line_src));
	if (o->has_comm)
		r |= json_object_set_new(s, "comm", src_array(E4ERR_SRC_KMSG));
	if (o->has_message)
		r |= json_object_set_new(s, "message", src_array(
				o->has_kmsg ? E4ERR_SRC_KMSG : E4ERR_SRC_EVENT));
	if (r) {
		json_decref(s);
		return NULL;
	}
	return s;
}

json_t *e4err_enriched_object_to_json(const struct e4err_enriched_object *o)
{
	const char *kind = o->has_kmsg ? kind_name(o->kmsg_kind) : NULL;
	json_t *j = json_object();
	int r;

	if (!j)
		return NULL;
	r = set_u64(j, "inode", o->has_inode, o->inode);
	r |= set_u64(j, "block", o->has_block, o->block);
	r |= set_bytes(j, "function", o->has_function, o->function,
		       strlen(o->function));
	r |= set_u64(j, "line", o->has_line, o->line);
	r |= set_u64(j, "group", o->has_group, o->group);
	r |= set_u64(j, "sb_errcode", o->has_errcode, o->errcode);
	r |= set_bytes(j, "comm", o->has_comm, o->comm, o->comm_len);
	r |= set_bytes(j, "path", o->has_path, o->path, o->path_len);
	r |= set_bytes(j, "message", o->has_message, o->message, o->message_len);
	r |= set_u64(j, "kmsg_seq", o->has_kmsg, o->kmsg_seq);
	r |= json_object_set_new(j, "kmsg_kind", kind ? json_string(kind) :
				 json_null());
	r |= json_object_set_new(j, "from", src_array(o->sources));
	r |= json_object_set_new(j, "sources", sources_json(o));
	if (r) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *errrec_json(const struct e4err_sb_errrec *e)
{
	json_t *j;
	int r;

	if (!e->present)
		return json_null();
	j = json_object();
	if (!j)
		return NULL;
	r = set_u64(j, "time", true, e->time);
	r |= set_bytes(j, "function", true, e->function, strlen(e->function));
	r |= set_u64(j, "line", true, e->line);
	r |= set_u64(j, "inode", e->has_inode, e->inode);
	r |= set_u64(j, "block", e->has_block, e->block);
	r |= set_u64(j, "errcode", e->errcode != 0, e->errcode);
	if (r) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *sb_json(const struct e4err_enriched *rec)
{
	json_t *j;
	int r;

	if (!rec->has_sb)
		return json_null();
	j = json_object();
	if (!j)
		return NULL;
	r = set_u64(j, "error_count", true, rec->sb.error_count);
	r |= json_object_set_new(j, "counted", json_boolean(rec->sb_counted));
	r |= json_object_set_new(j, "first_error", errrec_json(&rec->sb.first));
	r |= json_object_set_new(j, "last_error", errrec_json(&rec->sb.last));
	if (r) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *e4err_enriched_to_json(const struct e4err_enriched *rec)
{
	json_t *j = json_object(), *objs = json_array();
	size_t i;
	int r;

	if (!j || !objs) {
		json_decref(j);
		json_decref(objs);
		return NULL;
	}
	for (i = 0, r = 0; i < rec->nobjects; i++)
		r |= json_array_append_new(objs,
					   e4err_enriched_object_to_json(&rec->obj[i]));
	r |= json_object_set_new(j, "event", rec->has_event ?
				 e4err_event_to_json(&rec->ev) : json_null());
	r |= set_u64(j, "errors", true, rec->errors);
	r |= json_object_set_new(j, "objects", objs);
	r |= set_u64(j, "unrecovered", true, rec->unrecovered);
	r |= set_u64(j, "suppressed", true, rec->suppressed);
	r |= json_object_set_new(j, "superblock", sb_json(rec));
	r |= json_object_set_new(j, "fs_gone", json_boolean(rec->fs_gone));
	if (r) {
		json_decref(j);
		return NULL;
	}
	return j;
}

/* ---- the store -------------------------------------------------------------- */

static void store_obj(const struct e4err_enriched_object *o, uint32_t idx,
		      char *sources, struct e4err_store_enrichment *e)
{
	memset(e, 0, sizeof(*e));
	e->idx = idx;
	e->has_inode = o->has_inode;
	e->inode = o->inode;
	e->has_block = o->has_block;
	e->block = o->block;
	if (o->has_function) {
		e->function = o->function;
		e->function_len = strlen(o->function);
	}
	e->has_line = o->has_line;
	e->line = o->line;
	e->has_group = o->has_group;
	e->group = o->group;
	if (o->has_comm)
		e->comm = o->comm, e->comm_len = o->comm_len;
	if (o->has_path)
		e->path = o->path, e->path_len = o->path_len;
	if (o->has_message)
		e->message = o->message, e->message_len = o->message_len;
	e->has_kmsg_seq = o->has_kmsg;
	e->kmsg_seq = o->kmsg_seq;
	e->sources = sources;
}

errcode_t e4err_enrich_store(struct e4err_store *st,
			     const struct e4err_store_fs *fs,
			     const struct e4err_enriched *r, uint64_t time_ns)
{
	struct e4err_store_enrichment e[E4ERR_ENRICH_OBJECTS_MAX];
	char *src[E4ERR_ENRICH_OBJECTS_MAX] = { NULL };
	errcode_t err = 0;
	size_t i;

	for (i = 0; i < r->nobjects && !err; i++) {
		json_t *j = sources_json(&r->obj[i]);

		src[i] = j ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
		json_decref(j);
		if (!src[i])
			err = ENOMEM;
		store_obj(&r->obj[i], (uint32_t)i, src[i], &e[i]);
	}
	if (!err && r->nobjects)
		err = e4err_store_add_enrichment(st, fs, r->has_ref ? &r->ref :
						 NULL, e, r->nobjects, time_ns,
						 NULL);
	for (i = 0; i < r->nobjects; i++)
		free(src[i]);
	return err;
}

/* ---- first sight ------------------------------------------------------------ */

void e4err_first_sight(const struct e4err_store_error_mark *stored,
		       const struct e4err_sb_errors *sb, uint64_t explained,
		       uint64_t now_ns, struct e4err_first_sight *out)
{
	uint64_t since;

	memset(out, 0, sizeof(*out));
	/*
	 * e2fsck zeroes the count and the first/last records; new errors
	 * then set a new first error: either shows the mark is stale.
	 */
	out->reset = stored->known &&
		(sb->error_count < stored->error_count ||
		 (stored->first_time && sb->first.time != stored->first_time));
	if (!stored->known || out->reset) {
		since = sb->error_count;
		out->first_new = sb->first.present;
		out->last_new = sb->last.present &&
			(!sb->first.present || sb->last.time != sb->first.time ||
			 sb->last.line != sb->first.line ||
			 strcmp(sb->last.function, sb->first.function));
	} else {
		since = sb->error_count - stored->error_count;
		out->first_new = !stored->first_time && sb->first.present;
		out->last_new = sb->last.present &&
			sb->last.time != stored->last_time;
	}
	out->unrecorded = explained >= since ? 0 : (uint32_t)(since - explained);
	/* Errors the events explained are recorded already, with their event. */
	if (!out->unrecorded && !out->first_new)
		out->last_new = false;
	out->mark.known = true;
	out->mark.error_count = sb->error_count;
	out->mark.first_time = sb->first.present ? sb->first.time : 0;
	out->mark.last_time = sb->last.present ? sb->last.time : 0;
	out->mark.updated_ns = now_ns;
}
