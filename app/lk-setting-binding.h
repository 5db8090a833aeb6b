/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_SETTING_BINDING (lk_setting_binding_get_type ())

G_DECLARE_FINAL_TYPE (LkSettingBinding, lk_setting_binding, LK, SETTING_BINDING, GObject)

/*
 * Keeps a property of a widget and a project setting in step, both ways:
 * the widget shows the stored value (or @default_value while none is
 * stored), changes made in the widget are written to the project at once,
 * and changes made elsewhere ("setting-changed::KEY") reach the widget.
 *
 * The property's type picks the format of the stored text:
 *   double (GtkSpinButton:value)  "%.9g" in the C locale
 *   int, uint                     decimal
 *   boolean (GtkSwitch:active)    "true" / "false"
 *   string                        as is
 *   uint with @choices            (AdwComboRow:selected) the choice's id
 *
 * A failed write is shown as a toast in the widget's window. The binding
 * ends when it is finalized or lk_setting_binding_unbind() is called.
 */
LkSettingBinding *lk_setting_binding_new    (LkProject          *project,
                                             const char         *key,
                                             gpointer            target,
                                             const char         *property,
                                             const char         *default_value,
                                             const char * const *choices);
void              lk_setting_binding_unbind (LkSettingBinding   *self);
const char       *lk_setting_binding_get_key (LkSettingBinding  *self);

/* A setting of the schema (lk-setting.h): its default and choices come
 * from @def, a stored value outside its range shows the default, and the
 * widget is fitted to it: a GtkSpinButton's range becomes the setting's, an
 * AdwComboRow's items become the choices' labels. */
LkSettingBinding *lk_setting_binding_new_for_schema (LkProject          *project,
                                                     const LkSettingDef *def,
                                                     gpointer            target,
                                                     const char         *property);

/* A table of bindings for a page: @key a setting of the schema, @offset
 * G_STRUCT_OFFSET of the widget pointer in the page's instance struct,
 * @property the widget's ("value", "selected", "active"). Defaults, ranges
 * and choices are the schema's: a page never repeats them. */
typedef struct
{
  const char         *key;
  gsize               offset;
  const char         *property;
} LkSettingSpec;

/* Binds every entry of @specs; returns the bindings (element type
 * LkSettingBinding), to be freed when the project changes. */
GPtrArray        *lk_setting_bind_all       (LkProject           *project,
                                             gpointer             instance,
                                             const LkSettingSpec *specs,
                                             guint                n_specs);

G_END_DECLS
