/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-image"

#include "config.h"

#include <string.h>

#include "lk-image.h"

G_DEFINE_BOXED_TYPE (LkImage, lk_image, lk_image_copy, lk_image_free)

/* Rows are padded to 16 bytes so SIMD loops may read whole vectors. */
static gsize
aligned_stride (int width,
                int channels)
{
  return ((gsize) width * channels + 15) & ~(gsize) 15;
}

LkImage *
lk_image_new (int width,
              int height,
              int channels)
{
  LkImage *image;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (channels == 1 || channels == 3 || channels == 4, NULL);

  image = g_new0 (LkImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = aligned_stride (width, channels);
  image->data = g_malloc0 (image->stride * height);

  return image;
}

LkImage *
lk_image_copy (const LkImage *image)
{
  LkImage *copy;

  g_return_val_if_fail (image != NULL, NULL);

  copy = g_new0 (LkImage, 1);
  *copy = *image;
  copy->data = g_memdup2 (image->data, image->stride * image->height);

  return copy;
}

void
lk_image_free (LkImage *image)
{
  if (image == NULL)
    return;

  g_free (image->data);
  g_free (image);
}

void
lk_image_fill (LkImage *image,
               guint8   value)
{
  g_return_if_fail (image != NULL);

  memset (image->data, value, image->stride * image->height);
}

gboolean
lk_image_same_size (const LkImage *a,
                    const LkImage *b)
{
  return a->width == b->width && a->height == b->height && a->channels == b->channels;
}
