/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-project"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "lk-error.h"
#include "lk-faces.h"
#include "lk-project-db.h"

G_DEFINE_BOXED_TYPE (LkSource, lk_source, lk_source_copy, lk_source_free)

/* Sources */

LkSource *
lk_source_copy (const LkSource *source)
{
  LkSource *copy = g_memdup2 (source, sizeof *source);

  copy->path = g_strdup (source->path);
  copy->sha256 = g_strdup (source->sha256);

  return copy;
}

void
lk_source_free (LkSource *source)
{
  if (source == NULL)
    return;

  g_free (source->path);
  g_free (source->sha256);
  g_free (source);
}

gint64
lk_project_add_source (LkProject   *self,
                       LkIdentity   identity,
                       const char  *path,
                       GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *absolute = NULL;
  GStatBuf st;
  gint64 id = -1;

  g_return_val_if_fail (LK_IS_PROJECT (self), -1);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, -1);
  g_return_val_if_fail (path != NULL, -1);

  absolute = _lk_project_absolute_path (path);
  if (g_stat (absolute, &st) != 0)
    {
      int errsv = errno;
      g_autofree char *display = g_filename_display_name (absolute);

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   "%s: %s", display, g_strerror (errsv));
      return -1;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_autofree char *display = g_filename_display_name (absolute);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   "%s: not a video or image file", display);
      return -1;
    }

  _lk_project_lock (self);

  stmt = _lk_project_prepare (self,
                              "INSERT INTO sources (identity, path, size, added_at) "
                              "VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT (identity, path) DO UPDATE SET path = path "
                              "RETURNING id", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int (stmt, 1, identity);
      sqlite3_bind_text (stmt, 2, absolute, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, st.st_size);
      sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      else
        _lk_project_set_error (self, error, "cannot add the source");
    }

  _lk_project_unlock (self);

  if (id >= 0)
    _lk_project_emit_sources_changed (self);

  return id;
}

gboolean
lk_project_remove_source (LkProject  *self,
                          gint64      source_id,
                          GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  int identity = -1;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  _lk_project_lock (self);
  /* Faces and frames go with the source (ON DELETE CASCADE); their crop
   * files stay on disk until the artist asks to delete them. */
  stmt = _lk_project_prepare (self, "DELETE FROM sources WHERE id = ? RETURNING identity", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, source_id);
      switch (sqlite3_step (stmt))
        {
        case SQLITE_ROW:
          identity = sqlite3_column_int (stmt, 0);
          ok = TRUE;
          break;

        case SQLITE_DONE:
          g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                       "The project has no source %" G_GINT64_FORMAT, source_id);
          break;

        default:
          _lk_project_set_error (self, error, "cannot remove the source");
        }
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_unlock (self);

  if (ok)
    {
      _lk_project_emit_sources_changed (self);
      _lk_project_emit_faces_changed (self, identity);
    }

  return ok;
}

GPtrArray *
lk_project_list_sources (LkProject  *self,
                         int         identity,
                         GError    **error)
{
  g_autoptr(GPtrArray) sources = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_source_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT id, identity, path, sha256, duration, fps, width, "
                                 "height, added_at FROM sources WHERE ?1 < 0 OR identity = ?1 "
                                 "ORDER BY id", error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }

  sqlite3_bind_int (stmt, 1, identity);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LkSource *source = g_new0 (LkSource, 1);

      source->id = sqlite3_column_int64 (stmt, 0);
      source->identity = sqlite3_column_int (stmt, 1);
      source->path = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      source->sha256 = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      source->duration = sqlite3_column_double (stmt, 4);
      source->fps = sqlite3_column_double (stmt, 5);
      source->width = sqlite3_column_int (stmt, 6);
      source->height = sqlite3_column_int (stmt, 7);
      source->added_at = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (sources, source);
    }

  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "cannot list the sources");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&sources);
}

/* What extraction learnt about a source */

gboolean
lk_project_update_source_info (LkProject   *self,
                               gint64       source_id,
                               const char  *sha256,
                               double       duration,
                               double       fps,
                               int          width,
                               int          height,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self,
                              "UPDATE sources SET sha256 = coalesce(?2, sha256), duration = ?3, "
                              "fps = ?4, width = ?5, height = ?6 WHERE id = ?1", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, source_id);
      if (sha256 != NULL)
        sqlite3_bind_text (stmt, 2, sha256, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double (stmt, 3, duration);
      sqlite3_bind_double (stmt, 4, fps);
      sqlite3_bind_int (stmt, 5, width);
      sqlite3_bind_int (stmt, 6, height);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
      if (!ok)
        _lk_project_set_error (self, error, "cannot update the source");
    }
  _lk_project_unlock (self);

  if (ok)
    _lk_project_emit_sources_changed (self);

  return ok;
}

gboolean
lk_project_mark_source_extracted (LkProject  *self,
                                  gint64      source_id,
                                  const char *params_json,
                                  GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  _lk_project_lock (self);
  stmt = _lk_project_prepare (self,
                              "UPDATE sources SET extracted_at = ?2, extract_params = ?3 WHERE id = ?1",
                              error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, source_id);
      sqlite3_bind_int64 (stmt, 2, g_get_real_time () / G_USEC_PER_SEC);
      sqlite3_bind_text (stmt, 3, params_json, -1, SQLITE_TRANSIENT);
      ok = sqlite3_step (stmt) == SQLITE_DONE;
      if (!ok)
        _lk_project_set_error (self, error, "cannot update the source");
    }
  _lk_project_unlock (self);

  return ok;
}

gboolean
lk_project_source_is_extracted_with (LkProject  *self,
                                     gint64      source_id,
                                     const char *params_json)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean done = FALSE;
  sqlite3 *db;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT extracted_at IS NOT NULL AND extract_params = ? "
                                 "FROM sources WHERE id = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, params_json, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 2, source_id);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        done = sqlite3_column_int (stmt, 0) != 0;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return done;
}
