/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-faces-page"

#include "config.h"

#include <inttypes.h>

#include "lk-faces-page.h"

#include <glib/gi18n.h>

#include "lk-actions.h"
#include "lk-auto-curate.h"
#include "lk-curate-dialog.h"
#include "lk-extractor.h"
#include "lk-face-detail.h"
#include "lk-face-history.h"
#include "lk-face-item.h"
#include "lk-face-list.h"
#include "lk-face-thumbnailer.h"
#include "lk-faces.h"
#include "lk-job-runner.h"
#include "lk-notify.h"
#include "lk-pose-chart.h"
#include "lk-pose-coverage.h"

#define THUMBNAIL_SIZE   128
#define MAX_THUMBNAILS   3000
#define LONG_MESSAGE     90

typedef struct
{
  AdwPreferencesGroup *group;
  AdwActionRow        *faces_row;
  GtkLabel            *faces_label;
  AdwActionRow        *extract_row;
  GtkStack            *extract_stack;
  GtkProgressBar      *extract_progress;
  AdwActionRow        *empty_row;
  GPtrArray           *source_rows;   /* rows added to @group */
  LkJob               *job;           /* the extraction running, or NULL */
} IdentitySection;

struct _LkFacesPage
{
  GtkWidget           parent_instance;

  LkProject          *project;
  IdentitySection     sections[2];
  LkFaceList         *faces;
  GtkMultiSelection  *selection;
  LkFaceThumbnailer  *thumbnailer;
  LkFaceHistory      *history;
  LkJob              *analysis;
  guint               refresh_id;

  /* template widgets */
  AdwPreferencesGroup *group_a;
  AdwPreferencesGroup *group_b;
  AdwActionRow       *faces_a_row;
  AdwActionRow       *faces_b_row;
  GtkLabel           *faces_a_label;
  GtkLabel           *faces_b_label;
  AdwActionRow       *extract_a_row;
  AdwActionRow       *extract_b_row;
  GtkStack           *extract_a_stack;
  GtkStack           *extract_b_stack;
  GtkProgressBar     *extract_a_progress;
  GtkProgressBar     *extract_b_progress;
  AdwActionRow       *empty_a_row;
  AdwActionRow       *empty_b_row;
  AdwPreferencesGroup *pose_group;
  LkPoseChart        *pose_chart;
  GtkLabel           *pose_label;
  GtkDropDown        *filter_dropdown;
  GtkLabel           *count_label;
  GtkWidget          *content;
  GtkRevealer        *job_revealer;
  GtkLabel           *job_label;
  GtkProgressBar     *job_progress;
  GtkStack           *grid_stack;
  GtkGridView        *grid_view;
  AdwStatusPage      *empty_page;
  AdwFlap            *detail_flap;
  LkFaceDetail       *detail;
};

G_DEFINE_FINAL_TYPE (LkFacesPage, lk_faces_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PROJECT,
  PROP_SORT_KEY,
  PROP_DESCENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The filter menu: all, included, excluded, then excluded for each reason. */
static const char * const filter_reasons[] = {
  "manual", "multi-face", "small", "occluded", "blurry", "dark", "bright", "tinted",
  "extreme-pose", "duplicate", "another-person",
};
#define N_FIXED_FILTERS 3

static void lk_faces_page_update_actions (LkFacesPage *self);
static void lk_faces_page_update_sources (LkFacesPage *self);

static char *
display_folder (const char *path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (g_str_has_prefix (folder, home) && (folder[home_len] == '/' || folder[home_len] == '\0'))
    return g_strconcat ("~", folder + home_len, NULL);

  return g_steal_pointer (&folder);
}

static gboolean
is_video_or_image (const char *path,
                   gboolean   *is_video)
{
  g_autofree char *content_type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (content_type);

  if (is_video != NULL)
    *is_video = mime != NULL && g_str_has_prefix (mime, "video/");

  return mime != NULL && (g_str_has_prefix (mime, "video/") || g_str_has_prefix (mime, "image/"));
}

static GtkWidget *
create_source_row (const LkSource *source)
{
  GtkWidget *row;
  GtkWidget *remove;
  g_autofree char *name = g_path_get_basename (source->path);
  g_autofree char *folder = display_folder (source->path);
  g_autoptr(GString) subtitle = g_string_new (folder);
  gboolean is_video = FALSE;
  gboolean exists = g_file_test (source->path, G_FILE_TEST_EXISTS);

  is_video_or_image (source->path, &is_video);

  if (source->width > 0 && source->height > 0)
    g_string_append_printf (subtitle, " · %d × %d", source->width, source->height);
  if (source->duration > 0)
    {
      int seconds = (int) (source->duration + 0.5);

      if (seconds >= 3600)
        g_string_append_printf (subtitle, " · %d:%02d:%02d",
                                seconds / 3600, (seconds / 60) % 60, seconds % 60);
      else
        g_string_append_printf (subtitle, " · %d:%02d", seconds / 60, seconds % 60);
    }
  if (!exists)
    {
      /* Translators: %s is the folder a video or photo used to be in */
      g_autofree char *missing = g_strdup_printf (_("Missing from %s"), folder);

      g_string_assign (subtitle, missing);
    }

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);
  gtk_widget_set_tooltip_text (row, source->path);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name (!exists ? "dialog-warning-symbolic"
                                                           : is_video ? "video-x-generic-symbolic"
                                                           : "image-x-generic-symbolic"));

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove From Project"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "faces.remove-source");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "x", source->id);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);

  return row;
}

static void
lk_faces_page_toast (LkFacesPage *self,
                     const char  *message)
{
  lk_notify (GTK_WIDGET (self), message);
}

static void
lk_faces_page_report (LkFacesPage *self,
                      const char  *message)
{
  lk_faces_page_toast (self, message);
}

/* A toast for a short message, the window's error dialog for a long one. */
static void
lk_faces_page_report_error (LkFacesPage  *self,
                            const char   *heading,
                            const GError *error,
                            const char   *advice)
{
  if (g_utf8_strlen (error->message, -1) > LONG_MESSAGE)
    {
      lk_notify_error (GTK_WIDGET (self), heading, error, advice);
    }
  else
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", heading, error->message);

      lk_faces_page_toast (self, message);
    }
}

static LkIdentity
lk_faces_page_get_identity (LkFacesPage *self)
{
  return lk_face_list_get_identity (self->faces);
}

static guint
lk_faces_page_count_selected (LkFacesPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  return (guint) gtk_bitset_get_size (selected);
}

