/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine/curate on real faces: a project is filled once by extraction from
 * tiny_person_c.mp4 (identity A, every 4th frame) and photos (identity B:
 * two group photos, a portrait and its blurred copy); the tests then measure,
 * hash, group and curate it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lk-test-data.h"
#include "lk-align.h"
#include "lk-auto-curate.h"
#include "lk-curate-private.h"
#include "lk-duplicates.h"
#include "lk-extractor.h"
#include "lk-faces.h"
#include "lk-image-io.h"
#include "lk-metrics.h"
#include "lk-pose.h"
#include "lk-pose-coverage.h"

static LkProject *project;
static char *tmpdir;

static char *
testdata (const char *sub,
          const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : "../shared/testdata", sub, name, NULL);

  return g_canonicalize_filename (path, NULL);
}

static void
extract (LkIdentity   identity,
         const char  *sub,
         const char  *name,
         int          every_nth)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = testdata (sub, name);
  const char *paths[] = { path, NULL };
  LkExtractParams params = lk_extract_params_default ();
  LkExtractSummary summary;

  params.every_nth = every_nth;
  g_assert_true (lk_extract_sources (project, identity, paths, &params, NULL, &summary, &error));
  g_assert_no_error (error);
}

static GPtrArray *
list_faces (int identity)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "id",
                                            FALSE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (faces);
  return faces;
}

/* Faces of the source whose file name ends with @name. */
static GPtrArray *
faces_of (const char *name)
{
  g_autoptr(GPtrArray) sources = lk_project_list_sources (project, -1, NULL);
  g_autoptr(GPtrArray) all = list_faces (-1);
  GPtrArray *faces = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_face_free);

  for (guint s = 0; s < sources->len; s++)
    {
      LkSource *source = sources->pdata[s];

      if (!g_str_has_suffix (source->path, name))
        continue;
      for (guint i = 0; i < all->len; i++)
        if (((LkFace *) all->pdata[i])->source_id == source->id)
          g_ptr_array_add (faces, lk_face_copy (all->pdata[i]));
    }

  return faces;
}

static void
analyse_all (void)
{
  g_autoptr(GError) error = NULL;
  LkAnalyseSummary summary = { 0 };

  g_assert_true (lk_curate_analyse (project, -1, FALSE, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.failed, ==, 0);
  lk_analyse_summary_clear (&summary);
}

/* Image helpers: each returns a new image. */

static LkImage *
load_crop (const LkFace *face,
           float         landmarks[LK_N_LANDMARKS][2])
{
  g_autoptr(GError) error = NULL;
  LkImage *crop = lk_image_load (face->file, &error);

  g_assert_no_error (error);
  g_assert_nonnull (crop);
  if (landmarks != NULL)
    lk_curate_face_crop_landmarks (face, landmarks);
  return crop;
}

/* A separable 7-tap box blur, twice (close to a Gaussian of sigma ~2.8). */
static LkImage *
blurred (const LkImage *src)
{
  LkImage *a = lk_image_copy (src);
  g_autoptr(LkImage) b = lk_image_copy (src);
  const int r = 3, c = src->channels;

  for (int pass = 0; pass < 2; pass++)
    {
      for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
          for (int k = 0; k < c; k++)
            {
              int sum = 0;

              for (int d = -r; d <= r; d++)
                sum += lk_image_pixel (a, CLAMP (x + d, 0, a->width - 1), y)[k];
              lk_image_pixel (b, x, y)[k] = (guint8) (sum / (2 * r + 1));
            }
      for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width; x++)
          for (int k = 0; k < c; k++)
            {
              int sum = 0;

              for (int d = -r; d <= r; d++)
                sum += lk_image_pixel (b, x, CLAMP (y + d, 0, a->height - 1))[k];
              lk_image_pixel (a, x, y)[k] = (guint8) (sum / (2 * r + 1));
            }
    }

  return a;
}

/* Each channel v -> v * mul[k] + add[k], clamped. */
static LkImage *
graded (const LkImage *src,
        const double   mul[3],
        const double   add[3])
{
  LkImage *out = lk_image_copy (src);

  for (int y = 0; y < out->height; y++)
    for (int x = 0; x < out->width; x++)
      for (int k = 0; k < 3; k++)
        {
          guint8 *p = lk_image_pixel (out, x, y) + k;

          *p = (guint8) CLAMP (lround (*p * mul[k] + add[k]), 0, 255);
        }

  return out;
}

static LkImage *
with_noise (const LkImage *src,
            int            amplitude)
{
  LkImage *out = lk_image_copy (src);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);

  for (int y = 0; y < out->height; y++)
    for (int x = 0; x < out->width * out->channels; x++)
      {
        guint8 *p = lk_image_row (out, y) + x;

        *p = (guint8) CLAMP (*p + g_rand_int_range (rand, -amplitude, amplitude + 1), 0, 255);
      }

  return out;
}

/* A face with landmarks well inside its crop and a clear pose. */
static LkFace *
pick_face (gboolean most_turned)
{
  g_autoptr(GPtrArray) faces = faces_of ("tiny_person_c.mp4");
  LkFace *best = NULL;

  g_assert_cmpuint (faces->len, >, 10);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      if (best == NULL ||
          (most_turned && fabs (face->metrics.yaw) > fabs (best->metrics.yaw)))
        best = face;
    }

  return lk_face_copy (best);
}

static void
test_sharpness_blur (void)
{
  g_autoptr(LkFace) face = pick_face (FALSE);
  float lm[LK_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = load_crop (face, lm);
  g_autoptr(LkImage) soft = blurred (crop);
  LkFaceMetrics a, b;

  g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &a));
  g_assert_true (lk_curate_face_metrics (soft, (const float (*)[2]) lm, &b));
  g_test_message ("sharpness %.1f, blurred %.1f", a.sharpness, b.sharpness);
  g_assert_cmpfloat (a.sharpness, >, 0);
  g_assert_cmpfloat (b.sharpness, <, 0.5 * a.sharpness);
  /* Blur does not change the exposure much. */
  g_assert_cmpfloat (fabs (a.exposure - b.exposure), <, 0.03);
}

/* The blurred photo of the test data (made with ffmpeg's gblur) against its
 * original, through the whole analysis. */
static void
test_sharpness_blurred_photo (void)
{
  g_autoptr(GPtrArray) sharp = NULL;
  g_autoptr(GPtrArray) soft = NULL;
  double s, b;

  analyse_all ();
  sharp = faces_of ("single_man_000007.jpg");
  soft = faces_of ("blurred_man_000007.jpg");
  if (sharp->len != 1 || soft->len != 1)
    {
      g_test_skip ("the detector did not find exactly one face in each photo");
      return;
    }
  s = ((LkFace *) sharp->pdata[0])->metrics.sharpness;
  b = ((LkFace *) soft->pdata[0])->metrics.sharpness;
  g_test_message ("photo sharpness %.1f, blurred photo %.1f", s, b);
  g_assert_cmpfloat (b, <, 0.3 * s);
}

