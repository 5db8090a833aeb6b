/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-list"

#include "config.h"

#include "lk-face-list.h"

struct _LkFaceList
{
  GObject       parent_instance;

  LkProject    *project;
  LkIdentity    identity;
  char         *sort_key;
  gboolean      descending;
  LkFaceFilter  filter;
  char         *reason;

  GPtrArray    *items;        /* LkFaceItem, in model order */
  GHashTable   *positions;    /* face id (gint64 *) -> position + 1 */
  guint         reload_id;
};

static void lk_face_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LkFaceList, lk_face_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lk_face_list_model_init))

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_IDENTITY,
  PROP_SORT_KEY,
  PROP_DESCENDING,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
lk_face_list_get_item_type (GListModel *model)
{
  return LK_TYPE_FACE_ITEM;
}

static guint
lk_face_list_get_n_items (GListModel *model)
{
  return LK_FACE_LIST (model)->items->len;
}

static gpointer
lk_face_list_get_item (GListModel *model,
                       guint       position)
{
  LkFaceList *self = LK_FACE_LIST (model);

  if (position >= self->items->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
lk_face_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lk_face_list_get_item_type;
  iface->get_n_items = lk_face_list_get_n_items;
  iface->get_item = lk_face_list_get_item;
}

static void
lk_face_list_index (LkFaceList *self)
{
  g_hash_table_remove_all (self->positions);
  for (guint i = 0; i < self->items->len; i++)
    {
      LkFaceItem *item = g_ptr_array_index (self->items, i);
      gint64 *key = g_new (gint64, 1);

      *key = lk_face_item_get_id (item);
      g_hash_table_insert (self->positions, key, GUINT_TO_POINTER (i + 1));
    }
}

gboolean
lk_face_list_reload (LkFaceList  *self,
                     GError     **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint old_n, new_n, prefix, suffix;

  g_return_val_if_fail (LK_IS_FACE_LIST (self), FALSE);

  g_clear_handle_id (&self->reload_id, g_source_remove);

  if (self->project != NULL)
    {
      faces = lk_project_list_faces (self->project, self->identity, self->filter,
                                     self->filter == LK_FACE_FILTER_EXCLUDED ? self->reason : NULL,
                                     self->sort_key, self->descending, error);
      if (faces == NULL)
        return FALSE;
    }

  /* The new items: the old item of a face that stays (updated), a new one
   * otherwise. */
  items = g_ptr_array_new_full (faces != NULL ? faces->len : 0, g_object_unref);
  for (guint i = 0; faces != NULL && i < faces->len; i++)
    {
      const LkFace *face = g_ptr_array_index (faces, i);
      guint old = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, &face->id));

      if (old > 0)
        {
          LkFaceItem *item = g_ptr_array_index (self->items, old - 1);

          lk_face_item_update (item, face);
          g_ptr_array_add (items, g_object_ref (item));
        }
      else
        {
          g_ptr_array_add (items, lk_face_item_new (face));
        }
    }

  /* Announce only the range between the common head and tail, so that the
   * view keeps its place when faces are added at the end or changed in
   * place. */
  old_n = self->items->len;
  new_n = items->len;
  for (prefix = 0; prefix < old_n && prefix < new_n; prefix++)
    if (g_ptr_array_index (self->items, prefix) != g_ptr_array_index (items, prefix))
      break;
  for (suffix = 0; suffix < old_n - prefix && suffix < new_n - prefix; suffix++)
    if (g_ptr_array_index (self->items, old_n - 1 - suffix) !=
        g_ptr_array_index (items, new_n - 1 - suffix))
      break;

  g_ptr_array_unref (self->items);
  self->items = g_steal_pointer (&items);
  lk_face_list_index (self);

  if (old_n - prefix - suffix > 0 || new_n - prefix - suffix > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), prefix,
                                old_n - prefix - suffix, new_n - prefix - suffix);
  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);

  return TRUE;
}

static gboolean
reload_cb (gpointer user_data)
{
  LkFaceList *self = user_data;
  g_autoptr(GError) error = NULL;

  self->reload_id = 0;
  if (!lk_face_list_reload (self, &error))
    g_message ("Could not list the faces: %s", error->message);

  return G_SOURCE_REMOVE;
}

/* Many changes come in bursts (one per stored frame while extracting): one
 * reload for all of them, a moment later. */
static void
lk_face_list_queue_reload (LkFaceList *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add_full (G_PRIORITY_LOW, 150, reload_cb, self, NULL);
}

static void
faces_changed_cb (LkProject  *project,
                  int         identity,
                  LkFaceList *self)
{
  if (identity == (int) self->identity || identity < 0)
    lk_face_list_queue_reload (self);
}

LkFaceList *
lk_face_list_new (void)
{
  return g_object_new (LK_TYPE_FACE_LIST, NULL);
}

LkProject *
lk_face_list_get_project (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), NULL);

  return self->project;
}

