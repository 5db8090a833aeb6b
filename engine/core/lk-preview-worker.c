/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-preview-worker"

#include "config.h"

#include "lk-preview-worker.h"

#include "lk-job-runner.h"

/* What the worker shares with its runs on the job runner's pool. A run may
 * still be on its way out (unlocking, returning) when shutdown() has seen
 * it end and the object is finalized, so the run holds this, not the
 * object. */
typedef struct
{
  gatomicrefcount            ref;

  /* set at construction, read-only afterwards */
  LkPreviewWorkerFunc        func;
  GDestroyNotify             func_data_destroy;
  GDestroyNotify             request_free;
  GDestroyNotify             result_free;
  GMainContext              *context;
  LkPreviewWorker           *worker;          /* for the idle; not a reference */

  /* under mutex */
  GMutex                     mutex;
  GCond                      cond;
  gpointer                   func_data;       /* used by the one running run */
  gboolean                   quit;
  gboolean                   stopped;         /* func_data freed */
  guint64                    submitted;
  gpointer                   request;         /* the mailbox's one slot */
  guint64                    request_serial;
  LkJob                      *running;        /* the run that drains the mailbox */
  gpointer                   result;          /* waiting for delivery */
  GError                    *result_error;
  guint64                    result_serial;
  GSource                   *idle;
} Shared;

struct _LkPreviewWorker
{
  GObject                    parent_instance;

  Shared                    *shared;

  /* main context only */
  LkPreviewWorkerResultFunc  result_func;
  gpointer                   result_data;
  guint64                    delivered;
  gpointer                   delivering;
};

G_DEFINE_FINAL_TYPE (LkPreviewWorker, lk_preview_worker, G_TYPE_OBJECT)

static void
free_request (Shared   *shared,
              gpointer  request)
{
  if (request != NULL && shared->request_free != NULL)
    shared->request_free (request);
}

static void
free_result (Shared   *shared,
             gpointer  result)
{
  if (result != NULL && shared->result_free != NULL)
    shared->result_free (result);
}

static Shared *
shared_ref (Shared *shared)
{
  g_atomic_ref_count_inc (&shared->ref);
  return shared;
}

static void
shared_unref (Shared *shared)
{
  if (!g_atomic_ref_count_dec (&shared->ref))
    return;

  /* shutdown() freed the request, the result and func_data. */
  g_assert (shared->running == NULL);
  g_clear_pointer (&shared->context, g_main_context_unref);
  g_mutex_clear (&shared->mutex);
  g_cond_clear (&shared->cond);
  g_free (shared);
}

