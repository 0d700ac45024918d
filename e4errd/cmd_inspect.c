/*
 * cmd_inspect.c --- `e4errd inspect`: a one-shot, read-only look at an
 * inode and/or block of a filesystem, with a verdict.
 *
 * The argument may be a block device, a mount point (or any directory on
 * the filesystem), or an image file.  An image attached to a loop device
 * is inspected through that device: the kernel's newest metadata is in the
 * loop device's page cache, not yet in the file.  The inspection runs in a
 * child process with a deadline (lib/inspect_child.c).
 *
 * Exit status: 0 nothing wrong found (also stale), 4 damage found, 8 could
 * not inspect (inconclusive), 16 usage error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/loop.h>

#include <et/com_err.h>

#include "cmd.h"
#include "e4err_err.h"
#include "format.h"
#include "inspect.h"
#include "inspect_json.h"
#include "nls.h"

#define EXIT_DAMAGE		4
#define EXIT_INCONCLUSIVE	8
#define EXT4_SUPER_MAGIC	0xEF53

struct target {
	char device[PATH_MAX];
	char mountpoint[PATH_MAX];
	bool has_mountpoint;
	bool has_rdev;
	dev_t rdev;
	char via_loop[PATH_MAX];	/* the image given, when a loop device is used */
};

struct options {
	bool json;
	unsigned int deadline_ms;
	struct e4err_inspect_request req;
	const char *arg;
};

/* Copy with truncation; always NUL-terminated. */
static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);

	memcpy(dst, src, len);
	dst[len] = 0;
}

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s inspect [--json] [--inode N [--generation G]] [--block B]\n"
		     "       [--group G] [--function NAME] [--error E] [--deadline MS]\n"
		     "       DEVICE|MOUNTPOINT|IMAGE\n\n"), program_name);
	fputs(_("Look read-only at an inode and/or block of an ext2/3/4 filesystem, mounted\n"
		"or not, and say whether the on-disk state confirms a reported error.\n\n"
		"  -j, --json             one JSON object\n"
		"  -i, --inode N          the reported inode\n"
		"  -g, --generation G     its generation as reported (stale when it differs)\n"
		"  -b, --block B          the reported block (physical, or logical in the inode)\n"
		"  -G, --group G          a block group named by the report\n"
		"  -f, --function NAME    the kernel function that reported the error\n"
		"  -e, --error E          the error it reported (74, 117, 5, ...)\n"
		"  -d, --deadline MS      give up after MS milliseconds (default 5000)\n"
		"  -h, --help             show this help and exit\n"
		"  -V, --version          show the version and exit\n\n"
		"Exit status: 0 nothing wrong found, 4 damage found, 8 could not inspect,\n"
		"16 usage error.\n"), f);
}


static bool parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end || x > max)
		return false;
	*v = x;
	return true;
}

