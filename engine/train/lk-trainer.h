/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "lk-image.h"
#include "lk-job.h"
#include "lk-project.h"
#include "lk-project-runs.h"
#include "lk-train-params.h"

G_BEGIN_DECLS

/**
 * LkTrainerState:
 * @LK_TRAINER_STATE_IDLE: not started, or stopped (a checkpoint was saved)
 * @LK_TRAINER_STATE_LOADING: loading faces and the newest checkpoint
 * @LK_TRAINER_STATE_RUNNING: training
 * @LK_TRAINER_STATE_PAUSED: the worker waits (nothing is saved)
 * @LK_TRAINER_STATE_STOPPING: saving a last checkpoint before it stops
 * @LK_TRAINER_STATE_FAILED: stopped by an error (see the "error" signal)
 */
typedef enum
{
  LK_TRAINER_STATE_IDLE,
  LK_TRAINER_STATE_LOADING,
  LK_TRAINER_STATE_RUNNING,
  LK_TRAINER_STATE_PAUSED,
  LK_TRAINER_STATE_STOPPING,
  LK_TRAINER_STATE_FAILED,
} LkTrainerState;

/* LkLossPoint: lk-project-runs.h */

#define LK_TYPE_TRAINER (lk_trainer_get_type ())

G_DECLARE_FINAL_TYPE (LkTrainer, lk_trainer, LK, TRAINER, GObject)

/*
 * LkTrainer trains the swap model of a project: it loads the included faces
 * of both identities (crops resized to the face size, with masks of the face
 * area and of eyes and mouth from the landmarks), uploads them once, resumes
 * from the newest loadable checkpoint in model/ and trains.
 *
 * Threading contract: create the trainer on the thread whose main context
 * receives its notifications (the GTK thread). lk_trainer_start() trains on
 * the trainer's own worker thread; its properties are updated and its
 * signals emitted on the creating thread's main context (at most one idle
 * pending at a time). lk_trainer_run() trains on the calling thread instead
 * (the CLI; it must not be the creating thread if notifications are wanted
 * while it runs). Getters may be called from any thread.
 *
 * Checkpoints: model/ckpt-<iteration>.safetensors, written every
 * save-interval minutes and when training stops; the newest
 * keep-checkpoints are kept, older ones deleted; each is recorded in the
 * project's checkpoints table with its SHA-256. The loss of every step goes
 * to the losses table, in batches, with one training_runs row per run.
 *
 * Properties (read-only): "project", "state" (LkTrainerState),
 * "iteration", "loss-a", "loss-b", "gan-generator-loss", "gan-critic-loss",
 * "examples-per-second", "elapsed" (seconds of training of this model, all
 * runs), "run-elapsed" (seconds of this run), "last-save-time" (unix
 * seconds, 0: none), "last-save-iteration" (-1: none), "preview"
 * (LkImage: 4 rows of A, A->A, A->B, B, B->B, B->A), "device-name",
 * "face-count-a", "face-count-b".
 *
 * Signals: "error" (GError *) when training stops on an error; "warning"
 * (const char *) for something the artist should know that did not stop
 * training (a corrupt newest checkpoint skipped, settings that differ from
 * the checkpoint's architecture); "losses" (GArray of LkLossPoint) with
 * the steps since the last emission; "checkpoint-saved" (gint64 iteration,
 * const char *path).
 */

LkTrainer     *lk_trainer_new              (LkProject            *project,
                                            const LkTrainParams  *params);
LkProject     *lk_trainer_get_project      (LkTrainer            *self);
/* Used from the next start on. */
void           lk_trainer_set_params       (LkTrainer            *self,
                                            const LkTrainParams  *params);
void           lk_trainer_get_params       (LkTrainer            *self,
                                            LkTrainParams        *params);

/* Worker thread. Start fails at once (LK_ERROR_BUSY when running,
 * LK_ERROR_NO_FACE when an identity has too few included faces, invalid
 * params); later failures arrive as "error" with state FAILED. Pause and
 * resume take effect after the step in progress. Stop saves a checkpoint
 * and ends the worker; lk_trainer_join() waits for that (the app calls stop
 * and join when it quits). */
