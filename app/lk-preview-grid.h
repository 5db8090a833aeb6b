/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "lk-image.h"

G_BEGIN_DECLS

#define LK_TYPE_PREVIEW_GRID (lk_preview_grid_get_type ())

G_DECLARE_FINAL_TYPE (LkPreviewGrid, lk_preview_grid, LK, PREVIEW_GRID, GtkWidget)

/*
 * The trainer's preview grid (LK_TRAINER_PREVIEW_ROWS rows of A, A→A, A→B,
 * B, B→B, B→A) as a picture, scaled to the width it gets with its aspect
 * kept, under column labels that stay aligned with the columns.
 */

GtkWidget  *lk_preview_grid_new       (void);
/* Copies @image (grey, RGB or RGBA) into a texture; NULL clears it. */
void        lk_preview_grid_set_image (LkPreviewGrid *self,
                                       const LkImage *image);
GdkTexture *lk_preview_grid_get_texture (LkPreviewGrid *self);

/* An LkImage as a texture (grey is expanded to RGB). */
GdkTexture *lk_texture_new_for_image  (const LkImage *image);

G_END_DECLS
