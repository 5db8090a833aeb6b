/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-window"

#include "config.h"

#include "lk-window.h"

#include <glib/gi18n.h>

#include "lk-actions.h"
#include "lk-export-page.h"
#include "lk-faces-page.h"
#include "lk-masks-page.h"
#include "lk-notify.h"
#include "lk-operations-button.h"
#include "lk-train-page.h"

#define MAX_RECENT_PROJECTS 8

struct _LkWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  LkProject            *project;

  /* template widgets */
  AdwToastOverlay      *toast_overlay;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *main_stack;
  AdwStatusPage        *start_page;
  GtkWidget            *recent_box;
  GtkListBox           *recent_list;
  AdwViewStack         *view_stack;
  LkFacesPage          *faces_page;
  LkTrainPage          *train_page;
  LkMasksPage          *masks_page;
  LkExportPage         *export_page;

  /* Closing while the model trains: a stop is under way, then this. */
  gboolean              stopping_training;
  gboolean              close_after_stop;
  GtkWidget            *stop_dialog;  /* weak */
};

G_DEFINE_FINAL_TYPE (LkWindow, lk_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const areas[] = { "faces", "train", "masks", "export" };

static char *
display_path (const char *path)
{
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (g_str_has_prefix (path, home) && (path[home_len] == '/' || path[home_len] == '\0'))
    return g_strconcat ("~", path + home_len, NULL);

  return g_strdup (path);
}

static void lk_window_update_actions (LkWindow *self);

/* The one place that follows the window's state: the title, which page
 * shows, whether the bottom switcher is revealed, and (through
 * lk_window_update_actions()) which actions are enabled. */
static void
lk_window_update_state (LkWindow *self)
{
  gboolean has_project = self->project != NULL;

  lk_window_update_actions (self);

  if (has_project)
    {
      const char *name = lk_project_get_name (self->project);
      g_autofree char *folder = g_path_get_dirname (lk_project_get_path (self->project));
      g_autofree char *display_folder = display_path (folder);

      gtk_window_set_title (GTK_WINDOW (self), name);
      adw_view_switcher_title_set_title (self->switcher_title, name);
      adw_view_switcher_title_set_subtitle (self->switcher_title, display_folder);
      gtk_stack_set_visible_child_name (self->main_stack, "project");
    }
  else
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Likeness"));
      adw_view_switcher_title_set_title (self->switcher_title, _("Likeness"));
      adw_view_switcher_title_set_subtitle (self->switcher_title, NULL);
      gtk_stack_set_visible_child_name (self->main_stack, "start");
    }

  adw_view_switcher_title_set_view_switcher_enabled (self->switcher_title, has_project);
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    has_project &&
                                    adw_view_switcher_title_get_title_visible (self->switcher_title));
}

static char *
project_display_name (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);

  if (g_str_has_suffix (base, LK_PROJECT_SUFFIX) && strlen (base) > strlen (LK_PROJECT_SUFFIX))
    base[strlen (base) - strlen (LK_PROJECT_SUFFIX)] = '\0';

  return g_steal_pointer (&base);
}

static void
lk_window_rebuild_recent (LkWindow *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  GtkWidget *child;
  guint shown = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->recent_list))) != NULL)
    gtk_list_box_remove (self->recent_list, child);

  for (guint i = 0; recent[i] != NULL; i++)
    {
      const char *path = recent[i];
      gboolean exists = lk_project_is_project_dir (path);
      g_autofree char *name = project_display_name (path);
      g_autofree char *parent = g_path_get_dirname (path);
      g_autofree char *subtitle = display_path (parent);
      GtkWidget *row;
      GtkWidget *icon;
      GtkWidget *forget;

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_tooltip_text (row, path);

      icon = gtk_image_new_from_icon_name (exists ? "folder-symbolic" : "dialog-warning-symbolic");
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

      if (exists)
        {
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "app.open-project-path");
          gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", path);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                     gtk_image_new_from_icon_name ("go-next-symbolic"));
        }
      else
        {
          GtkWidget *missing = gtk_label_new (_("Missing"));

          gtk_widget_add_css_class (missing, "dim-label");
          gtk_widget_add_css_class (row, "lk-missing-project");
          gtk_widget_set_tooltip_text (row, _("This project was moved or deleted"));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), missing);
        }

      forget = gtk_button_new_from_icon_name ("window-close-symbolic");
      gtk_widget_set_valign (forget, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (forget, "flat");
      gtk_widget_add_css_class (forget, "circular");
      gtk_widget_set_tooltip_text (forget, _("Remove From List"));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (forget), "win.forget-recent");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (forget), "s", path);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), forget);

      gtk_list_box_append (self->recent_list, row);
      shown++;
    }

  gtk_widget_set_visible (self->recent_box, shown > 0);
}

