/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-align.h"
#include "lk-compose.h"
#include "lk-convert-params.h"
#include "lk-image.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * LkConvertPreview: one converted frame for the studio's Masks page, with
 * the expensive part (decode, detection, landmarks, model) done once per
 * frame and the cheap part (mask, colour transfer, blend) redone whenever a
 * slider moves.
 *
 * Use:
 *
 *   preview = lk_convert_preview_new (project, NULL, LK_CONVERT_A2B, &error);
 *   // when the frame changes (scrubber):
 *   lk_convert_preview_load (preview, target_path, seconds, cancellable, &error);
 *   // then render.
 *   // when a slider moves (a few ms at 1080p; see tests/bench/convert):
 *   LkConvertParams p = lk_convert_params_from_project (project);
 *   lk_convert_preview_render (preview, &p, out_frame, &error);
 *   // out_frame: an RGB LkImage of the frame's size, kept between renders;
 *   // show it; lk_convert_preview_get_face_mask() gives each face's mask
 *   // (region-sized, 1 channel) of the last render for an overlay.
 *
 * The face-space swaps are cached per face (lk_convert_preview_get_face());
 * each face's swap warped into its region is cached too and redone only
 * when the region changes (expand, feather and offsets move it).
 *
 * The preview detects on the frame alone (no tracking, no temporal
 * smoothing: a still frame has no history), like the first frame of an
 * export.
 *
 * Threading: the object is not thread-safe; use it from one thread at a
 * time (the studio keeps it on its preview worker, see app/lk-masks-page.c).
 * One load at a time: a second one fails with LK_ERROR_BUSY.
 */

typedef struct _LkConvertPreview LkConvertPreview;

/**
 * LkConvertPreviewFace:
 * @face_swap: the model's output, face space, RGB (face size square)
 * @model_mask: (nullable): the model's mask channel, if it has one
 * @crop: the aligned input crop the model saw (RGB)
 * @alignment: between frame and face space
 * @landmarks: the 68 landmarks in frame pixels
 */
typedef struct
{
  LkImage     *face_swap;
  LkImage     *model_mask;
  LkImage     *crop;
  LkAlignment  alignment;
  float        landmarks[LK_FACE_N_LANDMARKS][2];
} LkConvertPreviewFace;

/* Loads the model (@checkpoint, or the project's newest) and the landmark
 * model. */
LkConvertPreview *lk_convert_preview_new       (LkProject          *project,
                                                const char         *checkpoint,
                                                LkConvertDirection  direction,
                                                GError            **error);
void              lk_convert_preview_free      (LkConvertPreview   *self);

/* Takes effect at the next load. */
void              lk_convert_preview_set_direction (LkConvertPreview   *self,
                                                    LkConvertDirection  direction);

/* Decodes the frame of @video shown at @time (seconds), finds its faces
 * and swaps them. A frame without faces is not an error (0 faces). */
gboolean          lk_convert_preview_load      (LkConvertPreview   *self,
                                                const char         *video,
                                                double              time,
                                                GCancellable       *cancellable,
                                                GError            **error);

/* The loaded frame (RGB, as decoded), NULL before the first load. */
const LkImage    *lk_convert_preview_get_original (LkConvertPreview *self);
/* Its timestamp in seconds. */
double            lk_convert_preview_get_time  (LkConvertPreview   *self);
/* The times of the frames before and after it in the video (from the
 * reader's index, see lk_video_reader_neighbour_time()): loading either
 * shows exactly that frame, also on a variable frame rate. NAN at the ends
 * (a still picture has neither), where the video's index cannot tell, and
 * before the first load. */
double            lk_convert_preview_get_previous_time (LkConvertPreview *self);
double            lk_convert_preview_get_next_time     (LkConvertPreview *self);
guint             lk_convert_preview_get_n_faces (LkConvertPreview *self);
const LkConvertPreviewFace *
                  lk_convert_preview_get_face  (LkConvertPreview   *self,
                                                guint               index);

/**
 * lk_convert_preview_render:
 * @params: the mask, colour, blend and model-mask settings to show (other
 *   fields are ignored)
 * @out: RGB, the frame's size: receives the original with every face
 *   composited (the original alone when there are no faces)
 *
 * Returns: FALSE with LK_ERROR_INVALID_INPUT for a wrong @out or before a
 *   load
 */
gboolean          lk_convert_preview_render    (LkConvertPreview      *self,
                                                const LkConvertParams *params,
                                                LkImage               *out,
                                                GError               **error);

/* The mask and region of face @index at the last render (1 channel,
 * region-sized, 0..255); NULL when the face was not composited. */
const LkImage    *lk_convert_preview_get_face_mask (LkConvertPreview *self,
                                                    guint             index,
                                                    LkMaskRegion     *region);

G_END_DECLS
