/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-video-reader"

#include "config.h"

#include "lk-video-reader.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/mathematics.h>
#include <libavutil/pixdesc.h>

#include "lk-error.h"
#include "lk-ffmpeg-private.h"

struct _LkVideoReader
{
  LkVideoInfo        info;

  AVFormatContext   *fmt;
  AVCodecContext    *dec;
  AVStream          *st;
  int                video_idx;
  AVPacket          *pkt;
  AVFrame           *frame;
  struct SwsContext *sws;
  LkOrientation      orientation;    /* of the stream; frames may override */
  int                max_width;
  int                max_height;

  /* Frames decoded ahead of the reading position (by a seek, or by open()
   * for still pictures), returned by the next reads, oldest first. */
  AVFrame           *queue[2];
  int                n_queued;

  gboolean           draining;       /* NULL packet sent */
  gboolean           ended;          /* end of stream (or its error) reported */
  int                read_error;     /* av_read_frame's last error besides EOF */
  guint              corrupt_packets;
  guint              skipped;
  gint64             packet_end;     /* largest pts + duration of the packets read */

  gint64             next_index;     /* index of the next frame read; -1 unknown */
  gint64             last_pts;       /* of the last frame returned */
  gint64             frames_decoded; /* since open or the last seek */

  AVFrame           *still;          /* a still picture's one frame, kept for seeks */

  GArray            *pts_table;      /* gint64, sorted: every frame's pts */
  GArray            *key_table;      /* gint64, sorted: the keyframes' pts */
  gboolean           pts_table_done;
  gboolean           pts_table_valid;
};

void
lk_video_frame_free (LkVideoFrame *frame)
{
  if (frame == NULL)
    return;
  lk_image_free (frame->image);
  g_free (frame);
}

static void
info_clear (LkVideoInfo *info)
{
  g_free (info->path);
  g_free (info->format);
  g_free (info->codec);
  g_free (info->audio_codec);
}

void
lk_video_reader_free (LkVideoReader *self)
{
  if (self == NULL)
    return;

  /* One cleanup path for every state the reader can be in. */
  sws_freeContext (self->sws);
  av_frame_free (&self->queue[0]);
  av_frame_free (&self->queue[1]);
  av_frame_free (&self->still);
  av_frame_free (&self->frame);
  av_packet_free (&self->pkt);
  avcodec_free_context (&self->dec);
  avformat_close_input (&self->fmt);
  if (self->pts_table != NULL)
    g_array_unref (self->pts_table);
  if (self->key_table != NULL)
    g_array_unref (self->key_table);
  info_clear (&self->info);
  g_free (self);
}

static double
rational_to_double (AVRational r)
{
  return r.den != 0 && r.num != 0 ? av_q2d (r) : 0.0;
}

double
lk_video_reader_pts_to_seconds (LkVideoReader *self,
                                gint64         pts)
{
  g_return_val_if_fail (self != NULL, 0);

  return pts * av_q2d (self->st->time_base);
}

gint64
lk_video_reader_seconds_to_pts (LkVideoReader *self,
                                double         seconds)
{
  g_return_val_if_fail (self != NULL, 0);

  return llround (seconds / av_q2d (self->st->time_base));
}

/* ---- opening -------------------------------------------------------------- */

/* Why avformat_open_input() failed: a file some demuxer recognises from its
 * content is damaged (a cut MP4 whose index was at the end, ...); anything
 * else is simply not a video. */
static void
set_open_error (GError     **error,
                const char  *path,
                int          averror)
{
  const AVInputFormat *guess = NULL;
  guint8 buf[4096 + AVPROBE_PADDING_SIZE] = { 0 };
  AVProbeData pd = { 0 };
  int score = 0;
  gssize n = 0;
  FILE *f;

  f = fopen (path, "rb");
  if (f != NULL)
    {
      n = (gssize) fread (buf, 1, 4096, f);
      fclose (f);
    }
  if (n > 0)
    {
      pd.filename = "";
      pd.buf = buf;
      pd.buf_size = (int) n;
      guess = av_probe_input_format3 (&pd, TRUE, &score);
    }

  if (guess != NULL && score >= AVPROBE_SCORE_MAX / 4)
    _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, averror,
                          "looks like %s but is damaged or truncated",
                          guess->long_name ? guess->long_name : guess->name);
  else
    _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0,
                          "not a video or picture FFmpeg can read");
}

