// SPDX-License-Identifier: GPL-3.0-or-later
//
// The dlib shim: shape predictor (landmarks) and HOG face detector behind the
// C API of lk-dlib.h. The CNN detector is in lk-dlib-cnn.cc.

#include "lk-dlib-private.hh"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_processing/shape_predictor.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <future>
#include <istream>
#include <vector>

using namespace lk_dlib;

extern "C" const char *
lk_dlib_status_to_string (LkDlibStatus status)
{
  switch (status)
    {
    case LK_DLIB_OK:
      return "success";
    case LK_DLIB_ERROR_INVALID_ARGUMENT:
      return "invalid argument";
    case LK_DLIB_ERROR_FILE:
      return "model file cannot be read";
    case LK_DLIB_ERROR_CORRUPT_MODEL:
      return "model file is damaged or of the wrong kind";
    case LK_DLIB_ERROR_OUT_OF_MEMORY:
      return "out of memory";
    case LK_DLIB_ERROR_INTERNAL:
      return "internal error in dlib";
    }
  return "unknown status";
}

namespace lk_dlib
{

std::string
describe_file (const char *path)
{
  return path != nullptr ? std::string (path) : std::string ("(no file)");
}

std::string
read_model_file (const char *path, const char *kind)
{
  if (path == nullptr || path[0] == '\0')
    throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, std::string ("no path given for the ") + kind);

  std::ifstream in (path, std::ios::binary);
  if (!in)
    {
      int err = errno;
      throw failure (LK_DLIB_ERROR_FILE, describe_file (path) + ": cannot open the " + kind + ": "
                                           + std::strerror (err != 0 ? err : ENOENT));
    }
  in.seekg (0, std::ios::end);
  std::streamoff size = in.tellg ();
  in.seekg (0, std::ios::beg);
  if (size < 0 || !in)
    throw failure (LK_DLIB_ERROR_FILE, describe_file (path) + ": cannot read the " + kind
                                         + " (not a regular file?)");
  if (size == 0)
    throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                   describe_file (path) + ": the " + kind + " file is empty");

  std::string bytes ((size_t) size, '\0');
  if (!in.read (&bytes[0], size))
    throw failure (LK_DLIB_ERROR_FILE, describe_file (path) + ": reading the " + kind + " failed");

  // A common mistake: the compressed download (.dat.bz2) renamed or not unpacked.
  if (bytes.compare (0, 3, "BZh") == 0)
    throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                   describe_file (path) + ": the " + kind
                     + " is bzip2-compressed; decompress it first (bunzip2)");
  return bytes;
}

} // namespace lk_dlib

// ---- Shape predictor ------------------------------------------------------

// The data of dlib::shape_predictor, read with the same serialisation but
// with each count checked against the bytes left and the whole model checked
// for consistency afterwards, so that a damaged file can never make it read
// out of bounds. Prediction mirrors shape_predictor::operator() but keeps the
// points as floats (dlib rounds them to integer pixels).
struct LkDlibShapeModel
{
  std::atomic<int> refs{ 1 };
  dlib::matrix<float, 0, 1> initial_shape;
  std::vector<std::vector<dlib::impl::regression_tree>> forests;
  std::vector<std::vector<unsigned long>> anchor_idx;
  std::vector<std::vector<dlib::vector<float, 2>>> deltas;
};

namespace
{

struct bounded_reader
{
  memory_buffer &buf;
  std::istream &in;

  unsigned long
  count (size_t min_bytes_each)
  {
    unsigned long n;
    dlib::deserialize (n, in);
    if (min_bytes_each > 0 && n > buf.remaining () / min_bytes_each)
      throw dlib::serialization_error ("a count (" + std::to_string (n)
                                       + ") larger than the rest of the file");
    return n;
  }

  void
  read (float &f)
  {
    dlib::deserialize (f, in);
    if (!std::isfinite (f))
      throw dlib::serialization_error ("a number that is not finite");
  }

