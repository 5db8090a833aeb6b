/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-thumbnailer"

#include "config.h"

#include "lk-face-thumbnailer.h"

#include <glib/gi18n.h>

#include "lk-image-io.h"
#include "lk-job-runner.h"

/* Runs of a burst at once: two load while a preview frame renders. */
#define N_LOADERS 2

typedef struct
{
  LkFaceItem *item;
  char       *path;
  gint        wanted;  /* atomic */
  GdkTexture *texture; /* the result */
} Request;

/* What the thumbnailer shares with the runs that load for it. */
typedef struct
{
  gatomicrefcount    ref;
  int                size;

  /* under mutex */
  GMutex             mutex;
  GQueue             done;      /* Request, loaded or dropped */
  GSource           *idle;      /* delivers @done */
  LkFaceThumbnailer *self;      /* for the idle; NULL once disposed */
} Loader;

/* A burst: the requests that come while loading goes on, loaded by up to
 * N_LOADERS pooled runs from one queue, newest first. Its job is what the
 * operations list shows when the burst lasts. A burst that has run dry or
 * was cancelled takes no more requests; the next request starts a new
 * burst. */
typedef struct
{
  gatomicrefcount  ref;
  Loader          *loader;
  LkJob           *job;

  /* under loader->mutex */
  GQueue           waiting;    /* Request, oldest first */
  guint            total;
  guint            finished;
  guint            n_runs;     /* started and not over */
  gboolean         closed;
} Burst;

struct _LkFaceThumbnailer
{
  GObject      parent_instance;

