/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include "lk-duplicates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk-align.h"
#include "lk-curate-private.h"
#include "lk-faces.h"

#define HASH_GRID 32
#define HASH_LOW  8

/* cos ((2x + 1) u pi / 64) for the 8 lowest frequencies u. */
static const double *
dct_table (void)
{
  static double table[HASH_LOW][HASH_GRID];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int u = 0; u < HASH_LOW; u++)
        for (int x = 0; x < HASH_GRID; x++)
          table[u][x] = cos ((2 * x + 1) * u * G_PI / (2.0 * HASH_GRID));
      g_once_init_leave (&initialised, 1);
    }

  return &table[0][0];
}

guint64
lk_curate_phash (const LkImage *image)
{
  const double *c = dct_table ();
  double grid[HASH_GRID][HASH_GRID], rows[HASH_LOW][HASH_GRID], coef[HASH_LOW * HASH_LOW];
  double sorted[HASH_LOW * HASH_LOW], median;
  guint64 hash = 0;

  g_return_val_if_fail (image != NULL && image->width >= 8 && image->height >= 8, 0);
  g_return_val_if_fail (image->channels == 1 || image->channels == 3 || image->channels == 4, 0);

  /* Area average of the grey picture onto 32x32: each source pixel goes to
   * the cell its centre falls in. */
  {
    double sum[HASH_GRID][HASH_GRID] = { { 0 } };
    int count[HASH_GRID][HASH_GRID] = { { 0 } };

    for (int y = 0; y < image->height; y++)
      {
        const guint8 *p = lk_image_row (image, y);
        int gy = y * HASH_GRID / image->height;

        for (int x = 0; x < image->width; x++, p += image->channels)
          {
            int gx = x * HASH_GRID / image->width;
            int l = image->channels == 1 ? p[0] : (77 * p[0] + 150 * p[1] + 29 * p[2] + 128) >> 8;

            sum[gy][gx] += l;
            count[gy][gx]++;
          }
      }
    for (int y = 0; y < HASH_GRID; y++)
      for (int x = 0; x < HASH_GRID; x++)
        grid[y][x] = count[y][x] > 0 ? sum[y][x] / count[y][x] : 0;
  }

  /* Separable DCT-II, only the low 8x8. */
  for (int v = 0; v < HASH_LOW; v++)
    for (int x = 0; x < HASH_GRID; x++)
      {
        double s = 0;

        for (int y = 0; y < HASH_GRID; y++)
          s += c[v * HASH_GRID + y] * grid[y][x];
        rows[v][x] = s;
      }
  for (int v = 0; v < HASH_LOW; v++)
    for (int u = 0; u < HASH_LOW; u++)
      {
        double s = 0;

        for (int x = 0; x < HASH_GRID; x++)
          s += c[u * HASH_GRID + x] * rows[v][x];
        coef[v * HASH_LOW + u] = s;
      }

  memcpy (sorted, coef, sizeof sorted);
  qsort (sorted, G_N_ELEMENTS (sorted), sizeof (double), _lk_curate_compare_double);
  median = 0.5 * (sorted[31] + sorted[32]);

  for (int i = 0; i < HASH_LOW * HASH_LOW; i++)
    if (coef[i] > median)
      hash |= G_GUINT64_CONSTANT (1) << i;

  return hash != 0 ? hash : 1;
}

guint64
lk_curate_face_phash (const LkImage *crop,
                      double         coverage)
{
  LkAlignParams params = lk_align_params_default ();
  float pts[LK_FACE_N_LANDMARKS][2];
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  LkImage view;
  int ix0, iy0, ix1, iy1;

  g_return_val_if_fail (crop != NULL, 0);

  params.size = crop->width;
  if (coverage > 0)
    params.coverage = coverage;
  lk_align_template_points (&params, pts);
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      x0 = MIN (x0, pts[i][0]);
      x1 = MAX (x1, pts[i][0]);
      y0 = MIN (y0, pts[i][1]);
      y1 = MAX (y1, pts[i][1]);
    }
  ix0 = CLAMP ((int) floor (x0), 0, crop->width - 1);
  iy0 = CLAMP ((int) floor (y0), 0, crop->height - 1);
  ix1 = CLAMP ((int) ceil (x1), 0, crop->width - 1);
  iy1 = CLAMP ((int) ceil (y1), 0, crop->height - 1);
  if (ix1 - ix0 < 16 || iy1 - iy0 < 16)
    return lk_curate_phash (crop);

  /* A view into the crop's pixels, not a copy. */
  view.width = ix1 - ix0 + 1;
  view.height = iy1 - iy0 + 1;
  view.channels = crop->channels;
  view.stride = crop->stride;
  view.data = lk_image_pixel (crop, ix0, iy0);

  return lk_curate_phash (&view);
}

