/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-mask"

#include "config.h"

#include "lk-colour.h"

#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-mask-private.h"

/* RGB -> LMS and back (Reinhard et al. 2001). */
static const float rgb_to_lms[3][3] = {
  { 0.3811f, 0.5783f, 0.0402f },
  { 0.1967f, 0.7244f, 0.0782f },
  { 0.0241f, 0.1288f, 0.8444f },
};
static const float lms_to_rgb[3][3] = {
  { 4.4679f, -3.5873f, 0.1193f },
  { -1.2186f, 2.3809f, -0.1624f },
  { 0.0497f, -0.2439f, 1.2045f },
};

/* The same in fixed point, scaled to give LMS x LOG_SCALE directly:
 * round (rgb_to_lms x LOG_SCALE x 2^LMS_SHIFT). */
#define LMS_SHIFT 12
static gint32 lms_fix[3][3];

/* log (LMS + 1) by table: LMS is quantised to 1/LOG_SCALE. */
#define LOG_SCALE 16
#define LOG_N     (255 * LOG_SCALE + 2)
/* exp (v) - 1 by table for v in [EXP_MIN, EXP_MAX], step 1/EXP_SCALE. */
#define EXP_MIN   (-1.0f)
#define EXP_MAX   6.5f
#define EXP_SCALE 2048
#define EXP_N     (15 * EXP_SCALE / 2 + 1) /* (EXP_MAX - EXP_MIN) * EXP_SCALE + 1 */

static float log_table[LOG_N];
static float exp_table[EXP_N];

static void
init_tables (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      for (int i = 0; i < LOG_N; i++)
        log_table[i] = (float) log1p ((double) i / LOG_SCALE);
      for (int i = 0; i < EXP_N; i++)
        exp_table[i] = (float) expm1 (EXP_MIN + (double) i / EXP_SCALE);
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
          lms_fix[i][j] = (gint32) lround (rgb_to_lms[i][j] * LOG_SCALE * (1 << LMS_SHIFT));
      g_once_init_leave (&done, 1);
    }
}

static inline void
pixel_log_lms (const guint8 *p,
               float         v[3])
{
  for (int i = 0; i < 3; i++)
    v[i] = log_table[(lms_fix[i][0] * p[0] + lms_fix[i][1] * p[1] + lms_fix[i][2] * p[2]
                      + (1 << (LMS_SHIFT - 1))) >> LMS_SHIFT];
}

/* lαβ from log LMS. */
static const double A[3][3] = {
  { 0.57735026918962576, 0.57735026918962576, 0.57735026918962576 },
  { 0.40824829046386302, 0.40824829046386302, -0.81649658092772603 },
  { 0.70710678118654752, -0.70710678118654752, 0.0 },
};

/* Weighted lαβ statistics over every @step-th pixel of every @step-th row. */
static gboolean
lab_stats (const LkImage *image,
           const LkImage *mask,
           int            step,
           double         mean[3],
           double         std[3])
{
  double s[3] = { 0 }, s2[3] = { 0 }, wsum = 0;

  init_tables ();
  for (int y = 0; y < image->height; y += step)
    {
      const guint8 *row = lk_image_row (image, y);
      const guint8 *m = mask != NULL ? lk_image_row (mask, y) : NULL;
      float rs[3] = { 0 }, rs2[3] = { 0 };
      guint rw = 0;

      for (int x = 0; x < image->width; x += step)
        {
          float v[3], lab[3], w = m != NULL ? m[x] : 255;

          if (w == 0)
            continue;
          pixel_log_lms (row + 3 * x, v);
          lab[0] = (float) A[0][0] * (v[0] + v[1] + v[2]);
          lab[1] = (float) A[1][0] * (v[0] + v[1] - 2 * v[2]);
          lab[2] = (float) A[2][0] * (v[0] - v[1]);
          for (int c = 0; c < 3; c++)
            {
              rs[c] += w * lab[c];
              rs2[c] += w * lab[c] * lab[c];
            }
          rw += (guint) w;
        }
      for (int c = 0; c < 3; c++)
        {
          s[c] += rs[c];
          s2[c] += rs2[c];
        }
      wsum += rw;
    }
  if (wsum <= 0)
    return FALSE;
  for (int c = 0; c < 3; c++)
    {
      mean[c] = s[c] / wsum;
      std[c] = sqrt (MAX (s2[c] / wsum - mean[c] * mean[c], 0));
    }
  return TRUE;
}

