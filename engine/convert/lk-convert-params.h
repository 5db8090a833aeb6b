/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "lk-compose.h"
#include "lk-project.h"

G_BEGIN_DECLS

/*
 * LkConvertParams: every setting of a conversion and its export, in one
 * struct, so that the sidecar can record exactly what was used.
 *
 * The project keys, their defaults, ranges and choices are declared once,
 * in lk_convert_params_get_schema () (lk-convert-params.c): the Masks and
 * Export pages, likeness-cli convert and the sidecar all derive theirs from
 * it. Provenance: the container metadata and the sidecar are on by default;
 * the visible label is optional and off by default (it changes the picture).
 */

/* Identity A is the source person (whose face is put in), B the target
 * person (who is in the target video): `likeness-cli extract --identity`,
 * the Masks page (it previews B's videos) and `likeness-cli swap` use them
 * so. */
typedef enum
{
  /* A's face onto B: the target shows B, its faces are decoded as A */
  LK_CONVERT_A2B, /*< nick=A2B >*/
  /* B's face onto A: the target shows A, its faces are decoded as B */
  LK_CONVERT_B2A, /*< nick=B2A >*/
} LkConvertDirection;

typedef enum
{
  LK_EXPORT_CODEC_H264, /* libx264 in .mp4/.mkv/.mov */
  LK_EXPORT_CODEC_HEVC, /* libx265 */
  LK_EXPORT_CODEC_VP9,  /* libvpx-vp9, .webm or .mkv */
} LkExportCodec;

#define LK_CONVERT_PRESET_MAX 16

/**
 * LkConvertParams:
 * @direction: which way faces are replaced
 * @compose: mask, colour transfer and blend (lk-compose.h)
 * @use_model_mask: combine the model's mask channel (if it has one) with
 *   the landmark mask (multiply)
 * @smoothing: 0..1, temporal smoothing of the landmarks (One Euro) and of
 *   the mask; 0 is off
 * @redetect_interval: the tracker runs the full detector at least every
 *   this many frames (faces are tracked between); 1 detects on every frame
 * @max_faces: at most this many faces are replaced per frame
 * @whole_video: @page_start_frame: @page_end_frame: the Export page's range
 *   (export.whole-video, export.start-frame, export.end-frame; an end of 0
 *   is the last frame); lk_convert_params_from_project () turns them into
 *   @start_frame and @end_frame
 * @start_frame: @end_frame: a frame range (indices, @end_frame inclusive);
 *   -1: from the start / to the end
 * @start_time: @end_time: a time range in seconds (the frame shown at
 *   @start_time is the first; frames from @end_time on are left out); < 0:
 *   none. Both ranges may be given; a frame must be in both.
 * @codec: @crf: @preset: the encoder (CRF < 0: the encoder's default)
 * @label: burn a visible "AI-GENERATED" label into the frames
 * @metadata: write the provenance tags into the container
 * @sidecar: write <output>.likeness.json
 *
 * Frames keep their source timestamps (also inside a range, so that they
 * stay in step with the source's audio, which is cut to the range).
 */
typedef struct
{
  LkConvertDirection direction;
  LkComposeParams    compose;
  gboolean           use_model_mask;
  double             smoothing;
  int                redetect_interval;
  int                max_faces;
  gboolean           whole_video;
  int                page_start_frame;
  int                page_end_frame;
  gint64             start_frame;
  gint64             end_frame;
  double             start_time;
  double             end_time;
  LkExportCodec      codec;
  int                crf;
  char               preset[LK_CONVERT_PRESET_MAX];
  gboolean           label;
  gboolean           metadata;
  gboolean           sidecar;
} LkConvertParams;

/* The settings schema of conversions: mask.*, export.* and convert.* keys
 * (lk-setting.h). */
const LkSettingGroup *lk_convert_params_get_schema (void);

LkConvertParams lk_convert_params_default      (void);

/* Reads the schema's keys from @project; missing or unreadable values keep
 * the defaults (a bad value is logged, never fatal). Reads memory only
 * (lk_project_get_setting ()), so it is cheap on every slider step. */
LkConvertParams lk_convert_params_from_project (LkProject             *project);

/* Checks ranges (the schema's, and those between settings: the frame
 * range, the CRF of the codec); the message names the setting. */
gboolean        lk_convert_params_validate     (const LkConvertParams *params,
                                                GError               **error);

/* Every field as a JSON object (for the sidecar and the exports table). */
JsonNode       *lk_convert_params_to_json      (const LkConvertParams *params);

/* "A2B" / "B2A" and back (-1 for anything else). */
const char     *lk_convert_direction_to_string (LkConvertDirection     direction);
int             lk_convert_direction_from_string (const char          *text);

/* "h264" / "hevc" / "vp9" and back (-1); the libavcodec encoder's name. */
const char     *lk_export_codec_to_string      (LkExportCodec          codec);
int             lk_export_codec_from_string    (const char            *text);
const char     *lk_export_codec_encoder        (LkExportCodec          codec);
/* Whether this FFmpeg has the codec's encoder. */
gboolean        lk_export_codec_available      (LkExportCodec          codec);

/* Enum values <-> the settings' strings ("hull", "reinhard", "laplacian"...). */
const char     *lk_convert_mask_type_to_string (LkMaskType             type);
int             lk_convert_mask_type_from_string (const char          *text);
const char     *lk_convert_colour_to_string    (LkColourMode           mode);
int             lk_convert_colour_from_string  (const char            *text);
const char     *lk_convert_blend_to_string     (LkBlendMode            mode);
int             lk_convert_blend_from_string   (const char            *text);

G_END_DECLS
