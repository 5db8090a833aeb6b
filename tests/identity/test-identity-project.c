/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Identity in a project (issue 13): extraction stores each face's
 * descriptor; faces of older projects get theirs from the source frame, or
 * from the stored crop when the source is gone; the "another person" rule
 * and the sort by identity find the faces of an intruder (a few faces of
 * tiny_person_d.mp4 among those of person_a.mp4, all as A). */
#include "config.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include <glib/gstdio.h>

#include "../lk-test-data.h"
#include "lk-auto-curate.h"
#include "lk-describe-faces.h"
#include "lk-error.h"
#include "lk-extractor.h"
#include "lk-face-descriptor.h"
#include "lk-faces.h"

/* person_a.mp4 every 10th frame: 20 faces; tiny_person_d.mp4 every 60th: 5. */
#define EVERY_A 10
#define EVERY_D 60

static char *tmpdir;
static char *data;

typedef struct
{
  char   *path;        /* the project folder */
  char   *clip_a;      /* a copy of person_a.mp4 (removable) */
  gint64  source_d;
  guint   n_a, n_d;
} Shared;

static Shared shared;

static void
require_network (void)
{
  g_autofree char *path = lk_face_recognition_model_path ();

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_print ("SKIP: %s was not built (build-aux/setup fetches @vladmandic/face-api; "
               "see data/models/meson.build)\n", path);
      exit (77);
    }
}

static guint
count_source (GPtrArray *faces,
              gint64     source_id)
{
  guint n = 0;

  for (guint i = 0; i < faces->len; i++)
    n += ((LkFace *) faces->pdata[i])->source_id == source_id;
  return n;
}

