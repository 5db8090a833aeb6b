/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-face-detail"

#include "config.h"

#include <inttypes.h>

#include "lk-face-detail.h"

#include <math.h>
#include <glib/gi18n.h>

#include "lk-face-figure.h"
#include "lk-face-thumbnailer.h"
#include "lk-image-io.h"
#include "lk-job-runner.h"
#include "lk-metrics.h"
#include "lk-video-reader.h"

#define FRAME_MAX_SIZE 640

struct _LkFaceDetail
{
  GtkWidget     parent_instance;

  LkProject    *project;
  LkFace       *face;
  LkJob        *job;

  /* template widgets */
  GtkLabel        *title_label;
  GtkToggleButton *landmarks_button;
  LkFaceFigure    *crop_figure;
  GtkStack        *frame_stack;
  LkFaceFigure    *frame_figure;
  GtkLabel        *frame_label;
  GtkListBox      *metrics_list;
};

G_DEFINE_FINAL_TYPE (LkFaceDetail, lk_face_detail, GTK_TYPE_WIDGET)

typedef struct
{
  char       *source_path;
  char       *crop_path;
  gint64      pts;
  GdkTexture *crop;
  GdkTexture *frame;
  double      frame_scale;  /* texture px per frame px */
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->source_path);
  g_free (data->crop_path);
  g_clear_object (&data->crop);
  g_clear_object (&data->frame);
  g_free (data);
}

/* Worker thread: the crop, then the frame of @pts in the source. */
static gboolean
load_func (LkJob     *job,
           gpointer   user_data,
           GError   **error)
{
  LoadData *data = user_data;
  GCancellable *cancellable = lk_job_get_cancellable (job);
  g_autoptr(LkImage) crop = NULL;
  g_autoptr(LkVideoReader) reader = NULL;
  g_autoptr(LkVideoFrame) frame = NULL;
  const LkVideoInfo *info;

  crop = lk_image_load (data->crop_path, NULL);
  if (crop != NULL)
    data->crop = lk_texture_new_from_image (crop, 0);

  if (data->source_path == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                           _("The video or photo of this face is no longer in the project"));
      return FALSE;
    }

  reader = lk_video_reader_open (data->source_path, cancellable, error);
  if (reader == NULL)
    return FALSE;
  info = lk_video_reader_get_info (reader);
  lk_video_reader_set_max_size (reader, FRAME_MAX_SIZE, FRAME_MAX_SIZE);

  if (!info->is_still_image &&
      !lk_video_reader_seek (reader, data->pts, cancellable, error))
    return FALSE;
  if (!lk_video_reader_read (reader, &frame, cancellable, error))
    return FALSE;
  if (frame == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("The frame of this face could not be read from “%s”"), data->source_path);
      return FALSE;
    }

  data->frame = lk_texture_new_from_image (frame->image, 0);
  data->frame_scale = info->width > 0 ? (double) frame->image->width / info->width : 1.0;
  return TRUE;
}

static void
load_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  LkFaceDetail *self = LK_FACE_DETAIL (object);
  LoadData *data = lk_job_run_get_data (result);
  g_autoptr(GError) error = NULL;

  if (!lk_job_run_finish (result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (self->face == NULL)
    return;

  lk_face_figure_set_texture (self->crop_figure, data->crop);

  if (error != NULL)
    {
      gtk_label_set_label (self->frame_label, error->message);
      gtk_stack_set_visible_child_name (self->frame_stack, "message");
      return;
    }

  {
    float points[LK_N_LANDMARKS * 2];
    float box[4];

    for (guint i = 0; i < G_N_ELEMENTS (points); i++)
      points[i] = self->face->landmarks[i] * data->frame_scale;
    for (guint i = 0; i < 4; i++)
      box[i] = self->face->box[i] * data->frame_scale;

    lk_face_figure_set_texture (self->frame_figure, data->frame);
    lk_face_figure_set_points (self->frame_figure, points, LK_N_LANDMARKS);
    lk_face_figure_set_box (self->frame_figure, box);
    gtk_stack_set_visible_child_name (self->frame_stack, "frame");
  }
}

static void
add_row (LkFaceDetail *self,
         const char   *title,
         const char   *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value);

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 22);
  gtk_widget_add_css_class (label, "numeric");
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  gtk_list_box_append (self->metrics_list, row);
}

static void
add_number_row (LkFaceDetail *self,
                const char   *title,
                double        value,
                const char   *format)
{
  g_autofree char *text = NULL;

  if (isnan (value))
    text = g_strdup (_("Not measured"));
  else
    text = g_strdup_printf (format, value);
  add_row (self, title, text);
}

static char *
format_time (double seconds)
{
  int minutes = (int) (seconds / 60);

  return g_strdup_printf ("%d:%04.1f", minutes, seconds - minutes * 60);
}

