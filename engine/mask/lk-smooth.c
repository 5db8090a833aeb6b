/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-mask"

#include "config.h"

#include "lk-smooth.h"

#include <math.h>
#include <string.h>

LkOneEuroParams
lk_one_euro_params_from_strength (double strength)
{
  LkOneEuroParams p;
  double s = CLAMP (strength, 0.0, 1.0);

  p.min_cutoff = pow (10.0, 1.0 - 1.8 * s);
  p.beta = 5.0 * (1.0 - 0.5 * s);
  p.d_cutoff = 1.0;
  return p;
}

/* ---- landmarks ---- */

struct _LkLandmarkSmoother
{
  LkOneEuroParams params;
  gboolean        bypass;
  gboolean        primed;
  double          last_t;
  float           x[LK_FACE_N_LANDMARKS][2];  /* filtered positions */
  float           dx[LK_FACE_N_LANDMARKS][2]; /* filtered velocities, face sizes per second */
};

static double
smoothing_factor (double dt,
                  double cutoff)
{
  double tau = 1.0 / (2 * G_PI * cutoff);

  return 1.0 / (1.0 + tau / dt);
}

LkLandmarkSmoother *
lk_landmark_smoother_new (double strength)
{
  LkLandmarkSmoother *self = g_new0 (LkLandmarkSmoother, 1);
  LkOneEuroParams params = lk_one_euro_params_from_strength (strength);

  lk_landmark_smoother_set_params (self, &params);
  self->bypass = strength <= 0;
  return self;
}

void
lk_landmark_smoother_free (LkLandmarkSmoother *self)
{
  g_free (self);
}

void
lk_landmark_smoother_set_params (LkLandmarkSmoother    *self,
                                 const LkOneEuroParams *params)
{
  g_return_if_fail (self != NULL && params != NULL);

  self->params = *params;
  self->bypass = !(params->min_cutoff > 0) || params->min_cutoff >= 1e6;
}

void
lk_landmark_smoother_reset (LkLandmarkSmoother *self)
{
  g_return_if_fail (self != NULL);

  self->primed = FALSE;
}

void
lk_landmark_smoother_filter (LkLandmarkSmoother *self,
                             double              t,
                             const float         in[LK_FACE_N_LANDMARKS][2],
                             float               out[LK_FACE_N_LANDMARKS][2])
{
  double cx = 0, cy = 0, scale = 0, dt, ad;

  g_return_if_fail (self != NULL && in != NULL && out != NULL);

  if (self->bypass || !self->primed || !(t > self->last_t))
    {
      memcpy (self->x, in, sizeof self->x);
      memset (self->dx, 0, sizeof self->dx);
      self->primed = TRUE;
      self->last_t = t;
      if (out != in)
        memcpy (out, in, sizeof self->x);
      return;
    }

  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      cx += in[i][0];
      cy += in[i][1];
    }
  cx /= LK_FACE_N_LANDMARKS;
  cy /= LK_FACE_N_LANDMARKS;
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    scale += (in[i][0] - cx) * (in[i][0] - cx) + (in[i][1] - cy) * (in[i][1] - cy);
  scale = MAX (sqrt (scale / LK_FACE_N_LANDMARKS), 1e-3);

  dt = t - self->last_t;
  self->last_t = t;
  ad = smoothing_factor (dt, self->params.d_cutoff);
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      double vx = (in[i][0] - self->x[i][0]) / (dt * scale);
      double vy = (in[i][1] - self->x[i][1]) / (dt * scale);
      double ex = self->dx[i][0] + ad * (vx - self->dx[i][0]);
      double ey = self->dx[i][1] + ad * (vy - self->dx[i][1]);
      double a = smoothing_factor (dt, self->params.min_cutoff + self->params.beta * hypot (ex, ey));

      /* The velocity is low-passed as a vector, before its magnitude is
       * taken, so that jitter (whose direction changes every frame) adds
       * little to the speed. */
      self->dx[i][0] = (float) ex;
      self->dx[i][1] = (float) ey;
      self->x[i][0] = (float) (self->x[i][0] + a * (in[i][0] - self->x[i][0]));
      self->x[i][1] = (float) (self->x[i][1] + a * (in[i][1] - self->x[i][1]));
    }
  memcpy (out, self->x, sizeof self->x);
}

/* ---- masks ---- */

