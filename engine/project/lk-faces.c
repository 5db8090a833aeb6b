/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-faces"

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-faces.h"
#include "lk-project-db.h"

G_DEFINE_BOXED_TYPE (LkFace, lk_face, lk_face_copy, lk_face_free)

void
lk_face_metrics_init (LkFaceMetrics *metrics)
{
  metrics->sharpness = NAN;
  metrics->face_size = NAN;
  metrics->exposure = NAN;
  metrics->clipped_dark = NAN;
  metrics->clipped_bright = NAN;
  metrics->colour_cast = NAN;
  metrics->landmark_fit = NAN;
  metrics->yaw = NAN;
  metrics->pitch = NAN;
  metrics->roll = NAN;
  metrics->occlusion = NAN;
}

LkFace *
lk_face_new (void)
{
  LkFace *face = g_new0 (LkFace, 1);

  face->id = -1;
  face->dup_group = -1;
  face->included = TRUE;
  lk_face_metrics_init (&face->metrics);

  return face;
}

LkFace *
lk_face_copy (const LkFace *face)
{
  LkFace *copy = g_memdup2 (face, sizeof *face);

  copy->file = g_strdup (face->file);
  copy->exclude_reason = g_strdup (face->exclude_reason);
  if (face->descriptor != NULL)
    copy->descriptor = g_memdup2 (face->descriptor, LK_PROJECT_DESCRIPTOR_DIM * sizeof (float));

  return copy;
}

void
lk_face_free (LkFace *face)
{
  if (face == NULL)
    return;

  g_free (face->file);
  g_free (face->exclude_reason);
  g_free (face->descriptor);
  g_free (face);
}

/* Sort keys map to columns; nothing from the caller reaches SQL text. */
static const struct {
  const char *key;
  const char *order_by;
} sort_keys[] = {
  { "id", "f.id" },
  { "time", "f.source_id, fr.time, f.face_index" },
  { "sharpness", "f.sharpness" },
  { "face_size", "f.face_size" },
  { "exposure", "f.exposure" },
  { "colour_cast", "f.colour_cast" },
  { "landmark_fit", "f.landmark_fit" },
  { "occlusion", "f.occlusion" },
  { "yaw", "f.yaw" },
  { "pitch", "f.pitch" },
  { "roll", "f.roll" },
  { "faces_in_frame", "f.faces_in_frame" },
  { "dup_group", "f.dup_group" },
};

gboolean
lk_face_sort_key_is_valid (const char *sort_key)
{
  for (guint i = 0; i < G_N_ELEMENTS (sort_keys); i++)
    if (g_strcmp0 (sort_key, sort_keys[i].key) == 0)
      return TRUE;

  return FALSE;
}

#define FACE_COLUMNS \
  "f.id, f.identity, f.source_id, f.frame_id, f.face_index, fr.frame_index, fr.pts, fr.time, " \
  "f.file, f.crop_size, f.coverage, f.box_x, f.box_y, f.box_w, f.box_h, f.score, " \
  "f.landmarks, f.matrix, f.faces_in_frame, " \
  "f.sharpness, f.face_size, f.exposure, f.clipped_dark, f.clipped_bright, f.colour_cast, " \
  "f.landmark_fit, f.yaw, f.pitch, f.roll, f.occlusion, f.phash, f.dup_group, f.included, " \
  "f.exclude_reason, f.descriptor"

#define DESCRIPTOR_BYTES (LK_PROJECT_DESCRIPTOR_DIM * sizeof (float))

static double
column_double_or_nan (sqlite3_stmt *stmt,
                      int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NAN;

  return sqlite3_column_double (stmt, col);
}

static void
bind_double_or_null (sqlite3_stmt *stmt,
                     int           col,
                     double        value)
{
  if (isnan (value))
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_double (stmt, col, value);
}

