/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The dlib shim's header is plain C: this file includes only it and is
 * compiled as C with -Werror -pedantic. It also checks that a C program can
 * call through it and that failures come back as statuses, not exceptions. */
#include "lk-dlib.h"

#include <stdio.h>
#include <string.h>

int
main (void)
{
  char message[LK_DLIB_MESSAGE_MAX];
  LkDlibShapeModel *model = NULL;
  LkDlibStatus status;
  LkDlibImage image = { 0 };
  LkDlibRect rects[4];
  LkDlibHog *hog = NULL;
  int n = -1;

  for (int s = LK_DLIB_OK; s <= LK_DLIB_ERROR_INTERNAL; s++)
    if (lk_dlib_status_to_string ((LkDlibStatus) s) == NULL)
      return 1;

  status = lk_dlib_shape_model_load ("/nonexistent/likeness/model.dat", &model, message,
                                     sizeof message);
  if (status != LK_DLIB_ERROR_FILE || model != NULL
      || strstr (message, "/nonexistent/likeness/model.dat") == NULL)
    {
      fprintf (stderr, "unexpected: %s (%s)\n", lk_dlib_status_to_string (status), message);
      return 1;
    }

  if (lk_dlib_hog_new (&hog, message, sizeof message) != LK_DLIB_OK)
    return 1;
  /* a NULL image is an error status, not a crash or an exception */
  status = lk_dlib_hog_detect (hog, &image, 0, 0.0, rects, 4, &n, message, sizeof message);
  lk_dlib_hog_free (hog);
  if (status != LK_DLIB_ERROR_INVALID_ARGUMENT || n != 0)
    return 1;

  {
    /* a face chip of no image is an error status too */
    float landmarks[68 * 2] = { 0 };
    unsigned char chip[8 * 8 * 3];

    status = lk_dlib_face_chip (&image, landmarks, 68, 8, 0.25, chip, 8 * 3, message,
                                sizeof message);
    if (status != LK_DLIB_ERROR_INVALID_ARGUMENT)
      return 1;
  }

  return 0;
}