/* Seconds of a stream: its duration, else the "DURATION" tag Matroska
 * writes ("00:00:06.577000000"); -1 when neither is there. */
static double
stream_duration (const AVStream *st)
{
  AVDictionaryEntry *tag;
  unsigned h, m;
  double sec;

  if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
    return st->duration * av_q2d (st->time_base);
  tag = av_dict_get (st->metadata, "DURATION", NULL, 0);
  if (tag != NULL && sscanf (tag->value, "%u:%u:%lf", &h, &m, &sec) == 3)
    return h * 3600.0 + m * 60.0 + sec;
  return -1;
}

static gboolean
is_still_image_format (const AVInputFormat *iformat,
                       const AVStream      *st)
{
  const AVCodecDescriptor *desc;

  if (g_str_equal (iformat->name, "image2") || g_str_has_suffix (iformat->name, "_pipe"))
    return TRUE;
  /* A single-picture stream in any container. */
  desc = avcodec_descriptor_get (st->codecpar->codec_id);
  return st->nb_frames == 1 && desc != NULL && (desc->props & AV_CODEC_PROP_INTRA_ONLY);
}

static void decode_ahead (LkVideoReader *self);

LkVideoReader *
lk_video_reader_open (const char    *path,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(LkVideoReader) self = NULL;
  g_autofree char *url = NULL;
  AVDictionary *opts = NULL;
  const AVCodec *codec = NULL;
  const AVCodecDescriptor *desc;
  AVCodecParameters *par;
  LkVideoInfo *info;
  int ret, audio_idx;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _lk_ffmpeg_init ();

  if (!_lk_ffmpeg_check_file (path, NULL, error))
    return NULL;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_new0 (LkVideoReader, 1);
  self->video_idx = -1;
  self->next_index = 0;
  self->last_pts = AV_NOPTS_VALUE;
  self->packet_end = AV_NOPTS_VALUE;
  self->info.path = g_strdup (path);

  /* An absolute path is never taken for a protocol ("a:b.mp4"); image
   * sequence patterns ("%03d") are off: one name is one file. */
  url = g_canonicalize_filename (path, NULL);
  av_dict_set (&opts, "pattern_type", "none", 0);
  ret = avformat_open_input (&self->fmt, url, NULL, &opts);
  av_dict_free (&opts);
  if (ret < 0)
    {
      set_open_error (error, path, ret);
      return NULL;
    }
  /* The "tty" demuxer shows any .txt file as ANSI art; that is not a video. */
  if (g_str_equal (self->fmt->iformat->name, "tty"))
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0,
                            "a text file, not a video or picture");
      return NULL;
    }

  ret = avformat_find_stream_info (self->fmt, NULL);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, ret,
                            "damaged: its streams cannot be read");
      return NULL;
    }

  ret = av_find_best_stream (self->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (ret == AVERROR_DECODER_NOT_FOUND)
    {
      int idx = av_find_best_stream (self->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);

      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "no decoder for its video codec (%s) in this FFmpeg",
                            idx >= 0 ? avcodec_get_name (self->fmt->streams[idx]->codecpar->codec_id)
                                     : "unknown");
      return NULL;
    }
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "contains no video");
      return NULL;
    }
  self->video_idx = ret;
  self->st = self->fmt->streams[ret];
  par = self->st->codecpar;
  if (par->width <= 0 || par->height <= 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, 0,
                            "damaged: the size of its pictures is unknown");
      return NULL;
    }

  /* Only the video stream is demuxed; the others are skipped cheaply. */
  for (unsigned i = 0; i < self->fmt->nb_streams; i++)
    if ((int) i != self->video_idx)
      self->fmt->streams[i]->discard = AVDISCARD_ALL;

  self->dec = avcodec_alloc_context3 (codec);
  self->pkt = av_packet_alloc ();
  self->frame = av_frame_alloc ();
  self->queue[0] = av_frame_alloc ();
  self->queue[1] = av_frame_alloc ();
  if (self->dec == NULL || self->pkt == NULL || self->frame == NULL || self->queue[0] == NULL
      || self->queue[1] == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, AVERROR (ENOMEM), "cannot open");
      return NULL;
    }
  ret = avcodec_parameters_to_context (self->dec, par);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot open");
      return NULL;
    }
  self->dec->pkt_timebase = self->st->time_base;
  self->dec->thread_count = 0;  /* one per core */
  self->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  ret = avcodec_open2 (self->dec, codec, NULL);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, ret,
                            "cannot open the %s decoder", codec->name);
      return NULL;
    }

  self->orientation = _lk_orientation_from_matrix (_lk_stream_display_matrix (self->st));

  /* ---- what we know ---- */
  info = &self->info;
  info->format = g_strdup (self->fmt->iformat->name);
  info->codec = g_strdup (avcodec_get_name (par->codec_id));
  info->coded_width = par->width;
  info->coded_height = par->height;
  info->time_base_num = self->st->time_base.num;
  info->time_base_den = self->st->time_base.den;
  info->start_pts = self->st->start_time != AV_NOPTS_VALUE ? self->st->start_time : 0;
  info->frame_rate_num = self->st->avg_frame_rate.num;
  info->frame_rate_den = self->st->avg_frame_rate.den;
  info->nominal_frame_rate_num = self->st->r_frame_rate.num;
  info->nominal_frame_rate_den = self->st->r_frame_rate.den;
  info->frame_rate = rational_to_double (self->st->avg_frame_rate);
  info->nominal_frame_rate = rational_to_double (self->st->r_frame_rate);
  info->n_frames = self->st->nb_frames > 0 ? self->st->nb_frames : -1;
  info->duration = stream_duration (self->st);
  if (info->duration > 0)
    ;
  else if (self->fmt->duration != AV_NOPTS_VALUE && self->fmt->duration > 0)
    info->duration = self->fmt->duration / (double) AV_TIME_BASE;
  else
    info->duration = -1;

  info->is_still_image = is_still_image_format (self->fmt->iformat, self->st);
  if (info->is_still_image)
    {
      info->n_frames = 1;
      info->variable_frame_rate = FALSE;
    }
  else if (info->frame_rate > 0 && info->nominal_frame_rate > 0)
    {
      /* The header's average (frames / duration) against the stream's base
       * rate: equal for constant rate, apart for variable. */
      info->variable_frame_rate =
        fabs (info->frame_rate - info->nominal_frame_rate) > 0.01 * info->nominal_frame_rate;
    }

  audio_idx = av_find_best_stream (self->fmt, AVMEDIA_TYPE_AUDIO, -1, self->video_idx, NULL, 0);
  if (audio_idx >= 0)
    {
      AVStream *ast = self->fmt->streams[audio_idx];

      info->has_audio = TRUE;
      info->audio_codec = g_strdup (avcodec_get_name (ast->codecpar->codec_id));
      info->audio_sample_rate = ast->codecpar->sample_rate;
      info->audio_channels = ast->codecpar->ch_layout.nb_channels;
      info->audio_duration = stream_duration (ast);
    }

  desc = avcodec_descriptor_get (par->codec_id);
  g_debug ("%s: %s %s %dx%d, %d/%d s time base, %.3f fps (nominal %.3f)%s",
           path, info->format, desc ? desc->name : "?", par->width, par->height,
           info->time_base_num, info->time_base_den, info->frame_rate, info->nominal_frame_rate,
           info->variable_frame_rate ? ", variable" : "");

  /* A picture's orientation lives in its EXIF data, seen only once it is
   * decoded: decode it now and keep it for the first read. */
  if (info->is_still_image)
    {
      decode_ahead (self);
      if (self->n_queued == 0)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, path, self->read_error,
                                "the picture is damaged or truncated and cannot be decoded");
          return NULL;
        }
      self->orientation = _lk_frame_orientation (self->queue[0], self->orientation);
      self->still = av_frame_clone (self->queue[0]);
      /* Nothing more to read: the next read after the picture is the end. */
      self->ended = TRUE;
    }

  info->rotation = _lk_orientation_degrees (self->orientation);
  if (_lk_orientation_swaps_axes (self->orientation))
    {
      info->width = par->height;
      info->height = par->width;
    }
  else
    {
      info->width = par->width;
      info->height = par->height;
    }

  return g_steal_pointer (&self);
}

