/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-figure"

#include "config.h"

#include "lk-face-figure.h"

#include <math.h>

struct _LkFaceFigure
{
  GtkWidget   parent_instance;

  GdkTexture *texture;
  float      *points;
  guint       n_points;
  float       box[4];
  gboolean    has_box;
  gboolean    show_points;
};

G_DEFINE_FINAL_TYPE (LkFaceFigure, lk_face_figure, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_POINTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
lk_face_figure_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  LkFaceFigure *self = LK_FACE_FIGURE (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  int tw, th;
  double scale, x0, y0;
  cairo_t *cr;

  if (self->texture == NULL || width <= 0 || height <= 0)
    return;

  tw = gdk_texture_get_width (self->texture);
  th = gdk_texture_get_height (self->texture);
  scale = MIN ((double) width / tw, (double) height / th);
  x0 = floor ((width - tw * scale) / 2);
  y0 = floor ((height - th * scale) / 2);

  gtk_snapshot_append_texture (snapshot, self->texture,
                               &GRAPHENE_RECT_INIT (x0, y0, tw * scale, th * scale));

  if (!self->show_points || (self->n_points == 0 && !self->has_box))
    return;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x0, y0, tw * scale, th * scale));
  cairo_translate (cr, x0, y0);
  if (self->has_box)
    {
      cairo_set_source_rgba (cr, 0.2, 0.82, 0.48, 0.9);
      cairo_set_line_width (cr, 2.0);
      cairo_rectangle (cr, self->box[0] * scale, self->box[1] * scale,
                       self->box[2] * scale, self->box[3] * scale);
      cairo_stroke (cr);
    }
  cairo_set_source_rgba (cr, 1.0, 0.85, 0.2, 0.95);
  for (guint i = 0; i < self->n_points; i++)
    {
      cairo_arc (cr, self->points[2 * i] * scale, self->points[2 * i + 1] * scale,
                 MAX (1.5, MIN (3.0, scale * 2.0)), 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_destroy (cr);
}

static void
lk_face_figure_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  LkFaceFigure *self = LK_FACE_FIGURE (widget);
  double aspect = 1.0;

  if (self->texture != NULL)
    aspect = (double) gdk_texture_get_width (self->texture) / gdk_texture_get_height (self->texture);

  *minimum = 64;
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *natural = 256;
  else
    *natural = (int) ((for_size > 0 ? for_size : 256) / aspect);
}

static GtkSizeRequestMode
lk_face_figure_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

GtkWidget *
lk_face_figure_new (void)
{
  return g_object_new (LK_TYPE_FACE_FIGURE, NULL);
}

void
lk_face_figure_set_texture (LkFaceFigure *self,
                            GdkTexture   *texture)
{
  g_return_if_fail (LK_IS_FACE_FIGURE (self));

  if (g_set_object (&self->texture, texture))
    {
      gtk_widget_queue_resize (GTK_WIDGET (self));
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
lk_face_figure_set_points (LkFaceFigure *self,
                           const float  *points,
                           guint         n_points)
{
  g_return_if_fail (LK_IS_FACE_FIGURE (self));

  g_clear_pointer (&self->points, g_free);
  self->n_points = points != NULL ? n_points : 0;
  if (self->n_points > 0)
    self->points = g_memdup2 (points, sizeof (float) * 2 * n_points);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lk_face_figure_set_box (LkFaceFigure *self,
                        const float  *box)
{
  g_return_if_fail (LK_IS_FACE_FIGURE (self));

  self->has_box = box != NULL;
  if (box != NULL)
    memcpy (self->box, box, sizeof self->box);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lk_face_figure_set_show_points (LkFaceFigure *self,
                                gboolean      show_points)
{
  g_return_if_fail (LK_IS_FACE_FIGURE (self));

  show_points = !!show_points;
  if (self->show_points == show_points)
    return;

  self->show_points = show_points;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_POINTS]);
}

gboolean
lk_face_figure_get_show_points (LkFaceFigure *self)
{
  g_return_val_if_fail (LK_IS_FACE_FIGURE (self), FALSE);

  return self->show_points;
}

static void
lk_face_figure_finalize (GObject *object)
{
  LkFaceFigure *self = LK_FACE_FIGURE (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->points, g_free);

  G_OBJECT_CLASS (lk_face_figure_parent_class)->finalize (object);
}

static void
lk_face_figure_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LkFaceFigure *self = LK_FACE_FIGURE (object);

  switch (prop_id)
    {
    case PROP_SHOW_POINTS:
      g_value_set_boolean (value, self->show_points);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_figure_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  LkFaceFigure *self = LK_FACE_FIGURE (object);

  switch (prop_id)
    {
    case PROP_SHOW_POINTS:
      lk_face_figure_set_show_points (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_figure_class_init (LkFaceFigureClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = lk_face_figure_finalize;
  object_class->get_property = lk_face_figure_get_property;
  object_class->set_property = lk_face_figure_set_property;
  widget_class->snapshot = lk_face_figure_snapshot;
  widget_class->measure = lk_face_figure_measure;
  widget_class->get_request_mode = lk_face_figure_get_request_mode;

  properties[PROP_SHOW_POINTS] =
    g_param_spec_boolean ("show-points", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "facefigure");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
lk_face_figure_init (LkFaceFigure *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}
