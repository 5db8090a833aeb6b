/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"
#include "lk-metrics.h"

G_BEGIN_DECLS

/* Of @faces (LkFace, any order), the duplicate-group members to exclude:
 * among the faces with skip[i] FALSE, each group keeps its sharpest (NaN
 * counts as least sharp; ties keep the smaller id) and sets out[i] TRUE for
 * the others. */
void _lk_curate_mark_duplicates (GPtrArray      *faces,
                                 const gboolean *skip,
                                 gboolean       *out);

#define LK_OCCLUSION_MAX_CELLS (LK_METRICS_OCCLUSION_CELLS * LK_METRICS_OCCLUSION_CELLS)

/* How _lk_curate_face_occlusion() came to its figure, cell by cell
 * (row-major over the face area's bounding box). */
typedef struct
{
  int      n;                                     /* cells per side */
  double   box[4];                                /* the cells' box: x, y, width, height, crop px */
  double   reference[3];                          /* the face's skin: L*, a*, b* */
  double   threshold;                             /* colour distance beyond which it is not skin */
  int      area[LK_OCCLUSION_MAX_CELLS];          /* face-area pixels (work grid); 0: not judged */
  double   colour[LK_OCCLUSION_MAX_CELLS][3];     /* median L*, a*, b*, eyes and mouth left out */
  double   distance[LK_OCCLUSION_MAX_CELLS];      /* of the colour from the reference */
  gboolean skin[LK_OCCLUSION_MAX_CELLS];          /* the cell's colour is the face's skin */
  double   covered[LK_OCCLUSION_MAX_CELLS];       /* its weight in the figure, 0..1 */
} LkOcclusionCells;

/* The occlusion metric of lk_curate_face_metrics(), with how it came about
 * in @cells; NAN when the face area is too small to judge. */
double _lk_curate_face_occlusion (const LkImage    *crop,
                                  const float     (*crop_landmarks)[2],
                                  LkOcclusionCells *cells);

/* Ascending order of doubles, for qsort() and g_array_sort(). */
int _lk_curate_compare_double (gconstpointer a,
                               gconstpointer b);

G_END_DECLS
