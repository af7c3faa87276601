#pragma once
// The Dutch texts of `ruimte --describe` (cli/describe_nl.cpp): every command's summary and every
// option's help, in one table keyed by command and option name. tests/cli/describe.sh fails when
// an option has no entry or an entry names an option that does not exist.
#include <string>

namespace ruimte::cli {

// The Dutch help of `option` (its name in --describe: the long name, or the positional's name)
// of `command`, or with `option` empty the command's summary; nullptr when the table has none.
const char* dutch_text(const std::string& command, const std::string& option);

}  // namespace ruimte::cli
