/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Curation figures: metrics per second on the aligned crops of
 * tiny_person_c.mp4 (every 2nd frame; the pure function on decoded crops,
 * with the occlusion metric's share of it, and the whole analysis job with
 * PNG decoding, hashing and storing, on its 2 threads), pHash per crop,
 * grouping 10,000 hashes (clustered like a video's, and random: the worst
 * case), and listing + sorting 10,000 faces from a project database filled
 * with synthetic rows. Prints; never fails on time.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "lk-auto-curate.h"
#include "lk-curate-private.h"
#include "lk-duplicates.h"
#include "lk-extractor.h"
#include "lk-faces.h"
#include "lk-image-io.h"
#include "lk-metrics.h"

/* The calling thread's CPU time, so other processes on a shared machine do
 * not inflate per-operation figures; wall time where threads are involved. */
static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
remove_tree (const char *dir)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", dir);
}

static void
bench_metrics (const char *tmpdir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "Metrics", NULL);
  g_autoptr(LkProject) project = lk_project_create (path, &error);
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *video = g_build_filename (dir != NULL ? dir : "../shared/testdata", "videos",
                                             "tiny_person_c.mp4", NULL);
  const char *paths[] = { video, NULL };
  LkExtractParams params = lk_extract_params_default ();
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GPtrArray) crops = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  LkAnalyseSummary summary = { 0 };
  gint64 start, load_us, metrics_us, occlusion_us, hash_us, wall_us;
  double occlusion_max = 0, occlusion_sum = 0;
  volatile guint64 sink = 0;

  g_assert_no_error (error);
  params.every_nth = 2;
  if (!lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, NULL, &error))
    g_error ("%s", error->message);
  faces = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
  g_assert_no_error (error);

  start = cpu_us ();
  for (guint i = 0; i < faces->len; i++)
    {
      LkImage *crop = lk_image_load (((LkFace *) faces->pdata[i])->file, &error);

      g_assert_no_error (error);
      g_ptr_array_add (crops, crop);
    }
  load_us = cpu_us () - start;

  start = cpu_us ();
  for (int rep = 0; rep < 3; rep++)
    for (guint i = 0; i < faces->len; i++)
      {
        float lm[LK_N_LANDMARKS][2];
        LkFaceMetrics m;

        lk_curate_face_crop_landmarks (faces->pdata[i], lm);
        lk_curate_face_metrics (crops->pdata[i], (const float (*)[2]) lm, &m);
        sink += (guint64) m.sharpness;
      }
  metrics_us = (cpu_us () - start) / 3;

  start = cpu_us ();
  for (int rep = 0; rep < 3; rep++)
    for (guint i = 0; i < faces->len; i++)
      {
        float lm[LK_N_LANDMARKS][2];
        LkOcclusionCells cells;
        double o;

        lk_curate_face_crop_landmarks (faces->pdata[i], lm);
        o = _lk_curate_face_occlusion (crops->pdata[i], (const float (*)[2]) lm, &cells);
        if (rep == 0)
          {
            occlusion_sum += o;
            occlusion_max = MAX (occlusion_max, o);
          }
      }
  occlusion_us = (cpu_us () - start) / 3;

  start = cpu_us ();
  for (int rep = 0; rep < 3; rep++)
    for (guint i = 0; i < faces->len; i++)
      sink += lk_curate_face_phash (crops->pdata[i], ((LkFace *) faces->pdata[i])->coverage);
  hash_us = (cpu_us () - start) / 3;

  start = g_get_monotonic_time ();
  if (!lk_curate_analyse (project, -1, TRUE, NULL, &summary, &error))
    g_error ("%s", error->message);
  wall_us = g_get_monotonic_time () - start;

  g_print ("Real crops: %u faces of tiny_person_c.mp4, %dx%d px\n", faces->len,
           ((LkImage *) crops->pdata[0])->width, ((LkImage *) crops->pdata[0])->height);
  g_print ("  PNG decode (lk_image_load)          %8.2f ms/face  (one thread, CPU)\n",
           load_us / 1000.0 / faces->len);
  g_print ("  lk_curate_face_metrics              %8.2f ms/face  %7.0f faces/s  (one thread, CPU)\n",
           metrics_us / 1000.0 / faces->len, faces->len / (metrics_us / 1e6));
  g_print ("    of which occlusion                %8.2f ms/face  (mean %.3f, max %.3f: clean)\n",
           occlusion_us / 1000.0 / faces->len, occlusion_sum / faces->len, occlusion_max);
  g_print ("  lk_curate_face_phash                %8.3f ms/face  %7.0f faces/s  (one thread, CPU)\n",
           hash_us / 1000.0 / faces->len, faces->len / (hash_us / 1e6));
  g_print ("  lk_curate_analyse (decode, metrics, hash, store; 2 threads)  %7.0f faces/s  (wall)\n",
           summary.computed / (wall_us / 1e6));
  g_print ("RESULT curate-metrics-per-s=%.0f\n", summary.computed / (wall_us / 1e6));
  lk_analyse_summary_clear (&summary);
  (void) sink;
}