struct _LkMaskSmoother
{
  int      size;
  double   tau;
  gboolean primed;
  double   last_t;
  float   *acc;    /* size x size average */
  LkImage *cur;    /* this frame's mask in the averaged space */
  LkImage *back;   /* the average, 8-bit, in that space */
  LkImage *region; /* the average warped back to the region */
};

LkMaskSmoother *
lk_mask_smoother_new (int    size,
                      double strength)
{
  LkMaskSmoother *self = g_new0 (LkMaskSmoother, 1);

  self->size = size > 0 ? size : 256;
  self->acc = g_new0 (float, (gsize) self->size * self->size);
  self->cur = lk_image_new (self->size, self->size, 1);
  self->back = lk_image_new (self->size, self->size, 1);
  lk_mask_smoother_set_strength (self, strength);
  return self;
}

void
lk_mask_smoother_free (LkMaskSmoother *self)
{
  if (self == NULL)
    return;
  g_free (self->acc);
  g_clear_pointer (&self->cur, lk_image_free);
  g_clear_pointer (&self->back, lk_image_free);
  g_clear_pointer (&self->region, lk_image_free);
  g_free (self);
}

void
lk_mask_smoother_set_strength (LkMaskSmoother *self,
                               double          strength)
{
  g_return_if_fail (self != NULL);

  self->tau = 0.25 * CLAMP (strength, 0.0, 1.0);
}

void
lk_mask_smoother_apply (LkMaskSmoother     *self,
                        double              t,
                        const LkAlignment  *alignment,
                        const LkMaskRegion *region,
                        LkImage            *mask)
{
  LkAffine to_avg;
  double k, a;
  int n;

  g_return_if_fail (self != NULL && alignment != NULL && region != NULL);
  g_return_if_fail (mask != NULL && mask->channels == 1);
  g_return_if_fail (mask->width == region->width && mask->height == region->height);

  if (self->tau <= 0)
    {
      self->primed = FALSE;
      return;
    }

  /* Region pixels -> the averaged square: face space shifted by half a crop
   * and scaled so that two crops fit. */
  k = (double) self->size / (2.0 * MAX (alignment->size, 1));
  to_avg = alignment->frame_to_face;
  to_avg.m[2] += to_avg.m[0] * region->x + to_avg.m[1] * region->y + alignment->size / 2.0;
  to_avg.m[5] += to_avg.m[3] * region->x + to_avg.m[4] * region->y + alignment->size / 2.0;
  for (int i = 0; i < 6; i++)
    to_avg.m[i] *= k;

  if (!lk_warp_affine (mask, self->cur, &to_avg, LK_WARP_BORDER_CONSTANT, 0))
    return;

  n = self->size * self->size;
  if (!self->primed || !(t > self->last_t))
    a = 1.0;
  else
    a = 1.0 - exp (-(t - self->last_t) / self->tau);
  self->primed = TRUE;
  self->last_t = t;
  for (int y = 0; y < self->size; y++)
    {
      const guint8 *c = lk_image_row (self->cur, y);
      guint8 *b = lk_image_row (self->back, y);
      float *acc = self->acc + (gsize) y * self->size;

      for (int x = 0; x < self->size; x++)
        {
          acc[x] += (float) a * (c[x] - acc[x]);
          b[x] = (guint8) (acc[x] + 0.5f);
        }
    }
  (void) n;

  if (self->region == NULL || self->region->width != mask->width
      || self->region->height != mask->height)
    {
      g_clear_pointer (&self->region, lk_image_free);
      self->region = lk_image_new (mask->width, mask->height, 1);
    }
  lk_warp_affine_inverse (self->back, self->region, &to_avg, LK_WARP_BORDER_CONSTANT, 0);

  /* Inside the square the average, outside it the frame's own mask. */
  for (int y = 0; y < mask->height; y++)
    {
      guint8 *m = lk_image_row (mask, y);
      const guint8 *s = lk_image_row (self->region, y);
      double u = to_avg.m[1] * y + to_avg.m[2], v = to_avg.m[4] * y + to_avg.m[5];
      double lim = self->size - 1;

      for (int x = 0; x < mask->width; x++, u += to_avg.m[0], v += to_avg.m[3])
        if (u >= 0 && v >= 0 && u <= lim && v <= lim)
          m[x] = s[x];
    }
}
