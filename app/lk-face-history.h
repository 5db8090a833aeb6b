/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-face-states.h"
#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_FACE_HISTORY (lk_face_history_get_type ())

G_DECLARE_FINAL_TYPE (LkFaceHistory, lk_face_history, LK, FACE_HISTORY, GObject)

/* The undo and redo stacks of the include/exclude changes of a project's
 * faces. Each step keeps the exact states of the faces it changed before
 * and after it (LkFaceStates), so undo and redo put back flags and reasons
 * as they were, in one transaction each. */
LkFaceHistory *lk_face_history_new          (LkProject     *project);
LkProject     *lk_face_history_get_project  (LkFaceHistory *self);

/* Records one step: @before (taken) are the states before the change; the
 * states after it are read from the project now. Clears the redo stack. */
gboolean       lk_face_history_push         (LkFaceHistory *self,
                                             LkFaceStates  *before,
                                             GError       **error);
/* Sets @included/@reason on @face_ids as one undoable step. */
gboolean       lk_face_history_set_included (LkFaceHistory *self,
                                             const gint64  *face_ids,
                                             guint          n_faces,
                                             gboolean       included,
                                             const char    *reason,
                                             GError       **error);
gboolean       lk_face_history_can_undo     (LkFaceHistory *self);
gboolean       lk_face_history_can_redo     (LkFaceHistory *self);
/* The number of faces the step touches, 0 when there is none. */
guint          lk_face_history_undo         (LkFaceHistory *self,
                                             GError       **error);
guint          lk_face_history_redo         (LkFaceHistory *self,
                                             GError       **error);
void           lk_face_history_clear        (LkFaceHistory *self);

G_END_DECLS
