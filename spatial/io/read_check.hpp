#pragma once
// Reading a layer to its end, or refusing it (issue 27). GDAL's readers end a layer on the
// first error as if it had no more features: an SQLite error in a damaged GeoPackage table, a
// .dbf whose header counts fewer records than the .shp holds. LayerReadCheck watches GDAL's
// errors for the length of one read (an error handler on the reading thread), checks that a
// GeoPackage table's fids come in increasing order, and at the end compares the number of
// features read with what the source declares: a GeoPackage its feature count
// (gpkg_ogr_contents, confirmed with a COUNT(*) when it differs), a shapefile the records of
// its .shx and of its .dbf (header and size). Any difference is Error(input).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "spatial/core/error.hpp"

class GDALDataset;
class OGRLayer;

namespace ruimte {

class LayerReadCheck {
  public:
    // Starts watching: to be made on the thread that reads, just before the first
    // GetNextFeature. `dataset` is the layer's (null for a PostgreSQL layer: errors only);
    // `declared` is layer.GetFeatureCount(FALSE) taken before reading, or -1.
    LayerReadCheck(OGRLayer& layer, GDALDataset* dataset, std::int64_t declared, ErrorPlace place);
    ~LayerReadCheck();
    LayerReadCheck(const LayerReadCheck&) = delete;
    LayerReadCheck& operator=(const LayerReadCheck&) = delete;

    // After every feature GetNextFeature returned (two tests and two stores): throws
    // Error(input) when GDAL reported a failure while reading it, or when a GeoPackage
    // table's fid is not above the last one.
    void feature(std::int64_t fid) {
        if (failure_) refuse_failure(fid);
        if (in_fid_order_ && read_ > 0 && fid <= *last_fid_) refuse_order(fid);
        last_fid_ = fid;
        ++read_;
    }
    // After GetNextFeature returned no feature: throws Error(input) when an error ended the
    // read or the number read differs from the declared one. Stops watching.
    void end();
    // The same finding without throwing (for `ruimte info`): nullopt when the read is whole.
    std::optional<Error> finding();

    std::size_t features_read() const noexcept { return read_; }

    // Called by the error handler on a GDAL failure during the read.
    void record_failure(const char* message);

  private:
    [[noreturn]] void refuse_failure(std::int64_t fid);
    [[noreturn]] void refuse_order(std::int64_t fid);
    void stop_watching() noexcept;
    std::string read_so_far(bool with_declared) const;
    const char* fix() const noexcept;

    OGRLayer& layer_;
    GDALDataset* dataset_;
    std::int64_t declared_;
    ErrorPlace place_;
    bool watching_ = false;
    bool failure_ = false;
    bool in_fid_order_ = false;  // a GeoPackage table: fids come in increasing order
    std::string failure_message_;
    std::size_t read_ = 0;
    std::optional<std::int64_t> last_fid_;
};

// The Fix of every damaged-layer refusal.
extern const char* const kDamagedLayerFix;

}  // namespace ruimte
