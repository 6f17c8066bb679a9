#include "hookctl/hpack_decoder.hpp"

#include <nghttp2/nghttp2.h>

#include <string>

namespace ccmeter {

HpackDecoder::HpackDecoder() {
    if (nghttp2_hd_inflate_new(&m_inflater) != 0)
        m_inflater = nullptr;
}

HpackDecoder::~HpackDecoder() {
    if (m_inflater)
        nghttp2_hd_inflate_del(m_inflater);
}

Result<void> HpackDecoder::decode(
    std::string_view block, const std::function<void(std::string_view, std::string_view)>& visit) {
    if (!m_inflater)
        return Error{"cannot decode HTTP/2 headers (out of memory)"};
    const auto* in = reinterpret_cast<const uint8_t*>(block.data());
    size_t left = block.size();
    for (;;) {
        nghttp2_nv field;
        int flags = 0;
        const ssize_t used = nghttp2_hd_inflate_hd2(m_inflater, &field, &flags, in, left, 1);
        if (used < 0)
            return Error{std::string("bad HTTP/2 headers: ") +
                         nghttp2_strerror(static_cast<int>(used))};
        in += used;
        left -= static_cast<size_t>(used);
        if (flags & NGHTTP2_HD_INFLATE_EMIT)
            visit(std::string_view(reinterpret_cast<const char*>(field.name), field.namelen),
                  std::string_view(reinterpret_cast<const char*>(field.value), field.valuelen));
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(m_inflater);
            return {};
        }
        if (!(flags & NGHTTP2_HD_INFLATE_EMIT) && left == 0)
            return {};
    }
}

std::string percent_decode(std::string_view text) {
    const auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 &&
            hex(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

}  // namespace ccmeter
