/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include "lk-preview-session.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "lk-convert-preview.h"
#include "lk-error.h"
#include "lk-video-reader.h"

/* The mask overlay's tint (GNOME's blue 3), straight alpha. */
#define OVERLAY_RED    0x35
#define OVERLAY_GREEN  0x84
#define OVERLAY_BLUE   0xe4
#define OVERLAY_ALPHA  0.55

void
lk_preview_frame_free (LkPreviewFrame *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->original, g_bytes_unref);
  g_clear_pointer (&result->result, g_bytes_unref);
  g_clear_pointer (&result->overlay, g_bytes_unref);
  g_free (result->video);
  g_clear_pointer (&result->frame_times, g_array_unref);
  g_clear_error (&result->swap_error);
  g_free (result);
}

struct _LkPreviewSession
{
  LkProject          *project;
  char               *checkpoint;
  LkConvertPreview   *preview;
  GError             *preview_error;   /* the model failed to load; not retried */
  LkConvertDirection  direction;
  char               *loaded_video;    /* what the preview holds */
  double              loaded_time;
  LkVideoReader      *reader;
  GArray             *frame_times;     /* of the reader's video; NULL: not listed yet */
  gboolean            no_frame_times;  /* its index cannot tell: stepping is nominal */
  LkImage            *out;
};

void
lk_preview_session_free (LkPreviewSession *state)
{
  if (state == NULL)
    return;
  g_clear_object (&state->project);
  g_free (state->checkpoint);
  g_clear_pointer (&state->preview, lk_convert_preview_free);
  g_clear_error (&state->preview_error);
  g_free (state->loaded_video);
  g_clear_pointer (&state->reader, lk_video_reader_free);
  g_clear_pointer (&state->frame_times, g_array_unref);
  g_clear_pointer (&state->out, lk_image_free);
  g_free (state);
}


static GBytes *
image_bytes (const LkImage *image)
{
  return g_bytes_new (image->data, image->stride * image->height);
}

/* One RGBA buffer over the union of the faces' regions, tinted where the
 * masks are. */
static void
make_overlay (LkPreviewSession  *state,
              LkPreviewFrame *result)
{
  LkMaskRegion bounds = { 0, 0, 0, 0 };
  gboolean any = FALSE;
  guint8 *pixels;
  gsize stride;

  for (guint i = 0; i < result->n_faces; i++)
    {
      LkMaskRegion region;
      int x1, y1;

      if (lk_convert_preview_get_face_mask (state->preview, i, &region) == NULL)
        continue;
      if (!any)
        {
          bounds = region;
          any = TRUE;
          continue;
        }
      x1 = MAX (bounds.x + bounds.width, region.x + region.width);
      y1 = MAX (bounds.y + bounds.height, region.y + region.height);
      bounds.x = MIN (bounds.x, region.x);
      bounds.y = MIN (bounds.y, region.y);
      bounds.width = x1 - bounds.x;
      bounds.height = y1 - bounds.y;
    }
  if (!any || bounds.width <= 0 || bounds.height <= 0)
    return;

  stride = (gsize) bounds.width * 4;
  pixels = g_malloc0 (stride * bounds.height);
  for (guint i = 0; i < result->n_faces; i++)
    {
      LkMaskRegion region;
      const LkImage *mask = lk_convert_preview_get_face_mask (state->preview, i, &region);

      if (mask == NULL)
        continue;
      for (int y = 0; y < mask->height; y++)
        {
          const guint8 *m = lk_image_row (mask, y);
          guint8 *row = pixels + (gsize) (region.y - bounds.y + y) * stride
                        + (gsize) (region.x - bounds.x) * 4;

          for (int x = 0; x < mask->width; x++)
            {
              guint8 alpha = (guint8) (m[x] * OVERLAY_ALPHA + 0.5);

              row[4 * x + 0] = OVERLAY_RED;
              row[4 * x + 1] = OVERLAY_GREEN;
              row[4 * x + 2] = OVERLAY_BLUE;
              row[4 * x + 3] = MAX (row[4 * x + 3], alpha);
            }
        }
    }

  result->overlay = g_bytes_new_take (pixels, stride * bounds.height);
  result->overlay_rect = bounds;
}

static gboolean
ensure_reader (LkPreviewSession  *state,
               const char    *video,
               GCancellable  *cancellable,
               GError       **error)
{
  if (state->reader != NULL &&
      g_strcmp0 (lk_video_reader_get_info (state->reader)->path, video) == 0)
    return TRUE;

  g_clear_pointer (&state->reader, lk_video_reader_free);
  g_clear_pointer (&state->frame_times, g_array_unref);
  state->no_frame_times = FALSE;
  state->reader = lk_video_reader_open (video, cancellable, error);
  return state->reader != NULL;
}

/* The time of every frame of the reader's video, listed once from its
 * packet index, so that the page can step from frame to frame while the
 * preview of a position is still being made. A video whose index cannot
 * tell is stepped by its nominal rate. FALSE only when cancelled. */
static gboolean
ensure_frame_times (LkPreviewSession  *state,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  if (state->frame_times != NULL || state->no_frame_times)
    return TRUE;
  state->frame_times = lk_video_reader_list_frame_times (state->reader, cancellable,
                                                         &local_error);
  if (state->frame_times != NULL)
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_debug ("Masks preview: frames stepped by the nominal rate: %s", local_error->message);
  state->no_frame_times = TRUE;
  return TRUE;
}

