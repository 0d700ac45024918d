/*
 * test_store.c --- the findings store in a scratch directory: schema,
 * writes and queries, migration from version 1, newer / foreign / corrupt
 * databases, the spool and its exactly-once merge (also after an
 * interrupted merge), retention, and readers beside a writer.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "e4err_err.h"
#include "store.h"

struct fixture {
	char dir[64];
	char state[96], spool[96], db[128], spool_db[128];
	struct e4err_store_options opt;
	errcode_t last_code;
	char last_text[1024];
	int notices;
};

static void notice(void *arg, errcode_t code, const char *text)
{
	struct fixture *fx = arg;

	fx->last_code = code;
	snprintf(fx->last_text, sizeof(fx->last_text), "%s", text);
	fx->notices++;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/e4errd-store.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->state, sizeof(fx->state), "%s/state", fx->dir);
	snprintf(fx->spool, sizeof(fx->spool), "%s/run", fx->dir);
	snprintf(fx->db, sizeof(fx->db), "%s/e4errd.db", fx->state);
	snprintf(fx->spool_db, sizeof(fx->spool_db), "%s/spool.db", fx->spool);
	e4err_store_options_init(&fx->opt);
	fx->opt.state_dir = fx->state;
	fx->opt.spool_dir = fx->spool;
	fx->opt.notice = notice;
	fx->opt.notice_arg = fx;
	*state = fx;
	return 0;
}

static void set_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int flags = 0;

	if (fd < 0)
		return;
	if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		ioctl(fd, FS_IOC_SETFLAGS, &flags);
	}
	close(fd);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[160];
	const char *names[] = { "", "/e4errd.db", "/e4errd.db-wal", "/e4errd.db-shm" };
	char path[160];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s%s", fx->state, names[i]);
		set_immutable(path, false);
	}
	chmod(fx->state, 0700);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return 0;
}

/*
 * Make dir refuse new files: root ignores modes, so it gets the immutable
 * flag (refused with EPERM); others get mode 0500 (EACCES).  False when
 * neither works here (the test is then skipped).
 */
static bool make_unwritable(const char *dir, bool on)
{
	char probe[200];
	int fd;

	if (geteuid() != 0)
		return chmod(dir, on ? 0500 : 0700) == 0;
	set_immutable(dir, on);
	if (!on)
		return true;
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	fd = open(probe, O_CREAT | O_WRONLY, 0600);
	if (fd >= 0) {
		close(fd);
		unlink(probe);
		return false;
	}
	return true;
}

static const struct e4err_store_fs fs_a = {
	.uuid = "0b2f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b",
	.device = "/dev/loop7", .mountpoint = "/mnt/a", .kname = "loop7",
	.has_fsid = true, .fsid = { 0x12345678, 0x9abcdef0 },
};

static const struct e4err_store_fs fs_b = {
	.uuid = "c0ffee00-0000-4000-8000-000000000001",
	.device = "/dev/loop8", .mountpoint = "/mnt/b", .kname = "loop8",
};

static void make_event(struct e4err_event *ev, uint64_t inode, int32_t error,
		       uint32_t count, const char *desc)
{
	memset(ev, 0, sizeof(*ev));
	ev->abi = inode ? E4ERR_ABI_MAINLINE : E4ERR_ABI_RFC;
	ev->mask = E4ERR_FAN_FS_ERROR;
	ev->pid = 4242;
	ev->has_error = true;
	ev->error = error;
	ev->has_error_count = count != 0;
	ev->error_count = count;
	ev->has_inode = inode != 0;
	ev->inode = inode;
	ev->has_generation = inode != 0;
	ev->generation = 77;
	if (desc) {
		ev->has_desc = true;
		ev->desc_len = strlen(desc);
		memcpy(ev->desc, desc, ev->desc_len);
		ev->has_function = true;
		strcpy(ev->function, "ext4_lookup");
		ev->has_line = true;
		ev->line = 1787;
		ev->has_block = true;
		ev->block = 4385;
	}
}

static struct e4err_store *open_writer(struct fixture *fx)
{
	struct e4err_store *st = NULL;

	assert_int_equal(e4err_store_open(&fx->opt, &st), 0);
	return st;
}

static struct e4err_store *open_reader(struct fixture *fx)
{
	struct e4err_store *st = NULL;

	assert_int_equal(e4err_store_open_reader(&fx->opt, &st), 0);
	return st;
}

static errcode_t add(struct e4err_store *st, const struct e4err_store_fs *fs,
		     uint64_t inode, uint64_t t, struct e4err_store_ref *ref)
{
	struct e4err_event ev;

	make_event(&ev, inode, 74, 1, NULL);
	return e4err_store_add_event(st, fs, &ev, t, NULL, 0, ref);
}

