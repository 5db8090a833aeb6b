/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-curate-dialog"

#include "config.h"

#include "lk-curate-dialog.h"

#include <glib/gi18n.h>

#include "lk-auto-curate.h"
#include "lk-face-states.h"
#include "lk-job-runner.h"

typedef enum
{
  KIND_SWITCH,
  KIND_NUMBER,
} RowKind;

typedef struct
{
  LkCurateRule  rule;
  const char   *title;
  const char   *subtitle;
  RowKind       kind;
  gsize         offset;     /* into LkAutoCurateParams */
  double        min, max, step;
  guint         digits;
  gboolean      shows_count;
} RuleRow;

static const RuleRow rule_rows[] = {
  { LK_CURATE_RULE_ANOTHER_PERSON, N_("Another Person Beyond"),
    N_("Identity distance from the median of the person’s faces (0.6 separates people; "
       "0 turns it off)"), KIND_NUMBER,
    G_STRUCT_OFFSET (LkAutoCurateParams, max_identity_distance), 0, 2, 0.05, 2, TRUE },
  { LK_CURATE_RULE_MULTI_FACE, N_("Several Faces in the Frame"),
    N_("Another person was in the picture"), KIND_SWITCH,
    G_STRUCT_OFFSET (LkAutoCurateParams, multi_face), 0, 1, 1, 0, TRUE },
  { LK_CURATE_RULE_SMALL, N_("Smaller Than"), N_("Face width in its frame, pixels"), KIND_NUMBER,
    G_STRUCT_OFFSET (LkAutoCurateParams, min_face_size), 0, 2000, 8, 0, TRUE },
  { LK_CURATE_RULE_OCCLUDED, N_("Landmark Fit Below"),
    N_("Covered or badly found faces fit the face shape poorly (0–1)"), KIND_NUMBER,
    G_STRUCT_OFFSET (LkAutoCurateParams, min_landmark_fit), 0, 1, 0.05, 2, TRUE },
  { LK_CURATE_RULE_OCCLUDED, N_("Covered Beyond"),
    N_("Share of the face in a colour other than its skin: hands, hair, objects (0–1; 0 turns it off)"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, max_occlusion), 0, 1, 0.05, 2, FALSE },
  { LK_CURATE_RULE_BLURRY, N_("Sharpness Below"),
    N_("Fraction of the person’s median sharpness"), KIND_NUMBER,
    G_STRUCT_OFFSET (LkAutoCurateParams, blurry_relative), 0, 1, 0.05, 2, TRUE },
  { LK_CURATE_RULE_DARK, N_("Exposure Below"), N_("Mean brightness of the face (0–1)"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, dark_exposure), 0, 1, 0.01, 2, TRUE },
  { LK_CURATE_RULE_BRIGHT, N_("Exposure Above"), N_("Mean brightness of the face (0–1)"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, bright_exposure), 0, 1, 0.01, 2, TRUE },
  { LK_CURATE_RULE_TINTED, N_("Colour Cast Above"), N_("Distance from skin tones (Lab units)"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, max_colour_cast), 0, 100, 1, 0, TRUE },
  { LK_CURATE_RULE_TINTED, N_("And Above the Video’s Median By"),
    N_("Footage lit in one colour throughout is kept; 0 uses the bar alone"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, colour_cast_margin), 0, 100, 1, 0, FALSE },
  { LK_CURATE_RULE_POSE, N_("Head Turn Beyond"), N_("Degrees left or right; 0 turns it off"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, max_yaw), 0, 90, 5, 0, TRUE },
  { LK_CURATE_RULE_POSE, N_("Head Tilt Beyond"), N_("Degrees up or down; 0 turns it off"),
    KIND_NUMBER, G_STRUCT_OFFSET (LkAutoCurateParams, max_pitch), 0, 90, 5, 0, FALSE },
  { LK_CURATE_RULE_DUPLICATE, N_("Near-Duplicates"),
    N_("Keep only the sharpest of faces that look the same"), KIND_SWITCH,
    G_STRUCT_OFFSET (LkAutoCurateParams, duplicates), 0, 1, 1, 0, TRUE },
};

