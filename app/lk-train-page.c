/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train-page"

#include "config.h"

#include "lk-train-page.h"

#include <glib/gi18n.h>

#include "lk-engine.h"
#include "lk-setting-binding.h"

struct _LkTrainPage
{
  GtkWidget      parent_instance;

  LkProject     *project;
  GPtrArray     *bindings;
  GSettings     *settings;

  /* template widgets */
  AdwPreferencesPage *preferences_page;
  AdwComboRow   *face_size_row;
  GtkSpinButton *encoder_width_spin;
  GtkSpinButton *decoder_width_spin;
  GtkSpinButton *bottleneck_spin;
  GtkSpinButton *batch_size_spin;
  GtkSpinButton *learning_rate_spin;
  AdwComboRow   *loss_row;
  GtkSpinButton *dssim_weight_spin;
  GtkSwitch     *gan_switch;
  GtkSpinButton *gan_weight_spin;
  AdwActionRow  *device_row;
};

G_DEFINE_FINAL_TYPE (LkTrainPage, lk_train_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const face_sizes[] = { "64", "128", "256", NULL };
static const char * const losses[] = { "l1", "mse", NULL };

/* Keys and defaults of the model settings; the trainer reads the same. */
static const LkSettingSpec setting_specs[] = {
  { "train.face-size", G_STRUCT_OFFSET (LkTrainPage, face_size_row), "selected", "128", face_sizes },
  { "train.encoder-width", G_STRUCT_OFFSET (LkTrainPage, encoder_width_spin), "value", "64", NULL },
  { "train.decoder-width", G_STRUCT_OFFSET (LkTrainPage, decoder_width_spin), "value", "64", NULL },
  { "train.bottleneck", G_STRUCT_OFFSET (LkTrainPage, bottleneck_spin), "value", "256", NULL },
  { "train.batch-size", G_STRUCT_OFFSET (LkTrainPage, batch_size_spin), "value", "16", NULL },
  { "train.learning-rate", G_STRUCT_OFFSET (LkTrainPage, learning_rate_spin), "value", "5e-05", NULL },
  { "train.loss", G_STRUCT_OFFSET (LkTrainPage, loss_row), "selected", "l1", losses },
  { "train.dssim-weight", G_STRUCT_OFFSET (LkTrainPage, dssim_weight_spin), "value", "1", NULL },
  { "train.gan", G_STRUCT_OFFSET (LkTrainPage, gan_switch), "active", "false", NULL },
  { "train.gan-weight", G_STRUCT_OFFSET (LkTrainPage, gan_weight_spin), "value", "0.1", NULL },
};

/* The learning rate is small: show it as 5e-05 rather than 0.000050. */
static gboolean
learning_rate_output_cb (GtkSpinButton *spin,
                         gpointer       user_data)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_editable_set_text (GTK_EDITABLE (spin),
                         g_ascii_formatd (buffer, sizeof buffer, "%.3g",
                                          gtk_spin_button_get_value (spin)));
  return TRUE;
}

static int
learning_rate_input_cb (GtkSpinButton *spin,
                        double        *new_value,
                        gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || value <= 0)
    return GTK_INPUT_ERROR;

  *new_value = value;
  return TRUE;
}

static void
lk_train_page_update_device (LkTrainPage *self)
{
  g_autofree char *name = lk_engine_get_device_name ();
  g_autofree char *subtitle = NULL;

  /* The preference is shown next to what the engine found. */
  if (g_settings_get_enum (self->settings, "compute-device") == 1 &&
      g_strcmp0 (lk_engine_get_device_kind (), "cpu") != 0)
    /* Translators: %s is a graphics card's name */
    subtitle = g_strdup_printf (_("Processor only (preferred over %s)"), name);
  else
    subtitle = g_steal_pointer (&name);

  adw_action_row_set_subtitle (self->device_row, subtitle);
}

LkProject *
lk_train_page_get_project (LkTrainPage *self)
{
  g_return_val_if_fail (LK_IS_TRAIN_PAGE (self), NULL);

  return self->project;
}

void
lk_train_page_set_project (LkTrainPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_TRAIN_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_set_object (&self->project, project);

  if (project != NULL)
    self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                          G_N_ELEMENTS (setting_specs));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_train_page_dispose (GObject *object)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_TRAIN_PAGE);

  G_OBJECT_CLASS (lk_train_page_parent_class)->dispose (object);
}

static void
lk_train_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

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
lk_train_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_train_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_train_page_class_init (LkTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_train_page_dispose;
  object_class->get_property = lk_train_page_get_property;
  object_class->set_property = lk_train_page_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-train-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, face_size_row);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, encoder_width_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, decoder_width_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, bottleneck_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, batch_size_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, learning_rate_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, loss_row);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, dssim_weight_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, gan_switch);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, gan_weight_spin);
  gtk_widget_class_bind_template_child (widget_class, LkTrainPage, device_row);
  gtk_widget_class_bind_template_callback (widget_class, learning_rate_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, learning_rate_input_cb);
}

static void
lk_train_page_init (LkTrainPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::compute-device",
                           G_CALLBACK (lk_train_page_update_device), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::cpu-threads",
                           G_CALLBACK (lk_train_page_update_device), self, G_CONNECT_SWAPPED);
  lk_train_page_update_device (self);
}
