/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-image-io.h"
#include "lk-video-reader.h"
#include "lk-video-test-util.h"

static char *tmp_dir;

static LkVideoReader *
open_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  LkVideoReader *r = lk_video_reader_open (path, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (r);
  return r;
}

static LkVideoReader *
open_test_video (const char *name)
{
  g_autofree char *path = lk_test_data_path ("videos", name);

  return open_or_die (path);
}

static char *
image_checksum (const LkImage *image)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  char *out;

  for (int y = 0; y < image->height; y++)
    g_checksum_update (sum, lk_image_row (image, y), (gsize) image->width * image->channels);
  out = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return out;
}

typedef struct
{
  GArray    *pts;     /* gint64 */
  GPtrArray *sums;    /* char* */
} Sequence;

static void
sequence_free (Sequence *s)
{
  g_array_unref (s->pts);
  g_ptr_array_unref (s->sums);
  g_free (s);
}

/* Every frame of @r from the current position to the end. */
static Sequence *
read_all (LkVideoReader *r)
{
  Sequence *s = g_new0 (Sequence, 1);

  s->pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  s->sums = g_ptr_array_new_with_free_func (g_free);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LkVideoFrame) frame = NULL;

      g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
      g_assert_no_error (error);
      if (frame == NULL)
        break;
      g_assert_cmpint (frame->index, ==, s->pts->len);
      g_array_append_val (s->pts, frame->pts);
      g_ptr_array_add (s->sums, image_checksum (frame->image));
    }
  return s;
}

/* ffprobe's best_effort_timestamp of every video frame. */
static GArray *
ffprobe_pts (const char *path)
{
  const char *argv[] = { "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                         "frame=best_effort_timestamp", "-of", "csv=p=0", path, NULL };
  g_autofree char *out = lk_test_run (argv);
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];
      gint64 v;

      if (!g_ascii_isdigit (l[0]) && l[0] != '-')
        continue;
      v = g_ascii_strtoll (l, NULL, 10);
      g_array_append_val (pts, v);
    }
  return pts;
}

static void
test_info_person_a (void)
{
  g_autoptr(LkVideoReader) r = open_test_video ("person_a.mp4");
  const LkVideoInfo *info = lk_video_reader_get_info (r);

  g_assert_cmpint (info->width, ==, 700);
  g_assert_cmpint (info->height, ==, 700);
  g_assert_cmpfloat_with_epsilon (info->duration, 6.63, 0.02);
  g_assert_cmpfloat_with_epsilon (info->frame_rate, 30.0, 0.01);
  g_assert_cmpfloat_with_epsilon (info->nominal_frame_rate, 30.0, 0.01);
  g_assert_false (info->variable_frame_rate);
  g_assert_false (info->is_still_image);
  g_assert_cmpint (info->n_frames, ==, 199);
  g_assert_cmpstr (info->codec, ==, "h264");
  g_assert_cmpint (info->rotation, ==, 0);
  g_assert_cmpint (info->time_base_num, ==, 1);
  g_assert_cmpint (info->time_base_den, ==, 15360);
  g_assert_true (info->has_audio);
  g_assert_cmpstr (info->audio_codec, ==, "aac");
  g_assert_cmpint (info->audio_sample_rate, ==, 44100);
  g_assert_cmpint (info->audio_channels, ==, 2);
  g_assert_cmpfloat_with_epsilon (info->audio_duration, 6.58, 0.02);
}

static void
test_decode_person_a (void)
{
  g_autoptr(LkVideoReader) r = open_test_video ("person_a.mp4");
  g_autoptr(GError) error = NULL;
  gint64 last = G_MININT64, n = 0;

  for (;;)
    {
      g_autoptr(LkVideoFrame) frame = NULL;

      g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
      g_assert_no_error (error);
      if (frame == NULL)
        break;
      g_assert_cmpint (frame->pts, >, last);
      g_assert_cmpint (frame->index, ==, n);
      g_assert_cmpfloat_with_epsilon (frame->time, frame->pts / 15360.0, 1e-9);
      g_assert_cmpint (frame->image->width, ==, 700);
      g_assert_cmpint (frame->image->height, ==, 700);
      g_assert_cmpint (frame->image->channels, ==, 3);
      if (n == 0)
        g_assert_true (frame->keyframe);
      last = frame->pts;
      n++;
    }
  g_assert_cmpint (n, ==, 199);
  g_assert_cmpint (lk_video_reader_get_skipped (r), ==, 0);

  /* After the end, reads keep saying "end". */
  {
    g_autoptr(LkVideoFrame) frame = NULL;

    g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
    g_assert_null (frame);
  }
}

