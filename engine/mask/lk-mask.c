/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-mask"

#include "config.h"

#include "lk-mask.h"

#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-geometry.h"
#include "lk-mask-private.h"

/* Sub-scanlines per pixel row for the polygon's coverage (horizontal
 * coverage is exact). */
#define SUB 8

/* The conversion's settings schema (engine/convert/lk-convert-params.c)
 * declares the same defaults for the fields it covers; tests/engine/
 * test-settings checks that they agree. */
LkMaskParams
lk_mask_params_default (void)
{
  LkMaskParams params = {
    .type = LK_MASK_HULL,
    .feather = 12.0,
    .expand = 0.0,
    .offset_top = 0.0,
    .offset_bottom = 0.0,
    .offset_left = 0.0,
    .offset_right = 0.0,
    .forehead = 1.0,
    .model_mode = LK_MASK_MODEL_MULTIPLY,
  };

  return params;
}

struct _LkMaskWorkspace
{
  LkScratch spans;   /* float L, R per sub-scanline */
  LkScratch cover;   /* int32 per pixel: direct coverage + run differences */
  LkScratch model;   /* the model mask warped to the region */
  LkScratch blur_a;  /* u8 planes for the feather */
  LkScratch blur_b;
  LkScratch sums;    /* u32 column sums */
  LkScratch edt;     /* float planes for raster expand/contract */
};

LkMaskWorkspace *
lk_mask_workspace_new (void)
{
  return g_new0 (LkMaskWorkspace, 1);
}

void
lk_mask_workspace_free (LkMaskWorkspace *ws)
{
  if (ws == NULL)
    return;
  _lk_scratch_clear (&ws->spans);
  _lk_scratch_clear (&ws->cover);
  _lk_scratch_clear (&ws->model);
  _lk_scratch_clear (&ws->blur_a);
  _lk_scratch_clear (&ws->blur_b);
  _lk_scratch_clear (&ws->sums);
  _lk_scratch_clear (&ws->edt);
  g_free (ws);
}

void *
_lk_scratch_get (LkScratch *s,
                 gsize      size)
{
  if (size > s->size)
    {
      g_free (s->data);
      /* 64-byte alignment helps the vectorised loops; grow with headroom so
       * a region a few pixels larger does not reallocate. */
      s->size = size + size / 4 + 64;
      s->data = g_malloc (s->size);
    }
  return s->data;
}

void
_lk_scratch_clear (LkScratch *s)
{
  g_clear_pointer (&s->data, g_free);
  s->size = 0;
}

gboolean
_lk_check_compose_buffers (const LkImage  *swap,
                           const LkImage  *original,
                           const LkImage  *mask,
                           const LkImage  *out,
                           const char     *what,
                           GError        **error)
{
  if (swap->channels != 3 || original->channels != 3 || out->channels != 3
      || !_lk_same_dims (swap, original) || !_lk_same_dims (swap, out)
      || (mask != NULL && (mask->channels != 1 || !_lk_same_dims (swap, mask))))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "%s needs 3-channel images and a 1-channel mask of one size", what);
      return FALSE;
    }
  return TRUE;
}

/* ---- the polygon ---- */

static void
mean_point (const float landmarks[][2],
            int         first,
            int         last,
            double      out[2])
{
  out[0] = out[1] = 0;
  for (int i = first; i <= last; i++)
    {
      out[0] += landmarks[i][0];
      out[1] += landmarks[i][1];
    }
  out[0] /= last - first + 1;
  out[1] /= last - first + 1;
}

/* The face's frame: @right (unit, along the eye line), @up (unit,
 * perpendicular, towards the brows), and the eye-to-nose-tip distance. */
static gboolean
face_axes (const float landmarks[LK_FACE_N_LANDMARKS][2],
           double      right[2],
           double      up[2],
           double     *eye_nose)
{
  double le[2], re[2], mid[2], len;

  mean_point (landmarks, 36, 41, le);
  mean_point (landmarks, 42, 47, re);
  right[0] = re[0] - le[0];
  right[1] = re[1] - le[1];
  len = hypot (right[0], right[1]);
  if (!(len > 1e-3) || !isfinite (len))
    return FALSE;
  right[0] /= len;
  right[1] /= len;
  /* y grows downwards: "up" is the eye line turned a quarter towards -y. */
  up[0] = right[1];
  up[1] = -right[0];
  /* Make sure "up" points from the chin towards the brows. */
  {
    double bx = (landmarks[19][0] + landmarks[24][0]) / 2 - landmarks[8][0];
    double by = (landmarks[19][1] + landmarks[24][1]) / 2 - landmarks[8][1];

    if (bx * up[0] + by * up[1] < 0)
      {
        up[0] = -up[0];
        up[1] = -up[1];
      }
  }
  mid[0] = (le[0] + re[0]) / 2;
  mid[1] = (le[1] + re[1]) / 2;
  *eye_nose = hypot (landmarks[30][0] - mid[0], landmarks[30][1] - mid[1]);
  return isfinite (*eye_nose);
}

