/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lk-dlib.h: the plain-C API over dlib (face detection and 68-point landmarks).
 *
 * This header is C: it is compiled as C by a test. Everything C++ stays in
 * lk-dlib.cc / lk-dlib-cnn.cc; no exception ever crosses this API (every
 * function catches dlib::error, std::exception and anything else, and turns
 * them into an LkDlibStatus plus a message copied into the caller's buffer).
 *
 * Handles:
 *   LkDlibShapeModel  a loaded shape predictor (the 68-point landmark model).
 *                     Immutable once loaded and reference counted: load it
 *                     once and share it between any number of threads;
 *                     lk_dlib_shape_predict() may run concurrently on the
 *                     same model.
 *   LkDlibHog         dlib's HOG frontal face detector. It keeps scratch
 *                     state (the feature pyramid): one per thread, never used
 *                     from two threads at once. Creating one is cheap (a copy
 *                     of a process-wide prototype).
 *   LkDlibCnnModel    the CNN (MMOD) face detector's weights, loaded from a
 *                     file. Immutable and reference counted like the shape
 *                     model; share it.
 *   LkDlibCnn         a network instance made from an LkDlibCnnModel (it
 *                     holds activations): one per thread.
 *
 * Images are borrowed, never copied where dlib can read them in place: 8-bit
 * RGB (3 channels, R first) or grey (1 channel), any row stride. A 4-channel
 * buffer is refused.
 *
 * Coordinates are pixels of the image given, x to the right, y down, with
 * pixel centres at integer coordinates (dlib's convention).
 */
#pragma once

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Messages longer than this are cut; a buffer of this size always suffices. */
#define LK_DLIB_MESSAGE_MAX 512

typedef enum
{
  LK_DLIB_OK = 0,
  LK_DLIB_ERROR_INVALID_ARGUMENT, /* NULL handle, bad image geometry, ... */
  LK_DLIB_ERROR_FILE,             /* the model file cannot be opened or read */
  LK_DLIB_ERROR_CORRUPT_MODEL,    /* not a model of the expected kind, truncated, damaged */
  LK_DLIB_ERROR_OUT_OF_MEMORY,
  LK_DLIB_ERROR_INTERNAL,         /* any other failure inside dlib */
} LkDlibStatus;

/* A static English string naming @status; never NULL. */
const char *lk_dlib_status_to_string (LkDlibStatus status);

typedef struct
{
  const unsigned char *data;
  int                  width;
  int                  height;
  int                  channels; /* 1 (grey) or 3 (RGB) */
  size_t               stride;   /* bytes between rows, >= width * channels */
} LkDlibImage;

typedef struct
{
  double x;      /* left */
  double y;      /* top */
  double width;
  double height;
  double score;  /* detector confidence: HOG SVM margin or MMOD score; > 0 is a detection
                  * at dlib's default threshold */
} LkDlibRect;

typedef struct LkDlibShapeModel LkDlibShapeModel;
typedef struct LkDlibHog        LkDlibHog;
typedef struct LkDlibCnnModel   LkDlibCnnModel;
typedef struct LkDlibCnn        LkDlibCnn;

/* In every function below, @message (may be NULL) receives a NUL-terminated
 * explanation of a failure, at most @message_size bytes; it is left as the
 * empty string on success. Messages about a file name the file. */

/* ---- Shape predictor (landmarks) ---------------------------------------- */

/* Loads a dlib shape predictor (e.g. shape_predictor_68_face_landmarks.dat).
 * The model is checked for consistency after reading (tree sizes, indices),
 * so a damaged file is an LK_DLIB_ERROR_CORRUPT_MODEL, never a crash. */
LkDlibStatus      lk_dlib_shape_model_load      (const char              *path,
                                                 LkDlibShapeModel       **out_model,
                                                 char                    *message,
                                                 size_t                   message_size);
LkDlibShapeModel *lk_dlib_shape_model_ref       (LkDlibShapeModel        *model);
void              lk_dlib_shape_model_unref     (LkDlibShapeModel        *model);
int               lk_dlib_shape_model_num_parts (const LkDlibShapeModel  *model);

/* The model's mean shape (its initial shape) in box-normalised coordinates
 * (0..1 across the detection box): @n_parts * 2 floats, x then y. */
LkDlibStatus      lk_dlib_shape_model_mean_shape (const LkDlibShapeModel *model,
                                                  float                  *out_xy,
                                                  int                     n_parts);

/* Runs the predictor in @box of @image. @out_xy receives @n_parts (which must
 * be the model's number of parts) x,y pairs, with sub-pixel precision.
 * Thread-safe on a shared model. */
LkDlibStatus      lk_dlib_shape_predict         (const LkDlibShapeModel  *model,
                                                 const LkDlibImage       *image,
                                                 const LkDlibRect        *box,
                                                 float                   *out_xy,
                                                 int                      n_parts,
                                                 char                    *message,
                                                 size_t                   message_size);

/* ---- Face chips ---------------------------------------------------------- */

/* Cuts the aligned face chip dlib's face recognition network takes: dlib's
 * get_face_chip_details (shape, @size, @padding) from the @n_parts (68 or 5)
 * landmarks in @landmarks_xy (x, y pairs in @image's pixels), then
 * extract_image_chip (bilinear; over an image pyramid when the chip is much
 * smaller than the face). dlib's recognition network uses size 150 and
 * padding 0.25. The chip (@size x @size, RGB; a grey @image gives grey RGB)
 * is written to @out_rgb, @out_stride bytes per row. */
LkDlibStatus      lk_dlib_face_chip             (const LkDlibImage       *image,
                                                 const float             *landmarks_xy,
                                                 int                      n_parts,
                                                 int                      size,
                                                 double                   padding,
                                                 unsigned char           *out_rgb,
                                                 size_t                   out_stride,
                                                 char                    *message,
                                                 size_t                   message_size);

/* ---- HOG frontal face detector ------------------------------------------ */

LkDlibStatus      lk_dlib_hog_new               (LkDlibHog              **out_hog,
                                                 char                    *message,
                                                 size_t                   message_size);
void              lk_dlib_hog_free              (LkDlibHog               *hog);

/* Detects faces. @upsample doubles the image that many times first (finds
 * smaller faces, costs ~4x per step); boxes are in @image's coordinates.
 * Detections with a score above @threshold are kept (0 is dlib's default;
 * lower finds more). Up to @max_rects are written to @out_rects, best first;
 * *@n_found gets how many there were in all. */
LkDlibStatus      lk_dlib_hog_detect            (LkDlibHog               *hog,
                                                 const LkDlibImage       *image,
                                                 int                      upsample,
                                                 double                   threshold,
                                                 LkDlibRect              *out_rects,
                                                 int                      max_rects,
                                                 int                     *n_found,
                                                 char                    *message,
                                                 size_t                   message_size);

/* ---- CNN (MMOD) face detector ------------------------------------------- */

/* Loads dlib's mmod_human_face_detector.dat (the network of dlib's
 * dnn_mmod_face_detection_ex.cpp). */
LkDlibStatus      lk_dlib_cnn_model_load        (const char              *path,
                                                 LkDlibCnnModel         **out_model,
                                                 char                    *message,
                                                 size_t                   message_size);
LkDlibCnnModel   *lk_dlib_cnn_model_ref         (LkDlibCnnModel          *model);
void              lk_dlib_cnn_model_unref       (LkDlibCnnModel          *model);

LkDlibStatus      lk_dlib_cnn_new               (LkDlibCnnModel          *model,
                                                 LkDlibCnn              **out_cnn,
                                                 char                    *message,
                                                 size_t                   message_size);
void              lk_dlib_cnn_free              (LkDlibCnn               *cnn);

/* As lk_dlib_hog_detect(); the image is copied into the network's input. */
LkDlibStatus      lk_dlib_cnn_detect            (LkDlibCnn               *cnn,
                                                 const LkDlibImage       *image,
                                                 int                      upsample,
                                                 double                   threshold,
                                                 LkDlibRect              *out_rects,
                                                 int                      max_rects,
                                                 int                     *n_found,
                                                 char                    *message,
                                                 size_t                   message_size);

#ifdef __cplusplus
}
#endif