static void
test_vfr_person_b (void)
{
  g_autofree char *path = lk_test_data_path ("videos", "person_b.mp4");
  g_autoptr(LkVideoReader) r = open_or_die (path);
  const LkVideoInfo *info = lk_video_reader_get_info (r);
  g_autoptr(GArray) ref = NULL;
  g_autoptr(GError) error = NULL;
  Sequence *seq;
  guint big_gaps = 0;

  g_assert_true (info->variable_frame_rate);
  g_assert_cmpfloat_with_epsilon (info->nominal_frame_rate, 30.0, 0.01);
  g_assert_cmpfloat_with_epsilon (info->frame_rate, 1350.0 / 61.0, 0.01);
  g_assert_cmpint (info->n_frames, ==, 135);
  g_assert_cmpfloat_with_epsilon (info->duration, 6.10, 0.05);

  if (!lk_test_have_program ("ffprobe"))
    {
      g_test_skip ("no ffprobe command");
      return;
    }
  ref = ffprobe_pts (path);
  g_assert_cmpint (ref->len, ==, 135);

  seq = read_all (r);
  g_assert_cmpint (seq->pts->len, ==, ref->len);
  for (guint i = 0; i < ref->len; i++)
    {
      g_assert_cmpint (g_array_index (seq->pts, gint64, i), ==, g_array_index (ref, gint64, i));
      if (i > 0 && (g_array_index (seq->pts, gint64, i) - g_array_index (seq->pts, gint64, i - 1))
                   > 0.050 * 15360)
        big_gaps++;
    }
  /* testdata/README.md: 48 gaps of more than 50 ms. */
  g_assert_cmpint (big_gaps, ==, 48);
  g_assert_cmpint (lk_video_reader_count_frames (r, NULL, &error), ==, 135);
  g_assert_no_error (error);
  sequence_free (seq);
}

/* Seeking to the pts of frame k gives frame k, pixel for pixel, with the right
 * index, and reading goes on with k+1. */
