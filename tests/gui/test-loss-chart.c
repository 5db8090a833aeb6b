/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>

#include "lk-chart-axis.h"
#include "lk-loss-chart.h"
#include "lk-loss-history.h"

/* The loss chart of the Train area: its axes, the history it draws
 * (appending, smoothing, the recent window) without a display, and where
 * its lines land in a rendering where a display is at hand. */

static void
test_axis_log (void)
{
  LkChartAxis axis;
  g_autoptr(GArray) ticks = NULL;
  g_autofree char *label = NULL;

  lk_chart_axis_init_log (&axis, 0.12, 0.9);
  g_assert_true (axis.log);
  g_assert_cmpfloat_with_epsilon (axis.lo, 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (axis.hi, 1, 1e-12);

  /* Logarithmic: the geometric mean lies half-way. */
  g_assert_cmpfloat_with_epsilon (lk_chart_axis_to_fraction (&axis, 0.1), 0, 1e-9);
  g_assert_cmpfloat_with_epsilon (lk_chart_axis_to_fraction (&axis, 1), 1, 1e-9);
  g_assert_cmpfloat_with_epsilon (lk_chart_axis_to_fraction (&axis, sqrt (0.1)), 0.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (lk_chart_axis_from_fraction (&axis, 0.5), sqrt (0.1), 1e-9);
  g_assert_cmpfloat (lk_chart_axis_to_fraction (&axis, 2), >, 1);

  /* The finest tick set that fits. */
  ticks = lk_chart_axis_get_ticks (&axis, 10);
  g_assert_cmpuint (ticks->len, ==, 10);
  g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, 0), 0.1, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, 2), 0.3, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, 9), 1, 1e-12);
  g_clear_pointer (&ticks, g_array_unref);
  ticks = lk_chart_axis_get_ticks (&axis, 4);
  g_assert_cmpuint (ticks->len, ==, 4);
  g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, 1), 0.2, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, 2), 0.5, 1e-12);
  g_clear_pointer (&ticks, g_array_unref);
  ticks = lk_chart_axis_get_ticks (&axis, 3);
  g_assert_cmpuint (ticks->len, ==, 2);

  label = lk_chart_axis_format_tick (&axis, 0.3);
  g_assert_cmpstr (label, ==, "0.3");

  /* Bounds close around the data. */
  lk_chart_axis_init_log (&axis, 5.1, 5.9);
  g_assert_cmpfloat_with_epsilon (axis.lo, 5, 1e-9);
  g_assert_cmpfloat_with_epsilon (axis.hi, 6, 1e-9);

  /* One value: the nice values on either side. */
  lk_chart_axis_init_log (&axis, 0.5, 0.5);
  g_assert_cmpfloat_with_epsilon (axis.lo, 0.4, 1e-9);
  g_assert_cmpfloat_with_epsilon (axis.hi, 0.6, 1e-9);

  /* Several decades: fewer ticks, all powers of ten. */
  lk_chart_axis_init_log (&axis, 1e-5, 30);
  g_clear_pointer (&ticks, g_array_unref);
  ticks = lk_chart_axis_get_ticks (&axis, 5);
  g_assert_cmpuint (ticks->len, <=, 5);
  g_assert_cmpuint (ticks->len, >=, 2);
  for (guint i = 0; i < ticks->len; i++)
    {
      double e = log10 (g_array_index (ticks, double, i));

      g_assert_cmpfloat_with_epsilon (e, round (e), 1e-9);
    }

  /* Non-positive values cannot be drawn on a log axis; they do not break it. */
  lk_chart_axis_init_log (&axis, 0, 1);
  g_assert_cmpfloat (axis.lo, >, 0);
  g_assert_true (isfinite (lk_chart_axis_to_fraction (&axis, -1)));
}

