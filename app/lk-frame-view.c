/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-frame-view"

#include "config.h"

#include "lk-frame-view.h"

#include <math.h>
#include <glib/gi18n.h>

#define HANDLE_RADIUS 14.0
#define LABEL_MARGIN  10.0

struct _LkFrameView
{
  GtkWidget        parent_instance;

  GdkTexture      *original;
  GdkTexture      *result;
  GdkTexture      *overlay;
  graphene_rect_t  overlay_rect;

  gboolean         show_overlay;
  gboolean         split_view;
  double           split_position;
  double           drag_start_position;

  PangoLayout     *before_layout;
  PangoLayout     *after_layout;
};

G_DEFINE_FINAL_TYPE (LkFrameView, lk_frame_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_OVERLAY,
  PROP_SPLIT_VIEW,
  PROP_SPLIT_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Where the frame goes: scaled to fit, centred, on device pixels. */
static gboolean
lk_frame_view_get_frame_rect (LkFrameView     *self,
                              graphene_rect_t *rect)
{
  GtkWidget *widget = GTK_WIDGET (self);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double scale_factor = gtk_widget_get_scale_factor (widget);
  double frame_width, frame_height, scale, x0, y0, x1, y1;

  if (self->original == NULL || width <= 0 || height <= 0)
    return FALSE;

  frame_width = gdk_texture_get_width (self->original);
  frame_height = gdk_texture_get_height (self->original);
  scale = MIN (width / frame_width, height / frame_height);

  x0 = round ((width - frame_width * scale) / 2 * scale_factor) / scale_factor;
  y0 = round ((height - frame_height * scale) / 2 * scale_factor) / scale_factor;
  x1 = round ((width + frame_width * scale) / 2 * scale_factor) / scale_factor;
  y1 = round ((height + frame_height * scale) / 2 * scale_factor) / scale_factor;
  graphene_rect_init (rect, x0, y0, x1 - x0, y1 - y0);

  return rect->size.width > 0 && rect->size.height > 0;
}

static double
lk_frame_view_get_split_x (LkFrameView           *self,
                           const graphene_rect_t *frame)
{
  double scale_factor = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  double x = frame->origin.x + frame->size.width * self->split_position;

  return round (x * scale_factor) / scale_factor;
}

static void
append_label (GtkSnapshot *snapshot,
              PangoLayout *layout,
              double       x,
              double       y)
{
  PangoRectangle ink, logical;
  GskRoundedRect pill;
  const GdkRGBA background = { 0, 0, 0, 0.6 };
  const GdkRGBA foreground = { 1, 1, 1, 1 };
  double padding_x = 8, padding_y = 3;

  pango_layout_get_pixel_extents (layout, &ink, &logical);
  gsk_rounded_rect_init_from_rect (&pill,
                                   &GRAPHENE_RECT_INIT (x, y,
                                                        logical.width + 2 * padding_x,
                                                        logical.height + 2 * padding_y),
                                   (logical.height + 2 * padding_y) / 2);
  gtk_snapshot_push_rounded_clip (snapshot, &pill);
  gtk_snapshot_append_color (snapshot, &background, &pill.bounds);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + padding_x, y + padding_y));
  gtk_snapshot_append_layout (snapshot, layout, &foreground);
  gtk_snapshot_restore (snapshot);
}

