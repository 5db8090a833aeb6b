/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-project.h"

G_BEGIN_DECLS

/**
 * LkPoseBin:
 * One cell of the pose histogram: its column (yaw) and row (pitch) and the
 * angles at its centre, in degrees.
 */
typedef struct
{
  int    yaw_bin;
  int    pitch_bin;
  double yaw;
  double pitch;
} LkPoseBin;

/**
 * LkPoseCoverage:
 * A yaw x pitch histogram of faces, for a chart.
 *
 * @counts holds @n_pitch rows of @n_yaw columns: row r covers pitch
 * [pitch_min + r * bin, pitch_min + (r + 1) * bin), column c covers yaw
 * [yaw_min + c * bin, ...); angles outside are clamped into the edge bins.
 * @missing lists the empty bins next to a populated one (8-neighbours): the
 * angles the set lacks but is close to, the most surrounded first.
 */
typedef struct
{
  double     yaw_min;
  double     yaw_max;
  double     pitch_min;
  double     pitch_max;
  double     bin_degrees;
  int        n_yaw;
  int        n_pitch;
  guint     *counts;
  guint      total;       /* faces counted */
  guint      no_pose;     /* faces left out for lack of a pose */
  GArray    *missing;     /* LkPoseBin */
} LkPoseCoverage;

#define LK_POSE_COVERAGE_DEFAULT_BIN 10.0

void            lk_pose_coverage_free       (LkPoseCoverage *coverage);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkPoseCoverage, lk_pose_coverage_free)

static inline guint
lk_pose_coverage_count (const LkPoseCoverage *coverage,
                        int                   yaw_bin,
                        int                   pitch_bin)
{
  return coverage->counts[pitch_bin * coverage->n_yaw + yaw_bin];
}

/* The histogram of @faces (LkFace) over yaw -90..90 x pitch -60..60 in bins
 * of @bin_degrees (<= 0: the default, 10). */
LkPoseCoverage *lk_pose_coverage_new        (GPtrArray      *faces,
                                             double          bin_degrees);

/* The same for the included faces of @identity in @project. */
LkPoseCoverage *lk_curate_pose_coverage     (LkProject      *project,
                                             LkIdentity      identity,
                                             double          bin_degrees,
                                             GError        **error);

G_END_DECLS
