/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-convert-params.h"
#include "lk-mask.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * LkPreviewSession: the Masks page's preview, rendered by the engine. One
 * session renders one frame at a time (it is not thread-safe: the preview
 * worker calls it from its thread) and keeps what is expensive between
 * calls: the model, the detector, the faces of the frame last loaded and
 * their swaps (a settings change re-composes from those without detecting
 * or running the model again), and a reader for the original frames.
 */
typedef struct _LkPreviewSession LkPreviewSession;

/**
 * LkPreviewFrame:
 * @original: the frame, RGB, @stride bytes a row
 * @result: the swapped frame, RGB, @result_stride a row; NULL without a
 *   model (or when it could not be used: @swap_error says why)
 * @overlay: RGBA over @overlay_rect, the masks tinted; NULL without faces
 * @time: of the frame shown; @previous_time, @next_time: of its neighbours
 *   (NAN: none, or not known)
 * @frame_times: double, every frame's time (shared, read-only); NULL where
 *   the video's index cannot tell
 * @tick: seconds of one unit of the video's time base
 * @duration: @frame_rate: of the video (@frame_rate nominal)
 */
typedef struct
{
  GBytes          *original;
  GBytes          *result;
  GBytes          *overlay;
  int              width;
  int              height;
  gsize            stride;
  gsize            result_stride;
  LkMaskRegion     overlay_rect;
  char            *video;
  double           time;
  double           previous_time;
  double           next_time;
  GArray          *frame_times;
  double           tick;
  double           duration;
  double           frame_rate;
  guint            n_faces;
  GError          *swap_error;
} LkPreviewFrame;

void              lk_preview_frame_free     (LkPreviewFrame        *frame);

/* @checkpoint: the model; NULL: originals only. */
LkPreviewSession *lk_preview_session_new    (LkProject             *project,
                                             const char            *checkpoint);
void              lk_preview_session_free   (LkPreviewSession      *session);

/* The frame of @video shown at @time, swapped with @params. A model that
 * cannot be loaded is not an error: the frame comes back without a swap and
 * with swap_error set. */
LkPreviewFrame   *lk_preview_session_render (LkPreviewSession      *session,
                                             const char            *video,
                                             double                 time,
                                             const LkConvertParams *params,
                                             GCancellable          *cancellable,
                                             GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkPreviewFrame, lk_preview_frame_free)

G_END_DECLS
