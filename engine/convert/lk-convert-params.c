/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-convert"

#include "config.h"

#include "lk-convert-params.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "lk-convert-enum-types.h"
#include "lk-error.h"
#include "lk-mask-enum-types.h"
#include "lk-types.h"
#include "lk-video-writer.h"

static const char * const codec_encoders[] = { "libx264", "libx265", "libvpx-vp9", NULL };
static const char *
name_of (const char * const *names,
         guint               n,
         int                 value)
{
  return value >= 0 && (guint) value < n ? names[value] : "unknown";
}

/* The settings' strings are the enums' nicks; "unknown" for a value out of
 * range. */
static const char *
nick_or_unknown (GType type,
                 int   value)
{
  const char *nick = lk_enum_to_nick (type, value);

  return nick != NULL ? nick : "unknown";
}

const char *
lk_convert_direction_to_string (LkConvertDirection direction)
{
  return nick_or_unknown (LK_TYPE_CONVERT_DIRECTION, direction);
}

int
lk_convert_direction_from_string (const char *text)
{
  return lk_enum_from_nick (LK_TYPE_CONVERT_DIRECTION, text);
}

const char *
lk_export_codec_to_string (LkExportCodec codec)
{
  return nick_or_unknown (LK_TYPE_EXPORT_CODEC, codec);
}

int
lk_export_codec_from_string (const char *text)
{
  int i = lk_enum_from_nick (LK_TYPE_EXPORT_CODEC, text);

  if (i < 0 && g_strcmp0 (text, "h265") == 0)
    i = LK_EXPORT_CODEC_HEVC;
  return i;
}

const char *
lk_export_codec_encoder (LkExportCodec codec)
{
  return name_of (codec_encoders, 3, codec);
}

gboolean
lk_export_codec_available (LkExportCodec codec)
{
  g_auto(GStrv) encoders = lk_video_writer_list_encoders ();

  return encoders != NULL && g_strv_contains ((const char * const *) encoders,
                                              lk_export_codec_encoder (codec));
}

const char *
lk_convert_mask_type_to_string (LkMaskType type)
{
  return nick_or_unknown (LK_TYPE_MASK_TYPE, type);
}

int
lk_convert_mask_type_from_string (const char *text)
{
  return lk_enum_from_nick (LK_TYPE_MASK_TYPE, text);
}

const char *
lk_convert_colour_to_string (LkColourMode mode)
{
  return nick_or_unknown (LK_TYPE_COLOUR_MODE, mode);
}

int
lk_convert_colour_from_string (const char *text)
{
  int i = lk_enum_from_nick (LK_TYPE_COLOUR_MODE, text);

  if (i < 0 && g_strcmp0 (text, "hist") == 0)
    i = LK_COLOUR_HISTOGRAM;
  return i;
}

const char *
lk_convert_blend_to_string (LkBlendMode mode)
{
  return nick_or_unknown (LK_TYPE_BLEND_MODE, mode);
}

int
lk_convert_blend_from_string (const char *text)
{
  return lk_enum_from_nick (LK_TYPE_BLEND_MODE, text);
}

/* ---- The schema ------------------------------------------------------------ */

#define OFFSET(field) G_STRUCT_OFFSET (LkConvertParams, field)

static const LkSettingChoice mask_type_choices[] = {
  { "hull", N_("Hull") },
  { "extended", N_("Extended") },
  { NULL }
};

static const LkSettingChoice colour_choices[] = {
  { "none", N_("None") },
  { "reinhard", N_("Reinhard") },
  { "histogram", N_("Histogram") },
  { NULL }
};

static const LkSettingChoice blend_choices[] = {
  { "alpha", N_("Alpha") },
  { "laplacian", N_("Laplacian") },
  { NULL }
};

static const LkSettingChoice codec_choices[] = {
  { "h264", "H.264" },
  { "hevc", "HEVC (H.265)" },
  { "vp9", "VP9" },
  { NULL }
};

static const LkSettingChoice preset_choices[] = {
  { "ultrafast" }, { "superfast" }, { "veryfast" }, { "faster" }, { "fast" },
  { "medium" }, { "slow" }, { "slower" }, { "veryslow" },
  { NULL }
};

static const LkSettingChoice direction_choices[] = {
  { "A2B", N_("A’s face onto B") },
  { "B2A", N_("B’s face onto A") },
  { NULL }
};

/* The only place where a conversion setting's default, range and choices
 * are written down. Offsets and edges are in pixels of the video. */
