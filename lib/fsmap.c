/*
 * fsmap.c --- the table of mounted filesystems served by the ext4 driver.
 *
 * Parses /proc/self/mountinfo (see proc(5)) from a buffer, groups its lines
 * into filesystems by st_dev, and resolves each filesystem once against the
 * running system: statfs(), sysfs and libblkid.  The parser trusts nothing
 * in the text: a line that does not parse is counted and skipped.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include <blkid/blkid.h>

#include "fsmap.h"
#include "e4err_err.h"

#define MOUNTINFO_PATH	"/proc/self/mountinfo"

/* Mount types the ext4 driver can serve; statfs() decides in the end. */
static const char *const candidate_types[] = {
	"ext4", "ext3", "ext2", "ext4dev", NULL
};

/* ---- mountinfo ---------------------------------------------------------- */

/*
 * Undo the kernel's octal escapes (\040 space, \011 tab, \012 newline,
 * \134 backslash) in place.  Anything else, and \000, stays as it is.
 */
static void unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			int v = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');

			if (v) {
				*out++ = (char) v;
				s += 4;
				continue;
			}
		}
		*out++ = *s++;
	}
	*out = '\0';
}

/* A decimal u32 with nothing else around it. */
static bool parse_u32(const char *s, uint32_t *v)
{
	unsigned long long n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (unsigned) (*s - '0');
		if (n > UINT32_MAX)
			return false;
	}
	*v = (uint32_t) n;
	return true;
}

/* Cut the next space-separated field off *p; NULL when there is none. */
static char *next_field(char **p)
{
	char *start = *p, *sp;

	if (!start || !*start)
		return NULL;
	sp = strchr(start, ' ');
	if (sp) {
		*sp = '\0';
		*p = sp + 1;
	} else {
		*p = NULL;
	}
	return start;
}

/*
 * The optional fields run up to a field that is exactly "-".  Cut them
 * off *p as one string (spaces kept); false when no separator follows.
 */
static bool cut_optional(char **p, const char **optional)
{
	char *start = *p, *q = *p;

	while (q && *q) {
		char *sp = strchr(q, ' ');

		if (q[0] == '-' && (q[1] == ' ' || q[1] == '\0')) {
			if (q == start) {
				*optional = "";
			} else {
				q[-1] = '\0';
				*optional = start;
			}
			*p = sp ? sp + 1 : NULL;
			return true;
		}
		q = sp ? sp + 1 : NULL;
	}
	return false;
}

static bool parse_devno(char *s, uint32_t *major, uint32_t *minor)
{
	char *colon = strchr(s, ':');

	if (!colon)
		return false;
	*colon = '\0';
	return parse_u32(s, major) && parse_u32(colon + 1, minor);
}

/* One NUL-terminated line, split in place; false when malformed. */
static bool parse_line(char *line, struct e4err_mount *m)
{
	char *p = line;
	char *f[6];
	int i;

	for (i = 0; i < 6; i++)
		if (!(f[i] = next_field(&p)))
			return false;
	if (!parse_u32(f[0], &m->mount_id) || !parse_u32(f[1], &m->parent_id) ||
	    !parse_devno(f[2], &m->major, &m->minor))
		return false;
	if (!cut_optional(&p, &m->optional))
		return false;
	m->root = f[3];
	m->mountpoint = f[4];
	m->mount_opts = f[5];
	if (!(m->fstype = next_field(&p)) || !(m->source = next_field(&p)) ||
	    !(m->super_opts = next_field(&p)))
		return false;
	/* Anything after the super options is a future field: ignored. */
	unescape(f[3]);
	unescape(f[4]);
	unescape((char *) m->fstype);
	unescape((char *) m->source);
	return true;
}

static errcode_t add_mount(struct e4err_mountinfo *mi, size_t *cap,
			   const struct e4err_mount *m)
{
	if (mi->nmounts == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct e4err_mount *n;

		n = realloc(mi->mounts, ncap * sizeof(*n));
		if (!n)
			return ENOMEM;
		mi->mounts = n;
		*cap = ncap;
	}
	mi->mounts[mi->nmounts++] = *m;
	return 0;
}

