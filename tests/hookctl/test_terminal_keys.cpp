#include <catch2/catch.hpp>

#include "terminal_keys.hpp"

using namespace ccmeter;

TEST_CASE("terminal_keys: arrows, Enter, Esc, Tab and characters", "[terminal_keys]") {
    const std::vector<Key> keys = decode_keys("\x1b[A\x1b[B\x1bOC\x1b[D\r\t\x1b[Zq/ä\x7f\x03");
    const std::vector<Key> expected{{KeyCode::up, {}},
                                    {KeyCode::down, {}},
                                    {KeyCode::right, {}},
                                    {KeyCode::left, {}},
                                    {KeyCode::enter, {}},
                                    {KeyCode::tab, {}},
                                    {KeyCode::back_tab, {}},
                                    char_key("q"),
                                    char_key("/"),
                                    char_key("ä"),
                                    {KeyCode::backspace, {}},
                                    {KeyCode::interrupt, {}}};
    CHECK(keys == expected);
}

TEST_CASE("terminal_keys: a lone ESC is the Escape key", "[terminal_keys]") {
    CHECK(decode_keys("\x1b") == std::vector<Key>{{KeyCode::escape, {}}});
    CHECK(decode_keys("\x1b\x1b[A") == std::vector<Key>{{KeyCode::escape, {}}, {KeyCode::up, {}}});
    CHECK(decode_keys("\x1b[5~\x1b[6~\x1b[H\x1b[4~") == std::vector<Key>{{KeyCode::page_up, {}},
                                                                         {KeyCode::page_down, {}},
                                                                         {KeyCode::home, {}},
                                                                         {KeyCode::end, {}}});
    // A sequence cut short is not taken for keys.
    CHECK(decode_keys("\x1b[1;") == std::vector<Key>{{KeyCode::unknown, {}}});
}