const LkVideoInfo *
lk_video_reader_get_info (LkVideoReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return &self->info;
}

void
lk_video_reader_set_max_size (LkVideoReader *self,
                              int            max_width,
                              int            max_height)
{
  g_return_if_fail (self != NULL);

  self->max_width = MAX (0, max_width);
  self->max_height = MAX (0, max_height);
}

const char *
lk_video_reader_get_tag (LkVideoReader *self,
                         const char    *key)
{
  AVDictionaryEntry *e;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  e = av_dict_get (self->fmt->metadata, key, NULL, 0);
  return e != NULL ? e->value : NULL;
}

guint
lk_video_reader_get_skipped (LkVideoReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->skipped;
}

/* ---- decoding ------------------------------------------------------------- */

/* demux_decode.c's loop, one frame at a time: fills self->frame and returns
 * 1, returns 0 at the end of the stream, -1 when cancelled. Damaged packets
 * are skipped and counted; read errors end the stream and are remembered. */
static int
decode_next (LkVideoReader *self,
             GCancellable  *cancellable,
             GError       **error)
{
  for (;;)
    {
      int ret;

      ret = avcodec_receive_frame (self->dec, self->frame);
      if (ret >= 0)
        {
          self->frames_decoded++;
          return 1;
        }
      if (ret == AVERROR_EOF)
        return 0;
      if (ret != AVERROR (EAGAIN))
        {
          /* A frame the decoder gave up on (frame threads report errors
           * here): skip it. */
          self->skipped++;
          g_debug ("%s: a damaged frame was skipped", self->info.path);
          continue;
        }
      if (self->draining)
        return 0;  /* not reached: a draining decoder ends with EOF */

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return -1;

      ret = av_read_frame (self->fmt, self->pkt);
      if (ret < 0)
        {
          if (ret != AVERROR_EOF)
            self->read_error = ret;
          /* Flush: a NULL packet makes the decoder return what it holds. */
          avcodec_send_packet (self->dec, NULL);
          self->draining = TRUE;
          continue;
        }

      if (self->pkt->stream_index == self->video_idx)
        {
          if (self->pkt->flags & AV_PKT_FLAG_CORRUPT)
            self->corrupt_packets++;
          if (self->pkt->pts != AV_NOPTS_VALUE)
            {
              gint64 end = self->pkt->pts + MAX (self->pkt->duration, 0);

              if (self->packet_end == AV_NOPTS_VALUE || end > self->packet_end)
                self->packet_end = end;
            }

          /* Every frame was received above, so the decoder takes it. */
          ret = avcodec_send_packet (self->dec, self->pkt);
          if (ret < 0 && ret != AVERROR (EAGAIN) && ret != AVERROR_EOF)
            {
              self->skipped++;
              g_debug ("%s: a damaged packet at pts %" G_GINT64_FORMAT " was skipped",
                       self->info.path, self->pkt->pts);
            }
        }
      av_packet_unref (self->pkt);
    }
}

