/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-extractor"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "lk-align.h"
#include "lk-error.h"
#include "lk-extractor.h"
#include "lk-job-runner.h"
#include "lk-face-detector.h"
#include "lk-face-descriptor.h"
#include "lk-face-tracker.h"
#include "lk-faces.h"
#include "lk-image-io.h"
#include "lk-pose.h"
#include "lk-video-reader.h"

/* Frames waiting for the writer thread; bounds memory while the PNG encoder
 * catches up with decoding. */
#define MAX_PENDING_FRAMES 16
/* Frames decoded ahead by the decoding thread. */
#define MAX_DECODED_FRAMES 4
/* Faces whose descriptors the writer computes in one batch, at most: what
 * is queued when it looks, so a batch never waits for frames to come. */
#define MAX_DESCRIPTOR_BATCH 16

G_STATIC_ASSERT (LK_FACE_DESCRIPTOR_DIM == LK_PROJECT_DESCRIPTOR_DIM);

LkExtractParams
lk_extract_params_default (void)
{
  LkExtractParams params = {
    .every_nth = 1,
    .min_face_size = 40,
    .upsample = 0,
    .cnn = FALSE,
    .cnn_model = NULL,
    .landmark_model = NULL,
    .redetect_interval = 10,
    .max_faces = 0,
    .crop_size = 256,
    .coverage = 0.0,   /* 0: the alignment's default */
    .descriptors = TRUE,
  };

  return params;
}

char *
lk_extract_params_to_json (const LkExtractParams *params)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "every-nth");
  json_builder_add_int_value (builder, params->every_nth);
  json_builder_set_member_name (builder, "min-face-size");
  json_builder_add_int_value (builder, params->min_face_size);
  json_builder_set_member_name (builder, "upsample");
  json_builder_add_int_value (builder, params->upsample);
  json_builder_set_member_name (builder, "detector");
  json_builder_add_string_value (builder, params->cnn ? "cnn" : "hog");
  json_builder_set_member_name (builder, "redetect-interval");
  json_builder_add_int_value (builder, params->redetect_interval);
  json_builder_set_member_name (builder, "max-faces");
  json_builder_add_int_value (builder, params->max_faces);
  json_builder_set_member_name (builder, "crop-size");
  json_builder_add_int_value (builder, params->crop_size);
  json_builder_set_member_name (builder, "coverage");
  json_builder_add_double_value (builder, params->coverage);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/* One processed frame on its way to the writer. */
typedef struct
{
  int        frame_index;
  gint64     pts;
  double     time;
  GPtrArray *faces;   /* LkFace */
  GPtrArray *crops;   /* LkImage, same order */
  GPtrArray *chips;   /* LkImage, same order, for the descriptors; NULL without them */
} Item;

static void
item_free (Item *item)
{
  g_clear_pointer (&item->faces, g_ptr_array_unref);
  g_clear_pointer (&item->crops, g_ptr_array_unref);
  g_clear_pointer (&item->chips, g_ptr_array_unref);
  g_free (item);
}

typedef struct
{
  LkProject        *project;
  LkIdentity        identity;
  LkExtractParams   params;
  LkAlignParams     align;
  LkJob            *job;
  LkExtractSummary *summary;
  LkFaceRecognizer *recognizer;     /* NULL: no descriptors */
  gboolean          describe_failed; /* the writer's: the network failed, none since */

  /* The current source */
  gint64            source_id;
  const char       *path;
  GArray           *stored_frames;  /* gint64 frame ids this run stored */
  GPtrArray        *written_files;  /* crops this run wrote */

  /* Writer thread */
  GMutex            mutex;
  GCond             cond;
  GQueue            queue;          /* Item; NULL item ends */
  GError           *writer_error;
  guint             faces_stored;
  guint             frames_stored;
  double            writer_cpu;     /* seconds */
} Extraction;

/* The calling thread's CPU time, for the figures in the debug log. */
static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static gboolean
writer_failed (Extraction *ex)
{
  gboolean failed;

  g_mutex_lock (&ex->mutex);
  failed = ex->writer_error != NULL;
  g_mutex_unlock (&ex->mutex);

  return failed;
}