/* ---- counting helpers (through the query API) ---- */

struct counts {
	uint64_t rows, events, errors, pruned_events, pruned_errors;
	uint64_t first, last;
	char uuid[64];
};

static int count_fs(void *arg, const struct e4err_store_fs_summary *fs)
{
	struct counts *c = arg;

	c->rows++;
	c->events += fs->events;
	c->errors += fs->errors;
	c->pruned_events += fs->pruned_events;
	c->pruned_errors += fs->pruned_errors;
	c->first = fs->first_error_ns;
	c->last = fs->last_error_ns;
	snprintf(c->uuid, sizeof(c->uuid), "%s", fs->uuid);
	return 0;
}

static struct counts fs_counts(struct e4err_store *st,
			       const struct e4err_store_filter *f)
{
	struct counts c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(e4err_store_query_filesystems(st, f, count_fs, &c), 0);
	return c;
}

/* Every event's (origin, seq) once: returns how many, fails on a repeat. */
struct seen {
	struct e4err_store_ref refs[4096];
	size_t n;
	size_t dups;
};

static int see_event(void *arg, const struct e4err_store_event_row *ev)
{
	struct seen *s = arg;
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->refs[i].origin == ev->ref.origin && s->refs[i].seq == ev->ref.seq)
			s->dups++;
	if (s->n < 4096)
		s->refs[s->n++] = ev->ref;
	return 0;
}

static size_t count_events_once(struct e4err_store *st)
{
	struct seen *s = calloc(1, sizeof(*s));
	size_t n;

	assert_non_null(s);
	assert_int_equal(e4err_store_query_events(st, NULL, see_event, s), 0);
	assert_int_equal(s->dups, 0);
	n = s->n;
	free(s);
	return n;
}

static int64_t sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t v = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void sql_run(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* ---- tests ---- */

static void test_create(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx);
	struct e4err_store_info info;
	struct stat sb;

	e4err_store_get_info(st, &info);
	assert_false(info.spooling);
	assert_int_equal(info.schema_version, 4);
	assert_string_equal(info.db_path, fx->db);
	assert_int_equal(stat(fx->state, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0700);
	assert_int_equal(stat(fx->db, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0600);
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT max(version) FROM schema_version"), 4);
	assert_int_equal(sql_int(fx->db, "PRAGMA application_id"), 0x65346552);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM pragma_journal_mode"
				 " WHERE journal_mode = 'wal'"), 1);
	/* Opening again migrates nothing and keeps one version row each. */
	st = open_writer(fx);
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM schema_version"), 4);
}

struct inode_rows {
	int n;
	struct e4err_store_inode_summary first;
	char verdict[32], desc[300];
	size_t desc_len;
	struct e4err_store_ref insp;
	bool saw_no_inode;
};

static int take_inode(void *arg, const struct e4err_store_inode_summary *in)
{
	struct inode_rows *r = arg;

	if (!in->has_inode)
		r->saw_no_inode = true;
	if (r->n++ == 0) {
		r->first = *in;
		snprintf(r->verdict, sizeof(r->verdict), "%s",
			 in->verdict ? in->verdict : "");
		r->desc_len = in->desc_len;
		if (in->desc)
			memcpy(r->desc, in->desc, in->desc_len);
		r->insp = in->inspection;
	}
	return 0;
}

struct finding_rows {
	int n;
	char codes[256];
	bool related_first;
};

static int take_finding(void *arg, const struct e4err_store_finding *fd)
{
	struct finding_rows *r = arg;

	if (r->n++ == 0)
		r->related_first = fd->related;
	strncat(r->codes, fd->code, sizeof(r->codes) - strlen(r->codes) - 2);
	strcat(r->codes, ",");
	return 0;
}

struct job_rows {
	int n;
	char state[32], result[32];
	int32_t exit_status;
	bool has_started;
};

static int take_job(void *arg, const struct e4err_store_job_info *j)
{
	struct job_rows *r = arg;

	if (r->n++ == 0) {
		snprintf(r->state, sizeof(r->state), "%s", j->state);
		snprintf(r->result, sizeof(r->result), "%s", j->result ? j->result : "");
		r->exit_status = j->exit_status;
		r->has_started = j->has_started;
	}
	return 0;
}

static const char hostile[] = "bad \x1b[2J\x1b]0;pwn\x07 dir\n\xff\xfe end";

