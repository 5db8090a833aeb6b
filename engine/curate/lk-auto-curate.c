/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include <inttypes.h>

#include "lk-auto-curate.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>

#include "lk-curate-enum-types.h"
#include "lk-curate-private.h"
#include "lk-duplicates.h"
#include "lk-describe-faces.h"
#include "lk-error.h"
#include "lk-face-descriptor.h"
#include "lk-faces.h"
#include "lk-types.h"


const char *
lk_curate_rule_to_string (LkCurateRule rule)
{
  g_return_val_if_fail (rule < LK_CURATE_N_RULES, NULL);

  return lk_enum_to_nick (LK_TYPE_CURATE_RULE, rule);
}

int
lk_curate_rule_from_string (const char *name)
{
  return lk_enum_from_nick (LK_TYPE_CURATE_RULE, name);
}

LkAutoCurateParams
lk_auto_curate_params_default (void)
{
  LkAutoCurateParams params = {
    .max_identity_distance = LK_FACE_SAME_PERSON_DISTANCE,
    .multi_face = TRUE,
    .min_face_size = 64,
    .min_landmark_fit = 0.3,
    .max_occlusion = 0.2,
    .blurry_relative = 0.35,
    .blurry_absolute = 0,
    .dark_exposure = 0.15,
    .bright_exposure = 0.88,
    .max_clipped = 0.2,
    .max_colour_cast = 12,
    .colour_cast_margin = 8,
    .max_yaw = 0,
    .max_pitch = 0,
    .duplicates = TRUE,
    .duplicate_distance = LK_DUPLICATES_DEFAULT_DISTANCE,
  };

  return params;
}

void
lk_auto_curate_plan_free (LkAutoCuratePlan *plan)
{
  if (plan == NULL)
    return;

  g_clear_pointer (&plan->face_ids, g_array_unref);
  g_clear_pointer (&plan->rules, g_array_unref);
  g_free (plan);
}

gboolean
lk_curate_prepare (LkProject                *project,
                   int                       identity,
                   const LkAutoCurateParams *params,
                   LkJob                    *job,
                   LkAnalyseSummary         *summary,
                   GError                  **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (!lk_curate_analyse (project, identity, FALSE, job, summary, error))
    return FALSE;

  if (params->max_identity_distance > 0)
    {
      g_autoptr(GError) local_error = NULL;

      if (!lk_identity_describe_faces (project, identity, job, NULL, &local_error))
        {
          if (!g_error_matches (local_error, LK_ERROR, LK_ERROR_NOT_FOUND) &&
              !g_error_matches (local_error, LK_ERROR, LK_ERROR_CORRUPT) &&
              !g_error_matches (local_error, LK_ERROR, LK_ERROR_MODEL))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          /* No network: the rule has nothing to go on. */
          g_message ("The “another person” rule is off: %s", local_error->message);
        }
    }

  LK_JOB_UPDATE (job, 1.0, _("Grouping near-duplicates"));

  return lk_curate_find_duplicates (project, identity, CLAMP (params->duplicate_distance, 0, 64),
                                    NULL, error);
}

static double
median_sharpness (GPtrArray *faces,
                  int        identity)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  guint n;

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];

      if ((int) face->identity == identity && isfinite (face->metrics.sharpness))
        g_array_append_val (values, face->metrics.sharpness);
    }

  n = values->len;
  if (n == 0)
    return NAN;

  g_array_sort (values, _lk_curate_compare_double);
  if (n % 2 == 1)
    return g_array_index (values, double, n / 2);
  return 0.5 * (g_array_index (values, double, n / 2 - 1) + g_array_index (values, double, n / 2));
}

/* Whether @rule flags @face (NaN metrics never do). */
/* Videos with at least this many faces get a median colour cast of their
 * own (photos are judged by the absolute bar alone). */
#define MIN_FACES_FOR_SOURCE_MEDIAN 10

/* source id -> median colour cast (double *) of its faces. */
static GHashTable *
source_cast_medians (GPtrArray *faces)
{
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        (GDestroyNotify) g_array_unref);
  GHashTable *medians = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];
      GArray *array;

      if (!isfinite (face->metrics.colour_cast))
        continue;
      array = g_hash_table_lookup (values, &face->source_id);
      if (array == NULL)
        {
          array = g_array_new (FALSE, FALSE, sizeof (double));
          g_hash_table_insert (values, g_memdup2 (&face->source_id, sizeof (gint64)), array);
        }
      g_array_append_val (array, face->metrics.colour_cast);
    }

  g_hash_table_iter_init (&iter, values);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GArray *array = value;
      double median;

      if (array->len < MIN_FACES_FOR_SOURCE_MEDIAN)
        continue;
      g_array_sort (array, _lk_curate_compare_double);
      median = g_array_index (array, double, array->len / 2);
      g_hash_table_insert (medians, g_memdup2 (key, sizeof (gint64)),
                           g_memdup2 (&median, sizeof median));
    }

  return medians;
}

