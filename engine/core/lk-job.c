/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-job"

#include "config.h"

#include <math.h>

#include "lk-error.h"
#include "lk-job.h"

struct _LkJob
{
  GObject            parent_instance;

  char              *title;
  GCancellable      *cancellable;
  GMainContext      *context;
  gint64             started_us;

  GMutex             mutex;
  double             fraction;
  char              *message;
  GHashTable        *figures;   /* name -> double* */
  guint              notify_source;

  LkJobProgressFunc  progress_func;
  gpointer           progress_data;
  GDestroyNotify     progress_destroy;
};

G_DEFINE_FINAL_TYPE (LkJob, lk_job, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TITLE,
  PROP_FRACTION,
  PROP_MESSAGE,
  N_PROPS
};

enum {
  FIGURES_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
lk_job_finalize (GObject *object)
{
  LkJob *self = (LkJob *) object;

  g_mutex_lock (&self->mutex);
  if (self->notify_source != 0)
    {
      GSource *source = g_main_context_find_source_by_id (self->context, self->notify_source);
      if (source != NULL)
        g_source_destroy (source);
      self->notify_source = 0;
    }
  g_mutex_unlock (&self->mutex);

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->figures, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lk_job_parent_class)->finalize (object);
}

static void
lk_job_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  LkJob *self = LK_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;

    case PROP_FRACTION:
      g_value_set_double (value, lk_job_get_fraction (self));
      break;

    case PROP_MESSAGE:
      g_value_take_string (value, lk_job_dup_message (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_job_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  LkJob *self = LK_JOB (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      self->title = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_job_class_init (LkJobClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lk_job_finalize;
  object_class->get_property = lk_job_get_property;
  object_class->set_property = lk_job_set_property;

  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0.0, 1.0, 0.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted on the creating context after figures (rates, counts) changed. */
  signals[FIGURES_CHANGED] =
    g_signal_new ("figures-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
lk_job_init (LkJob *self)
{
  g_mutex_init (&self->mutex);
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
  self->figures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->started_us = g_get_monotonic_time ();
}

LkJob *
lk_job_new (const char *title)
{
  return g_object_new (LK_TYPE_JOB, "title", title, NULL);
}

const char *
lk_job_get_title (LkJob *self)
{
  g_return_val_if_fail (LK_IS_JOB (self), NULL);

  return self->title;
}

GCancellable *
lk_job_get_cancellable (LkJob *self)
{
  g_return_val_if_fail (LK_IS_JOB (self), NULL);

  return self->cancellable;
}

void
lk_job_cancel (LkJob *self)
{
  g_return_if_fail (LK_IS_JOB (self));

  g_cancellable_cancel (self->cancellable);
}

gboolean
lk_job_is_cancelled (LkJob *self)
{
  return self != NULL && g_cancellable_is_cancelled (self->cancellable);
}

gboolean
lk_job_set_error_if_cancelled (LkJob   *self,
                               GError **error)
{
  if (self == NULL)
    return FALSE;

  return g_cancellable_set_error_if_cancelled (self->cancellable, error);
}

void
lk_job_set_progress_func (LkJob             *self,
                          LkJobProgressFunc  func,
                          gpointer           user_data,
                          GDestroyNotify     destroy)
{
  g_return_if_fail (LK_IS_JOB (self));

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);

  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

static gboolean
lk_job_notify_idle (gpointer data)
{
  LkJob *self = data;

  g_mutex_lock (&self->mutex);
  self->notify_source = 0;
  g_mutex_unlock (&self->mutex);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  g_signal_emit (self, signals[FIGURES_CHANGED], 0);

  return G_SOURCE_REMOVE;
}

/* Called with the mutex held. */
static void
lk_job_queue_notify_locked (LkJob *self)
{
  GSource *source;

  if (self->notify_source != 0)
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_LOW);
  g_source_set_callback (source, lk_job_notify_idle, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[lk-job-notify]");
  self->notify_source = g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
lk_job_after_update (LkJob *self)
{
  if (self->progress_func != NULL && !self->progress_func (self, self->progress_data))
    g_cancellable_cancel (self->cancellable);
}

void
lk_job_update (LkJob      *self,
               double      fraction,
               const char *format,
               ...)
{
  g_autofree char *message = NULL;
  va_list args;

  g_return_if_fail (LK_IS_JOB (self));

  if (format != NULL)
    {
      va_start (args, format);
      message = g_strdup_vprintf (format, args);
      va_end (args);
    }

  g_mutex_lock (&self->mutex);
  if (fraction >= 0.0)
    self->fraction = CLAMP (fraction, 0.0, 1.0);
  if (message != NULL)
    {
      g_free (self->message);
      self->message = g_steal_pointer (&message);
    }
  lk_job_queue_notify_locked (self);
  g_mutex_unlock (&self->mutex);

  lk_job_after_update (self);
}

void
lk_job_set_figure (LkJob      *self,
                   const char *name,
                   double      value)
{
  g_return_if_fail (LK_IS_JOB (self));
  g_return_if_fail (name != NULL);

  g_mutex_lock (&self->mutex);
  g_hash_table_replace (self->figures, g_strdup (name), g_memdup2 (&value, sizeof value));
  lk_job_queue_notify_locked (self);
  g_mutex_unlock (&self->mutex);
}

double
lk_job_get_fraction (LkJob *self)
{
  double fraction;

  g_return_val_if_fail (LK_IS_JOB (self), 0.0);

  g_mutex_lock (&self->mutex);
  fraction = self->fraction;
  g_mutex_unlock (&self->mutex);

  return fraction;
}

char *
lk_job_dup_message (LkJob *self)
{
  char *message;

  g_return_val_if_fail (LK_IS_JOB (self), NULL);

  g_mutex_lock (&self->mutex);
  message = g_strdup (self->message);
  g_mutex_unlock (&self->mutex);

  return message;
}

/* Returns NAN when the figure was never set. */
double
lk_job_get_figure (LkJob      *self,
                   const char *name)
{
  const double *value;
  double result = NAN;

  g_return_val_if_fail (LK_IS_JOB (self), NAN);

  g_mutex_lock (&self->mutex);
  value = g_hash_table_lookup (self->figures, name);
  if (value != NULL)
    result = *value;
  g_mutex_unlock (&self->mutex);

  return result;
}

double
lk_job_get_elapsed (LkJob *self)
{
  g_return_val_if_fail (LK_IS_JOB (self), 0.0);

  return (g_get_monotonic_time () - self->started_us) / (double) G_USEC_PER_SEC;
}

/* Seconds left, extrapolated from the fraction done; NAN before any
 * progress. */
double
lk_job_get_remaining (LkJob *self)
{
  double fraction = lk_job_get_fraction (self);

  if (fraction <= 0.0)
    return NAN;

  return lk_job_get_elapsed (self) * (1.0 - fraction) / fraction;
}
