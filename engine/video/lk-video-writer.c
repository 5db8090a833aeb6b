/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-video-writer"

#include "config.h"

#include "lk-video-writer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>

#include "lk-error.h"
#include "lk-ffmpeg-private.h"

typedef enum
{
  AUDIO_NONE,
  AUDIO_COPY,
  AUDIO_ENCODE,
} AudioAction;

struct _LkVideoWriter
{
  char              *path;
  char              *tmp_path;
  LkVideoWriterParams params;       /* strings are not kept */

  AVFormatContext   *oc;
  AVCodecContext    *venc;
  AVStream          *vst;
  AVFrame           *yuv;
  AVPacket          *pkt;
  struct SwsContext *sws;
  GHashTable        *durations;     /* pts -> duration, both in the writer's time base */
  gint64             last_pts;
  gint64             last_step;
  gboolean           have_last;
  guint64            frames;
  gboolean           header_written;
  gboolean           finished;
  gboolean           aborted;

  /* Audio from params.audio_source. */
  AudioAction        audio;
  AVFormatContext   *aic;
  int                aidx;
  AVStream          *ain;
  AVStream          *ast;
  AVPacket          *apkt;
  gboolean           apkt_pending;
  gboolean           audio_eof;
  AVCodecContext    *adec;
  AVCodecContext    *aenc;
  SwrContext        *swr;
  AVAudioFifo       *fifo;
  AVFrame           *adec_frame;
  AVFrame           *aconv;
  AVFrame           *aenc_frame;
  gint64             a_next_pts;    /* in aenc's time base (1/sample rate) */
  gboolean           a_started;
  gint64             a_dec_next;    /* where the next decoded frame starts, in the
                                     * decoder's samples (for frames without a timestamp) */
};

/* Re-encoded audio cut to a window is decoded from this long before it, so
 * that the decoder has settled (AAC's overlapping windows, Opus' pre-roll)
 * where the kept samples begin. */
#define AUDIO_PREROLL_S 0.2

static const char * const known_encoders[] = { "libx264", "libx265", "libvpx-vp9" };

LkVideoWriterParams
lk_video_writer_params_default (void)
{
  LkVideoWriterParams p = {
    .width = 0,
    .height = 0,
    .time_base_num = 1,
    .time_base_den = 30,
    .frame_rate = 0,
    .encoder = NULL,
    .crf = -1,
    .preset = NULL,
    .audio_source = NULL,
    .audio_mode = LK_VIDEO_AUDIO_AUTO,
    .audio_start = -1,
    .audio_end = -1,
    .metadata = NULL,
  };

  return p;
}

char **
lk_video_writer_list_encoders (void)
{
  GPtrArray *list = g_ptr_array_new ();

  _lk_ffmpeg_init ();
  for (guint i = 0; i < G_N_ELEMENTS (known_encoders); i++)
    if (avcodec_find_encoder_by_name (known_encoders[i]) != NULL)
      g_ptr_array_add (list, g_strdup (known_encoders[i]));
  g_ptr_array_add (list, NULL);
  return (char **) g_ptr_array_free (list, FALSE);
}

const char *
lk_video_writer_get_temp_path (LkVideoWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->finished || self->aborted ? NULL : self->tmp_path;
}

const char *
lk_video_writer_get_audio_action (LkVideoWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->audio == AUDIO_COPY ? "copy" : self->audio == AUDIO_ENCODE ? "encode" : "none";
}

void
lk_video_writer_set_audio_window (LkVideoWriter *self,
                                  double         start,
                                  double         end)
{
  g_return_if_fail (self != NULL);

  self->params.audio_start = start;
  self->params.audio_end = end;
}

guint64
lk_video_writer_get_frames_written (LkVideoWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->frames;
}

/* Frees every FFmpeg object; closes the output file if it is open. */
static void
close_all (LkVideoWriter *self)
{
  if (self->oc != NULL && !(self->oc->oformat->flags & AVFMT_NOFILE))
    avio_closep (&self->oc->pb);
  avformat_free_context (self->oc);
  self->oc = NULL;
  avcodec_free_context (&self->venc);
  av_frame_free (&self->yuv);
  av_packet_free (&self->pkt);
  sws_freeContext (self->sws);
  self->sws = NULL;

  avformat_close_input (&self->aic);
  av_packet_free (&self->apkt);
  avcodec_free_context (&self->adec);
  avcodec_free_context (&self->aenc);
  swr_free (&self->swr);
  if (self->fifo != NULL)
    av_audio_fifo_free (self->fifo);
  self->fifo = NULL;
  av_frame_free (&self->adec_frame);
  av_frame_free (&self->aconv);
  av_frame_free (&self->aenc_frame);
}

