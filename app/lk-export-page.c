/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-export-page"

#include "config.h"

#include <inttypes.h>

#include "lk-export-page.h"

#include <errno.h>
#include <math.h>
#include <glib/gi18n.h>

#include "lk-actions.h"
#include "lk-convert-params.h"
#include "lk-engine.h"
#include "lk-error.h"
#include "lk-export.h"
#include "lk-job-runner.h"
#include "lk-notify.h"
#include "lk-provenance.h"
#include "lk-setting-binding.h"

struct _LkExportPage
{
  GtkWidget         parent_instance;

  LkProject        *project;
  GPtrArray        *bindings;
  LkSettingBinding *output_binding;
  LkSettingBinding *codec_binding;
  GStrv             codec_ids;     /* the codecs this FFmpeg can encode, as in codec_row */
  GPtrArray        *targets;       /* LkSource: person B's videos, as in target_row */

  LkJob            *job;           /* the export running, or NULL */
  char             *job_output;
  char             *output;        /* the last finished export */
  LkJob            *verify_job;

  /* template widgets */
  AdwPreferencesPage *preferences_page;
  GtkStack         *export_stack;
  AdwComboRow      *target_row;
  GtkStringList    *target_list;
  AdwActionRow     *start_row;
  GtkLabel         *progress_title;
  GtkProgressBar   *progress_bar;
  GtkLabel         *progress_message;
  GtkLabel         *progress_figures;
  GtkVideo         *player;
  AdwActionRow     *done_row;
  AdwActionRow     *verify_row;
  GtkImage         *verify_icon;
  GtkWidget        *output_group;
  GtkWidget        *frames_group;
  GtkWidget        *provenance_group;
  AdwActionRow     *output_row;
  AdwComboRow      *codec_row;
  GtkSpinButton    *crf_spin;
  AdwComboRow      *preset_row;
  GtkSwitch        *whole_switch;
  GtkSpinButton    *start_spin;
  GtkSpinButton    *end_spin;
  GtkSwitch        *metadata_switch;
  GtkSwitch        *sidecar_switch;
  GtkSwitch        *burn_in_switch;
};

G_DEFINE_FINAL_TYPE (LkExportPage, lk_export_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The widgets of the export settings; their defaults, ranges and choices
 * are the schema's (engine/convert/lk-convert-params.c). "export.output"
 * is bound on its own: its default depends on the project;
 * "export.codec" too: its choices are the encoders this FFmpeg has. */
static const LkSettingSpec setting_specs[] = {
  { "export.crf", G_STRUCT_OFFSET (LkExportPage, crf_spin), "value" },
  { "export.preset", G_STRUCT_OFFSET (LkExportPage, preset_row), "selected" },
  { "export.whole-video", G_STRUCT_OFFSET (LkExportPage, whole_switch), "active" },
  { "export.start-frame", G_STRUCT_OFFSET (LkExportPage, start_spin), "value" },
  { "export.end-frame", G_STRUCT_OFFSET (LkExportPage, end_spin), "value" },
  { "export.metadata", G_STRUCT_OFFSET (LkExportPage, metadata_switch), "active" },
  { "export.sidecar", G_STRUCT_OFFSET (LkExportPage, sidecar_switch), "active" },
  { "export.burn-in-label", G_STRUCT_OFFSET (LkExportPage, burn_in_switch), "active" },
};

static const char *
codec_extension (LkExportPage *self,
                 guint         selected)
{
  if (self->codec_ids != NULL && selected < g_strv_length (self->codec_ids) &&
      g_str_equal (self->codec_ids[selected], "vp9"))
    return ".webm";
  return ".mp4";
}

static char *
default_output (LkExportPage *self)
{
  g_autofree char *name = g_strconcat (lk_project_get_name (self->project),
                                       codec_extension (self,
                                                        adw_combo_row_get_selected (self->codec_row)),
                                       NULL);

  return g_build_filename (lk_project_get_renders_dir (self->project), name, NULL);
}

/* Keep the file name's extension in step with the codec. */
static void
codec_changed_cb (LkExportPage *self)
{
  const char *output;
  const char *dot;
  g_autofree char *stem = NULL;
  g_autofree char *updated = NULL;
  const char *extension = codec_extension (self, adw_combo_row_get_selected (self->codec_row));

  if (self->project == NULL)
    return;

  output = adw_action_row_get_subtitle (self->output_row);
  if (output == NULL || *output == '\0')
    return;

  dot = strrchr (output, '.');
  if (dot == NULL || strchr (dot, '/') != NULL || g_strcmp0 (dot, extension) == 0 ||
      !(g_str_equal (dot, ".mp4") || g_str_equal (dot, ".webm") || g_str_equal (dot, ".mkv")))
    return;

  stem = g_strndup (output, dot - output);
  updated = g_strconcat (stem, extension, NULL);
  adw_action_row_set_subtitle (self->output_row, updated);
}

static void
choose_output_response_cb (GtkNativeDialog *native,
                           int              response,
                           gpointer         user_data)
{
  g_autoptr(LkExportPage) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->project != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        adw_action_row_set_subtitle (self->output_row, path);
    }

  g_object_unref (native);
}

