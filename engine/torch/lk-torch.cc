/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The libtorch side of lk-torch.h: model, augmentation, losses, train step,
 * inference and checkpoint (de)serialisation. The only TU that includes
 * libtorch. Works with Debian's libtorch 1.13 (CPU) and PyTorch 2.x's
 * libtorch (CUDA); newer APIs are behind TORCH_VERSION checks.
 */
#include "lk-torch-private.hh"
#include "lk-torch-graph.hh"

#include <torch/torch.h>
#include <torch/version.h>
#include <ATen/autocast_mode.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <thread>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoints are written in the host's byte order, which must be little-endian"
#endif

#define LK_TORCH_AT_LEAST(maj, min)                                                               \
  (TORCH_VERSION_MAJOR > (maj) || (TORCH_VERSION_MAJOR == (maj) && TORCH_VERSION_MINOR >= (min)))

using torch::Tensor;
namespace F = torch::nn::functional;

/* ---- Errors -------------------------------------------------------------- */

static void
set_error (LkTorchError *error, LkTorchStatus status, const char *msg)
{
  if (!error)
    return;
  error->status = status;
  snprintf (error->message, sizeof error->message, "%s", msg ? msg : "");
}

void
lk::clear_error (LkTorchError *error)
{
  if (error) {
    error->status = LK_TORCH_OK;
    error->message[0] = '\0';
  }
}

static std::string
first_line (const std::string &s)
{
  size_t nl = s.find ('\n');
  return nl == std::string::npos ? s : s.substr (0, nl);
}

/* Every exported function's body is wrapped in these: the handler rethrows
 * the exception in flight and catches it by type, so nothing crosses into C. */
LkTorchStatus
lk::handle_exception (LkTorchError *error)
{
  LkTorchStatus status;
  std::string msg;
  try {
    throw;
  } catch (const lk::Exception &e) {
    status = e.status;
    msg = e.what ();
  } catch (const c10::OutOfMemoryError &e) {
    status = LK_TORCH_ERROR_OUT_OF_MEMORY;
    msg = "libtorch: " + first_line (e.what_without_backtrace ());
  } catch (const c10::Error &e) {
    msg = first_line (e.what_without_backtrace ());
    status = msg.find ("out of memory") != std::string::npos ? LK_TORCH_ERROR_OUT_OF_MEMORY
                                                             : LK_TORCH_ERROR_TORCH;
    msg = "libtorch: " + msg;
  } catch (const std::bad_alloc &) {
    status = LK_TORCH_ERROR_OUT_OF_MEMORY;
    msg = "out of host memory";
  } catch (const std::exception &e) {
    status = LK_TORCH_ERROR_INTERNAL;
    msg = e.what ();
  } catch (...) {
    status = LK_TORCH_ERROR_INTERNAL;
    msg = "unknown C++ exception in the torch shim";
  }
  set_error (error, status, msg.c_str ());
  return status;
}

using lk::clear_error;
using lk::ensure_init;
using lk::fail;
using lk::handle_exception;

/* ---- Process-wide setup -------------------------------------------------- */

static std::once_flag threads_once;
static bool threads_set = false;
static std::mutex global_lock; /* torch::manual_seed and model construction */

void
lk::ensure_init ()
{
  std::call_once (threads_once, [] {
    if (!threads_set) {
      unsigned n = std::thread::hardware_concurrency ();
      torch::set_num_threads (n > 0 ? (int) n : 1);
    }
  });
}

static torch::Device
resolve_device (LkTorchDevice device)
{
  bool cuda = torch::cuda::is_available ();
  switch (device) {
  case LK_TORCH_DEVICE_AUTO:
    return cuda ? torch::Device (torch::kCUDA, 0) : torch::Device (torch::kCPU);
  case LK_TORCH_DEVICE_CPU:
    return torch::Device (torch::kCPU);
  case LK_TORCH_DEVICE_CUDA:
    if (!cuda)
      fail (LK_TORCH_ERROR_NO_DEVICE,
            "CUDA is not available (no GPU, no driver, or a libtorch built without CUDA)");
    return torch::Device (torch::kCUDA, 0);
  }
  fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "unknown device %d", (int) device);
}

/* The GPU's name through the driver API, so that no CUDA headers are needed. */
static std::string
cuda_device_name (int index)
{
  void *lib = dlopen ("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL);
  std::string name = "CUDA device " + std::to_string (index);
  if (!lib)
    return name;
  typedef int (*InitFn) (unsigned);
  typedef int (*GetFn) (int *, int);
  typedef int (*NameFn) (char *, int, int);
  auto init = (InitFn) dlsym (lib, "cuInit");
  auto get = (GetFn) dlsym (lib, "cuDeviceGet");
  auto getname = (NameFn) dlsym (lib, "cuDeviceGetName");
  int dev = 0;
  char buf[256] = "";
  if (init && get && getname && init (0) == 0 && get (&dev, index) == 0 &&
      getname (buf, sizeof buf, dev) == 0 && buf[0])
    name = buf;
  dlclose (lib);
  return name;
}

extern "C" {

const char *
lk_torch_status_to_string (LkTorchStatus status)
{
  switch (status) {
  case LK_TORCH_OK: return "ok";
  case LK_TORCH_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case LK_TORCH_ERROR_NO_DEVICE: return "device not available";
  case LK_TORCH_ERROR_OUT_OF_MEMORY: return "out of memory";
  case LK_TORCH_ERROR_IO: return "input/output error";
  case LK_TORCH_ERROR_CORRUPT: return "corrupt checkpoint";
  case LK_TORCH_ERROR_INCOMPATIBLE: return "incompatible checkpoint";
  case LK_TORCH_ERROR_NO_DATA: return "no training data";
  case LK_TORCH_ERROR_TORCH: return "libtorch error";
  case LK_TORCH_ERROR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

const char *
lk_torch_version (void)
{
  return TORCH_VERSION;
}

int
lk_torch_cuda_available (void)
{
  try {
    return torch::cuda::is_available () ? 1 : 0;
  } catch (...) {
    return 0;
  }
}

int
lk_torch_cuda_device_count (void)
{
  try {
    return (int) torch::cuda::device_count ();
  } catch (...) {
    return 0;
  }
}

LkTorchDevice
lk_torch_best_device (void)
{
  return lk_torch_cuda_available () ? LK_TORCH_DEVICE_CUDA : LK_TORCH_DEVICE_CPU;
}

LkTorchStatus
lk_torch_device_name (LkTorchDevice device, char *name, size_t size, LkTorchError *error)
{
  LK_TRY
  if (!name || size == 0)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no buffer for the device name");
  ensure_init ();
  torch::Device d = resolve_device (device);
  std::string s = d.is_cuda () ? cuda_device_name (d.index () < 0 ? 0 : d.index ())
                               : "CPU (" + std::to_string (torch::get_num_threads ()) + " threads)";
  snprintf (name, size, "%s", s.c_str ());
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

void
lk_torch_set_num_threads (int n_threads)
{
  try {
    if (n_threads <= 0) {
      unsigned n = std::thread::hardware_concurrency ();
      n_threads = n > 0 ? (int) n : 1;
    }
    threads_set = true;
    torch::set_num_threads (n_threads);
  } catch (...) {
  }
}

int
lk_torch_get_num_threads (void)
{
  try {
    ensure_init ();
    return torch::get_num_threads ();
  } catch (...) {
    return 1;
  }
}

void
lk_torch_set_deterministic (int deterministic, uint64_t seed)
{
  try {
    std::lock_guard<std::mutex> lock (global_lock);
    torch::manual_seed (seed);
    auto &ctx = at::globalContext ();
    ctx.setDeterministicCuDNN (deterministic != 0);
    ctx.setBenchmarkCuDNN (deterministic == 0);
    ctx.setDeterministicAlgorithms (deterministic != 0, /* warn_only */ true);
  } catch (...) {
  }
}

} /* extern "C" */

/* ---- Model config -------------------------------------------------------- */

static void
validate_config (const LkTorchModelConfig *c)
{
  if (!c)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no model config");
  if (c->face_size != 64 && c->face_size != 128 && c->face_size != 256)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "face_size %d: must be 64, 128 or 256", c->face_size);
  if (c->n_levels < 2 || c->n_levels > LK_TORCH_MAX_LEVELS)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "n_levels %d: must be 2 to %d", c->n_levels,
          LK_TORCH_MAX_LEVELS);
  if ((c->face_size >> c->n_levels) < 2)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT,
          "n_levels %d: face_size %d would shrink below 2x2 pixels", c->n_levels, c->face_size);
  for (int i = 0; i < c->n_levels; i++)
    if (c->encoder_widths[i] < 1 || c->encoder_widths[i] > 4096)
      fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "encoder_widths[%d] = %d: must be 1 to 4096", i,
            c->encoder_widths[i]);
  for (int i = 0; i < c->n_levels - 1; i++)
    if (c->decoder_widths[i] < 1 || c->decoder_widths[i] > 4096)
      fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "decoder_widths[%d] = %d: must be 1 to 4096", i,
            c->decoder_widths[i]);
  if (c->bottleneck_dim < 1 || c->bottleneck_dim > 65536)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "bottleneck_dim %d: must be 1 to 65536",
          c->bottleneck_dim);
  if (c->dense_channels < 1 || c->dense_channels > 4096)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "dense_channels %d: must be 1 to 4096",
          c->dense_channels);
  if (c->upscale_width < 1 || c->upscale_width > 4096)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "upscale_width %d: must be 1 to 4096",
          c->upscale_width);
  if (c->n_identities < 1 || c->n_identities > LK_TORCH_MAX_IDENTITIES)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "n_identities %d: must be 1 to %d", c->n_identities,
          LK_TORCH_MAX_IDENTITIES);
}

