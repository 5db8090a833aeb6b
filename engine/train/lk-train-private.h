/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-image.h"
#include "lk-project.h"
#include "lk-torch.h"
#include "lk-train-params.h"

G_BEGIN_DECLS

/* lk-train-params.c: to the shim's configs */
void           _lk_train_params_to_model_config (const LkTrainParams *params,
                                                 LkTorchModelConfig  *config);
void           _lk_train_params_to_torch_config (const LkTrainParams *params,
                                                 LkTorchTrainConfig  *config);
LkTorchDevice  _lk_train_device_to_torch        (LkTrainDevice        device);

/* lk-train-data.c: the included faces of one identity, resized to the face
 * size, with their landmark masks (face hull; eyes and mouth), packed for
 * lk_torch_trainer_set_faces(). */
typedef struct
{
  LkIdentity  identity;
  int         n;
  int         size;
  guint8     *images;         /* n * size * size * 3, RGB */
  guint8     *face_masks;     /* n * size * size */
  guint8     *feature_masks;  /* n * size * size */
  gint64     *face_ids;
} LkTrainFaceSet;

/* Fails with LK_ERROR_NO_FACE when fewer than @min_faces are included. */
LkTrainFaceSet *_lk_train_face_set_load  (LkProject       *project,
                                          LkIdentity       identity,
                                          int              size,
                                          int              min_faces,
                                          GCancellable    *cancellable,
                                          GError         **error);
void            _lk_train_face_set_free  (LkTrainFaceSet  *set);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkTrainFaceSet, _lk_train_face_set_free)

/* The masks of 68 landmarks given in @mask's coordinates. */
void            _lk_train_landmark_masks (const double    *landmarks,
                                          LkImage         *face_mask,
                                          LkImage         *feature_mask);

/* lk-train-checkpoints.c (the checkpoint files themselves are listed and
 * named by lk-project-checkpoints.h) */
/* Removes ckpt-*.tmp-* files left by an interrupted save. */
void            _lk_train_remove_temp_files     (const char *model_dir);
/* Hex SHA-256 of a file. */
char           *_lk_train_file_sha256           (const char  *path,
                                                 GError     **error);
/* Renames @path to @path.corrupt (or .corrupt-N), never deleting. */
gboolean        _lk_train_move_aside            (const char  *path,
                                                 const char  *suffix,
                                                 GError     **error);

G_END_DECLS