static void
choose_output_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LkExportPage *self = LK_EXPORT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *native;
  const char *current = adw_action_row_get_subtitle (self->output_row);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *name = NULL;

  if (self->project == NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export To"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);

  file = g_file_new_for_path (current != NULL && *current != '\0'
                              ? current : lk_project_get_renders_dir (self->project));
  folder = g_file_get_parent (file);
  name = g_file_get_basename (file);
  if (folder != NULL)
    gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (native), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);

  g_signal_connect (native, "response", G_CALLBACK (choose_output_response_cb),
                    g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* ---- state ---------------------------------------------------------------- */

static LkSource *
lk_export_page_get_target (LkExportPage *self)
{
  guint selected = adw_combo_row_get_selected (self->target_row);

  if (self->targets == NULL || selected >= self->targets->len)
    return NULL;
  return g_ptr_array_index (self->targets, selected);
}

/* The one place that follows the page's state: which actions are enabled,
 * what the idle row says, whether the settings may change. */
static void
lk_export_page_update_state (LkExportPage *self)
{
  gboolean running = self->job != NULL;
  LkSource *target = lk_export_page_get_target (self);
  const char *output = adw_action_row_get_subtitle (self->output_row);

  lk_actions_changed (GTK_WIDGET (self));

  gtk_widget_set_sensitive (self->output_group, !running);
  gtk_widget_set_sensitive (self->frames_group, !running);
  gtk_widget_set_sensitive (self->provenance_group, !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->target_row), target != NULL);

  if (target == NULL)
    {
      adw_action_row_set_subtitle (self->start_row,
                                   _("Add a video of person B on the Faces page first"));
    }
  else
    {
      g_autofree char *from = g_path_get_basename (target->path);
      g_autofree char *to = output != NULL && *output != '\0' ? g_path_get_basename (output)
                                                              : g_strdup ("");
      /* Translators: the target video and the file the export writes */
      g_autofree char *text = g_strdup_printf (_("%s to %s"), from, to);

      adw_action_row_set_subtitle (self->start_row, text);
    }
}

static void
lk_export_page_reload_targets (LkExportPage *self)
{
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) strv = NULL;
  g_autofree char *previous = NULL;
  guint selected = 0;

  if (lk_export_page_get_target (self) != NULL)
    previous = g_strdup (lk_export_page_get_target (self)->path);

  g_clear_pointer (&self->targets, g_ptr_array_unref);
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_source_free);
  if (self->project != NULL)
    sources = lk_project_list_sources (self->project, LK_IDENTITY_B, NULL);

  /* Videos only: a still has nothing to export. */
  for (guint i = 0; sources != NULL && i < sources->len; i++)
    {
      LkSource *source = g_ptr_array_index (sources, i);
      g_autofree char *name = NULL;

      if (source->duration <= 0)
        continue;
      name = g_path_get_basename (source->path);
      if (g_strcmp0 (source->path, previous) == 0)
        selected = self->targets->len;
      g_strv_builder_add (names, name);
      g_ptr_array_add (self->targets, lk_source_copy (source));
    }

  strv = g_strv_builder_end (names);
  gtk_string_list_splice (self->target_list, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->target_list)),
                          (const char * const *) strv);
  if (self->targets->len > 0)
    adw_combo_row_set_selected (self->target_row, selected);

  lk_export_page_update_state (self);
}

static void
show_toast (LkExportPage *self,
            const char   *message)
{
  lk_notify (GTK_WIDGET (self), message);
}

static char *
format_remaining (double seconds)
{
  int s = (int) ceil (seconds);

  if (s < 60)
    /* Translators: time left of an export, in seconds */
    return g_strdup_printf (_("%d s left"), s);
  /* Translators: time left of an export, minutes:seconds */
  return g_strdup_printf (_("%d:%02d left"), s / 60, s % 60);
}

