/*
 * store_merge.c --- bringing spooled records home.
 *
 * The spool has the main database's schema.  A merge copies every spooled
 * row the main database does not have yet, keyed by (origin, seq), in one
 * transaction; then, in a second one, deletes from the spool exactly the
 * rows now present in the main database.  Killed between the two (or in
 * either), the next merge finds the same rows already present and skips
 * them: each record lands exactly once.  Filesystem rows and inspection
 * ids are local to each file and are mapped by uuid and (origin, seq).
 * Rows another writer adds to the spool meanwhile are never deleted
 * unmerged, since only rows present in the main database are deleted.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "e4err_err.h"
#include "store_int.h"

static const char merge_fs[] =
	"INSERT OR IGNORE INTO main.origins (origin, boot_id, pid, started_ns,"
	" software) SELECT origin, boot_id, pid, started_ns, software FROM sp.origins;"
	"INSERT INTO main.filesystems (uuid, device, mountpoint, kname, fsid,"
	" first_seen_ns, last_seen_ns) SELECT uuid, device, mountpoint, kname, fsid,"
	" first_seen_ns, last_seen_ns FROM sp.filesystems WHERE true"
	" ON CONFLICT (uuid) DO UPDATE SET"
	" device = iif(excluded.last_seen_ns >= last_seen_ns,"
	"  coalesce(excluded.device, device), coalesce(device, excluded.device)),"
	" mountpoint = iif(excluded.last_seen_ns >= last_seen_ns,"
	"  coalesce(excluded.mountpoint, mountpoint),"
	"  coalesce(mountpoint, excluded.mountpoint)),"
	" kname = iif(excluded.last_seen_ns >= last_seen_ns,"
	"  coalesce(excluded.kname, kname), coalesce(kname, excluded.kname)),"
	" fsid = coalesce(fsid, excluded.fsid),"
	" first_seen_ns = min(first_seen_ns, excluded.first_seen_ns),"
	" last_seen_ns = max(last_seen_ns, excluded.last_seen_ns);";

static const char merge_events[] =
	"INSERT OR IGNORE INTO main.events (origin, seq, fs_id, abi, time_ns, mask,"
	" pid, error, error_count, inode, inode_placeholder, generation, block,"
	" function, line, desc, raw, warnings)"
	" SELECT e.origin, e.seq, mf.id, e.abi, e.time_ns, e.mask, e.pid, e.error,"
	" e.error_count, e.inode, e.inode_placeholder, e.generation, e.block,"
	" e.function, e.line, e.desc, e.raw, e.warnings"
	" FROM sp.events e JOIN sp.filesystems sf ON sf.id = e.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid ORDER BY e.id";

static const char merge_rest[] =
	"INSERT OR IGNORE INTO main.inspections (origin, seq, fs_id, event_origin,"
	" event_seq, inode, time_ns, verdict, reason, truncated)"
	" SELECT i.origin, i.seq, mf.id, i.event_origin, i.event_seq, i.inode,"
	" i.time_ns, i.verdict, i.reason, i.truncated"
	" FROM sp.inspections i JOIN sp.filesystems sf ON sf.id = i.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid ORDER BY i.id;"
	"INSERT OR IGNORE INTO main.findings (inspection_id, idx, code, object,"
	" message, errcode, related)"
	" SELECT mi.id, x.idx, x.code, x.object, x.message, x.errcode, x.related"
	" FROM sp.findings x JOIN sp.inspections si ON si.id = x.inspection_id"
	" JOIN main.inspections mi ON mi.origin = si.origin AND mi.seq = si.seq;"
	"INSERT OR IGNORE INTO main.jobs (origin, seq, fs_id, inode, kind, reason,"
	" created_ns) SELECT j.origin, j.seq, mf.id, j.inode, j.kind, j.reason,"
	" j.created_ns FROM sp.jobs j JOIN sp.filesystems sf ON sf.id = j.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid ORDER BY j.id;"
	"INSERT OR IGNORE INTO main.job_updates (origin, seq, job_origin, job_seq,"
	" time_ns, state, exit_status, result, detail, resolves, final)"
	" SELECT origin, seq, job_origin, job_seq, time_ns, state, exit_status,"
	" result, detail, resolves, final FROM sp.job_updates ORDER BY id;"
	"INSERT OR IGNORE INTO main.enrichments (origin, seq, idx, fs_id,"
	" event_origin, event_seq, time_ns, inode, block, function, line, grp,"
	" comm, path, message, kmsg_seq, sources)"
	" SELECT x.origin, x.seq, x.idx, mf.id, x.event_origin, x.event_seq,"
	" x.time_ns, x.inode, x.block, x.function, x.line, x.grp, x.comm, x.path,"
	" x.message, x.kmsg_seq, x.sources"
	" FROM sp.enrichments x JOIN sp.filesystems sf ON sf.id = x.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid ORDER BY x.id;"
	"INSERT INTO main.error_marks (fs_id, error_count, first_time, last_time,"
	" updated_ns, lost_reports) SELECT mf.id, m.error_count, m.first_time,"
	" m.last_time, m.updated_ns, m.lost_reports FROM sp.error_marks m"
	" JOIN sp.filesystems sf ON sf.id = m.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid"
	" WHERE true ON CONFLICT (fs_id) DO UPDATE SET"
	" error_count = excluded.error_count, first_time = excluded.first_time,"
	" last_time = excluded.last_time, updated_ns = excluded.updated_ns,"
	" lost_reports = excluded.lost_reports"
	" WHERE excluded.updated_ns > main.error_marks.updated_ns;";

static const char clean_spool[] =
	"DELETE FROM sp.findings WHERE inspection_id IN (SELECT si.id FROM"
	" sp.inspections si JOIN main.inspections mi"
	" ON mi.origin = si.origin AND mi.seq = si.seq);"
	"DELETE FROM sp.inspections WHERE id IN (SELECT si.id FROM sp.inspections si"
	" JOIN main.inspections mi ON mi.origin = si.origin AND mi.seq = si.seq);"
	"DELETE FROM sp.events WHERE id IN (SELECT se.id FROM sp.events se"
	" JOIN main.events me ON me.origin = se.origin AND me.seq = se.seq);"
	"DELETE FROM sp.jobs WHERE id IN (SELECT sj.id FROM sp.jobs sj"
	" JOIN main.jobs mj ON mj.origin = sj.origin AND mj.seq = sj.seq);"
	"DELETE FROM sp.job_updates WHERE id IN (SELECT su.id FROM sp.job_updates su"
	" JOIN main.job_updates mu ON mu.origin = su.origin AND mu.seq = su.seq);"
	"DELETE FROM sp.enrichments WHERE id IN (SELECT sx.id FROM sp.enrichments sx"
	" JOIN main.enrichments mx ON mx.origin = sx.origin AND mx.seq = sx.seq"
	" AND mx.idx = sx.idx);"
	"DELETE FROM sp.error_marks WHERE fs_id IN (SELECT sm.fs_id"
	" FROM sp.error_marks sm JOIN sp.filesystems sf ON sf.id = sm.fs_id"
	" JOIN main.filesystems mf ON mf.uuid = sf.uuid"
	" JOIN main.error_marks mm ON mm.fs_id = mf.id"
	" WHERE mm.updated_ns >= sm.updated_ns);";

/* Run sql as one transaction; *changes: rows the `counted` part changed. */
static errcode_t run_txn(struct e4err_store *st, sqlite3 *db, const char *pre,
			 const char *counted, const char *post, uint64_t *changes)
{
	errcode_t err;

	err = store_exec(st, db, "BEGIN IMMEDIATE");
	if (err)
		return err;
	if (pre)
		err = store_exec(st, db, pre);
	if (!err && counted) {
		err = store_exec(st, db, counted);
		if (!err && changes)
			*changes = (uint64_t)sqlite3_changes64(db);
	}
	if (!err && post)
		err = store_exec(st, db, post);
	if (!err)
		err = store_exec(st, db, "COMMIT");
	if (err && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return err;
}

/* The spool is brought to our schema (or moved aside if corrupt). */
static errcode_t ready_spool(struct e4err_store *st)
{
	struct store_db *sp = NULL;
	errcode_t err;

	if (st->cur && st->cur->is_spool)
		return 0;
	err = store_open_recovering(st, true, &sp);
	store_db_close(sp);
	return err;
}

errcode_t store_merge_into(struct e4err_store *st, struct store_db *main_db,
			   uint64_t *merged)
{
	sqlite3_stmt *s = NULL;
	sqlite3 *db = main_db->db;
	uint64_t n = 0;
	errcode_t err;
	int rc;

	if (merged)
		*merged = 0;
	if (!store_file_exists(st->spool_path))
		return 0;
	err = ready_spool(st);
	if (err)
		return err;
	rc = sqlite3_prepare_v2(db, "ATTACH ? AS sp", -1, &s, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(s, 1, st->spool_path, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_sqlite_error(st, db, rc);
	err = run_txn(st, db, merge_fs, merge_events, merge_rest, &n);
	if (!err)
		err = run_txn(st, db, NULL, clean_spool, NULL, NULL);
	sqlite3_exec(db, "DETACH sp", NULL, NULL, NULL);
	if (!err && merged)
		*merged = n;
	return err;
}
