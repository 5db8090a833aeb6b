/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-image.h"

G_BEGIN_DECLS

/*
 * LkVideoWriter: encodes RGB frames into a video file with libavcodec /
 * libavformat, with the source's audio and provenance metadata.
 *
 * A plain opaque struct (_new/_free), like LkVideoReader: a handle on an
 * output file used by one worker thread at a time.
 *
 * Timestamps: each frame is written with an explicit pts in the time base
 * given in the parameters (use the source stream's, from LkVideoInfo), so a
 * variable frame rate stays variable and the output's timestamps are the
 * source's. MP4 and MOV keep the time base; Matroska and WebM store
 * milliseconds, so there timestamps are rounded to 1 ms.
 *
 * The file is written under a temporary name in the same folder,
 * "<name>.partial-XXXXXX.<ext>", and renamed to its final name only when
 * lk_video_writer_finish() succeeds. lk_video_writer_abort(), a failed
 * finish, or freeing an unfinished writer delete the temporary file: a
 * partial output never exists under the final name.
 */

typedef struct _LkVideoWriter LkVideoWriter;

typedef enum
{
  LK_VIDEO_AUDIO_AUTO,  /* copy the source's audio packets when the container takes
                         * its codec, else re-encode (Opus for WebM, AAC otherwise) */
  LK_VIDEO_AUDIO_COPY,  /* copy only; an error if the container cannot hold it */
  LK_VIDEO_AUDIO_ENCODE,/* always re-encode */
  LK_VIDEO_AUDIO_NONE,  /* no audio */
} LkVideoAudioMode;

/**
 * LkVideoWriterParams:
 * @width, @height: size of the frames (even numbers: the output is yuv420p)
 * @time_base_num, @time_base_den: unit of the pts passed to
 *   lk_video_writer_write(); use the source stream's
 * @frame_rate: nominal rate, a hint for the encoder's rate control (0: none)
 * @encoder: "libx264" (default for mp4/mkv/mov), "libx265", "libvpx-vp9"
 *   (default for webm); NULL picks the default for the container
 * @crf: constant quality (lower is better; -1: the encoder's default)
 * @preset: x264/x265 speed preset ("ultrafast" ... "veryslow"); for VP9 it
 *   is mapped onto cpu-used. NULL: "medium"
 * @audio_source: file whose audio stream goes into the output (usually the
 *   source video), or NULL for none
 * @audio_mode: see #LkVideoAudioMode
 * @audio_start, @audio_end: the part of @audio_source's audio that goes into
 *   the output, in seconds of the source (timestamps are kept, as the
 *   frames' are); < 0: from the beginning / to the end (the default). Copied
 *   audio keeps the whole packets that overlap the window and drops the
 *   others; re-encoded audio is cut to the sample at its edges.
 * @metadata: NULL-terminated key, value, key, value, ... list of container
 *   tags ("comment", "encoder", custom keys). MP4/MOV are written with
 *   movflags use_metadata_tags so custom keys survive.
 */
typedef struct
{
  int                 width;
  int                 height;
  int                 time_base_num;
  int                 time_base_den;
  double              frame_rate;
  const char         *encoder;
  int                 crf;
  const char         *preset;
  const char         *audio_source;
  LkVideoAudioMode    audio_mode;
  double              audio_start;
  double              audio_end;
  const char * const *metadata;
} LkVideoWriterParams;

LkVideoWriterParams lk_video_writer_params_default (void);

/* The video encoders of the list above that this FFmpeg has, in that order
 * (NULL-terminated; free with g_strfreev). */
char          **lk_video_writer_list_encoders (void);

/**
 * lk_video_writer_new:
 * Creates the temporary file next to @path and writes the header. The
 * container follows @path's extension (mp4, mkv, webm, mov).
 * Errors (message names the file): %LK_ERROR_INVALID_INPUT for bad
 * parameters or an unknown extension, %LK_ERROR_UNSUPPORTED for a missing
 * encoder or a codec the container cannot hold, %LK_ERROR_IO when the file
 * cannot be created, errors of LkVideoReader for a bad @audio_source.
 */
LkVideoWriter  *lk_video_writer_new          (const char                *path,
                                              const LkVideoWriterParams *params,
                                              GError                   **error);

/**
 * lk_video_writer_write:
 * @image: RGB (3 channels) or RGBA (alpha ignored), of the writer's size
 * @pts: the frame's timestamp in the writer's time base; strictly increasing
 */
gboolean        lk_video_writer_write        (LkVideoWriter    *self,
                                              const LkImage    *image,
                                              gint64            pts,
                                              GCancellable     *cancellable,
                                              GError          **error);

/* Flushes the encoder, writes the rest of the audio and the trailer, and
 * renames the file to its final name. On failure the temporary file is
 * deleted. The writer can only be freed afterwards. */
gboolean        lk_video_writer_finish       (LkVideoWriter    *self,
                                              GCancellable     *cancellable,
                                              GError          **error);

/**
 * lk_video_writer_set_audio_window:
 * Changes @audio_start and @audio_end of the parameters, for a caller that
 * learns a range's times from its frames. The audio moves into the output
 * along with the frames (up to each frame's timestamp, the rest at finish):
 * @start counts when it is set before the first frame, @end for the audio
 * not yet written.
 */
void            lk_video_writer_set_audio_window (LkVideoWriter *self,
                                                  double         start,
                                                  double         end);

/* Stops writing and deletes the temporary file. */
void            lk_video_writer_abort        (LkVideoWriter    *self);

/* Aborts first if neither finish nor abort was called. */
void            lk_video_writer_free         (LkVideoWriter    *self);

/* Where the file is being written until finish (NULL afterwards). */
const char     *lk_video_writer_get_temp_path (LkVideoWriter   *self);
/* "copy", "encode" or "none": what happens to the audio. */
const char     *lk_video_writer_get_audio_action (LkVideoWriter *self);
guint64         lk_video_writer_get_frames_written (LkVideoWriter *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkVideoWriter, lk_video_writer_free)

G_END_DECLS
