/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"
#include "lk-image.h"
#include "lk-mask.h"
#include "lk-warp.h"

G_BEGIN_DECLS

/**
 * LkOneEuroParams:
 * @min_cutoff: the low-pass cutoff at rest, Hz: lower removes more jitter
 * @beta: how fast the cutoff rises with speed: cutoff = @min_cutoff +
 *   @beta x speed, speed measured in face sizes per second (face size: the
 *   RMS distance of the 68 points from their centroid), so the same
 *   settings suit any resolution. Higher follows motion with less lag
 * @d_cutoff: the cutoff of the speed estimate, Hz
 *
 * The One Euro filter (Casiez, Roussel & Vogel, CHI 2012): an exponential
 * low-pass whose cutoff adapts to the speed of the signal.
 */
typedef struct
{
  double min_cutoff;
  double beta;
  double d_cutoff;
} LkOneEuroParams;

/**
 * lk_one_euro_params_from_strength:
 * @strength: 0 (no smoothing) .. 1 (most)
 *
 * The studio's single "smoothing" setting: min_cutoff = 10^(1 - 1.8 s) Hz
 * (10 Hz at 0, 1.26 Hz at 0.5, 0.16 Hz at 1), beta = 5 (1 - 0.5 s) per
 * face size per second, d_cutoff = 1 Hz. At 0 the filter passes landmarks through
 * unchanged.
 */
LkOneEuroParams lk_one_euro_params_from_strength (double strength);

/**
 * LkLandmarkSmoother:
 * One Euro filters over the 136 coordinates of one tracked face (the two
 * coordinates of a point share the point's speed). Feed it the face's
 * landmarks with the frame's timestamp in seconds (variable frame rates
 * are fine: each step uses its own interval); call
 * lk_landmark_smoother_reset() on a cut or a seek and when the face is
 * lost. A timestamp not after the previous one also resets.
 */
typedef struct _LkLandmarkSmoother LkLandmarkSmoother;

LkLandmarkSmoother *lk_landmark_smoother_new        (double                 strength);
void                lk_landmark_smoother_free       (LkLandmarkSmoother    *smoother);
void                lk_landmark_smoother_set_params (LkLandmarkSmoother    *smoother,
                                                     const LkOneEuroParams *params);
void                lk_landmark_smoother_reset      (LkLandmarkSmoother    *smoother);
/* @out may be @in. The first call after a reset returns @in. */
void                lk_landmark_smoother_filter     (LkLandmarkSmoother    *smoother,
                                                     double                 timestamp,
                                                     const float            in[LK_FACE_N_LANDMARKS][2],
                                                     float                  out[LK_FACE_N_LANDMARKS][2]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkLandmarkSmoother, lk_landmark_smoother_free)

/**
 * LkMaskSmoother:
 * Removes flicker from a face's mask over time: each frame's mask is
 * carried into the face's aligned space (where the face stands still), an
 * exponential moving average is kept there, and the average is carried
 * back to the frame region. Motion of the face itself therefore does not
 * smear the mask; only its changes relative to the face are smoothed.
 *
 * The average covers the aligned crop plus half a crop on every side (so
 * forehead and feather fit); parts of the region outside it keep the
 * frame's own mask. Time constant tau = 0.25 s x strength; each frame
 * moves the average by 1 - exp (-dt / tau) towards the new mask, with dt
 * from the timestamps (variable frame rates are fine). One smoother
 * follows one face: make a new one when the face is lost; a timestamp not
 * after the previous one starts the average afresh.
 */
typedef struct _LkMaskSmoother LkMaskSmoother;

/* @size: side of the averaged square in pixels (0: 256). */
LkMaskSmoother *lk_mask_smoother_new          (int                 size,
                                               double              strength);
void            lk_mask_smoother_free         (LkMaskSmoother     *smoother);
void            lk_mask_smoother_set_strength (LkMaskSmoother     *smoother,
                                               double              strength);

/**
 * lk_mask_smoother_apply:
 * @smoother: the smoother
 * @timestamp: the frame's time in seconds
 * @alignment: the face's alignment on this frame (its frame_to_face and
 *   size are used)
 * @region: where @mask lies in the frame
 * @mask: the frame's mask (1 channel, @region's size), replaced by the
 *   smoothed one
 */
void            lk_mask_smoother_apply        (LkMaskSmoother     *smoother,
                                               double              timestamp,
                                               const LkAlignment  *alignment,
                                               const LkMaskRegion *region,
                                               LkImage            *mask);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkMaskSmoother, lk_mask_smoother_free)

G_END_DECLS