static std::string
int_list (const int *v, int n)
{
  std::string s;
  for (int i = 0; i < n; i++) {
    if (i)
      s += ',';
    s += std::to_string (v[i]);
  }
  return s;
}

static void
config_to_metadata (const LkTorchModelConfig &c, std::map<std::string, std::string> &m)
{
  m["likeness.format"] = "likeness-checkpoint";
  m["likeness.format_version"] = "1";
  m["likeness.face_size"] = std::to_string (c.face_size);
  m["likeness.n_levels"] = std::to_string (c.n_levels);
  m["likeness.encoder_widths"] = int_list (c.encoder_widths, c.n_levels);
  m["likeness.bottleneck_dim"] = std::to_string (c.bottleneck_dim);
  m["likeness.dense_channels"] = std::to_string (c.dense_channels);
  m["likeness.upscale_width"] = std::to_string (c.upscale_width);
  m["likeness.decoder_widths"] = int_list (c.decoder_widths, c.n_levels - 1);
  m["likeness.n_identities"] = std::to_string (c.n_identities);
  m["likeness.mask_channel"] = c.mask_channel ? "1" : "0";
  m["likeness.torch_version"] = TORCH_VERSION;
}

static const std::string &
meta_get (const lk::st::Reader &r, const char *key)
{
  auto it = r.metadata ().find (key);
  if (it == r.metadata ().end ())
    fail (LK_TORCH_ERROR_CORRUPT, "%s: the checkpoint's metadata lacks \"%s\"", r.path ().c_str (),
          key);
  return it->second;
}

static int64_t
parse_int (const lk::st::Reader &r, const char *key, const std::string &s)
{
  if (s.empty ())
    fail (LK_TORCH_ERROR_CORRUPT, "%s: metadata \"%s\" is empty", r.path ().c_str (), key);
  char *end = nullptr;
  errno = 0;
  long long v = strtoll (s.c_str (), &end, 10);
  if (errno || *end)
    fail (LK_TORCH_ERROR_CORRUPT, "%s: metadata \"%s\" = \"%s\" is not an integer",
          r.path ().c_str (), key, s.c_str ());
  return v;
}

static int
meta_int (const lk::st::Reader &r, const char *key)
{
  int64_t v = parse_int (r, key, meta_get (r, key));
  if (v < INT32_MIN || v > INT32_MAX)
    fail (LK_TORCH_ERROR_CORRUPT, "%s: metadata \"%s\" is out of range", r.path ().c_str (), key);
  return (int) v;
}

static void
meta_int_list (const lk::st::Reader &r, const char *key, int *out, int n)
{
  const std::string &s = meta_get (r, key);
  size_t pos = 0;
  for (int i = 0; i < n; i++) {
    size_t comma = s.find (',', pos);
    if ((comma == std::string::npos) != (i == n - 1))
      fail (LK_TORCH_ERROR_CORRUPT, "%s: metadata \"%s\" = \"%s\" should hold %d numbers",
            r.path ().c_str (), key, s.c_str (), n);
    int64_t v = parse_int (r, key, s.substr (pos, comma == std::string::npos ? comma : comma - pos));
    if (v < INT32_MIN || v > INT32_MAX)
      fail (LK_TORCH_ERROR_CORRUPT, "%s: metadata \"%s\" is out of range", r.path ().c_str (), key);
    out[i] = (int) v;
    pos = comma + 1;
  }
}

static LkTorchModelConfig
config_from_metadata (const lk::st::Reader &r)
{
  auto it = r.metadata ().find ("likeness.format");
  if (it == r.metadata ().end () || it->second != "likeness-checkpoint")
    fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: a safetensors file, but not a Likeness checkpoint",
          r.path ().c_str ());
  if (meta_get (r, "likeness.format_version") != "1")
    fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: checkpoint format version %s is not supported",
          r.path ().c_str (), meta_get (r, "likeness.format_version").c_str ());
  LkTorchModelConfig c;
  memset (&c, 0, sizeof c);
  c.face_size = meta_int (r, "likeness.face_size");
  c.n_levels = meta_int (r, "likeness.n_levels");
  if (c.n_levels < 2 || c.n_levels > LK_TORCH_MAX_LEVELS)
    fail (LK_TORCH_ERROR_CORRUPT, "%s: n_levels %d out of range", r.path ().c_str (), c.n_levels);
  meta_int_list (r, "likeness.encoder_widths", c.encoder_widths, c.n_levels);
  meta_int_list (r, "likeness.decoder_widths", c.decoder_widths, c.n_levels - 1);
  c.bottleneck_dim = meta_int (r, "likeness.bottleneck_dim");
  c.dense_channels = meta_int (r, "likeness.dense_channels");
  c.upscale_width = meta_int (r, "likeness.upscale_width");
  c.n_identities = meta_int (r, "likeness.n_identities");
  c.mask_channel = meta_int (r, "likeness.mask_channel");
  try {
    validate_config (&c);
  } catch (const lk::Exception &e) {
    fail (LK_TORCH_ERROR_CORRUPT, "%s: bad model config in the checkpoint: %s", r.path ().c_str (),
          e.what ());
  }
  return c;
}

static void
check_same_config (const LkTorchModelConfig &want, const LkTorchModelConfig &got,
                   const std::string &path)
{
#define SAME(f)                                                                                   \
  if (want.f != got.f)                                                                            \
    fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: the checkpoint's %s is %d, the model's %d",           \
          path.c_str (), #f, got.f, want.f);
  SAME (face_size);
  SAME (n_levels);
  for (int i = 0; i < want.n_levels; i++)
    SAME (encoder_widths[i]);
  for (int i = 0; i < want.n_levels - 1; i++)
    SAME (decoder_widths[i]);
  SAME (bottleneck_dim);
  SAME (dense_channels);
  SAME (upscale_width);
  SAME (n_identities);
  if ((want.mask_channel != 0) != (got.mask_channel != 0))
    fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: the checkpoint %s a mask channel, the model %s",
          path.c_str (), got.mask_channel ? "has" : "has no", want.mask_channel ? "has" : "has not");
#undef SAME
}

/* ---- Networks ------------------------------------------------------------ */

struct UpscaleImpl : torch::nn::Module {
  torch::nn::Conv2d conv{nullptr};
  UpscaleImpl (int cin, int cout)
  {
    conv = register_module ("conv",
                            torch::nn::Conv2d (torch::nn::Conv2dOptions (cin, cout * 4, 3).padding (1)));
  }
  Tensor forward (const Tensor &x)
  {
    return torch::pixel_shuffle (torch::leaky_relu (conv (x), 0.1), 2);
  }
};
TORCH_MODULE (Upscale);

struct EncoderImpl : torch::nn::Module {
  std::vector<torch::nn::Conv2d> convs;
  EncoderImpl (const LkTorchModelConfig &c)
  {
    int cin = 3;
    for (int i = 0; i < c.n_levels; i++) {
      convs.push_back (register_module (
        "conv" + std::to_string (i),
        torch::nn::Conv2d (
          torch::nn::Conv2dOptions (cin, c.encoder_widths[i], 5).stride (2).padding (2))));
      cin = c.encoder_widths[i];
    }
  }
  Tensor forward (Tensor x)
  {
    for (auto &conv : convs)
      x = torch::leaky_relu (conv (x), 0.1);
    return x;
  }
};
TORCH_MODULE (Encoder);

/* Dense bottleneck and the shared upscale. */
struct InterImpl : torch::nn::Module {
  torch::nn::Linear dense1{nullptr}, dense2{nullptr};
  Upscale upscale{nullptr};
  int r0, ch;
  InterImpl (const LkTorchModelConfig &c)
  {
    r0 = c.face_size >> c.n_levels;
    ch = c.dense_channels;
    int flat = c.encoder_widths[c.n_levels - 1] * r0 * r0;
    dense1 = register_module ("dense1", torch::nn::Linear (flat, c.bottleneck_dim));
    dense2 = register_module ("dense2", torch::nn::Linear (c.bottleneck_dim, ch * r0 * r0));
    upscale = register_module ("upscale", Upscale (ch, c.upscale_width));
  }
  Tensor forward (const Tensor &x)
  {
    Tensor h = dense2 (dense1 (x.flatten (1)));
    h = h.view ({h.size (0), ch, r0, r0});
    return upscale (h);
  }
};
TORCH_MODULE (Inter);

struct DecoderImpl : torch::nn::Module {
  std::vector<Upscale> ups;
  torch::nn::Conv2d out{nullptr};
  DecoderImpl (const LkTorchModelConfig &c)
  {
    int cin = c.upscale_width;
    for (int i = 0; i < c.n_levels - 1; i++) {
      ups.push_back (register_module ("up" + std::to_string (i), Upscale (cin, c.decoder_widths[i])));
      cin = c.decoder_widths[i];
    }
    out = register_module (
      "out", torch::nn::Conv2d (
               torch::nn::Conv2dOptions (cin, c.mask_channel ? 4 : 3, 5).padding (2)));
  }
  Tensor forward (Tensor x)
  {
    for (auto &u : ups)
      x = u (x);
    return torch::sigmoid (out (x));
  }
};
TORCH_MODULE (Decoder);

