/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Face extraction figures: detection per frame (HOG at 640x360 and
 * 1280x720, downscaled or not), landmarks per face, the 256 px aligned crop,
 * and the tracker's frames/s and recall against detection on every frame
 * over person_a.mp4 upscaled to 1280x720 (made with the ffmpeg command-line
 * tool in a temporary folder). Prints; never fails on time.
 */
#include "config.h"

#include <math.h>
#include <time.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "lk-align.h"
#include "lk-face-detector.h"
#include "lk-face-tracker.h"
#include "lk-video-reader.h"
#include "lk-warp.h"

/* Per-operation figures are the calling thread's CPU time, so that other
 * processes on a shared machine do not inflate them; the two-thread pipeline
 * at the end is wall time. */
static gint64
cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* All threads of the process (the decoder may use several). */
static gint64
process_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static LkFaceDetector *
new_detector (int max_side)
{
  g_autoptr(GError) error = NULL;
  LkFaceDetectorParams params = lk_face_detector_params_default ();
  LkFaceDetector *det;

  params.max_detect_side = max_side;
  det = lk_face_detector_new (&params, &error);
  if (det == NULL)
    g_error ("detector: %s", error->message);
  return det;
}

static GPtrArray *
read_frames (const char *path,
             int         max_frames,
             double     *decode_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (path, NULL, &error);
  GPtrArray *frames = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  gint64 start;

  if (reader == NULL)
    g_error ("%s", error->message);
  start = process_cpu_us ();
  while (max_frames < 0 || (int) frames->len < max_frames)
    {
      LkVideoFrame *frame = NULL;

      if (!lk_video_reader_read (reader, &frame, NULL, &error))
        g_error ("%s", error->message);
      if (frame == NULL)
        break;
      g_ptr_array_add (frames, g_steal_pointer (&frame->image));
      lk_video_frame_free (frame);
    }
  if (decode_ms != NULL)
    *decode_ms = (process_cpu_us () - start) / 1000.0 / MAX (frames->len, 1);
  return frames;
}

static double
time_boxes (LkFaceDetector *det,
            GPtrArray      *frames,
            int             n,
            guint          *found)
{
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  gint64 start = cpu_us ();

  *found = 0;
  for (int i = 0; i < n; i++)
    {
      if (!lk_face_detector_find_boxes (det, frames->pdata[i % frames->len], faces, NULL))
        g_error ("detection failed");
      *found += faces->len;
    }
  return (cpu_us () - start) / 1000.0 / n;
}

static LkImage *
scaled (const LkImage *src,
        int            w,
        int            h)
{
  LkImage *dst = lk_image_new (w, h, src->channels);
  LkAffine m = { { (double) w / src->width, 0, 0.5 * w / src->width - 0.5, 0,
                   (double) h / src->height, 0.5 * h / src->height - 0.5 } };

  lk_warp_affine (src, dst, &m, LK_WARP_BORDER_REPLICATE, 0);
  return dst;
}

typedef struct
{
  const char   *path;
  GAsyncQueue  *queue;
} Producer;

