/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-mask"

#include "config.h"

#include "lk-compose.h"

#include <string.h>
#include <time.h>

#include "lk-error.h"
#include "lk-mask-private.h"

LkComposeParams
lk_compose_params_default (void)
{
  LkComposeParams params = {
    .mask = lk_mask_params_default (),
    .colour = LK_COLOUR_REINHARD,
    .blend = LK_BLEND_LAPLACIAN,
    .levels = 5,
  };

  return params;
}

struct _LkCompositor
{
  LkMaskWorkspace  *mask_ws;
  LkBlendWorkspace *blend_ws;
  LkScratch         mask_mem;
  LkScratch         swap_mem;
  LkScratch         colour_mem;
  LkImage           mask;      /* views of the scratch memory */
  gboolean          have_mask;
  LkComposeTimings  timings;
};

LkCompositor *
lk_compositor_new (void)
{
  LkCompositor *self = g_new0 (LkCompositor, 1);

  self->mask_ws = lk_mask_workspace_new ();
  self->blend_ws = lk_blend_workspace_new ();
  return self;
}

void
lk_compositor_free (LkCompositor *self)
{
  if (self == NULL)
    return;
  lk_mask_workspace_free (self->mask_ws);
  lk_blend_workspace_free (self->blend_ws);
  _lk_scratch_clear (&self->mask_mem);
  _lk_scratch_clear (&self->swap_mem);
  _lk_scratch_clear (&self->colour_mem);
  g_free (self);
}

const LkImage *
lk_compositor_get_mask (LkCompositor *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->have_mask ? &self->mask : NULL;
}

void
lk_compositor_get_timings (LkCompositor     *self,
                           LkComposeTimings *timings)
{
  g_return_if_fail (self != NULL && timings != NULL);

  *timings = self->timings;
}

static double
thread_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* An image header over scratch memory (rows packed). */
static LkImage
view (LkScratch *mem,
      int        width,
      int        height,
      int        channels)
{
  LkImage image = { width, height, channels, (gsize) width * channels, NULL };

  image.data = _lk_scratch_get (mem, image.stride * height);
  return image;
}

gboolean
lk_compose_warp_to_region (const LkImage      *face,
                           const LkAffine     *face_to_frame,
                           const LkMaskRegion *region,
                           LkImage            *out)
{
  LkAffine to_region;

  g_return_val_if_fail (face != NULL && face_to_frame != NULL && region != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (out->width != region->width || out->height != region->height
      || out->channels != face->channels)
    return FALSE;
  to_region = *face_to_frame;
  to_region.m[2] -= region->x;
  to_region.m[5] -= region->y;
  return lk_warp_affine (face, out, &to_region, LK_WARP_BORDER_REPLICATE, 0);
}

gboolean
lk_compositor_compose (LkCompositor          *self,
                       const LkComposeParams *params,
                       const LkComposeInput  *in,
                       LkImage               *out,
                       GError               **error)
{
  const LkMaskRegion *region;
  const LkImage *swap;
  LkImage swap_view, colour;
  double t0, t1, t2, t3, t4;

  g_return_val_if_fail (self != NULL && params != NULL && in != NULL && out != NULL, FALSE);
  g_return_val_if_fail (in->original != NULL && in->landmarks != NULL, FALSE);
  g_return_val_if_fail (in->swap != NULL || in->face_swap != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  region = &in->region;
  if (region->width <= 0 || region->height <= 0
      || in->original->width != region->width || in->original->height != region->height
      || in->original->channels != 3 || !_lk_same_dims (in->original, out)
      || out->channels != 3
      || (in->swap != NULL && (!_lk_same_dims (in->swap, in->original)
                               || in->swap->channels != 3))
      || (in->swap == NULL && in->face_swap->channels != 3))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "Compose needs 3-channel original and swap buffers of the region's size "
                   "(%dx%d)", region->width, region->height);
      return FALSE;
    }
  if ((in->face_swap != NULL || in->model_mask != NULL || in->mask_smoother != NULL)
      && in->alignment == NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "A face-space swap, a model mask or mask smoothing needs the face's alignment");
      return FALSE;
    }

  t0 = thread_ms ();
  swap = in->swap;
  if (swap == NULL)
    {
      swap_view = view (&self->swap_mem, region->width, region->height, 3);
      if (!lk_compose_warp_to_region (in->face_swap, &in->alignment->face_to_frame, region,
                                      &swap_view))
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "The face-to-frame matrix is singular");
          return FALSE;
        }
      swap = &swap_view;
    }

  t1 = thread_ms ();
  self->have_mask = FALSE;
  self->mask = view (&self->mask_mem, region->width, region->height, 1);
  if (!lk_mask_build ((const float (*)[2]) in->landmarks, &params->mask, region, in->model_mask,
                      in->alignment != NULL ? &in->alignment->face_to_frame : NULL,
                      self->mask_ws, &self->mask, error))
    return FALSE;
  if (in->mask_smoother != NULL)
    lk_mask_smoother_apply (in->mask_smoother, in->timestamp, in->alignment, region, &self->mask);
  self->have_mask = TRUE;

  t2 = thread_ms ();
  colour = view (&self->colour_mem, region->width, region->height, 3);
  if (!lk_colour_transfer (params->colour, swap, in->original, &self->mask, &colour, NULL))
    {
      /* An empty mask: nothing to match, and the blend returns the
       * original anyway. */
    }

  t3 = thread_ms ();
  if (!lk_blend (params->blend, params->levels, &colour, in->original, &self->mask,
                 self->blend_ws, out, error))
    return FALSE;
  t4 = thread_ms ();

  self->timings.warp_ms = t1 - t0;
  self->timings.mask_ms = t2 - t1;
  self->timings.colour_ms = t3 - t2;
  self->timings.blend_ms = t4 - t3;
  self->timings.total_ms = t4 - t0;
  return TRUE;
}
