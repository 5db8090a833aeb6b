/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-job"

#include "config.h"

#include "lk-job-runner.h"

#include "lk-error.h"

typedef struct
{
  LkJob               *job;
  LkJobFunc            func;
  gpointer             data;
  GDestroyNotify       data_destroy;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
} Run;

static void
run_free (Run *run)
{
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

  if (g_list_store_find (list, run->job, &position))
    g_list_store_remove (list, position);

  if (run->callback != NULL)
    run->callback (source_object, result, run->user_data);
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
  Run *run;

  g_return_if_fail (LK_IS_JOB (job));
  g_return_if_fail (func != NULL);

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

  if (lk_job_get_title (job) != NULL)
    g_list_store_append (G_LIST_STORE (lk_job_list_get_default ()), job);

  g_task_run_in_thread (task, run_thread);
}

gboolean
lk_job_run_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
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
