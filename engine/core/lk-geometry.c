/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-geometry"

#include "config.h"

#include "lk-geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk-warp.h"

/* ---- Convex hull --------------------------------------------------------- */

static double
cross (const LkPoint *o,
       const LkPoint *a,
       const LkPoint *b)
{
  return (a->x - o->x) * (b->y - o->y) - (a->y - o->y) * (b->x - o->x);
}

static int
compare_points (const void *pa,
                const void *pb)
{
  const LkPoint *a = pa, *b = pb;

  if (a->x != b->x)
    return a->x < b->x ? -1 : 1;
  if (a->y != b->y)
    return a->y < b->y ? -1 : 1;
  return 0;
}

int
lk_convex_hull (const LkPoint *points,
                int            n,
                LkPoint       *hull)
{
  LkPoint stack_pts[128];
  g_autofree LkPoint *heap_pts = NULL;
  LkPoint *pts = stack_pts;
  int k = 0;

  g_return_val_if_fail (n >= 0 && (n == 0 || (points != NULL && hull != NULL)), 0);

  if (n > (int) G_N_ELEMENTS (stack_pts))
    pts = heap_pts = g_new (LkPoint, n);
  if (n > 0)
    memcpy (pts, points, (gsize) n * sizeof *pts);
  qsort (pts, n, sizeof *pts, compare_points);

  /* Lower chain left to right, then the upper one back; a point that does
   * not turn strictly left (cross <= 0) is dropped, so are duplicates. */
  for (int i = 0; i < n; i++)
    {
      while (k >= 2 && cross (&hull[k - 2], &hull[k - 1], &pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }
  for (int i = n - 2, lower = k + 1; i >= 0; i--)
    {
      while (k >= lower && cross (&hull[k - 2], &hull[k - 1], &pts[i]) <= 0)
        k--;
      hull[k++] = pts[i];
    }

  /* The last point repeats the first. */
  if (k > 1)
    k--;
  if (k == 2 && hull[0].x == hull[1].x && hull[0].y == hull[1].y)
    k = 1;
  return k;
}

/* ---- Polygons ------------------------------------------------------------ */

gboolean
lk_polygon_span (const LkPoint *poly,
                 int            n,
                 double         y,
                 LkPolygonRule  rule,
                 double        *lo,
                 double        *hi)
{
  double a = G_MAXDOUBLE, b = -G_MAXDOUBLE;

  g_return_val_if_fail (n == 0 || poly != NULL, FALSE);
  g_return_val_if_fail (lo != NULL && hi != NULL, FALSE);

  for (int i = 0; i < n; i++)
    {
      const LkPoint *p = &poly[i], *q = &poly[(i + 1) % n];

      if (rule == LK_POLYGON_EVEN_ODD)
        {
          if ((p->y <= y && y < q->y) || (q->y <= y && y < p->y))
            {
              double x = p->x + (y - p->y) * (q->x - p->x) / (q->y - p->y);

              a = MIN (a, x);
              b = MAX (b, x);
            }
        }
      else
        {
          if ((y < p->y && y < q->y) || (y > p->y && y > q->y))
            continue;
          if (p->y == q->y)
            {
              a = MIN (a, MIN (p->x, q->x));
              b = MAX (b, MAX (p->x, q->x));
            }
          else
            {
              double x = p->x + (y - p->y) * (q->x - p->x) / (q->y - p->y);

              a = MIN (a, x);
              b = MAX (b, x);
            }
        }
    }

  if (a > b)
    return FALSE;
  *lo = a;
  *hi = b;
  return TRUE;
}

/* The pixels of a row whose centres lie in the span [lo, hi] (closed) or
 * [lo, hi) (even-odd), clamped to [0, width - 1]. */
static void
span_pixels (double         lo,
             double         hi,
             LkPolygonRule  rule,
             int            width,
             int           *x0,
             int           *x1)
{
  *x0 = MAX (0, (int) ceil (lo));
  if (rule == LK_POLYGON_EVEN_ODD)
    *x1 = MIN (width - 1, (int) ceil (hi) - 1);
  else
    *x1 = MIN (width - 1, (int) floor (hi));
}

gsize
lk_polygon_row_spans (const LkPoint *poly,
                      int            n,
                      LkPolygonRule  rule,
                      int            width,
                      int            height,
                      int           *x0,
                      int           *x1)
{
  gsize count = 0;

  g_return_val_if_fail (n == 0 || poly != NULL, 0);
  g_return_val_if_fail (height == 0 || (x0 != NULL && x1 != NULL), 0);

  for (int y = 0; y < height; y++)
    {
      double lo, hi;

      if (!lk_polygon_span (poly, n, y, rule, &lo, &hi))
        {
          x0[y] = 1;
          x1[y] = 0;
          continue;
        }
      span_pixels (lo, hi, rule, width, &x0[y], &x1[y]);
      if (x1[y] >= x0[y])
        count += x1[y] - x0[y] + 1;
    }

  return count;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

gsize
lk_polygon_fill (LkImage       *mask,
                 const LkPoint *poly,
                 int            n,
                 LkPolygonRule  rule,
                 guint8         value)
{
  g_autofree double *xs = NULL;
  double ymin = G_MAXDOUBLE, ymax = -G_MAXDOUBLE;
  gsize count = 0;

  g_return_val_if_fail (mask != NULL && mask->channels == 1, 0);
  g_return_val_if_fail (n <= 0 || poly != NULL, 0);

  /* An even-odd outline needs an inside; a closed one holds its
   * outline, even when that is a segment or a point. */
  if (n < (rule == LK_POLYGON_EVEN_ODD ? 3 : 1))
    return 0;

  for (int i = 0; i < n; i++)
    {
      ymin = MIN (ymin, poly[i].y);
      ymax = MAX (ymax, poly[i].y);
    }
  xs = g_new (double, n);

  /* Only rows whose centre (integer y) lies within the outline's extent
   * can hold pixels. */
  for (int y = MAX (0, (int) ceil (ymin)); y <= MIN (mask->height - 1, (int) floor (ymax)); y++)
    {
      int k = 0;

      if (rule == LK_POLYGON_CONVEX_CLOSED)
        {
          if (!lk_polygon_span (poly, n, y, rule, &xs[0], &xs[1]))
            continue;
          k = 2;
        }
      else
        {
          for (int i = 0; i < n; i++)
            {
              const LkPoint *p = &poly[i], *q = &poly[(i + 1) % n];

              if ((p->y <= y && y < q->y) || (q->y <= y && y < p->y))
                xs[k++] = p->x + (y - p->y) * (q->x - p->x) / (q->y - p->y);
            }
          qsort (xs, k, sizeof (double), compare_doubles);
        }

      for (int j = 0; j + 1 < k; j += 2)
        {
          int xa, xb;

          span_pixels (xs[j], xs[j + 1], rule, mask->width, &xa, &xb);
          if (xb >= xa)
            {
              memset (lk_image_pixel (mask, xa, y), value, (gsize) (xb - xa + 1));
              count += xb - xa + 1;
            }
        }
    }

  return count;
}

void
lk_spans_coverage (const float *l,
                   const float *r,
                   int          sub,
                   LkImage     *out,
                   gint32      *acc)
{
  int w;
  gint32 *direct, *diff;

  g_return_if_fail (l != NULL && r != NULL && acc != NULL && sub >= 1);
  g_return_if_fail (out != NULL && out->channels == 1);

  w = out->width;
  direct = acc;
  diff = acc + w + 1;
  for (int y = 0; y < out->height; y++)
    {
      guint8 *row = lk_image_row (out, y);
      gboolean any = FALSE;
      gint32 run = 0;

      memset (acc, 0, 2 * (w + 1) * sizeof (gint32));
      for (int k = 0; k < sub; k++)
        {
          int s = y * sub + k;
          float a = MAX (l[s], 0.0f), b = MIN (r[s], (float) w);
          int ia, ib;

          if (!(a < b))
            continue;
          any = TRUE;
          ia = (int) a;
          ib = (int) b;
          if (ia == ib)
            direct[ia] += (gint32) lrintf ((b - a) * 256);
          else
            {
              direct[ia] += (gint32) lrintf ((ia + 1 - a) * 256);
              diff[ia + 1] += 256;
              diff[ib] -= 256;
              if (ib < w)
                direct[ib] += (gint32) lrintf ((b - ib) * 256);
            }
        }
      if (!any)
        {
          memset (row, 0, w);
          continue;
        }
      for (int x = 0; x < w; x++)
        {
          gint32 v;

          run += diff[x];
          v = run + direct[x];
          row[x] = (guint8) CLAMP ((v * 255 + 128 * sub) / (256 * sub), 0, 255);
        }
    }
}

/* ---- Resampling ---------------------------------------------------------- */

LkImage *
lk_resample (const LkImage *src,
             int            width,
             int            height)
{
  LkImage *dst;
  int c, k;

  g_return_val_if_fail (src != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  c = src->channels;
  dst = lk_image_new (width, height, c);
  k = src->width / width;

  if (src->width == width && src->height == height)
    {
      for (int y = 0; y < height; y++)
        memcpy (lk_image_row (dst, y), lk_image_row (src, y), (gsize) width * c);
    }
  else if (k >= 1 && src->width == k * width && src->height == k * height)
    {
      guint area = (guint) k * k;

      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          for (int ch = 0; ch < c; ch++)
            {
              guint sum = 0;

              for (int j = 0; j < k; j++)
                {
                  const guint8 *s = lk_image_pixel (src, x * k, y * k + j) + ch;

                  for (int i = 0; i < k; i++)
                    sum += s[i * c];
                }
              lk_image_pixel (dst, x, y)[ch] = (guint8) ((sum + area / 2) / area);
            }
    }
  else
    {
      double sx = (double) width / src->width, sy = (double) height / src->height;
      LkAffine m = { { sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5 } };

      lk_warp_affine (src, dst, &m, LK_WARP_BORDER_REPLICATE, 0);
    }

  return dst;
}
