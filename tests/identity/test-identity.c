/* SPDX-License-Identifier: GPL-3.0-or-later */
/* engine/identity: the face recognition network, face chips, descriptors,
 * and how well the descriptors tell the people of the shared clips and
 * photos apart. */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "../lk-test-data.h"
#include "identity-test-faces.h"

static void
test_model_missing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkFaceRecognizer) r = lk_face_recognizer_new ("/nonexistent/face_recognition.safetensors",
                                                          &error);

  g_assert_null (r);
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/face_recognition.safetensors"));
}

static void
test_model_corrupt (void)
{
  g_autofree char *model = lk_face_recognition_model_path ();
  g_autofree char *dir = g_dir_make_tmp ("lk-identity-XXXXXX", NULL);
  g_autofree char *garbage = g_build_filename (dir, "garbage.safetensors", NULL);
  g_autofree char *truncated = g_build_filename (dir, "truncated.safetensors", NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *const paths[] = { garbage, truncated };

  g_assert_true (g_file_set_contents (garbage, "this is not a network", -1, NULL));
  g_assert_true (g_file_get_contents (model, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (truncated, contents, (gssize) (length / 2), NULL));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LkFaceRecognizer) r = lk_face_recognizer_new (paths[i], &error);

      g_assert_null (r);
      g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, paths[i]));
      g_unlink (paths[i]);
    }
  g_rmdir (dir);
}

static void
test_describe (void)
{
  g_autofree char *text = lk_face_recognizer_describe (test_recognizer ());

  g_assert_nonnull (text);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "@vladmandic/face-api"));
  g_assert_nonnull (strstr (text, "MIT"));
}

/* A batch gives what the chips give one at a time; descriptors are finite,
 * of about unit length (dlib's are 0.3-0.5 long), a face is at 0 from
 * itself, and a chip of a grey frame works. */
static void
test_batch (void)
{
  g_autoptr(GArray) faces = test_faces_new ();
  g_autofree float *batch = NULL;
  const LkImage *chips[4];
  int n;

  test_faces_add_image (faces, "single_man_000007.jpg", "x", 1);
  test_faces_add_image (faces, "single_woman_015259.jpg", "y", 1);
  test_faces_add_image (faces, "multi_three_2008_001322.jpg", "", 2);
  n = (int) faces->len;
  g_assert_cmpint (n, >=, 3);
  g_assert_cmpint (n, <=, 4);
  for (int i = 0; i < n; i++)
    {
      const LkImage *chip = g_array_index (faces, TestFace, i).chip;

      g_assert_cmpint (chip->width, ==, LK_FACE_CHIP_SIZE);
      g_assert_cmpint (chip->height, ==, LK_FACE_CHIP_SIZE);
      g_assert_cmpint (chip->channels, ==, 3);
      chips[i] = chip;
    }

  batch = test_faces_describe (faces);
  for (int i = 0; i < n; i++)
    {
      float one[LK_FACE_DESCRIPTOR_DIM];
      g_autoptr(GError) error = NULL;
      double norm = 0;

      g_assert_true (lk_face_recognizer_compute (test_recognizer (), chips + i, 1, one, &error));
      g_assert_no_error (error);
      for (int d = 0; d < LK_FACE_DESCRIPTOR_DIM; d++)
        {
          g_assert_true (isfinite (one[d]));
          g_assert_cmpfloat (fabsf (one[d] - batch[i * LK_FACE_DESCRIPTOR_DIM + d]), <, 1e-4);
          norm += (double) one[d] * one[d];
        }
      g_assert_cmpfloat (sqrt (norm), >, 0.1);
      g_assert_cmpfloat (sqrt (norm), <, 2.0);
      g_assert_cmpfloat (lk_face_descriptor_distance (one, one), ==, 0.0);
    }
  g_assert_cmpfloat (fabs (lk_face_descriptor_distance (batch, batch + LK_FACE_DESCRIPTOR_DIM)
                           - lk_face_descriptor_distance (batch + LK_FACE_DESCRIPTOR_DIM, batch)),
                     <, 1e-12);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(LkImage) bad = lk_image_new (100, 100, 3);
    const LkImage *bad_chips[1] = { bad };
    float out[LK_FACE_DESCRIPTOR_DIM];

    g_assert_false (lk_face_recognizer_compute (test_recognizer (), bad_chips, 1, out, &error));
    g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  }
}

static void
test_median (void)
{
  float d[3 * LK_FACE_DESCRIPTOR_DIM], m[LK_FACE_DESCRIPTOR_DIM];

  for (int i = 0; i < 3; i++)
    for (int k = 0; k < LK_FACE_DESCRIPTOR_DIM; k++)
      d[i * LK_FACE_DESCRIPTOR_DIM + k] = (float) (i == 1 ? 100 : i) + k;
  lk_face_descriptor_median (d, 3, m);
  for (int k = 0; k < LK_FACE_DESCRIPTOR_DIM; k++)
    g_assert_cmpfloat (m[k], ==, 2.0f + k);
  lk_face_descriptor_median (d, 2, m);
  for (int k = 0; k < LK_FACE_DESCRIPTOR_DIM; k++)
    g_assert_cmpfloat (m[k], ==, 50.0f + k);
}

