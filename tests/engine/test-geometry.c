/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lk-geometry.h"

static double
cross (LkPoint o,
       LkPoint a,
       LkPoint b)
{
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static gsize
count_value (const LkImage *mask,
             guint8         value)
{
  gsize n = 0;

  for (int y = 0; y < mask->height; y++)
    for (int x = 0; x < mask->width; x++)
      n += *lk_image_pixel (mask, x, y) == value;
  return n;
}

/* ---- hull ---- */

static void
test_hull_square (void)
{
  /* A square's corners with points on its edges, inside it, and repeated. */
  const LkPoint pts[] = {
    { 4, 4 }, { 0, 0 }, { 2, 0 }, { 4, 0 }, { 0, 4 }, { 2, 2 }, { 4, 2 }, { 0, 0 },
    { 1, 3 }, { 4, 4 }, { 0, 2 }, { 2, 4 }, { 3, 1 }, { 4, 0 },
  };
  const LkPoint expected[] = { { 0, 0 }, { 4, 0 }, { 4, 4 }, { 0, 4 } };
  LkPoint hull[G_N_ELEMENTS (pts) + 1];
  int n = lk_convex_hull (pts, G_N_ELEMENTS (pts), hull);

  /* Starts at the smallest (x, y), turns with positive cross products,
   * keeps only the corners. */
  g_assert_cmpint (n, ==, 4);
  for (int i = 0; i < n; i++)
    {
      g_assert_cmpfloat (hull[i].x, ==, expected[i].x);
      g_assert_cmpfloat (hull[i].y, ==, expected[i].y);
      g_assert_cmpfloat (cross (hull[i], hull[(i + 1) % n], hull[(i + 2) % n]), >, 0);
    }
}

static void
test_hull_degenerate (void)
{
  const LkPoint line[] = { { 3, 3 }, { 1, 1 }, { 2, 2 }, { 0, 0 }, { 2, 2 } };
  const LkPoint same[] = { { 5, 7 }, { 5, 7 }, { 5, 7 } };
  const LkPoint one[] = { { 1.5, -2 } };
  LkPoint hull[8];
  int n;

  g_assert_cmpint (lk_convex_hull (NULL, 0, hull), ==, 0);

  n = lk_convex_hull (one, 1, hull);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpfloat (hull[0].x, ==, 1.5);

  n = lk_convex_hull (same, G_N_ELEMENTS (same), hull);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpfloat (hull[0].x, ==, 5);
  g_assert_cmpfloat (hull[0].y, ==, 7);

  /* Collinear: the two ends. */
  n = lk_convex_hull (line, G_N_ELEMENTS (line), hull);
  g_assert_cmpint (n, ==, 2);
  g_assert_cmpfloat (hull[0].x, ==, 0);
  g_assert_cmpfloat (hull[1].x, ==, 3);
}

static void
test_hull_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int round = 0; round < 200; round++)
    {
      LkPoint pts[68], hull[69];
      int n = g_rand_int_range (rand, 3, 68), k;

      for (int i = 0; i < n; i++)
        {
          /* A coarse grid, so that collinear points and duplicates occur. */
          pts[i].x = g_rand_int_range (rand, 0, 12);
          pts[i].y = g_rand_int_range (rand, 0, 12);
        }
      k = lk_convex_hull (pts, n, hull);
      g_assert_cmpint (k, >=, 1);
      g_assert_cmpint (k, <=, n);
      if (k < 3)
        continue;
      /* Strictly convex, and every point inside or on it. */
      for (int i = 0; i < k; i++)
        {
          g_assert_cmpfloat (cross (hull[i], hull[(i + 1) % k], hull[(i + 2) % k]), >, 0);
          for (int j = 0; j < n; j++)
            g_assert_cmpfloat (cross (hull[i], hull[(i + 1) % k], pts[j]), >=, 0);
        }
    }
}

/* ---- fill ---- */

