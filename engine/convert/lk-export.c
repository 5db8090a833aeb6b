/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include <inttypes.h>

#include "lk-export.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "lk-converter.h"
#include "lk-error.h"
#include "lk-job-runner.h"
#include "lk-project-exports.h"
#include "lk-provenance.h"
#include "lk-torch.h"
#include "lk-video-reader.h"
#include "lk-video-writer.h"

void
lk_export_summary_clear (LkExportSummary *s)
{
  if (s == NULL)
    return;
  g_free (s->output);
  g_free (s->sidecar);
  g_free (s->checkpoint);
  g_free (s->checkpoint_sha256);
  g_free (s->output_sha256);
  g_free (s->audio);
  memset (s, 0, sizeof *s);
  s->export_id = -1;
}

/* ---- a bounded queue between the threads --------------------------------- */

typedef struct
{
  GMutex   lock;
  GCond    cond;
  GQueue   items;
  guint    capacity;
  gboolean closed;   /* no more items will come */
  gboolean aborted;  /* stop now */
} Queue;

static void
queue_init (Queue *q,
            guint  capacity)
{
  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  g_queue_init (&q->items);
  q->capacity = capacity;
}

static void
queue_clear (Queue          *q,
             GDestroyNotify  free_func)
{
  g_queue_clear_full (&q->items, free_func);
  g_mutex_clear (&q->lock);
  g_cond_clear (&q->cond);
}

static gboolean
queue_push (Queue    *q,
            gpointer  item)
{
  gboolean ok;

  g_mutex_lock (&q->lock);
  while (q->items.length >= q->capacity && !q->aborted)
    g_cond_wait (&q->cond, &q->lock);
  ok = !q->aborted;
  if (ok)
    g_queue_push_tail (&q->items, item);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  return ok;
}

/* NULL when closed and empty, or aborted. */
static gpointer
queue_pop (Queue *q)
{
  gpointer item = NULL;

  g_mutex_lock (&q->lock);
  while (q->items.length == 0 && !q->closed && !q->aborted)
    g_cond_wait (&q->cond, &q->lock);
  if (!q->aborted)
    item = g_queue_pop_head (&q->items);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  return item;
}

static void
queue_close (Queue    *q,
             gboolean  abort)
{
  g_mutex_lock (&q->lock);
  q->closed = TRUE;
  if (abort)
    q->aborted = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

/* ---- the export ------------------------------------------------------------ */

typedef struct
{
  const LkConvertParams *params;
  LkVideoReader         *reader;
  LkVideoWriter         *writer;
  GCancellable          *cancellable;
  Queue                  decoded;  /* LkVideoFrame, reader -> converter */
  Queue                  converted;/* LkVideoFrame, converter -> writer */
  GMutex                 error_lock;
  GError                *error;    /* the first failure */
  /* The audio's window in seconds of the source (< 0: open): the time
   * range's, narrowed by the reader thread to a frame range's frames. It
   * sets the start before it queues the first frame (the writer thread
   * passes it on before writing that frame) and the end before it closes
   * the queue (passed on after the threads are joined). */
  double                 audio_start;
  double                 audio_end;
  double                 time_range_end;
} Pipeline;

static void
pipeline_fail (Pipeline *p,
               GError   *error)
{
  g_mutex_lock (&p->error_lock);
  if (p->error == NULL)
    p->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&p->error_lock);
  queue_close (&p->decoded, TRUE);
  queue_close (&p->converted, TRUE);
}

static gboolean
frame_in_range (const LkConvertParams *params,
                const LkVideoFrame    *frame,
                gboolean              *past_end)
{
  *past_end = (params->end_frame >= 0 && frame->index > params->end_frame)
              || (params->end_time >= 0 && frame->time >= params->end_time);
  if (*past_end)
    return FALSE;
  if (params->start_frame > 0 && frame->index >= 0 && frame->index < params->start_frame)
    return FALSE;
  return TRUE;
}