  guint        max_cached;
  Loader      *loader;
  Burst       *burst;        /* the latest (main thread only) */
  GHashTable  *pending;      /* LkFaceItem -> Request (main thread only) */
  GQueue       cached;       /* LkFaceItem (ref), least recently requested first */
  GHashTable  *cached_links; /* LkFaceItem -> GList link in @cached */
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

static Loader *
loader_ref (Loader *loader)
{
  g_atomic_ref_count_inc (&loader->ref);
  return loader;
}

static void
loader_unref (Loader *loader)
{
  if (!g_atomic_ref_count_dec (&loader->ref))
    return;

  g_assert (loader->idle == NULL);
  g_queue_clear_full (&loader->done, (GDestroyNotify) request_free);
  g_mutex_clear (&loader->mutex);
  g_free (loader);
}

static Burst *
burst_ref (Burst *burst)
{
  g_atomic_ref_count_inc (&burst->ref);
  return burst;
}

static void
burst_unref (Burst *burst)
{
  if (!g_atomic_ref_count_dec (&burst->ref))
    return;

  g_assert (burst->waiting.length == 0);
  g_clear_object (&burst->job);
  loader_unref (burst->loader);
  g_free (burst);
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

  g_mutex_lock (&self->loader->mutex);
  done = self->loader->done;
  g_queue_init (&self->loader->done);
  g_clear_pointer (&self->loader->idle, g_source_unref);
  g_mutex_unlock (&self->loader->mutex);

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

/* With the loader's mutex held: one idle delivers all that is done. */
static void
push_done_locked (Loader  *loader,
                  Request *request)
{
  if (loader->self == NULL)
    {
      request_free (request);
      return;
    }

  g_queue_push_tail (&loader->done, request);
  if (loader->idle == NULL)
    {
      loader->idle = g_idle_source_new ();
      g_source_set_priority (loader->idle, G_PRIORITY_DEFAULT_IDLE);
      g_source_set_static_name (loader->idle, "[likeness] thumbnails");
      g_source_set_callback (loader->idle, deliver_cb, loader->self, NULL);
      g_source_attach (loader->idle, NULL);
    }
}

/* A pooled run of a burst: loads the newest waiting request until none
 * waits (the newest is what is on screen now). A cancel of the burst's job
 * (from the operations list, or by dispose) drops what waits: the grid asks
 * for those items again when it binds them. */
static gboolean
load_func (LkJob    *job,
           gpointer  data,
           GError  **error)
{
  Burst *burst = data;
  Loader *loader = burst->loader;
  gboolean cancelled = FALSE;
  Request *request;

  g_mutex_lock (&loader->mutex);
  for (;;)
    {
      cancelled = lk_job_is_cancelled (burst->job);
      request = cancelled ? NULL : g_queue_pop_tail (&burst->waiting);
      if (request == NULL)
        break;
      g_mutex_unlock (&loader->mutex);

      if (g_atomic_int_get (&request->wanted))
        {
          g_autoptr(GError) local_error = NULL;
          g_autoptr(LkImage) image = lk_image_load (request->path, &local_error);

          if (image != NULL)
            request->texture = lk_texture_new_from_image (image, loader->size);
          else
            g_debug ("No thumbnail: %s", local_error->message);
        }

      g_mutex_lock (&loader->mutex);
      burst->finished++;
      push_done_locked (loader, request);
      /* TRANSLATORS: thumbnails loaded, of those asked for */
      lk_job_update (burst->job, (double) burst->finished / burst->total, _("%u of %u"),
                     burst->finished, burst->total);
    }

  /* Dry or cancelled: the next request starts a new burst. */
  burst->closed = TRUE;
  while ((request = g_queue_pop_head (&burst->waiting)) != NULL)
    push_done_locked (loader, request);
  burst->n_runs--;
  g_mutex_unlock (&loader->mutex);

  if (cancelled)
    return !lk_job_set_error_if_cancelled (burst->job, error);
  return TRUE;
}

static void
load_done_cb (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!lk_job_run_finish (result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Loading thumbnails: %s", error->message);
}

LkFaceThumbnailer *
lk_face_thumbnailer_new (int   size,
                         guint max_cached)
{
  LkFaceThumbnailer *self = g_object_new (LK_TYPE_FACE_THUMBNAILER, NULL);

  self->loader->size = size;
  self->max_cached = MAX (max_cached, 1);

  return self;
}

void
lk_face_thumbnailer_request (LkFaceThumbnailer *self,
                             LkFaceItem        *item)
{
  g_autoptr(LkJob) run_job = NULL;
  GList *link;
  Request *request;
  const LkFace *face;
  Burst *burst;
  gboolean start;

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
  request->item = g_object_ref (item);
  request->path = g_strdup (face->file);
  request->wanted = TRUE;
  g_hash_table_insert (self->pending, item, request);

  g_mutex_lock (&self->loader->mutex);
  if (self->burst == NULL || self->burst->closed)
    {
      /* Its job is listed only when the burst lasts (see
       * lk_job_run_pooled_async()). */
      g_clear_pointer (&self->burst, burst_unref);
      self->burst = g_new0 (Burst, 1);
      self->burst->job = lk_job_new (_("Loading Thumbnails"));
      self->burst->loader = loader_ref (self->loader);
      g_atomic_ref_count_init (&self->burst->ref);
    }
  burst = self->burst;
  g_queue_push_tail (&burst->waiting, request);
  burst->total++;
  start = burst->n_runs < N_LOADERS && burst->n_runs < burst->waiting.length;
  if (start)
    run_job = burst->n_runs++ == 0 ? g_object_ref (burst->job) : lk_job_new (NULL);
  g_mutex_unlock (&self->loader->mutex);

  /* The first run carries the burst's job; a second one an unlisted job of
   * its own, as a job is listed once: both follow the burst's job for
   * cancel and progress. Below a preview frame, which the user drags. */
  if (start)
    lk_job_run_pooled_async (run_job, G_PRIORITY_LOW, NULL, load_func, burst_ref (burst),
                             (GDestroyNotify) burst_unref, load_done_cb, NULL);
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
  GQueue done = G_QUEUE_INIT;

  /* The runs drop what waits and free what they finish from now on; none
   * delivers to this object any more. */
  if (self->burst != NULL)
    lk_job_cancel (self->burst->job);
  g_clear_pointer (&self->burst, burst_unref);

  if (self->loader != NULL)
    {
      g_mutex_lock (&self->loader->mutex);
      self->loader->self = NULL;
      if (self->loader->idle != NULL)
        {
          g_source_destroy (self->loader->idle);
          g_clear_pointer (&self->loader->idle, g_source_unref);
        }
      done = self->loader->done;
      g_queue_init (&self->loader->done);
      g_mutex_unlock (&self->loader->mutex);
      g_queue_clear_full (&done, (GDestroyNotify) request_free);
    }

  /* The pending table does not own its requests. */
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->cached_links, g_hash_table_unref);
  g_queue_clear_full (&self->cached, g_object_unref);

  G_OBJECT_CLASS (lk_face_thumbnailer_parent_class)->dispose (object);
}

static void
lk_face_thumbnailer_finalize (GObject *object)
{
  LkFaceThumbnailer *self = LK_FACE_THUMBNAILER (object);

  g_clear_pointer (&self->loader, loader_unref);

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
  g_queue_init (&self->cached);
  self->loader = g_new0 (Loader, 1);
  g_atomic_ref_count_init (&self->loader->ref);
  g_mutex_init (&self->loader->mutex);
  g_queue_init (&self->loader->done);
  self->loader->size = 128;
  self->loader->self = self;
  self->max_cached = 2000;
  /* The pending table does not own its requests: they are freed when
   * delivered. */
  self->pending = g_hash_table_new (NULL, NULL);
  self->cached_links = g_hash_table_new (NULL, NULL);
}