static const LkSettingDef convert_settings[] = {
  { .key = "mask.type", .type = LK_SETTING_ENUM, .offset = OFFSET (compose.mask.type),
    .default_text = "hull", .enum_type = lk_mask_type_get_type, .choices = mask_type_choices,
    .label = N_("Mask"),
    .description = N_("Hull follows the jaw and brows; extended also covers the forehead"),
    .cli_name = "mask" },
  { .key = "mask.feather", .type = LK_SETTING_DOUBLE, .offset = OFFSET (compose.mask.feather),
    .default_text = "12", .min = 0, .max = 500,
    .label = N_("Feather"), .description = N_("Width of the soft edge, in pixels"),
    .cli_name = "feather", .unit = "PX" },
  { .key = "mask.expand", .type = LK_SETTING_DOUBLE, .offset = OFFSET (compose.mask.expand),
    .default_text = "0", .min = -500, .max = 500,
    .label = N_("Expand"), .description = N_("Grow the mask, in pixels; negative values shrink it"),
    .cli_name = "expand", .unit = "PX" },
  { .key = "mask.offset-top", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (compose.mask.offset_top), .default_text = "0", .min = -500, .max = 500,
    .label = N_("Top"), .description = N_("Move the mask's top edge out"),
    .cli_name = "offset-top", .unit = "PX" },
  { .key = "mask.offset-bottom", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (compose.mask.offset_bottom), .default_text = "0", .min = -500, .max = 500,
    .label = N_("Bottom"), .description = N_("Move the mask's bottom edge out"),
    .cli_name = "offset-bottom", .unit = "PX" },
  { .key = "mask.offset-left", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (compose.mask.offset_left), .default_text = "0", .min = -500, .max = 500,
    .label = N_("Left"), .description = N_("Move the mask's left edge out"),
    .cli_name = "offset-left", .unit = "PX" },
  { .key = "mask.offset-right", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (compose.mask.offset_right), .default_text = "0", .min = -500, .max = 500,
    .label = N_("Right"), .description = N_("Move the mask's right edge out"),
    .cli_name = "offset-right", .unit = "PX" },
  { .key = "mask.use-model-mask", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (use_model_mask),
    .default_text = "false",
    .label = N_("Model mask"),
    .description = N_("Combine the model's own mask channel, when it has one, with the landmark mask"),
    .cli_name = "model-mask" },
  { .key = "mask.color-mode", .type = LK_SETTING_ENUM, .offset = OFFSET (compose.colour),
    .default_text = "reinhard", .enum_type = lk_colour_mode_get_type,
    .choices = colour_choices,
    .label = N_("Colour matching"), .description = N_("Match the skin tones of the video"),
    .cli_name = "colour" },
  { .key = "mask.blend-mode", .type = LK_SETTING_ENUM, .offset = OFFSET (compose.blend),
    .default_text = "laplacian", .enum_type = lk_blend_mode_get_type, .choices = blend_choices,
    .label = N_("Blend"),
    .description = N_("Alpha fades across the soft edge; Laplacian also blends the lighting"),
    .cli_name = "blend" },
  { .key = "mask.blend-levels", .type = LK_SETTING_INT, .offset = OFFSET (compose.levels),
    .default_text = "5", .min = 1, .max = LK_BLEND_MAX_LEVELS,
    .label = N_("Pyramid levels"),
    .description = N_("More levels blend lighting over a wider area"),
    .cli_name = "levels", .unit = "N" },
  { .key = "mask.temporal-smoothing", .type = LK_SETTING_DOUBLE, .offset = OFFSET (smoothing),
    .default_text = "0.5", .min = 0, .max = 1,
    .label = N_("Temporal smoothing"),
    .description = N_("Steadies the face and mask between frames; 0 is off"),
    .cli_name = "smoothing", .unit = "S" },

  { .key = "export.codec", .type = LK_SETTING_ENUM, .offset = OFFSET (codec),
    .default_text = "h264", .enum_type = lk_export_codec_get_type, .choices = codec_choices,
    .label = N_("Video codec"), .description = N_("Video codec"), .cli_name = "codec" },
  { .key = "export.crf", .type = LK_SETTING_INT, .offset = OFFSET (crf),
    .default_text = "20", .min = 0, .max = 63,
    .label = N_("Quality"),
    .description = N_("Constant rate factor: lower values give better quality and larger files"),
    .cli_name = "crf", .unit = "N" },
  { .key = "export.preset", .type = LK_SETTING_STRING, .offset = OFFSET (preset),
    .size = LK_CONVERT_PRESET_MAX, .default_text = "medium", .choices = preset_choices,
    .label = N_("Encoder speed"),
    .description = N_("Slower presets give smaller files at the same quality"),
    .cli_name = "preset" },
  /* The Export page's range; the CLI has --start and --end instead, which
   * also take times. */
  { .key = "export.whole-video", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (whole_video),
    .default_text = "true", .label = N_("Whole video") },
  { .key = "export.start-frame", .type = LK_SETTING_INT, .offset = OFFSET (page_start_frame),
    .default_text = "0", .min = 0, .max = 10000000, .label = N_("First frame") },
  { .key = "export.end-frame", .type = LK_SETTING_INT, .offset = OFFSET (page_end_frame),
    .default_text = "0", .min = 0, .max = 10000000, .label = N_("Last frame") },
  { .key = "export.metadata", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (metadata),
    .default_text = "true", .label = N_("Metadata"),
    .description = N_("Write “synthetic”, the tool and its version into the file"),
    .cli_name = "metadata" },
  { .key = "export.sidecar", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (sidecar),
    .default_text = "true", .label = N_("Record file"),
    .description = N_("Write the provenance file OUTPUT.likeness.json"),
    .cli_name = "sidecar" },
  { .key = "export.burn-in-label", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (label),
    .default_text = "false", .label = N_("Visible label"),
    .description = N_("Burn a visible “AI-GENERATED” label into the picture"),
    .cli_name = "label" },

  { .key = "convert.direction", .type = LK_SETTING_ENUM, .offset = OFFSET (direction),
    .default_text = "A2B", .enum_type = lk_convert_direction_get_type,
    .choices = direction_choices, .label = N_("Direction"),
    .description = N_("A2B: A's face onto B, who is in TARGET (default); B2A: B's face onto A"),
    .cli_name = "direction", .cli_short = 'd' },
  { .key = "convert.redetect-interval", .type = LK_SETTING_INT,
    .offset = OFFSET (redetect_interval), .default_text = "10", .min = 1, .max = 1000,
    .label = N_("Detection interval"),
    .description = N_("Run the full face detector at least every N frames (faces are tracked between)"),
    .cli_name = "redetect", .unit = "N" },
  { .key = "convert.max-faces", .type = LK_SETTING_INT, .offset = OFFSET (max_faces),
    .default_text = "8", .min = 1, .max = 64, .label = N_("Faces per frame"),
    .description = N_("Replace at most this many faces in a frame"),
    .cli_name = "max-faces", .unit = "N" },
};