static void
check_seeks (const char *name)
{
  g_autoptr(LkVideoReader) r = open_test_video (name);
  g_autoptr(GError) error = NULL;
  Sequence *seq = read_all (r);
  guint n = seq->pts->len;
  const guint ks[] = { 100, 0, 1, 37, n - 1, 2, 150 % n, 61, 62, n / 2, 119, 5 };

  for (guint i = 0; i < G_N_ELEMENTS (ks); i++)
    {
      guint k = ks[i];
      gint64 pts = g_array_index (seq->pts, gint64, k);

      for (int between = 0; between <= 1; between++)
        {
          g_autoptr(LkVideoFrame) f = NULL;
          g_autoptr(LkVideoFrame) next = NULL;
          g_autofree char *sum = NULL;

          /* between: a time after frame k's pts but before frame k+1's. */
          if (between && (k + 1 >= n || g_array_index (seq->pts, gint64, k + 1) - pts < 2))
            continue;
          g_assert_true (lk_video_reader_seek (r, pts + between, NULL, &error));
          g_assert_no_error (error);
          g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
          g_assert_no_error (error);
          g_assert_nonnull (f);
          g_assert_cmpint (f->pts, ==, pts);
          g_assert_cmpint (f->index, ==, k);
          sum = image_checksum (f->image);
          g_assert_cmpstr (sum, ==, g_ptr_array_index (seq->sums, k));

          g_assert_true (lk_video_reader_read (r, &next, NULL, &error));
          g_assert_no_error (error);
          if (k + 1 < n)
            {
              g_autofree char *sum2 = NULL;

              g_assert_nonnull (next);
              g_assert_cmpint (next->pts, ==, g_array_index (seq->pts, gint64, k + 1));
              g_assert_cmpint (next->index, ==, k + 1);
              sum2 = image_checksum (next->image);
              g_assert_cmpstr (sum2, ==, g_ptr_array_index (seq->sums, k + 1));
            }
          else
            {
              g_assert_null (next);
            }
        }
    }

  /* Hops forward (decoded on from the position, without a real seek when no
   * keyframe lies between), then backward again. */
  for (guint k = 3; k < n; k += 7)
    {
      g_autoptr(LkVideoFrame) f = NULL;
      g_autofree char *sum = NULL;

      g_assert_true (lk_video_reader_seek (r, g_array_index (seq->pts, gint64, k), NULL, &error));
      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (f->index, ==, k);
      sum = image_checksum (f->image);
      g_assert_cmpstr (sum, ==, g_ptr_array_index (seq->sums, k));
    }
  for (guint k = n - 1; k > 0; k -= MIN (k, 45))
    {
      g_autoptr(LkVideoFrame) f = NULL;
      g_autofree char *sum = NULL;

      g_assert_true (lk_video_reader_seek (r, g_array_index (seq->pts, gint64, k), NULL, &error));
      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_cmpint (f->index, ==, k);
      sum = image_checksum (f->image);
      g_assert_cmpstr (sum, ==, g_ptr_array_index (seq->sums, k));
    }

  /* Before the first frame: the first; after the last: the last. */
  {
    g_autoptr(LkVideoFrame) f = NULL;

    g_assert_true (lk_video_reader_seek (r, g_array_index (seq->pts, gint64, 0) - 10000, NULL,
                                         &error));
    g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
    g_assert_cmpint (f->index, ==, 0);
    g_assert_cmpint (f->pts, ==, g_array_index (seq->pts, gint64, 0));
  }
  {
    g_autoptr(LkVideoFrame) f = NULL;

    g_assert_true (lk_video_reader_seek_seconds (r, 1000.0, NULL, &error));
    g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
    g_assert_cmpint (f->index, ==, n - 1);
    g_assert_cmpint (f->pts, ==, g_array_index (seq->pts, gint64, n - 1));
  }

  /* A seek by seconds lands on the same frame as one by pts. */
  {
    g_autoptr(LkVideoFrame) f = NULL;
    gint64 pts = g_array_index (seq->pts, gint64, 42);

    g_assert_true (lk_video_reader_seek_seconds (r, lk_video_reader_pts_to_seconds (r, pts),
                                                 NULL, &error));
    g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
    g_assert_cmpint (f->index, ==, 42);
  }

  sequence_free (seq);
}

static void
test_seek_person_a (void)
{
  check_seeks ("person_a.mp4");
}

static void
test_seek_vfr (void)
{
  check_seeks ("person_b.mp4");
}

/* Stepping with lk_video_reader_neighbour_time() from the first frame to the
 * last and back visits exactly the frames that decoding gives (and ffprobe
 * lists), each once, at their exact times; the ends give FALSE without an
 * error. */