static void
lk_window_remember_project (LkWindow   *self,
                            const char *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; recent[i] != NULL && n < MAX_RECENT_PROJECTS; i++)
    {
      if (g_strcmp0 (recent[i], path) == 0)
        continue;
      g_strv_builder_add (builder, recent[i]);
      n++;
    }

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) updated);
}

static void
lk_window_forget_project (LkWindow   *self,
                          const char *path)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-projects");
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) updated = NULL;

  for (guint i = 0; recent[i] != NULL; i++)
    {
      if (g_strcmp0 (recent[i], path) != 0)
        g_strv_builder_add (builder, recent[i]);
    }

  updated = g_strv_builder_end (builder);
  g_settings_set_strv (self->settings, "recent-projects", (const char * const *) updated);
}

static void
lk_window_set_project (LkWindow  *self,
                       LkProject *project)
{
  if (!g_set_object (&self->project, project))
    return;

  lk_faces_page_set_project (self->faces_page, project);
  lk_train_page_set_project (self->train_page, project);
  lk_masks_page_set_project (self->masks_page, project);
  lk_export_page_set_project (self->export_page, project);

  if (project != NULL)
    {
      lk_window_remember_project (self, lk_project_get_path (project));
      adw_view_stack_set_visible_child_name (self->view_stack, "faces");
    }

  lk_window_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static GFile *
lk_window_get_project_folder (LkWindow *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "default-project-folder");
  const char *videos;

  if (folder[0] != '\0' && g_file_test (folder, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (folder);

  videos = g_get_user_special_dir (G_USER_DIRECTORY_VIDEOS);
  if (videos != NULL && g_file_test (videos, G_FILE_TEST_IS_DIR))
    return g_file_new_for_path (videos);

  return g_file_new_for_path (g_get_home_dir ());
}

typedef gboolean (*ProjectPathFunc) (LkWindow   *self,
                                     const char *path);

static void
project_chooser_response_cb (GtkNativeDialog *native,
                             int              response,
                             gpointer         user_data)
{
  g_autoptr(LkWindow) self = user_data;
  ProjectPathFunc func = g_object_get_data (G_OBJECT (native), "lk-project-path-func");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        func (self, path);
    }

  g_object_unref (native);
}

/* A file chooser in the projects folder whose accepted path goes to @func. */
static void
choose_project_path (LkWindow             *self,
                     const char           *title,
                     GtkFileChooserAction  action,
                     const char           *accept_label,
                     const char           *current_name,
                     ProjectPathFunc       func)
{
  GtkFileChooserNative *native;
  g_autoptr(GFile) folder = NULL;

  native = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, accept_label,
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  folder = lk_window_get_project_folder (self);
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
  if (current_name != NULL)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), current_name);

  g_object_set_data (G_OBJECT (native), "lk-project-path-func", func);
  g_signal_connect (native, "response", G_CALLBACK (project_chooser_response_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

void
lk_window_choose_new_project (LkWindow *self)
{
  g_return_if_fail (LK_IS_WINDOW (self));

  choose_project_path (self, _("New Project"), GTK_FILE_CHOOSER_ACTION_SAVE, _("_Create"),
                       /* Translators: the name of a new project; ".likeness" is added to it */
                       _("Untitled"), lk_window_create_project);
}

void
lk_window_choose_project (LkWindow *self)
{
  g_return_if_fail (LK_IS_WINDOW (self));

  choose_project_path (self, _("Open Project"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                       _("_Open"), NULL, lk_window_open_project);
}

gboolean
lk_window_create_project (LkWindow   *self,
                          const char *path)
{
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (LK_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_path_is_absolute (path))
    {
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                   _("“%s” is not an absolute path"), path);
    }
  else
    {
      project = lk_project_create (path, &error);
    }

  if (project == NULL)
    {
      lk_notify_error (GTK_WIDGET (self), _("Could Not Create the Project"), error,
                       _("Choose another name, or a folder where you may create files."));
      return self->project != NULL;
    }

  lk_window_set_project (self, project);

  return TRUE;
}

gboolean
lk_window_open_project (LkWindow   *self,
                        const char *path)
{
  g_autoptr(LkProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (LK_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->project != NULL && g_strcmp0 (lk_project_get_path (self->project), path) == 0)
    return TRUE;

  project = lk_project_open (path, &error);
  if (project == NULL)
    {
      lk_notify_error (GTK_WIDGET (self), _("Could Not Open the Project"), error,
                       _("Check that the folder is a Likeness project (it holds "
                              "project.db) and that you may read and write it."));
      return self->project != NULL;
    }

  lk_window_set_project (self, project);

  return TRUE;
}

void
lk_window_close_project (LkWindow *self)
{
  g_return_if_fail (LK_IS_WINDOW (self));

  lk_window_set_project (self, NULL);
}

gboolean
lk_window_show_area (LkWindow   *self,
                     const char *area)
{
  g_return_val_if_fail (LK_IS_WINDOW (self), FALSE);

  if (self->project == NULL || area == NULL || !g_strv_contains (areas, area))
    return FALSE;

  adw_view_stack_set_visible_child_name (self->view_stack, area);

  return TRUE;
}

LkProject *
lk_window_get_project (LkWindow *self)
{
  g_return_val_if_fail (LK_IS_WINDOW (self), NULL);

  return self->project;
}

/* win.notify (message, button label, action name, target, urgent): a toast;
 * lk_notify() in lk-notify.c is its caller. */
static void
notify_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LkWindow *self = user_data;
  g_autoptr(GVariant) target = NULL;
  const char *message, *button_label, *action_name;
  gboolean urgent;
  AdwToast *toast;

  g_variant_get (parameter, "(&s&s&smvb)", &message, &button_label, &action_name, &target,
                 &urgent);

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 6);
  if (*button_label != '\0' && *action_name != '\0')
    {
      adw_toast_set_button_label (toast, button_label);
      adw_toast_set_action_name (toast, action_name);
      if (target != NULL)
        adw_toast_set_action_target_value (toast, target);
    }
  if (urgent)
    adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}


static void
lk_window_show_error (LkWindow     *self,
                      const char   *heading,
                      const GError *error,
                      const char   *advice)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  if (error != NULL && advice != NULL)
    body = g_strdup_printf ("%s\n\n%s", error->message, advice);
  else if (error != NULL)
    body = g_strdup (error->message);
  else
    body = g_strdup (advice);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

/* win.report-error (heading, message, advice): lk_notify_error()'s. */
static void
report_error_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LkWindow *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *heading, *message, *advice;

  g_variant_get (parameter, "(&s&s&s)", &heading, &message, &advice);
  if (*message != '\0')
    error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);
  lk_window_show_error (self, heading, error, *advice != '\0' ? advice : NULL);
}