/* The ids of the selected faces. */
static GArray *
lk_faces_page_selected_ids (LkFacesPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkBitsetIter iter;
  guint position;

  if (gtk_bitset_iter_init_first (&iter, selected, &position))
    {
      do
        {
          g_autoptr(LkFaceItem) item = g_list_model_get_item (G_LIST_MODEL (self->faces), position);
          gint64 id;

          if (item == NULL)
            continue;
          id = lk_face_item_get_id (item);
          g_array_append_val (ids, id);
        }
      while (gtk_bitset_iter_next (&iter, &position));
    }

  return ids;
}

/* The one place that sets which of the page's actions are enabled. */
static void
lk_faces_page_update_actions (LkFacesPage *self)
{
  lk_actions_changed (GTK_WIDGET (self));
}

/* Counts, pose coverage: read again a moment after the faces change (they
 * change once per stored frame while extracting). */
static void
lk_faces_page_update_counts (LkFacesPage *self)
{
  LkIdentity shown = lk_faces_page_get_identity (self);

  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      IdentitySection *section = &self->sections[identity];
      guint found = 0;
      guint included = 0;
      g_autofree char *label = NULL;
      g_autofree char *subtitle = NULL;

      if (self->project != NULL)
        {
          found = lk_project_count_faces (self->project, identity, FALSE);
          included = lk_project_count_faces (self->project, identity, TRUE);
        }

      label = g_strdup_printf ("%u", found);
      gtk_label_set_label (section->faces_label, label);

      if (found == 0)
        subtitle = g_strdup (_("No faces extracted from the sources"));
      else
        /* Translators: the number of faces kept for training */
        subtitle = g_strdup_printf (ngettext ("%u used for training", "%u used for training",
                                              included), included);
      adw_action_row_set_subtitle (section->faces_row, subtitle);

      if (identity == shown)
        {
          g_autofree char *count = NULL;

          /* Translators: faces of the person shown: all of them, and those used */
          count = g_strdup_printf (ngettext ("%u face, %u included", "%u faces, %u included", found),
                                   found, included);
          gtk_label_set_label (self->count_label, count);
        }
    }
}

static void
lk_faces_page_update_pose (LkFacesPage *self)
{
  LkIdentity identity = lk_faces_page_get_identity (self);
  g_autoptr(LkPoseCoverage) coverage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  /* Translators: %s is "A" or "B" */
  title = g_strdup_printf (_("Pose Coverage of Person %s"), lk_identity_to_string (identity));
  adw_preferences_group_set_title (self->pose_group, title);

  if (self->project != NULL)
    {
      coverage = lk_curate_pose_coverage (self->project, identity, LK_POSE_COVERAGE_DEFAULT_BIN,
                                          &error);
      if (coverage == NULL)
        g_message ("Could not read the pose coverage: %s", error->message);
    }

  if (coverage == NULL || coverage->total == 0)
    text = g_strdup (_("Head turn and tilt of the included faces appear here once faces are "
                       "extracted."));
  else if (coverage->missing != NULL && coverage->missing->len > 0)
    {
      const LkPoseBin *bin = &g_array_index (coverage->missing, LkPoseBin, 0);

      /* Translators: missing head poses; %+.0f are angles in degrees */
      text = g_strdup_printf (ngettext ("%u nearby angle has no faces (outlined), e.g. turn "
                                        "%+.0f°, tilt %+.0f°. Footage at these angles helps "
                                        "the model.",
                                        "%u nearby angles have no faces (outlined), e.g. turn "
                                        "%+.0f°, tilt %+.0f°. Footage at these angles helps "
                                        "the model.", coverage->missing->len),
                              coverage->missing->len, bin->yaw, bin->pitch);
    }
  else
    text = g_strdup (_("Every angle next to the covered ones has faces."));

  gtk_label_set_label (self->pose_label, text);
  lk_pose_chart_set_coverage (self->pose_chart, g_steal_pointer (&coverage));
}

static gboolean
refresh_cb (gpointer user_data)
{
  LkFacesPage *self = user_data;

  self->refresh_id = 0;
  lk_faces_page_update_counts (self);
  lk_faces_page_update_pose (self);
  lk_faces_page_update_actions (self);

  return G_SOURCE_REMOVE;
}

static void
lk_faces_page_queue_refresh (LkFacesPage *self)
{
  if (self->refresh_id == 0)
    self->refresh_id = g_timeout_add_full (G_PRIORITY_LOW, 300, refresh_cb, self, NULL);
}

static void
lk_faces_page_update_grid_state (LkFacesPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->faces));

  gtk_stack_set_visible_child_name (self->grid_stack, n > 0 ? "grid" : "empty");
  if (n == 0)
    {
      gboolean filtered = lk_face_list_get_filter (self->faces) != LK_FACE_FILTER_ALL;

      adw_status_page_set_title (self->empty_page,
                                 filtered ? _("No Matching Faces") : _("No Faces Yet"));
      adw_status_page_set_description (self->empty_page,
                                       filtered
                                       ? _("No face of this person matches the filter")
                                       : _("Add videos or photos of this person, then press "
                                           "“Extract”"));
    }
  lk_faces_page_update_actions (self);
}

/* The detail panel follows a selection of exactly one face. */
static void
lk_faces_page_update_detail (LkFacesPage *self)
{
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));

  if (gtk_bitset_get_size (selected) == 1)
    {
      guint position = gtk_bitset_get_minimum (selected);
      g_autoptr(LkFaceItem) item = g_list_model_get_item (G_LIST_MODEL (self->faces), position);

      if (item != NULL)
        {
          lk_face_detail_set_face (self->detail, lk_face_item_get_face (item));
          adw_flap_set_reveal_flap (self->detail_flap, TRUE);
          return;
        }
    }

  adw_flap_set_reveal_flap (self->detail_flap, FALSE);
  lk_face_detail_set_face (self->detail, NULL);
}

static void
selection_changed_cb (LkFacesPage *self)
{
  lk_faces_page_update_detail (self);
  lk_faces_page_update_actions (self);
}

static void
faces_items_changed_cb (LkFacesPage *self)
{
  lk_faces_page_update_grid_state (self);
  lk_faces_page_update_detail (self);
}

/* ---- The grid's cells -------------------------------------------------- */