static void test_insert_query(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx), *rd;
	struct e4err_store_ref ev_ref, job;
	struct e4err_event ev;
	struct e4err_store_finding fds[2] = {
		{ "dir_block_checksum", "inode 12", "block 0 fails its checksum",
		  "EXT2_ET_DIR_CSUM_INVALID", true },
		{ "block_bitmap_checksum", "group 3", "bitmap checksum", NULL, false },
	};
	struct e4err_store_inspection in = {
		.has_inode = true, .inode = 12, .time_ns = 3000, .verdict = "confirmed",
		.nfindings = 2, .findings = fds,
	};
	struct e4err_store_job_update up = { .time_ns = 4000, .state = "queued" };
	static const unsigned char raw[] = { 1, 2, 0, 0xff, 0x1b };
	struct inode_rows ir = { 0 };
	struct finding_rows fr = { 0 };
	struct job_rows jr = { 0 };
	struct e4err_store_filter flt = { 0 };
	struct counts c;

	assert_int_equal(e4err_store_begin(st), 0);
	make_event(&ev, 12, 74, 2, hostile);
	assert_int_equal(e4err_store_add_event(st, &fs_a, &ev, 1000, raw,
					       sizeof(raw), &ev_ref), 0);
	make_event(&ev, 0, 108, 0, NULL);	/* RFC-like, no inode, no count */
	assert_int_equal(e4err_store_add_event(st, &fs_a, &ev, 2000, NULL, 0, NULL), 0);
	in.has_event = true;
	in.event = ev_ref;
	assert_int_equal(e4err_store_add_inspection(st, &fs_a, &in, NULL), 0);
	assert_int_equal(e4err_store_add_job(st, &fs_a, "e2fsck", "deferred: mounted",
					     false, 0, &up, &job), 0);
	assert_int_equal(e4err_store_pending(st), 4);
	assert_int_equal(e4err_store_commit(st), 0);
	up.time_ns = 5000;
	up.state = "running";
	assert_int_equal(e4err_store_update_job(st, &job, &up), 0);
	up.time_ns = 6000;
	up.state = "done";
	up.has_exit_status = true;
	up.exit_status = 4;
	up.result = "corrupt";
	up.final = true;
	assert_int_equal(e4err_store_update_job(st, &job, &up), 0);
	assert_int_equal(e4err_store_pending(st), 0);

	/* Invalid input is refused before anything is written. */
	in.verdict = "Not A Word";
	assert_int_equal(e4err_store_add_inspection(st, &fs_a, &in, NULL), EINVAL);
	assert_int_equal(add(st, &(struct e4err_store_fs){ .uuid = "" }, 1, 1, NULL),
			 EINVAL);

	/* The writer reads what it committed; a reader sees the same. */
	c = fs_counts(st, NULL);
	assert_int_equal(c.rows, 1);
	assert_int_equal(c.events, 2);
	assert_int_equal(c.errors, 3);	/* 2 + 1 for the event without a count */
	assert_int_equal(c.first, 1000);
	assert_int_equal(c.last, 2000);
	rd = open_reader(fx);
	assert_int_equal(e4err_store_query_inodes(rd, fs_a.uuid, NULL, take_inode, &ir), 0);
	assert_int_equal(ir.n, 2);
	assert_true(ir.saw_no_inode);
	/* Newest first: the no-inode event (t=2000) comes first. */
	assert_false(ir.first.has_inode);
	memset(&ir, 0, sizeof(ir));
	flt.has_inode = true;
	flt.inode = 12;
	assert_int_equal(e4err_store_query_inodes(rd, fs_a.uuid, &flt, take_inode, &ir), 0);
	assert_int_equal(ir.n, 1);
	assert_int_equal(ir.first.inode, 12);
	assert_int_equal(ir.first.generation, 77);
	assert_int_equal(ir.first.errors, 2);
	assert_string_equal(ir.verdict, "confirmed");
	assert_int_equal(ir.desc_len, strlen(hostile));
	assert_memory_equal(ir.desc, hostile, strlen(hostile));	/* raw, unescaped */
	assert_int_equal(e4err_store_query_findings(rd, &ir.insp, take_finding, &fr), 0);
	assert_int_equal(fr.n, 2);
	assert_string_equal(fr.codes, "dir_block_checksum,block_bitmap_checksum,");
	assert_true(fr.related_first);
	assert_int_equal(e4err_store_query_jobs(rd, fs_a.uuid, NULL, take_job, &jr), 0);
	assert_int_equal(jr.n, 1);
	assert_string_equal(jr.state, "done");
	assert_string_equal(jr.result, "corrupt");
	assert_int_equal(jr.exit_status, 4);
	assert_true(jr.has_started);
	/* Filters: a device name and a mount point find it, other names do not. */
	flt = (struct e4err_store_filter){ .fs = "/dev/loop7" };
	assert_int_equal(fs_counts(rd, &flt).rows, 1);
	flt.fs = "/mnt/a";
	assert_int_equal(fs_counts(rd, &flt).rows, 1);
	flt.fs = "0B2F6F0E-3F5E-4D3C-9A51-1C2D3E4F5A6B";
	assert_int_equal(fs_counts(rd, &flt).rows, 1);
	flt.fs = "/mnt/b";
	assert_int_equal(fs_counts(rd, &flt).rows, 0);
	flt = (struct e4err_store_filter){ .has_since = true, .since_ns = 1500 };
	c = fs_counts(rd, &flt);
	assert_int_equal(c.events, 1);
	assert_int_equal(c.first, 2000);
	e4err_store_close(rd);
	e4err_store_close(st);
	/* Raw bytes are kept exactly. */
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM events"
				 " WHERE raw = x'010200ff1b'"), 1);
}

