/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-warp"

#include "config.h"

#include "lk-warp.h"

#include <math.h>
#include <string.h>

void
lk_affine_identity (LkAffine *out)
{
  static const LkAffine identity = { { 1, 0, 0, 0, 1, 0 } };

  *out = identity;
}

void
lk_affine_multiply (const LkAffine *a,
                    const LkAffine *b,
                    LkAffine       *out)
{
  const double *p = a->m, *q = b->m;
  LkAffine r;

  r.m[0] = p[0] * q[0] + p[1] * q[3];
  r.m[1] = p[0] * q[1] + p[1] * q[4];
  r.m[2] = p[0] * q[2] + p[1] * q[5] + p[2];
  r.m[3] = p[3] * q[0] + p[4] * q[3];
  r.m[4] = p[3] * q[1] + p[4] * q[4];
  r.m[5] = p[3] * q[2] + p[4] * q[5] + p[5];
  *out = r;
}

gboolean
lk_affine_invert (const LkAffine *a,
                  LkAffine       *out)
{
  const double *p = a->m;
  double det = p[0] * p[4] - p[1] * p[3];
  LkAffine r;

  if (!isfinite (det) || fabs (det) < 1e-12)
    return FALSE;

  r.m[0] = p[4] / det;
  r.m[1] = -p[1] / det;
  r.m[3] = -p[3] / det;
  r.m[4] = p[0] / det;
  r.m[2] = -(r.m[0] * p[2] + r.m[1] * p[5]);
  r.m[5] = -(r.m[3] * p[2] + r.m[4] * p[5]);
  *out = r;

  return TRUE;
}

void
lk_affine_apply (const LkAffine *a,
                 double          x,
                 double          y,
                 double         *out_x,
                 double         *out_y)
{
  double rx = a->m[0] * x + a->m[1] * y + a->m[2];
  double ry = a->m[3] * x + a->m[4] * y + a->m[5];

  *out_x = rx;
  *out_y = ry;
}

#define FIX_SHIFT 16
#define FIX_ONE   (1 << FIX_SHIFT)

/* The four neighbours of a sample when it straddles the border: each one
 * inside the image is read, each one outside is the constant or the nearest
 * edge pixel. */
static inline const guint8 *
border_pixel (const LkImage *src,
              gint64         x,
              gint64         y,
              LkWarpBorder   border,
              const guint8  *constant)
{
  if (x >= 0 && y >= 0 && x < src->width && y < src->height)
    return lk_image_pixel (src, (int) x, (int) y);
  if (border == LK_WARP_BORDER_CONSTANT)
    return constant;
  x = CLAMP (x, 0, src->width - 1);
  y = CLAMP (y, 0, src->height - 1);
  return lk_image_pixel (src, (int) x, (int) y);
}

/* One destination row. Inlined with a constant @channels for 1, 3 and 4 so
 * the channel loop unrolls. */
static inline void
warp_row (const LkImage *src,
          guint8        *out,
          int            width,
          gint64         sx,
          gint64         sy,
          gint64         dx,
          gint64         dy,
          int            channels,
          LkWarpBorder   border,
          const guint8  *constant)
{
  const gint64 max_x = src->width - 1;
  const gint64 max_y = src->height - 1;
  const gsize stride = src->stride;

  for (int x = 0; x < width; x++, sx += dx, sy += dy, out += channels)
    {
      gint64 ix = sx >> FIX_SHIFT;
      gint64 iy = sy >> FIX_SHIFT;
      guint32 fx = (guint32) (sx >> (FIX_SHIFT - 8)) & 0xff;
      guint32 fy = (guint32) (sy >> (FIX_SHIFT - 8)) & 0xff;
      guint32 w00 = (256 - fx) * (256 - fy);
      guint32 w01 = fx * (256 - fy);
      guint32 w10 = (256 - fx) * fy;
      guint32 w11 = fx * fy;
      const guint8 *p00, *p01, *p10, *p11;

      if (G_LIKELY (ix >= 0 && iy >= 0 && ix < max_x && iy < max_y))
        {
          p00 = src->data + (gsize) iy * stride + (gsize) ix * channels;
          p01 = p00 + channels;
          p10 = p00 + stride;
          p11 = p10 + channels;
        }
      else
        {
          if (border == LK_WARP_BORDER_CONSTANT
              && (ix < -1 || iy < -1 || ix > max_x || iy > max_y))
            {
              memset (out, constant[0], channels);
              continue;
            }
          p00 = border_pixel (src, ix, iy, border, constant);
          p01 = border_pixel (src, ix + 1, iy, border, constant);
          p10 = border_pixel (src, ix, iy + 1, border, constant);
          p11 = border_pixel (src, ix + 1, iy + 1, border, constant);
        }

      for (int c = 0; c < channels; c++)
        out[c] = (guint8) ((p00[c] * w00 + p01[c] * w01 + p10[c] * w10 + p11[c] * w11 + 32768)
                           >> 16);
    }
}

void
lk_warp_affine_inverse (const LkImage  *src,
                        LkImage        *dst,
                        const LkAffine *dst_to_src,
                        LkWarpBorder    border,
                        guint8          border_value)
{
  guint8 constant[16];
  const double *m = dst_to_src->m;
  gint64 dx, dy;

  g_return_if_fail (src != NULL && dst != NULL && dst_to_src != NULL);
  g_return_if_fail (src->channels == dst->channels);
  g_return_if_fail (src->channels <= (int) sizeof constant);

  memset (constant, border_value, sizeof constant);
  dx = (gint64) llround (m[0] * FIX_ONE);
  dy = (gint64) llround (m[3] * FIX_ONE);

  for (int y = 0; y < dst->height; y++)
    {
      /* Row start in double, then exact fixed-point steps along the row. */
      gint64 sx = (gint64) llround ((m[1] * y + m[2]) * FIX_ONE);
      gint64 sy = (gint64) llround ((m[4] * y + m[5]) * FIX_ONE);
      guint8 *out = lk_image_row (dst, y);

      switch (src->channels)
        {
        case 1:
          warp_row (src, out, dst->width, sx, sy, dx, dy, 1, border, constant);
          break;
        case 3:
          warp_row (src, out, dst->width, sx, sy, dx, dy, 3, border, constant);
          break;
        case 4:
          warp_row (src, out, dst->width, sx, sy, dx, dy, 4, border, constant);
          break;
        default:
          warp_row (src, out, dst->width, sx, sy, dx, dy, src->channels, border, constant);
          break;
        }
    }
}

gboolean
lk_warp_affine (const LkImage  *src,
                LkImage        *dst,
                const LkAffine *src_to_dst,
                LkWarpBorder    border,
                guint8          border_value)
{
  LkAffine inverse;

  g_return_val_if_fail (src != NULL && dst != NULL && src_to_dst != NULL, FALSE);

  if (src->channels != dst->channels)
    return FALSE;
  if (!lk_affine_invert (src_to_dst, &inverse))
    return FALSE;

  lk_warp_affine_inverse (src, dst, &inverse, border, border_value);
  return TRUE;
}
