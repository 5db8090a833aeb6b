// SPDX-License-Identifier: GPL-3.0-or-later
//
// Shared between the .cc files of the dlib shim; never included from C.
#pragma once

#include <dlib/image_processing/generic_image.h>
#include <dlib/image_transforms/interpolation.h>
#include <dlib/pixel.h>
#include <dlib/serialize.h>

#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>
#include <cmath>
#include <algorithm>
#include <streambuf>

#include "lk-dlib.h"

namespace lk_dlib
{

// An error with a status of its own (a missing file, a failed check).
struct failure : std::runtime_error
{
  LkDlibStatus status;
  failure (LkDlibStatus s, const std::string &what) : std::runtime_error (what), status (s) {}
};

inline void
set_message (char *message, size_t message_size, const std::string &text)
{
  if (message == nullptr || message_size == 0)
    return;
  size_t n = std::min (text.size (), message_size - 1);
  std::memcpy (message, text.data (), n);
  message[n] = '\0';
}

// Runs @body, turning every exception into a status and a message. Every
// exported function of the shim goes through this.
template <typename F>
LkDlibStatus
guarded (char *message, size_t message_size, F &&body) noexcept
{
  if (message != nullptr && message_size > 0)
    message[0] = '\0';
  try
    {
      return body ();
    }
  catch (const failure &e)
    {
      set_message (message, message_size, e.what ());
      return e.status;
    }
  catch (const dlib::serialization_error &e)
    {
      set_message (message, message_size, std::string ("damaged model data: ") + e.what ());
      return LK_DLIB_ERROR_CORRUPT_MODEL;
    }
  catch (const std::bad_alloc &)
    {
      set_message (message, message_size, "out of memory");
      return LK_DLIB_ERROR_OUT_OF_MEMORY;
    }
  catch (const dlib::error &e)
    {
      set_message (message, message_size, std::string ("dlib: ") + e.what ());
      return LK_DLIB_ERROR_INTERNAL;
    }
  catch (const std::exception &e)
    {
      set_message (message, message_size, e.what ());
      return LK_DLIB_ERROR_INTERNAL;
    }
  catch (...)
    {
      set_message (message, message_size, "unknown exception in dlib");
      return LK_DLIB_ERROR_INTERNAL;
    }
}

// A borrowed 8-bit image that dlib reads in place through its generic image
// interface (dlib/image_processing/generic_image.h).
template <typename Pixel>
struct view
{
  const unsigned char *data;
  long width;
  long height;
  long stride;
};

template <typename Pixel>
inline long num_rows (const view<Pixel> &v) { return v.height; }
template <typename Pixel>
inline long num_columns (const view<Pixel> &v) { return v.width; }
template <typename Pixel>
inline void *image_data (view<Pixel> &v) { return const_cast<unsigned char *> (v.data); }
template <typename Pixel>
inline const void *image_data (const view<Pixel> &v) { return v.data; }
template <typename Pixel>
inline long width_step (const view<Pixel> &v) { return v.stride; }
template <typename Pixel>
inline void
set_image_size (view<Pixel> &, long, long)
{
  throw failure (LK_DLIB_ERROR_INTERNAL, "a borrowed image cannot be resized");
}

inline void
check_image (const LkDlibImage *image)
{
  if (image == nullptr || image->data == nullptr)
    throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no image");
  if (image->width <= 0 || image->height <= 0)
    throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "empty image");
  if (image->channels != 1 && image->channels != 3)
    throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT,
                   "images must have 1 (grey) or 3 (RGB) channels, not "
                   + std::to_string (image->channels));
  if (image->stride < (size_t) image->width * image->channels)
    throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "image stride shorter than a row");
}

// Calls @f with a view<rgb_pixel> or view<unsigned char> of @image.
template <typename F>
auto
with_view (const LkDlibImage *image, F &&f)
{
  check_image (image);
  if (image->channels == 3)
    {
      view<dlib::rgb_pixel> v{ image->data, image->width, image->height, (long) image->stride };
      return f (v);
    }
  view<unsigned char> v{ image->data, image->width, image->height, (long) image->stride };
  return f (v);
}

inline dlib::rectangle
to_rectangle (const LkDlibRect &r)
{
  long left = std::lround (r.x);
  long top = std::lround (r.y);
  long right = std::lround (r.x + r.width) - 1;
  long bottom = std::lround (r.y + r.height) - 1;
  return dlib::rectangle (left, top, std::max (left, right), std::max (top, bottom));
}

inline LkDlibRect
from_rectangle (const dlib::drectangle &r, double score)
{
  LkDlibRect out;
  out.x = r.left ();
  out.y = r.top ();
  out.width = r.right () - r.left () + 1;
  out.height = r.bottom () - r.top () + 1;
  out.score = score;
  return out;
}

// A stream over bytes in memory that knows how many are left, so that
// deserialisers can refuse counts larger than the file could hold.
struct memory_buffer : std::streambuf
{
  memory_buffer (const char *begin, size_t size)
  {
    char *b = const_cast<char *> (begin);
    setg (b, b, b + size);
  }
  size_t remaining () const { return (size_t) (egptr () - gptr ()); }
};

// Reads the whole of the file at @path; @kind ("landmark model") is used in
// messages, which all start with the path.
std::string read_model_file (const char *path, const char *kind);
std::string describe_file (const char *path);

// Sorts @rects best first and copies up to @max_rects of them out.
void write_detections (std::vector<LkDlibRect> &rects, LkDlibRect *out_rects, int max_rects,
                       int *n_found);

} // namespace lk_dlib

namespace dlib
{
template <>
struct image_traits<lk_dlib::view<rgb_pixel>>
{
  typedef rgb_pixel pixel_type;
};
template <>
struct image_traits<lk_dlib::view<unsigned char>>
{
  typedef unsigned char pixel_type;
};
} // namespace dlib
