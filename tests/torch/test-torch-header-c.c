/* SPDX-License-Identifier: GPL-3.0-or-later */
/* lk-torch.h and the network families' headers must compile as strict C99
 * (-Wall -Wextra -Werror -pedantic) and link from a C program. */
#include "lk-torch.h"
#include "lk-torch-face-recognition.h"

#include <stdio.h>
#include <string.h>

int
main (void)
{
  LkTorchError error;
  LkTorchModelConfig config = lk_torch_model_config_default ();
  LkTorchTrainConfig train = lk_torch_train_config_default ();
  char name[128];

  if (lk_torch_model_config_validate (&config, &error) != LK_TORCH_OK) {
    fprintf (stderr, "default config rejected: %s\n", error.message);
    return 1;
  }
  if (train.batch_size < 1 || strcmp (lk_torch_status_to_string (LK_TORCH_OK), "ok") != 0)
    return 1;
  if (lk_torch_device_name (LK_TORCH_DEVICE_AUTO, name, sizeof name, &error) != LK_TORCH_OK) {
    fprintf (stderr, "device: %s\n", error.message);
    return 1;
  }
  /* A missing network file is an error naming it, not a crash. */
  if (lk_torch_face_recognizer_new ("/nonexistent/face.safetensors", LK_TORCH_DEVICE_CPU, &error)
        != NULL
      || error.status != LK_TORCH_ERROR_IO || strstr (error.message, "/nonexistent/face") == NULL) {
    fprintf (stderr, "face recognizer: %s\n", error.message);
    return 1;
  }
  printf ("libtorch %s on %s\n", lk_torch_version (), name);
  return 0;
}
