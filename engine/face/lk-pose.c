/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-pose"

#include "config.h"

#include "lk-pose.h"

#include <math.h>

/*
 * The generic 3D face: x and y are the mean face of lk-align.c (x to the
 * image's right, y turned to point up), z points towards the camera, in the
 * same units. The depths are approximate: the six points of the widely used
 * head-pose model (nose tip 0, chin -65, outer eye corners -135, mouth
 * corners -125, with 450 units between the eye corners, i.e. 610 units per
 * mean-face unit) scaled into mean-face units, and the other points
 * interpolated by hand along the face's profile (brows and nose bridge
 * behind the nose tip, the jaw curving back to about -0.6 at the ears). The
 * depths are symmetric, so mirrored landmarks give opposite yaw and roll.
 */
static const float depth[LK_FACE_N_LANDMARKS] = {
  /* jaw 0-16 */
  -0.60f, -0.58f, -0.55f, -0.50f, -0.43f, -0.34f, -0.24f, -0.15f, -0.107f,
  -0.15f, -0.24f, -0.34f, -0.43f, -0.50f, -0.55f, -0.58f, -0.60f,
  /* brows 17-26 */
  -0.30f, -0.22f, -0.17f, -0.14f, -0.13f, -0.13f, -0.14f, -0.17f, -0.22f, -0.30f,
  /* nose 27-35 */
  -0.18f, -0.12f, -0.06f, 0.0f, -0.13f, -0.08f, -0.06f, -0.08f, -0.13f,
  /* eyes 36-47 */
  -0.221f, -0.17f, -0.17f, -0.19f, -0.18f, -0.18f,
  -0.19f, -0.17f, -0.17f, -0.221f, -0.18f, -0.18f,
  /* mouth 48-67 */
  -0.205f, -0.15f, -0.11f, -0.10f, -0.11f, -0.15f, -0.205f, -0.15f, -0.12f, -0.11f,
  -0.12f, -0.15f, -0.19f, -0.13f, -0.12f, -0.13f, -0.19f, -0.13f, -0.12f, -0.13f,
};

#define N LK_FACE_N_LANDMARKS

/* The centred model points and the inverse of their 3x3 scatter matrix,
 * computed once. */
static double model[N][3];
static double scatter_inv[3][3];

static void
init_model (void)
{
  const float (*mean)[2] = lk_align_mean_face ();
  double c[3] = { 0, 0, 0 }, s[3][3] = { { 0 } }, det;

  for (int i = 0; i < N; i++)
    {
      model[i][0] = mean[i][0];
      model[i][1] = -mean[i][1];
      model[i][2] = depth[i];
      for (int k = 0; k < 3; k++)
        c[k] += model[i][k] / N;
    }
  for (int i = 0; i < N; i++)
    for (int k = 0; k < 3; k++)
      model[i][k] -= c[k];
  for (int i = 0; i < N; i++)
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        s[a][b] += model[i][a] * model[i][b];

  det = s[0][0] * (s[1][1] * s[2][2] - s[1][2] * s[2][1])
        - s[0][1] * (s[1][0] * s[2][2] - s[1][2] * s[2][0])
        + s[0][2] * (s[1][0] * s[2][1] - s[1][1] * s[2][0]);
  g_assert (fabs (det) > 1e-9);
  scatter_inv[0][0] = (s[1][1] * s[2][2] - s[1][2] * s[2][1]) / det;
  scatter_inv[0][1] = (s[0][2] * s[2][1] - s[0][1] * s[2][2]) / det;
  scatter_inv[0][2] = (s[0][1] * s[1][2] - s[0][2] * s[1][1]) / det;
  scatter_inv[1][0] = (s[1][2] * s[2][0] - s[1][0] * s[2][2]) / det;
  scatter_inv[1][1] = (s[0][0] * s[2][2] - s[0][2] * s[2][0]) / det;
  scatter_inv[1][2] = (s[0][2] * s[1][0] - s[0][0] * s[1][2]) / det;
  scatter_inv[2][0] = (s[1][0] * s[2][1] - s[1][1] * s[2][0]) / det;
  scatter_inv[2][1] = (s[0][1] * s[2][0] - s[0][0] * s[2][1]) / det;
  scatter_inv[2][2] = (s[0][0] * s[1][1] - s[0][1] * s[1][0]) / det;
}

