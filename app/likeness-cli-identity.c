/* SPDX-License-Identifier: GPL-3.0-or-later */
/* likeness-cli compare: are two photos or videos of the same person? */
#define G_LOG_DOMAIN "likeness-cli"

#include "config.h"

#include <gio/gio.h>

#include "likeness-cli.h"
#include "lk-error.h"
#include "lk-face-descriptor.h"
#include "lk-face-detector.h"
#include "lk-image-io.h"
#include "lk-video-reader.h"

/* Frames sampled from a video: spread evenly over it. */
#define COMPARE_VIDEO_FRAMES 9

typedef struct
{
  const char *path;
  gboolean    video;
  int         n_frames;  /* frames looked at */
  int         n_faces;   /* faces described */
  float       descriptor[LK_FACE_DESCRIPTOR_DIM]; /* the face, or the median over the video */
} CompareInput;

static gboolean
is_picture (const char *path)
{
  g_autofree char *type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = g_content_type_get_mime_type (type);

  return mime != NULL && g_str_has_prefix (mime, "image/");
}

/* A photo: its one face, or face number @choice (1-based) when it has several. */
static gboolean
describe_photo (LkFaceDetector   *detector,
                LkFaceRecognizer *recognizer,
                CompareInput     *input,
                int               choice,
                const char       *option,
                GError          **error)
{
  g_autoptr(LkImage) image = lk_image_load (input->path, error);
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  const LkFaceDetection *face;

  if (image == NULL || !lk_face_detector_detect (detector, image, faces, error))
    return FALSE;
  input->n_frames = 1;
  if (faces->len == 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NO_FACE, _("%s: no face found"), input->path);
      return FALSE;
    }
  if (choice > (int) faces->len || (faces->len > 1 && choice <= 0))
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint i = 0; i < faces->len; i++)
        {
          const LkFaceDetection *d = &g_array_index (faces, LkFaceDetection, i);

          g_string_append_printf (list, "\n  %u: %.0fx%.0f at (%.0f, %.0f)", i + 1, d->width,
                                  d->height, d->x, d->y);
        }
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   /* Translators: %s: a file, %u: a number, %s: an option, %s: a list */
                   _("%s has %u faces; choose one with %s N:%s"), input->path, faces->len, option,
                   list->str);
      return FALSE;
    }
  face = &g_array_index (faces, LkFaceDetection, MAX (choice, 1) - 1);
  if (!lk_face_recognizer_describe_face (recognizer, image, face->landmarks, input->descriptor,
                                         error))
    return FALSE;
  input->n_faces = 1;
  return TRUE;
}

/* A video: the median descriptor of the best face of each sampled frame. */
static gboolean
describe_video (LkFaceDetector   *detector,
                LkFaceRecognizer *recognizer,
                CompareInput     *input,
                GError          **error)
{
  g_autoptr(LkVideoReader) reader = lk_video_reader_open (input->path, NULL, error);
  g_autoptr(GArray) faces = g_array_new (FALSE, FALSE, sizeof (LkFaceDetection));
  g_autoptr(GPtrArray) chips = g_ptr_array_new_with_free_func ((GDestroyNotify) lk_image_free);
  g_autofree float *descriptors = NULL;
  double duration;

  if (reader == NULL)
    return FALSE;
  input->video = TRUE;
  duration = lk_video_reader_get_info (reader)->duration;
  for (int k = 0; k < COMPARE_VIDEO_FRAMES; k++)
    {
      g_autoptr(LkVideoFrame) frame = NULL;
      double t = duration > 0 ? duration * (k + 0.5) / COMPARE_VIDEO_FRAMES : 0;

      if ((k > 0 && duration <= 0) ||
          !lk_video_reader_seek_seconds (reader, t, NULL, error) ||
          !lk_video_reader_read (reader, &frame, NULL, error))
        {
          if (k > 0 && duration <= 0)
            break;
          lk_error_prefix_file (error, input->path);
          return FALSE;
        }
      if (frame == NULL)
        break;
      input->n_frames++;
      if (!lk_face_detector_detect (detector, frame->image, faces, error))
        return FALSE;
      if (faces->len > 0)
        {
          LkImage *chip = lk_face_chip_new (frame->image,
                                            g_array_index (faces, LkFaceDetection, 0).landmarks,
                                            error);
          if (chip == NULL)
            return FALSE;
          g_ptr_array_add (chips, chip);
        }
    }
  if (chips->len == 0)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NO_FACE, _("%s: no face found in %d frames"),
                   input->path, input->n_frames);
      return FALSE;
    }
  descriptors = g_new (float, (gsize) chips->len * LK_FACE_DESCRIPTOR_DIM);
  if (!lk_face_recognizer_compute (recognizer, (const LkImage *const *) chips->pdata,
                                   (int) chips->len, descriptors, error))
    return FALSE;
  lk_face_descriptor_median (descriptors, (int) chips->len, input->descriptor);
  input->n_faces = (int) chips->len;
  return TRUE;
}

