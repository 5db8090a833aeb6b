/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-masks-page"

#include "config.h"

#include "lk-masks-page.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lk-actions.h"
#include "lk-convert-params.h"
#include "lk-convert-preview.h"
#include "lk-converter.h"
#include "lk-error.h"
#include "lk-frame-view.h"
#include "lk-notify.h"
#include "lk-preview-session.h"
#include "lk-preview-worker.h"
#include "lk-setting-binding.h"
#include "lk-video-reader.h"

struct _LkMasksPage
{
  GtkWidget        parent_instance;

  LkProject       *project;
  GPtrArray       *bindings;
  gboolean         show_overlay;
  gboolean         split_view;

  GPtrArray       *targets;        /* LkSource of person B, as in the dropdown */
  char            *checkpoint;     /* the model the preview uses; NULL: none yet */
  LkPreviewWorker *worker;
  double           frame_step;     /* seconds between frames (nominal rate) */
  double           frame_time;     /* the time of the frame shown */
  double           previous_time;  /* of the frames around it; NAN: none */
  double           next_time;
  GArray          *frame_times;    /* double: every frame of the target; NULL: not known */
  double           tick;           /* seconds of one unit of its time base */
  gboolean         updating_scale;

  /* template widgets */
  AdwFlap         *content;
  AdwPreferencesPage *preferences_page;
  GtkWidget       *preview_box;
  GtkWidget       *scrubber_box;
  GtkDropDown     *target_dropdown;
  GtkStringList   *target_list;
  GtkSpinner      *busy_spinner;
  GtkStack        *preview_stack;
  LkFrameView     *frame_view;
  AdwStatusPage   *preview_status;
  AdwStatusPage   *model_status;
  GtkScale        *scrubber;
  GtkAdjustment   *position_adjustment;
  GtkLabel        *time_label;
  AdwComboRow     *type_row;
  GtkSpinButton   *feather_spin;
  GtkSpinButton   *expand_spin;
  GtkSpinButton   *offset_top_spin;
  GtkSpinButton   *offset_bottom_spin;
  GtkSpinButton   *offset_left_spin;
  GtkSpinButton   *offset_right_spin;
  AdwComboRow     *color_row;
  AdwComboRow     *blend_row;
  GtkSpinButton   *levels_spin;
  GtkSpinButton   *smoothing_spin;
};

G_DEFINE_FINAL_TYPE (LkMasksPage, lk_masks_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_SHOW_OVERLAY,
  PROP_SPLIT_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];


/* The widgets of the mask settings; their defaults, ranges and choices are
 * the schema's (engine/convert/lk-convert-params.c). */
static const LkSettingSpec setting_specs[] = {
  { "mask.type", G_STRUCT_OFFSET (LkMasksPage, type_row), "selected" },
  { "mask.feather", G_STRUCT_OFFSET (LkMasksPage, feather_spin), "value" },
  { "mask.expand", G_STRUCT_OFFSET (LkMasksPage, expand_spin), "value" },
  { "mask.offset-top", G_STRUCT_OFFSET (LkMasksPage, offset_top_spin), "value" },
  { "mask.offset-bottom", G_STRUCT_OFFSET (LkMasksPage, offset_bottom_spin), "value" },
  { "mask.offset-left", G_STRUCT_OFFSET (LkMasksPage, offset_left_spin), "value" },
  { "mask.offset-right", G_STRUCT_OFFSET (LkMasksPage, offset_right_spin), "value" },
  { "mask.color-mode", G_STRUCT_OFFSET (LkMasksPage, color_row), "selected" },
  { "mask.blend-mode", G_STRUCT_OFFSET (LkMasksPage, blend_row), "selected" },
  { "mask.blend-levels", G_STRUCT_OFFSET (LkMasksPage, levels_spin), "value" },
  { "mask.temporal-smoothing", G_STRUCT_OFFSET (LkMasksPage, smoothing_spin), "value" },
};

