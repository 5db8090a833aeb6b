/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lk-test-data.h"
#include "lk-align.h"
#include "lk-error.h"
#include "lk-extractor.h"
#include "lk-faces.h"
#include "../lk-test-db.h"

/* One project shared by the tests, in the order they are added. */
static LkProject *project;
static char *tmpdir;

static char *
testdata (const char *sub,
          const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : "../shared/testdata", sub, name, NULL);

  /* Sources are stored with absolute, canonical paths. */
  return g_canonicalize_filename (path, NULL);
}

static gint64
count_rows (const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);

  return lk_test_db_query_int (project, sql);
}

static gboolean
extract (LkIdentity        identity,
         const char       *path,
         LkExtractSummary *summary,
         GError          **error)
{
  const char *paths[] = { path, NULL };
  LkExtractParams params = lk_extract_params_default ();

  return lk_extract_sources (project, identity, paths, &params, NULL, summary, error);
}

static GPtrArray *
faces_of_source (const char *path)
{
  g_autoptr(GPtrArray) all = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL,
                                                    "time", FALSE, NULL);
  g_autoptr(GPtrArray) sources = lk_project_list_sources (project, -1, NULL);
  GPtrArray *faces = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_face_free);
  gint64 source_id = -1;

  for (guint i = 0; i < sources->len; i++)
    if (g_str_equal (((LkSource *) sources->pdata[i])->path, path))
      source_id = ((LkSource *) sources->pdata[i])->id;
  g_assert_cmpint (source_id, >, 0);

  for (guint i = 0; i < all->len; i++)
    if (((LkFace *) all->pdata[i])->source_id == source_id)
      g_ptr_array_add (faces, lk_face_copy (all->pdata[i]));

  return faces;
}

/* ffprobe's own list of the video frames' timestamps. */
static GArray *
ffprobe_pts (const char *path)
{
  const char *argv[] = {
    "ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "frame=pts",
    "-of", "csv=p=0", path, NULL
  };
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GArray *pts = g_array_new (FALSE, FALSE, sizeof (gint64));
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, &status, &error))
    {
      g_array_unref (pts);
      return NULL;
    }

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line != '\0')
        {
          gint64 v = g_ascii_strtoll (line, NULL, 10);
          g_array_append_val (pts, v);
        }
    }

  return pts;
}

static void
check_timestamps (const char *path,
                  GPtrArray  *faces)
{
  g_autoptr(GArray) reference = ffprobe_pts (path);
  g_autoptr(GHashTable) known = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (reference == NULL)
    {
      g_test_skip ("ffprobe is not available");
      return;
    }

  for (guint i = 0; i < reference->len; i++)
    g_hash_table_add (known, &g_array_index (reference, gint64, i));

  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      /* Every stored timestamp is one of FFmpeg's, in increasing order. */
      g_assert_true (g_hash_table_contains (known, &face->pts));
      if (i > 0)
        g_assert_cmpint (face->pts, >, ((LkFace *) faces->pdata[i - 1])->pts);
    }
}