struct AutoEncoderImpl : torch::nn::Module {
  Encoder encoder{nullptr};
  Inter inter{nullptr};
  std::vector<Decoder> decoders;
  AutoEncoderImpl (const LkTorchModelConfig &c)
  {
    encoder = register_module ("encoder", Encoder (c));
    inter = register_module ("inter", Inter (c));
    for (int i = 0; i < c.n_identities; i++)
      decoders.push_back (register_module ("decoder" + std::to_string (i), Decoder (c)));
  }
  Tensor latent (const Tensor &x) { return inter (encoder (x)); }
  Tensor forward (const Tensor &x, int identity) { return decoders[identity] (latent (x)); }
};
TORCH_MODULE (AutoEncoder);

/* A patch critic (PatchGAN-style). */
struct CriticImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr}, c4{nullptr};
  CriticImpl (int w)
  {
    using O = torch::nn::Conv2dOptions;
    c1 = register_module ("conv0", torch::nn::Conv2d (O (3, w, 4).stride (2).padding (1)));
    c2 = register_module ("conv1", torch::nn::Conv2d (O (w, 2 * w, 4).stride (2).padding (1)));
    c3 = register_module ("conv2", torch::nn::Conv2d (O (2 * w, 4 * w, 4).stride (2).padding (1)));
    c4 = register_module ("conv3", torch::nn::Conv2d (O (4 * w, 1, 3).padding (1)));
  }
  Tensor forward (const Tensor &rgb)
  {
    Tensor x = torch::leaky_relu (c1 (rgb * 2 - 1), 0.2);
    x = torch::leaky_relu (c2 (x), 0.2);
    x = torch::leaky_relu (c3 (x), 0.2);
    return c4 (x);
  }
};
TORCH_MODULE (Critic);

struct _LkTorchModel {
  LkTorchModelConfig config;
  torch::Device device{torch::kCPU};
  AutoEncoder net{nullptr};
  bool channels_last = false;
};

/* ---- Pixels in and out ---------------------------------------------------- */

static void
check_pixels (const LkTorchPixels *p, int i, int size, int channels, const char *what)
{
  if (!p[i].data)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "%s %d: no pixels", what, i);
  if (p[i].width != size || p[i].height != size)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "%s %d: %dx%d, the model needs %dx%d", what, i,
          p[i].width, p[i].height, size, size);
  if (p[i].channels != channels)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "%s %d: %d channels, expected %d", what, i,
          p[i].channels, channels);
  if (p[i].stride < (size_t) size * channels)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "%s %d: stride %zu is less than a row", what, i,
          p[i].stride);
}

/* n views -> a CPU uint8 tensor N x H x W x C. */
static Tensor
pixels_to_tensor (const LkTorchPixels *p, int n, int size, int channels, const char *what)
{
  for (int i = 0; i < n; i++)
    check_pixels (p, i, size, channels, what);
  Tensor t = torch::empty ({n, size, size, channels}, torch::kUInt8);
  uint8_t *dst = t.data_ptr<uint8_t> ();
  size_t row = (size_t) size * channels;
  for (int i = 0; i < n; i++)
    for (int y = 0; y < size; y++)
      memcpy (dst + ((size_t) i * size + y) * row, p[i].data + (size_t) y * p[i].stride, row);
  return t;
}

/* A CPU uint8 tensor N x H x W x C -> n views. */
static void
tensor_to_pixels (const Tensor &t, LkTorchPixels *p, int n, int size, int channels)
{
  Tensor c = t.contiguous ();
  const uint8_t *src = c.data_ptr<uint8_t> ();
  size_t row = (size_t) size * channels;
  for (int i = 0; i < n; i++)
    for (int y = 0; y < size; y++)
      memcpy (p[i].data + (size_t) y * p[i].stride, src + ((size_t) i * size + y) * row, row);
}

/* N x H x W x C uint8 (device) -> N x C x H x W float in [0, 1]. */
static Tensor
to_float_nchw (const Tensor &u8)
{
  return u8.permute ({0, 3, 1, 2}).to (torch::kFloat).div_ (255.0f);
}

static Tensor
to_u8_nhwc (const Tensor &f)
{
  return f.detach ().to (torch::kFloat).clamp (0, 1).mul (255.0f).round_ ().to (torch::kUInt8)
    .permute ({0, 2, 3, 1}).contiguous ().to (torch::kCPU);
}

static void
set_channels_last (torch::nn::Module &m)
{
  torch::NoGradGuard ng;
  for (auto &p : m.parameters ())
    if (p.dim () == 4)
      p.set_data (p.contiguous (at::MemoryFormat::ChannelsLast));
}

/* ---- Model API --------------------------------------------------------------- */

static LkTorchModel *
model_create (const LkTorchModelConfig *config, torch::Device device, uint64_t seed)
{
  validate_config (config);
  ensure_init ();
  auto m = std::make_unique<LkTorchModel> ();
  m->config = *config;
  m->config.mask_channel = config->mask_channel ? 1 : 0;
  m->device = device;
  {
    /* Initialise on the CPU from the seed so that both devices start alike. */
    std::lock_guard<std::mutex> lock (global_lock);
    /* (not holding gen.mutex (): initialisers take it) */
    auto gen = at::detail::getDefaultCPUGenerator ();
    Tensor saved = gen.get_state ();
    gen.set_current_seed (seed);
    try {
      m->net = AutoEncoder (m->config);
    } catch (...) {
      gen.set_state (saved);
      throw;
    }
    gen.set_state (saved);
  }
  m->net->to (device);
  m->net->train ();
  if (device.is_cuda ()) {
    static std::once_flag cuda_once;
    std::call_once (cuda_once, [] {
      auto &ctx = at::globalContext ();
      if (!ctx.deterministicCuDNN ())
        ctx.setBenchmarkCuDNN (true);
      ctx.setFloat32MatmulPrecision ("high"); /* TF32 for fp32 matmuls and convs */
    });
  }
  return m.release ();
}

extern "C" {

LkTorchModelConfig
lk_torch_model_config_default (void)
{
  LkTorchModelConfig c;
  memset (&c, 0, sizeof c);
  c.face_size = 128;
  c.n_levels = 4;
  c.encoder_widths[0] = 64;
  c.encoder_widths[1] = 128;
  c.encoder_widths[2] = 256;
  c.encoder_widths[3] = 512;
  c.bottleneck_dim = 256;
  c.dense_channels = 512;
  c.upscale_width = 512;
  c.decoder_widths[0] = 256;
  c.decoder_widths[1] = 128;
  c.decoder_widths[2] = 64;
  c.n_identities = 2;
  c.mask_channel = 1;
  return c;
}

LkTorchStatus
lk_torch_model_config_validate (const LkTorchModelConfig *config, LkTorchError *error)
{
  LK_TRY
  validate_config (config);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchModel *
lk_torch_model_new (const LkTorchModelConfig *config, LkTorchDevice device, uint64_t seed,
                    LkTorchError *error)
{
  LK_TRY
  return model_create (config, resolve_device (device), seed);
  LK_CATCH_NULL
}

void
lk_torch_model_free (LkTorchModel *model)
{
  try {
    delete model;
  } catch (...) {
  }
}

const LkTorchModelConfig *
lk_torch_model_get_config (const LkTorchModel *model)
{
  return model ? &model->config : nullptr;
}

LkTorchDevice
lk_torch_model_get_device (const LkTorchModel *model)
{
  return model && model->device.is_cuda () ? LK_TORCH_DEVICE_CUDA : LK_TORCH_DEVICE_CPU;
}

int64_t
lk_torch_model_parameter_count (const LkTorchModel *model)
{
  if (!model)
    return 0;
  try {
    int64_t n = 0;
    for (auto &p : model->net->parameters ())
      n += p.numel ();
    return n;
  } catch (...) {
    return 0;
  }
}

} /* extern "C" */

static void
model_swap (LkTorchModel *model, int identity, const LkTorchPixels *inputs, int n,
            LkTorchPixels *rgb_out, LkTorchPixels *mask_out, float **mask_f)
{
  if (!model)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no model");
  if (identity < 0 || identity >= model->config.n_identities)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "identity %d: the model has %d", identity,
          model->config.n_identities);
  if (n < 0 || (n > 0 && (!inputs || !rgb_out)))
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no images");
  int S = model->config.face_size;
  for (int i = 0; i < n; i++) {
    check_pixels (rgb_out, i, S, 3, "output image");
    if (mask_out && model->config.mask_channel)
      check_pixels (mask_out, i, S, 1, "output mask");
    if (mask_f && model->config.mask_channel && !mask_f[i])
      fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "output mask %d: no buffer", i);
  }
  if (n == 0)
    return;
  Tensor in = pixels_to_tensor (inputs, n, S, 3, "input image");
  torch::NoGradGuard ng;
  bool was_training = model->net->is_training ();
  model->net->eval ();
  Tensor x = to_float_nchw (in.to (model->device));
  if (model->channels_last)
    x = x.contiguous (at::MemoryFormat::ChannelsLast);
  Tensor y = model->net->forward (x, identity).to (torch::kFloat);
  if (was_training)
    model->net->train ();
  tensor_to_pixels (to_u8_nhwc (y.slice (1, 0, 3)), rgb_out, n, S, 3);
  if (model->config.mask_channel && mask_out)
    tensor_to_pixels (to_u8_nhwc (y.slice (1, 3, 4)), mask_out, n, S, 1);
  if (model->config.mask_channel && mask_f) {
    Tensor m = y.select (1, 3).clamp (0, 1).contiguous ().to (torch::kCPU);
    const float *src = m.data_ptr<float> ();
    for (int i = 0; i < n; i++)
      memcpy (mask_f[i], src + (size_t) i * S * S, sizeof (float) * S * S);
  }
}

