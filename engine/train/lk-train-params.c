/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train"

#include "config.h"

#include "lk-train-params.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <math.h>

#include "lk-error.h"
#include "lk-train-enum-types.h"
#include "lk-train-private.h"
#include "lk-types.h"

LkTrainParams
lk_train_params_default (void)
{
  LkTrainParams p = {
    .face_size = 128,
    .encoder_width = 64,
    .decoder_width = 64,
    .bottleneck = 256,
    .batch_size = 16,
    .learning_rate = 5e-5,
    .pixel_loss = LK_TRAIN_LOSS_L1,
    .dssim_weight = 1.0,
    .face_area_only = TRUE,
    .eye_mouth_weight = 0.0,
    .gan = FALSE,
    .gan_weight = 0.1,
    .critic_learning_rate = 2e-5,
    .augment = TRUE,
    .seed = 1,
    .deterministic = FALSE,
    .save_interval = 10.0,
    .keep_checkpoints = 3,
    .preview_interval = 15.0,
    .device = LK_TRAIN_DEVICE_AUTO,
    .cuda_graphs = FALSE,
  };

  return p;
}

const char *
lk_train_loss_to_string (LkTrainLoss loss)
{
  const char *nick = lk_enum_to_nick (LK_TYPE_TRAIN_LOSS, loss);

  g_return_val_if_fail (nick != NULL, NULL);
  return nick;
}

int
lk_train_loss_from_string (const char *name)
{
  return lk_enum_from_nick (LK_TYPE_TRAIN_LOSS, name);
}

const char *
lk_train_device_to_string (LkTrainDevice device)
{
  const char *nick = lk_enum_to_nick (LK_TYPE_TRAIN_DEVICE, device);

  g_return_val_if_fail (nick != NULL, NULL);
  return nick;
}

int
lk_train_device_from_string (const char *name)
{
  return lk_enum_from_nick (LK_TYPE_TRAIN_DEVICE, name);
}

/* ---- Reading and writing the project's settings ------------------------- */

static gboolean
parse_double (const char *text,
              double     *out)
{
  char *end = NULL;
  double v;

  if (text == NULL)
    return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

static void
read_double (LkProject  *project,
             const char *key,
             double     *value,
             double      min,
             double      max)
{
  g_autofree char *text = lk_project_get_setting (project, key);
  double v;

  if (text == NULL)
    return;
  if (!parse_double (text, &v) || v < min || v > max)
    {
      g_message ("setting %s: “%s” is not a number from %g to %g; using %g", key, text, min,
                 max, *value);
      return;
    }
  *value = v;
}

static void
read_int (LkProject  *project,
          const char *key,
          int        *value,
          int         min,
          int         max)
{
  double v = *value;

  read_double (project, key, &v, min, max);
  *value = (int) v;
}

static void
read_bool (LkProject  *project,
           const char *key,
           gboolean   *value)
{
  g_autofree char *text = lk_project_get_setting (project, key);

  if (text == NULL)
    return;
  if (g_ascii_strcasecmp (text, "true") == 0 || g_str_equal (text, "1"))
    *value = TRUE;
  else if (g_ascii_strcasecmp (text, "false") == 0 || g_str_equal (text, "0"))
    *value = FALSE;
  else
    g_message ("setting %s: “%s” is not true or false", key, text);
}

LkTrainParams
lk_train_params_from_project (LkProject *project)
{
  LkTrainParams p = lk_train_params_default ();
  g_autofree char *loss = NULL;
  g_autofree char *device = NULL;
  double seed = (double) p.seed;
  int face_size = p.face_size;

  g_return_val_if_fail (LK_IS_PROJECT (project), p);

  read_int (project, "train.face-size", &face_size, 64, 256);
  if (face_size == 64 || face_size == 128 || face_size == 256)
    p.face_size = face_size;
  else
    g_message ("setting train.face-size: %d is not 64, 128 or 256", face_size);
  read_int (project, "train.encoder-width", &p.encoder_width, 4, 512);
  read_int (project, "train.decoder-width", &p.decoder_width, 4, 512);
  read_int (project, "train.bottleneck", &p.bottleneck, 8, 4096);
  read_int (project, "train.batch-size", &p.batch_size, 1, 4096);
  read_double (project, "train.learning-rate", &p.learning_rate, 1e-9, 1.0);
  loss = lk_project_get_setting (project, "train.loss");
  if (loss != NULL)
    {
      if (lk_train_loss_from_string (loss) >= 0)
        p.pixel_loss = lk_train_loss_from_string (loss);
      else
        g_message ("setting train.loss: “%s” is not l1 or mse", loss);
    }
  read_double (project, "train.dssim-weight", &p.dssim_weight, 0.0, 100.0);
  read_bool (project, "train.face-area-only", &p.face_area_only);
  read_double (project, "train.eye-mouth-weight", &p.eye_mouth_weight, 0.0, 100.0);
  read_bool (project, "train.gan", &p.gan);
  read_double (project, "train.gan-weight", &p.gan_weight, 0.0, 100.0);
  read_double (project, "train.critic-learning-rate", &p.critic_learning_rate, 1e-9, 1.0);
  read_bool (project, "train.augment", &p.augment);
  read_double (project, "train.seed", &seed, 0, 9007199254740992.0);
  p.seed = (guint64) seed;
  read_double (project, "train.save-interval", &p.save_interval, 0.0, 1e6);
  read_int (project, "train.keep-checkpoints", &p.keep_checkpoints, 1, 1000);
  read_double (project, "train.preview-interval", &p.preview_interval, 0.0, 1e6);
  device = lk_project_get_setting (project, "train.device");
  if (device != NULL)
    {
      if (lk_train_device_from_string (device) >= 0)
        p.device = lk_train_device_from_string (device);
      else
        g_message ("setting train.device: “%s” is not auto, cpu or cuda", device);
    }
  read_bool (project, "train.cuda-graphs", &p.cuda_graphs);

  return p;
}

static gboolean
set_double (LkProject   *project,
            const char  *key,
            double       value,
            GError     **error)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return lk_project_set_setting (project, key,
                                 g_ascii_formatd (buffer, sizeof buffer, "%.9g", value), error);
}

