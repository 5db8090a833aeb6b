/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "likeness-cli.h"

#include "lk-project.h"

/*
 * The options of a settings group (lk-setting.h), made from its schema: one
 * per setting with a cli_name, a boolean as --NAME and --no-NAME, each
 * with its range and default in --help. Values are checked as they are
 * parsed and applied to the group's struct after the project's settings
 * were read, so that the command line wins.
 */

typedef struct
{
  const LkSettingDef *def;
  const char         *fixed;   /* a boolean's "true"/"false"; NULL: the option's value */
} CliOption;

typedef struct
{
  const LkSettingDef *def;
  char               *text;
} CliGiven;

struct _CliSettings
{
  GHashTable *options;   /* "--name" and "-c" -> CliOption */
  GArray     *given;     /* CliGiven, in command-line order */
  GPtrArray  *strings;   /* what the entries point to */
};

static void
cli_given_clear (gpointer data)
{
  g_free (((CliGiven *) data)->text);
}

static void
cli_settings_free (gpointer data)
{
  CliSettings *self = data;

  g_hash_table_unref (self->options);
  g_array_unref (self->given);
  g_ptr_array_unref (self->strings);
  g_free (self);
}

static const char *
keep (CliSettings *self,
      char        *text)
{
  g_ptr_array_add (self->strings, text);
  return text;
}

static gboolean
option_cb (const char  *option_name,
           const char  *value,
           gpointer     data,
           GError     **error)
{
  CliSettings *self = data;
  CliOption *option = g_hash_table_lookup (self->options, option_name);
  CliGiven given;
  g_autoptr(GError) local_error = NULL;
  const char *text;

  g_return_val_if_fail (option != NULL, FALSE);

  text = option->fixed != NULL ? option->fixed : value;
  if (!lk_setting_validate_text (option->def, text, &local_error))
    {
      g_autofree char *range = lk_setting_describe_range (option->def);

      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* TRANSLATORS: an option, its value, the values allowed */
                   _("%s: “%s” is not allowed (%s)"), option_name, text, range);
      return FALSE;
    }
  /* --gan --no-gan says two things: a usage error, not "the last wins". */
  for (guint i = 0; option->fixed != NULL && i < self->given->len; i++)
    {
      CliGiven *earlier = &g_array_index (self->given, CliGiven, i);

      if (earlier->def == option->def && g_strcmp0 (earlier->text, text) != 0)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       /* TRANSLATORS: e.g. "--gan and --no-gan contradict each other" */
                       _("--%s and --no-%s contradict each other"), option->def->cli_name,
                       option->def->cli_name);
          return FALSE;
        }
    }
  given.def = option->def;
  given.text = g_strdup (text);
  g_array_append_val (self->given, given);
  return TRUE;
}

static const char *
arg_description (CliSettings        *self,
                 const LkSettingDef *def)
{
  if (def->unit != NULL)
    return def->unit;
  if (def->type == LK_SETTING_ENUM || def->type == LK_SETTING_STRING ||
      (def->type == LK_SETTING_INT && lk_setting_get_n_choices (def) > 0))
    {
      g_auto(GStrv) values = lk_setting_dup_choice_values (def);

      return keep (self, g_strjoinv ("|", values));
    }
  return def->type == LK_SETTING_DOUBLE ? "X" : "N";
}

static void
add_option (CliSettings        *self,
            GArray             *entries,
            const LkSettingDef *def,
            const char         *long_name,
            char                short_name,
            const char         *fixed,
            const char         *help,
            const char         *arg,
            gboolean            hidden)
{
  CliOption *option = g_new0 (CliOption, 1);
  GOptionEntry entry = { 0 };

  option->def = def;
  option->fixed = fixed;
  g_hash_table_insert (self->options, g_strconcat ("--", long_name, NULL), option);
  if (short_name != 0)
    g_hash_table_insert (self->options, g_strdup_printf ("-%c", short_name), g_memdup2 (option, sizeof *option));

  entry.long_name = long_name;
  entry.short_name = short_name;
  entry.flags = (fixed != NULL ? G_OPTION_FLAG_NO_ARG : 0) | (hidden ? G_OPTION_FLAG_HIDDEN : 0);
  entry.arg = G_OPTION_ARG_CALLBACK;
  entry.arg_data = (gpointer) option_cb;
  entry.description = help;
  entry.arg_description = arg;
  g_array_append_val (entries, entry);
}

CliSettings *
cli_settings_add (GOptionContext       *context,
                  const LkSettingGroup *group)
{
  CliSettings *self = g_new0 (CliSettings, 1);
  g_autoptr(GArray) entries = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionGroup *option_group;

  self->options = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->given = g_array_new (FALSE, FALSE, sizeof (CliGiven));
  g_array_set_clear_func (self->given, cli_given_clear);
  self->strings = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < group->n_defs; i++)
    {
      const LkSettingDef *def = &group->defs[i];
      const char *description;

      if (def->cli_name == NULL)
        continue;
      description = g_dgettext (GETTEXT_PACKAGE, def->description);
      if (def->type == LK_SETTING_BOOLEAN)
        {
          gboolean on = g_strcmp0 (def->default_text, "true") == 0;

          add_option (self, entries, def, def->cli_name, def->cli_short, "true",
                      keep (self, g_strdup_printf ("%s (%s)", description,
                                                   on ? _("default: on") : _("default: off"))),
                      NULL, FALSE);
          add_option (self, entries, def, keep (self, g_strconcat ("no-", def->cli_name, NULL)),
                      0, "false",
                      keep (self, g_strdup_printf (_("The opposite of --%s"), def->cli_name)),
                      NULL, FALSE);
        }
      else
        {
          g_autofree char *range = lk_setting_describe_range (def);

          add_option (self, entries, def, def->cli_name, def->cli_short, NULL,
                      /* TRANSLATORS: an option's help: what it does (its range;
                       * default VALUE) */
                      keep (self, g_strdup_printf (_("%s (%s; default %s)"), description, range,
                                                   def->default_text)),
                      arg_description (self, def), FALSE);
        }
    }

  /* The command's own entries join this group (g_option_context_add_main_entries ()
   * adds to the main group), so that --help lists them all together. */
  option_group = g_option_group_new (NULL, NULL, NULL, self, cli_settings_free);
  g_option_group_add_entries (option_group, (GOptionEntry *) entries->data);
  g_option_context_set_main_group (context, option_group);
  return self;
}

gboolean
cli_settings_apply (CliSettings  *self,
                    gpointer      instance,
                    GError      **error)
{
  for (guint i = 0; i < self->given->len; i++)
    {
      CliGiven *given = &g_array_index (self->given, CliGiven, i);

      if (!lk_setting_parse (given->def, given->text, instance, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
cli_settings_given (CliSettings *self,
                    const char  *key)
{
  for (guint i = 0; i < self->given->len; i++)
    if (g_strcmp0 (g_array_index (self->given, CliGiven, i).def->key, key) == 0)
      return TRUE;
  return FALSE;
}

gboolean
cli_settings_store (CliSettings    *self,
                    gconstpointer   instance,
                    LkProject      *project,
                    GError        **error)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < self->given->len; i++)
    {
      const LkSettingDef *def = g_array_index (self->given, CliGiven, i).def;

      g_ptr_array_add (keys, (gpointer) def->key);
      g_ptr_array_add (values, lk_setting_format (def, instance));
    }
  return lk_project_set_settings (project, (const char * const *) keys->pdata,
                                  (const char * const *) values->pdata, keys->len, error);
}
