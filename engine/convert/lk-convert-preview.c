/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include "lk-convert-preview.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "lk-convert-private.h"
#include "lk-converter.h"
#include "lk-error.h"
#include "lk-face-detector.h"
#include "lk-video-reader.h"

typedef struct
{
  LkConvertPreviewFace face;
  /* render caches */
  LkMaskRegion         warp_region;  /* the region warped_swap was made for */
  LkImage             *warped_swap;
  LkImage             *mask;         /* copy of the last render's mask */
  LkMaskRegion         mask_region;
} PreviewFace;

static void
preview_face_free (gpointer data)
{
  PreviewFace *f = data;

  lk_image_free (f->face.face_swap);
  lk_image_free (f->face.model_mask);
  lk_image_free (f->face.crop);
  lk_image_free (f->warped_swap);
  lk_image_free (f->mask);
  g_free (f);
}

/* What a load produces, installed on the owner's thread. */
typedef struct
{
  LkImage   *frame;
  double     time;
  double     previous_time; /* NAN: none, or not known */
  double     next_time;
  GPtrArray *faces; /* PreviewFace */
} Loaded;

static void
loaded_free (Loaded *l)
{
  if (l == NULL)
    return;
  lk_image_free (l->frame);
  g_clear_pointer (&l->faces, g_ptr_array_unref);
  g_free (l);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Loaded, loaded_free)

struct _LkConvertPreview
{
  /* worker side (one load at a time) */
  LkTorchModel      *model;
  LkFaceDetector    *detector;
  LkAlignParams      align;
  int                crop_size;
  LkConvertDirection direction;
  char              *video_path;
  LkVideoReader     *reader;
  gint               loading;   /* atomic */

  /* owner side */
  Loaded            *current;
  LkCompositor      *compositor;
};

LkConvertPreview *
lk_convert_preview_new (LkProject          *project,
                        const char         *checkpoint,
                        LkConvertDirection  direction,
                        GError            **error)
{
  g_autofree char *path = NULL;
  LkFaceDetectorParams dp = lk_face_detector_params_default ();
  LkConvertPreview *self;
  LkTorchModel *model;
  LkFaceDetector *detector;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  path = checkpoint != NULL ? g_strdup (checkpoint)
                            : lk_convert_find_checkpoint (project, NULL, error);
  if (path == NULL)
    return NULL;
  model = _lk_convert_load_model (path, error);
  if (model == NULL)
    return NULL;
  dp.min_face_size = 40;
  detector = lk_face_detector_new (&dp, error);
  if (detector == NULL)
    {
      lk_torch_model_free (model);
      return NULL;
    }

  self = g_new0 (LkConvertPreview, 1);
  self->model = model;
  self->detector = detector;
  self->direction = direction;
  self->align = lk_align_params_default ();
  self->align.size = lk_torch_model_get_config (model)->face_size;
  self->align.coverage = lk_convert_project_coverage (project);
  self->crop_size = _lk_convert_project_crop_size (project);
  self->compositor = lk_compositor_new ();
  return self;
}

void
lk_convert_preview_free (LkConvertPreview *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (g_atomic_int_get (&self->loading) == 0);

  lk_torch_model_free (self->model);
  lk_face_detector_free (self->detector);
  g_free (self->video_path);
  g_clear_pointer (&self->reader, lk_video_reader_free);
  loaded_free (self->current);
  lk_compositor_free (self->compositor);
  g_free (self);
}

void
lk_convert_preview_set_direction (LkConvertPreview   *self,
                                  LkConvertDirection  direction)
{
  g_return_if_fail (self != NULL);
  self->direction = direction;
}

