/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-actions.h"
#include "lk-setting-binding.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_EXPORT_PAGE (lk_export_page_get_type ())

G_DECLARE_FINAL_TYPE (LkExportPage, lk_export_page, LK, EXPORT_PAGE, GtkWidget)

LkProject *lk_export_page_get_project (LkExportPage *self);
void       lk_export_page_set_project (LkExportPage *self,
                                     LkProject  *project);

/* The page's window actions (export, export-cancel, export-open-folder,
 * export-verify, export-new, export-set (ss)) with when each is enabled;
 * the window adds them (lk-actions.h). */
const LkAction *lk_export_page_get_actions (guint *n_actions);
/* The settings the page's widgets show (for the schema test). */
const LkSettingSpec *lk_export_page_get_setting_specs (guint *n_specs);

G_END_DECLS