errcode_t e4err_mountinfo_parse(const char *buf, size_t len,
				struct e4err_mountinfo **out)
{
	struct e4err_mountinfo *mi;
	size_t cap = 0;
	char *line, *end;
	errcode_t retval = 0;

	*out = NULL;
	mi = calloc(1, sizeof(*mi));
	if (!mi || !(mi->strings = malloc(len + 1))) {
		free(mi);
		return ENOMEM;
	}
	memcpy(mi->strings, buf, len);
	mi->strings[len] = '\0';
	end = mi->strings + len;
	for (line = mi->strings; line < end && !retval; ) {
		char *nl = memchr(line, '\n', (size_t) (end - line));
		struct e4err_mount m = { 0 };

		if (nl)
			*nl = '\0';
		/* A NUL inside the text ends that line early: it still parses or not. */
		if (*line) {
			if (parse_line(line, &m))
				retval = add_mount(mi, &cap, &m);
			else
				mi->nbad++;
		}
		line = nl ? nl + 1 : end;
	}
	if (retval) {
		e4err_mountinfo_free(mi);
		return retval;
	}
	*out = mi;
	return 0;
}

void e4err_mountinfo_free(struct e4err_mountinfo *mi)
{
	if (!mi)
		return;
	free(mi->mounts);
	free(mi->strings);
	free(mi);
}