  void
  read (dlib::matrix<float, 0, 1> &m)
  {
    long nr, nc;
    dlib::deserialize (nr, in);
    dlib::deserialize (nc, in);
    nr = std::labs (nr);
    nc = std::labs (nc);
    if (nc != 1 || (unsigned long) nr > buf.remaining () / 2)
      throw dlib::serialization_error ("a column vector of impossible size");
    m.set_size (nr);
    for (long i = 0; i < nr; i++)
      read (m (i));
  }

  void
  read (dlib::impl::regression_tree &tree)
  {
    tree.splits.resize (count (3));
    for (auto &s : tree.splits)
      {
        dlib::deserialize (s.idx1, in);
        dlib::deserialize (s.idx2, in);
        read (s.thresh);
      }
    tree.leaf_values.resize (count (2));
    for (auto &leaf : tree.leaf_values)
      read (leaf);
  }
};

void
load_shape_model (const std::string &bytes, LkDlibShapeModel &model)
{
  memory_buffer buf (bytes.data (), bytes.size ());
  std::istream in (&buf);
  bounded_reader r{ buf, in };

  int version = 0;
  dlib::deserialize (version, in);
  if (version != 1)
    throw dlib::serialization_error ("not a dlib shape predictor (unknown version "
                                     + std::to_string (version) + ")");
  r.read (model.initial_shape);

  model.forests.resize (r.count (1));
  for (auto &level : model.forests)
    {
      level.resize (r.count (2));
      for (auto &tree : level)
        r.read (tree);
    }
  model.anchor_idx.resize (r.count (1));
  for (auto &level : model.anchor_idx)
    {
      level.resize (r.count (1));
      for (auto &a : level)
        dlib::deserialize (a, in);
    }
  model.deltas.resize (r.count (1));
  for (auto &level : model.deltas)
    {
      level.resize (r.count (4));
      for (auto &d : level)
        {
          r.read (d.x ());
          r.read (d.y ());
        }
    }

  // Consistency: everything prediction indexes must be in range.
  const long shape_size = model.initial_shape.size ();
  const unsigned long n_parts = (unsigned long) shape_size / 2;
  if (shape_size < 2 || shape_size % 2 != 0)
    throw dlib::serialization_error ("the mean shape has an odd or zero size");
  if (model.forests.empty () || model.forests.size () != model.anchor_idx.size ()
      || model.forests.size () != model.deltas.size ())
    throw dlib::serialization_error ("cascade levels do not match");
  for (size_t level = 0; level < model.forests.size (); level++)
    {
      const size_t n_features = model.deltas[level].size ();
      if (model.anchor_idx[level].size () != n_features || n_features == 0)
        throw dlib::serialization_error ("feature tables do not match");
      for (unsigned long a : model.anchor_idx[level])
        if (a >= n_parts)
          throw dlib::serialization_error ("a feature anchored to a point that does not exist");
      for (const auto &tree : model.forests[level])
        {
          const size_t n_leaves = tree.leaf_values.size ();
          if (n_leaves != tree.splits.size () + 1 || (n_leaves & (n_leaves - 1)) != 0)
            throw dlib::serialization_error ("a regression tree of the wrong shape");
          for (const auto &s : tree.splits)
            if (s.idx1 >= n_features || s.idx2 >= n_features)
              throw dlib::serialization_error ("a split on a feature that does not exist");
          for (const auto &leaf : tree.leaf_values)
            if (leaf.size () != shape_size)
              throw dlib::serialization_error ("a leaf of the wrong size");
        }
    }
  if (buf.remaining () != 0)
    throw dlib::serialization_error ("unexpected data after the end of the model");
}

template <typename View>
void
predict (const LkDlibShapeModel &model, const View &img, const dlib::rectangle &rect, float *out_xy)
{
  dlib::matrix<float, 0, 1> current_shape = model.initial_shape;
  std::vector<float> feature_pixel_values;
  std::vector<const float *> leaves;
  const long n_values = current_shape.size ();
  const long line = 64 / sizeof (float);
  for (size_t iter = 0; iter < model.forests.size (); iter++)
    {
      dlib::impl::extract_feature_pixel_values (img, rect, current_shape, model.initial_shape,
                                                model.anchor_idx[iter], model.deltas[iter],
                                                feature_pixel_values);
      // All the trees of a level read the same pixel values: find every
      // tree's leaf first (the walks are independent, so their cache misses
      // overlap), then add the leaves in tree order, each fetched ahead while
      // the one before is added. The same sums as dlib's, in the same order.
      const auto &forest = model.forests[iter];
      unsigned long leaf_idx;
      leaves.resize (forest.size ());
      for (size_t t = 0; t < forest.size (); t++)
        leaves[t] = &forest[t](feature_pixel_values, leaf_idx)(0);
      float *shape = &current_shape (0);
      const size_t ahead = 4;
      for (size_t t = 0; t < leaves.size (); t++)
        {
          if (t + ahead < leaves.size ())
            for (long k = 0; k < n_values; k += line)
              __builtin_prefetch (leaves[t + ahead] + k);
          const float *leaf = leaves[t];
          for (long k = 0; k < n_values; k++)
            shape[k] += leaf[k];
        }
    }
  const dlib::point_transform_affine to_img = dlib::impl::unnormalizing_tform (rect);
  const long n = current_shape.size () / 2;
  for (long i = 0; i < n; i++)
    {
      dlib::dpoint p = to_img (dlib::impl::location (current_shape, i));
      out_xy[2 * i] = (float) p.x ();
      out_xy[2 * i + 1] = (float) p.y ();
    }
}

} // namespace

