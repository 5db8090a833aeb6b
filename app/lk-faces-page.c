/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-faces-page"

#include "config.h"

#include "lk-faces-page.h"

#include <glib/gi18n.h>

#include "lk-window.h"

typedef struct
{
  AdwPreferencesGroup *group;
  AdwActionRow        *faces_row;
  GtkLabel            *faces_label;
  AdwActionRow        *empty_row;
  GPtrArray           *source_rows;   /* rows added to @group */
} IdentitySection;

struct _LkFacesPage
{
  GtkWidget        parent_instance;

  LkProject       *project;
  IdentitySection  sections[2];

  /* template widgets */
  AdwPreferencesPage *preferences_page;
  AdwPreferencesGroup *group_a;
  AdwPreferencesGroup *group_b;
  AdwActionRow    *faces_a_row;
  AdwActionRow    *faces_b_row;
  GtkLabel        *faces_a_label;
  GtkLabel        *faces_b_label;
  AdwActionRow    *empty_a_row;
  AdwActionRow    *empty_b_row;
};

G_DEFINE_FINAL_TYPE (LkFacesPage, lk_faces_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
display_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (g_str_has_prefix (folder, home) && (folder[home_len] == '/' || folder[home_len] == '\0'))
    return g_strconcat ("~", folder + home_len, NULL);

  return g_steal_pointer (&folder);
}

static gboolean
is_video_or_image (const char *path,
                   gboolean   *is_video)
{
  g_autofree char *content_type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (content_type);

  if (is_video != NULL)
    *is_video = mime != NULL && g_str_has_prefix (mime, "video/");

  return mime != NULL && (g_str_has_prefix (mime, "video/") || g_str_has_prefix (mime, "image/"));
}

static GtkWidget *
create_source_row (const LkSource *source)
{
  GtkWidget *row;
  GtkWidget *remove;
  g_autofree char *name = g_path_get_basename (source->path);
  g_autofree char *folder = display_folder (source->path);
  g_autoptr(GString) subtitle = g_string_new (folder);
  gboolean is_video = FALSE;
  gboolean exists = g_file_test (source->path, G_FILE_TEST_EXISTS);

  is_video_or_image (source->path, &is_video);

  if (source->width > 0 && source->height > 0)
    g_string_append_printf (subtitle, " · %d × %d", source->width, source->height);
  if (source->duration > 0)
    {
      int seconds = (int) (source->duration + 0.5);

      if (seconds >= 3600)
        g_string_append_printf (subtitle, " · %d:%02d:%02d",
                                seconds / 3600, (seconds / 60) % 60, seconds % 60);
      else
        g_string_append_printf (subtitle, " · %d:%02d", seconds / 60, seconds % 60);
    }
  if (!exists)
    {
      /* Translators: %s is the folder a video or photo used to be in */
      g_autofree char *missing = g_strdup_printf (_("Missing from %s"), folder);

      g_string_assign (subtitle, missing);
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_tooltip_text (row, source->path);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (!exists ? "dialog-warning-symbolic"
                                                           : is_video ? "video-x-generic-symbolic"
                                                           : "image-x-generic-symbolic"));

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove From Project"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "faces.remove-source");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "x", source->id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

static void
lk_faces_page_report (LkFacesPage *self,
                      const char  *message)
{
  LkWindow *window = lk_window_for_widget (GTK_WIDGET (self));

  g_message ("%s", message);
  if (window != NULL)
    lk_window_add_toast (window, message);
}

static void
lk_faces_page_update_counts (LkFacesPage *self)
{
  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      IdentitySection *section = &self->sections[identity];
      guint found = 0;
      guint included = 0;
      g_autofree char *label = NULL;
      g_autofree char *subtitle = NULL;

      if (self->project != NULL)
        {
          found = lk_project_count_faces (self->project, identity, FALSE);
          included = lk_project_count_faces (self->project, identity, TRUE);
        }

      label = g_strdup_printf ("%u", found);
      gtk_label_set_label (section->faces_label, label);

      if (found == 0)
        subtitle = g_strdup (_("No faces extracted from the sources"));
      else
        /* Translators: the number of faces kept for training */
        subtitle = g_strdup_printf (ngettext ("%u used for training", "%u used for training",
                                              included), included);
      adw_action_row_set_subtitle (section->faces_row, subtitle);
    }
}

static void
lk_faces_page_update_sources (LkFacesPage *self)
{
  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      IdentitySection *section = &self->sections[identity];
      g_autoptr(GPtrArray) sources = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < section->source_rows->len; i++)
        adw_preferences_group_remove (section->group, g_ptr_array_index (section->source_rows, i));
      g_ptr_array_set_size (section->source_rows, 0);

      if (self->project != NULL)
        {
          sources = lk_project_list_sources (self->project, identity, &error);
          if (sources == NULL)
            {
              g_autofree char *message = g_strdup_printf (_("Could not list the videos and photos: %s"),
                                                          error->message);
              lk_faces_page_report (self, message);
            }
        }

      for (guint i = 0; sources != NULL && i < sources->len; i++)
        {
          GtkWidget *row = create_source_row (g_ptr_array_index (sources, i));

          adw_preferences_group_add (section->group, row);
          g_ptr_array_add (section->source_rows, row);
        }

      gtk_widget_set_visible (GTK_WIDGET (section->empty_row), section->source_rows->len == 0);
    }
}

