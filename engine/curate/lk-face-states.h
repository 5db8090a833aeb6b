/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-faces.h"
#include "lk-project.h"

G_BEGIN_DECLS

/**
 * LkFaceStates:
 * @n: how many faces
 * @ids: their ids
 * @included: each face's include flag
 * @reasons: each face's exclude reason (NULL when included)
 *
 * The include states of some faces, as they were before a change, so that
 * the change can be undone exactly (lk_face_states_restore()) and redone
 * (keep the states read after it).
 */
typedef struct
{
  guint      n;
  gint64    *ids;
  gboolean  *included;
  char     **reasons;
} LkFaceStates;

#define LK_TYPE_FACE_STATES (lk_face_states_get_type ())

GType         lk_face_states_get_type (void) G_GNUC_CONST;
LkFaceStates *lk_face_states_new      (guint               n);
LkFaceStates *lk_face_states_copy     (const LkFaceStates *states);
void          lk_face_states_free     (LkFaceStates       *states);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkFaceStates, lk_face_states_free)

/* Sets face @i's entry from @face. */
void          lk_face_states_set      (LkFaceStates       *states,
                                       guint               i,
                                       const LkFace       *face);

/* Reads the current states of @face_ids from @project. */
LkFaceStates *lk_face_states_read     (LkProject          *project,
                                       const gint64       *face_ids,
                                       guint               n,
                                       GError            **error);

/* Puts every face back as recorded, in one transaction. */
gboolean      lk_face_states_restore  (const LkFaceStates *states,
                                       LkProject          *project,
                                       GError            **error);

G_END_DECLS
