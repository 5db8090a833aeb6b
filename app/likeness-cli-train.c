/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <inttypes.h>

#include <math.h>

#include "likeness-cli.h"
#include "lk-error.h"
#include "lk-project.h"
#include "lk-trainer.h"

typedef struct
{
  LkTrainer *trainer;
  gint64     iterations;
  double     minutes;
} TrainRun;

static gboolean
train_work (LkJob    *job,
            gpointer  user_data,
            GError  **error)
{
  TrainRun *run = user_data;

  return lk_trainer_run (run->trainer, run->iterations, run->minutes, job, error);
}

static void
on_warning (LkTrainer  *trainer,
            const char *message,
            gpointer    user_data)
{
  /* Start on a fresh line: the progress line may be on the terminal. */
  g_printerr ("\n");
  cli_error (_("warning: %s"), message);
}

static void
print_json (LkTrainer    *trainer,
            gint64        start_iteration,
            gboolean      ok,
            const GError *error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *device = lk_trainer_dup_device_name (trainer);

  json_builder_begin_object (b);
  cli_json_add_result (b, ok, error);
  if (error != NULL)
    {
      json_builder_set_member_name (b, "interrupted");
      json_builder_add_boolean_value (b, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
    }
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, device != NULL ? device : "");
  json_builder_set_member_name (b, "start-iteration");
  json_builder_add_int_value (b, start_iteration);
  json_builder_set_member_name (b, "iteration");
  json_builder_add_int_value (b, lk_trainer_get_iteration (trainer));
  json_builder_set_member_name (b, "saved-iteration");
  json_builder_add_int_value (b, lk_trainer_get_last_save_iteration (trainer));
  json_builder_set_member_name (b, "loss-a");
  json_builder_add_double_value (b, lk_trainer_get_loss_a (trainer));
  json_builder_set_member_name (b, "loss-b");
  json_builder_add_double_value (b, lk_trainer_get_loss_b (trainer));
  json_builder_set_member_name (b, "examples-per-second");
  json_builder_add_double_value (b, lk_trainer_get_examples_per_second (trainer));
  json_builder_set_member_name (b, "seconds");
  json_builder_add_double_value (b, lk_trainer_get_run_elapsed (trainer));
  json_builder_set_member_name (b, "faces-a");
  json_builder_add_int_value (b, lk_trainer_get_face_count (trainer, LK_IDENTITY_A));
  json_builder_set_member_name (b, "faces-b");
  json_builder_add_int_value (b, lk_trainer_get_face_count (trainer, LK_IDENTITY_B));
  json_builder_end_object (b);
  cli_print_json (b);
}

int
cli_train (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("train"));
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(LkJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;
  gint64 iterations = 0, start_iteration = 0;
  double minutes = 0;
  int threads = 0;
  gboolean json = FALSE, quiet = FALSE, new_model = FALSE, ok;
  LkTrainParams params;
  TrainRun run = { 0 };
  CliSettings *settings;
  int ret;

  /* Every training setting is an option, from the schema
   * (lk-train-params.c). */
  settings = cli_settings_add (context, lk_train_params_get_schema ());
  {
    const GOptionEntry entries[] = {
      { "iterations", 'n', 0, G_OPTION_ARG_INT64, &iterations,
        N_("Train this many more iterations, then save and stop"), "N" },
      { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes,
        N_("Train this many minutes, then save and stop (default: until Ctrl+C)"), "M" },
      { "new-model", 0, 0, G_OPTION_ARG_NONE, &new_model,
        N_("Start a new model (the old checkpoints are moved to model/old-DATE/)"), NULL },
      { "threads", 0, 0, G_OPTION_ARG_INT, &threads,
        N_("CPU threads for training (default: one per core)"), "N" },
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print a JSON summary"), NULL },
      { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("No progress line"), NULL },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 1, 1)) >= 0)
      return ret;
  }

  if (iterations < 0 || minutes < 0 || (iterations > 0 && minutes > 0))
    {
      cli_error (_("give --iterations or --minutes, not both, and not below 0"));
      return CLI_EXIT_USAGE;
    }
  if (threads < 0)
    {
      cli_error (_("an option is out of range; see “likeness-cli train --help”"));
      return CLI_EXIT_USAGE;
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  /* What the command line says becomes the project's setting. */
  params = lk_train_params_from_project (project);
  if (!cli_settings_apply (settings, &params, &error) ||
      !cli_settings_store (settings, &params, project, &error))
    return cli_exit_for_error (error);

  params.preview_interval = 0;  /* nobody looks at previews here */
  params.threads = threads;
  if (!lk_train_params_validate (&params, &error))
    return cli_exit_for_error (error);

  if (new_model)
    {
      g_autofree char *moved_to = NULL;

      if (!lk_trainer_reset_model (project, &moved_to, &error))
        return cli_exit_for_error (error);
      if (moved_to != NULL && !json)
        g_print (_("The old checkpoints are in %s\n"), moved_to);
    }

  /* The quick refusals (too few faces, damaged checkpoints) before any
   * thread starts. */
  if (!lk_trainer_check_project (project, &error))
    return cli_exit_for_error (error);

  found = lk_trainer_find_checkpoint (project, &start_iteration, NULL);
  trainer = lk_trainer_new (project, &params);
  g_signal_connect (trainer, "warning", G_CALLBACK (on_warning), NULL);

  run.trainer = trainer;
  run.iterations = iterations;
  run.minutes = minutes;
  job = lk_job_new (_("Training"));
  ok = cli_run_job (job, train_work, &run, quiet || json, &error);
  /* Deliver the trainer's last warnings. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  if (json)
    print_json (trainer, start_iteration, ok, error);
  else if (ok)
    g_print (_("Trained iterations %" PRId64 " to %" PRId64 " in %.0f s "
               "(%.1f examples/s); loss A %.4f, B %.4f; saved at iteration %" PRId64
               "\n"),
             start_iteration, lk_trainer_get_iteration (trainer),
             lk_trainer_get_run_elapsed (trainer), lk_trainer_get_examples_per_second (trainer),
             lk_trainer_get_loss_a (trainer), lk_trainer_get_loss_b (trainer),
             lk_trainer_get_last_save_iteration (trainer));

  if (!ok)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cli_error ("%s", error->message);
          return CLI_EXIT_CANCELLED;
        }
      return cli_exit_for_error (error);
    }

  return CLI_EXIT_OK;
}
