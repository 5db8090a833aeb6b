/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/*
 * The settings schema: every parameter a user can set is declared once, in a
 * table of LkSettingDef per parameter group (the conversion's in
 * engine/convert/lk-convert-params.c, training's in
 * engine/train/lk-train-params.c). A definition names the project key, the
 * type, where the value lives in the group's struct, its default (as the
 * text stored in the project), its range or choices, and a label and
 * description for people. Everything else is derived from the tables:
 *
 *   - defaults, reading from and writing to a project
 *     (lk_project_load_settings (), lk_project_store_settings ())
 *   - validation with a message that names the setting
 *   - the JSON recorded with runs, exports and sidecars
 *   - likeness-cli's options, their ranges and defaults in --help
 *   - the studio's widget ranges and choice lists (app/lk-setting-binding.c)
 *
 * Values are stored in the project as text: numbers in the C locale
 * ("%.9g"), booleans as "true"/"false", enums as their nicks.
 */

typedef enum
{
  LK_SETTING_BOOLEAN, /* gboolean */
  LK_SETTING_INT,     /* int; with @choices: one of those numbers */
  LK_SETTING_UINT64,  /* guint64 */
  LK_SETTING_DOUBLE,  /* double */
  LK_SETTING_ENUM,    /* an int-sized enum of @enum_type, stored as its nick */
  LK_SETTING_STRING,  /* char[@size], one of @choices */
} LkSettingType;

/* One choice of an enum or string setting: its stored value and what the
 * studio shows (translatable, marked for gettext). */
typedef struct
{
  const char *value;
  const char *label;
} LkSettingChoice;

typedef struct
{
  const char             *key;          /* "mask.feather" */
  LkSettingType           type;
  gsize                   offset;       /* of the field in the group's struct */
  gsize                   size;         /* LK_SETTING_STRING: the buffer's size */
  const char             *default_text; /* the default as stored: "12", "hull" */
  double                  min;          /* numbers: the range, both ends included */
  double                  max;
  GType                 (*enum_type) (void); /* LK_SETTING_ENUM */
  const LkSettingChoice  *choices;      /* enum, string, int: the choices, in the order
                                         * shown; ends with { NULL } */
  const char             *label;        /* translatable: the studio's title */
  const char             *description;  /* translatable: --help and the studio's subtitle */
  const char             *cli_name;     /* the option of likeness-cli (without "--");
                                         * a boolean gets --NAME and --no-NAME;
                                         * NULL: not an option */
  char                    cli_short;    /* its one-letter form, or 0 */
  const char             *unit;         /* for --help: "PX", "N"...; NULL: from the type */
} LkSettingDef;

typedef struct
{
  const char         *name;             /* "convert", "train" */
  const LkSettingDef *defs;
  guint               n_defs;
} LkSettingGroup;

/* The definition of @key in @group, or NULL. Every group of the engine:
 * lk_engine_get_setting_groups (), lk_engine_lookup_setting () (lk-engine.h). */
const LkSettingDef *lk_setting_group_lookup  (const LkSettingGroup *group,
                                              const char         *key);

/* Parses @text (the stored form) into the field of @def in @instance,
 * checking the range or choices. On failure the field is left as it was
 * and @error names the setting. */
gboolean      lk_setting_parse              (const LkSettingDef *def,
                                             const char         *text,
                                             gpointer            instance,
                                             GError            **error);
/* Whether @text would parse (the same rules, nothing written). */
gboolean      lk_setting_validate_text      (const LkSettingDef *def,
                                             const char         *text,
                                             GError            **error);
/* The field of @def in @instance as it is stored. */
char         *lk_setting_format             (const LkSettingDef *def,
                                             gconstpointer       instance);
/* Whether the field's value is in range; @error names the setting. */
gboolean      lk_setting_check              (const LkSettingDef *def,
                                             gconstpointer       instance,
                                             GError            **error);
/* The field as a JSON member of the object being built. */
void          lk_setting_add_json           (const LkSettingDef *def,
                                             gconstpointer       instance,
                                             const char         *member,
                                             JsonBuilder        *builder);

/* The stored values of the choices (enum nicks, strings, numbers), or NULL
 * for a setting without choices; free with g_strfreev(). */
GStrv         lk_setting_dup_choice_values  (const LkSettingDef *def);
guint         lk_setting_get_n_choices      (const LkSettingDef *def);
/* The choice's label, translated. */
const char   *lk_setting_get_choice_label   (const LkSettingDef *def,
                                             guint               index);
/* "0 to 500", "hull, extended", "true or false" (translated). */
char         *lk_setting_describe_range     (const LkSettingDef *def);

/* Group-wide: every field set to its default / checked / as JSON members
 * named by the keys. */
void          lk_setting_group_set_defaults (const LkSettingGroup *group,
                                             gpointer            instance);
gboolean      lk_setting_group_check        (const LkSettingGroup *group,
                                             gconstpointer       instance,
                                             GError            **error);
void          lk_setting_group_add_json     (const LkSettingGroup *group,
                                             gconstpointer       instance,
                                             JsonBuilder        *builder);

G_END_DECLS
