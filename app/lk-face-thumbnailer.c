/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-thumbnailer"

#include "config.h"

#include "lk-face-thumbnailer.h"

#include "lk-image-io.h"

#define N_THREADS 2

typedef struct
{
  LkFaceThumbnailer *self;    /* weak: the pool is freed before the thumbnailer */
  LkFaceItem        *item;
  char              *path;
  guint64            serial;
  gint               wanted;  /* atomic */
  GdkTexture        *texture; /* the result */
} Request;

struct _LkFaceThumbnailer
{
  GObject      parent_instance;

  int          size;
  guint        max_cached;
  guint64      serial;

  GThreadPool *pool;
  GHashTable  *pending;      /* LkFaceItem -> Request (main thread only) */
  GQueue       cached;       /* LkFaceItem (ref), least recently requested first */
  GHashTable  *cached_links; /* LkFaceItem -> GList link in @cached */

  GMutex       mutex;        /* guards @done and @idle_id */
  GQueue       done;         /* Request */
  guint        idle_id;
};

G_DEFINE_FINAL_TYPE (LkFaceThumbnailer, lk_face_thumbnailer, G_TYPE_OBJECT)

static void
request_free (Request *request)
{
  g_object_unref (request->item);
  g_clear_object (&request->texture);
  g_free (request->path);
  g_free (request);
}

GdkTexture *
lk_texture_new_from_image (const LkImage *image,
                           int            max_size)
{
  g_autoptr(GBytes) bytes = NULL;
  int factor = 1;
  int width, height;
  guint8 *pixels;

  g_return_val_if_fail (image != NULL && (image->channels == 3 || image->channels == 1), NULL);

  while (max_size > 0 && (image->width / factor > max_size || image->height / factor > max_size))
    factor++;
  width = MAX (image->width / factor, 1);
  height = MAX (image->height / factor, 1);
  pixels = g_malloc ((gsize) width * height * 3);

  /* A box filter over factor x factor blocks. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint sum[3] = { 0, 0, 0 };
        guint n = 0;
        guint8 *out = pixels + ((gsize) y * width + x) * 3;

        for (int dy = 0; dy < factor && y * factor + dy < image->height; dy++)
          for (int dx = 0; dx < factor && x * factor + dx < image->width; dx++)
            {
              const guint8 *p = lk_image_pixel (image, x * factor + dx, y * factor + dy);

              for (int c = 0; c < 3; c++)
                sum[c] += p[image->channels == 3 ? c : 0];
              n++;
            }
        for (int c = 0; c < 3; c++)
          out[c] = (sum[c] + n / 2) / MAX (n, 1);
      }

  bytes = g_bytes_new_take (pixels, (gsize) width * height * 3);

  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

static gboolean
deliver_cb (gpointer user_data)
{
  LkFaceThumbnailer *self = user_data;
  GQueue done = G_QUEUE_INIT;
  Request *request;

  g_mutex_lock (&self->mutex);
  done = self->done;
  g_queue_init (&self->done);
  self->idle_id = 0;
  g_mutex_unlock (&self->mutex);

  while ((request = g_queue_pop_head (&done)) != NULL)
    {
      if (g_hash_table_lookup (self->pending, request->item) == request)
        g_hash_table_steal (self->pending, request->item);

      if (request->texture != NULL && g_atomic_int_get (&request->wanted))
        {
          LkFaceItem *item = request->item;

          lk_face_item_set_thumbnail (item, request->texture);
          if (!g_hash_table_contains (self->cached_links, item))
            {
              g_queue_push_tail (&self->cached, g_object_ref (item));
              g_hash_table_insert (self->cached_links, item, self->cached.tail);
            }
        }
      request_free (request);
    }

  /* Drop the thumbnails requested longest ago. */
  while (self->cached.length > self->max_cached)
    {
      LkFaceItem *item = g_queue_pop_head (&self->cached);

      g_hash_table_remove (self->cached_links, item);
      lk_face_item_set_thumbnail (item, NULL);
      g_object_unref (item);
    }

  return G_SOURCE_REMOVE;
}

static void
load_thread (gpointer data,
             gpointer user_data)
{
  Request *request = data;
  LkFaceThumbnailer *self = user_data;

  if (g_atomic_int_get (&request->wanted))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(LkImage) image = lk_image_load (request->path, &error);

      if (image != NULL)
        request->texture = lk_texture_new_from_image (image, self->size);
      else
        g_debug ("No thumbnail: %s", error->message);
    }

  g_mutex_lock (&self->mutex);
  g_queue_push_tail (&self->done, request);
  if (self->idle_id == 0)
    self->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, deliver_cb, self, NULL);
  g_mutex_unlock (&self->mutex);
}

