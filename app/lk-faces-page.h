/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-actions.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_FACES_PAGE (lk_faces_page_get_type ())

G_DECLARE_FINAL_TYPE (LkFacesPage, lk_faces_page, LK, FACES_PAGE, GtkWidget)

LkProject *lk_faces_page_get_project (LkFacesPage *self);
void       lk_faces_page_set_project (LkFacesPage *self,
                                     LkProject  *project);

/* Adds videos and photos (GFile items) to @identity's sources; what cannot
 * be added is reported in the window. Returns how many were added. */
guint      lk_faces_page_add_files  (LkFacesPage *self,
                                     LkIdentity   identity,
                                     GListModel  *files);

/* The page's window actions (extract (s), extract-all, cancel-extract (s),
 * show-identity (s, stateful), exclude-/include-selected, select-all-faces,
 * select-face (u), undo, redo, auto-curate, auto-curate-defaults,
 * analyse-faces, cancel-analysis, delete-excluded) with when each is
 * enabled; the window adds them (lk-actions.h). */
const LkAction *lk_faces_page_get_actions (guint *n_actions);

G_END_DECLS