/* Moves @frame's picture to the end of the queue. */
static void
enqueue (LkVideoReader *self,
         AVFrame       *frame)
{
  g_assert (self->n_queued < (int) G_N_ELEMENTS (self->queue));
  av_frame_move_ref (self->queue[self->n_queued++], frame);
}

/* Decodes one frame into the queue (for still pictures at open). */
static void
decode_ahead (LkVideoReader *self)
{
  if (decode_next (self, NULL, NULL) == 1)
    enqueue (self, self->frame);
}

static gint64
frame_pts (LkVideoReader *self,
           const AVFrame *f)
{
  gint64 pts = f->best_effort_timestamp;

  if (pts == AV_NOPTS_VALUE)
    pts = f->pts;
  if (pts == AV_NOPTS_VALUE)
    {
      /* No timestamps at all (raw streams): count on from the last one. */
      gint64 step = _lk_frame_duration (f);

      if (step <= 0 && self->st->avg_frame_rate.num > 0)
        step = av_rescale_q (1, av_inv_q (self->st->avg_frame_rate), self->st->time_base);
      pts = self->last_pts == AV_NOPTS_VALUE ? self->info.start_pts : self->last_pts + MAX (step, 1);
    }
  return pts;
}

static LkVideoFrame *
make_frame (LkVideoReader  *self,
            const AVFrame  *f,
            GError        **error)
{
  g_autoptr(LkVideoFrame) out = g_new0 (LkVideoFrame, 1);
  LkOrientation o = _lk_frame_orientation (f, self->orientation);
  gboolean swap = _lk_orientation_swaps_axes (o);
  int shown_w = swap ? f->height : f->width;
  int shown_h = swap ? f->width : f->height;
  int ow, oh;

  _lk_fit_size (shown_w, shown_h, self->max_width, self->max_height, &ow, &oh);
  out->image = _lk_frame_to_image (&self->sws, f, swap ? oh : ow, swap ? ow : oh, 3);
  if (out->image == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->info.path, 0,
                            "cannot convert its pixel format (%s) to RGB",
                            av_get_pix_fmt_name (f->format) ? av_get_pix_fmt_name (f->format)
                                                            : "unknown");
      return NULL;
    }
  out->image = _lk_image_orient (out->image, o);

  out->pts = frame_pts (self, f);
  out->time = out->pts * av_q2d (self->st->time_base);
  out->duration = MAX (_lk_frame_duration (f), 0);
  out->keyframe = _lk_frame_is_key (f);
  out->index = self->next_index;

  self->last_pts = out->pts;
  if (self->next_index >= 0)
    self->next_index++;

  return g_steal_pointer (&out);
}

