/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/*
 * LkChartAxis: the range of one axis of a chart and the mapping of values
 * to a fraction of its length (0 at @lo, 1 at @hi). The bounds are rounded
 * outwards to "nice" values (on a log axis 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8
 * times a power of ten; on a linear one multiples of a 1-2-5 step), so that a
 * chart whose data grows a little keeps its axis, its ticks and its cached
 * grid until the data leaves the range.
 *
 * A value-like struct: no allocation, no GType.
 */
typedef struct
{
  double   lo;
  double   hi;
  gboolean log;
} LkChartAxis;

/* Values must be > 0; non-positive ones are clamped to a tiny positive
 * value. A single value gets the nice values around it. */
void     lk_chart_axis_init_log      (LkChartAxis       *axis,
                                      double             min,
                                      double             max);
/* Rounded outwards to multiples of a 1-2-5 step chosen so that about
 * @n_ticks ticks fit; min == max gets a range of one step. */
void     lk_chart_axis_init_linear   (LkChartAxis       *axis,
                                      double             min,
                                      double             max,
                                      guint              n_ticks);
gboolean lk_chart_axis_equal         (const LkChartAxis *a,
                                      const LkChartAxis *b);

/* 0 at lo, 1 at hi; logarithmic for a log axis. Values outside the range
 * map outside [0, 1]. */
double   lk_chart_axis_to_fraction   (const LkChartAxis *axis,
                                      double             value);
double   lk_chart_axis_from_fraction (const LkChartAxis *axis,
                                      double             fraction);

/* The tick values inside [lo, hi], ascending, at most @max_ticks (>= 2) of
 * them: for a log axis the finest of 1..9, 1-2-5 or 1 times powers of ten
 * (then every second, fifth ... decade) that fits; for a linear axis
 * multiples of a 1-2-5 step. (transfer full) element type double. */
GArray  *lk_chart_axis_get_ticks     (const LkChartAxis *axis,
                                      guint              max_ticks);

/* A short label for a tick: "0.05", "2", "1e-05" on a log axis; "500",
 * "12k", "1.5M" on a linear one. */
char    *lk_chart_axis_format_tick   (const LkChartAxis *axis,
                                      double             value);

G_END_DECLS
