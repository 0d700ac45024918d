/*
 * fuzz_mountinfo.c --- libFuzzer target: /proc/self/mountinfo parsing and
 * grouping into filesystems over arbitrary bytes (mount points and sources
 * are chosen by whoever mounts, so the text is not fully the kernel's).
 *
 * Beyond "no crash, hang, leak or out-of-bounds read": every line is
 * either a mount or counted bad; every field of a mount is a string; each
 * filesystem's mounts share its device number; a table differs from itself
 * in nothing and from an empty one in every filesystem.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fsmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + 1;
}

static void check_mounts(const struct e4err_mountinfo *mi, size_t lines)
{
	size_t i;

	if (mi->nmounts + mi->nbad > lines)
		abort();
	for (i = 0; i < mi->nmounts; i++) {
		const struct e4err_mount *m = &mi->mounts[i];

		if (!m->root || !m->mountpoint || !m->mount_opts ||
		    !m->optional || !m->fstype || !m->source || !m->super_opts)
			abort();
		/* Touch every byte so a bad pointer shows under ASan. */
		if (strlen(m->root) + strlen(m->mountpoint) + strlen(m->source) +
		    strlen(m->optional) + strlen(m->super_opts) > 4 * 1048576)
			abort();
	}
}

static void check_map(const struct e4err_fsmap *map,
		      const struct e4err_mountinfo *mi)
{
	struct e4err_fs_change *c;
	size_t i, n, total = 0;

	for (i = 0; i < map->nfs; i++) {
		const struct e4err_fs *fs = &map->fs[i];

		if (!fs->nmounts || !fs->mountpoint ||
		    e4err_fsmap_find_dev(map, fs->dev) != fs)
			abort();
		total += fs->nmounts;
	}
	if (total > mi->nmounts)
		abort();
	if (e4err_fsmap_diff(map, map, &c, &n) || n || c)
		abort();
	if (e4err_fsmap_diff(NULL, map, &c, &n) || n != map->nfs)
		abort();
	for (i = 0; i < n; i++)
		if (c[i].kind != E4ERR_FS_ADDED || c[i].old)
			abort();
	free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct e4err_mountinfo *mi = NULL;
	struct e4err_fsmap *map = NULL;

	if (e4err_mountinfo_parse((const char *) data, size, &mi))
		return 0;	/* ENOMEM only */
	check_mounts(mi, count_lines(data, size));
	if (!e4err_fsmap_from_mountinfo(mi, &map)) {
		check_map(map, mi);
		e4err_fsmap_free(map);
	}
	e4err_mountinfo_free(mi);
	return 0;
}