static gboolean
write_item (Extraction  *ex,
            Item        *item,
            GError     **error)
{
  gint64 frame_id;

  for (guint i = 0; i < item->faces->len; i++)
    {
      LkFace *face = item->faces->pdata[i];

      if (!lk_image_save_png (item->crops->pdata[i], face->file, error))
        return FALSE;
      g_ptr_array_add (ex->written_files, g_strdup (face->file));
    }

  frame_id = lk_project_store_frame (ex->project, ex->source_id, item->frame_index, item->pts,
                                     item->time, (LkFace **) item->faces->pdata,
                                     item->faces->len, error);
  if (frame_id < 0)
    return FALSE;

  g_array_append_val (ex->stored_frames, frame_id);

  return TRUE;
}

/* Computes the descriptors of the faces of @items in one batch and hands
 * them to the faces (stored with them by write_item()). A failure of the
 * network is not one of extraction: those faces keep no descriptor (they
 * can get one later) and the run goes on, with one warning. */
static void
describe_items (Extraction *ex,
                GPtrArray  *items)
{
  g_autoptr(GPtrArray) chips = g_ptr_array_new ();
  g_autoptr(GPtrArray) faces = g_ptr_array_new ();
  g_autofree float *descriptors = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      Item *item = items->pdata[i];

      for (guint k = 0; item->chips != NULL && k < item->chips->len; k++)
        if (item->chips->pdata[k] != NULL)
          {
            g_ptr_array_add (chips, item->chips->pdata[k]);
            g_ptr_array_add (faces, item->faces->pdata[k]);
          }
    }
  if (chips->len == 0)
    return;

  descriptors = g_new (float, (gsize) chips->len * LK_FACE_DESCRIPTOR_DIM);
  if (!lk_face_recognizer_compute (ex->recognizer, (const LkImage *const *) chips->pdata,
                                   (int) chips->len, descriptors, &error))
    {
      g_warning ("Faces are stored without identity descriptors: %s", error->message);
      ex->describe_failed = TRUE;
      return;
    }
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];

      face->descriptor = g_memdup2 (descriptors + (gsize) i * LK_FACE_DESCRIPTOR_DIM,
                                    LK_FACE_DESCRIPTOR_DIM * sizeof (float));
    }
}

static gpointer
writer_thread (gpointer data)
{
  Extraction *ex = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  gboolean done = FALSE;

  while (!done)
    {
      guint n_faces = 0;

      /* Waits for one frame, then takes what else is queued, up to a
       * batch of faces. */
      g_mutex_lock (&ex->mutex);
      while (g_queue_is_empty (&ex->queue))
        g_cond_wait (&ex->cond, &ex->mutex);
      do
        {
          Item *item = g_queue_pop_head (&ex->queue);

          if (item == NULL)
            {
              done = TRUE;
              break;
            }
          g_ptr_array_add (batch, item);
          n_faces += item->faces->len;
        }
      while (ex->recognizer != NULL && n_faces < MAX_DESCRIPTOR_BATCH &&
             !g_queue_is_empty (&ex->queue));
      g_cond_broadcast (&ex->cond);
      g_mutex_unlock (&ex->mutex);

      if (ex->recognizer != NULL && !ex->describe_failed && !writer_failed (ex))
        describe_items (ex, batch);

      for (guint i = 0; i < batch->len; i++)
        {
          Item *item = batch->pdata[i];
          g_autoptr(GError) error = NULL;

          /* After a failure, the rest is only drained. */
          if (!writer_failed (ex) && !write_item (ex, item, &error))
            {
              g_mutex_lock (&ex->mutex);
              ex->writer_error = g_steal_pointer (&error);
              g_mutex_unlock (&ex->mutex);
            }
          else if (error == NULL)
            {
              g_mutex_lock (&ex->mutex);
              ex->frames_stored++;
              ex->faces_stored += item->faces->len;
              g_mutex_unlock (&ex->mutex);
            }

          item_free (item);
        }
      g_ptr_array_set_size (batch, 0);
    }

  ex->writer_cpu = thread_cpu_seconds ();
  return NULL;
}

