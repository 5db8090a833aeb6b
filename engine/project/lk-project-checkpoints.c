/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "lk-error.h"
#include "lk-project-checkpoints.h"
#include "lk-project-db.h"

void
lk_checkpoint_file_free (LkCheckpointFile *file)
{
  if (file == NULL)
    return;

  g_free (file->path);
  g_free (file);
}

void
lk_checkpoint_record_free (LkCheckpointRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->path);
  g_free (record->sha256);
  g_free (record);
}

/* ---- the files of model/ ---------------------------------------------------- */

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const LkCheckpointFile *x = *(LkCheckpointFile **) a;
  const LkCheckpointFile *y = *(LkCheckpointFile **) b;

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

char *
lk_project_checkpoint_path (LkProject *self,
                            gint64     iteration)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  name = g_strdup_printf ("ckpt-%" G_GINT64_FORMAT ".safetensors", iteration);

  return g_build_filename (lk_project_get_model_dir (self), name, NULL);
}

GPtrArray *
lk_project_list_checkpoint_files (LkProject *self)
{
  GPtrArray *files;
  g_autoptr(GDir) dir = NULL;
  const char *model_dir;
  const char *name;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  files = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_checkpoint_file_free);
  model_dir = lk_project_get_model_dir (self);
  dir = g_dir_open (model_dir, 0, NULL);
  if (dir == NULL)
    return files;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      gint64 iteration = parse_checkpoint_name (name);
      LkCheckpointFile *file;

      if (iteration < 0)
        continue;
      file = g_new0 (LkCheckpointFile, 1);
      file->iteration = iteration;
      file->path = g_build_filename (model_dir, name, NULL);
      g_ptr_array_add (files, file);
    }
  g_ptr_array_sort (files, compare_newest_first);

  return files;
}

char *
lk_project_find_newest_checkpoint (LkProject               *self,
                                   LkCheckpointUsableFunc   usable,
                                   gpointer                 user_data,
                                   gint64                  *iteration,
                                   GError                 **error)
{
  g_autoptr(GPtrArray) files = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  files = lk_project_list_checkpoint_files (self);
  for (guint i = 0; i < files->len; i++)
    {
      LkCheckpointFile *file = files->pdata[i];
      gint64 at = file->iteration;

      if (!g_file_test (file->path, G_FILE_TEST_IS_REGULAR))
        continue;
      if (usable != NULL && !usable (file->path, &at, user_data))
        continue;

      if (iteration != NULL)
        *iteration = at;
      return g_steal_pointer (&file->path);
    }

  g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
               _("The project %s has no trained model yet (no readable checkpoint in %s)"),
               lk_project_get_path (self), lk_project_get_model_dir (self));
  return NULL;
}

/* ---- the checkpoints table -------------------------------------------------- */

gboolean
lk_project_add_checkpoint (LkProject   *self,
                           gint64       run_id,
                           gint64       iteration,
                           const char  *path,
                           const char  *sha256,
                           gint64       created_at,
                           GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *rel = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  rel = _lk_project_relative_path (self, path);

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self,
                              "INSERT INTO checkpoints (run_id, iteration, file, sha256, "
                              "created_at) VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, run_id);
      sqlite3_bind_int64 (stmt, 2, iteration);
      sqlite3_bind_text (stmt, 3, rel, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, created_at);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        ok = TRUE;
      else
        _lk_project_set_error (self, error, "recording a checkpoint");
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_unlock (self);

  return ok;
}

static gboolean
update_file (LkProject   *self,
             const char  *sql,
             const char  *old_path,
             const char  *new_path,
             const char  *what,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *old_rel = _lk_project_relative_path (self, old_path);
  g_autofree char *new_rel = new_path != NULL ? _lk_project_relative_path (self, new_path) : NULL;
  gboolean ok = FALSE;

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self, sql, error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, old_rel, -1, SQLITE_TRANSIENT);
      if (new_rel != NULL)
        sqlite3_bind_text (stmt, 2, new_rel, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        ok = TRUE;
      else
        _lk_project_set_error (self, error, what);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_unlock (self);

  return ok;
}

gboolean
lk_project_forget_checkpoint (LkProject   *self,
                              const char  *path,
                              GError     **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return update_file (self, "DELETE FROM checkpoints WHERE file = ?1", path, NULL,
                      "forgetting a deleted checkpoint", error);
}

gboolean
lk_project_move_checkpoint (LkProject   *self,
                            const char  *old_path,
                            const char  *new_path,
                            GError     **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (old_path != NULL && new_path != NULL, FALSE);

  return update_file (self, "UPDATE checkpoints SET file = ?2 WHERE file = ?1", old_path,
                      new_path, "recording a moved checkpoint", error);
}

GPtrArray *
lk_project_list_checkpoints (LkProject  *self,
                             GError    **error)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  records = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_checkpoint_record_free);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT id, run_id, iteration, file, sha256, created_at "
                                 "FROM checkpoints ORDER BY iteration DESC, id DESC", error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LkCheckpointRecord *record = g_new0 (LkCheckpointRecord, 1);
      const char *file = (const char *) sqlite3_column_text (stmt, 3);

      record->id = sqlite3_column_int64 (stmt, 0);
      record->run_id = sqlite3_column_int64 (stmt, 1);
      record->iteration = sqlite3_column_int64 (stmt, 2);
      record->path = _lk_project_resolve_path (self, file != NULL ? file : "");
      record->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
      record->created_at = sqlite3_column_int64 (stmt, 5);
      g_ptr_array_add (records, record);
    }
  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "reading the checkpoints");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&records);
}