/* The newest request first: what is on screen now. */
static int
compare_requests (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  const Request *ra = a, *rb = b;

  return ra->serial < rb->serial ? 1 : ra->serial > rb->serial ? -1 : 0;
}

LkFaceThumbnailer *
lk_face_thumbnailer_new (int   size,
                         guint max_cached)
{
  LkFaceThumbnailer *self = g_object_new (LK_TYPE_FACE_THUMBNAILER, NULL);

  self->size = size;
  self->max_cached = MAX (max_cached, 1);

  return self;
}

void
lk_face_thumbnailer_request (LkFaceThumbnailer *self,
                             LkFaceItem        *item)
{
  GList *link;
  Request *request;
  const LkFace *face;

  g_return_if_fail (LK_IS_FACE_THUMBNAILER (self));
  g_return_if_fail (LK_IS_FACE_ITEM (item));

  link = g_hash_table_lookup (self->cached_links, item);
  if (link != NULL && lk_face_item_get_thumbnail (item) != NULL)
    {
      /* Recently used again. */
      g_queue_unlink (&self->cached, link);
      g_queue_push_tail_link (&self->cached, link);
      return;
    }

  request = g_hash_table_lookup (self->pending, item);
  if (request != NULL)
    {
      g_atomic_int_set (&request->wanted, TRUE);
      return;
    }

  face = lk_face_item_get_face (item);
  if (face->file == NULL)
    return;

  request = g_new0 (Request, 1);
  request->self = self;
  request->item = g_object_ref (item);
  request->path = g_strdup (face->file);
  request->serial = ++self->serial;
  request->wanted = TRUE;
  g_hash_table_insert (self->pending, item, request);
  g_thread_pool_push (self->pool, request, NULL);
}

void
lk_face_thumbnailer_withdraw (LkFaceThumbnailer *self,
                              LkFaceItem        *item)
{
  Request *request;

  g_return_if_fail (LK_IS_FACE_THUMBNAILER (self));
  g_return_if_fail (LK_IS_FACE_ITEM (item));

  request = g_hash_table_lookup (self->pending, item);
  if (request != NULL)
    g_atomic_int_set (&request->wanted, FALSE);
}

guint
lk_face_thumbnailer_get_pending (LkFaceThumbnailer *self)
{
  g_return_val_if_fail (LK_IS_FACE_THUMBNAILER (self), 0);

  return g_hash_table_size (self->pending);
}

static void
lk_face_thumbnailer_dispose (GObject *object)
{
  LkFaceThumbnailer *self = LK_FACE_THUMBNAILER (object);
  GHashTableIter iter;
  gpointer value;

  /* Withdraw what waits, then let the workers finish what they hold. */
  if (self->pending != NULL)
    {
      g_hash_table_iter_init (&iter, self->pending);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_atomic_int_set (&((Request *) value)->wanted, FALSE);
    }
  if (self->pool != NULL)
    {
      g_thread_pool_free (self->pool, FALSE, TRUE);
      self->pool = NULL;
    }

  g_mutex_lock (&self->mutex);
  g_clear_handle_id (&self->idle_id, g_source_remove);
  g_queue_clear_full (&self->done, (GDestroyNotify) request_free);
  g_mutex_unlock (&self->mutex);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->cached_links, g_hash_table_unref);
  g_queue_clear_full (&self->cached, g_object_unref);

  G_OBJECT_CLASS (lk_face_thumbnailer_parent_class)->dispose (object);
}

static void
lk_face_thumbnailer_finalize (GObject *object)
{
  LkFaceThumbnailer *self = LK_FACE_THUMBNAILER (object);

  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (lk_face_thumbnailer_parent_class)->finalize (object);
}

static void
lk_face_thumbnailer_class_init (LkFaceThumbnailerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lk_face_thumbnailer_dispose;
  object_class->finalize = lk_face_thumbnailer_finalize;
}

static void
lk_face_thumbnailer_init (LkFaceThumbnailer *self)
{
  g_mutex_init (&self->mutex);
  g_queue_init (&self->done);
  g_queue_init (&self->cached);
  self->size = 128;
  self->max_cached = 2000;
  /* The pending table does not own its requests: they are freed when
   * delivered. */
  self->pending = g_hash_table_new (NULL, NULL);
  self->cached_links = g_hash_table_new (NULL, NULL);
  self->pool = g_thread_pool_new (load_thread, self, N_THREADS, FALSE, NULL);
  g_thread_pool_set_sort_function (self->pool, compare_requests, NULL);
}