static void
append_divider (LkFrameView           *self,
                GtkSnapshot           *snapshot,
                const graphene_rect_t *frame,
                double                 split_x)
{
  const GdkRGBA white = { 1, 1, 1, 0.95 };
  const GdkRGBA shade = { 0, 0, 0, 0.35 };
  const GdkRGBA arrow = { 0.2, 0.2, 0.2, 1 };
  double cy = frame->origin.y + frame->size.height / 2;
  GskRoundedRect handle;
  PangoRectangle logical;
  double label_y = frame->origin.y + LABEL_MARGIN;

  /* The line, with a soft shade on each side so it shows on light frames. */
  gtk_snapshot_append_color (snapshot, &shade,
                             &GRAPHENE_RECT_INIT (split_x - 2, frame->origin.y, 4,
                                                  frame->size.height));
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (split_x - 1, frame->origin.y, 2,
                                                  frame->size.height));

  /* The handle: a white disc with two small arrows. */
  gsk_rounded_rect_init_from_rect (&handle,
                                   &GRAPHENE_RECT_INIT (split_x - HANDLE_RADIUS - 1,
                                                        cy - HANDLE_RADIUS - 1,
                                                        2 * HANDLE_RADIUS + 2,
                                                        2 * HANDLE_RADIUS + 2),
                                   HANDLE_RADIUS + 1);
  gtk_snapshot_push_rounded_clip (snapshot, &handle);
  gtk_snapshot_append_color (snapshot, &shade, &handle.bounds);
  gtk_snapshot_pop (snapshot);
  gsk_rounded_rect_init_from_rect (&handle,
                                   &GRAPHENE_RECT_INIT (split_x - HANDLE_RADIUS,
                                                        cy - HANDLE_RADIUS,
                                                        2 * HANDLE_RADIUS, 2 * HANDLE_RADIUS),
                                   HANDLE_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &handle);
  gtk_snapshot_append_color (snapshot, &white, &handle.bounds);
  gtk_snapshot_pop (snapshot);

  for (int side = -1; side <= 1; side += 2)
    {
      /* A small triangle drawn as a stack of one-pixel columns. */
      for (int i = 0; i < 5; i++)
        {
          double x = split_x + side * (3 + i);
          double half = 4.5 - i;

          gtk_snapshot_append_color (snapshot, &arrow,
                                     &GRAPHENE_RECT_INIT (side < 0 ? x - 1 : x, cy - half,
                                                          1, 2 * half));
        }
    }

  /* "Before" and "After" in the top corners, when there is room. */
  pango_layout_get_pixel_extents (self->before_layout, NULL, &logical);
  if (split_x - frame->origin.x > logical.width + 2 * LABEL_MARGIN + 16)
    append_label (snapshot, self->before_layout, frame->origin.x + LABEL_MARGIN, label_y);
  pango_layout_get_pixel_extents (self->after_layout, NULL, &logical);
  if (frame->origin.x + frame->size.width - split_x > logical.width + 2 * LABEL_MARGIN + 16)
    append_label (snapshot, self->after_layout,
                  frame->origin.x + frame->size.width - LABEL_MARGIN - logical.width - 16,
                  label_y);
}

static void
lk_frame_view_snapshot (GtkWidget   *widget,
                        GtkSnapshot *snapshot)
{
  LkFrameView *self = LK_FRAME_VIEW (widget);
  graphene_rect_t frame;
  graphene_rect_t result_side;
  GdkTexture *shown;
  gboolean split;
  double split_x = 0;

  if (!lk_frame_view_get_frame_rect (self, &frame))
    return;

  shown = self->result != NULL ? self->result : self->original;
  split = self->split_view && self->result != NULL;
  result_side = frame;

  if (split)
    {
      split_x = lk_frame_view_get_split_x (self, &frame);

      gtk_snapshot_push_clip (snapshot,
                              &GRAPHENE_RECT_INIT (frame.origin.x, frame.origin.y,
                                                   split_x - frame.origin.x, frame.size.height));
      gtk_snapshot_append_texture (snapshot, self->original, &frame);
      gtk_snapshot_pop (snapshot);

      graphene_rect_init (&result_side, split_x, frame.origin.y,
                          frame.origin.x + frame.size.width - split_x, frame.size.height);
    }

  gtk_snapshot_push_clip (snapshot, &result_side);
  gtk_snapshot_append_texture (snapshot, shown, &frame);

  if (self->show_overlay && self->overlay != NULL && self->result != NULL)
    {
      double scale = frame.size.width / gdk_texture_get_width (self->original);
      graphene_rect_t bounds;

      graphene_rect_init (&bounds,
                          frame.origin.x + self->overlay_rect.origin.x * scale,
                          frame.origin.y + self->overlay_rect.origin.y * scale,
                          self->overlay_rect.size.width * scale,
                          self->overlay_rect.size.height * scale);
      gtk_snapshot_append_texture (snapshot, self->overlay, &bounds);
    }
  gtk_snapshot_pop (snapshot);

  if (split)
    append_divider (self, snapshot, &frame, split_x);
}