guint
lk_faces_page_add_files (LkFacesPage *self,
                         LkIdentity   identity,
                         GListModel  *files)
{
  guint n;
  guint added = 0;

  g_return_val_if_fail (LK_IS_FACES_PAGE (self), 0);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, 0);
  g_return_val_if_fail (files == NULL || G_IS_LIST_MODEL (files), 0);

  if (self->project == NULL)
    return 0;

  n = files != NULL ? g_list_model_get_n_items (files) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a local file"), name);
          lk_faces_page_report (self, message);
          continue;
        }

      if (g_file_test (path, G_FILE_TEST_IS_DIR) || !is_video_or_image (path, NULL))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a video or photo"), name);
          lk_faces_page_report (self, message);
          continue;
        }

      if (lk_project_add_source (self->project, identity, path, &error) < 0)
        {
          g_autofree char *message = g_strdup_printf (_("Could not add “%s”: %s"),
                                                      name, error->message);
          lk_faces_page_report (self, message);
          continue;
        }

      added++;
    }

  if (added > 0)
    lk_faces_page_update_sources (self);

  return added;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  LkFacesPage *self = LK_FACES_PAGE (user_data);
  LkIdentity identity = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (target), "lk-identity"));
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->project == NULL)
    return FALSE;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_list_store_append (files, l->data);

  lk_faces_page_add_files (self, identity, G_LIST_MODEL (files));

  return TRUE;
}

typedef struct
{
  LkFacesPage *self;
  LkIdentity   identity;
} ChooserData;

static void
add_sources_response_cb (GtkNativeDialog *native,
                         int              response,
                         gpointer         user_data)
{
  ChooserData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));

      lk_faces_page_add_files (data->self, data->identity, files);
    }

  g_object_unref (data->self);
  g_free (data);
  g_object_unref (native);
}

static void
add_sources_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LkFacesPage *self = LK_FACES_PAGE (widget);
  int identity = lk_identity_from_string (g_variant_get_string (parameter, NULL));
  GtkFileChooserNative *native;
  GtkFileFilter *filter;
  ChooserData *data;
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;

  if (identity < 0 || self->project == NULL)
    return;

  /* Translators: %s is "A" or "B", the person whose videos are added */
  title = g_strdup_printf (_("Add Videos or Photos of Person %s"),
                           lk_identity_to_string (identity));
  native = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Videos and Photos"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Videos"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Photos"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  data = g_new0 (ChooserData, 1);
  data->self = g_object_ref (self);
  data->identity = identity;
  g_signal_connect (native, "response", G_CALLBACK (add_sources_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
remove_source_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LkFacesPage *self = LK_FACES_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->project == NULL)
    return;

  if (!lk_project_remove_source (self->project, g_variant_get_int64 (parameter), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not remove the source: %s"),
                                                  error->message);
      lk_faces_page_report (self, message);
    }

  lk_faces_page_update_sources (self);
}

static void
lk_faces_page_add_drop_target (LkFacesPage *self,
                               LkIdentity   identity)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_object_set_data (G_OBJECT (target), "lk-identity", GINT_TO_POINTER (identity));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->sections[identity].group),
                             GTK_EVENT_CONTROLLER (target));
}

LkProject *
lk_faces_page_get_project (LkFacesPage *self)
{
  g_return_val_if_fail (LK_IS_FACES_PAGE (self), NULL);

  return self->project;
}

void
lk_faces_page_set_project (LkFacesPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_FACES_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);

  g_set_object (&self->project, project);

  if (project != NULL)
    {
      /* Both signals carry an argument this page does not need: it
       * refreshes both identities. */
      g_signal_connect_object (project, "sources-changed",
                               G_CALLBACK (lk_faces_page_update_sources), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (project, "faces-changed",
                               G_CALLBACK (lk_faces_page_update_counts), self,
                               G_CONNECT_SWAPPED);
    }

  lk_faces_page_update_sources (self);
  lk_faces_page_update_counts (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_faces_page_dispose (GObject *object)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_FACES_PAGE);

  for (guint i = 0; i < G_N_ELEMENTS (self->sections); i++)
    g_clear_pointer (&self->sections[i].source_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (lk_faces_page_parent_class)->dispose (object);
}

static void
lk_faces_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

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
lk_faces_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_faces_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_faces_page_class_init (LkFacesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_faces_page_dispose;
  object_class->get_property = lk_faces_page_get_property;
  object_class->set_property = lk_faces_page_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "faces.add-sources", "s", add_sources_action);
  gtk_widget_class_install_action (widget_class, "faces.remove-source", "x",
                                   remove_source_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-faces-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, group_a);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, group_b);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_a_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_b_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_a_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_b_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, empty_a_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, empty_b_row);
}

static void
lk_faces_page_init (LkFacesPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->sections[LK_IDENTITY_A] = (IdentitySection) {
    self->group_a, self->faces_a_row, self->faces_a_label, self->empty_a_row,
    g_ptr_array_new (),
  };
  self->sections[LK_IDENTITY_B] = (IdentitySection) {
    self->group_b, self->faces_b_row, self->faces_b_label, self->empty_b_row,
    g_ptr_array_new (),
  };

  lk_faces_page_add_drop_target (self, LK_IDENTITY_A);
  lk_faces_page_add_drop_target (self, LK_IDENTITY_B);

  lk_faces_page_update_sources (self);
  lk_faces_page_update_counts (self);
}
