/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "lk-project.h"

G_BEGIN_DECLS

#define LK_TYPE_CURATE_DIALOG (lk_curate_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LkCurateDialog, lk_curate_dialog, LK, CURATE_DIALOG, AdwWindow)

/* The automatic first pass over the faces of @identity: first measures what
 * is not measured yet (a job with progress), then shows each rule with its
 * editable threshold and how many faces it would exclude, updated as the
 * thresholds change. Apply excludes them and emits "applied" with the
 * states before (LkFaceStates, for one undo step) and the count. */
LkCurateDialog *lk_curate_dialog_new (LkProject  *project,
                                      LkIdentity  identity);

G_END_DECLS