/* The same face cut from its photo at 256 and 512 px measures about as
 * sharp: the figure is normalised to the 256 grid. A 128 px crop holds less
 * detail than that grid and measures softer. */
static void
test_sharpness_resolution (void)
{
  g_autoptr(GPtrArray) faces = faces_of ("single_man_000007.jpg");
  g_autoptr(GError) error = NULL;
  g_autofree char *photo = testdata ("images", "single_man_000007.jpg");
  g_autoptr(LkImage) frame = lk_image_load (photo, &error);
  const int sizes[] = { 128, 256, 512 };
  double sharpness[3];
  LkFace *face;

  g_assert_no_error (error);
  if (faces->len != 1)
    {
      g_test_skip ("the detector did not find exactly one face");
      return;
    }
  face = faces->pdata[0];

  for (int i = 0; i < 3; i++)
    {
      LkAlignParams params = lk_align_params_default ();
      LkAlignment alignment;
      g_autoptr(LkImage) crop = NULL;
      float lm[LK_N_LANDMARKS][2];
      LkFaceMetrics m;

      params.size = sizes[i];
      params.coverage = face->coverage;
      g_assert_true (lk_align_compute ((const float (*)[2]) face->landmarks, &params, &alignment));
      crop = lk_align_extract (frame, &alignment);
      lk_align_transform_points (&alignment.frame_to_face, (const float (*)[2]) face->landmarks,
                                 lm, LK_N_LANDMARKS);
      g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &m));
      sharpness[i] = m.sharpness;
    }
  g_test_message ("sharpness at 128 px %.1f, 256 px %.1f, 512 px %.1f",
                  sharpness[0], sharpness[1], sharpness[2]);
  g_assert_cmpfloat (sharpness[2], >, 0.6 * sharpness[1]);
  g_assert_cmpfloat (sharpness[2], <, 1.6 * sharpness[1]);
  g_assert_cmpfloat (sharpness[0], <, sharpness[1]);
}

static void
test_exposure_dark (void)
{
  g_autoptr(LkFace) face = pick_face (FALSE);
  float lm[LK_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = load_crop (face, lm);
  const double half[3] = { 0.3, 0.3, 0.3 }, zero[3] = { 0, 0, 0 };
  const double one[3] = { 1, 1, 1 }, lift[3] = { 120, 120, 120 };
  g_autoptr(LkImage) dark = graded (crop, half, zero);
  g_autoptr(LkImage) bright = graded (crop, one, lift);
  LkFaceMetrics a, b, c;

  g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &a));
  g_assert_true (lk_curate_face_metrics (dark, (const float (*)[2]) lm, &b));
  g_assert_true (lk_curate_face_metrics (bright, (const float (*)[2]) lm, &c));
  g_test_message ("exposure %.3f, darkened %.3f, brightened %.3f; clipped dark %.3f -> %.3f, "
                  "bright %.3f -> %.3f", a.exposure, b.exposure, c.exposure, a.clipped_dark,
                  b.clipped_dark, a.clipped_bright, c.clipped_bright);
  g_assert_cmpfloat (a.exposure, >, 0.1);
  g_assert_cmpfloat (a.exposure, <, 0.9);
  g_assert_cmpfloat (fabs (b.exposure - 0.3 * a.exposure), <, 0.02);
  g_assert_cmpfloat (b.clipped_dark, >=, a.clipped_dark);
  g_assert_cmpfloat (c.exposure, >, a.exposure + 0.3);
  g_assert_cmpfloat (c.clipped_bright, >, a.clipped_bright);

  /* The default rules call them dark and bright, and not the original. */
  {
    LkAutoCurateParams p = lk_auto_curate_params_default ();

    g_assert_cmpfloat (a.exposure, >, p.dark_exposure);
    g_assert_cmpfloat (a.exposure, <, p.bright_exposure);
    g_assert_true (b.exposure < p.dark_exposure || b.clipped_dark > p.max_clipped);
    g_assert_true (c.exposure > p.bright_exposure || c.clipped_bright > p.max_clipped);
  }
}

static void
test_colour_cast (void)
{
  g_autoptr(LkFace) face = pick_face (FALSE);
  float lm[LK_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = load_crop (face, lm);
  const double one[3] = { 1, 1, 1 };
  const double blue[3] = { -25, 0, 40 }, green[3] = { -20, 35, -20 }, zero[3] = { 0, 0, 0 };
  g_autoptr(LkImage) bluish = graded (crop, one, blue);
  g_autoptr(LkImage) greenish = graded (crop, one, green);
  g_autoptr(LkImage) grey = lk_image_copy (crop);
  LkFaceMetrics a, b, g, n;
  LkAutoCurateParams p = lk_auto_curate_params_default ();

  (void) zero;
  for (int y = 0; y < grey->height; y++)
    for (int x = 0; x < grey->width; x++)
      {
        guint8 *px = lk_image_pixel (grey, x, y);
        guint8 l = (guint8) ((px[0] + px[1] + px[2]) / 3);

        px[0] = px[1] = px[2] = l;
      }

  g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &a));
  g_assert_true (lk_curate_face_metrics (bluish, (const float (*)[2]) lm, &b));
  g_assert_true (lk_curate_face_metrics (greenish, (const float (*)[2]) lm, &g));
  g_assert_true (lk_curate_face_metrics (grey, (const float (*)[2]) lm, &n));
  g_test_message ("cast %.1f, blue %.1f, green %.1f, grey %.1f", a.colour_cast, b.colour_cast,
                  g.colour_cast, n.colour_cast);
  g_assert_cmpfloat (b.colour_cast, >, a.colour_cast + 10);
  g_assert_cmpfloat (g.colour_cast, >, a.colour_cast + 10);
  /* natural skin is not a cast, nor is a grey picture */
  g_assert_cmpfloat (a.colour_cast, <, p.max_colour_cast);
  g_assert_cmpfloat (n.colour_cast, <, 1.0);
  g_assert_cmpfloat (b.colour_cast, >, p.max_colour_cast);
  g_assert_cmpfloat (g.colour_cast, >, p.max_colour_cast);
}

/* The 68-point markup's left-right mirror. */
static const int mirror_index[LK_N_LANDMARKS] = {
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,  /* jaw */
  26, 25, 24, 23, 22, 21, 20, 19, 18, 17,                    /* brows */
  27, 28, 29, 30, 35, 34, 33, 32, 31,                        /* nose */
  45, 44, 43, 42, 47, 46, 39, 38, 37, 36, 41, 40,            /* eyes */
  54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55,            /* outer lips */
  64, 63, 62, 61, 60, 67, 66, 65,                            /* inner lips */
};

