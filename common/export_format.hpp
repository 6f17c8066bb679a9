// `hookctl export`'s rows, as JSON and as CSV, pure functions of the daemon's ExportPage
// messages. One object per row whatever the format, so that the CSV says exactly what the JSON
// says.
//
// Rows (keys in this order; they are the CSV header):
//   responses: "time" (ISO 8601 UTC, ms), "timestamp_ms", "session_id", "project" (cwd),
//              "model", "speed" ("standard", "fast" or ""), "service_tier", "long_context"
//              (priced at the over-200k-input tier), "chain" ("main" or "sidechain"),
//              "agent_id", "message_id", "request_id", the eight token fields of a usage
//              object (stats_format.hpp), "cost_micro_usd" (integer, rounded), "cost_usd" (the
//              exact cost, a decimal string with 12 fraction digits, so that sums are exact),
//              "client_priced" (priced by rates learned from the client); both costs are null
//              for a model without a price.
//   sessions:  the items of `hookctl stats sessions --json` (session_entry_json).
//   daily:     the items of `hookctl stats daily --json` (period_entry_json).
// JSON: one array, one row object per line. CSV (RFC 4180, csv_text.hpp): the header, then one
// record per row; a string as it is, a number as the JSON writes it, true / false, null as an
// empty field, a list of names (models, unpriced_models, client_priced_models) joined by ";".
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <iosfwd>
#include <string>
#include <vector>

#include "ccmeter/v1/ccmeter.pb.h"

namespace ccmeter {

enum class ExportFormat { json, csv };
enum class ExportKind { responses, sessions, daily };

// The keys of a row of `kind`, in order.
std::vector<std::string> export_columns(ExportKind kind);

boost::json::object response_export_json(const v1::ExportedResponse& response);

// A row's value as a CSV field's text (before quoting), by the rules above.
std::string csv_cell(const boost::json::value& value);

// Writes rows as they come, so that memory holds one row whatever the export's size.
class ExportWriter {
  public:
    // Writes nothing yet; `out` outlives the writer.
    ExportWriter(ExportFormat format, ExportKind kind, std::ostream& out);

    void add(const boost::json::object& row);
    // Ends the output (the JSON array's "]"; a CSV header even without rows).
    void finish();

    int64_t rows() const { return m_rows; }

  private:
    void start();

    ExportFormat m_format;
    std::vector<std::string> m_columns;
    std::ostream& m_out;
    int64_t m_rows = 0;
    bool m_started = false;
};

}  // namespace ccmeter
