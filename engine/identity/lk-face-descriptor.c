/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "lk-identity"

#include "config.h"

#include "lk-face-descriptor.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lk-dlib.h"
#include "lk-error.h"
#include "lk-torch-face-recognition.h"

struct _LkFaceRecognizer
{
  LkTorchFaceRecognizer *net;
  char                  *path;
};

/* The meson build folder the running executable is in (up to four levels
 * below it: <build>/app/likeness, <build>/tests/identity/test-...), or NULL. */
static char *
find_build_dir (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;

  if (exe == NULL)
    return NULL;
  dir = g_path_get_dirname (exe);
  for (int level = 0; level < 4; level++)
    {
      g_autofree char *ninja = g_build_filename (dir, "build.ninja", NULL);
      char *parent;

      if (g_file_test (ninja, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&dir);
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  return NULL;
}

char *
lk_face_recognition_model_path (void)
{
  const char *env = g_getenv ("LIKENESS_FACE_RECOGNITION_MODEL");
  g_autofree char *build_dir = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  build_dir = find_build_dir ();
  if (build_dir != NULL)
    return g_build_filename (build_dir, "data", "models", LK_FACE_RECOGNITION_MODEL_FILE, NULL);
  return g_build_filename (PKGDATADIR, "models", LK_FACE_RECOGNITION_MODEL_FILE, NULL);
}

gboolean
lk_face_recognition_model_check (GError **error)
{
  g_autofree char *path = lk_face_recognition_model_path ();

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
               "Identity features are off: %s: the face recognition network is missing "
               "(build-aux/setup fetches @vladmandic/face-api and the build converts it)", path);
  return FALSE;
}

static gboolean
set_torch_error (GError **error, const LkTorchError *terr)
{
  int code;

  switch (terr->status)
    {
    case LK_TORCH_ERROR_CORRUPT:
    case LK_TORCH_ERROR_INCOMPATIBLE:
      code = LK_ERROR_CORRUPT;
      break;
    case LK_TORCH_ERROR_IO:
      code = LK_ERROR_IO;
      break;
    case LK_TORCH_ERROR_INVALID_ARGUMENT:
      code = LK_ERROR_INVALID_INPUT;
      break;
    default:
      code = LK_ERROR_MODEL;
      break;
    }
  g_set_error (error, LK_ERROR, code, "%s",
               terr->message[0] != '\0' ? terr->message : lk_torch_status_to_string (terr->status));
  return FALSE;
}

LkFaceRecognizer *
lk_face_recognizer_new (const char  *path,
                        GError     **error)
{
  g_autofree char *default_path = NULL;
  LkFaceRecognizer *self;
  LkTorchFaceRecognizer *net;
  LkTorchError terr;

  if (path == NULL)
    path = default_path = lk_face_recognition_model_path ();

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, LK_ERROR, LK_ERROR_NOT_FOUND,
                   "%s: the face recognition network is missing (build-aux/setup fetches "
                   "@vladmandic/face-api and the build converts it)", path);
      return NULL;
    }

  net = lk_torch_face_recognizer_new (path, LK_TORCH_DEVICE_AUTO, &terr);
  if (net == NULL)
    {
      set_torch_error (error, &terr);
      /* The shim's messages about the file name it already. */
      if (strstr ((*error)->message, path) == NULL)
        lk_error_prefix_file (error, path);
      return NULL;
    }

  self = g_new0 (LkFaceRecognizer, 1);
  self->net = net;
  self->path = g_strdup (path);
  return self;
}

void
lk_face_recognizer_free (LkFaceRecognizer *recognizer)
{
  if (recognizer == NULL)
    return;
  lk_torch_face_recognizer_free (recognizer->net);
  g_free (recognizer->path);
  g_free (recognizer);
}

static LkFaceRecognizer *default_recognizer;
static GError *default_error;

LkFaceRecognizer *
lk_face_recognizer_get_default (GError **error)
{
  static gsize loaded;

  if (g_once_init_enter (&loaded))
    {
      g_autoptr(GError) local = NULL;

      default_recognizer = lk_face_recognizer_new (NULL, &local);
      if (default_recognizer == NULL)
        {
          default_error = g_error_new (LK_ERROR, local->code,
                                       "Identity features are off: %s", local->message);
        }
      g_once_init_leave (&loaded, 1);
    }

  if (default_recognizer == NULL)
    {
      if (error != NULL)
        *error = g_error_copy (default_error);
      return NULL;
    }
  return default_recognizer;
}


static void
collect_metadata (const char *key,
                  const char *value,
                  void       *user_data)
{
  g_hash_table_insert (user_data, g_strdup (key), g_strdup (value));
}

char *
lk_face_recognizer_describe (LkFaceRecognizer *recognizer)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *name, *version, *license;

  g_return_val_if_fail (recognizer != NULL, NULL);

  if (lk_torch_checkpoint_read_metadata (recognizer->path, collect_metadata, table, NULL)
      != LK_TORCH_OK)
    return NULL;
  name = g_hash_table_lookup (table, "package.name");
  version = g_hash_table_lookup (table, "package.version");
  license = g_hash_table_lookup (table, "package.license");
  if (name == NULL || version == NULL)
    return NULL;
  return g_strdup_printf ("dlib's ResNet-29 face recognition network from %s %s (%s)", name,
                          version, license != NULL ? license : "licence unknown");
}

