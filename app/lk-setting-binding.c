/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-setting-binding"

#include "config.h"

#include "lk-setting-binding.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "lk-engine.h"
#include "lk-notify.h"

struct _LkSettingBinding
{
  GObject      parent_instance;

  LkProject   *project;
  GObject     *target;
  GParamSpec  *pspec;
  char        *key;
  char        *default_value;
  GStrv        choices;
  const LkSettingDef *def;   /* NULL: a setting outside the schema */
  gulong       project_handler;
  gulong       target_handler;
  gboolean     updating;
};

G_DEFINE_FINAL_TYPE (LkSettingBinding, lk_setting_binding, G_TYPE_OBJECT)

static char *
lk_setting_binding_format (LkSettingBinding *self,
                           const GValue     *value)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (self->pspec);

  if (self->choices != NULL && type == G_TYPE_UINT)
    {
      guint index = g_value_get_uint (value);

      if (index < g_strv_length (self->choices))
        return g_strdup (self->choices[index]);
      return NULL;
    }

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_DOUBLE:
      {
        char buffer[G_ASCII_DTOSTR_BUF_SIZE];

        return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.9g",
                                          g_value_get_double (value)));
      }
    case G_TYPE_INT:
      return g_strdup_printf ("%d", g_value_get_int (value));
    case G_TYPE_UINT:
      return g_strdup_printf ("%u", g_value_get_uint (value));
    case G_TYPE_BOOLEAN:
      return g_strdup (g_value_get_boolean (value) ? "true" : "false");
    case G_TYPE_STRING:
      return g_value_dup_string (value);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
lk_setting_binding_parse (LkSettingBinding *self,
                          const char       *text,
                          GValue           *value)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (self->pspec);

  if (text == NULL)
    return FALSE;
  if (self->def != NULL && !lk_setting_validate_text (self->def, text, NULL))
    return FALSE;

  if (self->choices != NULL && type == G_TYPE_UINT)
    {
      for (guint i = 0; self->choices[i] != NULL; i++)
        {
          if (g_strcmp0 (self->choices[i], text) == 0)
            {
              g_value_set_uint (value, i);
              return TRUE;
            }
        }
      return FALSE;
    }

  switch (G_TYPE_FUNDAMENTAL (type))
    {
    case G_TYPE_DOUBLE:
      {
        char *end = NULL;
        double d = g_ascii_strtod (text, &end);

        if (end == text)
          return FALSE;
        g_value_set_double (value, d);
        return TRUE;
      }
    case G_TYPE_INT:
      {
        gint64 n;

        if (!g_ascii_string_to_signed (text, 10, G_MININT, G_MAXINT, &n, NULL))
          return FALSE;
        g_value_set_int (value, (int) n);
        return TRUE;
      }
    case G_TYPE_UINT:
      {
        guint64 n;

        if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &n, NULL))
          return FALSE;
        g_value_set_uint (value, (guint) n);
        return TRUE;
      }
    case G_TYPE_BOOLEAN:
      if (g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "1") == 0)
        g_value_set_boolean (value, TRUE);
      else if (g_strcmp0 (text, "false") == 0 || g_strcmp0 (text, "0") == 0)
        g_value_set_boolean (value, FALSE);
      else
        return FALSE;
      return TRUE;
    case G_TYPE_STRING:
      g_value_set_string (value, text);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* project -> widget */
static void
lk_setting_binding_load (LkSettingBinding *self)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *stored = NULL;

  if (self->project == NULL || self->target == NULL)
    return;

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (self->pspec));
  stored = lk_project_get_setting (self->project, self->key);

  /* A value this version cannot read shows the default and is kept on disk
   * until the user changes it. */
  if (!lk_setting_binding_parse (self, stored, &value) &&
      !lk_setting_binding_parse (self, self->default_value, &value))
    return;

  self->updating = TRUE;
  g_object_set_property (self->target, self->pspec->name, &value);
  self->updating = FALSE;
}

/* widget -> project */
static void
lk_setting_binding_store (LkSettingBinding *self)
{
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *text = NULL;
  g_autofree char *stored = NULL;
  g_autoptr(GError) error = NULL;

  if (self->updating || self->project == NULL || self->target == NULL)
    return;

  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (self->pspec));
  g_object_get_property (self->target, self->pspec->name, &value);
  text = lk_setting_binding_format (self, &value);
  if (text == NULL)
    return;

  stored = lk_project_get_setting (self->project, self->key);
  if (g_strcmp0 (stored, text) == 0)
    return;

  self->updating = TRUE;
  if (!lk_project_set_setting (self->project, self->key, text, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not save the setting %s: %s"),
                                                  self->key, error->message);

      lk_notify (GTK_IS_WIDGET (self->target) ? GTK_WIDGET (self->target) : NULL, message);
    }
  self->updating = FALSE;
}

static void
project_setting_changed_cb (LkProject        *project,
                            const char       *key,
                            const char       *value,
                            LkSettingBinding *self)
{
  if (!self->updating)
    lk_setting_binding_load (self);
}

static void
target_notify_cb (GObject          *target,
                  GParamSpec       *pspec,
                  LkSettingBinding *self)
{
  lk_setting_binding_store (self);
}

