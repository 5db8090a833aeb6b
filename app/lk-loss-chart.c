/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-loss-chart"

#include "config.h"

#include "lk-loss-chart.h"

#include <glib/gi18n.h>
#include <math.h>

/* At most this many redraws per second after data changes. */
#define MAX_REDRAWS_PER_SECOND 10

#define PAD_TOP 10
#define PAD_RIGHT 14
#define LABEL_GAP 6
#define MIN_Y_TICK_SPACING 34
#define MIN_X_TICK_SPACING 80

/* Not a template widget: it has no children, only its snapshot. */
struct _LkLossChart
{
  GtkWidget       parent_instance;

  LkLossHistory  *history;
  gulong          changed_id;

  /* The grid and the labels, and what they were made for. */
  GskRenderNode  *grid_node;
  int             grid_width;
  int             grid_height;
  LkChartAxis     grid_x;
  LkChartAxis     grid_y;
  graphene_rect_t plot;
  gboolean        have_layout;

  /* Rate limit. */
  gint64          last_redraw_us;
  guint           redraw_source;
};

G_DEFINE_FINAL_TYPE (LkLossChart, lk_loss_chart, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_HISTORY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

double
lk_loss_chart_value_to_y (const graphene_rect_t *plot,
                          const LkChartAxis     *y_axis,
                          double                 value)
{
  g_return_val_if_fail (plot != NULL && y_axis != NULL, 0);

  return plot->origin.y + (1 - lk_chart_axis_to_fraction (y_axis, value)) * plot->size.height;
}

double
lk_loss_chart_iteration_to_x (const graphene_rect_t *plot,
                              const LkChartAxis     *x_axis,
                              double                 iteration)
{
  g_return_val_if_fail (plot != NULL && x_axis != NULL, 0);

  return plot->origin.x + lk_chart_axis_to_fraction (x_axis, iteration) * plot->size.width;
}

static void
drop_grid (LkLossChart *self)
{
  g_clear_pointer (&self->grid_node, gsk_render_node_unref);
}

static gboolean
redraw_cb (gpointer user_data)
{
  LkLossChart *self = user_data;

  self->redraw_source = 0;
  self->last_redraw_us = g_get_monotonic_time ();
  gtk_widget_queue_draw (GTK_WIDGET (self));

  return G_SOURCE_REMOVE;
}

/* Redraws now, or when the last redraw is 1/MAX_REDRAWS_PER_SECOND s old. */
static void
lk_loss_chart_queue_redraw (LkLossChart *self)
{
  gint64 interval = G_USEC_PER_SEC / MAX_REDRAWS_PER_SECOND;
  gint64 since = g_get_monotonic_time () - self->last_redraw_us;

  if (self->redraw_source != 0)
    return;

  if (since >= interval)
    redraw_cb (self);
  else
    {
      self->redraw_source = g_timeout_add ((guint) ((interval - since) / 1000) + 1, redraw_cb,
                                           self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->redraw_source),
                                "[likeness] loss chart redraw");
    }
}

static void
history_changed_cb (LkLossChart *self)
{
  lk_loss_chart_queue_redraw (self);
}

static void
foreground_color (GtkWidget *widget,
                  GdkRGBA   *color,
                  double     alpha)
{
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
  color->alpha *= alpha;
}

static PangoLayout *
tick_layout (LkLossChart       *self,
             const LkChartAxis *axis,
             double             value)
{
  g_autofree char *text = lk_chart_axis_format_tick (axis, value);
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);

  return layout;
}

/* Builds the grid and labels for @x and @y at the widget's size, and the
 * plot area they leave. */
