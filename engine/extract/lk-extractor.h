/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-job.h"
#include "lk-project.h"

G_BEGIN_DECLS

/**
 * LkExtractParams:
 * How faces are found and cropped. Start from lk_extract_params_default()
 * and change what you need.
 */
typedef struct
{
  int         every_nth;          /* look at every Nth frame (1: all) */
  int         min_face_size;      /* px in the source frame; smaller faces are ignored */
  int         upsample;           /* detector upsampling (each costs ~4x, finds ~half-size faces) */
  gboolean    cnn;                /* dlib's CNN detector instead of HOG (slow on a CPU) */
  const char *cnn_model;          /* its model file; NULL: LK_CNN_MODEL or the default place */
  const char *landmark_model;     /* NULL: the default 68-point model */
  int         redetect_interval;  /* between detections faces are tracked; <= 0: detect every frame */
  int         max_faces;          /* per frame, largest first; 0: no limit */
  int         crop_size;          /* aligned crop side, px (default 256) */
  double      coverage;           /* template fraction of the crop (see LkAlignParams) */
  gboolean    descriptors;        /* compute identity descriptors (engine/identity) of the
                                   * faces, when the network is there (default TRUE); not
                                   * part of the stored parameters: it finds no other faces */
} LkExtractParams;

LkExtractParams lk_extract_params_default (void);

/**
 * LkExtractSummary:
 * What one extraction run did, for the CLI's --json and the GUI's toast.
 */
typedef struct
{
  guint  sources;             /* files looked at */
  guint  sources_skipped;     /* already extracted with the same parameters */
  guint  frames_decoded;
  guint  frames_processed;    /* frames that went through detection/tracking */
  guint  frames_already_done; /* skipped because an earlier run stored them */
  guint  frames_with_faces;
  guint  faces;               /* faces stored */
  guint  detections;          /* full detector runs (the rest were tracked) */
  double seconds;
  double frames_per_second;   /* processed frames per second of wall time */
} LkExtractSummary;

/* Extracts the faces of @paths (videos or still images) into @project as
 * faces of @identity: adds each file as a source, then decodes it, finds and
 * tracks faces, aligns and saves each crop under faces/<identity>/ and stores
 * each processed frame with its faces in one transaction.
 *
 * Every file is opened first; if one cannot be read, nothing is changed and
 * @error names it. A file that fails part-way (a truncated stream) has what
 * this run stored for it removed again. A cancel through @job keeps every
 * frame stored so far; so does a kill. Frames stored by an earlier run are
 * skipped, so running the same extraction again adds nothing.
 *
 * Blocking: call it from a worker thread (see lk_extract_sources_async()).
 * Progress goes to @job (may be NULL): fraction, a message, and the figures
 * "frames-per-second", "frames", "faces". */
gboolean lk_extract_sources        (LkProject              *project,
                                    LkIdentity              identity,
                                    const char * const     *paths,
                                    const LkExtractParams  *params,
                                    LkJob                  *job,
                                    LkExtractSummary       *summary,
                                    GError                **error);

/* The same through the engine's job runner (lk-job-runner.h): @job (may be
 * NULL: one titled "Extracting Faces") is listed among the running jobs
 * while it runs. */
void     lk_extract_sources_async  (LkProject              *project,
                                    LkIdentity              identity,
                                    const char * const     *paths,
                                    const LkExtractParams  *params,
                                    LkJob                  *job,
                                    GAsyncReadyCallback     callback,
                                    gpointer                user_data);
gboolean lk_extract_sources_finish (LkProject              *project,
                                    GAsyncResult           *result,
                                    LkExtractSummary       *summary,
                                    GError                **error);

/* The parameters as JSON, as stored with each source. */
char    *lk_extract_params_to_json (const LkExtractParams  *params);

G_END_DECLS