static void
cell_update (GtkListItem *list_item)
{
  LkFaceItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  GtkPicture *picture = g_object_get_data (G_OBJECT (cell), "lk-picture");
  GtkLabel *reason = g_object_get_data (G_OBJECT (cell), "lk-reason");
  const LkFace *face;
  g_autofree char *tooltip = NULL;

  if (item == NULL)
    return;

  face = lk_face_item_get_face (item);
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (lk_face_item_get_thumbnail (item)));
  gtk_widget_set_visible (GTK_WIDGET (reason), !face->included);
  gtk_label_set_label (reason, face->exclude_reason != NULL ? face->exclude_reason : "");
  if (face->included)
    gtk_widget_remove_css_class (cell, "faces-excluded");
  else
    gtk_widget_add_css_class (cell, "faces-excluded");

  if (face->included)
    /* Translators: a face's number and its time in the video */
    tooltip = g_strdup_printf (_("Face %" PRId64 " at %.1f s"), face->id, face->time);
  else
    /* Translators: a face's number, its time in the video and why it is left out */
    tooltip = g_strdup_printf (_("Face %" PRId64 " at %.1f s, excluded: %s"), face->id,
                               face->time, face->exclude_reason != NULL ? face->exclude_reason : "");
  gtk_widget_set_tooltip_text (cell, tooltip);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               LkFacesPage              *self)
{
  GtkWidget *cell = gtk_overlay_new ();
  GtkWidget *picture = gtk_picture_new ();
  GtkWidget *reason = gtk_label_new (NULL);

  gtk_widget_add_css_class (cell, "faces-cell");
  gtk_widget_set_overflow (cell, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_size_request (picture, 112, 112);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_widget_add_css_class (picture, "faces-thumbnail");
  gtk_overlay_set_child (GTK_OVERLAY (cell), picture);

  gtk_widget_set_valign (reason, GTK_ALIGN_END);
  gtk_widget_set_halign (reason, GTK_ALIGN_CENTER);
  gtk_label_set_ellipsize (GTK_LABEL (reason), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (reason, "faces-reason");
  gtk_widget_add_css_class (reason, "caption");
  gtk_overlay_add_overlay (GTK_OVERLAY (cell), reason);

  g_object_set_data (G_OBJECT (cell), "lk-picture", picture);
  g_object_set_data (G_OBJECT (cell), "lk-reason", reason);
  gtk_list_item_set_child (list_item, cell);
}

static void
cell_item_notify_cb (LkFaceItem  *item,
                     GParamSpec  *pspec,
                     GtkListItem *list_item)
{
  cell_update (list_item);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              LkFacesPage              *self)
{
  LkFaceItem *item = gtk_list_item_get_item (list_item);

  g_signal_connect_object (item, "notify", G_CALLBACK (cell_item_notify_cb), list_item, 0);
  cell_update (list_item);
  lk_face_thumbnailer_request (self->thumbnailer, item);
}

static void
cell_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                LkFacesPage              *self)
{
  LkFaceItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);

  if (item != NULL)
    {
      g_signal_handlers_disconnect_by_func (item, cell_item_notify_cb, list_item);
      lk_face_thumbnailer_withdraw (self->thumbnailer, item);
    }
  gtk_picture_set_paintable (g_object_get_data (G_OBJECT (cell), "lk-picture"), NULL);
}

static void
lk_faces_page_update_sources (LkFacesPage *self)
{
  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      IdentitySection *section = &self->sections[identity];
      g_autoptr(GPtrArray) sources = NULL;
      g_autoptr(GError) error = NULL;

      for (guint i = 0; i < section->source_rows->len; i++)
        adw_preferences_group_remove (section->group, g_ptr_array_index (section->source_rows, i));
      g_ptr_array_set_size (section->source_rows, 0);

      if (self->project != NULL)
        {
          sources = lk_project_list_sources (self->project, identity, &error);
          if (sources == NULL)
            {
              g_autofree char *message = g_strdup_printf (_("Could not list the videos and photos: %s"),
                                                          error->message);
              lk_faces_page_report (self, message);
            }
        }

      for (guint i = 0; sources != NULL && i < sources->len; i++)
        {
          GtkWidget *row = create_source_row (g_ptr_array_index (sources, i));

          adw_preferences_group_add (section->group, row);
          g_ptr_array_add (section->source_rows, row);
        }

      gtk_widget_set_visible (GTK_WIDGET (section->empty_row), section->source_rows->len == 0);
    }
}

guint
lk_faces_page_add_files (LkFacesPage *self,
                         LkIdentity   identity,
                         GListModel  *files)
{
  guint n;
  guint added = 0;

  g_return_val_if_fail (LK_IS_FACES_PAGE (self), 0);
  g_return_val_if_fail (identity == LK_IDENTITY_A || identity == LK_IDENTITY_B, 0);
  g_return_val_if_fail (files == NULL || G_IS_LIST_MODEL (files), 0);

  if (self->project == NULL)
    return 0;

  n = files != NULL ? g_list_model_get_n_items (files) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GFile) file = g_list_model_get_item (files, i);
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *name = g_file_get_basename (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a local file"), name);
          lk_faces_page_report (self, message);
          continue;
        }

      if (g_file_test (path, G_FILE_TEST_IS_DIR) || !is_video_or_image (path, NULL))
        {
          g_autofree char *message = g_strdup_printf (_("“%s” is not a video or photo"), name);
          lk_faces_page_report (self, message);
          continue;
        }

      if (lk_project_add_source (self->project, identity, path, &error) < 0)
        {
          g_autofree char *message = g_strdup_printf (_("Could not add “%s”: %s"),
                                                      name, error->message);
          lk_faces_page_report (self, message);
          continue;
        }

      added++;
    }

  if (added > 0)
    {
      g_autofree char *message = NULL;

      lk_faces_page_update_sources (self);

      /* Translators: %u files were added; %s is "A" or "B" */
      message = g_strdup_printf (ngettext ("%u file added to Person %s",
                                           "%u files added to Person %s", added),
                                 added, lk_identity_to_string (identity));
      lk_notify_with_action (GTK_WIDGET (self), message, _("_Extract Now"), "win.extract",
                             g_variant_new_string (lk_identity_to_string (identity)), FALSE);
    }

  return added;
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         gpointer       user_data)
{
  LkFacesPage *self = LK_FACES_PAGE (user_data);
  LkIdentity identity = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (target), "lk-identity"));
  g_autoptr(GListStore) files = g_list_store_new (G_TYPE_FILE);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->project == NULL)
    return FALSE;

  for (GSList *l = g_value_get_boxed (value); l != NULL; l = l->next)
    g_list_store_append (files, l->data);

  lk_faces_page_add_files (self, identity, G_LIST_MODEL (files));

  return TRUE;
}

