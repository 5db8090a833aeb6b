/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-faces.h"

G_BEGIN_DECLS

#define LK_TYPE_FACE_ITEM (lk_face_item_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceItem, lk_face_item, LK, FACE_ITEM, GObject)

/* One face of the grid: the database row (LkFace, metrics included) and
 * its thumbnail once loaded. */
LkFaceItem   *lk_face_item_new           (const LkFace *face);
const LkFace *lk_face_item_get_face      (LkFaceItem   *self);
gint64        lk_face_item_get_id        (LkFaceItem   *self);
gboolean      lk_face_item_get_included  (LkFaceItem   *self);
const char   *lk_face_item_get_reason    (LkFaceItem   *self);
/* Replaces the row (after a reload); notifies what changed. */
void          lk_face_item_update        (LkFaceItem   *self,
                                          const LkFace *face);
GdkTexture   *lk_face_item_get_thumbnail (LkFaceItem   *self);
void          lk_face_item_set_thumbnail (LkFaceItem   *self,
                                          GdkTexture   *thumbnail);

G_END_DECLS
