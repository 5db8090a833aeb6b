/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate"

#include "config.h"

#include "lk-face-states.h"

G_DEFINE_BOXED_TYPE (LkFaceStates, lk_face_states, lk_face_states_copy, lk_face_states_free)

LkFaceStates *
lk_face_states_new (guint n)
{
  LkFaceStates *states = g_new0 (LkFaceStates, 1);

  states->n = n;
  states->ids = g_new0 (gint64, MAX (n, 1));
  states->included = g_new0 (gboolean, MAX (n, 1));
  states->reasons = g_new0 (char *, MAX (n, 1));

  return states;
}

LkFaceStates *
lk_face_states_copy (const LkFaceStates *states)
{
  LkFaceStates *copy;

  g_return_val_if_fail (states != NULL, NULL);

  copy = lk_face_states_new (states->n);
  for (guint i = 0; i < states->n; i++)
    {
      copy->ids[i] = states->ids[i];
      copy->included[i] = states->included[i];
      copy->reasons[i] = g_strdup (states->reasons[i]);
    }

  return copy;
}

void
lk_face_states_free (LkFaceStates *states)
{
  if (states == NULL)
    return;

  for (guint i = 0; i < states->n; i++)
    g_free (states->reasons[i]);
  g_free (states->reasons);
  g_free (states->included);
  g_free (states->ids);
  g_free (states);
}

void
lk_face_states_set (LkFaceStates *states,
                    guint         i,
                    const LkFace *face)
{
  g_return_if_fail (states != NULL && i < states->n && face != NULL);

  states->ids[i] = face->id;
  states->included[i] = face->included;
  g_free (states->reasons[i]);
  states->reasons[i] = face->included ? NULL : g_strdup (face->exclude_reason);
}

LkFaceStates *
lk_face_states_read (LkProject     *project,
                     const gint64  *face_ids,
                     guint          n,
                     GError       **error)
{
  g_autoptr(LkFaceStates) states = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (face_ids != NULL || n == 0, NULL);

  states = lk_face_states_new (n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LkFace) face = lk_project_get_face (project, face_ids[i], error);

      if (face == NULL)
        return NULL;
      lk_face_states_set (states, i, face);
    }

  return g_steal_pointer (&states);
}

gboolean
lk_face_states_restore (const LkFaceStates *states,
                        LkProject          *project,
                        GError            **error)
{
  g_return_val_if_fail (states != NULL, FALSE);
  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);

  return lk_project_set_faces_state (project, states->ids, states->included,
                                     (const char * const *) states->reasons, states->n, error);
}