/* The swap at @video's frame at @time, rendered with its settings. FALSE: the
 * model cannot be used (@error), and the caller shows the original. */
static gboolean
render_swap (LkPreviewSession      *state,
             const char            *video,
             double                 time,
             const LkConvertParams *params,
             LkPreviewFrame         *result,
             GCancellable          *cancellable,
             GError               **error)
{
  const LkImage *original;

  if (state->preview_error != NULL)
    {
      g_propagate_error (error, g_error_copy (state->preview_error));
      return FALSE;
    }

  if (state->preview == NULL)
    {
      state->preview = lk_convert_preview_new (state->project, state->checkpoint,
                                               params->direction,
                                               &state->preview_error);
      if (state->preview == NULL)
        {
          g_propagate_error (error, g_error_copy (state->preview_error));
          return FALSE;
        }
      state->direction = params->direction;
    }

  if (state->direction != params->direction)
    {
      lk_convert_preview_set_direction (state->preview, params->direction);
      state->direction = params->direction;
      g_clear_pointer (&state->loaded_video, g_free);
    }

  /* Only a new frame needs detection and the model; settings alone are
   * redone from the cached swaps. */
  if (g_strcmp0 (state->loaded_video, video) != 0 ||
      state->loaded_time != time)
    {
      g_clear_pointer (&state->loaded_video, g_free);
      if (!lk_convert_preview_load (state->preview, video, time,
                                    cancellable, error))
        return FALSE;
      state->loaded_video = g_strdup (video);
      state->loaded_time = time;
    }

  original = lk_convert_preview_get_original (state->preview);
  if (state->out == NULL || !lk_image_same_size (state->out, original) ||
      state->out->channels != 3)
    {
      g_clear_pointer (&state->out, lk_image_free);
      state->out = lk_image_new (original->width, original->height, 3);
    }
  if (!lk_convert_preview_render (state->preview, params, state->out, error))
    return FALSE;

  result->original = image_bytes (original);
  result->result = image_bytes (state->out);
  result->width = original->width;
  result->height = original->height;
  result->stride = original->stride;
  result->result_stride = state->out->stride;
  result->time = lk_convert_preview_get_time (state->preview);
  result->previous_time = lk_convert_preview_get_previous_time (state->preview);
  result->next_time = lk_convert_preview_get_next_time (state->preview);
  result->n_faces = lk_convert_preview_get_n_faces (state->preview);
  make_overlay (state, result);
  return TRUE;
}

LkPreviewFrame *
lk_preview_session_render (LkPreviewSession       *state,
                           const char             *video,
                           double                  time,
                           const LkConvertParams  *params,
                           GCancellable           *cancellable,
                           GError                **error)
{
  g_autoptr(LkPreviewFrame) result = g_new0 (LkPreviewFrame, 1);
  const LkVideoInfo *info;

  /* The reader gives the video's length, rate and frame times (and the
   * frames when there is no model). */
  if (!ensure_reader (state, video, cancellable, error) ||
      !ensure_frame_times (state, cancellable, error))
    return NULL;
  info = lk_video_reader_get_info (state->reader);
  result->video = g_strdup (video);
  result->previous_time = result->next_time = NAN;
  if (state->frame_times != NULL)
    result->frame_times = g_array_ref (state->frame_times);
  result->tick = info->time_base_den > 0 ? info->time_base_num / (double) info->time_base_den : 0;
  result->duration = MAX (info->duration, 0);
  result->frame_rate = info->nominal_frame_rate > 0 ? info->nominal_frame_rate
                                                    : info->frame_rate;

  if (state->checkpoint != NULL)
    {
      g_autoptr(GError) swap_error = NULL;

      if (render_swap (state, video, time, params, result, cancellable, &swap_error))
        return g_steal_pointer (&result);
      /* A model that cannot be loaded leaves the original frames to scrub;
       * any other failure is the frame's. */
      if (state->preview != NULL ||
          g_error_matches (swap_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&swap_error));
          return NULL;
        }
      result->swap_error = g_steal_pointer (&swap_error);
    }

  /* The original frame alone. */
  {
    g_autoptr(LkVideoFrame) frame = NULL;

    if (!lk_video_reader_seek_seconds (state->reader, time, cancellable, error) ||
        !lk_video_reader_read (state->reader, &frame, cancellable, error))
      return NULL;
    if (frame == NULL)
      {
        g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                     _("%s has no frame at %.2f s"), video, time);
        return NULL;
      }
    result->original = image_bytes (frame->image);
    result->width = frame->image->width;
    result->height = frame->image->height;
    result->stride = frame->image->stride;
    result->time = frame->time;
    if (!lk_video_reader_neighbour_times (state->reader, frame->time, &result->previous_time,
                                          &result->next_time, cancellable, error))
      return NULL;
  }

  return g_steal_pointer (&result);
}

LkPreviewSession *
lk_preview_session_new (LkProject  *project,
                        const char *checkpoint)
{
  LkPreviewSession *state = g_new0 (LkPreviewSession, 1);

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  state->project = g_object_ref (project);
  state->checkpoint = g_strdup (checkpoint);
  return state;
}
