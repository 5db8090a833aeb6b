/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine/mask: masks, colour transfer, blending, temporal smoothing and the
 * compositor.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lk-align.h"
#include "lk-blend.h"
#include "lk-colour.h"
#include "lk-compose.h"
#include "lk-error.h"
#include "lk-face-detector.h"
#include "lk-image-io.h"
#include "lk-mask.h"
#include "lk-smooth.h"

#define FRAME_W 1920
#define FRAME_H 1080

/* The mean face's landmarks as a face @size crop would hold them, rotated by
 * @degrees about their centre and moved to (@cx, @cy). */
static void
synthetic_landmarks (double size,
                     double degrees,
                     double cx,
                     double cy,
                     float  out[LK_FACE_N_LANDMARKS][2])
{
  LkAlignParams params = lk_align_params_default ();
  float pts[LK_FACE_N_LANDMARKS][2];
  double mx = 0, my = 0, c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);

  params.size = (int) size;
  lk_align_template_points (&params, pts);
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      mx += pts[i][0];
      my += pts[i][1];
    }
  mx /= LK_FACE_N_LANDMARKS;
  my /= LK_FACE_N_LANDMARKS;
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      double x = pts[i][0] - mx, y = pts[i][1] - my;

      out[i][0] = (float) (cx + c * x - s * y);
      out[i][1] = (float) (cy + s * x + c * y);
    }
}

static LkImage *
build_mask (const float         lm[LK_FACE_N_LANDMARKS][2],
            const LkMaskParams *params,
            LkMaskRegion       *region)
{
  g_autoptr(GError) error = NULL;
  LkImage *mask;

  g_assert_true (lk_mask_region_for_face (lm, params, FRAME_W, FRAME_H, region));
  mask = lk_image_new (region->width, region->height, 1);
  g_assert_true (lk_mask_build (lm, params, region, NULL, NULL, NULL, mask, &error));
  g_assert_no_error (error);
  return mask;
}

/* As build_mask() over a fixed region. */
static LkImage *
build_mask_in (const float         lm[LK_FACE_N_LANDMARKS][2],
               const LkMaskParams *params,
               const LkMaskRegion *region)
{
  g_autoptr(GError) error = NULL;
  LkImage *mask = lk_image_new (region->width, region->height, 1);

  g_assert_true (lk_mask_build (lm, params, region, NULL, NULL, NULL, mask, &error));
  g_assert_no_error (error);
  return mask;
}

static double
mask_area (const LkImage *mask)
{
  double sum = 0;

  for (int y = 0; y < mask->height; y++)
    for (int x = 0; x < mask->width; x++)
      sum += lk_image_row (mask, y)[x];
  return sum / 255;
}

static void
test_feather_monotonic (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  const double radii[] = { 0, 2, 5, 10, 20, 40 };
  LkMaskParams params = lk_mask_params_default ();
  LkMaskRegion region;
  guint last = 0;
  double area0 = 0;

  synthetic_landmarks (400, 0, 960, 540, lm);
  params.feather = radii[G_N_ELEMENTS (radii) - 1];
  g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));

  for (guint i = 0; i < G_N_ELEMENTS (radii); i++)
    {
      g_autoptr(LkImage) mask = NULL;
      guint partial = 0;

      params.feather = radii[i];
      mask = build_mask_in (lm, &params, &region);
      for (int y = 0; y < mask->height; y++)
        for (int x = 0; x < mask->width; x++)
          {
            guint8 v = lk_image_row (mask, y)[x];

            partial += v > 0 && v < 255;
          }
      g_test_message ("feather %g: %u partial pixels", radii[i], partial);
      if (i > 0)
        g_assert_cmpuint (partial, >, last + last / 4);
      /* The blur is centred on the edge: the area (sum of the mask) stays
       * about the same for a convex shape this large. */
      if (i == 0)
        area0 = mask_area (mask);
      else
        g_assert_cmpfloat (fabs (mask_area (mask) - area0) / area0, <, 0.03);
      last = partial;
      /* The anti-aliased hard edge still has a thin partial band. */
      if (i == 0)
        g_assert_cmpuint (partial, >, 0);
    }
}