int
lk_mask_polygon (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                 const LkMaskParams  *params,
                 float                out[][2])
{
  LkPoint pts[LK_MASK_MAX_POLYGON], hull[LK_MASK_MAX_POLYGON + 1];
  double right[2], up[2], eye_nose;
  double umin = G_MAXDOUBLE, umax = -G_MAXDOUBLE, vmin = G_MAXDOUBLE, vmax = -G_MAXDOUBLE;
  double cu, cv;
  int n = 0, k;

  g_return_val_if_fail (landmarks != NULL && params != NULL && out != NULL, 0);

  if (!face_axes (landmarks, right, up, &eye_nose))
    return 0;

  for (int i = 0; i <= 26; i++)
    {
      pts[n].x = landmarks[i][0];
      pts[n].y = landmarks[i][1];
      n++;
    }
  if (params->type == LK_MASK_EXTENDED && params->forehead > 0)
    {
      for (int i = 17; i <= 26; i++)
        {
          /* 17 and 26 are the outer ends, 21 and 22 the inner ones. */
          int from_inner = i <= 21 ? 21 - i : i - 22;
          double lift = params->forehead * eye_nose * (1.0 - 0.1 * from_inner);

          pts[n].x = landmarks[i][0] + up[0] * lift;
          pts[n].y = landmarks[i][1] + up[1] * lift;
          n++;
        }
    }
  for (int i = 0; i < n; i++)
    if (!isfinite (pts[i].x) || !isfinite (pts[i].y))
      return 0;

  /* Per-side offsets: stretch each half along the face's axes. */
  if (params->offset_top != 0 || params->offset_bottom != 0 ||
      params->offset_left != 0 || params->offset_right != 0)
    {
      double uv[LK_MASK_MAX_POLYGON][2];

      for (int i = 0; i < n; i++)
        {
          uv[i][0] = pts[i].x * right[0] + pts[i].y * right[1];
          uv[i][1] = pts[i].x * up[0] + pts[i].y * up[1];
          umin = MIN (umin, uv[i][0]);
          umax = MAX (umax, uv[i][0]);
          vmin = MIN (vmin, uv[i][1]);
          vmax = MAX (vmax, uv[i][1]);
        }
      cu = (umin + umax) / 2;
      cv = (vmin + vmax) / 2;
      for (int i = 0; i < n; i++)
        {
          double du = uv[i][0] - cu, dv = uv[i][1] - cv;
          double hu = (umax - umin) / 2, hv = (vmax - vmin) / 2;

          if (hu > 0)
            du *= 1.0 + (du > 0 ? params->offset_right : params->offset_left) / hu;
          if (hv > 0)
            dv *= 1.0 + (dv > 0 ? params->offset_top : params->offset_bottom) / hv;
          /* Back to frame coordinates (the axes are orthonormal). */
          pts[i].x = (cu + du) * right[0] + (cv + dv) * up[0];
          pts[i].y = (cu + du) * right[1] + (cv + dv) * up[1];
        }
    }

  k = lk_convex_hull (pts, n, hull);
  if (k < 3)
    return 0;
  for (int i = 0; i < k; i++)
    {
      out[i][0] = hull[i].x;
      out[i][1] = hull[i].y;
    }
  return k;
}

gboolean
lk_mask_region_for_face (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                         const LkMaskParams  *params,
                         int                  frame_width,
                         int                  frame_height,
                         LkMaskRegion        *out)
{
  float poly[LK_MASK_MAX_POLYGON][2];
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE, margin;
  int n, ix0, iy0, ix1, iy1;

  g_return_val_if_fail (landmarks != NULL && params != NULL && out != NULL, FALSE);

  n = lk_mask_polygon (landmarks, params, poly);
  if (n == 0)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      x0 = MIN (x0, poly[i][0]);
      x1 = MAX (x1, poly[i][0]);
      y0 = MIN (y0, poly[i][1]);
      y1 = MAX (y1, poly[i][1]);
    }
  margin = MAX (params->expand, 0) + 1.5 * MAX (params->feather, 0) + 2
           + 0.1 * MAX (x1 - x0, y1 - y0);
  ix0 = (int) MAX (floor (x0 - margin), 0);
  iy0 = (int) MAX (floor (y0 - margin), 0);
  ix1 = (int) MIN (ceil (x1 + margin), frame_width);
  iy1 = (int) MIN (ceil (y1 + margin), frame_height);
  if (ix1 <= ix0 || iy1 <= iy0)
    return FALSE;
  out->x = ix0;
  out->y = iy0;
  out->width = ix1 - ix0;
  out->height = iy1 - iy0;
  return TRUE;
}