struct _LkCurateDialog
{
  AdwWindow           parent_instance;

  LkProject          *project;
  LkIdentity          identity;
  LkAutoCurateParams  params;
  LkJob              *job;
  LkJob              *preview_job;
  guint               preview_serial;
  guint               preview_id;
  gboolean            prepared;
  GtkLabel           *count_labels[G_N_ELEMENTS (rule_rows)];

  /* template widgets */
  GtkButton          *apply_button;
  GtkRevealer        *progress_revealer;
  GtkLabel           *progress_label;
  GtkProgressBar     *progress_bar;
  AdwPreferencesGroup *summary_group;
  AdwPreferencesGroup *rules_group;
  AdwActionRow       *total_row;
  GtkLabel           *total_label;
};

G_DEFINE_FINAL_TYPE (LkCurateDialog, lk_curate_dialog, ADW_TYPE_WINDOW)

enum {
  APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- The live preview -------------------------------------------------- */

/* One preview run: what it was asked, and its typed result. */
typedef struct
{
  LkProject          *project;
  LkAutoCurateParams  params;
  LkIdentity          identity;
  guint               serial;
  LkAutoCuratePlan   *plan;
} PreviewData;

static void
preview_data_free (PreviewData *data)
{
  g_clear_object (&data->project);
  g_clear_pointer (&data->plan, lk_auto_curate_plan_free);
  g_free (data);
}

static gboolean
preview_func (LkJob     *job,
              gpointer   user_data,
              GError   **error)
{
  PreviewData *data = user_data;

  data->plan = lk_auto_curate_plan (data->project, data->identity, &data->params, error);
  return data->plan != NULL;
}

static void
preview_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LkCurateDialog) self = user_data;
  PreviewData *data = lk_job_run_get_data (result);
  g_autoptr(GError) error = NULL;
  LkAutoCuratePlan *plan;
  g_autofree char *total = NULL;

  /* Only the newest preview counts. */
  if (!lk_job_run_finish (result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (data->serial != self->preview_serial || self->project == NULL)
    return;

  plan = data->plan;
  if (plan == NULL)
    {
      gtk_label_set_label (self->progress_label, error->message);
      gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), FALSE);
      return;
    }

  for (guint i = 0; i < G_N_ELEMENTS (rule_rows); i++)
    {
      g_autofree char *text = NULL;
      guint n = plan->excluded[rule_rows[i].rule];

      if (self->count_labels[i] == NULL)
        continue;
      /* Translators: how many faces a rule would exclude */
      text = g_strdup_printf (ngettext ("%u face", "%u faces", n), n);
      gtk_label_set_label (self->count_labels[i], text);
    }

  total = g_strdup_printf ("%u", plan->total);
  gtk_label_set_label (self->total_label, total);
  {
    g_autofree char *description = NULL;

    /* Translators: the faces the automatic pass looks at */
    description = g_strdup_printf (ngettext ("Of %u included face", "Of %u included faces",
                                             plan->considered), plan->considered);
    adw_action_row_set_subtitle (self->total_row, description);
  }
  gtk_widget_set_sensitive (GTK_WIDGET (self->apply_button), plan->total > 0);
}

static gboolean
preview_cb (gpointer user_data)
{
  LkCurateDialog *self = user_data;
  PreviewData *data;

  self->preview_id = 0;
  if (self->project == NULL || !self->prepared)
    return G_SOURCE_REMOVE;

  data = g_new0 (PreviewData, 1);
  data->project = g_object_ref (self->project);
  data->params = self->params;
  data->identity = self->identity;
  data->serial = ++self->preview_serial;

  /* A quick count behind the dialog: a job without a title, not listed. */
  if (self->preview_job != NULL)
    lk_job_cancel (self->preview_job);
  g_clear_object (&self->preview_job);
  self->preview_job = lk_job_new (NULL);
  lk_job_run_async (self->preview_job, self->project, preview_func, data,
                    (GDestroyNotify) preview_data_free, preview_done_cb, g_object_ref (self));

  return G_SOURCE_REMOVE;
}