static LkFace *
face_from_row (LkProject    *project,
               sqlite3_stmt *stmt)
{
  LkFace *face = lk_face_new ();
  const void *blob;
  int c = 0;

  face->id = sqlite3_column_int64 (stmt, c++);
  face->identity = sqlite3_column_int (stmt, c++);
  face->source_id = sqlite3_column_int64 (stmt, c++);
  face->frame_id = sqlite3_column_int64 (stmt, c++);
  face->face_index = sqlite3_column_int (stmt, c++);
  face->frame_index = sqlite3_column_int (stmt, c++);
  face->pts = sqlite3_column_int64 (stmt, c++);
  face->time = sqlite3_column_double (stmt, c++);
  face->file = g_build_filename (lk_project_get_path (project),
                                 (const char *) sqlite3_column_text (stmt, c++), NULL);
  face->crop_size = sqlite3_column_int (stmt, c++);
  face->coverage = sqlite3_column_double (stmt, c++);
  for (int i = 0; i < 4; i++)
    face->box[i] = sqlite3_column_double (stmt, c++);
  face->score = sqlite3_column_double (stmt, c++);

  blob = sqlite3_column_blob (stmt, c);
  if (blob != NULL && sqlite3_column_bytes (stmt, c) == sizeof face->landmarks)
    memcpy (face->landmarks, blob, sizeof face->landmarks);
  c++;
  blob = sqlite3_column_blob (stmt, c);
  if (blob != NULL && sqlite3_column_bytes (stmt, c) == sizeof face->matrix)
    memcpy (face->matrix, blob, sizeof face->matrix);
  c++;

  face->faces_in_frame = sqlite3_column_int (stmt, c++);
  face->metrics.sharpness = column_double_or_nan (stmt, c++);
  face->metrics.face_size = column_double_or_nan (stmt, c++);
  face->metrics.exposure = column_double_or_nan (stmt, c++);
  face->metrics.clipped_dark = column_double_or_nan (stmt, c++);
  face->metrics.clipped_bright = column_double_or_nan (stmt, c++);
  face->metrics.colour_cast = column_double_or_nan (stmt, c++);
  face->metrics.landmark_fit = column_double_or_nan (stmt, c++);
  face->metrics.yaw = column_double_or_nan (stmt, c++);
  face->metrics.pitch = column_double_or_nan (stmt, c++);
  face->metrics.roll = column_double_or_nan (stmt, c++);
  face->metrics.occlusion = column_double_or_nan (stmt, c++);
  face->phash = sqlite3_column_int64 (stmt, c++);
  face->dup_group = sqlite3_column_type (stmt, c) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, c);
  c++;
  face->included = sqlite3_column_int (stmt, c++) != 0;
  face->exclude_reason = g_strdup ((const char *) sqlite3_column_text (stmt, c++));
  blob = sqlite3_column_blob (stmt, c);
  if (blob != NULL && sqlite3_column_bytes (stmt, c) == DESCRIPTOR_BYTES)
    face->descriptor = g_memdup2 (blob, DESCRIPTOR_BYTES);
  c++;

  return face;
}

GPtrArray *
lk_project_list_faces (LkProject     *self,
                       int            identity,
                       LkFaceFilter   filter,
                       const char    *reason,
                       const char    *sort_key,
                       gboolean       descending,
                       GError       **error)
{
  g_autoptr(GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_face_free);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *sql = NULL;
  const char *order_by = "f.id";
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  if (sort_key != NULL)
    {
      if (!lk_face_sort_key_is_valid (sort_key))
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "Unknown sort key “%s”", sort_key);
          return NULL;
        }
      for (guint i = 0; i < G_N_ELEMENTS (sort_keys); i++)
        if (g_str_equal (sort_key, sort_keys[i].key))
          order_by = sort_keys[i].order_by;
    }

  /* NULL metrics sort last either way; ties keep extraction order. Each
   * column of a multi-column key gets the direction. */
  {
    g_auto(GStrv) columns = g_strsplit (order_by, ", ", -1);
    g_autoptr(GString) order = g_string_new (NULL);
    const char *dir = descending ? "DESC" : "ASC";

    for (guint i = 0; columns[i] != NULL; i++)
      g_string_append_printf (order, "%s(%s) IS NULL, %s %s", i > 0 ? ", " : "",
                              columns[i], columns[i], dir);

    sql = g_strdup_printf ("SELECT " FACE_COLUMNS " FROM faces f JOIN frames fr ON fr.id = f.frame_id "
                           "WHERE (?1 < 0 OR f.identity = ?1) "
                           "AND (?2 = 0 OR (?2 = 1 AND f.included = 1) OR (?2 = 2 AND f.included = 0)) "
                           "AND (?3 IS NULL OR f.exclude_reason = ?3) "
                           "ORDER BY %s, f.id %s", order->str, dir);
  }

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db, sql, error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }

  sqlite3_bind_int (stmt, 1, identity);
  sqlite3_bind_int (stmt, 2, filter);
  if (reason != NULL)
    sqlite3_bind_text (stmt, 3, reason, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (faces, face_from_row (self, stmt));

  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "cannot list the faces");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&faces);
}