static void
build_grid (LkLossChart       *self,
            int                width,
            int                height,
            const LkChartAxis *x,
            const LkChartAxis *y)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GArray) y_ticks = NULL;
  g_autoptr(GArray) x_ticks = NULL;
  g_autoptr(GPtrArray) y_layouts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) x_layouts = g_ptr_array_new_with_free_func (g_object_unref);
  GdkRGBA grid_color, label_color;
  int label_width = 0, label_height = 0;
  graphene_rect_t plot;

  foreground_color (GTK_WIDGET (self), &grid_color, 0.1);
  foreground_color (GTK_WIDGET (self), &label_color, 0.6);

  y_ticks = lk_chart_axis_get_ticks (y, MAX (2, (height - 40) / MIN_Y_TICK_SPACING));
  for (guint i = 0; i < y_ticks->len; i++)
    {
      PangoLayout *layout = tick_layout (self, y, g_array_index (y_ticks, double, i));
      int w, h;

      pango_layout_get_pixel_size (layout, &w, &h);
      label_width = MAX (label_width, w);
      label_height = MAX (label_height, h);
      g_ptr_array_add (y_layouts, layout);
    }

  plot = GRAPHENE_RECT_INIT (label_width + LABEL_GAP, PAD_TOP,
                             MAX (1, width - label_width - LABEL_GAP - PAD_RIGHT),
                             MAX (1, height - PAD_TOP - label_height - LABEL_GAP));

  x_ticks = lk_chart_axis_get_ticks (x, MAX (2, (int) plot.size.width / MIN_X_TICK_SPACING));
  for (guint i = 0; i < x_ticks->len; i++)
    g_ptr_array_add (x_layouts, tick_layout (self, x, g_array_index (x_ticks, double, i)));

  /* Horizontal lines and value labels. */
  for (guint i = 0; i < y_ticks->len; i++)
    {
      double ty = round (lk_loss_chart_value_to_y (&plot, y, g_array_index (y_ticks, double, i)));
      PangoLayout *layout = y_layouts->pdata[i];
      int w, h;

      gtk_snapshot_append_color (snapshot, &grid_color,
                                 &GRAPHENE_RECT_INIT (plot.origin.x, ty, plot.size.width, 1));
      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (label_width - w,
                                                    CLAMP (ty - h / 2.0, 0, height - h)));
      gtk_snapshot_append_layout (snapshot, layout, &label_color);
      gtk_snapshot_restore (snapshot);
    }

  /* Vertical lines and iteration labels. */
  for (guint i = 0; i < x_ticks->len; i++)
    {
      double tx = round (lk_loss_chart_iteration_to_x (&plot, x,
                                                       g_array_index (x_ticks, double, i)));
      PangoLayout *layout = x_layouts->pdata[i];
      int w, h;

      gtk_snapshot_append_color (snapshot, &grid_color,
                                 &GRAPHENE_RECT_INIT (tx, plot.origin.y, 1, plot.size.height));
      pango_layout_get_pixel_size (layout, &w, &h);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (CLAMP (tx - w / 2.0, 0, width - w),
                                                    plot.origin.y + plot.size.height + LABEL_GAP));
      gtk_snapshot_append_layout (snapshot, layout, &label_color);
      gtk_snapshot_restore (snapshot);
    }

  /* The base line. */
  foreground_color (GTK_WIDGET (self), &grid_color, 0.25);
  gtk_snapshot_append_color (snapshot, &grid_color,
                             &GRAPHENE_RECT_INIT (plot.origin.x,
                                                  plot.origin.y + plot.size.height,
                                                  plot.size.width, 1));

  drop_grid (self);
  self->grid_node = gtk_snapshot_to_node (snapshot);
  self->grid_width = width;
  self->grid_height = height;
  self->grid_x = *x;
  self->grid_y = *y;
  self->plot = plot;
  self->have_layout = TRUE;
}

/* One identity: the range of the raw values per pixel column (faint) and
 * the smoothed line. */