/* ---- the export job --------------------------------------------------------- */

static void
job_progress_cb (LkExportPage *self)
{
  g_autofree char *message = NULL;
  g_autoptr(GString) figures = g_string_new (NULL);
  double fps, remaining, frames, total;

  if (self->job == NULL)
    return;

  gtk_progress_bar_set_fraction (self->progress_bar, lk_job_get_fraction (self->job));
  frames = lk_job_get_figure (self->job, "frames");
  total = lk_job_get_figure (self->job, "frames-total");
  if (frames > 0 && total > 0)
    /* Translators: export progress; the total is estimated from the duration */
    message = g_strdup_printf (_("Frame %.0f of %.0f"), frames, total);
  else
    message = lk_job_dup_message (self->job);
  gtk_label_set_text (self->progress_message, message != NULL ? message : _("Starting…"));

  fps = lk_job_get_figure (self->job, "frames-per-second");
  remaining = lk_job_get_remaining (self->job);
  if (fps > 0 && !isnan (fps))
    /* Translators: export speed */
    g_string_append_printf (figures, _("%.1f frames/s"), fps);
  if (!isnan (remaining) && remaining >= 0)
    {
      g_autofree char *left = format_remaining (remaining);

      if (figures->len > 0)
        g_string_append (figures, " · ");
      g_string_append (figures, left);
    }
  gtk_label_set_text (self->progress_figures, figures->str);
}

static void
lk_export_page_set_verify (LkExportPage *self,
                           const char   *icon,
                           const char   *css_class,
                           const char   *title,
                           const char   *subtitle)
{
  gtk_image_set_from_icon_name (self->verify_icon, icon);
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->verify_icon), "error");
  if (css_class != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->verify_icon), css_class);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->verify_row), title);
  adw_action_row_set_subtitle (self->verify_row, subtitle);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(LkExportPage) self = user_data;
  g_auto(LkExportSummary) summary = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(LkJob) job = g_steal_pointer (&self->job);
  g_autofree char *output = g_steal_pointer (&self->job_output);
  gboolean ok;

  ok = lk_export_finish (LK_PROJECT (source), result, &summary, &error);
  g_signal_handlers_disconnect_by_data (job, self);

  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (ok)
    {
      g_autofree char *name = g_path_get_basename (output);
      g_autofree char *subtitle = NULL;
      g_autoptr(GFile) file = g_file_new_for_path (output);

      g_free (self->output);
      self->output = g_strdup (output);
      /* Translators: file name, frames written, frames where a face was replaced */
      subtitle = g_strdup_printf (ngettext ("%s · %" PRIu64 " frame · a face replaced "
                                            "in %" PRIu64,
                                            "%s · %" PRIu64 " frames · a face replaced "
                                            "in %" PRIu64,
                                            summary.frames),
                                  name, summary.frames, summary.frames_with_faces);
      adw_action_row_set_subtitle (self->done_row, subtitle);
      lk_export_page_set_verify (self, "security-medium-symbolic", NULL, _("Provenance"),
                                 summary.sidecar != NULL
                                 ? _("Check the file against its record")
                                 : _("No record file was written for this export"));
      gtk_video_set_file (self->player, file);
      gtk_stack_set_visible_child_name (self->export_stack, "done");
      g_message ("Exported %s (%" PRIu64 " frames, %.1f frames/s)", output,
                 summary.frames, summary.frames_per_second);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_path_get_basename (output);
      g_autofree char *message =
        g_strdup_printf (_("Export cancelled; nothing was written to %s"), name);

      gtk_stack_set_visible_child_name (self->export_stack, self->output != NULL ? "done" : "idle");
      show_toast (self, message);
    }
  else
    {
      gtk_stack_set_visible_child_name (self->export_stack, self->output != NULL ? "done" : "idle");
      lk_notify_error (GTK_WIDGET (self), _("Export Failed"), error,
                       _("Nothing was written to the output file. Check the settings "
                         "and that the folder has room, then export again."));
    }

  lk_export_page_update_state (self);
}