guint
lk_curate_group_hashes (const guint64 *hashes,
                        guint          n,
                        int            max_distance,
                        gint64        *groups_out)
{
  g_autoptr(GArray) leaders = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *size = NULL;
  guint n_groups = 0;

  g_return_val_if_fail (hashes != NULL || n == 0, 0);
  g_return_val_if_fail (groups_out != NULL || n == 0, 0);

  size = g_new0 (guint, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      guint64 h = hashes[i];
      int best = max_distance + 1;
      guint leader = i;

      groups_out[i] = -1;
      if (h == 0)
        continue;

      for (guint k = 0; k < leaders->len && best > 0; k++)
        {
          guint l = g_array_index (leaders, guint, k);
          int d = __builtin_popcountll (h ^ hashes[l]);

          if (d < best)
            {
              best = d;
              leader = l;
            }
        }

      if (leader == i)
        g_array_append_val (leaders, i);
      groups_out[i] = leader;
      size[leader]++;
    }

  for (guint i = 0; i < n; i++)
    {
      if (groups_out[i] < 0)
        continue;
      if (size[groups_out[i]] < 2)
        groups_out[i] = -1;
      else if (groups_out[i] == (gint64) i)
        n_groups++;
    }

  return n_groups;
}

gboolean
lk_curate_find_duplicates (LkProject  *project,
                           int         identity,
                           int         max_distance,
                           guint      *n_groups,
                           GError    **error)
{
  guint total = 0;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (identity >= -1 && identity <= LK_IDENTITY_B, FALSE);
  g_return_val_if_fail (max_distance >= 0 && max_distance <= 64, FALSE);

  for (int id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
    {
      g_autoptr(GPtrArray) faces = NULL;
      g_autofree guint64 *hashes = NULL;
      g_autofree gint64 *index_groups = NULL;
      g_autofree gint64 *ids = NULL;
      g_autofree gint64 *phashes = NULL;
      g_autofree gint64 *groups = NULL;
      guint n = 0;

      if (identity >= 0 && id != identity)
        continue;

      faces = lk_project_list_faces (project, id, LK_FACE_FILTER_ALL, NULL, "id", FALSE, error);
      if (faces == NULL)
        return FALSE;

      hashes = g_new (guint64, faces->len + 1);
      ids = g_new (gint64, faces->len + 1);
      for (guint i = 0; i < faces->len; i++)
        {
          LkFace *face = faces->pdata[i];

          if (face->phash == 0)
            continue;
          hashes[n] = (guint64) face->phash;
          ids[n++] = face->id;
        }

      index_groups = g_new (gint64, n + 1);
      total += lk_curate_group_hashes (hashes, n, max_distance, index_groups);

      phashes = g_new (gint64, n + 1);
      groups = g_new (gint64, n + 1);
      for (guint i = 0; i < n; i++)
        {
          phashes[i] = (gint64) hashes[i];
          groups[i] = index_groups[i] >= 0 ? ids[index_groups[i]] : -1;
        }

      if (!lk_project_store_duplicates (project, ids, phashes, groups, n, error))
        return FALSE;
    }

  if (n_groups != NULL)
    *n_groups = total;

  return TRUE;
}

static gboolean
sharper (const LkFace *a,
         const LkFace *b)
{
  double sa = a->metrics.sharpness, sb = b->metrics.sharpness;

  if (isnan (sb))
    return !isnan (sa) || a->id < b->id;
  if (isnan (sa))
    return FALSE;
  if (sa != sb)
    return sa > sb;
  return a->id < b->id;
}

void
_lk_curate_mark_duplicates (GPtrArray      *faces,
                            const gboolean *skip,
                            gboolean       *out)
{
  /* group id -> index of its best face so far */
  g_autoptr(GHashTable) best = g_hash_table_new (g_int64_hash, g_int64_equal);

  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      gpointer value;

      out[i] = FALSE;
      if (skip[i] || face->dup_group < 0)
        continue;
      if (!g_hash_table_lookup_extended (best, &face->dup_group, NULL, &value) ||
          sharper (face, faces->pdata[GPOINTER_TO_UINT (value)]))
        g_hash_table_insert (best, &face->dup_group, GUINT_TO_POINTER (i));
    }

  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      if (skip[i] || face->dup_group < 0)
        continue;
      out[i] = GPOINTER_TO_UINT (g_hash_table_lookup (best, &face->dup_group)) != i;
    }
}

gboolean
lk_curate_keep_best_of_groups (LkProject     *project,
                               int            identity,
                               LkFaceStates **previous,
                               guint         *n_excluded,
                               GError       **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(LkFaceStates) states = NULL;
  g_autofree gboolean *skip = NULL;
  g_autofree gboolean *dup = NULL;
  guint k = 0;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (identity >= -1 && identity <= LK_IDENTITY_B, FALSE);

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "id", FALSE, error);
  if (faces == NULL)
    return FALSE;

  skip = g_new0 (gboolean, faces->len + 1);
  dup = g_new0 (gboolean, faces->len + 1);
  for (guint i = 0; i < faces->len; i++)
    skip[i] = !((LkFace *) faces->pdata[i])->included;
  _lk_curate_mark_duplicates (faces, skip, dup);

  for (guint i = 0; i < faces->len; i++)
    if (dup[i])
      g_array_append_val (ids, ((LkFace *) faces->pdata[i])->id);

  states = lk_face_states_new (ids->len);
  for (guint i = 0; i < faces->len; i++)
    if (dup[i])
      lk_face_states_set (states, k++, faces->pdata[i]);

  if (!lk_project_set_faces_included (project, (const gint64 *) ids->data, ids->len, FALSE,
                                      "duplicate", error))
    return FALSE;

  if (n_excluded != NULL)
    *n_excluded = ids->len;
  if (previous != NULL)
    *previous = g_steal_pointer (&states);

  return TRUE;
}
