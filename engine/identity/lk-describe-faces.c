/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-identity"

#include "config.h"

#include "lk-describe-faces.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-face-descriptor.h"
#include "lk-image-io.h"
#include "lk-video-reader.h"

G_STATIC_ASSERT (LK_FACE_DESCRIPTOR_DIM == LK_PROJECT_DESCRIPTOR_DIM);
G_STATIC_ASSERT (LK_FACE_N_LANDMARKS == LK_N_LANDMARKS);

/* Faces per batch of the network and per transaction. */
#define BATCH 32

void
lk_describe_summary_clear (LkDescribeSummary *summary)
{
  g_clear_pointer (&summary->first_failure, g_free);
  memset (summary, 0, sizeof *summary);
}

typedef struct
{
  LkProject          *project;
  LkFaceRecognizer   *recognizer;
  LkJob              *job;
  LkDescribeSummary  *summary;
  guint               total;
  gint64              started;
  /* The batch being filled */
  gint64              ids[BATCH];
  LkImage            *chips[BATCH];
  guint               n;
  guint               done;
} Run;

static void
add_failure (Run        *run,
             GError    **error)
{
  run->summary->failed++;
  run->done++;
  if (run->summary->first_failure == NULL && *error != NULL)
    run->summary->first_failure = g_strdup ((*error)->message);
  g_clear_error (error);
}

static gboolean
flush (Run     *run,
       GError **error)
{
  g_autofree float *descriptors = NULL;
  gboolean ok;

  if (run->n == 0)
    return TRUE;

  descriptors = g_new (float, (gsize) run->n * LK_FACE_DESCRIPTOR_DIM);
  ok = lk_face_recognizer_compute (run->recognizer, (const LkImage *const *) run->chips,
                                   (int) run->n, descriptors, error) &&
       lk_project_set_face_descriptors (run->project, run->ids, descriptors, run->n, error);
  for (guint i = 0; i < run->n; i++)
    g_clear_pointer (&run->chips[i], lk_image_free);
  if (ok)
    {
      run->summary->computed += run->n;
      run->done += run->n;
    }
  run->n = 0;
  if (!ok)
    return FALSE;

  if (run->job != NULL)
    {
      double seconds = (g_get_monotonic_time () - run->started) / (double) G_USEC_PER_SEC;

      lk_job_set_figure (run->job, "faces-per-second",
                         seconds > 0 ? run->summary->computed / seconds : 0);
      lk_job_update (run->job, run->total ? (double) run->done / run->total : 1.0,
                     _("Identified %u of %u faces"), run->done, run->total);
      if (lk_job_set_error_if_cancelled (run->job, error))
        return FALSE;
    }

  return TRUE;
}

/* Queues the face's chip, cut from @frame (with the frame landmarks) or,
 * when @frame is NULL, from its stored crop. */
static gboolean
add_face (Run           *run,
          const LkFace  *face,
          const LkImage *frame,
          GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  LkImage *chip = NULL;

  if (frame != NULL)
    {
      chip = lk_face_chip_new (frame, (const float (*)[2]) face->landmarks, &local_error);
      if (chip != NULL)
        run->summary->from_frame++;
    }
  else
    {
      g_autoptr(LkImage) crop = lk_image_load (face->file, &local_error);
      float landmarks[LK_N_LANDMARKS][2];
      const double *m = face->matrix;

      for (int i = 0; i < LK_N_LANDMARKS; i++)
        {
          double x = face->landmarks[2 * i], y = face->landmarks[2 * i + 1];

          landmarks[i][0] = (float) (m[0] * x + m[1] * y + m[2]);
          landmarks[i][1] = (float) (m[3] * x + m[4] * y + m[5]);
        }
      if (crop != NULL)
        chip = lk_face_chip_new (crop, (const float (*)[2]) landmarks, &local_error);
      if (chip != NULL)
        run->summary->from_crop++;
    }

  if (chip == NULL)
    {
      add_failure (run, &local_error);
      return TRUE;
    }

  run->ids[run->n] = face->id;
  run->chips[run->n++] = chip;
  if (run->n == BATCH)
    return flush (run, error);

  return TRUE;
}

/* Whether @reader reads the file as it was when its faces were extracted. */
static gboolean
source_unchanged (const LkSource *source,
                  LkVideoReader  *reader)
{
  const LkVideoInfo *info = lk_video_reader_get_info (reader);

  return info->width == source->width && info->height == source->height &&
         (info->is_still_image || source->duration <= 0 ||
          fabs (info->duration - source->duration) < 1e-3);
}

