/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-video"

#include "config.h"

#include "lk-ffmpeg-private.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libavutil/display.h>
#include <libavutil/log.h>
#include <libavutil/pixdesc.h>

#include "lk-error.h"

/* ---- av_log -> g_log ---------------------------------------------------- */

/* FFmpeg may log one line in several calls; each thread keeps its partial
 * line until the newline arrives. */
typedef struct
{
  GString *line;
  int      print_prefix;
} LogLine;

static void
log_line_free (gpointer data)
{
  LogLine *ll = data;

  g_string_free (ll->line, TRUE);
  g_free (ll);
}

static GPrivate log_line_key = G_PRIVATE_INIT (log_line_free);

/* FFmpeg's errors and warnings are about the input it was given; the engine
 * reports those through GError, so in the log they are information, never
 * g_warning()/g_critical() (which fail tests and the studio's log checks). */
static GLogLevelFlags
map_level (int level)
{
  if (level <= AV_LOG_WARNING)
    return G_LOG_LEVEL_INFO;
  return G_LOG_LEVEL_DEBUG;
}

static void
av_log_to_glib (void       *avcl,
                int         level,
                const char *fmt,
                va_list     vl)
{
  LogLine *ll;
  char buf[1024];
  gsize len;

  if (level > av_log_get_level ())
    return;

  ll = g_private_get (&log_line_key);
  if (ll == NULL)
    {
      ll = g_new0 (LogLine, 1);
      ll->line = g_string_new (NULL);
      ll->print_prefix = 1;
      g_private_set (&log_line_key, ll);
    }

  av_log_format_line2 (avcl, level, fmt, vl, buf, sizeof buf, &ll->print_prefix);
  g_string_append (ll->line, buf);

  len = ll->line->len;
  if (len == 0 || ll->line->str[len - 1] != '\n')
    return;
  while (len > 0 && (ll->line->str[len - 1] == '\n' || ll->line->str[len - 1] == '\r'))
    len--;
  g_string_truncate (ll->line, len);
  if (len > 0)
    {
      char level_str[16];

      g_snprintf (level_str, sizeof level_str, "%d", level);
      g_log_structured ("lk-ffmpeg", map_level (level),
                        "FFMPEG_LEVEL", level_str,
                        "MESSAGE", "%s", ll->line->str);
    }
  g_string_truncate (ll->line, 0);
}

void
_lk_ffmpeg_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      /* Verbose FFmpeg output only when someone asked for our debug log. */
      if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, "lk-ffmpeg"))
        av_log_set_level (AV_LOG_WARNING);
      else
        av_log_set_level (AV_LOG_VERBOSE);
      av_log_set_callback (av_log_to_glib);
      g_once_init_leave (&initialized, 1);
    }
}

/* ---- errors ------------------------------------------------------------- */

void
_lk_ffmpeg_set_error (GError     **error,
                      int          code,
                      const char  *path,
                      int          averror,
                      const char  *format,
                      ...)
{
  g_autofree char *what = NULL;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);

  if (averror != 0)
    {
      char reason[AV_ERROR_MAX_STRING_SIZE] = "";

      av_strerror (averror, reason, sizeof reason);
      g_set_error (error, LK_ERROR, code, "%s (%s)", what, reason);
    }
  else
    {
      g_set_error_literal (error, LK_ERROR, code, what);
    }

  if (path != NULL)
    lk_error_prefix_file (error, path);
}

