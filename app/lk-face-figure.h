/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LK_TYPE_FACE_FIGURE (lk_face_figure_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceFigure, lk_face_figure, LK, FACE_FIGURE, GtkWidget)

/* A picture (a face crop or the frame it came from), scaled to fit, with
 * the face's landmarks and box drawn over it on request. Coordinates are in
 * the picture's pixels. */
GtkWidget *lk_face_figure_new            (void);
void       lk_face_figure_set_texture    (LkFaceFigure *self,
                                          GdkTexture   *texture);
/* @points: @n_points x,y pairs (copied); NULL for none. */
void       lk_face_figure_set_points     (LkFaceFigure *self,
                                          const float  *points,
                                          guint         n_points);
/* @box: x, y, width, height; NULL for none. */
void       lk_face_figure_set_box        (LkFaceFigure *self,
                                          const float  *box);
void       lk_face_figure_set_show_points (LkFaceFigure *self,
                                           gboolean      show_points);
gboolean   lk_face_figure_get_show_points (LkFaceFigure *self);

G_END_DECLS
