#pragma once
// Multi-use land claims (meervoudig ruimtegebruik): overlay claim layers into a planar
// partition, judge every face against a compatibility matrix, and sum areas per claim, per
// combination, per pair and per region. See docs/claims.md.
//
// The partition is built per tile: the claim polygons that meet a tile are clipped to it,
// their boundaries noded together (GEOSUnaryUnion on the linework) and polygonized; each face
// is labelled by a point inside it tested against the clipped polygons. Faces that reach an
// inner tile edge are then merged with the faces of the same label across that edge, so the
// result is the same partition a single global polygonize would give (up to the extra
// vertices the merge leaves on former tile edges).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spatial/geometry/geos.hpp"
#include "spatial/geometry/parallel.hpp"
#include "spatial/io/source.hpp"
#include "spatial/output/job_request.hpp"

namespace ruimte {

// ------------------------------------------------------------------ compatibility matrix

enum class Compat : std::uint8_t {
    combineerbaar = 0,   // the claims can share the ground
    voorwaardelijk = 1,  // they can share it under conditions
    conflict = 2,        // they exclude each other
};
std::string to_string(Compat c);

struct CompatMatrix {
    std::string path;                // the file, or "(built-in)"
    std::string text;                // the TOML text, kept for provenance
    std::vector<std::string> kinds;  // in the order of `kinds = [...]`
    std::vector<Compat> status;      // kinds.size()^2, symmetric; the diagonal is combineerbaar