GArray *
lk_curate_identity_distances (GPtrArray *faces,
                              GPtrArray *reference)
{
  GArray *distances = g_array_sized_new (FALSE, FALSE, sizeof (double), faces->len);
  float medians[2][LK_FACE_DESCRIPTOR_DIM];
  gboolean have[2] = { FALSE, FALSE };

  g_return_val_if_fail (faces != NULL, NULL);

  if (reference == NULL)
    reference = faces;

  for (int id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
    {
      g_autoptr(GArray) descriptors = g_array_new (FALSE, FALSE, sizeof (float));

      for (guint i = 0; i < reference->len; i++)
        {
          const LkFace *face = reference->pdata[i];

          if ((int) face->identity == id && face->descriptor != NULL)
            g_array_append_vals (descriptors, face->descriptor, LK_FACE_DESCRIPTOR_DIM);
        }
      if (descriptors->len == 0)
        continue;
      lk_face_descriptor_median ((const float *) descriptors->data,
                                 (int) (descriptors->len / LK_FACE_DESCRIPTOR_DIM), medians[id]);
      have[id] = TRUE;
    }

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];
      double d = NAN;

      if (face->descriptor != NULL && (face->identity == LK_IDENTITY_A ||
                                       face->identity == LK_IDENTITY_B) && have[face->identity])
        d = lk_face_descriptor_distance (face->descriptor, medians[face->identity]);
      g_array_append_val (distances, d);
    }

  return distances;
}

typedef struct
{
  LkFace *face;
  double  distance;
} ByDistance;

static int
compare_by_distance (gconstpointer a,
                     gconstpointer b,
                     gpointer      user_data)
{
  const ByDistance *x = a, *y = b;
  gboolean descending = GPOINTER_TO_INT (user_data);

  if (isnan (x->distance) != isnan (y->distance))
    return isnan (x->distance) ? 1 : -1;
  if (!isnan (x->distance) && x->distance != y->distance)
    return (x->distance < y->distance) == !descending ? -1 : 1;
  return x->face->id < y->face->id ? -1 : x->face->id > y->face->id ? 1 : 0;
}

void
lk_curate_sort_by_identity (GPtrArray *faces,
                            GPtrArray *reference,
                            gboolean   descending)
{
  g_autoptr(GArray) distances = NULL;
  g_autofree ByDistance *items = NULL;

  g_return_if_fail (faces != NULL);

  distances = lk_curate_identity_distances (faces, reference);
  items = g_new (ByDistance, faces->len + 1);
  for (guint i = 0; i < faces->len; i++)
    {
      items[i].face = faces->pdata[i];
      items[i].distance = g_array_index (distances, double, i);
    }
  g_qsort_with_data (items, (gint) faces->len, sizeof (ByDistance), compare_by_distance,
                     GINT_TO_POINTER (descending));
  for (guint i = 0; i < faces->len; i++)
    faces->pdata[i] = items[i].face;
}

static gboolean
rule_flags (LkCurateRule               rule,
            const LkFace              *face,
            const LkAutoCurateParams  *p,
            const double              *medians,
            GHashTable                *cast_medians,
            double                     identity_distance)
{
  const LkFaceMetrics *m = &face->metrics;

  switch (rule)
    {
    case LK_CURATE_RULE_ANOTHER_PERSON:
      return p->max_identity_distance > 0 && identity_distance > p->max_identity_distance;
    case LK_CURATE_RULE_MULTI_FACE:
      return p->multi_face && face->faces_in_frame > 1;
    case LK_CURATE_RULE_SMALL:
      return p->min_face_size > 0 && m->face_size < p->min_face_size;
    case LK_CURATE_RULE_OCCLUDED:
      return (p->min_landmark_fit > 0 && m->landmark_fit < p->min_landmark_fit) ||
             (p->max_occlusion > 0 && m->occlusion > p->max_occlusion);
    case LK_CURATE_RULE_BLURRY:
      {
        double median = medians[face->identity];

        return (p->blurry_relative > 0 && isfinite (median) &&
                m->sharpness < p->blurry_relative * median) ||
               (p->blurry_absolute > 0 && m->sharpness < p->blurry_absolute);
      }
    case LK_CURATE_RULE_DARK:
      return (p->dark_exposure > 0 && m->exposure < p->dark_exposure) ||
             (p->max_clipped > 0 && m->clipped_dark > p->max_clipped);
    case LK_CURATE_RULE_BRIGHT:
      return (p->bright_exposure > 0 && m->exposure > p->bright_exposure) ||
             (p->max_clipped > 0 && m->clipped_bright > p->max_clipped);
    case LK_CURATE_RULE_TINTED:
      {
        const double *source_median = g_hash_table_lookup (cast_medians, &face->source_id);

        if (!(p->max_colour_cast > 0 && m->colour_cast > p->max_colour_cast))
          return FALSE;
        return p->colour_cast_margin <= 0 || source_median == NULL ||
               m->colour_cast > *source_median + p->colour_cast_margin;
      }
    case LK_CURATE_RULE_POSE:
      return (p->max_yaw > 0 && fabs (m->yaw) > p->max_yaw) ||
             (p->max_pitch > 0 && fabs (m->pitch) > p->max_pitch);
    case LK_CURATE_RULE_DUPLICATE:
    case LK_CURATE_N_RULES:
    default:
      g_assert_not_reached ();
    }
}

