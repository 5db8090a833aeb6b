/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-mask"

#include "config.h"

#include "lk-blend.h"

#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-mask-private.h"

typedef struct
{
  int    w;
  int    h;
  float *g; /* Gaussian level of swap - original, 3 channels */
  float *m; /* Gaussian level of the mask, 0..1 */
  float *r; /* the collapsed blend from this level down, 3 channels */
} Level;

/* Rows of the full-resolution level, converted on demand into a ring. */
#define RING 8

struct _LkBlendWorkspace
{
  LkScratch levels;
  LkScratch rows;
  Level     lv[LK_BLEND_MAX_LEVELS];
};

LkBlendWorkspace *
lk_blend_workspace_new (void)
{
  return g_new0 (LkBlendWorkspace, 1);
}

void
lk_blend_workspace_free (LkBlendWorkspace *ws)
{
  if (ws == NULL)
    return;
  _lk_scratch_clear (&ws->levels);
  _lk_scratch_clear (&ws->rows);
  g_free (ws);
}

/* ---- alpha ---- */

static void
blend_alpha (const LkImage *swap,
             const LkImage *original,
             const LkImage *mask,
             LkImage       *out)
{
  for (int y = 0; y < out->height; y++)
    {
      const guint8 *s = lk_image_row (swap, y), *o = lk_image_row (original, y);
      const guint8 *m = lk_image_row (mask, y);
      guint8 *d = lk_image_row (out, y);

      for (int x = 0; x < out->width; x++)
        {
          guint a = m[x];

          for (int c = 0; c < 3; c++)
            {
              guint v = a * s[3 * x + c] + (255 - a) * o[3 * x + c] + 127;

              d[3 * x + c] = (guint8) (v / 255);
            }
        }
    }
}

/* ---- the finest level as float rows ---- */

typedef struct
{
  const LkImage *swap;
  const LkImage *original;
  const LkImage *mask;
  float         *ring_d;   /* RING rows of 3 w floats */
  float         *ring_m;   /* RING rows of w floats */
  int            held[RING];
} Base;

static const float *
base_d_row (Base *b,
            int   y)
{
  int slot = y % RING;
  float *row = b->ring_d + (gsize) slot * 3 * b->swap->width;
  float *mrow = b->ring_m + (gsize) slot * b->swap->width;

  if (b->held[slot] != y)
    {
      const guint8 *s = lk_image_row (b->swap, y), *o = lk_image_row (b->original, y);
      const guint8 *m = lk_image_row (b->mask, y);
      int w = b->swap->width;

      for (int x = 0; x < 3 * w; x++)
        row[x] = (float) ((int) s[x] - (int) o[x]);
      for (int x = 0; x < w; x++)
        mrow[x] = m[x] * (1.0f / 255);
      b->held[slot] = y;
    }
  return row;
}

static const float *
base_m_row (Base *b,
            int   y)
{
  base_d_row (b, y);
  return b->ring_m + (gsize) (y % RING) * b->swap->width;
}

/* ---- reduce: 5-tap binomial, then decimate ---- */

/* Horizontal 1 4 6 4 1 / 16 of @tmp (@w pixels of @nc channels) at every
 * second pixel into @out (@wc pixels), edges replicated. The vertical pass
 * left a factor 16 in @tmp, so the total scale is 1/256. */
static void
reduce_row_h (const float *tmp,
              int          w,
              int          nc,
              float       *out,
              int          wc)
{
  const float k = 1.0f / 256;

  for (int x = 0; x < wc; x++)
    {
      int c0 = 2 * x;

      if (c0 >= 2 && c0 + 2 < w)
        {
          const float *p = tmp + (gsize) (c0 - 2) * nc;

          for (int c = 0; c < nc; c++)
            out[x * nc + c] = (p[c] + 4 * p[nc + c] + 6 * p[2 * nc + c] + 4 * p[3 * nc + c]
                               + p[4 * nc + c]) * k;
        }
      else
        {
          int i0 = MAX (c0 - 2, 0), i1 = MAX (c0 - 1, 0), i3 = MIN (c0 + 1, w - 1);
          int i4 = MIN (c0 + 2, w - 1), i2 = MIN (c0, w - 1);

          for (int c = 0; c < nc; c++)
            out[x * nc + c] = (tmp[i0 * nc + c] + 4 * tmp[i1 * nc + c] + 6 * tmp[i2 * nc + c]
                               + 4 * tmp[i3 * nc + c] + tmp[i4 * nc + c]) * k;
        }
    }
}

static void
reduce_rows_v (const float *r0,
               const float *r1,
               const float *r2,
               const float *r3,
               const float *r4,
               int          n,
               float       *tmp)
{
  for (int i = 0; i < n; i++)
    tmp[i] = r0[i] + 4 * r1[i] + 6 * r2[i] + 4 * r3[i] + r4[i];
}

