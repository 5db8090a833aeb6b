/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-pose-chart"

#include "config.h"

#include "lk-pose-chart.h"

#include <math.h>
#include <glib/gi18n.h>

#define AXIS_LEFT   34.0
#define AXIS_BOTTOM 20.0
#define GAP          1.0

struct _LkPoseChart
{
  GtkWidget       parent_instance;

  LkPoseCoverage *coverage;
  gboolean       *missing;    /* n_yaw x n_pitch, TRUE where a missing angle lies */
  GskRenderNode  *cache;      /* the chart at @cache_width x @cache_height */
  int             cache_width;
  int             cache_height;
};

G_DEFINE_FINAL_TYPE (LkPoseChart, lk_pose_chart, GTK_TYPE_WIDGET)

static void
append_label (GtkSnapshot *snapshot,
              PangoLayout *layout,
              const char  *text,
              double       x,
              double       y,
              double       xalign,
              const GdkRGBA *colour)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - xalign * width, y - height / 2.0));
  gtk_snapshot_append_layout (snapshot, layout, colour);
  gtk_snapshot_restore (snapshot);
}

static GskRenderNode *
lk_pose_chart_render (LkPoseChart *self,
                      int          width,
                      int          height)
{
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
  const LkPoseCoverage *cov = self->coverage;
  GdkRGBA fg, accent, warning, empty;
  double plot_w = width - AXIS_LEFT;
  double plot_h = height - AXIS_BOTTOM;
  double cell_w, cell_h;
  guint max_count = 0;
  PangoAttrList *attrs;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (style, &fg);
  if (!gtk_style_context_lookup_color (style, "accent_bg_color", &accent))
    accent = (GdkRGBA) { 0.21, 0.52, 0.89, 1.0 };
  if (!gtk_style_context_lookup_color (style, "warning_color", &warning))
    warning = (GdkRGBA) { 0.8, 0.5, 0.0, 1.0 };
  G_GNUC_END_IGNORE_DEPRECATIONS
  empty = fg;
  empty.alpha = 0.06;

  attrs = pango_attr_list_new ();
  pango_attr_list_insert (attrs, pango_attr_scale_new (0.75));
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum=1"));
  pango_layout_set_attributes (layout, attrs);
  pango_attr_list_unref (attrs);

  if (cov == NULL || cov->n_yaw <= 0 || cov->n_pitch <= 0 || plot_w <= 0 || plot_h <= 0)
    return NULL;

  cell_w = plot_w / cov->n_yaw;
  cell_h = plot_h / cov->n_pitch;
  for (int i = 0; i < cov->n_yaw * cov->n_pitch; i++)
    max_count = MAX (max_count, cov->counts[i]);

  for (int r = 0; r < cov->n_pitch; r++)
    for (int c = 0; c < cov->n_yaw; c++)
      {
        guint count = lk_pose_coverage_count (cov, c, r);
        /* Pitch grows upwards. */
        graphene_rect_t rect = GRAPHENE_RECT_INIT (AXIS_LEFT + c * cell_w + GAP / 2,
                                                   (cov->n_pitch - 1 - r) * cell_h + GAP / 2,
                                                   cell_w - GAP, cell_h - GAP);

        if (count > 0)
          {
            GdkRGBA colour = accent;

            colour.alpha = 0.25 + 0.75 * log1p (count) / log1p (max_count);
            gtk_snapshot_append_color (snapshot, &colour, &rect);
          }
        else if (self->missing[r * cov->n_yaw + c])
          {
            GdkRGBA fill = warning;
            GskRoundedRect outline;
            float widths[4] = { 1.5, 1.5, 1.5, 1.5 };
            GdkRGBA colours[4] = { warning, warning, warning, warning };

            fill.alpha = 0.18;
            gtk_snapshot_append_color (snapshot, &fill, &rect);
            gsk_rounded_rect_init_from_rect (&outline, &rect, 0);
            gtk_snapshot_append_border (snapshot, &outline, widths, colours);
          }
        else
          {
            gtk_snapshot_append_color (snapshot, &empty, &rect);
          }
      }

  /* Axes: yaw below, pitch on the left, at -60/-30/0/30/60 and the ends. */
  {
    GdkRGBA dim = fg;

    dim.alpha = 0.7;
    for (double yaw = cov->yaw_min; yaw <= cov->yaw_max + 0.01; yaw += 45.0)
      {
        double x = AXIS_LEFT + (yaw - cov->yaw_min) / (cov->yaw_max - cov->yaw_min) * plot_w;
        g_autofree char *text = g_strdup_printf ("%+.0f°", yaw);
        double xalign = yaw <= cov->yaw_min + 0.01 ? 0.0 : yaw >= cov->yaw_max - 0.01 ? 1.0 : 0.5;

        append_label (snapshot, layout, yaw == 0 ? "0°" : text, x, plot_h + AXIS_BOTTOM / 2,
                      xalign, &dim);
      }
    for (double pitch = cov->pitch_min; pitch <= cov->pitch_max + 0.01; pitch += 30.0)
      {
        double y = plot_h - (pitch - cov->pitch_min) / (cov->pitch_max - cov->pitch_min) * plot_h;
        g_autofree char *text = g_strdup_printf ("%+.0f°", pitch);

        y = CLAMP (y, 6, plot_h - 6);
        append_label (snapshot, layout, pitch == 0 ? "0°" : text, AXIS_LEFT - 4, y, 1.0, &dim);
      }
  }

  return gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
}

