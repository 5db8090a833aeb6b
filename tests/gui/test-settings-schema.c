/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The settings schema (lk-setting.h) against everything that shows or takes
 * a setting: every key of every group is walked, and the engine's defaults,
 * likeness-cli's --help and the studio's widgets must agree with it on the
 * default, the range and the choices. Runs under Xvfb (the pages are real
 * widgets); the CLI part runs the built likeness-cli given as argument. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>

#include "lk-convert-params.h"
#include "lk-engine.h"
#include "lk-error.h"
#include "lk-export-page.h"
#include "lk-mask.h"
#include "lk-masks-page.h"
#include "lk-train-page.h"
#include "lk-train-params.h"

static const char *cli_path;

static void
test_defaults_valid (void)
{
  const LkSettingGroup * const *groups = lk_engine_get_setting_groups ();
  guint n_keys = 0;

  g_assert_nonnull (groups[0]);
  for (guint g = 0; groups[g] != NULL; g++)
    for (guint i = 0; i < groups[g]->n_defs; i++)
      {
        const LkSettingDef *def = &groups[g]->defs[i];
        g_autoptr(GError) error = NULL;

        /* Declared once: no key in two groups. */
        g_assert_true (lk_engine_lookup_setting (def->key) == def);
        g_assert_true (lk_setting_validate_text (def, def->default_text, &error));
        g_assert_no_error (error);
        g_assert_nonnull (def->label);
        if (def->cli_name != NULL)
          g_assert_nonnull (def->description);
        if (def->type == LK_SETTING_ENUM || def->type == LK_SETTING_STRING)
          g_assert_cmpuint (lk_setting_get_n_choices (def), >=, 2);
        if (def->type == LK_SETTING_INT || def->type == LK_SETTING_DOUBLE)
          g_assert_cmpfloat (def->min, <, def->max);
        n_keys++;
      }
  g_assert_cmpuint (n_keys, >=, 40);
}

/* The engine's own structs start where the schema says. */
static void
test_engine_defaults (void)
{
  LkConvertParams c = lk_convert_params_default ();
  LkTrainParams t = lk_train_params_default ();
  LkMaskParams m = lk_mask_params_default ();
  LkComposeParams compose = lk_compose_params_default ();
  const LkSettingGroup *groups[] = { lk_convert_params_get_schema (), lk_train_params_get_schema () };
  gconstpointer structs[] = { &c, &t };

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    for (guint i = 0; i < groups[g]->n_defs; i++)
      {
        const LkSettingDef *def = &groups[g]->defs[i];
        g_autofree char *text = lk_setting_format (def, structs[g]);

        g_test_message ("%s = %s", def->key, text);
        g_assert_cmpstr (text, ==, def->default_text);
      }

  /* The mask and compose modules keep their own defaults for callers
   * without a project: they must be the same. */
  g_assert_cmpfloat (m.feather, ==, c.compose.mask.feather);
  g_assert_cmpint (m.type, ==, c.compose.mask.type);
  g_assert_cmpfloat (m.expand, ==, c.compose.mask.expand);
  g_assert_cmpint (compose.colour, ==, c.compose.colour);
  g_assert_cmpint (compose.blend, ==, c.compose.blend);
  g_assert_cmpint (compose.levels, ==, c.compose.levels);
}

/* A stored value out of range keeps the default; one in range is used. */
static void
test_project_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lk-schema-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "Schema", NULL);
  g_autoptr(LkProject) project = lk_project_create (path, &error);
  LkConvertParams p;
  LkTrainParams t;

  g_assert_no_error (error);
  g_assert_true (lk_project_set_setting (project, "mask.feather", "600", &error));
  g_assert_true (lk_project_set_setting (project, "mask.blend-mode", "alpha", &error));
  g_assert_true (lk_project_set_setting (project, "train.face-size", "96", &error));
  g_assert_true (lk_project_set_setting (project, "train.batch-size", "48", &error));
  p = lk_convert_params_from_project (project);
  t = lk_train_params_from_project (project);
  g_assert_cmpfloat (p.compose.mask.feather, ==, 12);
  g_assert_cmpint (p.compose.blend, ==, LK_BLEND_ALPHA);
  g_assert_cmpint (t.face_size, ==, 128);
  g_assert_cmpint (t.batch_size, ==, 48);

  /* Out of range is refused before anything is written. */
  t.batch_size = 0;
  t.learning_rate = 0.5;
  g_assert_false (lk_project_store_settings (project, lk_train_params_get_schema (), &t, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "train.batch-size"));
  g_clear_error (&error);
  t = lk_train_params_from_project (project);
  g_assert_cmpint (t.batch_size, ==, 48);
  g_assert_cmpfloat (t.learning_rate, ==, 5e-5);

  g_clear_object (&project);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_true (g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL));
  }
}

