/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Face descriptor figures on one core: the face chip (dlib) and the face
 * recognition network, one face at a time and in batches of 8. Prints
 * medians of wall and CPU time after a warm-up; never fails on time.
 * Run: meson test -C BUILD --benchmark bench-identity, or tests/bench/run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lk-face-descriptor.h"
#include "lk-face-detector.h"
#include "lk-image-io.h"
#include "lk-torch.h"

#define ROUNDS 7

static double
now_ms (clockid_t clock)
{
  struct timespec ts;

  clock_gettime (clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (double *v,
        int     n)
{
  qsort (v, n, sizeof (double), compare_doubles);
  return v[n / 2];
}

int
main (void)
{
  const char *data = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = NULL;
  g_autoptr(LkFaceDetector) detector = NULL;
  g_autoptr(LkFaceRecognizer) recognizer = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  LkFaceDetectorParams params = lk_face_detector_params_default ();
  const LkImage *chips[8];
  g_autoptr(LkImage) chip = NULL;
  float out[8 * LK_FACE_DESCRIPTOR_DIM];
  double wall[ROUNDS], cpu[ROUNDS], t0, c0, load_ms;

  if (data == NULL)
    {
      g_printerr ("set LK_TESTDATA_DIR\n");
      return 77;
    }
  lk_torch_set_num_threads (1);

  t0 = now_ms (CLOCK_MONOTONIC);
  recognizer = lk_face_recognizer_new (NULL, &error);
  if (recognizer == NULL)
    {
      printf ("SKIP: %s\n", error->message);
      return 77;
    }
  load_ms = now_ms (CLOCK_MONOTONIC) - t0;

  path = g_build_filename (data, "images", "single_man_tom_cruise.jpg", NULL);
  image = lk_image_load (path, &error);
  g_assert_no_error (error);
  detector = lk_face_detector_new (&params, &error);
  g_assert_no_error (error);
  g_assert_true (lk_face_detector_detect (detector, image, faces, &error));
  g_assert_cmpuint (faces->len, >=, 1);

  printf ("face recognition network load: %.0f ms; libtorch threads: %d\n", load_ms,
          lk_torch_get_num_threads ());

  for (int r = 0; r < ROUNDS; r++)
    {
      t0 = now_ms (CLOCK_MONOTONIC);
      c0 = now_ms (CLOCK_THREAD_CPUTIME_ID);
      for (int k = 0; k < 20; k++)
        {
          g_clear_pointer (&chip, lk_image_free);
          chip = lk_face_chip_new (image, g_array_index (faces, LkFaceDetection, 0).landmarks,
                                   &error);
        }
      wall[r] = (now_ms (CLOCK_MONOTONIC) - t0) / 20;
      cpu[r] = (now_ms (CLOCK_THREAD_CPUTIME_ID) - c0) / 20;
    }
  printf ("face chip 150x150 (dlib):         %6.2f ms/face (CPU %.2f ms)\n", median (wall, ROUNDS),
          median (cpu, ROUNDS));

  for (int i = 0; i < 8; i++)
    chips[i] = chip;
  for (int batch = 1; batch <= 8; batch *= 8)
    {
      /* warm-up */
      g_assert_true (lk_face_recognizer_compute (recognizer, chips, batch, out, &error));
      for (int r = 0; r < ROUNDS; r++)
        {
          t0 = now_ms (CLOCK_MONOTONIC);
          c0 = now_ms (CLOCK_PROCESS_CPUTIME_ID);
          g_assert_true (lk_face_recognizer_compute (recognizer, chips, batch, out, &error));
          wall[r] = (now_ms (CLOCK_MONOTONIC) - t0) / batch;
          cpu[r] = (now_ms (CLOCK_PROCESS_CPUTIME_ID) - c0) / batch;
        }
      printf ("descriptor, batch %d, one core:    %6.1f ms/face (CPU %.1f ms)\n", batch,
              median (wall, ROUNDS), median (cpu, ROUNDS));
      printf ("RESULT identity-descriptor-batch%d-ms=%.1f identity-descriptor-batch%d-cpu-ms=%.1f\n",
              batch, median (wall, ROUNDS), batch, median (cpu, ROUNDS));
    }
  return 0;
}
