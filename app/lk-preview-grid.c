/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-preview-grid"

#include "config.h"

#include "lk-preview-grid.h"

#include <math.h>

#include "lk-trainer.h"

#define N_COLUMNS LK_TRAINER_PREVIEW_COLUMNS
#define LABEL_GAP 4
#define NATURAL_WIDTH 420

struct _LkPreviewGrid
{
  GtkWidget   parent_instance;

  GdkTexture *texture;

  /* template widgets */
  GtkWidget  *label_a;
  GtkWidget  *label_aa;
  GtkWidget  *label_ab;
  GtkWidget  *label_b;
  GtkWidget  *label_bb;
  GtkWidget  *label_ba;
  GtkPicture *picture;
};

G_DEFINE_FINAL_TYPE (LkPreviewGrid, lk_preview_grid, GTK_TYPE_WIDGET)

GdkTexture *
lk_texture_new_for_image (const LkImage *image)
{
  g_autoptr(GBytes) bytes = NULL;
  GdkMemoryFormat format;
  gsize stride;

  g_return_val_if_fail (image != NULL, NULL);
  g_return_val_if_fail (image->width > 0 && image->height > 0, NULL);

  switch (image->channels)
    {
    case 3:
      format = GDK_MEMORY_R8G8B8;
      stride = image->stride;
      bytes = g_bytes_new (image->data, image->stride * image->height);
      break;

    case 4:
      format = GDK_MEMORY_R8G8B8A8;
      stride = image->stride;
      bytes = g_bytes_new (image->data, image->stride * image->height);
      break;

    case 1:
      {
        /* GTK 4.8 has no grey format. */
        guint8 *rgb;

        format = GDK_MEMORY_R8G8B8;
        stride = (gsize) image->width * 3;
        rgb = g_malloc (stride * image->height);
        for (int y = 0; y < image->height; y++)
          {
            const guint8 *src = lk_image_row (image, y);
            guint8 *dst = rgb + (gsize) y * stride;

            for (int x = 0; x < image->width; x++)
              dst[3 * x] = dst[3 * x + 1] = dst[3 * x + 2] = src[x];
          }
        bytes = g_bytes_new_take (rgb, stride * image->height);
      }
      break;

    default:
      g_return_val_if_reached (NULL);
    }

  return gdk_memory_texture_new (image->width, image->height, format, bytes, stride);
}

static GtkWidget **
column_labels (LkPreviewGrid *self,
               GtkWidget     *labels[N_COLUMNS])
{
  labels[0] = self->label_a;
  labels[1] = self->label_aa;
  labels[2] = self->label_ab;
  labels[3] = self->label_b;
  labels[4] = self->label_bb;
  labels[5] = self->label_ba;

  return labels;
}

static void
image_size (LkPreviewGrid *self,
            double        *width,
            double        *height)
{
  if (self->texture != NULL)
    {
      *width = gdk_texture_get_width (self->texture);
      *height = gdk_texture_get_height (self->texture);
    }
  else
    {
      /* Square cells, as the trainer makes them. */
      *width = N_COLUMNS * 128;
      *height = LK_TRAINER_PREVIEW_ROWS * 128;
    }
}

static int
label_height (LkPreviewGrid *self)
{
  GtkWidget *labels[N_COLUMNS];
  int height = 0;

  column_labels (self, labels);
  for (int i = 0; i < N_COLUMNS; i++)
    {
      int natural;

      gtk_widget_measure (labels[i], GTK_ORIENTATION_VERTICAL, -1, NULL, &natural, NULL, NULL);
      height = MAX (height, natural);
    }

  return height;
}

static GtkSizeRequestMode
lk_preview_grid_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
lk_preview_grid_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  LkPreviewGrid *self = LK_PREVIEW_GRID (widget);
  double iw, ih;

  image_size (self, &iw, &ih);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      GtkWidget *labels[N_COLUMNS];
      int widest = 0;

      column_labels (self, labels);
      for (int i = 0; i < N_COLUMNS; i++)
        {
          int min;

          gtk_widget_measure (labels[i], GTK_ORIENTATION_HORIZONTAL, -1, &min, NULL, NULL, NULL);
          widest = MAX (widest, min);
        }
      /* Not wider than a panel next to the loss chart wants to be: the
       * picture grows to the width it gets. */
      *minimum = MAX (widest * N_COLUMNS, 120);
      *natural = MAX (*minimum, (int) MIN (iw, NATURAL_WIDTH));
    }
  else
    {
      int header = label_height (self) + LABEL_GAP;
      double width = for_size >= 0 ? for_size : iw;

      *minimum = header + (int) ceil (width * ih / iw);
      *natural = *minimum;
    }
}

static void
lk_preview_grid_size_allocate (GtkWidget *widget,
                               int        width,
                               int        height,
                               int        baseline)
{
  LkPreviewGrid *self = LK_PREVIEW_GRID (widget);
  GtkWidget *labels[N_COLUMNS];
  int header = label_height (self);
  double iw, ih, scale, rw, rh, x0;

  image_size (self, &iw, &ih);
  scale = MIN (width / iw, MAX (1, height - header - LABEL_GAP) / ih);
  rw = floor (iw * scale);
  rh = floor (ih * scale);
  x0 = floor ((width - rw) / 2);

  column_labels (self, labels);
  for (int i = 0; i < N_COLUMNS; i++)
    {
      int x = (int) (x0 + i * rw / N_COLUMNS);
      int next = (int) (x0 + (i + 1) * rw / N_COLUMNS);

      /* GTK wants every child measured before it is allocated. */
      gtk_widget_measure (labels[i], GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL, NULL, NULL);

      gtk_widget_size_allocate (labels[i], &(GtkAllocation) { x, 0, next - x, header }, -1);
    }

  gtk_widget_measure (GTK_WIDGET (self->picture), GTK_ORIENTATION_HORIZONTAL, -1, NULL, NULL,
                      NULL, NULL);
  gtk_widget_size_allocate (GTK_WIDGET (self->picture),
                            &(GtkAllocation) { (int) x0, header + LABEL_GAP, (int) rw, (int) rh },
                            -1);
}

GtkWidget *
lk_preview_grid_new (void)
{
  return g_object_new (LK_TYPE_PREVIEW_GRID, NULL);
}

void
lk_preview_grid_set_image (LkPreviewGrid *self,
                           const LkImage *image)
{
  g_return_if_fail (LK_IS_PREVIEW_GRID (self));

  g_clear_object (&self->texture);
  if (image != NULL)
    self->texture = lk_texture_new_for_image (image);

  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->texture));
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GdkTexture *
lk_preview_grid_get_texture (LkPreviewGrid *self)
{
  g_return_val_if_fail (LK_IS_PREVIEW_GRID (self), NULL);

  return self->texture;
}

static void
lk_preview_grid_dispose (GObject *object)
{
  LkPreviewGrid *self = LK_PREVIEW_GRID (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_PREVIEW_GRID);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (lk_preview_grid_parent_class)->dispose (object);
}

static void
lk_preview_grid_class_init (LkPreviewGridClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_preview_grid_dispose;

  widget_class->get_request_mode = lk_preview_grid_get_request_mode;
  widget_class->measure = lk_preview_grid_measure;
  widget_class->size_allocate = lk_preview_grid_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-preview-grid.ui");
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_a);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_aa);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_ab);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_b);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_bb);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, label_ba);
  gtk_widget_class_bind_template_child (widget_class, LkPreviewGrid, picture);
  gtk_widget_class_set_css_name (widget_class, "previewgrid");
}

static void
lk_preview_grid_init (LkPreviewGrid *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
