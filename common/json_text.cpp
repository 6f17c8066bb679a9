#include "common/json_text.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <cstdio>

namespace ccmeter {

namespace json = boost::json;

namespace {

void append_double(double number, std::string& out) {
    if (!std::isfinite(number)) {
        out += "null";
        return;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%.6f", number);
    std::string decimal = text;
    while (decimal.back() == '0')
        decimal.pop_back();
    if (decimal.back() == '.')
        decimal.pop_back();
    if (decimal == "-0")
        decimal = "0";
    out += decimal;
}

void append(const json::value& value, std::string& out) {
    switch (value.kind()) {
        case json::kind::object: {
            out.push_back('{');
            bool first = true;
            for (const json::key_value_pair& member : value.get_object()) {
                if (!first)
                    out.push_back(',');
                first = false;
                out += json::serialize(json::string_view(member.key()));
                out.push_back(':');
                append(member.value(), out);
            }
            out.push_back('}');
            break;
        }
        case json::kind::array: {
            out.push_back('[');
            bool first = true;
            for (const json::value& element : value.get_array()) {
                if (!first)
                    out.push_back(',');
                first = false;
                append(element, out);
            }
            out.push_back(']');
            break;
        }
        case json::kind::double_:
            append_double(value.get_double(), out);
            break;
        default:
            out += json::serialize(value);
            break;
    }
}

}  // namespace

std::string to_json_text(const json::value& value) {
    std::string out;
    append(value, out);
    return out;
}

}  // namespace ccmeter
