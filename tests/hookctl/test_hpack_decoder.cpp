// HPACK: header blocks as a real HTTP/2 peer encodes them (nghttp2's deflater: static and
// dynamic table entries, Huffman strings) come back as the names and values sent; gRPC's
// percent-encoded messages are decoded.
#include <nghttp2/nghttp2.h>

#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "hookctl/hpack_decoder.hpp"

namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

// Encodes `fields` as one header block with a deflater that persists across calls.
std::string encode(nghttp2_hd_deflater* deflater, const Fields& fields) {
    std::vector<nghttp2_nv> nv;
    for (const auto& [name, value] : fields)
        nv.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
                      reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(),
                      value.size(), NGHTTP2_NV_FLAG_NONE});
    std::string out(nghttp2_hd_deflate_bound(deflater, nv.data(), nv.size()), '\0');
    const ssize_t used = nghttp2_hd_deflate_hd(deflater, reinterpret_cast<uint8_t*>(out.data()),
                                               out.size(), nv.data(), nv.size());
    REQUIRE(used > 0);
    out.resize(static_cast<size_t>(used));
    return out;
}

std::map<std::string, std::string> decode(ccmeter::HpackDecoder& decoder,
                                          const std::string& block) {
    std::map<std::string, std::string> fields;
    REQUIRE(decoder
                .decode(block,
                        [&](std::string_view name, std::string_view value) {
                            fields[std::string(name)] = std::string(value);
                        })
                .has_value());
    return fields;
}

}  // namespace

TEST_CASE("a reply's headers and trailers decode, the dynamic table carried between them",
          "[hpack]") {
    nghttp2_hd_deflater* deflater = nullptr;
    REQUIRE(nghttp2_hd_deflate_new(&deflater, 4096) == 0);
    ccmeter::HpackDecoder decoder;
    const std::string headers = encode(deflater, {{":status", "200"},
                                                  {"content-type", "application/grpc"},
                                                  {"grpc-accept-encoding", "identity, gzip"}});
    auto first = decode(decoder, headers);
    CHECK(first.at(":status") == "200");
    CHECK(first.at("content-type") == "application/grpc");
    // The trailers repeat a field: the encoder refers to its dynamic-table entry.
    const std::string trailers =
        encode(deflater, {{"content-type", "application/grpc"},
                          {"grpc-status", "5"},
                          {"grpc-message", "no responses for session 7f%20x%25"}});
    auto second = decode(decoder, trailers);
    CHECK(second.at("content-type") == "application/grpc");
    CHECK(second.at("grpc-status") == "5");
    CHECK(ccmeter::percent_decode(second.at("grpc-message")) == "no responses for session 7f x%");
    nghttp2_hd_deflate_del(deflater);
}

TEST_CASE("a corrupt header block is an error, not a crash", "[hpack]") {
    ccmeter::HpackDecoder decoder;
    // Indexed field 127+: far past the static table, with nothing in the dynamic one.
    const std::string block("\xff\xff\xff\xff\x0f", 5);
    CHECK_FALSE(decoder.decode(block, [](std::string_view, std::string_view) {}).has_value());
}

TEST_CASE("percent-decoding leaves what is not an escape alone", "[hpack]") {
    CHECK(ccmeter::percent_decode("100%") == "100%");
    CHECK(ccmeter::percent_decode("a%zzb") == "a%zzb");
    CHECK(ccmeter::percent_decode("%e2%82%ac") == "\xe2\x82\xac");
}
