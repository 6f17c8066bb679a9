#include "core/response_key_index.hpp"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using ccmeter::ResponseKeyIndex;

namespace {

// The row of key `i` (as the store's row ids: 1, 2, ...), or 0 when find() names none that is.
int64_t row_of(const ResponseKeyIndex& index, const std::vector<std::string>& keys, size_t i) {
    int64_t found = 0;
    index.find(ResponseKeyIndex::hash(keys[i], "req_" + keys[i]), [&](int64_t row) {
        if (keys[static_cast<size_t>(row - 1)] != keys[i])
            return false;  // another key's row: the caller tells them apart
        found = row;
        return true;
    });
    return found;
}

}  // namespace

TEST_CASE("a response key index finds the row of every key added, as it grows", "[store]") {
    ResponseKeyIndex index;
    std::vector<std::string> keys;
    for (int i = 0; i < 200'000; ++i)
        keys.push_back("msg_01" + std::to_string(i * 7919));
    for (size_t i = 0; i < keys.size(); ++i) {
        index.add(ResponseKeyIndex::hash(keys[i], "req_" + keys[i]), static_cast<int64_t>(i + 1));
        if (i % 9973 == 0) {  // the keys so far, between doublings
            for (size_t j = 0; j <= i; j += 101)
                REQUIRE(row_of(index, keys, j) == static_cast<int64_t>(j + 1));
        }
    }
    CHECK(index.size() == keys.size());
    for (size_t i = 0; i < keys.size(); ++i)
        REQUIRE(row_of(index, keys, i) == static_cast<int64_t>(i + 1));
    // A key never added has no row; the same message id with another request is another key.
    int64_t named = 0;
    CHECK_FALSE(index.find(ResponseKeyIndex::hash("msg_new", "req_new"), [&](int64_t row) {
        ++named;
        return keys[static_cast<size_t>(row - 1)] == "msg_new";
    }));
    CHECK(named == 0);
    CHECK(ResponseKeyIndex::hash("msg_1", "req_2") != ResponseKeyIndex::hash("msg_1", "req_3"));
    CHECK(ResponseKeyIndex::hash("msg_1", "req_2") != ResponseKeyIndex::hash("req_2", "msg_1"));
    index.clear();
    CHECK(index.size() == 0);
    CHECK(row_of(index, keys, 5) == 0);
}

TEST_CASE("a response key index takes only row ids it can hold", "[store]") {
    CHECK(ResponseKeyIndex::fits(1));
    CHECK(ResponseKeyIndex::fits(0xffff'ffffLL));
    CHECK_FALSE(ResponseKeyIndex::fits(0));
    CHECK_FALSE(ResponseKeyIndex::fits(0x1'0000'0000LL));
    ResponseKeyIndex index;
    index.add(ResponseKeyIndex::hash("a", "b"), 0x1'0000'0000LL);
    CHECK(index.size() == 0);
}
