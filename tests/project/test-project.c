/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lk-error.h"
#include "lk-faces.h"
#include "lk-project-checkpoints.h"
#include "lk-project-db.h"
#include "lk-project-exports.h"
#include "lk-project-runs.h"

typedef struct
{
  char *tmpdir;
  char *path;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("lk-project-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->tmpdir, "Test", NULL);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                        G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        rm_rf (child);
      else
        g_remove (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  g_free (f->path);
}

static char *
make_file (Fixture    *f,
           const char *name)
{
  char *path = g_build_filename (f->tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, "not really a video", -1, NULL));

  return path;
}

static void
test_create_layout (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strconcat (f->path, LK_PROJECT_SUFFIX, NULL);
  const char *subdirs[] = { "faces/A", "faces/B", "model", "renders" };

  g_assert_no_error (error);
  g_assert_nonnull (project);
  g_assert_cmpstr (lk_project_get_path (project), ==, folder);
  g_assert_cmpstr (lk_project_get_name (project), ==, "Test");
  g_assert_cmpint (lk_project_get_schema_version (project), ==, LK_PROJECT_SCHEMA_VERSION);
  g_assert_true (lk_project_is_project_dir (folder));

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (folder, subdirs[i], NULL);
      g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
    }

  /* WAL mode is on (foreign keys too: /engine/project/faces sees faces go
   * with their source). */
  {
    g_autofree char *wal = g_build_filename (folder, LK_PROJECT_DB_NAME "-wal", NULL);

    g_assert_true (g_file_test (wal, G_FILE_TEST_IS_REGULAR));
  }

  /* A second create at the same place is refused and leaves it alone. */
  {
    g_autoptr(LkProject) again = lk_project_create (folder, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
    g_assert_null (again);
    g_assert_nonnull (strstr (error->message, "Test.likeness"));
  }
}

static void
count_setting (LkProject  *project,
               const char *key,
               const char *value,
               guint      *count)
{
  g_assert_cmpstr (key, ==, "mask.feather");
  /* The signal carries the new value: no read needed. */
  g_assert_cmpstr (value, ==, "12.5");
  (*count)++;
}

static void
test_settings_persist (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  g_autofree char *value = NULL;
  guint changed = 0;

  g_assert_no_error (error);
  g_signal_connect (project, "setting-changed::mask.feather", G_CALLBACK (count_setting), &changed);

  g_assert_true (lk_project_set_setting_double (project, "mask.feather", 12.5, &error));
  g_assert_no_error (error);
  g_assert_true (lk_project_set_setting (project, "export.codec", "hevc", &error));
  g_assert_cmpfloat (lk_project_get_setting_double (project, "mask.feather", 0), ==, 12.5);
  g_assert_cmpfloat (lk_project_get_setting_double (project, "missing", 3.0), ==, 3.0);
  /* Only the detailed key's changes, and only real changes, are signalled. */
  g_assert_true (lk_project_set_setting_double (project, "mask.feather", 12.5, &error));
  g_assert_cmpuint (changed, ==, 1);
  g_clear_object (&project);

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  value = lk_project_get_setting (project, "export.codec");
  g_assert_cmpstr (value, ==, "hevc");
  g_assert_cmpfloat (lk_project_get_setting_double (project, "mask.feather", 0), ==, 12.5);
}

/* Settings live in memory: reading them runs no SQL, a change is one
 * statement, several changes are one transaction, and the database holds
 * what memory holds. */
static void
test_settings_in_memory (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  const char * const keys[] = { "mask.feather", "mask.expand", "export.crf" };
  const char * const values[] = { "30", "-4", NULL };
  gint64 before;
  char *value;

  g_assert_no_error (error);
  g_assert_true (lk_project_set_setting (project, "export.crf", "18", &error));

  before = lk_project_get_statement_count (project);
  for (int i = 0; i < 100; i++)
    g_free (lk_project_get_setting (project, "mask.feather"));
  g_assert_cmpint (lk_project_get_statement_count (project) - before, ==, 0);

  before = lk_project_get_statement_count (project);
  g_assert_true (lk_project_set_setting (project, "mask.feather", "20", &error));
  g_assert_cmpint (lk_project_get_statement_count (project) - before, ==, 1);
  /* The same value again writes nothing. */
  g_assert_true (lk_project_set_setting (project, "mask.feather", "20", &error));
  g_assert_cmpint (lk_project_get_statement_count (project) - before, ==, 1);

  /* Three changes (one a removal): BEGIN, three statements, COMMIT. */
  before = lk_project_get_statement_count (project);
  g_assert_true (lk_project_set_settings (project, keys, values, 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lk_project_get_statement_count (project) - before, ==, 5);
  value = lk_project_get_setting (project, "mask.feather");
  g_assert_cmpstr (value, ==, "30");
  g_free (value);
  g_assert_null (lk_project_get_setting (project, "export.crf"));
  g_clear_object (&project);

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  value = lk_project_get_setting (project, "mask.expand");
  g_assert_cmpstr (value, ==, "-4");
  g_free (value);
  g_assert_null (lk_project_get_setting (project, "export.crf"));
}

static void
count_signal (guint *count)
{
  (*count)++;
}

static void
test_sources (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autofree char *other = make_file (f, "other.mp4");
  g_autofree char *missing = g_build_filename (f->tmpdir, "missing.mp4", NULL);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) only_b = NULL;
  guint changed = 0;
  gint64 a, again, b;

  g_assert_no_error (error);
  g_signal_connect_swapped (project, "sources-changed", G_CALLBACK (count_signal), &changed);

  a = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  g_assert_cmpint (a, >, 0);
  again = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, a);
  b = lk_project_add_source (project, LK_IDENTITY_B, other, &error);
  g_assert_no_error (error);
  g_assert_cmpint (b, !=, a);
  g_assert_cmpuint (changed, ==, 3);

  /* A missing file is refused, naming it, and adds nothing. */
  g_assert_cmpint (lk_project_add_source (project, LK_IDENTITY_A, missing, &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.mp4"));
  g_clear_error (&error);
  /* So is a folder. */
  g_assert_cmpint (lk_project_add_source (project, LK_IDENTITY_A, f->tmpdir, &error), ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);

  all = lk_project_list_sources (project, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  only_b = lk_project_list_sources (project, LK_IDENTITY_B, &error);
  g_assert_cmpuint (only_b->len, ==, 1);
  g_assert_cmpstr (((LkSource *) only_b->pdata[0])->path, ==, other);
  g_assert_cmpint (((LkSource *) only_b->pdata[0])->identity, ==, LK_IDENTITY_B);

  g_assert_true (lk_project_remove_source (project, a, &error));
  g_assert_no_error (error);
  g_assert_false (lk_project_remove_source (project, a, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = lk_project_list_sources (project, -1, &error);
  g_assert_cmpuint (all->len, ==, 1);

  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, FALSE), ==, 0);
}

static void
test_newer_schema_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  sqlite3 *db;

  g_assert_no_error (error);
  g_clear_object (&project);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  project = lk_project_open (folder, &error);
  g_assert_null (project);
  g_assert_error (error, LK_ERROR, LK_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, LK_PROJECT_DB_NAME));
  g_assert_nonnull (strstr (error->message, "newer"));
}

static void
test_bad_folders (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autofree char *missing = g_build_filename (f->tmpdir, "nope.likeness", NULL);
  g_autofree char *corrupt = g_build_filename (f->tmpdir, "corrupt.likeness", NULL);
  g_autofree char *corrupt_db = g_build_filename (corrupt, LK_PROJECT_DB_NAME, NULL);
  g_autofree char *bytes = NULL;
  gsize len;

  project = lk_project_open (missing, &error);
  g_assert_null (project);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An ordinary folder is not a project. */
  project = lk_project_open (f->tmpdir, &error);
  g_assert_null (project);
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A database file full of garbage is reported as damaged, not a crash,
   * and is left as it was. */
  g_assert_cmpint (g_mkdir (corrupt, 0755), ==, 0);
  g_assert_true (g_file_set_contents (corrupt_db, "This is not an SQLite database, just text."
                                      " It is long enough to have a header.........", -1, NULL));
  project = lk_project_open (corrupt, &error);
  g_assert_null (project);
  g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "corrupt.likeness"));
  g_assert_true (g_file_get_contents (corrupt_db, &bytes, &len, NULL));
  g_assert_true (g_str_has_prefix (bytes, "This is not an SQLite database"));
}

