/* SPDX-License-Identifier: GPL-3.0-or-later */
/* StepGraph where libtorch's CUDA graph API is not available: never ready. */
#include "lk-torch-graph.hh"

#include <stdexcept>

namespace lk {

struct StepGraph::Impl {};

bool
StepGraph::available ()
{
  return false;
}

StepGraph::StepGraph () = default;
StepGraph::~StepGraph () = default;

void
StepGraph::capture (const std::function<void (bool)> &)
{
  throw std::runtime_error ("this build has no CUDA graph support");
}

void
StepGraph::replay ()
{
  throw std::runtime_error ("this build has no CUDA graph support");
}

} // namespace lk
