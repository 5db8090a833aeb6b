/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-train-page"

#include "config.h"

#include "lk-train-page.h"

#include <glib/gi18n.h>
#include <math.h>

#include "lk-actions.h"
#include "lk-engine.h"
#include "lk-error.h"
#include "lk-job-runner.h"
#include "lk-loss-chart.h"
#include "lk-loss-history.h"
#include "lk-notify.h"
#include "lk-preview-grid.h"
#include "lk-setting-binding.h"

/* The recent windows of the chart, in iterations (0: all). */
#define ZOOM_10K 10000
#define ZOOM_1K 1000

struct _LkTrainPage
{
  GtkWidget      parent_instance;

  LkProject     *project;
  GPtrArray     *bindings;
  GSettings     *settings;

  LkTrainer     *trainer;
  LkLossHistory *history;
  LkJob         *load_job;
  GPtrArray     *stop_tasks;       /* GTask, waiting for the trainer to end */
  GError        *last_error;       /* why the trainer last failed */

  /* The newest checkpoint found when the project was opened. */
  gint64         checkpoint_iteration;
  gint64         checkpoint_time;


  /* template widgets */
  GtkLabel      *state_label;
  GtkLabel      *detail_label;
  GtkWidget     *start_button;
  GtkWidget     *pause_button;
  GtkWidget     *resume_button;
  GtkWidget     *stop_button;
  GtkRevealer   *error_revealer;
  GtkLabel      *error_title;
  GtkLabel      *error_message;
  GtkLabel      *error_advice;
  GtkWidget     *error_action_button;
  GtkLabel      *iterations_label;
  GtkLabel      *speed_label;
  GtkLabel      *elapsed_label;
  GtkLabel      *saved_label;
  GtkLabel      *saved_caption;
  GtkFlowBox    *panels;
  GtkLabel      *legend_a;
  GtkLabel      *legend_b;
  LkLossChart   *chart;
  GtkToggleButton *zoom_all;
  GtkToggleButton *zoom_10k;
  GtkToggleButton *zoom_1k;
  GtkAdjustment *smoothing_adjustment;
  GtkLabel      *preview_caption;
  GtkStack      *preview_stack;
  LkPreviewGrid *preview_grid;
  GtkWidget     *lock_hint;
  GtkWidget     *settings_box;
  AdwComboRow   *face_size_row;
  GtkSpinButton *encoder_width_spin;
  GtkSpinButton *decoder_width_spin;
  GtkSpinButton *bottleneck_spin;
  GtkSpinButton *batch_size_spin;
  GtkSpinButton *learning_rate_spin;
  AdwComboRow   *loss_row;
  GtkSpinButton *dssim_weight_spin;
  GtkSwitch     *gan_switch;
  GtkSpinButton *gan_weight_spin;
  AdwActionRow  *device_row;
  AdwActionRow  *cuda_graphs_row;
  GtkSwitch     *cuda_graphs_switch;
};

G_DEFINE_FINAL_TYPE (LkTrainPage, lk_train_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The widgets of the training settings; their defaults, ranges and choices
 * are the schema's (engine/train/lk-train-params.c). */
static const LkSettingSpec setting_specs[] = {
  { "train.face-size", G_STRUCT_OFFSET (LkTrainPage, face_size_row), "selected" },
  { "train.encoder-width", G_STRUCT_OFFSET (LkTrainPage, encoder_width_spin), "value" },
  { "train.decoder-width", G_STRUCT_OFFSET (LkTrainPage, decoder_width_spin), "value" },
  { "train.bottleneck", G_STRUCT_OFFSET (LkTrainPage, bottleneck_spin), "value" },
  { "train.batch-size", G_STRUCT_OFFSET (LkTrainPage, batch_size_spin), "value" },
  { "train.learning-rate", G_STRUCT_OFFSET (LkTrainPage, learning_rate_spin), "value" },
  { "train.loss", G_STRUCT_OFFSET (LkTrainPage, loss_row), "selected" },
  { "train.dssim-weight", G_STRUCT_OFFSET (LkTrainPage, dssim_weight_spin), "value" },
  { "train.gan", G_STRUCT_OFFSET (LkTrainPage, gan_switch), "active" },
  { "train.gan-weight", G_STRUCT_OFFSET (LkTrainPage, gan_weight_spin), "value" },
  { "train.cuda-graphs", G_STRUCT_OFFSET (LkTrainPage, cuda_graphs_switch), "active" },
};

/* The learning rate is small: show it as 5e-05 rather than 0.000050. */
static gboolean
learning_rate_output_cb (GtkSpinButton *spin,
                         gpointer       user_data)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  gtk_editable_set_text (GTK_EDITABLE (spin),
                         g_ascii_formatd (buffer, sizeof buffer, "%.3g",
                                          gtk_spin_button_get_value (spin)));
  return TRUE;
}

