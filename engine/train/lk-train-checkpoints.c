/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train"

#include "config.h"

#include "lk-train-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk-error.h"
#include "lk-project-checkpoints.h"
#include "lk-project-runs.h"
#include "lk-trainer.h"


void
_lk_train_remove_temp_files (const char *model_dir)
{
  g_autoptr(GDir) dir = g_dir_open (model_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "ckpt-") && strstr (name, ".safetensors.tmp-") != NULL)
      {
        g_autofree char *path = g_build_filename (model_dir, name, NULL);

        g_debug ("removing %s, left by an interrupted save", path);
        g_unlink (path);
      }
}

char *
_lk_train_file_sha256 (const char  *path,
                       GError     **error)
{
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (1 << 20);
  FILE *f = fopen (path, "rb");
  size_t n;

  if (f == NULL)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", display,
                   g_strerror (saved));
      return NULL;
    }
  while ((n = fread (buffer, 1, 1 << 20, f)) > 0)
    g_checksum_update (sum, buffer, n);
  if (ferror (f))
    {
      g_autofree char *display = g_filename_display_name (path);

      fclose (f);
      g_set_error (error, LK_ERROR, LK_ERROR_IO, _("%s: cannot be read"), display);
      return NULL;
    }
  fclose (f);

  return g_strdup (g_checksum_get_string (sum));
}

gboolean
_lk_train_move_aside (const char  *path,
                      const char  *suffix,
                      GError     **error)
{
  g_autofree char *target = g_strconcat (path, suffix, NULL);

  for (int i = 1; g_file_test (target, G_FILE_TEST_EXISTS); i++)
    {
      g_free (target);
      target = g_strdup_printf ("%s%s-%d", path, suffix, i);
    }

  if (g_rename (path, target) < 0)
    {
      int saved = errno;
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s: cannot be moved aside: %s"), display, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

/* ---- Public: the project's checkpoints and loss history ----------------- */

static gboolean
header_reads (const char *path,
              gint64     *iteration,
              gpointer    user_data G_GNUC_UNUSED)
{
  LkTorchCheckpointInfo info;
  LkTorchError terr;

  if (lk_torch_checkpoint_read_info (path, &info, &terr) != LK_TORCH_OK)
    {
      g_message ("skipping %s: %s", path, terr.message);
      return FALSE;
    }
  *iteration = info.iteration;
  return TRUE;
}

char *
lk_trainer_find_checkpoint (LkProject  *project,
                            gint64     *iteration,
                            GError    **error)
{
  char *path;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  path = lk_project_find_newest_checkpoint (project, header_reads, NULL, iteration, NULL);
  if (path == NULL && iteration != NULL)
    *iteration = 0;
  return path;
}

GArray *
lk_trainer_load_loss_history (LkProject  *project,
                              GError    **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  return lk_project_load_loss_history (project, error);
}