void
lk_video_writer_abort (LkVideoWriter *self)
{
  g_return_if_fail (self != NULL);

  if (self->finished || self->aborted)
    return;
  close_all (self);
  if (self->tmp_path != NULL && g_unlink (self->tmp_path) != 0 && errno != ENOENT)
    g_debug ("could not delete %s: %s", self->tmp_path, g_strerror (errno));
  self->aborted = TRUE;
}

void
lk_video_writer_free (LkVideoWriter *self)
{
  if (self == NULL)
    return;

  lk_video_writer_abort (self);
  close_all (self);
  if (self->durations != NULL)
    g_hash_table_unref (self->durations);
  g_free (self->path);
  g_free (self->tmp_path);
  g_free (self);
}

/* ---- writing packets ---------------------------------------------------- */

static gboolean
write_packet (LkVideoWriter  *self,
              AVPacket       *pkt,
              GError        **error)
{
  int ret = av_interleaved_write_frame (self->oc, pkt);

  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, ret == AVERROR (ENOSPC) ? LK_ERROR_IO : LK_ERROR_FAILED,
                            self->path, ret, "writing failed");
      return FALSE;
    }
  return TRUE;
}

/* demux_decode.c's loop the other way round: send a frame (NULL flushes) to
 * @enc, write every packet that comes out into @st. The video's packets get
 * the duration of the frame they came from (x264 leaves it out). */
static gboolean
encode_frame (LkVideoWriter   *self,
              AVCodecContext  *enc,
              AVStream        *st,
              AVPacket        *pkt,
              AVFrame         *frame,
              const char      *what,
              GError         **error)
{
  gboolean video = enc == self->venc;
  int ret = avcodec_send_frame (enc, frame);

  if (ret < 0 && !(ret == AVERROR_EOF && !video))
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, what);
      return FALSE;
    }
  for (;;)
    {
      ret = avcodec_receive_packet (enc, pkt);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        return TRUE;
      if (ret < 0)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, what);
          return FALSE;
        }
      if (video && pkt->pts != AV_NOPTS_VALUE)
        {
          gpointer d = g_hash_table_lookup (self->durations, &pkt->pts);

          if (pkt->duration <= 0 && d != NULL)
            pkt->duration = *(gint64 *) d;
          g_hash_table_remove (self->durations, &pkt->pts);
        }
      av_packet_rescale_ts (pkt, enc->time_base, st->time_base);
      pkt->stream_index = st->index;
      if (!write_packet (self, pkt, error))
        return FALSE;
    }
}

static gboolean
encode_video (LkVideoWriter  *self,
              AVFrame        *frame,
              GError        **error)
{
  return encode_frame (self, self->venc, self->vst, self->pkt, frame, "video encoding failed",
                       error);
}

static void
set_duration (LkVideoWriter *self,
              gint64         pts,
              gint64         duration)
{
  gint64 *key = g_new (gint64, 1);
  gint64 *value = g_new (gint64, 1);

  *key = pts;
  *value = duration;
  g_hash_table_replace (self->durations, key, value);
}

/* ---- audio ----------------------------------------------------------------- */

static gboolean
encode_audio_frame (LkVideoWriter  *self,
                    AVFrame        *frame,
                    GError        **error)
{
  return encode_frame (self, self->aenc, self->ast, self->apkt, frame, "audio encoding failed",
                       error);
}

/* Encodes whole encoder frames from the FIFO; with @flush also the rest. */
static gboolean
drain_fifo (LkVideoWriter  *self,
            gboolean        flush,
            GError        **error)
{
  int frame_size = self->aenc->frame_size > 0 ? self->aenc->frame_size : 1024;
  gboolean small_last = (self->aenc->codec->capabilities
                         & (AV_CODEC_CAP_SMALL_LAST_FRAME | AV_CODEC_CAP_VARIABLE_FRAME_SIZE)) != 0;

  while (av_audio_fifo_size (self->fifo) >= frame_size
         || (flush && av_audio_fifo_size (self->fifo) > 0))
    {
      int n = MIN (av_audio_fifo_size (self->fifo), frame_size);
      AVFrame *f = self->aenc_frame;
      int ret;

      av_frame_unref (f);
      f->nb_samples = small_last ? n : frame_size;
      f->format = self->aenc->sample_fmt;
      f->sample_rate = self->aenc->sample_rate;
      av_channel_layout_copy (&f->ch_layout, &self->aenc->ch_layout);
      ret = av_frame_get_buffer (f, 0);
      if (ret < 0)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, "audio encoding failed");
          return FALSE;
        }
      av_audio_fifo_read (self->fifo, (void **) f->data, n);
      if (n < f->nb_samples)
        av_samples_set_silence (f->data, n, f->nb_samples - n, f->ch_layout.nb_channels,
                                f->format);
      f->pts = self->a_next_pts;
      self->a_next_pts += f->nb_samples;
      if (!encode_audio_frame (self, f, error))
        return FALSE;
    }
  return TRUE;
}

