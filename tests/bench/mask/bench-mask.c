/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Masks preview's recompose (mask + feather + colour + blend) for one
 * face at 1080p, as a slider move triggers it: the swap is warped to the
 * region once and cached, then lk_compositor_compose() runs on it. The
 * face is the mean face scaled to ~410 px wide in a 1920x1080 frame.
 * Figures are the median of 50 runs after 10 warm-up runs, in thread CPU
 * time (other processes on a shared machine do not inflate them), with
 * each stage's median share. Prints; never fails on time.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lk-align.h"
#include "lk-compose.h"

#define RUNS   50
#define WARMUP 10

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof v[0], compare_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static double
wall_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* Texture with some structure, so that colour statistics and pyramid bands
 * are not trivial. */
static LkImage *
texture (int          w,
         int          h,
         const double base[3],
         guint32      seed)
{
  LkImage *image = lk_image_new (w, h, 3);
  GRand *rand = g_rand_new_with_seed (seed);

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        double shade = 25 * (sin (x * 0.031) * cos (y * 0.027)) + g_rand_double_range (rand, -8, 8);

        for (int c = 0; c < 3; c++)
          lk_image_pixel (image, x, y)[c] = (guint8) CLAMP (lround (base[c] + shade), 0, 255);
      }
  g_rand_free (rand);
  return image;
}

typedef struct
{
  const char     *name;
  LkComposeParams params;
} Case;

static void
run_case (const Case           *c,
          const LkComposeInput *in,
          LkImage              *out)
{
  g_autoptr(LkCompositor) comp = lk_compositor_new ();
  double total[RUNS], mask[RUNS], colour[RUNS], blend[RUNS], wall[RUNS];
  LkComposeTimings tm;

  for (int i = 0; i < WARMUP + RUNS; i++)
    {
      g_autoptr(GError) error = NULL;
      double t0 = wall_ms ();

      if (!lk_compositor_compose (comp, &c->params, in, out, &error))
        g_error ("compose: %s", error->message);
      if (i < WARMUP)
        continue;
      lk_compositor_get_timings (comp, &tm);
      wall[i - WARMUP] = wall_ms () - t0;
      total[i - WARMUP] = tm.total_ms;
      mask[i - WARMUP] = tm.mask_ms;
      colour[i - WARMUP] = tm.colour_ms;
      blend[i - WARMUP] = tm.blend_ms;
    }
  {
    double t = median (total, RUNS), m = median (mask, RUNS), co = median (colour, RUNS);
    double b = median (blend, RUNS), w = median (wall, RUNS);

    printf ("%-44s %6.2f ms (wall %6.2f)  mask %5.2f (%2.0f%%)  colour %5.2f (%2.0f%%)  "
            "blend %5.2f (%2.0f%%)\n",
            c->name, t, w, m, 100 * m / t, co, 100 * co / t, b, 100 * b / t);
    if (g_str_has_prefix (c->name, "typical"))
      printf ("RESULT preview-1080p-ms=%.2f\n", t);
  }
}

int
main (int   argc,
      char *argv[])
{
  LkAlignParams ap = lk_align_params_default ();
  float tmpl[LK_FACE_N_LANDMARKS][2], lm[LK_FACE_N_LANDMARKS][2];
  const double skin_o[3] = { 150, 115, 100 }, skin_s[3] = { 185, 140, 120 };
  g_autoptr(LkImage) frame = NULL, face = NULL, swap = NULL, original = NULL, out = NULL;
  LkComposeParams typical = lk_compose_params_default ();
  LkComposeInput in = { 0 };
  LkAlignment al;
  double x0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE;

  /* The mean face, ~410 px wide (jaw to jaw), at the frame's centre. */
  ap.size = 540;
  lk_align_template_points (&ap, tmpl);
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      lm[i][0] = tmpl[i][0] + 960 - 270;
      lm[i][1] = tmpl[i][1] + 540 - 300;
      x0 = MIN (x0, lm[i][0]);
      x1 = MAX (x1, lm[i][0]);
    }
  ap.size = 256;
  if (!lk_align_compute (lm, &ap, &al))
    g_error ("alignment failed");

  typical.mask.feather = 15;
  typical.mask.expand = 5;
  typical.colour = LK_COLOUR_REINHARD;
  typical.blend = LK_BLEND_LAPLACIAN;
  typical.levels = 5;

  if (!lk_mask_region_for_face (lm, &typical.mask, 1920, 1080, &in.region))
    g_error ("no region");
  frame = texture (1920, 1080, skin_o, 1);
  original = lk_image_new (in.region.width, in.region.height, 3);
  for (int y = 0; y < in.region.height; y++)
    memcpy (lk_image_row (original, y), lk_image_pixel (frame, in.region.x, in.region.y + y),
            3 * (gsize) in.region.width);
  face = texture (256, 256, skin_s, 2);
  swap = lk_image_new (in.region.width, in.region.height, 3);
  {
    double t0 = wall_ms ();

    lk_compose_warp_to_region (face, &al.face_to_frame, &in.region, swap);
    printf ("face %.0f px wide; region %dx%d (%.2f Mpx); swap warp to the region (cached by the "
            "preview) %.2f ms\n", x1 - x0, in.region.width, in.region.height,
            in.region.width * (double) in.region.height / 1e6, wall_ms () - t0);
  }
  out = lk_image_new (in.region.width, in.region.height, 3);
  in.original = original;
  in.swap = swap;
  in.alignment = &al;
  in.landmarks = (const float (*)[2]) lm;

  printf ("median of %d runs after %d warm-up, thread CPU ms:\n", RUNS, WARMUP);
  {
    Case cases[8];
    int n = 0;

    cases[n++] = (Case) { "typical: feather 15, expand 5, Reinhard, lap 5", typical };
    cases[n] = (Case) { "  colour none", typical };
    cases[n++].params.colour = LK_COLOUR_NONE;
    cases[n] = (Case) { "  colour histogram", typical };
    cases[n++].params.colour = LK_COLOUR_HISTOGRAM;
    cases[n] = (Case) { "  alpha blend", typical };
    cases[n++].params.blend = LK_BLEND_ALPHA;
    cases[n] = (Case) { "  Laplacian 7 levels", typical };
    cases[n++].params.levels = 7;
    cases[n] = (Case) { "  feather 60, expand -20", typical };
    cases[n].params.mask.feather = 60;
    cases[n++].params.mask.expand = -20;
    cases[n] = (Case) { "  extended mask", typical };
    cases[n++].params.mask.type = LK_MASK_EXTENDED;
    for (int i = 0; i < n; i++)
      run_case (&cases[i], &in, out);
  }
  /* The converter's path: warp from face space on every call. */
  {
    LkComposeInput conv = in;
    Case c = { "converter: + warp from face space each call", typical };

    conv.swap = NULL;
    conv.face_swap = face;
    run_case (&c, &conv, out);
  }
  return 0;
}
