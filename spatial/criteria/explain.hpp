#pragma once
// Why does a candidate score what it scores? Reads the `candidates_scored` layer that
// `ruimte score` wrote and the run's profile (metadata item RUIMTE_PROFILE), and explains a
// candidate per criterion (metric, standardised value, weight, contribution) with its exclusion
// reasons, or the difference between two candidates per criterion.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spatial/criteria/profile.hpp"

#include "spatial/criteria/scoring.hpp"

namespace ruimte {

// A scored output as written by `ruimte score`.
struct ScoredRun {
    std::string path;
    Profile profile;  // parsed from the metadata; layer sources point at `path`
    bool integer_ids = false;
    std::vector<std::string> ids;    // candidate_id as text, in file order
    std::vector<std::string> names;  // the candidate's name (field naam or name), or "" per row
    std::vector<double> score;
    std::vector<std::int64_t> rank;  // 0 = not ranked (excluded)
    std::vector<char> excluded;
    std::vector<std::string> reasons;
    std::vector<std::string> column_names;           // every numeric column
    std::vector<std::vector<double>> column_values;  // [column][row]; NaN for null
    std::vector<std::vector<unsigned char>> wkb;     // geometry per row (when read with geometry)

    // Row of a candidate id; throws Error(usage) naming the file when there is none.
    std::size_t row(const std::string& id) const;
    // "17 Westrand 's-Gravenhage 2": the id with the name beside it when there is one.
    std::string id_and_name(std::size_t row) const;
    // A numeric column's value; NaN when the column does not exist or is null.
    double value(const std::string& column, std::size_t row) const;
    // How many candidates have a rank (counted once by read_scored_run; counted here otherwise).
    std::size_t ranked_count() const;
    std::optional<std::size_t> ranked;  // set by read_scored_run
};

// Throws Error(input) naming the file and layer when it is not a `ruimte score` output.
ScoredRun read_scored_run(const std::string& path, bool with_geometry = false);

struct FactorExplanation {
    std::string name;
    std::string metric;  // what was measured, e.g. "wbs: ja 62 %, ja_mits_klein 38 %"
    double value = 0;    // standardised 0..1
    double weight = 0;   // normalised
    double contribution = 0;
};

struct CandidateExplanation {
    std::string id;
    std::string name;  // empty when the scored file has no name field
    std::string profile;
    Aggregation aggregation = Aggregation::weighted_sum;
    double score = 0;
    std::int64_t rank = 0;  // 0 = not ranked
    std::size_t ranked_count = 0;
    bool excluded = false;
    std::vector<std::string> reasons;
    std::vector<FactorExplanation> factors;
    double contribution_sum = 0;  // equals score (to rounding of the stored columns)
};

struct FactorDifference {
    std::string name;
    double value_a = 0, value_b = 0;
    double contribution_a = 0, contribution_b = 0;
    double difference = 0;  // contribution_a - contribution_b
    double share = 0;       // difference / (score_a - score_b); NaN when the scores are equal
};

struct CandidateComparison {
    CandidateExplanation a, b;
    double gap = 0;                         // score_a - score_b = sum of the differences
    std::vector<FactorDifference> factors;  // largest |difference| first, ties by profile order
};

// lang ("nl" or "en") is used for the words in the metric descriptions.
CandidateExplanation explain_candidate(const ScoredRun& run, const std::string& id, const std::string& lang = "nl");
// The same for the candidate in `row` (file order), without looking its id up.
CandidateExplanation explain_candidate_row(const ScoredRun& run, std::size_t row, const std::string& lang = "nl");
CandidateComparison compare_candidates(const ScoredRun& run, const std::string& a, const std::string& b,
                                       const std::string& lang = "nl");

// Text for people; lang "nl" (default) or "en".
std::string render_explanation(const CandidateExplanation& e, const std::string& lang);
std::string render_comparison(const CandidateComparison& c, const std::string& lang);

}  // namespace ruimte