static void
test_video_constant_rate (void)
{
  g_autofree char *path = testdata ("videos", "person_a.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkExtractSummary summary;
  float template[LK_FACE_N_LANDMARKS][2];
  LkAlignParams align = lk_align_params_default ();

  g_assert_true (extract (LK_IDENTITY_A, path, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.frames_processed, ==, 199);

  faces = faces_of_source (path);
  /* A face for at least 95% of the frames, and never two for one frame. */
  g_assert_cmpuint (faces->len, >=, (guint) ceil (0.95 * 199));
  g_assert_cmpuint (faces->len, <=, 199);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      g_assert_cmpint (face->face_index, ==, 0);
      g_assert_cmpint (face->faces_in_frame, ==, 1);
      g_assert_true (g_file_test (face->file, G_FILE_TEST_IS_REGULAR));
      g_assert_cmpint (face->crop_size, ==, 256);
      /* The face is ~250 px wide in this clip. */
      g_assert_cmpfloat (face->box[2], >, 120);
      g_assert_cmpfloat (face->box[2], <, 450);
      g_assert_false (isnan (face->metrics.yaw));
    }
  check_timestamps (path, faces);

  /* The eye centres of the aligned crops land within a few pixels of the
   * template's. */
  lk_align_template_points (&align, template);
  double sum = 0, worst = 0;
  guint n = 0;
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      double eye[2][2] = { { 0 } }, ref[2][2] = { { 0 } };

      for (int side = 0; side < 2; side++)
        {
          int first = side == 0 ? 36 : 42;

          for (int p = first; p < first + 6; p++)
            {
              double x = face->landmarks[p * 2], y = face->landmarks[p * 2 + 1];
              const double *m = face->matrix;

              eye[side][0] += (m[0] * x + m[1] * y + m[2]) / 6.0;
              eye[side][1] += (m[3] * x + m[4] * y + m[5]) / 6.0;
              ref[side][0] += template[p][0] / 6.0;
              ref[side][1] += template[p][1] / 6.0;
            }
          {
            double d = hypot (eye[side][0] - ref[side][0], eye[side][1] - ref[side][1]);

            sum += d;
            worst = MAX (worst, d);
            n++;
          }
        }
    }
  g_test_message ("eye centres: mean %.2f px, worst %.2f px off the template (256 px crop)",
                  sum / n, worst);
  g_assert_cmpfloat (sum / n, <, 4.0);
  /* Turned heads change the eye spacing, which a similarity transform
   * cannot follow: the worst frame is allowed more. */
  g_assert_cmpfloat (worst, <, 12.0);
}

static void
test_video_variable_rate (void)
{
  g_autofree char *path = testdata ("videos", "person_b.mp4");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkExtractSummary summary;

  g_assert_true (extract (LK_IDENTITY_B, path, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.frames_processed, ==, 135);

  faces = faces_of_source (path);
  g_assert_cmpuint (faces->len, >=, (guint) ceil (0.95 * 135));
  check_timestamps (path, faces);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_B, FALSE), ==, faces->len);
}

