/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"
#include "lk-image.h"
#include "lk-warp.h"

G_BEGIN_DECLS

/**
 * LkMaskRegion:
 * A rectangle of the frame, in frame pixels: the buffers of mask, colour
 * and blend work cover a face's region, not the whole frame. Pixel (0, 0)
 * of a region buffer is frame pixel (@x, @y).
 */
typedef struct
{
  int x;
  int y;
  int width;
  int height;
} LkMaskRegion;

typedef enum
{
  LK_MASK_HULL,     /* the convex hull of the jaw (0-16) and brows (17-26) */
  LK_MASK_EXTENDED, /* the hull, extended over the forehead (see LkMaskParams.forehead) */
} LkMaskType;

/* How the model's own mask channel (a face-space 8-bit image) meets the
 * landmark mask. */
typedef enum
{
  LK_MASK_MODEL_MULTIPLY, /* landmark mask x model mask / 255: the model can only cut away */
  LK_MASK_MODEL_REPLACE,  /* the model mask alone; expand/contract and feather still apply */
} LkMaskModelMode;

/**
 * LkMaskParams:
 * @type: hull or extended
 * @feather: the edge's softness, in frame pixels: a Gaussian blur with
 *   sigma = @feather / 2, so the edge ramps from ~2% to ~98% over about
 *   2 x @feather, centred on the hard edge (after expand/contract). Made of
 *   three box blurs (Kovesi's widths), O(pixels) for any radius. 0: hard
 *   (anti-aliased) edge. Default 15
 * @expand: grows (> 0) or shrinks (< 0) the mask by this many frame pixels
 *   (dilation/erosion by a disc of that radius, before feathering).
 *   Default 0
 * @offset_top: @offset_bottom: @offset_left: @offset_right: move that side
 *   of the mask outward (> 0) or inward (< 0) by this many frame pixels,
 *   in the face's own frame: "up" is perpendicular to the line through the
 *   eye centres (towards the brows), "right" runs along it towards the eye
 *   of landmarks 42-47 (the image's right for an upright face, which is the
 *   subject's left). Each half of the mask (on either side of the centre of
 *   its bounding box in that frame) is stretched linearly along that axis,
 *   so the named side moves by exactly the offset and the opposite side and
 *   the two perpendicular sides do not move. Defaults 0
 * @forehead: for %LK_MASK_EXTENDED, how far above the brows the mask
 *   reaches, in units of the distance from the eyes' midpoint to the nose
 *   tip (landmark 30): the inner brow points are raised by @forehead units,
 *   the outer ones by 0.6 x that, which rounds the top. 1.0 (default)
 *   reaches mid-forehead; ~1.8 reaches a typical hairline
 * @model_mode: how a model mask, when one is given, is combined
 */
typedef struct
{
  LkMaskType      type;
  double          feather;
  double          expand;
  double          offset_top;
  double          offset_bottom;
  double          offset_left;
  double          offset_right;
  double          forehead;
  LkMaskModelMode model_mode;
} LkMaskParams;

LkMaskParams lk_mask_params_default (void);

/**
 * LkMaskWorkspace:
 * Scratch buffers for lk_mask_build(), grown as needed and reused, so that
 * repeated calls (a preview slider) do not allocate. One per thread.
 */
typedef struct _LkMaskWorkspace LkMaskWorkspace;

LkMaskWorkspace *lk_mask_workspace_new  (void);
void             lk_mask_workspace_free (LkMaskWorkspace *workspace);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkMaskWorkspace, lk_mask_workspace_free)

/**
 * lk_mask_polygon:
 * @landmarks: 68 points in frame pixels
 * @params: the shape parameters (type, forehead, offsets; not expand or feather)
 * @out: room for at least %LK_MASK_MAX_POLYGON points
 *
 * The mask's outline before expand/contract: a convex polygon in frame
 * pixels, each turn positive in (x, y) (clockwise on screen, where y
 * points down).
 *
 * Returns: the number of points, 0 for degenerate landmarks
 */
#define LK_MASK_MAX_POLYGON 64
int      lk_mask_polygon        (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                                 const LkMaskParams  *params,
                                 float                out[][2]);

/**
 * lk_mask_region_for_face:
 * @landmarks: 68 points in frame pixels
 * @params: the mask parameters
 * @frame_width: @frame_height: the frame's size
 * @out: the region
 *
 * A good region for a face: the mask polygon's bounding box, grown by what
 * expand and feather need (expand + 1.5 x feather + 2) plus 10% of the
 * face's size (context for colour and pyramid blending), clipped to the
 * frame.
 *
 * Returns: FALSE when the landmarks are degenerate or the region misses
 *   the frame
 */
gboolean lk_mask_region_for_face (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                                  const LkMaskParams  *params,
                                  int                  frame_width,
                                  int                  frame_height,
                                  LkMaskRegion        *out);

/**
 * lk_mask_build:
 * @landmarks: 68 points in frame pixels
 * @params: the mask parameters
 * @region: where @out lies in the frame
 * @model_mask: (nullable): the model's mask channel, a 1-channel image in
 *   aligned face space (255 = face)
 * @face_to_frame: (nullable): maps @model_mask's pixels to frame pixels;
 *   required with @model_mask
 * @workspace: (nullable): scratch to reuse; NULL allocates for this call
 * @out: a 1-channel image of @region's size: 0 (original) .. 255 (swap)
 * @error: return location for an error
 *
 * Rasterises the mask polygon with exact horizontal coverage and 8
 * sub-scanlines per row, expands or contracts it on its per-sub-scanline
 * spans (exact for the convex polygon, O(rows x radius)), combines the
 * model mask, then feathers. Regions clipped by the frame edge are handled
 * by replicating the edge during the blur.
 *
 * Returns: FALSE with LK_ERROR_INVALID_INPUT for degenerate landmarks or
 *   mismatched buffers
 */
gboolean lk_mask_build          (const float          landmarks[LK_FACE_N_LANDMARKS][2],
                                 const LkMaskParams  *params,
                                 const LkMaskRegion  *region,
                                 const LkImage       *model_mask,
                                 const LkAffine      *face_to_frame,
                                 LkMaskWorkspace     *workspace,
                                 LkImage             *out,
                                 GError             **error);

/**
 * lk_mask_feather:
 * @mask: a 1-channel image, blurred in place
 * @radius: as LkMaskParams.feather (sigma = @radius / 2)
 * @workspace: (nullable): scratch to reuse
 *
 * The Gaussian feather of lk_mask_build() on its own (3 box blurs per
 * axis, integer running sums, edges replicated).
 */
void     lk_mask_feather        (LkImage             *mask,
                                 double               radius,
                                 LkMaskWorkspace     *workspace);

G_END_DECLS
