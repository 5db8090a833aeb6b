/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-train: training throughput through LkTrainer (faces from the
 * project, on-device augmentation, loss rows in the database), for 64 and
 * 128 px with the default widths and batch 16.
 *
 *   bench-train [--sizes 64,128] [--batch N] [--iterations N] [--runs N]
 *               [--threads N] [--device auto|cpu|cuda]
 *
 * Faces: tiny_person_c (A) and tiny_person_d (B), every 3rd frame, from
 * LK_TESTDATA_DIR. Per size: one warm-up run, then --runs timed runs of
 * --iterations steps each; examples/s counts both identities (2 x batch per
 * step) over the steps only (not loading or the final save); the median is
 * printed with a "RESULT" line. Never fails on time.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "lk-extractor.h"
#include "lk-torch.h"
#include "lk-train-private.h"
#include "lk-trainer.h"

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
extract (LkProject  *project,
         LkIdentity  identity,
         const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : "../shared/testdata", "videos",
                                            name, NULL);
  const char *paths[] = { path, NULL };
  LkExtractParams params = lk_extract_params_default ();
  g_autoptr(GError) error = NULL;

  params.every_nth = 3;
  if (!lk_extract_sources (project, identity, paths, &params, NULL, NULL, &error))
    g_error ("extracting %s: %s", path, error->message);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *sizes = g_strdup ("64,128");
  g_autofree char *device = g_strdup ("auto");
  int batch = 16, iterations = 0, runs = 3, threads = 0;
  g_autoptr(GOptionContext) context = g_option_context_new ("- LkTrainer throughput");
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_auto(GStrv) size_list = NULL;
  char name[256] = "";
  const GOptionEntry entries[] = {
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "Face sizes (default 64,128)", "LIST" },
    { "batch", 0, 0, G_OPTION_ARG_INT, &batch, "Batch per identity (default 16)", "N" },
    { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations,
      "Steps per timed run (default: 20 at 64 px, 5 at 128, 3 at 256 on a CPU)", "N" },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 3)", "N" },
    { "threads", 0, 0, G_OPTION_ARG_INT, &threads, "CPU threads (default: one per core)", "N" },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "auto, cpu or cuda", "DEVICE" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  tmpdir = g_dir_make_tmp ("lk-bench-train-XXXXXX", NULL);
  path = g_build_filename (tmpdir, "Bench.likeness", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);
  extract (project, LK_IDENTITY_A, "tiny_person_c.mp4");
  extract (project, LK_IDENTITY_B, "tiny_person_d.mp4");

  if (threads > 0)
    lk_torch_set_num_threads (threads);
  lk_torch_device_name (lk_train_device_from_string (device) == LK_TRAIN_DEVICE_CUDA
                          ? LK_TORCH_DEVICE_CUDA : LK_TORCH_DEVICE_AUTO, name, sizeof name, NULL);
  g_print ("bench-train: %u cores, libtorch %s with %d threads, device %s; faces A %u, B %u\n",
           g_get_num_processors (), lk_torch_version (), lk_torch_get_num_threads (), name,
           lk_project_count_faces (project, LK_IDENTITY_A, TRUE),
           lk_project_count_faces (project, LK_IDENTITY_B, TRUE));

  size_list = g_strsplit (sizes, ",", -1);
  for (guint k = 0; size_list[k] != NULL; k++)
    {
      LkTrainParams p = lk_train_params_default ();
      LkTorchModelConfig config;
      g_autofree double *rates = g_new0 (double, MAX (runs, 1));
      int n_iter;
      gboolean cpu;

      p.face_size = atoi (size_list[k]);
      p.batch_size = batch;
      p.save_interval = 0;
      p.preview_interval = 0;
      p.keep_checkpoints = 1;
      p.device = lk_train_device_from_string (device) >= 0 ? lk_train_device_from_string (device)
                                                          : LK_TRAIN_DEVICE_AUTO;
      p.threads = threads;
      if (!lk_train_params_validate (&p, &error))
        g_error ("%s", error->message);
      _lk_train_params_to_model_config (&p, &config);
      cpu = p.device == LK_TRAIN_DEVICE_CPU ||
            (p.device == LK_TRAIN_DEVICE_AUTO && lk_torch_best_device () == LK_TORCH_DEVICE_CPU);
      n_iter = iterations > 0 ? iterations
               : !cpu ? 200 : p.face_size <= 64 ? 20 : p.face_size <= 128 ? 5 : 3;

      if (!lk_trainer_reset_model (project, NULL, &error))
        g_error ("%s", error->message);

      /* Warm-up: allocations, first kernels. */
      {
        g_autoptr(LkTrainer) trainer = lk_trainer_new (project, &p);

        if (!lk_trainer_run (trainer, 2, 0, NULL, &error))
          g_error ("%s", error->message);
      }
      for (int r = 0; r < runs; r++)
        {
          g_autoptr(LkTrainer) trainer = lk_trainer_new (project, &p);

          if (!lk_trainer_run (trainer, n_iter, 0, NULL, &error))
            g_error ("%s", error->message);
          /* run-elapsed: from the first step to the end of the last one */
          rates[r] = (double) n_iter * 2 * batch / lk_trainer_get_run_elapsed (trainer);
          g_print ("  %3d px run %d: %.2f examples/s (loss A %.4f, B %.4f)\n", p.face_size, r + 1,
                   rates[r], lk_trainer_get_loss_a (trainer), lk_trainer_get_loss_b (trainer));
        }
      qsort (rates, runs, sizeof (double), compare_doubles);
      {
        double median = runs > 0 ? rates[runs / 2] : 0;
        double gflop = lk_torch_model_train_flops_per_example (&config) / 1e9;

        g_print ("%3d px, widths %d/%d, batch %d: median %.2f examples/s (%.2f steps/s), "
                 "%.2f GFLOP per example, %.1f GFLOP/s\n",
                 p.face_size, p.encoder_width, p.decoder_width, batch, median,
                 median / (2 * batch), gflop, median * gflop);
        g_print ("RESULT bench=train size=%d batch=%d cores=%u threads=%d "
                 "examples_per_second=%.3f gflops=%.2f\n",
                 p.face_size, batch, g_get_num_processors (), lk_torch_get_num_threads (),
                 median, median * gflop);
      }
    }

  g_clear_object (&project);
  {
    const char *rm[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  return 0;
}
