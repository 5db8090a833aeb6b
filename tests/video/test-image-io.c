/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-image-io.h"
#include "lk-video-reader.h"
#include "lk-video-test-util.h"

typedef struct
{
  const char *name;
  int         width;
  int         height;
} ImageSize;

/* Sizes from testdata/README.md. */
static const ImageSize test_images[] = {
  { "single_man_000007.jpg", 334, 500 },
  { "single_man_000125.jpg", 245, 327 },
  { "single_man_vd070.png", 580, 630 },
  { "single_woman_015259.jpg", 500, 491 },
  { "single_man_tom_cruise.jpg", 565, 800 },
  { "single_woman_astronaut.png", 512, 512 },
  { "multi_group_t1.jpg", 1280, 886 },
  { "multi_three_2008_001322.jpg", 500, 375 },
  { "multi_group_2008_007676.jpg", 500, 334 },
  { "noface_fruits.jpg", 512, 480 },
  { "noface_coffee.png", 600, 400 },
  { "noface_cat_chelsea.png", 451, 300 },
  { "profile_cameraman.png", 512, 512 },
  { "small_face_messi5.jpg", 548, 342 },
  { "blurred_man_000007.jpg", 334, 500 },
  { "small_face_canvas_000007.jpg", 640, 480 },
};

static double
image_mean (const LkImage *image)
{
  double sum = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width * image->channels; x++)
      sum += lk_image_row (image, y)[x];
  return sum / ((double) image->width * image->height * image->channels);
}

static void
test_load_all (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (test_images); i++)
    {
      g_autofree char *path = lk_test_data_path ("images", test_images[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(LkImage) image = lk_image_load (path, &error);
      double mean;

      g_assert_no_error (error);
      g_assert_nonnull (image);
      g_assert_cmpint (image->width, ==, test_images[i].width);
      g_assert_cmpint (image->height, ==, test_images[i].height);
      g_assert_cmpint (image->channels, ==, 3);
      /* Real photos: not black, not white. */
      mean = image_mean (image);
      g_assert_cmpfloat (mean, >, 20);
      g_assert_cmpfloat (mean, <, 235);
    }
}

/* The decoded JPEG agrees with the ffmpeg command line's RGB output. */
static void
test_load_matches_ffmpeg (void)
{
  g_autofree char *path = lk_test_data_path ("images", "single_man_000125.jpg");
  g_autofree char *dir = lk_test_mkdtemp ();
  g_autofree char *png = g_build_filename (dir, "ref.png", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = NULL;
  g_autoptr(LkImage) ref = NULL;
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-i", path, "-pix_fmt", "rgb24",
                         png, NULL };

  if (!lk_test_have_program ("ffmpeg"))
    {
      g_test_skip ("no ffmpeg command");
      return;
    }
  g_free (lk_test_run (argv));

  image = lk_image_load (path, &error);
  g_assert_no_error (error);
  ref = lk_image_load (png, &error);
  g_assert_no_error (error);
  g_assert_true (lk_image_same_size (image, ref));
  /* Different chroma upsampling may differ a little, never a lot. */
  g_assert_cmpint (lk_test_images_max_diff (image, ref), <=, 40);
  g_assert_cmpfloat (fabs (image_mean (image) - image_mean (ref)), <, 1.0);

  lk_test_rmdir (dir);
}

static void
test_load_grey (void)
{
  g_autofree char *path = lk_test_data_path ("images", "profile_cameraman.png");
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = lk_image_load (path, &error);
  gboolean varied = FALSE;

  g_assert_no_error (error);
  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        const guint8 *p = lk_image_pixel (image, x, y);

        g_assert_cmpint (p[0], ==, p[1]);
        g_assert_cmpint (p[1], ==, p[2]);
        if (p[0] < 10 || p[0] > 245)
          varied = TRUE;
      }
  /* Full range kept: the photo has near-black and near-white pixels. */
  g_assert_true (varied);
}

static LkImage *
make_pattern (int w,
              int h,
              int channels)
{
  LkImage *image = lk_image_new (w, h, channels);
  guint32 state = 12345;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * channels; x++)
      {
        state = state * 1103515245 + 12345;
        lk_image_row (image, y)[x] = (guint8) (state >> 16);
      }
  return image;
}

