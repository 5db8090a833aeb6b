/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared by the shim's C++ files; never included from C. */
#pragma once

#include "lk-torch.h"

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace lk {

/* Thrown inside the shim with a status; the C entry points turn it into an
 * LkTorchError. */
struct Exception : std::runtime_error {
  LkTorchStatus status;
  Exception (LkTorchStatus s, const std::string &msg) : std::runtime_error (msg), status (s) {}
};

[[noreturn]] void fail (LkTorchStatus status, const char *fmt, ...)
  __attribute__ ((format (printf, 2, 3)));

/* Empties *error (may be NULL). */
void clear_error (LkTorchError *error);

/* Called inside a catch block: rethrows the exception in flight, catches it
 * by type (lk::Exception, c10 errors, bad_alloc, ...) and copies its status
 * and message into *error (may be NULL). Returns the status. */
LkTorchStatus handle_exception (LkTorchError *error);

/* Process-wide setup on first use (intra-op threads = cores unless
 * lk_torch_set_num_threads() was called). In lk-torch.cc. */
void ensure_init ();

/* Every exported function's body is wrapped in these, so that nothing
 * crosses into C. */
#define LK_TRY                                                                                    \
  lk::clear_error (error);                                                                        \
  try {
#define LK_CATCH_STATUS                                                                           \
  }                                                                                               \
  catch (...)                                                                                     \
  {                                                                                               \
    return lk::handle_exception (error);                                                          \
  }
#define LK_CATCH_NULL                                                                             \
  }                                                                                               \
  catch (...)                                                                                     \
  {                                                                                               \
    lk::handle_exception (error);                                                                 \
    return nullptr;                                                                               \
  }

namespace st {

/* The safetensors file format: https://github.com/huggingface/safetensors */

struct TensorInfo {
  std::string name;
  std::string dtype;           /* "F32", "BF16", "I64", ... */
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0; /* relative to the data section */
};

size_t dtype_size (const std::string &dtype); /* 0 for unknown */

/* Reads and validates the header; throws lk::Exception (CORRUPT / IO) naming
 * the file. Keeps the file open for read(). */
class Reader {
public:
  explicit Reader (const std::string &path);
  ~Reader ();
  Reader (const Reader &) = delete;
  Reader &operator= (const Reader &) = delete;

  const std::string &path () const { return path_; }
  const std::vector<TensorInfo> &tensors () const { return tensors_; }
  const std::map<std::string, std::string> &metadata () const { return metadata_; }
  const TensorInfo *find (const std::string &name) const;
  uint64_t data_bytes () const { return file_size_ - data_start_; }
  /* Copies the tensor's bytes into dst (end - begin bytes). */
  void read (const TensorInfo &info, void *dst) const;

private:
  std::string path_;
  int fd_ = -1;
  uint64_t file_size_ = 0, data_start_ = 0;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

struct WriteTensor {
  std::string name;
  std::string dtype;
  std::vector<int64_t> shape;
  const void *data;
  size_t nbytes;
};

/* Writes path atomically: path.tmp-XXXXXX, fsync, rename, fsync(folder). */
void write_file (const std::string &path, const std::vector<WriteTensor> &tensors,
                 const std::map<std::string, std::string> &metadata);

} // namespace st
} // namespace lk
