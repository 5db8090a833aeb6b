/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-faces.h"
#include "lk-image.h"
#include "lk-job.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * Quality metrics of aligned faces.
 *
 * All image figures are measured on the face area: the convex hull of the 68
 * landmarks (jaw, brows) in crop coordinates.
 *
 * - sharpness: variance of the 4-neighbour Laplacian of the grey (Rec. 601
 *   luma, 0..255) face area, on the crop resampled to a 256 px grid
 *   (LK_METRICS_GRID), so crops of 128, 256 or 512 px are comparable.
 * - exposure: mean luma of the face area, 0..1; clipped_dark / clipped_bright:
 *   fractions of face pixels with luma <= LK_METRICS_DARK_LUMA /
 *   >= LK_METRICS_BRIGHT_LUMA (of 255).
 * - colour_cast: skin is naturally orange (in CIE Lab its chroma lies along a
 *   hue of about 50 degrees, up to a chroma of about 35 for every skin tone),
 *   so the cast is the distance, in Lab a*b* units, of the face area's mean
 *   colour (the Lab value of the mean linear sRGB, D65) from the segment
 *   from neutral (0, 0) to chroma LK_METRICS_SKIN_CHROMA_MAX along hue
 *   LK_METRICS_SKIN_HUE. Natural skin and grey pictures score near 0; blue,
 *   green, magenta or strong yellow/red tints score high (> 10 is visible).
 * - landmark_fit: exp (-(r / 0.08)^2) of the landmarks' similarity-fit
 *   residual to the mean face (as the detector computes it; similarity
 *   invariant, so crop or frame coordinates give the same value).
 * - occlusion: the share of the face area whose colour is not the face's
 *   skin, 0 (clean) .. about 0.5 (see below), for hands, microphones, hair
 *   or dark glasses over a face whose landmarks still fit. On the crop
 *   resampled to LK_METRICS_OCCLUSION_GRID px, in CIE Lab with lightness
 *   weighted by LK_METRICS_OCCLUSION_L_WEIGHT (shading changes it most):
 *   the landmarks' hull shrunk to LK_METRICS_OCCLUSION_SHRINK about their
 *   centroid (the rim often holds hair or background) is split into
 *   LK_METRICS_OCCLUSION_CELLS x LK_METRICS_OCCLUSION_CELLS cells over its
 *   bounding box; the eyes and the inner mouth are left out. Each cell
 *   mostly inside has the median colour of its pixels. The cells split in
 *   two around their best pair of medoids; when those differ by more than
 *   LK_METRICS_OCCLUSION_FLOOR, the part with the larger area is the skin
 *   (so an occluder over up to half the face does not move it), else all
 *   is. The reference skin colour is the median of the skin cells, the
 *   threshold their median distance from it + LK_METRICS_OCCLUSION_K MADs,
 *   at least the floor. Skin then grows into neighbouring cells of a close
 *   colour (shading is gradual, an occluder has an edge). A cell adds its
 *   share of pixels beyond the threshold from its skin colour (its own, or
 *   its skin neighbours') when that share is at least
 *   LK_METRICS_OCCLUSION_MIN_SHARE (less is a brow or a nostril). The
 *   figure is the area-weighted mean over the cells. An occluder over more
 *   than half the face reads as the skin, and the rest as covered, so the
 *   figure stays near 0.5 there. Colour alone cannot see an occluder of the
 *   skin's own colour (a hand of the same tone); strong highlights and heavy
 *   colour grading in low-resolution photos can read as partly covered.
 * - yaw / pitch / roll: lk_pose_estimate() of the landmarks given (for the
 *   crop's landmarks the roll is the one left after alignment, about 0).
 * - face_size is not known from a crop alone: NAN here.
 */

#define LK_METRICS_GRID             256
#define LK_METRICS_DARK_LUMA        10
#define LK_METRICS_BRIGHT_LUMA      245
#define LK_METRICS_SKIN_HUE         50.0
#define LK_METRICS_SKIN_CHROMA_MAX  35.0
#define LK_METRICS_OCCLUSION_GRID        128
#define LK_METRICS_OCCLUSION_CELLS       6
#define LK_METRICS_OCCLUSION_SHRINK      0.88
#define LK_METRICS_OCCLUSION_L_WEIGHT    0.5
#define LK_METRICS_OCCLUSION_FLOOR       12.0
#define LK_METRICS_OCCLUSION_K           3.0
#define LK_METRICS_OCCLUSION_MIN_SHARE   0.25

/* Computes the metrics of one aligned crop (RGB or grey) whose 68 landmarks
 * are @crop_landmarks in crop pixels. Pure: no I/O, thread-safe. Returns
 * FALSE (with @out all NAN) when the landmarks are degenerate or the face
 * area is empty. */
gboolean lk_curate_face_metrics (const LkImage *crop,
                                 const float    crop_landmarks[LK_N_LANDMARKS][2],
                                 LkFaceMetrics *out);

/* The face's landmarks in crop pixels: matrix . landmark. */
void     lk_curate_face_crop_landmarks (const LkFace *face,
                                        float         out[LK_N_LANDMARKS][2]);

/* Whether @face lacks any metric that lk_curate_analyse() computes. */
gboolean lk_curate_face_needs_metrics  (const LkFace *face);

/**
 * LkAnalyseSummary:
 * What one analysis run did.
 */
typedef struct
{
  guint  faces;          /* faces of the identity (or both) looked at */
  guint  computed;       /* faces whose metrics were computed and stored */
  guint  hashed;         /* faces whose perceptual hash was computed and stored */
  guint  failed;         /* faces whose crop could not be read (left as they were) */
  char  *first_failure;  /* the first such error message (names the file), or NULL */
  double seconds;
} LkAnalyseSummary;

void     lk_analyse_summary_clear (LkAnalyseSummary *summary);

/* Computes, for every face of @identity (-1: both) that lacks them (or every
 * face when @recompute), the image metrics and the perceptual hash, reading
 * each crop once, on 2 threads, and stores them in batches (one transaction
 * each). Stored face_size, landmark_fit and pose (from extraction) are kept;
 * missing ones are filled from the box and the stored frame landmarks.
 *
 * A crop that cannot be read is counted in @summary->failed and skipped.
 * A cancel through @job keeps the batches stored so far and fails with
 * G_IO_ERROR_CANCELLED. Progress: fraction, a message and the figure
 * "faces-per-second". Blocking: call it from a worker thread. */
gboolean lk_curate_analyse (LkProject        *project,
                            int               identity,
                            gboolean          recompute,
                            LkJob            *job,
                            LkAnalyseSummary *summary,
                            GError          **error);

G_END_DECLS