static void
test_expand_monotonic (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  const double amounts[] = { -40, -20, -10, -5, -1, 0, 1, 5, 10, 20, 40 };
  LkMaskParams params = lk_mask_params_default ();
  LkMaskRegion region;
  double last = -1, area0 = 0;

  synthetic_landmarks (400, 12, 960, 540, lm);
  params.feather = 0;
  params.expand = 40;
  g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));
  {
    g_autoptr(LkImage) m0 = NULL;

    params.expand = 0;
    m0 = build_mask_in (lm, &params, &region);
    area0 = mask_area (m0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autoptr(LkImage) mask = NULL;
      double area;

      params.expand = amounts[i];
      mask = build_mask_in (lm, &params, &region);
      area = mask_area (mask);
      g_test_message ("expand %g: area %.1f", amounts[i], area);
      g_assert_cmpfloat (area, >, last);
      /* A convex shape grown by r gains about perimeter x r + pi r^2. For
       * these 300 px wide faces the perimeter is ~1100 px. */
      if (amounts[i] != 0)
        {
          double gain = (area - area0) / amounts[i];

          g_assert_cmpfloat (gain, >, 700);
          g_assert_cmpfloat (gain, <, 1500 + G_PI * fabs (amounts[i]));
        }
      last = area;
    }
}

/* Extents of the mask's >= 128 pixels along the face's axes (right = the
 * rotated x axis, up = the rotated -y axis), in frame pixels. */
static void
face_extents (const LkImage      *mask,
              const LkMaskRegion *region,
              double              degrees,
              double              ext[4]) /* left, right, bottom, top */
{
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);

  ext[0] = ext[2] = G_MAXDOUBLE;
  ext[1] = ext[3] = -G_MAXDOUBLE;
  for (int y = 0; y < mask->height; y++)
    for (int x = 0; x < mask->width; x++)
      if (lk_image_row (mask, y)[x] >= 128)
        {
          double fx = x + region->x, fy = y + region->y;
          double u = c * fx + s * fy, v = s * fx - c * fy;

          ext[0] = MIN (ext[0], u);
          ext[1] = MAX (ext[1], u);
          ext[2] = MIN (ext[2], v);
          ext[3] = MAX (ext[3], v);
        }
}

static void
test_offset_one_side (void)
{
  const double angles[] = { 0, 25 };

  for (guint a = 0; a < G_N_ELEMENTS (angles); a++)
    for (int side = 0; side < 4; side++)
      for (int sign = -1; sign <= 1; sign += 2)
        {
          float lm[LK_FACE_N_LANDMARKS][2];
          LkMaskParams params = lk_mask_params_default ();
          g_autoptr(LkImage) base = NULL, moved = NULL;
          LkMaskRegion region;
          double e0[4], e1[4], amount = 20 * sign;

          synthetic_landmarks (400, angles[a], 960, 540, lm);
          params.feather = 0;
          params.offset_top = params.offset_bottom = 30;
          params.offset_left = params.offset_right = 30;
          g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));
          params.offset_top = params.offset_bottom = 0;
          params.offset_left = params.offset_right = 0;
          base = build_mask_in (lm, &params, &region);
          switch (side)
            {
            case 0: params.offset_left = amount; break;
            case 1: params.offset_right = amount; break;
            case 2: params.offset_bottom = amount; break;
            default: params.offset_top = amount; break;
            }
          moved = build_mask_in (lm, &params, &region);
          face_extents (base, &region, angles[a], e0);
          face_extents (moved, &region, angles[a], e1);
          g_test_message ("angle %g side %d amount %g: %.1f %.1f %.1f %.1f -> %.1f %.1f %.1f %.1f",
                          angles[a], side, amount, e0[0], e0[1], e0[2], e0[3],
                          e1[0], e1[1], e1[2], e1[3]);
          for (int k = 0; k < 4; k++)
            {
              /* left and bottom grow towards smaller coordinates. */
              double expected = k == side ? (k % 2 == 0 ? -amount : amount) : 0;

              g_assert_cmpfloat (fabs ((e1[k] - e0[k]) - expected), <=, 2.0);
            }
        }
}

static void
test_extended_contains_hull (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  LkMaskParams params = lk_mask_params_default ();
  g_autoptr(LkImage) hull = NULL, ext = NULL;
  LkMaskRegion region;
  double e_hull[4], e_ext[4];
  double eye_nose;

  synthetic_landmarks (400, -15, 900, 560, lm);
  params.feather = 6;
  params.type = LK_MASK_EXTENDED;
  g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));
  ext = build_mask_in (lm, &params, &region);
  params.type = LK_MASK_HULL;
  hull = build_mask_in (lm, &params, &region);

  for (int y = 0; y < hull->height; y++)
    for (int x = 0; x < hull->width; x++)
      g_assert_cmpint (lk_image_row (ext, y)[x], >=, lk_image_row (hull, y)[x]);
  g_assert_cmpfloat (mask_area (ext), >, 1.1 * mask_area (hull));

  face_extents (hull, &region, -15, e_hull);
  face_extents (ext, &region, -15, e_ext);
  eye_nose = hypot (lm[30][0] - (lm[36][0] + lm[45][0]) / 2, lm[30][1] - (lm[36][1] + lm[45][1]) / 2);
  g_test_message ("top: hull %.1f, extended %.1f (eye-nose %.1f)", e_hull[3], e_ext[3], eye_nose);
  g_assert_cmpfloat (e_ext[3] - e_hull[3], >, 0.6 * eye_nose);
  g_assert_cmpfloat (fabs (e_ext[2] - e_hull[2]), <=, 1.0);
}