static void
draw_series (LkLossChart       *self,
             cairo_t           *cr,
             guint              first,
             guint              n,
             LkIdentity         identity,
             const char        *color_spec,
             double             scale)
{
  const LkChartAxis *x = &self->grid_x;
  const LkChartAxis *y = &self->grid_y;
  gboolean smoothing = lk_loss_history_get_smoothing (self->history) > 0;
  GdkRGBA color;

  gdk_rgba_parse (&color, color_spec);

  for (int pass = smoothing ? 0 : 1; pass < 2; pass++)
    {
      gboolean raw = pass == 0 || !smoothing;
      gboolean started = FALSE;
      double column = NAN, column_x = 0, lo = INFINITY, hi = -INFINITY, last = NAN;

      for (guint i = first; i <= first + n; i++)
        {
          double px = 0, c = NAN, v = NAN;

          if (i < first + n)
            {
              const LkLossPoint *p = lk_loss_history_get_point (self->history, i);

              px = lk_loss_chart_iteration_to_x (&self->plot, x, p->iteration);
              c = floor (px * scale);
              v = raw ? (identity == LK_IDENTITY_A ? p->loss_a : p->loss_b)
                      : lk_loss_history_get_smoothed (self->history, i, identity);
            }

          /* A new column (or the end): draw the one before. */
          if (c != column && !isnan (column) && lo <= hi)
            {
              double y_lo = lk_loss_chart_value_to_y (&self->plot, y, lo);
              double y_hi = lk_loss_chart_value_to_y (&self->plot, y, hi);
              double y_last = lk_loss_chart_value_to_y (&self->plot, y, last);

              if (!started)
                cairo_move_to (cr, column_x, raw ? y_lo : y_last);
              if (raw)
                {
                  cairo_line_to (cr, column_x, y_lo);
                  cairo_line_to (cr, column_x, y_hi);
                }
              else
                cairo_line_to (cr, column_x, y_last);
              started = TRUE;
              lo = INFINITY;
              hi = -INFINITY;
            }
          if (i == first + n)
            break;

          column = c;
          column_x = px;
          if (isfinite (v) && v > 0)
            {
              lo = MIN (lo, v);
              hi = MAX (hi, v);
              last = v;
            }
        }

      if (!started)
        continue;

      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
      if (raw && smoothing)
        {
          cairo_set_source_rgba (cr, color.red, color.green, color.blue, 0.3);
          cairo_set_line_width (cr, 1);
        }
      else
        {
          cairo_set_source_rgba (cr, color.red, color.green, color.blue, 1);
          cairo_set_line_width (cr, 2);
        }
      cairo_stroke (cr);
    }
}

static void
snapshot_empty (LkLossChart *self,
                GtkSnapshot *snapshot,
                int          width,
                int          height)
{
  g_autoptr(PangoLayout) layout = NULL;
  GdkRGBA color;
  int w, h;

  layout = gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                           _("No losses yet: they appear here while the model "
                                             "trains"));
  pango_layout_set_width (layout, MAX (1, width - 24) * PANGO_SCALE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_get_pixel_size (layout, &w, &h);
  foreground_color (GTK_WIDGET (self), &color, 0.55);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (12, MAX (0, (height - h) / 2)));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
}

static void
lk_loss_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LkLossChart *self = LK_LOSS_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double it_min, it_max, v_min, v_max;
  LkChartAxis x, y;
  guint first, n;
  cairo_t *cr;

  self->last_redraw_us = g_get_monotonic_time ();

  if (width <= 0 || height <= 0)
    return;

  if (self->history == NULL ||
      !lk_loss_history_get_visible (self->history, &first, &n) ||
      !lk_loss_history_get_iteration_range (self->history, &it_min, &it_max) ||
      !lk_loss_history_get_value_range (self->history, &v_min, &v_max))
    {
      snapshot_empty (self, snapshot, width, height);
      return;
    }

  lk_chart_axis_init_linear (&x, it_min, it_max, MAX (2, width / MIN_X_TICK_SPACING));
  if (lk_loss_history_get_window (self->history) > 0)
    {
      /* The window ends at the newest iteration; keep its start on the
       * grid rather than before it. */
      x.lo = MAX (x.lo, x.hi - lk_loss_history_get_window (self->history));
    }
  /* A little room, so that no line runs along the plot's edge. */
  lk_chart_axis_init_log (&y, v_min / 1.04, v_max * 1.04);

  if (self->grid_node == NULL || self->grid_width != width || self->grid_height != height ||
      !lk_chart_axis_equal (&x, &self->grid_x) || !lk_chart_axis_equal (&y, &self->grid_y))
    build_grid (self, width, height, &x, &y);

  if (self->grid_node != NULL)
    gtk_snapshot_append_node (snapshot, self->grid_node);

  /* Lines are 2 px wide: let them stick out of the plot a little. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (self->plot.origin.x - 2,
                                                                  self->plot.origin.y - 2,
                                                                  self->plot.size.width + 4,
                                                                  self->plot.size.height + 4));
  cairo_rectangle (cr, self->plot.origin.x, self->plot.origin.y - 2,
                   self->plot.size.width + 2, self->plot.size.height + 4);
  cairo_clip (cr);
  draw_series (self, cr, first, n, LK_IDENTITY_A, LK_LOSS_CHART_COLOR_A,
               gtk_widget_get_scale_factor (widget));
  draw_series (self, cr, first, n, LK_IDENTITY_B, LK_LOSS_CHART_COLOR_B,
               gtk_widget_get_scale_factor (widget));
  cairo_destroy (cr);
}

static void
lk_loss_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 200 : 160;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 260;
}

static void
lk_loss_chart_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lk_loss_chart_parent_class)->css_changed (widget, change);

  /* Colours and fonts of the labels. */
  drop_grid (LK_LOSS_CHART (widget));
  gtk_widget_queue_draw (widget);
}