gboolean
lk_colour_lab_stats (const LkImage *image,
                     const LkImage *mask,
                     double         mean[3],
                     double         std[3])
{
  g_return_val_if_fail (image != NULL && image->channels == 3, FALSE);
  g_return_val_if_fail (mask == NULL || (mask->channels == 1 && _lk_same_dims (image, mask)),
                        FALSE);

  return lab_stats (image, mask, 1, mean, std);
}

static gboolean
invert3 (const double m[3][3],
         double       out[3][3])
{
  double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
               - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
               + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);

  if (fabs (det) < 1e-12)
    return FALSE;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      {
        int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;

        out[i][j] = (m[i1][j1] * m[i2][j2] - m[i1][j2] * m[i2][j1]) / det;
      }
  return TRUE;
}

static void
reinhard (const LkImage *swap,
          const double   ms[3],
          const double   ss[3],
          const double   mt[3],
          const double   st[3],
          LkImage       *out)
{
  double ainv[3][3], da[3][3], md[3][3], off[3];
  float m[3][3], b[3];

  /* In log LMS space: v' = A^-1 D A v + A^-1 (mt - D ms). */
  invert3 (A, ainv);
  for (int i = 0; i < 3; i++)
    {
      double d = ss[i] > 1e-6 ? CLAMP (st[i] / ss[i], 0.1, 10.0) : 1.0;

      for (int j = 0; j < 3; j++)
        da[i][j] = d * A[i][j];
      off[i] = mt[i] - d * ms[i];
    }
  for (int i = 0; i < 3; i++)
    {
      double bi = 0;

      for (int j = 0; j < 3; j++)
        {
          double s = 0;

          for (int k = 0; k < 3; k++)
            s += ainv[i][k] * da[k][j];
          md[i][j] = s;
          bi += ainv[i][j] * off[j];
        }
      b[i] = (float) bi;
    }
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      m[i][j] = (float) md[i][j];

  /* Row by row in passes that vectorise (integer LMS indices; the 3x3
   * maps), around the table look-ups. */
  for (int y = 0; y < swap->height; y++)
    {
      const guint8 *src = lk_image_row (swap, y);
      guint8 *dst = lk_image_row (out, y);
      int w = swap->width;
      gint32 idx[3][w];
      float e[3][w];

      for (int x = 0; x < w; x++)
        for (int i = 0; i < 3; i++)
          idx[i][x] = (lms_fix[i][0] * src[3 * x] + lms_fix[i][1] * src[3 * x + 1]
                       + lms_fix[i][2] * src[3 * x + 2] + (1 << (LMS_SHIFT - 1))) >> LMS_SHIFT;
      for (int x = 0; x < w; x++)
        {
          float v0 = log_table[idx[0][x]], v1 = log_table[idx[1][x]], v2 = log_table[idx[2][x]];

          for (int i = 0; i < 3; i++)
            {
              float q = (m[i][0] * v0 + m[i][1] * v1 + m[i][2] * v2 + b[i] - EXP_MIN) * EXP_SCALE
                        + 0.5f;
              int k = (int) CLAMP (q, 0.0f, (float) (EXP_N - 1));

              e[i][x] = exp_table[k];
            }
        }
      for (int x = 0; x < w; x++)
        for (int i = 0; i < 3; i++)
          {
            float c = lms_to_rgb[i][0] * e[0][x] + lms_to_rgb[i][1] * e[1][x]
                      + lms_to_rgb[i][2] * e[2][x] + 0.5f;

            dst[3 * x + i] = (guint8) CLAMP (c, 0.0f, 255.0f);
          }
    }
}

