/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train"

#include "config.h"

#include "lk-train-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk-error.h"
#include "lk-faces.h"
#include "lk-geometry.h"
#include "lk-image-io.h"
#include "lk-warp.h"

/* ---- Masks --------------------------------------------------------------- */

/* Landmarks @first..@last as a polygon grown by @grow about its centroid. */
static void
fill_feature (LkImage      *mask,
              const double *landmarks,
              int           first,
              int           last,
              double        grow)
{
  LkPoint poly[20];
  double cx = 0, cy = 0;
  int n = last - first + 1;

  g_assert (n <= 20);
  for (int i = 0; i < n; i++)
    {
      cx += landmarks[2 * (first + i)] / n;
      cy += landmarks[2 * (first + i) + 1] / n;
    }
  for (int i = 0; i < n; i++)
    {
      poly[i].x = cx + grow * (landmarks[2 * (first + i)] - cx);
      poly[i].y = cy + grow * (landmarks[2 * (first + i) + 1] - cy);
    }
  lk_polygon_fill (mask, poly, n, LK_POLYGON_EVEN_ODD, 255);
}

void
_lk_train_landmark_masks (const double *landmarks,
                          LkImage      *face_mask,
                          LkImage      *feature_mask)
{
  LkPoint points[LK_N_LANDMARKS], hull[LK_N_LANDMARKS + 1];
  int n;

  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      points[i].x = landmarks[2 * i];
      points[i].y = landmarks[2 * i + 1];
    }
  lk_image_fill (face_mask, 0);
  n = lk_convex_hull (points, LK_N_LANDMARKS, hull);
  lk_polygon_fill (face_mask, hull, n, LK_POLYGON_EVEN_ODD, 255);

  /* 68-point layout: eyes 36-41 and 42-47, outer lips 48-59. The polygons
   * are grown so that the lids and the lips' edges are inside. */
  lk_image_fill (feature_mask, 0);
  fill_feature (feature_mask, landmarks, 36, 41, 1.6);
  fill_feature (feature_mask, landmarks, 42, 47, 1.6);
  fill_feature (feature_mask, landmarks, 48, 59, 1.2);
}

/* ---- The face set -------------------------------------------------------- */

void
_lk_train_face_set_free (LkTrainFaceSet *set)
{
  if (set == NULL)
    return;
  g_free (set->images);
  g_free (set->face_masks);
  g_free (set->feature_masks);
  g_free (set->face_ids);
  g_free (set);
}

LkTrainFaceSet *
_lk_train_face_set_load (LkProject     *project,
                         LkIdentity     identity,
                         int            size,
                         int            min_faces,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(LkTrainFaceSet) set = NULL;
  gsize plane = (gsize) size * size;

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_INCLUDED, NULL, "id", FALSE,
                                 error);
  if (faces == NULL)
    return NULL;

  if ((int) faces->len < min_faces)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NO_FACE,
                   ngettext ("Identity %s has %u included face; at least %d are needed to train",
                             "Identity %s has %u included faces; at least %d are needed to train",
                             faces->len),
                   lk_identity_to_string (identity), faces->len, min_faces);
      return NULL;
    }

  set = g_new0 (LkTrainFaceSet, 1);
  set->identity = identity;
  set->size = size;
  set->n = (int) faces->len;
  set->images = g_malloc (plane * 3 * set->n);
  set->face_masks = g_malloc (plane * set->n);
  set->feature_masks = g_malloc (plane * set->n);
  set->face_ids = g_new (gint64, set->n);

  for (int i = 0; i < set->n; i++)
    {
      const LkFace *face = faces->pdata[i];
      g_autoptr(LkImage) crop = NULL;
      g_autoptr(LkImage) small = NULL;
      LkImage face_mask = { size, size, 1, size, set->face_masks + plane * i };
      LkImage feature_mask = { size, size, 1, size, set->feature_masks + plane * i };
      double landmarks[2 * LK_N_LANDMARKS];
      LkAffine to_face;
      double scale;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;

      crop = lk_image_load (face->file, error);
      if (crop == NULL)
        return NULL;
      small = lk_resample (crop, size, size);
      for (int y = 0; y < size; y++)
        memcpy (set->images + plane * 3 * i + (gsize) y * size * 3, lk_image_row (small, y),
                (gsize) size * 3);

      /* Landmarks: frame -> crop (the stored matrix) -> the face size. */
      memcpy (to_face.m, face->matrix, sizeof to_face.m);
      scale = (double) size / (face->crop_size > 0 ? face->crop_size : crop->width);
      for (int k = 0; k < LK_N_LANDMARKS; k++)
        {
          double x, y;

          lk_affine_apply (&to_face, face->landmarks[2 * k], face->landmarks[2 * k + 1], &x, &y);
          landmarks[2 * k] = (x + 0.5) * scale - 0.5;
          landmarks[2 * k + 1] = (y + 0.5) * scale - 0.5;
        }
      _lk_train_landmark_masks (landmarks, &face_mask, &feature_mask);
      set->face_ids[i] = face->id;
    }

  return g_steal_pointer (&set);
}
