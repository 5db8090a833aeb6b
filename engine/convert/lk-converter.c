/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include "lk-converter.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "lk-compose.h"
#include "lk-convert-private.h"
#include "lk-error.h"
#include "lk-face-detector.h"
#include "lk-face-tracker.h"
#include "lk-faces.h"
#include "lk-project-checkpoints.h"
#include "lk-smooth.h"
#include "lk-torch.h"

/* ---- model helpers (shared with the preview) -------------------------- */

int
_lk_convert_decoder (LkConvertDirection direction)
{
  /* The decoder of the identity whose face is put in. */
  return direction == LK_CONVERT_B2A ? 1 : 0;
}

LkTorchModel *
_lk_convert_load_model (const char  *path,
                        GError     **error)
{
  LkTorchError terr = { 0 };
  LkTorchModel *model;

  model = lk_torch_model_new_from_checkpoint (path, LK_TORCH_DEVICE_AUTO, &terr);
  if (model == NULL)
    {
      g_set_error (error, LK_ERROR,
                   terr.status == LK_TORCH_ERROR_CORRUPT ? LK_ERROR_CORRUPT
                   : terr.status == LK_TORCH_ERROR_IO ? LK_ERROR_IO : LK_ERROR_MODEL,
                   _("Cannot load the model %s: %s"), path, terr.message);
      return NULL;
    }
  if (lk_torch_model_get_config (model)->n_identities < 2)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_MODEL,
                   _("The model %s has only one decoder; a swap needs two"), path);
      lk_torch_model_free (model);
      return NULL;
    }
  return model;
}

static LkTorchPixels
pixels_of (LkImage *image)
{
  LkTorchPixels p = { image->data, image->width, image->height, image->channels, image->stride };
  return p;
}

static void
ensure_image (LkImage **image,
              int       size,
              int       channels)
{
  if (*image != NULL && (*image)->width == size && (*image)->height == size
      && (*image)->channels == channels)
    return;
  g_clear_pointer (image, lk_image_free);
  *image = lk_image_new (size, size, channels);
}

gboolean
_lk_convert_swap (LkTorchModel  *model,
                  int            decoder,
                  LkImage      **crops,
                  int            n,
                  LkImage      **rgb_out,
                  LkImage      **mask_out,
                  GError       **error)
{
  const LkTorchModelConfig *config = lk_torch_model_get_config (model);
  g_autofree LkTorchPixels *in = g_new0 (LkTorchPixels, MAX (n, 1));
  g_autofree LkTorchPixels *out = g_new0 (LkTorchPixels, MAX (n, 1));
  g_autofree LkTorchPixels *masks = g_new0 (LkTorchPixels, MAX (n, 1));
  gboolean want_mask = mask_out != NULL && config->mask_channel;
  LkTorchError terr = { 0 };

  if (n == 0)
    return TRUE;
  for (int i = 0; i < n; i++)
    {
      g_assert (crops[i]->width == config->face_size && crops[i]->channels == 3);
      in[i] = pixels_of (crops[i]);
      ensure_image (&rgb_out[i], config->face_size, 3);
      out[i] = pixels_of (rgb_out[i]);
      if (want_mask)
        {
          ensure_image (&mask_out[i], config->face_size, 1);
          masks[i] = pixels_of (mask_out[i]);
        }
    }
  if (lk_torch_model_swap (model, decoder, in, n, out, want_mask ? masks : NULL, &terr)
      != LK_TORCH_OK)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_MODEL, _("The model failed to swap %d faces: %s"),
                   n, terr.message);
      return FALSE;
    }
  return TRUE;
}

