/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-image.h"

G_BEGIN_DECLS

/*
 * LkVideoReader: frames of a video file (or of a still picture) as RGB
 * images with their exact timestamps, through libavformat/libavcodec.
 *
 * A plain opaque struct with _open()/_free(), not a GObject: it is a handle
 * on an open file used by one worker at a time, with nothing for the UI to
 * bind to (progress goes through LkJob).
 *
 * Threading: a reader may be created on one thread and used on another, but
 * by one thread at a time. Different readers are independent. Decoding uses
 * FFmpeg's frame threads (one per core).
 *
 * Timestamps: every frame carries its presentation timestamp in the video
 * stream's time base (LkVideoInfo.time_base_num/den), exactly as FFmpeg
 * gives it (best_effort_timestamp; `ffprobe -show_frames` prints the same
 * values), and the same time in seconds (pts x time base, on the file's
 * own clock: a stream that starts at 0.033 s has its first frame at
 * 0.033 s). Variable frame rate clips keep their real timing; nothing
 * assumes that frames are evenly spaced or that count = duration x rate.
 *
 * Rotation: the display matrix of the stream (phones write one) and the
 * EXIF orientation of JPEG pictures are applied, so images come out the way
 * players show them, and width/height in LkVideoInfo are the shown size.
 *
 * Truncated and damaged files: a file that cannot be opened gives an error
 * from lk_video_reader_open(). A file that opens but whose data ends early
 * (a cut download whose index survived) gives every frame that could be
 * decoded, then, in place of the end of the stream, an %LK_ERROR_CORRUPT
 * error saying how far it got; callers that can live with a short read
 * keep the frames they have. Single damaged packets inside a stream are
 * skipped (FFmpeg conceals what it can) and counted, see
 * lk_video_reader_get_skipped().
 */

typedef struct _LkVideoReader LkVideoReader;

/**
 * LkVideoInfo:
 * What the container and a short probe tell about the file. Times are in
 * seconds, -1 when unknown. Owned by the reader.
 */
typedef struct
{
  char     *path;
  char     *format;              /* demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2" */
  gboolean  is_still_image;      /* a JPEG/PNG/...: one frame at pts 0 */
  double    duration;            /* of the video stream, else of the file */
  int       width;               /* as displayed, after rotation */
  int       height;
  int       coded_width;         /* as stored */
  int       coded_height;
  int       rotation;            /* clockwise degrees applied: 0, 90, 180, 270 */
  double    frame_rate;          /* average: frames / duration (avg_frame_rate) */
  double    nominal_frame_rate;  /* the stream's base rate (r_frame_rate) */
  int       frame_rate_num;      /* average, as a fraction (0/1 unknown) */
  int       frame_rate_den;
  int       nominal_frame_rate_num;
  int       nominal_frame_rate_den;
  gboolean  variable_frame_rate; /* average and nominal rates differ by > 1% */
  gint64    n_frames;            /* from the container; -1 when it does not say */
  char     *codec;               /* e.g. "h264" */
  int       time_base_num;       /* of the video stream */
  int       time_base_den;
  gint64    start_pts;           /* first timestamp of the video stream (time base) */
  gboolean  has_audio;
  char     *audio_codec;         /* NULL without audio */
  int       audio_sample_rate;
  int       audio_channels;
  double    audio_duration;
} LkVideoInfo;

/**
 * LkVideoFrame:
 * @image: RGB, 3 channels, rotated for display, scaled to the reader's
 *   maximum size if one is set
 * @pts: presentation timestamp in the stream's time base
 * @time: @pts in seconds
 * @duration: how long the frame is shown, in the time base (0 if unknown)
 * @index: 0 for the stream's first frame, counting in presentation order;
 *   -1 if it cannot be known (after a seek in a stream without timestamps)
 * @keyframe: the frame was coded without reference to others
 */
typedef struct
{
  LkImage  *image;
  gint64    pts;
  double    time;
  gint64    duration;
  gint64    index;
  gboolean  keyframe;
} LkVideoFrame;

void           lk_video_frame_free          (LkVideoFrame   *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkVideoFrame, lk_video_frame_free)

/**
 * lk_video_reader_open:
 * Opens @path and probes it. Errors (the message names the file):
 * %LK_ERROR_NOT_FOUND (missing), %LK_ERROR_IO (unreadable),
 * %LK_ERROR_INVALID_INPUT (empty, not a video or picture, no video stream),
 * %LK_ERROR_CORRUPT (recognised but damaged or truncated),
 * %LK_ERROR_UNSUPPORTED (no decoder for its codec).
 */
LkVideoReader     *lk_video_reader_open       (const char     *path,
                                               GCancellable   *cancellable,
                                               GError        **error);
void               lk_video_reader_free       (LkVideoReader  *self);

const LkVideoInfo *lk_video_reader_get_info   (LkVideoReader  *self);

/* Frames are scaled down (never up) to fit @max_width x @max_height, aspect
 * kept; 0 means no limit (the default). Applies from the next frame. */
void               lk_video_reader_set_max_size (LkVideoReader *self,
                                                 int            max_width,
                                                 int            max_height);