gboolean
lk_train_params_save_to_project (const LkTrainParams *p,
                                 LkProject           *project,
                                 GError             **error)
{
  g_return_val_if_fail (p != NULL, FALSE);
  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);

  return set_double (project, "train.face-size", p->face_size, error) &&
         set_double (project, "train.encoder-width", p->encoder_width, error) &&
         set_double (project, "train.decoder-width", p->decoder_width, error) &&
         set_double (project, "train.bottleneck", p->bottleneck, error) &&
         set_double (project, "train.batch-size", p->batch_size, error) &&
         set_double (project, "train.learning-rate", p->learning_rate, error) &&
         lk_project_set_setting (project, "train.loss", lk_train_loss_to_string (p->pixel_loss),
                                 error) &&
         set_double (project, "train.dssim-weight", p->dssim_weight, error) &&
         lk_project_set_setting (project, "train.face-area-only",
                                 p->face_area_only ? "true" : "false", error) &&
         set_double (project, "train.eye-mouth-weight", p->eye_mouth_weight, error) &&
         lk_project_set_setting (project, "train.gan", p->gan ? "true" : "false", error) &&
         set_double (project, "train.gan-weight", p->gan_weight, error) &&
         set_double (project, "train.critic-learning-rate", p->critic_learning_rate, error) &&
         lk_project_set_setting (project, "train.augment", p->augment ? "true" : "false", error) &&
         set_double (project, "train.seed", (double) p->seed, error) &&
         set_double (project, "train.save-interval", p->save_interval, error) &&
         set_double (project, "train.keep-checkpoints", p->keep_checkpoints, error) &&
         set_double (project, "train.preview-interval", p->preview_interval, error) &&
         lk_project_set_setting (project, "train.device", lk_train_device_to_string (p->device),
                                 error) &&
         lk_project_set_setting (project, "train.cuda-graphs", p->cuda_graphs ? "true" : "false",
                                 error);
}

gboolean
lk_train_params_validate (const LkTrainParams  *p,
                          GError              **error)
{
  const char *bad = NULL;

  g_return_val_if_fail (p != NULL, FALSE);

  if (p->face_size != 64 && p->face_size != 128 && p->face_size != 256)
    bad = "face-size (64, 128 or 256)";
  else if (p->encoder_width < 4 || p->encoder_width > 512)
    bad = "encoder-width (4 to 512)";
  else if (p->decoder_width < 4 || p->decoder_width > 512)
    bad = "decoder-width (4 to 512)";
  else if (p->bottleneck < 8 || p->bottleneck > 4096)
    bad = "bottleneck (8 to 4096)";
  else if (p->batch_size < 1 || p->batch_size > 4096)
    bad = "batch-size (1 to 4096)";
  else if (!(p->learning_rate > 0 && p->learning_rate <= 1))
    bad = "learning-rate (above 0, at most 1)";
  else if ((guint) p->pixel_loss > LK_TRAIN_LOSS_MSE)
    bad = "loss (l1 or mse)";
  else if (!(p->dssim_weight >= 0 && p->dssim_weight <= 100))
    bad = "dssim-weight (0 to 100)";
  else if (!(p->eye_mouth_weight >= 0 && p->eye_mouth_weight <= 100))
    bad = "eye-mouth-weight (0 to 100)";
  else if (!(p->gan_weight >= 0 && p->gan_weight <= 100))
    bad = "gan-weight (0 to 100)";
  else if (!(p->critic_learning_rate > 0 && p->critic_learning_rate <= 1))
    bad = "critic-learning-rate (above 0, at most 1)";
  else if (!isfinite (p->save_interval))
    bad = "save-interval (minutes)";
  else if (p->keep_checkpoints < 1 || p->keep_checkpoints > 1000)
    bad = "keep-checkpoints (1 to 1000)";
  else if (!isfinite (p->preview_interval))
    bad = "preview-interval (seconds)";
  else if (p->threads < 0 || p->threads > 1024)
    bad = "threads (0 to 1024)";
  else if ((guint) p->device > LK_TRAIN_DEVICE_CUDA)
    bad = "device (auto, cpu or cuda)";

  if (bad != NULL)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("Training setting %s is out of range"), bad);
      return FALSE;
    }

  return TRUE;
}