static void
show_area_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LkWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  lk_window_show_area (self, name + strlen ("show-"));
}

static void
training_stopped_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LkWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  self->stopping_training = FALSE;
  if (!lk_train_page_stop_finish (LK_TRAIN_PAGE (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        lk_notify_error (GTK_WIDGET (self), _("Could Not Save the Model"), error,
                         _("The project stays open; see the Train area."));
      return;
    }

  if (self->close_after_stop)
    gtk_window_destroy (GTK_WINDOW (self));
  else
    lk_window_close_project (self);
}

static void
stop_training_response_cb (AdwMessageDialog *dialog,
                           const char       *response,
                           LkWindow         *self)
{
  if (g_strcmp0 (response, "save") != 0 || self->stopping_training)
    return;

  self->stopping_training = TRUE;
  self->close_after_stop = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog),
                                                               "lk-close-window"));
  lk_train_page_stop_async (self->train_page, NULL, training_stopped_cb, g_object_ref (self));
}

/* Closing the window or the project while the model trains asks first,
 * then stops training (which saves) and closes. TRUE when it asked or a
 * stop is under way: the caller does not close now. */
static gboolean
lk_window_confirm_stop_training (LkWindow *self,
                                 gboolean  close_window)
{
  AdwMessageDialog *dialog;
  const char *heading = _("Stop Training and Save?");

  if (!lk_train_page_get_busy (self->train_page))
    return FALSE;
  if (self->stopping_training)
    {
      /* Closing the window wins over closing the project. */
      self->close_after_stop |= close_window;
      return TRUE;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (
      GTK_WINDOW (self), heading,
      _("The model is training. Training stops after the current step and the model is saved "
        "before it closes; you can go on training later.")));
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save and Close"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "lk-close-window", GINT_TO_POINTER (close_window));
  g_signal_connect_object (dialog, "response", G_CALLBACK (stop_training_response_cb), self, 0);
  g_set_weak_pointer (&self->stop_dialog, GTK_WIDGET (dialog));
  gtk_window_present (GTK_WINDOW (dialog));

  return TRUE;
}

