/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-setting"

#include "config.h"

#include "lk-setting.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-types.h"

#define FIELD(def, instance) G_STRUCT_MEMBER_P ((instance), (def)->offset)

static gboolean
has_choices (const LkSettingDef *def)
{
  return def->choices != NULL && def->choices[0].value != NULL;
}

guint
lk_setting_get_n_choices (const LkSettingDef *def)
{
  guint n = 0;

  g_return_val_if_fail (def != NULL, 0);

  if (has_choices (def))
    {
      while (def->choices[n].value != NULL)
        n++;
      return n;
    }
  if (def->type == LK_SETTING_ENUM)
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (def->enum_type ());

      return klass->n_values;
    }
  return 0;
}

GStrv
lk_setting_dup_choice_values (const LkSettingDef *def)
{
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (def != NULL, NULL);

  if (!has_choices (def) && def->type != LK_SETTING_ENUM)
    return NULL;

  builder = g_strv_builder_new ();
  if (has_choices (def))
    {
      for (guint i = 0; def->choices[i].value != NULL; i++)
        g_strv_builder_add (builder, def->choices[i].value);
    }
  else
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (def->enum_type ());

      for (guint i = 0; i < klass->n_values; i++)
        g_strv_builder_add (builder, klass->values[i].value_nick);
    }
  return g_strv_builder_end (builder);
}

const char *
lk_setting_get_choice_label (const LkSettingDef *def,
                             guint               index)
{
  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (index < lk_setting_get_n_choices (def), NULL);

  if (has_choices (def))
    {
      const LkSettingChoice *choice = &def->choices[index];

      return choice->label != NULL ? g_dgettext (GETTEXT_PACKAGE, choice->label) : choice->value;
    }
  else
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (def->enum_type ());

      return klass->values[index].value_nick;
    }
}

static char *
format_number (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.9g", value));
}

