/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-main"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <locale.h>

#include "lk-application.h"

/* The folder of an uninstalled studio's meson build (the executable is
 * <build>/app/likeness, next to the compiled settings schema, and
 * <build>/build.ninja exists), or NULL when the studio runs installed. The
 * executable's own location decides, so an installed studio never reads a
 * build folder. */
static char *
find_uninstalled_build (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *app_dir = NULL;
  g_autofree char *build_dir = NULL;
  g_autofree char *schemas = NULL;
  g_autofree char *ninja = NULL;

  if (exe == NULL)
    return NULL;

  app_dir = g_path_get_dirname (exe);
  build_dir = g_path_get_dirname (app_dir);
  schemas = g_build_filename (app_dir, "gschemas.compiled", NULL);
  ninja = g_build_filename (build_dir, "build.ninja", NULL);
  if (!g_file_test (schemas, G_FILE_TEST_IS_REGULAR) ||
      !g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
    return NULL;

  return g_steal_pointer (&build_dir);
}

/* Run from its build folder (`build-aux/setup run`, or _build/app/likeness
 * by hand), the studio finds its settings schema and its catalogues there,
 * ahead of any installed ones. Called before any thread exists. */
static void
use_uninstalled_build (const char *build_dir)
{
  g_autofree char *schema_dir = g_build_filename (build_dir, "app", NULL);
  g_autofree char *locale_dir = g_build_filename (build_dir, "po", NULL);
  const char *schema_path = g_getenv ("GSETTINGS_SCHEMA_DIR");

  if (schema_path != NULL && *schema_path != '\0')
    {
      g_autofree char *both = g_strconcat (schema_dir, G_SEARCHPATH_SEPARATOR_S, schema_path, NULL);

      g_setenv ("GSETTINGS_SCHEMA_DIR", both, TRUE);
    }
  else
    g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);

  g_setenv ("LIKENESS_LOCALEDIR", locale_dir, FALSE);
}

/* Without its schema GLib would abort at the first g_settings_new(); say
 * what is missing and how to get it instead. */
static gboolean
have_settings_schema (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  return schema != NULL;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(LkApplication) app = NULL;
  g_autofree char *build_dir = find_uninstalled_build ();
  const char *localedir;

  if (build_dir != NULL)
    use_uninstalled_build (build_dir);

  /* LIKENESS_LOCALEDIR lets tests (and an uninstalled build) find the
   * catalogues in the build folder. */
  localedir = g_getenv ("LIKENESS_LOCALEDIR");
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!have_settings_schema ())
    {
      /* Translators: %s is the settings schema's id, e.g. io.likeness.Studio */
      g_printerr (_("likeness: the settings schema %s is not installed. Install the studio "
                    "(“meson install”, which also compiles the schemas) or start it from its "
                    "build folder with “build-aux/setup run”.\n"),
                  APP_ID);
      return 1;
    }

  g_set_application_name (_("Likeness"));

  app = lk_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