/* At the end of the stream: was it the real end, or did the data stop? */
static gboolean
check_complete (LkVideoReader  *self,
                GError        **error)
{
  double reached, expected = -1;
  gint64 tolerance;

  if (self->info.is_still_image)
    return TRUE;

  reached = self->packet_end != AV_NOPTS_VALUE
            ? self->packet_end * av_q2d (self->st->time_base) : 0;
  if (self->st->duration != AV_NOPTS_VALUE && self->st->duration > 0)
    {
      gint64 end = (self->st->start_time != AV_NOPTS_VALUE ? self->st->start_time : 0)
                   + self->st->duration;

      /* Two frames (or a tenth of a second) of slack for rounding. */
      tolerance = self->st->avg_frame_rate.num > 0
                  ? av_rescale_q (2, av_inv_q (self->st->avg_frame_rate), self->st->time_base)
                  : av_rescale_q (1, (AVRational) { 1, 10 }, self->st->time_base);
      if (self->packet_end != AV_NOPTS_VALUE && self->packet_end + tolerance < end)
        expected = end * av_q2d (self->st->time_base);
    }

  if (self->read_error != 0 || self->corrupt_packets > 0 || expected > 0)
    {
      if (expected > 0)
        _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, self->info.path, self->read_error,
                              "the file ends early (truncated?): its video stops at %.2f s "
                              "of %.2f s", reached, expected);
      else
        _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, self->info.path, self->read_error,
                              "damaged or truncated: reading stopped at %.2f s", reached);
      return FALSE;
    }
  return TRUE;
}

gboolean
lk_video_reader_read (LkVideoReader  *self,
                      LkVideoFrame  **frame_out,
                      GCancellable   *cancellable,
                      GError        **error)
{
  int ret;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (frame_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *frame_out = NULL;

  if (self->n_queued > 0)
    {
      AVFrame *head = self->queue[0];

      *frame_out = make_frame (self, head, error);
      av_frame_unref (head);
      self->queue[0] = self->queue[1];
      self->queue[1] = head;
      self->n_queued--;
      return *frame_out != NULL;
    }

  if (self->ended)
    return TRUE;

  ret = decode_next (self, cancellable, error);
  if (ret < 0)
    return FALSE;
  if (ret == 0)
    {
      self->ended = TRUE;
      if (self->frames_decoded == 0 && self->last_pts == AV_NOPTS_VALUE)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, self->info.path, self->read_error,
                                "no frame could be decoded (damaged or truncated)");
          return FALSE;
        }
      return check_complete (self, error);
    }

  *frame_out = make_frame (self, self->frame, error);
  av_frame_unref (self->frame);
  return *frame_out != NULL;
}

/* ---- frame indices -------------------------------------------------------- */

static int
compare_pts (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Reads every packet of the video stream (no decoding) and keeps their
 * timestamps, sorted: the presentation order. Leaves the demuxer anywhere;
 * callers seek afterwards. */
static gboolean
build_pts_table (LkVideoReader  *self,
                 GCancellable   *cancellable,
                 GError        **error)
{
  g_autoptr(GArray) table = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) keys = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean valid = TRUE;
  int ret;

  if (self->pts_table_done)
    return TRUE;

  ret = avformat_seek_file (self->fmt, self->video_idx, INT64_MIN, self->info.start_pts,
                            self->info.start_pts, 0);
  if (ret < 0)
    ret = av_seek_frame (self->fmt, self->video_idx, self->info.start_pts, AVSEEK_FLAG_BACKWARD);
  if (ret < 0)
    ret = av_seek_frame (self->fmt, -1, 0, AVSEEK_FLAG_BYTE);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->info.path, ret, "cannot seek");
      return FALSE;
    }

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      ret = av_read_frame (self->fmt, self->pkt);
      if (ret < 0)
        break;
      if (self->pkt->stream_index == self->video_idx && !(self->pkt->flags & AV_PKT_FLAG_DISCARD))
        {
          if (self->pkt->pts == AV_NOPTS_VALUE)
            valid = FALSE;
          else
            g_array_append_val (table, self->pkt->pts);
          if (self->pkt->pts != AV_NOPTS_VALUE && (self->pkt->flags & AV_PKT_FLAG_KEY))
            g_array_append_val (keys, self->pkt->pts);
        }
      av_packet_unref (self->pkt);
    }

  g_array_sort (table, compare_pts);
  g_array_sort (keys, compare_pts);
  self->pts_table = g_steal_pointer (&table);
  self->key_table = g_steal_pointer (&keys);
  self->pts_table_valid = valid;
  self->pts_table_done = TRUE;
  return TRUE;
}

