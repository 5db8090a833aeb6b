/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-detector"

#include "config.h"

#include "lk-face-detector.h"

#include <math.h>
#include <string.h>

#include "lk-dlib.h"
#include "lk-error.h"
#include "lk-face-private.h"
#include "lk-warp.h"

/* dlib's HOG window is 80 px; the MMOD network's is about 40. */
#define HOG_MIN_FACE  80
#define CNN_MIN_FACE  40
/* lk_face_detector_detect_near() scales the face to this size. */
#define NEAR_FACE_PX  100
/* ... in a crop this many times its box side (room for a frame's motion). */
#define NEAR_CROP     1.6
#define MAX_RECTS     256

struct _LkFaceDetector
{
  LkFaceDetectorParams params;
  char *landmark_model_path;
  char *cnn_model_path;
  LkDlibShapeModel *shape_model;
  LkDlibHog *hog;
  LkDlibCnnModel *cnn_model;
  LkDlibCnn *cnn;
  LkDlibRect rects[MAX_RECTS];
};

LkFaceDetectorParams
lk_face_detector_params_default (void)
{
  LkFaceDetectorParams params = {
    .kind = LK_FACE_DETECTOR_HOG,
    .max_detect_side = 640,
    .upsample = 0,
    .threshold = 0.0,
    .min_face_size = 0,
    .max_faces = 32,
    .landmark_model = NULL,
    .cnn_model = NULL,
  };

  return params;
}

const char *
lk_face_landmark_model_path (const LkFaceDetectorParams *params)
{
  const char *env;

  if (params != NULL && params->landmark_model != NULL && params->landmark_model[0] != '\0')
    return params->landmark_model;
  env = g_getenv ("LK_LANDMARK_MODEL");
  if (env != NULL && env[0] != '\0')
    return env;
  return LK_LANDMARK_MODEL_DEFAULT;
}

/* ---- Models, loaded once per process -------------------------------------- */

static GMutex model_lock;
static GHashTable *shape_models; /* path -> LkDlibShapeModel */
static GHashTable *cnn_models;   /* path -> LkDlibCnnModel */

gboolean
_lk_face_set_dlib_error (GError      **error,
                         LkDlibStatus  status,
                         const char   *message)
{
  int code;

  switch (status)
    {
    case LK_DLIB_OK:
      return TRUE;
    case LK_DLIB_ERROR_FILE:
      code = LK_ERROR_NOT_FOUND;
      break;
    case LK_DLIB_ERROR_CORRUPT_MODEL:
      code = LK_ERROR_CORRUPT;
      break;
    case LK_DLIB_ERROR_INVALID_ARGUMENT:
      code = LK_ERROR_INVALID_INPUT;
      break;
    default:
      code = LK_ERROR_MODEL;
      break;
    }
  g_set_error (error, LK_ERROR, code, "%s",
               message != NULL && message[0] != '\0' ? message
                                                      : lk_dlib_status_to_string (status));
  return FALSE;
}

LkDlibShapeModel *
_lk_face_get_shape_model (const char  *path,
                          GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&model_lock);
  LkDlibShapeModel *model;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibStatus status;

  if (shape_models == NULL)
    shape_models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) lk_dlib_shape_model_unref);
  model = g_hash_table_lookup (shape_models, path);
  if (model != NULL)
    return lk_dlib_shape_model_ref (model);

  status = lk_dlib_shape_model_load (path, &model, message, sizeof message);
  if (status != LK_DLIB_OK)
    {
      _lk_face_set_dlib_error (error, status, message);
      return NULL;
    }
  if (lk_dlib_shape_model_num_parts (model) != LK_FACE_N_LANDMARKS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, LK_ERROR, LK_ERROR_UNSUPPORTED,
                   "%s: a landmark model with %d points, not the 68 Likeness uses", display,
                   lk_dlib_shape_model_num_parts (model));
      lk_dlib_shape_model_unref (model);
      return NULL;
    }
  g_hash_table_insert (shape_models, g_strdup (path), model);

  return lk_dlib_shape_model_ref (model);
}

static LkDlibCnnModel *
get_cnn_model (const char  *path,
               GError     **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&model_lock);
  LkDlibCnnModel *model;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibStatus status;

  if (cnn_models == NULL)
    cnn_models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) lk_dlib_cnn_model_unref);
  model = g_hash_table_lookup (cnn_models, path);
  if (model != NULL)
    return lk_dlib_cnn_model_ref (model);

  status = lk_dlib_cnn_model_load (path, &model, message, sizeof message);
  if (status != LK_DLIB_OK)
    {
      _lk_face_set_dlib_error (error, status, message);
      return NULL;
    }
  g_hash_table_insert (cnn_models, g_strdup (path), model);

  return lk_dlib_cnn_model_ref (model);
}

