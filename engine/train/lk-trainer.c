/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train"

#include "config.h"

#include <inttypes.h>

#include "lk-trainer.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lk-error.h"
#include "lk-job-runner.h"
#include "lk-project-checkpoints.h"
#include "lk-project-runs.h"
#include "lk-train-enum-types.h"
#include "lk-train-private.h"

#define N_PREVIEW        LK_TRAINER_PREVIEW_ROWS
#define FLUSH_INTERVAL   (2 * G_USEC_PER_SEC)
#define FLUSH_ROWS       50
#define RATE_WINDOW      G_USEC_PER_SEC
#define MAX_PENDING      100000   /* loss points queued for the main context */

/* What the properties show; written by the training thread under the lock,
 * read by getters under it. */
typedef struct
{
  LkTrainerState  state;
  gint64          iteration;
  double          loss_a;
  double          loss_b;
  double          gan_generator_loss;
  double          gan_critic_loss;
  double          examples_per_second;
  double          elapsed;
  double          run_elapsed;
  gint64          last_save_time;
  gint64          last_save_iteration;
  guint           preview_serial;
  char           *device_name;
  guint           face_count[2];
} Status;

typedef struct
{
  gint64  iteration;
  char   *path;
} SavedEvent;

struct _LkTrainer
{
  GObject        parent_instance;

  LkProject     *project;
  GMainContext  *context;      /* the creating thread's */

  GMutex         lock;
  GCond          cond;
  LkTrainParams  params;
  LkJob         *job;          /* the studio's run (lk_trainer_start), while it runs */
  gulong         cancelled_id;
  gboolean       busy;         /* a run (worker or blocking) is in progress */
  gboolean       stop_requested;
  gboolean       pause_requested;
  gboolean       disposed;
  gboolean       idle_pending;

  Status         status;
  LkImage       *preview;
  GArray        *pending_points;   /* LkLossPoint */
  GPtrArray     *pending_warnings; /* char * */
  GPtrArray     *pending_saves;    /* SavedEvent * */
  GError        *pending_error;

  /* main-context side: what was last notified */
  Status         notified;
};

G_DEFINE_FINAL_TYPE (LkTrainer, lk_trainer, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_STATE,
  PROP_ITERATION,
  PROP_LOSS_A,
  PROP_LOSS_B,
  PROP_GAN_GENERATOR_LOSS,
  PROP_GAN_CRITIC_LOSS,
  PROP_EXAMPLES_PER_SECOND,
  PROP_ELAPSED,
  PROP_RUN_ELAPSED,
  PROP_LAST_SAVE_TIME,
  PROP_LAST_SAVE_ITERATION,
  PROP_PREVIEW,
  PROP_DEVICE_NAME,
  PROP_FACE_COUNT_A,
  PROP_FACE_COUNT_B,
  N_PROPS
};

enum {
  SIGNAL_ERROR,
  SIGNAL_WARNING,
  SIGNAL_LOSSES,
  SIGNAL_CHECKPOINT_SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Projects with a run in progress (for lk_trainer_reset_model()). */
static GMutex busy_projects_lock;
static GHashTable *busy_projects;

static void
saved_event_free (SavedEvent *event)
{
  g_free (event->path);
  g_free (event);
}

/* ---- Reporting to the main context -------------------------------------- */

static gboolean
dispatch_idle (gpointer data)
{
  LkTrainer *self = data;
  Status now;
  g_autoptr(GArray) points = NULL;
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(GPtrArray) saves = NULL;
  g_autoptr(GError) error = NULL;
  Status *was = &self->notified;

  g_mutex_lock (&self->lock);
  self->idle_pending = FALSE;
  now = self->status;
  now.device_name = g_strdup (self->status.device_name);
  if (self->pending_points->len > 0)
    {
      points = g_steal_pointer (&self->pending_points);
      self->pending_points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
    }
  if (self->pending_warnings->len > 0)
    {
      warnings = g_steal_pointer (&self->pending_warnings);
      self->pending_warnings = g_ptr_array_new_with_free_func (g_free);
    }
  if (self->pending_saves->len > 0)
    {
      saves = g_steal_pointer (&self->pending_saves);
      self->pending_saves = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_event_free);
    }
  error = g_steal_pointer (&self->pending_error);
  g_mutex_unlock (&self->lock);

  g_object_freeze_notify (G_OBJECT (self));
#define NOTIFY_IF_CHANGED(field, prop) \
  if (now.field != was->field) g_object_notify_by_pspec (G_OBJECT (self), properties[prop])
  NOTIFY_IF_CHANGED (state, PROP_STATE);
  NOTIFY_IF_CHANGED (iteration, PROP_ITERATION);
  NOTIFY_IF_CHANGED (loss_a, PROP_LOSS_A);
  NOTIFY_IF_CHANGED (loss_b, PROP_LOSS_B);
  NOTIFY_IF_CHANGED (gan_generator_loss, PROP_GAN_GENERATOR_LOSS);
  NOTIFY_IF_CHANGED (gan_critic_loss, PROP_GAN_CRITIC_LOSS);
  NOTIFY_IF_CHANGED (examples_per_second, PROP_EXAMPLES_PER_SECOND);
  NOTIFY_IF_CHANGED (elapsed, PROP_ELAPSED);
  NOTIFY_IF_CHANGED (run_elapsed, PROP_RUN_ELAPSED);
  NOTIFY_IF_CHANGED (last_save_time, PROP_LAST_SAVE_TIME);
  NOTIFY_IF_CHANGED (last_save_iteration, PROP_LAST_SAVE_ITERATION);
  NOTIFY_IF_CHANGED (preview_serial, PROP_PREVIEW);
  NOTIFY_IF_CHANGED (face_count[0], PROP_FACE_COUNT_A);
  NOTIFY_IF_CHANGED (face_count[1], PROP_FACE_COUNT_B);
#undef NOTIFY_IF_CHANGED
  if (g_strcmp0 (now.device_name, was->device_name) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICE_NAME]);
  g_free (was->device_name);
  *was = now;

  if (points != NULL)
    g_signal_emit (self, signals[SIGNAL_LOSSES], 0, points);
  for (guint i = 0; saves != NULL && i < saves->len; i++)
    {
      SavedEvent *event = saves->pdata[i];

      g_signal_emit (self, signals[SIGNAL_CHECKPOINT_SAVED], 0, event->iteration, event->path);
    }
  for (guint i = 0; warnings != NULL && i < warnings->len; i++)
    g_signal_emit (self, signals[SIGNAL_WARNING], 0, (const char *) warnings->pdata[i]);
  if (error != NULL)
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

