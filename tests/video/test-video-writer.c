/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "lk-error.h"
#include "lk-video-reader.h"
#include "lk-video-test-util.h"
#include "lk-video-writer.h"

static char *tmp_dir;

typedef struct
{
  GPtrArray *images;  /* LkImage */
  GArray    *pts;     /* gint64 */
  int        tb_num;
  int        tb_den;
} Clip;

static void
clip_free (Clip *c)
{
  g_ptr_array_unref (c->images);
  g_array_unref (c->pts);
  g_free (c);
}

/* The first @n frames of a test video, scaled to at most @size. */
static Clip *
read_clip (const char *name,
           int         n,
           int         size)
{
  g_autofree char *path = lk_test_data_path ("videos", name);
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (path, NULL, &error);
  Clip *c = g_new0 (Clip, 1);

  g_assert_no_error (error);
  c->images = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  c->pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->tb_num = lk_video_reader_get_info (r)->time_base_num;
  c->tb_den = lk_video_reader_get_info (r)->time_base_den;
  lk_video_reader_set_max_size (r, size, size);
  for (int i = 0; i < n; i++)
    {
      g_autoptr(LkVideoFrame) f = NULL;

      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (f);
      g_ptr_array_add (c->images, g_steal_pointer (&f->image));
      g_array_append_val (c->pts, f->pts);
    }
  return c;
}

static double
mean_abs_diff (const LkImage *a,
               const LkImage *b)
{
  double sum = 0;

  g_assert_true (lk_image_same_size (a, b));
  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width * 3; x++)
      sum += ABS ((int) lk_image_row (a, y)[x] - (int) lk_image_row (b, y)[x]);
  return sum / (a->width * a->height * 3.0);
}

static guint
count_files (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (d) != NULL)
    n++;
  g_dir_close (d);
  return n;
}

static gboolean
have_encoder (const char *name)
{
  g_auto(GStrv) list = lk_video_writer_list_encoders ();

  return g_strv_contains ((const char * const *) list, name);
}

