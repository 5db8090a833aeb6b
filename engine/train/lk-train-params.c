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

/* ---- The schema ------------------------------------------------------------ */

#define OFFSET(field) G_STRUCT_OFFSET (LkTrainParams, field)

static const LkSettingChoice face_size_choices[] = {
  { "64", N_("64 px") },
  { "128", N_("128 px") },
  { "256", N_("256 px") },
  { NULL }
};

static const LkSettingChoice loss_choices[] = {
  { "l1", N_("L1") },
  { "mse", N_("MSE") },
  { NULL }
};

/* The only place where a training setting's default, range and choices are
 * written down. The architecture (face size, widths, bottleneck) applies to
 * a new model only. */
static const LkSettingDef train_settings[] = {
  { .key = "train.face-size", .type = LK_SETTING_INT, .offset = OFFSET (face_size),
    .default_text = "128", .min = 64, .max = 256, .choices = face_size_choices,
    .label = N_("Face size"),
    .description = N_("Width and height of the faces the model learns, in pixels"),
    .cli_name = "size", .unit = "PX" },
  { .key = "train.encoder-width", .type = LK_SETTING_INT, .offset = OFFSET (encoder_width),
    .default_text = "64", .min = 4, .max = 512, .label = N_("Encoder width"),
    .description = N_("Channels of the first encoder layer; each further layer doubles them"),
    .cli_name = "encoder-width", .unit = "N" },
  { .key = "train.decoder-width", .type = LK_SETTING_INT, .offset = OFFSET (decoder_width),
    .default_text = "64", .min = 4, .max = 512, .label = N_("Decoder width"),
    .description = N_("Channels of the last decoder layer"),
    .cli_name = "decoder-width", .unit = "N" },
  { .key = "train.bottleneck", .type = LK_SETTING_INT, .offset = OFFSET (bottleneck),
    .default_text = "256", .min = 8, .max = 4096, .label = N_("Bottleneck"),
    .description = N_("Size of the shared code between encoder and decoders"),
    .cli_name = "bottleneck", .unit = "N" },
  { .key = "train.batch-size", .type = LK_SETTING_INT, .offset = OFFSET (batch_size),
    .default_text = "16", .min = 1, .max = 4096, .label = N_("Batch size"),
    .description = N_("Faces of each person per step; larger batches need more memory"),
    .cli_name = "batch", .cli_short = 'b', .unit = "N" },
  { .key = "train.learning-rate", .type = LK_SETTING_DOUBLE, .offset = OFFSET (learning_rate),
    .default_text = "5e-05", .min = 1e-9, .max = 1, .label = N_("Learning rate"),
    .description = N_("Step size of the Adam optimiser"), .cli_name = "lr", .unit = "F" },
  { .key = "train.loss", .type = LK_SETTING_ENUM, .offset = OFFSET (pixel_loss),
    .default_text = "l1", .enum_type = lk_train_loss_get_type, .choices = loss_choices,
    .label = N_("Pixel loss"),
    .description = N_("L1 measures absolute differences, MSE squared ones"),
    .cli_name = "loss" },
  { .key = "train.dssim-weight", .type = LK_SETTING_DOUBLE, .offset = OFFSET (dssim_weight),
    .default_text = "1", .min = 0, .max = 100, .label = N_("Structural similarity weight"),
    .description = N_("Weight of the DSSIM term, which favours sharp detail"),
    .cli_name = "dssim", .unit = "W" },
  { .key = "train.face-area-only", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (face_area_only),
    .default_text = "true", .label = N_("Face area only"),
    .description = N_("Weight the loss by the face's landmark hull, not the background"),
    .cli_name = "face-area-only" },
  { .key = "train.eye-mouth-weight", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (eye_mouth_weight), .default_text = "0", .min = 0, .max = 100,
    .label = N_("Eye and mouth weight"),
    .description = N_("Extra weight of the loss on the eyes and mouth; 0 is off"),
    .cli_name = "eye-mouth-weight", .unit = "W" },
  { .key = "train.gan", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (gan),
    .default_text = "false", .label = N_("Use a critic"),
    .description = N_("Train a GAN critic too"), .cli_name = "gan" },
  { .key = "train.gan-weight", .type = LK_SETTING_DOUBLE, .offset = OFFSET (gan_weight),
    .default_text = "0.1", .min = 0, .max = 100, .label = N_("Critic weight"),
    .description = N_("Weight of the adversarial loss"), .cli_name = "gan-weight", .unit = "W" },
  { .key = "train.critic-learning-rate", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (critic_learning_rate), .default_text = "2e-05", .min = 1e-9, .max = 1,
    .label = N_("Critic learning rate"), .description = N_("Step size of the critic's optimiser"),
    .cli_name = "critic-lr", .unit = "F" },
  { .key = "train.augment", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (augment),
    .default_text = "true", .label = N_("Augmentation"),
    .description = N_("Random warp, rotation, scale, shift, flip and colour of the training faces"),
    .cli_name = "augment" },
  { .key = "train.seed", .type = LK_SETTING_UINT64, .offset = OFFSET (seed),
    .default_text = "1", .min = 0, .max = 9007199254740992.0, .label = N_("Seed"),
    .description = N_("Seed of a new model and of sampling"), .cli_name = "seed", .unit = "N" },
  { .key = "train.save-interval", .type = LK_SETTING_DOUBLE, .offset = OFFSET (save_interval),
    .default_text = "10", .min = 0, .max = 1e6, .label = N_("Save interval"),
    .description = N_("Save a checkpoint every MINUTES (0: only at the end)"),
    .cli_name = "save-every", .unit = "MINUTES" },
  { .key = "train.keep-checkpoints", .type = LK_SETTING_INT, .offset = OFFSET (keep_checkpoints),
    .default_text = "3", .min = 1, .max = 1000, .label = N_("Checkpoints kept"),
    .description = N_("Keep the newest N checkpoints"), .cli_name = "keep", .unit = "N" },
  { .key = "train.preview-interval", .type = LK_SETTING_DOUBLE,
    .offset = OFFSET (preview_interval), .default_text = "15", .min = 0, .max = 1e6,
    .label = N_("Preview interval"),
    .description = N_("Seconds between preview renders (0: none)"),
    .cli_name = "preview-every", .unit = "SECONDS" },
  { .key = "train.device", .type = LK_SETTING_ENUM, .offset = OFFSET (device),
    .default_text = "auto", .enum_type = lk_train_device_get_type, .label = N_("Compute device"),
    .description = N_("Where to train: auto, cpu or cuda"), .cli_name = "device" },
  { .key = "train.cuda-graphs", .type = LK_SETTING_BOOLEAN, .offset = OFFSET (cuda_graphs),
    .default_text = "false", .label = N_("CUDA graphs"),
    .description = N_("Replay each step as one captured graph: fewer launches, faster with small models"),
    .cli_name = "cuda-graphs" },
};