/* Lock held. */
static void
schedule_idle_locked (LkTrainer *self)
{
  GSource *source;

  if (self->idle_pending || self->disposed)
    return;

  self->idle_pending = TRUE;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, dispatch_idle, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[likeness] trainer status");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static void
set_state (LkTrainer      *self,
           LkTrainerState  state)
{
  g_mutex_lock (&self->lock);
  self->status.state = state;
  schedule_idle_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
post_warning (LkTrainer  *self,
              const char *format,
              ...) G_GNUC_PRINTF (2, 3);

static void
post_warning (LkTrainer  *self,
              const char *format,
              ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_message ("%s", message);
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->pending_warnings, message);
  schedule_idle_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
post_error (LkTrainer    *self,
            const GError *error)
{
  g_mutex_lock (&self->lock);
  self->status.state = LK_TRAINER_STATE_FAILED;
  g_clear_error (&self->pending_error);
  self->pending_error = g_error_copy (error);
  schedule_idle_locked (self);
  g_mutex_unlock (&self->lock);
}

/* ---- A training session (one run, on one thread) ------------------------ */

typedef struct
{
  gint64 iteration;
  double elapsed;
  float  loss_a;
  float  loss_b;
  float  gan_generator;
  float  gan_critic;
  double examples_per_second;
} LossRow;

typedef struct
{
  LkTrainer          *self;
  LkProject          *project;
  LkTrainParams       params;
  char               *params_json;
  LkTorchModel       *model;
  LkTorchTrainer     *trainer;
  LkTrainFaceSet     *faces[2];
  int                 preview_index[2][N_PREVIEW];
  char               *model_dir;

  gint64              run_id;
  gint64              start_iteration;
  gint64              iteration;
  gint64              last_saved_iteration;
  double              elapsed_base;

  gint64              t_start;       /* monotonic, us */
  gint64              paused_us;
  gint64              t_last_save;
  gint64              t_last_preview;
  gint64              t_last_flush;
  gint64              rate_t0;
  gint64              rate_it0;
  double              examples_per_second;

  GArray             *rows;          /* LossRow */
  LkTorchLosses       last;
  gboolean            graph_reported; /* said whether the CUDA graph is used */
} Session;

static void
session_clear (Session *s)
{
  g_clear_pointer (&s->trainer, lk_torch_trainer_free);
  g_clear_pointer (&s->model, lk_torch_model_free);
  g_clear_pointer (&s->faces[0], _lk_train_face_set_free);
  g_clear_pointer (&s->faces[1], _lk_train_face_set_free);
  g_clear_pointer (&s->rows, g_array_unref);
  g_clear_pointer (&s->params_json, g_free);
  g_clear_pointer (&s->model_dir, g_free);
  g_clear_object (&s->project);
}

static double
session_run_elapsed (const Session *s)
{
  return (g_get_monotonic_time () - s->t_start - s->paused_us) / (double) G_USEC_PER_SEC;
}

static gboolean
set_torch_error (GError             **error,
                 const LkTorchError  *terr,
                 const char          *what)
{
  int code;

  switch (terr->status)
    {
    case LK_TORCH_ERROR_CORRUPT:
      code = LK_ERROR_CORRUPT;
      break;
    case LK_TORCH_ERROR_IO:
      code = LK_ERROR_IO;
      break;
    case LK_TORCH_ERROR_NO_DEVICE:
      code = LK_ERROR_UNSUPPORTED;
      break;
    default:
      code = LK_ERROR_MODEL;
      break;
    }
  g_set_error (error, LK_ERROR, code, "%s: %s", what, terr->message);

  return FALSE;
}

/* The rows of the checkpoints table follow files moved aside. */
static void
record_moved_file (LkProject  *project,
                   const char *old_path,
                   const char *new_path)
{
  g_autoptr(GError) error = NULL;

  if (!lk_project_move_checkpoint (project, old_path, new_path, &error))
    g_message ("%s", error->message);
}

/* Finds the newest checkpoint that loads, creating the model and trainer
 * from it; without one, a new model from the params. */

static void
checkpoint_device_cb (const char *key,
                      const char *value,
                      void       *user_data)
{
  if (g_str_equal (key, "likeness.device"))
    g_strlcpy (user_data, value, 16);
}

/* A project moved between a computer without and one with a GPU resumes
 * with the same weights and optimizer; only the sampling cannot go on
 * exactly, which is worth a word. */
static void
warn_if_moved (Session    *s,
               const char *path)
{
  char saved[16] = "";
  gboolean cuda = lk_torch_model_get_device (s->model) == LK_TORCH_DEVICE_CUDA;

  if (lk_torch_checkpoint_read_metadata (path, checkpoint_device_cb, saved, NULL) != LK_TORCH_OK ||
      saved[0] == '\0' || g_str_equal (saved, cuda ? "cuda" : "cpu"))
    return;

  post_warning (s->self, cuda ? _("The checkpoint was saved while training on the processor; "
                                  "training goes on on the graphics card with the same weights "
                                  "and optimizer state, only the random sampling starts afresh")
                              : _("The checkpoint was saved while training on a graphics card; "
                                  "training goes on on the processor with the same weights and "
                                  "optimizer state, only the random sampling starts afresh"));
}

static gboolean
session_load_model (Session  *s,
                    GError  **error)
{
  LkTrainer *self = s->self;
  g_autoptr(GPtrArray) files = lk_project_list_checkpoint_files (s->project);
  g_autoptr(GPtrArray) damaged = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) reasons = g_string_new (NULL);
  LkTorchTrainConfig tconfig;
  LkTorchModelConfig wanted;
  LkTorchDevice device = _lk_train_device_to_torch (s->params.device);
  const char *loaded = NULL;
  LkTorchError terr;

  _lk_train_params_to_torch_config (&s->params, &tconfig);
  _lk_train_params_to_model_config (&s->params, &wanted);

  for (guint i = 0; i < files->len && loaded == NULL; i++)
    {
      LkCheckpointFile *file = files->pdata[i];
      LkTorchCheckpointInfo info;
      LkTorchStatus status;

      status = lk_torch_checkpoint_read_info (file->path, &info, &terr);
      if (status == LK_TORCH_OK)
        {
          s->model = lk_torch_model_new (&info.config, device, s->params.seed, &terr);
          if (s->model == NULL)
            return set_torch_error (error, &terr, _("Cannot create the model"));
          s->trainer = lk_torch_trainer_new (s->model, &tconfig, &terr);
          if (s->trainer == NULL)
            return set_torch_error (error, &terr, _("Cannot create the trainer"));
          status = lk_torch_trainer_load (s->trainer, file->path, &terr);
          if (status == LK_TORCH_OK)
            {
              loaded = file->path;
              warn_if_moved (s, file->path);
              if (memcmp (&info.config, &wanted, sizeof wanted) != 0)
                post_warning (self, _("The model settings differ from those of the checkpoint; "
                                      "training goes on with the checkpoint’s model. Start a new "
                                      "model to use the new settings."));
              break;
            }
          g_clear_pointer (&s->trainer, lk_torch_trainer_free);
          g_clear_pointer (&s->model, lk_torch_model_free);
        }
      if (status != LK_TORCH_ERROR_CORRUPT)
        return set_torch_error (error, &terr, _("Cannot resume training"));

      g_ptr_array_add (damaged, g_strdup (file->path));
      if (reasons->len > 0)
        g_string_append (reasons, "; ");
      g_string_append (reasons, terr.message);
    }

  if (loaded == NULL && damaged->len > 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_CORRUPT,
                   _("No checkpoint of this project can be loaded (%s). Start a new model to "
                     "train from scratch; the damaged files are kept."), reasons->str);
      return FALSE;
    }

  if (loaded != NULL && damaged->len > 0)
    {
      g_autofree char *display = g_filename_display_name (loaded);

      post_warning (self, _("%s; resuming from %s instead"), reasons->str, display);
      /* Out of the way of later saves and of pruning; kept, not deleted. */
      for (guint i = 0; i < damaged->len; i++)
        {
          g_autoptr(GError) move_error = NULL;
          const char *path = damaged->pdata[i];

          if (_lk_train_move_aside (path, ".corrupt", &move_error))
            {
              g_autofree char *moved = g_strconcat (path, ".corrupt", NULL);

              record_moved_file (s->project, path, moved);
            }
          else
            g_message ("%s", move_error->message);
        }
    }

  if (s->model == NULL)
    {
      s->model = lk_torch_model_new (&wanted, device, s->params.seed, &terr);
      if (s->model == NULL)
        return set_torch_error (error, &terr, _("Cannot create the model"));
      s->trainer = lk_torch_trainer_new (s->model, &tconfig, &terr);
      if (s->trainer == NULL)
        return set_torch_error (error, &terr, _("Cannot create the trainer"));
    }

  s->start_iteration = lk_torch_trainer_get_iteration (s->trainer);
  s->iteration = s->start_iteration;
  s->last_saved_iteration = loaded != NULL ? s->start_iteration : -1;

  return TRUE;
}

