/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-chart-axis.h"
#include "lk-loss-history.h"

G_BEGIN_DECLS

#define LK_TYPE_LOSS_CHART (lk_loss_chart_get_type ())

G_DECLARE_FINAL_TYPE (LkLossChart, lk_loss_chart, LK, LOSS_CHART, GtkWidget)

/*
 * The loss chart of the Train area: the losses of both identities of an
 * LkLossHistory against the iteration, on a logarithmic value axis with
 * tick labels. The raw values are drawn faintly (their range per pixel
 * column), the smoothed ones as lines. The grid and the labels are cached
 * as a render node that is dropped when the axes, the size or the style
 * change; redraws after data changes are limited to 10 per second.
 */

/* The colours of identities A and B (also used by the legend). */
#define LK_LOSS_CHART_COLOR_A "#3584e4"
#define LK_LOSS_CHART_COLOR_B "#ff7800"

GtkWidget     *lk_loss_chart_new          (void);
LkLossHistory *lk_loss_chart_get_history  (LkLossChart       *self);
void           lk_loss_chart_set_history  (LkLossChart       *self,
                                           LkLossHistory     *history);

/* The layout of the last frame drawn: the plot area in widget coordinates
 * and its axes (x: iterations, y: losses, logarithmic). FALSE before a
 * frame with points was drawn. */
gboolean       lk_loss_chart_get_layout   (LkLossChart       *self,
                                           graphene_rect_t   *plot,
                                           LkChartAxis       *x_axis,
                                           LkChartAxis       *y_axis);

/* Where @value lies on the plot of that layout, in widget coordinates. */
double         lk_loss_chart_value_to_y   (const graphene_rect_t *plot,
                                           const LkChartAxis     *y_axis,
                                           double                 value);
double         lk_loss_chart_iteration_to_x (const graphene_rect_t *plot,
                                             const LkChartAxis     *x_axis,
                                             double                 iteration);

G_END_DECLS
