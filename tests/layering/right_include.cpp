// Must compile (ctest layering.right_include, the control for layering.wrong_include): a
// geometry file including a header of its own layer and of the layer below.
#include "spatial/core/error.hpp"
#include "spatial/geometry/overlay.hpp"