/* Index of the frame with timestamp @pts (-1 if unknown). */
static gint64
index_of_pts (LkVideoReader *self,
              gint64         pts)
{
  const gint64 *v;
  guint lo = 0, hi;

  if (!self->pts_table_valid || self->pts_table == NULL || self->pts_table->len == 0)
    return -1;

  v = (const gint64 *) self->pts_table->data;
  hi = self->pts_table->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (v[mid] < pts)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < self->pts_table->len && v[lo] == pts)
    return lo;
  return -1;
}

/* The first index whose pts is > @pts (the table's length if none). */
static guint
pts_upper_bound (LkVideoReader *self,
                 gint64         pts)
{
  const gint64 *v = (const gint64 *) self->pts_table->data;
  guint lo = 0, hi = self->pts_table->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (v[mid] <= pts)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The table of every frame's pts, built if it is not yet, with the reading
 * position put back where it was (building it reads through the file). */
static gboolean
ensure_pts_table (LkVideoReader  *self,
                  GCancellable   *cancellable,
                  GError        **error)
{
  gboolean fresh = self->last_pts == AV_NOPTS_VALUE;
  gint64 pos = self->last_pts;

  if (self->pts_table_done)
    return TRUE;

  if (!build_pts_table (self, cancellable, error))
    return FALSE;
  if (fresh)
    {
      /* Seeking to the start decodes the first frame ahead; fine. */
      return lk_video_reader_seek (self, self->info.start_pts, cancellable, error);
    }
  else
    {
      LkVideoFrame *f = NULL;

      if (!lk_video_reader_seek (self, pos, cancellable, error))
        return FALSE;
      /* The seek made the last returned frame the next one: skip it. */
      if (!lk_video_reader_read (self, &f, cancellable, error))
        return FALSE;
      lk_video_frame_free (f);
    }
  return TRUE;
}

gint64
lk_video_reader_count_frames (LkVideoReader *self,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (self->info.is_still_image)
    return 1;

  if (!ensure_pts_table (self, cancellable, error))
    return -1;

  return self->pts_table->len;
}

/* The index as far as it is usable for times: built, and every packet had
 * a timestamp. */
static gboolean
ensure_time_index (LkVideoReader  *self,
                   GCancellable   *cancellable,
                   GError        **error)
{
  if (!ensure_pts_table (self, cancellable, error))
    return FALSE;
  if (!self->pts_table_valid)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->info.path, 0,
                            "its frames carry no timestamps to step by");
      return FALSE;
    }
  return TRUE;
}

gboolean
lk_video_reader_neighbour_time (LkVideoReader  *self,
                                double          seconds,
                                int             direction,
                                double         *out_seconds,
                                GCancellable   *cancellable,
                                GError        **error)
{
  const gint64 *v;
  gint64 shown;
  guint n, i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (direction == 1 || direction == -1, FALSE);
  g_return_val_if_fail (!isnan (seconds), FALSE);
  g_return_val_if_fail (out_seconds != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *out_seconds = NAN;

  /* A picture has one frame: nothing before or after it. */
  if (self->info.is_still_image)
    return FALSE;
  if (!ensure_time_index (self, cancellable, error))
    return FALSE;
  n = self->pts_table->len;
  if (n == 0)
    return FALSE;
  v = (const gint64 *) self->pts_table->data;

  /* The frame shown at @seconds, as lk_video_reader_seek() picks it: the
   * last one at or before it, the first one before the first. */
  i = pts_upper_bound (self, lk_video_reader_seconds_to_pts (self, seconds));
  shown = i > 0 ? v[i - 1] : v[0];

  /* Equal timestamps (a damaged file) count as one frame. */
  if (direction > 0)
    {
      i = pts_upper_bound (self, shown);
      if (i >= n)
        return FALSE;
    }
  else
    {
      i = pts_upper_bound (self, shown - 1);
      if (i == 0)
        return FALSE;
      i--;
    }
  *out_seconds = lk_video_reader_pts_to_seconds (self, v[i]);
  return TRUE;
}

gboolean
lk_video_reader_neighbour_times (LkVideoReader  *self,
                                 double          seconds,
                                 double         *previous,
                                 double         *next,
                                 GCancellable   *cancellable,
                                 GError        **error)
{
  g_return_val_if_fail (self != NULL && previous != NULL && next != NULL, FALSE);

  *previous = *next = NAN;
  for (int direction = -1; direction <= 1; direction += 2)
    {
      g_autoptr(GError) local_error = NULL;

      if (lk_video_reader_neighbour_time (self, seconds, direction,
                                          direction < 0 ? previous : next, cancellable,
                                          &local_error)
          || local_error == NULL)
        continue;
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s: the frames around %.3f s are not known: %s", self->info.path, seconds,
               local_error->message);
    }
  return TRUE;
}