LkAutoCuratePlan *
lk_auto_curate_plan (LkProject                *project,
                     int                       identity,
                     const LkAutoCurateParams *params,
                     GError                  **error)
{
  g_autoptr(LkAutoCuratePlan) plan = g_new0 (LkAutoCuratePlan, 1);
  g_autoptr(GPtrArray) faces = NULL;
  g_autofree int *reason = NULL;
  g_autofree gboolean *skip = NULL;
  g_autofree gboolean *dup = NULL;
  g_autoptr(GHashTable) cast_medians = NULL;
  g_autoptr(GArray) identity_distances = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (identity >= -1 && identity <= LK_IDENTITY_B, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "id", FALSE, error);
  if (faces == NULL)
    return NULL;

  plan->identity = identity;
  plan->face_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  plan->rules = g_array_new (FALSE, FALSE, sizeof (int));
  /* The median over all of an identity's faces, so excluding some does not
   * move the bar for the rest. */
  plan->median_sharpness[0] = median_sharpness (faces, LK_IDENTITY_A);
  plan->median_sharpness[1] = median_sharpness (faces, LK_IDENTITY_B);
  cast_medians = source_cast_medians (faces);
  /* Likewise the median descriptor: over all of the identity's faces. */
  identity_distances = lk_curate_identity_distances (faces, NULL);

  reason = g_new (int, faces->len + 1);
  skip = g_new0 (gboolean, faces->len + 1);
  dup = g_new0 (gboolean, faces->len + 1);

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];

      reason[i] = -1;
      if (!face->included)
        {
          skip[i] = TRUE;
          continue;
        }
      plan->considered++;
      if (face->descriptor != NULL)
        plan->with_descriptor++;
      for (int r = 0; r < LK_CURATE_RULE_DUPLICATE; r++)
        if (rule_flags (r, face, params, plan->median_sharpness, cast_medians,
                        g_array_index (identity_distances, double, i)))
          {
            plan->flagged[r]++;
            if (reason[i] < 0)
              reason[i] = r;
          }
    }

  /* Duplicates: flagged on its own, each group keeps its sharpest included
   * face; as a reason, among the faces no other rule excludes (so every
   * group keeps one face if any survives the other rules). */
  if (params->duplicates)
    {
      _lk_curate_mark_duplicates (faces, skip, dup);
      for (guint i = 0; i < faces->len; i++)
        plan->flagged[LK_CURATE_RULE_DUPLICATE] += dup[i];

      for (guint i = 0; i < faces->len; i++)
        skip[i] = skip[i] || reason[i] >= 0;
      _lk_curate_mark_duplicates (faces, skip, dup);
      for (guint i = 0; i < faces->len; i++)
        if (dup[i])
          reason[i] = LK_CURATE_RULE_DUPLICATE;
    }

  for (guint i = 0; i < faces->len; i++)
    {
      if (reason[i] < 0)
        continue;
      g_array_append_val (plan->face_ids, ((LkFace *) faces->pdata[i])->id);
      g_array_append_val (plan->rules, reason[i]);
      plan->excluded[reason[i]]++;
      plan->total++;
    }

  return g_steal_pointer (&plan);
}

gboolean
lk_auto_curate_apply (LkProject               *project,
                      const LkAutoCuratePlan  *plan,
                      LkFaceStates           **previous,
                      GError                 **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(LkFaceStates) states = NULL;
  g_autofree gboolean *included = NULL;
  g_autofree const char **reasons = NULL;
  guint n;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (plan != NULL, FALSE);

  n = plan->face_ids->len;
  faces = lk_project_list_faces (project, plan->identity, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 error);
  if (faces == NULL)
    return FALSE;
  for (guint i = 0; i < faces->len; i++)
    g_hash_table_insert (by_id, &((LkFace *) faces->pdata[i])->id, faces->pdata[i]);

  states = lk_face_states_new (n);
  included = g_new0 (gboolean, n + 1);
  reasons = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      gint64 id = g_array_index (plan->face_ids, gint64, i);
      LkFace *face = g_hash_table_lookup (by_id, &id);

      if (face == NULL)
        {
          g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                       _("%s: face %" PRId64 " is no longer in the project"),
                       lk_project_get_path (project), id);
          return FALSE;
        }
      lk_face_states_set (states, i, face);
      reasons[i] = lk_curate_rule_to_string (g_array_index (plan->rules, int, i));
    }

  if (!lk_project_set_faces_state (project, (const gint64 *) plan->face_ids->data, included,
                                   reasons, n, error))
    return FALSE;

  if (previous != NULL)
    *previous = g_steal_pointer (&states);

  return TRUE;
}
