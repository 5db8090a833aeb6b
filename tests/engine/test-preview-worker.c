/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>

#include "lk-preview-worker.h"

/* The Masks page's preview worker, without a display: the newest request
 * wins, stale requests never run, results arrive in order through the main
 * context and undelivered stale results are dropped. The fake job is held
 * at a gate instead of sleeping, so nothing here depends on timing. */

typedef struct
{
  GMutex    mutex;
  GCond     cond;
  gboolean  gate_open;     /* the job for request 1 waits until this is set */
  gboolean  hold_first;
  GArray   *ran;           /* guint: request values, in the order they ran */
  GArray   *delivered;     /* guint64: serials, in the order they arrived */
  GArray   *results;       /* guint: result values, in the order they arrived */
  guint     requests_freed;
  guint     results_freed;
  guint     errors;
  gboolean  data_freed;
  GThread  *data_freed_on;
  GThread  *main_thread;
  GThread  *ran_on;
} Fixture;

typedef struct
{
  Fixture *fixture;
  guint    value;
  gboolean fail;
} Request;

typedef struct
{
  Fixture *fixture;
  guint    value;
} Result;

static void
request_free (gpointer data)
{
  Request *request = data;

  g_mutex_lock (&request->fixture->mutex);
  request->fixture->requests_freed++;
  g_mutex_unlock (&request->fixture->mutex);
  g_free (request);
}

static void
result_free (gpointer data)
{
  Result *result = data;

  g_mutex_lock (&result->fixture->mutex);
  result->fixture->results_freed++;
  g_mutex_unlock (&result->fixture->mutex);
  g_free (result);
}

static void
data_free (gpointer data)
{
  Fixture *fixture = data;

  g_mutex_lock (&fixture->mutex);
  fixture->data_freed = TRUE;
  fixture->data_freed_on = g_thread_self ();
  g_mutex_unlock (&fixture->mutex);
}

static void
wake_cb (GCancellable *cancellable,
         gpointer      user_data)
{
  Fixture *fixture = user_data;

  g_mutex_lock (&fixture->mutex);
  g_cond_broadcast (&fixture->cond);
  g_mutex_unlock (&fixture->mutex);
}

/* The slow job: request 1 waits at the gate (when asked to), so that the
 * test can submit many more while it runs; a cancel lets it go. */
static gpointer
fake_job (gpointer       data,
          gpointer       func_data,
          GCancellable  *cancellable,
          GError       **error)
{
  Request *request = data;
  Fixture *fixture = func_data;
  Result *result;
  gulong handler;

  g_assert_true (fixture == request->fixture);

  handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_cb), fixture, NULL);
  g_mutex_lock (&fixture->mutex);
  g_array_append_val (fixture->ran, request->value);
  fixture->ran_on = g_thread_self ();
  g_cond_broadcast (&fixture->cond);
  while (fixture->hold_first && request->value == 1 && !fixture->gate_open &&
         !g_cancellable_is_cancelled (cancellable))
    g_cond_wait (&fixture->cond, &fixture->mutex);
  g_mutex_unlock (&fixture->mutex);
  g_cancellable_disconnect (cancellable, handler);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  if (request->fail)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "request %u failed",
                   request->value);
      return NULL;
    }

  result = g_new0 (Result, 1);
  result->fixture = fixture;
  result->value = request->value * 10;
  return result;
}

static void
result_cb (LkPreviewWorker *worker,
           guint64          serial,
           gpointer         data,
           const GError    *error,
           gpointer         user_data)
{
  Fixture *fixture = user_data;
  Result *result = data;

  g_assert_true (g_thread_self () == fixture->main_thread);
  g_array_append_val (fixture->delivered, serial);
  if (error != NULL)
    {
      g_assert_null (result);
      fixture->errors++;
      return;
    }
  g_assert_nonnull (result);
  g_array_append_val (fixture->results, result->value);
}