gboolean
lk_pose_estimate (const float (*landmarks)[2],
                  LkPose      *out)
{
  static gsize initialised = 0;
  double cx = 0, cy = 0, b[2][3] = { { 0 } }, m[2][3], r[3][3];
  double p, q, t, l1, l2, a1[2], a2[2], s1, s2;

  g_return_val_if_fail (landmarks != NULL && out != NULL, FALSE);

  if (g_once_init_enter (&initialised))
    {
      init_model ();
      g_once_init_leave (&initialised, 1);
    }

  for (int i = 0; i < N; i++)
    {
      cx += landmarks[i][0] / N;
      cy += landmarks[i][1] / N;
    }

  /* Least-squares affine camera: u = M X, with M = U^T X (X^T X)^-1
   * (image y flipped to point up). */
  for (int i = 0; i < N; i++)
    {
      double u = landmarks[i][0] - cx, v = -(landmarks[i][1] - cy);

      for (int k = 0; k < 3; k++)
        {
          b[0][k] += u * model[i][k];
          b[1][k] += v * model[i][k];
        }
    }
  for (int row = 0; row < 2; row++)
    for (int k = 0; k < 3; k++)
      m[row][k] = b[row][0] * scatter_inv[0][k] + b[row][1] * scatter_inv[1][k]
                  + b[row][2] * scatter_inv[2][k];

  /* The nearest scaled rotation: M = A S B^T (SVD), rows of R = A B^T.
   * Eigen-decompose M M^T (2x2, symmetric). */
  p = m[0][0] * m[0][0] + m[0][1] * m[0][1] + m[0][2] * m[0][2];
  q = m[1][0] * m[1][0] + m[1][1] * m[1][1] + m[1][2] * m[1][2];
  t = m[0][0] * m[1][0] + m[0][1] * m[1][1] + m[0][2] * m[1][2];
  {
    double mean = (p + q) / 2, diff = sqrt ((p - q) * (p - q) / 4 + t * t);
    double angle = 0.5 * atan2 (2 * t, p - q);

    l1 = mean + diff;
    l2 = mean - diff;
    a1[0] = cos (angle);
    a1[1] = sin (angle);
    a2[0] = -sin (angle);
    a2[1] = cos (angle);
  }
  if (!(l2 > 1e-12) || !isfinite (l1))
    return FALSE;
  s1 = sqrt (l1);
  s2 = sqrt (l2);

  /* R12 = a1 b1^T + a2 b2^T with b_i = M^T a_i / s_i */
  for (int row = 0; row < 2; row++)
    for (int k = 0; k < 3; k++)
      {
        double b1 = (m[0][k] * a1[0] + m[1][k] * a1[1]) / s1;
        double b2 = (m[0][k] * a2[0] + m[1][k] * a2[1]) / s2;

        r[row][k] = a1[row] * b1 + a2[row] * b2;
      }
  r[2][0] = r[0][1] * r[1][2] - r[0][2] * r[1][1];
  r[2][1] = r[0][2] * r[1][0] - r[0][0] * r[1][2];
  r[2][2] = r[0][0] * r[1][1] - r[0][1] * r[1][0];

  /* R = Rz (roll) Ry (yaw) Rx (pitch), camera axes x right, y up, z to the
   * viewer. Positive yaw about +y turns the nose (+z) towards +x (the
   * image's right); positive rotation about +x turns the nose down and about
   * +z turns the face anticlockwise on screen, hence the signs below. */
  out->yaw = asin (CLAMP (-r[2][0], -1.0, 1.0)) * 180.0 / G_PI;
  out->pitch = -atan2 (r[2][1], r[2][2]) * 180.0 / G_PI;
  out->roll = -atan2 (r[1][0], r[0][0]) * 180.0 / G_PI;
  out->scale = (s1 + s2) / 2;

  return TRUE;
}
