/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "lk-warp.h"

static LkImage *
make_pattern (int w, int h, int channels)
{
  LkImage *image = lk_image_new (w, h, channels);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      for (int c = 0; c < channels; c++)
        lk_image_pixel (image, x, y)[c] = (guint8) ((x * 7 + y * 13 + c * 50) & 0xff);
  return image;
}

static void
test_affine_algebra (void)
{
  LkAffine a = { { 1.5, -0.3, 12, 0.4, 0.9, -7 } }, inv, id;
  double x, y;

  g_assert_true (lk_affine_invert (&a, &inv));
  lk_affine_multiply (&inv, &a, &id);
  g_assert_cmpfloat_with_epsilon (id.m[0], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (id.m[1], 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (id.m[2], 0, 1e-12);
  g_assert_cmpfloat_with_epsilon (id.m[4], 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (id.m[5], 0, 1e-12);
  lk_affine_apply (&a, 2, 3, &x, &y);
  g_assert_cmpfloat_with_epsilon (x, 1.5 * 2 - 0.3 * 3 + 12, 1e-12);
  g_assert_cmpfloat_with_epsilon (y, 0.4 * 2 + 0.9 * 3 - 7, 1e-12);

  LkAffine singular = { { 1, 2, 0, 2, 4, 0 } };
  g_assert_false (lk_affine_invert (&singular, &inv));
}

static void
test_identity_and_shift (void)
{
  for (int channels = 1; channels <= 4; channels++)
    {
      g_autoptr(LkImage) src = NULL;
      g_autoptr(LkImage) dst = NULL;
      LkAffine id, shift = { { 1, 0, 3, 0, 1, -2 } };

      if (channels == 2)
        continue;
      src = make_pattern (37, 23, channels);
      dst = lk_image_new (37, 23, channels);
      lk_affine_identity (&id);
      g_assert_true (lk_warp_affine (src, dst, &id, LK_WARP_BORDER_CONSTANT, 0));
      for (int y = 0; y < 23; y++)
        g_assert_cmpmem (lk_image_row (src, y), 37 * channels, lk_image_row (dst, y), 37 * channels);

      /* src (x, y) -> dst (x + 3, y - 2) */
      g_assert_true (lk_warp_affine (src, dst, &shift, LK_WARP_BORDER_CONSTANT, 9));
      for (int y = 0; y < 23; y++)
        for (int x = 0; x < 37; x++)
          for (int c = 0; c < channels; c++)
            {
              int sx = x - 3, sy = y + 2;
              int expected = (sx >= 0 && sy < 23) ? lk_image_pixel (src, sx, sy)[c] : 9;

              g_assert_cmpint (lk_image_pixel (dst, x, y)[c], ==, expected);
            }

      /* replicate repeats the edge */
      g_assert_true (lk_warp_affine (src, dst, &shift, LK_WARP_BORDER_REPLICATE, 0));
      g_assert_cmpint (lk_image_pixel (dst, 0, 22)[0], ==, lk_image_pixel (src, 0, 22)[0]);
      g_assert_cmpint (lk_image_pixel (dst, 1, 0)[0], ==, lk_image_pixel (src, 0, 2)[0]);
    }
}

static void
test_bilinear (void)
{
  /* A horizontal ramp scaled 2x: samples halfway between pixels are the mean. */
  g_autoptr(LkImage) src = lk_image_new (16, 4, 1);
  g_autoptr(LkImage) dst = lk_image_new (30, 4, 1);
  LkAffine scale = { { 2, 0, 0, 0, 1, 0 } };

  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 16; x++)
      lk_image_pixel (src, x, y)[0] = (guint8) (x * 10);
  g_assert_true (lk_warp_affine (src, dst, &scale, LK_WARP_BORDER_REPLICATE, 0));
  for (int x = 0; x < 30; x++)
    g_assert_cmpint (abs (lk_image_pixel (dst, x, 1)[0] - x * 5), <=, 1);

  /* a rotation by 90 degrees about a pixel centre maps pixels exactly */
  g_autoptr(LkImage) pattern = make_pattern (9, 9, 3);
  g_autoptr(LkImage) rotated = lk_image_new (9, 9, 3);
  LkAffine rot = { { 0, -1, 8, 1, 0, 0 } }; /* (x, y) -> (8 - y, x) */
  g_assert_true (lk_warp_affine (pattern, rotated, &rot, LK_WARP_BORDER_CONSTANT, 0));
  for (int y = 0; y < 9; y++)
    for (int x = 0; x < 9; x++)
      g_assert_cmpmem (lk_image_pixel (rotated, 8 - y, x), 3, lk_image_pixel (pattern, x, y), 3);

  LkAffine singular = { { 0, 0, 0, 0, 0, 0 } };
  g_assert_false (lk_warp_affine (pattern, rotated, &singular, LK_WARP_BORDER_CONSTANT, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/core/warp/affine-algebra", test_affine_algebra);
  g_test_add_func ("/engine/core/warp/identity-and-shift", test_identity_and_shift);
  g_test_add_func ("/engine/core/warp/bilinear", test_bilinear);

  return g_test_run ();
}
