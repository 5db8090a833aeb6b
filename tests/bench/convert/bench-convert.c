/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tests/bench/convert: conversion frames/s at 720p and the Masks preview's
 * update time at 1080p. Prints figures; never fails on time.
 *
 * The clips are person_a.mp4 scaled up (to 720x720 and 1080x1080) and
 * padded to 1280x720 and 1920x1080 with the ffmpeg CLI, in a temporary
 * folder. The model is a 64 px fixture with random weights (the cost of a
 * 64 px model does not depend on what it learnt). The export encodes
 * H.264 with x264's "veryfast" preset at CRF 20. */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "lk-convert-preview.h"
#include "lk-converter.h"
#include "lk-error.h"
#include "lk-export.h"
#include "lk-torch.h"
#include "lk-video-reader.h"
#include "lk-video-writer.h"

static double
now_s (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
make_model (LkProject *project)
{
  LkTorchModelConfig c = lk_torch_model_config_default ();
  LkTorchError terr = { 0 };
  LkTorchModel *model;
  g_autofree char *path = NULL;

  c.face_size = 64;
  c.n_levels = 3;
  c.encoder_widths[0] = 16;
  c.encoder_widths[1] = 32;
  c.encoder_widths[2] = 64;
  c.bottleneck_dim = 64;
  c.dense_channels = 64;
  c.upscale_width = 64;
  c.decoder_widths[0] = 32;
  c.decoder_widths[1] = 16;
  c.n_identities = 2;
  c.mask_channel = 1;
  model = lk_torch_model_new (&c, LK_TORCH_DEVICE_AUTO, 3, &terr);
  g_assert (model != NULL);
  g_mkdir_with_parents (lk_project_get_model_dir (project), 0755);
  path = g_build_filename (lk_project_get_model_dir (project), "ckpt-1.safetensors", NULL);
  g_assert (lk_torch_model_save (model, path, NULL, NULL, 0, &terr) == LK_TORCH_OK);
  printf ("model: 64 px, %.2f M parameters, device %s\n",
          lk_torch_model_parameter_count (model) / 1e6,
          lk_torch_model_get_device (model) == LK_TORCH_DEVICE_CUDA ? "CUDA" : "CPU");
  lk_torch_model_free (model);
}

static char *
make_clip (const char *tmpdir,
           const char *name,
           int         side,
           int         width,
           double      seconds)
{
  g_autofree char *src = g_build_filename (g_getenv ("LK_TESTDATA_DIR"), "videos", "person_a.mp4",
                                           NULL);
  char *out = g_build_filename (tmpdir, name, NULL);
  g_autofree char *cmd = g_strdup_printf (
    "ffmpeg -nostdin -loglevel error -y -i '%s' -t %g -vf 'scale=%d:%d,pad=%d:%d:%d:0' "
    "-c:v libx264 -preset ultrafast -crf 16 -c:a copy '%s'",
    src, seconds, side, side, width, side, (width - side) / 2, out);

  if (system (cmd) != 0)
    {
      g_printerr ("ffmpeg failed: %s\n", cmd);
      exit (1);
    }
  return out;
}

/* Each stage alone, on one thread, for the profile. */
static void
profile_stages (LkProject  *project,
                const char *clip,
                const char *tmpdir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (clip, NULL, &error);
  LkConvertParams params = lk_convert_params_default ();
  g_autoptr(LkConverter) converter = lk_converter_new (project, NULL, 0, &params, &error);
  g_autoptr(GPtrArray) frames =
    g_ptr_array_new_with_free_func ((GDestroyNotify) lk_video_frame_free);
  g_autoptr(LkVideoWriter) writer = NULL;
  g_autofree char *out = g_build_filename (tmpdir, "encode-only.mp4", NULL);
  const LkVideoInfo *info;
  LkVideoWriterParams wp = lk_video_writer_params_default ();
  double t0, t_decode, t_convert, t_encode;
  LkVideoFrame *f;

  g_assert_no_error (error);
  info = lk_video_reader_get_info (reader);
  lk_torch_set_num_threads (1);  /* as the export does on the CPU */
  t0 = now_s ();
  for (;;)
    {
      g_assert (lk_video_reader_read (reader, &f, NULL, &error));
      if (f == NULL)
        break;
      g_ptr_array_add (frames, f);
    }
  t_decode = now_s () - t0;

  t0 = now_s ();
  for (guint i = 0; i < frames->len; i++)
    {
      f = g_ptr_array_index (frames, i);
      g_assert (lk_converter_process (converter, f->image, f->time, NULL, &error));
    }
  t_convert = now_s () - t0;

  wp.width = info->width;
  wp.height = info->height;
  wp.time_base_num = info->time_base_num;
  wp.time_base_den = info->time_base_den;
  wp.frame_rate = info->frame_rate;
  wp.crf = 20;
  wp.preset = "veryfast";
  writer = lk_video_writer_new (out, &wp, &error);
  g_assert_no_error (error);
  t0 = now_s ();
  for (guint i = 0; i < frames->len; i++)
    {
      f = g_ptr_array_index (frames, i);
      g_assert (lk_video_writer_write (writer, f->image, f->pts, NULL, &error));
    }
  g_assert (lk_video_writer_finish (writer, NULL, &error));
  t_encode = now_s () - t0;

  printf ("  profile, each stage alone on %u frames:\n", frames->len);
  printf ("    decode            %6.1f ms/frame\n", 1000 * t_decode / frames->len);
  printf ("    convert           %6.1f ms/frame (detect/track, landmarks, model, compose; "
          "%u full detections)\n", 1000 * t_convert / frames->len,
          lk_converter_get_n_detections (converter));
  printf ("    encode (veryfast) %6.1f ms/frame\n", 1000 * t_encode / frames->len);
}

static void
bench_export (LkProject  *project,
              const char *clip,
              const char *tmpdir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = g_build_filename (tmpdir, "out-720p.mp4", NULL);
  g_auto(LkExportSummary) s = { 0 };
  LkConvertParams params = lk_convert_params_default ();

  g_strlcpy (params.preset, "veryfast", sizeof params.preset);
  params.crf = 20;
  if (!lk_export_run (project, clip, out, NULL, &params, NULL, &s, &error))
    {
      g_printerr ("export failed: %s\n", error->message);
      exit (1);
    }
  printf ("export 1280x720, H.264 veryfast CRF 20, audio %s, sidecar on:\n", s.audio);
  printf ("  %" G_GUINT64_FORMAT " frames in %.2f s: %.1f frames/s (target >= 15), "
          "%" G_GUINT64_FORMAT " with a face, %u full detections\n",
          s.frames, s.seconds, s.frames_per_second, s.frames_with_faces, s.detections);
  printf ("RESULT convert-720p-fps=%.1f\n", s.frames_per_second);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
bench_preview (LkProject  *project,
               const char *clip)
{
  g_autoptr(GError) error = NULL;
  LkConvertPreview *preview = lk_convert_preview_new (project, NULL, LK_CONVERT_A2B, &error);
  LkConvertParams p = lk_convert_params_default ();
  g_autoptr(LkImage) out = NULL;
  const LkImage *frame;
  double t0, load_ms;
  enum { N = 60 };
  double colour_ms[N], feather_ms[N];

  g_assert_no_error (error);
  t0 = now_s ();
  g_assert (lk_convert_preview_load (preview, clip, 0.5, NULL, &error));
  load_ms = 1000 * (now_s () - t0);
  frame = lk_convert_preview_get_original (preview);
  out = lk_image_new (frame->width, frame->height, 3);
  g_assert (lk_convert_preview_render (preview, &p, out, &error));  /* warm */

  /* A slider that does not move the region (colour, blend levels) ... */
  for (int i = 0; i < N; i++)
    {
      p.compose.colour = i % 2 ? LK_COLOUR_REINHARD : LK_COLOUR_HISTOGRAM;
      t0 = now_s ();
      g_assert (lk_convert_preview_render (preview, &p, out, &error));
      colour_ms[i] = 1000 * (now_s () - t0);
    }
  /* ... and one that does (feather: the region grows, the swap is warped again). */
  p.compose.colour = LK_COLOUR_REINHARD;
  for (int i = 0; i < N; i++)
    {
      p.compose.mask.feather = 8 + i % 20;
      t0 = now_s ();
      g_assert (lk_convert_preview_render (preview, &p, out, &error));
      feather_ms[i] = 1000 * (now_s () - t0);
    }
  qsort (colour_ms, N, sizeof (double), compare_doubles);
  qsort (feather_ms, N, sizeof (double), compare_doubles);
  printf ("preview at %dx%d, %u face(s): load (seek, detect, swap) %.0f ms\n", frame->width,
          frame->height, lk_convert_preview_get_n_faces (preview), load_ms);
  printf ("  update after a colour change:  median %.1f ms, max %.1f ms (target <= 16, "
          "Reinhard/histogram + Laplacian blend + frame copy)\n",
          colour_ms[N / 2], colour_ms[N - 1]);
  printf ("  update after a feather change: median %.1f ms, max %.1f ms (new region: warp again)\n",
          feather_ms[N / 2], feather_ms[N - 1]);
  printf ("RESULT preview-1080p-colour-ms=%.1f\n", colour_ms[N / 2]);
  printf ("RESULT preview-1080p-feather-ms=%.1f\n", feather_ms[N / 2]);
  lk_convert_preview_free (preview);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL, *path = NULL, *clip720 = NULL, *clip1080 = NULL;
  g_autoptr(LkProject) project = NULL;

  (void) argc;
  (void) argv;
  if (g_getenv ("LK_TESTDATA_DIR") == NULL)
    {
      g_printerr ("LK_TESTDATA_DIR is not set\n");
      return 77;
    }
  tmpdir = g_dir_make_tmp ("lk-bench-convert-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "Bench", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);
  make_model (project);
  printf ("%u cores; the export runs libtorch on 1 intra-op thread on the CPU "
          "(LK_CONVERT_TORCH_THREADS=N to change)\n", g_get_num_processors ());

  clip720 = make_clip (tmpdir, "person_a-720p.mp4", 720, 1280, 100);
  clip1080 = make_clip (tmpdir, "person_a-1080p.mp4", 1080, 1920, 1.0);

  bench_export (project, clip720, tmpdir);
  profile_stages (project, clip720, tmpdir);
  bench_preview (project, clip1080);

  g_clear_object (&project);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return 0;
}