/* Main context: hands the waiting result to the callback. */
static gboolean
deliver_idle (gpointer user_data)
{
  LkPreviewWorker *self = user_data;
  Shared *shared = self->shared;
  g_autoptr(GError) error = NULL;
  gpointer result;
  guint64 serial;

  g_mutex_lock (&shared->mutex);
  result = g_steal_pointer (&shared->result);
  error = g_steal_pointer (&shared->result_error);
  serial = shared->result_serial;
  g_clear_pointer (&shared->idle, g_source_unref);
  g_mutex_unlock (&shared->mutex);

  if (result == NULL && error == NULL)
    return G_SOURCE_REMOVE;

  g_object_ref (self);
  self->delivered = serial;
  self->delivering = result;
  if (self->result_func != NULL)
    self->result_func (self, serial, result, error, self->result_data);
  free_result (shared, g_steal_pointer (&self->delivering));
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

/* A run on the job runner's pool: takes the newest request until the
 * mailbox is empty, so that requests submitted while one renders are not
 * each a run of their own, and one request runs at a time. On quit it
 * frees func_data, which only a run touches. */
static gboolean
drain_func (LkJob    *job,
            gpointer  data,
            GError  **error)
{
  Shared *shared = data;
  gpointer func_data = NULL;

  g_mutex_lock (&shared->mutex);
  g_assert (shared->running == job);
  while (!shared->quit && shared->request != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      gpointer request;
      gpointer result;
      guint64 serial;

      request = g_steal_pointer (&shared->request);
      serial = shared->request_serial;
      g_mutex_unlock (&shared->mutex);

      g_debug ("Request %" G_GUINT64_FORMAT " runs", serial);
      result = shared->func (request, shared->func_data, lk_job_get_cancellable (job),
                             &local_error);
      g_debug ("Request %" G_GUINT64_FORMAT " done: %s", serial,
               local_error != NULL ? local_error->message : "result");
      g_assert (result != NULL || local_error != NULL);
      free_request (shared, request);

      g_mutex_lock (&shared->mutex);
      if (shared->quit || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          free_result (shared, result);
          continue;
        }

      /* An older result nobody has seen yet is stale now. */
      free_result (shared, g_steal_pointer (&shared->result));
      g_clear_error (&shared->result_error);
      shared->result = result;
      shared->result_error = g_steal_pointer (&local_error);
      shared->result_serial = serial;

      if (shared->idle == NULL)
        {
          shared->idle = g_idle_source_new ();
          /* Ahead of redraws: a frame clock that is always busy (an
           * animation on a slow renderer) must not starve the results. */
          g_source_set_priority (shared->idle, G_PRIORITY_HIGH_IDLE);
          g_source_set_static_name (shared->idle, "[likeness] preview result");
          g_source_set_callback (shared->idle, deliver_idle, shared->worker, NULL);
          g_source_attach (shared->idle, shared->context);
        }
    }

  /* Still under the lock: a request submitted from now on starts a run of
   * its own. */
  if (!shared->quit)
    {
      g_clear_object (&shared->running);
      g_cond_broadcast (&shared->cond);
      g_mutex_unlock (&shared->mutex);
      return TRUE;
    }

  func_data = g_steal_pointer (&shared->func_data);
  g_mutex_unlock (&shared->mutex);

  if (shared->func_data_destroy != NULL && func_data != NULL)
    shared->func_data_destroy (func_data);

  g_mutex_lock (&shared->mutex);
  shared->stopped = TRUE;
  g_clear_object (&shared->running);
  g_cond_broadcast (&shared->cond);
  g_mutex_unlock (&shared->mutex);

  return TRUE;
}

/* Called with the mutex held and no run active. Preview frames are short
 * and interactive: untitled, ahead of other pooled work. */
static LkJob *
start_run_locked (Shared *shared)
{
  g_assert (shared->running == NULL);

  shared->running = lk_job_new (NULL);
  return g_object_ref (shared->running);
}

static void
start_run (Shared *shared,
           LkJob  *job)
{
  lk_job_run_pooled_async (job, G_PRIORITY_HIGH, NULL, drain_func, shared_ref (shared),
                           (GDestroyNotify) shared_unref, NULL, NULL);
}

LkPreviewWorker *
lk_preview_worker_new (LkPreviewWorkerFunc func,
                       gpointer            func_data,
                       GDestroyNotify      func_data_destroy,
                       GDestroyNotify      request_free,
                       GDestroyNotify      result_free)
{
  LkPreviewWorker *self;
  Shared *shared;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (LK_TYPE_PREVIEW_WORKER, NULL);
  shared = self->shared;
  shared->func = func;
  shared->func_data = func_data;
  shared->func_data_destroy = func_data_destroy;
  shared->request_free = request_free;
  shared->result_free = result_free;

  return self;
}

void
lk_preview_worker_set_result_func (LkPreviewWorker           *self,
                                   LkPreviewWorkerResultFunc  func,
                                   gpointer                   user_data)
{
  g_return_if_fail (LK_IS_PREVIEW_WORKER (self));

  self->result_func = func;
  self->result_data = user_data;
}

guint64
lk_preview_worker_submit (LkPreviewWorker *self,
                          gpointer         request)
{
  Shared *shared;
  g_autoptr(LkJob) start = NULL;
  gpointer stale;
  guint64 serial;

  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), 0);
  g_return_val_if_fail (request != NULL, 0);

  shared = self->shared;
  g_mutex_lock (&shared->mutex);
  if (shared->quit)
    {
      g_mutex_unlock (&shared->mutex);
      free_request (shared, request);
      return 0;
    }
  stale = g_steal_pointer (&shared->request);
  shared->request = request;
  serial = shared->request_serial = ++shared->submitted;
  /* A running run takes it when its current request is done. */
  if (shared->running == NULL)
    start = start_run_locked (shared);
  g_mutex_unlock (&shared->mutex);

  free_request (shared, stale);
  if (start != NULL)
    start_run (shared, start);

  return serial;
}