typedef struct
{
  LkFacesPage *self;
  LkIdentity   identity;
} ChooserData;

static void
add_sources_response_cb (GtkNativeDialog *native,
                         int              response,
                         gpointer         user_data)
{
  ChooserData *data = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));

      lk_faces_page_add_files (data->self, data->identity, files);
    }

  g_object_unref (data->self);
  g_free (data);
  g_object_unref (native);
}

static void
add_sources_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LkFacesPage *self = LK_FACES_PAGE (widget);
  int identity = lk_identity_from_string (g_variant_get_string (parameter, NULL));
  GtkFileChooserNative *native;
  GtkFileFilter *filter;
  ChooserData *data;
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *title = NULL;

  if (identity < 0 || self->project == NULL)
    return;

  /* Translators: %s is "A" or "B", the person whose videos are added */
  title = g_strdup_printf (_("Add Videos or Photos of Person %s"),
                           lk_identity_to_string (identity));
  native = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Add"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Videos and Photos"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Videos"));
  gtk_file_filter_add_mime_type (filter, "video/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Photos"));
  gtk_file_filter_add_mime_type (filter, "image/*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  g_object_unref (filter);

  data = g_new0 (ChooserData, 1);
  data->self = g_object_ref (self);
  data->identity = identity;
  g_signal_connect (native, "response", G_CALLBACK (add_sources_response_cb), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
remove_source_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LkFacesPage *self = LK_FACES_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->project == NULL)
    return;

  if (!lk_project_remove_source (self->project, g_variant_get_int64 (parameter), &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not remove the source: %s"),
                                                  error->message);
      lk_faces_page_report (self, message);
    }

  lk_faces_page_update_sources (self);
}

static void
lk_faces_page_add_drop_target (LkFacesPage *self,
                               LkIdentity   identity)
{
  GtkDropTarget *target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);

  g_object_set_data (G_OBJECT (target), "lk-identity", GINT_TO_POINTER (identity));
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->sections[identity].group),
                             GTK_EVENT_CONTROLLER (target));
}

/* ---- Extraction -------------------------------------------------------- */

typedef struct
{
  LkFacesPage *self;
  LkIdentity   identity;
} ExtractData;

static void
extract_job_changed_cb (LkJob       *job,
                        GParamSpec  *pspec,
                        LkFacesPage *self)
{
  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      IdentitySection *section = &self->sections[identity];
      g_autofree char *message = NULL;

      if (section->job != job)
        continue;

      message = lk_job_dup_message (job);
      gtk_progress_bar_set_fraction (section->extract_progress, lk_job_get_fraction (job));
      if (message != NULL && message[0] != '\0')
        adw_action_row_set_subtitle (section->extract_row, message);
    }
}

static void
extract_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ExtractData *data = user_data;
  g_autoptr(LkFacesPage) self = data->self;
  LkIdentity identity = data->identity;
  IdentitySection *section = &self->sections[identity];
  const char *name = lk_identity_to_string (identity);
  LkExtractSummary summary = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_free (data);

  ok = lk_extract_sources_finish (LK_PROJECT (object), result, &summary, &error);

  if (section->job != NULL)
    {
      g_signal_handlers_disconnect_by_data (section->job, self);
      g_clear_object (&section->job);
    }
  gtk_stack_set_visible_child_name (section->extract_stack, "idle");
  adw_action_row_set_subtitle (section->extract_row,
                               _("Find and crop the faces in the videos and photos"));

  if (ok)
    {
      g_autofree char *message = NULL;

      if (summary.faces == 0 && summary.sources_skipped == summary.sources)
        /* Translators: %s is "A" or "B" */
        message = g_strdup_printf (_("Person %s: every video and photo was extracted before"),
                                   name);
      else
        /* Translators: "Person A: 27 faces from 216 frames (12.5 frames/s)" */
        message = g_strdup_printf (ngettext ("Person %s: %u face from %u frames (%.1f frames/s)",
                                             "Person %s: %u faces from %u frames (%.1f frames/s)",
                                             summary.faces),
                                   name, summary.faces, summary.frames_processed,
                                   summary.frames_per_second);
      lk_faces_page_toast (self, message);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *message = NULL;

      /* Translators: %s is "A" or "B" */
      message = g_strdup_printf (_("Extraction for Person %s stopped; the faces found so far "
                                   "are kept"), name);
      lk_faces_page_toast (self, message);
    }
  else
    {
      /* Translators: %s is "A" or "B" */
      g_autofree char *heading = g_strdup_printf (_("Could Not Extract the Faces of Person %s"),
                                                  name);

      lk_faces_page_report_error (self, heading, error,
                                  _("The project was not changed. Remove or replace the file, "
                                    "then extract again."));
    }

  lk_faces_page_update_actions (self);
  lk_faces_page_queue_refresh (self);
}

static void
lk_faces_page_extract (LkFacesPage *self,
                       LkIdentity   identity)
{
  IdentitySection *section = &self->sections[identity];
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GPtrArray) paths = NULL;
  g_autoptr(GError) error = NULL;
  LkExtractParams params = lk_extract_params_default ();
  ExtractData *data;

  if (self->project == NULL || section->job != NULL)
    return;

  sources = lk_project_list_sources (self->project, identity, &error);
  if (sources == NULL)
    {
      lk_faces_page_report_error (self, _("Could not list the videos and photos"), error, NULL);
      return;
    }
  if (sources->len == 0)
    {
      /* Translators: %s is "A" or "B" */
      g_autofree char *message = g_strdup_printf (_("Add videos or photos of Person %s first"),
                                                  lk_identity_to_string (identity));
      lk_faces_page_toast (self, message);
      return;
    }

  paths = g_ptr_array_new ();
  for (guint i = 0; i < sources->len; i++)
    g_ptr_array_add (paths, ((LkSource *) g_ptr_array_index (sources, i))->path);
  g_ptr_array_add (paths, NULL);

  /* Translators: the title of a job; %s is "A" or "B" */
  {
    g_autofree char *title = g_strdup_printf (_("Extracting Person %s"),
                                              lk_identity_to_string (identity));
    section->job = lk_job_new (title);
  }
  g_signal_connect_object (section->job, "notify::fraction",
                           G_CALLBACK (extract_job_changed_cb), self, 0);
  g_signal_connect_object (section->job, "notify::message",
                           G_CALLBACK (extract_job_changed_cb), self, 0);
  gtk_progress_bar_set_fraction (section->extract_progress, 0.0);
  adw_action_row_set_subtitle (section->extract_row, _("Opening the videos and photos…"));
  gtk_stack_set_visible_child_name (section->extract_stack, "running");

  data = g_new0 (ExtractData, 1);
  data->self = g_object_ref (self);
  data->identity = identity;
  lk_extract_sources_async (self->project, identity, (const char * const *) paths->pdata,
                            &params, section->job, extract_done_cb, data);

  lk_faces_page_update_actions (self);
}