/* A process killed in the middle of a transaction loses that transaction
 * and nothing else; the project opens afterwards. */
static void
test_kill_mid_transaction (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  g_autofree char *value = NULL;
  int status;
  pid_t pid;

  g_assert_no_error (error);
  g_assert_true (lk_project_set_setting (project, "kept", "yes", &error));
  g_clear_object (&project);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      LkProject *child = lk_project_open (folder, NULL);
      g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
      sqlite3 *db = NULL;

      if (child == NULL)
        _exit (2);
      lk_project_set_setting (child, "committed", "yes", NULL);
      /* A transaction in flight, as a typed call of the project would have
       * it half-way (on a connection of its own: the project's is not
       * reachable from outside engine/project). */
      if (sqlite3_open (db_path, &db) != SQLITE_OK ||
          sqlite3_exec (db, "BEGIN IMMEDIATE; "
                            "INSERT INTO settings (key, value) VALUES ('lost', 'yes')",
                        NULL, NULL, NULL) != SQLITE_OK)
        _exit (4);
      /* Killed here: no commit, no close. */
      raise (SIGKILL);
      _exit (3);
    }

  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  value = lk_project_get_setting (project, "kept");
  g_assert_cmpstr (value, ==, "yes");
  g_clear_pointer (&value, g_free);
  value = lk_project_get_setting (project, "committed");
  g_assert_cmpstr (value, ==, "yes");
  g_clear_pointer (&value, g_free);
  value = lk_project_get_setting (project, "lost");
  g_assert_null (value);
}