extern "C" {

LkTorchStatus
lk_torch_model_swap (LkTorchModel *model, int identity, const LkTorchPixels *inputs, int n,
                     LkTorchPixels *rgb_out, LkTorchPixels *mask_out, LkTorchError *error)
{
  LK_TRY
  model_swap (model, identity, inputs, n, rgb_out, mask_out, nullptr);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_model_swap_float_mask (LkTorchModel *model, int identity, const LkTorchPixels *inputs,
                                int n, LkTorchPixels *rgb_out, float **mask_out,
                                LkTorchError *error)
{
  LK_TRY
  model_swap (model, identity, inputs, n, rgb_out, nullptr, mask_out);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

double
lk_torch_model_train_flops_per_example (const LkTorchModelConfig *c)
{
  try {
    validate_config (c);
  } catch (...) {
    return 0;
  }
  double S = c->face_size, f = 0;
  int cin = 3;
  for (int i = 0; i < c->n_levels; i++) {
    double r = S / (2 << i);
    f += 2.0 * cin * c->encoder_widths[i] * 25 * r * r;
    cin = c->encoder_widths[i];
  }
  double r0 = c->face_size >> c->n_levels;
  f += 2.0 * cin * r0 * r0 * c->bottleneck_dim;
  f += 2.0 * c->bottleneck_dim * c->dense_channels * r0 * r0;
  f += 2.0 * c->dense_channels * 4 * c->upscale_width * 9 * r0 * r0;
  cin = c->upscale_width;
  double r = 2 * r0;
  for (int i = 0; i < c->n_levels - 1; i++) {
    f += 2.0 * cin * 4 * c->decoder_widths[i] * 9 * r * r;
    cin = c->decoder_widths[i];
    r *= 2;
  }
  f += 2.0 * cin * (c->mask_channel ? 4 : 3) * 25 * S * S;
  return 3.0 * f; /* forward + backward (about twice the forward) */
}

} /* extern "C" */

/* ---- Checkpoint (de)serialisation ------------------------------------------ */

static const char *
dtype_name (at::ScalarType t)
{
  switch (t) {
  case at::kFloat: return "F32";
  case at::kBFloat16: return "BF16";
  case at::kHalf: return "F16";
  case at::kDouble: return "F64";
  case at::kLong: return "I64";
  case at::kInt: return "I32";
  case at::kByte: return "U8";
  case at::kChar: return "I8";
  case at::kBool: return "BOOL";
  default: fail (LK_TORCH_ERROR_INTERNAL, "cannot store dtype %s", c10::toString (t));
  }
}

struct TensorSet {
  std::vector<std::string> names;
  std::vector<Tensor> cpu; /* contiguous CPU copies */

  void add (const std::string &name, const Tensor &t)
  {
    names.push_back (name);
    cpu.push_back (t.detach ().to (torch::kCPU).contiguous ());
  }

  void write (const std::string &path, const std::map<std::string, std::string> &meta)
  {
    std::vector<lk::st::WriteTensor> w;
    for (size_t i = 0; i < names.size (); i++) {
      const Tensor &t = cpu[i];
      w.push_back ({names[i], dtype_name (t.scalar_type ()),
                    std::vector<int64_t> (t.sizes ().begin (), t.sizes ().end ()), t.data_ptr (),
                    (size_t) t.numel () * t.element_size ()});
    }
    lk::st::write_file (path, w, meta);
  }
};

/* Reads tensor name into a new CPU tensor shaped like like (dtype F32 unless
 * another is given); a missing tensor is an error unless optional. */
static Tensor
read_tensor (const lk::st::Reader &r, const std::string &name, at::IntArrayRef shape,
             at::ScalarType dtype = at::kFloat, bool optional = false)
{
  const lk::st::TensorInfo *info = r.find (name);
  if (!info) {
    if (optional)
      return Tensor ();
    fail (LK_TORCH_ERROR_CORRUPT, "%s: the checkpoint lacks tensor \"%s\"", r.path ().c_str (),
          name.c_str ());
  }
  if (info->dtype != dtype_name (dtype))
    fail (LK_TORCH_ERROR_CORRUPT, "%s: tensor \"%s\" is %s, expected %s", r.path ().c_str (),
          name.c_str (), info->dtype.c_str (), dtype_name (dtype));
  if (std::vector<int64_t> (shape.begin (), shape.end ()) != info->shape) {
    std::string got, want;
    for (auto d : info->shape)
      got += (got.empty () ? "" : "x") + std::to_string (d);
    for (auto d : shape)
      want += (want.empty () ? "" : "x") + std::to_string (d);
    fail (LK_TORCH_ERROR_INCOMPATIBLE, "%s: tensor \"%s\" has shape [%s], the model needs [%s]",
          r.path ().c_str (), name.c_str (), got.c_str (), want.c_str ());
  }
  Tensor t = torch::empty (shape, dtype);
  r.read (*info, t.data_ptr ());
  return t;
}

static void
check_metadata (const LkTorchMetadata *metadata, int n)
{
  if (n < 0 || (n > 0 && !metadata))
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "bad metadata list");
  for (int i = 0; i < n; i++) {
    if (!metadata[i].key || !metadata[i].value)
      fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "metadata %d: NULL key or value", i);
    if (strncmp (metadata[i].key, "likeness.", 9) == 0)
      fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "metadata key \"%s\": \"likeness.\" is reserved",
            metadata[i].key);
  }
}

static std::map<std::string, std::string>
base_metadata (const LkTorchModel *model, const char *const *identity_names,
               const LkTorchMetadata *metadata, int n_metadata, int64_t iteration)
{
  check_metadata (metadata, n_metadata);
  std::map<std::string, std::string> meta;
  for (int i = 0; i < n_metadata; i++)
    meta[metadata[i].key] = metadata[i].value;
  config_to_metadata (model->config, meta);
  for (int i = 0; i < model->config.n_identities; i++) {
    std::string name = identity_names && identity_names[i] ? identity_names[i]
                                                            : std::string (1, (char) ('A' + i));
    meta["likeness.identity." + std::to_string (i)] = name;
  }
  meta["likeness.iteration"] = std::to_string (iteration);
  return meta;
}

/* Reads every weight of net into CPU tensors (validating all before any is
 * used). */
static std::vector<Tensor>
read_module (const lk::st::Reader &r, torch::nn::Module &net, const std::string &prefix)
{
  std::vector<Tensor> out;
  for (auto &kv : net.named_parameters ())
    out.push_back (read_tensor (r, prefix + kv.key (), kv.value ().sizes ()));
  return out;
}

static void
assign_module (torch::nn::Module &net, const std::vector<Tensor> &values)
{
  torch::NoGradGuard ng;
  size_t i = 0;
  for (auto &p : net.parameters ())
    p.copy_ (values[i++]);
}