static void
test_mirror_pose (void)
{
  g_autoptr(LkFace) face = pick_face (TRUE);
  float lm[LK_N_LANDMARKS][2], mlm[LK_N_LANDMARKS][2], frame_m[LK_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = load_crop (face, lm);
  g_autoptr(LkImage) flipped = lk_image_copy (crop);
  const float (*frame_lm)[2] = (const float (*)[2]) face->landmarks;
  LkFaceMetrics a, b;
  LkPose p, q;

  for (int y = 0; y < crop->height; y++)
    for (int x = 0; x < crop->width; x++)
      memcpy (lk_image_pixel (flipped, crop->width - 1 - x, y), lk_image_pixel (crop, x, y), 3);
  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      int j = mirror_index[i];

      g_assert_cmpint (mirror_index[j], ==, i);
      mlm[i][0] = crop->width - 1 - lm[j][0];
      mlm[i][1] = lm[j][1];
      frame_m[i][0] = 1000.0f - frame_lm[j][0];
      frame_m[i][1] = frame_lm[j][1];
    }

  /* In the frame: the stored pose and the mirrored landmarks' pose. */
  g_assert_true (lk_pose_estimate (frame_lm, &p));
  g_assert_true (lk_pose_estimate ((const float (*)[2]) frame_m, &q));
  g_test_message ("yaw %.1f (stored %.1f), mirrored %.1f", p.yaw, face->metrics.yaw, q.yaw);
  g_assert_cmpfloat (fabs (p.yaw), >, 3.0);
  g_assert_cmpfloat (p.yaw * q.yaw, <, 0);
  g_assert_cmpfloat (fabs (p.yaw + q.yaw), <, 1.0);

  /* In the crop, through the metrics: yaw flips, exposure and colour stay. */
  g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &a));
  g_assert_true (lk_curate_face_metrics (flipped, (const float (*)[2]) mlm, &b));
  g_assert_cmpfloat (a.yaw * b.yaw, <, 0);
  g_assert_cmpfloat (fabs (a.yaw - p.yaw), <, 1.0);
  g_assert_cmpfloat (fabs (a.exposure - b.exposure), <, 0.01);
  g_assert_cmpfloat (fabs (a.colour_cast - b.colour_cast), <, 0.5);
  g_assert_cmpfloat (fabs (a.landmark_fit - b.landmark_fit), <, 0.01);
  g_assert_cmpfloat (fabs (a.occlusion - b.occlusion), <, 0.05);
}

static void
write_png (const LkImage *image,
           const char    *name,
           char         **path_out)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (lk_image_save_png (image, path, &error));
  g_assert_no_error (error);
  *path_out = path;
}

/* A JPEG of @png at quality @q through the ffmpeg tool, or NULL. */
static LkImage *
jpeg_copy (const char *png,
           const char *q)
{
  g_autofree char *jpg = g_strconcat (png, ".jpg", NULL);
  const char *argv[] = { "ffmpeg", "-v", "error", "-y", "-i", png, "-q:v", q, jpg, NULL };
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                     &status, NULL) || !g_spawn_check_wait_status (status, NULL))
    return NULL;
  return lk_image_load (jpg, NULL);
}

static void
test_duplicates_hash (void)
{
  g_autoptr(GPtrArray) faces = faces_of ("tiny_person_c.mp4");
  g_autoptr(LkFace) face = pick_face (FALSE);
  g_autoptr(LkImage) crop = load_crop (face, NULL);
  g_autoptr(LkImage) copy = lk_image_copy (crop);
  g_autoptr(LkImage) noisy = with_noise (crop, 6);
  g_autofree char *png = NULL;
  g_autoptr(LkImage) jpeg = NULL;
  g_autofree guint64 *hashes = g_new (guint64, faces->len + 4);
  g_autofree gint64 *groups = g_new (gint64, faces->len + 4);
  g_autoptr(GHashTable) clusters = g_hash_table_new (g_int64_hash, g_int64_equal);
  const int t = LK_DUPLICATES_DEFAULT_DISTANCE;
  guint n = 0, singles = 0;

  write_png (crop, "dup.png", &png);
  jpeg = jpeg_copy (png, "12");

  hashes[n++] = lk_curate_face_phash (crop, face->coverage);
  hashes[n++] = lk_curate_face_phash (copy, face->coverage);
  hashes[n++] = lk_curate_face_phash (noisy, face->coverage);
  hashes[n++] = jpeg != NULL ? lk_curate_face_phash (jpeg, face->coverage) : hashes[2];
  g_test_message ("distances: copy %d, noise %d, jpeg %d",
                  lk_curate_hamming (hashes[0], hashes[1]), lk_curate_hamming (hashes[0], hashes[2]),
                  lk_curate_hamming (hashes[0], hashes[3]));
  g_assert_cmpuint (hashes[0], !=, 0);
  g_assert_cmpint (lk_curate_hamming (hashes[0], hashes[1]), ==, 0);
  g_assert_cmpint (lk_curate_hamming (hashes[0], hashes[2]), <=, t);
  g_assert_cmpint (lk_curate_hamming (hashes[0], hashes[3]), <=, t);

  /* The test video's frames, far apart in time, are not one group. */
  for (guint i = 0; i < faces->len; i++)
    {
      g_autoptr(LkImage) c = load_crop (faces->pdata[i], NULL);

      hashes[n++] = lk_curate_face_phash (c, ((LkFace *) faces->pdata[i])->coverage);
    }
  lk_curate_group_hashes (hashes, n, t, groups);
  g_assert_cmpint (groups[0], ==, 0);
  g_assert_cmpint (groups[1], ==, 0);
  g_assert_cmpint (groups[2], ==, 0);
  g_assert_cmpint (groups[3], ==, 0);
  for (guint i = 4; i < n; i++)
    {
      if (groups[i] < 0)
        singles++;
      else
        g_hash_table_add (clusters, &groups[i]);
    }
  g_test_message ("%u video faces: %u groups, %u alone", n - 4, g_hash_table_size (clusters),
                  singles);
  g_assert_cmpuint (g_hash_table_size (clusters) + singles, >=, 3);
  /* members are within the distance of their group's first face */
  for (guint i = 4; i < n; i++)
    if (groups[i] >= 0)
      g_assert_cmpint (lk_curate_hamming (hashes[i], hashes[groups[i]]), <=, t);
}