/* The first schema's migration runs on an empty database made by hand (as
 * an older version would have left it) inside one transaction. */
static void
test_migrate_from_zero (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = NULL;
  g_autofree char *folder = g_strconcat (f->path, LK_PROJECT_SUFFIX, NULL);
  g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  sqlite3 *db;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE unrelated (x)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lk_project_get_schema_version (project), ==, LK_PROJECT_SCHEMA_VERSION);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_B, TRUE), ==, 0);
}


/* A schema 1 project (before the occlusion metric) opens at the current
 * schema: a backup of the old file is made, its faces and their metrics
 * are kept, the new metric reads as not measured until stored. */
static void
test_migrate_from_one (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  g_autofree char *backup = g_strconcat (db_path, ".v1.bak", NULL);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autoptr(LkFace) face = lk_face_new ();
  g_autoptr(LkFace) got = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkFace *row[1] = { face };
  LkFaceMetrics m;
  gint64 source, id;
  sqlite3 *db;

  g_assert_no_error (error);
  source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  face->identity = LK_IDENTITY_A;
  face->file = g_build_filename (folder, "faces", "A", "x.png", NULL);
  face->crop_size = 256;
  g_assert_cmpint (lk_project_store_frame (project, source, 0, 0, 0.0, row, 1, &error), >, 0);
  g_assert_no_error (error);
  id = face->id;
  lk_face_metrics_init (&m);
  m.sharpness = 42.0;
  m.occlusion = 0.5;
  g_assert_true (lk_project_store_metrics (project, &id, &m, 1, &error));
  g_assert_no_error (error);
  g_clear_object (&project);

  /* What schema 1 looked like. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE faces DROP COLUMN occlusion; "
                                 "ALTER TABLE faces DROP COLUMN descriptor; "
                                 "PRAGMA user_version = 1", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lk_project_get_schema_version (project), ==, LK_PROJECT_SCHEMA_VERSION);
  g_assert_cmpint (LK_PROJECT_SCHEMA_VERSION, >=, 2);
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  got = lk_project_get_face (project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (got->metrics.sharpness, ==, 42.0);
  g_assert_true (isnan (got->metrics.occlusion));

  /* The new column stores, reads back and sorts. */
  m.occlusion = 0.25;
  g_assert_true (lk_project_store_metrics (project, &id, &m, 1, &error));
  g_assert_no_error (error);
  g_clear_pointer (&got, lk_face_free);
  got = lk_project_get_face (project, id, &error);
  g_assert_cmpfloat (got->metrics.occlusion, ==, 0.25);
  g_assert_true (lk_face_sort_key_is_valid ("occlusion"));
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "occlusion",
                                 TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);
}

/* A descriptor that is easy to tell apart: @seed + i / 1000. */
static void
fill_descriptor (float  *d,
                 double  seed)
{
  for (int i = 0; i < LK_PROJECT_DESCRIPTOR_DIM; i++)
    d[i] = (float) (seed + i / 1000.0);
}

/* A schema 2 project (before identity descriptors) opens at the current
 * schema: a backup of the old file is made, its faces are kept and have no
 * descriptor; descriptors then store (in a batch and with a new frame), read
 * back, and the faces lacking one are listed. */
