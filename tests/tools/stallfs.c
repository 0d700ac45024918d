/*
 * stallfs.c --- a tiny FUSE filesystem serving one file, "disk", backed by
 * an image, that stops answering on demand: a real stuck device for tests.
 *
 *   stallfs IMAGE MOUNTPOINT
 *
 * Runs in the foreground.  SIGUSR1 stops it answering requests (they wait
 * in the kernel, as I/O to a dead disk does); SIGUSR2 resumes; SIGTERM
 * ends it, and the kernel then fails whatever was waiting.  A loop device
 * set up on MOUNTPOINT/disk is then a block device whose reads hang.
 *
 * It speaks the /dev/fuse protocol itself (no libfuse), answering only
 * what losetup and reads need.  Reads bypass the page cache (direct I/O).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/fuse.h>

#define DISK_ID		2
#define MAX_WRITE	(128 * 1024)
#define BUF_SIZE	(MAX_WRITE + 4096)

static volatile sig_atomic_t stalled, stop;
static int image_fd, fuse_fd;
static off_t image_size;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stalled = 1;
	else if (sig == SIGUSR2)
		stalled = 0;
	else
		stop = 1;
}

static void reply(uint64_t unique, int error, const void *data, size_t len)
{
	struct fuse_out_header h;
	unsigned char buf[BUF_SIZE + sizeof(h)];

	if (len > BUF_SIZE)
		len = 0, error = -EIO;
	h.len = (uint32_t)(sizeof(h) + len);
	h.error = error;
	h.unique = unique;
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), data, len);
	if (write(fuse_fd, buf, h.len) < 0 && errno != ENOENT)
		perror("stallfs: write /dev/fuse");
}

static void fill_attr(uint64_t ino, struct fuse_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->nlink = 1;
	a->blksize = 4096;
	if (ino == FUSE_ROOT_ID) {
		a->mode = S_IFDIR | 0755;
		a->nlink = 2;
	} else {
		a->mode = S_IFREG | 0600;
		a->size = (uint64_t)image_size;
		a->blocks = (uint64_t)(image_size + 511) / 512;
	}
}

static void do_init(const struct fuse_in_header *h, const struct fuse_init_in *in)
{
	struct fuse_init_out out;

	memset(&out, 0, sizeof(out));
	out.major = FUSE_KERNEL_VERSION;
	out.minor = in->minor < FUSE_KERNEL_MINOR_VERSION ?
		in->minor : FUSE_KERNEL_MINOR_VERSION;
	out.max_readahead = in->max_readahead;
	out.max_write = MAX_WRITE;
	reply(h->unique, 0, &out, sizeof(out));
}

static void do_lookup(const struct fuse_in_header *h, const char *name)
{
	struct fuse_entry_out e;

	if (h->nodeid != FUSE_ROOT_ID || strcmp(name, "disk")) {
		reply(h->unique, -ENOENT, NULL, 0);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.nodeid = DISK_ID;
	fill_attr(DISK_ID, &e.attr);
	reply(h->unique, 0, &e, sizeof(e));
}

static void do_getattr(const struct fuse_in_header *h)
{
	struct fuse_attr_out a;

	memset(&a, 0, sizeof(a));
	fill_attr(h->nodeid, &a.attr);
	reply(h->unique, 0, &a, sizeof(a));
}

static void do_open(const struct fuse_in_header *h)
{
	struct fuse_open_out o;

	memset(&o, 0, sizeof(o));
	o.open_flags = FOPEN_DIRECT_IO;
	reply(h->unique, 0, &o, sizeof(o));
}

static void do_read(const struct fuse_in_header *h, const struct fuse_read_in *r)
{
	static unsigned char data[BUF_SIZE];
	size_t size = r->size < MAX_WRITE ? r->size : MAX_WRITE;
	ssize_t n = pread(image_fd, data, size, (off_t)r->offset);

	if (n < 0)
		reply(h->unique, -errno, NULL, 0);
	else
		reply(h->unique, 0, data, (size_t)n);
}

static void do_write(const struct fuse_in_header *h, const struct fuse_write_in *w,
		     size_t avail)
{
	struct fuse_write_out o;
	ssize_t n;

	if (w->size > avail) {
		reply(h->unique, -EINVAL, NULL, 0);
		return;
	}
	n = pwrite(image_fd, w + 1, w->size, (off_t)w->offset);
	if (n < 0) {
		reply(h->unique, -errno, NULL, 0);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.size = (uint32_t)n;
	reply(h->unique, 0, &o, sizeof(o));
}

static void dispatch(const unsigned char *buf, size_t len)
{
	const struct fuse_in_header *h = (const void *)buf;
	const void *arg = buf + sizeof(*h);
	size_t avail = len - sizeof(*h);

	switch (h->opcode) {
	case FUSE_INIT:
		do_init(h, arg);
		break;
	case FUSE_LOOKUP:
		do_lookup(h, arg);
		break;
	case FUSE_GETATTR:
	case FUSE_SETATTR:
		do_getattr(h);
		break;
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		do_open(h);
		break;
	case FUSE_READ:
		do_read(h, arg);
		break;
	case FUSE_WRITE:
		do_write(h, arg, avail - sizeof(struct fuse_write_in));
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_FSYNC:
	case FUSE_ACCESS:
		reply(h->unique, 0, NULL, 0);
		break;
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_INTERRUPT:
		break;	/* no reply expected */
	case FUSE_DESTROY:
		stop = 1;
		reply(h->unique, 0, NULL, 0);
		break;
	default:
		reply(h->unique, -ENOSYS, NULL, 0);
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[BUF_SIZE];
	struct sigaction sa;
	char opts[128];
	struct stat st;
	ssize_t n;

	if (argc != 3) {
		fprintf(stderr, "usage: stallfs IMAGE MOUNTPOINT\n");
		return 2;
	}
	image_fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (image_fd < 0 || fstat(image_fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	image_size = st.st_size;
	fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse_fd < 0) {
		perror("/dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other", fuse_fd);
	if (mount("stallfs", argv[2], "fuse.stallfs", MS_NOSUID | MS_NODEV, opts)) {
		perror("stallfs: mount");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: a signal ends read() */
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		while (stalled && !stop)
			pause();
		if (stop)
			break;
		n = read(fuse_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == ENOENT || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(struct fuse_in_header))
			break;	/* unmounted (ENODEV) or broken */
		if (stalled)
			continue;	/* dropped: it will never be answered */
		dispatch(buf, (size_t)n);
	}
	umount2(argv[2], MNT_DETACH);
	return 0;
}
