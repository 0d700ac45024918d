/*
 * hookdrv.c --- run the hooks of one event through lib/hooks, from shell
 * tests.
 *
 *   hookdrv [--systemd] [--one] DIR DEADLINE_MS OUTPUT_MAX GRACE_MS CLASS
 *           [FIELD=VALUE]...
 *
 * --one runs one hook at a time (the default is two), so the order of
 * their runs is the order they were started in.
 *
 * FIELD is one of uuid device mountpoint inode block error verdict desc
 * comm path function job_kind job_state job_outcome exit_status alert;
 * VALUE may hold \xNN escapes for any byte (hostile strings).  Prints
 * what lib/hooks logs ("log: ..."), then per hook that ran one line
 * "ran NAME started=B exited=B status=N stopped=B signal=N total=N kept=N
 * ms=N", then "output:" and its output; exits when all are done.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <et/com_err.h>

#include "e4err_err.h"
#include "hooks.h"

static void on_log(void *arg, int prio, const char *msg)
{
	(void)arg;
	printf("log: <%d> %s\n", prio, msg);
}

static void on_done(void *arg, const char *name, enum e4err_hook_class cls,
		    const char *uuid, const struct e4err_run_result *r)
{
	(void)arg;
	(void)cls;
	(void)uuid;
	printf("ran %s started=%d exited=%d status=%d stopped=%d signal=%d "
	       "total=%llu kept=%zu ms=%llu\n", name, r->started, r->exited,
	       r->exit_status, r->stopped, r->signal,
	       (unsigned long long)r->output_total, r->output_len,
	       (unsigned long long)r->elapsed_ms);
	printf("output:\n");
	fwrite(r->output, 1, r->output_len, stdout);
	printf("\nend output\n");
}

/* Unescape \xNN in place; *len gets the byte count. */
static char *bytes(char *s, size_t *len)
{
	char *o = s, *p = s;
	unsigned int v;

	while (*p) {
		if (p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1) {
			*o++ = (char)v;
			p += 4;
		} else {
			*o++ = *p++;
		}
	}
	*len = (size_t)(o - s);
	*o = '\0';
	return s;
}

static void field(struct e4err_hook_event *ev, char *arg)
{
	char *eq = strchr(arg, '='), *v;
	size_t n;

	if (!eq)
		return;
	*eq = '\0';
	v = bytes(eq + 1, &n);
	if (!strcmp(arg, "uuid")) ev->uuid = v;
	else if (!strcmp(arg, "device")) ev->device = v;
	else if (!strcmp(arg, "mountpoint")) ev->mountpoint = v;
	else if (!strcmp(arg, "verdict")) ev->verdict = v;
	else if (!strcmp(arg, "job_kind")) ev->job_kind = v;
	else if (!strcmp(arg, "job_state")) ev->job_state = v;
	else if (!strcmp(arg, "job_outcome")) ev->job_outcome = v;
	else if (!strcmp(arg, "alert")) ev->alert = v;
	else if (!strcmp(arg, "inode")) {
		ev->has_inode = true;
		ev->inode = strtoull(v, NULL, 10);
	} else if (!strcmp(arg, "block")) {
		ev->has_block = true;
		ev->block = strtoull(v, NULL, 10);
	} else if (!strcmp(arg, "error")) {
		ev->has_error = true;
		ev->error = atoi(v);
	} else if (!strcmp(arg, "exit_status")) {
		ev->has_exit_status = true;
		ev->exit_status = atoi(v);
	} else if (!strcmp(arg, "desc")) {
		ev->desc = v;
		ev->desc_len = n;
	} else if (!strcmp(arg, "comm")) {
		ev->comm = v;
		ev->comm_len = n;
	} else if (!strcmp(arg, "path")) {
		ev->path = v;
		ev->path_len = n;
	} else if (!strcmp(arg, "function")) {
		ev->function = v;
		ev->function_len = n;
	}
}

int main(int argc, char **argv)
{
	struct e4err_hooks_options o;
	struct e4err_hook_event ev;
	struct e4err_hooks *h = NULL;
	struct pollfd fds[16];
	errcode_t retval;
	size_t n, started;
	int i, a = 1, t;

	add_error_table(&et_e4er_error_table);
	memset(&o, 0, sizeof(o));
	for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
		if (!strcmp(argv[a], "--systemd"))
			o.systemd = true;
		else if (!strcmp(argv[a], "--one"))
			o.max_running = 1;
	}
	if (argc - a < 5) {
		fprintf(stderr, "usage: hookdrv [--systemd] DIR DEADLINE_MS "
			"OUTPUT_MAX GRACE_MS CLASS [FIELD=VALUE]...\n");
		return 2;
	}
	o.dir = argv[a];
	o.deadline_ms = strtoull(argv[a + 1], NULL, 10);
	o.output_max = strtoull(argv[a + 2], NULL, 10);
	o.kill_grace_ms = strtoull(argv[a + 3], NULL, 10);
	o.mail_to = "root";
	o.log = on_log;
	o.done = on_done;
	memset(&ev, 0, sizeof(ev));
	if (!e4err_hook_class_parse(argv[a + 4], &ev.cls)) {
		fprintf(stderr, "hookdrv: unknown class %s\n", argv[a + 4]);
		return 2;
	}
	ev.time_ns = (uint64_t)time(NULL) * 1000000000ULL;
	for (i = a + 5; i < argc; i++)
		field(&ev, argv[i]);
	retval = e4err_hooks_new(&o, &h);
	if (!retval)
		retval = e4err_hooks_emit(h, &ev, &started);
	if (retval) {
		com_err("hookdrv", retval, "while running hooks");
		return 1;
	}
	printf("hooks %zu\n", started);
	while (!e4err_hooks_idle(h)) {
		n = e4err_hooks_pollfds(h, fds, 16);
		t = e4err_hooks_timeout_ms(h);
		poll(fds, n > 16 ? 16 : n, t < 0 || t > 200 ? 200 : t);
		e4err_hooks_process(h, fds, n > 16 ? 16 : n);
		fflush(stdout);
	}
	e4err_hooks_free(h);
	return 0;
}
