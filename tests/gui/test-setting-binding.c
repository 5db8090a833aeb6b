/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "lk-project.h"
#include "lk-setting-binding.h"

/* The bindings between the studio's widgets and project settings, without a
 * display: the properties are those of non-widget GTK objects of the same
 * types (double, uint with choices, boolean, string). */

typedef struct
{
  char      *dir;
  LkProject *project;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  fixture->dir = g_dir_make_tmp ("lk-setting-binding-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (fixture->dir, "Bindings", NULL);
  fixture->project = lk_project_create (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->project);
}

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
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->project);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static void
test_double (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GtkAdjustment) adjustment = g_object_ref_sink (gtk_adjustment_new (0, -50, 50, 1, 5, 0));
  g_autoptr(LkSettingBinding) binding = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  binding = lk_setting_binding_new (fixture->project, "mask.feather", adjustment, "value",
                                     "12", NULL);

  /* Nothing stored: the default shows and is not written. */
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 12);
  g_assert_null (lk_project_get_setting (fixture->project, "mask.feather"));

  /* The widget writes through. */
  gtk_adjustment_set_value (adjustment, -7.5);
  stored = lk_project_get_setting (fixture->project, "mask.feather");
  g_assert_cmpstr (stored, ==, "-7.5");
  g_assert_cmpfloat (lk_project_get_setting_double (fixture->project, "mask.feather", 0), ==, -7.5);

  /* A change made elsewhere reaches the widget. */
  lk_project_set_setting (fixture->project, "mask.feather", "20", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 20);

  /* An unreadable value shows the default. */
  lk_project_set_setting (fixture->project, "mask.feather", "wide", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 12);

  /* After unbinding, neither side follows the other. */
  lk_setting_binding_unbind (binding);
  gtk_adjustment_set_value (adjustment, 3);
  g_clear_pointer (&stored, g_free);
  stored = lk_project_get_setting (fixture->project, "mask.feather");
  g_assert_cmpstr (stored, ==, "wide");
}

static void
test_choice (Fixture       *fixture,
             gconstpointer  data)
{
  static const char * const modes[] = { "none", "reinhard", "histogram", NULL };
  const char * const labels[] = { "None", "Reinhard", "Histogram", NULL };
  g_autoptr(GtkSingleSelection) selection =
    gtk_single_selection_new (G_LIST_MODEL (gtk_string_list_new (labels)));
  g_autoptr(LkSettingBinding) binding = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;

  binding = lk_setting_binding_new (fixture->project, "mask.color-mode", selection, "selected",
                                     "reinhard", modes);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 1);

  gtk_single_selection_set_selected (selection, 2);
  stored = lk_project_get_setting (fixture->project, "mask.color-mode");
  g_assert_cmpstr (stored, ==, "histogram");

  lk_project_set_setting (fixture->project, "mask.color-mode", "none", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gtk_single_selection_get_selected (selection), ==, 0);
}

static void
test_boolean_and_string (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new ("x", NULL);
  g_autoptr(GtkEntryBuffer) buffer = gtk_entry_buffer_new (NULL, 0);
  g_autoptr(LkSettingBinding) flag = NULL;
  g_autoptr(LkSettingBinding) text = NULL;
  g_autofree char *stored_flag = NULL;
  g_autofree char *stored_text = NULL;

  flag = lk_setting_binding_new (fixture->project, "export.sidecar", action, "enabled",
                                  "true", NULL);
  text = lk_setting_binding_new (fixture->project, "export.output", buffer, "text",
                                  "/tmp/out.mp4", NULL);
  g_assert_true (g_action_get_enabled (G_ACTION (action)));
  g_assert_cmpstr (gtk_entry_buffer_get_text (buffer), ==, "/tmp/out.mp4");

  g_simple_action_set_enabled (action, FALSE);
  gtk_entry_buffer_set_text (buffer, "/tmp/other.webm", -1);
  stored_flag = lk_project_get_setting (fixture->project, "export.sidecar");
  stored_text = lk_project_get_setting (fixture->project, "export.output");
  g_assert_cmpstr (stored_flag, ==, "false");
  g_assert_cmpstr (stored_text, ==, "/tmp/other.webm");
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GtkAdjustment) adjustment = g_object_ref_sink (gtk_adjustment_new (0, 0, 1000, 1, 5, 0));
  g_autoptr(LkSettingBinding) binding = NULL;
  g_autoptr(LkProject) reopened = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup (lk_project_get_path (fixture->project));

  binding = lk_setting_binding_new (fixture->project, "train.batch-size", adjustment, "value",
                                     "16", NULL);
  gtk_adjustment_set_value (adjustment, 48);
  lk_setting_binding_unbind (binding);
  g_clear_object (&fixture->project);

  /* The value was committed: a fresh open shows it in a fresh widget. */
  reopened = lk_project_open (path, &error);
  g_assert_no_error (error);
  gtk_adjustment_set_value (adjustment, 0);
  g_clear_object (&binding);
  binding = lk_setting_binding_new (reopened, "train.batch-size", adjustment, "value",
                                     "16", NULL);
  g_assert_cmpfloat (gtk_adjustment_get_value (adjustment), ==, 48);
  fixture->project = g_steal_pointer (&reopened);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/app/setting-binding/double", Fixture, NULL,
              fixture_set_up, test_double, fixture_tear_down);
  g_test_add ("/app/setting-binding/choice", Fixture, NULL,
              fixture_set_up, test_choice, fixture_tear_down);
  g_test_add ("/app/setting-binding/boolean-and-string", Fixture, NULL,
              fixture_set_up, test_boolean_and_string, fixture_tear_down);
  g_test_add ("/app/setting-binding/reopen", Fixture, NULL,
              fixture_set_up, test_reopen, fixture_tear_down);

  return g_test_run ();
}