static void
extract (LkProject  *project,
         const char *clip,
         int         every)
{
  g_autoptr(GError) error = NULL;
  LkExtractParams params = lk_extract_params_default ();
  const char *paths[] = { clip, NULL };

  params.every_nth = every;
  params.max_faces = 1;
  g_assert_true (lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* The project, made once: person_a (copied, so a test can take it away)
 * and the intruder, both as A. */
static const Shared *
get_shared (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autofree char *original = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *clip_d = NULL;
  gsize length;

  if (shared.path != NULL)
    return &shared;

  original = g_build_filename (data, "videos", "person_a.mp4", NULL);
  shared.clip_a = g_build_filename (tmpdir, "person_a.mp4", NULL);
  g_assert_true (g_file_get_contents (original, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (shared.clip_a, contents, (gssize) length, NULL));
  clip_d = g_build_filename (data, "videos", "tiny_person_d.mp4", NULL);

  project = lk_project_create (g_build_filename (tmpdir, "Shared", NULL), &error);
  g_assert_no_error (error);
  shared.path = g_strdup (lk_project_get_path (project));
  extract (project, shared.clip_a, EVERY_A);
  extract (project, clip_d, EVERY_D);

  sources = lk_project_list_sources (project, LK_IDENTITY_A, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sources->len, ==, 2);
  for (guint i = 0; i < sources->len; i++)
    if (g_str_has_suffix (((LkSource *) sources->pdata[i])->path, "tiny_person_d.mp4"))
      shared.source_d = ((LkSource *) sources->pdata[i])->id;
  g_assert_cmpint (shared.source_d, >, 0);

  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  g_assert_no_error (error);
  shared.n_d = count_source (faces, shared.source_d);
  shared.n_a = faces->len - shared.n_d;
  g_test_message ("%u faces of person_a, %u of the intruder", shared.n_a, shared.n_d);
  g_assert_cmpuint (shared.n_a, >=, 15);
  g_assert_cmpuint (shared.n_d, >=, 3);
  g_assert_cmpuint (shared.n_d, <, shared.n_a / 2);

  return &shared;
}

/* A copy of the shared project (its database and crops). */
static char *
copy_project (const char *name)
{
  const Shared *s = get_shared ();
  g_autofree char *dest = g_build_filename (tmpdir, name, NULL);
  g_autofree char *command = g_strdup_printf ("cp -r '%s' '%s'", s->path, dest);

  g_assert_cmpint (system (command), ==, 0);
  return g_steal_pointer (&dest);
}

static void
clear_descriptors (const char *folder)
{
  g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "UPDATE faces SET descriptor = NULL", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  sqlite3_close (db);
}

/* Every extracted face has a descriptor; person_a's are near their median,
 * the intruder's far from it. */
static void
test_extract_descriptors (void)
{
  const Shared *s = get_shared ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_open (s->path, &error);
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GArray) distances = NULL;
  g_autoptr(GArray) lacking = NULL;
  float d[LK_FACE_DESCRIPTOR_DIM];

  g_assert_no_error (error);
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  g_assert_no_error (error);
  lacking = lk_project_list_faces_without_descriptor (project, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lacking->len, ==, 0);

  distances = lk_curate_identity_distances (faces, NULL);
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      double distance = g_array_index (distances, double, i);

      g_assert_nonnull (face->descriptor);
      g_assert_true (lk_project_get_face_descriptor (project, face->id, d, &error));
      g_assert_cmpmem (d, sizeof d, face->descriptor, sizeof d);
      g_test_message ("face %" G_GINT64_FORMAT " (%s): %.3f", face->id,
                      face->source_id == s->source_d ? "intruder" : "person_a", distance);
      if (face->source_id == s->source_d)
        g_assert_cmpfloat (distance, >, LK_FACE_SAME_PERSON_DISTANCE);
      else
        g_assert_cmpfloat (distance, <, LK_FACE_SAME_PERSON_DISTANCE);
    }
}

/* Without the network extraction works as before: no descriptors. Run in a
 * subprocess, whose default recognizer is loaded from a missing file. */
static void
test_extract_without_network (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *path = g_build_filename (tmpdir, "NoNet", NULL);
      g_autofree char *clip = g_build_filename (data, "videos", "tiny_person_d.mp4", NULL);
      g_autoptr(LkProject) project = NULL;
      g_autoptr(GPtrArray) faces = NULL;
      g_autoptr(GArray) lacking = NULL;

      g_setenv ("LIKENESS_FACE_RECOGNITION_MODEL", "/nonexistent/face_recognition.safetensors", TRUE);
      project = lk_project_create (path, &error);
      g_assert_no_error (error);
      extract (project, clip, 120);
      faces = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
      g_assert_cmpuint (faces->len, >, 0);
      lacking = lk_project_list_faces_without_descriptor (project, -1, &error);
      g_assert_cmpuint (lacking->len, ==, faces->len);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*without identity descriptors*nonexistent*");
}

static gboolean
count_progress (LkJob    *job,
                gpointer  user_data)
{
  (*(guint *) user_data)++;
  return TRUE;
}

/* An older project: the job computes the descriptors from the source
 * frames, the same as extraction did; with the source gone, from the
 * crops, close to those. */
static void
test_describe_old_project (void)
{
  const Shared *s = get_shared ();
  g_autofree char *folder = copy_project ("Old.likeness");
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GArray) lacking = NULL;
  g_autoptr(LkJob) job = lk_job_new ("Identifying");
  LkDescribeSummary summary = { 0 };
  guint updates = 0;
  double worst = 0;

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  before = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
  g_clear_object (&project);
  clear_descriptors (folder);

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  lacking = lk_project_list_faces_without_descriptor (project, -1, &error);
  g_assert_cmpuint (lacking->len, ==, before->len);
  g_clear_pointer (&lacking, g_array_unref);

  lk_job_set_progress_func (job, count_progress, &updates, NULL);
  g_assert_true (lk_identity_describe_faces (project, LK_IDENTITY_A, job, &summary, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (summary.faces, ==, before->len);
  g_assert_cmpuint (summary.computed, ==, before->len);
  g_assert_cmpuint (summary.from_frame, ==, before->len);
  g_assert_cmpuint (summary.from_crop, ==, 0);
  g_assert_cmpuint (summary.failed, ==, 0);
  g_assert_cmpuint (updates, >=, 2);
  g_assert_cmpfloat (lk_job_get_fraction (job), ==, 1.0);
  lk_describe_summary_clear (&summary);

  after = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      LkFace *a = before->pdata[i], *b = after->pdata[i];

      g_assert_nonnull (b->descriptor);
      worst = MAX (worst, lk_face_descriptor_distance (a->descriptor, b->descriptor));
    }
  g_test_message ("from the frames: at most %.2g from extraction's", worst);
  g_assert_cmpfloat (worst, <, 1e-3);

  /* Nothing left to do: a second run computes nothing. */
  g_assert_true (lk_identity_describe_faces (project, -1, NULL, &summary, &error));
  g_assert_cmpuint (summary.faces, ==, 0);
  lk_describe_summary_clear (&summary);
  g_clear_object (&project);

  /* person_a's source is gone: its faces come from their crops. */
  clear_descriptors (folder);
  {
    g_autofree char *moved = g_strconcat (s->clip_a, ".moved", NULL);

    g_assert_cmpint (g_rename (s->clip_a, moved), ==, 0);
    project = lk_project_open (folder, &error);
    g_assert_no_error (error);
    g_assert_true (lk_identity_describe_faces (project, LK_IDENTITY_A, NULL, &summary, &error));
    g_assert_cmpint (g_rename (moved, s->clip_a), ==, 0);
  }
  g_assert_no_error (error);
  g_assert_cmpuint (summary.computed, ==, before->len);
  g_assert_cmpuint (summary.from_crop, ==, s->n_a);
  g_assert_cmpuint (summary.from_frame, ==, s->n_d);
  lk_describe_summary_clear (&summary);

  g_clear_pointer (&after, g_ptr_array_unref);
  after = lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "id", FALSE, &error);
  worst = 0;
  for (guint i = 0; i < after->len; i++)
    {
      LkFace *a = before->pdata[i], *b = after->pdata[i];

      g_assert_nonnull (b->descriptor);
      worst = MAX (worst, lk_face_descriptor_distance (a->descriptor, b->descriptor));
    }
  g_test_message ("from the crops: at most %.3f from extraction's", worst);
  g_assert_cmpfloat (worst, <, 0.25 * LK_FACE_SAME_PERSON_DISTANCE);
}

