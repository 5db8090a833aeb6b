/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-error"

#include "config.h"

#include "lk-error.h"

G_DEFINE_QUARK (lk-error-quark, lk_error)

void
lk_error_prefix_file (GError     **error,
                      const char  *filename)
{
  g_autofree char *display = NULL;

  if (error == NULL || *error == NULL || filename == NULL)
    return;

  display = g_filename_display_name (filename);
  g_prefix_error (error, "%s: ", display);
}