static void
export_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LkExportPage *self = user_data;
  LkSource *target = lk_export_page_get_target (self);
  const char *output = adw_action_row_get_subtitle (self->output_row);
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  LkConvertParams params;

  if (self->project == NULL || target == NULL || self->job != NULL)
    return;

  params = lk_convert_params_from_project (self->project);
  if (output == NULL || *output == '\0' || !g_path_is_absolute (output))
    g_set_error (&error, LK_ERROR, LK_ERROR_INVALID_INPUT, _("Choose the file to export to"));
  else if (!lk_export_codec_available (params.codec))
    g_set_error (&error, LK_ERROR, LK_ERROR_UNSUPPORTED,
                 _("This installation of FFmpeg has no %s encoder"),
                 lk_export_codec_encoder (params.codec));
  else
    lk_convert_params_validate (&params, &error);

  folder = output != NULL ? g_path_get_dirname (output) : NULL;
  if (error == NULL && folder != NULL && g_mkdir_with_parents (folder, 0755) != 0)
    g_set_error (&error, LK_ERROR, LK_ERROR_IO, _("Could not create the folder %s: %s"),
                 folder, g_strerror (errno));

  if (error != NULL)
    {
      lk_notify_error (GTK_WIDGET (self), _("Could Not Start the Export"), error, NULL);
      return;
    }

  name = g_path_get_basename (output);
  /* Translators: %s is the file being written */
  title = g_strdup_printf (_("Exporting %s"), name);
  self->job = lk_job_new (title);
  self->job_output = g_strdup (output);
  g_signal_connect_object (self->job, "notify::fraction", G_CALLBACK (job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "notify::message", G_CALLBACK (job_progress_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->job, "figures-changed", G_CALLBACK (job_progress_cb), self,
                           G_CONNECT_SWAPPED);

  /* The player lets go of the previous file, which may be overwritten. */
  gtk_video_set_file (self->player, NULL);
  gtk_label_set_text (self->progress_title, title);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  job_progress_cb (self);
  gtk_stack_set_visible_child_name (self->export_stack, "running");

  g_message ("Exporting %s to %s", target->path, output);
  lk_export_async (self->project, target->path, output, NULL, &params, self->job,
                   export_done_cb, g_object_ref (self));
  lk_export_page_update_state (self);
}

static void
cancel_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LkExportPage *self = user_data;

  if (self->job != NULL)
    {
      gtk_label_set_text (self->progress_message, _("Cancelling…"));
      lk_job_cancel (self->job);
    }
}

static void
new_action (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  LkExportPage *self = user_data;

  gtk_video_set_file (self->player, NULL);
  gtk_stack_set_visible_child_name (self->export_stack, "idle");
}

static void
open_folder_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(LkExportPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the folder: %s"),
                                                  error->message);

      show_toast (self, message);
    }
}

static void
open_folder_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkExportPage *self = user_data;
  g_autofree char *folder = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;

  if (self->output == NULL)
    return;

  folder = g_path_get_dirname (self->output);
  uri = g_filename_to_uri (folder, NULL, NULL);
  if (uri == NULL)
    return;
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           open_folder_done_cb, g_object_ref (self));
}

/* One verification: the file, and its typed result. */
typedef struct
{
  char               *output;
  LkProvenanceReport *report;
} Verify;

static void
verify_free (Verify *verify)
{
  g_free (verify->output);
  g_clear_pointer (&verify->report, lk_provenance_report_free);
  g_free (verify);
}

static gboolean
verify_func (LkJob     *job,
             gpointer   data,
             GError   **error)
{
  Verify *verify = data;

  return lk_provenance_verify (verify->output, &verify->report, lk_job_get_cancellable (job),
                               error);
}

static void
verify_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  LkExportPage *self = LK_EXPORT_PAGE (source);
  LkProvenanceReport *report = NULL;
  g_autoptr(GError) error = NULL;

  if (lk_job_run_finish (result, &error))
    report = ((Verify *) lk_job_run_get_data (result))->report;
  g_clear_object (&self->verify_job);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (report != NULL)
    {
      g_autofree char *subtitle = NULL;
      g_autoptr(GDateTime) utc = report->created != NULL
                                 ? g_date_time_new_from_iso8601 (report->created, NULL) : NULL;
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;
      g_autofree char *created = local != NULL ? g_date_time_format (local, "%x %X")
                                               : g_strdup (report->created);

      if (report->metadata_expected)
        /* Translators: %s is the tool that made the file, e.g. "Likeness 0.1" */
        subtitle = g_strdup_printf (_("The file matches its record (SHA-256) and says it is "
                                      "synthetic; made by %s on %s"),
                                    report->generator, created);
      else
        subtitle = g_strdup_printf (_("The file matches its record (SHA-256); made by %s on %s"),
                                    report->generator, created);
      lk_export_page_set_verify (self, "emblem-ok-symbolic", "success",
                                 _("Provenance Verified"), subtitle);
      g_message ("Verified %s: %s", report->output, subtitle);
    }
  else
    {
      lk_export_page_set_verify (self, "dialog-warning-symbolic", "error",
                                 _("Provenance Does Not Match"), error->message);
      g_message ("Verification failed: %s", error->message);
    }
  lk_export_page_update_state (self);
}

