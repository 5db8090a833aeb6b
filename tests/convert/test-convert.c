/* SPDX-License-Identifier: GPL-3.0-or-later */
/* engine/convert: conversion, export, provenance and the Masks preview, on
 * the real clips of the test data with a fixture model (64 px, random
 * weights: its output is nonsense, but it changes the pixels, which is what
 * these tests look at).
 *
 * Also `test-convert --make-fixture PROJECT` saves that model into an
 * existing project, for the CLI's shell test. */

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <libavformat/avformat.h>

#include "../lk-test-data.h"
#include "lk-convert-preview.h"
#include "lk-convert-private.h"
#include "lk-converter.h"
#include "lk-error.h"
#include "lk-export.h"
#include "lk-face-detector.h"
#include "lk-mask.h"
#include "lk-project-exports.h"
#include "lk-provenance.h"
#include "lk-torch.h"
#include "lk-video-reader.h"

static char *tmpdir;
static LkProject *project;
static char *vfr_output;       /* person_b.mp4 converted whole */
static LkExportSummary vfr_summary;

static char *
testdata (const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static gboolean
make_fixture_model (const char  *project_path,
                    GError     **error)
{
  g_autoptr(LkProject) p = lk_project_open (project_path, error);
  LkTorchModelConfig c = lk_torch_model_config_default ();
  LkTorchError terr = { 0 };
  LkTorchModel *model;
  g_autofree char *path = NULL;
  int status;

  if (p == NULL)
    return FALSE;
  c.face_size = 64;
  c.n_levels = 3;
  c.encoder_widths[0] = 8;
  c.encoder_widths[1] = 16;
  c.encoder_widths[2] = 32;
  c.bottleneck_dim = 32;
  c.dense_channels = 32;
  c.upscale_width = 32;
  c.decoder_widths[0] = 16;
  c.decoder_widths[1] = 8;
  c.n_identities = 2;
  c.mask_channel = 1;
  model = lk_torch_model_new (&c, LK_TORCH_DEVICE_CPU, 7, &terr);
  if (model == NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_MODEL, "model: %s", terr.message);
      return FALSE;
    }
  g_mkdir_with_parents (lk_project_get_model_dir (p), 0755);
  path = g_build_filename (lk_project_get_model_dir (p), "ckpt-100.safetensors", NULL);
  status = lk_torch_model_save (model, path, NULL, NULL, 0, &terr);
  lk_torch_model_free (model);
  if (status != LK_TORCH_OK)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_MODEL, "save: %s", terr.message);
      return FALSE;
    }
  return TRUE;
}

/* Every frame's pts and time, through the reader. */
static GArray *
read_times (const char *path,
            GArray    **pts_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (path, NULL, &error);
  GArray *times = g_array_new (FALSE, FALSE, sizeof (double));
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_assert_no_error (error);
  for (;;)
    {
      g_autoptr(LkVideoFrame) frame = NULL;

      g_assert_true (lk_video_reader_read (reader, &frame, NULL, &error));
      g_assert_no_error (error);
      if (frame == NULL)
        break;
      g_array_append_val (times, frame->time);
      g_array_append_val (pts, frame->pts);
    }
  *pts_out = pts;
  return times;
}

/* A file's audio stream as its packets say, in seconds. */
typedef struct
{
  double start;     /* the first packet's time */
  double end;       /* where the last packet ends */
  double packet;    /* the longest packet */
  double duration;  /* the packets' durations together */
  guint  n_packets;
} AudioSpan;

