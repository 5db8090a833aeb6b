/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

typedef enum
{
  LK_BLEND_ALPHA,     /* out = mask * swap + (1 - mask) * original */
  LK_BLEND_LAPLACIAN, /* per band of a Laplacian pyramid (Burt & Adelson 1983) */
} LkBlendMode;

/* The most pyramid levels lk_blend() uses (the base included). */
#define LK_BLEND_MAX_LEVELS 10

/**
 * LkBlendWorkspace:
 * The pyramids of lk_blend(), kept between calls so that a preview's
 * repeated blends do not allocate. One per thread.
 */
typedef struct _LkBlendWorkspace LkBlendWorkspace;

LkBlendWorkspace *lk_blend_workspace_new  (void);
void              lk_blend_workspace_free (LkBlendWorkspace *workspace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkBlendWorkspace, lk_blend_workspace_free)

/**
 * lk_blend:
 * @mode: alpha or Laplacian
 * @levels: for %LK_BLEND_LAPLACIAN, the number of pyramid levels, the full
 *   resolution one included (each further level halves the size, rounding
 *   up, so any size works); fewer are used when the region is too small for
 *   them (the coarsest level keeps at least 4 pixels per side). 1 is an
 *   alpha blend. Typical: 4-6
 * @swap: the (colour-matched) swapped face over the region, 3 channels
 * @original: the frame's region, 3 channels, the same size
 * @mask: 1 channel, the same size: 255 takes @swap, 0 @original
 * @workspace: (nullable): pyramids to reuse; NULL allocates for this call
 * @out: the result, 3 channels, the same size; may be @swap or @original
 * @error: return location for an error
 *
 * Alpha: out = (m swap + (255 - m) original) / 255, rounded, per pixel.
 *
 * Laplacian: the difference d = swap - original is decomposed into a
 * Laplacian pyramid (5-tap binomial filter, edges replicated, float), each
 * band is multiplied by the same level of the mask's Gaussian pyramid, and
 * the sum collapsed onto the original: by linearity this equals blending
 * the two images' Laplacian pyramids band by band, with half the work. A
 * mask of all 255 returns @swap and all 0 returns @original (exactly, up to
 * float rounding before the final rounding to 8 bits). Full-resolution
 * differences are never stored: the finest level is read from the 8-bit
 * buffers as it is filtered and written straight into @out.
 *
 * Returns: FALSE with LK_ERROR_INVALID_INPUT for mismatched buffers
 */
gboolean lk_blend (LkBlendMode       mode,
                   int               levels,
                   const LkImage    *swap,
                   const LkImage    *original,
                   const LkImage    *mask,
                   LkBlendWorkspace *workspace,
                   LkImage          *out,
                   GError          **error);

G_END_DECLS