static void test_rollback_and_batch(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx);
	int i;

	assert_int_equal(e4err_store_begin(st), 0);
	assert_int_equal(e4err_store_begin(st), EINVAL);	/* no nesting */
	for (i = 0; i < 100; i++)
		assert_int_equal(add(st, &fs_a, 10 + i, 100 + i, NULL), 0);
	e4err_store_rollback(st);
	assert_int_equal(fs_counts(st, NULL).events, 0);
	assert_int_equal(e4err_store_commit(st), EINVAL);
	assert_int_equal(e4err_store_begin(st), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(add(st, &fs_a, 10 + i, 100 + i, NULL), 0);
	assert_int_equal(e4err_store_commit(st), 0);
	assert_int_equal(fs_counts(st, NULL).events, 100);
	e4err_store_close(st);
}

/* Version 1 as released: never edit (it is what old databases hold). */
static const char schema_v1_frozen[] =
	"CREATE TABLE schema_version (version INTEGER PRIMARY KEY,"
	" applied_ns INTEGER NOT NULL, software TEXT);"
	"CREATE TABLE origins (origin INTEGER PRIMARY KEY, boot_id TEXT,"
	" pid INTEGER, started_ns INTEGER NOT NULL, software TEXT);"
	"CREATE TABLE filesystems (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE,"
	" device TEXT, mountpoint TEXT, kname TEXT, fsid INTEGER,"
	" first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL);"
	"CREATE TABLE events (id INTEGER PRIMARY KEY, origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, fs_id INTEGER NOT NULL, abi INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL, mask INTEGER NOT NULL, pid INTEGER NOT NULL,"
	" error INTEGER, error_count INTEGER, inode INTEGER,"
	" inode_placeholder INTEGER NOT NULL DEFAULT 0, generation INTEGER,"
	" block INTEGER, function BLOB, line INTEGER, desc BLOB, raw BLOB,"
	" warnings TEXT, UNIQUE (origin, seq));"
	"CREATE INDEX events_fs_time ON events (fs_id, time_ns);"
	"CREATE TABLE inspections (id INTEGER PRIMARY KEY, origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, fs_id INTEGER NOT NULL, event_origin INTEGER,"
	" event_seq INTEGER, inode INTEGER, time_ns INTEGER NOT NULL,"
	" verdict TEXT NOT NULL, reason TEXT, truncated INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX inspections_fs_inode ON inspections (fs_id, inode, time_ns);"
	"CREATE INDEX inspections_event ON inspections (event_origin, event_seq);"
	"CREATE TABLE findings (inspection_id INTEGER NOT NULL, idx INTEGER NOT NULL,"
	" code TEXT NOT NULL, object TEXT, message TEXT, errcode TEXT,"
	" related INTEGER NOT NULL, PRIMARY KEY (inspection_id, idx)) WITHOUT ROWID;"
	"CREATE TABLE jobs (id INTEGER PRIMARY KEY, origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, fs_id INTEGER NOT NULL, inode INTEGER,"
	" kind TEXT NOT NULL, reason TEXT, created_ns INTEGER NOT NULL,"
	" UNIQUE (origin, seq));"
	"CREATE INDEX jobs_fs ON jobs (fs_id, created_ns);"
	"CREATE TABLE job_updates (id INTEGER PRIMARY KEY, origin INTEGER NOT NULL,"
	" seq INTEGER NOT NULL, job_origin INTEGER NOT NULL, job_seq INTEGER NOT NULL,"
	" time_ns INTEGER NOT NULL, state TEXT NOT NULL, exit_status INTEGER,"
	" result TEXT, detail TEXT, resolves INTEGER NOT NULL DEFAULT 0,"
	" final INTEGER NOT NULL DEFAULT 0, UNIQUE (origin, seq));"
	"CREATE INDEX job_updates_job ON job_updates (job_origin, job_seq, time_ns);"
	"PRAGMA application_id = 1697932626;"
	"INSERT INTO schema_version VALUES (1, 1, '0.0.1');"
	"INSERT INTO filesystems VALUES (1, '0b2f6f0e-3f5e-4d3c-9a51-1c2d3e4f5a6b',"
	" '/dev/old', '/mnt/old', 'old0', NULL, 10, 20);"
	"INSERT INTO events (origin, seq, fs_id, abi, time_ns, mask, pid, error,"
	" error_count, inode) VALUES (5, 1, 1, 2, 15, 32768, 1, 74, 3, 12);";