/* ---- the preview worker's side --------------------------------------------
 *
 * Each request carries everything the preview shows (video, time, settings),
 * so the newest request alone says what to draw. The rendering is the
 * engine's (LkPreviewSession): it keeps what is expensive between requests
 * (the model, the detector, the frame's faces and their swaps). */

typedef struct
{
  char            *video;
  double           time;
  LkConvertParams  params;
} PreviewRequest;

static void
preview_request_free (gpointer data)
{
  PreviewRequest *request = data;

  g_free (request->video);
  g_free (request);
}

static void
preview_session_free (gpointer data)
{
  lk_preview_session_free (data);
}

static void
preview_frame_free (gpointer data)
{
  lk_preview_frame_free (data);
}

static gpointer
preview_job (gpointer       data,
             gpointer       func_data,
             GCancellable  *cancellable,
             GError       **error)
{
  PreviewRequest *request = data;

  return lk_preview_session_render (func_data, request->video, request->time,
                                    &request->params, cancellable, error);
}

/* ---- the page ------------------------------------------------------------ */

static LkSource *
lk_masks_page_get_target (LkMasksPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->target_dropdown);

  if (self->targets == NULL || selected >= self->targets->len)
    return NULL;
  return g_ptr_array_index (self->targets, selected);
}

static char *
format_time (double seconds)
{
  int minutes = (int) (seconds / 60);

  return g_strdup_printf ("%d:%05.2f", minutes, seconds - minutes * 60);
}

static void
lk_masks_page_update_time_label (LkMasksPage *self)
{
  g_autofree char *now = format_time (self->frame_time);
  g_autofree char *total = format_time (gtk_adjustment_get_upper (self->position_adjustment));
  g_autofree char *text = NULL;

  /* Translators: the time of the frame shown and the video's duration */
  text = g_strdup_printf (_("%s / %s"), now, total);
  gtk_label_set_text (self->time_label, text);
}

/* @position on the grid of the video's timestamps, as the reader rounds a
 * time to its time base: then a frame's time compares exactly. */
static double
lk_masks_page_snap (LkMasksPage *self,
                    double       position)
{
  return self->tick > 0 ? llround (position / self->tick) * self->tick : position;
}

/* Whether @position shows the frame of the last result (the last frame at
 * or before it; before the first frame, the first). */
static gboolean
lk_masks_page_shows_frame (LkMasksPage *self,
                           double       position)
{
  double p = lk_masks_page_snap (self, position);

  return (p >= self->frame_time || isnan (self->previous_time))
         && (isnan (self->next_time) || p < self->next_time);
}

/* The time of the frame after (@direction 1) or before (-1) the one that
 * @position shows, NAN where there is none. */
static double
lk_masks_page_step_target (LkMasksPage *self,
                           double       position,
                           int          direction)
{
  const double *times;
  guint lo = 0, hi;
  double p, from, upper;

  if (self->frame_times != NULL && self->frame_times->len > 0)
    {
      /* The frame shown: its neighbours as the preview found them. */
      if (lk_masks_page_shows_frame (self, position))
        return direction > 0 ? self->next_time : self->previous_time;

      /* The position moved on (its preview is still being made): the frame
       * it shows from the frame times, picked as the reader picks it. */
      times = (const double *) self->frame_times->data;
      p = lk_masks_page_snap (self, position);
      hi = self->frame_times->len;
      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (times[mid] <= p)
            lo = mid + 1;
          else
            hi = mid;
        }
      lo = lo > 0 ? lo - 1 : 0;
      if (direction > 0)
        return lo + 1 < self->frame_times->len ? times[lo + 1] : NAN;
      return lo > 0 ? times[lo - 1] : NAN;
    }

  /* The frame times are not known (no preview yet, or a video without
   * timestamps): a step of the nominal rate from the frame shown, or from
   * the position once it has moved away. */
  from = self->frame_time;
  upper = gtk_adjustment_get_upper (self->position_adjustment);
  if (fabs (position - from) > self->frame_step)
    from = position;
  if (direction > 0)
    return position + self->frame_step / 2 < upper ? from + self->frame_step + 1e-4 : NAN;
  return position > 0 ? MAX (from - self->frame_step, 0) + 1e-4 : NAN;
}

