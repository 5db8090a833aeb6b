/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include "lk-metrics.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lk-align.h"
#include "lk-duplicates.h"
#include "lk-error.h"
#include "lk-image-io.h"
#include "lk-pose.h"
#include "lk-warp.h"

/* Face area masks */

typedef struct
{
  double x, y;
} Pt;

static double
cross (Pt o,
       Pt a,
       Pt b)
{
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static int
compare_pt (gconstpointer a,
            gconstpointer b)
{
  const Pt *p = a, *q = b;

  if (p->x != q->x)
    return p->x < q->x ? -1 : 1;
  if (p->y != q->y)
    return p->y < q->y ? -1 : 1;
  return 0;
}

/* Andrew's monotone chain; returns the hull's vertex count (in @hull, which
 * holds at least n + 1 points). */
static int
convex_hull (Pt  *pts,
             int  n,
             Pt  *hull)
{
  int k = 0;

  qsort (pts, n, sizeof *pts, compare_pt);
  for (int i = 0; i < n; i++)
    {
      while (k >= 2 && cross (hull[k - 2], hull[k - 1], pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }
  for (int i = n - 2, lower = k + 1; i >= 0; i--)
    {
      while (k >= lower && cross (hull[k - 2], hull[k - 1], pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }

  return MAX (k - 1, 0);
}

/* For each row of a @width x @height image, the inclusive pixel span
 * [x0[y], x1[y]] inside the hull of @landmarks scaled by @scale (pixel
 * centres at integers; x0 > x1 for an empty row). Returns the pixel count. */
static gsize
face_spans (const float (*landmarks)[2],
            double        scale,
            int           width,
            int           height,
            int          *x0,
            int          *x1)
{
  Pt pts[LK_N_LANDMARKS], hull[LK_N_LANDMARKS + 1];
  int n_hull;
  gsize count = 0;

  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      pts[i].x = (landmarks[i][0] + 0.5) * scale - 0.5;
      pts[i].y = (landmarks[i][1] + 0.5) * scale - 0.5;
    }
  n_hull = convex_hull (pts, LK_N_LANDMARKS, hull);

  for (int y = 0; y < height; y++)
    {
      double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

      for (int i = 0; i < n_hull; i++)
        {
          Pt p = hull[i], q = hull[(i + 1) % n_hull];

          if ((y < p.y && y < q.y) || (y > p.y && y > q.y))
            continue;
          if (p.y == q.y)
            {
              lo = MIN (lo, MIN (p.x, q.x));
              hi = MAX (hi, MAX (p.x, q.x));
            }
          else
            {
              double x = p.x + (y - p.y) * (q.x - p.x) / (q.y - p.y);

              lo = MIN (lo, x);
              hi = MAX (hi, x);
            }
        }

      if (lo > hi)
        {
          x0[y] = 1;
          x1[y] = 0;
          continue;
        }
      x0[y] = MAX (0, (int) ceil (lo));
      x1[y] = MIN (width - 1, (int) floor (hi));
      if (x1[y] >= x0[y])
        count += x1[y] - x0[y] + 1;
    }

  return count;
}

/* Grey (Rec. 601 luma) of an 8-bit image with 1, 3 or 4 channels. */
static LkImage *
to_grey (const LkImage *image)
{
  LkImage *grey = lk_image_new (image->width, image->height, 1);

  for (int y = 0; y < image->height; y++)
    {
      const guint8 *s = lk_image_row (image, y);
      guint8 *d = lk_image_row (grey, y);

      if (image->channels == 1)
        memcpy (d, s, image->width);
      else
        for (int x = 0; x < image->width; x++, s += image->channels)
          d[x] = (guint8) ((77 * s[0] + 150 * s[1] + 29 * s[2] + 128) >> 8);
    }

  return grey;
}

/* @grey on the LK_METRICS_GRID square: box-averaged for whole multiples,
 * bilinear otherwise. */
static LkImage *
to_grid (const LkImage *grey)
{
  const int g = LK_METRICS_GRID;
  LkImage *out = lk_image_new (g, g, 1);

  if (grey->width == g && grey->height == g)
    {
      for (int y = 0; y < g; y++)
        memcpy (lk_image_row (out, y), lk_image_row (grey, y), g);
    }
  else if (grey->width == grey->height && grey->width % g == 0)
    {
      int k = grey->width / g, area = k * k;

      for (int y = 0; y < g; y++)
        for (int x = 0; x < g; x++)
          {
            int sum = 0;

            for (int j = 0; j < k; j++)
              {
                const guint8 *s = lk_image_row (grey, y * k + j) + x * k;

                for (int i = 0; i < k; i++)
                  sum += s[i];
              }
            lk_image_row (out, y)[x] = (guint8) ((sum + area / 2) / area);
          }
    }
  else
    {
      double sx = (double) g / grey->width, sy = (double) g / grey->height;
      LkAffine m = { { sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5 } };

      lk_warp_affine (grey, out, &m, LK_WARP_BORDER_REPLICATE, 0);
    }

  return out;
}

/* Variance of the 4-neighbour Laplacian over the face spans (rows and
 * columns at the border excluded). */
static double
laplacian_variance (const LkImage *grey,
                    const int     *x0,
                    const int     *x1)
{
  double sum = 0, sum2 = 0;
  gsize n = 0;

  for (int y = 1; y < grey->height - 1; y++)
    {
      const guint8 *up = lk_image_row (grey, y - 1);
      const guint8 *row = lk_image_row (grey, y);
      const guint8 *down = lk_image_row (grey, y + 1);
      int a = MAX (x0[y], 1), b = MIN (x1[y], grey->width - 2);
      gint64 s = 0, s2 = 0;

      for (int x = a; x <= b; x++)
        {
          int l = up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x];

          s += l;
          s2 += l * l;
        }
      if (b >= a)
        {
          sum += s;
          sum2 += s2;
          n += b - a + 1;
        }
    }

  if (n < 2)
    return NAN;

  sum /= n;
  return MAX (0.0, sum2 / n - sum * sum);
}

static double
srgb_to_linear (int v)
{
  static double lut[256];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised))
    {
      for (int i = 0; i < 256; i++)
        {
          double c = i / 255.0;

          lut[i] = c <= 0.04045 ? c / 12.92 : pow ((c + 0.055) / 1.055, 2.4);
        }
      g_once_init_leave (&initialised, 1);
    }

  return lut[v];
}

static double
lab_f (double t)
{
  const double d = 6.0 / 29.0;

  return t > d * d * d ? cbrt (t) : t / (3 * d * d) + 4.0 / 29.0;
}

/* CIE Lab (D65) a*, b* of a linear sRGB colour. */
static void
linear_rgb_to_ab (double  r,
                  double  g,
                  double  b,
                  double *a_out,
                  double *b_out)
{
  double x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047;
  double y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
  double z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883;

  *a_out = 500 * (lab_f (x) - lab_f (y));
  *b_out = 200 * (lab_f (y) - lab_f (z));
}

/* Distance of (a, b) from the skin segment (see lk-metrics.h). */
static double
skin_cast (double a,
           double b)
{
  double h = LK_METRICS_SKIN_HUE * G_PI / 180.0;
  double ux = cos (h), uy = sin (h);
  double t = CLAMP (a * ux + b * uy, 0.0, LK_METRICS_SKIN_CHROMA_MAX);

  return hypot (a - t * ux, b - t * uy);
}

gboolean
lk_curate_face_metrics (const LkImage *crop,
                        const float    crop_landmarks[LK_N_LANDMARKS][2],
                        LkFaceMetrics *out)
{
  const float (*lm)[2] = (const float (*)[2]) crop_landmarks;
  g_autoptr(LkImage) grey = NULL;
  g_autoptr(LkImage) grid = NULL;
  g_autofree int *x0 = NULL;
  g_autofree int *x1 = NULL;
  double luma = 0, r = 0, g = 0, b = 0, residual, ca, cb;
  gsize n, dark = 0, bright = 0;
  LkPose pose;

  g_return_val_if_fail (crop != NULL && crop_landmarks != NULL && out != NULL, FALSE);
  g_return_val_if_fail (crop->channels == 1 || crop->channels == 3 || crop->channels == 4, FALSE);

  lk_face_metrics_init (out);

  for (int i = 0; i < LK_N_LANDMARKS; i++)
    if (!isfinite (lm[i][0]) || !isfinite (lm[i][1]))
      return FALSE;

  /* Exposure and colour at the crop's own resolution. */
  x0 = g_new (int, MAX (crop->height, LK_METRICS_GRID));
  x1 = g_new (int, MAX (crop->height, LK_METRICS_GRID));
  n = face_spans (lm, 1.0, crop->width, crop->height, x0, x1);
  if (n == 0)
    return FALSE;

  for (int y = 0; y < crop->height; y++)
    {
      const guint8 *row = lk_image_row (crop, y);

      for (int x = x0[y]; x <= x1[y]; x++)
        {
          const guint8 *p = row + (gsize) x * crop->channels;
          int pr = p[0], pg = crop->channels == 1 ? p[0] : p[1], pb = crop->channels == 1 ? p[0] : p[2];
          int l = (77 * pr + 150 * pg + 29 * pb + 128) >> 8;

          luma += l;
          dark += l <= LK_METRICS_DARK_LUMA;
          bright += l >= LK_METRICS_BRIGHT_LUMA;
          r += srgb_to_linear (pr);
          g += srgb_to_linear (pg);
          b += srgb_to_linear (pb);
        }
    }

  out->exposure = luma / n / 255.0;
  out->clipped_dark = (double) dark / n;
  out->clipped_bright = (double) bright / n;
  linear_rgb_to_ab (r / n, g / n, b / n, &ca, &cb);
  out->colour_cast = skin_cast (ca, cb);

  /* Sharpness on the fixed grid. */
  grey = to_grey (crop);
  grid = to_grid (grey);
  if (face_spans (lm, (double) LK_METRICS_GRID / crop->width, LK_METRICS_GRID, LK_METRICS_GRID,
                  x0, x1) > 0)
    out->sharpness = laplacian_variance (grid, x0, x1);

  residual = lk_align_shape_residual (lm);
  out->landmark_fit = residual >= G_MAXDOUBLE ? 0.0 : exp (-(residual / 0.08) * (residual / 0.08));

  if (lk_pose_estimate (lm, &pose))
    {
      out->yaw = pose.yaw;
      out->pitch = pose.pitch;
      out->roll = pose.roll;
    }

  return TRUE;
}

void
lk_curate_face_crop_landmarks (const LkFace *face,
                               float         out[LK_N_LANDMARKS][2])
{
  const double *m = face->matrix;

  g_return_if_fail (face != NULL);

  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      double x = face->landmarks[2 * i], y = face->landmarks[2 * i + 1];

      out[i][0] = (float) (m[0] * x + m[1] * y + m[2]);
      out[i][1] = (float) (m[3] * x + m[4] * y + m[5]);
    }
}