/* ---- spans ---- */

#define EMPTY_L G_MAXFLOAT

/* Dilates (@radius > 0) or erodes the row-convex set given by its spans
 * (l[s] > r[s] when empty) by a disc, in place (@tmp: 2 x @n floats). */
static void
morph_spans (float  *l,
             float  *r,
             float  *tmp,
             int     n,
             double  radius)
{
  int reach = (int) floor (fabs (radius) * SUB);
  float *nl = tmp, *nr = tmp + n;
  double r2 = radius * radius;
  float w[reach + 1];

  for (int d = 0; d <= reach; d++)
    {
      double dy = (double) d / SUB;

      w[d] = (float) sqrt (MAX (r2 - dy * dy, 0));
    }

  for (int s = 0; s < n; s++)
    {
      float lo, hi;

      if (radius > 0)
        {
          lo = G_MAXFLOAT;
          hi = -G_MAXFLOAT;
          for (int d = -reach; d <= reach; d++)
            {
              int t = s + d;

              if (t < 0 || t >= n || l[t] > r[t])
                continue;
              lo = MIN (lo, l[t] - w[ABS (d)]);
              hi = MAX (hi, r[t] + w[ABS (d)]);
            }
        }
      else
        {
          lo = -G_MAXFLOAT;
          hi = G_MAXFLOAT;
          for (int d = -reach; d <= reach; d++)
            {
              int t = s + d;

              if (t < 0 || t >= n || l[t] > r[t])
                {
                  lo = G_MAXFLOAT;
                  hi = -G_MAXFLOAT;
                  break;
                }
              lo = MAX (lo, l[t] + w[ABS (d)]);
              hi = MIN (hi, r[t] - w[ABS (d)]);
            }
        }
      nl[s] = lo;
      nr[s] = hi;
    }
  memcpy (l, nl, n * sizeof (float));
  memcpy (r, nr, n * sizeof (float));
}

/* ---- feather: three box blurs per axis ---- */

/* Kovesi's box widths whose three-fold convolution approximates a Gaussian
 * of @sigma. */
static void
gauss_boxes (double sigma,
             int    radii[3])
{
  double ideal = sqrt (12 * sigma * sigma / 3 + 1);
  int wl = (int) floor (ideal), wu, m;

  if (wl % 2 == 0)
    wl--;
  wu = wl + 2;
  m = (int) lround ((12 * sigma * sigma - 3.0 * wl * wl - 12.0 * wl - 9) / (-4.0 * wl - 4));
  for (int i = 0; i < 3; i++)
    radii[i] = ((i < m ? wl : wu) - 1) / 2;
}

/* One vertical box blur of radius @r from @src to @dst (both @w x @h,
 * row stride @w), edges replicated: running column sums, so every row
 * costs the same whatever the radius, and the inner loops vectorise. */
static void
box_vertical (const guint8 *src,
              guint8       *dst,
              int           w,
              int           h,
              int           r,
              guint32      *sums)
{
  guint32 inv = (guint32) lrint (65536.0 / (2 * r + 1));

  for (int x = 0; x < w; x++)
    sums[x] = (guint32) src[x] * (r + 1);
  for (int y = 1; y <= r; y++)
    {
      const guint8 *row = src + (gsize) MIN (y, h - 1) * w;

      for (int x = 0; x < w; x++)
        sums[x] += row[x];
    }
  for (int y = 0; y < h; y++)
    {
      const guint8 *add = src + (gsize) MIN (y + r + 1, h - 1) * w;
      const guint8 *sub = src + (gsize) MAX (y - r, 0) * w;
      guint8 *out = dst + (gsize) y * w;

      for (int x = 0; x < w; x++)
        {
          out[x] = (guint8) ((sums[x] * inv + 32768) >> 16);
          sums[x] += add[x] - sub[x];
        }
    }
}