/* Resamples @n_samples of what the decoder gave into the FIFO (@data NULL
 * flushes the resampler). */
static gboolean
resample_into_fifo (LkVideoWriter   *self,
                    const uint8_t  **data,
                    int              n_samples,
                    GError         **error)
{
  int out_count = swr_get_out_samples (self->swr, data != NULL ? n_samples : 0);
  AVFrame *c = self->aconv;
  int n, ret;

  if (out_count <= 0)
    return TRUE;
  av_frame_unref (c);
  c->nb_samples = out_count;
  c->format = self->aenc->sample_fmt;
  c->sample_rate = self->aenc->sample_rate;
  av_channel_layout_copy (&c->ch_layout, &self->aenc->ch_layout);
  ret = av_frame_get_buffer (c, 0);
  if (ret < 0)
    goto fail;
  n = swr_convert (self->swr, c->data, out_count, data, data != NULL ? n_samples : 0);
  if (n < 0)
    {
      ret = n;
      goto fail;
    }
  if (n > 0 && av_audio_fifo_write (self->fifo, (void **) c->data, n) < n)
    {
      ret = AVERROR (ENOMEM);
      goto fail;
    }
  return TRUE;

fail:
  _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, "audio resampling failed");
  return FALSE;
}

/* Passes the samples of a decoded frame that lie inside the audio window to
 * the resampler: the frame is cut to the sample at the window's edges. */
static gboolean
resample_decoded (LkVideoWriter  *self,
                  const AVFrame  *f,
                  GError        **error)
{
  AVRational dec_tb = { 1, f->sample_rate > 0 ? f->sample_rate : self->adec->sample_rate };
  gint64 ts = f->best_effort_timestamp;
  gint64 first = ts != AV_NOPTS_VALUE ? av_rescale_q (ts, self->ain->time_base, dec_tb)
                                      : self->a_dec_next;
  gint64 skip = 0, stop = f->nb_samples;
  const uint8_t *data[AV_NUM_DATA_POINTERS];
  g_autofree const uint8_t **extended = NULL;
  const uint8_t **planes = data;
  gboolean planar;
  int n_planes, plane_bytes;

  self->a_dec_next = first + f->nb_samples;
  if (self->params.audio_start >= 0)
    skip = CLAMP (llround (self->params.audio_start * dec_tb.den) - first, 0, f->nb_samples);
  if (self->params.audio_end >= 0)
    stop = CLAMP (llround (self->params.audio_end * dec_tb.den) - first, 0, f->nb_samples);
  if (stop <= skip)
    return TRUE;  /* all of it outside the window */

  if (!self->a_started)
    {
      /* Keep the source's start time (the first kept sample's): timestamps
       * stay where they were. */
      if (skip == 0)
        self->a_next_pts = ts != AV_NOPTS_VALUE
                           ? av_rescale_q (ts, self->ain->time_base, self->aenc->time_base) : 0;
      else
        self->a_next_pts = av_rescale_q (first + skip, dec_tb, self->aenc->time_base);
      self->a_started = TRUE;
    }

  /* The kept samples, in place: one pointer per plane, moved by @skip. */
  planar = av_sample_fmt_is_planar ((enum AVSampleFormat) f->format);
  n_planes = planar ? f->ch_layout.nb_channels : 1;
  plane_bytes = av_get_bytes_per_sample ((enum AVSampleFormat) f->format)
                * (planar ? 1 : f->ch_layout.nb_channels);
  if (n_planes > AV_NUM_DATA_POINTERS)
    planes = extended = g_new (const uint8_t *, n_planes);
  for (int i = 0; i < n_planes; i++)
    planes[i] = f->extended_data[i] + skip * plane_bytes;
  return resample_into_fifo (self, planes, (int) (stop - skip), error);
}

/* Decodes a source audio packet (NULL: flush) and encodes what it gives. */
static gboolean
transcode_audio_packet (LkVideoWriter  *self,
                        AVPacket       *pkt,
                        GError        **error)
{
  int ret = avcodec_send_packet (self->adec, pkt);

  if (ret < 0 && ret != AVERROR_EOF)
    {
      /* A damaged audio packet in the source: skip it, like a player. */
      g_debug ("%s: skipped a damaged audio packet of the source", self->path);
      return TRUE;
    }
  for (;;)
    {
      ret = avcodec_receive_frame (self->adec, self->adec_frame);
      if (ret == AVERROR (EAGAIN) || ret == AVERROR_EOF)
        break;
      if (ret < 0)
        continue;  /* a frame the decoder gave up on */
      ret = resample_decoded (self, self->adec_frame, error) ? 0 : -1;
      av_frame_unref (self->adec_frame);
      if (ret < 0 || !drain_fifo (self, FALSE, error))
        return FALSE;
    }
  if (pkt == NULL)
    {
      if (!resample_into_fifo (self, NULL, 0, error) || !drain_fifo (self, TRUE, error))
        return FALSE;
      return encode_audio_frame (self, NULL, error);
    }
  return TRUE;
}

