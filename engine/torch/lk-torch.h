/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lk-torch.h: the plain-C API of Likeness's libtorch shim.
 *
 * The swap model (a DeepFaceLab-style autoencoder: one shared encoder, a
 * dense bottleneck and a shared upscale, then one decoder per identity), its
 * training on the device (dataset upload, on-device augmentation, losses,
 * optional GAN critic, Adam) and its checkpoints (safetensors files holding
 * weights, optimizer and RNG state). Nothing C++ is visible here: handles are
 * opaque, and every function catches every exception inside the shim and
 * reports it as an LkTorchStatus plus a message copied into an LkTorchError.
 *
 * Threading contract:
 *  - The free functions (version, status strings, device queries, config
 *    defaults, checkpoint_read_*) may be called from any thread at any time.
 *  - An LkTorchModel or LkTorchTrainer is not thread-safe: use each from one
 *    thread at a time (the engine's worker thread); calls on different handles
 *    may run concurrently. A trainer borrows its model: keep the model alive
 *    and do not use it from another thread while the trainer is in use.
 *  - lk_torch_set_deterministic() changes process-wide libtorch settings;
 *    call it before creating models.
 *  - Functions do not keep pointers to caller memory after they return.
 *
 * Errors: every function that can fail takes an LkTorchError * (may be NULL)
 * and returns an LkTorchStatus (LK_TORCH_OK == 0) or a pointer that is NULL on
 * failure. Messages name the file and the problem where there is a file.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  LK_TORCH_OK = 0,
  LK_TORCH_ERROR_INVALID_ARGUMENT, /* a bad parameter or config */
  LK_TORCH_ERROR_NO_DEVICE,        /* the requested device is not available */
  LK_TORCH_ERROR_OUT_OF_MEMORY,    /* host or device memory ran out */
  LK_TORCH_ERROR_IO,               /* reading or writing a file failed */
  LK_TORCH_ERROR_CORRUPT,          /* a checkpoint is truncated or malformed */
  LK_TORCH_ERROR_INCOMPATIBLE,     /* a valid checkpoint that does not fit this model */
  LK_TORCH_ERROR_NO_DATA,          /* training without faces for an identity */
  LK_TORCH_ERROR_TORCH,            /* libtorch raised an error */
  LK_TORCH_ERROR_INTERNAL,         /* anything else */
} LkTorchStatus;

#define LK_TORCH_ERROR_MESSAGE_SIZE 512

typedef struct {
  LkTorchStatus status;
  char message[LK_TORCH_ERROR_MESSAGE_SIZE]; /* NUL-terminated, "" on success */
} LkTorchError;

/* A short English name of a status ("ok", "corrupt checkpoint", ...). */
const char *lk_torch_status_to_string (LkTorchStatus status);

/* The libtorch version the shim was built against, e.g. "1.13.0". */
const char *lk_torch_version (void);

/* ---- Devices ---------------------------------------------------------- */

typedef enum {
  LK_TORCH_DEVICE_AUTO = 0, /* CUDA when present, else the CPU */
  LK_TORCH_DEVICE_CPU,
  LK_TORCH_DEVICE_CUDA,
} LkTorchDevice;

/* Whether CUDA can be used (a libtorch with CUDA and a GPU). Creates nothing. */
int lk_torch_cuda_available (void);

/* Number of CUDA devices (0 without). */
int lk_torch_cuda_device_count (void);

/* The device AUTO resolves to now. */
LkTorchDevice lk_torch_best_device (void);

/* Writes a human-readable name of a device into name (size bytes): the GPU's
 * name for CUDA, "CPU (N threads)" for the CPU. */
LkTorchStatus lk_torch_device_name (LkTorchDevice device, char *name, size_t size,
                                    LkTorchError *error);

/* Intra-op threads for CPU work; <= 0 means the number of cores. The shim
 * calls this with 0 on first use if it was never called. */
void lk_torch_set_num_threads (int n_threads);
int lk_torch_get_num_threads (void);

/* Seeds libtorch's global generators and, when deterministic is non-zero,
 * asks for deterministic algorithms (cuDNN deterministic, no benchmark). */