/* Blocked transpose of a @w x @h plane (stride @w) into @dst (stride @h). */
static void
transpose_u8 (const guint8 *src,
              guint8       *dst,
              int           w,
              int           h)
{
  const int B = 32;

  for (int y0 = 0; y0 < h; y0 += B)
    for (int x0 = 0; x0 < w; x0 += B)
      {
        int y1 = MIN (y0 + B, h), x1 = MIN (x0 + B, w);

        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            dst[(gsize) x * h + y] = src[(gsize) y * w + x];
      }
}

void
lk_mask_feather (LkImage         *mask,
                 double           radius,
                 LkMaskWorkspace *workspace)
{
  g_autoptr(LkMaskWorkspace) own = NULL;
  LkMaskWorkspace *ws = workspace;
  int w, h, radii[3];
  gsize n;
  guint8 *a, *b;
  guint32 *sums;

  g_return_if_fail (mask != NULL && mask->channels == 1);

  if (!(radius > 0.25))
    return;
  if (ws == NULL)
    ws = own = lk_mask_workspace_new ();

  w = mask->width;
  h = mask->height;
  n = (gsize) w * h;
  gauss_boxes (radius / 2, radii);
  for (int i = 0; i < 3; i++)
    radii[i] = MIN (radii[i], 127);
  a = _lk_scratch_get (&ws->blur_a, n);
  b = _lk_scratch_get (&ws->blur_b, n);
  sums = _lk_scratch_get (&ws->sums, MAX (w, h) * sizeof (guint32));

  /* Vertical passes on the image as it is, horizontal ones on its
   * transpose: both are then row-wise running sums. */
  for (int y = 0; y < h; y++)
    memcpy (a + (gsize) y * w, lk_image_row (mask, y), w);
  box_vertical (a, b, w, h, radii[0], sums);
  box_vertical (b, a, w, h, radii[1], sums);
  box_vertical (a, b, w, h, radii[2], sums);
  transpose_u8 (b, a, w, h);
  box_vertical (a, b, h, w, radii[0], sums);
  box_vertical (b, a, h, w, radii[1], sums);
  box_vertical (a, b, h, w, radii[2], sums);
  transpose_u8 (b, a, h, w);
  for (int y = 0; y < h; y++)
    memcpy (lk_image_row (mask, y), a + (gsize) y * w, w);
}

/* ---- expand/contract of an arbitrary raster (model mask alone) ---- */

/* Felzenszwalb & Huttenlocher's 1-D squared distance transform of @f (n
 * samples, stride @step) in place; @v, @z, @d scratch. */
static void
edt_1d (float *f,
        int    n,
        gsize  step,
        int   *v,
        float *z,
        float *d)
{
  int k = 0;

  v[0] = 0;
  z[0] = -G_MAXFLOAT;
  z[1] = G_MAXFLOAT;
  for (int q = 1; q < n; q++)
    {
      float fq = f[q * step] + (float) q * q;
      float s;

      for (;;)
        {
          int p = v[k];

          s = (fq - (f[p * step] + (float) p * p)) / (2.0f * (q - p));
          if (s > z[k])
            break;
          k--;
        }
      k++;
      v[k] = q;
      z[k] = s;
      z[k + 1] = G_MAXFLOAT;
    }
  k = 0;
  for (int q = 0; q < n; q++)
    {
      float dq;

      while (z[k + 1] < q)
        k++;
      dq = (float) (q - v[k]);
      d[q] = dq * dq + f[v[k] * step];
    }
  for (int q = 0; q < n; q++)
    f[q * step] = d[q];
}

static void
morph_raster (LkImage         *mask,
              double           radius,
              LkMaskWorkspace *ws)
{
  int w = mask->width, h = mask->height, m = MAX (w, h);
  float *f = _lk_scratch_get (&ws->edt, ((gsize) w * h + 3 * (gsize) m + 2) * sizeof (float)
                                        + (gsize) m * sizeof (int));
  float *z = f + (gsize) w * h, *d = z + m + 2;
  int *v = (int *) (d + m);
  gboolean grow = radius > 0;
  double r = fabs (radius);
  const float inf = 1e20f;

  /* Distance to the nearest pixel of the other kind. */
  for (int y = 0; y < h; y++)
    {
      const guint8 *row = lk_image_row (mask, y);

      for (int x = 0; x < w; x++)
        f[(gsize) y * w + x] = ((row[x] >= 128) == grow) ? 0 : inf;
    }
  for (int x = 0; x < w; x++)
    edt_1d (f + x, h, w, v, z, d);
  for (int y = 0; y < h; y++)
    edt_1d (f + (gsize) y * w, w, 1, v, z, d);
  for (int y = 0; y < h; y++)
    {
      guint8 *row = lk_image_row (mask, y);

      for (int x = 0; x < w; x++)
        {
          double dist = sqrt (f[(gsize) y * w + x]);

          if (grow)
            {
              double c = CLAMP (r + 0.5 - dist, 0, 1) * 255;

              row[x] = (guint8) MAX (row[x], lrint (c));
            }
          else
            {
              double c = CLAMP (dist - r - 0.5, 0, 1) * 255;

              row[x] = (guint8) MIN (row[x], lrint (c));
            }
        }
    }
}