LkFace *
lk_project_get_face (LkProject  *self,
                     gint64      face_id,
                     GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  LkFace *face = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db, "SELECT " FACE_COLUMNS " FROM faces f "
                                 "JOIN frames fr ON fr.id = f.frame_id WHERE f.id = ?", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, face_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        face = face_from_row (self, stmt);
      else if (rc == SQLITE_DONE)
        g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                     "The project has no face %" G_GINT64_FORMAT, face_id);
      else
        _lk_project_set_error_on (self, db, error, "cannot read the face");
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return face;
}

/* Runs @sql once per id with ?1 bound to the id and ?2.. bound by @bind, in
 * one transaction; collects the identities touched. */
typedef void (*BindFunc) (sqlite3_stmt *stmt, guint i, gpointer data);

static gboolean
update_faces (LkProject    *self,
              const char   *sql,
              const gint64 *face_ids,
              guint         n_faces,
              BindFunc      bind,
              gpointer      data,
              const char   *what,
              GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean touched[2] = { FALSE, FALSE };
  gboolean ok = FALSE;

  _lk_project_lock (self);

  if (!_lk_project_begin (self, error))
    goto out;

  stmt = _lk_project_prepare (self, sql, error);
  if (stmt == NULL)
    {
      _lk_project_rollback (self);
      goto out;
    }

  for (guint i = 0; i < n_faces; i++)
    {
      int rc;

      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      sqlite3_bind_int64 (stmt, 1, face_ids[i]);
      if (bind != NULL)
        bind (stmt, i, data);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          int identity = sqlite3_column_int (stmt, 0);

          if (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B)
            touched[identity] = TRUE;
          rc = sqlite3_step (stmt);
        }
      if (rc != SQLITE_DONE)
        {
          _lk_project_set_error (self, error, what);
          _lk_project_rollback (self);
          goto out;
        }
    }

  g_clear_pointer (&stmt, sqlite3_finalize);
  ok = _lk_project_commit (self, error);

out:
  _lk_project_unlock (self);

  if (ok)
    for (int id = 0; id < 2; id++)
      if (touched[id])
        _lk_project_emit_faces_changed (self, id);

  return ok;
}

typedef struct
{
  gboolean    included;
  const char *reason;
} IncludeData;

static void
bind_include (sqlite3_stmt *stmt,
              guint         i,
              gpointer      data)
{
  IncludeData *d = data;

  sqlite3_bind_int (stmt, 2, d->included ? 1 : 0);
  if (!d->included)
    sqlite3_bind_text (stmt, 3, d->reason != NULL ? d->reason : "manual", -1, SQLITE_STATIC);
}

gboolean
lk_project_set_faces_included (LkProject    *self,
                               const gint64 *face_ids,
                               guint         n_faces,
                               gboolean      included,
                               const char   *reason,
                               GError      **error)
{
  IncludeData data = { included, reason };

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (face_ids != NULL || n_faces == 0, FALSE);

  return update_faces (self,
                       "UPDATE faces SET included = ?2, exclude_reason = ?3 WHERE id = ?1 "
                       "RETURNING identity",
                       face_ids, n_faces, bind_include, &data,
                       "cannot change which faces are included", error);
}

typedef struct
{
  const gboolean     *included;
  const char * const *reasons;
} StateData;