static void
test_region (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  LkMaskParams params = lk_mask_params_default ();
  LkMaskRegion region;
  g_autoptr(LkImage) mask = NULL;
  float degenerate[LK_FACE_N_LANDMARKS][2] = { { 0 } };
  g_autoptr(GError) error = NULL;

  /* The whole feathered mask fits: the region's border rows and columns
   * are 0. */
  synthetic_landmarks (400, 5, 960, 540, lm);
  params.expand = 10;
  params.feather = 25;
  mask = build_mask (lm, &params, &region);
  for (int x = 0; x < mask->width; x++)
    {
      g_assert_cmpint (lk_image_row (mask, 0)[x], ==, 0);
      g_assert_cmpint (lk_image_row (mask, mask->height - 1)[x], ==, 0);
    }
  for (int y = 0; y < mask->height; y++)
    {
      g_assert_cmpint (lk_image_row (mask, y)[0], ==, 0);
      g_assert_cmpint (lk_image_row (mask, y)[mask->width - 1], ==, 0);
    }
  /* The nose tip is deep inside. */
  g_assert_cmpint (lk_image_row (mask, (int) lm[30][1] - region.y)[(int) lm[30][0] - region.x],
                   ==, 255);

  /* Clipped by the frame. */
  synthetic_landmarks (400, 0, 60, 1050, lm);
  g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));
  g_assert_cmpint (region.x, ==, 0);
  g_assert_cmpint (region.y + region.height, ==, FRAME_H);

  g_assert_false (lk_mask_region_for_face (degenerate, &params, FRAME_W, FRAME_H, &region));
  region = (LkMaskRegion) { 0, 0, 16, 16 };
  g_clear_pointer (&mask, lk_image_free);
  mask = lk_image_new (16, 16, 1);
  g_assert_false (lk_mask_build (degenerate, &params, &region, NULL, NULL, NULL, mask, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
}

static void
test_model_mask (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  LkMaskParams params = lk_mask_params_default ();
  LkAlignParams ap = lk_align_params_default ();
  LkAlignment al;
  g_autoptr(LkImage) model = lk_image_new (256, 256, 1);
  g_autoptr(LkImage) hull = NULL, mul = NULL, rep = NULL;
  g_autoptr(GError) error = NULL;
  LkMaskRegion region;
  double left_area = 0;

  synthetic_landmarks (400, 0, 960, 540, lm);
  g_assert_true (lk_align_compute (lm, &ap, &al));
  /* The model keeps only the image's right half of the face. */
  for (int y = 0; y < 256; y++)
    memset (lk_image_row (model, y) + 128, 255, 128);
  params.feather = 0;
  g_assert_true (lk_mask_region_for_face (lm, &params, FRAME_W, FRAME_H, &region));
  hull = build_mask_in (lm, &params, &region);
  mul = lk_image_new (region.width, region.height, 1);
  rep = lk_image_new (region.width, region.height, 1);
  g_assert_true (lk_mask_build (lm, &params, &region, model, &al.face_to_frame, NULL, mul, &error));
  g_assert_no_error (error);
  params.model_mode = LK_MASK_MODEL_REPLACE;
  g_assert_true (lk_mask_build (lm, &params, &region, model, &al.face_to_frame, NULL, rep, &error));
  g_assert_no_error (error);

  {
    double axis_x = lm[27][0] - region.x; /* the face's symmetry axis, in the region */

    for (int y = 0; y < region.height; y++)
      for (int x = 0; x < region.width; x++)
        {
          int h = lk_image_row (hull, y)[x], m = lk_image_row (mul, y)[x];

          g_assert_cmpint (m, <=, h);
          if (x < axis_x - 8)
            left_area += m;
          if (x > axis_x + 8)
            g_assert_cmpint (m, ==, h);
        }
    g_assert_cmpfloat (left_area, ==, 0);
    /* Replace: the model's half square, also outside the hull. */
    g_assert_cmpint (lk_image_row (rep, 5)[(int) axis_x + 20], ==, 255);
    g_assert_cmpint (lk_image_row (rep, 5)[(int) axis_x - 20], ==, 0);
  }
}

/* ---- blending ---- */

static LkImage *
random_image (int w,
              int h,
              int channels,
              guint32 seed)
{
  LkImage *image = lk_image_new (w, h, channels);
  GRand *rand = g_rand_new_with_seed (seed);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * channels; x++)
      lk_image_row (image, y)[x] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return image;
}

