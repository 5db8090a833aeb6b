/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-face-item.h"
#include "lk-image.h"

G_BEGIN_DECLS

#define LK_TYPE_FACE_THUMBNAILER (lk_face_thumbnailer_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceThumbnailer, lk_face_thumbnailer, LK, FACE_THUMBNAILER, GObject)

/* Loads the crops of face items into small textures through the job
 * runner's pool (lk_job_run_pooled_async()), newest request first, and
 * hands them to the items on the main thread (one pending idle for all
 * results). Only requested items are loaded; a request withdrawn before its
 * turn costs nothing. The requests that come while loading goes on are one
 * burst, one job titled "Loading Thumbnails" with progress, which the
 * operations list shows when the burst lasts; cancelling it drops what
 * waits (the grid asks again when it binds those items). At most
 * @max_cached thumbnails are kept; the least recently requested are
 * dropped first. */
LkFaceThumbnailer *lk_face_thumbnailer_new      (int                size,
                                                 guint              max_cached);
void               lk_face_thumbnailer_request  (LkFaceThumbnailer *self,
                                                 LkFaceItem        *item);
void               lk_face_thumbnailer_withdraw (LkFaceThumbnailer *self,
                                                 LkFaceItem        *item);
/* Requests not done yet (loading or waiting). */
guint              lk_face_thumbnailer_get_pending (LkFaceThumbnailer *self);

/* A texture of @image scaled down by a whole factor to at most @max_size
 * pixels a side (<= 0: full size). Thread-safe. */
GdkTexture        *lk_texture_new_from_image    (const LkImage     *image,
                                                 int                max_size);

G_END_DECLS