static void
lk_masks_page_update_actions (LkMasksPage *self)
{
  lk_actions_changed (GTK_WIDGET (self));
}

static void
lk_masks_page_update_busy (LkMasksPage *self)
{
  gboolean busy = self->worker != NULL && lk_preview_worker_is_busy (self->worker);

  gtk_spinner_set_spinning (self->busy_spinner, busy);
  gtk_widget_set_opacity (GTK_WIDGET (self->busy_spinner), busy ? 1.0 : 0.0);
}

static void
preview_result_cb (LkPreviewWorker *worker,
                   guint64          serial,
                   gpointer         data,
                   const GError    *error,
                   gpointer         user_data)
{
  LkMasksPage *self = user_data;
  LkPreviewFrame *result = data;
  LkSource *target = lk_masks_page_get_target (self);
  g_autoptr(GdkTexture) original = NULL;
  g_autoptr(GdkTexture) swapped = NULL;
  double end;

  lk_masks_page_update_busy (self);
  g_debug ("Preview %" G_GUINT64_FORMAT ": %s", serial,
           error != NULL ? error->message : "frame");

  if (error != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not show the frame: %s"),
                                                  error->message);

      lk_notify (GTK_WIDGET (self), message);
      return;
    }

  if (result->swap_error != NULL)
    {
      g_autofree char *description =
        g_strdup_printf (_("The model could not be loaded: %s. Train again to make a new one."),
                         result->swap_error->message);

      g_message ("Masks preview without a model: %s", result->swap_error->message);
      adw_status_page_set_title (self->model_status, _("The Model Cannot Be Used"));
      adw_status_page_set_description (self->model_status, description);
      gtk_widget_set_visible (GTK_WIDGET (self->model_status), TRUE);
    }

  original = gdk_memory_texture_new (result->width, result->height, GDK_MEMORY_R8G8B8,
                                     result->original, result->stride);
  if (result->result != NULL)
    swapped = gdk_memory_texture_new (result->width, result->height, GDK_MEMORY_R8G8B8,
                                      result->result, result->result_stride);
  lk_frame_view_set_frame (self->frame_view, original, swapped);

  if (result->overlay != NULL)
    {
      g_autoptr(GdkTexture) overlay =
        gdk_memory_texture_new (result->overlay_rect.width, result->overlay_rect.height,
                                GDK_MEMORY_R8G8B8A8, result->overlay,
                                (gsize) result->overlay_rect.width * 4);

      lk_frame_view_set_overlay (self->frame_view, overlay,
                                 &GRAPHENE_RECT_INIT (result->overlay_rect.x,
                                                      result->overlay_rect.y,
                                                      result->overlay_rect.width,
                                                      result->overlay_rect.height));
    }
  else
    {
      lk_frame_view_set_overlay (self->frame_view, NULL, NULL);
    }

  /* The video's real length, rate and frames, now that the reader has
   * them. A result of the previous target (it was on its way when the
   * target changed) says nothing about the frames of this one. */
  self->frame_time = result->time;
  if (target != NULL && g_strcmp0 (result->video, target->path) == 0)
    {
      self->previous_time = result->previous_time;
      self->next_time = result->next_time;
      self->tick = result->tick;
      if (self->frame_times != result->frame_times)
        {
          g_clear_pointer (&self->frame_times, g_array_unref);
          if (result->frame_times != NULL)
            self->frame_times = g_array_ref (result->frame_times);
        }
    }
  if (result->frame_rate > 0)
    {
      self->frame_step = 1.0 / result->frame_rate;
      gtk_adjustment_set_step_increment (self->position_adjustment, self->frame_step);
    }
  /* Every frame can be reached, also the last ones of a stream that starts
   * late (its duration is a length, the frames' times are on its clock). */
  end = result->duration;
  if (self->frame_times != NULL && self->frame_times->len > 0)
    end = MAX (end, g_array_index (self->frame_times, double, self->frame_times->len - 1));
  if (end > 0 && fabs (gtk_adjustment_get_upper (self->position_adjustment) - end) > 1e-6)
    {
      self->updating_scale = TRUE;
      gtk_adjustment_set_upper (self->position_adjustment, end);
      self->updating_scale = FALSE;
    }
  lk_masks_page_update_time_label (self);
  lk_masks_page_update_actions (self);
}

