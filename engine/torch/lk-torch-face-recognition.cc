/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The face recognition network behind lk-torch-face-recognition.h: dlib's
 * ResNet-29, rebuilt after @vladmandic/face-api's own TensorFlow.js code
 * (src/faceRecognitionNet/: FaceRecognitionNet.ts, convLayer.ts,
 * residualLayer.ts, scaleLayer.ts; src/ops/normalize.ts) so that it computes
 * what face-api computes:
 *
 *   x = (rgb - [122.782, 117.001, 104.298]) / 255
 *   conv32_down: 7x7/2 'valid' conv + bias, scale, relu; max-pool 3/2 'valid'
 *   residual x3 (32), residualDown + residual x3 (64),
 *   residualDown + residual x2 (128), residualDown + residual x2 (256),
 *   residualDown (256, "conv256_down_out")
 *   mean over the spatial dimensions, times fc [256, 128]
 *
 * A conv layer is conv + bias, then the per-channel "scale" layer (x * w +
 * b), then relu where face-api has one. Here bias and scale are folded into
 * the conv's weights and bias once, at load. TensorFlow.js's 'same' padding
 * of a 3x3 stride-1 conv is 1 on each side; its 'valid' is none, and output
 * sizes round down as in libtorch. residual: relu (conv2 (relu (conv1 (x)))
 * + x). residualDown: conv1 is 3x3/2 'valid'; the shortcut is x average-
 * pooled 2/2 'valid', padded with zero channels when the block doubles
 * them; when conv1's output is one row and column smaller than the pooled
 * shortcut (8 -> 3 vs 4, 4 -> 1 vs 2), face-api appends a row and a column
 * of zeros to it (bottom and right) before the sum.
 *
 * Weights come in TensorFlow.js layout (NHWC filters [h, w, in, out]) and
 * are permuted to libtorch's [out, in, h, w]; activations are NCHW.
 */
#include "lk-torch-face-recognition.h"
#include "lk-torch-private.hh"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using at::Tensor;

struct ConvLayer {
  Tensor weight; /* [out, in, k, k], scale folded in */
  Tensor bias;   /* [out] */
};

struct Residual {
  ConvLayer conv1, conv2;
};

} // namespace

struct _LkTorchFaceRecognizer {
  LkTorchDevice device;
  at::Device at_device{ at::kCPU };
  ConvLayer conv32_down;
  std::vector<Residual> blocks; /* in forward order */
  std::vector<bool> down;       /* blocks[i] is a residualDown */
  Tensor fc;                    /* [256, 128] */
  Tensor mean_rgb;              /* [1, 3, 1, 1] */
};

namespace {

const char *const BLOCKS[] = {
  "conv32_1",  "conv32_2",  "conv32_3",  "conv64_down", "conv64_1",  "conv64_2",
  "conv64_3",  "conv128_down", "conv128_1", "conv128_2", "conv256_down", "conv256_1",
  "conv256_2", "conv256_down_out",
};

class Loader {
public:
  explicit Loader (const std::string &path) : reader_ (path) {}

  /* The tensor name as float32 of shape, on the CPU. */
  Tensor get (const std::string &name, std::vector<int64_t> shape)
  {
    const lk::st::TensorInfo *info = reader_.find (name);
    if (info == nullptr)
      lk::fail (LK_TORCH_ERROR_INCOMPATIBLE,
                "%s: no tensor \"%s\": not the face recognition network of @vladmandic/face-api",
                reader_.path ().c_str (), name.c_str ());
    if (info->dtype != "F32" || info->shape != shape)
      lk::fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: tensor \"%s\" is not float32 of the expected shape",
                reader_.path ().c_str (), name.c_str ());
    Tensor t = at::empty (shape, at::kFloat);
    if ((uint64_t) t.numel () * 4 != info->end - info->begin)
      lk::fail (LK_TORCH_ERROR_CORRUPT, "%s: tensor \"%s\" has the wrong size",
                reader_.path ().c_str (), name.c_str ());
    reader_.read (*info, t.data_ptr ());
    if (!at::isfinite (t).all ().item<bool> ())
      lk::fail (LK_TORCH_ERROR_CORRUPT, "%s: tensor \"%s\" holds NaN or infinite values",
                reader_.path ().c_str (), name.c_str ());
    return t;
  }

