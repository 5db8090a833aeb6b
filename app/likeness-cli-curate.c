/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <math.h>
#include <string.h>

#include "likeness-cli.h"
#include "lk-auto-curate.h"
#include "lk-describe-faces.h"
#include "lk-duplicates.h"
#include "lk-error.h"
#include "lk-faces.h"
#include "lk-metrics.h"
#include "lk-pose-coverage.h"
#include "lk-project.h"

/* Shared helpers */

/* --identity: NULL (both) or A/B. Returns FALSE after printing a usage
 * error. */
static gboolean
parse_identity (const char *name,
                int        *identity)
{
  *identity = -1;
  if (name == NULL)
    return TRUE;

  *identity = lk_identity_from_string (name);
  if (*identity < 0)
    {
      cli_error (_("--identity must be A or B, not “%s”"), name);
      return FALSE;
    }

  return TRUE;
}

/* Face ids from argv[first..]; FALSE after printing a usage error. */
static GArray *
parse_ids (int    argc,
           char **argv,
           int    first)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (int i = first; i < argc; i++)
    {
      gint64 id;

      if (!g_ascii_string_to_signed (argv[i], 10, 1, G_MAXINT64, &id, NULL))
        {
          cli_error (_("“%s” is not a face id (a positive number)"), argv[i]);
          return NULL;
        }
      g_array_append_val (ids, id);
    }

  return g_steal_pointer (&ids);
}

/* Every id must name a face of the project. */
static gboolean
check_ids_exist (LkProject  *project,
                 GArray     *ids,
                 GError    **error)
{
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(LkFace) face = lk_project_get_face (project, g_array_index (ids, gint64, i), error);

      if (face == NULL)
        {
          g_prefix_error (error, "%s: ", lk_project_get_path (project));
          return FALSE;
        }
    }

  return TRUE;
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static const char *
relative_file (LkProject  *project,
               const char *file)
{
  const char *root = lk_project_get_path (project);
  gsize n = strlen (root);

  if (strncmp (file, root, n) == 0 && file[n] == G_DIR_SEPARATOR)
    return file + n + 1;
  return file;
}

/* likeness-cli curate */

typedef struct
{
  LkProject          *project;
  int                 identity;
  gboolean            recompute;
  LkAutoCurateParams  params;
  LkAnalyseSummary    summary;
} CurateRun;

static gboolean
curate_work (LkJob    *job,
             gpointer  user_data,
             GError  **error)
{
  CurateRun *run = user_data;
  gboolean ok;

  ok = (!run->recompute ||
        lk_curate_analyse (run->project, run->identity, TRUE, job, &run->summary, error)) &&
       lk_curate_prepare (run->project, run->identity, &run->params, job,
                          run->recompute ? NULL : &run->summary, error);

  return ok;
}