/* The faces of one source (in the order of time): each frame that has faces
 * is decoded once, in order. */
static gboolean
describe_source (Run            *run,
                 const LkSource *source,
                 GPtrArray      *faces,
                 GError        **error)
{
  GCancellable *cancellable = run->job ? lk_job_get_cancellable (run->job) : NULL;
  g_autoptr(LkVideoReader) reader = NULL;
  g_autoptr(LkVideoFrame) frame = NULL;
  g_autoptr(GError) local_error = NULL;

  if (source != NULL)
    reader = lk_video_reader_open (source->path, cancellable, &local_error);
  if (reader != NULL && !source_unchanged (source, reader))
    {
      g_debug ("%s has changed since extraction: chips from the crops", source->path);
      g_clear_pointer (&reader, lk_video_reader_free);
    }
  else if (reader == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s: chips from the crops", local_error ? local_error->message : "no source");
      g_clear_error (&local_error);
    }

  for (guint i = 0; i < faces->len; i++)
    {
      const LkFace *face = faces->pdata[i];

      /* Decode up to the face's frame; a stream that ends or breaks early
       * leaves the rest to their crops. */
      while (reader != NULL && (frame == NULL || frame->pts < face->pts))
        {
          g_clear_pointer (&frame, lk_video_frame_free);
          if (!lk_video_reader_read (reader, &frame, cancellable, &local_error) || frame == NULL)
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                {
                  g_propagate_error (error, g_steal_pointer (&local_error));
                  return FALSE;
                }
              g_clear_error (&local_error);
              g_clear_pointer (&reader, lk_video_reader_free);
            }
        }

      if (!add_face (run, face, frame != NULL && frame->pts == face->pts ? frame->image : NULL,
                     error))
        return FALSE;
    }

  return TRUE;
}

gboolean
lk_identity_describe_faces (LkProject          *project,
                            int                 identity,
                            LkJob              *job,
                            LkDescribeSummary  *summary,
                            GError            **error)
{
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GHashTable) by_source = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                                           (GDestroyNotify) g_ptr_array_unref);
  LkDescribeSummary local = { 0 };
  Run run = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);
  g_return_val_if_fail (identity >= -1 && identity <= LK_IDENTITY_B, FALSE);
  g_return_val_if_fail (job == NULL || LK_IS_JOB (job), FALSE);

  if (summary == NULL)
    summary = &local;
  memset (summary, 0, sizeof *summary);

  run.project = project;
  run.job = job;
  run.summary = summary;
  run.started = g_get_monotonic_time ();

  faces = lk_project_list_faces (project, identity, LK_FACE_FILTER_ALL, NULL, "time", FALSE, error);
  if (faces == NULL)
    return FALSE;
  for (guint i = 0; i < faces->len; i++)
    {
      LkFace *face = faces->pdata[i];
      GPtrArray *list;

      if (face->descriptor != NULL)
        continue;
      list = g_hash_table_lookup (by_source, &face->source_id);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (by_source, &face->source_id, list);
        }
      g_ptr_array_add (list, face);
      summary->faces++;
    }
  run.total = summary->faces;
  if (summary->faces == 0)
    goto out;

  run.recognizer = lk_face_recognizer_get_default (error);
  if (run.recognizer == NULL)
    {
      ok = FALSE;
      goto out;
    }

  LK_JOB_UPDATE (job, 0.0, _("Identifying %u faces"), summary->faces);

  sources = lk_project_list_sources (project, identity, error);
  if (sources == NULL)
    {
      ok = FALSE;
      goto out;
    }
  for (guint i = 0; ok && i < sources->len; i++)
    {
      const LkSource *source = sources->pdata[i];
      GPtrArray *list = g_hash_table_lookup (by_source, &source->id);

      if (list != NULL)
        {
          ok = describe_source (&run, source, list, error);
          g_hash_table_remove (by_source, &source->id);
        }
    }
  /* Faces whose source is no longer listed: from their crops. */
  if (ok)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, by_source);
      while (ok && g_hash_table_iter_next (&iter, NULL, &value))
        ok = describe_source (&run, NULL, value, error);
    }
  if (ok)
    ok = flush (&run, error);

out:
  for (guint i = 0; i < run.n; i++)
    g_clear_pointer (&run.chips[i], lk_image_free);
  summary->seconds = (g_get_monotonic_time () - run.started) / (double) G_USEC_PER_SEC;
  if (ok)
    LK_JOB_UPDATE (job, 1.0, _("Identified %u faces"), summary->computed);
  if (summary == &local)
    lk_describe_summary_clear (&local);

  return ok;
}