char *
lk_train_params_to_json (const LkTrainParams *p)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
#define INT(name, v) json_builder_set_member_name (b, name); json_builder_add_int_value (b, v)
#define DBL(name, v) json_builder_set_member_name (b, name); json_builder_add_double_value (b, v)
#define BOOL(name, v) json_builder_set_member_name (b, name); json_builder_add_boolean_value (b, v)
#define STR(name, v) json_builder_set_member_name (b, name); json_builder_add_string_value (b, v)
  INT ("face-size", p->face_size);
  INT ("encoder-width", p->encoder_width);
  INT ("decoder-width", p->decoder_width);
  INT ("bottleneck", p->bottleneck);
  INT ("batch-size", p->batch_size);
  DBL ("learning-rate", p->learning_rate);
  STR ("loss", lk_train_loss_to_string (p->pixel_loss));
  DBL ("dssim-weight", p->dssim_weight);
  BOOL ("face-area-only", p->face_area_only);
  DBL ("eye-mouth-weight", p->eye_mouth_weight);
  BOOL ("gan", p->gan);
  DBL ("gan-weight", p->gan_weight);
  DBL ("critic-learning-rate", p->critic_learning_rate);
  BOOL ("augment", p->augment);
  INT ("seed", (gint64) p->seed);
  BOOL ("deterministic", p->deterministic);
  DBL ("save-interval", p->save_interval);
  INT ("keep-checkpoints", p->keep_checkpoints);
  DBL ("preview-interval", p->preview_interval);
  STR ("device", lk_train_device_to_string (p->device));
  BOOL ("cuda-graphs", p->cuda_graphs);
  INT ("threads", p->threads);
#undef INT
#undef DBL
#undef BOOL
#undef STR
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* ---- To the shim's configs ---------------------------------------------- */

void
_lk_train_params_to_model_config (const LkTrainParams *p,
                                  LkTorchModelConfig  *c)
{
  int w = p->encoder_width, d = p->decoder_width;

  *c = lk_torch_model_config_default ();
  c->face_size = p->face_size;
  /* 64 and 128 px: 4 levels (4x4 or 8x8 at the bottleneck); 256 px: 5. */
  c->n_levels = p->face_size >= 256 ? 5 : 4;
  for (int i = 0; i < c->n_levels; i++)
    c->encoder_widths[i] = MIN (w << i, 8 * w);
  c->bottleneck_dim = p->bottleneck;
  c->dense_channels = 8 * w;
  c->upscale_width = 8 * d;
  for (int i = 0; i < c->n_levels - 1; i++)
    c->decoder_widths[i] = MIN (d << (c->n_levels - 2 - i), 8 * d);
  c->n_identities = 2;
  c->mask_channel = 1;
}

void
_lk_train_params_to_torch_config (const LkTrainParams *p,
                                  LkTorchTrainConfig  *t)
{
  *t = lk_torch_train_config_default ();
  t->batch_size = p->batch_size;
  t->learning_rate = (float) p->learning_rate;
  t->pixel_loss = p->pixel_loss == LK_TRAIN_LOSS_MSE ? LK_TORCH_LOSS_MSE : LK_TORCH_LOSS_L1;
  t->dssim_weight = (float) (t->pixel_weight * p->dssim_weight);
  t->face_area_only = p->face_area_only;
  t->eye_mouth_weight = (float) p->eye_mouth_weight;
  t->gan = p->gan;
  t->gan_weight = (float) p->gan_weight;
  t->critic_learning_rate = (float) p->critic_learning_rate;
  t->cuda_graphs = p->cuda_graphs ? 1 : 0;
  if (!p->augment)
    {
      t->warp = 0;
      t->rotation_degrees = 0;
      t->scale = 0;
      t->shift = 0;
      t->flip = 0;
      t->color_jitter = 0;
    }
  t->seed = p->seed;
}

LkTorchDevice
_lk_train_device_to_torch (LkTrainDevice device)
{
  switch (device)
    {
    case LK_TRAIN_DEVICE_CPU:
      return LK_TORCH_DEVICE_CPU;
    case LK_TRAIN_DEVICE_CUDA:
      return LK_TORCH_DEVICE_CUDA;
    case LK_TRAIN_DEVICE_AUTO:
    default:
      return LK_TORCH_DEVICE_AUTO;
    }
}