/* Level 0 (from the 8-bit buffers) -> level 1. */
static void
reduce_base (Base  *b,
             Level *dst,
             float *tmp)
{
  int w = b->swap->width, h = b->swap->height;

  for (int y = 0; y < dst->h; y++)
    {
      int ys[5];
      const float *rows[5];

      for (int j = 0; j < 5; j++)
        ys[j] = CLAMP (2 * y - 2 + j, 0, h - 1);
      for (int j = 0; j < 5; j++)
        rows[j] = base_d_row (b, ys[j]);
      reduce_rows_v (rows[0], rows[1], rows[2], rows[3], rows[4], 3 * w, tmp);
      reduce_row_h (tmp, w, 3, dst->g + (gsize) y * 3 * dst->w, dst->w);
      for (int j = 0; j < 5; j++)
        rows[j] = base_m_row (b, ys[j]);
      reduce_rows_v (rows[0], rows[1], rows[2], rows[3], rows[4], w, tmp);
      reduce_row_h (tmp, w, 1, dst->m + (gsize) y * dst->w, dst->w);
    }
}

static void
reduce_plane (const float *src,
              int          w,
              int          h,
              int          nc,
              float       *dst,
              int          wc,
              int          hc,
              float       *tmp)
{
  gsize stride = (gsize) w * nc;

  for (int y = 0; y < hc; y++)
    {
      const float *rows[5];

      for (int j = 0; j < 5; j++)
        rows[j] = src + CLAMP (2 * y - 2 + j, 0, h - 1) * stride;
      reduce_rows_v (rows[0], rows[1], rows[2], rows[3], rows[4], w * nc, tmp);
      reduce_row_h (tmp, w, 3 == nc ? 3 : 1, dst + (gsize) y * wc * nc, wc);
    }
}

/* ---- expand: upsample x2 with the same filter ---- */

/* One pixel of a horizontal expansion, with clamping at the edges. */
static inline void
expand_px (const float *tmp,
           int          wc,
           int          x,
           float       *out)
{
  int j = x / 2;

  if (x % 2 == 0)
    {
      int jm = MAX (j - 1, 0), jp = MIN (j + 1, wc - 1);

      for (int c = 0; c < 3; c++)
        out[3 * x + c] = (tmp[3 * jm + c] + 6 * tmp[3 * j + c] + tmp[3 * jp + c]) * 0.125f;
    }
  else
    {
      int jp = MIN (j + 1, wc - 1);

      for (int c = 0; c < 3; c++)
        out[3 * x + c] = (tmp[3 * j + c] + tmp[3 * jp + c]) * 0.5f;
    }
}

/* Row @y of the @wf-wide expansion of @src (@wc x @hc, 3 channels) into
 * @out; @tmp holds 3 @wc floats. Even fine positions take 1 6 1 / 8 of
 * their coarse neighbours, odd ones 4 4 / 8 (the 1 4 6 4 1 kernel on a
 * zero-stuffed grid, x4 per axis). */
static void
expand_row (const float *src,
            int          wc,
            int          hc,
            int          y,
            int          wf,
            float       *tmp,
            float       *out)
{
  gsize stride = (gsize) wc * 3;
  int n = 3 * wc;
  int k = y / 2;

  if (y % 2 == 0)
    {
      const float *a = src + MAX (k - 1, 0) * stride, *b = src + MIN (k, hc - 1) * stride;
      const float *c = src + MIN (k + 1, hc - 1) * stride;

      for (int i = 0; i < n; i++)
        tmp[i] = (a[i] + 6 * b[i] + c[i]) * 0.125f;
    }
  else
    {
      const float *a = src + MIN (k, hc - 1) * stride, *b = src + MIN (k + 1, hc - 1) * stride;

      for (int i = 0; i < n; i++)
        tmp[i] = (a[i] + b[i]) * 0.5f;
    }

  /* Interior pairs without clamping (vectorisable), then the edges. */
  {
    int j_end = MIN (wc - 1, wf / 2);

    for (int j = 1; j < j_end; j++)
      {
        const float *p = tmp + 3 * (j - 1);
        float *o = out + 6 * j;

        for (int c = 0; c < 3; c++)
          {
            o[c] = (p[c] + 6 * p[3 + c] + p[6 + c]) * 0.125f;
            o[3 + c] = (p[3 + c] + p[6 + c]) * 0.5f;
          }
      }
    expand_px (tmp, wc, 0, out);
    if (wf > 1)
      expand_px (tmp, wc, 1, out);
    for (int x = MAX (2 * j_end, 2); x < wf; x++)
      expand_px (tmp, wc, x, out);
  }
}