gboolean
_lk_ffmpeg_check_file (const char  *path,
                       gint64      *size_out,
                       GError     **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      _lk_ffmpeg_set_error (error, saved == ENOENT || saved == ENOTDIR ? LK_ERROR_NOT_FOUND
                                                                        : LK_ERROR_IO,
                            path, 0, "%s", saved == ENOENT ? "no such file" : g_strerror (saved));
      return FALSE;
    }
  if (S_ISDIR (st.st_mode))
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "is a folder, not a file");
      return FALSE;
    }
  if (g_access (path, R_OK) != 0)
    {
      int saved = errno;

      _lk_ffmpeg_set_error (error, LK_ERROR_IO, path, 0, "cannot be read: %s",
                            g_strerror (saved));
      return FALSE;
    }
  if (S_ISREG (st.st_mode) && st.st_size == 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "the file is empty (0 bytes)");
      return FALSE;
    }

  if (size_out != NULL)
    *size_out = st.st_size;
  return TRUE;
}

/* ---- version differences ------------------------------------------------ */

const int32_t *
_lk_stream_display_matrix (const AVStream *stream)
{
  const uint8_t *data = NULL;
  size_t size = 0;

#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT (60, 31, 100)
  const AVPacketSideData *sd;

  sd = av_packet_side_data_get (stream->codecpar->coded_side_data,
                                stream->codecpar->nb_coded_side_data,
                                AV_PKT_DATA_DISPLAYMATRIX);
  if (sd != NULL)
    {
      data = sd->data;
      size = sd->size;
    }
#else
  data = av_stream_get_side_data (stream, AV_PKT_DATA_DISPLAYMATRIX, &size);
#endif

  if (data == NULL || size < 9 * sizeof (int32_t))
    return NULL;
  return (const int32_t *) data;
}

gint64
_lk_frame_duration (const AVFrame *frame)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (57, 30, 100)
  return frame->duration;
#else
  return frame->pkt_duration;
#endif
}

gboolean
_lk_frame_is_key (const AVFrame *frame)
{
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT (58, 7, 100)
  return (frame->flags & AV_FRAME_FLAG_KEY) != 0;
#else
  return frame->key_frame != 0;
#endif
}

/* ---- orientation -------------------------------------------------------- */

/* The same reading of the matrix as the ffmpeg command line's autorotate
 * (fftools/ffmpeg_filter.c), so that our pictures match what it shows. */
LkOrientation
_lk_orientation_from_matrix (const int32_t *matrix)
{
  double theta;

  if (matrix == NULL)
    return _LK_ORIENT_NORMAL;

  theta = -round (av_display_rotation_get (matrix));
  if (isnan (theta))
    return _LK_ORIENT_NORMAL;
  theta -= 360 * floor (theta / 360 + 0.9 / 360);

  if (fabs (theta - 90) < 1.0)
    return matrix[3] > 0 ? _LK_ORIENT_TRANSPOSE : _LK_ORIENT_ROTATE_90;
  if (fabs (theta - 270) < 1.0)
    return matrix[3] < 0 ? _LK_ORIENT_TRANSVERSE : _LK_ORIENT_ROTATE_270;
  if (fabs (theta - 180) < 1.0)
    {
      gboolean h = matrix[0] < 0, v = matrix[4] < 0;

      if (h && v)
        return _LK_ORIENT_ROTATE_180;
      if (h)
        return _LK_ORIENT_FLIP_H;
      if (v)
        return _LK_ORIENT_FLIP_V;
      return _LK_ORIENT_NORMAL;
    }
  if (fabs (theta) < 1.0)
    return matrix[4] < 0 ? _LK_ORIENT_FLIP_V : _LK_ORIENT_NORMAL;

  g_debug ("display matrix rotates by %.1f degrees; only multiples of 90 are applied", theta);
  return _LK_ORIENT_NORMAL;
}

int
_lk_orientation_degrees (LkOrientation orientation)
{
  switch (orientation)
    {
    case _LK_ORIENT_ROTATE_90:
    case _LK_ORIENT_TRANSVERSE:
      return 90;
    case _LK_ORIENT_ROTATE_180:
      return 180;
    case _LK_ORIENT_ROTATE_270:
    case _LK_ORIENT_TRANSPOSE:
      return 270;
    case _LK_ORIENT_NORMAL:
    case _LK_ORIENT_FLIP_H:
    case _LK_ORIENT_FLIP_V:
    default:
      return 0;
    }
}

