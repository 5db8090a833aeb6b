/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "../lk-test-data.h"
#include "lk-align.h"
#include "lk-dlib.h"
#include "lk-error.h"
#include "lk-face-detector.h"
#include "lk-face-tracker.h"
#include "lk-image-io.h"
#include "lk-pose.h"
#include "lk-video-reader.h"
#include "lk-warp.h"

/* The landmark model takes most of a second to load: one detector (and so
 * one load) for the whole binary. */
static LkFaceDetector *detector;

static char *
testdata_path (const char *sub,
               const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");

  return g_build_filename (dir != NULL ? dir : ".", sub, name, NULL);
}

static LkImage *
load_image (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = testdata_path ("images", name);
  LkImage *image = lk_image_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
  g_assert_cmpint (image->channels, ==, 3);
  return image;
}

static GArray *
detect (LkFaceDetector *det,
        const LkImage  *image)
{
  g_autoptr(GError) error = NULL;
  GArray *faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));

  g_assert_true (lk_face_detector_detect (det, image, faces, &error));
  g_assert_no_error (error);
  return faces;
}

static LkImage *
mirror (const LkImage *src)
{
  LkImage *dst = lk_image_new (src->width, src->height, src->channels);

  for (int y = 0; y < src->height; y++)
    for (int x = 0; x < src->width; x++)
      memcpy (lk_image_pixel (dst, src->width - 1 - x, y), lk_image_pixel (src, x, y),
              src->channels);
  return dst;
}

static const char *single_faces[] = {
  "single_man_000007.jpg", "single_man_000125.jpg",   "single_man_vd070.png",
  "single_woman_015259.jpg", "single_man_tom_cruise.jpg", "single_woman_astronaut.png",
};

static void
test_detect_single (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (single_faces); i++)
    {
      g_autoptr(LkImage) image = load_image (single_faces[i]);
      g_autoptr(GArray) faces = detect (detector, image);
      LkFaceDetection *face;
      int inside = 0;
      double mx, my;

      g_test_message ("%s: %u face(s)", single_faces[i], faces->len);
      g_assert_cmpuint (faces->len, ==, 1);
      face = &g_array_index (faces, LkFaceDetection, 0);
      g_assert_cmpfloat (face->score, >, 0);
      g_assert_cmpfloat (face->width, >=, 40);
      g_assert_cmpint (face->source, ==, LK_FACE_SOURCE_DETECTED);

      /* most landmarks inside the box enlarged by 20% on each side */
      mx = face->width * 0.2;
      my = face->height * 0.2;
      for (int p = 0; p < LK_FACE_N_LANDMARKS; p++)
        {
          float x = face->landmarks[p][0], y = face->landmarks[p][1];

          g_assert_true (isfinite (x) && isfinite (y));
          if (x >= face->x - mx && x <= face->x + face->width + mx && y >= face->y - my
              && y <= face->y + face->height + my)
            inside++;
        }
      g_test_message ("%s: box %.0f,%.0f %.0fx%.0f score %.2f, %d/68 landmarks inside, fit %.3f",
                      single_faces[i], face->x, face->y, face->width, face->height, face->score,
                      inside, face->landmark_fit);
      g_assert_cmpint (inside, >=, 60);
      /* a frontal face fits the mean face well */
      g_assert_cmpfloat (face->landmark_fit, >, 0.5);
      /* the left eye (image left) is left of the right eye, both above the mouth */
      g_assert_cmpfloat (face->landmarks[36][0], <, face->landmarks[45][0]);
      g_assert_cmpfloat (face->landmarks[36][1], <, face->landmarks[57][1]);
    }
}

static void
test_detect_noface (void)
{
  const char *names[] = { "noface_fruits.jpg", "noface_coffee.png", "noface_cat_chelsea.png" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(LkImage) image = load_image (names[i]);
      g_autoptr(GArray) faces = detect (detector, image);

      g_test_message ("%s: %u face(s)", names[i], faces->len);
      g_assert_cmpuint (faces->len, ==, 0);
    }
}

