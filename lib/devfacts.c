/*
 * devfacts.c --- facts about devices and the system, for the policy.
 *
 * Everything here reads sysfs or opens a device node without reading
 * from it, so it cannot block on a sick disk; the one slow thing, a loop
 * device set up for an image file, is only done in the check's own
 * process (e4errd check), never in the daemon.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devfacts.h"

#define LOOP_ATTACH_TRIES	16

/* Read a small sysfs file into buf (NUL-terminated, newline dropped). */
static errcode_t read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return errno;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

errcode_t e4err_dev_is_lvm(const char *sysfs, uint32_t major, uint32_t minor,
			   bool *is_lvm)
{
	char path[PATH_MAX], uuid[256];
	errcode_t retval;

	*is_lvm = false;
	snprintf(path, sizeof(path), "%s/dev/block/%u:%u/dm/uuid",
		 sysfs ? sysfs : "/sys", major, minor);
	retval = read_small(path, uuid, sizeof(uuid));
	if (retval == ENOENT || retval == ENOTDIR)
		return 0;
	if (retval)
		return retval;
	/* "LVM-<vg uuid><lv uuid>"; a "-cow", "-real" suffix is LVM's
	 * plumbing under a snapshot, not a volume one mounts. */
	*is_lvm = !strncmp(uuid, "LVM-", 4) && uuid[4] && !strchr(uuid + 4, '-');
	return 0;
}

bool e4err_fs_sysfs_alive(const char *sysfs, const char *kname)
{
	char path[PATH_MAX];
	struct stat st;

	if (!kname || !kname[0] || strchr(kname, '/'))
		return false;
	snprintf(path, sizeof(path), "%s/fs/ext4/%s", sysfs ? sysfs : "/sys",
		 kname);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

errcode_t e4err_dev_held(const char *devpath, bool *held)
{
	int fd;

	*held = false;
	fd = open(devpath, O_RDONLY | O_EXCL | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EBUSY) {
		*held = true;
		return 0;
	}
	return errno;
}

bool e4err_systemd_running(void)
{
	struct stat st;

	return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

char *e4err_find_program(const char *name)
{
	const char *p = E4ERR_FIXED_PATH, *end;
	char path[PATH_MAX];
	struct stat st;

	if (!name || !name[0])
		return NULL;
	if (name[0] == '/')
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	if (strchr(name, '/'))
		return NULL;
	while (*p) {
		end = strchrnul(p, ':');
		snprintf(path, sizeof(path), "%.*s/%s", (int)(end - p), p, name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(path, X_OK) == 0)
			return strdup(path);
		p = *end ? end + 1 : end;
	}
	return NULL;
}

/* ---- loop devices ---- */

static errcode_t configure(int dev_fd, int file_fd, const char *file,
			   bool read_only)
{
	struct loop_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.fd = (uint32_t)file_fd;
	cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0);
	snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name),
		 "%s", file);
	if (ioctl(dev_fd, LOOP_CONFIGURE, &cfg) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOTTY)
		return errno;
	/* Before Linux 5.8: the two-step way. */
	if (ioctl(dev_fd, LOOP_SET_FD, file_fd) < 0)
		return errno;
	if (ioctl(dev_fd, LOOP_SET_STATUS64, &cfg.info) < 0) {
		errcode_t e = errno;

		ioctl(dev_fd, LOOP_CLR_FD, 0);
		return e;
	}
	return 0;
}

/* One attempt on the device LOOP_CTL_GET_FREE names; EBUSY: raced. */
static errcode_t try_attach(int ctl, int file_fd, const char *file,
			    bool read_only, int *fd, char *devpath, size_t len)
{
	errcode_t retval;
	int n, dev;

	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	if (n < 0)
		return errno;
	snprintf(devpath, len, "/dev/loop%d", n);
	dev = open(devpath, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (dev < 0)
		return errno;
	retval = configure(dev, file_fd, file, read_only);
	if (retval) {
		close(dev);
		return retval;
	}
	*fd = dev;
	return 0;
}

errcode_t e4err_loop_attach(const char *file, bool read_only, int *fd,
			    char *devpath, size_t devpath_len)
{
	errcode_t retval = EBUSY;
	int ctl, file_fd, i;

	*fd = -1;
	file_fd = open(file, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (file_fd < 0)
		return errno;
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		retval = errno;
		close(file_fd);
		return retval;
	}
	for (i = 0; i < LOOP_ATTACH_TRIES && retval == EBUSY; i++)
		retval = try_attach(ctl, file_fd, file, read_only, fd, devpath,
				    devpath_len);
	close(ctl);
	close(file_fd);
	return retval;
}

/* Whether loop device name is backed by the file with this dev/ino. */
static bool backs(const char *name, dev_t dev, ino_t ino)
{
	char path[PATH_MAX], back[PATH_MAX];
	struct stat st;
	char *del;

	snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name);
	if (read_small(path, back, sizeof(back)))
		return false;
	/* A deleted file cannot be the one we were given. */
	del = strstr(back, " (deleted)");
	if (del && !del[10])
		return false;
	return stat(back, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

errcode_t e4err_loop_file_in_use(const char *file, bool *in_use, char *which,
				 size_t which_len)
{
	char dev[PATH_MAX];
	struct dirent *de;
	struct stat st;
	bool held;
	DIR *d;

	*in_use = false;
	if (stat(file, &st) < 0)
		return errno;
	d = opendir("/sys/block");
	if (!d)
		return errno;
	while ((de = readdir(d)) != NULL && !*in_use) {
		if (strncmp(de->d_name, "loop", 4) ||
		    !backs(de->d_name, st.st_dev, st.st_ino))
			continue;
		snprintf(dev, sizeof(dev), "/dev/%s", de->d_name);
		if (e4err_dev_held(dev, &held) == 0 && held) {
			*in_use = true;
			if (which)
				snprintf(which, which_len, "%s", dev);
		}
	}
	closedir(d);
	return 0;
}
