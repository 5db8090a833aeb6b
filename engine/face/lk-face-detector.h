/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"
#include "lk-image.h"

G_BEGIN_DECLS

typedef enum
{
  LK_FACE_SOURCE_DETECTED, /* found by the detector on this frame */
  LK_FACE_SOURCE_TRACKED,  /* followed from the previous frame's landmarks */
} LkFaceSource;

/**
 * LkFaceDetection:
 * @x: @y: @width: @height: the face box in frame pixels (dlib's detector box:
 *   roughly brows to chin, ear to ear)
 * @score: the detector's score: the HOG SVM margin (> 0 is a detection at
 *   dlib's default threshold, typically 0..3) or the CNN's MMOD score. For a
 *   tracked face, the score of the detector run around the tracked box, or
 *   -G_MAXDOUBLE when it did not fire there
 * @landmarks: the 68 points in frame pixels (see lk-align.h for the markup)
 * @landmark_fit: 0..1, how face-like the landmarks are:
 *   exp (-(r / 0.08)^2) with r = lk_align_shape_residual() (neutral frontal
 *   faces score about 0.9, smiling ones 0.7-0.8; a profile or a failed fit
 *   drops below 0.5)
 * @source: detected or tracked
 * @track_id: the tracker's identity for this face (stable while it is
 *   tracked), -1 from lk_face_detector_detect()
 */
typedef struct
{
  double       x;
  double       y;
  double       width;
  double       height;
  double       score;
  float        landmarks[LK_FACE_N_LANDMARKS][2];
  double       landmark_fit;
  LkFaceSource source;
  int          track_id;
} LkFaceDetection;

typedef enum
{
  LK_FACE_DETECTOR_HOG, /* dlib's HOG frontal detector: fast, frontal faces of >= ~80 px */
  LK_FACE_DETECTOR_CNN, /* dlib's MMOD CNN: turned, small or dim faces; slow on a CPU */
} LkFaceDetectorKind;

/**
 * LkFaceDetectorParams:
 * @kind: which detector finds the boxes
 * @max_detect_side: frames whose longest side is larger are scaled down to
 *   this before detection (boxes are mapped back to full resolution);
 *   landmarks always run on the full-resolution frame. 0 never scales.
 *   Default 640 (HOG on 640x360 is ~4x faster than on 1280x720)
 * @upsample: how many times the (scaled) image is doubled before detection
 *   (finds faces half as large per step, costs ~4x per step). Default 0
 * @threshold: detections scoring above it are kept. Default 0 (dlib's)
 * @min_face_size: the smallest face (box side, frame pixels) to find: the
 *   downscale is limited so that faces this size stay detectable (>= 80 px
 *   for HOG, 40 for the CNN, after scaling), and smaller boxes are dropped.
 *   Default 0 (no limit)
 * @max_faces: at most this many faces per frame, best first. Default 32
 * @landmark_model: the 68-point shape predictor; NULL uses
 *   $LK_LANDMARK_MODEL if set, else LK_LANDMARK_MODEL_DEFAULT (config.h)
 * @cnn_model: mmod_human_face_detector.dat, needed for %LK_FACE_DETECTOR_CNN;
 *   NULL uses $LK_CNN_FACE_MODEL
 *
 * The strings are copied by lk_face_detector_new().
 */
typedef struct
{
  LkFaceDetectorKind kind;
  int                max_detect_side;
  int                upsample;
  double             threshold;
  int                min_face_size;
  int                max_faces;
  const char        *landmark_model;
  const char        *cnn_model;
} LkFaceDetectorParams;

LkFaceDetectorParams lk_face_detector_params_default (void);

/**
 * LkFaceDetector:
 * Finds faces and their landmarks in RGB (or grey) frames.
 *
 * Threading: a detector keeps scratch state, so use one per thread. Models
 * are loaded once per process and shared: the first detector for a given
 * landmark model file loads it (~0.4-0.9 s for the 100 MB model); later
 * ones, on any thread, reuse it.
 */
typedef struct _LkFaceDetector LkFaceDetector;

LkFaceDetector *lk_face_detector_new     (const LkFaceDetectorParams *params,
                                          GError                    **error);
void            lk_face_detector_free    (LkFaceDetector             *detector);
const LkFaceDetectorParams *
                lk_face_detector_get_params (LkFaceDetector          *detector);

/* Detects faces and fits landmarks to each. @faces (a GArray of
 * LkFaceDetection) is emptied first, then filled best score first. */
gboolean        lk_face_detector_detect  (LkFaceDetector             *detector,
                                          const LkImage              *frame,
                                          GArray                     *faces,
                                          GError                    **error);

/* As lk_face_detector_detect() without landmarks (boxes and scores only;
 * landmarks are zero and landmark_fit is 0). */
gboolean        lk_face_detector_find_boxes (LkFaceDetector          *detector,
                                             const LkImage           *frame,
                                             GArray                  *faces,
                                             GError                 **error);

/* Fits the 68 landmarks inside @face's box on the full-resolution @frame
 * and sets landmarks and landmark_fit. */
gboolean        lk_face_detector_fit_landmarks (LkFaceDetector       *detector,
                                                const LkImage        *frame,
                                                LkFaceDetection      *face,
                                                GError              **error);

/**
 * lk_face_detector_detect_near:
 * @detector: a detector
 * @frame: the frame
 * @face: in: the box to look around; out (when found): the detected box
 *   and score (landmarks untouched)
 * @min_score: the detector threshold to use (can be below 0, to keep
 *   following a face that turns a little)
 *
 * Runs the HOG detector (on grey) only on a crop around @face's box (1.6 times its size),
 * scaled so that the face is about 100 px: a few milliseconds whatever the
 * frame size. Used by the tracker to check that a face is still there.
 *
 * Returns: TRUE if a face overlapping the box was found; FALSE with @error
 *   unset if none, FALSE with @error set on failure.
 */
gboolean        lk_face_detector_detect_near (LkFaceDetector         *detector,
                                              const LkImage          *frame,
                                              LkFaceDetection        *face,
                                              double                  min_score,
                                              GError                **error);

/* The landmark model path the detector uses with @params (after the
 * environment and the default). */
const char     *lk_face_landmark_model_path (const LkFaceDetectorParams *params);

/* The box dlib's shape predictor expects for a face with @landmarks (a
 * square, from the landmarks' similarity fit to the mean face). Used to
 * follow a face into the next frame. */
void            lk_face_box_from_landmarks (const float      landmarks[LK_FACE_N_LANDMARKS][2],
                                            LkFaceDetection *out_box);

/* Intersection over union of two faces' boxes. */
double          lk_face_box_iou          (const LkFaceDetection *a,
                                          const LkFaceDetection *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkFaceDetector, lk_face_detector_free)

G_END_DECLS