static gboolean
session_upload_faces (Session       *s,
                      GCancellable  *cancellable,
                      GError       **error)
{
  int size = lk_torch_model_get_config (s->model)->face_size;

  for (int k = 0; k < 2; k++)
    {
      LkTrainFaceSet *set;
      g_autofree LkTorchPixels *images = NULL;
      g_autofree LkTorchPixels *face_masks = NULL;
      g_autofree LkTorchPixels *feature_masks = NULL;
      gsize plane = (gsize) size * size;
      LkTorchError terr;

      set = s->faces[k] = _lk_train_face_set_load (s->project, k, size, LK_TRAIN_MIN_FACES,
                                                   cancellable, error);
      if (set == NULL)
        return FALSE;

      images = g_new (LkTorchPixels, set->n);
      face_masks = g_new (LkTorchPixels, set->n);
      feature_masks = g_new (LkTorchPixels, set->n);
      for (int i = 0; i < set->n; i++)
        {
          images[i] = (LkTorchPixels) { set->images + plane * 3 * i, size, size, 3, size * 3 };
          face_masks[i] = (LkTorchPixels) { set->face_masks + plane * i, size, size, 1, size };
          feature_masks[i] = (LkTorchPixels) { set->feature_masks + plane * i, size, size, 1, size };
        }
      if (lk_torch_trainer_set_faces (s->trainer, k, images, face_masks, feature_masks, set->n,
                                      &terr) != LK_TORCH_OK)
        {
          g_autofree char *what = g_strdup_printf (_("Cannot upload the faces of identity %s"),
                                                   lk_identity_to_string (k));
          return set_torch_error (error, &terr, what);
        }

      for (int i = 0; i < N_PREVIEW; i++)
        s->preview_index[k][i] = i * set->n / N_PREVIEW;
    }

  return TRUE;
}

/* One training_runs row per run; the loss rows after the resumed iteration
 * belong to training that was lost (or to a model that was reset) and go. */
static gboolean
session_begin_run (Session  *s,
                   GError  **error)
{
  g_autofree char *device = NULL;

  g_mutex_lock (&s->self->lock);
  device = g_strdup (s->self->status.device_name);
  g_mutex_unlock (&s->self->lock);

  s->run_id = lk_project_begin_run (s->project, device, s->params_json, s->start_iteration,
                                    &s->elapsed_base, error);

  return s->run_id > 0;
}

static gboolean
session_flush (Session   *s,
               gboolean   ended,
               GError   **error)
{
  g_autoptr(GArray) points = NULL;
  g_autoptr(GPtrArray) extras = NULL;

  s->t_last_flush = g_get_monotonic_time ();
  if (s->run_id <= 0 || (s->rows->len == 0 && !ended))
    return TRUE;

  points = g_array_sized_new (FALSE, FALSE, sizeof (LkLossPoint), s->rows->len);
  extras = g_ptr_array_new_full (s->rows->len, g_free);
  for (guint i = 0; i < s->rows->len; i++)
    {
      const LossRow *row = &g_array_index (s->rows, LossRow, i);
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
      LkLossPoint point = { row->iteration, row->elapsed, row->loss_a, row->loss_b };

      g_ascii_formatd (a, sizeof a, "%.4g", row->examples_per_second);
      if (s->params.gan)
        g_ptr_array_add (extras,
                         g_strdup_printf ("{\"examples-per-second\":%s,\"gan-generator\":%s,"
                                          "\"gan-critic\":%s}", a,
                                          g_ascii_formatd (b, sizeof b, "%.7g", row->gan_generator),
                                          g_ascii_formatd (c, sizeof c, "%.7g", row->gan_critic)));
      else
        g_ptr_array_add (extras, g_strdup_printf ("{\"examples-per-second\":%s}", a));
      g_array_append_val (points, point);
    }

  if (!lk_project_add_losses (s->project, s->run_id, (const LkLossPoint *) points->data,
                              (const char * const *) extras->pdata, points->len, s->iteration,
                              ended, error))
    return FALSE;

  g_array_set_size (s->rows, 0);
  return TRUE;
}

/* Deletes the checkpoints beyond the newest @keep, files and rows. */
static void
session_prune (Session *s)
{
  g_autoptr(GPtrArray) files = lk_project_list_checkpoint_files (s->project);

  for (guint i = s->params.keep_checkpoints; i < files->len; i++)
    {
      LkCheckpointFile *file = files->pdata[i];

      if (g_unlink (file->path) < 0)
        {
          g_message ("cannot delete the old checkpoint %s: %s", file->path, g_strerror (errno));
          continue;
        }
      lk_project_forget_checkpoint (s->project, file->path, NULL);
    }
}