/* What HOG finds on the group photos (true counts 3, 6 and 7), measured:
 *   multi_three_2008_001322.jpg (500x375): upsample 0 -> 3, upsample 1 -> 3
 *   multi_group_t1.jpg (1280x886, scaled to 640 for detection): 0 -> 2, 1 -> 4
 *   multi_group_2008_007676.jpg (faces 35-50 px): 0 -> 0, 1 -> 7
 * The assertions keep to what is robust: several faces with one upsampling
 * step, at least 2 without on the first two. */
static void
test_detect_group (void)
{
  struct { const char *name; guint min_plain, min_up; } cases[] = {
    { "multi_three_2008_001322.jpg", 2, 2 },
    { "multi_group_t1.jpg", 2, 2 },
    { "multi_group_2008_007676.jpg", 0, 4 },
  };
  g_autoptr(GError) error = NULL;
  LkFaceDetectorParams params = *lk_face_detector_get_params (detector);
  g_autoptr(LkFaceDetector) up = NULL;

  params.upsample = 1;
  up = lk_face_detector_new (&params, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(LkImage) image = load_image (cases[i].name);
      g_autoptr(GArray) plain = detect (detector, image);
      g_autoptr(GArray) upsampled = detect (up, image);

      g_test_message ("%s: %u face(s), %u with upsampling", cases[i].name, plain->len,
                      upsampled->len);
      g_assert_cmpuint (plain->len, >=, cases[i].min_plain);
      g_assert_cmpuint (upsampled->len, >=, cases[i].min_up);
      for (guint f = 0; f < upsampled->len; f++)
        for (guint g = f + 1; g < upsampled->len; g++)
          g_assert_cmpfloat (lk_face_box_iou (&g_array_index (upsampled, LkFaceDetection, f),
                                              &g_array_index (upsampled, LkFaceDetection, g)),
                             <, 0.5);
    }
}

/* Boxes found on a downscaled copy map back onto the full-resolution face. */
static void
test_detect_downscaled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) image = load_image ("single_man_tom_cruise.jpg");
  LkFaceDetectorParams params = *lk_face_detector_get_params (detector);
  g_autoptr(LkFaceDetector) full = NULL;
  g_autoptr(LkFaceDetector) small = NULL;
  g_autoptr(GArray) a = NULL;
  g_autoptr(GArray) b = NULL;
  LkFaceDetection *fa, *fb;

  params.max_detect_side = 0;
  full = lk_face_detector_new (&params, &error);
  g_assert_no_error (error);
  params.max_detect_side = 400; /* 800 px high -> half size */
  small = lk_face_detector_new (&params, &error);
  g_assert_no_error (error);

  a = detect (full, image);
  b = detect (small, image);
  g_assert_cmpuint (a->len, ==, 1);
  g_assert_cmpuint (b->len, ==, 1);
  fa = &g_array_index (a, LkFaceDetection, 0);
  fb = &g_array_index (b, LkFaceDetection, 0);
  g_test_message ("full %.1f,%.1f %.1f; half %.1f,%.1f %.1f", fa->x, fa->y, fa->width, fb->x,
                  fb->y, fb->width);
  g_assert_cmpfloat (lk_face_box_iou (fa, fb), >, 0.6);
  /* landmarks run at full resolution either way: close to each other */
  g_assert_cmpfloat (fabs (fa->landmarks[30][0] - fb->landmarks[30][0]), <, fa->width * 0.05);
  g_assert_cmpfloat (fabs (fa->landmarks[30][1] - fb->landmarks[30][1]), <, fa->width * 0.05);
}

