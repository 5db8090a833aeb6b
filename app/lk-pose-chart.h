/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-pose-coverage.h"

G_BEGIN_DECLS

#define LK_TYPE_POSE_CHART (lk_pose_chart_get_type ())

G_DECLARE_FINAL_TYPE (LkPoseChart, lk_pose_chart, LK, POSE_CHART, GtkWidget)

/* A yaw x pitch heat map of a face set (LkPoseCoverage): the more faces in
 * a bin, the stronger its colour; the "missing angles" (empty bins next to
 * populated ones) are outlined. */
GtkWidget            *lk_pose_chart_new          (void);
/* Takes @coverage (may be NULL: an empty chart). */
void                  lk_pose_chart_set_coverage (LkPoseChart    *self,
                                                  LkPoseCoverage *coverage);
const LkPoseCoverage *lk_pose_chart_get_coverage (LkPoseChart    *self);

G_END_DECLS