static gboolean
session_save (Session  *s,
              GError  **error)
{
  static const char * const names[] = { "A", "B", NULL };
  g_autofree char *path = lk_project_checkpoint_path (s->project, s->iteration);
  g_autofree char *sha256 = NULL;
  LkTorchMetadata metadata[] = { { "train.params", s->params_json } };
  LkTorchError terr;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SavedEvent *event;

  if (lk_torch_trainer_save (s->trainer, path, names, metadata, G_N_ELEMENTS (metadata),
                             &terr) != LK_TORCH_OK)
    return set_torch_error (error, &terr, _("Cannot save a checkpoint"));

  s->last_saved_iteration = s->iteration;
  s->t_last_save = g_get_monotonic_time ();

  sha256 = _lk_train_file_sha256 (path, error);
  if (sha256 == NULL)
    return FALSE;
  if (!lk_project_add_checkpoint (s->project, s->run_id, s->iteration, path, sha256, now, error))
    return FALSE;

  session_prune (s);

  event = g_new0 (SavedEvent, 1);
  event->iteration = s->iteration;
  event->path = g_strdup (path);
  g_mutex_lock (&s->self->lock);
  s->self->status.last_save_time = now;
  s->self->status.last_save_iteration = s->iteration;
  g_ptr_array_add (s->self->pending_saves, event);
  schedule_idle_locked (s->self);
  g_mutex_unlock (&s->self->lock);

  return TRUE;
}

static gboolean
session_preview (Session  *s,
                 GError  **error)
{
  int size = lk_torch_model_get_config (s->model)->face_size;
  g_autoptr(LkImage) grid = lk_image_new (size * LK_TRAINER_PREVIEW_COLUMNS,
                                          size * LK_TRAINER_PREVIEW_ROWS, 3);
  LkTorchPixels out[4 * N_PREVIEW];
  LkTorchError terr;

  /* Cells 1, 2, 4, 5 of each row receive A->A, A->B, B->B, B->A. */
  for (int i = 0; i < N_PREVIEW; i++)
    {
      static const int column[4] = { 1, 2, 4, 5 };

      for (int j = 0; j < 4; j++)
        out[4 * i + j] = (LkTorchPixels) { lk_image_pixel (grid, column[j] * size, i * size),
                                           size, size, 3, grid->stride };
    }
  if (lk_torch_trainer_preview (s->trainer, s->preview_index[0], s->preview_index[1], N_PREVIEW,
                                out, &terr) != LK_TORCH_OK)
    return set_torch_error (error, &terr, _("Cannot render the preview"));

  for (int i = 0; i < N_PREVIEW; i++)
    for (int k = 0; k < 2; k++)
      {
        const guint8 *src = s->faces[k]->images +
                            (gsize) size * size * 3 * s->preview_index[k][i];

        for (int y = 0; y < size; y++)
          memcpy (lk_image_pixel (grid, k * 3 * size, i * size + y), src + (gsize) y * size * 3,
                  (gsize) size * 3);
      }

  s->t_last_preview = g_get_monotonic_time ();
  g_mutex_lock (&s->self->lock);
  g_clear_pointer (&s->self->preview, lk_image_free);
  s->self->preview = g_steal_pointer (&grid);
  s->self->status.preview_serial++;
  schedule_idle_locked (s->self);
  g_mutex_unlock (&s->self->lock);

  return TRUE;
}

static void
busy_project (LkProject *project,
              gboolean   busy)
{
  g_mutex_lock (&busy_projects_lock);
  if (busy_projects == NULL)
    busy_projects = g_hash_table_new (NULL, NULL);
  if (busy)
    g_hash_table_add (busy_projects, project);
  else
    g_hash_table_remove (busy_projects, project);
  g_mutex_unlock (&busy_projects_lock);
}

static gboolean
project_is_busy (LkProject *project)
{
  gboolean busy;

  g_mutex_lock (&busy_projects_lock);
  busy = busy_projects != NULL && g_hash_table_contains (busy_projects, project);
  g_mutex_unlock (&busy_projects_lock);

  return busy;
}

static gboolean
session_prepare (Session       *s,
                 GCancellable  *cancellable,
                 GError       **error)
{
  LkTrainer *self = s->self;
  LkTorchError terr;
  char name[256] = "";

  if (!lk_train_params_validate (&s->params, error))
    return FALSE;

  set_state (self, LK_TRAINER_STATE_LOADING);

  if (!lk_trainer_check_project (s->project, error))
    return FALSE;

  /* One per core unless the engine or the params say otherwise; set on
   * this thread, where libtorch's parallel regions run. */
  lk_torch_set_num_threads (s->params.threads > 0 ? s->params.threads
                                                  : lk_torch_get_num_threads ());
  if (s->params.deterministic)
    lk_torch_set_deterministic (1, s->params.seed);

  if (lk_torch_device_name (_lk_train_device_to_torch (s->params.device), name, sizeof name,
                            &terr) != LK_TORCH_OK)
    return set_torch_error (error, &terr, _("The training device is not available"));
  g_mutex_lock (&self->lock);
  g_free (self->status.device_name);
  self->status.device_name = g_strdup (name);
  g_mutex_unlock (&self->lock);

  s->model_dir = g_strdup (lk_project_get_model_dir (s->project));
  if (g_mkdir_with_parents (s->model_dir, 0755) < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", s->model_dir,
                   g_strerror (saved));
      return FALSE;
    }
  _lk_train_remove_temp_files (s->model_dir);

  if (!session_load_model (s, error))
    return FALSE;
  if (!session_upload_faces (s, cancellable, error))
    return FALSE;
  if (!session_begin_run (s, error))
    return FALSE;

  s->rows = g_array_new (FALSE, FALSE, sizeof (LossRow));
  s->t_start = g_get_monotonic_time ();
  s->t_last_save = s->t_last_preview = s->t_last_flush = s->t_start;
  s->rate_t0 = s->t_start;
  s->rate_it0 = s->iteration;

  g_mutex_lock (&self->lock);
  self->status.iteration = s->iteration;
  self->status.elapsed = s->elapsed_base;
  self->status.run_elapsed = 0;
  self->status.examples_per_second = 0;
  self->status.last_save_iteration = s->last_saved_iteration;
  self->status.face_count[0] = s->faces[0]->n;
  self->status.face_count[1] = s->faces[1]->n;
  self->status.state = LK_TRAINER_STATE_RUNNING;
  schedule_idle_locked (self);
  g_mutex_unlock (&self->lock);

  return TRUE;
}