/* Narrows the audio's window to the frames in the range: a frame range's
 * start is the time of its first frame, its end the time of the first frame
 * after it (where the range's last frame stops being shown). A time range
 * is already set, and a frame is never inside it by more than that. A range
 * that reaches the end of the video keeps the audio to its end. */
static void
narrow_audio_window (Pipeline           *p,
                     const LkVideoFrame *frame,
                     gboolean            first,
                     gboolean            past_end)
{
  if (first && p->params->start_frame > 0)
    p->audio_start = MAX (p->audio_start, frame->time);
  if (past_end && p->params->end_frame >= 0)
    p->audio_end = p->audio_end >= 0 ? MIN (p->audio_end, frame->time) : frame->time;
}

static gpointer
reader_thread (gpointer data)
{
  Pipeline *p = data;
  gboolean first = TRUE;

  for (;;)
    {
      LkVideoFrame *frame = NULL;
      GError *error = NULL;
      gboolean past_end;

      if (!lk_video_reader_read (p->reader, &frame, p->cancellable, &error))
        {
          pipeline_fail (p, error);
          return NULL;
        }
      if (frame == NULL)
        break;
      if (!frame_in_range (p->params, frame, &past_end))
        {
          if (past_end)
            narrow_audio_window (p, frame, FALSE, TRUE);
          lk_video_frame_free (frame);
          if (past_end)
            break;
          continue;
        }
      narrow_audio_window (p, frame, first, FALSE);
      first = FALSE;
      if (!queue_push (&p->decoded, frame))
        {
          lk_video_frame_free (frame);
          return NULL;
        }
    }
  queue_close (&p->decoded, FALSE);
  return NULL;
}

static gpointer
writer_thread (gpointer data)
{
  Pipeline *p = data;
  LkVideoFrame *frame;
  gboolean first = TRUE;

  while ((frame = queue_pop (&p->converted)) != NULL)
    {
      GError *error = NULL;
      gboolean ok;

      /* The reader thread set the start before it queued this frame; the
       * end it may be setting now, so the time range's stays till finish. */
      if (first)
        lk_video_writer_set_audio_window (p->writer, p->audio_start, p->time_range_end);
      first = FALSE;
      ok = lk_video_writer_write (p->writer, frame->image, frame->pts, p->cancellable, &error);

      lk_video_frame_free (frame);
      if (!ok)
        {
          pipeline_fail (p, error);
          return NULL;
        }
    }
  return NULL;
}

/* ---- the exports table ------------------------------------------------------ */

static gint64
record_start (LkProject             *project,
              const char            *target,
              const char            *output,
              const LkConvertParams *params,
              const char            *settings_json,
              const char            *checkpoint_sha256)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  id = lk_project_begin_export (project, target, output,
                                lk_convert_direction_to_string (params->direction),
                                settings_json, checkpoint_sha256, &error);
  if (error != NULL)
    g_warning ("%s", error->message);
  return id;
}

static void
record_end (LkProject  *project,
            gint64      id,
            const char *status,
            const char *output_sha256)
{
  g_autoptr(GError) error = NULL;

  if (id < 0)
    return;
  if (!lk_project_end_export (project, id, status, output_sha256, &error))
    g_warning ("%s", error->message);
}

/* ---- the sidecar ------------------------------------------------------------- */

static JsonObject *
file_record (const char   *path,
             const char   *known_sha256,
             GCancellable *cancellable,
             GError      **error)
{
  JsonObject *o = json_object_new ();
  g_autofree char *sha256 = NULL;

  json_object_set_string_member (o, "path", path);
  if (known_sha256 != NULL)
    sha256 = g_strdup (known_sha256);
  else if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      sha256 = lk_provenance_file_sha256 (path, cancellable, error);
      if (sha256 == NULL)
        {
          json_object_unref (o);
          return NULL;
        }
    }
  if (sha256 != NULL)
    json_object_set_string_member (o, "sha256", sha256);
  else
    json_object_set_null_member (o, "sha256");
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    json_object_set_boolean_member (o, "missing", TRUE);
  return o;
}

