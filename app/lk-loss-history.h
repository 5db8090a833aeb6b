/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "lk-project.h"
#include "lk-trainer.h"

G_BEGIN_DECLS

#define LK_TYPE_LOSS_HISTORY (lk_loss_history_get_type ())

G_DECLARE_FINAL_TYPE (LkLossHistory, lk_loss_history, LK, LOSS_HISTORY, GObject)

/*
 * The losses of both identities by iteration, as the loss chart shows them:
 * the raw values, an exponential moving average of them ("smoothing", 0:
 * none, up to 0.999; debiased, so the first values are not pulled towards
 * zero), and the recent window the chart shows ("window" iterations up to
 * the newest one; 0: all).
 *
 * Points come from the database (lk_loss_history_set_points() with
 * lk_trainer_load_loss_history()) and then from the trainer's "losses"
 * signal (lk_loss_history_append()). Appended points whose iteration is not
 * above the newest one are dropped (a history loaded after the trainer
 * began may overlap what it then emits).
 *
 * "changed" is emitted after each change of the points, the smoothing or
 * the window.
 */

LkLossHistory     *lk_loss_history_new            (void);

void               lk_loss_history_set_points     (LkLossHistory     *self,
                                                   const LkLossPoint *points,
                                                   guint              n_points);
/* Returns how many of @points were added. */
guint              lk_loss_history_append         (LkLossHistory     *self,
                                                   const LkLossPoint *points,
                                                   guint              n_points);
void               lk_loss_history_clear          (LkLossHistory     *self);

guint              lk_loss_history_get_n_points   (LkLossHistory     *self);
const LkLossPoint *lk_loss_history_get_point      (LkLossHistory     *self,
                                                   guint              index);
/* The smoothed loss of @identity at @index. */
double             lk_loss_history_get_smoothed   (LkLossHistory     *self,
                                                   guint              index,
                                                   LkIdentity         identity);

double             lk_loss_history_get_smoothing  (LkLossHistory     *self);
void               lk_loss_history_set_smoothing  (LkLossHistory     *self,
                                                   double             smoothing);
gint64             lk_loss_history_get_window     (LkLossHistory     *self);
void               lk_loss_history_set_window     (LkLossHistory     *self,
                                                   gint64             window);

/* The points inside the window: indices [*first, *first + *n). FALSE when
 * there are none. */
gboolean           lk_loss_history_get_visible    (LkLossHistory     *self,
                                                   guint             *first,
                                                   guint             *n);
/* The range of iterations the window covers: the newest iteration minus
 * the window (or the first iteration) up to the newest. */
gboolean           lk_loss_history_get_iteration_range (LkLossHistory *self,
                                                        double        *min,
                                                        double        *max);
/* The smallest and largest positive loss (raw and smoothed, both
 * identities) inside the window. FALSE when there is none. */
gboolean           lk_loss_history_get_value_range (LkLossHistory    *self,
                                                    double           *min,
                                                    double           *max);

G_END_DECLS
