#pragma once
// Small text helpers shared by the jobs' CSV and report writers.
#include <string>

namespace ruimte {

// v with exactly `decimals` decimals, the digits printf's "%.*f" writes (std::to_chars):
// stable text for golden files.
std::string fixed(double v, int decimals);
// The same appended to `out`, without a string of its own.
void append_fixed(std::string& out, double v, int decimals);
// A CSV field, quoted (RFC 4180) only when it holds a comma, a quote or a newline.
std::string csv_quote(const std::string& s);
// &, <, > and " as entities, and ' as &apos; unless `keep_apostrophes` (HTML text, where the
// reports keep them readable): for XML/HTML text and attribute values in double quotes.
std::string xml_escape(const std::string& s, bool keep_apostrophes = false);

}  // namespace ruimte