static void
extract_action (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  LkFacesPage *self = user_data;
  int identity = lk_identity_from_string (g_variant_get_string (parameter, NULL));

  if (identity >= 0)
    lk_faces_page_extract (self, identity);
}

static void
extract_all_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkFacesPage *self = user_data;
  g_autoptr(GPtrArray) sources = NULL;

  if (self->project == NULL)
    return;

  for (LkIdentity identity = LK_IDENTITY_A; identity <= LK_IDENTITY_B; identity++)
    {
      g_autoptr(GPtrArray) mine = lk_project_list_sources (self->project, identity, NULL);

      if (mine != NULL && mine->len > 0)
        lk_faces_page_extract (self, identity);
    }
}

static void
cancel_extract_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  LkFacesPage *self = user_data;
  int identity = lk_identity_from_string (g_variant_get_string (parameter, NULL));

  for (LkIdentity i = LK_IDENTITY_A; i <= LK_IDENTITY_B; i++)
    if ((identity < 0 || (int) i == identity) && self->sections[i].job != NULL)
      lk_job_cancel (self->sections[i].job);
}

/* ---- Curation ---------------------------------------------------------- */

static void
lk_faces_page_show_undo_toast (LkFacesPage *self,
                               const char  *message)
{
  lk_notify_with_action (GTK_WIDGET (self), message, _("_Undo"), "win.undo", NULL, TRUE);
}

static void
lk_faces_page_set_selected_included (LkFacesPage *self,
                                     gboolean     included)
{
  g_autoptr(GArray) ids = lk_faces_page_selected_ids (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->history == NULL || ids->len == 0)
    return;

  if (!lk_face_history_set_included (self->history, (const gint64 *) ids->data, ids->len,
                                     included, included ? NULL : "manual", &error))
    {
      lk_faces_page_report_error (self, _("Could not change the faces"), error, NULL);
      return;
    }

  if (included)
    message = g_strdup_printf (ngettext ("%u face included", "%u faces included", ids->len),
                               ids->len);
  else
    message = g_strdup_printf (ngettext ("%u face excluded", "%u faces excluded", ids->len),
                               ids->len);
  lk_faces_page_show_undo_toast (self, message);
}

static void
exclude_selected_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  lk_faces_page_set_selected_included (LK_FACES_PAGE (user_data), FALSE);
}

static void
include_selected_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  lk_faces_page_set_selected_included (LK_FACES_PAGE (user_data), TRUE);
}

/* win.select-face(u): selects the face at that position of the grid alone
 * (for scripts and tests; the detail panel follows). */
static void
select_face_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkFacesPage *self = user_data;
  guint position = g_variant_get_uint32 (parameter);

  if (position < g_list_model_get_n_items (G_LIST_MODEL (self->selection)))
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
}

static void
select_all_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  LkFacesPage *self = user_data;

  gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

static void
undo_redo_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  LkFacesPage *self = user_data;
  gboolean undo = g_str_equal (g_action_get_name (G_ACTION (action)), "undo");
  g_autoptr(GError) error = NULL;
  guint n;

  if (self->history == NULL)
    return;

  n = undo ? lk_face_history_undo (self->history, &error)
           : lk_face_history_redo (self->history, &error);
  if (error != NULL)
    lk_faces_page_report_error (self, undo ? _("Could not undo") : _("Could not redo"), error,
                                NULL);
  else if (n > 0)
    {
      g_autofree char *message = NULL;

      if (undo)
        message = g_strdup_printf (ngettext ("Undone: %u face", "Undone: %u faces", n), n);
      else
        message = g_strdup_printf (ngettext ("Redone: %u face", "Redone: %u faces", n), n);
      lk_faces_page_toast (self, message);
    }
}

static void
history_changed_cb (LkFacesPage *self)
{
  lk_faces_page_update_actions (self);
}

static void
curate_applied_cb (LkCurateDialog *dialog,
                   LkFaceStates   *previous,
                   guint           n_excluded,
                   LkFacesPage    *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->history == NULL || previous == NULL || previous->n == 0)
    return;

  if (!lk_face_history_push (self->history, lk_face_states_copy (previous), &error))
    g_message ("The automatic pass cannot be undone: %s", error->message);

  message = g_strdup_printf (ngettext ("Automatic pass: %u face excluded",
                                       "Automatic pass: %u faces excluded", n_excluded),
                             n_excluded);
  lk_faces_page_show_undo_toast (self, message);
}