static void
verify_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  LkExportPage *self = user_data;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  Verify *verify;

  if (self->output == NULL || self->verify_job != NULL)
    return;

  name = g_path_get_basename (self->output);
  /* Translators: %s is the file whose provenance is checked */
  title = g_strdup_printf (_("Verifying %s"), name);
  self->verify_job = lk_job_new (title);
  verify = g_new0 (Verify, 1);
  verify->output = g_strdup (self->output);
  lk_export_page_set_verify (self, "security-medium-symbolic", NULL, _("Provenance"),
                             _("Checking…"));
  lk_job_run_async (self->verify_job, self, verify_func, verify, (GDestroyNotify) verify_free,
                    verify_done_cb, NULL);
  lk_export_page_update_state (self);
}

static void
set_action (GSimpleAction *action,
            GVariant      *parameter,
            gpointer       user_data)
{
  LkExportPage *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *key, *value;

  g_variant_get (parameter, "(&s&s)", &key, &value);
  if (!g_str_has_prefix (key, "export."))
    g_set_error (&error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                 _("“%s” is not an export setting"), key);
  else
    lk_project_set_setting (self->project, key, value, &error);

  if (error != NULL)
    show_toast (self, error->message);
}

/* When each action can run (lk-actions.h). */
static gboolean
can_export_enabled (gpointer owner)
{
  LkExportPage *self = owner;

  return self->project != NULL && lk_export_page_get_target (self) != NULL && self->job == NULL;
}

static gboolean
running_enabled (gpointer owner)
{
  return LK_EXPORT_PAGE (owner)->job != NULL;
}

static gboolean
has_output_enabled (gpointer owner)
{
  LkExportPage *self = owner;

  return self->output != NULL && self->job == NULL;
}

static gboolean
can_verify_enabled (gpointer owner)
{
  LkExportPage *self = owner;

  return has_output_enabled (self) && self->verify_job == NULL;
}

static gboolean
can_set_enabled (gpointer owner)
{
  LkExportPage *self = owner;

  return self->project != NULL && self->job == NULL;
}

static const LkAction export_actions[] = {
  { { "export", export_action }, can_export_enabled },
  { { "export-cancel", cancel_action }, running_enabled },
  { { "export-open-folder", open_folder_action }, has_output_enabled },
  { { "export-verify", verify_action }, can_verify_enabled },
  { { "export-new", new_action }, has_output_enabled },
  /* (key, value) of an "export.*" setting, as the page stores it */
  { { "export-set", set_action, "(ss)" }, can_set_enabled },
};

const LkSettingSpec *
lk_export_page_get_setting_specs (guint *n_specs)
{
  *n_specs = G_N_ELEMENTS (setting_specs);
  return setting_specs;
}

const LkAction *
lk_export_page_get_actions (guint *n_actions)
{
  *n_actions = G_N_ELEMENTS (export_actions);
  return export_actions;
}

/* The shortcut goes to the application once the page is in its window. */
static void
lk_export_page_root (GtkWidget *widget)
{
  GtkRoot *root;

  GTK_WIDGET_CLASS (lk_export_page_parent_class)->root (widget);

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root) && gtk_window_get_application (GTK_WINDOW (root)) != NULL)
    {
      const char *export_accels[] = { "<Control>e", NULL };

      gtk_application_set_accels_for_action (gtk_window_get_application (GTK_WINDOW (root)),
                                             "win.export", export_accels);
    }
}

/* ---- public API, GObject ------------------------------------------------- */

LkProject *
lk_export_page_get_project (LkExportPage *self)
{
  g_return_val_if_fail (LK_IS_EXPORT_PAGE (self), NULL);

  return self->project;
}

/* Lets go of the project's settings and signals. */
static void
lk_export_page_unbind (LkExportPage *self)
{
  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  if (self->output_binding != NULL)
    lk_setting_binding_unbind (self->output_binding);
  g_clear_object (&self->output_binding);
  if (self->codec_binding != NULL)
    lk_setting_binding_unbind (self->codec_binding);
  g_clear_object (&self->codec_binding);
  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
}

