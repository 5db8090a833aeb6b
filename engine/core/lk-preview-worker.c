/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-preview-worker"

#include "config.h"

#include "lk-preview-worker.h"

struct _LkPreviewWorker
{
  GObject                    parent_instance;

  /* set at construction, read-only afterwards */
  LkPreviewWorkerFunc        func;
  gpointer                   func_data;
  GDestroyNotify             func_data_destroy;
  GDestroyNotify             request_free;
  GDestroyNotify             result_free;
  GMainContext              *context;
  GCancellable              *cancellable;
  GThread                   *thread;

  /* main context only */
  LkPreviewWorkerResultFunc  result_func;
  gpointer                   result_data;
  guint64                    delivered;
  gpointer                   delivering;

  /* under mutex */
  GMutex                     mutex;
  GCond                      cond;
  gboolean                   quit;
  guint64                    submitted;
  gpointer                   request;         /* the mailbox's one slot */
  guint64                    request_serial;
  gboolean                   running;
  gpointer                   result;          /* waiting for delivery */
  GError                    *result_error;
  guint64                    result_serial;
  GSource                   *idle;
};

G_DEFINE_FINAL_TYPE (LkPreviewWorker, lk_preview_worker, G_TYPE_OBJECT)

static void
free_request (LkPreviewWorker *self,
              gpointer         request)
{
  if (request != NULL && self->request_free != NULL)
    self->request_free (request);
}

static void
free_result (LkPreviewWorker *self,
             gpointer         result)
{
  if (result != NULL && self->result_free != NULL)
    self->result_free (result);
}

/* Main context: hands the waiting result to the callback. */
static gboolean
deliver_idle (gpointer user_data)
{
  LkPreviewWorker *self = user_data;
  g_autoptr(GError) error = NULL;
  gpointer result;
  guint64 serial;

  g_mutex_lock (&self->mutex);
  result = g_steal_pointer (&self->result);
  error = g_steal_pointer (&self->result_error);
  serial = self->result_serial;
  g_clear_pointer (&self->idle, g_source_unref);
  g_mutex_unlock (&self->mutex);

  if (result == NULL && error == NULL)
    return G_SOURCE_REMOVE;

  g_object_ref (self);
  self->delivered = serial;
  self->delivering = result;
  if (self->result_func != NULL)
    self->result_func (self, serial, result, error, self->result_data);
  free_result (self, g_steal_pointer (&self->delivering));
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer user_data)
{
  LkPreviewWorker *self = user_data;

  g_mutex_lock (&self->mutex);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gpointer request;
      gpointer result;
      guint64 serial;

      while (!self->quit && self->request == NULL)
        g_cond_wait (&self->cond, &self->mutex);
      if (self->quit)
        break;

      request = g_steal_pointer (&self->request);
      serial = self->request_serial;
      self->running = TRUE;
      g_mutex_unlock (&self->mutex);

      g_debug ("Request %" G_GUINT64_FORMAT " runs", serial);
      result = self->func (request, self->func_data, self->cancellable, &error);
      g_debug ("Request %" G_GUINT64_FORMAT " done: %s", serial,
               error != NULL ? error->message : "result");
      g_assert (result != NULL || error != NULL);
      free_request (self, request);

      g_mutex_lock (&self->mutex);
      self->running = FALSE;
      g_cond_broadcast (&self->cond);

      if (self->quit || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          free_result (self, result);
          continue;
        }

      /* An older result nobody has seen yet is stale now. */
      free_result (self, g_steal_pointer (&self->result));
      g_clear_error (&self->result_error);
      self->result = result;
      self->result_error = g_steal_pointer (&error);
      self->result_serial = serial;

      if (self->idle == NULL)
        {
          self->idle = g_idle_source_new ();
          /* Ahead of redraws: a frame clock that is always busy (an
           * animation on a slow renderer) must not starve the results. */
          g_source_set_priority (self->idle, G_PRIORITY_HIGH_IDLE);
          g_source_set_static_name (self->idle, "[likeness] preview result");
          g_source_set_callback (self->idle, deliver_idle, self, NULL);
          g_source_attach (self->idle, self->context);
        }
    }
  g_mutex_unlock (&self->mutex);

  if (self->func_data_destroy != NULL)
    self->func_data_destroy (g_steal_pointer (&self->func_data));

  return NULL;
}

LkPreviewWorker *
lk_preview_worker_new (LkPreviewWorkerFunc func,
                       gpointer            func_data,
                       GDestroyNotify      func_data_destroy,
                       GDestroyNotify      request_free,
                       GDestroyNotify      result_free)
{
  LkPreviewWorker *self;

  g_return_val_if_fail (func != NULL, NULL);

  self = g_object_new (LK_TYPE_PREVIEW_WORKER, NULL);
  self->func = func;
  self->func_data = func_data;
  self->func_data_destroy = func_data_destroy;
  self->request_free = request_free;
  self->result_free = result_free;
  self->thread = g_thread_new ("lk-preview", worker_thread, self);

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
  gpointer stale;
  guint64 serial;

  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), 0);
  g_return_val_if_fail (request != NULL, 0);

  g_mutex_lock (&self->mutex);
  if (self->quit)
    {
      g_mutex_unlock (&self->mutex);
      free_request (self, request);
      return 0;
    }
  stale = g_steal_pointer (&self->request);
  self->request = request;
  serial = self->request_serial = ++self->submitted;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  free_request (self, stale);

  return serial;
}

gboolean
lk_preview_worker_is_busy (LkPreviewWorker *self)
{
  gboolean busy;

  g_return_val_if_fail (LK_IS_PREVIEW_WORKER (self), FALSE);

  g_mutex_lock (&self->mutex);
  busy = self->request != NULL || self->running || self->idle != NULL;
  g_mutex_unlock (&self->mutex);

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
  g_return_if_fail (LK_IS_PREVIEW_WORKER (self));

  g_mutex_lock (&self->mutex);
  while (!self->quit && (self->request != NULL || self->running))
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
}

void
lk_preview_worker_shutdown (LkPreviewWorker *self)
{
  gpointer request;
  gpointer result;

  g_return_if_fail (LK_IS_PREVIEW_WORKER (self));

  if (self->thread == NULL)
    return;

  /* Quit first, then cancel: the running job must not be followed by the
   * waiting one. */
  g_mutex_lock (&self->mutex);
  self->quit = TRUE;
  request = g_steal_pointer (&self->request);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_cancellable_cancel (self->cancellable);

  free_request (self, request);
  g_thread_join (g_steal_pointer (&self->thread));

  /* The thread is gone: no lock needed any more. */
  if (self->idle != NULL)
    {
      g_source_destroy (self->idle);
      g_clear_pointer (&self->idle, g_source_unref);
    }
  result = g_steal_pointer (&self->result);
  free_result (self, result);
  g_clear_error (&self->result_error);
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

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

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
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
}