extern "C" {

LkTorchStatus
lk_torch_model_save (LkTorchModel *model, const char *path, const char *const *identity_names,
                     const LkTorchMetadata *metadata, int n_metadata, LkTorchError *error)
{
  LK_TRY
  if (!model || !path || !*path)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no model or path");
  auto meta = base_metadata (model, identity_names, metadata, n_metadata, 0);
  meta["likeness.trainer_state"] = "0";
  TensorSet ts;
  for (auto &kv : model->net->named_parameters ())
    ts.add (kv.key (), kv.value ());
  ts.write (path, meta);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_model_load (LkTorchModel *model, const char *path, LkTorchError *error)
{
  LK_TRY
  if (!model || !path)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no model or path");
  lk::st::Reader r (path);
  check_same_config (model->config, config_from_metadata (r), r.path ());
  assign_module (*model->net, read_module (r, *model->net, ""));
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchModel *
lk_torch_model_new_from_checkpoint (const char *path, LkTorchDevice device, LkTorchError *error)
{
  LK_TRY
  if (!path)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no path");
  lk::st::Reader r (path);
  LkTorchModelConfig c = config_from_metadata (r);
  torch::Device d = resolve_device (device);
  std::unique_ptr<LkTorchModel> m (model_create (&c, torch::Device (torch::kCPU), 0));
  assign_module (*m->net, read_module (r, *m->net, ""));
  m->net->to (d);
  m->device = d;
  return m.release ();
  LK_CATCH_NULL
}

LkTorchStatus
lk_torch_checkpoint_read_info (const char *path, LkTorchCheckpointInfo *info, LkTorchError *error)
{
  LK_TRY
  if (!path || !info)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no path or info");
  lk::st::Reader r (path);
  LkTorchCheckpointInfo i;
  memset (&i, 0, sizeof i);
  i.config = config_from_metadata (r);
  i.iteration = parse_int (r, "likeness.iteration", meta_get (r, "likeness.iteration"));
  auto it = r.metadata ().find ("likeness.trainer_state");
  i.has_trainer_state = it != r.metadata ().end () && it->second == "1";
  i.has_critic = r.find ("critic.conv0.weight") != nullptr;
  i.n_tensors = (int) r.tensors ().size ();
  i.data_bytes = (int64_t) r.data_bytes ();
  *info = i;
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_checkpoint_read_metadata (const char *path, LkTorchMetadataFunc func, void *user_data,
                                   LkTorchError *error)
{
  LK_TRY
  if (!path || !func)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no path or callback");
  lk::st::Reader r (path);
  for (auto &kv : r.metadata ())
    func (kv.first.c_str (), kv.second.c_str (), user_data);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

} /* extern "C" */

/* ---- Training ------------------------------------------------------------------- */

/* Adam with its state in plain tensors, so that checkpoints hold exactly
 * PyTorch's per-parameter state (exp_avg, exp_avg_sq, step). */
struct Adam {
  std::vector<std::string> names;
  std::vector<Tensor> params, m, v, steps;
  int64_t step = 0;
  double lr = 1e-4, b1 = 0.5, b2 = 0.999, eps = 1e-8;
  bool fused_ok = true;
  bool capturing = false; /* inside a CUDA graph capture: no host-side step math */

  /* Whether update () takes the fused kernel, which reads the step count
   * from the device and so may be captured in a CUDA graph. */
  bool fused_usable (const torch::Device &device) const
  {
#if LK_TORCH_HAVE_CUDA && LK_TORCH_AT_LEAST(2, 0)
    return fused_ok && device.is_cuda ();
#else
    (void) device;
    return false;
#endif
  }

  void init (torch::nn::Module &net)
  {
    torch::NoGradGuard ng;
    for (auto &kv : net.named_parameters ()) {
      names.push_back (kv.key ());
      params.push_back (kv.value ());
      m.push_back (torch::zeros_like (kv.value ()));
      v.push_back (torch::zeros_like (kv.value ()));
      steps.push_back (torch::zeros ({}, kv.value ().options ().dtype (torch::kFloat)));
    }
  }

  void zero_grad ()
  {
    for (auto &p : params)
      if (p.grad ().defined ())
        p.mutable_grad ().reset ();
  }

  void update ()
  {
    torch::NoGradGuard ng;
    std::vector<Tensor> ps, gs, ms, vs, ss;
    for (size_t i = 0; i < params.size (); i++) {
      if (!params[i].grad ().defined ())
        continue;
      ps.push_back (params[i]);
      gs.push_back (params[i].grad ());
      ms.push_back (m[i]);
      vs.push_back (v[i]);
      ss.push_back (steps[i]);
    }
    if (ps.empty ())
      return;
    step++;
    at::_foreach_add_ (ss, 1);
#if LK_TORCH_HAVE_CUDA && LK_TORCH_AT_LEAST(2, 0)
    if (fused_ok && ps[0].is_cuda ()) {
      try {
        at::_fused_adam_ (ps, gs, ms, vs, {}, ss, lr, b1, b2, 0.0, eps, false, false);
        return;
      } catch (const c10::Error &) {
        fused_ok = false; /* fall through to the foreach version */
        if (capturing)
          throw;
      }
    }
#endif
    if (capturing)
      throw std::runtime_error ("Adam: only the fused update can be captured in a CUDA graph");
    double bc1 = 1.0 - std::pow (b1, (double) step);
    double bc2 = 1.0 - std::pow (b2, (double) step);
    at::_foreach_mul_ (ms, b1);
    at::_foreach_add_ (ms, gs, 1.0 - b1);
    at::_foreach_mul_ (vs, b2);
    at::_foreach_addcmul_ (vs, gs, gs, 1.0 - b2);
    auto denom = at::_foreach_sqrt (vs);
    at::_foreach_div_ (denom, std::sqrt (bc2));
    at::_foreach_add_ (denom, eps);
    at::_foreach_addcdiv_ (ps, ms, denom, -lr / bc1);
  }

  void save (TensorSet &ts, const std::string &prefix) const
  {
    for (size_t i = 0; i < names.size (); i++) {
      ts.add (prefix + names[i] + ".exp_avg", m[i]);
      ts.add (prefix + names[i] + ".exp_avg_sq", v[i]);
      ts.add (prefix + names[i] + ".step", steps[i]);
    }
  }

  struct Loaded {
    std::vector<Tensor> m, v, steps;
    int64_t step = 0;
  };

  Loaded read (const lk::st::Reader &r, const std::string &prefix) const
  {
    Loaded l;
    for (size_t i = 0; i < names.size (); i++) {
      l.m.push_back (read_tensor (r, prefix + names[i] + ".exp_avg", params[i].sizes ()));
      l.v.push_back (read_tensor (r, prefix + names[i] + ".exp_avg_sq", params[i].sizes ()));
      Tensor s = read_tensor (r, prefix + names[i] + ".step", {});
      float sv = s.item<float> ();
      if (!(sv >= 0) || sv != std::floor (sv))
        fail (LK_TORCH_ERROR_CORRUPT, "%s: bad step in \"%s%s.step\"", r.path ().c_str (),
              prefix.c_str (), names[i].c_str ());
      if (i == 0)
        l.step = (int64_t) sv;
      else if ((int64_t) sv != l.step)
        fail (LK_TORCH_ERROR_CORRUPT, "%s: the optimizer's steps disagree (\"%s%s.step\")",
              r.path ().c_str (), prefix.c_str (), names[i].c_str ());
      l.steps.push_back (s);
    }
    return l;
  }

  void assign (const Loaded &l)
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < names.size (); i++) {
      m[i].copy_ (l.m[i]);
      v[i].copy_ (l.v[i]);
      steps[i].copy_ (l.steps[i]);
    }
    step = l.step;
  }

  void reset ()
  {
    torch::NoGradGuard ng;
    for (size_t i = 0; i < names.size (); i++) {
      m[i].zero_ ();
      v[i].zero_ ();
      steps[i].zero_ ();
    }
    step = 0;
  }
};

struct Dataset {
  Tensor images;  /* N x H x W x 3 uint8, on the device */
  Tensor face;    /* N x H x W x 1 uint8 or undefined */
  Tensor feature; /* N x H x W x 1 uint8 or undefined */
  int64_t n = 0;
};

struct Batch {
  Tensor input;   /* B x 3 x H x W, warped */
  Tensor target;  /* B x 3 x H x W */
  Tensor face;    /* B x 1 x H x W or undefined */
  Tensor feature; /* B x 1 x H x W or undefined */
};

struct StepLosses {
  std::vector<Tensor> total, pixel, dssim, mask;
  Tensor g_adv, critic;
};

struct _LkTorchTrainer {
  LkTorchModel *model;
  LkTorchTrainConfig config;
  torch::Device device{torch::kCPU};
  bool bf16 = false;
  Adam opt;
  Critic critic{nullptr};
  Adam critic_opt;
  at::Generator gen;
  std::vector<Dataset> data;
  int64_t iteration = 0;
  Tensor ssim_window; /* 1 x 1 x 11 gaussian, float */

  /* CUDA graph of compute_step (config.cuda_graphs): the batches are copied
   * into graph_batches, the graph replayed, the losses read from graph_losses. */
  std::unique_ptr<lk::StepGraph> graph;
  std::vector<Batch> graph_batches;
  StepLosses graph_losses;
  int64_t eager_steps = 0;
  std::string graph_status; /* why there is no graph, or "" */
};

/* Autocast to bf16 for the scope, on the trainer's device type. */
struct AutocastScope {
  bool on;
  c10::DeviceType dt;
  bool prev = false;
  AutocastScope (bool enable, c10::DeviceType device_type) : on (enable), dt (device_type)
  {
    if (!on)
      return;
#if LK_TORCH_AT_LEAST(2, 4)
    prev = at::autocast::is_autocast_enabled (dt);
    at::autocast::set_autocast_enabled (dt, true);
    at::autocast::set_autocast_dtype (dt, at::kBFloat16);
#else
    if (dt == c10::DeviceType::CUDA) {
      prev = at::autocast::is_enabled ();
      at::autocast::set_enabled (true);
      at::autocast::set_autocast_gpu_dtype (at::kBFloat16);
    } else {
      prev = at::autocast::is_cpu_enabled ();
      at::autocast::set_cpu_enabled (true);
      at::autocast::set_autocast_cpu_dtype (at::kBFloat16);
    }
#endif
    at::autocast::increment_nesting ();
  }
  ~AutocastScope ()
  {
    if (!on)
      return;
    if (at::autocast::decrement_nesting () == 0)
      at::autocast::clear_cache ();
#if LK_TORCH_AT_LEAST(2, 4)
    at::autocast::set_autocast_enabled (dt, prev);
#else
    if (dt == c10::DeviceType::CUDA)
      at::autocast::set_enabled (prev);
    else
      at::autocast::set_cpu_enabled (prev);
#endif
  }
};

/* Samples and augments a batch of identity's faces on the device. */
static Batch
make_batch (LkTorchTrainer *t, int identity)
{
  torch::NoGradGuard ng;
  const Dataset &ds = t->data[identity];
  const LkTorchTrainConfig &c = t->config;
  int B = c.batch_size;
  int S = t->model->config.face_size;
  auto fopt = torch::TensorOptions ().dtype (torch::kFloat).device (t->device);
  auto lopt = torch::TensorOptions ().dtype (torch::kLong).device (t->device);

  Tensor idx = torch::randint (ds.n, {B}, t->gen, lopt);
  Tensor rgb = to_float_nchw (ds.images.index_select (0, idx));
  std::vector<Tensor> chans{rgb};
  if (ds.face.defined ())
    chans.push_back (to_float_nchw (ds.face.index_select (0, idx)));
  if (ds.feature.defined ())
    chans.push_back (to_float_nchw (ds.feature.index_select (0, idx)));
  Tensor src = chans.size () > 1 ? torch::cat (chans, 1) : rgb;

  /* Affine: rotation, scale, shift, flip; the same for input and target. */
  Tensor u = torch::rand ({B, 8}, t->gen, fopt) * 2 - 1;
  const double deg = M_PI / 180.0;
  Tensor ang = u.select (1, 0) * (c.rotation_degrees * deg);
  Tensor sc = 1 + u.select (1, 1) * c.scale;
  Tensor tx = u.select (1, 2) * (2 * c.shift);
  Tensor ty = u.select (1, 3) * (2 * c.shift);
  Tensor fl = c.flip ? torch::where (u.select (1, 4) < 0, torch::full_like (sc, -1.0),
                                     torch::ones_like (sc))
                     : torch::ones_like (sc);
  Tensor cs = torch::cos (ang) / sc, sn = torch::sin (ang) / sc;
  Tensor theta = torch::stack ({torch::stack ({cs * fl, -sn, tx}, 1),
                                torch::stack ({sn * fl, cs, ty}, 1)},
                               1); /* B x 2 x 3 */
  Tensor grid = F::affine_grid (theta, {B, 3, S, S}, false);

  /* Colour: per-image, per-channel gain and offset. */
  Tensor cj = torch::rand ({B, 6, 1, 1}, t->gen, fopt) * 2 - 1;
  Tensor gain = 1 + cj.slice (1, 0, 3) * c.color_jitter;
  Tensor offset = cj.slice (1, 3, 6) * (0.5f * c.color_jitter);

  Batch b;
  Tensor tgt = at::grid_sampler_2d (src, grid, /* bilinear */ 0, /* border */ 1, false);
  b.target = (tgt.slice (1, 0, 3) * gain + offset).clamp_ (0, 1);
  int ch = 3;
  if (ds.face.defined ())
    b.face = tgt.slice (1, ch, ch + 1), ch++;
  if (ds.feature.defined ())
    b.feature = tgt.slice (1, ch, ch + 1);

  Tensor wgrid = grid;
  if (c.warp > 0) {
    /* A smooth random displacement: a coarse 5x5 random grid, upsampled. */
    Tensor coarse = (torch::rand ({B, 2, 5, 5}, t->gen, fopt) * 2 - 1) * c.warp;
    Tensor disp = F::interpolate (coarse, F::InterpolateFuncOptions ()
                                            .size (std::vector<int64_t>{S, S})
                                            .mode (torch::kBicubic)
                                            .align_corners (true));
    wgrid = grid + disp.permute ({0, 2, 3, 1});
  }
  Tensor inp = at::grid_sampler_2d (rgb, wgrid, 0, 1, false);
  b.input = (inp * gain + offset).clamp_ (0, 1);
  if (t->model->channels_last)
    b.input = b.input.contiguous (at::MemoryFormat::ChannelsLast);
  return b;
}

/* 1 - SSIM over 11x11 gaussian windows, per pixel (valid region), / 2. */
static Tensor
dssim_map (LkTorchTrainer *t, const Tensor &x, const Tensor &y)
{
  int C = (int) x.size (1);
  Tensor wh = t->ssim_window.view ({1, 1, 1, 11}).expand ({C, 1, 1, 11}).contiguous ();
  Tensor wv = t->ssim_window.view ({1, 1, 11, 1}).expand ({C, 1, 11, 1}).contiguous ();
  auto blur = [&] (const Tensor &a) {
    return F::conv2d (F::conv2d (a, wh, F::Conv2dFuncOptions ().groups (C)), wv,
                      F::Conv2dFuncOptions ().groups (C));
  };
  const double C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
  Tensor mx = blur (x), my = blur (y);
  Tensor sxx = blur (x * x) - mx * mx;
  Tensor syy = blur (y * y) - my * my;
  Tensor sxy = blur (x * y) - mx * my;
  Tensor ssim = ((2 * mx * my + C1) * (2 * sxy + C2)) / ((mx * mx + my * my + C1) * (sxx + syy + C2));
  return (1 - ssim) / 2;
}

static Tensor
weighted_mean (const Tensor &e, const Tensor &w)
{
  if (!w.defined ())
    return e.mean ();
  return (e * w).sum () / (w.sum () * e.size (1) + 1e-6);
}

/* Forward, losses, backward and the optimizers' updates for one set of
 * batches. No host syncs and no host-side branching on device values, so
 * that it can be captured as a CUDA graph. */
static StepLosses
compute_step (LkTorchTrainer *t, const std::vector<Batch> &batches)
{
  const LkTorchTrainConfig &c = t->config;
  auto &cfg = t->model->config;
  int n_id = cfg.n_identities;
  StepLosses L;

  t->opt.zero_grad ();
  /* Forward passes under autocast; the losses in fp32. */
  std::vector<Tensor> outs, scores;
  {
    AutocastScope ac (t->bf16, t->device.type ());
    for (int i = 0; i < n_id; i++)
      outs.push_back (t->model->net->forward (batches[i].input, i));
    if (t->critic)
      for (int i = 0; i < n_id; i++)
        scores.push_back (t->critic->forward (outs[i].slice (1, 0, 3)));
  }
  Tensor total;
  std::vector<Tensor> fakes;
  for (int i = 0; i < n_id; i++) {
    const Batch &b = batches[i];
    Tensor out = outs[i].to (torch::kFloat);
    Tensor rgb = out.slice (1, 0, 3);
    fakes.push_back (outs[i].slice (1, 0, 3));
    Tensor w;
    if (c.face_area_only && b.face.defined ())
      w = b.face;
    if (c.eye_mouth_weight > 0 && b.feature.defined ())
      w = (w.defined () ? w : torch::ones_like (b.feature)) + c.eye_mouth_weight * b.feature;
    Tensor diff = rgb - b.target;
    Tensor pix = c.pixel_loss == LK_TORCH_LOSS_MSE ? diff * diff : diff.abs ();
    Tensor pl = weighted_mean (pix, w);
    Tensor loss = c.pixel_weight * pl;
    Tensor dl = torch::zeros ({}, pl.options ());
    if (c.dssim_weight > 0) {
      Tensor d = dssim_map (t, rgb, b.target);
      Tensor wc = w.defined () ? w.slice (2, 5, w.size (2) - 5).slice (3, 5, w.size (3) - 5) : w;
      dl = weighted_mean (d, wc);
      loss = loss + c.dssim_weight * dl;
    }
    Tensor ml = torch::zeros ({}, pl.options ());
    if (cfg.mask_channel && b.face.defined () && c.mask_weight > 0) {
      Tensor md = out.slice (1, 3, 4) - b.face;
      ml = (md * md).mean ();
      loss = loss + c.mask_weight * ml;
    }
    L.total.push_back (loss.detach ());
    L.pixel.push_back (pl.detach ());
    L.dssim.push_back (dl.detach ());
    L.mask.push_back (ml.detach ());
    total = total.defined () ? total + loss : loss;
  }
  if (t->critic) {
    /* Least-squares GAN: the generator wants the critic to say 1. */
    Tensor adv;
    for (auto &sc : scores) {
      Tensor s = sc.to (torch::kFloat);
      Tensor a = ((s - 1) * (s - 1)).mean ();
      adv = adv.defined () ? adv + a : a;
    }
    adv = adv / n_id;
    L.g_adv = adv.detach ();
    total = total + c.gan_weight * adv;
  }
  total.backward ();
  t->opt.update ();

  if (t->critic) {
    /* The critic's turn: real targets against the generator's outputs. */
    t->critic_opt.zero_grad ();
    Tensor dloss;
    {
      AutocastScope ac (t->bf16, t->device.type ());
      for (int i = 0; i < n_id; i++) {
        Tensor sr = t->critic->forward (batches[i].target).to (torch::kFloat);
        Tensor sf = t->critic->forward (fakes[i].detach ()).to (torch::kFloat);
        Tensor d = ((sr - 1) * (sr - 1)).mean () + (sf * sf).mean ();
        dloss = dloss.defined () ? dloss + d : d;
      }
      dloss = dloss / (2 * n_id);
    }
    dloss.backward ();
    t->critic_opt.update ();
    L.critic = dloss.detach ();
  }
  t->opt.zero_grad ();
  return L;
}

static Batch
clone_batch (const Batch &b)
{
  auto cl = [] (const Tensor &x) { return x.defined () ? x.clone () : x; };
  return Batch{cl (b.input), cl (b.target), cl (b.face), cl (b.feature)};
}

static void
copy_batch (Batch &dst, const Batch &src)
{
  torch::NoGradGuard ng;
  dst.input.copy_ (src.input);
  dst.target.copy_ (src.target);
  if (dst.face.defined ())
    dst.face.copy_ (src.face);
  if (dst.feature.defined ())
    dst.feature.copy_ (src.feature);
}

/* Eager steps before the capture: cuDNN's autotuner and lazy
 * initialisation must be done before anything is recorded. */
#define LK_TORCH_GRAPH_WARMUP_STEPS 3

/* Whether the trainer should try to capture its step now; sets
 * graph_status to the reason when graphs are off for good. */
static bool
want_graph (LkTorchTrainer *t)
{
  if (!t->config.cuda_graphs || t->graph || !t->graph_status.empty ())
    return false;
  const char *why = nullptr;
  if (!t->device.is_cuda ())
    why = "CUDA graphs need a CUDA device";
  else if (!lk::StepGraph::available ())
    why = "this build has no CUDA graph support (libtorch or CUDA headers)";
  else if (!t->opt.fused_usable (t->device) ||
           (t->critic && !t->critic_opt.fused_usable (t->device)))
    why = "CUDA graphs need libtorch's fused Adam (libtorch 2.0 or later)";
  else if (at::globalContext ().deterministicAlgorithms ())
    why = "CUDA graphs are off in deterministic mode";
  if (why) {
    t->graph_status = why;
    return false;
  }
  return t->eager_steps >= LK_TORCH_GRAPH_WARMUP_STEPS;
}

/* One warm-up step for real, then the capture; on failure the trainer goes
 * on eagerly and remembers why. Returns the warm-up step's losses. */
static StepLosses
capture_step (LkTorchTrainer *t, const std::vector<Batch> &batches)
{
  StepLosses warm;
  std::vector<Batch> statics;
  for (const Batch &b : batches)
    statics.push_back (clone_batch (b));
  auto graph = std::make_unique<lk::StepGraph> ();
  bool cache = at::autocast::is_autocast_cache_enabled ();
  at::autocast::set_autocast_cache_enabled (false); /* cached casts would go stale */
  bool warmed = false;
  try {
    graph->capture ([&] (bool capturing) {
      if (!capturing) {
        warm = compute_step (t, statics);
        warmed = true;
        return;
      }
      t->opt.capturing = t->critic_opt.capturing = true;
      t->graph_losses = compute_step (t, statics);
      t->opt.capturing = t->critic_opt.capturing = false;
    });
  } catch (const std::exception &e) {
    t->opt.capturing = t->critic_opt.capturing = false;
    t->graph_losses = StepLosses ();
    t->graph_status = std::string ("CUDA graph capture failed: ") + first_line (e.what ());
    graph.reset ();
  }
  at::autocast::set_autocast_cache_enabled (cache);
  if (graph) {
    /* The capture ran the host side of the optimizers once more. */
    t->opt.step--;
    if (t->critic)
      t->critic_opt.step--;
    t->graph = std::move (graph);
    t->graph_batches = std::move (statics);
  }
  if (!warmed)
    warm = compute_step (t, batches);
  return warm;
}

static StepLosses
train_step (LkTorchTrainer *t)
{
  int n_id = t->model->config.n_identities;
  std::vector<Batch> batches;
  for (int i = 0; i < n_id; i++)
    batches.push_back (make_batch (t, i));

  StepLosses L;
  if (t->graph) {
    for (int i = 0; i < n_id; i++)
      copy_batch (t->graph_batches[i], batches[i]);
    t->graph->replay ();
    t->opt.step++;
    if (t->critic)
      t->critic_opt.step++;
    L = t->graph_losses;
  } else if (want_graph (t)) {
    L = capture_step (t, batches);
  } else {
    L = compute_step (t, batches);
    t->eager_steps++;
  }
  t->iteration++;
  return L;
}

extern "C" {

LkTorchTrainConfig
lk_torch_train_config_default (void)
{
  LkTorchTrainConfig c;
  memset (&c, 0, sizeof c);
  c.batch_size = 16;
  c.learning_rate = 5e-5f;
  c.beta1 = 0.5f;
  c.beta2 = 0.999f;
  c.eps = 1e-7f;
  c.pixel_loss = LK_TORCH_LOSS_L1;
  c.pixel_weight = 10.0f;
  c.dssim_weight = 10.0f;
  c.mask_weight = 10.0f;
  c.face_area_only = 1;
  c.eye_mouth_weight = 0.0f;
  c.gan = 0;
  c.gan_weight = 0.1f;
  c.critic_learning_rate = 2e-5f;
  c.critic_width = 32;
  c.warp = 0.08f;
  c.rotation_degrees = 10.0f;
  c.scale = 0.05f;
  c.shift = 0.05f;
  c.flip = 1;
  c.color_jitter = 0.05f;
  c.precision = LK_TORCH_PRECISION_AUTO;
  c.channels_last = -1;
  c.cuda_graphs = 0;
  c.seed = 1;
  return c;
}

LkTorchTrainer *
lk_torch_trainer_new (LkTorchModel *model, const LkTorchTrainConfig *config, LkTorchError *error)
{
  LK_TRY
  if (!model || !config)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no model or config");
  const LkTorchTrainConfig &c = *config;
  if (c.batch_size < 1 || c.batch_size > 4096)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "batch_size %d: must be 1 to 4096", c.batch_size);
  if (!(c.learning_rate > 0) || !(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1) ||
      !(c.eps > 0))
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "bad Adam settings (learning rate, betas or eps)");
  if (c.gan && (!(c.critic_learning_rate > 0) || c.critic_width < 1 || c.critic_width > 1024))
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "bad critic settings (learning rate or width)");
  if (!(c.warp >= 0) || !(c.scale >= 0 && c.scale < 0.5) || !(c.shift >= 0) ||
      !(c.color_jitter >= 0) || !(c.rotation_degrees >= 0))
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "bad augmentation settings");
  ensure_init ();
  auto t = std::make_unique<LkTorchTrainer> ();
  t->model = model;
  t->config = c;
  t->device = model->device;
  t->bf16 = c.precision == LK_TORCH_PRECISION_BF16 ||
            (c.precision == LK_TORCH_PRECISION_AUTO && t->device.is_cuda ());
  bool cl = c.channels_last < 0 ? t->device.is_cuda () : c.channels_last != 0;
  if (cl && !model->channels_last) {
    set_channels_last (*model->net);
    model->channels_last = true;
  }
  t->gen = at::globalContext ().defaultGenerator (t->device).clone ();
  {
    std::lock_guard<std::mutex> lock (t->gen.mutex ());
    t->gen.set_current_seed (c.seed);
  }
  if (c.gan) {
    std::lock_guard<std::mutex> lock (global_lock);
    auto g = at::detail::getDefaultCPUGenerator ();
    Tensor saved = g.get_state ();
    g.set_current_seed (c.seed ^ 0x9E3779B97F4A7C15ull);
    t->critic = Critic (c.critic_width);
    g.set_state (saved);
    t->critic->to (t->device);
    if (cl)
      set_channels_last (*t->critic);
    t->critic_opt.init (*t->critic);
    t->critic_opt.lr = c.critic_learning_rate;
    t->critic_opt.b1 = c.beta1;
    t->critic_opt.b2 = c.beta2;
    t->critic_opt.eps = c.eps;
  }
  t->opt.init (*model->net);
  t->opt.lr = c.learning_rate;
  t->opt.b1 = c.beta1;
  t->opt.b2 = c.beta2;
  t->opt.eps = c.eps;
  t->data.resize (model->config.n_identities);
  Tensor k = torch::arange (11, torch::kFloat) - 5;
  k = torch::exp (-(k * k) / (2 * 1.5 * 1.5));
  t->ssim_window = (k / k.sum ()).to (t->device);
  return t.release ();
  LK_CATCH_NULL
}