gboolean
_lk_orientation_swaps_axes (LkOrientation orientation)
{
  return orientation >= _LK_ORIENT_TRANSPOSE && orientation <= _LK_ORIENT_ROTATE_270;
}

LkOrientation
_lk_frame_orientation (const AVFrame *frame,
                       LkOrientation  fallback)
{
  AVFrameSideData *sd;
  AVDictionaryEntry *tag;

  sd = av_frame_get_side_data (frame, AV_FRAME_DATA_DISPLAYMATRIX);
  if (sd != NULL && sd->size >= 9 * sizeof (int32_t))
    return _lk_orientation_from_matrix ((const int32_t *) sd->data);

  /* The JPEG and PNG decoders put EXIF tags into the frame's metadata. */
  tag = av_dict_get (frame->metadata, "Orientation", NULL, 0);
  if (tag != NULL)
    {
      gint64 v = g_ascii_strtoll (tag->value, NULL, 10);

      if (v >= 1 && v <= 8)
        return (LkOrientation) v;
    }

  return fallback;
}

/* Where the stored pixel (x, y) of a w x h picture lands in the shown one. */
static inline void
orient_point (LkOrientation o,
              int           w,
              int           h,
              int           x,
              int           y,
              int          *ox,
              int          *oy)
{
  switch (o)
    {
    case _LK_ORIENT_FLIP_H:      *ox = w - 1 - x; *oy = y; break;
    case _LK_ORIENT_ROTATE_180:  *ox = w - 1 - x; *oy = h - 1 - y; break;
    case _LK_ORIENT_FLIP_V:      *ox = x; *oy = h - 1 - y; break;
    case _LK_ORIENT_TRANSPOSE:   *ox = y; *oy = x; break;
    case _LK_ORIENT_ROTATE_90:   *ox = h - 1 - y; *oy = x; break;
    case _LK_ORIENT_TRANSVERSE:  *ox = h - 1 - y; *oy = w - 1 - x; break;
    case _LK_ORIENT_ROTATE_270:  *ox = y; *oy = w - 1 - x; break;
    case _LK_ORIENT_NORMAL:
    default:                     *ox = x; *oy = y; break;
    }
}

LkImage *
_lk_image_orient (LkImage       *image,
                  LkOrientation  orientation)
{
  LkImage *out;
  int w = image->width, h = image->height, c = image->channels;

  if (orientation == _LK_ORIENT_NORMAL || orientation < 1 || orientation > 8)
    return image;

  if (_lk_orientation_swaps_axes (orientation))
    out = lk_image_new (h, w, c);
  else
    out = lk_image_new (w, h, c);

  for (int y = 0; y < h; y++)
    {
      const guint8 *src = lk_image_row (image, y);
      int ox0, oy0, ox1, oy1;
      gssize step;
      guint8 *dst;

      /* Along a source row the destination moves by a constant step. */
      orient_point (orientation, w, h, 0, y, &ox0, &oy0);
      if (w > 1)
        {
          orient_point (orientation, w, h, 1, y, &ox1, &oy1);
          step = (gssize) (oy1 - oy0) * (gssize) out->stride + (gssize) (ox1 - ox0) * c;
        }
      else
        {
          step = 0;
        }
      dst = lk_image_pixel (out, ox0, oy0);

      if (c == 3)
        for (int x = 0; x < w; x++, src += 3, dst += step)
          {
            dst[0] = src[0];
            dst[1] = src[1];
            dst[2] = src[2];
          }
      else
        for (int x = 0; x < w; x++, src += c, dst += step)
          memcpy (dst, src, c);
    }

  lk_image_free (image);
  return out;
}

/* ---- conversion --------------------------------------------------------- */

