/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-types.h"

G_BEGIN_DECLS

#define LK_ERROR (lk_error_quark ())

GQuark lk_error_quark (void);

/* Prefixes @error's message with "@filename: " (the file's display name) so
 * that every message about a file names it. Does nothing if @error is NULL
 * or unset. */
void   lk_error_prefix_file (GError     **error,
                             const char  *filename);

G_END_DECLS
