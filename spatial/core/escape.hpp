#pragma once
// Names and values from inputs, profiles and the command line, made safe for the place they
// are written to: one function per target, used by every writer.
//
//   CSV             csv_quote (text_format.hpp): RFC 4180 quoting, formulas neutralised
//   XML and HTML    xml_escape (text_format.hpp)
//   Markdown        markdown_text
//   a terminal      terminal_text
//   QGIS/OGR URI    ogr_layer_source
//   SQL             pg::Connection::ident and ::literal (postgis.hpp, libpq's PQescapeIdentifier
//                   and PQescapeLiteral)
//   any output      redact_secrets: passwords in PostgreSQL connection strings and URIs
#include <string>
#include <string_view>

namespace ruimte {

// Markdown text for a paragraph, list item, heading or table cell: \ | * _ ` are
// backslash-escaped, '<' is written as &lt; (no HTML tag or autolink can start), "](" and
// "][" as "]\(" and "]\[" (no link or image), and line breaks and other control characters
// become spaces (a name cannot end its table row or heading).
std::string markdown_text(std::string_view s);

// Text for a terminal: control characters (C0 but newline and tab when `keep_newlines`, DEL, C1) and
// the Unicode bidirectional overrides are shown as \xNN or \u{NNNN}, so no escape sequence
// reaches the terminal. Valid UTF-8 otherwise passes unchanged.
std::string terminal_text(std::string_view s, bool keep_newlines = false);

// `s` with every password of a PostgreSQL connection written as ***: password=VALUE and
// password='VALUE' in libpq's keyword=value form (any keyword ending in "password"), the
// password of postgresql://USER:PASSWORD@HOST and ?password=VALUE in a URI. Anything else is
// unchanged.
std::string redact_secrets(std::string_view s);

// The data source of a QGIS project layer read through OGR: PATH|layername=NAME, or
// PATH|layerid=INDEX when the name holds '|' or a control character (QGIS's URI has no
// quoting: "|subset=..." in a name would add a filter). Throws Error(input) when `path`
// holds '|' or a control character.
std::string ogr_layer_source(const std::string& path, const std::string& layer_name, int layer_index);

}  // namespace ruimte