/* The heavy part; any thread, one at a time. */
static Loaded *
load_frame (LkConvertPreview  *self,
            const char        *video,
            double             time,
            int                decoder,
            GCancellable      *cancellable,
            GError           **error)
{
  g_autoptr(Loaded) l = g_new0 (Loaded, 1);
  g_autoptr(LkVideoFrame) frame = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, TRUE, sizeof (LkFaceDetection));
  g_autoptr(GPtrArray) crops = g_ptr_array_new ();
  g_autofree LkImage **rgb = NULL;
  g_autofree LkImage **masks = NULL;

  if (self->reader == NULL || g_strcmp0 (self->video_path, video) != 0)
    {
      g_clear_pointer (&self->reader, lk_video_reader_free);
      g_clear_pointer (&self->video_path, g_free);
      self->reader = lk_video_reader_open (video, cancellable, error);
      if (self->reader == NULL)
        return NULL;
      self->video_path = g_strdup (video);
    }
  if (!lk_video_reader_seek_seconds (self->reader, time, cancellable, error)
      || !lk_video_reader_read (self->reader, &frame, cancellable, error))
    return NULL;
  if (frame == NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND, _("%s has no frame at %.3f s"), video,
                   time);
      return NULL;
    }
  l->frame = g_steal_pointer (&frame->image);
  l->time = frame->time;
  l->previous_time = l->next_time = NAN;
  if (!lk_video_reader_neighbour_times (self->reader, l->time, &l->previous_time, &l->next_time,
                                        cancellable, error))
    return NULL;
  l->faces = g_ptr_array_new_with_free_func (preview_face_free);

  if (!lk_face_detector_detect (self->detector, l->frame, faces, error))
    return NULL;
  for (guint i = 0; i < faces->len; i++)
    {
      const LkFaceDetection *d = &g_array_index (faces, LkFaceDetection, i);
      PreviewFace *f = g_new0 (PreviewFace, 1);

      memcpy (f->face.landmarks, d->landmarks, sizeof f->face.landmarks);
      f->face.crop = _lk_convert_extract (l->frame, d->landmarks, &self->align, self->crop_size,
                                          &f->face.alignment);
      if (f->face.crop == NULL)
        {
          preview_face_free (f);
          continue;
        }
      g_ptr_array_add (crops, f->face.crop);
      g_ptr_array_add (l->faces, f);
    }

  rgb = g_new0 (LkImage *, MAX (crops->len, 1));
  masks = g_new0 (LkImage *, MAX (crops->len, 1));
  if (!_lk_convert_swap (self->model, decoder, (LkImage **) crops->pdata, crops->len, rgb, masks,
                         error))
    {
      for (guint i = 0; i < crops->len; i++)
        {
          lk_image_free (rgb[i]);
          lk_image_free (masks[i]);
        }
      return NULL;
    }
  for (guint i = 0; i < crops->len; i++)
    {
      PreviewFace *f = g_ptr_array_index (l->faces, i);

      f->face.face_swap = rgb[i];
      f->face.model_mask = masks[i];
    }
  return g_steal_pointer (&l);
}

static void
install (LkConvertPreview *self,
         Loaded           *loaded)
{
  loaded_free (self->current);
  self->current = loaded;
}

gboolean
lk_convert_preview_load (LkConvertPreview  *self,
                         const char        *video,
                         double             time,
                         GCancellable      *cancellable,
                         GError           **error)
{
  Loaded *loaded;

  g_return_val_if_fail (self != NULL && video != NULL, FALSE);

  if (!g_atomic_int_compare_and_exchange (&self->loading, 0, 1))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_BUSY, _("A preview frame is being loaded already"));
      return FALSE;
    }
  loaded = load_frame (self, video, time, _lk_convert_decoder (self->direction), cancellable,
                       error);
  g_atomic_int_set (&self->loading, 0);
  if (loaded == NULL)
    return FALSE;
  install (self, loaded);
  return TRUE;
}

const LkImage *
lk_convert_preview_get_original (LkConvertPreview *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->current != NULL ? self->current->frame : NULL;
}

double
lk_convert_preview_get_time (LkConvertPreview *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->current != NULL ? self->current->time : -1;
}