gboolean       lk_trainer_start            (LkTrainer            *self,
                                            GError              **error);
void           lk_trainer_pause            (LkTrainer            *self);
void           lk_trainer_resume           (LkTrainer            *self);
void           lk_trainer_stop             (LkTrainer            *self);
void           lk_trainer_join             (LkTrainer            *self);

/* Blocking: trains on the calling thread until @iterations more steps
 * (> 0), @minutes of training (> 0), lk_trainer_stop() or a cancel through
 * @job, whichever comes first (0 for both: until stopped or cancelled), then
 * saves a checkpoint. With @iterations == 0 and @minutes < 0 it only loads
 * the newest checkpoint and renders a preview. Progress goes to @job (may
 * be NULL): the fraction, a message line, and the figures "iteration",
 * "loss-a", "loss-b", "examples-per-second", "elapsed". A cancel still
 * saves and returns FALSE with G_IO_ERROR_CANCELLED; see
 * lk_trainer_get_last_save_iteration(). */
gboolean       lk_trainer_run              (LkTrainer            *self,
                                            gint64                iterations,
                                            double                minutes,
                                            LkJob                *job,
                                            GError              **error);

LkTrainerState lk_trainer_get_state        (LkTrainer            *self);
gint64         lk_trainer_get_iteration    (LkTrainer            *self);
double         lk_trainer_get_loss_a       (LkTrainer            *self);
double         lk_trainer_get_loss_b       (LkTrainer            *self);
double         lk_trainer_get_gan_generator_loss (LkTrainer      *self);
double         lk_trainer_get_gan_critic_loss    (LkTrainer      *self);
double         lk_trainer_get_examples_per_second (LkTrainer     *self);
double         lk_trainer_get_elapsed      (LkTrainer            *self);
double         lk_trainer_get_run_elapsed  (LkTrainer            *self);
gint64         lk_trainer_get_last_save_time (LkTrainer          *self);
gint64         lk_trainer_get_last_save_iteration (LkTrainer     *self);
/* (transfer full) (nullable): a copy of the newest preview grid */
LkImage       *lk_trainer_dup_preview      (LkTrainer            *self);
char          *lk_trainer_dup_device_name  (LkTrainer            *self);
guint          lk_trainer_get_face_count   (LkTrainer            *self,
                                            LkIdentity            identity);

/* The preview grid's layout: @row 0..3, @column 0..5 (A, A->A, A->B, B,
 * B->B, B->A); the cell is face_size pixels square. */
#define LK_TRAINER_PREVIEW_ROWS    4
#define LK_TRAINER_PREVIEW_COLUMNS 6

/* ---- Checkpoints and history of a project (any thread) --------------- */

/* What a start checks before loading anything: enough included faces of
 * both identities (LK_ERROR_NO_FACE) and, when there are checkpoints, one
 * whose header reads (LK_ERROR_CORRUPT, naming the files). Cheap: for a
 * Start button's sensitivity, or a command line's early exit. */
gboolean       lk_trainer_check_project    (LkProject            *project,
                                            GError              **error);

/* The loss history of the current model, by iteration. Element type
 * LkLossPoint; (transfer full). */
GArray        *lk_trainer_load_loss_history (LkProject           *project,
                                             GError             **error);

/* The newest checkpoint of the project whose header reads, or NULL
 * (without an error when there is none): lk_project_find_newest_checkpoint()
 * with the iteration the file's header states. */
char          *lk_trainer_find_checkpoint  (LkProject            *project,
                                            gint64               *iteration,
                                            GError              **error);

/* Starts a new model: moves every checkpoint of model/ into
 * model/old-<date>-<time>/ (nothing is deleted) and records the move in
 * the checkpoints table. @moved_to gets that folder (NULL when there was
 * nothing to move). Fails with LK_ERROR_BUSY while a trainer of this
 * project runs. */
gboolean       lk_trainer_reset_model      (LkProject            *project,
                                            char                **moved_to,
                                            GError              **error);

G_END_DECLS
