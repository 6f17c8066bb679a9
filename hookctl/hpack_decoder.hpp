// HPACK (RFC 7541) header blocks of one HTTP/2 connection, decoded: what hookctl needs to read
// a gRPC reply's trailers (grpc-status, grpc-message). Uses libnghttp2's inflater (linked
// statically), which keeps the connection's dynamic table and decodes Huffman strings.
//
// Contract: feed every complete header block of the connection, in the order received (the
// dynamic table depends on it). Names and values are passed to `visit` as they are decoded
// and are valid only during the call. Not thread-safe; one decoder per connection.
#pragma once

#include <functional>
#include <string_view>

#include "common/error.hpp"

struct nghttp2_hd_inflater;

namespace ccmeter {

class HpackDecoder {
  public:
    HpackDecoder();
    ~HpackDecoder();
    HpackDecoder(const HpackDecoder&) = delete;
    HpackDecoder& operator=(const HpackDecoder&) = delete;

    // Decodes one whole header block (a HEADERS frame's fragment and its CONTINUATIONs).
    Result<void> decode(std::string_view block,
                        const std::function<void(std::string_view, std::string_view)>& visit);

  private:
    nghttp2_hd_inflater* m_inflater = nullptr;
};

// A grpc-message value as sent (percent-encoded, RFC 3986 style) back to its text.
std::string percent_decode(std::string_view text);

}  // namespace ccmeter