extern "C" LkDlibStatus
lk_dlib_shape_model_load (const char *path, LkDlibShapeModel **out_model, char *message,
                          size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (out_model == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no place for the model");
    *out_model = nullptr;
    std::string bytes = read_model_file (path, "landmark model");
    std::unique_ptr<LkDlibShapeModel> model (new LkDlibShapeModel);
    try
      {
        load_shape_model (bytes, *model);
      }
    catch (const dlib::serialization_error &e)
      {
        std::string what = e.what ();
        std::replace (what.begin (), what.end (), '\n', ' ');
        throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                       describe_file (path)
                         + ": not a valid dlib landmark model (truncated or damaged?): " + what);
      }
    catch (const std::bad_alloc &)
      {
        throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                       describe_file (path) + ": not a valid dlib landmark model (impossible sizes)");
      }
    *out_model = model.release ();
    return LK_DLIB_OK;
  });
}

extern "C" LkDlibShapeModel *
lk_dlib_shape_model_ref (LkDlibShapeModel *model)
{
  if (model != nullptr)
    model->refs.fetch_add (1, std::memory_order_relaxed);
  return model;
}

extern "C" void
lk_dlib_shape_model_unref (LkDlibShapeModel *model)
{
  if (model != nullptr && model->refs.fetch_sub (1, std::memory_order_acq_rel) == 1)
    delete model;
}

extern "C" int
lk_dlib_shape_model_num_parts (const LkDlibShapeModel *model)
{
  return model != nullptr ? (int) (model->initial_shape.size () / 2) : 0;
}

extern "C" LkDlibStatus
lk_dlib_shape_model_mean_shape (const LkDlibShapeModel *model, float *out_xy, int n_parts)
{
  return guarded (nullptr, 0, [&] () {
    if (model == nullptr || out_xy == nullptr || n_parts != lk_dlib_shape_model_num_parts (model))
      return LK_DLIB_ERROR_INVALID_ARGUMENT;
    for (long i = 0; i < model->initial_shape.size (); i++)
      out_xy[i] = model->initial_shape (i);
    return LK_DLIB_OK;
  });
}

extern "C" LkDlibStatus
lk_dlib_shape_predict (const LkDlibShapeModel *model, const LkDlibImage *image,
                       const LkDlibRect *box, float *out_xy, int n_parts, char *message,
                       size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (model == nullptr || box == nullptr || out_xy == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no model, box or output");
    if (n_parts != lk_dlib_shape_model_num_parts (model))
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT,
                     "the model has " + std::to_string (lk_dlib_shape_model_num_parts (model))
                       + " points, not " + std::to_string (n_parts));
    if (!(box->width >= 1 && box->height >= 1) || !std::isfinite (box->x)
        || !std::isfinite (box->y))
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "empty or invalid face box");
    const dlib::rectangle rect = to_rectangle (*box);
    with_view (image, [&] (const auto &view) {
      predict (*model, view, rect, out_xy);
      return 0;
    });
    return LK_DLIB_OK;
  });
}