static void
lk_face_detail_update (LkFaceDetail *self)
{
  const LkFace *face = self->face;
  GtkWidget *child;
  g_autofree char *title = NULL;
  g_autofree char *time = NULL;
  g_autofree char *source_path = NULL;
  LoadData *data;
  float crop_points[LK_N_LANDMARKS][2];

  if (self->job != NULL)
    lk_job_cancel (self->job);
  g_clear_object (&self->job);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->metrics_list))) != NULL)
    gtk_list_box_remove (self->metrics_list, child);

  lk_face_figure_set_texture (self->crop_figure, NULL);
  lk_face_figure_set_texture (self->frame_figure, NULL);
  lk_face_figure_set_points (self->frame_figure, NULL, 0);
  lk_face_figure_set_box (self->frame_figure, NULL);

  if (face == NULL)
    {
      gtk_label_set_label (self->title_label, "");
      lk_face_figure_set_points (self->crop_figure, NULL, 0);
      return;
    }

  time = format_time (face->time);
  /* Translators: a face's number in the project and the time in its video */
  title = g_strdup_printf (_("Face %" PRId64 " · %s"), face->id, time);
  gtk_label_set_label (self->title_label, title);

  lk_curate_face_crop_landmarks (face, crop_points);
  lk_face_figure_set_points (self->crop_figure, &crop_points[0][0], LK_N_LANDMARKS);

  gtk_label_set_label (self->frame_label, _("Loading the frame…"));
  gtk_stack_set_visible_child_name (self->frame_stack, "message");

  /* What it is, where it came from, and its figures. */
  if (face->included)
    add_row (self, _("State"), _("Used for training"));
  else
    {
      /* Translators: %s is why a face was excluded ("manual", "blurry", ...) */
      g_autofree char *state = g_strdup_printf (_("Excluded: %s"), face->exclude_reason != NULL
                                                ? face->exclude_reason : _("unknown"));
      add_row (self, _("State"), state);
    }

  if (self->project != NULL)
    {
      g_autoptr(GPtrArray) sources = lk_project_list_sources (self->project, face->identity, NULL);

      for (guint i = 0; sources != NULL && i < sources->len; i++)
        {
          LkSource *source = g_ptr_array_index (sources, i);

          if (source->id == face->source_id)
            source_path = g_strdup (source->path);
        }
    }
  if (source_path != NULL)
    {
      g_autofree char *name = g_path_get_basename (source_path);
      g_autofree char *where = g_strdup_printf ("%s · %s", name, time);

      add_row (self, _("Source"), where);
    }

  add_number_row (self, _("Sharpness"), face->metrics.sharpness, "%.0f");
  add_number_row (self, _("Face Size"), face->metrics.face_size, _("%.0f px"));
  add_number_row (self, _("Exposure"), face->metrics.exposure * 100, "%.0f %%");
  add_number_row (self, _("Colour Cast"), face->metrics.colour_cast, "%.1f");
  add_number_row (self, _("Landmark Fit"), face->metrics.landmark_fit, "%.2f");
  add_number_row (self, _("Covered"), face->metrics.occlusion * 100, "%.0f %%");
  add_number_row (self, _("Yaw"), face->metrics.yaw, "%+.0f°");
  add_number_row (self, _("Pitch"), face->metrics.pitch, "%+.0f°");
  add_number_row (self, _("Roll"), face->metrics.roll, "%+.0f°");
  {
    g_autofree char *n = g_strdup_printf ("%d", face->faces_in_frame);
    add_row (self, _("Faces in Frame"), n);
  }
  if (face->dup_group >= 0)
    {
      g_autofree char *group = g_strdup_printf ("%" PRId64, face->dup_group);
      add_row (self, _("Duplicate Group"), group);
    }

  data = g_new0 (LoadData, 1);
  data->source_path = g_steal_pointer (&source_path);
  data->crop_path = g_strdup (face->file);
  data->pts = face->pts;

  /* A short load behind the panel: a job without a title, not listed. */
  self->job = lk_job_new (NULL);
  lk_job_run_async (self->job, self, load_func, data, (GDestroyNotify) load_data_free,
                    load_done_cb, NULL);
}

void
lk_face_detail_set_project (LkFaceDetail *self,
                            LkProject    *project)
{
  g_return_if_fail (LK_IS_FACE_DETAIL (self));

  g_set_object (&self->project, project);
}

void
lk_face_detail_set_face (LkFaceDetail *self,
                         const LkFace *face)
{
  g_return_if_fail (LK_IS_FACE_DETAIL (self));

  /* The same face with the same state: nothing to reload. */
  if (face != NULL && self->face != NULL && face->id == self->face->id &&
      face->included == self->face->included &&
      g_strcmp0 (face->exclude_reason, self->face->exclude_reason) == 0 &&
      face->dup_group == self->face->dup_group &&
      memcmp (&face->metrics, &self->face->metrics, sizeof face->metrics) == 0)
    return;

  g_clear_pointer (&self->face, lk_face_free);
  if (face != NULL)
    self->face = lk_face_copy (face);

  lk_face_detail_update (self);
}

const LkFace *
lk_face_detail_get_face (LkFaceDetail *self)
{
  g_return_val_if_fail (LK_IS_FACE_DETAIL (self), NULL);

  return self->face;
}

static void
lk_face_detail_dispose (GObject *object)
{
  LkFaceDetail *self = LK_FACE_DETAIL (object);
  GtkWidget *child;

  if (self->job != NULL)
    lk_job_cancel (self->job);
  g_clear_object (&self->job);
  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_FACE_DETAIL);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->project);
  g_clear_pointer (&self->face, lk_face_free);

  G_OBJECT_CLASS (lk_face_detail_parent_class)->dispose (object);
}

static void
lk_face_detail_class_init (LkFaceDetailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_face_detail_dispose;

  g_type_ensure (LK_TYPE_FACE_FIGURE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-face-detail.ui");
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, title_label);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, landmarks_button);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, crop_figure);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, frame_stack);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, frame_figure);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, frame_label);
  gtk_widget_class_bind_template_child (widget_class, LkFaceDetail, metrics_list);
}

static void
lk_face_detail_init (LkFaceDetail *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
