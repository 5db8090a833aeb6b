/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FFmpeg's own messages about bad input reach GLib's log in the "lk-ffmpeg"
 * domain as information, never as warnings (the studio's log checks fail
 * on any warning). */
#include "config.h"

#include <string.h>

#include "lk-image-io.h"
#include "lk-video-reader.h"
#include "lk-video-test-util.h"

static guint n_ffmpeg;
static guint n_warnings;

static GLogWriterOutput
writer (GLogLevelFlags   level,
        const GLogField *fields,
        gsize            n_fields,
        gpointer         user_data)
{
  const char *domain = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
      domain = fields[i].value;

  if (g_strcmp0 (domain, "lk-ffmpeg") == 0)
    n_ffmpeg++;
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    n_warnings++;
  return G_LOG_WRITER_HANDLED;
}

static void
test_bad_input_logs_info (void)
{
  g_autofree char *dir = lk_test_mkdtemp ();
  g_autofree char *jpg = lk_test_data_path ("images", "single_man_tom_cruise.jpg");
  g_autofree char *mp4 = lk_test_data_path ("videos", "person_a.mp4");
  g_autofree char *half_jpg = g_build_filename (dir, "half.jpg", NULL);
  g_autofree char *half_mp4 = g_build_filename (dir, "half.mp4", NULL);
  g_autoptr(GError) error = NULL;
  LkImage *image;
  LkVideoReader *r;

  lk_test_truncate_copy (jpg, half_jpg, 0.5);
  lk_test_truncate_copy (mp4, half_mp4, 0.5);

  image = lk_image_load (half_jpg, &error);
  g_assert_null (image);
  g_assert_nonnull (error);
  g_clear_error (&error);
  r = lk_video_reader_open (half_mp4, NULL, &error);
  g_assert_null (r);
  g_assert_nonnull (error);

  /* The decoder and the demuxer complained, through our bridge... */
  g_assert_cmpuint (n_ffmpeg, >, 0);
  /* ...and nothing was a warning. */
  g_assert_cmpuint (n_warnings, ==, 0);

  lk_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_log_set_writer_func (writer, NULL, NULL);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/video/ffmpeg-log/bad-input-is-info", test_bad_input_logs_info);

  return g_test_run ();
}