/* Whether a source audio packet goes on (into the output, or into the
 * decoder when the audio is re-encoded) under the audio window: copied
 * packets that overlap the window are kept whole; re-encoded audio is
 * decoded from AUDIO_PREROLL_S before it and cut after decoding. Sets
 * *@past_end when the packet, and so every later one, starts at or after
 * the window's end. */
static gboolean
audio_packet_in_window (LkVideoWriter   *self,
                        const AVPacket  *pkt,
                        gboolean        *past_end)
{
  AVRational tb = self->ain->time_base;
  double start = self->params.audio_start;
  double end = self->params.audio_end;
  gint64 ts = pkt->pts != AV_NOPTS_VALUE ? pkt->pts : pkt->dts;
  gint64 duration = pkt->duration;

  *past_end = FALSE;
  if ((start < 0 && end < 0) || ts == AV_NOPTS_VALUE)
    return TRUE;
  if (duration <= 0 && self->ain->codecpar->sample_rate > 0)
    {
      int samples = av_get_audio_frame_duration2 (self->ain->codecpar, pkt->size);

      duration = av_rescale_q (samples, (AVRational) { 1, self->ain->codecpar->sample_rate }, tb);
    }

  if (end >= 0 && ts >= llround (end / av_q2d (tb)))
    {
      *past_end = TRUE;
      return FALSE;
    }
  if (start >= 0)
    {
      gint64 first;

      if (self->audio == AUDIO_ENCODE)
        start -= AUDIO_PREROLL_S;
      first = llround (start / av_q2d (tb));
      /* Entirely before the window (a packet of unknown length: if it starts
       * before it). */
      if (duration > 0 ? ts + duration <= first : ts < first)
        return FALSE;
    }
  return TRUE;
}

/* Moves the source's audio packets up to @until seconds (< 0: all) into the
 * output, so that audio and video stay interleaved. Packets outside the
 * audio window are left out; the first one past its end ends the audio. */