GtkWidget *
lk_loss_chart_new (void)
{
  return g_object_new (LK_TYPE_LOSS_CHART, NULL);
}

LkLossHistory *
lk_loss_chart_get_history (LkLossChart *self)
{
  g_return_val_if_fail (LK_IS_LOSS_CHART (self), NULL);

  return self->history;
}

void
lk_loss_chart_set_history (LkLossChart   *self,
                           LkLossHistory *history)
{
  g_return_if_fail (LK_IS_LOSS_CHART (self));
  g_return_if_fail (history == NULL || LK_IS_LOSS_HISTORY (history));

  if (self->history == history)
    return;

  if (self->history != NULL)
    g_clear_signal_handler (&self->changed_id, self->history);
  g_set_object (&self->history, history);
  if (history != NULL)
    self->changed_id = g_signal_connect_swapped (history, "changed",
                                                 G_CALLBACK (history_changed_cb), self);

  drop_grid (self);
  self->have_layout = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HISTORY]);
}

gboolean
lk_loss_chart_get_layout (LkLossChart     *self,
                          graphene_rect_t *plot,
                          LkChartAxis     *x_axis,
                          LkChartAxis     *y_axis)
{
  g_return_val_if_fail (LK_IS_LOSS_CHART (self), FALSE);

  if (!self->have_layout)
    return FALSE;

  if (plot != NULL)
    *plot = self->plot;
  if (x_axis != NULL)
    *x_axis = self->grid_x;
  if (y_axis != NULL)
    *y_axis = self->grid_y;

  return TRUE;
}

static void
lk_loss_chart_dispose (GObject *object)
{
  LkLossChart *self = LK_LOSS_CHART (object);

  lk_loss_chart_set_history (self, NULL);
  g_clear_handle_id (&self->redraw_source, g_source_remove);
  drop_grid (self);

  G_OBJECT_CLASS (lk_loss_chart_parent_class)->dispose (object);
}

static void
lk_loss_chart_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkLossChart *self = LK_LOSS_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      g_value_set_object (value, self->history);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_loss_chart_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkLossChart *self = LK_LOSS_CHART (object);

  switch (prop_id)
    {
    case PROP_HISTORY:
      lk_loss_chart_set_history (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_loss_chart_class_init (LkLossChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_loss_chart_dispose;
  object_class->get_property = lk_loss_chart_get_property;
  object_class->set_property = lk_loss_chart_set_property;

  widget_class->snapshot = lk_loss_chart_snapshot;
  widget_class->measure = lk_loss_chart_measure;
  widget_class->css_changed = lk_loss_chart_css_changed;

  properties[PROP_HISTORY] =
    g_param_spec_object ("history", NULL, NULL, LK_TYPE_LOSS_HISTORY,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "losschart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lk_loss_chart_init (LkLossChart *self)
{
}
