/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-item"

#include "config.h"

#include "lk-face-item.h"

struct _LkFaceItem
{
  GObject     parent_instance;

  LkFace     *face;
  GdkTexture *thumbnail;
};

G_DEFINE_FINAL_TYPE (LkFaceItem, lk_face_item, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_INCLUDED,
  PROP_REASON,
  PROP_THUMBNAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

LkFaceItem *
lk_face_item_new (const LkFace *face)
{
  LkFaceItem *self;

  g_return_val_if_fail (face != NULL, NULL);

  self = g_object_new (LK_TYPE_FACE_ITEM, NULL);
  self->face = lk_face_copy (face);

  return self;
}

const LkFace *
lk_face_item_get_face (LkFaceItem *self)
{
  g_return_val_if_fail (LK_IS_FACE_ITEM (self), NULL);

  return self->face;
}

gint64
lk_face_item_get_id (LkFaceItem *self)
{
  g_return_val_if_fail (LK_IS_FACE_ITEM (self), -1);

  return self->face->id;
}

gboolean
lk_face_item_get_included (LkFaceItem *self)
{
  g_return_val_if_fail (LK_IS_FACE_ITEM (self), FALSE);

  return self->face->included;
}

const char *
lk_face_item_get_reason (LkFaceItem *self)
{
  g_return_val_if_fail (LK_IS_FACE_ITEM (self), NULL);

  return self->face->exclude_reason;
}

void
lk_face_item_update (LkFaceItem   *self,
                     const LkFace *face)
{
  gboolean included_changed;
  gboolean reason_changed;
  gboolean file_changed;
  LkFace *old;

  g_return_if_fail (LK_IS_FACE_ITEM (self));
  g_return_if_fail (face != NULL && face->id == self->face->id);

  old = self->face;
  included_changed = old->included != face->included;
  reason_changed = g_strcmp0 (old->exclude_reason, face->exclude_reason) != 0;
  file_changed = g_strcmp0 (old->file, face->file) != 0;
  self->face = lk_face_copy (face);
  lk_face_free (old);

  if (file_changed)
    lk_face_item_set_thumbnail (self, NULL);
  if (included_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INCLUDED]);
  if (reason_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}

GdkTexture *
lk_face_item_get_thumbnail (LkFaceItem *self)
{
  g_return_val_if_fail (LK_IS_FACE_ITEM (self), NULL);

  return self->thumbnail;
}

void
lk_face_item_set_thumbnail (LkFaceItem *self,
                            GdkTexture *thumbnail)
{
  g_return_if_fail (LK_IS_FACE_ITEM (self));
  g_return_if_fail (thumbnail == NULL || GDK_IS_TEXTURE (thumbnail));

  if (g_set_object (&self->thumbnail, thumbnail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
}

static void
lk_face_item_finalize (GObject *object)
{
  LkFaceItem *self = LK_FACE_ITEM (object);

  g_clear_pointer (&self->face, lk_face_free);
  g_clear_object (&self->thumbnail);

  G_OBJECT_CLASS (lk_face_item_parent_class)->finalize (object);
}

static void
lk_face_item_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LkFaceItem *self = LK_FACE_ITEM (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->face->id);
      break;

    case PROP_INCLUDED:
      g_value_set_boolean (value, self->face->included);
      break;

    case PROP_REASON:
      g_value_set_string (value, self->face->exclude_reason);
      break;

    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_item_class_init (LkFaceItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lk_face_item_finalize;
  object_class->get_property = lk_face_item_get_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_INCLUDED] =
    g_param_spec_boolean ("included", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_THUMBNAIL] =
    g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_TEXTURE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lk_face_item_init (LkFaceItem *self)
{
}
