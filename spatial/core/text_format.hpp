#pragma once
// Small text helpers shared by the jobs' CSV and report writers.
#include <string>

namespace ruimte {

// v with exactly `decimals` decimals, the digits printf's "%.*f" writes (std::to_chars):
// stable text for golden files.
std::string fixed(double v, int decimals);
// The same appended to `out`, without a string of its own.
void append_fixed(std::string& out, double v, int decimals);
// A number in the command line's status lines (select's objective and constraints, info's
// extents and field ranges): a whole number without decimals, any other with three.
std::string status_number(double v);
// A number for people (maps, reports, explain): `decimals` decimals, the language's marks
// (1.234,5 in Dutch, 1,234.5 in English; thousands grouped unless `group` is false), trailing
// zeros dropped when `trim` (0,2 rather than 0,20), never "-0", and "-" for NaN.
std::string people_number(double v, int decimals, bool english, bool trim = true, bool group = true);
// A CSV field, quoted (RFC 4180) only when it holds a comma, a quote, a line feed or a carriage
// return. A text starting with = + - @, a tab or a carriage return (a formula in a
// spreadsheet) is written with a leading ' unless it is a plain decimal number (-5, +1.5e3).
std::string csv_quote(const std::string& s);
// &, <, > and " as entities, and ' as &apos; unless `keep_apostrophes` (HTML text, where the
// reports keep them readable): for XML/HTML text and attribute values in double quotes. Tab,
// LF and CR become &#9; &#10; &#13;, the other control characters (not allowed in XML 1.0)
// U+FFFD.
std::string xml_escape(const std::string& s, bool keep_apostrophes = false);

}  // namespace ruimte