static void test_migrate_v1(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st;
	struct counts c;

	assert_int_equal(mkdir(fx->state, 0700), 0);
	sql_run(fx->db, schema_v1_frozen);
	/* A reader cannot upgrade: it says so. */
	assert_int_equal(e4err_store_open_reader(&fx->opt, &st), E4ERR_STORE_OLDER);
	st = open_writer(fx);
	c = fs_counts(st, NULL);
	assert_int_equal(c.events, 1);
	assert_int_equal(c.errors, 3);
	assert_int_equal(c.pruned_events, 0);
	assert_int_equal(add(st, &fs_a, 12, 30, NULL), 0);
	assert_int_equal(fs_counts(st, NULL).events, 2);
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT max(version) FROM schema_version"), 4);
	assert_int_equal(sql_int(fx->db, "SELECT pruned_events FROM filesystems"), 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc(n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, n, f), (size_t)n);
	fclose(f);
	*len = n;
	return buf;
}

static void test_newer_and_foreign(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx);
	char *before, *after;
	size_t lb, la;

	e4err_store_close(st);
	sql_run(fx->db, "INSERT INTO schema_version VALUES (99, 1, '9.9')");
	before = read_file(fx->db, &lb);
	assert_int_equal(e4err_store_open(&fx->opt, &st), E4ERR_STORE_NEWER);
	assert_int_equal(e4err_store_open_reader(&fx->opt, &st), E4ERR_STORE_NEWER);
	after = read_file(fx->db, &la);
	assert_int_equal(la, lb);
	assert_memory_equal(before, after, la);	/* not touched */
	free(before);
	free(after);

	unlink(fx->db);
	sql_run(fx->db, "CREATE TABLE mine (x); INSERT INTO mine VALUES (1)");
	assert_int_equal(e4err_store_open(&fx->opt, &st), E4ERR_STORE_FOREIGN);
	assert_int_equal(sql_int(fx->db, "SELECT x FROM mine"), 1);
}

static int count_corrupt_copies(struct fixture *fx, char *name, size_t len)
{
	char cmd[256];
	FILE *p;
	int n = 0;

	snprintf(cmd, sizeof(cmd), "ls '%s' | grep -c '^e4errd.db.corrupt-[0-9TZ]*$'",
		 fx->state);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	snprintf(cmd, sizeof(cmd), "ls '%s' | grep '^e4errd.db.corrupt-' | head -1",
		 fx->state);
	p = popen(cmd, "r");
	if (!fgets(name, len, p))
		name[0] = 0;
	name[strcspn(name, "\n")] = 0;
	pclose(p);
	return n;
}

static void test_corrupt_garbage(void **state)
{
	struct fixture *fx = *state;
	static const char junk[] = "this is not a database, just text\n";
	char name[128], path[256], *copy;
	struct e4err_store *st;
	size_t len;
	FILE *f;

	assert_int_equal(mkdir(fx->state, 0700), 0);
	f = fopen(fx->db, "w");
	assert_non_null(f);
	fputs(junk, f);
	fclose(f);
	/* A reader leaves it alone and says it is corrupt. */
	assert_int_equal(e4err_store_open_reader(&fx->opt, &st), E4ERR_STORE_CORRUPT);
	assert_int_equal(count_corrupt_copies(fx, name, sizeof(name)), 0);

	st = open_writer(fx);
	assert_int_equal(fx->last_code, E4ERR_STORE_CORRUPT);
	assert_non_null(strstr(fx->last_text, fx->db));
	assert_non_null(strstr(fx->last_text, "moved aside"));
	assert_int_equal(count_corrupt_copies(fx, name, sizeof(name)), 1);
	assert_non_null(strstr(fx->last_text, name));
	snprintf(path, sizeof(path), "%s/%s", fx->state, name);
	copy = read_file(path, &len);
	assert_non_null(copy);
	assert_int_equal(len, strlen(junk));
	assert_memory_equal(copy, junk, len);	/* kept as it was */
	free(copy);
	assert_int_equal(add(st, &fs_a, 12, 1, NULL), 0);
	e4err_store_close(st);
	/* The fresh database is fine: no second move, no loop. */
	fx->notices = 0;
	st = open_writer(fx);
	assert_int_equal(fx->notices, 0);
	assert_int_equal(fs_counts(st, NULL).events, 1);
	e4err_store_close(st);
}

