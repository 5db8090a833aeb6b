/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-image-io"

#include "config.h"

#include "lk-image-io.h"

#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#include "lk-error.h"
#include "lk-ffmpeg-private.h"
#include "lk-video-reader.h"

/* ---- loading ------------------------------------------------------------ */

/* The whole file is read into memory and demuxed from there: pictures are
 * small, the content (not the name) picks the demuxer (jpeg_pipe, png_pipe,
 * ...), and names with '%' are not taken for image sequences. */
typedef struct
{
  const guint8 *data;
  gsize         size;
  gsize         pos;
} MemReader;

static int
mem_read (void    *opaque,
          uint8_t *buf,
          int      buf_size)
{
  MemReader *m = opaque;
  gsize n = MIN ((gsize) buf_size, m->size - m->pos);

  if (n == 0)
    return AVERROR_EOF;
  memcpy (buf, m->data + m->pos, n);
  m->pos += n;
  return (int) n;
}

static int64_t
mem_seek (void    *opaque,
          int64_t  offset,
          int      whence)
{
  MemReader *m = opaque;
  int64_t base;

  switch (whence & ~AVSEEK_FORCE)
    {
    case AVSEEK_SIZE: return (int64_t) m->size;
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = (int64_t) m->pos; break;
    case SEEK_END: base = (int64_t) m->size; break;
    default: return AVERROR (EINVAL);
    }
  if (base + offset < 0 || base + offset > (int64_t) m->size)
    return AVERROR (EINVAL);
  m->pos = (gsize) (base + offset);
  return (int64_t) m->pos;
}

typedef struct
{
  AVIOContext       *avio;
  AVFormatContext   *fmt;
  AVCodecContext    *dec;
  AVPacket          *pkt;
  AVFrame           *frame;
  struct SwsContext *sws;
} Loader;

static void
loader_clear (Loader *l)
{
  sws_freeContext (l->sws);
  av_frame_free (&l->frame);
  av_packet_free (&l->pkt);
  avcodec_free_context (&l->dec);
  avformat_close_input (&l->fmt);
  if (l->avio != NULL)
    av_freep (&l->avio->buffer);
  avio_context_free (&l->avio);
}

/* Receives one frame; 0 when one came, AVERROR(EAGAIN)/AVERROR_EOF when
 * none is ready, another error when decoding failed. */
static int
receive_one (Loader *l)
{
  int ret = avcodec_receive_frame (l->dec, l->frame);

  if (ret >= 0 && (l->frame->decode_error_flags != 0 || (l->frame->flags & AV_FRAME_FLAG_CORRUPT)))
    ret = AVERROR_INVALIDDATA;
  return ret;
}

/* Pictures are read into memory; anything larger (a video) is read from
 * the file by the video reader instead. */
#define MAX_IN_MEMORY (64 * 1024 * 1024)

static LkImage *
load_first_frame (const char  *path,
                  GError     **error)
{
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (path, NULL, error);
  g_autoptr(LkVideoFrame) frame = NULL;

  if (reader == NULL || !lk_video_reader_read (reader, &frame, NULL, error))
    return NULL;
  if (frame == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, 0, "contains no picture");
      return NULL;
    }
  return g_steal_pointer (&frame->image);
}