static void
test_detect_cnn (void)
{
  g_autoptr(GError) error = NULL;
  const char *dir = g_getenv ("LK_MODELS_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : ".",
                                            "mmod_human_face_detector.dat", NULL);
  LkFaceDetectorParams params = lk_face_detector_params_default ();
  g_autoptr(LkFaceDetector) cnn = NULL;
  g_autoptr(LkImage) image = NULL;
  g_autoptr(LkImage) noface = NULL;
  g_autoptr(GArray) faces = NULL;
  g_autoptr(GArray) none = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no mmod_human_face_detector.dat in $LK_MODELS_DIR");
      return;
    }
  params.kind = LK_FACE_DETECTOR_CNN;
  params.cnn_model = path;
  params.landmark_model = lk_face_detector_get_params (detector)->landmark_model;
  cnn = lk_face_detector_new (&params, &error);
  g_assert_no_error (error);

  image = load_image ("single_man_000125.jpg");
  faces = detect (cnn, image);
  g_assert_cmpuint (faces->len, ==, 1);
  g_assert_cmpfloat (g_array_index (faces, LkFaceDetection, 0).landmark_fit, >, 0.5);

  noface = load_image ("noface_fruits.jpg");
  none = detect (cnn, noface);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
assert_model_error (const char *path,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  LkFaceDetectorParams params = lk_face_detector_params_default ();
  g_autoptr(LkFaceDetector) det = NULL;

  params.landmark_model = path;
  det = lk_face_detector_new (&params, &error);
  g_assert_null (det);
  g_assert_error (error, LK_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
}

static void
test_model_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lk-face-XXXXXX", &error);
  g_autofree char *missing = g_build_filename (dir, "missing.dat", NULL);
  g_autofree char *random_path = g_build_filename (dir, "random.dat", NULL);
  g_autofree char *truncated = g_build_filename (dir, "truncated.dat", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.dat", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 *noise;
  gsize length;
  const char *model = lk_face_detector_get_params (detector)->landmark_model;

  g_assert_no_error (error);

  assert_model_error (missing, LK_ERROR_NOT_FOUND);

  /* random bytes, several seeds and sizes */
  for (int round = 0; round < 8; round++)
    {
      gsize size = 16 + g_rand_int_range (rand, 0, 1 << 20);

      noise = g_malloc (size);
      for (gsize i = 0; i < size; i++)
        noise[i] = (guint8) g_rand_int (rand);
      g_assert_true (g_file_set_contents (random_path, (char *) noise, size, &error));
      g_free (noise);
      assert_model_error (random_path, LK_ERROR_CORRUPT);
    }

  g_assert_true (g_file_set_contents (empty, "", 0, &error));
  assert_model_error (empty, LK_ERROR_CORRUPT);

  /* truncated copies of the real model */
  g_assert_true (g_file_get_contents (model, &contents, &length, &error));
  g_assert_no_error (error);
  {
    gsize cuts[] = { 3, 1000, length / 2, length - 1 };

    for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
      {
        g_assert_true (g_file_set_contents (truncated, contents, cuts[i], &error));
        assert_model_error (truncated, LK_ERROR_CORRUPT);
      }
  }

  /* a CNN detector from a damaged file */
  {
    g_autoptr(LkFaceDetector) det = NULL;
    LkFaceDetectorParams params = lk_face_detector_params_default ();

    params.kind = LK_FACE_DETECTOR_CNN;
    params.cnn_model = random_path;
    params.landmark_model = model;
    det = lk_face_detector_new (&params, &error);
    g_assert_null (det);
    g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
    g_assert_nonnull (strstr (error->message, random_path));
    g_clear_error (&error);
  }

  g_unlink (missing);
  g_unlink (random_path);
  g_unlink (truncated);
  g_unlink (empty);
  g_rmdir (dir);
}

static void
test_align (void)
{
  g_autoptr(LkImage) image = load_image ("single_man_000007.jpg");
  g_autoptr(GArray) faces = detect (detector, image);
  LkFaceDetection *face;
  LkAlignParams params = lk_align_params_default ();
  LkAlignment alignment;
  LkAffine round_trip;
  float moved[LK_FACE_N_LANDMARKS][2], template[LK_FACE_N_LANDMARKS][2];
  g_autoptr(LkImage) crop = NULL;
  g_autoptr(LkImage) recrop = NULL;
  g_autoptr(GArray) again = NULL;

  g_assert_cmpuint (faces->len, ==, 1);
  face = &g_array_index (faces, LkFaceDetection, 0);
  g_assert_true (lk_align_compute ((const float (*)[2]) face->landmarks, &params, &alignment));
  g_test_message ("alignment residual %.4f", alignment.residual);
  g_assert_cmpfloat (alignment.residual, <, 0.06);

  /* face->frame o frame->face = identity */
  lk_affine_multiply (&alignment.face_to_frame, &alignment.frame_to_face, &round_trip);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (round_trip.m[i], (i == 0 || i == 4) ? 1.0 : 0.0, 1e-9);

  /* the eye centres land within a few pixels of the template's */
  lk_align_transform_points (&alignment.frame_to_face, (const float (*)[2]) face->landmarks, moved,
                             LK_FACE_N_LANDMARKS);
  lk_align_template_points (&params, template);
  for (int eye = 0; eye < 2; eye++)
    {
      double ex = 0, ey = 0, tx = 0, ty = 0;

      for (int p = 36 + 6 * eye; p < 42 + 6 * eye; p++)
        {
          ex += moved[p][0] / 6;
          ey += moved[p][1] / 6;
          tx += template[p][0] / 6;
          ty += template[p][1] / 6;
        }
      g_test_message ("eye %d at %.1f,%.1f, template %.1f,%.1f", eye, ex, ey, tx, ty);
      g_assert_cmpfloat (hypot (ex - tx, ey - ty), <, 4.0);
    }

  /* the crop is a face: detecting again on it finds one, with its eyes where
   * the transformed landmarks said */
  crop = lk_align_extract (image, &alignment);
  g_assert_cmpint (crop->width, ==, 256);
  g_assert_cmpint (crop->height, ==, 256);
  {
    LkFaceDetectorParams up_params = *lk_face_detector_get_params (detector);
    g_autoptr(GError) error = NULL;
    g_autoptr(LkFaceDetector) det = NULL;
    LkFaceDetection *f;

    det = lk_face_detector_new (&up_params, &error);
    g_assert_no_error (error);
    again = detect (det, crop);
    g_assert_cmpuint (again->len, ==, 1);
    f = &g_array_index (again, LkFaceDetection, 0);
    for (int p = 36; p < 48; p++)
      g_assert_cmpfloat (hypot (f->landmarks[p][0] - moved[p][0], f->landmarks[p][1] - moved[p][1]),
                         <, 6.0);
  }

  /* a coverage below the default shows more around the face */
  params.coverage = 0.5;
  g_assert_true (lk_align_compute ((const float (*)[2]) face->landmarks, &params, &alignment));
  recrop = lk_align_extract (image, &alignment);
  lk_align_template_points (&params, template);
  g_assert_cmpfloat (template[16][0] - template[0][0], <, 256 * 0.5 * 1.25);
}

static void
test_umeyama (void)
{
  /* a known similarity is recovered; a reflection is not returned */
  const float (*mean)[2] = lk_align_mean_face ();
  float moved[LK_FACE_N_LANDMARKS][2], flipped[LK_FACE_N_LANDMARKS][2];
  LkAffine known = { { 120 * cos (0.3), -120 * sin (0.3), 40, 120 * sin (0.3), 120 * cos (0.3), 75 } };
  LkAffine found;

  lk_align_transform_points (&known, mean, moved, LK_FACE_N_LANDMARKS);
  g_assert_true (lk_align_umeyama (mean, (const float (*)[2]) moved, LK_FACE_N_LANDMARKS, &found));
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (found.m[i], known.m[i], 1e-3);

  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      flipped[i][0] = -mean[i][0];
      flipped[i][1] = mean[i][1];
    }
  g_assert_true (lk_align_umeyama (mean, (const float (*)[2]) flipped, LK_FACE_N_LANDMARKS, &found));
  /* determinant of a proper similarity is positive */
  g_assert_cmpfloat (found.m[0] * found.m[4] - found.m[1] * found.m[3], >, 0);

  /* the template's full 68 points are symmetric about x = 0.490127 */
  for (int i = 0; i <= 16; i++)
    g_assert_cmpfloat_with_epsilon (mean[i][0] + mean[16 - i][0], 2 * 0.490127, 1e-4);
}