GArray *
lk_video_reader_list_frame_times (LkVideoReader  *self,
                                  GCancellable   *cancellable,
                                  GError        **error)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->info.is_still_image)
    {
      double t = lk_video_reader_pts_to_seconds (self, frame_pts (self, self->still));

      g_array_append_val (times, t);
      return g_steal_pointer (&times);
    }
  if (!ensure_time_index (self, cancellable, error))
    return NULL;

  for (guint i = 0; i < self->pts_table->len; i++)
    {
      gint64 pts = g_array_index (self->pts_table, gint64, i);
      double t;

      if (i > 0 && pts == g_array_index (self->pts_table, gint64, i - 1))
        continue;
      t = lk_video_reader_pts_to_seconds (self, pts);
      g_array_append_val (times, t);
    }
  return g_steal_pointer (&times);
}

/* ---- seeking -------------------------------------------------------------- */

static void
reset_decoder (LkVideoReader *self)
{
  avcodec_flush_buffers (self->dec);
  av_frame_unref (self->queue[0]);
  av_frame_unref (self->queue[1]);
  av_frame_unref (self->frame);
  self->n_queued = 0;
  self->draining = FALSE;
  self->ended = FALSE;
  self->read_error = 0;
  self->corrupt_packets = 0;
  self->frames_decoded = 0;
}

/* The last keyframe at or before @pts (G_MININT64 if none is known). */
static gint64
keyframe_before (LkVideoReader *self,
                 gint64         pts)
{
  gint64 best = G_MININT64;

  if (self->key_table == NULL)
    return best;
  for (guint i = 0; i < self->key_table->len; i++)
    {
      gint64 k = g_array_index (self->key_table, gint64, i);

      if (k > pts)
        break;
      best = k;
    }
  return best;
}

/* A short hop forward needs no seek when no keyframe lies between the
 * reading position and the target: decode on from where we are (clips
 * with one keyframe would otherwise decode from the start every time).
 * Returns FALSE when this does not apply; else TRUE with *@ok. */
static gboolean
seek_forward (LkVideoReader  *self,
              gint64          pts,
              GCancellable   *cancellable,
              GError        **error,
              gboolean       *ok)
{
  AVFrame *prev;
  gboolean have_prev = FALSE;

  if (self->info.is_still_image || self->ended || self->last_pts == AV_NOPTS_VALUE
      || pts <= self->last_pts || !self->pts_table_valid || self->key_table == NULL
      || self->key_table->len == 0 || keyframe_before (self, pts) > self->last_pts)
    return FALSE;

  prev = av_frame_alloc ();
  *ok = FALSE;
  for (;;)
    {
      gint64 fpts;

      if (self->n_queued > 0)
        {
          AVFrame *head = self->queue[0];

          av_frame_move_ref (self->frame, head);
          self->queue[0] = self->queue[1];
          self->queue[1] = head;
          self->n_queued--;
        }
      else
        {
          int ret = decode_next (self, cancellable, error);

          if (ret < 0)
            break;
          if (ret == 0)
            {
              if (!have_prev)
                {
                  av_frame_free (&prev);
                  return FALSE;  /* nothing after the position: seek properly */
                }
              enqueue (self, prev);
              *ok = TRUE;
              break;
            }
        }
      fpts = frame_pts (self, self->frame);
      if (fpts > pts)
        {
          if (!have_prev)
            {
              /* The target is the frame already returned: seek properly. */
              enqueue (self, self->frame);
              av_frame_free (&prev);
              return FALSE;
            }
          enqueue (self, prev);
          enqueue (self, self->frame);
          *ok = TRUE;
          break;
        }
      av_frame_unref (prev);
      av_frame_move_ref (prev, self->frame);
      have_prev = TRUE;
    }

  if (*ok)
    {
      self->last_pts = AV_NOPTS_VALUE;
      self->next_index = index_of_pts (self, frame_pts (self, self->queue[0]));
    }
  av_frame_free (&prev);
  return TRUE;
}

