/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-align.h"
#include "lk-convert-params.h"
#include "lk-image.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * LkConverter: the per-frame pipeline of a conversion.
 *
 *   frame -> detect/track (LkFaceTracker, full detection at least every
 *   params->redetect_interval frames) -> landmarks -> One Euro smoothing
 *   per track (with the frame's time in seconds) -> alignment at the model's
 *   face size and the coverage the project's faces were extracted with ->
 *   model swap (all faces of the frame in one batch) -> compositor (warp
 *   back, mask with per-track mask smoothing, colour transfer, blend) into
 *   the frame, in place.
 *
 * Faces that are not found leave the frame untouched. The caller writes
 * the frame with the source's own timestamp (see lk-export.h, which runs
 * this on a video).
 *
 * Threading: one converter per video, used by one thread at a time (it
 * holds a detector, a tracker, a model and a compositor).
 */

typedef struct _LkConverter LkConverter;

/**
 * lk_convert_find_checkpoint:
 * @project: a project
 * @iteration: (out) (optional): the checkpoint's iteration
 *
 * The newest checkpoint of the project that can be loaded: the
 * model/ckpt-*.safetensors files, newest iteration first; the first whose
 * header reads wins (lk_project_find_newest_checkpoint()). The iteration
 * is that of the file's name.
 *
 * Returns: (transfer full): its path, or NULL with LK_ERROR_NOT_FOUND when
 *   the project has no model yet
 */
char        *lk_convert_find_checkpoint (LkProject            *project,
                                         gint64               *iteration,
                                         GError              **error);

/* The coverage (LkAlignParams.coverage) the project's faces were extracted
 * with (the most common one); the alignment's default without faces. */
double       lk_convert_project_coverage (LkProject           *project);

/**
 * lk_converter_new:
 * @project: (nullable): where the checkpoint and the coverage come from
 * @checkpoint: (nullable): the model to use; NULL: the project's newest
 * @coverage: the alignment's coverage; 0: the project's (or the default)
 * @params: the settings (copied)
 *
 * Loads the model (on the best device) and the landmark model.
 */
LkConverter *lk_converter_new           (LkProject             *project,
                                         const char            *checkpoint,
                                         double                 coverage,
                                         const LkConvertParams *params,
                                         GError               **error);
void         lk_converter_free          (LkConverter           *self);

/**
 * lk_converter_process:
 * @frame: an RGB frame of the video, replaced in place
 * @time: its timestamp in seconds (for the temporal smoothing)
 * @n_faces: (out) (optional): faces replaced on it
 *
 * Frames must come in presentation order, from one run through a video
 * (tracks and smoothing carry over from frame to frame).
 */
gboolean     lk_converter_process       (LkConverter           *self,
                                         LkImage               *frame,
                                         double                 time,
                                         guint                 *n_faces,
                                         GError               **error);

const char  *lk_converter_get_checkpoint (LkConverter          *self);
/* The model's face size and the alignment used. */
LkAlignParams lk_converter_get_align_params (LkConverter       *self);
/* Full detections run so far (the tracker's count). */
guint        lk_converter_get_n_detections (LkConverter        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkConverter, lk_converter_free)

G_END_DECLS