gboolean
lk_curate_face_needs_metrics (const LkFace *face)
{
  const LkFaceMetrics *m = &face->metrics;

  g_return_val_if_fail (face != NULL, FALSE);

  return isnan (m->sharpness) || isnan (m->exposure) || isnan (m->clipped_dark) ||
         isnan (m->clipped_bright) || isnan (m->colour_cast) || isnan (m->face_size) ||
         isnan (m->landmark_fit) || isnan (m->yaw) || isnan (m->pitch) || isnan (m->roll);
}

void
lk_analyse_summary_clear (LkAnalyseSummary *summary)
{
  g_clear_pointer (&summary->first_failure, g_free);
  memset (summary, 0, sizeof *summary);
}

/* The analysis job */

#define BATCH 64

typedef struct
{
  LkFace        *face;
  gboolean       want_metrics;
  gboolean       want_hash;
  /* results */
  gboolean       ok;
  LkFaceMetrics  metrics;
  guint64        hash;
  GError        *error;
} Item;

typedef struct
{
  Item  *items;
  guint  n;
  gint   next;      /* atomic */
  LkJob *job;
} Batch;

static void
analyse_item (Item *item)
{
  LkFace *face = item->face;
  g_autoptr(LkImage) crop = lk_image_load (face->file, &item->error);
  float crop_lm[LK_N_LANDMARKS][2];
  LkFaceMetrics m;

  if (crop == NULL)
    return;

  item->ok = TRUE;
  if (item->want_hash)
    item->hash = lk_curate_face_phash (crop, face->coverage);
  if (!item->want_metrics)
    return;

  lk_curate_face_crop_landmarks (face, crop_lm);
  lk_curate_face_metrics (crop, (const float (*)[2]) crop_lm, &m);

  /* Extraction's figures stay; the pose comes from the frame landmarks (the
   * crop's roll would be the residual after alignment). */
  item->metrics = face->metrics;
  item->metrics.sharpness = m.sharpness;
  item->metrics.exposure = m.exposure;
  item->metrics.clipped_dark = m.clipped_dark;
  item->metrics.clipped_bright = m.clipped_bright;
  item->metrics.colour_cast = m.colour_cast;
  if (isnan (item->metrics.face_size))
    item->metrics.face_size = face->box[2];
  if (isnan (item->metrics.landmark_fit))
    item->metrics.landmark_fit = m.landmark_fit;
  if (isnan (item->metrics.yaw) || isnan (item->metrics.pitch) || isnan (item->metrics.roll))
    {
      LkPose pose;

      if (lk_pose_estimate ((const float (*)[2]) face->landmarks, &pose))
        {
          item->metrics.yaw = pose.yaw;
          item->metrics.pitch = pose.pitch;
          item->metrics.roll = pose.roll;
        }
    }
}