#undef OFFSET

static const LkSettingGroup train_group = {
  "train", train_settings, G_N_ELEMENTS (train_settings)
};

const LkSettingGroup *
lk_train_params_get_schema (void)
{
  return &train_group;
}

LkTrainParams
lk_train_params_default (void)
{
  LkTrainParams p = { 0 };

  /* deterministic and threads are not settings: off and "as set". */
  lk_setting_group_set_defaults (&train_group, &p);
  return p;
}

LkTrainParams
lk_train_params_from_project (LkProject *project)
{
  LkTrainParams p = lk_train_params_default ();

  g_return_val_if_fail (LK_IS_PROJECT (project), p);

  lk_project_load_settings (project, &train_group, &p);
  return p;
}

gboolean
lk_train_params_save_to_project (const LkTrainParams *p,
                                 LkProject           *project,
                                 GError             **error)
{
  g_return_val_if_fail (p != NULL, FALSE);
  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);

  return lk_project_store_settings (project, &train_group, p, error);
}

gboolean
lk_train_params_validate (const LkTrainParams  *p,
                          GError              **error)
{
  g_return_val_if_fail (p != NULL, FALSE);

  if (!lk_setting_group_check (&train_group, p, error))
    return FALSE;
  if (p->threads < 0 || p->threads > 1024)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("Training setting %s is out of range"), "threads (0 to 1024)");
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
  lk_setting_group_add_json (&train_group, p, b);
  json_builder_set_member_name (b, "deterministic");
  json_builder_add_boolean_value (b, p->deterministic);
  json_builder_set_member_name (b, "threads");
  json_builder_add_int_value (b, p->threads);
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