static void
push_item (Extraction *ex,
           Item       *item)
{
  g_mutex_lock (&ex->mutex);
  while (item != NULL && g_queue_get_length (&ex->queue) >= MAX_PENDING_FRAMES)
    g_cond_wait (&ex->cond, &ex->mutex);
  g_queue_push_tail (&ex->queue, item);
  g_cond_broadcast (&ex->cond);
  g_mutex_unlock (&ex->mutex);
}

/* Decoding (and the conversion to RGB) runs on its own thread, a few
 * frames ahead of detection, so that both cores are busy. */
typedef struct
{
  LkVideoReader *reader;
  GCancellable  *cancellable;
  GThread       *thread;
  GMutex         mutex;
  GCond          cond;
  GQueue         frames;   /* LkVideoFrame */
  gboolean       stop;     /* set by the consumer */
  gboolean       done;     /* the end, an error or a stop */
  GError        *error;
  double         cpu;      /* seconds, when done */
} Decoder;

static gpointer
decoder_thread (gpointer data)
{
  Decoder *dec = data;

  for (;;)
    {
      LkVideoFrame *frame = NULL;
      GError *error = NULL;
      gboolean ok;

      g_mutex_lock (&dec->mutex);
      while (!dec->stop && g_queue_get_length (&dec->frames) >= MAX_DECODED_FRAMES)
        g_cond_wait (&dec->cond, &dec->mutex);
      if (dec->stop)
        {
          g_mutex_unlock (&dec->mutex);
          break;
        }
      g_mutex_unlock (&dec->mutex);

      ok = lk_video_reader_read (dec->reader, &frame, dec->cancellable, &error);

      g_mutex_lock (&dec->mutex);
      if (!ok)
        dec->error = error;
      else if (frame != NULL)
        g_queue_push_tail (&dec->frames, frame);
      g_cond_broadcast (&dec->cond);
      g_mutex_unlock (&dec->mutex);

      if (!ok || frame == NULL)
        break;
    }

  g_mutex_lock (&dec->mutex);
  dec->cpu = thread_cpu_seconds ();
  dec->done = TRUE;
  g_cond_broadcast (&dec->cond);
  g_mutex_unlock (&dec->mutex);

  return NULL;
}

static void
decoder_start (Decoder       *dec,
               LkVideoReader *reader,
               GCancellable  *cancellable)
{
  memset (dec, 0, sizeof *dec);
  dec->reader = reader;
  dec->cancellable = cancellable;
  g_mutex_init (&dec->mutex);
  g_cond_init (&dec->cond);
  g_queue_init (&dec->frames);
  dec->thread = g_thread_new ("lk-extract-decode", decoder_thread, dec);
}

/* As lk_video_reader_read(): *@frame is NULL at the end of the stream. */
static gboolean
decoder_next (Decoder       *dec,
              LkVideoFrame **frame,
              GError       **error)
{
  gboolean ok = TRUE;

  g_mutex_lock (&dec->mutex);
  while (g_queue_is_empty (&dec->frames) && !dec->done)
    g_cond_wait (&dec->cond, &dec->mutex);
  *frame = g_queue_pop_head (&dec->frames);
  if (*frame == NULL && dec->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&dec->error));
      ok = FALSE;
    }
  g_cond_broadcast (&dec->cond);
  g_mutex_unlock (&dec->mutex);

  return ok;
}

static void
decoder_stop (Decoder *dec)
{
  g_mutex_lock (&dec->mutex);
  dec->stop = TRUE;
  g_cond_broadcast (&dec->cond);
  g_mutex_unlock (&dec->mutex);

  g_thread_join (dec->thread);
  g_queue_clear_full (&dec->frames, (GDestroyNotify) lk_video_frame_free);
  g_queue_init (&dec->frames);
  g_clear_error (&dec->error);
  g_mutex_clear (&dec->mutex);
  g_cond_clear (&dec->cond);
}

static int
compare_detection_area (gconstpointer a,
                        gconstpointer b)
{
  const LkFaceDetection *da = a, *db = b;
  double aa = da->width * da->height, ab = db->width * db->height;

  return aa < ab ? 1 : aa > ab ? -1 : 0;
}

