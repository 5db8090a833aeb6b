/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-loss-history"

#include "config.h"

#include "lk-loss-history.h"

#include <math.h>

#define MAX_SMOOTHING 0.999

typedef struct
{
  double value[2];
} Smoothed;

struct _LkLossHistory
{
  GObject  parent_instance;

  GArray  *points;    /* LkLossPoint */
  GArray  *smoothed;  /* Smoothed, one per point */
  double   smoothing;
  gint64   window;

  /* The running average after the last point, for appends. */
  double   ema[2];
  double   weight[2];
};

G_DEFINE_FINAL_TYPE (LkLossHistory, lk_loss_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_N_POINTS,
  PROP_SMOOTHING,
  PROP_WINDOW,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
usable (double value)
{
  return isfinite (value) && value > 0;
}

/* Extends the smoothed values from index @from on. */
static void
smooth_from (LkLossHistory *self,
             guint          from)
{
  double alpha = self->smoothing;

  g_array_set_size (self->smoothed, self->points->len);
  if (from == 0)
    {
      self->ema[0] = self->ema[1] = 0;
      self->weight[0] = self->weight[1] = 0;
    }

  for (guint i = from; i < self->points->len; i++)
    {
      const LkLossPoint *p = &g_array_index (self->points, LkLossPoint, i);
      Smoothed *s = &g_array_index (self->smoothed, Smoothed, i);
      double raw[2] = { p->loss_a, p->loss_b };

      for (int k = 0; k < 2; k++)
        {
          /* A bad value (NaN after a diverged step) does not poison the
           * average: the previous one is kept. */
          if (usable (raw[k]))
            {
              self->ema[k] = alpha * self->ema[k] + (1 - alpha) * raw[k];
              self->weight[k] = alpha * self->weight[k] + (1 - alpha);
            }
          s->value[k] = self->weight[k] > 0 ? self->ema[k] / self->weight[k] : NAN;
        }
    }
}

static void
emit_changed (LkLossHistory *self,
              gboolean       n_changed)
{
  if (n_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_POINTS]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

LkLossHistory *
lk_loss_history_new (void)
{
  return g_object_new (LK_TYPE_LOSS_HISTORY, NULL);
}

void
lk_loss_history_set_points (LkLossHistory     *self,
                            const LkLossPoint *points,
                            guint              n_points)
{
  g_return_if_fail (LK_IS_LOSS_HISTORY (self));
  g_return_if_fail (points != NULL || n_points == 0);

  g_array_set_size (self->points, 0);
  lk_loss_history_append (self, points, n_points);
  if (n_points == 0)
    {
      smooth_from (self, 0);
      emit_changed (self, TRUE);
    }
}

guint
lk_loss_history_append (LkLossHistory     *self,
                        const LkLossPoint *points,
                        guint              n_points)
{
  guint old_len;

  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), 0);
  g_return_val_if_fail (points != NULL || n_points == 0, 0);

  old_len = self->points->len;
  for (guint i = 0; i < n_points; i++)
    {
      if (self->points->len > 0 &&
          points[i].iteration <= g_array_index (self->points, LkLossPoint,
                                                self->points->len - 1).iteration)
        continue;
      g_array_append_val (self->points, points[i]);
    }

  if (self->points->len == old_len)
    return 0;

  smooth_from (self, old_len);
  emit_changed (self, TRUE);

  return self->points->len - old_len;
}

void
lk_loss_history_clear (LkLossHistory *self)
{
  g_return_if_fail (LK_IS_LOSS_HISTORY (self));

  lk_loss_history_set_points (self, NULL, 0);
}

guint
lk_loss_history_get_n_points (LkLossHistory *self)
{
  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), 0);

  return self->points->len;
}

const LkLossPoint *
lk_loss_history_get_point (LkLossHistory *self,
                           guint          index)
{
  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), NULL);
  g_return_val_if_fail (index < self->points->len, NULL);

  return &g_array_index (self->points, LkLossPoint, index);
}

double
lk_loss_history_get_smoothed (LkLossHistory *self,
                              guint          index,
                              LkIdentity     identity)
{
  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), NAN);
  g_return_val_if_fail (index < self->smoothed->len, NAN);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, NAN);

  return g_array_index (self->smoothed, Smoothed, index).value[identity == LK_IDENTITY_B];
}

double
lk_loss_history_get_smoothing (LkLossHistory *self)
{
  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), 0);

  return self->smoothing;
}

void
lk_loss_history_set_smoothing (LkLossHistory *self,
                               double         smoothing)
{
  g_return_if_fail (LK_IS_LOSS_HISTORY (self));

  smoothing = CLAMP (smoothing, 0, MAX_SMOOTHING);
  if (smoothing == self->smoothing)
    return;

  self->smoothing = smoothing;
  smooth_from (self, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SMOOTHING]);
  emit_changed (self, FALSE);
}

