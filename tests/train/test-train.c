/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "../lk-test-data.h"
#include "../lk-test-db.h"
#include "lk-error.h"
#include "lk-extractor.h"
#include "lk-faces.h"
#include "lk-geometry.h"
#include "lk-project-checkpoints.h"
#include "lk-torch.h"
#include "lk-train-private.h"
#include "lk-trainer.h"

/* One project with faces, extracted once; each test trains on a copy. */
static char *tmpdir;
static char *base_project;
static int n_copies;

static char *
testdata (const char *sub,
          const char *name)
{
  const char *dir = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *path = g_build_filename (dir != NULL ? dir : "../shared/testdata", sub, name,
                                            NULL);

  return g_canonicalize_filename (path, NULL);
}

static void
extract (LkProject  *project,
         LkIdentity  identity,
         const char *name)
{
  g_autofree char *path = testdata ("videos", name);
  const char *paths[] = { path, NULL };
  LkExtractParams params = lk_extract_params_default ();
  g_autoptr(GError) error = NULL;

  params.every_nth = 3;
  g_assert_true (lk_extract_sources (project, identity, paths, &params, NULL, NULL, &error));
  g_assert_no_error (error);
}

static const char *
get_base_project (void)
{
  if (base_project == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LkProject) project = NULL;
      g_autofree char *path = g_build_filename (tmpdir, "base.likeness", NULL);

      project = lk_project_create (path, &error);
      g_assert_no_error (error);
      extract (project, LK_IDENTITY_A, "tiny_person_c.mp4");
      extract (project, LK_IDENTITY_B, "tiny_person_d.mp4");
      g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_A, TRUE), >=, 40);
      g_assert_cmpuint (lk_project_count_faces (project, LK_IDENTITY_B, TRUE), >=, 40);
      base_project = g_strdup (lk_project_get_path (project));
    }

  return base_project;
}

/* A fresh copy of the base project. */
static LkProject *
project_copy (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf ("copy-%d.likeness", ++n_copies);
  g_autofree char *path = g_build_filename (tmpdir, name, NULL);
  const char *argv[] = { "cp", "-a", get_base_project (), path, NULL };
  int status = 0;
  LkProject *project;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);

  project = lk_project_open (path, &error);
  g_assert_no_error (error);

  return project;
}

/* A small model that trains fast on a CPU, reproducibly. */
static LkTrainParams
tiny_params (void)
{
  LkTrainParams p = lk_train_params_default ();

  p.face_size = 64;
  p.encoder_width = 8;
  p.decoder_width = 8;
  p.bottleneck = 32;
  p.batch_size = 4;
  p.learning_rate = 1e-3;
  p.seed = 7;
  p.deterministic = TRUE;
  p.save_interval = 0;
  p.keep_checkpoints = 3;
  p.preview_interval = 0;
  p.device = LK_TRAIN_DEVICE_CPU;
  /* One thread: the tiny model gains nothing from more, and OpenMP's
   * barriers crawl on a loaded 2-core machine. */
  p.threads = 1;

  return p;
}

static void
train (LkProject           *project,
       const LkTrainParams *params,
       gint64               iterations)
{
  g_autoptr(LkTrainer) trainer = lk_trainer_new (project, params);
  g_autoptr(GError) error = NULL;

  g_assert_true (lk_trainer_run (trainer, iterations, 0, NULL, &error));
  g_assert_no_error (error);
}

static GArray *
history (LkProject *project)
{
  g_autoptr(GError) error = NULL;
  GArray *points = lk_trainer_load_loss_history (project, &error);

  g_assert_no_error (error);
  g_assert_nonnull (points);
  return points;
}

static gint64
query_int (LkProject  *project,
           const char *sql)
{
  return lk_test_db_query_int (project, sql);
}

static char *
checkpoint (LkProject *project,
            gint64     iteration)
{
  g_autofree char *name = g_strdup_printf ("ckpt-%" G_GINT64_FORMAT ".safetensors", iteration);

  return g_build_filename (lk_project_get_model_dir (project), name, NULL);
}

static guint
count_files (const char *dir,
             const char *infix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (strstr (name, infix) != NULL)
      n++;
  return n;
}

/* ---- Tests ---------------------------------------------------------------- */