static void
test_axis_linear (void)
{
  LkChartAxis axis, same;
  g_autoptr(GArray) ticks = NULL;
  g_autofree char *k = NULL;
  g_autofree char *m = NULL;

  lk_chart_axis_init_linear (&axis, 3, 997, 5);
  g_assert_false (axis.log);
  g_assert_cmpfloat (axis.lo, ==, 0);
  g_assert_cmpfloat (axis.hi, ==, 1000);
  g_assert_cmpfloat_with_epsilon (lk_chart_axis_to_fraction (&axis, 250), 0.25, 1e-12);

  /* A little more data keeps the axis (and a chart's cached grid). */
  lk_chart_axis_init_linear (&same, 3, 999, 5);
  g_assert_true (lk_chart_axis_equal (&axis, &same));
  lk_chart_axis_init_linear (&same, 3, 1001, 5);
  g_assert_false (lk_chart_axis_equal (&axis, &same));

  ticks = lk_chart_axis_get_ticks (&axis, 6);
  g_assert_cmpuint (ticks->len, ==, 6);
  for (guint i = 0; i < ticks->len; i++)
    g_assert_cmpfloat (g_array_index (ticks, double, i), ==, 200.0 * i);

  k = lk_chart_axis_format_tick (&axis, 12000);
  m = lk_chart_axis_format_tick (&axis, 1500000);
  g_assert_cmpstr (k, ==, "12k");
  g_assert_cmpstr (m, ==, "1.5M");

  /* A single iteration still has a range. */
  lk_chart_axis_init_linear (&axis, 1, 1, 4);
  g_assert_cmpfloat (axis.hi, >, axis.lo);
}

static void
count_cb (LkLossHistory *history,
          guint         *count)
{
  (*count)++;
}

static LkLossPoint
point (gint64 iteration,
       float  a,
       float  b)
{
  return (LkLossPoint) { iteration, iteration * 0.1, a, b };
}

