/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Faces area's objects without a display: the face list model (sort,
 * filter, updates on "faces-changed"), the undo stack of include states and
 * the thumbnail loader, on a project extracted from a tiny clip. */

#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "../lk-test-data.h"
#include "lk-extractor.h"
#include "lk-face-history.h"
#include "lk-face-item.h"
#include "lk-face-list.h"
#include "lk-face-thumbnailer.h"
#include "lk-faces.h"

static char *tmp_dir;
static LkProject *project;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *count)
{
  (*count)++;
}

/* Runs the main loop until the list has announced a change (the reload
 * after "faces-changed" is scheduled, not immediate). */
static void
wait_for_change (LkFaceList *list)
{
  guint count = 0;
  gulong id = g_signal_connect (list, "items-changed", G_CALLBACK (items_changed_cb), &count);

  while (count == 0)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handler_disconnect (list, id);
}

static LkFaceList *
new_list (void)
{
  LkFaceList *list = lk_face_list_new ();
  g_autoptr(GError) error = NULL;

  lk_face_list_set_project (list, project);
  g_assert_true (lk_face_list_reload (list, &error));
  g_assert_no_error (error);

  return list;
}

static void
test_sort (void)
{
  g_autoptr(LkFaceList) list = new_list ();
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
  g_autoptr(LkFaceItem) first = NULL;
  g_autoptr(LkFaceItem) again = NULL;
  gint64 first_id;

  g_assert_cmpuint (n, ==, lk_project_count_faces (project, LK_IDENTITY_A, FALSE));
  g_assert_cmpuint (n, >=, 5);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == LK_TYPE_FACE_ITEM);

  /* Extraction order: ids rise. */
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(LkFaceItem) a = g_list_model_get_item (G_LIST_MODEL (list), i - 1);
      g_autoptr(LkFaceItem) b = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_cmpint (lk_face_item_get_id (a), <, lk_face_item_get_id (b));
    }
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  first_id = lk_face_item_get_id (first);

  /* By face size, descending: sizes fall, and the items are the same
   * objects (their thumbnails survive a re-sort). */
  lk_face_list_set_sort_key (list, "face_size");
  lk_face_list_set_descending (list, TRUE);
  g_assert_true (lk_face_list_reload (list, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  for (guint i = 1; i < n; i++)
    {
      g_autoptr(LkFaceItem) a = g_list_model_get_item (G_LIST_MODEL (list), i - 1);
      g_autoptr(LkFaceItem) b = g_list_model_get_item (G_LIST_MODEL (list), i);

      g_assert_cmpfloat (lk_face_item_get_face (a)->metrics.face_size, >=,
                         lk_face_item_get_face (b)->metrics.face_size);
    }
  again = g_list_model_get_item (G_LIST_MODEL (list), lk_face_list_find (list, first_id));
  g_assert_true (again == first);
  g_assert_cmpuint (lk_face_list_find (list, -5), ==, G_MAXUINT);
}

static void
test_filter_and_update (void)
{
  g_autoptr(LkFaceList) list = new_list ();
  g_autoptr(LkFaceList) excluded = lk_face_list_new ();
  g_autoptr(GError) error = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));
  gint64 ids[3];

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(LkFaceItem) item = g_list_model_get_item (G_LIST_MODEL (list), i);

      ids[i] = lk_face_item_get_id (item);
      g_assert_true (lk_face_item_get_included (item));
    }

  lk_face_list_set_project (excluded, project);
  lk_face_list_set_filter (excluded, LK_FACE_FILTER_EXCLUDED, "manual");
  g_assert_true (lk_face_list_reload (excluded, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (excluded)), ==, 0);

  /* A change in the project reaches both lists through "faces-changed". */
  g_assert_true (lk_project_set_faces_included (project, ids, 3, FALSE, "manual", &error));
  g_assert_no_error (error);
  wait_for_change (excluded);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (excluded)), ==, 3);
  {
    g_autoptr(LkFaceItem) item = g_list_model_get_item (G_LIST_MODEL (excluded), 0);

    g_assert_false (lk_face_item_get_included (item));
    g_assert_cmpstr (lk_face_item_get_reason (item), ==, "manual");
  }

  /* The unfiltered list keeps its items and only updates their state. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (lk_face_list_reload (list, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n);
  {
    g_autoptr(LkFaceItem) item = g_list_model_get_item (G_LIST_MODEL (list), 0);

    g_assert_false (lk_face_item_get_included (item));
  }

  /* Other reasons and the included faces. */
  lk_face_list_set_filter (excluded, LK_FACE_FILTER_EXCLUDED, "blurry");
  g_assert_true (lk_face_list_reload (excluded, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (excluded)), ==, 0);
  lk_face_list_set_filter (excluded, LK_FACE_FILTER_INCLUDED, NULL);
  g_assert_true (lk_face_list_reload (excluded, &error));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (excluded)), ==, n - 3);

  /* Back as it was for the other tests. */
  g_assert_true (lk_project_set_faces_included (project, ids, 3, TRUE, NULL, &error));
}