static void
test_migrate_from_two (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *folder = g_strdup (lk_project_get_path (project));
  g_autofree char *db_path = g_build_filename (folder, LK_PROJECT_DB_NAME, NULL);
  g_autofree char *backup = g_strconcat (db_path, ".v2.bak", NULL);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autoptr(LkFace) face = lk_face_new ();
  g_autoptr(LkFace) second = lk_face_new ();
  g_autoptr(LkFace) got = NULL;
  g_autoptr(LkFace) copy = NULL;
  g_autoptr(GArray) lacking = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  LkFace *row[2] = { face, second };
  float d[2 * LK_PROJECT_DESCRIPTOR_DIM], out[LK_PROJECT_DESCRIPTOR_DIM];
  gint64 ids[2], source, third_id;
  sqlite3 *db;

  g_assert_no_error (error);
  source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      row[i]->identity = LK_IDENTITY_A;
      row[i]->face_index = i;
      row[i]->file = g_strdup_printf ("%s/faces/A/x%d.png", folder, i);
      row[i]->crop_size = 256;
    }
  g_assert_cmpint (lk_project_store_frame (project, source, 0, 0, 0.0, row, 2, &error), >, 0);
  g_assert_no_error (error);
  ids[0] = face->id;
  ids[1] = second->id;
  g_clear_object (&project);

  /* What schema 2 looked like. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "ALTER TABLE faces DROP COLUMN descriptor; "
                                 "PRAGMA user_version = 2", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_false (g_file_test (backup, G_FILE_TEST_EXISTS));

  project = lk_project_open (folder, &error);
  g_assert_no_error (error);
  g_assert_cmpint (lk_project_get_schema_version (project), ==, LK_PROJECT_SCHEMA_VERSION);
  g_assert_cmpint (LK_PROJECT_SCHEMA_VERSION, >=, 3);
  g_assert_true (g_file_test (backup, G_FILE_TEST_EXISTS));
  got = lk_project_get_face (project, ids[0], &error);
  g_assert_no_error (error);
  g_assert_null (got->descriptor);
  g_assert_cmpint (got->crop_size, ==, 256);
  g_assert_false (lk_project_get_face_descriptor (project, ids[0], out, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (lk_project_get_face_descriptor (project, 999999, out, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  lacking = lk_project_list_faces_without_descriptor (project, LK_IDENTITY_A, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lacking->len, ==, 2);
  g_assert_cmpint (g_array_index (lacking, gint64, 0), ==, ids[0]);
  g_assert_cmpint (g_array_index (lacking, gint64, 1), ==, ids[1]);
  g_clear_pointer (&lacking, g_array_unref);

  /* A batch stores each face's own descriptor. */
  fill_descriptor (d, 1.0);
  fill_descriptor (d + LK_PROJECT_DESCRIPTOR_DIM, -2.0);
  g_assert_true (lk_project_set_face_descriptors (project, ids, d, 2, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 2; i++)
    {
      g_assert_true (lk_project_get_face_descriptor (project, ids[i], out, &error));
      g_assert_no_error (error);
      g_assert_cmpmem (out, sizeof out, d + i * LK_PROJECT_DESCRIPTOR_DIM, sizeof out);
    }
  g_clear_pointer (&got, lk_face_free);
  got = lk_project_get_face (project, ids[1], &error);
  g_assert_nonnull (got->descriptor);
  g_assert_cmpmem (got->descriptor, sizeof out, d + LK_PROJECT_DESCRIPTOR_DIM, sizeof out);
  copy = lk_face_copy (got);
  g_assert_true (copy->descriptor != got->descriptor);
  g_assert_cmpmem (copy->descriptor, sizeof out, got->descriptor, sizeof out);
  lacking = lk_project_list_faces_without_descriptor (project, -1, &error);
  g_assert_cmpuint (lacking->len, ==, 0);
  g_clear_pointer (&lacking, g_array_unref);

  /* Extraction's way: the descriptor comes with the face; a face without
   * one is listed as lacking it, of its identity only. */
  {
    g_autoptr(LkFace) with = lk_face_new ();
    g_autoptr(LkFace) without = lk_face_new ();
    LkFace *frame_faces[2] = { with, without };

    for (int i = 0; i < 2; i++)
      {
        frame_faces[i]->identity = LK_IDENTITY_A;
        frame_faces[i]->face_index = i;
        frame_faces[i]->file = g_strdup_printf ("%s/faces/A/y%d.png", folder, i);
        frame_faces[i]->crop_size = 256;
      }
    with->descriptor = g_new (float, LK_PROJECT_DESCRIPTOR_DIM);
    fill_descriptor (with->descriptor, 3.0);
    g_assert_cmpint (lk_project_store_frame (project, source, 1, 100, 0.04, frame_faces, 2, &error),
                     >, 0);
    g_assert_no_error (error);
    g_assert_true (lk_project_get_face_descriptor (project, with->id, out, &error));
    g_assert_cmpmem (out, sizeof out, with->descriptor, sizeof out);
    third_id = without->id;
  }
  lacking = lk_project_list_faces_without_descriptor (project, LK_IDENTITY_A, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lacking->len, ==, 1);
  g_assert_cmpint (g_array_index (lacking, gint64, 0), ==, third_id);
  g_clear_pointer (&lacking, g_array_unref);
  lacking = lk_project_list_faces_without_descriptor (project, LK_IDENTITY_B, &error);
  g_assert_cmpuint (lacking->len, ==, 0);

  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 4);
  g_assert_nonnull (((LkFace *) faces->pdata[0])->descriptor);
  g_assert_null (((LkFace *) faces->pdata[3])->descriptor);
}


static void
count_faces_signal (LkProject *project,
                    int        identity,
                    guint     *counts)
{
  counts[identity]++;
}

static LkFace *
make_face (LkProject *project,
           gint64     source_id,
           gint64     pts,
           int        index,
           double     sharpness)
{
  LkFace *face = lk_face_new ();
  g_autofree char *rel = lk_project_face_file_name (project, LK_IDENTITY_A, source_id, pts, index);

  face->identity = LK_IDENTITY_A;
  face->face_index = index;
  face->file = g_build_filename (lk_project_get_path (project), rel, NULL);
  face->crop_size = 256;
  face->coverage = 0.8;
  face->box[0] = 10 + index;
  face->box[2] = 100;
  for (int i = 0; i < LK_N_LANDMARKS * 2; i++)
    face->landmarks[i] = i * 0.5f + pts;
  face->matrix[0] = 1.5;
  face->metrics.sharpness = sharpness;

  return face;
}