  /* prefix/conv/{filters,bias} and prefix/scale/{weights,biases}, folded. */
  ConvLayer conv_layer (const std::string &prefix, int64_t k, int64_t in, int64_t out,
                        const at::Device &device)
  {
    Tensor filters = get (prefix + "/conv/filters", { k, k, in, out });
    Tensor bias = get (prefix + "/conv/bias", { out });
    Tensor scale_w = get (prefix + "/scale/weights", { out });
    Tensor scale_b = get (prefix + "/scale/biases", { out });
    ConvLayer layer;
    /* [h, w, in, out] -> [out, in, h, w] */
    layer.weight = (filters.permute ({ 3, 2, 0, 1 }) * scale_w.view ({ out, 1, 1, 1 }))
                     .contiguous ()
                     .to (device);
    layer.bias = (bias * scale_w + scale_b).to (device);
    return layer;
  }

private:
  lk::st::Reader reader_;
};

Tensor
conv (const Tensor &x, const ConvLayer &layer, int64_t stride, int64_t padding, bool relu)
{
  Tensor out = at::conv2d (x, layer.weight, layer.bias, { stride, stride }, { padding, padding });
  return relu ? at::relu_ (out) : out;
}

Tensor
residual (const Tensor &x, const Residual &block)
{
  Tensor out = conv (x, block.conv1, 1, 1, true);
  out = conv (out, block.conv2, 1, 1, false);
  out.add_ (x);
  return at::relu_ (out);
}

Tensor
residual_down (const Tensor &x, const Residual &block)
{
  Tensor out = conv (x, block.conv1, 2, 0, true);
  out = conv (out, block.conv2, 1, 1, false);

  Tensor pooled = at::avg_pool2d (x, { 2, 2 }, { 2, 2 });
  if (pooled.size (2) != out.size (2) || pooled.size (3) != out.size (3)) {
    /* face-api appends one zero row, then one zero column. */
    out = at::constant_pad_nd (out, { 0, 1, 0, 1 }, 0.0);
    if (pooled.size (2) != out.size (2) || pooled.size (3) != out.size (3))
      lk::fail (LK_TORCH_ERROR_INTERNAL, "face recognition: shortcut and residual sizes differ");
  }
  if (pooled.size (1) != out.size (1))
    pooled = at::cat ({ pooled, at::zeros_like (pooled) }, 1);
  out.add_ (pooled);
  return at::relu_ (out);
}

Tensor
forward (const LkTorchFaceRecognizer &r, const Tensor &rgb_nhwc_u8)
{
  Tensor x = rgb_nhwc_u8.to (r.at_device).to (at::kFloat).permute ({ 0, 3, 1, 2 });
  x = (x - r.mean_rgb).div_ (255.0);

  x = conv (x, r.conv32_down, 2, 0, true);
  x = at::max_pool2d (x, { 3, 3 }, { 2, 2 });
  for (size_t i = 0; i < r.blocks.size (); i++)
    x = r.down[i] ? residual_down (x, r.blocks[i]) : residual (x, r.blocks[i]);
  Tensor pooled = x.mean ({ 2, 3 });
  return at::matmul (pooled, r.fc);
}

void
check_chip (const LkTorchPixels &p, int i)
{
  if (p.data == nullptr || p.width != LK_TORCH_FACE_CHIP_SIZE
      || p.height != LK_TORCH_FACE_CHIP_SIZE || p.channels != 3
      || p.stride < (size_t) p.width * 3)
    lk::fail (LK_TORCH_ERROR_INVALID_ARGUMENT,
              "face chip %d is not %dx%d RGB", i, LK_TORCH_FACE_CHIP_SIZE,
              LK_TORCH_FACE_CHIP_SIZE);
}

} // namespace