void
lk_torch_trainer_free (LkTorchTrainer *trainer)
{
  try {
    delete trainer;
  } catch (...) {
  }
}

LkTorchStatus
lk_torch_trainer_set_faces (LkTorchTrainer *trainer, int identity, const LkTorchPixels *images,
                            const LkTorchPixels *face_masks, const LkTorchPixels *feature_masks,
                            int n, LkTorchError *error)
{
  LK_TRY
  if (!trainer)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no trainer");
  if (identity < 0 || identity >= trainer->model->config.n_identities)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "identity %d: the model has %d", identity,
          trainer->model->config.n_identities);
  if (n < 1 || !images)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "identity %d: no faces", identity);
  int S = trainer->model->config.face_size;
  Dataset ds;
  ds.images = pixels_to_tensor (images, n, S, 3, "face").to (trainer->device);
  if (face_masks)
    ds.face = pixels_to_tensor (face_masks, n, S, 1, "face mask").to (trainer->device);
  if (feature_masks)
    ds.feature = pixels_to_tensor (feature_masks, n, S, 1, "feature mask").to (trainer->device);
  ds.n = n;
  trainer->data[identity] = std::move (ds);
  /* A captured step was recorded for the old masks (with or without): it is
   * captured again after a few eager steps. */
  trainer->graph_losses = StepLosses (); /* tensors of the graph's pool, before it */
  trainer->graph_batches.clear ();
  trainer->graph.reset ();
  trainer->eager_steps = 0;
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_trainer_step (LkTorchTrainer *trainer, int n_steps, LkTorchLosses *losses,
                       LkTorchError *error)
{
  LK_TRY
  if (!trainer)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no trainer");
  if (n_steps < 1)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "n_steps %d: must be at least 1", n_steps);
  int n_id = trainer->model->config.n_identities;
  for (int i = 0; i < n_id; i++)
    if (trainer->data[i].n == 0)
      fail (LK_TORCH_ERROR_NO_DATA, "identity %d has no faces to train on", i);
  StepLosses L;
  for (int s = 0; s < n_steps; s++)
    L = train_step (trainer);
  if (losses) {
    std::vector<Tensor> all;
    for (int i = 0; i < n_id; i++) {
      all.push_back (L.total[i]);
      all.push_back (L.pixel[i]);
      all.push_back (L.dssim[i]);
      all.push_back (L.mask[i]);
    }
    all.push_back (L.g_adv.defined () ? L.g_adv : torch::zeros ({}, L.total[0].options ()));
    all.push_back (L.critic.defined () ? L.critic : torch::zeros ({}, L.total[0].options ()));
    Tensor v = torch::stack (all).to (torch::kFloat).to (torch::kCPU);
    const float *p = v.data_ptr<float> ();
    memset (losses, 0, sizeof *losses);
    losses->iteration = trainer->iteration;
    losses->n_identities = n_id;
    for (int i = 0; i < n_id; i++) {
      losses->loss[i] = p[4 * i];
      losses->pixel_loss[i] = p[4 * i + 1];
      losses->dssim_loss[i] = p[4 * i + 2];
      losses->mask_loss[i] = p[4 * i + 3];
    }
    losses->gan_generator_loss = p[4 * n_id];
    losses->gan_critic_loss = p[4 * n_id + 1];
  }
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