/* The line of `likeness-cli COMMAND --help` that documents --NAME. */
static char *
help_line (const char *help,
           const char *name)
{
  g_autofree char *needle = g_strdup_printf ("--%s", name);
  g_auto(GStrv) lines = g_strsplit (help, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (lines[i]));

      if (g_str_has_prefix (stripped, needle) &&
          (stripped[strlen (needle)] == ' ' || stripped[strlen (needle)] == '=' ||
           stripped[strlen (needle)] == '\0'))
        return g_strdup (stripped);
      if (stripped[0] == '-' && stripped[1] != '-' && strstr (stripped, needle) != NULL)
        {
          const char *at = strstr (stripped, needle);

          if (at[strlen (needle)] == ' ' || at[strlen (needle)] == '=')
            return g_strdup (stripped);
        }
    }
  return NULL;
}

static void
check_cli (const char           *command,
           const LkSettingGroup *group)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { cli_path, command, "--help", NULL };
  int status = 0;
  guint n = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));

  for (guint i = 0; i < group->n_defs; i++)
    {
      const LkSettingDef *def = &group->defs[i];
      g_autofree char *line = NULL;

      if (def->cli_name == NULL)
        continue;
      line = help_line (out, def->cli_name);
      if (line == NULL)
        g_error ("likeness-cli %s --help has no --%s (%s)", command, def->cli_name, def->key);
      if (def->type == LK_SETTING_BOOLEAN)
        {
          g_autofree char *no = g_strconcat ("no-", def->cli_name, NULL);
          g_autofree char *no_line = help_line (out, no);

          g_assert_nonnull (no_line);
          g_assert_nonnull (strstr (line, g_str_equal (def->default_text, "true")
                                          ? "default: on" : "default: off"));
        }
      else
        {
          g_autofree char *range = lk_setting_describe_range (def);
          g_autofree char *dflt = g_strdup_printf ("default %s", def->default_text);

          if (strstr (line, range) == NULL || strstr (line, dflt) == NULL)
            g_error ("--%s: “%s” does not say “%s” and “%s”", def->cli_name, line, range, dflt);
        }
      n++;
    }
  g_assert_cmpuint (n, >=, 10);
}

static void
test_cli (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  if (cli_path == NULL)
    {
      g_test_skip ("likeness-cli not given");
      return;
    }
  check_cli ("convert", lk_convert_params_get_schema ());
  check_cli ("train", lk_train_params_get_schema ());

  /* A value out of range is refused while parsing, naming the option and
   * the range. */
  {
    const char *argv[] = { cli_path, "convert", "--feather", "600", "-o", "x.mp4",
                           "none.likeness", "none.mp4", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 &err, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (err, "--feather"));
    g_assert_nonnull (strstr (err, "0 to 500"));
  }
  /* A boolean and its opposite together are refused, not "the last wins". */
  {
    const char *argv[] = { cli_path, "train", "--gan", "--no-gan", "none.likeness", NULL };

    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                                 &err, &status, NULL));
    g_assert_cmpint (WEXITSTATUS (status), ==, 2);
    g_assert_nonnull (strstr (err, "contradict"));
  }
}

static guint
index_of_default (const LkSettingDef *def)
{
  g_auto(GStrv) values = lk_setting_dup_choice_values (def);

  for (guint i = 0; values[i] != NULL; i++)
    if (g_str_equal (values[i], def->default_text))
      return i;
  g_assert_not_reached ();
}

