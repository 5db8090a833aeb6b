/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-types"

#include "config.h"

#include "lk-types.h"

const char *
lk_enum_to_nick (GType type,
                 int   value)
{
  GEnumClass *klass;
  GEnumValue *v;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  /* Enum classes of static types stay alive once made. */
  klass = g_type_class_ref (type);
  v = g_enum_get_value (klass, value);
  g_type_class_unref (klass);
  return v != NULL ? v->value_nick : NULL;
}

int
lk_enum_from_nick (GType       type,
                   const char *nick)
{
  GEnumClass *klass;
  int value = -1;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), -1);

  if (nick == NULL)
    return -1;
  klass = g_type_class_ref (type);
  for (guint i = 0; i < klass->n_values; i++)
    if (g_ascii_strcasecmp (klass->values[i].value_nick, nick) == 0)
      {
        value = klass->values[i].value;
        break;
      }
  g_type_class_unref (klass);
  return value;
}
