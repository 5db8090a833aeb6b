/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include "lk-metrics.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk-align.h"
#include "lk-curate-private.h"
#include "lk-duplicates.h"
#include "lk-error.h"
#include "lk-geometry.h"
#include "lk-image-io.h"
#include "lk-pose.h"

/* Face area masks */

/* For each row of a @width x @height image, the inclusive pixel span
 * [x0[y], x1[y]] inside the convex hull of the @n points @pts (pixel
 * coordinates, centres at integers; the outline counts as inside); x0 > x1
 * for an empty row. Returns the pixel count. */
static gsize
hull_spans (const LkPoint *pts,
            int            n,
            int            width,
            int            height,
            int           *x0,
            int           *x1)
{
  LkPoint hull[LK_N_LANDMARKS + 1];
  int n_hull;

  g_assert (n <= LK_N_LANDMARKS);
  n_hull = lk_convex_hull (pts, n, hull);
  return lk_polygon_row_spans (hull, n_hull, LK_POLYGON_CONVEX_CLOSED, width, height, x0, x1);
}

/* Landmarks @first .. @first + @n - 1 scaled by @scale (a crop of side s
 * to one of side s * scale), optionally grown by @grow about their centroid. */
static void
scaled_points (const float (*landmarks)[2],
               int           first,
               int           n,
               double        scale,
               double        grow,
               LkPoint      *out)
{
  double cx = 0, cy = 0;

  for (int i = 0; i < n; i++)
    {
      out[i].x = (landmarks[first + i][0] + 0.5) * scale - 0.5;
      out[i].y = (landmarks[first + i][1] + 0.5) * scale - 0.5;
      cx += out[i].x / n;
      cy += out[i].y / n;
    }
  for (int i = 0; i < n && grow != 1.0; i++)
    {
      out[i].x = cx + (out[i].x - cx) * grow;
      out[i].y = cy + (out[i].y - cy) * grow;
    }
}