// ---- HOG detector -----------------------------------------------------------

// dlib's frontal face detector scans a pyramid of the image (each level 5/6
// of the one before). On a large image the scan is split in two halves that
// run at once: the first two levels on the calling thread, the levels below
// (from the image scaled down twice, as dlib makes them) on a helper thread.
// The detections of both are merged with dlib's non-maximum suppression, so
// the result is dlib's (box corners may differ by a pixel of rounding).
typedef dlib::scan_fhog_pyramid<dlib::pyramid_down<6>> hog_scanner;

struct LkDlibHog
{
  dlib::frontal_face_detector detector;
  hog_scanner top;     // levels 0 and 1 of the image
  hog_scanner bottom;  // all levels of the image scaled down twice
  std::vector<hog_scanner::fhog_filterbank> filters;
  std::vector<double> thresholds;
};

namespace
{

// Below this many pixels the scan is not split (the tracker's checks on
// ~160 px crops, small frames): the hand-over would cost more than it saves.
const long SPLIT_MIN_PIXELS = 300 * 300;
const unsigned long SPLIT_LEVELS = 2;

const dlib::frontal_face_detector &
hog_prototype ()
{
  // Decoding the detector from its embedded text is done once per process.
  static const dlib::frontal_face_detector prototype = dlib::get_frontal_face_detector ();
  return prototype;
}

void
write_rects (std::vector<LkDlibRect> &rects, LkDlibRect *out_rects, int max_rects, int *n_found)
{
  std::stable_sort (rects.begin (), rects.end (),
                    [] (const LkDlibRect &a, const LkDlibRect &b) { return a.score > b.score; });
  int n = (int) rects.size ();
  for (int i = 0; i < n && i < max_rects; i++)
    out_rects[i] = rects[i];
  if (n_found != nullptr)
    *n_found = n;
}

// Runs every filter of @hog on @img with @scanner; boxes are mapped up
// @levels_up pyramid levels (to the caller's image).
template <typename Image>
void
scan (const LkDlibHog &hog, hog_scanner &scanner, const Image &img, double threshold,
      unsigned long levels_up, std::vector<dlib::rect_detection> &out)
{
  dlib::pyramid_down<6> pyr;
  std::vector<std::pair<double, dlib::rectangle>> dets;

  scanner.load (img);
  for (size_t i = 0; i < hog.filters.size (); i++)
    {
      scanner.detect (hog.filters[i], dets, hog.thresholds[i] + threshold);
      for (const auto &d : dets)
        {
          dlib::rect_detection det;
          det.detection_confidence = d.first - hog.thresholds[i];
          det.weight_index = i;
          det.rect = levels_up > 0 ? dlib::rectangle (pyr.rect_up (dlib::drectangle (d.second),
                                                                   levels_up))
                                   : d.second;
          out.push_back (det);
        }
    }
}

template <typename Image>
void
hog_scan_split (LkDlibHog &hog, const Image &img, double threshold,
                std::vector<dlib::rect_detection> &dets)
{
  typedef typename dlib::image_traits<Image>::pixel_type pixel;
  std::vector<dlib::rect_detection> top, bottom;
  dlib::pyramid_down<6> pyr;

  // The helper makes the lower levels from the image as dlib would.
  auto lower = std::async (std::launch::async, [&] () {
    dlib::array2d<pixel> a, b;
    pyr (img, a);
    for (unsigned long l = 1; l < SPLIT_LEVELS; l++)
      {
        pyr (a, b);
        dlib::swap (a, b);
      }
    if (a.nc () >= (long) hog.bottom.get_min_pyramid_layer_width ()
        && a.nr () >= (long) hog.bottom.get_min_pyramid_layer_height ())
      scan (hog, hog.bottom, a, threshold, SPLIT_LEVELS, bottom);
  });
  try
    {
      scan (hog, hog.top, img, threshold, 0, top);
    }
  catch (...)
    {
      lower.wait ();
      throw;
    }
  lower.get ();

  // dlib's non-maximum suppression (object_detector::operator()).
  std::vector<dlib::rect_detection> all (top);
  all.insert (all.end (), bottom.begin (), bottom.end ());
  std::sort (all.rbegin (), all.rend ());
  const dlib::test_box_overlap &overlaps = hog.detector.get_overlap_tester ();
  for (const auto &d : all)
    {
      bool suppressed = false;
      for (const auto &kept : dets)
        if (overlaps (kept.rect, d.rect))
          {
            suppressed = true;
            break;
          }
      if (!suppressed)
        dets.push_back (d);
    }
}

template <typename Image>
void
hog_run (LkDlibHog &hog, const Image &img, int upsample, double threshold,
         std::vector<LkDlibRect> &rects)
{
  std::vector<dlib::rect_detection> dets;
  dlib::pyramid_down<2> pyr;

  if (upsample <= 0)
    {
      if ((long) num_rows (img) * num_columns (img) >= SPLIT_MIN_PIXELS)
        hog_scan_split (hog, img, threshold, dets);
      else
        hog.detector (img, dets, threshold);
    }
  else
    {
      typedef typename dlib::image_traits<Image>::pixel_type pixel;
      dlib::array2d<pixel> up, tmp;
      dlib::pyramid_up (img, up, pyr);
      for (int i = 1; i < upsample; i++)
        {
          dlib::pyramid_up (up, tmp, pyr);
          dlib::swap (up, tmp);
        }
      hog_scan_split (hog, up, threshold, dets);
    }

  for (const auto &d : dets)
    {
      dlib::drectangle r = d.rect;
      for (int i = 0; i < upsample; i++)
        r = pyr.rect_down (r);
      rects.push_back (from_rectangle (r, d.detection_confidence));
    }
}

} // namespace