static void
add_coverage (JsonBuilder    *b,
              LkPoseCoverage *c)
{
  json_builder_begin_object (b);
  add_number (b, "bin-degrees", c->bin_degrees);
  add_number (b, "yaw-min", c->yaw_min);
  add_number (b, "pitch-min", c->pitch_min);
  json_builder_set_member_name (b, "faces");
  json_builder_add_int_value (b, c->total);
  json_builder_set_member_name (b, "counts");
  json_builder_begin_array (b);
  for (int y = 0; y < c->n_pitch; y++)
    {
      json_builder_begin_array (b);
      for (int x = 0; x < c->n_yaw; x++)
        json_builder_add_int_value (b, lk_pose_coverage_count (c, x, y));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "missing");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->missing->len; i++)
    {
      LkPoseBin *bin = &g_array_index (c->missing, LkPoseBin, i);

      json_builder_begin_object (b);
      add_number (b, "yaw", bin->yaw);
      add_number (b, "pitch", bin->pitch);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
print_coverage (LkPoseCoverage *c,
                LkIdentity      identity)
{
  g_print (_("Pose coverage of %s (%u faces; rows: pitch from %+.0f° up, columns: yaw from %+.0f°, "
             "%.0f° bins):\n"),
           lk_identity_to_string (identity), c->total, c->pitch_max, c->yaw_min, c->bin_degrees);
  for (int y = c->n_pitch - 1; y >= 0; y--)
    {
      g_print ("  %+4.0f ", c->pitch_min + (y + 0.5) * c->bin_degrees);
      for (int x = 0; x < c->n_yaw; x++)
        {
          guint n = lk_pose_coverage_count (c, x, y);

          if (n == 0)
            g_print ("   .");
          else
            g_print (" %3u", MIN (n, 999));
        }
      g_print ("\n");
    }
  if (c->missing->len > 0)
    {
      g_print (_("  Missing angles (yaw, pitch):"));
      for (guint i = 0; i < MIN (c->missing->len, 12); i++)
        {
          LkPoseBin *bin = &g_array_index (c->missing, LkPoseBin, i);

          g_print (" (%+.0f°, %+.0f°)", bin->yaw, bin->pitch);
        }
      g_print ("\n");
    }
}

int
cli_curate (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("curate"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  g_autoptr(LkFaceStates) previous = NULL;
  g_autofree char *identity_name = NULL;
  CurateRun run = { 0 };
  gboolean json = FALSE, quiet = FALSE, dry_run = FALSE, auto_pass = FALSE, keep_best = FALSE;
  gboolean no_multi_face = FALSE, no_duplicates = FALSE, coverage = FALSE;
  LkAutoCurateParams *p = &run.params;
  int ret;
  gboolean ok;

  run.params = lk_auto_curate_params_default ();

  {
    const GOptionEntry entries[] = {
      { "auto", 'a', 0, G_OPTION_ARG_NONE, &auto_pass,
        N_("Run the automatic first pass (exclude faces of another person, multi-face, small, "
           "blurry, badly lit, tinted, occluded and duplicate faces)"), NULL },
      { "keep-best", 0, 0, G_OPTION_ARG_NONE, &keep_best,
        N_("Only keep the sharpest face of each near-duplicate group"), NULL },
      { "identity", 'i', 0, G_OPTION_ARG_STRING, &identity_name,
        N_("Only the faces of A or B (default: both)"), "A|B" },
      { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run,
        N_("Print what would be excluded, per rule; change nothing"), NULL },
      { "max-identity-distance", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_identity_distance,
        N_("Exclude faces whose identity is farther than this from the median of their "
           "person’s faces (default 0.6; 0: off; needs the face recognition network)"), "D" },
      { "no-multi-face", 0, 0, G_OPTION_ARG_NONE, &no_multi_face,
        N_("Keep faces of frames with several people"), NULL },
      { "min-size", 0, 0, G_OPTION_ARG_DOUBLE, &p->min_face_size,
        N_("Exclude faces narrower than this in their frame (default 64; 0: off)"), "PX" },
      { "min-landmark-fit", 0, 0, G_OPTION_ARG_DOUBLE, &p->min_landmark_fit,
        N_("Exclude faces whose landmarks fit worse, 0-1 (default 0.3; 0: off)"), "F" },
      { "max-occlusion", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_occlusion,
        N_("Exclude faces more covered than this share, in a colour other than their skin, 0-1 "
           "(default 0.2; 0: off)"), "F" },
      { "blurry", 0, 0, G_OPTION_ARG_DOUBLE, &p->blurry_relative,
        N_("Exclude faces less sharp than this fraction of the median (default 0.35; 0: off)"), "F" },
      { "min-sharpness", 0, 0, G_OPTION_ARG_DOUBLE, &p->blurry_absolute,
        N_("Exclude faces less sharp than this (variance of the Laplacian; default 0: off)"), "S" },
      { "dark", 0, 0, G_OPTION_ARG_DOUBLE, &p->dark_exposure,
        N_("Exclude faces darker than this mean luma, 0-1 (default 0.15; 0: off)"), "F" },
      { "bright", 0, 0, G_OPTION_ARG_DOUBLE, &p->bright_exposure,
        N_("Exclude faces brighter than this mean luma, 0-1 (default 0.88; 0: off)"), "F" },
      { "max-clipped", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_clipped,
        N_("Exclude faces with more clipped black or white than this fraction (default 0.2; 0: off)"), "F" },
      { "max-cast", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_colour_cast,
        N_("Exclude faces with a colour cast beyond this (Lab units from skin; default 12; 0: off)"), "D" },
      { "cast-margin", 0, 0, G_OPTION_ARG_DOUBLE, &p->colour_cast_margin,
        N_("…and, in a video, beyond its median cast by this much (default 8; 0: the bar alone)"), "D" },
      { "max-yaw", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_yaw,
        N_("Exclude faces turned further than this, in degrees (default 0: off)"), "DEG" },
      { "max-pitch", 0, 0, G_OPTION_ARG_DOUBLE, &p->max_pitch,
        N_("Exclude faces looking up or down further than this (default 0: off)"), "DEG" },
      { "no-duplicates", 0, 0, G_OPTION_ARG_NONE, &no_duplicates,
        N_("Keep near-duplicates"), NULL },
      { "duplicate-distance", 0, 0, G_OPTION_ARG_INT, &p->duplicate_distance,
        N_("Hashes differing in at most this many bits of 64 are near-duplicates (default 4)"), "N" },
      { "recompute", 0, 0, G_OPTION_ARG_NONE, &run.recompute,
        N_("Measure every face again, not only new ones"), NULL },
      { "coverage", 0, 0, G_OPTION_ARG_NONE, &coverage,
        N_("Print the pose coverage of the included faces and the missing angles"), NULL },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
      { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress line"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
      return ret;
  }

  if (!parse_identity (identity_name, &run.identity))
    return CLI_EXIT_USAGE;
  if (auto_pass && keep_best)
    {
      cli_error (_("--auto and --keep-best cannot be combined (--auto keeps the best anyway)"));
      return CLI_EXIT_USAGE;
    }
  if (p->max_identity_distance < 0 || p->max_identity_distance > 2 ||
      p->min_face_size < 0 || p->min_landmark_fit < 0 || p->min_landmark_fit > 1 ||
      p->max_occlusion < 0 || p->max_occlusion > 1 ||
      p->blurry_relative < 0 || p->blurry_relative > 1 || p->blurry_absolute < 0 ||
      p->dark_exposure < 0 || p->dark_exposure > 1 || p->bright_exposure < 0 ||
      p->bright_exposure > 1 || p->max_clipped < 0 || p->max_clipped > 1 ||
      p->max_colour_cast < 0 || p->colour_cast_margin < 0 || p->max_yaw < 0 || p->max_pitch < 0 ||
      p->duplicate_distance < 0 || p->duplicate_distance > 32)
    {
      cli_error (_("an option is out of range; see “likeness-cli curate --help”"));
      return CLI_EXIT_USAGE;
    }
  p->multi_face = !no_multi_face;
  p->duplicates = !no_duplicates;

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);
  run.project = project;
  /* Identity descriptors are only computed for the automatic pass. */
  if (!auto_pass)
    p->max_identity_distance = 0;

  job = lk_job_new (_("Measuring faces"));
  ok = cli_run_job (job, curate_work, &run, quiet || json, &error);
  if (!ok)
    {
      lk_analyse_summary_clear (&run.summary);
      return cli_exit_for_error (error);
    }

  if (auto_pass || keep_best)
    {
      LkAutoCurateParams only_dups = lk_auto_curate_params_default ();

      if (keep_best)
        {
          /* Every rule off but the duplicates. */
          memset (&only_dups, 0, sizeof only_dups);
          only_dups.duplicates = TRUE;
        }
      plan = lk_auto_curate_plan (project, run.identity, keep_best ? &only_dups : p, &error);
      if (plan == NULL)
        return cli_exit_for_error (error);
      if (!dry_run && !lk_auto_curate_apply (project, plan, &previous, &error))
        return cli_exit_for_error (error);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "project");
      json_builder_add_string_value (b, lk_project_get_path (project));
      json_builder_set_member_name (b, "identity");
      json_builder_add_string_value (b, run.identity < 0 ? "both" : lk_identity_to_string (run.identity));
      json_builder_set_member_name (b, "dry-run");
      json_builder_add_boolean_value (b, dry_run);
      json_builder_set_member_name (b, "analysis");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "faces");
      json_builder_add_int_value (b, run.summary.faces);
      json_builder_set_member_name (b, "measured");
      json_builder_add_int_value (b, run.summary.computed);
      json_builder_set_member_name (b, "hashed");
      json_builder_add_int_value (b, run.summary.hashed);
      json_builder_set_member_name (b, "unreadable");
      json_builder_add_int_value (b, run.summary.failed);
      if (run.summary.first_failure != NULL)
        {
          json_builder_set_member_name (b, "first-unreadable");
          json_builder_add_string_value (b, run.summary.first_failure);
        }
      add_number (b, "seconds", run.summary.seconds);
      json_builder_end_object (b);

      if (plan != NULL)
        {
          json_builder_set_member_name (b, "considered");
          json_builder_add_int_value (b, plan->considered);
          json_builder_set_member_name (b, "with-descriptor");
          json_builder_add_int_value (b, plan->with_descriptor);
          json_builder_set_member_name (b, "rules");
          json_builder_begin_object (b);
          for (int r = 0; r < LK_CURATE_N_RULES; r++)
            {
              json_builder_set_member_name (b, lk_curate_rule_to_string (r));
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "flagged");
              json_builder_add_int_value (b, plan->flagged[r]);
              json_builder_set_member_name (b, "excluded");
              json_builder_add_int_value (b, plan->excluded[r]);
              json_builder_end_object (b);
            }
          json_builder_end_object (b);
          json_builder_set_member_name (b, "total");
          json_builder_add_int_value (b, plan->total);
          json_builder_set_member_name (b, "excluded");
          json_builder_begin_array (b);
          for (guint i = 0; i < plan->face_ids->len; i++)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "id");
              json_builder_add_int_value (b, g_array_index (plan->face_ids, gint64, i));
              json_builder_set_member_name (b, "reason");
              json_builder_add_string_value (b, lk_curate_rule_to_string (g_array_index (plan->rules, int, i)));
              json_builder_end_object (b);
            }
          json_builder_end_array (b);
        }
      if (coverage)
        {
          json_builder_set_member_name (b, "coverage");
          json_builder_begin_object (b);
          for (LkIdentity id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
            {
              g_autoptr(LkPoseCoverage) c = NULL;

              if (run.identity >= 0 && (int) id != run.identity)
                continue;
              c = lk_curate_pose_coverage (project, id, 0, &error);
              if (c == NULL)
                return cli_exit_for_error (error);
              json_builder_set_member_name (b, lk_identity_to_string (id));
              add_coverage (b, c);
            }
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else
    {
      g_print (_("%u faces: %u measured, %u hashed"), run.summary.faces, run.summary.computed,
               run.summary.hashed);
      if (run.summary.failed > 0)
        g_print (_(", %u unreadable (%s)"), run.summary.failed, run.summary.first_failure);
      g_print ("\n");

      if (plan != NULL)
        {
          g_print ("%-14s %8s %8s\n", _("rule"), _("flagged"), _("excluded"));
          for (int r = 0; r < LK_CURATE_N_RULES; r++)
            g_print ("%-14s %8u %8u\n", lk_curate_rule_to_string (r), plan->flagged[r],
                     plan->excluded[r]);
          if (auto_pass && p->max_identity_distance > 0 && plan->with_descriptor < plan->considered)
            g_print (_("%u faces have no identity descriptor: the another-person rule did not "
                       "judge them\n"), plan->considered - plan->with_descriptor);
          if (dry_run)
            g_print (_("Would exclude %u of %u included faces (dry run: nothing changed)\n"),
                     plan->total, plan->considered);
          else
            g_print (_("Excluded %u of %u included faces; “likeness-cli include” brings any back\n"),
                     plan->total, plan->considered);
        }
      if (coverage)
        for (LkIdentity id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
          {
            g_autoptr(LkPoseCoverage) c = NULL;

            if (run.identity >= 0 && (int) id != run.identity)
              continue;
            c = lk_curate_pose_coverage (project, id, 0, &error);
            if (c == NULL)
              return cli_exit_for_error (error);
            print_coverage (c, id);
          }
    }

  lk_analyse_summary_clear (&run.summary);

  return CLI_EXIT_OK;
}

/* likeness-cli faces */

/* Sorting by identity: the distance from the median descriptor of the
 * identity's faces (lk_curate_sort_by_identity()), not a stored column. */
#define SORT_IDENTITY "identity"

/* Sort keys that only extraction fills in, or that are no measurement. */
static gboolean
sort_key_needs_analysis (const char *sort)
{
  static const char * const stored[] = { "id", "time", "faces_in_frame", SORT_IDENTITY };

  if (sort == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (stored); i++)
    if (g_str_equal (sort, stored[i]))
      return FALSE;

  return TRUE;
}

typedef struct
{
  LkProject        *project;
  int               identity;
  int               distance;   /* >= 0: also find the duplicate groups */
  LkAnalyseSummary  summary;
} MeasureRun;

typedef struct
{
  LkProject          *project;
  int                 identity;
  LkDescribeSummary   summary;
} DescribeRun;

static gboolean
describe_work (LkJob    *job,
               gpointer  user_data,
               GError  **error)
{
  DescribeRun *run = user_data;

  return lk_identity_describe_faces (run->project, run->identity, job, &run->summary, error);
}

static gboolean
measure_work (LkJob    *job,
              gpointer  user_data,
              GError  **error)
{
  MeasureRun *run = user_data;

  if (!lk_curate_analyse (run->project, run->identity, FALSE, job, &run->summary, error))
    return FALSE;
  /* The groups depend on the distance, and new faces may have come since
   * they were stored: found afresh, as `curate` does before using them. */
  if (run->distance >= 0)
    return lk_curate_find_duplicates (run->project, run->identity, run->distance, NULL, error);

  return TRUE;
}

int
cli_faces (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("faces"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GArray) identity_distances = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *identity_name = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *filter_name = NULL;
  g_autofree char *reason = NULL;
  gboolean json = FALSE, desc = FALSE, quiet = FALSE;
  LkFaceFilter filter = LK_FACE_FILTER_ALL;
  int distance = LK_DUPLICATES_DEFAULT_DISTANCE;
  int identity, ret;
  const GOptionEntry entries[] = {
    { "identity", 'i', 0, G_OPTION_ARG_STRING, &identity_name,
      N_("Only the faces of A or B (default: both)"), "A|B" },
    { "sort", 's', 0, G_OPTION_ARG_STRING, &sort,
      N_("Sort by id, time, sharpness, face_size, exposure, colour_cast, landmark_fit, "
         "occlusion, yaw, pitch, roll, faces_in_frame, dup_group or identity (distance from the "
         "median identity of the person’s faces; default id); faces not measured yet are "
         "measured first"), "KEY" },
    { "desc", 0, 0, G_OPTION_ARG_NONE, &desc, N_("Sort descending"), NULL },
    { "duplicate-distance", 0, 0, G_OPTION_ARG_INT, &distance,
      N_("With --sort dup_group: hashes differing in at most this many bits of 64 are "
         "near-duplicates (default 4)"), "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress line"), NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING, &filter_name,
      N_("Only included or excluded faces (default all)"), "included|excluded|all" },
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason,
      N_("Only faces excluded for this reason (multi-face, blurry, duplicate, manual, …)"), "R" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
    return ret;

  if (!parse_identity (identity_name, &identity))
    return CLI_EXIT_USAGE;
  if (sort != NULL && !lk_face_sort_key_is_valid (sort) && !g_str_equal (sort, SORT_IDENTITY))
    {
      cli_error (_("unknown sort key “%s”; see “likeness-cli faces --help”"), sort);
      return CLI_EXIT_USAGE;
    }
  if (distance < 0 || distance > 32)
    {
      cli_error (_("--duplicate-distance must be between 0 and 32"));
      return CLI_EXIT_USAGE;
    }
  if (filter_name != NULL)
    {
      if (g_str_equal (filter_name, "included"))
        filter = LK_FACE_FILTER_INCLUDED;
      else if (g_str_equal (filter_name, "excluded"))
        filter = LK_FACE_FILTER_EXCLUDED;
      else if (!g_str_equal (filter_name, "all"))
        {
          cli_error (_("--filter must be included, excluded or all, not “%s”"), filter_name);
          return CLI_EXIT_USAGE;
        }
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  /* A metric that extraction does not fill in is measured before sorting
   * by it, as `curate` would (only faces that lack it; kept in the
   * project). */
  if (sort_key_needs_analysis (sort))
    {
      g_autoptr(LkJob) job = lk_job_new (_("Measuring faces"));
      MeasureRun run = { project, identity, g_str_equal (sort, "dup_group") ? distance : -1 };
      gboolean ok = cli_run_job (job, measure_work, &run, quiet || json, &error);

      if (ok && run.summary.computed + run.summary.hashed > 0 && !quiet && !json)
        g_printerr (_("Measured %u faces for sorting by %s\n"),
                    MAX (run.summary.computed, run.summary.hashed), sort);
      if (ok && run.summary.failed > 0)
        g_printerr (_("%u faces could not be measured (%s); they sort last\n"),
                    run.summary.failed, run.summary.first_failure);
      lk_analyse_summary_clear (&run.summary);
      if (!ok)
        return cli_exit_for_error (error);
    }

  /* By identity: descriptors are computed first where missing (the
   * network is needed), and the median is that of all of the person's
   * faces, whatever the filter shows. */
  if (g_strcmp0 (sort, SORT_IDENTITY) == 0)
    {
      g_autoptr(LkJob) job = lk_job_new (_("Identifying faces"));
      g_autoptr(GPtrArray) all = NULL;
      DescribeRun run = { project, identity };
      gboolean ok = cli_run_job (job, describe_work, &run, quiet || json, &error);

      if (ok && run.summary.computed > 0 && !quiet && !json)
        g_printerr (_("Identified %u faces for sorting by identity\n"), run.summary.computed);
      if (ok && run.summary.failed > 0)
        g_printerr (_("%u faces could not be identified (%s); they sort last\n"),
                    run.summary.failed, run.summary.first_failure);
      lk_describe_summary_clear (&run.summary);
      if (!ok)
        return cli_exit_for_error (error);

      all = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
      faces = all ? lk_project_list_faces (project, identity, filter, reason, "id", FALSE, &error)
                  : NULL;
      if (faces == NULL)
        return cli_exit_for_error (error);
      lk_curate_sort_by_identity (faces, all, desc);
      identity_distances = lk_curate_identity_distances (faces, all);
    }
  else
    {
      faces = lk_project_list_faces (project, identity, filter, reason, sort != NULL ? sort : "id",
                                     desc, &error);
      if (faces == NULL)
        return cli_exit_for_error (error);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_array (b);
      for (guint i = 0; i < faces->len; i++)
        {
          LkFace *f = faces->pdata[i];
          const LkFaceMetrics *m = &f->metrics;
          char hash[17];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, f->id);
          json_builder_set_member_name (b, "identity");
          json_builder_add_string_value (b, lk_identity_to_string (f->identity));
          json_builder_set_member_name (b, "file");
          json_builder_add_string_value (b, f->file);
          json_builder_set_member_name (b, "source-id");
          json_builder_add_int_value (b, f->source_id);
          add_number (b, "time", f->time);
          json_builder_set_member_name (b, "faces-in-frame");
          json_builder_add_int_value (b, f->faces_in_frame);
          add_number (b, "sharpness", m->sharpness);
          add_number (b, "face-size", m->face_size);
          add_number (b, "exposure", m->exposure);
          add_number (b, "clipped-dark", m->clipped_dark);
          add_number (b, "clipped-bright", m->clipped_bright);
          add_number (b, "colour-cast", m->colour_cast);
          add_number (b, "landmark-fit", m->landmark_fit);
          add_number (b, "occlusion", m->occlusion);
          add_number (b, "yaw", m->yaw);
          add_number (b, "pitch", m->pitch);
          add_number (b, "roll", m->roll);
          if (identity_distances != NULL)
            add_number (b, "identity-distance", g_array_index (identity_distances, double, i));
          json_builder_set_member_name (b, "phash");
          if (f->phash != 0)
            {
              g_snprintf (hash, sizeof hash, "%016" G_GINT64_MODIFIER "x", (guint64) f->phash);
              json_builder_add_string_value (b, hash);
            }
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "dup-group");
          if (f->dup_group >= 0)
            json_builder_add_int_value (b, f->dup_group);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "included");
          json_builder_add_boolean_value (b, f->included);
          json_builder_set_member_name (b, "reason");
          if (f->exclude_reason != NULL)
            json_builder_add_string_value (b, f->exclude_reason);
          else
            json_builder_add_null_value (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      cli_print_json (b);
      return CLI_EXIT_OK;
    }

  g_print ("%7s %2s %8s %9s %6s %5s %5s %5s %5s %6s %6s %4s %-12s %s\n", _("id"), "", _("time"),
           _("sharpness"), _("size"), _("expo"), _("cast"), _("fit"), _("cover"), _("yaw"),
           _("pitch"), _("in"), _("reason"), _("file"));
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *f = faces->pdata[i];
      const LkFaceMetrics *m = &f->metrics;

      g_print ("%7" G_GINT64_FORMAT " %2s %8.2f %9.1f %6.0f %5.2f %5.1f %5.2f %5.2f %+6.1f %+6.1f %4s %-12s %s\n",
               f->id, lk_identity_to_string (f->identity), f->time, m->sharpness, m->face_size,
               m->exposure, m->colour_cast, m->landmark_fit, m->occlusion, m->yaw, m->pitch,
               f->included ? _("yes") : _("no"), f->exclude_reason != NULL ? f->exclude_reason : "",
               relative_file (project, f->file));
    }
  g_print (_("%u faces\n"), faces->len);

  return CLI_EXIT_OK;
}

/* likeness-cli include / exclude / delete-faces */

static int
set_included (const char  *command,
              gboolean     included,
              int          argc,
              char       **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command (command));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *reason = NULL;
  const GOptionEntry exclude_entries[] = {
    { "reason", 'r', 0, G_OPTION_ARG_STRING, &reason,
      N_("Why (default “manual”)"), "R" },
    { NULL }
  };
  int ret;

  if (!included)
    g_option_context_add_main_entries (context, exclude_entries, GETTEXT_PACKAGE);
  if ((ret = cli_parse (context, &argc, &argv, 2, -1)) >= 0)
    return ret;

  if (reason != NULL && *reason == '\0')
    {
      cli_error (_("--reason must not be empty"));
      return CLI_EXIT_USAGE;
    }
  ids = parse_ids (argc, argv, 2);
  if (ids == NULL)
    return CLI_EXIT_USAGE;

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  if (!check_ids_exist (project, ids, &error) ||
      !lk_project_set_faces_included (project, (const gint64 *) ids->data, ids->len, included,
                                      reason != NULL ? reason : "manual", &error))
    return cli_exit_for_error (error);

  if (included)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Included %u face\n", "Included %u faces\n", ids->len),
             ids->len);
  else
    g_print (g_dngettext (GETTEXT_PACKAGE, "Excluded %u face\n", "Excluded %u faces\n", ids->len),
             ids->len);

  return CLI_EXIT_OK;
}