/* "a, b or c" from the choices' values. */
static char *
join_choices (const LkSettingDef *def)
{
  g_auto(GStrv) values = lk_setting_dup_choice_values (def);
  g_autoptr(GString) text = g_string_new (NULL);
  guint n = values != NULL ? g_strv_length (values) : 0;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        /* TRANSLATORS: between the last two of a list of choices */
        g_string_append (text, i + 1 == n ? _(" or ") : ", ");
      g_string_append (text, values[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
lk_setting_describe_range (const LkSettingDef *def)
{
  g_autofree char *min = NULL;
  g_autofree char *max = NULL;

  g_return_val_if_fail (def != NULL, NULL);

  switch (def->type)
    {
    case LK_SETTING_BOOLEAN:
      return g_strdup (_("true or false"));
    case LK_SETTING_ENUM:
    case LK_SETTING_STRING:
      return join_choices (def);
    case LK_SETTING_INT:
      if (has_choices (def))
        return join_choices (def);
      G_GNUC_FALLTHROUGH;
    case LK_SETTING_UINT64:
    case LK_SETTING_DOUBLE:
    default:
      min = format_number (def->min);
      max = format_number (def->max);
      /* TRANSLATORS: a setting's range, e.g. "0 to 500" */
      return g_strdup_printf (_("%s to %s"), min, max);
    }
}

static gboolean
parse_number (const char *text,
              double     *out)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return FALSE;
  while (g_ascii_isspace (*text))
    text++;
  v = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (v))
    return FALSE;
  while (g_ascii_isspace (*end))
    end++;
  if (*end != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

/* Runs on every settings load (the Masks page loads on each slider step):
 * no copies of the choices. */
static int
choice_index (const LkSettingDef *def,
              const char         *text)
{
  if (has_choices (def))
    {
      for (guint i = 0; def->choices[i].value != NULL; i++)
        if (g_ascii_strcasecmp (def->choices[i].value, text) == 0)
          return (int) i;
      return -1;
    }
  if (def->type == LK_SETTING_ENUM)
    {
      g_autoptr(GEnumClass) klass = g_type_class_ref (def->enum_type ());

      for (guint i = 0; i < klass->n_values; i++)
        if (g_ascii_strcasecmp (klass->values[i].value_nick, text) == 0)
          return (int) i;
    }
  return -1;
}

static gboolean
set_error (const LkSettingDef  *def,
           const char          *text,
           GError             **error)
{
  g_autofree char *range = lk_setting_describe_range (def);

  g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
               /* TRANSLATORS: setting key, the value given, the allowed values */
               _("Setting %s: “%s” is not allowed (%s)"), def->key, text, range);
  return FALSE;
}

gboolean
lk_setting_parse (const LkSettingDef  *def,
                  const char          *text,
                  gpointer             instance,
                  GError             **error)
{
  double v = 0;

  g_return_val_if_fail (def != NULL, FALSE);
  g_return_val_if_fail (instance != NULL, FALSE);

  if (text == NULL)
    return set_error (def, "", error);

  switch (def->type)
    {
    case LK_SETTING_BOOLEAN:
      if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1"))
        *(gboolean *) FIELD (def, instance) = TRUE;
      else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0"))
        *(gboolean *) FIELD (def, instance) = FALSE;
      else
        return set_error (def, text, error);
      return TRUE;

    case LK_SETTING_INT:
      /* Spin buttons store "%.9g" of a double: "16", never "16.0000001". */
      if (!parse_number (text, &v) || v != floor (v) || v < def->min || v > def->max)
        return set_error (def, text, error);
      if (has_choices (def) && choice_index (def, text) < 0)
        {
          g_autofree char *canonical = format_number (v);

          if (choice_index (def, canonical) < 0)
            return set_error (def, text, error);
        }
      *(int *) FIELD (def, instance) = (int) v;
      return TRUE;

    case LK_SETTING_UINT64:
      {
        guint64 n;

        if (g_ascii_string_to_unsigned (text, 10, (guint64) def->min, (guint64) def->max, &n,
                                        NULL))
          ;
        else if (parse_number (text, &v) && v == floor (v) && v >= def->min && v <= def->max)
          n = (guint64) v;
        else
          return set_error (def, text, error);
        *(guint64 *) FIELD (def, instance) = n;
        return TRUE;
      }

    case LK_SETTING_DOUBLE:
      if (!parse_number (text, &v) || v < def->min || v > def->max)
        return set_error (def, text, error);
      *(double *) FIELD (def, instance) = v;
      return TRUE;

    case LK_SETTING_ENUM:
      {
        int value;

        if (choice_index (def, text) < 0 ||
            (value = lk_enum_from_nick (def->enum_type (), text)) < 0)
          return set_error (def, text, error);
        *(int *) FIELD (def, instance) = value;
        return TRUE;
      }

    case LK_SETTING_STRING:
      {
        int i = choice_index (def, text);

        if (i < 0)
          return set_error (def, text, error);
        g_strlcpy (FIELD (def, instance), def->choices[i].value, def->size);
        return TRUE;
      }

    default:
      g_return_val_if_reached (FALSE);
    }
}

char *
lk_setting_format (const LkSettingDef *def,
                   gconstpointer       instance)
{
  gpointer field;

  g_return_val_if_fail (def != NULL, NULL);
  g_return_val_if_fail (instance != NULL, NULL);

  field = G_STRUCT_MEMBER_P ((gpointer) instance, def->offset);
  switch (def->type)
    {
    case LK_SETTING_BOOLEAN:
      return g_strdup (*(gboolean *) field ? "true" : "false");
    case LK_SETTING_INT:
      return g_strdup_printf ("%d", *(int *) field);
    case LK_SETTING_UINT64:
      return g_strdup_printf ("%" G_GUINT64_FORMAT, *(guint64 *) field);
    case LK_SETTING_DOUBLE:
      return format_number (*(double *) field);
    case LK_SETTING_ENUM:
      return g_strdup (lk_enum_to_nick (def->enum_type (), *(int *) field));
    case LK_SETTING_STRING:
      return g_strdup (field);
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
lk_setting_validate_text (const LkSettingDef  *def,
                          const char          *text,
                          GError             **error)
{
  union { gboolean b; int i; guint64 u; double d; char s[256]; } scratch;
  LkSettingDef at_zero;

  g_return_val_if_fail (def != NULL, FALSE);
  g_return_val_if_fail (def->type != LK_SETTING_STRING || def->size <= sizeof scratch.s, FALSE);

  /* The parse writes into a scratch field, never the caller's struct. */
  at_zero = *def;
  at_zero.offset = 0;
  return lk_setting_parse (&at_zero, text, &scratch, error);
}

gboolean
lk_setting_check (const LkSettingDef  *def,
                  gconstpointer        instance,
                  GError             **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (def != NULL, FALSE);

  /* A value is valid when its stored form parses back: one set of rules. */
  text = lk_setting_format (def, instance);
  if (text == NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("Setting %s has no valid value"), def->key);
      return FALSE;
    }
  return lk_setting_validate_text (def, text, error);
}

void
lk_setting_add_json (const LkSettingDef *def,
                     gconstpointer       instance,
                     const char         *member,
                     JsonBuilder        *builder)
{
  gpointer field;

  g_return_if_fail (def != NULL);
  g_return_if_fail (JSON_IS_BUILDER (builder));

  field = G_STRUCT_MEMBER_P ((gpointer) instance, def->offset);
  json_builder_set_member_name (builder, member != NULL ? member : def->key);
  switch (def->type)
    {
    case LK_SETTING_BOOLEAN:
      json_builder_add_boolean_value (builder, *(gboolean *) field);
      break;
    case LK_SETTING_INT:
      json_builder_add_int_value (builder, *(int *) field);
      break;
    case LK_SETTING_UINT64:
      json_builder_add_int_value (builder, (gint64) *(guint64 *) field);
      break;
    case LK_SETTING_DOUBLE:
      json_builder_add_double_value (builder, *(double *) field);
      break;
    case LK_SETTING_ENUM:
      {
        const char *nick = lk_enum_to_nick (def->enum_type (), *(int *) field);

        if (nick != NULL)
          json_builder_add_string_value (builder, nick);
        else
          json_builder_add_null_value (builder);
      }
      break;
    case LK_SETTING_STRING:
      json_builder_add_string_value (builder, field);
      break;
    default:
      g_return_if_reached ();
    }
}

const LkSettingDef *
lk_setting_group_lookup (const LkSettingGroup *group,
                         const char           *key)
{
  g_return_val_if_fail (group != NULL, NULL);

  for (guint i = 0; i < group->n_defs; i++)
    if (g_strcmp0 (group->defs[i].key, key) == 0)
      return &group->defs[i];
  return NULL;
}

void
lk_setting_group_set_defaults (const LkSettingGroup *group,
                               gpointer              instance)
{
  g_return_if_fail (group != NULL);

  for (guint i = 0; i < group->n_defs; i++)
    {
      g_autoptr(GError) error = NULL;

      /* A default that does not parse is a bug in the table (the schema
       * test catches it). */
      if (!lk_setting_parse (&group->defs[i], group->defs[i].default_text, instance, &error))
        g_critical ("%s", error->message);
    }
}

gboolean
lk_setting_group_check (const LkSettingGroup *group,
                        gconstpointer         instance,
                        GError              **error)
{
  g_return_val_if_fail (group != NULL, FALSE);

  for (guint i = 0; i < group->n_defs; i++)
    if (!lk_setting_check (&group->defs[i], instance, error))
      return FALSE;
  return TRUE;
}

void
lk_setting_group_add_json (const LkSettingGroup *group,
                           gconstpointer         instance,
                           JsonBuilder          *builder)
{
  gsize prefix;

  g_return_if_fail (group != NULL);

  /* Members are the keys without the group's own prefix: "train.seed" is
   * "seed" in a training run's JSON, "mask.feather" stays "mask.feather" in
   * a conversion's. */
  prefix = strlen (group->name);
  for (guint i = 0; i < group->n_defs; i++)
    {
      const char *key = group->defs[i].key;
      const char *member = key;

      if (strncmp (key, group->name, prefix) == 0 && key[prefix] == '.')
        member = key + prefix + 1;
      lk_setting_add_json (&group->defs[i], instance, member, builder);
    }
}