static int
compare_detection_x (gconstpointer a,
                     gconstpointer b)
{
  const LkFaceDetection *da = a, *db = b;

  return da->x < db->x ? -1 : da->x > db->x ? 1 : 0;
}

/* Turns the detections of one frame into face records and aligned crops. */
static Item *
make_item (Extraction   *ex,
           LkVideoFrame *frame,
           GArray       *detections)
{
  Item *item = g_new0 (Item, 1);
  guint n;

  item->frame_index = (int) frame->index;
  item->pts = frame->pts;
  item->time = frame->time;
  item->faces = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_face_free);
  item->crops = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  if (ex->recognizer != NULL)
    item->chips = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);

  /* Drop small faces, keep the largest max_faces, then number the rest
   * left to right. */
  for (guint i = detections->len; i > 0; i--)
    {
      LkFaceDetection *d = &g_array_index (detections, LkFaceDetection, i - 1);

      if (MAX (d->width, d->height) < ex->params.min_face_size)
        g_array_remove_index (detections, i - 1);
    }
  g_array_sort (detections, compare_detection_area);
  n = detections->len;
  if (ex->params.max_faces > 0)
    n = MIN (n, (guint) ex->params.max_faces);
  g_array_set_size (detections, n);
  g_array_sort (detections, compare_detection_x);

  for (guint i = 0; i < detections->len; i++)
    {
      LkFaceDetection *d = &g_array_index (detections, LkFaceDetection, i);
      g_autoptr(LkFace) face = lk_face_new ();
      g_autofree char *rel = NULL;
      LkAlignment alignment;
      LkPose pose;
      LkImage *crop;

      if (!lk_align_compute ((const float (*)[2]) d->landmarks, &ex->align, &alignment))
        continue;
      crop = lk_align_extract (frame->image, &alignment);
      if (crop == NULL)
        continue;

      face->identity = ex->identity;
      face->source_id = ex->source_id;
      face->face_index = (int) item->faces->len;
      face->frame_index = item->frame_index;
      face->pts = frame->pts;
      face->time = frame->time;
      rel = lk_project_face_file_name (ex->project, ex->identity, ex->source_id, frame->pts,
                                       face->face_index);
      face->file = g_build_filename (lk_project_get_path (ex->project), rel, NULL);
      face->crop_size = alignment.size;
      face->coverage = alignment.coverage;
      face->box[0] = d->x;
      face->box[1] = d->y;
      face->box[2] = d->width;
      face->box[3] = d->height;
      face->score = d->score;
      memcpy (face->landmarks, d->landmarks, sizeof face->landmarks);
      memcpy (face->matrix, alignment.frame_to_face.m, sizeof face->matrix);
      face->metrics.face_size = d->width;
      face->metrics.landmark_fit = d->landmark_fit;
      if (lk_pose_estimate ((const float (*)[2]) d->landmarks, &pose))
        {
          face->metrics.yaw = pose.yaw;
          face->metrics.pitch = pose.pitch;
          face->metrics.roll = pose.roll;
        }

      g_ptr_array_add (item->faces, g_steal_pointer (&face));
      g_ptr_array_add (item->crops, crop);
      /* The chip comes from the frame, as lk_face_recognizer_describe_face()
       * does; NULL (no descriptor) when it cannot be cut. */
      if (item->chips != NULL)
        g_ptr_array_add (item->chips, lk_face_chip_new (frame->image,
                                                        (const float (*)[2]) d->landmarks, NULL));
    }

  return item;
}

/* Removes what this run stored for the current source: after a failure
 * part-way through a file, so that a bad file leaves the project as it was. */
static void
undo_source (Extraction *ex,
             gboolean    remove_source)
{
  if (!lk_project_discard_frames (ex->project, ex->source_id,
                                  (const gint64 *) ex->stored_frames->data,
                                  ex->stored_frames->len, remove_source, NULL))
    g_debug ("Could not undo the partial extraction of %s", ex->path);

  for (guint i = 0; i < ex->written_files->len; i++)
    g_remove (ex->written_files->pdata[i]);
}