static void test_corrupt_pages(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx);
	char name[128], junk[4096];
	int i, fd;

	assert_int_equal(e4err_store_begin(st), 0);
	for (i = 0; i < 2000; i++)
		assert_int_equal(add(st, &fs_a, 100 + i % 50, i + 1, NULL), 0);
	assert_int_equal(e4err_store_commit(st), 0);
	e4err_store_close(st);
	/* Overwrite pages in the middle: the header still says SQLite. */
	memset(junk, 0xa5, sizeof(junk));
	fd = open(fx->db, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 4 * 4096), sizeof(junk));
	assert_int_equal(pwrite(fd, junk, sizeof(junk), 9 * 4096), sizeof(junk));
	close(fd);
	st = open_writer(fx);
	assert_int_equal(fx->last_code, E4ERR_STORE_CORRUPT);
	assert_int_equal(count_corrupt_copies(fx, name, sizeof(name)), 1);
	assert_int_equal(fs_counts(st, NULL).events, 0);
	e4err_store_close(st);
}

/* Spool while the state directory refuses writes; merge exactly once. */
static void test_spool_at_open(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st, *rd;
	struct e4err_store_info info;
	uint64_t merged = 0;
	int i;

	assert_int_equal(mkdir(fx->state, 0700), 0);
	if (!make_unwritable(fx->state, true))
		skip();
	st = open_writer(fx);
	e4err_store_get_info(st, &info);
	assert_true(info.spooling);
	assert_non_null(strstr(fx->last_text, fx->spool_db));
	for (i = 0; i < 20; i++)
		assert_int_equal(add(st, &fs_a, 12, 100 + i, NULL), 0);
	/* Still not writable: merging says so, nothing moves. */
	assert_int_equal(e4err_store_try_merge_spool(st, &merged),
			 E4ERR_STORE_SPOOLING);
	/* A reader sees the spooled events (the main db does not exist). */
	rd = open_reader(fx);
	assert_int_equal(count_events_once(rd), 20);
	e4err_store_close(rd);

	make_unwritable(fx->state, false);
	assert_int_equal(e4err_store_try_merge_spool(st, &merged), 0);
	assert_int_equal(merged, 20);
	e4err_store_get_info(st, &info);
	assert_false(info.spooling);
	assert_int_equal(add(st, &fs_a, 13, 200, NULL), 0);
	assert_int_equal(count_events_once(st), 21);
	/* Again: nothing left, nothing doubled. */
	assert_int_equal(e4err_store_try_merge_spool(st, &merged), 0);
	assert_int_equal(merged, 0);
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM events"), 21);
	assert_int_equal(sql_int(fx->spool_db, "SELECT count(*) FROM events"), 0);
}

static void copy_file(const char *from, const char *to)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "cp -f '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
}

/*
 * A merge killed after the main commit and before the spool was cleaned
 * leaves the spool as it was: restore a copy taken before the merge and
 * merge again.  Nothing may be doubled, and records added to the spool in
 * between (another writer) must still land.
 */