static void
assert_state (gint64      id,
              gboolean    included,
              const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkFace) face = lk_project_get_face (project, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (face);
  g_assert_cmpint (face->included, ==, included);
  g_assert_cmpstr (face->exclude_reason, ==, reason);
}

static void
test_history (void)
{
  g_autoptr(LkFaceHistory) history = lk_face_history_new (project);
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ids[3];

  faces = lk_project_list_faces (project, LK_IDENTITY_A, LK_FACE_FILTER_ALL, NULL, "id", FALSE,
                                 &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, >=, 3);
  for (guint i = 0; i < 3; i++)
    ids[i] = ((LkFace *) g_ptr_array_index (faces, i))->id;

  /* Face 0 was excluded as blurry before; faces 1, 2 are included. */
  g_assert_true (lk_project_set_faces_included (project, ids, 1, FALSE, "blurry", &error));
  g_assert_false (lk_face_history_can_undo (history));
  g_assert_cmpuint (lk_face_history_undo (history, &error), ==, 0);

  /* Step 1: exclude all three by hand. */
  g_assert_true (lk_face_history_set_included (history, ids, 3, FALSE, "manual", &error));
  g_assert_no_error (error);
  assert_state (ids[0], FALSE, "manual");
  assert_state (ids[2], FALSE, "manual");
  /* Step 2: include face 1 again. */
  g_assert_true (lk_face_history_set_included (history, &ids[1], 1, TRUE, NULL, &error));
  assert_state (ids[1], TRUE, NULL);
  g_assert_true (lk_face_history_can_undo (history));
  g_assert_false (lk_face_history_can_redo (history));

  /* Undo both: the exact states before, the old reason included. */
  g_assert_cmpuint (lk_face_history_undo (history, &error), ==, 1);
  assert_state (ids[1], FALSE, "manual");
  g_assert_cmpuint (lk_face_history_undo (history, &error), ==, 3);
  g_assert_no_error (error);
  assert_state (ids[0], FALSE, "blurry");
  assert_state (ids[1], TRUE, NULL);
  assert_state (ids[2], TRUE, NULL);
  g_assert_false (lk_face_history_can_undo (history));
  g_assert_true (lk_face_history_can_redo (history));

  /* Redo the first step: the states after it. */
  g_assert_cmpuint (lk_face_history_redo (history, &error), ==, 3);
  assert_state (ids[0], FALSE, "manual");
  assert_state (ids[1], FALSE, "manual");
  g_assert_true (lk_face_history_can_redo (history));

  /* A new step drops what could be redone. */
  g_assert_true (lk_face_history_set_included (history, &ids[2], 1, TRUE, NULL, &error));
  g_assert_false (lk_face_history_can_redo (history));

  /* Back as it was for the other tests. */
  lk_face_history_clear (history);
  g_assert_false (lk_face_history_can_undo (history));
  g_assert_true (lk_project_set_faces_included (project, ids, 3, TRUE, NULL, &error));
}