errcode_t e4err_mountinfo_read_fd(int fd, char **bufp, size_t *lenp)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap), *n;
	ssize_t r;

	if (!buf)
		return ENOMEM;
	if (lseek(fd, 0, SEEK_SET) < 0) {
		free(buf);
		return errno;
	}
	for (;;) {
		if (len == cap) {
			if (cap > (64U << 20) || !(n = realloc(buf, cap * 2))) {
				free(buf);
				return ENOMEM;
			}
			buf = n;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = errno;

			free(buf);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t) r;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

bool e4err_opt_present(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;

	while (p && *p) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t) (comma - p) : strlen(p);

		if (l == n && !memcmp(p, opt, n))
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

/* ---- grouping ----------------------------------------------------------- */

static bool candidate_type(const char *type)
{
	int i;

	for (i = 0; candidate_types[i]; i++)
		if (!strcmp(type, candidate_types[i]))
			return true;
	return false;
}

static void fs_clear(struct e4err_fs *fs)
{
	size_t i;

	for (i = 0; i < fs->nmounts; i++) {
		free(fs->mounts[i].mountpoint);
		free(fs->mounts[i].root);
	}
	free(fs->mounts);
	free(fs->fstype);
	free(fs->source);
	free(fs->super_opts);
	free(fs->devpath);
	free(fs->backing_file);
	memset(fs, 0, sizeof(*fs));
}

void e4err_fsmap_free(struct e4err_fsmap *map)
{
	size_t i;

	if (!map)
		return;
	for (i = 0; i < map->nfs; i++)
		fs_clear(&map->fs[i]);
	free(map->fs);
	free(map);
}

/* The mount to name a filesystem by: the first of the whole filesystem. */
static const char *primary_mountpoint(const struct e4err_fs *fs)
{
	size_t i;

	for (i = 0; i < fs->nmounts; i++)
		if (!strcmp(fs->mounts[i].root, "/"))
			return fs->mounts[i].mountpoint;
	return fs->nmounts ? fs->mounts[0].mountpoint : NULL;
}

static errcode_t fs_add_mount(struct e4err_fs *fs, const struct e4err_mount *m)
{
	struct e4err_fs_mount *n, *fm;

	n = realloc(fs->mounts, (fs->nmounts + 1) * sizeof(*n));
	if (!n)
		return ENOMEM;
	fs->mounts = n;
	fm = &fs->mounts[fs->nmounts];
	fm->mount_id = m->mount_id;
	fm->read_only = e4err_opt_present(m->mount_opts, "ro");
	fm->mountpoint = strdup(m->mountpoint);
	fm->root = strdup(m->root);
	if (!fm->mountpoint || !fm->root) {
		free(fm->mountpoint);
		free(fm->root);
		return ENOMEM;
	}
	fs->nmounts++;
	return 0;
}

static errcode_t fs_init(struct e4err_fs *fs, const struct e4err_mount *m)
{
	memset(fs, 0, sizeof(*fs));
	fs->major = m->major;
	fs->minor = m->minor;
	fs->dev = makedev(m->major, m->minor);
	fs->fstype = strdup(m->fstype);
	fs->source = strdup(m->source);
	fs->super_opts = strdup(m->super_opts);
	if (!fs->fstype || !fs->source || !fs->super_opts)
		return ENOMEM;
	fs->read_only = e4err_opt_present(m->super_opts, "ro");
	fs->emergency_ro = e4err_opt_present(m->super_opts, "emergency_ro");
	return 0;
}

static struct e4err_fs *find_devno(struct e4err_fsmap *map, uint32_t major,
				   uint32_t minor)
{
	size_t i;

	for (i = 0; i < map->nfs; i++)
		if (map->fs[i].major == major && map->fs[i].minor == minor)
			return &map->fs[i];
	return NULL;
}

static errcode_t group_mount(struct e4err_fsmap *map, size_t *cap,
			     const struct e4err_mount *m)
{
	struct e4err_fs *fs = find_devno(map, m->major, m->minor);
	errcode_t retval;

	if (!fs) {
		if (map->nfs == *cap) {
			size_t ncap = *cap ? *cap * 2 : 8;
			struct e4err_fs *n = realloc(map->fs, ncap * sizeof(*n));

			if (!n)
				return ENOMEM;
			map->fs = n;
			*cap = ncap;
		}
		fs = &map->fs[map->nfs++];
		retval = fs_init(fs, m);
		if (retval)
			return retval;
	}
	return fs_add_mount(fs, m);
}

errcode_t e4err_fsmap_from_mountinfo(const struct e4err_mountinfo *mi,
				     struct e4err_fsmap **out)
{
	struct e4err_fsmap *map;
	size_t i, cap = 0;
	errcode_t retval = 0;

	*out = NULL;
	map = calloc(1, sizeof(*map));
	if (!map)
		return ENOMEM;
	for (i = 0; i < mi->nmounts && !retval; i++)
		if (candidate_type(mi->mounts[i].fstype))
			retval = group_mount(map, &cap, &mi->mounts[i]);
	if (retval) {
		e4err_fsmap_free(map);
		return retval;
	}
	for (i = 0; i < map->nfs; i++)
		map->fs[i].mountpoint = primary_mountpoint(&map->fs[i]);
	*out = map;
	return 0;
}

/* ---- resolving against the running system -------------------------------- */

static bool same_fs(const struct e4err_fs *a, const struct e4err_fs *b)
{
	size_t i, j;

	if (a->dev != b->dev)
		return false;
	for (i = 0; i < a->nmounts; i++)
		for (j = 0; j < b->nmounts; j++)
			if (a->mounts[i].mount_id == b->mounts[j].mount_id)
				return true;
	return false;
}

static const struct e4err_fs *match_in(const struct e4err_fsmap *map,
				       const struct e4err_fs *fs)
{
	size_t i;

	for (i = 0; map && i < map->nfs; i++)
		if (same_fs(&map->fs[i], fs))
			return &map->fs[i];
	return NULL;
}


/* A mount point that really is this filesystem now (not covered over). */
static const char *reachable_mountpoint(const struct e4err_fs *fs)
{
	const char *first = fs->mountpoint;
	struct stat st;
	size_t i;

	if (first && !stat(first, &st) && S_ISDIR(st.st_mode) &&
	    st.st_dev == fs->dev)
		return first;
	for (i = 0; i < fs->nmounts; i++) {
		const char *mp = fs->mounts[i].mountpoint;

		if (!stat(mp, &st) && S_ISDIR(st.st_mode) && st.st_dev == fs->dev)
			return mp;
	}
	return NULL;
}

static void read_kname(struct e4err_fs *fs)
{
	char path[64], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u", fs->major,
		 fs->minor);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (!*base || strlen(base) >= sizeof(fs->kname))
		return;
	strcpy(fs->kname, base);
	fs->has_kname = true;
}