static void
lk_frame_view_measure (GtkWidget      *widget,
                       GtkOrientation  orientation,
                       int             for_size,
                       int            *minimum,
                       int            *natural,
                       int            *minimum_baseline,
                       int            *natural_baseline)
{
  *minimum = 64;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 270;
}

static void
drag_begin_cb (GtkGestureDrag *gesture,
               double          x,
               double          y,
               LkFrameView    *self)
{
  graphene_rect_t frame;

  if (!self->split_view || self->result == NULL || !lk_frame_view_get_frame_rect (self, &frame))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }

  /* A press away from the divider moves it there at once. */
  if (fabs (x - lk_frame_view_get_split_x (self, &frame)) > HANDLE_RADIUS)
    lk_frame_view_set_split_position (self, (x - frame.origin.x) / frame.size.width);
  self->drag_start_position = self->split_position;
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
drag_update_cb (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                LkFrameView    *self)
{
  graphene_rect_t frame;

  if (!lk_frame_view_get_frame_rect (self, &frame))
    return;

  lk_frame_view_set_split_position (self,
                                    self->drag_start_position + offset_x / frame.size.width);
}

static void
lk_frame_view_update_cursor (LkFrameView *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self),
                                   self->split_view && self->result != NULL
                                   ? "col-resize" : NULL);
}

static void
lk_frame_view_update_labels (LkFrameView *self)
{
  g_clear_object (&self->before_layout);
  g_clear_object (&self->after_layout);
  /* Translators: over the original half of the before/after preview */
  self->before_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("Before"));
  /* Translators: over the swapped half of the before/after preview */
  self->after_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("After"));
}

GtkWidget *
lk_frame_view_new (void)
{
  return g_object_new (LK_TYPE_FRAME_VIEW, NULL);
}

void
lk_frame_view_set_frame (LkFrameView *self,
                         GdkTexture  *original,
                         GdkTexture  *result)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));
  g_return_if_fail (original == NULL || GDK_IS_TEXTURE (original));
  g_return_if_fail (result == NULL || GDK_IS_TEXTURE (result));
  g_return_if_fail (result == NULL || original != NULL);

  g_set_object (&self->original, original);
  g_set_object (&self->result, result);
  lk_frame_view_update_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GdkTexture *
lk_frame_view_get_original (LkFrameView *self)
{
  g_return_val_if_fail (LK_IS_FRAME_VIEW (self), NULL);

  return self->original;
}

GdkTexture *
lk_frame_view_get_result (LkFrameView *self)
{
  g_return_val_if_fail (LK_IS_FRAME_VIEW (self), NULL);

  return self->result;
}

void
lk_frame_view_set_overlay (LkFrameView           *self,
                           GdkTexture            *overlay,
                           const graphene_rect_t *rect)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));
  g_return_if_fail (overlay == NULL || rect != NULL);

  g_set_object (&self->overlay, overlay);
  if (overlay != NULL)
    self->overlay_rect = *rect;
  if (self->show_overlay)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
lk_frame_view_clear (LkFrameView *self)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));

  lk_frame_view_set_overlay (self, NULL, NULL);
  lk_frame_view_set_frame (self, NULL, NULL);
}

