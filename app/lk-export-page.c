/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-export-page"

#include "config.h"

#include "lk-export-page.h"

#include <glib/gi18n.h>

#include "lk-setting-binding.h"

struct _LkExportPage
{
  GtkWidget         parent_instance;

  LkProject        *project;
  GPtrArray        *bindings;
  LkSettingBinding *output_binding;

  /* template widgets */
  AdwPreferencesPage *preferences_page;
  AdwActionRow     *output_row;
  AdwComboRow      *codec_row;
  GtkSpinButton    *crf_spin;
  AdwComboRow      *preset_row;
  GtkSwitch        *whole_switch;
  GtkSpinButton    *start_spin;
  GtkSpinButton    *end_spin;
  GtkSwitch        *metadata_switch;
  GtkSwitch        *sidecar_switch;
  GtkSwitch        *burn_in_switch;
};

G_DEFINE_FINAL_TYPE (LkExportPage, lk_export_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const codecs[] = { "h264", "hevc", "vp9", NULL };
static const char * const presets[] = {
  "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
  NULL
};

/* Keys and defaults of the export settings; the exporter reads the same.
 * "export.output" is bound on its own: its default depends on the project. */
static const LkSettingSpec setting_specs[] = {
  { "export.codec", G_STRUCT_OFFSET (LkExportPage, codec_row), "selected", "h264", codecs },
  { "export.crf", G_STRUCT_OFFSET (LkExportPage, crf_spin), "value", "20", NULL },
  { "export.preset", G_STRUCT_OFFSET (LkExportPage, preset_row), "selected", "medium", presets },
  { "export.whole-video", G_STRUCT_OFFSET (LkExportPage, whole_switch), "active", "true", NULL },
  { "export.start-frame", G_STRUCT_OFFSET (LkExportPage, start_spin), "value", "0", NULL },
  { "export.end-frame", G_STRUCT_OFFSET (LkExportPage, end_spin), "value", "0", NULL },
  { "export.metadata", G_STRUCT_OFFSET (LkExportPage, metadata_switch), "active", "true", NULL },
  { "export.sidecar", G_STRUCT_OFFSET (LkExportPage, sidecar_switch), "active", "true", NULL },
  { "export.burn-in-label", G_STRUCT_OFFSET (LkExportPage, burn_in_switch), "active", "false", NULL },
};

static const char *
codec_extension (guint codec)
{
  return codec == 2 ? ".webm" : ".mp4";
}

static char *
default_output (LkExportPage *self)
{
  g_autofree char *name = g_strconcat (lk_project_get_name (self->project),
                                       codec_extension (adw_combo_row_get_selected (self->codec_row)),
                                       NULL);

  return g_build_filename (lk_project_get_renders_dir (self->project), name, NULL);
}

/* Keep the file name's extension in step with the codec. */
static void
codec_changed_cb (LkExportPage *self)
{
  const char *output;
  const char *dot;
  g_autofree char *stem = NULL;
  g_autofree char *updated = NULL;
  const char *extension = codec_extension (adw_combo_row_get_selected (self->codec_row));

  if (self->project == NULL)
    return;

  output = adw_action_row_get_subtitle (self->output_row);
  if (output == NULL || *output == '\0')
    return;

  dot = strrchr (output, '.');
  if (dot == NULL || strchr (dot, '/') != NULL || g_strcmp0 (dot, extension) == 0 ||
      !(g_str_equal (dot, ".mp4") || g_str_equal (dot, ".webm") || g_str_equal (dot, ".mkv")))
    return;

  stem = g_strndup (output, dot - output);
  updated = g_strconcat (stem, extension, NULL);
  adw_action_row_set_subtitle (self->output_row, updated);
}

static void
choose_output_response_cb (GtkNativeDialog *native,
                           int              response,
                           gpointer         user_data)
{
  g_autoptr(LkExportPage) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->project != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        adw_action_row_set_subtitle (self->output_row, path);
    }

  g_object_unref (native);
}

static void
choose_output_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LkExportPage *self = LK_EXPORT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  const char *current = adw_action_row_get_subtitle (self->output_row);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;

  if (self->project == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export To"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  file = g_file_new_for_path (current != NULL && *current != '\0'
                              ? current : lk_project_get_renders_dir (self->project));
  folder = g_file_get_parent (file);
  name = g_file_get_basename (file);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);

  g_signal_connect (native, "response", G_CALLBACK (choose_output_response_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

LkProject *
lk_export_page_get_project (LkExportPage *self)
{
  g_return_val_if_fail (LK_IS_EXPORT_PAGE (self), NULL);

  return self->project;
}

void
lk_export_page_set_project (LkExportPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_EXPORT_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->output_binding != NULL)
    lk_setting_binding_unbind (self->output_binding);
  g_clear_object (&self->output_binding);
  g_set_object (&self->project, project);

  if (project != NULL)
    {
      g_autofree char *output = NULL;

      self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                            G_N_ELEMENTS (setting_specs));
      output = default_output (self);
      self->output_binding = lk_setting_binding_new (project, "export.output", self->output_row,
                                                     "subtitle", output, NULL);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_export_page_dispose (GObject *object)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->output_binding != NULL)
    lk_setting_binding_unbind (self->output_binding);
  g_clear_object (&self->output_binding);
  g_clear_object (&self->project);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_EXPORT_PAGE);

  G_OBJECT_CLASS (lk_export_page_parent_class)->dispose (object);
}

static void
lk_export_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

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
lk_export_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_export_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_export_page_class_init (LkExportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_export_page_dispose;
  object_class->get_property = lk_export_page_get_property;
  object_class->set_property = lk_export_page_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "export.choose-output", NULL,
                                   choose_output_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-export-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, output_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, codec_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, crf_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, whole_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, start_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, end_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, metadata_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, sidecar_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, burn_in_switch);
}

static void
lk_export_page_init (LkExportPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->codec_row, "notify::selected",
                           G_CALLBACK (codec_changed_cb), self, G_CONNECT_SWAPPED);
}
