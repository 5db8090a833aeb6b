/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lk-torch-bench: training throughput of the torch shim's swap model.
 *
 *   lk-torch-bench [--size 64|128|256] [--batch N] [--width W] [--levels L]
 *                  [--bottleneck D] [--precision auto|fp32|bf16] [--device auto|cpu|cuda]
 *                  [--steps N] [--warmup N] [--gan] [--graphs] [--threads N] [--faces N]
 *
 * Width W means encoder W-2W-4W-8W (for 4 levels), dense and shared upscale
 * 8W, decoders 4W-2W-W; --width 64 at 128 px is lk_torch_model_config_default().
 * One step trains a batch of each identity (A and B): examples/s counts both.
 * After the warm-up steps, runs --steps steps with one wait for the device at
 * the end. Prints a human line and a "RESULT key=value ..." line for scripts.
 * --graphs asks the trainer to capture its step as a CUDA graph (after three
 * eager steps, so give --warmup 4 or more); the RESULT line says whether the
 * timed steps replayed it (graphs=1) and, if not, why.
 * Plain C, no GLib: built in shim_only mode too. Never fails on time.
 */
#define _POSIX_C_SOURCE 200809L
#include "lk-torch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void
usage (const char *argv0)
{
  fprintf (stderr,
           "usage: %s [--size 64|128|256] [--batch N] [--width W] [--levels L]\n"
           "          [--bottleneck D] [--precision auto|fp32|bf16] [--device auto|cpu|cuda]\n"
           "          [--steps N] [--warmup N] [--gan] [--graphs] [--threads N] [--faces N]\n",
           argv0);
  exit (2);
}

