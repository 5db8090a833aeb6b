/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"

G_BEGIN_DECLS

/**
 * LkPose:
 * @yaw: degrees; > 0 when the face turns towards the image's right (the
 *   person's left), so the same face mirrored left-right has the opposite
 *   sign; 0 is frontal
 * @pitch: degrees; > 0 when the face looks up
 * @roll: degrees; > 0 when the head tilts clockwise as seen in the image
 *   (its top towards the image's right); mirroring flips the sign
 * @scale: pixels per unit of the mean face (lk-align.h), about the width of
 *   the face between the brow tips
 *
 * Angles are Tait-Bryan: rotation = roll (about the view axis) after yaw
 * (vertical axis) after pitch (horizontal axis).
 */
typedef struct
{
  double yaw;
  double pitch;
  double roll;
  double scale;
} LkPose;

/* Estimates the head's rotation from 68 landmarks (frame pixels) by
 * fitting a generic 3D face (the mean face with estimated depths) under a
 * weak-perspective (scaled orthographic) camera, in least squares. Good to
 * a few degrees near frontal, coarse beyond ~45 degrees of yaw (where 2D
 * landmarks are unreliable anyway). Returns FALSE for degenerate points. */
gboolean lk_pose_estimate (const float (*landmarks)[2],
                           LkPose      *out);

G_END_DECLS
