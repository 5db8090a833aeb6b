/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-job.h"

G_BEGIN_DECLS

/*
 * The one way the studio runs long work (extraction, the curation pass,
 * export, verification, loads): lk_job_run_async() owns the worker thread;
 * the LkJob carries the cancellable and the progress; the result is typed —
 * @func stores it in @data (its own struct), which the caller reads back with
 * lk_job_run_get_data() after lk_job_run_finish().
 *
 * While it runs, a job with a title is in lk_job_list_get_default(), the
 * list of running jobs that the studio shows as its operations list (with
 * progress and cancel). A job without a title (a short load behind a
 * widget) is run the same way but not listed.
 *
 * Threading: call lk_job_run_async(), lk_job_run_pooled_async(),
 * lk_job_list_get_default() and use the list on the thread that runs the
 * default main context (the GTK thread); @func runs on a worker thread and
 * must poll the job's cancellable.
 */

/* Runs on the worker, always (also when the job was cancelled before it
 * started; it polls the cancel). FALSE with @error set on failure (a
 * cancel: G_IO_ERROR_CANCELLED). What it returns is the result, even if a
 * cancel came after it finished. */
typedef gboolean (*LkJobFunc) (LkJob     *job,
                               gpointer   data,
                               GError   **error);

void        lk_job_run_async        (LkJob               *job,
                                     gpointer             source_object,
                                     LkJobFunc            func,
                                     gpointer             data,
                                     GDestroyNotify       data_destroy,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean    lk_job_run_finish       (GAsyncResult        *result,
                                     GError             **error);
/* The @data and the job given to lk_job_run_async() (owned by @result). */
gpointer    lk_job_run_get_data     (GAsyncResult        *result);
LkJob      *lk_job_run_get_job      (GAsyncResult        *result);

/*
 * Pooled jobs: short work that comes in bursts behind a widget (thumbnails,
 * preview frames) runs on one small pool of threads shared by the whole
 * process, not on a thread of its own, so that a burst of requests starts
 * no burst of threads. Runs that wait for a thread start lowest
 * @io_priority first (G_PRIORITY_HIGH before G_PRIORITY_DEFAULT, as in
 * GIO), and in the order they were queued within one priority.
 *
 * A pooled @func returns within a fraction of a second, or works through a
 * queue of such items and returns when it is empty: long work (extraction,
 * training, export) goes to lk_job_run_async(), where it holds no pool
 * thread that a thumbnail or a preview frame waits for.
 *
 * A titled pooled job enters the list of running jobs only after it has
 * been waiting or running for LK_JOB_LIST_DELAY_MS: a burst that is over
 * sooner would only flicker in the operations list. It leaves the list as
 * any job does. Finish, data and job as for lk_job_run_async().
 */
#define LK_JOB_LIST_DELAY_MS 500

void        lk_job_run_pooled_async (LkJob               *job,
                                     int                  io_priority,
                                     gpointer             source_object,
                                     LkJobFunc            func,
                                     gpointer             data,
                                     GDestroyNotify       data_destroy,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);

/* The running jobs that have a title, oldest first: a GListModel of
 * LkJob. A job leaves it just before its callback runs. */
GListModel *lk_job_list_get_default (void);

G_END_DECLS
