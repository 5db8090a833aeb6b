/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LK_TYPE_OPERATIONS_BUTTON (lk_operations_button_get_type ())

G_DECLARE_FINAL_TYPE (LkOperationsButton, lk_operations_button, LK, OPERATIONS_BUTTON, GtkWidget)

/*
 * The header bar's list of running operations (as GNOME Files has): shown
 * while the engine's job runner has titled jobs (lk_job_list_get_default()),
 * a spinner that opens a popover with each job's title, message, progress
 * and a Cancel button. Hidden when nothing runs.
 */
GtkWidget *lk_operations_button_new       (void);
/* The jobs shown; by default lk_job_list_get_default(). */
void       lk_operations_button_set_model (LkOperationsButton *self,
                                           GListModel         *model);

G_END_DECLS