static void
test_png_round_trip (void)
{
  g_autofree char *dir = lk_test_mkdtemp ();
  const int channels[] = { 1, 3, 4 };

  for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/rt-%d.png", dir, channels[i]);
      g_autoptr(LkImage) image = make_pattern (37, 23, channels[i]);
      g_autoptr(LkImage) back = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (lk_image_save_png (image, path, &error));
      g_assert_no_error (error);
      back = lk_image_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpint (back->width, ==, 37);
      g_assert_cmpint (back->height, ==, 23);
      g_assert_cmpint (back->channels, ==, 3);
      for (int y = 0; y < 23; y++)
        for (int x = 0; x < 37; x++)
          {
            const guint8 *s = lk_image_pixel (image, x, y);
            const guint8 *d = lk_image_pixel (back, x, y);

            for (int c = 0; c < 3; c++)
              g_assert_cmpint (d[c], ==, s[channels[i] == 1 ? 0 : c]);
          }

      /* Saving over an existing file replaces it. */
      g_assert_true (lk_image_save_png (image, path, &error));
      g_assert_no_error (error);
    }

  /* No temporary files are left behind. */
  {
    GDir *d = g_dir_open (dir, 0, NULL);
    const char *name;
    int n = 0;

    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_assert_true (g_str_has_suffix (name, ".png"));
        n++;
      }
    g_dir_close (d);
    g_assert_cmpint (n, ==, 3);
  }

  lk_test_rmdir (dir);
}