void lk_torch_set_deterministic (int deterministic, uint64_t seed);

/* ---- Model ------------------------------------------------------------ */

#define LK_TORCH_MAX_LEVELS 6
#define LK_TORCH_MAX_IDENTITIES 4

typedef struct {
  int face_size;                             /* 64, 128 or 256 */
  int n_levels;                              /* encoder convs (each halves the size) */
  int encoder_widths[LK_TORCH_MAX_LEVELS];   /* channels of each 5x5 stride-2 conv */
  int bottleneck_dim;                        /* the dense bottleneck */
  int dense_channels;                        /* channels of the dense output, reshaped to
                                                face_size >> n_levels squared */
  int upscale_width;                         /* the shared pixel-shuffle upscale */
  int decoder_widths[LK_TORCH_MAX_LEVELS];   /* n_levels - 1 pixel-shuffle upscales */
  int n_identities;                          /* decoders, 1..LK_TORCH_MAX_IDENTITIES */
  int mask_channel;                          /* non-zero: decoders also output a mask */
} LkTorchModelConfig;

/* 128 px, encoder 64-128-256-512, bottleneck 256, dense 512 at 8x8, upscale
 * 512, decoders 256-128-64, two identities, with a mask channel. */
LkTorchModelConfig lk_torch_model_config_default (void);

/* Checks a config; on failure the message says which field is wrong. */
LkTorchStatus lk_torch_model_config_validate (const LkTorchModelConfig *config,
                                              LkTorchError *error);

typedef struct _LkTorchModel LkTorchModel;

/* Creates a model with weights initialised from seed on device (AUTO picks
 * the best). NULL on failure. */
LkTorchModel *lk_torch_model_new (const LkTorchModelConfig *config, LkTorchDevice device,
                                  uint64_t seed, LkTorchError *error);
void lk_torch_model_free (LkTorchModel *model);

const LkTorchModelConfig *lk_torch_model_get_config (const LkTorchModel *model);
LkTorchDevice lk_torch_model_get_device (const LkTorchModel *model);
/* Trainable parameters of the autoencoder (not the GAN critic). */
int64_t lk_torch_model_parameter_count (const LkTorchModel *model);

/* A view of one 8-bit image in caller memory, face_size x face_size. */
typedef struct {
  uint8_t *data;   /* first pixel; const for inputs */
  int      width;  /* must equal the model's face_size */
  int      height; /* must equal the model's face_size */
  int      channels; /* 3 (RGB) for images, 1 for masks */
  size_t   stride; /* bytes per row, >= width * channels */
} LkTorchPixels;

/* Runs n faces through the shared encoder and the decoder of identity:
 * inputs[i] (RGB) -> rgb_out[i] (RGB) and, when the model has a mask channel
 * and mask_out is not NULL, mask_out[i] (1 channel, 0..255). */
LkTorchStatus lk_torch_model_swap (LkTorchModel *model, int identity,
                                   const LkTorchPixels *inputs, int n,
                                   LkTorchPixels *rgb_out, LkTorchPixels *mask_out,
                                   LkTorchError *error);

/* As lk_torch_model_swap, with the mask as floats in [0, 1]: mask_out[i]
 * points to face_size * face_size floats (row-major). */
LkTorchStatus lk_torch_model_swap_float_mask (LkTorchModel *model, int identity,
                                              const LkTorchPixels *inputs, int n,
                                              LkTorchPixels *rgb_out, float **mask_out,
                                              LkTorchError *error);

/* ---- Checkpoints -------------------------------------------------------
 *
 * One file per save, in the safetensors layout: an 8-byte little-endian
 * header length, a JSON header (dtype, shape, data_offsets per tensor and a
 * "__metadata__" map of strings holding the model config, the iteration, the
 * identities' names and the caller's strings), then the raw little-endian
 * tensor bytes. Tensors: the model's weights ("encoder.*", "inter.*",
 * "decoder0.*", ...), with a trainer also Adam's state
 * ("optim.<param>.exp_avg", ".exp_avg_sq", ".step"), the critic's weights and
 * optimizer ("critic.*", "optim.critic.*") and the generator state
 * ("rng.state"). Python's safetensors reads them.
 *
 * Saving writes PATH.tmp-XXXXXX in the same folder, fsyncs it, renames it to
 * PATH and fsyncs the folder: a kill at any moment leaves either the old or
 * the new PATH (and maybe a stale .tmp- file, removable at any time). Keeping
 * only the last N checkpoints is the caller's job (the engine's trainer). */