static void
test_faces (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GHashTable) done = NULL;
  g_autoptr(LkFace) got = NULL;
  guint changed[2] = { 0, 0 };
  gint64 source, ids[3];
  double sharpness[3] = { 5.0, 1.0, 9.0 };

  g_assert_no_error (error);
  g_signal_connect (project, "faces-changed", G_CALLBACK (count_faces_signal), changed);
  source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);

  /* Frame at pts 100 with two faces, frame at 200 with one, 300 with none. */
  guint k = 0;
  for (int frame = 0; frame < 3; frame++)
    {
      g_autoptr(GPtrArray) row = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_face_free);
      gint64 pts = 100 * (frame + 1);
      guint n = frame == 0 ? 2 : frame == 1 ? 1 : 0;

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (row, make_face (project, source, pts, i, sharpness[k + i]));
      g_assert_cmpint (lk_project_store_frame (project, source, frame, pts, pts / 100.0,
                                               (LkFace **) row->pdata, row->len, &error), >, 0);
      g_assert_no_error (error);
      for (guint i = 0; i < n; i++)
        ids[k++] = ((LkFace *) row->pdata[i])->id;
    }
  g_assert_cmpuint (changed[LK_IDENTITY_A], ==, 2);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, FALSE), ==, 3);

  /* The same frame cannot be stored twice: a re-run must skip it. */
  g_assert_cmpint (lk_project_store_frame (project, source, 0, 100, 1.0, NULL, 0, &error), ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);
  done = lk_project_get_processed_frames (project, source, &error);
  g_assert_cmpuint (g_hash_table_size (done), ==, 3);
  {
    gint64 pts = 300;
    g_assert_true (g_hash_table_contains (done, &pts));
  }

  /* Round trip of every stored field. */
  got = lk_project_get_face (project, ids[1], &error);
  g_assert_no_error (error);
  g_assert_cmpint (got->face_index, ==, 1);
  g_assert_cmpint (got->pts, ==, 100);
  g_assert_cmpint (got->faces_in_frame, ==, 2);
  g_assert_cmpfloat (got->landmarks[67 * 2 + 1], ==, 135 * 0.5f + 100);
  g_assert_cmpfloat (got->matrix[0], ==, 1.5);
  g_assert_true (g_str_has_prefix (got->file, lk_project_get_path (project)));
  g_assert_true (got->included);
  g_assert_true (isnan (got->metrics.sharpness));  /* metrics come from curation */

  /* Sorting by a metric, NULLs last. */
  {
    LkFaceMetrics m[2];

    lk_face_metrics_init (&m[0]);
    lk_face_metrics_init (&m[1]);
    m[0].sharpness = 7.0;
    m[1].sharpness = 2.0;
    g_assert_true (lk_project_store_metrics (project, ids, m, 2, &error));
    g_assert_no_error (error);
  }
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL,
                                 "sharpness", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 3);
  g_assert_cmpint (((LkFace *) faces->pdata[0])->id, ==, ids[0]);
  g_assert_cmpint (((LkFace *) faces->pdata[1])->id, ==, ids[1]);
  g_assert_cmpint (((LkFace *) faces->pdata[2])->id, ==, ids[2]);
  g_clear_pointer (&faces, g_ptr_array_unref);

  /* A multi-column key sorts every column in the direction asked. */
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL,
                                 "time", TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (((LkFace *) faces->pdata[0])->pts, ==, 200);
  g_assert_cmpint (((LkFace *) faces->pdata[1])->face_index, ==, 1);
  g_assert_cmpint (((LkFace *) faces->pdata[2])->face_index, ==, 0);
  g_clear_pointer (&faces, g_ptr_array_unref);

  g_assert_null (lk_project_list_faces (project, -1, LK_FACE_FILTER_ALL, NULL, "x; DROP", FALSE, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Exclusion keeps the row and its reason, and is reversible. */
  g_assert_true (lk_project_set_faces_included (project, &ids[2], 1, FALSE, "blurry", &error));
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), ==, 2);
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_EXCLUDED, "blurry",
                                 NULL, FALSE, &error);
  g_assert_cmpuint (faces->len, ==, 1);
  g_assert_cmpstr (((LkFace *) faces->pdata[0])->exclude_reason, ==, "blurry");
  g_clear_pointer (&faces, g_ptr_array_unref);
  g_assert_true (lk_project_set_faces_included (project, &ids[2], 1, TRUE, NULL, &error));
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), ==, 3);

  /* Restoring exact states (undo) brings back mixed flags and reasons. */
  {
    gboolean flags[3] = { FALSE, TRUE, FALSE };
    const char *reasons[3] = { "blurry", NULL, "duplicate" };

    g_assert_true (lk_project_set_faces_state (project, ids, flags, reasons, 3, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(LkFace) face = lk_project_get_face (project, ids[i], &error);

        g_assert_cmpint (face->included, ==, flags[i]);
        g_assert_cmpstr (face->exclude_reason, ==, reasons[i]);
      }
  }

  /* Removing the source removes its frames and faces with it. */
  g_assert_true (lk_project_remove_source (project, source, &error));
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, FALSE), ==, 0);
}

