/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LK_TYPE_JOB (lk_job_get_type ())

G_DECLARE_FINAL_TYPE (LkJob, lk_job, LK, JOB, GObject)

/**
 * LkJobProgressFunc:
 * Called on the worker thread after each progress update. Return %FALSE to
 * cancel the job (the CLI uses this for its terminal line and for Ctrl+C).
 */
typedef gboolean (*LkJobProgressFunc) (LkJob    *job,
                                       gpointer  user_data);

/*
 * Threading contract: a job is created on the thread whose main context will
 * receive property notifications (the GTK thread in the studio). The worker
 * calls lk_job_update() and lk_job_set_figure() from any thread; values are
 * stored under a mutex and at most one low-priority idle is pending on the
 * creating context, which then emits notify for "fraction", "message" and
 * "figures-changed". Getters may be called from any thread.
 */
LkJob        *lk_job_new                 (const char        *title);
const char   *lk_job_get_title           (LkJob             *self);
GCancellable *lk_job_get_cancellable     (LkJob             *self);
void          lk_job_cancel              (LkJob             *self);
gboolean      lk_job_is_cancelled        (LkJob             *self);
gboolean      lk_job_set_error_if_cancelled (LkJob          *self,
                                             GError        **error);
void          lk_job_set_progress_func   (LkJob             *self,
                                          LkJobProgressFunc  func,
                                          gpointer           user_data,
                                          GDestroyNotify     destroy);

/* Worker side. */
void          lk_job_update              (LkJob             *self,
                                          double             fraction,
                                          const char        *format,
                                          ...) G_GNUC_PRINTF (3, 4);
void          lk_job_set_figure          (LkJob             *self,
                                          const char        *name,
                                          double             value);

/* Reader side. */
double        lk_job_get_fraction        (LkJob             *self);
char         *lk_job_dup_message         (LkJob             *self);
double        lk_job_get_figure          (LkJob             *self,
                                          const char        *name);
double        lk_job_get_elapsed         (LkJob             *self);
double        lk_job_get_remaining       (LkJob             *self);

/* A NULL job is allowed everywhere the engine takes one; these helpers let
 * callees report without checking. */
#define LK_JOB_UPDATE(job, fraction, ...) \
  G_STMT_START { if ((job) != NULL) lk_job_update ((job), (fraction), __VA_ARGS__); } G_STMT_END

G_END_DECLS