int
main (int argc, char **argv)
{
  int size = 64, batch = 16, width = 16, levels = 4, bottleneck = 256, steps = 20, warmup = 3;
  int gan = 0, graphs = 0, threads = 0, n_faces = 64;
  const char *precision = "auto", *device = "auto";

  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define INTOPT(name, var)                                                                         \
  if (!strcmp (a, name)) {                                                                        \
    if (!v)                                                                                       \
      usage (argv[0]);                                                                            \
    var = atoi (v);                                                                               \
    i++;                                                                                          \
    continue;                                                                                     \
  }
    INTOPT ("--size", size);
    INTOPT ("--batch", batch);
    INTOPT ("--width", width);
    INTOPT ("--levels", levels);
    INTOPT ("--bottleneck", bottleneck);
    INTOPT ("--steps", steps);
    INTOPT ("--warmup", warmup);
    INTOPT ("--threads", threads);
    INTOPT ("--faces", n_faces);
#undef INTOPT
    if (!strcmp (a, "--precision") && v) {
      precision = v;
      i++;
    } else if (!strcmp (a, "--device") && v) {
      device = v;
      i++;
    } else if (!strcmp (a, "--gan")) {
      gan = 1;
    } else if (!strcmp (a, "--graphs")) {
      graphs = 1;
    } else {
      usage (argv[0]);
    }
  }
  if (steps < 1 || warmup < 1 || n_faces < 1 || width < 1 || levels < 2 ||
      levels > LK_TORCH_MAX_LEVELS)
    usage (argv[0]);

  LkTorchError err;
  lk_torch_set_num_threads (threads);

  LkTorchModelConfig mc = lk_torch_model_config_default ();
  mc.face_size = size;
  mc.n_levels = levels;
  for (int i = 0; i < levels; i++)
    mc.encoder_widths[i] = width << (i < 3 ? i : 3);
  for (int i = 0; i < levels - 1; i++) {
    int k = levels - 2 - i; /* ... 4W, 2W, W */
    mc.decoder_widths[i] = width << (k < 3 ? k : 3);
  }
  mc.bottleneck_dim = bottleneck;
  mc.dense_channels = mc.encoder_widths[levels - 1];
  mc.upscale_width = mc.encoder_widths[levels - 1];

  LkTorchDevice dev = LK_TORCH_DEVICE_AUTO;
  if (!strcmp (device, "cpu"))
    dev = LK_TORCH_DEVICE_CPU;
  else if (!strcmp (device, "cuda"))
    dev = LK_TORCH_DEVICE_CUDA;
  else if (strcmp (device, "auto"))
    usage (argv[0]);

  LkTorchTrainConfig tc = lk_torch_train_config_default ();
  tc.batch_size = batch;
  tc.gan = gan;
  tc.cuda_graphs = graphs;
  if (!strcmp (precision, "fp32"))
    tc.precision = LK_TORCH_PRECISION_FP32;
  else if (!strcmp (precision, "bf16"))
    tc.precision = LK_TORCH_PRECISION_BF16;
  else if (strcmp (precision, "auto"))
    usage (argv[0]);

  LkTorchModel *model = lk_torch_model_new (&mc, dev, 1, &err);
  if (!model) {
    fprintf (stderr, "lk-torch-bench: %s: %s\n", lk_torch_status_to_string (err.status),
             err.message);
    return 1;
  }
  char devname[256];
  if (lk_torch_device_name (lk_torch_model_get_device (model), devname, sizeof devname, &err))
    snprintf (devname, sizeof devname, "?");
  LkTorchTrainer *tr = lk_torch_trainer_new (model, &tc, &err);
  if (!tr) {
    fprintf (stderr, "lk-torch-bench: %s\n", err.message);
    return 1;
  }

  /* Synthetic faces: smooth colour fields with a blob, different per image. */
  size_t plane = (size_t) size * size;
  uint8_t *rgb = malloc (plane * 3 * n_faces), *mask = malloc (plane * n_faces);
  LkTorchPixels *rv = calloc (n_faces, sizeof *rv), *mv = calloc (n_faces, sizeof *mv);
  for (int id = 0; id < mc.n_identities; id++) {
    for (int i = 0; i < n_faces; i++) {
      for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++) {
          uint8_t *p = rgb + ((size_t) i * plane + (size_t) y * size + x) * 3;
          int dx = x - size / 2 - (i % 7), dy = y - size / 2 + (i % 5);
          int in = dx * dx + dy * dy < size * size / 8;
          p[0] = (uint8_t) (in ? 200 - 40 * id : (x * 255) / size);
          p[1] = (uint8_t) (in ? 150 + 30 * id : (y * 255) / size);
          p[2] = (uint8_t) ((x + y + 13 * i) & 0xff);
          mask[(size_t) i * plane + (size_t) y * size + x] = in ? 255 : 0;
        }
      rv[i] = (LkTorchPixels){ rgb + (size_t) i * plane * 3, size, size, 3, (size_t) size * 3 };
      mv[i] = (LkTorchPixels){ mask + (size_t) i * plane, size, size, 1, (size_t) size };
    }
    if (lk_torch_trainer_set_faces (tr, id, rv, mv, NULL, n_faces, &err)) {
      fprintf (stderr, "lk-torch-bench: %s\n", err.message);
      return 1;
    }
  }

  LkTorchLosses l;
  double t0 = now ();
  if (lk_torch_trainer_step (tr, warmup, &l, &err)) {
    fprintf (stderr, "lk-torch-bench: %s: %s\n", lk_torch_status_to_string (err.status),
             err.message);
    return 1;
  }
  double t1 = now ();
  if (lk_torch_trainer_step (tr, steps, &l, &err)) {
    fprintf (stderr, "lk-torch-bench: %s\n", err.message);
    return 1;
  }
  double t2 = now ();
  char graph_reason[256];
  int graph_on = lk_torch_trainer_get_cuda_graph (tr, graph_reason, sizeof graph_reason);
  double sps = steps / (t2 - t1);
  double eps = sps * batch * mc.n_identities;
  double flops = lk_torch_model_train_flops_per_example (&mc);
  const char *prec = tc.precision == LK_TORCH_PRECISION_BF16 ? "bf16"
                     : tc.precision == LK_TORCH_PRECISION_FP32
                       ? "fp32"
                       : (lk_torch_model_get_device (model) == LK_TORCH_DEVICE_CUDA ? "bf16"
                                                                                     : "fp32");
  printf ("lk-torch-bench: libtorch %s on %s: %d px, batch %d+%d, width %d, %lld parameters, %s%s\n",
          lk_torch_version (), devname, size, batch, batch, width,
          (long long) lk_torch_model_parameter_count (model), prec, gan ? ", GAN" : "");
  printf ("  warm-up %d steps %.2f s; %d steps %.3f s: %.2f steps/s, %.1f examples/s, "
          "%.2f GFLOP/example, %.2f TFLOP/s; loss A %.4f B %.4f\n",
          warmup, t1 - t0, steps, t2 - t1, sps, eps, flops / 1e9, eps * flops / 1e12, l.loss[0],
          l.loss[1]);
  if (graphs)
    printf ("  CUDA graph: %s%s\n", graph_on ? "replayed" : "not used: ",
            graph_on ? "" : (graph_reason[0] ? graph_reason : "still warming up"));
  printf ("RESULT impl=%s device=%s size=%d batch=%d width=%d precision=%s graphs=%d "
          "steps_per_s=%.3f examples_per_s=%.1f gflop_per_example=%.3f tflops=%.3f\n",
          graph_on ? "shim+graphs" : "libtorch-shim",
          lk_torch_model_get_device (model) == LK_TORCH_DEVICE_CUDA ? "cuda" : "cpu", size, batch,
          width, prec, graph_on, sps, eps, flops / 1e9, eps * flops / 1e12);

  lk_torch_trainer_free (tr);
  lk_torch_model_free (model);
  free (rgb);
  free (mask);
  free (rv);
  free (mv);
  return 0;
}
