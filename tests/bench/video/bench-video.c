/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-video: figures for engine/video. Prints, never fails on time.
 *
 *   decode frames/s (RGB out) of person_a.mp4 (700x700) and of a 1280x720
 *   upscale made here with the ffmpeg command; seeks/s; encode frames/s at
 *   720p (libx264 medium and veryfast); PNG save and load of 256x256 crops.
 *
 * Needs LK_TESTDATA_DIR (set by meson's test environment, or by hand).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>

#include "lk-image-io.h"
#include "lk-video-reader.h"
#include "lk-video-writer.h"

static double
now (void)
{
  return g_get_monotonic_time () / 1e6;
}

static void
die_on_error (GError *error)
{
  if (error != NULL)
    {
      g_printerr ("bench-video: %s\n", error->message);
      exit (1);
    }
}

/* Decodes the whole file; returns frames/s and the frame count. */
static double
bench_decode (const char *path,
              int         max_size,
              int        *n_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (path, NULL, &error);
  double t0;
  int n = 0;

  die_on_error (error);
  lk_video_reader_set_max_size (r, max_size, max_size);
  t0 = now ();
  for (;;)
    {
      g_autoptr(LkVideoFrame) f = NULL;

      lk_video_reader_read (r, &f, NULL, &error);
      die_on_error (error);
      if (f == NULL)
        break;
      n++;
    }
  *n_out = n;
  return n / (now () - t0);
}

/* Scrubbing forward in steps of @step seconds through the whole clip. */
static double
bench_scrub (const char *path,
             double      step)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (path, NULL, &error);
  double t0, d;
  int n = 0;

  die_on_error (error);
  d = lk_video_reader_get_info (r)->duration;
  lk_video_reader_seek (r, 0, NULL, &error);
  die_on_error (error);
  t0 = now ();
  for (double t = 0; t < d; t += step, n++)
    {
      g_autoptr(LkVideoFrame) f = NULL;

      lk_video_reader_seek_seconds (r, t, NULL, &error);
      die_on_error (error);
      lk_video_reader_read (r, &f, NULL, &error);
      die_on_error (error);
    }
  return n / (now () - t0);
}

static double
bench_seek (const char *path,
            int         n_seeks)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (path, NULL, &error);
  const LkVideoInfo *info;
  GRand *rand = g_rand_new_with_seed (7);
  double t0;

  die_on_error (error);
  info = lk_video_reader_get_info (r);
  /* The first seek reads the packet index: not counted. */
  lk_video_reader_seek (r, 0, NULL, &error);
  die_on_error (error);
  t0 = now ();
  for (int i = 0; i < n_seeks; i++)
    {
      g_autoptr(LkVideoFrame) f = NULL;

      lk_video_reader_seek_seconds (r, g_rand_double_range (rand, 0, info->duration), NULL,
                                    &error);
      die_on_error (error);
      lk_video_reader_read (r, &f, NULL, &error);
      die_on_error (error);
    }
  g_rand_free (rand);
  return n_seeks / (now () - t0);
}

static double
bench_encode (const char *src,
              const char *out,
              const char *encoder,
              const char *preset,
              int         n_frames)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) r = lk_video_reader_open (src, NULL, &error);
  g_autoptr(LkVideoWriter) w = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_video_frame_free);
  LkVideoWriterParams p = lk_video_writer_params_default ();
  const LkVideoInfo *info;
  double t0, t;

  die_on_error (error);
  info = lk_video_reader_get_info (r);
  while ((int) frames->len < n_frames)
    {
      LkVideoFrame *f = NULL;

      lk_video_reader_read (r, &f, NULL, &error);
      die_on_error (error);
      if (f == NULL)
        break;
      g_ptr_array_add (frames, f);
    }

  p.width = info->width;
  p.height = info->height;
  p.time_base_num = info->time_base_num;
  p.time_base_den = info->time_base_den;
  p.frame_rate = info->nominal_frame_rate;
  p.encoder = encoder;
  p.preset = preset;
  p.crf = 20;

  t0 = now ();
  w = lk_video_writer_new (out, &p, &error);
  die_on_error (error);
  for (guint i = 0; i < frames->len; i++)
    {
      LkVideoFrame *f = g_ptr_array_index (frames, i);

      lk_video_writer_write (w, f->image, f->pts, NULL, &error);
      die_on_error (error);
    }
  lk_video_writer_finish (w, NULL, &error);
  die_on_error (error);
  t = now () - t0;
  g_unlink (out);
  return frames->len / t;
}