static void
lk_masks_page_stop_worker (LkMasksPage *self)
{
  if (self->worker != NULL)
    lk_preview_worker_shutdown (self->worker);
  g_clear_object (&self->worker);
  lk_masks_page_update_busy (self);
}

/* Sends what the preview should show now to the worker. */
static void
lk_masks_page_request (LkMasksPage *self)
{
  LkSource *target = lk_masks_page_get_target (self);
  PreviewRequest *request;

  if (self->project == NULL || target == NULL)
    return;

  if (self->worker == NULL)
    {
      LkPreviewSession *session = lk_preview_session_new (self->project, self->checkpoint);

      self->worker = lk_preview_worker_new (preview_job, session, preview_session_free,
                                            preview_request_free, preview_frame_free);
      lk_preview_worker_set_result_func (self->worker, preview_result_cb, self);
    }

  request = g_new0 (PreviewRequest, 1);
  request->video = g_strdup (target->path);
  request->time = gtk_adjustment_get_value (self->position_adjustment);
  request->params = lk_convert_params_from_project (self->project);
  lk_preview_worker_submit (self->worker, request);
  lk_masks_page_update_busy (self);
}

/* Whether a model exists decides what the preview can show. A new
 * checkpoint (after training) starts a fresh worker. */
static void
lk_masks_page_update_model (LkMasksPage *self)
{
  g_autofree char *checkpoint = NULL;
  gboolean has_target = lk_masks_page_get_target (self) != NULL;

  if (self->project != NULL)
    checkpoint = lk_convert_find_checkpoint (self->project, NULL, NULL);

  if (g_strcmp0 (checkpoint, self->checkpoint) != 0)
    {
      lk_masks_page_stop_worker (self);
      g_free (self->checkpoint);
      self->checkpoint = g_steal_pointer (&checkpoint);
    }

  adw_status_page_set_title (self->model_status, _("No Trained Model Yet"));
  adw_status_page_set_description (self->model_status,
                                   _("Train a model on the Train page to see the swapped "
                                     "face and its mask. Until then the frames are shown as "
                                     "they are."));
  gtk_widget_set_visible (GTK_WIDGET (self->model_status),
                          has_target && self->checkpoint == NULL);
}

static void
lk_masks_page_target_changed (LkMasksPage *self)
{
  LkSource *target = lk_masks_page_get_target (self);

  lk_frame_view_clear (self->frame_view);
  gtk_stack_set_visible_child_name (self->preview_stack, target != NULL ? "frame" : "empty");
  /* Without a target there is nothing to pick or scrub. */
  gtk_widget_set_visible (GTK_WIDGET (self->target_dropdown), target != NULL);
  gtk_widget_set_visible (self->scrubber_box, target != NULL);

  self->updating_scale = TRUE;
  gtk_adjustment_configure (self->position_adjustment, 0, 0,
                            target != NULL ? MAX (target->duration, 0) : 0,
                            self->frame_step, 1, 0);
  self->updating_scale = FALSE;
  self->frame_time = 0;
  self->previous_time = self->next_time = NAN;
  self->tick = 0;
  g_clear_pointer (&self->frame_times, g_array_unref);
  gtk_widget_set_sensitive (GTK_WIDGET (self->scrubber), target != NULL && target->duration > 0);

  lk_masks_page_update_model (self);
  lk_masks_page_update_time_label (self);
  lk_masks_page_update_actions (self);
  lk_masks_page_request (self);
}