static gboolean
write_sidecar (LkProject             *project,
               const char            *target,
               const char            *output,
               const LkConvertParams *params,
               JsonNode              *settings,
               LkConverter           *converter,
               const LkExportSummary *summary,
               GCancellable          *cancellable,
               GError               **error)
{
  g_autoptr(JsonObject) record = json_object_new ();
  g_autoptr(GPtrArray) sources = NULL;
  JsonObject *o;
  JsonArray *list;
  LkAlignParams align = lk_converter_get_align_params (converter);

  json_object_set_string_member (record, "direction",
                                 lk_convert_direction_to_string (params->direction));

  if ((o = file_record (target, NULL, cancellable, error)) == NULL)
    return FALSE;
  json_object_set_object_member (record, "target", o);

  o = json_object_new ();
  json_object_set_string_member (o, "path", summary->checkpoint);
  json_object_set_string_member (o, "sha256", summary->checkpoint_sha256);
  json_object_set_int_member (o, "face-size", align.size);
  json_object_set_double_member (o, "coverage", align.coverage);
  json_object_set_object_member (record, "checkpoint", o);

  list = json_array_new ();
  sources = lk_project_list_sources (project, -1, NULL);
  for (guint i = 0; sources != NULL && i < sources->len; i++)
    {
      const LkSource *src = g_ptr_array_index (sources, i);

      if ((o = file_record (src->path, src->sha256, cancellable, error)) == NULL)
        {
          json_array_unref (list);
          return FALSE;
        }
      json_object_set_string_member (o, "identity", lk_identity_to_string (src->identity));
      json_array_add_object_element (list, o);
    }
  json_object_set_array_member (record, "sources", list);
  json_object_set_string_member (record, "project", lk_project_get_path (project));

  json_object_set_member (record, "settings", json_node_copy (settings));

  o = json_object_new ();
  json_object_set_int_member (o, "frames", summary->frames);
  json_object_set_int_member (o, "frames-with-faces", summary->frames_with_faces);
  json_object_set_int_member (o, "frames-without-face", summary->frames_without_face);
  json_object_set_int_member (o, "faces", summary->faces);
  json_object_set_string_member (o, "audio", summary->audio);
  json_object_set_object_member (record, "conversion", o);

  if (params->metadata)
    {
      g_auto(GStrv) tags = lk_provenance_metadata_tags ();

      o = json_object_new ();
      for (guint i = 0; tags[i] != NULL && tags[i + 1] != NULL; i += 2)
        json_object_set_string_member (o, tags[i], tags[i + 1]);
      json_object_set_object_member (record, "container-metadata", o);
    }
  json_object_set_boolean_member (record, "visible-label", params->label);

  return lk_provenance_write_sidecar (output, record, cancellable, error);
}

/* ---- lk_export_run ------------------------------------------------------------ */

static gint64
expected_frames (LkVideoReader         *reader,
                 const LkConvertParams *p,
                 GCancellable          *cancellable)
{
  const LkVideoInfo *info = lk_video_reader_get_info (reader);
  gint64 count = lk_video_reader_count_frames (reader, cancellable, NULL);
  gint64 first = 0, last;
  double fraction = 1.0;

  if (count <= 0)
    count = info->n_frames > 0 ? info->n_frames
                               : MAX (1, (gint64) (info->duration * info->frame_rate));
  last = count - 1;
  if (p->start_frame > 0)
    first = MIN (p->start_frame, count);
  if (p->end_frame >= 0)
    last = MIN (p->end_frame, last);
  if (info->duration > 0 && (p->start_time > 0 || p->end_time >= 0))
    {
      double s = MAX (p->start_time, 0), e = p->end_time >= 0 ? MIN (p->end_time, info->duration)
                                                              : info->duration;
      fraction = CLAMP ((e - s) / info->duration, 0, 1);
    }
  return MAX (1, (gint64) ceil ((last - first + 1) * fraction));
}