static void
session_record (Session *s)
{
  LkTrainer *self = s->self;
  gint64 now = g_get_monotonic_time ();
  double run_elapsed = session_run_elapsed (s);
  LossRow row;
  LkLossPoint point;

  s->iteration = s->last.iteration;
  if (now - s->rate_t0 >= RATE_WINDOW ||
      (s->examples_per_second == 0 && s->iteration - s->rate_it0 >= 2))
    {
      s->examples_per_second = (double) (s->iteration - s->rate_it0) * 2 * s->params.batch_size /
                               ((now - s->rate_t0) / (double) G_USEC_PER_SEC);
      s->rate_t0 = now;
      s->rate_it0 = s->iteration;
    }

  row = (LossRow) {
    .iteration = s->iteration,
    .elapsed = s->elapsed_base + run_elapsed,
    .loss_a = s->last.loss[0],
    .loss_b = s->last.loss[1],
    .gan_generator = s->last.gan_generator_loss,
    .gan_critic = s->last.gan_critic_loss,
    .examples_per_second = s->examples_per_second,
  };
  g_array_append_val (s->rows, row);
  point = (LkLossPoint) { row.iteration, row.elapsed, row.loss_a, row.loss_b };

  g_mutex_lock (&self->lock);
  self->status.iteration = s->iteration;
  self->status.loss_a = s->last.loss[0];
  self->status.loss_b = s->last.loss[1];
  self->status.gan_generator_loss = s->last.gan_generator_loss;
  self->status.gan_critic_loss = s->last.gan_critic_loss;
  self->status.examples_per_second = s->examples_per_second;
  self->status.elapsed = row.elapsed;
  self->status.run_elapsed = run_elapsed;
  if (self->pending_points->len < MAX_PENDING)
    g_array_append_val (self->pending_points, point);
  schedule_idle_locked (self);
  g_mutex_unlock (&self->lock);
}

static void
session_report_job (Session *s,
                    LkJob   *job,
                    gint64   iterations,
                    double   minutes)
{
  double fraction = 0;
  double run_elapsed = session_run_elapsed (s);
  g_autofree char *elapsed = NULL;
  int secs = (int) (s->elapsed_base + run_elapsed);

  if (job == NULL)
    return;

  if (iterations > 0)
    fraction = (double) (s->iteration - s->start_iteration) / iterations;
  else if (minutes > 0)
    fraction = run_elapsed / (minutes * 60);
  fraction = CLAMP (fraction, 0, 1);

  elapsed = secs >= 3600 ? g_strdup_printf ("%d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60)
                         : g_strdup_printf ("%d:%02d", secs / 60, secs % 60);
  lk_job_set_figure (job, "iteration", (double) s->iteration);
  lk_job_set_figure (job, "loss-a", s->last.loss[0]);
  lk_job_set_figure (job, "loss-b", s->last.loss[1]);
  lk_job_set_figure (job, "examples-per-second", s->examples_per_second);
  lk_job_set_figure (job, "elapsed", s->elapsed_base + run_elapsed);
  lk_job_update (job, fraction, _("iteration %" PRId64 "  loss A %.4f  B %.4f  "
                                  "%.1f examples/s  %s"),
                 s->iteration, s->last.loss[0], s->last.loss[1], s->examples_per_second, elapsed);
}

/* Lock not held. Returns TRUE when training should stop. Blocks while
 * paused. */
static gboolean
session_wait_if_paused (Session *s,
                        LkJob   *job)
{
  LkTrainer *self = s->self;
  gboolean stop;

  g_mutex_lock (&self->lock);
  if (self->pause_requested && !self->stop_requested)
    {
      gint64 t0 = g_get_monotonic_time ();

      self->status.state = LK_TRAINER_STATE_PAUSED;
      schedule_idle_locked (self);
      while (self->pause_requested && !self->stop_requested &&
             !(job != NULL && lk_job_is_cancelled (job)))
        {
          /* Wake up now and then to see a job's cancel. */
          g_cond_wait_until (&self->cond, &self->lock,
                             g_get_monotonic_time () + G_USEC_PER_SEC / 4);
        }
      s->paused_us += g_get_monotonic_time () - t0;
      s->rate_t0 = g_get_monotonic_time ();
      s->rate_it0 = s->iteration;
      self->status.state = LK_TRAINER_STATE_RUNNING;
      schedule_idle_locked (self);
    }
  stop = self->stop_requested;
  g_mutex_unlock (&self->lock);

  return stop || (job != NULL && lk_job_is_cancelled (job));
}

/* Once the trainer has decided: a warning if CUDA graphs were asked for but
 * cannot be used (a CPU, an older libtorch, deterministic mode). */
static void
session_report_graph (Session *s)
{
  char reason[256];

  if (lk_torch_trainer_get_cuda_graph (s->trainer, reason, sizeof reason))
    {
      g_debug ("training replays a captured CUDA graph from iteration %" PRId64, s->iteration);
      s->graph_reported = TRUE;
    }
  else if (reason[0] != '\0')
    {
      post_warning (s->self, _("CUDA graphs are not used: %s"), reason);
      s->graph_reported = TRUE;
    }
}

/* The loop shared by the worker thread and lk_trainer_run(). */
static gboolean
session_train (Session  *s,
               gint64    iterations,
               double    minutes,
               LkJob    *job,
               GError  **error)
{
  const LkTrainParams *p = &s->params;

  session_report_job (s, job, iterations, minutes);
  if (p->preview_interval > 0 || (iterations == 0 && minutes < 0))
    if (!session_preview (s, error))
      return FALSE;
  if (iterations == 0 && minutes < 0)
    return TRUE;

  while (TRUE)
    {
      LkTorchError terr;
      gint64 now;

      if (session_wait_if_paused (s, job))
        break;
      if (iterations > 0 && s->iteration - s->start_iteration >= iterations)
        break;
      if (minutes > 0 && session_run_elapsed (s) >= minutes * 60)
        break;

      if (lk_torch_trainer_step (s->trainer, 1, &s->last, &terr) != LK_TORCH_OK)
        return set_torch_error (error, &terr, _("Training failed"));
      if (!isfinite (s->last.loss[0]) || !isfinite (s->last.loss[1]))
        {
          g_set_error (error, LK_ERROR, LK_ERROR_MODEL,
                       _("Training diverged at iteration %" PRId64 " (the loss is not "
                         "a number); try a lower learning rate"), s->last.iteration);
          return FALSE;
        }
      session_record (s);
      session_report_job (s, job, iterations, minutes);
      if (p->cuda_graphs && !s->graph_reported)
        session_report_graph (s);

      now = g_get_monotonic_time ();
      if ((now - s->t_last_flush >= FLUSH_INTERVAL || s->rows->len >= FLUSH_ROWS) &&
          !session_flush (s, FALSE, error))
        return FALSE;
      if (p->save_interval > 0 && now - s->t_last_save >= p->save_interval * 60 * G_USEC_PER_SEC &&
          !session_save (s, error))
        return FALSE;
      if (p->preview_interval > 0 &&
          now - s->t_last_preview >= p->preview_interval * G_USEC_PER_SEC &&
          !session_preview (s, error))
        return FALSE;
    }

  return TRUE;
}

/* Saves (when something changed), stores the last losses and closes the
 * run. After an error, only the losses are stored: the model may be bad. */
static gboolean
session_finish (Session   *s,
                gboolean   save,
                GError   **error)
{
  gboolean ok = TRUE;

  if (s->run_id <= 0)
    return TRUE;

  if (save)
    {
      set_state (s->self, LK_TRAINER_STATE_STOPPING);
      if (s->iteration != s->last_saved_iteration)
        ok = session_save (s, error);
      if (ok && s->params.preview_interval > 0)
        ok = session_preview (s, error);
    }
  if (!session_flush (s, TRUE, ok ? error : NULL))
    ok = FALSE;

  return ok;
}

static gboolean
session_run (LkTrainer  *self,
             gint64      iterations,
             double      minutes,
             LkJob      *job,
             GError    **error)
{
  Session s = { 0 };
  GCancellable *cancellable = job != NULL ? lk_job_get_cancellable (job) : NULL;
  gboolean ok;

  s.self = self;
  s.project = g_object_ref (self->project);
  g_mutex_lock (&self->lock);
  s.params = self->params;
  g_mutex_unlock (&self->lock);
  s.params_json = lk_train_params_to_json (&s.params);

  ok = session_prepare (&s, cancellable, error);
  if (ok)
    {
      GError *train_error = NULL;

      ok = session_train (&s, iterations, minutes, job, &train_error);
      if (!session_finish (&s, ok, ok ? error : NULL))
        ok = FALSE;
      if (train_error != NULL)
        g_propagate_error (error, train_error);
    }

  if (ok && job != NULL && lk_job_is_cancelled (job))
    {
      if (s.last_saved_iteration >= 0)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                     _("interrupted; saved at iteration %" PRId64),
                     s.last_saved_iteration);
      else
        g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("interrupted"));
      ok = FALSE;
    }

  session_clear (&s);
  return ok;
}

