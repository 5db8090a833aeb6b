/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-faces.h"
#include "lk-face-item.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_FACE_LIST (lk_face_list_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceList, lk_face_list, LK, FACE_LIST, GObject)

/* A GListModel of LkFaceItem: the faces of one identity of a project, as
 * lk_project_list_faces() sorts and filters them. It follows the project's
 * "faces-changed" (coalesced into one reload per main-loop pass) and keeps
 * the items of faces that stay, so thumbnails and the scroll position
 * survive; only the changed range is announced with items-changed. */
LkFaceList   *lk_face_list_new            (void);

LkProject    *lk_face_list_get_project    (LkFaceList   *self);
void          lk_face_list_set_project    (LkFaceList   *self,
                                           LkProject    *project);
LkIdentity    lk_face_list_get_identity   (LkFaceList   *self);
void          lk_face_list_set_identity   (LkFaceList   *self,
                                           LkIdentity    identity);
/* A key of lk_project_list_faces() ("id", "time", "sharpness", ...). */
const char   *lk_face_list_get_sort_key   (LkFaceList   *self);
void          lk_face_list_set_sort_key   (LkFaceList   *self,
                                           const char   *sort_key);
gboolean      lk_face_list_get_descending (LkFaceList   *self);
void          lk_face_list_set_descending (LkFaceList   *self,
                                           gboolean      descending);
LkFaceFilter  lk_face_list_get_filter     (LkFaceList   *self);
/* @reason: with LK_FACE_FILTER_EXCLUDED only faces excluded for it; NULL
 * for every reason. */
void          lk_face_list_set_filter     (LkFaceList   *self,
                                           LkFaceFilter  filter,
                                           const char   *reason);
const char   *lk_face_list_get_reason     (LkFaceList   *self);

/* Reads the rows again now (a reload is otherwise scheduled when the
 * project or a setting changes). FALSE with @error when the listing fails;
 * the model then keeps what it had. */
gboolean      lk_face_list_reload         (LkFaceList   *self,
                                           GError      **error);
/* The position of face @face_id, or G_MAXUINT. */
guint         lk_face_list_find           (LkFaceList   *self,
                                           gint64        face_id);

G_END_DECLS