static void
auto_curate_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LkFacesPage *self = user_data;
  LkCurateDialog *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->project == NULL)
    return;

  dialog = lk_curate_dialog_new (self->project, lk_faces_page_get_identity (self));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  g_signal_connect_object (dialog, "applied", G_CALLBACK (curate_applied_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Metrics and duplicate groups of faces that lack them, as a job. */

static void
analysis_changed_cb (LkJob       *job,
                     GParamSpec  *pspec,
                     LkFacesPage *self)
{
  g_autofree char *message = lk_job_dup_message (job);

  gtk_progress_bar_set_fraction (self->job_progress, lk_job_get_fraction (job));
  if (message != NULL)
    gtk_label_set_label (self->job_label, message);
}

/* What one measuring run did: its typed result. */
typedef struct
{
  LkProject        *project;
  gboolean          auto_pass;
  LkAnalyseSummary  summary;
  LkFaceStates     *previous;   /* the faces' states before the automatic pass */
  guint             excluded;
} Analysis;

static void
analysis_free (Analysis *analysis)
{
  g_clear_object (&analysis->project);
  lk_analyse_summary_clear (&analysis->summary);
  g_clear_pointer (&analysis->previous, lk_face_states_free);
  g_free (analysis);
}

static gboolean
analysis_func (LkJob     *job,
               gpointer   data,
               GError   **error)
{
  Analysis *analysis = data;
  LkAutoCurateParams params = lk_auto_curate_params_default ();
  g_autoptr(LkAutoCuratePlan) plan = NULL;

  if (!lk_curate_prepare (analysis->project, -1, &params, job, &analysis->summary, error))
    return FALSE;
  if (!analysis->auto_pass)
    return TRUE;

  /* win.auto-curate-defaults: the automatic pass with the default
   * thresholds right after measuring, for both people, as one undo step. */
  plan = lk_auto_curate_plan (analysis->project, -1, &params, error);
  if (plan == NULL || !lk_auto_curate_apply (analysis->project, plan, &analysis->previous, error))
    return FALSE;
  analysis->excluded = plan->total;

  return TRUE;
}

static void
analysis_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LkFacesPage) self = user_data;
  g_autoptr(GError) error = NULL;
  Analysis *analysis = lk_job_run_get_data (result);
  gboolean ok = lk_job_run_finish (result, &error);

  if (self->analysis != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->analysis, self);
      g_clear_object (&self->analysis);
    }
  gtk_revealer_set_reveal_child (self->job_revealer, FALSE);

  if (ok && analysis->previous != NULL)
    {
      /* The automatic pass ran too: one undo step, as from the dialog. */
      curate_applied_cb (NULL, analysis->previous, analysis->excluded, self);
    }
  else if (ok)
    {
      LkAnalyseSummary *summary = &analysis->summary;
      g_autofree char *message = NULL;

      if (summary->failed > 0)
        /* Translators: faces measured, then faces whose crop could not be read */
        message = g_strdup_printf (_("%u faces measured; %u could not be read: %s"),
                                   summary->computed, summary->failed,
                                   summary->first_failure != NULL ? summary->first_failure : "");
      else
        message = g_strdup_printf (ngettext ("%u face measured, duplicates grouped",
                                             "%u faces measured, duplicates grouped",
                                             summary->computed), summary->computed);
      lk_faces_page_toast (self, message);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    lk_faces_page_report_error (self, _("Could Not Measure the Faces"), error, NULL);

  lk_faces_page_update_actions (self);
}

static void
analyse_faces_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  LkFacesPage *self = user_data;
  Analysis *analysis;

  if (self->project == NULL || self->analysis != NULL)
    return;

  analysis = g_new0 (Analysis, 1);
  analysis->project = g_object_ref (self->project);
  analysis->auto_pass = g_str_equal (g_action_get_name (G_ACTION (action)),
                                     "auto-curate-defaults");

  self->analysis = lk_job_new (_("Measuring Faces"));
  g_signal_connect_object (self->analysis, "notify::fraction",
                           G_CALLBACK (analysis_changed_cb), self, 0);
  g_signal_connect_object (self->analysis, "notify::message",
                           G_CALLBACK (analysis_changed_cb), self, 0);
  gtk_label_set_label (self->job_label, _("Measuring sharpness, exposure and pose…"));
  gtk_progress_bar_set_fraction (self->job_progress, 0.0);
  gtk_revealer_set_reveal_child (self->job_revealer, TRUE);

  lk_job_run_async (self->analysis, self->project, analysis_func, analysis,
                    (GDestroyNotify) analysis_free, analysis_done_cb, g_object_ref (self));

  lk_faces_page_update_actions (self);
}

static void
cancel_analysis_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  LkFacesPage *self = user_data;

  if (self->analysis != NULL)
    lk_job_cancel (self->analysis);
}

/* Deleting excluded faces from disk: only after a confirmation. */

typedef struct
{
  LkFacesPage *self;
  LkIdentity   identity;
  GArray      *ids;
} DeleteData;

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          user_data)
{
  DeleteData *data = user_data;
  LkFacesPage *self = data->self;

  if (g_str_equal (response, "delete") && self->project != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!lk_project_delete_faces (self->project, (const gint64 *) data->ids->data,
                                    data->ids->len, &error))
        lk_faces_page_report_error (self, _("Could Not Delete the Faces"), error, NULL);
      else
        {
          g_autofree char *message = g_strdup_printf (ngettext ("%u face deleted",
                                                                "%u faces deleted",
                                                                data->ids->len),
                                                      data->ids->len);

          /* The steps may name faces that are gone. */
          if (self->history != NULL)
            lk_face_history_clear (self->history);
          lk_faces_page_toast (self, message);
        }
    }

  g_array_unref (data->ids);
  g_object_unref (data->self);
  g_free (data);
}

static void
delete_excluded_action (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  LkFacesPage *self = user_data;
  LkIdentity identity = lk_faces_page_get_identity (self);
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  DeleteData *data;

  if (self->project == NULL)
    return;

  faces = lk_project_list_faces (self->project, identity, LK_FACE_FILTER_EXCLUDED, NULL, "id",
                                 FALSE, &error);
  if (faces == NULL)
    {
      lk_faces_page_report_error (self, _("Could not list the faces"), error, NULL);
      return;
    }
  if (faces->len == 0)
    {
      /* Translators: %s is "A" or "B" */
      g_autofree char *message = g_strdup_printf (_("Person %s has no excluded faces"),
                                                  lk_identity_to_string (identity));
      lk_faces_page_toast (self, message);
      return;
    }

  data = g_new0 (DeleteData, 1);
  data->self = g_object_ref (self);
  data->identity = identity;
  data->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), faces->len);
  for (guint i = 0; i < faces->len; i++)
    g_array_append_val (data->ids, ((LkFace *) g_ptr_array_index (faces, i))->id);

  /* Translators: %u excluded faces of person %s ("A" or "B") */
  heading = g_strdup_printf (ngettext ("Delete %u Excluded Face of Person %s?",
                                       "Delete %u Excluded Faces of Person %s?", faces->len),
                             faces->len, lk_identity_to_string (identity));
  body = g_strdup (_("Their crops are deleted from the project folder and they are removed from "
                     "the project. This cannot be undone; excluded faces are already left out of "
                     "training without deleting them."));
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  gtk_window_set_title (GTK_WINDOW (dialog), heading);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (delete_response_cb), data);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Which person the grid shows. */
static void
show_identity_change_state (GSimpleAction *action,
                            GVariant      *value,
                            gpointer       user_data)
{
  LkFacesPage *self = user_data;
  int identity = lk_identity_from_string (g_variant_get_string (value, NULL));

  if (identity < 0)
    return;

  g_simple_action_set_state (action, value);
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  lk_face_list_set_identity (self->faces, identity);
  lk_faces_page_update_counts (self);
  lk_faces_page_update_pose (self);
}