extern "C" LkTorchFaceRecognizer *
lk_torch_face_recognizer_new (const char *path, LkTorchDevice device, LkTorchError *error)
{
  LK_TRY
  if (path == nullptr || path[0] == '\0')
    lk::fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no face recognition network file given");
  lk::ensure_init ();
  if (device == LK_TORCH_DEVICE_AUTO)
    device = lk_torch_best_device ();
  if (device == LK_TORCH_DEVICE_CUDA && !lk_torch_cuda_available ())
    lk::fail (LK_TORCH_ERROR_NO_DEVICE, "CUDA is not available");

  c10::InferenceMode guard;
  auto r = std::make_unique<_LkTorchFaceRecognizer> ();
  r->device = device;
  r->at_device = device == LK_TORCH_DEVICE_CUDA ? at::Device (at::kCUDA) : at::Device (at::kCPU);

  Loader loader (path);
  r->conv32_down = loader.conv_layer ("conv32_down", 7, 3, 32, r->at_device);
  int64_t channels = 32;
  for (const char *name : BLOCKS) {
    bool down = std::strstr (name, "_down") != nullptr;
    int64_t out = std::atoi (name + 4); /* "conv64_..." -> 64 */
    int64_t in = down ? (out == channels ? out : out / 2) : out;
    if (in != channels)
      lk::fail (LK_TORCH_ERROR_INTERNAL, "face recognition: bad block table at %s", name);
    Residual block;
    block.conv1 = loader.conv_layer (std::string (name) + "/conv1", 3, in, out, r->at_device);
    block.conv2 = loader.conv_layer (std::string (name) + "/conv2", 3, out, out, r->at_device);
    r->blocks.push_back (std::move (block));
    r->down.push_back (down);
    channels = out;
  }
  r->fc = loader.get ("fc", { 256, LK_TORCH_FACE_DESCRIPTOR_DIM }).to (r->at_device);
  r->mean_rgb = at::tensor ({ 122.782f, 117.001f, 104.298f }, at::kFloat)
                  .view ({ 1, 3, 1, 1 })
                  .to (r->at_device);
  return r.release ();
  LK_CATCH_NULL
}

extern "C" void
lk_torch_face_recognizer_free (LkTorchFaceRecognizer *recognizer)
{
  try {
    delete recognizer;
  } catch (...) {
  }
}

extern "C" LkTorchDevice
lk_torch_face_recognizer_get_device (const LkTorchFaceRecognizer *recognizer)
{
  return recognizer != nullptr ? recognizer->device : LK_TORCH_DEVICE_CPU;
}

extern "C" LkTorchStatus
lk_torch_face_recognizer_compute (LkTorchFaceRecognizer *recognizer, const LkTorchPixels *chips,
                                  int n, float *descriptors, LkTorchError *error)
{
  LK_TRY
  if (recognizer == nullptr || (n > 0 && (chips == nullptr || descriptors == nullptr)) || n < 0)
    lk::fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no network, chips or output");
  if (n == 0)
    return LK_TORCH_OK;
  const int64_t s = LK_TORCH_FACE_CHIP_SIZE;
  c10::InferenceMode guard;
  Tensor batch = at::empty ({ n, s, s, 3 }, at::kByte);
  uint8_t *dst = batch.data_ptr<uint8_t> ();
  for (int i = 0; i < n; i++) {
    check_chip (chips[i], i);
    for (int64_t y = 0; y < s; y++)
      std::memcpy (dst + (i * s + y) * s * 3, chips[i].data + y * chips[i].stride, s * 3);
  }
  Tensor out = forward (*recognizer, batch).to (at::kCPU).contiguous ();
  std::memcpy (descriptors, out.data_ptr<float> (),
               sizeof (float) * n * LK_TORCH_FACE_DESCRIPTOR_DIM);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}
