#pragma once
// Owning pointers for cairo's surfaces and contexts.
#include <cairo.h>

#include <memory>

namespace ruimte {

struct SurfaceClose {
    void operator()(cairo_surface_t* s) const noexcept { cairo_surface_destroy(s); }
};
struct CairoClose {
    void operator()(cairo_t* c) const noexcept { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceClose>;
using Cairo = std::unique_ptr<cairo_t, CairoClose>;

}  // namespace ruimte
