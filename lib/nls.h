/*
 * nls.h --- the one place translation macros come from.
 */
#ifndef E4ERR_NLS_H
#define E4ERR_NLS_H

#include "config.h"

#ifdef ENABLE_NLS
#include <libintl.h>
#include <locale.h>
#define _(a) (gettext(a))
#define N_(a) a
#define P_(singular, plural, n) (ngettext(singular, plural, n))
#else
#define _(a) (a)
#define N_(a) a
#define P_(singular, plural, n) ((n) == 1 ? (singular) : (plural))
#endif

#endif /* E4ERR_NLS_H */
