/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_EXPORT_PAGE (lk_export_page_get_type ())

G_DECLARE_FINAL_TYPE (LkExportPage, lk_export_page, LK, EXPORT_PAGE, GtkWidget)

LkProject *lk_export_page_get_project (LkExportPage *self);
void       lk_export_page_set_project (LkExportPage *self,
                                     LkProject  *project);

/* Adds the page's actions (export, export-cancel, export-open-folder,
 * export-verify, export-new, export-set (ss)) to the window's action map,
 * so that they are "win." actions, exported on D-Bus; the page keeps their
 * sensitivity. */
void       lk_export_page_add_actions (LkExportPage *self,
                                       GActionMap   *map);

G_END_DECLS
