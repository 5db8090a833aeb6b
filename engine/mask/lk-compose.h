/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"
#include "lk-blend.h"
#include "lk-colour.h"
#include "lk-image.h"
#include "lk-mask.h"
#include "lk-smooth.h"

G_BEGIN_DECLS

/**
 * LkComposeParams:
 * @mask: the mask's shape, expand/contract and feather
 * @colour: colour transfer (default Reinhard)
 * @blend: blend mode (default Laplacian)
 * @levels: pyramid levels for the Laplacian blend (default 5)
 */
typedef struct
{
  LkMaskParams mask;
  LkColourMode colour;
  LkBlendMode  blend;
  int          levels;
} LkComposeParams;

LkComposeParams lk_compose_params_default (void);

/**
 * LkComposeInput:
 * @region: where the buffers lie in the frame
 * @original: the frame's pixels over @region, 3 channels
 * @swap: (nullable): the swapped face already warped to @region, 3
 *   channels (the preview warps once with lk_compose_warp_to_region() and
 *   re-composes on that cached buffer as sliders move)
 * @face_swap: (nullable): instead of @swap, the model's face-space output
 *   (N x N, 3 channels), warped to @region with @alignment's face_to_frame
 *   on every call
 * @model_mask: (nullable): the model's mask channel, face space, 1 channel;
 *   needs @alignment
 * @alignment: (nullable): the face's alignment on this frame; needed for
 *   @face_swap, @model_mask and @mask_smoother
 * @landmarks: the 68 landmarks in frame pixels (already smoothed over time
 *   by the caller, with an LkLandmarkSmoother, where that is wanted)
 * @mask_smoother: (nullable): temporal smoothing of the mask (converter;
 *   leave NULL in the preview)
 * @timestamp: the frame's time in seconds, for @mask_smoother
 */
typedef struct
{
  LkMaskRegion       region;
  const LkImage     *original;
  const LkImage     *swap;
  const LkImage     *face_swap;
  const LkImage     *model_mask;
  const LkAlignment *alignment;
  const float      (*landmarks)[2];
  LkMaskSmoother    *mask_smoother;
  double             timestamp;
} LkComposeInput;

/**
 * LkComposeTimings:
 * Thread CPU time of the stages of the last lk_compositor_compose(), in
 * milliseconds (warp is 0 when a region-sized swap was given).
 */
typedef struct
{
  double warp_ms;
  double mask_ms;
  double colour_ms;
  double blend_ms;
  double total_ms;
} LkComposeTimings;

/**
 * LkCompositor:
 * Mask + colour transfer + blend over a face region, with every buffer
 * kept between calls (grown when a larger region comes), so that repeated
 * composes - the Masks page's sliders, the converter's frames - allocate
 * nothing once warm. The converter and the preview both call it. One per
 * thread; not thread-safe.
 */
typedef struct _LkCompositor LkCompositor;

LkCompositor *lk_compositor_new  (void);
void          lk_compositor_free (LkCompositor *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkCompositor, lk_compositor_free)

/**
 * lk_compositor_compose:
 * @self: the compositor
 * @params: what to do
 * @input: the buffers and the face
 * @out: the composited region, 3 channels, @input->region's size; may be
 *   @input->original (composited in place)
 * @error: return location for an error
 *
 * Builds the mask from the landmarks (and the model mask), smooths it over
 * time when asked, matches the swap's colours to the original under the
 * mask, and blends. The mask stays available from
 * lk_compositor_get_mask() until the next call (for an overlay view).
 *
 * Returns: FALSE with LK_ERROR_INVALID_INPUT for mismatched buffers or
 *   degenerate landmarks (@out is then untouched)
 */
gboolean      lk_compositor_compose (LkCompositor          *self,
                                     const LkComposeParams *params,
                                     const LkComposeInput  *input,
                                     LkImage               *out,
                                     GError               **error);

/* The mask of the last successful compose (1 channel, region-sized), owned
 * by @self; NULL before the first. */
const LkImage *lk_compositor_get_mask    (LkCompositor *self);
void           lk_compositor_get_timings (LkCompositor     *self,
                                          LkComposeTimings *timings);

/**
 * lk_compose_warp_to_region:
 * @face: the face-space image (any channel count)
 * @face_to_frame: face pixels to frame pixels
 * @region: the frame region
 * @out: @region's size, @face's channel count
 *
 * Bilinear warp of @face into the frame region (edges replicated, so the
 * swap has no black border where a wide feather or a coarse pyramid level
 * reaches past the crop).
 *
 * Returns: FALSE when the matrix is singular or the buffers do not match
 */
gboolean lk_compose_warp_to_region (const LkImage      *face,
                                    const LkAffine     *face_to_frame,
                                    const LkMaskRegion *region,
                                    LkImage            *out);

G_END_DECLS