static Request *
request_new (Fixture *fixture,
             guint    value)
{
  Request *request = g_new0 (Request, 1);

  request->fixture = fixture;
  request->value = value;
  return request;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_mutex_init (&fixture->mutex);
  g_cond_init (&fixture->cond);
  fixture->ran = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->delivered = g_array_new (FALSE, FALSE, sizeof (guint64));
  fixture->results = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->main_thread = g_thread_self ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_array_unref (fixture->ran);
  g_array_unref (fixture->delivered);
  g_array_unref (fixture->results);
  g_mutex_clear (&fixture->mutex);
  g_cond_clear (&fixture->cond);
}

static LkPreviewWorker *
worker_new (Fixture *fixture)
{
  LkPreviewWorker *worker = lk_preview_worker_new (fake_job, fixture, data_free,
                                                   request_free, result_free);

  lk_preview_worker_set_result_func (worker, result_cb, fixture);
  return worker;
}

static void
wait_until_ran (Fixture *fixture,
                guint    n)
{
  g_mutex_lock (&fixture->mutex);
  while (fixture->ran->len < n)
    g_cond_wait (&fixture->cond, &fixture->mutex);
  g_mutex_unlock (&fixture->mutex);
}

static void
iterate_until_delivered (LkPreviewWorker *worker,
                         guint64          serial)
{
  while (lk_preview_worker_get_delivered (worker) < serial)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_newest_wins (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(LkPreviewWorker) worker = worker_new (fixture);
  const guint n = 50;
  guint64 last = 0;

  fixture->hold_first = TRUE;

  /* Request 1 starts and waits at the gate; 2..n pile up in the mailbox. */
  g_assert_cmpuint (lk_preview_worker_submit (worker, request_new (fixture, 1)), ==, 1);
  wait_until_ran (fixture, 1);
  for (guint i = 2; i <= n; i++)
    last = lk_preview_worker_submit (worker, request_new (fixture, i));
  g_assert_cmpuint (last, ==, n);
  g_assert_true (lk_preview_worker_is_busy (worker));

  /* The replaced requests were freed at once, without running. */
  g_mutex_lock (&fixture->mutex);
  g_assert_cmpuint (fixture->requests_freed, ==, n - 2);
  fixture->gate_open = TRUE;
  g_cond_broadcast (&fixture->cond);
  g_mutex_unlock (&fixture->mutex);

  iterate_until_delivered (worker, n);
  lk_preview_worker_wait (worker);

  /* Only the first and the last ran, on the worker thread. */
  g_assert_cmpuint (fixture->ran->len, ==, 2);
  g_assert_cmpuint (g_array_index (fixture->ran, guint, 0), ==, 1);
  g_assert_cmpuint (g_array_index (fixture->ran, guint, 1), ==, n);
  g_assert_true (fixture->ran_on != fixture->main_thread);

  /* Results in order, ending with the newest; each belongs to its serial. */
  g_assert_cmpuint (fixture->delivered->len, >=, 1);
  g_assert_cmpuint (fixture->delivered->len, <=, 2);
  for (guint i = 1; i < fixture->delivered->len; i++)
    g_assert_cmpuint (g_array_index (fixture->delivered, guint64, i - 1), <,
                      g_array_index (fixture->delivered, guint64, i));
  for (guint i = 0; i < fixture->results->len; i++)
    g_assert_cmpuint (g_array_index (fixture->results, guint, i), ==,
                      g_array_index (fixture->delivered, guint64, i) * 10);
  g_assert_cmpuint (g_array_index (fixture->results, guint, fixture->results->len - 1), ==,
                    n * 10);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_false (lk_preview_worker_is_busy (worker));

  /* Every request and result freed once; the job's data where the
   * requests ran, on a runner thread. */
  g_clear_object (&worker);
  g_assert_cmpuint (fixture->requests_freed, ==, n);
  g_assert_cmpuint (fixture->results_freed, ==, 2);
  g_assert_true (fixture->data_freed);
  g_assert_true (fixture->data_freed_on != fixture->main_thread);
}

/* Results that are ready while the main context is busy: only the newest is
 * delivered, through one idle. */
static void
test_stale_results_dropped (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(LkPreviewWorker) worker = worker_new (fixture);

  for (guint i = 1; i <= 5; i++)
    {
      lk_preview_worker_submit (worker, request_new (fixture, i));
      lk_preview_worker_wait (worker);
    }

  /* All five ran (each was the newest when the worker was free)... */
  g_assert_cmpuint (fixture->ran->len, ==, 5);
  g_assert_cmpuint (fixture->delivered->len, ==, 0);
  g_assert_true (lk_preview_worker_is_busy (worker));

  /* ...but only the last result reaches the main context. */
  iterate_until_delivered (worker, 5);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->delivered->len, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->delivered, guint64, 0), ==, 5);
  g_assert_cmpuint (g_array_index (fixture->results, guint, 0), ==, 50);
  g_assert_cmpuint (fixture->results_freed, ==, 5);
  g_assert_false (lk_preview_worker_is_busy (worker));
}