    std::optional<std::size_t> index_of(std::string_view kind) const;
    Compat get(std::size_t a, std::size_t b) const { return status[a * kinds.size() + b]; }
    // "wonen, werken, ..." for messages.
    std::string kind_list() const;
};

// Parses the TOML text of a matrix; `path` names it in errors. Throws Error(profile) with the
// file, line and key for: invalid TOML, a missing or empty `kinds`, a duplicate kind, a table
// or key naming a kind not in `kinds` (unknown kind), a value other than the three statuses,
// a kind paired with itself, a pair given twice with different statuses (asymmetric) and a
// pair of kinds given in neither order (missing pair).
CompatMatrix parse_compat_matrix(const std::string& text, const std::string& path);
CompatMatrix load_compat_matrix(const std::string& path);
// The built-in matrix for the eight kinds (layers/claims_catalogue.cpp).
CompatMatrix default_compat_matrix();

// ------------------------------------------------------------------ partition

// One claim: a kind of the matrix and its polygons (valid, polygonal, EPSG:28992).
struct ClaimLayer {
    std::string name;
    const FeatureLayer* layer = nullptr;
};

// A claim feature on a face: (claim index, feature index in that claim's layer).
using ClaimMember = std::pair<std::uint32_t, std::uint32_t>;

struct ClaimFace {
    geos::Geom geom;  // a Polygon
    double area_m2 = 0;
    std::vector<ClaimMember> members;  // sorted; every feature whose polygon covers the face
    std::uint64_t claims = 0;          // bit c set: claim c is on the face
};

struct PartitionOptions {
    double tile_size_m = 0;  // side of the square tiles; 0: chosen from tile_vertices
    // A tile_size_m that makes more tiles than this is refused (Error usage, exit 2).
    static constexpr std::size_t max_tiles = 10000;
    std::size_t tile_vertices = 20000;  // aim for about this many input vertices per tile
    // Faces smaller than this are dropped as noding artefacts (a safety net: with the tiles cut
    // by GEOSIntersection, whose crossing points do not depend on segment direction, none
    // appear on the samples or the workload; GEOSClipByRect left ~1e-9 m2 slivers between
    // polygons that share an edge).
    double min_face_m2 = 1e-6;
};

struct Partition {
    std::vector<ClaimFace> faces;  // sorted by claim set, then position (deterministic)
    std::size_t tiles = 0;         // tiles that held claim polygons
    std::size_t merged_faces = 0;  // tile pieces merged back into faces that crossed tile edges
    std::size_t slivers = 0;       // faces dropped as smaller than min_face_m2
    double sliver_m2 = 0;          // their total area
};

// The faces do not overlap and together cover the union of all claim polygons. At most 64
// claims. The geometries are owned by `ctx`'s thread.
Partition build_partition(const geos::Context& ctx, const std::vector<ClaimLayer>& claims,
                          const PartitionOptions& options, const RunControl& control);

// ------------------------------------------------------------------ summaries

// Worst status over all pairs of claims in `claims` (bit set), nullopt for fewer than two.
// `kind_of[c]` is the matrix index of claim c.
std::optional<Compat> worst_status(std::uint64_t claims, const std::vector<std::size_t>& kind_of,
                                   const CompatMatrix& matrix);

struct CombinationArea {
    std::uint64_t claims = 0;
    std::string label;  // claim names joined with '+', in claim order
    std::size_t claim_count = 0;
    double area_m2 = 0;
    std::size_t faces = 0;
    std::optional<Compat> worst;
};

struct PairArea {
    std::uint32_t a = 0, b = 0;  // claim indexes, a < b
    Compat status = Compat::combineerbaar;
    double area_m2 = 0;
};

struct ClaimTotals {
    std::vector<double> claim_area_m2;          // per claim: area of the faces carrying it
    std::vector<double> exclusive_area_m2;      // per claim: faces carrying only that claim
    double claimed_m2 = 0;                      // union of all claims
    double claim_sum_m2 = 0;                    // sum over claims of their area
    double multi_m2 = 0;                        // claimed by two or more claims
    double voorwaardelijk_m2 = 0;               // faces whose worst pair is voorwaardelijk
    double conflict_m2 = 0;                     // faces whose worst pair is conflict
    std::vector<CombinationArea> combinations;  // by claim_count, then label
    std::vector<PairArea> pairs;                // every pair of claims, by (a, b)
};

ClaimTotals summarise(const Partition& p, std::size_t claim_count, const std::vector<std::string>& names,
                      const std::vector<std::size_t>& kind_of, const CompatMatrix& matrix);

struct RegionFigures {
    std::int64_t fid = 0;
    std::string name;
    double region_m2 = 0;
    double claimed_m2 = 0;
    double claim_sum_m2 = 0;  // sum over claims of the claimed area inside the region
    double multi_m2 = 0;
    double voorwaardelijk_m2 = 0;
    double conflict_m2 = 0;
    std::vector<double> claim_m2;  // per claim
    double pressure() const { return region_m2 > 0 ? claim_sum_m2 / region_m2 : 0; }
};

// Faces ∩ regions. `face_worst[i]` is the worst status of face i.
std::vector<RegionFigures> region_balance(const Partition& p, std::size_t claim_count,
                                          const std::vector<std::optional<Compat>>& face_worst,
                                          const FeatureLayer& regions, int name_field, const RunControl& control);

// ------------------------------------------------------------------ the command

// Claims and regions with a coordinate farther than this are refused as they are read: the
// limit of every reader (io/source.hpp); from about 1e150 on the partition's totals came out
// Inf, NaN or without the feature.
inline constexpr double kMaxClaimCoordinate = kMaxCoordinate;

struct ClaimsRequest : JobRequest {
    std::vector<std::pair<std::string, std::string>> claims;  // NAME -> FILE[:LAYER]
    std::string compat_path;                                  // empty: the built-in matrix
    std::string regions;                                      // FILE[:LAYER]:FIELD, optional
    std::string csv_dir;                                      // optional folder for the tables as CSV
    std::string assume_crs;
    bool skip_invalid = false;
    PartitionOptions partition;
};

struct ClaimsSummary {
    std::vector<std::string> claims;  // sorted names
    std::vector<std::size_t> features;
    std::size_t faces = 0;
    std::size_t tiles = 0;
    std::size_t merged_faces = 0;
    std::size_t slivers = 0;
    double sliver_m2 = 0;
    std::size_t regions = 0;
    ClaimTotals totals;
    std::string output;
    std::vector<std::string> csv_files;
    std::vector<std::pair<std::string, double>> seconds;
};

ClaimsSummary run_claims(const ClaimsRequest& request);

// "natuur:3,7;water:12": the FIDs per claim on a face, claims in claim order.
std::string member_ids_text(const std::vector<ClaimMember>& members, const std::vector<ClaimLayer>& claims);

}  // namespace ruimte