gboolean
lk_export_run (LkProject             *project,
               const char            *target,
               const char            *output,
               const char            *checkpoint,
               const LkConvertParams *params,
               LkJob                 *job,
               LkExportSummary       *summary_out,
               GError               **error)
{
  g_autoptr(LkConverter) converter = NULL;
  g_autoptr(LkVideoReader) reader = NULL;
  g_autoptr(LkVideoWriter) writer = NULL;
  g_autoptr(JsonNode) settings = NULL;
  g_autofree char *settings_json = NULL;
  g_autofree char *sidecar = NULL;
  g_auto(GStrv) tags = NULL;
  g_autoptr(GFile) target_file = NULL;
  g_autoptr(GFile) output_file = NULL;
  GCancellable *cancellable = job != NULL ? lk_job_get_cancellable (job) : NULL;
  LkExportSummary summary = { 0 };
  LkVideoWriterParams wp = lk_video_writer_params_default ();
  const LkVideoInfo *info;
  Pipeline p = { 0 };
  GThread *threads[2] = { NULL, NULL };
  GError *local_error = NULL;
  gint64 total, t0;
  int torch_threads = 0;
  gboolean ok = FALSE;
  const char *status = "failed";

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (target != NULL && output != NULL && params != NULL, FALSE);
  g_return_val_if_fail (job == NULL || LK_IS_JOB (job), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  summary.export_id = -1;
  t0 = g_get_monotonic_time ();

  if (!lk_convert_params_validate (params, error))
    return FALSE;
  target_file = g_file_new_for_path (target);
  output_file = g_file_new_for_path (output);
  if (g_file_equal (target_file, output_file))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("The output %s is the target video itself"), output);
      return FALSE;
    }
  if (!lk_export_codec_available (params->codec))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_UNSUPPORTED,
                   _("Cannot write %s: this FFmpeg has no %s encoder (%s)"), output,
                   lk_export_codec_to_string (params->codec),
                   lk_export_codec_encoder (params->codec));
      return FALSE;
    }

  LK_JOB_UPDATE (job, 0.0, "%s", _("Loading the model"));
  converter = lk_converter_new (project, checkpoint, 0, params, error);
  if (converter == NULL)
    return FALSE;
  summary.output = g_strdup (output);
  summary.checkpoint = g_strdup (lk_converter_get_checkpoint (converter));
  summary.checkpoint_sha256 = lk_provenance_file_sha256 (summary.checkpoint, cancellable, error);
  if (summary.checkpoint_sha256 == NULL)
    goto out;

  reader = lk_video_reader_open (target, cancellable, error);
  if (reader == NULL)
    goto out;
  info = lk_video_reader_get_info (reader);
  if (info->is_still_image)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("%s is a picture, not a video"), target);
      goto out;
    }
  total = expected_frames (reader, params, cancellable);
  if (params->start_time > 0
      && !lk_video_reader_seek_seconds (reader, params->start_time, cancellable, error))
    goto out;

  settings = lk_convert_params_to_json (params);
  settings_json = json_to_string (settings, FALSE);

  wp.width = info->width;
  wp.height = info->height;
  wp.time_base_num = info->time_base_num;
  wp.time_base_den = info->time_base_den;
  wp.frame_rate = info->nominal_frame_rate > 0 ? info->nominal_frame_rate : info->frame_rate;
  wp.encoder = lk_export_codec_encoder (params->codec);
  wp.crf = params->crf;
  wp.preset = params->preset;
  wp.audio_source = info->has_audio ? target : NULL;
  wp.audio_mode = LK_VIDEO_AUDIO_AUTO;
  /* A range's audio is the range's only (its timestamps kept, like the
   * frames'); a frame range's times come with its frames. */
  wp.audio_start = params->start_time > 0 ? params->start_time : -1;
  wp.audio_end = params->end_time >= 0 ? params->end_time : -1;
  if (params->metadata)
    {
      tags = lk_provenance_metadata_tags ();
      wp.metadata = (const char * const *) tags;
    }
  writer = lk_video_writer_new (output, &wp, error);
  if (writer == NULL)
    goto out;
  summary.audio = g_strdup (lk_video_writer_get_audio_action (writer));

  summary.export_id = record_start (project, target, output, params, settings_json,
                                    summary.checkpoint_sha256);

  /* Decode, convert and encode overlap, and FFmpeg's decoder and encoder
   * threads fill the cores already: on the CPU libtorch runs the (small,
   * one-frame) batches on one thread for the export. Its OpenMP pool
   * spinning beside the other threads made the converter 3-8x slower on a
   * busy 2-core machine (tests/bench/convert). Restored at the end. */
  if (g_getenv ("LK_CONVERT_TORCH_THREADS") != NULL
      || lk_torch_best_device () == LK_TORCH_DEVICE_CPU)
    {
      const char *env = g_getenv ("LK_CONVERT_TORCH_THREADS");

      torch_threads = lk_torch_get_num_threads ();
      lk_torch_set_num_threads (env != NULL ? atoi (env) : 1);
    }

  /* Decode, convert and encode overlap. */
  p.params = params;
  p.reader = reader;
  p.writer = writer;
  p.cancellable = cancellable;
  p.audio_start = wp.audio_start;
  p.audio_end = p.time_range_end = wp.audio_end;
  queue_init (&p.decoded, 4);
  queue_init (&p.converted, 4);
  g_mutex_init (&p.error_lock);
  threads[0] = g_thread_new ("lk-export-read", reader_thread, &p);
  threads[1] = g_thread_new ("lk-export-write", writer_thread, &p);

  for (;;)
    {
      LkVideoFrame *frame = queue_pop (&p.decoded);
      guint n_faces = 0;
      double elapsed, fps;

      if (frame == NULL)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error)
          || !lk_converter_process (converter, frame->image, frame->time, &n_faces,
                                    &local_error))
        {
          lk_video_frame_free (frame);
          pipeline_fail (&p, g_steal_pointer (&local_error));
          break;
        }
      if (params->label)
        lk_provenance_draw_label (frame->image, NULL);
      summary.frames++;
      summary.faces += n_faces;
      if (n_faces > 0)
        summary.frames_with_faces++;
      else
        summary.frames_without_face++;
      if (!queue_push (&p.converted, frame))
        {
          lk_video_frame_free (frame);
          break;
        }

      elapsed = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
      fps = elapsed > 0 ? summary.frames / elapsed : 0;
      if (job != NULL)
        {
          lk_job_set_figure (job, "frames", summary.frames);
          lk_job_set_figure (job, "frames-total", total);
          lk_job_set_figure (job, "frames-per-second", fps);
          lk_job_update (job, MIN (0.99, summary.frames / (double) total),
                         _("Frame %" PRIu64 " of about %" PRId64
                           ", %.1f frames/s"),
                         summary.frames, MAX (total, (gint64) summary.frames), fps);
        }
    }
  queue_close (&p.converted, FALSE);
  g_thread_join (threads[0]);
  g_thread_join (threads[1]);

  if (p.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&p.error));
      goto out;
    }
  if (summary.frames == 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("No frame of %s lies in the chosen range"), target);
      goto out;
    }

  LK_JOB_UPDATE (job, 0.99, "%s", _("Finishing the file"));
  summary.detections = lk_converter_get_n_detections (converter);
  lk_video_writer_set_audio_window (writer, p.audio_start, p.audio_end);
  if (!lk_video_writer_finish (writer, cancellable, error))
    goto out;

  /* The output has its final name now. */
  sidecar = lk_provenance_sidecar_path (output);
  if (params->sidecar)
    {
      if (!write_sidecar (project, target, output, params, settings, converter, &summary,
                          cancellable, error))
        {
          g_unlink (output);
          goto out;
        }
      summary.sidecar = g_strdup (sidecar);
      summary.output_sha256 = lk_provenance_file_sha256 (output, cancellable, NULL);
    }
  else if (g_file_test (sidecar, G_FILE_TEST_EXISTS))
    {
      /* A stale record of an earlier export under this name. */
      g_unlink (sidecar);
    }

  summary.seconds = (g_get_monotonic_time () - t0) / (double) G_USEC_PER_SEC;
  summary.frames_per_second = summary.seconds > 0 ? summary.frames / summary.seconds : 0;
  LK_JOB_UPDATE (job, 1.0, _("%" PRIu64 " frames, %.1f frames/s"), summary.frames,
                 summary.frames_per_second);
  status = "done";
  ok = TRUE;

