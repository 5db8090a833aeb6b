/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/**
 * LkColourMode:
 * @LK_COLOUR_NONE: the swapped face keeps its colours
 * @LK_COLOUR_REINHARD: Reinhard et al. 2001: in the lαβ space (log LMS cone
 *   responses, decorrelated), the swapped face's per-channel mean and
 *   standard deviation, measured under the mask, are moved to the
 *   original's, also measured under the mask. Statistics are taken on
 *   every second pixel of every second row (plenty for a mean and a
 *   deviation, and 4x cheaper); the transfer is applied to every pixel
 * @LK_COLOUR_HISTOGRAM: per RGB channel, the swapped face's mask-weighted
 *   histogram is mapped onto the original's through their cumulative
 *   distributions (a 256-entry table per channel)
 */
typedef enum
{
  LK_COLOUR_NONE,
  LK_COLOUR_REINHARD,
  LK_COLOUR_HISTOGRAM,
} LkColourMode;

/**
 * lk_colour_transfer:
 * @mode: the method
 * @swap: the swapped face warped to the region, 3 channels
 * @original: the frame's region, 3 channels, the same size
 * @mask: (nullable): 1 channel, the same size: pixels are weighted by
 *   mask / 255 in the statistics; NULL weighs all pixels fully
 * @out: receives the corrected @swap (3 channels, the same size); may be
 *   @swap itself
 * @error: return location for an error
 *
 * Matches the colours of @swap to @original. Every pixel of @out is
 * written (also where the mask is 0: a pyramid blend reaches past the
 * mask's edge).
 *
 * Returns: FALSE with LK_ERROR_INVALID_INPUT for mismatched buffers or an
 *   empty mask (nothing to measure); @out is then a copy of @swap
 */
gboolean lk_colour_transfer (LkColourMode    mode,
                             const LkImage  *swap,
                             const LkImage  *original,
                             const LkImage  *mask,
                             LkImage        *out,
                             GError        **error);

/**
 * lk_colour_lab_stats:
 * @image: 3 channels
 * @mask: (nullable): weights as for lk_colour_transfer()
 * @mean: (out): the weighted mean of l, α, β (over every pixel)
 * @std: (out): the weighted standard deviations
 *
 * The statistics Reinhard transfer matches, for tests and diagnostics. The
 * lαβ values are computed from log (LMS + 1), natural logarithm.
 *
 * Returns: FALSE when the mask is empty
 */
gboolean lk_colour_lab_stats (const LkImage *image,
                              const LkImage *mask,
                              double         mean[3],
                              double         std[3]);

G_END_DECLS