static bool parse_i32(const char *s, int32_t *v)
{
	long x;
	char *end;

	errno = 0;
	x = strtol(s, &end, 0);
	if (errno || !*s || *end || x < INT32_MIN || x > INT32_MAX)
		return false;
	*v = (int32_t)x;
	return true;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "inode", required_argument, NULL, 'i' },
		{ "generation", required_argument, NULL, 'g' },
		{ "block", required_argument, NULL, 'b' },
		{ "group", required_argument, NULL, 'G' },
		{ "function", required_argument, NULL, 'f' },
		{ "error", required_argument, NULL, 'e' },
		{ "deadline", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->deadline_ms = E4ERR_INSPECT_DEFAULT_DEADLINE_MS;
	optind = 1;
	while ((c = getopt_long(argc, argv, "ji:g:b:G:f:e:d:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'i':
			if (!parse_u64(optarg, UINT32_MAX, &v) || !v)
				return cli_usage_error("inspect", _("invalid inode number '%s'"), optarg);
			o->req.has_inode = true;
			o->req.inode = v;
			break;
		case 'g':
			if (!parse_u64(optarg, UINT32_MAX, &v))
				return cli_usage_error("inspect", _("invalid generation '%s'"), optarg);
			o->req.has_generation = true;
			o->req.generation = (uint32_t)v;
			break;
		case 'b':
			if (!parse_u64(optarg, UINT64_MAX, &v))
				return cli_usage_error("inspect", _("invalid block number '%s'"), optarg);
			o->req.has_block = true;
			o->req.block = v;
			break;
		case 'G':
			if (!parse_u64(optarg, UINT32_MAX, &v))
				return cli_usage_error("inspect", _("invalid group number '%s'"), optarg);
			o->req.has_group = true;
			o->req.group = (uint32_t)v;
			break;
		case 'f':
			o->req.function = optarg;
			break;
		case 'e':
			if (!parse_i32(optarg, &o->req.error))
				return cli_usage_error("inspect", _("invalid error number '%s'"), optarg);
			o->req.has_error = true;
			break;
		case 'd':
			if (!parse_u64(optarg, 3600000, &v) || !v)
				return cli_usage_error("inspect", _("invalid deadline '%s' (1 to 3600000 ms)"),
						   optarg);
			o->deadline_ms = (unsigned int)v;
			break;
		case 'h':
			usage(stdout);
			exit(E4ERR_EXIT_OK);
		case 'V':
			print_version(stdout);
			exit(E4ERR_EXIT_OK);
		default:
			fprintf(stderr, _("Try '%s inspect --help'.\n"), program_name);
			return E4ERR_EXIT_USAGE;
		}
	}
	if (o->req.has_generation && !o->req.has_inode)
		return cli_usage_error("inspect", "%s", _("--generation needs --inode"));
	if (optind + 1 != argc)
		return cli_usage_error("inspect", "%s", optind == argc ?
				   _("no device, mount point or image given") :
				   _("only one device, mount point or image"));
	o->arg = argv[optind];
	return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = 0;
}

/*
 * Where dev is mounted: prefer if that is one of its mounts, else the first
 * mount of the filesystem's root directory, else its first mount at all.
 */
static void find_mountpoint(struct target *t, dev_t dev, const char *prefer)
{
	char line[4096 + 2 * PATH_MAX], root[PATH_MAX], mnt[PATH_MAX];
	unsigned int maj, min;
	bool whole = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*u %*u %u:%u %4095s %4095s", &maj, &min,
			   root, mnt) != 4 ||
		    makedev(maj, min) != dev)
			continue;
		unescape(mnt);
		if (prefer && !strcmp(mnt, prefer)) {
			copy_str(t->mountpoint, sizeof(t->mountpoint), mnt);
			t->has_mountpoint = true;
			break;
		}
		if (t->has_mountpoint && (whole || strcmp(root, "/")))
			continue;
		copy_str(t->mountpoint, sizeof(t->mountpoint), mnt);
		t->has_mountpoint = true;
		whole = !strcmp(root, "/");
	}
	fclose(f);
}

/* /dev/<DEVNAME> for a device number, from sysfs; checked against dev. */
static bool device_path(dev_t dev, char *out, size_t n)
{
	char path[128], line[256];
	struct stat st;
	bool ok = false;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent",
		 major(dev), minor(dev));
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "DEVNAME=", 8))
			continue;
		line[strcspn(line, "\n")] = 0;
		snprintf(out, n, "/dev/%s", line + 8);
		ok = !stat(out, &st) && S_ISBLK(st.st_mode) && st.st_rdev == dev;
		break;
	}
	fclose(f);
	return ok;
}

/* A loop device (offset 0) backed by this very file, mounted ones first. */
static bool loop_of_image(const struct stat *img, struct target *t)
{
	struct loop_info64 info;
	struct dirent *de;
	char dev[PATH_MAX];
	struct stat st;
	DIR *d = opendir("/sys/block");
	bool found = false;
	int fd;

	if (!d)
		return false;
	while ((de = readdir(d)) && !(found && t->has_mountpoint)) {
		if (strncmp(de->d_name, "loop", 4))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!ioctl(fd, LOOP_GET_STATUS64, &info) && !fstat(fd, &st) &&
		    info.lo_inode == img->st_ino && info.lo_device == img->st_dev &&
		    info.lo_offset == 0) {
			struct target cand = *t;

			copy_str(cand.device, sizeof(cand.device), dev);
			cand.has_rdev = true;
			cand.rdev = st.st_rdev;
			find_mountpoint(&cand, st.st_rdev, NULL);
			if (!found || cand.has_mountpoint)
				*t = cand;
			found = true;
		}
		close(fd);
	}
	closedir(d);
	return found;
}

/*
 * Resolve the argument; returns 0, or an exit status with the reason in
 * why (8: could not look, 16: not something to inspect).
 */
