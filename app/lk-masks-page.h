/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_MASKS_PAGE (lk_masks_page_get_type ())

G_DECLARE_FINAL_TYPE (LkMasksPage, lk_masks_page, LK, MASKS_PAGE, GtkWidget)

LkProject *lk_masks_page_get_project (LkMasksPage *self);
void       lk_masks_page_set_project (LkMasksPage *self,
                                     LkProject  *project);

/* Adds the page's actions (masks-next-frame, masks-previous-frame,
 * masks-toggle-overlay, masks-toggle-split, masks-seek (d),
 * masks-set (ss)) to the window's action map, so that they are "win."
 * actions, exported on D-Bus; the page keeps their sensitivity. */
void       lk_masks_page_add_actions (LkMasksPage *self,
                                      GActionMap  *map);

G_END_DECLS
