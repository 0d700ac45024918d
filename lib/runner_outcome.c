/*
 * runner_outcome.c --- what the exit status of each checking tool means.
 *
 * e2fsck(8): a sum of 1 (errors corrected), 2 (corrected, reboot), 4
 * (errors left uncorrected), 8 (operational error), 16 (usage or syntax
 * error), 32 (cancelled by the user), 128 (shared library error).  The
 * worst bit decides, except that errors found (4) outweigh an operational
 * error (8): e2fsck -n exits 12 when it stops at damage only a repair
 * could get past.  e2scrub(8): 0 clean, 6 corruption found (the origin
 * is marked for a boot-time fsck), 8 operational (snapshot busy, no room,
 * overflowed), 16 not an LVM logical volume, 1 could not run (lvm2 or
 * util-linux missing, not root) -- but run by systemd (SERVICE_MODE) every
 * failure is 1 and the superblock must tell.  Match codes, not messages.
 */
#include "config.h"

#include "nls.h"
#include "runner.h"

enum e4err_check_result e4err_e2fsck_result(int status, const char **what)
{
	const char *w;
	enum e4err_check_result r;

	if (status & 128) {
		w = _("e2fsck: shared library error");
		r = E4ERR_RESULT_FAILED;
	} else if (status & 16) {
		w = _("e2fsck: usage or syntax error");
		r = E4ERR_RESULT_FAILED;
	} else if (status & 4) {
		/* -n stops ("aborted", 4|8) where only a repair could go on:
		 * it found errors all the same. */
		w = status & 8 ? _("e2fsck: errors left uncorrected (it stopped "
				 "early)") : _("e2fsck: errors left uncorrected");
		r = E4ERR_RESULT_CORRUPT;
	} else if (status & 8) {
		w = _("e2fsck: operational error (device in use, or could not "
		    "read it)");
		r = E4ERR_RESULT_RETRY;
	} else if (status & 32) {
		w = _("e2fsck: cancelled");
		r = E4ERR_RESULT_RETRY;
	} else if (status & 3) {
		w = status & 2 ? _("e2fsck: errors corrected, reboot needed") :
				 _("e2fsck: errors corrected");
		r = E4ERR_RESULT_REPAIRED;
	} else if (status == 0) {
		w = _("e2fsck: no errors");
		r = E4ERR_RESULT_CLEAN;
	} else {
		w = _("e2fsck: unknown exit status");
		r = E4ERR_RESULT_FAILED;
	}
	if (what)
		*what = w;
	return r;
}

enum e4err_check_result e4err_check_exit_result(int status, const char **what)
{
	const char *w = NULL;
	enum e4err_check_result r = E4ERR_RESULT_FAILED;

	switch (status) {
	case E4ERR_CHECK_EXIT_BUSY:
		w = _("device or image in use: not checked");
		r = E4ERR_RESULT_BUSY;
		break;
	case E4ERR_CHECK_EXIT_MISMATCH:
		w = _("the device does not hold the filesystem expected, or is gone");
		break;
	case E4ERR_CHECK_EXIT_SETUP:
		w = _("no loop device could be set up for the image");
		break;
	case E4ERR_CHECK_EXIT_EXEC:
		w = _("e2fsck could not be started");
		break;
	default:
		return e4err_e2fsck_result(status, what);
	}
	if (what)
		*what = w;
	return r;
}

enum e4err_check_result e4err_e2scrub_result(int status, bool service_mode,
					     const char **what)
{
	const char *w;
	enum e4err_check_result r;

	switch (status) {
	case 0:
		w = _("e2scrub: clean");
		r = E4ERR_RESULT_CLEAN;
		break;
	case 6:
		w = _("e2scrub: corruption found; marked for a boot-time fsck");
		r = E4ERR_RESULT_CORRUPT;
		break;
	case 8:
		w = _("e2scrub: operational error (snapshot in use, no room for "
		    "it, or it overflowed)");
		r = E4ERR_RESULT_RETRY;
		break;
	case 16:
		w = _("e2scrub: not an LVM logical volume");
		r = E4ERR_RESULT_REFUSED;
		break;
	case 1:
		if (service_mode) {
			w = _("e2scrub under systemd: failed (the superblock tells "
			    "how)");
			r = E4ERR_RESULT_INCONCLUSIVE;
		} else {
			w = _("e2scrub cannot run here (lvm2 or util-linux "
			    "missing?)");
			r = E4ERR_RESULT_REFUSED;
		}
		break;
	default:
		w = _("e2scrub: unexpected exit status");
		r = E4ERR_RESULT_FAILED;
		break;
	}
	if (what)
		*what = w;
	return r;
}

enum e4err_check_result e4err_run_check_result(const struct e4err_run_result *r,
					       enum e4err_check_tool tool,
					       const char **what)
{
	if (!r->started) {
		if (what)
			*what = _("could not be started");
		return E4ERR_RESULT_FAILED;
	}
	if (r->stopped) {
		if (what)
			*what = _("stopped at its deadline");
		return E4ERR_RESULT_STOPPED;
	}
	if (!r->exited) {
		if (what)
			*what = _("killed by a signal");
		return E4ERR_RESULT_FAILED;
	}
	if (tool == E4ERR_TOOL_E2SCRUB)
		return e4err_e2scrub_result(r->exit_status, false, what);
	return e4err_check_exit_result(r->exit_status, what);
}
