/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-application"

#include "config.h"

#include "lk-application.h"

#include <glib/gi18n.h>

#include "lk-engine.h"
#include "lk-face-descriptor.h"
#include "lk-preferences-window.h"
#include "lk-window.h"

/* Where the templates, style.css and gtk/help-overlay.ui live. Fixed, so that
 * the development profile (whose id ends in .Devel) finds the same files. */
#define LK_RESOURCE_BASE_PATH "/io/likeness/Studio"

struct _LkApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (LkApplication, lk_application, ADW_TYPE_APPLICATION)

static LkWindow *
lk_application_get_main_window (LkApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (LK_IS_WINDOW (window))
    return LK_WINDOW (window);

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (LK_IS_WINDOW (l->data))
        return LK_WINDOW (l->data);
    }

  window = GTK_WINDOW (lk_window_new (GTK_APPLICATION (self)));
  gtk_window_present (window);

  return LK_WINDOW (window);
}

static void
lk_application_apply_style (LkApplication *self)
{
  AdwStyleManager *style_manager = adw_style_manager_get_default ();
  AdwColorScheme scheme;

  switch (g_settings_get_enum (self->settings, "style-variant"))
    {
    case 1:
      scheme = ADW_COLOR_SCHEME_FORCE_LIGHT;
      break;
    case 2:
      scheme = ADW_COLOR_SCHEME_FORCE_DARK;
      break;
    default:
      scheme = ADW_COLOR_SCHEME_DEFAULT;
      break;
    }

  adw_style_manager_set_color_scheme (style_manager, scheme);
}

static void
new_project_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkApplication *self = user_data;

  lk_window_choose_new_project (lk_application_get_main_window (self));
}

static void
open_project_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LkApplication *self = user_data;

  lk_window_choose_project (lk_application_get_main_window (self));
}

static void
create_project_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LkApplication *self = user_data;
  LkWindow *window = lk_application_get_main_window (self);

  /* First, so that an error dialog ends up above the window. */
  gtk_window_present (GTK_WINDOW (window));
  lk_window_create_project (window, g_variant_get_string (parameter, NULL));
}

static void
open_project_path_action (GSimpleAction *action,
                          GVariant      *parameter,
                          gpointer       user_data)
{
  LkApplication *self = user_data;
  LkWindow *window = lk_application_get_main_window (self);

  /* First, so that an error dialog ends up above the window. */
  gtk_window_present (GTK_WINDOW (window));
  lk_window_open_project (window, g_variant_get_string (parameter, NULL));
}

