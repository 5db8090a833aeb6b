/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lk-torch-face-recognition.h: the face recognition network of the torch
 * shim, in plain C.
 *
 * dlib's ResNet-29 face recognition network (dlib_face_recognition_resnet_
 * model_v1) as ported to TensorFlow.js by face-api.js and shipped by the npm
 * package @vladmandic/face-api: a 150x150 aligned RGB face chip (dlib's
 * get_face_chip_details (shape, 150, 0.25)) in, a 128-D descriptor out; two
 * chips of the same person are less than 0.6 apart (Euclidean distance).
 * The weights are a safetensors file converted at build time from the
 * package's weights manifest (data/models/face-api-to-safetensors.c): float32
 * tensors with face-api's names and TensorFlow.js shapes (conv filters
 * [h, w, in, out], fc [256, 128]), laid out for libtorch when loaded.
 *
 * Threading contract: a loaded LkTorchFaceRecognizer is immutable;
 * lk_torch_face_recognizer_compute() may run on any number of threads at
 * once on the same handle. Free it only when no call is running.
 *
 * Errors as in lk-torch.h: an LkTorchStatus plus a message in an
 * LkTorchError (may be NULL); messages about the file name it.
 */
#pragma once

#include "lk-torch.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LK_TORCH_FACE_CHIP_SIZE 150
#define LK_TORCH_FACE_DESCRIPTOR_DIM 128

typedef struct _LkTorchFaceRecognizer LkTorchFaceRecognizer;

/* Loads the network from path on device (AUTO: CUDA when present). A
 * missing file is LK_TORCH_ERROR_IO; a file that is not safetensors, or
 * whose tensors are missing or of the wrong shape, LK_TORCH_ERROR_CORRUPT
 * or LK_TORCH_ERROR_INCOMPATIBLE. NULL on failure. */
LkTorchFaceRecognizer *lk_torch_face_recognizer_new (const char *path, LkTorchDevice device,
                                                     LkTorchError *error);
void lk_torch_face_recognizer_free (LkTorchFaceRecognizer *recognizer);

LkTorchDevice lk_torch_face_recognizer_get_device (const LkTorchFaceRecognizer *recognizer);

/* Computes the descriptors of n chips (RGB, LK_TORCH_FACE_CHIP_SIZE square)
 * into descriptors (n * LK_TORCH_FACE_DESCRIPTOR_DIM floats, chip after
 * chip). The chips run as one batch. */
LkTorchStatus lk_torch_face_recognizer_compute (LkTorchFaceRecognizer *recognizer,
                                                const LkTorchPixels *chips, int n,
                                                float *descriptors, LkTorchError *error);

#ifdef __cplusplus
}
#endif