/* The face area: the hull of all 68 landmarks scaled by @scale. */
static gsize
face_spans (const float (*landmarks)[2],
            double        scale,
            int           width,
            int           height,
            int          *x0,
            int          *x1)
{
  LkPoint pts[LK_N_LANDMARKS];

  scaled_points (landmarks, 0, LK_N_LANDMARKS, scale, 1.0, pts);
  return hull_spans (pts, LK_N_LANDMARKS, width, height, x0, x1);
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

/* Occlusion (see lk-metrics.h) */

/* A cell is judged when this share of it is face area and this share of
 * that is not an eye or the inner mouth. */
#define OCCLUSION_MIN_INSIDE    0.4
#define OCCLUSION_MIN_ELIGIBLE  0.25
/* Growing the skin: a cell next to a skin cell joins it when their colours
 * lie within this share of the threshold, and its colour within this
 * multiple of the threshold from the reference. */
#define OCCLUSION_GROW_STEP     0.5
#define OCCLUSION_GROW_LIMIT    1.5

/* CIE L*a*b* (D65) of an 8-bit sRGB colour. */
static void
srgb_to_lab (int    r8,
             int    g8,
             int    b8,
             float *out)
{
  double r = srgb_to_linear (r8), g = srgb_to_linear (g8), b = srgb_to_linear (b8);
  double fx = lab_f ((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
  double fy = lab_f (0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
  double fz = lab_f ((0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883);

  out[0] = (float) (116 * fy - 16);
  out[1] = (float) (500 * (fx - fy));
  out[2] = (float) (200 * (fy - fz));
}

/* qsort()/g_array_sort() order of doubles (no NaN among them). */
int
_lk_curate_compare_double (gconstpointer a,
                           gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* Medians of @n > 0 values (reordered): Hoare's selection, then the
 * largest of the lower half for an even count. */
static float
select_float (float *v,
              int    n,
              int    k)
{
  int lo = 0, hi = n - 1;

  while (lo < hi)
    {
      float pivot = v[(lo + hi) / 2];
      int i = lo, j = hi;

      while (i <= j)
        {
          while (v[i] < pivot)
            i++;
          while (v[j] > pivot)
            j--;
          if (i <= j)
            {
              float t = v[i];

              v[i++] = v[j];
              v[j--] = t;
            }
        }
      if (k <= j)
        hi = j;
      else if (k >= i)
        lo = i;
      else
        break;
    }

  return v[k];
}

static float
median_float (float *values,
              int    n)
{
  float upper = select_float (values, n, n / 2), lower = upper;

  if (n % 2 == 0)
    for (int i = 0; i < n / 2; i++)
      lower = i == 0 || values[i] > lower ? values[i] : lower;

  return 0.5f * (lower + upper);
}

static double
median_double (double *values,
               int     n)
{
  qsort (values, n, sizeof *values, _lk_curate_compare_double);
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

/* Lab distance with lightness weighted down (shading changes it most). */
static double
colour_distance (const double *p,
                 const double *q)
{
  double dl = LK_METRICS_OCCLUSION_L_WEIGHT * (p[0] - q[0]);

  return sqrt (dl * dl + (p[1] - q[1]) * (p[1] - q[1]) + (p[2] - q[2]) * (p[2] - q[2]));
}

/* Sets the pixels of the hull of @n points in the @g x @g @mask. */
static void
mark_hull (guint8        *mask,
           int            g,
           const LkPoint *pts,
           int            n)
{
  LkImage image = { g, g, 1, g, mask };
  LkPoint hull[LK_N_LANDMARKS + 1];

  g_assert (n <= LK_N_LANDMARKS);
  lk_polygon_fill (&image, hull, lk_convex_hull (pts, n, hull), LK_POLYGON_CONVEX_CLOSED, 1);
}

/* The skin cells: the judged cells split in two around the pair of cells
 * (medoids) that serves them best by colour. When the two lie further apart
 * than the floor, the part with the larger area is the skin and the other
 * not (an occluder over up to half the face does not move the reference);
 * else all are skin. The reference is the median of their colours. */
static void
occlusion_skin (LkOcclusionCells *cells,
                gboolean         *skin)
{
  int idx[LK_OCCLUSION_MAX_CELLS], n = 0, bi = 0, bj = 0;
  double best = G_MAXDOUBLE, part_i = 0, part_j = 0, values[LK_OCCLUSION_MAX_CELLS];

  for (int c = 0; c < cells->n * cells->n; c++)
    if (cells->area[c] > 0)
      idx[n++] = c;
  g_assert (n >= 2);

  for (int i = 0; i < n; i++)
    for (int j = i + 1; j < n; j++)
      {
        double cost = 0;

        for (int o = 0; o < n && cost < best; o++)
          cost += cells->area[idx[o]] *
                  MIN (colour_distance (cells->colour[idx[o]], cells->colour[idx[i]]),
                       colour_distance (cells->colour[idx[o]], cells->colour[idx[j]]));
        if (cost < best)
          {
            best = cost;
            bi = idx[i];
            bj = idx[j];
          }
      }

  for (int o = 0; o < n; o++)
    {
      gboolean near_i = colour_distance (cells->colour[idx[o]], cells->colour[bi]) <=
                        colour_distance (cells->colour[idx[o]], cells->colour[bj]);

      if (near_i)
        part_i += cells->area[idx[o]];
      else
        part_j += cells->area[idx[o]];
      skin[idx[o]] = TRUE;
    }
  if (colour_distance (cells->colour[bi], cells->colour[bj]) > LK_METRICS_OCCLUSION_FLOOR)
    {
      int keep = part_i >= part_j ? bi : bj, other = keep == bi ? bj : bi;

      for (int o = 0; o < n; o++)
        skin[idx[o]] = colour_distance (cells->colour[idx[o]], cells->colour[keep]) <=
                       colour_distance (cells->colour[idx[o]], cells->colour[other]);
    }

  for (int k = 0; k < 3; k++)
    {
      int m = 0;

      for (int o = 0; o < n; o++)
        if (skin[idx[o]])
          values[m++] = cells->colour[idx[o]][k];
      cells->reference[k] = median_double (values, m);
    }
}

double
_lk_curate_face_occlusion (const LkImage      *crop,
                           const float       (*lm)[2],
                           LkOcclusionCells   *cells)
{
  const int g = LK_METRICS_OCCLUSION_GRID, n = LK_METRICS_OCCLUSION_CELLS;
  const double scale = (double) g / crop->width;
  g_autoptr(LkImage) work = NULL;
  g_autofree float *lab = g_new (float, (gsize) g * g * 3);
  g_autofree guint8 *feature = g_new0 (guint8, (gsize) g * g);
  g_autofree float *values = g_new (float, (gsize) g * g);
  int x0[LK_METRICS_OCCLUSION_GRID], x1[LK_METRICS_OCCLUSION_GRID];
  int xs[LK_METRICS_OCCLUSION_CELLS + 1], ys[LK_METRICS_OCCLUSION_CELLS + 1];
  double lo_x = G_MAXDOUBLE, hi_x = -G_MAXDOUBLE, lo_y = G_MAXDOUBLE, hi_y = -G_MAXDOUBLE;
  double tmp[LK_OCCLUSION_MAX_CELLS], med, mad, total = 0, covered = 0;
  gboolean skin[LK_OCCLUSION_MAX_CELLS] = { FALSE };
  gboolean grown = TRUE;
  int judged = 0, n_skin = 0;
  LkPoint pts[LK_N_LANDMARKS];

  memset (cells, 0, sizeof *cells);
  cells->n = n;
  if (crop->width != crop->height)
    return NAN;  /* aligned crops are square */

  /* The face area (the landmarks' hull, shrunk so its rim of hair and
   * background stays out) and its bounding box. */
  scaled_points (lm, 0, LK_N_LANDMARKS, scale, LK_METRICS_OCCLUSION_SHRINK, pts);
  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      lo_x = MIN (lo_x, pts[i].x);
      hi_x = MAX (hi_x, pts[i].x);
      lo_y = MIN (lo_y, pts[i].y);
      hi_y = MAX (hi_y, pts[i].y);
    }
  lo_x = MAX (lo_x, 0);
  lo_y = MAX (lo_y, 0);
  hi_x = MIN (hi_x, g - 1);
  hi_y = MIN (hi_y, g - 1);
  if (hi_x - lo_x < n || hi_y - lo_y < n ||
      hull_spans (pts, LK_N_LANDMARKS, g, g, x0, x1) == 0)
    return NAN;
  for (int i = 0; i < n; i++)
    {
      xs[i] = (int) ceil (lo_x + i * (hi_x - lo_x) / n);
      ys[i] = (int) ceil (lo_y + i * (hi_y - lo_y) / n);
    }
  xs[n] = (int) floor (hi_x) + 1;
  ys[n] = (int) floor (hi_y) + 1;
  cells->box[0] = (lo_x + 0.5) / scale - 0.5;
  cells->box[1] = (lo_y + 0.5) / scale - 0.5;
  cells->box[2] = (hi_x - lo_x) / scale;
  cells->box[3] = (hi_y - lo_y) / scale;

  /* The eyes and the inner mouth differ from skin by nature: left out. */
  scaled_points (lm, 36, 6, scale, 1.3, pts);
  mark_hull (feature, g, pts, 6);
  scaled_points (lm, 42, 6, scale, 1.3, pts);
  mark_hull (feature, g, pts, 6);
  scaled_points (lm, 60, 8, scale, 1.2, pts);
  mark_hull (feature, g, pts, 8);

  /* Lab of the face area on the work grid. */
  work = lk_resample (crop, g, g);
  for (int y = 0; y < g; y++)
    for (int x = x0[y]; x <= x1[y]; x++)
      {
        const guint8 *p = lk_image_pixel (work, x, y);

        if (work->channels == 1)
          srgb_to_lab (p[0], p[0], p[0], lab + 3 * (y * g + x));
        else
          srgb_to_lab (p[0], p[1], p[2], lab + 3 * (y * g + x));
      }

#define FOR_CELL_PIXELS(cx, cy) \
  for (int y = ys[cy]; y < ys[(cy) + 1]; y++) \
    for (int x = MAX (xs[cx], x0[y]); x <= MIN (xs[(cx) + 1] - 1, x1[y]); x++)

  /* Each cell's colour: the median of its pixels (so an eyebrow or a
   * nostril in it does not count). */
  for (int cy = 0; cy < n; cy++)
    for (int cx = 0; cx < n; cx++)
      {
        int c = cy * n + cx, size = (xs[cx + 1] - xs[cx]) * (ys[cy + 1] - ys[cy]);
        int inside = 0, m = 0;

        FOR_CELL_PIXELS (cx, cy)
          {
            inside++;
            m += !feature[y * g + x];
          }
        if (size <= 0 || inside < OCCLUSION_MIN_INSIDE * size ||
            m < MAX (8, OCCLUSION_MIN_ELIGIBLE * inside))
          continue;

        cells->area[c] = inside;
        judged++;
        for (int k = 0; k < 3; k++)
          {
            int j = 0;

            FOR_CELL_PIXELS (cx, cy)
              if (!feature[y * g + x])
                values[j++] = lab[3 * (y * g + x) + k];
            cells->colour[c][k] = median_float (values, j);
          }
      }

  if (judged < 4)
    return NAN;

  /* The skin, and the threshold: median + K MAD of the skin cells'
   * distances from the reference, at least the floor. */
  occlusion_skin (cells, skin);
  for (int c = 0; c < n * n; c++)
    if (cells->area[c] > 0)
      {
        cells->distance[c] = colour_distance (cells->colour[c], cells->reference);
        if (skin[c])
          tmp[n_skin++] = cells->distance[c];
      }
  med = median_double (tmp, n_skin);
  for (int i = 0; i < n_skin; i++)
    tmp[i] = fabs (tmp[i] - med);
  mad = 1.4826 * median_double (tmp, n_skin);
  cells->threshold = MAX (LK_METRICS_OCCLUSION_FLOOR, med + LK_METRICS_OCCLUSION_K * mad);

  /* Skin shades gradually (light, shadow, blush), an occluder has an edge:
   * a cell next to a skin cell and close to its colour is skin too. */
  while (grown)
    {
      grown = FALSE;
      for (int c = 0; c < n * n; c++)
        {
          int cx = c % n, cy = c / n;

          if (cells->area[c] == 0 || skin[c] ||
              cells->distance[c] > OCCLUSION_GROW_LIMIT * cells->threshold)
            continue;
          for (int k = 0; k < 4 && !skin[c]; k++)
            {
              int nx = cx + (k == 0 ? -1 : k == 1 ? 1 : 0);
              int ny = cy + (k == 2 ? -1 : k == 3 ? 1 : 0);
              int o = ny * n + nx;

              if (nx >= 0 && nx < n && ny >= 0 && ny < n && cells->area[o] > 0 && skin[o] &&
                  colour_distance (cells->colour[c], cells->colour[o]) <=
                  OCCLUSION_GROW_STEP * cells->threshold)
                skin[c] = grown = TRUE;
            }
        }
    }

  /* What each cell adds: the share of its pixels beyond the threshold from
   * its skin colour (its own for a skin cell; for another, the mean of the
   * skin cells around it, or the reference), when that share is large
   * enough not to be a feature of the face. */
  for (int cy = 0; cy < n; cy++)
    for (int cx = 0; cx < n; cx++)
      {
        int c = cy * n + cx, far = 0, m = 0, k = 0;
        double local[3] = { 0, 0, 0 }, share;

        if (cells->area[c] == 0)
          continue;
        cells->skin[c] = skin[c];
        if (skin[c])
          memcpy (local, cells->colour[c], sizeof local);
        else
          {
            for (int ny = MAX (cy - 1, 0); ny <= MIN (cy + 1, n - 1); ny++)
              for (int nx = MAX (cx - 1, 0); nx <= MIN (cx + 1, n - 1); nx++)
                if (cells->area[ny * n + nx] > 0 && skin[ny * n + nx])
                  {
                    for (int j = 0; j < 3; j++)
                      local[j] += cells->colour[ny * n + nx][j];
                    k++;
                  }
            for (int j = 0; j < 3; j++)
              local[j] = k > 0 ? local[j] / k : cells->reference[j];
          }

        FOR_CELL_PIXELS (cx, cy)
          if (!feature[y * g + x])
            {
              const float *p = lab + 3 * (y * g + x);
              double px[3] = { p[0], p[1], p[2] };

              far += colour_distance (px, local) > cells->threshold;
              m++;
            }
        share = (double) far / m;
        cells->covered[c] = share >= LK_METRICS_OCCLUSION_MIN_SHARE ? share : 0;
        total += cells->area[c];
        covered += cells->covered[c] * cells->area[c];
      }

#undef FOR_CELL_PIXELS

  return covered / total;
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
  grid = lk_resample (grey, LK_METRICS_GRID, LK_METRICS_GRID);
  if (face_spans (lm, (double) LK_METRICS_GRID / crop->width, LK_METRICS_GRID, LK_METRICS_GRID,
                  x0, x1) > 0)
    out->sharpness = laplacian_variance (grid, x0, x1);

  {
    LkOcclusionCells cells;

    out->occlusion = _lk_curate_face_occlusion (crop, lm, &cells);
  }

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
         isnan (m->landmark_fit) || isnan (m->yaw) || isnan (m->pitch) || isnan (m->roll) ||
         isnan (m->occlusion);
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
  item->metrics.occlusion = m.occlusion;
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