gboolean
lk_preview_worker_is_busy (LkPreviewWorker *self)
{
  Shared *shared;
  gboolean busy;

  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), FALSE);

  shared = self->shared;
  g_mutex_lock (&shared->mutex);
  busy = !shared->quit && (shared->request != NULL || shared->running != NULL ||
                           shared->idle != NULL);
  g_mutex_unlock (&shared->mutex);

  return busy;
}

guint64
lk_preview_worker_get_delivered (LkPreviewWorker *self)
{
  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), 0);

  return self->delivered;
}

gpointer
lk_preview_worker_steal_result (LkPreviewWorker *self)
{
  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), NULL);

  return g_steal_pointer (&self->delivering);
}

void
lk_preview_worker_wait (LkPreviewWorker *self)
{
  Shared *shared;

  g_return_if_fail (LK_IS_PREVIEW_WORKER (self));

  shared = self->shared;
  g_mutex_lock (&shared->mutex);
  while (!shared->quit && (shared->request != NULL || shared->running != NULL))
    g_cond_wait (&shared->cond, &shared->mutex);
  g_mutex_unlock (&shared->mutex);
}

void
lk_preview_worker_shutdown (LkPreviewWorker *self)
{
  Shared *shared;
  g_autoptr(LkJob) start = NULL;
  g_autoptr(LkJob) cancel = NULL;
  gpointer request;
  gpointer result;

  g_return_if_fail (LK_IS_PREVIEW_WORKER (self));

  shared = self->shared;
  g_mutex_lock (&shared->mutex);
  if (shared->quit)
    {
      g_mutex_unlock (&shared->mutex);
      return;
    }

  /* Quit first, then cancel: the running request must not be followed by
   * the waiting one. With no run active, one starts to free func_data
   * where the requests ran, off this thread. */
  shared->quit = TRUE;
  request = g_steal_pointer (&shared->request);
  if (shared->running != NULL)
    cancel = g_object_ref (shared->running);
  else
    start = start_run_locked (shared);
  g_mutex_unlock (&shared->mutex);

  /* Outside the lock: the cancel runs @func's cancel handlers. */
  if (cancel != NULL)
    lk_job_cancel (cancel);
  free_request (shared, request);
  if (start != NULL)
    start_run (shared, start);

  g_mutex_lock (&shared->mutex);
  while (!shared->stopped)
    g_cond_wait (&shared->cond, &shared->mutex);

  /* No run touches the idle or the result any more. */
  if (shared->idle != NULL)
    {
      g_source_destroy (shared->idle);
      g_clear_pointer (&shared->idle, g_source_unref);
    }
  result = g_steal_pointer (&shared->result);
  g_clear_error (&shared->result_error);
  g_mutex_unlock (&shared->mutex);

  free_result (shared, result);
}

static void
lk_preview_worker_dispose (GObject *object)
{
  LkPreviewWorker *self = LK_PREVIEW_WORKER (object);

  lk_preview_worker_shutdown (self);

  G_OBJECT_CLASS (lk_preview_worker_parent_class)->dispose (object);
}

static void
lk_preview_worker_finalize (GObject *object)
{
  LkPreviewWorker *self = LK_PREVIEW_WORKER (object);

  g_clear_pointer (&self->shared, shared_unref);

  G_OBJECT_CLASS (lk_preview_worker_parent_class)->finalize (object);
}

static void
lk_preview_worker_class_init (LkPreviewWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lk_preview_worker_dispose;
  object_class->finalize = lk_preview_worker_finalize;
}

static void
lk_preview_worker_init (LkPreviewWorker *self)
{
  Shared *shared = g_new0 (Shared, 1);

  g_atomic_ref_count_init (&shared->ref);
  g_mutex_init (&shared->mutex);
  g_cond_init (&shared->cond);
  shared->context = g_main_context_ref_thread_default ();
  shared->worker = self;
  self->shared = shared;
}