void
lk_setting_binding_unbind (LkSettingBinding *self)
{
  g_return_if_fail (LK_IS_SETTING_BINDING (self));

  g_clear_signal_handler (&self->project_handler, self->project);
  g_clear_signal_handler (&self->target_handler, self->target);
  g_clear_object (&self->project);
  g_clear_object (&self->target);
}

const char *
lk_setting_binding_get_key (LkSettingBinding *self)
{
  g_return_val_if_fail (LK_IS_SETTING_BINDING (self), NULL);

  return self->key;
}

static void
lk_setting_binding_dispose (GObject *object)
{
  lk_setting_binding_unbind (LK_SETTING_BINDING (object));

  G_OBJECT_CLASS (lk_setting_binding_parent_class)->dispose (object);
}

static void
lk_setting_binding_finalize (GObject *object)
{
  LkSettingBinding *self = LK_SETTING_BINDING (object);

  g_free (self->key);
  g_free (self->default_value);
  g_strfreev (self->choices);

  G_OBJECT_CLASS (lk_setting_binding_parent_class)->finalize (object);
}

static void
lk_setting_binding_class_init (LkSettingBindingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lk_setting_binding_dispose;
  object_class->finalize = lk_setting_binding_finalize;
}

static void
lk_setting_binding_init (LkSettingBinding *self)
{
}

static void
lk_setting_binding_unref_unbind (LkSettingBinding *self)
{
  lk_setting_binding_unbind (self);
  g_object_unref (self);
}

LkSettingBinding *
lk_setting_binding_new (LkProject          *project,
                        const char         *key,
                        gpointer            target,
                        const char         *property,
                        const char         *default_value,
                        const char * const *choices)
{
  LkSettingBinding *self;
  GParamSpec *pspec;
  g_autofree char *detailed = NULL;
  g_autofree char *notify = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (G_IS_OBJECT (target), NULL);
  g_return_val_if_fail (property != NULL, NULL);

  pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (target), property);
  g_return_val_if_fail (pspec != NULL, NULL);
  g_return_val_if_fail (G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_DOUBLE ||
                        G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_INT ||
                        G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_UINT ||
                        G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_BOOLEAN ||
                        G_TYPE_FUNDAMENTAL (pspec->value_type) == G_TYPE_STRING, NULL);

  self = g_object_new (LK_TYPE_SETTING_BINDING, NULL);
  self->project = g_object_ref (project);
  self->target = g_object_ref (target);
  self->pspec = pspec;
  self->key = g_strdup (key);
  self->default_value = g_strdup (default_value);
  self->choices = choices != NULL ? g_strdupv ((char **) choices) : NULL;

  lk_setting_binding_load (self);

  detailed = g_strdup_printf ("setting-changed::%s", key);
  self->project_handler = g_signal_connect (project, detailed,
                                            G_CALLBACK (project_setting_changed_cb), self);
  notify = g_strdup_printf ("notify::%s", pspec->name);
  self->target_handler = g_signal_connect (target, notify,
                                           G_CALLBACK (target_notify_cb), self);

  return self;
}

/* The widget shows what the schema allows. */
static void
fit_widget (gpointer            target,
            const LkSettingDef *def)
{
  if (GTK_IS_SPIN_BUTTON (target) &&
      (def->type == LK_SETTING_INT || def->type == LK_SETTING_DOUBLE ||
       def->type == LK_SETTING_UINT64))
    {
      GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (target);

      gtk_adjustment_set_lower (adjustment, def->min);
      gtk_adjustment_set_upper (adjustment, def->max);
    }
  else if (ADW_IS_COMBO_ROW (target) && lk_setting_get_n_choices (def) > 0)
    {
      g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
      guint n = lk_setting_get_n_choices (def);

      for (guint i = 0; i < n; i++)
        gtk_string_list_append (labels, lk_setting_get_choice_label (def, i));
      adw_combo_row_set_model (target, G_LIST_MODEL (labels));
    }
}

LkSettingBinding *
lk_setting_binding_new_for_schema (LkProject          *project,
                                   const LkSettingDef *def,
                                   gpointer            target,
                                   const char         *property)
{
  g_auto(GStrv) choices = NULL;
  LkSettingBinding *self;

  g_return_val_if_fail (def != NULL, NULL);

  fit_widget (target, def);
  choices = lk_setting_dup_choice_values (def);
  self = lk_setting_binding_new (project, def->key, target, property, def->default_text,
                                 (const char * const *) choices);
  if (self != NULL)
    {
      self->def = def;
      /* What was shown before the schema was known is checked again. */
      lk_setting_binding_load (self);
    }
  return self;
}

GPtrArray *
lk_setting_bind_all (LkProject           *project,
                     gpointer             instance,
                     const LkSettingSpec *specs,
                     guint                n_specs)
{
  GPtrArray *bindings;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (instance != NULL, NULL);

  bindings = g_ptr_array_new_full (n_specs, (GDestroyNotify) lk_setting_binding_unref_unbind);
  for (guint i = 0; i < n_specs; i++)
    {
      gpointer target = G_STRUCT_MEMBER (gpointer, instance, specs[i].offset);
      const LkSettingDef *def = lk_engine_lookup_setting (specs[i].key);

      if (def == NULL)
        {
          g_critical ("Setting %s is not in the schema", specs[i].key);
          continue;
        }
      g_ptr_array_add (bindings,
                       lk_setting_binding_new_for_schema (project, def, target,
                                                          specs[i].property));
    }

  return bindings;
}