LkImage *
_lk_convert_extract (const LkImage       *frame,
                     const float          landmarks[LK_FACE_N_LANDMARKS][2],
                     const LkAlignParams *params,
                     int                  crop_size,
                     LkAlignment         *alignment)
{
  LkAlignParams big = *params;
  LkAlignment a;
  g_autoptr(LkImage) crop = NULL;
  LkImage *out;
  int f, size = params->size;
  double shift;

  if (crop_size <= size || crop_size % size != 0)
    {
      if (!lk_align_compute (landmarks, params, alignment))
        return NULL;
      return lk_align_extract (frame, alignment);
    }

  f = crop_size / size;
  big.size = crop_size;
  if (!lk_align_compute (landmarks, &big, &a))
    return NULL;
  crop = lk_align_extract (frame, &a);

  /* Box filter: model pixel x covers crop pixels x f .. x f + f - 1, whose
   * centre is x f + (f - 1) / 2. */
  out = lk_image_new (size, size, crop->channels);
  for (int y = 0; y < size; y++)
    for (int x = 0; x < size; x++)
      for (int c = 0; c < crop->channels; c++)
        {
          guint sum = 0;

          for (int j = 0; j < f; j++)
            {
              const guint8 *row = lk_image_pixel (crop, x * f, y * f + j);

              for (int i = 0; i < f; i++)
                sum += row[i * crop->channels + c];
            }
          lk_image_pixel (out, x, y)[c] = (guint8) ((sum + f * f / 2) / (f * f));
        }

  /* model = (crop - (f - 1) / 2) / f, so
   * frame_to_model = frame_to_crop / f - (f - 1) / (2 f) and
   * model_to_frame = crop_to_frame (f p + (f - 1) / 2). */
  shift = (f - 1) / 2.0;
  *alignment = a;
  alignment->size = size;
  for (int k = 0; k < 6; k++)
    alignment->frame_to_face.m[k] = a.frame_to_face.m[k] / f;
  alignment->frame_to_face.m[2] -= shift / f;
  alignment->frame_to_face.m[5] -= shift / f;
  alignment->face_to_frame.m[0] = a.face_to_frame.m[0] * f;
  alignment->face_to_frame.m[1] = a.face_to_frame.m[1] * f;
  alignment->face_to_frame.m[3] = a.face_to_frame.m[3] * f;
  alignment->face_to_frame.m[4] = a.face_to_frame.m[4] * f;
  alignment->face_to_frame.m[2] = a.face_to_frame.m[2]
                                  + (a.face_to_frame.m[0] + a.face_to_frame.m[1]) * shift;
  alignment->face_to_frame.m[5] = a.face_to_frame.m[5]
                                  + (a.face_to_frame.m[3] + a.face_to_frame.m[4]) * shift;
  return out;
}

int
_lk_convert_project_crop_size (LkProject *project)
{
  int size = 0;

  lk_project_get_face_geometry (project, &size, NULL, NULL);
  return CLAMP (size, 0, 4096);
}

/* ---- the project's checkpoint and coverage ---------------------------- */

static gboolean
checkpoint_readable (const char *path,
                     gint64     *iteration G_GNUC_UNUSED,
                     gpointer    user_data G_GNUC_UNUSED)
{
  LkTorchCheckpointInfo info;
  LkTorchError terr = { 0 };

  if (lk_torch_checkpoint_read_info (path, &info, &terr) != LK_TORCH_OK)
    {
      g_debug ("Checkpoint %s cannot be read; trying an older one", path);
      return FALSE;
    }
  return TRUE;
}

char *
lk_convert_find_checkpoint (LkProject  *project,
                            gint64     *iteration,
                            GError    **error)
{
  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  return lk_project_find_newest_checkpoint (project, checkpoint_readable, NULL, iteration, error);
}

double
lk_convert_project_coverage (LkProject *project)
{
  double coverage = lk_align_params_default ().coverage;
  double c = 0;

  g_return_val_if_fail (LK_IS_PROJECT (project), coverage);

  if (lk_project_get_face_geometry (project, NULL, &c, NULL) && c > 0.1 && c <= 1.5)
    coverage = c;
  return coverage;
}

/* ---- the converter ------------------------------------------------------ */

typedef struct
{
  LkLandmarkSmoother *landmarks;
  LkMaskSmoother     *mask;
  guint64             seen;    /* the frame it was last seen on */
} Track;

static void
track_free (gpointer data)
{
  Track *t = data;

  lk_landmark_smoother_free (t->landmarks);
  lk_mask_smoother_free (t->mask);
  g_free (t);
}

