/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-tracker"

#include "config.h"

#include "lk-face-tracker.h"

#include <math.h>
#include <string.h>

typedef struct
{
  LkFaceDetection face; /* the latest state, landmarks included */
} Track;

struct _LkFaceTracker
{
  LkFaceDetector     *detector;
  LkFaceTrackerParams params;
  GArray             *tracks;     /* of Track */
  GArray             *detections; /* scratch, of LkFaceDetection */
  int                 frames_since_detect;
  gboolean            force_detect;
  int                 next_id;
  guint               n_detections;
};

LkFaceTrackerParams
lk_face_tracker_params_default (void)
{
  LkFaceTrackerParams params = {
    .redetect_interval = 10,
    .verify = TRUE,
    .verify_threshold = -0.6,
    .min_landmark_fit = 0.2,
  };

  return params;
}

LkFaceTracker *
lk_face_tracker_new (LkFaceDetector            *detector,
                     const LkFaceTrackerParams *params)
{
  LkFaceTracker *self;

  g_return_val_if_fail (detector != NULL, NULL);

  self = g_new0 (LkFaceTracker, 1);
  self->detector = detector;
  self->params = params != NULL ? *params : lk_face_tracker_params_default ();
  self->params.redetect_interval = MAX (1, self->params.redetect_interval);
  self->tracks = g_array_new (FALSE, FALSE, sizeof (Track));
  self->detections = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  lk_face_tracker_reset (self);

  return self;
}

void
lk_face_tracker_free (LkFaceTracker *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->tracks);
  g_array_unref (self->detections);
  g_free (self);
}

void
lk_face_tracker_reset (LkFaceTracker *self)
{
  g_return_if_fail (self != NULL);

  g_array_set_size (self->tracks, 0);
  self->frames_since_detect = 0;
  self->force_detect = TRUE;
  self->n_detections = 0;
}

guint
lk_face_tracker_get_n_detections (LkFaceTracker *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_detections;
}

/* Follows @track into @frame from its previous landmarks. Returns FALSE with
 * @error set only on a real failure; a lost face is a miss. */
static gboolean
follow (LkFaceTracker  *self,
        Track          *track,
        const LkImage  *frame,
        gboolean       *found,
        GError        **error)
{
  LkFaceDetection face = track->face;
  gboolean verified = TRUE;

  lk_face_box_from_landmarks ((const float (*)[2]) track->face.landmarks, &face);
  face.score = -G_MAXDOUBLE;

  if (self->params.verify)
    {
      g_autoptr(GError) local_error = NULL;

      verified = lk_face_detector_detect_near (self->detector, frame, &face,
                                               self->params.verify_threshold, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  if (!lk_face_detector_fit_landmarks (self->detector, frame, &face, error))
    return FALSE;

  if (!verified || face.landmark_fit < self->params.min_landmark_fit)
    verified = FALSE;

  face.source = LK_FACE_SOURCE_TRACKED;
  track->face = face;
  *found = verified;
  return TRUE;
}

static int
compare_detections (gconstpointer a,
                    gconstpointer b)
{
  const LkFaceDetection *fa = a, *fb = b;

  return (fa->score < fb->score) - (fa->score > fb->score);
}

gboolean
lk_face_tracker_process (LkFaceTracker  *self,
                         const LkImage  *frame,
                         GArray         *faces,
                         GError        **error)
{
  gboolean detect;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (faces != NULL && g_array_get_element_size (faces) == sizeof (LkFaceDetection),
                        FALSE);

  g_array_set_size (faces, 0);

  detect = self->force_detect || self->tracks->len == 0
           || self->frames_since_detect + 1 >= self->params.redetect_interval;
  self->force_detect = FALSE;

  if (!detect)
    {
      /* Follow every face; if one fails its check, the frame is done again
       * with the full detector, from the previous frame's tracks. */
      g_autoptr(GArray) followed = g_array_copy (self->tracks);

      for (guint t = 0; t < followed->len && !detect; t++)
        {
          gboolean found = FALSE;

          if (!follow (self, &g_array_index (followed, Track, t), frame, &found, error))
            return FALSE;
          if (!found)
            detect = TRUE;
        }

      if (!detect)
        {
          g_array_set_size (self->tracks, 0);
          g_array_append_vals (self->tracks, followed->data, followed->len);
          self->frames_since_detect++;

          /* Two tracks that drifted onto the same face: keep the older one. */
          for (guint a = 0; a < self->tracks->len; a++)
            for (guint b = a + 1; b < self->tracks->len;)
              {
                if (lk_face_box_iou (&g_array_index (self->tracks, Track, a).face,
                                     &g_array_index (self->tracks, Track, b).face)
                    > 0.5)
                  g_array_remove_index (self->tracks, b);
                else
                  b++;
              }
        }
    }

  if (detect)
    {
      g_autofree gboolean *matched = NULL;

      if (!lk_face_detector_detect (self->detector, frame, self->detections, error))
        return FALSE;
      self->n_detections++;
      self->frames_since_detect = 0;
      matched = g_new0 (gboolean, self->tracks->len + self->detections->len);

      /* Each detection takes over the track it overlaps most (tracks keep
       * their ids); the others start new tracks. */
      for (guint i = 0; i < self->detections->len; i++)
        {
          LkFaceDetection *det = &g_array_index (self->detections, LkFaceDetection, i);
          double best_iou = 0.3;
          int best = -1;

          for (guint t = 0; t < self->tracks->len; t++)
            {
              LkFaceDetection predicted;
              double iou;

              if (matched[t])
                continue;
              lk_face_box_from_landmarks (
                (const float (*)[2]) g_array_index (self->tracks, Track, t).face.landmarks,
                &predicted);
              iou = lk_face_box_iou (det, &predicted);
              if (iou > best_iou)
                {
                  best_iou = iou;
                  best = t;
                }
            }

          if (best >= 0)
            {
              Track *track = &g_array_index (self->tracks, Track, best);

              matched[best] = TRUE;
              det->track_id = track->face.track_id;
              track->face = *det;
            }
          else
            {
              Track track = { .face = *det };

              track.face.track_id = det->track_id = self->next_id++;
              g_array_append_val (self->tracks, track);
              matched[self->tracks->len - 1] = TRUE;
            }
        }

      /* Tracks the detector did not find are followed, and kept only if
       * they pass the check (a face turning past what the detector finds). */
      for (guint t = 0; t < self->tracks->len;)
        {
          Track *track = &g_array_index (self->tracks, Track, t);
          gboolean found = FALSE;

          if (matched[t])
            {
              t++;
              continue;
            }
          if (!follow (self, track, frame, &found, error))
            return FALSE;
          if (!found)
            {
              g_array_remove_index (self->tracks, t);
              memmove (matched + t, matched + t + 1, sizeof (gboolean) * (self->tracks->len - t));
            }
          else
            t++;
        }
    }

  for (guint t = 0; t < self->tracks->len; t++)
    g_array_append_val (faces, g_array_index (self->tracks, Track, t).face);
  g_array_sort (faces, compare_detections);

  return TRUE;
}