static void
lk_pose_chart_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LkPoseChart *self = LK_POSE_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (self->cache == NULL || self->cache_width != width || self->cache_height != height)
    {
      g_clear_pointer (&self->cache, gsk_render_node_unref);
      self->cache = lk_pose_chart_render (self, width, height);
      self->cache_width = width;
      self->cache_height = height;
    }

  if (self->cache != NULL)
    gtk_snapshot_append_node (snapshot, self->cache);
}

static void
lk_pose_chart_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 180;
      *natural = 300;
    }
  else
    {
      /* Square bins: 18 x 12 of them. */
      int width = for_size > 0 ? for_size : 300;

      *minimum = 100;
      *natural = (int) ((width - AXIS_LEFT) * 12.0 / 18.0 + AXIS_BOTTOM);
    }
}

static GtkSizeRequestMode
lk_pose_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lk_pose_chart_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  LkPoseChart *self = LK_POSE_CHART (widget);

  GTK_WIDGET_CLASS (lk_pose_chart_parent_class)->css_changed (widget, change);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  gtk_widget_queue_draw (widget);
}

GtkWidget *
lk_pose_chart_new (void)
{
  return g_object_new (LK_TYPE_POSE_CHART, NULL);
}

void
lk_pose_chart_set_coverage (LkPoseChart    *self,
                            LkPoseCoverage *coverage)
{
  g_return_if_fail (LK_IS_POSE_CHART (self));

  g_clear_pointer (&self->coverage, lk_pose_coverage_free);
  g_clear_pointer (&self->missing, g_free);
  g_clear_pointer (&self->cache, gsk_render_node_unref);
  self->coverage = coverage;

  if (coverage != NULL)
    {
      self->missing = g_new0 (gboolean, (gsize) coverage->n_yaw * coverage->n_pitch);
      for (guint i = 0; coverage->missing != NULL && i < coverage->missing->len; i++)
        {
          const LkPoseBin *bin = &g_array_index (coverage->missing, LkPoseBin, i);

          self->missing[bin->pitch_bin * coverage->n_yaw + bin->yaw_bin] = TRUE;
        }
    }

  gtk_widget_queue_draw (GTK_WIDGET (self));
}

const LkPoseCoverage *
lk_pose_chart_get_coverage (LkPoseChart *self)
{
  g_return_val_if_fail (LK_IS_POSE_CHART (self), NULL);

  return self->coverage;
}

static void
lk_pose_chart_finalize (GObject *object)
{
  LkPoseChart *self = LK_POSE_CHART (object);

  g_clear_pointer (&self->coverage, lk_pose_coverage_free);
  g_clear_pointer (&self->missing, g_free);
  g_clear_pointer (&self->cache, gsk_render_node_unref);

  G_OBJECT_CLASS (lk_pose_chart_parent_class)->finalize (object);
}

static void
lk_pose_chart_class_init (LkPoseChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lk_pose_chart_finalize;
  widget_class->snapshot = lk_pose_chart_snapshot;
  widget_class->measure = lk_pose_chart_measure;
  widget_class->get_request_mode = lk_pose_chart_get_request_mode;
  widget_class->css_changed = lk_pose_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "posechart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lk_pose_chart_init (LkPoseChart *self)
{
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Included faces by head turn (left–right) and tilt "
                                 "(up–down); outlined cells are nearby angles with no faces"));
}