static char *
hash_file (const char    *path,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (1 << 20);
  gssize n;

  stream = g_file_read (file, cancellable, error);
  if (stream == NULL)
    return NULL;

  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, 1 << 20,
                                   cancellable, error)) > 0)
    g_checksum_update (checksum, buffer, n);

  if (n < 0)
    return NULL;

  return g_strdup (g_checksum_get_string (checksum));
}

static gboolean
source_exists (LkProject  *project,
               LkIdentity  identity,
               const char *path)
{
  g_autoptr(GPtrArray) sources = lk_project_list_sources (project, identity, NULL);

  for (guint i = 0; sources != NULL && i < sources->len; i++)
    if (g_str_equal (((LkSource *) sources->pdata[i])->path, path))
      return TRUE;

  return FALSE;
}

static gboolean
extract_one (Extraction      *ex,
             LkFaceDetector  *detector,
             LkVideoReader   *reader,
             const char      *path,
             guint            nth_source,
             guint            n_sources,
             GError         **error)
{
  const LkVideoInfo *info = lk_video_reader_get_info (reader);
  GCancellable *cancellable = ex->job ? lk_job_get_cancellable (ex->job) : NULL;
  g_autofree char *params_json = lk_extract_params_to_json (&ex->params);
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *sha256 = NULL;
  g_autoptr(GHashTable) processed = NULL;
  g_autoptr(LkFaceTracker) tracker = NULL;
  g_autoptr(GArray) detections = g_array_new (FALSE, TRUE, sizeof (LkFaceDetection));
  g_autoptr(GError) local_error = NULL;
  LkFaceTrackerParams tracker_params = lk_face_tracker_params_default ();
  Decoder decoder;
  GThread *writer;
  gboolean is_new;
  gboolean ok = TRUE;
  gint64 started = g_get_monotonic_time ();
  double cpu_started = thread_cpu_seconds ();
  guint processed_here = 0;

  ex->path = path;
  is_new = !source_exists (ex->project, ex->identity, path);
  ex->source_id = lk_project_add_source (ex->project, ex->identity, path, error);
  if (ex->source_id < 0)
    return FALSE;

  if (lk_project_source_is_extracted_with (ex->project, ex->source_id, params_json))
    {
      ex->summary->sources_skipped++;
      return TRUE;
    }

  sha256 = hash_file (path, cancellable, error);
  if (sha256 == NULL ||
      !lk_project_update_source_info (ex->project, ex->source_id, sha256, info->duration,
                                      info->frame_rate, info->width, info->height, error))
    {
      if (is_new)
        undo_source (ex, TRUE);
      return FALSE;
    }

  processed = lk_project_get_processed_frames (ex->project, ex->source_id, error);
  if (processed == NULL)
    return FALSE;

  if (ex->params.redetect_interval > 0)
    tracker_params.redetect_interval = ex->params.redetect_interval;
  else
    tracker_params.redetect_interval = 1;
  tracker = lk_face_tracker_new (detector, &tracker_params);

  g_array_set_size (ex->stored_frames, 0);
  g_ptr_array_set_size (ex->written_files, 0);
  ex->frames_stored = 0;
  ex->faces_stored = 0;
  writer = g_thread_new ("lk-extract-writer", writer_thread, ex);
  decoder_start (&decoder, reader, cancellable);

  for (;;)
    {
      g_autoptr(LkVideoFrame) frame = NULL;
      double fraction;

      if (writer_failed (ex))
        break;

      if (!decoder_next (&decoder, &frame, &local_error))
        {
          ok = FALSE;
          break;
        }
      if (frame == NULL)
        break;  /* end of stream */

      ex->summary->frames_decoded++;

      if (ex->params.every_nth > 1 && frame->index % ex->params.every_nth != 0)
        continue;

      if (g_hash_table_contains (processed, &frame->pts))
        {
          ex->summary->frames_already_done++;
          /* The next frame we process follows a gap. */
          lk_face_tracker_reset (tracker);
          continue;
        }

      g_array_set_size (detections, 0);
      if (!lk_face_tracker_process (tracker, frame->image, detections, &local_error))
        {
          lk_error_prefix_file (&local_error, path);
          ok = FALSE;
          break;
        }

      ex->summary->frames_processed++;
      processed_here++;
      {
        Item *item = make_item (ex, frame, detections);

        if (item->faces->len > 0)
          ex->summary->frames_with_faces++;
        ex->summary->faces += item->faces->len;
        push_item (ex, item);
      }

      if (ex->job != NULL)
        {
          double elapsed = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
          double rate = elapsed > 0 ? processed_here / elapsed : 0.0;

          if (info->is_still_image || info->duration <= 0)
            fraction = 1.0;
          else
            fraction = CLAMP (frame->time / info->duration, 0.0, 1.0);
          fraction = (nth_source + fraction) / n_sources;

          lk_job_set_figure (ex->job, "frames-per-second", rate);
          lk_job_set_figure (ex->job, "frames", ex->summary->frames_processed);
          lk_job_set_figure (ex->job, "faces", ex->summary->faces);
          lk_job_update (ex->job, fraction, _("%s: %u frames, %u faces, %.1f frames/s"),
                         basename, ex->summary->frames_processed, ex->summary->faces, rate);
        }
    }

  /* Let the writer finish what is queued, then stop it. */
  push_item (ex, NULL);
  g_thread_join (writer);
  decoder_stop (&decoder);

  if (processed_here > 0)
    g_debug ("%s: %u frames in %.2f s, %u full detections; CPU ms/frame: "
             "detection and alignment %.2f, decoding thread %.2f, writing %.2f",
             basename, processed_here, (g_get_monotonic_time () - started) / 1e6,
             lk_face_tracker_get_n_detections (tracker),
             1000 * (thread_cpu_seconds () - cpu_started) / processed_here,
             1000 * decoder.cpu / processed_here, 1000 * ex->writer_cpu / processed_here);

  ex->summary->detections += lk_face_tracker_get_n_detections (tracker);

  if (ok && ex->writer_error != NULL)
    {
      local_error = g_steal_pointer (&ex->writer_error);
      ok = FALSE;
    }
  g_clear_error (&ex->writer_error);

  if (!ok)
    {
      gboolean cancelled = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      /* A cancel keeps what was stored; a broken file takes it back. */
      if (!cancelled)
        undo_source (ex, is_new);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!lk_project_mark_source_extracted (ex->project, ex->source_id, params_json, error))
    return FALSE;

  return TRUE;
}

