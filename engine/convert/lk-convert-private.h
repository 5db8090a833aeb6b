/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "lk-align.h"
#include "lk-convert-params.h"
#include "lk-project.h"
#include "lk-image.h"
#include "lk-torch.h"

G_BEGIN_DECLS

/* Shared by the converter and the preview. */

/* The decoder that a direction uses: A2B -> A (0), B2A -> B (1). */
int           _lk_convert_decoder      (LkConvertDirection direction);

/* Loads a checkpoint on the best device; LK_ERROR_MODEL naming the file. */
LkTorchModel *_lk_convert_load_model   (const char        *path,
                                        GError           **error);

/* Runs @n aligned crops (RGB, face_size square) through @decoder:
 * @rgb_out[i] (RGB) and, when @mask_out is not NULL and the model has a
 * mask channel, @mask_out[i] (1 channel). The outputs are allocated here
 * when NULL, or reused when they already have the right size. */
gboolean      _lk_convert_swap         (LkTorchModel      *model,
                                        int                decoder,
                                        LkImage          **crops,
                                        int                n,
                                        LkImage          **rgb_out,
                                        LkImage          **mask_out,
                                        GError           **error);

/* Aligns @landmarks at @params (the model's size) and cuts the model's
 * input out of @frame the way the trainer saw its faces: when the project's
 * crops (@crop_size) are a multiple of the model's size, the face is cut at
 * @crop_size and averaged down (box filter, as the trainer resizes), and the
 * returned alignment is the exact model-space one for that; otherwise it is
 * cut at the model's size directly. NULL for degenerate landmarks. */
LkImage      *_lk_convert_extract      (const LkImage       *frame,
                                        const float          landmarks[LK_FACE_N_LANDMARKS][2],
                                        const LkAlignParams *params,
                                        int                  crop_size,
                                        LkAlignment         *alignment);

/* The most common crop size of the project's faces; 0 without faces. */
int           _lk_convert_project_crop_size (LkProject     *project);

/* A view on @frame's pixels over a rectangle (no copy, not to be freed). */
static inline LkImage
_lk_convert_view (const LkImage *frame,
                  int            x,
                  int            y,
                  int            width,
                  int            height)
{
  LkImage view = { width, height, frame->channels, frame->stride,
                   frame->data + (gsize) y * frame->stride + (gsize) x * frame->channels };
  return view;
}

G_END_DECLS