int
cli_include (int    argc,
             char **argv)
{
  return set_included ("include", TRUE, argc, argv);
}

int
cli_exclude (int    argc,
             char **argv)
{
  return set_included ("exclude", FALSE, argc, argv);
}

int
cli_delete_faces (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("delete-faces"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  gboolean yes = FALSE;
  const GOptionEntry entries[] = {
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Really delete: the faces leave the project and their crop files are removed"), NULL },
    { NULL }
  };
  int ret;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if ((ret = cli_parse (context, &argc, &argv, 2, -1)) >= 0)
    return ret;

  ids = parse_ids (argc, argv, 2);
  if (ids == NULL)
    return CLI_EXIT_USAGE;
  if (!yes)
    {
      cli_error (_("deleting removes the faces and their crop files for good; add --yes "
                   "(or use “likeness-cli exclude”, which can be undone)"));
      return CLI_EXIT_USAGE;
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  if (!check_ids_exist (project, ids, &error) ||
      !lk_project_delete_faces (project, (const gint64 *) ids->data, ids->len, &error))
    return cli_exit_for_error (error);

  g_print (g_dngettext (GETTEXT_PACKAGE, "Deleted %u face\n", "Deleted %u faces\n", ids->len),
           ids->len);

  return CLI_EXIT_OK;
}
