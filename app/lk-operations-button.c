/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-operations"

#include "config.h"

#include "lk-operations-button.h"

#include <glib/gi18n.h>

#include "lk-job-runner.h"

struct _LkOperationsButton
{
  GtkWidget   parent_instance;

  GListModel *model;

  /* template widgets */
  GtkMenuButton *button;
  GtkSpinner    *spinner;
  GtkListBox    *list;
};

G_DEFINE_FINAL_TYPE (LkOperationsButton, lk_operations_button, GTK_TYPE_WIDGET)

static void
cancel_clicked_cb (GtkButton *button,
                   LkJob     *job)
{
  lk_job_cancel (job);
  gtk_widget_set_sensitive (GTK_WIDGET (button), FALSE);
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  LkJob *job = item;
  GtkWidget *row, *box, *texts, *title, *message, *bar, *cancel;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);

  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (box), texts);

  title = gtk_label_new (lk_job_get_title (job));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (texts), title);

  message = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (message), 0);
  gtk_label_set_ellipsize (GTK_LABEL (message), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (message, "caption");
  gtk_widget_add_css_class (message, "dim-label");
  g_object_bind_property (job, "message", message, "label", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (texts), message);

  bar = gtk_progress_bar_new ();
  g_object_bind_property (job, "fraction", bar, "fraction", G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (texts), bar);

  cancel = gtk_button_new_from_icon_name ("process-stop-symbolic");
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (cancel, "flat");
  gtk_widget_add_css_class (cancel, "circular");
  gtk_widget_set_tooltip_text (cancel, _("Cancel"));
  gtk_widget_set_sensitive (cancel, !lk_job_is_cancelled (job));
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (cancel_clicked_cb), job, 0);
  gtk_box_append (GTK_BOX (box), cancel);

  row = gtk_list_box_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static void
items_changed_cb (LkOperationsButton *self)
{
  gboolean running = self->model != NULL && g_list_model_get_n_items (self->model) > 0;

  gtk_widget_set_visible (GTK_WIDGET (self), running);
  gtk_spinner_set_spinning (self->spinner, running);
  if (!running)
    gtk_menu_button_popdown (self->button);
}

void
lk_operations_button_set_model (LkOperationsButton *self,
                                GListModel         *model)
{
  g_return_if_fail (LK_IS_OPERATIONS_BUTTON (self));
  g_return_if_fail (model == NULL || G_IS_LIST_MODEL (model));

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, items_changed_cb, self);
  g_set_object (&self->model, model);
  gtk_list_box_bind_model (self->list, model, create_row, NULL, NULL);
  if (model != NULL)
    g_signal_connect_object (model, "items-changed", G_CALLBACK (items_changed_cb), self,
                             G_CONNECT_SWAPPED);
  items_changed_cb (self);
}

static void
lk_operations_button_dispose (GObject *object)
{
  LkOperationsButton *self = LK_OPERATIONS_BUTTON (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, items_changed_cb, self);
  if (self->list != NULL)
    gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_OPERATIONS_BUTTON);

  G_OBJECT_CLASS (lk_operations_button_parent_class)->dispose (object);
}

static void
lk_operations_button_class_init (LkOperationsButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_operations_button_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-operations-button.ui");
  gtk_widget_class_bind_template_child (widget_class, LkOperationsButton, button);
  gtk_widget_class_bind_template_child (widget_class, LkOperationsButton, spinner);
  gtk_widget_class_bind_template_child (widget_class, LkOperationsButton, list);
}

static void
lk_operations_button_init (LkOperationsButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  lk_operations_button_set_model (self, lk_job_list_get_default ());
}

GtkWidget *
lk_operations_button_new (void)
{
  return g_object_new (LK_TYPE_OPERATIONS_BUTTON, NULL);
}
