#include "terminal_keys.hpp"

namespace ccmeter {

namespace {

// The key of a CSI ("ESC [") or SS3 ("ESC O") sequence's final byte and parameter.
KeyCode sequence_key(char final, std::string_view parameter) {
    switch (final) {
        case 'A':
            return KeyCode::up;
        case 'B':
            return KeyCode::down;
        case 'C':
            return KeyCode::right;
        case 'D':
            return KeyCode::left;
        case 'H':
            return KeyCode::home;
        case 'F':
            return KeyCode::end;
        case 'Z':
            return KeyCode::back_tab;
        case '~':
            if (parameter == "5")
                return KeyCode::page_up;
            if (parameter == "6")
                return KeyCode::page_down;
            if (parameter == "1" || parameter == "7")
                return KeyCode::home;
            if (parameter == "4" || parameter == "8")
                return KeyCode::end;
            return KeyCode::unknown;
        default:
            return KeyCode::unknown;
    }
}

}  // namespace

std::vector<Key> decode_keys(std::string_view bytes) {
    std::vector<Key> keys;
    size_t i = 0;
    while (i < bytes.size()) {
        const unsigned char c = static_cast<unsigned char>(bytes[i]);
        if (c == 0x1b) {
            if (i + 1 >= bytes.size() || bytes[i + 1] == '\x1b') {
                keys.push_back({KeyCode::escape, {}});
                ++i;
                continue;
            }
            const char kind = bytes[i + 1];
            if (kind == '[' || kind == 'O') {
                size_t j = i + 2;
                // Parameter and intermediate bytes, then one final byte (0x40-0x7e).
                while (j < bytes.size() && (static_cast<unsigned char>(bytes[j]) < 0x40 ||
                                            static_cast<unsigned char>(bytes[j]) > 0x7e))
                    ++j;
                if (j >= bytes.size()) {
                    keys.push_back({KeyCode::unknown, {}});
                    break;
                }
                keys.push_back({sequence_key(bytes[j], bytes.substr(i + 2, j - i - 2)), {}});
                i = j + 1;
                continue;
            }
            // Alt-<key>: the key itself.
            keys.push_back({KeyCode::escape, {}});
            ++i;
            continue;
        }
        if (c == '\r' || c == '\n') {
            keys.push_back({KeyCode::enter, {}});
            // "\r\n" from a terminal in a cooked-ish mode is one Enter.
            if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n')
                ++i;
            ++i;
            continue;
        }
        if (c == '\t') {
            keys.push_back({KeyCode::tab, {}});
            ++i;
            continue;
        }
        if (c == 0x7f || c == 0x08) {
            keys.push_back({KeyCode::backspace, {}});
            ++i;
            continue;
        }
        if (c == 0x03) {
            keys.push_back({KeyCode::interrupt, {}});
            ++i;
            continue;
        }
        if (c < 0x20) {
            keys.push_back({KeyCode::unknown, {}});
            ++i;
            continue;
        }
        // One UTF-8 code point.
        size_t length = 1;
        if (c >= 0xf0)
            length = 4;
        else if (c >= 0xe0)
            length = 3;
        else if (c >= 0xc0)
            length = 2;
        length = std::min(length, bytes.size() - i);
        keys.push_back(char_key(std::string(bytes.substr(i, length))));
        i += length;
    }
    return keys;
}

}  // namespace ccmeter
