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

static gboolean
store (LkProject   *project,
       const char  *key,
       const char  *value,
       GError     **error)
{
  return value == NULL || lk_project_set_setting (project, key, value, error);
}

static char *
format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    return NULL;
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.9g", value));
}

static char *
format_int (int value)
{
  return value < 0 ? NULL : g_strdup_printf ("%d", value);
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
  g_autofree char *loss = NULL;
  g_autofree char *device = NULL;
  g_autofree char *found = NULL;
  gint64 iterations = 0, start_iteration = 0;
  double minutes = 0, lr = NAN, dssim = NAN, gan_weight = NAN, save_every = NAN;
  int threads = 0;
  int size = -1, batch = -1, seed = -1, keep = -1, enc = -1, dec = -1, bottleneck = -1;
  gboolean gan = FALSE, no_gan = FALSE, json = FALSE, quiet = FALSE, new_model = FALSE, ok;
  gboolean cuda_graphs = FALSE, no_cuda_graphs = FALSE;
  LkTrainParams params;
  TrainRun run = { 0 };
  int ret;

  {
    const GOptionEntry entries[] = {
      { "iterations", 'n', 0, G_OPTION_ARG_INT64, &iterations,
        N_("Train this many more iterations, then save and stop"), "N" },
      { "minutes", 'm', 0, G_OPTION_ARG_DOUBLE, &minutes,
        N_("Train this many minutes, then save and stop (default: until Ctrl+C)"), "M" },
      { "new-model", 0, 0, G_OPTION_ARG_NONE, &new_model,
        N_("Start a new model (the old checkpoints are moved to model/old-DATE/)"), NULL },
      { "size", 0, 0, G_OPTION_ARG_INT, &size, N_("Face size of a new model: 64, 128 or 256"),
        "PX" },
      { "encoder-width", 0, 0, G_OPTION_ARG_INT, &enc,
        N_("Channels of a new model's first encoder layer (default 64)"), "N" },
      { "decoder-width", 0, 0, G_OPTION_ARG_INT, &dec,
        N_("Channels of a new model's last decoder layer (default 64)"), "N" },
      { "bottleneck", 0, 0, G_OPTION_ARG_INT, &bottleneck,
        N_("Size of a new model's bottleneck (default 256)"), "N" },
      { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, N_("Faces per identity per step (default 16)"),
        "N" },
      { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &lr, N_("Learning rate (default 5e-05)"), "F" },
      { "loss", 0, 0, G_OPTION_ARG_STRING, &loss, N_("Pixel loss: l1 or mse"), "l1|mse" },
      { "dssim", 0, 0, G_OPTION_ARG_DOUBLE, &dssim,
        N_("Weight of DSSIM relative to the pixel loss (default 1)"), "W" },
      { "gan", 0, 0, G_OPTION_ARG_NONE, &gan, N_("Train a GAN critic too"), NULL },
      { "no-gan", 0, 0, G_OPTION_ARG_NONE, &no_gan, N_("No GAN critic"), NULL },
      { "gan-weight", 0, 0, G_OPTION_ARG_DOUBLE, &gan_weight,
        N_("Weight of the adversarial loss (default 0.1)"), "W" },
      { "seed", 0, 0, G_OPTION_ARG_INT, &seed, N_("Seed of a new model and of sampling"), "N" },
      { "save-every", 0, 0, G_OPTION_ARG_DOUBLE, &save_every,
        N_("Save a checkpoint every MINUTES (default 10; 0: only at the end)"), "MINUTES" },
      { "keep", 0, 0, G_OPTION_ARG_INT, &keep, N_("Keep the newest N checkpoints (default 3)"),
        "N" },
      { "device", 0, 0, G_OPTION_ARG_STRING, &device, N_("Where to train: auto, cpu or cuda"),
        "auto|cpu|cuda" },
      { "cuda-graphs", 0, 0, G_OPTION_ARG_NONE, &cuda_graphs,
        N_("On CUDA, replay each step as a captured CUDA graph (fewer launches)"), NULL },
      { "no-cuda-graphs", 0, 0, G_OPTION_ARG_NONE, &no_cuda_graphs, N_("Plain CUDA steps"),
        NULL },
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
  if ((size >= 0 && size != 64 && size != 128 && size != 256) ||
      (loss != NULL && lk_train_loss_from_string (loss) < 0) ||
      (device != NULL && lk_train_device_from_string (device) < 0) || (gan && no_gan) ||
      (cuda_graphs && no_cuda_graphs) ||
      (batch == 0) || threads < 0 || (keep == 0) || (!isnan (lr) && !(lr > 0)) ||
      (!isnan (dssim) && dssim < 0) || (!isnan (gan_weight) && gan_weight < 0) ||
      (!isnan (save_every) && save_every < 0) || enc == 0 || dec == 0 || bottleneck == 0)
    {
      cli_error (_("an option is out of range; see “likeness-cli train --help”"));
      return CLI_EXIT_USAGE;
    }

  project = lk_project_open (argv[1], &error);
  if (project == NULL)
    return cli_exit_for_error (error);

  /* What the command line says becomes the project's setting. */
  {
    g_autofree char *s_size = format_int (size);
    g_autofree char *s_enc = format_int (enc);
    g_autofree char *s_dec = format_int (dec);
    g_autofree char *s_bottleneck = format_int (bottleneck);
    g_autofree char *s_batch = format_int (batch);
    g_autofree char *s_lr = format_double (lr);
    g_autofree char *s_dssim = format_double (dssim);
    g_autofree char *s_gan_weight = format_double (gan_weight);
    g_autofree char *s_seed = format_int (seed);
    g_autofree char *s_save = format_double (save_every);
    g_autofree char *s_keep = format_int (keep);
    g_autofree char *s_loss = loss != NULL ? g_ascii_strdown (loss, -1) : NULL;
    g_autofree char *s_device = device != NULL ? g_ascii_strdown (device, -1) : NULL;
    const char *s_gan = gan ? "true" : no_gan ? "false" : NULL;
    const char *s_graphs = cuda_graphs ? "true" : no_cuda_graphs ? "false" : NULL;

    if (!store (project, "train.face-size", s_size, &error) ||
        !store (project, "train.encoder-width", s_enc, &error) ||
        !store (project, "train.decoder-width", s_dec, &error) ||
        !store (project, "train.bottleneck", s_bottleneck, &error) ||
        !store (project, "train.batch-size", s_batch, &error) ||
        !store (project, "train.learning-rate", s_lr, &error) ||
        !store (project, "train.loss", s_loss, &error) ||
        !store (project, "train.dssim-weight", s_dssim, &error) ||
        !store (project, "train.gan", s_gan, &error) ||
        !store (project, "train.gan-weight", s_gan_weight, &error) ||
        !store (project, "train.seed", s_seed, &error) ||
        !store (project, "train.save-interval", s_save, &error) ||
        !store (project, "train.keep-checkpoints", s_keep, &error) ||
        !store (project, "train.device", s_device, &error) ||
        !store (project, "train.cuda-graphs", s_graphs, &error))
      return cli_exit_for_error (error);
  }

  params = lk_train_params_from_project (project);
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
