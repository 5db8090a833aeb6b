// SPDX-License-Identifier: GPL-3.0-or-later
//
// The CNN (MMOD) face detector of the dlib shim. A file of its own because
// dlib's dnn headers are slow to compile.

#include "lk-dlib-private.hh"

#include <dlib/dnn.h>

#include <atomic>
#include <istream>
#include <memory>

using namespace lk_dlib;

namespace
{

// The network of dlib's examples/dnn_mmod_face_detection_ex.cpp, which
// mmod_human_face_detector.dat deserialises into.
template <long num_filters, typename SUBNET>
using con5d = dlib::con<num_filters, 5, 5, 2, 2, SUBNET>;
template <long num_filters, typename SUBNET>
using con5 = dlib::con<num_filters, 5, 5, 1, 1, SUBNET>;

template <typename SUBNET>
using downsampler = dlib::relu<dlib::affine<
  con5d<32, dlib::relu<dlib::affine<con5d<32, dlib::relu<dlib::affine<con5d<16, SUBNET>>>>>>>>>;
template <typename SUBNET>
using rcon5 = dlib::relu<dlib::affine<con5<45, SUBNET>>>;

using net_type = dlib::loss_mmod<dlib::con<
  1, 9, 9, 1, 1,
  rcon5<rcon5<rcon5<downsampler<dlib::input_rgb_image_pyramid<dlib::pyramid_down<6>>>>>>>>;

} // namespace

struct LkDlibCnnModel
{
  std::atomic<int> refs{ 1 };
  net_type net;
};

struct LkDlibCnn
{
  net_type net;
};

extern "C" LkDlibStatus
lk_dlib_cnn_model_load (const char *path, LkDlibCnnModel **out_model, char *message,
                        size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (out_model == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no place for the model");
    *out_model = nullptr;
    std::string bytes = read_model_file (path, "CNN face detector");
    std::unique_ptr<LkDlibCnnModel> model (new LkDlibCnnModel);
    try
      {
        memory_buffer buf (bytes.data (), bytes.size ());
        std::istream in (&buf);
        dlib::deserialize (model->net, in);
        if (buf.remaining () != 0)
          throw dlib::serialization_error ("unexpected data after the end of the network");
      }
    catch (const dlib::serialization_error &e)
      {
        std::string what = e.what ();
        std::replace (what.begin (), what.end (), '\n', ' ');
        throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                       describe_file (path)
                         + ": not a valid dlib MMOD face detector (truncated or damaged?): "
                         + what);
      }
    catch (const std::bad_alloc &)
      {
        throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                       describe_file (path)
                         + ": not a valid dlib MMOD face detector (impossible sizes)");
      }
    catch (const std::length_error &)
      {
        throw failure (LK_DLIB_ERROR_CORRUPT_MODEL,
                       describe_file (path)
                         + ": not a valid dlib MMOD face detector (impossible sizes)");
      }
    *out_model = model.release ();
    return LK_DLIB_OK;
  });
}

extern "C" LkDlibCnnModel *
lk_dlib_cnn_model_ref (LkDlibCnnModel *model)
{
  if (model != nullptr)
    model->refs.fetch_add (1, std::memory_order_relaxed);
  return model;
}

extern "C" void
lk_dlib_cnn_model_unref (LkDlibCnnModel *model)
{
  if (model != nullptr && model->refs.fetch_sub (1, std::memory_order_acq_rel) == 1)
    delete model;
}

extern "C" LkDlibStatus
lk_dlib_cnn_new (LkDlibCnnModel *model, LkDlibCnn **out_cnn, char *message, size_t message_size)
{
  return guarded (message, message_size, [&] () {
    if (model == nullptr || out_cnn == nullptr)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no model or no place for the detector");
    *out_cnn = nullptr;
    std::unique_ptr<LkDlibCnn> cnn (new LkDlibCnn{ model->net });
    *out_cnn = cnn.release ();
    return LK_DLIB_OK;
  });
}

extern "C" void
lk_dlib_cnn_free (LkDlibCnn *cnn)
{
  delete cnn;
}

extern "C" LkDlibStatus
lk_dlib_cnn_detect (LkDlibCnn *cnn, const LkDlibImage *image, int upsample, double threshold,
                    LkDlibRect *out_rects, int max_rects, int *n_found, char *message,
                    size_t message_size)
{
  if (n_found != nullptr)
    *n_found = 0;
  return guarded (message, message_size, [&] () {
    if (cnn == nullptr || (out_rects == nullptr && max_rects > 0) || max_rects < 0)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "no detector or output");
    if (upsample < 0 || upsample > 3)
      throw failure (LK_DLIB_ERROR_INVALID_ARGUMENT, "upsample must be 0 to 3");

    // The network's input layer takes a dlib::matrix<rgb_pixel>.
    dlib::matrix<dlib::rgb_pixel> img;
    with_view (image, [&] (const auto &view) {
      dlib::assign_image (img, view);
      return 0;
    });
    dlib::pyramid_down<2> pyr;
    for (int i = 0; i < upsample; i++)
      {
        dlib::matrix<dlib::rgb_pixel> up;
        dlib::pyramid_up (img, up, pyr);
        img.swap (up);
      }

    std::vector<dlib::mmod_rect> dets = cnn->net.process (img, threshold);
    std::vector<LkDlibRect> rects;
    for (const auto &d : dets)
      {
        dlib::drectangle r = d.rect;
        for (int i = 0; i < upsample; i++)
          r = pyr.rect_down (r);
        rects.push_back (from_rectangle (r, d.detection_confidence));
      }
    write_detections (rects, out_rects, max_rects, n_found);
    return LK_DLIB_OK;
  });
}