gint64
lk_loss_history_get_window (LkLossHistory *self)
{
  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), 0);

  return self->window;
}

void
lk_loss_history_set_window (LkLossHistory *self,
                            gint64         window)
{
  g_return_if_fail (LK_IS_LOSS_HISTORY (self));
  g_return_if_fail (window >= 0);

  if (window == self->window)
    return;

  self->window = window;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WINDOW]);
  emit_changed (self, FALSE);
}

gboolean
lk_loss_history_get_iteration_range (LkLossHistory *self,
                                     double        *min,
                                     double        *max)
{
  gint64 first, last;

  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), FALSE);

  if (self->points->len == 0)
    return FALSE;

  first = g_array_index (self->points, LkLossPoint, 0).iteration;
  last = g_array_index (self->points, LkLossPoint, self->points->len - 1).iteration;
  if (self->window > 0)
    first = MAX (first, last - self->window);

  if (min != NULL)
    *min = first;
  if (max != NULL)
    *max = last;

  return TRUE;
}

gboolean
lk_loss_history_get_visible (LkLossHistory *self,
                             guint         *first,
                             guint         *n)
{
  double from;
  guint lo, hi;

  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), FALSE);

  if (!lk_loss_history_get_iteration_range (self, &from, NULL))
    {
      if (first != NULL)
        *first = 0;
      if (n != NULL)
        *n = 0;
      return FALSE;
    }

  /* The first point at or after @from (iterations ascend). */
  lo = 0;
  hi = self->points->len - 1;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (g_array_index (self->points, LkLossPoint, mid).iteration < from)
        lo = mid + 1;
      else
        hi = mid;
    }

  if (first != NULL)
    *first = lo;
  if (n != NULL)
    *n = self->points->len - lo;

  return TRUE;
}

gboolean
lk_loss_history_get_value_range (LkLossHistory *self,
                                 double        *min,
                                 double        *max)
{
  double lo = INFINITY, hi = -INFINITY;
  guint first, n;

  g_return_val_if_fail (LK_IS_LOSS_HISTORY (self), FALSE);

  if (!lk_loss_history_get_visible (self, &first, &n))
    return FALSE;

  for (guint i = first; i < first + n; i++)
    {
      const LkLossPoint *p = &g_array_index (self->points, LkLossPoint, i);
      const Smoothed *s = &g_array_index (self->smoothed, Smoothed, i);
      double values[4] = { p->loss_a, p->loss_b, s->value[0], s->value[1] };

      for (guint j = 0; j < G_N_ELEMENTS (values); j++)
        if (usable (values[j]))
          {
            lo = MIN (lo, values[j]);
            hi = MAX (hi, values[j]);
          }
    }

  if (!(lo <= hi))
    return FALSE;

  if (min != NULL)
    *min = lo;
  if (max != NULL)
    *max = hi;

  return TRUE;
}

static void
lk_loss_history_finalize (GObject *object)
{
  LkLossHistory *self = LK_LOSS_HISTORY (object);

  g_clear_pointer (&self->points, g_array_unref);
  g_clear_pointer (&self->smoothed, g_array_unref);

  G_OBJECT_CLASS (lk_loss_history_parent_class)->finalize (object);
}

static void
lk_loss_history_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LkLossHistory *self = LK_LOSS_HISTORY (object);

  switch (prop_id)
    {
    case PROP_N_POINTS:
      g_value_set_uint (value, self->points->len);
      break;

    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;

    case PROP_WINDOW:
      g_value_set_int64 (value, self->window);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_loss_history_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LkLossHistory *self = LK_LOSS_HISTORY (object);

  switch (prop_id)
    {
    case PROP_SMOOTHING:
      lk_loss_history_set_smoothing (self, g_value_get_double (value));
      break;

    case PROP_WINDOW:
      lk_loss_history_set_window (self, g_value_get_int64 (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_loss_history_class_init (LkLossHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lk_loss_history_finalize;
  object_class->get_property = lk_loss_history_get_property;
  object_class->set_property = lk_loss_history_set_property;

  properties[PROP_N_POINTS] =
    g_param_spec_uint ("n-points", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SMOOTHING] =
    g_param_spec_double ("smoothing", NULL, NULL, 0, MAX_SMOOTHING, 0,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_WINDOW] =
    g_param_spec_int64 ("window", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
lk_loss_history_init (LkLossHistory *self)
{
  self->points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
  self->smoothed = g_array_new (FALSE, FALSE, sizeof (Smoothed));
}