static int
max_diff (const LkImage *a,
          const LkImage *b)
{
  int m = 0;

  for (int y = 0; y < a->height; y++)
    for (int x = 0; x < a->width * a->channels; x++)
      m = MAX (m, abs ((int) lk_image_row (a, y)[x] - (int) lk_image_row (b, y)[x]));
  return m;
}

static void
test_laplacian_identity (void)
{
  const int sizes[][2] = { { 157, 203 }, { 64, 64 }, { 513, 7 }, { 5, 5 } };
  g_autoptr(LkBlendWorkspace) ws = lk_blend_workspace_new ();

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    for (int levels = 1; levels <= 7; levels++)
      {
        int w = sizes[i][0], h = sizes[i][1];
        g_autoptr(LkImage) s = random_image (w, h, 3, 1 + i);
        g_autoptr(LkImage) o = random_image (w, h, 3, 100 + i);
        g_autoptr(LkImage) m = lk_image_new (w, h, 1);
        g_autoptr(LkImage) out = lk_image_new (w, h, 3);
        g_autoptr(GError) error = NULL;

        lk_image_fill (m, 255);
        g_assert_true (lk_blend (LK_BLEND_LAPLACIAN, levels, s, o, m, ws, out, &error));
        g_assert_no_error (error);
        g_assert_cmpint (max_diff (out, s), <=, 1);
        lk_image_fill (m, 0);
        g_assert_true (lk_blend (LK_BLEND_LAPLACIAN, levels, s, o, m, ws, out, &error));
        g_assert_cmpint (max_diff (out, o), <=, 1);
        /* In place over the original. */
        {
          g_autoptr(LkImage) o2 = lk_image_copy (o);

          lk_image_fill (m, 255);
          g_assert_true (lk_blend (LK_BLEND_LAPLACIAN, levels, s, o2, m, NULL, o2, &error));
          g_assert_cmpint (max_diff (o2, s), <=, 1);
        }
      }
}

static void
test_laplacian_seam (void)
{
  /* Two flat images and a left/right mask: far from the seam the result is
   * each image, and across the seam it changes monotonically. */
  int w = 300, h = 120;
  g_autoptr(LkImage) s = lk_image_new (w, h, 3), o = lk_image_new (w, h, 3);
  g_autoptr(LkImage) m = lk_image_new (w, h, 1), out = lk_image_new (w, h, 3);
  g_autoptr(GError) error = NULL;

  lk_image_fill (s, 200);
  lk_image_fill (o, 40);
  for (int y = 0; y < h; y++)
    memset (lk_image_row (m, y), 255, w / 2);
  g_assert_true (lk_blend (LK_BLEND_LAPLACIAN, 5, s, o, m, NULL, out, &error));
  for (int y = 0; y < h; y++)
    {
      const guint8 *r = lk_image_row (out, y);

      g_assert_cmpint (abs (r[0] - 200), <=, 1);
      g_assert_cmpint (abs (r[3 * (w - 1)] - 40), <=, 1);
      for (int x = 1; x < w; x++)
        g_assert_cmpint (r[3 * x], <=, r[3 * (x - 1)] + 1);
    }
}

static void
test_alpha_half (void)
{
  g_autoptr(LkImage) s = random_image (99, 77, 3, 7), o = random_image (99, 77, 3, 8);
  g_autoptr(LkImage) m = lk_image_new (99, 77, 1), out = lk_image_new (99, 77, 3);
  g_autoptr(GError) error = NULL;

  lk_image_fill (m, 128);
  g_assert_true (lk_blend (LK_BLEND_ALPHA, 0, s, o, m, NULL, out, &error));
  for (int y = 0; y < 77; y++)
    for (int x = 0; x < 99 * 3; x++)
      {
        double avg = (lk_image_row (s, y)[x] + lk_image_row (o, y)[x]) / 2.0;

        g_assert_cmpfloat (fabs (lk_image_row (out, y)[x] - avg), <=, 1.0);
      }
  lk_image_fill (m, 255);
  g_assert_true (lk_blend (LK_BLEND_ALPHA, 0, s, o, m, NULL, out, &error));
  g_assert_cmpint (max_diff (out, s), ==, 0);
  lk_image_fill (m, 0);
  g_assert_true (lk_blend (LK_BLEND_ALPHA, 0, s, o, m, NULL, out, &error));
  g_assert_cmpint (max_diff (out, o), ==, 0);
}

/* ---- colour ---- */

/* A smooth, face-like image: a base colour with gradients and noise. */
static LkImage *
tinted_image (int          w,
              int          h,
              const double base[3],
              double       contrast,
              guint32      seed)
{
  LkImage *image = lk_image_new (w, h, 3);
  GRand *rand = g_rand_new_with_seed (seed);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double shade = contrast * (sin (x * 0.05) + cos (y * 0.04)) + g_rand_double_range (rand, -6, 6);

        for (int c = 0; c < 3; c++)
          lk_image_pixel (image, x, y)[c] = (guint8) CLAMP (lround (base[c] + shade * (1 + 0.2 * c)), 0, 255);
      }
  g_rand_free (rand);
  return image;
}

