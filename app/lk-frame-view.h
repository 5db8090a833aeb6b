/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define LK_TYPE_FRAME_VIEW (lk_frame_view_get_type ())

G_DECLARE_FINAL_TYPE (LkFrameView, lk_frame_view, LK, FRAME_VIEW, GtkWidget)

/*
 * LkFrameView: a video frame scaled to fit (aspect kept, centred, edges on
 * device pixels), drawn in a snapshot vfunc.
 *
 * It holds the original frame and, once there is one, the result (the
 * swapped frame). With "split-view" a vertical divider that can be dragged
 * shows the original on its left and the result on its right; with
 * "show-overlay" the mask is tinted over the result. The overlay is a
 * texture covering a rectangle of the frame (in frame pixels), so that only
 * the faces' regions need pixels.
 */

GtkWidget  *lk_frame_view_new                (void);

/* @result may be NULL (only the original is shown). */
void        lk_frame_view_set_frame          (LkFrameView           *self,
                                              GdkTexture            *original,
                                              GdkTexture            *result);
GdkTexture *lk_frame_view_get_original       (LkFrameView           *self);
GdkTexture *lk_frame_view_get_result         (LkFrameView           *self);

/* @overlay covers @rect of the frame (frame pixels); NULL removes it. */
void        lk_frame_view_set_overlay        (LkFrameView           *self,
                                              GdkTexture            *overlay,
                                              const graphene_rect_t *rect);

void        lk_frame_view_clear              (LkFrameView           *self);

gboolean    lk_frame_view_get_show_overlay   (LkFrameView           *self);
void        lk_frame_view_set_show_overlay   (LkFrameView           *self,
                                              gboolean               show_overlay);
gboolean    lk_frame_view_get_split_view     (LkFrameView           *self);
void        lk_frame_view_set_split_view     (LkFrameView           *self,
                                              gboolean               split_view);
/* Where the divider is, 0 (left edge of the frame) .. 1 (right edge). */
double      lk_frame_view_get_split_position (LkFrameView           *self);
void        lk_frame_view_set_split_position (LkFrameView           *self,
                                              double                 position);

G_END_DECLS
