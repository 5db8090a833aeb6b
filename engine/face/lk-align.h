/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"
#include "lk-warp.h"

G_BEGIN_DECLS

/* The 68 points of the iBUG 300-W / dlib markup: 0-16 jaw, 17-21 and 22-26
 * brows, 27-35 nose, 36-41 and 42-47 eyes (the image's left eye first),
 * 48-67 mouth. */
#define LK_FACE_N_LANDMARKS 68

/* Template ("mean face") coordinates: the 51 inner points (17-67) span
 * about 0..1 in x (brow tip to brow tip) and 0..0.91 in y (brows to lower
 * lip); the face's symmetry axis is x = 0.490127; the jaw reaches y = 1.19. */

/* Where dlib's shape predictor expects the face box, in template
 * coordinates: a square of side LK_ALIGN_DLIB_BOX_SIDE centred on
 * (LK_ALIGN_DLIB_BOX_CX, LK_ALIGN_DLIB_BOX_CY). (The predictor's mean shape,
 * which is given in box coordinates, maps onto the template with these.) */
#define LK_ALIGN_DLIB_BOX_CX   0.490104
#define LK_ALIGN_DLIB_BOX_CY   0.455034
#define LK_ALIGN_DLIB_BOX_SIDE 1.291742

/* The mean face: LK_FACE_N_LANDMARKS points (x, y) in template coordinates. */
const float (*lk_align_mean_face (void))[2];

/**
 * lk_align_umeyama:
 * @src: @n points
 * @dst: @n points
 * @out: the similarity transform (rotation, uniform scale, translation)
 *   that maps @src onto @dst with the least squared error (Umeyama 1991).
 *   A reflection is never returned: when the best orthogonal fit would be a
 *   reflection, the best proper rotation is returned instead.
 *
 * Returns: FALSE when the points are degenerate (all equal).
 */
gboolean lk_align_umeyama (const float (*src)[2],
                           const float (*dst)[2],
                           int           n,
                           LkAffine     *out);

typedef struct
{
  int    size;     /* side of the square crop in pixels (default 256) */
  double coverage; /* fraction of the crop's side taken by the template's unit square:
                    * 0.625 (the default) is DeepFaceLab's legacy "full face" (a 12/64
                    * margin on each side) and shows brows to chin; smaller values show
                    * more of the head (0.5 ~ "whole face" with forehead), larger ones
                    * crop in (faceswap's coverage 87.5% of a legacy face ~ 0.71) */
} LkAlignParams;

LkAlignParams lk_align_params_default (void);

/**
 * LkAlignment:
 * The result of aligning a face: both directions of the 2x3 matrix between
 * frame pixels and face-crop pixels.
 */
typedef struct
{
  LkAffine frame_to_face;
  LkAffine face_to_frame;
  int      size;
  double   coverage;
  double   residual; /* RMS distance of the fitted inner landmarks from the template,
                      * in template units (about 0.02 for a clean frontal face) */
} LkAlignment;

/* Aligns @landmarks (frame pixels) to the mean face with the 51 inner points
 * (the jaw moves with pose and expression, so it is left out of the fit, as
 * DeepFaceLab and faceswap do). Returns FALSE for degenerate landmarks. */
gboolean lk_align_compute      (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                                const LkAlignParams *params,
                                LkAlignment         *out);

/* Cuts the aligned face out of @frame: a new params->size square image with
 * @frame's channel count (bilinear, edges replicated). */
LkImage *lk_align_extract      (const LkImage       *frame,
                                const LkAlignment   *alignment);

/* out[i] = affine (in[i]) for @n points; @out may be @in. */
void     lk_align_transform_points (const LkAffine *affine,
                                    const float   (*in)[2],
                                    float         (*out)[2],
                                    int             n);

/* The template's landmarks in crop pixels for @params (where aligned faces'
 * landmarks land). */
void     lk_align_template_points (const LkAlignParams *params,
                                   float                out[LK_FACE_N_LANDMARKS][2]);

/* How face-like @landmarks are: the RMS residual of their best similarity
 * fit to the mean face (inner points) in template units; G_MAXDOUBLE if
 * degenerate. */
double   lk_align_shape_residual (const float (*landmarks)[2]);

G_END_DECLS