static void
test_pose_mirror (void)
{
  const char *names[] = { "single_man_vd070.png", "single_man_tom_cruise.jpg",
                          "single_woman_015259.jpg" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(LkImage) image = load_image (names[i]);
      g_autoptr(LkImage) flipped = mirror (image);
      g_autoptr(GArray) a = detect (detector, image);
      g_autoptr(GArray) b = detect (detector, flipped);
      LkPose pa, pb;

      g_assert_cmpuint (a->len, ==, 1);
      g_assert_cmpuint (b->len, ==, 1);
      g_assert_true (lk_pose_estimate ((const float (*)[2]) g_array_index (a, LkFaceDetection, 0).landmarks, &pa));
      g_assert_true (lk_pose_estimate ((const float (*)[2]) g_array_index (b, LkFaceDetection, 0).landmarks, &pb));
      g_test_message ("%s: yaw %.1f pitch %.1f roll %.1f; mirrored: yaw %.1f pitch %.1f roll %.1f",
                      names[i], pa.yaw, pa.pitch, pa.roll, pb.yaw, pb.pitch, pb.roll);
      /* frontal faces: moderate angles */
      g_assert_cmpfloat (fabs (pa.yaw), <, 30);
      g_assert_cmpfloat (fabs (pa.roll), <, 30);
      /* mirrored: opposite yaw and roll, same pitch (within landmark noise) */
      if (fabs (pa.yaw) > 2)
        g_assert_cmpfloat (pa.yaw * pb.yaw, <, 0);
      g_assert_cmpfloat (fabs (pa.yaw + pb.yaw), <, 4);
      g_assert_cmpfloat (fabs (pa.roll + pb.roll), <, 3);
      g_assert_cmpfloat (fabs (pa.pitch - pb.pitch), <, 4);
    }
}