/* ---- Images ------------------------------------------------------------------ */

LkDlibImage
_lk_face_dlib_image (const LkImage *image)
{
  LkDlibImage out = {
    .data = image->data,
    .width = image->width,
    .height = image->height,
    .channels = image->channels,
    .stride = image->stride,
  };

  return out;
}

static LkImage *
rgba_to_rgb (const LkImage *src)
{
  LkImage *dst = lk_image_new (src->width, src->height, 3);

  for (int y = 0; y < src->height; y++)
    {
      const guint8 *in = lk_image_row (src, y);
      guint8 *out = lk_image_row (dst, y);

      for (int x = 0; x < src->width; x++, in += 4, out += 3)
        memcpy (out, in, 3);
    }
  return dst;
}

/*
 * Resamples a region of @src into a new @out_w x @out_h image at @scale
 * (output pixels per source pixel, <= 1 for shrinking, up to 4): output
 * pixel u covers source x in [edge_x + u / scale, edge_x + (u + 1) / scale]
 * (source pixel X covers [X - 0.5, X + 0.5]). Shrinking by k >= 2 first
 * averages k x k blocks, so the result is not aliased; the rest is bilinear.
 * Outside @src, edge pixels are repeated.
 */
LkImage *
_lk_face_resample (const LkImage *src,
                   double         edge_x,
                   double         edge_y,
                   double         scale,
                   int            out_w,
                   int            out_h)
{
  LkImage *out = lk_image_new (out_w, out_h, src->channels);
  int k = scale < 1.0 ? (int) floor (1.0 / scale + 1e-6) : 1;
  /* output -> source pixel centres */
  double ox = edge_x + 0.5 / scale, oy = edge_y + 0.5 / scale;

  if (k < 2)
    {
      LkAffine to_src = { { 1.0 / scale, 0, ox, 0, 1.0 / scale, oy } };

      lk_warp_affine_inverse (src, out, &to_src, LK_WARP_BORDER_REPLICATE, 0);
      return out;
    }
  else
    {
      int c = src->channels;
      int bx0 = (int) floor (edge_x + 0.5);
      int by0 = (int) floor (edge_y + 0.5);
      int bw = (int) ceil (out_w / scale / k) + 2;
      int bh = (int) ceil (out_h / scale / k) + 2;
      g_autoptr(LkImage) blocks = lk_image_new (bw, bh, c);
      g_autofree int *xs = g_new (int, (gsize) bw * k);
      g_autofree guint32 *acc = g_new (guint32, (gsize) bw * c);
      int area = k * k;
      double half = (k - 1) / 2.0;
      /* block (i, j) has its centre at source (bx0 + k i + half, by0 + k j + half) */
      LkAffine to_blocks = { { 1.0 / (scale * k), 0, (ox - bx0 - half) / k,
                               0, 1.0 / (scale * k), (oy - by0 - half) / k } };

      for (int i = 0; i < bw * k; i++)
        xs[i] = CLAMP (bx0 + i, 0, src->width - 1) * c;

      for (int j = 0; j < bh; j++)
        {
          guint8 *row_out = lk_image_row (blocks, j);

          memset (acc, 0, sizeof (guint32) * bw * c);
          for (int dy = 0; dy < k; dy++)
            {
              int sy = CLAMP (by0 + j * k + dy, 0, src->height - 1);
              const guint8 *row = lk_image_row (src, sy);

              for (int i = 0; i < bw; i++)
                {
                  guint32 *a = acc + i * c;
                  const int *xi = xs + i * k;

                  for (int dx = 0; dx < k; dx++)
                    {
                      const guint8 *p = row + xi[dx];

                      for (int ch = 0; ch < c; ch++)
                        a[ch] += p[ch];
                    }
                }
            }
          for (int i = 0; i < bw * c; i++)
            row_out[i] = (guint8) ((acc[i] + area / 2) / area);
        }

      lk_warp_affine_inverse (blocks, out, &to_blocks, LK_WARP_BORDER_REPLICATE, 0);
      return out;
    }
}

/* ---- The detector ------------------------------------------------------------ */