void
_lk_fit_size (int  width,
              int  height,
              int  max_width,
              int  max_height,
              int *out_width,
              int *out_height)
{
  double scale = 1.0;

  if (max_width > 0 && width > max_width)
    scale = MIN (scale, (double) max_width / width);
  if (max_height > 0 && height > max_height)
    scale = MIN (scale, (double) max_height / height);

  *out_width = MAX (1, (int) lround (width * scale));
  *out_height = MAX (1, (int) lround (height * scale));
  if (max_width > 0)
    *out_width = MIN (*out_width, MAX (max_width, 1));
  if (max_height > 0)
    *out_height = MIN (*out_height, MAX (max_height, 1));
}

/* The full-range "J" formats are deprecated in swscale (it warns); use the
 * plain ones and pass the range explicitly. */
static enum AVPixelFormat
unjpeg_format (enum AVPixelFormat fmt,
               gboolean          *full_range)
{
  switch (fmt)
    {
    case AV_PIX_FMT_YUVJ420P: *full_range = TRUE; return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P: *full_range = TRUE; return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P: *full_range = TRUE; return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P: *full_range = TRUE; return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P: *full_range = TRUE; return AV_PIX_FMT_YUV411P;
    default: return fmt;
    }
}

LkImage *
_lk_frame_to_image (struct SwsContext **sws,
                    const AVFrame      *frame,
                    int                 width,
                    int                 height,
                    int                 channels)
{
  enum AVPixelFormat src_fmt, dst_fmt;
  const AVPixFmtDescriptor *desc;
  gboolean full_range = FALSE;
  g_autoptr(LkImage) image = NULL;
  uint8_t *dst_data[4] = { NULL };
  int dst_linesize[4] = { 0 };
  int flags;

  g_assert (channels == 1 || channels == 3 || channels == 4);

  src_fmt = unjpeg_format (frame->format, &full_range);
  if (frame->color_range == AVCOL_RANGE_JPEG)
    full_range = TRUE;
  desc = av_pix_fmt_desc_get (src_fmt);
  if (desc == NULL)
    return NULL;
  dst_fmt = channels == 1 ? AV_PIX_FMT_GRAY8 : channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGBA;

  flags = SWS_BILINEAR;
  if (width == frame->width && height == frame->height)
    flags = SWS_POINT;  /* no resampling of luma; swscale picks its fast paths */

  *sws = sws_getCachedContext (*sws, frame->width, frame->height, src_fmt,
                               width, height, dst_fmt, flags, NULL, NULL, NULL);
  if (*sws == NULL)
    return NULL;

  if (!(desc->flags & AV_PIX_FMT_FLAG_RGB) && desc->nb_components >= 3)
    {
      int cs = frame->colorspace;

      /* Unspecified: BT.709 for HD, BT.601 for SD, as players guess. */
      if (cs == AVCOL_SPC_UNSPECIFIED || cs == AVCOL_SPC_RESERVED)
        cs = frame->height >= 720 ? SWS_CS_ITU709 : SWS_CS_DEFAULT;
      sws_setColorspaceDetails (*sws, sws_getCoefficients (cs), full_range,
                                sws_getCoefficients (SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    }
  else if (!(desc->flags & AV_PIX_FMT_FLAG_RGB) && frame->color_range == AVCOL_RANGE_MPEG)
    {
      /* Grey is full range unless the file says otherwise. */
      sws_setColorspaceDetails (*sws, sws_getCoefficients (SWS_CS_DEFAULT), 0,
                                sws_getCoefficients (SWS_CS_DEFAULT), 1, 0, 1 << 16, 1 << 16);
    }

  image = lk_image_new (width, height, channels);
  dst_data[0] = image->data;
  dst_linesize[0] = (int) image->stride;

  if (sws_scale (*sws, (const uint8_t * const *) frame->data, frame->linesize, 0, frame->height,
                 dst_data, dst_linesize) <= 0)
    return NULL;

  return g_steal_pointer (&image);
}
