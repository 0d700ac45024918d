/*
 * cmd_check.c --- `e4errd check`: run e2fsck on an unmounted filesystem
 * behind e4errd's safety gates.
 *
 * This is the program the daemon's checks run (directly, or as a
 * transient systemd unit), so the gates live in the check's own process:
 * opening and probing a device can block on a sick disk, and under
 * systemd the daemon's sandbox may not even open it for writing.  The
 * gates: an image file is attached to a loop device of our own (refused
 * when another loop device backed by the same file is in use, i.e. it is
 * mounted); the device must hold the filesystem expected (UUID); an
 * O_EXCL open must succeed, and for -n it is held for the whole run
 * (e2fsck inherits it) so nothing can mount the device meanwhile; for -p
 * and -y it is closed just before exec and e2fsck's own exclusive open is
 * the gate (e2fsck exits 8 when the device is in use).  Then this process
 * becomes e2fsck: signals and the exit status are e2fsck's own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <blkid.h>
#include <et/com_err.h>

#include "cmd.h"
#include "conf.h"
#include "devfacts.h"
#include "e4err_err.h"
#include "nls.h"
#include "runner.h"

struct check_opts {
	enum e4err_fsck_mode mode;
	const char *uuid;
	const char *target;
	bool dry_run;
};

static void usage(FILE *f)
{
	fprintf(f, _("Usage: %s check [OPTIONS] DEVICE|IMAGE\n\n"), program_name);
	fputs(_("Run e2fsck on an unmounted filesystem, behind e4errd's gates:\n"
		"an image file is checked through a loop device of its own, the\n"
		"device must hold the filesystem named by --uuid, and it must not\n"
		"be in use (for -n an exclusive open is held for the whole run).\n\n"
		"Options:\n"
		"  -m, --mode=MODE   readonly (e2fsck -fn, the default), preen (-fp)\n"
		"                    or repair (-fy)\n"
		"  -u, --uuid=UUID   refuse unless the device holds this filesystem\n"
		"  -n, --dry-run     set up and check the gates, print the command,\n"
		"                    do not run it\n"
		"  -h, --help        show this help\n"
		"  -V, --version     show the version\n\n"
		"Exit status: e2fsck's; or 64 in use, 65 not the filesystem expected,\n"
		"66 no loop device, 67 e2fsck not started, 16 usage error.\n"), f);
}

static int parse_mode(const char *s, enum e4err_fsck_mode *m)
{
	if (!strcmp(s, "readonly"))
		*m = E4ERR_FSCK_READONLY;
	else if (!strcmp(s, "preen"))
		*m = E4ERR_FSCK_PREEN;
	else if (!strcmp(s, "repair"))
		*m = E4ERR_FSCK_REPAIR;
	else
		return -1;
	return 0;
}

static int parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option options[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, ":m:u:nhV", options, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_mode(optarg, &o->mode))
				return cli_usage_error("check", _("unknown mode '%s': use readonly, preen or repair"),
						       optarg);
			break;
		case 'u':
			o->uuid = optarg;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'h':
			usage(stdout);
			return E4ERR_EXIT_OK;
		case 'V':
			print_version(stdout);
			return E4ERR_EXIT_OK;
		case ':':
			return cli_usage_error("check", _("option '%s' needs an argument"),
					       argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("check", _("unknown option '-%c'"),
						       optopt);
			return cli_usage_error("check", _("unknown option '%s'"),
					       argv[optind - 1]);
		}
	}
	if (argc == optind)
		return cli_usage_error("check", _("no DEVICE or IMAGE given"));
	if (argc - optind > 1)
		return cli_usage_error("check", _("more than one target given ('%s')"),
				       argv[optind + 1]);
	o->target = argv[optind];
	return -1;
}

/* The image file attached to a loop device of our own: *fd holds it. */
static int attach_image(const struct check_opts *o, int *fd, char *dev,
			size_t len)
{
	char which[64];
	errcode_t retval;
	bool in_use;

	retval = e4err_loop_file_in_use(o->target, &in_use, which, sizeof(which));
	if (retval) {
		com_err(program_name, retval, _("while looking for loop devices "
			"backed by %s"), o->target);
		return E4ERR_CHECK_EXIT_MISMATCH;
	}
	if (in_use) {
		com_err(program_name, EBUSY, _("%s is attached to %s, which is in "
			"use (mounted?): not checked"), o->target, which);
		return E4ERR_CHECK_EXIT_BUSY;
	}
	retval = e4err_loop_attach(o->target, o->mode == E4ERR_FSCK_READONLY,
				   fd, dev, len);
	if (retval) {
		com_err(program_name, retval, _("while attaching %s to a loop "
			"device"), o->target);
		return E4ERR_CHECK_EXIT_SETUP;
	}
	return 0;
}