/* A cancel keeps what was stored and fails with CANCELLED. */
static gboolean
cancel_at_once (LkJob    *job,
                gpointer  user_data)
{
  return FALSE;
}

static void
test_describe_cancel (void)
{
  g_autofree char *folder = copy_project ("Cancel.likeness");
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autoptr(LkJob) job = lk_job_new ("Identifying");

  clear_descriptors (folder);
  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  lk_job_set_progress_func (job, cancel_at_once, NULL, NULL);
  g_assert_false (lk_identity_describe_faces (project, -1, job, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The rule excludes exactly the intruder's faces, with its own reason, and
 * the sort puts them last. */
static void
test_another_person (void)
{
  const Shared *s = get_shared ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_open (s->path, &error);
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GPtrArray) excluded = NULL;
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  LkAutoCurateParams params = lk_auto_curate_params_default ();
  guint n_rule = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (lk_curate_rule_to_string (LK_CURATE_RULE_ANOTHER_PERSON), ==, "another-person");
  g_assert_cmpint (lk_curate_rule_from_string ("another-person"), ==, LK_CURATE_RULE_ANOTHER_PERSON);
  g_assert_cmpfloat (params.max_identity_distance, ==, LK_FACE_SAME_PERSON_DISTANCE);

  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  for (guint i = 0; i < faces->len; i++)
    g_hash_table_insert (by_id, &((LkFace *) faces->pdata[i])->id, faces->pdata[i]);

  plan = lk_auto_curate_plan (project, LK_IDENTITY_A, &params, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plan->with_descriptor, ==, faces->len);
  g_assert_cmpuint (plan->flagged[LK_CURATE_RULE_ANOTHER_PERSON], ==, s->n_d);
  g_assert_cmpuint (plan->excluded[LK_CURATE_RULE_ANOTHER_PERSON], ==, s->n_d);
  for (guint i = 0; i < plan->face_ids->len; i++)
    {
      gint64 id = g_array_index (plan->face_ids, gint64, i);
      LkFace *face = g_hash_table_lookup (by_id, &id);

      g_assert_nonnull (face);
      if (g_array_index (plan->rules, int, i) == LK_CURATE_RULE_ANOTHER_PERSON)
        {
          g_assert_cmpint (face->source_id, ==, s->source_d);
          n_rule++;
        }
    }
  g_assert_cmpuint (n_rule, ==, s->n_d);

  /* Off: flags nothing. */
  params.max_identity_distance = 0;
  g_clear_pointer (&plan, lk_auto_curate_plan_free);
  plan = lk_auto_curate_plan (project, LK_IDENTITY_A, &params, &error);
  g_assert_cmpuint (plan->flagged[LK_CURATE_RULE_ANOTHER_PERSON], ==, 0);

  /* Applied: the reason is stored. */
  params = lk_auto_curate_params_default ();
  g_clear_pointer (&plan, lk_auto_curate_plan_free);
  plan = lk_auto_curate_plan (project, LK_IDENTITY_A, &params, &error);
  {
    g_autofree char *folder = copy_project ("Applied.likeness");
    g_autoptr(LkProject) copy = lk_project_open (folder, &error);

    g_assert_true (lk_auto_curate_apply (copy, plan, NULL, &error));
    g_assert_no_error (error);
    excluded = lk_project_list_faces (copy, LK_IDENTITY_A, LK_FACE_FILTER_EXCLUDED,
                                      "another-person", "id", FALSE, &error);
    g_assert_cmpuint (excluded->len, ==, s->n_d);
    g_assert_cmpuint (count_source (excluded, s->source_d), ==, s->n_d);
  }

  /* The sort: person_a's faces first, the intruder's last; descending the
   * other way round. Faces without a descriptor go last either way. */
  lk_curate_sort_by_identity (faces, NULL, FALSE);
  for (guint i = 0; i < faces->len; i++)
    g_assert_cmpint (((LkFace *) faces->pdata[i])->source_id == s->source_d, ==, i >= s->n_a);
  lk_curate_sort_by_identity (faces, NULL, TRUE);
  for (guint i = 0; i < faces->len; i++)
    g_assert_cmpint (((LkFace *) faces->pdata[i])->source_id == s->source_d, ==, i < s->n_d);
  g_clear_pointer (&((LkFace *) faces->pdata[0])->descriptor, g_free);
  lk_curate_sort_by_identity (faces, NULL, TRUE);
  g_assert_null (((LkFace *) faces->pdata[faces->len - 1])->descriptor);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  data = g_strdup (lk_test_require_data ());
  require_network ();
  tmpdir = g_dir_make_tmp ("lk-identity-project-XXXXXX", NULL);

  g_test_add_func ("/identity/project/extract-descriptors", test_extract_descriptors);
  g_test_add_func ("/identity/project/extract-without-network", test_extract_without_network);
  g_test_add_func ("/identity/project/describe-old", test_describe_old_project);
  g_test_add_func ("/identity/project/describe-cancel", test_describe_cancel);
  g_test_add_func ("/identity/project/another-person", test_another_person);
  ret = g_test_run ();

  {
    g_autofree char *command = g_strdup_printf ("rm -rf '%s'", tmpdir);

    if (system (command) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
  }
  return ret;
}