static gboolean
advance_audio (LkVideoWriter  *self,
               double          until,
               GError        **error)
{
  if (self->audio == AUDIO_NONE)
    return TRUE;

  while (!self->audio_eof)
    {
      gboolean past_end;
      gint64 ts;
      int ret;

      if (!self->apkt_pending)
        {
          ret = av_read_frame (self->aic, self->apkt);
          if (ret < 0)
            {
              if (ret != AVERROR_EOF)
                g_debug ("%s: reading the source's audio stopped early", self->path);
              self->audio_eof = TRUE;
              if (self->audio == AUDIO_ENCODE)
                return transcode_audio_packet (self, NULL, error);
              return TRUE;
            }
          if (self->apkt->stream_index != self->aidx)
            {
              av_packet_unref (self->apkt);
              continue;
            }
          self->apkt_pending = TRUE;
        }

      ts = self->apkt->dts != AV_NOPTS_VALUE ? self->apkt->dts : self->apkt->pts;
      if (until >= 0 && ts != AV_NOPTS_VALUE && ts * av_q2d (self->ain->time_base) > until)
        return TRUE;

      self->apkt_pending = FALSE;
      if (!audio_packet_in_window (self, self->apkt, &past_end))
        {
          av_packet_unref (self->apkt);
          if (!past_end)
            continue;
          self->audio_eof = TRUE;
          if (self->audio == AUDIO_ENCODE)
            return transcode_audio_packet (self, NULL, error);
          return TRUE;
        }
      if (self->audio == AUDIO_COPY)
        {
          /* Remux: the packet unchanged, its timestamps in the new unit. */
          av_packet_rescale_ts (self->apkt, self->ain->time_base, self->ast->time_base);
          self->apkt->stream_index = self->ast->index;
          self->apkt->pos = -1;
          if (!write_packet (self, self->apkt, error))
            return FALSE;
        }
      else
        {
          gboolean ok = transcode_audio_packet (self, self->apkt, error);

          av_packet_unref (self->apkt);
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
setup_audio_encoder (LkVideoWriter  *self,
                     GError        **error)
{
  const AVCodec *dec, *enc = NULL;
  gboolean webm = g_str_equal (self->oc->oformat->name, "webm");
  int ret, channels;

  dec = avcodec_find_decoder (self->ain->codecpar->codec_id);
  if (webm)
    {
      enc = avcodec_find_encoder_by_name ("libopus");
      if (enc == NULL)
        enc = avcodec_find_encoder (AV_CODEC_ID_OPUS);
    }
  else
    {
      enc = avcodec_find_encoder (AV_CODEC_ID_AAC);
    }
  if (dec == NULL || enc == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->path, 0,
                            "cannot convert the audio (%s) for this container: no %s",
                            avcodec_get_name (self->ain->codecpar->codec_id),
                            dec == NULL ? "decoder" : "encoder");
      return FALSE;
    }

  self->adec = avcodec_alloc_context3 (dec);
  avcodec_parameters_to_context (self->adec, self->ain->codecpar);
  self->adec->pkt_timebase = self->ain->time_base;
  ret = avcodec_open2 (self->adec, dec, NULL);
  if (ret < 0)
    goto fail;

  self->aenc = avcodec_alloc_context3 (enc);
  channels = MIN (2, MAX (1, self->adec->ch_layout.nb_channels));
  av_channel_layout_default (&self->aenc->ch_layout, channels);
  self->aenc->sample_rate = self->adec->sample_rate;
  if (enc->supported_samplerates != NULL)
    {
      int best = enc->supported_samplerates[0];

      for (const int *r = enc->supported_samplerates; *r != 0; r++)
        if (*r == self->adec->sample_rate || (*r == 48000 && best != self->adec->sample_rate))
          best = *r;
      self->aenc->sample_rate = best;
    }
  self->aenc->sample_fmt = enc->sample_fmts != NULL ? enc->sample_fmts[0] : AV_SAMPLE_FMT_FLTP;
  self->aenc->bit_rate = webm ? 96000 : 160000;
  self->aenc->time_base = (AVRational) { 1, self->aenc->sample_rate };
  self->aenc->strict_std_compliance = FF_COMPLIANCE_EXPERIMENTAL;
  if (self->oc->oformat->flags & AVFMT_GLOBALHEADER)
    self->aenc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  ret = avcodec_open2 (self->aenc, enc, NULL);
  if (ret < 0)
    goto fail;

  ret = avcodec_parameters_from_context (self->ast->codecpar, self->aenc);
  if (ret < 0)
    goto fail;
  self->ast->time_base = self->aenc->time_base;

  ret = swr_alloc_set_opts2 (&self->swr, &self->aenc->ch_layout, self->aenc->sample_fmt,
                             self->aenc->sample_rate, &self->adec->ch_layout,
                             self->adec->sample_fmt, self->adec->sample_rate, 0, NULL);
  if (ret < 0 || (ret = swr_init (self->swr)) < 0)
    goto fail;
  self->fifo = av_audio_fifo_alloc (self->aenc->sample_fmt, channels, 4096);
  self->adec_frame = av_frame_alloc ();
  self->aconv = av_frame_alloc ();
  self->aenc_frame = av_frame_alloc ();
  return TRUE;

fail:
  _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret,
                        "cannot set up the audio conversion (%s to %s)",
                        avcodec_get_name (self->ain->codecpar->codec_id), enc->name);
  return FALSE;
}

static gboolean
setup_audio (LkVideoWriter  *self,
             GError        **error)
{
  const char *src = self->params.audio_source;
  enum AVCodecID id;
  int ret, supported;

  self->audio = AUDIO_NONE;
  if (src == NULL || self->params.audio_mode == LK_VIDEO_AUDIO_NONE)
    return TRUE;

  if (!_lk_ffmpeg_check_file (src, NULL, error))
    return FALSE;
  {
    g_autofree char *url = g_canonicalize_filename (src, NULL);

    ret = avformat_open_input (&self->aic, url, NULL, NULL);
  }
  if (ret < 0 || (ret = avformat_find_stream_info (self->aic, NULL)) < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_CORRUPT, src, ret, "cannot read its audio");
      return FALSE;
    }
  self->aidx = av_find_best_stream (self->aic, AVMEDIA_TYPE_AUDIO, -1, -1, NULL, 0);
  if (self->aidx < 0)
    {
      g_debug ("%s has no audio; %s gets none", src, self->path);
      avformat_close_input (&self->aic);
      return TRUE;
    }
  for (unsigned i = 0; i < self->aic->nb_streams; i++)
    if ((int) i != self->aidx)
      self->aic->streams[i]->discard = AVDISCARD_ALL;
  self->ain = self->aic->streams[self->aidx];
  id = self->ain->codecpar->codec_id;

  supported = avformat_query_codec (self->oc->oformat, id, FF_COMPLIANCE_NORMAL);
  if (self->params.audio_mode == LK_VIDEO_AUDIO_ENCODE)
    self->audio = AUDIO_ENCODE;
  else if (supported == 1)
    self->audio = AUDIO_COPY;
  else if (self->params.audio_mode == LK_VIDEO_AUDIO_COPY)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, self->path, 0,
                            "a %s file cannot hold %s audio unchanged", self->oc->oformat->name,
                            avcodec_get_name (id));
      return FALSE;
    }
  else
    self->audio = AUDIO_ENCODE;

  self->ast = avformat_new_stream (self->oc, NULL);
  self->apkt = av_packet_alloc ();
  if (self->ast == NULL || self->apkt == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, AVERROR (ENOMEM), "cannot write");
      return FALSE;
    }

  if (self->audio == AUDIO_COPY)
    {
      ret = avcodec_parameters_copy (self->ast->codecpar, self->ain->codecpar);
      if (ret < 0)
        {
          _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, "cannot copy the audio");
          return FALSE;
        }
      self->ast->codecpar->codec_tag = 0;
      self->ast->time_base = self->ain->time_base;
      av_dict_copy (&self->ast->metadata, self->ain->metadata, 0);
      return TRUE;
    }

  return setup_audio_encoder (self, error);
}