gboolean
lk_blend (LkBlendMode       mode,
          int               levels,
          const LkImage    *swap,
          const LkImage    *original,
          const LkImage    *mask,
          LkBlendWorkspace *workspace,
          LkImage          *out,
          GError          **error)
{
  g_autoptr(LkBlendWorkspace) own = NULL;
  LkBlendWorkspace *ws = workspace;
  int w, h, n_levels = 1;
  gsize total = 0;
  float *mem, *rows, *tmp, *eg, *er;
  Base base;
  Level *lv;

  g_return_val_if_fail (swap != NULL && original != NULL && mask != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_lk_check_compose_buffers (swap, original, mask, out, "Blending", error))
    return FALSE;

  w = swap->width;
  h = swap->height;
  if (mode == LK_BLEND_LAPLACIAN)
    {
      int lw = w, lh = h;

      while (n_levels < MIN (levels, LK_BLEND_MAX_LEVELS) && (lw + 1) / 2 >= 4
             && (lh + 1) / 2 >= 4)
        {
          lw = (lw + 1) / 2;
          lh = (lh + 1) / 2;
          n_levels++;
        }
    }
  if (n_levels <= 1)
    {
      blend_alpha (swap, original, mask, out);
      return TRUE;
    }

  if (ws == NULL)
    ws = own = lk_blend_workspace_new ();
  lv = ws->lv;

  /* Levels 1 .. n_levels - 1 in one block. */
  lv[0].w = w;
  lv[0].h = h;
  for (int i = 1; i < n_levels; i++)
    {
      lv[i].w = (lv[i - 1].w + 1) / 2;
      lv[i].h = (lv[i - 1].h + 1) / 2;
      total += (gsize) lv[i].w * lv[i].h * 7;
    }
  mem = _lk_scratch_get (&ws->levels, total * sizeof (float));
  for (int i = 1; i < n_levels; i++)
    {
      gsize n = (gsize) lv[i].w * lv[i].h;

      lv[i].g = mem;
      lv[i].m = mem + 3 * n;
      lv[i].r = mem + 4 * n;
      mem += 7 * n;
    }
  /* Row scratch: the ring of base rows (3 + 1 channels), one filter row,
   * two expanded rows. */
  rows = _lk_scratch_get (&ws->rows, ((gsize) RING * 4 * w + 3 * (gsize) w * 3) * sizeof (float));
  tmp = rows + (gsize) RING * 4 * w;
  eg = tmp + 3 * (gsize) w;
  er = eg + 3 * (gsize) w;

  /* Gaussian pyramids of the difference and of the mask. */
  base.swap = swap;
  base.original = original;
  base.mask = mask;
  base.ring_d = rows;
  base.ring_m = rows + (gsize) RING * 3 * w;
  for (int i = 0; i < RING; i++)
    base.held[i] = -1;
  reduce_base (&base, &lv[1], tmp);
  for (int i = 2; i < n_levels; i++)
    {
      reduce_plane (lv[i - 1].g, lv[i - 1].w, lv[i - 1].h, 3, lv[i].g, lv[i].w, lv[i].h, tmp);
      reduce_plane (lv[i - 1].m, lv[i - 1].w, lv[i - 1].h, 1, lv[i].m, lv[i].w, lv[i].h, tmp);
    }

  /* Collapse from the top: r_top = m g; r_i = m_i (g_i - E g_{i+1}) + E r_{i+1}. */
  {
    Level *top = &lv[n_levels - 1];
    gsize n = (gsize) top->w * top->h;

    for (gsize p = 0; p < n; p++)
      for (int c = 0; c < 3; c++)
        top->r[3 * p + c] = top->m[p] * top->g[3 * p + c];
  }
  for (int i = n_levels - 2; i >= 1; i--)
    {
      Level *l = &lv[i], *u = &lv[i + 1];

      for (int y = 0; y < l->h; y++)
        {
          const float *g = l->g + (gsize) y * 3 * l->w, *m = l->m + (gsize) y * l->w;
          float *r = l->r + (gsize) y * 3 * l->w;

          expand_row (u->g, u->w, u->h, y, l->w, tmp, eg);
          expand_row (u->r, u->w, u->h, y, l->w, tmp, er);
          for (int x = 0; x < l->w; x++)
            for (int c = 0; c < 3; c++)
              r[3 * x + c] = m[x] * (g[3 * x + c] - eg[3 * x + c]) + er[3 * x + c];
        }
    }

  /* The finest level, straight into @out (which may alias an input: row y
   * is read before it is written, and nothing reads it afterwards). */
  for (int y = 0; y < h; y++)
    {
      const guint8 *s = lk_image_row (swap, y), *o = lk_image_row (original, y);
      const guint8 *m = lk_image_row (mask, y);
      guint8 *d = lk_image_row (out, y);

      expand_row (lv[1].g, lv[1].w, lv[1].h, y, w, tmp, eg);
      expand_row (lv[1].r, lv[1].w, lv[1].h, y, w, tmp, er);
      for (int x = 0; x < w; x++)
        {
          float a = m[x] * (1.0f / 255);

          for (int c = 0; c < 3; c++)
            {
              int i = 3 * x + c;
              float ov = o[i];
              float v = ov + a * ((float) s[i] - ov - eg[i]) + er[i] + 0.5f;

              d[i] = (guint8) CLAMP (v, 0.0f, 255.0f);
            }
        }
    }
  return TRUE;
}