static void
show_area_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LkApplication *self = user_data;

  lk_window_show_area (lk_application_get_main_window (self),
                       g_variant_get_string (parameter, NULL));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkApplication *self = user_data;
  GtkWindow *parent = GTK_WINDOW (lk_application_get_main_window (self));
  LkPreferencesWindow *preferences;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (LK_IS_PREFERENCES_WINDOW (l->data))
        {
          gtk_window_present (GTK_WINDOW (l->data));
          return;
        }
    }

  preferences = lk_preferences_window_new (self->settings);
  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_set_application (GTK_WINDOW (preferences), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
shortcuts_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LkApplication *self = user_data;

  /* GtkApplication loads gtk/help-overlay.ui from the resource base path and
   * gives each application window a "win.show-help-overlay" action. */
  gtk_widget_activate_action (GTK_WIDGET (lk_application_get_main_window (self)),
                              "win.show-help-overlay", NULL);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  LkApplication *self = user_data;
  GtkWidget *about;
  g_auto(GStrv) versions = lk_engine_get_versions ();
  g_autofree char *device = lk_engine_get_device_name ();
  g_autoptr(GString) info = g_string_new (NULL);
  const char *debug_info;
  static const char *developers[] = { "The Likeness developers", NULL };
  static const char *libraries[] = {
    "GTK https://gtk.org",
    "libadwaita https://gnome.pages.gitlab.gnome.org/libadwaita/",
    "FFmpeg https://ffmpeg.org",
    "dlib http://dlib.net",
    "PyTorch (libtorch) https://pytorch.org",
    "SQLite https://sqlite.org",
    NULL
  };

  g_string_append_printf (info, "%s %s (%s)\n\n", APP_ID, PACKAGE_VERSION, PROFILE);
  for (guint i = 0; versions[i] != NULL && versions[i + 1] != NULL; i += 2)
    g_string_append_printf (info, "%s: %s\n", versions[i], versions[i + 1]);
  g_string_append_printf (info, "gtk: %u.%u.%u\nlibadwaita: %u.%u.%u\n",
                          gtk_get_major_version (), gtk_get_minor_version (),
                          gtk_get_micro_version (), adw_get_major_version (),
                          adw_get_minor_version (), adw_get_micro_version ());
  g_string_append_printf (info, "\ndevice: %s (%s)\n", device, lk_engine_get_device_kind ());
  debug_info = info->str;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", lk_application_get_main_window (self),
                        "application-name", _("Likeness"),
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", _("The Likeness developers"),
                        "comments", _("Swap faces in video: collect faces of two people, train a "
                                      "model on your own computer and export the result, marked "
                                      "as synthetic."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: replace with your names, one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);

  adw_about_window_add_acknowledgement_section (ADW_ABOUT_WINDOW (about),
                                                _("Built With"), libraries);
  adw_about_window_add_legal_section (
      ADW_ABOUT_WINDOW (about),
      _("dlib 68-Point Face Landmark Model"),
      "© Davis E. King",
      GTK_LICENSE_CUSTOM,
      _("Facial landmarks are found with dlib’s shape_predictor_68_face_landmarks model. "
        "It is trained on the iBUG 300-W data set, whose licence excludes commercial use: "
        "do not use Likeness with this model for commercial purposes without a licence "
        "from the data set’s owners (Imperial College London, "
        "https://ibug.doc.ic.ac.uk/resources/facial-point-annotations/)."));
  adw_about_window_add_legal_section (
      ADW_ABOUT_WINDOW (about),
      _("Face Recognition Network"),
      "© Davis E. King; © Vincent Mühler; © Vladimir Mandic",
      GTK_LICENSE_MIT_X11,
      _("Faces are told apart with dlib’s ResNet-29 face recognition network "
        "(dlib_face_recognition_resnet_model_v1), as ported by face-api.js and shipped in the "
        "npm package @vladmandic/face-api (MIT licence), converted when Likeness is built. "
        "dlib’s author released the model into the public domain (dlib-models README); it "
        "was trained on FaceScrub, VGG Face and images from the internet."));
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      "dlib", "© Davis E. King",
                                      GTK_LICENSE_CUSTOM,
                                      _("Boost Software License 1.0"));
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      "FFmpeg", "© the FFmpeg developers",
                                      GTK_LICENSE_LGPL_2_1, NULL);
  adw_about_window_add_legal_section (ADW_ABOUT_WINDOW (about),
                                      "PyTorch (libtorch)", "© Facebook, Inc. and its affiliates",
                                      GTK_LICENSE_BSD_3, NULL);

  adw_about_window_set_debug_info (ADW_ABOUT_WINDOW (about), debug_info);
  adw_about_window_set_debug_info_filename (ADW_ABOUT_WINDOW (about), "likeness-debug.txt");

  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  LkApplication *self = user_data;
  GList *windows;

  /* Dialogs and other windows go first. Destroying one may destroy others
   * (its dialogs), so look again each time. */
  for (;;)
    {
      GtkWindow *other = NULL;

      for (windows = gtk_application_get_windows (GTK_APPLICATION (self));
           windows != NULL; windows = windows->next)
        if (!LK_IS_WINDOW (windows->data))
          other = windows->data;
      if (other == NULL)
        break;
      gtk_window_destroy (other);
    }

  /* Studio windows are closed, not destroyed, so each saves its state and
   * a window that is training asks first (and stops and saves the model).
   * The application ends when the last window is gone; a window whose
   * close was cancelled stays open. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  g_list_foreach (windows, (GFunc) (void (*) (void)) g_object_ref, NULL);
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
}

static const GActionEntry app_actions[] = {
  { "new-project", new_project_action },
  { "open-project", open_project_action },
  { "create-project", create_project_action, "s" },
  { "open-project-path", open_project_path_action, "s" },
  { "show-area", show_area_action, "s" },
  { "preferences", preferences_action },
  { "shortcuts", shortcuts_action },
  { "about", about_action },
  { "quit", quit_action },
};

static const struct {
  const char *action;
  const char *accels[3];
} app_accels[] = {
  { "app.new-project", { "<Control>n", NULL } },
  { "app.open-project", { "<Control>o", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "app.shortcuts", { "<Control>question", NULL } },
  { "app.quit", { "<Control>q", NULL } },
  { "win.close-project", { "<Control>w", NULL } },
  { "win.show-faces", { "<Alt>1", NULL } },
  { "win.show-train", { "<Alt>2", NULL } },
  { "win.show-masks", { "<Alt>3", NULL } },
  { "win.show-export", { "<Alt>4", NULL } },
  /* app.shortcuts does this; keep one owner of Ctrl+? */
  { "win.show-help-overlay", { NULL } },
};

static void
lk_application_startup (GApplication *application)
{
  LkApplication *self = LK_APPLICATION (application);

  G_APPLICATION_CLASS (lk_application_parent_class)->startup (application);

  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (app_accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), app_accels[i].action,
                                           app_accels[i].accels);

  self->settings = g_settings_new (APP_ID);
  lk_engine_init (g_settings_get_int (self->settings, "cpu-threads"));
  {
    g_autoptr(GError) error = NULL;

    /* Said once; the rest of the studio works without it. */
    if (!lk_face_recognition_model_check (&error))
      g_message ("%s", error->message);
  }
  g_signal_connect_object (self->settings, "changed::style-variant",
                           G_CALLBACK (lk_application_apply_style), self,
                           G_CONNECT_SWAPPED);
  lk_application_apply_style (self);
}

static void
lk_application_activate (GApplication *application)
{
  LkApplication *self = LK_APPLICATION (application);

  gtk_window_present (GTK_WINDOW (lk_application_get_main_window (self)));
}

static void
lk_application_open (GApplication  *application,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  LkApplication *self = LK_APPLICATION (application);
  LkWindow *window = lk_application_get_main_window (self);

  /* One window shows one project: the last one named wins. */
  if (n_files > 0)
    {
      g_autofree char *path = g_file_get_path (files[n_files - 1]);

      gtk_window_present (GTK_WINDOW (window));
      if (path != NULL)
        lk_window_open_project (window, path);
    }
  else
    {
      gtk_window_present (GTK_WINDOW (window));
    }
}

static void
lk_application_dispose (GObject *object)
{
  LkApplication *self = LK_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (lk_application_parent_class)->dispose (object);
}

static void
lk_application_class_init (LkApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = lk_application_dispose;

  app_class->startup = lk_application_startup;
  app_class->activate = lk_application_activate;
  app_class->open = lk_application_open;
}

static void
lk_application_init (LkApplication *self)
{
}

LkApplication *
lk_application_new (void)
{
  return g_object_new (LK_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", LK_RESOURCE_BASE_PATH,
                       NULL);
}

GSettings *
lk_application_get_settings (LkApplication *self)
{
  g_return_val_if_fail (LK_IS_APPLICATION (self), NULL);

  return self->settings;
}