/* Grouping around leaders: no chaining beyond the distance. */
static void
test_duplicates_grouping (void)
{
  const guint64 h[] = {
    0x0F0F0F0F0F0F0F0FULL,
    0x0F0F0F0F0F0F0F0EULL,  /* 1 from [0] */
    0x0F0F0F0F0F0F0F1EULL,  /* 1 from [1], 2 from [0]: its own leader */
    0xF0F0F0F0F0F0F0F0ULL,  /* far */
    0,                      /* no hash */
    0xF0F0F0F0F0F0F0F1ULL,  /* 1 from [3] */
    0x123456789ABCDEF0ULL,
  };
  gint64 g[G_N_ELEMENTS (h)];

  g_assert_cmpuint (lk_curate_group_hashes (h, G_N_ELEMENTS (h), 1, g), ==, 2);
  g_assert_cmpint (g[0], ==, 0);
  g_assert_cmpint (g[1], ==, 0);
  g_assert_cmpint (g[2], ==, -1);
  g_assert_cmpint (g[3], ==, 3);
  g_assert_cmpint (g[4], ==, -1);
  g_assert_cmpint (g[5], ==, 3);
  g_assert_cmpint (g[6], ==, -1);

  /* at 2, [2] joins [0] */
  g_assert_cmpuint (lk_curate_group_hashes (h, G_N_ELEMENTS (h), 2, g), ==, 2);
  g_assert_cmpint (g[2], ==, 0);

  g_assert_cmpuint (lk_curate_group_hashes (h, G_N_ELEMENTS (h), 0, g), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (h); i++)
    g_assert_cmpint (g[i], ==, -1);
}

typedef struct
{
  gboolean  included;
  char     *reason;
} State;

static GHashTable *
snapshot (void)
{
  g_autoptr(GPtrArray) faces = list_faces (-1);
  GHashTable *states = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      gint64 *id = g_memdup2 (&face->id, sizeof face->id);
      /* "i" or "x:<reason>" */
      char *state = face->included ? g_strdup ("i") : g_strdup_printf ("x:%s", face->exclude_reason);

      g_hash_table_insert (states, id, state);
    }

  return states;
}

static void
assert_same_states (GHashTable *a,
                    GHashTable *b)
{
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpstr (value, ==, g_hash_table_lookup (b, key));
}