/* Synthetic poses: the 3D model rotated by a known yaw, projected, gives
 * that yaw back. */
static void
test_pose_synthetic (void)
{
  const float (*mean)[2] = lk_align_mean_face ();
  g_autoptr(LkImage) image = load_image ("single_man_vd070.png");
  g_autoptr(GArray) faces = detect (detector, image);
  LkFaceDetection *face;
  float rolled[LK_FACE_N_LANDMARKS][2];
  LkPose base, pose;
  double angle = 20 * G_PI / 180;
  double cx = 300, cy = 300;

  g_assert_true (lk_pose_estimate (mean, &pose));
  g_assert_cmpfloat (fabs (pose.yaw), <, 1);
  g_assert_cmpfloat (fabs (pose.roll), <, 1);
  g_assert_cmpfloat (fabs (pose.pitch), <, 1);

  /* rotating the landmarks in the image by +20 degrees clockwise on screen
   * (y down) adds 20 degrees of roll */
  g_assert_cmpuint (faces->len, ==, 1);
  face = &g_array_index (faces, LkFaceDetection, 0);
  g_assert_true (lk_pose_estimate ((const float (*)[2]) face->landmarks, &base));
  for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
    {
      double x = face->landmarks[i][0] - cx, y = face->landmarks[i][1] - cy;

      rolled[i][0] = (float) (cx + x * cos (angle) - y * sin (angle));
      rolled[i][1] = (float) (cy + x * sin (angle) + y * cos (angle));
    }
  g_assert_true (lk_pose_estimate ((const float (*)[2]) rolled, &pose));
  g_test_message ("roll %.1f -> %.1f", base.roll, pose.roll);
  g_assert_cmpfloat (fabs (pose.roll - base.roll - 20), <, 1.5);
}

/* A still photo seen through a moving window: the face slides, leaves the
 * frame, and comes back. */