/* ---- Running ------------------------------------------------------------- */

static gboolean
begin_busy (LkTrainer  *self,
            GError    **error)
{
  g_mutex_lock (&self->lock);
  if (self->busy)
    {
      g_mutex_unlock (&self->lock);
      g_set_error_literal (error, LK_ERROR, LK_ERROR_BUSY, _("Training is already running"));
      return FALSE;
    }
  if (project_is_busy (self->project))
    {
      g_mutex_unlock (&self->lock);
      g_set_error_literal (error, LK_ERROR, LK_ERROR_BUSY,
                           _("Another trainer of this project is running"));
      return FALSE;
    }
  self->busy = TRUE;
  self->stop_requested = FALSE;
  self->pause_requested = FALSE;
  g_mutex_unlock (&self->lock);
  busy_project (self->project, TRUE);

  return TRUE;
}

static void
end_busy (LkTrainer *self,
          GError    *error)
{
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    post_error (self, error);
  else
    set_state (self, LK_TRAINER_STATE_IDLE);

  busy_project (self->project, FALSE);
  g_mutex_lock (&self->lock);
  self->busy = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* lk_trainer_start()'s run, on the job runner's worker. */
static gboolean
train_job_func (LkJob     *job,
                gpointer   data,
                GError   **error)
{
  LkTrainer *self = data;
  g_autoptr(GError) local_error = NULL;

  session_run (self, 0, 0, job, &local_error);
  if (local_error != NULL)
    g_message ("training stopped: %s", local_error->message);
  end_busy (self, local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

/* A cancel from the operations list stops as lk_trainer_stop() does (and
 * wakes a paused run). */
static void
train_job_cancelled_cb (GCancellable *cancellable,
                        LkTrainer    *self)
{
  lk_trainer_stop (self);
}

/* The run holds no reference on the trainer (dropping the last one stops,
 * saves and joins, as documented): its callback finds it through a weak
 * reference, if it is still there. */
static void
train_job_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(LkTrainer) self = g_weak_ref_get (weak);
  LkJob *job = lk_job_run_get_job (result);

  g_weak_ref_clear (weak);
  g_free (weak);

  /* end_busy() has reported the outcome through the status and "error". */
  lk_job_run_finish (result, NULL);
  if (self != NULL && self->job == job)
    {
      g_cancellable_disconnect (lk_job_get_cancellable (job), self->cancelled_id);
      self->cancelled_id = 0;
      g_clear_object (&self->job);
    }
}

gboolean
lk_trainer_start (LkTrainer  *self,
                  GError    **error)
{
  LkTrainParams params;

  g_return_val_if_fail (LK_IS_TRAINER (self), FALSE);

  lk_trainer_get_params (self, &params);
  if (!lk_train_params_validate (&params, error))
    return FALSE;
  if (!lk_trainer_check_project (self->project, error))
    return FALSE;

  if (!begin_busy (self, error))
    return FALSE;

  set_state (self, LK_TRAINER_STATE_LOADING);
  /* Through the job runner: listed among the running jobs as "Training",
   * its progress line the losses; a cancel there stops and saves. */
  if (self->job != NULL)
    {
      /* The previous run ended (not busy) but its callback has not run. */
      g_cancellable_disconnect (lk_job_get_cancellable (self->job), self->cancelled_id);
      g_clear_object (&self->job);
    }
  self->job = lk_job_new (_("Training"));
  self->cancelled_id = g_cancellable_connect (lk_job_get_cancellable (self->job),
                                              G_CALLBACK (train_job_cancelled_cb), self, NULL);
  {
    GWeakRef *weak = g_new0 (GWeakRef, 1);

    g_weak_ref_init (weak, self);
    lk_job_run_async (self->job, NULL, train_job_func, self, NULL, train_job_done, weak);
  }

  return TRUE;
}

gboolean
lk_trainer_run (LkTrainer  *self,
                gint64      iterations,
                double      minutes,
                LkJob      *job,
                GError    **error)
{
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (LK_IS_TRAINER (self), FALSE);
  g_return_val_if_fail (iterations >= 0, FALSE);
  g_return_val_if_fail (job == NULL || LK_IS_JOB (job), FALSE);

  if (!begin_busy (self, error))
    return FALSE;

  session_run (self, iterations, minutes, job, &local_error);
  end_busy (self, local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

void
lk_trainer_pause (LkTrainer *self)
{
  g_return_if_fail (LK_IS_TRAINER (self));

  g_mutex_lock (&self->lock);
  if (self->busy)
    self->pause_requested = TRUE;
  g_mutex_unlock (&self->lock);
}

void
lk_trainer_resume (LkTrainer *self)
{
  g_return_if_fail (LK_IS_TRAINER (self));

  g_mutex_lock (&self->lock);
  self->pause_requested = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
lk_trainer_stop (LkTrainer *self)
{
  g_return_if_fail (LK_IS_TRAINER (self));

  g_mutex_lock (&self->lock);
  if (self->busy)
    self->stop_requested = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

void
lk_trainer_join (LkTrainer *self)
{
  g_return_if_fail (LK_IS_TRAINER (self));

  g_mutex_lock (&self->lock);
  while (self->busy)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

gboolean
lk_trainer_check_project (LkProject  *project,
                          GError    **error)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GString) reasons = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);

  for (int k = 0; k < 2; k++)
    {
      guint n = lk_project_count_faces (project, k, TRUE);

      if (n < LK_TRAIN_MIN_FACES)
        {
          g_set_error (error, LK_ERROR, LK_ERROR_NO_FACE,
                       ngettext ("Identity %s has %u included face; at least %d are needed to "
                                 "train",
                                 "Identity %s has %u included faces; at least %d are needed to "
                                 "train", n),
                       lk_identity_to_string (k), n, LK_TRAIN_MIN_FACES);
          return FALSE;
        }
    }

  files = lk_project_list_checkpoint_files (project);
  reasons = g_string_new (NULL);
  for (guint i = 0; i < files->len; i++)
    {
      LkCheckpointFile *file = files->pdata[i];
      LkTorchCheckpointInfo info;
      LkTorchError terr;

      if (lk_torch_checkpoint_read_info (file->path, &info, &terr) == LK_TORCH_OK)
        return TRUE;
      if (terr.status != LK_TORCH_ERROR_CORRUPT)
        return set_torch_error (error, &terr, _("Cannot resume training"));
      if (reasons->len > 0)
        g_string_append (reasons, "; ");
      g_string_append (reasons, terr.message);
    }
  if (reasons->len > 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_CORRUPT,
                   _("No checkpoint of this project can be loaded (%s). Start a new model to "
                     "train from scratch; the damaged files are kept."), reasons->str);
      return FALSE;
    }

  return TRUE;
}

/* ---- Starting over -------------------------------------------------------- */

gboolean
lk_trainer_reset_model (LkProject  *project,
                        char      **moved_to,
                        GError    **error)
{
  const char *model_dir;
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *folder_name = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), FALSE);

  if (moved_to != NULL)
    *moved_to = NULL;
  if (project_is_busy (project))
    {
      g_set_error_literal (error, LK_ERROR, LK_ERROR_BUSY,
                           _("Stop training before starting a new model"));
      return FALSE;
    }

  model_dir = lk_project_get_model_dir (project);
  _lk_train_remove_temp_files (model_dir);
  files = lk_project_list_checkpoint_files (project);
  if (files->len == 0)
    return TRUE;

  now = g_date_time_new_now_local ();
  stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  folder_name = g_strdup_printf ("old-%s", stamp);
  folder = g_build_filename (model_dir, folder_name, NULL);
  for (int i = 1; g_file_test (folder, G_FILE_TEST_EXISTS); i++)
    {
      g_free (folder_name);
      g_free (folder);
      folder_name = g_strdup_printf ("old-%s-%d", stamp, i);
      folder = g_build_filename (model_dir, folder_name, NULL);
    }
  if (g_mkdir_with_parents (folder, 0755) < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), "%s: %s", folder,
                   g_strerror (saved));
      return FALSE;
    }

  for (guint i = 0; i < files->len; i++)
    {
      LkCheckpointFile *file = files->pdata[i];
      g_autofree char *base = g_path_get_basename (file->path);
      g_autofree char *target = g_build_filename (folder, base, NULL);

      if (g_rename (file->path, target) < 0)
        {
          int saved = errno;
          g_autofree char *display = g_filename_display_name (file->path);

          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("%s: cannot be moved to %s: %s"), display, folder, g_strerror (saved));
          return FALSE;
        }
      record_moved_file (project, file->path, target);
    }

  if (moved_to != NULL)
    *moved_to = g_steal_pointer (&folder);
  return TRUE;
}