gboolean
lk_extract_sources (LkProject              *project,
                    LkIdentity              identity,
                    const char * const     *paths,
                    const LkExtractParams  *params,
                    LkJob                  *job,
                    LkExtractSummary       *summary,
                    GError                **error)
{
  g_autoptr(GPtrArray) readers = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_video_reader_free);
  g_autoptr(GPtrArray) absolute = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LkFaceDetector) detector = NULL;
  GCancellable *cancellable = job ? lk_job_get_cancellable (job) : NULL;
  LkFaceDetectorParams detector_params = lk_face_detector_params_default ();
  LkExtractSummary local_summary = { 0 };
  Extraction ex = { 0 };
  gint64 started = g_get_monotonic_time ();
  gboolean ok = TRUE;
  guint n_paths;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, FALSE);
  g_return_val_if_fail (paths != NULL, FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  if (summary == NULL)
    summary = &local_summary;
  memset (summary, 0, sizeof *summary);

  n_paths = g_strv_length ((char **) paths);
  if (n_paths == 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT, "No videos or images to extract from");
      return FALSE;
    }

  /* Open everything first: a file that cannot be read stops the run before
   * the project changes. */
  LK_JOB_UPDATE (job, 0.0, "%s", _("Opening the files"));
  for (guint i = 0; i < n_paths; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (paths[i]);
      g_autofree char *path = g_file_get_path (file);
      LkVideoReader *reader = lk_video_reader_open (path, cancellable, error);

      if (reader == NULL)
        return FALSE;

      g_ptr_array_add (readers, reader);
      g_ptr_array_add (absolute, g_steal_pointer (&path));
    }

  detector_params.kind = params->cnn ? LK_FACE_DETECTOR_CNN : LK_FACE_DETECTOR_HOG;
  detector_params.upsample = params->upsample;
  detector_params.min_face_size = params->min_face_size;
  if (params->cnn_model != NULL)
    detector_params.cnn_model = params->cnn_model;
  if (params->landmark_model != NULL)
    detector_params.landmark_model = params->landmark_model;

  LK_JOB_UPDATE (job, 0.0, "%s", _("Loading the face models"));
  detector = lk_face_detector_new (&detector_params, error);
  if (detector == NULL)
    return FALSE;

  /* Identity descriptors when the network is there; without it the faces
   * are stored as before and get theirs later. */
  if (params->descriptors)
    {
      g_autoptr(GError) local_error = NULL;

      ex.recognizer = lk_face_recognizer_get_default (&local_error);
      if (ex.recognizer == NULL)
        g_message ("Faces are stored without identity descriptors: %s", local_error->message);
    }

  ex.project = project;
  ex.identity = identity;
  ex.params = *params;
  ex.align = lk_align_params_default ();
  if (params->crop_size > 0)
    ex.align.size = params->crop_size;
  if (params->coverage > 0)
    ex.align.coverage = params->coverage;
  ex.job = job;
  ex.summary = summary;
  ex.stored_frames = g_array_new (FALSE, FALSE, sizeof (gint64));
  ex.written_files = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&ex.mutex);
  g_cond_init (&ex.cond);
  g_queue_init (&ex.queue);

  for (guint i = 0; ok && i < n_paths; i++)
    {
      summary->sources++;
      ok = extract_one (&ex, detector, readers->pdata[i], absolute->pdata[i], i, n_paths, error);
    }

  g_array_unref (ex.stored_frames);
  g_ptr_array_unref (ex.written_files);
  g_mutex_clear (&ex.mutex);
  g_cond_clear (&ex.cond);

  summary->seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  summary->frames_per_second = summary->seconds > 0 ? summary->frames_processed / summary->seconds : 0;

  if (ok)
    LK_JOB_UPDATE (job, 1.0, _("%u faces from %u frames"), summary->faces, summary->frames_processed);

  return ok;
}