static void
filter_selected_cb (LkFacesPage *self)
{
  guint selected = gtk_drop_down_get_selected (self->filter_dropdown);

  if (selected == GTK_INVALID_LIST_POSITION || selected == 0)
    lk_face_list_set_filter (self->faces, LK_FACE_FILTER_ALL, NULL);
  else if (selected == 1)
    lk_face_list_set_filter (self->faces, LK_FACE_FILTER_INCLUDED, NULL);
  else if (selected == 2)
    lk_face_list_set_filter (self->faces, LK_FACE_FILTER_EXCLUDED, NULL);
  else if (selected - N_FIXED_FILTERS < G_N_ELEMENTS (filter_reasons))
    lk_face_list_set_filter (self->faces, LK_FACE_FILTER_EXCLUDED,
                             filter_reasons[selected - N_FIXED_FILTERS]);
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
}

/* The page's window actions and when each can run (lk-actions.h): the
 * window adds them, so they are exported on D-Bus for scripts and tests and
 * reached by the window's shortcuts. */
static gboolean
has_project_enabled (gpointer owner)
{
  return LK_FACES_PAGE (owner)->project != NULL;
}

static gboolean
extracting (LkFacesPage *self,
            LkIdentity   identity)
{
  return self->sections[identity].job != NULL;
}

static gboolean
extract_all_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->project != NULL &&
         !(extracting (self, LK_IDENTITY_A) && extracting (self, LK_IDENTITY_B));
}

static gboolean
cancel_extract_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return extracting (self, LK_IDENTITY_A) || extracting (self, LK_IDENTITY_B);
}

static gboolean
delete_excluded_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->project != NULL && !cancel_extract_enabled (self);
}

static gboolean
has_selection_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->project != NULL && lk_faces_page_count_selected (self) > 0;
}

static gboolean
has_faces_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->project != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->faces)) > 0;
}

static gboolean
undo_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->history != NULL && lk_face_history_can_undo (self->history);
}

static gboolean
redo_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->history != NULL && lk_face_history_can_redo (self->history);
}

static gboolean
can_analyse_enabled (gpointer owner)
{
  LkFacesPage *self = owner;

  return self->project != NULL && self->analysis == NULL;
}

static gboolean
analysing_enabled (gpointer owner)
{
  return LK_FACES_PAGE (owner)->analysis != NULL;
}

static const LkAction faces_actions[] = {
  /* "A" or "B" */
  { { "extract", extract_action, "s" }, has_project_enabled },
  { { "extract-all", extract_all_action }, extract_all_enabled },
  { { "cancel-extract", cancel_extract_action, "s" }, cancel_extract_enabled },
  { { "show-identity", NULL, "s", "'A'", show_identity_change_state }, has_project_enabled },
  { { "exclude-selected", exclude_selected_action }, has_selection_enabled },
  { { "include-selected", include_selected_action }, has_selection_enabled },
  { { "select-all-faces", select_all_action }, has_faces_enabled },
  { { "select-face", select_face_action, "u" }, NULL },
  { { "undo", undo_redo_action }, undo_enabled },
  { { "redo", undo_redo_action }, redo_enabled },
  { { "auto-curate", auto_curate_action }, can_analyse_enabled },
  { { "auto-curate-defaults", analyse_faces_action }, can_analyse_enabled },
  { { "analyse-faces", analyse_faces_action }, can_analyse_enabled },
  { { "cancel-analysis", cancel_analysis_action }, analysing_enabled },
  { { "delete-excluded", delete_excluded_action }, delete_excluded_enabled },
};

const LkAction *
lk_faces_page_get_actions (guint *n_actions)
{
  *n_actions = G_N_ELEMENTS (faces_actions);
  return faces_actions;
}

LkProject *
lk_faces_page_get_project (LkFacesPage *self)
{
  g_return_val_if_fail (LK_IS_FACES_PAGE (self), NULL);

  return self->project;
}

void
lk_faces_page_set_project (LkFacesPage *self,
                           LkProject   *project)
{
  g_return_if_fail (LK_IS_FACES_PAGE (self));
  g_return_if_fail (project == NULL || LK_IS_PROJECT (project));

  if (self->project == project)
    return;

  /* Work of the old project stops. */
  for (guint i = 0; i < G_N_ELEMENTS (self->sections); i++)
    if (self->sections[i].job != NULL)
      lk_job_cancel (self->sections[i].job);
  if (self->analysis != NULL)
    lk_job_cancel (self->analysis);

  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  if (self->history != NULL)
    g_signal_handlers_disconnect_by_data (self->history, self);
  g_clear_object (&self->history);

  g_set_object (&self->project, project);

  if (project != NULL)
    {
      /* Both signals carry an argument this page does not need: it
       * refreshes both identities. */
      g_signal_connect_object (project, "sources-changed",
                               G_CALLBACK (lk_faces_page_update_sources), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (project, "faces-changed",
                               G_CALLBACK (lk_faces_page_queue_refresh), self,
                               G_CONNECT_SWAPPED);
      self->history = lk_face_history_new (project);
      g_signal_connect_object (self->history, "notify::can-undo",
                               G_CALLBACK (history_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->history, "notify::can-redo",
                               G_CALLBACK (history_changed_cb), self, G_CONNECT_SWAPPED);
    }

  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  lk_face_list_set_project (self->faces, project);
  lk_face_detail_set_project (self->detail, project);

  lk_faces_page_update_sources (self);
  lk_faces_page_update_counts (self);
  lk_faces_page_update_pose (self);
  lk_faces_page_update_grid_state (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROJECT]);
}

static void
lk_faces_page_dispose (GObject *object)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);

  for (guint i = 0; i < G_N_ELEMENTS (self->sections); i++)
    {
      if (self->sections[i].job != NULL)
        {
          lk_job_cancel (self->sections[i].job);
          g_signal_handlers_disconnect_by_data (self->sections[i].job, self);
          g_clear_object (&self->sections[i].job);
        }
    }
  if (self->analysis != NULL)
    {
      lk_job_cancel (self->analysis);
      g_signal_handlers_disconnect_by_data (self->analysis, self);
      g_clear_object (&self->analysis);
    }

  if (self->project != NULL)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);
  g_clear_object (&self->history);

  gtk_widget_dispose_template (GTK_WIDGET (self), LK_TYPE_FACES_PAGE);

  g_clear_object (&self->selection);
  g_clear_object (&self->faces);
  g_clear_object (&self->thumbnailer);

  for (guint i = 0; i < G_N_ELEMENTS (self->sections); i++)
    g_clear_pointer (&self->sections[i].source_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (lk_faces_page_parent_class)->dispose (object);
}