typedef struct {
  const char *key;   /* not starting with "likeness." (reserved for the shim) */
  const char *value;
} LkTorchMetadata;

/* Saves the model's weights only (for inference or sharing). identity_names
 * may be NULL ("A", "B", ...). */
LkTorchStatus lk_torch_model_save (LkTorchModel *model, const char *path,
                                   const char *const *identity_names,
                                   const LkTorchMetadata *metadata, int n_metadata,
                                   LkTorchError *error);

/* Loads weights into an existing model; the checkpoint's config must match. */
LkTorchStatus lk_torch_model_load (LkTorchModel *model, const char *path, LkTorchError *error);

/* Creates a model from a checkpoint's config and weights. */
LkTorchModel *lk_torch_model_new_from_checkpoint (const char *path, LkTorchDevice device,
                                                  LkTorchError *error);

typedef struct {
  LkTorchModelConfig config;
  int64_t iteration;     /* train steps done; 0 for a weights-only save */
  int has_trainer_state; /* optimizer and RNG state present */
  int has_critic;        /* GAN critic present */
  int n_tensors;
  int64_t data_bytes;
} LkTorchCheckpointInfo;

/* Reads and validates a checkpoint's header (not the tensor data). */
LkTorchStatus lk_torch_checkpoint_read_info (const char *path, LkTorchCheckpointInfo *info,
                                             LkTorchError *error);

/* Calls func for every "__metadata__" entry, the shim's own included. */
typedef void (*LkTorchMetadataFunc) (const char *key, const char *value, void *user_data);
LkTorchStatus lk_torch_checkpoint_read_metadata (const char *path, LkTorchMetadataFunc func,
                                                 void *user_data, LkTorchError *error);

/* ---- Training --------------------------------------------------------- */

typedef enum {
  LK_TORCH_LOSS_L1 = 0,
  LK_TORCH_LOSS_MSE,
} LkTorchPixelLoss;

typedef enum {
  LK_TORCH_PRECISION_AUTO = 0, /* bf16 autocast on CUDA, fp32 on the CPU */
  LK_TORCH_PRECISION_FP32,
  LK_TORCH_PRECISION_BF16,     /* autocast; on the CPU too (slow, for tests) */
} LkTorchPrecision;

typedef struct {
  int batch_size;            /* faces per identity per step */
  float learning_rate;       /* Adam */
  float beta1, beta2, eps;

  LkTorchPixelLoss pixel_loss;
  float pixel_weight;        /* weight of L1 / MSE */
  float dssim_weight;        /* weight of DSSIM (11x11 gaussian SSIM) */
  float mask_weight;         /* weight of the mask channel's MSE (needs face masks) */
  int face_area_only;        /* weight pixels by the face mask (needs face masks) */
  float eye_mouth_weight;    /* extra weight on the second mask (eyes, mouth); 0 = off */

  int gan;                   /* train a patch critic in alternation */
  float gan_weight;          /* weight of the generator's adversarial loss */
  float critic_learning_rate;
  int critic_width;          /* channels of the critic's first conv */

  /* augmentation, on the device; the input is warped, the target is not */
  float warp;                /* random warp strength (0 = off), ~0.1 */
  float rotation_degrees;    /* +- */
  float scale;               /* +- fraction */
  float shift;               /* +- fraction of the size */
  int flip;                  /* random horizontal flip */
  float color_jitter;        /* +- per-channel gain and offset */

  LkTorchPrecision precision;
  int channels_last;         /* -1 auto (on for CUDA), 0 off, 1 on */
  int cuda_graphs;           /* 1: after a few eager steps, capture the step as a CUDA
                              * graph and replay it (CUDA, libtorch >= 2.0, not
                              * deterministic); falls back to eager steps. 0: off */
  uint64_t seed;             /* the trainer's generator */
} LkTorchTrainConfig;