static void
thumbnail_cb (LkFaceItem *item,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_thumbnails (void)
{
  g_autoptr(LkFaceList) list = new_list ();
  g_autoptr(LkFaceThumbnailer) thumbnailer = lk_face_thumbnailer_new (64, 2);
  g_autoptr(LkFaceItem) a = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_autoptr(LkFaceItem) b = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_autoptr(LkFaceItem) c = g_list_model_get_item (G_LIST_MODEL (list), 2);
  g_autoptr(LkFaceItem) d = g_list_model_get_item (G_LIST_MODEL (list), 3);
  guint loaded = 0;
  GdkTexture *texture;

  g_signal_connect (a, "notify::thumbnail", G_CALLBACK (thumbnail_cb), &loaded);
  g_signal_connect (b, "notify::thumbnail", G_CALLBACK (thumbnail_cb), &loaded);
  g_signal_connect (c, "notify::thumbnail", G_CALLBACK (thumbnail_cb), &loaded);

  /* Only requested items load; a withdrawn request loads nothing. */
  lk_face_thumbnailer_request (thumbnailer, a);
  lk_face_thumbnailer_request (thumbnailer, b);
  lk_face_thumbnailer_request (thumbnailer, d);
  lk_face_thumbnailer_withdraw (thumbnailer, d);
  while (lk_face_thumbnailer_get_pending (thumbnailer) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (loaded, ==, 2);
  g_assert_null (lk_face_item_get_thumbnail (c));
  g_assert_null (lk_face_item_get_thumbnail (d));
  texture = lk_face_item_get_thumbnail (a);
  g_assert_nonnull (texture);
  /* A 256 px crop, scaled down by a whole factor to fit 64 px. */
  g_assert_cmpint (gdk_texture_get_width (texture), <=, 64);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, 32);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, gdk_texture_get_height (texture));

  /* At most two are kept: loading a third drops the least recent (a). */
  lk_face_thumbnailer_request (thumbnailer, b);
  lk_face_thumbnailer_request (thumbnailer, c);
  while (lk_face_thumbnailer_get_pending (thumbnailer) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (lk_face_item_get_thumbnail (a));
  g_assert_nonnull (lk_face_item_get_thumbnail (b));
  g_assert_nonnull (lk_face_item_get_thumbnail (c));
}

int
main (int    argc,
      char **argv)
{
  const char *testdata = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *clip = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  LkExtractParams params = lk_extract_params_default ();
  const char *paths[2] = { NULL, NULL };
  int status;

  g_test_init (&argc, &argv, NULL);
  lk_test_require_data ();

  clip = testdata != NULL ? g_build_filename (testdata, "videos", "tiny_person_c.mp4", NULL) : NULL;
  if (clip == NULL || !g_file_test (clip, G_FILE_TEST_EXISTS))
    {
      g_print ("SKIP: no tiny_person_c.mp4 in LK_TESTDATA_DIR\n");
      return 77;
    }

  tmp_dir = g_dir_make_tmp ("lk-faces-model-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmp_dir, "Faces", NULL);
  project = lk_project_create (path, &error);
  g_assert_no_error (error);

  params.every_nth = 8;
  paths[0] = clip;
  g_assert_true (lk_extract_sources (project, LK_IDENTITY_A, paths, &params, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/app/faces/list/sort", test_sort);
  g_test_add_func ("/app/faces/list/filter-and-update", test_filter_and_update);
  g_test_add_func ("/app/faces/history/undo-redo", test_history);
  g_test_add_func ("/app/faces/thumbnailer/lazy-and-bounded", test_thumbnails);

  status = g_test_run ();

  g_clear_object (&project);
  remove_tree (tmp_dir);
  g_free (tmp_dir);

  return status;
}
