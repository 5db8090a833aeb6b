/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-history"

#include "config.h"

#include "lk-face-history.h"

#define MAX_STEPS 100

typedef struct
{
  LkFaceStates *before;
  LkFaceStates *after;
} Step;

struct _LkFaceHistory
{
  GObject    parent_instance;

  LkProject *project;
  GQueue     undo;      /* Step, newest first */
  GQueue     redo;
};

G_DEFINE_FINAL_TYPE (LkFaceHistory, lk_face_history, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_CAN_UNDO,
  PROP_CAN_REDO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
step_free (Step *step)
{
  lk_face_states_free (step->before);
  lk_face_states_free (step->after);
  g_free (step);
}

static void
lk_face_history_notify (LkFaceHistory *self,
                        gboolean       could_undo,
                        gboolean       could_redo)
{
  if (could_undo != lk_face_history_can_undo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  if (could_redo != lk_face_history_can_redo (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_REDO]);
}

LkFaceHistory *
lk_face_history_new (LkProject *project)
{
  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  return g_object_new (LK_TYPE_FACE_HISTORY, "project", project, NULL);
}

LkProject *
lk_face_history_get_project (LkFaceHistory *self)
{
  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), NULL);

  return self->project;
}

gboolean
lk_face_history_push (LkFaceHistory  *self,
                      LkFaceStates   *before,
                      GError        **error)
{
  gboolean could_undo, could_redo;
  LkFaceStates *after;
  Step *step;

  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), FALSE);
  g_return_val_if_fail (before != NULL, FALSE);

  after = lk_face_states_read (self->project, before->ids, before->n, error);
  if (after == NULL)
    {
      lk_face_states_free (before);
      return FALSE;
    }

  could_undo = lk_face_history_can_undo (self);
  could_redo = lk_face_history_can_redo (self);

  step = g_new0 (Step, 1);
  step->before = before;
  step->after = after;
  g_queue_push_head (&self->undo, step);
  while (self->undo.length > MAX_STEPS)
    step_free (g_queue_pop_tail (&self->undo));
  g_queue_clear_full (&self->redo, (GDestroyNotify) step_free);

  lk_face_history_notify (self, could_undo, could_redo);

  return TRUE;
}

gboolean
lk_face_history_set_included (LkFaceHistory  *self,
                              const gint64   *face_ids,
                              guint           n_faces,
                              gboolean        included,
                              const char     *reason,
                              GError        **error)
{
  g_autoptr(LkFaceStates) before = NULL;

  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), FALSE);
  g_return_val_if_fail (face_ids != NULL || n_faces == 0, FALSE);

  if (n_faces == 0)
    return TRUE;

  before = lk_face_states_read (self->project, face_ids, n_faces, error);
  if (before == NULL)
    return FALSE;

  if (!lk_project_set_faces_included (self->project, face_ids, n_faces, included, reason, error))
    return FALSE;

  return lk_face_history_push (self, g_steal_pointer (&before), error);
}

gboolean
lk_face_history_can_undo (LkFaceHistory *self)
{
  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), FALSE);

  return self->undo.length > 0;
}

gboolean
lk_face_history_can_redo (LkFaceHistory *self)
{
  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), FALSE);

  return self->redo.length > 0;
}

/* Moves the newest step of @from to @to after restoring its @before
 * (undo) or @after (redo) states. */
static guint
lk_face_history_move (LkFaceHistory  *self,
                      GQueue         *from,
                      GQueue         *to,
                      gboolean        undo,
                      GError        **error)
{
  gboolean could_undo = lk_face_history_can_undo (self);
  gboolean could_redo = lk_face_history_can_redo (self);
  Step *step = g_queue_peek_head (from);

  if (step == NULL)
    return 0;

  if (!lk_face_states_restore (undo ? step->before : step->after, self->project, error))
    return 0;

  g_queue_push_head (to, g_queue_pop_head (from));
  lk_face_history_notify (self, could_undo, could_redo);

  return step->before->n;
}

guint
lk_face_history_undo (LkFaceHistory  *self,
                      GError        **error)
{
  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), 0);

  return lk_face_history_move (self, &self->undo, &self->redo, TRUE, error);
}

guint
lk_face_history_redo (LkFaceHistory  *self,
                      GError        **error)
{
  g_return_val_if_fail (LK_IS_FACE_HISTORY (self), 0);

  return lk_face_history_move (self, &self->redo, &self->undo, FALSE, error);
}

void
lk_face_history_clear (LkFaceHistory *self)
{
  gboolean could_undo, could_redo;

  g_return_if_fail (LK_IS_FACE_HISTORY (self));

  could_undo = lk_face_history_can_undo (self);
  could_redo = lk_face_history_can_redo (self);
  g_queue_clear_full (&self->undo, (GDestroyNotify) step_free);
  g_queue_clear_full (&self->redo, (GDestroyNotify) step_free);
  lk_face_history_notify (self, could_undo, could_redo);
}

static void
lk_face_history_finalize (GObject *object)
{
  LkFaceHistory *self = LK_FACE_HISTORY (object);

  g_queue_clear_full (&self->undo, (GDestroyNotify) step_free);
  g_queue_clear_full (&self->redo, (GDestroyNotify) step_free);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (lk_face_history_parent_class)->finalize (object);
}

static void
lk_face_history_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  LkFaceHistory *self = LK_FACE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_CAN_UNDO:
      g_value_set_boolean (value, lk_face_history_can_undo (self));
      break;

    case PROP_CAN_REDO:
      g_value_set_boolean (value, lk_face_history_can_redo (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_history_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  LkFaceHistory *self = LK_FACE_HISTORY (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_history_class_init (LkFaceHistoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lk_face_history_finalize;
  object_class->get_property = lk_face_history_get_property;
  object_class->set_property = lk_face_history_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, LK_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_REDO] =
    g_param_spec_boolean ("can-redo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lk_face_history_init (LkFaceHistory *self)
{
  g_queue_init (&self->undo);
  g_queue_init (&self->redo);
}
