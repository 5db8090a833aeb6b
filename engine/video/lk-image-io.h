/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-image.h"

G_BEGIN_DECLS

/*
 * Still image files through FFmpeg.
 *
 * Threading: both functions may be called from any thread at the same time;
 * they share no state (beyond FFmpeg's log bridge, installed once).
 */

/**
 * lk_image_load:
 * @path: a file FFmpeg can decode as a picture (JPEG, PNG in grey, RGB, RGBA
 *   or 16 bits, BMP, TIFF, WebP, GIF, ...; for a video file, its first frame;
 *   files up to 64 MB are read into memory, larger ones streamed)
 * @error: return location for a #GError
 *
 * Loads @path as an 8-bit, 3-channel RGB image. Alpha is dropped and 16-bit
 * samples are reduced to 8 bits. The EXIF orientation (JPEG) or display
 * matrix is applied, so the picture comes out the way viewers show it.
 *
 * Errors (%LK_ERROR domain, the message names the file): %LK_ERROR_NOT_FOUND
 * for a missing file, %LK_ERROR_IO when it cannot be read,
 * %LK_ERROR_INVALID_INPUT for an empty file or one that is not a picture,
 * %LK_ERROR_CORRUPT for a damaged or truncated one, %LK_ERROR_UNSUPPORTED for
 * a format this FFmpeg cannot decode.
 *
 * Returns: (transfer full): the image, or %NULL with @error set
 */
LkImage  *lk_image_load     (const char     *path,
                             GError        **error);

/**
 * lk_image_save_png:
 * @image: a 1 (grey), 3 (RGB) or 4 (RGBA) channel image
 * @path: where to write it
 * @error: return location for a #GError
 *
 * Writes @image as a PNG with FFmpeg's encoder. The file is written to a
 * temporary file in the same folder and renamed over @path, so @path never
 * holds a partial picture.
 *
 * Returns: %TRUE on success; %FALSE with @error set (G_FILE_ERROR for the
 *   file system, %LK_ERROR otherwise; the message names the file)
 */
gboolean  lk_image_save_png (const LkImage  *image,
                             const char     *path,
                             GError        **error);

G_END_DECLS
