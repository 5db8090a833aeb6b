/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-face-detector.h"

G_BEGIN_DECLS

/**
 * LkFaceTrackerParams:
 * @redetect_interval: run the full detector at least every this many frames
 *   (to find faces that appear). Default 10
 * @verify: check each tracked face with the detector run on a small crop
 *   around it (lk_face_detector_detect_near(), ~2-4 ms a face) so that a face
 *   that leaves is dropped at once and the box stays on the face. Default TRUE
 * @verify_threshold: the detector threshold for that check; below dlib's
 *   default 0 so that a face turning a little is kept. Default -0.6
 * @min_landmark_fit: a tracked face whose landmarks fit the mean face worse
 *   than this (LkFaceDetection.landmark_fit) counts as a miss, unless its
 *   check scored it at or above the detector's threshold (as the full
 *   detector, which keeps its faces whatever their fit). Default 0.2
 */
typedef struct
{
  int      redetect_interval;
  gboolean verify;
  double   verify_threshold;
  double   min_landmark_fit;
} LkFaceTrackerParams;

LkFaceTrackerParams lk_face_tracker_params_default (void);

/**
 * LkFaceTracker:
 * Follows faces through consecutive frames of one video. On a frame where
 * a face is tracked, its box is derived from the previous frame's landmarks
 * (lk_face_box_from_landmarks()), optionally checked by the detector on a
 * crop around it, and the landmarks are fitted again on the full-resolution
 * frame. The full detector runs on the first frame, at least every
 * @redetect_interval frames, on every frame while no face is tracked, and
 * again on any frame where a tracked face fails its check (so a face that
 * leaves is gone from that very frame). Right after a face is lost (its
 * check failed and the full detector did not find it), the place where it
 * was is searched with the detector on a crop (at the full detector's
 * threshold) on each of the next 15 frames, and while nothing is tracked
 * the full detector then runs every third frame, not on every frame. Detections are matched to tracks by
 * overlap; each face keeps its track_id while it is followed. A face that
 * the full detector misses is kept while it passes the check.
 *
 * Threading: one tracker per video, used from one thread at a time. It uses
 * (does not own) @detector, which must outlive it.
 */
typedef struct _LkFaceTracker LkFaceTracker;

LkFaceTracker *lk_face_tracker_new     (LkFaceDetector            *detector,
                                        const LkFaceTrackerParams *params);
void           lk_face_tracker_free    (LkFaceTracker             *tracker);

/* Forgets all faces (after a seek or a cut). */
void           lk_face_tracker_reset   (LkFaceTracker             *tracker);

/* Processes the next frame: @faces (a GArray of LkFaceDetection) is emptied
 * and filled with the faces on @frame. */
gboolean       lk_face_tracker_process (LkFaceTracker             *tracker,
                                        const LkImage             *frame,
                                        GArray                    *faces,
                                        GError                   **error);

/* How many frames the full detector ran on since creation or reset. */
guint          lk_face_tracker_get_n_detections (LkFaceTracker    *tracker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkFaceTracker, lk_face_tracker_free)

G_END_DECLS