LkImage *
lk_face_chip_new (const LkImage  *frame,
                  const float     landmarks[LK_FACE_N_LANDMARKS][2],
                  GError        **error)
{
  g_autoptr(LkImage) chip = NULL;
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibImage image;
  LkDlibStatus status;

  g_return_val_if_fail (frame != NULL, NULL);
  g_return_val_if_fail (landmarks != NULL, NULL);

  if (frame->channels != 1 && frame->channels != 3)
    {
      g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                   "a face chip needs an RGB or grey image, not %d channels", frame->channels);
      return NULL;
    }
  image.data = frame->data;
  image.width = frame->width;
  image.height = frame->height;
  image.channels = frame->channels;
  image.stride = frame->stride;

  chip = lk_image_new (LK_FACE_CHIP_SIZE, LK_FACE_CHIP_SIZE, 3);
  status = lk_dlib_face_chip (&image, &landmarks[0][0], LK_FACE_N_LANDMARKS, LK_FACE_CHIP_SIZE,
                              LK_FACE_CHIP_PADDING, chip->data, chip->stride, message,
                              sizeof message);
  if (status != LK_DLIB_OK)
    {
      g_set_error (error, LK_ERROR, status == LK_DLIB_ERROR_INVALID_ARGUMENT
                                      ? LK_ERROR_INVALID_INPUT : LK_ERROR_MODEL,
                   "cutting the face chip failed: %s",
                   message[0] != '\0' ? message : lk_dlib_status_to_string (status));
      return NULL;
    }
  return g_steal_pointer (&chip);
}

gboolean
lk_face_recognizer_compute (LkFaceRecognizer     *recognizer,
                            const LkImage *const *chips,
                            int                   n,
                            float                *descriptors,
                            GError              **error)
{
  g_autofree LkTorchPixels *pixels = NULL;
  LkTorchError terr;

  g_return_val_if_fail (recognizer != NULL, FALSE);
  g_return_val_if_fail (n >= 0, FALSE);
  g_return_val_if_fail (n == 0 || (chips != NULL && descriptors != NULL), FALSE);

  pixels = g_new0 (LkTorchPixels, MAX (n, 1));
  for (int i = 0; i < n; i++)
    {
      const LkImage *chip = chips[i];

      if (chip == NULL || chip->width != LK_FACE_CHIP_SIZE || chip->height != LK_FACE_CHIP_SIZE
          || chip->channels != 3)
        {
          g_set_error (error, LK_ERROR, LK_ERROR_INVALID_INPUT,
                       "face chip %d is not %dx%d RGB", i, LK_FACE_CHIP_SIZE, LK_FACE_CHIP_SIZE);
          return FALSE;
        }
      pixels[i].data = chip->data;
      pixels[i].width = chip->width;
      pixels[i].height = chip->height;
      pixels[i].channels = 3;
      pixels[i].stride = chip->stride;
    }

  if (lk_torch_face_recognizer_compute (recognizer->net, pixels, n, descriptors, &terr)
      != LK_TORCH_OK)
    return set_torch_error (error, &terr);
  return TRUE;
}

gboolean
lk_face_recognizer_describe_face (LkFaceRecognizer *recognizer,
                                  const LkImage    *frame,
                                  const float       landmarks[LK_FACE_N_LANDMARKS][2],
                                  float             descriptor[LK_FACE_DESCRIPTOR_DIM],
                                  GError          **error)
{
  g_autoptr(LkImage) chip = lk_face_chip_new (frame, landmarks, error);
  const LkImage *chips[1];

  if (chip == NULL)
    return FALSE;
  chips[0] = chip;
  return lk_face_recognizer_compute (recognizer, chips, 1, descriptor, error);
}

double
lk_face_descriptor_distance (const float *a,
                             const float *b)
{
  double sum = 0;

  for (int i = 0; i < LK_FACE_DESCRIPTOR_DIM; i++)
    {
      double d = (double) a[i] - (double) b[i];

      sum += d * d;
    }
  return sqrt (sum);
}

static int
compare_floats (const void *a,
                const void *b)
{
  float x = *(const float *) a, y = *(const float *) b;

  return (x > y) - (x < y);
}

void
lk_face_descriptor_median (const float *descriptors,
                           int          n,
                           float        out[LK_FACE_DESCRIPTOR_DIM])
{
  g_autofree float *column = NULL;

  g_return_if_fail (n > 0 && descriptors != NULL);

  column = g_new (float, n);
  for (int d = 0; d < LK_FACE_DESCRIPTOR_DIM; d++)
    {
      for (int i = 0; i < n; i++)
        column[i] = descriptors[(gsize) i * LK_FACE_DESCRIPTOR_DIM + d];
      qsort (column, n, sizeof (float), compare_floats);
      out[d] = n % 2 ? column[n / 2] : 0.5f * (column[n / 2 - 1] + column[n / 2]);
    }
}
