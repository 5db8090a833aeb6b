/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window's action tables (lk-actions.h), without a display: every
 * action is declared once, its parameter and state types parse, and every
 * win.* action that a template, a shortcut or the code names exists. */
#include "config.h"

#include <gtk/gtk.h>

#include "lk-export-page.h"
#include "lk-faces-page.h"
#include "lk-masks-page.h"
#include "lk-train-page.h"
#include "lk-window.h"

/* Provided by GtkApplicationWindow itself. */
static const char * const builtin[] = { "show-help-overlay", NULL };

static GHashTable *
collect_actions (void)
{
  const LkAction *(*tables[]) (guint *) = {
    lk_window_get_actions, lk_faces_page_get_actions, lk_train_page_get_actions,
    lk_masks_page_get_actions, lk_export_page_get_actions,
  };
  GHashTable *names = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      guint n = 0;
      const LkAction *actions = tables[t] (&n);

      g_assert_cmpuint (n, >, 0);
      for (guint i = 0; i < n; i++)
        {
          const GActionEntry *e = &actions[i].entry;

          if (g_hash_table_contains (names, e->name))
            g_error ("win.%s is declared twice", e->name);
          g_hash_table_add (names, (gpointer) e->name);
          g_assert_true (e->activate != NULL || e->change_state != NULL);
          if (e->parameter_type != NULL)
            g_assert_true (g_variant_type_string_is_valid (e->parameter_type));
          if (e->state != NULL)
            {
              g_autoptr(GVariant) state = g_variant_parse (NULL, e->state, NULL, NULL, NULL);

              g_assert_nonnull (state);
            }
        }
    }

  return names;
}

static void
test_unique (void)
{
  g_autoptr(GHashTable) names = collect_actions ();

  /* The ones scripts and the GUI test rely on. */
  for (const char * const *n = (const char * const[]) { "show-faces", "add-source", "train-start",
                                                        "masks-set", "export-set", "export",
                                                        "undo", "notify", NULL }; *n; n++)
    g_assert_true (g_hash_table_contains (names, *n));
}

/* Every "win.NAME" in ui/ and app/ names a declared action. */
static void
scan_file (GHashTable *names,
           const char *path,
           guint      *found)
{
  g_autofree char *text = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("[\">]win\\.([a-z-]+)[\"<]", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_regex_match (regex, text, 0, &match);
  while (g_match_info_matches (match))
    {
      g_autofree char *name = g_match_info_fetch (match, 1);

      if (!g_hash_table_contains (names, name) && !g_strv_contains (builtin, name))
        g_error ("%s names win.%s, which no action table declares", path, name);
      (*found)++;
      g_match_info_next (match, NULL);
    }
}

static void
test_references (void)
{
  g_autoptr(GHashTable) names = collect_actions ();
  const char *source = g_getenv ("LK_SOURCE_DIR");
  const char *dirs[] = { "ui", "app" };
  guint found = 0;

  if (source == NULL)
    {
      g_test_skip ("LK_SOURCE_DIR is not set");
      return;
    }
  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *dir_path = g_build_filename (source, dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
      const char *name;

      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".ui") || g_str_has_suffix (name, ".c"))
          {
            g_autofree char *path = g_build_filename (dir_path, name, NULL);

            scan_file (names, path, &found);
          }
    }
  g_assert_cmpuint (found, >, 30);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app/actions/unique", test_unique);
  g_test_add_func ("/app/actions/references", test_references);

  return g_test_run ();
}