/* Per channel: the table that maps @swap's weighted histogram onto
 * @original's through their (mid-bin) cumulative distributions. */
static gboolean
histogram_tables (const LkImage *swap,
                  const LkImage *original,
                  const LkImage *mask,
                  guint8         lut[3][256])
{
  guint64 hs[3][256] = { { 0 } }, ht[3][256] = { { 0 } };
  guint64 total = 0;

  for (int y = 0; y < swap->height; y++)
    {
      const guint8 *s = lk_image_row (swap, y), *t = lk_image_row (original, y);
      const guint8 *m = mask != NULL ? lk_image_row (mask, y) : NULL;

      for (int x = 0; x < swap->width; x++)
        {
          guint w = m != NULL ? m[x] : 255;

          if (w == 0)
            continue;
          for (int c = 0; c < 3; c++)
            {
              hs[c][s[3 * x + c]] += w;
              ht[c][t[3 * x + c]] += w;
            }
          total += w;
        }
    }
  if (total == 0)
    return FALSE;

  for (int c = 0; c < 3; c++)
    {
      double cs[257], ct[257];
      int t = 0;

      cs[0] = ct[0] = 0;
      for (int v = 0; v < 256; v++)
        {
          cs[v + 1] = cs[v] + (double) hs[c][v] / total;
          ct[v + 1] = ct[v] + (double) ht[c][v] / total;
        }
      for (int v = 0; v < 256; v++)
        {
          double q = (cs[v] + cs[v + 1]) / 2, value;

          /* The target value whose bin holds quantile q; within the bin, in
           * proportion. */
          while (t < 255 && ct[t + 1] < q)
            t++;
          if (ct[t + 1] > ct[t])
            value = t - 0.5 + (q - ct[t]) / (ct[t + 1] - ct[t]);
          else
            value = t;
          lut[c][v] = (guint8) CLAMP (lround (value), 0, 255);
        }
    }
  return TRUE;
}

gboolean
lk_colour_transfer (LkColourMode    mode,
                    const LkImage  *swap,
                    const LkImage  *original,
                    const LkImage  *mask,
                    LkImage        *out,
                    GError        **error)
{
  g_return_val_if_fail (swap != NULL && original != NULL && out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!_lk_check_compose_buffers (swap, original, mask, out, "Colour transfer", error))
    return FALSE;

  switch (mode)
    {
    case LK_COLOUR_REINHARD:
      {
        double ms[3], ss[3], mt[3], st[3];
        /* Sample every second pixel unless the region is tiny. */
        int step = (gint64) swap->width * swap->height >= 64 * 64 ? 2 : 1;

        if (lab_stats (swap, mask, step, ms, ss) && lab_stats (original, mask, step, mt, st))
          {
            reinhard (swap, ms, ss, mt, st, out);
            return TRUE;
          }
      }
      break;

    case LK_COLOUR_HISTOGRAM:
      {
        guint8 lut[3][256];

        if (histogram_tables (swap, original, mask, lut))
          {
            for (int y = 0; y < swap->height; y++)
              {
                const guint8 *s = lk_image_row (swap, y);
                guint8 *d = lk_image_row (out, y);

                for (int x = 0; x < 3 * swap->width; x += 3)
                  {
                    d[x] = lut[0][s[x]];
                    d[x + 1] = lut[1][s[x + 1]];
                    d[x + 2] = lut[2][s[x + 2]];
                  }
              }
            return TRUE;
          }
      }
      break;

    case LK_COLOUR_NONE:
    default:
      if (out != swap)
        for (int y = 0; y < swap->height; y++)
          memcpy (lk_image_row (out, y), lk_image_row (swap, y), 3 * (gsize) swap->width);
      return TRUE;
    }

  /* Nothing under the mask. */
  if (out != swap)
    for (int y = 0; y < swap->height; y++)
      memcpy (lk_image_row (out, y), lk_image_row (swap, y), 3 * (gsize) swap->width);
  g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT, "The mask is empty: no colours to match");
  return FALSE;
}