typedef struct
{
  LkProject        *project;
  LkIdentity        identity;
  GStrv             paths;
  LkExtractParams   params;
  char             *cnn_model;
  char             *landmark_model;
  LkExtractSummary  summary;
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_clear_object (&data->project);
  g_strfreev (data->paths);
  g_free (data->cnn_model);
  g_free (data->landmark_model);
  g_free (data);
}

static gboolean
extract_func (LkJob     *job,
              gpointer   user_data,
              GError   **error)
{
  AsyncData *data = user_data;

  return lk_extract_sources (data->project, data->identity, (const char * const *) data->paths,
                             &data->params, job, &data->summary, error);
}

void
lk_extract_sources_async (LkProject              *project,
                          LkIdentity              identity,
                          const char * const     *paths,
                          const LkExtractParams  *params,
                          LkJob                  *job,
                          GAsyncReadyCallback     callback,
                          gpointer                user_data)
{
  g_autoptr(LkJob) own_job = NULL;
  AsyncData *data;

  g_return_if_fail (LK_IS_PROJECT (project));
  g_return_if_fail (params != NULL);

  data = g_new0 (AsyncData, 1);
  data->project = g_object_ref (project);
  data->identity = identity;
  data->paths = g_strdupv ((char **) paths);
  data->params = *params;
  data->cnn_model = g_strdup (params->cnn_model);
  data->landmark_model = g_strdup (params->landmark_model);
  data->params.cnn_model = data->cnn_model;
  data->params.landmark_model = data->landmark_model;
  if (job == NULL)
    job = own_job = lk_job_new (_("Extracting Faces"));

  lk_job_run_async (job, project, extract_func, data, (GDestroyNotify) async_data_free,
                    callback, user_data);
}

gboolean
lk_extract_sources_finish (LkProject         *project,
                           GAsyncResult      *result,
                           LkExtractSummary  *summary,
                           GError           **error)
{
  AsyncData *data;

  g_return_val_if_fail (g_task_is_valid (result, project), FALSE);

  data = lk_job_run_get_data (result);
  if (summary != NULL)
    *summary = data->summary;

  return lk_job_run_finish (result, error);
}