out:
  if (torch_threads > 0)
    lk_torch_set_num_threads (torch_threads);
  if (threads[0] != NULL)
    {
      queue_clear (&p.decoded, (GDestroyNotify) lk_video_frame_free);
      queue_clear (&p.converted, (GDestroyNotify) lk_video_frame_free);
      g_mutex_clear (&p.error_lock);
    }
  if (!ok)
    {
      if (writer != NULL)
        lk_video_writer_abort (writer);
      if (error != NULL && g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        status = "cancelled";
    }
  if (summary.export_id >= 0)
    record_end (project, summary.export_id, status, summary.output_sha256);
  if (summary_out != NULL)
    *summary_out = summary;
  else
    lk_export_summary_clear (&summary);
  return ok;
}

/* ---- async ------------------------------------------------------------------- */

typedef struct
{
  LkProject       *project;
  char            *target;
  char            *output;
  char            *checkpoint;
  LkConvertParams  params;
  LkExportSummary  summary;
} ExportTask;

static void
export_task_free (gpointer data)
{
  ExportTask *t = data;

  g_clear_object (&t->project);
  g_free (t->target);
  g_free (t->output);
  g_free (t->checkpoint);
  lk_export_summary_clear (&t->summary);
  g_free (t);
}

/* lk_export_run() checks the cancellable itself and cleans up. */
static gboolean
export_func (LkJob     *job,
             gpointer   data,
             GError   **error)
{
  ExportTask *t = data;

  return lk_export_run (t->project, t->target, t->output, t->checkpoint, &t->params, job,
                        &t->summary, error);
}