static void
write_clip (const char          *out,
            const Clip          *c,
            LkVideoWriterParams *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoWriter) w = NULL;
  const LkImage *first = g_ptr_array_index (c->images, 0);

  p->width = first->width;
  p->height = first->height;
  p->time_base_num = c->tb_num;
  p->time_base_den = c->tb_den;
  w = lk_video_writer_new (out, p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (w);
  for (guint i = 0; i < c->images->len; i++)
    {
      g_assert_true (lk_video_writer_write (w, g_ptr_array_index (c->images, i),
                                            g_array_index (c->pts, gint64, i), NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (lk_video_writer_get_frames_written (w), ==, c->images->len);
  g_assert_true (lk_video_writer_finish (w, NULL, &error));
  g_assert_no_error (error);
}

/* 30 frames of the VFR clip at their own timestamps: the output decodes to
 * the same count and timestamps, and the same pictures (up to coding loss). */
static void
check_vfr_round_trip (const char *encoder,
                      const char *ext,
                      double      pts_tolerance_s)
{
  Clip *c;
  g_autofree char *out = NULL;
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  guint n = 0;

  if (!have_encoder (encoder))
    {
      g_test_skip ("encoder missing");
      return;
    }

  c = read_clip ("person_b.mp4", 30, 320);
  out = g_strdup_printf ("%s/vfr-%s.%s", tmp_dir, encoder, ext);
  p.encoder = encoder;
  p.crf = 18;
  p.preset = "ultrafast";
  p.frame_rate = 30;
  write_clip (out, c, &p);
  g_assert_cmpuint (count_files (tmp_dir), ==, 1);

  r = lk_video_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (lk_video_reader_get_info (r)->has_audio);
  for (;;)
    {
      g_autoptr(LkVideoFrame) f = NULL;
      double expected;

      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_no_error (error);
      if (f == NULL)
        break;
      g_assert_cmpuint (n, <, c->pts->len);
      expected = g_array_index (c->pts, gint64, n) * (double) c->tb_num / c->tb_den;
      if (pts_tolerance_s == 0)
        {
          /* Same time base, same numbers. */
          g_assert_cmpint (lk_video_reader_get_info (r)->time_base_den, ==, c->tb_den);
          g_assert_cmpint (f->pts, ==, g_array_index (c->pts, gint64, n));
        }
      else
        {
          g_assert_cmpfloat (fabs (f->time - expected), <=, pts_tolerance_s);
        }
      g_assert_cmpfloat (mean_abs_diff (f->image, g_ptr_array_index (c->images, n)), <, 6.0);
      n++;
    }
  g_assert_cmpuint (n, ==, 30);

  g_unlink (out);
  clip_free (c);
}

static void
test_vfr_h264_mp4 (void)
{
  check_vfr_round_trip ("libx264", "mp4", 0);
}

static void
test_vfr_hevc_mov (void)
{
  check_vfr_round_trip ("libx265", "mov", 0);
}

static void
test_vfr_vp9_webm (void)
{
  /* Matroska/WebM count in milliseconds. */
  check_vfr_round_trip ("libvpx-vp9", "webm", 0.0011);
}

static void
test_vfr_h264_mkv (void)
{
  check_vfr_round_trip ("libx264", "mkv", 0.0011);
}

static void
check_audio (const char       *ext,
             LkVideoAudioMode  mode,
             const char       *action,
             const char       *codec,
             double            tolerance)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *out = g_strdup_printf ("%s/audio-%s.%s", tmp_dir, action, ext);
  g_autoptr(LkVideoReader) sr = NULL;
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(LkVideoWriter) w = NULL;
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  const LkVideoInfo *info, *src_info;
  Clip *c = read_clip ("person_a.mp4", 20, 160);
  const char *argv[] = { "ffprobe", "-v", "error", "-select_streams", "a:0", "-count_packets",
                         "-show_entries", "stream=duration", "-of", "csv=p=0", out, NULL };

  sr = lk_video_reader_open (src, NULL, &error);
  g_assert_no_error (error);
  src_info = lk_video_reader_get_info (sr);

  p.width = p.height = 160;
  p.time_base_num = c->tb_num;
  p.time_base_den = c->tb_den;
  p.preset = "ultrafast";
  p.audio_source = src;
  p.audio_mode = mode;
  w = lk_video_writer_new (out, &p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lk_video_writer_get_audio_action (w), ==, action);
  for (guint i = 0; i < c->images->len; i++)
    g_assert_true (lk_video_writer_write (w, g_ptr_array_index (c->images, i),
                                          g_array_index (c->pts, gint64, i), NULL, &error));
  g_assert_true (lk_video_writer_finish (w, NULL, &error));
  g_assert_no_error (error);

  r = lk_video_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  info = lk_video_reader_get_info (r);
  g_assert_true (info->has_audio);
  g_assert_cmpstr (info->audio_codec, ==, codec);
  g_assert_cmpint (info->audio_channels, ==, src_info->audio_channels);
  g_test_message ("%s audio: %.4f s (source %.4f s)", ext, info->audio_duration,
                  src_info->audio_duration);
  if (info->audio_duration > 0)
    g_assert_cmpfloat (fabs (info->audio_duration - src_info->audio_duration), <=, tolerance);
  else if (lk_test_have_program ("ffprobe"))
    {
      /* Matroska has no per-stream duration in its header: ask ffprobe to
       * count. */
      g_autofree char *d = lk_test_run (argv);

      g_test_message ("ffprobe: %s", d);
    }

  g_unlink (out);
  clip_free (c);
}

static void
test_audio_copy (void)
{
  /* Copied packets: the same duration, to the sample. */
  check_audio ("mp4", LK_VIDEO_AUDIO_AUTO, "copy", "aac", 0.001);
}

static void
test_audio_encode_webm (void)
{
  if (!have_encoder ("libvpx-vp9"))
    {
      g_test_skip ("no VP9 encoder");
      return;
    }
  check_audio ("webm", LK_VIDEO_AUDIO_AUTO, "encode", "opus", 0.03);
}

static void
test_audio_encode_aac (void)
{
  check_audio ("mp4", LK_VIDEO_AUDIO_ENCODE, "encode", "aac", 0.03);
}

/* A file's audio as a player gets it: decoded, with the encoder's priming
 * and padding dropped as the container says. Seconds. */
typedef struct
{
  double start;    /* the first sample's time */
  double end;      /* after the last sample */
  double packet;   /* the longest packet */
} DecodedAudio;

static DecodedAudio
decode_audio (const char *path)
{
  AVFormatContext *ic = NULL;
  AVCodecContext *dec;
  const AVCodec *codec = NULL;
  AVPacket *pkt = av_packet_alloc ();
  AVFrame *frame = av_frame_alloc ();
  DecodedAudio a = { -1, -1, 0 };
  gint64 samples = 0;
  AVStream *st;
  int idx;

  g_assert_cmpint (avformat_open_input (&ic, path, NULL, NULL), ==, 0);
  g_assert_cmpint (avformat_find_stream_info (ic, NULL), >=, 0);
  idx = av_find_best_stream (ic, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  g_assert_cmpint (idx, >=, 0);
  st = ic->streams[idx];
  dec = avcodec_alloc_context3 (codec);
  avcodec_parameters_to_context (dec, st->codecpar);
  dec->pkt_timebase = st->time_base;
  g_assert_cmpint (avcodec_open2 (dec, codec, NULL), ==, 0);
  for (gboolean eof = FALSE; !eof;)
    {
      if (av_read_frame (ic, pkt) < 0)
        {
          eof = TRUE;
          avcodec_send_packet (dec, NULL);
        }
      else if (pkt->stream_index != idx)
        {
          av_packet_unref (pkt);
          continue;
        }
      else
        {
          a.packet = MAX (a.packet, pkt->duration * av_q2d (st->time_base));
          avcodec_send_packet (dec, pkt);
          av_packet_unref (pkt);
        }
      while (avcodec_receive_frame (dec, frame) == 0)
        {
          if (a.start < 0 && frame->nb_samples > 0)
            a.start = frame->best_effort_timestamp * av_q2d (st->time_base);
          samples += frame->nb_samples;
          av_frame_unref (frame);
        }
    }
  g_assert_cmpfloat (a.start, >=, 0);
  a.end = a.start + samples / (double) dec->sample_rate;
  av_frame_free (&frame);
  av_packet_free (&pkt);
  avcodec_free_context (&dec);
  avformat_close_input (&ic);
  return a;
}

/* 30 frames placed at 2 s to 3 s, with the source's audio cut to that
 * window. Copied: the whole packets that overlap it. Re-encoded: the
 * window's samples, to which the encoder adds its priming (MP4 cannot mark
 * it when the audio does not start at 0; WebM marks it, but its muxer moves
 * the timestamps by it) and pads the last packet. Either way at most a
 * packet more or less at each end. */
static void
check_audio_window (const char       *ext,
                    LkVideoAudioMode  mode,
                    const char       *action)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *out = g_strdup_printf ("%s/window-%s.%s", tmp_dir, action, ext);
  g_autoptr(LkVideoWriter) w = NULL;
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  Clip *c = read_clip ("person_a.mp4", 30, 160);
  gint64 shift = (gint64) llround (2.0 * c->tb_den / c->tb_num);
  DecodedAudio a;

  p.width = p.height = 160;
  p.time_base_num = c->tb_num;
  p.time_base_den = c->tb_den;
  p.preset = "ultrafast";
  p.audio_source = src;
  p.audio_mode = mode;
  if (mode == LK_VIDEO_AUDIO_COPY)
    {
      p.audio_start = 2.0;
      p.audio_end = 3.0;
    }
  w = lk_video_writer_new (out, &p, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (lk_video_writer_get_audio_action (w), ==, action);
  /* The same window, the other way. */
  if (mode != LK_VIDEO_AUDIO_COPY)
    lk_video_writer_set_audio_window (w, 2.0, 3.0);
  for (guint i = 0; i < c->images->len; i++)
    g_assert_true (lk_video_writer_write (w, g_ptr_array_index (c->images, i),
                                          g_array_index (c->pts, gint64, i) + shift, NULL,
                                          &error));
  g_assert_true (lk_video_writer_finish (w, NULL, &error));
  g_assert_no_error (error);

  a = decode_audio (out);
  g_test_message ("%s %s: audio %.4f to %.4f s (window 2 to 3 s, packets up to %.4f s)", ext,
                  action, a.start, a.end, a.packet);
  g_assert_cmpfloat (a.start, >=, 2.0 - a.packet - 1e-3);
  g_assert_cmpfloat (a.start, <=, 2.0 + 1e-3);
  g_assert_cmpfloat (a.end, >=, 3.0 - (mode == LK_VIDEO_AUDIO_COPY ? 0 : a.packet) - 1e-3);
  g_assert_cmpfloat (a.end, <=, 3.0 + a.packet + 1e-3);
  g_assert_cmpfloat (fabs (a.end - a.start - 1.0), <=, 2 * a.packet + 1e-3);

  g_unlink (out);
  clip_free (c);
}

static void
test_audio_window_copy (void)
{
  check_audio_window ("mp4", LK_VIDEO_AUDIO_COPY, "copy");
}

static void
test_audio_window_encode_aac (void)
{
  check_audio_window ("mp4", LK_VIDEO_AUDIO_ENCODE, "encode");
}

static void
test_audio_window_encode_webm (void)
{
  if (!have_encoder ("libvpx-vp9"))
    {
      g_test_skip ("no VP9 encoder");
      return;
    }
  check_audio_window ("webm", LK_VIDEO_AUDIO_AUTO, "encode");
}

static void
test_audio_none (void)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *out = g_build_filename (tmp_dir, "silent.mp4", NULL);
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  Clip *c = read_clip ("person_a.mp4", 5, 160);

  p.audio_source = src;
  p.audio_mode = LK_VIDEO_AUDIO_NONE;
  p.preset = "ultrafast";
  write_clip (out, c, &p);
  r = lk_video_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (lk_video_reader_get_info (r)->has_audio);
  g_unlink (out);
  clip_free (c);
}

static void
check_metadata (const char *ext)
{
  g_autofree char *out = g_strdup_printf ("%s/tags.%s", tmp_dir, ext);
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  const char * const tags[] = {
    "comment", "Synthetic media: made with Likeness",
    "encoder", "Likeness 0.1.0",
    "likeness_synthetic", "true",
    "likeness_source_sha256", "0123456789abcdef",
    NULL,
  };
  Clip *c = read_clip ("person_a.mp4", 3, 64);

  p.metadata = tags;
  p.preset = "ultrafast";
  write_clip (out, c, &p);
  r = lk_video_reader_open (out, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; tags[i] != NULL; i += 2)
    {
      const char *v = lk_video_reader_get_tag (r, tags[i]);

      g_test_message ("%s: %s = %s", ext, tags[i], v);
      g_assert_cmpstr (v, ==, tags[i + 1]);
    }
  g_unlink (out);
  clip_free (c);
}

static void
test_metadata_mp4 (void)
{
  check_metadata ("mp4");
}

static void
test_metadata_mkv (void)
{
  check_metadata ("mkv");
}

static void
test_abort (void)
{
  g_autofree char *out = g_build_filename (tmp_dir, "aborted.mp4", NULL);
  g_autoptr(GError) error = NULL;
  LkVideoWriterParams p = lk_video_writer_params_default ();
  Clip *c = read_clip ("person_a.mp4", 5, 64);

  p.width = p.height = 64;
  p.time_base_num = c->tb_num;
  p.time_base_den = c->tb_den;
  p.preset = "ultrafast";

  for (int how = 0; how < 3; how++)
    {
      LkVideoWriter *w = lk_video_writer_new (out, &p, &error);
      g_autofree char *tmp = NULL;
      g_autofree char *base = NULL;
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      g_assert_no_error (error);
      tmp = g_strdup (lk_video_writer_get_temp_path (w));
      base = g_path_get_basename (tmp);
      g_assert_true (g_str_has_prefix (base, "aborted.partial-"));
      g_assert_true (g_str_has_suffix (base, ".mp4"));
      g_assert_true (g_file_test (tmp, G_FILE_TEST_EXISTS));

      for (guint i = 0; i < 3; i++)
        g_assert_true (lk_video_writer_write (w, g_ptr_array_index (c->images, i),
                                              g_array_index (c->pts, gint64, i), NULL, &error));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

      if (how == 0)
        {
          lk_video_writer_abort (w);
          g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
          g_assert_false (lk_video_writer_write (w, g_ptr_array_index (c->images, 3),
                                                 g_array_index (c->pts, gint64, 3), NULL,
                                                 &error));
          g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
          g_clear_error (&error);
        }
      else if (how == 1)
        {
          g_cancellable_cancel (cancellable);
          g_assert_false (lk_video_writer_finish (w, cancellable, &error));
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
        }
      /* how == 2: freed without finishing */
      lk_video_writer_free (w);
      g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
      g_assert_cmpuint (count_files (tmp_dir), ==, 0);
    }
  clip_free (c);
}

static void
test_errors (void)
{
  g_autofree char *odd = g_build_filename (tmp_dir, "odd.mp4", NULL);
  g_autofree char *unknown = g_build_filename (tmp_dir, "clip.xyz", NULL);
  g_autofree char *webm = g_build_filename (tmp_dir, "h264.webm", NULL);
  g_autofree char *nodir = g_build_filename (tmp_dir, "no", "such", "dir.mp4", NULL);
  g_autofree char *ok = g_build_filename (tmp_dir, "order.mp4", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoWriter) w = NULL;
  g_autoptr(LkImage) img = lk_image_new (64, 64, 3);
  g_autoptr(LkImage) wrong = lk_image_new (32, 32, 3);
  LkVideoWriterParams p = lk_video_writer_params_default ();

  p.width = 63;
  p.height = 64;
  g_assert_null (lk_video_writer_new (odd, &p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "odd.mp4"));
  g_clear_error (&error);

  p.width = 64;
  g_assert_null (lk_video_writer_new (unknown, &p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "clip.xyz"));
  g_clear_error (&error);

  p.encoder = "libx264";
  g_assert_null (lk_video_writer_new (webm, &p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "h264.webm"));
  g_clear_error (&error);

  p.encoder = "no-such-encoder";
  g_assert_null (lk_video_writer_new (ok, &p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  p.encoder = NULL;

  g_assert_null (lk_video_writer_new (nodir, &p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "dir.mp4"));
  g_clear_error (&error);

  p.preset = "ultrafast";
  w = lk_video_writer_new (ok, &p, &error);
  g_assert_no_error (error);
  g_assert_true (lk_video_writer_write (w, img, 10, NULL, &error));
  g_assert_false (lk_video_writer_write (w, img, 10, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "order.mp4"));
  g_clear_error (&error);
  g_assert_false (lk_video_writer_write (w, wrong, 20, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_clear_pointer (&w, lk_video_writer_free);
  g_assert_cmpuint (count_files (tmp_dir), ==, 0);
}

static void
test_list_encoders (void)
{
  g_auto(GStrv) list = lk_video_writer_list_encoders ();

  g_assert_nonnull (list);
  for (guint i = 0; list[i] != NULL; i++)
    g_test_message ("encoder: %s", list[i]);
  g_assert_true (g_strv_contains ((const char * const *) list, "libx264"));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();
  tmp_dir = lk_test_mkdtemp ();

  g_test_add_func ("/engine/video/writer/list-encoders", test_list_encoders);
  g_test_add_func ("/engine/video/writer/vfr-h264-mp4", test_vfr_h264_mp4);
  g_test_add_func ("/engine/video/writer/vfr-h264-mkv", test_vfr_h264_mkv);
  g_test_add_func ("/engine/video/writer/vfr-hevc-mov", test_vfr_hevc_mov);
  g_test_add_func ("/engine/video/writer/vfr-vp9-webm", test_vfr_vp9_webm);
  g_test_add_func ("/engine/video/writer/audio-copy", test_audio_copy);
  g_test_add_func ("/engine/video/writer/audio-encode-webm", test_audio_encode_webm);
  g_test_add_func ("/engine/video/writer/audio-encode-aac", test_audio_encode_aac);
  g_test_add_func ("/engine/video/writer/audio-none", test_audio_none);
  g_test_add_func ("/engine/video/writer/audio-window-copy", test_audio_window_copy);
  g_test_add_func ("/engine/video/writer/audio-window-encode-aac", test_audio_window_encode_aac);
  g_test_add_func ("/engine/video/writer/audio-window-encode-webm",
                   test_audio_window_encode_webm);
  g_test_add_func ("/engine/video/writer/metadata-mp4", test_metadata_mp4);
  g_test_add_func ("/engine/video/writer/metadata-mkv", test_metadata_mkv);
  g_test_add_func ("/engine/video/writer/abort", test_abort);
  g_test_add_func ("/engine/video/writer/errors", test_errors);

  ret = g_test_run ();
  lk_test_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