LkFaceDetector *
lk_face_detector_new (const LkFaceDetectorParams *params,
                      GError                    **error)
{
  g_autoptr(LkFaceDetector) self = NULL;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibStatus status;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_new0 (LkFaceDetector, 1);
  self->params = params != NULL ? *params : lk_face_detector_params_default ();
  if (self->params.max_faces <= 0)
    self->params.max_faces = 32;
  self->params.max_faces = MIN (self->params.max_faces, MAX_RECTS);
  if (self->params.upsample < 0 || self->params.upsample > 3)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "Face detector upsampling must be 0 to 3, not %d", self->params.upsample);
      return NULL;
    }

  self->landmark_model_path = g_strdup (lk_face_landmark_model_path (&self->params));
  self->params.landmark_model = self->landmark_model_path;
  self->shape_model = _lk_face_get_shape_model (self->landmark_model_path, error);
  if (self->shape_model == NULL)
    return NULL;

  /* The HOG detector is needed by detect_near() (tracking) in any case. */
  status = lk_dlib_hog_new (&self->hog, message, sizeof message);
  if (status != LK_DLIB_OK)
    {
      _lk_face_set_dlib_error (error, status, message);
      return NULL;
    }

  if (self->params.kind == LK_FACE_DETECTOR_CNN)
    {
      const char *path = self->params.cnn_model;

      if (path == NULL || path[0] == '\0')
        path = g_getenv ("LK_CNN_FACE_MODEL");
      if (path == NULL || path[0] == '\0')
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "The CNN face detector needs its model file "
                       "(mmod_human_face_detector.dat); none was given");
          return NULL;
        }
      self->cnn_model_path = g_strdup (path);
      self->params.cnn_model = self->cnn_model_path;
      self->cnn_model = get_cnn_model (self->cnn_model_path, error);
      if (self->cnn_model == NULL)
        return NULL;
      status = lk_dlib_cnn_new (self->cnn_model, &self->cnn, message, sizeof message);
      if (status != LK_DLIB_OK)
        {
          _lk_face_set_dlib_error (error, status, message);
          return NULL;
        }
    }
  else
    {
      self->params.cnn_model = NULL;
    }

  return g_steal_pointer (&self);
}

void
lk_face_detector_free (LkFaceDetector *self)
{
  if (self == NULL)
    return;

  g_clear_pointer (&self->hog, lk_dlib_hog_free);
  g_clear_pointer (&self->cnn, lk_dlib_cnn_free);
  g_clear_pointer (&self->cnn_model, lk_dlib_cnn_model_unref);
  g_clear_pointer (&self->shape_model, lk_dlib_shape_model_unref);
  g_free (self->landmark_model_path);
  g_free (self->cnn_model_path);
  g_free (self);
}

const LkFaceDetectorParams *
lk_face_detector_get_params (LkFaceDetector *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->params;
}

static gboolean
check_frame (const LkImage  *frame,
             GError        **error)
{
  if (frame == NULL || frame->data == NULL || frame->width <= 0 || frame->height <= 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT, "No image to look for faces in");
      return FALSE;
    }
  if (frame->channels != 1 && frame->channels != 3 && frame->channels != 4)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_UNSUPPORTED,
                   "Images with %d channels are not supported", frame->channels);
      return FALSE;
    }
  return TRUE;
}

/* The scale the detector runs at for @frame (<= 1). */
static double
detection_scale (const LkFaceDetectorParams *params,
                 const LkImage              *frame)
{
  int longest = MAX (frame->width, frame->height);
  double scale = 1.0;

  if (params->max_detect_side > 0 && longest > params->max_detect_side)
    scale = (double) params->max_detect_side / longest;
  if (params->min_face_size > 0)
    {
      int window = (params->kind == LK_FACE_DETECTOR_CNN ? CNN_MIN_FACE : HOG_MIN_FACE)
                   << params->upsample;
      scale = MAX (scale, (double) window / params->min_face_size);
    }
  return MIN (scale, 1.0);
}