void
lk_export_page_set_project (LkExportPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_EXPORT_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  /* A running export belongs to the project it started in. */
  if (self->job != NULL)
    lk_job_cancel (self->job);
  if (self->verify_job != NULL)
    lk_job_cancel (self->verify_job);
  g_clear_pointer (&self->output, g_free);
  gtk_video_set_file (self->player, NULL);
  gtk_stack_set_visible_child_name (self->export_stack, "idle");

  lk_export_page_unbind (self);
  g_set_object (&self->project, project);

  if (project != NULL)
    {
      g_autofree char *output = NULL;

      self->bindings = lk_setting_bind_all (project, self, setting_specs,
                                            G_N_ELEMENTS (setting_specs));
      self->codec_binding = lk_setting_binding_new (project, "export.codec", self->codec_row,
                                                    "selected", self->codec_ids[0],
                                                    (const char * const *) self->codec_ids);
      output = default_output (self);
      self->output_binding = lk_setting_binding_new (project, "export.output", self->output_row,
                                                     "subtitle", output, NULL);
      g_signal_connect_object (project, "sources-changed",
                               G_CALLBACK (lk_export_page_reload_targets), self,
                               G_CONNECT_SWAPPED);
    }

  lk_export_page_reload_targets (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_export_page_dispose (GObject *object)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

  if (self->job != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->job, self);
      lk_job_cancel (self->job);
    }
  if (self->verify_job != NULL)
    lk_job_cancel (self->verify_job);
  lk_export_page_unbind (self);
  g_clear_object (&self->project);
  g_clear_pointer (&self->targets, g_ptr_array_unref);
  g_clear_pointer (&self->output, g_free);
  g_clear_pointer (&self->codec_ids, g_strfreev);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_EXPORT_PAGE);

  G_OBJECT_CLASS (lk_export_page_parent_class)->dispose (object);
}

static void
lk_export_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_export_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkExportPage *self = LK_EXPORT_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_export_page_set_project (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_export_page_class_init (LkExportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_export_page_dispose;
  object_class->get_property = lk_export_page_get_property;
  object_class->set_property = lk_export_page_set_property;
  widget_class->root = lk_export_page_root;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "export.choose-output", NULL,
                                   choose_output_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-export-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, preferences_page);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, export_stack);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, target_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, target_list);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, start_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, progress_title);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, progress_message);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, progress_figures);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, player);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, done_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, verify_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, verify_icon);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, output_group);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, frames_group);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, provenance_group);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, output_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, codec_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, crf_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, whole_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, start_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, end_spin);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, metadata_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, sidecar_switch);
  gtk_widget_class_bind_template_child (widget_class, LkExportPage, burn_in_switch);
}

static void
lk_export_page_init (LkExportPage *self)
{
  g_autoptr(GStrvBuilder) ids = g_strv_builder_new ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const LkSettingDef *codec = lk_engine_lookup_setting ("export.codec");

  gtk_widget_init_template (GTK_WIDGET (self));

  /* Only the codecs whose encoder this FFmpeg has; H.264 where none is
   * (the export then says what is missing). */
  for (guint i = 0; i < lk_setting_get_n_choices (codec); i++)
    {
      if (!lk_export_codec_available (i))
        continue;
      g_strv_builder_add (ids, lk_export_codec_to_string (i));
      gtk_string_list_append (names, lk_setting_get_choice_label (codec, i));
    }
  self->codec_ids = g_strv_builder_end (ids);
  if (self->codec_ids[0] == NULL)
    {
      g_strfreev (self->codec_ids);
      self->codec_ids = g_new0 (char *, 2);
      self->codec_ids[0] = g_strdup (lk_export_codec_to_string (LK_EXPORT_CODEC_H264));
      gtk_string_list_append (names, lk_setting_get_choice_label (codec, 0));
    }
  adw_combo_row_set_model (self->codec_row, G_LIST_MODEL (names));

  g_signal_connect_object (self->codec_row, "notify::selected",
                           G_CALLBACK (codec_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target_row, "notify::selected",
                           G_CALLBACK (lk_export_page_update_state), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->output_row, "notify::subtitle",
                           G_CALLBACK (lk_export_page_update_state), self, G_CONNECT_SWAPPED);
  lk_export_page_reload_targets (self);
}