double
lk_convert_preview_get_previous_time (LkConvertPreview *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->current != NULL ? self->current->previous_time : NAN;
}

double
lk_convert_preview_get_next_time (LkConvertPreview *self)
{
  g_return_val_if_fail (self != NULL, NAN);
  return self->current != NULL ? self->current->next_time : NAN;
}

guint
lk_convert_preview_get_n_faces (LkConvertPreview *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->current != NULL ? self->current->faces->len : 0;
}

const LkConvertPreviewFace *
lk_convert_preview_get_face (LkConvertPreview *self,
                             guint             index)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->current == NULL || index >= self->current->faces->len)
    return NULL;
  return &((PreviewFace *) g_ptr_array_index (self->current->faces, index))->face;
}

static gboolean
same_region (const LkMaskRegion *a,
             const LkMaskRegion *b)
{
  return a->x == b->x && a->y == b->y && a->width == b->width && a->height == b->height;
}

gboolean
lk_convert_preview_render (LkConvertPreview      *self,
                           const LkConvertParams *params,
                           LkImage               *out,
                           GError               **error)
{
  const LkImage *frame;

  g_return_val_if_fail (self != NULL && params != NULL && out != NULL, FALSE);

  if (self->current == NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT, _("No preview frame is loaded"));
      return FALSE;
    }
  frame = self->current->frame;
  if (out->width != frame->width || out->height != frame->height || out->channels != 3)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("The preview image must be RGB of %dx%d"), frame->width, frame->height);
      return FALSE;
    }
  for (int y = 0; y < frame->height; y++)
    memcpy (lk_image_row (out, y), lk_image_row (frame, y), (gsize) frame->width * 3);

  for (guint i = 0; i < self->current->faces->len; i++)
    {
      PreviewFace *f = g_ptr_array_index (self->current->faces, i);
      LkComposeInput in = { 0 };
      LkImage view;
      const LkImage *mask;
      g_autoptr(GError) local_error = NULL;

      g_clear_pointer (&f->mask, lk_image_free);
      if (!lk_mask_region_for_face (f->face.landmarks, &params->compose.mask, frame->width,
                                    frame->height, &in.region))
        continue;
      if (f->warped_swap == NULL || !same_region (&f->warp_region, &in.region))
        {
          g_clear_pointer (&f->warped_swap, lk_image_free);
          f->warped_swap = lk_image_new (in.region.width, in.region.height, 3);
          if (!lk_compose_warp_to_region (f->face.face_swap, &f->face.alignment.face_to_frame,
                                          &in.region, f->warped_swap))
            {
              g_clear_pointer (&f->warped_swap, lk_image_free);
              continue;
            }
          f->warp_region = in.region;
        }
      view = _lk_convert_view (out, in.region.x, in.region.y, in.region.width, in.region.height);
      in.original = &view;
      in.swap = f->warped_swap;
      in.model_mask = params->use_model_mask ? f->face.model_mask : NULL;
      in.alignment = &f->face.alignment;
      in.landmarks = (const float (*)[2]) f->face.landmarks;
      if (!lk_compositor_compose (self->compositor, &params->compose, &in, &view, &local_error))
        {
          g_debug ("Preview: face %u not composited: %s", i, local_error->message);
          continue;
        }
      mask = lk_compositor_get_mask (self->compositor);
      if (mask != NULL)
        {
          f->mask = lk_image_copy (mask);
          f->mask_region = in.region;
        }
    }
  return TRUE;
}

const LkImage *
lk_convert_preview_get_face_mask (LkConvertPreview *self,
                                  guint             index,
                                  LkMaskRegion     *region)
{
  PreviewFace *f;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->current == NULL || index >= self->current->faces->len)
    return NULL;
  f = g_ptr_array_index (self->current->faces, index);
  if (f->mask != NULL && region != NULL)
    *region = f->mask_region;
  return f->mask;
}
