/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The job runner: typed results through the caller's data, errors, cancel
 * through the list of running jobs, untitled jobs left out of the list,
 * progress reaching the caller's context; pooled jobs: a bounded pool that
 * starts the most urgent waiting run first, titled ones listed late. */
#include "config.h"

#include "lk-error.h"
#include "lk-job-runner.h"
#include "lk-job-runner-private.h"

typedef struct
{
  int       steps;
  int       done;      /* the typed result: written by the worker */
  GMutex    mutex;
  GCond     cond;
  gboolean  started;
  gboolean  fail;
} Work;

static void
work_free (Work *w)
{
  g_mutex_clear (&w->mutex);
  g_cond_clear (&w->cond);
  g_free (w);
}

static Work *
work_new (int steps)
{
  Work *w = g_new0 (Work, 1);

  w->steps = steps;
  g_mutex_init (&w->mutex);
  g_cond_init (&w->cond);
  return w;
}

/* Counts to @steps, reporting each; waits 2 ms a step; stops on cancel. */
static gboolean
count_func (LkJob    *job,
            gpointer  data,
            GError  **error)
{
  Work *w = data;

  g_mutex_lock (&w->mutex);
  w->started = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->mutex);

  for (int i = 0; i < w->steps; i++)
    {
      if (lk_job_set_error_if_cancelled (job, error))
        return FALSE;
      g_usleep (2000);
      w->done = i + 1;
      lk_job_update (job, (double) (i + 1) / w->steps, "step %d", i + 1);
    }
  if (w->fail)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT, "failed on purpose after %d", w->done);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GAsyncResult *result;
  guint         listed_in_callback;
} Done;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Done *d = user_data;

  d->result = g_object_ref (result);
  d->listed_in_callback = g_list_model_get_n_items (lk_job_list_get_default ());
}