static void
test_fill_square (void)
{
  g_autoptr(LkImage) mask = lk_image_new (16, 16, 1);
  const LkPoint square[] = { { 2, 2 }, { 10, 2 }, { 10, 6 }, { 2, 6 } };
  int x0[16], x1[16];

  /* Even-odd: top and left edges in, bottom and right ones out. */
  lk_image_fill (mask, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, square, 4, LK_POLYGON_EVEN_ODD, 255), ==, 8 * 4);
  g_assert_cmpuint (count_value (mask, 255), ==, 8 * 4);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      g_assert_cmpuint (*lk_image_pixel (mask, x, y), ==,
                        x >= 2 && x <= 9 && y >= 2 && y <= 5 ? 255 : 0);

  /* Closed: the outline too. */
  lk_image_fill (mask, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, square, 4, LK_POLYGON_CONVEX_CLOSED, 1), ==, 9 * 5);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      g_assert_cmpuint (*lk_image_pixel (mask, x, y), ==,
                        x >= 2 && x <= 10 && y >= 2 && y <= 6 ? 1 : 0);

  /* Row spans say the same. */
  g_assert_cmpuint (lk_polygon_row_spans (square, 4, LK_POLYGON_CONVEX_CLOSED, 16, 16, x0, x1),
                    ==, 9 * 5);
  g_assert_cmpint (x0[2], ==, 2);
  g_assert_cmpint (x1[2], ==, 10);
  g_assert_cmpint (x0[7], >, x1[7]);
  g_assert_cmpuint (lk_polygon_row_spans (square, 4, LK_POLYGON_EVEN_ODD, 16, 16, x0, x1),
                    ==, 8 * 4);
  g_assert_cmpint (x1[2], ==, 9);
  g_assert_cmpint (x0[6], >, x1[6]);

  /* Clamped to the image. */
  {
    const LkPoint big[] = { { -5, -5 }, { 40, -5 }, { 40, 40 }, { -5, 40 } };

    lk_image_fill (mask, 0);
    g_assert_cmpuint (lk_polygon_fill (mask, big, 4, LK_POLYGON_EVEN_ODD, 7), ==, 16 * 16);
    g_assert_cmpuint (lk_polygon_fill (mask, big, 4, LK_POLYGON_CONVEX_CLOSED, 7), ==, 16 * 16);
  }
}

static void
test_fill_area (void)
{
  g_autoptr(LkImage) mask = lk_image_new (100, 100, 1);
  LkPoint circle[64], left[4], right[4];
  double area = 0;
  gsize n;

  /* A 64-gon: the pixel count is its area to within its rim. */
  for (int i = 0; i < 64; i++)
    {
      circle[i].x = 50.3 + 40 * cos (2 * G_PI * i / 64);
      circle[i].y = 49.8 + 40 * sin (2 * G_PI * i / 64);
    }
  for (int i = 0; i < 64; i++)
    area += circle[i].x * circle[(i + 1) % 64].y - circle[(i + 1) % 64].x * circle[i].y;
  area = fabs (area) / 2;
  lk_image_fill (mask, 0);
  n = lk_polygon_fill (mask, circle, 64, LK_POLYGON_EVEN_ODD, 255);
  g_assert_cmpuint (n, ==, count_value (mask, 255));
  g_assert_cmpfloat (fabs (n - area), <, 0.01 * area);

  /* Two quadrilaterals sharing an edge share no pixel. */
  left[0] = (LkPoint) { 10.2, 5.5 };
  left[1] = (LkPoint) { 50.7, 12.1 };
  left[2] = (LkPoint) { 47.3, 90.4 };
  left[3] = (LkPoint) { 8.9, 80.0 };
  right[0] = left[1];
  right[1] = (LkPoint) { 95.1, 20.6 };
  right[2] = (LkPoint) { 92.8, 70.2 };
  right[3] = left[2];
  lk_image_fill (mask, 0);
  lk_polygon_fill (mask, left, 4, LK_POLYGON_EVEN_ODD, 1);
  for (int y = 0; y < 100; y++)
    for (int x = 0; x < 100; x++)
      {
        guint8 *p = lk_image_pixel (mask, x, y);
        double lo, hi;

        /* Count each pixel's fills: 1 + 2 = 3 would be an overlap. */
        if (lk_polygon_span (right, 4, y, LK_POLYGON_EVEN_ODD, &lo, &hi) && x >= ceil (lo) &&
            x < ceil (hi))
          *p += 2;
        g_assert_cmpuint (*p, <=, 2);
      }
  {
    g_autoptr(LkImage) both = lk_image_new (100, 100, 1);

    lk_image_fill (both, 0);
    lk_polygon_fill (both, right, 4, LK_POLYGON_EVEN_ODD, 2);
    lk_polygon_fill (both, left, 4, LK_POLYGON_EVEN_ODD, 1);
    g_assert_cmpmem (both->data, both->stride * 100, mask->data, mask->stride * 100);
  }
}