/* Taking back part of an extraction removes the frames and their faces,
 * and the source when asked, in one go. */
static void
test_discard_frames (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GHashTable) done = NULL;
  gint64 source, frames[2];
  int crop_size = -1;
  double coverage = -1;

  g_assert_no_error (error);
  g_assert_true (lk_project_get_face_geometry (project, &crop_size, &coverage, &error));
  g_assert_cmpint (crop_size, ==, 0);
  g_assert_cmpfloat (coverage, ==, 0);

  source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  g_assert_false (lk_project_source_is_extracted_with (project, source, "{}"));
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(LkFace) face = make_face (project, source, 100 * (i + 1), 0, 1.0);
      gint64 id = lk_project_store_frame (project, source, i, 100 * (i + 1), i, &face, 1, &error);

      g_assert_no_error (error);
      if (i < 2)
        frames[i] = id;
    }
  g_assert_true (lk_project_get_face_geometry (project, &crop_size, &coverage, &error));
  g_assert_cmpint (crop_size, ==, 256);
  g_assert_cmpfloat (coverage, ==, 0.8);
  g_assert_true (lk_project_mark_source_extracted (project, source, "{}", &error));
  g_assert_true (lk_project_source_is_extracted_with (project, source, "{}"));
  g_assert_false (lk_project_source_is_extracted_with (project, source, "{\"x\":1}"));

  g_assert_true (lk_project_discard_frames (project, source, frames, 2, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, FALSE), ==, 1);
  done = lk_project_get_processed_frames (project, source, &error);
  g_assert_cmpuint (g_hash_table_size (done), ==, 1);

  g_assert_true (lk_project_discard_frames (project, source, NULL, 0, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, FALSE), ==, 0);
  sources = lk_project_list_sources (project, -1, &error);
  g_assert_cmpuint (sources->len, ==, 0);
}

/* Runs and the loss history: a resumed run drops what came after its
 * start, and a batch of losses is stored whole or not at all. */
static void
test_runs (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autoptr(GArray) history = NULL;
  LkLossPoint points[4];
  const char *extras[4] = { "{}", NULL, "{}", NULL };
  double elapsed = -1;
  gint64 run, run2;

  g_assert_no_error (error);
  for (int i = 0; i < 4; i++)
    points[i] = (LkLossPoint) { i + 1, 10.0 * (i + 1), 1.0f / (i + 1), 2.0f / (i + 1) };

  run = lk_project_begin_run (project, "CPU", "{}", 0, &elapsed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run, >, 0);
  g_assert_cmpfloat (elapsed, ==, 0);
  g_assert_true (lk_project_add_losses (project, run, points, extras, 4, 4, TRUE, &error));
  g_assert_no_error (error);
  history = lk_project_load_loss_history (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 4);
  g_assert_cmpint (g_array_index (history, LkLossPoint, 3).iteration, ==, 4);
  g_clear_pointer (&history, g_array_unref);

  /* Resumed from iteration 2: 3 and 4 were lost. */
  run2 = lk_project_begin_run (project, "CPU", "{}", 2, &elapsed, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run2, >, run);
  g_assert_cmpfloat (elapsed, ==, 20.0);
  history = lk_project_load_loss_history (project, &error);
  g_assert_cmpuint (history->len, ==, 2);
  g_clear_pointer (&history, g_array_unref);

  /* A row the database refuses (no such run) takes the batch with it. */
  g_assert_false (lk_project_add_losses (project, 999, &points[2], NULL, 2, 4, FALSE, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, LK_PROJECT_DB_NAME));
  g_clear_error (&error);
  history = lk_project_load_loss_history (project, &error);
  g_assert_cmpuint (history->len, ==, 2);
}

static gboolean
not_twenty (const char *path,
            gint64     *iteration,
            gpointer    user_data)
{
  (*(guint *) user_data)++;
  return *iteration != 20;
}