static void
lk_masks_page_reload_targets (LkMasksPage *self,
                              gboolean     follow)
{
  g_autoptr(GPtrArray) sources = NULL;
  g_autofree char *previous = NULL;
  guint selected = GTK_INVALID_LIST_POSITION;
  LkSource *current = lk_masks_page_get_target (self);
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;

  if (current != NULL)
    previous = g_strdup (current->path);

  if (self->project != NULL)
    sources = lk_project_list_sources (self->project, LK_IDENTITY_B, NULL);
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  self->targets = sources != NULL ? g_ptr_array_ref (sources)
                                  : g_ptr_array_new_with_free_func ((GDestroyNotify) lk_source_free);

  for (guint i = 0; i < self->targets->len; i++)
    {
      LkSource *source = g_ptr_array_index (self->targets, i);
      g_autofree char *name = g_path_get_basename (source->path);

      g_strv_builder_add (names, name);
      if (g_strcmp0 (source->path, previous) == 0)
        selected = i;
      /* By default the first video (a still has no frames to scrub). */
      if (previous == NULL && selected == GTK_INVALID_LIST_POSITION && source->duration > 0)
        selected = i;
    }
  if (selected == GTK_INVALID_LIST_POSITION && self->targets->len > 0)
    selected = 0;

  strv = g_strv_builder_end (names);
  g_signal_handlers_block_by_func (self->target_dropdown, lk_masks_page_target_changed, self);
  gtk_string_list_splice (self->target_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->target_list)),
                          (const char * const *) strv);
  gtk_drop_down_set_selected (self->target_dropdown, selected);
  g_signal_handlers_unblock_by_func (self->target_dropdown, lk_masks_page_target_changed, self);

  if (follow && g_strcmp0 (previous, lk_masks_page_get_target (self) != NULL
                                     ? lk_masks_page_get_target (self)->path : NULL) != 0)
    lk_masks_page_target_changed (self);
}

static void
sources_changed_cb (LkMasksPage *self)
{
  lk_masks_page_reload_targets (self, TRUE);
}

static void
position_changed_cb (LkMasksPage *self)
{
  if (self->updating_scale)
    return;

  lk_masks_page_update_actions (self);
  lk_masks_page_request (self);
}

static void
setting_changed_cb (LkMasksPage *self,
                    const char  *key,
                    const char  *value)
{
  if (g_str_has_prefix (key, "mask.") || g_str_has_prefix (key, "convert."))
    lk_masks_page_request (self);
}

static void
blend_mode_changed_cb (LkMasksPage *self)
{
  /* Pyramid levels only apply to Laplacian blending. */
  gtk_widget_set_sensitive (gtk_widget_get_ancestor (GTK_WIDGET (self->levels_spin),
                                                     ADW_TYPE_ACTION_ROW),
                            adw_combo_row_get_selected (self->blend_row) == 1);
}

/* ---- window actions ------------------------------------------------------ */

/* To exactly the next (or previous) frame's time, also on a variable frame
 * rate where frames are unevenly spaced: repeated steps visit every frame
 * once, also while the preview of the last one is still being made (the
 * newest request wins, as for the scrubber). */
static void
lk_masks_page_step (LkMasksPage *self,
                    int          direction)
{
  double target = lk_masks_page_step_target (self,
                                             gtk_adjustment_get_value (self->position_adjustment),
                                             direction);

  if (!isnan (target))
    gtk_adjustment_set_value (self->position_adjustment, target);
}

/* The scrubber's own steps (arrow keys while it has the focus) are frame
 * steps too, instead of the adjustment's nominal step increment. */
static gboolean
scrubber_change_value_cb (LkMasksPage   *self,
                          GtkScrollType  scroll,
                          double         value,
                          GtkRange      *range)
{
  if (scroll != GTK_SCROLL_STEP_FORWARD && scroll != GTK_SCROLL_STEP_BACKWARD)
    return FALSE;
  lk_masks_page_step (self, scroll == GTK_SCROLL_STEP_FORWARD ? 1 : -1);
  return TRUE;
}