extern "C" LkDlibStatus
lk_dlib_hog_new (LkDlibHog **out_hog, char *message, size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (out_hog == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no place for the detector");
    *out_hog = nullptr;
    std::unique_ptr<LkDlibHog> hog (new LkDlibHog);
    hog->detector = hog_prototype ();
    hog->top.copy_configuration (hog->detector.get_scanner ());
    hog->top.set_max_pyramid_levels (SPLIT_LEVELS);
    hog->bottom.copy_configuration (hog->detector.get_scanner ());
    for (unsigned long i = 0; i < hog->detector.num_detectors (); i++)
      {
        const auto &w = hog->detector.get_w (i);
        hog->filters.push_back (hog->top.build_fhog_filterbank (w));
        hog->thresholds.push_back (w (hog->top.get_num_dimensions ()));
      }
    *out_hog = hog.release ();
    return LK_DLIB_OK;
  });
}

extern "C" void
lk_dlib_hog_free (LkDlibHog *hog)
{
  delete hog;
}

extern "C" LkDlibStatus
lk_dlib_hog_detect (LkDlibHog *hog, const LkDlibImage *image, int upsample, double threshold,
                    LkDlibRect *out_rects, int max_rects, int *n_found, char *message,
                    size_t message_size)
{
  if (n_found != nullptr)
    *n_found = 0;
  return guarded (message, message_size, [&] () {
    if (hog == nullptr || (out_rects == nullptr && max_rects > 0) || max_rects < 0)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no detector or output");
    if (upsample < 0 || upsample > 4)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "upsample must be 0 to 4");
    std::vector<LkDlibRect> rects;
    with_view (image, [&] (const auto &view) {
      hog_run (*hog, view, upsample, threshold, rects);
      return 0;
    });
    write_rects (rects, out_rects, max_rects, n_found);
    return LK_DLIB_OK;
  });
}

// Shared with lk-dlib-cnn.cc.
namespace lk_dlib
{
void
write_detections (std::vector<LkDlibRect> &rects, LkDlibRect *out_rects, int max_rects,
                  int *n_found)
{
  write_rects (rects, out_rects, max_rects, n_found);
}
} // namespace lk_dlib
