/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gstdio.h>
#include <string.h>

#include "likeness-cli.h"
#include "lk-auto-curate.h"
#include "lk-convert-params.h"
#include "lk-engine.h"
#include "lk-export.h"
#include "lk-extractor.h"
#include "lk-project.h"
#include "lk-train-params.h"
#include "lk-trainer.h"

/*
 * likeness-cli swap: the whole way from two clips to a finished, marked
 * video, in one command. Every stage is resumable, so running the same
 * command after an interruption goes on where it stopped:
 *
 *  1. extract A from --source and B from --target (frames stored by an
 *     earlier run are skipped);
 *  2. the automatic curation pass, once per identity (recorded in the
 *     project as "swap.curated-A/B", so a second run does not undo what the
 *     artist changed by hand in between);
 *  3. training up to --iterations in total, or for --minutes in total
 *     (the minutes spent so far are kept in "swap.train-seconds"),
 *     continuing from the newest checkpoint;
 *  4. the export of the target with the project's mask settings, with
 *     provenance.
 */

typedef struct
{
  LkProject        *project;
  char            **sources;
  char             *target;
  char             *output;
  LkExtractParams   extract;
  LkTrainer        *trainer;
  gint64            iterations;
  double            minutes;
  LkExportSummary   export_summary;
  LkExtractSummary  extract_summary[2];
  LkAnalyseSummary  analyse_summary;
  guint             excluded[2];
} SwapRun;

static gboolean
extract_work (LkJob    *job,
              gpointer  user_data,
              GError  **error)
{
  SwapRun *run = user_data;
  const char *target[] = { run->target, NULL };

  if (!lk_extract_sources (run->project, LK_IDENTITY_A, (const char * const *) run->sources,
                           &run->extract, job, &run->extract_summary[0], error))
    return FALSE;

  return lk_extract_sources (run->project, LK_IDENTITY_B, target, &run->extract, job,
                             &run->extract_summary[1], error);
}