static void test_merge_interrupted(void **state)
{
	struct fixture *fx = *state;
	char backup[200], path[200];
	struct e4err_store *st, *rd;
	uint64_t merged = 0;
	int i;

	assert_int_equal(mkdir(fx->state, 0700), 0);
	if (!make_unwritable(fx->state, true))
		skip();
	st = open_writer(fx);
	assert_int_equal(e4err_store_begin(st), 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(add(st, &fs_a, 12 + i % 3, 100 + i, NULL), 0);
	assert_int_equal(e4err_store_commit(st), 0);
	e4err_store_close(st);	/* checkpoints the spool into one file */
	snprintf(backup, sizeof(backup), "%s/spool.copy", fx->dir);
	copy_file(fx->spool_db, backup);
	make_unwritable(fx->state, false);

	st = open_writer(fx);	/* merges at open */
	assert_int_equal(count_events_once(st), 30);
	e4err_store_close(st);

	/* "Crash" before the clean-up: the spool is back, plus a new record. */
	assert_false(access(fx->spool_db, F_OK) != 0);
	snprintf(path, sizeof(path), "%s-wal", fx->spool_db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", fx->spool_db);
	unlink(path);
	copy_file(backup, fx->spool_db);
	fx->opt.state_dir = fx->dir;	/* a writer that can only spool */
	fx->opt.spool_dir = fx->spool;
	{
		char nowhere[128];

		snprintf(nowhere, sizeof(nowhere), "%s/blocked", fx->dir);
		assert_int_equal(mkdir(nowhere, 0700), 0);
		assert_true(make_unwritable(nowhere, true));
		fx->opt.state_dir = nowhere;
		st = open_writer(fx);
		assert_int_equal(add(st, &fs_b, 99, 500, NULL), 0);
		e4err_store_close(st);
		make_unwritable(nowhere, false);
	}
	fx->opt.state_dir = fx->state;
	/* A reader in between shows each record once. */
	rd = open_reader(fx);
	assert_int_equal(count_events_once(rd), 31);
	e4err_store_close(rd);

	st = open_writer(fx);
	assert_int_equal(count_events_once(st), 31);
	assert_int_equal(e4err_store_try_merge_spool(st, &merged), 0);
	assert_int_equal(merged, 0);
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM events"), 31);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM (SELECT DISTINCT"
				 " origin, seq FROM events)"), 31);
	assert_int_equal(sql_int(fx->spool_db, "SELECT count(*) FROM events"), 0);
	unlink(backup);
}

/*
 * The state directory fails while the writer runs (its files become
 * immutable, so the next write gets EPERM): the open transaction is redone
 * in the spool and the commit still succeeds.
 */
static void test_spool_mid_run(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st;
	struct e4err_store_info info;
	char wal[160], shm[160];
	uint64_t merged;
	int i;

	if (geteuid() != 0)
		skip();
	st = open_writer(fx);
	assert_int_equal(add(st, &fs_a, 12, 1, NULL), 0);
	snprintf(wal, sizeof(wal), "%s-wal", fx->db);
	snprintf(shm, sizeof(shm), "%s-shm", fx->db);
	assert_int_equal(e4err_store_begin(st), 0);
	assert_int_equal(add(st, &fs_a, 12, 2, NULL), 0);
	set_immutable(fx->db, true);
	set_immutable(wal, true);
	set_immutable(fx->state, true);
	for (i = 0; i < 10; i++)
		assert_int_equal(add(st, &fs_a, 20 + i, 3 + i, NULL), 0);
	assert_int_equal(e4err_store_commit(st), 0);
	e4err_store_get_info(st, &info);
	assert_true(info.spooling);
	assert_int_equal(sql_int(fx->spool_db, "SELECT count(*) FROM events"), 11);
	/* The writer's own queries see both files. */
	assert_int_equal(count_events_once(st), 12);
	set_immutable(fx->db, false);
	set_immutable(wal, false);
	set_immutable(fx->state, false);
	assert_int_equal(e4err_store_try_merge_spool(st, &merged), 0);
	assert_int_equal(merged, 11);
	assert_int_equal(count_events_once(st), 12);
	e4err_store_close(st);
}

