/* SPDX-License-Identifier: GPL-3.0-or-later */
/* tests/bench/convert: conversion frames/s at 720p and the Masks preview's
 * update time at 1080p. Prints figures; never fails on time.
 *
 * The clips are person_a.mp4 scaled up (to 720x720 and 1080x1080) and
 * padded to 1280x720 and 1920x1080 with the ffmpeg CLI, in a temporary
 * folder. The model is a 64 px fixture with random weights (the cost of a
 * 64 px model does not depend on what it learnt). The export encodes
 * H.264 with x264's "veryfast" preset at CRF 20.
 *
 * The slider step is the whole path of one feather step in the Masks page,
 * without GTK: the new value written to the project, "setting-changed", the
 * settings read back, the request to the preview worker, the render of the
 * 1080p frame by LkPreviewSession, the result back on the main loop; with
 * the SQL statements it ran. */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "lk-convert-preview.h"
#include "lk-preview-session.h"
#include "lk-preview-worker.h"
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

typedef struct
{
  GMainLoop       *loop;
  LkProject       *project;
  LkPreviewWorker *worker;
  const char      *clip;
  double           sent;
  double           submitted;
  double           elapsed;
} Slider;

typedef struct
{
  char            *video;
  LkConvertParams  params;
} SliderRequest;

static void
slider_request_free (gpointer data)
{
  SliderRequest *request = data;

  g_free (request->video);
  g_free (request);
}

static gpointer
slider_job (gpointer       data,
            gpointer       func_data,
            GCancellable  *cancellable,
            GError       **error)
{
  SliderRequest *request = data;

  return lk_preview_session_render (func_data, request->video, 0.5, &request->params,
                                    cancellable, error);
}

/* As the Masks page does on "setting-changed". */
static void
slider_setting_changed_cb (LkProject  *project,
                           const char *key,
                           const char *value,
                           Slider     *slider)
{
  SliderRequest *request = g_new0 (SliderRequest, 1);

  request->video = g_strdup (slider->clip);
  request->params = lk_convert_params_from_project (project);
  lk_preview_worker_submit (slider->worker, request);
  slider->submitted = now_s ();
}

static void
slider_result_cb (LkPreviewWorker *worker,
                  guint64          serial,
                  gpointer         data,
                  const GError    *error,
                  gpointer         user_data)
{
  Slider *slider = user_data;

  g_assert (error == NULL && data != NULL);
  g_assert (((LkPreviewFrame *) data)->result != NULL);
  slider->elapsed = now_s () - slider->sent;
  g_main_loop_quit (slider->loop);
}

static void
slider_frame_free (gpointer data)
{
  lk_preview_frame_free (data);
}

static void
slider_session_free (gpointer data)
{
  lk_preview_session_free (data);
}

static void
bench_slider_step (LkProject  *project,
                   const char *clip)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *checkpoint = g_build_filename (lk_project_get_model_dir (project),
                                                  "ckpt-1.safetensors", NULL);
  Slider slider = { 0 };
  enum { N = 30 };
  double ms[N], settings_ms[N];
  gint64 statements = 0;
  gulong handler;

  slider.loop = g_main_loop_new (NULL, FALSE);
  slider.project = project;
  slider.clip = clip;
  slider.worker = lk_preview_worker_new (slider_job, lk_preview_session_new (project, checkpoint),
                                         slider_session_free, slider_request_free,
                                         slider_frame_free);
  lk_preview_worker_set_result_func (slider.worker, slider_result_cb, &slider);
  handler = g_signal_connect (project, "setting-changed::mask.feather",
                              G_CALLBACK (slider_setting_changed_cb), &slider);

  /* The first step loads the frame, detects and swaps: not a slider step. */
  for (int i = -1; i < N; i++)
    {
      char value[16];
      gint64 before = lk_project_get_statement_count (project);

      g_snprintf (value, sizeof value, "%d", 8 + (i + 1) % 20 + (i < 0 ? 50 : 0));
      slider.sent = now_s ();
      g_assert (lk_project_set_setting (project, "mask.feather", value, &error));
      g_main_loop_run (slider.loop);
      if (i < 0)
        continue;
      ms[i] = 1000 * slider.elapsed;
      settings_ms[i] = 1000 * (slider.submitted - slider.sent);
      statements += lk_project_get_statement_count (project) - before;
    }
  qsort (ms, N, sizeof (double), compare_doubles);
  qsort (settings_ms, N, sizeof (double), compare_doubles);
  printf ("one feather step in the Masks page at 1080p, slider to new preview "
          "(write, signal, settings, worker, render):\n");
  printf ("  median %.1f ms, max %.1f ms; of which write + signal + settings read %.2f ms; "
          "%.1f SQL statements per step\n", ms[N / 2], ms[N - 1], settings_ms[N / 2],
          (double) statements / N);
  printf ("RESULT slider-settings-ms=%.2f\n", settings_ms[N / 2]);
  printf ("RESULT slider-1080p-feather-ms=%.1f\n", ms[N / 2]);
  printf ("RESULT slider-statements=%.1f\n", (double) statements / N);

  g_signal_handler_disconnect (project, handler);
  g_clear_object (&slider.worker);
  g_main_loop_unref (slider.loop);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = NULL, *path = NULL, *clip720 = NULL, *clip1080 = NULL;
  g_autoptr(LkProject) project = NULL;

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

  clip1080 = make_clip (tmpdir, "person_a-1080p.mp4", 1080, 1920, 1.0);
  /* "bench-convert slider": the slider step alone. */
  if (argc < 2 || g_strcmp0 (argv[1], "slider") != 0)
    {
      clip720 = make_clip (tmpdir, "person_a-720p.mp4", 720, 1280, 100);
      bench_export (project, clip720, tmpdir);
      profile_stages (project, clip720, tmpdir);
      bench_preview (project, clip1080);
    }
  bench_slider_step (project, clip1080);

  g_clear_object (&project);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return 0;
}