/* The ext2 driver also reports 0xEF53; only ext4's have /sys/fs/ext4/<dev>. */
static bool served_by_ext4(const struct e4err_fs *fs)
{
	char path[128];

	if (!fs->has_kname || access("/sys/fs/ext4", F_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/fs/ext4/%s", fs->kname);
	return access(path, F_OK) == 0;
}

static bool is_our_blockdev(const char *path, dev_t dev)
{
	struct stat st;

	return !stat(path, &st) && S_ISBLK(st.st_mode) && st.st_rdev == dev;
}

static errcode_t find_devpath(struct e4err_fs *fs)
{
	char path[128];

	fs->devpath = blkid_devno_to_devname(fs->dev);
	if (fs->devpath)
		return 0;
	if (is_our_blockdev(fs->source, fs->dev)) {
		fs->devpath = strdup(fs->source);
	} else if (fs->has_kname) {
		snprintf(path, sizeof(path), "/dev/%s", fs->kname);
		fs->devpath = strdup(is_our_blockdev(path, fs->dev) ?
				     path : fs->source);
	} else {
		fs->devpath = strdup(fs->source);
	}
	return fs->devpath ? 0 : ENOMEM;
}

static void read_uuid(struct e4err_fs *fs)
{
	blkid_probe pr;
	const char *val = NULL;

	if (!is_our_blockdev(fs->devpath, fs->dev))
		return;
	pr = blkid_new_probe_from_filename(fs->devpath);
	if (!pr)
		return;
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_UUID);
	if (blkid_probe_get_devno(pr) == fs->dev &&
	    blkid_do_safeprobe(pr) == 0 &&
	    !blkid_probe_lookup_value(pr, "UUID", &val, NULL) && val &&
	    strlen(val) < sizeof(fs->uuid)) {
		strcpy(fs->uuid, val);
		fs->has_uuid = true;
	}
	blkid_free_probe(pr);
}

/* /sys/block/loopN/loop/backing_file, without its trailing newline. */
static errcode_t read_backing_file(struct e4err_fs *fs)
{
	char path[128], buf[PATH_MAX + 32];
	ssize_t n;
	int fd;

	if (!fs->has_kname || strncmp(fs->kname, "loop", 4))
		return 0;
	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file",
		 fs->kname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	if (buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	fs->backing_file = strdup(buf);
	return fs->backing_file ? 0 : ENOMEM;
}

/* What prev already learnt about fs: no device is probed twice. */
static errcode_t copy_identity(struct e4err_fs *fs, const struct e4err_fs *prev)
{
	fs->has_kname = prev->has_kname;
	memcpy(fs->kname, prev->kname, sizeof(fs->kname));
	fs->has_uuid = prev->has_uuid;
	memcpy(fs->uuid, prev->uuid, sizeof(fs->uuid));
	fs->devpath = strdup(prev->devpath);
	if (prev->backing_file)
		fs->backing_file = strdup(prev->backing_file);
	if (!fs->devpath || (prev->backing_file && !fs->backing_file))
		return ENOMEM;
	return 0;
}

/*
 * Look fs up on the system; *keep says whether it stays in the table.
 * statfs() is asked every time (cheap, no I/O); the device is probed only
 * for a filesystem prev does not know, so a table re-read after every
 * error event never reads a sick device again.
 */
static errcode_t resolve_one(struct e4err_fs *fs, const struct e4err_fsmap *prev,
			     int *keep)
{
	const char *mp = reachable_mountpoint(fs);
	const struct e4err_fs *known;
	struct statfs sfs;
	errcode_t retval;

	*keep = 0;
	if (!mp || statfs(mp, &sfs) || sfs.f_type != E4ERR_EXT4_SUPER_MAGIC)
		return 0;
	fs->mountpoint = mp;
	memcpy(fs->fsid, &sfs.f_fsid, sizeof(fs->fsid));
	fs->has_fsid = true;
	known = match_in(prev, fs);
	if (known && known->devpath) {
		*keep = 1;
		return copy_identity(fs, known);
	}
	read_kname(fs);
	if (!served_by_ext4(fs))
		return 0;
	retval = find_devpath(fs);
	if (!retval)
		retval = read_backing_file(fs);
	if (retval)
		return retval;
	read_uuid(fs);
	*keep = 1;
	return 0;
}

errcode_t e4err_fsmap_resolve(struct e4err_fsmap *map,
			      const struct e4err_fsmap *prev)
{
	size_t i, j = 0;
	errcode_t retval = 0;
	int keep;

	for (i = 0; i < map->nfs; i++) {
		if (!retval)
			retval = resolve_one(&map->fs[i], prev, &keep);
		if (retval || !keep) {
			fs_clear(&map->fs[i]);
			continue;
		}
		if (i != j)
			map->fs[j] = map->fs[i];
		j++;
	}
	map->nfs = j;
	return retval;
}

errcode_t e4err_fsmap_load(int fd, const struct e4err_fsmap *prev,
			   struct e4err_fsmap **map)
{
	struct e4err_mountinfo *mi = NULL;
	int own_fd = -1;
	char *buf = NULL;
	size_t len = 0;
	errcode_t retval;

	*map = NULL;
	if (fd < 0) {
		own_fd = open(MOUNTINFO_PATH, O_RDONLY | O_CLOEXEC);
		if (own_fd < 0)
			return errno;
		fd = own_fd;
	}
	retval = e4err_mountinfo_read_fd(fd, &buf, &len);
	if (own_fd >= 0)
		close(own_fd);
	if (!retval)
		retval = e4err_mountinfo_parse(buf, len, &mi);
	free(buf);
	if (!retval)
		retval = e4err_fsmap_from_mountinfo(mi, map);
	e4err_mountinfo_free(mi);
	if (!retval)
		retval = e4err_fsmap_resolve(*map, prev);
	if (retval) {
		e4err_fsmap_free(*map);
		*map = NULL;
	}
	return retval;
}

const struct e4err_fs *e4err_fsmap_find_dev(const struct e4err_fsmap *map,
					    dev_t dev)
{
	size_t i;

	for (i = 0; map && i < map->nfs; i++)
		if (map->fs[i].dev == dev)
			return &map->fs[i];
	return NULL;
}

/* ---- diff ---------------------------------------------------------------- */

/* True when every mount of a is still a mount of b. */
static bool mounts_kept(const struct e4err_fs *a, const struct e4err_fs *b)
{
	size_t i, j;

	for (i = 0; i < a->nmounts; i++) {
		for (j = 0; j < b->nmounts; j++)
			if (a->mounts[i].mount_id == b->mounts[j].mount_id)
				break;
		if (j == b->nmounts)
			return false;
	}
	return true;
}

static bool state_changed(const struct e4err_fs *a, const struct e4err_fs *b)
{
	return a->read_only != b->read_only ||
		a->emergency_ro != b->emergency_ro ||
		!a->mountpoint != !b->mountpoint ||
		(a->mountpoint && strcmp(a->mountpoint, b->mountpoint)) ||
		a->nmounts != b->nmounts || !mounts_kept(a, b);
}

errcode_t e4err_fsmap_diff(const struct e4err_fsmap *old,
			   const struct e4err_fsmap *new,
			   struct e4err_fs_change **changes, size_t *n)
{
	size_t nold = old ? old->nfs : 0, nnew = new ? new->nfs : 0, i, k = 0;
	struct e4err_fs_change *c;
	const struct e4err_fs *m;

	*changes = NULL;
	*n = 0;
	if (!nold && !nnew)
		return 0;
	c = calloc(nold + nnew, sizeof(*c));
	if (!c)
		return ENOMEM;
	/* Gone first: a caller forgets the old superblock before adding a new one. */
	for (i = 0; i < nold; i++)
		if (!match_in(new, &old->fs[i]))
			c[k++] = (struct e4err_fs_change) {
				E4ERR_FS_GONE, &old->fs[i], NULL };
	for (i = 0; i < nnew; i++) {
		m = match_in(old, &new->fs[i]);
		if (!m)
			c[k++] = (struct e4err_fs_change) {
				E4ERR_FS_ADDED, NULL, &new->fs[i] };
		else if (state_changed(m, &new->fs[i]))
			c[k++] = (struct e4err_fs_change) {
				E4ERR_FS_CHANGED, m, &new->fs[i] };
	}
	if (!k) {
		free(c);
		return 0;
	}
	*changes = c;
	*n = k;
	return 0;
}
