/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-actions.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_WINDOW (lk_window_get_type ())

G_DECLARE_FINAL_TYPE (LkWindow, lk_window, LK, WINDOW, AdwApplicationWindow)

LkWindow  *lk_window_new                (GtkApplication *application);
LkProject *lk_window_get_project        (LkWindow       *self);

/* With a file chooser. */
void       lk_window_choose_new_project (LkWindow       *self);
void       lk_window_choose_project     (LkWindow       *self);

/* Without one (scripts, tests, recent projects, the command line). Failures
 * are shown to the user; the return value says whether a project is open. */
gboolean   lk_window_create_project     (LkWindow       *self,
                                         const char     *path);
gboolean   lk_window_open_project       (LkWindow       *self,
                                         const char     *path);
void       lk_window_close_project      (LkWindow       *self);

/* The window's own actions (lk-actions.h); the pages have theirs. */
const LkAction *lk_window_get_actions   (guint          *n_actions);

/* "faces", "train", "masks" or "export"; FALSE without a project. */
gboolean   lk_window_show_area          (LkWindow       *self,
                                         const char     *area);

G_END_DECLS