static void
wait_done (Done *d)
{
  while (d->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_result (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Counting");
  g_autoptr(GError) error = NULL;
  g_autoptr(GObject) source = g_object_new (G_TYPE_OBJECT, NULL);
  Done d = { 0 };
  Work *w = work_new (20);
  double last_fraction = -1;

  lk_job_run_async (job, source, count_func, w, (GDestroyNotify) work_free, done_cb, &d);
  /* Listed from the start, with its title. */
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 1);
  {
    g_autoptr(LkJob) listed = g_list_model_get_item (lk_job_list_get_default (), 0);

    g_assert_true (listed == job);
    g_assert_cmpstr (lk_job_get_title (listed), ==, "Counting");
  }
  wait_done (&d);
  last_fraction = lk_job_get_fraction (job);

  g_assert_true (lk_job_run_finish (d.result, &error));
  g_assert_no_error (error);
  g_assert_true (lk_job_run_get_job (d.result) == job);
  g_assert_cmpint (((Work *) lk_job_run_get_data (d.result))->done, ==, 20);
  g_assert_cmpfloat (last_fraction, ==, 1.0);
  /* Out of the list before the callback ran. */
  g_assert_cmpuint (d.listed_in_callback, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_object_unref (d.result);
}

static void
test_error (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Failing");
  g_autoptr(GError) error = NULL;
  Done d = { 0 };
  Work *w = work_new (3);

  w->fail = TRUE;
  lk_job_run_async (job, NULL, count_func, w, (GDestroyNotify) work_free, done_cb, &d);
  wait_done (&d);
  g_assert_false (lk_job_run_finish (d.result, &error));
  g_assert_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "failed on purpose after 3");
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_object_unref (d.result);
}

/* What the operations list's cancel button does: cancel the listed job. */
static void
test_cancel_from_list (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Long");
  g_autoptr(GError) error = NULL;
  Done d = { 0 };
  Work *w = work_new (100000);

  lk_job_run_async (job, NULL, count_func, w, NULL, done_cb, &d);
  g_mutex_lock (&w->mutex);
  while (!w->started)
    g_cond_wait (&w->cond, &w->mutex);
  g_mutex_unlock (&w->mutex);
  {
    g_autoptr(LkJob) listed = g_list_model_get_item (lk_job_list_get_default (), 0);

    lk_job_cancel (listed);
  }
  wait_done (&d);
  g_assert_false (lk_job_run_finish (d.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (w->done, <, 100000);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_object_unref (d.result);
  work_free (w);
}

/* A job cancelled before it starts still runs its function (which owns
 * what it must release) and ends cancelled. */
static void
test_cancelled_before_start (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Cancelled early");
  g_autoptr(GError) error = NULL;
  Done d = { 0 };
  Work *w = work_new (10);

  lk_job_cancel (job);
  lk_job_run_async (job, NULL, count_func, w, (GDestroyNotify) work_free, done_cb, &d);
  wait_done (&d);
  g_assert_true (((Work *) lk_job_run_get_data (d.result))->started);
  g_assert_cmpint (((Work *) lk_job_run_get_data (d.result))->done, ==, 0);
  g_assert_false (lk_job_run_finish (d.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_object_unref (d.result);
}

/* A job without a title runs the same way, unlisted. */
static void
test_untitled (void)
{
  g_autoptr(LkJob) job = lk_job_new (NULL);
  g_autoptr(GError) error = NULL;
  Done d = { 0 };
  Work *w = work_new (5);

  lk_job_run_async (job, NULL, count_func, w, (GDestroyNotify) work_free, done_cb, &d);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  wait_done (&d);
  g_assert_true (lk_job_run_finish (d.result, &error));
  g_assert_cmpint (((Work *) lk_job_run_get_data (d.result))->done, ==, 5);
  g_object_unref (d.result);
}

/* Progress is notified on the caller's context, and the list changes there. */
static void
notified_cb (GObject    *object,
             GParamSpec *pspec,
             gpointer    user_data)
{
  GThread **thread = user_data;

  *thread = g_thread_self ();
}

static void
items_changed_cb (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  gpointer    user_data)
{
  int *changes = user_data;

  *changes += 1;
}

static void
test_progress_on_caller (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Notifying");
  GThread *notified_on = NULL;
  Done d = { 0 };
  Work *w = work_new (10);
  int changes = 0;
  gulong id;

  g_signal_connect (job, "notify::fraction", G_CALLBACK (notified_cb), &notified_on);
  id = g_signal_connect (lk_job_list_get_default (), "items-changed",
                         G_CALLBACK (items_changed_cb), &changes);
  lk_job_run_async (job, NULL, count_func, w, (GDestroyNotify) work_free, done_cb, &d);
  wait_done (&d);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (notified_on == g_thread_self ());
  g_assert_cmpint (changes, ==, 2);  /* added, removed */
  g_signal_handler_disconnect (lk_job_list_get_default (), id);
  g_assert_true (lk_job_run_finish (d.result, NULL));
  g_object_unref (d.result);
}

/* Pooled runs: blockers hold the pool's threads at their gates; probes
 * record the order in which they ran. */
typedef struct
{
  GMutex    mutex;
  GCond     cond;
  guint     started;    /* blockers running */
  gboolean  gates[64];  /* blocker i waits until gates[i] */
  GArray   *order;      /* int: probe ids, in the order they ran */
  guint     done;       /* callbacks */
} Pool;

typedef struct
{
  Pool *pool;
  int   id;
} Member;

static Member *
member_new (Pool *pool,
            int   id)
{
  Member *m = g_new0 (Member, 1);

  m->pool = pool;
  m->id = id;
  return m;
}

static gboolean
blocker_func (LkJob    *job,
              gpointer  data,
              GError  **error)
{
  Member *m = data;
  Pool *pool = m->pool;

  g_mutex_lock (&pool->mutex);
  pool->started++;
  g_cond_broadcast (&pool->cond);
  /* Wakes now and then to see a cancel. */
  while (!pool->gates[m->id] && !lk_job_is_cancelled (job))
    g_cond_wait_until (&pool->cond, &pool->mutex,
                       g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
  g_mutex_unlock (&pool->mutex);

  return !lk_job_set_error_if_cancelled (job, error);
}

static gboolean
probe_func (LkJob    *job,
            gpointer  data,
            GError  **error)
{
  Member *m = data;

  g_mutex_lock (&m->pool->mutex);
  g_array_append_val (m->pool->order, m->id);
  g_cond_broadcast (&m->pool->cond);
  g_mutex_unlock (&m->pool->mutex);
  return TRUE;
}

static void
pool_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Pool *pool = user_data;

  g_assert_true (lk_job_run_finish (result, NULL));
  pool->done++;
}

static void
pool_run (Pool      *pool,
          int        io_priority,
          LkJobFunc  func,
          int        id)
{
  g_autoptr(LkJob) job = lk_job_new (NULL);

  lk_job_run_pooled_async (job, io_priority, NULL, func, member_new (pool, id), g_free,
                           pool_done_cb, pool);
}

/* With every pool thread busy, waiting runs start by priority, then in the
 * order they came; the pool starts no thread beyond its bound (or the
 * probes would run at once, in any order). */
static void
test_pooled_priority (void)
{
  Pool pool = { 0 };
  guint n = _lk_job_pool_get_max_threads ();
  const int expected[] = { 3, 2, 4, 1 };

  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpuint (n, <, G_N_ELEMENTS (pool.gates));
  g_mutex_init (&pool.mutex);
  g_cond_init (&pool.cond);
  pool.order = g_array_new (FALSE, FALSE, sizeof (int));

  for (guint i = 0; i < n; i++)
    pool_run (&pool, G_PRIORITY_DEFAULT, blocker_func, i);
  g_mutex_lock (&pool.mutex);
  while (pool.started < n)
    g_cond_wait (&pool.cond, &pool.mutex);
  g_mutex_unlock (&pool.mutex);

  pool_run (&pool, G_PRIORITY_LOW, probe_func, 1);
  pool_run (&pool, G_PRIORITY_DEFAULT, probe_func, 2);
  pool_run (&pool, G_PRIORITY_HIGH, probe_func, 3);
  pool_run (&pool, G_PRIORITY_DEFAULT, probe_func, 4);

  /* One thread comes free and takes the probes one after the other. */
  g_mutex_lock (&pool.mutex);
  g_assert_cmpuint (pool.order->len, ==, 0);
  pool.gates[0] = TRUE;
  g_cond_broadcast (&pool.cond);
  while (pool.order->len < G_N_ELEMENTS (expected))
    g_cond_wait (&pool.cond, &pool.mutex);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (g_array_index (pool.order, int, i), ==, expected[i]);
  for (guint i = 0; i < n; i++)
    pool.gates[i] = TRUE;
  g_cond_broadcast (&pool.cond);
  g_mutex_unlock (&pool.mutex);

  while (pool.done < n + G_N_ELEMENTS (expected))
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);

  g_array_unref (pool.order);
  g_mutex_clear (&pool.mutex);
  g_cond_clear (&pool.cond);
}

/* A titled pooled job is not listed when it starts but once it has run
 * for a while, and it is cancelled from the list like any job. */
static void
test_pooled_listed_late (void)
{
  g_autoptr(LkJob) job = lk_job_new ("Loading");
  g_autoptr(GError) error = NULL;
  Pool pool = { 0 };
  Done d = { 0 };

  g_mutex_init (&pool.mutex);
  g_cond_init (&pool.cond);

  lk_job_run_pooled_async (job, G_PRIORITY_DEFAULT, NULL, blocker_func, member_new (&pool, 0),
                           g_free, done_cb, &d);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);

  /* It blocks until cancelled, so it is still running when listed. */
  while (g_list_model_get_n_items (lk_job_list_get_default ()) == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (d.result);
  {
    g_autoptr(LkJob) listed = g_list_model_get_item (lk_job_list_get_default (), 0);

    g_assert_true (listed == job);
    lk_job_cancel (listed);
  }
  wait_done (&d);
  g_assert_false (lk_job_run_finish (d.result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (d.listed_in_callback, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_object_unref (d.result);

  /* Nothing of it is left to fire on the context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (g_list_model_get_n_items (lk_job_list_get_default ()), ==, 0);
  g_mutex_clear (&pool.mutex);
  g_cond_clear (&pool.cond);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/core/job-runner/result", test_result);
  g_test_add_func ("/engine/core/job-runner/error", test_error);
  g_test_add_func ("/engine/core/job-runner/cancel-from-list", test_cancel_from_list);
  g_test_add_func ("/engine/core/job-runner/cancelled-before-start", test_cancelled_before_start);
  g_test_add_func ("/engine/core/job-runner/untitled", test_untitled);
  g_test_add_func ("/engine/core/job-runner/progress-on-caller", test_progress_on_caller);
  g_test_add_func ("/engine/core/job-runner/pooled-priority", test_pooled_priority);
  g_test_add_func ("/engine/core/job-runner/pooled-listed-late", test_pooled_listed_late);

  return g_test_run ();
}