static LkImage *
disc_mask (int w,
           int h)
{
  LkImage *m = lk_image_new (w, h, 1);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double d = hypot (x - w / 2.0, y - h / 2.0) / (0.4 * MIN (w, h));

        lk_image_row (m, y)[x] = (guint8) CLAMP (lround ((1.3 - d) / 0.3 * 255), 0, 255);
      }
  return m;
}

static void
test_reinhard (void)
{
  const double bs[3] = { 170, 120, 100 }, bo[3] = { 110, 95, 120 };
  g_autoptr(LkImage) s = tinted_image (320, 360, bs, 14, 1);
  g_autoptr(LkImage) o = tinted_image (320, 360, bo, 30, 2);
  g_autoptr(LkImage) m = disc_mask (320, 360);
  g_autoptr(LkImage) out = lk_image_new (320, 360, 3);
  g_autoptr(GError) error = NULL;
  double ms[3], ss[3], mo[3], so[3], mr[3], sr[3];

  /* Outside the mask the original is something else entirely: it must not
   * count. */
  for (int y = 0; y < 360; y++)
    for (int x = 0; x < 320; x++)
      if (lk_image_row (m, y)[x] == 0)
        memset (lk_image_pixel (o, x, y), 250, 3);

  g_assert_true (lk_colour_lab_stats (s, m, ms, ss));
  g_assert_true (lk_colour_lab_stats (o, m, mo, so));
  g_assert_true (lk_colour_transfer (LK_COLOUR_REINHARD, s, o, m, out, &error));
  g_assert_no_error (error);
  g_assert_true (lk_colour_lab_stats (out, m, mr, sr));
  for (int c = 0; c < 3; c++)
    {
      g_test_message ("channel %d: swap %.4f/%.4f original %.4f/%.4f result %.4f/%.4f",
                      c, ms[c], ss[c], mo[c], so[c], mr[c], sr[c]);
      g_assert_cmpfloat (fabs (mr[c] - mo[c]), <, 0.01 + 0.05 * fabs (ms[c] - mo[c]));
      g_assert_cmpfloat (fabs (sr[c] - so[c]), <, 0.08 * so[c] + 0.002);
    }
  /* In place gives the same. */
  {
    g_autoptr(LkImage) s2 = lk_image_copy (s);

    g_assert_true (lk_colour_transfer (LK_COLOUR_REINHARD, s2, o, m, s2, &error));
    g_assert_cmpint (max_diff (s2, out), ==, 0);
  }
  /* An empty mask is an error and leaves a copy. */
  lk_image_fill (m, 0);
  g_assert_false (lk_colour_transfer (LK_COLOUR_REINHARD, s, o, m, out, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_cmpint (max_diff (s, out), ==, 0);
}

static void
masked_cdf (const LkImage *image,
            const LkImage *mask,
            int            channel,
            double         cdf[256])
{
  double hist[256] = { 0 }, total = 0, run = 0;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      {
        double w = lk_image_row (mask, y)[x];

        hist[lk_image_pixel (image, x, y)[channel]] += w;
        total += w;
      }
  for (int v = 0; v < 256; v++)
    {
      run += hist[v];
      cdf[v] = run / total;
    }
}

static void
test_histogram (void)
{
  const double bs[3] = { 150, 110, 90 }, bo[3] = { 100, 130, 150 };
  g_autoptr(LkImage) s = tinted_image (300, 300, bs, 25, 3);
  g_autoptr(LkImage) o = tinted_image (300, 300, bo, 40, 4);
  g_autoptr(LkImage) m = disc_mask (300, 300);
  g_autoptr(LkImage) out = lk_image_new (300, 300, 3);
  g_autoptr(GError) error = NULL;

  g_assert_true (lk_colour_transfer (LK_COLOUR_HISTOGRAM, s, o, m, out, &error));
  g_assert_no_error (error);
  for (int c = 0; c < 3; c++)
    {
      double cs[256], co[256], cr[256], before = 0, after = 0;

      masked_cdf (s, m, c, cs);
      masked_cdf (o, m, c, co);
      masked_cdf (out, m, c, cr);
      for (int v = 0; v < 256; v++)
        {
          before = MAX (before, fabs (cs[v] - co[v]));
          after = MAX (after, fabs (cr[v] - co[v]));
        }
      g_test_message ("channel %d: max CDF gap %.3f -> %.3f", c, before, after);
      g_assert_cmpfloat (before, >, 0.15);
      g_assert_cmpfloat (after, <, 0.03);
    }
}

/* ---- temporal smoothing ---- */

static double
jitter (float (*seq)[LK_FACE_N_LANDMARKS][2],
        int   first,
        int   last)
{
  double s = 0, s2 = 0;
  int n = 0;

  for (int f = first + 1; f <= last; f++)
    for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
      for (int c = 0; c < 2; c++)
        {
          double d = seq[f][i][c] - seq[f - 1][i][c];

          s += d;
          s2 += d * d;
          n++;
        }
  return sqrt (s2 / n - (s / n) * (s / n));
}

static void
test_one_euro_jitter (void)
{
  enum { N = 300 };
  float base[LK_FACE_N_LANDMARKS][2];
  float (*raw)[LK_FACE_N_LANDMARKS][2] = g_malloc (N * sizeof *raw);
  float (*out)[LK_FACE_N_LANDMARKS][2] = g_malloc (N * sizeof *out);
  g_autoptr(LkLandmarkSmoother) sm = lk_landmark_smoother_new (0.7);
  GRand *rand = g_rand_new_with_seed (42);
  double t = 0, j_raw, j_out;

  synthetic_landmarks (300, 0, 640, 360, base);
  for (int f = 0; f < N; f++)
    {
      for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
        for (int c = 0; c < 2; c++)
          {
            /* Gaussian noise of 1.5 px (Box-Muller). */
            double u1 = g_rand_double_range (rand, 1e-9, 1), u2 = g_rand_double (rand);

            raw[f][i][c] = base[i][c] + 1.5 * sqrt (-2 * log (u1)) * cos (2 * G_PI * u2);
          }
      /* Variable frame rate: 15 to 60 frames per second. */
      t += g_rand_double_range (rand, 1.0 / 60, 1.0 / 15);
      lk_landmark_smoother_filter (sm, t, raw[f], out[f]);
    }
  g_assert_cmpfloat (memcmp (out[0], raw[0], sizeof out[0]), ==, 0);
  j_raw = jitter (raw, 30, N - 1);
  j_out = jitter (out, 30, N - 1);
  g_test_message ("jitter %.3f -> %.3f px (x%.1f)", j_raw, j_out, j_raw / j_out);
  g_assert_cmpfloat (j_out * 4, <, j_raw);

  /* Strength 0 passes through. */
  {
    g_autoptr(LkLandmarkSmoother) off = lk_landmark_smoother_new (0);
    float o[LK_FACE_N_LANDMARKS][2];

    for (int f = 0; f < 10; f++)
      {
        lk_landmark_smoother_filter (off, f / 30.0, raw[f], o);
        g_assert_cmpint (memcmp (o, raw[f], sizeof o), ==, 0);
      }
  }
  g_rand_free (rand);
  g_free (raw);
  g_free (out);
}

static void
test_one_euro_step (void)
{
  float a[LK_FACE_N_LANDMARKS][2], b[LK_FACE_N_LANDMARKS][2], o[LK_FACE_N_LANDMARKS][2];
  g_autoptr(LkLandmarkSmoother) sm = lk_landmark_smoother_new (0.7);
  GRand *rand = g_rand_new_with_seed (7);
  double t = 0, step = 60;
  int settled = -1;

  synthetic_landmarks (300, 0, 640, 360, a);
  synthetic_landmarks (300, 0, 640 + step, 360, b);
  for (int f = 0; f < 40; f++)
    {
      t += g_rand_double_range (rand, 1.0 / 60, 1.0 / 20);
      lk_landmark_smoother_filter (sm, t, a, o);
    }
  g_assert_cmpfloat (fabs (o[30][0] - a[30][0]), <, 0.01);
  for (int f = 0; f < 30; f++)
    {
      double err = 0;

      t += g_rand_double_range (rand, 1.0 / 60, 1.0 / 20);
      lk_landmark_smoother_filter (sm, t, b, o);
      for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
        err = MAX (err, fabs (o[i][0] - b[i][0]));
      g_test_message ("frame %d after the step: error %.2f px", f + 1, err);
      if (settled < 0 && err < 0.1 * step)
        settled = f + 1;
    }
  g_assert_cmpint (settled, >, 0);
  g_assert_cmpint (settled, <=, 5);

  /* A reset (a cut) jumps straight to the new position. */
  lk_landmark_smoother_reset (sm);
  lk_landmark_smoother_filter (sm, t + 0.03, a, o);
  g_assert_cmpint (memcmp (o, a, sizeof o), ==, 0);
  /* So does a timestamp going backwards (a seek). */
  lk_landmark_smoother_filter (sm, t - 1, b, o);
  g_assert_cmpint (memcmp (o, b, sizeof o), ==, 0);
  g_rand_free (rand);
}

static double
flicker (GPtrArray *masks)
{
  double sum = 0;

  for (guint f = 1; f < masks->len; f++)
    {
      const LkImage *a = masks->pdata[f - 1], *b = masks->pdata[f];

      for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
          sum += abs ((int) lk_image_row (a, y)[x] - (int) lk_image_row (b, y)[x]);
    }
  return sum / (masks->len - 1);
}

static void
test_mask_smoothing (void)
{
  enum { N = 40 };
  float base[LK_FACE_N_LANDMARKS][2];
  g_autoptr(GPtrArray) raw = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  g_autoptr(GPtrArray) smooth = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  g_autoptr(LkMaskSmoother) sm = lk_mask_smoother_new (256, 1.0);
  LkMaskParams params = lk_mask_params_default ();
  LkAlignParams ap = lk_align_params_default ();
  GRand *rand = g_rand_new_with_seed (3);
  LkMaskRegion region;
  double t = 0, f_raw, f_smooth, area_raw = 0, area_smooth = 0;

  synthetic_landmarks (400, 10, 960, 540, base);
  params.feather = 8;
  params.expand = 10;
  g_assert_true (lk_mask_region_for_face (base, &params, FRAME_W, FRAME_H, &region));
  params.expand = 0;
  for (int f = 0; f < N; f++)
    {
      float lm[LK_FACE_N_LANDMARKS][2];
      LkAlignment al;
      LkImage *m, *ms;

      /* The jaw jitters by up to 4 px; the face itself moves slowly. */
      for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
        {
          lm[i][0] = base[i][0] + 0.5f * f;
          lm[i][1] = base[i][1];
          if (i <= 16)
            {
              lm[i][0] += (float) g_rand_double_range (rand, -4, 4);
              lm[i][1] += (float) g_rand_double_range (rand, -4, 4);
            }
        }
      g_assert_true (lk_align_compute (lm, &ap, &al));
      m = build_mask_in (lm, &params, &region);
      ms = lk_image_copy (m);
      t += g_rand_double_range (rand, 1.0 / 40, 1.0 / 20);
      lk_mask_smoother_apply (sm, t, &al, &region, ms);
      if (f >= 10)
        {
          area_raw += mask_area (m);
          area_smooth += mask_area (ms);
        }
      g_ptr_array_add (raw, m);
      g_ptr_array_add (smooth, ms);
    }
  g_ptr_array_remove_range (raw, 0, 10);
  g_ptr_array_remove_range (smooth, 0, 10);
  f_raw = flicker (raw);
  f_smooth = flicker (smooth);
  g_test_message ("mask flicker %.0f -> %.0f per frame; area %.0f -> %.0f",
                  f_raw, f_smooth, area_raw, area_smooth);
  g_assert_cmpfloat (f_smooth * 2.5, <, f_raw);
  /* The average keeps the mask's size. */
  g_assert_cmpfloat (fabs (area_smooth - area_raw) / area_raw, <, 0.02);
  g_rand_free (rand);
}

/* ---- the compositor ---- */

static void
test_compose (void)
{
  float lm[LK_FACE_N_LANDMARKS][2];
  LkComposeParams params = lk_compose_params_default ();
  LkAlignParams ap = lk_align_params_default ();
  const double bo[3] = { 120, 100, 90 }, bs[3] = { 170, 140, 110 };
  g_autoptr(LkCompositor) comp = lk_compositor_new ();
  g_autoptr(LkImage) orig = NULL, face = NULL, swap = NULL, out = NULL, out2 = NULL;
  g_autoptr(GError) error = NULL;
  LkComposeInput in = { 0 };
  LkComposeTimings tm;
  LkAlignment al;
  const LkImage *mask;
  int nx, ny;

  synthetic_landmarks (400, 8, 900, 500, lm);
  g_assert_true (lk_align_compute (lm, &ap, &al));
  g_assert_true (lk_mask_region_for_face (lm, &params.mask, FRAME_W, FRAME_H, &in.region));
  orig = tinted_image (in.region.width, in.region.height, bo, 20, 1);
  face = tinted_image (al.size, al.size, bs, 10, 2);
  in.original = orig;
  in.face_swap = face;
  in.alignment = &al;
  in.landmarks = (const float (*)[2]) lm;
  out = lk_image_new (in.region.width, in.region.height, 3);
  if (!lk_compositor_compose (comp, &params, &in, out, &error))
    g_error ("%s", error->message);
  mask = lk_compositor_get_mask (comp);
  g_assert_nonnull (mask);
  g_assert_cmpint (mask->width, ==, in.region.width);

  /* Outside the mask's reach: the original; at the nose: the swap's shapes
   * with the original's colours. */
  g_assert_cmpint (memcmp (lk_image_row (out, 0), lk_image_row (orig, 0), 3 * in.region.width),
                   ==, 0);
  nx = (int) lm[30][0] - in.region.x;
  ny = (int) lm[30][1] - in.region.y;
  g_assert_cmpint (lk_image_row (mask, ny)[nx], ==, 255);
  for (int c = 0; c < 3; c++)
    g_assert_cmpint (abs ((int) lk_image_pixel (out, nx, ny)[c] - (int) bo[c]), <, 30);

  /* The same from a region-sized swap, and again (no state leaks between
   * calls). */
  swap = lk_image_new (in.region.width, in.region.height, 3);
  g_assert_true (lk_compose_warp_to_region (face, &al.face_to_frame, &in.region, swap));
  in.face_swap = NULL;
  in.swap = swap;
  out2 = lk_image_new (in.region.width, in.region.height, 3);
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (lk_compositor_compose (comp, &params, &in, out2, &error));
      g_assert_cmpint (max_diff (out, out2), ==, 0);
    }
  lk_compositor_get_timings (comp, &tm);
  g_assert_cmpfloat (tm.warp_ms, >=, 0);

  /* Colour off, alpha blend, hard mask: exactly the swap at the nose. */
  params.colour = LK_COLOUR_NONE;
  params.blend = LK_BLEND_ALPHA;
  g_assert_true (lk_compositor_compose (comp, &params, &in, out2, &error));
  g_assert_cmpint (memcmp (lk_image_pixel (out2, nx, ny), lk_image_pixel (swap, nx, ny), 3), ==, 0);

  /* Mismatched buffers. */
  in.region.width += 1;
  g_assert_false (lk_compositor_compose (comp, &params, &in, out2, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
}

/* Real landmarks: the mask of a detected face covers its eyes, nose and
 * mouth, and stays inside a sensible box. */
static void
test_real_face (void)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) frame = NULL, mask = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  LkFaceDetectorParams dp = lk_face_detector_params_default ();
  LkFaceDetector *det;
  LkMaskParams params = lk_mask_params_default ();
  LkFaceDetection *face;
  LkMaskRegion region;

  path = g_build_filename (dir != NULL ? dir : ".", "images", "single_man_000125.jpg", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no test data (LK_TESTDATA_DIR)");
      return;
    }
  det = lk_face_detector_new (&dp, &error);
  if (det == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  frame = lk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (lk_face_detector_detect (det, frame, faces, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, >=, 1);
  face = &g_array_index (faces, LkFaceDetection, 0);

  params.type = LK_MASK_EXTENDED;
  g_assert_true (lk_mask_region_for_face (face->landmarks, &params, frame->width, frame->height,
                                          &region));
  mask = lk_image_new (region.width, region.height, 1);
  g_assert_true (lk_mask_build (face->landmarks, &params, &region, NULL, NULL, NULL, mask, &error));
  g_assert_no_error (error);
  for (int i = 27; i < LK_FACE_N_LANDMARKS; i++)
    {
      int x = (int) lround (face->landmarks[i][0]) - region.x;
      int y = (int) lround (face->landmarks[i][1]) - region.y;

      g_assert_cmpint (lk_image_row (mask, y)[x], >=, 200);
    }
  /* The mask's area is of the order of the detector's box. */
  g_assert_cmpfloat (mask_area (mask), >, 0.5 * face->width * face->height);
  g_assert_cmpfloat (mask_area (mask), <, 2.5 * face->width * face->height);
  lk_face_detector_free (det);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/mask/feather-monotonic", test_feather_monotonic);
  g_test_add_func ("/engine/mask/expand-monotonic", test_expand_monotonic);
  g_test_add_func ("/engine/mask/offset-one-side", test_offset_one_side);
  g_test_add_func ("/engine/mask/extended-contains-hull", test_extended_contains_hull);
  g_test_add_func ("/engine/mask/region", test_region);
  g_test_add_func ("/engine/mask/model-mask", test_model_mask);
  g_test_add_func ("/engine/mask/real-face", test_real_face);
  g_test_add_func ("/engine/mask/blend/laplacian-identity", test_laplacian_identity);
  g_test_add_func ("/engine/mask/blend/laplacian-seam", test_laplacian_seam);
  g_test_add_func ("/engine/mask/blend/alpha-half", test_alpha_half);
  g_test_add_func ("/engine/mask/colour/reinhard", test_reinhard);
  g_test_add_func ("/engine/mask/colour/histogram", test_histogram);
  g_test_add_func ("/engine/mask/smooth/one-euro-jitter", test_one_euro_jitter);
  g_test_add_func ("/engine/mask/smooth/one-euro-step", test_one_euro_step);
  g_test_add_func ("/engine/mask/smooth/mask-flicker", test_mask_smoothing);
  g_test_add_func ("/engine/mask/compose", test_compose);

  return g_test_run ();
}
