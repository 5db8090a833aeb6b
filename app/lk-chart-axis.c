/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-chart-axis"

#include "config.h"

#include "lk-chart-axis.h"

#include <math.h>

#define TINY 1e-12
#define EPSILON 1e-9

/* Bounds are rounded to these (times a power of ten): fine enough that
 * the data fills most of a log axis. */
static const double nice_mantissas[] = { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 };

/* Steps of a linear axis (times a power of ten). */
static const double step_mantissas[] = { 1, 2, 5, 10 };

/* The largest nice value <= @v (v > 0). */
static double
nice_floor (double v)
{
  double e = floor (log10 (v));
  double p = pow (10, e);
  double m = v / p;
  double best = 1;

  for (guint i = 0; i < G_N_ELEMENTS (nice_mantissas); i++)
    if (nice_mantissas[i] <= m * (1 + EPSILON))
      best = nice_mantissas[i];

  return best * p;
}

static double
ceil_in (double        v,
         const double *mantissas,
         guint         n_mantissas)
{
  double e = floor (log10 (v));
  double p = pow (10, e);
  double m = v / p;

  for (guint i = 0; i < n_mantissas; i++)
    if (mantissas[i] >= m * (1 - EPSILON))
      return mantissas[i] * p;

  return 10 * p;
}

/* The smallest nice value >= @v (v > 0). */
static double
nice_ceil (double v)
{
  return ceil_in (v, nice_mantissas, G_N_ELEMENTS (nice_mantissas));
}

/* The smallest 1-2-5 step >= @v (v > 0). */
static double
step_ceil (double v)
{
  return ceil_in (v, step_mantissas, G_N_ELEMENTS (step_mantissas));
}

void
lk_chart_axis_init_log (LkChartAxis *axis,
                        double       min,
                        double       max)
{
  g_return_if_fail (axis != NULL);

  if (!(min > TINY) || !isfinite (min))
    min = TINY;
  if (!(max > TINY) || !isfinite (max))
    max = TINY;
  if (max < min)
    {
      double t = min;

      min = max;
      max = t;
    }

  axis->log = TRUE;
  axis->lo = nice_floor (min);
  axis->hi = nice_ceil (max);

  /* A single nice value: the nice values on either side. */
  if (axis->hi <= axis->lo * (1 + EPSILON))
    {
      axis->lo = nice_floor (axis->lo * (1 - 1e-6));
      axis->hi = nice_ceil (axis->hi * (1 + 1e-6));
    }
}

void
lk_chart_axis_init_linear (LkChartAxis *axis,
                           double       min,
                           double       max,
                           guint        n_ticks)
{
  double step;

  g_return_if_fail (axis != NULL);

  if (!isfinite (min))
    min = 0;
  if (!isfinite (max))
    max = min;
  if (max < min)
    {
      double t = min;

      min = max;
      max = t;
    }

  n_ticks = MAX (n_ticks, 2);
  step = max > min ? step_ceil ((max - min) / n_ticks) : step_ceil (MAX (fabs (max), 1));

  axis->log = FALSE;
  axis->lo = floor (min / step + EPSILON) * step;
  axis->hi = ceil (max / step - EPSILON) * step;
  if (axis->hi <= axis->lo)
    axis->hi = axis->lo + step;
}

gboolean
lk_chart_axis_equal (const LkChartAxis *a,
                     const LkChartAxis *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->log == b->log && a->lo == b->lo && a->hi == b->hi;
}

double
lk_chart_axis_to_fraction (const LkChartAxis *axis,
                           double             value)
{
  g_return_val_if_fail (axis != NULL, 0);

  if (axis->log)
    {
      if (!(value > TINY))
        value = TINY;
      return (log (value) - log (axis->lo)) / (log (axis->hi) - log (axis->lo));
    }

  return (value - axis->lo) / (axis->hi - axis->lo);
}

double
lk_chart_axis_from_fraction (const LkChartAxis *axis,
                             double             fraction)
{
  g_return_val_if_fail (axis != NULL, 0);

  if (axis->log)
    return exp (log (axis->lo) + fraction * (log (axis->hi) - log (axis->lo)));

  return axis->lo + fraction * (axis->hi - axis->lo);
}

static gboolean
in_range (const LkChartAxis *axis,
          double             v)
{
  double slack = axis->log ? v * EPSILON : (axis->hi - axis->lo) * EPSILON;

  return v >= axis->lo - slack && v <= axis->hi + slack;
}

static GArray *
log_ticks (const LkChartAxis *axis,
           guint              max_ticks)
{
  static const double sets[][10] = {
    { 1, 2, 3, 4, 5, 6, 7, 8, 9, 0 },
    { 1, 2, 5, 0 },
    { 1, 0 },
  };
  int e_lo = (int) floor (log10 (axis->lo) + EPSILON);
  int e_hi = (int) ceil (log10 (axis->hi) - EPSILON);
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint s = 0; s < G_N_ELEMENTS (sets); s++)
    {
      g_array_set_size (ticks, 0);
      for (int e = e_lo; e <= e_hi; e++)
        for (guint i = 0; sets[s][i] != 0; i++)
          {
            /* 3 * 10^-1 through a division, so that it prints as 0.3. */
            double v = e >= 0 ? sets[s][i] * pow (10, e) : sets[s][i] / pow (10, -e);

            if (in_range (axis, v))
              g_array_append_val (ticks, v);
          }
      if (ticks->len <= max_ticks)
        return ticks;
    }

  /* Many decades: every n-th one. */
  for (int stride = 2;; stride = stride < 5 ? 5 : stride * 2)
    {
      g_array_set_size (ticks, 0);
      for (int e = e_lo; e <= e_hi; e++)
        {
          double v = e >= 0 ? pow (10, e) : 1 / pow (10, -e);

          if (e % stride == 0 && in_range (axis, v))
            g_array_append_val (ticks, v);
        }
      if (ticks->len <= max_ticks)
        return ticks;
    }
}

GArray *
lk_chart_axis_get_ticks (const LkChartAxis *axis,
                         guint              max_ticks)
{
  GArray *ticks;
  double step;

  g_return_val_if_fail (axis != NULL, NULL);
  g_return_val_if_fail (axis->hi > axis->lo, NULL);

  max_ticks = MAX (max_ticks, 2);
  if (axis->log)
    return log_ticks (axis, max_ticks);

  ticks = g_array_new (FALSE, FALSE, sizeof (double));
  step = step_ceil ((axis->hi - axis->lo) / (max_ticks - 1));
  for (double k = ceil (axis->lo / step - EPSILON); k * step <= axis->hi + step * EPSILON; k++)
    {
      double v = k * step;

      if (fabs (v) < step * EPSILON)
        v = 0;
      g_array_append_val (ticks, v);
    }

  return ticks;
}

char *
lk_chart_axis_format_tick (const LkChartAxis *axis,
                           double             value)
{
  double magnitude = fabs (value);

  g_return_val_if_fail (axis != NULL, NULL);

  if (axis->log)
    return g_strdup_printf ("%.3g", value);

  if (magnitude >= 1e6)
    return g_strdup_printf ("%.3gM", value / 1e6);
  if (magnitude >= 1e3)
    return g_strdup_printf ("%.3gk", value / 1e3);
  return g_strdup_printf ("%.3g", value);
}