#undef OFFSET

static const LkSettingGroup convert_group = {
  "convert", convert_settings, G_N_ELEMENTS (convert_settings)
};

const LkSettingGroup *
lk_convert_params_get_schema (void)
{
  return &convert_group;
}

LkConvertParams
lk_convert_params_default (void)
{
  LkConvertParams p = { 0 };

  /* What the schema does not cover: the mask's own defaults (forehead,
   * model mode) and the CLI's time range. */
  p.compose = lk_compose_params_default ();
  lk_setting_group_set_defaults (&convert_group, &p);
  p.start_frame = -1;
  p.end_frame = -1;
  p.start_time = -1;
  p.end_time = -1;
  return p;
}

LkConvertParams
lk_convert_params_from_project (LkProject *project)
{
  LkConvertParams p = lk_convert_params_default ();

  g_return_val_if_fail (LK_IS_PROJECT (project), p);

  lk_project_load_settings (project, &convert_group, &p);
  if (!p.whole_video)
    {
      p.start_frame = p.page_start_frame;
      /* The page's end of 0 means "to the end". */
      p.end_frame = p.page_end_frame > 0 ? p.page_end_frame : -1;
    }
  return p;
}

gboolean
lk_convert_params_validate (const LkConvertParams *p,
                            GError               **error)
{
  const char *bad = NULL;

  g_return_val_if_fail (p != NULL, FALSE);

  if (!lk_setting_group_check (&convert_group, p, error))
    return FALSE;

  if (p->end_frame >= 0 && p->start_frame > p->end_frame)
    bad = _("the frame range starts after its end");
  else if (p->start_time >= 0 && p->end_time >= 0 && p->start_time >= p->end_time)
    bad = _("the time range does not start before its end");
  else if (p->codec != LK_EXPORT_CODEC_VP9 && p->crf > 51)
    bad = _("export.crf goes up to 51 for H.264 and HEVC (63 for VP9)");

  if (bad != NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("Invalid conversion setting: %s"), bad);
      return FALSE;
    }
  return TRUE;
}

JsonNode *
lk_convert_params_to_json (const LkConvertParams *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (p != NULL, NULL);

  json_builder_begin_object (b);
  lk_setting_group_add_json (&convert_group, p, b);

  /* What was used beyond the schema: the effective range, the encoder and
   * the mask's fixed parameters. */
#define STR(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_string_value (b, v); } G_STMT_END
#define DBL(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_double_value (b, v); } G_STMT_END
#define INT(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_int_value (b, v); } G_STMT_END
  DBL ("mask.forehead", p->compose.mask.forehead);
  STR ("mask.model-mode", lk_enum_to_nick (LK_TYPE_MASK_MODEL_MODE,
                                           p->compose.mask.model_mode == LK_MASK_MODEL_REPLACE
                                           ? LK_MASK_MODEL_REPLACE : LK_MASK_MODEL_MULTIPLY));
  INT ("range.start-frame", p->start_frame);
  INT ("range.end-frame", p->end_frame);
  DBL ("range.start-time", p->start_time);
  DBL ("range.end-time", p->end_time);
  STR ("export.encoder", lk_export_codec_encoder (p->codec));
  json_builder_end_object (b);
#undef STR
#undef DBL
#undef INT

  return json_builder_get_root (b);
}
