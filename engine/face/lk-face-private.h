/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-dlib.h"
#include "lk-face-detector.h"

G_BEGIN_DECLS

gboolean          _lk_face_set_dlib_error (GError      **error,
                                           LkDlibStatus  status,
                                           const char   *message);
LkDlibShapeModel *_lk_face_get_shape_model (const char  *path,
                                            GError     **error);
LkDlibImage       _lk_face_dlib_image     (const LkImage *image);
LkImage          *_lk_face_resample       (const LkImage *src,
                                           double         edge_x,
                                           double         edge_y,
                                           double         scale,
                                           int            out_w,
                                           int            out_h);
double            _lk_face_landmark_fit   (const float (*landmarks)[2]);

G_END_DECLS
