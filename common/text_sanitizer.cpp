#include "common/text_sanitizer.hpp"

#include <cstdint>

namespace ccmeter {

namespace {

constexpr std::string_view k_replacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at the start of `text`, or 0. Sets `code`.
size_t sequence_length(std::string_view text, uint32_t& code) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) {
        code = lead;
        return 1;
    }
    size_t length = 0;
    uint32_t minimum = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2;
        code = lead & 0x1F;
        minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3;
        code = lead & 0x0F;
        minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4;
        code = lead & 0x07;
        minimum = 0x10000;
    } else {
        return 0;
    }
    if (text.size() < length)
        return 0;
    for (size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80)
            return 0;
        code = (code << 6) | (byte(i) & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return 0;
    return length;
}

std::string sanitized(std::string_view text, bool strip_controls) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        uint32_t code = 0;
        const size_t length = sequence_length(text, code);
        if (length == 0) {
            out.append(k_replacement);
            text.remove_prefix(1);
            continue;
        }
        if (strip_controls && (code < 0x20 || code == 0x7F || (code >= 0x80 && code <= 0x9F)))
            out.push_back('?');
        else
            out.append(text.substr(0, length));
        text.remove_prefix(length);
    }
    return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
    return sanitized(text, false);
}

std::string terminal_safe(std::string_view text) {
    return sanitized(text, true);
}

}  // namespace ccmeter