static void
test_tracker_still (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) photo = load_image ("single_man_tom_cruise.jpg");
  g_autoptr(LkFaceTracker) tracker = lk_face_tracker_new (detector, NULL);
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  g_autoptr(GArray) reference = detect (detector, photo);
  LkFaceDetection *ref;
  int width = 480, height = 560, first_id = -1, tracked = 0;

  g_assert_cmpuint (reference->len, ==, 1);
  ref = &g_array_index (reference, LkFaceDetection, 0);

  for (int frame = 0; frame < 60; frame++)
    {
      /* frames 0-29 slide the window; 30-39 show an empty grey frame; 40-59
       * slide again */
      g_autoptr(LkImage) view = lk_image_new (width, height, 3);
      int ox = (frame % 30) * 2, oy = (frame % 30) * 3 / 2;
      gboolean present = frame < 30 || frame >= 40;

      if (present)
        {
          LkAffine shift = { { 1, 0, -ox, 0, 1, -oy } };

          g_assert_true (lk_warp_affine (photo, view, &shift, LK_WARP_BORDER_REPLICATE, 0));
        }
      else
        lk_image_fill (view, 128);

      g_assert_true (lk_face_tracker_process (tracker, view, faces, &error));
      g_assert_no_error (error);

      if (!present)
        {
          g_assert_cmpuint (faces->len, ==, 0);
          continue;
        }
      g_assert_cmpuint (faces->len, <=, 1);
      if (faces->len == 1)
        {
          LkFaceDetection *f = &g_array_index (faces, LkFaceDetection, 0);

          tracked++;
          /* the nose tip is where the photo's is, shifted */
          g_assert_cmpfloat (fabs (f->landmarks[30][0] - (ref->landmarks[30][0] - ox)), <,
                             ref->width * 0.05);
          g_assert_cmpfloat (fabs (f->landmarks[30][1] - (ref->landmarks[30][1] - oy)), <,
                             ref->width * 0.05);
          if (frame < 30)
            {
              if (first_id < 0)
                first_id = f->track_id;
              g_assert_cmpint (f->track_id, ==, first_id);
            }
          else
            g_assert_cmpint (f->track_id, !=, first_id); /* a new appearance */
        }
    }
  g_test_message ("tracked on %d of 50 frames with the face, %u full detections", tracked,
                  lk_face_tracker_get_n_detections (tracker));
  g_assert_cmpint (tracked, >=, 49);
  g_assert_cmpuint (lk_face_tracker_get_n_detections (tracker), <, 40);
}

/* Two faces side by side (two photos pasted on one canvas), one of which
 * goes away. */