static int resolve(const char *arg, struct target *t, char *why, size_t n)
{
	char real[PATH_MAX];
	struct statfs sfs;
	struct stat st;

	memset(t, 0, sizeof(*t));
	copy_str(t->device, sizeof(t->device), arg);
	if (stat(arg, &st) < 0) {
		snprintf(why, n, _("cannot look at %s: %s"), arg, strerror(errno));
		return EXIT_INCONCLUSIVE;
	}
	if (S_ISBLK(st.st_mode)) {
		t->has_rdev = true;
		t->rdev = st.st_rdev;
		find_mountpoint(t, st.st_rdev, NULL);
		return 0;
	}
	if (S_ISREG(st.st_mode)) {
		if (loop_of_image(&st, t))
			copy_str(t->via_loop, sizeof(t->via_loop), arg);
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, n, _("%s is not a block device, image or directory"), arg);
		return E4ERR_EXIT_USAGE;
	}
	if (statfs(arg, &sfs) < 0 || sfs.f_type != EXT4_SUPER_MAGIC) {
		snprintf(why, n, _("%s is not on an ext2/ext3/ext4 filesystem"), arg);
		return E4ERR_EXIT_USAGE;
	}
	if (!device_path(st.st_dev, t->device, sizeof(t->device))) {
		snprintf(why, n, _("cannot find the device of %s (%u:%u)"), arg,
			 major(st.st_dev), minor(st.st_dev));
		return EXIT_INCONCLUSIVE;
	}
	t->has_rdev = true;
	t->rdev = st.st_dev;
	find_mountpoint(t, st.st_dev, realpath(arg, real) ? real : NULL);
	return 0;
}

static void print_esc(FILE *f, const char *s)
{
	char buf[1024];

	e4err_escape_text(buf, sizeof(buf), s, strlen(s));
	fputs(buf, f);
}

static void print_time(FILE *f, uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];

	if (t && gmtime_r(&tt, &tm) &&
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		fputs(buf, f);
	else
		fputs("-", f);
}

static void print_sb_error(FILE *f, const char *label, const struct e4err_sb_error *e)
{
	const char *name = e4err_sb_errcode_name(e->errcode);

	if (!e->present)
		return;
	fprintf(f, "  %-10s ", label);
	print_time(f, e->time);
	fputs(" ", f);
	print_esc(f, e->function);
	fprintf(f, ":%u", e->line);
	if (e->has_inode)
		fprintf(f, _(" inode %u"), e->inode);
	if (e->has_block)
		fprintf(f, _(" block %llu"), (unsigned long long)e->block);
	fprintf(f, " %s\n", name ? name : "?");
}

static void print_sb(FILE *f, const struct e4err_sb_summary *s)
{
	char uuid[37];

	e4err_uuid_unparse(s->uuid, uuid);
	fprintf(f, _("filesystem: UUID %s, %u-byte blocks, %llu blocks, %u groups\n"),
		uuid, s->block_size, (unsigned long long)s->blocks_count,
		s->group_count);
	fprintf(f, _("state:      %s%s, %u error(s) recorded, last check "),
		(s->state & 1) ? _("clean") : _("not clean"),
		(s->state & 2) ? _(" with errors") : "", s->error_count);
	print_time(f, s->last_check);
	fputs("\n", f);
	print_sb_error(f, _("first:"), &s->first_error);
	print_sb_error(f, _("last:"), &s->last_error);
}

static void print_inode(FILE *f, const struct e4err_inode_summary *s)
{
	fprintf(f, _("inode %llu:  %s, group %u, %s, generation %u, links %u, size %llu, %s"),
		(unsigned long long)s->ino, s->type, s->group,
		!s->in_use_known ? _("use unknown") :
		s->in_use ? _("in use") : _("free"),
		s->generation, s->links, (unsigned long long)s->size,
		s->map[0] ? s->map : "-");
	if (!strcmp(s->map, "extents"))
		fprintf(f, _(" (depth %u, %u extents, %u tree blocks)"),
			s->extent_depth, s->extents, s->tree_blocks);
	if (s->dir_blocks_checked)
		fprintf(f, _(", %u directory blocks checked"), s->dir_blocks_checked);
	fputs("\n", f);
}

