/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include "lk-pose-coverage.h"

#include <math.h>
#include <stdlib.h>

#include "lk-faces.h"

void
lk_pose_coverage_free (LkPoseCoverage *coverage)
{
  if (coverage == NULL)
    return;

  g_free (coverage->counts);
  g_clear_pointer (&coverage->missing, g_array_unref);
  g_free (coverage);
}

typedef struct
{
  LkPoseBin bin;
  int       neighbours;
} Candidate;

static int
compare_candidates (gconstpointer a,
                    gconstpointer b)
{
  const Candidate *p = a, *q = b;

  if (p->neighbours != q->neighbours)
    return q->neighbours - p->neighbours;
  /* then nearer frontal first */
  return (fabs (p->bin.yaw) + fabs (p->bin.pitch) < fabs (q->bin.yaw) + fabs (q->bin.pitch)) ? -1 :
         (fabs (p->bin.yaw) + fabs (p->bin.pitch) > fabs (q->bin.yaw) + fabs (q->bin.pitch)) ? 1 : 0;
}

static int
bin_of (double value,
        double min,
        double bin,
        int    n)
{
  return CLAMP ((int) floor ((value - min) / bin), 0, n - 1);
}

LkPoseCoverage *
lk_pose_coverage_new (GPtrArray *faces,
                      double     bin_degrees)
{
  g_autoptr(LkPoseCoverage) c = g_new0 (LkPoseCoverage, 1);
  g_autoptr(GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));

  g_return_val_if_fail (faces != NULL, NULL);

  if (bin_degrees <= 0)
    bin_degrees = LK_POSE_COVERAGE_DEFAULT_BIN;

  c->yaw_min = -90;
  c->yaw_max = 90;
  c->pitch_min = -60;
  c->pitch_max = 60;
  c->bin_degrees = bin_degrees;
  c->n_yaw = MAX (1, (int) ceil ((c->yaw_max - c->yaw_min) / bin_degrees - 1e-9));
  c->n_pitch = MAX (1, (int) ceil ((c->pitch_max - c->pitch_min) / bin_degrees - 1e-9));
  c->counts = g_new0 (guint, c->n_yaw * c->n_pitch);
  c->missing = g_array_new (FALSE, FALSE, sizeof (LkPoseBin));

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];
      int x, y;

      if (!isfinite (face->metrics.yaw) || !isfinite (face->metrics.pitch))
        {
          c->no_pose++;
          continue;
        }
      x = bin_of (face->metrics.yaw, c->yaw_min, bin_degrees, c->n_yaw);
      y = bin_of (face->metrics.pitch, c->pitch_min, bin_degrees, c->n_pitch);
      c->counts[y * c->n_yaw + x]++;
      c->total++;
    }

  for (int y = 0; y < c->n_pitch; y++)
    for (int x = 0; x < c->n_yaw; x++)
      {
        Candidate cand = { { x, y, c->yaw_min + (x + 0.5) * bin_degrees,
                             c->pitch_min + (y + 0.5) * bin_degrees }, 0 };

        if (c->counts[y * c->n_yaw + x] > 0)
          continue;
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int nx = x + dx, ny = y + dy;

              if ((dx != 0 || dy != 0) && nx >= 0 && nx < c->n_yaw && ny >= 0 && ny < c->n_pitch &&
                  c->counts[ny * c->n_yaw + nx] > 0)
                cand.neighbours++;
            }
        if (cand.neighbours > 0)
          g_array_append_val (candidates, cand);
      }

  g_array_sort (candidates, compare_candidates);
  for (guint i = 0; i < candidates->len; i++)
    g_array_append_val (c->missing, g_array_index (candidates, Candidate, i).bin);

  return g_steal_pointer (&c);
}

LkPoseCoverage *
lk_curate_pose_coverage (LkProject   *project,
                         LkIdentity   identity,
                         double       bin_degrees,
                         GError     **error)
{
  g_autoptr(GPtrArray) faces = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_INCLUDED, NULL, "id", FALSE,
                                 error);
  if (faces == NULL)
    return NULL;

  return lk_pose_coverage_new (faces, bin_degrees);
}