/* ---- creating ------------------------------------------------------------ */

static const char *
vp9_cpu_used (const char *preset)
{
  static const struct { const char *preset; const char *cpu_used; } map[] = {
    { "ultrafast", "8" }, { "superfast", "7" }, { "veryfast", "6" }, { "faster", "5" },
    { "fast", "4" }, { "medium", "3" }, { "slow", "2" }, { "slower", "1" }, { "veryslow", "0" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (preset, map[i].preset))
      return map[i].cpu_used;
  return "3";
}

/* "<dir>/<stem>.partial-XXXXXX.<ext>", created empty (exclusively). */
static char *
make_temp_file (const char  *path,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = NULL;
  const char *dot = strrchr (base, '.');
  g_autofree char *stem = g_strndup (base, dot != NULL ? (gsize) (dot - base) : strlen (base));
  int fd;

  tmpl = g_strdup_printf ("%s%s%s.partial-XXXXXX%s", dir, G_DIR_SEPARATOR_S, stem,
                          dot != NULL ? dot : "");
  /* 0666 less the umask, as for any new file (g_mkstemp() gives 0600). */
  fd = g_mkstemp_full (tmpl, O_RDWR, 0666);
  if (fd < 0)
    {
      int saved = errno;

      _lk_ffmpeg_set_error (error, LK_ERROR_IO, path, 0, "cannot create a file in %s: %s", dir,
                            g_strerror (saved));
      return NULL;
    }
  close (fd);
  return g_steal_pointer (&tmpl);
}

LkVideoWriter *
lk_video_writer_new (const char                 *path,
                     const LkVideoWriterParams  *params,
                     GError                    **error)
{
  g_autoptr(LkVideoWriter) self = NULL;
  const AVOutputFormat *ofmt;
  const AVCodec *codec;
  const char *encoder_name;
  const char *preset;
  AVDictionary *opts = NULL;
  AVDictionary *mux_opts = NULL;
  int ret;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  _lk_ffmpeg_init ();

  self = g_new0 (LkVideoWriter, 1);
  self->path = g_strdup (path);
  self->params = *params;
  self->params.encoder = NULL;
  self->params.preset = NULL;
  self->params.metadata = NULL;
  self->durations = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  if (params->width <= 0 || params->height <= 0 || params->width % 2 || params->height % 2)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0,
                            "cannot write %dx%d frames: width and height must be even and "
                            "positive (yuv420p)", params->width, params->height);
      return NULL;
    }
  if (params->time_base_num <= 0 || params->time_base_den <= 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0, "invalid time base %d/%d",
                            params->time_base_num, params->time_base_den);
      return NULL;
    }

  ofmt = av_guess_format (NULL, path, NULL);
  if (ofmt == NULL || ofmt->video_codec == AV_CODEC_ID_NONE)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, 0,
                            "unknown kind of video file: use .mp4, .mkv, .webm or .mov");
      return NULL;
    }

  encoder_name = params->encoder;
  if (encoder_name == NULL)
    encoder_name = g_str_equal (ofmt->name, "webm") ? "libvpx-vp9" : "libx264";
  codec = avcodec_find_encoder_by_name (encoder_name);
  if (codec == NULL || codec->type != AVMEDIA_TYPE_VIDEO)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "this FFmpeg has no %s video encoder", encoder_name);
      return NULL;
    }
  if (avformat_query_codec (ofmt, codec->id, FF_COMPLIANCE_NORMAL) == 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_UNSUPPORTED, path, 0,
                            "a %s file cannot hold %s video", ofmt->name,
                            avcodec_get_name (codec->id));
      return NULL;
    }

  self->tmp_path = make_temp_file (path, error);
  if (self->tmp_path == NULL)
    return NULL;

  ret = avformat_alloc_output_context2 (&self->oc, ofmt, NULL, self->tmp_path);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot write");
      return NULL;
    }

  /* ---- video ---- */
  self->vst = avformat_new_stream (self->oc, NULL);
  self->venc = avcodec_alloc_context3 (codec);
  self->yuv = av_frame_alloc ();
  self->pkt = av_packet_alloc ();
  if (self->vst == NULL || self->venc == NULL || self->yuv == NULL || self->pkt == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, AVERROR (ENOMEM), "cannot write");
      return NULL;
    }
  self->venc->width = params->width;
  self->venc->height = params->height;
  self->venc->pix_fmt = AV_PIX_FMT_YUV420P;
  self->venc->sample_aspect_ratio = (AVRational) { 1, 1 };
  self->venc->time_base = (AVRational) { params->time_base_num, params->time_base_den };
  if (params->frame_rate > 0)
    self->venc->framerate = av_d2q (params->frame_rate, 100000);
  self->venc->color_range = AVCOL_RANGE_MPEG;
  self->venc->colorspace = AVCOL_SPC_BT709;
  self->venc->color_primaries = AVCOL_PRI_BT709;
  self->venc->color_trc = AVCOL_TRC_BT709;
  self->venc->thread_count = 0;
  if (self->oc->oformat->flags & AVFMT_GLOBALHEADER)
    self->venc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;

  preset = params->preset != NULL ? params->preset : "medium";
  if (g_str_equal (codec->name, "libvpx-vp9"))
    {
      av_dict_set (&opts, "deadline", g_str_equal (preset, "ultrafast") ? "realtime" : "good", 0);
      av_dict_set (&opts, "cpu-used", vp9_cpu_used (preset), 0);
      av_dict_set (&opts, "row-mt", "1", 0);
      av_dict_set_int (&opts, "crf", params->crf >= 0 ? params->crf : 32, 0);
      self->venc->bit_rate = 0;  /* constant quality */
    }
  else
    {
      av_dict_set (&opts, "preset", preset, 0);
      if (params->crf >= 0)
        av_dict_set_int (&opts, "crf", params->crf, 0);
      if (g_str_equal (codec->name, "libx265"))
        av_dict_set (&opts, "x265-params", "log-level=error", 0);
    }

  ret = avcodec_open2 (self->venc, codec, &opts);
  if (ret >= 0 && av_dict_count (opts) > 0)
    {
      g_debug ("%s: options not used by %s: %s", path, codec->name, av_dict_get (opts, "", NULL,
                                                                              AV_DICT_IGNORE_SUFFIX)->key);
    }
  av_dict_free (&opts);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, path, ret,
                            "cannot open the %s encoder (preset %s, crf %d)", codec->name,
                            preset, params->crf);
      return NULL;
    }
  ret = avcodec_parameters_from_context (self->vst->codecpar, self->venc);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot write");
      return NULL;
    }
  self->vst->time_base = self->venc->time_base;
  if (params->frame_rate > 0)
    self->vst->avg_frame_rate = self->venc->framerate;
  if (codec->id == AV_CODEC_ID_HEVC
      && (g_str_equal (ofmt->name, "mp4") || g_str_equal (ofmt->name, "mov")))
    self->vst->codecpar->codec_tag = MKTAG ('h', 'v', 'c', '1');  /* plays on Apple devices */

  self->yuv->format = AV_PIX_FMT_YUV420P;
  self->yuv->width = params->width;
  self->yuv->height = params->height;
  self->yuv->color_range = AVCOL_RANGE_MPEG;
  self->yuv->colorspace = AVCOL_SPC_BT709;
  ret = av_frame_get_buffer (self->yuv, 0);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot write");
      return NULL;
    }

  /* ---- audio ---- */
  if (!setup_audio (self, error))
    return NULL;

  /* ---- metadata ---- */
  if (params->metadata != NULL)
    for (guint i = 0; params->metadata[i] != NULL && params->metadata[i + 1] != NULL; i += 2)
      av_dict_set (&self->oc->metadata, params->metadata[i], params->metadata[i + 1], 0);
  if (g_str_equal (ofmt->name, "mp4") || g_str_equal (ofmt->name, "mov"))
    av_dict_set (&mux_opts, "movflags", "+use_metadata_tags", 0);

  ret = avio_open (&self->oc->pb, self->tmp_path, AVIO_FLAG_WRITE);
  if (ret < 0)
    {
      av_dict_free (&mux_opts);
      _lk_ffmpeg_set_error (error, LK_ERROR_IO, path, ret, "cannot write %s", self->tmp_path);
      return NULL;
    }
  /* libavformat sets its own "encoder" tag while it initialises the muxer;
   * the caller's goes back in before the header (Matroska) or the index
   * (MP4, written at the end) is written. */
  ret = avformat_init_output (self->oc, &mux_opts);
  av_dict_free (&mux_opts);
  if (ret >= 0 && params->metadata != NULL)
    for (guint i = 0; params->metadata[i] != NULL && params->metadata[i + 1] != NULL; i += 2)
      if (g_str_equal (params->metadata[i], "encoder"))
        av_dict_set (&self->oc->metadata, "encoder", params->metadata[i + 1], 0);
  if (ret >= 0)
    ret = avformat_write_header (self->oc, NULL);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, path, ret, "cannot write the header");
      return NULL;
    }
  self->header_written = TRUE;

  g_debug ("%s: %s %dx%d, time base %d/%d, audio %s", path, codec->name, params->width,
           params->height, params->time_base_num, params->time_base_den,
           lk_video_writer_get_audio_action (self));

  return g_steal_pointer (&self);
}