gboolean
lk_frame_view_get_show_overlay (LkFrameView *self)
{
  g_return_val_if_fail (LK_IS_FRAME_VIEW (self), FALSE);

  return self->show_overlay;
}

void
lk_frame_view_set_show_overlay (LkFrameView *self,
                                gboolean     show_overlay)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));

  show_overlay = !!show_overlay;
  if (self->show_overlay == show_overlay)
    return;

  self->show_overlay = show_overlay;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_OVERLAY]);
}

gboolean
lk_frame_view_get_split_view (LkFrameView *self)
{
  g_return_val_if_fail (LK_IS_FRAME_VIEW (self), FALSE);

  return self->split_view;
}

void
lk_frame_view_set_split_view (LkFrameView *self,
                              gboolean     split_view)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));

  split_view = !!split_view;
  if (self->split_view == split_view)
    return;

  self->split_view = split_view;
  lk_frame_view_update_cursor (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPLIT_VIEW]);
}

double
lk_frame_view_get_split_position (LkFrameView *self)
{
  g_return_val_if_fail (LK_IS_FRAME_VIEW (self), 0.5);

  return self->split_position;
}

void
lk_frame_view_set_split_position (LkFrameView *self,
                                  double       position)
{
  g_return_if_fail (LK_IS_FRAME_VIEW (self));

  position = CLAMP (position, 0.0, 1.0);
  if (self->split_position == position)
    return;

  self->split_position = position;
  if (self->split_view)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPLIT_POSITION]);
}

static void
lk_frame_view_css_changed (GtkWidget         *widget,
                           GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (lk_frame_view_parent_class)->css_changed (widget, change);

  /* Fonts follow the theme and the text scale. */
  lk_frame_view_update_labels (LK_FRAME_VIEW (widget));
  gtk_widget_queue_draw (widget);
}

static void
lk_frame_view_dispose (GObject *object)
{
  LkFrameView *self = LK_FRAME_VIEW (object);

  g_clear_object (&self->original);
  g_clear_object (&self->result);
  g_clear_object (&self->overlay);
  g_clear_object (&self->before_layout);
  g_clear_object (&self->after_layout);

  G_OBJECT_CLASS (lk_frame_view_parent_class)->dispose (object);
}

static void
lk_frame_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkFrameView *self = LK_FRAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_OVERLAY:
      g_value_set_boolean (value, self->show_overlay);
      break;

    case PROP_SPLIT_VIEW:
      g_value_set_boolean (value, self->split_view);
      break;

    case PROP_SPLIT_POSITION:
      g_value_set_double (value, self->split_position);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_frame_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkFrameView *self = LK_FRAME_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_OVERLAY:
      lk_frame_view_set_show_overlay (self, g_value_get_boolean (value));
      break;

    case PROP_SPLIT_VIEW:
      lk_frame_view_set_split_view (self, g_value_get_boolean (value));
      break;

    case PROP_SPLIT_POSITION:
      lk_frame_view_set_split_position (self, g_value_get_double (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_frame_view_class_init (LkFrameViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_frame_view_dispose;
  object_class->get_property = lk_frame_view_get_property;
  object_class->set_property = lk_frame_view_set_property;

  widget_class->snapshot = lk_frame_view_snapshot;
  widget_class->measure = lk_frame_view_measure;
  widget_class->css_changed = lk_frame_view_css_changed;

  properties[PROP_SHOW_OVERLAY] =
    g_param_spec_boolean ("show-overlay", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SPLIT_VIEW] =
    g_param_spec_boolean ("split-view", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SPLIT_POSITION] =
    g_param_spec_double ("split-position", NULL, NULL, 0.0, 1.0, 0.5,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "frameview");
}

static void
lk_frame_view_init (LkFrameView *self)
{
  GtkGesture *drag;

  self->split_position = 0.5;
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);

  drag = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), GDK_BUTTON_PRIMARY);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  lk_frame_view_update_labels (self);
}