static int
learning_rate_input_cb (GtkSpinButton *spin,
                        double        *new_value,
                        gpointer       user_data)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (spin));
  char *end = NULL;
  double value = g_ascii_strtod (text, &end);

  if (end == text || value <= 0)
    return GTK_INPUT_ERROR;

  *new_value = value;
  return TRUE;
}

static void lk_train_page_update_detail (LkTrainPage *self);

static void
lk_train_page_update_device (LkTrainPage *self)
{
  g_autofree char *name = lk_engine_get_device_name ();
  g_autofree char *subtitle = NULL;

  /* The preference is shown next to what the engine found. */
  if (g_settings_get_enum (self->settings, "compute-device") == 1 &&
      g_strcmp0 (lk_engine_get_device_kind (), "cpu") != 0)
    /* Translators: %s is a graphics card's name */
    subtitle = g_strdup_printf (_("Processor only (preferred over %s)"), name);
  else
    subtitle = g_steal_pointer (&name);

  adw_action_row_set_subtitle (self->device_row, subtitle);
  /* Only a CUDA device can replay graphs. */
  gtk_widget_set_visible (GTK_WIDGET (self->cuda_graphs_row),
                          g_strcmp0 (lk_engine_get_device_kind (), "cuda") == 0);
  lk_train_page_update_detail (self);
}


/* ---- Figures ------------------------------------------------------------ */

static char *
format_count (gint64 n)
{
  /* With the locale's thousands separator. */
  return g_strdup_printf ("%'" G_GINT64_FORMAT, n);
}

