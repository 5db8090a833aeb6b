/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-convert-params.h"
#include "lk-job.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * Export: converts a target video with the project's model and encodes it.
 *
 * Three threads overlap the work: one decodes (LkVideoReader), the calling
 * thread runs LkConverter on each frame (detection/tracking, model,
 * compositor) and burns in the label, one encodes (LkVideoWriter). Every
 * frame of the target (inside the range) is written with its own source
 * timestamp in the source's time base, so the output has the same frames
 * and timing (variable frame rate stays variable); frames without a face
 * are written unchanged. The source's audio is copied unchanged; for a
 * range, only the range's part of it (the packets that overlap it, whole;
 * cut to the sample where it has to be re-encoded), with its own
 * timestamps, so it stays in step with the kept frames'. A frame range's
 * audio runs from its first frame's time to the time of the frame after
 * its last (to the end of the audio when the range reaches the end of the
 * video).
 *
 * The output is written under a temporary name and renamed when complete;
 * on cancel or failure nothing is left under @output (nor a temporary
 * file). Provenance (lk-provenance.h): container tags and the sidecar by
 * default, written after the rename; if the sidecar cannot be written the
 * output is deleted again (an export is complete with its provenance or not
 * at all). Each export is recorded in the project's exports table (status
 * running, then done, failed or cancelled).
 *
 * On the CPU, libtorch's intra-op threads are set to 1 for the export's
 * duration (process-wide; restored afterwards; LK_CONVERT_TORCH_THREADS=N
 * overrides): the three threads of the export already use the cores.
 *
 * Progress goes to @job: fraction, a message "Frame N of M", and the
 * figures "frames" (written so far), "frames-total" and
 * "frames-per-second"; lk_job_get_remaining() gives the time left.
 */

typedef struct
{
  guint64  frames;               /* frames written */
  guint64  frames_with_faces;    /* frames where at least one face was replaced */
  guint64  frames_without_face;  /* frames passed through untouched */
  guint64  faces;                /* faces replaced, all frames together */
  guint    detections;           /* frames the full detector ran on */
  double   seconds;
  double   frames_per_second;
  gint64   export_id;            /* row of the exports table, -1 if none */
  char    *output;
  char    *sidecar;              /* NULL when none was written */
  char    *checkpoint;
  char    *checkpoint_sha256;
  char    *output_sha256;        /* NULL without a sidecar */
  char    *audio;                /* "copy", "encode" or "none" */
} LkExportSummary;

void     lk_export_summary_clear (LkExportSummary       *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (LkExportSummary, lk_export_summary_clear)

/**
 * lk_export_run:
 * @project: the project (model, coverage, sources for the sidecar, the
 *   exports table)
 * @target: the video whose faces are replaced
 * @output: the file to write (.mp4, .mkv, .mov; .webm for VP9)
 * @checkpoint: (nullable): the model; NULL: the project's newest
 * @params: the settings
 * @job: (nullable): progress and cancel
 * @summary: (out caller-allocates) (optional): what was done; clear it with
 *   lk_export_summary_clear()
 *
 * Blocking (the CLI's; the studio uses lk_export_async()).
 *
 * Returns: FALSE with @error set on failure, or G_IO_ERROR_CANCELLED
 */
gboolean lk_export_run           (LkProject             *project,
                                  const char            *target,
                                  const char            *output,
                                  const char            *checkpoint,
                                  const LkConvertParams *params,
                                  LkJob                 *job,
                                  LkExportSummary       *summary,
                                  GError               **error);

/* lk_export_run() on a worker thread; cancel with lk_job_cancel (@job). */
void     lk_export_async         (LkProject             *project,
                                  const char            *target,
                                  const char            *output,
                                  const char            *checkpoint,
                                  const LkConvertParams *params,
                                  LkJob                 *job,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data);
gboolean lk_export_finish        (LkProject             *project,
                                  GAsyncResult          *result,
                                  LkExportSummary       *summary,
                                  GError               **error);

G_END_DECLS
