/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Extraction figures (issue 3): frames/s of the whole extraction (decode,
 * detection with tracking, landmarks, alignment, PNG crops and database
 * rows) on person_a.mp4 (700x700) and on a 1280x720 version of it made with
 * the ffmpeg command-line tool, and the share of frames whose face was
 * found compared with running the full detector on every frame. Each figure
 * is the median of several runs, each into a fresh project, after a
 * warm-up. Also the CPU time per frame (all threads of the process; robust
 * to other load on the machine) and the frames/s that CPU time allows on
 * this machine's cores. Prints; never fails on time.
 *
 * Identity descriptors (issue 13) are computed with the faces when the face
 * recognition network is there; the 720p clip is also run without them
 * ("720p-no-descriptors") to show what they cost.
 *
 * Machine-readable lines: "RESULT key=value".
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lk-extractor.h"
#include "lk-project.h"

static char *tmpdir;
static gboolean with_descriptors = TRUE;

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Returns the CPU seconds the run took. */
static double
run_once (const char       *video,
          int               redetect,
          LkExtractSummary *summary)
{
  double cpu0;
  static guint counter;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("run-%u", counter++);
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  g_autoptr(LkProject) project = lk_project_create (path, &error);
  LkExtractParams params = lk_extract_params_default ();
  const char *paths[] = { video, NULL };

  if (project == NULL)
    g_error ("%s", error->message);

  params.redetect_interval = redetect;
  params.descriptors = with_descriptors;
  cpu0 = cpu_seconds ();
  if (!lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, summary, &error))
    g_error ("%s", error->message);
  return cpu_seconds () - cpu0;
}

static void
bench (const char *label,
       const char *key,
       const char *video,
       int         runs)
{
  g_autofree double *fps = g_new0 (double, runs);
  g_autofree double *cpu_ms = g_new0 (double, runs);
  LkExtractSummary summary, full;
  double full_cpu_ms;
  guint cores = MAX (1, g_get_num_processors ());

  /* Warm-up: loads the models and fills the page cache. */
  run_once (video, 10, &summary);

  for (int i = 0; i < runs; i++)
    {
      double cpu = run_once (video, 10, &summary);

      fps[i] = summary.frames_per_second;
      cpu_ms[i] = summary.frames_processed ? 1000.0 * cpu / summary.frames_processed : 0;
    }
  qsort (fps, runs, sizeof (double), compare_double);
  qsort (cpu_ms, runs, sizeof (double), compare_double);

  /* The reference: the full detector on every frame (LK_BENCH_NO_REFERENCE
   * skips it, for profiling the tracked run alone). */
  if (g_getenv ("LK_BENCH_NO_REFERENCE") != NULL)
    full = summary;
  full_cpu_ms = g_getenv ("LK_BENCH_NO_REFERENCE") != NULL ? 0 : run_once (video, 1, &full);
  full_cpu_ms = full.frames_processed ? 1000.0 * full_cpu_ms / full.frames_processed : 0;

  printf ("%s: %.1f frames/s (median of %d; %u frames, %u with a face, %u full detections)\n",
          label, fps[runs / 2], runs, summary.frames_processed, summary.frames_with_faces,
          summary.detections);
  printf ("%s: full detection on every frame finds a face on %u frames; tracking finds %.2f%% of "
          "them (%.1f frames/s with full detection)\n",
          label, full.frames_with_faces,
          full.frames_with_faces ? 100.0 * MIN (summary.frames_with_faces, full.frames_with_faces)
                                   / full.frames_with_faces : 100.0,
          full.frames_per_second);
  printf ("%s: %.2f CPU ms/frame (all threads; %.1f frames/s on %u idle cores), "
          "%.2f CPU ms/frame with full detection\n",
          label, cpu_ms[runs / 2], cpu_ms[runs / 2] > 0 ? 1000.0 * cores / cpu_ms[runs / 2] : 0,
          cores, full_cpu_ms);
  printf ("RESULT extract-%s-fps=%.1f\n", key, fps[runs / 2]);
  printf ("RESULT extract-%s-cpu-ms-per-frame=%.2f\n", key, cpu_ms[runs / 2]);
  printf ("RESULT extract-%s-full-detections=%u\n", key, summary.detections);
  printf ("RESULT extract-%s-found-percent=%.2f\n", key,
          full.frames_with_faces ? 100.0 * MIN (summary.frames_with_faces, full.frames_with_faces)
                                   / full.frames_with_faces : 100.0);
}

int
main (int   argc,
      char *argv[])
{
  const char *testdata = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *person_a = NULL;
  g_autofree char *tiny = NULL;
  g_autofree char *hd = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GError) error = NULL;
  int runs = argc > 1 ? MAX (1, atoi (argv[1])) : 3;
  /* An optional second argument runs only the clips whose key contains it. */
  const char *only = argc > 2 ? argv[2] : NULL;

  if (testdata == NULL)
    testdata = "../shared/testdata";
  person_a = g_build_filename (testdata, "videos", "person_a.mp4", NULL);
  tiny = g_build_filename (testdata, "videos", "tiny_person_c.mp4", NULL);
  if (!g_file_test (person_a, G_FILE_TEST_EXISTS))
    {
      fprintf (stderr, "No test data at %s\n", testdata);
      return 77;
    }

  tmpdir = g_dir_make_tmp ("lk-bench-extract-XXXXXX", &error);
  g_assert_no_error (error);
  hd = g_build_filename (tmpdir, "person_a_720p.mp4", NULL);
  command = g_strdup_printf ("ffmpeg -v error -y -i '%s' -vf scale=1280:720 -c:v libx264 -crf 18 "
                             "-c:a copy '%s'", person_a, hd);
  if (system (command) != 0)
    g_error ("could not make the 720p clip with ffmpeg");

  printf ("cores: %u\n", g_get_num_processors ());
  printf ("RESULT cores=%u\n", g_get_num_processors ());
  if (only == NULL || strstr ("480p", only) != NULL)
    bench ("tiny_person_c.mp4 480x480", "480p", tiny, runs);
  if (only == NULL || strstr ("700p", only) != NULL)
    bench ("person_a.mp4 700x700", "700p", person_a, runs);
  if (only == NULL || strstr ("720p", only) != NULL)
    bench ("person_a 1280x720", "720p", hd, runs);
  if (only == NULL || strstr ("720p-no-descriptors", only) != NULL)
    {
      with_descriptors = FALSE;
      bench ("person_a 1280x720 without identity descriptors", "720p-no-descriptors", hd, runs);
      with_descriptors = TRUE;
    }

  g_free (command);
  command = g_strdup_printf ("rm -rf '%s'", tmpdir);
  if (system (command) != 0)
    fprintf (stderr, "could not remove %s\n", tmpdir);

  return 0;
}
