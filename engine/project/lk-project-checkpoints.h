/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-project.h"

G_BEGIN_DECLS

/* The model's checkpoints: files model/ckpt-<iteration>.safetensors, and a
 * row of the checkpoints table for each (run, iteration, file, SHA-256).
 * Files moved out of model/ (set aside as damaged, or into model/old-* by
 * "start a new model") are no longer the model's checkpoints; their rows
 * follow them. See DESIGN.md, "Model and checkpoints". */

typedef struct
{
  gint64  iteration;
  char   *path;          /* absolute */
} LkCheckpointFile;

void        lk_checkpoint_file_free (LkCheckpointFile *file);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkCheckpointFile, lk_checkpoint_file_free)

/* model/ckpt-<iteration>.safetensors of @iteration (whether or not it
 * exists). */
char       *lk_project_checkpoint_path          (LkProject   *self,
                                                 gint64       iteration);
/* The checkpoint files of model/, newest iteration first (element type
 * LkCheckpointFile); empty when there are none. */
GPtrArray  *lk_project_list_checkpoint_files    (LkProject   *self);

/* Whether the checkpoint at @path can be used; may correct *@iteration
 * (preset from the file name) from what the file says. */
typedef gboolean (*LkCheckpointUsableFunc) (const char *path,
                                            gint64     *iteration,
                                            gpointer    user_data);

/* The newest checkpoint the project would resume or convert from: the
 * first of lk_project_list_checkpoint_files() that @usable accepts (every
 * existing file when @usable is NULL). Returns its path, or NULL with
 * LK_ERROR_NOT_FOUND when there is none. */
char       *lk_project_find_newest_checkpoint   (LkProject              *self,
                                                 LkCheckpointUsableFunc  usable,
                                                 gpointer                user_data,
                                                 gint64                 *iteration,
                                                 GError                **error);

/* Records a checkpoint file just written at @path (inside the project) by
 * the training run @run_id (lk_project_begin_run()). */
gboolean    lk_project_add_checkpoint           (LkProject   *self,
                                                 gint64       run_id,
                                                 gint64       iteration,
                                                 const char  *path,
                                                 const char  *sha256,
                                                 gint64       created_at,
                                                 GError     **error);
/* The row of a checkpoint file that was deleted goes too. */
gboolean    lk_project_forget_checkpoint        (LkProject   *self,
                                                 const char  *path,
                                                 GError     **error);
/* The row of a checkpoint file moved from @old_path to @new_path follows
 * it. */
gboolean    lk_project_move_checkpoint          (LkProject   *self,
                                                 const char  *old_path,
                                                 const char  *new_path,
                                                 GError     **error);

/**
 * LkCheckpointRecord:
 * A row of the checkpoints table.
 */
typedef struct
{
  gint64  id;
  gint64  run_id;        /* 0: none */
  gint64  iteration;
  char   *path;          /* absolute */
  char   *sha256;        /* hex; NULL when unknown */
  gint64  created_at;    /* unix seconds */
} LkCheckpointRecord;

void        lk_checkpoint_record_free (LkCheckpointRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkCheckpointRecord, lk_checkpoint_record_free)

/* The rows of the checkpoints table, newest iteration first (element type
 * LkCheckpointRecord). */
GPtrArray  *lk_project_list_checkpoints         (LkProject   *self,
                                                 GError     **error);

G_END_DECLS