static gboolean
params_equal (const LkTrainParams *a,
              const LkTrainParams *b)
{
  return a->face_size == b->face_size && a->encoder_width == b->encoder_width &&
         a->decoder_width == b->decoder_width && a->bottleneck == b->bottleneck &&
         a->batch_size == b->batch_size && a->learning_rate == b->learning_rate &&
         a->pixel_loss == b->pixel_loss && a->dssim_weight == b->dssim_weight &&
         a->face_area_only == b->face_area_only && a->eye_mouth_weight == b->eye_mouth_weight &&
         a->gan == b->gan && a->gan_weight == b->gan_weight &&
         a->critic_learning_rate == b->critic_learning_rate && a->augment == b->augment &&
         a->seed == b->seed && a->deterministic == b->deterministic &&
         a->save_interval == b->save_interval && a->keep_checkpoints == b->keep_checkpoints &&
         a->preview_interval == b->preview_interval && a->device == b->device &&
         a->cuda_graphs == b->cuda_graphs && a->threads == b->threads;
}

static void
test_params (void)
{
  g_autoptr(LkProject) project = project_copy ();
  LkTrainParams p = lk_train_params_default (), q;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpint (p.face_size, ==, 128);
  g_assert_true (lk_train_params_validate (&p, &error));

  /* Nothing stored: the defaults. */
  q = lk_train_params_from_project (project);
  g_assert_true (params_equal (&p, &q));

  /* A round trip through the settings. */
  p = tiny_params ();
  p.deterministic = FALSE;   /* not settings */
  p.threads = 0;
  p.gan = TRUE;
  p.pixel_loss = LK_TRAIN_LOSS_MSE;
  p.eye_mouth_weight = 2.5;
  p.cuda_graphs = TRUE;
  g_assert_true (lk_train_params_save_to_project (&p, project, &error));
  g_assert_no_error (error);
  q = lk_train_params_from_project (project);
  g_assert_true (params_equal (&p, &q));

  /* A bad value keeps the default; the GUI's formats are read. */
  g_assert_true (lk_project_set_setting (project, "train.face-size", "100", NULL));
  g_assert_true (lk_project_set_setting (project, "train.loss", "huber", NULL));
  g_assert_true (lk_project_set_setting (project, "train.gan", "false", NULL));
  q = lk_train_params_from_project (project);
  g_assert_cmpint (q.face_size, ==, 128);
  g_assert_cmpint (q.pixel_loss, ==, LK_TRAIN_LOSS_L1);
  g_assert_false (q.gan);

  p.batch_size = 0;
  g_assert_false (lk_train_params_validate (&p, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "batch-size"));

  json = lk_train_params_to_json (&q);
  g_assert_nonnull (strstr (json, "\"face-size\":128"));
}

static void
test_masks (void)
{
  g_autoptr(LkImage) mask = lk_image_new (16, 16, 1);
  const LkPoint square[] = { { 2, 2 }, { 10, 2 }, { 10, 6 }, { 2, 6 } };
  guint n = 0;

  /* Pixel centres 2..9 x 2..5: 8 x 4. */
  lk_image_fill (mask, 0);
  lk_polygon_fill (mask, square, 4, LK_POLYGON_EVEN_ODD, 255);
  for (int y = 0; y < 16; y++)
    for (int x = 0; x < 16; x++)
      n += *lk_image_pixel (mask, x, y) == 255;
  g_assert_cmpuint (n, ==, 32);
  g_assert_cmpuint (*lk_image_pixel (mask, 2, 2), ==, 255);
  g_assert_cmpuint (*lk_image_pixel (mask, 10, 2), ==, 0);
  g_assert_cmpuint (*lk_image_pixel (mask, 9, 5), ==, 255);
  g_assert_cmpuint (*lk_image_pixel (mask, 9, 6), ==, 0);

  /* Masks of real faces: the face hull covers a good part of the crop,
   * eyes and mouth a small part of it, inside it. */
  {
    g_autoptr(LkProject) project = project_copy ();
    g_autoptr(GError) error = NULL;
    g_autoptr(LkTrainFaceSet) set = _lk_train_face_set_load (project, LK_IDENTITY_A, 64, 16, NULL,
                                                             &error);
    guint face = 0, feature = 0, outside = 0;

    g_assert_no_error (error);
    g_assert_cmpint (set->n, ==, lk_project_count_faces (project, LK_IDENTITY_A, TRUE));
    for (int i = 0; i < 64 * 64; i++)
      {
        face += set->face_masks[i] != 0;
        feature += set->feature_masks[i] != 0;
        outside += set->feature_masks[i] != 0 && set->face_masks[i] == 0;
      }
    g_assert_cmpuint (face, >, 64 * 64 / 5);
    g_assert_cmpuint (face, <, 64 * 64 * 9 / 10);
    g_assert_cmpuint (feature, >, 20);
    g_assert_cmpuint (feature, <, face / 2);
    g_assert_cmpuint (outside, <, feature / 10);
  }
}