static void
check_neighbours (const char *name,
                  guint       expected_frames,
                  guint       expected_big_gaps)
{
  g_autofree char *path = lk_test_data_path ("videos", name);
  g_autoptr(LkVideoReader) r = open_or_die (path);
  g_autoptr(LkVideoReader) decoder = open_or_die (path);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) forward = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) backward = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  const LkVideoInfo *info = lk_video_reader_get_info (r);
  double tick = info->time_base_num / (double) info->time_base_den;
  guint n, big_gaps = 0;
  double t;

  /* What decoding gives, on a reader of its own. */
  for (;;)
    {
      g_autoptr(LkVideoFrame) frame = NULL;

      g_assert_true (lk_video_reader_read (decoder, &frame, NULL, &error));
      g_assert_no_error (error);
      if (frame == NULL)
        break;
      g_array_append_val (times, frame->time);
    }
  n = times->len;
  g_assert_cmpuint (n, ==, expected_frames);
  if (lk_test_have_program ("ffprobe"))
    {
      g_autoptr(GArray) ref = ffprobe_pts (path);

      g_assert_cmpuint (ref->len, ==, n);
      for (guint i = 0; i < n; i++)
        g_assert_cmpint (lk_video_reader_seconds_to_pts (r, g_array_index (times, double, i)), ==,
                         g_array_index (ref, gint64, i));
    }

  /* The first query builds the index; the reading position stays. */
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(LkVideoFrame) frame = NULL;

      g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
      g_assert_cmpint (frame->index, ==, i);
    }
  g_assert_true (lk_video_reader_neighbour_time (r, g_array_index (times, double, 0), 1, &t, NULL,
                                                 &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (t, ==, g_array_index (times, double, 1));
  {
    g_autoptr(LkVideoFrame) frame = NULL;

    g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (frame->index, ==, 3);
    g_assert_cmpfloat (frame->time, ==, g_array_index (times, double, 3));
  }

  /* Forward from the first frame, each step shown by a seek to it. */
  t = g_array_index (times, double, 0);
  g_array_append_val (forward, t);
  for (;;)
    {
      g_autoptr(LkVideoFrame) frame = NULL;
      double next;

      if (!lk_video_reader_neighbour_time (r, t, 1, &next, NULL, &error))
        {
          g_assert_no_error (error);
          g_assert_true (isnan (next));
          break;
        }
      g_assert_cmpfloat (next, >, t);
      if (next - t > 0.050)
        big_gaps++;
      g_array_append_val (forward, next);
      g_assert_cmpuint (forward->len, <=, n);
      g_assert_true (lk_video_reader_seek_seconds (r, next, NULL, &error));
      g_assert_true (lk_video_reader_read (r, &frame, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (frame->time, ==, next);
      g_assert_cmpint (frame->index, ==, forward->len - 1);
      t = next;
    }
  g_test_message ("%s: %u frames decoded, %u visited forward, %u gaps > 50 ms", name, n,
                  forward->len, big_gaps);
  g_assert_cmpuint (forward->len, ==, n);
  g_assert_cmpuint (big_gaps, ==, expected_big_gaps);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (forward, double, i), ==, g_array_index (times, double, i));

  /* Backward from the last. */
  t = g_array_index (times, double, n - 1);
  g_array_append_val (backward, t);
  for (;;)
    {
      double previous;

      if (!lk_video_reader_neighbour_time (r, t, -1, &previous, NULL, &error))
        {
          g_assert_no_error (error);
          g_assert_true (isnan (previous));
          break;
        }
      g_assert_cmpfloat (previous, <, t);
      g_array_append_val (backward, previous);
      g_assert_cmpuint (backward->len, <=, n);
      t = previous;
    }
  g_assert_cmpuint (backward->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (backward, double, i), ==,
                       g_array_index (times, double, n - 1 - i));

  /* Between two frames the earlier one is shown: its neighbours. */
  for (guint i = 1; i + 1 < n; i++)
    {
      double a = g_array_index (times, double, i), b = g_array_index (times, double, i + 1);
      double mid = a + (b - a) / 2, next, previous;

      if (b - a < 2 * tick)
        continue;
      g_assert_true (lk_video_reader_neighbour_time (r, mid, 1, &next, NULL, &error));
      g_assert_true (lk_video_reader_neighbour_time (r, mid, -1, &previous, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpfloat (next, ==, b);
      g_assert_cmpfloat (previous, ==, g_array_index (times, double, i - 1));
    }

  /* The ends, as seeking defines them: before the first frame the first is
   * shown, past the end the last. */
  g_assert_false (lk_video_reader_neighbour_time (r, -5.0, -1, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (t));
  g_assert_true (lk_video_reader_neighbour_time (r, -5.0, 1, &t, NULL, &error));
  g_assert_cmpfloat (t, ==, g_array_index (times, double, 1));
  g_assert_false (lk_video_reader_neighbour_time (r, 1000.0, 1, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (t));
  g_assert_true (lk_video_reader_neighbour_time (r, 1000.0, -1, &t, NULL, &error));
  g_assert_cmpfloat (t, ==, g_array_index (times, double, n - 2));

  /* The listing from the same index. */
  listed = lk_video_reader_list_frame_times (r, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (g_array_index (listed, double, i), ==, g_array_index (times, double, i));
}

static void
test_neighbours_vfr (void)
{
  /* testdata/README.md: 135 frames, 48 gaps of more than 50 ms. */
  check_neighbours ("person_b.mp4", 135, 48);
}

static void
test_neighbours_cfr (void)
{
  check_neighbours ("person_a.mp4", 199, 0);
}

/* A picture has one frame and no neighbours. */
static void
test_neighbours_still (void)
{
  g_autofree char *path = lk_test_data_path ("images", "single_man_000125.jpg");
  g_autoptr(LkVideoReader) r = open_or_die (path);
  g_autoptr(GArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  double t = 0;

  g_assert_false (lk_video_reader_neighbour_time (r, 0, 1, &t, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (isnan (t));
  g_assert_false (lk_video_reader_neighbour_time (r, 0, -1, &t, NULL, &error));
  g_assert_no_error (error);
  listed = lk_video_reader_list_frame_times (r, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);
  g_assert_cmpfloat (g_array_index (listed, double, 0), ==, 0);
}

static void
test_max_size (void)
{
  g_autoptr(LkVideoReader) r = open_test_video ("person_a.mp4");
  g_autoptr(LkVideoFrame) f = NULL;
  g_autoptr(GError) error = NULL;

  lk_video_reader_set_max_size (r, 320, 0);
  g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (f->image->width, ==, 320);
  g_assert_cmpint (f->image->height, ==, 320);
}

static void
test_cancel (void)
{
  g_autoptr(LkVideoReader) r = open_test_video ("person_a.mp4");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(LkVideoFrame) f = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (lk_video_reader_read (r, &f, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_false (lk_video_reader_seek (r, 1000, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Make a non-square clip, then copies of it tagged with a rotation; each
 * must come out as the plain clip's frame turned clockwise by that angle,
 * and as the ffmpeg command line (which autorotates) shows it. */
static void
test_rotation (void)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *plain = g_build_filename (tmp_dir, "plain.mp4", NULL);
  const char *make[] = { "ffmpeg", "-v", "error", "-y", "-i", src, "-t", "0.5", "-an",
                         "-vf", "crop=640:360:30:170", "-c:v", "libx264", "-preset", "ultrafast",
                         "-crf", "18", plain, NULL };
  g_autoptr(LkVideoReader) pr = NULL;
  g_autoptr(LkVideoFrame) pf = NULL;
  g_autoptr(GError) error = NULL;
  const int angles[] = { 90, 180, 270 };

  if (!lk_test_have_program ("ffmpeg"))
    {
      g_test_skip ("no ffmpeg command");
      return;
    }
  g_free (lk_test_run (make));
  pr = open_or_die (plain);
  g_assert_true (lk_video_reader_read (pr, &pf, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pf->image->width, ==, 640);
  g_assert_cmpint (pf->image->height, ==, 360);

  for (guint i = 0; i < G_N_ELEMENTS (angles); i++)
    {
      int a;
      g_autofree char *rot = g_strdup_printf ("%s/rot%d.mp4", tmp_dir, angles[i]);
      g_autofree char *ref_png = g_strdup_printf ("%s/rot%d.png", tmp_dir, angles[i]);
      g_autofree char *tag = g_strdup_printf ("rotate=%d", angles[i]);
      const char *copy[] = { "ffmpeg", "-v", "error", "-y", "-i", plain, "-c", "copy",
                             "-metadata:s:v", tag, rot, NULL };
      const char *shot[] = { "ffmpeg", "-v", "error", "-y", "-i", rot, "-frames:v", "1",
                             "-pix_fmt", "rgb24", ref_png, NULL };
      g_autoptr(LkVideoReader) r = NULL;
      g_autoptr(LkVideoFrame) f = NULL;
      g_autoptr(LkImage) ref = NULL;
      const LkVideoInfo *info;
      const LkImage *p = pf->image;
      int w = p->width, h = p->height;

      const char *probe[] = { "ffprobe", "-v", "error", "-select_streams", "v:0",
                              "-show_entries", "stream_side_data=rotation", "-of", "csv=p=0",
                              rot, NULL };
      g_autofree char *probed = NULL;

      g_free (lk_test_run (copy));
      /* How the tag turns into a display matrix depends on the FFmpeg
       * version (5.1 stores rotate=90 as 90 degrees counterclockwise);
       * ffprobe says which, counterclockwise; we report clockwise. */
      probed = lk_test_run (probe);
      a = (360 - (int) g_ascii_strtoll (g_strstrip (probed), NULL, 10)) % 360;
      g_assert_true (a == 90 || a == 180 || a == 270);
      r = open_or_die (rot);
      info = lk_video_reader_get_info (r);
      g_assert_cmpint (info->rotation, ==, a);
      g_assert_cmpint (info->coded_width, ==, 640);
      g_assert_cmpint (info->coded_height, ==, 360);
      g_assert_cmpint (info->width, ==, a == 180 ? 640 : 360);
      g_assert_cmpint (info->height, ==, a == 180 ? 360 : 640);

      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (f->image->width, ==, info->width);
      g_assert_cmpint (f->image->height, ==, info->height);
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          {
            int dx, dy;

            if (a == 90)
              dx = h - 1 - y, dy = x;
            else if (a == 180)
              dx = w - 1 - x, dy = h - 1 - y;
            else
              dx = y, dy = w - 1 - x;
            g_assert_cmpmem (lk_image_pixel (p, x, y), 3, lk_image_pixel (f->image, dx, dy), 3);
          }

      /* The same way round as ffmpeg shows it. */
      g_free (lk_test_run (shot));
      ref = lk_image_load (ref_png, &error);
      g_assert_no_error (error);
      g_assert_true (lk_image_same_size (ref, f->image));
      g_assert_cmpint (lk_test_images_max_diff (ref, f->image), <=, 60);
      {
        double sum = 0;

        for (int y = 0; y < ref->height; y++)
          for (int x = 0; x < ref->width * 3; x++)
            sum += ABS ((int) lk_image_row (ref, y)[x] - (int) lk_image_row (f->image, y)[x]);
        g_assert_cmpfloat (sum / (ref->width * ref->height * 3.0), <, 2.0);
      }
    }
}

static void
test_still_images (void)
{
  const char *names[] = { "single_man_000125.jpg", "profile_cameraman.png", "noface_coffee.png" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = lk_test_data_path ("images", names[i]);
      g_autoptr(LkVideoReader) r = open_or_die (path);
      g_autoptr(LkVideoFrame) f = NULL;
      g_autoptr(LkVideoFrame) end = NULL;
      g_autoptr(LkImage) image = NULL;
      g_autoptr(GError) error = NULL;
      const LkVideoInfo *info = lk_video_reader_get_info (r);

      g_assert_true (info->is_still_image);
      g_assert_cmpint (info->n_frames, ==, 1);
      g_assert_false (info->has_audio);
      g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (f);
      g_assert_cmpint (f->pts, ==, 0);
      g_assert_cmpint (f->index, ==, 0);
      g_assert_cmpint (f->image->width, ==, info->width);
      g_assert_cmpint (f->image->height, ==, info->height);
      image = lk_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_true (lk_test_images_equal (image, f->image));

      g_assert_true (lk_video_reader_read (r, &end, NULL, &error));
      g_assert_no_error (error);
      g_assert_null (end);

      /* Seeking back gives the picture again. */
      g_assert_true (lk_video_reader_seek (r, 0, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (lk_video_reader_read (r, &end, NULL, &error));
      g_assert_nonnull (end);
      g_assert_true (lk_test_images_equal (image, end->image));
    }
}

static void
assert_open_fails (const char *path,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (path, NULL, &error);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_null (r);
  g_assert_error (error, LK_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, base));
}

static void
test_bad_input (void)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.mp4", NULL);
  g_autofree char *empty = g_build_filename (tmp_dir, "empty.mp4", NULL);
  g_autofree char *text = g_build_filename (tmp_dir, "readme.txt", NULL);
  g_autofree char *text_mp4 = g_build_filename (tmp_dir, "fake.mp4", NULL);
  g_autofree char *half = g_build_filename (tmp_dir, "half.mp4", NULL);

  g_file_set_contents (empty, "", 0, NULL);
  g_file_set_contents (text, "Just some text.\nNot a video.\n", -1, NULL);
  g_file_set_contents (text_mp4, "Just some text.\nNot a video.\n", -1, NULL);
  /* person_a.mp4 has its index (moov) at the end: its first half cannot
   * be opened. */
  lk_test_truncate_copy (src, half, 0.5);

  assert_open_fails (missing, LK_ERROR_NOT_FOUND);
  assert_open_fails (empty, LK_ERROR_INVALID_INPUT);
  assert_open_fails (text, LK_ERROR_INVALID_INPUT);
  assert_open_fails (text_mp4, LK_ERROR_INVALID_INPUT);
  assert_open_fails (tmp_dir, LK_ERROR_INVALID_INPUT);
  assert_open_fails (half, LK_ERROR_CORRUPT);
}

/* With the index at the front, the first half opens; the frames that are
 * there are read, then the cut is reported. */
static void
test_truncated_tail (void)
{
  g_autofree char *src = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *fast = g_build_filename (tmp_dir, "faststart.mp4", NULL);
  g_autofree char *half = g_build_filename (tmp_dir, "faststart-half.mp4", NULL);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-i", src, "-c", "copy", "-movflags",
                         "+faststart", fast, NULL };
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(GError) error = NULL;
  int n = 0;

  if (!lk_test_have_program ("ffmpeg"))
    {
      g_test_skip ("no ffmpeg command");
      return;
    }
  g_free (lk_test_run (argv));
  lk_test_truncate_copy (fast, half, 0.5);

  r = open_or_die (half);
  g_assert_cmpint (lk_video_reader_get_info (r)->n_frames, ==, 199);
  for (;;)
    {
      g_autoptr(LkVideoFrame) f = NULL;

      if (!lk_video_reader_read (r, &f, NULL, &error))
        break;
      g_assert_nonnull (f);
      n++;
    }
  g_test_message ("%d frames, then: %s", n, error->message);
  g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "faststart-half.mp4"));
  g_assert_cmpint (n, >, 30);
  g_assert_cmpint (n, <, 199);

  /* Seeking into the missing part does not crash either. */
  g_clear_error (&error);
  if (lk_video_reader_seek_seconds (r, 6.0, NULL, &error))
    {
      g_autoptr(LkVideoFrame) f = NULL;

      lk_video_reader_read (r, &f, NULL, NULL);
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();
  tmp_dir = lk_test_mkdtemp ();

  g_test_add_func ("/engine/video/reader/info", test_info_person_a);
  g_test_add_func ("/engine/video/reader/decode", test_decode_person_a);
  g_test_add_func ("/engine/video/reader/vfr-timestamps", test_vfr_person_b);
  g_test_add_func ("/engine/video/reader/seek", test_seek_person_a);
  g_test_add_func ("/engine/video/reader/seek-vfr", test_seek_vfr);
  g_test_add_func ("/engine/video/reader/neighbours-vfr", test_neighbours_vfr);
  g_test_add_func ("/engine/video/reader/neighbours-cfr", test_neighbours_cfr);
  g_test_add_func ("/engine/video/reader/neighbours-still", test_neighbours_still);
  g_test_add_func ("/engine/video/reader/max-size", test_max_size);
  g_test_add_func ("/engine/video/reader/cancel", test_cancel);
  g_test_add_func ("/engine/video/reader/rotation", test_rotation);
  g_test_add_func ("/engine/video/reader/still-images", test_still_images);
  g_test_add_func ("/engine/video/reader/bad-input", test_bad_input);
  g_test_add_func ("/engine/video/reader/truncated-tail", test_truncated_tail);

  ret = g_test_run ();
  lk_test_rmdir (tmp_dir);
  g_free (tmp_dir);
  return ret;
}
