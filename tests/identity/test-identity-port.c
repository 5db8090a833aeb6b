/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The port check: the engine's face recognition network computes what
 * @vladmandic/face-api's own code computes on TensorFlow.js's
 * pure-JavaScript CPU backend, on the same chips: faces of the shared
 * single and multi photos and frames of person_a and person_b. The chips go
 * to face-api-descriptors.js as raw RGB; max |difference| <= 1e-3.
 *
 * Skipped (exit 77, one message) without node, the unpacked face-api
 * package or the tests' TensorFlow.js (build-aux/setup test installs it). */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "../lk-test-data.h"
#include "identity-test-faces.h"

static void
skip (const char *what)
{
  g_print ("SKIP: %s: the check against face-api's own code needs it "
           "(build-aux/setup test installs it)\n", what);
  exit (77);
}

static void
test_port (void)
{
  const char *node = g_getenv ("LK_NODE");
  const char *face_api = g_getenv ("LK_FACE_API_DIR");
  const char *node_modules = g_getenv ("LK_TFJS_NODE_MODULES");
  const char *script = g_getenv ("LK_FACE_API_SCRIPT");
  static const char *const images[] = {
    "single_man_000007.jpg", "single_man_000125.jpg", "single_man_vd070.png",
    "single_woman_015259.jpg", "single_man_tom_cruise.jpg", "single_woman_astronaut.png",
    "multi_three_2008_001322.jpg", "multi_group_t1.jpg",
  };
  g_autoptr(GArray) faces = test_faces_new ();
  g_autofree float *ours = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lk-identity-port-XXXXXX", NULL);
  g_autofree char *chips_path = g_build_filename (dir, "chips.rgb", NULL);
  g_autofree char *out_path = g_build_filename (dir, "descriptors.json", NULL);
  g_autofree char *n_text = NULL;
  g_autofree char *err_text = NULL;
  g_autoptr(GByteArray) raw = g_byte_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *theirs;
  int status = 0;
  double max_diff = 0;

  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    test_faces_add_image (faces, images[i], images[i], g_str_has_prefix (images[i], "multi") ? 3 : 1);
  test_faces_add_video (faces, "person_a.mp4", "A", 2);
  test_faces_add_video (faces, "person_b.mp4", "B", 2);
  g_assert_cmpuint (faces->len, >=, 12);

  ours = test_faces_describe (faces);
  for (guint i = 0; i < faces->len; i++)
    {
      const LkImage *chip = g_array_index (faces, TestFace, i).chip;

      for (int y = 0; y < chip->height; y++)
        g_byte_array_append (raw, lk_image_row (chip, y), (guint) chip->width * 3);
    }
  g_assert_true (g_file_set_contents (chips_path, (const char *) raw->data, raw->len, NULL));

  n_text = g_strdup_printf ("%u", faces->len);
  {
    const char *argv[] = { node, script, face_api, node_modules, chips_path, n_text, out_path, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                                 NULL, NULL, &err_text, &status, &error));
    g_assert_no_error (error);
    if (!g_spawn_check_wait_status (status, &error))
      g_error ("face-api-descriptors.js failed: %s\n%s", error->message, err_text);
  }

  g_assert_true (json_parser_load_from_file (parser, out_path, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "backend"), ==, "cpu");
  g_print ("# face-api %s on TensorFlow.js %s (%s backend), %u faces\n",
           json_object_get_string_member (root, "faceapi"),
           json_object_get_string_member (root, "tfjs"),
           json_object_get_string_member (root, "backend"), faces->len);
  theirs = json_object_get_array_member (root, "descriptors");
  g_assert_cmpuint (json_array_get_length (theirs), ==, faces->len);
  for (guint i = 0; i < faces->len; i++)
    {
      JsonArray *d = json_array_get_array_element (theirs, i);
      double face_max = 0;

      g_assert_cmpuint (json_array_get_length (d), ==, LK_FACE_DESCRIPTOR_DIM);
      for (guint k = 0; k < LK_FACE_DESCRIPTOR_DIM; k++)
        face_max = MAX (face_max, fabs (json_array_get_double_element (d, k)
                                        - ours[i * LK_FACE_DESCRIPTOR_DIM + k]));
      g_print ("#   %-45s max |difference| %.2e\n",
               g_array_index (faces, TestFace, i).origin, face_max);
      max_diff = MAX (max_diff, face_max);
    }
  g_print ("# max |difference| over all: %.3e (limit 1e-3)\n", max_diff);
  g_assert_cmpfloat (max_diff, <=, 1e-3);

  g_unlink (chips_path);
  g_unlink (out_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  const char *node = g_getenv ("LK_NODE");
  const char *face_api = g_getenv ("LK_FACE_API_DIR");
  const char *node_modules = g_getenv ("LK_TFJS_NODE_MODULES");
  g_autofree char *dist = NULL;
  g_autofree char *tfjs = NULL;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();
  test_recognizer ();
  if (node == NULL || *node == '\0' || !g_file_test (node, G_FILE_TEST_IS_EXECUTABLE))
    skip ("node");
  dist = g_build_filename (face_api != NULL ? face_api : "", "dist", "face-api.node-wasm.js", NULL);
  if (face_api == NULL || !g_file_test (dist, G_FILE_TEST_IS_REGULAR))
    skip ("the unpacked @vladmandic/face-api package");
  tfjs = g_build_filename (node_modules != NULL ? node_modules : "", "@tensorflow", "tfjs",
                           "package.json", NULL);
  if (node_modules == NULL || !g_file_test (tfjs, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *what = g_strdup_printf ("@tensorflow/tfjs in %s",
                                               node_modules != NULL ? node_modules : "(unset)");
      skip (what);
    }

  g_test_add_func ("/identity/port/face-api-tfjs", test_port);
  return g_test_run ();
}
