/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-faces.h"
#include "lk-job.h"
#include "lk-project.h"

G_BEGIN_DECLS

/**
 * LkDescribeSummary:
 * What one lk_identity_describe_faces() run did.
 */
typedef struct
{
  guint  faces;          /* faces that lacked a descriptor */
  guint  computed;       /* descriptors computed and stored */
  guint  from_frame;     /* of those, cut from the source frame (as extraction does) */
  guint  from_crop;      /* from the stored crop (the source was not readable as extracted) */
  guint  failed;         /* faces left without one (neither source nor crop readable) */
  char  *first_failure;  /* the first such error message (names the file), or NULL */
  double seconds;
} LkDescribeSummary;

void     lk_describe_summary_clear (LkDescribeSummary *summary);

/**
 * lk_identity_describe_faces:
 * @identity: %LK_IDENTITY_A, %LK_IDENTITY_B or -1 for both
 *
 * Computes and stores the identity descriptor of every face of @identity
 * that has none (faces of projects made before extraction computed them),
 * in batches of one transaction each.
 *
 * The network takes dlib's face chip cut from the frame. Where the face's
 * source file is still there as it was extracted (same size and duration),
 * the chip is cut from the decoded source frame with the stored landmarks:
 * exactly what extraction computes, so old and new faces compare alike.
 * Otherwise it is cut from the stored aligned crop, with the landmarks
 * mapped into the crop through the stored frame -> face matrix: the same
 * similarity transform, but resampled twice and, where the chip reaches
 * beyond the crop (the chip keeps more around the face than a tight crop
 * does), filled with black, so such descriptors differ a little (well
 * within the same-person distance).
 *
 * Fails at once when the network is missing (the message says identity
 * features are off). A face whose source and crop both cannot be read is
 * counted in @summary->failed and skipped. A cancel through @job keeps the
 * batches stored so far and fails with %G_IO_ERROR_CANCELLED. Progress:
 * fraction, a message and the figure "faces-per-second". Blocking: call it
 * from a worker thread.
 */
gboolean lk_identity_describe_faces (LkProject          *project,
                                     int                 identity,
                                     LkJob              *job,
                                     LkDescribeSummary  *summary,
                                     GError            **error);

G_END_DECLS