LkTorchTrainConfig lk_torch_train_config_default (void);

typedef struct _LkTorchTrainer LkTorchTrainer;

/* A trainer for model (borrowed: it must outlive the trainer). */
LkTorchTrainer *lk_torch_trainer_new (LkTorchModel *model, const LkTorchTrainConfig *config,
                                      LkTorchError *error);
void lk_torch_trainer_free (LkTorchTrainer *trainer);

/* Uploads identity's faces to the device once, replacing earlier ones: n
 * images (RGB, face_size square), face_masks (1 channel, the face area, e.g.
 * the landmark hull) and feature_masks (1 channel, eyes and mouth) may be NULL. */
LkTorchStatus lk_torch_trainer_set_faces (LkTorchTrainer *trainer, int identity,
                                          const LkTorchPixels *images,
                                          const LkTorchPixels *face_masks,
                                          const LkTorchPixels *feature_masks, int n,
                                          LkTorchError *error);

typedef struct {
  int64_t iteration;                         /* steps done after this call */
  int n_identities;
  float loss[LK_TORCH_MAX_IDENTITIES];       /* total weighted loss per identity */
  float pixel_loss[LK_TORCH_MAX_IDENTITIES];
  float dssim_loss[LK_TORCH_MAX_IDENTITIES];
  float mask_loss[LK_TORCH_MAX_IDENTITIES];
  float gan_generator_loss;                  /* 0 without GAN */
  float gan_critic_loss;
} LkTorchLosses;

/* Runs n_steps train steps and reports the losses of the last one (only it
 * waits for the device). */
LkTorchStatus lk_torch_trainer_step (LkTorchTrainer *trainer, int n_steps, LkTorchLosses *losses,
                                     LkTorchError *error);

int64_t lk_torch_trainer_get_iteration (const LkTorchTrainer *trainer);

/* 1 when the steps replay a captured CUDA graph (config.cuda_graphs), else 0;
 * then, if graphs were asked for, reason (of reason_size bytes, may be NULL)
 * says why they are off, or is empty while the eager warm-up steps run. */
int lk_torch_trainer_get_cuda_graph (const LkTorchTrainer *trainer, char *reason,
                                     size_t reason_size);

/* Runs n fixed faces of each of the first two identities, index a_index[i]
 * of A and b_index[i] of B (NULL: 0..n-1), through the model without
 * augmentation. out holds 4 * n images: for face i, out[4i] = A->A,
 * out[4i+1] = A->B, out[4i+2] = B->B, out[4i+3] = B->A (RGB). */
LkTorchStatus lk_torch_trainer_preview (LkTorchTrainer *trainer, const int *a_index,
                                        const int *b_index, int n, LkTorchPixels *out,
                                        LkTorchError *error);

/* Saves weights, optimizer, critic, generator state and iteration. */
LkTorchStatus lk_torch_trainer_save (LkTorchTrainer *trainer, const char *path,
                                     const char *const *identity_names,
                                     const LkTorchMetadata *metadata, int n_metadata,
                                     LkTorchError *error);

/* Loads a trainer checkpoint: the model's weights and all training state, so
 * that training continues exactly as if it had not stopped. The faces are
 * not in the checkpoint: set them again (the same ones for an exact resume).
 * A weights-only checkpoint is accepted (fresh optimizer). A checkpoint
 * saved on another kind of device (metadata "likeness.device": "cpu" or
 * "cuda") loads too, with the sampling generator seeded afresh from the seed
 * and the iteration, since CPU and CUDA generator states differ. */
LkTorchStatus lk_torch_trainer_load (LkTorchTrainer *trainer, const char *path,
                                     LkTorchError *error);

/* FLOPs of one training example (forward + backward, one identity),
 * computed from the config; 0 on a bad config. */
double lk_torch_model_train_flops_per_example (const LkTorchModelConfig *config);

#ifdef __cplusplus
}
#endif
