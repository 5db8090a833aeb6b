/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-job"

#include "config.h"

#include "lk-job-runner.h"
#include "lk-job-runner-private.h"

#include "lk-error.h"

/* The pool of lk_job_run_pooled_async(): a few threads, at least four so
 * that the thumbnailer's two loaders leave room for a preview frame on a
 * two-core machine, and no more than eight, as its work is short. */
#define POOL_MIN_THREADS 4
#define POOL_MAX_THREADS 8

typedef struct
{
  LkJob               *job;
  LkJobFunc            func;
  gpointer             data;
  GDestroyNotify       data_destroy;
  GAsyncReadyCallback  callback;
  gpointer             user_data;

  /* pooled runs only */
  int                  io_priority;
  guint64              queued;       /* order within one priority */
  GSource             *list_source;  /* lists a titled job after the delay */
} Run;

static void
run_free (Run *run)
{
  /* Destroyed in run_done(), on the caller's context, unless the task was
   * never completed. */
  if (run->list_source != NULL)
    {
      g_source_destroy (run->list_source);
      g_source_unref (run->list_source);
    }
  if (run->data_destroy != NULL && run->data != NULL)
    run->data_destroy (run->data);
  g_clear_object (&run->job);
  g_free (run);
}

GListModel *
lk_job_list_get_default (void)
{
  static GListStore *running;

  if (g_once_init_enter (&running))
    g_once_init_leave (&running, g_list_store_new (LK_TYPE_JOB));

  return G_LIST_MODEL (running);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  Run *run = task_data;
  GError *error = NULL;

  /* @func runs even when the job was cancelled before it started: it owns
   * what it must release (a busy flag, a lock) and polls the cancel. */
  if (run->func (run->job, run->data, &error))
    g_task_return_boolean (task, TRUE);
  else if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_new_error (task, LK_ERROR, LK_ERROR_FAILED, "%s failed",
                             lk_job_get_title (run->job) != NULL
                               ? lk_job_get_title (run->job) : "A job");
}

/* On the caller's context: out of the list, then the caller's callback. */
static void
run_done (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  Run *run = g_task_get_task_data (G_TASK (result));
  GListStore *list = G_LIST_STORE (lk_job_list_get_default ());
  guint position;

  /* Over before the delay: never listed. */
  if (run->list_source != NULL)
    {
      g_source_destroy (run->list_source);
      g_clear_pointer (&run->list_source, g_source_unref);
    }

  if (g_list_store_find (list, run->job, &position))
    g_list_store_remove (list, position);

  if (run->callback != NULL)
    run->callback (source_object, result, run->user_data);
}

static GTask *
run_task_new (LkJob               *job,
              gpointer             source_object,
              LkJobFunc            func,
              gpointer             data,
              GDestroyNotify       data_destroy,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task;
  Run *run;

  run = g_new0 (Run, 1);
  run->job = g_object_ref (job);
  run->func = func;
  run->data = data;
  run->data_destroy = data_destroy;
  run->callback = callback;
  run->user_data = user_data;

  task = g_task_new (source_object, lk_job_get_cancellable (job), run_done, NULL);
  g_task_set_source_tag (task, lk_job_run_async);
  g_task_set_name (task, lk_job_get_title (job) != NULL ? lk_job_get_title (job) : "[lk-job]");
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  /* What @func returned stands: it polls the cancellable itself, and work
   * finished before a late cancel is not reported as cancelled. */
  g_task_set_check_cancellable (task, FALSE);

  return task;
}

void
lk_job_run_async (LkJob               *job,
                  gpointer             source_object,
                  LkJobFunc            func,
                  gpointer             data,
                  GDestroyNotify       data_destroy,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LK_IS_JOB (job));
  g_return_if_fail (func != NULL);

  task = run_task_new (job, source_object, func, data, data_destroy, callback, user_data);

  if (lk_job_get_title (job) != NULL)
    g_list_store_append (G_LIST_STORE (lk_job_list_get_default ()), job);

  g_task_run_in_thread (task, run_thread);
}

static void
pool_thread (gpointer data,
             gpointer user_data)
{
  g_autoptr(GTask) task = data;

  run_thread (task, g_task_get_source_object (task), g_task_get_task_data (task),
              g_task_get_cancellable (task));
}

/* Lowest priority value first, then first queued. */
static int
pool_compare (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Run *ra = g_task_get_task_data ((GTask *) a);
  const Run *rb = g_task_get_task_data ((GTask *) b);

  if (ra->io_priority != rb->io_priority)
    return ra->io_priority < rb->io_priority ? -1 : 1;
  return ra->queued < rb->queued ? -1 : ra->queued > rb->queued ? 1 : 0;
}

guint
_lk_job_pool_get_max_threads (void)
{
  return CLAMP (g_get_num_processors (), POOL_MIN_THREADS, POOL_MAX_THREADS);
}

static GThreadPool *
pool_get (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      GThreadPool *new_pool;

      new_pool = g_thread_pool_new (pool_thread, NULL, _lk_job_pool_get_max_threads (),
                                    FALSE, NULL);
      g_thread_pool_set_sort_function (new_pool, pool_compare, NULL);
      g_once_init_leave (&pool, new_pool);
    }

  return pool;
}

static gboolean
list_after_delay_cb (gpointer user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  g_clear_pointer (&run->list_source, g_source_unref);
  g_list_store_append (G_LIST_STORE (lk_job_list_get_default ()), run->job);

  return G_SOURCE_REMOVE;
}

void
lk_job_run_pooled_async (LkJob               *job,
                         int                  io_priority,
                         gpointer             source_object,
                         LkJobFunc            func,
                         gpointer             data,
                         GDestroyNotify       data_destroy,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  static guint64 queued;
  g_autoptr(GMainContext) context = NULL;
  GTask *task;
  Run *run;

  g_return_if_fail (LK_IS_JOB (job));
  g_return_if_fail (func != NULL);

  task = run_task_new (job, source_object, func, data, data_destroy, callback, user_data);
  run = g_task_get_task_data (task);
  run->io_priority = io_priority;
  /* Only the caller's thread queues (see the threading note). */
  run->queued = ++queued;
  g_task_set_priority (task, io_priority);

  if (lk_job_get_title (job) != NULL)
    {
      /* The source does not hold the task: run_done() destroys it first. */
      context = g_main_context_ref_thread_default ();
      run->list_source = g_timeout_source_new (LK_JOB_LIST_DELAY_MS);
      g_source_set_static_name (run->list_source, "[lk-job-list-delay]");
      g_source_set_callback (run->list_source, list_after_delay_cb, task, NULL);
      g_source_attach (run->list_source, context);
    }

  /* The pool owns the reference until pool_thread() has run the job. */
  g_thread_pool_push (pool_get (), task, NULL);
}

gboolean
lk_job_run_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  /* Pooled runs carry the same tag: they finish the same way. */
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lk_job_run_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gpointer
lk_job_run_get_data (GAsyncResult *result)
{
  Run *run;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  run = g_task_get_task_data (G_TASK (result));
  return run != NULL ? run->data : NULL;
}

LkJob *
lk_job_run_get_job (GAsyncResult *result)
{
  Run *run;

  g_return_val_if_fail (G_IS_TASK (result), NULL);

  run = g_task_get_task_data (G_TASK (result));
  return run != NULL ? run->job : NULL;
}