static void
test_too_few_faces (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  LkTrainParams p = tiny_params ();

  faces = lk_project_list_faces (project, LK_IDENTITY_B, LK_FACE_FILTER_INCLUDED, NULL, "id",
                                 FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 3; i < faces->len; i++)
    g_array_append_val (ids, ((LkFace *) faces->pdata[i])->id);
  g_assert_true (lk_project_set_faces_included (project, (gint64 *) ids->data, ids->len, FALSE,
                                                "manual", &error));
  g_assert_no_error (error);

  trainer = lk_trainer_new (project, &p);
  g_assert_false (lk_trainer_start (trainer, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NO_FACE);
  g_assert_cmpstr (error->message, ==,
                   "Identity B has 3 included faces; at least 16 are needed to train");
  g_clear_error (&error);

  g_assert_false (lk_trainer_run (trainer, 5, 0, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_NO_FACE);
  g_assert_cmpint (lk_trainer_get_state (trainer), ==, LK_TRAINER_STATE_FAILED);
  g_assert_cmpuint (count_files (lk_project_get_model_dir (project), "ckpt-"), ==, 0);
}

static double
mean_loss (GArray *points,
           guint   first,
           guint   n,
           int     identity)
{
  double sum = 0;

  for (guint i = first; i < first + n; i++)
    sum += identity == 0 ? g_array_index (points, LkLossPoint, i).loss_a
                         : g_array_index (points, LkLossPoint, i).loss_b;
  return sum / n;
}

/* The loss falls; the history, the run and the checkpoint are recorded and
 * the history survives reopening the project. */
static void
test_loss_falls (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(GArray) points = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (lk_project_get_path (project));
  g_autofree char *ckpt = checkpoint (project, 60);
  g_autofree char *sha = NULL;
  LkTrainParams p = tiny_params ();

  train (project, &p, 60);

  points = history (project);
  g_assert_cmpuint (points->len, ==, 60);
  for (guint i = 0; i < points->len; i++)
    {
      LkLossPoint *pt = &g_array_index (points, LkLossPoint, i);

      g_assert_cmpint (pt->iteration, ==, i + 1);
      g_assert_true (isfinite (pt->loss_a) && pt->loss_a > 0);
      g_assert_true (isfinite (pt->loss_b) && pt->loss_b > 0);
      g_assert_cmpfloat (pt->elapsed, >, 0);
    }
  g_test_message ("loss A %.3f -> %.3f, B %.3f -> %.3f", mean_loss (points, 0, 10, 0),
                  mean_loss (points, 50, 10, 0), mean_loss (points, 0, 10, 1),
                  mean_loss (points, 50, 10, 1));
  g_assert_cmpfloat (mean_loss (points, 50, 10, 0), <, 0.8 * mean_loss (points, 0, 10, 0));
  g_assert_cmpfloat (mean_loss (points, 50, 10, 1), <, 0.8 * mean_loss (points, 0, 10, 1));

  /* One run, one checkpoint with its hash. */
  g_assert_true (g_file_test (ckpt, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM training_runs"), ==, 1);
  g_assert_cmpint (query_int (project, "SELECT last_iteration FROM training_runs"), ==, 60);
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM training_runs WHERE ended_at "
                                       "IS NOT NULL"), ==, 1);
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM checkpoints WHERE iteration = 60 "
                                       "AND file = 'model/ckpt-60.safetensors'"), ==, 1);
  sha = _lk_train_file_sha256 (ckpt, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) records = lk_project_list_checkpoints (project, &error);
    LkCheckpointRecord *record;

    g_assert_no_error (error);
    g_assert_cmpuint (records->len, >=, 1);
    record = records->pdata[0];
    g_assert_cmpstr (record->sha256, ==, sha);
    g_assert_cmpstr (record->path, ==, ckpt);
    g_assert_cmpint (record->iteration, ==, 60);
  }

  /* Reopened: the same history. */
  g_clear_object (&project);
  project = lk_project_open (path, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GArray) again = history (project);

    g_assert_cmpuint (again->len, ==, points->len);
    g_assert_true (memcmp (again->data, points->data, sizeof (LkLossPoint) * points->len) == 0);
  }
}