/* ---- Getters --------------------------------------------------------------- */

#define GETTER(type, name, field) \
  type \
  lk_trainer_get_##name (LkTrainer *self) \
  { \
    type value; \
    g_return_val_if_fail (LK_IS_TRAINER (self), 0); \
    g_mutex_lock (&self->lock); \
    value = self->status.field; \
    g_mutex_unlock (&self->lock); \
    return value; \
  }

GETTER (LkTrainerState, state, state)
GETTER (gint64, iteration, iteration)
GETTER (double, loss_a, loss_a)
GETTER (double, loss_b, loss_b)
GETTER (double, gan_generator_loss, gan_generator_loss)
GETTER (double, gan_critic_loss, gan_critic_loss)
GETTER (double, examples_per_second, examples_per_second)
GETTER (double, elapsed, elapsed)
GETTER (double, run_elapsed, run_elapsed)
GETTER (gint64, last_save_time, last_save_time)
GETTER (gint64, last_save_iteration, last_save_iteration)
#undef GETTER

LkImage *
lk_trainer_dup_preview (LkTrainer *self)
{
  LkImage *image = NULL;

  g_return_val_if_fail (LK_IS_TRAINER (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->preview != NULL)
    image = lk_image_copy (self->preview);
  g_mutex_unlock (&self->lock);

  return image;
}

char *
lk_trainer_dup_device_name (LkTrainer *self)
{
  char *name;

  g_return_val_if_fail (LK_IS_TRAINER (self), NULL);

  g_mutex_lock (&self->lock);
  name = g_strdup (self->status.device_name);
  g_mutex_unlock (&self->lock);

  return name;
}

guint
lk_trainer_get_face_count (LkTrainer  *self,
                           LkIdentity  identity)
{
  guint n;

  g_return_val_if_fail (LK_IS_TRAINER (self), 0);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, 0);

  g_mutex_lock (&self->lock);
  n = self->status.face_count[identity];
  g_mutex_unlock (&self->lock);

  return n;
}

LkProject *
lk_trainer_get_project (LkTrainer *self)
{
  g_return_val_if_fail (LK_IS_TRAINER (self), NULL);

  return self->project;
}

void
lk_trainer_set_params (LkTrainer           *self,
                       const LkTrainParams *params)
{
  g_return_if_fail (LK_IS_TRAINER (self));
  g_return_if_fail (params != NULL);

  g_mutex_lock (&self->lock);
  self->params = *params;
  g_mutex_unlock (&self->lock);
}