/* ---- the mask ---- */

gboolean
lk_mask_build (const float          landmarks[LK_FACE_N_LANDMARKS][2],
               const LkMaskParams  *params,
               const LkMaskRegion  *region,
               const LkImage       *model_mask,
               const LkAffine      *face_to_frame,
               LkMaskWorkspace     *workspace,
               LkImage             *out,
               GError             **error)
{
  g_autoptr(LkMaskWorkspace) own = NULL;
  LkMaskWorkspace *ws = workspace;
  float poly[LK_MASK_MAX_POLYGON][2];
  LkPoint outline[LK_MASK_MAX_POLYGON];
  gboolean replace;
  int n_poly, pad, rows, n_sub;
  float *l, *r;

  g_return_val_if_fail (landmarks != NULL && params != NULL && region != NULL, FALSE);
  g_return_val_if_fail (out != NULL && out->channels == 1, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out->width != region->width || out->height != region->height)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "Mask buffer is %dx%d, its region %dx%d",
                   out->width, out->height, region->width, region->height);
      return FALSE;
    }
  if (model_mask != NULL && (model_mask->channels != 1 || face_to_frame == NULL))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "A model mask must have one channel and come with its face-to-frame matrix");
      return FALSE;
    }
  if (ws == NULL)
    ws = own = lk_mask_workspace_new ();

  replace = model_mask != NULL && params->model_mode == LK_MASK_MODEL_REPLACE;
  if (!replace)
    {
      n_poly = lk_mask_polygon (landmarks, params, poly);
      if (n_poly == 0)
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "Degenerate landmarks: no mask outline");
          return FALSE;
        }
      for (int i = 0; i < n_poly; i++)
        {
          outline[i].x = poly[i][0];
          outline[i].y = poly[i][1];
        }
      /* Spans for the region's rows plus what the expand reaches. */
      pad = (int) ceil (fabs (params->expand)) + 1;
      rows = region->height + 2 * pad;
      n_sub = rows * SUB;
      l = _lk_scratch_get (&ws->spans, 4 * (gsize) n_sub * sizeof (float));
      r = l + n_sub;
      for (int s = 0; s < n_sub; s++)
        {
          double y = region->y - pad - 0.5 + (s + 0.5) / SUB, lo, hi;

          if (lk_polygon_span (outline, n_poly, y, LK_POLYGON_EVEN_ODD, &lo, &hi))
            {
              l[s] = lo;
              r[s] = hi;
              l[s] += 0.5f - region->x;
              r[s] += 0.5f - region->x;
            }
          else
            {
              l[s] = EMPTY_L;
              r[s] = -G_MAXFLOAT;
            }
        }
      if (fabs (params->expand) >= 1.0 / SUB)
        morph_spans (l, r, r + n_sub, n_sub, params->expand);
      lk_spans_coverage (l + pad * SUB, r + pad * SUB, SUB, out,
                         _lk_scratch_get (&ws->cover, 2 * ((gsize) out->width + 1) * sizeof (gint32)));
    }

  if (model_mask != NULL)
    {
      LkAffine to_region = *face_to_frame;
      guint8 *buf = _lk_scratch_get (&ws->model, out->stride * out->height);
      LkImage model = { out->width, out->height, 1, out->stride, buf };

      to_region.m[2] -= region->x;
      to_region.m[5] -= region->y;
      if (!lk_warp_affine (model_mask, &model, &to_region, LK_WARP_BORDER_CONSTANT, 0))
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "The model mask's face-to-frame matrix is singular");
          return FALSE;
        }
      for (int y = 0; y < out->height; y++)
        {
          guint8 *o = lk_image_row (out, y);
          const guint8 *m = lk_image_row (&model, y);

          if (replace)
            memcpy (o, m, out->width);
          else
            for (int x = 0; x < out->width; x++)
              o[x] = (guint8) ((o[x] * m[x] + 127) / 255);
        }
      if (replace && fabs (params->expand) >= 0.5)
        morph_raster (out, params->expand, ws);
    }

  lk_mask_feather (out, params->feather, ws);
  return TRUE;
}