int64_t
lk_torch_trainer_get_iteration (const LkTorchTrainer *trainer)
{
  return trainer ? trainer->iteration : 0;
}

int
lk_torch_trainer_get_cuda_graph (const LkTorchTrainer *trainer, char *reason, size_t reason_size)
{
  if (reason && reason_size > 0)
    snprintf (reason, reason_size, "%s", trainer ? trainer->graph_status.c_str () : "");
  return trainer && trainer->graph ? 1 : 0;
}

LkTorchStatus
lk_torch_trainer_preview (LkTorchTrainer *trainer, const int *a_index, const int *b_index, int n,
                          LkTorchPixels *out, LkTorchError *error)
{
  LK_TRY
  if (!trainer || n < 1 || !out)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no trainer, faces or output");
  LkTorchModel *m = trainer->model;
  if (m->config.n_identities < 2)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "a preview needs two identities");
  int S = m->config.face_size;
  for (int i = 0; i < 4 * n; i++)
    check_pixels (out, i, S, 3, "preview image");
  std::vector<int64_t> ia, ib;
  for (int k = 0; k < 2; k++) {
    const Dataset &ds = trainer->data[k];
    const int *idx = k == 0 ? a_index : b_index;
    auto &v = k == 0 ? ia : ib;
    for (int i = 0; i < n; i++) {
      int64_t j = idx ? idx[i] : i;
      if (j < 0 || j >= ds.n)
        fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "preview face %lld of identity %d: it has %lld faces",
              (long long) j, k, (long long) ds.n);
      v.push_back (j);
    }
  }
  torch::NoGradGuard ng;
  bool was_training = m->net->is_training ();
  m->net->eval ();
  auto lopt = torch::TensorOptions ().dtype (torch::kLong);
  Tensor xa = to_float_nchw (trainer->data[0].images.index_select (
    0, torch::tensor (ia, lopt).to (trainer->device)));
  Tensor xb = to_float_nchw (trainer->data[1].images.index_select (
    0, torch::tensor (ib, lopt).to (trainer->device)));
  if (m->channels_last) {
    xa = xa.contiguous (at::MemoryFormat::ChannelsLast);
    xb = xb.contiguous (at::MemoryFormat::ChannelsLast);
  }
  Tensor la = m->net->latent (xa), lb = m->net->latent (xb);
  Tensor aa = m->net->decoders[0] (la).slice (1, 0, 3);
  Tensor ab = m->net->decoders[1] (la).slice (1, 0, 3);
  Tensor bb = m->net->decoders[1] (lb).slice (1, 0, 3);
  Tensor ba = m->net->decoders[0] (lb).slice (1, 0, 3);
  if (was_training)
    m->net->train ();
  /* n x 4 x 3 x S x S -> 4n images in the documented order */
  Tensor all = torch::stack ({aa, ab, bb, ba}, 1).reshape ({4 * n, 3, S, S});
  tensor_to_pixels (to_u8_nhwc (all), out, 4 * n, S, 3);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_trainer_save (LkTorchTrainer *trainer, const char *path,
                       const char *const *identity_names, const LkTorchMetadata *metadata,
                       int n_metadata, LkTorchError *error)
{
  LK_TRY
  if (!trainer || !path || !*path)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no trainer or path");
  LkTorchModel *m = trainer->model;
  auto meta = base_metadata (m, identity_names, metadata, n_metadata, trainer->iteration);
  const LkTorchTrainConfig &c = trainer->config;
  meta["likeness.trainer_state"] = "1";
  meta["likeness.train.batch_size"] = std::to_string (c.batch_size);
  meta["likeness.train.learning_rate"] = std::to_string (c.learning_rate);
  meta["likeness.train.gan"] = c.gan ? "1" : "0";
  if (c.gan)
    meta["likeness.train.critic_width"] = std::to_string (c.critic_width);
  meta["likeness.train.seed"] = std::to_string (c.seed);
  meta["likeness.device"] = trainer->device.is_cuda () ? "cuda" : "cpu";
  TensorSet ts;
  for (auto &kv : m->net->named_parameters ())
    ts.add (kv.key (), kv.value ());
  trainer->opt.save (ts, "optim.");
  if (trainer->critic) {
    for (auto &kv : trainer->critic->named_parameters ())
      ts.add ("critic." + kv.key (), kv.value ());
    trainer->critic_opt.save (ts, "optim.critic.");
  }
  {
    std::lock_guard<std::mutex> lock (trainer->gen.mutex ());
    ts.add ("rng.state", trainer->gen.get_state ());
  }
  ts.write (path, meta);
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

LkTorchStatus
lk_torch_trainer_load (LkTorchTrainer *trainer, const char *path, LkTorchError *error)
{
  LK_TRY
  if (!trainer || !path)
    fail (LK_TORCH_ERROR_INVALID_ARGUMENT, "no trainer or path");
  LkTorchModel *m = trainer->model;
  lk::st::Reader r (path);
  check_same_config (m->config, config_from_metadata (r), r.path ());
  int64_t iteration = parse_int (r, "likeness.iteration", meta_get (r, "likeness.iteration"));
  if (iteration < 0)
    fail (LK_TORCH_ERROR_CORRUPT, "%s: negative iteration", r.path ().c_str ());
  auto it = r.metadata ().find ("likeness.trainer_state");
  bool state = it != r.metadata ().end () && it->second == "1";

  /* Where the generator state comes from ("cpu" or "cuda"). */
  auto dev_it = r.metadata ().find ("likeness.device");
  std::string saved_device = dev_it != r.metadata ().end () ? dev_it->second : "";
  std::string this_device = trainer->device.is_cuda () ? "cuda" : "cpu";

  /* Read and validate everything before touching the trainer. */
  auto weights = read_module (r, *m->net, "");
  Adam::Loaded opt, copt;
  std::vector<Tensor> cweights;
  Tensor rng;
  bool have_critic = false;
  if (state) {
    opt = trainer->opt.read (r, "optim.");
    if (trainer->critic && r.find ("critic.conv0.weight")) {
      cweights = read_module (r, *trainer->critic, "critic.");
      copt = trainer->critic_opt.read (r, "optim.critic.");
      have_critic = true;
    }
    const lk::st::TensorInfo *ri = r.find ("rng.state");
    if (!ri)
      fail (LK_TORCH_ERROR_CORRUPT, "%s: the checkpoint lacks tensor \"rng.state\"",
            r.path ().c_str ());
    if (ri->shape.size () != 1)
      fail (LK_TORCH_ERROR_CORRUPT, "%s: \"rng.state\" is not a vector", r.path ().c_str ());
    rng = read_tensor (r, "rng.state", ri->shape, at::kByte);
  }

  assign_module (*m->net, weights);
  if (state) {
    trainer->opt.assign (opt);
    if (have_critic) {
      assign_module (*trainer->critic, cweights);
      trainer->critic_opt.assign (copt);
    } else if (trainer->critic) {
      trainer->critic_opt.reset ();
    }
    std::lock_guard<std::mutex> lock (trainer->gen.mutex ());
    if (saved_device == this_device) {
      try {
        trainer->gen.set_state (rng);
      } catch (const c10::Error &e) {
        fail (LK_TORCH_ERROR_CORRUPT, "%s: bad generator state: %s", r.path ().c_str (),
              first_line (e.what_without_backtrace ()).c_str ());
      }
    } else {
      /* CPU and CUDA generators keep different states: a project moved
       * between machines goes on with everything else exact and sampling
       * seeded afresh (from the seed and the iteration, so reproducibly). */
      trainer->gen.set_current_seed (trainer->config.seed ^
                                     ((uint64_t) iteration * 0x9E3779B97F4A7C15ull));
    }
  } else {
    trainer->opt.reset ();
    if (trainer->critic)
      trainer->critic_opt.reset ();
  }
  trainer->iteration = iteration;
  return LK_TORCH_OK;
  LK_CATCH_STATUS
}

} /* extern "C" */