/* Training stopped some other way (win.train-stop, an error) while the
 * question is open: it no longer applies. */
static void
train_page_busy_cb (LkWindow *self)
{
  if (self->stop_dialog != NULL && !self->stopping_training &&
      !lk_train_page_get_busy (self->train_page))
    gtk_window_destroy (GTK_WINDOW (self->stop_dialog));
}

static gboolean
lk_window_close_request (GtkWindow *window)
{
  if (lk_window_confirm_stop_training (LK_WINDOW (window), TRUE))
    return TRUE;

  return GTK_WINDOW_CLASS (lk_window_parent_class)->close_request (window);
}

static void
close_project_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  LkWindow *self = user_data;

  if (!lk_window_confirm_stop_training (self, FALSE))
    lk_window_close_project (self);
}

static void
add_source_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  LkWindow *self = user_data;
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);
  g_autoptr(GFile) file = NULL;
  const char *identity_name;
  const char *path;
  int identity;

  g_variant_get (parameter, "(&s&s)", &identity_name, &path);
  identity = lk_identity_from_string (identity_name);
  if (identity < 0)
    {
      g_autofree char *message = g_strdup_printf (_("“%s” is not a person of the project"),
                                                  identity_name);
      lk_notify (GTK_WIDGET (self), message);
      return;
    }

  file = g_file_new_for_commandline_arg (path);
  g_list_store_append (files, file);
  lk_faces_page_add_files (self->faces_page, identity, G_LIST_MODEL (files));
}

static void
forget_recent_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  lk_window_forget_project (LK_WINDOW (user_data), g_variant_get_string (parameter, NULL));
}

static void
update_actions_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  lk_window_update_actions (LK_WINDOW (user_data));
}

static gboolean
has_project_enabled (gpointer owner)
{
  return LK_WINDOW (owner)->project != NULL;
}

/* The window's own actions (lk-actions.h). Added to the window's action map
 * rather than installed on the class, so that GtkApplicationWindow exports
 * them on D-Bus (…/window/<id>) for tests and scripts. */
static const LkAction win_actions[] = {
  { { "show-faces", show_area_action }, has_project_enabled },
  { { "show-train", show_area_action }, has_project_enabled },
  { { "show-masks", show_area_action }, has_project_enabled },
  { { "show-export", show_area_action }, has_project_enabled },
  { { "close-project", close_project_action }, has_project_enabled },
  /* ("A" or "B", path): what "Add Videos or Photos" does, for scripts */
  { { "add-source", add_source_action, "(ss)" }, has_project_enabled },
  { { "forget-recent", forget_recent_action, "s" }, NULL },
  /* What the pages tell the user (lk-notify.h). */
  { { "notify", notify_action, "(sssmvb)" }, NULL },
  { { "report-error", report_error_action, "(sss)" }, NULL },
  /* A page's state changed (lk_actions_changed()). */
  { { "update-actions", update_actions_action }, NULL },
};

const LkAction *
lk_window_get_actions (guint *n_actions)
{
  *n_actions = G_N_ELEMENTS (win_actions);
  return win_actions;
}

/* Every action of the window, its own and its pages', in one list: added
 * the same way, their sensitivity set in one function. */
typedef const LkAction *(*GetActionsFunc) (guint *n_actions);