static void
add_input_json (JsonBuilder        *b,
                const CompareInput *input)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, input->path);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, input->video ? "video" : "photo");
  json_builder_set_member_name (b, "frames");
  json_builder_add_int_value (b, input->n_frames);
  json_builder_set_member_name (b, "faces");
  json_builder_add_int_value (b, input->n_faces);
  json_builder_end_object (b);
}

int
cli_compare (int    argc,
             char **argv)
{
  g_autoptr(GOptionContext) context = cli_context_new (cli_find_command ("compare"));
  LkFaceDetectorParams params = lk_face_detector_params_default ();
  g_autoptr(LkFaceDetector) detector = NULL;
  g_autoptr(GError) error = NULL;
  LkFaceRecognizer *recognizer;
  CompareInput inputs[2] = { { 0 } };
  gboolean json = FALSE;
  int choice[2] = { 0, 0 };
  double distance = 0;
  gboolean ok = TRUE;
  int ret;

  {
    const GOptionEntry entries[] = {
      { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
      { "face1", 0, 0, G_OPTION_ARG_INT, &choice[0],
        N_("Which face of the first photo, when it has several (1, 2, …)"), N_("N") },
      { "face2", 0, 0, G_OPTION_ARG_INT, &choice[1],
        N_("Which face of the second photo, when it has several"), N_("N") },
      { NULL }
    };

    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if ((ret = cli_parse (context, &argc, &argv, 2, 2)) >= 0)
      return ret;
  }

  recognizer = lk_face_recognizer_get_default (&error);
  if (recognizer != NULL)
    detector = lk_face_detector_new (&params, &error);
  for (int i = 0; i < 2 && detector != NULL && ok; i++)
    {
      inputs[i].path = argv[i + 1];
      if (!g_file_test (inputs[i].path, G_FILE_TEST_EXISTS))
        {
          g_set_error (&error, LK_ERROR, LK_ERROR_NOT_FOUND, _("%s: no such file"),
                       inputs[i].path);
          ok = FALSE;
        }
      else if (is_picture (inputs[i].path))
        ok = describe_photo (detector, recognizer, &inputs[i], choice[i],
                             i == 0 ? "--face1" : "--face2", &error);
      else
        ok = describe_video (detector, recognizer, &inputs[i], &error);
    }
  ok = ok && recognizer != NULL && detector != NULL;
  if (ok)
    distance = lk_face_descriptor_distance (inputs[0].descriptor, inputs[1].descriptor);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      cli_json_add_result (b, ok, error);
      if (ok)
        {
          json_builder_set_member_name (b, "distance");
          json_builder_add_double_value (b, distance);
          json_builder_set_member_name (b, "threshold");
          json_builder_add_double_value (b, LK_FACE_SAME_PERSON_DISTANCE);
          json_builder_set_member_name (b, "same-person");
          json_builder_add_boolean_value (b, distance < LK_FACE_SAME_PERSON_DISTANCE);
          json_builder_set_member_name (b, "inputs");
          json_builder_begin_array (b);
          add_input_json (b, &inputs[0]);
          add_input_json (b, &inputs[1]);
          json_builder_end_array (b);
        }
      json_builder_end_object (b);
      cli_print_json (b);
      return ok ? CLI_EXIT_OK : CLI_EXIT_FAILED;
    }

  if (!ok)
    return cli_exit_for_error (error);
  for (int i = 0; i < 2; i++)
    {
      if (inputs[i].video)
        /* Translators: %s: a file; the numbers count faces and frames */
        g_print (_("%s: median of %d faces in %d frames\n"), inputs[i].path, inputs[i].n_faces,
                 inputs[i].n_frames);
      else
        g_print (_("%s: one face\n"), inputs[i].path);
    }
  g_print (_("distance %.3f: %s (same person below %.2f)\n"), distance,
           distance < LK_FACE_SAME_PERSON_DISTANCE ? _("same person") : _("different people"),
           LK_FACE_SAME_PERSON_DISTANCE);
  return CLI_EXIT_OK;
}