static void
next_frame_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  lk_masks_page_step (LK_MASKS_PAGE (user_data), 1);
}

static void
previous_frame_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  lk_masks_page_step (LK_MASKS_PAGE (user_data), -1);
}

static void
toggle_overlay_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LkMasksPage *self = user_data;

  g_object_set (self, "show-overlay", !self->show_overlay, NULL);
}

static void
toggle_split_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  LkMasksPage *self = user_data;

  g_object_set (self, "split-view", !self->split_view, NULL);
}

static void
seek_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  LkMasksPage *self = user_data;

  gtk_adjustment_set_value (self->position_adjustment, g_variant_get_double (parameter));
}

static void
set_action (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  LkMasksPage *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *key, *value;

  g_variant_get (parameter, "(&s&s)", &key, &value);
  if (!g_str_has_prefix (key, "mask."))
    {
      g_set_error (&error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   _("“%s” is not a mask setting"), key);
    }
  else
    {
      lk_project_set_setting (self->project, key, value, &error);
    }

  if (error != NULL)
    {
      lk_notify (GTK_WIDGET (self), error->message);
    }
}

/* When each action can run (lk-actions.h). */
static gboolean
has_project_enabled (gpointer owner)
{
  return LK_MASKS_PAGE (owner)->project != NULL;
}

static gboolean
has_target_enabled (gpointer owner)
{
  return lk_masks_page_get_target (LK_MASKS_PAGE (owner)) != NULL;
}

static gboolean
step_enabled (LkMasksPage *self,
              int          direction)
{
  return lk_masks_page_get_target (self) != NULL &&
         !isnan (lk_masks_page_step_target (self,
                                            gtk_adjustment_get_value (self->position_adjustment),
                                            direction));
}

static gboolean
next_frame_enabled (gpointer owner)
{
  return step_enabled (LK_MASKS_PAGE (owner), 1);
}

static gboolean
previous_frame_enabled (gpointer owner)
{
  return step_enabled (LK_MASKS_PAGE (owner), -1);
}

static const LkAction masks_actions[] = {
  { { "masks-next-frame", next_frame_action }, next_frame_enabled },
  { { "masks-previous-frame", previous_frame_action }, previous_frame_enabled },
  { { "masks-toggle-overlay", toggle_overlay_action, NULL, "false" }, has_target_enabled },
  { { "masks-toggle-split", toggle_split_action, NULL, "false" }, has_target_enabled },
  /* seconds: shows the frame of the target on screen at that time */
  { { "masks-seek", seek_action, "d" }, has_target_enabled },
  /* (key, value) of a "mask.*" setting, as the settings panel stores it */
  { { "masks-set", set_action, "(ss)" }, has_project_enabled },
};

const LkSettingSpec *
lk_masks_page_get_setting_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (setting_specs);
  return setting_specs;
}

const LkAction *
lk_masks_page_get_actions (guint *n_actions)
{
  *n_actions = G_N_ELEMENTS (masks_actions);
  return masks_actions;
}

/* ---- public API, GObject ------------------------------------------------- */

LkProject *
lk_masks_page_get_project (LkMasksPage *self)
{
  g_return_val_if_fail (LK_IS_MASKS_PAGE (self), NULL);

  return self->project;
}