static void
test_checkpoints (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *c10 = NULL;
  g_autofree char *c20 = NULL;
  g_autofree char *c3 = NULL;
  g_autofree char *found = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *other = NULL;
  gint64 run, iteration = -1;
  guint asked = 0;

  g_assert_no_error (error);

  /* None yet. */
  g_assert_null (lk_project_find_newest_checkpoint (project, NULL, NULL, &iteration, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
  g_clear_error (&error);

  c10 = lk_project_checkpoint_path (project, 10);
  c20 = lk_project_checkpoint_path (project, 20);
  c3 = lk_project_checkpoint_path (project, 3);
  g_assert_true (g_str_has_suffix (c10, "/model/ckpt-10.safetensors"));
  other = g_build_filename (lk_project_get_model_dir (project), "ckpt-x.safetensors", NULL);
  for (const char * const *p = (const char * const[]) { c10, c20, c3, other, NULL }; *p; p++)
    g_assert_true (g_file_set_contents (*p, "weights", -1, NULL));

  /* Newest first, by number, not by name. */
  files = lk_project_list_checkpoint_files (project);
  g_assert_cmpuint (files->len, ==, 3);
  g_assert_cmpint (((LkCheckpointFile *) files->pdata[0])->iteration, ==, 20);
  g_assert_cmpint (((LkCheckpointFile *) files->pdata[1])->iteration, ==, 10);
  g_assert_cmpint (((LkCheckpointFile *) files->pdata[2])->iteration, ==, 3);

  found = lk_project_find_newest_checkpoint (project, NULL, NULL, &iteration, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, c20);
  g_assert_cmpint (iteration, ==, 20);
  g_clear_pointer (&found, g_free);
  /* The newest the caller can use. */
  found = lk_project_find_newest_checkpoint (project, not_twenty, &asked, &iteration, &error);
  g_assert_cmpstr (found, ==, c10);
  g_assert_cmpint (iteration, ==, 10);
  g_assert_cmpuint (asked, ==, 2);

  /* Rows follow their files. */
  run = lk_project_begin_run (project, "CPU", "{}", 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (lk_project_add_checkpoint (project, run, 10, c10, "aa", 1, &error));
  g_assert_true (lk_project_add_checkpoint (project, run, 20, c20, "bb", 2, &error));
  g_assert_no_error (error);
  moved = g_strconcat (c20, ".corrupt", NULL);
  g_assert_true (lk_project_move_checkpoint (project, c20, moved, &error));
  g_assert_true (lk_project_forget_checkpoint (project, c10, &error));
  g_assert_no_error (error);
  records = lk_project_list_checkpoints (project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 1);
  g_assert_cmpstr (((LkCheckpointRecord *) records->pdata[0])->path, ==, moved);
  g_assert_cmpstr (((LkCheckpointRecord *) records->pdata[0])->sha256, ==, "bb");
  g_assert_cmpint (((LkCheckpointRecord *) records->pdata[0])->run_id, ==, run);
}

static void
test_exports (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autoptr(LkExportRecord) record = NULL;
  gint64 id;

  g_assert_no_error (error);
  id = lk_project_begin_export (project, "/in.mp4", "/out.mp4", "a2b", "{}", "cc", &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  record = lk_project_get_export (project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->status, ==, "running");
  g_assert_cmpstr (record->output, ==, "/out.mp4");
  g_assert_null (record->output_sha256);
  g_clear_pointer (&record, lk_export_record_free);

  g_assert_true (lk_project_end_export (project, id, "done", "dd", &error));
  record = lk_project_get_export (project, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (record->status, ==, "done");
  g_assert_cmpstr (record->output_sha256, ==, "dd");
  g_assert_cmpint (record->finished_at, >, 0);

  g_assert_null (lk_project_get_export (project, id + 1, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NOT_FOUND);
}

/* A worker holding the writer in an open transaction (the extractor's and
 * the trainer's batches) while the GTK thread lists faces: the listing must
 * not wait for the commit, and must show what was committed before it. The
 * worker holds until the listing is done or 2 s have passed, so the test
 * checks the order of events rather than a duration. */
typedef struct
{
  LkProject *project;
  gint64     face_id;
  GMutex     mutex;
  GCond      cond;
  gboolean   holding;
  gboolean   listed;
  gboolean   listed_while_holding;
} Hold;

static gpointer
hold_write_transaction (gpointer data)
{
  Hold *hold = data;
  g_autofree char *sql = g_strdup_printf ("UPDATE faces SET included = 0, exclude_reason = 'held' "
                                          "WHERE id = %" G_GINT64_FORMAT, hold->face_id);
  gint64 deadline;

  _lk_project_lock (hold->project);
  g_assert_true (_lk_project_begin (hold->project, NULL));
  g_assert_true (_lk_project_exec (hold->project, sql, NULL));

  g_mutex_lock (&hold->mutex);
  hold->holding = TRUE;
  g_cond_broadcast (&hold->cond);
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
  while (!hold->listed)
    if (!g_cond_wait_until (&hold->cond, &hold->mutex, deadline))
      break;
  hold->listed_while_holding = hold->listed;
  g_mutex_unlock (&hold->mutex);

  g_assert_true (_lk_project_commit (hold->project, NULL));
  _lk_project_unlock (hold->project);

  return NULL;
}

static void
test_read_while_writing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_create (f->path, &error);
  g_autofree char *clip = make_file (f, "clip.mp4");
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(LkFace) face = NULL;
  g_autoptr(GThread) thread = NULL;
  Hold hold = { 0 };
  gint64 source, ids[8];
  gint64 start;
  guint included;

  g_assert_no_error (error);
  source = lk_project_add_source (project, LK_IDENTITY_A, clip, &error);
  g_assert_no_error (error);
  for (guint frame = 0; frame < G_N_ELEMENTS (ids); frame++)
    {
      g_autoptr(LkFace) one = make_face (project, source, 100 * (frame + 1), 0, 1.0);

      g_assert_cmpint (lk_project_store_frame (project, source, frame, 100 * (frame + 1), frame,
                                               &one, 1, &error), >, 0);
      g_assert_no_error (error);
      ids[frame] = one->id;
    }

  hold.project = project;
  hold.face_id = ids[3];
  g_mutex_init (&hold.mutex);
  g_cond_init (&hold.cond);
  thread = g_thread_new ("hold-write", hold_write_transaction, &hold);

  g_mutex_lock (&hold.mutex);
  while (!hold.holding)
    g_cond_wait (&hold.cond, &hold.mutex);
  g_mutex_unlock (&hold.mutex);

  /* The GTK thread's reads while the transaction is open. */
  start = g_get_monotonic_time ();
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  g_assert_no_error (error);
  face = lk_project_get_face (project, ids[3], &error);
  g_assert_no_error (error);
  included = lk_project_count_faces (project, LK_IDENTITY_A, TRUE);
  g_test_message ("reads during an open write transaction took %.1f ms",
                  (g_get_monotonic_time () - start) / 1000.0);

  g_mutex_lock (&hold.mutex);
  hold.listed = TRUE;
  g_cond_broadcast (&hold.cond);
  g_mutex_unlock (&hold.mutex);
  g_thread_join (g_steal_pointer (&thread));

  g_assert_true (hold.listed_while_holding);
  /* The committed state: the worker's change was not committed yet. */
  g_assert_cmpuint (faces->len, ==, G_N_ELEMENTS (ids));
  g_assert_true (((LkFace *) faces->pdata[3])->included);
  g_assert_true (face->included);
  g_assert_cmpuint (included, ==, G_N_ELEMENTS (ids));

  /* Once committed, another thread's write is seen. */
  g_clear_pointer (&face, lk_face_free);
  face = lk_project_get_face (project, ids[3], &error);
  g_assert_no_error (error);
  g_assert_false (face->included);
  g_assert_cmpstr (face->exclude_reason, ==, "held");
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), ==,
                    G_N_ELEMENTS (ids) - 1);

  /* A read right after a write on the same thread sees it. */
  g_assert_true (lk_project_set_faces_included (project, &ids[5], 1, FALSE, "manual", &error));
  g_assert_no_error (error);
  g_clear_pointer (&faces, g_ptr_array_unref);
  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_EXCLUDED, "manual", NULL,
                                 FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);
  g_assert_cmpint (((LkFace *) faces->pdata[0])->id, ==, ids[5]);

  /* Inside the writer's own transaction, engine code reads its own
   * uncommitted change. */
  _lk_project_lock (project);
  g_assert_true (_lk_project_begin (project, NULL));
  g_assert_true (_lk_project_exec (project, "UPDATE faces SET included = 0", NULL));
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), ==, 0);
  g_clear_pointer (&face, lk_face_free);
  face = lk_project_get_face (project, ids[0], &error);
  g_assert_no_error (error);
  g_assert_false (face->included);
  _lk_project_rollback (project);
  _lk_project_unlock (project);
  g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), ==,
                    G_N_ELEMENTS (ids) - 2);

  g_mutex_clear (&hold.mutex);
  g_cond_clear (&hold.cond);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/engine/project/create-layout", test_create_layout);
  ADD ("/engine/project/settings-persist", test_settings_persist);
  ADD ("/engine/project/settings-in-memory", test_settings_in_memory);
  ADD ("/engine/project/sources", test_sources);
  ADD ("/engine/project/newer-schema-refused", test_newer_schema_refused);
  ADD ("/engine/project/bad-folders", test_bad_folders);
  ADD ("/engine/project/kill-mid-transaction", test_kill_mid_transaction);
  ADD ("/engine/project/migrate-from-zero", test_migrate_from_zero);
  ADD ("/engine/project/migrate-from-one", test_migrate_from_one);
  ADD ("/engine/project/migrate-from-two", test_migrate_from_two);
  ADD ("/engine/project/faces", test_faces);
  ADD ("/engine/project/discard-frames", test_discard_frames);
  ADD ("/engine/project/runs", test_runs);
  ADD ("/engine/project/checkpoints", test_checkpoints);
  ADD ("/engine/project/exports", test_exports);
  ADD ("/engine/project/read-while-writing", test_read_while_writing);

  return g_test_run ();
}
