/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-align"

#include "config.h"

#include "lk-align.h"

#include <math.h>

/*
 * The mean face.
 *
 * Points 17-67 are the normalised mean face that DeepFaceLab
 * (core/mathlib/umeyama + facelib/LandmarksProcessor.py, "landmarks_2D")
 * and faceswap (lib/align, the 51-point legacy mean face) align to; it goes
 * back to the original deepfakes/faceswap code.
 *
 * Points 0-16 (the jaw) are not in that table. They come from the mean
 * shape ("initial shape") stored in dlib's shape_predictor_68_face_landmarks.dat
 * (read with lk_dlib_shape_model_mean_shape()): its 51 inner points were
 * mapped onto the table above with the least-squares similarity transform
 * (scale 1.291742, rotation -0.0005 degrees, RMS residual 0.0009: the two
 * mean faces are the same shape), the same transform was applied to its jaw
 * points, and the jaw was then made exactly symmetric about the table's axis
 * x = 0.490127 (pairs i and 16 - i averaged). The same transform puts the
 * predictor's detection box at LK_ALIGN_DLIB_BOX_* (lk-align.h).
 */
static const float mean_face[LK_FACE_N_LANDMARKS][2] = {
  /* jaw 0-16 */
  { -0.117723f, 0.225038f }, { -0.113614f, 0.385837f }, { -0.096411f, 0.546010f },
  { -0.063021f, 0.703079f }, { -0.000391f, 0.848953f }, { 0.095793f, 0.975459f },
  { 0.213455f, 1.081008f },  { 0.343264f, 1.165765f },  { 0.490127f, 1.190950f },
  { 0.636990f, 1.165765f },  { 0.766799f, 1.081008f },  { 0.884461f, 0.975459f },
  { 0.980645f, 0.848953f },  { 1.043275f, 0.703079f },  { 1.076665f, 0.546010f },
  { 1.093868f, 0.385837f },  { 1.097977f, 0.225038f },
  /* brows 17-26 */
  { 0.000213256f, 0.106454f }, { 0.0752622f, 0.038915f }, { 0.18113f, 0.0187482f },
  { 0.29077f, 0.0344891f },    { 0.393397f, 0.0773906f }, { 0.586856f, 0.0773906f },
  { 0.689483f, 0.0344891f },   { 0.799124f, 0.0187482f }, { 0.904991f, 0.038915f },
  { 0.98004f, 0.106454f },
  /* nose 27-35 */
  { 0.490127f, 0.203352f }, { 0.490127f, 0.307009f }, { 0.490127f, 0.409805f },
  { 0.490127f, 0.515625f }, { 0.36688f, 0.587326f },  { 0.426036f, 0.609345f },
  { 0.490127f, 0.628106f }, { 0.554217f, 0.609345f }, { 0.613373f, 0.587326f },
  /* eyes 36-47 */
  { 0.121737f, 0.216423f }, { 0.187122f, 0.178758f }, { 0.265825f, 0.179852f },
  { 0.334606f, 0.231733f }, { 0.260918f, 0.245099f }, { 0.182743f, 0.244077f },
  { 0.645647f, 0.231733f }, { 0.714428f, 0.179852f }, { 0.793132f, 0.178758f },
  { 0.858516f, 0.216423f }, { 0.79751f, 0.244077f },  { 0.719335f, 0.245099f },
  /* mouth 48-67 */
  { 0.254149f, 0.780233f }, { 0.340985f, 0.745405f }, { 0.428858f, 0.727388f },
  { 0.490127f, 0.742578f }, { 0.551395f, 0.727388f }, { 0.639268f, 0.745405f },
  { 0.726104f, 0.780233f }, { 0.642159f, 0.864805f }, { 0.556721f, 0.902192f },
  { 0.490127f, 0.909281f }, { 0.423532f, 0.902192f }, { 0.338094f, 0.864805f },
  { 0.290379f, 0.784792f }, { 0.428096f, 0.778746f }, { 0.490127f, 0.785343f },
  { 0.552157f, 0.778746f }, { 0.689874f, 0.784792f }, { 0.553364f, 0.824182f },
  { 0.490127f, 0.831803f }, { 0.42689f, 0.824182f },
};

#define FIRST_INNER 17
#define N_INNER     (LK_FACE_N_LANDMARKS - FIRST_INNER)

const float (*lk_align_mean_face (void))[2]
{
  return mean_face;
}

/* In two dimensions Umeyama's SVD solution has a closed form: with centred
 * points p (source) and q (destination), the best rotation has angle
 * atan2 (sum p x q, sum p . q) and scale |(sum p.q, sum p x q)| / sum |p|^2.
 * That is the proper rotation (det +1), which is what Umeyama's sign
 * correction S = diag (1, -1) gives when the unconstrained optimum would be
 * a reflection. */
