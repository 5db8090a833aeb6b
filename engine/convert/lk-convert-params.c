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
static const char * const presets[] = {
  "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow",
  NULL
};

static int
index_of (const char * const *names,
          const char         *text)
{
  if (text == NULL)
    return -1;
  for (int i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp (names[i], text) == 0)
      return i;
  return -1;
}

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

LkConvertParams
lk_convert_params_default (void)
{
  LkConvertParams p = {
    .direction = LK_CONVERT_A2B,
    .compose = lk_compose_params_default (),
    .use_model_mask = FALSE,
    .smoothing = 0.5,
    .redetect_interval = 10,
    .max_faces = 8,
    .start_frame = -1,
    .end_frame = -1,
    .start_time = -1,
    .end_time = -1,
    .codec = LK_EXPORT_CODEC_H264,
    .crf = 20,
    .preset = "medium",
    .label = FALSE,
    .metadata = TRUE,
    .sidecar = TRUE,
  };

  /* The studio's defaults (app/lk-masks-page.c). */
  p.compose.mask.type = LK_MASK_HULL;
  p.compose.mask.feather = 12;
  p.compose.colour = LK_COLOUR_REINHARD;
  p.compose.blend = LK_BLEND_LAPLACIAN;
  p.compose.levels = 5;
  return p;
}

static void
read_choice (LkProject          *project,
             const char         *key,
             int               (*from_string) (const char *),
             int                *value)
{
  g_autofree char *text = lk_project_get_setting (project, key);
  int v;

  if (text == NULL)
    return;
  v = from_string (text);
  if (v < 0)
    g_warning ("Project setting %s has an unknown value “%s”; using the default", key, text);
  else
    *value = v;
}

static void
read_double (LkProject  *project,
             const char *key,
             double      min,
             double      max,
             double     *value)
{
  double v = lk_project_get_setting_double (project, key, NAN);

  if (isnan (v))
    return;
  if (v < min || v > max)
    g_warning ("Project setting %s = %g is out of range (%g to %g); using the default",
               key, v, min, max);
  else
    *value = v;
}

static void
read_int (LkProject  *project,
          const char *key,
          int         min,
          int         max,
          int        *value)
{
  double v = *value;

  read_double (project, key, min, max, &v);
  *value = (int) lround (v);
}

static void
read_bool (LkProject  *project,
           const char *key,
           gboolean   *value)
{
  g_autofree char *text = lk_project_get_setting (project, key);

  if (text == NULL)
    return;
  if (g_strcmp0 (text, "true") == 0 || g_strcmp0 (text, "1") == 0)
    *value = TRUE;
  else if (g_strcmp0 (text, "false") == 0 || g_strcmp0 (text, "0") == 0)
    *value = FALSE;
  else
    g_warning ("Project setting %s = “%s” is not true or false; using the default", key, text);
}

static int
mask_type_from_string (const char *text)
{
  return lk_convert_mask_type_from_string (text);
}

LkConvertParams
lk_convert_params_from_project (LkProject *project)
{
  LkConvertParams p = lk_convert_params_default ();
  int choice;
  gboolean whole = TRUE;
  double start = -1, end = -1;
  g_autofree char *preset = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), p);

  choice = p.compose.mask.type;
  read_choice (project, "mask.type", mask_type_from_string, &choice);
  p.compose.mask.type = choice;
  read_double (project, "mask.feather", 0, 500, &p.compose.mask.feather);
  read_double (project, "mask.expand", -500, 500, &p.compose.mask.expand);
  read_double (project, "mask.offset-top", -500, 500, &p.compose.mask.offset_top);
  read_double (project, "mask.offset-bottom", -500, 500, &p.compose.mask.offset_bottom);
  read_double (project, "mask.offset-left", -500, 500, &p.compose.mask.offset_left);
  read_double (project, "mask.offset-right", -500, 500, &p.compose.mask.offset_right);
  choice = p.compose.colour;
  read_choice (project, "mask.color-mode", lk_convert_colour_from_string, &choice);
  p.compose.colour = choice;
  choice = p.compose.blend;
  read_choice (project, "mask.blend-mode", lk_convert_blend_from_string, &choice);
  p.compose.blend = choice;
  read_int (project, "mask.blend-levels", 1, LK_BLEND_MAX_LEVELS, &p.compose.levels);
  read_double (project, "mask.temporal-smoothing", 0, 1, &p.smoothing);
  read_bool (project, "mask.use-model-mask", &p.use_model_mask);

  choice = p.codec;
  read_choice (project, "export.codec", lk_export_codec_from_string, &choice);
  p.codec = choice;
  read_int (project, "export.crf", 0, 63, &p.crf);
  preset = lk_project_get_setting (project, "export.preset");
  if (preset != NULL)
    {
      if (index_of (presets, preset) < 0)
        g_warning ("Project setting export.preset has an unknown value “%s”", preset);
      else
        g_strlcpy (p.preset, preset, sizeof p.preset);
    }
  read_bool (project, "export.whole-video", &whole);
  read_double (project, "export.start-frame", 0, G_MAXINT, &start);
  read_double (project, "export.end-frame", 0, G_MAXINT, &end);
  if (!whole)
    {
      p.start_frame = start >= 0 ? (gint64) start : -1;
      /* The page's end of 0 means "to the end". */
      p.end_frame = end > 0 ? (gint64) end : -1;
    }
  read_bool (project, "export.metadata", &p.metadata);
  read_bool (project, "export.sidecar", &p.sidecar);
  read_bool (project, "export.burn-in-label", &p.label);

  choice = p.direction;
  read_choice (project, "convert.direction", lk_convert_direction_from_string, &choice);
  p.direction = choice;
  read_int (project, "convert.redetect-interval", 1, 1000, &p.redetect_interval);
  read_int (project, "convert.max-faces", 1, 64, &p.max_faces);
  return p;
}

