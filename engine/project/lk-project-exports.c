/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include "lk-error.h"
#include "lk-project-db.h"
#include "lk-project-exports.h"

void
lk_export_record_free (LkExportRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->target);
  g_free (record->output);
  g_free (record->direction);
  g_free (record->settings);
  g_free (record->checkpoint_sha256);
  g_free (record->output_sha256);
  g_free (record->status);
  g_free (record);
}

gint64
lk_project_begin_export (LkProject   *self,
                         const char  *target,
                         const char  *output,
                         const char  *direction,
                         const char  *settings_json,
                         const char  *checkpoint_sha256,
                         GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gint64 id = -1;

  g_return_val_if_fail (LK_IS_PROJECT (self), -1);

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self, "INSERT INTO exports (target, output, direction, settings, "
                                    "checkpoint_sha256, started_at, status) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running')", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, target, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, output, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, direction, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, settings_json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, checkpoint_sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 6, g_get_real_time () / G_USEC_PER_SEC);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        id = sqlite3_last_insert_rowid (_lk_project_get_db (self));
      else
        _lk_project_set_error (self, error, "recording an export");
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_unlock (self);

  return id;
}

gboolean
lk_project_end_export (LkProject   *self,
                       gint64       export_id,
                       const char  *status,
                       const char  *output_sha256,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (status != NULL, FALSE);

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self, "UPDATE exports SET status = ?2, output_sha256 = ?3, "
                                    "finished_at = ?4 WHERE id = ?1", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, export_id);
      sqlite3_bind_text (stmt, 2, status, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 3, output_sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
      if (sqlite3_step (stmt) == SQLITE_DONE)
        ok = TRUE;
      else
        _lk_project_set_error (self, error, "recording an export");
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_unlock (self);

  return ok;
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

LkExportRecord *
lk_project_get_export (LkProject   *self,
                       gint64       export_id,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LkExportRecord *record = NULL;
  sqlite3 *db;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db, "SELECT id, target, output, direction, settings, "
                                           "checkpoint_sha256, output_sha256, started_at, "
                                           "finished_at, status FROM exports WHERE id = ?1",
                                 error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, export_id);
      switch (sqlite3_step (stmt))
        {
        case SQLITE_ROW:
          record = g_new0 (LkExportRecord, 1);
          record->id = sqlite3_column_int64 (stmt, 0);
          record->target = column_dup (stmt, 1);
          record->output = column_dup (stmt, 2);
          record->direction = column_dup (stmt, 3);
          record->settings = column_dup (stmt, 4);
          record->checkpoint_sha256 = column_dup (stmt, 5);
          record->output_sha256 = column_dup (stmt, 6);
          record->started_at = sqlite3_column_int64 (stmt, 7);
          record->finished_at = sqlite3_column_int64 (stmt, 8);
          record->status = column_dup (stmt, 9);
          break;

        case SQLITE_DONE:
          g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                       "The project has no export %" G_GINT64_FORMAT, export_id);
          break;

        default:
          _lk_project_set_error_on (self, db, error, "reading an export");
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return record;
}
