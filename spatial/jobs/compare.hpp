#pragma once
// Two scored outputs side by side (for example one set of candidates under two profiles):
// per candidate the rank in each and the change, and the entries into and exits from the top K.
#include <cstdint>
#include <string>
#include <vector>

#include "spatial/criteria/explain.hpp"

namespace ruimte {

enum class TopChange {
    entry,      // in the top K of B, not of A
    exit,       // in the top K of A, not of B
    stays,      // in the top K of both
    outside,    // ranked in both, in neither top K
    excluded,   // excluded (not ranked) in A or B or both
    unmatched,  // the candidate id is in only one of the two files
};
std::string to_string(TopChange c);

struct RankChangeRow {
    std::string id;
    std::string name;                     // from B, else A (field naam or name); empty when neither has one
    bool in_a = false, in_b = false;      // present in the file
    std::int64_t rank_a = 0, rank_b = 0;  // 0 = not ranked
    double score_a = 0, score_b = 0;
    TopChange change = TopChange::outside;
    std::size_t row_a = 0, row_b = 0;
};

struct RunComparison {
    std::string profile_a, profile_b;
    std::size_t top_k = 10;
    std::vector<RankChangeRow> rows;                // candidate id order (numeric ids numerically)
    std::size_t entries = 0, exits = 0, moved = 0;  // moved: ranked in both with another rank
    double spearman = 0;                            // rank correlation over the candidates ranked in both
};

RunComparison compare_runs(const ScoredRun& a, const ScoredRun& b, std::size_t top_k);

// The GeoPackage: layer rank_change (geometry from B, else A) and table top_changes
// (entries and exits, best rank first). `inputs` are never overwritten.
void write_comparison(const RunComparison& c, const ScoredRun& a, const ScoredRun& b, const std::string& output,
                      bool overwrite, const std::string& command_line);

// A table for people: the top K of B with their rank in A, then the exits; lang "nl" or "en".
std::string render_run_comparison(const RunComparison& c, const std::string& lang);

}  // namespace ruimte