static void
lk_curate_dialog_queue_preview (LkCurateDialog *self)
{
  if (self->preview_id == 0)
    self->preview_id = g_timeout_add (150, preview_cb, self);
}

/* ---- Measuring first --------------------------------------------------- */

static void
job_changed_cb (LkJob          *job,
                GParamSpec     *pspec,
                LkCurateDialog *self)
{
  g_autofree char *message = lk_job_dup_message (job);

  gtk_progress_bar_set_fraction (self->progress_bar, lk_job_get_fraction (job));
  if (message != NULL && message[0] != '\0')
    gtk_label_set_label (self->progress_label, message);
}

typedef struct
{
  LkProject          *project;
  LkAutoCurateParams  params;
  LkIdentity          identity;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  g_clear_object (&data->project);
  g_free (data);
}

static gboolean
prepare_func (LkJob     *job,
              gpointer   user_data,
              GError   **error)
{
  PrepareData *data = user_data;
  LkAnalyseSummary summary = { 0 };
  gboolean ok;

  ok = lk_curate_prepare (data->project, data->identity, &data->params, job, &summary, error);
  lk_analyse_summary_clear (&summary);
  return ok;
}

static void
prepare_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(LkCurateDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!lk_job_run_finish (result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        gtk_label_set_label (self->progress_label, error->message);
      return;
    }

  self->prepared = TRUE;
  gtk_revealer_set_reveal_child (self->progress_revealer, FALSE);
  lk_curate_dialog_queue_preview (self);
}

/* ---- Rows -------------------------------------------------------------- */

static void
spin_changed_cb (GtkSpinButton  *spin,
                 LkCurateDialog *self)
{
  const RuleRow *row = g_object_get_data (G_OBJECT (spin), "lk-rule-row");

  G_STRUCT_MEMBER (double, &self->params, row->offset) = gtk_spin_button_get_value (spin);
  lk_curate_dialog_queue_preview (self);
}

static void
switch_changed_cb (GtkSwitch      *toggle,
                   GParamSpec     *pspec,
                   LkCurateDialog *self)
{
  const RuleRow *row = g_object_get_data (G_OBJECT (toggle), "lk-rule-row");

  G_STRUCT_MEMBER (gboolean, &self->params, row->offset) = gtk_switch_get_active (toggle);
  lk_curate_dialog_queue_preview (self);
}

static void
lk_curate_dialog_add_rows (LkCurateDialog *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (rule_rows); i++)
    {
      const RuleRow *rule = &rule_rows[i];
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *control;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(rule->title));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _(rule->subtitle));

      if (rule->shows_count)
        {
          GtkWidget *count = gtk_label_new ("–");

          gtk_widget_add_css_class (count, "dim-label");
          gtk_widget_add_css_class (count, "numeric");
          gtk_widget_set_valign (count, GTK_ALIGN_CENTER);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), count);
          self->count_labels[i] = GTK_LABEL (count);
        }

      if (rule->kind == KIND_SWITCH)
        {
          control = gtk_switch_new ();
          gtk_switch_set_active (GTK_SWITCH (control),
                                 G_STRUCT_MEMBER (gboolean, &self->params, rule->offset));
          g_object_set_data (G_OBJECT (control), "lk-rule-row", (gpointer) rule);
          g_signal_connect_object (control, "notify::active", G_CALLBACK (switch_changed_cb),
                                   self, 0);
          adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), control);
        }
      else
        {
          control = gtk_spin_button_new_with_range (rule->min, rule->max, rule->step);
          gtk_spin_button_set_digits (GTK_SPIN_BUTTON (control), rule->digits);
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (control),
                                     G_STRUCT_MEMBER (double, &self->params, rule->offset));
          g_object_set_data (G_OBJECT (control), "lk-rule-row", (gpointer) rule);
          g_signal_connect_object (control, "value-changed", G_CALLBACK (spin_changed_cb),
                                   self, 0);
        }
      gtk_widget_set_valign (control, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), control);
      adw_preferences_group_add (self->rules_group, row);
    }
}

