/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/**
 * LkAffine:
 * A 2x3 affine matrix, row-major: a point (x, y) maps to
 * (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
 *
 * Pixel centres are at integer coordinates: pixel (0, 0) covers
 * [-0.5, 0.5) x [-0.5, 0.5). (OpenCV's warpAffine and dlib use the same.)
 */
typedef struct
{
  double m[6];
} LkAffine;

typedef enum
{
  LK_WARP_BORDER_CONSTANT,  /* outside the source reads as a constant value */
  LK_WARP_BORDER_REPLICATE, /* outside the source reads as the nearest edge pixel */
} LkWarpBorder;

void     lk_affine_identity  (LkAffine       *out);
/* out = a o b (apply b first, then a). @out may be @a or @b. */
void     lk_affine_multiply  (const LkAffine *a,
                              const LkAffine *b,
                              LkAffine       *out);
/* Returns FALSE (and leaves @out alone) when @a is singular. */
gboolean lk_affine_invert    (const LkAffine *a,
                              LkAffine       *out);
void     lk_affine_apply     (const LkAffine *a,
                              double          x,
                              double          y,
                              double         *out_x,
                              double         *out_y);

/**
 * lk_warp_affine:
 * @src: the source image (any channel count)
 * @dst: the destination, already allocated, with as many channels as @src
 * @src_to_dst: maps source coordinates to destination coordinates (as
 *   OpenCV's warpAffine without WARP_INVERSE_MAP); it is inverted once
 * @border: what pixels outside @src read as
 * @border_value: the constant for %LK_WARP_BORDER_CONSTANT (all channels)
 *
 * Fills every pixel of @dst by bilinear interpolation of @src. Source
 * coordinates advance incrementally along each row in 16.16 fixed point and
 * weights are 8-bit, so there is no division or floating point per pixel.
 *
 * Returns: FALSE if @src_to_dst is singular or the channel counts differ
 *   (@dst is left untouched).
 */
gboolean lk_warp_affine      (const LkImage  *src,
                              LkImage        *dst,
                              const LkAffine *src_to_dst,
                              LkWarpBorder    border,
                              guint8          border_value);

/* As lk_warp_affine() with the inverse matrix given directly (destination
 * coordinates to source coordinates). */
void     lk_warp_affine_inverse (const LkImage  *src,
                                 LkImage        *dst,
                                 const LkAffine *dst_to_src,
                                 LkWarpBorder    border,
                                 guint8          border_value);

G_END_DECLS
