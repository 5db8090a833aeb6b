/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-preferences-window"

#include "config.h"

#include "lk-preferences-window.h"

#include <glib/gi18n.h>

struct _LkPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  /* template widgets */
  AdwComboRow          *style_row;
  AdwActionRow         *folder_row;
  GtkButton            *folder_reset_button;
  AdwComboRow          *device_row;
  GtkSpinButton        *threads_spin;
};

G_DEFINE_FINAL_TYPE (LkPreferencesWindow, lk_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The rows of a combo and the nicks of the enum key it shows, in order. */
static const char * const style_nicks[] = { "system", "light", "dark", NULL };
static const char * const device_nicks[] = { "auto", "cpu", NULL };

static gboolean
nick_to_selected (GValue   *value,
                  GVariant *variant,
                  gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    {
      if (g_str_equal (nicks[i], nick))
        {
          g_value_set_uint (value, i);
          return TRUE;
        }
    }

  /* A value this window does not offer (say "cuda" set from the command
   * line) shows as the first row without being overwritten. */
  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
selected_to_nick (const GValue       *value,
                  const GVariantType *expected_type,
                  gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint selected = g_value_get_uint (value);

  if (selected >= g_strv_length ((char **) nicks))
    return NULL;

  return g_variant_new_string (nicks[selected]);
}

static void
lk_preferences_window_update_folder (LkPreferencesWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "default-project-folder");
  const char *shown = folder;

  if (*folder == '\0')
    {
      shown = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);
      if (shown == NULL)
        shown = g_get_home_dir ();
    }

  adw_action_row_set_subtitle (self->folder_row, shown);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_reset_button), *folder != '\0');
}

static void
choose_folder_response_cb (GtkNativeDialog *native,
                           int              response,
                           gpointer         user_data)
{
  g_autoptr(LkPreferencesWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        g_settings_set_string (self->settings, "default-project-folder", path);
    }

  g_object_unref (native);
}

static void
choose_folder_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LkPreferencesWindow *self = LK_PREFERENCES_WINDOW (widget);
  GtkFileChooserNative *native;

  native = gtk_file_chooser_native_new (_("Default Project Folder"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                        _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect (native, "response", G_CALLBACK (choose_folder_response_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
reset_folder_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LkPreferencesWindow *self = LK_PREFERENCES_WINDOW (widget);

  g_settings_reset (self->settings, "default-project-folder");
}

/* 0 threads means one per core: say so instead of showing 0. */
static gboolean
threads_output_cb (GtkSpinButton *spin,
                   gpointer       user_data)
{
  int value = (int) gtk_spin_button_get_value (spin);
  g_autofree char *text = NULL;

  text = value == 0 ? g_strdup (_("Automatic")) : g_strdup_printf ("%d", value);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);

  return TRUE;
}

static int
threads_input_cb (GtkSpinButton *spin,
                  double        *new_value,
                  gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  gint64 value;

  if (g_str_equal (text, _("Automatic")))
    {
      *new_value = 0;
      return TRUE;
    }

  if (!g_ascii_string_to_signed (text, 10, 0, 256, &value, NULL))
    return GTK_INPUT_ERROR;

  *new_value = value;
  return TRUE;
}

static void
lk_preferences_window_dispose (GObject *object)
{
  LkPreferencesWindow *self = LK_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lk_preferences_window_parent_class)->dispose (object);
}

static void
lk_preferences_window_class_init (LkPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_preferences_window_dispose;

  gtk_widget_class_install_action (widget_class, "preferences.choose-folder", NULL,
                                   choose_folder_action);
  gtk_widget_class_install_action (widget_class, "preferences.reset-folder", NULL,
                                   reset_folder_action);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LkPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, LkPreferencesWindow, folder_row);
  gtk_widget_class_bind_template_child (widget_class, LkPreferencesWindow, folder_reset_button);
  gtk_widget_class_bind_template_child (widget_class, LkPreferencesWindow, device_row);
  gtk_widget_class_bind_template_child (widget_class, LkPreferencesWindow, threads_spin);
  gtk_widget_class_bind_template_callback (widget_class, threads_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, threads_input_cb);
}

static void
lk_preferences_window_init (LkPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif
}

LkPreferencesWindow *
lk_preferences_window_new (GSettings *settings)
{
  LkPreferencesWindow *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  self = g_object_new (LK_TYPE_PREFERENCES_WINDOW, NULL);
  self->settings = g_object_ref (settings);

  g_settings_bind_with_mapping (settings, "style-variant", self->style_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_selected, selected_to_nick,
                                (gpointer) style_nicks, NULL);
  g_settings_bind_with_mapping (settings, "compute-device", self->device_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, nick_to_selected, selected_to_nick,
                                (gpointer) device_nicks, NULL);
  g_settings_bind (settings, "cpu-threads", self->threads_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);

  g_signal_connect_object (settings, "changed::default-project-folder",
                           G_CALLBACK (lk_preferences_window_update_folder), self,
                           G_CONNECT_SWAPPED);
  lk_preferences_window_update_folder (self);

  return self;
}
