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
#include "lk-project-private.h"
#include "lk-trainer.h"


static void
checkpoint_file_free (LkTrainCheckpointFile *file)
{
  g_free (file->path);
  g_free (file);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const LkTrainCheckpointFile *x = *(LkTrainCheckpointFile **) a;
  const LkTrainCheckpointFile *y = *(LkTrainCheckpointFile **) b;

  return (y->iteration > x->iteration) - (y->iteration < x->iteration);
}

/* "ckpt-<digits>.safetensors" -> the iteration, else -1. */
static gint64
parse_checkpoint_name (const char *name)
{
  const char *p;
  char *end = NULL;
  gint64 iteration;

  if (!g_str_has_prefix (name, "ckpt-") || !g_str_has_suffix (name, ".safetensors"))
    return -1;
  p = name + strlen ("ckpt-");
  if (!g_ascii_isdigit (*p))
    return -1;
  iteration = g_ascii_strtoll (p, &end, 10);
  if (end == NULL || !g_str_equal (end, ".safetensors"))
    return -1;

  return iteration;
}

GPtrArray *
_lk_train_list_checkpoint_files (const char *model_dir)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) checkpoint_file_free);
  g_autoptr(GDir) dir = g_dir_open (model_dir, 0, NULL);
  const char *name;

  if (dir == NULL)
    return files;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gint64 iteration = parse_checkpoint_name (name);
      LkTrainCheckpointFile *file;

      if (iteration < 0)
        continue;
      file = g_new0 (LkTrainCheckpointFile, 1);
      file->iteration = iteration;
      file->path = g_build_filename (model_dir, name, NULL);
      g_ptr_array_add (files, file);
    }
  g_ptr_array_sort (files, compare_newest_first);

  return files;
}

char *
_lk_train_checkpoint_path (const char *model_dir,
                           gint64      iteration)
{
  g_autofree char *name = g_strdup_printf ("ckpt-%" G_GINT64_FORMAT ".safetensors", iteration);

  return g_build_filename (model_dir, name, NULL);
}

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

char *
lk_trainer_find_checkpoint (LkProject  *project,
                            gint64     *iteration,
                            GError    **error)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  files = _lk_train_list_checkpoint_files (lk_project_get_model_dir (project));
  for (guint i = 0; i < files->len; i++)
    {
      LkTrainCheckpointFile *file = files->pdata[i];
      LkTorchCheckpointInfo info;
      LkTorchError terr;

      if (lk_torch_checkpoint_read_info (file->path, &info, &terr) == LK_TORCH_OK)
        {
          if (iteration != NULL)
            *iteration = info.iteration;
          return g_strdup (file->path);
        }
      g_message ("skipping %s: %s", file->path, terr.message);
    }

  if (iteration != NULL)
    *iteration = 0;
  return NULL;
}

GArray *
lk_trainer_load_loss_history (LkProject  *project,
                              GError    **error)
{
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  _lk_project_lock (project);
  /* A resumed run replaces the rows after its first iteration, so one row
   * per iteration is left; the newest run wins should there be more. */
  stmt = _lk_project_prepare (project,
                              "SELECT iteration, elapsed, loss_a, loss_b FROM losses "
                              "ORDER BY iteration, run_id",
                              error);
  if (stmt == NULL)
    {
      _lk_project_unlock (project);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LkLossPoint p = {
        .iteration = sqlite3_column_int64 (stmt, 0),
        .elapsed = sqlite3_column_double (stmt, 1),
        .loss_a = (float) sqlite3_column_double (stmt, 2),
        .loss_b = (float) sqlite3_column_double (stmt, 3),
      };

      if (points->len > 0 &&
          g_array_index (points, LkLossPoint, points->len - 1).iteration == p.iteration)
        g_array_index (points, LkLossPoint, points->len - 1) = p;
      else
        g_array_append_val (points, p);
    }
  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error (project, error, "reading the loss history");
      _lk_project_unlock (project);
      return NULL;
    }
  _lk_project_unlock (project);

  return g_steal_pointer (&points);
}