static char *
format_duration (double seconds)
{
  gint64 s = (gint64) MAX (0, seconds);

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60),
                            (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

static LkTrainerState
lk_train_page_get_state (LkTrainPage *self)
{
  return self->trainer != NULL ? lk_trainer_get_state (self->trainer) : LK_TRAINER_STATE_IDLE;
}

static gboolean
state_is_busy (LkTrainerState state)
{
  return state == LK_TRAINER_STATE_LOADING || state == LK_TRAINER_STATE_RUNNING ||
         state == LK_TRAINER_STATE_PAUSED || state == LK_TRAINER_STATE_STOPPING;
}

gboolean
lk_train_page_get_busy (LkTrainPage *self)
{
  g_return_val_if_fail (LK_IS_TRAIN_PAGE (self), FALSE);

  return state_is_busy (lk_train_page_get_state (self));
}

/* The trainer's figures once it has run in this session, else the newest
 * point of the history. */
static gboolean
trainer_has_run (LkTrainPage *self)
{
  return self->trainer != NULL &&
         (lk_train_page_get_state (self) != LK_TRAINER_STATE_IDLE ||
          lk_trainer_get_iteration (self->trainer) > 0);
}

static void
lk_train_page_update_figures (LkTrainPage *self)
{
  guint n = lk_loss_history_get_n_points (self->history);
  const LkLossPoint *newest = n > 0 ? lk_loss_history_get_point (self->history, n - 1) : NULL;
  gint64 iteration = newest != NULL ? newest->iteration : 0;
  double elapsed = newest != NULL ? newest->elapsed : 0;
  g_autofree char *iterations = NULL;
  g_autofree char *time = NULL;

  if (trainer_has_run (self))
    {
      iteration = MAX (iteration, lk_trainer_get_iteration (self->trainer));
      elapsed = MAX (elapsed, lk_trainer_get_elapsed (self->trainer));
    }

  iterations = format_count (iteration);
  time = format_duration (elapsed);
  gtk_label_set_label (self->iterations_label, iterations);
  gtk_label_set_label (self->elapsed_label, time);

  if (lk_train_page_get_state (self) == LK_TRAINER_STATE_RUNNING &&
      lk_trainer_get_examples_per_second (self->trainer) > 0)
    {
      double rate = lk_trainer_get_examples_per_second (self->trainer);
      g_autofree char *text = g_strdup_printf (rate < 100 ? "%.1f" : "%.0f", rate);

      gtk_label_set_label (self->speed_label, text);
    }
  else
    {
      /* Translators: no figure to show */
      gtk_label_set_label (self->speed_label, C_("figure", "—"));
    }
}

static void
lk_train_page_update_saved (LkTrainPage *self)
{
  gint64 when = self->checkpoint_time;
  gint64 iteration = self->checkpoint_iteration;

  if (self->trainer != NULL && lk_trainer_get_last_save_time (self->trainer) > 0)
    {
      when = lk_trainer_get_last_save_time (self->trainer);
      iteration = lk_trainer_get_last_save_iteration (self->trainer);
    }

  if (when > 0 && iteration >= 0)
    {
      g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (when);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *text = NULL;
      g_autofree char *count = format_count (iteration);
      g_autofree char *caption = NULL;

      if (g_date_time_get_year (time) == g_date_time_get_year (now) &&
          g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
        /* Translators: the time of day of the last save; see g_date_time_format() */
        text = g_date_time_format (time, _("%H:%M"));
      else
        /* Translators: the date of the last save; see g_date_time_format() */
        text = g_date_time_format (time, _("%b %-d"));
      /* Translators: %s is a number of iterations */
      caption = g_strdup_printf (_("Saved at Iteration %s"), count);
      gtk_label_set_label (self->saved_label, text);
      gtk_label_set_label (self->saved_caption, caption);
    }
  else
    {
      /* Translators: the model was never saved */
      gtk_label_set_label (self->saved_label, C_("saved", "Never"));
      gtk_label_set_label (self->saved_caption, _("Last Saved"));
    }
}

static void
set_legend (GtkLabel   *label,
            const char *color,
            const char *name,
            double      value)
{
  g_autofree char *markup = NULL;

  if (isfinite (value))
    markup = g_markup_printf_escaped ("<span foreground=\"%s\">●</span> %s  %.4f", color, name,
                                      value);
  else
    markup = g_markup_printf_escaped ("<span foreground=\"%s\">●</span> %s", color, name);
  gtk_label_set_markup (label, markup);
}

static void
lk_train_page_update_legend (LkTrainPage *self)
{
  guint n = lk_loss_history_get_n_points (self->history);
  double a = n > 0 ? lk_loss_history_get_smoothed (self->history, n - 1, LK_IDENTITY_A) : NAN;
  double b = n > 0 ? lk_loss_history_get_smoothed (self->history, n - 1, LK_IDENTITY_B) : NAN;

  set_legend (self->legend_a, LK_LOSS_CHART_COLOR_A, "A", a);
  set_legend (self->legend_b, LK_LOSS_CHART_COLOR_B, "B", b);
}

static void
lk_train_page_update_detail (LkTrainPage *self)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *device = NULL;
  g_autofree char *text = NULL;

  if (self->trainer != NULL && trainer_has_run (self))
    device = lk_trainer_dup_device_name (self->trainer);
  if (device == NULL || device[0] == '\0')
    {
      g_free (device);
      device = lk_engine_get_device_name ();
    }
  /* Translators: %s is the device that trains, like "CPU (2 threads)" */
  g_ptr_array_add (parts, g_strdup_printf (_("On %s"), device));

  if (self->project != NULL)
    {
      guint a = lk_project_count_faces (self->project, LK_IDENTITY_A, TRUE);
      guint b = lk_project_count_faces (self->project, LK_IDENTITY_B, TRUE);

      /* Translators: included faces of person A */
      g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u face of A", "%u faces of A", a), a));
      /* Translators: included faces of person B */
      g_ptr_array_add (parts, g_strdup_printf (ngettext ("%u face of B", "%u faces of B", b), b));
      if (a < LK_TRAIN_MIN_FACES || b < LK_TRAIN_MIN_FACES)
        g_ptr_array_add (parts,
                         g_strdup_printf (ngettext ("at least %d of each are needed",
                                                    "at least %d of each are needed",
                                                    LK_TRAIN_MIN_FACES),
                                          LK_TRAIN_MIN_FACES));
    }
  g_ptr_array_add (parts, NULL);

  text = g_strjoinv (" · ", (char **) parts->pdata);
  gtk_label_set_label (self->detail_label, text);
}

static void
lk_train_page_update_preview_caption (LkTrainPage *self)
{
  LkTrainParams params;
  g_autofree char *text = NULL;
  int seconds;

  if (self->project == NULL)
    {
      gtk_label_set_label (self->preview_caption, NULL);
      return;
    }

  params = lk_train_params_from_project (self->project);
  seconds = (int) params.preview_interval;
  if (seconds > 0)
    text = g_strdup_printf (ngettext ("Every %d second", "Every %d seconds", seconds), seconds);
  else
    text = g_strdup (_("Off"));
  gtk_label_set_label (self->preview_caption, text);
}

/* The one place that follows the trainer's state: title, buttons, actions
 * and whether the settings may change. */
static void
lk_train_page_update_state (LkTrainPage *self)
{
  LkTrainerState state = lk_train_page_get_state (self);
  gboolean busy = state_is_busy (state);
  const char *title;

  switch (state)
    {
    case LK_TRAINER_STATE_LOADING:
      title = _("Loading Faces and Model…");
      break;
    case LK_TRAINER_STATE_RUNNING:
      title = _("Training");
      break;
    case LK_TRAINER_STATE_PAUSED:
      title = _("Paused");
      break;
    case LK_TRAINER_STATE_STOPPING:
      title = _("Saving the Model…");
      break;
    case LK_TRAINER_STATE_FAILED:
      title = _("Training Stopped");
      break;
    case LK_TRAINER_STATE_IDLE:
    default:
      title = lk_loss_history_get_n_points (self->history) > 0 ? _("Not Training")
                                                               : _("Ready to Train");
      break;
    }
  gtk_label_set_label (self->state_label, title);

  gtk_widget_set_visible (self->start_button, !busy);
  gtk_widget_set_visible (self->pause_button, state == LK_TRAINER_STATE_RUNNING ||
                                              state == LK_TRAINER_STATE_LOADING);
  gtk_widget_set_visible (self->resume_button, state == LK_TRAINER_STATE_PAUSED);
  gtk_widget_set_visible (self->stop_button, busy);

  lk_actions_changed (GTK_WIDGET (self));

  gtk_widget_set_sensitive (self->settings_box, !busy);
  gtk_widget_set_visible (self->lock_hint, busy);

  lk_train_page_update_figures (self);
  lk_train_page_update_detail (self);
}

/* ---- Errors ------------------------------------------------------------- */

static void
dismiss_error_cb (LkTrainPage *self)
{
  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
lk_train_page_show_error (LkTrainPage  *self,
                          const char   *title,
                          const GError *error)
{
  const char *advice;
  gboolean to_faces = FALSE;

  if (g_error_matches (error, LK_ERROR, LK_ERROR_NO_FACE))
    {
      advice = _("Add videos or photos of both people in the Faces area and extract their "
                 "faces, or include faces that were left out.");
      to_faces = TRUE;
    }
  else if (g_error_matches (error, LK_ERROR, LK_ERROR_CORRUPT))
    advice = _("A checkpoint in the project’s model folder is damaged. Move it out of the "
               "folder to train on from an older one.");
  else if (g_error_matches (error, LK_ERROR, LK_ERROR_BUSY))
    advice = _("Another window or command trains this project. Stop it, then start again.");
  else if (g_error_matches (error, LK_ERROR, LK_ERROR_IO))
    advice = _("Check that the disk has free space and that the project folder may be "
               "written to.");
  else if (g_error_matches (error, LK_ERROR, LK_ERROR_MODEL))
    advice = _("Try a smaller face size or batch size, or train on the processor (see "
               "Preferences).");
  else if (g_error_matches (error, LK_ERROR, LK_ERROR_INVALID_INPUT))
    advice = _("Check the settings below.");
  else
    advice = _("Start again; training goes on from the last checkpoint.");

  g_message ("%s: %s", title, error->message);
  gtk_label_set_label (self->error_title, title);
  gtk_label_set_label (self->error_message, error->message);
  gtk_label_set_label (self->error_advice, advice);
  gtk_widget_set_visible (self->error_action_button, to_faces);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

/* ---- The trainer -------------------------------------------------------- */

static void
complete_stop_tasks (LkTrainPage *self)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (self->stop_tasks->len == 0)
    return;

  tasks = g_steal_pointer (&self->stop_tasks);
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = tasks->pdata[i];

      if (lk_train_page_get_state (self) == LK_TRAINER_STATE_FAILED && self->last_error != NULL)
        g_task_return_error (task, g_error_copy (self->last_error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

static void
trainer_state_cb (LkTrainPage *self)
{
  if (!lk_train_page_get_busy (self))
    {
      /* The worker has ended (or is about to): reap it. */
      lk_trainer_join (self->trainer);
      complete_stop_tasks (self);
    }

  lk_train_page_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
trainer_losses_cb (LkTrainer   *trainer,
                   GArray      *points,
                   LkTrainPage *self)
{
  lk_loss_history_append (self->history, (const LkLossPoint *) points->data, points->len);
  lk_train_page_update_legend (self);
}

static void
trainer_preview_cb (LkTrainPage *self)
{
  g_autoptr(LkImage) preview = lk_trainer_dup_preview (self->trainer);

  lk_preview_grid_set_image (self->preview_grid, preview);
  gtk_stack_set_visible_child_name (self->preview_stack, preview != NULL ? "grid" : "empty");
}

static void
trainer_error_cb (LkTrainer    *trainer,
                  const GError *error,
                  LkTrainPage  *self)
{
  g_clear_error (&self->last_error);
  self->last_error = g_error_copy (error);
  lk_train_page_show_error (self, _("Training Stopped"), error);
}

static void
trainer_warning_cb (LkTrainer   *trainer,
                    const char  *message,
                    LkTrainPage *self)
{
  lk_notify (GTK_WIDGET (self), message);
}

static void
lk_train_page_set_trainer (LkTrainPage *self,
                           LkTrainer   *trainer)
{
  if (self->trainer != NULL)
    {
      /* Closing a project while it trains (the window asks first): save
       * and end here. */
      lk_trainer_stop (self->trainer);
      lk_trainer_join (self->trainer);
      g_signal_handlers_disconnect_by_data (self->trainer, self);
      g_clear_object (&self->trainer);
    }

  if (trainer == NULL)
    return;

  self->trainer = g_object_ref (trainer);
  g_signal_connect_object (trainer, "notify::state", G_CALLBACK (trainer_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::iteration",
                           G_CALLBACK (lk_train_page_update_figures), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::examples-per-second",
                           G_CALLBACK (lk_train_page_update_figures), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::elapsed",
                           G_CALLBACK (lk_train_page_update_figures), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::last-save-time",
                           G_CALLBACK (lk_train_page_update_saved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::last-save-iteration",
                           G_CALLBACK (lk_train_page_update_saved), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::device-name",
                           G_CALLBACK (lk_train_page_update_detail), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::face-count-a",
                           G_CALLBACK (lk_train_page_update_detail), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "notify::preview", G_CALLBACK (trainer_preview_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (trainer, "losses", G_CALLBACK (trainer_losses_cb), self, 0);
  g_signal_connect_object (trainer, "error", G_CALLBACK (trainer_error_cb), self, 0);
  g_signal_connect_object (trainer, "warning", G_CALLBACK (trainer_warning_cb), self, 0);
}

/* ---- The history, loaded when a project opens ----------------------------- */

typedef struct
{
  LkProject *project;
  GArray    *points;
  gint64     checkpoint_iteration;
  gint64     checkpoint_time;
} Loaded;

static void
loaded_free (Loaded *loaded)
{
  g_clear_object (&loaded->project);
  g_clear_pointer (&loaded->points, g_array_unref);
  g_free (loaded);
}

static gboolean
load_history_func (LkJob     *job,
                   gpointer   data,
                   GError   **error)
{
  Loaded *loaded = data;
  g_autoptr(GError) checkpoint_error = NULL;
  g_autofree char *checkpoint = NULL;

  loaded->checkpoint_iteration = -1;
  loaded->points = lk_trainer_load_loss_history (loaded->project, error);
  if (loaded->points == NULL)
    return FALSE;

  checkpoint = lk_trainer_find_checkpoint (loaded->project, &loaded->checkpoint_iteration,
                                           &checkpoint_error);
  if (checkpoint != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (checkpoint);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_TIME_MODIFIED,
                                                     G_FILE_QUERY_INFO_NONE,
                                                     lk_job_get_cancellable (job), NULL);

      if (info != NULL)
        loaded->checkpoint_time =
          (gint64) g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
    }
  else if (checkpoint_error != NULL)
    {
      /* The history is still worth showing. */
      g_message ("%s", checkpoint_error->message);
    }

  return TRUE;
}

static void
load_history_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  Loaded *loaded = lk_job_run_get_data (result);
  LkTrainPage *self;

  if (!lk_job_run_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *message = g_strdup_printf (_("Could not read the loss history: %s"),
                                                      error->message);

          lk_notify (GTK_WIDGET (object), message);
        }
      return;
    }

  self = LK_TRAIN_PAGE (object);
  if (lk_job_run_get_job (result) != self->load_job || lk_job_is_cancelled (self->load_job))
    return;

  /* Points the trainer emitted while the history loaded stay. */
  {
    g_autoptr(GArray) live = NULL;
    guint n = lk_loss_history_get_n_points (self->history);

    if (n > 0)
      {
        live = g_array_sized_new (FALSE, FALSE, sizeof (LkLossPoint), n);
        g_array_append_vals (live, lk_loss_history_get_point (self->history, 0), n);
      }
    lk_loss_history_set_points (self->history, (const LkLossPoint *) loaded->points->data,
                                loaded->points->len);
    if (live != NULL)
      lk_loss_history_append (self->history, (const LkLossPoint *) live->data, live->len);
  }

  self->checkpoint_iteration = loaded->checkpoint_iteration;
  self->checkpoint_time = loaded->checkpoint_time;

  lk_train_page_update_legend (self);
  lk_train_page_update_saved (self);
  lk_train_page_update_state (self);
}

/* ---- Actions ------------------------------------------------------------ */

static void
train_start_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkTrainPage *self = user_data;
  g_autoptr(GError) error = NULL;
  LkTrainParams params;

  if (self->trainer == NULL || lk_train_page_get_busy (self))
    return;

  params = lk_train_params_from_project (self->project);
  /* The preference for the processor overrides the project's choice. */
  if (g_settings_get_enum (self->settings, "compute-device") == 1)
    params.device = LK_TRAIN_DEVICE_CPU;
  lk_trainer_set_params (self->trainer, &params);

  dismiss_error_cb (self);
  g_clear_error (&self->last_error);
  if (!lk_trainer_start (self->trainer, &error))
    {
      lk_train_page_show_error (self, _("Training Could Not Start"), error);
      return;
    }

  lk_train_page_update_preview_caption (self);
  lk_train_page_update_state (self);
}

static void
train_pause_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkTrainPage *self = user_data;

  if (self->trainer != NULL)
    lk_trainer_pause (self->trainer);
}

static void
train_resume_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LkTrainPage *self = user_data;

  if (self->trainer != NULL)
    lk_trainer_resume (self->trainer);
}

static void
train_stop_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  LkTrainPage *self = user_data;

  if (self->trainer != NULL)
    lk_trainer_stop (self->trainer);
}

/* When each action can run (lk-actions.h). */
static gboolean
start_enabled (gpointer owner)
{
  LkTrainPage *self = owner;

  return self->project != NULL && !state_is_busy (lk_train_page_get_state (self));
}

static gboolean
pause_enabled (gpointer owner)
{
  return lk_train_page_get_state (LK_TRAIN_PAGE (owner)) == LK_TRAINER_STATE_RUNNING;
}

static gboolean
resume_enabled (gpointer owner)
{
  return lk_train_page_get_state (LK_TRAIN_PAGE (owner)) == LK_TRAINER_STATE_PAUSED;
}

static gboolean
stop_enabled (gpointer owner)
{
  LkTrainerState state = lk_train_page_get_state (LK_TRAIN_PAGE (owner));

  return state_is_busy (state) && state != LK_TRAINER_STATE_STOPPING;
}

static const LkAction train_actions[] = {
  { { "train-start", train_start_action }, start_enabled },
  { { "train-pause", train_pause_action }, pause_enabled },
  { { "train-resume", train_resume_action }, resume_enabled },
  { { "train-stop", train_stop_action }, stop_enabled },
};

const LkSettingSpec *
lk_train_page_get_setting_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (setting_specs);
  return setting_specs;
}

const LkAction *
lk_train_page_get_actions (guint *n_actions)
{
  *n_actions = G_N_ELEMENTS (train_actions);
  return train_actions;
}

static const struct {
  const char *trigger;
  const char *action;
} train_shortcuts[] = {
  { "F5", "win.train-start" },
  { "F5", "win.train-resume" },
  { "F6", "win.train-pause" },
  { "<Shift>F5", "win.train-stop" },
};

GtkEventController *
lk_train_page_create_shortcuts (void)
{
  GtkEventController *controller;

  /* A shortcut whose action is disabled lets the next one with the same
   * key try (F5 starts or resumes). */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "lk-train-shortcuts");
  for (guint i = 0; i < G_N_ELEMENTS (train_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (
        GTK_SHORTCUT_CONTROLLER (controller),
        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (train_shortcuts[i].trigger),
                          gtk_named_action_new (train_shortcuts[i].action)));

  return controller;
}

LkTrainer *
lk_train_page_get_trainer (LkTrainPage *self)
{
  g_return_val_if_fail (LK_IS_TRAIN_PAGE (self), NULL);

  return self->trainer;
}

void
lk_train_page_stop_async (LkTrainPage         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LK_IS_TRAIN_PAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lk_train_page_stop_async);

  if (!lk_train_page_get_busy (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_ptr_array_add (self->stop_tasks, g_steal_pointer (&task));
  lk_trainer_stop (self->trainer);
}

gboolean
lk_train_page_stop_finish (LkTrainPage   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (LK_IS_TRAIN_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- The chart's controls ------------------------------------------------- */

static void
zoom_toggled_cb (LkTrainPage     *self,
                 GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;

  if (button == self->zoom_10k)
    lk_loss_history_set_window (self->history, ZOOM_10K);
  else if (button == self->zoom_1k)
    lk_loss_history_set_window (self->history, ZOOM_1K);
  else
    lk_loss_history_set_window (self->history, 0);
}

static void
smoothing_changed_cb (LkTrainPage *self)
{
  lk_loss_history_set_smoothing (self->history,
                                 gtk_adjustment_get_value (self->smoothing_adjustment));
  lk_train_page_update_legend (self);
}

/* ---- The project -------------------------------------------------------- */

LkProject *
lk_train_page_get_project (LkTrainPage *self)
{
  g_return_val_if_fail (LK_IS_TRAIN_PAGE (self), NULL);

  return self->project;
}

void
lk_train_page_set_project (LkTrainPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_TRAIN_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  if (self->load_job != NULL)
    lk_job_cancel (self->load_job);
  g_clear_object (&self->load_job);
  lk_train_page_set_trainer (self, NULL);
  complete_stop_tasks (self);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_set_object (&self->project, project);

  lk_loss_history_clear (self->history);
  lk_preview_grid_set_image (self->preview_grid, NULL);
  gtk_stack_set_visible_child_name (self->preview_stack, "empty");
  dismiss_error_cb (self);
  g_clear_error (&self->last_error);
  self->checkpoint_iteration = -1;
  self->checkpoint_time = 0;

  if (project != NULL)
    {
      g_autoptr(LkTrainer) trainer = NULL;
      LkTrainParams params = lk_train_params_from_project (project);

      self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                            G_N_ELEMENTS (setting_specs));

      trainer = lk_trainer_new (project, &params);
      lk_train_page_set_trainer (self, trainer);

      {
        Loaded *loaded = g_new0 (Loaded, 1);

        /* Reading the project's history: not listed, it takes a moment. */
        loaded->project = g_object_ref (project);
        self->load_job = lk_job_new (NULL);
        lk_job_run_async (self->load_job, self, load_history_func, loaded,
                          (GDestroyNotify) loaded_free, load_history_cb, NULL);
      }
    }

  lk_train_page_update_legend (self);
  lk_train_page_update_saved (self);
  lk_train_page_update_preview_caption (self);
  lk_train_page_update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

/* ---- GObject ------------------------------------------------------------ */

static void
lk_train_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (lk_train_page_parent_class)->map (widget);

  /* Faces may have been added or left out in the Faces area. */
  lk_train_page_update_detail (LK_TRAIN_PAGE (widget));
}

static void
lk_train_page_dispose (GObject *object)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);
  GtkWidget *child;

  if (self->load_job != NULL)
    lk_job_cancel (self->load_job);
  g_clear_object (&self->load_job);
  /* Whoever waits for a stop goes away with the page. */
  for (guint i = 0; self->stop_tasks != NULL && i < self->stop_tasks->len; i++)
    g_task_return_new_error (self->stop_tasks->pdata[i], G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             "The Train area was closed");
  if (self->stop_tasks != NULL)
    g_ptr_array_set_size (self->stop_tasks, 0);
  /* Quitting while training: stop, save and wait here. */
  lk_train_page_set_trainer (self, NULL);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_clear_object (&self->project);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_TRAIN_PAGE);
  /* The scrolled window is no bound template child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->history);

  G_OBJECT_CLASS (lk_train_page_parent_class)->dispose (object);
}

static void
lk_train_page_finalize (GObject *object)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

  g_clear_pointer (&self->stop_tasks, g_ptr_array_unref);
  g_clear_error (&self->last_error);

  G_OBJECT_CLASS (lk_train_page_parent_class)->finalize (object);
}

static void
lk_train_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, lk_train_page_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_train_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkTrainPage *self = LK_TRAIN_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_train_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_train_page_class_init (LkTrainPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_train_page_dispose;
  object_class->finalize = lk_train_page_finalize;
  object_class->get_property = lk_train_page_get_property;
  object_class->set_property = lk_train_page_set_property;

  widget_class->map = lk_train_page_map;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LK_TYPE_LOSS_CHART);
  g_type_ensure (LK_TYPE_PREVIEW_GRID);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-train-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, LkTrainPage, name)
  BIND (state_label);
  BIND (detail_label);
  BIND (start_button);
  BIND (pause_button);
  BIND (resume_button);
  BIND (stop_button);
  BIND (error_revealer);
  BIND (error_title);
  BIND (error_message);
  BIND (error_advice);
  BIND (error_action_button);
  BIND (iterations_label);
  BIND (speed_label);
  BIND (elapsed_label);
  BIND (saved_label);
  BIND (saved_caption);
  BIND (panels);
  BIND (legend_a);
  BIND (legend_b);
  BIND (chart);
  BIND (zoom_all);
  BIND (zoom_10k);
  BIND (zoom_1k);
  BIND (smoothing_adjustment);
  BIND (preview_caption);
  BIND (preview_stack);
  BIND (preview_grid);
  BIND (lock_hint);
  BIND (settings_box);
  BIND (face_size_row);
  BIND (encoder_width_spin);
  BIND (decoder_width_spin);
  BIND (bottleneck_spin);
  BIND (batch_size_spin);
  BIND (learning_rate_spin);
  BIND (loss_row);
  BIND (dssim_weight_spin);
  BIND (gan_switch);
  BIND (gan_weight_spin);
  BIND (device_row);
  BIND (cuda_graphs_row);
  BIND (cuda_graphs_switch);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, learning_rate_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, learning_rate_input_cb);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_error_cb);
  gtk_widget_class_bind_template_callback (widget_class, zoom_toggled_cb);
}

static void
lk_train_page_init (LkTrainPage *self)
{
  self->history = lk_loss_history_new ();
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  self->checkpoint_iteration = -1;

  gtk_widget_init_template (GTK_WIDGET (self));

  /* The panels are not a selection: no focus stops on their frames. */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->panels));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);

  lk_loss_chart_set_history (self->chart, self->history);
  lk_loss_history_set_smoothing (self->history,
                                 gtk_adjustment_get_value (self->smoothing_adjustment));
  g_signal_connect_object (self->smoothing_adjustment, "value-changed",
                           G_CALLBACK (smoothing_changed_cb), self, G_CONNECT_SWAPPED);

  self->settings = g_settings_new (APP_ID);
  g_signal_connect_object (self->settings, "changed::compute-device",
                           G_CALLBACK (lk_train_page_update_device), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::cpu-threads",
                           G_CALLBACK (lk_train_page_update_device), self, G_CONNECT_SWAPPED);
  lk_train_page_update_device (self);
  lk_train_page_update_legend (self);
  lk_train_page_update_saved (self);
  lk_train_page_update_state (self);
}