static void
test_analyse_project (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkAnalyseSummary summary = { 0 };
  g_autoptr(LkJob) job = lk_job_new ("analyse");

  g_assert_true (lk_curate_analyse (project, -1, FALSE, job, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.failed, ==, 0);
  lk_analyse_summary_clear (&summary);

  faces = list_faces (-1);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      const LkFaceMetrics *m = &face->metrics;

      g_assert_false (lk_curate_face_needs_metrics (face));
      g_assert_cmpint (face->phash, !=, 0);
      g_assert_cmpfloat (m->sharpness, >, 0);
      g_assert_cmpfloat (m->exposure, >, 0);
      g_assert_cmpfloat (m->exposure, <, 1);
      g_assert_cmpfloat (m->clipped_dark, >=, 0);
      g_assert_cmpfloat (m->clipped_bright, <=, 1);
      g_assert_cmpfloat (m->colour_cast, >=, 0);
      g_assert_cmpfloat (m->occlusion, >=, 0);
      g_assert_cmpfloat (m->occlusion, <=, 1);
      /* extraction's figures are kept */
      g_assert_cmpfloat_with_epsilon (m->face_size, face->box[2], 0.01);
    }
  g_assert_cmpfloat (lk_job_get_fraction (job), ==, 1.0);

  /* A second run has nothing left to do. */
  g_assert_true (lk_curate_analyse (project, -1, FALSE, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.computed, ==, 0);
  g_assert_cmpuint (summary.hashed, ==, 0);
  g_assert_cmpuint (summary.faces, ==, faces->len);
}

/* An unreadable crop is counted and named, the others are measured; a
 * cancelled run stores nothing more. */
static void
test_analyse_failures_and_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = faces_of ("tiny_person_c.mp4");
  g_autoptr(LkJob) job = lk_job_new ("analyse");
  LkFace *victim = faces->pdata[3];
  g_autofree char *moved = g_strconcat (victim->file, ".away", NULL);
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(LkFace) after = NULL;
  LkAnalyseSummary summary = { 0 };
  const gint64 id = victim->id;
  const LkFaceMetrics nothing = { NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN };

  /* Forget the victim's metrics, hide its crop. */
  g_assert_true (lk_project_store_metrics (project, &id, &nothing, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_rename (victim->file, moved), ==, 0);

  g_assert_true (lk_curate_analyse (project, LK_IDENTITY_A, FALSE, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.failed, ==, 1);
  g_assert_cmpuint (summary.computed, ==, 0);
  g_assert_nonnull (strstr (summary.first_failure, victim->file));
  lk_analyse_summary_clear (&summary);
  after = lk_project_get_face (project, id, &error);
  g_assert_true (isnan (after->metrics.sharpness));

  g_assert_cmpint (g_rename (moved, victim->file), ==, 0);

  /* Cancelled before it starts: fails as cancelled, measures nothing. */
  lk_job_cancel (job);
  g_assert_false (lk_curate_analyse (project, LK_IDENTITY_A, FALSE, job, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (summary.computed, ==, 0);
  lk_analyse_summary_clear (&summary);
  g_clear_pointer (&after, lk_face_free);
  after = lk_project_get_face (project, id, NULL);
  g_assert_true (isnan (after->metrics.sharpness));

  /* And a normal run puts it right. */
  analyse_all ();
  g_clear_pointer (&after, lk_face_free);
  after = lk_project_get_face (project, id, NULL);
  g_assert_cmpfloat (after->metrics.sharpness, >, 0);
  g_assert_cmpfloat_with_epsilon (after->metrics.face_size, after->box[2], 0.01);
  g_assert_true (isfinite (after->metrics.yaw));
}

static void
test_keep_best_and_undo (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(LkFaceStates) previous = NULL;
  g_autoptr(GHashTable) kept = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  guint n_groups = 0, n_excluded = 0;

  analyse_all ();
  /* a generous distance, so the test video surely has groups */
  g_assert_true (lk_curate_find_duplicates (project, -1, 12, &n_groups, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_groups, >, 0);

  before = snapshot ();
  g_assert_true (lk_curate_keep_best_of_groups (project, -1, &previous, &n_excluded, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_excluded, >, 0);
  g_assert_cmpuint (previous->n, ==, n_excluded);

  /* Each group has exactly one included face left: its sharpest. */
  faces = list_faces (-1);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      if (face->dup_group < 0 || !face->included)
        continue;
      g_assert_false (g_hash_table_contains (kept, &face->dup_group));
      g_hash_table_add (kept, g_memdup2 (&face->dup_group, sizeof (gint64)));
      for (guint j = 0; j < faces->len; j++)
        {
          LkFace *other = faces->pdata[j];

          if (other->dup_group == face->dup_group && other != face)
            {
              g_assert_false (other->included);
              g_assert_cmpstr (other->exclude_reason, ==, "duplicate");
              g_assert_cmpfloat (other->metrics.sharpness, <=, face->metrics.sharpness);
            }
        }
    }
  g_assert_cmpuint (g_hash_table_size (kept), ==, n_groups);

  g_assert_true (lk_face_states_restore (previous, project, &error));
  g_assert_no_error (error);
  after = snapshot ();
  assert_same_states (before, after);
}

static void
test_auto_curate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) unchanged = NULL;
  g_autoptr(GHashTable) restored = NULL;
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  g_autoptr(LkFaceStates) previous = NULL;
  g_autoptr(GPtrArray) multi = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkAutoCurateParams params = lk_auto_curate_params_default ();
  const gint64 manual_id = 1;
  guint counted[LK_CURATE_N_RULES] = { 0 }, newly = 0;

  g_assert_true (lk_curate_prepare (project, -1, &params, NULL, NULL, &error));
  g_assert_no_error (error);

  /* One face excluded by hand beforehand: the pass leaves it alone. */
  g_assert_true (lk_project_set_faces_included (project, &manual_id, 1, FALSE, "manual", &error));
  g_assert_no_error (error);

  before = snapshot ();
  plan = lk_auto_curate_plan (project, -1, &params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plan);
  unchanged = snapshot ();
  assert_same_states (before, unchanged);

  for (int r = 0; r < LK_CURATE_N_RULES; r++)
    {
      g_test_message ("%-12s flagged %u, excluded %u", lk_curate_rule_to_string (r),
                      plan->flagged[r], plan->excluded[r]);
      g_assert_cmpuint (plan->excluded[r], <=, plan->flagged[r]);
    }
  g_assert_cmpuint (plan->face_ids->len, ==, plan->total);
  g_assert_cmpuint (plan->considered, ==, g_hash_table_size (before) - 1);

  /* Every face of a frame with several faces is flagged "multi-face". */
  multi = g_ptr_array_new ();
  faces = list_faces (-1);
  for (guint i = 0; i < faces->len; i++)
    if (((LkFace *) faces->pdata[i])->faces_in_frame > 1 && ((LkFace *) faces->pdata[i])->id != manual_id)
      g_ptr_array_add (multi, faces->pdata[i]);
  g_assert_cmpuint (multi->len, >=, 2);
  g_assert_cmpuint (plan->excluded[LK_CURATE_RULE_MULTI_FACE], ==, multi->len);

  g_assert_true (lk_auto_curate_apply (project, plan, &previous, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (previous->n, ==, plan->total);

  /* What apply did is what the preview said. */
  g_clear_pointer (&faces, g_ptr_array_unref);
  faces = list_faces (-1);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      const char *was = g_hash_table_lookup (before, &face->id);
      int rule;

      if (face->faces_in_frame > 1 && face->id != manual_id)
        {
          g_assert_false (face->included);
          g_assert_cmpstr (face->exclude_reason, ==, "multi-face");
        }
      if (g_str_equal (was, "i") && !face->included)
        {
          newly++;
          rule = lk_curate_rule_from_string (face->exclude_reason);
          g_assert_cmpint (rule, >=, 0);
          counted[rule]++;
        }
      else if (!g_str_equal (was, "i"))
        {
          /* already excluded: untouched */
          g_autofree char *now = g_strdup_printf ("x:%s", face->exclude_reason);

          g_assert_false (face->included);
          g_assert_cmpstr (now, ==, was);
        }
    }
  g_assert_cmpuint (newly, ==, plan->total);
  for (int r = 0; r < LK_CURATE_N_RULES; r++)
    g_assert_cmpuint (counted[r], ==, plan->excluded[r]);

  /* A second pass finds nothing more to exclude, except what duplicates of
   * newly grouped survivors would be: none, since groups keep one face. */
  {
    g_autoptr(LkAutoCuratePlan) again = lk_auto_curate_plan (project, -1, &params, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (again->total, ==, 0);
  }

  /* Undo restores every face exactly. */
  g_assert_true (lk_face_states_restore (previous, project, &error));
  g_assert_no_error (error);
  restored = snapshot ();
  assert_same_states (before, restored);

  g_assert_true (lk_project_set_faces_included (project, &manual_id, 1, TRUE, NULL, &error));
}

static void
test_pose_coverage (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkPoseCoverage) c = lk_curate_pose_coverage (project, LK_IDENTITY_A, 0, &error);
  g_autoptr(GPtrArray) included = lk_project_list_faces (project, LK_IDENTITY_A,
                                                         LK_FACE_FILTER_INCLUDED, NULL, "id",
                                                         FALSE, NULL);
  guint sum = 0;

  g_assert_no_error (error);
  g_assert_nonnull (c);
  g_assert_cmpint (c->n_yaw, ==, 18);
  g_assert_cmpint (c->n_pitch, ==, 12);
  g_assert_cmpuint (c->total + c->no_pose, ==, included->len);
  for (int y = 0; y < c->n_pitch; y++)
    for (int x = 0; x < c->n_yaw; x++)
      sum += lk_pose_coverage_count (c, x, y);
  g_assert_cmpuint (sum, ==, c->total);

  /* each face is in the bin of its angles */
  for (guint i = 0; i < included->len; i++)
    {
      LkFace *face = included->pdata[i];
      int x = (int) floor ((face->metrics.yaw + 90) / 10), y = (int) floor ((face->metrics.pitch + 60) / 10);

      g_assert_cmpuint (lk_pose_coverage_count (c, CLAMP (x, 0, 17), CLAMP (y, 0, 11)), >, 0);
    }

  /* A near-frontal talking head leaves angles around it missing; each is
   * empty and next to a populated bin. */
  g_assert_cmpuint (c->missing->len, >, 0);
  for (guint i = 0; i < c->missing->len; i++)
    {
      LkPoseBin *bin = &g_array_index (c->missing, LkPoseBin, i);
      gboolean near = FALSE;

      g_assert_cmpuint (lk_pose_coverage_count (c, bin->yaw_bin, bin->pitch_bin), ==, 0);
      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
          {
            int x = bin->yaw_bin + dx, y = bin->pitch_bin + dy;

            if (x >= 0 && x < c->n_yaw && y >= 0 && y < c->n_pitch &&
                lk_pose_coverage_count (c, x, y) > 0)
              near = TRUE;
          }
      g_assert_true (near);
      g_assert_cmpfloat (bin->yaw, ==, -90 + (bin->yaw_bin + 0.5) * 10);
    }
}

/* A video lit in one colour throughout keeps its faces; a face tinted more
 * than the rest of its video, and a tinted photo, are excluded. Synthetic
 * rows with set metrics, in a project of their own. */
static void
test_tinted_relative (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "Tinted", NULL);
  g_autoptr(LkProject) tinted = lk_project_create (path, &error);
  g_autofree char *video = testdata ("videos", "tiny_person_c.mp4");
  g_autofree char *photo = testdata ("images", "single_man_000125.jpg");
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) metrics = g_array_new (FALSE, FALSE, sizeof (LkFaceMetrics));
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  LkAutoCurateParams params = lk_auto_curate_params_default ();
  gint64 sources[2], outlier = -1, photo_face = -1;

  g_assert_no_error (error);
  sources[0] = lk_project_add_source (tinted, LK_IDENTITY_A, video, &error);
  sources[1] = lk_project_add_source (tinted, LK_IDENTITY_A, photo, &error);
  g_assert_no_error (error);

  /* 20 frames of the video at cast 20 (over the bar of 12), one at 35; the
   * photo at 20. */
  for (int i = 0; i < 22; i++)
    {
      g_autoptr(LkFace) face = lk_face_new ();
      gint64 source = i < 21 ? sources[0] : sources[1];
      LkFaceMetrics m;

      face->identity = LK_IDENTITY_A;
      face->file = g_build_filename (path, "faces", "A", "none.png", NULL);
      face->crop_size = 256;
      g_assert_cmpint (lk_project_store_frame (tinted, source, i, i, i / 30.0, &face, 1, &error), >, 0);
      g_assert_no_error (error);
      lk_face_metrics_init (&m);
      m.colour_cast = i == 7 ? 35 : 20;
      g_array_append_val (ids, face->id);
      g_array_append_val (metrics, m);
      if (i == 7)
        outlier = face->id;
      if (i == 21)
        photo_face = face->id;
    }
  g_assert_true (lk_project_store_metrics (tinted, (const gint64 *) ids->data,
                                           (const LkFaceMetrics *) metrics->data, ids->len, &error));

  params.duplicates = FALSE;
  plan = lk_auto_curate_plan (tinted, LK_IDENTITY_A, &params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->excluded[LK_CURATE_RULE_TINTED], ==, 2);
  g_assert_cmpuint (plan->face_ids->len, ==, 2);
  for (guint i = 0; i < plan->face_ids->len; i++)
    {
      gint64 id = g_array_index (plan->face_ids, gint64, i);

      g_assert_true (id == outlier || id == photo_face);
    }
  g_clear_pointer (&plan, lk_auto_curate_plan_free);

  /* Without the margin the absolute bar alone excludes all 22. */
  params.colour_cast_margin = 0;
  plan = lk_auto_curate_plan (tinted, LK_IDENTITY_A, &params, &error);
  g_assert_cmpuint (plan->excluded[LK_CURATE_RULE_TINTED], ==, 22);
}

/* Occlusion: synthetic occluders painted over real faces. Each is a flat
 * rectangle over a part of the landmarks' bounding box, like a hand, a
 * microphone or hair, of a colour unlike skin. */

typedef struct
{
  const char *name;
  double      box[4];   /* x0, y0, x1, y1 as shares of the landmarks' bounding box */
  guint8      rgb[3];
} Occluder;

static const Occluder occluders[] = {
  { "grey hand over a cheek", { -0.05, 0.4, 0.6, 1.05 }, { 128, 128, 128 } },
  { "dark microphone over mouth and chin", { 0.2, 0.5, 0.8, 1.05 }, { 38, 38, 42 } },
  { "brown hair over the eyes", { -0.05, -0.05, 1.05, 0.33 }, { 72, 50, 34 } },
};

/* Whether (x, y) lies inside the face outline: the jaw, then the brows back. */
static gboolean
inside_outline (const float (*lm)[2],
                double        x,
                double        y)
{
  int outline[27], n = 0;
  gboolean in = FALSE;

  for (int i = 0; i <= 16; i++)
    outline[n++] = i;
  for (int i = 26; i >= 17; i--)
    outline[n++] = i;
  for (int i = 0, j = n - 1; i < n; j = i++)
    {
      double xi = lm[outline[i]][0], yi = lm[outline[i]][1];
      double xj = lm[outline[j]][0], yj = lm[outline[j]][1];

      if ((yi > y) != (yj > y) && x < xj + (y - yj) * (xi - xj) / (yi - yj))
        in = !in;
    }

  return in;
}

/* @crop with @occ painted over it; @rect receives the rectangle in crop
 * pixels, @coverage the share of the face outline's pixels it covers. */
static LkImage *
occluded (const LkImage   *crop,
          const float    (*lm)[2],
          const Occluder  *occ,
          double           rect[4],
          double          *coverage)
{
  LkImage *out = lk_image_copy (crop);
  double lo_x = G_MAXDOUBLE, hi_x = -G_MAXDOUBLE, lo_y = G_MAXDOUBLE, hi_y = -G_MAXDOUBLE;
  guint face = 0, covered = 0;

  for (int i = 0; i < LK_N_LANDMARKS; i++)
    {
      lo_x = MIN (lo_x, lm[i][0]);
      hi_x = MAX (hi_x, lm[i][0]);
      lo_y = MIN (lo_y, lm[i][1]);
      hi_y = MAX (hi_y, lm[i][1]);
    }
  rect[0] = lo_x + occ->box[0] * (hi_x - lo_x);
  rect[1] = lo_y + occ->box[1] * (hi_y - lo_y);
  rect[2] = lo_x + occ->box[2] * (hi_x - lo_x);
  rect[3] = lo_y + occ->box[3] * (hi_y - lo_y);

  for (int y = 0; y < out->height; y++)
    for (int x = 0; x < out->width; x++)
      {
        gboolean in_rect = x >= rect[0] && x < rect[2] && y >= rect[1] && y < rect[3];

        if (in_rect)
          memcpy (lk_image_pixel (out, x, y), occ->rgb, 3);
        if (inside_outline (lm, x, y))
          {
            face++;
            covered += in_rect;
          }
      }
  *coverage = (double) covered / MAX (face, 1);

  return out;
}

/* Share of the figure that comes from cells overlapping @rect. */
static double
share_under (const LkOcclusionCells *cells,
             const double            rect[4])
{
  double all = 0, under = 0;

  for (int c = 0; c < cells->n * cells->n; c++)
    {
      double w = cells->box[2] / cells->n, h = cells->box[3] / cells->n;
      double x = cells->box[0] + (c % cells->n) * w, y = cells->box[1] + (c / cells->n) * h;
      double weight = cells->covered[c] * cells->area[c];

      all += weight;
      if (x < rect[2] && x + w > rect[0] && y < rect[3] && y + h > rect[1])
        under += weight;
    }

  return all > 0 ? under / all : 1.0;
}

static char *
cell_map (const LkOcclusionCells *cells)
{
  GString *s = g_string_new (NULL);

  for (int c = 0; c < cells->n * cells->n; c++)
    {
      if (c % cells->n == 0)
        g_string_append (s, "\n#   ");
      if (cells->area[c] == 0)
        g_string_append (s, "   .  ");
      else
        g_string_append_printf (s, " %4.2f%c", cells->covered[c], cells->skin[c] ? ' ' : '*');
    }

  return g_string_free (s, FALSE);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* "min / median / 95th percentile / max" of @values (sorted in place). */
static char *
distribution (GArray *values)
{
  double *v = (double *) values->data;
  guint n = values->len;

  g_array_sort (values, compare_doubles);
  return g_strdup_printf ("min %.3f, median %.3f, 95%% %.3f, max %.3f", v[0], v[n / 2],
                          v[MIN (n - 1, (guint) (0.95 * n))], v[n - 1]);
}

/* Every face of the clean clip scores below the rule's default threshold;
 * each painted occluder, covering about a third of the face, lifts nearly
 * every face above it, and what the figure counts lies under it. */
static void
test_occlusion (void)
{
  g_autoptr(GPtrArray) faces = faces_of ("tiny_person_c.mp4");
  g_autoptr(GArray) clean = g_array_new (FALSE, FALSE, sizeof (double));
  LkAutoCurateParams p = lk_auto_curate_params_default ();
  const guint n_occ = G_N_ELEMENTS (occluders);
  GArray *scores[G_N_ELEMENTS (occluders)];
  guint above[G_N_ELEMENTS (occluders)] = { 0 };
  double coverage_sum[G_N_ELEMENTS (occluders)] = { 0 };

  g_assert_cmpfloat (p.max_occlusion, >, 0);
  g_assert_cmpuint (faces->len, >, 10);
  for (guint k = 0; k < n_occ; k++)
    scores[k] = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < faces->len; i++)
    {
      float lm[LK_N_LANDMARKS][2];
      g_autoptr(LkImage) crop = load_crop (faces->pdata[i], lm);
      LkFaceMetrics m;

      g_assert_true (lk_curate_face_metrics (crop, (const float (*)[2]) lm, &m));
      g_array_append_val (clean, m.occlusion);
      g_assert_cmpfloat (m.occlusion, >=, 0);
      g_assert_cmpfloat (m.occlusion, <, p.max_occlusion);

      for (guint k = 0; k < n_occ; k++)
        {
          double rect[4], coverage;
          g_autoptr(LkImage) covered = occluded (crop, (const float (*)[2]) lm, &occluders[k], rect,
                                                 &coverage);
          LkOcclusionCells cells;
          double score = _lk_curate_face_occlusion (covered, (const float (*)[2]) lm, &cells);

          g_assert_cmpfloat (coverage, >, 0.25);
          g_assert_cmpfloat (coverage, <, 0.45);
          g_assert_cmpfloat (score, <=, 1);
          coverage_sum[k] += coverage;
          g_array_append_val (scores[k], score);
          above[k] += score > p.max_occlusion;
          /* The metric finds the occluder, not something else. */
          if (score > p.max_occlusion && share_under (&cells, rect) < 0.9)
            {
              g_autofree char *map = cell_map (&cells);

              g_test_message ("face %" G_GINT64_FORMAT ", %s: cells%s",
                              ((LkFace *) faces->pdata[i])->id, occluders[k].name, map);
              g_assert_cmpfloat (share_under (&cells, rect), >=, 0.9);
            }
        }
    }

  {
    g_autofree char *d = distribution (clean);

    g_test_message ("occlusion of %u clean faces of tiny_person_c: %s (rule above %.2f)",
                    clean->len, d, p.max_occlusion);
  }
  for (guint k = 0; k < n_occ; k++)
    {
      g_autofree char *d = distribution (scores[k]);

      g_test_message ("%s (%.0f%% of the face): %s; %u of %u above %.2f", occluders[k].name,
                      100 * coverage_sum[k] / faces->len, d, above[k], faces->len,
                      p.max_occlusion);
      g_assert_cmpuint (above[k], >=, 0.9 * faces->len);
      g_array_unref (scores[k]);
    }
}

/* A face and its occluded copy, stored as faces of a project of their own
 * and measured by the analysis: the automatic pass excludes the copy as
 * "occluded" and keeps the face. Its landmarks fit as well as the face's,
 * so it is the occlusion metric that excludes it. */
static void
test_auto_occluded (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "Occluded", NULL);
  g_autoptr(LkProject) other = lk_project_create (path, &error);
  g_autofree char *video = testdata ("videos", "tiny_person_c.mp4");
  g_autoptr(LkFace) face = pick_face (FALSE);
  float lm[LK_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = load_crop (face, lm);
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  g_autoptr(LkFaceStates) previous = NULL;
  LkAutoCurateParams params = lk_auto_curate_params_default ();
  gint64 source, ids[2];

  g_assert_no_error (error);
  source = lk_project_add_source (other, LK_IDENTITY_A, video, &error);
  g_assert_no_error (error);

  for (int i = 0; i < 2; i++)
    {
      g_autoptr(LkFace) copy = lk_face_copy (face);
      g_autofree char *name = g_strdup_printf ("%s.png", i == 0 ? "clean" : "occluded");
      g_autoptr(LkImage) covered = NULL;
      double rect[4], coverage;

      if (i == 1)
        covered = occluded (crop, (const float (*)[2]) lm, &occluders[0], rect, &coverage);
      g_free (copy->file);
      copy->file = g_build_filename (lk_project_get_path (other), "faces", "A", name, NULL);
      g_assert_true (lk_image_save_png (i == 0 ? crop : covered, copy->file, &error));
      g_assert_no_error (error);
      copy->metrics.occlusion = NAN;
      g_assert_cmpint (lk_project_store_frame (other, source, i, i, i / 30.0, &copy, 1, &error), >,
                       0);
      g_assert_no_error (error);
      ids[i] = copy->id;
    }

  g_assert_true (lk_curate_prepare (other, LK_IDENTITY_A, &params, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    g_autoptr(LkFace) a = lk_project_get_face (other, ids[0], &error);
    g_autoptr(LkFace) b = lk_project_get_face (other, ids[1], &error);

    g_test_message ("occlusion %.3f, occluded copy %.3f; landmark fit %.2f for both",
                    a->metrics.occlusion, b->metrics.occlusion, b->metrics.landmark_fit);
    g_assert_cmpfloat (a->metrics.occlusion, <, params.max_occlusion);
    g_assert_cmpfloat (b->metrics.occlusion, >, params.max_occlusion);
    g_assert_cmpfloat (b->metrics.landmark_fit, >=, params.min_landmark_fit);
  }

  plan = lk_auto_curate_plan (other, LK_IDENTITY_A, &params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->considered, ==, 2);
  g_assert_cmpuint (plan->total, ==, 1);
  g_assert_cmpint (g_array_index (plan->face_ids, gint64, 0), ==, ids[1]);
  g_assert_cmpint (g_array_index (plan->rules, int, 0), ==, LK_CURATE_RULE_OCCLUDED);
  g_assert_true (lk_auto_curate_apply (other, plan, &previous, &error));
  g_assert_no_error (error);
  {
    g_autoptr(LkFace) a = lk_project_get_face (other, ids[0], &error);
    g_autoptr(LkFace) b = lk_project_get_face (other, ids[1], &error);

    g_assert_true (a->included);
    g_assert_false (b->included);
    g_assert_cmpstr (b->exclude_reason, ==, "occluded");
  }
  g_clear_pointer (&plan, lk_auto_curate_plan_free);

  /* With the occlusion bar off, only the landmark fit is left: it keeps both. */
  params.max_occlusion = 0;
  g_assert_true (lk_face_states_restore (previous, other, &error));
  plan = lk_auto_curate_plan (other, LK_IDENTITY_A, &params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->flagged[LK_CURATE_RULE_OCCLUDED], ==, 0);
}

/* The faces of clean clips, through extraction, analysis and the
 * automatic pass: at most 5 % are flagged as occluded. person_a (every
 * frame) talks with her hair beside her face, tiny_person_d wears
 * glasses. */
static void
test_auto_occluded_clean_clips (void)
{
  const struct { const char *name; int every_nth; } clips[] = {
    { "person_a.mp4", 1 },
    { "tiny_person_d.mp4", 5 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (clips); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_strdup_printf ("%s/Clean%u", tmpdir, c);
      g_autoptr(LkProject) clean = lk_project_create (path, &error);
      g_autofree char *video = testdata ("videos", clips[c].name);
      const char *paths[] = { video, NULL };
      LkExtractParams extract_params = lk_extract_params_default ();
      LkAutoCurateParams params = lk_auto_curate_params_default ();
      g_autoptr(LkAutoCuratePlan) plan = NULL;
      g_autoptr(GPtrArray) faces = NULL;
      g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *d = NULL;
      guint over = 0;

      g_assert_no_error (error);
      extract_params.every_nth = clips[c].every_nth;
      g_assert_true (lk_extract_sources (clean, LK_IDENTITY_A, paths, &extract_params, NULL, NULL,
                                         &error));
      g_assert_no_error (error);
      g_assert_true (lk_curate_prepare (clean, LK_IDENTITY_A, &params, NULL, NULL, &error));
      g_assert_no_error (error);

      faces = lk_project_list_faces (clean, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                     &error);
      g_assert_no_error (error);
      g_assert_cmpuint (faces->len, >=, 40);
      for (guint i = 0; i < faces->len; i++)
        {
          double v = ((LkFace *) faces->pdata[i])->metrics.occlusion;

          g_assert_true (isfinite (v));
          g_array_append_val (values, v);
          over += v > params.max_occlusion;
        }
      d = distribution (values);

      plan = lk_auto_curate_plan (clean, LK_IDENTITY_A, &params, &error);
      g_assert_no_error (error);
      g_test_message ("%s: occlusion of %u faces: %s; %u above %.2f; flagged occluded %u, "
                      "excluded as occluded %u", clips[c].name, faces->len, d, over,
                      params.max_occlusion, plan->flagged[LK_CURATE_RULE_OCCLUDED],
                      plan->excluded[LK_CURATE_RULE_OCCLUDED]);
      g_assert_cmpuint (plan->considered, ==, faces->len);
      g_assert_cmpfloat (plan->flagged[LK_CURATE_RULE_OCCLUDED], <=, 0.05 * faces->len);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();

  if (!g_file_test ("/usr/share/dlib/shape_predictor_68_face_landmarks.dat", G_FILE_TEST_EXISTS) &&
      g_getenv ("LK_LANDMARK_MODEL") == NULL)
    {
      g_printerr ("The landmark model is not installed (libdlib-data)\n");
      return 77;
    }

  tmpdir = g_dir_make_tmp ("lk-curate-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "Curate", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);

  extract (LK_IDENTITY_A, "videos", "tiny_person_c.mp4", 4);
  extract (LK_IDENTITY_B, "images", "multi_three_2008_001322.jpg", 1);
  extract (LK_IDENTITY_B, "images", "multi_group_t1.jpg", 1);
  extract (LK_IDENTITY_B, "images", "single_man_000007.jpg", 1);
  extract (LK_IDENTITY_B, "images", "blurred_man_000007.jpg", 1);

  g_test_add_func ("/engine/curate/metrics/sharpness-blur", test_sharpness_blur);
  g_test_add_func ("/engine/curate/metrics/sharpness-resolution", test_sharpness_resolution);
  g_test_add_func ("/engine/curate/metrics/exposure", test_exposure_dark);
  g_test_add_func ("/engine/curate/metrics/colour-cast", test_colour_cast);
  g_test_add_func ("/engine/curate/metrics/mirror-pose", test_mirror_pose);
  g_test_add_func ("/engine/curate/metrics/analyse-project", test_analyse_project);
  g_test_add_func ("/engine/curate/metrics/blurred-photo", test_sharpness_blurred_photo);
  g_test_add_func ("/engine/curate/metrics/unreadable-and-cancel", test_analyse_failures_and_cancel);
  g_test_add_func ("/engine/curate/duplicates/hash", test_duplicates_hash);
  g_test_add_func ("/engine/curate/duplicates/grouping", test_duplicates_grouping);
  g_test_add_func ("/engine/curate/duplicates/keep-best-undo", test_keep_best_and_undo);
  g_test_add_func ("/engine/curate/auto/preview-apply-undo", test_auto_curate);
  g_test_add_func ("/engine/curate/pose-coverage", test_pose_coverage);
  g_test_add_func ("/engine/curate/auto/tinted-relative", test_tinted_relative);
  g_test_add_func ("/engine/curate/metrics/occlusion", test_occlusion);
  g_test_add_func ("/engine/curate/auto/occluded", test_auto_occluded);
  g_test_add_func ("/engine/curate/auto/occluded-clean-clips", test_auto_occluded_clean_clips);

  ret = g_test_run ();

  g_clear_object (&project);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }

  return ret;
}