static AudioSpan
probe_audio (const char *path)
{
  AVFormatContext *ic = NULL;
  AVPacket *pkt = av_packet_alloc ();
  AudioSpan s = { G_MAXDOUBLE, -G_MAXDOUBLE, 0, 0, 0 };
  AVRational tb;
  int idx;

  g_assert_cmpint (avformat_open_input (&ic, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (ic, NULL), >=, 0);
  idx = av_find_best_stream (ic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  g_assert_cmpint (idx, >=, 0);
  tb = ic->streams[idx]->time_base;
  while (av_read_frame (ic, pkt) >= 0)
    {
      if (pkt->stream_index == idx && pkt->pts != AV_NOPTS_VALUE)
        {
          double t = pkt->pts * av_q2d (tb), d = pkt->duration * av_q2d (tb);

          s.start = MIN (s.start, t);
          s.end = MAX (s.end, t + d);
          s.packet = MAX (s.packet, d);
          s.duration += d;
          s.n_packets++;
        }
      av_packet_unref (pkt);
    }
  av_packet_free (&pkt);
  avformat_close_input (&ic);
  g_assert_cmpuint (s.n_packets, >, 0);
  return s;
}

static LkConvertParams
test_params (void)
{
  LkConvertParams p = lk_convert_params_default ();

  p.crf = 10;
  g_strlcpy (p.preset, "ultrafast", sizeof p.preset);
  return p;
}

/* ---- settings ---------------------------------------------------------------- */

static void
test_params_from_project (void)
{
  g_autoptr(GError) error = NULL;
  LkConvertParams p = lk_convert_params_default ();
  g_autoptr(JsonNode) json = NULL;
  JsonObject *o;

  g_assert_cmpint (p.compose.colour, ==, LK_COLOUR_REINHARD);
  g_assert_cmpint (p.compose.blend, ==, LK_BLEND_LAPLACIAN);
  g_assert_true (p.metadata && p.sidecar && !p.label);
  g_assert_true (lk_convert_params_validate (&p, &error));

  /* The keys the studio writes. */
  g_assert_true (lk_project_set_setting (project, "mask.type", "extended", &error));
  g_assert_true (lk_project_set_setting (project, "mask.feather", "20", &error));
  g_assert_true (lk_project_set_setting (project, "mask.offset-top", "-4", &error));
  g_assert_true (lk_project_set_setting (project, "mask.color-mode", "histogram", &error));
  g_assert_true (lk_project_set_setting (project, "mask.blend-mode", "alpha", &error));
  g_assert_true (lk_project_set_setting (project, "mask.blend-levels", "3", &error));
  g_assert_true (lk_project_set_setting (project, "mask.temporal-smoothing", "0.25", &error));
  g_assert_true (lk_project_set_setting (project, "export.codec", "vp9", &error));
  g_assert_true (lk_project_set_setting (project, "export.crf", "31", &error));
  g_assert_true (lk_project_set_setting (project, "export.preset", "veryfast", &error));
  g_assert_true (lk_project_set_setting (project, "export.whole-video", "false", &error));
  g_assert_true (lk_project_set_setting (project, "export.start-frame", "5", &error));
  g_assert_true (lk_project_set_setting (project, "export.end-frame", "9", &error));
  g_assert_true (lk_project_set_setting (project, "export.burn-in-label", "true", &error));
  g_assert_true (lk_project_set_setting (project, "export.sidecar", "false", &error));
  g_assert_true (lk_project_set_setting (project, "convert.direction", "B2A", &error));
  g_assert_true (lk_project_set_setting (project, "mask.expand", "nonsense", &error));
  g_assert_no_error (error);

  p = lk_convert_params_from_project (project);
  g_assert_cmpint (p.compose.mask.type, ==, LK_MASK_EXTENDED);
  g_assert_cmpfloat (p.compose.mask.feather, ==, 20);
  g_assert_cmpfloat (p.compose.mask.offset_top, ==, -4);
  g_assert_cmpfloat (p.compose.mask.expand, ==, 0);
  g_assert_cmpint (p.compose.colour, ==, LK_COLOUR_HISTOGRAM);
  g_assert_cmpint (p.compose.blend, ==, LK_BLEND_ALPHA);
  g_assert_cmpint (p.compose.levels, ==, 3);
  g_assert_cmpfloat (p.smoothing, ==, 0.25);
  g_assert_cmpint (p.codec, ==, LK_EXPORT_CODEC_VP9);
  g_assert_cmpint (p.crf, ==, 31);
  g_assert_cmpstr (p.preset, ==, "veryfast");
  g_assert_cmpint (p.start_frame, ==, 5);
  g_assert_cmpint (p.end_frame, ==, 9);
  g_assert_true (p.label && !p.sidecar && p.metadata);
  g_assert_cmpint (p.direction, ==, LK_CONVERT_B2A);

  json = lk_convert_params_to_json (&p);
  o = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (o, "mask.color-mode"), ==, "histogram");
  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "B2A");
  g_assert_cmpint (json_object_get_int_member (o, "range.end-frame"), ==, 9);
  g_assert_true (json_object_has_member (o, "mask.offset-right"));
  g_assert_true (json_object_has_member (o, "export.preset"));

  p.compose.levels = 0;
  g_assert_false (lk_convert_params_validate (&p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  p = lk_convert_params_default ();
  p.start_frame = 10;
  p.end_frame = 5;
  g_assert_false (lk_convert_params_validate (&p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Back to the defaults for the other tests. */
  for (const char * const *k = (const char * const[]) {
         "mask.type", "mask.feather", "mask.offset-top", "mask.color-mode", "mask.blend-mode",
         "mask.blend-levels", "mask.temporal-smoothing", "export.codec", "export.crf",
         "export.preset", "export.whole-video", "export.start-frame", "export.end-frame",
         "export.burn-in-label", "export.sidecar", "convert.direction", "mask.expand", NULL };
       *k != NULL; k++)
    {
      g_assert_true (lk_project_set_setting (project, *k, NULL, &error));
      g_assert_no_error (error);
    }
  p = lk_convert_params_from_project (project);
  g_assert_cmpint (p.compose.mask.type, ==, LK_MASK_HULL);
}

static void
test_find_checkpoint (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *bad = g_build_filename (lk_project_get_model_dir (project),
                                           "ckpt-200.safetensors", NULL);
  g_autofree char *found = NULL;
  gint64 iteration = -1;

  /* A newer but damaged file is passed over. */
  g_assert_true (g_file_set_contents (bad, "not a checkpoint", -1, NULL));
  found = lk_convert_find_checkpoint (project, &iteration, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (found, "ckpt-100.safetensors"));
  g_assert_cmpint (iteration, ==, 100);
  g_unlink (bad);
}

/* ---- the whole of the VFR clip ------------------------------------------------- */

static void
test_export_vfr (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = testdata ("videos/person_b.mp4");
  LkConvertParams p = test_params ();
  g_autoptr(LkJob) job = lk_job_new ("export");

  vfr_output = g_build_filename (tmpdir, "person_b-swapped.mp4", NULL);
  g_assert_true (lk_export_run (project, target, vfr_output, NULL, &p, job, &vfr_summary,
                                &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (vfr_output, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (vfr_summary.frames, ==, 135);
  g_assert_cmpint (vfr_summary.frames_with_faces, >, 120);
  g_assert_cmpint (vfr_summary.frames_with_faces + vfr_summary.frames_without_face, ==, 135);
  g_assert_cmpstr (vfr_summary.audio, ==, "copy");
  g_assert_nonnull (vfr_summary.sidecar);
  g_assert_true (g_file_test (vfr_summary.sidecar, G_FILE_TEST_IS_REGULAR));
  /* Tracked between detections, not detected on every frame. */
  g_assert_cmpint (vfr_summary.detections, <, 135);
  g_assert_cmpfloat (lk_job_get_figure (job, "frames"), ==, 135);
}

static void
test_timestamps_vfr (void)
{
  g_autofree char *target = testdata ("videos/person_b.mp4");
  g_autoptr(GArray) in_pts = NULL, out_pts = NULL;
  g_autoptr(GArray) in_t = read_times (target, &in_pts);
  g_autoptr(GArray) out_t = read_times (vfr_output, &out_pts);
  g_autoptr(LkVideoReader) a = lk_video_reader_open (target, NULL, NULL);
  g_autoptr(LkVideoReader) b = lk_video_reader_open (vfr_output, NULL, NULL);
  const LkVideoInfo *ia = lk_video_reader_get_info (a), *ib = lk_video_reader_get_info (b);
  guint gaps = 0;

  g_assert_cmpuint (out_t->len, ==, in_t->len);
  for (guint i = 0; i < in_t->len; i++)
    {
      g_assert_cmpfloat_with_epsilon (g_array_index (out_t, double, i),
                                      g_array_index (in_t, double, i), 1e-6);
      if (ia->time_base_den == ib->time_base_den && ia->time_base_num == ib->time_base_num)
        g_assert_cmpint (g_array_index (out_pts, gint64, i), ==, g_array_index (in_pts, gint64, i));
      if (i > 0 && g_array_index (out_t, double, i) - g_array_index (out_t, double, i - 1) > 0.05)
        gaps++;
    }
  /* Still variable: the clip's long gaps are there. */
  g_assert_cmpuint (gaps, >=, 40);
  g_assert_true (ib->variable_frame_rate);

  g_assert_true (ib->has_audio);
  g_assert_cmpstr (ib->audio_codec, ==, ia->audio_codec);
  g_assert_cmpfloat (fabs (ib->audio_duration - ia->audio_duration), <, 0.05);

  /* Provenance tags. */
  g_assert_cmpstr (lk_video_reader_get_tag (b, "synthetic"), ==, "true");
  g_assert_nonnull (strstr (lk_video_reader_get_tag (b, "comment"), "Synthetic media"));
  g_assert_cmpstr (lk_video_reader_get_tag (b, "generator"), ==, lk_provenance_generator ());
}

typedef struct
{
  double outside;  /* mean absolute difference outside every face region */
  double inside;   /* inside the middle of the faces */
  guint  n_outside, n_inside;
} Diff;

static void
diff_frame (LkFaceDetector *detector,
            const LkImage  *in,
            const LkImage  *out,
            Diff           *d)
{
  g_autoptr(GArray) faces = g_array_new (FALSE, TRUE, sizeof (LkFaceDetection));
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) outside = lk_image_new (in->width, in->height, 1);
  LkConvertParams p = test_params ();
  double so = 0, si = 0;
  guint no = 0, ni = 0;

  g_assert_true (lk_face_detector_detect (detector, in, faces, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, >=, 1);
  lk_image_fill (outside, 1);
  for (guint f = 0; f < faces->len; f++)
    {
      const LkFaceDetection *fd = &g_array_index (faces, LkFaceDetection, f);
      LkMaskRegion r;
      float cx = fd->landmarks[30][0], cy = fd->landmarks[30][1];
      float half = fd->width * 0.15f;

      g_assert_true (lk_mask_region_for_face (fd->landmarks, &p.compose.mask, in->width,
                                              in->height, &r));
      /* Grown a little: the converter's landmarks are smoothed over time. */
      for (int y = MAX (0, r.y - 12); y < MIN (in->height, r.y + r.height + 12); y++)
        for (int x = MAX (0, r.x - 12); x < MIN (in->width, r.x + r.width + 12); x++)
          *lk_image_pixel (outside, x, y) = 0;
      /* Around the nose tip: well inside any mask. */
      for (int y = (int) (cy - half); y < (int) (cy + half); y++)
        for (int x = (int) (cx - half); x < (int) (cx + half); x++)
          for (int c = 0; c < 3; c++, ni++)
            si += abs (lk_image_pixel (in, x, y)[c] - lk_image_pixel (out, x, y)[c]);
    }
  for (int y = 0; y < in->height; y++)
    for (int x = 0; x < in->width; x++)
      if (*lk_image_pixel (outside, x, y))
        for (int c = 0; c < 3; c++, no++)
          so += abs (lk_image_pixel (in, x, y)[c] - lk_image_pixel (out, x, y)[c]);
  d->outside += so;
  d->inside += si;
  d->n_outside += no;
  d->n_inside += ni;
}

static void
test_pixels_outside_mask (void)
{
  g_autofree char *target = testdata ("videos/person_b.mp4");
  g_autoptr(GError) error = NULL;
  LkFaceDetectorParams dp = lk_face_detector_params_default ();
  g_autoptr(LkFaceDetector) detector = lk_face_detector_new (&dp, &error);
  g_autoptr(LkVideoReader) a = lk_video_reader_open (target, NULL, &error);
  g_autoptr(LkVideoReader) b = lk_video_reader_open (vfr_output, NULL, &error);
  Diff d = { 0 };

  g_assert_no_error (error);
  for (guint i = 0; i < 135; i++)
    {
      g_autoptr(LkVideoFrame) fa = NULL, fb = NULL;

      g_assert_true (lk_video_reader_read (a, &fa, NULL, &error));
      g_assert_true (lk_video_reader_read (b, &fb, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (fa);
      g_assert_nonnull (fb);
      if (i % 20 == 10)
        diff_frame (detector, fa->image, fb->image, &d);
    }
  d.outside /= d.n_outside;
  d.inside /= d.n_inside;
  g_test_message ("mean absolute difference: outside the faces %.2f, inside %.2f",
                  d.outside, d.inside);
  /* CRF 10: the encoder's error alone. */
  g_assert_cmpfloat (d.outside, <, 2.5);
  g_assert_cmpfloat (d.inside, >, 8.0);
  g_assert_cmpfloat (d.inside, >, 4 * d.outside);
}

static void
test_sidecar_and_verify (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProvenanceReport) report = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *sha = lk_provenance_file_sha256 (vfr_output, NULL, &error);
  g_autofree char *copy = g_build_filename (tmpdir, "tampered.mp4", NULL);
  g_autofree char *copy_sidecar = lk_provenance_sidecar_path (copy);
  g_autofree char *contents = NULL;
  g_autofree char *db_sha = NULL;
  g_autofree char *db_status = NULL;
  gsize length;
  JsonObject *o, *settings;

  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, vfr_summary.sidecar, &error));
  g_assert_no_error (error);
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "format"), ==, LK_PROVENANCE_FORMAT);
  g_assert_true (json_object_get_boolean_member (o, "synthetic"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "output"),
                                                  "sha256"), ==, sha);
  g_assert_cmpstr (json_object_get_string_member (o, "direction"), ==, "A2B");
  g_assert_cmpuint (strlen (json_object_get_string_member (
                      json_object_get_object_member (o, "target"), "sha256")), ==, 64);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "checkpoint"),
                                                  "sha256"), ==, vfr_summary.checkpoint_sha256);
  {
    JsonArray *sources = json_object_get_array_member (o, "sources");
    g_autofree char *a = testdata ("videos/person_a.mp4");
    g_autofree char *a_sha = lk_provenance_file_sha256 (a, NULL, NULL);

    g_assert_cmpuint (json_array_get_length (sources), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *src = json_array_get_object_element (sources, i);

        g_assert_cmpuint (strlen (json_object_get_string_member (src, "sha256")), ==, 64);
        if (g_strcmp0 (json_object_get_string_member (src, "identity"), "A") == 0)
          g_assert_cmpstr (json_object_get_string_member (src, "sha256"), ==, a_sha);
      }
  }
  g_assert_true (json_object_has_member (o, "created"));
  settings = json_object_get_object_member (o, "settings");
  g_assert_cmpint (json_object_get_int_member (settings, "export.crf"), ==, 10);
  g_assert_cmpstr (json_object_get_string_member (settings, "export.preset"), ==, "ultrafast");

  /* The exports table. */
  {
    g_autoptr(LkExportRecord) record = lk_project_get_export (project, vfr_summary.export_id,
                                                              &error);

    g_assert_no_error (error);
    db_status = g_strdup (record->status);
    db_sha = g_strdup (record->output_sha256);
  }
  g_assert_cmpstr (db_status, ==, "done");
  g_assert_cmpstr (db_sha, ==, sha);

  g_assert_true (lk_provenance_verify (vfr_output, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (report->hash_matches && report->metadata_synthetic);
  g_clear_pointer (&report, lk_provenance_report_free);

  /* One byte changed in the middle of a copy. */
  g_assert_true (g_file_get_contents (vfr_output, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy, contents, length, &error));
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (vfr_summary.sidecar, &contents, &length, &error));
  g_assert_true (g_file_set_contents (copy_sidecar, contents, length, &error));
  g_clear_pointer (&contents, g_free);
  g_assert_no_error (error);
  g_assert_true (lk_provenance_verify (copy, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    FILE *f = fopen (copy, "r+b");
    int c;

    g_assert_nonnull (f);
    fseek (f, (long) (length / 2), SEEK_SET);
    c = fgetc (f);
    fseek (f, (long) (length / 2), SEEK_SET);
    fputc (c ^ 0x01, f);
    fclose (f);
  }
  g_assert_false (lk_provenance_verify (copy, &report, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (report);
  g_assert_false (report->hash_matches);
  g_clear_error (&error);

  /* A malformed sidecar, then none. */
  g_assert_true (g_file_set_contents (copy_sidecar, "{\"format\": 3", -1, NULL));
  g_assert_false (lk_provenance_verify (copy, NULL, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (copy_sidecar, "{\"format\": \"likeness-provenance\"}", -1,
                                      NULL));
  g_assert_false (lk_provenance_verify (copy, NULL, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
  g_clear_error (&error);
  g_unlink (copy_sidecar);
  g_assert_false (lk_provenance_verify (copy, NULL, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
}

/* ---- black frames, then a face; a range through the async API ------------------ */

static char *
make_black_start_clip (void)
{
  g_autofree char *src = testdata ("videos/tiny_person_c.mp4");
  char *out = g_build_filename (tmpdir, "black-start.mp4", NULL);
  g_autofree char *cmd = g_strdup_printf (
    "ffmpeg -nostdin -loglevel error -y -f lavfi -i color=black:s=480x480:r=30:d=1 "
    "-i '%s' -filter_complex "
    "\"[1:v]trim=0:1.5,setpts=PTS-STARTPTS,fps=30,format=yuv420p[v1];"
    "[0:v]format=yuv420p[v0];[v0][v1]concat=n=2:v=1:a=0[v]\" "
    "-map '[v]' -c:v libx264 -preset ultrafast -crf 12 '%s'", src, out);
  int status = system (cmd);

  if (status != 0)
    {
      g_free (out);
      return NULL;
    }
  return out;
}

static void
test_frames_without_face (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *clip = make_black_start_clip ();
  g_autofree char *output = g_build_filename (tmpdir, "black-start-swapped.mkv", NULL);
  g_auto(LkExportSummary) summary = { 0 };
  LkConvertParams p = test_params ();
  g_autoptr(GArray) in_pts = NULL, out_pts = NULL;
  g_autoptr(GArray) in_t = NULL, out_t = NULL;
  g_autoptr(LkVideoReader) a = NULL, b = NULL;

  if (clip == NULL)
    {
      g_test_skip ("ffmpeg could not make the clip");
      return;
    }
  g_assert_true (lk_export_run (project, clip, output, NULL, &p, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpint (summary.frames, ==, 75);
  g_assert_cmpint (summary.frames_without_face, >=, 30);
  g_assert_cmpint (summary.frames_with_faces, >=, 40);
  g_assert_cmpstr (summary.audio, ==, "none");

  in_t = read_times (clip, &in_pts);
  out_t = read_times (output, &out_pts);
  g_assert_cmpuint (in_t->len, ==, out_t->len);
  for (guint i = 0; i < in_t->len; i++)
    /* Matroska stores milliseconds. */
    g_assert_cmpfloat (fabs (g_array_index (in_t, double, i) - g_array_index (out_t, double, i)),
                       <=, 0.0011);

  /* The black frames are passed through: still black. */
  a = lk_video_reader_open (output, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(LkVideoFrame) f = NULL;
      const LkImage *im;
      guint max = 0;

      g_assert_true (lk_video_reader_read (a, &f, NULL, &error));
      im = f->image;
      for (int y = 0; y < im->height; y++)
        for (int x = 0; x < im->width * 3; x++)
          max = MAX (max, lk_image_row (im, y)[x]);
      g_assert_cmpuint (max, <=, 20);
    }
}

typedef struct
{
  GMainLoop       *loop;
  gboolean         ok;
  GError          *error;
  LkExportSummary  summary;
} AsyncResult;

static void
on_export_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = lk_export_finish (LK_PROJECT (source), result, &r->summary, &r->error);
  g_main_loop_quit (r->loop);
}

static void
test_range_async (void)
{
  g_autofree char *target = testdata ("videos/tiny_person_c.mp4");
  g_autofree char *output = g_build_filename (tmpdir, "range.mp4", NULL);
  g_autoptr(GArray) in_pts = NULL, out_pts = NULL;
  g_autoptr(GArray) in_t = NULL, out_t = NULL;
  g_autoptr(LkJob) job = lk_job_new ("range");
  AsyncResult r = { 0 };
  LkConvertParams p = test_params ();

  p.start_frame = 40;
  p.end_frame = 69;
  p.label = TRUE;
  p.sidecar = FALSE;
  r.loop = g_main_loop_new (NULL, FALSE);
  lk_export_async (project, target, output, NULL, &p, job, on_export_done, &r);
  g_main_loop_run (r.loop);
  g_main_loop_unref (r.loop);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (r.summary.frames, ==, 30);
  g_assert_null (r.summary.sidecar);
  g_assert_false (g_file_test (lk_provenance_sidecar_path (output), G_FILE_TEST_EXISTS));
  lk_export_summary_clear (&r.summary);

  in_t = read_times (target, &in_pts);
  out_t = read_times (output, &out_pts);
  g_assert_cmpuint (out_t->len, ==, 30);
  /* The source's timestamps (an MP4 that starts late begins with an empty
   * edit counted in milliseconds, hence the tolerance). */
  for (guint i = 0; i < 30; i++)
    g_assert_cmpfloat (fabs (g_array_index (out_t, double, i)
                             - g_array_index (in_t, double, 40 + i)), <=, 0.001);
  g_assert_cmpfloat (lk_job_get_fraction (job), ==, 1.0);

  /* The label is there: its box is darker than the picture, its letters white. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LkVideoReader) reader = lk_video_reader_open (output, NULL, &error);
    g_autoptr(LkVideoFrame) f = NULL;
    int x, y, w, h, white = 0;

    g_assert_true (lk_video_reader_read (reader, &f, NULL, &error));
    lk_provenance_label_rect (f->image->width, f->image->height, NULL, &x, &y, &w, &h);
    for (int yy = y; yy < y + h; yy++)
      for (int xx = x; xx < x + w; xx++)
        if (lk_image_pixel (f->image, xx, yy)[1] > 200)
          white++;
    g_assert_cmpint (white, >, w * h / 10);
  }
}

/* ---- a range's audio --------------------------------------------------------------- */

/* Exports @p's range of @target and checks that the output's audio covers
 * [@start, @end] only: whole packets, so up to one packet more each side. */
static void
check_range_audio (const char            *target,
                   const char            *name,
                   const LkConvertParams *p,
                   double                 start,
                   double                 end)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *output = g_build_filename (tmpdir, name, NULL);
  g_auto(LkExportSummary) summary = { 0 };
  g_autoptr(LkVideoReader) reader = NULL;
  g_autoptr(LkVideoFrame) first = NULL;
  AudioSpan a;

  g_assert_true (lk_export_run (project, target, output, NULL, p, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (summary.audio, ==, "copy");

  a = probe_audio (output);
  g_test_message ("%s, range %.3f-%.3f s: audio %.4f-%.4f s, %.4f s in %u packets of up to "
                  "%.4f s", name, start, end, a.start, a.end, a.duration, a.n_packets, a.packet);
  g_assert_cmpfloat (a.start, >=, start - a.packet - 1e-3);
  g_assert_cmpfloat (a.end, <=, end + a.packet + 1e-3);
  g_assert_cmpfloat (fabs (a.duration - (end - start)), <=, 0.1);
  g_assert_cmpfloat (fabs ((a.end - a.start) - (end - start)), <=, 0.1);

  /* In step with the frames: the first one is shown at the range's start. */
  reader = lk_video_reader_open (output, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lk_video_reader_read (reader, &first, NULL, &error));
  g_assert_nonnull (first);
  g_assert_cmpfloat (first->time, <=, start + 1e-3);
  g_assert_cmpfloat (fabs (first->time - a.start), <, 0.05);
}

static void
test_range_audio (void)
{
  g_autofree char *target = testdata ("videos/person_a.mp4");
  g_autofree char *whole = testdata ("videos/person_b.mp4");
  LkConvertParams p = test_params ();
  AudioSpan src, out;

  p.sidecar = FALSE;

  /* A time range: 2 s from 2 s on. */
  p.start_time = 2.0;
  p.end_time = 4.0;
  check_range_audio (target, "range-audio-time.mp4", &p, 2.0, 4.0);

  /* A frame range (30 fps): frames 45 to 74 are shown from 1.5 s to 2.5 s. */
  p.start_time = p.end_time = -1;
  p.start_frame = 45;
  p.end_frame = 74;
  check_range_audio (target, "range-audio-frames.mkv", &p, 1.5, 2.5);

  /* The whole video (export-vfr) keeps the whole of the audio, packet for
   * packet. */
  g_assert_nonnull (vfr_output);
  src = probe_audio (whole);
  out = probe_audio (vfr_output);
  g_test_message ("whole: audio %.4f-%.4f s in %u packets (source %.4f-%.4f s in %u)",
                  out.start, out.end, out.n_packets, src.start, src.end, src.n_packets);
  g_assert_cmpuint (out.n_packets, ==, src.n_packets);
  g_assert_cmpfloat (fabs (out.start - src.start), <=, 1e-3);
  g_assert_cmpfloat (fabs (out.end - src.end), <=, 1e-3);
}

static gboolean
cancel_after_frames (LkJob    *job,
                     gpointer  user_data)
{
  double frames = lk_job_get_figure (job, "frames");

  (void) user_data;
  return isnan (frames) || frames < 5;
}

static void
test_cancel_leaves_nothing (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = testdata ("videos/tiny_person_d.mp4");
  g_autofree char *dir = g_build_filename (tmpdir, "cancel", NULL);
  g_autofree char *output = g_build_filename (dir, "out.mp4", NULL);
  g_autoptr(LkJob) job = lk_job_new ("cancel");
  g_auto(LkExportSummary) summary = { 0 };
  LkConvertParams p = test_params ();
  g_autoptr(GDir) d = NULL;
  g_autofree char *status = NULL;

  g_mkdir_with_parents (dir, 0755);
  lk_job_set_progress_func (job, cancel_after_frames, NULL, NULL);
  g_assert_false (lk_export_run (project, target, output, NULL, &p, job, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (summary.frames, >=, 5);
  g_assert_cmpint (summary.frames, <, 250);
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d));  /* no temporary file, no sidecar */

  g_clear_error (&error);
  {
    g_autoptr(LkExportRecord) record = lk_project_get_export (project, summary.export_id, &error);

    g_assert_no_error (error);
    status = g_strdup (record->status);
  }
  g_assert_cmpstr (status, ==, "cancelled");
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = testdata ("videos/person_a.mp4");
  g_autofree char *missing = g_build_filename (tmpdir, "missing.mp4", NULL);
  g_autofree char *output = g_build_filename (tmpdir, "bad.mp4", NULL);
  LkConvertParams p = test_params ();

  g_assert_false (lk_export_run (project, missing, output, NULL, &p, NULL, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lk_export_run (project, target, target, NULL, &p, NULL, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (lk_export_run (project, target, output, missing, &p, NULL, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "missing.mp4"));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
}

/* ---- the model's input, cut like the trainer's ------------------------------------ */

static void
test_extract_box_filtered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *photo = testdata ("images/single_man_tom_cruise.jpg");
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (photo, NULL, &error);
  g_autoptr(LkVideoFrame) frame = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, TRUE, sizeof (LkFaceDetection));
  LkFaceDetectorParams dp = lk_face_detector_params_default ();
  g_autoptr(LkFaceDetector) detector = lk_face_detector_new (&dp, &error);
  LkAlignParams params = lk_align_params_default ();
  LkAlignment boxed, direct;
  g_autoptr(LkImage) a = NULL, b = NULL;
  const LkFaceDetection *d;
  double mad = 0, p[2] = { 10, 50 }, q[2], r[2];
  const double *m, *n;

  g_assert_no_error (error);
  g_assert_true (lk_video_reader_read (reader, &frame, NULL, &error));
  g_assert_true (lk_face_detector_detect (detector, frame->image, faces, &error));
  g_assert_cmpuint (faces->len, ==, 1);
  d = &g_array_index (faces, LkFaceDetection, 0);

  params.size = 64;
  a = _lk_convert_extract (frame->image, d->landmarks, &params, 256, &boxed);
  b = _lk_convert_extract (frame->image, d->landmarks, &params, 0, &direct);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpint (a->width, ==, 64);
  g_assert_cmpint (boxed.size, ==, 64);

  /* The two matrices are inverses of each other... */
  m = boxed.frame_to_face.m;
  n = boxed.face_to_frame.m;
  q[0] = n[0] * p[0] + n[1] * p[1] + n[2];
  q[1] = n[3] * p[0] + n[4] * p[1] + n[5];
  r[0] = m[0] * q[0] + m[1] * q[1] + m[2];
  r[1] = m[3] * q[0] + m[4] * q[1] + m[5];
  g_assert_cmpfloat (fabs (r[0] - p[0]) + fabs (r[1] - p[1]), <, 1e-6);
  /* ... and the box-filtered face lies where the directly cut one does
   * (within the box's quarter-pixel centring). */
  for (int k = 0; k < 6; k++)
    g_assert_cmpfloat (fabs (boxed.frame_to_face.m[k] - direct.frame_to_face.m[k]), <, 0.5);
  for (int y = 0; y < 64; y++)
    for (int x = 0; x < 64 * 3; x++)
      mad += abs (lk_image_row (a, y)[x] - lk_image_row (b, y)[x]);
  mad /= 64 * 64 * 3;
  g_test_message ("box-filtered vs direct crop: mean absolute difference %.2f", mad);
  g_assert_cmpfloat (mad, <, 6);
}

/* ---- the Masks preview ------------------------------------------------------------ */

static void
test_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = testdata ("videos/person_a.mp4");
  LkConvertPreview *preview = lk_convert_preview_new (project, NULL, LK_CONVERT_A2B, &error);
  LkConvertParams p = lk_convert_params_default ();
  g_autoptr(LkImage) out = NULL;
  g_autoptr(LkImage) first = NULL;
  const LkImage *original, *mask;
  const LkConvertPreviewFace *face;
  LkMaskRegion region;
  double diff = 0, outside = 0;

  g_assert_no_error (error);
  g_assert_true (lk_convert_preview_load (preview, target, 2.0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (lk_convert_preview_get_time (preview) - 2.0), <, 0.04);
  g_assert_cmpuint (lk_convert_preview_get_n_faces (preview), ==, 1);
  face = lk_convert_preview_get_face (preview, 0);
  g_assert_cmpint (face->face_swap->width, ==, 64);
  g_assert_nonnull (face->model_mask);
  original = lk_convert_preview_get_original (preview);
  out = lk_image_new (original->width, original->height, 3);

  g_assert_true (lk_convert_preview_render (preview, &p, out, &error));
  g_assert_no_error (error);
  mask = lk_convert_preview_get_face_mask (preview, 0, &region);
  g_assert_nonnull (mask);
  for (int y = 0; y < original->height; y++)
    for (int x = 0; x < original->width; x++)
      {
        gboolean in = x >= region.x && x < region.x + region.width && y >= region.y
                      && y < region.y + region.height;
        for (int c = 0; c < 3; c++)
          {
            int d = abs (lk_image_pixel (out, x, y)[c] - lk_image_pixel (original, x, y)[c]);
            if (in)
              diff += d;
            else
              outside += d;
          }
      }
  g_assert_cmpfloat (outside, ==, 0);
  g_assert_cmpfloat (diff / (region.width * region.height * 3.0), >, 2.0);

  /* A2B puts A's face in: the swap is decoder A's (0) output for the crop;
   * B2A gives decoder B's. */
  {
    g_autofree char *ckpt = lk_convert_find_checkpoint (project, NULL, &error);
    LkTorchModel *model = lk_torch_model_new_from_checkpoint (ckpt, LK_TORCH_DEVICE_CPU, NULL);
    g_autoptr(LkImage) dec = lk_image_new (64, 64, 3);
    LkTorchPixels in = { face->crop->data, 64, 64, 3, face->crop->stride };
    LkTorchPixels o = { dec->data, 64, 64, 3, dec->stride };

    g_assert_nonnull (model);
    for (int identity = 0; identity < 2; identity++)
      {
        int max_diff = 0;

        if (identity == 1)
          {
            lk_convert_preview_set_direction (preview, LK_CONVERT_B2A);
            g_assert_true (lk_convert_preview_load (preview, target, 2.0, NULL, &error));
            face = lk_convert_preview_get_face (preview, 0);
            in.data = face->crop->data;
          }
        g_assert_cmpint (lk_torch_model_swap (model, identity, &in, 1, &o, NULL, NULL), ==,
                         LK_TORCH_OK);
        for (int y = 0; y < 64; y++)
          for (int x = 0; x < 64 * 3; x++)
            max_diff = MAX (max_diff, abs (lk_image_row (dec, y)[x]
                                           - lk_image_row (face->face_swap, y)[x]));
        g_assert_cmpint (max_diff, <=, 1);
      }
    lk_torch_model_free (model);
    lk_convert_preview_set_direction (preview, LK_CONVERT_A2B);
    g_assert_true (lk_convert_preview_load (preview, target, 2.0, NULL, &error));
    g_assert_true (lk_convert_preview_render (preview, &p, out, &error));
  }

  /* A slider moves: only the compose runs again, and the picture changes. */
  first = lk_image_copy (out);
  p.compose.mask.expand = 10;
  p.compose.mask.feather = 30;
  p.compose.colour = LK_COLOUR_NONE;
  g_assert_true (lk_convert_preview_render (preview, &p, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (memcmp (first->data, out->data, out->stride * out->height), !=, 0);

  /* A frame without faces is not an error. */
  {
    g_autofree char *noface = testdata ("images/noface_fruits.jpg");

    g_assert_true (lk_convert_preview_load (preview, noface, 0, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (lk_convert_preview_get_n_faces (preview), ==, 0);
    g_clear_pointer (&out, lk_image_free);
    original = lk_convert_preview_get_original (preview);
    out = lk_image_new (original->width, original->height, 3);
    g_assert_true (lk_convert_preview_render (preview, &p, out, &error));
    g_assert_cmpint (memcmp (out->data, original->data, out->stride * out->height), ==, 0);
  }
  lk_convert_preview_free (preview);
}

/* The frames before and after the one the preview shows, and that loading
 * the next one's time shows exactly that frame, on person_b (variable frame
 * rate). */
static void
assert_preview_neighbours (LkConvertPreview *preview,
                           LkVideoReader    *reader,
                           GArray           *times,
                           guint             k)
{
  g_autoptr(GError) error = NULL;
  double previous = NAN, next = NAN;

  g_assert_cmpfloat (lk_convert_preview_get_time (preview), ==, g_array_index (times, double, k));
  if (!lk_video_reader_neighbour_time (reader, lk_convert_preview_get_time (preview), -1, &previous,
                                       NULL, &error))
    g_assert_no_error (error);
  if (!lk_video_reader_neighbour_time (reader, lk_convert_preview_get_time (preview), 1, &next,
                                       NULL, &error))
    g_assert_no_error (error);

  if (k == 0)
    g_assert_true (isnan (lk_convert_preview_get_previous_time (preview)) && isnan (previous));
  else
    g_assert_cmpfloat (lk_convert_preview_get_previous_time (preview), ==,
                       g_array_index (times, double, k - 1));
  if (k + 1 == times->len)
    g_assert_true (isnan (lk_convert_preview_get_next_time (preview)) && isnan (next));
  else
    g_assert_cmpfloat (lk_convert_preview_get_next_time (preview), ==,
                       g_array_index (times, double, k + 1));
  if (!isnan (previous))
    g_assert_cmpfloat (lk_convert_preview_get_previous_time (preview), ==, previous);
  if (!isnan (next))
    g_assert_cmpfloat (lk_convert_preview_get_next_time (preview), ==, next);
}

static void
test_preview_neighbours (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *target = testdata ("videos/person_b.mp4");
  g_autofree char *still = testdata ("images/noface_fruits.jpg");
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (target, NULL, &error);
  g_autoptr(GArray) times = NULL;
  LkConvertPreview *preview = lk_convert_preview_new (project, NULL, LK_CONVERT_A2B, &error);
  guint n, k = 0;

  g_assert_no_error (error);
  times = lk_video_reader_list_frame_times (reader, NULL, &error);
  g_assert_no_error (error);
  n = times->len;
  g_assert_cmpuint (n, ==, 135);
  g_assert_true (isnan (lk_convert_preview_get_previous_time (preview)));
  g_assert_true (isnan (lk_convert_preview_get_next_time (preview)));

  /* In the middle of the first gap of more than 50 ms: the frame before it
   * is shown; then three steps to the next frame's time. */
  while (k + 1 < n && g_array_index (times, double, k + 1) - g_array_index (times, double, k)
                      <= 0.050)
    k++;
  g_assert_cmpuint (k + 1, <, n);
  g_assert_true (lk_convert_preview_load (preview, target,
                                          (g_array_index (times, double, k)
                                           + g_array_index (times, double, k + 1)) / 2,
                                          NULL, &error));
  g_assert_no_error (error);
  assert_preview_neighbours (preview, reader, times, k);
  for (int step = 0; step < 3; step++)
    {
      g_assert_true (lk_convert_preview_load (preview, target,
                                              lk_convert_preview_get_next_time (preview), NULL,
                                              &error));
      g_assert_no_error (error);
      assert_preview_neighbours (preview, reader, times, ++k);
    }
  /* And back, by the previous frame's time. */
  g_assert_true (lk_convert_preview_load (preview, target,
                                          lk_convert_preview_get_previous_time (preview), NULL,
                                          &error));
  assert_preview_neighbours (preview, reader, times, --k);

  /* The ends: before the first frame the first, past the end the last. */
  g_assert_true (lk_convert_preview_load (preview, target, 0, NULL, &error));
  assert_preview_neighbours (preview, reader, times, 0);
  g_assert_true (lk_convert_preview_load (preview, target, 1000, NULL, &error));
  g_assert_no_error (error);
  assert_preview_neighbours (preview, reader, times, n - 1);

  /* A picture has neither. */
  g_assert_true (lk_convert_preview_load (preview, still, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (lk_convert_preview_get_previous_time (preview)));
  g_assert_true (isnan (lk_convert_preview_get_next_time (preview)));
  lk_convert_preview_free (preview);
}

static void
test_label (void)
{
  g_autoptr(LkImage) im = lk_image_new (640, 360, 3);
  int x, y, w, h, white = 0, changed_outside = 0;

  lk_image_fill (im, 128);
  lk_provenance_draw_label (im, NULL);
  lk_provenance_label_rect (640, 360, NULL, &x, &y, &w, &h);
  g_assert_cmpint (x + w, <=, 640);
  g_assert_cmpint (y + h, <=, 360);
  g_assert_cmpint (x, >, 320);  /* the bottom-right corner */
  g_assert_cmpint (y, >, 300);
  for (int yy = 0; yy < 360; yy++)
    for (int xx = 0; xx < 640; xx++)
      {
        guint8 v = lk_image_pixel (im, xx, yy)[0];
        gboolean in = xx >= x && xx < x + w && yy >= y && yy < y + h;

        if (!in && v != 128)
          changed_outside++;
        if (in && v == 255)
          white++;
        if (in)
          g_assert_true (v == 255 || v < 128);
      }
  g_assert_cmpint (changed_outside, ==, 0);
  g_assert_cmpint (white, >, 100);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int ret;

  if (argc == 3 && g_strcmp0 (argv[1], "--make-fixture") == 0)
    {
      if (!make_fixture_model (argv[2], &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      return 0;
    }

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();

  if (!g_file_test ("/usr/share/dlib/shape_predictor_68_face_landmarks.dat", G_FILE_TEST_EXISTS)
      && g_getenv ("LK_LANDMARK_MODEL") == NULL)
    {
      g_printerr ("The landmark model is not installed (libdlib-data)\n");
      return 77;
    }

  tmpdir = g_dir_make_tmp ("lk-convert-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "Convert", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);
  g_assert_true (make_fixture_model (lk_project_get_path (project), &error));
  g_assert_no_error (error);
  {
    g_autofree char *a = testdata ("videos/person_a.mp4");
    g_autofree char *b = testdata ("videos/person_b.mp4");

    g_assert_cmpint (lk_project_add_source (project, LK_IDENTITY_A, a, &error), >, 0);
    g_assert_cmpint (lk_project_add_source (project, LK_IDENTITY_B, b, &error), >, 0);
    g_assert_no_error (error);
  }
  lk_torch_set_num_threads (0);

  g_test_add_func ("/engine/convert/params-from-project", test_params_from_project);
  g_test_add_func ("/engine/convert/find-checkpoint", test_find_checkpoint);
  g_test_add_func ("/engine/convert/label", test_label);
  g_test_add_func ("/engine/convert/export-vfr", test_export_vfr);
  g_test_add_func ("/engine/convert/timestamps-vfr", test_timestamps_vfr);
  g_test_add_func ("/engine/convert/pixels-outside-mask", test_pixels_outside_mask);
  g_test_add_func ("/engine/convert/sidecar-and-verify", test_sidecar_and_verify);
  g_test_add_func ("/engine/convert/frames-without-face", test_frames_without_face);
  g_test_add_func ("/engine/convert/range-async", test_range_async);
  g_test_add_func ("/engine/convert/range-audio", test_range_audio);
  g_test_add_func ("/engine/convert/cancel-leaves-nothing", test_cancel_leaves_nothing);
  g_test_add_func ("/engine/convert/bad-input", test_bad_input);
  g_test_add_func ("/engine/convert/preview", test_preview);
  g_test_add_func ("/engine/convert/preview-neighbours", test_preview_neighbours);
  g_test_add_func ("/engine/convert/extract-box-filtered", test_extract_box_filtered);

  ret = g_test_run ();

  g_clear_object (&project);
  lk_export_summary_clear (&vfr_summary);
  g_free (vfr_output);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  g_free (tmpdir);
  return ret;
}
