/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-actions.h"
#include "lk-setting-binding.h"
#include "lk-project.h"
#include "lk-trainer.h"

G_BEGIN_DECLS

#define LK_TYPE_TRAIN_PAGE (lk_train_page_get_type ())

G_DECLARE_FINAL_TYPE (LkTrainPage, lk_train_page, LK, TRAIN_PAGE, GtkWidget)

/*
 * The Train area: starts, pauses and stops the project's LkTrainer and
 * shows its losses, figures and preview; the model settings ("train.*")
 * below are locked while it trains.
 *
 * Its commands are window actions (lk_train_page_get_actions(), which the
 * window adds, so GtkApplicationWindow exports them on D-Bus):
 * win.train-start (F5), win.train-pause (F6), win.train-resume (F5),
 * win.train-stop (Shift+F5).
 */

LkProject      *lk_train_page_get_project    (LkTrainPage        *self);
void            lk_train_page_set_project    (LkTrainPage        *self,
                                              LkProject          *project);

/* The train-* actions with when each is enabled (lk-actions.h), and a
 * controller with their shortcuts for the window (anywhere in it). */
const LkAction *lk_train_page_get_actions    (guint              *n_actions);
/* The settings the page's widgets show (for the schema test). */
const LkSettingSpec *lk_train_page_get_setting_specs (guint *n_specs);
GtkEventController *lk_train_page_create_shortcuts (void);

/* (nullable): the trainer of the current project */
LkTrainer      *lk_train_page_get_trainer    (LkTrainPage        *self);
/* TRUE while the trainer loads, trains, is paused or saves. */
gboolean        lk_train_page_get_busy       (LkTrainPage        *self);

/* Stops training; completes once the trainer has saved its last checkpoint
 * and ended (at once when it is not busy). Fails with the trainer's error
 * when that save failed. */
void            lk_train_page_stop_async     (LkTrainPage        *self,
                                              GCancellable       *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean        lk_train_page_stop_finish    (LkTrainPage        *self,
                                              GAsyncResult       *result,
                                              GError            **error);

G_END_DECLS