static void
apply_clicked_cb (LkCurateDialog *self)
{
  g_autoptr(LkAutoCuratePlan) plan = NULL;
  g_autoptr(LkFaceStates) previous = NULL;
  g_autoptr(GError) error = NULL;

  if (self->project == NULL)
    return;

  /* The plan of the thresholds as they are now. */
  plan = lk_auto_curate_plan (self->project, self->identity, &self->params, &error);
  if (plan == NULL || !lk_auto_curate_apply (self->project, plan, &previous, &error))
    {
      gtk_label_set_label (self->progress_label, error->message);
      gtk_revealer_set_reveal_child (self->progress_revealer, TRUE);
      return;
    }

  g_signal_emit (self, signals[APPLIED], 0, previous, plan->total);
  gtk_window_close (GTK_WINDOW (self));
}

LkCurateDialog *
lk_curate_dialog_new (LkProject  *project,
                      LkIdentity  identity)
{
  LkCurateDialog *self;
  g_autofree char *title = NULL;

  g_return_val_if_fail (LK_IS_PROJECT (project), NULL);

  self = g_object_new (LK_TYPE_CURATE_DIALOG, NULL);
  self->project = g_object_ref (project);
  self->identity = identity;
  lk_curate_dialog_add_rows (self);

  /* Translators: %s is "A" or "B" */
  title = g_strdup_printf (_("Faces of Person %s"), lk_identity_to_string (identity));
  adw_preferences_group_set_title (self->summary_group, title);

  gtk_label_set_label (self->progress_label, _("Measuring the faces not measured yet…"));
  self->job = lk_job_new (_("Measuring Faces"));
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (job_changed_cb), self, 0);
  g_signal_connect_object (self->job, "notify::message", G_CALLBACK (job_changed_cb), self, 0);

  {
    PrepareData *data = g_new0 (PrepareData, 1);

    data->project = g_object_ref (project);
    data->params = self->params;
    data->identity = identity;
    lk_job_run_async (self->job, project, prepare_func, data, (GDestroyNotify) prepare_data_free,
                      prepare_done_cb, g_object_ref (self));
  }

  return self;
}

static void
lk_curate_dialog_dispose (GObject *object)
{
  LkCurateDialog *self = LK_CURATE_DIALOG (object);

  g_clear_handle_id (&self->preview_id, g_source_remove);
  if (self->job != NULL)
    lk_job_cancel (self->job);
  if (self->preview_job != NULL)
    lk_job_cancel (self->preview_job);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_CURATE_DIALOG);

  G_OBJECT_CLASS (lk_curate_dialog_parent_class)->dispose (object);
}

static void
lk_curate_dialog_finalize (GObject *object)
{
  LkCurateDialog *self = LK_CURATE_DIALOG (object);

  g_clear_object (&self->job);
  g_clear_object (&self->preview_job);
  g_clear_object (&self->project);

  G_OBJECT_CLASS (lk_curate_dialog_parent_class)->finalize (object);
}

static void
lk_curate_dialog_class_init (LkCurateDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_curate_dialog_dispose;
  object_class->finalize = lk_curate_dialog_finalize;

  /* (states before: LkFaceStates, faces excluded) */
  signals[APPLIED] =
    g_signal_new ("applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, LK_TYPE_FACE_STATES, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-curate-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, apply_button);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, summary_group);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, rules_group);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, total_row);
  gtk_widget_class_bind_template_child (widget_class, LkCurateDialog, total_label);
  gtk_widget_class_bind_template_callback (widget_class, apply_clicked_cb);
}

static void
lk_curate_dialog_init (LkCurateDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->params = lk_auto_curate_params_default ();
}