gboolean
lk_video_reader_seek (LkVideoReader  *self,
                      gint64          pts,
                      GCancellable   *cancellable,
                      GError        **error)
{
  AVFrame *prev = NULL;
  gint64 start, backoff = 0, one_second;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  if (self->still != NULL)
    {
      /* A picture: whatever the time, its one frame. */
      reset_decoder (self);
      av_frame_ref (self->queue[0], self->still);
      self->n_queued = 1;
      self->ended = TRUE;
      self->next_index = 0;
      self->last_pts = AV_NOPTS_VALUE;
      return TRUE;
    }

  if (!build_pts_table (self, cancellable, error))
    return FALSE;

  if (seek_forward (self, pts, cancellable, error, &ok))
    return ok;

  start = self->info.start_pts;
  if (self->pts_table_valid && self->pts_table->len > 0)
    start = MIN (start, g_array_index (self->pts_table, gint64, 0));
  prev = av_frame_alloc ();
  one_second = MAX (1, av_rescale_q (1, (AVRational) { 1, 1 }, self->st->time_base));

  for (;;)
    {
      gint64 target = pts - backoff;
      gboolean from_start = target <= start || self->info.is_still_image;
      gboolean have_prev = FALSE;
      int ret;

      if (from_start)
        {
          ret = avformat_seek_file (self->fmt, self->video_idx, INT64_MIN, start, start, 0);
          if (ret < 0)
            ret = av_seek_frame (self->fmt, -1, 0, AVSEEK_FLAG_BYTE);
        }
      else
        {
          /* The keyframe at or before the target. */
          ret = av_seek_frame (self->fmt, self->video_idx, target, AVSEEK_FLAG_BACKWARD);
        }
      if (ret < 0)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->info.path, ret,
                                "cannot seek to %.3f s", lk_video_reader_pts_to_seconds (self, pts));
          goto out;
        }
      reset_decoder (self);
      av_frame_unref (prev);

      /* Decode forward to the first frame after the target; the one before
       * it is the frame shown at the target. */
      for (;;)
        {
          gint64 fpts;

          ret = decode_next (self, cancellable, error);
          if (ret < 0)
            goto out;
          if (ret == 0)
            break;
          fpts = frame_pts (self, self->frame);
          self->last_pts = fpts;

          if (fpts > pts)
            {
              if (!have_prev && !from_start)
                break;  /* landed after the target (B-frames, open GOP): go back further */
              if (!have_prev)
                {
                  enqueue (self, self->frame);  /* before the first frame: the first */
                }
              else
                {
                  enqueue (self, prev);
                  enqueue (self, self->frame);
                }
              ok = TRUE;
              goto done;
            }
          av_frame_unref (prev);
          av_frame_move_ref (prev, self->frame);
          have_prev = TRUE;
        }

      if (have_prev)
        {
          /* The stream ended at or before the target: the last frame. The
           * end was reached, so the next read after it reports the end. */
          enqueue (self, prev);
          ok = TRUE;
          goto done;
        }
      if (from_start)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, self->info.path, self->read_error,
                                "no frame could be decoded after seeking to %.3f s",
                                lk_video_reader_pts_to_seconds (self, pts));
          goto out;
        }
      backoff = backoff == 0 ? one_second : backoff * 2;
      g_debug ("%s: seeking to %" G_GINT64_FORMAT " landed after it; going back %"
               G_GINT64_FORMAT, self->info.path, pts, backoff);
    }

done:
  self->last_pts = AV_NOPTS_VALUE;
  self->next_index = index_of_pts (self, frame_pts (self, self->queue[0]));

out:
  av_frame_free (&prev);
  return ok;
}

gboolean
lk_video_reader_seek_seconds (LkVideoReader  *self,
                              double          seconds,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return lk_video_reader_seek (self, lk_video_reader_seconds_to_pts (self, seconds), cancellable,
                               error);
}