static void
bind_state (sqlite3_stmt *stmt,
            guint         i,
            gpointer      data)
{
  StateData *d = data;

  sqlite3_bind_int (stmt, 2, d->included[i] ? 1 : 0);
  if (d->reasons != NULL && d->reasons[i] != NULL)
    sqlite3_bind_text (stmt, 3, d->reasons[i], -1, SQLITE_STATIC);
}

gboolean
lk_project_set_faces_state (LkProject          *self,
                            const gint64       *face_ids,
                            const gboolean     *included,
                            const char * const *reasons,
                            guint               n_faces,
                            GError            **error)
{
  StateData data = { included, reasons };

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (included != NULL || n_faces == 0, FALSE);

  return update_faces (self,
                       "UPDATE faces SET included = ?2, exclude_reason = ?3 WHERE id = ?1 "
                       "RETURNING identity",
                       face_ids, n_faces, bind_state, &data,
                       "cannot change which faces are included", error);
}

static void
bind_metrics (sqlite3_stmt *stmt,
              guint         i,
              gpointer      data)
{
  const LkFaceMetrics *m = &((const LkFaceMetrics *) data)[i];

  bind_double_or_null (stmt, 2, m->sharpness);
  bind_double_or_null (stmt, 3, m->face_size);
  bind_double_or_null (stmt, 4, m->exposure);
  bind_double_or_null (stmt, 5, m->clipped_dark);
  bind_double_or_null (stmt, 6, m->clipped_bright);
  bind_double_or_null (stmt, 7, m->colour_cast);
  bind_double_or_null (stmt, 8, m->landmark_fit);
  bind_double_or_null (stmt, 9, m->yaw);
  bind_double_or_null (stmt, 10, m->pitch);
  bind_double_or_null (stmt, 11, m->roll);
  bind_double_or_null (stmt, 12, m->occlusion);
}

gboolean
lk_project_store_metrics (LkProject           *self,
                          const gint64        *face_ids,
                          const LkFaceMetrics *metrics,
                          guint                n_faces,
                          GError             **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  return update_faces (self,
                       "UPDATE faces SET sharpness = ?2, face_size = ?3, exposure = ?4, "
                       "clipped_dark = ?5, clipped_bright = ?6, colour_cast = ?7, "
                       "landmark_fit = ?8, yaw = ?9, pitch = ?10, roll = ?11, occlusion = ?12 "
                       "WHERE id = ?1 "
                       "RETURNING identity",
                       face_ids, n_faces, bind_metrics, (gpointer) metrics,
                       "cannot store face metrics", error);
}

static void
bind_descriptor (sqlite3_stmt *stmt,
                 guint         i,
                 gpointer      data)
{
  const float *descriptors = data;

  sqlite3_bind_blob (stmt, 2, descriptors + (gsize) i * LK_PROJECT_DESCRIPTOR_DIM,
                     DESCRIPTOR_BYTES, SQLITE_STATIC);
}

gboolean
lk_project_set_face_descriptors (LkProject    *self,
                                 const gint64 *face_ids,
                                 const float  *descriptors,
                                 guint         n_faces,
                                 GError      **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (n_faces == 0 || (face_ids != NULL && descriptors != NULL), FALSE);

  return update_faces (self, "UPDATE faces SET descriptor = ?2 WHERE id = ?1 RETURNING identity",
                       face_ids, n_faces, bind_descriptor, (gpointer) descriptors,
                       "cannot store face descriptors", error);
}

gboolean
lk_project_get_face_descriptor (LkProject  *self,
                                gint64      face_id,
                                float       out[LK_PROJECT_DESCRIPTOR_DIM],
                                GError    **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db, "SELECT descriptor FROM faces WHERE id = ?", error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, face_id);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW && sqlite3_column_bytes (stmt, 0) == DESCRIPTOR_BYTES)
        {
          memcpy (out, sqlite3_column_blob (stmt, 0), DESCRIPTOR_BYTES);
          ok = TRUE;
        }
      else if (rc == SQLITE_ROW)
        g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                     "Face %" G_GINT64_FORMAT " has no identity descriptor yet", face_id);
      else if (rc == SQLITE_DONE)
        g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                     "The project has no face %" G_GINT64_FORMAT, face_id);
      else
        _lk_project_set_error_on (self, db, error, "cannot read the face descriptor");
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return ok;
}

