/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-faces.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_FACE_DETAIL (lk_face_detail_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceDetail, lk_face_detail, LK, FACE_DETAIL, GtkWidget)

/* The side panel of one face: its crop (with the 68 landmarks on request),
 * the frame it came from (decoded on a worker thread) with its box and
 * landmarks, and its metrics and pose as stored in the project. */
void          lk_face_detail_set_project (LkFaceDetail *self,
                                          LkProject    *project);
/* @face (copied) may be NULL: nothing is shown. */
void          lk_face_detail_set_face    (LkFaceDetail *self,
                                          const LkFace *face);
const LkFace *lk_face_detail_get_face    (LkFaceDetail *self);

G_END_DECLS
