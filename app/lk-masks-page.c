/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-masks-page"

#include "config.h"

#include "lk-masks-page.h"

#include <glib/gi18n.h>

#include "lk-setting-binding.h"

struct _LkMasksPage
{
  GtkWidget      parent_instance;

  LkProject     *project;
  GPtrArray     *bindings;
  gboolean       show_overlay;
  gboolean       split_view;

  /* template widgets */
  AdwFlap       *content;
  AdwPreferencesPage *preferences_page;
  GtkPicture    *preview_picture;
  AdwStatusPage *preview_status;
  AdwComboRow   *type_row;
  GtkSpinButton *feather_spin;
  GtkSpinButton *expand_spin;
  GtkSpinButton *offset_top_spin;
  GtkSpinButton *offset_bottom_spin;
  GtkSpinButton *offset_left_spin;
  GtkSpinButton *offset_right_spin;
  AdwComboRow   *color_row;
  AdwComboRow   *blend_row;
  GtkSpinButton *levels_spin;
  GtkSpinButton *smoothing_spin;
};

G_DEFINE_FINAL_TYPE (LkMasksPage, lk_masks_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_SHOW_OVERLAY,
  PROP_SPLIT_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const mask_types[] = { "hull", "extended", NULL };
static const char * const color_modes[] = { "none", "reinhard", "histogram", NULL };
static const char * const blend_modes[] = { "alpha", "laplacian", NULL };

/* Keys and defaults of the mask settings; the converter reads the same. */
static const LkSettingSpec setting_specs[] = {
  { "mask.type", G_STRUCT_OFFSET (LkMasksPage, type_row), "selected", "hull", mask_types },
  { "mask.feather", G_STRUCT_OFFSET (LkMasksPage, feather_spin), "value", "12", NULL },
  { "mask.expand", G_STRUCT_OFFSET (LkMasksPage, expand_spin), "value", "0", NULL },
  { "mask.offset-top", G_STRUCT_OFFSET (LkMasksPage, offset_top_spin), "value", "0", NULL },
  { "mask.offset-bottom", G_STRUCT_OFFSET (LkMasksPage, offset_bottom_spin), "value", "0", NULL },
  { "mask.offset-left", G_STRUCT_OFFSET (LkMasksPage, offset_left_spin), "value", "0", NULL },
  { "mask.offset-right", G_STRUCT_OFFSET (LkMasksPage, offset_right_spin), "value", "0", NULL },
  { "mask.color-mode", G_STRUCT_OFFSET (LkMasksPage, color_row), "selected", "reinhard", color_modes },
  { "mask.blend-mode", G_STRUCT_OFFSET (LkMasksPage, blend_row), "selected", "laplacian", blend_modes },
  { "mask.blend-levels", G_STRUCT_OFFSET (LkMasksPage, levels_spin), "value", "5", NULL },
  { "mask.temporal-smoothing", G_STRUCT_OFFSET (LkMasksPage, smoothing_spin), "value", "0.5", NULL },
};

static void
lk_masks_page_update_preview (LkMasksPage *self)
{
  g_autoptr(GPtrArray) sources = NULL;
  gboolean has_target = FALSE;

  if (self->project != NULL)
    {
      sources = lk_project_list_sources (self->project, LK_IDENTITY_B, NULL);
      has_target = sources != NULL && sources->len > 0;
    }

  adw_status_page_set_description (self->preview_status,
                                   has_target
                                   ? _("Train a model to see the swapped face and its mask on "
                                       "a frame of person B’s video")
                                   : _("Add a video of person B on the Faces page"));
  gtk_widget_set_visible (GTK_WIDGET (self->preview_status),
                          gtk_picture_get_paintable (self->preview_picture) == NULL);
}

static void
blend_mode_changed_cb (LkMasksPage *self)
{
  /* Pyramid levels only apply to Laplacian blending. */
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->levels_spin),
                                                     ADW_TYPE_ACTION_ROW),
                            adw_combo_row_get_selected (self->blend_row) == 1);
}

LkProject *
lk_masks_page_get_project (LkMasksPage *self)
{
  g_return_val_if_fail (LK_IS_MASKS_PAGE (self), NULL);

  return self->project;
}

void
lk_masks_page_set_project (LkMasksPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_MASKS_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);

  if (project != NULL)
    g_signal_connect_object (project, "sources-changed",
                             G_CALLBACK (lk_masks_page_update_preview), self,
                             G_CONNECT_SWAPPED);
  lk_masks_page_update_preview (self);

  if (project != NULL)
    self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                          G_N_ELEMENTS (setting_specs));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_masks_page_dispose (GObject *object)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_MASKS_PAGE);

  G_OBJECT_CLASS (lk_masks_page_parent_class)->dispose (object);
}

static void
lk_masks_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_SHOW_OVERLAY:
      g_value_set_boolean (value, self->show_overlay);
      break;

    case PROP_SPLIT_VIEW:
      g_value_set_boolean (value, self->split_view);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_masks_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_masks_page_set_project (self, g_value_get_object (value));
      break;

    case PROP_SHOW_OVERLAY:
      if (self->show_overlay != g_value_get_boolean (value))
        {
          self->show_overlay = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_SPLIT_VIEW:
      if (self->split_view != g_value_get_boolean (value))
        {
          self->split_view = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_masks_page_class_init (LkMasksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_masks_page_dispose;
  object_class->get_property = lk_masks_page_get_property;
  object_class->set_property = lk_masks_page_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* How the preview is drawn; view state, not stored in the project. */
  properties[PROP_SHOW_OVERLAY] =
    g_param_spec_boolean ("show-overlay", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SPLIT_VIEW] =
    g_param_spec_boolean ("split-view", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_property_action (widget_class, "masks.show-overlay", "show-overlay");
  gtk_widget_class_install_property_action (widget_class, "masks.split-view", "split-view");

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-masks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, content);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preview_picture);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preview_status);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, type_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, feather_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, expand_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_top_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_bottom_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_left_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_right_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, color_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, blend_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, levels_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, smoothing_spin);
}

static void
lk_masks_page_init (LkMasksPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->blend_row, "notify::selected",
                           G_CALLBACK (blend_mode_changed_cb), self, G_CONNECT_SWAPPED);
  blend_mode_changed_cb (self);
  lk_masks_page_update_preview (self);
}