void
lk_masks_page_set_project (LkMasksPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_MASKS_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  lk_masks_page_stop_worker (self);
  g_clear_pointer (&self->checkpoint, g_free);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);

  if (project != NULL)
    {
      self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                            G_N_ELEMENTS (setting_specs));
      g_signal_connect_object (project, "sources-changed",
                               G_CALLBACK (sources_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (project, "setting-changed",
                               G_CALLBACK (setting_changed_cb), self, G_CONNECT_SWAPPED);
    }

  /* A new project starts on its first target at 0 s. */
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  lk_masks_page_reload_targets (self, FALSE);
  lk_masks_page_target_changed (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_masks_page_map (GtkWidget *widget)
{
  LkMasksPage *self = LK_MASKS_PAGE (widget);
  char *before = g_strdup (self->checkpoint);

  GTK_WIDGET_CLASS (lk_masks_page_parent_class)->map (widget);

  /* A model may have been trained since the page was last shown. */
  lk_masks_page_update_model (self);
  if (g_strcmp0 (before, self->checkpoint) != 0)
    lk_masks_page_request (self);
  g_free (before);
}

static void
lk_masks_page_dispose (GObject *object)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  lk_masks_page_stop_worker (self);
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_pointer (&self->frame_times, g_array_unref);
  g_clear_pointer (&self->checkpoint, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_MASKS_PAGE);

  G_OBJECT_CLASS (lk_masks_page_parent_class)->dispose (object);
}

static void
lk_masks_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_SHOW_OVERLAY:
      g_value_set_boolean (value, self->show_overlay);
      break;

    case PROP_SPLIT_VIEW:
      g_value_set_boolean (value, self->split_view);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The window's toggle action follows the property. */
static void
set_toggle_state (LkMasksPage *self,
                  const char  *name,
                  gboolean     state)
{
  GAction *action = lk_actions_lookup (GTK_WIDGET (self), name);

  if (G_IS_SIMPLE_ACTION (action))
    g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (state));
}

static void
lk_masks_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkMasksPage *self = LK_MASKS_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_masks_page_set_project (self, g_value_get_object (value));
      break;

    case PROP_SHOW_OVERLAY:
      if (self->show_overlay != g_value_get_boolean (value))
        {
          self->show_overlay = g_value_get_boolean (value);
          set_toggle_state (self, "masks-toggle-overlay", self->show_overlay);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_SPLIT_VIEW:
      if (self->split_view != g_value_get_boolean (value))
        {
          self->split_view = g_value_get_boolean (value);
          set_toggle_state (self, "masks-toggle-split", self->split_view);
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_masks_page_class_init (LkMasksPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_masks_page_dispose;
  object_class->get_property = lk_masks_page_get_property;
  object_class->set_property = lk_masks_page_set_property;
  widget_class->map = lk_masks_page_map;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* How the preview is drawn; view state, not stored in the project. */
  properties[PROP_SHOW_OVERLAY] =
    g_param_spec_boolean ("show-overlay", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SPLIT_VIEW] =
    g_param_spec_boolean ("split-view", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (LK_TYPE_FRAME_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-masks-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, content);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preview_box);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, scrubber_box);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, target_list);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, busy_spinner);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, frame_view);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, preview_status);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, model_status);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, scrubber);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, position_adjustment);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, time_label);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, type_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, feather_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, expand_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_top_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_bottom_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_left_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, offset_right_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, color_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, blend_row);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, levels_spin);
  gtk_widget_class_bind_template_child (widget_class, LkMasksPage, smoothing_spin);
}

static void
lk_masks_page_init (LkMasksPage *self)
{
  GtkEventController *shortcuts;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->frame_step = 1.0 / 30;
  self->previous_time = self->next_time = NAN;

  /* Left and Right step through the frames while the preview side has the
   * focus (the scrubber itself steps by one frame too). */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Left, 0),
                                                          gtk_named_action_new ("win.masks-previous-frame")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Right, 0),
                                                          gtk_named_action_new ("win.masks-next-frame")));
  gtk_widget_add_controller (self->preview_box, shortcuts);

  g_signal_connect_object (self->blend_row, "notify::selected",
                           G_CALLBACK (blend_mode_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target_dropdown, "notify::selected",
                           G_CALLBACK (lk_masks_page_target_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->position_adjustment, "value-changed",
                           G_CALLBACK (position_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scrubber, "change-value",
                           G_CALLBACK (scrubber_change_value_cb), self, G_CONNECT_SWAPPED);
  blend_mode_changed_cb (self);
  lk_masks_page_target_changed (self);
}