gboolean
lk_face_detector_find_boxes (LkFaceDetector  *self,
                             const LkImage   *frame,
                             GArray          *faces,
                             GError         **error)
{
  g_autoptr(LkImage) rgb = NULL;
  g_autoptr(LkImage) small = NULL;
  const LkImage *input;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibImage image;
  LkDlibStatus status;
  double scale, edge = -0.5;
  int n_found = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (faces != NULL && g_array_get_element_size (faces) == sizeof (LkFaceDetection),
                        FALSE);

  g_array_set_size (faces, 0);
  if (!check_frame (frame, error))
    return FALSE;

  input = frame;
  if (frame->channels == 4)
    input = rgb = rgba_to_rgb (frame);

  scale = detection_scale (&self->params, input);
  if (scale < 1.0)
    {
      int w = MAX (1, (int) floor (input->width * scale + 0.5));
      int h = MAX (1, (int) floor (input->height * scale + 0.5));

      /* Fit the frame exactly: the scale follows from the rounded size. */
      scale = (double) w / input->width;
      small = _lk_face_resample (input, edge, edge, scale, w, h);
      input = small;
    }

  image = _lk_face_dlib_image (input);
  if (self->params.kind == LK_FACE_DETECTOR_CNN)
    status = lk_dlib_cnn_detect (self->cnn, &image, self->params.upsample, self->params.threshold,
                                 self->rects, MAX_RECTS, &n_found, message, sizeof message);
  else
    status = lk_dlib_hog_detect (self->hog, &image, self->params.upsample, self->params.threshold,
                                 self->rects, MAX_RECTS, &n_found, message, sizeof message);
  if (status != LK_DLIB_OK)
    return _lk_face_set_dlib_error (error, status, message);

  for (int i = 0; i < MIN (n_found, MAX_RECTS); i++)
    {
      const LkDlibRect *r = &self->rects[i];
      LkFaceDetection face = { 0 };

      /* box edges in the small image -> frame */
      face.x = edge + r->x / scale + 0.5;
      face.y = edge + r->y / scale + 0.5;
      face.width = r->width / scale;
      face.height = r->height / scale;
      face.score = r->score;
      face.source = LK_FACE_SOURCE_DETECTED;
      face.track_id = -1;

      if (self->params.min_face_size > 0 && MAX (face.width, face.height) < self->params.min_face_size)
        continue;
      g_array_append_val (faces, face);
      if ((int) faces->len >= self->params.max_faces)
        break;
    }

  return TRUE;
}

double
_lk_face_landmark_fit (const float (*landmarks)[2])
{
  double r = lk_align_shape_residual (landmarks);

  if (r >= G_MAXDOUBLE)
    return 0;
  return exp (-(r / 0.08) * (r / 0.08));
}

gboolean
lk_face_detector_fit_landmarks (LkFaceDetector   *self,
                                const LkImage    *frame,
                                LkFaceDetection  *face,
                                GError          **error)
{
  g_autoptr(LkImage) rgb = NULL;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibImage image;
  LkDlibRect box;
  LkDlibStatus status;

  g_return_val_if_fail (self != NULL && face != NULL, FALSE);

  if (!check_frame (frame, error))
    return FALSE;
  if (frame->channels == 4)
    frame = rgb = rgba_to_rgb (frame);

  image = _lk_face_dlib_image (frame);
  box = (LkDlibRect) { face->x, face->y, face->width, face->height, face->score };
  status = lk_dlib_shape_predict (self->shape_model, &image, &box, &face->landmarks[0][0],
                                  LK_FACE_N_LANDMARKS, message, sizeof message);
  if (status != LK_DLIB_OK)
    return _lk_face_set_dlib_error (error, status, message);

  face->landmark_fit = _lk_face_landmark_fit ((const float (*)[2]) face->landmarks);
  return TRUE;
}

gboolean
lk_face_detector_detect (LkFaceDetector  *self,
                         const LkImage   *frame,
                         GArray          *faces,
                         GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!lk_face_detector_find_boxes (self, frame, faces, error))
    return FALSE;

  for (guint i = 0; i < faces->len; i++)
    if (!lk_face_detector_fit_landmarks (self, frame, &g_array_index (faces, LkFaceDetection, i),
                                         error))
      {
        g_array_set_size (faces, 0);
        return FALSE;
      }

  return TRUE;
}

double
lk_face_box_iou (const LkFaceDetection *a,
                 const LkFaceDetection *b)
{
  double x0 = MAX (a->x, b->x), y0 = MAX (a->y, b->y);
  double x1 = MIN (a->x + a->width, b->x + b->width);
  double y1 = MIN (a->y + a->height, b->y + b->height);
  double inter, uni;

  if (x1 <= x0 || y1 <= y0)
    return 0;
  inter = (x1 - x0) * (y1 - y0);
  uni = a->width * a->height + b->width * b->height - inter;
  return uni > 0 ? inter / uni : 0;
}