static gpointer
produce (gpointer data)
{
  Producer *p = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (p->path, NULL, &error);

  for (;;)
    {
      LkVideoFrame *frame = NULL;

      while (g_async_queue_length (p->queue) > 6)
        g_usleep (200);
      if (reader == NULL || !lk_video_reader_read (reader, &frame, NULL, &error) || frame == NULL)
        break;
      g_async_queue_push (p->queue, frame);
    }
  g_async_queue_push (p->queue, GINT_TO_POINTER (1)); /* end */
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  const char *testdata = g_getenv ("LK_TESTDATA_DIR");
  g_autofree char *video = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *video_720 = NULL;
  g_autofree char *command = NULL;
  g_autoptr(LkFaceDetector) det_small = NULL;
  g_autoptr(LkFaceDetector) det_full = NULL;
  g_autoptr(GPtrArray) frames = NULL;
  g_autoptr(GPtrArray) frames_360 = NULL;
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  double decode_ms, ms;
  guint found;
  int status;
  gint64 start;

  if (testdata == NULL)
    {
      g_printerr ("set LK_TESTDATA_DIR\n");
      return 77;
    }
  video = g_build_filename (testdata, "videos", "person_a.mp4", NULL);
  tmpdir = g_dir_make_tmp ("lk-bench-face-XXXXXX", &error);
  g_assert_no_error (error);
  video_720 = g_build_filename (tmpdir, "person_a_720p.mp4", NULL);

  /* 700x700 -> 720x720 centred on a 1280x720 frame */
  command = g_strdup_printf ("ffmpeg -v error -y -i '%s' -an -vf "
                             "'scale=720:720,pad=1280:720:280:0:color=gray' "
                             "-c:v libx264 -crf 16 -preset veryfast '%s'",
                             video, video_720);
  if (!g_spawn_command_line_sync (command, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("ffmpeg failed: %s\n", error->message);
      return 77;
    }

  start = cpu_us ();
  det_small = new_detector (640);
  printf ("landmark model load (first detector): %.0f ms\n",
          (cpu_us () - start) / 1000.0);
  det_full = new_detector (0);

  frames = read_frames (video_720, -1, &decode_ms);
  printf ("decode 1280x720 H.264 to RGB: %.2f ms CPU/frame (%u frames)\n", decode_ms, frames->len);
  frames_360 = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  for (int i = 0; i < 30; i++)
    g_ptr_array_add (frames_360, scaled (frames->pdata[i * 5], 640, 360));

  ms = time_boxes (det_full, frames_360, 30, &found);
  printf ("HOG 640x360 (native):             %6.1f ms/frame, %.2f faces/frame\n", ms, found / 30.0);
  ms = time_boxes (det_full, frames, 20, &found);
  printf ("HOG 1280x720 at full resolution:  %6.1f ms/frame, %.2f faces/frame\n", ms, found / 20.0);
  ms = time_boxes (det_small, frames, 30, &found);
  printf ("HOG 1280x720 downscaled to 640:   %6.1f ms/frame, %.2f faces/frame (scaling included)\n",
          ms, found / 30.0);

  /* landmarks per face, warp per crop */
  {
    LkFaceDetection face;
    LkAlignParams params = lk_align_params_default ();
    LkAlignment alignment;
    int n = 200;

    if (!lk_face_detector_detect (det_small, frames->pdata[0], faces, &error) || faces->len == 0)
      g_error ("no face on the first frame");
    face = g_array_index (faces, LkFaceDetection, 0);
    start = cpu_us ();
    for (int i = 0; i < n; i++)
      lk_face_detector_fit_landmarks (det_small, frames->pdata[i % frames->len], &face, NULL);
    printf ("68 landmarks (face %.0f px):       %6.2f ms/face\n", face.width,
            (cpu_us () - start) / 1000.0 / n);

    lk_align_compute ((const float (*)[2]) face.landmarks, &params, &alignment);
    start = cpu_us ();
    for (int i = 0; i < n; i++)
      lk_image_free (lk_align_extract (frames->pdata[i % frames->len], &alignment));
    printf ("aligned 256x256 RGB crop (warp):   %6.3f ms/crop\n",
            (cpu_us () - start) / 1000.0 / n);

    start = cpu_us ();
    for (int i = 0; i < n; i++)
      lk_face_detector_detect_near (det_small, frames->pdata[i % frames->len], &face, -0.6, NULL);
    printf ("tracker check (HOG near the face): %6.2f ms/face\n",
            (cpu_us () - start) / 1000.0 / n);
  }

  /* the tracker against detection on every frame */
  {
    g_autoptr(LkFaceTracker) tracker = lk_face_tracker_new (det_small, NULL);
    g_autoptr(GArray) reference = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
    guint n_ref = 0, n_hit = 0, n_tracked = 0;
    double track_ms, detect_ms = 0;

    start = cpu_us ();
    for (guint i = 0; i < frames->len; i++)
      {
        lk_face_tracker_process (tracker, frames->pdata[i], faces, NULL);
        n_tracked += faces->len;
      }
    track_ms = (cpu_us () - start) / 1000.0 / frames->len;

    /* recall: the faces full detection finds on each frame that the tracker
     * also has (boxes overlapping) */
    lk_face_tracker_reset (tracker);
    for (guint i = 0; i < frames->len; i++)
      {
        gint64 t0;

        lk_face_tracker_process (tracker, frames->pdata[i], faces, NULL);
        t0 = cpu_us ();
        lk_face_detector_detect (det_small, frames->pdata[i], reference, NULL);
        detect_ms += (cpu_us () - t0) / 1000.0;
        for (guint r = 0; r < reference->len; r++)
          {
            gboolean hit = FALSE;

            n_ref++;
            for (guint f = 0; f < faces->len && !hit; f++)
              hit = lk_face_box_iou (&g_array_index (reference, LkFaceDetection, r),
                                     &g_array_index (faces, LkFaceDetection, f)) > 0.3;
            n_hit += hit;
          }
      }
    detect_ms /= frames->len;

    printf ("detect + landmarks every frame:    %6.2f ms/frame (%.1f frames/s)\n", detect_ms,
            1000 / detect_ms);
    printf ("tracker:                           %6.2f ms/frame (%.1f frames/s), %u full "
            "detections in %u frames, %.2f faces/frame\n",
            track_ms, 1000 / track_ms, lk_face_tracker_get_n_detections (tracker), frames->len,
            (double) n_tracked / frames->len);
    printf ("tracker recall vs detection on every frame: %u/%u = %.2f%%\n", n_hit, n_ref,
            n_ref > 0 ? 100.0 * n_hit / n_ref : 0);
    printf ("decode + tracker, one thread:      %6.2f ms/frame (%.1f frames/s)\n",
            decode_ms + track_ms, 1000 / (decode_ms + track_ms));
  }

  /* decode on one thread, track on the other (the 2-core machine's layout) */
  {
    g_autoptr(LkFaceTracker) tracker = lk_face_tracker_new (det_small, NULL);
    Producer producer = { video_720, g_async_queue_new () };
    GThread *thread;
    guint n = 0;
    double total_ms;

    start = g_get_monotonic_time ();
    thread = g_thread_new ("decode", produce, &producer);
    for (;;)
      {
        gpointer item = g_async_queue_pop (producer.queue);
        LkVideoFrame *frame;

        if (item == GINT_TO_POINTER (1))
          break;
        frame = item;
        lk_face_tracker_process (tracker, frame->image, faces, NULL);
        lk_video_frame_free (frame);
        n++;
      }
    g_thread_join (thread);
    total_ms = (g_get_monotonic_time () - start) / 1000.0;
    printf ("decode thread + tracker thread (wall): %6.2f ms/frame (%.1f frames/s, %u frames)\n",
            total_ms / n, 1000.0 * n / total_ms, n);
    g_async_queue_unref (producer.queue);
  }

  g_unlink (video_720);
  g_rmdir (tmpdir);
  return 0;
}