static void
test_png_save_error (void)
{
  g_autoptr(LkImage) image = make_pattern (8, 8, 3);
  g_autoptr(GError) error = NULL;

  g_assert_false (lk_image_save_png (image, "/nonexistent-folder/x.png", &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nonexistent-folder"));
}

/* RGBA and 16-bit PNGs made by ffmpeg from an 8-bit RGB one load as the same
 * RGB pixels. */
static void
test_load_png_variants (void)
{
  g_autofree char *src = lk_test_data_path ("images", "noface_coffee.png");
  g_autofree char *dir = lk_test_mkdtemp ();
  g_autoptr(LkImage) ref = NULL;
  g_autoptr(GError) error = NULL;
  const char *fmts[] = { "rgba", "rgb48be", "rgba64be", "gray16be", "pal8" };

  if (!lk_test_have_program ("ffmpeg"))
    {
      g_test_skip ("no ffmpeg command");
      return;
    }

  ref = lk_image_load (src, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (fmts); i++)
    {
      g_autofree char *out = g_strdup_printf ("%s/%s.png", dir, fmts[i]);
      const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-i", src, "-pix_fmt", fmts[i],
                             out, NULL };
      g_autoptr(LkImage) image = NULL;

      g_free (lk_test_run (argv));
      image = lk_image_load (out, &error);
      g_assert_no_error (error);
      g_assert_true (lk_image_same_size (image, ref));
      if (g_str_equal (fmts[i], "rgba") || g_str_equal (fmts[i], "rgb48be")
          || g_str_equal (fmts[i], "rgba64be"))
        g_assert_cmpint (lk_test_images_max_diff (image, ref), <=, 1);
      else
        g_assert_cmpfloat (fabs (image_mean (image) - image_mean (ref)), <, 12);
    }

  lk_test_rmdir (dir);
}

/* Writes a copy of @src with an EXIF APP1 segment holding @orientation. */
static void
write_jpeg_with_orientation (const char *src,
                             const char *dst,
                             int         orientation)
{
  static const guint8 head[] = {
    0xff, 0xe1, 0x00, 0x22,                      /* APP1, 34 bytes */
    'E', 'x', 'i', 'f', 0, 0,
    'M', 'M', 0x00, 0x2a, 0, 0, 0, 8,            /* TIFF, big endian, IFD at 8 */
    0x00, 0x01,                                  /* one entry */
    0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1,          /* Orientation, SHORT, 1 */
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  GByteArray *out = g_byte_array_new ();
  guint8 value[] = { 0, (guint8) orientation, 0, 0, 0, 0, 0, 0 }; /* value, next IFD 0 */
  gsize len;

  g_file_get_contents (src, &data, &len, &error);
  g_assert_no_error (error);
  g_byte_array_append (out, (guint8 *) data, 2);
  g_byte_array_append (out, head, sizeof head);
  g_byte_array_append (out, value, sizeof value);
  g_byte_array_append (out, (guint8 *) data + 2, len - 2);
  g_file_set_contents (dst, (char *) out->data, out->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (out);
}

static void
test_load_exif_orientation (void)
{
  g_autofree char *src = lk_test_data_path ("images", "single_man_000125.jpg");
  g_autofree char *dir = lk_test_mkdtemp ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) plain = lk_image_load (src, &error);

  g_assert_no_error (error);

  /* 6: shown turned 90 degrees clockwise; 3: 180; 8: 270 clockwise. */
  for (int o = 3; o <= 8; o += (o == 3 ? 3 : 2))
    {
      g_autofree char *path = g_strdup_printf ("%s/o%d.jpg", dir, o);
      g_autoptr(LkImage) image = NULL;
      int w = plain->width, h = plain->height;

      write_jpeg_with_orientation (src, path, o);
      image = lk_image_load (path, &error);
      g_assert_no_error (error);
      if (o == 3)
        {
          g_assert_cmpint (image->width, ==, w);
          g_assert_cmpint (image->height, ==, h);
        }
      else
        {
          g_assert_cmpint (image->width, ==, h);
          g_assert_cmpint (image->height, ==, w);
        }
      for (int y = 0; y < h; y += 7)
        for (int x = 0; x < w; x += 5)
          {
            int dx = x, dy = y;

            if (o == 3)
              dx = w - 1 - x, dy = h - 1 - y;
            else if (o == 6)
              dx = h - 1 - y, dy = x;
            else
              dx = y, dy = w - 1 - x;
            g_assert_cmpmem (lk_image_pixel (plain, x, y), 3, lk_image_pixel (image, dx, dy), 3);
          }
    }

  lk_test_rmdir (dir);
}

/* A video file gives its first frame, the same one the reader gives. */
static void
test_load_video_first_frame (void)
{
  g_autofree char *path = lk_test_data_path ("videos", "person_a.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = lk_image_load (path, &error);
  g_autoptr(LkVideoReader) r = NULL;
  g_autoptr(LkVideoFrame) f = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (image->width, ==, 700);
  g_assert_cmpint (image->height, ==, 700);
  r = lk_video_reader_open (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lk_video_reader_read (r, &f, NULL, &error));
  g_assert_true (lk_test_images_equal (image, f->image));
}

static void
assert_load_fails (const char *path,
                   int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = lk_image_load (path, &error);
  g_autofree char *base = g_path_get_basename (path);

  g_assert_null (image);
  /* -1: either corrupt or not recognised at all (a file cut in its header). */
  if (code == -1 && error != NULL && error->code == LK_ERROR_INVALID_INPUT)
    code = LK_ERROR_INVALID_INPUT;
  else if (code == -1)
    code = LK_ERROR_CORRUPT;
  g_assert_error (error, LK_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, base));
}

static void
test_load_errors (void)
{
  g_autofree char *dir = lk_test_mkdtemp ();
  g_autofree char *missing = g_build_filename (dir, "missing.png", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.jpg", NULL);
  g_autofree char *text = g_build_filename (dir, "notes.png", NULL);
  g_autofree char *trunc_jpg = g_build_filename (dir, "half.jpg", NULL);
  g_autofree char *trunc_png = g_build_filename (dir, "half.png", NULL);
  g_autofree char *jpg = lk_test_data_path ("images", "single_man_tom_cruise.jpg");
  g_autofree char *png = lk_test_data_path ("images", "noface_coffee.png");
  const double cuts[] = { 0.0005, 0.1, 0.5, 0.9, 0.995 };

  g_file_set_contents (empty, "", 0, NULL);
  g_file_set_contents (text, "These are notes, not a picture.\nSecond line.\n", -1, NULL);

  assert_load_fails (missing, LK_ERROR_NOT_FOUND);
  assert_load_fails (empty, LK_ERROR_INVALID_INPUT);
  assert_load_fails (text, LK_ERROR_INVALID_INPUT);
  assert_load_fails (dir, LK_ERROR_INVALID_INPUT);
  /* Cut anywhere: in the headers, the middle, or just before the end. */
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      lk_test_truncate_copy (jpg, trunc_jpg, cuts[i]);
      lk_test_truncate_copy (png, trunc_png, cuts[i]);
      assert_load_fails (trunc_jpg, i == 0 ? -1 : LK_ERROR_CORRUPT);
      assert_load_fails (trunc_png, i == 0 ? -1 : LK_ERROR_CORRUPT);
    }

  lk_test_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();

  g_test_add_func ("/engine/video/image/load-all", test_load_all);
  g_test_add_func ("/engine/video/image/load-matches-ffmpeg", test_load_matches_ffmpeg);
  g_test_add_func ("/engine/video/image/load-grey", test_load_grey);
  g_test_add_func ("/engine/video/image/load-png-variants", test_load_png_variants);
  g_test_add_func ("/engine/video/image/load-exif-orientation", test_load_exif_orientation);
  g_test_add_func ("/engine/video/image/load-video-first-frame", test_load_video_first_frame);
  g_test_add_func ("/engine/video/image/load-errors", test_load_errors);
  g_test_add_func ("/engine/video/image/png-round-trip", test_png_round_trip);
  g_test_add_func ("/engine/video/image/png-save-error", test_png_save_error);

  return g_test_run ();
}
