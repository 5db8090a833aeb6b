/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Faces of the shared test data for the identity tests: each one's 150x150
 * chip and a label saying who it is ("" when nobody knows: the faces of the
 * multi_* photos). */

#include <glib.h>

#include "lk-error.h"
#include "lk-face-descriptor.h"
#include "lk-face-detector.h"
#include "lk-image-io.h"
#include "lk-video-reader.h"

typedef struct
{
  char    *label;  /* who: "A", "B", ... for the clips, the file for the photos */
  char    *origin; /* file and frame, for messages */
  LkImage *chip;
} TestFace;

static inline void
test_face_clear (gpointer data)
{
  TestFace *f = data;

  g_free (f->label);
  g_free (f->origin);
  lk_image_free (f->chip);
}

static inline GArray *
test_faces_new (void)
{
  GArray *faces = g_array_new (FALSE, TRUE, sizeof (TestFace));

  g_array_set_clear_func (faces, test_face_clear);
  return faces;
}

static inline LkFaceDetector *
test_detector (void)
{
  static LkFaceDetector *detector;

  if (detector == NULL)
    {
      LkFaceDetectorParams params = lk_face_detector_params_default ();
      g_autoptr(GError) error = NULL;

      detector = lk_face_detector_new (&params, &error);
      g_assert_no_error (error);
    }
  return detector;
}

/* Adds the chips of the faces found in frame, at most max_faces, best first. */
static inline int
test_faces_add_frame (GArray        *faces,
                      const LkImage *frame,
                      const char    *label,
                      const char    *origin,
                      int            max_faces)
{
  g_autoptr(GArray) found = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  g_autoptr(GError) error = NULL;
  int added = 0;

  g_assert_true (lk_face_detector_detect (test_detector (), frame, found, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < found->len && added < max_faces; i++)
    {
      LkFaceDetection *d = &g_array_index (found, LkFaceDetection, i);
      TestFace face = { 0 };

      face.chip = lk_face_chip_new (frame, d->landmarks, &error);
      g_assert_no_error (error);
      face.label = g_strdup (label);
      face.origin = found->len > 1 ? g_strdup_printf ("%s face %u", origin, i) : g_strdup (origin);
      g_array_append_val (faces, face);
      added++;
    }
  return added;
}

static inline void
test_faces_add_image (GArray     *faces,
                      const char *name,
                      const char *label,
                      int         max_faces)
{
  g_autofree char *path = g_build_filename (g_getenv ("LK_TESTDATA_DIR"), "images", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = lk_image_load (path, &error);

  g_assert_no_error (error);
  test_faces_add_frame (faces, image, label, name, max_faces);
}

/* The first face of n_frames frames spread evenly over the clip. */
static inline void
test_faces_add_video (GArray     *faces,
                      const char *name,
                      const char *label,
                      int         n_frames)
{
  g_autofree char *path = g_build_filename (g_getenv ("LK_TESTDATA_DIR"), "videos", name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (path, NULL, &error);
  double duration;

  g_assert_no_error (error);
  duration = lk_video_reader_get_info (reader)->duration;
  for (int k = 0; k < n_frames; k++)
    {
      g_autoptr(LkVideoFrame) frame = NULL;
      g_autofree char *origin = NULL;
      double t = duration * (k + 0.5) / n_frames;

      g_assert_true (lk_video_reader_seek_seconds (reader, t, NULL, &error));
      g_assert_true (lk_video_reader_read (reader, &frame, NULL, &error));
      g_assert_no_error (error);
      g_assert_nonnull (frame);
      origin = g_strdup_printf ("%s at %.2f s", name, frame->time);
      g_assert_cmpint (test_faces_add_frame (faces, frame->image, label, origin, 1), ==, 1);
    }
}

/* The network from the build (tests/meson.build sets
 * LIKENESS_FACE_RECOGNITION_MODEL), or exit 77 when it was not built. */
static inline LkFaceRecognizer *
test_recognizer (void)
{
  static LkFaceRecognizer *recognizer;

  if (recognizer == NULL)
    {
      g_autofree char *path = lk_face_recognition_model_path ();
      g_autoptr(GError) error = NULL;

      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_print ("SKIP: %s was not built (build-aux/setup fetches @vladmandic/face-api; "
                   "see data/models/meson.build)\n", path);
          exit (77);
        }
      recognizer = lk_face_recognizer_new (path, &error);
      g_assert_no_error (error);
    }
  return recognizer;
}

static inline float *
test_faces_describe (GArray *faces)
{
  g_autofree const LkImage **chips = g_new (const LkImage *, MAX (faces->len, 1));
  float *descriptors = g_new (float, (gsize) MAX (faces->len, 1) * LK_FACE_DESCRIPTOR_DIM);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < faces->len; i++)
    chips[i] = g_array_index (faces, TestFace, i).chip;
  /* In batches of 8, as the engine's callers would. */
  for (guint i = 0; i < faces->len; i += 8)
    {
      int n = MIN (8, (int) (faces->len - i));

      g_assert_true (lk_face_recognizer_compute (test_recognizer (), chips + i, n,
                                                 descriptors + (gsize) i * LK_FACE_DESCRIPTOR_DIM,
                                                 &error));
      g_assert_no_error (error);
    }
  return descriptors;
}