static void
test_tracker_two_faces (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkImage) a = load_image ("single_man_000007.jpg");       /* 334x500 */
  g_autoptr(LkImage) b = load_image ("single_woman_015259.jpg");     /* 500x491 */
  g_autoptr(LkFaceTracker) tracker = lk_face_tracker_new (detector, NULL);
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));

  for (int frame = 0; frame < 20; frame++)
    {
      g_autoptr(LkImage) canvas = lk_image_new (860, 500, 3);
      LkAffine place_a = { { 1, 0, frame, 0, 1, 0 } };
      LkAffine place_b = { { 1, 0, 350 - frame, 0, 1, 5 } };
      g_autoptr(LkImage) part = lk_image_new (860, 500, 3);

      lk_image_fill (canvas, 90);
      /* a on the left, moving right */
      g_assert_true (lk_warp_affine (a, part, &place_a, LK_WARP_BORDER_CONSTANT, 90));
      for (int y = 0; y < 500; y++)
        memcpy (lk_image_row (canvas, y), lk_image_row (part, y), 345 * 3);
      /* b on the right, until frame 12 */
      if (frame < 12)
        {
          g_assert_true (lk_warp_affine (b, part, &place_b, LK_WARP_BORDER_CONSTANT, 90));
          for (int y = 0; y < 500; y++)
            memcpy (lk_image_row (canvas, y) + 345 * 3, lk_image_row (part, y) + 345 * 3,
                    (860 - 345) * 3);
        }

      g_assert_true (lk_face_tracker_process (tracker, canvas, faces, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (faces->len, ==, frame < 12 ? 2 : 1);
      if (faces->len == 2)
        g_assert_cmpint (g_array_index (faces, LkFaceDetection, 0).track_id, !=,
                         g_array_index (faces, LkFaceDetection, 1).track_id);
    }
}

static void
test_tracker_video (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = testdata_path ("videos", "person_a.mp4");
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (path, NULL, &error);
  g_autoptr(LkFaceTracker) tracker = lk_face_tracker_new (detector, NULL);
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  g_autoptr(GArray) detected = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  int n_frames = 0, n_tracked = 0, n_compared = 0;
  double worst = 0;

  g_assert_no_error (error);
  for (;;)
    {
      LkVideoFrame *frame = NULL;

      g_assert_true (lk_video_reader_read (reader, &frame, NULL, &error));
      g_assert_no_error (error);
      if (frame == NULL)
        break;

      g_assert_true (lk_face_tracker_process (tracker, frame->image, faces, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (faces->len, <=, 1);
      n_frames++;
      if (faces->len == 1)
        n_tracked++;

      /* every 7th frame: the tracked landmarks agree with a fresh detection */
      if (n_frames % 7 == 0 && faces->len == 1)
        {
          g_assert_true (lk_face_detector_detect (detector, frame->image, detected, &error));
          if (detected->len == 1)
            {
              LkFaceDetection *t = &g_array_index (faces, LkFaceDetection, 0);
              LkFaceDetection *d = &g_array_index (detected, LkFaceDetection, 0);
              double sum = 0;

              for (int p = 0; p < LK_FACE_N_LANDMARKS; p++)
                sum += hypot (t->landmarks[p][0] - d->landmarks[p][0],
                              t->landmarks[p][1] - d->landmarks[p][1]);
              worst = MAX (worst, sum / LK_FACE_N_LANDMARKS / d->width);
              n_compared++;
            }
        }
      lk_video_frame_free (frame);
    }

  g_test_message ("person_a: face on %d of %d frames, %u full detections; landmarks vs "
                  "detection: worst mean distance %.3f of the box",
                  n_tracked, n_frames, lk_face_tracker_get_n_detections (tracker), worst);
  g_assert_cmpint (n_frames, >, 150);
  g_assert_cmpint (n_tracked * 100, >=, n_frames * 98);
  g_assert_cmpint (n_compared, >, 10);
  g_assert_cmpfloat (worst, <, 0.05);
  /* tracking, not detecting on every frame */
  g_assert_cmpuint (lk_face_tracker_get_n_detections (tracker), <, (guint) n_frames / 4);
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();

  detector = lk_face_detector_new (NULL, &error);
  if (detector == NULL)
    {
      g_printerr ("no face detector: %s\n", error->message);
      return 77;
    }

  g_test_add_func ("/engine/face/detect/single", test_detect_single);
  g_test_add_func ("/engine/face/detect/noface", test_detect_noface);
  g_test_add_func ("/engine/face/detect/group", test_detect_group);
  g_test_add_func ("/engine/face/detect/downscaled", test_detect_downscaled);
  g_test_add_func ("/engine/face/detect/cnn", test_detect_cnn);
  g_test_add_func ("/engine/face/model/errors", test_model_errors);
  g_test_add_func ("/engine/face/align/umeyama", test_umeyama);
  g_test_add_func ("/engine/face/align/crop", test_align);
  g_test_add_func ("/engine/face/pose/mirror", test_pose_mirror);
  g_test_add_func ("/engine/face/pose/synthetic", test_pose_synthetic);
  g_test_add_func ("/engine/face/tracker/still", test_tracker_still);
  g_test_add_func ("/engine/face/tracker/two-faces", test_tracker_two_faces);
  g_test_add_func ("/engine/face/tracker/video", test_tracker_video);

  ret = g_test_run ();
  lk_face_detector_free (detector);
  return ret;
}