static void
test_fill_degenerate (void)
{
  g_autoptr(LkImage) mask = lk_image_new (8, 8, 1);
  const LkPoint line[] = { { 1, 1 }, { 5, 5 }, { 3, 3 } };
  const LkPoint segment[] = { { 1, 2 }, { 5, 2 } };
  const LkPoint outside[] = { { -9, -9 }, { -2, -9 }, { -2, -2 } };
  double lo, hi;

  lk_image_fill (mask, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, NULL, 0, LK_POLYGON_EVEN_ODD, 1), ==, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, NULL, 0, LK_POLYGON_CONVEX_CLOSED, 1), ==, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, segment, 2, LK_POLYGON_EVEN_ODD, 1), ==, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, line, 3, LK_POLYGON_EVEN_ODD, 1), ==, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, outside, 3, LK_POLYGON_EVEN_ODD, 1), ==, 0);
  g_assert_cmpuint (lk_polygon_fill (mask, outside, 3, LK_POLYGON_CONVEX_CLOSED, 1), ==, 0);
  g_assert_cmpuint (count_value (mask, 0), ==, 64);

  /* A closed segment holds the centres on it. */
  g_assert_cmpuint (lk_polygon_fill (mask, segment, 2, LK_POLYGON_CONVEX_CLOSED, 1), ==, 5);
  g_assert_cmpuint (*lk_image_pixel (mask, 1, 2), ==, 1);
  g_assert_cmpuint (*lk_image_pixel (mask, 5, 2), ==, 1);

  g_assert_false (lk_polygon_span (segment, 2, 2.0, LK_POLYGON_EVEN_ODD, &lo, &hi));
  g_assert_true (lk_polygon_span (segment, 2, 2.0, LK_POLYGON_CONVEX_CLOSED, &lo, &hi));
  g_assert_cmpfloat (lo, ==, 1);
  g_assert_cmpfloat (hi, ==, 5);
}

static void
test_coverage (void)
{
  g_autoptr(LkImage) out = lk_image_new (4, 2, 1);
  float l[2 * 4], r[2 * 4];
  gint32 acc[2 * 5];

  /* Row 0: every sub-scanline spans [1.5, 3); row 1: half of them [0, 4). */
  for (int s = 0; s < 4; s++)
    {
      l[s] = 1.5f;
      r[s] = 3.0f;
      l[4 + s] = s < 2 ? 0.0f : G_MAXFLOAT;
      r[4 + s] = s < 2 ? 4.0f : -G_MAXFLOAT;
    }
  lk_spans_coverage (l, r, 4, out, acc);
  g_assert_cmpuint (*lk_image_pixel (out, 0, 0), ==, 0);
  g_assert_cmpuint (*lk_image_pixel (out, 1, 0), ==, 128);
  g_assert_cmpuint (*lk_image_pixel (out, 2, 0), ==, 255);
  g_assert_cmpuint (*lk_image_pixel (out, 3, 0), ==, 0);
  for (int x = 0; x < 4; x++)
    g_assert_cmpuint (*lk_image_pixel (out, x, 1), ==, 128);
}

/* ---- resampling ---- */

static void
test_resample_constant (void)
{
  const int sizes[][2] = { { 32, 32 }, { 16, 16 }, { 8, 8 }, { 24, 24 }, { 50, 50 }, { 7, 13 } };

  for (int channels = 1; channels <= 4; channels++)
    {
      g_autoptr(LkImage) src = NULL;

      if (channels == 2)
        continue;
      src = lk_image_new (32, 32, channels);
      lk_image_fill (src, 93);
      for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
        {
          g_autoptr(LkImage) out = lk_resample (src, sizes[i][0], sizes[i][1]);

          g_assert_cmpint (out->width, ==, sizes[i][0]);
          g_assert_cmpint (out->height, ==, sizes[i][1]);
          g_assert_cmpint (out->channels, ==, channels);
          for (int y = 0; y < out->height; y++)
            for (int x = 0; x < out->width * channels; x++)
              g_assert_cmpuint (lk_image_row (out, y)[x], ==, 93);
        }
    }
}