static void
check_page (GtkWidget           *page,
            const LkSettingSpec *specs,
            guint                n_specs)
{
  for (guint i = 0; i < n_specs; i++)
    {
      const LkSettingDef *def = lk_engine_lookup_setting (specs[i].key);
      gpointer widget = G_STRUCT_MEMBER (gpointer, page, specs[i].offset);

      g_test_message ("studio: %s", specs[i].key);
      g_assert_nonnull (def);
      if (GTK_IS_SPIN_BUTTON (widget))
        {
          GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (widget);

          g_assert_cmpfloat (gtk_adjustment_get_lower (adjustment), ==, def->min);
          g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), ==, def->max);
          g_assert_cmpfloat (fabs (gtk_spin_button_get_value (widget) -
                                   g_ascii_strtod (def->default_text, NULL)), <, 1e-12);
        }
      else if (ADW_IS_COMBO_ROW (widget))
        {
          GListModel *model = adw_combo_row_get_model (widget);
          guint n = lk_setting_get_n_choices (def);

          g_assert_nonnull (model);
          g_assert_cmpuint (g_list_model_get_n_items (model), ==, n);
          for (guint c = 0; c < n; c++)
            g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), c), ==,
                             lk_setting_get_choice_label (def, c));
          g_assert_cmpuint (adw_combo_row_get_selected (widget), ==, index_of_default (def));
        }
      else if (GTK_IS_SWITCH (widget))
        {
          g_assert_cmpint (def->type, ==, LK_SETTING_BOOLEAN);
          g_assert_cmpint (gtk_switch_get_active (widget), ==,
                           g_str_equal (def->default_text, "true"));
        }
      else
        g_error ("%s: a widget of type %s", specs[i].key, G_OBJECT_TYPE_NAME (widget));
    }
}

static void
test_studio (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("lk-schema-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "Studio", NULL);
  g_autoptr(LkProject) project = lk_project_create (path, &error);
  GtkWidget *masks, *train, *export;
  const LkSettingSpec *specs;
  guint n;

  g_assert_no_error (error);
  masks = g_object_ref_sink (g_object_new (LK_TYPE_MASKS_PAGE, NULL));
  train = g_object_ref_sink (g_object_new (LK_TYPE_TRAIN_PAGE, NULL));
  export = g_object_ref_sink (g_object_new (LK_TYPE_EXPORT_PAGE, NULL));
  lk_masks_page_set_project (LK_MASKS_PAGE (masks), project);
  lk_train_page_set_project (LK_TRAIN_PAGE (train), project);
  lk_export_page_set_project (LK_EXPORT_PAGE (export), project);

  specs = lk_masks_page_get_setting_specs (&n);
  check_page (masks, specs, n);
  specs = lk_train_page_get_setting_specs (&n);
  check_page (train, specs, n);
  specs = lk_export_page_get_setting_specs (&n);
  check_page (export, specs, n);

  lk_masks_page_set_project (LK_MASKS_PAGE (masks), NULL);
  lk_train_page_set_project (LK_TRAIN_PAGE (train), NULL);
  lk_export_page_set_project (LK_EXPORT_PAGE (export), NULL);
  g_object_unref (masks);
  g_object_unref (train);
  g_object_unref (export);
  g_clear_object (&project);
  {
    g_autofree char *rm = g_strdup_printf ("rm -rf '%s'", dir);

    g_spawn_command_line_sync (rm, NULL, NULL, NULL, NULL);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  cli_path = argc > 1 ? argv[1] : NULL;

  g_test_add_func ("/app/settings-schema/defaults-valid", test_defaults_valid);
  g_test_add_func ("/app/settings-schema/engine-defaults", test_engine_defaults);
  g_test_add_func ("/app/settings-schema/project", test_project_round_trip);
  g_test_add_func ("/app/settings-schema/cli", test_cli);
  if (gtk_init_check ())
    {
      adw_init ();
      g_test_add_func ("/app/settings-schema/studio", test_studio);
    }
  else
    g_test_message ("no display: the studio's widgets are not checked");

  return g_test_run ();
}