static void
bench_grouping (void)
{
  const guint n = 10000;
  g_autofree guint64 *random_hashes = g_new (guint64, n);
  g_autofree guint64 *clustered = g_new (guint64, n);
  g_autofree gint64 *groups = g_new (gint64, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint64 walk = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
  gint64 start;
  double random_ms, clustered_ms;
  guint n_random, n_clustered;

  for (guint i = 0; i < n; i++)
    {
      random_hashes[i] = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand) | 1;
      /* a video: each frame flips a few bits of the previous one, and a
       * cut every 200 frames */
      if (i % 200 == 0)
        walk = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      for (int k = g_rand_int_range (rand, 0, 3); k > 0; k--)
        walk ^= G_GUINT64_CONSTANT (1) << g_rand_int_range (rand, 0, 64);
      clustered[i] = walk | 1;
    }

  start = cpu_us ();
  n_random = lk_curate_group_hashes (random_hashes, n, LK_DUPLICATES_DEFAULT_DISTANCE, groups);
  random_ms = (cpu_us () - start) / 1000.0;
  start = cpu_us ();
  n_clustered = lk_curate_group_hashes (clustered, n, LK_DUPLICATES_DEFAULT_DISTANCE, groups);
  clustered_ms = (cpu_us () - start) / 1000.0;

  g_print ("Grouping %u hashes at distance %d (one thread, CPU):\n", n, LK_DUPLICATES_DEFAULT_DISTANCE);
  g_print ("  video-like (runs of similar frames) %8.1f ms  (%u groups)\n", clustered_ms, n_clustered);
  g_print ("  random (every hash a leader: worst) %8.1f ms  (%u groups)\n", random_ms, n_random);
}

static void
bench_list (const char *tmpdir)
{
  const guint n = 10000;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "List", NULL);
  g_autoptr(LkProject) project = lk_project_create (path, &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autofree gint64 *ids = g_new (gint64, n);
  g_autofree LkFaceMetrics *metrics = g_new (LkFaceMetrics, n);
  gint64 source, start;
  double insert_s, metrics_ms;
  const char *keys[] = { "id", "time", "sharpness", "yaw" };

  g_assert_no_error (error);
  {
    const char *dir = g_getenv ("LK_TESTDATA_DIR");
    g_autofree char *video = g_build_filename (dir != NULL ? dir : "../shared/testdata", "videos",
                                               "tiny_person_c.mp4", NULL);

    source = lk_project_add_source (project, LK_IDENTITY_A, video, &error);
  }
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LkFace) face = lk_face_new ();
      LkFace *faces[] = { face };

      face->identity = LK_IDENTITY_A;
      face->file = lk_project_face_file_name (project, LK_IDENTITY_A, source, i * 1000, 0);
      face->crop_size = 256;
      face->coverage = 0.625;
      face->box[2] = face->box[3] = (float) g_rand_double_range (rand, 40, 400);
      face->metrics.face_size = face->box[2];
      face->metrics.landmark_fit = g_rand_double (rand);
      face->metrics.yaw = g_rand_double_range (rand, -60, 60);
      face->metrics.pitch = g_rand_double_range (rand, -30, 30);
      face->metrics.roll = 0;
      if (lk_project_store_frame (project, source, i, i * 1000, i / 30.0, faces, 1, &error) < 0)
        g_error ("%s", error->message);
      ids[i] = face->id;
      metrics[i] = face->metrics;
      metrics[i].sharpness = g_rand_double_range (rand, 1, 500);
      metrics[i].exposure = g_rand_double (rand);
      metrics[i].clipped_dark = metrics[i].clipped_bright = 0;
      metrics[i].colour_cast = g_rand_double_range (rand, 0, 30);
    }
  insert_s = (g_get_monotonic_time () - start) / 1e6;

  start = g_get_monotonic_time ();
  if (!lk_project_store_metrics (project, ids, metrics, n, &error))
    g_error ("%s", error->message);
  metrics_ms = (g_get_monotonic_time () - start) / 1000.0;

  g_print ("Database, %u synthetic faces:\n", n);
  g_print ("  insert (lk_project_store_frame, one transaction each)  %.1f s\n", insert_s);
  g_print ("  lk_project_store_metrics (one transaction)             %.1f ms\n", metrics_ms);
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      g_autoptr(GPtrArray) faces = NULL;
      double best = G_MAXDOUBLE;

      for (int rep = 0; rep < 3; rep++)
        {
          start = g_get_monotonic_time ();
          faces = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, keys[k], TRUE, &error);
          best = MIN (best, (g_get_monotonic_time () - start) / 1000.0);
          g_assert_no_error (error);
          g_assert_cmpuint (faces->len, ==, n);
          g_clear_pointer (&faces, g_ptr_array_unref);
        }
      g_print ("  list + sort by %-10s (descending)               %8.1f ms  (wall, best of 3)\n",
               keys[k], best);
      if (k == 0)
        g_print ("RESULT curate-sort-%u-ms=%.1f\n", n, best);
    }

  {
    LkAutoCurateParams params = lk_auto_curate_params_default ();
    g_autoptr(LkAutoCuratePlan) plan = NULL;

    start = g_get_monotonic_time ();
    plan = lk_auto_curate_plan (project, -1, &params, &error);
    g_assert_no_error (error);
    g_print ("  lk_auto_curate_plan (preview)                          %8.1f ms  (%u to exclude)\n",
             (g_get_monotonic_time () - start) / 1000.0, plan->total);
  }
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpdir = g_dir_make_tmp ("lk-bench-curate-XXXXXX", &error);

  g_assert_no_error (error);
  bench_metrics (tmpdir);
  bench_grouping ();
  bench_list (tmpdir);
  remove_tree (tmpdir);

  return 0;
}