gboolean
lk_convert_params_validate (const LkConvertParams *p,
                            GError               **error)
{
  const char *bad = NULL;

  g_return_val_if_fail (p != NULL, FALSE);

  if (p->direction != LK_CONVERT_A2B && p->direction != LK_CONVERT_B2A)
    bad = "direction (A2B or B2A)";
  else if (p->compose.mask.feather < 0 || p->compose.mask.feather > 500)
    bad = "mask feather (0 to 500 px)";
  else if (fabs (p->compose.mask.expand) > 500)
    bad = "mask expand (-500 to 500 px)";
  else if (fabs (p->compose.mask.offset_top) > 500 || fabs (p->compose.mask.offset_bottom) > 500
           || fabs (p->compose.mask.offset_left) > 500 || fabs (p->compose.mask.offset_right) > 500)
    bad = "mask offsets (-500 to 500 px)";
  else if ((guint) p->compose.colour > LK_COLOUR_HISTOGRAM)
    bad = "colour transfer (none, reinhard or histogram)";
  else if ((guint) p->compose.blend > LK_BLEND_LAPLACIAN)
    bad = "blend (alpha or laplacian)";
  else if (p->compose.levels < 1 || p->compose.levels > LK_BLEND_MAX_LEVELS)
    bad = "blend levels (1 to 10)";
  else if (!(p->smoothing >= 0 && p->smoothing <= 1))
    bad = "smoothing (0 to 1)";
  else if (p->redetect_interval < 1)
    bad = "detection interval (at least 1)";
  else if (p->max_faces < 1)
    bad = "maximum faces (at least 1)";
  else if (p->end_frame >= 0 && p->start_frame > p->end_frame)
    bad = "frame range (start after end)";
  else if (p->start_time >= 0 && p->end_time >= 0 && p->start_time >= p->end_time)
    bad = "time range (start not before end)";
  else if ((guint) p->codec > LK_EXPORT_CODEC_VP9)
    bad = "codec (h264, hevc or vp9)";
  else if (p->crf > (p->codec == LK_EXPORT_CODEC_VP9 ? 63 : 51))
    bad = "CRF (0 to 51; 63 for VP9)";
  else if (index_of (presets, p->preset) < 0)
    bad = "preset (ultrafast to veryslow)";

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

#define STR(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_string_value (b, v); } G_STMT_END
#define DBL(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_double_value (b, v); } G_STMT_END
#define INT(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                 json_builder_add_int_value (b, v); } G_STMT_END
#define BOOL(k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                  json_builder_add_boolean_value (b, v); } G_STMT_END
  json_builder_begin_object (b);
  STR ("direction", lk_convert_direction_to_string (p->direction));
  STR ("mask.type", lk_convert_mask_type_to_string (p->compose.mask.type));
  DBL ("mask.feather", p->compose.mask.feather);
  DBL ("mask.expand", p->compose.mask.expand);
  DBL ("mask.offset-top", p->compose.mask.offset_top);
  DBL ("mask.offset-bottom", p->compose.mask.offset_bottom);
  DBL ("mask.offset-left", p->compose.mask.offset_left);
  DBL ("mask.offset-right", p->compose.mask.offset_right);
  DBL ("mask.forehead", p->compose.mask.forehead);
  STR ("mask.model-mode", lk_enum_to_nick (LK_TYPE_MASK_MODEL_MODE,
                                           p->compose.mask.model_mode == LK_MASK_MODEL_REPLACE
                                           ? LK_MASK_MODEL_REPLACE : LK_MASK_MODEL_MULTIPLY));
  BOOL ("mask.use-model-mask", p->use_model_mask);
  STR ("mask.color-mode", lk_convert_colour_to_string (p->compose.colour));
  STR ("mask.blend-mode", lk_convert_blend_to_string (p->compose.blend));
  INT ("mask.blend-levels", p->compose.levels);
  DBL ("mask.temporal-smoothing", p->smoothing);
  INT ("convert.redetect-interval", p->redetect_interval);
  INT ("convert.max-faces", p->max_faces);
  INT ("range.start-frame", p->start_frame);
  INT ("range.end-frame", p->end_frame);
  DBL ("range.start-time", p->start_time);
  DBL ("range.end-time", p->end_time);
  STR ("export.codec", lk_export_codec_to_string (p->codec));
  STR ("export.encoder", lk_export_codec_encoder (p->codec));
  INT ("export.crf", p->crf);
  STR ("export.preset", p->preset);
  BOOL ("export.burn-in-label", p->label);
  BOOL ("export.metadata", p->metadata);
  BOOL ("export.sidecar", p->sidecar);
  json_builder_end_object (b);
#undef STR
#undef DBL
#undef INT
#undef BOOL

  return json_builder_get_root (b);
}
