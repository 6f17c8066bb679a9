#include "hookctl/pretty_json.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

namespace ccmeter {

namespace json = boost::json;

namespace {

constexpr int k_indent_width = 2;
constexpr std::size_t k_max_depth = 512;

// Builds a JSON value like Boost's own parser, except that doubles are read with
// std::from_chars: Boost 1.81 reads some doubles one unit in the last place off (precise
// parsing came with 1.82), and a number that changes would break the byte-for-byte round trip.
class PreciseHandler {
  public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    void reset() {
        m_stack.reset();
        m_number_text.clear();
    }
    json::value release() { return m_stack.release(); }

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) { return true; }
    bool on_object_end(std::size_t size, json::error_code&) {
        m_stack.push_object(size);
        return true;
    }
    bool on_array_begin(json::error_code&) { return true; }
    bool on_array_end(std::size_t size, json::error_code&) {
        m_stack.push_array(size);
        return true;
    }
    bool on_key_part(json::string_view part, std::size_t, json::error_code&) {
        m_stack.push_chars(part);
        return true;
    }
    bool on_key(json::string_view part, std::size_t, json::error_code&) {
        m_stack.push_key(part);
        return true;
    }
    bool on_string_part(json::string_view part, std::size_t, json::error_code&) {
        m_stack.push_chars(part);
        return true;
    }
    bool on_string(json::string_view part, std::size_t, json::error_code&) {
        m_stack.push_string(part);
        return true;
    }
    bool on_number_part(json::string_view part, json::error_code&) {
        m_number_text.append(part.data(), part.size());
        return true;
    }
    bool on_int64(std::int64_t number, json::string_view, json::error_code&) {
        m_number_text.clear();
        m_stack.push_int64(number);
        return true;
    }
    bool on_uint64(std::uint64_t number, json::string_view, json::error_code&) {
        m_number_text.clear();
        m_stack.push_uint64(number);
        return true;
    }
    bool on_double(double number, json::string_view part, json::error_code&) {
        m_number_text.append(part.data(), part.size());
        double precise = 0;
        const char* end = m_number_text.data() + m_number_text.size();
        const std::from_chars_result read = std::from_chars(m_number_text.data(), end, precise);
        m_stack.push_double(read.ec == std::errc() && read.ptr == end ? precise : number);
        m_number_text.clear();
        return true;
    }
    bool on_bool(bool flag, json::error_code&) {
        m_stack.push_bool(flag);
        return true;
    }
    bool on_null(json::error_code&) {
        m_stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

  private:
    json::value_stack m_stack;
    std::string m_number_text;  // the parts of a number split across buffers
};

// Line and column (1-based) of a byte offset, for parse errors.
std::string position_of(std::string_view text, std::size_t offset) {
    offset = std::min(offset, text.size());
    std::size_t line = 1;
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

void append_string(std::string_view text, std::string& out) {
    constexpr char k_hex[] = "0123456789abcdef";
    out.push_back('"');
    for (char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (byte < 0x20) {
                    out += "\\u00";
                    out.push_back(k_hex[byte >> 4]);
                    out.push_back(k_hex[byte & 0x0f]);
                } else {
                    out.push_back(c);
                }
        }
    }
    out.push_back('"');
}

// ECMAScript Number::toString(10) on the shortest round-trip digits.
void append_double(double number, std::string& out) {
    if (!std::isfinite(number)) {
        out += "null";
        return;
    }
    if (number == 0) {  // -0 prints as 0 too
        out.push_back('0');
        return;
    }
    if (number < 0) {
        out.push_back('-');
        number = -number;
    }
    char buffer[64];
    const std::to_chars_result written =
        std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
    std::string_view scientific(buffer, static_cast<size_t>(written.ptr - buffer));  // d.dde+xx
    const size_t e_at = scientific.find('e');
    std::string digits;
    for (char c : scientific.substr(0, e_at))
        if (c != '.')
            digits.push_back(c);
    const int exponent = std::atoi(std::string(scientific.substr(e_at + 1)).c_str());
    const int k = static_cast<int>(digits.size());
    const int n = exponent + 1;  // value = 0.digits * 10^n
    if (k <= n && n <= 21) {
        out += digits;
        out.append(static_cast<size_t>(n - k), '0');
    } else if (0 < n && n <= 21) {
        out.append(digits, 0, static_cast<size_t>(n));
        out.push_back('.');
        out.append(digits, static_cast<size_t>(n));
    } else if (-6 < n && n <= 0) {
        out += "0.";
        out.append(static_cast<size_t>(-n), '0');
        out += digits;
    } else {
        out.push_back(digits[0]);
        if (k > 1) {
            out.push_back('.');
            out.append(digits, 1);
        }
        out.push_back('e');
        out.push_back(n - 1 >= 0 ? '+' : '-');
        out += std::to_string(std::abs(n - 1));
    }
}

void append_newline(int depth, std::string& out) {
    out.push_back('\n');
    out.append(static_cast<size_t>(depth * k_indent_width), ' ');
}

void append(const json::value& value, int depth, std::string& out) {
    switch (value.kind()) {
        case json::kind::object: {
            const json::object& object = value.get_object();
            if (object.empty()) {
                out += "{}";
                break;
            }
            out.push_back('{');
            bool first = true;
            for (const json::key_value_pair& member : object) {
                if (!first)
                    out.push_back(',');
                first = false;
                append_newline(depth + 1, out);
                append_string(member.key(), out);
                out += ": ";
                append(member.value(), depth + 1, out);
            }
            append_newline(depth, out);
            out.push_back('}');
            break;
        }
        case json::kind::array: {
            const json::array& array = value.get_array();
            if (array.empty()) {
                out += "[]";
                break;
            }
            out.push_back('[');
            bool first = true;
            for (const json::value& element : array) {
                if (!first)
                    out.push_back(',');
                first = false;
                append_newline(depth + 1, out);
                append(element, depth + 1, out);
            }
            append_newline(depth, out);
            out.push_back(']');
            break;
        }
        case json::kind::string:
            append_string(value.get_string(), out);
            break;
        case json::kind::int64:
            out += std::to_string(value.get_int64());
            break;
        case json::kind::uint64:
            out += std::to_string(value.get_uint64());
            break;
        case json::kind::double_:
            append_double(value.get_double(), out);
            break;
        case json::kind::bool_:
            out += value.get_bool() ? "true" : "false";
            break;
        case json::kind::null:
            out += "null";
            break;
    }
}

}  // namespace

Result<json::value> parse_json_exactly(std::string_view text) {
    json::parse_options options;  // strict JSON: no comments, no trailing commas
    options.max_depth = k_max_depth;
    json::basic_parser<PreciseHandler> parser(options);
    parser.handler().reset();
    json::error_code ec;
    const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
    if (!ec && consumed < text.size())
        ec = json::error::extra_data;
    if (ec)
        return Error("not valid JSON (" + ec.message() + " at " + position_of(text, consumed) +
                     ")");
    return parser.handler().release();
}

std::string to_pretty_json(const json::value& value) {
    std::string out;
    append(value, 0, out);
    return out;
}

}  // namespace ccmeter