static void
test_history_append (void)
{
  g_autoptr(LkLossHistory) history = lk_loss_history_new ();
  LkLossPoint first[] = { point (1, 0.5f, 0.6f), point (2, 0.4f, 0.5f), point (3, 0.3f, 0.4f) };
  /* Overlaps what is there (a history loaded while the trainer ran). */
  LkLossPoint more[] = { point (2, 9, 9), point (3, 9, 9), point (4, 0.2f, 0.3f) };
  guint changed = 0;
  double lo, hi;

  g_signal_connect (history, "changed", G_CALLBACK (count_cb), &changed);
  g_assert_false (lk_loss_history_get_value_range (history, &lo, &hi));

  g_assert_cmpuint (lk_loss_history_append (history, first, G_N_ELEMENTS (first)), ==, 3);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_cmpuint (lk_loss_history_append (history, more, G_N_ELEMENTS (more)), ==, 1);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_cmpuint (lk_loss_history_get_n_points (history), ==, 4);
  g_assert_cmpint (lk_loss_history_get_point (history, 3)->iteration, ==, 4);
  g_assert_cmpfloat_with_epsilon (lk_loss_history_get_point (history, 1)->loss_a, 0.4, 1e-6);

  /* Nothing new: no signal. */
  g_assert_cmpuint (lk_loss_history_append (history, more, 2), ==, 0);
  g_assert_cmpuint (changed, ==, 2);

  g_assert_true (lk_loss_history_get_value_range (history, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, 0.2, 1e-6);
  g_assert_cmpfloat_with_epsilon (hi, 0.6, 1e-6);

  /* Replacing starts afresh. */
  lk_loss_history_set_points (history, more + 2, 1);
  g_assert_cmpuint (lk_loss_history_get_n_points (history), ==, 1);
  lk_loss_history_clear (history);
  g_assert_cmpuint (lk_loss_history_get_n_points (history), ==, 0);
}

static void
test_history_smoothing (void)
{
  g_autoptr(LkLossHistory) history = lk_loss_history_new ();
  LkLossPoint points[] = { point (1, 1, 4), point (2, 3, 4), point (3, NAN, 4),
                           point (4, 3, 4) };

  lk_loss_history_append (history, points, G_N_ELEMENTS (points));

  /* None: the raw values. */
  g_assert_cmpfloat (lk_loss_history_get_smoothed (history, 0, LK_IDENTITY_A), ==, 1);
  g_assert_cmpfloat (lk_loss_history_get_smoothed (history, 1, LK_IDENTITY_A), ==, 3);

  /* 0.5, debiased: 1, then (0.25 + 1.5) / 0.75. */
  lk_loss_history_set_smoothing (history, 0.5);
  g_assert_cmpfloat_with_epsilon (lk_loss_history_get_smoothed (history, 0, LK_IDENTITY_A), 1,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (lk_loss_history_get_smoothed (history, 1, LK_IDENTITY_A),
                                  1.75 / 0.75, 1e-12);
  /* A NaN loss keeps the average where it was. */
  g_assert_cmpfloat_with_epsilon (lk_loss_history_get_smoothed (history, 2, LK_IDENTITY_A),
                                  1.75 / 0.75, 1e-12);
  /* A constant series stays constant (no pull towards zero). */
  for (guint i = 0; i < G_N_ELEMENTS (points); i++)
    g_assert_cmpfloat_with_epsilon (lk_loss_history_get_smoothed (history, i, LK_IDENTITY_B), 4,
                                    1e-12);

  /* Appending goes on from the running average. */
  {
    LkLossPoint next = point (5, 3, 4);
    double before = lk_loss_history_get_smoothed (history, 3, LK_IDENTITY_A);
    double expected;
    double ema = 0, weight = 0;

    for (guint i = 0; i < 5; i++)
      {
        double raw = i == 0 ? 1 : 3;

        if (i == 2)
          continue;
        ema = 0.5 * ema + 0.5 * raw;
        weight = 0.5 * weight + 0.5;
      }
    expected = ema / weight;
    lk_loss_history_append (history, &next, 1);
    g_assert_cmpfloat_with_epsilon (lk_loss_history_get_smoothed (history, 4, LK_IDENTITY_A),
                                    expected, 1e-12);
    g_assert_cmpfloat (expected, >, before);
  }

  /* Clamped below 1. */
  lk_loss_history_set_smoothing (history, 5);
  g_assert_cmpfloat (lk_loss_history_get_smoothing (history), <, 1);
}

static void
test_history_window (void)
{
  g_autoptr(LkLossHistory) history = lk_loss_history_new ();
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
  double it_min, it_max, lo, hi;
  guint first, n;

  /* Falling losses; a spike early on that only "all" shows. */
  for (gint64 i = 1; i <= 20000; i++)
    {
      LkLossPoint p = point (i, (float) (1.0 / sqrt ((double) i)), 0.001f);

      if (i == 10)
        p.loss_b = 7;
      g_array_append_val (points, p);
    }
  lk_loss_history_set_points (history, (LkLossPoint *) points->data, points->len);

  g_assert_true (lk_loss_history_get_visible (history, &first, &n));
  g_assert_cmpuint (first, ==, 0);
  g_assert_cmpuint (n, ==, 20000);
  g_assert_true (lk_loss_history_get_value_range (history, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (hi, 7, 1e-6);

  lk_loss_history_set_window (history, 1000);
  g_assert_true (lk_loss_history_get_iteration_range (history, &it_min, &it_max));
  g_assert_cmpfloat (it_min, ==, 19000);
  g_assert_cmpfloat (it_max, ==, 20000);
  g_assert_true (lk_loss_history_get_visible (history, &first, &n));
  g_assert_cmpint (lk_loss_history_get_point (history, first)->iteration, ==, 19000);
  g_assert_cmpuint (n, ==, 1001);
  g_assert_true (lk_loss_history_get_value_range (history, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (hi, 1.0 / sqrt (19000.0), 1e-6);
  g_assert_cmpfloat_with_epsilon (lo, 0.001, 1e-9);

  /* A window wider than the history shows it all. */
  lk_loss_history_set_window (history, 100000);
  g_assert_true (lk_loss_history_get_visible (history, &first, &n));
  g_assert_cmpuint (first, ==, 0);
}

/* ---- With a display ------------------------------------------------------ */

static gboolean have_display;

static void
pixel_at (cairo_surface_t *surface,
          double           x,
          double           y,
          guint8           rgb[3])
{
  int stride = cairo_image_surface_get_stride (surface);
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint32 p = *(const guint32 *) (data + (int) y * stride + (int) x * 4);

  rgb[0] = (p >> 16) & 0xff;
  rgb[1] = (p >> 8) & 0xff;
  rgb[2] = p & 0xff;
}

static gboolean
close_to (const guint8 rgb[3],
          const char  *spec)
{
  GdkRGBA color;

  gdk_rgba_parse (&color, spec);
  return abs (rgb[0] - (int) (color.red * 255)) < 40 &&
         abs (rgb[1] - (int) (color.green * 255)) < 40 &&
         abs (rgb[2] - (int) (color.blue * 255)) < 40;
}

static void
test_chart_render (void)
{
  g_autoptr(LkLossHistory) history = lk_loss_history_new ();
  g_autoptr(GArray) points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  GtkWidget *window, *chart;
  graphene_rect_t plot;
  LkChartAxis x_axis, y_axis;
  int width, height;
  guint8 rgb[3];
  double x, y;

  if (!have_display)
    {
      g_test_skip ("no display");
      return;
    }

  for (gint64 i = 0; i <= 1000; i++)
    {
      LkLossPoint p = point (i, 0.5f, 0.1f);

      g_array_append_val (points, p);
    }
  lk_loss_history_set_points (history, (LkLossPoint *) points->data, points->len);

  window = gtk_window_new ();
  chart = lk_loss_chart_new ();
  lk_loss_chart_set_history (LK_LOSS_CHART (chart), history);
  gtk_window_set_child (GTK_WINDOW (window), chart);
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 300);
  gtk_window_present (GTK_WINDOW (window));

  while (gtk_widget_get_width (chart) <= 0 || !lk_loss_chart_get_layout (LK_LOSS_CHART (chart),
                                                                          NULL, NULL, NULL))
    g_main_context_iteration (NULL, TRUE);

  width = gtk_widget_get_width (chart);
  height = gtk_widget_get_height (chart);
  paintable = gtk_widget_paintable_new (chart);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  g_assert_true (lk_loss_chart_get_layout (LK_LOSS_CHART (chart), &plot, &x_axis, &y_axis));
  g_assert_true (y_axis.log);
  g_assert_cmpfloat (y_axis.lo, <=, 0.1);
  g_assert_cmpfloat (y_axis.hi, >=, 0.5);
  g_assert_cmpfloat (x_axis.lo, <=, 0);
  g_assert_cmpfloat (x_axis.hi, >=, 1000);
  g_assert_cmpfloat (plot.size.width, >, 100);
  g_assert_cmpfloat (plot.size.height, >, 100);

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Half-way along, A's line lies at 0.5 and B's at 0.1 on the log axis. */
  x = lk_loss_chart_iteration_to_x (&plot, &x_axis, 500);
  y = lk_loss_chart_value_to_y (&plot, &y_axis, 0.5);
  pixel_at (surface, x, y, rgb);
  g_assert_true (close_to (rgb, LK_LOSS_CHART_COLOR_A));
  y = lk_loss_chart_value_to_y (&plot, &y_axis, 0.1);
  pixel_at (surface, x, y, rgb);
  g_assert_true (close_to (rgb, LK_LOSS_CHART_COLOR_B));
  /* The geometric mean: neither line. */
  y = lk_loss_chart_value_to_y (&plot, &y_axis, sqrt (0.05));
  pixel_at (surface, x, y, rgb);
  g_assert_false (close_to (rgb, LK_LOSS_CHART_COLOR_A));
  g_assert_false (close_to (rgb, LK_LOSS_CHART_COLOR_B));
  /* Log mapping: 0.5 is higher up than on a linear axis would put it. */
  g_assert_cmpfloat_with_epsilon ((lk_loss_chart_value_to_y (&plot, &y_axis, 0.1) -
                                   lk_loss_chart_value_to_y (&plot, &y_axis, 0.5)) /
                                  plot.size.height,
                                  log (5) / log (y_axis.hi / y_axis.lo), 1e-9);

  cairo_surface_destroy (surface);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  have_display = gtk_init_check ();

  g_test_add_func ("/app/loss-chart/axis-log", test_axis_log);
  g_test_add_func ("/app/loss-chart/axis-linear", test_axis_linear);
  g_test_add_func ("/app/loss-chart/history-append", test_history_append);
  g_test_add_func ("/app/loss-chart/history-smoothing", test_history_smoothing);
  g_test_add_func ("/app/loss-chart/history-window", test_history_window);
  g_test_add_func ("/app/loss-chart/render", test_chart_render);

  return g_test_run ();
}