static void
bench_png (const char *dir,
           const char *face_src)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) src = lk_image_load (face_src, &error);
  g_autoptr(LkImage) crop = lk_image_new (256, 256, 3);
  g_autofree char *path = g_build_filename (dir, "crop.png", NULL);
  const int n = 300;
  double t0, save_rate, load_rate;
  GStatBuf st;

  die_on_error (error);
  /* A real 256x256 patch (PNG size depends on content). */
  for (int y = 0; y < 256; y++)
    memcpy (lk_image_row (crop, y), lk_image_pixel (src, 40, 60 + y), 256 * 3);

  t0 = now ();
  for (int i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/crop-%03d.png", dir, i);

      lk_image_save_png (crop, p, &error);
      die_on_error (error);
    }
  save_rate = n / (now () - t0);
  t0 = now ();
  for (int i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/crop-%03d.png", dir, i);
      g_autoptr(LkImage) img = lk_image_load (p, &error);

      die_on_error (error);
    }
  load_rate = n / (now () - t0);
  lk_image_save_png (crop, path, &error);
  g_stat (path, &st);
  g_print ("png 256x256 save: %.0f images/s (%.0f KB each)\n", save_rate, st.st_size / 1024.0);
  g_print ("png 256x256 load: %.0f images/s\n", load_rate);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *p = g_strdup_printf ("%s/crop-%03d.png", dir, i);

      g_unlink (p);
    }
  g_unlink (path);
}

int
main (int   argc,
      char *argv[])
{
  const char *data = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *person_a = NULL;
  g_autofree char *image = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *up720 = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) encoders = NULL;
  int n, status = 0;

  if (data == NULL)
    {
      g_printerr ("bench-video: set LK_TESTDATA_DIR\n");
      return 77;
    }
  person_a = g_build_filename (data, "videos", "person_a.mp4", NULL);
  image = g_build_filename (data, "images", "single_woman_astronaut.png", NULL);
  dir = g_dir_make_tmp ("lk-bench-video-XXXXXX", &error);
  die_on_error (error);
  up720 = g_build_filename (dir, "person_a_720p.mp4", NULL);
  out = g_build_filename (dir, "out.mp4", NULL);

  g_print ("bench-video: %u threads available\n", g_get_num_processors ());

  {
    double fps = bench_decode (person_a, 0, &n);

    g_print ("decode person_a.mp4 700x700 -> RGB: %.1f frames/s (%d frames)\n", fps, n);
    fps = bench_decode (person_a, 256, &n);
    g_print ("decode person_a.mp4 -> RGB 256x256: %.1f frames/s\n", fps);
  }

  {
    const char *argv_up[] = { "ffmpeg", "-v", "error", "-y", "-i", person_a,
                              "-vf", "scale=1280:720,setsar=1", "-c:v", "libx264", "-preset",
                              "veryfast", "-crf", "18", "-an", up720, NULL };

    g_spawn_sync (NULL, (char **) argv_up, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                  &status, &error);
    die_on_error (error);
    if (!g_spawn_check_wait_status (status, NULL))
      {
        g_printerr ("bench-video: ffmpeg could not make the 720p clip\n");
        return 1;
      }
  }

  {
    double fps = bench_decode (up720, 0, &n);

    g_print ("decode 1280x720 H.264 -> RGB: %.1f frames/s (%d frames)\n", fps, n);
  }

  g_print ("seek + read (person_a.mp4, random times): %.1f seeks/s\n", bench_seek (person_a, 40));
  g_print ("seek + read (1280x720): %.1f seeks/s\n", bench_seek (up720, 40));
  g_print ("scrub forward 0.1 s steps (person_a.mp4): %.1f seeks/s\n",
           bench_scrub (person_a, 0.1));

  encoders = lk_video_writer_list_encoders ();
  g_print ("encode 1280x720 libx264 medium crf 20: %.1f frames/s\n",
           bench_encode (up720, out, "libx264", "medium", 90));
  g_print ("encode 1280x720 libx264 veryfast crf 20: %.1f frames/s\n",
           bench_encode (up720, out, "libx264", "veryfast", 90));
  if (g_strv_contains ((const char * const *) encoders, "libx265"))
    g_print ("encode 1280x720 libx265 ultrafast crf 20: %.1f frames/s\n",
             bench_encode (up720, out, "libx265", "ultrafast", 30));
  if (g_strv_contains ((const char * const *) encoders, "libvpx-vp9"))
    {
      g_autofree char *webm = g_build_filename (dir, "out.webm", NULL);

      g_print ("encode 1280x720 libvpx-vp9 (cpu-used 6) crf 20: %.1f frames/s\n",
               bench_encode (up720, webm, "libvpx-vp9", "veryfast", 30));
    }

  bench_png (dir, image);

  g_unlink (up720);
  g_rmdir (dir);
  return 0;
}