static gpointer
batch_worker (gpointer data)
{
  Batch *batch = data;
  gint i;

  while ((i = g_atomic_int_add (&batch->next, 1)) < (gint) batch->n)
    {
      if (batch->job != NULL && lk_job_is_cancelled (batch->job))
        break;
      analyse_item (&batch->items[i]);
    }

  return NULL;
}

gboolean
lk_curate_analyse (LkProject        *project,
                   int               identity,
                   gboolean          recompute,
                   LkJob            *job,
                   LkAnalyseSummary *summary,
                   GError          **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GPtrArray) todo = g_ptr_array_new ();
  LkAnalyseSummary local = { 0 };
  gint64 start = g_get_monotonic_time ();
  gboolean ok = TRUE;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (identity >= -1 && identity <= LK_IDENTITY_B, FALSE);
  g_return_val_if_fail (job == NULL || LK_IS_JOB (job), FALSE);

  if (summary == NULL)
    summary = &local;
  memset (summary, 0, sizeof *summary);

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "id", FALSE, error);
  if (faces == NULL)
    return FALSE;
  summary->faces = faces->len;

  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      if (recompute || lk_curate_face_needs_metrics (face) || face->phash == 0)
        g_ptr_array_add (todo, face);
    }

  LK_JOB_UPDATE (job, 0.0, _("Measuring %u faces"), todo->len);

  for (guint done = 0; done < todo->len && ok; )
    {
      guint n = MIN (BATCH, todo->len - done);
      g_autofree Item *items = g_new0 (Item, n);
      g_autofree gint64 *metric_ids = g_new (gint64, n);
      g_autofree LkFaceMetrics *metrics = g_new (LkFaceMetrics, n);
      g_autofree gint64 *hash_ids = g_new (gint64, n);
      g_autofree gint64 *hashes = g_new (gint64, n);
      g_autofree gint64 *groups = g_new (gint64, n);
      guint n_metrics = 0, n_hashes = 0;
      Batch batch = { items, n, 0, job };
      GThread *helper;

      for (guint i = 0; i < n; i++)
        {
          LkFace *face = todo->pdata[done + i];

          items[i].face = face;
          items[i].want_metrics = recompute || lk_curate_face_needs_metrics (face);
          items[i].want_hash = recompute || face->phash == 0;
        }

      /* Two cores: this thread and one helper. */
      helper = g_thread_new ("lk-curate-metrics", batch_worker, &batch);
      batch_worker (&batch);
      g_thread_join (helper);

      for (guint i = 0; i < n; i++)
        {
          Item *item = &items[i];

          if (item->error != NULL)
            {
              summary->failed++;
              if (summary->first_failure == NULL)
                summary->first_failure = g_strdup (item->error->message);
              g_clear_error (&item->error);
              continue;
            }
          if (!item->ok)
            continue;  /* cancelled before this one */
          if (item->want_metrics)
            {
              metric_ids[n_metrics] = item->face->id;
              metrics[n_metrics++] = item->metrics;
            }
          if (item->want_hash)
            {
              hash_ids[n_hashes] = item->face->id;
              groups[n_hashes] = item->face->dup_group;
              hashes[n_hashes++] = (gint64) item->hash;
            }
        }

      if (!lk_project_store_metrics (project, metric_ids, metrics, n_metrics, error) ||
          !lk_project_store_duplicates (project, hash_ids, hashes, groups, n_hashes, error))
        {
          ok = FALSE;
          break;
        }
      summary->computed += n_metrics;
      summary->hashed += n_hashes;
      done += n;

      if (job != NULL)
        {
          double seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

          lk_job_set_figure (job, "faces-per-second", seconds > 0 ? done / seconds : 0);
          lk_job_update (job, (double) done / todo->len, _("Measured %u of %u faces"),
                         done, todo->len);
          if (lk_job_set_error_if_cancelled (job, error))
            ok = FALSE;
        }
    }

  summary->seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (summary == &local)
    lk_analyse_summary_clear (&local);

  return ok;
}
