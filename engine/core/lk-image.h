/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * LkImage:
 * @width: pixels per row
 * @height: rows
 * @channels: 1 (grey), 3 (RGB) or 4 (RGBA), 8 bits each
 * @stride: bytes from one row to the next (at least @width * @channels)
 * @data: the pixels, owned by the image
 *
 * A plain 8-bit image buffer. All CPU pixel work (warp, mask, blend, colour)
 * is done on these. Value-like: copy with lk_image_copy(), free with
 * lk_image_free().
 */
typedef struct
{
  int     width;
  int     height;
  int     channels;
  gsize   stride;
  guint8 *data;
} LkImage;

#define LK_TYPE_IMAGE (lk_image_get_type ())

GType    lk_image_get_type   (void) G_GNUC_CONST;
LkImage *lk_image_new        (int            width,
                              int            height,
                              int            channels);
LkImage *lk_image_copy       (const LkImage *image);
void     lk_image_free       (LkImage       *image);
void     lk_image_fill       (LkImage       *image,
                              guint8         value);
gboolean lk_image_same_size  (const LkImage *a,
                              const LkImage *b);

static inline guint8 *
lk_image_row (const LkImage *image,
              int            y)
{
  return image->data + (gsize) y * image->stride;
}

static inline guint8 *
lk_image_pixel (const LkImage *image,
                int            x,
                int            y)
{
  return image->data + (gsize) y * image->stride + (gsize) x * image->channels;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkImage, lk_image_free)

G_END_DECLS