static void
test_resample_values (void)
{
  g_autoptr(LkImage) src = lk_image_new (4, 4, 1);
  g_autoptr(LkImage) same = NULL;
  g_autoptr(LkImage) half = NULL;
  g_autoptr(LkImage) wide = lk_image_new (6, 2, 3);
  g_autoptr(LkImage) third = NULL;

  for (int y = 0; y < 4; y++)
    for (int x = 0; x < 4; x++)
      *lk_image_pixel (src, x, y) = (guint8) (10 * (4 * y + x));

  /* Identity: exact. */
  same = lk_resample (src, 4, 4);
  for (int y = 0; y < 4; y++)
    g_assert_cmpmem (lk_image_row (same, y), 4, lk_image_row (src, y), 4);

  /* Halving: the mean of 2 x 2 blocks, rounded. */
  half = lk_resample (src, 2, 2);
  g_assert_cmpuint (*lk_image_pixel (half, 0, 0), ==, 25);   /* 0 10 40 50 */
  g_assert_cmpuint (*lk_image_pixel (half, 1, 0), ==, 45);   /* 20 30 60 70 */
  g_assert_cmpuint (*lk_image_pixel (half, 0, 1), ==, 105);  /* 80 90 120 130 */
  g_assert_cmpuint (*lk_image_pixel (half, 1, 1), ==, 125);

  /* A whole factor in both directions, per channel, with rounding up. */
  for (int y = 0; y < 2; y++)
    for (int x = 0; x < 6; x++)
      {
        guint8 *p = lk_image_pixel (wide, x, y);

        p[0] = (guint8) (x < 3 ? 1 : 200);
        p[1] = (guint8) (x == 0 && y == 0 ? 5 : 0);
        p[2] = 255;
      }
  /* 6 x 2 -> 3 x 1 is a factor 2 in x, 2 in y. */
  third = lk_resample (wide, 3, 1);
  g_assert_cmpuint (lk_image_pixel (third, 0, 0)[0], ==, 1);
  g_assert_cmpuint (lk_image_pixel (third, 0, 0)[1], ==, 1);  /* 5 / 4 = 1.25 */
  g_assert_cmpuint (lk_image_pixel (third, 0, 0)[2], ==, 255);
  g_assert_cmpuint (lk_image_pixel (third, 1, 0)[0], ==, 101); /* (1 + 1 + 200 + 200) / 4 = 100.5 */
  g_assert_cmpuint (lk_image_pixel (third, 2, 0)[0], ==, 200);

  /* Upscaling a ramp by 2 (bilinear): values between the neighbours. */
  {
    g_autoptr(LkImage) ramp = lk_image_new (4, 1, 1);
    g_autoptr(LkImage) up = NULL;

    for (int x = 0; x < 4; x++)
      *lk_image_pixel (ramp, x, 0) = (guint8) (40 * x);
    up = lk_resample (ramp, 8, 2);
    /* Output x = 2 sits at source 0.75: 30; the first and last replicate. */
    g_assert_cmpuint (*lk_image_pixel (up, 0, 0), ==, 0);
    g_assert_cmpuint (*lk_image_pixel (up, 2, 0), ==, 30);
    g_assert_cmpuint (*lk_image_pixel (up, 7, 1), ==, 120);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/core/geometry/hull-square", test_hull_square);
  g_test_add_func ("/engine/core/geometry/hull-degenerate", test_hull_degenerate);
  g_test_add_func ("/engine/core/geometry/hull-random", test_hull_random);
  g_test_add_func ("/engine/core/geometry/fill-square", test_fill_square);
  g_test_add_func ("/engine/core/geometry/fill-area", test_fill_area);
  g_test_add_func ("/engine/core/geometry/fill-degenerate", test_fill_degenerate);
  g_test_add_func ("/engine/core/geometry/coverage", test_coverage);
  g_test_add_func ("/engine/core/geometry/resample-constant", test_resample_constant);
  g_test_add_func ("/engine/core/geometry/resample-values", test_resample_values);

  return g_test_run ();
}