static gboolean
curate_work (LkJob    *job,
             gpointer  user_data,
             GError  **error)
{
  SwapRun *run = user_data;
  LkAutoCurateParams params = lk_auto_curate_params_default ();

  for (LkIdentity id = LK_IDENTITY_A; id <= LK_IDENTITY_B; id++)
    {
      g_autofree char *key = g_strdup_printf ("swap.curated-%s", lk_identity_to_string (id));
      g_autofree char *done = lk_project_get_setting (run->project, key);
      g_autoptr(LkAutoCuratePlan) plan = NULL;

      if (g_strcmp0 (done, "true") == 0)
        continue;

      lk_analyse_summary_clear (&run->analyse_summary);
      if (!lk_curate_prepare (run->project, id, &params, job, &run->analyse_summary, error))
        return FALSE;
      plan = lk_auto_curate_plan (run->project, id, &params, error);
      if (plan == NULL || !lk_auto_curate_apply (run->project, plan, NULL, error))
        return FALSE;
      run->excluded[id] = plan->total;

      if (!lk_project_set_setting (run->project, key, "true", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
train_work (LkJob    *job,
            gpointer  user_data,
            GError  **error)
{
  SwapRun *run = user_data;
  g_autoptr(GError) local_error = NULL;
  double done_seconds = lk_project_get_setting_double (run->project, "swap.train-seconds", 0);
  double minutes = 0;
  gint64 iterations = 0;
  gint64 at = 0;
  gboolean ok;

  g_free (lk_trainer_find_checkpoint (run->project, &at, NULL));

  if (run->iterations > 0)
    {
      iterations = run->iterations - MAX (at, 0);
      if (iterations <= 0)
        return TRUE;
    }
  else
    {
      minutes = run->minutes - done_seconds / 60.0;
      if (minutes <= 0)
        return TRUE;
    }

  ok = lk_trainer_run (run->trainer, iterations, minutes, job, &local_error);

  /* The time counts also when interrupted: the checkpoint was saved. */
  lk_project_set_setting_double (run->project, "swap.train-seconds",
                                 done_seconds + lk_trainer_get_run_elapsed (run->trainer), NULL);

  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));

  return ok;
}

static gboolean
export_work (LkJob    *job,
             gpointer  user_data,
             GError  **error)
{
  SwapRun *run = user_data;
  LkConvertParams params = lk_convert_params_from_project (run->project);

  return lk_export_run (run->project, run->target, run->output, NULL, &params, job,
                        &run->export_summary, error);
}

static LkProject *
open_or_create (const char  *path,
                GError     **error)
{
  g_autofree char *folder = g_str_has_suffix (path, LK_PROJECT_SUFFIX)
                            ? g_strdup (path) : g_strconcat (path, LK_PROJECT_SUFFIX, NULL);

  if (lk_project_is_project_dir (folder))
    return lk_project_open (folder, error);

  return lk_project_create (folder, error);
}

static void
stage (const char *title,
       gboolean    quiet)
{
  if (!quiet)
    g_printerr ("\n%s\n", title);
}

int
cli_swap (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("swap"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) sources = NULL;
  g_autofree char *target = NULL;
  g_autofree char *output = NULL;
  g_autofree char *project_path = NULL;
  g_autoptr(LkJob) job = NULL;
  SwapRun run = { 0 };
  LkTrainParams train;
  gboolean json = FALSE, quiet = FALSE;
  int iterations = 0, every = 1, size = 0, batch = 0;
  double minutes = 0;
  int ret;

  {
    const GOptionEntry entries[] = {
      { "source", 's', 0, G_OPTION_ARG_FILENAME_ARRAY, &sources,
        N_("A video or photo of the person whose face is put in (repeatable)"), "FILE" },
      { "target", 't', 0, G_OPTION_ARG_FILENAME, &target,
        N_("The video whose person gets the new face"), "FILE" },
      { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("The finished video"), "FILE" },
      { "project", 'p', 0, G_OPTION_ARG_FILENAME, &project_path,
        N_("The project to create or reuse (default: OUTPUT without its extension + .likeness)"),
        "DIR" },
      { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations,
        N_("Train up to this many iterations in total"), "N" },
      { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes,
        N_("Train for this many minutes in total (default 30)"), "M" },
      { "every", 0, 0, G_OPTION_ARG_INT, &every, N_("Extract every Nth frame (default 1)"), "N" },
      { "size", 0, 0, G_OPTION_ARG_INT, &size,
        N_("Model face size: 64, 128 or 256 (default: the project's; 64 on a CPU, 128 on a GPU)"),
        "PX" },
      { "batch", 0, 0, G_OPTION_ARG_INT, &batch, N_("Faces per identity per training step"), "N" },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
      { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress lines"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 0, 0)) >= 0)
      return ret;
  }

  if (sources == NULL || target == NULL || output == NULL)
    {
      cli_error (_("--source, --target and --output are needed"));
      return CLI_EXIT_USAGE;
    }
  if ((iterations > 0 && minutes > 0) || iterations < 0 || minutes < 0 || every < 1 ||
      (size != 0 && size != 64 && size != 128 && size != 256) || batch < 0)
    {
      cli_error (_("an option is out of range; see “likeness-cli swap --help”"));
      return CLI_EXIT_USAGE;
    }
  if (iterations == 0 && minutes == 0)
    minutes = 30;

  if (project_path == NULL)
    {
      const char *dot = strrchr (output, '.');
      const char *slash = strrchr (output, G_DIR_SEPARATOR);

      project_path = dot != NULL && (slash == NULL || dot > slash)
                     ? g_strndup (output, dot - output) : g_strdup (output);
    }

  project = open_or_create (project_path, &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  train = lk_train_params_from_project (project);
  /* On a CPU the default 128 px model learns too slowly for a first result
   * in the default 30 minutes (7 vs 28 examples/s here): a project without
   * a face size of its own trains at 64 px there, unless --size says. */
  if (size == 0 && g_str_equal (lk_engine_get_device_kind (), "cpu"))
    {
      g_autofree char *stored = lk_project_get_setting (project, "train.face-size");

      if (stored == NULL)
        size = 64;
    }
  if (size > 0)
    train.face_size = size;
  if (batch > 0)
    train.batch_size = batch;
  if ((size > 0 || batch > 0) && !lk_train_params_save_to_project (&train, project, &error))
    return cli_exit_for_error (error);

  run.project = project;
  run.sources = sources;
  run.target = target;
  run.output = output;
  run.extract = lk_extract_params_default ();
  run.extract.every_nth = every;
  run.iterations = iterations;
  run.minutes = minutes;

  if (!quiet && !json)
    g_printerr (_("Project %s\n"), lk_project_get_path (project));

  stage (_("1/4 Extracting faces"), quiet || json);
  job = lk_job_new (_("Extracting faces"));
  if (!cli_run_job (job, extract_work, &run, quiet || json, &error))
    return cli_exit_for_error (error);

  stage (_("2/4 Curating the face sets"), quiet || json);
  g_clear_object (&job);
  job = lk_job_new (_("Curating"));
  if (!cli_run_job (job, curate_work, &run, quiet || json, &error))
    return cli_exit_for_error (error);

  stage (_("3/4 Training"), quiet || json);
  trainer = lk_trainer_new (project, &train);
  run.trainer = trainer;
  g_clear_object (&job);
  job = lk_job_new (_("Training"));
  if (!cli_run_job (job, train_work, &run, quiet || json, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_printerr (_("Training saved at iteration %" PRId64 "; run the same command "
                      "again to go on.\n"), lk_trainer_get_last_save_iteration (trainer));
      return cli_exit_for_error (error);
    }

  stage (_("4/4 Exporting"), quiet || json);
  g_clear_object (&job);
  job = lk_job_new (_("Exporting"));
  if (!cli_run_job (job, export_work, &run, quiet || json, &error))
    {
      lk_export_summary_clear (&run.export_summary);
      return cli_exit_for_error (error);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "project");
      json_builder_add_string_value (b, lk_project_get_path (project));
      json_builder_set_member_name (b, "output");
      json_builder_add_string_value (b, run.export_summary.output);
      json_builder_set_member_name (b, "sidecar");
      json_builder_add_string_value (b, run.export_summary.sidecar);
      json_builder_set_member_name (b, "checkpoint");
      json_builder_add_string_value (b, run.export_summary.checkpoint);
      json_builder_set_member_name (b, "faces-a");
      json_builder_add_int_value (b, lk_project_count_faces (project, LK_IDENTITY_A, TRUE));
      json_builder_set_member_name (b, "faces-b");
      json_builder_add_int_value (b, lk_project_count_faces (project, LK_IDENTITY_B, TRUE));
      json_builder_set_member_name (b, "iteration");
      json_builder_add_int_value (b, lk_trainer_get_last_save_iteration (trainer));
      json_builder_set_member_name (b, "frames");
      json_builder_add_int_value (b, run.export_summary.frames);
      json_builder_set_member_name (b, "frames-with-faces");
      json_builder_add_int_value (b, run.export_summary.frames_with_faces);
      json_builder_end_object (b);
      cli_print_json (b);
    }
  else if (!quiet)
    {
      g_print (_("Wrote %s (%" PRIu64 " frames, %" PRIu64 " with a replaced face)\n"),
               run.export_summary.output, run.export_summary.frames,
               run.export_summary.frames_with_faces);
      if (run.export_summary.sidecar != NULL)
        g_print (_("Provenance: %s\n"), run.export_summary.sidecar);
    }

  lk_export_summary_clear (&run.export_summary);
  lk_analyse_summary_clear (&run.analyse_summary);

  return CLI_EXIT_OK;
}