static void
test_errors (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(LkPreviewWorker) worker = worker_new (fixture);
  Request *request = request_new (fixture, 7);

  request->fail = TRUE;
  lk_preview_worker_submit (worker, request);
  iterate_until_delivered (worker, 1);
  g_assert_cmpuint (fixture->errors, ==, 1);
  g_assert_cmpuint (fixture->results->len, ==, 0);

  /* The worker goes on after a failure. */
  lk_preview_worker_submit (worker, request_new (fixture, 8));
  iterate_until_delivered (worker, 2);
  g_assert_cmpuint (fixture->results->len, ==, 1);
  g_assert_cmpuint (g_array_index (fixture->results, guint, 0), ==, 80);
}

/* Shutting down while a request runs, another waits and a result is
 * undelivered: the running one is cancelled, nothing is delivered later and
 * everything is freed. */
static void
test_shutdown (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(LkPreviewWorker) worker = worker_new (fixture);

  fixture->hold_first = TRUE;
  lk_preview_worker_submit (worker, request_new (fixture, 1));
  wait_until_ran (fixture, 1);
  lk_preview_worker_submit (worker, request_new (fixture, 2));
  lk_preview_worker_submit (worker, request_new (fixture, 3));

  lk_preview_worker_shutdown (worker);
  g_assert_true (fixture->data_freed);
  g_assert_cmpuint (fixture->requests_freed, ==, 3);
  g_assert_cmpuint (fixture->ran->len, ==, 1);
  g_assert_cmpuint (fixture->results_freed, ==, 0);

  /* Submitting after shutdown frees the request and runs nothing. */
  g_assert_cmpuint (lk_preview_worker_submit (worker, request_new (fixture, 4)), ==, 0);
  g_assert_cmpuint (fixture->requests_freed, ==, 4);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->delivered->len, ==, 0);
  g_assert_false (lk_preview_worker_is_busy (worker));
}

/* A result stolen in the callback is the caller's to free. */
static void
steal_cb (LkPreviewWorker *worker,
          guint64          serial,
          gpointer         data,
          const GError    *error,
          gpointer         user_data)
{
  Result **out = user_data;

  *out = lk_preview_worker_steal_result (worker);
  g_assert_true (*out == data);
}

static void
test_steal (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(LkPreviewWorker) worker = worker_new (fixture);
  Result *stolen = NULL;

  lk_preview_worker_set_result_func (worker, steal_cb, &stolen);
  lk_preview_worker_submit (worker, request_new (fixture, 3));
  iterate_until_delivered (worker, 1);
  g_assert_nonnull (stolen);
  g_assert_cmpuint (stolen->value, ==, 30);
  g_assert_cmpuint (fixture->results_freed, ==, 0);
  result_free (stolen);
  g_assert_cmpuint (fixture->results_freed, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/engine/core/preview-worker/newest-wins", Fixture, NULL,
              fixture_set_up, test_newest_wins, fixture_tear_down);
  g_test_add ("/engine/core/preview-worker/stale-results-dropped", Fixture, NULL,
              fixture_set_up, test_stale_results_dropped, fixture_tear_down);
  g_test_add ("/engine/core/preview-worker/errors", Fixture, NULL,
              fixture_set_up, test_errors, fixture_tear_down);
  g_test_add ("/engine/core/preview-worker/shutdown", Fixture, NULL,
              fixture_set_up, test_shutdown, fixture_tear_down);
  g_test_add ("/engine/core/preview-worker/steal", Fixture, NULL,
              fixture_set_up, test_steal, fixture_tear_down);

  return g_test_run ();
}
