/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * StepGraph with libtorch's at::cuda::CUDAGraph. Built only when meson finds
 * that this file compiles against the libtorch in use (a CUDA build of
 * PyTorch 2.x and the CUDA runtime headers); see engine/torch/meson.build.
 */
#include "lk-torch-graph.hh"

#include <torch/version.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <cuda_runtime_api.h>

namespace lk {

struct StepGraph::Impl {
  at::cuda::CUDAGraph graph;
};

bool
StepGraph::available ()
{
  return true;
}

StepGraph::StepGraph () = default;
StepGraph::~StepGraph () = default;

void
StepGraph::capture (const std::function<void (bool)> &step)
{
  /* Capture needs a stream other than the default one; the graph may then be
   * replayed on any stream. Host syncs around it keep the ordering simple:
   * this happens once per trainer. */
  c10::cuda::CUDAStream current = c10::cuda::getCurrentCUDAStream ();
  c10::cuda::CUDAStream side = c10::cuda::getStreamFromPool ();
  current.synchronize ();
  auto impl = std::make_unique<Impl> ();
  {
    c10::cuda::CUDAStreamGuard guard (side);
    step (false);
    side.synchronize ();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    /* Thread-local mode: other threads of the studio may use CUDA meanwhile
     * (previews, conversion) without invalidating the capture. */
    impl->graph.capture_begin ({0, 0}, cudaStreamCaptureModeThreadLocal);
#else
    impl->graph.capture_begin ();
#endif
    try {
      step (true);
    } catch (...) {
      try {
        impl->graph.capture_end ();
      } catch (...) {
      }
      (void) cudaGetLastError ();
      throw;
    }
    impl->graph.capture_end ();
  }
  side.synchronize ();
  impl_ = std::move (impl);
}

void
StepGraph::replay ()
{
  if (!impl_)
    throw std::runtime_error ("no CUDA graph captured");
  impl_->graph.replay ();
}

} // namespace lk
