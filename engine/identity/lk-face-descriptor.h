/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "lk-align.h"
#include "lk-image.h"

G_BEGIN_DECLS

/*
 * Face descriptors: who a face is, as 128 numbers.
 *
 * The network is dlib's ResNet-29 face recognition network
 * (dlib_face_recognition_resnet_model_v1, 99.38 % on LFW) as ported by
 * face-api.js and shipped in the npm package @vladmandic/face-api; the build
 * converts the package's weights into face_recognition.safetensors, installed
 * in PKGDATADIR/models (see data/models/). It takes the 150x150 face chip
 * dlib cuts from the 68 landmarks (get_face_chip_details (shape, 150, 0.25))
 * and gives a descriptor; two faces of the same person are less than
 * %LK_FACE_SAME_PERSON_DISTANCE apart.
 *
 * Without the file identity features are off: lk_face_recognizer_get_default()
 * fails with a message that says so, and nothing else is affected. The
 * studio says so once at start-up (lk_face_recognition_model_check()); the
 * CLI when a command needs the network.
 *
 * Threading: an #LkFaceRecognizer is immutable once loaded;
 * lk_face_recognizer_compute() may run on several threads at once.
 */

#define LK_FACE_DESCRIPTOR_DIM       128
#define LK_FACE_CHIP_SIZE            150
#define LK_FACE_CHIP_PADDING         0.25
#define LK_FACE_SAME_PERSON_DISTANCE 0.6

/* The file name of the network in a models folder. */
#define LK_FACE_RECOGNITION_MODEL_FILE "face_recognition.safetensors"

typedef struct _LkFaceRecognizer LkFaceRecognizer;

/**
 * lk_face_recognition_model_path:
 *
 * Where the network is looked for: $LIKENESS_FACE_RECOGNITION_MODEL if set;
 * else, in an uninstalled build (the executable is inside a meson build
 * folder, up to four levels down), <build>/data/models/; else
 * PKGDATADIR/models/.
 *
 * Returns: (transfer full): the path (which may not exist)
 */
char             *lk_face_recognition_model_path (void);

/* Whether the network file is there (it is not loaded: cheap enough for
 * start-up); when not, @error says that identity features are off and why. */
gboolean          lk_face_recognition_model_check (GError  **error);

/**
 * lk_face_recognizer_new:
 * @path: (nullable): the safetensors file; %NULL for
 *   lk_face_recognition_model_path()
 *
 * Loads the network (on the GPU when there is one). Errors name the file:
 * %LK_ERROR_NOT_FOUND when it is missing, %LK_ERROR_CORRUPT when it is
 * damaged or not this network, %LK_ERROR_MODEL for other failures.
 */
LkFaceRecognizer *lk_face_recognizer_new     (const char        *path,
                                              GError           **error);
void              lk_face_recognizer_free    (LkFaceRecognizer  *recognizer);

/**
 * lk_face_recognizer_get_default:
 *
 * The process's shared recognizer, loaded from the default path on the
 * first call. When that fails, every call fails with the same error, whose
 * message says that identity features are off and why.
 *
 * Returns: (transfer none): the recognizer, or %NULL with @error set
 */
LkFaceRecognizer *lk_face_recognizer_get_default (GError       **error);

/* The network's origin, version and licence in one line, for About dialogs
 * and --version output (from the file's metadata), or NULL. */
char             *lk_face_recognizer_describe (LkFaceRecognizer *recognizer);

/**
 * lk_face_chip_new:
 * @frame: an RGB or grey image
 * @landmarks: the face's 68 landmarks in @frame's pixels
 *
 * Cuts the 150x150 aligned RGB chip the network takes, as dlib does.
 *
 * Returns: (transfer full): the chip, or %NULL with @error set
 */
LkImage          *lk_face_chip_new           (const LkImage     *frame,
                                              const float        landmarks[LK_FACE_N_LANDMARKS][2],
                                              GError           **error);

/**
 * lk_face_recognizer_compute:
 * @chips: @n chips from lk_face_chip_new()
 * @descriptors: (out caller-allocates): @n * %LK_FACE_DESCRIPTOR_DIM floats
 *
 * Computes the descriptors of a batch of chips.
 */
gboolean          lk_face_recognizer_compute (LkFaceRecognizer  *recognizer,
                                              const LkImage *const *chips,
                                              int                n,
                                              float             *descriptors,
                                              GError           **error);

/* Chip and descriptor of one face. */
gboolean          lk_face_recognizer_describe_face
                                             (LkFaceRecognizer  *recognizer,
                                              const LkImage     *frame,
                                              const float        landmarks[LK_FACE_N_LANDMARKS][2],
                                              float              descriptor[LK_FACE_DESCRIPTOR_DIM],
                                              GError           **error);

/* The Euclidean distance between two descriptors. */
double            lk_face_descriptor_distance (const float *a,
                                               const float *b);

/* The element-wise median of @n descriptors (each %LK_FACE_DESCRIPTOR_DIM
 * floats, one after the other) into @out: a robust summary of one person. */
void              lk_face_descriptor_median  (const float       *descriptors,
                                              int                n,
                                              float              out[LK_FACE_DESCRIPTOR_DIM]);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LkFaceRecognizer, lk_face_recognizer_free)

G_END_DECLS