struct _LkConverter
{
  LkConvertParams  params;
  char            *checkpoint;
  LkAlignParams    align;
  int              crop_size;  /* the project's crops; 0: cut at the model's size */
  LkTorchModel    *model;
  int              decoder;
  LkFaceDetector  *detector;
  LkFaceTracker   *tracker;
  LkCompositor    *compositor;
  GHashTable      *tracks;     /* track_id -> Track */
  GArray          *faces;      /* LkFaceDetection */
  guint64          n_frames;

  /* per frame, reused */
  GPtrArray       *crops;      /* LkImage */
  LkImage        **rgb;
  LkImage        **masks;
  guint            n_alloc;
};

void
lk_converter_free (LkConverter *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->tracker, lk_face_tracker_free);
  g_clear_pointer (&self->detector, lk_face_detector_free);
  g_clear_pointer (&self->model, lk_torch_model_free);
  g_clear_pointer (&self->compositor, lk_compositor_free);
  g_clear_pointer (&self->tracks, g_hash_table_unref);
  g_clear_pointer (&self->faces, g_array_unref);
  g_clear_pointer (&self->crops, g_ptr_array_unref);
  for (guint i = 0; i < self->n_alloc; i++)
    {
      g_clear_pointer (&self->rgb[i], lk_image_free);
      g_clear_pointer (&self->masks[i], lk_image_free);
    }
  g_free (self->rgb);
  g_free (self->masks);
  g_free (self->checkpoint);
  g_free (self);
}

LkConverter *
lk_converter_new (LkProject             *project,
                  const char            *checkpoint,
                  double                 coverage,
                  const LkConvertParams *params,
                  GError               **error)
{
  g_autoptr(LkConverter) self = g_new0 (LkConverter, 1);
  LkFaceDetectorParams dp = lk_face_detector_params_default ();
  LkFaceTrackerParams tp = lk_face_tracker_params_default ();

  g_return_val_if_fail (project == NULL || LK_IS_PROJECT (project), NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (project != NULL || checkpoint != NULL, NULL);

  if (!lk_convert_params_validate (params, error))
    return NULL;
  self->params = *params;

  if (checkpoint != NULL)
    self->checkpoint = g_strdup (checkpoint);
  else if ((self->checkpoint = lk_convert_find_checkpoint (project, NULL, error)) == NULL)
    return NULL;

  self->model = _lk_convert_load_model (self->checkpoint, error);
  if (self->model == NULL)
    return NULL;
  self->decoder = _lk_convert_decoder (params->direction);

  self->align = lk_align_params_default ();
  self->align.size = lk_torch_model_get_config (self->model)->face_size;
  if (coverage > 0)
    self->align.coverage = coverage;
  else if (project != NULL)
    self->align.coverage = lk_convert_project_coverage (project);
  if (project != NULL)
    self->crop_size = _lk_convert_project_crop_size (project);

  dp.max_faces = params->max_faces;
  dp.min_face_size = 40;
  self->detector = lk_face_detector_new (&dp, error);
  if (self->detector == NULL)
    return NULL;
  tp.redetect_interval = params->redetect_interval;
  self->tracker = lk_face_tracker_new (self->detector, &tp);

  self->compositor = lk_compositor_new ();
  self->tracks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, track_free);
  self->faces = g_array_new (FALSE, TRUE, sizeof (LkFaceDetection));
  self->crops = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);

  g_debug ("Converter: %s, decoder %d, face %d px, coverage %.3f", self->checkpoint,
           self->decoder, self->align.size, self->align.coverage);
  return g_steal_pointer (&self);
}

const char *
lk_converter_get_checkpoint (LkConverter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->checkpoint;
}

LkAlignParams
lk_converter_get_align_params (LkConverter *self)
{
  return self->align;
}

guint
lk_converter_get_n_detections (LkConverter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return lk_face_tracker_get_n_detections (self->tracker);
}

