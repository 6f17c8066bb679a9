// Keys as a terminal in raw mode sends them (xterm, tmux, VT100 sequences), for hookctl top.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ccmeter {

enum class KeyCode {
    character,  // `text` holds it (one UTF-8 code point)
    up,
    down,
    left,
    right,
    page_up,
    page_down,
    home,
    end,
    enter,
    escape,
    tab,
    back_tab,  // Shift-Tab
    backspace,
    interrupt,  // Ctrl-C
    unknown,    // an escape sequence not listed here
};

struct Key {
    KeyCode code = KeyCode::unknown;
    std::string text;  // for KeyCode::character
    bool operator==(const Key&) const = default;
};

// The keys in `bytes`, one read() from the terminal. A terminal writes a key's escape sequence
// at once, so an ESC that ends `bytes` (or is followed by another ESC) is the Escape key.
std::vector<Key> decode_keys(std::string_view bytes);

// A character key (for tests and tables of bindings).
inline Key char_key(std::string text) {
    return Key{KeyCode::character, std::move(text)};
}

}  // namespace ccmeter