void
lk_face_box_from_landmarks (const float      landmarks[LK_FACE_N_LANDMARKS][2],
                            LkFaceDetection *out_box)
{
  LkAlignParams unit = { .size = 1, .coverage = 1.0 };
  LkAlignment alignment;
  double cx, cy, side;

  if (!lk_align_compute (landmarks, &unit, &alignment))
    {
      /* Degenerate points: their bounding box. */
      float x0 = G_MAXFLOAT, y0 = G_MAXFLOAT, x1 = -G_MAXFLOAT, y1 = -G_MAXFLOAT;

      for (int i = 0; i < LK_FACE_N_LANDMARKS; i++)
        {
          x0 = MIN (x0, landmarks[i][0]);
          y0 = MIN (y0, landmarks[i][1]);
          x1 = MAX (x1, landmarks[i][0]);
          y1 = MAX (y1, landmarks[i][1]);
        }
      out_box->x = x0;
      out_box->y = y0;
      out_box->width = MAX (1, x1 - x0);
      out_box->height = MAX (1, y1 - y0);
      return;
    }

  /* The template square (in crop pixels of a 1 px, coverage 1 crop the
   * template unit is 1 px, offset -0.5) back to the frame. */
  lk_affine_apply (&alignment.face_to_frame, LK_ALIGN_DLIB_BOX_CX - 0.5, LK_ALIGN_DLIB_BOX_CY - 0.5,
                   &cx, &cy);
  side = LK_ALIGN_DLIB_BOX_SIDE * hypot (alignment.face_to_frame.m[0], alignment.face_to_frame.m[3]);
  out_box->x = cx - side / 2 + 0.5;
  out_box->y = cy - side / 2 + 0.5;
  out_box->width = side;
  out_box->height = side;
}

gboolean
lk_face_detector_detect_near (LkFaceDetector   *self,
                              const LkImage    *frame,
                              LkFaceDetection  *face,
                              double            min_score,
                              GError          **error)
{
  g_autoptr(LkImage) crop = NULL;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibImage image;
  LkDlibStatus status;
  double side = MAX (face->width, face->height);
  double scale, edge_x, edge_y, best_iou = 0;
  int crop_side, n_found = 0, best = -1;

  g_return_val_if_fail (self != NULL && face != NULL, FALSE);

  if (!check_frame (frame, error))
    return FALSE;
  if (!(side >= 4) || !isfinite (face->x) || !isfinite (face->y))
    return FALSE;

  scale = MIN ((double) NEAR_FACE_PX / side, 2.0);
  crop_side = (int) ceil (NEAR_CROP * side * scale);
  /* box centre in edge coordinates: face->x - 0.5 + width / 2 */
  edge_x = face->x - 0.5 + face->width / 2 - crop_side / scale / 2;
  edge_y = face->y - 0.5 + face->height / 2 - crop_side / scale / 2;
  crop = _lk_face_resample (frame, edge_x, edge_y, scale, crop_side, crop_side);
  if (crop->channels >= 3)
    {
      /* HOG features on grey cost a third of those on RGB; for checking a
       * face that is known to be there, grey is enough. */
      LkImage *grey = lk_image_new (crop->width, crop->height, 1);

      for (int y = 0; y < crop->height; y++)
        {
          const guint8 *in = lk_image_row (crop, y);
          guint8 *out = lk_image_row (grey, y);

          for (int x = 0; x < crop->width; x++, in += crop->channels)
            out[x] = (guint8) ((77 * in[0] + 150 * in[1] + 29 * in[2] + 128) >> 8);
        }
      lk_image_free (crop);
      crop = grey;
    }

  image = _lk_face_dlib_image (crop);
  status = lk_dlib_hog_detect (self->hog, &image, 0, min_score, self->rects, MAX_RECTS, &n_found,
                               message, sizeof message);
  if (status != LK_DLIB_OK)
    return _lk_face_set_dlib_error (error, status, message);

  for (int i = 0; i < MIN (n_found, MAX_RECTS); i++)
    {
      const LkDlibRect *r = &self->rects[i];
      LkFaceDetection candidate = { 0 };
      double iou;

      candidate.x = edge_x + r->x / scale + 0.5;
      candidate.y = edge_y + r->y / scale + 0.5;
      candidate.width = r->width / scale;
      candidate.height = r->height / scale;
      iou = lk_face_box_iou (&candidate, face);
      if (iou > 0.3 && (best < 0 || r->score > self->rects[best].score))
        {
          best = i;
          best_iou = iou;
          face->x = candidate.x;
          face->y = candidate.y;
          face->width = candidate.width;
          face->height = candidate.height;
          face->score = r->score;
        }
    }
  (void) best_iou;

  return best >= 0;
}