/* The device holds an ext2/3/4 filesystem with the UUID expected. */
static int verify(const struct check_opts *o, const char *dev)
{
	const char *type = NULL, *uuid = NULL;
	blkid_probe pr;
	int rc = E4ERR_CHECK_EXIT_MISMATCH;

	pr = blkid_new_probe_from_filename(dev);
	if (!pr) {
		com_err(program_name, errno, _("while probing %s"), dev);
		return rc;
	}
	blkid_probe_enable_superblocks(pr, 1);
	blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_UUID);
	if (blkid_do_safeprobe(pr) != 0 ||
	    blkid_probe_lookup_value(pr, "TYPE", &type, NULL) ||
	    strncmp(type, "ext", 3)) {
		com_err(program_name, E4ERR_NOT_EXT4, _("on %s: no ext2, ext3 or "
			"ext4 filesystem found"), dev);
	} else if (o->uuid && (blkid_probe_lookup_value(pr, "UUID", &uuid, NULL) ||
			       strcasecmp(uuid, o->uuid))) {
		com_err(program_name, E4ERR_CHECK_TARGET, _("on %s: UUID %s, not "
			"%s: not checked"), dev, uuid ? uuid : "-", o->uuid);
	} else {
		rc = 0;
	}
	blkid_free_probe(pr);
	return rc;
}

/* The O_EXCL gate: its descriptor, or -1 with *rc set. */
static int gate(const char *dev, int *rc)
{
	int fd = open(dev, O_RDONLY | O_EXCL);

	if (fd >= 0)
		return fd;
	*rc = errno == EBUSY ? E4ERR_CHECK_EXIT_BUSY : E4ERR_CHECK_EXIT_MISMATCH;
	com_err(program_name, errno, _("while opening %s exclusively%s"), dev,
		errno == EBUSY ? _(" (it is in use: mounted, or held by another "
				   "program): not checked") : "");
	return -1;
}

static int run_e2fsck(const struct check_opts *o, const char *dev,
		      const char *image)
{
	static const char *const flags[] = { "-fn", "-fp", "-fy" };
	char *prog = e4err_find_program("e2fsck");
	char *argv[4];

	if (!prog) {
		com_err(program_name, ENOENT, _("while looking for e2fsck in %s"),
			E4ERR_FIXED_PATH);
		return E4ERR_CHECK_EXIT_EXEC;
	}
	argv[0] = prog;
	argv[1] = (char *)flags[o->mode];
	argv[2] = (char *)dev;
	argv[3] = NULL;
	printf(_("e4errd check: %s %s %s%s%s%s\n"), prog, argv[1], dev,
	       image ? _(" (image ") : "", image ? image : "", image ? ")" : "");
	fflush(stdout);
	if (o->dry_run)
		return E4ERR_EXIT_OK;
	execv(prog, argv);
	com_err(program_name, errno, _("while starting %s"), prog);
	return E4ERR_CHECK_EXIT_EXEC;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts o = { E4ERR_FSCK_READONLY, NULL, NULL, false };
	int loop_fd = -1, gate_fd, rc;
	char dev[PATH_MAX];
	const char *image = NULL;
	struct stat st;

	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (stat(o.target, &st) < 0) {
		com_err(program_name, errno, _("while looking at %s"), o.target);
		return E4ERR_CHECK_EXIT_MISMATCH;
	}
	snprintf(dev, sizeof(dev), "%s", o.target);
	if (S_ISREG(st.st_mode)) {
		/* O_EXCL means nothing on a plain file: go through a loop. */
		rc = attach_image(&o, &loop_fd, dev, sizeof(dev));
		if (rc)
			return rc;
		image = o.target;
	} else if (!S_ISBLK(st.st_mode)) {
		com_err(program_name, E4ERR_CHECK_TARGET, _("%s is neither a block "
			"device nor an image file"), o.target);
		return E4ERR_CHECK_EXIT_MISMATCH;
	}
	rc = verify(&o, dev);
	if (rc)
		return rc;
	gate_fd = gate(dev, &rc);
	if (gate_fd < 0)
		return rc;
	if (o.mode != E4ERR_FSCK_READONLY) {
		close(gate_fd);		/* e2fsck's own exclusive open gates */
		/* e2fsck inherits the loop's descriptor: detaching waits
		 * for it to end. */
		if (loop_fd >= 0)
			fcntl(loop_fd, F_SETFD, 0);
	} else if (loop_fd >= 0) {
		close(loop_fd);		/* the held gate keeps the loop attached */
	}
	return run_e2fsck(&o, dev, image);
}
