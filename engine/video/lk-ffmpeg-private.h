/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Package-private helpers shared by the image loader, the video reader and
 * the writer of engine/video: the av_log -> g_log bridge, error messages,
 * frame -> RGB conversion and display orientation. Not installed. */

#include <glib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "lk-image.h"

G_BEGIN_DECLS

/* The eight orientations of EXIF (1..8). LK_ORIENT_ROTATE_90 means the stored
 * picture is shown turned 90 degrees clockwise. */
typedef enum
{
  _LK_ORIENT_NORMAL = 1,
  _LK_ORIENT_FLIP_H = 2,
  _LK_ORIENT_ROTATE_180 = 3,
  _LK_ORIENT_FLIP_V = 4,
  _LK_ORIENT_TRANSPOSE = 5,
  _LK_ORIENT_ROTATE_90 = 6,
  _LK_ORIENT_TRANSVERSE = 7,
  _LK_ORIENT_ROTATE_270 = 8,
} LkOrientation;

/* Installs the av_log -> g_log bridge (log domain "lk-ffmpeg") once. Every
 * public entry point of engine/video calls it. */
void           _lk_ffmpeg_init               (void);

/* Sets @error in LK_ERROR with @code; the message is "<file>: <what>: <FFmpeg's
 * reason>" (the reason only when @averror is not 0). */
void           _lk_ffmpeg_set_error          (GError       **error,
                                              int            code,
                                              const char    *path,
                                              int            averror,
                                              const char    *format,
                                              ...) G_GNUC_PRINTF (5, 6);

/* Checks that @path names a readable, non-empty regular file; sets @error
 * (LK_ERROR_NOT_FOUND, LK_ERROR_IO or LK_ERROR_INVALID_INPUT) otherwise. */
gboolean       _lk_ffmpeg_check_file         (const char    *path,
                                              gint64        *size_out,
                                              GError       **error);

/* The stream's display matrix (rotation metadata), or NULL. */
const int32_t *_lk_stream_display_matrix     (const AVStream *stream);

/* Version-independent accessors (fields renamed in FFmpeg 6 and 7). */
gint64         _lk_frame_duration            (const AVFrame *frame);
gboolean       _lk_frame_is_key              (const AVFrame *frame);

/* Orientation from a 3x3 display matrix (stream or frame side data). NULL
 * gives NORMAL. */
LkOrientation  _lk_orientation_from_matrix   (const int32_t *matrix);
/* The clockwise rotation (0, 90, 180, 270) contained in @orientation. */
int            _lk_orientation_degrees       (LkOrientation  orientation);
gboolean       _lk_orientation_swaps_axes    (LkOrientation  orientation);
/* Orientation of a decoded frame: its display matrix, else its EXIF
 * "Orientation" tag, else @fallback (from the stream). */
LkOrientation  _lk_frame_orientation         (const AVFrame *frame,
                                              LkOrientation  fallback);

/* Returns @image turned to @orientation: @image itself (NORMAL) or a new
 * image, freeing @image. */
LkImage       *_lk_image_orient              (LkImage       *image,
                                              LkOrientation  orientation);

/* Converts @frame to an 8-bit image with @channels (1, 3 or 4) of
 * @width x @height (the stored, unrotated size), reusing *@sws. */
LkImage       *_lk_frame_to_image            (struct SwsContext **sws,
                                              const AVFrame  *frame,
                                              int             width,
                                              int             height,
                                              int             channels);

/* Fits @width x @height inside @max_width x @max_height (<= 0: no limit),
 * keeping the aspect ratio; never enlarges. Results are at least 1. */
void           _lk_fit_size                  (int            width,
                                              int            height,
                                              int            max_width,
                                              int            max_height,
                                              int           *out_width,
                                              int           *out_height);

G_END_DECLS
