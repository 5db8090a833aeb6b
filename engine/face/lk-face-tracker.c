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

/* After a face is lost (it failed its check and the full detector did not
 * find it either), the place where it was is searched on the next frames
 * with the detector on a crop around it (lk_face_detector_detect_near(), at
 * the full detector's threshold): a face that turned away for a moment is
 * found again there on the very frame it comes back, for a few ms instead of
 * a full-frame scan. While only such places are known (no face tracked), the
 * full detector runs every LOST_DETECT_INTERVAL frames instead of on every
 * frame; after LOST_MAX_AGE frames the places are forgotten. */
#define LOST_MAX_AGE         15
#define LOST_DETECT_INTERVAL 3

struct _LkFaceTracker
{
  LkFaceDetector     *detector;
  LkFaceTrackerParams params;
  GArray             *tracks;     /* of Track */
  GArray             *detections; /* scratch, of LkFaceDetection */
  GArray             *lost;       /* boxes of faces lost lately, of LkFaceDetection */
  int                 lost_age;   /* frames since the latest loss */
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
  self->lost = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
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
  g_array_unref (self->lost);
  g_free (self);
}

void
lk_face_tracker_reset (LkFaceTracker *self)
{
  g_return_if_fail (self != NULL);

  g_array_set_size (self->tracks, 0);
  g_array_set_size (self->lost, 0);
  self->lost_age = 0;
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

  /* A poor landmark fit is a miss, unless the check scored the face as the
   * full detector would accept it: the full detector's faces are kept
   * whatever their fit, so running it would only find this face again (on
   * a stretched or turned face, every few frames). */
  if (!verified
      || (face.landmark_fit < self->params.min_landmark_fit
          && !(face.score >= lk_face_detector_get_params (self->detector)->threshold)))
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

/* Looks for the faces lost lately around where they were: found ones are
 * appended to self->detections (landmarks fitted) and their places
 * forgotten. */
static gboolean
search_lost (LkFaceTracker  *self,
             const LkImage  *frame,
             GError        **error)
{
  double threshold = lk_face_detector_get_params (self->detector)->threshold;

  g_array_set_size (self->detections, 0);
  for (guint i = 0; i < self->lost->len;)
    {
      LkFaceDetection face = g_array_index (self->lost, LkFaceDetection, i);
      g_autoptr(GError) local_error = NULL;

      face.score = -G_MAXDOUBLE;
      if (!lk_face_detector_detect_near (self->detector, frame, &face, threshold, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          i++;
          continue;
        }
      if (!lk_face_detector_fit_landmarks (self->detector, frame, &face, error))
        return FALSE;
      face.source = LK_FACE_SOURCE_DETECTED;
      face.track_id = -1;
      g_array_append_val (self->detections, face);
      g_array_remove_index (self->lost, i);
    }
  return TRUE;
}

/* Remembers where @track's face was (from its landmarks on the frame
 * before), to search there on the next frames. */
static void
remember_lost (LkFaceTracker *self,
               const Track   *track)
{
  LkFaceDetection box = { 0 };

  lk_face_box_from_landmarks ((const float (*)[2]) track->face.landmarks, &box);
  g_array_append_val (self->lost, box);
  self->lost_age = 0;
}

gboolean
lk_face_tracker_process (LkFaceTracker  *self,
                         const LkImage  *frame,
                         GArray         *faces,
                         GError        **error)
{
  g_autoptr(GArray) followed = NULL;   /* this frame's follow of each track, */
  g_autofree gboolean *followed_found = NULL;   /* ... and whether it passed */
  guint n_followed = 0;
  gboolean detect, found_lost = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (faces != NULL && g_array_get_element_size (faces) == sizeof (LkFaceDetection),
                        FALSE);

  g_array_set_size (faces, 0);

  if (self->lost->len > 0 && ++self->lost_age > LOST_MAX_AGE)
    g_array_set_size (self->lost, 0);

  detect = self->force_detect || self->frames_since_detect + 1 >= self->params.redetect_interval;
  if (!detect && self->tracks->len == 0)
    {
      /* Nothing followed: the full detector runs on every frame, or every
       * few frames while the places of lost faces are searched. */
      if (self->lost->len == 0 || self->frames_since_detect + 1 >= LOST_DETECT_INTERVAL)
        detect = TRUE;
      else
        {
          if (!search_lost (self, frame, error))
            return FALSE;
          found_lost = self->detections->len > 0;
          self->frames_since_detect++;
        }
    }
  self->force_detect = FALSE;

  if (!detect && self->tracks->len > 0)
    {
      /* Follow every face; if one fails its check, the frame is done again
       * with the full detector, from the previous frame's tracks (reusing
       * the follows made here). */
      followed = g_array_copy (self->tracks);
      followed_found = g_new0 (gboolean, followed->len);

      for (guint t = 0; t < followed->len && !detect; t++)
        {
          if (!follow (self, &g_array_index (followed, Track, t), frame, &followed_found[t], error))
            return FALSE;
          n_followed = t + 1;
          if (!followed_found[t])
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

  if (detect || found_lost)
    {
      g_autofree gboolean *matched = NULL;
      guint n_tracks = self->tracks->len;

      if (detect)
        {
          if (!lk_face_detector_detect (self->detector, frame, self->detections, error))
            return FALSE;
          self->n_detections++;
          self->frames_since_detect = 0;
        }
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
       * they pass the check (a face turning past what the detector finds).
       * A track's index is still its index before the matching here (matches
       * overwrite, new tracks are appended); removals are counted in @gone. */
      for (guint t = 0, gone = 0; t < self->tracks->len;)
        {
          Track *track = &g_array_index (self->tracks, Track, t);
          guint before = t + gone;
          gboolean found = FALSE;

          if (matched[t])
            {
              t++;
              continue;
            }
          if (before < n_tracks && before < n_followed)
            {
              /* followed on this frame already: the same input, the same result */
              Track previous = *track;

              *track = g_array_index (followed, Track, before);
              found = followed_found[before];
              if (!found)
                *track = previous;
            }
          else
            {
              Track previous = *track;

              if (!follow (self, track, frame, &found, error))
                return FALSE;
              if (!found)
                *track = previous;
            }
          if (!found)
            {
              remember_lost (self, track);
              g_array_remove_index (self->tracks, t);
              gone++;
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
