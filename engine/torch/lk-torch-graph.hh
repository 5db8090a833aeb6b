/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A training step captured once as a CUDA graph and replayed: one launch per
 * step instead of hundreds. The interface has no CUDA types so that
 * lk-torch.cc compiles without CUDA headers; lk-torch-graph-cuda.cc
 * implements it where libtorch's CUDA graph API builds, lk-torch-graph-none.cc
 * elsewhere (meson picks one).
 */
#pragma once

#include <functional>
#include <memory>

namespace lk {

class StepGraph {
public:
  /* Whether this build can capture CUDA graphs at all. */
  static bool available ();

  StepGraph ();
  ~StepGraph ();
  StepGraph (const StepGraph &) = delete;
  StepGraph &operator= (const StepGraph &) = delete;

  /* On a side stream: runs step (false) once for real (the warm-up that
   * creates per-stream state such as cuBLAS workspaces), then captures
   * step (true) without running it. The tensors step reads must keep their
   * storage for as long as the graph is replayed; what it allocates lives in
   * the graph's private pool. Throws (c10::Error or std::exception) when the
   * capture fails; the graph is then unusable and the warm-up step has run. */
  void capture (const std::function<void (bool capturing)> &step);

  /* Runs the captured work on the current stream. */
  void replay ();

  bool ready () const { return impl_ != nullptr; }

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace lk