gboolean
lk_align_umeyama (const float (*src)[2],
                  const float (*dst)[2],
                  int           n,
                  LkAffine     *out)
{
  double sx = 0, sy = 0, dx = 0, dy = 0;
  double dot = 0, cross = 0, norm = 0;
  double a, b;

  g_return_val_if_fail (src != NULL && dst != NULL && out != NULL && n > 0, FALSE);

  for (int i = 0; i < n; i++)
    {
      sx += src[i][0];
      sy += src[i][1];
      dx += dst[i][0];
      dy += dst[i][1];
    }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;

  for (int i = 0; i < n; i++)
    {
      double px = src[i][0] - sx, py = src[i][1] - sy;
      double qx = dst[i][0] - dx, qy = dst[i][1] - dy;

      dot += px * qx + py * qy;
      cross += px * qy - py * qx;
      norm += px * px + py * py;
    }

  if (!(norm > 1e-12) || !isfinite (norm))
    return FALSE;

  /* q = [a -b; b a] p */
  a = dot / norm;
  b = cross / norm;
  out->m[0] = a;
  out->m[1] = -b;
  out->m[2] = dx - (a * sx - b * sy);
  out->m[3] = b;
  out->m[4] = a;
  out->m[5] = dy - (b * sx + a * sy);

  return TRUE;
}

LkAlignParams
lk_align_params_default (void)
{
  LkAlignParams params = {
    .size = 256,
    .coverage = 0.625,
  };

  return params;
}

/* template -> crop pixels */
static void
template_to_crop (const LkAlignParams *params,
                  LkAffine            *out)
{
  double s = params->size * params->coverage;
  double offset = params->size * (1.0 - params->coverage) / 2.0;

  /* Pixel centres at integers: the template's unit square covers
   * [offset - 0.5, offset + s - 0.5]. */
  *out = (LkAffine) { { s, 0, offset - 0.5, 0, s, offset - 0.5 } };
}

static double
fit_residual (const float (*points)[2],
              const LkAffine *to_template)
{
  double sum = 0;

  for (int i = FIRST_INNER; i < LK_FACE_N_LANDMARKS; i++)
    {
      double x, y;

      lk_affine_apply (to_template, points[i][0], points[i][1], &x, &y);
      sum += (x - mean_face[i][0]) * (x - mean_face[i][0])
             + (y - mean_face[i][1]) * (y - mean_face[i][1]);
    }

  return sqrt (sum / N_INNER);
}

gboolean
lk_align_compute (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                  const LkAlignParams *params,
                  LkAlignment         *out)
{
  LkAffine to_template, to_crop;

  g_return_val_if_fail (landmarks != NULL && params != NULL && out != NULL, FALSE);
  g_return_val_if_fail (params->size > 0 && params->coverage > 0, FALSE);

  if (!lk_align_umeyama (landmarks + FIRST_INNER, mean_face + FIRST_INNER, N_INNER, &to_template))
    return FALSE;

  template_to_crop (params, &to_crop);
  lk_affine_multiply (&to_crop, &to_template, &out->frame_to_face);
  if (!lk_affine_invert (&out->frame_to_face, &out->face_to_frame))
    return FALSE;
  out->size = params->size;
  out->coverage = params->coverage;
  out->residual = fit_residual (landmarks, &to_template);

  return TRUE;
}

LkImage *
lk_align_extract (const LkImage     *frame,
                  const LkAlignment *alignment)
{
  LkImage *face;

  g_return_val_if_fail (frame != NULL && alignment != NULL && alignment->size > 0, NULL);

  face = lk_image_new (alignment->size, alignment->size, frame->channels);
  lk_warp_affine_inverse (frame, face, &alignment->face_to_frame, LK_WARP_BORDER_REPLICATE, 0);

  return face;
}

void
lk_align_transform_points (const LkAffine *affine,
                           const float   (*in)[2],
                           float         (*out)[2],
                           int             n)
{
  for (int i = 0; i < n; i++)
    {
      double x, y;

      lk_affine_apply (affine, in[i][0], in[i][1], &x, &y);
      out[i][0] = (float) x;
      out[i][1] = (float) y;
    }
}

void
lk_align_template_points (const LkAlignParams *params,
                          float                out[LK_FACE_N_LANDMARKS][2])
{
  LkAffine to_crop;

  template_to_crop (params, &to_crop);
  lk_align_transform_points (&to_crop, mean_face, out, LK_FACE_N_LANDMARKS);
}

double
lk_align_shape_residual (const float (*landmarks)[2])
{
  LkAffine to_template;

  if (!lk_align_umeyama (landmarks + FIRST_INNER, mean_face + FIRST_INNER, N_INNER, &to_template))
    return G_MAXDOUBLE;

  return fit_residual (landmarks, &to_template);
}
