// Must NOT compile (ctest layering.wrong_include): a geometry file including a job header,
// against the layer order (docs/DEVELOPING.md). Built only by that test.
#include "spatial/geometry/overlay.hpp"
#include "spatial/jobs/score.hpp"