GArray *
lk_project_list_faces_without_descriptor (LkProject  *self,
                                          int         identity,
                                          GError    **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT id FROM faces WHERE (?1 < 0 OR identity = ?1) "
                                 "AND descriptor IS NULL ORDER BY id", error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  sqlite3_bind_int (stmt, 1, identity);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "cannot list the faces");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&ids);
}

typedef struct
{
  const gint64 *phashes;
  const gint64 *groups;
} DupData;

static void
bind_dups (sqlite3_stmt *stmt,
           guint         i,
           gpointer      data)
{
  DupData *d = data;

  sqlite3_bind_int64 (stmt, 2, d->phashes[i]);
  if (d->groups[i] >= 0)
    sqlite3_bind_int64 (stmt, 3, d->groups[i]);
}

gboolean
lk_project_store_duplicates (LkProject    *self,
                             const gint64 *face_ids,
                             const gint64 *phashes,
                             const gint64 *groups,
                             guint         n_faces,
                             GError      **error)
{
  DupData data = { phashes, groups };

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  return update_faces (self,
                       "UPDATE faces SET phash = ?2, dup_group = ?3 WHERE id = ?1 RETURNING identity",
                       face_ids, n_faces, bind_dups, &data,
                       "cannot store duplicate groups", error);
}

gboolean
lk_project_delete_faces (LkProject    *self,
                         const gint64 *face_ids,
                         guint         n_faces,
                         GError      **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  for (guint i = 0; i < n_faces; i++)
    {
      g_autoptr(LkFace) face = lk_project_get_face (self, face_ids[i], NULL);

      if (face != NULL)
        g_ptr_array_add (files, g_strdup (face->file));
    }

  if (!update_faces (self, "DELETE FROM faces WHERE id = ?1 RETURNING identity",
                     face_ids, n_faces, NULL, NULL, "cannot delete faces", error))
    return FALSE;

  /* Files go only after the rows are gone, so a failure in between leaves
   * stray files, never rows without files. */
  for (guint i = 0; i < files->len; i++)
    g_remove (files->pdata[i]);

  return TRUE;
}

GHashTable *
lk_project_get_processed_frames (LkProject  *self,
                                 gint64      source_id,
                                 GError    **error)
{
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  sqlite3 *db;
  int rc;

  g_return_val_if_fail (LK_IS_PROJECT (self), NULL);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db, "SELECT pts FROM frames WHERE source_id = ?", error);
  if (stmt == NULL)
    {
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, source_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 pts = sqlite3_column_int64 (stmt, 0);

      g_hash_table_add (set, g_memdup2 (&pts, sizeof pts));
    }
  if (rc != SQLITE_DONE)
    {
      _lk_project_set_error_on (self, db, error, "cannot read the frames already extracted");
      g_clear_pointer (&stmt, sqlite3_finalize);
      _lk_project_read_unlock (self, db);
      return NULL;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return g_steal_pointer (&set);
}

char *
lk_project_face_file_name (LkProject  *self,
                           LkIdentity  identity,
                           gint64      source_id,
                           gint64      pts,
                           int         face_index)
{
  char name[96];

  g_snprintf (name, sizeof name, "%" G_GINT64_FORMAT "-%012" G_GINT64_FORMAT "-%d.png",
              source_id, pts, face_index);

  return g_build_filename ("faces", lk_identity_to_string (identity), name, NULL);
}