/* ---- frames -------------------------------------------------------------- */

gboolean
lk_video_writer_write (LkVideoWriter  *self,
                       const LkImage  *image,
                       gint64          pts,
                       GCancellable   *cancellable,
                       GError        **error)
{
  const uint8_t *src_data[4] = { NULL };
  int src_linesize[4] = { 0 };
  int ret;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->finished || self->aborted)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, self->path, 0,
                            "the video was already %s", self->finished ? "finished" : "aborted");
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (image->width != self->params.width || image->height != self->params.height
      || (image->channels != 3 && image->channels != 4))
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, self->path, 0,
                            "frame %" G_GUINT64_FORMAT " is %dx%d with %d channels; the video is "
                            "%dx%d RGB", self->frames, image->width, image->height,
                            image->channels, self->params.width, self->params.height);
      return FALSE;
    }
  if (self->have_last && pts <= self->last_pts)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, self->path, 0,
                            "frame %" G_GUINT64_FORMAT " has timestamp %" G_GINT64_FORMAT
                            ", not after the previous one (%" G_GINT64_FORMAT ")",
                            self->frames, pts, self->last_pts);
      return FALSE;
    }

  /* The previous frame lasts until this one. */
  if (self->have_last)
    {
      self->last_step = pts - self->last_pts;
      set_duration (self, self->last_pts, self->last_step);
    }

  self->sws = sws_getCachedContext (self->sws, image->width, image->height,
                                    image->channels == 3 ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_RGBA,
                                    self->params.width, self->params.height, AV_PIX_FMT_YUV420P,
                                    SWS_BILINEAR, NULL, NULL, NULL);
  if (self->sws == NULL)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, 0, "cannot convert the frame");
      return FALSE;
    }
  sws_setColorspaceDetails (self->sws, sws_getCoefficients (SWS_CS_ITU709), 1,
                            sws_getCoefficients (SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);

  /* The encoder may still hold a reference to the last buffer. */
  ret = av_frame_make_writable (self->yuv);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_FAILED, self->path, ret, "cannot convert the frame");
      return FALSE;
    }
  src_data[0] = image->data;
  src_linesize[0] = (int) image->stride;
  sws_scale (self->sws, src_data, src_linesize, 0, image->height, self->yuv->data,
             self->yuv->linesize);
  self->yuv->pts = pts;

  if (!encode_video (self, self->yuv, error))
    return FALSE;

  self->last_pts = pts;
  self->have_last = TRUE;
  self->frames++;

  /* Audio up to this frame's time, so the streams stay interleaved. */
  return advance_audio (self, pts * av_q2d (self->venc->time_base), error);
}