/* Over all pairs of faces from the four clips (several frames each) and the
 * six single-person photos: same person < 0.6, different people >= 0.6, in
 * at least 97 % of the pairs. */
static void
test_pairs (void)
{
  static const struct { const char *file; const char *label; } clips[] = {
    { "person_a.mp4", "A" }, { "person_b.mp4", "B" },
    { "tiny_person_c.mp4", "C" }, { "tiny_person_d.mp4", "D" },
  };
  static const char *const photos[] = {
    "single_man_000007.jpg", "single_man_000125.jpg", "single_man_vd070.png",
    "single_woman_015259.jpg", "single_man_tom_cruise.jpg", "single_woman_astronaut.png",
  };
  g_autoptr(GArray) faces = test_faces_new ();
  g_autofree float *desc = NULL;
  int same_ok = 0, same_bad = 0, diff_ok = 0, diff_bad = 0;
  double same_max = 0, diff_min = G_MAXDOUBLE;
  double accuracy;
  guint n;

  for (guint i = 0; i < G_N_ELEMENTS (clips); i++)
    test_faces_add_video (faces, clips[i].file, clips[i].label, 5);
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++)
    test_faces_add_image (faces, photos[i], photos[i], 1);
  n = faces->len;
  g_assert_cmpuint (n, ==, 4 * 5 + G_N_ELEMENTS (photos));

  desc = test_faces_describe (faces);
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      {
        const TestFace *a = &g_array_index (faces, TestFace, i);
        const TestFace *b = &g_array_index (faces, TestFace, j);
        double d = lk_face_descriptor_distance (desc + i * LK_FACE_DESCRIPTOR_DIM,
                                                desc + j * LK_FACE_DESCRIPTOR_DIM);
        gboolean same = g_str_equal (a->label, b->label);
        gboolean said_same = d < LK_FACE_SAME_PERSON_DISTANCE;

        if (same)
          {
            same_max = MAX (same_max, d);
            *(said_same ? &same_ok : &same_bad) += 1;
          }
        else
          {
            diff_min = MIN (diff_min, d);
            *(said_same ? &diff_bad : &diff_ok) += 1;
          }
        if (same != said_same)
          g_print ("# wrong: %s / %s: %.3f\n", a->origin, b->origin, d);
      }

  accuracy = (double) (same_ok + diff_ok) / (same_ok + same_bad + diff_ok + diff_bad);
  g_print ("# %u faces, %d pairs; threshold %.2f\n", n, same_ok + same_bad + diff_ok + diff_bad,
           LK_FACE_SAME_PERSON_DISTANCE);
  g_print ("#                  said same  said different\n");
  g_print ("#   same person    %9d  %14d   (largest distance %.3f)\n", same_ok, same_bad, same_max);
  g_print ("#   different      %9d  %14d   (smallest distance %.3f)\n", diff_bad, diff_ok, diff_min);
  g_print ("# pair accuracy %.2f %%\n", 100 * accuracy);

  /* The mean distance between the people (the photos are one person each). */
  {
    g_autoptr(GPtrArray) labels = g_ptr_array_new ();

    for (guint i = 0; i < n; i++)
      {
        const char *label = g_array_index (faces, TestFace, i).label;

        if (!g_ptr_array_find_with_equal_func (labels, label, g_str_equal, NULL))
          g_ptr_array_add (labels, (gpointer) label);
      }
    g_print ("# mean distance between people   ");
    for (guint a = 0; a < labels->len; a++)
      g_print (" %5u", a + 1);
    g_print ("\n");
    for (guint a = 0; a < labels->len; a++)
      {
        g_print ("#  %2u %-27.27s", a + 1, (const char *) labels->pdata[a]);
        for (guint b = 0; b < labels->len; b++)
          {
            double sum = 0;
            int count = 0;

            for (guint i = 0; i < n; i++)
              for (guint j = 0; j < n; j++)
                if (i != j && g_str_equal (g_array_index (faces, TestFace, i).label, labels->pdata[a])
                    && g_str_equal (g_array_index (faces, TestFace, j).label, labels->pdata[b]))
                  {
                    sum += lk_face_descriptor_distance (desc + i * LK_FACE_DESCRIPTOR_DIM,
                                                        desc + j * LK_FACE_DESCRIPTOR_DIM);
                    count++;
                  }
            if (count > 0)
              g_print (" %5.2f", sum / count);
            else
              g_print ("     -");
          }
        g_print ("\n");
      }
  }
  g_assert_cmpfloat (accuracy, >=, 0.97);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();
  test_recognizer ();

  g_test_add_func ("/identity/model/missing", test_model_missing);
  g_test_add_func ("/identity/model/corrupt", test_model_corrupt);
  g_test_add_func ("/identity/model/describe", test_describe);
  g_test_add_func ("/identity/descriptor/batch", test_batch);
  g_test_add_func ("/identity/descriptor/median", test_median);
  g_test_add_func ("/identity/descriptor/pairs", test_pairs);
  return g_test_run ();
}