void
lk_export_async (LkProject             *project,
                 const char            *target,
                 const char            *output,
                 const char            *checkpoint,
                 const LkConvertParams *params,
                 LkJob                 *job,
                 GAsyncReadyCallback    callback,
                 gpointer               user_data)
{
  g_autoptr(LkJob) own_job = NULL;
  ExportTask *t;

  g_return_if_fail (LK_IS_PROJECT (project));
  g_return_if_fail (target != NULL && output != NULL && params != NULL);
  g_return_if_fail (job == NULL || LK_IS_JOB (job));

  t = g_new0 (ExportTask, 1);
  t->project = g_object_ref (project);
  t->target = g_strdup (target);
  t->output = g_strdup (output);
  t->checkpoint = g_strdup (checkpoint);
  t->params = *params;
  t->summary.export_id = -1;
  if (job == NULL)
    job = own_job = lk_job_new (_("Exporting"));

  lk_job_run_async (job, project, export_func, t, export_task_free, callback, user_data);
}

gboolean
lk_export_finish (LkProject        *project,
                  GAsyncResult     *result,
                  LkExportSummary  *summary,
                  GError          **error)
{
  ExportTask *t;

  g_return_val_if_fail (g_task_is_valid (result, project), FALSE);

  t = lk_job_run_get_data (result);
  if (summary != NULL)
    {
      *summary = t->summary;
      memset (&t->summary, 0, sizeof t->summary);
    }
  return lk_job_run_finish (result, error);
}
