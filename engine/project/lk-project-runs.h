/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-project.h"

G_BEGIN_DECLS

/* Training runs and the loss history: a training_runs row per run (start,
 * device, configuration, iterations) and a losses row per recorded
 * iteration. */

/**
 * LkLossPoint:
 * One row of the loss history.
 */
typedef struct
{
  gint64  iteration;
  double  elapsed;   /* seconds of training of this model up to this point */
  float   loss_a;
  float   loss_b;
} LkLossPoint;

/* Opens a run that resumes the model at @first_iteration, in one
 * transaction: the loss rows after @first_iteration (training that was lost,
 * or that of a model set aside) go, and a training_runs row is added.
 * @elapsed_base (optional) gets the training time recorded at or before
 * @first_iteration (0 without). Returns the run's id, or -1 with @error. */
gint64     lk_project_begin_run          (LkProject          *self,
                                          const char         *device,
                                          const char         *config_json,
                                          gint64              first_iteration,
                                          double             *elapsed_base,
                                          GError            **error);

/* Stores @n loss rows of run @run_id (a row of an iteration already stored
 * is replaced), with @extras[i] (JSON, or NULL; @extras may be NULL) beside
 * them, and moves the run's last iteration to @last_iteration; @ended also
 * marks the run's end. One transaction: all or nothing. */
gboolean   lk_project_add_losses         (LkProject          *self,
                                          gint64              run_id,
                                          const LkLossPoint  *points,
                                          const char * const *extras,
                                          guint               n,
                                          gint64              last_iteration,
                                          gboolean            ended,
                                          GError            **error);

/* The loss history of the current model, one point per iteration (the
 * newest run's where there are more), by iteration. Element type
 * LkLossPoint; (transfer full). */
GArray    *lk_project_load_loss_history  (LkProject          *self,
                                          GError            **error);

G_END_DECLS