/**
 * lk_video_reader_read:
 * @frame_out: (out): the next frame in presentation order, or %NULL at the
 *   end of the stream
 *
 * Returns: %FALSE with @error set on failure or cancellation (see the
 *   header comment for truncated files); %TRUE otherwise, with *@frame_out
 *   %NULL once the stream has ended.
 */
gboolean           lk_video_reader_read       (LkVideoReader  *self,
                                               LkVideoFrame  **frame_out,
                                               GCancellable   *cancellable,
                                               GError        **error);

/**
 * lk_video_reader_seek:
 * @pts: a timestamp in the stream's time base
 *
 * Positions the reader so that the next lk_video_reader_read() returns the
 * frame shown at @pts: the last frame whose pts is <= @pts (so seeking to
 * the pts of frame k gives exactly frame k, and a time between two frames
 * gives the earlier one, the one on screen then). Before the first frame it
 * gives the first frame; past the end, the last one. It seeks to the
 * keyframe at or before @pts and decodes forward, going further back when
 * the decoder needs to. The first seek in a file reads through its packets
 * once (no decoding) to learn the frame indices and times (see
 * lk_video_reader_neighbour_time()).
 */
gboolean           lk_video_reader_seek       (LkVideoReader  *self,
                                               gint64          pts,
                                               GCancellable   *cancellable,
                                               GError        **error);
/* The same with a time in seconds (converted to the time base at the edge). */
gboolean           lk_video_reader_seek_seconds (LkVideoReader *self,
                                                 double         seconds,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

/**
 * lk_video_reader_count_frames:
 * The exact number of frames, from the packets (no decoding). Reads through
 * the file once; the reading position is kept.
 *
 * Returns: the count, or -1 with @error set
 */
gint64             lk_video_reader_count_frames (LkVideoReader *self,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

/**
 * lk_video_reader_neighbour_time:
 * @seconds: a time on the file's clock, as for lk_video_reader_seek_seconds()
 * @direction: 1 for the next frame, -1 for the previous one
 * @out_seconds: (out): the neighbour's time, NAN when there is none
 *
 * The time of the frame after (or before) the frame shown at @seconds:
 * the last frame whose time is <= @seconds, the first frame for a time
 * before it, the last for one past the end (as lk_video_reader_seek()
 * picks it). Times are the frames' presentation timestamps in seconds,
 * equal to LkVideoFrame.time, so seeking to *@out_seconds shows exactly
 * that frame; on a variable frame rate they are unevenly spaced, and
 * stepping with this visits every frame once.
 *
 * It looks the time up in the index of the packets' timestamps (no
 * decoding). Where the index is not built yet (no seek so far), it is
 * built first, the same way lk_video_reader_seek() does, reading through
 * the file once; the reading position is kept. After that a query costs a
 * binary search.
 *
 * At the ends (no frame after the last, none before the first; a still
 * picture has neither) there is no clamping: it returns %FALSE with
 * *@out_seconds NAN and @error not set.
 *
 * Returns: %TRUE with *@out_seconds set; %FALSE at the ends (no error) or
 *   with @error set when the index cannot be read (%LK_ERROR_UNSUPPORTED
 *   for a stream whose packets carry no timestamps) or on cancellation
 */
gboolean           lk_video_reader_neighbour_time (LkVideoReader *self,
                                                   double         seconds,
                                                   int            direction,
                                                   double        *out_seconds,
                                                   GCancellable  *cancellable,
                                                   GError       **error);

/**
 * lk_video_reader_neighbour_times:
 * @previous: (out): the time of the frame before, NAN when there is none or
 *   the index cannot tell
 * @next: (out): the same for the frame after
 *
 * Both neighbours of the frame shown at @seconds, for a viewer stepping
 * through frames: where the index cannot be read (a stream without
 * timestamps) both are NAN and that is not an error.
 *
 * Returns: %FALSE only when cancelled (@error set)
 */
gboolean           lk_video_reader_neighbour_times (LkVideoReader *self,
                                                    double         seconds,
                                                    double        *previous,
                                                    double        *next,
                                                    GCancellable  *cancellable,
                                                    GError       **error);

/**
 * lk_video_reader_list_frame_times:
 * The time in seconds of every frame (equal to LkVideoFrame.time), in
 * presentation order, from the same index as
 * lk_video_reader_neighbour_time() (built once if needed, the reading
 * position kept; no decoding). A still picture has one.
 *
 * Returns: (transfer full): a new array of double, or %NULL with @error set
 *   (as for lk_video_reader_neighbour_time())
 */
GArray            *lk_video_reader_list_frame_times (LkVideoReader *self,
                                                     GCancellable  *cancellable,
                                                     GError       **error);

/* A container tag ("comment", "encoder", custom keys), or NULL. */
const char        *lk_video_reader_get_tag    (LkVideoReader  *self,
                                               const char     *key);

/* Packets the decoder rejected and skipped so far (damaged data). */
guint              lk_video_reader_get_skipped (LkVideoReader *self);

/* Converts a timestamp of the stream to seconds and back. */
double             lk_video_reader_pts_to_seconds (LkVideoReader *self,
                                                   gint64         pts);
gint64             lk_video_reader_seconds_to_pts (LkVideoReader *self,
                                                   double         seconds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkVideoReader, lk_video_reader_free)

G_END_DECLS