static void
on_warning (LkTrainer  *trainer,
            const char *message,
            GString    *warnings)
{
  g_string_append_printf (warnings, "%s\n", message);
}

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The final preview of a run (rendered after the save, from the trained
 * model in memory) equals the preview of the checkpoint loaded again. */
static void
test_save_load_exact (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(LkTrainer) first = NULL;
  g_autoptr(LkTrainer) second = NULL;
  g_autoptr(LkImage) trained = NULL;
  g_autoptr(LkImage) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  LkTrainParams p = tiny_params ();

  p.preview_interval = 1e6;  /* only at the start and at the end */
  first = lk_trainer_new (project, &p);
  g_assert_true (lk_trainer_run (first, 5, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (lk_trainer_get_last_save_iteration (first), ==, 5);
  trained = lk_trainer_dup_preview (first);
  g_assert_nonnull (trained);
  g_assert_cmpint (trained->width, ==, 64 * LK_TRAINER_PREVIEW_COLUMNS);
  g_assert_cmpint (trained->height, ==, 64 * LK_TRAINER_PREVIEW_ROWS);

  /* Other architecture settings: the checkpoint's model is used, with a
   * warning (a new model needs lk_trainer_reset_model()). */
  p.encoder_width = 16;
  second = lk_trainer_new (project, &p);
  g_signal_connect (second, "warning", G_CALLBACK (on_warning), warnings);
  g_assert_true (lk_trainer_run (second, 0, -1, NULL, &error));
  g_assert_no_error (error);
  drain_main_context ();
  g_assert_nonnull (strstr (warnings->str, "model settings differ"));
  g_assert_cmpint (lk_trainer_get_iteration (second), ==, 5);
  loaded = lk_trainer_dup_preview (second);
  g_assert_nonnull (loaded);
  g_assert_true (lk_image_same_size (trained, loaded));
  for (int y = 0; y < trained->height; y++)
    g_assert_true (memcmp (lk_image_row (trained, y), lk_image_row (loaded, y),
                           (gsize) trained->width * 3) == 0);

  /* Not an empty picture: the swap columns differ from the originals. */
  g_assert_false (memcmp (lk_image_pixel (trained, 0, 32), lk_image_pixel (trained, 64, 32),
                          64 * 3) == 0);
}

/* CUDA graphs asked for on the CPU: training goes on eagerly and says why
 * the graphs are not used. */
static void
test_cuda_graphs_cpu (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  LkTrainParams p = tiny_params ();

  p.cuda_graphs = TRUE;
  trainer = lk_trainer_new (project, &p);
  g_signal_connect (trainer, "warning", G_CALLBACK (on_warning), warnings);
  g_assert_true (lk_trainer_run (trainer, 3, 0, NULL, &error));
  g_assert_no_error (error);
  drain_main_context ();
  g_assert_cmpint (lk_trainer_get_iteration (trainer), ==, 3);
  g_test_message ("warnings: %s", warnings->str);
  g_assert_nonnull (strstr (warnings->str, "CUDA graphs are not used"));
  g_assert_nonnull (strstr (warnings->str, "CUDA device"));
}

static float
loss_at (LkProject *project,
         gint64     iteration,
         int        identity)
{
  g_autoptr(GArray) points = history (project);

  for (guint i = 0; i < points->len; i++)
    {
      LkLossPoint *pt = &g_array_index (points, LkLossPoint, i);

      if (pt->iteration == iteration)
        return identity == 0 ? pt->loss_a : pt->loss_b;
    }
  g_assert_not_reached ();
}

/* Stop and resume continues the iteration count and the optimizer state:
 * the next step's loss equals that of an uninterrupted run. Also: a new
 * model moves the old checkpoints aside; only the newest N are kept. */
static void
test_resume_exact (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *old6 = NULL;
  LkTrainParams p = tiny_params ();
  float a6, b6;

  p.gan = TRUE;   /* the critic's state must resume too */
  p.keep_checkpoints = 2;
  train (project, &p, 6);
  a6 = loss_at (project, 6, 0);
  b6 = loss_at (project, 6, 1);

  g_assert_true (lk_trainer_reset_model (project, &moved, &error));
  g_assert_no_error (error);
  g_assert_nonnull (moved);
  old6 = g_build_filename (moved, "ckpt-6.safetensors", NULL);
  g_assert_true (g_file_test (old6, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_files (lk_project_get_model_dir (project), ".safetensors"), ==, 0);
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM checkpoints WHERE file LIKE "
                                       "'model/old-%/ckpt-6.safetensors'"), ==, 1);

  train (project, &p, 3);
  train (project, &p, 1);
  train (project, &p, 2);
  g_assert_cmpfloat (loss_at (project, 6, 0), ==, a6);
  g_assert_cmpfloat (loss_at (project, 6, 1), ==, b6);

  /* The history is that of the new model; 3 runs of it (and 1 before). */
  {
    g_autoptr(GArray) points = history (project);

    g_assert_cmpuint (points->len, ==, 6);
  }
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM training_runs"), ==, 4);
  g_assert_cmpint (query_int (project, "SELECT max(first_iteration) FROM training_runs"), ==, 4);

  /* keep 2: ckpt-4 and ckpt-6; ckpt-3 was deleted with its row. */
  {
    g_autofree char *c3 = checkpoint (project, 3);
    g_autofree char *c4 = checkpoint (project, 4);
    g_autofree char *c6 = checkpoint (project, 6);

    g_assert_false (g_file_test (c3, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (c4, G_FILE_TEST_IS_REGULAR));
    g_assert_true (g_file_test (c6, G_FILE_TEST_IS_REGULAR));
    g_assert_cmpint (query_int (project, "SELECT count(*) FROM checkpoints WHERE file LIKE "
                                         "'model/ckpt-%'"), ==, 2);
  }
}

static const char *self_path;

/* A process killed while saving leaves the previous checkpoint, which the
 * next run resumes from; a truncated newest checkpoint is skipped with a
 * warning and kept aside. */
static void
test_crash_save (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(GError) error = NULL;
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GString) warnings = g_string_new (NULL);
  g_auto(GStrv) env = g_get_environ ();
  g_autofree char *c2 = checkpoint (project, 2);
  g_autofree char *c3 = checkpoint (project, 3);
  g_autofree char *c4 = checkpoint (project, 4);
  g_autofree char *found = NULL;
  g_autofree char *contents = NULL;
  const char *model_dir = lk_project_get_model_dir (project);
  LkTrainParams p = tiny_params ();
  const char *argv[] = { self_path, "--crash-child", lk_project_get_path (project), NULL };
  gsize length;
  gint64 iteration;
  int status;

  train (project, &p, 2);

  /* The child trains 2 more steps and dies 4 kB into writing ckpt-4. */
  env = g_environ_setenv (env, "LK_TORCH_TEST_SAVE_EXIT_AFTER", "4096", TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) argv, env, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 99);
  g_assert_false (g_file_test (c4, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (model_dir, ".tmp-"), ==, 1);

  found = lk_trainer_find_checkpoint (project, &iteration, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, c2);
  g_assert_cmpint (iteration, ==, 2);

  train (project, &p, 1);
  g_assert_cmpuint (count_files (model_dir, ".tmp-"), ==, 0);
  g_assert_true (g_file_test (c3, G_FILE_TEST_IS_REGULAR));

  /* Truncate the newest (ckpt-3): the run resumes from ckpt-2. */
  g_assert_true (g_file_get_contents (c3, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (c3, contents, length / 2, NULL));
  trainer = lk_trainer_new (project, &p);
  g_signal_connect (trainer, "warning", G_CALLBACK (on_warning), warnings);
  g_assert_true (lk_trainer_run (trainer, 1, 0, NULL, &error));
  g_assert_no_error (error);
  drain_main_context ();
  g_test_message ("warnings: %s", warnings->str);
  g_assert_nonnull (strstr (warnings->str, "ckpt-3.safetensors"));
  g_assert_nonnull (strstr (warnings->str, "ckpt-2.safetensors"));
  g_assert_cmpint (lk_trainer_get_iteration (trainer), ==, 3);
  g_assert_cmpuint (count_files (model_dir, ".corrupt"), ==, 1);
  g_assert_true (g_file_test (c3, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(GArray) points = history (project);

    g_assert_cmpuint (points->len, ==, 3);
  }
}

static int
crash_child (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkProject) project = lk_project_open (path, &error);
  LkTrainParams p = tiny_params ();
  g_autoptr(LkTrainer) trainer = NULL;

  g_assert_no_error (error);
  trainer = lk_trainer_new (project, &p);
  lk_trainer_run (trainer, 2, 0, NULL, &error);
  g_printerr ("child: the save was not interrupted (%s)\n", error ? error->message : "no error");
  return 3;
}

/* The only checkpoint is damaged: refused with a message naming it, and
 * kept. */
static void
test_corrupt (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *c5 = checkpoint (project, 5);
  LkTrainParams p = tiny_params ();

  g_assert_cmpint (g_mkdir_with_parents (lk_project_get_model_dir (project), 0755), ==, 0);
  g_assert_true (g_file_set_contents (c5, "\x10\0\0\0\0\0\0\0{\"a\": garbage", 21, NULL));

  trainer = lk_trainer_new (project, &p);
  g_assert_false (lk_trainer_run (trainer, 3, 0, NULL, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "ckpt-5.safetensors"));
  g_assert_true (g_file_test (c5, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (lk_trainer_get_state (trainer), ==, LK_TRAINER_STATE_FAILED);
}

static void
test_gan (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  LkTrainParams p = tiny_params ();

  p.gan = TRUE;
  p.eye_mouth_weight = 2;
  trainer = lk_trainer_new (project, &p);
  g_assert_true (lk_trainer_run (trainer, 3, 0, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (isfinite (lk_trainer_get_gan_generator_loss (trainer)));
  g_assert_true (isfinite (lk_trainer_get_gan_critic_loss (trainer)));
  g_assert_cmpfloat (lk_trainer_get_gan_generator_loss (trainer), >, 0);
  g_assert_cmpfloat (lk_trainer_get_gan_critic_loss (trainer), >, 0);
  g_assert_cmpint (query_int (project, "SELECT count(*) FROM losses WHERE extra LIKE "
                                       "'%gan-generator%'"), ==, 3);
}

typedef struct
{
  guint   points;
  guint   saves;
  guint   previews;
  guint   errors;
} Events;

static void
on_losses (LkTrainer *trainer,
           GArray    *points,
           Events    *events)
{
  events->points += points->len;
}

static void
on_saved (LkTrainer  *trainer,
          gint64      iteration,
          const char *path,
          Events     *events)
{
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  events->saves++;
}

static void
on_preview (LkTrainer  *trainer,
            GParamSpec *pspec,
            Events     *events)
{
  events->previews++;
}

static void
on_error (LkTrainer    *trainer,
          const GError *error,
          Events       *events)
{
  g_test_message ("error: %s", error->message);
  events->errors++;
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until @cond holds; a minute at most (a hang guard,
 * not a measurement). */
#define SPIN_UNTIL(cond) \
  G_STMT_START { \
    gint64 deadline_ = g_get_monotonic_time () + 60 * G_USEC_PER_SEC; \
    while (!(cond)) \
      { \
        g_assert_cmpint (g_get_monotonic_time (), <, deadline_); \
        g_main_context_iteration (NULL, TRUE); \
      } \
  } G_STMT_END

/* The worker thread: start, pause (the iteration stays), resume, stop
 * (saves); properties and signals arrive on the main context. */
static void
test_pause_resume (void)
{
  g_autoptr(LkProject) project = project_copy ();
  g_autoptr(LkTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  LkTrainParams p = tiny_params ();
  Events events = { 0 };
  guint timer = g_timeout_add (10, tick, NULL);
  gint64 paused_at;

  p.preview_interval = 0.05;
  trainer = lk_trainer_new (project, &p);
  g_signal_connect (trainer, "losses", G_CALLBACK (on_losses), &events);
  g_signal_connect (trainer, "checkpoint-saved", G_CALLBACK (on_saved), &events);
  g_signal_connect (trainer, "notify::preview", G_CALLBACK (on_preview), &events);
  g_signal_connect (trainer, "error", G_CALLBACK (on_error), &events);

  g_assert_true (lk_trainer_start (trainer, &error));
  g_assert_no_error (error);
  g_assert_false (lk_trainer_start (trainer, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_BUSY);
  g_clear_error (&error);

  SPIN_UNTIL (lk_trainer_get_iteration (trainer) >= 3);
  g_assert_cmpint (lk_trainer_get_state (trainer), ==, LK_TRAINER_STATE_RUNNING);
  g_assert_cmpuint (lk_trainer_get_face_count (trainer, LK_IDENTITY_A), >=, 16);

  lk_trainer_pause (trainer);
  SPIN_UNTIL (lk_trainer_get_state (trainer) == LK_TRAINER_STATE_PAUSED);
  paused_at = lk_trainer_get_iteration (trainer);
  /* Let the worker have many chances to step (it must not). */
  for (int i = 0; i < 30; i++)
    {
      g_usleep (10000);
      drain_main_context ();
    }
  g_assert_cmpint (lk_trainer_get_iteration (trainer), ==, paused_at);
  g_assert_cmpint (lk_trainer_get_state (trainer), ==, LK_TRAINER_STATE_PAUSED);

  lk_trainer_resume (trainer);
  SPIN_UNTIL (lk_trainer_get_iteration (trainer) >= paused_at + 2);

  lk_trainer_stop (trainer);
  SPIN_UNTIL (lk_trainer_get_state (trainer) == LK_TRAINER_STATE_IDLE);
  lk_trainer_join (trainer);
  drain_main_context ();

  g_assert_cmpuint (events.errors, ==, 0);
  g_assert_cmpint (lk_trainer_get_last_save_iteration (trainer), ==,
                   lk_trainer_get_iteration (trainer));
  g_assert_cmpuint (events.saves, ==, 1);
  g_assert_cmpuint (events.points, ==, lk_trainer_get_iteration (trainer));
  g_assert_cmpuint (events.previews, >=, 2);
  g_assert_cmpfloat (lk_trainer_get_examples_per_second (trainer), >, 0);
  {
    g_autofree char *name = lk_trainer_dup_device_name (trainer);

    g_assert_nonnull (strstr (name, "CPU"));
  }

  /* It starts again, from the checkpoint. */
  {
    gint64 stopped_at = lk_trainer_get_iteration (trainer);

    g_assert_true (lk_trainer_start (trainer, &error));
    g_assert_no_error (error);
    SPIN_UNTIL (lk_trainer_get_iteration (trainer) > stopped_at);
    /* Dropping the last reference stops, saves and joins. */
    g_clear_object (&trainer);
    g_assert_nonnull (lk_trainer_find_checkpoint (project, NULL, NULL));
  }

  g_source_remove (timer);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  if (argc == 3 && g_str_equal (argv[1], "--crash-child"))
    return crash_child (argv[2]);

  self_path = argv[0];
  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();
  tmpdir = g_dir_make_tmp ("lk-train-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/engine/train/params", test_params);
  g_test_add_func ("/engine/train/masks", test_masks);
  g_test_add_func ("/engine/train/too-few-faces", test_too_few_faces);
  g_test_add_func ("/engine/train/loss-falls", test_loss_falls);
  g_test_add_func ("/engine/train/save-load-exact", test_save_load_exact);
  g_test_add_func ("/engine/train/resume-exact", test_resume_exact);
  g_test_add_func ("/engine/train/crash-save", test_crash_save);
  g_test_add_func ("/engine/train/corrupt", test_corrupt);
  g_test_add_func ("/engine/train/gan", test_gan);
  g_test_add_func ("/engine/train/pause-resume", test_pause_resume);
  g_test_add_func ("/engine/train/cuda-graphs-cpu", test_cuda_graphs_cpu);

  ret = g_test_run ();

  {
    const char *rm[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL,
                  NULL);
  }
  g_free (tmpdir);
  g_free (base_project);

  return ret;
}