gint64
lk_project_store_frame (LkProject  *self,
                        gint64      source_id,
                        int         frame_index,
                        gint64      pts,
                        double      time,
                        LkFace    **faces,
                        guint       n_faces,
                        GError    **error)
{
  g_autoptr(sqlite3_stmt) frame_stmt = NULL;
  g_autoptr(sqlite3_stmt) face_stmt = NULL;
  gboolean touched[2] = { FALSE, FALSE };
  gint64 frame_id = -1;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_return_val_if_fail (LK_IS_PROJECT (self), -1);

  _lk_project_lock (self);

  if (!_lk_project_begin (self, error))
    goto out;

  frame_stmt = _lk_project_prepare (self,
                                    "INSERT INTO frames (source_id, frame_index, pts, time, face_count) "
                                    "VALUES (?, ?, ?, ?, ?) RETURNING id", error);
  if (frame_stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (frame_stmt, 1, source_id);
  sqlite3_bind_int (frame_stmt, 2, frame_index);
  sqlite3_bind_int64 (frame_stmt, 3, pts);
  sqlite3_bind_double (frame_stmt, 4, time);
  sqlite3_bind_int (frame_stmt, 5, n_faces);
  if (sqlite3_step (frame_stmt) != SQLITE_ROW)
    {
      _lk_project_set_error (self, error, "cannot store the frame");
      goto fail;
    }
  frame_id = sqlite3_column_int64 (frame_stmt, 0);

  face_stmt = _lk_project_prepare (self,
                                   "INSERT INTO faces (identity, source_id, frame_id, face_index, file, "
                                   "crop_size, coverage, box_x, box_y, box_w, box_h, score, landmarks, "
                                   "matrix, faces_in_frame, face_size, landmark_fit, yaw, pitch, roll, "
                                   "created_at, descriptor) "
                                   "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) RETURNING id",
                                   error);
  if (face_stmt == NULL)
    goto fail;

  for (guint i = 0; i < n_faces; i++)
    {
      LkFace *face = faces[i];
      /* Stored relative to the project, so a moved project keeps working. */
      g_autofree char *file = _lk_project_relative_path (self, face->file);
      int c = 1;

      sqlite3_reset (face_stmt);
      sqlite3_bind_int (face_stmt, c++, face->identity);
      sqlite3_bind_int64 (face_stmt, c++, source_id);
      sqlite3_bind_int64 (face_stmt, c++, frame_id);
      sqlite3_bind_int (face_stmt, c++, face->face_index);
      sqlite3_bind_text (face_stmt, c++, file, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (face_stmt, c++, face->crop_size);
      sqlite3_bind_double (face_stmt, c++, face->coverage);
      for (int k = 0; k < 4; k++)
        sqlite3_bind_double (face_stmt, c++, face->box[k]);
      sqlite3_bind_double (face_stmt, c++, face->score);
      sqlite3_bind_blob (face_stmt, c++, face->landmarks, sizeof face->landmarks, SQLITE_TRANSIENT);
      sqlite3_bind_blob (face_stmt, c++, face->matrix, sizeof face->matrix, SQLITE_TRANSIENT);
      sqlite3_bind_int (face_stmt, c++, n_faces);
      bind_double_or_null (face_stmt, c++, face->metrics.face_size);
      bind_double_or_null (face_stmt, c++, face->metrics.landmark_fit);
      bind_double_or_null (face_stmt, c++, face->metrics.yaw);
      bind_double_or_null (face_stmt, c++, face->metrics.pitch);
      bind_double_or_null (face_stmt, c++, face->metrics.roll);
      sqlite3_bind_int64 (face_stmt, c++, now);
      if (face->descriptor != NULL)
        sqlite3_bind_blob (face_stmt, c, face->descriptor, DESCRIPTOR_BYTES, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (face_stmt, c);
      c++;
      if (sqlite3_step (face_stmt) != SQLITE_ROW)
        {
          _lk_project_set_error (self, error, "cannot store the face");
          goto fail;
        }
      face->id = sqlite3_column_int64 (face_stmt, 0);
      face->frame_id = frame_id;
      face->faces_in_frame = n_faces;
      sqlite3_reset (face_stmt);
      if (face->identity == LK_IDENTITY_A || face->identity == LK_IDENTITY_B)
        touched[face->identity] = TRUE;
    }

  g_clear_pointer (&frame_stmt, sqlite3_finalize);
  g_clear_pointer (&face_stmt, sqlite3_finalize);
  if (!_lk_project_commit (self, error))
    {
      frame_id = -1;
      goto out;
    }
  goto out;

fail:
  g_clear_pointer (&frame_stmt, sqlite3_finalize);
  g_clear_pointer (&face_stmt, sqlite3_finalize);
  _lk_project_rollback (self);
  frame_id = -1;

out:
  _lk_project_unlock (self);

  for (int id = 0; id < 2; id++)
    if (frame_id >= 0 && touched[id])
      _lk_project_emit_faces_changed (self, id);

  return frame_id;
}

/* Taking back an extraction */

gboolean
lk_project_discard_frames (LkProject    *self,
                           gint64        source_id,
                           const gint64 *frame_ids,
                           guint         n_frames,
                           gboolean      remove_source,
                           GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int identity = -1;
  gboolean ok = FALSE;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (n_frames == 0 || frame_ids != NULL, FALSE);

  _lk_project_lock (self);
  if (!_lk_project_begin (self, error))
    goto out;

  stmt = _lk_project_prepare (self, "SELECT identity FROM sources WHERE id = ?", error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_int64 (stmt, 1, source_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    identity = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, sqlite3_finalize);

  stmt = _lk_project_prepare (self, "DELETE FROM frames WHERE id = ?", error);
  if (stmt == NULL)
    goto rollback;
  for (guint i = 0; i < n_frames; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, frame_ids[i]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto db_error;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (remove_source)
    {
      stmt = _lk_project_prepare (self, "DELETE FROM sources WHERE id = ?", error);
      if (stmt == NULL)
        goto rollback;
      sqlite3_bind_int64 (stmt, 1, source_id);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        goto db_error;
      g_clear_pointer (&stmt, sqlite3_finalize);
    }

  ok = _lk_project_commit (self, error);
  goto out;

db_error:
  _lk_project_set_error (self, error, "cannot take back the extraction");
rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_rollback (self);
out:
  _lk_project_unlock (self);

  if (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B)
    _lk_project_emit_faces_changed (self, identity);
  if (remove_source)
    _lk_project_emit_sources_changed (self);

  return ok;
}

/* Extraction geometry */

static gboolean
most_common (LkProject   *self,
             sqlite3     *db,
             const char  *sql,
             double      *value,
             GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = _lk_project_prepare_on (self, db, sql, error);

  *value = 0;
  if (stmt == NULL)
    return FALSE;
  switch (sqlite3_step (stmt))
    {
    case SQLITE_ROW:
      *value = sqlite3_column_double (stmt, 0);
      return TRUE;

    case SQLITE_DONE:
      return TRUE;

    default:
      _lk_project_set_error_on (self, db, error, "cannot read the faces");
      return FALSE;
    }
}

gboolean
lk_project_get_face_geometry (LkProject  *self,
                              int        *crop_size,
                              double     *coverage,
                              GError    **error)
{
  double size = 0, cov = 0;
  sqlite3 *db;
  gboolean ok;

  g_return_val_if_fail (LK_IS_PROJECT (self), FALSE);

  db = _lk_project_read_lock (self);
  ok = most_common (self, db, "SELECT crop_size, COUNT(*) AS n FROM faces "
                              "GROUP BY crop_size ORDER BY n DESC LIMIT 1", &size, error) &&
       most_common (self, db, "SELECT coverage, COUNT(*) AS n FROM faces "
                              "GROUP BY coverage ORDER BY n DESC LIMIT 1", &cov, error);
  _lk_project_read_unlock (self, db);

  if (crop_size != NULL)
    *crop_size = (int) size;
  if (coverage != NULL)
    *coverage = cov;

  return ok;
}

/* Counting */

guint
lk_project_count_faces (LkProject  *self,
                        LkIdentity  identity,
                        gboolean    included_only)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint count = 0;
  sqlite3 *db;

  g_return_val_if_fail (LK_IS_PROJECT (self), 0);

  db = _lk_project_read_lock (self);
  stmt = _lk_project_prepare_on (self, db,
                                 "SELECT count(*) FROM faces WHERE identity = ?1 "
                                 "AND (?2 = 0 OR included = 1)", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_int (stmt, 1, identity);
      sqlite3_bind_int (stmt, 2, included_only ? 1 : 0);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  _lk_project_read_unlock (self, db);

  return count;
}
