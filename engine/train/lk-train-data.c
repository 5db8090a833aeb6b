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
#include "lk-image-io.h"
#include "lk-warp.h"

/* ---- Polygons ------------------------------------------------------------ */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
_lk_train_fill_polygon (LkImage      *mask,
                        const double *xy,
                        int           n,
                        guint8        value)
{
  g_autofree double *xs = NULL;
  double ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;

  g_return_if_fail (mask != NULL && mask->channels == 1);
  if (n < 3)
    return;

  for (int i = 0; i < n; i++)
    {
      ymin = MIN (ymin, xy[2 * i + 1]);
      ymax = MAX (ymax, xy[2 * i + 1]);
    }
  xs = g_new (double, n);

  /* Rows whose centre (integer y) lies inside; an edge covers [y0, y1). */
  for (int y = MAX (0, (int) ceil (ymin)); y <= MIN (mask->height - 1, (int) floor (ymax)); y++)
    {
      int k = 0;

      for (int i = 0; i < n; i++)
        {
          double x0 = xy[2 * i], y0 = xy[2 * i + 1];
          double x1 = xy[2 * ((i + 1) % n)], y1 = xy[2 * ((i + 1) % n) + 1];

          if ((y0 <= y && y < y1) || (y1 <= y && y < y0))
            xs[k++] = x0 + (y - y0) * (x1 - x0) / (y1 - y0);
        }
      qsort (xs, k, sizeof (double), compare_doubles);

      for (int j = 0; j + 1 < k; j += 2)
        {
          int xa = MAX (0, (int) ceil (xs[j]));
          int xb = MIN (mask->width - 1, (int) ceil (xs[j + 1]) - 1);

          if (xb >= xa)
            memset (lk_image_pixel (mask, xa, y), value, (gsize) (xb - xa + 1));
        }
    }
}

static double
cross (const double *o,
       const double *a,
       const double *b)
{
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

static int
compare_points (const void *a,
                const void *b)
{
  const double *p = a, *q = b;

  if (p[0] != q[0])
    return (p[0] > q[0]) - (p[0] < q[0]);
  return (p[1] > q[1]) - (p[1] < q[1]);
}

/* Andrew's monotone chain; @hull has room for n + 1 points; returns the count. */
static int
convex_hull (const double *points,
             int           n,
             double       *hull)
{
  g_autofree double *p = g_memdup2 (points, sizeof (double) * 2 * n);
  int k = 0;

  qsort (p, n, 2 * sizeof (double), compare_points);
  for (int i = 0; i < n; i++)
    {
      while (k >= 2 && cross (&hull[2 * (k - 2)], &hull[2 * (k - 1)], &p[2 * i]) <= 0)
        k--;
      hull[2 * k] = p[2 * i];
      hull[2 * k + 1] = p[2 * i + 1];
      k++;
    }
  for (int i = n - 2, t = k + 1; i >= 0; i--)
    {
      while (k >= t && cross (&hull[2 * (k - 2)], &hull[2 * (k - 1)], &p[2 * i]) <= 0)
        k--;
      hull[2 * k] = p[2 * i];
      hull[2 * k + 1] = p[2 * i + 1];
      k++;
    }

  return k - 1;
}

/* Landmarks @first..@last as a polygon grown by @grow about its centroid. */
static void
fill_feature (LkImage      *mask,
              const double *landmarks,
              int           first,
              int           last,
              double        grow)
{
  double poly[2 * 20], cx = 0, cy = 0;
  int n = last - first + 1;

  g_assert (n <= 20);
  for (int i = 0; i < n; i++)
    {
      cx += landmarks[2 * (first + i)] / n;
      cy += landmarks[2 * (first + i) + 1] / n;
    }
  for (int i = 0; i < n; i++)
    {
      poly[2 * i] = cx + grow * (landmarks[2 * (first + i)] - cx);
      poly[2 * i + 1] = cy + grow * (landmarks[2 * (first + i) + 1] - cy);
    }
  _lk_train_fill_polygon (mask, poly, n, 255);
}

void
_lk_train_landmark_masks (const double *landmarks,
                          LkImage      *face_mask,
                          LkImage      *feature_mask)
{
  double hull[2 * (LK_N_LANDMARKS + 1)];
  int n;

  lk_image_fill (face_mask, 0);
  n = convex_hull (landmarks, LK_N_LANDMARKS, hull);
  _lk_train_fill_polygon (face_mask, hull, n, 255);

  /* 68-point layout: eyes 36-41 and 42-47, outer lips 48-59. The polygons
   * are grown so that the lids and the lips' edges are inside. */
  lk_image_fill (feature_mask, 0);
  fill_feature (feature_mask, landmarks, 36, 41, 1.6);
  fill_feature (feature_mask, landmarks, 42, 47, 1.6);
  fill_feature (feature_mask, landmarks, 48, 59, 1.2);
}

/* ---- Resizing ------------------------------------------------------------ */

LkImage *
_lk_train_resize (const LkImage *src,
                  int            size)
{
  LkImage *dst = lk_image_new (size, size, src->channels);

  if (src->width == src->height && src->width % size == 0)
    {
      int f = src->width / size, c = src->channels;

      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
          for (int ch = 0; ch < c; ch++)
            {
              guint sum = 0;

              for (int j = 0; j < f; j++)
                {
                  const guint8 *row = lk_image_pixel (src, x * f, y * f + j);

                  for (int i = 0; i < f; i++)
                    sum += row[i * c + ch];
                }
              lk_image_pixel (dst, x, y)[ch] = (guint8) ((sum + f * f / 2) / (f * f));
            }
    }
  else
    {
      LkAffine m = { { (double) size / src->width, 0, 0.5 * size / src->width - 0.5,
                       0, (double) size / src->height, 0.5 * size / src->height - 0.5 } };

      lk_warp_affine (src, dst, &m, LK_WARP_BORDER_REPLICATE, 0);
    }

  return dst;
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
      small = _lk_train_resize (crop, size);
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