static const struct
{
  gsize          page_offset;  /* G_STRUCT_OFFSET of the page in LkWindow; 0: the window */
  GetActionsFunc get_actions;
} action_tables[] = {
  { 0, lk_window_get_actions },
  { G_STRUCT_OFFSET (LkWindow, faces_page), lk_faces_page_get_actions },
  { G_STRUCT_OFFSET (LkWindow, train_page), lk_train_page_get_actions },
  { G_STRUCT_OFFSET (LkWindow, masks_page), lk_masks_page_get_actions },
  { G_STRUCT_OFFSET (LkWindow, export_page), lk_export_page_get_actions },
};

static const LkAction *
action_table (LkWindow  *self,
              guint      i,
              gpointer  *owner,
              guint     *n_actions)
{
  *owner = action_tables[i].page_offset == 0
           ? (gpointer) self : G_STRUCT_MEMBER (gpointer, self, action_tables[i].page_offset);
  return action_tables[i].get_actions (n_actions);
}

static void
lk_window_add_actions (LkWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_tables); i++)
    {
      gpointer owner;
      guint n;
      const LkAction *actions = action_table (self, i, &owner, &n);

      lk_actions_add (G_ACTION_MAP (self), actions, n, owner);
    }
}

/* The one function that sets which actions are enabled. */
static void
lk_window_update_actions (LkWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (action_tables); i++)
    {
      gpointer owner;
      guint n;
      const LkAction *actions = action_table (self, i, &owner, &n);

      if (owner != NULL)
        lk_actions_update (G_ACTION_MAP (self), actions, n, owner);
    }
}

/* Called once, when the window goes (closed, or destroyed on quit). */
static void
lk_window_save_state (LkWindow *self)
{
  GtkWindow *window = GTK_WINDOW (self);
  int width, height;

  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  g_settings_apply (self->settings);
}

static void
lk_window_dispose (GObject *object)
{
  LkWindow *self = LK_WINDOW (object);

  if (self->settings != NULL)
    lk_window_save_state (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_WINDOW);

  g_clear_object (&self->project);
  g_clear_object (&self->settings);
  g_clear_weak_pointer (&self->stop_dialog);

  G_OBJECT_CLASS (lk_window_parent_class)->dispose (object);
}

static void
lk_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LkWindow *self = LK_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_window_class_init (LkWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_window_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = lk_window_close_request;
  object_class->get_property = lk_window_get_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LK_TYPE_FACES_PAGE);
  g_type_ensure (LK_TYPE_TRAIN_PAGE);
  g_type_ensure (LK_TYPE_MASKS_PAGE);
  g_type_ensure (LK_TYPE_EXPORT_PAGE);
  g_type_ensure (LK_TYPE_OPERATIONS_BUTTON);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/likeness/Studio/lk-window.ui");
  gtk_widget_class_bind_template_child (widget_class, LkWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, start_page);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, recent_box);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, recent_list);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, faces_page);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, train_page);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, masks_page);
  gtk_widget_class_bind_template_child (widget_class, LkWindow, export_page);
  gtk_widget_class_bind_template_callback (widget_class, lk_window_update_state);
}

static void
lk_window_init (LkWindow *self)
{
  GtkIconTheme *icon_theme;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);

  lk_window_add_actions (self);
  /* F5, F6, Shift+F5 for training, anywhere in the window. */
  gtk_widget_add_controller (GTK_WIDGET (self), lk_train_page_create_shortcuts ());
  g_signal_connect_object (self->train_page, "notify::busy", G_CALLBACK (train_page_busy_cb),
                           self, G_CONNECT_SWAPPED);

#if DEVELOPMENT_BUILD
  gtk_widget_add_css_class (GTK_WIDGET (self), "devel");
#endif

  /* The application icon, where installed; a generic one otherwise. */
  icon_theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (self)));
  adw_status_page_set_icon_name (self->start_page,
                                 gtk_icon_theme_has_icon (icon_theme, APP_ID)
                                   ? APP_ID : "camera-video-symbolic");

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  g_signal_connect_object (self->settings, "changed::recent-projects",
                           G_CALLBACK (lk_window_rebuild_recent), self, G_CONNECT_SWAPPED);
  lk_window_rebuild_recent (self);
  lk_window_update_state (self);
}

LkWindow *
lk_window_new (GtkApplication *application)
{
  return g_object_new (LK_TYPE_WINDOW, "application", application, NULL);
}
