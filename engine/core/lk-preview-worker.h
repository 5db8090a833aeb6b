/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LK_TYPE_PREVIEW_WORKER (lk_preview_worker_get_type ())

G_DECLARE_FINAL_TYPE (LkPreviewWorker, lk_preview_worker, LK, PREVIEW_WORKER, GObject)

/*
 * LkPreviewWorker: preview requests where the newest request wins, run
 * through the job runner (lk_job_run_pooled_async(), untitled: they are
 * interactive and short).
 *
 * Requests go into a single-slot mailbox: submitting while another request
 * waits replaces (and frees) the waiting one, which never runs. A run on
 * the runner's pool takes the newest request whenever it is free and ends
 * when the mailbox is empty, so while the user drags a slider the first
 * request runs at once and then always the latest, never a backlog.
 *
 * Results reach the main context (the thread-default context of the thread
 * that created the worker) through at most one pending idle: a result that
 * is ready while an older one still waits for delivery replaces it. So
 * results arrive in the order their requests were submitted, and stale
 * ones are dropped.
 *
 * @func runs on a runner thread, one request at a time and never two at
 * once; @func_data belongs to the runs (it may hold objects that must be
 * used from one thread at a time, such as an LkConvertPreview) and
 * @func_data_destroy runs on a runner thread when the worker shuts down.
 */

/* Runs on a runner thread. Returns the result (freed with @result_free)
 * or NULL with @error set. */
typedef gpointer (*LkPreviewWorkerFunc) (gpointer       request,
                                         gpointer       func_data,
                                         GCancellable  *cancellable,
                                         GError       **error);

/* Runs on the main context; @result is NULL when @error is set. @result
 * stays owned by the worker (freed after the call) unless stolen with
 * lk_preview_worker_steal_result() inside the callback. */
typedef void (*LkPreviewWorkerResultFunc) (LkPreviewWorker *worker,
                                           guint64          serial,
                                           gpointer         result,
                                           const GError    *error,
                                           gpointer         user_data);

LkPreviewWorker *lk_preview_worker_new             (LkPreviewWorkerFunc        func,
                                                    gpointer                   func_data,
                                                    GDestroyNotify             func_data_destroy,
                                                    GDestroyNotify             request_free,
                                                    GDestroyNotify             result_free);

void             lk_preview_worker_set_result_func (LkPreviewWorker           *self,
                                                    LkPreviewWorkerResultFunc  func,
                                                    gpointer                   user_data);

/* Takes @request. Returns its serial (1, 2, 3...). */
guint64          lk_preview_worker_submit          (LkPreviewWorker           *self,
                                                    gpointer                   request);

/* Whether a request waits or runs, or a result waits for delivery. */
gboolean         lk_preview_worker_is_busy         (LkPreviewWorker           *self);

/* The serial of the last result delivered (0 before the first). */
guint64          lk_preview_worker_get_delivered   (LkPreviewWorker           *self);

/* Inside the result callback: takes ownership of the result. */
gpointer         lk_preview_worker_steal_result    (LkPreviewWorker           *self);

/* Blocks until no request waits or runs (its result may still wait for
 * delivery). For tests and tools; the studio never blocks on it. */
void             lk_preview_worker_wait            (LkPreviewWorker           *self);

/* Cancels the running request, drops the waiting one and any undelivered
 * result, and waits until the last run has freed @func_data. Called by
 * dispose; nothing is delivered afterwards. */
void             lk_preview_worker_shutdown        (LkPreviewWorker           *self);

G_END_DECLS
