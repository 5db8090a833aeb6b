/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-actions.h"
#include "lk-setting-binding.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_MASKS_PAGE (lk_masks_page_get_type ())

G_DECLARE_FINAL_TYPE (LkMasksPage, lk_masks_page, LK, MASKS_PAGE, GtkWidget)

LkProject *lk_masks_page_get_project (LkMasksPage *self);
void       lk_masks_page_set_project (LkMasksPage *self,
                                     LkProject  *project);

/* The page's window actions (masks-next-frame, masks-previous-frame,
 * masks-toggle-overlay, masks-toggle-split, masks-seek (d), masks-set (ss))
 * with when each is enabled; the window adds them (lk-actions.h). */
const LkAction *lk_masks_page_get_actions (guint *n_actions);
/* The settings the page's widgets show (for the schema test). */
const LkSettingSpec *lk_masks_page_get_setting_specs (guint *n_specs);

G_END_DECLS