static void print_block(FILE *f, const struct e4err_block_summary *b,
			uint64_t ino)
{
	fprintf(f, _("block %llu: "), (unsigned long long)b->block);
	if (!b->in_range) {
		fputs(_("outside the filesystem"), f);
	} else {
		fprintf(f, _("group %u, %s%s"), b->group,
			e4err_block_kind_name(b->kind),
			b->kind_certain ? "" : _(" (as far as its flex group shows)"));
		if (b->has_owner_group)
			fprintf(f, _(" of group %u"), b->owner_group);
		fprintf(f, ", %s", !b->allocated_known ? _("allocation unknown") :
			b->allocated ? _("in use") : _("free"));
	}
	if (b->owner_checked && b->belongs)
		fprintf(f, _(", belongs to inode %llu (%s)"),
			(unsigned long long)ino, b->role);
	else if (b->owner_checked)
		fprintf(f, _(", not a block of inode %llu"), (unsigned long long)ino);
	if (b->maps_logical)
		fprintf(f, _(", as a logical block of inode %llu it is block %llu"),
			(unsigned long long)ino, (unsigned long long)b->logical_pblk);
	fputs("\n", f);
}

static void print_text(FILE *f, const struct e4err_inspection *r,
		       const struct target *t)
{
	uint32_t i;

	fputs(_("device:     "), f);
	print_esc(f, r->device);
	if (t->has_mountpoint) {
		fputs(_(" mounted on "), f);
		print_esc(f, t->mountpoint);
	}
	fputs("\n", f);
	if (r->has_sb)
		print_sb(f, &r->sb);
	if (r->has_inode)
		print_inode(f, &r->inode);
	if (r->has_block)
		print_block(f, &r->block, r->inode.ino);
	for (i = 0; i < r->nfindings; i++) {
		const struct e4err_finding *x = &r->findings[i];
		const char *ec = x->errcode ? e4err_errcode_name(x->errcode) : NULL;

		fprintf(f, "%s %s [%s] ", i ? "           " : _("findings:  "),
			x->related ? "*" : "-", x->code);
		print_esc(f, x->message);
		if (ec)
			fprintf(f, " (%s)", ec);
		fputs("\n", f);
	}
	fprintf(f, _("verdict:    %s"), e4err_verdict_name(r->verdict));
	if (r->reason[0]) {
		fputs(": ", f);
		print_esc(f, r->reason);
	}
	fputs("\n", f);
	if (r->truncated)
		fprintf(f, _("truncated:  caps reached (%s): not everything was examined\n"),
			r->truncated_what);
}

static int exit_status(const struct e4err_inspection *r)
{
	uint32_t i;

	if (r->verdict == E4ERR_VERDICT_INCONCLUSIVE)
		return EXIT_INCONCLUSIVE;
	if (r->verdict == E4ERR_VERDICT_CONFIRMED)
		return EXIT_DAMAGE;
	for (i = 0; i < r->nfindings; i++)
		if (e4err_finding_is_damage(r->findings[i].id))
			return EXIT_DAMAGE;
	return E4ERR_EXIT_OK;
}

static int output(const struct options *o, const struct e4err_inspection *r,
		  const struct target *t)
{
	json_t *j;
	int err = 0;

	if (!o->json) {
		print_text(stdout, r, t);
	} else {
		j = e4err_inspection_to_json(r, t->has_mountpoint ? t->mountpoint : NULL);
		err = j ? e4err_json_print(stdout, j) : ENOMEM;
		json_decref(j);
	}
	if (!err && fflush(stdout))
		err = errno;
	if (err) {
		com_err(program_name, err, "%s", _("while writing the result"));
		return EXIT_INCONCLUSIVE;
	}
	return exit_status(r);
}

int cmd_inspect(int argc, char **argv)
{
	struct e4err_inspection *r;
	struct options o;
	struct target t;
	char why[PATH_MAX + 128];
	errcode_t err;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		com_err(program_name, ENOMEM, "%s", _("while starting"));
		return EXIT_INCONCLUSIVE;
	}
	rc = resolve(o.arg, &t, why, sizeof(why));
	if (rc == E4ERR_EXIT_USAGE) {
		free(r);
		return cli_usage_error("inspect", "%s", why);
	}
	if (rc) {
		r->verdict = E4ERR_VERDICT_INCONCLUSIVE;
		copy_str(r->device, sizeof(r->device), o.arg);
		copy_str(r->reason, sizeof(r->reason), why);
	} else {
		if (t.via_loop[0] && !o.json)
			fprintf(stderr, _("%s: %s is attached to %s: inspecting that device\n"),
				program_name, t.via_loop, t.device);
		o.req.device = t.device;
		o.req.has_rdev = t.has_rdev;
		o.req.rdev = t.rdev;
		err = e4err_inspect_run(&o.req, o.deadline_ms, r);
		if (err) {
			com_err(program_name, err, _("while inspecting %s"), t.device);
			free(r);
			return EXIT_INCONCLUSIVE;
		}
	}
	rc = output(&o, r, &t);
	free(r);
	return rc;
}