/* Retention: resolved events go first, counts of what went are kept. */
static void test_retention(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st;
	struct e4err_store_inspection ok = {
		.has_inode = true, .inode = 50, .time_ns = 500,
		.verdict = "not_confirmed",
	};
	struct e4err_store_filter flt = { .has_inode = true, .inode = 40 };
	uint64_t pruned = 0;
	struct counts c;
	int i;

	fx->opt.retention.max_events_per_fs = 10;
	fx->opt.retention.max_age_s = 0;
	st = open_writer(fx);
	assert_int_equal(e4err_store_begin(st), 0);
	for (i = 0; i < 8; i++)		/* unresolved inode 40, oldest */
		assert_int_equal(add(st, &fs_a, 40, 100 + i, NULL), 0);
	for (i = 0; i < 8; i++)		/* inode 50, inspected: fine */
		assert_int_equal(add(st, &fs_a, 50, 200 + i, NULL), 0);
	assert_int_equal(e4err_store_add_inspection(st, &fs_a, &ok, NULL), 0);
	for (i = 0; i < 3; i++)		/* another filesystem, under its limit */
		assert_int_equal(add(st, &fs_b, 7, 300 + i, NULL), 0);
	assert_int_equal(e4err_store_commit(st), 0);
	assert_int_equal(e4err_store_prune(st, 1000, &pruned), 0);
	assert_int_equal(pruned, 6);
	flt.fs = fs_a.uuid;
	c = fs_counts(st, &flt);
	assert_int_equal(c.events, 8);		/* every unresolved one kept */
	flt.has_inode = false;
	c = fs_counts(st, &flt);
	assert_int_equal(c.events, 10);
	assert_int_equal(c.pruned_events, 6);
	assert_int_equal(c.events + c.pruned_events, 16);
	assert_int_equal(c.errors + c.pruned_errors, 16);
	assert_int_equal(c.first, 100);
	/* Past the limit with nothing resolved left: the oldest go. */
	for (i = 0; i < 4; i++)
		assert_int_equal(add(st, &fs_a, 60, 400 + i, NULL), 0);
	assert_int_equal(e4err_store_prune(st, 1000, &pruned), 0);
	assert_int_equal(pruned, 4);
	flt.has_inode = true;
	flt.inode = 40;
	assert_int_equal(fs_counts(st, &flt).events, 6);
	flt.has_inode = false;
	c = fs_counts(st, &flt);
	assert_int_equal(c.events + c.pruned_events, 20);
	assert_int_equal(c.first, 100);		/* from the pruned counts */
	e4err_store_close(st);

	/* Age: a resolved event older than max_age goes, unresolved stay. */
	fx->opt.retention.max_events_per_fs = 0;
	fx->opt.retention.max_age_s = 1;
	st = open_writer(fx);
	ok.inode = 60;
	ok.verdict = "stale";
	assert_int_equal(e4err_store_add_inspection(st, &fs_a, &ok, NULL), 0);
	assert_int_equal(e4err_store_prune(st, 10ULL * 1000000000, &pruned), 0);
	assert_int_equal(pruned, 4);	/* inode 60's; inode 40's stay */
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM events WHERE inode = 60"), 0);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM events WHERE inode = 40"), 6);
}

static void test_retention_jobs(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st;
	struct e4err_store_job_update u = { .state = "queued" };
	struct e4err_store_ref ref;
	struct job_rows jr = { 0 };
	int i;

	fx->opt.retention.max_jobs_per_fs = 3;
	st = open_writer(fx);
	for (i = 0; i < 6; i++) {
		u.time_ns = 100 + i;
		u.state = "queued";
		u.final = false;
		assert_int_equal(e4err_store_add_job(st, &fs_a, "e2fsck", NULL,
						     false, 0, &u, &ref), 0);
		if (i == 0)
			continue;	/* the oldest never ends */
		u.state = "done";
		u.final = true;
		assert_int_equal(e4err_store_update_job(st, &ref, &u), 0);
	}
	assert_int_equal(e4err_store_prune(st, 1000, NULL), 0);
	assert_int_equal(e4err_store_query_jobs(st, NULL, NULL, take_job, &jr), 0);
	assert_int_equal(jr.n, 4);	/* 3 newest + the one still queued */
	e4err_store_close(st);
	assert_int_equal(sql_int(fx->db, "SELECT count(*) FROM job_updates"), 7);
}

/* A reader does not wait for a writer holding an open transaction. */
static void test_reader_beside_writer(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx), *rd;
	struct timespec a, b;
	int i;

	assert_int_equal(add(st, &fs_a, 12, 1, NULL), 0);
	assert_int_equal(e4err_store_begin(st), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(add(st, &fs_a, 13, 2 + i, NULL), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rd = open_reader(fx);
	assert_int_equal(fs_counts(rd, NULL).events, 1);	/* committed only */
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 500);
	assert_int_equal(e4err_store_commit(st), 0);
	assert_int_equal(fs_counts(rd, NULL).events, 51);
	e4err_store_close(rd);
	e4err_store_close(st);
}

/* A reader on a state directory it cannot write (no -wal, no -shm). */
static void test_reader_readonly_dir(void **state)
{
	struct fixture *fx = *state;
	struct e4err_store *st = open_writer(fx);
	char shm[160];

	assert_int_equal(add(st, &fs_a, 12, 1, NULL), 0);
	e4err_store_close(st);
	snprintf(shm, sizeof(shm), "%s-shm", fx->db);
	assert_false(access(shm, F_OK) == 0);
	if (!make_unwritable(fx->state, true))
		skip();
	st = open_reader(fx);
	assert_int_equal(fs_counts(st, NULL).events, 1);
	e4err_store_close(st);
	make_unwritable(fx->state, false);
	/* No database at all: ENOENT. */
	unlink(fx->db);
	assert_int_equal(e4err_store_open_reader(&fx->opt, &st), ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_and_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_and_foreign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spool_mid_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retention_jobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_beside_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reader_readonly_dir, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