gboolean
lk_video_writer_finish (LkVideoWriter  *self,
                        GCancellable   *cancellable,
                        GError        **error)
{
  int ret;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->finished || self->aborted)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, self->path, 0,
                            "the video was already %s", self->finished ? "finished" : "aborted");
      return FALSE;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;
  if (self->frames == 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_INVALID_INPUT, self->path, 0, "no frames were written");
      goto fail;
    }

  /* The last frame lasts as long as the one before it (or one frame at the
   * nominal rate). */
  if (self->last_step <= 0)
    self->last_step = self->params.frame_rate > 0
                      ? MAX (1, av_rescale_q (1, av_inv_q (self->venc->framerate),
                                              self->venc->time_base))
                      : 1;
  set_duration (self, self->last_pts, self->last_step);

  if (!encode_video (self, NULL, error))
    goto fail;
  if (!advance_audio (self, -1, error))
    goto fail;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  ret = av_write_trailer (self->oc);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_IO, self->path, ret, "cannot finish the file");
      goto fail;
    }
  ret = avio_closep (&self->oc->pb);
  if (ret < 0)
    {
      _lk_ffmpeg_set_error (error, LK_ERROR_IO, self->path, ret, "cannot finish the file");
      goto fail;
    }
  if (g_rename (self->tmp_path, self->path) != 0)
    {
      int saved = errno;

      _lk_ffmpeg_set_error (error, LK_ERROR_IO, self->path, 0, "cannot rename %s to it: %s",
                            self->tmp_path, g_strerror (saved));
      goto fail;
    }

  close_all (self);
  self->finished = TRUE;
  return TRUE;

fail:
  lk_video_writer_abort (self);
  return FALSE;
}