void
lk_face_list_set_project (LkFaceList *self,
                          LkProject  *project)
{
  g_return_if_fail (LK_IS_FACE_LIST (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);
  if (project != NULL)
    g_signal_connect_object (project, "faces-changed", G_CALLBACK (faces_changed_cb), self, 0);

  /* Another project: nothing of the old one stays. */
  if (self->items->len > 0)
    {
      guint n = self->items->len;

      g_ptr_array_set_size (self->items, 0);
      g_hash_table_remove_all (self->positions);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  lk_face_list_queue_reload (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

LkIdentity
lk_face_list_get_identity (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), LK_IDENTITY_A);

  return self->identity;
}

void
lk_face_list_set_identity (LkFaceList *self,
                           LkIdentity  identity)
{
  g_return_if_fail (LK_IS_FACE_LIST (self));
  g_return_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B);

  if (self->identity == identity)
    return;

  self->identity = identity;
  lk_face_list_queue_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IDENTITY]);
}

const char *
lk_face_list_get_sort_key (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), NULL);

  return self->sort_key;
}

void
lk_face_list_set_sort_key (LkFaceList *self,
                           const char *sort_key)
{
  g_return_if_fail (LK_IS_FACE_LIST (self));
  g_return_if_fail (sort_key != NULL && lk_face_sort_key_is_valid (sort_key));

  if (g_strcmp0 (self->sort_key, sort_key) != 0)
    {
      g_free (self->sort_key);
      self->sort_key = g_strdup (sort_key);
      lk_face_list_queue_reload (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SORT_KEY]);
    }
}

gboolean
lk_face_list_get_descending (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), FALSE);

  return self->descending;
}

void
lk_face_list_set_descending (LkFaceList *self,
                             gboolean    descending)
{
  g_return_if_fail (LK_IS_FACE_LIST (self));

  descending = !!descending;
  if (self->descending == descending)
    return;

  self->descending = descending;
  lk_face_list_queue_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DESCENDING]);
}

LkFaceFilter
lk_face_list_get_filter (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), LK_FACE_FILTER_ALL);

  return self->filter;
}

const char *
lk_face_list_get_reason (LkFaceList *self)
{
  g_return_val_if_fail (LK_IS_FACE_LIST (self), NULL);

  return self->reason;
}

void
lk_face_list_set_filter (LkFaceList   *self,
                         LkFaceFilter  filter,
                         const char   *reason)
{
  g_return_if_fail (LK_IS_FACE_LIST (self));
  g_return_if_fail (filter <= LK_FACE_FILTER_EXCLUDED);

  if (filter != LK_FACE_FILTER_EXCLUDED)
    reason = NULL;
  if (self->filter == filter && g_strcmp0 (self->reason, reason) == 0)
    return;

  self->filter = filter;
  g_free (self->reason);
  self->reason = g_strdup (reason);
  lk_face_list_queue_reload (self);
}

guint
lk_face_list_find (LkFaceList *self,
                   gint64      face_id)
{
  guint position;

  g_return_val_if_fail (LK_IS_FACE_LIST (self), G_MAXUINT);

  position = GPOINTER_TO_UINT (g_hash_table_lookup (self->positions, &face_id));

  return position > 0 ? position - 1 : G_MAXUINT;
}

static void
lk_face_list_dispose (GObject *object)
{
  LkFaceList *self = LK_FACE_LIST (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (lk_face_list_parent_class)->dispose (object);
}

static void
lk_face_list_finalize (GObject *object)
{
  LkFaceList *self = LK_FACE_LIST (object);

  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->positions, g_hash_table_unref);
  g_free (self->sort_key);
  g_free (self->reason);

  G_OBJECT_CLASS (lk_face_list_parent_class)->finalize (object);
}

static void
lk_face_list_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  LkFaceList *self = LK_FACE_LIST (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_IDENTITY:
      g_value_set_int (value, self->identity);
      break;

    case PROP_SORT_KEY:
      g_value_set_string (value, self->sort_key);
      break;

    case PROP_DESCENDING:
      g_value_set_boolean (value, self->descending);
      break;

    case PROP_N_ITEMS:
      g_value_set_uint (value, self->items->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_list_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  LkFaceList *self = LK_FACE_LIST (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_face_list_set_project (self, g_value_get_object (value));
      break;

    case PROP_IDENTITY:
      lk_face_list_set_identity (self, g_value_get_int (value));
      break;

    case PROP_SORT_KEY:
      lk_face_list_set_sort_key (self, g_value_get_string (value));
      break;

    case PROP_DESCENDING:
      lk_face_list_set_descending (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_face_list_class_init (LkFaceListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lk_face_list_dispose;
  object_class->finalize = lk_face_list_finalize;
  object_class->get_property = lk_face_list_get_property;
  object_class->set_property = lk_face_list_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, LK_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTITY] =
    g_param_spec_int ("identity", NULL, NULL, LK_IDENTITY_A, LK_IDENTITY_B, LK_IDENTITY_A,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SORT_KEY] =
    g_param_spec_string ("sort-key", NULL, NULL, "id",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DESCENDING] =
    g_param_spec_boolean ("descending", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
    g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lk_face_list_init (LkFaceList *self)
{
  self->identity = LK_IDENTITY_A;
  self->sort_key = g_strdup ("id");
  self->filter = LK_FACE_FILTER_ALL;
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->positions = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}
