/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

#include "lk-project.h"

G_BEGIN_DECLS

/* Training needs at least this many included faces of each identity. */
#define LK_TRAIN_MIN_FACES 16

typedef enum
{
  LK_TRAIN_LOSS_L1,
  LK_TRAIN_LOSS_MSE,
} LkTrainLoss;

typedef enum
{
  LK_TRAIN_DEVICE_AUTO,   /* CUDA when present, else the CPU */
  LK_TRAIN_DEVICE_CPU,
  LK_TRAIN_DEVICE_CUDA,
} LkTrainDevice;

/**
 * LkTrainParams:
 *
 * Everything a training run can be told. Start from lk_train_params_default()
 * (or lk_train_params_from_project()) and change what you need.
 *
 * The model's architecture (face_size, encoder_width, decoder_width,
 * bottleneck) only matters for a new model: once a checkpoint exists, its
 * own architecture is used (see lk_trainer_reset_model()).
 *
 * The project settings ("train.<key>"), their defaults, ranges and
 * choices are declared once, in lk_train_params_get_schema ()
 * (lk-train-params.c); the Train page and likeness-cli train derive theirs
 * from it. deterministic and threads are not project settings.
 */
typedef struct
{
  /* the model (a new one) */
  int            face_size;          /* 64, 128 or 256 */
  int            encoder_width;      /* channels of the first encoder conv; doubled per level */
  int            decoder_width;      /* channels of the last decoder upscale; doubled upwards */
  int            bottleneck;         /* the dense bottleneck */

  /* the optimisation */
  int            batch_size;         /* faces per identity per step */
  double         learning_rate;      /* Adam */
  LkTrainLoss    pixel_loss;
  double         dssim_weight;       /* DSSIM's weight relative to the pixel loss */
  gboolean       face_area_only;     /* weight the loss by the landmark hull */
  double         eye_mouth_weight;   /* extra weight on eyes and mouth; 0: off */
  gboolean       gan;                /* train a patch critic too */
  double         gan_weight;
  double         critic_learning_rate;
  gboolean       augment;            /* random warp, rotation, scale, shift, flip, colour */
  guint64        seed;
  gboolean       deterministic;      /* deterministic algorithms (slower; for tests) */

  /* the run */
  double         save_interval;      /* minutes between checkpoints; <= 0: only on stop */
  int            keep_checkpoints;   /* newest checkpoints kept in model/ (>= 1) */
  double         preview_interval;   /* seconds between previews; <= 0: no previews */
  LkTrainDevice  device;
  gboolean       cuda_graphs;        /* replay the step as a captured CUDA graph (CUDA
                                        with libtorch >= 2.0; falls back to eager steps) */
  int            threads;            /* CPU threads for libtorch; 0: as the engine set it
                                        (one per core); not a project setting */
} LkTrainParams;

/* The settings schema of training: the train.* keys (lk-setting.h). */
const LkSettingGroup *lk_train_params_get_schema (void);

LkTrainParams  lk_train_params_default      (void);

/* The defaults overridden by the project's "train.*" settings. A setting
 * that cannot be parsed or is out of range keeps the default (with a log
 * message). */
LkTrainParams  lk_train_params_from_project (LkProject            *project);

/* Stores every field as a "train.*" setting, in the format read above. */
gboolean       lk_train_params_save_to_project (const LkTrainParams *params,
                                                LkProject           *project,
                                                GError             **error);

/* Checks ranges; the message names the setting. */
gboolean       lk_train_params_validate     (const LkTrainParams  *params,
                                             GError              **error);

/* The parameters as a JSON object (stored with each training run). */
char          *lk_train_params_to_json      (const LkTrainParams  *params);

const char    *lk_train_loss_to_string      (LkTrainLoss           loss);
int            lk_train_loss_from_string    (const char           *name);
const char    *lk_train_device_to_string    (LkTrainDevice         device);
int            lk_train_device_from_string  (const char           *name);

G_END_DECLS