LkImage *
lk_image_load (const char  *path,
               GError     **error)
{
  Loader l = { NULL };
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  MemReader mem = { NULL };
  LkImage *image = NULL;
  const AVCodec *codec = NULL;
  AVStream *st;
  LkOrientation stream_orientation;
  guint8 *iobuf;
  gsize length = 0;
  gint64 file_size = 0;
  int idx, ret, decode_error = 0;
  gboolean got = FALSE;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _lk_ffmpeg_init ();

  if (!_lk_ffmpeg_check_file (path, &file_size, error))
    return NULL;
  if (file_size > MAX_IN_MEMORY)
    return load_first_frame (path, error);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_IO, path, 0, "cannot be read: %s",
                            local_error->message);
      return NULL;
    }
  if (length == 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "the file is empty (0 bytes)");
      return NULL;
    }

  mem.data = (const guint8 *) contents;
  mem.size = length;

  iobuf = av_malloc (32768);
  l.avio = avio_alloc_context (iobuf, 32768, 0, &mem, mem_read, NULL, mem_seek);
  l.fmt = avformat_alloc_context ();
  l.pkt = av_packet_alloc ();
  l.frame = av_frame_alloc ();
  if (l.avio == NULL || l.fmt == NULL || l.pkt == NULL || l.frame == NULL)
    {
      if (l.avio == NULL)
        av_free (iobuf);
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, AVERROR (ENOMEM), "cannot load");
      goto out;
    }
  l.fmt->pb = l.avio;
  l.fmt->flags |= AVFMT_FLAG_CUSTOM_IO;

  ret = avformat_open_input (&l.fmt, "", NULL, NULL);
  if (ret < 0)
    {
      /* avformat_open_input frees the context on failure. */
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0,
                            "not a picture FFmpeg can read");
      goto out;
    }

  idx = av_find_best_stream (l.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (idx == AVERROR_STREAM_NOT_FOUND)
    {
      /* Some demuxers create their streams only while probing packets. */
      if (avformat_find_stream_info (l.fmt, NULL) >= 0)
        idx = av_find_best_stream (l.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    }
  if (idx == AVERROR_DECODER_NOT_FOUND)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "no decoder for this kind of picture in this FFmpeg");
      goto out;
    }
  if (idx < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "contains no picture");
      goto out;
    }
  st = l.fmt->streams[idx];
  stream_orientation = _lk_orientation_from_matrix (_lk_stream_display_matrix (st));

  l.dec = avcodec_alloc_context3 (codec);
  if (l.dec == NULL || (ret = avcodec_parameters_to_context (l.dec, st->codecpar)) < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, AVERROR (ENOMEM), "cannot load");
      goto out;
    }
  l.dec->thread_count = 1;
  /* A damaged picture is an error, not a half-grey image. */
  l.dec->err_recognition |= AV_EF_EXPLODE;
  ret = avcodec_open2 (l.dec, codec, NULL);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, ret,
                            "cannot open the %s decoder", codec->name);
      goto out;
    }

  /* demux_decode.c's loop, stopping at the first picture. */
  while (!got)
    {
      ret = av_read_frame (l.fmt, l.pkt);
      if (ret < 0)
        break;  /* end of file, or a read error: flush below */
      if (l.pkt->stream_index == idx)
        {
          ret = avcodec_send_packet (l.dec, l.pkt);
          if (ret < 0 && ret != AVERROR (EAGAIN))
            decode_error = ret;
          else
            {
              ret = receive_one (&l);
              if (ret >= 0)
                got = TRUE;
              else if (ret != AVERROR (EAGAIN) && ret != AVERROR_EOF)
                decode_error = ret;
            }
        }
      av_packet_unref (l.pkt);
      if (decode_error != 0)
        break;
    }
  if (!got && decode_error == 0)
    {
      avcodec_send_packet (l.dec, NULL);
      ret = receive_one (&l);
      if (ret >= 0)
        got = TRUE;
      else if (ret != AVERROR_EOF && ret != AVERROR (EAGAIN))
        decode_error = ret;
    }

  if (!got)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, decode_error,
                            "the picture is damaged or truncated and cannot be decoded");
      goto out;
    }

  image = _lk_frame_to_image (&l.sws, l.frame, l.frame->width, l.frame->height, 3);
  if (image == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "cannot convert its pixel format to RGB");
      goto out;
    }
  image = _lk_image_orient (image, _lk_frame_orientation (l.frame, stream_orientation));

out:
  loader_clear (&l);
  return image;
}

/* ---- saving ------------------------------------------------------------- */

gboolean
lk_image_save_png (const LkImage  *image,
                   const char     *path,
                   GError        **error)
{
  const AVCodec *codec;
  AVCodecContext *enc = NULL;
  AVFrame *frame = NULL;
  AVPacket *pkt = NULL;
  GByteArray *bytes = NULL;
  gboolean ok = FALSE;
  int ret;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (image->channels == 1 || image->channels == 3 || image->channels == 4,
                        FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  _lk_ffmpeg_init ();

  codec = avcodec_find_encoder (AV_CODEC_ID_PNG);
  if (codec == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "this FFmpeg has no PNG encoder");
      return FALSE;
    }

  enc = avcodec_alloc_context3 (codec);
  frame = av_frame_alloc ();
  pkt = av_packet_alloc ();
  if (enc == NULL || frame == NULL || pkt == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, AVERROR (ENOMEM), "cannot encode");
      goto out;
    }

  enc->width = image->width;
  enc->height = image->height;
  enc->pix_fmt = image->channels == 1 ? AV_PIX_FMT_GRAY8
               : image->channels == 3 ? AV_PIX_FMT_RGB24
               : AV_PIX_FMT_RGBA;
  enc->time_base = (AVRational) { 1, 1 };
  enc->thread_count = 1;
  /* Measured on 256x256 face crops (tests/bench/video): "avg" prediction
   * with zlib level 2 writes files within 2% of the smallest settings, 3-4x
   * faster than the default level. */
  av_opt_set (enc->priv_data, "pred", "avg", 0);
  enc->compression_level = 2;

  ret = avcodec_open2 (enc, codec, NULL);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot open the PNG encoder");
      goto out;
    }

  /* The frame borrows the image's rows; the encoder copies what it keeps. */
  frame->format = enc->pix_fmt;
  frame->width = image->width;
  frame->height = image->height;
  frame->data[0] = image->data;
  frame->linesize[0] = (int) image->stride;

  bytes = g_byte_array_new ();
  ret = avcodec_send_frame (enc, frame);
  if (ret >= 0)
    ret = avcodec_send_frame (enc, NULL);
  while (ret >= 0)
    {
      ret = avcodec_receive_packet (enc, pkt);
      if (ret >= 0)
        {
          g_byte_array_append (bytes, pkt->data, pkt->size);
          av_packet_unref (pkt);
        }
    }
  if (ret != AVERROR_EOF)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "PNG encoding failed");
      goto out;
    }

  ok = g_file_set_contents_full (path, (const char *) bytes->data, bytes->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_ONLY_EXISTING,
                                 0666, error);

out:
  if (bytes != NULL)
    g_byte_array_unref (bytes);
  av_packet_free (&pkt);
  av_frame_free (&frame);
  avcodec_free_context (&enc);
  return ok;
}