static Track *
get_track (LkConverter *self,
           int          track_id)
{
  Track *t = g_hash_table_lookup (self->tracks, GINT_TO_POINTER (track_id));

  if (t == NULL)
    {
      t = g_new0 (Track, 1);
      t->landmarks = lk_landmark_smoother_new (self->params.smoothing);
      t->mask = lk_mask_smoother_new (0, self->params.smoothing);
      g_hash_table_insert (self->tracks, GINT_TO_POINTER (track_id), t);
    }
  return t;
}

static void
ensure_outputs (LkConverter *self,
                guint        n)
{
  if (n <= self->n_alloc)
    return;
  self->rgb = g_renew (LkImage *, self->rgb, n);
  self->masks = g_renew (LkImage *, self->masks, n);
  for (guint i = self->n_alloc; i < n; i++)
    self->rgb[i] = self->masks[i] = NULL;
  self->n_alloc = n;
}

typedef struct
{
  float       landmarks[LK_FACE_N_LANDMARKS][2];
  LkAlignment alignment;
  Track      *track;
} FaceWork;

gboolean
lk_converter_process (LkConverter  *self,
                      LkImage      *frame,
                      double        time,
                      guint        *n_faces,
                      GError      **error)
{
  g_autofree FaceWork *work = NULL;
  GHashTableIter iter;
  gpointer value;
  guint n = 0, done = 0;
  LkImage *crop;

  g_return_val_if_fail (self != NULL && frame != NULL, FALSE);
  g_return_val_if_fail (frame->channels == 3, FALSE);

  if (n_faces != NULL)
    *n_faces = 0;
  self->n_frames++;

  if (!lk_face_tracker_process (self->tracker, frame, self->faces, error))
    return FALSE;

  work = g_new0 (FaceWork, MAX (self->faces->len, 1));
  g_ptr_array_set_size (self->crops, 0);
  for (guint i = 0; i < self->faces->len && n < (guint) self->params.max_faces; i++)
    {
      const LkFaceDetection *d = &g_array_index (self->faces, LkFaceDetection, i);
      FaceWork *w = &work[n];

      w->track = get_track (self, d->track_id);
      w->track->seen = self->n_frames;
      lk_landmark_smoother_filter (w->track->landmarks, time, d->landmarks, w->landmarks);
      crop = _lk_convert_extract (frame, (const float (*)[2]) w->landmarks, &self->align,
                                  self->crop_size, &w->alignment);
      if (crop == NULL)
        continue;
      g_ptr_array_add (self->crops, crop);
      n++;
    }

  /* Tracks not seen on this frame are gone: their smoothing starts afresh
   * if the face comes back. */
  g_hash_table_iter_init (&iter, self->tracks);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (((Track *) value)->seen != self->n_frames)
      g_hash_table_iter_remove (&iter);

  if (n == 0)
    return TRUE;

  ensure_outputs (self, n);
  if (!_lk_convert_swap (self->model, self->decoder, (LkImage **) self->crops->pdata, n,
                         self->rgb, self->params.use_model_mask ? self->masks : NULL, error))
    return FALSE;

  for (guint i = 0; i < n; i++)
    {
      FaceWork *w = &work[i];
      LkComposeInput in = { 0 };
      LkImage view;
      g_autoptr(GError) local_error = NULL;

      if (!lk_mask_region_for_face ((const float (*)[2]) w->landmarks, &self->params.compose.mask,
                                    frame->width, frame->height, &in.region))
        continue;
      view = _lk_convert_view (frame, in.region.x, in.region.y, in.region.width,
                               in.region.height);
      in.original = &view;
      in.face_swap = self->rgb[i];
      in.model_mask = self->params.use_model_mask ? self->masks[i] : NULL;
      in.alignment = &w->alignment;
      in.landmarks = (const float (*)[2]) w->landmarks;
      in.mask_smoother = self->params.smoothing > 0 ? w->track->mask : NULL;
      in.timestamp = time;
      if (!lk_compositor_compose (self->compositor, &self->params.compose, &in, &view,
                                  &local_error))
        {
          g_debug ("A face at %.3f s was not composited: %s", time, local_error->message);
          continue;
        }
      done++;
    }

  if (n_faces != NULL)
    *n_faces = done;
  return TRUE;
}