void
lk_trainer_get_params (LkTrainer     *self,
                       LkTrainParams *params)
{
  g_return_if_fail (LK_IS_TRAINER (self));
  g_return_if_fail (params != NULL);

  g_mutex_lock (&self->lock);
  *params = self->params;
  g_mutex_unlock (&self->lock);
}

/* ---- GObject --------------------------------------------------------------- */

LkTrainer *
lk_trainer_new (LkProject           *project,
                const LkTrainParams *params)
{
  LkTrainer *self;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  self = g_object_new (LK_TYPE_TRAINER, "project", project, NULL);
  if (params != NULL)
    self->params = *params;
  else
    self->params = lk_train_params_from_project (project);

  return self;
}

static void
lk_trainer_dispose (GObject *object)
{
  LkTrainer *self = LK_TRAINER (object);

  g_mutex_lock (&self->lock);
  self->disposed = TRUE;
  g_mutex_unlock (&self->lock);
  lk_trainer_stop (self);
  lk_trainer_join (self);
  if (self->job != NULL)
    {
      g_cancellable_disconnect (lk_job_get_cancellable (self->job), self->cancelled_id);
      self->cancelled_id = 0;
      g_clear_object (&self->job);
    }

  G_OBJECT_CLASS (lk_trainer_parent_class)->dispose (object);
}

static void
lk_trainer_finalize (GObject *object)
{
  LkTrainer *self = LK_TRAINER (object);

  g_clear_object (&self->project);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->preview, lk_image_free);
  g_clear_pointer (&self->pending_points, g_array_unref);
  g_clear_pointer (&self->pending_warnings, g_ptr_array_unref);
  g_clear_pointer (&self->pending_saves, g_ptr_array_unref);
  g_clear_error (&self->pending_error);
  g_free (self->status.device_name);
  g_free (self->notified.device_name);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (lk_trainer_parent_class)->finalize (object);
}

static void
lk_trainer_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  LkTrainer *self = LK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;
    case PROP_STATE:
      g_value_set_enum (value, lk_trainer_get_state (self));
      break;
    case PROP_ITERATION:
      g_value_set_int64 (value, lk_trainer_get_iteration (self));
      break;
    case PROP_LOSS_A:
      g_value_set_double (value, lk_trainer_get_loss_a (self));
      break;
    case PROP_LOSS_B:
      g_value_set_double (value, lk_trainer_get_loss_b (self));
      break;
    case PROP_GAN_GENERATOR_LOSS:
      g_value_set_double (value, lk_trainer_get_gan_generator_loss (self));
      break;
    case PROP_GAN_CRITIC_LOSS:
      g_value_set_double (value, lk_trainer_get_gan_critic_loss (self));
      break;
    case PROP_EXAMPLES_PER_SECOND:
      g_value_set_double (value, lk_trainer_get_examples_per_second (self));
      break;
    case PROP_ELAPSED:
      g_value_set_double (value, lk_trainer_get_elapsed (self));
      break;
    case PROP_RUN_ELAPSED:
      g_value_set_double (value, lk_trainer_get_run_elapsed (self));
      break;
    case PROP_LAST_SAVE_TIME:
      g_value_set_int64 (value, lk_trainer_get_last_save_time (self));
      break;
    case PROP_LAST_SAVE_ITERATION:
      g_value_set_int64 (value, lk_trainer_get_last_save_iteration (self));
      break;
    case PROP_PREVIEW:
      g_value_take_boxed (value, lk_trainer_dup_preview (self));
      break;
    case PROP_DEVICE_NAME:
      g_value_take_string (value, lk_trainer_dup_device_name (self));
      break;
    case PROP_FACE_COUNT_A:
      g_value_set_uint (value, lk_trainer_get_face_count (self, LK_IDENTITY_A));
      break;
    case PROP_FACE_COUNT_B:
      g_value_set_uint (value, lk_trainer_get_face_count (self, LK_IDENTITY_B));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_trainer_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  LkTrainer *self = LK_TRAINER (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      self->project = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_trainer_class_init (LkTrainerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = lk_trainer_dispose;
  object_class->finalize = lk_trainer_finalize;
  object_class->get_property = lk_trainer_get_property;
  object_class->set_property = lk_trainer_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL, LK_TYPE_PROJECT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, LK_TYPE_TRAINER_STATE, LK_TRAINER_STATE_IDLE, ro);
  properties[PROP_ITERATION] =
    g_param_spec_int64 ("iteration", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LOSS_A] =
    g_param_spec_double ("loss-a", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_LOSS_B] =
    g_param_spec_double ("loss-b", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_GAN_GENERATOR_LOSS] =
    g_param_spec_double ("gan-generator-loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_GAN_CRITIC_LOSS] =
    g_param_spec_double ("gan-critic-loss", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, ro);
  properties[PROP_EXAMPLES_PER_SECOND] =
    g_param_spec_double ("examples-per-second", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_ELAPSED] =
    g_param_spec_double ("elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_RUN_ELAPSED] =
    g_param_spec_double ("run-elapsed", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  properties[PROP_LAST_SAVE_TIME] =
    g_param_spec_int64 ("last-save-time", NULL, NULL, 0, G_MAXINT64, 0, ro);
  properties[PROP_LAST_SAVE_ITERATION] =
    g_param_spec_int64 ("last-save-iteration", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_PREVIEW] =
    g_param_spec_boxed ("preview", NULL, NULL, LK_TYPE_IMAGE, ro);
  properties[PROP_DEVICE_NAME] =
    g_param_spec_string ("device-name", NULL, NULL, NULL, ro);
  properties[PROP_FACE_COUNT_A] =
    g_param_spec_uint ("face-count-a", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_FACE_COUNT_B] =
    g_param_spec_uint ("face-count-b", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_ERROR] =
    g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
  signals[SIGNAL_WARNING] =
    g_signal_new ("warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_LOSSES] =
    g_signal_new ("losses", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ARRAY);
  signals[SIGNAL_CHECKPOINT_SAVED] =
    g_signal_new ("checkpoint-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_STRING);
}

static void
lk_trainer_init (LkTrainer *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->context = g_main_context_ref_thread_default ();
  self->params = lk_train_params_default ();
  self->status.last_save_iteration = -1;
  self->notified.last_save_iteration = -1;
  self->pending_points = g_array_new (FALSE, FALSE, sizeof (LkLossPoint));
  self->pending_warnings = g_ptr_array_new_with_free_func (g_free);
  self->pending_saves = g_ptr_array_new_with_free_func ((GDestroyNotify) saved_event_free);
}