static void
test_second_run_adds_nothing (void)
{
  g_autofree char *path = testdata ("videos", "person_a.mp4");
  g_autoptr(GError) error = NULL;
  gint64 faces = count_rows ("faces"), frames = count_rows ("frames");
  gint64 sources = count_rows ("sources");
  LkExtractSummary summary;
  LkExtractParams params = lk_extract_params_default ();
  const char *paths[] = { path, NULL };

  g_assert_true (extract (LK_IDENTITY_A, path, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.faces, ==, 0);
  g_assert_cmpuint (summary.sources_skipped, ==, 1);

  /* With other parameters the file is decoded again, but the frames
   * already stored are skipped. */
  params.every_nth = 2;
  g_assert_true (lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.faces, ==, 0);
  g_assert_cmpuint (summary.frames_already_done, ==, 100);

  g_assert_cmpint (count_rows ("faces"), ==, faces);
  g_assert_cmpint (count_rows ("frames"), ==, frames);
  g_assert_cmpint (count_rows ("sources"), ==, sources);
}

static void
test_photos (void)
{
  const struct {
    const char *name;
    guint min_faces;
    guint max_faces;
  } photos[] = {
    { "single_man_000125.jpg", 1, 1 },
    { "single_woman_astronaut.png", 1, 1 },
    { "multi_three_2008_001322.jpg", 2, 3 },
    { "multi_group_t1.jpg", 2, 6 },
    { "noface_fruits.jpg", 0, 0 },
    { "noface_cat_chelsea.png", 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (photos); i++)
    {
      g_autofree char *path = testdata ("images", photos[i].name);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) faces = NULL;
      LkExtractSummary summary;

      g_test_message ("%s", photos[i].name);
      g_assert_true (extract (LK_IDENTITY_B, path, &summary, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (summary.frames_processed, ==, 1);

      faces = faces_of_source (path);
      g_assert_cmpuint (faces->len, >=, photos[i].min_faces);
      g_assert_cmpuint (faces->len, <=, photos[i].max_faces);
      for (guint k = 0; k < faces->len; k++)
        {
          LkFace *face = faces->pdata[k];

          g_assert_cmpint (face->faces_in_frame, ==, faces->len);
          g_assert_cmpint (face->face_index, ==, k);
          /* Numbered left to right. */
          if (k > 0)
            g_assert_cmpfloat (face->box[0], >=, ((LkFace *) faces->pdata[k - 1])->box[0]);
        }
    }
}

static void
check_bad_file (const char *path,
                const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *base = g_path_get_basename (path);
  gint64 faces = count_rows ("faces"), frames = count_rows ("frames");
  gint64 sources = count_rows ("sources");
  LkExtractSummary summary;

  g_test_message ("%s", what);
  g_assert_false (extract (LK_IDENTITY_A, path, &summary, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, base));
  g_assert_cmpint (count_rows ("faces"), ==, faces);
  g_assert_cmpint (count_rows ("frames"), ==, frames);
  g_assert_cmpint (count_rows ("sources"), ==, sources);
}

static void
test_bad_input (void)
{
  g_autofree char *source = testdata ("videos", "person_a.mp4");
  g_autofree char *contents = NULL;
  gsize length;
  g_autofree char *zero = g_build_filename (tmpdir, "zero.mp4", NULL);
  g_autofree char *half = g_build_filename (tmpdir, "half.mp4", NULL);
  g_autofree char *text = g_build_filename (tmpdir, "notes.mp4", NULL);
  g_autofree char *missing = g_build_filename (tmpdir, "missing.mp4", NULL);

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (zero, "", 0, NULL));
  g_assert_true (g_file_set_contents (half, contents, length / 2, NULL));
  g_assert_true (g_file_set_contents (text, "This is a text file, not a video.\n", -1, NULL));

  check_bad_file (zero, "zero bytes");
  check_bad_file (half, "truncated to half");
  check_bad_file (text, "a text file");
  check_bad_file (missing, "missing");
}

static gboolean
stop_after_30 (LkJob    *job,
               gpointer  data)
{
  guint *n = data;

  return ++(*n) < 30;
}

/* A cancel keeps what was stored so far, and the project stays usable. */
static void
test_cancel_keeps_work (void)
{
  g_autofree char *path = testdata ("videos", "tiny_person_c.mp4");
  const char *paths[] = { path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(LkJob) job = lk_job_new ("test");
  LkExtractParams params = lk_extract_params_default ();
  LkExtractSummary summary;
  guint updates = 0;
  gint64 before = count_rows ("faces");

  /* Cancelled from the progress callback after 30 updates. */
  lk_job_set_progress_func (job, stop_after_30, &updates, NULL);
  g_assert_false (lk_extract_sources (project, LK_IDENTITY_A, paths, &params, job, &summary, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count_rows ("faces"), >, before);
  g_assert_cmpint (count_rows ("faces"), <, before + 216);
  g_clear_error (&error);

  /* Running again finishes the file without storing a frame twice. */
  g_assert_true (lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.frames_already_done, >=, 20);
  g_assert_cmpuint (summary.frames_already_done + summary.frames_processed, ==, 216);
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

  tmpdir = g_dir_make_tmp ("lk-extract-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "Extract", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);

  g_test_add_func ("/engine/extract/video-constant-rate", test_video_constant_rate);
  g_test_add_func ("/engine/extract/video-variable-rate", test_video_variable_rate);
  g_test_add_func ("/engine/extract/second-run-adds-nothing", test_second_run_adds_nothing);
  g_test_add_func ("/engine/extract/photos", test_photos);
  g_test_add_func ("/engine/extract/bad-input", test_bad_input);
  g_test_add_func ("/engine/extract/cancel-keeps-work", test_cancel_keeps_work);

  ret = g_test_run ();

  g_clear_object (&project);
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }

  return ret;
}
