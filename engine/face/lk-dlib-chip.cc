// SPDX-License-Identifier: GPL-3.0-or-later
//
// The dlib shim: aligned face chips for dlib's face recognition network
// (lk_dlib_face_chip() in lk-dlib.h), cut exactly as dlib's own examples
// (dnn_face_recognition_ex.cpp) cut them.

#include "lk-dlib-private.hh"

#include <dlib/image_processing/full_object_detection.h>
#include <dlib/image_transforms.h>

using namespace lk_dlib;

extern "C" LkDlibStatus
lk_dlib_face_chip (const LkDlibImage *image, const float *landmarks_xy, int n_parts, int size,
                   double padding, unsigned char *out_rgb, size_t out_stride, char *message,
                   size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (landmarks_xy == nullptr || out_rgb == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no landmarks or output");
    if (n_parts != 68 && n_parts != 5)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT,
                     "a face chip needs 68 or 5 landmarks, not " + std::to_string (n_parts));
    if (size < 1 || size > 4096 || !(padding >= 0) || out_stride < (size_t) size * 3)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "bad chip size, padding or stride");

    std::vector<dlib::point> parts ((size_t) n_parts);
    double min_x = 1e300, max_x = -1e300, min_y = 1e300, max_y = -1e300;
    for (int i = 0; i < n_parts; i++)
      {
        double x = landmarks_xy[2 * i], y = landmarks_xy[2 * i + 1];
        if (!std::isfinite (x) || !std::isfinite (y))
          throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "a landmark is not finite");
        // full_object_detection holds integer points, as dlib's shape
        // predictor returns them to dlib's own callers.
        parts[(size_t) i] = dlib::point (std::lround (x), std::lround (y));
        min_x = std::min (min_x, x);
        max_x = std::max (max_x, x);
        min_y = std::min (min_y, y);
        max_y = std::max (max_y, y);
      }
    dlib::rectangle rect (std::lround (min_x), std::lround (min_y), std::lround (max_x),
                          std::lround (max_y));
    dlib::full_object_detection shape (rect, parts);
    dlib::chip_details details = dlib::get_face_chip_details (shape, (unsigned long) size, padding);

    dlib::matrix<dlib::rgb_pixel> chip;
    with_view (image, [&] (const auto &view) {
      dlib::extract_image_chip (view, details, chip);
      return 0;
    });
    if (chip.nr () != size || chip.nc () != size)
      throw failure (LK_DLIB_ERROR_INTERNAL, "dlib returned a chip of the wrong size");
    for (long y = 0; y < size; y++)
      for (long x = 0; x < size; x++)
        {
          const dlib::rgb_pixel &p = chip (y, x);
          unsigned char *d = out_rgb + (size_t) y * out_stride + (size_t) x * 3;
          d[0] = p.red;
          d[1] = p.green;
          d[2] = p.blue;
        }
    return LK_DLIB_OK;
  });
}