static void
lk_faces_page_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      g_value_set_object (value, self->project);
      break;

    case PROP_SORT_KEY:
      g_value_set_string (value, lk_face_list_get_sort_key (self->faces));
      break;

    case PROP_DESCENDING:
      g_value_set_boolean (value, lk_face_list_get_descending (self->faces));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_faces_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  LkFacesPage *self = LK_FACES_PAGE (object);

  switch (prop_id)
    {
    case PROP_PROJECT:
      lk_faces_page_set_project (self, g_value_get_object (value));
      break;

    case PROP_SORT_KEY:
      if (g_value_get_string (value) != NULL &&
          lk_face_sort_key_is_valid (g_value_get_string (value)) &&
          g_strcmp0 (g_value_get_string (value), lk_face_list_get_sort_key (self->faces)) != 0)
        {
          lk_face_list_set_sort_key (self->faces, g_value_get_string (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    case PROP_DESCENDING:
      if (g_value_get_boolean (value) != lk_face_list_get_descending (self->faces))
        {
          lk_face_list_set_descending (self->faces, g_value_get_boolean (value));
          g_object_notify_by_pspec (object, pspec);
        }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lk_faces_page_class_init (LkFacesPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lk_faces_page_dispose;
  object_class->get_property = lk_faces_page_get_property;
  object_class->set_property = lk_faces_page_set_property;

  properties[PROP_PROJECT] =
    g_param_spec_object ("project", NULL, NULL,
                         LK_TYPE_PROJECT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SORT_KEY] =
    g_param_spec_string ("sort-key", NULL, NULL, "id",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_DESCENDING] =
    g_param_spec_boolean ("descending", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "faces.add-sources", "s", add_sources_action);
  gtk_widget_class_install_action (widget_class, "faces.remove-source", "x",
                                   remove_source_action);
  gtk_widget_class_install_property_action (widget_class, "faces.sort-key", "sort-key");
  gtk_widget_class_install_property_action (widget_class, "faces.descending", "descending");

  g_type_ensure (LK_TYPE_POSE_CHART);
  g_type_ensure (LK_TYPE_FACE_DETAIL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/likeness/Studio/lk-faces-page.ui");
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, group_a);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, group_b);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_a_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_b_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_a_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, faces_b_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_a_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_b_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_a_stack);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_b_stack);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_a_progress);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, extract_b_progress);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, empty_a_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, empty_b_row);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, pose_group);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, pose_chart);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, pose_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, filter_dropdown);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, content);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, job_revealer);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, job_label);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, job_progress);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, grid_stack);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, grid_view);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, detail_flap);
  gtk_widget_class_bind_template_child (widget_class, LkFacesPage, detail);
}

static void
lk_faces_page_add_shortcut (GtkShortcutController *controller,
                            const char            *trigger,
                            const char            *action)
{
  gtk_shortcut_controller_add_shortcut (controller,
                                        gtk_shortcut_new (gtk_shortcut_trigger_parse_string (trigger),
                                                          gtk_named_action_new (action)));
}

static void
lk_faces_page_init (LkFacesPage *self)
{
  g_autoptr(GtkStringList) filters = NULL;
  GtkListItemFactory *factory;
  GtkEventController *shortcuts;

  /* Before the template: its property actions read the list. */
  self->faces = lk_face_list_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->sections[LK_IDENTITY_A] = (IdentitySection) {
    self->group_a, self->faces_a_row, self->faces_a_label, self->extract_a_row,
    self->extract_a_stack, self->extract_a_progress, self->empty_a_row, g_ptr_array_new (), NULL,
  };
  self->sections[LK_IDENTITY_B] = (IdentitySection) {
    self->group_b, self->faces_b_row, self->faces_b_label, self->extract_b_row,
    self->extract_b_stack, self->extract_b_progress, self->empty_b_row, g_ptr_array_new (), NULL,
  };

  /* The face grid: a multi-selection over the face list, thumbnails loaded
   * for bound cells only. */
  self->thumbnailer = lk_face_thumbnailer_new (THUMBNAIL_SIZE, MAX_THUMBNAILS);
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (g_object_ref (self->faces)));
  g_signal_connect_object (self->faces, "items-changed", G_CALLBACK (faces_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (cell_unbind_cb), self);
  gtk_grid_view_set_factory (self->grid_view, factory);
  g_object_unref (factory);
  gtk_grid_view_set_model (self->grid_view, GTK_SELECTION_MODEL (self->selection));

  filters = gtk_string_list_new (NULL);
  gtk_string_list_append (filters, _("All Faces"));
  gtk_string_list_append (filters, _("Included"));
  gtk_string_list_append (filters, _("Excluded"));
  gtk_string_list_append (filters, _("Excluded: Manually"));
  gtk_string_list_append (filters, _("Excluded: Several Faces"));
  gtk_string_list_append (filters, _("Excluded: Small"));
  gtk_string_list_append (filters, _("Excluded: Occluded"));
  gtk_string_list_append (filters, _("Excluded: Blurry"));
  gtk_string_list_append (filters, _("Excluded: Dark"));
  gtk_string_list_append (filters, _("Excluded: Bright"));
  gtk_string_list_append (filters, _("Excluded: Tinted"));
  gtk_string_list_append (filters, _("Excluded: Extreme Pose"));
  gtk_string_list_append (filters, _("Excluded: Duplicate"));
  gtk_string_list_append (filters, _("Excluded: Another Person"));
  G_STATIC_ASSERT (G_N_ELEMENTS (filter_reasons) == 11);
  gtk_drop_down_set_model (self->filter_dropdown, G_LIST_MODEL (filters));
  g_signal_connect_object (self->filter_dropdown, "notify::selected",
                           G_CALLBACK (filter_selected_cb), self, G_CONNECT_SWAPPED);

  /* Curation keys while the focus is in this page (window-wide accels
   * would take Delete and Ctrl+Z from text fields). */
  shortcuts = gtk_shortcut_controller_new ();
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "Delete", "win.exclude-selected");
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "KP_Delete",
                              "win.exclude-selected");
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "Insert", "win.include-selected");
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>z", "win.undo");
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control><Shift>z", "win.redo");
  lk_faces_page_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts), "<Control>y", "win.redo");
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  lk_faces_page_add_drop_target (self, LK_IDENTITY_A);
  lk_faces_page_add_drop_target (self, LK_IDENTITY_B);

  lk_faces_page_update_sources (self);
  lk_faces_page_update_counts (self);
  lk_faces_page_update_pose (self);
  lk_faces_page_update_grid_state (self);
}
